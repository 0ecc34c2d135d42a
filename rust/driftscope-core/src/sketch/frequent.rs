//! Heavy hitters of a categorical column with error bounds: the Misra–Gries summary with
//! the Apache DataSketches frequent-items semantics.
//!
//! A [`FrequentItems`] keeps at most `3/4 · max_map_size` counters. When a new item would
//! exceed that, the median counter value is subtracted from every counter, the counters that
//! reach zero are dropped, and the median is added to the `offset` ([`FrequentItems::maximum_error`]).
//! So for every item, with `c` its counter (0 when not tracked) and `f` its true count,
//! `c <= f <= c + offset`: [`FrequentItems::lower_bound`] is `c` and
//! [`FrequentItems::upper_bound`] is `c + offset`. Each purge removes at least half the
//! counters, each of weight at least the median, so `offset <= n / (3/8 · max_map_size)`.
//!
//! A string column is counted in batches of [`BATCH`] rows, on the rayon pool: each batch is
//! counted exactly (borrowing its strings), cut to its `capacity` largest counts by
//! subtracting the next largest (a weighted Misra–Gries reduction, its amount added to the
//! offset), and the batches are folded in order, cut the same way. Every cut of `t` removes at
//! least `capacity / 2 · t` of the weight, so the offset bound above still holds; the batches
//! are fixed by the input, so the result does not depend on the number of threads.
//!
//! [`FrequentItems::frequent_items`] lists the items whose count may (no false negatives) or
//! must (no false positives) exceed a threshold. Summaries merge (counters added, offsets
//! summed, then purged), with the same bounds over the concatenated data, and serialize
//! (kind `FREQ`). Nulls are counted apart and are not items.

use std::hash::BuildHasher;
use std::ops::Range;

use hashbrown::{DefaultHashBuilder, HashTable};
use rayon::prelude::*;

use crate::binned::categorical::{
    feed, utf8, CatRef, Category, CategoryColumn, CategorySink, Counter, StrArray,
};
use crate::error::{Error, Result};
use crate::io::serial::{Kind, Reader, Writer};

/// Rows of a string column counted exactly at a time (see the module documentation).
pub const BATCH: usize = 1 << 16;

/// The default map size (768 counters).
pub const DEFAULT_MAX_MAP_SIZE: usize = 1024;
/// The smallest and largest map sizes accepted (powers of two).
pub const MIN_MAX_MAP_SIZE: usize = 8;
pub const MAX_MAX_MAP_SIZE: usize = 1 << 26;

/// Which error [`FrequentItems::frequent_items`] must not make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorType {
    /// Only items whose lower bound exceeds the threshold: every item listed is frequent,
    /// some frequent items may be missed.
    NoFalsePositives,
    /// Every item whose upper bound exceeds the threshold: no frequent item is missed, some
    /// listed may not be frequent.
    NoFalseNegatives,
}

/// One row of [`FrequentItems::frequent_items`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub item: Category,
    pub estimate: u64,
    pub lower_bound: u64,
    pub upper_bound: u64,
}

/// A frequent-items (heavy hitters) summary. See the module documentation.
#[derive(Debug, Clone)]
pub struct FrequentItems {
    max_map_size: usize,
    counters: Counter,
    offset: u64,
    /// Non-null weight seen.
    n: u64,
    null_count: u64,
}

/// Equal when the map size, counters (in order), offset and counts are equal.
impl PartialEq for FrequentItems {
    fn eq(&self, o: &Self) -> bool {
        self.max_map_size == o.max_map_size
            && self.counters.cats == o.counters.cats
            && self.counters.counts == o.counters.counts
            && self.offset == o.offset
            && self.n == o.n
            && self.null_count == o.null_count
    }
}

fn check_map_size(m: u64) -> Result<usize> {
    if !m.is_power_of_two() || m < MIN_MAX_MAP_SIZE as u64 || m > MAX_MAX_MAP_SIZE as u64 {
        return Err(Error::InvalidArgument(format!(
            "max_map_size is {m}; it must be a power of two in \
             {MIN_MAX_MAP_SIZE}..={MAX_MAX_MAP_SIZE}"
        )));
    }
    Ok(m as usize)
}

