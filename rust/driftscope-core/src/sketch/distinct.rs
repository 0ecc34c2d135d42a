//! The number of distinct values of a categorical column: a HyperLogLog sketch.
//!
//! Each non-null category is hashed to 64 bits with XXH3-64 (the xxHash specification) under
//! a fixed seed per type (stable across versions and platforms, so sketches built anywhere
//! merge; format 1 used SipHash-1-3 and is refused, since its registers do not merge with
//! these): the first `lg_k` bits
//! choose one of `m = 2^lg_k` registers, and the register keeps the largest position of the
//! first one bit in the rest. The estimate is Ertl's improved estimator ("New cardinality
//! estimation algorithms for HyperLogLog sketches", 2017), which needs no empirical bias
//! tables: its `σ` term is the small-range correction (with registers still at zero it
//! follows linear counting, `m · ln(m / zeros)`), its `τ` term the large-range one. The
//! relative standard error is `1.04 / sqrt(m)` (1.6 % at the default `lg_k = 12`).
//!
//! A large string column is hashed in parts on the rayon pool, one register array each,
//! merged by maximum: the same registers as one pass.
//!
//! Sketches of the same `lg_k` merge (register-wise maximum: exactly the sketch of the
//! concatenated data) and serialize (kind `HLLD`). Nulls are counted apart.

use xxhash_rust::xxh3::xxh3_64_with_seed;

use rayon::prelude::*;

use crate::binned::categorical::{feed, CatRef, CategoryColumn, CategorySink, StrArray};
use crate::error::{Error, Result};
use crate::io::column::{Chunk, Numeric, Validity, Values};
use crate::io::serial::{Kind, Reader, Writer};

/// XXH3 seeds of booleans, integers and strings: fixed forever, since sketches must hash
/// alike to merge.
const SEED_BOOL: u64 = 0x6472_6966_7473_636f;
const SEED_INT: u64 = 0x7065_2d68_6c6c_2d31;
const SEED_STR: u64 = SEED_BOOL ^ SEED_INT;
/// The seed of floating-point values (hashed by their bits, `-0.0` as `+0.0`).
const SEED_F64: u64 = 0x666c_6f61_7436_3421;

/// The 64-bit hash of a float's bits: MurmurHash3's `fmix64` finalizer of the bits under
/// [`SEED_F64`] (an invertible mix whose output bits each depend on every input bit, which is
/// what HyperLogLog needs of a hash; ~4x faster than XXH3 on 8 bytes, and float columns are
/// the profile's most common). Fixed forever, like the seeds.
#[inline(always)]
fn hash_f64(x: f64) -> u64 {
    let mut h = (x + 0.0).to_bits() ^ SEED_F64;
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Rows of a string column per part hashed on its own thread, at least.
const PART: usize = 1 << 17;

pub const DEFAULT_LG_K: u8 = 12;
pub const MIN_LG_K: u8 = 4;
pub const MAX_LG_K: u8 = 21;

/// A HyperLogLog distinct-count sketch. See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinctCount {
    lg_k: u8,
    registers: Vec<u8>,
    null_count: u64,
}

fn check_lg_k(lg_k: u64) -> Result<u8> {
    if lg_k < u64::from(MIN_LG_K) || lg_k > u64::from(MAX_LG_K) {
        return Err(Error::InvalidArgument(format!(
            "lg_k is {lg_k}; it must lie in {MIN_LG_K}..={MAX_LG_K}"
        )));
    }
    Ok(lg_k as u8)
}

/// The stable 64-bit hash of a category: XXH3-64 of the value's bytes (a boolean as one
/// byte, an integer as 16 little-endian bytes) under its type's seed, so `1`, `true` and
/// `"1"` differ.
fn hash(c: CatRef<'_>) -> u64 {
    match c {
        CatRef::Bool(b) => xxh3_64_with_seed(&[u8::from(b)], SEED_BOOL),
        CatRef::Int(i) => xxh3_64_with_seed(&i.to_le_bytes(), SEED_INT),
        CatRef::Str(s) => xxh3_64_with_seed(s, SEED_STR),
    }
}

