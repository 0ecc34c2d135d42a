"""Histograms, divergences and category counts against numpy/scipy/pyarrow, in one process.

Run: python benches/bench_divergence.py [--n N]
Ratios are peer time / driftscope time: above 1 means driftscope is faster. Each side's time is
its best single call of `--repeat` (the one least disturbed by other work on the machine).
Defaults: 10M float64 values per column, a 10M-row dictionary column of 1,000 categories.
"""

from __future__ import annotations

import argparse

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.spatial.distance as ssd

import driftscope as ds
from _harness import best_time, report


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--categories", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=7, help="timed calls; the best counts")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    ref = rng.normal(size=args.n)
    cur = rng.normal(0.05, 1.02, size=args.n)

    # Both clip the current data to the reference's range differently (numpy drops what falls
    # outside, driftscope keeps it in the outer bins), so the values differ slightly.
    ours = best_time(lambda: ds.js_distance(ref, cur, bins=100), repeat=args.repeat, min_time=0.02)
    theirs = best_time(lambda: numpy_js(ref, cur), repeat=args.repeat, min_time=0.02)
    report(
        f"100-bin histogram + JS distance, {args.n:,} vs {args.n:,}",
        ("driftscope.js_distance(ref, cur, bins=100)", ours),
        [("np.histogram x2 + scipy jensenshannon", theirs, ">= 20x")],
    )

    ours = best_time(
        lambda: ds.psi(ref, cur, bins=10, binning="quantile"), repeat=args.repeat, min_time=0.02
    )
    theirs = best_time(lambda: numpy_quantile_psi(ref, cur), repeat=args.repeat, min_time=0.02)
    report(
        f"10-bin quantile PSI, {args.n:,} vs {args.n:,}",
        ("driftscope.psi(..., binning='quantile')", ours),
        [("np.quantile + np.histogram x2 + numpy PSI", theirs, ">= 10x")],
    )

    names = np.array([f"category-{i:05d}" for i in range(args.categories)])
    codes = rng.zipf(1.3, size=args.n) % args.categories
    column = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(names))
    ours = best_time(lambda: ds.CategoryCounts(column), repeat=args.repeat, min_time=0.02)
    theirs = best_time(lambda: pc.value_counts(column), repeat=args.repeat, min_time=0.02)
    report(
        f"category counts of a {args.n:,}-row dictionary column ({args.categories:,} categories)",
        ("driftscope.CategoryCounts(column)", ours),
        [("pyarrow.compute.value_counts", theirs, ">= 1x")],
    )


if __name__ == "__main__":
    main()
