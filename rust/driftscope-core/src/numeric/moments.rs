//! Streaming, mergeable moments: count, min, max, sum, mean, variance, skewness, kurtosis.
//!
//! The data are read in blocks of [`BLOCK`] values. Each block is summarized with a corrected
//! two-pass computation that stays in L1 cache — pass one: sum, min and max in [`LANES`]
//! independent accumulators the compiler turns into SIMD; pass two: the power sums of the
//! deviations from the block's provisional mean, shifted to the exact block mean with the
//! binomial formulas — and folded into the running state with the pairwise update formulas of
//! Chan, Golub & LeVeque (1979) and Pébay (2008, SAND2008-6212, eqs. 1.1–1.4). The same formulas
//! merge two summaries, so `a.merge(b)` equals the summary of the concatenated data.
//!
//! Central moments are kept in units of `2^exp`, a power of two chosen from the data's
//! magnitude, so data at 1e-300 or 1e300 keep their standard deviation, skewness and kurtosis
//! instead of underflowing or overflowing in `(x - mean)^4`. Power-of-two scaling is exact.
//!
//! NaN and nulls are skipped and counted. ±inf are counted and take part in `min`/`max`, `sum`
//! and `mean` as IEEE arithmetic would (numpy's results); the central moments are then NaN.

use crate::error::Result;
use crate::io::column::{Chunk, Numeric, Values};
use crate::io::serial::{Kind, Reader, Writer};
use crate::with_values;
use rayon::prelude::*;

/// Values per block: small enough to stay in L1 for the second pass.
const BLOCK: usize = 2048;
/// Independent accumulators per pass, so the loops vectorize without reassociation.
const LANES: usize = 4;
/// Blocks whose largest magnitude lies within `2^±SAFE_EXP` need no scaling.
const SAFE_EXP: i32 = 200;
/// Inputs longer than this are split into fixed-size parts summarized in parallel.
const PARALLEL_MIN: usize = 1 << 20;
/// Part size of the parallel split; fixed so the result does not depend on the thread count.
const PART: usize = 1 << 18;

/// Streaming moments of a numeric column. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    null_count: u64,
    nan_count: u64,
    pos_inf: u64,
    neg_inf: u64,
    /// Smallest and largest value seen, ±inf included (`+inf`/`-inf` while empty).
    min: f64,
    max: f64,
    /// Neumaier-compensated sum of the finite values: `sum + comp`.
    sum: f64,
    comp: f64,
    /// Central moments of the finite values.
    central: Central,
}

/// Count, mean and central moment sums `M_p = Σ (x - mean)^p` of finite values, with the
/// `M_p` stored in units of `2^(p·exp)`.
///
/// The mean is a double-double `mean + mean_lo`: data like 1e9 + unit noise put the block means
/// within a few ulps of each other, and rounding each to one double would cost the variance
/// ~1e-10 of relative accuracy through the `delta²` terms of the merge.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Central {
    n: u64,
    mean: f64,
    mean_lo: f64,
    m2: f64,
    m3: f64,
    m4: f64,
    exp: i32,
}

impl Central {
    const EMPTY: Central = Central {
        n: 0,
        mean: 0.0,
        mean_lo: 0.0,
        m2: 0.0,
        m3: 0.0,
        m4: 0.0,
        exp: 0,
    };

    /// A block's moments from the power sums `s_p = Σ d^p` of `d = x - c` (x already scaled by
    /// `2^-exp`), shifted to the block's exact mean `c + s1/k`.
    fn from_power_sums(k: usize, c: f64, s: [f64; 4], exp: i32) -> Central {
        let kf = k as f64;
        let [s1, s2, s3, s4] = s;
        let d = s1 / kf;
        let m2 = (s2 - s1 * d).max(0.0);
        let m3 = s3 - 3.0 * d * s2 + 2.0 * d * d * s1;
        let m4 = (s4 - 4.0 * d * s3 + 6.0 * d * d * s2 - 3.0 * d * d * d * s1).max(0.0);
        let (hi, lo) = two_sum(c, d);
        Central {
            n: k as u64,
            mean: ldexp(hi, exp),
            mean_lo: ldexp(lo, exp),
            m2,
            m3,
            m4,
            exp,
        }
    }

    /// The moment sums expressed in units of `2^e` (`e >= self.exp` unless the sums are 0).
    fn rescaled(&self, e: i32) -> (f64, f64, f64) {
        let shift = self.exp - e;
        if shift == 0 {
            return (self.m2, self.m3, self.m4);
        }
        (
            ldexp(self.m2, 2 * shift),
            ldexp(self.m3, 3 * shift),
            ldexp(self.m4, 4 * shift),
        )
    }

