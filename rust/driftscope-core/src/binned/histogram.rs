//! Histograms with edges fixed from a reference, for binned drift measures.
//!
//! A [`Histogram`] has `n` interior bins between `n + 1` strictly increasing finite edges,
//! with NumPy's convention (`np.histogram`): every bin is half-open `[e_i, e_{i+1})` except the
//! last, which is closed `[e_{n-1}, e_n]`. Two open outer bins, `(-inf, e_0)` and
//! `(e_n, +inf)`, catch what falls outside, so no value of the current data is dropped; ±inf
//! land there. Nulls and NaN are counted apart. The interior counts therefore equal
//! `np.histogram(x, bins=edges)[0]` for any finite data, bit for bit.
//!
//! # Edges
//!
//! [`Binning`] says how edges are taken from the reference's finite values (±inf and NaN are
//! skipped where NumPy would reject the data):
//!
//! - `Count(n)`: `n` equal bins over `[min, max]`, i.e. `np.histogram_bin_edges(x, bins=n)`,
//!   edges from `np.linspace` (a constant sample spans `[v - 0.5, v + 0.5]`, an empty one
//!   `[0, 1]`, as in NumPy);
//! - `Width(w)`: equal bins of width at most `w` spanning `[min, max]` exactly: `n =
//!   ceil((max - min) / w)` bins, as NumPy turns the widths of its named rules into a count;
//! - `Rule(r)`: NumPy's named estimators (`"auto"`, `"fd"`, `"doane"`, `"scott"`, `"stone"`,
//!   `"rice"`, `"sturges"`, `"sqrt"`), computed as `np.histogram_bin_edges(x, bins=r)` does;
//! - `Quantile(k)`: the edges `np.quantile(x, np.linspace(0, 1, k + 1))` (method `"linear"`),
//!   exact, found by selection rather than a full sort. Repeated edges (ties in the data) are
//!   dropped, keeping the first, so a heavy value yields fewer, wider bins; a single
//!   remaining edge `v` becomes `[v - 0.5, v + 0.5]`, and an empty reference gives `[0, 1]`;
//! - `Edges(e)`: explicit edges, validated (finite, strictly increasing, at least two).
//!
//! **Degenerate ranges.** Where NumPy refuses ("Too many bins for data range": a span of a few
//! ulps such as `[0, 5e-324]`, or a constant far from zero where `v ± 0.5` rounds back to `v`),
//! edges taken from data get *fewer bins* instead of an error, because a drift measure on such
//! a column needs a number: a constant `v` spans the doubles just below and above it, and a
//! range gets the largest count of equal bins up to the one asked for whose edges increase
//! strictly (at least one). Wherever NumPy gives edges, the edges are NumPy's. Explicit
//! ranges ([`Histogram::uniform`]) and explicit edges are still validated strictly.
//!
//! Edges are computed in float64 whatever the input type (NumPy computes them in float32 for
//! float32 data). For integer references NumPy's integer rules apply: the estimated width is
//! at least 1 and the range is subtracted exactly.
//!
//! # Kernels
//!
//! Every kernel finds, for each value, the bin `j` of the padded thresholds
//! `P = [NaN, e_0, …, e_{n-1}, next_up(e_n), NaN]` with `P[j] <= x < P[j+1]` (bin 0 is the
//! lower outer bin, bin `n + 1` the upper one; `next_up` makes the last interior bin closed),
//! exactly — the kernels differ in speed only, and the tests hold them to the definition.
//!
//! - Equal-width edges (exactly `np.linspace`'s) are binned by arithmetic, as `np.histogram`
//!   does: a guess `floor((x - e_0) · n / (e_n - e_0))`, then one comparison against each
//!   neighbouring edge to correct it (NumPy: "The index computation is not guaranteed to give
//!   exactly consistent results within ~1 ULP of the bin edges"). With AVX2 the neighbouring
//!   edges are recomputed as `np.linspace` computes them, four values at a time, so the
//!   correction reads no memory. The guess is monotone in `x`, so checking at construction
//!   that it is off by at most one at every edge proves it is off by at most one everywhere.
//!   The same argument proves that a shifted position `fma(x, inv, shift)`, placed in
//!   `[4096, 8192)` where a double's bits are fixed-point, has the bin in its high bits
//!   except when its fraction (the low 40 bits) is within a margin (typically 2^-32 of a
//!   bin) of an edge; eight values whose fractions all keep that margin, none of them NaN,
//!   skip the correction and any conversion to integer (AVX2 and FMA).
//! - At most 15 bins of any widths (e.g. 10 quantile bins): with AVX2, each value is compared
//!   with every threshold and the counts of values above each threshold are kept in vector
//!   registers; no per-value memory update at all.
//! - Other edges: a table over equal buckets of `[e_0, e_n]` guesses the bin, and the same
//!   correction fixes it; the table is sized (up to 2^16 buckets) so that the guess is proven
//!   within one bin as above. Edges too uneven for that (or more than 2^16 bins) use a
//!   branch-free binary search (Khuong & Morin 2017, "Array layouts for comparison-based
//!   searching").
//!
//! Counting rotates through four count arrays, so that runs of equal bins do not serialize
//! on one counter. Inputs longer than 2^20 values are split into parts of 2^18 counted in
//! parallel (rayon).
//!
//! NaN compares false with everything, so the kernels put it in bin 0 (the equal-width SIMD
//! kernel's correcting path moves it there); its count is subtracted from bin 0 afterwards,
//! which keeps the loops branch-free.

use crate::error::{Error, Num, Result};
use crate::io::column::{prefetch_ahead, Chunk, Numeric, Values};
use crate::io::serial::{Kind, Reader, Writer};
use crate::numeric::npcompat::pairwise_sum;
use crate::numeric::sort;
use crate::sketch::kll::Kll;
use crate::sketch::quantile::{lerp, linear_ranks, quantiles, quantiles_census, Census};
use crate::with_values;
use rayon::prelude::*;

/// The largest number of interior bins a histogram may have.
pub const MAX_BINS: usize = 1 << 24;

/// Values per block of the fill loop (a stack buffer for non-f64 inputs).
const BLOCK: usize = 2048;
/// Inputs longer than this are split into fixed-size parts counted in parallel.
const PARALLEL_MIN: usize = 1 << 20;
/// Part size of the parallel split.
const PART: usize = 1 << 18;
/// Independent count arrays the fill loop rotates through, so that runs of equal bins do
/// not serialize on one counter's store-to-load latency. Used up to `LANE_MAX_BINS` bins.
const LANES: usize = 4;
const LANE_MAX_BINS: usize = 4096;

/// NumPy's named bin-count estimators (`np.histogram_bin_edges(x, bins=name)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinRule {
    /// The smaller width of `"sturges"` and `"fd"` (the latter at least half of `"sqrt"`'s).
    Auto,
    /// Freedman–Diaconis: `2·IQR·n^(-1/3)`.
    Fd,
    /// Doane: Sturges corrected for skewness.
    Doane,
    /// Scott: `(24·√π / n)^(1/3)·σ`.
    Scott,
    /// Stone: minimizes a cross-validated integrated squared error over 1..=max(100, √n) bins.
    Stone,
    /// Rice: `2·n^(1/3)` bins.
    Rice,
    /// Sturges: `log2(n) + 1` bins.
    Sturges,
    /// `√n` bins.
    Sqrt,
}

impl BinRule {
    pub const ALL: [BinRule; 8] = [
        BinRule::Auto,
        BinRule::Fd,
        BinRule::Doane,
        BinRule::Scott,
        BinRule::Stone,
        BinRule::Rice,
        BinRule::Sturges,
        BinRule::Sqrt,
    ];

    /// NumPy's name of the rule.
    pub fn name(self) -> &'static str {
        match self {
            BinRule::Auto => "auto",
            BinRule::Fd => "fd",
            BinRule::Doane => "doane",
            BinRule::Scott => "scott",
            BinRule::Stone => "stone",
            BinRule::Rice => "rice",
            BinRule::Sturges => "sturges",
            BinRule::Sqrt => "sqrt",
        }
    }

    /// The rule of a NumPy name.
    pub fn parse(name: &str) -> Result<BinRule> {
        BinRule::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| {
                Error::InvalidArgument(format!(
                    "{name:?} is not a bin rule; expected one of auto, fd, doane, scott, \
                     stone, rice, sturges, sqrt"
                ))
            })
    }
}

/// How a histogram's edges are taken from the reference. See the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub enum Binning {
    /// `n` equal-width bins over the reference's `[min, max]`.
    Count(usize),
    /// Equal-width bins of width at most `w` over `[min, max]`.
    Width(f64),
    /// A NumPy named rule for the number of equal-width bins.
    Rule(BinRule),
    /// `k` bins between the reference's quantiles `0, 1/k, …, 1` (duplicates dropped).
    Quantile(usize),
    /// Explicit edges.
    Edges(Vec<f64>),
}

/// Counts over fixed edges, with open outer bins, a null count and a NaN count.
#[derive(Debug, Clone)]
pub struct Histogram {
    edges: Vec<f64>,
    /// `[(-inf, e_0), bins…, (e_n, +inf)]`: `edges.len() + 1` entries.
    counts: Vec<u64>,
    null_count: u64,
    nan_count: u64,
    kernel: Kernel,
    /// Whether the SIMD kernel may be used (tests turn it off to compare kernels).
    simd: bool,
}

/// Two histograms are equal when their edges and all their counts are.
impl PartialEq for Histogram {
    fn eq(&self, other: &Self) -> bool {
        self.edges == other.edges
            && self.counts == other.counts
            && self.null_count == other.null_count
            && self.nan_count == other.nan_count
    }
}

/// The binning machinery derived from the edges.
#[derive(Debug, Clone)]
struct Kernel {
    /// `[NaN, e_0, …, e_{n-1}, next_up(e_n), NaN]`: bin `j` holds `padded[j] <= x <
    /// padded[j+1]`, a NaN bound never excluding anything.
    padded: Vec<f64>,
    /// The table-guided guess, when it is proven within one bin of the truth.
    guide: Option<Guide>,
    /// The edges are exactly `np.linspace`'s: the SIMD kernel may recompute them.
    linspace: Option<Linspace>,
}

/// The counts of one part of the input: `lanes` arrays of all bins (NaN in bin 0).
struct Tally {
    counts: Vec<u64>,
    nan: u64,
    nulls: u64,
}

/// A guess of the bin from a table over `m` equal buckets of `[e_0, e_n]`: bucket
/// `trunc(clamp((x - e_0)·scale, -1, m))` maps to `table[bucket + 1]`. For equal-width edges
/// the table is the identity (`m = n`), i.e. NumPy's arithmetic index.
#[derive(Debug, Clone)]
struct Guide {
    e0: f64,
    scale: f64,
    mf: f64,
    table: Vec<u32>,
}

/// Equal-width edges `e_i = i·step + e_0` (`i < n`), `e_n = last`, as `np.linspace` makes
/// them, with the floor-based guess proven within one bin.
#[derive(Debug, Clone, Copy)]
struct Linspace {
    e0: f64,
    inv: f64,
    nf: f64,
    step: f64,
    /// `next_up(e_n)`, the exclusive upper bound of the last interior bin.
    nu: f64,
    /// `FAST_BASE + 1 + δ - e_0·inv`, so that the SIMD kernel's position
    /// `fma(x, inv, shift)` (see [`Linspace::position`]) is about `FAST_BASE + j + δ` at
    /// the lower edge of bin `j`.
    shift: f64,
    /// `2δ` in units of the position's last bit: positions whose fraction (its low
    /// [`FRAC_BITS`] bits) is below this take the correcting path. Proven exact at
    /// construction; `i64::MAX` (every value corrected) when no margin is proven.
    frac_min: i64,
}

