"""Golden KLL doubles sketches written by Apache DataSketches (the `datasketches` PyPI package,
5.2.0, which wraps datasketches-cpp).

`python gen_kll.py` writes `kll_<name>.bin` (the sketch's compact serialized bytes) and
`kll_cases.json` (what DataSketches answers for each: n, min, max, num_retained, quantiles at
ranks 0.01 .. 0.99 inclusive and exclusive, ranks and PMF at split points, rank errors), plus DataSketches' own maximum rank errors over
repeated trials, the bar our sketch's accuracy is held to. Each
case names its data by `_samples.sample` arguments, so the Rust test can regenerate it.
"""

import json
import os

import numpy as np
from datasketches import kll_doubles_sketch

from _samples import num, sample

HERE = os.path.dirname(os.path.abspath(__file__))
RANKS = [i / 100 for i in range(1, 100)]
SPLITS = [-2.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5]

# name, k, sizes of the parts (one part: plain updates; several: one sketch per part, merged),
# seed, ties, query before serializing (DataSketches then sorts level 0 and sets its flag).
CASES = [
    ("empty", 200, [0], 1, 0, False),
    ("one", 200, [1], 2, 0, False),
    ("n100", 200, [100], 3, 0, False),
    ("n200", 200, [200], 4, 0, False),
    ("n10k", 200, [10_000], 5, 0, False),
    ("n10k_sorted", 200, [10_000], 6, 0, True),
    ("n200k", 200, [200_000], 7, 0, False),
    ("n1m", 200, [1_000_000], 8, 0, False),
    ("ties100k", 200, [100_000], 9, 50, False),
    ("k64_n50k", 64, [50_000], 10, 0, False),
    ("merged16", 200, [20_000] * 16, 11, 0, False),
]


# Accuracy trials: a permutation of 0 .. n-1 (value (i * MULT + offset) % n at position i), so the
# true inclusive rank of a returned quantile v is exactly (v + 1) / n. Trial t uses offset t; the
# variation between trials comes from DataSketches' random compaction coins.
ACC_N, ACC_K, ACC_MULT, ACC_TRIALS = 200_000, 200, 100_003, 20


def max_rank_error(sketch):
    q = np.array(sketch.get_quantiles(RANKS, True))
    return float(np.max(np.abs((q + 1) / ACC_N - np.array(RANKS))))


def accuracy():
    errors = []
    for t in range(ACC_TRIALS):
        data = ((np.arange(ACC_N, dtype=np.int64) * ACC_MULT + t) % ACC_N).astype(np.float64)
        sketch = kll_doubles_sketch(ACC_K)
        sketch.update(data)
        errors.append(max_rank_error(sketch))
    return {"n": ACC_N, "k": ACC_K, "mult": ACC_MULT, "max_rank_errors": errors}


def main():
    out = []
    for name, k, parts, seed, ties, query in CASES:
        sketch = kll_doubles_sketch(k)
        for i, size in enumerate(parts):
            data = np.array(sample(seed * 1000 + i, size, ties, 0.0), dtype=np.float64)
            if len(parts) == 1:
                sketch.update(data)
            else:
                part = kll_doubles_sketch(k)
                part.update(data)
                sketch.merge(part)
        if query and not sketch.is_empty():
            sketch.get_quantile(0.5)
        blob = sketch.serialize()
        with open(os.path.join(HERE, f"kll_{name}.bin"), "wb") as fh:
            fh.write(blob)
        case = {
            "name": name, "k": k, "parts": parts, "seed": seed, "ties": ties,
            "n": sketch.n, "num_retained": sketch.num_retained,
            "estimation_mode": sketch.is_estimation_mode(),
            "rank_error": num(sketch.normalized_rank_error(False)),
            "rank_error_pmf": num(sketch.normalized_rank_error(True)),
            "bytes": len(blob),
        }
        if not sketch.is_empty():
            case.update({
                "min": num(sketch.get_min_value()), "max": num(sketch.get_max_value()),
                "quantiles_inclusive": [num(q) for q in sketch.get_quantiles(RANKS, True)],
                "quantiles_exclusive": [num(q) for q in sketch.get_quantiles(RANKS, False)],
                "ranks_inclusive": [num(sketch.get_rank(x, True)) for x in SPLITS],
                "ranks_exclusive": [num(sketch.get_rank(x, False)) for x in SPLITS],
                "pmf_inclusive": [num(p) for p in sketch.get_pmf(SPLITS, True)],
                "cdf_exclusive": [num(p) for p in sketch.get_cdf(SPLITS, False)],
            })
        out.append(case)
    with open(os.path.join(HERE, "kll_cases.json"), "w") as fh:
        json.dump({"ranks": RANKS, "splits": SPLITS, "cases": out, "accuracy": accuracy()}, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
