"""KLL sketches against Apache DataSketches' kll_doubles_sketch (the `datasketches` package).

Run: python benches/bench_kll.py [--n N] [--sketches S]
Ratios are peer time / driftscope time: above 1 means driftscope is faster.
Defaults: 10M float64 values (k=200); 1,000 sketches of 10,000 values each to merge.
"""

from __future__ import annotations

import argparse

import datasketches
import numpy as np

import driftscope as ds
from _harness import best_time, report

RANKS = np.linspace(0.01, 0.99, 99)


def max_rank_error(quantiles: np.ndarray, sorted_x: np.ndarray) -> float:
    lo = np.searchsorted(sorted_x, quantiles, side="left") / sorted_x.size
    hi = np.searchsorted(sorted_x, quantiles, side="right") / sorted_x.size
    return float(np.max(np.maximum(0.0, np.maximum(lo - RANKS, RANKS - hi))))


def ours_update(x: np.ndarray) -> ds.KLL:
    s = ds.KLL(200)
    s.update(x)
    return s


def theirs_update(x: np.ndarray) -> datasketches.kll_doubles_sketch:
    s = datasketches.kll_doubles_sketch(200)
    s.update(x)
    return s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000_000)
    parser.add_argument("--sketches", type=int, default=1_000)
    args = parser.parse_args()
    x = np.random.default_rng(0).normal(size=args.n)

    ours = best_time(lambda: ours_update(x), repeat=3)
    theirs = best_time(lambda: theirs_update(x), repeat=3)
    report(
        f"KLL(200) update of {args.n:,} float64",
        ("driftscope KLL(200).update(x)", ours),
        [("datasketches kll_doubles_sketch(200).update(x)", theirs, ">= 5x")],
    )
    xs = np.sort(x)
    a, b = ours_update(x), theirs_update(x)
    err_a = max_rank_error(a.quantiles(RANKS), xs)
    err_b = max_rank_error(np.asarray(b.get_quantiles(RANKS)), xs)
    print(
        f"  max rank error over 99 quantiles: driftscope {err_a:.5f}, datasketches {err_b:.5f} "
        f"(bound {a.normalized_rank_error():.5f})"
    )
    # The bulk update compacts blocks of 32k values several levels at once, not in
    # DataSketches' order, so the same data gives another (no larger) sketch; the same content
    # gives the same bytes, which DataSketches' re-serialization shows.
    same = datasketches.kll_doubles_sketch.deserialize(a.to_bytes()).serialize() == a.to_bytes()
    print(
        f"  serialized size, {args.n:,} values: driftscope {len(a.to_bytes()):,} B, "
        f"datasketches {len(b.serialize()):,} B; DataSketches re-serializes ours identically: "
        f"{same}"
    )
    one = x[:1_000_000]
    a1, b1 = ours_update(one), theirs_update(one)
    print(
        f"  serialized size, {one.size:,} values: driftscope {len(a1.to_bytes()):,} B, "
        f"datasketches {len(b1.serialize()):,} B"
    )

    rng = np.random.default_rng(1)
    parts = [rng.normal(size=10_000) for _ in range(args.sketches)]
    ours_parts = []
    for i, p in enumerate(parts):
        s = ds.KLL(200, seed=i)
        s.update(p)
        ours_parts.append(s)
    theirs_parts = [theirs_update(p) for p in parts]

    def ours_merge() -> ds.KLL:
        m = ds.KLL(200)
        for s in ours_parts:
            m.merge(s)
        return m

    def theirs_merge() -> datasketches.kll_doubles_sketch:
        m = datasketches.kll_doubles_sketch(200)
        for s in theirs_parts:
            m.merge(s)
        return m

    ours = best_time(ours_merge, repeat=3)
    theirs = best_time(theirs_merge, repeat=3)
    report(
        f"merging {args.sketches:,} KLL(200) sketches of 10,000 values",
        ("driftscope KLL.merge x N", ours),
        [("datasketches kll_doubles_sketch.merge x N", theirs, ">= 1x")],
    )
    m_a, m_b = ours_merge(), theirs_merge()
    size_a, size_b = len(m_a.to_bytes()), len(m_b.serialize())
    print(
        f"  serialized size after merge: driftscope {size_a:,} B, "
        f"datasketches {size_b:,} B (equal: {size_a == size_b})"
    )


if __name__ == "__main__":
    main()