/// The SIMD kernel's positions lie in `[FAST_BASE, 2·FAST_BASE)`, where a double's
/// exponent is fixed, so its bits are `FAST_BITS_OF_BASE + (position - FAST_BASE)·2^40`:
/// the bin is in the bits above [`FRAC_BITS`], the fraction below.
const FAST_BASE: f64 = 4096.0;
const FRAC_BITS: i32 = 40;
/// `FAST_BASE`'s bits shifted right by [`FRAC_BITS`]: the bias of the kernel's bin indices.
const FAST_BIAS: usize = (FAST_BASE.to_bits() >> FRAC_BITS) as usize;
// Every bin of the SIMD kernel's histograms has its own integer in `[FAST_BASE, 2·FAST_BASE)`.
const _: () =
    assert!(LANE_MAX_BINS as f64 <= FAST_BASE && FAST_BASE == (1u64 << (52 - FRAC_BITS)) as f64);

/// Buckets a guide table may use; histograms with more bins than this use the search.
const GUIDE_MAX: usize = 1 << 16;

impl Guide {
    #[inline(always)]
    fn guess(&self, x: f64) -> usize {
        let t = (x - self.e0) * self.scale;
        // NaN compares false, so it becomes -1: bin 0.
        let t = if t > -1.0 { t } else { -1.0 };
        let t = if t < self.mf { t } else { self.mf };
        self.table[(t as i64 + 1) as usize] as usize
    }
}

impl Linspace {
    /// The bin the SIMD kernel guesses: `floor(clamp((x - e_0)·inv, 0, n - 1)) + 1`.
    fn guess(&self, x: f64) -> usize {
        let t = (x - self.e0) * self.inv;
        let t = if t > 0.0 { t } else { 0.0 };
        let t = if t < self.nf - 1.0 { t } else { self.nf - 1.0 };
        (t.floor() as i64 + 1) as usize
    }

    /// The position of `x` as the SIMD kernel computes it: `fma(x, inv, shift)` clamped to
    /// `[FAST_BASE + 0.5, FAST_BASE + n + 1.5]`. Monotone in `x` (one rounding of a linear
    /// function); its integer part minus `FAST_BASE` is the bin away from integers. (NaN
    /// stays NaN in the kernel, which sends it to the correcting path.)
    #[inline(always)]
    fn position(&self, x: f64) -> f64 {
        let y = x.mul_add(self.inv, self.shift);
        let y = if y > FAST_BASE + 0.5 {
            y
        } else {
            FAST_BASE + 0.5
        };
        if y < FAST_BASE + self.nf + 1.5 {
            y
        } else {
            FAST_BASE + self.nf + 1.5
        }
    }

    /// Whether every `x` in bin `j` of the `padded` thresholds has a position in
    /// `[FAST_BASE + j, FAST_BASE + j + 1 + 2δ)`: then a position whose fraction is at
    /// least `2δ` has integer part `FAST_BASE + j`, and the others are corrected. The
    /// position being monotone, the lowest and highest value of each bin suffice.
    fn margin_holds(&self, padded: &[f64], delta: f64) -> bool {
        let n = padded.len() - 3;
        (0..=n + 1).all(|j| {
            let base = FAST_BASE + j as f64;
            let lowest = if j == 0 { f64::NEG_INFINITY } else { padded[j] };
            let highest = if j > n {
                f64::INFINITY
            } else {
                next_down(padded[j + 1])
            };
            self.position(lowest) >= base && self.position(highest) < base + 1.0 + 2.0 * delta
        })
    }
}

impl Kernel {
    fn new(edges: &[f64]) -> Kernel {
        let n = edges.len() - 1;
        let mut padded = Vec::with_capacity(n + 3);
        padded.push(f64::NAN);
        padded.extend_from_slice(&edges[..n]);
        padded.push(next_up(edges[n]));
        padded.push(f64::NAN);
        let mut k = Kernel {
            padded,
            guide: None,
            linspace: None,
        };
        k.guide = k.build_guide(edges);
        k.linspace = k.build_linspace(edges);
        k
    }

    /// Whether `guess` is within one bin of the truth for every double. The guess being
    /// monotone, it suffices to check the lowest and the highest value of every bin.
    fn within_one(&self, guess: impl Fn(f64) -> usize) -> bool {
        let p = &self.padded;
        let n = p.len() - 3;
        (0..=n + 1).all(|j| {
            (j == 0 || guess(p[j]) + 1 >= j) && (j > n || guess(next_down(p[j + 1])) <= j + 1)
        })
    }

    /// A guide table with as few buckets as make the guess good to one bin, if any.
    fn build_guide(&self, edges: &[f64]) -> Option<Guide> {
        let n = edges.len() - 1;
        let (e0, en) = (edges[0], edges[n]);
        let range = en - e0;
        if !(range.is_finite() && range > 0.0) || n > GUIDE_MAX {
            return None;
        }
        let mut m = n;
        loop {
            let scale = m as f64 / range;
            let width = range / m as f64;
            if !(scale.is_finite() && width > 0.0) {
                return None;
            }
            let mut table = Vec::with_capacity(m + 2);
            table.push(0u32);
            table.extend((0..m).map(|b| self.search(b as f64 * width + e0) as u32));
            table.push(n as u32 + 1);
            let g = Guide {
                e0,
                scale,
                mf: m as f64,
                table,
            };
            if self.within_one(|x| g.guess(x)) {
                return Some(g);
            }
            if m >= GUIDE_MAX {
                return None;
            }
            m = (m * 2).min(GUIDE_MAX);
        }
    }

    /// The linspace description of the edges, if they are exactly `np.linspace`'s and the
    /// SIMD guess is good to one bin.
    fn build_linspace(&self, edges: &[f64]) -> Option<Linspace> {
        let n = edges.len() - 1;
        let (e0, en) = (edges[0], edges[n]);
        let step = (en - e0) / n as f64;
        let inv = n as f64 / (en - e0);
        if !(step > 0.0 && step.is_finite() && inv.is_finite()) {
            return None;
        }
        if (0..n).any(|i| i as f64 * step + e0 != edges[i]) {
            return None;
        }
        let mut l = Linspace {
            e0,
            inv,
            nf: n as f64,
            step,
            nu: next_up(en),
            shift: 0.0,
            frac_min: i64::MAX,
        };
        if !self.within_one(|x| l.guess(x)) {
            return None;
        }
        // The narrowest margin that is proven (the fewer values near an edge take the
        // correcting path); only for the sizes the SIMD kernel handles.
        if n + 2 <= LANE_MAX_BINS {
            for e in [-32, -24, -16, -8, -4] {
                let delta = 2f64.powi(e);
                let trial = Linspace {
                    shift: (FAST_BASE + 1.0 + delta) - e0 * inv,
                    frac_min: 1i64 << (FRAC_BITS + 1 + e),
                    ..l
                };
                if trial.margin_holds(&self.padded, delta) {
                    l = trial;
                    break;
                }
            }
        }
        Some(l)
    }

    /// The extended bin of `x`: the number of thresholds `padded[1..=n+1]` that are `<= x`,
    /// by a branch-free binary search.
    #[inline(always)]
    fn search(&self, x: f64) -> usize {
        let t = &self.padded[1..self.padded.len() - 1];
        let last = t.len() - 1;
        let mut base = 0usize;
        let mut len = t.len();
        while len > 1 {
            let half = len / 2;
            // `min` lets the compiler drop the bounds check; the index never exceeds `last`.
            base = if t[(base + half).min(last)] <= x {
                base + half
            } else {
                base
            };
            len -= half;
        }
        base + usize::from(t[base.min(last)] <= x)
    }

    /// The bin of `x` from a guess within one bin.
    #[inline(always)]
    fn correct(p: &[f64], j: usize, x: f64) -> usize {
        let j = j - usize::from(x < p[j]);
        j + usize::from(x >= p[j + 1])
    }
}

/// The smallest double above a finite `x`.
fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let b = x.to_bits();
    f64::from_bits(if x > 0.0 { b + 1 } else { b - 1 })
}

/// The largest double below a finite or +inf `x`.
fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Checks explicit edges.
fn validate_edges(edges: &[f64]) -> Result<()> {
    if edges.len() < 2 {
        return Err(Error::InvalidArgument(format!(
            "a histogram needs at least 2 edges, got {}",
            edges.len()
        )));
    }
    if edges.len() - 1 > MAX_BINS {
        return Err(Error::InvalidArgument(format!(
            "{} bins is more than the maximum of {MAX_BINS}",
            edges.len() - 1
        )));
    }
    if let Some((i, e)) = edges.iter().enumerate().find(|(_, e)| !e.is_finite()) {
        return Err(Error::InvalidArgument(format!(
            "edge {i} is {}; histogram edges must be finite",
            Num(*e)
        )));
    }
    if let Some(i) = (1..edges.len()).find(|&i| edges[i] <= edges[i - 1]) {
        return Err(Error::InvalidArgument(format!(
            "edges must increase strictly, but edge {i} ({}) follows {}",
            Num(edges[i]),
            Num(edges[i - 1])
        )));
    }
    Ok(())
}

impl Histogram {
    /// An empty histogram over explicit `edges` (finite, strictly increasing, at least two).
    pub fn with_edges(edges: Vec<f64>) -> Result<Histogram> {
        validate_edges(&edges)?;
        // -0.0 and +0.0 bin alike; store one of them so equal histograms serialize alike.
        let edges: Vec<f64> = edges.into_iter().map(|e| e + 0.0).collect();
        let kernel = Kernel::new(&edges);
        Ok(Histogram {
            counts: vec![0; edges.len() + 1],
            edges,
            null_count: 0,
            nan_count: 0,
            kernel,
            simd: true,
        })
    }

    /// An empty histogram of `bins` equal-width bins over `[first, last]`, with the edges of
    /// `np.linspace(first, last, bins + 1)`.
    pub fn uniform(first: f64, last: f64, bins: usize) -> Result<Histogram> {
        if !(first.is_finite() && last.is_finite() && first < last) {
            return Err(Error::InvalidArgument(format!(
                "the range [{}, {}] must be finite with first < last",
                Num(first),
                Num(last)
            )));
        }
        Histogram::with_edges(linspace_edges(first, last, bins)?)
    }

