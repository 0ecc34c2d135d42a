"""Result objects of the two-sample tests.

They behave like scipy's: named attributes, and tuple unpacking of the leading fields
(``statistic, pvalue = ks_2samp(a, b)``). They also carry what a report needs to explain the
number: sample sizes, the null/NaN/inf values skipped, the method actually used.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

__all__ = [
    "AndersonKSampResult",
    "ContingencyResult",
    "CramerVonMisesResult",
    "KSResult",
    "KSSketchResult",
]


class _Unpackable:
    """Mixin: iterates, indexes and measures like a tuple of its first `_tuple_len` fields."""

    _tuple_len: ClassVar[int] = 2

    def _tuple(self) -> tuple[Any, ...]:
        names = [f.name for f in fields(self)][: self._tuple_len]  # type: ignore[arg-type]
        return tuple(getattr(self, n) for n in names)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._tuple())

    def __len__(self) -> int:
        return self._tuple_len

    def __getitem__(self, i: int) -> Any:
        return self._tuple()[i]

    def to_dict(self) -> dict[str, Any]:
        """Every field by name, JSON-ready."""
        return asdict(self)  # type: ignore[call-overload, no-any-return]


@dataclass(frozen=True, eq=True)
class KSResult(_Unpackable):
    """Two-sample Kolmogorov–Smirnov test, as ``scipy.stats.ks_2samp`` returns it."""

    statistic: float
    pvalue: float
    statistic_location: float
    statistic_sign: int
    n1: int
    n2: int
    alternative: str
    method: str
    null_counts: tuple[int, int]
    nan_counts: tuple[int, int]
    inf_counts: tuple[int, int]


@dataclass(frozen=True, eq=True)
class KSSketchResult(_Unpackable):
    """Two-sample KS from two KLL sketches (see :func:`driftscope.ks_sketch`).

    ``statistic`` is the largest gap between the sketches' CDFs; the exact statistic of the
    full samples lies within ``statistic ± error_bound`` (``statistic_interval``) wherever both
    sketches' rank errors hold (99% confidence each). ``pvalue`` is the asymptotic two-sided
    p-value at ``statistic``, ``pvalue_interval`` its values at the interval's ends.
    """

    statistic: float
    pvalue: float
    error_bound: float
    statistic_interval: tuple[float, float]
    pvalue_interval: tuple[float, float]
    statistic_location: float
    statistic_sign: int
    n1: int
    n2: int
    exact: bool


@dataclass(frozen=True, eq=True)
class CramerVonMisesResult(_Unpackable):
    """Two-sample Cramér–von Mises test, as ``scipy.stats.cramervonmises_2samp``."""

    statistic: float
    pvalue: float
    u: float
    n1: int
    n2: int
    method: str
    null_counts: tuple[int, int]
    nan_counts: tuple[int, int]
    inf_counts: tuple[int, int]


@dataclass(frozen=True, eq=True)
class AndersonKSampResult(_Unpackable):
    """k-sample Anderson–Darling test, as ``scipy.stats.anderson_ksamp``; unpacks to
    ``(statistic, critical_values, pvalue)``. Critical values are for the significance
    levels in ``significance_levels``."""

    _tuple_len: ClassVar[int] = 3
    significance_levels: ClassVar[tuple[float, ...]] = (
        0.25,
        0.1,
        0.05,
        0.025,
        0.01,
        0.005,
        0.001,
    )

    statistic: float
    critical_values: tuple[float, ...]
    pvalue: float
    sizes: tuple[int, ...]
    variant: str
    null_counts: tuple[int, ...]
    nan_counts: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class ContingencyResult(_Unpackable):
    """Chi-square or G test of a 2×k table, as ``scipy.stats.chi2_contingency``; unpacks to
    ``(statistic, pvalue, dof, expected_freq)``. Computed on raw columns, it also carries the
    summaries the table was built from."""

    _tuple_len: ClassVar[int] = 4

    statistic: float
    pvalue: float
    dof: int
    expected_freq: Any
    contributions: tuple[float, ...]
    dropped: int
    #: On raw columns: the reference and current ``Histogram`` (or ``CategoryCounts``) the
    #: table was built from, and for categories each column's label (``None``: "other").
    reference: Any = None
    current: Any = None
    labels: tuple[Any, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["expected_freq"] = self.expected_freq.tolist()
        for side in ("reference", "current"):
            if d[side] is not None:
                d[side] = d[side].to_dict()
        if d["labels"] is not None:
            d["labels"] = list(d["labels"])
        return d
