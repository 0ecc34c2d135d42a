//! The two-sample Kolmogorov–Smirnov test on sorted samples, as `scipy.stats.ks_2samp`.
//!
//! The statistic is found by one merge walk over the two sorted samples; the walk evaluates
//! `F1(x) - F2(x)` at every distinct value with the same floating-point operations scipy uses
//! (`i/n1 - j/n2` from `searchsorted(..., 'right')` counts), and breaks ties between equal
//! extremes as `np.argmax` over `concatenate([data1, data2])` does, so the statistic, its
//! location and its sign equal scipy's bit for bit.
//!
//! P-values follow scipy 1.17 exactly:
//! * `exact`: Hodges (1958) lattice-path counts as scipy organises them — for two-sided,
//!   `_compute_prob_outside_square` when `n1 == n2` and otherwise the "inside method" with
//!   Viehmann's (2021, arXiv:2102.08037) recursion for `1 - p` (`_compute_outer_prob_inside_method`);
//!   for one-sided, a product when `n1 == n2` and otherwise `_count_paths_outside_method`
//!   divided by `binom(n1 + n2, n1)`, falling back to `asymp` when that overflows, as scipy does.
//! * `asymp`: two-sided `kstwo.sf(d, round(n1 n2 / (n1 + n2)))`; one-sided Hodges' eq. 5.3.
//! * `auto`: `exact` when `max(n1, n2) <= 10000`, else `asymp`.

use crate::error::{Error, Result};
use crate::numeric::cephes::binom;
use crate::numeric::kolmogorov::kstwo_sf;
use rayon::prelude::*;
use std::fmt;
use std::str::FromStr;

/// The alternative hypothesis of a KS test (scipy's `alternative`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alternative {
    /// F1 != F2: the statistic is `max |F1 - F2|`.
    TwoSided,
    /// F1 < F2 somewhere: the statistic is `max (F2 - F1)`.
    Less,
    /// F1 > F2 somewhere: the statistic is `max (F1 - F2)`.
    Greater,
}

impl Alternative {
    pub fn as_str(&self) -> &'static str {
        match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Less => "less",
            Alternative::Greater => "greater",
        }
    }
}

impl fmt::Display for Alternative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Alternative {
    type Err = Error;

    /// Accepts `two-sided` (or `two_sided`), `less`, `greater`, in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "two-sided" | "two_sided" => Ok(Alternative::TwoSided),
            "less" => Ok(Alternative::Less),
            "greater" => Ok(Alternative::Greater),
            _ => Err(Error::InvalidArgument(format!(
                "invalid alternative {s:?}: expected one of 'two-sided', 'less', 'greater'"
            ))),
        }
    }
}

/// How the p-value of a KS test is computed (scipy's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KsMethod {
    /// `Exact` when both samples hold at most 10,000 values, else `Asymp`.
    Auto,
    /// The exact null distribution (lattice-path counting).
    Exact,
    /// The asymptotic (Kolmogorov / Smirnov) distributions.
    Asymp,
}

impl KsMethod {
    pub fn as_str(&self) -> &'static str {
        match self {
            KsMethod::Auto => "auto",
            KsMethod::Exact => "exact",
            KsMethod::Asymp => "asymp",
        }
    }
}

impl fmt::Display for KsMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KsMethod {
    type Err = Error;

    /// Accepts `auto`, `exact`, `asymp` (or `asymptotic`), in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(KsMethod::Auto),
            "exact" => Ok(KsMethod::Exact),
            "asymp" | "asymptotic" => Ok(KsMethod::Asymp),
            _ => Err(Error::InvalidArgument(format!(
                "invalid method {s:?}: expected one of 'auto', 'exact', 'asymp'"
            ))),
        }
    }
}

/// Why an exact p-value was asked for (or chosen) but the asymptotic one was returned.
/// scipy emits a `RuntimeWarning` with [`KsFallback::message`] in both cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KsFallback {
    /// `method="exact"` with `lcm(n1, n2)` too large (`n1/g >= (2^31 - 1) / (n2/g)`).
    LcmTooLarge,
    /// The exact computation overflowed or left [0, 1].
    ExactFailed,
}