    /// Pébay's pairwise update: the moments of the union of two disjoint samples.
    fn combine(&mut self, b: &Central) {
        if b.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *b;
            return;
        }
        // The common scale must suit every spread that is not zero: each side's (a constant
        // side, e.g. a block of zeros, has none to keep) and the gap between the means.
        let raw_delta = (b.mean - self.mean) + (b.mean_lo - self.mean_lo);
        let gap_exp = (raw_delta != 0.0 && raw_delta.is_finite()).then(|| scale_exp(raw_delta));
        let spread_exp = |c: &Central| (c.m2 > 0.0).then_some(c.exp);
        let e = [spread_exp(self), spread_exp(b), gap_exp]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
        let (a2, a3, a4) = self.rescaled(e);
        let (b2, b3, b4) = b.rescaled(e);
        let na = self.n as f64;
        let nb = b.n as f64;
        let n = na + nb;
        let delta = ldexp(raw_delta, -e);
        let dn = delta / n;
        let dn2 = dn * dn;
        let nab = na * nb;
        let m2 = a2 + b2 + delta * dn * nab;
        let m3 = a3 + b3 + delta * dn2 * nab * (na - nb) + 3.0 * dn * (na * b2 - nb * a2);
        let m4 = a4
            + b4
            + delta * dn2 * dn * nab * (na * na - nab + nb * nb)
            + 6.0 * dn2 * (na * na * b2 + nb * nb * a2)
            + 4.0 * dn * (na * b3 - nb * a3);
        let (hi, err) = two_sum(self.mean, ldexp(dn * nb, e));
        (self.mean, self.mean_lo) = fast_two_sum(hi, self.mean_lo + err);
        self.n += b.n;
        self.m2 = m2.max(0.0);
        self.m3 = m3;
        self.m4 = m4.max(0.0);
        self.exp = e;
    }
}

/// `a + b` as a double-double `(sum, error)`, exactly (Knuth's TwoSum).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    let err = (a - (s - bb)) + (b - bb);
    (s, if err.is_finite() { err } else { 0.0 })
}

/// `a + b` as `(sum, error)` when `|a| >= |b|` (Dekker's FastTwoSum).
fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let err = b - (s - a);
    (s, if err.is_finite() { err } else { 0.0 })
}

/// `x · 2^e`, exact unless the result under- or overflows.
fn ldexp(mut x: f64, mut e: i32) -> f64 {
    const STEP: i32 = 1000;
    while e > STEP {
        x *= pow2(STEP);
        e -= STEP;
    }
    while e < -STEP {
        x *= pow2(-STEP);
        e += STEP;
    }
    x * pow2(e)
}

/// `2^e` for `-1022 <= e <= 1023`.
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// The scale exponent for data of magnitude `m`: 0 (no scaling) while `m`'s fourth power
/// stays well inside f64's range, else `m`'s binary exponent.
fn scale_exp(m: f64) -> i32 {
    let e = exponent(m.abs());
    if e.abs() > SAFE_EXP {
        e.clamp(-1000, 1000)
    } else {
        0
    }
}