    /// The edges `binning` takes from the reference `chunks` (see the module documentation).
    pub fn edges_from(chunks: &[Chunk<'_>], binning: &Binning) -> Result<Vec<f64>> {
        match binning {
            Binning::Edges(e) => {
                validate_edges(e)?;
                Ok(e.clone())
            }
            Binning::Count(n) => {
                if *n == 0 {
                    return Err(Error::InvalidArgument(
                        "the number of bins must be positive".into(),
                    ));
                }
                let ext = Extent::of(chunks);
                let (first, last) = ext.outer_edges();
                data_edges(first, last, *n)
            }
            Binning::Width(w) => {
                if !(w.is_finite() && *w > 0.0) {
                    return Err(Error::InvalidArgument(format!(
                        "the bin width is {}; it must be finite and positive",
                        Num(*w)
                    )));
                }
                let ext = Extent::of(chunks);
                let (first, last) = ext.outer_edges();
                let n = bins_for_width(ext.delta(first, last), *w)?;
                data_edges(first, last, n)
            }
            Binning::Rule(rule) => rule_edges(chunks, *rule),
            Binning::Quantile(k) => quantile_edges(chunks, *k).map(|(e, _)| e),
        }
    }

    /// The histogram of the reference `chunks` over the edges `binning` takes from them.
    /// Quantile edges are found by a census of the reference that usually also gives its
    /// counts, sparing a pass.
    pub fn from_reference(chunks: &[Chunk<'_>], binning: &Binning) -> Result<Histogram> {
        let (edges, census) = match binning {
            Binning::Quantile(k) => quantile_edges(chunks, *k)?,
            b => (Histogram::edges_from(chunks, b)?, None),
        };
        let mut h = Histogram::with_edges(edges)?;
        if let Some(c) = census.as_ref() {
            if h.count_from_census(c) {
                return Ok(h);
            }
        }
        for c in chunks {
            h.update(c);
        }
        Ok(h)
    }

    /// Sets the counts of an empty histogram to those of the column `census` describes, if
    /// the census can count below every threshold; returns whether it did.
    fn count_from_census(&mut self, census: &Census) -> bool {
        let p = &self.kernel.padded;
        let n = p.len() - 3;
        // `below[j]`: finite values below threshold `P[j + 1]`, i.e. in bins `..=j`.
        let below: Option<Vec<u64>> = p[1..=n + 1]
            .iter()
            .map(|&t| census.count_below(t))
            .collect();
        let Some(below) = below else {
            return false;
        };
        self.counts[0] = below[0] + census.neg_inf;
        for j in 1..=n {
            self.counts[j] = below[j] - below[j - 1];
        }
        self.counts[n + 1] = census.n - below[n] + census.pos_inf;
        self.nan_count = census.nan;
        self.null_count = census.nulls;
        true
    }

    /// A histogram with edges taken from already sorted finite values: the exact quantile
    /// edges of [`Binning::Quantile`] without selecting again. `sorted` must be ascending
    /// and free of NaN and ±inf.
    pub fn quantile_edges_from_sorted(sorted: &[f64], k: usize) -> Result<Vec<f64>> {
        if k == 0 || k > MAX_BINS {
            return Err(Error::InvalidArgument(format!(
                "the number of quantile bins is {k}; it must lie in 1..={MAX_BINS}"
            )));
        }
        if let Some(i) = (0..sorted.len())
            .find(|&i| !sorted[i].is_finite() || (i > 0 && sorted[i] < sorted[i - 1]))
        {
            return Err(Error::InvalidArgument(format!(
                "value {i} of the sorted sample is not finite or out of order"
            )));
        }
        if sorted.is_empty() {
            return Ok(dedup_edges(Vec::new(), true));
        }
        let n = sorted.len() as u64;
        let raw: Vec<f64> = quantile_levels(k)
            .iter()
            .map(|&q| {
                let (lo, hi, g) = linear_ranks(n, q);
                lerp(sorted[lo as usize], sorted[hi as usize], g)
            })
            .collect();
        Ok(dedup_edges(raw, false))
    }

    /// An empty histogram over `k` quantile bins of the data a KLL sketch summarizes, so a
    /// profile can bin without the raw reference: the outer edges are the sketch's exact min
    /// and max, the inner ones its (inclusive) quantiles at `i / k`, each within the sketch's
    /// rank error of the exact quantile. Repeated edges (heavy ties) are merged, as for exact
    /// quantile edges; a sketch holding infinities is an error (edges must be finite).
    pub fn from_kll(sketch: &Kll, k: usize) -> Result<Histogram> {
        if k == 0 || k > MAX_BINS {
            return Err(Error::InvalidArgument(format!(
                "the number of quantile bins is {k}; it must lie in 1..={MAX_BINS}"
            )));
        }
        if sketch.is_empty() {
            return Err(Error::EmptySample(
                "quantile edges from a KLL sketch need a non-empty sketch".into(),
            ));
        }
        let levels = quantile_levels(k);
        let mut raw = Vec::with_capacity(k + 1);
        raw.push(sketch.min());
        for &q in &levels[1..k] {
            raw.push(sketch.quantile(q, true)?);
        }
        raw.push(sketch.max());
        if raw.iter().any(|e| !e.is_finite()) {
            return Err(Error::InvalidArgument(
                "the sketch holds infinite values: quantile edges must be finite".into(),
            ));
        }
        Histogram::with_edges(dedup_edges(raw, false))
    }

    /// A histogram with the same edges and no counts.
    pub fn empty_like(&self) -> Histogram {
        Histogram {
            edges: self.edges.clone(),
            counts: vec![0; self.counts.len()],
            null_count: 0,
            nan_count: 0,
            kernel: self.kernel.clone(),
            simd: self.simd,
        }
    }

    /// Counts the values of `chunk`, in parallel when it is long.
    pub fn update(&mut self, chunk: &Chunk<'_>) {
        let len = chunk.len();
        if len < PARALLEL_MIN {
            self.update_serial(chunk);
            return;
        }
        // Each part counts with the shared kernel into its own arrays.
        let this = &*self;
        let parts: Vec<Tally> = (0..len.div_ceil(PART))
            .into_par_iter()
            .map(|i| {
                let start = i * PART;
                this.tally(&chunk.slice(start, PART.min(len - start)))
            })
            .collect();
        for t in parts {
            self.add_tally(t);
        }
    }

    /// Counts the values of `chunk` on the calling thread.
    pub fn update_serial(&mut self, chunk: &Chunk<'_>) {
        let t = self.tally(chunk);
        self.add_tally(t);
    }

    fn add_tally(&mut self, t: Tally) {
        for lane in t.counts.chunks_exact(self.counts.len()) {
            for (c, l) in self.counts.iter_mut().zip(lane) {
                *c = c.saturating_add(*l);
            }
        }
        // NaN landed in bin 0 (counted by the same reading, so the subtraction is exact);
        // move it to its own count.
        self.counts[0] = self.counts[0].saturating_sub(t.nan);
        self.nan_count = self.nan_count.saturating_add(t.nan);
        self.null_count = self.null_count.saturating_add(t.nulls);
    }

    /// The counts of `chunk` (NaN still in bin 0), without touching `self`.
    fn tally(&self, chunk: &Chunk<'_>) -> Tally {
        with_values!(chunk.values,
            |s| self.tally_typed(s, chunk),
            null => |n| Tally { counts: Vec::new(), nan: 0, nulls: n as u64 })
    }

    fn tally_typed<T: Numeric>(&self, xs: &[T], chunk: &Chunk<'_>) -> Tally {
        let nb = self.counts.len();
        let lanes = if nb <= LANE_MAX_BINS { LANES } else { 1 };
        let mut local = vec![0u64; lanes * nb];
        let mut nan = 0u64;
        let mut nulls = 0u64;
        let mut buf = [0.0f64; BLOCK];
        let simd = self.simd_fill(lanes);
        let mut start = 0;
        while start < xs.len() {
            let len = BLOCK.min(xs.len() - start);
            let block = &xs[start..start + len];
            let valid = chunk.validity.map_or(len, |v| v.count_valid(start, len));
            let mut in_place = false;
            let vals: &[f64] = if valid == len {
                match T::as_f64_slice(block) {
                    // Float64 is read where it lies by the SIMD kernels; the scalar loop bins
                    // a copy (see `fill`).
                    Some(f) if simd => {
                        in_place = true;
                        f
                    }
                    Some(f) => {
                        buf[..len].copy_from_slice(f);
                        &buf[..len]
                    }
                    None => {
                        for (b, x) in buf.iter_mut().zip(block) {
                            *b = x.to_f64();
                        }
                        &buf[..len]
                    }
                }
            } else {
                let mut k = 0;
                if let Some(v) = chunk.validity {
                    for (i, x) in block.iter().enumerate() {
                        if v.is_valid(start + i) {
                            buf[k] = x.to_f64();
                            k += 1;
                        }
                    }
                }
                &buf[..k]
            };
            nulls += (len - valid) as u64;
            nan += self.fill(vals, &mut local, lanes, T::IS_FLOAT, in_place);
            start += len;
        }
        Tally {
            counts: local,
            nan,
            nulls,
        }
    }

    /// Whether [`Histogram::fill`] bins with a SIMD kernel, which counts the NaN from the
    /// very values it bins and leaves the scalar loop at most a few values of a block.
    fn simd_fill(&self, lanes: usize) -> bool {
        #[cfg(target_arch = "x86_64")]
        if lanes == LANES && self.simd && std::arch::is_x86_feature_detected!("avx2") {
            return match self.kernel.linspace {
                Some(_) => std::arch::is_x86_feature_detected!("fma"),
                None => self.kernel.padded.len() - 2 <= SCAN_MAX,
            };
        }
        let _ = lanes;
        false
    }

    /// Adds `xs` to the `lanes` count arrays in `local`; returns the number of NaN (which
    /// were counted in bin 0). `in_place`: `xs` is the caller's column, not a copy of ours.
    #[inline]
    fn fill(
        &self,
        xs: &[f64],
        local: &mut [u64],
        lanes: usize,
        may_nan: bool,
        in_place: bool,
    ) -> u64 {
        let k = &self.kernel;
        let mut xs = xs;
        let mut nan = 0;
        #[cfg(target_arch = "x86_64")]
        if self.simd_fill(lanes) {
            let thresholds = k.padded.len() - 2;
            // The kernels' NaN count and the size of the groups they read.
            let done = match k.linspace {
                // SAFETY: the CPU supports AVX2 and FMA, as `simd_fill` checked.
                Some(l) => Some((unsafe { fill_linspace_avx2(xs, &l, local) }, 8)),
                None => {
                    // SAFETY: the CPU supports AVX2, as `simd_fill` checked.
                    unsafe { fill_scan_avx2(xs, &k.padded[1..=thresholds], local) }.map(|n| (n, 4))
                }
            };
            if let Some((simd_nan, group)) = done {
                nan = simd_nan;
                xs = &xs[xs.len() - xs.len() % group..];
            }
        }
        let p = &k.padded[..];
        // The NaN must be counted in the values binned: a column another thread writes to
        // could read differently twice. In a copy of ours, a separate pass (which the compiler
        // vectorizes) counts them; the few values a SIMD kernel leaves in place are counted
        // one by one as they are binned.
        let inline = may_nan && in_place;
        if may_nan && !in_place {
            nan += xs.iter().map(|x| u64::from(x.is_nan())).sum::<u64>();
        }
        nan += match (&k.guide, inline) {
            (Some(g), true) => {
                count_with::<true>(xs, local, lanes, |x| Kernel::correct(p, g.guess(x), x))
            }
            (Some(g), false) => {
                count_with::<false>(xs, local, lanes, |x| Kernel::correct(p, g.guess(x), x))
            }
            (None, true) => count_with::<true>(xs, local, lanes, |x| k.search(x)),
            (None, false) => count_with::<false>(xs, local, lanes, |x| k.search(x)),
        };
        nan
    }

    fn add_counts(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(*b);
        }
        self.null_count = self.null_count.saturating_add(other.null_count);
        self.nan_count = self.nan_count.saturating_add(other.nan_count);
    }

    /// Zeroes every count, keeping the edges and the kernel built for them (a reusable
    /// counter: `GridHistogram` counts each chunk in one and then clears it).
    pub(crate) fn clear(&mut self) {
        self.counts.fill(0);
        self.null_count = 0;
        self.nan_count = 0;
    }

    /// A histogram over `edges` holding the given counts: `counts` has `edges.len() + 1`
    /// entries, `[(-inf, e_0), interior…, (e_n, +inf)]`.
    pub(crate) fn with_counts(
        edges: Vec<f64>,
        counts: Vec<u64>,
        null_count: u64,
        nan_count: u64,
    ) -> Result<Histogram> {
        let mut h = Histogram::with_edges(edges)?;
        if counts.len() != h.counts.len() {
            return Err(Error::InvalidArgument(format!(
                "{} counts for {} edges; expected {}",
                counts.len(),
                h.edges.len(),
                h.counts.len()
            )));
        }
        h.counts = counts;
        h.null_count = null_count;
        h.nan_count = nan_count;
        Ok(h)
    }

    /// Adds the counts of `other`, which must have the same edges
    /// ([`Error::Incompatible`] otherwise). Afterwards `self` counts both inputs.
    pub fn merge(&mut self, other: &Histogram) -> Result<()> {
        self.check_same_edges(other)?;
        self.add_counts(other);
        Ok(())
    }

    fn check_same_edges(&self, other: &Histogram) -> Result<()> {
        if self.edges != other.edges {
            let describe = |h: &Histogram| {
                format!(
                    "{} bins over [{}, {}]",
                    h.num_bins(),
                    Num(h.edges[0]),
                    Num(h.edges[h.edges.len() - 1])
                )
            };
            return Err(Error::Incompatible(format!(
                "histograms have different edges ({} vs {}); only histograms over identical \
                 edges can be combined — build the second with `empty_like` of the first",
                describe(self),
                describe(other)
            )));
        }
        Ok(())
    }

    /// The `n + 1` edges.
    pub fn edges(&self) -> &[f64] {
        &self.edges
    }

    /// Number of interior bins `n`.
    pub fn num_bins(&self) -> usize {
        self.edges.len() - 1
    }

    /// All `n + 2` counts: `[(-inf, e_0), interior…, (e_n, +inf)]`.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The `n` interior counts: `np.histogram(x, bins=self.edges())[0]`.
    pub fn interior_counts(&self) -> &[u64] {
        &self.counts[1..self.counts.len() - 1]
    }

    /// Values below the first edge (-inf included).
    pub fn underflow(&self) -> u64 {
        self.counts[0]
    }

    /// Values above the last edge (+inf included).
    pub fn overflow(&self) -> u64 {
        self.counts[self.counts.len() - 1]
    }

    pub fn null_count(&self) -> u64 {
        self.null_count
    }

    pub fn nan_count(&self) -> u64 {
        self.nan_count
    }

    /// Values binned: everything but nulls and NaN.
    pub fn count(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, &b| a.saturating_add(b))
    }

