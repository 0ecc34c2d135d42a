from __future__ import annotations

import itertools
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
def gil_held_share() -> Callable[[Callable[[], object]], float]:
    """How long a call keeps the GIL: the longest stretch of the call during which a busy
    Python thread could not run, as a share of the call's length (the median over five calls).

    A busy thread records the time on every turn of its loop. A call that holds the GIL stops
    it for all of the native work, so the longest gap in its record spans most of the call
    (a share near 1). A call that releases the GIL lets it run alongside; its gaps are only the
    operating system's scheduling (a few milliseconds at most when the kernel's own threads
    take both cores), so on a call of 20 ms or more the share stays well below a half. The
    median ignores one call disturbed by the machine. Tests assert a share below 0.5.
    """

    def measure(fn: Callable[[], object]) -> float:
        stamps: list[float] = []
        running = True

        def record() -> None:
            clock, add = time.perf_counter, stamps.append
            while running:
                add(clock())

        old = sys.getswitchinterval()
        sys.setswitchinterval(1e-4)
        worker = threading.Thread(target=record)
        shares = []
        try:
            worker.start()
            time.sleep(0.02)
            for _ in range(5):
                stamps.clear()
                start = time.perf_counter()
                fn()
                end = time.perf_counter()
                seen = [start, *(s for s in list(stamps) if start <= s <= end), end]
                longest = max(b - a for a, b in itertools.pairwise(seen))
                shares.append(longest / (end - start))
        finally:
            running = False
            worker.join()
            sys.setswitchinterval(old)
        return sorted(shares)[len(shares) // 2]

    return measure
