"""ks_sketch: two-sample KS from two KLL sketches, against the exact test."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st
from hypothesis import given, settings
from hypothesis import strategies as hst

import driftscope as ds
from helpers import scaled


def sketch(x: np.ndarray, seed: int) -> ds.KLL:
    s = ds.KLL(200, seed=seed)
    s.update(x)
    return s


def test_equals_the_asymptotic_test_while_the_sketches_are_exact() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=150), rng.normal(0.3, 1.0, size=90)
    r = ds.ks_sketch(sketch(a, 1), sketch(b, 2))
    exact = st.ks_2samp(a, b, method="asymp")
    assert r.exact and r.error_bound == 0.0
    assert r.statistic == exact.statistic
    assert r.pvalue == pytest.approx(exact.pvalue, rel=1e-10)
    assert r.statistic_interval == (r.statistic, r.statistic)
    statistic, pvalue = r
    assert (statistic, pvalue) == (r.statistic, r.pvalue)


@settings(max_examples=scaled(15))
@given(
    seed=hst.integers(0, 2**32 - 1),
    shift=hst.sampled_from([0.0, 0.02, 0.1, 1.0]),
    scale=hst.sampled_from([1.0, 1.3]),
    sizes=hst.sampled_from([(50_000, 50_000), (200_000, 20_000), (3_000, 100_000)]),
    decimals=hst.sampled_from([None, 1]),
)
def test_exact_statistic_lies_within_the_error_bound(
    seed: int, shift: float, scale: float, sizes: tuple[int, int], decimals: int | None
) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=sizes[0])
    b = rng.normal(shift, scale, size=sizes[1])
    if decimals is not None:
        a, b = np.round(a, decimals), np.round(b, decimals)
    r = ds.ks_sketch(sketch(a, seed), sketch(b, seed + 1))
    exact = st.ks_2samp(a, b).statistic
    low, high = r.statistic_interval
    assert low <= exact <= high, (exact, r)
    assert r.error_bound == pytest.approx(
        sum(s.normalized_rank_error() for s in (sketch(a, 0), sketch(b, 0)) if s.is_estimation_mode)
    )
    p_low, p_high = r.pvalue_interval
    assert 0.0 <= p_low <= r.pvalue <= p_high <= 1.0
    assert (r.n1, r.n2) == sizes


def test_merged_partitions_and_bytes_round_trip() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=400_000), rng.normal(0.05, 1.0, size=300_000)
    parts = [sketch(part, i) for i, part in enumerate(np.array_split(a, 8))]
    merged = parts[0]
    for p in parts[1:]:
        merged.merge(p)
    other = ds.KLL.from_bytes(sketch(b, 99).to_bytes())
    r = ds.ks_sketch(merged, other)
    low, high = r.statistic_interval
    assert low <= st.ks_2samp(a, b).statistic <= high
    assert r.n1 == a.size and r.n2 == b.size


def test_empty_and_wrong_arguments() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        ds.ks_sketch(ds.KLL(), sketch(np.arange(10.0), 1))
    with pytest.raises(TypeError):
        ds.ks_sketch(np.arange(10.0), np.arange(10.0))  # type: ignore[arg-type]


def test_histogram_quantile_edges_from_a_sketch() -> None:
    rng = np.random.default_rng(9)
    ref = rng.normal(size=500_000)
    s = sketch(ref, 3)
    h = ds.Histogram.from_kll(s, bins=10)
    exact = np.quantile(ref, np.linspace(0, 1, 11))
    assert h.edges[0] == ref.min() and h.edges[-1] == ref.max()
    # each inner edge within the sketch's rank error of the exact quantile
    ranks = np.searchsorted(np.sort(ref), h.edges[1:-1]) / ref.size
    assert np.all(np.abs(ranks - np.linspace(0.1, 0.9, 9)) <= s.normalized_rank_error())
    assert np.allclose(h.edges, exact, atol=0.05)
    cur = h.bin(rng.normal(0.5, 1.0, size=100_000))
    assert cur.count == 100_000 and cur.num_bins == 10
    with pytest.raises(ValueError):
        ds.Histogram.from_kll(ds.KLL(), bins=10)
