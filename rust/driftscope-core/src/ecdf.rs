//! A sorted reference sample kept once, tested against many batches.
//!
//! [`Ecdf::ks`] walks only the batch: for each distinct batch value it locates the value in
//! the reference by galloping (exponential, then binary) search from the previous position,
//! so a batch of `m` sorted values against `n` reference values costs `O(m log(n/m))` after
//! the batch's own `O(m log m)` sort. The extremes of `F_ref - F_batch` can only occur at a
//! batch value or at the last reference value before one (and, for the minimum, at the first
//! reference value), because between two batch values `F_batch` is constant and `F_ref` only
//! grows; evaluating exactly those points with the merge walk's formula gives the same
//! statistic, location and sign as `ks_2samp(reference, batch)`, bit for bit.
//!
//! The other tests (`wasserstein`, `energy`, `cvm`, `anderson`) integrate or rank over the
//! whole pooled sample and so cost `O(n + m)`: they reuse the merge-walk kernels.

use crate::anderson::{anderson_ksamp_sorted, AndersonResult, AndersonVariant};
use crate::census::{
    fold_extremes, gather, gathered_too_many, ks_buckets, segments, slice, wasserstein_buckets,
    wasserstein_from_census, Census, Skipped,
};
use crate::column::Chunk;
use crate::cvm::{cramervonmises_2samp_sorted, CvmMethod, CvmResult};
use crate::error::{Error, Result};
use crate::ks::{
    cdf_diff, check_nonempty, ks_pvalue, walk_segment, Alternative, Extremes, KsMethod, KsResult,
    KsStatistic,
};
use crate::serial::{Reader, Writer};
use crate::sort::{SortedSample, Spread, FINE};
use crate::wasserstein::{cdf_distances_sorted, CdfDistances};
use rayon::prelude::*;

const KIND: &[u8; 4] = b"ECDF";
const VERSION: u16 = 1;
/// Values per serialized summary: the envelope's payload length is a u32.
const MAX_SERIALIZED: usize = (u32::MAX as usize - 64) / 8;

/// The empirical CDF of a reference sample. See the module documentation.
#[derive(Debug, Clone)]
pub struct Ecdf {
    sample: SortedSample,
    /// Every [`STRIDE`]-th reference value: a cache-resident index that narrows each search
    /// to one stride of the reference, so searches cost ~2 cache misses instead of ~log2(n).
    index: Vec<f64>,
    /// The reference's bucket census for [`Ecdf::ks_chunks`] (large references only).
    buckets: Option<Buckets>,
}

/// A bucket map fitted to the reference and the reference's census under it (counts and
/// offset sums).
#[derive(Debug, Clone)]
struct Buckets {
    spread: Spread,
    census: Census,
}

impl Buckets {
    /// The census of an ascending sample: bucket edges found by galloping, not by mapping
    /// every value.
    fn of_sorted(v: &[f64]) -> Buckets {
        let picks: Vec<f64> = (0..CENSUS_SAMPLE)
            .map(|i| v[i * v.len() / CENSUS_SAMPLE])
            .filter(|x| x.is_finite())
            .collect();
        let spread = Spread::from_sample(&picks);
        let mut counts = vec![0u32; FINE];
        let mut offsets = vec![0.0f64; FINE];
        let mut start = 0usize;
        for (k, (c, o)) in counts.iter_mut().zip(&mut offsets).enumerate() {
            let end = gallop(v, start, |x| spread.index(x) <= k);
            // At most u32::MAX values: the reference's size is checked before.
            *c = (end - start) as u32;
            let lower = spread.lower(k);
            *o = v[start..end].iter().map(|&x| x - lower).sum();
            start = end;
        }
        let census = Census {
            counts,
            offsets,
            tally: SortedSample::default(),
        };
        Buckets { spread, census }
    }
}

impl PartialEq for Ecdf {
    fn eq(&self, other: &Self) -> bool {
        self.sample == other.sample
    }
}

/// Reference values per index entry (16 doubles: two cache lines, prefetched together).
const STRIDE: usize = 16;
/// How many batch values ahead [`Ecdf::places`] prefetches the reference.
const PREFETCH_AHEAD: usize = 16;
/// Batches at least this long are located on all cores.
const PARALLEL_MIN: usize = 1 << 14;
/// References at least this long get a bucket census, and batches at least this long are
/// tested through it.
const CENSUS_REF_MIN: usize = 1 << 16;
const CENSUS_BATCH_MIN: usize = 1 << 13;
/// Reference values sampled to fit the bucket map.
const CENSUS_SAMPLE: usize = 1024;

