"""The input layer: every column kind the SPEC lists, read in place where the layout allows."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import driftscope as ds
from driftscope._core import _column_buffers

N = 10_000_000


def test_numpy_float64_10m_is_read_in_place() -> None:
    x = np.random.default_rng(1).normal(size=N)
    [(addr, length, ty)] = _column_buffers(x)
    assert (addr, length, ty) == (x.ctypes.data, N, "float64")


@pytest.mark.parametrize(
    "dtype",
    [
        "float64",
        "float32",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "bool",
    ],
)
def test_every_numeric_numpy_dtype_is_read_in_place(dtype: str) -> None:
    x = (np.arange(1000) % 7).astype(dtype)
    [(addr, length, ty)] = _column_buffers(x)
    assert (addr, length, ty) == (x.ctypes.data, 1000, dtype)


def test_pyarrow_array_with_offset_is_read_in_place() -> None:
    values = np.random.default_rng(2).normal(size=N)
    arr = pa.array(values).slice(3, N - 10)
    [(addr, length, ty)] = _column_buffers(arr)
    assert ty == "float64"
    assert length == N - 10
    assert addr == values.ctypes.data + 3 * 8 or addr == arr.buffers()[1].address + 3 * 8


def test_chunked_array_chunks_are_read_in_place_and_empty_chunks_skipped() -> None:
    a = pa.array(np.arange(5, dtype=np.float64))
    b = pa.array(np.arange(7, dtype=np.float64))
    chunked = pa.chunked_array([a, pa.array([], pa.float64()), b])
    bufs = _column_buffers(chunked)
    assert [(addr, n) for addr, n, _ in bufs] == [
        (a.buffers()[1].address, 5),
        (b.buffers()[1].address, 7),
    ]


def test_polars_series_is_read_in_place() -> None:
    s = pl.Series("x", np.random.default_rng(3).normal(size=N))
    [(addr, length, ty)] = _column_buffers(s)
    assert (length, ty) == (N, "float64")
    assert addr == s.to_numpy().ctypes.data


def test_pandas_series_is_read_in_place() -> None:
    x = np.random.default_rng(4).normal(size=N)
    s = pd.Series(x, name="t", copy=False)
    [(addr, length, _)] = _column_buffers(s)
    assert (addr, length) == (s.to_numpy().ctypes.data, N)


def test_strided_numpy_is_copied_but_correct() -> None:
    x = np.arange(20, dtype=np.float64)
    m = ds.Moments(x[::3])
    assert m.count == 7
    assert m.mean == pytest.approx(x[::3].mean(), rel=1e-15)
    [(addr, _, _)] = _column_buffers(x[::3])
    assert addr != x.ctypes.data


@pytest.mark.parametrize(
    "column",
    [
        np.array([1.5, 2.5, 4.0], dtype=">f8"),
        np.array([1.5, 2.5, 4.0], dtype=np.float16),
        np.array([1.5, 2.5, 4.0], dtype=np.longdouble),
        pa.array([1.5, 2.5, 4.0], pa.float16()) if hasattr(pa, "float16") else None,
        pa.array([decimal.Decimal("1.5"), decimal.Decimal("2.5"), decimal.Decimal("4.0")]),
        pa.array([1.5, 2.5, 4.0]).dictionary_encode(),
        [1.5, 2.5, 4.0],
        (1.5, 2.5, 4.0),
        pd.Series([1.5, 2.5, 4.0], dtype="float64[pyarrow]"),
        pd.Series([1.5, 2.5, 4.0], dtype="Float64"),
    ],
    ids=lambda c: type(c).__name__ + str(getattr(c, "dtype", getattr(c, "type", ""))),
)
def test_other_layouts_give_the_same_numbers(column: object) -> None:
    if isinstance(column, pa.Array) and column.type == pa.float16():
        column = pa.array(np.array([1.5, 2.5, 4.0], dtype=np.float16))
    m = ds.Moments(column)
    assert (m.count, m.mean, m.min, m.max) == (3, 8 / 3, 1.5, 4.0)


def test_booleans_count_as_zero_and_one() -> None:
    assert ds.Moments(np.array([True, False, True, True])).mean == 0.75
    assert ds.Moments(pa.array([True, False, None, True])).mean == pytest.approx(2 / 3)


def test_nulls_of_every_source_are_counted() -> None:
    cases = [
        pa.array([1.0, None, 3.0]),
        pa.chunked_array([[1.0], [], [None, 3.0]]),
        pl.Series([1.0, None, 3.0]),
        pd.Series([1, None, 3], dtype="Int64"),
        pd.Series([1.0, None, 3.0], dtype="float64[pyarrow]"),
        np.ma.array([1.0, 99.0, 3.0], mask=[False, True, False]),
    ]
    for column in cases:
        m = ds.Moments(column)
        assert (m.count, m.null_count, m.nan_count, m.mean) == (2, 1, 0, 2.0), type(column)


def test_nan_is_not_null() -> None:
    for column in [
        np.array([1.0, np.nan, 3.0]),
        pd.Series([1.0, np.nan, 3.0]),
        pl.Series([1.0, float("nan"), 3.0]),
    ]:
        m = ds.Moments(column)
        assert (m.count, m.null_count, m.nan_count) == (2, 0, 1), type(column)


def test_all_null_arrow_column() -> None:
    m = ds.Moments(pa.nulls(5))
    assert (m.count, m.null_count) == (0, 5)
    assert np.isnan(m.mean)


@pytest.mark.parametrize(
    ("column", "words"),
    [
        (pa.array(["a", "b"]), ["'column'", "string", "numbers"]),
        (pl.Series("city", ["a", "b"]), ["'city'", "string"]),
        (pd.Series(["a", "b"], name="zip", dtype=object), ["'zip'", "object"]),
        (np.array(["a", "b"]), ["strings"]),
        (np.array([1 + 2j]), ["complex"]),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), ["datetimes"]),
        (["a", "b"], ["strings"]),
        ("abc", ["must be a column", "str"]),
        (3.0, ["must be a column", "float"]),
        (object(), ["must be a column", "object"]),
        ({"a": 1}, ["must be a column", "dict"]),
        (pa.table({"a": [1.0], "b": [2.0]}), ["table"]),
    ],
)
def test_non_numeric_input_raises_type_error_naming_column_and_type(
    column: object, words: list[str]
) -> None:
    with pytest.raises(TypeError) as info:
        ds.Moments(column)
    assert isinstance(info.value, ds.DriftscopeError)
    for word in words:
        assert word in str(info.value)


def test_two_dimensional_array_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"must be 1-D.*\(2, 3\)|1-D.*\[2, 3\]"):
        ds.Moments(np.zeros((2, 3)))


def test_array_being_written_is_not_a_crash() -> None:
    x = np.arange(10.0)
    x.flags.writeable = False
    assert ds.Moments(x).count == 10