impl FrequentItems {
    /// An empty summary of at most `3/4 · max_map_size` counters (a power of two in
    /// [`MIN_MAX_MAP_SIZE`]..=[`MAX_MAX_MAP_SIZE`]; [`DEFAULT_MAX_MAP_SIZE`] is a good default).
    pub fn new(max_map_size: usize) -> Result<FrequentItems> {
        Ok(FrequentItems {
            max_map_size: check_map_size(max_map_size as u64)?,
            counters: Counter::default(),
            offset: 0,
            n: 0,
            null_count: 0,
        })
    }

    /// The summary of what a free `counts` counted: each of its categories with its count,
    /// its nulls, and the mass it dropped to bound memory (its `other`), which becomes this
    /// summary's error: a count it kept is short of the truth by at most its `error()`, as an
    /// estimate here is. A table profile switches a categorical column from exact counts to
    /// frequent items this way when its domain grows large.
    pub fn from_category_counts(
        counts: &crate::binned::categorical::CategoryCounts,
        max_map_size: usize,
    ) -> Result<FrequentItems> {
        if counts.is_fixed() {
            return Err(Error::InvalidArgument(
                "frequent items can take over only free category counts".into(),
            ));
        }
        let mut f = FrequentItems::new(max_map_size)?;
        for (c, &n) in counts.categories().iter().zip(counts.counts()) {
            f.count(c.as_ref(), n)?;
        }
        f.nulls(counts.null_count());
        f.n = f.n.saturating_add(counts.other_count());
        f.offset = f.offset.saturating_add(counts.error());
        Ok(f)
    }

    fn capacity(&self) -> usize {
        self.max_map_size / 4 * 3
    }

    /// Counts the values of `column` (strings by batches, see the module documentation).
    pub fn update(&mut self, column: &CategoryColumn<'_>) -> Result<()> {
        match column {
            CategoryColumn::Strings(s) => self.update_strings(s),
            _ => feed(column, self),
        }
    }

    /// Counts batches of `s` on the rayon pool, a few per thread at a time, folded in order.
    fn update_strings(&mut self, s: &StrArray<'_>) -> Result<()> {
        let (n, capacity) = (s.len(), self.capacity());
        let batches = n.div_ceil(BATCH);
        let window = 2 * rayon::current_num_threads().max(1);
        for first in (0..batches).step_by(window) {
            let counted: Vec<BatchCounts<'_>> = (first..batches.min(first + window))
                .into_par_iter()
                .map(|b| count_batch(s, b * BATCH..n.min((b + 1) * BATCH), capacity))
                .collect::<Result<_>>()?;
            for batch in counted {
                for (item, k) in batch.items {
                    self.counters.add(CatRef::Str(item), k)?;
                }
                self.n = self.n.saturating_add(batch.n);
                self.null_count = self.null_count.saturating_add(batch.nulls);
                self.offset = self.offset.saturating_add(batch.offset);
                let cut = largest_after(&self.counters.counts, capacity);
                self.offset = self.offset.saturating_add(cut);
                self.counters
                    .retain_map(|x| x.checked_sub(cut).filter(|&r| r > 0));
            }
        }
        Ok(())
    }

    /// Subtracts the median counter from all while more than `capacity` are held.
    fn purge(&mut self) {
        while self.counters.len() > self.capacity() {
            let mut c = self.counters.counts.clone();
            let mid = c.len() / 2;
            let (_, &mut median, _) = c.select_nth_unstable(mid);
            self.offset = self.offset.saturating_add(median);
            self.counters
                .retain_map(|x| x.checked_sub(median).filter(|&r| r > 0));
        }
    }

    /// Folds `other` in; the bounds then hold over both inputs.
    pub fn merge(&mut self, other: &FrequentItems) -> Result<()> {
        if self.max_map_size != other.max_map_size {
            return Err(Error::Incompatible(format!(
                "frequent-items summaries of different map sizes ({} and {}) cannot be merged",
                self.max_map_size, other.max_map_size
            )));
        }
        for (c, &k) in other.counters.cats.iter().zip(&other.counters.counts) {
            self.counters.add(c.as_ref(), k)?;
        }
        self.offset = self.offset.saturating_add(other.offset);
        self.n = self.n.saturating_add(other.n);
        self.null_count = self.null_count.saturating_add(other.null_count);
        self.purge();
        Ok(())
    }

    fn counter(&self, item: &Category) -> u64 {
        self.counters
            .find(item.as_ref())
            .map_or(0, |i| self.counters.counts[i])
    }

