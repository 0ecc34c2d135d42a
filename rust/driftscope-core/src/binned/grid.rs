//! [`GridHistogram`]: a fine histogram built in one streaming pass without knowing the data's
//! range, that merges exactly across chunks, partitions and machines.
//!
//! # The grid
//!
//! Cell `c` (an integer) at exponent `e` covers `[c·2^e, (c+1)·2^e)`. A histogram of `B` bins
//! (a power of two in `4..=2^16`, default 1024) holds the counts of the `B` consecutive cells
//! `start .. start + B` at one exponent, its *window*, and counts of -inf, +inf, NaN and nulls
//! apart. The cells of exponent `e + 1` are the pairs of cells of exponent `e`
//! (`c ↦ c >> 1`, an arithmetic shift, i.e. a floor also for negative cells), so counts move
//! to any coarser window of the grid exactly.
//!
//! The window is a function of the range `[min, max]` of the finite values counted, and of
//! nothing else: `e` is the smallest exponent at or above a floor with
//! `cell_e(max) - cell_e(min) < B`, where `cell_e(x) = floor(x / 2^e)`, and
//! `start = cell_e(min)`. The floor on `e`:
//!
//! - `e >= ulp_exp(max(|min|, |max|)) + 1`: a bin is at least two ulps of the largest
//!   magnitude. Every occupied cell then lies in `[-2^52, 2^52)` and `|start + B| < 2^53`, so
//!   cells are exact in `i64` and every edge `c·2^e` is an exact double. (One ulp, as first
//!   designed, lets `start + B` pass `2^53`, where not every integer is a double.)
//! - `e >= 0` for an integer histogram (`integer = true`), so bins align on integers.
//! - `e >= -1022` ([`MIN_EXPONENT`]), so the width `2^e` is a normal double: values whose
//!   spread is below `B·2^-1022` (subnormals, tiny values) share fewer, wider bins than their
//!   spread would allow. At the top, every finite range fits at `e = 1023` (its cells lie in
//!   `-2..=1`) because `B >= 4` — the reason the smallest `B` is 4, not 2: with `B = 2` a
//!   range such as `[-1.5·2^1023, 1]` needs `e = 1024`, whose width is not a double.
//!
//! # Why the order of updates and merges does not matter
//!
//! 1. The predicate `P(e, R)`: "`cell_e(max R) - cell_e(min R) < B`" is monotone in `e`: with
//!    `a = cell_e(max)` and `b = cell_e(min)`, the cells at `e + 1` are `a >> 1` and `b >> 1`,
//!    and `(a >> 1) - (b >> 1) <= (a - b + 1) / 2 < B` when `a - b < B`. It is monotone in the
//!    range too: `cell_e` is non-decreasing, so a wider range spans at least as many cells;
//!    and so is the floor (it grows with the largest magnitude). So the window's exponent is
//!    `e(R) = max(floor(R), min{e : P(e, R)})`, and `R ⊆ R'` implies `e(R) <= e(R')`.
//! 2. For `e' >= e`, `cell_{e'}(x) = cell_e(x) >> (e' - e)`: a histogram's occupied cells at
//!    `e` give the cells of its data at every coarser exponent, hence `P(e', R)` and
//!    `cell_{e'}(min R)` for all `e' >= e` — though not below `e`, where they are not needed.
//!
//! Let a histogram hold data `D` in the window `W(R_D)`, and add a chunk (or merge a histogram)
//! of data `C`. By 1 the union's exponent is at least `L = max(e(R_D), floor(R_C))`, and the
//! union's floor (the larger of the two floors) is at most `L`; so it is the smallest `e >= L`
//! with `P(e, R_D ∪ R_C)`, which 2 evaluates from the cells of both sides. Its start is the
//! smaller of the two sides' first cells there, and every count moves to its cell at `e`
//! exactly. By induction, after any sequence of updates and merges the histogram is the
//! window `W(R)` of the range `R` of all finite values seen, holding the counts of all values
//! in its cells: the same `e`, `start` and counts — bit for bit — however the data was split
//! into chunks, in whatever order they were counted, and whatever the shape of the merge tree.
//!
//! # Counting
//!
//! The window's edges `(start + i)·2^e` are exact doubles, equal bit for bit to
//! `np.linspace(start·2^e, (start + B)·2^e, B + 1)` (tested), so each chunk is counted by a
//! [`Histogram`] over them with its fast equal-width kernels: every finite value of the chunk
//! lies inside the window, ±inf land in its outer bins, and no finite value falls on its
//! closed last edge (`cell(max) < start + B`). The counter is kept while the window stays.
//! A window reaching past the double range (data within `B` bins of ±`f64::MAX`) is counted
//! over the cells that hold doubles, its outermost edges clamped to ±`f64::MAX`.
//!
//! This is the power-of-two bucket alignment of HdrHistogram (Tene) and of DDSketch's
//! collapsing of adjacent buckets (Masson, Rim & Lee 2019), on linear cells: when the range
//! outgrows `B` bins, every pair of neighbouring cells collapses into one, as in a doubling
//! equal-width histogram.

use crate::binned::histogram::Histogram;
use crate::error::{Error, Num, Result};
use crate::io::column::Chunk;
use crate::io::serial::{Kind, Reader, Writer};
use crate::sketch::quantile::finite_extent;

/// Bins of a [`GridHistogram::default`].
pub const DEFAULT_BINS: usize = 1024;
/// The fewest bins a grid histogram may have (see the module documentation).
pub const MIN_BINS: usize = 4;
/// The most bins a grid histogram may have.
pub const MAX_BINS: usize = 1 << 16;
/// The smallest exponent: the width `2^-1022` is the smallest normal double.
pub const MIN_EXPONENT: i32 = -1022;
/// The largest exponent: every finite range fits in 4 cells of `2^1023`.
pub const MAX_EXPONENT: i32 = 1023;
/// Occupied cells lie in `[-CELL_LIMIT, CELL_LIMIT)` (the two-ulp floor).
const CELL_LIMIT: i64 = 1 << 52;

/// A histogram over an aligned power-of-two grid whose window grows to cover the data. See
/// the module documentation.
pub struct GridHistogram {
    bins: usize,
    integer: bool,
    exponent: i32,
    /// The first cell of the window: the cell of the smallest finite value (0 while empty).
    start: i64,
    /// `bins` counts, of the cells `start .. start + bins`.
    counts: Vec<u64>,
    neg_inf: u64,
    pos_inf: u64,
    nan_count: u64,
    null_count: u64,
    /// The counter of the current window, kept between updates (not part of the value).
    counter: Option<Counter>,
}

/// A [`Histogram`] over the edges of the window `(exponent, start)`, with no counts.
struct Counter {
    exponent: i32,
    start: i64,
    hist: Histogram,
}

/// The counts of one chunk in a window.
struct Tally {
    /// Counts of the cells `start ..`, at most `bins` of them.
    cells: Vec<u64>,
    below: u64,
    above: u64,
    nan: u64,
    nulls: u64,
}

/// The occupied cells `lo..=hi` of some data at `exponent`.
#[derive(Debug, Clone, Copy)]
struct Span {
    exponent: i32,
    lo: i64,
    hi: i64,
}

