"""Histograms, divergences and category counts against numpy/scipy/pyarrow, in one process.

Run: python -m pytest benches/bench_divergence.py --benchmark-only [--bench-n N]
Defaults: 10M float64 values per column, a 10M-row dictionary column of 1,000 categories.
Each side's time is its best single call of 7 (the one least disturbed by other work on the
machine): rounds of one call wherever a call takes 5 ms or more.
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest
import scipy.spatial.distance as ssd

import driftscope as ds

BEST_SINGLE_CALL = {"repeat": 7, "min_time": 0.02}
js = pytest.mark.benchmark(group="js_distance")
psi = pytest.mark.benchmark(group="psi quantile")
category_counts = pytest.mark.benchmark(group="category counts")


def numpy_js(ref: np.ndarray, cur: np.ndarray) -> float:
    """The peer pipeline: bin both columns on the reference's 100 bins, then scipy's JS."""
    p, edges = np.histogram(ref, bins=100)
    q, _ = np.histogram(cur, bins=edges)
    return float(ssd.jensenshannon(p, q))


def numpy_quantile_psi(ref: np.ndarray, cur: np.ndarray, eps: float = 1e-4) -> float:
    """The peer pipeline: 10 quantile bins of the reference, both histograms, PSI in numpy."""
    edges = np.quantile(ref, np.linspace(0.0, 1.0, 11))
    p = np.histogram(ref, bins=edges)[0] / ref.size
    q = np.histogram(cur, bins=edges)[0] / cur.size
    p, q = np.maximum(p, eps), np.maximum(q, eps)
    return float(np.sum((q - p) * np.log(q / p)))


# Both clip the current data to the reference's range differently (numpy drops what falls
# outside, driftscope keeps it in the outer bins), so the values differ slightly.
@js
def test_js_driftscope(bench, ref, drifted):
    bench.ours(
        "driftscope.js_distance(ref, cur, bins=100)",
        lambda: ds.js_distance(ref, drifted, bins=100),
        title=f"100-bin histogram + JS distance, {ref.size:,} vs {drifted.size:,}",
        **BEST_SINGLE_CALL,
    )


@js
def test_js_numpy_scipy(bench, ref, drifted):
    bench.peer(
        "np.histogram x2 + scipy jensenshannon",
        lambda: numpy_js(ref, drifted),
        target=20,
        **BEST_SINGLE_CALL,
    )


@psi
def test_psi_driftscope(bench, ref, drifted):
    bench.ours(
        "driftscope.psi(..., binning='quantile')",
        lambda: ds.psi(ref, drifted, bins=10, binning="quantile"),
        title=f"10-bin quantile PSI, {ref.size:,} vs {drifted.size:,}",
        **BEST_SINGLE_CALL,
    )


@psi
def test_psi_numpy(bench, ref, drifted):
    bench.peer(
        "np.quantile + np.histogram x2 + numpy PSI",
        lambda: numpy_quantile_psi(ref, drifted),
        target=10,
        **BEST_SINGLE_CALL,
    )


@category_counts
def test_category_counts_driftscope(bench, categories):
    bench.ours(
        "driftscope.CategoryCounts(column)",
        lambda: ds.CategoryCounts(categories),
        title=f"category counts of a {len(categories):,}-row dictionary column "
        f"({len(categories.dictionary):,} categories)",
        **BEST_SINGLE_CALL,
    )


@category_counts
def test_category_counts_pyarrow(bench, categories):
    bench.peer(
        "pyarrow.compute.value_counts",
        lambda: pc.value_counts(categories),
        target=1,
        **BEST_SINGLE_CALL,
    )
