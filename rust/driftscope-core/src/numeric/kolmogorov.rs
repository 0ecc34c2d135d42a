//! Distributions of the one-sample Kolmogorov–Smirnov statistic, as scipy computes them.
//!
//! * [`smirnov`]: `P(D+_n >= x)`, the one-sided statistic (`scipy.special.smirnov`, i.e.
//!   `xsf::cephes::smirnov`): the Smirnov (1944) / Birnbaum–Tingey (1951) sum evaluated in
//!   double-double as van Mulbregt (2018, arXiv:1802.06966) describes.
//! * [`kolmogn`]: `P(D_n <= x)` or `P(D_n >= x)`, the two-sided statistic for finite `n`
//!   (`scipy.stats._ksstats._kolmogn`, which `scipy.stats.kstwo` uses): the algorithm choice of
//!   Simard & L'Ecuyer (2011) between the Durbin matrix (Marsaglia–Tsang–Wang 2003), the
//!   Pomeranz (1974) recursion, the Pelz–Good (1976) expansion and `2·smirnov`.
//! * [`kstwo_sf`]: `scipy.stats.kstwo.sf(x, n)`, support handling included.

#![allow(clippy::excessive_precision)] // constants kept as published

use crate::numeric::cephes::{expm1, MINLOG};
use crate::numeric::dd::{ldexp, Dd};
use crate::numeric::npcompat::pairwise_sum;
use std::f64::consts::{LN_2, PI};

// ---------------------------------------------------------------------------------------
// Smirnov (one-sided), after xsf/cephes/kolmogorov.h
// ---------------------------------------------------------------------------------------

/// n above which the Smirnov sum is replaced by its asymptotic form.
const SMIRNOV_MAX_COMPUTE_N: i64 = 1_000_000;
const SM_UPPER_MAX_TERMS: i64 = 3;
const SM_UPPERSUM_MIN_N: i64 = 10;
/// Keeps both halves of a double-double normal while powering.
const SM_MAX_EXPONENT: i32 = 960;

/// The smallest power of two not below `x` (for the positive `x` used here).
fn next_power_of_2(x: f64) -> f64 {
    let q = ldexp(x, 1 - 53);
    let mut l = (q + x).abs();
    if l == 0.0 {
        l = x.abs();
    } else {
        let lint = l as i32;
        if f64::from(lint) == l {
            l = f64::from(lint);
        }
    }
    l
}

/// The fractional part and the floor of `n·x`, exactly (via double-double).
fn mod_nx(n: i64, x: f64) -> (f64, i64) {
    let nxd = Dd::new(x).rmul_f(n as f64);
    let nxfloor_d = nxd.floor();
    let alpha_d = nxd - nxfloor_d;
    let mut alpha = alpha_d.hi;
    let mut nxfloor = nxfloor_d.hi as i64;
    if alpha == 1.0 {
        nxfloor += 1;
        alpha = 0.0;
    }
    (alpha, nxfloor)
}

/// `C(n, j+1)` from `C(n, j)`, kept as a double-double mantissa and a binary exponent.
fn update_binomial(cman: &mut Dd, cexpt: &mut i64, n: i64, j: i64) {
    let rat = Dd::new((n - j) as f64) / Dd::new(j as f64 + 1.0);
    let man2 = *cman * rat;
    let (man2, expt) = man2.frexp();
    *cexpt += i64::from(expt);
    *cman = man2;
}

/// `a^m` for a double-double `a`: `pow` on the high part, corrected for the low part.
fn pow_d(a: Dd, m: i64) -> Dd {
    if m <= 0 {
        if m == 0 {
            return Dd::ONE;
        }
        return Dd::ONE / pow_d(a, -m);
    }
    if a.hi == 0.0 && a.lo == 0.0 {
        return Dd::ZERO;
    }
    let ans = a.hi.powf(m as f64);
    let r = a.lo / a.hi;
    let mut adj = m as f64 * r;
    if adj.abs() > 1e-8 {
        if adj.abs() < 1e-4 {
            // The first two terms of the Taylor series of (1 + r)^m.
            adj += (m as f64 * r) * ((m - 1) as f64 / 2.0 * r);
        } else {
            adj = expm1(m as f64 * r.ln_1p());
        }
    }
    // QD: double_double(ans) + ans * adj, the product in plain double precision.
    Dd::new(ans).add_f(ans * adj)
}

/// `pow2(a, b, m) = (a + b)^m` rounded to a double.
fn pow2(a: f64, b: f64, m: i64) -> f64 {
    pow_d(Dd::new(a).add_f(b), m).hi
}

