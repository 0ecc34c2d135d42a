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
