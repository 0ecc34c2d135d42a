"""driftscope.KLL: interop with Apache DataSketches, accuracy, merging, serialization."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

import datasketches
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import driftscope as ds

RANKS = np.linspace(0.01, 0.99, 99)
SIZES = [0, 1, 100, 1_000_000]
SEEDS = [0, 1, 2]


def sample(n: int, seed: int) -> npt.NDArray[np.float64]:
    """Normal values with a share of ties (rounded), so rank semantics matter."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    x[: n // 4] = np.round(x[: n // 4], 1)
    rng.shuffle(x)
    return x


def ds_sketch(x: npt.NDArray[np.float64], k: int = 200) -> datasketches.kll_doubles_sketch:
    s = datasketches.kll_doubles_sketch(k)
    if x.size:
        s.update(x)
    return s


def assert_same(ours: ds.KLL, theirs: datasketches.kll_doubles_sketch) -> None:
    """Identical n, min, max, retained count and quantiles at 99 ranks, both semantics."""
    assert ours.n == theirs.n
    assert ours.num_retained == theirs.num_retained
    assert ours.is_empty == theirs.is_empty()
    if ours.n == 0:
        return
    assert ours.min == theirs.get_min_value()
    assert ours.max == theirs.get_max_value()
    for inclusive in (True, False):
        np.testing.assert_array_equal(
            ours.quantiles(RANKS, inclusive=inclusive),
            np.asarray(theirs.get_quantiles(RANKS, inclusive)),
        )
        assert ours.rank(0.0, inclusive=inclusive) == theirs.get_rank(0.0, inclusive)


def max_rank_error(sketch: ds.KLL, sorted_x: npt.NDArray[np.float64]) -> float:
    """Largest distance from each target rank to the exact rank interval of the estimate."""
    n = sorted_x.size
    q = sketch.quantiles(RANKS)
    lo = np.searchsorted(sorted_x, q, side="left") / n
    hi = np.searchsorted(sorted_x, q, side="right") / n
    return float(np.max(np.maximum(0.0, np.maximum(lo - RANKS, RANKS - hi))))


# ----- DataSketches interop -----


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_reads_datasketches_bytes(n: int, seed: int) -> None:
    theirs = ds_sketch(sample(n, seed))
    data = theirs.serialize()
    ours = ds.KLL.from_bytes(data)
    assert ours.to_bytes() == data
    # (DataSketches sorts level 0 on its first query, which sets a flag in its later bytes.)
    assert_same(ours, theirs)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("seed", SEEDS)
def test_datasketches_reads_our_bytes(n: int, seed: int) -> None:
    ours = ds.KLL(seed=seed)
    ours.update(sample(n, seed))
    theirs = datasketches.kll_doubles_sketch.deserialize(ours.to_bytes())
    assert theirs.serialize() == ours.to_bytes()
    assert_same(ours, theirs)


@pytest.mark.parametrize("n", [0, 1, 100, 200])
def test_exact_mode_bytes_equal_datasketches(n: int) -> None:
    x = sample(n, 5)
    ours = ds.KLL()
    ours.update(x)
    assert not ours.is_estimation_mode
    assert ours.to_bytes() == ds_sketch(x).serialize()


@pytest.mark.parametrize("k", [8, 64, 200, 1000])
def test_serialized_size_and_error_match_datasketches(k: int) -> None:
    x = sample(300_000, 3)
    ours = ds.KLL(k, seed=1)
    ours.update(x)
    theirs = ds_sketch(x, k)
    assert ours.k == theirs.k == k
    # Same content, same bytes: DataSketches writes back exactly what it read from us.
    assert datasketches.kll_doubles_sketch.deserialize(ours.to_bytes()).serialize() == (
        ours.to_bytes()
    )
    # The bulk update compacts whole blocks at once (not DataSketches' schedule), so the
    # structure differs; it keeps no more than DataSketches does (a few items of slack).
    assert len(ours.to_bytes()) <= 1.02 * len(theirs.serialize())
    assert ours.num_retained <= 1.02 * theirs.num_retained
    for pmf in (False, True):
        assert ours.normalized_rank_error(pmf) == theirs.normalized_rank_error(pmf)


def test_parallel_update_interop_and_determinism() -> None:
    x = sample(4_500_000, 11)  # over two parallel parts
    a, b = ds.KLL(seed=3), ds.KLL(seed=3)
    a.update(x)
    b.update(x)
    assert a == b
    assert a.to_bytes() == b.to_bytes()
    theirs = datasketches.kll_doubles_sketch.deserialize(a.to_bytes())
    assert_same(a, theirs)
    assert max_rank_error(a, np.sort(x)) <= a.normalized_rank_error()


