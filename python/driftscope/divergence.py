"""Divergences between two distributions given as count (or probability) vectors.

With p the reference's and q the current's proportions:

========================  ==========================================
``psi``                   Σ (q − p) · ln(q / p)
``kl_divergence(p, q)``   Σ p · ln(p / q)   (``scipy.stats.entropy(p, q)``)
``js_divergence``         ``js_distance``²
``js_distance``           ``scipy.spatial.distance.jensenshannon(p, q)``
``hellinger``             √(½ · Σ (√p − √q)²)
``tvd``                   ½ · Σ |p − q|
``linf``                  max |p − q|
``bhattacharyya``         −ln Σ √(p · q)
========================  ==========================================

Smoothing touches empty bins only. ``smoothing="auto"`` (the default) gives a bin that is empty
on one side only the proportion ``1e-4`` on that side, renormalized, for the measures an empty
bin would make infinite (``psi``, ``kl_divergence``, ``bhattacharyya``); the others are finite
anyway and are left unsmoothed. ``smoothing=None`` asks for the raw formula (which may be inf);
a number in (0, 1) sets the epsilon. On strictly positive counts every measure equals its
formula exactly. ``base`` (KL and JS only) sets the logarithm's base (default e).

Each function returns a :class:`Divergence`: a ``float`` that also carries its per-bin terms,
so a report can show which bins drove the value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from driftscope import _core
from driftscope.results import ContingencyResult

__all__ = [
    "Divergence",
    "bhattacharyya",
    "chi2_test",
    "g_test",
    "hellinger",
    "js_distance",
    "js_divergence",
    "kl_divergence",
    "linf",
    "psi",
    "tvd",
]

_AUTO = "auto"


class Divergence(float):
    """A divergence value (a float) with the measure's name and its per-bin terms."""

    measure: str
    terms: tuple[float, ...]

    def __new__(cls, value: float, measure: str, terms: list[float]) -> Divergence:
        self = super().__new__(cls, value)
        self.measure = measure
        self.terms = tuple(terms)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Divergence, (float(self), self.measure, list(self.terms)))

    def __repr__(self) -> str:
        return f"Divergence({float(self)!r}, measure={self.measure!r})"


def _measure(name: str, p: Any, q: Any, base: float | None, smoothing: Any) -> Divergence:
    value, terms = _core.divergence_counts(name, p, q, base, smoothing)
    return Divergence(value, name, terms)


def psi(p: Any, q: Any, *, smoothing: Any = _AUTO) -> Divergence:
    """Population stability index of the current counts ``q`` against the reference ``p``."""
    return _measure("psi", p, q, None, smoothing)


def kl_divergence(
    p: Any, q: Any, *, base: float | None = None, smoothing: Any = _AUTO
) -> Divergence:
    """Kullback–Leibler divergence KL(p ‖ q), equal to ``scipy.stats.entropy(p, q, base)``."""
    return _measure("kl_divergence", p, q, base, smoothing)


def js_divergence(
    p: Any, q: Any, *, base: float | None = None, smoothing: Any = _AUTO
) -> Divergence:
    """Jensen–Shannon divergence: the square of :func:`js_distance`."""
    return _measure("js_divergence", p, q, base, smoothing)


def js_distance(p: Any, q: Any, *, base: float | None = None, smoothing: Any = _AUTO) -> Divergence:
    """Jensen–Shannon distance, equal to ``scipy.spatial.distance.jensenshannon(p, q, base)``."""
    return _measure("js_distance", p, q, base, smoothing)


def hellinger(p: Any, q: Any, *, smoothing: Any = _AUTO) -> Divergence:
    """Hellinger distance, in [0, 1]."""
    return _measure("hellinger", p, q, None, smoothing)


def tvd(p: Any, q: Any, *, smoothing: Any = _AUTO) -> Divergence:
    """Total variation distance, in [0, 1]."""
    return _measure("tvd", p, q, None, smoothing)


def linf(p: Any, q: Any, *, smoothing: Any = _AUTO) -> Divergence:
    """Largest absolute difference of proportions, in [0, 1]."""
    return _measure("linf", p, q, None, smoothing)


def bhattacharyya(p: Any, q: Any, *, smoothing: Any = _AUTO) -> Divergence:
    """Bhattacharyya distance −ln Σ √(p·q)."""
    return _measure("bhattacharyya", p, q, None, smoothing)


def _contingency(kind: str, ref_counts: Any, cur_counts: Any) -> ContingencyResult:
    d = _core.contingency(kind, ref_counts, cur_counts)
    expected = np.array(d.pop("expected"), dtype=np.float64).reshape(-1, 2).T
    return ContingencyResult(
        statistic=d["statistic"],
        pvalue=d["pvalue"],
        dof=d["dof"],
        expected_freq=expected,
        contributions=tuple(d["contributions"]),
        dropped=d["dropped"],
    )


def chi2_test(ref_counts: Any, cur_counts: Any) -> ContingencyResult:
    """Pearson's chi-square test of homogeneity on the 2×k table ``[ref_counts, cur_counts]``,
    equal to ``scipy.stats.chi2_contingency(table, correction=False)``. Columns empty in both
    rows are dropped (scipy raises on them) and ``dropped`` says how many."""
    return _contingency("chi2", ref_counts, cur_counts)


def g_test(ref_counts: Any, cur_counts: Any) -> ContingencyResult:
    """G-test (log-likelihood ratio) on the same table, equal to
    ``scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")``."""
    return _contingency("g", ref_counts, cur_counts)