/// `a^m = significand · 2^exponent`, splitting the power so nothing under- or overflows.
fn pow2_scaled_d(a: Dd, m: i64) -> (Dd, i64) {
    if m <= 0 {
        if m == 0 {
            return (Dd::ONE, 0);
        }
        let (ans, ae1) = pow2_scaled_d(a, -m);
        let (ans, ae2) = (Dd::ONE / ans).frexp();
        return (ans, -ae1 + i64::from(ae2));
    }
    let (y, ye) = a.frexp();
    let ye = i64::from(ye);
    if m == 1 {
        return (y, ye);
    }
    let mut max_expt = i64::from(SM_MAX_EXPONENT);
    if m as f64 * (y.hi - 1.0) / y.hi < -f64::from(SM_MAX_EXPONENT) * LN_2 {
        let lg2y = y.hi.ln() / LN_2;
        let lg_ans = m as f64 * lg2y;
        if lg_ans <= -f64::from(SM_MAX_EXPONENT) {
            max_expt = (next_power_of_2(-f64::from(SM_MAX_EXPONENT) / lg2y + 1.0) / 2.0) as i64;
        }
    }
    if m <= max_expt {
        let ans1 = pow_d(y, m);
        let (ans, anse) = ans1.frexp();
        return (ans, i64::from(anse) + m * ye);
    }
    let q = m / max_expt;
    let r = m % max_expt;
    let (y2r, y2re) = pow2_scaled_d(y, r);
    let (y2m, y2me) = pow2_scaled_d(y, max_expt);
    let (y2mq, y2mqe) = pow2_scaled_d(y2m, q);
    let (ans, anse) = (y2r * y2mq).frexp();
    let y2mqe = y2mqe + y2me * q;
    (ans, i64::from(anse) + y2mqe + y2re + m * ye)
}

/// `((a + b) / (c + d))^m` in double-double.
fn pow4_d(a: f64, b: f64, c: f64, d: f64, m: i64) -> Dd {
    if m <= 0 {
        if m == 0 {
            return Dd::ONE;
        }
        return pow4_d(c, d, a, b, -m);
    }
    let aa = Dd::new(a).add_f(b);
    let cc = Dd::new(c).add_f(d);
    if aa.hi == 0.0 && aa.lo == 0.0 {
        return if cc.hi == 0.0 && cc.lo == 0.0 {
            Dd::new(f64::NAN)
        } else {
            Dd::ZERO
        };
    }
    if cc.hi == 0.0 && cc.lo == 0.0 {
        let inf = if aa.hi < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        return Dd { hi: inf, lo: inf };
    }
    pow_d(aa / cc, m)
}

/// `ldexp` of a double-double by a (possibly large) exponent.
fn dd_ldexp(a: Dd, e: i64) -> Dd {
    let e = e.clamp(-100_000, 100_000) as i32;
    a.ldexp(e)
}

/// One term `C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1)` of the Smirnov sum.
fn compute_av(n: i64, x: f64, v: i64, cman: Dd, cexpt: i64) -> Dd {
    let t2x = (Dd::new((n - v) as f64) / Dd::new(n as f64)).sub_f(x);
    let (t2, t2e) = pow2_scaled_d(t2x, n - v);
    let t1x = (Dd::new(v as f64) / Dd::new(n as f64)).add_f(x);
    let (t1, t1e) = pow2_scaled_d(t1x, v - 1);
    let ans = t1 * t2;
    let ans = ans * cman;
    dd_ldexp(ans, cexpt + t1e + t2e)
}

/// Terms of the lower Smirnov sum above which [`lower_sum_incremental`] replaces the
/// term-by-term double-double evaluation: below, the sum is scipy's to the last bit; above,
/// ~1 µs a term (two double-double powers each) would cost a second at `n` = 1M.
const SM_INCREMENTAL_MIN_TERMS: i64 = 2_000;

/// `ln(1 + y + dy)` for a small `y` and a much smaller `dy`, as a double-double whose high
/// part is `y` itself: the rounding of `ln(1 + y)` to a double, which varies slowly from one
/// step of a long sum to the next and would add up, is kept.
#[inline(always)]
fn ln1p_split(y: f64, dy: f64) -> Dd {
    if y.abs() < 1e-4 {
        let y2 = y * y;
        let rest = -y2 * (0.5 - y * (1.0 / 3.0 - y * (0.25 - y * 0.2)));
        Dd::new(y).add_f(rest + dy * (1.0 - y))
    } else {
        Dd::new(y.ln_1p()).add_f(dy / (1.0 + y))
    }
}