impl Ecdf {
    /// The ECDF of a sorted sample; an empty one is an error.
    pub fn new(sample: SortedSample) -> Result<Ecdf> {
        if sample.is_empty() {
            return Err(Error::EmptySample(
                "ECDF needs at least one reference value, but the reference is empty \
                 (after dropping nulls and NaN)"
                    .into(),
            ));
        }
        let index = sample.values().iter().step_by(STRIDE).copied().collect();
        let n = sample.len();
        let buckets = (CENSUS_REF_MIN..=u32::MAX as usize)
            .contains(&n)
            .then(|| Buckets::of_sorted(sample.values()));
        Ok(Ecdf {
            sample,
            index,
            buckets,
        })
    }

    /// The first index whose value is not `before` (`before` true on a prefix of the values):
    /// the index picks the stride, a binary search finishes within it. Independent of any
    /// other search, so the CPU overlaps the cache misses of many of them.
    #[inline]
    fn locate(&self, before: impl Fn(f64) -> bool) -> usize {
        let v = self.values();
        let k = self.index.partition_point(|&x| before(x));
        if k == 0 {
            return 0;
        }
        let lo = (k - 1) * STRIDE + 1;
        let hi = (k * STRIDE).min(v.len());
        lo + v[lo..hi].partition_point(|&x| before(x))
    }

    /// `(count_below(c), count_at_or_below(c), the reference value just below c)` for each
    /// value `c` of an ascending batch (that value is read here, while it is in cache; NaN
    /// when there is none).
    ///
    /// First the index positions of all batch values, galloping forward through the index
    /// (a stream the hardware prefetches); then the search within each stride, with the
    /// strides of later batch values prefetched so their cache misses overlap.
    fn places(&self, batch: &[f64]) -> Vec<(usize, usize, f64)> {
        let v = self.values();
        let mut k = 0usize;
        let ks: Vec<usize> = batch
            .iter()
            .map(|&c| {
                k = gallop(&self.index, k, |x| x < c);
                k
            })
            .collect();
        let stride_start = |k: usize| (k.max(1) - 1) * STRIDE;
        for &k in ks.iter().take(PREFETCH_AHEAD) {
            prefetch(v, stride_start(k));
        }
        batch
            .iter()
            .zip(&ks)
            .enumerate()
            .map(|(j, (&c, &k))| {
                if let Some(&ahead) = ks.get(j + PREFETCH_AHEAD) {
                    prefetch(v, stride_start(ahead));
                }
                let lo = if k == 0 {
                    0
                } else {
                    let start = (k - 1) * STRIDE + 1;
                    let end = (k * STRIDE).min(v.len());
                    start + v[start..end].partition_point(|&x| x < c)
                };
                let below = if lo > 0 { v[lo - 1] } else { f64::NAN };
                (lo, gallop_upper(v, lo, c), below)
            })
            .collect()
    }

    /// Number of reference values `< x`.
    pub fn count_below(&self, x: f64) -> usize {
        self.locate(|r| r < x)
    }

    /// Number of reference values `<= x`.
    pub fn count_at_or_below(&self, x: f64) -> usize {
        self.locate(|r| r <= x)
    }

    /// The ECDF of a column's valid values.
    pub fn from_chunks(chunks: &[Chunk<'_>]) -> Result<Ecdf> {
        Ecdf::new(SortedSample::from_chunks(chunks))
    }

    /// Number of reference values (nulls and NaN excluded).
    pub fn n(&self) -> usize {
        self.sample.len()
    }

    /// The sorted reference values.
    pub fn values(&self) -> &[f64] {
        self.sample.values()
    }

    /// The reference sample with its null and NaN counts.
    pub fn sample(&self) -> &SortedSample {
        &self.sample
    }

    /// `F(x)`: the fraction of reference values `<= x` (NaN for NaN).
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        self.count_at_or_below(x) as f64 / self.n() as f64
    }

