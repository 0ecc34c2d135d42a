//! A two-sample KS test from two KLL sketches, with an honest error bound.
//!
//! Each sketch answers `F(x)` within its normalized rank error `ε` (DataSketches' single-sided
//! bound at 99% confidence; zero while a sketch is still exact). Both sketch CDFs are step
//! functions that change only at retained items, so the largest gap between them is found by
//! one merge walk over the union of the retained items. With `D̂` that gap and `D` the exact
//! statistic of the full samples, `|D̂ - D| <= ε_a + ε_b` wherever both rank errors hold, so
//! the result reports `D̂`, the `error_bound` `ε_a + ε_b`, the interval it gives for `D`, and
//! the asymptotic two-sided p-value (`kstwo.sf(d, round(n_a n_b / (n_a + n_b)))`, as
//! `scipy.stats.ks_2samp(method="asymp")`) at `D̂` and at both ends of that interval — never a
//! bare accept/reject.

use crate::error::{Error, Result};
use crate::sketch::kll::Kll;
use crate::twosample::ks::{asymp_pvalue, Alternative};

/// What [`ks_sketch`] reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KsSketchResult {
    /// The largest gap between the two sketches' CDFs.
    pub statistic: f64,
    /// The bound on `|statistic - D|`, `D` the exact two-sample statistic.
    pub error_bound: f64,
    /// `max(statistic - error_bound, 0)` and `min(statistic + error_bound, 1)`.
    pub statistic_low: f64,
    pub statistic_high: f64,
    /// The asymptotic p-value at `statistic`.
    pub pvalue: f64,
    /// The p-values at `statistic_high` and `statistic_low`: the interval for the p-value.
    pub pvalue_low: f64,
    pub pvalue_high: f64,
    /// A retained item where the gap is largest, and +1 when the first sketch's CDF is the
    /// higher one there (-1 otherwise).
    pub statistic_location: f64,
    pub statistic_sign: i8,
    pub n1: u64,
    pub n2: u64,
    /// True when both sketches still hold every value: then `statistic` is the exact KS
    /// statistic and `error_bound` is 0.
    pub exact: bool,
}

fn error_of(s: &Kll) -> f64 {
    if s.is_estimation_mode() {
        s.normalized_rank_error(false)
    } else {
        0.0
    }
}

/// The two-sample KS statistic of the data summarized by `a` and `b`, with its error bound and
/// p-value interval. See the module documentation.
pub fn ks_sketch(a: &Kll, b: &Kll) -> Result<KsSketchResult> {
    if a.is_empty() || b.is_empty() {
        return Err(Error::EmptySample(
            "ks_sketch needs two non-empty sketches".into(),
        ));
    }
    let (va, vb) = (a.sorted_view()?, b.sorted_view()?);
    let (xa, wa) = (va.items(), va.cumulative_weights());
    let (xb, wb) = (vb.items(), vb.cumulative_weights());
    let (na, nb) = (a.n() as f64, b.n() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut best, mut location, mut sign) = (-1.0f64, f64::NAN, 1i8);
    while i < xa.len() || j < xb.len() {
        let v = match (xa.get(i), xb.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        while i < xa.len() && xa[i] <= v {
            i += 1;
        }
        while j < xb.len() && xb[j] <= v {
            j += 1;
        }
        let fa = if i == 0 { 0.0 } else { wa[i - 1] as f64 / na };
        let fb = if j == 0 { 0.0 } else { wb[j - 1] as f64 / nb };
        let gap = (fa - fb).abs();
        if gap > best {
            (best, location, sign) = (gap, v, if fa > fb { 1 } else { -1 });
        }
    }
    let statistic = best.max(0.0);
    let error_bound = error_of(a) + error_of(b);
    let (low, high) = (
        (statistic - error_bound).max(0.0),
        (statistic + error_bound).min(1.0),
    );
    let (n1, n2) = (a.n(), b.n());
    let p =
        |d: f64| asymp_pvalue(d, n1 as usize, n2 as usize, Alternative::TwoSided).clamp(0.0, 1.0);
    Ok(KsSketchResult {
        statistic,
        error_bound,
        statistic_low: low,
        statistic_high: high,
        pvalue: p(statistic),
        pvalue_low: p(high),
        pvalue_high: p(low),
        statistic_location: location,
        statistic_sign: sign,
        n1,
        n2,
        exact: error_bound == 0.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::column::{Chunk, Values};
    use crate::numeric::sort::tests::Rng;
    use crate::twosample::ks::{ks_2samp_sorted, KsMethod};

    fn sketch(v: &[f64], seed: u64) -> Kll {
        let mut s = Kll::with_seed(200, seed).unwrap();
        s.update_chunks(&[Chunk::new(Values::F64(v), None)]);
        s
    }

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut w = v.to_vec();
        w.sort_by(f64::total_cmp);
        w
    }

    #[test]
    fn exact_while_the_sketches_hold_everything() {
        let a = [1.0, 2.0, 2.0, 5.0, 7.0];
        let b = [2.0, 3.0, 4.0];
        let r = ks_sketch(&sketch(&a, 1), &sketch(&b, 2)).unwrap();
        let want = ks_2samp_sorted(&a, &b, Alternative::TwoSided, KsMethod::Asymp).unwrap();
        assert!(r.exact && r.error_bound == 0.0);
        assert_eq!(r.statistic, want.statistic);
        assert_eq!(r.pvalue, want.pvalue);
        // F2 - F1 is largest (0.4) at 4: one maximum, so the location is scipy's too
        assert_eq!((r.statistic_location, r.statistic_sign), (4.0, -1));
        assert_eq!(
            (r.statistic_location, r.statistic_sign),
            (want.statistic_location, want.statistic_sign)
        );
    }

    #[test]
    fn exact_statistic_lies_within_the_bound() {
        let mut rng = Rng::new(17);
        for trial in 0..12u64 {
            let shift = [0.0, 0.01, 0.05, 0.3][trial as usize % 4];
            let n = 20_000 + 7_000 * trial as usize;
            let a: Vec<f64> = (0..n).map(|_| rng.normalish()).collect();
            let b: Vec<f64> = (0..n / 2).map(|_| shift + rng.normalish()).collect();
            let r = ks_sketch(&sketch(&a, trial), &sketch(&b, trial + 100)).unwrap();
            let d = ks_2samp_sorted(
                &sorted(&a),
                &sorted(&b),
                Alternative::TwoSided,
                KsMethod::Asymp,
            )
            .unwrap()
            .statistic;
            assert!(!r.exact && r.error_bound > 0.0);
            assert!(
                r.statistic_low <= d && d <= r.statistic_high,
                "{trial}: {d} vs {r:?}"
            );
            assert!(r.pvalue_low <= r.pvalue && r.pvalue <= r.pvalue_high);
        }
    }

    #[test]
    fn empty_sketches_are_an_error() {
        let e = ks_sketch(&Kll::new(), &sketch(&[1.0], 1)).unwrap_err();
        assert!(e.to_string().contains("non-empty"), "{e}");
    }
}
