"""Table profiles: equal to the kernels column by column, the same from every input kind,
mergeable, and exact through bytes and files."""

from __future__ import annotations

import itertools
import math
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import driftscope as ds
from driftscope import _core
from helpers import close

N, C, T, B, OT = (
    ds.LogicalType.NUMERIC,
    ds.LogicalType.CATEGORICAL,
    ds.LogicalType.TEMPORAL,
    ds.LogicalType.BOOLEAN,
    ds.LogicalType.OTHER,
)


def mixed(n: int = 5000, seed: int = 0) -> pa.Table:
    """A table with a column of every kind, nulls, NaN and ±inf included."""
    rng = np.random.default_rng(seed)
    x = rng.normal(10.0, 3.0, n)
    x[rng.random(n) < 0.01] = np.nan
    x[:2] = [np.inf, -np.inf]
    cells = np.array([f"cell-{i:03d}" for i in range(40)])[rng.integers(0, 40, n)]
    return pa.table(
        {
            "kpi": pa.array(x, mask=rng.random(n) < 0.05),
            "count": pa.array(rng.poisson(3, n).astype(np.int64)),
            "small": pa.array(rng.integers(-5, 5, n).astype(np.int8)),
            "ratio": pa.array(rng.random(n).astype(np.float32)),
            "cell": pa.array(cells, mask=rng.random(n) < 0.02),
            "kind": pa.array(cells[: n % 7 + n - n % 7]).dictionary_encode(),
            "ok": pa.array(rng.random(n) < 0.7, mask=rng.random(n) < 0.1),
            "at": pa.array(
                (1_700_000_000_000_000 + rng.integers(0, 10**9, n)).astype("datetime64[us]")
            ),
            "day": pa.array(rng.integers(19000, 19500, n).astype(np.int32), pa.date32()),
            "latency": pa.array(rng.integers(1, 500, n), pa.duration("ms")),
            "price": pa.array([None] * n, pa.null()),
            "blob": pa.array([b"x"] * n),
        }
    )


def test_columns_get_the_summaries_of_their_logical_type() -> None:
    t = mixed()
    p = ds.profile(t)
    assert p.columns == t.column_names and p.num_rows == t.num_rows
    expected = {
        "kpi": N,
        "count": N,
        "small": N,
        "ratio": N,
        "cell": C,
        "kind": C,
        "ok": B,
        "at": T,
        "day": T,
        "latency": N,
        "price": OT,
        "blob": OT,
    }
    assert p.logical_types() == expected
    for c in p:
        assert c.rows == t.num_rows
        assert c.null_count == t.column(c.name).null_count or c.name == "price"
    assert p["price"].null_count == t.num_rows
    assert p["count"].frequent is not None and p["kpi"].frequent is None
    assert p["cell"].counts is not None and p["cell"].frequent is None
    assert p["at"].unit == "us" and p["day"].unit == "D"


def test_a_profile_equals_the_kernels_column_by_column() -> None:
    t = mixed(20_000)
    p = ds.profile(t, batch_size=4096)
    for name in ("kpi", "count", "small", "ratio", "latency"):
        c, col = p[name], t.column(name)
        if name == "latency":
            col = col.cast(pa.int64())
        m = ds.Moments(col)
        got = c.moments
        assert got is not None
        for attr in ("count", "null_count", "nan_count", "inf_count", "min", "max"):
            assert getattr(got, attr) == getattr(m, attr), (name, attr)
        for stat in ("mean", "sum"):
            assert close(getattr(got, stat), getattr(m, stat), 1e-12), (name, stat)
        assert close(got.variance(), m.variance(), 1e-12)
        assert close(got.skewness(), m.skewness(), 1e-10, scale=1.0)
        # KLL: identical to a KLL with the profile's seed fed the whole column at once (the
        # profile feeds it whole blocks gathered across batches, whatever the batches).
        k = ds.KLL(200, seed=_core.PROFILE_KLL_SEED)
        k.update(col.combine_chunks())
        assert c.kll is not None and c.kll.to_bytes() == k.to_bytes(), name
        # The fine histogram counts exactly what numpy counts on its edges.
        h = c.histogram
        assert h is not None
        values = col.to_numpy(zero_copy_only=False).astype(float)
        finite = values[np.isfinite(values)]
        np.testing.assert_array_equal(h.interior_counts, np.histogram(finite, h.edges)[0])
        assert h.underflow == int(np.sum(values == -np.inf))
        assert h.overflow == int(np.sum(values == np.inf))
        d = ds.DistinctCount(col) if name != "kpi" and name != "ratio" else None
        if d is not None:
            assert c.distinct == d, name
    cats = p["cell"].counts
    assert cats is not None
    assert cats.to_dict() == ds.CategoryCounts(t.column("cell")).to_dict()
    assert p["cell"].distinct == ds.DistinctCount(t.column("cell"))
    lengths = pa.compute.utf8_length(t.column("cell"))
    assert p["cell"].lengths is not None and p["cell"].lengths.mean == ds.Moments(lengths).mean
    ok = t.column("ok")
    assert p["ok"].true_count == pa.compute.sum(ok).as_py()
    assert p["ok"].false_count == len(ok) - ok.null_count - p["ok"].true_count
    at = t.column("at").cast(pa.int64())
    assert p["at"].min == pa.compute.min(at).as_py() and p["at"].max == pa.compute.max(at).as_py()


