"""Exact two-sample tests with scipy's semantics, on sorted data, in Rust.

Each function is a drop-in replacement for its scipy namesake: same statistic, same p-value
(method, alternatives, fallbacks and warnings included). Unlike scipy, nulls and NaN are skipped
and counted on the result instead of propagating.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from driftscope import _core
from driftscope.errors import (
    ExactFallbackWarning,
    InvalidInputError,
    NaNSkippedWarning,
    PValueCappedWarning,
    UndefinedStatisticWarning,
)
from driftscope.results import AndersonKSampResult, CramerVonMisesResult, KSResult

__all__ = [
    "ECDF",
    "anderson_ksamp",
    "cramervonmises_2samp",
    "energy_distance",
    "ks_2samp",
    "wasserstein_distance",
]


def _nan_skipped(counts: Iterable[int], names: Iterable[str], stacklevel: int = 4) -> None:
    """Warns that NaN were skipped where scipy would have propagated them."""
    skipped = [f"{n:,} in {name}" for n, name in zip(counts, names, strict=False) if n]
    if skipped:
        warnings.warn(
            f"NaN values were skipped ({', '.join(skipped)}); scipy would return NaN. The counts "
            "are on the result (nan_counts); drop NaN first to silence this warning",
            NaNSkippedWarning,
            stacklevel=stacklevel,
        )


def _ks(d: dict[str, Any], names: tuple[str, ...] = ("a", "b")) -> KSResult:
    message = d.pop("warning")
    if message is not None:
        warnings.warn(message, ExactFallbackWarning, stacklevel=3)
    _nan_skipped(d["nan_counts"][-len(names) :], names)
    return KSResult(**d)


def _cvm(d: dict[str, Any], names: tuple[str, ...] = ("a", "b")) -> CramerVonMisesResult:
    _nan_skipped(d["nan_counts"][-len(names) :], names)
    return CramerVonMisesResult(**d)


def _anderson(d: dict[str, Any], names: tuple[str, ...] | None = None) -> AndersonKSampResult:
    message = d.pop("warning")
    if message is not None:
        warnings.warn(message, PValueCappedWarning, stacklevel=3)
    if math.isnan(d["statistic"]):
        # scipy returns NaN too, with NumPy's "invalid value encountered in scalar divide"
        warnings.warn(
            "anderson_ksamp: the statistic is undefined (0/0) for these samples with the "
            f"{d['variant']!r} variant; statistic and p-value are NaN",
            UndefinedStatisticWarning,
            stacklevel=3,
        )
    counts = d["nan_counts"]
    if names is None:
        names = tuple(f"samples[{i}]" for i in range(len(counts)))
    _nan_skipped(counts[-len(names) :], names)
    d["critical_values"] = tuple(d["critical_values"])
    for key in ("sizes", "null_counts", "nan_counts"):
        d[key] = tuple(d[key])
    return AndersonKSampResult(**d)


def ks_2samp(a: Any, b: Any, alternative: str = "two-sided", method: str = "auto") -> KSResult:
    """Two-sample Kolmogorov–Smirnov test, equal to ``scipy.stats.ks_2samp``.

    ``alternative`` is 'two-sided', 'less' or 'greater'; ``method`` is 'auto', 'exact' or
    'asymp' ('auto' is exact when both samples have at most 10,000 values). Like scipy, an exact
    computation that cannot be carried out falls back to 'asymp' with an
    ``ExactFallbackWarning`` (a ``RuntimeWarning``).
    NaN are skipped and counted (``nan_counts``) with a ``NaNSkippedWarning``, where scipy
    would return NaN; nulls are skipped and counted silently.
    """
    return _ks(_core.ks_2samp(a, b, alternative, method))


def wasserstein_distance(a: Any, b: Any) -> float:
    """First Wasserstein distance between two samples, equal to scipy's (to 1e-12 relative).

    Large samples are not sorted in full: a bucket census of both finds where the two CDFs
    may cross, and only the values there are sorted (see the README).
    """
    distance, nan_counts = _core.wasserstein_distance(a, b)
    _nan_skipped(nan_counts, ("a", "b"), stacklevel=3)
    return distance


def energy_distance(a: Any, b: Any) -> float:
    """Energy distance between two samples, equal to ``scipy.stats.energy_distance``."""
    _, distance, nan_counts = _core.cdf_distances(a, b)
    _nan_skipped(nan_counts, ("a", "b"), stacklevel=3)
    return distance


def cramervonmises_2samp(a: Any, b: Any, method: str = "auto") -> CramerVonMisesResult:
    """Two-sample Cramér–von Mises test, equal to ``scipy.stats.cramervonmises_2samp``.

    ``method`` is 'auto' (exact when both samples have at most 20 values), 'exact' or
    'asymptotic'.
    """
    return _cvm(_core.cramervonmises_2samp(a, b, method))


def _variant(midrank: bool | None, variant: str | None) -> str:
    if variant is not None:
        if midrank is not None:
            raise InvalidInputError("pass either midrank or variant, not both")
        return variant
    return "midrank" if midrank is None or midrank else "right"


def anderson_ksamp(
    samples: Iterable[Any], midrank: bool | None = None, *, variant: str | None = None
) -> AndersonKSampResult:
    """k-sample Anderson–Darling test, equal to ``scipy.stats.anderson_ksamp``.

    ``variant`` is 'midrank' (default; scipy's ``midrank=True``), 'right' (``midrank=False``)
    or 'continuous'. As in scipy, the p-value is interpolated from the critical values and
    capped to [0.001, 0.25] with a ``PValueCappedWarning`` (a ``UserWarning``) when the
    statistic lies outside them.
    """
    return _anderson(_core.anderson_ksamp(samples, _variant(midrank, variant)))


class ECDF:
    """The empirical CDF of a reference sample, sorted once and tested against many batches.

    ``ECDF(reference).ks(batch)`` equals ``ks_2samp(reference, batch)`` and costs
    O(m log m + m log n) for a batch of m values against n reference values; so does ``cvm``
    (its rank sums are exact). ``wasserstein`` and ``energy`` cost the same for batches under
    1/64 of a reference of 65,536 values or more, through prefix sums of the reference's gaps
    built on the first call (O(n) once, 3 bytes per value); longer batches merge the pooled
    sample, O(n + m) (``wasserstein`` through the reference's bucket census from 8,192
    values). ``anderson`` always merges the pooled sample.
    """

    __slots__ = ("_inner",)

    def __init__(self, reference: Any) -> None:
        self._inner = reference if isinstance(reference, _core.ECDF) else _core.ECDF(reference)

    @property
    def n(self) -> int:
        """Number of reference values (nulls and NaN excluded)."""
        return self._inner.n

    @property
    def null_count(self) -> int:
        return self._inner.null_count

    @property
    def nan_count(self) -> int:
        return self._inner.nan_count

    def values(self) -> npt.NDArray[np.float64]:
        """A copy of the sorted reference values."""
        return self._inner.values()

    def cdf(self, x: Any) -> Any:
        """Fraction of reference values ``<= x`` (a float for a number, else an array)."""
        return self._inner.cdf(x)

    def quantile(self, q: Any) -> Any:
        """Inverse ECDF at ``q`` in [0, 1] (numpy's 'inverted_cdf' quantile)."""
        return self._inner.quantile(q)

    def ks(self, current: Any, alternative: str = "two-sided", method: str = "auto") -> KSResult:
        """``ks_2samp(reference, current, alternative, method)``."""
        return _ks(self._inner.ks(current, alternative, method), ("current",))

    def wasserstein(self, current: Any) -> float:
        """``wasserstein_distance(reference, current)``."""
        distance, nan_count = self._inner.wasserstein(current)
        _nan_skipped((nan_count,), ("current",), stacklevel=3)
        return distance

    def energy(self, current: Any) -> float:
        """``energy_distance(reference, current)``."""
        _, distance, nan_count = self._inner.distances(current)
        _nan_skipped((nan_count,), ("current",), stacklevel=3)
        return distance

    def cvm(self, current: Any, method: str = "auto") -> CramerVonMisesResult:
        """``cramervonmises_2samp(reference, current, method)``."""
        return _cvm(self._inner.cvm(current, method), ("current",))

    def anderson(
        self, current: Any, midrank: bool | None = None, *, variant: str | None = None
    ) -> AndersonKSampResult:
        """``anderson_ksamp([reference, current], ...)``."""
        return _anderson(self._inner.anderson(current, _variant(midrank, variant)), ("current",))

    def to_bytes(self) -> bytes:
        """The reference in driftscope's versioned binary format."""
        return self._inner.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> ECDF:
        """Reads bytes written by ``to_bytes``; corrupted bytes raise ``ValueError``."""
        return cls(_core.ECDF.from_bytes(data))

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (ECDF.from_bytes, (self.to_bytes(),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ECDF) and self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return self.n

    def __repr__(self) -> str:
        return repr(self._inner)
