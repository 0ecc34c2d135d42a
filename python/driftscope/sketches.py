"""Tests on streaming summaries: two-sample KS from two KLL sketches."""

from __future__ import annotations

from driftscope import _core
from driftscope._core import KLL
from driftscope.results import KSSketchResult

__all__ = ["ks_sketch"]


def ks_sketch(a: KLL, b: KLL) -> KSSketchResult:
    """Two-sample Kolmogorov–Smirnov test from two KLL sketches, never a bare boolean.

    The statistic is the largest gap between the two sketches' CDFs, found over the union of
    their retained items. Each sketch's CDF is within its ``normalized_rank_error()``
    (DataSketches' single-sided bound at 99% confidence; 0 while a sketch still holds every
    value) of the exact one, so the exact statistic lies within ``statistic ± error_bound``,
    ``error_bound`` being the sum of the two. The p-value is scipy's asymptotic two-sided one
    (``ks_2samp(method="asymp")``) with the sketches' sizes, reported at the statistic and at
    both ends of its interval. While both sketches are exact the result equals
    ``ks_2samp(..., method="asymp")``.
    """
    d = _core.ks_sketch(a, b)
    d["statistic_interval"] = tuple(d["statistic_interval"])
    d["pvalue_interval"] = tuple(d["pvalue_interval"])
    return KSSketchResult(**d)
