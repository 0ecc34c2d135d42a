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

Raw columns or count vectors
----------------------------

Every function (the contingency tests too) takes either two count vectors or two raw columns.
The rule, in order:

1. If either argument is a :class:`Histogram` or :class:`CategoryCounts`, the summaries are
   compared; a raw column on the current side is binned on the reference summary.
2. If ``bins=``, ``binning=`` or ``width=`` is given, both arguments are raw columns.
3. If either argument holds strings, booleans, Python objects or is dictionary-encoded
   (pyarrow, polars, pandas ``category``), both are raw categorical columns: those cannot be
   count vectors.
4. Otherwise both are count vectors, bin for bin (a plain numeric array is never guessed to be
   a raw column: pass ``bins=`` for that).

Numeric raw columns are binned on the reference: ``bins=10`` equal-width bins by default, or
any ``bins=``/``binning=``/``width=`` that :class:`Histogram` takes (``binning="quantile"``
for quantile edges, a NumPy rule name, explicit edges). The current column is counted over
the same edges, with the two open outer bins, so the terms have ``n + 2`` entries:
``[(-inf, e_0), n interior bins, (e_n, +inf)]`` (bins empty on both sides contribute 0).
Categorical raw columns (or ``bins="categories"`` for integer codes) are counted with
:class:`CategoryCounts`; the bins are the reference's categories, then each category seen only
in the current data (its own bin, with a reference count of 0, so smoothing and the divergence
see it), then an ``other`` bin (label ``None``) when either side counted values there. Binning
and the divergence run in Rust in one call, with the GIL released.

The result then also carries ``reference`` and ``current`` (the two :class:`Histogram` or
:class:`CategoryCounts` it was computed on), ``edges`` (numeric) or ``labels`` (categorical:
one per term), so a report can plot it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from driftscope import _core
from driftscope._core import CategoryCounts, Histogram
from driftscope._tables import LogicalType, logical_type
from driftscope.errors import InvalidInputError, InvalidTypeError
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
    """A divergence value (a float) with the measure's name and its per-bin terms.

    Computed on raw columns or summaries, it also carries the ``reference`` and ``current``
    :class:`Histogram` (or :class:`CategoryCounts`) and, per term, the ``edges`` or ``labels``
    of the bins; on count vectors these are ``None``.
    """

    measure: str
    terms: tuple[float, ...]
    reference: Histogram | CategoryCounts | None
    current: Histogram | CategoryCounts | None
    labels: tuple[Any, ...] | None

    def __new__(
        cls,
        value: float,
        measure: str,
        terms: list[float],
        reference: Histogram | CategoryCounts | None = None,
        current: Histogram | CategoryCounts | None = None,
        labels: tuple[Any, ...] | None = None,
    ) -> Divergence:
        self = super().__new__(cls, value)
        self.measure = measure
        self.terms = tuple(terms)
        self.reference = reference
        self.current = current
        self.labels = labels
        return self

    @property
    def edges(self) -> npt.NDArray[np.float64] | None:
        """The reference histogram's edges (``n + 1``; the terms add the two outer bins)."""
        return self.reference.edges if isinstance(self.reference, Histogram) else None

    def __reduce__(self) -> tuple[Any, ...]:
        args = (float(self), self.measure, list(self.terms))
        return (Divergence, (*args, self.reference, self.current, self.labels))

    def __repr__(self) -> str:
        return f"Divergence({float(self)!r}, measure={self.measure!r})"


def _is_summary(x: Any) -> bool:
    return isinstance(x, (Histogram, CategoryCounts))


