"""Any table, or a path to one, as a stream of Arrow record batches: the one table reader.

Every part of driftscope that takes a *table* (profiles, comparisons, validation, monitoring,
the command line) asks this module for a stream and hands it to Rust, which reads it one
record batch at a time with the GIL released (``driftscope._core``'s table reader). Nothing
here reads a whole table into memory: memory stays bounded by the batch size.

Accepted tables:

* pyarrow ``Table``, ``RecordBatch``, ``RecordBatchReader`` and ``pyarrow.dataset`` datasets
  and scanners;
* polars ``DataFrame`` and ``LazyFrame`` (the lazy frame is executed by polars' streaming
  engine, batch by batch);
* pandas ``DataFrame`` (converted slice by slice, ``batch_size`` rows at a time);
* a path to a Parquet, CSV or Arrow IPC (Feather) file, a directory of them (hive
  partitions included) or a glob (``"data/2024-*.parquet"``); the format comes from the file
  extension, or from ``format=``;
* anything else exporting ``__arrow_c_stream__`` (DuckDB relations, arro3, nanoarrow).

pandas is never imported here; polars and ``pyarrow.dataset`` only when such an input comes.
"""

from __future__ import annotations

import enum
import glob
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from driftscope import _core
from driftscope.errors import InvalidInputError, InvalidTypeError

__all__ = ["DEFAULT_BATCH_SIZE", "LogicalType", "logical_type", "logical_types", "to_stream"]

#: Rows per record batch where driftscope chooses (paths, pandas): large enough for the
#: kernels' speed, small enough that a batch of 20 float columns is ~10 MB.
DEFAULT_BATCH_SIZE = 65_536

_FORMATS = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".parq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".arrow": "ipc",
    ".feather": "ipc",
    ".ipc": "ipc",
    ".arrows": "ipc",
}


class LogicalType(str, enum.Enum):
    """How driftscope treats a column (decided in one place, the Rust core's classifier)."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    TEMPORAL = "temporal"
    BOOLEAN = "boolean"
    OTHER = "other"

    def __str__(self) -> str:
        return self.value


def logical_type(column_or_type: Any) -> LogicalType:
    """The logical type driftscope gives a column (any column kind) or a type (a pyarrow
    ``DataType`` or ``Field``, a NumPy dtype): numeric, categorical, temporal, boolean or
    other. Reads types, not values, wherever the input allows."""
    return LogicalType(_core.logical_type(column_or_type))


def logical_types(table: Any) -> dict[str, LogicalType]:
    """The logical type of every column of ``table`` (any table kind or path), in order.
    Reads the schema only: a ``RecordBatchReader`` is not consumed."""
    return {name: LogicalType(kind) for name, kind in _core.schema_logical_types(schema_of(table))}


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def _is_path(obj: Any) -> bool:
    return isinstance(obj, (str, os.PathLike))


def _format_of(path: str, format: str | None) -> str:
    if format is not None:
        if format not in ("parquet", "csv", "ipc", "arrow", "feather"):
            raise InvalidInputError(
                f"format={format!r} is not one driftscope reads; use 'parquet', 'csv' or 'ipc'"
            )
        return "ipc" if format in ("arrow", "feather") else format
    name = path.lower()
    for suffix in (".gz", ".bz2", ".zst", ".lz4"):
        name = name.removesuffix(suffix)
    fmt = _FORMATS.get(Path(name).suffix)
    if fmt is None:
        raise InvalidInputError(
            f"cannot tell the format of {path!r} from its extension; name it .parquet, .csv "
            "or .arrow/.feather, or pass format='parquet' (or 'csv', 'ipc')"
        )
    return fmt


def _dataset(path: Any, format: str | None) -> Any:
    """A ``pyarrow.dataset`` over the file, directory or glob ``path``. String columns are
    read as dictionaries (Parquet decodes its dictionary pages straight into them; CSV
    dictionary-encodes as it parses): a categorical column is then counted by key, and the
    file reads about twice as fast as into plain strings."""
    import pyarrow.dataset as pads

    text = os.fspath(path)
    if any(ch in text for ch in "*?["):
        files = sorted(glob.glob(text, recursive=True))
        if not files:
            raise InvalidInputError(f"no file matches {text!r}")
        source: Any = files
        fmt = _format_of(files[0], format)
    elif os.path.isdir(text):
        inside = sorted(
            p for p in Path(text).rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
        )
        if not inside:
            raise InvalidInputError(f"the directory {text!r} holds no data files")
        source, fmt = text, _format_of(str(inside[0]), format)
    elif not os.path.exists(text):
        raise InvalidInputError(f"no such file or directory: {text!r}")
    else:
        source, fmt = text, _format_of(text, format)
    extra: dict[str, Any] = {}
    if os.path.isdir(text):
        extra = {"partitioning": "hive", "exclude_invalid_files": True}
    plain = pads.dataset(source, format=fmt, **extra)
    strings = [
        f.name
        for f in plain.schema
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    if not strings:
        return plain
    if fmt == "parquet":
        options = pads.ParquetReadOptions(dictionary_columns=strings)
        return pads.dataset(source, format=pads.ParquetFileFormat(read_options=options), **extra)
    if fmt == "csv":
        import pyarrow.csv as pacsv

        convert = pacsv.ConvertOptions(auto_dict_encode=True)
        return pads.dataset(source, format=pads.CsvFileFormat(convert_options=convert), **extra)
    return plain


def _parquet_paths(path: Any, format: str | None) -> list[str] | None:
    """The files of a Parquet file or glob, in order; None for anything else (directories,
    which may hold hive partitions, and other formats go through ``pyarrow.dataset``).
    Plain Parquet files are read without ``pyarrow.dataset``, whose import alone costs ~50 MB
    of memory."""
    text = os.fspath(path)
    if os.path.isdir(text):
        return None
    if any(ch in text for ch in "*?["):
        files = sorted(glob.glob(text, recursive=True))
        if not files:
            raise InvalidInputError(f"no file matches {text!r}")
    elif not os.path.exists(text):
        raise InvalidInputError(f"no such file or directory: {text!r}")
    else:
        files = [text]
    return files if _format_of(files[0], format) == "parquet" else None


def _parquet_schema(files: list[str]) -> pa.Schema:
    """The first file's schema, strings as dictionaries (how they are read)."""
    import pyarrow.parquet as pq

    schema = pq.read_schema(files[0])
    return pa.schema(
        [
            f.with_type(pa.dictionary(pa.int32(), f.type))
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
            else f
            for f in schema
        ],
        metadata=schema.metadata,
    )


