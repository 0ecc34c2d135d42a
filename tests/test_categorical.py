"""CategoryCounts: parity with pyarrow.compute.value_counts over every accepted column kind,
fixed domains and unseen values, merge law, bytes, errors."""

from __future__ import annotations

import pickle
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import driftscope as ds
from driftscope._core import _category_buffers

words = hst.lists(
    hst.one_of(hst.none(), hst.sampled_from(["a", "b", "", "ß", "long category", "Z"])),
    max_size=200,
)


def value_counts(arr: pa.Array | pa.ChunkedArray) -> dict[Any, int]:
    """pyarrow's counts of the non-null values."""
    out: dict[Any, int] = {}
    for item in pc.value_counts(arr).to_pylist():
        if item["values"] is not None:
            out[item["values"]] = item["counts"]
    return out


def check(cc: ds.CategoryCounts, arr: pa.Array | pa.ChunkedArray) -> None:
    expected = value_counts(arr)
    assert cc.to_dict() == expected
    assert dict(zip(cc.categories, cc.counts.tolist(), strict=True)) == expected
    assert cc.null_count == arr.null_count
    assert cc.total == len(arr) - arr.null_count
    assert cc.other_count == 0 and cc.error == 0
    assert len(cc) == len(expected)


@given(words)
def test_strings_equal_value_counts(values: list[str | None]) -> None:
    for typ in (pa.string(), pa.large_string(), pa.string_view()):
        arr = pa.array(values, type=typ)
        check(ds.CategoryCounts(arr), pa.array(values, type=pa.string()))
    check(ds.CategoryCounts(values), pa.array(values, type=pa.string()))


@given(words)
def test_dictionary_equals_value_counts(values: list[str | None]) -> None:
    arr = pa.array(values, type=pa.string()).dictionary_encode()
    check(ds.CategoryCounts(arr), pa.array(values, type=pa.string()))
    # A dictionary with unused and null entries, and a sliced array.
    dictionary = pa.array(["a", "unused", None, "b"])
    keys = pa.array([0, 2, 3, None, 0, 1, 3], type=pa.int8())
    darr = pa.DictionaryArray.from_arrays(keys, dictionary)
    cc = ds.CategoryCounts(darr)
    assert cc.to_dict() == {"a": 2, "unused": 1, "b": 2}
    assert cc.null_count == 2  # a null key and a key to a null entry
    assert ds.CategoryCounts(darr.slice(3)).to_dict() == {"a": 1, "unused": 1, "b": 1}
    # Repeated dictionary values are one category.
    twice = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2, 1]), pa.array(["a", "a", "b"]))
    assert ds.CategoryCounts(twice).to_dict() == {"a": 3, "b": 1}


@given(hst.lists(hst.one_of(hst.none(), hst.integers(-(2**63), 2**63 - 1)), max_size=200))
def test_integers_equal_value_counts(values: list[int | None]) -> None:
    arr = pa.array(values, type=pa.int64())
    check(ds.CategoryCounts(arr), arr)
    small = [None if v is None else v % 200 - 100 for v in values]
    for typ in (pa.int8(), pa.int16(), pa.uint32()):
        conv = [None if v is None else (v % 100 if typ == pa.uint32() else v) for v in small]
        a = pa.array(conv, type=typ)
        check(ds.CategoryCounts(a), a)
        check(ds.CategoryCounts(a.dictionary_encode()), a)


@given(hst.lists(hst.one_of(hst.none(), hst.booleans()), max_size=300), hst.integers(0, 9))
def test_booleans_equal_value_counts(values: list[bool | None], offset: int) -> None:
    arr = pa.array(values, type=pa.bool_())
    check(ds.CategoryCounts(arr), arr)
    check(ds.CategoryCounts(arr.slice(offset)), arr.slice(offset))
    plain = [v for v in values if v is not None]
    cc = ds.CategoryCounts(np.array(plain, dtype=bool))
    assert cc.to_dict() == dict(Counter(plain))
    assert all(isinstance(c, bool) for c in cc.categories)


def test_numpy_pandas_polars_and_chunked_inputs() -> None:
    values = ["x", "y", None, "x", "z", "x"]
    expected = {"x": 3, "y": 1, "z": 1}
    inputs: list[Any] = [
        np.array(values, dtype=object),
        np.array(["x", "y", "x", "z", "x"]),
        pd.Series(values),
        pd.Series(values, dtype="category"),
        pd.Series(values, dtype="string"),
        pl.Series("col", values),
        pl.Series("col", values, dtype=pl.Categorical),
        pa.chunked_array([values[:3], values[3:]]),
        pa.chunked_array(
            [pa.array(values[:3]).dictionary_encode(), pa.array(values[3:]).dictionary_encode()]
        ),
    ]
    for obj in inputs:
        assert ds.CategoryCounts(obj).to_dict() == expected, type(obj)
    ints = np.array([3, 1, 3, 3], dtype=np.uint16)
    assert ds.CategoryCounts(ints).to_dict() == {3: 3, 1: 1}
    assert ds.CategoryCounts(pd.Series([1, None, 1], dtype="Int64")).to_dict() == {1: 2}
    masked = np.ma.masked_array([1, 2, 2], mask=[False, True, False])
    cc = ds.CategoryCounts(masked)
    assert cc.to_dict() == {1: 1, 2: 1} and cc.null_count == 1


