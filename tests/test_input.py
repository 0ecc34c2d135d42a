"""The input layer: every column kind the SPEC lists, read in place where the layout allows."""

from __future__ import annotations

import decimal
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import driftscope as ds
from driftscope._core import _column_buffers

N = 10_000_000


def test_numpy_float64_10m_is_read_in_place() -> None:
    x = np.random.default_rng(1).normal(size=N)
    [(addr, length, ty)] = _column_buffers(x)
    assert (addr, length, ty) == (x.ctypes.data, N, "float64")


@pytest.mark.parametrize(
    "dtype",
    [
        "float64",
        "float32",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "bool",
    ],
)
def test_every_numeric_numpy_dtype_is_read_in_place(dtype: str) -> None:
    x = (np.arange(1000) % 7).astype(dtype)
    [(addr, length, ty)] = _column_buffers(x)
    assert (addr, length, ty) == (x.ctypes.data, 1000, dtype)


def test_pyarrow_array_with_offset_is_read_in_place() -> None:
    values = np.random.default_rng(2).normal(size=N)
    arr = pa.array(values).slice(3, N - 10)
    [(addr, length, ty)] = _column_buffers(arr)
    assert ty == "float64"
    assert length == N - 10
    assert addr == values.ctypes.data + 3 * 8 or addr == arr.buffers()[1].address + 3 * 8


def test_chunked_array_chunks_are_read_in_place_and_empty_chunks_skipped() -> None:
    a = pa.array(np.arange(5, dtype=np.float64))
    b = pa.array(np.arange(7, dtype=np.float64))
    chunked = pa.chunked_array([a, pa.array([], pa.float64()), b])
    bufs = _column_buffers(chunked)
    assert [(addr, n) for addr, n, _ in bufs] == [
        (a.buffers()[1].address, 5),
        (b.buffers()[1].address, 7),
    ]


def test_polars_series_is_read_in_place() -> None:
    s = pl.Series("x", np.random.default_rng(3).normal(size=N))
    [(addr, length, ty)] = _column_buffers(s)
    assert (length, ty) == (N, "float64")
    assert addr == s.to_numpy().ctypes.data


def test_pandas_series_is_read_in_place() -> None:
    x = np.random.default_rng(4).normal(size=N)
    s = pd.Series(x, name="t", copy=False)
    [(addr, length, _)] = _column_buffers(s)
    assert (addr, length) == (s.to_numpy().ctypes.data, N)


def test_strided_numpy_is_copied_but_correct() -> None:
    x = np.arange(20, dtype=np.float64)
    m = ds.Moments(x[::3])
    assert m.count == 7
    assert m.mean == pytest.approx(x[::3].mean(), rel=1e-15)
    [(addr, _, _)] = _column_buffers(x[::3])
    assert addr != x.ctypes.data


@pytest.mark.parametrize(
    "column",
    [
        np.array([1.5, 2.5, 4.0], dtype=">f8"),
        np.array([1.5, 2.5, 4.0], dtype=np.float16),
        np.array([1.5, 2.5, 4.0], dtype=np.longdouble),
        pa.array([1.5, 2.5, 4.0], pa.float16()) if hasattr(pa, "float16") else None,
        pa.array([decimal.Decimal("1.5"), decimal.Decimal("2.5"), decimal.Decimal("4.0")]),
        pa.array([1.5, 2.5, 4.0]).dictionary_encode(),
        [1.5, 2.5, 4.0],
        (1.5, 2.5, 4.0),
        pd.Series([1.5, 2.5, 4.0], dtype="float64[pyarrow]"),
        pd.Series([1.5, 2.5, 4.0], dtype="Float64"),
    ],
    ids=lambda c: type(c).__name__ + str(getattr(c, "dtype", getattr(c, "type", ""))),
)
def test_other_layouts_give_the_same_numbers(column: object) -> None:
    if isinstance(column, pa.Array) and column.type == pa.float16():
        column = pa.array(np.array([1.5, 2.5, 4.0], dtype=np.float16))
    m = ds.Moments(column)
    assert (m.count, m.mean, m.min, m.max) == (3, 8 / 3, 1.5, 4.0)


def test_booleans_count_as_zero_and_one() -> None:
    assert ds.Moments(np.array([True, False, True, True])).mean == 0.75
    assert ds.Moments(pa.array([True, False, None, True])).mean == pytest.approx(2 / 3)


