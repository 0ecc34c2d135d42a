//! Exact quantiles of a column without sorting it: `np.quantile(x, q)` with NumPy's default
//! `"linear"` method (Hyndman & Fan type 7), on the finite present values.
//!
//! A quantile needs the values of at most two ranks of the sorted sample; many quantiles need
//! a handful of ranks. They are found by a bucket selection:
//!
//! 1. a strided sample of 4096 values places 4096 buckets linear in the value over the
//!    sample's range widened by half on each side, plus one open bucket at each end; one pass
//!    counts the values per bucket (which also gives their number, hence the ranks);
//! 2. the cumulative counts name the bucket, and the rank within it, of every wanted rank;
//!    a second pass collects the values of those buckets only (for a normal sample of 10M,
//!    a few thousand per bucket), where `select_nth_unstable` finishes the job.
//!
//! When the wanted buckets hold too many values (heavy tails, a few huge outliers), a radix
//! selection on IEEE-754 total-order keys takes over (flipping the sign bit of non-negative
//! values and all bits of negative ones turns `f64` order into `u64` order; Herf, "Radix
//! Tricks", 2001): one pass for the smallest and largest key, one counting `(key - min) >>
//! shift` in at most 2^16 buckets, whose resolution is linear within a binade and
//! logarithmic across binades, and one collecting the wanted buckets.
//!
//! Bucket maps are monotone in the value, so buckets cut the sorted sample into consecutive
//! runs and the ranks found are exact. Each pass reads the input where it lies (no copy of
//! the column) and runs in parallel over fixed-size parts, so the result does not depend on
//! the thread count. The interpolation is NumPy's `_lerp`, so the quantiles equal
//! `np.quantile` bit for bit.
//!
//! NaN, nulls and ±inf are left out (NumPy would return NaN for data with NaN, and NaN or inf
//! for data with infinities); `-0.0` is read as `+0.0`.

use crate::error::{Changed, Error, Num, Result};
use crate::io::column::{prefetch_ahead, Chunk, Numeric, Values};
use crate::numeric::sort::{from_key, key};
use crate::with_values;
use rayon::prelude::*;

/// Parts of this many values are scanned in parallel.
const PART: usize = 1 << 18;
/// Samples this small are simply collected and selected.
const SMALL: usize = 1 << 16;
/// log2 of the largest number of key buckets.
const BUCKET_BITS: u32 = 16;
/// log2 of the number of value-linear buckets: few enough for their counts to stay in L1
/// (scattered increments into L2 cost several times more on the measured machine).
const LINEAR_BITS: u32 = 12;

