"""FrequentItems: bounds against exact counts (pyarrow.compute.value_counts) on zipf data and
every accepted column kind, error types, merge, bytes, pickle."""

from __future__ import annotations

import pickle
from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

import driftscope as ds
from helpers import scaled
from test_categorical import value_counts  # exact counts by pyarrow.compute.value_counts


def zipf(n: int, seed: int, a: float = 1.3) -> np.ndarray:
    return np.random.default_rng(seed).zipf(a, n).astype(np.int64)


def check(fi: ds.FrequentItems, truth: dict[Any, int], nulls: int = 0) -> None:
    """Every bound holds; both error types keep their promise at several thresholds."""
    assert fi.n == sum(truth.values())
    assert fi.null_count == nulls
    eps = fi.maximum_error
    for item, count in truth.items():
        assert fi.lower_bound(item) <= count <= fi.upper_bound(item), item
        assert fi.upper_bound(item) - fi.lower_bound(item) <= eps
    for threshold in [None, 0, eps, eps + 5, 2 * eps + 100]:
        t = eps if threshold is None else max(threshold, eps)
        nfp = fi.frequent_items(threshold, "no_false_positives")
        nfn = fi.frequent_items(threshold, "no_false_negatives")
        assert all(truth[item] > t for item, *_ in nfp)
        listed = {item for item, *_ in nfn}
        assert {item for item, c in truth.items() if c > t} <= listed
        assert {item for item, *_ in nfp} <= listed
        for rows in (nfp, nfn):
            ests = [e for _, e, _, _ in rows]
            assert ests == sorted(ests, reverse=True)
            for item, est, lo, hi in rows:
                assert lo <= truth[item] <= hi
                assert (est, lo, hi) == (
                    fi.estimate(item),
                    fi.lower_bound(item),
                    fi.upper_bound(item),
                )


@pytest.mark.parametrize("m", [8, 64, 1024])
def test_zipf_bounds(m: int) -> None:
    data = zipf(200_000, m)
    fi = ds.FrequentItems(max_map_size=m)
    fi.update(data)
    truth = value_counts(pa.array(data))
    check(fi, truth)
    assert fi.num_active <= m * 3 // 4
    # The Misra-Gries bound: the offset is at most n / (3/8 m).
    assert fi.maximum_error <= len(data) * 8 // (3 * m)
    if m == 1024:
        # The heaviest items are found with no false positives.
        top = sorted(truth, key=truth.__getitem__, reverse=True)[:5]
        found = [item for item, *_ in fi.frequent_items()]
        assert found[:5] == top


@given(
    hst.lists(hst.lists(hst.integers(0, 40), max_size=300), min_size=1, max_size=5),
    hst.sampled_from([8, 16]),
)
@settings(max_examples=scaled(60), deadline=None)
def test_merge_of_partitions_keeps_bounds(parts: list[list[int]], m: int) -> None:
    merged = ds.FrequentItems(max_map_size=m)
    for p in parts:
        merged.merge(ds.FrequentItems(np.array(p, dtype=np.int64), max_map_size=m))
    whole = [x for p in parts for x in p]
    check(merged, dict(Counter(whole)))
    single = ds.FrequentItems(np.array(whole, dtype=np.int64), max_map_size=m)
    check(single, dict(Counter(whole)))


def test_zipf_merge() -> None:
    data = zipf(100_000, 7)
    merged = ds.FrequentItems(max_map_size=64)
    for part in np.array_split(data, 7):
        merged.merge(ds.FrequentItems(part, max_map_size=64))
    check(merged, value_counts(pa.array(data)))


@pytest.mark.parametrize("m", [8, 1024])
def test_large_string_column_counted_in_parallel_batches(m: int) -> None:
    # Several 65,536-row batches, counted on the thread pool: the bounds still hold.
    data = pa.array([f"cell-{x}" for x in zipf(300_000, 11)]).cast(pa.large_string())
    fi = ds.FrequentItems(data, max_map_size=m)
    check(fi, value_counts(data))
    assert fi.num_active <= m * 3 // 4
    assert fi.maximum_error <= len(data) * 8 // (3 * m)


