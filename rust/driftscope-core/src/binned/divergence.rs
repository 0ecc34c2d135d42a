//! Divergences between two binned distributions, and the chi-square and G tests of
//! homogeneity on their 2×k contingency table.
//!
//! Every function takes two count vectors of equal length — `p_counts` from the reference,
//! `q_counts` from the current data, bin for bin (e.g. [`crate::binned::histogram::Histogram::counts`]
//! or [`crate::binned::categorical::Alignment`]) — non-negative, finite, each with a positive total.
//! Counts may be fractional (weights). The proportions are `p = p_counts / Σ p_counts` and
//! `q = q_counts / Σ q_counts`, with NumPy's pairwise summation, so that with
//! [`Smoothing::None`] the results equal scipy's bit for bit:
//!
//! | measure | definition | scipy |
//! | --- | --- | --- |
//! | [`psi`] | `Σ (q−p)·ln(q/p)` | — |
//! | [`kl_divergence`] | `Σ p·ln(p/q) / ln(base)` | `scipy.stats.entropy(p, q, base=base)` |
//! | [`js_distance`] | `√((KL(p‖m) + KL(q‖m)) / 2)`, `m = (p+q)/2` | `scipy.spatial.distance.jensenshannon(p, q, base=base)` |
//! | [`js_divergence`] | `js_distance²` | — |
//! | [`hellinger`] | `√(½·Σ(√p−√q)²)` | — |
//! | [`tvd`] | `½·Σ\|p−q\|` | — |
//! | [`linf`] | `max\|p−q\|` | — |
//! | [`bhattacharyya`] | `−ln Σ√(p·q)` | — |
//!
//! # Smoothing
//!
//! A bin that is empty on one side only makes `psi` and `kl_divergence` infinite (and
//! `bhattacharyya` too when the supports are disjoint). [`Smoothing::Epsilon`] gives such a bin
//! the proportion `eps` on its empty side and renormalizes that side to sum 1. It touches
//! nothing else: a bin empty on both sides contributes 0 to every measure and stays empty, and
//! when no bin is empty on one side only the result is exactly the unsmoothed formula.
//! [`Smoothing::None`] returns the raw value, possibly `+inf`. JS, Hellinger, TVD and L∞ are
//! finite without smoothing; [`Measure::default_smoothing`] recommends `None` for them (which
//! keeps `js_distance` equal to scipy's) and `Epsilon(1e-4)` for the other three.
//!
//! # Bounds
//!
//! Every measure is 0 for identical inputs (exactly). `hellinger`, `tvd` and `linf` are
//! clamped to `[0, 1]` against rounding; `js_distance` is left as scipy computes it except
//! that a sum that rounds below zero yields 0 instead of NaN, so with `base = 2` it lies in
//! `[0, 1]` up to one rounding.
//!
//! # Tests of homogeneity
//!
//! [`chi2_test`] and [`g_test`] compute `scipy.stats.chi2_contingency(table, correction=False)`
//! (with `lambda_="log-likelihood"` for the G test) on the 2×k table `[p_counts; q_counts]`,
//! operation for operation: expected counts `row_sum·col_sum / total`, the statistic summed
//! pairwise in row-major order, `dof = k − 1`, p-value `chdtrc(dof, statistic)`. One
//! difference: scipy raises `ValueError` when a column is empty in both rows (its expected
//! count is 0); here such columns are dropped first and `k` counts the remaining ones, which
//! is what scipy returns on the table without them.

use crate::error::{Error, Num, Result};
use crate::numeric::npcompat::pairwise_sum;
use crate::numeric::special::{chdtrc, rel_entr, xlogy};

/// The default `eps` of [`Smoothing::Epsilon`]: a bin empty on one side counts as 0.01 %.
pub const DEFAULT_EPSILON: f64 = 1e-4;

/// How a bin that is empty on one side only is treated. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Smoothing {
    /// Raw proportions; `psi`, `kl_divergence` and `bhattacharyya` may be `+inf`.
    None,
    /// A bin empty on one side only gets proportion `eps` on that side, which is then
    /// renormalized to sum 1. `0 < eps < 1`.
    Epsilon(f64),
}

impl Default for Smoothing {
    /// `Epsilon(DEFAULT_EPSILON)`.
    fn default() -> Self {
        Smoothing::Epsilon(DEFAULT_EPSILON)
    }
}

/// The divergences, by name, for [`terms`] and [`divergence`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Psi,
    Kl,
    JsDivergence,
    JsDistance,
    Hellinger,
    Tvd,
    Linf,
    Bhattacharyya,
}

impl Measure {
    /// All measures, in the order of the module table.
    pub const ALL: [Measure; 8] = [
        Measure::Psi,
        Measure::Kl,
        Measure::JsDivergence,
        Measure::JsDistance,
        Measure::Hellinger,
        Measure::Tvd,
        Measure::Linf,
        Measure::Bhattacharyya,
    ];

    /// The snake-case name (`"psi"`, `"kl_divergence"`, `"js_divergence"`, `"js_distance"`,
    /// `"hellinger"`, `"tvd"`, `"linf"`, `"bhattacharyya"`).
    pub fn name(self) -> &'static str {
        match self {
            Measure::Psi => "psi",
            Measure::Kl => "kl_divergence",
            Measure::JsDivergence => "js_divergence",
            Measure::JsDistance => "js_distance",
            Measure::Hellinger => "hellinger",
            Measure::Tvd => "tvd",
            Measure::Linf => "linf",
            Measure::Bhattacharyya => "bhattacharyya",
        }
    }

    /// The measure of a name returned by [`Measure::name`] (also `"kl"`, `"js"`).
    pub fn parse(name: &str) -> Result<Measure> {
        Ok(match name {
            "psi" => Measure::Psi,
            "kl_divergence" | "kl" => Measure::Kl,
            "js_divergence" => Measure::JsDivergence,
            "js_distance" | "js" => Measure::JsDistance,
            "hellinger" => Measure::Hellinger,
            "tvd" => Measure::Tvd,
            "linf" => Measure::Linf,
            "bhattacharyya" => Measure::Bhattacharyya,
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "unknown divergence {name:?}; expected one of psi, kl_divergence, \
                     js_divergence, js_distance, hellinger, tvd, linf, bhattacharyya"
                )))
            }
        })
    }

    /// The recommended smoothing: `Epsilon(DEFAULT_EPSILON)` for the measures an empty bin
    /// can make infinite (`psi`, `kl_divergence`, `bhattacharyya`), `None` for the others
    /// (finite anyway, and `js_distance` then equals scipy's `jensenshannon`).
    pub fn default_smoothing(self) -> Smoothing {
        match self {
            Measure::Psi | Measure::Kl | Measure::Bhattacharyya => Smoothing::default(),
            _ => Smoothing::None,
        }
    }

    /// Whether `f(p, q) = f(q, p)`.
    pub fn is_symmetric(self) -> bool {
        !matches!(self, Measure::Kl)
    }

    /// Whether the value always lies in `[0, 1]` (JS with `base = 2`).
    pub fn is_bounded(self) -> bool {
        matches!(self, Measure::Hellinger | Measure::Tvd | Measure::Linf)
    }
}

