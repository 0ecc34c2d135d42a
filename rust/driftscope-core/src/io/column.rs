//! Plain-data views of a column: a typed slice plus an optional validity bitmap.
//!
//! This is the only input shape kernels accept. Slices borrow the caller's buffers, so a NumPy
//! array or an Arrow buffer is read where it lies, without a copy.

use crate::error::{Error, Result};

/// An Arrow-layout validity bitmap: bit `offset + i` (least-significant bit first) is 1 when
/// value `i` is present and 0 when it is null.
#[derive(Debug, Clone, Copy)]
pub struct Validity<'a> {
    bits: &'a [u8],
    offset: usize,
}

impl<'a> Validity<'a> {
    /// A bitmap covering `len` values starting at bit `offset` of `bits`.
    pub fn new(bits: &'a [u8], offset: usize, len: usize) -> Result<Self> {
        let needed = offset
            .checked_add(len)
            .ok_or_else(|| Error::InvalidArgument("validity bitmap offset overflows".into()))?;
        if bits.len().saturating_mul(8) < needed {
            return Err(Error::InvalidArgument(format!(
                "validity bitmap of {} bytes cannot cover {len} values at bit offset {offset}",
                bits.len()
            )));
        }
        Ok(Self { bits, offset })
    }

    /// Whether value `i` is present.
    #[inline]
    pub fn is_valid(&self, i: usize) -> bool {
        let bit = self.offset + i;
        (self.bits[bit >> 3] >> (bit & 7)) & 1 == 1
    }

    /// The 64 validity bits of values `i .. i + 64` (bits past the bitmap's end read as 0),
    /// value `i` in the least-significant bit.
    #[inline]
    pub fn word(&self, i: usize) -> u64 {
        let bit = self.offset + i;
        let byte = bit >> 3;
        let shift = bit & 7;
        let mut raw = [0u8; 16];
        let end = (byte + 9).min(self.bits.len());
        if byte < end {
            raw[..end - byte].copy_from_slice(&self.bits[byte..end]);
        }
        let lo = u128::from_le_bytes(raw);
        (lo >> shift) as u64
    }

    /// Number of present values among `start .. start + len`.
    pub fn count_valid(&self, start: usize, len: usize) -> usize {
        let mut count = 0usize;
        let mut i = 0;
        while i < len {
            let take = (len - i).min(64);
            let mut w = self.word(start + i);
            if take < 64 {
                w &= (1u64 << take) - 1;
            }
            count += w.count_ones() as usize;
            i += take;
        }
        count
    }
}

/// A numeric element type a kernel can read, widened to `f64` on load.
pub trait Numeric: Copy + Send + Sync + 'static {
    /// Whether the type can hold NaN or ±inf (integers cannot, so their kernels skip the checks).
    const IS_FLOAT: bool;
    fn to_f64(self) -> f64;
    /// The slice itself when the type is `f64`, so kernels can read it without conversion.
    fn as_f64_slice(_xs: &[Self]) -> Option<&[f64]> {
        None
    }
}

impl Numeric for f64 {
    const IS_FLOAT: bool = true;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    fn as_f64_slice(xs: &[f64]) -> Option<&[f64]> {
        Some(xs)
    }
}

macro_rules! numeric {
    ($($t:ty => $float:expr),* $(,)?) => {$(
        impl Numeric for $t {
            const IS_FLOAT: bool = $float;
            #[inline(always)]
            fn to_f64(self) -> f64 { self as f64 }
        }
    )*};
}
numeric!(f32 => true, i8 => false, i16 => false, i32 => false, i64 => false,
         u8 => false, u16 => false, u32 => false, u64 => false);

impl Numeric for bool {
    const IS_FLOAT: bool = false;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(u8::from(self))
    }
}

