"""Divergences and contingency tests on count vectors: parity with scipy, properties, errors."""

from __future__ import annotations

import math
import pickle
from collections import Counter
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
import scipy.spatial.distance as ssd
import scipy.stats as st
from hypothesis import assume, example, given
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import driftscope as ds
from helpers import close

MEASURES = [
    ds.psi,
    ds.kl_divergence,
    ds.js_divergence,
    ds.js_distance,
    ds.hellinger,
    ds.tvd,
    ds.linf,
    ds.bhattacharyya,
]


@hst.composite
def count_pair(draw: hst.DrawFn, positive: bool = False) -> tuple[np.ndarray, np.ndarray]:
    k = draw(hst.integers(1, 40))
    lo = 1 if positive else 0
    elements = hst.integers(lo, 1000).map(float)
    p = draw(hnp.arrays(np.float64, k, elements=elements))
    q = draw(hnp.arrays(np.float64, k, elements=elements))
    assume(p.sum() > 0 and q.sum() > 0)
    return p, q


@given(count_pair(), hst.sampled_from([None, 2.0, 10.0]))
def test_js_distance_equals_scipy_jensenshannon(
    pq: tuple[np.ndarray, np.ndarray], base: float | None
) -> None:
    p, q = pq
    expected = ssd.jensenshannon(p, q, base=base)
    assert close(ds.js_distance(p, q, base=base), expected), (ds.js_distance(p, q), expected)
    assert close(ds.js_divergence(p, q, base=base), expected**2, 1e-12, 1e-15)


@given(count_pair(), hst.sampled_from([None, 2.0, 10.0]))
def test_kl_divergence_equals_scipy_entropy(
    pq: tuple[np.ndarray, np.ndarray], base: float | None
) -> None:
    p, q = pq
    with np.errstate(divide="ignore"):
        expected = st.entropy(p, q, base=base)
    assert close(ds.kl_divergence(p, q, base=base, smoothing=None), expected)