impl KsFallback {
    /// scipy's warning text for this fallback.
    pub fn message(&self, n1: usize, n2: usize) -> String {
        match self {
            KsFallback::LcmTooLarge => format!(
                "Exact ks_2samp calculation not possible with samples sizes {n1} and {n2}. \
                 Switching to 'asymp'."
            ),
            KsFallback::ExactFailed => {
                "ks_2samp: Exact calculation unsuccessful. Switching to method=asymp.".to_string()
            }
        }
    }
}

/// The statistic of a two-sample KS test, before any p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsStatistic {
    /// `max(F1 - F2)`, `max(F2 - F1)` or the larger of the two, per the alternative.
    pub statistic: f64,
    /// The data value at which the extreme difference occurs (scipy's `statistic_location`).
    pub location: f64,
    /// +1 when `F1 > F2` at `location`, -1 otherwise (scipy's `statistic_sign`).
    pub sign: i8,
    pub n1: usize,
    pub n2: usize,
    pub alternative: Alternative,
}

/// Everything `scipy.stats.ks_2samp` reports, and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsResult {
    /// The statistic; with the exact method scipy rounds it to `h / lcm(n1, n2)`.
    pub statistic: f64,
    pub pvalue: f64,
    pub statistic_location: f64,
    pub statistic_sign: i8,
    pub n1: usize,
    pub n2: usize,
    pub alternative: Alternative,
    /// The method requested.
    pub method: KsMethod,
    /// The method that produced `pvalue`: `Exact` or `Asymp`.
    pub method_used: KsMethod,
    /// Set when an exact p-value was attempted or requested but the asymptotic one returned.
    pub fallback: Option<KsFallback>,
}

/// Tracks the extreme differences seen at a walk's evaluation points, breaking ties as
/// `np.argmax`/`np.argmin` over `concatenate([data1, data2])` do: among points where the
/// extreme is reached, the smallest value present in `data1` if any, else the smallest value
/// present in `data2`. Points must be offered in ascending order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Extremes {
    max1: Option<(f64, f64)>,
    max2: Option<(f64, f64)>,
    min1: Option<(f64, f64)>,
    min2: Option<(f64, f64)>,
}

impl Extremes {
    pub(crate) fn new() -> Self {
        Extremes {
            max1: None,
            max2: None,
            min1: None,
            min2: None,
        }
    }

    /// Records `diff = F1(value) - F2(value)` at a data point present in sample 1 (`in1`) or
    /// only in sample 2.
    #[inline]
    pub(crate) fn observe(&mut self, value: f64, diff: f64, in1: bool) {
        let (mx, mn) = if in1 {
            (&mut self.max1, &mut self.min1)
        } else {
            (&mut self.max2, &mut self.min2)
        };
        match mx {
            Some((d, _)) if diff <= *d => {}
            _ => *mx = Some((diff, value)),
        }
        match mn {
            Some((d, _)) if diff >= *d => {}
            _ => *mn = Some((diff, value)),
        }
    }

    /// Folds in the extremes of a walk over strictly larger values, as if this walk had
    /// gone on over them: an extreme moves only where the later walk beats it strictly.
    pub(crate) fn then(&mut self, later: &Extremes) {
        let beat = |mine: &mut Option<(f64, f64)>, theirs: Option<(f64, f64)>, max: bool| {
            if let Some(t) = theirs {
                match mine {
                    Some(m) if (max && t.0 <= m.0) || (!max && t.0 >= m.0) => {}
                    _ => *mine = Some(t),
                }
            }
        };
        beat(&mut self.max1, later.max1, true);
        beat(&mut self.max2, later.max2, true);
        beat(&mut self.min1, later.min1, false);
        beat(&mut self.min2, later.min2, false);
    }