/// `x · Σ_{v < n_terms} C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1)`, the lower Smirnov sum
/// (the `v = 0` term is `(1 - x)^n / x`), for many terms.
///
/// Each term's logarithm `L_v = ln C(n,v) + (n-v)·ln(1-t_v) + (v-1)·ln(t_v)`, `t_v = x + v/n`,
/// follows from the previous one's:
/// `L_{v+1} - L_v = ln((n-v)·t_v / ((v+1)·(1-t_v))) + (n-v-1)·ln(1 - h/(1-t_v))
/// + v·ln(1 + h/t_v)`, `h = 1/n`. The logarithms multiplied by large counts are of
/// `1 ± (tiny)`, evaluated to double-double accuracy by their series, and the first is of a
/// double-double ratio computed afresh at every step; `L` is carried in double-double. So the
/// errors are those of one rounded logarithm per step, random, and a term's relative error
/// stays far below 1e-12 (a direct `(n-v)·ln(1-t_v)` would multiply `ln`'s half-ulp error
/// by up to a million, and a running `ln` would add its first rounding at every step). The
/// start, `n·ln(1-x)`, comes from the double-double power. A term costs two logarithms (one
/// for tiny arguments is a short series) and one `exp`.
fn lower_sum_incremental(n: i64, x: f64, n_terms: i64) -> f64 {
    let nf = n as f64;
    let h = Dd::new(1.0) / Dd::new(nf);
    // 1/n and the relative size of its rounding.
    let (hf, hr) = (h.hi, h.lo / h.hi);
    // ln((1-x)^n) exactly enough: the double-double power as mantissa · 2^e.
    let (mant, e) = pow2_scaled_d(Dd::new(1.0).sub_f(x), n);
    let ln2 = Dd {
        hi: LN_2,
        lo: 2.319_046_813_846_299_6e-17,
    };
    let ln_pow = ln2.mul_f(e as f64).add_f(mant.hi.ln() + mant.lo / mant.hi);
    let lx = x.ln();
    let mut t = Dd::new(x); // t_v
    let mut u = Dd::new(1.0).sub_f(x); // 1 - t_v
                                       // L_0 = n·ln(1-x) - ln x.
    let mut l = ln_pow.sub_f(lx);
    // The sum, scaled by exp(-m) (m: the largest L so far).
    let mut m = l.hi + l.lo;
    let mut sum = Dd::ZERO;
    let mut peaked = false;
    let mut prev = f64::NEG_INFINITY;
    for v in 0..n_terms {
        let lv = l.hi + l.lo;
        if lv > m {
            sum = sum.mul_f((m - lv).exp());
            m = lv;
        }
        let term = (l.hi - m).exp() * (1.0 + l.lo);
        sum = sum.add_f(term);
        if lv < prev {
            peaked = true;
        }
        prev = lv;
        // Past the peak, stop once the remaining terms cannot change the sum.
        if peaked && 4.0 * (n_terms - v) as f64 * term < f64::EPSILON * sum.hi {
            break;
        }
        if v + 1 == n_terms {
            break;
        }
        let vf = v as f64;
        // The arguments in double-double: 1/n's own rounding, the same at every step, would
        // otherwise add up over the steps.
        // Plain doubles, corrected for the low parts of h, t and u: those are the same or
        // drift slowly from step to step, so their rounding would add up; what is left is one
        // rounding per operation, random from step to step.
        let (th, tl, uh, ul) = (t.hi, t.lo, u.hi, u.lo);
        let y1 = -hf / uh;
        let g1 = ln1p_split(y1, y1 * (hr - ul / uh));
        let y2 = hf / th;
        let g2 = ln1p_split(y2, y2 * (hr - tl / th));
        // ln((n-v)·t_v / ((v+1)·(1-t_v))): near 1 around the peak; computed afresh each step.
        let lq = (((nf - vf) * th) / ((vf + 1.0) * uh)).ln() + (tl / th - ul / uh);
        let step = (g1.mul_f(nf - vf - 1.0) + g2.mul_f(vf)).add_f(lq);
        l = l + step;
        t = t + h;
        u = u - h;
    }
    // x · sum · e^m, without overflow on the way (the result is a probability).
    let log_prob = x.ln() + (sum.hi + sum.lo).ln() + m;
    if log_prob < MINLOG {
        0.0
    } else {
        log_prob.exp()
    }
}

/// `P(D+_n >= x)`, scipy's `smirnov(n, x)`.
pub fn smirnov(n: i64, x: f64) -> f64 {
    smirnov_with(n, x, SM_INCREMENTAL_MIN_TERMS)
}