def test_sketches_do_not_depend_on_how_the_table_is_cut_into_batches() -> None:
    t = mixed(150_000).select(["kpi", "count", "at"])
    whole = ds.profile(t.combine_chunks())
    small = ds.profile(pa.Table.from_batches(t.to_batches(max_chunksize=999)))
    for name in t.column_names:
        a, b = whole[name].kll, small[name].kll
        assert a is not None and b is not None and a.to_bytes() == b.to_bytes(), name


INPUT_KINDS = {
    "pyarrow Table": lambda t, d: t,
    "RecordBatchReader": lambda t, d: pa.RecordBatchReader.from_batches(
        t.schema, t.to_batches(max_chunksize=777)
    ),
    "polars DataFrame": lambda t, d: pl.from_arrow(t),
    "polars LazyFrame": lambda t, d: pl.from_arrow(t).lazy(),
    "pandas DataFrame": lambda t, d: t.to_pandas(),
    "parquet file": lambda t, d: _parquet(t, d),
}


def _parquet(t: pa.Table, d: Path) -> str:
    pq.write_table(t, d / "t.parquet", row_group_size=1000)
    return str(d / "t.parquet")


def comparable(p: ds.Profile) -> dict[str, Any]:
    """A profile's content without what legitimately varies with the input kind: Arrow type
    names (polars writes string views), KLL bytes (they depend on batch boundaries), and
    float sums to the last bits."""
    out = {}
    for c in p:
        d = c.to_dict()
        d.pop("arrow_type")
        d.pop("quantiles", None)
        for key in ("moments", "lengths"):
            if key in d:
                d[key] = {k: _digits(v) for k, v in d[key].items()}
        out[c.name] = d
    return out


def _digits(v: Any) -> Any:
    """A float to 11 significant digits (NaN as a string, so that it equals itself)."""
    if isinstance(v, float):
        return "nan" if math.isnan(v) else float(f"{v:.10e}")
    return v


@pytest.mark.parametrize("kind", sorted(INPUT_KINDS))
def test_every_input_kind_gives_the_same_profile(kind: str, tmp_path: Path) -> None:
    # pandas has no binary, null or dictionary types, and no null apart from NaN in floats.
    t = mixed(3000).drop_columns(["blob", "price", "kind"])
    t = t.set_column(0, "kpi", pa.array(t.column("kpi").to_numpy(zero_copy_only=False)))
    reference = ds.profile(t)
    p = ds.profile(INPUT_KINDS[kind](t, tmp_path))
    assert p.columns == reference.columns
    assert comparable(p) == comparable(reference)
    for name in ("kpi", "count"):
        a, b = p[name].kll, reference[name].kll
        assert a is not None and b is not None
        r = ds.ks_sketch(a, b)
        assert r.statistic <= r.error_bound


values = hst.lists(
    hst.one_of(
        hst.none(),
        hst.floats(allow_nan=True, allow_infinity=True, width=64),
        hst.integers(-1000, 1000).map(float),
    ),
    min_size=1,
    max_size=300,
)