    /// `(maxS, loc_maxS, minS, loc_minS)` as in `ks_2samp`, `minS = clip(-min, 0, 1)`.
    fn finish(&self) -> (f64, f64, f64, f64) {
        let pick_max = match (self.max1, self.max2) {
            (Some(a), Some(b)) => {
                if a.0 >= b.0 {
                    a
                } else {
                    b
                }
            }
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => (0.0, f64::NAN),
        };
        let pick_min = match (self.min1, self.min2) {
            (Some(a), Some(b)) => {
                if a.0 <= b.0 {
                    a
                } else {
                    b
                }
            }
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => (0.0, f64::NAN),
        };
        let neg = -pick_min.0;
        // np.clip keeps -0.0 (scipy reports a 'less' statistic of -0.0 when F1 >= F2).
        let min_s = neg.clamp(0.0, 1.0);
        (pick_max.0, pick_max.1, min_s, pick_min.1)
    }

    /// The statistic, its location and sign for `alternative`.
    pub(crate) fn statistic(&self, n1: usize, n2: usize, alternative: Alternative) -> KsStatistic {
        let (max_s, loc_max, min_s, loc_min) = self.finish();
        let use_min = alternative == Alternative::Less
            || (alternative == Alternative::TwoSided && min_s > max_s);
        let (statistic, location, sign) = if use_min {
            (min_s, loc_min, -1)
        } else {
            (max_s, loc_max, 1)
        };
        KsStatistic {
            statistic,
            location,
            sign,
            n1,
            n2,
            alternative,
        }
    }
}

/// `F1 - F2` from the counts of values `<= x` in each sample, as scipy computes it.
#[inline(always)]
pub(crate) fn cdf_diff(i: usize, n1: f64, j: usize, n2: f64) -> f64 {
    i as f64 / n1 - j as f64 / n2
}

pub(crate) fn check_nonempty(n1: usize, n2: usize, what: &str) -> Result<()> {
    if n1 == 0 || n2 == 0 {
        let which = match (n1 == 0, n2 == 0) {
            (true, true) => "both samples are",
            (true, false) => "the first sample is",
            _ => "the second sample is",
        };
        return Err(Error::EmptySample(format!(
            "{what} needs at least one value in each sample, but {which} empty \
             (after dropping nulls and NaN)"
        )));
    }
    Ok(())
}

/// The KS statistic of two ascending samples (NaN-free, `-0.0` as `+0.0`, e.g. from
/// [`crate::numeric::sort::SortedSample`]), by one merge walk — split at value boundaries into parts
/// walked on all cores when the samples are long.
pub fn ks_statistic(a: &[f64], b: &[f64], alternative: Alternative) -> Result<KsStatistic> {
    check_nonempty(a.len(), b.len(), "ks_2samp")?;
    let (n1, n2) = (a.len(), b.len());
    let bounds = merge_parts(a, b);
    let walks: Vec<Extremes> = bounds
        .par_windows(2)
        .map(|w| walk(a, b, w[0], w[1]))
        .collect();
    let mut ext = Extremes::new();
    for w in &walks {
        ext.then(w);
    }
    Ok(ext.statistic(n1, n2, alternative))
}

/// Inputs at least this long (both samples together) are walked in parallel parts.
const PARALLEL_MIN: usize = 1 << 18;

/// Where to split a merge walk over two ascending samples into parts for all cores: the
/// start counts `(i, j)` of each part, then `(n1, n2)`. Part `k` covers the values in
/// `[v_k, v_{k+1})`, the `v_k` being values of `a`, so a run of equal values never straddles
/// two parts. One part (`[(0, 0), (n1, n2)]`) when the samples are short.
pub(crate) fn merge_parts(a: &[f64], b: &[f64]) -> Vec<(usize, usize)> {
    let (n1, n2) = (a.len(), b.len());
    let parts = if n1 + n2 >= PARALLEL_MIN && n1 > 0 {
        rayon::current_num_threads().clamp(1, 8) * 2
    } else {
        1
    };
    let mut splits: Vec<f64> = (1..parts).map(|k| a[k * n1 / parts]).collect();
    splits.dedup();
    // On sorted samples the bounds ascend; the running maximum only keeps the parts
    // well-formed (never a negative length) should the samples be out of order.
    let (mut i, mut j) = (0usize, 0usize);
    std::iter::once((0, 0))
        .chain(splits.iter().map(|&v| {
            i = i.max(a.partition_point(|&x| x < v));
            j = j.max(b.partition_point(|&x| x < v));
            (i, j)
        }))
        .chain(std::iter::once((n1, n2)))
        .collect()
}