    /// Whether the edges are `np.linspace`'s, binned by arithmetic alone.
    pub fn is_uniform(&self) -> bool {
        self.kernel.linspace.is_some()
    }

    /// The kernel that bins values: `"linspace"` (equal-width edges, arithmetic; SIMD where
    /// the CPU has AVX2), `"guided"` (a bucket table guesses the bin, two comparisons
    /// correct it) or `"search"` (binary search).
    pub fn kernel_name(&self) -> &'static str {
        if self.kernel.linspace.is_some() {
            "linspace"
        } else if self.kernel.guide.is_some() {
            "guided"
        } else {
            "search"
        }
    }

    /// The bin of one value: `None` for NaN, else an index into [`Histogram::counts`].
    pub fn bin_of(&self, x: f64) -> Option<usize> {
        if x.is_nan() {
            None
        } else {
            Some(self.kernel.search(x))
        }
    }

    /// The counts of `reference` and `current` as two float vectors over all `n + 2` bins,
    /// for the divergences. Fails unless both have the same edges.
    pub fn aligned_counts(
        reference: &Histogram,
        current: &Histogram,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        reference.check_same_edges(current)?;
        let f = |h: &Histogram| h.counts.iter().map(|&c| c as f64).collect();
        Ok((f(reference), f(current)))
    }

    /// Serializes into the versioned driftscope envelope (kind `HIST`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new(Kind::Histogram);
        w.u64(self.edges.len() as u64);
        for &e in &self.edges {
            w.f64(e);
        }
        for &c in &self.counts {
            w.u64(c);
        }
        w.u64(self.null_count).u64(self.nan_count);
        w.finish()
    }

    /// Reads bytes written by [`Histogram::to_bytes`], checking that they are intact and
    /// describe a valid histogram.
    pub fn from_bytes(bytes: &[u8]) -> Result<Histogram> {
        let mut r = Reader::open(bytes, Kind::Histogram)?;
        let n_edges = r.u64()?;
        if !(2..=MAX_BINS as u64 + 1).contains(&n_edges) {
            return Err(r.invalid("the number of edges is out of range"));
        }
        let n_edges = n_edges as usize;
        // Grow as fields are read, so a forged length cannot allocate more than is there.
        let mut edges = Vec::with_capacity(n_edges.min(4096));
        for _ in 0..n_edges {
            edges.push(r.f64()?);
        }
        let mut counts = Vec::with_capacity((n_edges + 1).min(4096));
        for _ in 0..=n_edges {
            counts.push(r.u64()?);
        }
        let null_count = r.u64()?;
        let nan_count = r.u64()?;
        if validate_edges(&edges).is_err() {
            return Err(r.invalid("the edges are not finite and strictly increasing"));
        }
        let total = counts
            .iter()
            .chain([&null_count, &nan_count])
            .try_fold(0u64, |a, &b| a.checked_add(b));
        if total.is_none() {
            return Err(r.invalid("the counts overflow"));
        }
        r.finish()?;
        Histogram::with_counts(edges, counts, null_count, nan_count)
    }
}

/// Counts `bin(x)` for every `x` into `lanes` count arrays of `local` (1 or [`LANES`]),
/// rotating through them; with `NAN`, returns the number of NaN among them (else 0).
#[inline(always)]
fn count_with<const NAN: bool>(
    xs: &[f64],
    local: &mut [u64],
    lanes: usize,
    bin: impl Fn(f64) -> usize,
) -> u64 {
    let mut nan = 0u64;
    let mut one = |x: f64, lane: &mut [u64]| {
        lane[bin(x)] += 1;
        if NAN {
            nan += u64::from(x.is_nan());
        }
    };
    if lanes != LANES {
        for &x in xs {
            one(x, local);
        }
        return nan;
    }
    let nb = local.len() / LANES;
    let (l0, rest) = local.split_at_mut(nb);
    let (l1, rest) = rest.split_at_mut(nb);
    let (l2, l3) = rest.split_at_mut(nb);
    let quads = xs.chunks_exact(LANES);
    let tail = quads.remainder();
    for q in quads {
        one(q[0], l0);
        one(q[1], l1);
        one(q[2], l2);
        one(q[3], l3);
    }
    for &x in tail {
        one(x, l0);
    }
    nan
}

/// The equal-width kernel with AVX2 and FMA, eight values at a time. Mostly the position
/// `y = clamp(fma(x, inv, shift), FAST_BASE + 0.5, FAST_BASE + n + 1.5)` alone gives the
/// bin: `y` lies in `[FAST_BASE, 2·FAST_BASE)`, so its bits shifted right by [`FRAC_BITS`]
/// are `FAST_BIAS + floor(y - FAST_BASE)` (no conversion to integer needed), and its low
/// [`FRAC_BITS`] bits are the fraction, which must be at least [`Linspace::frac_min`] (see
/// [`Linspace::margin_holds`]). Eight values whose fractions all keep that margin and none
/// of which is NaN (NaN survives the clamp) take that path. Otherwise (values on or beside
/// an edge, e.g. integer data on integer edges, or NaN) the guess `floor(clamp((x -
/// e_0)·inv, 0, n - 1))` names an interior bin `[e_g, e_{g+1})` whose edges are recomputed
/// as `np.linspace` computes them (`i·step + e_0`, no fused multiply-add; the last bin's
/// upper bound is `next_up(e_n)`), so the correction by one bin either way, which also
/// reaches the outer bins, needs no memory access; NaN goes to bin 0 and is counted. Then
/// the eight biased bins are packed into 32-bit lanes, moved to scalar registers two at a
/// time, and counted with one increment each, into the four count arrays of `local` in
/// turn. Only whole groups of eight are read (the caller bins the remainder). Returns the
/// number of NaN, counted in bin 0 like the scalar kernels do.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn fill_linspace_avx2(xs: &[f64], l: &Linspace, local: &mut [u64]) -> u64 {
    use std::arch::x86_64::*;
    let nb = local.len() / LANES;
    let e0 = _mm256_set1_pd(l.e0);
    let inv = _mm256_set1_pd(l.inv);
    let shift = _mm256_set1_pd(l.shift);
    let step = _mm256_set1_pd(l.step);
    let zero = _mm256_setzero_pd();
    let last = _mm256_set1_pd(l.nf - 1.0);
    let nu = _mm256_set1_pd(l.nu);
    let one = _mm256_set1_pd(1.0);
    let below = _mm256_set1_pd(FAST_BASE + 0.5);
    let above = _mm256_set1_pd(FAST_BASE + l.nf + 1.5);
    let frac_mask = _mm256_set1_epi64x((1i64 << FRAC_BITS) - 1);
    let frac_min = _mm256_set1_epi64x(l.frac_min);
    let bias = _mm256_set1_epi64x(FAST_BIAS as i64);
    let mut nan_count = 0u64;
    let (l0, rest) = local.split_at_mut(nb);
    let (l1, rest) = rest.split_at_mut(nb);
    let (l2, l3) = rest.split_at_mut(nb);
    // The correcting path for four values: their biased bins, as the fast path gives them.
    let mut correct = |x: __m256d| {
        let nan = _mm256_cmp_pd::<_CMP_UNORD_Q>(x, x);
        nan_count += u64::from(_mm256_movemask_pd(nan).count_ones());
        let t = _mm256_mul_pd(_mm256_sub_pd(x, e0), inv);
        let t = _mm256_min_pd(_mm256_max_pd(t, zero), last);
        let g = _mm256_round_pd::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(t);
        let g1 = _mm256_add_pd(g, one);
        let lo = _mm256_add_pd(_mm256_mul_pd(g, step), e0);
        let hi = _mm256_add_pd(_mm256_mul_pd(g1, step), e0);
        let hi = _mm256_blendv_pd(hi, nu, _mm256_cmp_pd::<_CMP_EQ_OQ>(g, last));
        let dec = _mm256_and_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(x, lo), one);
        let inc = _mm256_and_pd(_mm256_cmp_pd::<_CMP_GE_OQ>(x, hi), one);
        let j = _mm256_andnot_pd(nan, _mm256_add_pd(_mm256_sub_pd(g1, dec), inc));
        _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(j)), bias)
    };
    // `fma` rounds once, so the position is monotone; max/min return their second operand
    // when one is NaN, so NaN stays NaN.
    let position = |x: __m256d| {
        let y = _mm256_min_pd(above, _mm256_max_pd(below, _mm256_fmadd_pd(x, inv, shift)));
        let y = _mm256_castpd_si256(y);
        (
            y,
            _mm256_cmpgt_epi64(frac_min, _mm256_and_si256(y, frac_mask)),
        )
    };
    for o in xs.chunks_exact(8) {
        prefetch_ahead(o.as_ptr());
        // SAFETY: `o` holds exactly 8 f64.
        let (xa, xb) = unsafe {
            (
                _mm256_loadu_pd(o.as_ptr()),
                _mm256_loadu_pd(o.as_ptr().add(4)),
            )
        };
        let (ya, near_a) = position(xa);
        let (yb, near_b) = position(xb);
        let nan = _mm256_cmp_pd::<_CMP_UNORD_Q>(_mm256_castsi256_pd(ya), _mm256_castsi256_pd(yb));
        let slow = _mm256_or_si256(_mm256_or_si256(near_a, near_b), _mm256_castpd_si256(nan));
        let (ja, jb) = if _mm256_testz_si256(slow, slow) == 1 {
            (
                _mm256_srli_epi64::<FRAC_BITS>(ya),
                _mm256_srli_epi64::<FRAC_BITS>(yb),
            )
        } else {
            (correct(xa), correct(xb))
        };
        // 32-bit lanes `[a0, b0, a1, b1 | a2, b2, a3, b3]`, two to a 64-bit move.
        let j = _mm256_blend_epi32::<0b1010_1010>(ja, _mm256_slli_epi64::<32>(jb));
        let (lo, hi) = (_mm256_castsi256_si128(j), _mm256_extracti128_si256::<1>(j));
        let pairs = [
            _mm_cvtsi128_si64(lo) as u64,
            _mm_extract_epi64::<1>(lo) as u64,
            _mm_cvtsi128_si64(hi) as u64,
            _mm_extract_epi64::<1>(hi) as u64,
        ];
        let bin = |w: u64, high: bool| {
            let j = if high { w >> 32 } else { w & 0xffff_ffff };
            (j as usize).wrapping_sub(FAST_BIAS)
        };
        // SAFETY: every biased bin less `FAST_BIAS` is a bin in `0..=n + 1`, i.e. below
        // `nb`: the fast path's `y` lies in `[FAST_BASE + 0.5, FAST_BASE + n + 1.5]`, and
        // the correction moves a guess in `1..=n` by at most one. (The unchecked
        // increments save a fifth of the loop's instructions.)
        unsafe {
            *l0.get_unchecked_mut(bin(pairs[0], false)) += 1;
            *l1.get_unchecked_mut(bin(pairs[0], true)) += 1;
            *l2.get_unchecked_mut(bin(pairs[1], false)) += 1;
            *l3.get_unchecked_mut(bin(pairs[1], true)) += 1;
            *l0.get_unchecked_mut(bin(pairs[2], false)) += 1;
            *l1.get_unchecked_mut(bin(pairs[2], true)) += 1;
            *l2.get_unchecked_mut(bin(pairs[3], false)) += 1;
            *l3.get_unchecked_mut(bin(pairs[3], true)) += 1;
        }
    }
    nan_count
}

