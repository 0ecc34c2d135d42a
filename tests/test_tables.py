"""The one column-type classifier, and tables read as streams of record batches."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

import driftscope as ds
from driftscope import _core, _tables

N, C, T, B, OT = (
    ds.LogicalType.NUMERIC,
    ds.LogicalType.CATEGORICAL,
    ds.LogicalType.TEMPORAL,
    ds.LogicalType.BOOLEAN,
    ds.LogicalType.OTHER,
)

INTS = [pa.int8(), pa.int16(), pa.int32(), pa.int64()]
UINTS = [pa.uint8(), pa.uint16(), pa.uint32(), pa.uint64()]
UNITS = ["s", "ms", "us", "ns"]

# Every Arrow type pyarrow can make, with the logical type driftscope gives it.
ARROW_TYPES: list[tuple[pa.DataType, ds.LogicalType]] = [
    *[(t, N) for t in INTS + UINTS],
    (pa.float16(), N),
    (pa.float32(), N),
    (pa.float64(), N),
    (pa.decimal32(7, 2), N),
    (pa.decimal64(15, 3), N),
    (pa.decimal128(38, 10), N),
    (pa.decimal256(76, 0), N),
    (pa.bool_(), B),
    (pa.string(), C),
    (pa.large_string(), C),
    (pa.string_view(), C),
    (pa.binary(), OT),
    (pa.large_binary(), OT),
    (pa.binary_view(), OT),
    (pa.binary(16), OT),
    (pa.date32(), T),
    (pa.date64(), T),
    (pa.time32("s"), T),
    (pa.time32("ms"), T),
    (pa.time64("us"), T),
    (pa.time64("ns"), T),
    *[(pa.timestamp(u), T) for u in UNITS],
    *[(pa.timestamp(u, tz="Europe/Paris"), T) for u in UNITS],
    (pa.timestamp("us", tz="UTC"), T),
    *[(pa.duration(u), N) for u in UNITS],
    (pa.month_day_nano_interval(), OT),
    *[(pa.dictionary(k, pa.string()), C) for k in INTS + UINTS],
    (pa.dictionary(pa.int32(), pa.large_string()), C),
    (pa.dictionary(pa.int32(), pa.string_view()), C),
    (pa.dictionary(pa.int16(), pa.int64()), C),
    (pa.dictionary(pa.int16(), pa.float64()), C),
    (pa.dictionary(pa.int8(), pa.bool_()), C),
    (pa.dictionary(pa.int32(), pa.date32()), T),
    (pa.dictionary(pa.int32(), pa.binary()), OT),
    (pa.list_(pa.float64()), OT),
    (pa.large_list(pa.string()), OT),
    (pa.list_(pa.int32(), 3), OT),
    (pa.list_view(pa.int32()), OT),
    (pa.large_list_view(pa.int32()), OT),
    (pa.struct([("a", pa.int32()), ("b", pa.string())]), OT),
    (pa.map_(pa.string(), pa.int64()), OT),
    (pa.dense_union([pa.field("a", pa.int32())]), OT),
    (pa.sparse_union([pa.field("a", pa.int32())]), OT),
    (pa.run_end_encoded(pa.int32(), pa.string()), C),
    (pa.run_end_encoded(pa.int32(), pa.float64()), N),
    (pa.null(), OT),
]


def empty(arrow_type: pa.DataType) -> pa.Array:
    """An empty array of any type (pyarrow cannot convert [] to some of them)."""
    if pa.types.is_union(arrow_type):
        children = [pa.array([], f.type) for f in arrow_type]
        names = [f.name for f in arrow_type]
        codes = pa.array([], pa.int8())
        if arrow_type.mode == "dense":
            offsets = pa.array([], pa.int32())
            return pa.UnionArray.from_dense(codes, offsets, children, names)
        return pa.UnionArray.from_sparse(codes, children, names)
    return pa.schema([("x", arrow_type)]).empty_table().column(0).chunk(0)


@pytest.mark.parametrize(("arrow_type", "expected"), ARROW_TYPES, ids=str)
def test_every_arrow_type_has_its_logical_type(
    arrow_type: pa.DataType, expected: ds.LogicalType
) -> None:
    assert ds.logical_type(arrow_type) is expected
    assert ds.logical_type(pa.field("x", arrow_type)) is expected
    column = empty(arrow_type)
    assert ds.logical_type(column) is expected
    assert ds.logical_type(pa.chunked_array([column])) is expected
    table = pa.table({"x": column, "y": pa.array([], pa.float64())})
    assert ds.logical_types(table) == {"x": expected, "y": N}


def test_the_walk_covers_every_pyarrow_type_family() -> None:
    """A new Arrow type family in pyarrow fails here until it is classified above."""
    checks = [name for name in dir(pa.types) if name.startswith("is_")]
    covered = {name for name in checks if any(getattr(pa.types, name)(t) for t, _ in ARROW_TYPES)}
    # Predicates that are groupings of the families above, or of types pyarrow cannot build.
    groupings = {
        "is_boolean_value",
        "is_float_value",
        "is_integer_value",
        "is_nested",
        "is_union",
        "is_primitive",
        "is_temporal",
        "is_fixed_size_binary",
    }
    missing = sorted(set(checks) - covered - groupings)
    assert not missing, f"Arrow type families not walked: {missing}"


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (np.arange(3, dtype=np.int16), N),
        (np.arange(3, dtype=np.uint64), N),
        (np.zeros(3, dtype=np.float16), N),
        (np.zeros(3), N),
        (np.array([True]), B),
        (np.array(["a"]), C),
        (np.array([b"a"]), OT),
        (np.array(["a", None], dtype=object), C),
        (np.array([1.5, None], dtype=object), N),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), T),
        (np.array([1], dtype="timedelta64[s]"), N),
        (np.array([1j]), OT),
        (np.dtype("float32"), N),
        (pd.Series([1.0, 2.0]), N),
        (pd.Series(["a", "b"], dtype=object), C),
        (pd.Series(["a", "b"], dtype="string"), C),
        (pd.Series(["a", "b"], dtype="category"), C),
        (pd.Series([1, None], dtype="Int64"), N),
        (pd.Series([True, None], dtype="boolean"), B),
        (pd.Series(pd.to_datetime(["2024-01-01"])), T),
        (pd.Series(pd.to_datetime(["2024-01-01"]).tz_localize("UTC")), T),
        (pd.Series([1.0], dtype="float64[pyarrow]"), N),
        (pl.Series([1, 2]), N),
        (pl.Series(["a"]), C),
        (pl.Series(["a"], dtype=pl.Categorical), C),
        (pl.Series(["a"], dtype=pl.Enum(["a", "b"])), C),
        (pl.Series([True]), B),
        (pl.Series([datetime(2024, 1, 1)]).cast(pl.Datetime("ms")), T),
        (pl.Series([[1, 2]]), OT),
        ([1.0, 2.0], N),
        (["a", "b"], C),
        ([True, False], B),
    ],
    ids=lambda x: type(x).__name__ if not isinstance(x, ds.LogicalType) else x.value,
)
def test_columns_of_every_kind_are_classified(column: Any, expected: ds.LogicalType) -> None:
    assert ds.logical_type(column) is expected


def test_not_a_column_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot tell the type"):
        ds.logical_type(3.0)


@pytest.mark.parametrize(
    ("arrow_type", "numbers", "categories"),
    [
        (pa.float32(), True, False),
        (pa.int16(), True, True),
        (pa.bool_(), True, True),
        (pa.decimal128(10, 2), True, False),
        (pa.duration("ms"), True, False),
        (pa.string(), False, True),
        (pa.string_view(), False, True),
        (pa.dictionary(pa.int8(), pa.string()), False, True),
        (pa.dictionary(pa.int8(), pa.int64()), True, True),
        (pa.timestamp("us"), False, False),
        (pa.binary(), False, False),
        (pa.list_(pa.float64()), False, False),
    ],
    ids=str,
)
def test_what_the_kernels_read_follows_the_classifier(
    arrow_type: pa.DataType, numbers: bool, categories: bool
) -> None:
    values = {
        pa.types.is_floating: [1.5, None],
        pa.types.is_integer: [1, None],
        pa.types.is_boolean: [True, None],
        pa.types.is_decimal: [Decimal("1.5"), None],
        pa.types.is_duration: [5, None],
        pa.types.is_timestamp: [5, None],
        pa.types.is_list: [[1.0], None],
    }
    raw = next((v for check, v in values.items() if check(arrow_type)), ["a", None])
    if pa.types.is_dictionary(arrow_type):
        raw = [1, None] if pa.types.is_integer(arrow_type.value_type) else ["a", None]
        column = pa.array(raw, type=arrow_type.value_type).dictionary_encode()
        column = column.cast(arrow_type)
    elif pa.types.is_binary(arrow_type):
        column = pa.array([b"a", None], type=arrow_type)
    else:
        column = pa.array(raw, type=arrow_type)

    def reads(kernel: Any) -> bool:
        try:
            kernel(column)
        except TypeError:
            return False
        return True

    assert reads(ds.Moments) is numbers
    assert reads(ds.CategoryCounts) is categories
    if numbers:
        m = ds.Moments(column)
        assert (m.count, m.null_count) == (1, 1)


def test_a_duration_column_is_read_as_counts_of_its_unit() -> None:
    m = ds.Moments(pa.array([1500, 2500], type=pa.duration("ms")))
    assert (m.mean, m.max) == (2000.0, 2500.0)


# --- tables as streams ----------------------------------------------------------------------


def _frame(n: int = 1000) -> pa.Table:
    rng = np.random.default_rng(3)
    x = rng.normal(size=n)
    cell = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    return pa.table(
        {
            "x": pa.array(x, mask=np.arange(n) % 10 == 0),
            "cell": pa.array(cell),
            "ok": pa.array(rng.random(n) < 0.5),
            "at": pa.array(np.arange(n).astype("datetime64[s]")),
        }
    )


def _write(table: pa.Table, path: Path) -> None:
    if path.suffix == ".parquet":
        pq.write_table(table, path, row_group_size=300)
    elif path.suffix == ".csv":
        pacsv.write_csv(table, path)
    else:
        feather.write_feather(table, path, chunksize=300)


TABLE_KINDS = {
    "pyarrow Table": lambda t, _: t,
    "pyarrow RecordBatch": lambda t, _: t.combine_chunks().to_batches()[0],
    "RecordBatchReader": lambda t, _: pa.RecordBatchReader.from_batches(
        t.schema, t.to_batches(max_chunksize=128)
    ),
    "polars DataFrame": lambda t, _: pl.from_arrow(t),
    "polars LazyFrame": lambda t, _: pl.from_arrow(t).lazy(),
    "pandas DataFrame": lambda t, _: t.to_pandas(),
    "parquet file": lambda t, d: _path(t, d / "t.parquet"),
    "csv file": lambda t, d: _path(t, d / "t.csv"),
    "arrow file": lambda t, d: _path(t, d / "t.arrow"),
    "glob": lambda t, d: _glob(t, d),
    "directory": lambda t, d: _directory(t, d),
}


def _path(t: pa.Table, path: Path) -> str:
    _write(t, path)
    return str(path)


def _glob(t: pa.Table, d: Path) -> str:
    _write(t.slice(0, 600), d / "part-1.parquet")
    _write(t.slice(600), d / "part-2.parquet")
    return str(d / "part-*.parquet")


def _directory(t: pa.Table, d: Path) -> str:
    (d / "data").mkdir()
    _write(t.slice(0, 500), d / "data" / "a.parquet")
    _write(t.slice(500), d / "data" / "b.parquet")
    return str(d / "data")


@pytest.mark.parametrize("kind", sorted(TABLE_KINDS))
def test_every_table_kind_reads_as_a_stream(kind: str, tmp_path: Path) -> None:
    table = _frame()
    source = TABLE_KINDS[kind](table, tmp_path)
    types = ds.logical_types(source)
    assert list(types)[:3] == ["x", "cell", "ok"]
    assert types["x"] is N and types["cell"] is C and types["ok"] is B
    # CSV has no types: its timestamps come back as timestamps all the same.
    assert types["at"] is T
    if kind == "RecordBatchReader":  # reading the schema did not consume the reader
        source = TABLE_KINDS[kind](table, tmp_path)
    rows, batches, _, _, columns = _core._scan_table(_tables.to_stream(source, batch_size=256))
    assert rows == 1000 and batches >= 1
    nulls = dict((name, n) for name, _, n in columns)
    # pandas holds a float column's nulls as NaN, and NaN stays NaN (not null) in driftscope.
    assert nulls["x"] == (0 if kind == "pandas DataFrame" else 100)
    again = tmp_path / "again"
    again.mkdir()
    selected = _tables.to_stream(TABLE_KINDS[kind](table, again), ["cell", "x"])
    assert [name for name, _, _ in _core._scan_table(selected)[4]] == ["cell", "x"]


def test_missing_columns_and_bad_paths_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'nope' is not in the table; its columns are: 'x'"):
        _tables.to_stream(_frame(10).select(["x"]), ["nope"])
    with pytest.raises(ValueError, match="no such file"):
        _tables.to_stream(str(tmp_path / "missing.parquet"))
    with pytest.raises(ValueError, match="no file matches"):
        _tables.to_stream(str(tmp_path / "*.parquet"))
    (tmp_path / "data.bin").write_bytes(b"x")
    with pytest.raises(ValueError, match="format"):
        _tables.to_stream(str(tmp_path / "data.bin"))
    with pytest.raises(TypeError, match="expected a table"):
        _tables.to_stream(42)
    with pytest.raises(TypeError, match="must be a table"):
        _core._scan_table(np.zeros(3))


def test_a_one_column_table_is_read_as_its_column() -> None:
    table = pa.table({"v": [1.0, 2.0, None]})
    m = ds.Moments(table)
    assert (m.count, m.null_count, m.mean) == (2, 1, 1.5)
    with pytest.raises(TypeError, match="'v'"):
        ds.Moments(pa.table({"v": ["a"]}))
    with pytest.raises(TypeError, match="table"):
        ds.Moments(pa.table({"a": [1.0], "b": [2.0]}))


def test_stream_errors_reach_the_caller_as_value_errors() -> None:
    schema = pa.schema([("v", pa.float64())])

    def broken() -> Any:
        yield pa.record_batch([pa.array([1.0])], schema=schema)
        raise OSError("the feed dropped")

    with pytest.raises(ValueError, match="the feed dropped"):
        ds.Moments(pa.RecordBatchReader.from_batches(schema, broken()))


# A generator-backed stream several GB long, produced lazily: peak memory must stay within a
# small multiple of one batch. Run in a fresh interpreter so its peak RSS is this test's own.
BOUNDED = textwrap.dedent(
    """
    import sys

    def peak_rss():  # this process's own high-water mark (ru_maxrss survives exec)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    import numpy as np, pyarrow as pa
    import driftscope as ds
    from driftscope import _core

    ROWS, BATCHES = 500_000, 400                      # 4 MB per float column per batch
    kind = sys.argv[1]
    schema = pa.schema([("x", pa.float64()), ("y", pa.float64()), ("cell", pa.string())])
    cells = pa.array(np.array(["a", "bb", "ccc", "dddd"])[np.arange(ROWS) % 4])

    def batches():
        base = np.arange(ROWS, dtype=np.float64)
        for i in range(BATCHES):
            yield pa.record_batch([pa.array(base + i), pa.array(base * 0.5), cells], schema=schema)

    def reader(names):
        sub = pa.schema([schema.field(n) for n in names])
        return pa.RecordBatchReader.from_batches(sub, (b.select(names) for b in batches()))

    warm = next(batches())                            # one batch, to size what a batch costs
    batch_bytes = warm.get_total_buffer_size()
    _core._scan_table(pa.Table.from_batches([warm]))  # load everything the run will use
    del warm
    before = peak_rss()
    if kind == "table":
        rows, n, _, _, _ = _core._scan_table(reader(["x", "y", "cell"]))
        assert (rows, n) == (ROWS * BATCHES, BATCHES)
    elif kind == "moments":
        m = ds.Moments(reader(["x"]))
        assert m.count == ROWS * BATCHES
    elif kind == "kll":
        k = ds.KLL(); k.update(reader(["y"]))
        assert k.n == ROWS * BATCHES
    elif kind == "categories":
        c = ds.CategoryCounts(reader(["cell"]))
        assert c.total == ROWS * BATCHES
    peak = peak_rss()
    streamed = ROWS * BATCHES * 8 * (3 if kind == "table" else 1)
    print(f"{kind}: streamed {streamed / 2**30:.1f} GiB, one batch {batch_bytes / 2**20:.0f} MiB, "
          f"peak grew {max(peak - before, 0) / 2**20:.0f} MiB")
    assert peak - before < 4 * batch_bytes, (peak - before, batch_bytes)
    """
)


@pytest.mark.parametrize("kind", ["table", "moments", "kll", "categories"])
def test_a_lazy_multi_gigabyte_stream_stays_in_bounded_memory(kind: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", BOUNDED, kind], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    print(done.stdout)
