//! One column's profile: the summaries its logical type calls for, updated batch by batch.

use crate::binned::categorical::{CategoryColumn, CategoryCounts, DictValues, DEFAULT_CAPACITY};
use crate::binned::grid::GridHistogram;
use crate::error::{Error, Result};
use crate::io::column::{Chunk, Validity, Values};
use crate::io::logical::{ColumnType, LogicalType, TimeUnit};
use crate::io::serial::{Reader, Writer};
use crate::numeric::moments::Moments;
use crate::sketch::distinct::DistinctCount;
use crate::sketch::frequent::FrequentItems;
use crate::sketch::kll::{self, Kll};

/// How the summaries of a profile are sized. Two profiles merge only when their columns were
/// summarized alike, which every summary's own `merge` checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// KLL accuracy parameter (200: 1.33 % normalized rank error).
    pub kll_k: u16,
    /// Bins of each numeric column's fine histogram.
    pub grid_bins: usize,
    /// Distinct-count registers, `2^lg_k`.
    pub lg_k: u8,
    /// Frequent-items map size (integer columns, and categorical columns past the domain limit).
    pub frequent_map_size: usize,
    /// Distinct categories counted exactly before a categorical column switches to frequent
    /// items (its domain is then too large to be a domain).
    pub domain_limit: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kll_k: 200,
            grid_bins: 1024,
            lg_k: 12,
            frequent_map_size: 1024,
            domain_limit: 1000,
        }
    }
}

/// The seed of every profile's KLL sketches: fixed, so the same data always gives the same
/// profile bytes (KLL's compaction coins are the only randomness in a profile).
pub const KLL_SEED: u64 = 0x7072_6f66_696c_6573;

/// Numbers: moments, quantiles, a fine histogram, the distinct count, and for integers the
/// most frequent values (codes, flags).
///
/// The KLL sketch is fed whole blocks of the column's values ([`kll::BLOCK`], gathered across
/// record batches in `pending`), so that its cost does not depend on how the table is cut
/// into batches, and it is the sketch one `KLL.update` of the whole column makes. The last,
/// partial block goes in when the profile is finished ([`NumericSummary::finish`]; a
/// profile finishes itself after each stream it reads, and before it merges or serializes).
#[derive(Debug, Clone)]
pub struct NumericSummary {
    pub integer: bool,
    pub moments: Moments,
    pub kll: Kll,
    pub grid: GridHistogram,
    pub distinct: DistinctCount,
    pub frequent: Option<FrequentItems>,
    /// Present, non-NaN values not yet in `kll` (fewer than a block).
    pending: Vec<f64>,
    /// Whether `kll` has been fed a whole block.
    blocks: bool,
}

/// Equal when the summaries are equal (values pending for the sketch included).
impl PartialEq for NumericSummary {
    fn eq(&self, o: &Self) -> bool {
        self.integer == o.integer
            && self.moments == o.moments
            && self.kll == o.kll
            && self.grid == o.grid
            && self.distinct == o.distinct
            && self.frequent == o.frequent
            && self.pending == o.pending
    }
}

impl NumericSummary {
    fn new(integer: bool, o: &Options) -> Result<Self> {
        Ok(NumericSummary {
            integer,
            moments: Moments::new(),
            kll: Kll::with_seed(o.kll_k, KLL_SEED)?,
            grid: GridHistogram::new(o.grid_bins, integer)?,
            distinct: DistinctCount::new(o.lg_k)?,
            frequent: if integer {
                Some(FrequentItems::new(o.frequent_map_size)?)
            } else {
                None
            },
            pending: Vec::new(),
            blocks: false,
        })
    }

