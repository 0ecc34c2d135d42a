//! Double-double arithmetic (a value is `hi + lo`, about 106 significant bits).
//!
//! The one-sided Smirnov distribution is computed by scipy (`xsf::cephes::smirnov`) in
//! double-double precision following Hida, Li & Bailey's QD library; to return the same
//! numbers we use the same error-free transformations (Knuth's two-sum, FMA two-product).

use std::ops::{Add, Div, Mul, Neg, Sub};

/// `hi + lo` with `|lo| <= ulp(hi) / 2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Dd {
    pub hi: f64,
    pub lo: f64,
}

/// `fl(a + b)` and its rounding error, assuming `|a| >= |b|`.
#[inline(always)]
pub(crate) fn quick_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let c = s - a;
    (s, b - c)
}

/// `fl(a + b)` and its rounding error (Knuth).
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let c = s - a;
    let d = b - c;
    let e = s - c;
    (s, (a - e) + d)
}

/// `fl(a * b)` and its rounding error, exact through a fused multiply-add.
#[inline(always)]
pub(crate) fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

impl Dd {
    pub const ZERO: Dd = Dd { hi: 0.0, lo: 0.0 };
    pub const ONE: Dd = Dd { hi: 1.0, lo: 0.0 };

    #[inline]
    pub fn new(hi: f64) -> Dd {
        Dd { hi, lo: 0.0 }
    }

    #[inline]
    pub fn is_finite(self) -> bool {
        self.hi.is_finite()
    }

    /// `(m, e)` with `self = m · 2^e` and `0.5 <= |m.hi| < 1` (QD's `frexp`).
    pub fn frexp(self) -> (Dd, i32) {
        let (man, e) = frexp(self.hi);
        let mut b1 = ldexp(self.lo, -e);
        let mut man = man;
        let mut e = e;
        if man.abs() == 0.5 && man * b1 < 0.0 {
            man *= 2.0;
            b1 *= 2.0;
            e -= 1;
        }
        (Dd { hi: man, lo: b1 }, e)
    }

    #[inline]
    pub fn ldexp(self, e: i32) -> Dd {
        Dd {
            hi: ldexp(self.hi, e),
            lo: ldexp(self.lo, e),
        }
    }

    /// Largest integer not above `self`.
    pub fn floor(self) -> Dd {
        let hi = self.hi.floor();
        if hi == self.hi {
            let lo = self.lo.floor();
            let (hi, lo) = quick_two_sum(hi, lo);
            return Dd { hi, lo };
        }
        Dd { hi, lo: 0.0 }
    }

    /// `self * rhs` for a double `rhs` (QD's `dd * d`).
    #[inline]
    pub fn mul_f(self, rhs: f64) -> Dd {
        let (p1, e1) = two_prod(self.hi, rhs);
        let (p2, e2) = two_prod(self.lo, rhs);
        let (hi, lo) = quick_two_sum(p1, e2 + p2 + e1);
        Dd { hi, lo }
    }

    /// `self + rhs` for a double `rhs`.
    #[inline]
    pub fn add_f(self, rhs: f64) -> Dd {
        let (s1, s2) = two_sum(self.hi, rhs);
        let (hi, lo) = quick_two_sum(s1, s2 + self.lo);
        Dd { hi, lo }
    }

    /// `self - rhs` for a double `rhs`.
    #[inline]
    pub fn sub_f(self, rhs: f64) -> Dd {
        let (s1, s2) = two_sum(self.hi, -rhs);
        let (hi, lo) = quick_two_sum(s1, s2 + self.lo);
        Dd { hi, lo }
    }

    /// `lhs - self` for a double `lhs`.
    #[inline]
    pub fn rsub_f(self, lhs: f64) -> Dd {
        let (s1, s2) = two_sum(lhs, -self.hi);
        let (hi, lo) = quick_two_sum(s1, s2 - self.lo);
        Dd { hi, lo }
    }

    /// `lhs * self` for a double `lhs` (operand order as QD's `d * dd`).
    #[inline]
    pub fn rmul_f(self, lhs: f64) -> Dd {
        let (p1, e1) = two_prod(lhs, self.hi);
        let (p2, e2) = two_prod(lhs, self.lo);
        let (hi, lo) = quick_two_sum(p1, e2 + p2 + e1);
        Dd { hi, lo }
    }
}

