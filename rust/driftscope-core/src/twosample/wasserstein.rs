//! Wasserstein-1 and energy distances between two sorted samples, as scipy computes them.
//!
//! `scipy.stats.wasserstein_distance` and `energy_distance` (unweighted) integrate the
//! difference of the two empirical CDFs over the pooled sorted values (`_cdf_distance`):
//! `W1 = Σ |F1 - F2| Δx` and `E = √2 · √(Σ (F1 - F2)² Δx)`, with `F` evaluated by
//! `searchsorted(..., 'right')` at each pooled value and `Δx` the gap to the next one. One
//! merge walk computes both; terms are the same floating-point expressions as scipy's and
//! the sum is compensated (Neumaier), so the result is within an ulp or two of the exact sum
//! of those terms (scipy's own dot product is at least that far from it).
//!
//! Infinities follow IEEE arithmetic exactly as in scipy: a gap to or from `±inf` is `inf`
//! (times a zero CDF difference: NaN), and a repeated infinite value makes an `inf - inf`
//! gap, NaN. So `wasserstein_distance([1, inf], [2])` is `inf` and
//! `wasserstein_distance([1, inf], [2, inf])` is NaN, as in scipy.

use crate::error::Result;
use crate::twosample::ks::{check_nonempty, merge_parts};
use rayon::prelude::*;

/// Both CDF distances of one walk.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CdfDistances {
    /// `scipy.stats.wasserstein_distance(a, b)`.
    pub wasserstein: f64,
    /// `scipy.stats.energy_distance(a, b)`.
    pub energy: f64,
    pub n1: usize,
    pub n2: usize,
}

/// A non-negative sum, compensated while finite and IEEE-exact in its non-finite outcome.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Accumulator {
    sum: f64,
    comp: f64,
    /// NaN or inf once a non-finite term was added.
    special: Option<f64>,
}

impl Accumulator {
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special = Some(self.special.map_or(x, |s| s + x));
            return;
        }
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    /// Adds another accumulator's total (its compensation term included).
    pub(crate) fn merge(&mut self, other: &Accumulator) {
        if let Some(sp) = other.special {
            self.add(sp);
        }
        self.add(other.sum);
        self.add(other.comp);
    }

    pub(crate) fn value(&self) -> f64 {
        match self.special {
            Some(s) => s + self.sum,
            None => self.sum + self.comp,
        }
    }
}

/// The integrals `Σ |F1-F2| Δx` and `Σ (F1-F2)² Δx` over the pooled values of two ascending
/// samples (NaN-free), by one merge walk — split at values of `a` into parts integrated on all
/// cores when the samples are long (a run of equal values never straddles two parts).
pub(crate) fn cdf_integrals(a: &[f64], b: &[f64]) -> (f64, f64) {
    let bounds = merge_parts(a, b);
    let sums: Vec<(Accumulator, Accumulator)> = bounds
        .par_windows(2)
        .map(|w| integrate(a, b, w[0], w[1]))
        .collect();
    let (mut l1, mut l2) = (Accumulator::default(), Accumulator::default());
    for (p1, p2) in &sums {
        l1.merge(p1);
        l2.merge(p2);
    }
    (l1.value(), l2.value())
}

/// The integrals over the gaps that start at the pooled values `a[start.0..end.0]` and
/// `b[start.1..end.1]`.
fn integrate(
    a: &[f64],
    b: &[f64],
    start: (usize, usize),
    end: (usize, usize),
) -> (Accumulator, Accumulator) {
    let (n1, n2) = (a.len(), b.len());
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let mut l1 = Accumulator::default();
    let mut l2 = Accumulator::default();
    let (mut i, mut j) = start;
    let (e1, e2) = end;
    while i < e1 || j < e2 {
        let from_a = j >= e2 || (i < e1 && a[i] <= b[j]);
        let v = if from_a { a[i] } else { b[j] };
        let (i0, j0) = (i, j);
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
        let diff = i as f64 / n1f - j as f64 / n2f;
        let ad = diff.abs();
        let sq = diff * diff;
        // A repeated value contributes zero-width gaps: 0 when finite, inf - inf = NaN if not.
        if (i - i0) + (j - j0) > 1 && v.is_infinite() {
            l1.add(ad * f64::NAN);
            l2.add(sq * f64::NAN);
        }
        // The gap to the next pooled value, which may lie in the next part.
        if i < n1 || j < n2 {
            let w = if j >= n2 || (i < n1 && a[i] <= b[j]) {
                a[i]
            } else {
                b[j]
            };
            let delta = w - v;
            l1.add(ad * delta);
            l2.add(sq * delta);
        }
    }
    (l1, l2)
}

/// `scipy.stats.wasserstein_distance(a, b)` and `energy_distance(a, b)` of two ascending
/// samples (NaN-free, e.g. from [`crate::numeric::sort::SortedSample`]).
pub fn cdf_distances_sorted(a: &[f64], b: &[f64]) -> Result<CdfDistances> {
    check_nonempty(a.len(), b.len(), "wasserstein_distance/energy_distance")?;
    let (l1, l2) = cdf_integrals(a, b);
    Ok(CdfDistances {
        wasserstein: l1,
        energy: energy_from_l2(l2),
        n1: a.len(),
        n2: b.len(),
    })
}