/// [`smirnov`] with the lower sum evaluated incrementally from `incremental_from` terms.
fn smirnov_with(n: i64, x: f64, incremental_from: i64) -> f64 {
    if x.is_nan() || !(n > 0 && (0.0..=1.0).contains(&x)) {
        return f64::NAN;
    }
    if n == 1 {
        return 1.0 - x;
    }
    if x == 0.0 {
        return 1.0;
    }
    if x == 1.0 {
        return 0.0;
    }
    let (alpha, nxfl) = mod_nx(n, x);
    let mut n1mxfl = n - nxfl - if alpha == 0.0 { 0 } else { 1 };
    let mut n1mxceil = n - nxfl;
    if alpha == 0.0 {
        n1mxfl -= 1;
        n1mxceil += 1;
    }
    // x <= 1/n
    if nxfl == 0 || (nxfl == 1 && alpha == 0.0) {
        let t = pow2(1.0, x, n - 1);
        let cdf = x * t;
        return (1.0 - cdf).clamp(0.0, 1.0);
    }
    // The sf underflows.
    if -2.0 * n as f64 * x * x < MINLOG {
        return 0.0;
    }
    // x >= 1 - 1/n
    if nxfl >= n - 1 {
        return pow2(1.0, -x, n).clamp(0.0, 1.0);
    }
    if n > SMIRNOV_MAX_COMPUTE_N {
        // p ~ exp(-(6nx + 1)^2 / 18n)
        let nf = n as f64;
        let logp = -(6.0 * nf * x + 1.0).powf(2.0) / 18.0 / nf;
        let sf = if logp < -LN_2 {
            logp.exp()
        } else {
            1.0 - (-expm1(logp))
        };
        return sf.clamp(0.0, 1.0);
    }
    let n_upper_terms = n - n1mxceil + 1;
    let use_upper = (n_upper_terms <= 1 && x < 0.5)
        || (n >= SM_UPPERSUM_MIN_N
            && n_upper_terms <= SM_UPPER_MAX_TERMS
            && x <= 0.5 / (n as f64).sqrt());

    let (start, step, n_terms) = if use_upper {
        (n, -1i64, n - n1mxceil + 1)
    } else {
        (0, 1i64, n1mxfl + 1)
    };
    if !use_upper && n_terms >= incremental_from {
        return lower_sum_incremental(n, x, n_terms).clamp(0.0, 1.0);
    }
    let vmid = n / 2;
    let mut cman = Dd::ONE;
    let mut cexpt: i64 = 0;
    let mut aj_sum = Dd::ZERO;
    let aj = if use_upper {
        pow4_d(1.0, x, 1.0, 0.0, n - 1)
    } else {
        let t2 = pow4_d(1.0, -x, 1.0, 0.0, n);
        t2 / Dd::new(x)
    };
    aj_sum = aj_sum + aj;
    update_binomial(&mut cman, &mut cexpt, n, 0);
    let mut j = 1;
    while j < n_terms {
        let v = start + j * step;
        let aj = compute_av(n, x, v, cman, cexpt);
        if aj.is_finite() && !(aj.hi == 0.0 && aj.lo == 0.0) {
            aj_sum = aj_sum + aj;
        }
        // Stop once the remaining terms cannot change the sum.
        if !(aj.hi == 0.0 && aj.lo == 0.0) {
            if (4.0 * (n_terms - j) as f64 * aj.hi.abs()) < (f64::EPSILON * aj_sum.hi)
                && j != n_terms - 1
            {
                break;
            }
        } else if j > vmid {
            break;
        }
        update_binomial(&mut cman, &mut cexpt, n, j);
        j += 1;
    }
    let prob = (aj_sum.rmul_f(x)).hi;
    let sf = if step < 0 { 1.0 - prob } else { prob };
    sf.clamp(0.0, 1.0)
}

// ---------------------------------------------------------------------------------------
// kolmogn (two-sided, finite n), after scipy/stats/_ksstats.py
// ---------------------------------------------------------------------------------------

const E128: i32 = 128;
/// 2^128 and 2^-128, the rescaling steps of the matrix and recursion algorithms.
const EP128: f64 = 3.402823669209385e38;
const EM128: f64 = 2.938735877055719e-39;
const MIN_LOG: f64 = -708.0;
const STIRLING_COEFFS: [f64; 8] = [
    -2.955065359477124183e-2,
    6.4102564102564102564e-3,
    -1.9175269175269175269e-3,
    8.4175084175084175084e-4,
    -5.952380952380952381e-4,
    7.9365079365079365079e-4,
    -2.7777777777777777778e-3,
    8.3333333333333333333e-2,
];

fn select(cdf_prob: f64, sf_prob: f64, cdf: bool) -> f64 {
    let p = if cdf { cdf_prob } else { sf_prob };
    clip01(p)
}

/// `np.clip(p, 0, 1)` (NaN passes through).
fn clip01(p: f64) -> f64 {
    p.clamp(0.0, 1.0)
}

