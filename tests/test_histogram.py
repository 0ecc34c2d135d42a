"""Histogram: parity with np.histogram, outer bins, nulls/NaN, merge law, bytes, errors."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import driftscope as ds

finite = hst.floats(-1e300, 1e300, allow_nan=False, allow_infinity=False)
# References whose constant value v still has v ± 0.5 and 1/40-wide bins representable;
# huge magnitudes are tested on their own below.
moderate = hst.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False, allow_subnormal=False)
anything = hst.one_of(
    finite,
    hst.sampled_from([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, 1e300, -1e300]),
)


def check_against_numpy(h: ds.Histogram, x: np.ndarray) -> None:
    """Interior counts equal np.histogram over the same edges; outer bins hold the rest."""
    edges = h.edges
    valid = x[~np.isnan(x)]
    expected, _ = np.histogram(valid[np.isfinite(valid)], bins=edges)
    below = int(np.sum(valid < edges[0]))
    above = int(np.sum(valid > edges[-1]))
    # ±inf are outside every finite edge: numpy drops them, we keep them in the outer bins.
    np.testing.assert_array_equal(h.interior_counts, expected)
    assert h.underflow == below
    assert h.overflow == above
    np.testing.assert_array_equal(h.counts, np.concatenate([[below], expected, [above]]))
    assert h.nan_count == int(np.isnan(x).sum())
    assert h.count == valid.size


@given(hnp.arrays(np.float64, hst.integers(1, 300), elements=anything), hst.integers(1, 40))
def test_counts_equal_numpy_histogram_on_reference_edges(x: np.ndarray, bins: int) -> None:
    fin = x[np.isfinite(x)]
    try:
        edges = np.histogram_bin_edges(fin, bins=bins)
    except ValueError:
        # numpy cannot make finite-sized bins (a span of a few ulps, or a constant 4.5e15
        # where v ± 0.5 rounds to v): we make fewer bins instead (documented), so that a drift
        # measure on such a column is a number.
        h = ds.Histogram(x, bins=bins)
        assert 1 <= h.num_bins < bins or fin.min() == fin.max()
        assert np.all(np.isfinite(h.edges)) and np.all(np.diff(h.edges) > 0)
        assert h.edges[0] <= fin.min() and fin.max() <= h.edges[-1]
        assert h.underflow == int(np.sum(x == -np.inf)) and h.overflow == int(np.sum(x == np.inf))
        check_against_numpy(h, x)
        return
    h = ds.Histogram(x, bins=bins)
    assert h.num_bins == bins
    np.testing.assert_array_equal(h.edges, edges)
    check_against_numpy(h, x)


@given(
    hnp.arrays(np.float64, hst.integers(1, 200), elements=moderate),
    hnp.arrays(np.float64, hst.integers(0, 200), elements=anything),
    hst.integers(1, 20),
)
def test_current_data_binned_on_reference_edges(
    ref: np.ndarray, cur: np.ndarray, bins: int
) -> None:
    h = ds.Histogram(ref, bins=bins)
    c = h.bin(cur)
    np.testing.assert_array_equal(c.edges, h.edges)
    check_against_numpy(c, cur)


def test_values_exactly_on_edges() -> None:
    edges = [0.0, 1.0, 2.0, 3.0]
    x = np.array([0.0, 1.0, 2.0, 3.0, 3.0, -1e-300, 3.0000000000000004, np.nextafter(3.0, 4)])
    h = ds.Histogram(bins=edges)
    h.update(x)
    np.testing.assert_array_equal(h.interior_counts, np.histogram(x, bins=edges)[0])
    # The last interior bin is closed on the right, as in numpy: 3.0 counts in it.
    assert list(h.counts) == [1, 1, 1, 3, 2]


def test_inf_nan_and_nulls_are_kept_apart() -> None:
    h = ds.Histogram(np.array([0.0, 10.0]), bins=5)
    h.update(pa.array([np.inf, -np.inf, None, np.nan, 5.0, None, 1e300], type=pa.float64()))
    assert h.underflow == 1 + 0
    assert h.overflow == 2  # +inf and 1e300
    assert h.null_count == 2
    assert h.nan_count == 1
    assert h.count == 2 + 4  # the reference's two values, then -inf, 5, +inf and 1e300


def test_constant_and_single_value_references() -> None:
    h = ds.Histogram(np.full(100, 7.0), bins=4)
    np.testing.assert_array_equal(h.edges, np.histogram_bin_edges(np.full(100, 7.0), bins=4))
    assert h.counts.sum() == 100
    one = ds.Histogram([42.0], bins=3)
    np.testing.assert_array_equal(one.edges, np.histogram_bin_edges([42.0], bins=3))
    assert int(one.interior_counts.sum()) == 1


def test_huge_magnitudes() -> None:
    x = np.array([-1e300, 0.0, 1e300, 5e299])
    h = ds.Histogram(x, bins=10)
    check_against_numpy(h, x)
    assert np.isfinite(h.edges).all()


@pytest.mark.parametrize(
    "rule", ["auto", "fd", "doane", "scott", "stone", "rice", "sturges", "sqrt"]
)
def test_numpy_rules(rule: str) -> None:
    x = np.random.default_rng(1).gamma(2.0, size=2000)
    h = ds.Histogram(x, bins=rule)
    np.testing.assert_allclose(h.edges, np.histogram_bin_edges(x, bins=rule), rtol=1e-12)
    check_against_numpy(h, x)


def test_quantile_binning_and_width() -> None:
    x = np.random.default_rng(2).normal(size=10_001)
    q = ds.Histogram(x, bins=10, binning="quantile")
    np.testing.assert_allclose(q.edges, np.quantile(x, np.linspace(0, 1, 11)), rtol=1e-15)
    counts = q.interior_counts
    assert counts.min() >= 999 and counts.max() <= 1002
    w = ds.Histogram(np.array([0.0, 10.0]), width=3.0)
    assert w.num_bins == 4
    assert w.edges[0] == 0.0 and w.edges[-1] == 10.0


def test_integer_boolean_and_arrow_inputs() -> None:
    ints = np.arange(100, dtype=np.int32)
    h = ds.Histogram(ints, bins=7)
    check_against_numpy(h, ints.astype(float))
    assert ds.Histogram(pa.chunked_array([ints[:50], ints[50:]]), bins=7) == h


@given(
    hnp.arrays(np.float64, hst.integers(1, 100), elements=moderate),
    hnp.arrays(np.float64, hst.integers(0, 100), elements=anything),
    hnp.arrays(np.float64, hst.integers(0, 100), elements=anything),
)
def test_merge_law(ref: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
    h = ds.Histogram(ref, bins=8)
    merged = h.bin(a).merge(h.bin(b))
    assert merged == h.bin(np.concatenate([a, b]))
    streamed = h.empty_like()
    streamed.update(a)
    streamed.update(b)
    assert streamed == merged


def test_merge_rejects_different_edges() -> None:
    a = ds.Histogram(bins=[0.0, 1.0, 2.0])
    b = ds.Histogram(bins=[0.0, 1.0, 3.0])
    with pytest.raises(ValueError, match="different edges"):
        a.merge(b)
    with pytest.raises(ds.IncompatibleError):
        a.merge(b)


def test_bytes_pickle_copy_eq() -> None:
    h = ds.Histogram(np.random.default_rng(3).normal(size=1000), bins=12)
    h.update(pa.array([None, np.nan, np.inf]))
    assert ds.Histogram.from_bytes(h.to_bytes()) == h
    assert ds.Histogram.from_bytes(bytearray(h.to_bytes())) == h
    assert pickle.loads(pickle.dumps(h)) == h
    assert copy.deepcopy(h) == h
    other = h.copy()
    other.update([0.0])
    assert other != h
    assert "Histogram(bins=12" in repr(h)
    d = h.to_dict()
    assert d["counts"] == h.counts.tolist() and d["null_count"] == 1


def test_corrupted_bytes_raise_value_error() -> None:
    blob = bytearray(ds.Histogram([1.0, 2.0, 3.0], bins=3).to_bytes())
    for i in range(len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x41
        with pytest.raises(ValueError):
            ds.Histogram.from_bytes(bytes(bad))
    for cut in range(len(blob)):
        with pytest.raises(ValueError):
            ds.Histogram.from_bytes(bytes(blob[:cut]))
    with pytest.raises(ds.CorruptDataError):
        ds.Histogram.from_bytes(b"garbage")
    with pytest.raises(TypeError):
        ds.Histogram.from_bytes("not bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"bins": 0}, ValueError, "positive"),
        ({"bins": -3}, ValueError, "positive"),
        ({"bins": "nope"}, ValueError, "not a bin rule"),
        ({"bins": True}, TypeError, "bool"),
        ({"bins": [1.0, 0.0]}, ValueError, "increase"),
        ({"bins": [0.0, np.inf]}, ValueError, "finite"),
        ({"bins": "fd", "binning": "quantile"}, ValueError, "quantile"),
        ({"binning": "log"}, ValueError, "binning"),
        ({"width": -1.0}, ValueError, "width"),
        ({"width": 1.0, "bins": 3}, ValueError, "width"),
        ({"bins": {"a": 1}}, TypeError, "bins must be"),
    ],
)
def test_bad_options(kwargs: dict[str, object], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        ds.Histogram(np.arange(10.0), **kwargs)  # type: ignore[arg-type]


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="explicit edges"):
        ds.Histogram()
    with pytest.raises(TypeError, match="needs numbers"):
        ds.Histogram(pa.array(["a", "b"]))
    h = ds.Histogram(bins=[0.0, 1.0])
    with pytest.raises(TypeError):
        h.update("abc")


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (lambda: ds.Histogram(np.array([0.0, 1.0]), width=5e-324), "a bin width of 5e-324 over"),
        (lambda: ds.Histogram(bins=[0.0, 1e-320, 5e-324]), "edge 2 (5e-324) follows 1e-320"),
        (lambda: ds.Histogram(bins=[0.0, float("inf")]), "edge 1 is inf"),
    ],
)
def test_messages_print_numbers_as_people_read_them(make: Any, shown: str) -> None:
    """Values in messages are the shortest round-trip form (as Python's repr), not 300 digits."""
    with pytest.raises(ValueError) as info:
        make()
    assert shown in str(info.value)
    assert len(str(info.value)) < 200