/// The binary exponent of a finite `m > 0` (`floor(log2 m)` for normal numbers).
fn exponent(m: f64) -> i32 {
    if m == 0.0 {
        return 0;
    }
    ((m.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

/// Sum, min and max of a block (the careful path's first look at the data).
fn pass1(xs: &[f64]) -> (f64, f64, f64) {
    let mut s = [0.0f64; LANES];
    let mut lo = [f64::INFINITY; LANES];
    let mut hi = [f64::NEG_INFINITY; LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..LANES {
            s[j] += c[j];
            lo[j] = lo[j].min(c[j]);
            hi[j] = hi[j].max(c[j]);
        }
    }
    for (j, &x) in rest.iter().enumerate() {
        s[j] += x;
        lo[j] = lo[j].min(x);
        hi[j] = hi[j].max(x);
    }
    (reduce(s), fold_min(lo), fold_max(hi))
}

/// One pass over a block: `Σ d, Σ d², Σ d³, Σ d⁴` for `d = x - c`, with min and max of x,
/// on the widest SIMD the CPU has. NaN in the block makes the sums NaN (min/max are then
/// unspecified), which the caller takes as its cue for the careful path.
#[inline(always)]
fn fused(xs: &[f64], c: f64) -> ([f64; 4], f64, f64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, as checked just above.
        return unsafe { fused_avx2(xs, c) };
    }
    fused_portable(xs, c)
}

/// [`fused`] in plain Rust with independent lanes, for CPUs without AVX2.
fn fused_portable(xs: &[f64], c: f64) -> ([f64; 4], f64, f64) {
    let mut s1 = [0.0f64; LANES];
    let mut s2 = [0.0f64; LANES];
    let mut s3 = [0.0f64; LANES];
    let mut s4 = [0.0f64; LANES];
    let mut lo = [f64::INFINITY; LANES];
    let mut hi = [f64::NEG_INFINITY; LANES];
    let mut step = |j: usize, x: f64| {
        lo[j] = lo[j].min(x);
        hi[j] = hi[j].max(x);
        let d = x - c;
        let d2 = d * d;
        s1[j] += d;
        s2[j] += d2;
        s3[j] += d2 * d;
        s4[j] += d2 * d2;
    };
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for ch in chunks {
        for (j, &x) in ch.iter().enumerate() {
            step(j, x);
        }
    }
    for (j, &x) in rest.iter().enumerate() {
        step(j, x);
    }
    (
        [reduce(s1), reduce(s2), reduce(s3), reduce(s4)],
        fold_min(lo),
        fold_max(hi),
    )
}

/// [`fused`] with AVX2 intrinsics: two interleaved 4-lane accumulator sets, so the adds of
/// one set overlap the latency of the other's.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fused_avx2(xs: &[f64], c: f64) -> ([f64; 4], f64, f64) {
    use std::arch::x86_64::*;
    let cv = _mm256_set1_pd(c);
    let zero = _mm256_setzero_pd();
    let (mut s1a, mut s2a, mut s3a, mut s4a) = (zero, zero, zero, zero);
    let (mut s1b, mut s2b, mut s3b, mut s4b) = (zero, zero, zero, zero);
    let mut loa = _mm256_set1_pd(f64::INFINITY);
    let mut hia = _mm256_set1_pd(f64::NEG_INFINITY);
    let (mut lob, mut hib) = (loa, hia);
    let pairs = xs.chunks_exact(8);
    let rest = pairs.remainder();
    for p in pairs {
        // SAFETY: `p` holds exactly 8 f64, so both unaligned 4-lane loads are in bounds.
        let (xa, xb) = unsafe {
            (
                _mm256_loadu_pd(p.as_ptr()),
                _mm256_loadu_pd(p.as_ptr().add(4)),
            )
        };
        loa = _mm256_min_pd(loa, xa);
        lob = _mm256_min_pd(lob, xb);
        hia = _mm256_max_pd(hia, xa);
        hib = _mm256_max_pd(hib, xb);
        let da = _mm256_sub_pd(xa, cv);
        let db = _mm256_sub_pd(xb, cv);
        let d2a = _mm256_mul_pd(da, da);
        let d2b = _mm256_mul_pd(db, db);
        s1a = _mm256_add_pd(s1a, da);
        s1b = _mm256_add_pd(s1b, db);
        s2a = _mm256_add_pd(s2a, d2a);
        s2b = _mm256_add_pd(s2b, d2b);
        s3a = _mm256_add_pd(s3a, _mm256_mul_pd(d2a, da));
        s3b = _mm256_add_pd(s3b, _mm256_mul_pd(d2b, db));
        s4a = _mm256_add_pd(s4a, _mm256_mul_pd(d2a, d2a));
        s4b = _mm256_add_pd(s4b, _mm256_mul_pd(d2b, d2b));
    }
    let lanes = |v: __m256d| {
        let mut out = [0.0f64; 4];
        // SAFETY: `out` has room for the 4 lanes.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), v) };
        out
    };
    let mut s = [
        reduce(lanes(_mm256_add_pd(s1a, s1b))),
        reduce(lanes(_mm256_add_pd(s2a, s2b))),
        reduce(lanes(_mm256_add_pd(s3a, s3b))),
        reduce(lanes(_mm256_add_pd(s4a, s4b))),
    ];
    let mut lo = fold_min(lanes(_mm256_min_pd(loa, lob)));
    let mut hi = fold_max(lanes(_mm256_max_pd(hia, hib)));
    if !rest.is_empty() {
        let (t, l, h) = fused_portable(rest, c);
        for (a, b) in s.iter_mut().zip(t) {
            *a += b;
        }
        lo = lo.min(l);
        hi = hi.max(h);
    }
    (s, lo, hi)
}

/// Pairwise sum of the lanes.
#[inline(always)]
fn reduce(a: [f64; LANES]) -> f64 {
    (a[0] + a[2]) + (a[1] + a[3])
}

fn fold_min(a: [f64; LANES]) -> f64 {
    a.iter().copied().fold(f64::INFINITY, f64::min)
}

fn fold_max(a: [f64; LANES]) -> f64 {
    a.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

impl Default for Moments {
    fn default() -> Self {
        Self::new()
    }
}

impl Moments {
    pub fn new() -> Self {
        Moments {
            null_count: 0,
            nan_count: 0,
            pos_inf: 0,
            neg_inf: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum: 0.0,
            comp: 0.0,
            central: Central::EMPTY,
        }
    }

    /// The summary of one chunk.
    pub fn of(chunk: &Chunk<'_>) -> Self {
        let mut m = Moments::new();
        m.update(chunk);
        m
    }

    /// Adds the values of `chunk`, in parallel when it is long.
    pub fn update(&mut self, chunk: &Chunk<'_>) {
        let len = chunk.len();
        if len < PARALLEL_MIN {
            self.update_serial(chunk);
            return;
        }
        let parts: Vec<Moments> = (0..len.div_ceil(PART))
            .into_par_iter()
            .map(|i| {
                let start = i * PART;
                let mut m = Moments::new();
                m.update_serial(&chunk.slice(start, PART.min(len - start)));
                m
            })
            .collect();
        for p in &parts {
            self.merge(p);
        }
    }

    /// Adds the values of `chunk` on the calling thread.
    pub fn update_serial(&mut self, chunk: &Chunk<'_>) {
        with_values!(chunk.values,
            |s| self.update_typed(s, chunk),
            null => |n| self.null_count += n as u64)
    }

    fn update_typed<T: Numeric>(&mut self, xs: &[T], chunk: &Chunk<'_>) {
        let Some(validity) = chunk.validity else {
            self.dense(xs);
            return;
        };
        let mut buf = [0.0f64; BLOCK];
        let mut start = 0;
        while start < xs.len() {
            let len = BLOCK.min(xs.len() - start);
            let valid = validity.count_valid(start, len);
            if valid == len {
                self.dense(&xs[start..start + len]);
            } else if valid > 0 {
                let mut k = 0;
                for (i, x) in xs[start..start + len].iter().enumerate() {
                    if validity.is_valid(start + i) {
                        buf[k] = x.to_f64();
                        k += 1;
                    }
                }
                self.dense(&buf[..k]);
            }
            self.null_count += (len - valid) as u64;
            start += len;
        }
    }

    /// Adds values that are all present (no nulls): float64 in place, other types through a
    /// block-sized float64 buffer.
    fn dense<T: Numeric>(&mut self, xs: &[T]) {
        if let Some(xs) = T::as_f64_slice(xs) {
            for block in xs.chunks(BLOCK) {
                self.block(block);
            }
            return;
        }
        let mut buf = [0.0f64; BLOCK];
        for block in xs.chunks(BLOCK) {
            for (b, x) in buf.iter_mut().zip(block) {
                *b = x.to_f64();
            }
            self.block(&buf[..block.len()]);
        }
    }

    /// Adds one block of present values.
    ///
    /// One fused pass takes min, max and the power sums of `d = x - c` around a shift `c`:
    /// the running mean when there is one (close to the block mean for all but trending data),
    /// else the block's first value. When the block mean turns out to lie more than 0.1
    /// standard deviations from `c`, the shifted sums would lose accuracy to cancellation, so
    /// the sums are taken again around the block mean.
    fn block(&mut self, xs: &[f64]) {
        self.block_in(xs, xs);
    }

    /// [`Moments::block`] whose passes after the first read `later`, the same values (only
    /// tests pass others, standing for a block changed between the passes).
    ///
    /// The re-centred pass reads the block a second time, and another thread may have
    /// written to it meanwhile. Its minimum and maximum must equal the first pass's and its
    /// sums be finite, else the careful path (which copies the block once) takes the block:
    /// then every number kept comes from one reading (the first pass only chose the shift).
    fn block_in(&mut self, xs: &[f64], later: &[f64]) {
        let k = xs.len() as f64;
        let c = if self.central.n > 0 {
            self.central.mean + self.central.mean_lo
        } else {
            xs[0]
        };
        let (mut s, lo, hi) = fused(xs, c);
        // A non-finite sum means NaN or ±inf in the block, or magnitudes whose powers leave
        // f64's range; those, and magnitudes whose fourth powers could underflow, go the
        // careful way.
        if !(c.is_finite() && s[0].is_finite() && s[3].is_finite())
            || exponent(lo.abs().max(hi.abs())).abs() > SAFE_EXP
        {
            self.block_careful(later);
            return;
        }
        let mut c = c;
        let d = s[0] / k;
        if d * d > 0.01 * (s[1] / k - d * d) {
            c += d;
            let (again, lo2, hi2) = fused(later, c);
            // Equal extremes (NaN among the values makes them unequal) and finite sums: one
            // reading with the first pass's range, so the checks above hold for it too.
            if !(lo2 == lo && hi2 == hi && again[0].is_finite() && again[3].is_finite()) {
                self.block_careful(later);
                return;
            }
            s = again;
        }
        self.add_sum(c * k + s[0]);
        self.min = self.min.min(lo);
        self.max = self.max.max(hi);
        self.central
            .combine(&Central::from_power_sums(xs.len(), c, s, 0));
    }

    /// Adds a block that holds NaN, ±inf or extreme magnitudes: non-finite values are counted,
    /// finite ones are scaled by a power of two before their moments are taken.
    #[inline(never)]
    fn block_careful(&mut self, xs: &[f64]) {
        let mut buf = [0.0f64; BLOCK];
        let mut k = 0;
        for &x in xs {
            if x.is_finite() {
                buf[k] = x;
                k += 1;
            } else if x.is_nan() {
                self.nan_count += 1;
            } else if x > 0.0 {
                self.pos_inf += 1;
                self.max = f64::INFINITY;
            } else {
                self.neg_inf += 1;
                self.min = f64::NEG_INFINITY;
            }
        }
        if k == 0 {
            return;
        }
        let ys = &mut buf[..k];
        let (_, lo, hi) = pass1(ys);
        self.min = self.min.min(lo);
        self.max = self.max.max(hi);
        let exp = scale_exp(lo.abs().max(hi.abs()));
        if exp != 0 {
            let scale = pow2(-exp);
            for y in ys.iter_mut() {
                *y *= scale;
            }
        }
        let (sum, _, _) = pass1(ys);
        let c = sum / k as f64;
        let s = fused(ys, c).0;
        self.add_sum(ldexp(sum, exp));
        self.central
            .combine(&Central::from_power_sums(k, c, s, exp));
    }

    /// Neumaier's compensated addition to the running sum.
    fn add_sum(&mut self, x: f64) {
        let t = self.sum + x;
        if !t.is_finite() {
            self.sum = t;
            return;
        }
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Folds `other` into `self`: afterwards `self` summarizes both inputs.
    pub fn merge(&mut self, other: &Moments) {
        self.null_count += other.null_count;
        self.nan_count += other.nan_count;
        self.pos_inf += other.pos_inf;
        self.neg_inf += other.neg_inf;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.add_sum(other.sum);
        self.add_sum(other.comp);
        self.central.combine(&other.central);
    }

    /// Values that are present and not NaN (finite and ±inf).
    pub fn count(&self) -> u64 {
        self.central.n + self.pos_inf + self.neg_inf
    }

    pub fn null_count(&self) -> u64 {
        self.null_count
    }

    pub fn nan_count(&self) -> u64 {
        self.nan_count
    }

    /// Number of +inf and -inf values.
    pub fn inf_count(&self) -> u64 {
        self.pos_inf + self.neg_inf
    }

    /// The smallest value, or NaN when there is none.
    pub fn min(&self) -> f64 {
        if self.count() == 0 {
            f64::NAN
        } else {
            self.min
        }
    }

    /// The largest value, or NaN when there is none.
    pub fn max(&self) -> f64 {
        if self.count() == 0 {
            f64::NAN
        } else {
            self.max
        }
    }

    /// The value infinities force on sums and means, if any: `+inf`, `-inf` or NaN (both).
    fn infinite(&self) -> Option<f64> {
        match (self.pos_inf > 0, self.neg_inf > 0) {
            (true, true) => Some(f64::NAN),
            (true, false) => Some(f64::INFINITY),
            (false, true) => Some(f64::NEG_INFINITY),
            (false, false) => None,
        }
    }

    /// The sum of the values (0 when there are none).
    pub fn sum(&self) -> f64 {
        self.infinite().unwrap_or(self.sum + self.comp)
    }

    /// The arithmetic mean, or NaN when there are no values.
    pub fn mean(&self) -> f64 {
        if self.count() == 0 {
            return f64::NAN;
        }
        self.infinite()
            .unwrap_or(self.central.mean + self.central.mean_lo)
    }

    /// `M2 / (n - ddof)` in units of `2^(2·exp)`, or None when undefined.
    fn scaled_variance(&self, ddof: f64) -> Option<f64> {
        let n = self.central.n as f64;
        if self.inf_count() > 0 || self.central.n == 0 || n - ddof <= 0.0 || ddof.is_nan() {
            return None;
        }
        Some(self.central.m2 / (n - ddof))
    }

    /// Variance with `ddof` delta degrees of freedom (numpy's `var(ddof=...)`); NaN when
    /// there are at most `ddof` values or any infinity.
    pub fn variance(&self, ddof: f64) -> f64 {
        self.scaled_variance(ddof)
            .map_or(f64::NAN, |v| ldexp(v, 2 * self.central.exp))
    }

    /// Standard deviation, computed from the scaled variance so it neither under- nor
    /// overflows where the variance would.
    pub fn std(&self, ddof: f64) -> f64 {
        self.scaled_variance(ddof)
            .map_or(f64::NAN, |v| ldexp(v.sqrt(), self.central.exp))
    }

    /// Biased population moments `m2 = M2/n` etc. in scaled units, with scipy's test for a
    /// numerically constant sample (`m2 <= (eps·mean)²`), or None when there is no finite value
    /// or any infinity.
    fn population_moments(&self) -> Option<(f64, f64, f64, f64, bool)> {
        let c = &self.central;
        if c.n == 0 || self.inf_count() > 0 {
            return None;
        }
        let n = c.n as f64;
        let m2 = c.m2 / n;
        let mean = ldexp(c.mean + c.mean_lo, -c.exp);
        let zero = m2 <= (f64::EPSILON * mean) * (f64::EPSILON * mean);
        Some((n, m2, c.m3 / n, c.m4 / n, zero))
    }

    /// Sample skewness as `scipy.stats.skew(bias=...)` computes it: NaN for a constant sample;
    /// with `bias=false` the adjusted Fisher–Pearson coefficient when n > 2.
    pub fn skewness(&self, bias: bool) -> f64 {
        let Some((n, m2, m3, _, zero)) = self.population_moments() else {
            return f64::NAN;
        };
        if zero {
            return f64::NAN;
        }
        let g1 = m3 / m2.powf(1.5);
        if !bias && n > 2.0 {
            ((n - 1.0) * n).sqrt() / (n - 2.0) * g1
        } else {
            g1
        }
    }

    /// Sample kurtosis as `scipy.stats.kurtosis(fisher=..., bias=...)` computes it: excess
    /// (Fisher) or Pearson; NaN for a constant sample; bias-corrected when n > 3.
    pub fn kurtosis(&self, fisher: bool, bias: bool) -> f64 {
        let Some((n, m2, _, m4, zero)) = self.population_moments() else {
            return f64::NAN;
        };
        if zero {
            return f64::NAN;
        }
        let b2 = m4 / (m2 * m2);
        let pearson = if !bias && n > 3.0 {
            1.0 / (n - 2.0) / (n - 3.0) * ((n * n - 1.0) * b2 - 3.0 * (n - 1.0) * (n - 1.0)) + 3.0
        } else {
            b2
        };
        if fisher {
            pearson - 3.0
        } else {
            pearson
        }
    }

    /// Serializes into the versioned driftscope envelope.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let c = &self.central;
        let mut w = Writer::new(Kind::Moments);
        w.u64(self.null_count)
            .u64(self.nan_count)
            .u64(self.pos_inf)
            .u64(self.neg_inf)
            .f64(self.min)
            .f64(self.max)
            .f64(self.sum)
            .f64(self.comp)
            .u64(c.n)
            .f64(c.mean)
            .f64(c.mean_lo)
            .f64(c.m2)
            .f64(c.m3)
            .f64(c.m4)
            .i32(c.exp);
        w.finish()
    }

    /// Reads bytes written by [`Moments::to_bytes`], checking that they are intact and
    /// describe a possible state.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::open(bytes, Kind::Moments)?;
        let m = Moments {
            null_count: r.u64()?,
            nan_count: r.u64()?,
            pos_inf: r.u64()?,
            neg_inf: r.u64()?,
            min: r.f64()?,
            max: r.f64()?,
            sum: r.f64()?,
            comp: r.f64()?,
            central: Central {
                n: r.u64()?,
                mean: r.f64()?,
                mean_lo: r.f64()?,
                m2: r.f64()?,
                m3: r.f64()?,
                m4: r.f64()?,
                exp: r.i32()?,
            },
        };
        let c = &m.central;
        let total =
            c.n.checked_add(m.pos_inf)
                .and_then(|t| t.checked_add(m.neg_inf))
                .and_then(|t| t.checked_add(m.nan_count))
                .and_then(|t| t.checked_add(m.null_count));
        let consistent = total.is_some()
            && !m.min.is_nan()
            && !m.max.is_nan()
            && !m.sum.is_nan()
            && m.comp.is_finite()
            && c.mean.is_finite()
            && c.mean_lo.is_finite()
            && c.mean_lo.abs() <= c.mean.abs() * f64::EPSILON
            && c.m2.is_finite()
            && c.m2 >= 0.0
            && c.m3.is_finite()
            && c.m4.is_finite()
            && c.m4 >= 0.0
            && (-1100..=1100).contains(&c.exp)
            && if m.count() == 0 {
                m.min == f64::INFINITY && m.max == f64::NEG_INFINITY
            } else {
                m.min <= m.max
                    && (m.pos_inf == 0 || m.max == f64::INFINITY)
                    && (m.neg_inf == 0 || m.min == f64::NEG_INFINITY)
            }
            && (c.n > 0
                || (c.mean == 0.0
                    && c.mean_lo == 0.0
                    && c.m2 == 0.0
                    && c.m3 == 0.0
                    && c.m4 == 0.0));
        if !consistent {
            return Err(r.invalid("the decoded fields are inconsistent"));
        }
        r.finish()?;
        Ok(m)
    }
}

/// Moments of a plain `f64` slice (no nulls).
impl From<&[f64]> for Moments {
    fn from(xs: &[f64]) -> Self {
        Moments::of(&Chunk::new(Values::F64(xs), None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::column::Validity;

    /// Exact-ish reference: two-pass in f64 over a sorted copy, good enough for tame data.
    fn reference(xs: &[f64]) -> (f64, f64, f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let m = |p: i32| xs.iter().map(|x| (x - mean).powi(p)).sum::<f64>() / n;
        let (m2, m3, m4) = (m(2), m(3), m(4));
        (mean, m2, m3 / m2.powf(1.5), m4 / (m2 * m2) - 3.0)
    }

    fn lcg(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (s >> 11) as f64 / (1u64 << 53) as f64;
                (u - 0.3).powi(3) * 10.0
            })
            .collect()
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
    }

    #[test]
    fn matches_two_pass_reference() {
        for n in [1usize, 2, 3, 7, 8, 9, 2047, 2048, 2049, 10_000] {
            let xs = lcg(n as u64, n);
            let m = Moments::from(&xs[..]);
            let (mean, var, skew, kurt) = reference(&xs);
            assert_eq!(m.count(), n as u64);
            assert!(close(m.mean(), mean, 1e-13), "n={n}");
            assert!(close(m.variance(0.0), var, 1e-12), "n={n}");
            if n > 2 {
                assert!(close(m.skewness(true), skew, 1e-10), "n={n}");
                assert!(close(m.kurtosis(true, true), kurt, 1e-10), "n={n}");
            }
            assert_eq!(m.min(), xs.iter().copied().fold(f64::INFINITY, f64::min));
            assert_eq!(
                m.max(),
                xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
            );
        }
    }

    #[test]
    fn simd_and_portable_kernels_agree() {
        for n in [0usize, 1, 7, 8, 9, 1003, 2048] {
            let xs = lcg(9 + n as u64, n);
            let (a, lo_a, hi_a) = fused(&xs, 0.3);
            let (b, lo_b, hi_b) = fused_portable(&xs, 0.3);
            assert_eq!((lo_a, hi_a), (lo_b, hi_b));
            for (x, y) in a.iter().zip(b) {
                assert!(close(*x, y, 1e-13), "n={n}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn merge_equals_whole_and_parallel_equals_serial() {
        let xs = lcg(3, 3 * PARALLEL_MIN / 2 + 17);
        let whole = Moments::from(&xs[..]);
        let mut serial = Moments::new();
        serial.update_serial(&Chunk::new(Values::F64(&xs), None));
        let mut merged = Moments::new();
        for part in xs.chunks(123_457) {
            merged.merge(&Moments::from(part));
        }
        for other in [&serial, &merged] {
            assert_eq!(whole.count(), other.count());
            assert!(close(whole.mean(), other.mean(), 1e-12));
            assert!(close(whole.variance(1.0), other.variance(1.0), 1e-12));
            assert!(close(whole.skewness(false), other.skewness(false), 1e-10));
            assert!(close(
                whole.kurtosis(true, false),
                other.kurtosis(true, false),
                1e-10
            ));
            assert!(close(whole.sum(), other.sum(), 1e-12));
        }
    }

    #[test]
    fn a_block_changed_before_its_second_pass_is_summarized_from_one_reading() {
        // Trending values: the first pass's shift (the first value) lies far from the block
        // mean, so the block is read again around the mean.
        let xs: Vec<f64> = (0..BLOCK).map(|i| 1000.0 + i as f64).collect();
        let mut nan = xs.clone();
        nan[5] = f64::NAN;
        let mut inf = xs.clone();
        inf[BLOCK - 1] = f64::INFINITY;
        let shifted: Vec<f64> = xs.iter().map(|x| x + 1e6).collect();
        let reversed: Vec<f64> = xs.iter().rev().copied().collect();
        for (name, later) in [
            ("NaN", nan),
            ("inf", inf),
            ("shifted", shifted),
            ("reversed", reversed),
        ] {
            let mut got = Moments::new();
            got.block_in(&xs, &later);
            let want = Moments::from(&later[..]);
            let counts = |m: &Moments| (m.count(), m.nan_count(), m.inf_count());
            assert_eq!(counts(&got), counts(&want), "{name}");
            assert_eq!((got.min(), got.max()), (want.min(), want.max()), "{name}");
            for (g, w) in [
                (got.mean(), want.mean()),
                (got.variance(0.0), want.variance(0.0)),
                (got.skewness(true), want.skewness(true)),
                (got.kurtosis(true, true), want.kurtosis(true, true)),
            ] {
                assert!(
                    g.to_bits() == w.to_bits() || close(g, w, 1e-12),
                    "{name}: {g} vs {w}"
                );
            }
        }
    }

    #[test]
    fn nulls_nan_and_inf_are_counted() {
        let xs = [1.0, f64::NAN, 2.0, 3.0, f64::INFINITY, 4.0, 100.0, 5.0];
        // value 6 (100.0) is null
        let bits = [0b1011_1111u8];
        let chunk = Chunk::new(Values::F64(&xs), Some(Validity::new(&bits, 0, 8).unwrap()));
        let m = Moments::of(&chunk);
        assert_eq!(m.null_count(), 1);
        assert_eq!(m.nan_count(), 1);
        assert_eq!(m.inf_count(), 1);
        assert_eq!(m.count(), 6);
        assert_eq!(m.max(), f64::INFINITY);
        assert_eq!(m.min(), 1.0);
        assert_eq!(m.mean(), f64::INFINITY);
        assert!(m.variance(0.0).is_nan());
        let finite = Moments::from(&[1.0, 2.0, 3.0, 4.0, 5.0][..]);
        assert_eq!(finite.mean(), 3.0);
        assert_eq!(finite.variance(0.0), 2.0);
    }

    #[test]
    fn extreme_scales_keep_shape_statistics() {
        let base = lcg(11, 5000);
        let (_, var, skew, kurt) = reference(&base);
        for scale in [1e-300, 1e-150, 1e150, 1e300] {
            let xs: Vec<f64> = base.iter().map(|x| x * scale).collect();
            let m = Moments::from(&xs[..]);
            assert!(
                close(m.std(0.0), var.sqrt() * scale, 1e-12),
                "scale {scale}"
            );
            assert!(close(m.skewness(true), skew, 1e-10), "scale {scale}");
            assert!(close(m.kurtosis(true, true), kurt, 1e-10), "scale {scale}");
        }
    }

    #[test]
    fn tiny_values_merged_with_zero_blocks_keep_their_scale() {
        let xs = [4.870483171863393e-136, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let whole = Moments::from(&xs[..]);
        let mut merged = Moments::new();
        for part in xs.chunks(1) {
            merged.merge(&Moments::from(part));
        }
        let unit: Vec<f64> = xs.iter().map(|x| x * 1e136).collect();
        let (_, _, skew, kurt) = reference(&unit);
        for m in [&whole, &merged] {
            assert!(close(m.skewness(true), skew, 1e-12), "{}", m.skewness(true));
            assert!(close(m.kurtosis(true, true), kurt, 1e-12));
            assert!(close(m.std(0.0), reference(&unit).1.sqrt() * 1e-136, 1e-12));
        }
    }

    #[test]
    fn constant_sample_has_zero_variance_and_nan_shape() {
        let xs = vec![1e9 + 0.5; 5000];
        let m = Moments::from(&xs[..]);
        assert_eq!(m.variance(0.0), 0.0);
        assert!(m.skewness(true).is_nan());
        assert!(m.kurtosis(true, true).is_nan());
    }

    #[test]
    fn integer_and_bool_columns() {
        let ints: Vec<i64> = (0..5000).map(|i| (i * 7919) % 1000 - 300).collect();
        let as_f: Vec<f64> = ints.iter().map(|&i| i as f64).collect();
        let mi = Moments::of(&Chunk::new(Values::I64(&ints), None));
        let mf = Moments::from(&as_f[..]);
        assert_eq!(mi, mf);
        let bools = [true, false, true, true];
        let mb = Moments::of(&Chunk::new(Values::Bool(&bools), None));
        assert_eq!(mb.mean(), 0.75);
    }

    #[test]
    fn all_null_and_empty() {
        let m = Moments::of(&Chunk::new(Values::Null(5), None));
        assert_eq!(m.null_count(), 5);
        assert_eq!(m.count(), 0);
        assert!(m.mean().is_nan() && m.min().is_nan() && m.variance(0.0).is_nan());
        assert_eq!(m.sum(), 0.0);
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let xs = lcg(5, 3000);
        let m = Moments::from(&xs[..]);
        let b = m.to_bytes().unwrap();
        assert_eq!(Moments::from_bytes(&b).unwrap(), m);
        assert_eq!(
            Moments::from_bytes(&Moments::new().to_bytes().unwrap()).unwrap(),
            Moments::new()
        );
        assert!(Moments::from_bytes(b"garbage").is_err());
        assert!(Moments::from_bytes(&b[..b.len() - 1]).is_err());
    }
}
