"""pytest-benchmark plumbing for benches/: sizes, the shared data, the timing method, the ratios.

Run: python -m pytest benches/ --benchmark-only [--bench-n N] [--bench-ratios-json PATH]
Each benchmark group holds one driftscope kernel and its peers, timed on the same data in one
process. A side's time is its best call; at the end of the session each group prints the ratio
peer time / driftscope time with its target (above 1 means driftscope is faster), and the same
table goes into pytest-benchmark's JSON (`--benchmark-json`, `--benchmark-autosave`) under
"driftscope_ratios" and, with `--bench-ratios-json PATH`, into a file of its own.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import _data

# option name, default (None: derived from --bench-n, so a smaller n scales everything down), help
SIZE_OPTIONS = [
    (
        "n",
        10_000_000,
        "values per large float64 sample and rows of the dictionary column; default 10,000,000",
    ),
    (
        "n-small",
        None,
        "values per sample of cramervonmises_2samp/anderson_ksamp and rows of the "
        "string column; default min(1,000,000, n)",
    ),
    ("batch", None, "values per batch tested against a reference ECDF; default min(100,000, n)"),
    ("sketches", None, "KLL sketches of 10,000 values to merge; default min(1,000, n / 10,000)"),
]
PART_SIZE = 10_000  # values per KLL sketch to merge
PACKAGES = ["driftscope", "numpy", "scipy", "pyarrow", "datasketches", "pytest-benchmark"]


def size(text: str) -> int:
    value = int(text.replace("_", "").replace(",", ""))
    if value < 1:
        raise ValueError(f"a size must be at least 1, not {value}")
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("driftscope benchmarks")
    for name, default, text in SIZE_OPTIONS:
        env = "DRIFTSCOPE_BENCH_" + name.upper().replace("-", "_")
        group.addoption(
            f"--bench-{name}",
            type=size,
            default=os.environ.get(env, default),
            help=f"{text} (environment: {env})",
        )
    group.addoption(
        "--bench-whylogs-python",
        metavar="PYTHON",
        default=os.environ.get("DRIFTSCOPE_BENCH_WHYLOGS_PYTHON"),
        help="a Python with whylogs installed (its own environment: whylogs needs numpy<2), "
        "to time whylogs against profiles (environment: DRIFTSCOPE_BENCH_WHYLOGS_PYTHON)",
    )
    group.addoption(
        "--bench-ratios-json",
        metavar="PATH",
        help="also write the table of ratios peer/driftscope to PATH as JSON",
    )


@dataclass(frozen=True)
class Sizes:
    n: int
    n_small: int
    batch: int
    sketches: int


def _sizes(config: pytest.Config) -> Sizes:
    n = config.getoption("bench_n")
    return Sizes(
        n=n,
        n_small=config.getoption("bench_n_small") or min(1_000_000, n),
        batch=config.getoption("bench_batch") or min(100_000, n),
        sketches=config.getoption("bench_sketches") or max(1, min(1_000, n // PART_SIZE)),
    )


# The data, made once per session; each fixture's seed is its own (see _data.py).


@pytest.fixture(scope="session")
def sizes(pytestconfig: pytest.Config) -> Sizes:
    return _sizes(pytestconfig)


@pytest.fixture(scope="session")
def ref(sizes: Sizes) -> np.ndarray:
    """N(0, 1): the sample of the one-sample benchmarks and the reference of the others."""
    return _data.normal(sizes.n, seed=0)


@pytest.fixture(scope="session")
def shifted(sizes: Sizes) -> np.ndarray:
    """N(0.001, 1): the second sample of the two-sample tests."""
    return _data.normal(sizes.n, seed=2, loc=0.001)


@pytest.fixture(scope="session")
def drifted(sizes: Sizes) -> np.ndarray:
    """N(0.05, 1.02²): the current column of the histogram divergences."""
    return _data.normal(sizes.n, seed=3, loc=0.05, scale=1.02)


@pytest.fixture(scope="session")
def batch(sizes: Sizes) -> np.ndarray:
    """N(0, 1): a batch tested against the reference's ECDF."""
    return _data.normal(sizes.batch, seed=4)