@given(count_pair(positive=True))
def test_smoothing_leaves_strictly_positive_counts_alone(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    for f in MEASURES:
        assert f(p, q) == f(p, q, smoothing=None), f.__name__
    pp, qq = p / p.sum(), q / q.sum()
    assert close(ds.kl_divergence(p, q), st.entropy(p, q))
    assert close(ds.psi(p, q), float(np.sum((qq - pp) * np.log(qq / pp))), 1e-12, 1e-14)
    assert close(
        ds.hellinger(p, q), math.sqrt(0.5 * np.sum((np.sqrt(pp) - np.sqrt(qq)) ** 2)), 1e-12, 1e-14
    )
    assert close(ds.tvd(p, q), 0.5 * float(np.abs(pp - qq).sum()), 1e-12, 1e-15)
    assert close(ds.linf(p, q), float(np.abs(pp - qq).max()), 1e-12, 1e-15)
    assert close(ds.bhattacharyya(p, q), -math.log(float(np.sqrt(pp * qq).sum())), 1e-9, 1e-12)


@given(count_pair())
def test_properties(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    for f in MEASURES:
        assert f(p, p) == 0.0, f.__name__
        v = f(p, q)
        assert math.isfinite(v) and v >= 0.0, (f.__name__, v)
        if f is not ds.kl_divergence:
            assert close(v, f(q, p), 1e-12, 1e-15), f.__name__
    for f in (ds.hellinger, ds.tvd, ds.linf):
        assert 0.0 <= f(p, q) <= 1.0
    assert 0.0 <= ds.js_distance(p, q, base=2) <= 1.0


def test_empty_bins_are_finite_by_default_and_raw_on_request() -> None:
    p, q = [10, 0, 5], [0, 7, 5]
    for f in MEASURES:
        assert math.isfinite(f(p, q)), f.__name__
    assert ds.kl_divergence(p, q, smoothing=None) == math.inf
    assert ds.psi(p, q, smoothing=None) == math.inf
    assert ds.psi(p, q, smoothing=1e-3) != ds.psi(p, q)


def test_terms_explain_the_value() -> None:
    p, q = [10, 20, 30, 40], [40, 30, 20, 10]
    d = ds.psi(p, q)
    assert d.measure == "psi" and len(d.terms) == 4
    assert close(sum(d.terms), d)
    assert pickle.loads(pickle.dumps(d)) == d
    assert pickle.loads(pickle.dumps(d)).terms == d.terms


@given(count_pair(positive=True), hst.booleans())
def test_chi2_and_g_test_equal_scipy(pq: tuple[np.ndarray, np.ndarray], g: bool) -> None:
    p, q = pq
    table = np.vstack([p, q])
    lambda_ = "log-likelihood" if g else None
    expected = st.chi2_contingency(table, correction=False, lambda_=lambda_)
    ours = (ds.g_test if g else ds.chi2_test)(p, q)
    assert close(ours.statistic, expected.statistic, 1e-12, 1e-12)
    assert close(ours.pvalue, expected.pvalue, 1e-10, 1e-300)
    assert ours.dof == expected.dof
    assert np.allclose(ours.expected_freq, expected.expected_freq, rtol=1e-12)
    statistic, pvalue, dof, freq = ours
    assert (statistic, pvalue, dof) == (ours.statistic, ours.pvalue, ours.dof)
    assert freq is ours.expected_freq


def test_chi2_drops_columns_empty_in_both_rows() -> None:
    ours = ds.chi2_test([10, 0, 5, 3], [7, 0, 9, 1])
    expected = st.chi2_contingency(np.array([[10, 5, 3], [7, 9, 1]]), correction=False)
    assert ours.dropped == 1 and ours.dof == expected.dof
    assert close(ours.statistic, expected.statistic)
    assert close(ours.pvalue, expected.pvalue, 1e-10)


@pytest.mark.parametrize(
    ("p", "q", "message"),
    [
        ([1, 2], [1, 2, 3], "length"),
        ([1, -2], [1, 2], "negative"),
        ([0, 0], [1, 2], "zero"),
        ([1, float("nan")], [1, 2], "is nan"),
        ([[1, 2]], [[1, 2]], "1-D"),
    ],
)
def test_bad_counts_raise_value_error(p: object, q: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ds.psi(p, q)


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="smoothing"):
        ds.psi([1, 2], [2, 1], smoothing=2.0)
    with pytest.raises(ValueError, match="smoothing"):
        ds.psi([1, 2], [2, 1], smoothing="lots")
    with pytest.raises(TypeError, match="counts"):
        ds.psi(["a", "b"], [2, 1])


# --- raw columns --------------------------------------------------------------------------

CONTINGENCY = [ds.chi2_test, ds.g_test]
samples = hnp.arrays(
    np.float64,
    hst.integers(2, 300),
    elements=hst.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)


def padded_counts(ref: np.ndarray, cur: np.ndarray, edges: np.ndarray) -> tuple[Any, Any]:
    """np.histogram counts with the two open outer bins added, as the raw path bins them."""

    def counts(x: np.ndarray) -> np.ndarray:
        inner = np.histogram(x, bins=edges)[0]
        return np.concatenate([[np.sum(x < edges[0])], inner, [np.sum(x > edges[-1])]])

    return counts(ref).astype(float), counts(cur).astype(float)


@given(samples, samples, hst.integers(1, 30), hst.sampled_from(["uniform", "quantile"]))
def test_raw_columns_equal_count_vectors_from_numpy(
    ref: np.ndarray, cur: np.ndarray, bins: int, binning: str
) -> None:
    if binning == "quantile":
        edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)))
        if edges.size == 1:
            edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
    else:
        edges = np.histogram_bin_edges(ref, bins=bins)
    p, q = padded_counts(ref, cur, edges)
    for f in MEASURES:
        d = f(ref, cur, bins=bins, binning=binning)
        assert close(d, f(p, q), 1e-12, 1e-15), f.__name__
        assert isinstance(d.reference, ds.Histogram) and isinstance(d.current, ds.Histogram)
        np.testing.assert_allclose(d.edges, edges, rtol=1e-14, atol=0)
        assert len(d.terms) == len(edges) + 1
        assert d.reference.count == ref.size and d.current.count == cur.size
    for t in CONTINGENCY:
        r = t(ref, cur, bins=bins, binning=binning)
        expected = t(p, q)
        assert close(r.statistic, expected.statistic, 1e-12, 1e-12)
        assert r.dof == expected.dof and r.dropped == expected.dropped
        assert isinstance(r.reference, ds.Histogram)


