//! Golden files: every serialized format pinned (the versioning rule is in
//! `src/io/serial.rs`; KLL's DataSketches format is pinned by `kll_datasketches.rs`).
//!
//! Each file under `tests/data/golden/` is named `<kind>_v<version>_<case>.bin` and was written
//! once from the deterministic data of its case below. Every run loads each file and checks
//! the values it holds (pinned as literals, not recomputed), and that a file of the current
//! version re-serializes to the same bytes. Files of older versions stay forever: they must
//! keep loading to the same values; a retired version's file must keep being refused.
//!
//! Writing files: `DRIFTSCOPE_WRITE_GOLDEN=1 cargo test -p driftscope-core --test golden`
//! writes the current version's files that are missing, and never overwrites one. After a
//! format version bump, add cases for the new version (keep the old ones, with their checks)
//! and run that once; then pin the new files' values in their checks, and run the tests again
//! without the variable (the directory check skips while files are being written).

#![allow(clippy::unwrap_used)]

use std::fmt::Debug;
use std::path::PathBuf;

use driftscope_core::binned::categorical::{CategoryColumn, Offsets, StrArray};
use driftscope_core::io::logical::{ColumnType, LogicalType, TimeUnit};
use driftscope_core::io::serial::{Kind, REGISTRY};
use driftscope_core::profile::{ColumnBatch, Options, Summary as ColumnSummary};
use driftscope_core::{
    Category, CategoryCounts, Chunk, DistinctCount, Ecdf, FrequentItems, GridHistogram, Histogram,
    Moments, Profile, Result, Validity, Values,
};

const WRITE: &str = "DRIFTSCOPE_WRITE_GOLDEN";

/// A summary written in the envelope.
trait Summary: Sized + PartialEq + Debug {
    const KIND: Kind;
    fn encode(&self) -> Result<Vec<u8>>;
    fn decode(bytes: &[u8]) -> Result<Self>;
}

macro_rules! summary {
    ($($t:ident),*) => {$(
        impl Summary for $t {
            const KIND: Kind = Kind::$t;
            fn encode(&self) -> Result<Vec<u8>> {
                self.to_bytes()
            }
            fn decode(bytes: &[u8]) -> Result<Self> {
                $t::from_bytes(bytes)
            }
        }
    )*};
}

summary!(
    Moments,
    Histogram,
    CategoryCounts,
    Ecdf,
    FrequentItems,
    DistinctCount,
    GridHistogram,
    Profile
);

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/golden")
}

fn file_name(kind: Kind, version: u16, case: &str) -> String {
    format!(
        "{}_v{version}_{case}.bin",
        kind.format().name.to_lowercase()
    )
}

/// Checks golden file `case` of `T`'s format `version`: it decodes to a summary that passes
/// `check`, and one of the current version re-serializes to the same bytes. `build` makes the
/// summary the file was written from (called for the current version only).
fn golden<T: Summary>(version: u16, case: &str, build: fn() -> T, check: fn(&T)) {
    let current = T::KIND.format().version;
    let path = dir().join(file_name(T::KIND, version, case));
    if version == current {
        let built = build();
        let bytes = built.encode().unwrap();
        assert_eq!(T::decode(&bytes).unwrap(), built);
        if std::env::var_os(WRITE).is_some() && !path.exists() {
            std::fs::create_dir_all(dir()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
    }
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} ({WRITE}=1 writes it)", path.display()));
    assert_eq!(version_of(&bytes), version, "{}", path.display());
    let s = T::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    check(&s);
    let again = s.encode().unwrap();
    if version == current {
        assert!(
            again == bytes,
            "{}: re-serialized bytes differ",
            path.display()
        );
    } else {
        assert_eq!(T::decode(&again).unwrap(), s);
    }
}

fn version_of(bytes: &[u8]) -> u16 {
    u16::from_le_bytes([bytes[8], bytes[9]])
}

/// `a` and `b` equal to a relative 1e-14 (for statistics derived with libm functions).
fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-14 * b.abs(), "{a:?} != {b:?}");
}