@pytest.fixture(scope="session")
def categories(sizes: Sizes) -> pa.DictionaryArray:
    return _data.dictionary_column(sizes.n, _data.DICTIONARY_CATEGORIES, seed=5)


@pytest.fixture(scope="session")
def strings(sizes: Sizes) -> pa.StringArray:
    return _data.string_column(sizes.n_small, _data.STRING_CATEGORIES, seed=0)


@pytest.fixture(scope="session")
def kll_parts(sizes: Sizes) -> list[np.ndarray]:
    return _data.normal_parts(sizes.sketches, PART_SIZE, seed=1)


# Timing: one side of a group per test.


@dataclass
class Side:
    name: str
    seconds: float
    target: float | None = None  # the least ratio peer/driftscope aimed at
    target_note: str = ""


@dataclass
class Group:
    title: str
    ours: Side | None = None
    peers: list[Side] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


GROUPS = pytest.StashKey[dict[str, Group]]()


def _calls_per_round(fn: Callable[[], Any], min_time: float) -> int:
    """Calls per round so that a round lasts at least min_time / 4, after one warm-up call."""
    fn()  # warm up: first-touch page faults, lazy imports, thread-pool start
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - t0 >= min_time / 4 or calls >= 1 << 16:
            return calls
        calls *= 2


class Bench:
    """Times one side of a benchmark group and records it for the ratio table.

    The method is the old scripts': a warm-up call, calls per round doubled until a round lasts
    `min_time` / 4, then `repeat` rounds through `benchmark.pedantic`; the side's time is its
    best round per call (pytest-benchmark's `min`). Fixed rounds instead of pytest-benchmark's
    own calibration keep slow peers (scipy takes seconds on 10M values) to a few calls, so its
    --benchmark-min-rounds/-max-time options do not apply here.
    """

    def __init__(self, benchmark: Any, groups: dict[str, Group]) -> None:
        if not benchmark.group:
            raise pytest.UsageError("a benchmark needs @pytest.mark.benchmark(group=...)")
        self._benchmark = benchmark
        self._groups = groups

    def ours(
        self,
        name: str,
        fn: Callable[[], Any],
        *,
        title: str,
        repeat: int = 7,
        min_time: float = 0.2,
    ) -> None:
        """Times driftscope's side; `title` heads the group in the ratio table."""
        self._benchmark.extra_info.update(side="driftscope", title=title)
        seconds = self._time(name, fn, repeat, min_time)
        if seconds is not None:
            group = self._group()
            group.title, group.ours = title, Side(name, seconds)

    def peer(
        self,
        name: str,
        fn: Callable[[], Any],
        *,
        target: float | None = None,
        target_note: str = "",
        repeat: int = 7,
        min_time: float = 0.2,
    ) -> None:
        """Times a peer; `target` is the least ratio peer/driftscope the project aims at."""
        self._benchmark.extra_info.update(side="peer", target=target)
        seconds = self._time(name, fn, repeat, min_time)
        if seconds is not None:
            self._group().peers.append(Side(name, seconds, target, target_note))

    def external(
        self,
        name: str,
        command: list[str],
        *,
        target: float | None = None,
        target_note: str = "",
    ) -> None:
        """A peer timed in another process (another environment): `command` prints
        `seconds=<best call>`, which is recorded as the peer's time."""
        self._benchmark.extra_info.update(side="peer", target=target, label=name)
        measured: list[float] = []

        def run() -> None:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(f"{name} failed: {done.stderr[-2000:]}")
            line = next(x for x in done.stdout.splitlines() if x.startswith("seconds="))
            measured.append(float(line.split("=", 1)[1]))

        self._benchmark.pedantic(run, rounds=1, iterations=1)
        if self._benchmark.enabled:
            self._group().peers.append(Side(name, min(measured), target, target_note))

    def note(self, text: str) -> None:
        """A line printed under the group's ratios (accuracy, sizes: what times do not show)."""
        self._benchmark.extra_info.setdefault("notes", []).append(text)
        if self._benchmark.enabled:
            self._group().notes.append(text)

    def _group(self) -> Group:
        key = self._benchmark.group
        return self._groups.setdefault(key, Group(title=key))

    def _time(self, name: str, fn: Callable[[], Any], repeat: int, min_time: float) -> float | None:
        """The best call's seconds; None under --benchmark-disable (one call, no timing)."""
        self._benchmark.extra_info["label"] = name
        enabled = self._benchmark.enabled
        calls = _calls_per_round(fn, min_time) if enabled else 1
        self._benchmark.pedantic(fn, rounds=repeat, iterations=calls)
        return float(self._benchmark.stats.stats.min) if enabled else None