    /// [`Ecdf::cdf`] of every `xs[i]` into `out[i]`, on all cores for long inputs.
    pub fn cdf_into(&self, xs: &[f64], out: &mut [f64]) -> Result<()> {
        if xs.len() != out.len() {
            return Err(Error::InvalidArgument(format!(
                "cdf: {} inputs but an output of length {}",
                xs.len(),
                out.len()
            )));
        }
        let one = |(x, o): (&f64, &mut f64)| *o = self.cdf(*x);
        if xs.len() >= PARALLEL_MIN {
            xs.par_iter().zip(out.par_iter_mut()).for_each(one);
        } else {
            xs.iter().zip(out.iter_mut()).for_each(one);
        }
        Ok(())
    }

    /// [`Ecdf::cdf`] of every value of `xs`.
    pub fn cdf_many(&self, xs: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; xs.len()];
        // Lengths match by construction.
        let _ = self.cdf_into(xs, &mut out);
        out
    }

    /// The inverse ECDF at `q` in [0, 1]: the smallest reference value `x` with `F(x) >= q`,
    /// i.e. `numpy.quantile(reference, q, method='inverted_cdf')` (Hyndman & Fan type 1),
    /// computed with NumPy's index arithmetic (`floor(n q - 1)`, next unless exact).
    pub fn quantile(&self, q: f64) -> Result<f64> {
        if !(0.0..=1.0).contains(&q) {
            return Err(Error::InvalidArgument(format!(
                "quantile {q} is outside [0, 1]"
            )));
        }
        let v = self.values();
        let index = v.len() as f64 * q - 1.0;
        let previous = index.floor();
        let gamma = index - previous;
        let k = if gamma == 0.0 {
            previous
        } else {
            previous + 1.0
        };
        let k = if k < 0.0 {
            0
        } else {
            (k as usize).min(v.len() - 1)
        };
        Ok(v[k])
    }

    /// [`Ecdf::quantile`] of every value of `qs`.
    pub fn quantiles(&self, qs: &[f64]) -> Result<Vec<f64>> {
        qs.iter().map(|&q| self.quantile(q)).collect()
    }

    /// The KS statistic of `ks_2samp(reference, current)` for an ascending, NaN-free batch,
    /// in `O(m log(n/m))`.
    pub fn ks_statistic(&self, current: &[f64], alternative: Alternative) -> Result<KsStatistic> {
        let r = self.values();
        check_nonempty(r.len(), current.len(), "ECDF.ks")?;
        let (n1, n2) = (r.len(), current.len());
        let (n1f, n2f) = (n1 as f64, n2 as f64);
        // Where each batch value falls in the reference: reference values below it (`lo`) and
        // at or below it (`up`). The batch is ascending, so its index positions are found by
        // galloping forward through the small index (a cache-friendly stream); the final
        // search within one stride depends on nothing but that position, so the CPU overlaps
        // the cache misses of many batch values. Long batches are split across cores.
        let places: Vec<(usize, usize, f64)> = if n2 >= PARALLEL_MIN {
            current
                .par_chunks(PARALLEL_MIN / 4)
                .flat_map_iter(|part| self.places(part))
                .collect()
        } else {
            self.places(current)
        };
        let mut ext = Extremes::new();
        // `prev_up`: reference values <= the previous batch value.
        let mut prev_up = 0usize;
        let mut j = 0usize;
        while j < n2 {
            let c = current[j];
            let (lo, up, below) = places[j];
            if lo > prev_up {
                // Reference values strictly between the previous batch value and c.
                if j == 0 {
                    // The first reference value is where F_ref - F_batch is smallest there.
                    let r0 = r[0];
                    ext.observe(r0, cdf_diff(gallop_upper(r, 0, r0), n1f, 0, n2f), true);
                }
                // The last of them is where the difference is largest.
                ext.observe(below, cdf_diff(lo, n1f, j, n2f), true);
            }
            let mut j_end = j + 1;
            while j_end < n2 && current[j_end] == c {
                j_end += 1;
            }
            ext.observe(c, cdf_diff(up, n1f, j_end, n2f), up > lo);
            prev_up = up;
            j = j_end;
        }
        if prev_up < n1 {
            ext.observe(r[n1 - 1], cdf_diff(n1, n1f, n2, n2f), true);
        }
        Ok(ext.statistic(n1, n2, alternative))
    }

    /// `scipy.stats.ks_2samp(reference, current, alternative, method)` for an ascending batch.
    pub fn ks(
        &self,
        current: &[f64],
        alternative: Alternative,
        method: KsMethod,
    ) -> Result<KsResult> {
        let stat = self.ks_statistic(current, alternative)?;
        Ok(ks_pvalue(&stat, method))
    }

    /// `scipy.stats.ks_2samp(reference, current, alternative, method)` for a batch in any
    /// order, with what the batch left out. A long batch against a large reference is
    /// bucketed with the reference's census (see [`crate::census`]): one pass over the
    /// batch, then only the batch values in the few buckets that can hold the extremes are
    /// sorted and walked against the matching stretches of the reference. Otherwise the
    /// batch is sorted and [`Ecdf::ks`] walks it.
    pub fn ks_chunks(
        &self,
        current: &[Chunk<'_>],
        alternative: Alternative,
        method: KsMethod,
    ) -> Result<(KsResult, Skipped)> {
        let sorted = || -> Result<(KsResult, Skipped)> {
            let cur = SortedSample::from_chunks(current);
            Ok((self.ks(cur.values(), alternative, method)?, (&cur).into()))
        };
        let m: usize = current.iter().map(|c| c.len()).sum();
        let Some(b) = &self.buckets else {
            return sorted();
        };
        if !(CENSUS_BATCH_MIN..=u32::MAX as usize).contains(&m) {
            return sorted();
        }
        let cb = Census::take(current, &b.spread, false);
        let (n1, n2) = (self.n(), cb.valid());
        check_nonempty(n1, n2, "ECDF.ks")?;
        let counts = &b.census.counts;
        let wanted = ks_buckets(counts, &cb.counts, n1, n2, alternative);
        if gathered_too_many(counts, &cb.counts, &wanted) {
            return sorted();
        }
        let gb = gather(current, &b.spread, &wanted);
        let r = self.values();
        let n = (n1 as f64, n2 as f64);
        let walks: Vec<Extremes> = segments(counts, &cb.counts, &wanted)
            .into_par_iter()
            .with_min_len(16)
            .map(|(_, r1, r2, before)| {
                // The reference is not gathered: its values in the bucket are the `r1.len()`
                // values after the `before.0` below it.
                let reference = r.get(before.0..before.0 + r1.len()).unwrap_or(&[]);
                walk_segment(reference, gb.get(r2).unwrap_or(&[]), before, n)
            })
            .collect();
        let stat = fold_extremes(&walks).statistic(n1, n2, alternative);
        Ok((ks_pvalue(&stat, method), (&cb.tally).into()))
    }

    /// `scipy.stats.wasserstein_distance(reference, current)` for a batch in any order, with
    /// what the batch left out: through the reference's census like [`Ecdf::ks_chunks`]
    /// (only buckets where the two CDFs may cross are walked), else by sorting the batch.
    pub fn wasserstein_chunks(&self, current: &[Chunk<'_>]) -> Result<(f64, Skipped)> {
        let sorted = || -> Result<(f64, Skipped)> {
            let cur = SortedSample::from_chunks(current);
            Ok((self.wasserstein(cur.values())?, (&cur).into()))
        };
        let m: usize = current.iter().map(|c| c.len()).sum();
        let Some(b) = &self.buckets else {
            return sorted();
        };
        if !(CENSUS_BATCH_MIN..=u32::MAX as usize).contains(&m) || self.sample.inf_count() > 0 {
            return sorted();
        }
        let cb = Census::take(current, &b.spread, true);
        let (n1, n2) = (self.n(), cb.valid());
        check_nonempty(n1, n2, "ECDF.wasserstein")?;
        let counts = &b.census.counts;
        let wanted = wasserstein_buckets(&b.spread, counts, &cb.counts, n1, n2);
        if cb.tally.inf_count() > 0 || gathered_too_many(counts, &cb.counts, &wanted) {
            return sorted();
        }
        let gb = gather(current, &b.spread, &wanted);
        let r = self.values();
        let w = wasserstein_from_census(
            &b.spread,
            (&b.census, &cb),
            (n1, n2),
            &wanted,
            |r1, r2, before| {
                let reference = r.get(before.0..before.0 + r1.len()).unwrap_or(&[]);
                (reference, slice(&gb, r2))
            },
        );
        Ok((w, (&cb.tally).into()))
    }

    /// Wasserstein-1 and energy distances to an ascending batch (`O(n + m)`).
    pub fn distances(&self, current: &[f64]) -> Result<CdfDistances> {
        cdf_distances_sorted(self.values(), current)
    }

    /// `scipy.stats.wasserstein_distance(reference, current)` (`O(n + m)`).
    pub fn wasserstein(&self, current: &[f64]) -> Result<f64> {
        Ok(self.distances(current)?.wasserstein)
    }

    /// `scipy.stats.energy_distance(reference, current)` (`O(n + m)`).
    pub fn energy(&self, current: &[f64]) -> Result<f64> {
        Ok(self.distances(current)?.energy)
    }

    /// `scipy.stats.cramervonmises_2samp(reference, current, method)` (`O(n + m)`).
    pub fn cvm(&self, current: &[f64], method: CvmMethod) -> Result<CvmResult> {
        cramervonmises_2samp_sorted(self.values(), current, method)
    }

    /// `scipy.stats.anderson_ksamp([reference, current])` (`O(n + m)`).
    pub fn anderson(&self, current: &[f64], variant: AndersonVariant) -> Result<AndersonResult> {
        anderson_ksamp_sorted(&[self.values(), current], variant)
    }

    /// Serializes the reference (values and skip counts) in the driftscope envelope.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let v = self.values();
        if v.len() > MAX_SERIALIZED {
            return Err(Error::InvalidArgument(format!(
                "an ECDF of {} values is too large to serialize (at most {MAX_SERIALIZED})",
                v.len()
            )));
        }
        let mut w = Writer::new(KIND, VERSION);
        w.u64(self.sample.null_count)
            .u64(self.sample.nan_count)
            .u64(v.len() as u64);
        for &x in v {
            w.f64(x);
        }
        Ok(w.finish())
    }

    /// Reads bytes written by [`Ecdf::to_bytes`]; anything else is an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Ecdf> {
        let (mut r, _version) = Reader::open(bytes, KIND, VERSION, "ECDF")?;
        let null_count = r.u64()?;
        let nan_count = r.u64()?;
        let n = r.u64()?;
        let n = usize::try_from(n).map_err(|_| r.invalid("the value count is too large"))?;
        if n == 0 {
            return Err(r.invalid("the reference is empty"));
        }
        if n > bytes.len() / 8 {
            return Err(r.invalid("the value count exceeds the payload"));
        }
        let mut values = Vec::with_capacity(n);
        let mut prev = f64::NEG_INFINITY;
        for _ in 0..n {
            let x = r.f64()?;
            if x.is_nan() || x < prev || (x == 0.0 && x.is_sign_negative()) {
                return Err(r.invalid("the values are not sorted, NaN-free and normalised"));
            }
            prev = x;
            values.push(x);
        }
        r.finish()?;
        let mut sample = SortedSample::from_sorted_unchecked(values);
        sample.null_count = null_count;
        sample.nan_count = nan_count;
        Ecdf::new(sample)
    }
}