/// Two validated, possibly smoothed, distributions over the same bins, as proportions.
struct Pair {
    p: Vec<f64>,
    q: Vec<f64>,
}

fn check_counts(name: &str, c: &[f64]) -> Result<f64> {
    if let Some((i, &x)) = c
        .iter()
        .enumerate()
        .find(|(_, x)| !(x.is_finite() && **x >= 0.0))
    {
        return Err(Error::InvalidArgument(format!(
            "{name}[{i}] is {}; counts must be finite and non-negative",
            Num(x)
        )));
    }
    let total = pairwise_sum(c.len(), |i| c[i]);
    if total <= 0.0 {
        return Err(Error::InvalidArgument(format!(
            "{name} is all zero (or empty); a distribution needs at least one positive count"
        )));
    }
    if !total.is_finite() {
        return Err(Error::InvalidArgument(format!(
            "{name} sums to infinity; rescale the counts"
        )));
    }
    Ok(total)
}

fn check_base(base: Option<f64>) -> Result<f64> {
    match base {
        None => Ok(1.0),
        Some(b) if b.is_finite() && b > 0.0 && b != 1.0 => Ok(b.ln()),
        Some(b) => Err(Error::InvalidArgument(format!(
            "base is {}; the logarithm base must be finite, positive and not 1",
            Num(b)
        ))),
    }
}

impl Pair {
    fn new(p_counts: &[f64], q_counts: &[f64], smoothing: Smoothing) -> Result<Pair> {
        if p_counts.len() != q_counts.len() {
            return Err(Error::InvalidArgument(format!(
                "the count vectors have different lengths ({} and {}); they must count the \
                 same bins",
                p_counts.len(),
                q_counts.len()
            )));
        }
        let np = check_counts("p_counts", p_counts)?;
        let nq = check_counts("q_counts", q_counts)?;
        let eps = match smoothing {
            Smoothing::None => None,
            Smoothing::Epsilon(e) if e > 0.0 && e < 1.0 => Some(e),
            Smoothing::Epsilon(e) => {
                return Err(Error::InvalidArgument(format!(
                    "smoothing epsilon is {e}; it must lie strictly between 0 and 1"
                )))
            }
        };
        let (pw, ptotal) = smooth(p_counts, q_counts, np, eps);
        let (qw, qtotal) = smooth(q_counts, p_counts, nq, eps);
        // `x / total` as scipy normalizes (`p / np.sum(p)`).
        let p = pw.iter().map(|&w| w / ptotal).collect();
        let q = qw.iter().map(|&w| w / qtotal).collect();
        Ok(Pair { p, q })
    }

    fn len(&self) -> usize {
        self.p.len()
    }
}

/// The weights of `c` after smoothing against `other`: a zero where `other` is positive
/// becomes `eps·total` (proportion `eps` before renormalizing), and the new total.
fn smooth(c: &[f64], other: &[f64], total: f64, eps: Option<f64>) -> (Vec<f64>, f64) {
    let mut w = c.to_vec();
    let Some(eps) = eps else {
        return (w, total);
    };
    let mut touched = false;
    for (x, &o) in w.iter_mut().zip(other) {
        if *x == 0.0 && o > 0.0 {
            *x = eps * total;
            touched = true;
        }
    }
    if !touched {
        return (w, total);
    }
    let t = pairwise_sum(w.len(), |i| w[i]);
    (w, t)
}

/// `(q−p)·ln(q/p)`, 0 when both are 0.
fn psi_term(p: f64, q: f64) -> f64 {
    if p == q {
        return 0.0;
    }
    (q - p) * (q / p).ln()
}

/// The proportions `(p, q)` the measures are computed on, after smoothing; a report can plot
/// them.
pub fn proportions(
    p_counts: &[f64],
    q_counts: &[f64],
    smoothing: Smoothing,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let pair = Pair::new(p_counts, q_counts, smoothing)?;
    Ok((pair.p, pair.q))
}

/// Population stability index `Σ (q−p)·ln(q/p)`; symmetric, ≥ 0.
pub fn psi(p_counts: &[f64], q_counts: &[f64], smoothing: Smoothing) -> Result<f64> {
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    Ok(pairwise_sum(s.len(), |i| psi_term(s.p[i], s.q[i])))
}

/// Kullback–Leibler divergence `KL(p‖q) = Σ p·ln(p/q)`, divided by `ln(base)` when a base is
/// given: `scipy.stats.entropy(p_counts, q_counts, base=base)` (with [`Smoothing::None`],
/// bit for bit).
pub fn kl_divergence(
    p_counts: &[f64],
    q_counts: &[f64],
    base: Option<f64>,
    smoothing: Smoothing,
) -> Result<f64> {
    let lnb = check_base(base)?;
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    let sum = pairwise_sum(s.len(), |i| rel_entr(s.p[i], s.q[i]));
    Ok(if base.is_some() { sum / lnb } else { sum })
}

/// Jensen–Shannon distance, as `scipy.spatial.distance.jensenshannon(p_counts, q_counts,
/// base=base)` computes it: `m = (p+q)/2`, `√((Σ rel_entr(p, m) + Σ rel_entr(q, m)) /
/// ln(base) / 2)`. A sum that rounds below 0 gives 0 (scipy: NaN).
pub fn js_distance(
    p_counts: &[f64],
    q_counts: &[f64],
    base: Option<f64>,
    smoothing: Smoothing,
) -> Result<f64> {
    let lnb = check_base(base)?;
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    Ok(js_from(&s, base.map(|_| lnb)))
}

fn js_from(s: &Pair, lnb: Option<f64>) -> f64 {
    let n = s.len();
    let m = |i: usize| (s.p[i] + s.q[i]) / 2.0;
    let left = pairwise_sum(n, |i| rel_entr(s.p[i], m(i)));
    let right = pairwise_sum(n, |i| rel_entr(s.q[i], m(i)));
    let mut js = left + right;
    if let Some(lnb) = lnb {
        js /= lnb;
    }
    (js / 2.0).max(0.0).sqrt()
}

/// Jensen–Shannon divergence: the square of [`js_distance`].
pub fn js_divergence(
    p_counts: &[f64],
    q_counts: &[f64],
    base: Option<f64>,
    smoothing: Smoothing,
) -> Result<f64> {
    let d = js_distance(p_counts, q_counts, base, smoothing)?;
    Ok(d * d)
}

