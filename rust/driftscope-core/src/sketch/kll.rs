//! KLL quantile sketch of doubles (Karnin, Lang & Liberty, "Optimal Quantile Approximation in
//! Streams", FOCS 2016), with the compaction schedule, parameters and serialized form of
//! Apache DataSketches' `kll_sketch<double>` / `KllDoublesSketch`.
//!
//! Layout (as in DataSketches, so the bytes and the algorithm line up one to one): every retained
//! item lives in one buffer `items` whose length is the sketch's total capacity. Level `h` holds
//! `items[levels[h] .. levels[h + 1]]`, each item standing for `2^h` inputs; the free space is
//! `items[.. levels[0]]` and level 0 grows downwards into it. Levels above 0 are always sorted.
//! When an update finds no free space, the lowest level at its capacity is compacted: sorted (level
//! 0 only), an odd item left behind, and every other item — odd or even positions, by a fair coin
//! — promoted to the level above, merged with what is there.
//!
//! The level capacities are `max(m, round(k · (2/3)^depth))` with `depth` counted from the top
//! level, k = 200 and m = 8 by default. With the same coin flips, value-at-a-time updates and
//! merges reproduce DataSketches' items exactly; the coins themselves come from our own
//! seedable generator, so a sketch of the same data is equal in distribution, not in bytes,
//! once it compacts.
//!
//! Bulk updates of [`BLOCK`] values or more take a faster path of their own (the reason for the
//! sketch's update speed, ~8x DataSketches'): each block of 64k values is compacted several
//! levels at once, by selecting the order statistics those compactions would keep without
//! sorting the block, and the result is merged in ([`Kll::absorb_block`] gives the error
//! argument). The sketch is a KLL sketch all the same (sorted levels, exact weights, the same
//! serialized form); it keeps no more items than DataSketches' and its rank error is no larger.

use crate::error::{Error, Num, Result};
use crate::io::column::{Chunk, Numeric, Values};
use crate::numeric::sort::{for_each_valid, select_in_block, BlockScratch, SortedSample};
use crate::with_values;

/// Values per part of [`Kll::update_chunks_parallel`].
const PARALLEL_PART: usize = 1 << 20;
/// Values per block of the bulk update's block path ([`Kll::absorb_block`]): selected in L2
/// (64k values: each block keeps 1/64 of its values, half the per-value merge work of 32k
/// blocks, ~35% faster in all).
pub const BLOCK: usize = 1 << 16;
/// The highest level a block is compacted to at once.
const BLOCK_HEIGHT_MAX: u32 = 30;

/// One block of the bulk update being filled, with the selection's scratch.
struct Block {
    values: Vec<f64>,
    len: usize,
    scratch: BlockScratch,
}

impl Block {
    fn new() -> Self {
        Block {
            values: vec![0.0; BLOCK],
            len: 0,
            scratch: BlockScratch::default(),
        }
    }
}

/// The default `k`: normalized rank error about 1.33% (single-sided, 99% confidence).
pub const DEFAULT_K: u16 = 200;
/// The smallest level capacity (DataSketches' `m`, fixed at 8 in its serialized form).
pub const DEFAULT_M: u8 = 8;
/// The smallest `k` DataSketches accepts (equal to `m`).
pub const MIN_K: u16 = DEFAULT_M as u16;

/// Serialized-form constants of the DataSketches KLL compact format.
const PREAMBLE_INTS_SHORT: u8 = 2;
const PREAMBLE_INTS_FULL: u8 = 5;
const SERIAL_VERSION_1: u8 = 1;
const SERIAL_VERSION_2: u8 = 2;
const SERIAL_VERSION_UPDATABLE: u8 = 3;
const FAMILY_KLL: u8 = 15;
const FLAG_EMPTY: u8 = 1;
const FLAG_LEVEL_ZERO_SORTED: u8 = 2;
const FLAG_SINGLE_ITEM: u8 = 4;
const DATA_START_SINGLE_ITEM: usize = 8;
const DATA_START: usize = 20;

/// The deepest level whose capacity formula is defined (DataSketches throws beyond it; at that
/// depth `k · (2/3)^depth` is below 1 for every `k`, so the capacity is `m`).
const MAX_DEPTH: u32 = 60;

const POWERS_OF_THREE: [u64; 31] = {
    let mut p = [1u64; 31];
    let mut i = 1;
    while i < 31 {
        p[i] = p[i - 1] * 3;
        i += 1;
    }
    p
};

/// `round(k · (2/3)^depth)` in integer arithmetic, for depth ≤ 30 (DataSketches' rounding:
/// `(2k · 2^depth / 3^depth + 1) / 2`).
fn int_cap_aux_aux(k: u64, depth: u32) -> u64 {
    let twok = k << 1;
    let tmp = (twok << depth) / POWERS_OF_THREE[depth as usize];
    (tmp + 1) >> 1
}

/// `round(k · (2/3)^depth)`, deeper than 30 in two steps as DataSketches does.
fn int_cap_aux(k: u16, depth: u32) -> u64 {
    let k = u64::from(k);
    if depth > MAX_DEPTH {
        return 0;
    }
    if depth <= 30 {
        return int_cap_aux_aux(k, depth);
    }
    let half = depth / 2;
    int_cap_aux_aux(int_cap_aux_aux(k, half), depth - half)
}

/// The capacity of level `height` in a sketch of `num_levels` levels.
pub fn level_capacity(k: u16, m: u8, num_levels: usize, height: usize) -> u32 {
    let depth = num_levels.saturating_sub(height + 1) as u32;
    int_cap_aux(k, depth).max(u64::from(m)) as u32
}

/// The total capacity of a sketch of `num_levels` levels.
pub fn total_capacity(k: u16, m: u8, num_levels: usize) -> u32 {
    (0..num_levels)
        .map(|h| level_capacity(k, m, num_levels, h))
        .sum()
}

/// `1 + floor(log2(n))`, at least 1: the most levels a sketch of `n` items can need.
fn ub_on_num_levels(n: u64) -> usize {
    if n == 0 {
        1
    } else {
        1 + (63 - n.leading_zeros() as usize)
    }
}

/// DataSketches' normalized rank error for parameter `k`: the error not exceeded with 99%
/// confidence, single-sided (rank, quantile, CDF) or double-sided (`pmf`). Empirical fits from
/// DataSketches' own trials.
pub fn normalized_rank_error_for_k(k: u16, pmf: bool) -> f64 {
    let k = f64::from(k);
    if pmf {
        2.446 / k.powf(0.9433)
    } else {
        2.296 / k.powf(0.9723)
    }
}

/// A small seedable generator (SplitMix64) handing out one fair bit at a time.
#[derive(Debug, Clone)]
struct Coins {
    state: u64,
    bits: u64,
    left: u32,
    /// DataSketches' validation mode: the coin alternates 0, 1, 0, 1, ... instead.
    alternate: bool,
}

impl Coins {
    fn new(seed: u64) -> Self {
        Coins {
            state: seed,
            bits: 0,
            left: 0,
            alternate: false,
        }
    }

    /// A seed from the process's hash randomness (std only, no OS call of our own).
    fn random_seed() -> u64 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x6b6c_6c5f_7365_6564);
        h.finish()
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    #[inline]
    fn bit(&mut self) -> usize {
        if self.alternate {
            let b = (self.state & 1) as usize;
            self.state ^= 1;
            return b;
        }
        if self.left == 0 {
            self.bits = self.next_u64();
            self.left = 64;
        }
        let b = (self.bits & 1) as usize;
        self.bits >>= 1;
        self.left -= 1;
        b
    }
}

/// Keeps every other item of the sorted run `buf[start .. start + len]` (odd or even positions by
/// a coin) in its lower half.
fn halve_down(buf: &mut [f64], start: usize, len: usize, offset: usize) {
    for t in 0..len / 2 {
        buf[start + t] = buf[start + offset + 2 * t];
    }
}

/// Keeps every other item of the sorted run `buf[start .. start + len]` in its upper half.
fn halve_up(buf: &mut [f64], start: usize, len: usize, offset: usize) {
    let last = start + len - 1;
    for t in 0..len / 2 {
        buf[last - t] = buf[last - offset - 2 * t];
    }
}