def test_raw_js_distance_equals_scipy_on_numpy_histograms() -> None:
    rng = np.random.default_rng(5)
    ref, cur = rng.normal(size=50_000), rng.normal(0.1, 1.1, size=40_000)
    edges = np.histogram_bin_edges(ref, bins=100)
    p, q = padded_counts(ref, cur, edges)
    d = ds.js_distance(ref, cur, bins=100, base=2)
    assert close(d, ssd.jensenshannon(p, q, base=2), 1e-12)
    # The current data reaches beyond the reference's range: the outer bins hold it.
    assert d.current.underflow + d.current.overflow > 0
    assert ds.js_distance(ref, cur, bins=edges, base=2) == d
    hist = ds.Histogram(ref, bins=100)
    assert ds.js_distance(hist, cur, base=2) == d
    assert ds.js_distance(hist, hist.bin(cur), base=2) == d


@given(samples, samples)
# Found by hypothesis: a reference spanning one ulp cannot hold 10 equal bins.
@example(ref=np.array([5e-324, 0.0]), cur=np.array([0.0, 0.0]))
def test_raw_properties(ref: np.ndarray, cur: np.ndarray) -> None:
    for f in MEASURES:
        assert f(ref, ref, bins=10) == 0.0, f.__name__
        v = f(ref, cur, bins=10)
        assert math.isfinite(v) and v >= 0.0, f.__name__
    # Symmetric measures are symmetric in the count vectors; with raw columns the edges come
    # from the reference, so swap the histograms rather than the columns.
    h = ds.Histogram(ref, bins=10)
    a, b = h.bin(ref), h.bin(cur)
    for f in MEASURES:
        if f not in (ds.kl_divergence, ds.psi):
            assert close(f(a, b), f(h.bin(cur), h.bin(ref)), 1e-12, 1e-15)
    for f in (ds.hellinger, ds.tvd, ds.linf):
        assert 0.0 <= f(ref, cur, bins=10) <= 1.0
    assert 0.0 <= ds.js_distance(ref, cur, bins=10, base=2) <= 1.0 + 1e-15


DEGENERATE = {
    "constant at 0": np.zeros(50),
    "constant at 4.5e15": np.full(50, 4.5e15),  # v ± 0.5 rounds back to v
    "constant at 1e300": np.full(50, 1e300),
    "constant at -f64 max": np.full(50, -np.finfo(float).max),
    "one ulp": np.array([5e-324, 0.0] * 25),
    "three ulps at 1": np.nextafter(1.0, 2.0) ** np.arange(4).repeat(12)[:48],
    "two ulps at 1e300": np.array([1e300, np.nextafter(1e300, 2e300)] * 25),
}


@pytest.mark.parametrize("name", sorted(DEGENERATE))
@pytest.mark.parametrize("binning", [{"bins": 10}, {"bins": "fd"}, {"binning": "quantile"}])
def test_degenerate_reference_ranges_give_finite_measures(
    name: str, binning: dict[str, Any]
) -> None:
    """A constant reference, or one spanning a few ulps, gets fewer bins (never an error), so
    every measure is a number: 0 against itself, and large for a current that moved away."""
    ref = DEGENERATE[name]
    h = ds.Histogram(ref, **binning)
    assert 1 <= h.num_bins and np.all(np.diff(h.edges) > 0) and np.all(np.isfinite(h.edges))
    assert h.interior_counts.sum() == ref.size and h.underflow == h.overflow == 0
    moved = np.where(ref == 0, 1.0, ref * 0.5)
    for f in MEASURES:
        assert f(ref, ref, **binning) == 0.0, f.__name__
        same = f(ref, ref.copy()[::-1], **binning)
        assert same == 0.0, f.__name__
        far = f(ref, moved, **binning)
        assert math.isfinite(far) and far > 0.1, (f.__name__, far)
    for t in CONTINGENCY:
        r = t(ref, moved, **binning)
        assert math.isfinite(r.statistic) and r.pvalue < 1e-6