/// `np.quantile(x, qs)` (method `"linear"`) of the finite present values of `chunks`.
/// Every `q` must lie in `[0, 1]`; an empty sample is an [`Error::EmptySample`].
pub fn quantiles(chunks: &[Chunk<'_>], qs: &[f64]) -> Result<Vec<f64>> {
    quantiles_census(chunks, qs).map(|(q, _)| q)
}

/// [`quantiles`], with the bucket census they were selected from when the bucket path
/// served: it counts the values below any threshold exactly where the buckets allow, so a
/// histogram over the quantiles needs no further pass over the reference.
pub(crate) fn quantiles_census(
    chunks: &[Chunk<'_>],
    qs: &[f64],
) -> Result<(Vec<f64>, Option<Census>)> {
    quantiles_census_in(chunks, chunks, qs)
}

/// [`quantiles_census`] whose passes after the first read `later`, the same column (only
/// tests pass other values, standing for a column changed between the passes).
///
/// The selection reads the column more than once: a counting pass fixes the ranks and the
/// buckets holding them, later passes collect those buckets. Each later pass checks that it
/// found every wanted bucket as full as counted; if another thread changed the column in
/// between, it is read once more into a copy of our own, and the quantiles are those of
/// the copy.
fn quantiles_census_in(
    chunks: &[Chunk<'_>],
    later: &[Chunk<'_>],
    qs: &[f64],
) -> Result<(Vec<f64>, Option<Census>)> {
    if let Some(q) = qs.iter().find(|q| !(0.0..=1.0).contains(*q)) {
        return Err(Error::InvalidArgument(format!(
            "quantile level {} is outside [0, 1]",
            Num(*q)
        )));
    }
    let found = match select_quantiles(chunks, later, qs) {
        Ok(found) => found,
        Err(Changed) => {
            let (copy, nulls) = read_once(later);
            let owned = [Chunk::new(Values::F64(&copy), None)];
            select_quantiles(&owned, &owned, qs)?.map(|(q, census)| {
                let census = census.map(|mut c| {
                    c.nulls += nulls;
                    c
                });
                (q, census)
            })
        }
    };
    found.ok_or_else(|| {
        Error::EmptySample("cannot take quantiles of a column with no finite values".into())
    })
}

/// Quantiles, and the bucket census they were selected from when it served.
type Selected = (Vec<f64>, Option<Census>);

/// The quantiles at levels `qs` (each in `[0, 1]`) and the census they came from, `None` for
/// a column without finite values; the passes after the first read `later`.
fn select_quantiles(
    chunks: &[Chunk<'_>],
    later: &[Chunk<'_>],
    qs: &[f64],
) -> std::result::Result<Option<Selected>, Changed> {
    // One counting pass over buckets placed from a sample gives the count, hence the ranks,
    // and usually locates them; else the general selection takes over.
    let linear = LinearCounts::new(chunks);
    let n = match &linear {
        Some(l) => l.n,
        None => stats_of(chunks).n,
    };
    if n == 0 {
        return Ok(None);
    }
    let plan: Vec<(u64, u64, f64)> = qs.iter().map(|&q| linear_ranks(n, q)).collect();
    let mut ranks: Vec<u64> = plan.iter().flat_map(|&(a, b, _)| [a, b]).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let selected = match linear {
        Some(l) => l.select(later, &ranks)?,
        None => None,
    };
    let (values, census) = match selected {
        Some((v, c)) => (v, Some(c)),
        None => {
            // The general selection counts the finite values afresh: they must still be `n`.
            let stats = stats_of(later);
            if stats.n != n {
                return Err(Changed);
            }
            (select_with(later, &ranks, stats)?, None)
        }
    };
    let at = |r: u64| {
        // `ranks` holds every rank of the plan, and `values` a value for each.
        let i = ranks.partition_point(|&x| x < r);
        values.get(i).copied().ok_or(Changed)
    };
    let q = plan
        .iter()
        .map(|&(lo, hi, g)| Ok(lerp(at(lo)?, at(hi)?, g)))
        .collect::<std::result::Result<_, Changed>>()?;
    Ok(Some((q, census)))
}

/// The present values of `chunks` as float64, each read once, and the number of nulls: a
/// copy no other thread can change, for a selection to fall back on.
fn read_once(chunks: &[Chunk<'_>]) -> (Vec<f64>, u64) {
    let total: usize = chunks.iter().map(|c| c.len()).sum();
    let mut copy = Vec::with_capacity(total);
    for chunk in chunks {
        value_blocks(chunk, |v| copy.extend_from_slice(v));
    }
    let nulls = (total - copy.len()) as u64;
    (copy, nulls)
}

/// The ranks `np.quantile(..., method="linear")` reads for level `q` of `n` sorted values
/// (`virtual = (n - 1)·q`, clipped), and the interpolation weight: `(lo, hi, gamma)`.
pub(crate) fn linear_ranks(n: u64, q: f64) -> (u64, u64, f64) {
    let top = (n - 1) as f64;
    let virt = top * q;
    if virt >= top {
        return (n - 1, n - 1, 1.0);
    }
    if virt < 0.0 || virt.is_nan() {
        return (0, 0, 0.0);
    }
    let prev = virt.floor();
    let lo = prev as u64;
    (lo, lo + 1, virt - prev)
}

/// NumPy's `_lerp(a, b, t)`: `a + (b-a)·t`, or `b - (b-a)·(1-t)` when `t >= 0.5`.
pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// The values at the given ranks (ascending, distinct, each below the number of finite
/// values) of the sorted finite present values of `chunks`.
pub fn select_ranks(chunks: &[Chunk<'_>], ranks: &[u64]) -> Result<Vec<f64>> {
    let stats = stats_of(chunks);
    check_ranks(ranks, stats.n)?;
    match select_with(chunks, ranks, stats) {
        Ok(values) => Ok(values),
        Err(Changed) => {
            // Changed by another thread between the passes: select in a copy of our own.
            let (copy, _) = read_once(chunks);
            let owned = [Chunk::new(Values::F64(&copy), None)];
            let stats = stats_of(&owned);
            check_ranks(ranks, stats.n)?;
            Ok(select_with(&owned, ranks, stats)?)
        }
    }
}

fn check_ranks(ranks: &[u64], n: u64) -> Result<()> {
    if let Some(&r) = ranks.iter().find(|&&r| r >= n) {
        return Err(Error::InvalidArgument(format!(
            "rank {r} is out of range for {n} finite values"
        )));
    }
    if ranks.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::InvalidArgument(
            "ranks must be distinct and ascending".into(),
        ));
    }
    Ok(())
}

/// The values at `ranks` (checked against `stats.n`, the count of an earlier pass); every
/// pass here checks that it finds as many finite values as `stats` says, else
/// `Err(Changed)`.
fn select_with(
    chunks: &[Chunk<'_>],
    ranks: &[u64],
    stats: Stats,
) -> std::result::Result<Vec<f64>, Changed> {
    if ranks.is_empty() {
        return Ok(Vec::new());
    }
    if stats.min == stats.max {
        return Ok(vec![from_key(stats.min); ranks.len()]);
    }
    if stats.n as usize <= SMALL {
        let mut keys = scan(
            chunks,
            Vec::new(),
            |v, k| v.extend(k.iter().filter(|&&k| finite(k))),
            |mut a, b| {
                a.extend(b);
                a
            },
        );
        if keys.len() as u64 != stats.n {
            return Err(Changed);
        }
        let idx: Vec<usize> = ranks.iter().map(|&r| r as usize).collect();
        select_many(&mut keys, &idx, 0);
        return idx
            .iter()
            .map(|&i| keys.get(i).map(|&k| from_key(k)).ok_or(Changed))
            .collect();
    }
    let range = stats.max - stats.min;
    let bits = 64 - range.leading_zeros();
    let shift = bits.saturating_sub(BUCKET_BITS);
    let nb = (range >> shift) as usize + 1;
    let (min, sh) = (stats.min, shift);
    // The bucket of a key, or None outside [min, max] (non-finite values).
    let bucket = move |k: u64| {
        let d = k.wrapping_sub(min);
        (d <= range).then_some((d >> sh) as usize)
    };
    let counts = scan(
        chunks,
        vec![0u64; nb],
        |c, keys| {
            for &k in keys {
                if let Some(b) = bucket(k) {
                    c[b] += 1;
                }
            }
        },
        |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
            a
        },
    );
    if counts.iter().sum::<u64>() != stats.n {
        // Values moved outside [min, max], or became NaN or infinite, since the first pass.
        return Err(Changed);
    }
    let (slot_of, within, sizes) = plan(counts.into_iter(), ranks, nb);
    let slots = sizes.len();
    let mut groups = scan(
        chunks,
        vec![Vec::new(); slots],
        |g, keys| {
            for &k in keys {
                if let Some(b) = bucket(k) {
                    let s = slot_of[b];
                    if s != u32::MAX {
                        g[s as usize].push(k);
                    }
                }
            }
        },
        |mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                x.extend(y);
            }
            a
        },
    );
    finish(&mut groups, &sizes, &within)
}

/// Counts in buckets linear in the value over a range taken from a sample (the sample's
/// range widened by half on each side), with one open bucket below and one above:
/// `bucket(x) = trunc(clamp((x - lo)·scale + 1, 0, nb + 1))`, monotone in `x`, so the
/// buckets cut the sorted sample into consecutive runs. Fine where the data are (a normal
/// sample of 10M puts a few thousand values in a bucket near the median) and needing no pass
/// for the extremes; heavy tails make the wanted buckets too full, and the key selection
/// takes over. The pass also counts NaN, ±inf and nulls, for [`Census`].
struct LinearCounts {
    map: BucketMap,
    counts: Vec<u64>,
    /// Finite values counted.
    n: u64,
    nan: u64,
    neg_inf: u64,
    pos_inf: u64,
    nulls: u64,
}

/// The monotone map of values to the buckets of [`LinearCounts`].
#[derive(Clone, Copy)]
struct BucketMap {
    lo: f64,
    scale: f64,
    /// The last bucket, `nb + 1`, as a float.
    top: f64,
}

impl BucketMap {
    /// The bucket of `x` (NaN in bucket 0), exactly as the SIMD passes compute it.
    #[inline(always)]
    fn bucket(&self, x: f64) -> usize {
        let u = (x - self.lo) * self.scale + 1.0;
        let u = if u > 0.0 { u } else { 0.0 };
        let u = if u < self.top { u } else { self.top };
        u as usize
    }

    fn len(&self) -> usize {
        self.top as usize + 1
    }
}

/// Values read for the sample that places the linear buckets.
const SAMPLE: usize = 4096;

/// The census of one part: bucket counts in two lanes taking values in turn (so that runs of
/// one bucket do not serialize on one counter), and the non-finite values. Merging folds
/// the lanes of a part, whose counts fit in u32, into the u64 `sums`.
#[derive(Clone)]
struct Tally {
    lanes: Vec<u32>,
    sums: Vec<u64>,
    present: u64,
    nan: u64,
    neg_inf: u64,
    pos_inf: u64,
}

impl Tally {
    fn merge(mut self, part: Tally) -> Tally {
        let width = self.lanes.len() / 2;
        if self.sums.is_empty() {
            self.sums = vec![0; width];
        }
        let (a, b) = part.lanes.split_at(width);
        for ((c, &x), &y) in self.sums.iter_mut().zip(a).zip(b) {
            *c += u64::from(x) + u64::from(y);
        }
        for (c, &x) in self.sums.iter_mut().zip(&part.sums) {
            *c += x;
        }
        self.present += part.present;
        self.nan += part.nan;
        self.neg_inf += part.neg_inf;
        self.pos_inf += part.pos_inf;
        self
    }
}

impl LinearCounts {
    fn new(chunks: &[Chunk<'_>]) -> Option<LinearCounts> {
        let total: usize = chunks.iter().map(|c| c.len()).sum();
        if total <= SMALL {
            return None;
        }
        // An evenly strided sample of present finite values.
        let stride = total / SAMPLE;
        let (mut slo, mut shi) = (f64::INFINITY, f64::NEG_INFINITY);
        for chunk in chunks {
            let mut i = 0;
            while i < chunk.len() {
                value_blocks(&chunk.slice(i, 1), |v| {
                    for &x in v {
                        if x.is_finite() {
                            slo = slo.min(x);
                            shi = shi.max(x);
                        }
                    }
                });
                i += stride;
            }
        }
        let margin = (shi - slo) * 0.5;
        let (lo, hi) = (slo - margin, shi + margin);
        let nb = 1usize << LINEAR_BITS;
        let scale = nb as f64 / (hi - lo);
        if !(margin > 0.0 && (hi - lo).is_finite() && scale.is_finite()) {
            return None;
        }
        let map = BucketMap {
            lo,
            scale,
            top: (nb + 1) as f64,
        };
        let width = map.len();
        let init = Tally {
            lanes: vec![0; 2 * width],
            sums: Vec::new(),
            present: 0,
            nan: 0,
            neg_inf: 0,
            pos_inf: 0,
        };
        let t = scan_values(
            chunks,
            init,
            |t, xs| census_block(&map, t, xs),
            Tally::merge,
        );
        let Tally {
            mut sums,
            present,
            nan,
            neg_inf,
            pos_inf,
            ..
        } = t;
        if sums.is_empty() {
            return None; // nothing was read
        }
        // NaN and -inf were counted in bucket 0, +inf in the top one, by the same reading
        // of each value (so the subtractions cannot fail; the checks are only defence).
        sums[0] = sums[0].checked_sub(nan + neg_inf)?;
        sums[width - 1] = sums[width - 1].checked_sub(pos_inf)?;
        let counts = sums;
        let n = present.checked_sub(nan + neg_inf + pos_inf)?;
        Some(LinearCounts {
            map,
            counts,
            n,
            nan,
            neg_inf,
            pos_inf,
            nulls: total as u64 - present,
        })
    }

    /// The values at `ranks` (ascending, distinct, `< n`) and the census, or None when the
    /// buckets holding them hold too many values; `Err(Changed)` when this second pass over
    /// the column (`chunks`) does not find the wanted buckets as full as counted.
    fn select(
        self,
        chunks: &[Chunk<'_>],
        ranks: &[u64],
    ) -> std::result::Result<Option<(Vec<f64>, Census)>, Changed> {
        let width = self.map.len();
        let (slot_of, within, sizes) = plan(self.counts.iter().copied(), ranks, width);
        if sizes.iter().sum::<u64>() > (self.n / 16).max(SMALL as u64) {
            return Ok(None);
        }
        let map = self.map;
        let mut groups = scan_values(
            chunks,
            vec![Vec::new(); sizes.len()],
            |g, xs| collect_block(&map, &slot_of, g, xs),
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.extend(y);
                }
                a
            },
        );
        let values = finish(&mut groups, &sizes, &within)?;
        let mut below = Vec::with_capacity(width + 1);
        let mut cum = 0u64;
        for &c in &self.counts {
            below.push(cum);
            cum += c;
        }
        below.push(cum);
        Ok(Some((
            values,
            Census {
                map,
                below,
                slot_of,
                groups,
                n: self.n,
                nan: self.nan,
                neg_inf: self.neg_inf,
                pos_inf: self.pos_inf,
                nulls: self.nulls,
            },
        )))
    }
}

/// What the quantile selection learned of the whole column: bucket counts, the values of
/// the buckets holding the wanted ranks, and the non-finite and null counts.
pub(crate) struct Census {
    map: BucketMap,
    /// `below[b]`: finite values in buckets before `b`.
    below: Vec<u64>,
    slot_of: Vec<u32>,
    /// The keys of the finite values of each collected bucket (in no particular order).
    groups: Vec<Vec<u64>>,
    pub(crate) n: u64,
    pub(crate) nan: u64,
    pub(crate) neg_inf: u64,
    pub(crate) pos_inf: u64,
    pub(crate) nulls: u64,
}

impl Census {
    /// The number of finite values below `t` (a finite or infinite threshold), exactly, if
    /// the census allows: when `t`'s bucket was collected or holds no finite value. The
    /// map being monotone, values of earlier buckets are below `t` and those of later
    /// buckets are not.
    pub(crate) fn count_below(&self, t: f64) -> Option<u64> {
        if t.is_nan() {
            return None;
        }
        let b = self.map.bucket(t);
        let before = self.below[b];
        let inside = self.below[b + 1] - before;
        if inside == 0 {
            return Some(before);
        }
        let slot = self.slot_of[b];
        let group = self.groups.get(slot as usize)?;
        let kt = key(t);
        // -0.0 and +0.0 share a key, and `-0.0 < 0.0` is false, as for keys.
        Some(before + group.iter().filter(|&&k| k < kt).count() as u64)
    }
}

/// Adds the values of one block to a census tally. Non-finite values (rare) are counted in
/// bucket 0 (NaN, -inf) or the top one (+inf), and apart, for the caller to move them out:
/// both counts come from the same reading of each value, so they agree even when another
/// thread writes to the column meanwhile.
#[inline]
fn census_block(map: &BucketMap, t: &mut Tally, xs: &[f64]) {
    t.present += xs.len() as u64;
    let width = map.len();
    let (lanes, nan, neg_inf, pos_inf) = (&mut t.lanes, &mut t.nan, &mut t.neg_inf, &mut t.pos_inf);
    let mut special = |x: f64| {
        if x.is_nan() {
            *nan += 1;
        } else if x > 0.0 {
            *pos_inf += 1;
        } else {
            *neg_inf += 1;
        }
    };
    let (a, b) = lanes.split_at_mut(width);
    let mut rest = xs;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, as checked just above.
        unsafe { census_avx2(map, a, b, xs, &mut special) };
        rest = &xs[xs.len() - xs.len() % 4..];
    }
    for (i, &x) in rest.iter().enumerate() {
        let lane = if i % 2 == 0 { &mut *a } else { &mut *b };
        lane[map.bucket(x)] += 1;
        if !x.is_finite() {
            special(x);
        }
    }
}

/// The census of the whole groups of four of `xs` with AVX2, values alternating between the
/// lanes `a` and `b`; `special` gets every non-finite value, as loaded for its bucket (`x -
/// x` is 0 exactly for finite `x`, NaN otherwise: one test per group).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn census_avx2(
    map: &BucketMap,
    a: &mut [u32],
    b: &mut [u32],
    xs: &[f64],
    special: &mut impl FnMut(f64),
) {
    use std::arch::x86_64::*;
    let width = map.len();
    if a.len() < width || b.len() < width {
        return; // not reached: both lanes have `width` counts
    }
    let lo = _mm256_set1_pd(map.lo);
    let scale = _mm256_set1_pd(map.scale);
    let one = _mm256_set1_pd(1.0);
    let zero = _mm256_setzero_pd();
    let top = _mm256_set1_pd(map.top);
    for q in xs.chunks_exact(4) {
        // SAFETY: `q` holds exactly 4 f64.
        let x = unsafe { _mm256_loadu_pd(q.as_ptr()) };
        let d = _mm256_sub_pd(x, x);
        if _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_UNORD_Q>(d, d)) != 0 {
            let mut four = [0.0f64; 4];
            // SAFETY: `four` has room for the 4 lanes.
            unsafe { _mm256_storeu_pd(four.as_mut_ptr(), x) };
            four.into_iter()
                .filter(|x| !x.is_finite())
                .for_each(&mut *special);
        }
        let u = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(x, lo), scale), one);
        // max returns its second operand (0) for NaN, as `BucketMap::bucket` does.
        let v = _mm256_min_pd(_mm256_max_pd(u, zero), top);
        let j = _mm256_cvttpd_epi32(v);
        // SAFETY: every lane of `j` lies in `0..=top`, i.e. below `width`, the length of
        // both lanes (checked above). Unchecked increments save a third of the loop.
        unsafe {
            *a.get_unchecked_mut(_mm_extract_epi32::<0>(j) as u32 as usize) += 1;
            *b.get_unchecked_mut(_mm_extract_epi32::<1>(j) as u32 as usize) += 1;
            *a.get_unchecked_mut(_mm_extract_epi32::<2>(j) as u32 as usize) += 1;
            *b.get_unchecked_mut(_mm_extract_epi32::<3>(j) as u32 as usize) += 1;
        }
    }
}