def files_of(path: Any, format: str | None = None) -> list[str]:
    """The data files a path (file, directory or glob) names, in the order they are read."""
    files = _parquet_paths(path, format)
    return files if files is not None else list(_dataset(path, format).files)


def row_count(table: Any, format: str | None = None) -> int | None:
    """The table's row count when it is known without reading it (in-memory tables, pandas
    and polars frames, Parquet files), else None."""
    if _is_path(table):
        files = files_of(table, format)
        if all(_format_of(f, format) == "parquet" for f in files):
            import pyarrow.parquet as pq

            return int(sum(pq.ParquetFile(f).metadata.num_rows for f in files))
        return None
    if isinstance(table, (pa.Table, pa.RecordBatch)):
        return int(table.num_rows)
    module = _module(table)
    if module in ("pandas", "polars") and hasattr(table, "shape") and not _is_lazy(table):
        return int(table.shape[0])
    return None


def _is_lazy(table: Any) -> bool:
    return type(table).__name__ == "LazyFrame"


def _check_columns(available: list[str], columns: list[str] | None) -> None:
    if columns is None:
        return
    missing = [c for c in columns if c not in available]
    if missing:
        raise InvalidInputError(
            f"column {missing[0]!r} is not in the table; its columns are: "
            + ", ".join(repr(a) for a in available)
        )


def schema_of(table: Any, format: str | None = None) -> pa.Schema:
    """The Arrow schema of ``table`` (any table kind or path), read without its rows and
    without consuming a one-shot reader."""
    if _is_path(table):
        files = _parquet_paths(table, format)
        if files is not None:
            return _parquet_schema(files)
        return _dataset(table, format).schema
    module = _module(table)
    if module == "polars":
        import polars as pl

        frame = table.lazy() if isinstance(table, pl.DataFrame) else table
        if isinstance(frame, pl.LazyFrame):
            return frame.head(0).collect().to_arrow().schema
    if module == "pandas" and hasattr(table, "columns"):
        return pa.Schema.from_pandas(table, preserve_index=False)
    schema = getattr(table, "schema", None)
    if isinstance(schema, pa.Schema):
        return schema
    if schema is not None and hasattr(schema, "__arrow_c_schema__"):
        return pa.schema(schema)
    if hasattr(table, "__arrow_c_schema__"):
        return pa.schema(table)
    if hasattr(table, "__arrow_c_stream__"):
        return pa.RecordBatchReader.from_stream(table).schema
    raise InvalidTypeError(_not_a_table(table))


def _not_a_table(table: Any) -> str:
    return (
        "expected a table: a pyarrow Table, RecordBatch or RecordBatchReader, a polars "
        "DataFrame or LazyFrame, a pandas DataFrame, a path (or directory, or glob) of "
        "Parquet, CSV or Arrow IPC files, or an object exporting __arrow_c_stream__; got "
        f"{type(table).__module__}.{type(table).__qualname__}"
    )