/// `np.sqrt(2) * np.sqrt(l2)`.
pub(crate) fn energy_from_l2(l2: f64) -> f64 {
    std::f64::consts::SQRT_2 * l2.sqrt()
}

/// `scipy.stats.wasserstein_distance(a, b)` of two ascending samples.
pub fn wasserstein_distance_sorted(a: &[f64], b: &[f64]) -> Result<f64> {
    Ok(cdf_distances_sorted(a, b)?.wasserstein)
}

/// `scipy.stats.energy_distance(a, b)` of two ascending samples.
pub fn energy_distance_sorted(a: &[f64], b: &[f64]) -> Result<f64> {
    Ok(cdf_distances_sorted(a, b)?.energy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_integrals_equal_one_walk() {
        let mut state = 11u64;
        let mut draw = |n: usize, round: f64| -> Vec<f64> {
            let grid = crate::twosample::ks::sorted_grid_sample(&mut state, n, round);
            grid.into_iter().map(|x| x / round).collect()
        };
        for (n1, n2, round) in [
            (200_000, 150_000, 7.0),
            (300_000, 1_000, 1e6),
            (5, 400_000, 3.0),
        ] {
            let a = draw(n1, round);
            let b = draw(n2, round);
            let (p1, p2) = cdf_integrals(&a, &b);
            let (o1, o2) = integrate(&a, &b, (0, 0), (n1, n2));
            let rel = |x: f64, y: f64| (x - y).abs() <= 1e-14 * x.abs().max(y.abs());
            assert!(
                rel(p1, o1.value()) && rel(p2, o2.value()),
                "{p1} {} {p2} {}",
                o1.value(),
                o2.value()
            );
        }
    }
    use crate::error::Error;

    fn dist(a: &[f64], b: &[f64]) -> CdfDistances {
        let mut a = a.to_vec();
        let mut b = b.to_vec();
        crate::numeric::sort::sort_f64_pair(&mut a, &mut b);
        cdf_distances_sorted(&a, &b).unwrap()
    }

    fn rel(got: f64, want: f64) -> f64 {
        if got == want {
            0.0
        } else {
            (got - want).abs() / want.abs()
        }
    }

    #[test]
    #[allow(clippy::approx_constant)] // values printed by scipy
    fn matches_scipy_on_small_cases() {
        // (a, b, wasserstein_distance, energy_distance) printed by scipy 1.17.1.
        let cases: &[(&[f64], &[f64], f64, f64)] = &[
            (&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0], 5.0, 2.7080128015453204),
            (&[1.0], &[1.0], 0.0, 0.0),
            (&[1.0], &[2.0], 1.0, 1.4142135623730951),
            (
                &[0.0, 1.0, 1.0, 2.0, 5.0],
                &[1.0, 1.0, 3.0],
                0.8,
                0.5333333333333333,
            ),
            (&[3.4, 3.9, 7.5, 7.8], &[4.5, 1.4], 2.7, 1.61245154965971),
            (&[-0.0, 1.0], &[0.0, 2.0], 0.5, 0.7071067811865476),
        ];
        for (a, b, w, e) in cases {
            let d = dist(a, b);
            assert!(rel(d.wasserstein, *w) <= 1e-15, "{a:?} {b:?}: {d:?} vs {w}");
            assert!(rel(d.energy, *e) <= 1e-15, "{a:?} {b:?}: {d:?} vs {e}");
        }
    }

    #[test]
    fn infinities_as_scipy() {
        let inf = f64::INFINITY;
        assert_eq!(dist(&[1.0, inf], &[2.0]).wasserstein, inf);
        assert!(dist(&[1.0, inf], &[2.0, inf]).wasserstein.is_nan());
        assert_eq!(dist(&[1.0, inf], &[2.0]).energy, inf);
        assert!(dist(&[-inf, 1.0], &[-inf, 2.0]).wasserstein.is_nan());
        assert_eq!(dist(&[-inf, 1.0], &[2.0]).wasserstein, inf);
        // A gap to inf where the CDFs agree: inf * 0 = NaN.
        assert!(dist(&[1.0, inf], &[1.0, 5.0, 6.0, inf, inf])
            .wasserstein
            .is_nan());
    }

    #[test]
    fn empty_is_an_error() {
        let e = wasserstein_distance_sorted(&[], &[1.0]).unwrap_err();
        assert!(matches!(e, Error::EmptySample(_)));
        assert!(energy_distance_sorted(&[1.0], &[]).is_err());
    }

    #[test]
    fn compensated_sum_is_accurate() {
        let mut acc = Accumulator::default();
        acc.add(1e16);
        for _ in 0..1000 {
            acc.add(1.0);
        }
        assert_eq!(acc.value(), 1e16 + 1000.0);
    }
}