# ----- accuracy -----


@pytest.mark.parametrize("n", [1_000_000, 3_000_000])
def test_rank_error_within_bound_and_no_worse_than_datasketches(n: int) -> None:
    ours_err, theirs_err = [], []
    for seed in range(10 if n == 1_000_000 else 4):
        x = sample(n, 100 + seed)
        xs = np.sort(x)
        ours = ds.KLL(seed=seed)
        ours.update(x)
        e = max_rank_error(ours, xs)
        assert e <= ours.normalized_rank_error(), (seed, e)
        ours_err.append(e)
        theirs = ds.KLL.from_bytes(ds_sketch(x).serialize())
        theirs_err.append(max_rank_error(theirs, xs))
        # rank() against the exact rank of a few points
        pts = np.quantile(x, [0.05, 0.5, 0.95])
        exact = np.searchsorted(xs, pts, side="right") / n
        assert np.all(np.abs(ours.rank(pts) - exact) <= ours.normalized_rank_error())
    # DataSketches' coins are random: compare means with slack, not single trials.
    assert np.mean(ours_err) <= 1.5 * np.mean(theirs_err) + 1e-3


def test_cdf_pmf_within_bounds() -> None:
    x = sample(1_000_000, 7)
    s = ds.KLL(seed=7)
    s.update(x)
    splits = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    exact_cdf = np.append(np.searchsorted(np.sort(x), splits, side="right") / x.size, 1.0)
    cdf = s.cdf(splits)
    assert cdf.shape == (6,) and cdf[-1] == 1.0
    assert np.all(np.abs(cdf - exact_cdf) <= s.normalized_rank_error())
    pmf = s.pmf(splits)
    assert pmf.shape == (6,)
    assert pmf.sum() == pytest.approx(1.0)
    assert np.all(np.abs(pmf - np.diff(exact_cdf, prepend=0.0)) <= s.normalized_rank_error(True))
    # Exclusive: the weight below each split (the splits hit ties in this sample).
    exact_below = np.append(np.searchsorted(np.sort(x), splits, side="left") / x.size, 1.0)
    below = s.cdf(splits, inclusive=False)
    assert np.all(np.abs(below - exact_below) <= s.normalized_rank_error())
    assert np.all(below <= cdf)


# ----- merging -----


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_merge_of_16_partitions(seed: int) -> None:
    x = sample(1_000_000, 200 + seed)
    parts = np.array_split(x, 16)
    merged = ds.KLL(seed=seed)
    for i, part in enumerate(parts):
        s = ds.KLL(seed=1000 * seed + i)
        s.update(part)
        assert merged.merge(s) is merged
    assert merged.n == x.size
    assert merged.min == x.min() and merged.max == x.max()
    assert max_rank_error(merged, np.sort(x)) <= 2 * merged.normalized_rank_error()
    theirs = datasketches.kll_doubles_sketch.deserialize(merged.to_bytes())
    assert_same(merged, theirs)


def test_merge_with_datasketches_sketches_and_self() -> None:
    x = sample(50_000, 9)
    a = ds.KLL.from_bytes(ds_sketch(x[:25_000]).serialize())
    a.merge(ds.KLL.from_bytes(ds_sketch(x[25_000:]).serialize()))
    assert a.n == x.size and a.min == x.min() and a.max == x.max()
    a.merge(a)
    assert a.n == 2 * x.size
    a.merge(ds.KLL())
    assert a.n == 2 * x.size


@given(
    hnp.arrays(
        np.float64,
        st.integers(0, 3000),
        elements=st.floats(-1e6, 1e6) | st.sampled_from([0.0, 1.0, 2.0, np.nan]),
    ),
    st.lists(st.integers(0, 3000), max_size=6),
    st.integers(0, 2**64 - 1),
)
def test_merge_law(x: npt.NDArray[np.float64], cuts: list[int], seed: int) -> None:
    whole = ds.KLL(64, seed=seed)
    whole.update(x)
    merged = ds.KLL(64, seed=seed)
    for part in np.split(x, sorted(c for c in cuts if c <= x.size)):
        s = ds.KLL(64, seed=seed)
        s.update(part)
        merged.merge(s)
    finite = x[~np.isnan(x)]
    for s in (whole, merged):
        assert s.n == finite.size
        assert s.nan_count == x.size - finite.size
        if finite.size == 0:
            assert s.is_empty and np.isnan(s.min) and np.isnan(s.max)
            continue
        assert s.min == finite.min() and s.max == finite.max()
        assert max_rank_error(s, np.sort(finite)) <= 2 * s.normalized_rank_error()
        assert np.all(np.isin(s.quantiles(RANKS), finite))