/// A validity bitmap with the listed positions null.
fn nulls_at(len: usize, null: &[usize]) -> Vec<u8> {
    let mut bits = vec![0xffu8; len.div_ceil(8)];
    for &i in null {
        bits[i / 8] &= !(1 << (i % 8));
    }
    bits
}

/// Passes `vals` (`None` is null) as an Arrow string column to `update`.
fn strings(vals: &[Option<&str>], update: impl FnOnce(&CategoryColumn<'_>)) {
    let mut off = vec![0i32];
    let mut data = Vec::new();
    let mut null = Vec::new();
    for (i, v) in vals.iter().enumerate() {
        match v {
            Some(s) => data.extend_from_slice(s.as_bytes()),
            None => null.push(i),
        }
        off.push(data.len() as i32);
    }
    let bits = nulls_at(vals.len(), &null);
    let v = Validity::new(&bits, 0, vals.len()).unwrap();
    let s = StrArray::new(Offsets::I32(&off), &data, Some(v)).unwrap();
    update(&CategoryColumn::Strings(s));
}

/// `c` after counting the words of `spec` as a string column (`~` is null, `''` empty).
fn counted(mut c: CategoryCounts, spec: &str) -> CategoryCounts {
    let vals: Vec<Option<&str>> = spec
        .split_whitespace()
        .map(|w| match w {
            "~" => None,
            "''" => Some(""),
            w => Some(w),
        })
        .collect();
    strings(&vals, |col| c.update(col).unwrap());
    c
}

fn values(v: Values<'_>) -> CategoryColumn<'_> {
    CategoryColumn::Values(Chunk::new(v, None))
}

fn str_cat(s: &str) -> Category {
    Category::Str(s.into())
}

fn items(c: &CategoryCounts) -> Vec<(Category, u64)> {
    c.categories()
        .iter()
        .cloned()
        .zip(c.counts().iter().copied())
        .collect()
}

// Builders: the data each golden file was written from.

fn moments_finite() -> Moments {
    let xs: Vec<f64> = (0..5000)
        .map(|i| ((i * 7919) % 10007) as f64 / 16.0 - 300.0)
        .collect();
    Moments::from(&xs[..])
}

fn moments_special() -> Moments {
    let inf = f64::INFINITY;
    let xs = [
        1.5,
        f64::NAN,
        inf,
        -2.0,
        -inf,
        4.25,
        inf,
        0.0,
        f64::NAN,
        8.0,
    ];
    let bits = nulls_at(xs.len(), &[3, 7]);
    let mut m = Moments::of(&Chunk::new(
        Values::F64(&xs),
        Some(Validity::new(&bits, 0, xs.len()).unwrap()),
    ));
    m.update(&Chunk::new(Values::Null(3), None));
    m
}

fn moments_tiny() -> Moments {
    let xs: Vec<f64> = (0..300)
        .map(|i| (1.0 + (i % 17) as f64 / 8.0) * 1e-300)
        .collect();
    Moments::from(&xs[..])
}

fn histogram_uniform() -> Histogram {
    let mut h = Histogram::uniform(0.0, 10.0, 5).unwrap();
    let inf = f64::INFINITY;
    let xs = [
        -5.0,
        -0.0,
        0.0,
        1.99,
        2.0,
        3.0,
        9.99,
        10.0,
        10.5,
        inf,
        -inf,
        f64::NAN,
        4.0,
        6.0,
        7.0,
    ];
    h.update(&Chunk::new(Values::F64(&xs), None));
    h.update(&Chunk::new(Values::Null(2), None));
    h
}

fn histogram_edges() -> Histogram {
    let mut h = Histogram::with_edges(vec![-1.0, 0.0, 0.5, 2.0, 10.0]).unwrap();
    let xs = [-3i32, -1, 0, 0, 1, 2, 2, 5, 10, 11];
    let bits = nulls_at(xs.len(), &[4]);
    h.update(&Chunk::new(
        Values::I32(&xs),
        Some(Validity::new(&bits, 0, xs.len()).unwrap()),
    ));
    h
}

fn categories_strings() -> CategoryCounts {
    counted(
        CategoryCounts::new(1024).unwrap(),
        "red green blue green '' red ünïcode ~ red",
    )
}

fn categories_mixed() -> CategoryCounts {
    let mut c = CategoryCounts::new(4).unwrap();
    c.update(&values(Values::I64(&[
        5, -1, 5, 7, -1, 9, 5, 11, -1, 13, 5, -1, -1, -1,
    ])))
    .unwrap();
    c.update(&values(Values::U64(&[u64::MAX; 5]))).unwrap();
    c.update(&values(Values::Bool(&[true, false, true, true])))
        .unwrap();
    c
}

/// A fixed domain: the top two of five categories of a reference of capacity 3.
fn categories_topk() -> CategoryCounts {
    let reference = counted(CategoryCounts::new(3).unwrap(), "a b a c a b d e ~ a");
    reference.top_k(2)
}

/// Current data counted over that domain, with unseen values.
fn categories_current() -> CategoryCounts {
    counted(categories_topk().empty_like(), "a x b y x z w ~ ~ x v")
}

fn ecdf_small() -> Ecdf {
    let inf = f64::INFINITY;
    let xs = [2.0, f64::NAN, -1.0, inf, 0.5, 0.5, -0.0, -inf, 3.25, 7.0];
    let bits = nulls_at(xs.len(), &[9]);
    let v = Validity::new(&bits, 0, xs.len()).unwrap();
    Ecdf::from_chunks(&[Chunk::new(Values::F64(&xs), Some(v))]).unwrap()
}

/// Item `k` of 0..20 repeated `20 - k` times, interleaved: more items than 6 counters.
fn zipf_ranks() -> Vec<i64> {
    let mut out = Vec::new();
    for round in 0..20 {
        for k in 0..20 - round {
            out.push(k);
        }
    }
    out
}

fn frequent_strings() -> FrequentItems {
    let mut f = FrequentItems::new(8).unwrap();
    let names: Vec<String> = zipf_ranks().iter().map(|k| format!("s{k}")).collect();
    let mut vals: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
    vals.extend([None, None]);
    strings(&vals, |col| f.update(col).unwrap());
    f
}

fn frequent_ints() -> FrequentItems {
    let mut f = FrequentItems::new(8).unwrap();
    let ints: Vec<i64> = zipf_ranks().iter().map(|k| k * 1000 - 3).collect();
    f.update(&values(Values::I64(&ints))).unwrap();
    f.update(&values(Values::Bool(&[true]))).unwrap();
    f
}

/// Strings (some null), integers and booleans; `lg_k = 8`. The format-1 file holds the same
/// data hashed with SipHash-1-3 (written by driftscope at commit 6b983a4).
fn distinct_mixed() -> DistinctCount {
    let mut d = DistinctCount::new(8).unwrap();
    let names: Vec<String> = (0..1000)
        .map(|i| format!("cell-{:06}", (i * 37) % 500))
        .collect();
    let vals: Vec<Option<&str>> = names
        .iter()
        .enumerate()
        .map(|(i, s)| (i % 7 != 3).then_some(s.as_str()))
        .collect();
    strings(&vals, |col| d.update(col).unwrap());
    let ints: Vec<i64> = (0..400i64)
        .map(|i| if i % 2 == 0 { (i * i) % 211 } else { -(i % 50) })
        .collect();
    d.update(&values(Values::I64(&ints))).unwrap();
    d.update(&values(Values::Bool(&[true, false, true])))
        .unwrap();
    d
}

fn distinct_small() -> DistinctCount {
    let mut d = DistinctCount::new(4).unwrap();
    let ints: Vec<i64> = (0..1000).collect();
    d.update(&values(Values::I64(&ints))).unwrap();
    d
}

/// 64 bins of floats, counted in two chunks: the second grows the window (negative values,
/// ties, both zeros, NaN, ±inf and nulls).
fn grid_float() -> GridHistogram {
    let mut g = GridHistogram::new(64, false).unwrap();
    let inf = f64::INFINITY;
    let first = [0.5, 1.25, -0.0, 0.0, 3.0, 3.0, f64::NAN, inf];
    g.update(&Chunk::new(Values::F64(&first), None)).unwrap();
    let xs = [-2.5, 7.75, -inf, 3.0, 1.0, 9.0, 0.125, -1.0];
    let bits = nulls_at(xs.len(), &[5]);
    let v = Validity::new(&bits, 0, xs.len()).unwrap();
    g.update(&Chunk::new(Values::F64(&xs), Some(v))).unwrap();
    g
}

/// 16 integer bins of int32 values spanning more than 16 integers (bins of width 4).
fn grid_integer() -> GridHistogram {
    let mut g = GridHistogram::new(16, true).unwrap();
    let xs = [-7i32, -7, 0, 3, 4, 12, 40, 41, 2, 19];
    let bits = nulls_at(xs.len(), &[8]);
    let v = Validity::new(&bits, 0, xs.len()).unwrap();
    g.update(&Chunk::new(Values::I32(&xs), Some(v))).unwrap();
    g
}

/// The default histogram of a column without any finite value.
fn grid_nonfinite() -> GridHistogram {
    let mut g = GridHistogram::default();
    let xs = [f64::NAN, f64::INFINITY, f64::NAN];
    g.update(&Chunk::new(Values::F64(&xs), None)).unwrap();
    g.update(&Chunk::new(Values::Null(4), None)).unwrap();
    g
}

// The checks: the values each file holds.

#[test]
fn moments() {
    golden(1, "finite", moments_finite, |m| {
        assert_eq!((m.count(), m.null_count(), m.nan_count()), (5000, 0, 0));
        assert_eq!((m.min(), m.max()), (-300.0, 325.375));
        assert_eq!((m.sum(), m.mean()), (64442.375, 12.888475));
        assert_eq!(m.variance(0.0), 32611.071604361874);
        close(m.std(1.0), 180.60341946759078);
        close(m.skewness(true), -0.00013743604322224114);
        close(m.kurtosis(true, true), -1.2001467752511257);
    });
    golden(1, "special", moments_special, |m| {
        // Finite 1.5, 4.25, 8.0; +inf twice, -inf once; two NaN; 2 + 3 nulls.
        assert_eq!(
            (m.count(), m.inf_count(), m.nan_count(), m.null_count()),
            (6, 3, 2, 5)
        );
        assert_eq!((m.min(), m.max()), (f64::NEG_INFINITY, f64::INFINITY));
        assert!(m.sum().is_nan() && m.mean().is_nan() && m.variance(0.0).is_nan());
    });
    golden(1, "tiny", moments_tiny, |m| {
        // Values near 1e-300: the variance underflows, the standard deviation must not.
        assert_eq!((m.count(), m.min(), m.max()), (300, 1e-300, 3e-300));
        assert_eq!((m.sum(), m.mean()), (5.95875e-298, 1.98625e-300));
        assert_eq!(m.variance(0.0), 0.0);
        close(m.std(0.0), 6.098740477891044e-301);
        close(m.skewness(true), 0.030710929760103246);
        close(m.kurtosis(true, true), -1.19415094917553);
    });
    golden(1, "empty", Moments::new, |m| {
        assert_eq!((m.count(), m.null_count(), m.sum()), (0, 0, 0.0));
        assert!(m.min().is_nan() && m.max().is_nan() && m.mean().is_nan());
        assert_eq!(m, &Moments::new());
    });
}

#[test]
fn histogram() {
    golden(1, "uniform", histogram_uniform, |h| {
        assert_eq!(h.edges(), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert!(h.is_uniform());
        // Under: -5, -inf. [0,2): -0, 0, 1.99. [2,4): 2, 3. [4,6): 4. [6,8): 6, 7.
        // [8,10]: 9.99, 10. Over: 10.5, +inf.
        assert_eq!(h.counts(), [2, 3, 2, 1, 2, 2, 2]);
        assert_eq!((h.underflow(), h.overflow()), (2, 2));
        assert_eq!((h.null_count(), h.nan_count(), h.count()), (2, 1, 14));
    });
    golden(1, "edges", histogram_edges, |h| {
        assert_eq!(h.edges(), [-1.0, 0.0, 0.5, 2.0, 10.0]);
        assert!(!h.is_uniform());
        // Under: -3. [-1,0): -1. [0,0.5): 0, 0. [0.5,2): the 1 is null. [2,10]: 2, 2, 5, 10.
        // Over: 11.
        assert_eq!(h.counts(), [1, 1, 2, 0, 4, 1]);
        assert_eq!((h.null_count(), h.nan_count()), (1, 0));
    });
}

#[test]
fn category_counts() {
    golden(1, "strings", categories_strings, |c| {
        let want = [
            ("red", 3),
            ("green", 2),
            ("blue", 1),
            ("", 1),
            ("ünïcode", 1),
        ];
        let want: Vec<_> = want.iter().map(|&(s, n)| (str_cat(s), n)).collect();
        assert_eq!(items(c), want);
        assert!(!c.is_fixed());
        assert_eq!((c.capacity(), c.other_count(), c.error()), (1024, 0, 0));
        assert_eq!((c.null_count(), c.total()), (1, 8));
    });
    golden(1, "mixed", categories_mixed, |c| {
        // Capacity 4: purged, so counts are lower bounds and the rest is `other`.
        let want = vec![
            (Category::Int(-1), 6),
            (Category::Int(u64::MAX.into()), 5),
            (Category::Bool(true), 3),
        ];
        assert_eq!(items(c), want);
        assert_eq!((c.capacity(), c.other_count(), c.error()), (4, 9, 5));
        assert_eq!((c.null_count(), c.total()), (0, 23));
    });
    golden(1, "topk", categories_topk, |c| {
        // a: 4, b: 2 kept; c, d, e (1 each) go to `other`, capacity 3 keeps one example.
        assert!(c.is_fixed());
        assert_eq!(items(c), vec![(str_cat("a"), 4), (str_cat("b"), 2)]);
        assert_eq!((c.capacity(), c.other_count(), c.error()), (3, 3, 1));
        assert_eq!(c.unseen(10), vec![(str_cat("e"), 1)]);
        assert_eq!((c.unseen_error(), c.null_count(), c.total()), (0, 1, 9));
    });
    golden(1, "current", categories_current, |c| {
        assert!(c.is_fixed());
        assert_eq!(items(c), vec![(str_cat("a"), 1), (str_cat("b"), 1)]);
        assert_eq!((c.capacity(), c.other_count(), c.error()), (3, 7, 0));
        let unseen = vec![(str_cat("x"), 3), (str_cat("v"), 1), (str_cat("y"), 1)];
        assert_eq!(c.unseen(10), unseen);
        assert_eq!((c.unseen_error(), c.null_count(), c.total()), (1, 2, 9));
    });
}

#[test]
fn ecdf() {
    golden(1, "small", ecdf_small, |e| {
        let inf = f64::INFINITY;
        assert_eq!(e.values(), [-inf, -1.0, 0.0, 0.5, 0.5, 2.0, 3.25, inf]);
        assert!(e.values()[2].is_sign_positive(), "-0.0 is stored as 0.0");
        let s = e.sample();
        assert_eq!((s.null_count, s.nan_count), (1, 1));
        assert_eq!((s.pos_inf_count, s.neg_inf_count), (1, 1));
        assert_eq!((e.n(), e.cdf(0.5)), (8, 0.625));
    });
}

#[test]
fn frequent_items() {
    use driftscope_core::sketch::frequent::ErrorType::NoFalseNegatives;
    // (item, estimate, lower bound, upper bound) of every item held.
    fn rows(f: &FrequentItems) -> Vec<(Category, u64, u64, u64)> {
        let rows = f.frequent_items(NoFalseNegatives, 0);
        let row = |r: driftscope_core::sketch::frequent::Row| {
            (r.item, r.estimate, r.lower_bound, r.upper_bound)
        };
        rows.into_iter().map(row).collect()
    }
    golden(1, "strings", frequent_strings, |f| {
        // s_k was seen 20 - k times: 210 in all, 20 items for 6 counters, so it purged.
        assert_eq!((f.max_map_size(), f.n(), f.null_count()), (8, 210, 2));
        assert_eq!((f.maximum_error(), f.num_active()), (14, 6));
        let want: Vec<_> = (0..6u64)
            .map(|k| (str_cat(&format!("s{k}")), 20 - k, 6 - k, 20 - k))
            .collect();
        assert_eq!(rows(f), want);
    });
    golden(1, "ints", frequent_ints, |f| {
        assert_eq!((f.max_map_size(), f.n(), f.null_count()), (8, 211, 0));
        assert_eq!((f.maximum_error(), f.num_active()), (30, 3));
        let want = vec![
            (Category::Int(-3), 33, 3, 33),
            (Category::Int(997), 32, 2, 32),
            (Category::Int(1997), 31, 1, 31),
        ];
        assert_eq!(rows(f), want);
    });
}

#[test]
fn distinct_count() {
    // 633 distinct values: 500 strings, 106 squares mod 211, 25 negatives, 2 booleans.
    golden(2, "mixed", distinct_mixed, |d| {
        assert_eq!((d.lg_k(), d.null_count()), (8, 143));
        close(d.estimate(), 554.2484004396454);
        close(d.upper_bound(3.0), 662.3268385253763);
    });
    golden(2, "small", distinct_small, |d| {
        assert_eq!((d.lg_k(), d.null_count()), (4, 0));
        close(d.estimate(), 1189.2888327006176);
    });
    // Format 1 (SipHash-1-3, written by driftscope at commit 6b983a4 from the data of
    // `distinct_mixed`) is retired: refused, saying why and what to do.
    let bytes = std::fs::read(dir().join("distinctcount_v1_mixed.bin")).unwrap();
    let e = DistinctCount::from_bytes(&bytes).unwrap_err().to_string();
    assert!(e.contains("format 1, which is no longer read"), "{e}");
    assert!(
        e.contains("SipHash-1-3") && e.contains("sketch the data again"),
        "{e}"
    );
}

#[test]
fn grid_histogram() {
    golden(1, "float", grid_float, |g| {
        // Finite values in [-2.5, 7.75]: bins of 1/4 from cell -10 (42 cells < 64; 1/8
        // would need 83).
        assert_eq!((g.bins(), g.is_integer()), (64, false));
        assert_eq!((g.exponent(), g.start(), g.width()), (-2, -10, 0.25));
        assert_eq!(&g.edges()[..3], [-2.5, -2.25, -2.0]);
        let mut want = [0u64; 64];
        // -2.5; -1; -0, 0, 0.125; 0.5; 1; 1.25; 3 three times; 7.75 (9 is null).
        for (i, n) in [
            (0, 1),
            (6, 1),
            (10, 3),
            (12, 1),
            (14, 1),
            (15, 1),
            (22, 3),
            (41, 1),
        ] {
            want[i] = n;
        }
        assert_eq!(g.counts(), want);
        assert_eq!((g.neg_inf(), g.pos_inf()), (1, 1));
        assert_eq!((g.nan_count(), g.null_count(), g.count()), (1, 1, 12));
    });
    golden(1, "integer", grid_integer, |g| {
        // [-7, 41] in 16 bins of 4 integers from -8.
        assert_eq!((g.bins(), g.is_integer()), (16, true));
        assert_eq!((g.exponent(), g.start(), g.width()), (2, -2, 4.0));
        assert_eq!(g.counts(), [2, 0, 2, 1, 0, 1, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0]);
        assert_eq!((g.null_count(), g.count()), (1, 9));
    });
    golden(1, "nonfinite", grid_nonfinite, |g| {
        // No finite value: no window, the lowest exponent.
        assert!(g.is_empty());
        assert_eq!((g.bins(), g.exponent(), g.start()), (1024, -1022, 0));
        assert_eq!((g.neg_inf(), g.pos_inf()), (0, 1));
        assert_eq!((g.nan_count(), g.null_count()), (2, 4));
    });
}

/// A profile of a small table with a column of every kind, in two batches.
fn profile_mixed() -> Profile {
    let columns = vec![
        (
            "x".to_string(),
            ColumnType::Float { bits: 64 },
            "Float64".to_string(),
        ),
        (
            "n".to_string(),
            ColumnType::Int {
                bits: 64,
                signed: true,
            },
            "Int64".to_string(),
        ),
        (
            "cell".to_string(),
            ColumnType::Utf8 {
                large: false,
                view: false,
            },
            "Utf8".to_string(),
        ),
        ("ok".to_string(), ColumnType::Boolean, "Boolean".to_string()),
        (
            "at".to_string(),
            ColumnType::Timestamp {
                unit: TimeUnit::Second,
                tz: Some("UTC".into()),
            },
            "Timestamp(s, \"UTC\")".to_string(),
        ),
        ("blob".to_string(), ColumnType::Binary, "Binary".to_string()),
    ];
    let mut p = Profile::new(&columns, Options::default()).unwrap();
    p.metadata = "{\"name\": \"golden\"}".to_string();
    for part in 0..2 {
        let x: Vec<f64> = (0..6).map(|i| (part * 6 + i) as f64 * 0.5 - 1.0).collect();
        let n: Vec<i64> = (0..6).map(|i| (i % 3) as i64).collect();
        let ok = [true, false, true, true, false, true];
        let at: Vec<i64> = (0..6)
            .map(|i| 1_700_000_000 + (part * 6 + i) as i64)
            .collect();
        let nulls = nulls_at(6, &[2]);
        let v = Validity::new(&nulls, 0, 6).unwrap();
        let names = [Some("a"), Some("b"), None, Some("a"), Some("c"), Some("a")];
        strings(&names, |cell| {
            let batch = [
                ColumnBatch::Numbers(Chunk::new(Values::F64(&x), Some(v))),
                ColumnBatch::Numbers(Chunk::new(Values::I64(&n), None)),
                ColumnBatch::Categories(*cell),
                ColumnBatch::Booleans(CategoryColumn::Values(Chunk::new(Values::Bool(&ok), None))),
                ColumnBatch::Temporal(Chunk::new(Values::I64(&at), None)),
                ColumnBatch::Rows { len: 6, nulls: 1 },
            ];
            p.update(&batch, 6).unwrap();
        });
    }
    p.finish();
    p
}

#[test]
fn profile_files() {
    golden(1, "mixed", profile_mixed, |p| {
        assert_eq!((p.num_rows(), p.columns().len()), (12, 6));
        assert_eq!(p.metadata, "{\"name\": \"golden\"}");
        let kinds: Vec<LogicalType> = p.columns().iter().map(|c| c.logical).collect();
        use LogicalType::*;
        assert_eq!(
            kinds,
            [Numeric, Numeric, Categorical, Boolean, Temporal, Other]
        );
        let c = |name: &str| p.column(name).unwrap();
        assert_eq!((c("x").rows, c("x").nulls), (12, 2));
        let ColumnSummary::Numeric(x) = &c("x").summary else {
            panic!("x is numeric")
        };
        assert_eq!(
            (x.moments.count(), x.moments.min(), x.moments.max()),
            (10, -1.0, 4.5)
        );
        assert_eq!(x.moments.mean(), 1.8);
        assert_eq!(x.kll.n(), 10);
        assert_eq!(x.grid.count(), 10);
        let ColumnSummary::Numeric(n) = &c("n").summary else {
            panic!("n is numeric")
        };
        assert!(n.integer && n.frequent.as_ref().unwrap().n() == 12);
        let ColumnSummary::Categorical(cell) = &c("cell").summary else {
            panic!("cell is categorical")
        };
        let counts = cell.counts.as_ref().unwrap();
        assert_eq!(counts.count_of(&Category::Str("a".into())), 6);
        assert_eq!((counts.null_count(), c("cell").nulls), (2, 2));
        assert_eq!(cell.lengths.mean(), 1.0);
        let ColumnSummary::Boolean(ok) = &c("ok").summary else {
            panic!("ok is boolean")
        };
        assert_eq!((ok.true_count, ok.false_count), (8, 4));
        let ColumnSummary::Temporal(at) = &c("at").summary else {
            panic!("at is temporal")
        };
        assert_eq!((at.unit.as_str(), at.tz.as_deref()), ("s", Some("UTC")));
        assert_eq!((at.min, at.max), (Some(1_700_000_000), Some(1_700_000_011)));
        assert_eq!((c("blob").rows, c("blob").nulls), (12, 2));
    });
}

/// Reads any golden file as its kind says (an exhaustive match: a new kind needs its line).
fn decode_any(kind: Kind, bytes: &[u8]) -> Result<()> {
    match kind {
        Kind::Moments => Moments::decode(bytes).map(drop),
        Kind::Histogram => Histogram::decode(bytes).map(drop),
        Kind::CategoryCounts => CategoryCounts::decode(bytes).map(drop),
        Kind::Ecdf => Ecdf::decode(bytes).map(drop),
        Kind::FrequentItems => FrequentItems::decode(bytes).map(drop),
        Kind::DistinctCount => DistinctCount::decode(bytes).map(drop),
        Kind::GridHistogram => GridHistogram::decode(bytes).map(drop),
        Kind::Profile => Profile::decode(bytes).map(drop),
    }
}

/// The versioning rule, as far as files can show it: every version of every registered kind
/// has a golden file; those the registry reads load, and those it retired are refused.
#[test]
fn every_version_has_a_golden_file_that_loads_or_is_refused() {
    if std::env::var_os(WRITE).is_some() {
        // The other tests are writing files meanwhile: run again without the variable.
        return;
    }
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for f in &REGISTRY {
        for v in 1..=f.version {
            let prefix = file_name(f.kind, v, "");
            let prefix = prefix.trim_end_matches(".bin");
            let files: Vec<&String> = names.iter().filter(|n| n.starts_with(prefix)).collect();
            assert!(!files.is_empty(), "no golden file {prefix}*.bin");
            for name in files {
                let bytes = std::fs::read(dir().join(name)).unwrap();
                assert_eq!(&bytes[4..8], &f.tag, "{name}");
                assert_eq!(version_of(&bytes), v, "{name}");
                let read = decode_any(f.kind, &bytes);
                if v >= f.oldest_readable {
                    read.unwrap_or_else(|e| panic!("{name}: {e}"));
                } else {
                    let e = read.unwrap_err().to_string();
                    assert!(e.contains(f.retired), "{name}: {e}");
                }
            }
        }
    }
    // No stray file: each is named for a registered kind and a version it has had.
    for name in &names {
        let known = REGISTRY.iter().any(|f| {
            (1..=f.version)
                .any(|v| name.starts_with(file_name(f.kind, v, "").trim_end_matches(".bin")))
        });
        assert!(known && name.ends_with(".bin"), "stray golden file {name}");
    }
}
