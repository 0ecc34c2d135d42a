//! The k-sample Anderson–Darling test on sorted samples, as `scipy.stats.anderson_ksamp`.
//!
//! The statistic is Scholz & Stephens' (1987) `A²akN` (eq. 7, mid-ranks, scipy's default),
//! `A²kN` (eq. 6, right-continuous ECDF) or the no-ties form (eq. 3), standardised as
//! `(A² - (k-1)) / σ` with the exact variance of their eq. 4; the critical values are their
//! Table 2 interpolation `b0 + b1/√m + b2/m` and the p-value is scipy's: a quadratic fit of
//! `log(significance)` against the critical values, evaluated at the statistic, capped at 0.25
//! and floored at 0.001 outside the table.
//!
//! One k-way walk over the sorted samples yields, per distinct pooled value, its multiplicity
//! and every sample's counts; sums over those values are NumPy's pairwise sums of the same
//! terms, so statistics equal scipy's bit for bit (including, for the 'right' and 'continuous'
//! variants on very large samples, the int64 wrap-around of scipy's integer intermediates).
//!
//! Two samples (the common case) take a faster road: a merge walk split into parts on all
//! cores writes each distinct value's term straight into one buffer, summed by the same
//! pairwise tree. With two samples the second sample's midrank and right-ECDF terms equal the
//! first's (`M2j = Bj - M1j` and `n2 = N - n1` make `N M2j - Bj n2 = -(N M1j - Bj n1)`, exact
//! in floating point while `N max(n) < 2^52`, and exact modulo 2^64 in int64), so one sum
//! serves both.

use crate::error::{Error, Result};
use crate::numeric::npcompat::{np_sum_par, pairwise_sum};
use crate::numeric::runs::{split_lengths, walk_parts, Run};
use crate::twosample::ks::merge_parts;
use std::fmt;
use std::str::FromStr;

/// Significance levels of [`AndersonResult::critical_values`] (scipy's order).
pub const SIGNIFICANCE_LEVELS: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];

/// Which of Scholz & Stephens' statistics (scipy's `variant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AndersonVariant {
    /// Mid-rank ECDF, valid with ties (eq. 7; scipy's default, `midrank=True`).
    Midrank,
    /// Right-continuous ECDF (eq. 6; `midrank=False`).
    Right,
    /// No ties assumed (eq. 3).
    Continuous,
}

impl AndersonVariant {
    pub fn as_str(&self) -> &'static str {
        match self {
            AndersonVariant::Midrank => "midrank",
            AndersonVariant::Right => "right",
            AndersonVariant::Continuous => "continuous",
        }
    }
}

impl fmt::Display for AndersonVariant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AndersonVariant {
    type Err = Error;

    /// Accepts `midrank`, `right` (or `discrete`), `continuous`, in any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "midrank" => Ok(AndersonVariant::Midrank),
            "right" | "discrete" => Ok(AndersonVariant::Right),
            "continuous" => Ok(AndersonVariant::Continuous),
            _ => Err(Error::InvalidArgument(format!(
                "invalid variant {s:?}: expected one of 'midrank', 'right', 'continuous'"
            ))),
        }
    }
}

/// When the p-value left the tabulated range (scipy warns in both cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PvalueBound {
    /// The statistic is below every critical value: the true p-value is larger than 0.25.
    Capped,
    /// The statistic is above every critical value: the true p-value is smaller than 0.001.
    Floored,
}

impl PvalueBound {
    /// scipy's warning text.
    pub fn message(&self) -> &'static str {
        match self {
            PvalueBound::Capped => {
                "p-value capped: true value larger than 0.25. Consider specifying `method` \
                 (e.g. `method=stats.PermutationMethod()`.)"
            }
            PvalueBound::Floored => {
                "p-value floored: true value smaller than 0.001. Consider specifying `method` \
                 (e.g. `method=stats.PermutationMethod()`.)"
            }
        }
    }
}

