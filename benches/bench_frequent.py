"""FrequentItems and DistinctCount against Apache DataSketches and pyarrow's exact counts.

Run: python -m pytest benches/bench_frequent.py --benchmark-only [--bench-n-small N]
Defaults: a 1M-row string column of 100,000 Zipf-distributed categories (cell ids), as a plain
Arrow string array and as a dictionary array. DataSketches' Python sketches take one item per
call, so their figure includes the Python loop a user of that package has to write;
`pyarrow.compute.value_counts` / `count_distinct` are the exact answers a sketch replaces.
"""

from __future__ import annotations

import datasketches
import pyarrow.compute as pc
import pytest

import driftscope as ds
from _data import STRING_CATEGORIES

frequent = pytest.mark.benchmark(group="FrequentItems")
frequent_dictionary = pytest.mark.benchmark(group="FrequentItems dictionary")
distinct = pytest.mark.benchmark(group="DistinctCount")


@pytest.fixture(scope="module")
def dictionary(strings):
    return strings.dictionary_encode()


@pytest.fixture(scope="module")
def items(strings):
    """The column as Python strings, for DataSketches' one-item-per-call updates."""
    return strings.to_pylist()


def ours_frequent(column) -> ds.FrequentItems:
    return ds.FrequentItems(column, max_map_size=1024)


def ours_distinct(column) -> ds.DistinctCount:
    return ds.DistinctCount(column, lg_k=12)


def fed(sketch, items: list[str]):
    """The DataSketches sketch after one update call per item, the loop its users write."""
    for x in items:
        sketch.update(x)
    return sketch


def theirs_frequent(items: list[str]) -> datasketches.frequent_strings_sketch:
    return fed(datasketches.frequent_strings_sketch(10), items)  # lg 10: a 1,024-slot map


def theirs_distinct(items: list[str]) -> datasketches.hll_sketch:
    return fed(datasketches.hll_sketch(12), items)


@frequent
def test_frequent_driftscope(bench, strings):
    bench.ours(
        "driftscope FrequentItems(max_map_size=1024)",
        lambda: ours_frequent(strings),
        title=f"frequent items of {len(strings):,} strings ({STRING_CATEGORIES:,} categories)",
    )


@frequent
def test_frequent_datasketches(bench, strings, items):
    bench.peer(
        "datasketches frequent_strings_sketch(10) loop",
        lambda: theirs_frequent(items),
        repeat=3,
    )
    ours, theirs = ours_frequent(strings), theirs_frequent(items)
    exact = {d["values"]: d["counts"] for d in pc.value_counts(strings).to_pylist()}
    top = sorted(exact, key=lambda k: -exact[k])[:5]
    bench.note(
        "top 5, exact / driftscope [lower, upper] / datasketches [lower, upper]: "
        + "; ".join(
            f"{k} {exact[k]} [{ours.lower_bound(k)}, {ours.upper_bound(k)}] "
            f"[{theirs.get_lower_bound(k)}, {theirs.get_upper_bound(k)}]"
            for k in top
        )
    )
    bench.note(
        f"maximum error: driftscope {ours.maximum_error}, datasketches "
        f"{theirs.get_upper_bound(top[0]) - theirs.get_lower_bound(top[0])}"
    )


@frequent
def test_frequent_pyarrow(bench, strings):
    bench.peer("pyarrow.compute.value_counts (exact)", lambda: pc.value_counts(strings))


@frequent_dictionary
def test_frequent_dictionary_driftscope(bench, dictionary):
    bench.ours(
        "driftscope FrequentItems (by dictionary key)",
        lambda: ours_frequent(dictionary),
        title="frequent items of the same column, dictionary-encoded",
    )


@frequent_dictionary
def test_frequent_dictionary_pyarrow(bench, dictionary):
    bench.peer("pyarrow.compute.value_counts (exact)", lambda: pc.value_counts(dictionary))


@distinct
def test_distinct_driftscope(bench, strings):
    bench.ours(
        "driftscope DistinctCount(lg_k=12)",
        lambda: ours_distinct(strings),
        title=f"distinct count of {len(strings):,} strings",
    )


@distinct
def test_distinct_datasketches(bench, strings, items):
    bench.peer("datasketches hll_sketch(12) loop", lambda: theirs_distinct(items), repeat=3)
    bench.note(
        f"estimate: driftscope {ours_distinct(strings).estimate:,.0f}, datasketches "
        f"{theirs_distinct(items).get_estimate():,.0f}, "
        f"exact {pc.count_distinct(strings).as_py():,}"
    )


@distinct
def test_distinct_pyarrow(bench, strings):
    bench.peer("pyarrow.compute.count_distinct (exact)", lambda: pc.count_distinct(strings))