    /// The estimated count of `item`: its counter plus the offset when tracked, else 0.
    pub fn estimate(&self, item: &Category) -> u64 {
        match self.counter(item) {
            0 => 0,
            c => c.saturating_add(self.offset),
        }
    }

    /// A count `item` surely reaches.
    pub fn lower_bound(&self, item: &Category) -> u64 {
        self.counter(item)
    }

    /// A count `item` surely does not exceed.
    pub fn upper_bound(&self, item: &Category) -> u64 {
        self.counter(item).saturating_add(self.offset)
    }

    /// The largest possible error of a count's bounds (the offset).
    pub fn maximum_error(&self) -> u64 {
        self.offset
    }

    /// Items whose count exceeds `threshold` (in the sense of `error_type`), by estimate,
    /// largest first (ties: the smaller item first). A threshold below
    /// [`FrequentItems::maximum_error`] is raised to it.
    pub fn frequent_items(&self, error_type: ErrorType, threshold: u64) -> Vec<Row> {
        let threshold = threshold.max(self.offset);
        let mut rows: Vec<Row> = self
            .counters
            .cats
            .iter()
            .zip(&self.counters.counts)
            .map(|(c, &k)| Row {
                item: c.clone(),
                estimate: k.saturating_add(self.offset),
                lower_bound: k,
                upper_bound: k.saturating_add(self.offset),
            })
            .filter(|r| match error_type {
                ErrorType::NoFalsePositives => r.lower_bound > threshold,
                ErrorType::NoFalseNegatives => r.upper_bound > threshold,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.estimate
                .cmp(&a.estimate)
                .then_with(|| a.item.cmp(&b.item))
        });
        rows
    }

    /// Non-null weight counted.
    pub fn n(&self) -> u64 {
        self.n
    }

    pub fn null_count(&self) -> u64 {
        self.null_count
    }

    pub fn max_map_size(&self) -> usize {
        self.max_map_size
    }

    /// Number of items tracked.
    pub fn num_active(&self) -> usize {
        self.counters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Serializes into the versioned driftscope envelope (kind `FREQ`).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new(Kind::FrequentItems);
        w.u64(self.max_map_size as u64)
            .u64(self.offset)
            .u64(self.n)
            .u64(self.null_count)
            .u64(self.counters.len() as u64);
        for (c, &k) in self.counters.cats.iter().zip(&self.counters.counts) {
            c.write(&mut w);
            w.u64(k);
        }
        w.finish()
    }

    /// Reads bytes written by [`FrequentItems::to_bytes`], checking that they are intact and
    /// consistent.
    pub fn from_bytes(bytes: &[u8]) -> Result<FrequentItems> {
        let mut r = Reader::open(bytes, Kind::FrequentItems)?;
        let max_map_size =
            check_map_size(r.u64()?).map_err(|_| r.invalid("max_map_size out of range"))?;
        let offset = r.u64()?;
        let n = r.u64()?;
        let null_count = r.u64()?;
        let len = r.u64()?;
        if len > (max_map_size / 4 * 3) as u64 {
            return Err(r.invalid("more counters than the map holds"));
        }
        let mut cats = Vec::new();
        let mut counts = Vec::new();
        for _ in 0..len {
            cats.push(Category::read(&mut r)?);
            let k = r.u64()?;
            if k == 0 {
                return Err(r.invalid("a zero counter"));
            }
            counts.push(k);
        }
        r.finish()?;
        let corrupt = |m: &str| Kind::FrequentItems.corrupt(m);
        let held = counts.iter().try_fold(0u64, |a, &b| a.checked_add(b));
        if held.is_none_or(|h| h > n) || offset > n {
            return Err(corrupt("the decoded counts are inconsistent"));
        }
        let counters =
            Counter::from_parts(cats, counts).ok_or_else(|| corrupt("an item appears twice"))?;
        Ok(FrequentItems {
            max_map_size,
            counters,
            offset,
            n,
            null_count,
        })
    }
}

/// The exact counts of one batch of strings, cut to at most `capacity` items.
struct BatchCounts<'a> {
    /// Items with their counts less `offset`, in order of first appearance.
    items: Vec<(&'a [u8], u64)>,
    offset: u64,
    /// Non-null rows.
    n: u64,
    nulls: u64,
}