/// Adds the keys of the finite values of `xs` whose bucket has a slot to that slot's group.
#[inline]
fn collect_block(map: &BucketMap, slot_of: &[u32], groups: &mut [Vec<u64>], xs: &[f64]) {
    let mut rest = xs;
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, as checked just above.
        unsafe { collect_avx2(map, slot_of, groups, xs) };
        rest = &xs[xs.len() - xs.len() % 4..];
    }
    for &x in rest {
        collect_one(slot_of[map.bucket(x)], x, groups);
    }
}

#[inline(always)]
fn collect_one(slot: u32, x: f64, groups: &mut [Vec<u64>]) {
    if slot != u32::MAX && x.is_finite() {
        if let Some(g) = groups.get_mut(slot as usize) {
            g.push(key(x));
        }
    }
}

/// [`collect_block`] over the whole groups of four of `xs` with AVX2: the buckets four at a
/// time, then one test of their four slots together (nearly all are unwanted).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn collect_avx2(map: &BucketMap, slot_of: &[u32], groups: &mut [Vec<u64>], xs: &[f64]) {
    use std::arch::x86_64::*;
    if slot_of.len() < map.len() {
        return; // not reached: there is a slot entry per bucket
    }
    let lo = _mm256_set1_pd(map.lo);
    let scale = _mm256_set1_pd(map.scale);
    let one = _mm256_set1_pd(1.0);
    let zero = _mm256_setzero_pd();
    let top = _mm256_set1_pd(map.top);
    for q in xs.chunks_exact(4) {
        // SAFETY: `q` holds exactly 4 f64.
        let x = unsafe { _mm256_loadu_pd(q.as_ptr()) };
        let u = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(x, lo), scale), one);
        let v = _mm256_min_pd(_mm256_max_pd(u, zero), top);
        let j = _mm256_cvttpd_epi32(v);
        // SAFETY: every lane of `j` lies in `0..=top`, below `slot_of.len()` (checked above).
        let s = unsafe {
            [
                *slot_of.get_unchecked(_mm_extract_epi32::<0>(j) as u32 as usize),
                *slot_of.get_unchecked(_mm_extract_epi32::<1>(j) as u32 as usize),
                *slot_of.get_unchecked(_mm_extract_epi32::<2>(j) as u32 as usize),
                *slot_of.get_unchecked(_mm_extract_epi32::<3>(j) as u32 as usize),
            ]
        };
        if s[0] & s[1] & s[2] & s[3] != u32::MAX {
            for (&slot, &x) in s.iter().zip(q) {
                collect_one(slot, x, groups);
            }
        }
    }
}