/// `np.polyval(c, x)`: Horner from a zero start.
fn polyval(c: &[f64], x: f64) -> f64 {
    let mut y = 0.0;
    for &ci in c {
        y = y * x + ci;
    }
    y
}

/// `log(n! / n^n)` by Stirling's series with `n·log(n)` removed up front.
fn log_nfactorial_div_n_pow_n(n: f64) -> f64 {
    let rn = 1.0 / n;
    n.ln() / 2.0 - n + (2.0 * PI).ln() / 2.0 + rn * polyval(&STIRLING_COEFFS, rn / n)
}

/// A running product that mirrors scipy's: float64 until the first rescale by 2^±128, after
/// which scipy's value is a NumPy `longdouble`; we continue in double-double, which is at
/// least as precise.
struct ScaledProduct {
    p: Dd,
    extended: bool,
}

impl ScaledProduct {
    fn mul_div(&mut self, i: f64, n: f64) {
        if self.extended {
            self.p = self.p.rmul_f(i) / Dd::new(n);
        } else {
            self.p = Dd::new(i * self.p.hi / n);
        }
    }

    fn mul(&mut self, m: f64) {
        if self.extended {
            self.p = self.p.mul_f(m);
        } else {
            self.p = Dd::new(self.p.hi * m);
        }
    }

    fn scale(&mut self, s: f64) {
        self.p = self.p.mul_f(s);
        self.extended = true;
    }

    /// `1 - p` and `p` after `ldexp(p, e)`, in the precision reached.
    fn finish(&self, e: i32) -> (f64, f64) {
        let p = self.p.ldexp(e);
        (p.hi + p.lo, (p.rsub_f(1.0)).hi)
    }
}

/// `P(D_n <= d)` by the Durbin matrix algorithm as organised by Marsaglia, Tsang & Wang (2003).
fn kolmogn_dmtw(n: u64, d: f64, cdf: bool) -> f64 {
    if d >= 1.0 {
        return select(1.0, 0.0, cdf);
    }
    let nd = n as f64 * d;
    if nd <= 0.5 {
        return select(0.0, 1.0, cdf);
    }
    let k = nd.ceil() as usize;
    let h = k as f64 - nd;
    let m = 2 * k - 1;
    let mut hm = vec![0.0f64; m * m];
    let mut v: Vec<f64> = (1..=m).map(|j| 1.0 - h.powf(j as f64)).collect();
    let mut w = vec![0.0f64; m];
    let mut fac = 1.0f64;
    for j in 1..=m {
        w[j - 1] = fac;
        fac /= j as f64;
        v[j - 1] *= fac;
    }
    let base = 2.0 * h - 1.0;
    let tt = if base > 0.0 { base.powf(m as f64) } else { 0.0 } - 2.0 * h.powf(m as f64);
    v[m - 1] = (1.0 + tt) * fac;
    for i in 1..m {
        for r in (i - 1)..m {
            hm[r * m + i] = w[r - (i - 1)];
        }
    }
    for r in 0..m {
        hm[r * m] = v[r];
    }
    for c in 0..m {
        hm[(m - 1) * m + c] = v[m - 1 - c];
    }
    let mut hpwr = vec![0.0f64; m * m];
    for i in 0..m {
        hpwr[i * m + i] = 1.0;
    }
    let mut nn = n;
    let mut expnt: i64 = 0;
    let mut hexpnt: i64 = 0;
    while nn > 0 {
        if nn % 2 == 1 {
            hpwr = matmul(&hpwr, &hm, m);
            expnt += hexpnt;
        }
        hm = matmul(&hm, &hm, m);
        hexpnt *= 2;
        if hm[(k - 1) * m + (k - 1)].abs() > EP128 {
            for x in hm.iter_mut() {
                *x /= EP128;
            }
            hexpnt += i64::from(E128);
        }
        nn /= 2;
    }
    let mut p = ScaledProduct {
        p: Dd::new(hpwr[(k - 1) * m + (k - 1)]),
        extended: false,
    };
    let nf = n as f64;
    for i in 1..=n {
        p.mul_div(i as f64, nf);
        if p.p.hi.abs() < EM128 {
            p.scale(EP128);
            expnt -= i64::from(E128);
        }
    }
    let (pv, one_minus) = p.finish(expnt.clamp(-100_000, 100_000) as i32);
    select(pv, one_minus, cdf)
}

fn matmul(a: &[f64], b: &[f64], m: usize) -> Vec<f64> {
    let mut c = vec![0.0f64; m * m];
    for i in 0..m {
        for l in 0..m {
            let ail = a[i * m + l];
            if ail == 0.0 {
                continue;
            }
            let brow = &b[l * m..(l + 1) * m];
            let crow = &mut c[i * m..(i + 1) * m];
            for (cj, bj) in crow.iter_mut().zip(brow) {
                *cj += ail * bj;
            }
        }
    }
    c
}