    fn update(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        let nan_before = self.moments.nan_count();
        self.moments.update(chunk);
        let (sketch, pending, blocks) = (&mut self.kll, &mut self.pending, &mut self.blocks);
        let mut full = |pending: &mut Vec<f64>| {
            if pending.len() == kll::BLOCK {
                sketch.update_stream_block(pending, !*blocks);
                *blocks = true;
                pending.clear();
            }
        };
        match (chunk.values, chunk.validity) {
            // Plain float64 without nulls or NaN (the moments just counted): copied a
            // block's room at a time.
            (Values::F64(mut xs), None) if self.moments.nan_count() == nan_before => {
                while !xs.is_empty() {
                    let room = kll::BLOCK - pending.len();
                    let (now, rest) = xs.split_at(room.min(xs.len()));
                    pending.extend_from_slice(now);
                    full(pending);
                    xs = rest;
                }
            }
            _ => {
                let mut tally = crate::numeric::sort::SortedSample::default();
                let one = std::slice::from_ref(chunk);
                crate::numeric::sort::for_each_valid::<false>(one, &mut tally, |x| {
                    pending.push(x);
                    full(pending);
                });
            }
        }
        // The running extremes spare the grid a pass of its own (it scans when they are
        // not finite, e.g. after an infinity).
        let (lo, hi) = (self.moments.min(), self.moments.max());
        self.grid.update_with_range(chunk, lo, hi)?;
        self.distinct.update_numbers(chunk);
        if let Some(f) = &mut self.frequent {
            f.update(&CategoryColumn::Values(*chunk))?;
        }
        Ok(())
    }

    /// Feeds the values still pending to the sketch (the stream's last block) and gives it
    /// the null and NaN counts.
    pub fn finish(&mut self) {
        if !self.pending.is_empty() {
            self.kll.update_stream_block(&self.pending, !self.blocks);
            self.pending = Vec::new();
            self.blocks = true;
        }
        self.kll
            .set_missing_counts(self.moments.null_count(), self.moments.nan_count());
    }

    fn merge(&mut self, o: &NumericSummary) -> Result<()> {
        self.finish();
        let mut o = o.clone();
        o.finish();
        let o = &o;
        if self.integer != o.integer {
            return Err(Error::Incompatible(
                "an integer column cannot merge with a floating-point one".into(),
            ));
        }
        self.moments.merge(&o.moments);
        self.kll.merge(&o.kll)?;
        self.grid.merge(&o.grid)?;
        self.distinct.merge(&o.distinct)?;
        match (&mut self.frequent, &o.frequent) {
            (Some(a), Some(b)) => a.merge(b)?,
            (None, None) => {}
            _ => {
                return Err(Error::Incompatible(
                    "frequent items on one side only".into(),
                ))
            }
        }
        Ok(())
    }

    fn write(&self, w: &mut Writer) -> Result<()> {
        if !self.pending.is_empty() {
            let mut done = self.clone();
            done.finish();
            return done.write(w);
        }
        w.u8(u8::from(self.integer));
        w.bytes(&self.moments.to_bytes()?);
        w.bytes(&self.kll.to_bytes());
        w.bytes(&self.grid.to_bytes()?);
        w.bytes(&self.distinct.to_bytes()?);
        match &self.frequent {
            Some(f) => w.u8(1).bytes(&f.to_bytes()?),
            None => w.u8(0),
        };
        Ok(())
    }

    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let integer = read_flag(r)?;
        let moments = Moments::from_bytes(r.bytes()?)?;
        let mut kll = Kll::from_bytes(r.bytes()?)?;
        // The DataSketches form has no null or NaN counts; the moments have them.
        kll.set_missing_counts(moments.null_count(), moments.nan_count());
        let grid = GridHistogram::from_bytes(r.bytes()?)?;
        let distinct = DistinctCount::from_bytes(r.bytes()?)?;
        let frequent = if read_flag(r)? {
            Some(FrequentItems::from_bytes(r.bytes()?)?)
        } else {
            None
        };
        Ok(NumericSummary {
            integer,
            moments,
            kll,
            grid,
            distinct,
            frequent,
            pending: Vec::new(),
            blocks: false,
        })
    }
}

/// Instants (or times of day): their exact extremes, and the numeric summary of the values as
/// counts of `unit` since the epoch (midnight for times; days for `date32`).
#[derive(Debug, Clone, PartialEq)]
pub struct TemporalSummary {
    /// `"s"`, `"ms"`, `"us"`, `"ns"` or `"D"` (days).
    pub unit: String,
    pub tz: Option<String>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub values: NumericSummary,
}

fn unit_name(t: &ColumnType) -> &'static str {
    let of = |u: &TimeUnit| match u {
        TimeUnit::Second => "s",
        TimeUnit::Millisecond => "ms",
        TimeUnit::Microsecond => "us",
        TimeUnit::Nanosecond => "ns",
    };
    match t {
        ColumnType::Date { bits: 32 } => "D",
        ColumnType::Date { .. } => "ms",
        ColumnType::Time { unit } | ColumnType::Timestamp { unit, .. } => of(unit),
        ColumnType::Duration { unit } => of(unit),
        ColumnType::Dictionary { value, .. } | ColumnType::RunEnd { value } => unit_name(value),
        _ => "",
    }
}