/// For each wanted rank (ascending), its bucket's slot and its rank within the bucket, given
/// the bucket counts: `(slot of each bucket or u32::MAX, (slot, rank within) per rank, size
/// of each slot's bucket)`.
fn plan(
    counts: impl Iterator<Item = u64>,
    ranks: &[u64],
    nb: usize,
) -> (Vec<u32>, Vec<(usize, usize)>, Vec<u64>) {
    let mut slot_of = vec![u32::MAX; nb];
    let mut sizes: Vec<u64> = Vec::new();
    let mut within: Vec<(usize, usize)> = Vec::with_capacity(ranks.len());
    let mut cum = 0u64;
    let mut r = ranks.iter().peekable();
    for (b, c) in counts.enumerate() {
        while let Some(&&rank) = r.peek() {
            if rank >= cum + c {
                break;
            }
            if slot_of[b] == u32::MAX {
                slot_of[b] = sizes.len() as u32;
                sizes.push(c);
            }
            within.push((slot_of[b] as usize, (rank - cum) as usize));
            r.next();
        }
        cum += c;
    }
    (slot_of, within, sizes)
}

/// Selects within each slot's keys the ranks `within` names; returns the values in the order
/// of `within`. `Err(Changed)` unless every slot holds the number of keys `sizes` counted for
/// it (the pass that collected them and the one that counted read a column that changed in
/// between).
fn finish(
    groups: &mut [Vec<u64>],
    sizes: &[u64],
    within: &[(usize, usize)],
) -> std::result::Result<Vec<f64>, Changed> {
    if groups.len() != sizes.len() || groups.iter().zip(sizes).any(|(g, &n)| g.len() as u64 != n) {
        return Err(Changed);
    }
    // `within` lists the slots in ascending order, each slot's ranks ascending.
    let mut start = 0;
    while start < within.len() {
        let s = within[start].0;
        let end = start + within[start..].partition_point(|&(slot, _)| slot == s);
        let idx: Vec<usize> = within[start..end].iter().map(|&(_, i)| i).collect();
        select_many(&mut groups[s], &idx, 0);
        start = end;
    }
    within
        .iter()
        .map(|&(s, i)| groups[s].get(i).map(|&k| from_key(k)).ok_or(Changed))
        .collect()
}