impl Span {
    /// The occupied cells at `e >= self.exponent`.
    fn at(self, e: i32) -> (i64, i64) {
        let d = e.saturating_sub(self.exponent);
        (shr(self.lo, d), shr(self.hi, d))
    }
}

/// `c >> d`: the cell holding cell `c` of an exponent `d` lower (a floor for negative `c`).
fn shr(c: i64, d: i32) -> i64 {
    c >> d.clamp(0, 63)
}

/// `2^e` for `e` in `MIN_EXPONENT..=MAX_EXPONENT`.
fn pow2(e: i32) -> f64 {
    f64::from_bits(((e.clamp(MIN_EXPONENT, MAX_EXPONENT) + 1023) as u64) << 52)
}

/// The edge `c·2^e`, exact for `|c| <= 2^53` (±inf past the double range).
fn edge(c: i64, e: i32) -> f64 {
    c as f64 * pow2(e)
}

/// The first cell at exponent `e` past the double range: `2^(1024 - e)`, or `i64::MAX` where
/// that does not fit (no cell near it can be occupied then).
fn cap(e: i32) -> i64 {
    let k = 1024 - e;
    if (0..63).contains(&k) {
        1 << k
    } else {
        i64::MAX
    }
}

/// The exponent of the ulp of a finite `x` (of a subnormal: -1074), or a very low number for
/// zero, whose ulp sets no floor.
fn ulp_exponent(x: f64) -> i32 {
    if x == 0.0 {
        return i32::MIN / 2;
    }
    let biased = ((x.to_bits() >> 52) & 0x7ff) as i32;
    biased.max(1) - 1075
}

/// `floor(x / 2^e)` of a finite `x`, exactly, by integer arithmetic on the double's bits
/// (a float product `x·2^-e` may round a tiny negative value to -0.0). Saturates where the
/// cell does not fit in an i64 (never for the cells of a histogram's data).
fn cell(x: f64, e: i32) -> i64 {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = (bits & ((1 << 52) - 1)) as i64;
    let (m, q) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, biased - 1075)
    };
    let v = if x.is_sign_negative() { -m } else { m };
    let d = q - e;
    if d < 0 {
        return shr(v, -d);
    }
    match 1i64.checked_shl(d as u32).and_then(|p| v.checked_mul(p)) {
        Some(c) => c,
        None if v == 0 => 0,
        None => v.signum() * i64::MAX,
    }
}

/// Checks the number of bins.
fn check_bins(bins: usize) -> Result<()> {
    if !(bins.is_power_of_two() && (MIN_BINS..=MAX_BINS).contains(&bins)) {
        return Err(Error::InvalidArgument(format!(
            "a grid histogram has a power of two of bins in {MIN_BINS}..={MAX_BINS}, not {bins}"
        )));
    }
    Ok(())
}

/// An error for a state the construction rules out.
fn bug(what: &str) -> Error {
    Error::InvalidArgument(format!(
        "GridHistogram: {what}; this is a bug in driftscope, please report it"
    ))
}

impl Default for GridHistogram {
    /// An empty float histogram of [`DEFAULT_BINS`] bins.
    fn default() -> Self {
        Self::empty(DEFAULT_BINS, false)
    }
}

impl Clone for GridHistogram {
    /// A copy of the value (the counter of the window is rebuilt when needed).
    fn clone(&self) -> Self {
        GridHistogram {
            counts: self.counts.clone(),
            counter: None,
            ..*self
        }
    }
}

/// Two grid histograms are equal when their bins, flag, window and all counts are.
impl PartialEq for GridHistogram {
    fn eq(&self, other: &Self) -> bool {
        self.bins == other.bins
            && self.integer == other.integer
            && self.exponent == other.exponent
            && self.start == other.start
            && self.counts == other.counts
            && self.neg_inf == other.neg_inf
            && self.pos_inf == other.pos_inf
            && self.nan_count == other.nan_count
            && self.null_count == other.null_count
    }
}

impl std::fmt::Debug for GridHistogram {
    /// The window, the occupied span of the counts and the counts apart.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let span = self.occupied_len();
        f.debug_struct("GridHistogram")
            .field("bins", &self.bins)
            .field("integer", &self.integer)
            .field("exponent", &self.exponent)
            .field("start", &self.start)
            .field("counts", &&self.counts[..span])
            .field("neg_inf", &self.neg_inf)
            .field("pos_inf", &self.pos_inf)
            .field("nan_count", &self.nan_count)
            .field("null_count", &self.null_count)
            .finish()
    }
}

impl GridHistogram {
    /// An empty histogram of `bins` bins (a power of two in `4..=2^16`); `integer` keeps
    /// bins at least 1 wide and aligned on integers.
    pub fn new(bins: usize, integer: bool) -> Result<Self> {
        check_bins(bins)?;
        Ok(Self::empty(bins, integer))
    }

    fn empty(bins: usize, integer: bool) -> Self {
        GridHistogram {
            bins,
            integer,
            exponent: Self::base(integer),
            start: 0,
            counts: vec![0; bins],
            neg_inf: 0,
            pos_inf: 0,
            nan_count: 0,
            null_count: 0,
            counter: None,
        }
    }

    /// An empty histogram of the same bins and flag.
    pub fn empty_like(&self) -> Self {
        Self::empty(self.bins, self.integer)
    }

    /// The lowest exponent, and that of an empty histogram.
    fn base(integer: bool) -> i32 {
        if integer {
            0
        } else {
            MIN_EXPONENT
        }
    }

    /// The floor on the exponent of a window holding the finite range `[a, b]`.
    fn floor_of(&self, a: f64, b: f64) -> i32 {
        let m = a.abs().max(b.abs());
        Self::base(self.integer).max(ulp_exponent(m).saturating_add(1))
    }

    /// The occupied cells, if any value is counted in them.
    fn span(&self) -> Option<Span> {
        let n = self.occupied_len();
        (n > 0).then_some(Span {
            exponent: self.exponent,
            lo: self.start,
            hi: self.start + n as i64 - 1,
        })
    }

    /// The cells of the finite range `[a, b]` at its floor.
    fn range_span(&self, a: f64, b: f64) -> Span {
        let e = self.floor_of(a, b);
        Span {
            exponent: e,
            lo: cell(a, e),
            hi: cell(b, e),
        }
    }

    /// The smallest window covering every span, at or above `floor` and their exponents
    /// (see the module documentation).
    fn cover(&self, spans: &[Span], floor: i32) -> (i32, i64) {
        let mut e = spans.iter().map(|s| s.exponent).fold(floor, i32::max);
        loop {
            let (lo, hi) = spans
                .iter()
                .map(|s| s.at(e))
                .fold((i64::MAX, i64::MIN), |(lo, hi), (a, b)| {
                    (lo.min(a), hi.max(b))
                });
            // The span halves at each step, so this ends within 64 steps (at `e <= 1023`
            // for the spans of finite data).
            if hi.saturating_sub(lo) < self.bins as i64 || e >= MAX_EXPONENT {
                return (e, lo);
            }
            e += 1;
        }
    }

