"""Helpers shared by the tests: one tolerance check and the example budget of property tests."""

from __future__ import annotations

import math

from hypothesis import settings


def close(
    a: float, b: float, rtol: float = 1e-12, atol: float = 0.0, *, scale: float = 0.0
) -> bool:
    """Whether ``a`` equals ``b`` to ``rtol`` relative or ``atol`` absolute (NaN equals NaN only).

    The relative tolerance is taken of the larger magnitude of ``a``, ``b`` and ``scale``: pass
    the data's own magnitude as ``scale`` where a result near zero is a difference of large
    terms (a mean of values at 1e9, a skewness near 0).
    """
    if a == b or (math.isnan(a) and math.isnan(b)):
        return True
    return abs(a - b) <= max(rtol * max(abs(a), abs(b), scale), atol)


def scaled(n: int) -> int:
    """``n`` examples under the default profile, as many times more as the active profile runs
    (the exploration profile runs 20x): for tests that fix their own ``max_examples``."""
    factor = settings.default.max_examples / 100
    return max(1, round(n * factor))
