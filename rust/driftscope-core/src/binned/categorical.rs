//! Category counts for categorical columns: strings, dictionary-encoded, integer and boolean.
//!
//! # Inputs
//!
//! A [`CategoryColumn`] is a plain view of one chunk, in Arrow's layouts: UTF-8 strings as
//! offsets (`i32` or `i64`) into a data buffer ([`StrArray`]); dictionary arrays as integer
//! keys into a dictionary of strings or integers (counted by key first, so no string is
//! touched per row, then mapped to the dictionary's values); integer or boolean values as a
//! [`Chunk`]; Arrow's bit-packed booleans. Nulls (the validity bitmap, or a key pointing to a
//! null dictionary entry) are counted apart. String-view arrays must be converted first.
//!
//! # Two modes
//!
//! - A **free** summary ([`CategoryCounts::new`]) counts every category it sees, in order of
//!   first appearance. Its memory is bounded by `capacity`: when it tracks more categories
//!   than that, the less frequent half is folded into the `other` count (the Misra–Gries /
//!   DataSketches frequent-items purge, without decrementing the survivors). A category that
//!   comes back starts again from 0, so after a purge every count is a lower bound, short of
//!   the truth by at most [`CategoryCounts::error`]; with no purge (at most `capacity`
//!   distinct values, the usual case for categorical data) all counts are exact.
//! - A **fixed-domain** summary has the categories of a reference and counts nothing else:
//!   [`CategoryCounts::top_k`] fixes a reference's domain to its `k` most frequent
//!   categories (the rest becomes `other`), and [`CategoryCounts::empty_like`] makes an empty
//!   summary over that domain to count current data with. Values outside the domain are
//!   counted in `other`, and the most frequent of them are kept as examples
//!   ([`CategoryCounts::unseen`]), in at most `capacity` entries with the same purge, so a
//!   current column of ten million distinct IDs costs `capacity` entries, not ten million.
//!   When the reference was cut to its top `k`, values of its tail count as unseen too.
//!
//! [`align`] turns a reference and a current summary into two count vectors over the same
//! bins (the reference's categories, then one `other` bin) for the divergences and the
//! chi-square test of [`crate::binned::divergence`].
//!
//! Summaries merge (free with free, fixed with fixed over the same domain), serialize (kind
//! `CATS`) and compare equal when their categories, counts and examples are equal.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::error::{Error, Result};
use crate::io::column::{Chunk, Validity, Values};
use crate::io::serial::{Kind, Reader, Writer};

/// The default number of categories (free mode) or unseen examples (fixed mode) tracked.
pub const DEFAULT_CAPACITY: usize = 1 << 16;
/// The largest capacity accepted.
pub const MAX_CAPACITY: usize = 1 << 26;

/// One category value. Integers of every width share `Int`; booleans are not integers.
/// Ordered `Bool < Int < Str`, then by value (strings bytewise).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Bool(bool),
    Int(i128),
    Str(Box<str>),
}

impl Category {
    pub(crate) fn as_ref(&self) -> CatRef<'_> {
        match self {
            Category::Bool(b) => CatRef::Bool(*b),
            Category::Int(i) => CatRef::Int(*i),
            Category::Str(s) => CatRef::Str(s.as_bytes()),
        }
    }

    /// Writes a tag (0 bool, 1 int, 2 string) and the value.
    pub(crate) fn write(&self, w: &mut Writer) {
        match self {
            Category::Bool(b) => {
                w.u8(0).u8(u8::from(*b));
            }
            Category::Int(i) => {
                w.u8(1).u64(*i as u64).u64((*i >> 64) as u64);
            }
            Category::Str(s) => {
                w.u8(2).bytes(s.as_bytes());
            }
        }
    }

    /// Reads a category written by [`Category::write`].
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Category> {
        Ok(match r.u8()? {
            0 => match r.u8()? {
                0 => Category::Bool(false),
                1 => Category::Bool(true),
                _ => return Err(r.invalid("bad boolean")),
            },
            1 => {
                let lo = r.u64()?;
                let hi = r.u64()?;
                Category::Int((i128::from(hi as i64) << 64) | i128::from(lo))
            }
            2 => {
                let b = r.bytes()?;
                match std::str::from_utf8(b) {
                    Ok(s) => Category::Str(s.into()),
                    Err(_) => return Err(r.invalid("a category is not valid UTF-8")),
                }
            }
            _ => return Err(r.invalid("bad category tag")),
        })
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Category::Bool(b) => write!(f, "{b}"),
            Category::Int(i) => write!(f, "{i}"),
            Category::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// A category borrowed from the input (string bytes not yet checked for UTF-8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CatRef<'a> {
    Bool(bool),
    Int(i128),
    Str(&'a [u8]),
}

impl CatRef<'_> {
    pub(crate) fn to_owned(self) -> Result<Category> {
        Ok(match self {
            CatRef::Bool(b) => Category::Bool(b),
            CatRef::Int(i) => Category::Int(i),
            CatRef::Str(s) => Category::Str(utf8(s)?.into()),
        })
    }
}

/// `s` as text, or the error a categorical column of non-UTF-8 strings gets.
pub(crate) fn utf8(s: &[u8]) -> Result<&str> {
    std::str::from_utf8(s).map_err(|e| {
        Error::InvalidArgument(format!(
            "a string value is not valid UTF-8 ({e}); categorical columns must hold text"
        ))
    })
}