@pytest.fixture
def bench(benchmark: Any, pytestconfig: pytest.Config) -> Bench:
    return Bench(benchmark, pytestconfig.stash.setdefault(GROUPS, {}))


# The ratio table: printed at the end of the session and saved as JSON.


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    threads = os.environ.get("RAYON_NUM_THREADS")
    pinned = f", RAYON_NUM_THREADS={threads}" if threads else ""
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}{pinned}"


def _version(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _target_text(side: Side) -> str:
    if side.target is None:
        return "-"
    return ", ".join(filter(None, [f">= {side.target:g}x", side.target_note]))


def ratio_table(config: pytest.Config) -> dict[str, Any]:
    """The ratios of this session as plain data: what is printed, for comparing runs later."""
    groups = []
    for key, group in config.stash.get(GROUPS, {}).items():
        ours = group.ours
        peers = []
        for peer in group.peers:
            ratio = peer.seconds / ours.seconds if ours else None
            met = None if ratio is None or peer.target is None else ratio >= peer.target
            peers.append(
                {
                    "name": peer.name,
                    "seconds": peer.seconds,
                    "ratio": ratio,
                    "target": peer.target,
                    "target_text": _target_text(peer),
                    "meets_target": met,
                }
            )
        groups.append(
            {
                "group": key,
                "title": group.title,
                "driftscope": {"name": ours.name, "seconds": ours.seconds} if ours else None,
                "peers": peers,
                "notes": group.notes,
            }
        )
    return {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "statistic": "min seconds per call",
        "sizes": asdict(_sizes(config)),
        "versions": {p: _version(p) for p in PACKAGES},
        "groups": groups,
    }


def _report_lines(table: dict[str, Any]) -> list[str]:
    lines = []
    for group in table["groups"]:
        lines += ["", group["title"], f"  machine: {table['machine']}"]
        ours = group["driftscope"]
        if ours:
            lines.append(f"  {ours['name']:<44} {ours['seconds'] * 1e3:10.2f} ms")
        for peer in group["peers"]:
            ratio = "    n/a" if peer["ratio"] is None else f"{peer['ratio']:6.2f}x"
            lines.append(
                f"  {peer['name']:<44} {peer['seconds'] * 1e3:10.2f} ms   ratio {ratio}   "
                f"(target {peer['target_text']})"
            )
        lines += [f"  {note}" for note in group["notes"]]
    return lines


@pytest.hookimpl(trylast=True)  # after pytest-benchmark's own tables
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    table = ratio_table(config)
    if not table["groups"]:
        return
    terminalreporter.section("ratios: peer time / driftscope time, best call (above 1: faster)")
    for line in _report_lines(table):
        terminalreporter.write_line(line)
    path = config.getoption("bench_ratios_json")
    if path:
        with open(path, "w") as f:
            json.dump(table, f, indent=2)
        terminalreporter.write_line(f"\nratios written to {path}")


def pytest_benchmark_update_json(
    config: pytest.Config, benchmarks: Any, output_json: dict[str, Any]
) -> None:
    output_json["driftscope_ratios"] = ratio_table(config)
