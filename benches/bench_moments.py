"""Moments of 10M float64 against numpy, scipy and the memory-bandwidth floor (np.sum).

Run: python benches/bench_moments.py [--n N]
Ratios are peer time / driftscope time: above 1 means driftscope is faster.
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.stats as st

import driftscope as ds
from _harness import best_time, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000_000)
    args = parser.parse_args()
    x = np.random.default_rng(0).normal(size=args.n)

    ours = best_time(lambda: ds.Moments(x))
    numpy4 = best_time(lambda: (x.mean(), x.var(), x.min(), x.max()))
    scipy2 = best_time(lambda: (st.skew(x), st.kurtosis(x)), repeat=3)
    np_sum = best_time(lambda: np.sum(x))
    report(
        f"Moments of {args.n:,} float64 (count, nulls, NaN, min, max, sum, mean, var, skew, kurt)",
        ("driftscope.Moments(x)", ours),
        [
            ("numpy mean+var+min+max", numpy4, ">= 5x"),
            ("scipy.stats skew+kurtosis", scipy2, ">= 30x"),
            ("np.sum (memory-bandwidth floor)", np_sum, ">= 0.4x, i.e. <= 2.5x its time"),
        ],
    )


if __name__ == "__main__":
    main()
