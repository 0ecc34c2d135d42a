"""Table profiles against reading the same file and against whylogs.

Run: python -m pytest benches/bench_profile.py --benchmark-only [--bench-n-small N]
     [--bench-whylogs-python /path/to/venv/bin/python]

The file: `n-small` rows (default 1,000,000) × 20 columns (15 float64 KPIs, 5 strings) in
Parquet. `driftscope.profile(path)` reads it batch by batch and summarizes every column;
`pyarrow.parquet.read_table(path)` only reads it into memory; whylogs (in its own
environment, it needs numpy<2) profiles the pandas frame of the same file (`why.log(df)`,
reading excluded). The streaming group profiles a Parquet file of 2 x n rows (default 20M)
in a fresh process and reports its peak memory and rows per second per core.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

import _data
import driftscope as ds


@pytest.fixture(scope="session")
def parquet_1m(sizes: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("profile") / "table.parquet"
    pq.write_table(_data.mixed_table(sizes.n_small, seed=11), path, row_group_size=131_072)
    return path


@pytest.mark.benchmark(group="profile")
def test_driftscope(bench: Any, parquet_1m: Path, sizes: Any) -> None:
    bench.ours(
        "driftscope.profile(path)",
        lambda: ds.profile(parquet_1m, progress=False),
        title=f"Profile a {sizes.n_small:,}-row x 20-column Parquet file (15 numeric, 5 text)",
        repeat=5,
    )
    p = ds.profile(parquet_1m, progress=False)
    bench.note(f"profile: {len(p.to_bytes()) / 1e3:,.0f} kB serialized, {p.num_rows:,} rows")


@pytest.mark.benchmark(group="profile")
def test_pyarrow_read(bench: Any, parquet_1m: Path) -> None:
    bench.peer(
        "pyarrow.parquet.read_table(path) (read only)",
        lambda: pq.read_table(parquet_1m),
        target=1 / 1.5,
        target_note="i.e. profiling takes <= 1.5x the read",
        repeat=5,
    )


WHYLOGS = textwrap.dedent(
    """
    import sys, time
    import pandas as pd, whylogs as why
    df = pd.read_parquet(sys.argv[1])
    best = float("inf")
    for _ in range(int(sys.argv[2])):
        t0 = time.perf_counter()
        why.log(df)
        best = min(best, time.perf_counter() - t0)
    print(f"seconds={best}")
    """
)


@pytest.mark.benchmark(group="profile")
def test_whylogs(bench: Any, parquet_1m: Path, pytestconfig: pytest.Config) -> None:
    python = pytestconfig.getoption("bench_whylogs_python")
    if not python:
        bench.note(
            "whylogs not run: pass --bench-whylogs-python (a venv with whylogs, numpy<2, "
            "pandas<2.3, pyarrow<19; see the README)"
        )
        pytest.skip("no whylogs environment")
    rounds = "2" if bench_enabled(pytestconfig) else "1"
    bench.external(
        "whylogs why.log(pandas_df) (own environment)",
        [python, "-c", WHYLOGS, str(parquet_1m), rounds],
        target=50,
    )


def bench_enabled(config: pytest.Config) -> bool:
    return not config.getoption("benchmark_disable")


STREAM = textwrap.dedent(
    """
    import sys, time, os
    import driftscope as ds

    def peak_rss():
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))

    t0 = time.perf_counter()
    p = ds.profile(sys.argv[1], progress=False)
    seconds = time.perf_counter() - t0
    cores = len(os.sched_getaffinity(0))
    print(f"seconds={seconds}")
    print(f"rows={p.num_rows} peak_mb={peak_rss() / 2**20:.0f} cores={cores}")
    """
)


@pytest.fixture(scope="session")
def parquet_20m(sizes: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 x n rows of the same 20 columns, written a piece at a time (never whole in memory)."""
    rows = 2 * sizes.n
    path = tmp_path_factory.mktemp("stream") / "big.parquet"
    piece = min(rows, 1_000_000)
    schema = _data.mixed_table(1, seed=0).schema
    with pq.ParquetWriter(path, schema) as w:
        for i, start in enumerate(range(0, rows, piece)):
            w.write_table(_data.mixed_table(min(piece, rows - start), seed=100 + i))
    return path


@pytest.mark.benchmark(group="profile-stream")
def test_streaming_profile_memory(bench: Any, parquet_20m: Path, sizes: Any) -> None:
    out: dict[str, str] = {}

    def run() -> None:
        done = subprocess.run(
            [sys.executable, "-c", STREAM, str(parquet_20m)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        for line in done.stdout.split():
            key, _, value = line.partition("=")
            out[key] = value

    bench.ours(
        "driftscope.profile(path), fresh process",
        run,
        title=f"Streaming profile of a {2 * sizes.n:,}-row x 20-column Parquet file "
        f"({os.path.getsize(parquet_20m) / 2**20:,.0f} MiB)",
        repeat=1,
        min_time=0.0,
    )
    rows, seconds, cores = int(out["rows"]), float(out["seconds"]), int(out["cores"])
    bench.note(
        f"peak RSS {out['peak_mb']} MB (target < 300 MB); {rows / seconds:,.0f} rows/s, "
        f"{rows / seconds / cores:,.0f} rows/s per core ({cores} cores)"
    )