/// Places the keys of ranks `ks` (ascending, distinct, `< keys.len()` after `offset`) where
/// a sort would put them, by recursive selection: `O(n log |ks|)`.
fn select_many(keys: &mut [u64], ks: &[usize], offset: usize) {
    if ks.is_empty() || keys.len() <= 1 {
        return;
    }
    let mid = ks.len() / 2;
    let k = ks[mid] - offset;
    let (left, _, right) = keys.select_nth_unstable(k);
    select_many(left, &ks[..mid], offset);
    select_many(right, &ks[mid + 1..], offset + k + 1);
}

#[derive(Clone, Copy)]
struct Stats {
    n: u64,
    min: u64,
    max: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            n: 0,
            min: u64::MAX,
            max: 0,
        }
    }
}

/// Folds `f(acc, keys)` over blocks of the keys of the present values of `chunks`,
/// in parallel over fixed parts, combining the per-part accumulators (each starting from
/// `init`) with `merge` in input order. Handing over blocks keeps each pass's inner loop a
/// tight loop over a slice.
fn scan<A, F, M>(chunks: &[Chunk<'_>], init: A, f: F, merge: M) -> A
where
    A: Clone + Send + Sync,
    F: Fn(&mut A, &[u64]) + Sync,
    M: Fn(A, A) -> A + Sync,
{
    let mut acc = init.clone();
    for chunk in chunks {
        let len = chunk.len();
        let parts: Vec<A> = (0..len.div_ceil(PART))
            .into_par_iter()
            .map(|i| {
                let start = i * PART;
                let mut a = init.clone();
                key_blocks(&chunk.slice(start, PART.min(len - start)), |keys| {
                    f(&mut a, keys)
                });
                a
            })
            .collect();
        for p in parts {
            acc = merge(acc, p);
        }
    }
    acc
}

/// Folds `f(acc, values)` over blocks of the present values of `chunks` (non-finite ones
/// included: each pass skips them), like [`scan`]; float64 input without nulls is handed over
/// where it lies.
fn scan_values<A, F, M>(chunks: &[Chunk<'_>], init: A, f: F, merge: M) -> A
where
    A: Clone + Send + Sync,
    F: Fn(&mut A, &[f64]) + Sync,
    M: Fn(A, A) -> A + Sync,
{
    let mut acc = init.clone();
    for chunk in chunks {
        let len = chunk.len();
        let parts: Vec<A> = (0..len.div_ceil(PART))
            .into_par_iter()
            .map(|i| {
                let start = i * PART;
                let mut a = init.clone();
                value_blocks(&chunk.slice(start, PART.min(len - start)), |v| f(&mut a, v));
                a
            })
            .collect();
        for p in parts {
            acc = merge(acc, p);
        }
    }
    acc
}

/// Calls `f` with the present values of `chunk` as float64, a block at a time.
fn value_blocks(chunk: &Chunk<'_>, mut f: impl FnMut(&[f64])) {
    fn go<T: Numeric>(xs: &[T], chunk: &Chunk<'_>, f: &mut impl FnMut(&[f64])) {
        if chunk.validity.is_none() {
            if let Some(d) = T::as_f64_slice(xs) {
                d.chunks(BLOCK).for_each(f);
                return;
            }
        }
        let mut buf = [0f64; BLOCK];
        for (b, block) in xs.chunks(BLOCK).enumerate() {
            let mut k = 0;
            for (i, x) in block.iter().enumerate() {
                buf[k] = x.to_f64();
                k += usize::from(chunk.validity.is_none_or(|v| v.is_valid(b * BLOCK + i)));
            }
            f(&buf[..k]);
        }
    }
    let f = &mut f;
    with_values!(chunk.values, |s| go(s, chunk, f), null => |_n| {});
}

/// Count, smallest and largest of the finite values, as keys.
fn stats_of(chunks: &[Chunk<'_>]) -> Stats {
    let (n, lo, hi) = finite_extent(chunks);
    if n == 0 {
        return Stats::default();
    }
    Stats {
        n,
        min: key(lo),
        max: key(hi),
    }
}

/// Count, smallest and largest of the finite present values of `chunks` (`(0, inf, -inf)`
/// when there are none), in one parallel pass.
pub(crate) fn finite_extent(chunks: &[Chunk<'_>]) -> (u64, f64, f64) {
    scan_values(
        chunks,
        (0u64, f64::INFINITY, f64::NEG_INFINITY),
        |(n, lo, hi), xs| {
            // Blocks of finite values (nearly all) take the fast loop; a block with NaN or
            // ±inf is done again with the careful one.
            let (a, b, clean) = extent_fast(xs);
            let (m, a, b) = if clean {
                (xs.len() as u64, a, b)
            } else {
                extent_careful(xs)
            };
            *n += m;
            *lo = lo.min(a);
            *hi = hi.max(b);
        },
        |(n, a, b), (m, c, d)| (n + m, a.min(c), b.max(d)),
    )
}

/// Smallest and largest of `xs`, and whether all are finite (else the extremes are
/// unspecified), on the widest SIMD the CPU has.
#[inline]
fn extent_fast(xs: &[f64]) -> (f64, f64, bool) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, as checked just above.
        return unsafe { extent_avx2(xs) };
    }
    extent_lanes(xs)
}

/// [`extent_lanes`] with AVX2: eight values a step in two registers each of minima, maxima
/// and `x - x` sums (NaN exactly when some value was not finite).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn extent_avx2(xs: &[f64]) -> (f64, f64, bool) {
    use std::arch::x86_64::*;
    let mut a = [_mm256_set1_pd(f64::INFINITY); 2];
    let mut b = [_mm256_set1_pd(f64::NEG_INFINITY); 2];
    let mut bad = [_mm256_setzero_pd(); 2];
    let octs = xs.chunks_exact(8);
    let rest = octs.remainder();
    for q in octs {
        prefetch_ahead(q.as_ptr());
        for k in 0..2 {
            // SAFETY: `q` holds 8 f64, so 4 from `4·k`.
            let x = unsafe { _mm256_loadu_pd(q.as_ptr().add(4 * k)) };
            // min/max return the second operand unless the first wins: `x < a ? x : a`.
            a[k] = _mm256_min_pd(x, a[k]);
            b[k] = _mm256_max_pd(x, b[k]);
            bad[k] = _mm256_add_pd(bad[k], _mm256_sub_pd(x, x));
        }
    }
    let mut lanes = [[0.0f64; 4]; 6];
    for (out, v) in lanes
        .iter_mut()
        .zip([a[0], a[1], b[0], b[1], bad[0], bad[1]])
    {
        // SAFETY: `out` has room for the 4 lanes.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), v) };
    }
    let mut lo = lanes[..2]
        .iter()
        .flatten()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let mut hi = lanes[2..4]
        .iter()
        .flatten()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let mut clean = lanes[4..].iter().flatten().all(|&z| z == 0.0);
    for &x in rest {
        lo = lo.min(x);
        hi = hi.max(x);
        clean &= x.is_finite();
    }
    (lo, hi, clean)
}

/// Eight independent lanes of compare-and-select (which the compiler turns into SIMD min
/// and max, unlike `f64::min`), and `x·0`, which is 0 exactly for finite `x`.
#[inline(always)]
fn extent_lanes(xs: &[f64]) -> (f64, f64, bool) {
    const L: usize = 8;
    let mut a = [f64::INFINITY; L];
    let mut b = [f64::NEG_INFINITY; L];
    let mut bad = [0.0f64; L];
    let octs = xs.chunks_exact(L);
    let rest = octs.remainder();
    for q in octs {
        for k in 0..L {
            let x = q[k];
            a[k] = if x < a[k] { x } else { a[k] };
            b[k] = if x > b[k] { x } else { b[k] };
            bad[k] += x * 0.0;
        }
    }
    let mut lo = a.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = b.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut clean = bad.iter().all(|&z| z == 0.0);
    for &x in rest {
        lo = lo.min(x);
        hi = hi.max(x);
        clean &= x.is_finite();
    }
    (lo, hi, clean)
}

/// Count, smallest and largest of the finite values of `xs`.
fn extent_careful(xs: &[f64]) -> (u64, f64, f64) {
    let mut n = 0u64;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &x in xs {
        if x.is_finite() {
            n += 1;
            lo = lo.min(x);
            hi = hi.max(x);
        }
    }
    (n, lo, hi)
}

/// Values per block handed to a pass.
const BLOCK: usize = 2048;

/// The keys of `-f64::MAX` and `f64::MAX`: a key is that of a finite value exactly when it
/// lies between them (±inf and NaN have keys outside).
const KEY_LO: u64 = 0x0010_0000_0000_0000;
const KEY_HI: u64 = 0xffef_ffff_ffff_ffff;

/// Whether `k` is the key of a finite value.
#[inline(always)]
fn finite(k: u64) -> bool {
    k.wrapping_sub(KEY_LO) <= KEY_HI - KEY_LO
}

/// Calls `f` with the keys of the present values of `chunk`, a block at a time; keys of
/// non-finite values are included, for the passes to skip with [`finite`] (cheaper than
/// compacting them away).
fn key_blocks(chunk: &Chunk<'_>, mut f: impl FnMut(&[u64])) {
    fn go<T: Numeric>(xs: &[T], chunk: &Chunk<'_>, f: &mut impl FnMut(&[u64])) {
        let mut buf = [0u64; BLOCK];
        for (b, block) in xs.chunks(BLOCK).enumerate() {
            match chunk.validity {
                None => {
                    for (slot, x) in buf.iter_mut().zip(block) {
                        *slot = key(x.to_f64());
                    }
                    f(&buf[..block.len()]);
                }
                Some(v) => {
                    let mut k = 0;
                    for (i, x) in block.iter().enumerate() {
                        if v.is_valid(b * BLOCK + i) {
                            buf[k] = key(x.to_f64());
                            k += 1;
                        }
                    }
                    f(&buf[..k]);
                }
            }
        }
    }
    let f = &mut f;
    with_values!(chunk.values, |s| go(s, chunk, f), null => |_n| {});
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::column::Validity;
    use crate::io::column::Values;

    /// `np.quantile` by sorting: the reference the selection must reproduce exactly.
    fn by_sorting(xs: &[f64], qs: &[f64]) -> Vec<f64> {
        let mut v: Vec<f64> = xs
            .iter()
            .filter(|x| x.is_finite())
            .map(|x| x + 0.0)
            .collect();
        v.sort_by(f64::total_cmp);
        let n = v.len() as u64;
        qs.iter()
            .map(|&q| {
                let (lo, hi, g) = linear_ranks(n, q);
                lerp(v[lo as usize], v[hi as usize], g)
            })
            .collect()
    }

    fn data(seed: u64, n: usize, f: impl Fn(f64, u64) -> f64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                f((s >> 11) as f64 / (1u64 << 53) as f64, s >> 40)
            })
            .collect()
    }

    const QS: [f64; 12] = [
        0.0,
        1e-9,
        0.001,
        0.1,
        0.25,
        1.0 / 3.0,
        0.5,
        0.6,
        0.9,
        0.999,
        0.9999999,
        1.0,
    ];

    #[test]
    fn equals_numpy() {
        let mut x: Vec<f64> = (0..100_000)
            .map(|i| ((i * 7919) % 1013) as f64 / 7.0 - 50.0)
            .collect();
        x.extend([1e300, -1e300, 1e-300, -0.0, f64::NAN, f64::INFINITY]);
        let qs = [0.0, 0.001, 0.1, 0.25, 1.0 / 3.0, 0.5, 0.9, 0.999, 1.0];
        // np.quantile of the finite values, numpy 2.4.
        let want = [
            -1e+300,
            -49.857142857142854,
            -35.57142857142857,
            -13.857142857142854,
            -1.857142857142854,
            22.285714285714292,
            80.14285714285714,
            94.42857142857142,
            1e+300,
        ];
        let got = quantiles(&[Chunk::new(Values::F64(&x), None)], &qs).unwrap();
        assert_eq!(got, want);
    }

    #[test]
    fn selection_equals_sorting() {
        let sets: Vec<Vec<f64>> = vec![
            vec![3.0],
            vec![2.0, -1.0],
            vec![5.0, 5.0, 5.0],
            data(1, 100, |u, _| u),
            data(2, 70_000, |u, _| (u - 0.5) * 10.0),
            data(3, 200_000, |_, k| (k % 7) as f64),
            data(4, 150_000, |u, k| {
                if k % 2 == 0 {
                    (u * 1400.0 - 700.0).exp()
                } else {
                    -(u * 10.0)
                }
            }),
            data(5, 100_000, |u, k| match k % 50 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                3 => -0.0,
                _ => u - 0.5,
            }),
            data(6, 90_000, |u, _| 1e9 + u),
        ];
        for xs in &sets {
            let got = quantiles(&[Chunk::new(Values::F64(xs), None)], &QS).unwrap();
            assert_eq!(got, by_sorting(xs, &QS), "n={}", xs.len());
            // Split into chunks: same answer.
            let (a, b) = xs.split_at(xs.len() / 3);
            let chunks = [
                Chunk::new(Values::F64(a), None),
                Chunk::new(Values::F64(b), None),
            ];
            assert_eq!(quantiles(&chunks, &QS).unwrap(), got);
        }
    }

    #[test]
    fn extent_fast_and_careful_agree() {
        let clean = data(11, 10_003, |u, _| u * 8.0 - 3.0);
        let mut dirty = clean.clone();
        dirty[17] = f64::NAN;
        dirty[5000] = f64::INFINITY;
        dirty[9999] = f64::NEG_INFINITY;
        dirty[10_002] = 1e300;
        for xs in [&clean, &dirty] {
            let fin: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
            let want = (
                fin.len() as u64,
                fin.iter().copied().fold(f64::INFINITY, f64::min),
                fin.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            );
            for len in [0, 1, 7, 8, 9, 2047, xs.len()] {
                let c = [Chunk::new(Values::F64(&xs[..len]), None)];
                let part = &xs[..len];
                let fin: Vec<f64> = part.iter().copied().filter(|x| x.is_finite()).collect();
                let w = (
                    fin.len() as u64,
                    fin.iter().copied().fold(f64::INFINITY, f64::min),
                    fin.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                );
                assert_eq!(finite_extent(&c), w, "len {len}");
                assert_eq!(extent_careful(part), w, "len {len}");
                assert_eq!(extent_lanes(part).2, part.iter().all(|x| x.is_finite()));
            }
            let c = [Chunk::new(Values::F64(xs), None)];
            assert_eq!(finite_extent(&c), want);
        }
    }

    #[test]
    fn both_selection_paths_are_exercised() {
        let bulk = data(7, 200_000, |u, _| u - 0.5);
        let c = [Chunk::new(Values::F64(&bulk), None)];
        let l = LinearCounts::new(&c).unwrap();
        assert_eq!(l.n, 200_000);
        assert!(l.select(&c, &[0, 100_000, 199_999]).unwrap().is_some());
        // A few huge outliers squeeze the bulk into one bucket: the key selection takes over.
        let mut tail = bulk.clone();
        for i in 0..2000 {
            tail[i * 100] = 1e12 * (i as f64 + 1.0);
        }
        let c = [Chunk::new(Values::F64(&tail), None)];
        let l = LinearCounts::new(&c).unwrap();
        assert!(l.select(&c, &[100_000]).unwrap().is_none());
        assert_eq!(quantiles(&c, &QS).unwrap(), by_sorting(&tail, &QS));
    }

    /// What another thread may have written over `v` between two passes, and whether the
    /// change is too big for a pass that reads a few buckets to miss.
    fn rewrites(v: &[f64]) -> Vec<(&'static str, Vec<f64>, bool)> {
        let mut some_nan = v.to_vec();
        for x in some_nan.iter_mut().step_by(101) {
            *x = f64::NAN;
        }
        let mut infinite = v.to_vec();
        infinite[5] = f64::INFINITY;
        vec![
            ("all NaN", vec![f64::NAN; v.len()], true),
            ("scaled", v.iter().map(|x| x * 1.5 + 0.25).collect(), true),
            ("huge", v.iter().map(|x| x * 1e300).collect(), true),
            ("zeros", vec![0.0; v.len()], true),
            ("some NaN", some_nan, false),
            ("infinite", infinite, false),
        ]
    }

    /// Whether `got` equals `want` (`np.quantile` by sorting), an empty sample included.
    fn same_as(got: &Result<Vec<f64>>, want: &[f64], values: &[f64]) -> bool {
        match got {
            Ok(q) => q == want,
            Err(Error::EmptySample(_)) => !values.iter().any(|x| x.is_finite()),
            Err(_) => false,
        }
    }

    #[test]
    fn quantiles_of_a_column_changed_between_the_passes_are_those_of_one_reading() {
        // The bucket census (large) and the key selection (small, and heavy-tailed).
        let large = data(3, 200_000, |u, _| u * 2.0 - 1.0);
        let small = data(4, 50_000, |u, _| u - 0.5);
        let mut tailed = data(5, 200_000, |u, _| u - 0.5);
        for i in 0..2000 {
            tailed[i * 100] = 1e12 * (i as f64 + 1.0);
        }
        for (first, size) in [(&large, "large"), (&small, "small"), (&tailed, "tailed")] {
            let want_first = by_sorting(first, &QS);
            let c1 = [Chunk::new(Values::F64(first), None)];
            for (name, later, moved) in rewrites(first) {
                let what = format!("{size}, {name}");
                let c2 = [Chunk::new(Values::F64(&later), None)];
                let want = if later.iter().any(|x| x.is_finite()) {
                    by_sorting(&later, &QS)
                } else {
                    Vec::new()
                };
                let got = quantiles_census_in(&c1, &c2, &QS);
                let census = got.as_ref().ok().and_then(|(_, c)| c.as_ref());
                let got = got.as_ref().map(|(q, _)| q.clone()).map_err(Clone::clone);
                // Of the second reading, or (a change the gathered buckets never saw) of the
                // first; a small column is read in full after its count, so always the second.
                let as_later = same_as(&got, &want, &later);
                assert!(
                    as_later || (!moved && size != "small" && got.as_ref() == Ok(&want_first)),
                    "{what}: {got:?}"
                );
                if let Some(c) = census {
                    let seen = if as_later { &later } else { first };
                    let finite = seen.iter().filter(|x| x.is_finite()).count() as u64;
                    let nan = seen.iter().filter(|x| x.is_nan()).count() as u64;
                    assert_eq!((c.n, c.nan, c.nulls), (finite, nan, 0), "{what}");
                }
            }
            // The second passes on their own notice a column whose count changed.
            let stats = stats_of(&c1);
            let mut fewer = first.to_vec();
            fewer[7] = f64::NAN;
            let c2 = [Chunk::new(Values::F64(&fewer), None)];
            let ranks = [0, stats.n / 2, stats.n - 1];
            assert_eq!(select_with(&c2, &ranks, stats), Err(Changed), "{size}");
            // The bucket census's second pass keeps only the wanted buckets: it notices
            // changes there (the tailed column's wanted buckets are too full for it).
            let gone = vec![f64::NAN; first.len()];
            let c3 = [Chunk::new(Values::F64(&gone), None)];
            if let (Some(l), "large") = (LinearCounts::new(&c1), size) {
                assert_eq!(l.select(&c3, &ranks).err(), Some(Changed), "{size}");
            }
        }
    }

    #[test]
    fn integers_validity_and_errors() {
        let ints: Vec<i64> = (0..100_000)
            .map(|i| (i * 7919) % 100_003 - 50_000)
            .collect();
        let as_f: Vec<f64> = ints.iter().map(|&i| i as f64).collect();
        let got = quantiles(&[Chunk::new(Values::I64(&ints), None)], &QS).unwrap();
        assert_eq!(got, by_sorting(&as_f, &QS));
        let bits: Vec<u8> = (0..ints.len().div_ceil(8))
            .map(|i| (i * 29 % 256) as u8)
            .collect();
        let v = Validity::new(&bits, 0, ints.len()).unwrap();
        let valid: Vec<f64> = (0..ints.len())
            .filter(|&i| v.is_valid(i))
            .map(|i| as_f[i])
            .collect();
        let got = quantiles(&[Chunk::new(Values::I64(&ints), Some(v))], &QS).unwrap();
        assert_eq!(got, by_sorting(&valid, &QS));
        let e = quantiles(&[Chunk::new(Values::Null(4), None)], &[0.5]).unwrap_err();
        assert!(matches!(e, Error::EmptySample(_)));
        let nan = [f64::NAN, f64::INFINITY];
        assert!(quantiles(&[Chunk::new(Values::F64(&nan), None)], &[0.5]).is_err());
        let x = [1.0, 2.0];
        let c = [Chunk::new(Values::F64(&x), None)];
        assert!(quantiles(&c, &[1.5]).is_err());
        assert!(quantiles(&c, &[f64::NAN]).is_err());
        assert!(select_ranks(&c, &[2]).is_err());
        assert!(select_ranks(&c, &[1, 0]).is_err());
        assert_eq!(select_ranks(&c, &[0, 1]).unwrap(), vec![1.0, 2.0]);
        assert_eq!(select_ranks(&c, &[]).unwrap(), Vec::<f64>::new());
    }
}