def _reader(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(schema, batches)


def _select(reader: pa.RecordBatchReader, columns: list[str] | None) -> pa.RecordBatchReader:
    if columns is None:
        return reader
    _check_columns(reader.schema.names, columns)
    schema = pa.schema([reader.schema.field(c) for c in columns])
    return _reader(schema, (batch.select(columns) for batch in reader))


def to_stream(
    table: Any,
    columns: list[str] | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    format: str | None = None,
) -> Any:
    """``table`` (any kind the module documentation lists) as an object exporting
    ``__arrow_c_stream__``, restricted to ``columns`` when given, read lazily.

    Paths, datasets, lazy frames and pandas frames are read ``batch_size`` rows at a time;
    tables already in memory keep their own chunks. A ``RecordBatchReader`` is consumed.
    """
    if batch_size < 1:
        raise InvalidInputError(f"batch_size must be at least 1, got {batch_size}")
    if _is_path(table):
        files = _parquet_paths(table, format)
        if files is not None:
            return _parquet_stream(files, columns, batch_size)
        table = _dataset(table, format)
    module = _module(table)
    if module == "pyarrow":
        return _pyarrow_stream(table, columns, batch_size)
    if module == "polars":
        return _polars_stream(table, columns, batch_size)
    if module == "pandas" and hasattr(table, "columns"):
        return _pandas_stream(table, columns, batch_size)
    if hasattr(table, "__arrow_c_stream__"):
        if columns is None:
            return table
        return _select(pa.RecordBatchReader.from_stream(table), columns)
    raise InvalidTypeError(_not_a_table(table))


#: Bytes read from a Parquet file at a time: with pre-buffering off, memory holds this much of
#: each column being decoded, not whole row groups (pyarrow's default pre-buffers row groups,
#: which took 3.5 GB to stream a 2.5 GB file).
PARQUET_BUFFER = 1 << 20


def _parquet_stream(files: list[str], columns: list[str] | None, batch_size: int) -> Any:
    """Parquet ``files`` read one after another in batches of ``batch_size`` rows, with
    bounded memory (see :data:`PARQUET_BUFFER`); strings as dictionaries."""
    import pyarrow.parquet as pq

    schema = _parquet_schema(files)
    _check_columns(schema.names, columns)
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    dictionary = [f.name for f in schema if pa.types.is_dictionary(f.type)]

    def batches() -> Iterator[pa.RecordBatch]:
        for path in files:
            f = pq.ParquetFile(
                path, pre_buffer=False, buffer_size=PARQUET_BUFFER, read_dictionary=dictionary
            )
            for batch in f.iter_batches(batch_size=batch_size, columns=schema.names):
                yield batch if batch.schema.equals(schema) else batch.cast(schema)

    return _reader(schema, batches())


def _pyarrow_stream(table: Any, columns: list[str] | None, batch_size: int) -> Any:
    if isinstance(table, pa.Table):
        _check_columns(table.column_names, columns)
        return table if columns is None else table.select(columns)
    if isinstance(table, pa.RecordBatch):
        _check_columns(table.schema.names, columns)
        return pa.Table.from_batches([table if columns is None else table.select(columns)])
    if isinstance(table, pa.RecordBatchReader):
        return _select(table, columns)
    if hasattr(table, "scanner"):  # pyarrow.dataset.Dataset
        _check_columns(table.schema.names, columns)
        return table.scanner(columns=columns, batch_size=batch_size).to_reader()
    if hasattr(table, "to_reader"):  # pyarrow.dataset.Scanner
        return _select(table.to_reader(), columns)
    if hasattr(table, "__arrow_c_stream__"):
        return _select(pa.RecordBatchReader.from_stream(table), columns)
    raise InvalidTypeError(_not_a_table(table))


def _polars_stream(table: Any, columns: list[str] | None, batch_size: int) -> Any:
    import polars as pl

    if isinstance(table, pl.DataFrame):
        _check_columns(table.columns, columns)
        return table if columns is None else table.select(columns)
    if isinstance(table, pl.LazyFrame):
        names = table.collect_schema().names()
        _check_columns(names, columns)
        frame = table if columns is None else table.select(columns)
        schema = frame.head(0).collect().to_arrow().schema

        def batches() -> Iterator[pa.RecordBatch]:
            for part in frame.collect_batches(chunk_size=batch_size):
                yield from part.to_arrow().cast(schema).to_batches()

        return _reader(schema, batches())
    raise InvalidTypeError(_not_a_table(table))


def _pandas_stream(frame: Any, columns: list[str] | None, batch_size: int) -> Any:
    names = [str(c) for c in frame.columns]
    _check_columns(names, columns)
    if columns is not None:
        frame = frame[columns]
    # One schema for every slice, inferred from the whole frame (an object column that is
    # None in one slice must not turn into the null type there).
    schema = pa.Schema.from_pandas(frame, preserve_index=False)

    def batch(part: Any) -> pa.RecordBatch:
        arrays = []
        for name, f in zip(part.columns, schema, strict=True):
            s = part[name]
            if getattr(s.dtype, "kind", "") == "f":
                # A plain float column keeps NaN as NaN (pandas cannot hold a null there).
                arrays.append(pa.array(s.to_numpy(), type=f.type, from_pandas=False))
            else:
                arrays.append(pa.array(s, type=f.type, from_pandas=True))
        return pa.RecordBatch.from_arrays(arrays, schema=schema)

    def batches() -> Iterator[pa.RecordBatch]:
        for start in range(0, len(frame), batch_size):
            yield batch(frame.iloc[start : start + batch_size])

    return _reader(schema, batches())