/// The result of `anderson_ksamp`.
#[derive(Debug, Clone, PartialEq)]
pub struct AndersonResult {
    /// The standardised statistic `(A² - (k-1)) / σ`.
    pub statistic: f64,
    /// Critical values at [`SIGNIFICANCE_LEVELS`].
    pub critical_values: [f64; 7],
    /// Interpolated p-value, within [0.001, 0.25].
    pub pvalue: f64,
    /// Set when `pvalue` is a cap or a floor rather than an interpolation.
    pub pvalue_bound: Option<PvalueBound>,
    /// The unstandardised `A²` (scipy's `A2akN` / `A2kN`).
    pub a2: f64,
    /// Sample sizes.
    pub sizes: Vec<usize>,
    pub variant: AndersonVariant,
}

/// Per distinct pooled value: multiplicity, count of smaller pooled values, and per sample
/// the counts `<=` and `==` the value.
struct Table {
    /// Distinct pooled values' multiplicities.
    lj: Vec<u64>,
    /// Number of pooled values below each distinct value.
    left: Vec<u64>,
    /// `right[i][j]`: values of sample `i` that are `<=` distinct value `j`.
    right: Vec<Vec<u64>>,
    /// `equal[i][j]`: values of sample `i` equal to distinct value `j`.
    equal: Vec<Vec<u64>>,
}

fn tabulate(samples: &[&[f64]]) -> Table {
    let k = samples.len();
    let total: usize = samples.iter().map(|s| s.len()).sum();
    let mut pos = vec![0usize; k];
    let mut t = Table {
        lj: Vec::new(),
        left: Vec::new(),
        right: vec![Vec::new(); k],
        equal: vec![Vec::new(); k],
    };
    let mut below = 0u64;
    loop {
        let mut v = f64::NAN;
        for (i, s) in samples.iter().enumerate() {
            if pos[i] < s.len() && (v.is_nan() || s[pos[i]] < v) {
                v = s[pos[i]];
            }
        }
        if v.is_nan() {
            break;
        }
        let mut l = 0u64;
        for (i, s) in samples.iter().enumerate() {
            let start = pos[i];
            while pos[i] < s.len() && s[pos[i]] == v {
                pos[i] += 1;
            }
            let eq = (pos[i] - start) as u64;
            l += eq;
            t.right[i].push(pos[i] as u64);
            t.equal[i].push(eq);
        }
        t.lj.push(l);
        t.left.push(below);
        below += l;
        if below as usize == total {
            break;
        }
    }
    t
}

/// `scipy.stats.anderson_ksamp(samples)` (with `variant`) on ascending samples.
pub fn anderson_ksamp_sorted(
    samples: &[&[f64]],
    variant: AndersonVariant,
) -> Result<AndersonResult> {
    let k = samples.len();
    if k < 2 {
        return Err(Error::InvalidArgument(
            "anderson_ksamp needs at least two samples".into(),
        ));
    }
    if let Some(i) = samples.iter().position(|s| s.is_empty()) {
        return Err(Error::EmptySample(format!(
            "anderson_ksamp: sample {i} holds no values (after dropping nulls and NaN)"
        )));
    }
    // Ascending samples hold one distinct value between them iff all ends are equal.
    let lowest = samples.iter().map(|s| s[0]).fold(f64::INFINITY, f64::min);
    if samples
        .iter()
        .all(|s| s[0] == lowest && s[s.len() - 1] == lowest)
    {
        return Err(Error::InvalidArgument(
            "anderson_ksamp needs more than one distinct observation".into(),
        ));
    }
    let big_n: usize = samples.iter().map(|s| s.len()).sum();
    if big_n < 3 {
        return Err(Error::InvalidArgument(
            "anderson_ksamp needs at least three observations in total".into(),
        ));
    }
    let n: Vec<u64> = samples.iter().map(|s| s.len() as u64).collect();
    let big_n = big_n as u64;
    let a2 = || match samples {
        [a, b] => a2_two(a, b, variant),
        _ => None,
    };
    let (hg, a2) = if big_n >= 1 << 16 {
        rayon::join(|| harmonic_sums(big_n), a2)
    } else {
        (harmonic_sums(big_n), a2())
    };
    let a2 = a2.unwrap_or_else(|| {
        let t = tabulate(samples);
        match variant {
            AndersonVariant::Midrank => a2_midrank(&t, &n, big_n),
            AndersonVariant::Right => a2_right(&t, &n, big_n),
            AndersonVariant::Continuous => a2_continuous(&t, &n, big_n),
        }
    });
    Ok(finish(a2, hg, &n, big_n, variant))
}

