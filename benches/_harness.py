"""Shared timing helpers for the benchmarks: best-of-N wall time and a ratio table."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Any


def best_time(fn: Callable[[], Any], repeat: int = 7, min_time: float = 0.2) -> float:
    """Best wall time of one call, over `repeat` rounds of at least `min_time` seconds each."""
    fn()  # warm up: first-touch page faults, lazy imports, thread-pool start
    calls = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        if time.perf_counter() - t0 >= min_time / 4 or calls >= 1 << 16:
            break
        calls *= 2
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t0) / calls)
    return best


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
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def report(title: str, ours: tuple[str, float], peers: list[tuple[str, float, str]]) -> None:
    """Prints our time, each peer's time and the ratio peer/ours with its target."""
    name, t = ours
    print(f"\n{title}\n  machine: {machine()}")
    print(f"  {name:<44} {t * 1e3:10.2f} ms")
    for peer, tp, target in peers:
        ratio = tp / t
        print(f"  {peer:<44} {tp * 1e3:10.2f} ms   ratio {ratio:6.2f}x   (target {target})")