impl TemporalSummary {
    fn update(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        let (lo, hi) = int_extremes(chunk);
        if let Some(lo) = lo {
            self.min = Some(self.min.map_or(lo, |m| m.min(lo)));
        }
        if let Some(hi) = hi {
            self.max = Some(self.max.map_or(hi, |m| m.max(hi)));
        }
        self.values.update(chunk)
    }

    fn merge(&mut self, o: &TemporalSummary) -> Result<()> {
        if self.unit != o.unit || self.tz != o.tz {
            return Err(Error::Incompatible(format!(
                "temporal columns in different units or time zones ({} {:?} and {} {:?})",
                self.unit, self.tz, o.unit, o.tz
            )));
        }
        self.min = match (self.min, o.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.max = match (self.max, o.max) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.values.merge(&o.values)
    }
}

/// The extremes of an integer chunk's present values, exactly.
fn int_extremes(chunk: &Chunk<'_>) -> (Option<i64>, Option<i64>) {
    fn go<T: Copy + Into<i64>>(xs: &[T], v: Option<Validity<'_>>) -> (Option<i64>, Option<i64>) {
        let mut lo: Option<i64> = None;
        let mut hi: Option<i64> = None;
        for (i, &x) in xs.iter().enumerate() {
            if v.is_none_or(|v| v.is_valid(i)) {
                let x: i64 = x.into();
                lo = Some(lo.map_or(x, |m| m.min(x)));
                hi = Some(hi.map_or(x, |m| m.max(x)));
            }
        }
        (lo, hi)
    }
    match chunk.values {
        Values::I64(xs) => go(xs, chunk.validity),
        Values::I32(xs) => go(xs, chunk.validity),
        _ => (None, None),
    }
}

/// True and false counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BooleanSummary {
    pub true_count: u64,
    pub false_count: u64,
}

impl BooleanSummary {
    fn update(&mut self, column: &CategoryColumn<'_>) -> Result<u64> {
        let mut nulls = 0u64;
        match column {
            CategoryColumn::BoolBits {
                bits,
                offset,
                len,
                validity,
            } => {
                let bit = |i: usize| (bits[(offset + i) >> 3] >> ((offset + i) & 7)) & 1 == 1;
                for i in 0..*len {
                    if validity.is_some_and(|v| !v.is_valid(i)) {
                        nulls += 1;
                    } else if bit(i) {
                        self.true_count += 1;
                    } else {
                        self.false_count += 1;
                    }
                }
            }
            CategoryColumn::Values(Chunk {
                values: Values::Bool(xs),
                validity,
            }) => {
                for (i, &x) in xs.iter().enumerate() {
                    if validity.is_some_and(|v| !v.is_valid(i)) {
                        nulls += 1;
                    } else if x {
                        self.true_count += 1;
                    } else {
                        self.false_count += 1;
                    }
                }
            }
            _ => return Err(mismatch("boolean")),
        }
        Ok(nulls)
    }
}

/// Labels: exact counts while the domain is small ([`Options::domain_limit`] distinct
/// values), then frequent items with error bounds; the distinct count (exactly the number of
/// categories while they are counted exactly, then a HyperLogLog sketch built from them and
/// kept up), and the moments of the values' lengths in UTF-8 bytes (strings only).
#[derive(Debug, Clone, PartialEq)]
pub struct CategoricalSummary {
    /// Exact counts of every category, while there are at most `domain_limit` of them.
    pub counts: Option<CategoryCounts>,
    /// The most frequent categories, with bounds, once the domain grew past `domain_limit`.
    pub frequent: Option<FrequentItems>,
    /// The distinct-count sketch, kept once `counts` gave way to `frequent` (see
    /// [`CategoricalSummary::distinct`]).
    sketch: Option<DistinctCount>,
    pub lengths: Moments,
    pub domain_limit: usize,
    frequent_map_size: usize,
    lg_k: u8,
}

impl CategoricalSummary {
    fn new(o: &Options) -> Result<Self> {
        Ok(CategoricalSummary {
            // Room for a whole batch of new values past the limit before any is dropped.
            counts: Some(CategoryCounts::new(
                DEFAULT_CAPACITY.max(o.domain_limit.saturating_mul(2)),
            )?),
            frequent: None,
            sketch: None,
            lengths: Moments::new(),
            domain_limit: o.domain_limit,
            frequent_map_size: o.frequent_map_size,
            lg_k: o.lg_k,
        })
    }