/// `A²` of two samples by a parallel merge walk, or `None` past the sizes where that equals
/// the general computation exactly. Terms are those of [`a2_midrank`], [`a2_right`] and
/// [`a2_continuous`], operation for operation.
fn a2_two(a: &[f64], b: &[f64], variant: AndersonVariant) -> Option<f64> {
    let (n1, n2) = (a.len() as u64, b.len() as u64);
    let big_n = n1 + n2;
    let nf = big_n as f64;
    let bounds = merge_parts(a, b);
    let both = |s1: f64, s2: f64| (0.0 + s1 / n1 as f64) + s2 / n2 as f64;
    match variant {
        AndersonVariant::Midrank => {
            // Past this the two samples' terms may round differently.
            if u128::from(big_n) * u128::from(n1.max(n2)) >= 1 << 52 {
                return None;
            }
            let n1f = n1 as f64;
            let inv_n = 1.0 / nf;
            let mut buf = vec![0.0f64; big_n as usize];
            let u = per_value_terms(a, b, &bounds, &mut buf, |r| {
                let l = r.len() as u64;
                let lj = l as f64;
                let bj = r.below() as f64 + lj / 2.0;
                let mij = r.i1 as f64 - (r.i1 - r.i0) as f64 / 2.0;
                let num = nf * mij - bj * n1f;
                let nlj = big_n.wrapping_mul(l) as f64;
                // `lj / N`, sparing a division for the values present once.
                let ljn = if l == 1 { inv_n } else { lj / nf };
                ljn * (num * num) / (bj * (nf - bj) - nlj / 4.0)
            });
            let s = np_sum_par(&buf[..u]);
            Some(both(s, s) * ((nf - 1.0) / nf))
        }
        AndersonVariant::Right => {
            let (bn, n1i) = (big_n as i64, n1 as i64);
            let inv_n = 1.0 / nf;
            let mut buf = vec![0.0f64; big_n as usize];
            let u = per_value_terms(a, b, &bounds, &mut buf, |r| {
                let bj = (r.below() + r.len()) as i64;
                let d = bn
                    .wrapping_mul(r.i1 as i64)
                    .wrapping_sub(bj.wrapping_mul(n1i));
                let sq = d.wrapping_mul(d);
                let den = bj.wrapping_mul(bn.wrapping_sub(bj));
                let ljn = if r.len() == 1 {
                    inv_n
                } else {
                    r.len() as f64 / nf
                };
                ljn * sq as f64 / den as f64
            });
            // Zstar[:-1]: the last distinct value's term is left out.
            let s = np_sum_par(&buf[..u - 1]);
            Some(both(s, s))
        }
        AndersonVariant::Continuous => {
            // Per pooled position (every one but the last), each sample's own term.
            let bn = big_n as i64;
            let mut t1 = vec![0.0f64; big_n as usize];
            let mut t2 = vec![0.0f64; big_n as usize];
            let lengths = || bounds.windows(2).map(pooled_len);
            let outs = split_lengths(&mut t1, lengths())
                .into_iter()
                .zip(split_lengths(&mut t2, lengths()))
                .zip(bounds.iter());
            let mut sinks: Vec<_> = outs
                .map(|((o1, o2), &(s0, s1))| {
                    move |r: Run| {
                        let (m1, m2) = (r.i1 as i64, r.j1 as i64);
                        let p0 = r.below() - (s0 + s1);
                        for p in p0..p0 + r.len() {
                            let j = (s0 + s1 + p + 1) as i64;
                            let den = j.wrapping_mul(bn.wrapping_sub(j)) as f64;
                            let term = |m: i64, ni: u64| {
                                let x = bn.wrapping_mul(m).wrapping_sub(j.wrapping_mul(ni as i64));
                                x.wrapping_mul(x) as f64 / den
                            };
                            o1[p] = term(m1, n1);
                            o2[p] = term(m2, n2);
                        }
                    }
                })
                .collect();
            walk_parts(a, b, &bounds, &mut sinks);
            drop(sinks);
            let m = big_n as usize - 1;
            let (s1, s2) = rayon::join(|| np_sum_par(&t1[..m]), || np_sum_par(&t2[..m]));
            Some(both(s1, s2) / nf)
        }
    }
}