/// Thresholds up to which the SIMD kernel compares each value with all of them.
const SCAN_MAX: usize = 16;

/// The kernel for few edges with AVX2. The bin of `x` is the number of thresholds `<= x`;
/// rather than scattering increments, it keeps per threshold the count of values `>=` it, in
/// vector registers (comparison masks subtracted as integers), four values at a time, and
/// takes differences at the end: bin `j` holds `#(x >= t_{j-1}) - #(x >= t_j)`. Exact; NaN
/// compares false, so it lands in bin 0. Only whole groups of four are read. Returns the
/// number of NaN (None, having done nothing, for more than [`SCAN_MAX`] thresholds). The
/// count of thresholds is a constant of each instance, so that the loop over them unrolls
/// and the counts stay in registers (a loop of run-time length kept them on the stack:
/// three times the instructions).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_scan_avx2(xs: &[f64], thresholds: &[f64], local: &mut [u64]) -> Option<u64> {
    macro_rules! dispatch {
        ($($n:literal)*) => {
            match thresholds.len() {
                $($n => Some(scan_avx2::<$n>(xs, thresholds, local)),)*
                _ => None,
            }
        };
    }
    dispatch!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn scan_avx2<const N: usize>(xs: &[f64], thresholds: &[f64], local: &mut [u64]) -> u64 {
    use std::arch::x86_64::*;
    let mut ts = [_mm256_setzero_pd(); N];
    for (t, &v) in ts.iter_mut().zip(thresholds) {
        *t = _mm256_set1_pd(v);
    }
    let mut acc = [_mm256_setzero_si256(); N];
    let mut nan_acc = _mm256_setzero_si256();
    let quads = xs.chunks_exact(4);
    let n = (quads.len() * 4) as u64;
    for q in quads {
        prefetch_ahead(q.as_ptr());
        // SAFETY: `q` holds exactly 4 f64.
        let x = unsafe { _mm256_loadu_pd(q.as_ptr()) };
        nan_acc = _mm256_sub_epi64(
            nan_acc,
            _mm256_castpd_si256(_mm256_cmp_pd::<_CMP_UNORD_Q>(x, x)),
        );
        for k in 0..N {
            let ge = _mm256_cmp_pd::<_CMP_LE_OQ>(ts[k], x);
            acc[k] = _mm256_sub_epi64(acc[k], _mm256_castpd_si256(ge));
        }
    }
    let total = |v: __m256i| {
        let mut lanes = [0u64; 4];
        // SAFETY: `lanes` has room for the 4 lanes.
        unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), v) };
        lanes.iter().sum::<u64>()
    };
    let mut above = n;
    for (j, a) in acc.iter().enumerate() {
        let ge = total(*a);
        local[j] += above - ge;
        above = ge;
    }
    local[N] += above;
    total(nan_acc)
}

/// `np.linspace(first, last, bins + 1)`: `i·step + first` with the last edge `last` exactly;
/// fails if the edges do not increase strictly (NumPy: "Too many bins for data range").
fn linspace_edges(first: f64, last: f64, bins: usize) -> Result<Vec<f64>> {
    check_bin_count(bins)?;
    linspace(first, last, bins).ok_or_else(|| {
        Error::InvalidArgument(format!(
            "too many bins for the range: cannot create {bins} finite-sized bins over [{}, {}]",
            Num(first),
            Num(last)
        ))
    })
}

fn check_bin_count(bins: usize) -> Result<()> {
    if bins == 0 || bins > MAX_BINS {
        return Err(Error::InvalidArgument(format!(
            "{bins} bins is out of range; use 1..={MAX_BINS}"
        )));
    }
    Ok(())
}

/// NumPy's `np.linspace` edges, or `None` when they are not finite and strictly increasing.
/// A range whose width overflows (e.g. `[-1e308, 1e308]`) takes the step as
/// `last / n - first / n`, where NumPy's own step would be infinite.
fn linspace(first: f64, last: f64, bins: usize) -> Option<Vec<f64>> {
    let delta = last - first;
    let div = bins as f64;
    let step = if delta.is_finite() {
        delta / div
    } else {
        last / div - first / div
    };
    let mut e: Vec<f64> = if step == 0.0 {
        // NumPy's path for a step that underflows (gh-5437).
        (0..=bins).map(|i| i as f64 / div * delta + first).collect()
    } else {
        (0..=bins).map(|i| i as f64 * step + first).collect()
    };
    e[bins] = last;
    let ok = e.iter().all(|x| x.is_finite()) && e.windows(2).all(|w| w[1] > w[0]);
    ok.then_some(e)
}

/// Equal-width edges over a range taken from the data: `np.linspace`'s whenever they increase
/// strictly, so the edges equal `np.histogram_bin_edges`' wherever NumPy has an answer.
///
/// Where NumPy refuses ("Too many bins for data range"), a drift measure still needs a number,
/// so a degenerate range gets **fewer bins** instead of an error: the range `[first, last]` of
/// a span of a few ulps (e.g. `[0, 5e-324]`) holds only as many equal bins as it has distinct
/// doubles, so it gets the largest count up to `bins` whose edges increase strictly (at least
/// one bin, `[first, last]` itself). A constant column far from zero, where NumPy's
/// `[v - 0.5, v + 0.5]` rounds back to `[v, v]`, arrives here as the two doubles around `v`
/// (see [`constant_span`]). The histogram's `num_bins` tells how many bins were made.
fn data_edges(first: f64, last: f64, bins: usize) -> Result<Vec<f64>> {
    check_bin_count(bins)?;
    if let Some(e) = linspace(first, last, bins) {
        return Ok(e);
    }
    if !(first.is_finite() && last.is_finite() && first < last) {
        return Err(Error::InvalidArgument(format!(
            "cannot make bins over [{}, {}]: the range must be finite with first < last",
            Num(first),
            Num(last)
        )));
    }
    // The doubles in [first, last] bound the count of distinct edges.
    let ulps = sort::key(last) - sort::key(first);
    let mut n = bins.min(usize::try_from(ulps).unwrap_or(usize::MAX));
    while n > 1 {
        if let Some(e) = linspace(first, last, n) {
            return Ok(e);
        }
        n -= 1;
    }
    Ok(vec![first, last])
}

/// The outer edges of a constant reference `v`: NumPy's `[v - 0.5, v + 0.5]`, or the doubles
/// just below and above `v` where `v ± 0.5` rounds back to `v` (|v| ≥ 2^52).
fn constant_span(v: f64) -> (f64, f64) {
    let (lo, hi) = (v - 0.5, v + 0.5);
    if lo < v && v < hi {
        return (lo, hi);
    }
    let lo = if v == f64::MIN { v } else { next_down(v) };
    let hi = if v == f64::MAX { v } else { next_up(v) };
    (lo, hi)
}

/// NumPy's `int(np.ceil(delta / width))`, at least 1 and at most [`MAX_BINS`].
fn bins_for_width(delta: f64, width: f64) -> Result<usize> {
    let n = (delta / width).ceil();
    if n.is_nan() || n > MAX_BINS as f64 {
        return Err(Error::InvalidArgument(format!(
            "a bin width of {} over a range of {} makes more than {MAX_BINS} bins",
            Num(width),
            Num(delta)
        )));
    }
    Ok((n as usize).max(1))
}

/// Range facts of the reference's finite values.
struct Extent {
    n: usize,
    min: f64,
    max: f64,
    /// Exact integer extremes when every chunk holds integers (or booleans).
    int: Option<(i128, i128)>,
}