/// The merge walk over `a[start.0..end.0]` and `b[start.1..end.1]`, the counts before the
/// part being `start`.
fn walk(a: &[f64], b: &[f64], start: (usize, usize), end: (usize, usize)) -> Extremes {
    walk_segment(
        &a[start.0..end.0],
        &b[start.1..end.1],
        start,
        (a.len() as f64, b.len() as f64),
    )
}

/// The merge walk over a stretch of two ascending samples of sizes `n`: `a` and `b` hold
/// every value of their sample within some value range (a run of equal values is never
/// cut), and `before` counts the values of each sample below that range.
pub(crate) fn walk_segment(
    a: &[f64],
    b: &[f64],
    before: (usize, usize),
    n: (f64, f64),
) -> Extremes {
    let (n1f, n2f) = n;
    let mut ext = Extremes::new();
    let (mut i, mut j) = (0usize, 0usize);
    let (e1, e2) = (a.len(), b.len());
    while i < e1 || j < e2 {
        let from_a = j >= e2 || (i < e1 && a[i] <= b[j]);
        let v = if from_a { a[i] } else { b[j] };
        let in1 = i < e1 && a[i] == v;
        // The value taken is passed unconditionally, so the walk ends even on values out of
        // order or NaN (which sorted samples never hold).
        if from_a {
            i += 1;
        } else {
            j += 1;
        }
        while i < e1 && a[i] == v {
            i += 1;
        }
        while j < e2 && b[j] == v {
            j += 1;
        }
        ext.observe(v, cdf_diff(before.0 + i, n1f, before.1 + j, n2f), in1);
    }
    ext
}

/// `scipy.stats.ks_2samp(a, b, alternative, method)` on two ascending samples.
pub fn ks_2samp_sorted(
    a: &[f64],
    b: &[f64],
    alternative: Alternative,
    method: KsMethod,
) -> Result<KsResult> {
    let stat = ks_statistic(a, b, alternative)?;
    Ok(ks_pvalue(&stat, method))
}

/// The p-value of a KS statistic, as `ks_2samp` computes it after finding the statistic.
pub fn ks_pvalue(stat: &KsStatistic, method: KsMethod) -> KsResult {
    let (n1, n2) = (stat.n1, stat.n2);
    let alternative = stat.alternative;
    let mut d = stat.statistic;
    let g = gcd(n1 as u64, n2 as u64);
    let n1g = n1 as u64 / g;
    let n2g = n2 as u64 / g;
    let mut fallback = None;
    let mut mode = match method {
        KsMethod::Auto => {
            if n1.max(n2) <= 10_000 {
                KsMethod::Exact
            } else {
                KsMethod::Asymp
            }
        }
        KsMethod::Exact => {
            if n1g as f64 >= f64::from(i32::MAX) / n2g as f64 {
                fallback = Some(KsFallback::LcmTooLarge);
                KsMethod::Asymp
            } else {
                KsMethod::Exact
            }
        }
        KsMethod::Asymp => KsMethod::Asymp,
    };
    let mut prob = f64::NEG_INFINITY;
    if mode == KsMethod::Exact {
        let (ok, d2, p) = attempt_exact(n1 as u64, n2 as u64, g, d, alternative);
        d = d2;
        prob = p;
        if !ok {
            mode = KsMethod::Asymp;
            fallback = Some(KsFallback::ExactFailed);
        }
    }
    if mode == KsMethod::Asymp {
        prob = asymp_pvalue(d, n1, n2, alternative);
    }
    KsResult {
        statistic: d,
        pvalue: clip01(prob),
        statistic_location: stat.location,
        statistic_sign: stat.sign,
        n1,
        n2,
        alternative,
        method,
        method_used: mode,
        fallback,
    }
}

