"""Golden files: the bytes under rust/driftscope-core/tests/data/golden/ (pinned in detail by
tests/golden.rs) load through the Python API to the same values, re-serialize to the same bytes,
and a retired format is refused with what to do."""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import driftscope as ds

GOLDEN = Path(__file__).resolve().parent.parent / "rust/driftscope-core/tests/data/golden"

CLASSES: dict[str, Any] = {
    "moments": ds.Moments,
    "histogram": ds.Histogram,
    "categorycounts": ds.CategoryCounts,
    "ecdf": ds.ECDF,
    "frequentitems": ds.FrequentItems,
    "distinctcount": ds.DistinctCount,
    "profile": ds.Profile,
}
# Kinds with no Python class of their own: they travel inside profiles (GridHistogram is a
# numeric column's fine histogram), and profile_v1_mixed.bin loads them.
INSIDE_PROFILES = {"gridhistogram"}


def load(name: str) -> Any:
    cls = CLASSES[name.split("_")[0]]
    return cls.from_bytes((GOLDEN / name).read_bytes())


READABLE = sorted(
    p.name
    for p in GOLDEN.glob("*.bin")
    if p.name != "distinctcount_v1_mixed.bin" and p.name.split("_")[0] not in INSIDE_PROFILES
)


@pytest.mark.parametrize("name", READABLE)
def test_round_trip_is_byte_identical(name: str) -> None:
    data = (GOLDEN / name).read_bytes()
    s = load(name)
    assert s.to_bytes() == data
    assert pickle.loads(pickle.dumps(s)).to_bytes() == data


def test_every_kind_has_golden_files() -> None:
    assert {n.split("_")[0] for n in READABLE} == set(CLASSES)
    on_disk = {p.name.split("_")[0] for p in GOLDEN.glob("*.bin")}
    assert on_disk == set(CLASSES) | INSIDE_PROFILES


def test_profile() -> None:
    p = load("profile_v1_mixed.bin")
    assert (p.num_rows, p.columns) == (12, ["x", "n", "cell", "ok", "at", "blob"])
    assert p.metadata.name == "golden"
    x = p["x"]
    assert (x.rows, x.null_count) == (12, 2)
    assert x.moments is not None and (x.moments.count, x.moments.mean) == (10, 1.8)
    assert x.histogram is not None and x.histogram.interior_counts.sum() == 10
    assert p["cell"].counts is not None and p["cell"].counts.to_dict()["a"] == 6
    assert (p["ok"].true_count, p["ok"].false_count) == (8, 4)
    assert (p["at"].unit, p["at"].tz, p["at"].min) == ("s", "UTC", 1_700_000_000)


def test_moments() -> None:
    m = load("moments_v1_finite.bin")
    assert (m.count, m.null_count, m.nan_count) == (5000, 0, 0)
    assert (m.min, m.max, m.sum, m.mean) == (-300.0, 325.375, 64442.375, 12.888475)
    assert m.variance() == 32611.071604361874
    assert math.isclose(m.kurtosis(), -1.2001467752511257, rel_tol=1e-14)
    m = load("moments_v1_special.bin")
    assert (m.count, m.inf_count, m.nan_count, m.null_count) == (6, 3, 2, 5)
    assert (m.min, m.max) == (-math.inf, math.inf)
    m = load("moments_v1_tiny.bin")
    assert m.variance() == 0.0
    assert math.isclose(m.std(), 6.098740477891044e-301, rel_tol=1e-14)
    assert load("moments_v1_empty.bin") == ds.Moments()


def test_histogram() -> None:
    h = load("histogram_v1_uniform.bin")
    np.testing.assert_array_equal(h.edges, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0])
    np.testing.assert_array_equal(h.counts, [2, 3, 2, 1, 2, 2, 2])
    assert (h.underflow, h.overflow, h.null_count, h.nan_count) == (2, 2, 2, 1)
    h = load("histogram_v1_edges.bin")
    np.testing.assert_array_equal(h.edges, [-1.0, 0.0, 0.5, 2.0, 10.0])
    np.testing.assert_array_equal(h.counts, [1, 1, 2, 0, 4, 1])
    assert h.null_count == 1


def test_category_counts() -> None:
    c = load("categorycounts_v1_strings.bin")
    assert c.to_dict() == {"red": 3, "green": 2, "blue": 1, "": 1, "ünïcode": 1}
    assert (c.null_count, c.is_fixed, c.capacity) == (1, False, 1024)
    c = load("categorycounts_v1_mixed.bin")
    assert c.categories == [-1, 2**64 - 1, True]
    assert c.counts.tolist() == [6, 5, 3]
    assert (c.other_count, c.error) == (9, 5)
    c = load("categorycounts_v1_current.bin")
    assert c.is_fixed and c.to_dict() == {"a": 1, "b": 1}
    assert c.unseen() == [("x", 3), ("v", 1), ("y", 1)]
    assert (c.other_count, c.unseen_error, c.null_count) == (7, 1, 2)
    c = load("categorycounts_v1_topk.bin")
    assert c.is_fixed and c.to_dict() == {"a": 4, "b": 2}
    assert c.unseen() == [("e", 1)]


def test_ecdf() -> None:
    e = load("ecdf_v1_small.bin")
    assert isinstance(e, ds.ECDF)
    np.testing.assert_array_equal(e.values(), [-np.inf, -1.0, 0.0, 0.5, 0.5, 2.0, 3.25, np.inf])
    assert (e.n, e.null_count, e.nan_count) == (8, 1, 1)
    assert e.cdf(0.5) == 0.625


def test_frequent_items() -> None:
    f = load("frequentitems_v1_strings.bin")
    assert (f.max_map_size, f.n, f.null_count, f.maximum_error) == (8, 210, 2, 14)
    assert (f.estimate("s0"), f.lower_bound("s0"), f.upper_bound("s0")) == (20, 6, 20)
    f = load("frequentitems_v1_ints.bin")
    assert (f.n, f.maximum_error, f.num_active) == (211, 30, 3)
    assert (f.estimate(-3), f.lower_bound(-3)) == (33, 3)


def test_distinct_count() -> None:
    d = load("distinctcount_v2_mixed.bin")
    assert (d.lg_k, d.null_count) == (8, 143)
    assert math.isclose(d.estimate, 554.2484004396454, rel_tol=1e-14)
    d = load("distinctcount_v2_small.bin")
    assert d.lg_k == 4
    assert math.isclose(d.estimate, 1189.2888327006176, rel_tol=1e-14)


def test_retired_format_is_refused_with_what_to_do() -> None:
    with pytest.raises(ds.CorruptDataError, match=r"SipHash-1-3.*sketch the data again"):
        load("distinctcount_v1_mixed.bin")