def test_column_kinds() -> None:
    rng = np.random.default_rng(1)
    words = [f"w{int(k)}" for k in rng.zipf(1.5, 5000)]
    strings = pa.array([None if i % 97 == 0 else w for i, w in enumerate(words)])
    cases: list[pa.Array | pa.ChunkedArray] = [
        strings,
        strings.cast(pa.large_string()),
        strings.dictionary_encode(),
        pa.chunked_array([strings[:2000], strings[2000:]]),
        pa.array([True, False, None, True] * 100),
        pa.array([3, None, -7, 3, 2**62] * 50, type=pa.int64()),
        pa.array([1, 2, 2, None], type=pa.uint8()),
        pa.array(["only"] * 10),
        pa.array([None] * 7, type=pa.string()),
        pa.array([], type=pa.string()),
    ]
    for arr in cases:
        fi = ds.FrequentItems(max_map_size=16)
        fi.update(arr)
        check(fi, value_counts(arr), arr.null_count)
    fi = ds.FrequentItems(pa.array(["only"] * 10))
    assert fi.frequent_items() == [("only", 10, 10, 10)]
    assert fi.maximum_error == 0
    assert fi.estimate("absent") == 0 and fi.upper_bound("absent") == 0
    empty = ds.FrequentItems(pa.array([None] * 7, type=pa.string()))
    assert (empty.n, empty.null_count, empty.frequent_items()) == (0, 7, [])
    b = ds.FrequentItems(np.array([True, True, False]))
    assert b.estimate(True) == 2 and b.estimate(1) == 0


def test_bytes_pickle_and_errors() -> None:
    fi = ds.FrequentItems(
        pa.array(["a", "b", None, "a"] * 300 + [f"x{i}" for i in range(50)]), max_map_size=8
    )
    assert fi.maximum_error > 0
    for x in [fi, ds.FrequentItems()]:
        b = x.to_bytes()
        back = ds.FrequentItems.from_bytes(b)
        assert back == x and back.to_bytes() == b
        assert pickle.loads(pickle.dumps(x)) == x
        assert ds.FrequentItems.from_bytes(bytearray(b)) == x
    b = fi.to_bytes()
    for i in range(len(b)):
        bad = bytearray(b)
        bad[i] ^= 0x20
        with pytest.raises(ValueError):
            ds.FrequentItems.from_bytes(bytes(bad))
    for n in range(len(b)):
        with pytest.raises(ValueError):
            ds.FrequentItems.from_bytes(b[:n])
    with pytest.raises(ValueError):
        ds.FrequentItems.from_bytes(b"garbage")
    with pytest.raises(ValueError):
        ds.FrequentItems.from_bytes(ds.CategoryCounts().to_bytes())
    with pytest.raises(ValueError):
        ds.FrequentItems(max_map_size=100)
    with pytest.raises(ValueError):
        fi.merge(ds.FrequentItems(max_map_size=16))
    with pytest.raises(ValueError):
        fi.frequent_items(error_type="sometimes")
    with pytest.raises((TypeError, ValueError)):
        fi.update(np.array([1.5]))
    assert "FrequentItems(" in repr(fi)
    c = fi.copy()
    c.update(pa.array(["a"]))
    assert c != fi and c.n == fi.n + 1


def test_against_datasketches() -> None:
    datasketches = pytest.importorskip("datasketches")
    data = [str(x) for x in zipf(50_000, 3)]
    fi = ds.FrequentItems(pa.array(data), max_map_size=64)
    sk = datasketches.frequent_strings_sketch(6)
    for x in data:
        sk.update(x)
    truth = Counter(data)
    # Both keep the Misra-Gries bounds; each finds every item above both errors.
    # DataSketches' offset: the upper bound of an item it does not track.
    t = max(fi.maximum_error, sk.get_upper_bound("absent item"))
    for item, c in truth.items():
        assert sk.get_lower_bound(item) <= c <= sk.get_upper_bound(item)
    theirs = {
        row[0]
        for row in sk.get_frequent_items(
            datasketches.frequent_items_error_type.NO_FALSE_NEGATIVES, t
        )
    }
    ours = {row[0] for row in fi.frequent_items(t, "no_false_negatives")}
    must = {item for item, c in truth.items() if c > t}
    assert must <= theirs and must <= ours
    assert sk.total_weight == fi.n
    assert 0 < t < len(data) // 10