def test_nulls_of_every_source_are_counted() -> None:
    cases = [
        pa.array([1.0, None, 3.0]),
        pa.chunked_array([[1.0], [], [None, 3.0]]),
        pl.Series([1.0, None, 3.0]),
        pd.Series([1, None, 3], dtype="Int64"),
        pd.Series([1.0, None, 3.0], dtype="float64[pyarrow]"),
        np.ma.array([1.0, 99.0, 3.0], mask=[False, True, False]),
    ]
    for column in cases:
        m = ds.Moments(column)
        assert (m.count, m.null_count, m.nan_count, m.mean) == (2, 1, 0, 2.0), type(column)


def test_nan_is_not_null() -> None:
    for column in [
        np.array([1.0, np.nan, 3.0]),
        pd.Series([1.0, np.nan, 3.0]),
        pl.Series([1.0, float("nan"), 3.0]),
    ]:
        m = ds.Moments(column)
        assert (m.count, m.null_count, m.nan_count) == (2, 0, 1), type(column)


def test_all_null_arrow_column() -> None:
    m = ds.Moments(pa.nulls(5))
    assert (m.count, m.null_count) == (0, 5)
    assert np.isnan(m.mean)


@pytest.mark.parametrize(
    ("column", "words"),
    [
        (pa.array(["a", "b"]), ["'column'", "string", "numbers"]),
        (pl.Series("city", ["a", "b"]), ["'city'", "string"]),
        (pd.Series(["a", "b"], name="zip", dtype=object), ["'zip'", "object"]),
        (np.array(["a", "b"]), ["strings"]),
        (np.array([1 + 2j]), ["complex"]),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), ["datetimes"]),
        (["a", "b"], ["strings"]),
        ("abc", ["must be a column", "str"]),
        (3.0, ["must be a column", "float"]),
        (object(), ["must be a column", "object"]),
        ({"a": 1}, ["must be a column", "dict"]),
        (pa.table({"a": [1.0], "b": [2.0]}), ["table"]),
    ],
)
def test_non_numeric_input_raises_type_error_naming_column_and_type(
    column: object, words: list[str]
) -> None:
    with pytest.raises(TypeError) as info:
        ds.Moments(column)
    assert isinstance(info.value, ds.DriftscopeError)
    for word in words:
        assert word in str(info.value)


def test_two_dimensional_array_raises_value_error() -> None:
    with pytest.raises(ValueError, match=r"must be 1-D.*\(2, 3\)|1-D.*\[2, 3\]"):
        ds.Moments(np.zeros((2, 3)))