/// Eq. 7 (scipy's `_anderson_ksamp_midrank`).
fn a2_midrank(t: &Table, n: &[u64], big_n: u64) -> f64 {
    let nf = big_n as f64;
    let u = t.lj.len();
    let all_distinct = big_n as usize == u;
    let mut a2 = 0.0f64;
    for (i, &ni) in n.iter().enumerate() {
        let right = &t.right[i];
        let equal = &t.equal[i];
        let s = pairwise_sum(u, |j| {
            // lj is the scalar 1. when all values are distinct, an int array otherwise.
            let lj = if all_distinct { 1.0 } else { t.lj[j] as f64 };
            let bj = t.left[j] as f64 + lj / 2.0;
            let mij = right[j] as f64 - equal[j] as f64 / 2.0;
            let num = nf * mij - bj * ni as f64;
            let nlj = if all_distinct {
                nf * 1.0
            } else {
                (big_n.wrapping_mul(t.lj[j])) as f64
            };
            lj / nf * (num * num) / (bj * (nf - bj) - nlj / 4.0)
        });
        a2 += s / ni as f64;
    }
    a2 * ((nf - 1.0) / nf)
}

/// Eq. 6 (scipy's `_anderson_ksamp_right`), int64 intermediates as NumPy computes them.
fn a2_right(t: &Table, n: &[u64], big_n: u64) -> f64 {
    let nf = big_n as f64;
    let u = t.lj.len() - 1; // Zstar[:-1]
    let bj: Vec<i64> =
        t.lj.iter()
            .take(u)
            .scan(0i64, |acc, &l| {
                *acc = acc.wrapping_add(l as i64);
                Some(*acc)
            })
            .collect();
    let bn = big_n as i64;
    let mut a2 = 0.0f64;
    for (i, &ni) in n.iter().enumerate() {
        let right = &t.right[i];
        let s = pairwise_sum(u, |j| {
            let mij = right[j] as i64;
            let d = bn
                .wrapping_mul(mij)
                .wrapping_sub(bj[j].wrapping_mul(ni as i64));
            let sq = d.wrapping_mul(d);
            let den = bj[j].wrapping_mul(bn.wrapping_sub(bj[j]));
            t.lj[j] as f64 / nf * sq as f64 / den as f64
        });
        a2 += s / ni as f64;
    }
    a2
}

/// Eq. 3 (scipy's `_anderson_ksamp_continuous`), over every pooled value but the last.
fn a2_continuous(t: &Table, n: &[u64], big_n: u64) -> f64 {
    let bn = big_n as i64;
    let m = big_n as usize - 1;
    let mut a2 = 0.0f64;
    for (i, &ni) in n.iter().enumerate() {
        let right = &t.right[i];
        // Pooled position p (0-based) lies in distinct value d; walk both in step.
        let mut d = 0usize;
        let mut end = t.lj[0] as usize;
        let s = pairwise_sum(m, |p| {
            while p >= end {
                d += 1;
                end += t.lj[d] as usize;
            }
            let j = (p + 1) as i64;
            let x = bn
                .wrapping_mul(right[d] as i64)
                .wrapping_sub(j.wrapping_mul(ni as i64));
            let sq = x.wrapping_mul(x);
            sq as f64 / j.wrapping_mul(bn.wrapping_sub(j)) as f64
        });
        a2 += s / ni as f64;
    }
    a2 / big_n as f64
}

/// Pooled values in the merge-walk part `w` (a window of [`merge_parts`]).
fn pooled_len(w: &[(usize, usize)]) -> usize {
    (w[1].0 - w[0].0) + (w[1].1 - w[0].1)
}