/// The ends of the band of non-zero entries in row `i` of Pomeranz's recursion.
fn pomeranz_j1j2(i: i64, n: i64, ll: i64, ceilf: i64, roundf: i64) -> (i64, i64) {
    let (j1, j2) = if i == 0 {
        (-ll - ceilf - 1, ll + ceilf - 1)
    } else {
        let ip1div2 = (i + 1) / 2;
        let ip1mod2 = (i + 1) % 2;
        if ip1mod2 == 0 {
            if ip1div2 == n + 1 {
                (n - ll - ceilf - 1, n + ll + ceilf - 1)
            } else {
                (ip1div2 - 1 - ll - roundf - 1, ip1div2 + ll - 1 + ceilf - 1)
            }
        } else {
            (ip1div2 - 1 - ll - 1, ip1div2 + ll + roundf - 1)
        }
    };
    ((j1 + 2).max(0), j2.min(n))
}

/// `P(D_n <= x)` by the Pomeranz (1974) recursion.
fn kolmogn_pomeranz(n: u64, x: f64, cdf: bool) -> f64 {
    let ni = n as i64;
    let nf = n as f64;
    let t = nf * x;
    let ll = t.floor() as i64;
    let f = t - ll as f64;
    let g = f.min(1.0 - f);
    let ceilf = i64::from(f > 0.0);
    let roundf = i64::from(f > 0.5);
    let npwrs = (2 * (ll + 1)) as usize;
    let mut gpower = vec![0.0f64; npwrs];
    let mut twogpower = vec![0.0f64; npwrs];
    let mut onem2gpower = vec![0.0f64; npwrs];
    gpower[0] = 1.0;
    twogpower[0] = 1.0;
    onem2gpower[0] = 1.0;
    let (g_over_n, two_g_over_n, one_minus_two_g_over_n) =
        (g / nf, 2.0 * g / nf, (1.0 - 2.0 * g) / nf);
    for m in 1..npwrs {
        gpower[m] = gpower[m - 1] * g_over_n / m as f64;
        twogpower[m] = twogpower[m - 1] * two_g_over_n / m as f64;
        onem2gpower[m] = onem2gpower[m - 1] * one_minus_two_g_over_n / m as f64;
    }
    let mut v0 = vec![0.0f64; npwrs];
    let mut v1 = vec![0.0f64; npwrs];
    v1[0] = 1.0;
    let (mut v0s, mut v1s) = (0i64, 0i64);
    let mut expnt: i64 = 0;
    let (mut j1, _) = pomeranz_j1j2(0, ni, ll, ceilf, roundf);
    for i in 1..(2 * ni + 2) {
        let k1 = j1;
        std::mem::swap(&mut v0, &mut v1);
        std::mem::swap(&mut v0s, &mut v1s);
        v1.iter_mut().for_each(|x| *x = 0.0);
        let (nj1, j2) = pomeranz_j1j2(i, ni, ll, ceilf, roundf);
        j1 = nj1;
        let pwrs = if i == 1 || i == 2 * ni + 1 {
            &gpower
        } else if i % 2 == 1 {
            &twogpower
        } else {
            &onem2gpower
        };
        let ln2 = j2 - k1 + 1;
        if ln2 > 0 {
            // Offsets are non-negative by construction; a violation leaves the row empty
            // rather than panicking.
            let (Ok(ln2), Ok(a0), Ok(conv_start)) = (
                usize::try_from(ln2),
                usize::try_from(k1 - v0s),
                usize::try_from(j1 - k1),
            ) else {
                continue;
            };
            // The full convolution of V0[a0 .. a0 + ln2] with pwrs[..ln2], entries
            // conv_start .. conv_start + conv_len of it.
            let a = v0.get(a0..(a0 + ln2).min(v0.len())).unwrap_or(&[]);
            let b = &pwrs[..ln2.min(pwrs.len())];
            let conv_len = usize::try_from(j2 - j1 + 1).unwrap_or(0);
            for (o, slot) in v1.iter_mut().enumerate().take(conv_len) {
                let idx = conv_start + o;
                let mut s = 0.0;
                if !a.is_empty() && !b.is_empty() {
                    let lo = idx.saturating_sub(b.len() - 1);
                    let hi = idx.min(a.len() - 1);
                    for q in lo..=hi {
                        s += a[q] * b[idx - q];
                    }
                }
                *slot = s;
            }
            let mx = v1.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if 0.0 < mx && mx < EM128 {
                for x in v1.iter_mut() {
                    *x *= EP128;
                }
                expnt -= i64::from(E128);
            }
            v1s = v0s + j1 - k1;
        }
    }
    let idx = (ni - v1s).clamp(0, npwrs as i64 - 1) as usize;
    let mut ans = ScaledProduct {
        p: Dd::new(v1[idx]),
        extended: false,
    };
    for m in 1..=n {
        if ans.p.hi.abs() > EP128 {
            ans.scale(EM128);
            expnt += i64::from(E128);
        }
        ans.mul(m as f64);
    }
    let (pv, one_minus) = ans.finish(expnt.clamp(-100_000, 100_000) as i32);
    select(pv, one_minus, cdf)
}