@given(values, hst.lists(hst.integers(0, 300), max_size=4), hst.booleans())
def test_a_table_split_anywhere_and_merged_equals_the_whole(
    xs: list[float | None], cuts: list[int], reverse: bool
) -> None:
    n = len(xs)
    words = [None if x is None else f"w{int(abs(x)) % 13 if math.isfinite(x) else 99}" for x in xs]
    t = pa.table(
        {
            "x": pa.array(xs, pa.float64()),
            "i": pa.array(
                [None if x is None or not abs(x) < 2**62 else int(x) for x in xs], pa.int64()
            ),
            "w": pa.array(words, pa.string()),
            "b": pa.array([None if x is None else (x > 0) for x in xs], pa.bool_()),
        }
    )
    whole = ds.profile(t)
    bounds = sorted({0, n, *[c % (n + 1) for c in cuts]})
    parts = [ds.profile(t.slice(a, b - a)) for a, b in itertools.pairwise(bounds) if b > a]
    if reverse:
        parts.reverse()
    merged = parts[0]
    for part in parts[1:]:
        merged.merge(part)
    assert merged.num_rows == whole.num_rows
    for c in whole:
        m = merged[c.name]
        assert (m.rows, m.null_count) == (c.rows, c.null_count)
        if c.moments is not None and m.moments is not None:
            for attr in ("count", "nan_count", "inf_count", "null_count", "min", "max"):
                a, b = getattr(m.moments, attr), getattr(c.moments, attr)
                assert a == b or (math.isnan(a) and math.isnan(b)), (c.name, attr)
            assert close(m.moments.mean, c.moments.mean, 1e-12, 1e-9)
        if c.histogram is not None and m.histogram is not None:
            assert m.grid == c.grid, c.name  # the same window: the grid is order-independent
            np.testing.assert_array_equal(m.histogram.counts, c.histogram.counts)
        if c.distinct is not None:
            assert m.distinct == c.distinct
        if c.counts is not None:
            assert m.counts is not None and m.counts.to_dict() == c.counts.to_dict()
        if c.true_count is not None:
            assert (m.true_count, m.false_count) == (c.true_count, c.false_count)
        if c.kll is not None and m.kll is not None and c.kll.n:
            assert m.kll.n == c.kll.n and m.kll.min == c.kll.min and m.kll.max == c.kll.max


def test_round_trips_through_bytes_files_and_pickle_are_exact(tmp_path: Path) -> None:
    p = ds.profile(mixed(), name="ref", dataset="cells", stage="raw", metadata={"team": "ran"})
    assert ds.Profile.from_bytes(p.to_bytes()) == p
    assert pickle.loads(pickle.dumps(p)) == p
    path = p.save(tmp_path / "ref.profile")
    q = ds.Profile.load(path)
    assert q == p and q.to_bytes() == p.to_bytes()
    assert q.metadata.name == "ref" and q.metadata.dataset == "cells"
    assert q.metadata.extra == {"team": "ran"}
    assert q.metadata.schema_fingerprint == p.metadata.schema_fingerprint
    # Saving again replaces the file atomically; no temporary file is left behind.
    p.save(path)
    assert sorted(x.name for x in tmp_path.iterdir()) == ["ref.profile"]