/// Hellinger distance `√(½·Σ(√p−√q)²)`, in `[0, 1]`.
pub fn hellinger(p_counts: &[f64], q_counts: &[f64], smoothing: Smoothing) -> Result<f64> {
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    Ok(hellinger_from(&s))
}

fn hellinger_from(s: &Pair) -> f64 {
    let sum = pairwise_sum(s.len(), |i| {
        let d = s.p[i].sqrt() - s.q[i].sqrt();
        d * d
    });
    (0.5 * sum).sqrt().min(1.0)
}

/// Total variation distance `½·Σ|p−q|`, in `[0, 1]`.
pub fn tvd(p_counts: &[f64], q_counts: &[f64], smoothing: Smoothing) -> Result<f64> {
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    Ok((0.5 * pairwise_sum(s.len(), |i| (s.p[i] - s.q[i]).abs())).min(1.0))
}

/// L∞ distance `max|p−q|`, in `[0, 1]`.
pub fn linf(p_counts: &[f64], q_counts: &[f64], smoothing: Smoothing) -> Result<f64> {
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    Ok(linf_from(&s))
}

fn linf_from(s: &Pair) -> f64 {
    s.p.iter()
        .zip(&s.q)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
        .min(1.0)
}

/// Bhattacharyya distance `−ln Σ√(p·q)`; `+inf` for disjoint supports without smoothing.
///
/// When the coefficient `Σ√(p·q)` is at least ½ the distance is computed as `−ln(1 − H²)`
/// with `H² = ½·Σ(√p−√q)² = 1 − Σ√(p·q)` (the squared Hellinger distance) through `ln_1p`,
/// which keeps full relative precision for close distributions where `−ln Σ√(p·q)` would
/// cancel, and gives exactly 0 for identical inputs.
pub fn bhattacharyya(p_counts: &[f64], q_counts: &[f64], smoothing: Smoothing) -> Result<f64> {
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    Ok(bhattacharyya_from(&s))
}

fn bhattacharyya_from(s: &Pair) -> f64 {
    let bc = pairwise_sum(s.len(), |i| (s.p[i] * s.q[i]).sqrt());
    if bc < 0.5 {
        // Far apart: the coefficient itself is accurate (and may be tiny, where 1 − H²
        // would round to 0).
        return -bc.ln();
    }
    let h2 = (0.5
        * pairwise_sum(s.len(), |i| {
            let d = s.p[i].sqrt() - s.q[i].sqrt();
            d * d
        }))
    .min(1.0);
    -(-h2).ln_1p() + 0.0
}

/// The value of `measure` (`base` applies to the KL and JS measures only, else it is
/// ignored).
pub fn divergence(
    measure: Measure,
    p_counts: &[f64],
    q_counts: &[f64],
    base: Option<f64>,
    smoothing: Smoothing,
) -> Result<f64> {
    match measure {
        Measure::Psi => psi(p_counts, q_counts, smoothing),
        Measure::Kl => kl_divergence(p_counts, q_counts, base, smoothing),
        Measure::JsDivergence => js_divergence(p_counts, q_counts, base, smoothing),
        Measure::JsDistance => js_distance(p_counts, q_counts, base, smoothing),
        Measure::Hellinger => hellinger(p_counts, q_counts, smoothing),
        Measure::Tvd => tvd(p_counts, q_counts, smoothing),
        Measure::Linf => linf(p_counts, q_counts, smoothing),
        Measure::Bhattacharyya => bhattacharyya(p_counts, q_counts, smoothing),
    }
}

/// Each bin's contribution to `measure`, for a report:
///
/// | measure | term `i` | value from terms |
/// | --- | --- | --- |
/// | psi | `(q−p)·ln(q/p)` | sum |
/// | kl_divergence | `rel_entr(p, q) / ln(base)` | sum |
/// | js_divergence, js_distance | `(rel_entr(p, m) + rel_entr(q, m)) / (2·ln(base))` | sum = JS divergence; √sum = JS distance |
/// | hellinger | `½·(√p−√q)²` | √sum |
/// | tvd | `½·\|p−q\|` | sum |
/// | linf | `\|p−q\|` | max |
/// | bhattacharyya | `√(p·q)` (the coefficient's terms) | −ln sum |
///
/// Sums of the terms agree with the measure up to rounding.
pub fn terms(
    measure: Measure,
    p_counts: &[f64],
    q_counts: &[f64],
    base: Option<f64>,
    smoothing: Smoothing,
) -> Result<Vec<f64>> {
    let lnb = check_base(base)?;
    let s = Pair::new(p_counts, q_counts, smoothing)?;
    let scale = if base.is_some() { lnb } else { 1.0 };
    let (p, q) = (&s.p, &s.q);
    let t = (0..s.len()).map(|i| {
        let (p, q) = (p[i], q[i]);
        match measure {
            Measure::Psi => psi_term(p, q),
            Measure::Kl => rel_entr(p, q) / scale,
            Measure::JsDivergence | Measure::JsDistance => {
                let m = (p + q) / 2.0;
                (rel_entr(p, m) + rel_entr(q, m)) / scale / 2.0
            }
            Measure::Hellinger => {
                let d = p.sqrt() - q.sqrt();
                0.5 * d * d
            }
            Measure::Tvd => 0.5 * (p - q).abs(),
            Measure::Linf => (p - q).abs(),
            Measure::Bhattacharyya => (p * q).sqrt(),
        }
    });
    Ok(t.collect())
}

/// The result of [`chi2_test`] or [`g_test`].
#[derive(Debug, Clone, PartialEq)]
pub struct ContingencyTest {
    /// Pearson's chi-square or the G (log-likelihood ratio) statistic.
    pub statistic: f64,
    /// `P(χ²_dof ≥ statistic)`; 1 when `dof == 0`.
    pub pvalue: f64,
    /// Degrees of freedom: the number of columns kept, minus 1.
    pub dof: u64,
    /// Per column (category or bin) of the input: its contribution to the statistic (both
    /// rows), 0 for a dropped column. Sums to the statistic up to rounding.
    pub contributions: Vec<f64>,
    /// Per column of the input: the expected counts `(reference, current)` under
    /// homogeneity, `(0, 0)` for a dropped column.
    pub expected: Vec<(f64, f64)>,
    /// Number of columns dropped because both counts were 0.
    pub dropped: usize,
}

/// Pearson's chi-square test of homogeneity on the 2×k table `[ref_counts; cur_counts]`:
/// `scipy.stats.chi2_contingency(table, correction=False)`, except that all-zero columns are
/// dropped rather than rejected (see the module documentation).
pub fn chi2_test(ref_counts: &[f64], cur_counts: &[f64]) -> Result<ContingencyTest> {
    contingency(ref_counts, cur_counts, |o, e| {
        let d = o - e;
        d * d / e
    })
}