/// Asks the CPU to start loading the stride of `v` at `start` (two cache lines) into cache.
#[inline(always)]
fn prefetch(v: &[f64], start: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(stride) = v.get(start..(start + STRIDE).min(v.len())) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: prefetching is a hint with no memory effects; both addresses lie within
        // `stride`, a live slice.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(stride.as_ptr().cast());
            _mm_prefetch::<_MM_HINT_T0>(stride.as_ptr().add(stride.len() - 1).cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, start);
}

/// The first index `>= start` whose value is `>= x` (values ascending, `v[..start] < x`).
#[cfg(test)]
fn gallop_lower(v: &[f64], start: usize, x: f64) -> usize {
    gallop(v, start, |r| r < x)
}

/// The first index `>= start` whose value is `> x` (values ascending, `v[..start] <= x`).
fn gallop_upper(v: &[f64], start: usize, x: f64) -> usize {
    gallop(v, start, |r| r <= x)
}

/// The first index `>= start` where `before` turns false, by exponential then binary search:
/// `O(log d)` for a distance `d` from `start`.
#[inline]
fn gallop(v: &[f64], start: usize, before: impl Fn(f64) -> bool) -> usize {
    let n = v.len();
    if start >= n || !before(v[start]) {
        return start.min(n);
    }
    // v[lo] is before; find hi with v[hi] not before (or n).
    let mut lo = start;
    let mut step = 1usize;
    let mut hi = loop {
        let probe = lo.saturating_add(step);
        if probe >= n {
            break n;
        }
        if !before(v[probe]) {
            break probe;
        }
        lo = probe;
        step = step.saturating_mul(2);
    };
    // Invariant: before(v[lo]) and (hi == n or !before(v[hi])).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if before(v[mid]) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexed_search_matches_partition_point_with_long_ties() {
        // Runs of equal values longer than a stride, at stride boundaries and at the ends.
        let mut v: Vec<f64> = Vec::new();
        for (value, run) in [(-1.0, 3usize), (0.0, 200), (1.5, 64), (2.0, 1), (3.0, 129)] {
            v.extend(std::iter::repeat_n(value, run));
        }
        let e = Ecdf::new(SortedSample::from_vec(v.clone())).unwrap();
        for x in [
            -2.0,
            -1.0,
            -0.5,
            0.0,
            1.0,
            1.5,
            1.7,
            2.0,
            2.5,
            3.0,
            4.0,
            f64::INFINITY,
        ] {
            assert_eq!(e.count_below(x), v.partition_point(|&r| r < x), "x={x}");
            assert_eq!(
                e.count_at_or_below(x),
                v.partition_point(|&r| r <= x),
                "x={x}"
            );
        }
    }
    use crate::ks::ks_statistic;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
    }

    fn ecdf(v: &[f64]) -> Ecdf {
        Ecdf::new(SortedSample::from_vec(v.to_vec())).unwrap()
    }

    #[test]
    fn ks_equals_merge_walk_on_random_cases() {
        let mut rng = Rng(11);
        for case in 0..3000 {
            let n1 = 1 + (rng.next() % 60) as usize;
            let n2 = 1 + (rng.next() % 60) as usize;
            let levels = [2u64, 3, 7, 50, 1 << 40][case % 5];
            let off = (rng.next() % 5) as f64 - 2.0;
            let mut draw = |n: usize, shift: f64| -> Vec<f64> {
                (0..n)
                    .map(|_| match rng.next() % 40 {
                        0 => f64::INFINITY,
                        1 => f64::NEG_INFINITY,
                        _ => (rng.next() % levels) as f64 + shift,
                    })
                    .collect()
            };
            let a = SortedSample::from_vec(draw(n1, 0.0)).into_values();
            let b = SortedSample::from_vec(draw(n2, off)).into_values();
            let e = Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
            for alt in [
                Alternative::TwoSided,
                Alternative::Less,
                Alternative::Greater,
            ] {
                let want = ks_statistic(&a, &b, alt).unwrap();
                let got = e.ks_statistic(&b, alt).unwrap();
                assert_eq!(
                    got.statistic.to_bits(),
                    want.statistic.to_bits(),
                    "{a:?} {b:?} {alt}"
                );
                assert_eq!(
                    got.location.to_bits(),
                    want.location.to_bits(),
                    "{a:?} {b:?} {alt}"
                );
                assert_eq!(got.sign, want.sign, "{a:?} {b:?} {alt}");
            }
        }
    }

    #[test]
    fn ks_matches_scipy_through_the_reference() {
        // ks_2samp([3., 4], [1., 2], alternative='less', method='asymp'): the reference is data1.
        let e = ecdf(&[3.0, 4.0]);
        let r = e
            .ks(&[1.0, 2.0], Alternative::Less, KsMethod::Asymp)
            .unwrap();
        assert_eq!(
            (r.statistic, r.statistic_location, r.statistic_sign),
            (1.0, 2.0, -1)
        );
        assert!((r.pvalue - 0.049787068367863944).abs() < 1e-16);
        assert!(e.ks(&[], Alternative::TwoSided, KsMethod::Auto).is_err());
    }

    #[test]
    fn cdf_and_quantile() {
        let e = ecdf(&[3.0, 1.0, 2.0, 2.0, f64::NAN]);
        assert_eq!(e.n(), 4);
        assert_eq!(e.sample().nan_count, 1);
        assert_eq!(e.cdf(0.0), 0.0);
        assert_eq!(e.cdf(2.0), 0.75);
        assert_eq!(e.cdf(10.0), 1.0);
        assert!(e.cdf(f64::NAN).is_nan());
        let xs = [2.0, 0.5, 3.0, 3.0, f64::NAN, 1.0];
        let want: Vec<f64> = xs.iter().map(|&x| e.cdf(x)).collect();
        let got = e.cdf_many(&xs);
        assert_eq!(got[..4], want[..4]);
        assert!(got[4].is_nan());
        assert_eq!(got[5], want[5]);
        let mut short = [0.0; 2];
        assert!(e.cdf_into(&xs, &mut short).is_err());
        // np.quantile([1, 2, 2, 3], q, method='inverted_cdf')
        let cases = [
            (0.0, 1.0),
            (0.25, 1.0),
            (0.26, 2.0),
            (0.5, 2.0),
            (0.75, 2.0),
            (0.76, 3.0),
            (1.0, 3.0),
        ];
        for (q, want) in cases {
            assert_eq!(e.quantile(q).unwrap(), want, "q={q}");
        }
        assert!(e.quantile(1.5).is_err());
        assert!(e.quantile(f64::NAN).is_err());
        assert_eq!(e.quantiles(&[0.0, 1.0]).unwrap(), vec![1.0, 3.0]);
        assert!(Ecdf::new(SortedSample::from_vec(vec![f64::NAN])).is_err());
    }

    #[test]
    fn other_tests_delegate_to_merge_walks() {
        let e = ecdf(&[0.0, 1.0, 3.0]);
        assert_eq!(e.wasserstein(&[5.0, 6.0, 8.0]).unwrap(), 5.0);
        assert_eq!(e.energy(&[5.0, 6.0, 8.0]).unwrap(), 2.7080128015453204);
        let c = ecdf(&[1.0, 2.0]).cvm(&[2.0, 3.0], CvmMethod::Auto).unwrap();
        assert_eq!(c.statistic, 0.1875);
        let a = ecdf(&[1.0, 2.0, 3.0])
            .anderson(&[2.0, 3.0, 4.0, 5.0], AndersonVariant::Midrank)
            .unwrap();
        assert_eq!(a.statistic, 0.80340382231468);
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let e = ecdf(&[2.0, f64::NAN, -1.0, f64::INFINITY, 0.5]);
        let bytes = e.to_bytes().unwrap();
        let back = Ecdf::from_bytes(&bytes).unwrap();
        assert_eq!(back, e);
        assert_eq!(back.sample().nan_count, 1);
        assert_eq!(back.sample().pos_inf_count, 1);
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x41;
            assert!(Ecdf::from_bytes(&bad).is_err(), "byte {i}");
        }
        for n in 0..bytes.len() {
            assert!(Ecdf::from_bytes(&bytes[..n]).is_err());
        }
        // Well-formed envelopes with inconsistent content.
        let mut w = Writer::new(KIND, VERSION);
        w.u64(0).u64(0).u64(2).f64(2.0).f64(1.0);
        assert!(Ecdf::from_bytes(&w.finish()).is_err(), "unsorted");
        let mut w = Writer::new(KIND, VERSION);
        w.u64(0).u64(0).u64(0);
        assert!(Ecdf::from_bytes(&w.finish()).is_err(), "empty");
        let mut w = Writer::new(KIND, VERSION);
        w.u64(0).u64(0).u64(u64::MAX);
        assert!(Ecdf::from_bytes(&w.finish()).is_err(), "huge count");
        let mut w = Writer::new(KIND, VERSION);
        w.u64(0).u64(0).u64(1).f64(-0.0);
        assert!(Ecdf::from_bytes(&w.finish()).is_err(), "negative zero");
    }

    #[test]
    fn gallop_finds_bounds() {
        let v = [1.0, 2.0, 2.0, 2.0, 5.0, 7.0, 7.0, 9.0];
        for start in 0..v.len() {
            for x in [0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 8.0, 9.0, 10.0] {
                let lower = v.partition_point(|&r| r < x);
                let upper = v.partition_point(|&r| r <= x);
                if start <= lower {
                    assert_eq!(gallop_lower(&v, start, x), lower, "{start} {x}");
                }
                if start <= upper {
                    assert_eq!(gallop_upper(&v, start, x), upper, "{start} {x}");
                }
            }
        }
    }
}
