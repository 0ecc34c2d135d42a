"""KLL sketches against Apache DataSketches' kll_doubles_sketch (the `datasketches` package).

Run: python -m pytest benches/bench_kll.py --benchmark-only [--bench-n N] [--bench-sketches S]
Defaults: 10M float64 values (k=200); 1,000 sketches of 10,000 values each to merge.
"""

from __future__ import annotations

import datasketches
import numpy as np
import pytest

import driftscope as ds

RANKS = np.linspace(0.01, 0.99, 99)
update = pytest.mark.benchmark(group="KLL update")
merge = pytest.mark.benchmark(group="KLL merge")


def max_rank_error(quantiles: np.ndarray, sorted_x: np.ndarray) -> float:
    lo = np.searchsorted(sorted_x, quantiles, side="left") / sorted_x.size
    hi = np.searchsorted(sorted_x, quantiles, side="right") / sorted_x.size
    return float(np.max(np.maximum(0.0, np.maximum(lo - RANKS, RANKS - hi))))


def ours_update(x: np.ndarray, seed: int | None = None) -> ds.KLL:
    s = ds.KLL(200, seed=seed)
    s.update(x)
    return s


def theirs_update(x: np.ndarray) -> datasketches.kll_doubles_sketch:
    s = datasketches.kll_doubles_sketch(200)
    s.update(x)
    return s


@pytest.fixture(scope="module")
def our_parts(kll_parts):
    return [ours_update(p, seed=i) for i, p in enumerate(kll_parts)]


@pytest.fixture(scope="module")
def their_parts(kll_parts):
    return [theirs_update(p) for p in kll_parts]


def merged(sketch, parts):
    """`sketch` after merging each of `parts` into it, one call a sketch."""
    for part in parts:
        sketch.merge(part)
    return sketch


@update
def test_update_driftscope(bench, ref):
    bench.ours(
        "driftscope KLL(200).update(x)",
        lambda: ours_update(ref),
        title=f"KLL(200) update of {ref.size:,} float64",
        repeat=3,
    )


@update
def test_update_datasketches(bench, ref):
    bench.peer(
        "datasketches kll_doubles_sketch(200).update(x)",
        lambda: theirs_update(ref),
        target=5,
        repeat=3,
    )
    a, b = ours_update(ref), theirs_update(ref)
    xs = np.sort(ref)
    err_a = max_rank_error(a.quantiles(RANKS), xs)
    err_b = max_rank_error(np.asarray(b.get_quantiles(RANKS)), xs)
    bench.note(
        f"max rank error over 99 quantiles: driftscope {err_a:.5f}, datasketches {err_b:.5f} "
        f"(bound {a.normalized_rank_error():.5f})"
    )
    # The bulk update compacts blocks of 32k values several levels at once, not in
    # DataSketches' order, so the same data gives another (no larger) sketch; the same content
    # gives the same bytes, which DataSketches' re-serialization shows.
    same = datasketches.kll_doubles_sketch.deserialize(a.to_bytes()).serialize() == a.to_bytes()
    bench.note(
        f"serialized size, {ref.size:,} values: driftscope {len(a.to_bytes()):,} B, "
        f"datasketches {len(b.serialize()):,} B; DataSketches re-serializes ours identically: "
        f"{same}"
    )
    one = ref[:1_000_000]
    a1, b1 = ours_update(one), theirs_update(one)
    bench.note(
        f"serialized size, {one.size:,} values: driftscope {len(a1.to_bytes()):,} B, "
        f"datasketches {len(b1.serialize()):,} B"
    )


@merge
def test_merge_driftscope(bench, our_parts):
    bench.ours(
        "driftscope KLL.merge x N",
        lambda: merged(ds.KLL(200), our_parts),
        title=f"merging {len(our_parts):,} KLL(200) sketches of {our_parts[0].n:,} values",
        repeat=3,
    )


@merge
def test_merge_datasketches(bench, our_parts, their_parts):
    bench.peer(
        "datasketches kll_doubles_sketch.merge x N",
        lambda: merged(datasketches.kll_doubles_sketch(200), their_parts),
        target=1,
        repeat=3,
    )
    size_a = len(merged(ds.KLL(200), our_parts).to_bytes())
    size_b = len(merged(datasketches.kll_doubles_sketch(200), their_parts).serialize())
    bench.note(
        f"serialized size after merge: driftscope {size_a:,} B, "
        f"datasketches {size_b:,} B (equal: {size_a == size_b})"
    )