    /// Counts the values of `chunk`: nulls and NaN apart, ±inf in their own counts, finite
    /// values in their cells, the window grown first to cover them. Reads the chunk twice
    /// (its finite range, then the counts); [`GridHistogram::update_with_range`] spares the
    /// first pass.
    pub fn update(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        let (n, lo, hi) = finite_extent(std::slice::from_ref(chunk));
        self.count_chunk(chunk, (n > 0).then_some((lo, hi)), false)
    }

    /// [`GridHistogram::update`] with the range known: `min` and `max` are the smallest and
    /// largest non-NaN values of the chunk, or of all values this histogram has counted,
    /// this chunk included — what [`crate::Moments`] of the chunk or of the whole column
    /// report (so finite bounds say the chunk holds no infinity). Infinite or NaN bounds (a
    /// chunk with infinities, or without any value) tell nothing of the finite range, so the
    /// chunk is scanned for it as `update` does.
    ///
    /// Finite bounds are checked as far as the counts show: a finite value outside the
    /// window, or a bound whose cell holds no value, is an [`Error::InvalidArgument`], and the
    /// histogram is left unchanged. A bound just past the data inside the same cell goes
    /// unseen: the counts stay exact, but the window may be coarser than `update` would make
    /// it, which breaks the bit-identity across orders.
    pub fn update_with_range(&mut self, chunk: &Chunk<'_>, min: f64, max: f64) -> Result<()> {
        if !(min.is_finite() && max.is_finite()) {
            return self.update(chunk);
        }
        if min > max {
            return Err(Error::InvalidArgument(format!(
                "update_with_range: min ({}) is above max ({})",
                Num(min),
                Num(max)
            )));
        }
        self.count_chunk(chunk, Some((min, max)), true)
    }

    /// Counts `chunk`, whose finite values span `range` (checked as
    /// [`GridHistogram::update_with_range`] says when `claimed`).
    fn count_chunk(
        &mut self,
        chunk: &Chunk<'_>,
        range: Option<(f64, f64)>,
        claimed: bool,
    ) -> Result<()> {
        let (e, start) = match range {
            Some((a, b)) => {
                let new = self.range_span(a, b);
                match self.span() {
                    Some(old) => self.cover(&[old, new], new.exponent),
                    None => self.cover(&[new], new.exponent),
                }
            }
            None => (self.exponent, self.start),
        };
        let t = self.tally(chunk, e, start)?;
        if let (true, Some((a, b))) = (claimed, range) {
            self.check_claim(&t, e, start, a, b)?;
        }
        self.absorb(e, start, &t.cells, [t.below, t.above, t.nan, t.nulls])
    }

    /// Moves the counts to the covering window `(e, start)`, then adds `cells` (counts of the
    /// cells from `start`) and the counts apart `[-inf, +inf, NaN, null]`.
    fn absorb(&mut self, e: i32, start: i64, cells: &[u64], apart: [u64; 4]) -> Result<()> {
        let mut counts = self.moved(e, start)?;
        for (c, x) in counts.iter_mut().zip(cells) {
            *c = c.saturating_add(*x);
        }
        self.counts = counts;
        self.exponent = e;
        self.start = start;
        let mine = [
            &mut self.neg_inf,
            &mut self.pos_inf,
            &mut self.nan_count,
            &mut self.null_count,
        ];
        for (c, x) in mine.into_iter().zip(apart) {
            *c = c.saturating_add(x);
        }
        Ok(())
    }

    /// The counts of `chunk` in the window `(e, start)`, by the window's counter.
    fn tally(&mut self, chunk: &Chunk<'_>, e: i32, start: i64) -> Result<Tally> {
        let mut counter = match self.counter.take() {
            Some(c) if (c.exponent, c.start) == (e, start) => c,
            _ => Counter {
                exponent: e,
                start,
                hist: Histogram::with_edges(self.counted_edges(e, start))?,
            },
        };
        counter.hist.update(chunk);
        let h = &counter.hist;
        let all = h.counts();
        let t = Tally {
            cells: all[1..all.len() - 1].to_vec(),
            below: all[0],
            above: all[all.len() - 1],
            nan: h.nan_count(),
            nulls: h.null_count(),
        };
        counter.hist.clear();
        self.counter = Some(counter);
        Ok(t)
    }

    /// Checks the bounds given to `update_with_range` against the chunk's counts `t` in the
    /// window `(e, start)` (finite bounds: the chunk holds no infinity).
    fn check_claim(&self, t: &Tally, e: i32, start: i64, a: f64, b: f64) -> Result<()> {
        let first = t.cells.iter().position(|&c| c > 0);
        let last = t.cells.iter().rposition(|&c| c > 0);
        let new = first
            .zip(last)
            .map(|(i, j)| (start + i as i64, start + j as i64));
        let all = match (self.span().map(|s| s.at(e)), new) {
            (Some((p, q)), Some((r, s))) => Some((p.min(r), q.max(s))),
            (old, new) => old.or(new),
        };
        // Each bound is the chunk's or the running one: its cell is the first (last)
        // occupied one of the chunk or of everything.
        let (ca, cb) = (Some(cell(a, e)), Some(cell(b, e)));
        let ends = |f: fn((i64, i64)) -> i64, c| new.map(f) == c || all.map(f) == c;
        let outside = t.below > 0 || t.above > 0;
        if outside || !ends(|s| s.0, ca) || !ends(|s| s.1, cb) {
            let what = if outside {
                "the chunk holds values outside it"
            } else {
                "no value counted lies at one of its ends"
            };
            return Err(Error::InvalidArgument(format!(
                "update_with_range: [{}, {}] is not the range of the chunk's values nor of all \
                 the values counted ({what}); pass what Moments reports for them, or call \
                 update",
                Num(a),
                Num(b)
            )));
        }
        Ok(())
    }

    /// The counts moved to the covering window `(e, start)`.
    fn moved(&self, e: i32, start: i64) -> Result<Vec<u64>> {
        if (e, start) == (self.exponent, self.start) {
            return Ok(self.counts.clone());
        }
        self.regrouped(e, start)
            .ok_or_else(|| bug("a covering window does not cover the counts"))
    }

    /// Adds the counts of `other`, which must have the same bins and integer flag
    /// ([`Error::Incompatible`] otherwise), both brought to the smallest window covering the
    /// two. `other` is not changed.
    pub fn merge(&mut self, other: &GridHistogram) -> Result<()> {
        if (self.bins, self.integer) != (other.bins, other.integer) {
            let describe = |h: &GridHistogram| {
                format!(
                    "{} {} bins",
                    h.bins,
                    if h.integer { "integer" } else { "float" }
                )
            };
            return Err(Error::Incompatible(format!(
                "grid histograms of {} and of {} cannot be merged; build both with the same \
                 bins and integer flag",
                describe(self),
                describe(other)
            )));
        }
        let spans: Vec<Span> = [self.span(), other.span()].into_iter().flatten().collect();
        let (e, start) = if spans.is_empty() {
            (self.exponent, self.start)
        } else {
            self.cover(&spans, Self::base(self.integer))
        };
        let apart = [
            other.neg_inf,
            other.pos_inf,
            other.nan_count,
            other.null_count,
        ];
        self.absorb(e, start, &other.moved(e, start)?, apart)
    }