    /// The distinct-count sketch of the column: built from the exact categories while they
    /// are counted (the same registers as hashing every value), kept up after.
    pub fn distinct(&self) -> Result<DistinctCount> {
        match (&self.sketch, &self.counts) {
            (Some(d), _) => Ok(d.clone()),
            (None, Some(c)) => DistinctCount::from_category_counts(c, self.lg_k),
            (None, None) => DistinctCount::new(self.lg_k),
        }
    }

    /// Nulls counted.
    pub fn null_count(&self) -> u64 {
        match (&self.counts, &self.frequent) {
            (Some(c), _) => c.null_count(),
            (None, Some(f)) => f.null_count(),
            (None, None) => 0,
        }
    }

    fn update(&mut self, column: &CategoryColumn<'_>) -> Result<()> {
        if let Some(c) = &mut self.counts {
            // A batch that could fill the exact counts past their capacity (which drops the
            // rarest categories) is also hashed into the sketch, built first from what was
            // counted before it: then no value is missing from the sketch whatever is dropped.
            let risky = c.categories().len() + category_len(column) as usize > c.capacity();
            let before = if risky {
                let mut d = DistinctCount::from_category_counts(c, self.lg_k)?;
                d.update(column)?;
                Some(d)
            } else {
                None
            };
            c.update(column)?;
            if self.is_large() {
                self.sketch = before;
                self.force_switch()?;
            }
        } else {
            if let Some(f) = &mut self.frequent {
                f.update(column)?;
            }
            if let Some(d) = &mut self.sketch {
                d.update(column)?;
            }
        }
        add_lengths(column, &mut self.lengths);
        Ok(())
    }

    /// Hands the counts over to frequent items (and the distinct count to a sketch) once there
    /// are more categories than `domain_limit`: a domain that large is not a domain.
    fn switch_if_large(&mut self) -> Result<()> {
        if self.is_large() {
            self.force_switch()?;
        }
        Ok(())
    }

    /// Whether the exact counts hold more than `domain_limit` categories (or dropped some).
    fn is_large(&self) -> bool {
        self.counts
            .as_ref()
            .is_some_and(|c| c.categories().len() > self.domain_limit || c.other_count() > 0)
    }

    /// Moves from exact counts to frequent items and a kept sketch (the sketch already built,
    /// or built from the categories).
    fn force_switch(&mut self) -> Result<()> {
        if let Some(c) = self.counts.take() {
            if self.sketch.is_none() {
                self.sketch = Some(DistinctCount::from_category_counts(&c, self.lg_k)?);
            }
            self.frequent = Some(FrequentItems::from_category_counts(
                &c,
                self.frequent_map_size,
            )?);
        }
        Ok(())
    }

    fn merge(&mut self, o: &CategoricalSummary) -> Result<()> {
        if self.domain_limit != o.domain_limit || self.lg_k != o.lg_k {
            return Err(Error::Incompatible(
                "categorical columns profiled with different options".into(),
            ));
        }
        if let (Some(a), Some(b)) = (&mut self.counts, &o.counts) {
            a.merge(b)?;
            self.switch_if_large()?;
        } else {
            // At least one side holds frequent items: both become frequent items and sketches.
            let mut sketch = self.distinct()?;
            sketch.merge(&o.distinct()?)?;
            let mine = match (self.counts.take(), self.frequent.take()) {
                (Some(c), _) => FrequentItems::from_category_counts(&c, self.frequent_map_size)?,
                (None, Some(f)) => f,
                (None, None) => FrequentItems::new(self.frequent_map_size)?,
            };
            let theirs = match (&o.counts, &o.frequent) {
                (Some(c), _) => FrequentItems::from_category_counts(c, o.frequent_map_size)?,
                (None, Some(f)) => f.clone(),
                (None, None) => FrequentItems::new(o.frequent_map_size)?,
            };
            let mut merged = mine;
            merged.merge(&theirs)?;
            self.frequent = Some(merged);
            self.sketch = Some(sketch);
        }
        self.lengths.merge(&o.lengths);
        Ok(())
    }
}

