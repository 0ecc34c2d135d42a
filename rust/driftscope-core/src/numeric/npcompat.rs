//! Arithmetic exactly as NumPy and Python perform it, where scipy's result depends on it.
//!
//! scipy's test statistics are sums over arrays (`ndarray.sum`, NumPy's pairwise summation),
//! floor divisions of floats (`//`) and true divisions of Python integers (correctly rounded).
//! Reproducing these operation for operation is what makes our statistics equal to scipy's
//! bit for bit rather than merely close.

/// `Σ f(i)` for `i in 0..n`, summed in the exact order of NumPy's `pairwise_sum` for a
/// contiguous float64 array (blocks of at most 128 values summed in 8 lanes, split in halves
/// rounded to a multiple of 8 above that), so the result equals `np.sum` of the same terms.
/// `f` is called once per index, in increasing order, so it may generate terms as a stream.
pub(crate) fn pairwise_sum<F: FnMut(usize) -> f64>(n: usize, mut f: F) -> f64 {
    pairwise(0, n, &mut f)
}

fn pairwise<F: FnMut(usize) -> f64>(lo: usize, n: usize, f: &mut F) -> f64 {
    if n < 8 {
        let mut res = -0.0;
        for i in 0..n {
            res += f(lo + i);
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        for (j, slot) in r.iter_mut().enumerate() {
            *slot = f(lo + j);
        }
        let mut i = 8;
        while i < n - (n % 8) {
            for (j, slot) in r.iter_mut().enumerate() {
                *slot += f(lo + i + j);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += f(lo + i);
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise(lo, n2, f) + pairwise(lo + n2, n - n2, f)
    }
}

/// `np.sum` of a slice.
pub(crate) fn np_sum(xs: &[f64]) -> f64 {
    pairwise_sum(xs.len(), |i| xs[i])
}

/// `np.sum` of a slice, the top of NumPy's pairwise tree (whose shape depends on the length
/// alone) split across rayon threads: equal to [`np_sum`] bit for bit.
pub(crate) fn np_sum_par(xs: &[f64]) -> f64 {
    const SEQUENTIAL: usize = 1 << 16;
    if xs.len() <= SEQUENTIAL {
        return np_sum(xs);
    }
    let mut n2 = xs.len() / 2;
    n2 -= n2 % 8;
    let (lo, hi) = xs.split_at(n2);
    let (l, h) = rayon::join(|| np_sum_par(lo), || np_sum_par(hi));
    l + h
}

/// NumPy's float floor division `a // b` (`npy_divmod`: fmod, then correct towards floor).
pub(crate) fn floor_divide(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return a / b;
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut fl = div.floor();
        if div - fl > 0.5 {
            fl += 1.0;
        }
        fl
    } else {
        0.0f64.copysign(a / b)
    }
}

/// Python's true division `a / b` of two integers: the exact quotient rounded once to the
/// nearest double (ties to even). `b` must be positive.
pub(crate) fn int_div(a: u128, b: u128) -> f64 {
    const EXACT: u128 = 1 << 53;
    if b == 0 {
        return f64::NAN;
    }
    if a < EXACT && b < EXACT {
        // Both convert exactly and IEEE division rounds once.
        return a as f64 / b as f64;
    }
    let mut q = a / b;
    let mut r = a % b;
    let mut e: i32 = 0;
    // Produce at least 55 quotient bits so that rounding sees a guard and a sticky bit.
    while q < (1u128 << 54) {
        let Some(r2) = r.checked_mul(2) else {
            return a as f64 / b as f64;
        };
        r = r2;
        q <<= 1;
        if r >= b {
            r -= b;
            q |= 1;
        }
        e -= 1;
    }
    let sticky = u128::from(r != 0);
    // u128 -> f64 rounds to nearest, ties to even; the sticky bit breaks false ties.
    let v = (q | sticky) as f64;
    crate::numeric::dd::ldexp(v, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_follows_numpy_order() {
        // Values printed by numpy 2.4: np.sum of x_i = 10.0 ** ((i * 7) % 23 - 8) * (-1) ** i.
        let term = |i: usize| {
            let s = if i % 2 == 0 { 1.0 } else { -1.0 };
            s * 10f64.powf(((i * 7) % 23) as f64 - 8.0)
        };
        let want: &[(usize, f64)] = &[
            (1, 1e-08),
            (7, -9899999010000.098),
            (8, -9899999010000.098),
            (9, -9899999009900.098),
            (100, -9899999010000.1),
            (129, 990099900990.0),
            (1000, -99009890099011.03),
            (4097, 999999.75),
        ];
        for &(n, w) in want {
            assert_eq!(pairwise_sum(n, term), w, "n={n}");
            let xs: Vec<f64> = (0..n).map(term).collect();
            assert_eq!(np_sum(&xs), w);
            assert_eq!(np_sum_par(&xs), w);
            let mut last = None;
            pairwise_sum(n, |i| {
                assert!(last.is_none_or(|l| i == l + 1), "indices in order");
                last = Some(i);
                0.0
            });
        }
    }

    #[test]
    fn parallel_sum_is_the_same_tree() {
        // Terms spanning many magnitudes, so any change of order would show.
        for n in [(1usize << 16) + 1, 300_007, 1 << 20] {
            let xs: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1001) as f64 * 10f64.powi((i % 37) as i32 - 18))
                .collect();
            assert_eq!(np_sum_par(&xs).to_bits(), np_sum(&xs).to_bits(), "n={n}");
        }
    }

    #[test]
    fn floor_divide_matches_python() {
        assert_eq!(floor_divide(7.0, 2.0), 3.0);
        assert_eq!(floor_divide(-7.0, 2.0), -4.0);
        assert_eq!(floor_divide(7.5, -2.0), -4.0);
        assert_eq!(floor_divide(1e300, 3.0), 3.3333333333333335e299);
        assert_eq!(floor_divide(0.0, -3.0), -0.0);
        assert_eq!(floor_divide(-6.0, 3.0), -2.0);
    }

    #[test]
    fn int_div_is_correctly_rounded() {
        assert_eq!(int_div(1, 3), 1.0 / 3.0);
        // (2**60 + 1) / 3 and 10**30 / 7, printed by Python.
        assert_eq!(int_div((1 << 60) + 1, 3), 3.843071682022823e+17);
        assert_eq!(int_div(10u128.pow(30), 7), 1.4285714285714285e+29);
        assert_eq!(int_div(10u128.pow(30) + 1, 10u128.pow(20)), 1e10);
        // 2**53 + 1 is a tie between 2**53 and 2**53 + 2: ties to even gives 2**53.
        assert_eq!(int_div((1 << 53) + 1, 1), 9007199254740992.0);
        assert_eq!(int_div((1 << 53) + 3, 1), 9007199254740996.0);
        // A tie broken by a non-zero remainder: (2**54 + 2) * 3 + 1 over 3.
        assert_eq!(int_div(((1u128 << 54) + 2) * 3 + 1, 3), 18014398509481988.0);
    }
}
