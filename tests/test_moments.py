"""Moments: parity with numpy/scipy, merge law, numerically hard cases, serialization."""

from __future__ import annotations

import copy
import itertools
import pickle
import warnings

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import scipy.stats as st
from hypothesis import assume, given
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import driftscope as ds
from helpers import close

RTOL = 1e-12
SHAPE_TOL = 1e-10


def expected(x: np.ndarray) -> dict[str, float]:
    """numpy/scipy's answers on the finite float64 values of x."""
    x = np.asarray(x, dtype=np.float64)
    out = {
        "count": x.size,
        "mean": x.mean(),
        "sum": x.sum(),
        "min": x.min(),
        "max": x.max(),
        "var0": x.var(),
        "var1": x.var(ddof=1) if x.size > 1 else np.nan,
    }
    # Skewness and kurtosis are scale-free; scipy's are taken on the data scaled by a power
    # of two (exactly) to magnitude ~1, where its (x - mean)**4 cannot under- or overflow.
    _, exp = np.frexp(np.abs(x).max())
    unit = np.ldexp(x, -int(exp))
    with warnings.catch_warnings():
        # scipy warns on nearly constant data (and returns NaN there, as driftscope does)
        warnings.simplefilter("ignore", RuntimeWarning)
        out["skew"] = st.skew(unit)
        out["skew_unbiased"] = st.skew(unit, bias=False)
        out["kurt"] = st.kurtosis(unit)
        out["kurt_pearson_unbiased"] = st.kurtosis(unit, fisher=False, bias=False)
    return out


def check(m: ds.Moments, x: np.ndarray, *, shape: bool = True) -> None:
    e = expected(x)
    mag = float(np.abs(x).max())
    assert m.count == e["count"]
    assert m.min == e["min"] and m.max == e["max"]
    assert close(m.mean, e["mean"], RTOL, scale=mag), (m.mean, e["mean"])
    assert close(m.sum, e["sum"], RTOL, scale=float(np.abs(x).sum())), (m.sum, e["sum"])
    assert close(m.variance(), e["var0"], RTOL), (m.variance(), e["var0"])
    assert close(m.variance(ddof=1), e["var1"], RTOL)
    assert close(m.std(), float(np.sqrt(e["var0"])), RTOL)
    if shape:
        assert close(m.skewness(), e["skew"], SHAPE_TOL, scale=1.0), (m.skewness(), e["skew"])
        assert close(m.skewness(bias=False), e["skew_unbiased"], SHAPE_TOL, scale=1.0)
        assert close(m.kurtosis(), e["kurt"], SHAPE_TOL, scale=1.0), (m.kurtosis(), e["kurt"])
        assert close(
            m.kurtosis(fisher=False, bias=False), e["kurt_pearson_unbiased"], SHAPE_TOL, scale=1.0
        )


def well_conditioned(x: np.ndarray) -> bool:
    """Spread not negligible against magnitude, so numpy's own answer is accurate to ~1e-14.

    The spread's 4th power must also be a normal float: numpy's variance and kurtosis of
    e.g. [1.2e-158, 0] lose their precision in subnormal (or overflowing) intermediates.
    """
    x = np.asarray(x, dtype=np.float64)
    mag = np.abs(x).max()
    if x.size == 0:
        return False
    if mag == 0:
        return True
    spread = x.std()
    return bool(spread > 1e-4 * mag and 1e-70 < spread < 1e70)


finite = hst.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@given(hnp.arrays(np.float64, hst.integers(1, 3000), elements=finite))
def test_float64_parity(x: np.ndarray) -> None:
    assume(well_conditioned(x))
    check(ds.Moments(x), x)


@given(hnp.arrays(np.float32, hst.integers(1, 3000), elements=hst.floats(-1e4, 1e4, width=32)))
def test_float32_parity(x: np.ndarray) -> None:
    assume(well_conditioned(x))
    check(ds.Moments(x), x.astype(np.float64))


@given(hnp.arrays(np.int64, hst.integers(1, 3000), elements=hst.integers(-(10**12), 10**12)))
def test_int64_parity(x: np.ndarray) -> None:
    assume(well_conditioned(x))
    check(ds.Moments(x), x.astype(np.float64))


@given(hnp.arrays(np.uint8, hst.integers(1, 3000)))
def test_uint8_parity(x: np.ndarray) -> None:
    check(ds.Moments(x), x.astype(np.float64))


