"""DistinctCount: estimates within three standard errors of the exact distinct count, merge,
column kinds, bytes, pickle."""

from __future__ import annotations

import pickle

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

import driftscope as ds
from helpers import scaled


def within(dc: ds.DistinctCount, exact: int) -> None:
    tol = 3 * dc.relative_standard_error * exact
    assert abs(dc.estimate - exact) <= max(tol, 1e-9), (dc.estimate, exact)
    assert dc.lower_bound(3) <= exact <= dc.upper_bound(3)
    assert dc.lower_bound(1) <= dc.estimate <= dc.upper_bound(1)
    assert dc.lower_bound(3) <= dc.lower_bound(1) <= dc.upper_bound(1) <= dc.upper_bound(3)


@pytest.mark.parametrize("n", [0, 1, 100, 10_000, 1_000_000])
def test_sizes(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.permutation(np.arange(n, dtype=np.int64) * 7919 - 5)
    data = np.concatenate([values, values[: n // 3]])
    dc = ds.DistinctCount(data)
    within(dc, n)
    # Two halves merged: the same registers as the whole.
    a = ds.DistinctCount(data[: len(data) // 2])
    b = ds.DistinctCount(data[len(data) // 2 :])
    assert a.merge(b) == dc
    within(a, n)


def test_large_string_column_in_parallel_parts_equals_small_pieces() -> None:
    # Hashed in parallel parts; pieces under a part's size are hashed in one pass each.
    ids = np.random.default_rng(5).integers(0, 200_000, size=600_000)
    data = pa.array([f"id-{i}" if i % 13 else None for i in ids])
    whole = ds.DistinctCount(data)
    pieces = ds.DistinctCount()
    for start in range(0, len(data), 50_000):
        pieces.merge(ds.DistinctCount(data.slice(start, 50_000)))
    assert whole == pieces and whole.to_bytes() == pieces.to_bytes()
    assert whole.null_count == data.null_count
    within(whole, pc.count_distinct(data).as_py())


def test_column_kinds_and_strings() -> None:
    words = pa.array([None if i % 13 == 0 else f"w{i % 5000}" for i in range(40_000)])
    for arr in [words, words.dictionary_encode(), words.cast(pa.large_string())]:
        dc = ds.DistinctCount(arr)
        within(dc, len(pc.unique(arr.drop_null())))
        assert dc.null_count == words.null_count
    chunked = pa.chunked_array([words[:100], words[100:]])
    assert ds.DistinctCount(chunked) == ds.DistinctCount(words)
    assert ds.DistinctCount(pa.array([True, False, None])).estimate == pytest.approx(2, abs=0.01)
    empty = ds.DistinctCount(pa.array([None] * 5, type=pa.string()))
    assert (empty.estimate, empty.null_count) == (0.0, 5)
    assert ds.DistinctCount(pa.array(["x"] * 100)).estimate == pytest.approx(1, abs=0.01)
    # Ints of any width hash alike; strings and ints are told apart.
    assert ds.DistinctCount(np.arange(100, dtype=np.uint8)) == ds.DistinctCount(
        np.arange(100, dtype=np.int64)
    )
    mixed = ds.DistinctCount(np.array([1, 2]))
    mixed.update(pa.array(["1", "2"]))
    assert mixed.estimate == pytest.approx(4, abs=0.01)


@given(hst.lists(hst.lists(hst.integers(-500, 500), max_size=200), min_size=1, max_size=4))
@settings(max_examples=scaled(40), deadline=None)
def test_merge_equals_whole(parts: list[list[int]]) -> None:
    merged = ds.DistinctCount(lg_k=10)
    for p in parts:
        merged.merge(ds.DistinctCount(np.array(p, dtype=np.int64), lg_k=10))
    whole = [x for p in parts for x in p]
    assert merged == ds.DistinctCount(np.array(whole, dtype=np.int64), lg_k=10)
    # No accuracy check here: the bounds are probabilistic (two values sharing a register, a
    # 1-in-1,000 event, make 2 look like 1), and hypothesis searches for exactly such rare
    # inputs. Accuracy is tested on fixed seeds (test_sizes) instead.


def test_bytes_pickle_and_errors() -> None:
    dc = ds.DistinctCount(pa.array(["a", None, "b"] * 10 + [str(i) for i in range(300)]), lg_k=6)
    for x in [dc, ds.DistinctCount()]:
        b = x.to_bytes()
        assert ds.DistinctCount.from_bytes(b) == x
        assert pickle.loads(pickle.dumps(x)) == x
    b = dc.to_bytes()
    for i in range(len(b)):
        bad = bytearray(b)
        bad[i] ^= 0x20
        with pytest.raises(ValueError):
            ds.DistinctCount.from_bytes(bytes(bad))
    for n in range(len(b)):
        with pytest.raises(ValueError):
            ds.DistinctCount.from_bytes(b[:n])
    with pytest.raises(ValueError):
        ds.DistinctCount.from_bytes(ds.FrequentItems().to_bytes())
    with pytest.raises(ValueError):
        ds.DistinctCount(lg_k=30)
    with pytest.raises(ValueError):
        dc.merge(ds.DistinctCount(lg_k=7))
    with pytest.raises(ValueError):
        dc.lower_bound(-1)
    assert "DistinctCount(" in repr(dc)