def test_corrupted_or_truncated_bytes_raise_value_error() -> None:
    data = ds.profile(mixed(500)).to_bytes()
    rng = np.random.default_rng(1)
    for i in rng.integers(0, len(data), 200):
        bad = bytearray(data)
        bad[i] ^= 0x5A
        with pytest.raises(ValueError):
            ds.Profile.from_bytes(bytes(bad))
    for n in (0, 3, 20, len(data) // 2, len(data) - 1):
        with pytest.raises(ValueError):
            ds.Profile.from_bytes(data[:n])
    with pytest.raises(ValueError, match="Moments"):
        ds.Profile.from_bytes(ds.Moments([1.0]).to_bytes())


def test_merging_mismatched_profiles_says_why() -> None:
    a = ds.profile(pa.table({"x": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="different columns"):
        a.merge(ds.profile(pa.table({"y": [1.0]})))
    with pytest.raises(ValueError, match="x"):
        a.merge(ds.profile(pa.table({"x": ["a"]})))
    with pytest.raises(ValueError, match="options"):
        a.merge(ds.profile(pa.table({"x": [1.0]}), kll_k=100))


def test_update_adds_rows_of_the_same_columns() -> None:
    t = mixed(2000)
    p = ds.profile(t.slice(0, 1200))
    p.update(t.slice(1200))
    whole = ds.profile(t)
    assert p.num_rows == 2000 and comparable(p) == comparable(whole)
    with pytest.raises(ValueError, match="'kpi' is not in the table"):
        p.update(pa.table({"other": [1]}))
    with pytest.raises(ValueError, match="differ"):
        p.update(t.slice(0, 5).set_column(0, "kpi", pa.array(["a"] * 5)))


def test_categorical_columns_switch_to_frequent_items_past_the_domain_limit() -> None:
    words = pa.array([f"id-{i % 3000}" for i in range(30_000)])
    p = ds.profile(pa.table({"w": words}), domain_limit=1000)
    c = p["w"]
    assert c.counts is None and c.frequent is not None
    assert abs(c.distinct.estimate - 3000) < 150
    small = ds.profile(pa.table({"w": words.slice(0, 500)}), domain_limit=1000)["w"]
    assert small.counts is not None and len(small.counts.categories) == 500
    assert small.distinct is not None and abs(small.distinct.estimate - 500) < 25
    # One batch with more new values than the exact counts can hold: none is lost from the
    # distinct count, and every frequent item's bounds hold the truth.
    many = pa.array([f"u{i}" for i in range(100_000)] + ["hot"] * 50_000)
    c = ds.profile(pa.table({"w": many}))["w"]
    assert c.frequent is not None and abs(c.distinct.estimate - 100_001) < 5_000
    top = c.frequent.frequent_items()[0]
    assert top[0] == "hot" and top[2] <= 50_000 <= top[3]


def test_views_and_metadata() -> None:
    p = ds.profile(mixed(), name="ref", data_version="v7", model_version="m3")
    frame = p.to_frame()
    assert list(frame.index) == p.columns and frame.loc["cell", "type"] == "categorical"
    assert p.to_arrow().num_rows == len(p.columns)
    d = p.to_dict()
    assert d["num_rows"] == p.num_rows and set(d["columns"]) == set(p.columns)
    assert d["metadata"]["data_version"] == "v7" and d["metadata"]["created_at"]
    assert repr(p).startswith("<Profile 'ref': 5,000 rows")


def test_source_records_files_sizes_and_row_groups(tmp_path: Path) -> None:
    t = mixed(3000)
    for i, part in enumerate((t.slice(0, 1000), t.slice(1000))):
        pq.write_table(part, tmp_path / f"part-{i}.parquet", row_group_size=500)
    p = ds.profile(str(tmp_path / "part-*.parquet"))
    files = p.metadata.source["files"]
    assert [Path(f["path"]).name for f in files] == ["part-0.parquet", "part-1.parquet"]
    assert [f["row_groups"] for f in files] == [2, 4]
    assert all(f["bytes"] > 0 for f in files)


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="expected a table"):
        ds.profile(42)
    with pytest.raises(ValueError, match="'nope' is not in the table"):
        ds.profile(mixed(10), columns=["nope"])
    with pytest.raises(ValueError, match="JSON"):
        ds.profile(mixed(10), metadata={"x": object()})
    with pytest.raises(ValueError, match="two columns named"):
        ds.profile(pa.table([pa.array([1]), pa.array([2])], names=["a", "a"]))


# Profiling a lazily generated 20M-row × 20-column stream keeps memory bounded.
STREAM = textwrap.dedent(
    """
    import numpy as np, pyarrow as pa, driftscope as ds

    def peak_rss():  # this process's own high-water mark (ru_maxrss survives exec)
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))

    ROWS, BATCHES = 65_536, 305                      # 20M rows
    fields = [(f"f{i}", pa.float64()) for i in range(15)]
    fields += [(f"c{i}", pa.string()) for i in range(5)]
    schema = pa.schema(fields)
    rng = np.random.default_rng(0)
    words = pa.array(np.array([f"w{i}" for i in range(50)])[rng.integers(0, 50, ROWS)])
    def batches():
        for i in range(BATCHES):
            nums = [pa.array(rng.normal(i, 1.0, ROWS)) for _ in range(15)]
            yield pa.record_batch(nums + [words] * 5, schema=schema)
    p = ds.profile(pa.RecordBatchReader.from_batches(schema, batches()), progress=False)
    assert p.num_rows == ROWS * BATCHES
    print("peak MB", peak_rss() // 2**20)
    """
)


@pytest.mark.slow
def test_profiling_a_20m_row_stream_stays_under_300_mb() -> None:
    done = subprocess.run(
        [sys.executable, "-c", STREAM], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peak = int(done.stdout.split("peak MB")[1])
    assert peak < 300, peak


def test_the_progress_bar_follows_the_stream_without_changing_the_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    profile_module = sys.modules["driftscope.profile"]  # driftscope.profile is the function
    monkeypatch.setattr(profile_module._Progress, "DELAY", 0.0)
    t = mixed(20_000)
    shown = ds.profile(t, progress=True, batch_size=1000)
    assert comparable(shown) == comparable(ds.profile(t, progress=False))