/// A borrowed typed slice of column values.
#[derive(Debug, Clone, Copy)]
pub enum Values<'a> {
    F64(&'a [f64]),
    F32(&'a [f32]),
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
    Bool(&'a [bool]),
    /// `n` values that are all null (Arrow's null type).
    Null(usize),
}

impl Values<'_> {
    pub fn len(&self) -> usize {
        match self {
            Values::F64(s) => s.len(),
            Values::F32(s) => s.len(),
            Values::I8(s) => s.len(),
            Values::I16(s) => s.len(),
            Values::I32(s) => s.len(),
            Values::I64(s) => s.len(),
            Values::U8(s) => s.len(),
            Values::U16(s) => s.len(),
            Values::U32(s) => s.len(),
            Values::U64(s) => s.len(),
            Values::Bool(s) => s.len(),
            Values::Null(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Calls a generic function on the typed slice inside a [`Values`]:
/// `with_values!(values, |s| kernel(s), null => |n| on_all_null(n))`.
#[macro_export]
macro_rules! with_values {
    ($values:expr, |$s:ident| $body:expr, null => |$n:ident| $null:expr) => {
        match $values {
            $crate::Values::F64($s) => $body,
            $crate::Values::F32($s) => $body,
            $crate::Values::I8($s) => $body,
            $crate::Values::I16($s) => $body,
            $crate::Values::I32($s) => $body,
            $crate::Values::I64($s) => $body,
            $crate::Values::U8($s) => $body,
            $crate::Values::U16($s) => $body,
            $crate::Values::U32($s) => $body,
            $crate::Values::U64($s) => $body,
            $crate::Values::Bool($s) => $body,
            $crate::Values::Null($n) => $null,
        }
    };
}

/// One contiguous piece of a column: values and, when some may be null, their validity.
#[derive(Debug, Clone, Copy)]
pub struct Chunk<'a> {
    pub values: Values<'a>,
    pub validity: Option<Validity<'a>>,
}

impl<'a> Chunk<'a> {
    /// A chunk; the validity bitmap, when given, must cover every value.
    pub fn new(values: Values<'a>, validity: Option<Validity<'a>>) -> Self {
        Self { values, validity }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The sub-chunk of values `start .. start + len`.
    pub fn slice(&self, start: usize, len: usize) -> Chunk<'a> {
        let validity = self.validity.map(|v| Validity {
            bits: v.bits,
            offset: v.offset + start,
        });
        let values = match self.values {
            Values::F64(s) => Values::F64(&s[start..start + len]),
            Values::F32(s) => Values::F32(&s[start..start + len]),
            Values::I8(s) => Values::I8(&s[start..start + len]),
            Values::I16(s) => Values::I16(&s[start..start + len]),
            Values::I32(s) => Values::I32(&s[start..start + len]),
            Values::I64(s) => Values::I64(&s[start..start + len]),
            Values::U8(s) => Values::U8(&s[start..start + len]),
            Values::U16(s) => Values::U16(&s[start..start + len]),
            Values::U32(s) => Values::U32(&s[start..start + len]),
            Values::U64(s) => Values::U64(&s[start..start + len]),
            Values::Bool(s) => Values::Bool(&s[start..start + len]),
            Values::Null(_) => Values::Null(len),
        };
        Chunk { values, validity }
    }
}

/// How far ahead of the value it reads a streaming kernel asks for the data (16 KB).
const PREFETCH_AHEAD: usize = 2048;

/// Asks the CPU to start loading the cache line [`PREFETCH_AHEAD`] values past `p`. A
/// kernel that streams a column and calls this once per eight values it reads keeps more
/// loads in flight than the hardware prefetcher does alone when the loop's pace is uneven
/// (a histogram fill's scattered increments): on the project's 2-core AMD EPYC a 100-bin
/// fill of 10M values came down to about the time of a plain read (~20% faster), and the
/// min/max pass itself got ~15% faster. Past the end of the data it loads nothing useful,
/// harmlessly.
#[inline(always)]
pub(crate) fn prefetch_ahead(p: *const f64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is only a hint: it never faults and has no effect on memory,
        // whatever the address (`wrapping_add` makes the address without any access).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(PREFETCH_AHEAD).cast()) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_words_at_any_offset() {
        let bits = [
            0b1010_1010u8,
            0xff,
            0x00,
            0x0f,
            0xf0,
            0x55,
            0xaa,
            0x01,
            0x80,
            0x3c,
        ];
        for offset in 0..16 {
            let len = bits.len() * 8 - offset;
            let v = Validity::new(&bits, offset, len).unwrap();
            for i in 0..len {
                let w = v.word(i);
                for j in 0..64.min(len - i) {
                    assert_eq!(
                        (w >> j) & 1 == 1,
                        v.is_valid(i + j),
                        "offset {offset} i {i} j {j}"
                    );
                }
            }
            let expected = (0..len).filter(|&i| v.is_valid(i)).count();
            assert_eq!(v.count_valid(0, len), expected);
        }
    }

    #[test]
    fn validity_rejects_short_bitmaps() {
        assert!(Validity::new(&[0u8; 2], 3, 14).is_err());
        assert!(Validity::new(&[0u8; 2], 3, 13).is_ok());
    }
}