/// `np.clip(p, 0, 1)`; NaN stays NaN.
fn clip01(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The asymptotic p-value: `kstwo.sf(d, round(en))` two-sided, Hodges' eq. 5.3 one-sided,
/// with `en = m n / (m + n)` and `m >= n` the larger size.
pub(crate) fn asymp_pvalue(d: f64, n1: usize, n2: usize, alternative: Alternative) -> f64 {
    let (m, n) = if n1 >= n2 {
        (n1 as f64, n2 as f64)
    } else {
        (n2 as f64, n1 as f64)
    };
    let en = m * n / (m + n);
    if alternative == Alternative::TwoSided {
        kstwo_sf(d, en.round_ties_even())
    } else {
        let z = en.sqrt() * d;
        let expt = -2.0 * (z * z) - 2.0 * z * (m + 2.0 * n) / (m * n * (m + n)).sqrt() / 3.0;
        expt.exp()
    }
}

/// scipy's `_attempt_exact_2kssamp`: `(success, d rounded to h/lcm, p)`.
fn attempt_exact(n1: u64, n2: u64, g: u64, d: f64, alternative: Alternative) -> (bool, f64, f64) {
    let lcm = (n1 / g) * n2;
    let h = (d * lcm as f64).round_ties_even() as u64;
    let d = h as f64 / lcm as f64;
    if h == 0 {
        return (true, d, 1.0);
    }
    let prob = if alternative == Alternative::TwoSided {
        if n1 == n2 {
            prob_outside_square(n1, h)
        } else {
            outer_prob_inside_method(n1, n2, g, h)
        }
    } else if n1 == n2 {
        // binom(2n, n-h) / binom(2n, n) as a product, as scipy does.
        let mut p = 1.0;
        for j in 0..h {
            p *= (n1 as f64 - j as f64) / ((n1 + j) as f64 + 1.0);
        }
        p
    } else {
        let num_paths = count_paths_outside(n1, n2, g, h);
        let bin = binom((n1 + n2) as f64, n1 as f64);
        match num_paths {
            Some(num) if !(num > bin || bin.is_infinite()) => num / bin,
            _ => return (false, d, f64::NAN),
        }
    };
    if !(0.0..=1.0).contains(&prob) {
        return (false, d, prob);
    }
    (true, d, prob)
}

/// `P(D_{n,n} >= h/n)` (scipy's `_compute_prob_outside_square`): twice an alternating sum of
/// binomial ratios, evaluated by Horner's rule to avoid cancellation.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let mut p = 0.0f64;
    let (n, h) = (n as i64, h as i64);
    let mut k = (n as f64 / h as f64).floor() as i64;
    while k >= 0 {
        let mut p1 = 1.0f64;
        for j in 0..h {
            // Integer factors, exact as Python's, converted once.
            p1 = (n - k * h - j) as f64 * p1 / (n + k * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

/// The proportion of lattice paths from (0, 0) to (m, n) that leave the band
/// `|x/m - y/n| < h/lcm` (scipy's pythran `_compute_outer_prob_inside_method`, Viehmann's
/// recursion for 1 - p on a sliding window of one column).
fn outer_prob_inside_method(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = (m / g) as i64;
    let ng = (n / g) as i64;
    let (m, n, h) = (m as i64, n as i64, h as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h as f64 / mg as f64).ceil() as i64).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for v in a.iter_mut().take(maxj as usize).skip(minj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let lastminj = minj;
        let lastlen = curlen;
        minj = (((ng * i - h) as f64 / mg as f64).floor() as i64 + 1).max(0);
        minj = minj.min(n);
        maxj = (((ng * i + h) as f64 / mg as f64).ceil() as i64).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        let fi = i as f64;
        for jj in 0..(maxj - minj) {
            let j = jj + minj;
            let src = (jj + minj - lastminj) as usize;
            val = (a.get(src).copied().unwrap_or(1.0) * fi + val * j as f64) / (fi + j as f64);
            // The window never exceeds the buffer (its width is at most 2 h/mg + 2).
            if let Some(slot) = a.get_mut(jj as usize) {
                *slot = val;
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = (maxj - minj) as usize;
            let end = (start + (lastlen - curlen) as usize).min(len_a);
            for v in a.iter_mut().take(end).skip(start) {
                *v = 1.0;
            }
        }
    }
    a.get((maxj - minj - 1) as usize)
        .copied()
        .unwrap_or(f64::NAN)
}

/// The number of lattice paths from (0, 0) to (m, n) that reach `m y <= n x - h g`
/// (scipy's `_count_paths_outside_method`, after Hodges 1958); `None` when scipy's
/// floating-point computation would overflow or produce NaN, which makes it fall back.
fn count_paths_outside(m: u64, n: u64, g: u64, h: u64) -> Option<f64> {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let mg = (m / g) as i64;
    let ng = (n / g) as i64;
    let (m, n, h) = (m as i64, n as i64, h as i64);
    // Python floor division: (mg - h) // mg may be negative.
    let lxj = n + (mg - h).div_euclid(mg);
    if lxj <= 0 {
        let b = binom((m + n) as f64, n as f64);
        return b.is_finite().then_some(b);
    }
    let lxj = lxj as usize;
    let xj: Vec<i64> = (0..lxj as i64)
        .map(|j| (h + mg * j + ng - 1).div_euclid(ng))
        .collect();
    let mut bv = vec![0.0f64; lxj];
    bv[0] = 1.0;
    for j in 1..lxj {
        let mut bj = binom((xj[j] + j as i64) as f64, j as f64);
        if !bj.is_finite() {
            return None;
        }
        for i in 0..j {
            let bin = binom((xj[j] - xj[i] + (j - i) as i64) as f64, (j - i) as f64);
            bj -= bin * bv[i];
            if !bj.is_finite() {
                return None;
            }
        }
        bv[j] = bj;
    }
    let mut num_paths = 0.0f64;
    for j in 0..lxj {
        let bin = binom(((m - xj[j]) + (n - j as i64)) as f64, (n - j as i64) as f64);
        let term = bv[j] * bin;
        num_paths += term;
        if !num_paths.is_finite() {
            return None;
        }
    }
    Some(num_paths)
}

/// `n` ascending pseudo-random values `floor(u · round)`, `u` uniform in [0, 1): heavy ties for
/// small `round`. Shared by the tests of the parallel merge walks.
#[cfg(test)]
pub(crate) fn sorted_grid_sample(state: &mut u64, n: usize, round: f64) -> Vec<f64> {
    let mut v: Vec<f64> = (0..n)
        .map(|_| {
            *state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((*state >> 11) as f64 / (1u64 << 53) as f64 * round).floor()
        })
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_walk_equals_one_walk_with_ties_at_the_splits() {
        let mut state = 7u64;
        let mut draw = |n: usize, round: f64| sorted_grid_sample(&mut state, n, round);
        for (n1, n2, round) in [
            (200_000, 150_000, 7.0),
            (300_000, 1_000, 1e6),
            (5, 400_000, 3.0),
        ] {
            let a = draw(n1, round);
            let b = draw(n2, round);
            for alt in [
                Alternative::TwoSided,
                Alternative::Less,
                Alternative::Greater,
            ] {
                let par = ks_statistic(&a, &b, alt).unwrap();
                let one = walk(&a, &b, (0, 0), (n1, n2)).statistic(n1, n2, alt);
                assert_eq!(
                    (par.statistic, par.location, par.sign),
                    (one.statistic, one.location, one.sign)
                );
            }
        }
    }

    fn ks(a: &[f64], b: &[f64], alt: &str, method: &str) -> KsResult {
        let mut a = a.to_vec();
        let mut b = b.to_vec();
        crate::numeric::sort::sort_f64_pair(&mut a, &mut b);
        ks_2samp_sorted(&a, &b, alt.parse().unwrap(), method.parse().unwrap()).unwrap()
    }

    /// (statistic, pvalue, location, sign) as printed by scipy 1.17.1.
    fn check(r: &KsResult, want: (f64, f64, f64, i8), rtol: f64) {
        assert_eq!(r.statistic, want.0, "statistic of {r:?}");
        assert_eq!(r.statistic_location, want.2, "location of {r:?}");
        assert_eq!(r.statistic_sign, want.3, "sign of {r:?}");
        let (p, w) = (r.pvalue, want.1);
        assert!(
            p == w || (p.is_nan() && w.is_nan()) || (p - w).abs() <= rtol * w.abs(),
            "pvalue {p:?} != scipy {w:?} in {r:?}"
        );
    }

    #[test]
    fn parses_alternatives_and_methods() {
        assert_eq!(
            "Two-Sided".parse::<Alternative>().unwrap(),
            Alternative::TwoSided
        );
        assert_eq!("less".parse::<Alternative>().unwrap(), Alternative::Less);
        assert_eq!(
            "GREATER".parse::<Alternative>().unwrap(),
            Alternative::Greater
        );
        let e = "both".parse::<Alternative>().unwrap_err();
        assert!(
            e.to_string().contains("'two-sided', 'less', 'greater'"),
            "{e}"
        );
        assert_eq!("asymp".parse::<KsMethod>().unwrap(), KsMethod::Asymp);
        let e = "fast".parse::<KsMethod>().unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)));
        assert!(e.to_string().contains("'auto', 'exact', 'asymp'"), "{e}");
        for a in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            assert_eq!(a.to_string().parse::<Alternative>().unwrap(), a);
        }
    }

    #[test]
    fn empty_samples_are_errors() {
        let e = ks_2samp_sorted(&[], &[1.0], Alternative::TwoSided, KsMethod::Auto).unwrap_err();
        assert!(matches!(e, Error::EmptySample(_)));
        assert!(e.to_string().contains("first sample is empty"), "{e}");
        let e = ks_statistic(&[1.0], &[], Alternative::Less).unwrap_err();
        assert!(e.to_string().contains("second sample"), "{e}");
    }

    #[test]
    fn tiny_samples_match_scipy() {
        // ks_2samp([1.], [2.], method=...)
        check(
            &ks(&[1.0], &[2.0], "two-sided", "exact"),
            (1.0, 1.0, 1.0, 1),
            0.0,
        );
        let r = ks(&[1.0], &[2.0], "two-sided", "asymp");
        check(&r, (1.0, f64::NAN, 1.0, 1), 0.0); // round(0.5) = 0 samples: NaN as scipy
                                                 // 'less' with F1 >= F2 everywhere: scipy reports -0.0 (asymp) and 0.0 (exact)
        let r = ks(&[1.0, 2.0], &[1.0, 2.0], "less", "asymp");
        assert_eq!(r.statistic.to_bits(), (-0.0f64).to_bits());
        check(&r, (0.0, 1.0, 1.0, -1), 0.0);
        let r = ks(&[1.0, 2.0], &[1.0, 2.0], "less", "exact");
        assert_eq!(r.statistic.to_bits(), 0.0f64.to_bits());
        check(
            &ks(&[3.0, 4.0], &[1.0, 2.0], "less", "asymp"),
            (1.0, 0.049787068367863944, 2.0, -1),
            1e-15,
        );
        check(
            &ks(
                &[1.0, f64::INFINITY],
                &[2.0, f64::NEG_INFINITY],
                "two-sided",
                "auto",
            ),
            (0.5, 1.0, f64::NEG_INFINITY, -1),
            0.0,
        );
    }

    #[test]
    fn fallback_is_reported() {
        let a: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        let b: Vec<f64> = (0..999).map(|i| i as f64 + 0.5).collect();
        let r = ks_2samp_sorted(&a, &b, Alternative::Less, KsMethod::Exact).unwrap();
        check(&r, (0.001, 0.9980026643350546, 998.5, -1), 1e-14);
        assert_eq!(r.method_used, KsMethod::Asymp);
        assert_eq!(r.fallback, Some(KsFallback::ExactFailed));
        let big1: Vec<f64> = (0..50_000).map(|i| i as f64).collect();
        let big2: Vec<f64> = (0..49_999).map(|i| i as f64 + 0.25).collect();
        let r = ks_2samp_sorted(&big1, &big2, Alternative::TwoSided, KsMethod::Exact).unwrap();
        check(&r, (2.0000000000020002e-05, 1.0, 49998.25, -1), 0.0);
        assert_eq!(r.fallback, Some(KsFallback::LcmTooLarge));
        assert_eq!(r.method_used, KsMethod::Asymp);
        assert!(KsFallback::LcmTooLarge
            .message(3, 4)
            .contains("sizes 3 and 4"));
    }
}