/// Ertl's `σ(x)`: `x + Σ_k x^(2^k) 2^(k-1)` (infinite at `x = 1`).
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let (mut y, mut z) = (1.0, x);
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if z == prev {
            return z;
        }
    }
}

/// Ertl's `τ(x)`: `(1 - x - Σ_k (1 - x^(2^-k))² 2^-k) / 3`.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let (mut y, mut z) = (1.0, 1.0 - x);
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z == prev {
            return z / 3.0;
        }
    }
}

impl DistinctCount {
    /// An empty sketch of `2^lg_k` registers (`lg_k` in [`MIN_LG_K`]..=[`MAX_LG_K`];
    /// [`DEFAULT_LG_K`] is a good default).
    pub fn new(lg_k: u8) -> Result<DistinctCount> {
        let lg_k = check_lg_k(u64::from(lg_k))?;
        Ok(DistinctCount {
            lg_k,
            registers: vec![0; 1 << lg_k],
            null_count: 0,
        })
    }

    /// Counts the values of `column` (large string columns in parallel parts).
    pub fn update(&mut self, column: &CategoryColumn<'_>) -> Result<()> {
        match column {
            CategoryColumn::Strings(s) => {
                self.update_strings(s);
                Ok(())
            }
            _ => feed(column, self),
        }
    }

    /// Counts the present, non-NaN values of a numeric chunk: integers (and booleans) hash as
    /// they do in a categorical column, so an integer column counts alike either way; floats
    /// hash by their bits (`-0.0` as `+0.0`, so the two zeros are one value) under their own
    /// seed. NaN is not a value here (it is counted by `Moments`); nulls are counted.
    pub fn update_numbers(&mut self, chunk: &Chunk<'_>) {
        fn floats<T: Numeric>(d: &mut DistinctCount, xs: &[T], validity: Option<Validity<'_>>) {
            let Some(v) = validity else {
                // No nulls: a tight loop the compiler pipelines (hashes are independent).
                for &x in xs {
                    let x = x.to_f64();
                    if !x.is_nan() {
                        d.insert(hash_f64(x));
                    }
                }
                return;
            };
            for (i, &x) in xs.iter().enumerate() {
                if !v.is_valid(i) {
                    d.null_count += 1;
                    continue;
                }
                let x = x.to_f64();
                if !x.is_nan() {
                    d.insert(hash_f64(x));
                }
            }
        }
        match chunk.values {
            Values::F64(xs) => floats(self, xs, chunk.validity),
            Values::F32(xs) => floats(self, xs, chunk.validity),
            Values::Null(n) => self.null_count += n as u64,
            _ => {
                // Integers and booleans: the categorical path (it cannot fail on them).
                let _ = feed(&CategoryColumn::Values(*chunk), self);
            }
        }
    }

    /// The sketch of the values `counts` counted: each category once (a HyperLogLog sketch
    /// depends only on which values occurred), and its nulls. Exact category counts hold
    /// their distinct count outright; a table profile builds the sketch this way only when
    /// it must merge with one, or its counts give way to frequent items.
    pub fn from_category_counts(
        counts: &crate::binned::categorical::CategoryCounts,
        lg_k: u8,
    ) -> Result<DistinctCount> {
        let mut d = DistinctCount::new(lg_k)?;
        for c in counts.categories() {
            d.insert(hash(c.as_ref()));
        }
        d.null_count = counts.null_count();
        Ok(d)
    }