/// Adds the UTF-8 byte length of every present string of `column` to `m`.
fn add_lengths(column: &CategoryColumn<'_>, m: &mut Moments) {
    let mut lengths: Vec<f64> = Vec::new();
    match column {
        CategoryColumn::Strings(s) => {
            lengths.reserve(s.len());
            for i in 0..s.len() {
                if let Some(b) = s.get(i) {
                    lengths.push(b.len() as f64);
                }
            }
        }
        CategoryColumn::Dictionary {
            keys,
            values: DictValues::Strings(dict),
        } => {
            let dict_len: Vec<Option<f64>> = (0..dict.len())
                .map(|j| dict.get(j).map(|b| b.len() as f64))
                .collect();
            for_each_key(keys, |k| {
                if let Some(Some(l)) = dict_len.get(k) {
                    lengths.push(*l);
                }
            });
        }
        _ => return,
    }
    m.update(&Chunk::new(Values::F64(&lengths), None));
}

/// Calls `f` with every present key of a dictionary's keys (negative keys skipped).
fn for_each_key(keys: &Chunk<'_>, mut f: impl FnMut(usize)) {
    fn go<T: Copy + TryInto<usize>>(xs: &[T], v: Option<Validity<'_>>, f: &mut impl FnMut(usize)) {
        for (i, &x) in xs.iter().enumerate() {
            if v.is_none_or(|v| v.is_valid(i)) {
                if let Ok(k) = x.try_into() {
                    f(k);
                }
            }
        }
    }
    let v = keys.validity;
    match keys.values {
        Values::I8(xs) => go(xs, v, &mut f),
        Values::I16(xs) => go(xs, v, &mut f),
        Values::I32(xs) => go(xs, v, &mut f),
        Values::I64(xs) => go(xs, v, &mut f),
        Values::U8(xs) => go(xs, v, &mut f),
        Values::U16(xs) => go(xs, v, &mut f),
        Values::U32(xs) => go(xs, v, &mut f),
        Values::U64(xs) => go(xs, v, &mut f),
        _ => {}
    }
}

