from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, settings

# Property tests give the same answer on every run: the default profile derandomizes
# hypothesis (its examples follow from each test's source) and keeps no example database, so a
# clean clone, CI and a developer's machine run the same examples.
#
# Exploration looks for new failures with 20x the examples and fresh randomness:
#     HYPOTHESIS_PROFILE=explore pytest          (or: pytest --hypothesis-profile=explore)
# Every failure it finds is fixed and kept as an @example on the test, so the deterministic
# run replays it forever.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "default",
    deadline=None,
    max_examples=100,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "explore",
    deadline=None,
    max_examples=2000,
    derandomize=False,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    print_blob=True,
    suppress_health_check=_QUIET,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(autouse=True)
def _seeded_random() -> None:
    """The stdlib's global random generator starts from the same state in every test."""
    random.seed(0)


@pytest.fixture
def gil_free_share() -> Callable[[Callable[[], object]], float]:
    """How freely a Python thread runs while ``fn`` runs: the median, over five calls, of the
    counts a busy Python thread makes during the call divided by the counts it makes in the
    same time while the main thread sleeps.

    A call that releases the GIL lets the counter run alongside it: a share of 0.2 to 0.9 on
    two cores, depending on how many the kernel's own threads take. A call that holds the GIL
    stops the counter for all of its length; only the bytecode around the native call can let
    it tick for a switch interval (0.1 ms), so on a call of 20 ms or more the share stays
    below a few hundredths. The median ignores a call during which the OS did not schedule the
    counter at all. Tests assert a share above 0.1 on calls that take 20 ms or more.
    """

    def measure(fn: Callable[[], object]) -> float:
        ticks = 0
        running = True

        def count() -> None:
            nonlocal ticks
            while running:
                ticks += 1

        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-4)
        worker = threading.Thread(target=count)
        shares = []
        try:
            worker.start()
            time.sleep(0.02)
            before, t0 = ticks, time.perf_counter()
            time.sleep(0.05)
            rate = (ticks - before) / (time.perf_counter() - t0)  # ticks per second, alone
            for _ in range(5):
                before, t0 = ticks, time.perf_counter()
                fn()
                elapsed = time.perf_counter() - t0
                shares.append((ticks - before) / (rate * elapsed))
        finally:
            running = False
            worker.join()
            sys.setswitchinterval(old)
        return sorted(shares)[len(shares) // 2]

    return measure
