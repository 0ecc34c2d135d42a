"""Every kernel that takes time releases the GIL while it computes.

``gil_held_share`` (conftest) measures the longest stretch of a call during which another
Python thread could not run; the first test holds the fixture itself to account, so a kernel
that kept the GIL could not pass. Each call here takes 20 ms or more.
"""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import driftscope as ds

Share = Callable[[Callable[[], object]], float]
RELEASED = 0.5  # a share below this means no thread was kept waiting for most of the call


def test_the_measure_tells_a_held_gil_from_a_released_one(gil_held_share: Share) -> None:
    # list.sort on ints runs in C without ever letting another thread run; sleep releases.
    values = list(range(600_000))
    random.Random(1).shuffle(values)
    assert gil_held_share(lambda: sorted(values)) > 0.8
    assert gil_held_share(lambda: time.sleep(0.03)) < 0.2


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=10_000_000), rng.normal(0.01, 1.0, size=10_000_000)
    words = pa.array(np.array(["a", "bb", "ccc"])[rng.integers(0, 3, size=3_000_000)])
    ints = rng.integers(0, 50_000, size=5_000_000)
    return {
        "x": x,
        # 80M values for the fastest kernels (the same 10M eight times over, no copy).
        "x80m": pa.chunked_array([pa.array(x)] * 8),
        "y": y,
        "x2m": x[:2_000_000],
        "y2m": y[:2_000_000],
        "words": words,
        "ints": ints,
        "ecdf": ds.ECDF(x),
        "quantile_hist": ds.Histogram(x, bins=10, binning="quantile"),
    }


def quiet(fn: Callable[..., object], *args: Any) -> object:
    """``fn(*args)`` with its p-value-capping warning silenced (the p-value is not tested here)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn(*args)


KERNELS: dict[str, Callable[[dict[str, Any]], object]] = {
    "Moments": lambda d: ds.Moments(d["x80m"]),
    "ks_2samp": lambda d: ds.ks_2samp(d["x2m"][:500_000], d["y2m"][:500_000]),
    "wasserstein_distance": lambda d: ds.wasserstein_distance(d["x2m"], d["y2m"]),
    "energy_distance": lambda d: ds.energy_distance(d["x2m"], d["y2m"]),
    "cramervonmises_2samp": lambda d: ds.cramervonmises_2samp(d["x2m"], d["y2m"]),
    "anderson_ksamp": lambda d: quiet(ds.anderson_ksamp, [d["x2m"], d["y2m"]]),
    "ECDF": lambda d: ds.ECDF(d["x2m"]),
    "ECDF.ks": lambda d: d["ecdf"].ks(d["y"]),
    "ECDF.anderson": lambda d: d["ecdf"].anderson(d["y2m"][:100_000]),
    "Histogram": lambda d: ds.Histogram(d["x80m"], bins=100),
    "js_distance": lambda d: ds.js_distance(d["x"], d["y"], bins=100),
    "psi on a histogram": lambda d: ds.psi(d["quantile_hist"], d["x80m"]),
    "CategoryCounts": lambda d: ds.CategoryCounts(d["words"]),
    "KLL.update": lambda d: ds.KLL().update(d["x"][:5_000_000]),
    "FrequentItems": lambda d: ds.FrequentItems(d["words"]),
    "DistinctCount": lambda d: ds.DistinctCount(d["ints"]),
}


@pytest.mark.parametrize("name", sorted(KERNELS))
def test_kernel_releases_the_gil(name: str, data: dict[str, Any], gil_held_share: Share) -> None:
    share = gil_held_share(lambda: KERNELS[name](data))
    assert share < RELEASED, f"{name}: a Python thread waited {share:.0%} of the call"
