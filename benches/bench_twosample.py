"""Exact two-sample tests against scipy, on the same data in one process.

Run: python -m pytest benches/bench_twosample.py --benchmark-only [--bench-n N]
Defaults: 10M vs 10M normal float64 for KS and Wasserstein, a 100k batch against a 10M
reference for the ECDF, 1M vs 1M for Cramér–von Mises and Anderson–Darling.
"""

from __future__ import annotations

import pytest
import scipy.stats as st

import driftscope as ds

ks = pytest.mark.benchmark(group="ks_2samp")
ecdf_ks = pytest.mark.benchmark(group="ECDF.ks")
ecdf_cvm = pytest.mark.benchmark(group="ECDF.cvm")
ecdf_energy = pytest.mark.benchmark(group="ECDF.energy")
wasserstein = pytest.mark.benchmark(group="wasserstein_distance")
cvm = pytest.mark.benchmark(group="cramervonmises_2samp")
anderson = pytest.mark.benchmark(group="anderson_ksamp")
# Both cap the p-value to [0.001, 0.25] with a UserWarning, which the old script ignored too.
p_value_capped = pytest.mark.filterwarnings("ignore:p-value (capped|floored):UserWarning")


@pytest.fixture(scope="module")
def ecdf(ref):
    return ds.ECDF(ref)


@pytest.fixture(scope="module")
def small(batch):
    return batch[:1_000]


@pytest.fixture(scope="module")
def x(ref, sizes):
    return ref[: sizes.n_small]


@pytest.fixture(scope="module")
def y(shifted, sizes):
    return shifted[: sizes.n_small]


@ks
def test_ks_2samp_driftscope(bench, ref, shifted):
    bench.ours(
        "driftscope.ks_2samp",
        lambda: ds.ks_2samp(ref, shifted),
        title=f"ks_2samp, {ref.size:,} vs {shifted.size:,}",
        repeat=3,
    )


@ks
def test_ks_2samp_scipy(bench, ref, shifted):
    bench.peer("scipy.stats.ks_2samp", lambda: st.ks_2samp(ref, shifted), target=15, repeat=2)


@ecdf_ks
def test_ecdf_ks_driftscope(bench, ecdf, batch):
    bench.ours(
        "driftscope ECDF.ks",
        lambda: ecdf.ks(batch),
        title=f"ECDF(ref {ecdf.n:,}).ks(batch {batch.size:,})",
    )


@ecdf_ks
def test_ecdf_ks_scipy(bench, ref, batch):
    bench.peer(
        "scipy.stats.ks_2samp(ref, batch)", lambda: st.ks_2samp(ref, batch), target=200, repeat=3
    )


@ecdf_cvm
def test_ecdf_cvm_driftscope(bench, ecdf, batch):
    bench.ours(
        "driftscope ECDF.cvm",
        lambda: ecdf.cvm(batch),
        title=f"ECDF(ref {ecdf.n:,}).cvm(batch {batch.size:,})",
    )


@ecdf_cvm
def test_ecdf_cvm_scipy(bench, ref, batch):
    bench.peer(
        "scipy.stats.cramervonmises_2samp(ref, batch)",
        lambda: st.cramervonmises_2samp(ref, batch),
        repeat=1,
    )


@ecdf_energy
def test_ecdf_energy_driftscope(bench, ecdf, small):
    ecdf.energy(small)  # builds the reference's gap sums once, outside the timing
    bench.ours(
        "driftscope ECDF.energy",
        lambda: ecdf.energy(small),
        title=f"ECDF(ref {ecdf.n:,}).energy(batch {small.size:,})",
    )


@ecdf_energy
def test_ecdf_energy_scipy(bench, ref, small):
    bench.peer(
        "scipy.stats.energy_distance(ref, batch)",
        lambda: st.energy_distance(ref, small),
        repeat=1,
    )


@wasserstein
def test_wasserstein_driftscope(bench, ref, shifted):
    bench.ours(
        "driftscope.wasserstein_distance",
        lambda: ds.wasserstein_distance(ref, shifted),
        title=f"wasserstein_distance, {ref.size:,} vs {shifted.size:,}",
        repeat=3,
    )


@wasserstein
def test_wasserstein_scipy(bench, ref, shifted):
    bench.peer(
        "scipy.stats.wasserstein_distance",
        lambda: st.wasserstein_distance(ref, shifted),
        target=30,
        repeat=1,
    )


@cvm
def test_cramervonmises_driftscope(bench, x, y):
    bench.ours(
        "driftscope.cramervonmises_2samp",
        lambda: ds.cramervonmises_2samp(x, y),
        title=f"cramervonmises_2samp, {x.size:,} vs {y.size:,}",
        repeat=3,
    )


@cvm
def test_cramervonmises_scipy(bench, x, y):
    bench.peer(
        "scipy.stats.cramervonmises_2samp",
        lambda: st.cramervonmises_2samp(x, y),
        target=5,
        repeat=2,
    )


@anderson
@p_value_capped
def test_anderson_driftscope(bench, x, y):
    bench.ours(
        "driftscope.anderson_ksamp",
        lambda: ds.anderson_ksamp([x, y]),
        title=f"anderson_ksamp, {x.size:,} vs {y.size:,}",
        repeat=3,
    )


@anderson
@p_value_capped
# scipy 1.17 asks for `variant` when it is not given; called as the old script called it.
@pytest.mark.filterwarnings("ignore:Parameter `variant` has been introduced:UserWarning")
def test_anderson_scipy(bench, x, y):
    bench.peer("scipy.stats.anderson_ksamp", lambda: st.anderson_ksamp([x, y]), target=5, repeat=2)