/// Writes `term` of each distinct pooled value of `a` and `b`, in order, to the start of
/// `buf` (of length `a.len() + b.len()`), walking the `bounds` parts in parallel; returns
/// the number of distinct values.
fn per_value_terms<F>(
    a: &[f64],
    b: &[f64],
    bounds: &[(usize, usize)],
    buf: &mut [f64],
    term: F,
) -> usize
where
    F: Fn(&Run) -> f64 + Sync,
{
    // Each part writes at its pooled offset; the parts' terms are moved together after.
    let mut counts = vec![0usize; bounds.len() - 1];
    let outs = split_lengths(buf, bounds.windows(2).map(pooled_len));
    let mut sinks: Vec<_> = outs
        .into_iter()
        .zip(counts.iter_mut())
        .map(|(out, u)| {
            let term = &term;
            move |r: Run| {
                out[*u] = term(&r);
                *u += 1;
            }
        })
        .collect();
    walk_parts(a, b, bounds, &mut sinks);
    drop(sinks);
    let mut u = 0;
    for (w, c) in bounds.windows(2).zip(counts) {
        let start = w[0].0 + w[0].1;
        buf.copy_within(start..start + c, u);
        u += c;
    }
    u
}

/// scipy's `hs_cs = cumsum(1 / arange(N-1, 1, -1))`, `h = hs_cs[-1] + 1` and
/// `g = sum(hs_cs / arange(2, N))`, as `(h, g)`, in one pass (the cumulative sum is
/// sequential; the pairwise sum sees its terms in order). `N >= 3`.
fn harmonic_sums(big_n: u64) -> (f64, f64) {
    let terms = (big_n - 2) as usize;
    // Integers below 2^53 convert exactly, so `top - t` is `N - 1 - t` exactly.
    let top = (big_n - 1) as f64;
    // np.cumsum starts from its first term; 0.0 + x == x for these positive terms.
    let mut cum = 0.0f64;
    let g = pairwise_sum(terms, |t| {
        cum += 1.0 / (top - t as f64);
        cum / (t + 2) as f64
    });
    (cum + 1.0, g)
}

/// Standardisation, critical values and p-value (the body of `anderson_ksamp`), given
/// `(h, g)` of [`harmonic_sums`].
fn finish(
    a2: f64,
    (h, g): (f64, f64),
    n: &[u64],
    big_n: u64,
    variant: AndersonVariant,
) -> AndersonResult {
    let k = n.len() as f64;
    let nf = big_n as f64;
    let h_big = pairwise_sum(n.len(), |i| 1.0 / n[i] as f64);
    let a = (4.0 * g - 6.0) * (k - 1.0) + (10.0 - 6.0 * g) * h_big;
    let b = (2.0 * g - 4.0) * k.powi(2) + 8.0 * h * k + (2.0 * g - 14.0 * h - 4.0) * h_big
        - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * k.powi(2)
        + (4.0 * h - 4.0 * g + 6.0) * k
        + (2.0 * h - 6.0) * h_big
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * k.powi(2) - 4.0 * h * k;
    // Python integers N**3 and N**2, rounded once to float.
    let n3 = u128::from(big_n)
        .checked_pow(3)
        .map_or(nf * nf * nf, |x| x as f64);
    let n2 = (u128::from(big_n) * u128::from(big_n)) as f64;
    let sigmasq = (a * n3 + b * n2 + c * nf + d) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let m = k - 1.0;
    let statistic = (a2 - m) / sigmasq.sqrt();
    let mut critical = [0.0f64; 7];
    for i in 0..7 {
        critical[i] = B0[i] + B1[i] / m.sqrt() + B2[i] / m;
    }
    let cmin = critical.iter().copied().fold(f64::INFINITY, f64::min);
    let cmax = critical.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (pvalue, bound) = if statistic < cmin {
        (0.25, Some(PvalueBound::Capped))
    } else if statistic > cmax {
        (0.001, Some(PvalueBound::Floored))
    } else {
        let logsig = SIGNIFICANCE_LEVELS.map(f64::ln);
        let pf = polyfit2(&critical, &logsig);
        let y = (pf[0] * statistic + pf[1]) * statistic + pf[2];
        (y.exp(), None)
    };
    AndersonResult {
        statistic,
        critical_values: critical,
        pvalue,
        pvalue_bound: bound,
        a2,
        sizes: n.iter().map(|&x| x as usize).collect(),
        variant,
    }
}