/// The Pelz–Good (1976) approximation to `P(D_n <= x)`.
fn kolmogn_pelz_good(n: u64, x: f64, cdf: bool) -> f64 {
    if x <= 0.0 {
        return select(0.0, 1.0, cdf);
    }
    if x >= 1.0 {
        return select(1.0, 0.0, cdf);
    }
    let pi2 = PI.powf(2.0);
    let pi4 = PI.powf(4.0);
    let pi6 = PI.powf(6.0);
    let sqrt2pi = (2.0 * PI).sqrt();
    let nf = n as f64;
    let z = nf.sqrt() * x;
    let (zsquared, zthree, zfour, zsix) = (z.powf(2.0), z.powf(3.0), z.powf(4.0), z.powf(6.0));
    let qlog = -pi2 / 8.0 / zsquared;
    if qlog < MIN_LOG {
        return select(0.0, 1.0, cdf);
    }
    let q = qlog.exp();
    let k1a = -zsquared;
    let k1b = pi2 / 4.0;
    let k2a = 6.0 * zsix + 2.0 * zfour;
    let k2b = (2.0 * zfour - 5.0 * zsquared) * pi2 / 4.0;
    let k2c = pi4 * (1.0 - 2.0 * zsquared) / 16.0;
    let k3d = pi6 * (5.0 - 30.0 * zsquared) / 64.0;
    let k3c = pi4 * (-60.0 * zsquared + 212.0 * zfour) / 16.0;
    let k3b = pi2 * (135.0 * zfour - 96.0 * zsix) / 4.0;
    let k3a = -30.0 * zsix - 90.0 * z.powf(8.0);
    let mut kk = [0.0f64; 4];
    let maxk = (16.0 * z / PI).ceil() as i64;
    for k in (1..=maxk).rev() {
        let m = (2 * k - 1) as f64;
        let (msquared, mfour, msix) = (m.powf(2.0), m.powf(4.0), m.powf(6.0));
        let qpower = q.powf((8 * k) as f64);
        let coeffs = [
            1.0,
            k1a + k1b * msquared,
            k2a + k2b * msquared + k2c * mfour,
            k3a + k3b * msquared + k3c * mfour + k3d * msix,
        ];
        for i in 0..4 {
            kk[i] *= qpower;
            kk[i] += coeffs[i];
        }
    }
    let div = [z, 6.0 * zfour, 72.0 * z.powf(7.0), 6480.0 * z.powf(10.0)];
    for i in 0..4 {
        kk[i] *= q;
        kk[i] *= sqrt2pi;
        kk[i] /= div[i];
    }
    let q = (-pi2 / 2.0 / zsquared).exp();
    let ks: Vec<f64> = (1..=maxk).rev().map(|k| k as f64).collect();
    let ksquared: Vec<f64> = ks.iter().map(|k| k * k).collect();
    let sqrt3z = 3f64.sqrt() * z;
    let kspi: Vec<f64> = ks.iter().map(|k| PI * k).collect();
    let qpwers: Vec<f64> = ksquared.iter().map(|k2| q.powf(*k2)).collect();
    let len = ks.len();
    let mut k2extra = pairwise_sum(len, |i| ksquared[i] * qpwers[i]);
    k2extra *= pi2 * sqrt2pi / (-36.0 * zthree);
    kk[2] += k2extra;
    let mut k3extra = pairwise_sum(len, |i| {
        (sqrt3z + kspi[i]) * (sqrt3z - kspi[i]) * ksquared[i] * qpwers[i]
    });
    k3extra *= pi2 * sqrt2pi / (216.0 * zsix);
    kk[3] += k3extra;
    for (i, v) in kk.iter_mut().enumerate() {
        *v /= nf.powf(i as f64 / 2.0);
    }
    if !cdf {
        for v in kk.iter_mut() {
            *v *= -1.0;
        }
        kk[0] += 1.0;
    }
    0.0 + kk[0] + kk[1] + kk[2] + kk[3]
}

