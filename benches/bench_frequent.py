"""FrequentItems and DistinctCount against Apache DataSketches and pyarrow's exact counts.

Run: python benches/bench_frequent.py [--n N] [--categories C]
Ratios are peer time / driftscope time: above 1 means driftscope is faster.
Defaults: a 1M-row string column of 100,000 Zipf-distributed categories (cell ids), as a plain
Arrow string array and as a dictionary array. DataSketches' Python sketches take one item per
call, so their figure includes the Python loop a user of that package has to write;
`pyarrow.compute.value_counts` / `count_distinct` are the exact answers a sketch replaces.
"""

from __future__ import annotations

import argparse

import datasketches
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import driftscope as ds
from _harness import best_time, report


def column(n: int, categories: int) -> pa.Array:
    rng = np.random.default_rng(0)
    ids = np.minimum(rng.zipf(1.3, size=n), categories) - 1
    names = np.array([f"cell-{i:06d}" for i in range(categories)], dtype=object)
    return pa.array(names[ids], type=pa.string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--categories", type=int, default=100_000)
    args = parser.parse_args()
    strings = column(args.n, args.categories)
    dictionary = strings.dictionary_encode()
    items = strings.to_pylist()

    def ours_frequent(col: pa.Array) -> ds.FrequentItems:
        return ds.FrequentItems(col, max_map_size=1024)

    def theirs_frequent() -> datasketches.frequent_strings_sketch:
        s = datasketches.frequent_strings_sketch(10)  # lg 10: a 1,024-slot map
        for x in items:
            s.update(x)
        return s

    peers = [
        (
            "datasketches frequent_strings_sketch(10) loop",
            best_time(theirs_frequent, repeat=3),
            "-",
        ),
        ("pyarrow.compute.value_counts (exact)", best_time(lambda: pc.value_counts(strings)), "-"),
    ]
    report(
        f"frequent items of {args.n:,} strings ({args.categories:,} categories)",
        ("driftscope FrequentItems(max_map_size=1024)", best_time(lambda: ours_frequent(strings))),
        peers,
    )
    report(
        "frequent items of the same column, dictionary-encoded",
        (
            "driftscope FrequentItems (by dictionary key)",
            best_time(lambda: ours_frequent(dictionary)),
        ),
        [
            (
                "pyarrow.compute.value_counts (exact)",
                best_time(lambda: pc.value_counts(dictionary)),
                "-",
            )
        ],
    )
    ours, theirs = ours_frequent(strings), theirs_frequent()
    exact = {d["values"]: d["counts"] for d in pc.value_counts(strings).to_pylist()}
    top = sorted(exact, key=lambda k: -exact[k])[:5]
    print(
        "  top 5, exact / driftscope [lower, upper] / datasketches [lower, upper]: "
        + "; ".join(
            f"{k} {exact[k]} [{ours.lower_bound(k)}, {ours.upper_bound(k)}] "
            f"[{theirs.get_lower_bound(k)}, {theirs.get_upper_bound(k)}]"
            for k in top
        )
    )
    print(
        f"  maximum error: driftscope {ours.maximum_error}, datasketches "
        f"{theirs.get_upper_bound(top[0]) - theirs.get_lower_bound(top[0])}"
    )

    def ours_distinct(col: pa.Array) -> ds.DistinctCount:
        return ds.DistinctCount(col, lg_k=12)

    def theirs_distinct() -> datasketches.hll_sketch:
        s = datasketches.hll_sketch(12)
        for x in items:
            s.update(x)
        return s

    peers = [
        ("datasketches hll_sketch(12) loop", best_time(theirs_distinct, repeat=3), "-"),
        (
            "pyarrow.compute.count_distinct (exact)",
            best_time(lambda: pc.count_distinct(strings)),
            "-",
        ),
    ]
    report(
        f"distinct count of {args.n:,} strings",
        ("driftscope DistinctCount(lg_k=12)", best_time(lambda: ours_distinct(strings))),
        peers,
    )
    true = pc.count_distinct(strings).as_py()
    print(
        f"  estimate: driftscope {ours_distinct(strings).estimate:,.0f}, datasketches "
        f"{theirs_distinct().get_estimate():,.0f}, exact {true:,}"
    )


if __name__ == "__main__":
    main()