/// `np.polyfit(x, y, 2)`: least squares on the column-scaled Vandermonde matrix, solved here
/// by Householder QR (NumPy uses an SVD; both are backward stable, so the coefficients agree
/// to rounding).
#[allow(clippy::needless_range_loop)] // matrix code reads best with indices
fn polyfit2(x: &[f64; 7], y: &[f64; 7]) -> [f64; 3] {
    let mut a = [[0.0f64; 3]; 7];
    for (r, &xi) in x.iter().enumerate() {
        a[r] = [xi * xi, xi, 1.0];
    }
    let mut scale = [0.0f64; 3];
    for (c, s) in scale.iter_mut().enumerate() {
        *s = a.iter().map(|row| row[c] * row[c]).sum::<f64>().sqrt();
        for row in a.iter_mut() {
            row[c] /= *s;
        }
    }
    let mut b = *y;
    // Householder QR, applying the reflections to b as we go.
    for c in 0..3 {
        let norm = (c..7).map(|r| a[r][c] * a[r][c]).sum::<f64>().sqrt();
        let alpha = if a[c][c] > 0.0 { -norm } else { norm };
        let mut v = [0.0f64; 7];
        for r in c..7 {
            v[r] = a[r][c];
        }
        v[c] -= alpha;
        let vnorm2: f64 = (c..7).map(|r| v[r] * v[r]).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        for cc in c..3 {
            let dot: f64 = (c..7).map(|r| v[r] * a[r][cc]).sum();
            let f = 2.0 * dot / vnorm2;
            for r in c..7 {
                a[r][cc] -= f * v[r];
            }
        }
        let dot: f64 = (c..7).map(|r| v[r] * b[r]).sum();
        let f = 2.0 * dot / vnorm2;
        for r in c..7 {
            b[r] -= f * v[r];
        }
    }
    let mut coef = [0.0f64; 3];
    for c in (0..3).rev() {
        let s = (c + 1..3).fold(b[c], |s, cc| s - a[c][cc] * coef[cc]);
        coef[c] = s / a[c][c];
    }
    for c in 0..3 {
        coef[c] /= scale[c];
    }
    coef
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad(samples: &[&[f64]], variant: AndersonVariant) -> AndersonResult {
        let sorted: Vec<Vec<f64>> = samples
            .iter()
            .map(|s| {
                let mut v = s.to_vec();
                crate::numeric::sort::sort_f64(&mut v);
                v
            })
            .collect();
        let refs: Vec<&[f64]> = sorted.iter().map(|v| v.as_slice()).collect();
        anderson_ksamp_sorted(&refs, variant).unwrap()
    }

    #[test]
    #[allow(clippy::approx_constant)] // 2.718 is a tabulated critical value, not e
    fn matches_scipy_small_cases() {
        // scipy.stats.anderson_ksamp([[1., 2, 3], [2., 3, 4, 5]]) (midrank), scipy 1.17.1
        let r = ad(
            &[&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0, 5.0]],
            AndersonVariant::Midrank,
        );
        assert_eq!(r.statistic, 0.80340382231468);
        assert_eq!(
            r.critical_values,
            [
                0.32500000000000007,
                1.226,
                1.9609999999999999,
                2.718,
                3.752,
                4.592,
                6.546
            ]
        );
        assert!((r.pvalue - 0.15319598108111027).abs() <= 1e-14 * 0.153);
        assert_eq!(r.pvalue_bound, None);
        // anderson_ksamp([[1.], [2., 3, 4]]): statistic 1.3636363636363114, p 0.08902970028514401
        let r = ad(&[&[1.0], &[2.0, 3.0, 4.0]], AndersonVariant::Midrank);
        assert_eq!(r.statistic, 1.3636363636363114);
        assert!((r.pvalue - 0.08902970028514401).abs() <= 1e-14 * 0.089);
        // three observations: sigma² divides by zero, NaN as scipy
        let r = ad(&[&[1.0], &[2.0, 3.0]], AndersonVariant::Midrank);
        assert!(r.statistic.is_nan() && r.pvalue.is_nan());
    }

    /// Ascending pseudo-random samples: distinct values, or `levels` tied levels.
    fn sorted_sample(seed: u64, n: usize, levels: u64) -> Vec<f64> {
        let mut state = seed;
        let mut v: Vec<f64> = (0..n)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let x = state >> 11;
                if levels > 0 {
                    (x % levels) as f64
                } else {
                    x as f64 / (1u64 << 53) as f64
                }
            })
            .collect();
        crate::numeric::sort::sort_f64(&mut v);
        v
    }

    #[test]
    fn two_sample_walk_equals_general_table() {
        // Long enough for the parallel parts; with and without ties (within and across
        // samples, and at part boundaries).
        let cases = [
            (300_000, 200_001, 0),
            (200_001, 300_000, 0),
            (250_000, 250_000, 1000),
            (262_144, 7, 3),
            (5, 9, 2),
            (1, 2, 0),
        ];
        for (n1, n2, levels) in cases {
            let a = sorted_sample(1 + n1 as u64, n1, levels);
            let b = sorted_sample(2 + n2 as u64, n2, levels);
            let t = tabulate(&[&a, &b]);
            let (n, big_n) = ([n1 as u64, n2 as u64], (n1 + n2) as u64);
            for variant in [
                AndersonVariant::Midrank,
                AndersonVariant::Right,
                AndersonVariant::Continuous,
            ] {
                let want = match variant {
                    AndersonVariant::Midrank => a2_midrank(&t, &n, big_n),
                    AndersonVariant::Right => a2_right(&t, &n, big_n),
                    AndersonVariant::Continuous => a2_continuous(&t, &n, big_n),
                };
                let got = a2_two(&a, &b, variant).unwrap();
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "{n1} {n2} {levels} {variant}"
                );
            }
        }
    }

    #[test]
    fn harmonic_sums_follow_numpy() {
        for big_n in [3u64, 4, 5, 130, 258, 259, 1000, 100_003] {
            // hs_cs = cumsum(1 / arange(N-1, 1, -1)), term by term.
            let hs_cs: Vec<f64> = (1..big_n - 1)
                .rev()
                .map(|x| 1.0 / (x + 1) as f64)
                .scan(0.0, |c, v| {
                    *c += v;
                    Some(*c)
                })
                .collect();
            let h = hs_cs[hs_cs.len() - 1] + 1.0;
            let g = pairwise_sum(hs_cs.len(), |t| hs_cs[t] / (t + 2) as f64);
            assert_eq!(harmonic_sums(big_n), (h, g), "N={big_n}");
        }
    }

    #[test]
    fn errors() {
        let one: &[f64] = &[1.0, 2.0];
        assert!(matches!(
            anderson_ksamp_sorted(&[one], AndersonVariant::Midrank),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            anderson_ksamp_sorted(&[one, &[]], AndersonVariant::Midrank),
            Err(Error::EmptySample(_))
        ));
        let same: &[f64] = &[3.0, 3.0];
        let e = anderson_ksamp_sorted(&[same, same], AndersonVariant::Midrank).unwrap_err();
        assert!(e.to_string().contains("more than one distinct"), "{e}");
        let e = anderson_ksamp_sorted(&[&[1.0], &[2.0]], AndersonVariant::Right).unwrap_err();
        assert!(e.to_string().contains("three observations"), "{e}");
        assert_eq!(
            "Right".parse::<AndersonVariant>().unwrap(),
            AndersonVariant::Right
        );
        assert!("left".parse::<AndersonVariant>().is_err());
    }

    #[test]
    #[allow(clippy::approx_constant)] // 2.718 is a tabulated critical value, not e
    fn polyfit_matches_numpy() {
        // np.polyfit([0.325, 1.226, 1.961, 2.718, 3.752, 4.592, 6.546], log(sig), 2)
        let crit = [0.325, 1.226, 1.961, 2.718, 3.752, 4.592, 6.546];
        let pf = polyfit2(&crit, &SIGNIFICANCE_LEVELS.map(f64::ln));
        let want = [
            0.01819809457411148,
            -1.0082265644652522,
            -1.0777702798204851,
        ];
        for i in 0..3 {
            assert!((pf[i] - want[i]).abs() <= 1e-13 * want[i].abs(), "{pf:?}");
        }
    }
}
