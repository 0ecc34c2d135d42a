"""Moments of 10M float64 against numpy, scipy and the memory-bandwidth floor (np.sum).

Run: python -m pytest benches/bench_moments.py --benchmark-only [--bench-n N]
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.stats as st

import driftscope as ds

pytestmark = pytest.mark.benchmark(group="moments")


def test_driftscope(bench, ref):
    bench.ours(
        "driftscope.Moments(x)",
        lambda: ds.Moments(ref),
        title=f"Moments of {ref.size:,} float64 "
        "(count, nulls, NaN, min, max, sum, mean, var, skew, kurt)",
    )


def test_numpy(bench, ref):
    bench.peer(
        "numpy mean+var+min+max",
        lambda: (ref.mean(), ref.var(), ref.min(), ref.max()),
        target=5,
    )


def test_scipy(bench, ref):
    bench.peer(
        "scipy.stats skew+kurtosis",
        lambda: (st.skew(ref), st.kurtosis(ref)),
        target=30,
        repeat=3,
    )


def test_np_sum(bench, ref):
    bench.peer(
        "np.sum (memory-bandwidth floor)",
        lambda: np.sum(ref),
        target=0.4,
        target_note="i.e. <= 2.5x its time",
    )