/// The G test (log-likelihood ratio) of homogeneity on the 2×k table:
/// `scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")`, with
/// all-zero columns dropped.
pub fn g_test(ref_counts: &[f64], cur_counts: &[f64]) -> Result<ContingencyTest> {
    contingency(ref_counts, cur_counts, |o, e| 2.0 * xlogy(o, o / e))
}

/// The 2×k test with per-cell statistic `cell(observed, expected)`, following
/// `chi2_contingency` → `expected_freq` → `power_divergence`.
fn contingency(
    ref_counts: &[f64],
    cur_counts: &[f64],
    cell: impl Fn(f64, f64) -> f64,
) -> Result<ContingencyTest> {
    let k_in = ref_counts.len();
    if k_in != cur_counts.len() {
        return Err(Error::InvalidArgument(format!(
            "the count vectors have different lengths ({} and {}); they must count the same \
             categories",
            k_in,
            cur_counts.len()
        )));
    }
    check_counts("ref_counts", ref_counts)?;
    check_counts("cur_counts", cur_counts)?;
    let keep: Vec<usize> = (0..k_in)
        .filter(|&j| ref_counts[j] + cur_counts[j] > 0.0)
        .collect();
    let k = keep.len();
    let obs0: Vec<f64> = keep.iter().map(|&j| ref_counts[j]).collect();
    let obs1: Vec<f64> = keep.iter().map(|&j| cur_counts[j]).collect();
    // Margins as `np.sum` takes them: each row pairwise; each column `row0 + row1`; the total
    // over the flattened table in row-major order.
    let r0 = pairwise_sum(k, |j| obs0[j]);
    let r1 = pairwise_sum(k, |j| obs1[j]);
    let total = pairwise_sum(2 * k, |i| if i < k { obs0[i] } else { obs1[i - k] });
    let col: Vec<f64> = (0..k).map(|j| obs0[j] + obs1[j]).collect();
    let e0: Vec<f64> = col.iter().map(|&c| r0 * c / total).collect();
    let e1: Vec<f64> = col.iter().map(|&c| r1 * c / total).collect();
    let mut contributions = vec![0.0; k_in];
    let mut expected = vec![(0.0, 0.0); k_in];
    for (jj, &j) in keep.iter().enumerate() {
        expected[j] = (e0[jj], e1[jj]);
    }
    let dof = k.saturating_sub(1) as u64;
    if dof == 0 {
        // One column: observed equals expected, as scipy's degenerate case.
        return Ok(ContingencyTest {
            statistic: 0.0,
            pvalue: 1.0,
            dof,
            contributions,
            expected,
            dropped: k_in - k,
        });
    }
    let t0: Vec<f64> = (0..k).map(|j| cell(obs0[j], e0[j])).collect();
    let t1: Vec<f64> = (0..k).map(|j| cell(obs1[j], e1[j])).collect();
    let statistic = pairwise_sum(2 * k, |i| if i < k { t0[i] } else { t1[i - k] });
    for (jj, &j) in keep.iter().enumerate() {
        contributions[j] = t0[jj] + t1[jj];
    }
    Ok(ContingencyTest {
        statistic,
        pvalue: chdtrc(dof as f64, statistic),
        dof,
        contributions,
        expected,
        dropped: k_in - k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(p_counts, q_counts, [entropy(p,q), entropy(p,q,base=2), entropy(q,p,base=10), jensenshannon(p,q), jensenshannon(p,q,base=2), jensenshannon(p,q,base=10)], chi2, g)`
    /// from scipy 1.17.1; chi2/g as `(statistic, pvalue, dof)` of `chi2_contingency(correction=False)` on the table with all-zero columns removed.
    #[allow(clippy::type_complexity)]
    #[rustfmt::skip]
    const SCIPY: &[(&[f64], &[f64], [f64; 6], (f64, f64, u64), (f64, f64, u64))] = &[
        (&[10.0, 20.0, 30.0, 40.0], &[15.0, 25.0, 25.0, 35.0], [0.022933803014337097, 0.03308648387750849, 0.0105486991562697, 0.07668497816148617, 0.09210804568706057, 0.05053618501770067], (2.3434343434343434, 0.5042511431936056, 3), (2.3522343502510523, 0.5025881095394558, 3)),
        (&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], [0.3662040962227033, 0.5283208335737188, 0.1590404182398875, 0.29531004717204934, 0.35470351519813204, 0.19461234180761447], (2.0, 0.36787944117144245, 2), (2.092992575058191, 0.35116598079561046, 2)),
        (&[5.0, 0.0, 5.0, 7.0], &[4.0, 3.0, 0.0, 7.0], [f64::INFINITY, f64::INFINITY, f64::INFINITY, 0.4223359986058992, 0.5072772319627483, 0.2783237431487254], (7.894724556489264, 0.048238282004709594, 3), (10.910918316510191, 0.012217456580441637, 3)),
        (&[0.0, 10.0, 0.0, 3.0], &[0.0, 7.0, 0.0, 5.0], [0.07643979756410602, 0.11027931687229202, 0.03683960860767691, 0.14121451817569178, 0.1696159222268048, 0.09306181195858226], (0.9909973604826547, 0.319498733004046, 1), (0.9975267927143154, 0.3179096925759024, 1)),
        (&[100.0], &[250.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0], (0.0, 1.0, 0), (0.0, 1.0, 0)),
        (&[1.0, 0.0], &[0.0, 1.0], [f64::INFINITY, f64::INFINITY, f64::INFINITY, 0.8325546111576977, 1.0, 0.5486620049392714], (2.0, 0.15729920705028105, 1), (2.772588722239781, 0.09589096714246556, 1)),
        (&[2.5, 0.5, 1.0], &[1.0, 1.0, 1.0], [0.19835623739957292, 0.2861675600257578, 0.0926353989389478, 0.22382986392817752, 0.2688470653197559, 0.14750616988037654], (0.6805555555555555, 0.7115726362417969, 2), (0.6906951185855827, 0.7079742476732636, 2)),
        (&[12.0, 3.0], &[17.0, 16.0], [0.1750167182353633, 0.25249575147081965, 0.08798732304449777, 0.21467460391916052, 0.2578504773646591, 0.1414727598854421], (3.498828576142551, 0.061412253987091166, 1), (3.713978746268313, 0.053958623930673064, 1)),
        (&[10.0, 10.0, 20.0], &[20.0, 20.0, 20.0], [0.0588915178281918, 0.08496250072115628, 0.0245954047203062, 0.11984403015647774, 0.14394735018022448, 0.07897844175557736], (2.7777777777777777, 0.24935220877729622, 2), (2.768858761678132, 0.25046668010954165, 2)),
        (&[1000000.0, 2000000.0, 3000000.0, 5.0], &[1000000.0, 2100000.0, 2900000.0, 50.0], [0.0006929683548540416, 0.0009997420090409094, 0.00030508744791276, 0.013192453143547209, 0.015845751097579793, 0.008693961566966791], (4170.7576576087895, 0.0, 3), (4176.998735318353, 0.0, 3)),
        (&[3.0, 9.0, 27.0, 15.0, 4.0], &[18.0, 9.0, 6.0, 18.0, 21.0], [0.6622071713481151, 0.9553630021450338, 0.27604070858494467, 0.38293548797832017, 0.45995239573033453, 0.25235840361802653], (34.806631586804, 5.090167369773982e-07, 4), (37.77816451713974, 1.2450607741998726e-07, 4)),
        (&[14.0, 18.0, 10.0, 15.0, 14.0, 19.0, 6.0, 2.0, 26.0], &[13.0, 31.0, 16.0, 11.0, 8.0, 12.0, 2.0, 15.0, 19.0], [0.17299762338655578, 0.2495828133453606, 0.0992945624440428, 0.21512121127566883, 0.25838690746849013, 0.1417670787017198], (21.700334210837752, 0.005502316267320523, 8), (23.196620695170655, 0.003120770290184815, 8)),
        (&[17.0, 19.0, 19.0, 7.0, 8.0, 22.0, 4.0, 9.0, 10.0, 13.0, 8.0, 18.0, 28.0, 1.0, 16.0, 19.0, 23.0], &[9.0, 13.0, 10.0, 19.0, 27.0, 35.0, 3.0, 19.0, 27.0, 7.0, 15.0, 17.0, 18.0, 13.0, 19.0, 29.0, 18.0], [0.197702447996521, 0.28522434129618907, 0.09984165084279333, 0.22434469962354753, 0.2694654460103079, 0.14784545186987058], (50.62964385495741, 1.818800019879887e-05, 16), (53.36157551103406, 6.590021738433215e-06, 16)),
        (&[31.0, 18.0, 21.0, 1.0, 14.0, 21.0, 13.0, 28.0, 3.0, 16.0, 23.0, 3.0, 17.0, 14.0, 8.0, 7.0, 20.0, 2.0, 5.0, 6.0, 9.0, 23.0, 19.0, 39.0, 19.0, 9.0, 7.0, 1.0, 7.0, 26.0, 23.0, 13.0, 7.0, 27.0, 30.0, 5.0, 2.0, 20.0, 12.0, 6.0], &[33.0, 16.0, 10.0, 19.0, 28.0, 6.0, 15.0, 5.0, 4.0, 13.0, 3.0, 23.0, 7.0, 9.0, 14.0, 2.0, 2.0, 30.0, 6.0, 4.0, 8.0, 0.0, 28.0, 2.0, 0.0, 27.0, 24.0, 21.0, 24.0, 30.0, 3.0, 14.0, 1.0, 0.0, 32.0, 11.0, 23.0, 21.0, 21.0, 19.0], [f64::INFINITY, f64::INFINITY, 0.34003495561815533, 0.41662716413101153, 0.5004202229469081, 0.27456156283420785], (329.2842394257739, 1.2923427201242473e-47, 39), (392.7621217123817, 5.432374944943248e-60, 39)),
        (&[5.0, 10.0, 26.0, 4.0, 2.0, 0.0, 15.0, 18.0, 14.0, 23.0, 19.0, 20.0, 25.0, 14.0, 4.0, 3.0, 25.0, 5.0, 12.0, 17.0, 16.0, 7.0, 9.0, 7.0, 28.0, 18.0, 3.0, 8.0, 8.0, 21.0, 5.0, 23.0, 17.0, 21.0, 24.0, 32.0, 23.0, 36.0, 12.0, 0.0, 15.0, 18.0, 15.0, 24.0, 3.0, 21.0, 12.0, 34.0, 4.0, 17.0, 18.0, 10.0, 12.0, 11.0, 4.0, 9.0, 23.0, 13.0, 7.0, 17.0, 24.0, 29.0, 1.0, 3.0, 31.0, 10.0, 23.0, 20.0, 33.0, 5.0, 40.0, 24.0, 11.0, 19.0, 1.0, 25.0, 19.0, 23.0, 25.0, 3.0, 21.0, 7.0, 9.0, 11.0, 6.0, 21.0, 6.0, 14.0, 30.0, 24.0, 20.0, 9.0, 11.0, 28.0, 41.0, 21.0, 18.0, 8.0, 16.0, 23.0, 2.0, 10.0, 6.0, 9.0, 8.0, 6.0, 17.0, 18.0, 18.0, 40.0, 5.0, 1.0, 23.0, 30.0, 16.0, 23.0, 17.0, 26.0, 17.0, 18.0, 9.0, 23.0, 13.0, 11.0, 11.0, 16.0, 5.0, 14.0, 1.0, 7.0], &[12.0, 27.0, 7.0, 26.0, 10.0, 17.0, 4.0, 28.0, 28.0, 34.0, 6.0, 12.0, 23.0, 21.0, 0.0, 14.0, 5.0, 23.0, 19.0, 37.0, 27.0, 13.0, 10.0, 20.0, 15.0, 29.0, 2.0, 18.0, 33.0, 6.0, 9.0, 3.0, 22.0, 24.0, 13.0, 23.0, 33.0, 7.0, 4.0, 23.0, 33.0, 17.0, 29.0, 1.0, 12.0, 3.0, 5.0, 3.0, 14.0, 23.0, 13.0, 18.0, 2.0, 5.0, 2.0, 12.0, 33.0, 4.0, 19.0, 6.0, 6.0, 5.0, 25.0, 0.0, 9.0, 5.0, 14.0, 11.0, 3.0, 2.0, 42.0, 19.0, 34.0, 32.0, 18.0, 45.0, 10.0, 10.0, 27.0, 22.0, 10.0, 18.0, 14.0, 16.0, 33.0, 22.0, 31.0, 10.0, 10.0, 9.0, 23.0, 1.0, 1.0, 3.0, 2.0, 13.0, 2.0, 6.0, 8.0, 20.0, 25.0, 13.0, 8.0, 20.0, 2.0, 19.0, 1.0, 1.0, 30.0, 16.0, 17.0, 23.0, 37.0, 22.0, 13.0, 0.0, 29.0, 23.0, 7.0, 15.0, 4.0, 28.0, 7.0, 2.0, 32.0, 13.0, 9.0, 0.0, 4.0, 12.0], [f64::INFINITY, f64::INFINITY, f64::INFINITY, 0.3495913641639652, 0.4199020214155628, 0.23038428494791563], (851.521640807774, 8.258545328887667e-107, 129), (968.2718686558677, 1.2568609710201004e-128, 129)),
        (&[14.0, 14.0, 1.0, 7.0, 28.0, 12.0, 5.0, 12.0, 0.0, 5.0, 17.0, 6.0, 17.0, 4.0, 32.0, 27.0, 21.0, 25.0, 24.0, 30.0, 5.0, 3.0, 11.0, 41.0, 18.0, 19.0, 6.0, 9.0, 14.0, 18.0, 1.0, 12.0, 10.0, 8.0, 1.0, 15.0, 2.0, 3.0, 14.0, 16.0, 9.0, 3.0, 23.0, 21.0, 19.0, 25.0, 26.0, 1.0, 3.0, 22.0, 6.0, 18.0, 23.0, 15.0, 1.0, 15.0, 13.0, 14.0, 19.0, 16.0, 0.0, 19.0, 8.0, 17.0, 1.0, 11.0, 14.0, 3.0, 10.0, 17.0, 26.0, 23.0, 19.0, 24.0, 21.0, 43.0, 21.0, 15.0, 36.0, 17.0, 17.0, 5.0, 6.0, 7.0, 12.0, 10.0, 8.0, 2.0, 1.0, 36.0, 27.0, 27.0, 26.0, 12.0, 16.0, 21.0, 15.0, 25.0, 2.0, 16.0, 22.0, 21.0, 28.0, 19.0, 25.0, 18.0, 4.0, 16.0, 33.0, 3.0, 30.0, 26.0, 19.0, 5.0, 18.0, 33.0, 12.0, 4.0, 6.0, 8.0, 7.0, 2.0, 5.0, 12.0, 17.0, 33.0, 0.0, 30.0, 20.0, 30.0, 9.0, 13.0, 7.0, 13.0, 9.0, 6.0, 11.0, 2.0, 4.0, 13.0, 1.0, 25.0, 24.0, 5.0, 18.0, 23.0, 20.0, 8.0, 23.0, 25.0, 20.0, 9.0, 6.0, 9.0, 3.0, 29.0, 23.0, 15.0, 20.0, 29.0, 1.0, 25.0, 7.0, 19.0, 13.0, 8.0, 8.0, 20.0, 10.0, 4.0, 3.0, 8.0, 16.0, 0.0, 2.0, 16.0, 1.0, 5.0, 13.0, 16.0, 24.0, 11.0, 13.0, 14.0, 3.0, 21.0, 27.0, 34.0, 7.0, 10.0, 7.0, 29.0, 18.0, 4.0, 7.0, 33.0, 21.0, 2.0, 16.0, 10.0, 27.0, 30.0, 32.0, 8.0, 3.0, 18.0, 22.0, 4.0, 12.0, 21.0, 23.0, 19.0, 14.0, 14.0, 19.0, 21.0, 11.0, 32.0, 14.0, 41.0, 13.0, 26.0, 19.0, 18.0, 17.0, 24.0, 2.0, 8.0, 30.0, 20.0, 5.0, 7.0, 10.0, 1.0, 24.0, 3.0, 19.0, 4.0, 10.0, 14.0, 1.0, 0.0, 31.0, 33.0, 16.0, 25.0, 6.0, 3.0, 12.0, 11.0, 16.0, 17.0, 10.0, 2.0, 3.0, 12.0, 10.0, 9.0, 12.0, 5.0, 33.0, 17.0, 25.0, 13.0, 12.0, 26.0, 14.0, 17.0, 14.0, 8.0, 13.0, 13.0, 3.0, 6.0, 12.0, 20.0, 24.0, 0.0, 20.0, 21.0, 11.0, 17.0, 14.0, 0.0, 1.0, 24.0, 21.0, 17.0, 34.0, 10.0, 5.0, 27.0, 8.0, 22.0, 19.0, 10.0, 14.0, 19.0, 29.0, 25.0], &[3.0, 16.0, 29.0, 14.0, 28.0, 34.0, 27.0, 3.0, 4.0, 7.0, 8.0, 3.0, 18.0, 33.0, 27.0, 9.0, 11.0, 6.0, 27.0, 31.0, 25.0, 17.0, 0.0, 4.0, 1.0, 26.0, 2.0, 16.0, 21.0, 23.0, 12.0, 23.0, 11.0, 31.0, 4.0, 9.0, 10.0, 15.0, 19.0, 3.0, 30.0, 3.0, 8.0, 15.0, 24.0, 22.0, 15.0, 4.0, 26.0, 4.0, 15.0, 20.0, 18.0, 26.0, 9.0, 11.0, 15.0, 3.0, 4.0, 24.0, 1.0, 6.0, 31.0, 10.0, 4.0, 2.0, 24.0, 12.0, 21.0, 29.0, 27.0, 28.0, 7.0, 13.0, 32.0, 32.0, 15.0, 29.0, 34.0, 13.0, 14.0, 7.0, 7.0, 26.0, 24.0, 4.0, 7.0, 19.0, 1.0, 10.0, 18.0, 20.0, 31.0, 4.0, 7.0, 8.0, 14.0, 28.0, 11.0, 20.0, 12.0, 14.0, 11.0, 13.0, 23.0, 11.0, 7.0, 8.0, 6.0, 2.0, 37.0, 4.0, 20.0, 20.0, 30.0, 12.0, 24.0, 4.0, 5.0, 12.0, 28.0, 23.0, 27.0, 11.0, 2.0, 5.0, 11.0, 5.0, 36.0, 17.0, 20.0, 26.0, 33.0, 4.0, 2.0, 21.0, 11.0, 11.0, 33.0, 17.0, 26.0, 18.0, 14.0, 12.0, 19.0, 27.0, 27.0, 19.0, 13.0, 5.0, 18.0, 19.0, 34.0, 3.0, 29.0, 31.0, 1.0, 4.0, 22.0, 17.0, 5.0, 28.0, 22.0, 15.0, 14.0, 25.0, 9.0, 15.0, 16.0, 8.0, 18.0, 6.0, 10.0, 2.0, 4.0, 22.0, 4.0, 16.0, 26.0, 26.0, 4.0, 1.0, 20.0, 2.0, 27.0, 2.0, 22.0, 16.0, 21.0, 7.0, 2.0, 12.0, 15.0, 21.0, 22.0, 19.0, 16.0, 25.0, 1.0, 11.0, 18.0, 0.0, 17.0, 7.0, 24.0, 30.0, 17.0, 22.0, 20.0, 17.0, 41.0, 1.0, 8.0, 5.0, 11.0, 24.0, 15.0, 2.0, 22.0, 22.0, 1.0, 6.0, 25.0, 34.0, 8.0, 28.0, 5.0, 23.0, 19.0, 5.0, 3.0, 18.0, 28.0, 25.0, 1.0, 4.0, 13.0, 0.0, 0.0, 12.0, 1.0, 23.0, 16.0, 27.0, 8.0, 15.0, 23.0, 18.0, 16.0, 6.0, 2.0, 35.0, 10.0, 20.0, 3.0, 23.0, 20.0, 30.0, 1.0, 21.0, 3.0, 28.0, 4.0, 17.0, 22.0, 17.0, 18.0, 16.0, 17.0, 26.0, 10.0, 2.0, 17.0, 17.0, 22.0, 36.0, 6.0, 6.0, 21.0, 0.0, 12.0, 1.0, 8.0, 25.0, 7.0, 4.0, 9.0, 11.0, 17.0, 20.0, 35.0, 11.0, 12.0, 26.0, 3.0, 14.0, 27.0, 17.0, 25.0, 27.0], [f64::INFINITY, f64::INFINITY, f64::INFINITY, 0.3279038055530972, 0.3938526087761798, 0.21609196198170133], (1718.4917497079387, 1.377626075170847e-197, 299), (1940.2037069552593, 6.467080863528015e-238, 299)),
    ];

    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan())
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        same(a, b) || (a - b).abs() <= rel * a.abs().max(b.abs())
    }

    #[test]
    fn kl_and_js_equal_scipy_bit_for_bit() {
        let none = Smoothing::None;
        for (p, q, want, _, _) in SCIPY {
            let got = [
                kl_divergence(p, q, None, none).unwrap(),
                kl_divergence(p, q, Some(2.0), none).unwrap(),
                kl_divergence(q, p, Some(10.0), none).unwrap(),
                js_distance(p, q, None, none).unwrap(),
                js_distance(p, q, Some(2.0), none).unwrap(),
                js_distance(p, q, Some(10.0), none).unwrap(),
            ];
            for (k, (g, w)) in got.iter().zip(want).enumerate() {
                assert!(
                    same(*g, *w),
                    "case {p:?} {q:?} value {k}: {g:e} vs scipy {w:e}"
                );
            }
        }
    }

    #[test]
    fn chi2_and_g_equal_scipy() {
        for (p, q, _, chi, g) in SCIPY {
            let c = chi2_test(p, q).unwrap();
            assert!(
                same(c.statistic, chi.0),
                "{p:?} {q:?}: {} vs {}",
                c.statistic,
                chi.0
            );
            assert!(
                close(c.pvalue, chi.1, 4.0 * f64::EPSILON),
                "{} vs {}",
                c.pvalue,
                chi.1
            );
            assert_eq!(c.dof, chi.2);
            let t = g_test(p, q).unwrap();
            assert!(
                same(t.statistic, g.0),
                "{p:?} {q:?}: {} vs {}",
                t.statistic,
                g.0
            );
            assert!(
                close(t.pvalue, g.1, 4.0 * f64::EPSILON),
                "{} vs {}",
                t.pvalue,
                g.1
            );
            assert_eq!(t.dof, g.2);
            let sum: f64 = c.contributions.iter().sum();
            assert!(close(sum, c.statistic, 1e-12));
            assert_eq!(
                c.dropped,
                p.iter()
                    .zip(q.iter())
                    .filter(|(a, b)| **a + **b == 0.0)
                    .count()
            );
        }
    }

    #[test]
    fn contingency_edge_cases() {
        // One category: dof 0, statistic 0, p-value 1 (scipy's degenerate case).
        let t = chi2_test(&[100.0], &[250.0]).unwrap();
        assert_eq!((t.statistic, t.pvalue, t.dof), (0.0, 1.0, 0));
        // All-zero columns are dropped.
        let t = chi2_test(&[0.0, 5.0, 0.0, 5.0], &[0.0, 1.0, 0.0, 9.0]).unwrap();
        let u = chi2_test(&[5.0, 5.0], &[1.0, 9.0]).unwrap();
        assert_eq!(
            (t.statistic, t.pvalue, t.dof, t.dropped),
            (u.statistic, u.pvalue, 1, 2)
        );
        assert_eq!(t.expected[0], (0.0, 0.0));
        assert_eq!(t.expected[1], u.expected[0]);
        // A row that is all zero has zero expected counts: an error, as in scipy.
        assert!(chi2_test(&[0.0, 0.0], &[1.0, 2.0]).is_err());
        assert!(g_test(&[1.0, 2.0], &[1.0]).is_err());
        assert!(g_test(&[1.0, -2.0], &[1.0, 3.0]).is_err());
        assert!(chi2_test(&[1.0, f64::NAN], &[1.0, 3.0]).is_err());
        assert!(chi2_test(&[], &[]).is_err());
        // Identical rows: statistic 0, p-value 1.
        let t = g_test(&[3.0, 4.0, 5.0], &[3.0, 4.0, 5.0]).unwrap();
        assert_eq!((t.statistic, t.pvalue), (0.0, 1.0));
    }

    /// Straightforward evaluations of the definitions, for the measures scipy lacks.
    fn naive(p: &[f64], q: &[f64]) -> [f64; 5] {
        let sp: f64 = p.iter().sum();
        let sq: f64 = q.iter().sum();
        let p: Vec<f64> = p.iter().map(|x| x / sp).collect();
        let q: Vec<f64> = q.iter().map(|x| x / sq).collect();
        let z = p.iter().zip(&q);
        let psi: f64 = z
            .clone()
            .map(|(p, q)| if p == q { 0.0 } else { (q - p) * (q / p).ln() })
            .sum();
        let hel = (0.5
            * z.clone()
                .map(|(p, q)| (p.sqrt() - q.sqrt()).powi(2))
                .sum::<f64>())
        .sqrt();
        let tvd = 0.5 * z.clone().map(|(p, q)| (p - q).abs()).sum::<f64>();
        let linf = z.clone().map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
        let bc: f64 = z.map(|(p, q)| (p * q).sqrt()).sum();
        // -ln(bc) cancels near bc = 1: good to ~1e-16 absolute only.
        [psi, hel, tvd, linf, -bc.ln()]
    }

    #[test]
    fn other_measures_follow_their_definitions() {
        let none = Smoothing::None;
        for (p, q, _, _, _) in SCIPY {
            let want = naive(p, q);
            let got = [
                psi(p, q, none).unwrap(),
                hellinger(p, q, none).unwrap(),
                tvd(p, q, none).unwrap(),
                linf(p, q, none).unwrap(),
                bhattacharyya(p, q, none).unwrap(),
            ];
            for (k, (g, w)) in got.iter().zip(want).enumerate() {
                let tol = if k == 4 { 1e-15 } else { 1e-13 * w.abs() };
                assert!(
                    same(*g, w) || (g - w).abs() <= tol,
                    "{p:?} {q:?} measure {k}: {g} vs {w}"
                );
            }
            let js = js_distance(p, q, Some(2.0), none).unwrap();
            assert_eq!(js_divergence(p, q, Some(2.0), none).unwrap(), js * js);
        }
    }

    #[test]
    fn identical_inputs_give_exactly_zero() {
        for (p, _, _, _, _) in SCIPY {
            let scaled: Vec<f64> = p.iter().map(|x| x * 3.0).collect();
            for m in Measure::ALL {
                for s in [Smoothing::None, Smoothing::default()] {
                    assert_eq!(
                        divergence(m, p, p, Some(2.0), s).unwrap(),
                        0.0,
                        "{m:?} {p:?}"
                    );
                    let v = divergence(m, p, &scaled, None, s).unwrap();
                    assert!(v.abs() < 1e-15, "{m:?} {p:?} vs 3p: {v}");
                }
            }
        }
    }

    #[test]
    fn symmetry_and_bounds() {
        let cases: Vec<(Vec<f64>, Vec<f64>)> = SCIPY
            .iter()
            .map(|(p, q, ..)| (p.to_vec(), q.to_vec()))
            .chain([
                (vec![1.0, 0.0, 0.0], vec![0.0, 0.0, 1.0]),
                (vec![1e-300, 1.0], vec![1.0, 1e-300]),
                (vec![1e300, 1.0], vec![1.0, 1e300]),
            ])
            .collect();
        for (p, q) in &cases {
            for m in Measure::ALL {
                for s in [
                    Smoothing::None,
                    Smoothing::default(),
                    Smoothing::Epsilon(0.3),
                ] {
                    let a = divergence(m, p, q, Some(2.0), s).unwrap();
                    let b = divergence(m, q, p, Some(2.0), s).unwrap();
                    assert!(a >= 0.0, "{m:?} {p:?} {q:?}: {a}");
                    if m.is_symmetric() {
                        assert!(close(a, b, 1e-14), "{m:?} not symmetric: {a} vs {b}");
                    }
                    if m.is_bounded() || matches!(m, Measure::JsDistance | Measure::JsDivergence) {
                        assert!(a <= 1.0 + 4.0 * f64::EPSILON, "{m:?} {p:?} {q:?}: {a}");
                    }
                    if s != Smoothing::None {
                        assert!(a.is_finite(), "{m:?} {p:?} {q:?} {s:?}: {a}");
                    }
                }
            }
        }
        // Disjoint supports: the bounded measures reach 1.
        let (p, q) = ([1.0, 0.0], [0.0, 1.0]);
        let none = Smoothing::None;
        assert_eq!(hellinger(&p, &q, none).unwrap(), 1.0);
        assert_eq!(tvd(&p, &q, none).unwrap(), 1.0);
        assert_eq!(linf(&p, &q, none).unwrap(), 1.0);
        assert!((js_distance(&p, &q, Some(2.0), none).unwrap() - 1.0).abs() < 1e-15);
        assert_eq!(bhattacharyya(&p, &q, none).unwrap(), f64::INFINITY);
        assert_eq!(psi(&p, &q, none).unwrap(), f64::INFINITY);
    }

    #[test]
    fn smoothing_touches_one_sided_empty_bins_only() {
        // No bin empty on one side only: smoothing changes nothing, bit for bit.
        let p = [0.0, 10.0, 0.0, 3.0];
        let q = [0.0, 7.0, 0.0, 5.0];
        for m in Measure::ALL {
            assert_eq!(
                divergence(m, &p, &q, None, Smoothing::None).unwrap(),
                divergence(m, &p, &q, None, Smoothing::default()).unwrap(),
                "{m:?}"
            );
        }
        // A one-sided empty bin: eps on that side, renormalized.
        let (sp, sq) =
            proportions(&[5.0, 0.0, 5.0], &[4.0, 3.0, 3.0], Smoothing::Epsilon(0.1)).unwrap();
        let t = 1.1;
        assert!(
            close(sp[0], 0.5 / t, 1e-15)
                && close(sp[1], 0.1 / t, 1e-15)
                && close(sp[2], 0.5 / t, 1e-15)
        );
        assert_eq!(sq, vec![0.4, 0.3, 0.3]);
        // PSI with epsilon smoothing by hand.
        let v = psi(&[5.0, 0.0, 5.0], &[4.0, 3.0, 3.0], Smoothing::Epsilon(0.1)).unwrap();
        let want: f64 = sp
            .iter()
            .zip(&sq)
            .map(|(p, q)| (q - p) * (q / p).ln())
            .sum();
        assert!(close(v, want, 1e-14));
        assert!(psi(&[5.0, 0.0, 5.0], &[4.0, 3.0, 3.0], Smoothing::None)
            .unwrap()
            .is_infinite());
    }

    #[test]
    fn terms_add_up() {
        for (p, q, _, _, _) in SCIPY {
            for m in Measure::ALL {
                let s = m.default_smoothing();
                let t = terms(m, p, q, Some(2.0), s).unwrap();
                assert_eq!(t.len(), p.len());
                let v = divergence(m, p, q, Some(2.0), s).unwrap();
                let sum: f64 = t.iter().sum();
                let from = match m {
                    Measure::JsDistance | Measure::Hellinger => sum.sqrt(),
                    Measure::Linf => t.iter().copied().fold(0.0, f64::max),
                    Measure::Bhattacharyya => -sum.ln(),
                    _ => sum,
                };
                assert!(
                    close(v, from, 1e-12) || (v - from).abs() < 1e-15,
                    "{m:?} {p:?}: {v} vs {from}"
                );
            }
        }
    }

    #[test]
    fn invalid_input_is_rejected_with_a_message() {
        let none = Smoothing::None;
        let e = psi(&[1.0, 2.0], &[1.0], none).unwrap_err();
        assert!(e.to_string().contains("different lengths"), "{e}");
        assert!(psi(&[0.0, 0.0], &[1.0, 1.0], none)
            .unwrap_err()
            .to_string()
            .contains("all zero"));
        assert!(psi(&[], &[], none).is_err());
        assert!(psi(&[1.0, -1.0], &[1.0, 1.0], none)
            .unwrap_err()
            .to_string()
            .contains("p_counts[1]"));
        assert!(tvd(&[1.0, f64::NAN], &[1.0, 1.0], none).is_err());
        assert!(tvd(&[1.0, f64::INFINITY], &[1.0, 1.0], none).is_err());
        assert!(tvd(&[f64::MAX, f64::MAX], &[1.0, 1.0], none).is_err());
        assert!(kl_divergence(&[1.0], &[1.0], Some(1.0), none).is_err());
        assert!(kl_divergence(&[1.0], &[1.0], Some(-2.0), none).is_err());
        assert!(js_distance(&[1.0], &[1.0], Some(f64::NAN), none).is_err());
        assert!(psi(&[1.0], &[1.0], Smoothing::Epsilon(0.0)).is_err());
        assert!(psi(&[1.0], &[1.0], Smoothing::Epsilon(1.0)).is_err());
        assert!(Measure::parse("nope").is_err());
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.name()).unwrap(), m);
        }
    }
}