/// scipy's `_kolmogn(n, x, cdf)`: `P(D_n <= x)` (`cdf`) or `P(D_n >= x)` for the two-sided
/// one-sample KS statistic of `n` observations.
pub fn kolmogn(n: u64, x: f64, cdf: bool) -> f64 {
    if n == 0 || x.is_nan() {
        return f64::NAN;
    }
    if x >= 1.0 {
        return select(1.0, 0.0, cdf);
    }
    if x <= 0.0 {
        return select(0.0, 1.0, cdf);
    }
    let nf = n as f64;
    let t = nf * x;
    if t <= 1.0 {
        // Ruben–Gambino: 1/2n <= x <= 1/n.
        if t <= 0.5 {
            return select(0.0, 1.0, cdf);
        }
        let prob = if n <= 140 {
            let mut p = 1.0;
            for i in 1..=n {
                p *= i as f64 * (1.0 / nf) * (2.0 * t - 1.0);
            }
            p
        } else {
            (log_nfactorial_div_n_pow_n(nf) + nf * (2.0 * t - 1.0).ln()).exp()
        };
        return select(prob, 1.0 - prob, cdf);
    }
    if t >= nf - 1.0 {
        let prob = 2.0 * (1.0 - x).powf(nf);
        return select(1.0 - prob, prob, cdf);
    }
    let ni = i64::try_from(n).unwrap_or(i64::MAX);
    if x >= 0.5 {
        let prob = 2.0 * smirnov(ni, x);
        return select(1.0 - prob, prob, cdf);
    }
    let nxsquared = t * x;
    if n <= 140 {
        if nxsquared <= 0.754693 {
            let prob = kolmogn_dmtw(n, x, true);
            return select(prob, 1.0 - prob, cdf);
        }
        if nxsquared <= 4.0 {
            let prob = kolmogn_pomeranz(n, x, true);
            return select(prob, 1.0 - prob, cdf);
        }
        let prob = 2.0 * smirnov(ni, x);
        return select(1.0 - prob, prob, cdf);
    }
    if !cdf {
        if nxsquared >= 370.0 {
            return 0.0;
        }
        if nxsquared >= 2.2 {
            return clip01(2.0 * smirnov(ni, x));
        }
    }
    let cdfprob = if nxsquared >= 18.0 {
        1.0
    } else if n <= 100_000 && nf * x.powf(1.5) <= 1.4 {
        kolmogn_dmtw(n, x, true)
    } else {
        kolmogn_pelz_good(n, x, true)
    };
    select(cdfprob, 1.0 - cdfprob, cdf)
}

/// `scipy.stats.kstwo.sf(x, n)` for `n >= 1`: 1 at or below the support's start `0.5/n`,
/// 0 at or above 1, NaN for `n < 1`.
pub fn kstwo_sf(x: f64, n: f64) -> f64 {
    if x.is_nan() || !(n >= 1.0 && n == n.round_ties_even()) {
        return f64::NAN;
    }
    let a = 0.5 / n;
    if x <= a {
        return 1.0;
    }
    if x >= 1.0 {
        return 0.0;
    }
    kolmogn(n as u64, x, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The relative difference of the incremental and the termwise lower sums over a grid of
    /// `n` and `x = z / sqrt(n)` (p from ~1 to ~1e-300); the worst one.
    fn worst_difference(ns: &[i64]) -> f64 {
        let mut worst = 0.0f64;
        for &n in ns {
            let sd = 1.0 / (n as f64).sqrt();
            for z in [0.05, 0.3, 0.8, 1.5, 2.5, 4.0, 7.0, 12.0, 18.0] {
                let x = z * sd;
                if x >= 1.0 {
                    continue;
                }
                let fast = smirnov_with(n, x, 2);
                let exact = smirnov_with(n, x, i64::MAX);
                if exact > 1e-290 {
                    let rel = ((fast - exact) / exact).abs();
                    assert!(rel < 1e-12, "n {n} x {x}: {fast:e} vs {exact:e} ({rel:e})");
                    worst = worst.max(rel);
                } else {
                    assert!(fast < 1e-280, "n {n} x {x}: {fast:e} vs {exact:e}");
                }
            }
        }
        worst
    }

    #[test]
    fn the_incremental_smirnov_sum_equals_the_termwise_one() {
        let worst = worst_difference(&[150, 2_500, 9_000, 40_000]);
        assert!(worst < 1e-12, "{worst:e}");
    }

    /// The same up to the largest n the sum is computed for (slow in debug builds):
    /// `cargo test --release -p driftscope-core incremental -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn the_incremental_smirnov_sum_equals_the_termwise_one_at_large_n() {
        let worst = worst_difference(&[120_000, 500_000, 1_000_000]);
        println!("worst relative difference {worst:e}");
    }
}
