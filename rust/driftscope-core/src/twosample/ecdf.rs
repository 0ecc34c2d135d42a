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
//! [`Ecdf::cvm`] also walks only the batch. scipy's `U = nx·Σ (r_i - i)² + ny·Σ (s_j - j)²`
//! sums over both samples' mid-ranks, but the reference's part depends on the batch only
//! through how many batch values lie below (or tie with) each reference value: a tie group of
//! `t` reference values with `y` batch values below it and `u` tied with it adds
//! `t·(y + u/2)² + t·(t² - 1)/12`. The last term, summed over the reference, is computed once;
//! the first is constant over the reference values between two batch values, so each distinct
//! batch value adds one term, from the same searches as the KS walk: `O(m log(n/m))`. The sums
//! are exact (integers in twelfths), so `U` is the exactly rounded value of scipy's formula.
//!
//! [`Ecdf::distances`] (Wasserstein-1 and energy) integrates `|F_ref - F_batch|` and its
//! square over the pooled values. Between two batch values `F_batch = g` is constant and
//! `F_ref = i/n` on the reference's gap `d_{i-1}` (from its `(i-1)`-th to its `i`-th value), so
//! the integral over the reference's gaps there is a combination of `Σ d`, `Σ i·d` and
//! `Σ i²·d` over a range of gaps (split where `i/n` passes `g` for the absolute value). Prefix
//! sums of those three, in double-double and kept every [`GAP_BLOCK`] gaps, are built on the
//! first call (`O(n)` once, 3 bytes per reference value); each batch then costs
//! `O(m (log(n/m) + GAP_BLOCK))`. The pieces from a batch value to the next reference value
//! are scipy's own terms. References under [`GAP_REF_MIN`] values, batches longer than
//! `1 / GAP_RATIO` of the reference (where the walk is as fast), and infinite or extreme
//! values (where the sums could overflow) take the merge walk.
//!
//! `anderson` merges the whole pooled sample, `O(n + m)`: Anderson–Darling's terms divide by a
//! quadratic in each pooled value's rank, so no per-reference summary makes it exact in less
//! than a pass over the reference.

use crate::error::{Error, Num, Result};
use crate::io::column::Chunk;
use crate::io::serial::{Kind, Reader, Writer, MAX_PAYLOAD};
use crate::numeric::dd::{quick_two_sum, two_prod, two_sum, Dd};
use crate::numeric::npcompat::int_div;
use crate::numeric::sort::{SortedSample, Spread, FINE};
use crate::twosample::anderson::{anderson_ksamp_sorted, AndersonResult, AndersonVariant};
use crate::twosample::census::{
    finite_ends, fold_extremes, gather, gathered_too_many, ks_buckets, segments, slice,
    wasserstein_buckets, wasserstein_from_census, Census, Skipped,
};
use crate::twosample::cvm::{cramervonmises_2samp_sorted, cvm_from_sums, CvmMethod, CvmResult};
use crate::twosample::ks::{
    cdf_diff, check_nonempty, ks_pvalue, walk_segment, Alternative, Extremes, KsMethod, KsResult,
    KsStatistic,
};
use crate::twosample::wasserstein::{
    cdf_distances_sorted, energy_from_l2, Accumulator, CdfDistances,
};
use rayon::prelude::*;
use std::sync::OnceLock;

/// Values per serialized summary, so the payload fits the envelope (checked before writing).
const MAX_SERIALIZED: usize = (MAX_PAYLOAD - 64) / 8;

/// The empirical CDF of a reference sample. See the module documentation.
#[derive(Debug, Clone)]
pub struct Ecdf {
    sample: SortedSample,
    /// Every [`STRIDE`]-th reference value: a cache-resident index that narrows each search
    /// to one stride of the reference, so searches cost ~2 cache misses instead of ~log2(n).
    index: Vec<f64>,
    /// The reference's bucket census for [`Ecdf::ks_chunks`] (large references only).
    buckets: Option<Buckets>,
    /// `Σ t·(t² - 1)` over the reference's groups of `t` equal values (for [`Ecdf::cvm`],
    /// found on first use; `None` past `u128`).
    tie_cubes: OnceLock<Option<u128>>,
    /// The reference's gap sums for [`Ecdf::distances`] (found on first use; `None` where the
    /// merge walk is used instead).
    gaps: OnceLock<Option<GapSums>>,
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
            tie_cubes: OnceLock::new(),
            gaps: OnceLock::new(),
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