# Runs in a child interpreter (so that a crash or a hang fails the test instead of pytest):
# a thread overwrites `x` in a loop with np.copyto, which releases the GIL, while every kernel
# family reads `x` in place with the GIL released too. Each call must return a result that
# is consistent within itself (the counts of one reading add up to the length) or raise a
# ValueError / DriftscopeError that is not an internal error (a caught Rust panic).
_WRITER_SCRIPT = r"""
import json, sys, threading, warnings
import numpy as np
import driftscope as ds

warnings.simplefilter("ignore")
n = 300_000  # above every kernel's threshold for its multi-pass path
rounds = int(sys.argv[1])
rng = np.random.default_rng(0)
normal = rng.normal(size=n)
sources = [
    normal,
    np.full(n, np.nan),
    np.where(rng.random(n) < 0.5, np.inf, -np.inf),
    normal * 1e300,
    np.zeros(n),
    rng.integers(0, 3, n).astype(float),
    np.sort(normal),
    normal[::-1].copy(),
    np.where(rng.random(n) < 0.01, np.nan, normal),
]
x = normal.copy()
ints = x.view(np.int64)
y = rng.normal(0.1, 1.0, size=n)
ecdf = ds.ECDF(y)
levels = np.linspace(0.0, 1.0, 11)


def kll():
    sketch = ds.KLL()
    sketch.update(x)
    return sketch


def histogram(**kw):
    return lambda: ds.Histogram(x, **kw)


def whole(r):  # counts of one reading add up to the column's length
    return r.count + r.nan_count == n


def first(r):
    return r.n1 + r.nan_counts[0] == n and 0 <= r.statistic and 0 <= r.pvalue <= 1


def second(r):
    return r.n2 + r.nan_counts[1] == n and 0 <= r.statistic and 0 <= r.pvalue <= 1


def distance(d):
    return not d < 0  # NaN is right for inf - inf


def anything(r):
    return True


kernels = {
    "Moments": (lambda: ds.Moments(x), whole),
    "ks_2samp(x, y)": (lambda: ds.ks_2samp(x, y), first),
    "ks_2samp(y, x)": (lambda: ds.ks_2samp(y, x), second),
    "wasserstein_distance": (lambda: ds.wasserstein_distance(x, y), distance),
    "energy_distance": (lambda: ds.energy_distance(y, x), distance),
    "cramervonmises_2samp": (lambda: ds.cramervonmises_2samp(x, y), first),
    "anderson_ksamp": (lambda: ds.anderson_ksamp([x, y]), anything),
    "ECDF": (lambda: ds.ECDF(x), lambda e: e.n + e.nan_count == n),
    "ECDF.quantile": (lambda: ds.ECDF(x).quantile(levels), lambda q: np.all(q[:-1] <= q[1:])),
    "ECDF.cdf": (lambda: ecdf.cdf(x), anything),
    "ECDF.ks": (lambda: ecdf.ks(x), second),
    "ECDF.cvm": (lambda: ecdf.cvm(x), second),
    "ECDF.wasserstein": (lambda: ecdf.wasserstein(x), distance),
    "ECDF.energy": (lambda: ecdf.energy(x), distance),
    "ECDF.anderson": (lambda: ecdf.anderson(x), anything),
    "Histogram(uniform)": (histogram(bins=100), whole),
    "Histogram(quantile)": (histogram(bins=10, binning="quantile"), whole),
    "Histogram(quantile, 100)": (histogram(bins=100, binning="quantile"), whole),
    "Histogram('fd')": (histogram(bins="fd"), whole),
    "Histogram.bin": (lambda: ds.Histogram(y, bins=10, binning="quantile").bin(x), whole),
    "js_distance": (lambda: ds.js_distance(y, x, bins=100), lambda d: whole(d.current)),
    "js_distance(ref x)": (lambda: ds.js_distance(x, y, bins=100), lambda d: whole(d.reference)),
    "psi(quantile)": (lambda: ds.psi(x, y, binning="quantile"), lambda d: whole(d.reference)),
    "KLL.update": (kll, lambda k: k.n + k.nan_count == n and (k.n == 0 or k.min <= k.max)),
    "FrequentItems": (lambda: ds.FrequentItems(ints), lambda f: f.n == n),
    "DistinctCount": (lambda: ds.DistinctCount(ints), lambda d: d.estimate >= 0),
    "CategoryCounts": (lambda: ds.CategoryCounts(ints), lambda c: c.total == n),
}

stop = threading.Event()


def write():
    k = 0
    while not stop.is_set():
        np.copyto(x, sources[k % len(sources)])
        k += 1


writer = threading.Thread(target=write)
writer.start()
failures, calls = [], 0
try:
    for _ in range(rounds):
        for name, (call, consistent) in kernels.items():
            calls += 1
            print(name, file=sys.stderr, flush=True)  # the last one named is the one that hung
            try:
                result = call()
            except (ValueError, ds.DriftscopeError) as e:
                if "internal error" in str(e):
                    failures.append(f"{name}: {e}")
                continue
            except Exception as e:
                failures.append(f"{name}: {type(e).__name__}: {e}")
                continue
            if not consistent(result):
                failures.append(f"{name}: inconsistent result {result!r}")
finally:
    stop.set()
    writer.join()
print(json.dumps({"calls": calls, "failures": failures[:20]}))
"""


def test_array_written_by_another_thread_gives_a_result_or_a_clean_error() -> None:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _WRITER_SCRIPT, "12"],
            capture_output=True,
            text=True,
            timeout=180,
        )
    except subprocess.TimeoutExpired as e:
        running = (e.stderr or b"").decode(errors="replace").strip().splitlines()[-1:]
        pytest.fail(f"a kernel hung on an array another thread was writing to: {running}")
    assert proc.returncode == 0, f"the interpreter died ({proc.returncode}): {proc.stderr[-3000:]}"
    report = json.loads(proc.stdout.splitlines()[-1])
    assert report["failures"] == []
    assert report["calls"] == 12 * 27