/// What one column of a record batch brings, as the binding read it for the column's kind.
#[derive(Debug, Clone, Copy)]
pub enum ColumnBatch<'a> {
    /// A numeric column's values (booleans are not numbers here).
    Numbers(Chunk<'a>),
    /// A temporal column's values as integers of its unit (`I32` or `I64`).
    Temporal(Chunk<'a>),
    /// A boolean column (bit-packed, or NumPy bytes).
    Booleans(CategoryColumn<'a>),
    /// A categorical column.
    Categories(CategoryColumn<'a>),
    /// A column summarized by its row and null counts only.
    Rows { len: usize, nulls: usize },
}

/// The summaries of one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Summary {
    Numeric(NumericSummary),
    Temporal(TemporalSummary),
    Boolean(BooleanSummary),
    Categorical(CategoricalSummary),
    /// Binary, nested and null-typed columns: row and null counts only.
    Other,
}

/// One column of a table profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnProfile {
    pub name: String,
    pub logical: LogicalType,
    /// The column's Arrow type as Arrow prints it (e.g. `Timestamp(Microsecond, Some("UTC"))`).
    pub arrow_type: String,
    /// Rows seen, nulls included.
    pub rows: u64,
    pub nulls: u64,
    pub summary: Summary,
}

fn mismatch(what: &str) -> Error {
    Error::InvalidArgument(format!(
        "a batch does not bring {what} values for this column"
    ))
}

impl ColumnProfile {
    /// An empty profile of a column of type `t`, summarized as the classifier says.
    pub fn new(name: &str, t: &ColumnType, arrow_type: &str, o: &Options) -> Result<Self> {
        let logical = crate::io::logical::classify(t);
        let summary = match logical {
            LogicalType::Numeric => {
                let integer = matches!(t, ColumnType::Int { .. } | ColumnType::Duration { .. })
                    || matches!(t, ColumnType::Decimal { scale: 0, .. });
                Summary::Numeric(NumericSummary::new(integer, o)?)
            }
            LogicalType::Temporal => {
                let tz = match t {
                    ColumnType::Timestamp { tz, .. } => tz.clone(),
                    _ => None,
                };
                Summary::Temporal(TemporalSummary {
                    unit: unit_name(t).to_string(),
                    tz,
                    min: None,
                    max: None,
                    values: NumericSummary::new(true, o)?,
                })
            }
            LogicalType::Boolean => Summary::Boolean(BooleanSummary::default()),
            LogicalType::Categorical => Summary::Categorical(CategoricalSummary::new(o)?),
            LogicalType::Other => Summary::Other,
        };
        Ok(ColumnProfile {
            name: name.to_string(),
            logical,
            arrow_type: arrow_type.to_string(),
            rows: 0,
            nulls: 0,
            summary,
        })
    }

    /// The kind of [`ColumnBatch`] this column takes.
    pub fn takes(&self) -> LogicalType {
        self.logical
    }

    /// Adds one batch of this column (`len` rows).
    pub fn update(&mut self, batch: &ColumnBatch<'_>) -> Result<()> {
        let named = |e: Error| match e {
            Error::InvalidArgument(m) => {
                Error::InvalidArgument(format!("column '{}': {m}", self.name))
            }
            other => other,
        };
        let (len, nulls) = match (&mut self.summary, batch) {
            (Summary::Numeric(s), ColumnBatch::Numbers(c)) => {
                let before = s.moments.null_count();
                s.update(c).map_err(named)?;
                (c.len() as u64, s.moments.null_count() - before)
            }
            (Summary::Temporal(s), ColumnBatch::Temporal(c)) => {
                let before = s.values.moments.null_count();
                s.update(c).map_err(named)?;
                (c.len() as u64, s.values.moments.null_count() - before)
            }
            (Summary::Boolean(s), ColumnBatch::Booleans(c)) => {
                let before = s.true_count + s.false_count;
                let nulls = s.update(c).map_err(named)?;
                (s.true_count + s.false_count - before + nulls, nulls)
            }
            (Summary::Categorical(s), ColumnBatch::Categories(c)) => {
                let before = s.null_count();
                s.update(c).map_err(named)?;
                (category_len(c), s.null_count() - before)
            }
            (Summary::Other, ColumnBatch::Rows { len, nulls }) => (*len as u64, *nulls as u64),
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "column '{}' is {} but a batch brought another kind of values \
                     (its type changed between batches?)",
                    self.name, self.logical
                )))
            }
        };
        self.rows += len;
        self.nulls += nulls;
        Ok(())
    }

    /// Completes the summaries that gather values across batches (see [`NumericSummary`]).
    pub fn finish(&mut self) {
        match &mut self.summary {
            Summary::Numeric(s) => s.finish(),
            Summary::Temporal(s) => s.values.finish(),
            _ => {}
        }
    }

    /// Folds `other` (the same column of another part of the data) into this one.
    pub fn merge(&mut self, other: &ColumnProfile) -> Result<()> {
        if self.name != other.name || self.logical != other.logical {
            return Err(Error::Incompatible(format!(
                "column '{}' ({}) cannot merge with column '{}' ({})",
                self.name, self.logical, other.name, other.logical
            )));
        }
        match (&mut self.summary, &other.summary) {
            (Summary::Numeric(a), Summary::Numeric(b)) => a.merge(b)?,
            (Summary::Temporal(a), Summary::Temporal(b)) => a.merge(b)?,
            (Summary::Boolean(a), Summary::Boolean(b)) => {
                a.true_count += b.true_count;
                a.false_count += b.false_count;
            }
            (Summary::Categorical(a), Summary::Categorical(b)) => a.merge(b)?,
            (Summary::Other, Summary::Other) => {}
            _ => {
                return Err(Error::Incompatible(format!(
                    "column '{}' was summarized differently in the two profiles",
                    self.name
                )))
            }
        }
        self.rows += other.rows;
        self.nulls += other.nulls;
        Ok(())
    }

    pub(crate) fn write(&self, w: &mut Writer) -> Result<()> {
        w.bytes(self.name.as_bytes());
        w.u8(logical_tag(self.logical));
        w.bytes(self.arrow_type.as_bytes());
        w.u64(self.rows).u64(self.nulls);
        match &self.summary {
            Summary::Numeric(s) => s.write(w)?,
            Summary::Temporal(s) => {
                w.bytes(s.unit.as_bytes());
                match &s.tz {
                    Some(tz) => w.u8(1).bytes(tz.as_bytes()),
                    None => w.u8(0),
                };
                for v in [s.min, s.max] {
                    match v {
                        Some(v) => w.u8(1).u64(v as u64),
                        None => w.u8(0),
                    };
                }
                s.values.write(w)?;
            }
            Summary::Boolean(s) => {
                w.u64(s.true_count).u64(s.false_count);
            }
            Summary::Categorical(s) => {
                w.u64(s.domain_limit as u64).u64(s.frequent_map_size as u64);
                match (&s.counts, &s.frequent) {
                    (Some(c), _) => w.u8(0).bytes(&c.to_bytes()?),
                    (None, Some(f)) => w.u8(1).bytes(&f.to_bytes()?),
                    (None, None) => w.u8(2),
                };
                // Always written, so other readers need not rebuild it from the categories.
                w.bytes(&s.distinct()?.to_bytes()?);
                w.bytes(&s.lengths.to_bytes()?);
            }
            Summary::Other => {}
        }
        Ok(())
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self> {
        let name = text(r)?;
        let logical = logical_of_tag(r.u8()?).ok_or_else(|| r.invalid("bad logical type"))?;
        let arrow_type = text(r)?;
        let (rows, nulls) = (r.u64()?, r.u64()?);
        if nulls > rows {
            return Err(r.invalid("a column has more nulls than rows"));
        }
        let summary = match logical {
            LogicalType::Numeric => Summary::Numeric(NumericSummary::read(r)?),
            LogicalType::Temporal => {
                let unit = text(r)?;
                let tz = if read_flag(r)? { Some(text(r)?) } else { None };
                let mut ext = [None, None];
                for v in &mut ext {
                    if read_flag(r)? {
                        *v = Some(r.u64()? as i64);
                    }
                }
                Summary::Temporal(TemporalSummary {
                    unit,
                    tz,
                    min: ext[0],
                    max: ext[1],
                    values: NumericSummary::read(r)?,
                })
            }
            LogicalType::Boolean => Summary::Boolean(BooleanSummary {
                true_count: r.u64()?,
                false_count: r.u64()?,
            }),
            LogicalType::Categorical => {
                let domain_limit = usize::try_from(r.u64()?)
                    .map_err(|_| r.invalid("domain limit out of range"))?;
                let frequent_map_size =
                    usize::try_from(r.u64()?).map_err(|_| r.invalid("map size out of range"))?;
                let (counts, frequent) = match r.u8()? {
                    0 => (Some(CategoryCounts::from_bytes(r.bytes()?)?), None),
                    1 => (None, Some(FrequentItems::from_bytes(r.bytes()?)?)),
                    2 => (None, None),
                    _ => return Err(r.invalid("bad categorical summary tag")),
                };
                let distinct = DistinctCount::from_bytes(r.bytes()?)?;
                Summary::Categorical(CategoricalSummary {
                    // While the categories are exact the sketch is theirs: rebuilt on demand.
                    sketch: if counts.is_some() {
                        None
                    } else {
                        Some(distinct.clone())
                    },
                    lg_k: distinct.lg_k(),
                    counts,
                    frequent,
                    lengths: Moments::from_bytes(r.bytes()?)?,
                    domain_limit,
                    frequent_map_size,
                })
            }
            LogicalType::Other => Summary::Other,
        };
        Ok(ColumnProfile {
            name,
            logical,
            arrow_type,
            rows,
            nulls,
            summary,
        })
    }
}

/// Rows in a categorical batch.
fn category_len(c: &CategoryColumn<'_>) -> u64 {
    (match c {
        CategoryColumn::Values(chunk) => chunk.len(),
        CategoryColumn::BoolBits { len, .. } => *len,
        CategoryColumn::Strings(s) => s.len(),
        CategoryColumn::Dictionary { keys, .. } => keys.len(),
    }) as u64
}

fn read_flag(r: &mut Reader<'_>) -> Result<bool> {
    match r.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(r.invalid("bad flag byte")),
    }
}

fn text(r: &mut Reader<'_>) -> Result<String> {
    let b = r.bytes()?;
    std::str::from_utf8(b)
        .map(str::to_string)
        .map_err(|_| r.invalid("a name is not valid UTF-8"))
}

fn logical_tag(l: LogicalType) -> u8 {
    match l {
        LogicalType::Numeric => 0,
        LogicalType::Categorical => 1,
        LogicalType::Temporal => 2,
        LogicalType::Boolean => 3,
        LogicalType::Other => 4,
    }
}

fn logical_of_tag(t: u8) -> Option<LogicalType> {
    LogicalType::ALL.get(usize::from(t)).copied()
}