    /// Number of bins `B`.
    pub fn bins(&self) -> usize {
        self.bins
    }

    /// Whether bins are kept at least 1 wide and aligned on integers.
    pub fn is_integer(&self) -> bool {
        self.integer
    }

    /// The exponent `e` of the window (the lowest allowed while empty).
    pub fn exponent(&self) -> i32 {
        self.exponent
    }

    /// The first cell of the window: the cell of the smallest finite value (0 while empty).
    pub fn start(&self) -> i64 {
        self.start
    }

    /// The width of a bin, `2^e`.
    pub fn width(&self) -> f64 {
        pow2(self.exponent)
    }

    /// The `B + 1` edges `(start + i)·2^e`, exact. Edges past the double range (only when
    /// the data come within `B` bins of ±`f64::MAX`) are ±inf; no value lies in their bins.
    pub fn edges(&self) -> Vec<f64> {
        (0..=self.bins as i64)
            .map(|i| edge(self.start + i, self.exponent))
            .collect()
    }

    /// The edges the window is counted over: [`GridHistogram::edges`] up to the first edge
    /// past the double range, the outermost clamped to ±`f64::MAX` (strictly increasing:
    /// only the first and past-the-range edges can reach ±2^1024, and then `e >= 972`, so
    /// the edges inside stay strictly within ±`f64::MAX`).
    fn counted_edges(&self, e: i32, start: i64) -> Vec<f64> {
        let end = (start + self.bins as i64).min(cap(e));
        (start..=end)
            .map(|c| edge(c, e).clamp(-f64::MAX, f64::MAX))
            .collect()
    }

    /// The `B` counts of the cells `start .. start + B`.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The number of leading cells up to the last occupied one.
    fn occupied_len(&self) -> usize {
        self.counts
            .iter()
            .rposition(|&c| c > 0)
            .map_or(0, |i| i + 1)
    }

    pub fn neg_inf(&self) -> u64 {
        self.neg_inf
    }

    pub fn pos_inf(&self) -> u64 {
        self.pos_inf
    }

    pub fn nan_count(&self) -> u64 {
        self.nan_count
    }

    pub fn null_count(&self) -> u64 {
        self.null_count
    }

