"""Divergences and contingency tests on count vectors: parity with scipy, properties, errors."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import scipy.spatial.distance as ssd
import scipy.stats as st
from hypothesis import assume, given
from hypothesis import strategies as hst
from hypothesis.extra import numpy as hnp

import driftscope as ds

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


def close(a: float, b: float, rtol: float = 1e-12, atol: float = 1e-15) -> bool:
    if a == b:
        return True
    return abs(a - b) <= max(rtol * max(abs(a), abs(b)), atol)


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
        ([1, float("nan")], [1, 2], "NaN"),
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