cats = hst.lists(hst.sampled_from(["a", "b", "c", "d", "e"]), min_size=1, max_size=200)


@given(cats, cats)
def test_categorical_columns_align_on_the_reference(ref: list[str], cur: list[str]) -> None:
    rc, cc = Counter(ref), Counter(cur)
    labels = list(rc) + [c for c in cc if c not in rc]
    p = np.array([rc[c] for c in labels], dtype=float)
    q = np.array([cc[c] for c in labels], dtype=float)
    for f in MEASURES:
        d = f(pa.array(ref), pa.array(cur))
        assert close(d, f(p, q), 1e-12, 1e-15), f.__name__
        assert d.labels == tuple(labels)
        assert isinstance(d.reference, ds.CategoryCounts) and d.edges is None
        assert f(ref, ref) == 0.0
    chi = ds.chi2_test(ref, cur)
    assert close(chi.statistic, ds.chi2_test(p, q).statistic, 1e-12, 1e-12)


def test_unseen_categories_get_their_own_bins() -> None:
    ref = pa.array(["a", "b", "a", None]).dictionary_encode()
    cur = pl.Series(["a", "new", "new", "b"], dtype=pl.Categorical)
    d = ds.psi(ref, cur)
    assert d.labels == ("a", "b", "new")
    assert math.isfinite(d) and d > 0
    assert d.current.to_dict() == {"a": 1, "new": 2, "b": 1}
    # Against a fixed domain the unseen values are examples, still one bin each.
    domain = ds.CategoryCounts(["a", "b", "a"]).top_k()
    d2 = ds.psi(domain, ["a", "new", "new", "b"])
    assert d2.labels == ("a", "b", "new") and close(d2, d)
    assert d2.current.unseen() == [("new", 2)]
    # A reference cut to its top k keeps an "other" bin.
    d3 = ds.tvd(ds.CategoryCounts(["a", "a", "b", "c"]).top_k(1), ["a", "c"])
    assert d3.labels == ("a", "c", None)  # the README's order: reference, new, then other
    # Integer codes are categories on request; booleans always.
    codes = ds.tvd([1, 2, 2], [2, 3], bins="categories")
    assert codes.labels == (1, 2, 3) and close(codes, 0.5)
    assert ds.tvd(np.array([True, False]), np.array([True, True])) == 0.5


def test_raw_vs_counts_rule() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y = np.array([4.0, 3.0, 2.0, 1.0])
    # Plain numeric arrays are count vectors unless bins= or binning= says otherwise.
    assert ds.tvd(x, y).reference is None
    assert close(ds.tvd(x, y), 0.4)
    assert ds.tvd(x, y, bins=2) == 0.0
    assert isinstance(ds.tvd(x, y, binning="quantile").reference, ds.Histogram)
    with pytest.raises(TypeError, match="not a vector of counts"):
        ds.tvd(["a", "b"], x)
    with pytest.raises(ValueError, match="categories"):
        ds.tvd(["a"], ["b"], bins=3)
    with pytest.raises(ValueError, match="fixes the bins"):
        ds.tvd(ds.Histogram(x, bins=2), y, bins=3)
    with pytest.raises(TypeError, match="same kind"):
        ds.tvd(x, ds.Histogram(x, bins=2))
    with pytest.raises(TypeError, match="same kind"):
        ds.tvd(ds.Histogram(x, bins=2), ds.CategoryCounts(["a"]))
    with pytest.raises(ValueError, match="different edges"):
        ds.tvd(ds.Histogram(x, bins=2), ds.Histogram(x, bins=3))
    with pytest.raises(ValueError):
        ds.tvd(np.array([np.nan]), x, bins=3)


def test_raw_results_pickle_and_serialize() -> None:
    d = ds.js_distance(np.arange(100.0), np.arange(50.0), bins=5)
    back = pickle.loads(pickle.dumps(d))
    assert back == d and back.reference == d.reference and back.current == d.current
    r = ds.chi2_test(["a", "b", "b"], ["b", "c"])
    out = r.to_dict()
    assert out["labels"] == ["a", "b", "c"]
    assert out["reference"] == {"a": 1, "b": 2}
    assert ds.chi2_test([1, 2], [2, 1]).to_dict()["reference"] is None