    /// The number of finite values counted.
    pub fn count(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, &b| a.saturating_add(b))
    }

    /// Whether no finite value is counted, so that no window is set (infinities, NaN and
    /// nulls may have been counted).
    pub fn is_empty(&self) -> bool {
        self.counts.iter().all(|&c| c == 0)
    }

    /// The counts of this histogram in the window `(exponent, start)` of the same grid,
    /// as coarse as this one's or coarser (`exponent >= self.exponent()`, at most
    /// [`MAX_EXPONENT`]): `B` counts, or `None` when that window does not hold every value
    /// counted (or is finer). Exact: each cell lies in one cell of a coarser window.
    pub fn regrouped(&self, exponent: i32, start: i64) -> Option<Vec<u64>> {
        if !(self.exponent..=MAX_EXPONENT).contains(&exponent) {
            return None;
        }
        let d = exponent - self.exponent;
        let mut out = vec![0u64; self.bins];
        for (i, &n) in self.counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            let k = shr(self.start + i as i64, d).checked_sub(start)?;
            let slot = usize::try_from(k).ok().and_then(|k| out.get_mut(k))?;
            *slot += n;
        }
        Some(out)
    }

    /// The counts over other `edges` (finite, strictly increasing, at least two), laid out
    /// as [`Histogram::counts`]: `edges.len() + 1` counts, `[(-inf, e_0) with -inf, [e_0,
    /// e_1), …, [e_n, +inf) with +inf]`. Bins are half-open, the last interior one too (as
    /// the cells are). `None` when the edges are invalid or one of them cuts an occupied
    /// cell, where the counts would not be exact: edges on the grid's boundaries at this
    /// exponent or a coarser one always work.
    pub fn coarsened_to(&self, edges: &[f64]) -> Option<Vec<u64>> {
        let valid = edges.len() >= 2
            && edges.iter().all(|e| e.is_finite())
            && edges.windows(2).all(|w| w[0] < w[1]);
        if !valid {
            return None;
        }
        let mut out = vec![0u64; edges.len() + 1];
        for (i, &n) in self.counts.iter().enumerate().filter(|(_, &n)| n > 0) {
            let c = self.start + i as i64;
            let (lower, upper) = (edge(c, self.exponent), edge(c + 1, self.exponent));
            let k = edges.partition_point(|&x| x <= lower);
            if k < edges.len() && edges[k] < upper {
                return None;
            }
            out[k] += n;
        }
        out[0] += self.neg_inf;
        out[edges.len()] += self.pos_inf;
        Some(out)
    }

    /// The same counts as a [`Histogram`] over the window's edges: outer bins hold the
    /// infinities, and nulls and NaN are carried over. (A window reaching past the double
    /// range keeps only its bins up to `f64::MAX`, the outermost edges clamped to
    /// ±`f64::MAX`.)
    pub fn to_histogram(&self) -> Result<Histogram> {
        let edges = self.counted_edges(self.exponent, self.start);
        let n = edges.len() - 1;
        if self.counts[n..].iter().any(|&c| c > 0) {
            return Err(bug("a cell past the double range holds values"));
        }
        let mut counts = Vec::with_capacity(n + 2);
        counts.push(self.neg_inf);
        counts.extend_from_slice(&self.counts[..n]);
        counts.push(self.pos_inf);
        Histogram::with_counts(edges, counts, self.null_count, self.nan_count)
    }

    /// Serializes into the versioned driftscope envelope (kind `GRID`), keeping the counts
    /// of the occupied cells only.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let span = &self.counts[..self.occupied_len()];
        let mut w = Writer::new(Kind::GridHistogram);
        w.u64(self.bins as u64)
            .u8(u8::from(self.integer))
            .i32(self.exponent)
            .i64(self.start)
            .u64(span.len() as u64);
        for &c in span {
            w.u64(c);
        }
        w.u64(self.neg_inf)
            .u64(self.pos_inf)
            .u64(self.nan_count)
            .u64(self.null_count);
        w.finish()
    }

    /// Reads bytes written by [`GridHistogram::to_bytes`], checking that they are intact and
    /// describe a histogram updates and merges can make: `B` a power of two in range, the
    /// exponent in range, the window starting at its first occupied cell, occupied cells
    /// within the two-ulp floor and the double range, and the window the smallest that
    /// covers them as far as the cells show.
    pub fn from_bytes(bytes: &[u8]) -> Result<GridHistogram> {
        let bad = |msg: &str| Kind::GridHistogram.corrupt(msg);
        let mut r = Reader::open(bytes, Kind::GridHistogram)?;
        let bins = r.u64()?;
        let integer = r.u8()?;
        let exponent = r.i32()?;
        let start = r.i64()?;
        let len = r.u64()?;
        let bins = usize::try_from(bins)
            .ok()
            .filter(|&b| check_bins(b).is_ok())
            .ok_or_else(|| bad("the number of bins is not a power of two in 4..=65536"))?;
        if integer > 1 {
            return Err(bad("the integer flag is neither 0 nor 1"));
        }
        let integer = integer == 1;
        let base = Self::base(integer);
        if !(base..=MAX_EXPONENT).contains(&exponent) {
            return Err(bad("the exponent is out of range"));
        }
        let len = usize::try_from(len)
            .ok()
            .filter(|&n| n <= bins)
            .ok_or_else(|| bad("more counts than bins"))?;
        let mut counts = vec![0u64; bins];
        for c in &mut counts[..len] {
            *c = r.u64()?;
        }
        let neg_inf = r.u64()?;
        let pos_inf = r.u64()?;
        let nan_count = r.u64()?;
        let null_count = r.u64()?;
        r.finish()?;
        let total = counts
            .iter()
            .chain([&neg_inf, &pos_inf, &nan_count, &null_count])
            .try_fold(0u64, |a, &b| a.checked_add(b));
        if total.is_none() {
            return Err(bad("the counts overflow"));
        }
        if len == 0 {
            if (exponent, start) != (base, 0) {
                return Err(bad("an empty histogram has a window"));
            }
        } else {
            if counts[0] == 0 || counts[len - 1] == 0 {
                return Err(bad("the stored counts do not start and end occupied"));
            }
            let (lo, hi) = (start, start.saturating_add(len as i64 - 1));
            let limit = cap(exponent).min(CELL_LIMIT);
            if lo < -limit || hi >= limit {
                return Err(bad(
                    "the occupied cells are narrower than two ulps or past the double range",
                ));
            }
            // Minimal: were the cells to fit at `e - 1`, `e` must be a floor: the lowest
            // exponent, or the two-ulp floor of a value whose cell is beyond ±2^51.
            let fits_finer = 2 * (hi - lo) + 2 <= bins as i64;
            let at_ulp_floor = lo <= -(CELL_LIMIT / 2) || hi >= CELL_LIMIT / 2;
            if fits_finer && exponent > base && !at_ulp_floor {
                return Err(bad("the window is not the smallest that covers the counts"));
            }
        }
        Ok(GridHistogram {
            bins,
            integer,
            exponent,
            start,
            counts,
            neg_inf,
            pos_inf,
            nan_count,
            null_count,
            counter: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::column::{Validity, Values};
    use crate::numeric::moments::Moments;
    use crate::numeric::sort::tests::Rng;

    /// Uniform in `0..n`, from the crate's seeded test generator.
    trait Below {
        fn below(&mut self, n: usize) -> usize;
    }

    impl Below for Rng {
        fn below(&mut self, n: usize) -> usize {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// A column with nulls (`None`), stored as values and a validity bitmap.
    struct Column {
        values: Vec<f64>,
        bits: Vec<u8>,
    }

    impl Column {
        fn new(data: &[Option<f64>]) -> Column {
            let mut bits = vec![0u8; data.len().div_ceil(8)];
            for (i, x) in data.iter().enumerate() {
                if x.is_some() {
                    bits[i / 8] |= 1 << (i % 8);
                }
            }
            // A null's slot holds a value that would show if it were counted.
            let values = data.iter().map(|x| x.unwrap_or(-7.5e10)).collect();
            Column { values, bits }
        }

        fn chunk(&self) -> Chunk<'_> {
            let v = Validity::new(&self.bits, 0, self.values.len()).unwrap();
            Chunk::new(Values::F64(&self.values), Some(v))
        }
    }

    fn f64_chunk(xs: &[f64]) -> Chunk<'_> {
        Chunk::new(Values::F64(xs), None)
    }

    fn grid(bins: usize, integer: bool, chunk: &Chunk<'_>) -> GridHistogram {
        let mut h = GridHistogram::new(bins, integer).unwrap();
        h.update(chunk).unwrap();
        h
    }

    /// The window of the finite values of `data` by the definition: the smallest exponent at
    /// or above the floor whose cells of the extremes are fewer than `bins` apart.
    fn window_by_definition(data: &[Option<f64>], bins: usize, integer: bool) -> (i32, i64) {
        let finite: Vec<f64> = data
            .iter()
            .flatten()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        let base = if integer { 0 } else { MIN_EXPONENT };
        if finite.is_empty() {
            return (base, 0);
        }
        let a = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let b = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut e = base.max(ulp_exponent(a.abs().max(b.abs())) + 1);
        while cell(b, e) - cell(a, e) >= bins as i64 {
            e += 1;
        }
        (e, cell(a, e))
    }

    /// Checks `h` against `data` by brute force: the window by definition; each finite value
    /// counted in the cell `floor(x / 2^e) - start` (exact, checked against the cell's exact
    /// edges); the other counts; and the Histogram over the same edges.
    fn check(h: &GridHistogram, data: &[Option<f64>]) {
        let (e, start) = window_by_definition(data, h.bins(), h.is_integer());
        assert_eq!((h.exponent(), h.start()), (e, start), "window");
        let mut counts = vec![0u64; h.bins()];
        let (mut neg, mut pos, mut nan, mut null) = (0, 0, 0, 0);
        for x in data {
            match *x {
                None => null += 1,
                Some(x) if x.is_nan() => nan += 1,
                Some(x) if x == f64::INFINITY => pos += 1,
                Some(x) if x == f64::NEG_INFINITY => neg += 1,
                Some(x) => {
                    let c = cell(x, e);
                    assert!(edge(c, e) <= x && x < edge(c + 1, e), "{x:e} at {e}");
                    counts[usize::try_from(c - start).unwrap()] += 1;
                }
            }
        }
        assert_eq!(h.counts(), &counts[..]);
        let others = (h.neg_inf(), h.pos_inf(), h.nan_count(), h.null_count());
        assert_eq!(others, (neg, pos, nan, null));
        assert_eq!(h.count(), counts.iter().sum::<u64>());
        assert_eq!(h.is_empty(), h.count() == 0);
        // NumPy's semantics through the Histogram: the edges of `Histogram::uniform` over
        // the window are the grid's, bit for bit, and count alike.
        let th = h.to_histogram().unwrap();
        let edges = h.edges();
        let (first, last) = (edges[0], edges[h.bins()]);
        if first.is_finite() && last.is_finite() {
            let mut u = Histogram::uniform(first, last, h.bins()).unwrap();
            assert_eq!(u.edges(), &edges[..]);
            assert_eq!(u.kernel_name(), "linspace");
            let col = Column::new(data);
            u.update(&col.chunk());
            assert_eq!(u, th);
        } else {
            // Edges past the double range: counted up to the first, clamped to ±f64::MAX.
            let n = th.num_bins();
            assert!(n <= h.bins() && edges[n + 1..].iter().all(|&x| x == f64::INFINITY));
            let clamped: Vec<f64> = edges[..=n]
                .iter()
                .map(|x| x.clamp(-f64::MAX, f64::MAX))
                .collect();
            assert_eq!(th.edges(), &clamped[..]);
        }
        assert_eq!(th.interior_counts(), &counts[..th.num_bins()]);
        assert_eq!((th.underflow(), th.overflow()), (neg, pos));
        assert_eq!((th.nan_count(), th.null_count()), (nan, null));
    }

    /// Random data of one of several shapes, with NaN, ±inf and nulls sprinkled in.
    fn random_data(rng: &mut Rng) -> Vec<Option<f64>> {
        let n = match rng.below(6) {
            0 => rng.below(3),
            1 => rng.below(40),
            _ => rng.below(1500),
        };
        let shape = rng.below(9);
        let scale = 10f64.powi(rng.below(600) as i32 - 300);
        let shift = rng.normalish() * 10f64.powi(rng.below(8) as i32) * scale;
        let constant = rng.normalish() * scale;
        let special = [0.0, 0.02, 0.2][rng.below(3)];
        (0..n)
            .map(|_| {
                if rng.uniform() < special {
                    return match rng.below(4) {
                        0 => None,
                        1 => Some(f64::NAN),
                        2 => Some(f64::INFINITY),
                        _ => Some(f64::NEG_INFINITY),
                    };
                }
                Some(match shape {
                    0 => rng.normalish() * scale + shift,
                    // Ties, negative values, and zeros of both signs.
                    1 => [-0.0, 0.0, 0.25, -1.5, 3.0, -1e3][rng.below(6)] * scale,
                    2 => (rng.normalish() * 1e3).round(),
                    3 => [f64::MAX, -f64::MAX, 1e308, -1e307, 1.0, 0.0][rng.below(6)],
                    4 => f64::MAX * (1.0 - rng.uniform() * 1e-12),
                    // Subnormals and tiny values.
                    5 => f64::from_bits(rng.next_u64() % (1 << 54)) * [1.0, -1.0][rng.below(2)],
                    6 => constant,
                    7 => (rng.uniform() * 2e6).round() - 1e6 + 0.5 * rng.below(2) as f64,
                    _ => rng.normalish().exp() * scale,
                })
            })
            .collect()
    }

    /// `0..n` cut at random points into parts (some empty), in a random order.
    fn random_parts(rng: &mut Rng, n: usize) -> Vec<(usize, usize)> {
        let k = 1 + rng.below(12);
        let mut cuts: Vec<usize> = (0..k - 1).map(|_| rng.below(n + 1)).collect();
        cuts.extend([0, n]);
        cuts.sort_unstable();
        let mut parts: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1] - w[0])).collect();
        for i in (1..parts.len()).rev() {
            parts.swap(i, rng.below(i + 1));
        }
        parts
    }

    #[test]
    fn cell_is_the_floor_of_the_quotient() {
        let mut rng = Rng::new(1);
        for _ in 0..200_000 {
            let x = f64::from_bits(rng.next_u64());
            if !x.is_finite() {
                continue;
            }
            let floor = MIN_EXPONENT.max(ulp_exponent(x) + 1);
            let e = (floor + rng.below(80) as i32).min(MAX_EXPONENT);
            let c = cell(x, e);
            assert!((-CELL_LIMIT..CELL_LIMIT).contains(&c), "{x:e} at {e}");
            // The edges are exact, ±inf past the double range.
            assert!(edge(c, e) <= x && x < edge(c + 1, e), "{x:e} at {e}: {c}");
        }
        // A tiny negative value is in cell -1, where `x * 2^-e` rounds to -0.0.
        assert_eq!(cell(-5e-324, 10), -1);
        assert_eq!((-5e-324f64 * pow2(-10)).floor(), 0.0);
        assert_eq!(
            (cell(-0.0, 3), cell(0.0, 3), cell(-8.0, 3), cell(-7.9, 3)),
            (0, 0, -1, -1)
        );
        assert_eq!((cell(1.0, 60), cell(-1.0, 100), cell(3.0, -2)), (0, -1, 12));
        assert_eq!(
            (cell(f64::MAX, 972), cell(-f64::MAX, 1023)),
            ((1 << 52) - 1, -2)
        );
        assert_eq!(cell(1e300, 0), i64::MAX, "saturates");
    }

    #[test]
    fn windows_grow_by_collapsing_pairs_of_cells() {
        let mut h = GridHistogram::new(4, false).unwrap();
        h.update(&f64_chunk(&[0.0, 1.0, 2.0, 3.5])).unwrap();
        assert_eq!(
            (h.exponent(), h.start(), h.counts()),
            (0, 0, &[1u64, 1, 1, 1][..])
        );
        assert_eq!(h.edges(), [0.0, 1.0, 2.0, 3.0, 4.0]);
        h.update(&f64_chunk(&[7.0])).unwrap();
        assert_eq!(
            (h.exponent(), h.start(), h.counts()),
            (1, 0, &[2u64, 2, 0, 1][..])
        );
        h.update(&f64_chunk(&[-0.5])).unwrap();
        assert_eq!(
            (h.exponent(), h.start(), h.counts()),
            (2, -1, &[1u64, 4, 1, 0][..])
        );
        assert_eq!(h.width(), 4.0);
        assert_eq!(h.edges(), [-4.0, 0.0, 4.0, 8.0, 12.0]);
        // Integers: bins at least 1 wide, aligned on integers.
        let ints: Vec<i64> = (0..100).collect();
        let hi = grid(1024, true, &Chunk::new(Values::I64(&ints), None));
        assert_eq!((hi.exponent(), hi.start(), hi.count()), (0, 0, 100));
        assert!(hi.counts()[..100].iter().all(|&c| c == 1));
        let hf = grid(1024, false, &Chunk::new(Values::I64(&ints), None));
        assert_eq!((hf.exponent(), hf.start()), (-3, 0));
        // A constant and a single value: the finest window at the two-ulp floor.
        let h = grid(1024, false, &f64_chunk(&[0.1; 5]));
        assert_eq!((h.exponent(), h.count()), (-55, 5));
        assert_eq!(h.counts()[0], 5);
        assert_eq!(grid(1024, true, &f64_chunk(&[3.7])).start(), 3);
        // Zero alone: the lowest exponent.
        assert_eq!(
            grid(16, false, &f64_chunk(&[-0.0])).exponent(),
            MIN_EXPONENT
        );
    }

    #[test]
    fn order_and_merge_tree_do_not_matter() {
        let mut rng = Rng::new(7);
        let mut shapes = [0usize; 4];
        for round in 0..1000 {
            let data = random_data(&mut rng);
            let bins = [4, 8, 16, 64, 1024][rng.below(5)];
            let integer = rng.below(4) == 0;
            let col = Column::new(&data);
            let whole = col.chunk();
            let one = grid(bins, integer, &whole);
            check(&one, &data);
            let shape = match (one.is_empty(), one.exponent()) {
                (true, _) => 0,
                (false, e) if e > 900 => 1,
                (false, MIN_EXPONENT) => 2,
                _ => 3,
            };
            shapes[shape] += 1;
            let parts = random_parts(&mut rng, data.len());
            // Updates in a random order, with or without the range from moments (of the
            // chunk, or of everything counted so far).
            let mut seq = one.empty_like();
            let mut running = Moments::new();
            for &(s, len) in &parts {
                let c = whole.slice(s, len);
                let m = Moments::of(&c);
                running.merge(&m);
                match rng.below(3) {
                    0 => seq.update(&c).unwrap(),
                    1 => seq.update_with_range(&c, m.min(), m.max()).unwrap(),
                    _ => seq
                        .update_with_range(&c, running.min(), running.max())
                        .unwrap(),
                }
            }
            assert_eq!(seq, one, "round {round}: sequential");
            // A random merge tree of the parts' histograms.
            let mut trees: Vec<GridHistogram> = parts
                .iter()
                .map(|&(s, len)| grid(bins, integer, &whole.slice(s, len)))
                .collect();
            while trees.len() > 1 {
                let j = rng.below(trees.len());
                let b = trees.swap_remove(j);
                let i = rng.below(trees.len());
                let kept = b.clone();
                trees[i].merge(&b).unwrap();
                assert_eq!(b, kept, "merge must not change its argument");
            }
            assert_eq!(trees[0], one, "round {round}: merge tree");
            let bytes = one.to_bytes().unwrap();
            assert_eq!(trees[0].to_bytes().unwrap(), bytes);
            assert_eq!(GridHistogram::from_bytes(&bytes).unwrap(), one);
        }
        // Every kind of outcome was exercised.
        assert!(shapes.iter().all(|&n| n > 10), "{shapes:?}");
    }

    #[test]
    fn integer_columns_by_type() {
        let mut rng = Rng::new(11);
        for _ in 0..50 {
            let n = rng.below(3000);
            let spread = 1i64 << rng.below(62);
            let xs: Vec<i64> = (0..n).map(|_| (rng.next_u64() as i64) % spread).collect();
            let data: Vec<Option<f64>> = xs.iter().map(|&x| Some(x as f64)).collect();
            let whole = Chunk::new(Values::I64(&xs), None);
            let one = grid(256, true, &whole);
            check(&one, &data);
            let mut seq = one.empty_like();
            for (s, len) in random_parts(&mut rng, n) {
                seq.update(&whole.slice(s, len)).unwrap();
            }
            assert_eq!(seq, one);
        }
        let u: Vec<u8> = (0..=255).collect();
        let h = grid(256, true, &Chunk::new(Values::U8(&u), None));
        assert_eq!(
            (h.exponent(), h.start(), h.counts(), h.count()),
            (0, 0, &[1u64; 256][..], 256)
        );
    }

    #[test]
    fn extreme_magnitudes() {
        let big = [f64::MAX, -f64::MAX];
        let h = grid(4, false, &f64_chunk(&big));
        assert_eq!(
            (h.exponent(), h.start(), h.counts()),
            (1023, -2, &[1u64, 0, 0, 1][..])
        );
        let p = 2f64.powi(1023);
        assert_eq!(h.edges(), [f64::NEG_INFINITY, -p, 0.0, p, f64::INFINITY]);
        assert_eq!(
            h.to_histogram().unwrap().edges(),
            [-f64::MAX, -p, 0.0, p, f64::MAX]
        );
        check(&h, &[Some(f64::MAX), Some(-f64::MAX)]);
        // The window of the largest double reaches past the double range.
        let h = grid(1024, false, &f64_chunk(&[f64::MAX]));
        assert_eq!((h.exponent(), h.start()), (972, (1 << 52) - 1));
        assert_eq!(h.to_histogram().unwrap().num_bins(), 1);
        check(&h, &[Some(f64::MAX)]);
        // Subnormals share the cells of the smallest normal width.
        let tiny = [5e-324, -5e-324, 0.0, 2.2e-308, -1e-310];
        let h = grid(16, false, &f64_chunk(&tiny));
        assert_eq!((h.exponent(), h.start()), (MIN_EXPONENT, -1));
        assert_eq!(&h.counts()[..3], &[2, 3, 0]);
        check(&h, &tiny.map(Some));
    }

    #[test]
    fn update_with_range_checks_its_bounds() {
        let xs = [1.0, 2.5, -3.0, 8.0];
        let mut h = GridHistogram::new(16, false).unwrap();
        h.update(&f64_chunk(&[0.5, 4.0])).unwrap();
        let before = h.clone();
        // Too narrow (values outside), too wide (an end holds no value), reversed.
        for (a, b) in [
            (-3.0, 7.0),
            (-2.0, 8.0),
            (-3.0, 9.0),
            (-300.0, 8.0),
            (8.0, -3.0),
        ] {
            let e = h.update_with_range(&f64_chunk(&xs), a, b).unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
            assert_eq!(h, before, "[{a}, {b}] changed the histogram");
        }
        // The chunk's range, or the running one, or unknown ends (then it is scanned).
        for (a, b) in [
            (-3.0, 8.0),
            (f64::NAN, f64::NAN),
            (f64::NEG_INFINITY, 8.0),
            (-3.0, f64::INFINITY),
        ] {
            let mut g = before.clone();
            g.update_with_range(&f64_chunk(&xs), a, b).unwrap();
            let mut want = before.clone();
            want.update(&f64_chunk(&xs)).unwrap();
            assert_eq!(g, want);
        }
        // A chunk holding an infinity is refused finite bounds.
        let e = h.update_with_range(&f64_chunk(&[1.0, f64::INFINITY]), 1.0, 1.0);
        assert!(e.is_err());
    }

    #[test]
    fn regrouped_and_coarsened_counts_are_exact() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let data = random_data(&mut rng);
            let col = Column::new(&data);
            let h = grid([4, 16, 128][rng.below(3)], false, &col.chunk());
            let (e, start) = (h.exponent(), h.start());
            assert_eq!(h.regrouped(e, start).unwrap(), h.counts());
            // A coarser window that covers the data, and one that does not.
            let d = rng.below(4) as i32;
            if e + d <= MAX_EXPONENT {
                let s = shr(start, d) - rng.below(3) as i64;
                let want = if h.is_empty() {
                    Some(vec![0; h.bins()])
                } else {
                    // By brute force: each value in the cell it falls in at `e + d`.
                    let mut want = vec![0u64; h.bins()];
                    let mut fits = true;
                    for x in data.iter().flatten().filter(|x| x.is_finite()) {
                        match usize::try_from(cell(*x, e + d) - s) {
                            Ok(k) if k < h.bins() => want[k] += 1,
                            _ => fits = false,
                        }
                    }
                    fits.then_some(want)
                };
                assert_eq!(h.regrouped(e + d, s), want);
            }
            if e > MIN_EXPONENT {
                assert_eq!(h.regrouped(e - 1, start), None);
            }
            // Edges on grid boundaries (some far outside the data), as Histogram counts
            // with a half-open last bin.
            let k = 2 + rng.below(6);
            let mut cells: Vec<i64> = (0..k)
                .map(|_| shr(start, d) + rng.below(2 * h.bins()) as i64 - h.bins() as i64 / 2)
                .collect();
            cells.sort_unstable();
            cells.dedup();
            let edges: Vec<f64> = cells.iter().map(|&c| edge(c, e + d)).collect();
            if cells.len() < 2 || !edges.iter().all(|x| x.is_finite()) {
                continue;
            }
            let mut want = vec![0u64; edges.len() + 1];
            for x in data.iter().flatten().filter(|x| !x.is_nan()) {
                want[edges.partition_point(|&b| b <= *x)] += 1;
            }
            assert_eq!(h.coarsened_to(&edges), Some(want));
        }
        // An edge inside an occupied cell is refused; invalid edges too.
        let h = grid(4, false, &f64_chunk(&[0.0, 1.0, 2.0, 3.0]));
        assert_eq!(h.coarsened_to(&[0.0, 2.0, 4.0]), Some(vec![0, 2, 2, 0]));
        assert_eq!(h.coarsened_to(&[0.0, 2.5]), None);
        assert_eq!(h.coarsened_to(&[0.0, 2.5, 100.0]), None);
        assert_eq!(
            h.coarsened_to(&[-1e300, 1.0, 1e300]),
            Some(vec![0, 1, 3, 0])
        );
        for bad in [
            &[1.0][..],
            &[2.0, 1.0],
            &[0.0, f64::NAN],
            &[0.0, f64::INFINITY],
        ] {
            assert_eq!(h.coarsened_to(bad), None);
        }
        // The empty histogram fits any edges.
        let empty = GridHistogram::default();
        assert_eq!(empty.coarsened_to(&[0.1, 0.3]), Some(vec![0, 0, 0]));
    }

    #[test]
    fn merge_rejects_other_shapes() {
        let a = grid(16, false, &f64_chunk(&[1.0]));
        for mut b in [
            GridHistogram::new(32, false).unwrap(),
            GridHistogram::new(16, true).unwrap(),
        ] {
            let e = b.merge(&a).unwrap_err();
            assert!(matches!(e, Error::Incompatible(_)), "{e}");
        }
        for bins in [0, 1, 2, 3, 5, 1000, 1 << 17] {
            assert!(GridHistogram::new(bins, false).is_err(), "{bins}");
        }
        assert!(GridHistogram::new(1 << 16, false).is_ok());
        let d = GridHistogram::default();
        assert_eq!(
            (d.bins(), d.is_integer(), d.is_empty()),
            (DEFAULT_BINS, false, true)
        );
    }

    /// Forges a GRID payload.
    fn forge(bins: u64, flag: u8, e: i32, start: i64, counts: &[u64], rest: [u64; 4]) -> Vec<u8> {
        let mut w = Writer::new(Kind::GridHistogram);
        w.u64(bins)
            .u8(flag)
            .i32(e)
            .i64(start)
            .u64(counts.len() as u64);
        for &c in counts {
            w.u64(c);
        }
        for c in rest {
            w.u64(c);
        }
        w.finish().unwrap()
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let data: Vec<Option<f64>> = (0..300)
            .map(|i| match i % 50 {
                0 => None,
                1 => Some(f64::NAN),
                2 => Some(f64::INFINITY),
                3 => Some(f64::NEG_INFINITY),
                _ => Some((i as f64 * 0.37).sin() * 20.0),
            })
            .collect();
        let col = Column::new(&data);
        let h = grid(64, false, &col.chunk());
        let b = h.to_bytes().unwrap();
        let back = GridHistogram::from_bytes(&b).unwrap();
        assert_eq!(back, h);
        assert_eq!(back.to_bytes().unwrap(), b);
        // Only the occupied span is stored.
        assert!(b.len() < 14 + 4 + 8 * (64 + 8), "{}", b.len());
        for i in 0..b.len() {
            for flip in [0x01, 0x10, 0x80] {
                let mut bad = b.clone();
                bad[i] ^= flip;
                assert!(GridHistogram::from_bytes(&bad).is_err(), "byte {i}");
            }
        }
        for n in 0..b.len() {
            assert!(GridHistogram::from_bytes(&b[..n]).is_err(), "{n} bytes");
        }
        let empty = GridHistogram::new(16, true).unwrap();
        let eb = empty.to_bytes().unwrap();
        assert_eq!(GridHistogram::from_bytes(&eb).unwrap(), empty);
        // Well-formed envelopes with impossible content.
        // Cells 0..=8 at e = -1 do not fit 16 cells at e = -2: a smallest window.
        let c9 = [1, 0, 0, 0, 0, 0, 0, 0, 1];
        let ok = forge(16, 0, -1, 0, &c9, [0; 4]);
        assert!(GridHistogram::from_bytes(&ok).is_ok());
        for (what, bytes) in [
            ("bins", forge(15, 0, -1, 0, &c9, [0; 4])),
            ("bins", forge(2, 0, -1, 0, &c9[..2], [0; 4])),
            ("bins", forge(1 << 17, 0, -1, 0, &c9, [0; 4])),
            ("flag", forge(16, 2, -1, 0, &c9, [0; 4])),
            ("integer exponent", forge(16, 1, -1, 0, &c9, [0; 4])),
            ("exponent", forge(16, 0, 1024, 0, &[1], [0; 4])),
            ("exponent", forge(16, 0, -1023, 0, &[1], [0; 4])),
            ("length", forge(4, 0, -1, 0, &[1, 0, 0, 0, 1], [0; 4])),
            ("first", forge(16, 0, -1, 0, &c9[1..], [0; 4])),
            ("last", forge(16, 0, -1, 0, &c9[..8], [0; 4])),
            ("not smallest", forge(16, 0, -1, 0, &c9[..8], [0; 4])),
            ("not smallest", forge(16, 0, 5, 0, &[1, 0, 1], [0; 4])),
            ("past two ulps", forge(16, 0, 5, 1 << 52, &[1], [0; 4])),
            (
                "past two ulps",
                forge(16, 0, 5, -(1 << 52) - 1, &[1], [0; 4]),
            ),
            (
                "past the doubles",
                forge(16, 0, 1000, 1 << 24, &[1], [0; 4]),
            ),
            ("empty window", forge(16, 0, 3, 0, &[], [1, 0, 0, 0])),
            ("empty window", forge(16, 0, MIN_EXPONENT, 1, &[], [0; 4])),
            (
                "overflow",
                forge(16, 0, -1, 0, &[u64::MAX, 0, 0, 0, 0, 0, 0, 0, 1], [0; 4]),
            ),
            ("overflow", forge(16, 0, -1, 0, &c9, [u64::MAX, 0, 0, 0])),
        ] {
            let e = GridHistogram::from_bytes(&bytes).unwrap_err();
            assert!(matches!(e, Error::Corrupt(_)), "{what}: {e}");
        }
        // At the ulp floor a window may fit finer: its cells say so.
        assert!(GridHistogram::from_bytes(&forge(16, 0, 5, 1 << 51, &[1], [0; 4])).is_ok());
        // Trailing bytes.
        let mut w = Writer::new(Kind::GridHistogram);
        w.u64(16).u8(0).i32(MIN_EXPONENT).i64(0).u64(0);
        w.u64(0).u64(0).u64(0).u64(0).u8(0);
        assert!(GridHistogram::from_bytes(&w.finish().unwrap()).is_err());
        assert!(GridHistogram::from_bytes(b"garbage").is_err());
    }
}