def _is_categorical(x: Any) -> bool:
    """Whether `x` holds values that cannot be counts: a column the classifier calls
    categorical or boolean (strings, booleans, string objects, dictionary-encoded values)."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "iuf":
        return False  # the common case, decided without a call
    try:
        kind = logical_type(x)
    except TypeError:
        return False  # not a column: the count-vector path says what is wrong with it
    return kind in (LogicalType.CATEGORICAL, LogicalType.BOOLEAN)


def _columns(p: Any, q: Any, bins: Any, binning: Any, width: Any) -> tuple[bool, bool, Any]:
    """`(raw, categorical, bins)` by the rule in the module documentation."""
    forced = isinstance(bins, str) and bins == "categories"
    options = bins is not None or binning is not None or width is not None
    if _is_summary(p) or _is_summary(q):
        return True, False, bins
    cat_p, cat_q = _is_categorical(p), _is_categorical(q)
    if forced:
        if binning is not None or width is not None:
            raise InvalidInputError("bins='categories' takes no binning= or width=")
        return True, True, None
    if cat_p != cat_q:
        which, other = ("p", "q") if cat_p else ("q", "p")
        raise InvalidTypeError(
            f"argument {which} holds categories (strings, booleans, objects or "
            f"dictionary-encoded values), so it is not a vector of counts, but {other} is "
            "numeric: pass two categorical columns, or two count vectors (or bins='categories' "
            "to count integer codes as categories)"
        )
    if cat_p and options:
        raise InvalidInputError(
            "bins=, binning= and width= bin numeric columns; these columns hold categories, "
            "which are counted as they are"
        )
    return cat_p or options, cat_p, bins


def _measure(
    name: str,
    p: Any,
    q: Any,
    base: float | None,
    smoothing: Any,
    bins: Any,
    binning: str | None,
    width: float | None,
) -> Divergence:
    raw, categorical, bins = _columns(p, q, bins, binning, width)
    if not raw:
        value, terms = _core.divergence_counts(name, p, q, base, smoothing)
        return Divergence(value, name, terms)
    value, terms, ref, cur, labels = _core.divergence_columns(
        name, p, q, categorical, bins, binning, width, base, smoothing
    )
    return Divergence(value, name, terms, ref, cur, labels)


def psi(
    p: Any,
    q: Any,
    *,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Population stability index of the current ``q`` against the reference ``p``.

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("psi", p, q, None, smoothing, bins, binning, width)


def kl_divergence(
    p: Any,
    q: Any,
    *,
    base: float | None = None,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Kullback–Leibler divergence KL(p ‖ q), equal to ``scipy.stats.entropy(p, q, base)``.

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("kl_divergence", p, q, base, smoothing, bins, binning, width)


def js_divergence(
    p: Any,
    q: Any,
    *,
    base: float | None = None,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Jensen–Shannon divergence: the square of :func:`js_distance`.

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("js_divergence", p, q, base, smoothing, bins, binning, width)


def js_distance(
    p: Any,
    q: Any,
    *,
    base: float | None = None,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Jensen–Shannon distance, equal to ``scipy.spatial.distance.jensenshannon(p, q, base)``.

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("js_distance", p, q, base, smoothing, bins, binning, width)


def hellinger(
    p: Any,
    q: Any,
    *,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Hellinger distance, in [0, 1].

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("hellinger", p, q, None, smoothing, bins, binning, width)


def tvd(
    p: Any,
    q: Any,
    *,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Total variation distance, in [0, 1].

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("tvd", p, q, None, smoothing, bins, binning, width)


def linf(
    p: Any,
    q: Any,
    *,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Largest absolute difference of proportions, in [0, 1].

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("linf", p, q, None, smoothing, bins, binning, width)


def bhattacharyya(
    p: Any,
    q: Any,
    *,
    smoothing: Any = _AUTO,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> Divergence:
    """Bhattacharyya distance −ln Σ √(p·q).

    ``p`` and ``q`` are the reference's and current's count vectors, or two raw columns
    (binned on ``p`` by ``bins=``/``binning=``/``width=``, or categorical), or summaries: see
    the module documentation for the rule.
    """
    return _measure("bhattacharyya", p, q, None, smoothing, bins, binning, width)


def _contingency(
    kind: str, ref: Any, cur: Any, bins: Any, binning: str | None, width: float | None
) -> ContingencyResult:
    raw, categorical, bins = _columns(ref, cur, bins, binning, width)
    summaries: tuple[Any, Any, Any] = (None, None, None)
    if raw:
        d, *rest = _core.contingency_columns(kind, ref, cur, categorical, bins, binning, width)
        summaries = (rest[0], rest[1], rest[2])
    else:
        d = _core.contingency(kind, ref, cur)
    expected = np.array(d.pop("expected"), dtype=np.float64).reshape(-1, 2).T
    return ContingencyResult(
        statistic=d["statistic"],
        pvalue=d["pvalue"],
        dof=d["dof"],
        expected_freq=expected,
        contributions=tuple(d["contributions"]),
        dropped=d["dropped"],
        reference=summaries[0],
        current=summaries[1],
        labels=summaries[2],
    )


def chi2_test(
    ref_counts: Any,
    cur_counts: Any,
    *,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> ContingencyResult:
    """Pearson's chi-square test of homogeneity on the 2×k table ``[ref_counts, cur_counts]``,
    equal to ``scipy.stats.chi2_contingency(table, correction=False)``. Columns empty in both
    rows are dropped (scipy raises on them) and ``dropped`` says how many. Raw columns are
    binned first, by the rule in the module documentation (the open outer bins of a numeric
    histogram are columns of the table too, dropped when empty)."""
    return _contingency("chi2", ref_counts, cur_counts, bins, binning, width)


def g_test(
    ref_counts: Any,
    cur_counts: Any,
    *,
    bins: Any = None,
    binning: str | None = None,
    width: float | None = None,
) -> ContingencyResult:
    """G-test (log-likelihood ratio) on the same table, equal to
    ``scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")``."""
    return _contingency("g", ref_counts, cur_counts, bins, binning, width)
