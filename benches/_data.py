"""The benchmarks' data, one generator per kind, each with its own seed.

conftest.py turns these into session fixtures, so each array is made once and every benchmark
that reads it (driftscope and its peers alike) reads the same one. Seeds 0 and 1 are the old
scripts' for the data that was their generator's first draw, so those arrays are unchanged.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

ZIPF_A = 1.3  # the skew of the categorical columns: a few categories hold most rows
DICTIONARY_CATEGORIES = 1_000  # names of the dictionary column
STRING_CATEGORIES = 100_000  # cell ids the string column may take


def normal(n: int, seed: int, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """n float64 values from N(loc, scale²)."""
    return np.random.default_rng(seed).normal(loc, scale, size=n)


def normal_parts(parts: int, size: int, seed: int) -> list[np.ndarray]:
    """`parts` arrays of `size` standard normal values, as many sketches' inputs to merge."""
    rng = np.random.default_rng(seed)
    return [rng.normal(size=size) for _ in range(parts)]


def dictionary_column(n: int, categories: int, seed: int) -> pa.DictionaryArray:
    """n rows of a dictionary column; Zipf codes folded into `categories` names."""
    names = pa.array([f"category-{i:05d}" for i in range(categories)])
    codes = np.random.default_rng(seed).zipf(ZIPF_A, size=n) % categories
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), names)


def string_column(n: int, categories: int, seed: int) -> pa.StringArray:
    """n strings (cell ids) of Zipf frequency; the tail past `categories` piles on the last."""
    ids = np.minimum(np.random.default_rng(seed).zipf(ZIPF_A, size=n), categories) - 1
    names = np.array([f"cell-{i:06d}" for i in range(categories)], dtype=object)
    return pa.array(names[ids], type=pa.string())


def mixed_table(rows: int, seed: int, numeric: int = 15, categorical: int = 5) -> pa.Table:
    """A table of `numeric` float64 KPI columns (normal, each its own location and scale; a
    few with 1% nulls) and `categorical` string columns (Zipf over 50 to 5,000 categories)."""
    rng = np.random.default_rng(seed)
    cols: dict[str, pa.Array] = {}
    for i in range(numeric):
        values = rng.normal(10.0 * i, 1.0 + i, size=rows)
        mask = rng.random(rows) < 0.01 if i % 5 == 0 else None
        cols[f"kpi_{i:02d}"] = pa.array(values, mask=mask)
    for i in range(categorical):
        k = 50 * 10 ** (i % 3)
        names = np.array([f"value-{j:05d}" for j in range(k)], dtype=object)
        codes = np.minimum(rng.zipf(ZIPF_A, size=rows), k) - 1
        cols[f"cat_{i}"] = pa.array(names[codes], type=pa.string())
    return pa.table(cols)