def nullable(draw: hst.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    x = draw(hnp.arrays(np.float64, hst.integers(1, 3000), elements=finite))
    mask = draw(hnp.arrays(np.bool_, x.size))
    return x, mask


@hst.composite
def values_and_mask(draw: hst.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    return nullable(draw)


@given(values_and_mask(), hst.integers(0, 50), hst.integers(0, 50))
def test_pyarrow_with_nulls_and_slices(
    data: tuple[np.ndarray, np.ndarray], lo: int, hi: int
) -> None:
    x, mask = data
    arr = pa.array(x, mask=mask)
    lo = min(lo, x.size)
    hi = max(lo, x.size - hi)
    sliced = arr.slice(lo, hi - lo)
    valid = x[lo:hi][~mask[lo:hi]]
    m = ds.Moments(sliced)
    assert m.null_count == int(mask[lo:hi].sum())
    assert m.nan_count == 0
    if valid.size and well_conditioned(valid):
        check(m, valid)
    else:
        assert m.count == valid.size


@given(values_and_mask(), hst.lists(hst.integers(0, 3000), max_size=8))
def test_chunked_array_with_empty_chunks(
    data: tuple[np.ndarray, np.ndarray], cuts: list[int]
) -> None:
    x, mask = data
    bounds = sorted({0, x.size, *(min(c, x.size) for c in cuts)})
    chunks = [pa.array(x[a:b], mask=mask[a:b]) for a, b in itertools.pairwise(bounds)]
    chunks.insert(len(chunks) // 2, pa.array([], pa.float64()))
    m = ds.Moments(pa.chunked_array(chunks, pa.float64()))
    valid = x[~mask]
    assert m.null_count == int(mask.sum())
    if valid.size and well_conditioned(valid):
        check(m, valid)


@given(values_and_mask())
def test_polars_with_nulls(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, mask = data
    s = pl.Series(
        "x", [None if k else v for v, k in zip(x.tolist(), mask, strict=True)], dtype=pl.Float64
    )
    m = ds.Moments(s)
    valid = x[~mask]
    assert (m.null_count, m.nan_count) == (int(mask.sum()), 0)
    if valid.size and well_conditioned(valid):
        check(m, valid)


@given(values_and_mask())
def test_pandas_with_nan(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, mask = data
    y = np.where(mask, np.nan, x)
    m = ds.Moments(pd.Series(y))
    valid = x[~mask]
    assert (m.null_count, m.nan_count) == (0, int(mask.sum()))
    if valid.size and well_conditioned(valid):
        check(m, valid)


@given(
    hnp.arrays(np.float64, hst.integers(7, 5000), elements=finite),
    hst.lists(hst.integers(0, 5000), min_size=6, max_size=6),
)
def test_merging_seven_chunks_equals_the_whole(x: np.ndarray, cuts: list[int]) -> None:
    assume(well_conditioned(x))
    bounds = [0, *sorted(min(c, x.size) for c in cuts), x.size]
    parts = [ds.Moments(x[a:b]) for a, b in itertools.pairwise(bounds)]
    merged = ds.Moments()
    for p in parts:
        merged.merge(p)
    whole = ds.Moments(x)
    check(merged, x)
    assert merged.count == whole.count
    for f in ("mean", "sum"):
        assert close(getattr(merged, f), getattr(whole, f), RTOL, scale=float(np.abs(x).max()))
    assert close(merged.variance(), whole.variance(), RTOL)


def test_merge_returns_self_and_merging_with_itself_doubles() -> None:
    x = np.arange(10.0)
    m = ds.Moments(x)
    assert m.merge(m) is m
    check(m, np.concatenate([x, x]))


def test_large_input_parity_and_parallel_merge() -> None:
    x = np.random.default_rng(5).standard_t(5, size=3_000_001) * 3 + 7
    m = ds.Moments(x)
    check(m, x)
    halves = ds.Moments(x[:1_234_567]).merge(ds.Moments(x[1_234_567:]))
    check(halves, x)


def test_mean_near_1e9_with_unit_noise() -> None:
    rng = np.random.default_rng(6)
    x = 1e9 + rng.normal(size=1_000_000)
    m = ds.Moments(x)
    centered = x - 1e9  # exact for these values, so this reference is accurate
    assert abs(m.mean - x.mean()) <= 1e-12 * 1e9
    assert close(m.variance(), centered.var(), 1e-12)
    assert close(m.skewness(), st.skew(centered), SHAPE_TOL, scale=1.0)
    assert close(m.kurtosis(), st.kurtosis(centered), SHAPE_TOL, scale=1.0)


@pytest.mark.parametrize("scale", [1e-300, 1e-200, 1e200, 1e300])
def test_extreme_scales(scale: float) -> None:
    base = np.random.default_rng(7).gamma(2.0, size=100_000)
    x = base * scale
    m = ds.Moments(x)
    assert m.min == x.min() and m.max == x.max()
    assert close(m.mean, base.mean() * scale, 1e-12)
    assert close(m.std(), base.std() * scale, 1e-12)
    # skewness and kurtosis are scale-free: numpy/scipy at scale 1 are the reference
    assert close(m.skewness(), st.skew(base), SHAPE_TOL)
    assert close(m.kurtosis(), st.kurtosis(base), SHAPE_TOL)
    var = float(base.var()) * scale * scale  # under- or overflows like IEEE arithmetic
    assert close(m.variance(), var, 1e-12) or (np.isinf(var) and np.isinf(m.variance()))


def test_values_near_float_max_do_not_overflow_the_mean() -> None:
    x = np.array([1.7e308, 1.6e308, 1.5e308])
    m = ds.Moments(x)
    assert m.mean == pytest.approx(1.6e308, rel=1e-15)
    assert m.std() == pytest.approx(np.std(x / 1e300) * 1e300, rel=1e-12)
    assert np.isinf(m.sum)


@pytest.mark.parametrize("value", [0.0, 1.0, -3.5, 1e9 + 0.25, 1e-300, 7e300])
def test_constant_arrays(value: float) -> None:
    x = np.full(10_000, value)
    m = ds.Moments(x)
    assert m.variance() == 0.0 and m.std() == 0.0
    e = expected(x)
    assert np.isnan(m.skewness()) and np.isnan(e["skew"])
    assert np.isnan(m.kurtosis()) and np.isnan(e["kurt"])
    assert m.mean == value


def test_tiny_samples_follow_scipy() -> None:
    for x in ([1.0], [1.0, 2.0], [1.0, 2.0, 4.0], [1.0, 2.0, 4.0, 8.0]):
        a = np.array(x)
        m = ds.Moments(a)
        with np.errstate(all="ignore"):
            assert close(m.skewness(bias=False), st.skew(a, bias=False), 1e-12, scale=1.0)
            assert close(m.kurtosis(bias=False), st.kurtosis(a, bias=False), 1e-12, scale=1.0)
        assert np.isnan(m.variance(ddof=len(x)))


def test_infinities_are_counted_and_follow_numpy() -> None:
    x = np.array([1.0, np.inf, 2.0, np.nan])
    m = ds.Moments(x)
    assert (m.count, m.nan_count, m.inf_count) == (3, 1, 1)
    assert m.max == np.inf and m.min == 1.0
    assert m.mean == np.inf and m.sum == np.inf
    assert np.isnan(m.variance()) and np.isnan(m.skewness())
    both = ds.Moments([np.inf, -np.inf, 1.0])
    assert np.isnan(both.mean) and both.min == -np.inf and both.max == np.inf


def test_empty() -> None:
    m = ds.Moments(np.array([], dtype=np.float64))
    assert (m.count, m.null_count, m.sum) == (0, 0, 0.0)
    assert all(np.isnan(v) for v in (m.mean, m.min, m.max, m.variance(), m.skewness()))


def test_update_accumulates_across_calls() -> None:
    m = ds.Moments()
    m.update(np.array([1.0, 2.0]))
    m.update(pa.array([3.0, None]))
    m.update(pl.Series([4.0]))
    assert (m.count, m.null_count, m.mean) == (4, 1, 2.5)


@given(values_and_mask())
def test_bytes_and_pickle_round_trip(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, mask = data
    m = ds.Moments(pa.array(x, mask=mask))
    assert ds.Moments.from_bytes(m.to_bytes()) == m
    assert ds.Moments.from_bytes(bytearray(m.to_bytes())) == m
    assert ds.Moments.from_bytes(memoryview(m.to_bytes())) == m
    assert pickle.loads(pickle.dumps(m)) == m
    assert copy.deepcopy(m) == m and copy.copy(m) == m and m.copy() == m


@given(hst.binary(max_size=200))
def test_garbage_bytes_raise_value_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        ds.Moments.from_bytes(data)


@given(hst.data())
def test_corrupted_bytes_raise_value_error(data: hst.DataObject) -> None:
    good = ds.Moments(np.arange(100.0)).to_bytes()
    i = data.draw(hst.integers(0, len(good) - 1))
    flip = data.draw(hst.integers(1, 255))
    bad = bytearray(good)
    bad[i] ^= flip
    with pytest.raises(ds.CorruptDataError):
        ds.Moments.from_bytes(bytes(bad))
    n = data.draw(hst.integers(0, len(good) - 1))
    with pytest.raises(ValueError, match="cannot read Moments"):
        ds.Moments.from_bytes(good[:n])


def test_from_bytes_rejects_non_bytes() -> None:
    with pytest.raises(TypeError, match="bytes"):
        ds.Moments.from_bytes("not bytes")  # type: ignore[arg-type]


def test_equality_and_repr() -> None:
    a = ds.Moments([1.0, 2.0, 3.0])
    assert a == ds.Moments(np.array([1.0, 2.0, 3.0]))
    assert a != ds.Moments([1.0, 2.0])
    assert "count=3" in repr(a) and "mean=2.0" in repr(a)
    assert a.to_dict()["mean"] == 2.0