/// Arrow string offsets: `i32` (`utf8`) or `i64` (`large_utf8`).
#[derive(Debug, Clone, Copy)]
pub enum Offsets<'a> {
    I32(&'a [i32]),
    I64(&'a [i64]),
}

impl Offsets<'_> {
    fn len(&self) -> usize {
        match self {
            Offsets::I32(o) => o.len(),
            Offsets::I64(o) => o.len(),
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> i64 {
        match self {
            Offsets::I32(o) => i64::from(o[i]),
            Offsets::I64(o) => o[i],
        }
    }
}

/// An Arrow UTF-8 string array: value `i` is `data[offsets[i]..offsets[i+1]]`; the validity
/// bitmap (if any) must cover the `offsets.len() - 1` values.
#[derive(Debug, Clone, Copy)]
pub struct StrArray<'a> {
    offsets: Offsets<'a>,
    data: &'a [u8],
    validity: Option<Validity<'a>>,
}

impl<'a> StrArray<'a> {
    /// Checks that the offsets are non-decreasing and lie within `data` (`O(n)`), so that
    /// reading values can never go out of bounds.
    pub fn new(
        offsets: Offsets<'a>,
        data: &'a [u8],
        validity: Option<Validity<'a>>,
    ) -> Result<Self> {
        let n = offsets.len();
        if n == 0 {
            return Err(Error::InvalidArgument(
                "a string array needs at least one offset".into(),
            ));
        }
        let mut prev = offsets.get(0);
        if prev < 0 {
            return Err(Error::InvalidArgument(
                "string offsets must not be negative".into(),
            ));
        }
        for i in 1..n {
            let o = offsets.get(i);
            if o < prev {
                return Err(Error::InvalidArgument(format!(
                    "string offsets decrease at position {i}"
                )));
            }
            prev = o;
        }
        if prev as u64 > data.len() as u64 {
            return Err(Error::InvalidArgument(format!(
                "string offsets reach byte {prev} but the data holds {} bytes",
                data.len()
            )));
        }
        Ok(StrArray {
            offsets,
            data,
            validity,
        })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of value `i`, or None when it is null.
    #[inline(always)]
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        if let Some(v) = self.validity {
            if !v.is_valid(i) {
                return None;
            }
        }
        let (a, b) = (
            self.offsets.get(i) as usize,
            self.offsets.get(i + 1) as usize,
        );
        // Checked by `new`: 0 <= a <= b <= data.len().
        self.data.get(a..b)
    }
}

/// The values of a dictionary: strings, or integers or booleans.
#[derive(Debug, Clone, Copy)]
pub enum DictValues<'a> {
    Strings(StrArray<'a>),
    Values(Chunk<'a>),
}

/// One chunk of a categorical column. See the module documentation.
#[derive(Debug, Clone, Copy)]
pub enum CategoryColumn<'a> {
    /// Integer or boolean values (floating-point values are rejected).
    Values(Chunk<'a>),
    /// Arrow bit-packed booleans: value `i` is bit `offset + i` of `bits` (LSB first).
    BoolBits {
        bits: &'a [u8],
        offset: usize,
        len: usize,
        validity: Option<Validity<'a>>,
    },
    /// UTF-8 strings.
    Strings(StrArray<'a>),
    /// Dictionary-encoded: integer `keys` (with their validity) into `values`.
    Dictionary {
        keys: Chunk<'a>,
        values: DictValues<'a>,
    },
}

/// Categories with counts, and a hash index over them.
#[derive(Debug, Clone)]
pub(crate) struct Counter {
    pub(crate) cats: Vec<Category>,
    pub(crate) counts: Vec<u64>,
    table: HashTable<u32>,
    /// Randomly seeded per counter, so crafted inputs cannot force collisions.
    state: DefaultHashBuilder,
    seed: u64,
}

impl Default for Counter {
    fn default() -> Self {
        let state = DefaultHashBuilder::default();
        let seed = state.hash_one(0x5eed_u64) | 1;
        Counter {
            cats: Vec::new(),
            counts: Vec::new(),
            table: HashTable::new(),
            state,
            seed,
        }
    }
}

/// The high and low halves of the 128-bit product, folded (foldhash's mixing step).
#[inline(always)]
fn folded_multiply(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl Counter {
    #[inline(always)]
    fn hash(&self, c: CatRef<'_>) -> u64 {
        Counter::hash_with(&self.state, self.seed, c)
    }

    /// Integers and booleans by one folded multiply with the seed; strings by foldhash.
    #[inline(always)]
    fn hash_with(state: &DefaultHashBuilder, seed: u64, c: CatRef<'_>) -> u64 {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        match c {
            CatRef::Bool(b) => folded_multiply(seed ^ 0xb001 ^ u64::from(b), K),
            CatRef::Int(i) => folded_multiply((i as u64) ^ seed, ((i >> 64) as u64) ^ K),
            CatRef::Str(s) => state.hash_one(s),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cats.len()
    }

    /// The position of `c`, if counted.
    #[inline(always)]
    pub(crate) fn find(&self, c: CatRef<'_>) -> Option<usize> {
        let cats = &self.cats;
        self.table
            .find(self.hash(c), |&i| cats[i as usize].as_ref() == c)
            .map(|&i| i as usize)
    }

    /// Appends a category known to be absent.
    pub(crate) fn push(&mut self, c: Category, n: u64) {
        let i = self.cats.len() as u32;
        let h = self.hash(c.as_ref());
        self.cats.push(c);
        self.counts.push(n);
        let (cats, state, seed) = (&self.cats, &self.state, self.seed);
        self.table.insert_unique(h, i, |&j| {
            Counter::hash_with(state, seed, cats[j as usize].as_ref())
        });
    }

    /// Adds `n` to `c`, inserting it if new.
    pub(crate) fn add(&mut self, c: CatRef<'_>, n: u64) -> Result<()> {
        match self.find(c) {
            Some(i) => self.counts[i] += n,
            None => self.push(c.to_owned()?, n),
        }
        Ok(())
    }

    /// Keeps the `keep` largest counts (ties: the earlier seen), in their order; returns the
    /// mass removed and the largest count removed.
    fn purge(&mut self, keep: usize) -> (u64, u64) {
        if self.len() <= keep {
            return (0, 0);
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.counts[b].cmp(&self.counts[a]).then(a.cmp(&b)));
        let mut kept = order[..keep].to_vec();
        kept.sort_unstable();
        let removed: u64 = order[keep..].iter().map(|&i| self.counts[i]).sum();
        let threshold = order[keep..]
            .iter()
            .map(|&i| self.counts[i])
            .max()
            .unwrap_or(0);
        let cats = std::mem::take(&mut self.cats);
        let counts = std::mem::take(&mut self.counts);
        self.table.clear();
        let mut cats: Vec<Option<Category>> = cats.into_iter().map(Some).collect();
        for i in kept {
            if let Some(c) = cats[i].take() {
                self.push(c, counts[i]);
            }
        }
        (removed, threshold)
    }

    /// Replaces each count by `f(count)`, dropping the categories it maps to None (the
    /// others keep their order).
    pub(crate) fn retain_map(&mut self, mut f: impl FnMut(u64) -> Option<u64>) {
        let cats = std::mem::take(&mut self.cats);
        let counts = std::mem::take(&mut self.counts);
        self.table.clear();
        for (c, n) in cats.into_iter().zip(counts) {
            if let Some(m) = f(n) {
                self.push(c, m);
            }
        }
    }

    pub(crate) fn from_parts(cats: Vec<Category>, counts: Vec<u64>) -> Option<Counter> {
        let mut c = Counter::default();
        for (cat, n) in cats.into_iter().zip(counts) {
            if c.find(cat.as_ref()).is_some() {
                return None;
            }
            c.push(cat, n);
        }
        Some(c)
    }
}

/// Counts of the categories of a column. See the module documentation.
#[derive(Debug, Clone)]
pub struct CategoryCounts {
    /// The counted categories: all seen (free) or the fixed domain.
    domain: Counter,
    /// Whether the domain is fixed.
    fixed: bool,
    capacity: usize,
    /// Values not counted under a category of the domain.
    other: u64,
    /// Largest shortfall of a domain count (from purges).
    error: u64,
    /// Fixed mode: the most frequent values counted in `other`.
    unseen: Counter,
    /// Largest shortfall of an unseen example's count.
    unseen_error: u64,
    null_count: u64,
}

/// Equal when mode, capacity, categories (in order), counts, examples and bounds are equal.
impl PartialEq for CategoryCounts {
    fn eq(&self, o: &Self) -> bool {
        self.fixed == o.fixed
            && self.capacity == o.capacity
            && self.domain.cats == o.domain.cats
            && self.domain.counts == o.domain.counts
            && self.other == o.other
            && self.error == o.error
            && self.unseen.cats == o.unseen.cats
            && self.unseen.counts == o.unseen.counts
            && self.unseen_error == o.unseen_error
            && self.null_count == o.null_count
    }
}

fn check_capacity(capacity: usize) -> Result<()> {
    if capacity == 0 || capacity > MAX_CAPACITY {
        return Err(Error::InvalidArgument(format!(
            "capacity is {capacity}; it must lie in 1..={MAX_CAPACITY}"
        )));
    }
    Ok(())
}

impl CategoryCounts {
    /// An empty free summary tracking at most `capacity` categories (1..=[`MAX_CAPACITY`];
    /// [`DEFAULT_CAPACITY`] is a good default).
    pub fn new(capacity: usize) -> Result<CategoryCounts> {
        check_capacity(capacity)?;
        Ok(CategoryCounts {
            domain: Counter::default(),
            fixed: false,
            capacity,
            other: 0,
            error: 0,
            unseen: Counter::default(),
            unseen_error: 0,
            null_count: 0,
        })
    }

    /// An empty summary of the same kind: over the same fixed domain (to count current data
    /// against a reference), or free with the same capacity.
    pub fn empty_like(&self) -> CategoryCounts {
        let mut domain = self.domain.clone();
        if self.fixed {
            domain.counts.iter_mut().for_each(|c| *c = 0);
        } else {
            domain = Counter::default();
        }
        CategoryCounts {
            domain,
            fixed: self.fixed,
            capacity: self.capacity,
            other: 0,
            error: 0,
            unseen: Counter::default(),
            unseen_error: 0,
            null_count: 0,
        }
    }

    /// A fixed-domain summary of the `k` most frequent categories (ties: the smaller
    /// category first), in that order; the others are counted in `other` and kept, up to
    /// `capacity`, as its examples. `k = 0` keeps none.
    pub fn top_k(&self, k: usize) -> CategoryCounts {
        let d = &self.domain;
        let mut order: Vec<usize> = (0..d.len()).collect();
        order.sort_by(|&a, &b| {
            d.counts[b]
                .cmp(&d.counts[a])
                .then_with(|| d.cats[a].cmp(&d.cats[b]))
        });
        let k = k.min(order.len());
        let mut domain = Counter::default();
        for &i in &order[..k] {
            domain.push(d.cats[i].clone(), d.counts[i]);
        }
        let mut unseen = if self.fixed {
            self.unseen.clone()
        } else {
            Counter::default()
        };
        let mut other = self.other;
        for &i in &order[k..] {
            other += d.counts[i];
            // The tail's categories are distinct from any unseen example already held.
            unseen.push(d.cats[i].clone(), d.counts[i]);
        }
        let (_, t) = unseen.purge(self.capacity);
        let unseen_error = self.unseen_error + t;
        CategoryCounts {
            domain,
            fixed: true,
            capacity: self.capacity,
            other,
            error: self.error,
            unseen,
            unseen_error,
            null_count: self.null_count,
        }
    }

    /// Counts the values of `column`.
    pub fn update(&mut self, column: &CategoryColumn<'_>) -> Result<()> {
        feed(column, self)
    }

    /// Adds `n` occurrences of `c`.
    fn add(&mut self, c: CatRef<'_>, n: u64) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        if let Some(i) = self.domain.find(c) {
            self.domain.counts[i] += n;
            return Ok(());
        }
        if self.fixed {
            self.other += n;
            self.unseen.add(c, n)?;
            if self.unseen.len() > self.capacity {
                let (_, t) = self.unseen.purge(self.capacity.div_ceil(2));
                self.unseen_error += t;
            }
            return Ok(());
        }
        self.domain.push(c.to_owned()?, n);
        if self.domain.len() > self.capacity {
            let (removed, t) = self.domain.purge(self.capacity.div_ceil(2));
            self.other += removed;
            self.error += t;
        }
        Ok(())
    }

    /// Folds `other` into `self`: free with free, or fixed with fixed over the same domain
    /// ([`Error::Incompatible`] otherwise).
    pub fn merge(&mut self, other: &CategoryCounts) -> Result<()> {
        if self.fixed != other.fixed {
            return Err(Error::Incompatible(
                "cannot merge a fixed-domain category summary with a free one; merge free \
                 summaries first, then fix the domain with top_k"
                    .into(),
            ));
        }
        if self.fixed {
            if self.domain.cats != other.domain.cats {
                return Err(Error::Incompatible(format!(
                    "category summaries over different domains ({} and {} categories) cannot be \
                     merged; count both against the same reference",
                    self.domain.len(),
                    other.domain.len()
                )));
            }
            for (a, b) in self.domain.counts.iter_mut().zip(&other.domain.counts) {
                *a = a.saturating_add(*b);
            }
            for (c, &n) in other.unseen.cats.iter().zip(&other.unseen.counts) {
                self.unseen.add(c.as_ref(), n)?;
            }
            let (_, t) = self.unseen.purge(self.capacity);
            self.unseen_error += other.unseen_error + t;
        } else {
            for (c, &n) in other.domain.cats.iter().zip(&other.domain.counts) {
                self.domain.add(c.as_ref(), n)?;
            }
            let (removed, t) = self.domain.purge(self.capacity);
            self.other = self.other.saturating_add(removed);
            self.error += other.error + t;
        }
        self.other = self.other.saturating_add(other.other);
        self.null_count = self.null_count.saturating_add(other.null_count);
        Ok(())
    }

    /// The counted categories: in order of first appearance (free) or the fixed domain's
    /// order (most frequent first after [`CategoryCounts::top_k`]).
    pub fn categories(&self) -> &[Category] {
        &self.domain.cats
    }

    /// The count of each of [`CategoryCounts::categories`].
    pub fn counts(&self) -> &[u64] {
        &self.domain.counts
    }

    /// The count of one category (0 when not in the domain, even if seen as unseen).
    pub fn count_of(&self, c: &Category) -> u64 {
        self.domain
            .find(c.as_ref())
            .map_or(0, |i| self.domain.counts[i])
    }

    /// Values counted outside the categories: unseen values (fixed domain) or the tail
    /// dropped to bound memory (free).
    pub fn other_count(&self) -> u64 {
        self.other
    }

    pub fn null_count(&self) -> u64 {
        self.null_count
    }

    /// Non-null values counted: the categories' counts plus `other`.
    pub fn total(&self) -> u64 {
        self.domain
            .counts
            .iter()
            .fold(self.other, |a, &b| a.saturating_add(b))
    }

    /// Whether the domain is fixed.
    pub fn is_fixed(&self) -> bool {
        self.fixed
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The largest amount by which a category's count may fall short of the truth (0: all
    /// counts exact).
    pub fn error(&self) -> u64 {
        self.error
    }

    /// Up to `n` of the most frequent values counted in `other` of a fixed-domain summary,
    /// with their counts, most frequent first (ties: the smaller value first). Each count
    /// falls short of the truth by at most [`CategoryCounts::unseen_error`].
    pub fn unseen(&self, n: usize) -> Vec<(Category, u64)> {
        let u = &self.unseen;
        let mut order: Vec<usize> = (0..u.len()).collect();
        order.sort_by(|&a, &b| {
            u.counts[b]
                .cmp(&u.counts[a])
                .then_with(|| u.cats[a].cmp(&u.cats[b]))
        });
        order
            .into_iter()
            .take(n)
            .map(|i| (u.cats[i].clone(), u.counts[i]))
            .collect()
    }

    /// Number of distinct unseen values held as examples.
    pub fn unseen_len(&self) -> usize {
        self.unseen.len()
    }

    /// The largest shortfall of an unseen example's count (0: exact).
    pub fn unseen_error(&self) -> u64 {
        self.unseen_error
    }

    /// Serializes into the versioned driftscope envelope (kind `CATS`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new(Kind::CategoryCounts);
        w.u8(u8::from(self.fixed))
            .u64(self.capacity as u64)
            .u64(self.other)
            .u64(self.error)
            .u64(self.unseen_error)
            .u64(self.null_count);
        for counter in [&self.domain, &self.unseen] {
            w.u64(counter.len() as u64);
            for (c, &n) in counter.cats.iter().zip(&counter.counts) {
                c.write(&mut w);
                w.u64(n);
            }
        }
        w.finish()
    }

    /// Reads bytes written by [`CategoryCounts::to_bytes`], checking that they are intact and
    /// consistent.
    pub fn from_bytes(bytes: &[u8]) -> Result<CategoryCounts> {
        let mut r = Reader::open(bytes, Kind::CategoryCounts)?;
        let fixed = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(r.invalid("bad mode flag")),
        };
        let capacity = r.u64()?;
        if capacity == 0 || capacity > MAX_CAPACITY as u64 {
            return Err(r.invalid("capacity out of range"));
        }
        let capacity = capacity as usize;
        let other = r.u64()?;
        let error = r.u64()?;
        let unseen_error = r.u64()?;
        let null_count = r.u64()?;
        let mut parts = Vec::with_capacity(2);
        for _ in 0..2 {
            let n = r.u64()?;
            let mut cats = Vec::new();
            let mut counts = Vec::new();
            for _ in 0..n {
                cats.push(Category::read(&mut r)?);
                counts.push(r.u64()?);
            }
            parts.push((cats, counts));
        }
        r.finish()?;
        let corrupt = |m: &str| Kind::CategoryCounts.corrupt(m);
        let mut it = parts.into_iter();
        let (Some((dc, dn)), Some((uc, un))) = (it.next(), it.next()) else {
            return Err(corrupt("missing sections"));
        };
        let total = dn
            .iter()
            .chain(&un)
            .chain([&other, &null_count])
            .try_fold(0u64, |a, &b| a.checked_add(b));
        let unseen_sum = un.iter().try_fold(0u64, |a, &b| a.checked_add(b));
        let consistent = total.is_some()
            && (fixed || uc.is_empty())
            && (fixed || dc.len() <= capacity)
            && uc.len() <= capacity
            && unseen_sum.is_some_and(|s| s <= other);
        if !consistent {
            return Err(corrupt("the decoded fields are inconsistent"));
        }
        let domain =
            Counter::from_parts(dc, dn).ok_or_else(|| corrupt("a category appears twice"))?;
        let unseen =
            Counter::from_parts(uc, un).ok_or_else(|| corrupt("an unseen value appears twice"))?;
        if unseen
            .cats
            .iter()
            .any(|c| domain.find(c.as_ref()).is_some())
        {
            return Err(corrupt("an unseen value is also a category"));
        }
        Ok(CategoryCounts {
            domain,
            fixed,
            capacity,
            other,
            error,
            unseen,
            unseen_error,
            null_count,
        })
    }
}

/// Receives the categories of a column, each with a multiplicity, and its nulls: what
/// [`CategoryCounts`] and the other category summaries ([`crate::sketch::frequent`],
/// [`crate::sketch::distinct`]) count. [`feed`] walks a [`CategoryColumn`] into one.
pub(crate) trait CategorySink {
    /// `n` more occurrences of `c` (`n` may be 0).
    fn count(&mut self, c: CatRef<'_>, n: u64) -> Result<()>;
    /// `n` more nulls.
    fn nulls(&mut self, n: u64);

    fn values(&mut self, chunk: &Chunk<'_>) -> Result<()> {
        macro_rules! small {
            ($s:expr, $bias:expr, $cat:expr) => {{
                let mut c = [0u64; 256];
                let mut nulls = 0u64;
                for (i, &x) in $s.iter().enumerate() {
                    if chunk.validity.is_none_or(|v| v.is_valid(i)) {
                        c[(x as i64 + $bias) as usize] += 1;
                    } else {
                        nulls += 1;
                    }
                }
                self.nulls(nulls);
                for (j, &n) in c.iter().enumerate() {
                    self.count($cat(j as i64 - $bias), n)?;
                }
                Ok(())
            }};
        }
        macro_rules! wide {
            ($s:expr) => {{
                for (i, &x) in $s.iter().enumerate() {
                    if chunk.validity.is_none_or(|v| v.is_valid(i)) {
                        self.count(CatRef::Int(i128::from(x)), 1)?;
                    } else {
                        self.nulls(1);
                    }
                }
                Ok(())
            }};
        }
        match chunk.values {
            Values::Bool(s) => small!(s, 0, |j: i64| CatRef::Bool(j == 1)),
            Values::I8(s) => small!(s, 128, |j: i64| CatRef::Int(i128::from(j))),
            Values::U8(s) => small!(s, 0, |j: i64| CatRef::Int(i128::from(j))),
            Values::I16(s) => wide!(s),
            Values::I32(s) => wide!(s),
            Values::I64(s) => wide!(s),
            Values::U16(s) => wide!(s),
            Values::U32(s) => wide!(s),
            Values::U64(s) => wide!(s),
            Values::Null(n) => {
                self.nulls(n as u64);
                Ok(())
            }
            Values::F64(_) | Values::F32(_) => Err(Error::InvalidArgument(
                "a floating-point column cannot be counted as categories; use a histogram, or \
                 cast it to integers or strings"
                    .into(),
            )),
        }
    }

    fn bool_bits(
        &mut self,
        bits: &[u8],
        offset: usize,
        len: usize,
        validity: Option<&Validity<'_>>,
    ) -> Result<()> {
        // A validity over the value bits reads them safely and in words.
        let values = Validity::new(bits, offset, len)?;
        let (mut t, mut f) = (0u64, 0u64);
        let mut i = 0;
        while i < len {
            let take = (len - i).min(64);
            let mask = if take == 64 {
                u64::MAX
            } else {
                (1u64 << take) - 1
            };
            let v = values.word(i) & mask;
            let ok = validity.map_or(mask, |m| m.word(i) & mask);
            t += u64::from((v & ok).count_ones());
            f += u64::from((!v & ok).count_ones());
            i += take;
        }
        self.nulls(len as u64 - t - f);
        self.count(CatRef::Bool(false), f)?;
        self.count(CatRef::Bool(true), t)
    }

    fn dictionary(&mut self, keys: &Chunk<'_>, values: &DictValues<'_>) -> Result<()> {
        let dict_len = match values {
            DictValues::Strings(s) => s.len(),
            DictValues::Values(c) => c.len(),
        };
        let mut counts = vec![0u64; dict_len];
        let mut nulls = 0u64;
        let bad = |k: i128| {
            Error::InvalidArgument(format!(
                "dictionary key {k} is out of range for a dictionary of {dict_len} values"
            ))
        };
        macro_rules! count {
            ($s:expr) => {{
                for (i, &k) in $s.iter().enumerate() {
                    if keys.validity.is_none_or(|v| v.is_valid(i)) {
                        let slot = usize::try_from(k)
                            .ok()
                            .and_then(|k| counts.get_mut(k))
                            .ok_or_else(|| bad(i128::from(k)))?;
                        *slot += 1;
                    } else {
                        nulls += 1;
                    }
                }
            }};
        }
        match keys.values {
            Values::I8(s) => count!(s),
            Values::I16(s) => count!(s),
            Values::I32(s) => count!(s),
            Values::I64(s) => count!(s),
            Values::U8(s) => count!(s),
            Values::U16(s) => count!(s),
            Values::U32(s) => count!(s),
            Values::U64(s) => count!(s),
            Values::Null(n) => nulls += n as u64,
            Values::F64(_) | Values::F32(_) | Values::Bool(_) => {
                return Err(Error::InvalidArgument(
                    "dictionary keys must be integers".into(),
                ))
            }
        }
        self.nulls(nulls);
        for (j, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            match dict_value(values, j)? {
                Some(c) => self.count(c, n)?,
                None => self.nulls(n),
            }
        }
        Ok(())
    }
}

/// Feeds the values of `column` to `sink`: integers of one byte, booleans and dictionary
/// keys are tallied first, so each distinct value reaches the sink once per chunk.
pub(crate) fn feed(
    column: &CategoryColumn<'_>,
    sink: &mut (impl CategorySink + ?Sized),
) -> Result<()> {
    match column {
        CategoryColumn::Values(chunk) => sink.values(chunk),
        CategoryColumn::BoolBits {
            bits,
            offset,
            len,
            validity,
        } => sink.bool_bits(bits, *offset, *len, validity.as_ref()),
        CategoryColumn::Strings(s) => {
            for i in 0..s.len() {
                match s.get(i) {
                    Some(b) => sink.count(CatRef::Str(b), 1)?,
                    None => sink.nulls(1),
                }
            }
            Ok(())
        }
        CategoryColumn::Dictionary { keys, values } => sink.dictionary(keys, values),
    }
}

impl CategorySink for CategoryCounts {
    fn count(&mut self, c: CatRef<'_>, n: u64) -> Result<()> {
        self.add(c, n)
    }

    fn nulls(&mut self, n: u64) {
        self.null_count += n;
    }
}

/// The category of dictionary entry `j`, or None when that entry is null.
fn dict_value<'a>(values: &DictValues<'a>, j: usize) -> Result<Option<CatRef<'a>>> {
    Ok(match values {
        DictValues::Strings(s) => s.get(j).map(CatRef::Str),
        DictValues::Values(c) => {
            if c.validity.is_some_and(|v| !v.is_valid(j)) {
                return Ok(None);
            }
            Some(match c.values {
                Values::Bool(s) => CatRef::Bool(s[j]),
                Values::I8(s) => CatRef::Int(s[j].into()),
                Values::I16(s) => CatRef::Int(s[j].into()),
                Values::I32(s) => CatRef::Int(s[j].into()),
                Values::I64(s) => CatRef::Int(s[j].into()),
                Values::U8(s) => CatRef::Int(s[j].into()),
                Values::U16(s) => CatRef::Int(s[j].into()),
                Values::U32(s) => CatRef::Int(s[j].into()),
                Values::U64(s) => CatRef::Int(s[j].into()),
                Values::Null(_) => return Ok(None),
                Values::F64(_) | Values::F32(_) => {
                    return Err(Error::InvalidArgument(
                        "dictionary values must be strings, integers or booleans".into(),
                    ))
                }
            })
        }
    })
}

/// Two count vectors over the same bins, for the divergences and tests of
/// [`crate::binned::divergence`]: the reference's categories, then one `other` bin.
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    /// The reference's categories, in its order (the last bin, `other`, has no entry).
    pub categories: Vec<Category>,
    /// Reference counts: each category's, then the reference's `other`.
    pub reference: Vec<f64>,
    /// Current counts: each reference category's, then everything else the current summary
    /// counted (values outside the reference's categories).
    pub current: Vec<f64>,
}