    /// Hashes `s` in up to one part per thread, merging the parts' registers into these.
    fn update_strings(&mut self, s: &StrArray<'_>) {
        let n = s.len();
        let parts = rayon::current_num_threads().min(n / PART).max(1);
        let lg_k = self.lg_k;
        let sketches: Vec<DistinctCount> = (0..parts)
            .into_par_iter()
            .map(|p| {
                let mut d = DistinctCount {
                    lg_k,
                    registers: vec![0; 1 << lg_k],
                    null_count: 0,
                };
                for i in p * n / parts..(p + 1) * n / parts {
                    match s.get(i) {
                        Some(b) => d.insert(hash(CatRef::Str(b))),
                        None => d.null_count += 1,
                    }
                }
                d
            })
            .collect();
        for d in &sketches {
            self.absorb(d);
        }
    }

    /// The largest register value: one more than the bits left after the index.
    fn q(&self) -> u8 {
        64 - self.lg_k
    }

    #[inline(always)]
    fn insert(&mut self, h: u64) {
        let idx = (h >> self.q()) as usize;
        let rest = h << self.lg_k;
        let rho = (rest.leading_zeros() as u8).min(self.q()) + 1;
        if let Some(r) = self.registers.get_mut(idx) {
            *r = (*r).max(rho);
        }
    }

    /// Folds `other` in (same `lg_k`): the sketch of both inputs.
    pub fn merge(&mut self, other: &DistinctCount) -> Result<()> {
        if self.lg_k != other.lg_k {
            return Err(Error::Incompatible(format!(
                "distinct-count sketches of different lg_k ({} and {}) cannot be merged",
                self.lg_k, other.lg_k
            )));
        }
        self.absorb(other);
        Ok(())
    }

    /// [`DistinctCount::merge`] of a sketch known to have the same `lg_k`.
    fn absorb(&mut self, other: &DistinctCount) {
        for (a, &b) in self.registers.iter_mut().zip(&other.registers) {
            *a = (*a).max(b);
        }
        self.null_count = self.null_count.saturating_add(other.null_count);
    }

    /// The estimated number of distinct non-null values.
    pub fn estimate(&self) -> f64 {
        let m = self.registers.len() as f64;
        let q = usize::from(self.q());
        let mut hist = vec![0u64; q + 2];
        for &r in &self.registers {
            if let Some(h) = hist.get_mut(usize::from(r)) {
                *h += 1;
            }
        }
        if hist[0] == self.registers.len() as u64 {
            return 0.0;
        }
        let mut z = m * tau(1.0 - hist[q + 1] as f64 / m);
        for k in (1..=q).rev() {
            z = 0.5 * (z + hist[k] as f64);
        }
        z += m * sigma(hist[0] as f64 / m);
        m * m / (2.0 * std::f64::consts::LN_2 * z)
    }

    /// The relative standard error, `1.04 / sqrt(m)`.
    pub fn relative_standard_error(&self) -> f64 {
        1.04 / (self.registers.len() as f64).sqrt()
    }

    /// A lower bound `std` standard errors below the estimate (at least the number of
    /// registers set, each of which some distinct value reached).
    pub fn lower_bound(&self, std: f64) -> f64 {
        let set = self.registers.iter().filter(|&&r| r > 0).count() as f64;
        let e = self.estimate();
        (e * (1.0 - std * self.relative_standard_error())).max(set)
    }

    /// An upper bound `std` standard errors above the estimate.
    pub fn upper_bound(&self, std: f64) -> f64 {
        self.estimate() * (1.0 + std * self.relative_standard_error())
    }

    pub fn lg_k(&self) -> u8 {
        self.lg_k
    }

    pub fn null_count(&self) -> u64 {
        self.null_count
    }

    /// Whether no value was counted.
    pub fn is_empty(&self) -> bool {
        self.registers.iter().all(|&r| r == 0)
    }

