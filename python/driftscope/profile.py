"""Table profiles: one streaming pass over any table, in Rust, mergeable, versioned, with
provenance.

``profile(table)`` reads a table (any kind ``driftscope._tables`` reads, paths included) one
record batch at a time and summarizes every column by its logical type, in Rust, columns in
parallel, with the GIL released. The :class:`Profile` holds the summaries and the metadata
needed to find, later, which data a problem came from.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from driftscope import _core, _tables
from driftscope._core import (
    KLL,
    CategoryCounts,
    DistinctCount,
    FrequentItems,
    Histogram,
    Moments,
)
from driftscope.errors import CorruptDataError, InvalidInputError, InvalidTypeError

__all__ = ["ColumnProfile", "Profile", "ProfileMetadata", "profile"]

#: Metadata keys driftscope sets; everything in ``ProfileMetadata.extra`` is the user's.
_FIELDS = (
    "name",
    "dataset",
    "stage",
    "data_version",
    "model_version",
    "created_at",
    "source",
    "driftscope_version",
    "schema_fingerprint",
)


@dataclass
class ProfileMetadata:
    """Where a profile's data came from: enough to find, later, which data a problem came from.

    ``source`` describes the input: its kind, and for files their paths, byte sizes and
    Parquet row groups. ``schema_fingerprint`` is a hash of the column names and Arrow types,
    so profiles of differently shaped data are easy to tell apart. ``extra`` holds the user's
    own ``metadata=`` entries.
    """

    name: str | None = None
    dataset: str | None = None
    stage: str | None = None
    data_version: str | None = None
    model_version: str | None = None
    created_at: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    driftscope_version: str | None = None
    schema_fingerprint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ProfileMetadata:
        known = {k: d[k] for k in _FIELDS if k in d}
        return cls(**known, extra=dict(d.get("extra", {})))


@dataclass(frozen=True)
class ColumnProfile:
    """One column of a :class:`Profile`: its counts and the summaries its logical type calls
    for (``None`` where the type has none).

    Numeric and temporal columns: ``moments``, ``kll``, ``histogram`` (the fine histogram:
    equal-width bins of a power-of-two width aligned on multiples of it, the smallest such
    window of ``grid[2]`` bins that covers the data, so any two profiles' histograms share
    bins), ``distinct``, and ``frequent`` for integers. Temporal columns add ``unit``, ``tz``
    and the exact ``min`` and ``max`` (integers of the unit since the epoch). Boolean columns:
    ``true_count``, ``false_count``. Categorical columns: ``counts`` (exact, while at most
    ``domain_limit`` distinct values were seen) or ``frequent`` (after), ``distinct`` and
    ``lengths`` (moments of the values' UTF-8 byte lengths).
    """

    name: str
    logical_type: _tables.LogicalType
    arrow_type: str
    rows: int
    null_count: int
    moments: Moments | None = None
    kll: KLL | None = None
    histogram: Histogram | None = None
    grid: tuple[int, int, int] | None = None
    distinct: DistinctCount | None = None
    frequent: FrequentItems | None = None
    counts: CategoryCounts | None = None
    lengths: Moments | None = None
    integer: bool | None = None
    unit: str | None = None
    tz: str | None = None
    min: int | None = None
    max: int | None = None
    true_count: int | None = None
    false_count: int | None = None
    domain_limit: int | None = None

    @property
    def missing_rate(self) -> float:
        """Nulls (and NaN, for numbers) per row."""
        nan = self.moments.nan_count if self.moments is not None else 0
        return (self.null_count + nan) / self.rows if self.rows else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Every count and statistic by name (summaries as their own ``to_dict`` or values)."""
        out: dict[str, Any] = {
            "name": self.name,
            "logical_type": str(self.logical_type),
            "arrow_type": self.arrow_type,
            "rows": self.rows,
            "null_count": self.null_count,
            "missing_rate": self.missing_rate,
        }
        if self.moments is not None:
            out["moments"] = self.moments.to_dict()
        if self.kll is not None and self.kll.n:
            qs = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
            out["quantiles"] = dict(zip(qs, map(float, self.kll.quantiles(qs)), strict=True))
        if self.histogram is not None and self.grid is not None:
            out["histogram"] = {
                "edges": self.histogram.edges.tolist(),
                "counts": self.histogram.counts.tolist(),
            }
        if self.distinct is not None:
            out["distinct"] = self.distinct.estimate
        if self.frequent is not None:
            out["frequent"] = [list(r) for r in self.frequent.frequent_items()[:20]]
        if self.counts is not None:
            out["counts"] = self.counts.to_dict()
        if self.lengths is not None and self.lengths.count:
            out["lengths"] = self.lengths.to_dict()
        for key in ("integer", "unit", "tz", "min", "max", "true_count", "false_count"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class Profile:
    """The profile of a table: per column its logical type, counts and summaries, the row
    count, and the metadata of where the data came from.

    Build one with :func:`profile`. Profiles of parts of a table ``merge`` into the profile
    of the whole (exactly for counts, moments, histograms and category counts; within their
    bounds for the sketches), serialize with a versioned header (``to_bytes``/``save``), and
    compare, validate and monitor.
    """

    __slots__ = ("_inner", "_loaded", "metadata")

    def __init__(self, inner: _core.Profile, metadata: ProfileMetadata | None = None) -> None:
        self._inner = inner
        # The metadata as read, so that bytes written back are the bytes read when it is
        # unchanged (whoever wrote them).
        self._loaded: dict[str, Any] | None = None
        if metadata is None:
            metadata = _read_metadata(inner.metadata)
            self._loaded = metadata.to_dict()
        self.metadata = metadata

    # --- what it holds -------------------------------------------------------------------

    @property
    def columns(self) -> list[str]:
        """The column names, in the table's order."""
        return self._inner.columns

    @property
    def num_rows(self) -> int:
        return self._inner.num_rows

    def __getitem__(self, name: str) -> ColumnProfile:
        d = dict(self._inner.column(name))
        d["logical_type"] = _tables.LogicalType(d["logical_type"])
        return ColumnProfile(**d)

    def __contains__(self, name: object) -> bool:
        return name in self._inner.columns

    def __iter__(self) -> Iterator[ColumnProfile]:
        return (self[name] for name in self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def logical_types(self) -> dict[str, _tables.LogicalType]:
        return {c.name: c.logical_type for c in self}

    # --- growing and combining -------------------------------------------------------------

    def update(self, batch: Any) -> Profile:
        """Adds the rows of ``batch`` (any table kind with the same columns) in place; returns
        this profile."""
        self._inner.update(_tables.to_stream(batch, self.columns))
        return self

    def merge(self, other: Profile) -> Profile:
        """Folds ``other`` (a profile of other rows of the same table) into this one, in
        place, and returns it. Associative and commutative. The columns must match by name,
        order and logical type (else ``IncompatibleError``, a ``ValueError``). The metadata
        keeps this profile's name and versions and lists both sources."""
        if not isinstance(other, Profile):
            raise InvalidTypeError(f"can only merge a Profile, not {type(other).__name__}")
        self._inner.merge(other._inner)
        mine, theirs = self.metadata, other.metadata
        parts = [s for s in (mine.source, theirs.source) if s]
        if parts:
            mine.source = {"kind": "merged", "parts": parts}
        self._sync()
        return self

    def copy(self) -> Profile:
        return Profile.from_bytes(self.to_bytes())

    # --- bytes and files -------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The profile in driftscope's versioned binary format (see the README)."""
        self._sync()
        return self._inner.to_bytes()

    @classmethod
    def from_bytes(cls, data: bytes | bytearray | memoryview) -> Profile:
        """Reads bytes written by ``to_bytes``; corrupted, truncated or future-version bytes
        raise ``CorruptDataError`` (a ``ValueError``) saying what is wrong."""
        return cls(_core.Profile.from_bytes(data))

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Writes the profile to ``path`` atomically (a temporary file renamed into place, so a
        crash never leaves a half-written profile or loses the old one); returns the path."""
        target = Path(path)
        data = self.to_bytes()
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Profile:
        """Reads a profile written by ``save``."""
        data = Path(path).read_bytes()
        try:
            return cls.from_bytes(data)
        except CorruptDataError as e:
            raise CorruptDataError(f"{os.fspath(path)}: {e}") from None

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return (Profile.from_bytes, (self.to_bytes(),))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Profile):
            return NotImplemented
        self._sync()
        other._sync()
        return self._inner == other._inner

    __hash__ = None  # type: ignore[assignment]

    # --- views -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The metadata, the row count and every column's ``to_dict()``."""
        return {
            "metadata": self.metadata.to_dict(),
            "num_rows": self.num_rows,
            "columns": {c.name: c.to_dict() for c in self},
        }

    def to_frame(self) -> Any:
        """One row per column (a pandas DataFrame): type, counts, missing rate and the main
        statistics."""
        import pandas as pd

        return pd.DataFrame([_row(c) for c in self]).set_index("column")

    def to_arrow(self) -> pa.Table:
        """``to_frame()`` as a pyarrow Table (no pandas needed)."""
        return pa.Table.from_pylist([_row(c) for c in self])

    def show(self, console: Any = None) -> None:
        """Prints a summary table to the terminal."""
        from driftscope.report.terminal import show_profile

        show_profile(self, console)

    def __repr__(self) -> str:
        name = f" {self.metadata.name!r}" if self.metadata.name else ""
        return f"<Profile{name}: {self.num_rows:,} rows × {len(self)} columns>"

    # --- internals -------------------------------------------------------------------------

    def _sync(self) -> None:
        current = self.metadata.to_dict()
        if current != self._loaded:
            self._inner.metadata = json.dumps(current, sort_keys=True)
            self._loaded = current


def _read_metadata(text: str) -> ProfileMetadata:
    if not text:
        return ProfileMetadata()
    try:
        return ProfileMetadata.from_dict(json.loads(text))
    except (ValueError, TypeError) as e:
        raise CorruptDataError(f"the profile's metadata is not valid: {e}") from None


def _row(c: ColumnProfile) -> dict[str, Any]:
    row: dict[str, Any] = {
        "column": c.name,
        "type": str(c.logical_type),
        "arrow_type": c.arrow_type,
        "rows": c.rows,
        "nulls": c.null_count,
        "missing_rate": c.missing_rate,
        "distinct": c.distinct.estimate if c.distinct is not None else None,
        "mean": None,
        "std": None,
        "min": None,
        "median": None,
        "max": None,
        "top": None,
    }
    if c.moments is not None and c.moments.count:
        row.update(mean=c.moments.mean, std=c.moments.std(), min=c.moments.min, max=c.moments.max)
        if c.kll is not None and c.kll.n:
            row["median"] = float(c.kll.quantile(0.5))
    if c.counts is not None and c.counts.total:
        top = max(zip(c.counts.counts, c.counts.categories, strict=True))
        row["top"] = str(top[1])
    elif c.frequent is not None and c.frequent.frequent_items():
        row["top"] = str(c.frequent.frequent_items()[0][0])
    elif c.true_count is not None:
        row["top"] = "true" if c.true_count >= (c.false_count or 0) else "false"
    return row


def _fingerprint(schema: pa.Schema) -> str:
    text = "\n".join(f"{f.name}\t{f.type}" for f in schema)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _source(table: Any, fmt: str | None) -> dict[str, Any]:
    """What the input was: its kind, and for files their paths, sizes and row groups."""
    if isinstance(table, (str, os.PathLike)):
        files = _tables.files_of(table, fmt)
        described = []
        for f in files:
            entry: dict[str, Any] = {"path": f, "bytes": os.path.getsize(f)}
            if f.lower().endswith((".parquet", ".pq", ".parq")):
                import pyarrow.parquet as pq

                entry["row_groups"] = pq.ParquetFile(f).metadata.num_row_groups
            described.append(entry)
        return {"kind": "files", "files": described}
    return {"kind": f"{type(table).__module__}.{type(table).__qualname__}"}


def profile(
    table: Any,
    columns: list[str] | None = None,
    name: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    reference: Profile | None = None,
    progress: bool | None = None,
    *,
    dataset: str | None = None,
    stage: str | None = None,
    data_version: str | None = None,
    model_version: str | None = None,
    format: str | None = None,
    batch_size: int = _tables.DEFAULT_BATCH_SIZE,
    kll_k: int = 200,
    grid_bins: int = 1024,
    lg_k: int = 12,
    frequent_map_size: int = 1024,
    domain_limit: int = 1000,
) -> Profile:
    """The :class:`Profile` of ``table``, in one streaming pass.

    ``table`` is any table kind or a path (file, directory or glob) of Parquet, CSV or Arrow
    IPC files; ``columns`` selects columns. ``name``, ``dataset``, ``stage``, ``data_version``,
    ``model_version`` and ``metadata`` (a dict of your own, JSON-serializable) are recorded
    with the creation time, the source (paths, sizes, row groups) and a schema fingerprint.

    ``reference`` (a profile of the same columns) checks that the columns match and profiles
    with the reference's options, so the two merge and compare bin by bin: numeric histograms
    of any two profiles share bins anyway (see :class:`ColumnProfile`), and categories are
    aligned by value.

    ``progress`` shows a progress bar (rows and bytes done, rate) when the input takes more
    than about a second and standard error is a terminal; ``False`` turns it off, ``True``
    forces it on.
    """
    if metadata is not None:
        try:
            json.dumps(dict(metadata))
        except TypeError as e:
            raise InvalidInputError(f"metadata must be JSON-serializable: {e}") from None
    options = {
        "kll_k": kll_k,
        "grid_bins": grid_bins,
        "lg_k": lg_k,
        "frequent_map_size": frequent_map_size,
        "domain_limit": domain_limit,
    }
    if reference is not None:
        if not isinstance(reference, Profile):
            raise InvalidTypeError(f"reference must be a Profile, not {type(reference).__name__}")
        options = _options_of(reference)
        if columns is None:
            columns = reference.columns
    schema = _tables.schema_of(table, format)
    if columns is not None:
        missing = [c for c in columns if c not in schema.names]
        if missing:
            raise InvalidInputError(
                f"column {missing[0]!r} is not in the table; its columns are: "
                + ", ".join(repr(n) for n in schema.names)
            )
        schema = pa.schema([schema.field(c) for c in columns])
    stream = _tables.to_stream(table, columns, batch_size=batch_size, format=format)
    total = _tables.row_count(table, format)
    with _Progress(stream, schema, total, progress) as watched:
        inner = _core.Profile.from_stream(watched, **options)
    if reference is not None:
        ref_types = reference.logical_types()
        for c in inner.columns:
            ours = _tables.LogicalType(inner.column(c)["logical_type"])
            if ref_types.get(c) not in (None, ours):
                raise InvalidInputError(
                    f"column {c!r} is {ours} here but {ref_types[c]} in the reference profile"
                )
    meta = ProfileMetadata(
        name=name,
        dataset=dataset,
        stage=stage,
        data_version=data_version,
        model_version=model_version,
        created_at=_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        source=_source(table, format),
        driftscope_version=_core.__version__,
        schema_fingerprint=_fingerprint(schema),
        extra=dict(metadata or {}),
    )
    result = Profile(inner, meta)
    result._sync()
    return result


def _options_of(p: Profile) -> dict[str, int]:
    """The options a profile was built with, read off its bytes' column summaries."""
    return dict(p._inner.options)


class _Progress:
    """Wraps a stream so that a rich progress bar follows it: rows and bytes done, rate. The
    bar appears only after about a second, only on a terminal (or when forced)."""

    DELAY = 1.0

    def __init__(self, stream: Any, schema: pa.Schema, total: int | None, on: bool | None):
        self.stream, self.schema, self.total = stream, schema, total
        self.on = on if on is not None else sys.stderr.isatty()
        self.bar: Any = None

    def __enter__(self) -> Any:
        if not self.on:
            return self.stream
        reader = pa.RecordBatchReader.from_stream(self.stream)
        return pa.RecordBatchReader.from_batches(reader.schema, self._follow(reader))

    def _follow(self, reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
        started = time.perf_counter()
        rows = nbytes = 0
        task = None
        for batch in reader:
            rows += batch.num_rows
            nbytes += batch.get_total_buffer_size()
            if self.bar is None and time.perf_counter() - started > self.DELAY:
                from rich.progress import (
                    BarColumn,
                    Progress,
                    TextColumn,
                    TimeElapsedColumn,
                )

                self.bar = Progress(
                    TextColumn("profiling"),
                    BarColumn(),
                    TextColumn("{task.completed:,.0f} rows"),
                    TextColumn("{task.fields[mb]:,.0f} MB"),
                    TextColumn("{task.fields[rate]:,.0f} rows/s"),
                    TimeElapsedColumn(),
                    transient=True,
                )
                self.bar.start()
                task = self.bar.add_task("profile", total=self.total, mb=0, rate=0)
            if self.bar is not None and task is not None:
                elapsed = max(time.perf_counter() - started, 1e-9)
                self.bar.update(task, completed=rows, mb=nbytes / 1e6, rate=rows / elapsed)
            yield batch

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