/// Merges the sorted runs `buf[a .. a + len_a]` and `buf[b .. b + len_b]` into `buf[c ..]`, in
/// place. Safe when the output never overtakes either input, as in a compaction, where
/// `c = a + len_a` and `b ≥ c`. On ties the item of the second run comes first, as in
/// DataSketches. Long runs are copied out and merged by [`merge_into`].
fn merge_in_place(buf: &mut [f64], a: usize, len_a: usize, b: usize, len_b: usize, c: usize) {
    if len_a + len_b >= MERGE_TWO_WAYS_MIN {
        let mut runs = Vec::with_capacity(len_a + len_b);
        runs.extend_from_slice(&buf[a..a + len_a]);
        runs.extend_from_slice(&buf[b..b + len_b]);
        let (x, y) = runs.split_at(len_a);
        merge_into(x, y, &mut buf[c..c + len_a + len_b]);
        return;
    }
    let (lim_a, lim_b) = (a + len_a, b + len_b);
    let (mut a, mut b, mut out) = (a, b, c);
    // Branch-free while both runs last: the comparison picks the item and advances one index.
    while a < lim_a && b < lim_b {
        let (x, y) = (buf[a], buf[b]);
        let take_b = x >= y;
        buf[out] = if take_b { y } else { x };
        a += usize::from(!take_b);
        b += usize::from(take_b);
        out += 1;
    }
    if a < lim_a {
        buf.copy_within(a..lim_a, out);
    } else if out != b {
        buf.copy_within(b..lim_b, out);
    }
}

/// Merged lengths from which [`merge_in_place`] copies the runs out to merge them two ways.
const MERGE_TWO_WAYS_MIN: usize = 64;

