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

use crate::error::{Error, Result};
use crate::npcompat::pairwise_sum;
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
    let t = tabulate(samples);
    let big_n: usize = samples.iter().map(|s| s.len()).sum();
    if t.lj.len() < 2 {
        return Err(Error::InvalidArgument(
            "anderson_ksamp needs more than one distinct observation".into(),
        ));
    }
    if big_n < 3 {
        return Err(Error::InvalidArgument(
            "anderson_ksamp needs at least three observations in total".into(),
        ));
    }
    let n: Vec<u64> = samples.iter().map(|s| s.len() as u64).collect();
    let a2 = match variant {
        AndersonVariant::Midrank => a2_midrank(&t, &n, big_n as u64),
        AndersonVariant::Right => a2_right(&t, &n, big_n as u64),
        AndersonVariant::Continuous => a2_continuous(&t, &n, big_n as u64),
    };
    Ok(finish(a2, &n, big_n as u64, variant))
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

/// Standardisation, critical values and p-value (the body of `anderson_ksamp`).
fn finish(a2: f64, n: &[u64], big_n: u64, variant: AndersonVariant) -> AndersonResult {
    let k = n.len() as f64;
    let nf = big_n as f64;
    let h_big = pairwise_sum(n.len(), |i| 1.0 / n[i] as f64);
    // hs_cs = cumsum(1 / arange(N-1, 1, -1)); h = hs_cs[-1] + 1; g = sum(hs_cs / arange(2, N)).
    let terms = (big_n - 2) as usize;
    let mut cum = 0.0f64;
    for t in 0..terms {
        let v = 1.0 / (big_n - 1 - t as u64) as f64;
        cum = if t == 0 { v } else { cum + v };
    }
    let h = cum + 1.0;
    let mut run = 0.0f64;
    let g = pairwise_sum(terms, |t| {
        let v = 1.0 / (big_n - 1 - t as u64) as f64;
        run = if t == 0 { v } else { run + v };
        run / (t as u64 + 2) as f64
    });
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
                crate::sort::sort_f64(&mut v);
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
