"""Exact two-sample tests against scipy, on the same data in one process.

Run: python benches/bench_twosample.py [--n N] [--batch M] [--n-small K]
Ratios are scipy time / driftscope time: above 1 means driftscope is faster.
Defaults: 10M vs 10M normal float64 for KS and Wasserstein, a 100k batch against a 10M
reference for the ECDF, 1M vs 1M for Cramér–von Mises and Anderson–Darling.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import scipy.stats as st

import driftscope as ds
from _harness import best_time, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--n-small", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    a = rng.normal(size=args.n)
    b = rng.normal(0.001, 1.0, size=args.n)
    batch = rng.normal(size=args.batch)

    ours = best_time(lambda: ds.ks_2samp(a, b), repeat=3)
    theirs = best_time(lambda: st.ks_2samp(a, b), repeat=2)
    report(
        f"ks_2samp, {args.n:,} vs {args.n:,}",
        ("driftscope.ks_2samp", ours),
        [("scipy.stats.ks_2samp", theirs, ">= 15x")],
    )

    ecdf = ds.ECDF(a)
    ours = best_time(lambda: ecdf.ks(batch))
    theirs = best_time(lambda: st.ks_2samp(a, batch), repeat=3)
    report(
        f"ECDF(ref {args.n:,}).ks(batch {args.batch:,})",
        ("driftscope ECDF.ks", ours),
        [("scipy.stats.ks_2samp(ref, batch)", theirs, ">= 200x")],
    )

    ours = best_time(lambda: ecdf.cvm(batch))
    theirs = best_time(lambda: st.cramervonmises_2samp(a, batch), repeat=1)
    report(
        f"ECDF(ref {args.n:,}).cvm(batch {args.batch:,})",
        ("driftscope ECDF.cvm", ours),
        [("scipy.stats.cramervonmises_2samp(ref, batch)", theirs, "-")],
    )

    small = batch[:1_000]
    ecdf.energy(small)  # builds the reference's gap sums once, outside the timing
    ours = best_time(lambda: ecdf.energy(small))
    theirs = best_time(lambda: st.energy_distance(a, small), repeat=1)
    report(
        f"ECDF(ref {args.n:,}).energy(batch 1,000)",
        ("driftscope ECDF.energy", ours),
        [("scipy.stats.energy_distance(ref, batch)", theirs, "-")],
    )

    ours = best_time(lambda: ds.wasserstein_distance(a, b), repeat=3)
    theirs = best_time(lambda: st.wasserstein_distance(a, b), repeat=1)
    report(
        f"wasserstein_distance, {args.n:,} vs {args.n:,}",
        ("driftscope.wasserstein_distance", ours),
        [("scipy.stats.wasserstein_distance", theirs, ">= 30x")],
    )

    x, y = a[: args.n_small], b[: args.n_small]
    ours = best_time(lambda: ds.cramervonmises_2samp(x, y), repeat=3)
    theirs = best_time(lambda: st.cramervonmises_2samp(x, y), repeat=2)
    report(
        f"cramervonmises_2samp, {args.n_small:,} vs {args.n_small:,}",
        ("driftscope.cramervonmises_2samp", ours),
        [("scipy.stats.cramervonmises_2samp", theirs, ">= 5x")],
    )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both cap the p-value with a UserWarning
        ours = best_time(lambda: ds.anderson_ksamp([x, y]), repeat=3)
        theirs = best_time(lambda: st.anderson_ksamp([x, y]), repeat=2)
    report(
        f"anderson_ksamp, {args.n_small:,} vs {args.n_small:,}",
        ("driftscope.anderson_ksamp", ours),
        [("scipy.stats.anderson_ksamp", theirs, ">= 5x")],
    )


if __name__ == "__main__":
    main()