def test_single_category_and_all_null_columns() -> None:
    one = ds.CategoryCounts(pa.array(["only"] * 1000))
    assert one.to_dict() == {"only": 1000}
    nulls = ds.CategoryCounts(pa.array([None] * 10, type=pa.string()))
    assert nulls.to_dict() == {} and nulls.null_count == 10 and nulls.total == 0
    assert ds.CategoryCounts(pa.nulls(5)).null_count == 5
    assert ds.CategoryCounts([]).total == 0


def test_fixed_domain_unseen_categories() -> None:
    ref = ds.CategoryCounts(["a", "b", "b", "c", "c", "c"])
    domain = ref.top_k()
    assert domain.is_fixed and domain.categories == ["c", "b", "a"]
    cur = domain.bin(["a", "new", "new", "other", None, "c", "new"])
    assert cur.to_dict() == {"c": 1, "b": 0, "a": 1}
    assert cur.other_count == 4 and cur.null_count == 1 and cur.total == 6
    assert cur.unseen() == [("new", 3), ("other", 1)]
    assert cur.unseen(1) == [("new", 3)]
    assert cur.count_of("new") == 0 and cur.count_of("a") == 1
    top1 = ref.top_k(1)
    assert top1.categories == ["c"] and top1.other_count == 3
    assert top1.unseen() == [("b", 2), ("a", 1)]


@given(words, words)
def test_merge_law(a: list[str | None], b: list[str | None]) -> None:
    merged = ds.CategoryCounts(a).merge(ds.CategoryCounts(b))
    whole = ds.CategoryCounts(a + b)
    assert merged.to_dict() == whole.to_dict()
    assert merged.null_count == whole.null_count
    domain = ds.CategoryCounts(["a", "b"]).top_k()
    assert domain.bin(a).merge(domain.bin(b)) == domain.bin(a + b)


def test_merge_rejects_free_with_fixed() -> None:
    free = ds.CategoryCounts(["a"])
    with pytest.raises(ds.IncompatibleError):
        free.merge(free.top_k())
    with pytest.raises(ValueError, match="different domains"):
        free.top_k().merge(ds.CategoryCounts(["b"]).top_k())


def test_capacity_bounds_memory() -> None:
    cc = ds.CategoryCounts(np.arange(1000) % 100, capacity=10)
    assert len(cc) <= 10
    assert cc.total == 1000 and cc.other_count > 0 and cc.error > 0
    with pytest.raises(ValueError, match="capacity"):
        ds.CategoryCounts(capacity=0)


def test_bytes_pickle_eq_repr() -> None:
    cc = ds.CategoryCounts(pa.array(["a", None, "b", "a"]))
    for obj in (cc, cc.top_k(1).bin(["a", "zz"]), ds.CategoryCounts([True, False, None])):
        assert ds.CategoryCounts.from_bytes(obj.to_bytes()) == obj
        assert pickle.loads(pickle.dumps(obj)) == obj
    assert cc != ds.CategoryCounts(["a", "b", "a"])
    assert repr(cc).startswith('CategoryCounts({"a": 2, "b": 1}')
    blob = cc.to_bytes()
    for i in range(len(blob)):
        bad = bytearray(blob)
        bad[i] ^= 0x10
        with pytest.raises(ValueError):
            ds.CategoryCounts.from_bytes(bytes(bad))
    with pytest.raises(ds.CorruptDataError):
        ds.CategoryCounts.from_bytes(blob[:-3])


def test_bad_inputs_name_the_problem() -> None:
    with pytest.raises(TypeError, match="Histogram"):
        ds.CategoryCounts(np.array([1.5, 2.5]))
    with pytest.raises(TypeError, match="Histogram"):
        ds.CategoryCounts(pa.array([1.5]))
    with pytest.raises(TypeError, match="one categorical type"):
        ds.CategoryCounts(["a", 1])
    with pytest.raises(TypeError, match="categorical column"):
        ds.CategoryCounts(3)
    with pytest.raises(ValueError, match="1-D"):
        ds.CategoryCounts(np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(TypeError, match="a category is"):
        ds.CategoryCounts(["a"]).count_of(1.5)  # type: ignore[arg-type]


def test_arrow_and_numpy_buffers_are_read_in_place() -> None:
    strings = pa.array(["a", "bb", None, "ccc"] * 10)
    large = strings.cast(pa.large_string())
    bools = pa.array([True, None, False] * 10)
    codes = strings.dictionary_encode()
    ints = np.arange(30, dtype=np.int16) % 4
    assert _category_buffers(strings) == [("Utf8", strings.buffers()[2].address)]
    assert _category_buffers(large) == [("LargeUtf8", large.buffers()[2].address)]
    assert _category_buffers(strings.slice(5)) == [("Utf8", strings.buffers()[2].address)]
    assert _category_buffers(bools) == [("Boolean", bools.buffers()[1].address)]
    [(kind, addr)] = _category_buffers(codes)
    assert kind.startswith("Dictionary") and addr == codes.indices.buffers()[1].address
    assert _category_buffers(ints) == [("int16", ints.ctypes.data)]
    chunked = pa.chunked_array([strings, strings.slice(1)])
    assert [a for _, a in _category_buffers(chunked)] == [strings.buffers()[2].address] * 2
    # String views are the one layout copied (to large strings).
    [(kind, _)] = _category_buffers(strings.cast(pa.string_view()))
    assert kind == "LargeUtf8"