    /// [`Ecdf::places`] of a whole ascending batch: its index positions are found by galloping
    /// forward through the small index (a cache-friendly stream); the final search within one
    /// stride depends on nothing but that position, so the CPU overlaps the cache misses of
    /// many batch values. Long batches are split across cores.
    fn places_all(&self, current: &[f64]) -> Vec<(usize, usize, f64)> {
        if current.len() >= PARALLEL_MIN {
            current
                .par_chunks(PARALLEL_MIN / 4)
                .flat_map_iter(|part| self.places(part))
                .collect()
        } else {
            self.places(current)
        }
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
                "quantile {} is outside [0, 1]",
                Num(q)
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
        // at or below it (`up`).
        let places = self.places_all(current);
        let mut ext = Extremes::new();
        // `prev_up`: reference values <= the previous batch value.
        let mut prev_up = 0usize;
        for (j, j_end) in value_runs(current) {
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
            ext.observe(c, cdf_diff(up, n1f, j_end, n2f), up > lo);
            prev_up = up;
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
    /// bucketed with the reference's census (see [`crate::twosample::census`]): one pass over the
    /// batch, then only the batch values in the few buckets that can hold the extremes are
    /// sorted and walked against the matching stretches of the reference. Otherwise the
    /// batch is sorted and [`Ecdf::ks`] walks it.
    pub fn ks_chunks(
        &self,
        current: &[Chunk<'_>],
        alternative: Alternative,
        method: KsMethod,
    ) -> Result<(KsResult, Skipped)> {
        self.ks_chunks_in(current, current, alternative, method)
    }

    /// [`Ecdf::ks_chunks`] whose passes after the census read `later`, the same batch (only
    /// tests pass other values, standing for a batch changed between the passes). When the
    /// gathering pass finds the batch changed, it is sorted afresh from `later`.
    pub(crate) fn ks_chunks_in(
        &self,
        current: &[Chunk<'_>],
        later: &[Chunk<'_>],
        alternative: Alternative,
        method: KsMethod,
    ) -> Result<(KsResult, Skipped)> {
        let sorted = || -> Result<(KsResult, Skipped)> {
            let cur = SortedSample::from_chunks(later);
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
        let Ok(gb) = gather(later, &b.spread, &wanted, &cb.counts) else {
            return sorted();
        };
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
        self.wasserstein_chunks_in(current, current)
    }

    /// [`Ecdf::wasserstein_chunks`] whose passes after the census read `later`, as in
    /// [`Ecdf::ks_chunks_in`].
    pub(crate) fn wasserstein_chunks_in(
        &self,
        current: &[Chunk<'_>],
        later: &[Chunk<'_>],
    ) -> Result<(f64, Skipped)> {
        let sorted = || -> Result<(f64, Skipped)> {
            let cur = SortedSample::from_chunks(later);
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
        let gb = match gather(later, &b.spread, &wanted, &cb.counts) {
            // The census saw no infinity; a gathered one means a change too.
            Ok(gb) if finite_ends(&gb) => gb,
            _ => return sorted(),
        };
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

    /// Wasserstein-1 and energy distances to an ascending batch (see the module
    /// documentation for the cost).
    pub fn distances(&self, current: &[f64]) -> Result<CdfDistances> {
        let v = self.values();
        check_nonempty(
            v.len(),
            current.len(),
            "wasserstein_distance/energy_distance",
        )?;
        let finite = current.first().is_some_and(|c| c.is_finite())
            && current.last().is_some_and(|c| c.is_finite());
        if v.len() >= GAP_REF_MIN && current.len() <= v.len() / GAP_RATIO && finite {
            if let Some(g) = self.gaps.get_or_init(|| GapSums::build(v)) {
                let (l1, l2) = self.gap_integrals(g, current);
                return Ok(CdfDistances {
                    wasserstein: l1,
                    energy: energy_from_l2(l2),
                    n1: v.len(),
                    n2: current.len(),
                });
            }
        }
        cdf_distances_sorted(v, current)
    }

    /// `(Σ |F_ref - F_batch| Δx, Σ (F_ref - F_batch)² Δx)` over the pooled values, for a
    /// finite ascending batch, through the gap sums `g` (see the module documentation).
    pub(crate) fn gap_integrals(&self, g: &GapSums, current: &[f64]) -> (f64, f64) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU supports FMA, as checked.
            return unsafe { self.gap_integrals_fma(g, current) };
        }
        self.gap_integrals_body(g, current)
    }

    /// [`Ecdf::gap_integrals`] with the double-double products' fused multiply-adds inlined.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "fma")]
    fn gap_integrals_fma(&self, g: &GapSums, current: &[f64]) -> (f64, f64) {
        self.gap_integrals_body(g, current)
    }

    #[inline(always)]
    fn gap_integrals_body(&self, g: &GapSums, current: &[f64]) -> (f64, f64) {
        let v = self.values();
        let (n, m) = (v.len(), current.len());
        let places = self.places_all(current);
        let mut w = GapWalk {
            v,
            g,
            n,
            m,
            nf: n as f64,
            mf: m as f64,
            l1: Accumulator::default(),
            l2: Accumulator::default(),
        };
        // Before the first batch value: `F_batch = 0`.
        let lo0 = places[0].0;
        if lo0 > 0 {
            w.gaps(0, lo0 - 1, 0);
            w.piece(lo0, 0, current[0] - v[lo0 - 1]);
        }
        for (s, e) in value_runs(current) {
            let x = current[s];
            // `a` reference values at or below `x`; the next batch value `y` has `next` below it.
            let a = places[s].1;
            let (next, y) = if e < m {
                (places[e].0, current[e])
            } else {
                (n, f64::NAN)
            };
            if next == a {
                if e < m {
                    w.piece(a, e, y - x);
                }
            } else {
                w.piece(a, e, v[a] - x);
                w.gaps(a, next - 1, e);
                if e < m {
                    w.piece(next, e, y - v[next - 1]);
                }
            }
        }
        (w.l1.value(), w.l2.value())
    }

    /// `scipy.stats.wasserstein_distance(reference, current)` (cost: see [`Ecdf::distances`]).
    pub fn wasserstein(&self, current: &[f64]) -> Result<f64> {
        Ok(self.distances(current)?.wasserstein)
    }

    /// `scipy.stats.energy_distance(reference, current)` (cost: see [`Ecdf::distances`]).
    pub fn energy(&self, current: &[f64]) -> Result<f64> {
        Ok(self.distances(current)?.energy)
    }

    /// `scipy.stats.cramervonmises_2samp(reference, current, method)` of an ascending batch,
    /// in `O(m log(n/m))` (see the module documentation).
    pub fn cvm(&self, current: &[f64], method: CvmMethod) -> Result<CvmResult> {
        check_nonempty(self.n(), current.len(), "cramervonmises_2samp")?;
        match self.cvm_sums(current) {
            Some((sx, sy)) => cvm_from_sums(sx, sy, self.n(), current.len(), method),
            // Sums past u128 (over 2^32 values on a side): the merge walk.
            None => cramervonmises_2samp_sorted(self.values(), current, method),
        }
    }

    /// scipy's rank sums `(Σ (r_i - i)², Σ (s_j - j)²)` over the reference and the ascending
    /// batch `current`, each exactly rounded; `None` if they overflow `u128` in twelfths.
    fn cvm_sums(&self, current: &[f64]) -> Option<(f64, f64)> {
        let v = self.values();
        let cubes = (*self.tie_cubes.get_or_init(|| tie_cubes(v)))?;
        let wide = |x: usize| x as u128;
        let (n, m) = (wide(v.len()), wide(current.len()));
        let places = self.places_all(current);
        // `x4`: Σ over reference values of `(2y + u)²`, i.e. 4·(y + u/2)²; `y12`: twelve times
        // the batch's own sum. `below_ref`/`below_cur`: the reference values at or below the
        // previous distinct batch value, and the batch values up to it.
        let (mut x4, mut y12) = (0u128, 0u128);
        let (mut below_ref, mut below_cur) = (0u128, 0u128);
        for (s, e) in value_runs(current) {
            let (lo, hi) = (wide(places[s].0), wide(places[s].1));
            let (ty, upto) = (wide(e - s), wide(e));
            // Reference values strictly between the previous batch value and `x`: `y` is
            // `below_cur`, no tie. Those equal to `x`: `2y + u = below_cur + upto`.
            let between = (lo - below_ref).checked_mul((2 * below_cur).checked_pow(2)?)?;
            let tied = (hi - lo).checked_mul((below_cur + upto).checked_pow(2)?)?;
            x4 = x4.checked_add(between)?.checked_add(tied)?;
            // The batch's tie group: `t_y·(x_below + t_x/2)² + t_y·(t_y² - 1)/12`, in twelfths.
            let own = ty.checked_mul(3)?.checked_mul((lo + hi).checked_pow(2)?)?;
            let cube = ty.checked_mul(ty.checked_mul(ty)? - 1)?;
            y12 = y12.checked_add(own)?.checked_add(cube)?;
            below_ref = hi;
            below_cur = upto;
        }
        let above = (n - below_ref).checked_mul((2 * m).checked_pow(2)?)?;
        x4 = x4.checked_add(above)?;
        // Twelve times the reference's sum: 3·x4 (the squares) plus the ties within it.
        let x12 = x4.checked_mul(3)?.checked_add(cubes)?;
        Some((int_div(x12, 12), int_div(y12, 12)))
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
                "an ECDF of {} values is too large to serialize (at most {MAX_SERIALIZED}); {}",
                v.len(),
                Kind::Ecdf.format().shrink
            )));
        }
        let mut w = Writer::new(Kind::Ecdf);
        w.u64(self.sample.null_count)
            .u64(self.sample.nan_count)
            .u64(v.len() as u64);
        for &x in v {
            w.f64(x);
        }
        w.finish()
    }

    /// Reads bytes written by [`Ecdf::to_bytes`]; anything else is an error, never a panic.
    pub fn from_bytes(bytes: &[u8]) -> Result<Ecdf> {
        let mut r = Reader::open(bytes, Kind::Ecdf)?;
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

/// Reference values from which [`Ecdf::distances`] uses gap sums.
const GAP_REF_MIN: usize = 1 << 16;
/// Batches longer than `1 / GAP_RATIO` of the reference take the merge walk: each distinct
/// batch value costs up to three partial block sums and a few cache misses (~0.5 µs), the
/// walk ~8 ns per reference value (measured break-even near 1/64 for a 10M reference).
const GAP_RATIO: usize = 64;
/// Gaps per stored prefix sum: a range sum adds up at most this many gaps at each end.
const GAP_BLOCK: usize = 16;

/// Prefix sums over the gaps `d_t = v[t + 1] - v[t]` of an ascending reference of `d_t`,
/// `(t + 1)·d_t` and `(t + 1)²·d_t`, in double-double, at every [`GAP_BLOCK`]-th gap.
#[derive(Debug, Clone)]
pub(crate) struct GapSums {
    /// `blocks[k]`: the sums over the gaps `t < k·GAP_BLOCK`.
    blocks: Vec<[Dd; 3]>,
}

impl GapSums {
    /// `None` when some value is infinite or the sums could overflow (or lose their small
    /// terms to underflow): the range times `n²` must stay within `1e-250..1e250`.
    fn build(v: &[f64]) -> Option<GapSums> {
        let (first, last) = (*v.first()?, *v.last()?);
        let range = last - first;
        let scale = range * (v.len() as f64) * (v.len() as f64);
        if !(first.is_finite()
            && last.is_finite()
            && (range == 0.0 || (1e-250..1e250).contains(&scale)))
        {
            return None;
        }
        let gaps = v.len() - 1;
        let per_block: Vec<[Dd; 3]> = (0..gaps.div_ceil(GAP_BLOCK))
            .into_par_iter()
            .map(|k| gap_terms(v, k * GAP_BLOCK, ((k + 1) * GAP_BLOCK).min(gaps)))
            .collect();
        let mut blocks = Vec::with_capacity(per_block.len() + 1);
        let mut acc = [Dd::ZERO; 3];
        blocks.push(acc);
        for b in per_block {
            for (a, x) in acc.iter_mut().zip(b) {
                *a = *a + x;
            }
            blocks.push(acc);
        }
        Some(GapSums { blocks })
    }

    /// The sums over the gaps `t < x`.
    #[inline(always)]
    fn upto(&self, v: &[f64], x: usize) -> [Dd; 3] {
        let k = x / GAP_BLOCK;
        let mut s = self.blocks[k];
        let rest = gap_terms_body(v, k * GAP_BLOCK, x);
        for (a, r) in s.iter_mut().zip(rest) {
            *a = *a + r;
        }
        s
    }
}

/// The two integrals of [`Ecdf::gap_integrals`] being summed.
struct GapWalk<'a> {
    v: &'a [f64],
    g: &'a GapSums,
    n: usize,
    m: usize,
    nf: f64,
    mf: f64,
    l1: Accumulator,
    l2: Accumulator,
}

impl GapWalk<'_> {
    /// One piece of width `w` where `F_ref = i/n` and `F_batch = j/m`: scipy's own terms.
    #[inline(always)]
    fn piece(&mut self, i: usize, j: usize, w: f64) {
        let diff = i as f64 / self.nf - j as f64 / self.mf;
        self.l1.add(diff.abs() * w);
        self.l2.add(diff * diff * w);
    }

    /// The reference's gaps `t` in `lo..hi` (where `F_ref = (t + 1)/n`) against `F_batch =
    /// j/m`.
    #[inline(always)]
    fn gaps(&mut self, lo: usize, hi: usize, j: usize) {
        if lo >= hi {
            return;
        }
        let (n, m, nf) = (self.n, self.m, self.nf);
        // `c = j·n/m`: the reference count at which `F_ref` reaches `F_batch`.
        let c = Dd::new(j as f64).mul_f(nf) / Dd::new(self.mf);
        // Gaps with `(t + 1)·m < j·n` have `F_ref < F_batch`; `split` is the first that does
        // not (exact integer arithmetic, as the sign of scipy's float difference).
        let need = match (j as u64).checked_mul(n as u64) {
            Some(jn) => jn.div_ceil(m as u64) as u128,
            None => (j as u128 * n as u128).div_ceil(m as u128),
        };
        let split = (need.saturating_sub(1).min(hi as u128) as usize).max(lo);
        let (v, g) = (self.v, self.g);
        let (p_lo, p_split, p_hi) = (g.upto(v, lo), g.upto(v, split), g.upto(v, hi));
        let diff = |a: [Dd; 3], b: [Dd; 3]| [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
        let (below, above) = (diff(p_lo, p_split), diff(p_split, p_hi));
        let r = diff(p_lo, p_hi);
        let sq = r[2] - (r[1] + r[1]) * c + r[0] * c * c;
        self.l2.add(to_f64(sq) / (nf * nf));
        let abs = (below[0] * c - below[1]) + (above[1] - above[0] * c);
        self.l1.add(to_f64(abs) / nf);
    }
}

/// `Σ d_t`, `Σ (t + 1)·d_t` and `Σ (t + 1)²·d_t` over the gaps `lo <= t < hi` of `v`. Each
/// product is split exactly into two doubles and each sum kept as a running sum plus its
/// accumulated rounding errors (Ogita, Rump and Oishi's Sum2): all terms are non-negative, so
/// the pair is as accurate as a double-double sum, at a third of the work.
#[inline]
fn gap_terms(v: &[f64], lo: usize, hi: usize) -> [Dd; 3] {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports FMA, as checked.
        return unsafe { gap_terms_fma(v, lo, hi) };
    }
    gap_terms_body(v, lo, hi)
}

/// [`gap_terms`] where the exact products' fused multiply-adds are one instruction each
/// (without the target feature they are calls).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
fn gap_terms_fma(v: &[f64], lo: usize, hi: usize) -> [Dd; 3] {
    gap_terms_body(v, lo, hi)
}

#[inline(always)]
fn gap_terms_body(v: &[f64], lo: usize, hi: usize) -> [Dd; 3] {
    let mut sum = [0.0f64; 3];
    let mut err = [0.0f64; 3];
    let mut add = |k: usize, p: f64, e: f64| {
        let (s, t) = two_sum(sum[k], p);
        sum[k] = s;
        err[k] += t + e;
    };
    for t in lo..hi {
        let d = v[t + 1] - v[t];
        let i = (t + 1) as f64;
        add(0, d, 0.0);
        let (p1, e1) = two_prod(i, d);
        add(1, p1, e1);
        // `i²·d` from `i² = q + qe` exactly: `q·d` split exactly, `qe·d` rounded (it is
        // below `2^-53` of the product).
        let (q, qe) = two_prod(i, i);
        let (p2, e2) = two_prod(q, d);
        add(2, p2, e2 + qe * d);
    }
    [0, 1, 2].map(|k| {
        let (hi, lo) = quick_two_sum(sum[k], err[k]);
        Dd { hi, lo }
    })
}

/// The double nearest a double-double.
fn to_f64(x: Dd) -> f64 {
    x.hi + x.lo
}

/// The runs of equal values of ascending `v`, as `(start, end)` index pairs.
fn value_runs(v: &[f64]) -> impl Iterator<Item = (usize, usize)> + '_ {
    v.chunk_by(|a, b| a == b).scan(0usize, |start, run| {
        let s = *start;
        *start += run.len();
        Some((s, *start))
    })
}

/// `Σ t·(t² - 1)` over the groups of `t` equal values of ascending `v` (`None` past `u128`).
fn tie_cubes(v: &[f64]) -> Option<u128> {
    value_runs(v).try_fold(0u128, |total, (s, e)| {
        let t = (e - s) as u128;
        total.checked_add(t.checked_mul(t * t - 1)?)
    })
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
    use crate::twosample::ks::ks_statistic;

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

    /// Two small ascending samples on a grid of `[2, 3, 7, 50, 2^40][case % 5]` levels (many
    /// ties within and across them), the second shifted by -2..=2, with ±inf now and then.
    fn random_case(rng: &mut Rng, case: usize) -> (Vec<f64>, Vec<f64>) {
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
        (a, b)
    }

    /// `n` ascending values plus `shift`: uniform in [0, 1) for `levels == 0`, else integers
    /// `0..levels` (heavy ties).
    fn large_sample(rng: &mut Rng, n: usize, levels: u64, shift: f64) -> Vec<f64> {
        let v = (0..n)
            .map(|_| match levels {
                0 => (rng.next() >> 11) as f64 / (1u64 << 53) as f64 + shift,
                l => (rng.next() % l) as f64 + shift,
            })
            .collect();
        SortedSample::from_vec(v).into_values()
    }

    #[test]
    fn ks_equals_merge_walk_on_random_cases() {
        let mut rng = Rng(11);
        for case in 0..3000 {
            let (a, b) = random_case(&mut rng, case);
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
    fn cvm_equals_merge_walk() {
        let mut rng = Rng(23);
        // Small samples: both sums are exact, so the results are identical, bit for bit.
        for case in 0..3000 {
            let (a, b) = random_case(&mut rng, case);
            let e = Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
            for method in [CvmMethod::Auto, CvmMethod::Asymptotic] {
                let want = cramervonmises_2samp_sorted(&a, &b, method).unwrap();
                let got = e.cvm(&b, method).unwrap();
                let same = |x: f64, y: f64| x.to_bits() == y.to_bits();
                assert!(
                    same(got.u, want.u) && same(got.statistic, want.statistic),
                    "{a:?} {b:?} {got:?} {want:?}"
                );
                assert!(same(got.pvalue, want.pvalue), "{a:?} {b:?}");
            }
        }
        // Large samples, where the walk's float sums round (they pass 2^53) and ours do not:
        // equal to ~1e-15, on continuous data and on heavy ties, batch shorter and longer.
        for (n1, n2, levels) in [
            (300_000, 40_000, 0u64),
            (200_000, 200_000, 1_000),
            (50_000, 250_000, 37),
            (400_000, 3, 0),
        ] {
            let shift = if levels == 0 { 1e-3 } else { 1.0 };
            let a = large_sample(&mut rng, n1, levels, 0.0);
            let b = large_sample(&mut rng, n2, levels, shift);
            let e = Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
            let want = cramervonmises_2samp_sorted(&a, &b, CvmMethod::Asymptotic).unwrap();
            let got = e.cvm(&b, CvmMethod::Asymptotic).unwrap();
            let rel = |x: f64, y: f64| (x - y).abs() <= 1e-13 * y.abs();
            assert!(rel(got.u, want.u), "{n1} {n2} {levels}: {got:?} {want:?}");
            assert!(rel(got.statistic, want.statistic), "{got:?} {want:?}");
            assert!(
                (got.pvalue - want.pvalue).abs() <= 1e-12,
                "{got:?} {want:?}"
            );
        }
    }

    #[test]
    fn gap_sums_equal_the_merge_walk() {
        let mut rng = Rng(31);
        let close = |got: f64, want: f64| {
            (got - want).abs() <= 1e-13 * want.abs() || (got - want).abs() <= 1e-300
        };
        // Small samples through the gap sums directly: ties within and across samples,
        // batch values below, inside and above the reference, shifted grids.
        for case in 0..3000 {
            let n1 = 2 + (rng.next() % 60) as usize;
            let n2 = 1 + (rng.next() % 60) as usize;
            let levels = [2u64, 3, 7, 50, 1 << 40][case % 5];
            let scale = [1.0, 1e-3, 1e200, 3.7e-200][case % 4];
            let off = ((rng.next() % 5) as f64 - 2.0) * 0.5;
            let mut draw = |n: usize, shift: f64| -> Vec<f64> {
                (0..n)
                    .map(|_| ((rng.next() % levels) as f64 + shift) * scale)
                    .collect()
            };
            let a = SortedSample::from_vec(draw(n1, 0.0)).into_values();
            let b = SortedSample::from_vec(draw(n2, off)).into_values();
            let e = Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
            let want = cdf_distances_sorted(&a, &b).unwrap();
            let Some(g) = GapSums::build(&a) else {
                assert!(a[0] != a[a.len() - 1], "{a:?}");
                continue;
            };
            let (l1, l2) = e.gap_integrals(&g, &b);
            assert!(close(l1, want.wasserstein), "{a:?} {b:?} {l1} {want:?}");
            assert!(
                close(energy_from_l2(l2), want.energy),
                "{a:?} {b:?} {l2} {want:?}"
            );
        }
        // Through `distances`, on references long enough to use the sums.
        for (n1, n2, levels) in [
            (100_000, 700, 0u64),
            (70_000, 500, 500),
            (200_000, 1, 0),
            (65_536, 512, 3),
        ] {
            let a = large_sample(&mut rng, n1, levels, 0.0);
            let b = large_sample(&mut rng, n2, levels, 0.001);
            let e = Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
            let want = cdf_distances_sorted(&a, &b).unwrap();
            let got = e.distances(&b).unwrap();
            assert!(e.gaps.get().is_some_and(|g| g.is_some()), "{n1} {n2}");
            assert!(close(got.wasserstein, want.wasserstein), "{got:?} {want:?}");
            assert!(close(got.energy, want.energy), "{got:?} {want:?}");
        }
        // Infinite values on either side take the walk, with scipy's inf/NaN outcomes; an
        // empty batch is an error.
        let a: Vec<f64> = (0..70_000).map(|i| f64::from(i) * 0.5).collect();
        let mut a_inf = a.clone();
        a_inf.push(f64::INFINITY);
        for (a, b) in [
            (a.clone(), vec![-f64::INFINITY, 3.0]),
            (a.clone(), vec![3.0, f64::INFINITY]),
            (a_inf.clone(), vec![3.0, 4.0]),
            (a_inf, vec![3.0, f64::INFINITY]),
        ] {
            let e = Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
            let (got, want) = (
                e.distances(&b).unwrap(),
                cdf_distances_sorted(&a, &b).unwrap(),
            );
            let same = |x: f64, y: f64| x == y || (x.is_nan() && y.is_nan());
            assert!(same(got.wasserstein, want.wasserstein) && same(got.energy, want.energy));
        }
        assert!(ecdf(&a).distances(&[]).is_err());
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
        let mut w = Writer::new(Kind::Ecdf);
        w.u64(0).u64(0).u64(2).f64(2.0).f64(1.0);
        assert!(Ecdf::from_bytes(&w.finish().unwrap()).is_err(), "unsorted");
        let mut w = Writer::new(Kind::Ecdf);
        w.u64(0).u64(0).u64(0);
        assert!(Ecdf::from_bytes(&w.finish().unwrap()).is_err(), "empty");
        let mut w = Writer::new(Kind::Ecdf);
        w.u64(0).u64(0).u64(u64::MAX);
        assert!(
            Ecdf::from_bytes(&w.finish().unwrap()).is_err(),
            "huge count"
        );
        let mut w = Writer::new(Kind::Ecdf);
        w.u64(0).u64(0).u64(1).f64(-0.0);
        assert!(
            Ecdf::from_bytes(&w.finish().unwrap()).is_err(),
            "negative zero"
        );
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