/// Merges two sorted slices into `out` (same tie rule as [`merge_in_place`] with `x` first).
///
/// Each step of a branch-free merge waits for the previous step's loads, so two merges run
/// interleaved: the first half of the output merged from the front, the second from the back.
/// Where the halves part is found by bisection (the "merge path"), with the same tie rule.
///
/// Writes the first `x.len() + y.len()` items of `out`, which must hold that many.
fn merge_into(x: &[f64], y: &[f64], out: &mut [f64]) {
    let n = x.len() + y.len();
    let out = &mut out[..n];
    let front = n / 2;
    // The smallest i with x[i] not before y[front - i - 1]: then x[..i] and y[..front - i]
    // are the first `front` items.
    let (mut lo, mut hi) = (front.saturating_sub(y.len()), front.min(x.len()));
    while lo < hi {
        let mid = (lo + hi) / 2;
        if x[mid] < y[front - mid - 1] {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let (x1, x2) = x.split_at(lo);
    let (y1, y2) = y.split_at(front - lo);
    let (out1, out2) = out.split_at_mut(front);
    let (mut a, mut b, mut o) = (0, 0, 0);
    let (mut c, mut d, mut p) = (x2.len(), y2.len(), out2.len());
    while a < x1.len() && b < y1.len() && c > 0 && d > 0 {
        (a, b, o) = front_step(x1, y1, out1, (a, b, o));
        (c, d, p) = back_step(x2, y2, out2, (c, d, p));
    }
    while a < x1.len() && b < y1.len() {
        (a, b, o) = front_step(x1, y1, out1, (a, b, o));
    }
    let rest = if a < x1.len() { &x1[a..] } else { &y1[b..] };
    out1[o..o + rest.len()].copy_from_slice(rest);
    while c > 0 && d > 0 {
        (c, d, p) = back_step(x2, y2, out2, (c, d, p));
    }
    let rest = if c > 0 { &x2[..c] } else { &y2[..d] };
    out2[p - rest.len()..p].copy_from_slice(rest);
}

/// One branch-free step of a merge from the front: the smaller head (y's on ties) goes to
/// `out[o]`; returns the advanced `(a, b, o)`.
#[inline(always)]
fn front_step(x: &[f64], y: &[f64], out: &mut [f64], (a, b, o): Ix3) -> Ix3 {
    let (u, v) = (x[a], y[b]);
    let take_v = u >= v;
    out[o] = if take_v { v } else { u };
    (a + usize::from(!take_v), b + usize::from(take_v), o + 1)
}

/// One step from the back, `(c, d, p)` the ends still to fill: the larger tail goes to
/// `out[p - 1]`, x's on ties (the tie rule turned around: x's item is the later one).
#[inline(always)]
fn back_step(x: &[f64], y: &[f64], out: &mut [f64], (c, d, p): Ix3) -> Ix3 {
    let (s, t) = (x[c - 1], y[d - 1]);
    let take_s = s >= t;
    out[p - 1] = if take_s { s } else { t };
    (c - usize::from(take_s), d - usize::from(!take_s), p - 1)
}

type Ix3 = (usize, usize, usize);

/// Sorts non-NaN floats (level 0 before it is compacted). Branch-free small sorts (networks,
/// rank counting) measured no faster here than the standard unstable sort.
fn sort_floats(xs: &mut [f64]) {
    xs.sort_unstable_by(f64::total_cmp);
}

/// A KLL sketch of `f64` values, compatible with Apache DataSketches' KLL doubles sketch.
#[derive(Debug, Clone)]
pub struct Kll {
    k: u16,
    m: u8,
    min_k: u16,
    n: u64,
    /// Level boundaries into `items`; `levels.len() == num_levels + 1` and the last is
    /// `items.len()`, the total capacity.
    levels: Vec<u32>,
    items: Vec<f64>,
    level_zero_sorted: bool,
    min: f64,
    max: f64,
    null_count: u64,
    nan_count: u64,
    coins: Coins,
    /// `level_capacity` by depth below the top level, for this `k` (not serialized).
    caps: [u32; 64],
}

impl Default for Kll {
    fn default() -> Self {
        Self::new()
    }
}

/// Equal when the retained content is equal (the random generator's state is not compared).
impl PartialEq for Kll {
    fn eq(&self, other: &Self) -> bool {
        self.k == other.k
            && self.m == other.m
            && self.min_k == other.min_k
            && self.n == other.n
            && self.levels == other.levels
            && self.level_zero_sorted == other.level_zero_sorted
            && self.null_count == other.null_count
            && self.nan_count == other.nan_count
            && (self.n == 0
                || (self.min.to_bits() == other.min.to_bits()
                    && self.max.to_bits() == other.max.to_bits()))
            && self
                .retained_items()
                .iter()
                .zip(other.retained_items())
                .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Kll {
    /// An empty sketch with `k = 200` and random compaction coins.
    pub fn new() -> Self {
        Self::build(DEFAULT_K, Coins::random_seed())
    }

    /// An empty sketch with parameter `k` (8 ..= 65535) and random compaction coins.
    pub fn with_k(k: u16) -> Result<Self> {
        Self::check_k(k)?;
        Ok(Self::build(k, Coins::random_seed()))
    }

    /// An empty sketch with parameter `k` whose compaction coins come from `seed`: the same seed
    /// and the same updates give the same sketch.
    pub fn with_seed(k: u16, seed: u64) -> Result<Self> {
        Self::check_k(k)?;
        Ok(Self::build(k, seed))
    }

    /// Restarts the compaction coins from `seed` (e.g. after [`Kll::from_bytes`]).
    pub fn reseed(&mut self, seed: u64) {
        self.coins = Coins::new(seed);
    }

    /// Makes the compaction coin alternate 0, 1, 0, 1, ... from now on, as datasketches-cpp
    /// does when built with `KLL_VALIDATION`: for tests that compare the two implementations
    /// item for item. Never for real use (the guarantees need fair coins).
    #[doc(hidden)]
    pub fn use_alternating_coins(&mut self) {
        self.coins = Coins {
            state: 0,
            bits: 0,
            left: 0,
            alternate: true,
        };
    }

    fn check_k(k: u16) -> Result<()> {
        if k < MIN_K {
            return Err(Error::InvalidArgument(format!(
                "KLL k must be between {MIN_K} and 65535, got {k}"
            )));
        }
        Ok(())
    }

    fn build(k: u16, seed: u64) -> Self {
        Kll {
            k,
            m: DEFAULT_M,
            min_k: k,
            n: 0,
            levels: vec![u32::from(k), u32::from(k)],
            items: vec![0.0; usize::from(k)],
            level_zero_sorted: false,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            null_count: 0,
            nan_count: 0,
            coins: Coins::new(seed),
            caps: std::array::from_fn(|d| level_capacity(k, DEFAULT_M, d + 1, 0)),
        }
    }

    // ----- accessors -----

    pub fn k(&self) -> u16 {
        self.k
    }

    /// The smallest `k` among the sketches merged into this one in estimation mode; it sets the
    /// error guarantee.
    pub fn min_k(&self) -> u16 {
        self.min_k
    }

    /// Number of (non-null, non-NaN) values summarized.
    pub fn n(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Nulls skipped by updates (not part of the serialized DataSketches form).
    pub fn null_count(&self) -> u64 {
        self.null_count
    }

    /// NaN values skipped by updates (not part of the serialized DataSketches form).
    pub fn nan_count(&self) -> u64 {
        self.nan_count
    }

    /// Sets the null and NaN counts, which the DataSketches form does not carry (e.g. to
    /// restore them next to [`Kll::from_bytes`]).
    pub fn set_missing_counts(&mut self, null_count: u64, nan_count: u64) {
        self.null_count = null_count;
        self.nan_count = nan_count;
    }

    /// The smallest value seen (exact), NaN when empty.
    pub fn min(&self) -> f64 {
        if self.is_empty() {
            f64::NAN
        } else {
            self.min
        }
    }

    /// The largest value seen (exact), NaN when empty.
    pub fn max(&self) -> f64 {
        if self.is_empty() {
            f64::NAN
        } else {
            self.max
        }
    }

    pub fn num_levels(&self) -> usize {
        self.levels.len() - 1
    }

    /// Number of items the sketch keeps.
    pub fn num_retained(&self) -> usize {
        self.items.len() - self.levels[0] as usize
    }

    /// Whether the sketch has compacted, so its answers are estimates.
    pub fn is_estimation_mode(&self) -> bool {
        self.num_levels() > 1
    }

    /// Rank error not exceeded with 99% confidence (DataSketches' fit for `min_k`):
    /// single-sided, or double-sided for `pmf`.
    pub fn normalized_rank_error(&self, pmf: bool) -> f64 {
        normalized_rank_error_for_k(self.min_k, pmf)
    }

    fn retained_items(&self) -> &[f64] {
        &self.items[self.levels[0] as usize..]
    }

    fn level(&self, h: usize) -> &[f64] {
        &self.items[self.levels[h] as usize..self.levels[h + 1] as usize]
    }

    fn level_size(&self, h: usize) -> usize {
        if h + 1 < self.levels.len() {
            (self.levels[h + 1] - self.levels[h]) as usize
        } else {
            0
        }
    }

    // ----- updates -----

    /// Adds one value; NaN is skipped (and counted), as in DataSketches.
    pub fn update(&mut self, x: f64) {
        self.extend_dense(std::slice::from_ref(&x));
    }

    /// Adds the present values of `chunk`: nulls and NaN are skipped and counted.
    pub fn update_chunk(&mut self, chunk: &Chunk<'_>) {
        self.update_chunks(std::slice::from_ref(chunk));
    }

    /// Adds the present values of every chunk, in order: nulls and NaN are skipped and
    /// counted.
    ///
    /// Inputs of at least [`BLOCK`] values take the block path (see [`Kll::absorb_block`]);
    /// smaller ones, and every input in DataSketches' validation mode, go value by value
    /// exactly as DataSketches' update does (so a stream of small batches gets no faster
    /// than DataSketches').
    pub fn update_chunks(&mut self, chunks: &[Chunk<'_>]) {
        let total: usize = chunks.iter().map(Chunk::len).sum();
        if total < BLOCK || self.coins.alternate || self.block_height(BLOCK) == 0 {
            for c in chunks {
                self.update_chunk_sequential(c);
            }
            return;
        }
        let mut block = Block::new();
        let mut tally = SortedSample::default();
        for chunk in chunks {
            let mut rest = *chunk;
            if let (Values::F64(xs), None, 0) = (chunk.values, &chunk.validity, block.len) {
                // Whole NaN-free blocks of a plain float64 column are read in place.
                let mut whole = xs.chunks_exact(BLOCK);
                for now in &mut whole {
                    if !self.absorb_block(now, &mut block.scratch) {
                        // NaN among them: the copying path skips and counts them.
                        self.collect(&Chunk::new(Values::F64(now), None), &mut block, &mut tally);
                    }
                }
                rest = Chunk::new(Values::F64(whole.remainder()), None);
            }
            self.collect(&rest, &mut block, &mut tally);
        }
        let m = std::mem::take(&mut block.len);
        self.absorb_block(&block.values[..m], &mut block.scratch);
        self.null_count += tally.null_count;
        self.nan_count += tally.nan_count;
    }

    /// One block of a stream of present, non-NaN values that a caller cuts into blocks itself
    /// (a table profile gathers each column's values across record batches): `values` holds
    /// [`BLOCK`] of them, or fewer for the stream's last block. Fed the blocks of a column in
    /// order, the sketch is the one [`Kll::update_chunks`] makes of the whole column in one
    /// call (the same blocks, the same coins); `first` says that no earlier block was fed, so
    /// that a stream shorter than a block goes value by value, as there.
    pub fn update_stream_block(&mut self, values: &[f64], first: bool) {
        let short = first && values.len() < BLOCK;
        if short || self.coins.alternate || self.block_height(BLOCK) == 0 {
            self.extend_dense(values);
            return;
        }
        // The selection's scratch (~300 KB) is kept per thread: allocating it per block cost
        // page faults worth a tenth of a profile's time.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Option<BlockScratch>> =
                const { std::cell::RefCell::new(None) };
        }
        let absorbed = SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slot) => {
                let scratch = slot.get_or_insert_with(BlockScratch::default);
                self.absorb_block(values, scratch)
            }
            // Re-entered on this thread (not expected): a scratch of its own.
            Err(_) => self.absorb_block(values, &mut BlockScratch::default()),
        });
        if !absorbed {
            // NaN-free by contract; value by value is always right.
            self.extend_dense(values);
        }
    }

    /// Copies the present, non-NaN values of `chunk` into `block`, absorbing it whenever it
    /// fills; nulls and NaN are counted into `tally`.
    fn collect(&mut self, chunk: &Chunk<'_>, block: &mut Block, tally: &mut SortedSample) {
        for_each_valid::<true>(std::slice::from_ref(chunk), tally, |x| {
            block.values[block.len] = x;
            block.len += 1;
            if block.len == BLOCK {
                block.len = 0;
                self.absorb_block(&block.values, &mut block.scratch);
            }
        });
    }

    /// [`Kll::update_chunk`] value by value, as DataSketches' update does.
    fn update_chunk_sequential(&mut self, chunk: &Chunk<'_>) {
        with_values!(chunk.values,
            |s| self.update_typed(s, chunk),
            null => |n| self.null_count += n as u64)
    }

    /// The level a sorted block of `m` values is compacted to by [`Kll::absorb_block`]: the
    /// highest `h` with `2^h <= ε·m/8`, `ε` the normalized rank error for this `k`, so that
    /// the block's own compactions move any rank by less than `ε/8` of the block's weight.
    /// 0 means: too few values, insert them one by one.
    fn block_height(&self, m: usize) -> u32 {
        let budget = normalized_rank_error_for_k(self.k, false) * m as f64 / 8.0;
        if budget < 2.0 {
            0
        } else {
            (budget.log2().floor() as u32).min(BLOCK_HEIGHT_MAX)
        }
    }

    /// The block path of the bulk update: the non-NaN `values` are compacted `h` times at once
    /// ([`Kll::block_height`]), as `h` DataSketches compactions of a whole sorted level would
    /// be: an odd item left behind on each level (the smallest), then every other item, odd or
    /// even positions by a fair coin, promoted. The items kept are order statistics of the
    /// block at positions fixed by the coins alone, so they are selected without sorting it
    /// ([`select_in_block`]). What remains (at most one item on each level below `h`, about
    /// `m / 2^h` on level `h`, and the block's minimum and maximum) is merged into the sketch
    /// like any other sketch.
    ///
    /// Why the guarantee holds: a compaction of weight `2^i` moves the estimated rank of any
    /// value by at most `2^i`, up or down with equal chance. The block adds one compaction on
    /// each level `i < h`, at most `2^h - 1 < ε·m/8` in all, i.e. less than `ε/8` of what it
    /// adds to `n`; DataSketches' one-at-a-time update compacts these low levels far more
    /// often (every 8 items or so), so its variance there is larger, not smaller. From level
    /// `h` up, the merge compacts exactly as DataSketches' merge does.
    ///
    /// Returns false, adding nothing, when `values` hold NaN (a plain float64 column read in
    /// place); blocks of too few values for a compaction are added one at a time.
    fn absorb_block(&mut self, values: &[f64], scratch: &mut BlockScratch) -> bool {
        let m = values.len();
        let h = self.block_height(m);
        if h == 0 {
            self.extend_dense(values);
            return true;
        }
        // The compactions' picks are positions in the sorted block: with `count` items left
        // on the level, `start` the rank of the first and `stride` its weight.
        let mut positions = Vec::with_capacity(h as usize + (m >> h) + 3);
        let mut levels = vec![0u32];
        let (mut start, mut stride, mut count) = (0usize, 1usize, m);
        positions.push(0); // the minimum
        for _ in 0..h {
            if count % 2 == 1 {
                positions.push(start);
                start += stride;
                count -= 1;
            }
            levels.push((positions.len() - 1) as u32);
            start += self.coins.bit() * stride;
            stride *= 2;
            count /= 2;
        }
        positions.extend((0..count).map(|j| start + j * stride));
        levels.push((positions.len() - 1) as u32);
        positions.push(m - 1); // the maximum
        let mut items = Vec::with_capacity(positions.len());
        if !select_in_block(values, &positions, &mut items, scratch) {
            return false;
        }
        if items.len() != positions.len() {
            // Never expected (every position is below m); value by value is always right.
            self.extend_dense(values);
            return true;
        }
        let (min, max) = (items.remove(0), items.pop().unwrap_or(f64::NAN));
        let compacted = Kll {
            n: m as u64,
            levels,
            items,
            level_zero_sorted: true,
            min,
            max,
            null_count: 0,
            nan_count: 0,
            coins: Coins::new(0),
            ..*self
        };
        self.merge_counted(&compacted, self.n.saturating_add(m as u64));
        true
    }

    /// Adds the present values of every chunk, sketching parts of about a million values on
    /// the rayon pool and merging them in order (KLL's mergeability keeps the error guarantee).
    /// The parts are fixed by the input's length and their coins drawn from this sketch's, so
    /// a seeded sketch gives the same result on any number of threads. Inputs under two parts
    /// go through [`Kll::update_chunks`] unchanged.
    pub fn update_chunks_parallel(&mut self, chunks: &[Chunk<'_>]) -> Result<()> {
        use rayon::prelude::*;
        let total: usize = chunks.iter().map(Chunk::len).sum();
        let count = total / PARALLEL_PART;
        if count < 2 {
            self.update_chunks(chunks);
            return Ok(());
        }
        let parts = crate::numeric::sort::split_parts(chunks, total, count);
        let seeds: Vec<u64> = parts.iter().map(|_| self.coins.next_u64()).collect();
        let k = self.k;
        let sketches: Vec<Kll> = parts
            .par_iter()
            .zip(seeds)
            .map(|(part, seed)| {
                let mut s = Kll::build(k, seed);
                s.update_chunks(part);
                s
            })
            .collect();
        for s in &sketches {
            self.merge(s)?;
        }
        Ok(())
    }

    fn update_typed<T: Numeric>(&mut self, xs: &[T], chunk: &Chunk<'_>) {
        if chunk.validity.is_none() {
            if let Some(f) = T::as_f64_slice(xs) {
                self.extend_dense(f);
                return;
            }
        }
        const BLOCK: usize = 1024;
        let mut buf = [0.0f64; BLOCK];
        for (b, part) in xs.chunks(BLOCK).enumerate() {
            let mut len = 0;
            match &chunk.validity {
                None => {
                    for (slot, x) in buf.iter_mut().zip(part) {
                        *slot = x.to_f64();
                    }
                    len = part.len();
                }
                Some(v) => {
                    for (i, x) in part.iter().enumerate() {
                        if v.is_valid(b * BLOCK + i) {
                            buf[len] = x.to_f64();
                            len += 1;
                        }
                    }
                    self.null_count += (part.len() - len) as u64;
                }
            }
            self.extend_dense(&buf[..len]);
        }
    }

    /// The bulk update: fills level 0's free space straight from the slice (in the order
    /// DataSketches' one-at-a-time update leaves it, last value lowest) and compacts only when
    /// the buffer is full and another value arrives — the same sketch as updating one by one.
    fn extend_dense(&mut self, xs: &[f64]) {
        let mut rest = xs;
        while !rest.is_empty() {
            if self.levels[0] == 0 {
                self.compress_while_updating();
            }
            let free = self.levels[0] as usize;
            let take = free.min(rest.len());
            let (now, later) = rest.split_at(take);
            rest = later;
            let dest = &mut self.items[free - take..free];
            let (mut mn, mut mx) = (self.min, self.max);
            let mut nan = 0usize;
            // Fast path: copy reversed, tracking min/max; NaN compares false so it leaves them.
            for (slot, &x) in dest.iter_mut().rev().zip(now) {
                *slot = x;
                mn = if x < mn { x } else { mn };
                mx = if x > mx { x } else { mx };
                nan += usize::from(x.is_nan());
            }
            let mut pos = free - take;
            if nan > 0 {
                // Rare: squeeze the NaN out of the copy just made (not out of `now`, which
                // another thread may have changed since; the copy is the one reading).
                // Walking down from the top, a kept item only ever moves up.
                let mut p = free;
                for i in (pos..free).rev() {
                    let x = self.items[i];
                    if !x.is_nan() {
                        p -= 1;
                        self.items[p] = x;
                    }
                }
                pos = p;
                self.nan_count += nan as u64;
            }
            self.min = mn;
            self.max = mx;
            if pos != free {
                self.n += (free - pos) as u64;
                self.levels[0] = pos as u32;
                self.level_zero_sorted = false;
            }
        }
    }

    /// The lowest level whose population reached its capacity (one always has, when the buffer
    /// is full, because the capacities sum to the buffer's length).
    fn find_level_to_compact(&self) -> usize {
        let nl = self.num_levels();
        (0..nl)
            .find(|&h| {
                let depth = (nl - 1 - h).min(self.caps.len() - 1);
                self.level_size(h) >= self.caps[depth] as usize
            })
            .unwrap_or(nl - 1)
    }

    /// Grows the buffer by a new bottom level's capacity, shifting every level up.
    fn add_empty_top_level(&mut self) {
        let nl = self.num_levels();
        let delta = level_capacity(self.k, self.m, nl + 1, 0);
        let mut grown = vec![0.0; delta as usize + self.items.len()];
        grown[delta as usize..].copy_from_slice(&self.items);
        self.items = grown;
        for l in &mut self.levels {
            *l += delta;
        }
        self.levels.push(self.items.len() as u32);
    }

    /// DataSketches' `compress_while_updating`: compacts the lowest full level into the one
    /// above, freeing `floor(pop / 2)` slots at the bottom.
    fn compress_while_updating(&mut self) {
        let level = self.find_level_to_compact();
        if level == self.num_levels() - 1 {
            self.add_empty_top_level();
        }
        let raw_beg = self.levels[level] as usize;
        let raw_lim = self.levels[level + 1] as usize;
        let pop_above = self.levels[level + 2] as usize - raw_lim;
        let raw_pop = raw_lim - raw_beg;
        let odd = raw_pop % 2 == 1;
        let adj_beg = raw_beg + usize::from(odd);
        let adj_pop = raw_pop - usize::from(odd);
        let half = adj_pop / 2;

        if level == 0 && !self.level_zero_sorted {
            sort_floats(&mut self.items[adj_beg..adj_beg + adj_pop]);
        }
        let offset = self.coins.bit();
        if pop_above == 0 {
            halve_up(&mut self.items, adj_beg, adj_pop, offset);
        } else {
            halve_down(&mut self.items, adj_beg, adj_pop, offset);
            merge_in_place(
                &mut self.items,
                adj_beg,
                half,
                raw_lim,
                pop_above,
                adj_beg + half,
            );
        }
        self.levels[level + 1] -= half as u32;
        if odd {
            self.levels[level] = self.levels[level + 1] - 1;
            let dst = self.levels[level] as usize;
            self.items[dst] = self.items[raw_beg];
        } else {
            self.levels[level] = self.levels[level + 1];
        }
        if level > 0 {
            let start = self.levels[0] as usize;
            let amount = raw_beg - start;
            self.items.copy_within(start..start + amount, start + half);
            for l in &mut self.levels[..level] {
                *l += half as u32;
            }
        }
    }

    // ----- merge -----

    /// Adds everything `other` summarizes (DataSketches' merge: `other`'s level 0 is inserted
    /// value by value, its higher levels merged level-wise and the result compressed).
    ///
    /// Fails, leaving `self` unchanged, only when the total count would overflow 64 bits.
    pub fn merge(&mut self, other: &Kll) -> Result<()> {
        let final_n = self.n.checked_add(other.n).ok_or_else(|| {
            Error::Incompatible(format!(
                "merging KLL sketches of {} and {} values overflows the 64-bit count",
                self.n, other.n
            ))
        })?;
        self.merge_counted(other, final_n);
        Ok(())
    }

    /// [`Kll::merge`] with the total count worked out.
    fn merge_counted(&mut self, other: &Kll, final_n: u64) {
        self.null_count = self.null_count.saturating_add(other.null_count);
        self.nan_count = self.nan_count.saturating_add(other.nan_count);
        if other.is_empty() {
            return;
        }
        if other.min < self.min || self.is_empty() {
            self.min = other.min;
        }
        if other.max > self.max || self.is_empty() {
            self.max = other.max;
        }
        // Other's level 0, in the order DataSketches inserts it (first retained index first).
        for &x in other.level(0) {
            self.insert_one(x);
        }
        if other.num_levels() >= 2 {
            self.merge_higher_levels(other, final_n);
        }
        self.n = final_n;
        if other.is_estimation_mode() {
            self.min_k = self.min_k.min(other.min_k);
        }
    }

    /// One value into level 0 (no min/max or NaN handling: merge already did that).
    fn insert_one(&mut self, x: f64) {
        if self.levels[0] == 0 {
            self.compress_while_updating();
        }
        self.n += 1;
        self.level_zero_sorted = false;
        self.levels[0] -= 1;
        let i = self.levels[0] as usize;
        self.items[i] = x;
    }

    fn merge_higher_levels(&mut self, other: &Kll, final_n: u64) {
        let provisional = self.num_levels().max(other.num_levels());
        // Work arrays: self's level 0, then each higher level of both sketches merged.
        let mut work =
            Vec::with_capacity(self.num_retained() + other.items.len() - other.levels[1] as usize);
        let mut in_levels = vec![0u32; provisional.max(ub_on_num_levels(final_n)) + 3];
        work.extend_from_slice(self.level(0));
        in_levels[1] = work.len() as u32;
        for lvl in 1..provisional {
            let mine: &[f64] = if lvl < self.num_levels() {
                self.level(lvl)
            } else {
                &[]
            };
            let theirs: &[f64] = if lvl < other.num_levels() {
                other.level(lvl)
            } else {
                &[]
            };
            let start = work.len();
            work.resize(start + mine.len() + theirs.len(), 0.0);
            merge_into(mine, theirs, &mut work[start..]);
            in_levels[lvl + 1] = work.len() as u32;
        }
        let (num_levels, capacity, num_items, out_levels) = general_compress(
            self.k,
            self.m,
            provisional,
            &mut work,
            &mut in_levels,
            self.level_zero_sorted,
            &mut self.coins,
        );
        let free = capacity as usize - num_items;
        let mut items = vec![0.0; capacity as usize];
        let first = out_levels[0] as usize;
        items[free..].copy_from_slice(&work[first..first + num_items]);
        self.items = items;
        self.levels = out_levels[..=num_levels]
            .iter()
            .map(|&l| l - out_levels[0] + free as u32)
            .collect();
    }

    // ----- queries -----

    /// The retained items in order with their cumulative weights, DataSketches' sorted view.
    pub fn sorted_view(&self) -> Result<SortedView> {
        if self.is_empty() {
            return Err(Error::EmptySample(
                "the KLL sketch is empty: it has no quantiles or ranks".into(),
            ));
        }
        let mut pairs: Vec<(f64, u64)> = Vec::with_capacity(self.num_retained());
        for h in 0..self.num_levels() {
            let w = 1u64 << h;
            pairs.extend(self.level(h).iter().map(|&x| (x, w)));
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut total = 0u64;
        let mut items = Vec::with_capacity(pairs.len());
        let mut cum = Vec::with_capacity(pairs.len());
        for (x, w) in pairs {
            total += w;
            items.push(x);
            cum.push(total);
        }
        Ok(SortedView { items, cum, total })
    }

    /// The approximate quantile at normalized `rank` in [0, 1].
    pub fn quantile(&self, rank: f64, inclusive: bool) -> Result<f64> {
        self.sorted_view()?.quantile(rank, inclusive)
    }

    /// Quantiles at several ranks (one sorted view for all).
    pub fn quantiles(&self, ranks: &[f64], inclusive: bool) -> Result<Vec<f64>> {
        let view = self.sorted_view()?;
        ranks.iter().map(|&r| view.quantile(r, inclusive)).collect()
    }

    /// The approximate normalized rank of `x`: the weight of items `≤ x` (inclusive) or `< x`.
    pub fn rank(&self, x: f64, inclusive: bool) -> Result<f64> {
        Ok(self.sorted_view()?.rank(x, inclusive))
    }

    /// Ranks at each split point followed by 1.0 (split points strictly increasing, no NaN).
    pub fn cdf(&self, splits: &[f64], inclusive: bool) -> Result<Vec<f64>> {
        self.sorted_view()?.cdf(splits, inclusive)
    }

    /// Mass between consecutive split points: `splits.len() + 1` values summing to 1.
    pub fn pmf(&self, splits: &[f64], inclusive: bool) -> Result<Vec<f64>> {
        self.sorted_view()?.pmf(splits, inclusive)
    }

    // ----- serialization -----

    /// The number of bytes [`Kll::to_bytes`] writes.
    pub fn serialized_size(&self) -> usize {
        if self.is_empty() {
            8
        } else if self.n == 1 {
            DATA_START_SINGLE_ITEM + 8
        } else {
            DATA_START + 4 * self.num_levels() + 8 * (self.num_retained() + 2)
        }
    }

    /// The DataSketches KLL doubles compact form, readable by the DataSketches C++, Java and
    /// Python libraries.
    pub fn to_bytes(&self) -> Vec<u8> {
        let single = self.n == 1;
        let mut out = Vec::with_capacity(self.serialized_size());
        out.push(if self.is_empty() || single {
            PREAMBLE_INTS_SHORT
        } else {
            PREAMBLE_INTS_FULL
        });
        out.push(if single {
            SERIAL_VERSION_2
        } else {
            SERIAL_VERSION_1
        });
        out.push(FAMILY_KLL);
        let mut flags = 0u8;
        if self.is_empty() {
            flags |= FLAG_EMPTY;
        }
        if self.level_zero_sorted {
            flags |= FLAG_LEVEL_ZERO_SORTED;
        }
        if single {
            flags |= FLAG_SINGLE_ITEM;
        }
        out.push(flags);
        out.extend_from_slice(&self.k.to_le_bytes());
        out.push(self.m);
        out.push(0);
        if self.is_empty() {
            return out;
        }
        if !single {
            out.extend_from_slice(&self.n.to_le_bytes());
            out.extend_from_slice(&self.min_k.to_le_bytes());
            out.push(self.num_levels() as u8);
            out.push(0);
            for l in &self.levels[..self.num_levels()] {
                out.extend_from_slice(&l.to_le_bytes());
            }
            out.extend_from_slice(&self.min.to_le_bytes());
            out.extend_from_slice(&self.max.to_le_bytes());
        }
        for x in self.retained_items() {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out
    }

    /// Reads the DataSketches KLL doubles compact form (serial versions 1 and 2: empty,
    /// single-item and full sketches). Truncated, corrupted or foreign bytes give
    /// [`Error::Corrupt`]; the coins of the result are random (see [`Kll::reseed`]).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |msg: String| Error::Corrupt(format!("cannot read a KLL sketch: {msg}"));
        if bytes.len() < 8 {
            return Err(bad(format!(
                "{} bytes is too short for the 8-byte DataSketches KLL preamble",
                bytes.len()
            )));
        }
        let (pre_ints, ser_ver, family, flags) = (bytes[0], bytes[1], bytes[2], bytes[3]);
        let k = u16::from_le_bytes([bytes[4], bytes[5]]);
        let m = bytes[6];
        if family != FAMILY_KLL {
            return Err(bad(format!(
                "family id {family} is not KLL ({FAMILY_KLL}); these are not KLL sketch bytes"
            )));
        }
        if ser_ver == SERIAL_VERSION_UPDATABLE {
            return Err(bad(
                "serial version 3 (DataSketches' updatable in-memory layout) is not supported; \
                 serialize the sketch in its compact form"
                    .into(),
            ));
        }
        if ser_ver != SERIAL_VERSION_1 && ser_ver != SERIAL_VERSION_2 {
            return Err(bad(format!(
                "serial version {ser_ver} is not supported (expected 1 or 2)"
            )));
        }
        if m != DEFAULT_M {
            return Err(bad(format!("m must be {DEFAULT_M}, found {m}")));
        }
        if k < MIN_K {
            return Err(bad(format!("k must be at least {MIN_K}, found {k}")));
        }
        let empty = flags & FLAG_EMPTY != 0;
        let single = flags & FLAG_SINGLE_ITEM != 0;
        let expected_pre = if empty || single {
            PREAMBLE_INTS_SHORT
        } else {
            PREAMBLE_INTS_FULL
        };
        if pre_ints != expected_pre {
            return Err(bad(format!(
                "preamble ints must be {expected_pre} for this kind of sketch, found {pre_ints}"
            )));
        }
        let mut sk = Self::build(k, Coins::random_seed());
        if empty {
            if bytes.len() != 8 {
                return Err(bad(format!(
                    "an empty sketch is 8 bytes, found {}",
                    bytes.len()
                )));
            }
            return Ok(sk);
        }
        sk.level_zero_sorted = flags & FLAG_LEVEL_ZERO_SORTED != 0;
        let f64_at = |pos: usize| -> Result<f64> {
            bytes
                .get(pos..pos + 8)
                .and_then(|b| b.try_into().ok())
                .map(f64::from_le_bytes)
                .ok_or_else(|| bad(format!("the bytes end early ({} bytes)", bytes.len())))
        };
        if single {
            if bytes.len() != DATA_START_SINGLE_ITEM + 8 {
                return Err(bad(format!(
                    "a single-item sketch is 16 bytes, found {}",
                    bytes.len()
                )));
            }
            let x = f64_at(DATA_START_SINGLE_ITEM)?;
            if x.is_nan() {
                return Err(bad("the item is NaN".into()));
            }
            let cap = sk.items.len();
            sk.items[cap - 1] = x;
            sk.levels[0] = (cap - 1) as u32;
            sk.n = 1;
            sk.min = x;
            sk.max = x;
            return Ok(sk);
        }
        if bytes.len() < DATA_START {
            return Err(bad(format!(
                "{} bytes is too short for the 20-byte preamble of a full sketch",
                bytes.len()
            )));
        }
        let mut n8 = [0u8; 8];
        n8.copy_from_slice(&bytes[8..16]);
        let n = u64::from_le_bytes(n8);
        let min_k = u16::from_le_bytes([bytes[16], bytes[17]]);
        let num_levels = bytes[18] as usize;
        if n == 0 {
            return Err(bad("n = 0 but the empty flag is not set".into()));
        }
        if min_k < MIN_K || min_k > k {
            return Err(bad(format!("min k {min_k} is outside {MIN_K} ..= k = {k}")));
        }
        if num_levels == 0 || num_levels > ub_on_num_levels(n) {
            return Err(bad(format!(
                "{num_levels} levels is impossible for n = {n}"
            )));
        }
        let capacity = total_capacity(k, m, num_levels);
        let mut levels = Vec::with_capacity(num_levels + 1);
        for h in 0..num_levels {
            let p = DATA_START + 4 * h;
            let b = bytes
                .get(p..p + 4)
                .ok_or_else(|| bad("the bytes end inside the levels array".into()))?;
            levels.push(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        }
        levels.push(capacity);
        if levels.windows(2).any(|w| w[0] > w[1]) {
            return Err(bad(format!(
                "level offsets {levels:?} are not increasing within capacity {capacity}"
            )));
        }
        let retained = (capacity - levels[0]) as usize;
        let data = DATA_START + 4 * num_levels;
        let expected = data + 8 * (retained + 2);
        if bytes.len() != expected {
            return Err(bad(format!(
                "the header describes {expected} bytes but {} were given",
                bytes.len()
            )));
        }
        let mut weight: u128 = 0;
        for h in 0..num_levels {
            weight += u128::from(levels[h + 1] - levels[h]) << h;
        }
        if weight != u128::from(n) {
            return Err(bad(format!(
                "the levels hold a total weight of {weight}, not n = {n}"
            )));
        }
        let min = f64_at(data)?;
        let max = f64_at(data + 8)?;
        let mut items = vec![0.0; capacity as usize];
        for (i, slot) in items[levels[0] as usize..].iter_mut().enumerate() {
            *slot = f64_at(data + 16 + 8 * i)?;
        }
        let retained_items = &items[levels[0] as usize..];
        if retained_items.iter().any(|x| x.is_nan()) || min.is_nan() || max.is_nan() {
            return Err(bad("NaN among the items".into()));
        }
        if retained_items.iter().any(|&x| x < min || x > max) {
            return Err(bad("an item lies outside [min, max]".into()));
        }
        for h in 1..num_levels {
            let lvl = &items[levels[h] as usize..levels[h + 1] as usize];
            if lvl.windows(2).any(|w| w[0] > w[1]) {
                return Err(bad(format!("level {h} is not sorted")));
            }
        }
        sk.min_k = min_k;
        sk.n = n;
        sk.levels = levels;
        sk.items = items;
        sk.min = min;
        sk.max = max;
        Ok(sk)
    }
}

/// DataSketches' `general_compress`: compacts the levels of a merged work buffer (levels above 0
/// sorted) until it fits its capacity, possibly adding levels. Returns the number of levels, the
/// capacity, the number of items and the output level boundaries into `work`.
fn general_compress(
    k: u16,
    m: u8,
    num_levels_in: usize,
    work: &mut [f64],
    in_levels: &mut Vec<u32>,
    level_zero_sorted: bool,
    coins: &mut Coins,
) -> (usize, u32, usize, Vec<u32>) {
    let starting = (in_levels[num_levels_in] - in_levels[0]) as usize;
    let mut num_levels = num_levels_in;
    let mut count = starting;
    let mut target = total_capacity(k, m, num_levels) as usize;
    let mut out_levels = vec![0u32; in_levels.len()];
    let mut level = 0usize;
    loop {
        if in_levels.len() < level + 3 {
            in_levels.resize(level + 3, 0);
        }
        if out_levels.len() < level + 3 {
            out_levels.resize(level + 3, 0);
        }
        // At the top, add an empty level above for convenience (counted only if used).
        if level == num_levels - 1 {
            in_levels[level + 2] = in_levels[level + 1];
        }
        let raw_beg = in_levels[level] as usize;
        let raw_lim = in_levels[level + 1] as usize;
        let raw_pop = raw_lim - raw_beg;
        if count < target || raw_pop < level_capacity(k, m, num_levels, level) as usize {
            // Move the level down as is.
            let dst = out_levels[level] as usize;
            work.copy_within(raw_beg..raw_lim, dst);
            out_levels[level + 1] = (dst + raw_pop) as u32;
        } else {
            // The sketch is too full and this level is too full: compact it.
            let pop_above = in_levels[level + 2] as usize - raw_lim;
            let odd = raw_pop % 2 == 1;
            let adj_beg = raw_beg + usize::from(odd);
            let adj_pop = raw_pop - usize::from(odd);
            let half = adj_pop / 2;
            if odd {
                let dst = out_levels[level] as usize;
                work[dst] = work[raw_beg];
                out_levels[level + 1] = out_levels[level] + 1;
            } else {
                out_levels[level + 1] = out_levels[level];
            }
            if level == 0 && !level_zero_sorted {
                sort_floats(&mut work[adj_beg..adj_beg + adj_pop]);
            }
            let offset = coins.bit();
            if pop_above == 0 {
                halve_up(work, adj_beg, adj_pop, offset);
            } else {
                halve_down(work, adj_beg, adj_pop, offset);
                merge_in_place(work, adj_beg, half, raw_lim, pop_above, adj_beg + half);
            }
            count -= half;
            in_levels[level + 1] -= half as u32;
            if level == num_levels - 1 {
                num_levels += 1;
                target += level_capacity(k, m, num_levels, 0) as usize;
            }
        }
        if level == num_levels - 1 {
            break;
        }
        level += 1;
    }
    (num_levels, target as u32, count, out_levels)
}

/// The retained items of a sketch in order, with cumulative weights: answers rank and quantile
/// queries with DataSketches' inclusive/exclusive semantics.
#[derive(Debug, Clone)]
pub struct SortedView {
    items: Vec<f64>,
    cum: Vec<u64>,
    total: u64,
}

impl SortedView {
    pub fn items(&self) -> &[f64] {
        &self.items
    }

    /// Cumulative weights: `cum[i]` is the total weight of `items[..= i]`.
    pub fn cumulative_weights(&self) -> &[u64] {
        &self.cum
    }

    /// Inclusive: the smallest item whose cumulative weight reaches `ceil(rank · n)`.
    /// Exclusive: the smallest item whose cumulative weight exceeds `floor(rank · n)`.
    pub fn quantile(&self, rank: f64, inclusive: bool) -> Result<f64> {
        if !(0.0..=1.0).contains(&rank) {
            return Err(Error::InvalidArgument(format!(
                "a normalized rank must lie in [0, 1], got {}",
                Num(rank)
            )));
        }
        let scaled = rank * self.total as f64;
        let weight = if inclusive { scaled.ceil() } else { scaled } as u64;
        let i = if inclusive {
            self.cum.partition_point(|&c| c < weight)
        } else {
            self.cum.partition_point(|&c| c <= weight)
        };
        Ok(self.items[i.min(self.items.len() - 1)])
    }

    /// Inclusive: weight of items `≤ x`; exclusive: of items `< x`; divided by n. NaN for NaN.
    pub fn rank(&self, x: f64, inclusive: bool) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let i = if inclusive {
            self.items.partition_point(|&v| v <= x)
        } else {
            self.items.partition_point(|&v| v < x)
        };
        if i == 0 {
            0.0
        } else {
            self.cum[i - 1] as f64 / self.total as f64
        }
    }

    fn check_splits(splits: &[f64]) -> Result<()> {
        if splits.iter().any(|x| x.is_nan()) {
            return Err(Error::InvalidArgument(
                "split points must not be NaN".into(),
            ));
        }
        if splits.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::InvalidArgument(
                "split points must be unique and increasing".into(),
            ));
        }
        Ok(())
    }

    pub fn cdf(&self, splits: &[f64], inclusive: bool) -> Result<Vec<f64>> {
        Self::check_splits(splits)?;
        let mut out: Vec<f64> = splits.iter().map(|&s| self.rank(s, inclusive)).collect();
        out.push(1.0);
        Ok(out)
    }

    pub fn pmf(&self, splits: &[f64], inclusive: bool) -> Result<Vec<f64>> {
        let mut out = self.cdf(splits, inclusive)?;
        for i in (1..out.len()).rev() {
            out[i] -= out[i - 1];
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::column::{Validity, Values};

    fn lcg(seed: u64, n: usize) -> Vec<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    }

    fn total_weight(s: &Kll) -> u64 {
        (0..s.num_levels())
            .map(|h| (s.level_size(h) as u64) << h)
            .sum()
    }

    fn check_invariants(s: &Kll) {
        assert_eq!(total_weight(s), s.n());
        assert_eq!(
            *s.levels.last().unwrap() as usize,
            s.items.len(),
            "buffer length"
        );
        assert_eq!(
            s.items.len(),
            total_capacity(s.k, s.m, s.num_levels()) as usize
        );
        for h in 1..s.num_levels() {
            assert!(s.level(h).windows(2).all(|w| w[0] <= w[1]), "level {h}");
        }
    }

    #[test]
    fn two_way_merges_match_the_plain_merge_tie_for_tie() {
        // The plain merge, DataSketches' order: on ties y's item first.
        fn plain(x: &[f64], y: &[f64]) -> Vec<u64> {
            let (mut i, mut j, mut out) = (0, 0, Vec::new());
            while i < x.len() || j < y.len() {
                if i == x.len() || (j != y.len() && x[i] >= y[j]) {
                    out.push(y[j].to_bits());
                    j += 1;
                } else {
                    out.push(x[i].to_bits());
                    i += 1;
                }
            }
            out
        }
        let mut r = 12345u64;
        let mut next = move || {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            r
        };
        for round in 0..2000 {
            let (lx, ly) = ((next() % 90) as usize, (next() % 90) as usize);
            let distinct = 1 + next() % if round % 2 == 0 { 5 } else { 1000 };
            // Signed zeros tie with each other but differ in bits: their order shows.
            let mut draw = |len: usize| -> Vec<f64> {
                let mut v: Vec<f64> = (0..len)
                    .map(|_| match next() % distinct {
                        0 if next() % 2 == 0 => -0.0,
                        k => k as f64 - 2.0,
                    })
                    .collect();
                v.sort_by(|a, b| a.partial_cmp(b).unwrap());
                v
            };
            let (x, y) = (draw(lx), draw(ly));
            let want = plain(&x, &y);
            let mut out = vec![f64::NAN; lx + ly];
            merge_into(&x, &y, &mut out);
            let got: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "merge_into {x:?} {y:?}");
            // In place, as a compaction lays the runs out: x, a gap, then y.
            let gap = (next() % 3) as usize;
            let mut buf = vec![f64::NAN; 2 * lx + gap + ly];
            buf[..lx].copy_from_slice(&x);
            buf[2 * lx + gap..].copy_from_slice(&y);
            merge_in_place(&mut buf, 0, lx, 2 * lx + gap, ly, lx);
            let got: Vec<u64> = buf[lx..2 * lx + ly].iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "merge_in_place {x:?} {y:?}");
        }
    }

    #[test]
    fn capacities_match_datasketches() {
        // k = 200: depth 0..=5 gives 200, 133, 89, 59, 40, 26; m = 8 floors the deep levels.
        let caps: Vec<u32> = (0..6).map(|h| level_capacity(200, 8, 6, 5 - h)).collect();
        assert_eq!(caps, vec![200, 133, 89, 59, 40, 26]);
        assert_eq!(level_capacity(200, 8, 20, 0), 8);
        assert_eq!(total_capacity(200, 8, 1), 200);
        assert_eq!(level_capacity(65535, 8, 62, 0), 8);
        assert_eq!(ub_on_num_levels(0), 1);
        assert_eq!(ub_on_num_levels(1), 1);
        assert_eq!(ub_on_num_levels(1024), 11);
    }

    #[test]
    fn exact_mode_is_exact() {
        let mut s = Kll::with_seed(200, 1).unwrap();
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        s.update_chunk(&Chunk::new(Values::F64(&xs), None));
        assert_eq!(s.n(), 100);
        assert!(!s.is_estimation_mode());
        assert_eq!(s.num_retained(), 100);
        assert_eq!(s.min(), 1.0);
        assert_eq!(s.max(), 100.0);
        assert_eq!(s.quantile(0.5, true).unwrap(), 50.0);
        assert_eq!(s.quantile(0.5, false).unwrap(), 51.0);
        assert_eq!(s.quantile(0.0, true).unwrap(), 1.0);
        assert_eq!(s.quantile(1.0, true).unwrap(), 100.0);
        assert_eq!(s.quantile(1.0, false).unwrap(), 100.0);
        assert_eq!(s.rank(50.0, true).unwrap(), 0.5);
        assert_eq!(s.rank(50.0, false).unwrap(), 0.49);
        assert_eq!(s.rank(0.0, true).unwrap(), 0.0);
        assert_eq!(s.cdf(&[10.0, 20.0], true).unwrap(), vec![0.1, 0.2, 1.0]);
        let pmf = s.pmf(&[10.0, 20.0], false).unwrap();
        assert!((pmf[0] - 0.09).abs() < 1e-12 && (pmf[1] - 0.1).abs() < 1e-12);
        assert!(s.cdf(&[2.0, 1.0], true).is_err());
        assert!(s.cdf(&[f64::NAN], true).is_err());
        assert!(s.quantile(1.5, true).is_err());
        assert!(s.rank(f64::NAN, true).unwrap().is_nan());
    }

    #[test]
    fn empty_sketch_answers_with_errors() {
        let s = Kll::new();
        assert!(s.is_empty());
        assert!(s.min().is_nan());
        assert!(s.quantile(0.5, true).is_err());
        assert!(s.rank(0.5, true).is_err());
        assert!(Kll::with_k(7).is_err());
    }

    #[test]
    fn bulk_update_under_a_block_equals_one_at_a_time() {
        let xs = lcg(3, BLOCK - 1);
        let mut a = Kll::with_seed(200, 9).unwrap();
        let mut b = Kll::with_seed(200, 9).unwrap();
        a.update_chunk(&Chunk::new(Values::F64(&xs), None));
        for &x in &xs {
            b.update(x);
        }
        assert_eq!(a, b);
        assert_eq!(a.to_bytes(), b.to_bytes());
        check_invariants(&a);
        assert!(a.is_estimation_mode());
        // Validation mode and a k too large for blocks go one at a time at any size.
        let xs = lcg(4, 3 * BLOCK);
        for (k, alternate) in [(200, true), (u16::MAX, false)] {
            let mut a = Kll::with_seed(k, 1).unwrap();
            let mut b = Kll::with_seed(k, 1).unwrap();
            if alternate {
                a.use_alternating_coins();
                b.use_alternating_coins();
            }
            a.update_chunk(&Chunk::new(Values::F64(&xs), None));
            for &x in &xs {
                b.update(x);
            }
            assert_eq!(a, b, "k {k}");
        }
    }

    #[test]
    fn block_heights_keep_an_eighth_of_the_error_budget() {
        let s = Kll::with_seed(200, 0).unwrap();
        assert_eq!(s.block_height(BLOCK), 6);
        assert_eq!(s.block_height(1_000), 0);
        for k in [8u16, 64, 200, 1000, 4000, u16::MAX] {
            let s = Kll::with_seed(k, 0).unwrap();
            let eps = s.normalized_rank_error(false);
            for m in [1usize, 100, 2_000, BLOCK / 2, BLOCK] {
                let h = s.block_height(m);
                assert!(
                    h == 0 || (1u64 << h) as f64 <= eps * m as f64 / 8.0,
                    "k {k} m {m}"
                );
                assert!((2u64 << h) as f64 > eps * m as f64 / 8.0 || h == BLOCK_HEIGHT_MAX);
            }
        }
    }

    /// Largest distance between the rank `q` asked for and the exact rank of the sketch's
    /// answer, over 99 ranks, for `xs` a permutation of `0 .. n`.
    fn max_error_on_permutation(s: &Kll, n: usize) -> f64 {
        (1..100)
            .map(|i| {
                let q = f64::from(i) / 100.0;
                let x = s.quantile(q, true).unwrap();
                ((x + 1.0) / n as f64 - q).abs()
            })
            .fold(0.0, f64::max)
    }

    fn permutation(n: usize, seed: u64) -> Vec<f64> {
        let mut xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let mut r = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for i in (1..n).rev() {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            xs.swap(i, (r % (i as u64 + 1)) as usize);
        }
        xs
    }

    #[test]
    fn block_path_keeps_weights_extremes_and_order() {
        for (k, n) in [
            (200u16, BLOCK),
            (200, BLOCK + 1),
            (64, 3 * BLOCK + 777),
            (8, 2 * BLOCK),
            (1000, 5 * BLOCK + 3),
            (200, 1_000_003),
        ] {
            let xs = permutation(n, n as u64);
            let mut s = Kll::with_seed(k, 7).unwrap();
            s.update_chunk(&Chunk::new(Values::F64(&xs), None));
            check_invariants(&s);
            assert_eq!((s.n(), s.min(), s.max()), (n as u64, 0.0, (n - 1) as f64));
            assert!(s.is_estimation_mode());
            let eps = s.normalized_rank_error(false);
            let err = max_error_on_permutation(&s, n);
            assert!(err <= eps, "k {k} n {n}: {err} > {eps}");
            // Updating in one call or in blocks' worth of calls gives sketches of one kind.
            let back = Kll::from_bytes(&s.to_bytes()).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn block_path_is_no_less_accurate_than_one_at_a_time() {
        let n = 1 << 20;
        let (mut block, mut single) = (0.0, 0.0);
        for seed in 0..8u64 {
            let xs = permutation(n, 100 + seed);
            let mut a = Kll::with_seed(200, seed).unwrap();
            a.update_chunk(&Chunk::new(Values::F64(&xs), None));
            let mut b = Kll::with_seed(200, seed).unwrap();
            for part in xs.chunks(BLOCK - 1) {
                b.update_chunk(&Chunk::new(Values::F64(part), None));
            }
            block += max_error_on_permutation(&a, n);
            single += max_error_on_permutation(&b, n);
        }
        // Both are random; the block path's own compactions add less than an eighth of ε.
        assert!(
            block <= 1.25 * single,
            "block {block} vs one at a time {single}"
        );
    }

    #[test]
    fn block_path_skips_and_counts_like_one_at_a_time() {
        // Ties, signed zeros, infinities, NaN and nulls across several chunks.
        let n = 3 * BLOCK + 5;
        let xs: Vec<f64> = (0..n)
            .map(|i| match i % 10 {
                0 => f64::NAN,
                1 => -0.0,
                2 => 0.0,
                3 if i % 1000 == 3 => f64::INFINITY,
                4 if i % 1000 == 4 => f64::NEG_INFINITY,
                _ => (i % 7) as f64,
            })
            .collect();
        let bits: Vec<u8> = (0..n.div_ceil(8))
            .map(|i| if i % 3 == 0 { 0x7f } else { 0xff })
            .collect();
        let v = Validity::new(&bits, 0, n).unwrap();
        let whole = Chunk::new(Values::F64(&xs), Some(v));
        let mut s = Kll::with_seed(200, 3).unwrap();
        s.update_chunks(&[whole.slice(0, n / 2), whole.slice(n / 2, n - n / 2)]);
        let mut t = Kll::with_seed(200, 3).unwrap();
        for (i, &x) in xs.iter().enumerate() {
            if v.is_valid(i) {
                t.update(x);
            }
        }
        check_invariants(&s);
        assert_eq!(
            (s.n(), s.nan_count(), s.null_count()),
            (t.n(), t.nan_count(), (n as u64) - t.n() - t.nan_count())
        );
        assert_eq!((s.min(), s.max()), (f64::NEG_INFINITY, f64::INFINITY));
        // Heavy ties: the sketch's quantiles are the tied values themselves.
        for q in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let (a, b) = (s.quantile(q, true).unwrap(), t.quantile(q, true).unwrap());
            assert!((a - b).abs() <= 1.0, "q {q}: {a} vs {b}");
        }
        let zeros = s.rank(0.0, true).unwrap() - s.rank(0.0, false).unwrap();
        let exact = (0..n).filter(|&i| v.is_valid(i) && xs[i] == 0.0).count() as f64;
        let eps = s.normalized_rank_error(true);
        assert!((zeros - exact / s.n() as f64).abs() <= eps, "{zeros}");
    }

    #[test]
    fn block_path_is_reproducible_by_seed() {
        let xs = lcg(5, 4 * BLOCK + 11);
        let run = |seed| {
            let mut s = Kll::with_seed(200, seed).unwrap();
            s.update_chunk(&Chunk::new(Values::F64(&xs), None));
            s.to_bytes()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
    }

    #[test]
    fn nulls_and_nan_are_skipped_and_counted() {
        let xs = [1.0, f64::NAN, 3.0, 4.0, f64::NAN, -2.0];
        let bits = [0b1111_0111u8];
        let v = Validity::new(&bits, 0, xs.len()).unwrap();
        let mut s = Kll::with_seed(200, 1).unwrap();
        s.update_chunk(&Chunk::new(Values::F64(&xs), Some(v)));
        assert_eq!(s.null_count(), 1); // index 3
        assert_eq!(s.nan_count(), 2);
        assert_eq!(s.n(), 3);
        assert_eq!((s.min(), s.max()), (-2.0, 3.0));
        let ints = [5i32, 6, 7];
        s.update_chunk(&Chunk::new(Values::I32(&ints), None));
        s.update_chunk(&Chunk::new(Values::Null(4), None));
        assert_eq!((s.n(), s.null_count(), s.max()), (6, 5, 7.0));
    }

    #[test]
    fn invariants_hold_through_updates_and_merges() {
        for (seed, n) in [(1u64, 1_000usize), (2, 7_777), (3, 100_000)] {
            let xs = lcg(seed, n);
            let mut s = Kll::with_seed(64, seed).unwrap();
            s.update_chunk(&Chunk::new(Values::F64(&xs), None));
            check_invariants(&s);
            let mut t = Kll::with_seed(200, seed + 10).unwrap();
            t.update_chunk(&Chunk::new(Values::F64(&xs[..n / 3]), None));
            t.merge(&s).unwrap();
            check_invariants(&t);
            assert_eq!(t.min_k(), 64);
            assert_eq!(t.n() as usize, n + n / 3);
        }
    }

    #[test]
    fn bytes_round_trip() {
        for n in [0usize, 1, 2, 150, 201, 5_000, 123_457] {
            let xs = lcg(n as u64, n);
            let mut s = Kll::with_seed(200, 5).unwrap();
            s.update_chunk(&Chunk::new(Values::F64(&xs), None));
            let b = s.to_bytes();
            assert_eq!(b.len(), s.serialized_size());
            let r = Kll::from_bytes(&b).unwrap();
            assert_eq!(r, s, "n = {n}");
            assert_eq!(r.to_bytes(), b);
        }
    }

    /// The full (5-int preamble) form of a sketch whose levels are `levels` over a `k`-sketch
    /// with `num_levels` levels, holding `items`.
    fn full_form(k: u16, n: u64, levels: &[u32], min: f64, max: f64, items: &[f64]) -> Vec<u8> {
        let mut b = vec![5u8, 1, 15, 0];
        b.extend_from_slice(&k.to_le_bytes());
        b.extend_from_slice(&[8, 0]);
        b.extend_from_slice(&n.to_le_bytes());
        b.extend_from_slice(&k.to_le_bytes());
        b.extend_from_slice(&[levels.len() as u8, 0]);
        for l in levels {
            b.extend_from_slice(&l.to_le_bytes());
        }
        for x in [min, max].iter().chain(items) {
            b.extend_from_slice(&x.to_le_bytes());
        }
        b
    }

    #[test]
    fn reads_a_single_item_in_the_full_form() {
        // Older writers used the full form for n = 1; it reads, and writes back as single-item.
        let b = full_form(200, 1, &[199], 2.5, 2.5, &[2.5]);
        let s = Kll::from_bytes(&b).unwrap();
        assert_eq!(
            (s.n(), s.min(), s.quantile(0.3, true).unwrap()),
            (1, 2.5, 2.5)
        );
        let single = s.to_bytes();
        assert_eq!(single.len(), 16);
        assert_eq!(
            Kll::from_bytes(&single)
                .unwrap()
                .quantile(1.0, true)
                .unwrap(),
            2.5
        );
    }

    #[test]
    fn merge_refuses_to_overflow_the_count() {
        // 64 levels of capacity 8 (k = 8); one item on the top level weighs 2^63.
        let mut levels = vec![511u32; 64];
        levels[0] = 511;
        let b = full_form(8, 1 << 63, &levels, 1.0, 1.0, &[1.0]);
        let mut s = Kll::from_bytes(&b).unwrap();
        assert_eq!(s.n(), 1 << 63);
        assert_eq!(s.quantile(0.5, true).unwrap(), 1.0);
        let t = s.clone();
        assert!(matches!(s.merge(&t), Err(Error::Incompatible(_))));
        assert_eq!(s, t);
        let mut small = Kll::with_seed(8, 1).unwrap();
        small.update(0.5);
        small.merge(&Kll::new()).unwrap();
        assert!(small.clone().merge(&s).is_ok());
    }

    #[test]
    fn corrupted_bytes_never_panic() {
        let xs = lcg(11, 3_000);
        let mut s = Kll::with_seed(200, 5).unwrap();
        s.update_chunk(&Chunk::new(Values::F64(&xs), None));
        let b = s.to_bytes();
        for len in 0..b.len() {
            assert!(Kll::from_bytes(&b[..len]).is_err(), "truncated to {len}");
        }
        let mut extended = b.clone();
        extended.push(0);
        assert!(Kll::from_bytes(&extended).is_err());
        // Flip bytes of the preamble and levels: an error or a still-consistent sketch.
        for i in 0..DATA_START + 4 * s.num_levels() + 16 {
            for flip in [1u8, 0x10, 0x80, 0xff] {
                let mut bad = b.clone();
                bad[i] ^= flip;
                if let Ok(r) = Kll::from_bytes(&bad) {
                    check_invariants(&r);
                    let _ = r.quantiles(&[0.1, 0.5, 0.9], true);
                }
            }
        }
    }
}