/// Aligns a current summary (fixed over the reference's domain, or free) with a reference.
pub fn align(reference: &CategoryCounts, current: &CategoryCounts) -> Alignment {
    let cats = reference.categories().to_vec();
    let mut r: Vec<f64> = reference.counts().iter().map(|&c| c as f64).collect();
    r.push(reference.other_count() as f64);
    let mut matched = 0u64;
    let mut c: Vec<f64> = cats
        .iter()
        .map(|cat| {
            let n = current.count_of(cat);
            matched += n;
            n as f64
        })
        .collect();
    c.push(current.total().saturating_sub(matched) as f64);
    Alignment {
        categories: cats,
        reference: r,
        current: c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lcg(seed: u64) -> impl FnMut() -> u64 {
        let mut s = seed;
        move || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s >> 33
        }
    }

    /// Arrow layout of `values` (None = null): offsets, data, validity bytes.
    fn arrow_strings(values: &[Option<&str>]) -> (Vec<i32>, Vec<u8>, Vec<u8>) {
        let mut offsets = vec![0i32];
        let mut data = Vec::new();
        let mut bits = vec![0u8; values.len().div_ceil(8)];
        for (i, v) in values.iter().enumerate() {
            if let Some(s) = v {
                data.extend_from_slice(s.as_bytes());
                bits[i / 8] |= 1 << (i % 8);
            }
            offsets.push(data.len() as i32);
        }
        (offsets, data, bits)
    }

    fn as_map(c: &CategoryCounts) -> HashMap<Category, u64> {
        c.categories()
            .iter()
            .cloned()
            .zip(c.counts().iter().copied())
            .collect()
    }

    fn s(x: &str) -> Category {
        Category::Str(x.into())
    }

    fn words(n: usize, card: u64, seed: u64) -> Vec<Option<String>> {
        let mut r = lcg(seed);
        (0..n)
            .map(|_| {
                let v = r();
                // Skewed: small ids far more often; 1 in 13 null.
                if v % 13 == 0 {
                    None
                } else {
                    Some(format!("w{}", (v % card) * (v % card) % card))
                }
            })
            .collect()
    }

    fn naive(values: &[Option<String>]) -> (HashMap<Category, u64>, u64, Vec<Category>) {
        let mut m = HashMap::new();
        let mut order = Vec::new();
        let mut nulls = 0;
        for v in values {
            match v {
                Some(x) => {
                    let c = s(x);
                    if !m.contains_key(&c) {
                        order.push(c.clone());
                    }
                    *m.entry(c).or_insert(0) += 1;
                }
                None => nulls += 1,
            }
        }
        (m, nulls, order)
    }

    #[test]
    fn strings_are_counted_exactly_in_order_of_appearance() {
        let vals = words(5000, 300, 1);
        let refs: Vec<Option<&str>> = vals.iter().map(|v| v.as_deref()).collect();
        let (off, data, bits) = arrow_strings(&refs);
        let v = Validity::new(&bits, 0, refs.len()).unwrap();
        let arr = StrArray::new(Offsets::I32(&off), &data, Some(v)).unwrap();
        let mut c = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        c.update(&CategoryColumn::Strings(arr)).unwrap();
        let (want, nulls, order) = naive(&vals);
        assert_eq!(as_map(&c), want);
        assert_eq!(c.categories(), &order[..]);
        assert_eq!((c.null_count(), c.other_count(), c.error()), (nulls, 0, 0));
        assert_eq!(c.total() + nulls, 5000);
        // Large strings: the same counts.
        let off64: Vec<i64> = off.iter().map(|&o| i64::from(o)).collect();
        let arr = StrArray::new(Offsets::I64(&off64), &data, Some(v)).unwrap();
        let mut l = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        l.update(&CategoryColumn::Strings(arr)).unwrap();
        assert_eq!(l, c);
    }

    #[test]
    fn dictionaries_are_counted_by_key() {
        // Dictionary with an unused entry and a null entry.
        let dict: Vec<Option<&str>> = vec![Some("a"), Some("b"), None, Some("unused"), Some("é")];
        let (doff, ddata, dbits) = arrow_strings(&dict);
        let dv = Validity::new(&dbits, 0, dict.len()).unwrap();
        let darr = StrArray::new(Offsets::I32(&doff), &ddata, Some(dv)).unwrap();
        let keys: Vec<i32> = vec![0, 1, 1, 2, 4, 0, 0, 1, 4, 9];
        // Key 9 (the last) is null; key 2 points to the null entry.
        let kbits = [0xffu8, 0b01];
        let kv = Validity::new(&kbits, 0, keys.len()).unwrap();
        let col = CategoryColumn::Dictionary {
            keys: Chunk::new(Values::I32(&keys), Some(kv)),
            values: DictValues::Strings(darr),
        };
        let mut c = CategoryCounts::new(16).unwrap();
        c.update(&col).unwrap();
        assert_eq!(c.categories(), &[s("a"), s("b"), s("é")]);
        assert_eq!(c.counts(), &[3, 3, 2]);
        assert_eq!(c.null_count(), 2);
        // Integer dictionary values, u8 keys.
        let ints: Vec<i64> = vec![10, -20, 30];
        let k8: Vec<u8> = vec![2, 2, 0, 1, 2];
        let col = CategoryColumn::Dictionary {
            keys: Chunk::new(Values::U8(&k8), None),
            values: DictValues::Values(Chunk::new(Values::I64(&ints), None)),
        };
        let mut c = CategoryCounts::new(16).unwrap();
        c.update(&col).unwrap();
        assert_eq!(
            c.categories(),
            &[Category::Int(10), Category::Int(-20), Category::Int(30)]
        );
        assert_eq!(c.counts(), &[1, 1, 3]);
        // Keys out of range or negative are errors, not panics.
        for keys in [vec![0i64, 3], vec![-1i64]] {
            let col = CategoryColumn::Dictionary {
                keys: Chunk::new(Values::I64(&keys), None),
                values: DictValues::Values(Chunk::new(Values::I64(&ints), None)),
            };
            let e = CategoryCounts::new(4).unwrap().update(&col).unwrap_err();
            assert!(e.to_string().contains("out of range"), "{e}");
        }
        let fk = [0.0f64];
        let col = CategoryColumn::Dictionary {
            keys: Chunk::new(Values::F64(&fk), None),
            values: DictValues::Values(Chunk::new(Values::I64(&ints), None)),
        };
        assert!(CategoryCounts::new(4).unwrap().update(&col).is_err());
    }

    #[test]
    fn integers_and_booleans() {
        let mut r = lcg(3);
        let xs: Vec<i64> = (0..3000).map(|_| (r() % 40) as i64 - 20).collect();
        let mut c = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        c.update(&CategoryColumn::Values(Chunk::new(Values::I64(&xs), None)))
            .unwrap();
        let small: Vec<i8> = xs.iter().map(|&x| x as i8).collect();
        let mut c8 = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        c8.update(&CategoryColumn::Values(Chunk::new(
            Values::I8(&small),
            None,
        )))
        .unwrap();
        assert_eq!(as_map(&c), as_map(&c8));
        let mut want: HashMap<Category, u64> = HashMap::new();
        for &x in &xs {
            *want.entry(Category::Int(x.into())).or_insert(0) += 1;
        }
        assert_eq!(as_map(&c), want);
        let big = [u64::MAX, 0, u64::MAX];
        let mut cb = CategoryCounts::new(4).unwrap();
        cb.update(&CategoryColumn::Values(Chunk::new(Values::U64(&big), None)))
            .unwrap();
        assert_eq!(cb.count_of(&Category::Int(u64::MAX.into())), 2);
        // numpy booleans, and Arrow bit-packed booleans at an offset with nulls.
        let bools = [true, false, true, true];
        let mut nb = CategoryCounts::new(4).unwrap();
        nb.update(&CategoryColumn::Values(Chunk::new(
            Values::Bool(&bools),
            None,
        )))
        .unwrap();
        assert_eq!(
            as_map(&nb),
            HashMap::from([(Category::Bool(true), 3), (Category::Bool(false), 1)])
        );
        let n = 150;
        let vals: Vec<u8> = (0..n / 8 + 2).map(|i| (i * 73 % 256) as u8).collect();
        let valid: Vec<u8> = (0..n / 8 + 2)
            .map(|i| (i * 41 % 256) as u8 | 0x81)
            .collect();
        let vv = Validity::new(&valid, 5, n).unwrap();
        let mut bb = CategoryCounts::new(4).unwrap();
        bb.update(&CategoryColumn::BoolBits {
            bits: &vals,
            offset: 3,
            len: n,
            validity: Some(vv),
        })
        .unwrap();
        let bitv = Validity::new(&vals, 3, n).unwrap();
        let (mut t, mut f, mut nulls) = (0, 0, 0);
        for i in 0..n {
            if !vv.is_valid(i) {
                nulls += 1;
            } else if bitv.is_valid(i) {
                t += 1;
            } else {
                f += 1;
            }
        }
        assert_eq!(bb.count_of(&Category::Bool(true)), t);
        assert_eq!(bb.count_of(&Category::Bool(false)), f);
        assert_eq!(bb.null_count(), nulls);
        assert!(CategoryCounts::new(4)
            .unwrap()
            .update(&CategoryColumn::BoolBits {
                bits: &vals,
                offset: 0,
                len: 1000,
                validity: None
            })
            .is_err());
        // Floats are refused; all-null columns count nulls only.
        let fl = [1.0f64];
        assert!(CategoryCounts::new(4)
            .unwrap()
            .update(&CategoryColumn::Values(Chunk::new(Values::F64(&fl), None)))
            .is_err());
        let mut an = CategoryCounts::new(4).unwrap();
        an.update(&CategoryColumn::Values(Chunk::new(Values::Null(9), None)))
            .unwrap();
        assert_eq!(
            (an.null_count(), an.total(), an.categories().len()),
            (9, 0, 0)
        );
    }

    #[test]
    fn bad_strings_are_errors() {
        assert!(StrArray::new(Offsets::I32(&[]), b"", None).is_err());
        assert!(StrArray::new(Offsets::I32(&[0, 3]), b"ab", None).is_err());
        assert!(StrArray::new(Offsets::I32(&[2, 1]), b"ab", None).is_err());
        assert!(StrArray::new(Offsets::I64(&[-1, 1]), b"ab", None).is_err());
        let arr = StrArray::new(Offsets::I32(&[0, 2]), &[0xff, 0xfe], None).unwrap();
        let e = CategoryCounts::new(4)
            .unwrap()
            .update(&CategoryColumn::Strings(arr))
            .unwrap_err();
        assert!(e.to_string().contains("UTF-8"), "{e}");
        assert!(CategoryCounts::new(0).is_err());
    }

    fn count_strings(c: &mut CategoryCounts, vals: &[Option<String>]) {
        let refs: Vec<Option<&str>> = vals.iter().map(|v| v.as_deref()).collect();
        let (off, data, bits) = arrow_strings(&refs);
        let v = Validity::new(&bits, 0, refs.len()).unwrap();
        let arr = StrArray::new(Offsets::I32(&off), &data, Some(v)).unwrap();
        c.update(&CategoryColumn::Strings(arr)).unwrap();
    }

    #[test]
    fn top_k_fixes_the_domain_and_counts_unseen_values() {
        let reference = words(4000, 50, 7);
        let mut r = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        count_strings(&mut r, &reference);
        let (want, nulls, _) = naive(&reference);
        let top = r.top_k(10);
        assert!(top.is_fixed());
        assert_eq!(top.categories().len(), 10);
        assert!(top.counts().windows(2).all(|w| w[0] >= w[1]));
        let kept: u64 = top.counts().iter().sum();
        assert_eq!(kept + top.other_count(), reference.len() as u64 - nulls);
        // The tail is kept as examples, most frequent first.
        let tail = top.unseen(5);
        assert!(tail.windows(2).all(|w| w[0].1 >= w[1].1));
        for (c, n) in &tail {
            assert_eq!(want[c], *n);
            assert!(!top.categories().contains(c));
        }
        // Count a current column with new values against the reference's full domain.
        let domain = r.top_k(usize::MAX);
        assert_eq!(domain.other_count(), 0);
        let mut cur_vals = words(3000, 50, 8);
        cur_vals.extend((0..40).map(|i| Some(format!("new{}", i % 4))));
        let mut cur = domain.empty_like();
        count_strings(&mut cur, &cur_vals);
        let (cw, _, _) = naive(&cur_vals);
        assert_eq!(cur.categories(), domain.categories());
        for (c, n) in cur.categories().iter().zip(cur.counts()) {
            assert_eq!(cw.get(c).copied().unwrap_or(0), *n);
        }
        let unseen_total: u64 = cw
            .iter()
            .filter(|(c, _)| !want.contains_key(*c))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(cur.other_count(), unseen_total);
        let ex = cur.unseen(10);
        assert!(ex.iter().all(|(c, _)| !want.contains_key(c)));
        assert_eq!(ex.iter().map(|e| e.1).sum::<u64>(), unseen_total);
        assert_eq!(cur.unseen_error(), 0);
        // Aligned vectors: reference categories, then other.
        let a = align(&domain, &cur);
        assert_eq!(a.reference.len(), a.categories.len() + 1);
        assert_eq!(a.current[a.current.len() - 1], unseen_total as f64);
        assert_eq!(a.reference[a.reference.len() - 1], 0.0);
        let chi = crate::binned::divergence::chi2_test(&a.reference, &a.current).unwrap();
        assert!(chi.pvalue < 1e-6);
        // A free current summary aligns the same way.
        let mut free = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        count_strings(&mut free, &cur_vals);
        assert_eq!(align(&domain, &free), a);
    }

    #[test]
    fn memory_stays_bounded_and_heavy_hitters_survive() {
        // 20000 rows: "hot" every other row, the rest all distinct.
        let vals: Vec<Option<String>> = (0..20_000)
            .map(|i| {
                Some(if i % 2 == 0 {
                    "hot".to_string()
                } else {
                    format!("id{i}")
                })
            })
            .collect();
        let mut free = CategoryCounts::new(64).unwrap();
        count_strings(&mut free, &vals);
        assert!(free.categories().len() <= 64);
        assert_eq!(free.count_of(&s("hot")), 10_000);
        assert_eq!(free.total(), 20_000);
        assert!(free.error() >= 1);
        let (want, _, _) = naive(&vals);
        for (c, &n) in free.categories().iter().zip(free.counts()) {
            assert!(n <= want[c] && want[c] - n <= free.error(), "{c}");
        }
        // Fixed domain {"a"}: the unseen examples stay within capacity.
        let mut r = CategoryCounts::new(8).unwrap();
        count_strings(&mut r, &[Some("a".into())]);
        let mut cur = r.top_k(1).empty_like();
        count_strings(&mut cur, &vals);
        assert!(cur.unseen_len() <= 8);
        assert_eq!(cur.other_count(), 20_000);
        assert_eq!(cur.unseen(1), vec![(s("hot"), 10_000)]);
    }

    #[test]
    fn merge_equals_whole() {
        let vals = words(6000, 200, 11);
        let mut whole = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        count_strings(&mut whole, &vals);
        let mut merged = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        for part in vals.chunks(1234) {
            let mut p = merged.empty_like();
            count_strings(&mut p, part);
            merged.merge(&p).unwrap();
        }
        assert_eq!(merged, whole);
        // Fixed summaries over the same domain merge; different domains or modes do not.
        let dom = whole.top_k(20);
        let mut a = dom.empty_like();
        let mut b = dom.empty_like();
        count_strings(&mut a, &vals[..3000]);
        count_strings(&mut b, &vals[3000..]);
        a.merge(&b).unwrap();
        let mut all = dom.empty_like();
        count_strings(&mut all, &vals);
        assert_eq!(as_map(&a), as_map(&all));
        assert_eq!(a.other_count(), all.other_count());
        assert_eq!(a.unseen(1000).len(), all.unseen(1000).len());
        assert!(matches!(
            a.merge(&whole).unwrap_err(),
            Error::Incompatible(_)
        ));
        assert!(matches!(
            a.merge(&whole.top_k(3)).unwrap_err(),
            Error::Incompatible(_)
        ));
    }

    #[test]
    fn single_category_and_all_null() {
        let vals: Vec<Option<String>> = vec![Some("x".into()); 10];
        let mut r = CategoryCounts::new(4).unwrap();
        count_strings(&mut r, &vals);
        let dom = r.top_k(10);
        let mut c = dom.empty_like();
        count_strings(&mut c, &vals);
        let a = align(&dom, &c);
        assert_eq!(
            (a.reference.clone(), a.current.clone()),
            (vec![10.0, 0.0], vec![10.0, 0.0])
        );
        let t = crate::binned::divergence::chi2_test(&a.reference, &a.current).unwrap();
        assert_eq!((t.statistic, t.pvalue, t.dof, t.dropped), (0.0, 1.0, 0, 1));
        let nulls: Vec<Option<String>> = vec![None; 5];
        let mut n = dom.empty_like();
        count_strings(&mut n, &nulls);
        let a = align(&dom, &n);
        assert_eq!(a.current, vec![0.0, 0.0]);
        assert!(
            crate::binned::divergence::psi(&a.reference, &a.current, Default::default()).is_err()
        );
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let vals = words(2000, 100, 5);
        let mut r = CategoryCounts::new(32).unwrap();
        count_strings(&mut r, &vals);
        let ints = [i64::MIN, -1, 7, i64::MAX];
        r.update(&CategoryColumn::Values(Chunk::new(
            Values::I64(&ints),
            None,
        )))
        .unwrap();
        r.update(&CategoryColumn::Values(Chunk::new(
            Values::Bool(&[true]),
            None,
        )))
        .unwrap();
        let dom = r.top_k(10);
        let mut cur = dom.empty_like();
        count_strings(&mut cur, &words(500, 300, 6));
        for x in [&r, &dom, &cur, &CategoryCounts::new(3).unwrap()] {
            let b = x.to_bytes().unwrap();
            let back = CategoryCounts::from_bytes(&b).unwrap();
            assert_eq!(&back, x);
            assert_eq!(back.to_bytes().unwrap(), b);
            for c in x.categories() {
                assert_eq!(back.count_of(c), x.count_of(c));
            }
        }
        let b = cur.to_bytes().unwrap();
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x40;
            assert!(CategoryCounts::from_bytes(&bad).is_err(), "byte {i}");
        }
        for n in 0..b.len() {
            assert!(CategoryCounts::from_bytes(&b[..n]).is_err());
        }
        // A duplicated category is rejected even under a valid checksum.
        let mut w = Writer::new(Kind::CategoryCounts);
        w.u8(0).u64(4).u64(0).u64(0).u64(0).u64(0);
        w.u64(2).u8(2).bytes(b"a").u64(1).u8(2).bytes(b"a").u64(1);
        w.u64(0);
        assert!(CategoryCounts::from_bytes(&w.finish().unwrap()).is_err());
        assert!(CategoryCounts::from_bytes(b"garbage").is_err());
    }
}