    /// Serializes into the versioned driftscope envelope (kind `HLLD`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new(Kind::DistinctCount);
        w.u8(self.lg_k).u64(self.null_count).bytes(&self.registers);
        w.finish()
    }

    /// Reads bytes written by [`DistinctCount::to_bytes`], checking that they are intact.
    pub fn from_bytes(bytes: &[u8]) -> Result<DistinctCount> {
        // Format 1 (SipHash-1-3) is refused by the registry: its registers do not merge.
        let mut r = Reader::open(bytes, Kind::DistinctCount)?;
        let lg_k = check_lg_k(u64::from(r.u8()?)).map_err(|_| r.invalid("lg_k out of range"))?;
        let null_count = r.u64()?;
        let registers = r.bytes()?.to_vec();
        if registers.len() != 1 << lg_k {
            return Err(r.invalid("wrong number of registers"));
        }
        if registers.iter().any(|&x| x > 65 - lg_k) {
            return Err(r.invalid("a register is out of range"));
        }
        r.finish()?;
        Ok(DistinctCount {
            lg_k,
            registers,
            null_count,
        })
    }
}

impl CategorySink for DistinctCount {
    fn count(&mut self, c: CatRef<'_>, n: u64) -> Result<()> {
        if n > 0 {
            self.insert(hash(c));
        }
        Ok(())
    }