impl Extent {
    fn of(chunks: &[Chunk<'_>]) -> Extent {
        if !all_integer(chunks) {
            let (n, min, max) = crate::sketch::quantile::finite_extent(chunks);
            return Extent {
                n: n as usize,
                min,
                max,
                int: None,
            };
        }
        let mut e = Extent {
            n: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            int: None,
        };
        let mut imin = i128::MAX;
        let mut imax = i128::MIN;
        for chunk in chunks {
            for_each_present(chunk, |x, i| {
                e.n += 1;
                e.min = e.min.min(x);
                e.max = e.max.max(x);
                if let Some(i) = i {
                    imin = imin.min(i);
                    imax = imax.max(i);
                }
            });
        }
        if e.n > 0 {
            e.int = Some((imin, imax));
        }
        e
    }

    /// `_get_outer_edges`: `[0, 1]` when empty, `[v - 0.5, v + 0.5]` when constant (or the
    /// doubles around `v` where that rounds back to `v`: see [`constant_span`]).
    fn outer_edges(&self) -> (f64, f64) {
        if self.n == 0 {
            return (0.0, 1.0);
        }
        if self.min == self.max {
            return constant_span(self.min);
        }
        (self.min, self.max)
    }

    /// `_unsigned_subtract(last_edge, first_edge)`: exact for integer extremes.
    fn delta(&self, first: f64, last: f64) -> f64 {
        match self.int {
            Some((lo, hi)) if lo != hi => (hi - lo) as f64,
            _ => last - first,
        }
    }

    /// `_ptp(x)` of the data, exact for integers.
    fn ptp(&self) -> f64 {
        match self.int {
            Some((lo, hi)) => (hi - lo) as f64,
            None => self.max - self.min,
        }
    }
}

fn all_integer(chunks: &[Chunk<'_>]) -> bool {
    chunks
        .iter()
        .all(|c| !matches!(c.values, Values::F64(_) | Values::F32(_)))
}

/// Calls `f(value as f64, exact integer value)` for every present value of `chunk`.
fn for_each_present(chunk: &Chunk<'_>, mut f: impl FnMut(f64, Option<i128>)) {
    fn go<T: Numeric>(
        xs: &[T],
        chunk: &Chunk<'_>,
        exact: impl Fn(T) -> Option<i128>,
        f: &mut impl FnMut(f64, Option<i128>),
    ) {
        match chunk.validity {
            None => {
                for &x in xs {
                    f(x.to_f64(), exact(x));
                }
            }
            Some(v) => {
                for (i, &x) in xs.iter().enumerate() {
                    if v.is_valid(i) {
                        f(x.to_f64(), exact(x));
                    }
                }
            }
        }
    }
    let f = &mut f;
    match chunk.values {
        Values::F64(s) => go(s, chunk, |_| None, f),
        Values::F32(s) => go(s, chunk, |_| None, f),
        Values::I8(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::I16(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::I32(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::I64(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::U8(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::U16(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::U32(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::U64(s) => go(s, chunk, |x| Some(x.into()), f),
        Values::Bool(s) => go(s, chunk, |x| Some(i128::from(x)), f),
        Values::Null(_) => {}
    }
}

/// The [`Extent`] of `chunks` and their finite present values, in order (`-0.0` as `+0.0`),
/// from one reading of each value: a rule that needs both must not mix two readings of a
/// column that another thread may be writing to. The float extent is taken from the copy.
fn extent_and_values(chunks: &[Chunk<'_>]) -> (Extent, Vec<f64>) {
    let total: usize = chunks.iter().map(|c| c.len()).sum();
    let mut values = Vec::with_capacity(total);
    let (mut imin, mut imax) = (i128::MAX, i128::MIN);
    for chunk in chunks {
        for_each_present(chunk, |x, i| {
            if x.is_finite() {
                values.push(x + 0.0);
            }
            if let Some(i) = i {
                imin = imin.min(i);
                imax = imax.max(i);
            }
        });
    }
    let (n, min, max) =
        crate::sketch::quantile::finite_extent(&[Chunk::new(Values::F64(&values), None)]);
    let ext = Extent {
        n: n as usize,
        min,
        max,
        int: (n > 0 && all_integer(chunks)).then_some((imin, imax)),
    };
    (ext, values)
}

/// The edges of [`Binning::Quantile`]`(k)` and, when the bucket selection served, its census
/// of the reference.
fn quantile_edges(chunks: &[Chunk<'_>], k: usize) -> Result<(Vec<f64>, Option<Census>)> {
    if k == 0 {
        return Err(Error::InvalidArgument(
            "the number of quantile bins must be positive".into(),
        ));
    }
    if k > MAX_BINS {
        return Err(Error::InvalidArgument(format!(
            "{k} bins is more than the maximum of {MAX_BINS}"
        )));
    }
    match quantiles_census(chunks, &quantile_levels(k)) {
        Ok((raw, census)) => Ok((dedup_edges(raw, false), census)),
        Err(Error::EmptySample(_)) => Ok((dedup_edges(Vec::new(), true), None)),
        Err(e) => Err(e),
    }
}

/// `np.linspace(0, 1, k + 1)`.
fn quantile_levels(k: usize) -> Vec<f64> {
    let step = 1.0 / k as f64;
    let mut q: Vec<f64> = (0..=k).map(|i| i as f64 * step + 0.0).collect();
    q[k] = 1.0;
    q
}

/// Drops edges that do not exceed their predecessor; falls back to [`constant_span`] for one
/// distinct edge and `[0, 1]` for none.
fn dedup_edges(raw: Vec<f64>, empty: bool) -> Vec<f64> {
    if empty || raw.is_empty() {
        return vec![0.0, 1.0];
    }
    let mut out: Vec<f64> = Vec::with_capacity(raw.len());
    for e in raw {
        if out.last().is_none_or(|&l| e > l) {
            out.push(e + 0.0);
        }
    }
    if out.len() == 1 {
        let (lo, hi) = constant_span(out[0]);
        return vec![lo, hi];
    }
    out
}

/// `np.histogram_bin_edges(x, bins=rule)` on the finite values of `chunks`.
fn rule_edges(chunks: &[Chunk<'_>], rule: BinRule) -> Result<Vec<f64>> {
    let needs_values = matches!(
        rule,
        BinRule::Auto | BinRule::Fd | BinRule::Doane | BinRule::Scott | BinRule::Stone
    );
    let (ext, values) = if needs_values {
        extent_and_values(chunks)
    } else {
        (Extent::of(chunks), Vec::new())
    };
    let (first, last) = ext.outer_edges();
    if ext.n == 0 {
        return data_edges(first, last, 1);
    }
    let mut width = rule_width(rule, &ext, &values, (first, last));
    let n = if width != 0.0 && !width.is_nan() {
        if ext.int.is_some() && width < 1.0 {
            width = 1.0;
        }
        bins_for_width(ext.delta(first, last), width)?
    } else {
        // A zero width (e.g. FD with a zero IQR) gives one bin, as in NumPy.
        1
    };
    data_edges(first, last, n)
}

/// The bin width of a rule (`_hist_bin_<name>`); `values` are the finite values, in input
/// order (only for the rules that read them).
fn rule_width(rule: BinRule, ext: &Extent, values: &[f64], range: (f64, f64)) -> f64 {
    let size = ext.n as f64;
    let ptp = ext.ptp();
    match rule {
        BinRule::Sqrt => ptp / size.sqrt(),
        BinRule::Sturges => ptp / (size.log2() + 1.0),
        BinRule::Rice => ptp / (2.0 * size.powf(1.0 / 3.0)),
        BinRule::Scott => {
            (24.0 * std::f64::consts::PI.powf(0.5) / size).powf(1.0 / 3.0) * std(values)
        }
        BinRule::Fd => fd_width(values),
        BinRule::Auto => {
            let fd = fd_width(values);
            let sturges = ptp / (size.log2() + 1.0);
            let sqrt = ptp / size.sqrt();
            // Python's max/min: the first argument wins ties and NaN comparisons.
            let fd_corrected = if sqrt / 2.0 > fd { sqrt / 2.0 } else { fd };
            if sturges < fd_corrected {
                sturges
            } else {
                fd_corrected
            }
        }
        BinRule::Doane => {
            if ext.n > 2 {
                let n = size;
                let sg1 = (6.0 * (n - 2.0) / ((n + 1.0) * (n + 3.0))).sqrt();
                let sigma = std(values);
                if sigma > 0.0 {
                    let mean = pairwise_sum(values.len(), |i| values[i]) / n;
                    let g1 =
                        pairwise_sum(values.len(), |i| ((values[i] - mean) / sigma).powf(3.0)) / n;
                    return ptp / (1.0 + n.log2() + (1.0 + g1.abs() / sg1).log2());
                }
            }
            0.0
        }
        BinRule::Stone => stone_width(values, ptp, range),
    }
}

/// `np.std(x)`: `sqrt(mean(|x - mean(x)|²))`, sums pairwise.
fn std(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = pairwise_sum(values.len(), |i| values[i]) / n;
    let ss = pairwise_sum(values.len(), |i| {
        let d = values[i] - mean;
        d * d
    });
    (ss / n).sqrt()
}

/// `_hist_bin_fd`: `2·IQR·n^(-1/3)` with `np.percentile(x, [75, 25])`.
fn fd_width(values: &[f64]) -> f64 {
    let chunk = Chunk::new(Values::F64(values), None);
    match quantiles(&[chunk], &[0.75, 0.25]) {
        Ok(q) => 2.0 * (q[0] - q[1]) * (values.len() as f64).powf(-1.0 / 3.0),
        Err(_) => 0.0,
    }
}

/// `_hist_bin_stone`: the width `ptp / k` of the `k` in `1..=max(100, √n)` minimizing
/// `(2 - (n + 1)·Σp_k²) / h` (the first on ties). The sum of squares is a plain sum where
/// NumPy calls BLAS `dot`, so a near-tie could in principle resolve differently.
fn stone_width(values: &[f64], ptp: f64, range: (f64, f64)) -> f64 {
    let n = values.len();
    if n <= 1 || ptp == 0.0 {
        return 0.0;
    }
    let upper = 100usize.max((n as f64).sqrt() as usize);
    let mut best = (f64::INFINITY, 1usize);
    for k in 1..=upper {
        let Ok(mut h) = Histogram::uniform(range.0, range.1, k) else {
            break;
        };
        h.update_serial(&Chunk::new(Values::F64(values), None));
        let nf = n as f64;
        let dot: f64 = h
            .interior_counts()
            .iter()
            .map(|&c| {
                let p = c as f64 / nf;
                p * p
            })
            .sum();
        let hh = ptp / k as f64;
        let j = (2.0 - (nf + 1.0) * dot) / hh;
        if j < best.0 {
            best = (j, k);
        }
    }
    ptp / best.1 as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::column::Validity;
    use serde_json::Value;

    const FIXTURE: &str = include_str!("../../tests/data/histogram_numpy.json");

    fn num(v: &Value) -> f64 {
        match v {
            Value::String(s) if s == "inf" => f64::INFINITY,
            Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
            Value::String(s) if s == "nan" => f64::NAN,
            v => v.as_f64().unwrap(),
        }
    }

    fn nums(v: &Value) -> Vec<f64> {
        v.as_array().unwrap().iter().map(num).collect()
    }

    fn u64s(v: &Value) -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect()
    }

    fn binning(v: &Value) -> Binning {
        let (k, a) = v.as_object().unwrap().iter().next().unwrap();
        match k.as_str() {
            "count" => Binning::Count(a.as_u64().unwrap() as usize),
            "quantile" => Binning::Quantile(a.as_u64().unwrap() as usize),
            "width" => Binning::Width(a.as_f64().unwrap()),
            "rule" => Binning::Rule(BinRule::parse(a.as_str().unwrap()).unwrap()),
            "edges" => Binning::Edges(nums(a)),
            _ => unreachable!(),
        }
    }

    /// The bin of `x` by definition: NumPy's half-open bins, the last closed, outer bins open.
    fn naive_bin(edges: &[f64], x: f64) -> Option<usize> {
        if x.is_nan() {
            return None;
        }
        let n = edges.len() - 1;
        if x < edges[0] {
            Some(0)
        } else if x > edges[n] {
            Some(n + 1)
        } else if x == edges[n] {
            Some(n)
        } else {
            Some(edges.partition_point(|&e| e <= x))
        }
    }

    fn f64_chunk(xs: &[f64]) -> Chunk<'_> {
        Chunk::new(Values::F64(xs), None)
    }

    #[test]
    fn edges_and_counts_equal_numpy() {
        let fx: Value = serde_json::from_str(FIXTURE).unwrap();
        let ints: Vec<&str> = fx["int_datasets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let current = nums(&fx["current"]);
        for case in fx["cases"].as_array().unwrap() {
            let name = case["name"].as_str().unwrap();
            let ref_name = case["ref"].as_str().unwrap();
            let ref_f = nums(&fx["datasets"][ref_name]);
            let ref_i: Vec<i64> = ref_f.iter().map(|&x| x as i64).collect();
            let chunk = if ints.contains(&ref_name) {
                Chunk::new(Values::I64(&ref_i), None)
            } else {
                f64_chunk(&ref_f)
            };
            let b = binning(&case["binning"]);
            let want = nums(&case["edges"]);
            let got = Histogram::edges_from(&[chunk], &b).unwrap();
            assert_eq!(got, want, "{name}: edges");
            let h = Histogram::from_reference(&[chunk], &b).unwrap();
            assert_eq!(
                h.interior_counts(),
                &u64s(&case["ref_counts"])[..],
                "{name}: ref"
            );
            let cur = case.get("cur").map(nums).unwrap_or_else(|| current.clone());
            for simd in [true, false] {
                let mut c = h.empty_like();
                c.simd = simd;
                c.update(&f64_chunk(&cur));
                assert_eq!(
                    c.interior_counts(),
                    &u64s(&case["cur_counts"])[..],
                    "{name}"
                );
                assert_eq!(c.underflow(), case["cur_under"].as_u64().unwrap(), "{name}");
                assert_eq!(c.overflow(), case["cur_over"].as_u64().unwrap(), "{name}");
                assert_eq!(c.nan_count(), case["cur_nan"].as_u64().unwrap(), "{name}");
                assert_eq!(c.count() + c.nan_count(), cur.len() as u64);
            }
        }
    }

    /// Values on, just beside and far from every edge, plus ±inf, NaN and extremes.
    fn adversarial(edges: &[f64], seed: u64) -> Vec<f64> {
        let mut xs = vec![
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            // NaN with payloads (the SIMD kernel must not read a bin from their bits).
            f64::from_bits(0x7ff0_0000_0000_0001),
            f64::from_bits(0xfff8_0000_00ff_ffff),
            f64::from_bits(0x7fff_ffff_ffff_ffff),
            f64::MAX,
            -f64::MAX,
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            1e300,
            -1e300,
        ];
        for &e in edges {
            xs.extend([
                e,
                next_up(e),
                next_down(e),
                next_up(next_up(e)),
                next_down(next_down(e)),
            ]);
        }
        let (lo, hi) = (edges[0], edges[edges.len() - 1]);
        let mut s = seed;
        for _ in 0..5000 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            xs.push(lo - 0.2 * (hi - lo) + u * 1.4 * (hi - lo));
        }
        xs
    }

    fn check_kernels(edges: Vec<f64>, seed: u64) {
        let xs = adversarial(&edges, seed);
        let h = Histogram::with_edges(edges.clone()).unwrap();
        let mut want = vec![0u64; edges.len() + 1];
        let mut nan = 0;
        for &x in &xs {
            match naive_bin(&edges, x) {
                Some(j) => want[j] += 1,
                None => nan += 1,
            }
            assert_eq!(
                h.bin_of(x),
                naive_bin(&edges, x),
                "bin_of({x:e}) over {edges:?}"
            );
        }
        let mut variants = vec![h.clone()];
        let mut no_simd = h.empty_like();
        no_simd.simd = false;
        variants.push(no_simd.clone());
        let mut search = no_simd.clone();
        search.kernel.guide = None;
        variants.push(search);
        for (i, v) in variants.iter_mut().enumerate() {
            v.update(&f64_chunk(&xs));
            assert_eq!(
                v.counts(),
                &want[..],
                "variant {i} ({}) over {edges:?}",
                h.kernel_name()
            );
            assert_eq!(v.nan_count(), nan);
        }
    }

    #[test]
    fn degenerate_reference_ranges_get_fewer_bins_not_an_error() {
        let edges = |x: &[f64], b: Binning| Histogram::edges_from(&[f64_chunk(x)], &b).unwrap();
        let one = next_up(1.0);
        // A span of one ulp holds one bin; of three ulps, three.
        assert_eq!(edges(&[1.0, one], Binning::Count(10)), vec![1.0, one]);
        assert_eq!(edges(&[5e-324, 0.0], Binning::Count(10)), vec![0.0, 5e-324]);
        let three = next_up(next_up(one));
        assert_eq!(edges(&[1.0, three], Binning::Count(10)).len(), 4);
        // A constant far from zero spans the doubles around it (NumPy's v ± 0.5 rounds to v).
        for v in [1e300, -4.5e15, 1e20, f64::MAX, f64::MIN] {
            for b in [
                Binning::Count(10),
                Binning::Count(1),
                Binning::Rule(BinRule::Fd),
                Binning::Rule(BinRule::Sturges),
                Binning::Quantile(10),
            ] {
                let e = edges(&[v, v, v], b.clone());
                assert!(e.len() >= 2 && e.len() <= 3, "{v} {b:?}: {e:?}");
                assert!(e[0] <= v && v <= e[e.len() - 1], "{v} {b:?}: {e:?}");
                let h = Histogram::from_reference(&[f64_chunk(&[v, v, v])], &b).unwrap();
                assert_eq!(h.interior_counts().iter().sum::<u64>(), 3, "{v} {b:?}");
            }
        }
        // Near zero NumPy's own convention holds.
        assert_eq!(edges(&[0.0, 0.0], Binning::Count(2)), vec![-0.5, 0.0, 0.5]);
        // A range whose width overflows still gets finite, increasing edges.
        let e = edges(&[-1e308, 1e308], Binning::Count(4));
        assert_eq!(e.len(), 5);
        assert!(e.iter().all(|x| x.is_finite()) && e.windows(2).all(|w| w[1] > w[0]));
        assert_eq!((e[0], e[4]), (-1e308, 1e308));
        // Where NumPy has edges, they are NumPy's: unchanged by the fallback.
        assert_eq!(
            edges(&[0.0, 1.0], Binning::Count(4)),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
    }

    #[test]
    fn every_kernel_bins_exactly() {
        // Equal-width edges from np.linspace (the arithmetic kernel), awkward ranges included.
        for (a, b, n) in [
            (0.0, 1.0, 10),
            (-2.0, 2.0, 40),
            (0.1, 0.7, 3),
            (1e9, 1e9 + 1.0, 100),
            (-1e-300, 1e-300, 7),
            (1e15, 1e15 + 64.0, 32),
            (-5.0, 3.0, 1),
            (0.0, 1e300, 100),
            (-1e308, 1e308, 4),
            (3.0, 3.0000000000000018, 4),
        ] {
            if let Ok(e) = linspace_edges(a, b, n) {
                check_kernels(e, n as u64);
            }
        }
        // Uneven edges: the scanning kernel (few) and the guided or searching kernel (many).
        check_kernels(vec![-3.0, -1.0, 0.0, 0.5, 4.0], 1);
        check_kernels(vec![1e-300, 1e-200, 1.0, 1e200], 2);
        let mut s = 5u64;
        for n in [5usize, 16, 17, 100, 1000, 5000] {
            let mut e: Vec<f64> = (0..=n)
                .map(|_| {
                    s = s
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let u = (s >> 11) as f64 / (1u64 << 53) as f64;
                    (u - 0.5).powi(3) * 100.0
                })
                .collect();
            e.sort_by(f64::total_cmp);
            e.dedup();
            check_kernels(e, n as u64);
        }
    }

    #[test]
    fn nan_anywhere_in_a_simd_group() {
        // Values far from the edges take the SIMD kernel's fast path unless a NaN (of any
        // payload) shares their group of eight; each NaN is counted, whatever its place.
        let h = Histogram::uniform(-1.0, 1.0, 100).unwrap();
        let nans = [
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7ff0_0000_0000_0001),
            f64::from_bits(0x7ff8_00ff_0000_0000),
            f64::from_bits(0xffff_ffff_ffff_ffff),
        ];
        for (p, &nan) in (0..24).zip(nans.iter().cycle()) {
            let mut xs: Vec<f64> = (0..24).map(|i| (i as f64 - 11.7) * 0.071).collect();
            xs[p] = nan;
            let mut want = vec![0u64; 102];
            for &x in &xs {
                if let Some(j) = naive_bin(h.edges(), x) {
                    want[j] += 1;
                }
            }
            let mut c = h.empty_like();
            c.update(&f64_chunk(&xs));
            assert_eq!((c.counts(), c.nan_count()), (&want[..], 1), "NaN at {p}");
        }
    }

    #[test]
    fn kernel_choice() {
        let u = Histogram::uniform(0.0, 1.0, 100).unwrap();
        assert!(u.is_uniform());
        assert_eq!(u.kernel_name(), "linspace");
        // The SIMD kernel's uncorrected path is proven for ordinary ranges, with a margin
        // of 2^-32 of a bin (2^-16 where the edges themselves are rounded by ~1e-5 bin).
        for (a, b, n, delta) in [
            (0.0, 1.0, 100, -32),
            (-5.3, 4.9, 100, -32),
            (1e9, 1e9 + 1.0, 100, -16),
        ] {
            let h = Histogram::uniform(a, b, n).unwrap();
            let frac_min = h.kernel.linspace.unwrap().frac_min;
            assert_eq!(frac_min, 1 << (FRAC_BITS + 1 + delta), "[{a}, {b}] / {n}");
        }
        let q = Histogram::with_edges(vec![0.0, 0.1, 0.5, 2.0]).unwrap();
        assert!(!q.is_uniform());
        let many: Vec<f64> = (0..200).map(|i| (i as f64).powf(1.5)).collect();
        assert_eq!(Histogram::with_edges(many).unwrap().kernel_name(), "guided");
        let wild: Vec<f64> = (0..200).map(|i| (i as f64 * 3.0).exp()).collect();
        assert_eq!(Histogram::with_edges(wild).unwrap().kernel_name(), "search");
    }

    #[test]
    fn nulls_nan_inf_and_types() {
        let xs = [
            0.5,
            f64::NAN,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            9.0,
            2.0,
            3.0,
        ];
        // Value 5 (9.0) is null.
        let bits = [0b1101_1111u8];
        let chunk = Chunk::new(Values::F64(&xs), Some(Validity::new(&bits, 0, 8).unwrap()));
        let mut h = Histogram::with_edges(vec![0.0, 1.0, 2.0, 3.0]).unwrap();
        h.update(&chunk);
        assert_eq!(h.counts(), &[1, 1, 1, 2, 1]);
        assert_eq!((h.null_count(), h.nan_count(), h.count()), (1, 1, 6));
        let ints: Vec<i8> = vec![-1, 0, 1, 2, 3, 4];
        let mut hi = h.empty_like();
        hi.update(&Chunk::new(Values::I8(&ints), None));
        assert_eq!(hi.counts(), &[1, 1, 1, 2, 1]);
        let f32s: Vec<f32> = vec![-1.0, 0.0, 1.0, 2.0, 3.0, 4.0, f32::NAN];
        let mut hf = h.empty_like();
        hf.update(&Chunk::new(Values::F32(&f32s), None));
        assert_eq!((hf.counts(), hf.nan_count()), (&[1u64, 1, 1, 2, 1][..], 1));
        let big: Vec<u64> = vec![0, 1, u64::MAX];
        let mut hu = h.empty_like();
        hu.update(&Chunk::new(Values::U64(&big), None));
        assert_eq!(hu.counts(), &[0, 1, 1, 0, 1]);
        let bools = [true, false, true];
        let mut hb = h.empty_like();
        hb.update(&Chunk::new(Values::Bool(&bools), None));
        assert_eq!(hb.counts(), &[0, 1, 2, 0, 0]);
        let mut hn = h.empty_like();
        hn.update(&Chunk::new(Values::Null(7), None));
        assert_eq!((hn.null_count(), hn.count()), (7, 0));
        // Nulls over a long input with an offset bitmap, in parallel.
        let n = 3 * PARALLEL_MIN / 2 + 3;
        let long: Vec<f64> = (0..n).map(|i| (i % 10) as f64 / 3.0).collect();
        let bits: Vec<u8> = (0..n.div_ceil(8) + 1)
            .map(|i| (i * 37 % 251) as u8)
            .collect();
        let v = Validity::new(&bits, 3, n).unwrap();
        let c = Chunk::new(Values::F64(&long), Some(v));
        let mut par = h.empty_like();
        par.update(&c);
        let mut ser = h.empty_like();
        ser.update_serial(&c);
        assert_eq!(par, ser);
        let mut want = h.empty_like();
        let valid: Vec<f64> = (0..n).filter(|&i| v.is_valid(i)).map(|i| long[i]).collect();
        want.update_serial(&f64_chunk(&valid));
        assert_eq!(par.counts(), want.counts());
        assert_eq!(par.null_count(), (n - valid.len()) as u64);
    }

    #[test]
    fn reference_edge_cases() {
        // All null or empty: NumPy's [0, 1] range.
        let null = Chunk::new(Values::Null(5), None);
        assert_eq!(
            Histogram::edges_from(&[null], &Binning::Count(2)).unwrap(),
            vec![0.0, 0.5, 1.0]
        );
        assert_eq!(
            Histogram::edges_from(&[], &Binning::Quantile(4)).unwrap(),
            vec![0.0, 1.0]
        );
        assert_eq!(
            Histogram::edges_from(&[null], &Binning::Rule(BinRule::Fd)).unwrap(),
            vec![0.0, 1.0]
        );
        let h = Histogram::from_reference(&[null], &Binning::Quantile(10)).unwrap();
        assert_eq!((h.null_count(), h.count()), (5, 0));
        // Only non-finite values count as empty for the edges, and still land in bins.
        let inf = [f64::INFINITY, f64::NAN, f64::NEG_INFINITY];
        let h = Histogram::from_reference(&[f64_chunk(&inf)], &Binning::Count(4)).unwrap();
        assert_eq!(h.edges(), &[0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!((h.underflow(), h.overflow(), h.nan_count()), (1, 1, 1));
        // Constant: one bin of width 1 around the value.
        let c = [2.0; 9];
        assert_eq!(
            Histogram::edges_from(&[f64_chunk(&c)], &Binning::Quantile(5)).unwrap(),
            vec![1.5, 2.5]
        );
        // Invalid requests.
        let x = [1.0, 2.0];
        for b in [
            Binning::Count(0),
            Binning::Quantile(0),
            Binning::Width(0.0),
            Binning::Width(f64::NAN),
            Binning::Width(1e-300),
            Binning::Count(MAX_BINS + 1),
            Binning::Edges(vec![1.0]),
            Binning::Edges(vec![1.0, 1.0]),
            Binning::Edges(vec![2.0, 1.0]),
            Binning::Edges(vec![0.0, f64::INFINITY]),
            Binning::Edges(vec![f64::NAN, 1.0]),
        ] {
            let e = Histogram::edges_from(&[f64_chunk(&x)], &b).unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{b:?}: {e}");
        }
        // An explicit range too narrow for its bins is still refused, as NumPy refuses it.
        assert!(Histogram::uniform(1.0, next_up(1.0), 10).is_err());
        assert!(Histogram::uniform(1.0, 1.0, 3).is_err());
        assert!(BinRule::parse("blah").is_err());
        for r in BinRule::ALL {
            assert_eq!(BinRule::parse(r.name()).unwrap(), r);
        }
    }

    #[test]
    fn quantile_reference_counts_from_census_equal_a_fill() {
        let mut s = 3u64;
        let mut u = move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        };
        let n: usize = 200_003;
        let smooth: Vec<f64> = (0..n).map(|_| (u() - 0.5).powi(3)).collect();
        // Heavy ties, edges on tied values, and every kind of non-finite value.
        let tied: Vec<f64> = (0..n)
            .map(|i| match i % 97 {
                0 => f64::NAN,
                1 => f64::INFINITY,
                2 => f64::NEG_INFINITY,
                3 => -0.0,
                _ => (u() * 20.0).floor() / 4.0,
            })
            .collect();
        let ints: Vec<i32> = (0..n).map(|_| (u() * 1000.0) as i32 - 500).collect();
        let bits: Vec<u8> = (0..n.div_ceil(8)).map(|i| (i * 37 % 251) as u8).collect();
        let valid = Validity::new(&bits, 0, n).unwrap();
        let cases: Vec<Vec<Chunk<'_>>> = vec![
            vec![f64_chunk(&smooth)],
            vec![f64_chunk(&tied)],
            vec![f64_chunk(&smooth[..70_000]), f64_chunk(&tied[70_000..])],
            vec![Chunk::new(Values::I32(&ints), None)],
            vec![Chunk::new(Values::F64(&tied), Some(valid))],
        ];
        let mut by_census_count = 0;
        for (i, chunks) in cases.iter().enumerate() {
            for k in [1, 4, 10, 100] {
                let (edges, census) = quantile_edges(chunks, k).unwrap();
                let mut by_fill = Histogram::with_edges(edges.clone()).unwrap();
                for c in chunks {
                    by_fill.update(c);
                }
                // Many ties make the wanted buckets too full for the census (the selection
                // falls back to keys); the smooth samples never do.
                assert!(
                    census.is_some() || ![0, 3].contains(&i),
                    "case {i}, {k} bins"
                );
                if let Some(census) = census {
                    let mut by_census = Histogram::with_edges(edges).unwrap();
                    assert!(by_census.count_from_census(&census), "case {i}, {k} bins");
                    assert_eq!(by_census, by_fill, "case {i}, {k} bins");
                    by_census_count += 1;
                }
                let h = Histogram::from_reference(chunks, &Binning::Quantile(k)).unwrap();
                assert_eq!(h, by_fill, "case {i}, {k} bins");
            }
        }
        assert!(by_census_count >= 10, "{by_census_count}");
    }

    #[test]
    fn quantile_edges_from_a_kll_sketch() {
        let xs: Vec<f64> = (0..100_000)
            .map(|i| ((i * 7919) % 100_003) as f64)
            .collect();
        let mut sketch = Kll::with_seed(200, 3).unwrap();
        sketch.update_chunks(&[f64_chunk(&xs)]);
        let h = Histogram::from_kll(&sketch, 10).unwrap();
        let exact = Histogram::edges_from(&[f64_chunk(&xs)], &Binning::Quantile(10)).unwrap();
        let e = h.edges();
        assert_eq!((e[0], e[10]), (exact[0], exact[10]));
        let eps = sketch.normalized_rank_error(false) * 100_003.0;
        for (a, b) in e.iter().zip(&exact) {
            assert!((a - b).abs() <= eps, "{a} vs {b}");
        }
        let mut constant = Kll::new();
        constant.update(4.0);
        assert_eq!(
            Histogram::from_kll(&constant, 5).unwrap().edges(),
            &[3.5, 4.5]
        );
        assert!(Histogram::from_kll(&Kll::new(), 5).is_err());
        assert!(Histogram::from_kll(&sketch, 0).is_err());
    }

    #[test]
    fn quantile_edges_from_sorted_match_selection() {
        let mut xs: Vec<f64> = (0..5000)
            .map(|i| ((i * 7919) % 1013) as f64 / 7.0)
            .collect();
        let by_selection =
            Histogram::edges_from(&[f64_chunk(&xs)], &Binning::Quantile(13)).unwrap();
        xs.sort_by(f64::total_cmp);
        assert_eq!(
            Histogram::quantile_edges_from_sorted(&xs, 13).unwrap(),
            by_selection
        );
        assert!(Histogram::quantile_edges_from_sorted(&[2.0, 1.0], 2).is_err());
        assert!(Histogram::quantile_edges_from_sorted(&[1.0, f64::NAN], 2).is_err());
        assert_eq!(
            Histogram::quantile_edges_from_sorted(&[], 2).unwrap(),
            vec![0.0, 1.0]
        );
    }

    #[test]
    fn merge_equals_whole_and_rejects_other_edges() {
        let xs: Vec<f64> = (0..10_000)
            .map(|i| ((i * 31) % 997) as f64 / 97.0 - 3.0)
            .collect();
        let whole = Histogram::from_reference(&[f64_chunk(&xs)], &Binning::Count(17)).unwrap();
        let mut merged = whole.empty_like();
        for part in xs.chunks(777) {
            let mut p = whole.empty_like();
            p.update(&f64_chunk(part));
            merged.merge(&p).unwrap();
        }
        assert_eq!(merged, whole);
        let other = Histogram::uniform(0.0, 1.0, 17).unwrap();
        let e = merged.merge(&other).unwrap_err();
        assert!(
            matches!(e, Error::Incompatible(_)) && e.to_string().contains("different edges"),
            "{e}"
        );
        assert!(Histogram::aligned_counts(&whole, &other).is_err());
        let (p, q) = Histogram::aligned_counts(&whole, &merged).unwrap();
        assert_eq!(p, q);
        assert_eq!(p.len(), whole.num_bins() + 2);
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| (i as f64).sin())
            .chain([f64::NAN])
            .collect();
        let bits = vec![0xffu8; 126];
        let v = Validity::new(&bits, 0, xs.len()).unwrap();
        let mut h = Histogram::from_reference(&[f64_chunk(&xs)], &Binning::Quantile(10)).unwrap();
        h.update(&Chunk::new(Values::F64(&xs), Some(v)));
        h.update(&Chunk::new(Values::Null(3), None));
        let b = h.to_bytes().unwrap();
        let back = Histogram::from_bytes(&b).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.kernel_name(), h.kernel_name());
        assert_eq!(back.to_bytes().unwrap(), b);
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x10;
            assert!(Histogram::from_bytes(&bad).is_err(), "byte {i}");
        }
        for n in 0..b.len() {
            assert!(Histogram::from_bytes(&b[..n]).is_err());
        }
        // Well-formed envelopes with impossible content.
        let forge = |edges: &[f64], counts: &[u64], n_edges: u64| {
            let mut w = Writer::new(Kind::Histogram);
            w.u64(n_edges);
            for &e in edges {
                w.f64(e);
            }
            for &c in counts {
                w.u64(c);
            }
            w.u64(0).u64(0);
            w.finish().unwrap()
        };
        assert!(Histogram::from_bytes(&forge(&[0.0, 1.0], &[0, 1, 0], 2)).is_ok());
        assert!(Histogram::from_bytes(&forge(&[1.0, 0.0], &[0, 1, 0], 2)).is_err());
        assert!(Histogram::from_bytes(&forge(&[0.0, f64::NAN], &[0, 1, 0], 2)).is_err());
        assert!(Histogram::from_bytes(&forge(&[0.0, 1.0], &[u64::MAX, 1, 0], 2)).is_err());
        assert!(Histogram::from_bytes(&forge(&[0.0, 1.0], &[0, 1], 2)).is_err());
        assert!(Histogram::from_bytes(&forge(&[0.0], &[0, 1], 1)).is_err());
        assert!(Histogram::from_bytes(&forge(&[0.0, 1.0], &[0, 1, 0], u64::MAX)).is_err());
        assert!(Histogram::from_bytes(b"garbage").is_err());
    }

    #[test]
    fn divergence_on_histograms() {
        use crate::binned::divergence::{js_distance, Smoothing};
        let a: Vec<f64> = (0..5000).map(|i| ((i * 7) % 101) as f64).collect();
        let b: Vec<f64> = (0..5000).map(|i| ((i * 13) % 101) as f64 + 20.0).collect();
        let r = Histogram::from_reference(&[f64_chunk(&a)], &Binning::Count(10)).unwrap();
        let mut c = r.empty_like();
        c.update(&f64_chunk(&b));
        let (p, q) = Histogram::aligned_counts(&r, &c).unwrap();
        assert!(p[0] == 0.0 && p[p.len() - 1] == 0.0 && q[q.len() - 1] > 0.0);
        let d = js_distance(&p, &q, Some(2.0), Smoothing::None).unwrap();
        assert!(d > 0.0 && d < 1.0);
        assert_eq!(
            js_distance(&p, &p, Some(2.0), Smoothing::None).unwrap(),
            0.0
        );
    }
}