# ----- serialization -----


def small_and_full() -> list[bytes]:
    one = ds.KLL(seed=0)
    one.update([1.5])
    small = ds.KLL(seed=0)
    small.update(sample(100, 0))
    full = ds.KLL(seed=0)
    full.update(sample(5_000, 0))
    return [one.to_bytes(), small.to_bytes(), full.to_bytes()]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_truncated_bytes_raise(which: int) -> None:
    data = small_and_full()[which]
    for cut in range(len(data)):
        with pytest.raises(ds.CorruptDataError):
            ds.KLL.from_bytes(data[:cut])
    with pytest.raises(ValueError, match=r"(?i)kll|byte|length|size"):
        ds.KLL.from_bytes(data + b"\x00" * 8)


@pytest.mark.parametrize("which", [1, 2])
@pytest.mark.parametrize(("offset", "value"), [(0, 0), (0, 99), (1, 9), (2, 7), (4, 0), (4, 255)])
def test_corrupted_header_raises(which: int, offset: int, value: int) -> None:
    data = bytearray(small_and_full()[which])
    data[offset] = value
    with pytest.raises(ValueError):
        ds.KLL.from_bytes(bytes(data))


@given(st.binary(max_size=200))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        s = ds.KLL.from_bytes(data)
    except ValueError:
        return
    assert s.n >= 0


def test_from_bytes_accepts_buffers_and_rejects_others() -> None:
    data = small_and_full()[2]
    for buf in (bytearray(data), memoryview(data), np.frombuffer(data, np.uint8)):
        assert ds.KLL.from_bytes(buf) == ds.KLL.from_bytes(data)
    with pytest.raises(TypeError):
        ds.KLL.from_bytes("not bytes")  # type: ignore[arg-type]


def test_pickle_copy_and_missing_counts() -> None:
    s = ds.KLL(seed=4)
    s.update(pa.array([1.0, None, float("nan"), 3.0, None]))
    s.update(sample(10_000, 4))
    assert (s.n, s.null_count, s.nan_count) == (10_002, 2, 1)
    for t in (pickle.loads(pickle.dumps(s)), copy.copy(s), copy.deepcopy(s), s.copy()):
        assert t == s and t is not s
        assert (t.null_count, t.nan_count) == (2, 1)
        np.testing.assert_array_equal(t.quantiles(RANKS), s.quantiles(RANKS))
    # The DataSketches form has no null counts.
    r = ds.KLL.from_bytes(s.to_bytes())
    assert (r.n, r.null_count, r.nan_count) == (10_002, 0, 0)
    c = s.copy()
    c.update([100.0])
    assert c.n == s.n + 1


# ----- nulls, inputs, empty sketches, arguments -----


def test_nulls_and_nan_skipped_and_counted() -> None:
    x = np.array([1.0, np.nan, 2.0, np.nan, 3.0])
    s = ds.KLL()
    s.update(x)
    s.update(np.ma.masked_array([4.0, 5.0, 6.0], mask=[False, True, False]))
    s.update(pa.chunked_array([[7.0, None], [None, 8.0]]))
    s.update(np.arange(3, dtype=np.int32))
    assert s.n == 3 + 2 + 2 + 3
    assert s.nan_count == 2
    assert s.null_count == 1 + 2
    assert s.min == 0.0 and s.max == 8.0
    theirs = ds_sketch(x)
    assert theirs.n == 3


@pytest.mark.parametrize("kind", ["numpy", "chunked", "float32", "int64"])
def test_block_path_counts_like_one_value_at_a_time(kind: str) -> None:
    """Columns of 65,536 values or more take the block path; its n, min, max, null and NaN
    counts are exact, and its quantiles are within the bound, for every kind of column."""
    rng = np.random.default_rng(9)
    x = rng.normal(size=150_001) * 1e3
    x[::97] = np.nan
    x[5] = np.inf
    x[6] = -np.inf
    x[7] = -0.0
    mask = np.zeros(x.size, dtype=bool)
    mask[::89] = True
    if kind == "numpy":
        column: object = x
        valid = ~np.isnan(x)
        nulls = 0
    elif kind == "chunked":
        arr = pa.array(x, mask=mask, from_pandas=False)
        column = pa.chunked_array([arr.slice(0, 40_000), arr.slice(40_000)])
        valid = ~mask & ~np.isnan(x)
        nulls = int(mask.sum())
    elif kind == "float32":
        column = np.nan_to_num(x, nan=1.5, posinf=3e38, neginf=-3e38).astype(np.float32)
        x = np.asarray(column, dtype=np.float64)
        valid = np.ones(x.size, dtype=bool)
        nulls = 0
    else:
        column = np.nan_to_num(x, nan=7.0, posinf=2**40, neginf=-(2**40)).astype(np.int64)
        x = np.asarray(column, dtype=np.float64)
        valid = np.ones(x.size, dtype=bool)
        nulls = 0
    s = ds.KLL(seed=1)
    s.update(column)
    kept = x[valid]
    assert s.n == kept.size
    assert s.null_count == nulls
    present = ~mask if kind == "chunked" else np.ones(x.size, dtype=bool)
    assert s.nan_count == int(np.isnan(x[present]).sum())
    assert s.min == kept.min() and s.max == kept.max()
    assert max_rank_error(s, np.sort(kept)) <= s.normalized_rank_error()
    theirs = datasketches.kll_doubles_sketch.deserialize(s.to_bytes())
    assert_same(s, theirs)


