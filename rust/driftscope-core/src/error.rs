//! The core error type. The binding crate maps each variant once to a Python exception.

/// Everything that can go wrong in a kernel, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An argument has an invalid value (maps to a `ValueError` subclass).
    #[error("{0}")]
    InvalidArgument(String),
    /// A sample that must hold at least one value holds none (maps to a `ValueError` subclass).
    #[error("{0}")]
    EmptySample(String),
    /// Serialized bytes are truncated, corrupted or of another kind or version
    /// (maps to a `ValueError` subclass).
    #[error("{0}")]
    Corrupt(String),
    /// Two summaries cannot be combined, e.g. histograms with different edges
    /// (maps to a `ValueError` subclass).
    #[error("{0}")]
    Incompatible(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// What a kernel that reads a column more than once finds when the readings disagree:
/// another thread wrote to the buffer while the kernel ran (NumPy arrays are read in place,
/// with the GIL released, and NumPy's own copies and ufuncs release it too). Kernels answer
/// it by reading the column once more into a buffer of their own; where none can, it becomes
/// this [`Error::InvalidArgument`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Changed;

impl From<Changed> for Error {
    fn from(_: Changed) -> Error {
        Error::InvalidArgument(
            "the column changed while it was being read (another thread wrote to it during \
             the call); pass a copy, e.g. x.copy()"
                .into(),
        )
    }
}

/// A float as people read it in a message: the shortest digits that round-trip, laid out as
/// Python's `repr` lays them out (`1.5`, `5e-324`, `1e+16`, `inf`, `nan`), never hundreds of
/// digits. Every message that shows a value formats it through this one helper:
/// `format!("over [{}, {}]", Num(lo), Num(hi))`.
#[derive(Debug, Clone, Copy)]
pub struct Num(pub f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let x = self.0;
        if x.is_nan() {
            return f.write_str("nan");
        }
        if x.is_infinite() {
            return f.write_str(if x > 0.0 { "inf" } else { "-inf" });
        }
        // `{:e}` gives the shortest round-trip digits with their decimal exponent.
        let sci = format!("{x:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        // Python's repr: positional for 1e-4 <= |x| < 1e16, scientific otherwise.
        if (-4..16).contains(&exp) {
            let (sign, digits) = match mantissa.strip_prefix('-') {
                Some(rest) => ("-", rest),
                None => ("", mantissa),
            };
            let digits: String = digits.chars().filter(|c| *c != '.').collect();
            let point = exp + 1; // digits before the decimal point
            let body = if point <= 0 {
                format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
            } else if point as usize >= digits.len() {
                format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
            } else {
                let (int, frac) = digits.split_at(point as usize);
                format!("{int}.{frac}")
            };
            write!(f, "{sign}{body}")
        } else {
            let sign = if exp < 0 { '-' } else { '+' };
            write!(f, "{mantissa}e{sign}{:02}", exp.unsigned_abs())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Num;

    #[test]
    fn numbers_print_as_python_repr_prints_them() {
        for (x, want) in [
            (5e-324, "5e-324"),
            (1.5, "1.5"),
            (-1.5, "-1.5"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1e-4, "0.0001"),
            (1e-5, "1e-05"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123_456_789_012_345_680.0, "1.2345678901234568e+17"),
            (-2.5e-300, "-2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (0.000123, "0.000123"),
            (12345.678, "12345.678"),
        ] {
            assert_eq!(Num(x).to_string(), want, "{x:e}");
        }
    }
}