/// The `(k + 1)`-th largest of `counts` (0 when there are at most `k`): subtracted from every
/// count, it leaves at most `k` of them above zero.
fn largest_after(counts: &[u64], k: usize) -> u64 {
    if counts.len() <= k {
        return 0;
    }
    let mut c = counts.to_vec();
    let (_, &mut t, _) = c.select_nth_unstable_by(k, |a, b| b.cmp(a));
    t
}

/// Counts rows `rows` of `s` exactly (checking each new string is UTF-8), then cuts.
fn count_batch<'a>(
    s: &StrArray<'a>,
    rows: Range<usize>,
    capacity: usize,
) -> Result<BatchCounts<'a>> {
    let state = DefaultHashBuilder::default();
    // Sized for a quarter of the rows distinct, so most batches never grow the table.
    let mut table: HashTable<u32> = HashTable::with_capacity(rows.len() / 4);
    let mut items: Vec<(&'a [u8], u64)> = Vec::with_capacity(rows.len() / 4);
    let mut nulls = 0u64;
    let len = rows.len() as u64;
    for i in rows {
        let Some(b) = s.get(i) else {
            nulls += 1;
            continue;
        };
        let h = state.hash_one(b);
        if let Some(&j) = table.find(h, |&j| items[j as usize].0 == b) {
            items[j as usize].1 += 1;
        } else {
            utf8(b)?;
            let j = items.len() as u32;
            table.insert_unique(h, j, |&j| state.hash_one(items[j as usize].0));
            items.push((b, 1));
        }
    }
    let counts: Vec<u64> = items.iter().map(|x| x.1).collect();
    let offset = largest_after(&counts, capacity);
    if offset > 0 {
        items.retain_mut(|x| {
            x.1 -= offset.min(x.1);
            x.1 > 0
        });
    }
    Ok(BatchCounts {
        items,
        offset,
        n: len - nulls,
        nulls,
    })
}

