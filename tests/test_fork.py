"""A process that used a parallel kernel can fork, and the child runs parallel kernels.

driftscope runs inside Spark's Python workers, multiprocessing pools with the fork start
method and pre-forking servers. A thread pool does not survive fork (the child has only the
forking thread), so the native module keeps one pool per process and builds a new one in a
forked child. Each scenario runs in a fresh interpreter under a timeout, so a hang fails the
test instead of hanging the suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

SCENARIO = textwrap.dedent(
    """
    import multiprocessing as mp, sys, warnings
    import numpy as np
    import driftscope as ds

    x = np.random.default_rng(0).normal(size=4_000_000)   # big enough to use every thread
    y = x[::-1].copy()

    def kernels():
        assert ds.Moments(x).count == x.size
        assert ds.ks_2samp(x, y).statistic == 0.0
        ds.KLL().update(x)
        ds.Histogram(x, bins=100)
        ds.CategoryCounts((x * 10).astype(np.int64))

    def child(q):
        kernels()
        q.put("ok")

    if __name__ == "__main__":
        kernels()                          # the parent's pool is up and has run
        with warnings.catch_warnings():    # 3.12+ warns that fork in a threaded process may
            warnings.simplefilter("ignore", DeprecationWarning)   # deadlock: the point here
            ctx = mp.get_context("fork")
            q = ctx.Queue()
            procs = [ctx.Process(target=child, args=(q,)) for _ in range(GENERATIONS)]
            for p in procs:
                p.start()
            for p in procs:
                p.join(60)
        alive = [p for p in procs if p.is_alive()]
        for p in alive:
            p.kill()
        assert not alive, f"{len(alive)} forked children hung"
        assert [p.exitcode for p in procs] == [0] * len(procs), [p.exitcode for p in procs]
        assert [q.get(timeout=5) for _ in procs] == ["ok"] * len(procs)
        kernels()                          # and the parent's own pool still works
        print("fork ok")
    """
)


@pytest.mark.parametrize("generations", [1, 3])
def test_child_of_a_fork_runs_parallel_kernels(generations: int) -> None:
    script = SCENARIO.replace("GENERATIONS", str(generations))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "fork ok" in done.stdout


def test_grandchild_of_a_fork_runs_parallel_kernels() -> None:
    """A forked child that forks again (a worker of a forked server) still gets a pool."""
    script = textwrap.dedent(
        """
        import os, sys, warnings
        import numpy as np
        import driftscope as ds

        warnings.simplefilter("ignore", DeprecationWarning)
        x = np.random.default_rng(1).normal(size=4_000_000)
        ds.Moments(x)
        for depth in range(3):
            pid = os.fork()
            if pid:                              # parent: wait for the child, pass its status on
                _, status = os.waitpid(pid, 0)
                os._exit(os.waitstatus_to_exitcode(status))
            ds.Moments(x); ds.ks_2samp(x, x[::-1].copy())
        print("depth 3 ok", flush=True)
        os._exit(0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "depth 3 ok" in done.stdout