    fn nulls(&mut self, n: u64) {
        self.null_count = self.null_count.saturating_add(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binned::categorical::Offsets;
    use crate::io::column::{Chunk, Validity, Values};

    fn sketch(vals: &[i64], lg_k: u8) -> DistinctCount {
        let mut d = DistinctCount::new(lg_k).unwrap();
        d.update(&CategoryColumn::Values(Chunk::new(Values::I64(vals), None)))
            .unwrap();
        d
    }

    #[test]
    fn estimates_within_three_standard_errors() {
        for n in [0usize, 1, 2, 100, 3000, 10_000, 20_000, 100_000, 1_000_000] {
            // Every value twice: duplicates do not count.
            let vals: Vec<i64> = (0..2 * n as i64).map(|i| i / 2 * 7919 - 3).collect();
            let d = sketch(&vals, DEFAULT_LG_K);
            let e = d.estimate();
            let tol = 3.0 * d.relative_standard_error() * n as f64;
            assert!((e - n as f64).abs() <= tol.max(1e-9), "{n}: {e}");
            assert!(d.lower_bound(3.0) <= n as f64 && n as f64 <= d.upper_bound(3.0));
        }
        let a = sketch(&(0..50_000).collect::<Vec<_>>(), 12);
        let mut b = sketch(&(25_000..90_000).collect::<Vec<_>>(), 12);
        b.merge(&a).unwrap();
        assert_eq!(b, sketch(&(0..90_000).collect::<Vec<_>>(), 12));
        assert!(b.merge(&DistinctCount::new(10).unwrap()).is_err());
        assert!(DistinctCount::new(3).is_err() && DistinctCount::new(22).is_err());
        // Types are told apart.
        let mut t = DistinctCount::new(12).unwrap();
        t.count(CatRef::Int(1), 1).unwrap();
        t.count(CatRef::Bool(true), 1).unwrap();
        t.count(CatRef::Str(b"1"), 3).unwrap();
        assert!((t.estimate() - 3.0).abs() < 0.01);
    }

    #[test]
    fn hashes_are_pinned() {
        // XXH3-64 as the reference implementation computes it (python-xxhash 3.x).
        assert_eq!(hash(CatRef::Str(b"cell-000001")), 0xfa7e_d6ee_dc37_d033);
        assert_eq!(hash(CatRef::Str(b"")), 0x055f_6f0e_5fd5_92ce);
        assert_eq!(hash(CatRef::Int(1)), 0x0762_8f61_8e27_d0ef);
        assert_eq!(hash(CatRef::Bool(true)), 0x6374_baa5_c4dd_8433);
    }

    // Computed independently (Python, the fmix64 constants) for 1.5 under SEED_F64.
    const PINNED_1_5: u64 = 0x3d85_699a_84da_10fb;

    #[test]
    fn numeric_columns_count_their_distinct_values() {
        let ints: Vec<i64> = (0..5000).map(|i| i % 300).collect();
        let mut a = DistinctCount::new(12).unwrap();
        a.update_numbers(&Chunk::new(Values::I64(&ints), None));
        let mut b = DistinctCount::new(12).unwrap();
        b.update(&CategoryColumn::Values(Chunk::new(
            Values::I64(&ints),
            None,
        )))
        .unwrap();
        assert_eq!(a, b, "integers hash as in a categorical column");
        assert!((a.estimate() - 300.0).abs() < 10.0);
        let floats: Vec<f64> = (0..4000)
            .map(|i| match i % 5 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                _ => (i % 200) as f64 * 0.5,
            })
            .collect();
        let mut f = DistinctCount::new(12).unwrap();
        f.update_numbers(&Chunk::new(Values::F64(&floats), None));
        // The zeros are one value (0.0 is also among the halves); NaN is not a value.
        let want: std::collections::HashSet<u64> = floats
            .iter()
            .filter(|x| !x.is_nan())
            .map(|x| (x + 0.0).to_bits())
            .collect();
        assert!(
            (f.estimate() - want.len() as f64).abs() < 5.0,
            "{}",
            f.estimate()
        );
        // Pinned: fmix64 of 1.5's bits under the seed (and -0.0 hashes as +0.0).
        assert_eq!(hash_f64(1.5), hash_f64(1.5 + 0.0));
        assert_eq!(hash_f64(-0.0), hash_f64(0.0));
        assert_eq!(hash_f64(1.5), PINNED_1_5);
    }

    /// An Arrow string array of `vals` (every seventh null).
    fn strings(vals: &[String]) -> (Vec<i32>, Vec<u8>, Vec<u8>) {
        let mut off = vec![0i32];
        let mut data = Vec::new();
        let mut bits = vec![0u8; vals.len().div_ceil(8)];
        for (i, v) in vals.iter().enumerate() {
            if i % 7 != 3 {
                data.extend_from_slice(v.as_bytes());
                bits[i / 8] |= 1 << (i % 8);
            }
            off.push(data.len() as i32);
        }
        (off, data, bits)
    }

    #[test]
    fn parallel_strings_equal_one_pass() {
        let vals: Vec<String> = (0..3 * PART + 11)
            .map(|i| format!("v{}", (i * 7919) % 100_003))
            .collect();
        let (off, data, bits) = strings(&vals);
        let v = Validity::new(&bits, 0, vals.len()).unwrap();
        let arr = StrArray::new(Offsets::I32(&off), &data, Some(v)).unwrap();
        let mut par = DistinctCount::new(12).unwrap();
        par.update(&CategoryColumn::Strings(arr)).unwrap();
        let mut one = DistinctCount::new(12).unwrap();
        for i in 0..arr.len() {
            match arr.get(i) {
                Some(b) => one.count(CatRef::Str(b), 1).unwrap(),
                None => one.nulls(1),
            }
        }
        assert_eq!(par, one);
        let nulls = (0..vals.len()).filter(|i| i % 7 == 3).count();
        assert_eq!(par.null_count(), nulls as u64);
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let mut d = sketch(&(0..5000).collect::<Vec<_>>(), 6);
        d.nulls(4);
        let b = d.to_bytes().unwrap();
        assert_eq!(DistinctCount::from_bytes(&b).unwrap(), d);
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x40;
            assert!(DistinctCount::from_bytes(&bad).is_err(), "byte {i}");
        }
        for n in 0..b.len() {
            assert!(DistinctCount::from_bytes(&b[..n]).is_err());
        }
        let mut w = Writer::new(Kind::DistinctCount);
        w.u8(4).u64(0).bytes(&[70; 16]);
        assert!(DistinctCount::from_bytes(&w.finish().unwrap()).is_err());
        // Format 1 (SipHash registers) is refused.
        let mut w = Writer::forge(Kind::DistinctCount, 1);
        w.u8(4).u64(0).bytes(&[1; 16]);
        let e = DistinctCount::from_bytes(&w.finish().unwrap()).unwrap_err();
        assert!(e.to_string().contains("SipHash"), "{e}");
    }
}
