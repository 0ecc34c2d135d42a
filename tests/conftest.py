from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    deadline=None,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "100")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("default")


@pytest.fixture
def gil_ticks() -> Callable[[Callable[[], object]], int]:
    """Runs a call while a Python thread counts; returns the fewest ticks over five calls.
    With the GIL held for a whole call the counter cannot move while it runs."""

    def measure(fn: Callable[[], object]) -> int:
        ticks = 0
        running = True

        def count() -> None:
            nonlocal ticks
            while running:
                ticks += 1

        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-4)
        worker = threading.Thread(target=count)
        during = []
        try:
            worker.start()
            time.sleep(0.01)
            for _ in range(5):
                before = ticks
                fn()
                during.append(ticks - before)
        finally:
            running = False
            worker.join()
            sys.setswitchinterval(old)
        return max(during)

    return measure