impl CategorySink for FrequentItems {
    fn count(&mut self, c: CatRef<'_>, n: u64) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.counters.add(c, n)?;
        self.n = self.n.saturating_add(n);
        self.purge();
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
    use crate::io::column::{Chunk, Values};
    use std::collections::HashMap;

    /// Zipf-ish integers: value `v` drawn with weight about `1 / (v + 1)`.
    fn zipf(n: usize, seed: u64) -> Vec<i64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                (10_000f64.powf(u) - 1.0) as i64
            })
            .collect()
    }

    fn sketch(vals: &[i64], m: usize) -> FrequentItems {
        let mut f = FrequentItems::new(m).unwrap();
        f.update(&CategoryColumn::Values(Chunk::new(Values::I64(vals), None)))
            .unwrap();
        f
    }

    fn exact(vals: &[i64]) -> HashMap<i64, u64> {
        let mut m = HashMap::new();
        for &v in vals {
            *m.entry(v).or_insert(0) += 1;
        }
        m
    }

    fn check_bounds(f: &FrequentItems, truth: &HashMap<i64, u64>) {
        for (&v, &t) in truth {
            let c = Category::Int(v.into());
            assert!(f.lower_bound(&c) <= t && t <= f.upper_bound(&c), "{v}: {t}");
        }
        let rows = f.frequent_items(ErrorType::NoFalseNegatives, 0);
        for (&v, &t) in truth {
            if t > f.maximum_error() {
                assert!(rows.iter().any(|r| r.item == Category::Int(v.into())));
            }
        }
        for r in f.frequent_items(ErrorType::NoFalsePositives, 0) {
            let Category::Int(v) = r.item else { panic!() };
            assert!(truth[&(v as i64)] > f.maximum_error());
        }
    }

    #[test]
    fn bounds_hold_and_merge_keeps_them() {
        let vals = zipf(50_000, 3);
        let truth = exact(&vals);
        let f = sketch(&vals, 64);
        assert!(f.maximum_error() > 0);
        assert!(f.num_active() <= 48);
        assert_eq!(f.n(), 50_000);
        assert!(f.maximum_error() <= 50_000 * 8 / (3 * 64));
        check_bounds(&f, &truth);
        let mut m = FrequentItems::new(64).unwrap();
        for part in vals.chunks(7000) {
            m.merge(&sketch(part, 64)).unwrap();
        }
        assert_eq!(m.n(), 50_000);
        check_bounds(&m, &truth);
        // Few distinct values: exact.
        let small: Vec<i64> = (0..1000).map(|i| i % 7).collect();
        let e = sketch(&small, 16);
        assert_eq!(e.maximum_error(), 0);
        assert_eq!(e.estimate(&Category::Int(3)), 143);
        assert!(FrequentItems::new(100).is_err());
        assert!(m.merge(&FrequentItems::new(128).unwrap()).is_err());
    }

    /// Arrow string offsets and data of `vals`.
    fn arrow(vals: &[String]) -> (Vec<i64>, Vec<u8>) {
        let mut off = vec![0i64];
        let mut data = Vec::new();
        for v in vals {
            data.extend_from_slice(v.as_bytes());
            off.push(data.len() as i64);
        }
        (off, data)
    }

    #[test]
    fn string_batches_keep_the_bounds_on_any_number_of_threads() {
        let ints = zipf(3 * BATCH + 1234, 9);
        let vals: Vec<String> = ints.iter().map(|v| format!("s{v}")).collect();
        let (off, data) = arrow(&vals);
        let col = CategoryColumn::Strings(StrArray::new(Offsets::I64(&off), &data, None).unwrap());
        let run = |m: usize| {
            let mut f = FrequentItems::new(m).unwrap();
            f.update(&col).unwrap();
            f
        };
        let mut truth: HashMap<&str, u64> = HashMap::new();
        for v in &vals {
            *truth.entry(v).or_insert(0) += 1;
        }
        for m in [8, 64, 1024] {
            let f = run(m);
            assert_eq!(f.n(), vals.len() as u64);
            assert!(f.num_active() <= m / 4 * 3);
            assert!(f.maximum_error() <= vals.len() as u64 * 8 / (3 * m as u64));
            for (&v, &t) in &truth {
                let c = Category::Str(v.into());
                assert!(
                    f.lower_bound(&c) <= t && t <= f.upper_bound(&c),
                    "{m} {v}: {t}"
                );
            }
            let one = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap();
            assert_eq!(one.install(|| run(m)), f);
        }
        // Few distinct strings: exact, in order of first appearance, as one at a time.
        let few: Vec<String> = (0..BATCH + 5)
            .map(|i| format!("{}", (i * 5) % 11))
            .collect();
        let (off, data) = arrow(&few);
        let arr = StrArray::new(Offsets::I64(&off), &data, None).unwrap();
        let mut batched = FrequentItems::new(16).unwrap();
        batched.update(&CategoryColumn::Strings(arr)).unwrap();
        let mut single = FrequentItems::new(16).unwrap();
        for v in &few {
            single.count(CatRef::Str(v.as_bytes()), 1).unwrap();
        }
        assert_eq!(batched, single);
        assert_eq!(batched.maximum_error(), 0);
        // Non-UTF-8 strings are refused.
        let bad = StrArray::new(Offsets::I32(&[0, 1, 3]), &[b'a', 0xff, 0xfe], None).unwrap();
        let mut f = FrequentItems::new(16).unwrap();
        assert!(f.update(&CategoryColumn::Strings(bad)).is_err());
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let mut f = sketch(&zipf(3000, 5), 8);
        f.nulls(3);
        f.update(&CategoryColumn::Values(Chunk::new(
            Values::Bool(&[true]),
            None,
        )))
        .unwrap();
        for x in [&f, &FrequentItems::new(8).unwrap()] {
            let b = x.to_bytes().unwrap();
            let back = FrequentItems::from_bytes(&b).unwrap();
            assert_eq!(&back, x);
            assert_eq!(back.to_bytes().unwrap(), b);
        }
        let b = f.to_bytes().unwrap();
        for i in 0..b.len() {
            let mut bad = b.clone();
            bad[i] ^= 0x40;
            assert!(FrequentItems::from_bytes(&bad).is_err(), "byte {i}");
        }
        for n in 0..b.len() {
            assert!(FrequentItems::from_bytes(&b[..n]).is_err());
        }
        let mut w = Writer::new(Kind::FrequentItems);
        w.u64(8).u64(0).u64(2).u64(0).u64(2);
        w.u8(2).bytes(b"a").u64(1).u8(2).bytes(b"a").u64(1);
        assert!(FrequentItems::from_bytes(&w.finish().unwrap()).is_err());
    }
}