def test_empty_sketch() -> None:
    s = ds.KLL()
    assert s.n == 0 and s.is_empty and s.num_retained == 0 and not s.is_estimation_mode
    assert np.isnan(s.min) and np.isnan(s.max)
    assert s.k == 200
    assert s.to_bytes() == datasketches.kll_doubles_sketch(200).serialize()
    calls: list[Callable[[], object]] = [
        lambda: s.quantile(0.5),
        lambda: s.quantiles(RANKS),
        lambda: s.rank(0.0),
        lambda: s.cdf([0.0]),
        lambda: s.pmf([0.0]),
    ]
    for call in calls:
        with pytest.raises(ds.EmptySampleError, match="empty"):
            call()
    assert issubclass(ds.EmptySampleError, ValueError)
    s.update(np.array([np.nan]))
    assert s.is_empty and s.nan_count == 1
    assert "KLL(k=200, n=0" in repr(s)


def test_scalar_and_array_queries() -> None:
    s = ds.KLL(seed=0)
    s.update(np.arange(1, 101, dtype=np.float64))
    assert s.quantile(0.5) == 50.0
    assert s.quantile(0.5, inclusive=False) == 51.0
    assert isinstance(s.quantile(0.5), float)
    q = s.quantile(np.array([[0.0, 1.0], [0.25, 0.75]]))
    assert q.shape == (2, 2)
    np.testing.assert_array_equal(q, [[1.0, 100.0], [25.0, 75.0]])
    assert s.rank(50.0) == 0.5 and s.rank(50.0, inclusive=False) == 0.49
    assert s.quantiles([0.0, 1.0]).dtype == np.float64
    np.testing.assert_array_equal(s.cdf([50.0]), [0.5, 1.0])
    np.testing.assert_array_equal(s.pmf([50.0]), [0.5, 0.5])


def test_invalid_arguments() -> None:
    for k in (0, 7, 65536, -1):
        with pytest.raises(ds.InvalidInputError):
            ds.KLL(k)
    with pytest.raises(TypeError):
        ds.KLL(200.5)  # type: ignore[arg-type]
    with pytest.raises(ds.InvalidInputError):
        ds.KLL(seed=-1)
    assert ds.KLL(seed=2**64 - 1).n == 0
    s = ds.KLL()
    s.update([1.0, 2.0, 3.0])
    for r in (-0.1, 1.1, float("nan")):
        with pytest.raises(ValueError):
            s.quantile(r)
    with pytest.raises(ValueError):
        s.cdf([2.0, 1.0])
    with pytest.raises(ValueError):
        s.pmf([float("nan")])
    with pytest.raises(TypeError):
        s.update(["a", "b"])
    with pytest.raises(TypeError):
        s.merge(ds.Moments())  # type: ignore[arg-type]


def test_seeded_sketches_are_reproducible() -> None:
    x = sample(100_000, 12)
    a, b, c = ds.KLL(seed=5), ds.KLL(seed=5), ds.KLL(seed=6)
    for s in (a, b, c):
        s.update(x)
    assert a == b
    assert a.to_bytes() == b.to_bytes()
    assert a.n == c.n


@pytest.mark.parametrize("n", [20_000, 100_000])  # one value at a time; blocks of 65,536
def test_guarantee_holds_in_99_percent_of_trials(n: int) -> None:
    """normalized_rank_error() is a 99%-confidence bound on the worst of the 99 quantiles."""
    rng = np.random.default_rng(2024)
    trials, within = 200, 0
    for seed in range(trials):
        x = rng.lognormal(size=n)
        s = ds.KLL(64, seed=seed)
        s.update(x)
        within += max_rank_error(s, np.sort(x)) <= s.normalized_rank_error()
    assert within >= 0.99 * trials