impl Neg for Dd {
    type Output = Dd;
    #[inline]
    fn neg(self) -> Dd {
        Dd {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
}

impl Add for Dd {
    type Output = Dd;
    /// The IEEE-style sum of Briggs and Kahan.
    #[inline]
    fn add(self, rhs: Dd) -> Dd {
        let (s1, s2) = two_sum(self.hi, rhs.hi);
        let (t1, t2) = two_sum(self.lo, rhs.lo);
        let s2 = s2 + t1;
        let (s1, s2) = quick_two_sum(s1, s2);
        let s2 = s2 + t2;
        let (hi, lo) = quick_two_sum(s1, s2);
        Dd { hi, lo }
    }
}

impl Sub for Dd {
    type Output = Dd;
    #[inline]
    fn sub(self, rhs: Dd) -> Dd {
        self + (-rhs)
    }
}

impl Mul for Dd {
    type Output = Dd;
    #[inline]
    fn mul(self, rhs: Dd) -> Dd {
        let (p1, p2) = two_prod(self.hi, rhs.hi);
        let p2 = p2 + (self.hi * rhs.lo + self.lo * rhs.hi);
        let (hi, lo) = quick_two_sum(p1, p2);
        Dd { hi, lo }
    }
}

impl Div for Dd {
    type Output = Dd;
    /// Long division with three partial quotients (QD's accurate `dd / dd`).
    #[inline]
    fn div(self, rhs: Dd) -> Dd {
        let q1 = self.hi / rhs.hi;
        let r = self - rhs.mul_f(q1);
        let q2 = r.hi / rhs.hi;
        let r = r - rhs.mul_f(q2);
        let q3 = r.hi / rhs.hi;
        let (q1, q2) = quick_two_sum(q1, q2);
        Dd { hi: q1, lo: q2 }.add_f(q3)
    }
}

/// C's `frexp`: `x = m · 2^e` with `0.5 <= |m| < 1` (`m = x`, `e = 0` for 0, inf, NaN).
pub(crate) fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = frexp(x * f64::from_bits(0x4350_0000_0000_0000)); // 2^54
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022)
}

/// C's `ldexp`: `x · 2^e`, exact unless the result leaves the normal range, where it rounds
/// once as C does.
pub(crate) fn ldexp(x: f64, e: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let (m, ex) = frexp(x);
    let t = ex.saturating_add(e); // x · 2^e = m · 2^t, 0.5 <= |m| < 1
    if t > 1024 {
        return f64::INFINITY.copysign(x);
    }
    if t >= -1021 {
        return (m * 2.0) * pow2(t - 1);
    }
    if t < -1085 {
        return 0.0f64.copysign(x);
    }
    // The first product is exact and normal; the second rounds once into the subnormals.
    (m * pow2(t + 64)) * pow2(-64)
}

/// `2^e` for `-1022 <= e <= 1023`.
#[inline]
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_and_ldexp_round_trip() {
        for &x in &[1.0, 0.5, 3.0, -7.25, 1e-310, 5e-324, 1.7e308, 123456.789] {
            let (m, e) = frexp(x);
            assert!((0.5..1.0).contains(&m.abs()), "{x}");
            assert_eq!(ldexp(m, e), x, "{x}");
        }
        assert_eq!(ldexp(1.0, -1074), 5e-324);
        assert_eq!(ldexp(1.0, -1075), 0.0);
        assert_eq!(ldexp(1.5, -1074), 1e-323); // ties to even: 1.5 ulp -> 2 ulp
        assert_eq!(ldexp(1.0, 1024), f64::INFINITY);
        assert_eq!(ldexp(0.75, 1024), 0.75 * 2f64.powi(1023) * 2.0);
    }

    #[test]
    fn dd_arithmetic_is_more_precise_than_f64() {
        // 1/3 in double-double times 3 is 1 to ~1e-32.
        let third = Dd::ONE / Dd::new(3.0);
        let one = third.mul_f(3.0);
        assert!((one.hi - 1.0).abs() + one.lo.abs() < 1e-31);
        let a = Dd::new(1.0).add_f(1e-20);
        assert_eq!(a.hi, 1.0);
        assert_eq!(a.lo, 1e-20);
        let b = a - Dd::ONE;
        assert_eq!(b.hi, 1e-20);
        let (m, e) = Dd::new(12.0).frexp();
        assert_eq!((m.hi, e), (0.75, 4));
        assert_eq!(
            Dd {
                hi: 3.0,
                lo: -1e-20
            }
            .floor()
            .hi,
            2.0
        );
    }
}
