//! Collecting a column's values into a sorted `Vec<f64>`, fast.
//!
//! Every exact two-sample test starts by sorting both samples. Values are read from
//! [`Chunk`]s, nulls and NaN are skipped and counted, `-0.0` becomes `+0.0` (scipy compares
//! them equal, so they must tie), and the rest is sorted as IEEE-754 total-order keys
//! (Herf, "Radix Tricks", 2001: flipping the sign bit of non-negative values and all bits of
//! negative ones turns `f64` order into `u64` order). Up to 2^18 values pattern-defeating
//! quicksort on the keys does it; larger samples go through a two-level distribution sort
//! (MSD bucketing in the spirit of Flashsort, Neubert 1998, and American flag sort,
//! McIlroy–Bostic–McIlroy 1993):
//!
//! 1. Input already in ascending or descending order is noticed (anything else gives itself
//!    away within a few values) and only copied.
//! 2. A sample of ~1000 values fixes a monotone map from a value to one of 2^16 *fine*
//!    buckets: linear in the bit pattern of `|x|` above the smallest sampled magnitude,
//!    signed, so that the thousand-odd binades of tiny magnitudes around zero take no buckets.
//! 3. One pass counts the fine buckets (and the nulls, NaN and infinities); runs of adjacent
//!    fine buckets are merged into *coarse* buckets of about 16k values, so that each fits
//!    in L2 cache.
//! 4. A second pass scatters every key straight into its coarse bucket's slice of the
//!    output, the only full-size buffer. Both passes are split across the rayon pool, each
//!    part of the input owning a slice of every bucket.
//! 5. The coarse buckets are sorted in cache, in parallel: a bucket is spread over about
//!    `2m` sub-buckets by linear interpolation of its keys between their minimum and
//!    maximum, sub-buckets of more than a handful of keys recurse, and an insertion pass
//!    that only ever moves keys within a sub-bucket finishes the run, which turns back into
//!    floats while it is still in cache.
//!
//! Every bucket map is monotone, so correctness never depends on the sample being
//! representative: a poor map only makes buckets unequal, and big or skewed buckets recurse
//! (key spans shrink at least 64-fold per level; after 16 levels a run would fall back to
//! pattern-defeating quicksort). Equal values share a bucket and stop the recursion at once.
//!
//! On the project's 2-core machine 10M normal values sort in ~130 ms (both cores) against
//! ~310-410 ms for pdqsort on the keys, which was used before; `benches/sort_speed.rs`.

use crate::error::Changed;
use crate::io::column::{Chunk, Numeric, Validity, Values};
use crate::with_values;
use rayon::prelude::*;
use std::ops::ControlFlow;

/// The valid values of a column, sorted ascending, with the counts of what was left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SortedSample {
    values: Vec<f64>,
    /// Nulls skipped.
    pub null_count: u64,
    /// NaN skipped.
    pub nan_count: u64,
    /// `+inf` kept (they sort last).
    pub pos_inf_count: u64,
    /// `-inf` kept (they sort first).
    pub neg_inf_count: u64,
}

impl SortedSample {
    /// Sorts the valid values of `chunks` (one column, possibly in several pieces).
    pub fn from_chunks(chunks: &[Chunk<'_>]) -> Self {
        let mut sample = SortedSample::default();
        sample.values = sort_valid(chunks, &mut sample);
        sample
    }

    /// Takes ownership of `values`, dropping and counting NaN, and sorts them.
    pub fn from_vec(values: Vec<f64>) -> Self {
        Self::from_chunks(&[Chunk::new(Values::F64(&values), None)])
    }

    /// Wraps values the caller guarantees are sorted ascending, free of NaN and of `-0.0`
    /// (e.g. a reference read back from bytes); infinities are counted.
    pub fn from_sorted_unchecked(values: Vec<f64>) -> Self {
        let neg_inf_count = values
            .iter()
            .take_while(|x| **x == f64::NEG_INFINITY)
            .count() as u64;
        let pos_inf_count = values
            .iter()
            .rev()
            .take_while(|x| **x == f64::INFINITY)
            .count() as u64;
        SortedSample {
            values,
            pos_inf_count,
            neg_inf_count,
            ..SortedSample::default()
        }
    }

    /// The sorted values (NaN-free, `-0.0` normalised to `+0.0`).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Gives up the sorted values.
    pub fn into_values(self) -> Vec<f64> {
        self.values
    }

    /// Number of values kept (finite and infinite).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Number of `±inf` values kept.
    pub fn inf_count(&self) -> u64 {
        self.pos_inf_count + self.neg_inf_count
    }

    /// Adds the skipped and infinite counts of `other` to these.
    pub(crate) fn add_counts(&mut self, other: &SortedSample) {
        self.null_count += other.null_count;
        self.nan_count += other.nan_count;
        self.pos_inf_count += other.pos_inf_count;
        self.neg_inf_count += other.neg_inf_count;
    }
}

/// Sorts the valid values of two columns at once, one per core.
pub fn sort_pair(a: &[Chunk<'_>], b: &[Chunk<'_>]) -> (SortedSample, SortedSample) {
    rayon::join(
        || SortedSample::from_chunks(a),
        || SortedSample::from_chunks(b),
    )
}

/// Sorts a slice of floats ascending in place, `-0.0` normalised to `+0.0`. NaN, if any,
/// end up at the ends by their sign bit.
pub fn sort_f64(values: &mut [f64]) {
    if values.iter().any(|x| x.is_nan()) {
        let mut keys: Vec<u64> = values.iter().map(|&x| key(x)).collect();
        keys.sort_unstable();
        for (v, k) in values.iter_mut().zip(keys) {
            *v = from_key(k);
        }
        return;
    }
    let mut tally = SortedSample::default();
    let sorted = sort_valid(&[Chunk::new(Values::F64(values), None)], &mut tally);
    for (v, s) in values.iter_mut().zip(sorted) {
        *v = s;
    }
}

/// Sorts two slices in parallel with [`sort_f64`].
pub fn sort_f64_pair(a: &mut [f64], b: &mut [f64]) {
    rayon::join(|| sort_f64(a), || sort_f64(b));
}

/// The order-preserving key of `x`: `-0.0` maps to the key of `+0.0`.
#[inline(always)]
pub(crate) fn key(x: f64) -> u64 {
    // -0.0 + 0.0 == +0.0 under round-to-nearest, so both zeros share one key.
    total_order_key(x + 0.0)
}

/// The order-preserving key of `x` with `-0.0` kept below `+0.0` (IEEE-754 total order):
/// [`from_key`] gives back exactly `x`.
#[inline(always)]
fn total_order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    bits ^ (((bits as i64 >> 63) as u64) | (1u64 << 63))
}

#[inline(always)]
pub(crate) fn from_key(k: u64) -> f64 {
    let mask = ((!k as i64 >> 63) as u64) | (1u64 << 63);
    f64::from_bits(k ^ mask)
}

/// Inputs up to this size are sorted by pattern-defeating quicksort on the keys.
const DIRECT_MAX: usize = 1 << 18;
/// Values read to choose the fine bucket map.
const SAMPLE: usize = 1024;
const FINE_BITS: u32 = 16;
pub(crate) const FINE: usize = 1 << FINE_BITS;
/// Target size of a coarse bucket: its keys, their scratch copy and the sub-bucket counters
/// stay in L2 cache.
const COARSE: usize = 1 << 14;
/// Values sorted on one thread before the rest of the buckets is offered to another.
const PAR_MIN: usize = 1 << 18;

/// Sorts the present, non-NaN values of `chunks`, `-0.0` normalised to `+0.0`, counting what
/// is skipped and the infinities into `tally`.
fn sort_valid(chunks: &[Chunk<'_>], tally: &mut SortedSample) -> Vec<f64> {
    sort_valid_in(chunks, chunks, tally)
}

/// [`sort_valid`] whose passes after the first read `later`, the same column as `chunks`
/// (only tests pass other values, standing for a column changed between the passes).
///
/// The bucket sort reads its input twice (to count, then to scatter), and a column that
/// another thread writes to meanwhile can change in between. The scatter pass checks that
/// every bucket got exactly the values counted for it; if one did not, the column is read
/// once more into a copy of our own, which is then sorted. So the result is always the
/// sorted values of one reading of the column.
fn sort_valid_in(chunks: &[Chunk<'_>], later: &[Chunk<'_>], tally: &mut SortedSample) -> Vec<f64> {
    let total: usize = chunks.iter().map(|c| c.len()).sum();
    if total <= DIRECT_MAX || total > u32::MAX as usize {
        // Small inputs gain nothing from the bucket passes; giant ones (2^32 values and up)
        // would overflow the 32-bit bucket counts.
        return sort_keys(chunks, tally, total);
    }
    match sort_bucketed_in(chunks, later, tally, total, part_count(total)) {
        Ok(sorted) => sorted,
        Err(Changed) => sort_copy(later, tally, total),
    }
}

/// Pattern-defeating quicksort on the keys of the valid values, read in one pass.
fn sort_keys(chunks: &[Chunk<'_>], tally: &mut SortedSample, total: usize) -> Vec<f64> {
    let mut keys = Vec::with_capacity(total);
    for_each_valid::<true>(chunks, tally, |x| keys.push(key(x)));
    keys.sort_unstable();
    keys_to_values(keys)
}

/// Sorts a copy of the valid values of `chunks`, each read once: the fallback of
/// [`sort_valid_in`] for a column that changed between the bucket sort's passes. Nothing
/// else can write to the copy, so sorting it cannot meet a change again.
#[cold]
fn sort_copy(chunks: &[Chunk<'_>], tally: &mut SortedSample, total: usize) -> Vec<f64> {
    let mut copy = Vec::with_capacity(total);
    for_each_valid::<true>(chunks, tally, |x| copy.push(x));
    let n = copy.len();
    let owned = [Chunk::new(Values::F64(&copy), None)];
    let mut again = SortedSample::default();
    if n > DIRECT_MAX && n <= u32::MAX as usize {
        if let Ok(sorted) = sort_bucketed_in(&owned, &owned, &mut again, n, part_count(n)) {
            return sorted;
        }
    }
    sort_keys(&owned, &mut again, n)
}

/// The bucket sort behind [`sort_valid_in`] (`total` slots in all, at most 2^32), with the
/// counting and scattering passes split into `parts` parts of the input, one thread each (on
/// a busy pool the parts simply run one after another). The scattering pass reads `later`.
/// `Err(Changed)`, with `tally` untouched, when the two passes saw different values.
fn sort_bucketed_in(
    chunks: &[Chunk<'_>],
    later: &[Chunk<'_>],
    tally: &mut SortedSample,
    total: usize,
    parts: usize,
) -> Result<Vec<f64>, Changed> {
    if let Some(sorted) = presorted(chunks, later, tally) {
        return sorted;
    }
    let spread = Spread::from_sample(&sample(chunks, total));
    let parts = split_parts(chunks, total, parts);
    let census: Vec<Census> = parts.par_iter().map(|p| Census::take(p, &spread)).collect();
    let mut fine = vec![0u32; FINE];
    let mut counted = SortedSample::default();
    for c in &census {
        counted.add_counts(&c.tally);
        for (f, &n) in fine.iter_mut().zip(&c.fine) {
            *f += n;
        }
    }
    let valid: usize = fine.iter().map(|&c| c as usize).sum();
    let mut keys = zeroed_keys(valid);

    // Merge runs of fine buckets into coarse buckets of about COARSE values; a fine bucket
    // bigger than that stands alone. `bounds[c]..bounds[c + 1]` is coarse bucket `c`.
    let mut coarse_of = vec![0u16; FINE];
    let mut bounds: Vec<usize> = vec![0];
    let (mut fill, mut end) = (0usize, 0usize);
    for (c, &count) in coarse_of.iter_mut().zip(&fine) {
        let count = count as usize;
        if fill > 0 && fill + count > COARSE {
            bounds.push(end);
            fill = 0;
        }
        fill += count;
        end += count;
        // At most one coarse bucket per fine bucket: the index fits 16 bits.
        *c = (bounds.len() - 1) as u16;
    }
    bounds.push(end);
    let coarse = bounds.len() - 1;

    // Each part writes its values of coarse bucket c into its own slice of that bucket.
    let mut part_counts = vec![vec![0usize; coarse]; census.len()];
    for (counts, c) in part_counts.iter_mut().zip(&census) {
        for (&n, &b) in c.fine.iter().zip(&coarse_of) {
            counts[b as usize] += n as usize;
        }
    }
    let mut dests: Vec<Vec<&mut [u64]>> =
        census.iter().map(|_| Vec::with_capacity(coarse)).collect();
    let mut rest: &mut [u64] = &mut keys;
    for b in 0..coarse {
        for (dest, counts) in dests.iter_mut().zip(&part_counts) {
            let take = counts[b].min(rest.len());
            let (head, tail) = std::mem::take(&mut rest).split_at_mut(take);
            dest.push(head);
            rest = tail;
        }
    }
    let filled = split_parts(later, total, parts.len())
        .par_iter()
        .zip(dests.par_iter_mut())
        .all(|(part, dest)| scatter(part, &spread, &coarse_of, dest));
    if !filled {
        return Err(Changed);
    }
    sort_buckets(&mut keys, &bounds, 0);
    // The buckets hold float bits by now; this reinterpretation compiles to nothing.
    let sorted: Vec<f64> = keys.into_iter().map(f64::from_bits).collect();
    // Every bucket holds exactly what the scattering pass put there, so the infinities are
    // counted in what it read (the counting pass may have seen a value before it turned
    // infinite): they sit at the ends.
    counted.neg_inf_count = (sorted.iter())
        .take_while(|x| **x == f64::NEG_INFINITY)
        .count() as u64;
    counted.pos_inf_count = (sorted.iter().rev())
        .take_while(|x| **x == f64::INFINITY)
        .count() as u64;
    tally.add_counts(&counted);
    Ok(sorted)
}

/// Slots per part of the input below which splitting the passes is not worth a thread.
const PART_MIN: usize = 1 << 20;

pub(crate) fn part_count(total: usize) -> usize {
    rayon::current_num_threads().min(total / PART_MIN).max(1)
}

/// `chunks` cut into `n` runs of about equal numbers of slots.
pub(crate) fn split_parts<'a>(chunks: &[Chunk<'a>], total: usize, n: usize) -> Vec<Vec<Chunk<'a>>> {
    let mut parts = Vec::with_capacity(n);
    let mut it = chunks.iter();
    let mut current: Option<Chunk<'a>> = it.next().copied();
    for p in 0..n {
        let mut want = (p + 1) * total / n - p * total / n;
        let mut part = Vec::new();
        while let Some(chunk) = current {
            if chunk.len() <= want {
                want -= chunk.len();
                part.push(chunk);
                current = it.next().copied();
            } else {
                if want > 0 {
                    part.push(chunk.slice(0, want));
                }
                current = Some(chunk.slice(want, chunk.len() - want));
                break;
            }
            if want == 0 && p + 1 < n {
                break;
            }
        }
        parts.push(part);
    }
    parts
}

/// What the counting pass learns about one part of the input.
struct Census {
    /// Values per fine bucket.
    fine: Vec<u32>,
    /// Nulls, NaN and infinities seen.
    tally: SortedSample,
}

impl Census {
    fn take(chunks: &[Chunk<'_>], spread: &Spread) -> Self {
        let mut fine = vec![0u32; FINE];
        let mut tally = SortedSample::default();
        for_each_valid::<true>(chunks, &mut tally, |x| fine[spread.index(x)] += 1);
        Census { fine, tally }
    }
}

/// The sorted values, with `tally` filled in, if they already come in ascending or descending
/// order (a time column, a reference read back in order). Finding out costs a pass only over
/// sorted input: anything else breaks off within a few values. The values are then copied
/// from `later` (the same column), checking that they are still in order and as many:
/// `Err(Changed)`, with `tally` untouched, if not.
fn presorted(
    chunks: &[Chunk<'_>],
    later: &[Chunk<'_>],
    tally: &mut SortedSample,
) -> Option<Result<Vec<f64>, Changed>> {
    let mut unused = SortedSample::default();
    // The number of valid values if they are monotone in the given direction.
    let mut monotone = |ascending: bool| {
        let mut last = if ascending {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        let mut count = 0usize;
        try_each_valid::<false>(chunks, &mut unused, |x| {
            if (ascending && last <= x) || (!ascending && last >= x) {
                last = x;
                count += 1;
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        })
        .is_continue()
        .then_some(count)
    };
    let (count, ascending) = match monotone(true) {
        Some(count) => (count, true),
        None => (monotone(false)?, false),
    };
    let mut keys = zeroed_keys(count);
    let mut counted = SortedSample::default();
    let in_order = if ascending {
        copy_in_order::<true>(later, &mut counted, &mut keys)
    } else {
        copy_in_order::<false>(later, &mut counted, &mut keys)
    };
    if !in_order {
        return Some(Err(Changed));
    }
    if !ascending {
        keys.reverse();
    }
    tally.add_counts(&counted);
    Some(Ok(keys_to_values(keys)))
}

/// Writes the keys of the valid values of `chunks` to `keys`, counting into `tally`; returns
/// whether they were exactly as many and in order (ascending with `ASC`, else descending).
fn copy_in_order<const ASC: bool>(
    chunks: &[Chunk<'_>],
    tally: &mut SortedSample,
    keys: &mut [u64],
) -> bool {
    let mut i = 0;
    let mut last = if ASC { 0 } else { u64::MAX };
    let mut disorder = false;
    for_each_valid::<true>(chunks, tally, |x| {
        let k = key(x);
        disorder |= if ASC { k < last } else { k > last };
        last = k;
        if let Some(slot) = keys.get_mut(i) {
            *slot = k;
        }
        i += 1;
    });
    !disorder && i == keys.len()
}

/// Writes the key of every valid value of `chunks` into the next free place of its coarse
/// bucket's slice in `dest`; returns whether every slice got exactly as many values as it
/// has places, i.e. whether this pass saw, bucket by bucket, as many values as the counting
/// pass did (a column another thread writes to may change in between). The check costs one
/// comparison per bucket.
fn scatter(
    chunks: &[Chunk<'_>],
    spread: &Spread,
    coarse_of: &[u16],
    dest: &mut [&mut [u64]],
) -> bool {
    let mut next = vec![0usize; dest.len()];
    let mut unused = SortedSample::default();
    for_each_valid::<false>(chunks, &mut unused, |x| {
        let b = usize::from(coarse_of[spread.index(x)]);
        // Bucket and key of one reading of `x`; the checked accesses keep a changed column
        // inside the slices.
        if let (Some(n), Some(d)) = (next.get_mut(b), dest.get_mut(b)) {
            if let Some(slot) = d.get_mut(*n) {
                *slot = key(x);
            }
            *n += 1;
        }
    });
    next.iter().zip(dest.iter()).all(|(&n, d)| n == d.len())
}

/// Converts sorted keys to floats, reusing the allocation (the standard library collects in
/// place: same size and alignment).
fn keys_to_values(keys: Vec<u64>) -> Vec<f64> {
    keys.into_iter().map(from_key).collect()
}

/// Sorts each bucket of `keys` and turns it into float bits while it is in cache; bucket `i`
/// spans `bounds[i] - base .. bounds[i + 1] - base`. Halves of the buckets go to two threads
/// while there is enough work to share.
fn sort_buckets(keys: &mut [u64], bounds: &[usize], base: usize) {
    if keys.len() >= PAR_MIN && bounds.len() > 2 {
        let half = base + keys.len() / 2;
        let k = bounds
            .partition_point(|&b| b < half)
            .clamp(1, bounds.len() - 2);
        let (left, right) = keys.split_at_mut(bounds[k] - base);
        rayon::join(
            || sort_buckets(left, &bounds[..=k], base),
            || sort_buckets(right, &bounds[k..], bounds[k]),
        );
        return;
    }
    let longest = bounds.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
    let mut tmp = vec![0u64; longest];
    let mut counts = Vec::new();
    for w in bounds.windows(2) {
        let run = &mut keys[w[0] - base..w[1] - base];
        let len = run.len();
        sort_run(run, &mut tmp[..len], &mut counts, 0);
        for k in run {
            *k = from_key(*k).to_bits();
        }
    }
}

/// Run lengths sorted by insertion alone.
const INSERTION_MAX: usize = 24;
/// Sub-buckets longer than this are sorted by recursion before the insertion pass.
const SUB_MAX: usize = 16;
/// Most sub-buckets one run is split into.
const SPLIT_MAX: usize = 1 << 16;
/// Recursion depth after which a run falls back to pattern-defeating quicksort.
const DEPTH_MAX: u32 = 16;

/// Scratch of [`select_in_block`], kept from one block to the next.
#[derive(Debug)]
pub(crate) struct BlockScratch {
    ids: Vec<u16>,
    /// Counts, then ranks, then gather slots, by bucket; full size, so that a 16-bit bucket
    /// index needs no bounds check.
    buckets: Box<[u32; FINE]>,
    /// Buckets holding a wanted position, one bit each.
    marked: Box<[u64; FINE / 64]>,
    groups: Vec<Group>,
    gathered: Vec<u64>,
    /// The run sort's scratch, for big gathered buckets.
    tmp: Vec<u64>,
    counts: Vec<u32>,
}

impl Default for BlockScratch {
    fn default() -> Self {
        BlockScratch {
            ids: Vec::new(),
            buckets: Box::new([0; FINE]),
            marked: Box::new([0; FINE / 64]),
            groups: Vec::new(),
            gathered: Vec::new(),
            tmp: Vec::new(),
            counts: Vec::new(),
        }
    }
}

/// A bucket of [`select_in_block`] that holds a wanted position.
#[derive(Debug, Clone, Copy)]
struct Group {
    bucket: usize,
    /// Rank of the bucket's smallest value in the block.
    rank: usize,
    /// Where the bucket's values start in the gathered keys, and how many there are.
    slot: usize,
    len: usize,
}

/// Sample size of [`select_in_block`]'s bucket map.
const BLOCK_SAMPLE: usize = 256;

/// Pushes onto `out` the values at `positions` (non-decreasing, each below `values.len()`) of
/// `values` sorted in total order (`-0.0` before `+0.0`): order statistics of a
/// block that fits in cache (tens of thousands of values), without sorting it.
///
/// The census trick of the two-sample tests on a small scale: a bucket map fitted to a strided
/// sample of the block ([`Spread`], coarsened to about two values a bucket) counts the block's
/// buckets; their prefix sums give the rank of every bucket's first value, so the bucket of
/// each wanted position is known; a second pass gathers only those buckets' values (a few
/// for each position), and sorting each bucket's few values finds the position exactly.
/// Buckets are monotone in the value, so a poor sample only makes the gathered buckets
/// bigger, never the answer wrong. Returns false, pushing nothing, when `values` hold NaN
/// (found by the bucket pass itself, so callers need no pass of their own).
///
/// `values` may be a caller's buffer that another thread writes to meanwhile, and the two
/// passes read it twice. The gathering pass puts each value where the first pass's bucket
/// says; once sorted, a gathered bucket whose ends lie in it holds only its own values, as
/// many as counted, so the order statistics are exact for a set of values the column held.
/// A bucket that got a value from elsewhere (or NaN) means the column changed: false then
/// too, pushing nothing, and the caller reads the block once into a copy of its own.
pub(crate) fn select_in_block(
    values: &[f64],
    positions: &[usize],
    out: &mut Vec<f64>,
    scratch: &mut BlockScratch,
) -> bool {
    select_in_block_in(values, values, positions, out, scratch)
}

/// [`select_in_block`] whose gathering pass reads `later`, the same block (only tests pass
/// other values, standing for a block changed between the passes).
fn select_in_block_in(
    values: &[f64],
    later: &[f64],
    positions: &[usize],
    out: &mut Vec<f64>,
    scratch: &mut BlockScratch,
) -> bool {
    let m = values.len();
    let sample: Vec<f64> = values
        .iter()
        .step_by((m / BLOCK_SAMPLE).max(1))
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    let spread = Spread::from_sample(&sample);
    let BlockScratch {
        ids,
        buckets,
        marked,
        groups,
        gathered,
        tmp,
        counts,
    } = scratch;
    ids.resize(m, 0);
    let mut tally = SortedSample::default();
    let written = if m > 4 * BLOCK_SAMPLE {
        spread.ids_f64::<false>(values, ids, &mut [], &mut tally)
    } else {
        0
    };
    if written != m {
        // Small blocks, or NaN after all (ids skip them): sort the keys of one reading,
        // refusing NaN (whose keys lie beyond those of the infinities).
        gathered.clear();
        gathered.extend(values.iter().map(|&x| total_order_key(x)));
        if gathered.iter().any(|&k| from_key(k).is_nan()) {
            return false;
        }
        gathered.sort_unstable();
        out.extend(
            positions
                .iter()
                .filter_map(|&p| gathered.get(p))
                .map(|&k| from_key(k)),
        );
        return true;
    }
    // About two values a bucket (the sampled range takes from half to all of them): one a
    // bucket measured slower, the counts no longer fitting in the fastest caches.
    let bits = (m / 2).next_power_of_two().trailing_zeros().min(FINE_BITS);
    let shift = FINE_BITS - bits;
    let ranks = &mut buckets[..1 << bits];
    ranks.fill(0);
    for &id in ids.iter() {
        buckets[usize::from(id >> shift)] += 1;
    }
    let ranks = &mut buckets[..1 << bits];
    exclusive_prefix_sums(ranks);
    // ranks[b] is now the rank of bucket b's first value. Mark the buckets holding a wanted
    // position, and give each a stretch of the gathered keys.
    marked.fill(0);
    groups.clear();
    let mut slots = 0usize;
    let mut b = 0usize;
    for &p in positions {
        // Positions ascend: gallop from the last bucket to the last one starting at or
        // before p (ranks[0] = 0 <= p).
        let mut step = 1;
        while ranks.get(b + step).is_some_and(|&r| r as usize <= p) {
            b += step;
            step *= 2;
        }
        let upto = (b + step).min(ranks.len());
        b += ranks[b..upto]
            .partition_point(|&r| r as usize <= p)
            .saturating_sub(1);
        let bit = 1u64 << (b % 64);
        if marked[b / 64] & bit != 0 {
            continue;
        }
        marked[b / 64] |= bit;
        let rank = ranks[b] as usize;
        let end = ranks.get(b + 1).map_or(m, |&r| r as usize);
        groups.push(Group {
            bucket: b,
            rank,
            slot: slots,
            len: end - rank,
        });
        slots += end - rank;
    }
    // Every value is written somewhere, without a branch: a marked bucket's values to its
    // stretch, all others over and over to one spare slot past the stretches.
    buckets[..1 << bits].fill(slots as u32);
    for gr in groups.iter() {
        buckets[gr.bucket] = gr.slot as u32;
    }
    gathered.clear();
    gathered.resize(slots + 1, 0);
    // Plain references, so that the stores below are known not to move the buffers.
    let (buckets, marked, out_keys): (&mut [u32; FINE], &[u64; FINE / 64], &mut [u64]) =
        (buckets, marked, gathered);
    for (&id, &x) in ids.iter().zip(later) {
        let b = usize::from(id >> shift);
        let step = (marked[b / 64] >> (b % 64)) as u32 & 1;
        let slot = buckets[b];
        if let Some(k) = out_keys.get_mut(slot as usize) {
            *k = total_order_key(x);
        }
        buckets[b] = slot + step;
    }
    let mut g = 0usize;
    let mut sorted_upto = 0usize;
    let pushed = out.len();
    // Whether key `k` is of a value (not NaN) in bucket `b`.
    let inside = |k: Option<&u64>, b: usize| {
        k.is_some_and(|&k| {
            let x = from_key(k);
            !x.is_nan() && spread.index(x) >> shift == b
        })
    };
    for &p in positions {
        while groups.get(g).is_some_and(|gr| gr.rank + gr.len <= p) {
            g += 1;
        }
        let Some(gr) = groups.get(g) else { break };
        let keys = &mut gathered[gr.slot..gr.slot + gr.len];
        if sorted_upto <= g {
            // A big bucket (a cluster the sample's map could not spread, e.g. 1e9 ± 1 beside
            // values around 0) spans a narrow range of keys: the run sort spreads it anew.
            tmp.resize(keys.len(), 0);
            sort_run(keys, tmp, counts, 0);
            sorted_upto = g + 1;
            // Buckets are monotone in the value and NaN sorts to an end, so the ends say
            // whether every value gathered here still belongs here (two checks a bucket).
            if !inside(keys.first(), gr.bucket) || !inside(keys.last(), gr.bucket) {
                out.truncate(pushed);
                return false;
            }
        }
        if let Some(&k) = keys.get(p - gr.rank) {
            out.push(from_key(k));
        }
    }
    true
}

/// Sorts `keys` ascending in place. `tmp` is scratch of the same length; `counts` is a stack
/// of sub-bucket counters shared down the recursion.
fn sort_run(keys: &mut [u64], tmp: &mut [u64], counts: &mut Vec<u32>, depth: u32) {
    let m = keys.len();
    if m <= INSERTION_MAX {
        insertion_sort(keys);
        return;
    }
    let (lo, hi) = min_max(keys);
    if lo == hi {
        return;
    }
    if depth >= DEPTH_MAX || tmp.len() != m {
        keys.sort_unstable();
        return;
    }
    // Sub-bucket of k: floor((k - lo) * nsub / (hi - lo + 1)), computed as a 64x64 -> 128-bit
    // multiply-high; monotone in k and always below nsub.
    let nsub = (2 * m).next_power_of_two().min(SPLIT_MAX);
    let span = u128::from(hi - lo) + 1;
    let scale = u64::try_from(((nsub as u128) << 64) / span).unwrap_or(u64::MAX);
    let sub = |k: u64| ((u128::from(k - lo) * u128::from(scale)) >> 64) as usize;

    let base = counts.len();
    counts.resize(base + nsub + 1, 0);
    let split = {
        let c = &mut counts[base..];
        for &k in keys.iter() {
            c[sub(k)] += 1;
        }
        let split = exclusive_prefix_sums(c);
        for &k in keys.iter() {
            let s = sub(k);
            tmp[c[s] as usize] = k;
            c[s] += 1;
        }
        split
    };
    if split {
        // counts[base + s] is now the end of sub-bucket s.
        let mut start = 0usize;
        for s in 0..nsub {
            let end = counts[base + s] as usize;
            if end - start > SUB_MAX {
                sort_run(
                    &mut tmp[start..end],
                    &mut keys[start..end],
                    counts,
                    depth + 1,
                );
            }
            start = end;
        }
    }
    counts.truncate(base);
    insertion_copy(tmp, keys);
}

/// Copies `src` into `dst` sorted, given that `src` is sorted except within short stretches.
fn insertion_copy(src: &[u64], dst: &mut [u64]) {
    let n = src.len().min(dst.len());
    let (src, dst) = (&src[..n], &mut dst[..n]);
    // `top` is the largest key placed so far; most keys are not smaller and go straight on.
    let mut top = 0;
    for i in 0..n {
        let x = src[i];
        if x >= top {
            dst[i] = x;
            top = x;
        } else {
            dst[i] = top;
            let mut j = i - 1;
            while j > 0 && dst[j - 1] > x {
                dst[j] = dst[j - 1];
                j -= 1;
            }
            dst[j] = x;
        }
    }
}

/// Turns counts into exclusive prefix sums in place; returns whether any count exceeds
/// [`SUB_MAX`].
fn exclusive_prefix_sums(counts: &mut [u32]) -> bool {
    #[cfg(target_arch = "x86_64")]
    let (done, mut sum, mut big) = prefix_sums_sse2(counts);
    #[cfg(not(target_arch = "x86_64"))]
    let (done, mut sum, mut big) = (0, 0u32, false);
    for n in &mut counts[done..] {
        let here = *n;
        *n = sum;
        sum += here;
        big |= here as usize > SUB_MAX;
    }
    big
}

/// [`exclusive_prefix_sums`] over the whole quadruples of `counts`, four at a time (the
/// scalar loop carries a dependency from one count to the next and was a fifth of the run
/// sort). Returns how many counts it did, their total, and whether one exceeds `SUB_MAX`.
#[cfg(target_arch = "x86_64")]
fn prefix_sums_sse2(counts: &mut [u32]) -> (usize, u32, bool) {
    use std::arch::x86_64::*;
    let done = counts.len() / 4 * 4;
    let mut quads = counts.chunks_exact_mut(4);
    // SAFETY: SSE2 is part of x86_64; every load and store is of a whole four-count chunk.
    let (total, over) = unsafe {
        let limit = _mm_set1_epi32(SUB_MAX as i32);
        let mut over = _mm_setzero_si128();
        let mut run = _mm_setzero_si128(); // total so far, in every lane
        for q in &mut quads {
            let x = _mm_loadu_si128(q.as_ptr().cast());
            // Counts stay below 2^31, so the signed comparison is exact.
            over = _mm_or_si128(over, _mm_cmpgt_epi32(x, limit));
            let mut s = _mm_add_epi32(x, _mm_slli_si128::<4>(x));
            s = _mm_add_epi32(s, _mm_slli_si128::<8>(s));
            _mm_storeu_si128(
                q.as_mut_ptr().cast(),
                _mm_add_epi32(_mm_sub_epi32(s, x), run),
            );
            run = _mm_add_epi32(run, _mm_shuffle_epi32::<0xff>(s));
        }
        (_mm_cvtsi128_si32(run) as u32, _mm_movemask_epi8(over) != 0)
    };
    (done, total, over)
}

fn insertion_sort(v: &mut [u64]) {
    for i in 1..v.len() {
        let x = v[i];
        let mut j = i;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

fn min_max(v: &[u64]) -> (u64, u64) {
    v.iter()
        .fold((u64::MAX, 0), |(lo, hi), &k| (lo.min(k), hi.max(k)))
}

/// The monotone map from a value to its fine bucket.
///
/// `fold(x)` is `2^63 ± (bits(|x|) - floor)`, clamped at `2^63` for `|x|` below the floor:
/// linear in the bit pattern of the magnitude, which is piecewise linear in `|x|` with one
/// piece per binade. The floor (the smallest nonzero sampled magnitude) removes the empty
/// stretch of tiny magnitudes that would otherwise separate negative from positive values.
/// `index` maps the sampled range of `fold` onto the fine buckets and clamps the rest.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spread {
    floor: u64,
    lo: u64,
    shift: u32,
}

impl Spread {
    pub(crate) fn from_sample(sample: &[f64]) -> Self {
        let floor = sample
            .iter()
            .filter(|x| **x != 0.0)
            .map(|x| x.abs().to_bits())
            .min()
            .unwrap_or(0);
        let mut spread = Spread {
            floor,
            lo: 0,
            shift: u64::BITS - FINE_BITS,
        };
        if sample.is_empty() {
            return spread; // no finite value seen: spread the whole key space evenly
        }
        let lo = sample.iter().map(|&x| spread.fold(x)).min().unwrap_or(0);
        let hi = sample.iter().map(|&x| spread.fold(x)).max().unwrap_or(0);
        spread.lo = lo;
        spread.shift = (u64::BITS - (hi - lo).leading_zeros()).saturating_sub(FINE_BITS);
        spread
    }

    #[inline(always)]
    fn fold(&self, x: f64) -> u64 {
        const MID: u64 = 1 << 63;
        let bits = x.to_bits();
        let above = (bits & !MID).saturating_sub(self.floor);
        // MID - above for negative x, MID + above otherwise, without a branch (the sign of
        // data around zero is unpredictable).
        let negative = ((bits as i64) >> 63) as u64;
        MID.wrapping_add((above ^ negative).wrapping_sub(negative))
    }

    #[inline(always)]
    pub(crate) fn index(&self, x: f64) -> usize {
        ((self.fold(x).saturating_sub(self.lo) >> self.shift) as usize).min(FINE - 1)
    }

    /// Writes the bucket of every value of `xs` but NaN to the front of `ids` (at least as
    /// long as `xs`) and returns how many it wrote, counting NaN and infinities into `tally`.
    /// With `KEEP`, writes the values themselves to the same places of `vals` (as long),
    /// else leaves `vals` (which may be empty) alone. Four values at a time with AVX2 where
    /// the CPU has it.
    ///
    /// Each value is read once: a caller that goes on with `vals` rather than `xs` uses the
    /// very values the buckets were computed from, even if another thread writes to `xs`.
    pub(crate) fn ids_f64<const KEEP: bool>(
        &self,
        xs: &[f64],
        ids: &mut [u16],
        vals: &mut [f64],
        tally: &mut SortedSample,
    ) -> usize {
        let ids = &mut ids[..xs.len()];
        let vals = if KEEP { &mut vals[..xs.len()] } else { vals };
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { self.ids_avx2::<KEEP>(xs, ids, vals, tally) };
        }
        let mut w = 0;
        for &x in xs {
            w = self.id_of::<KEEP>(x, ids, vals, w, tally);
        }
        w
    }

    /// Writes the bucket of `x` to `ids[w]` (and with `KEEP`, `x` to `vals[w]`) unless `x`
    /// is NaN, tallying NaN and infinities; returns where the next one goes.
    #[inline(always)]
    fn id_of<const KEEP: bool>(
        &self,
        x: f64,
        ids: &mut [u16],
        vals: &mut [f64],
        w: usize,
        tally: &mut SortedSample,
    ) -> usize {
        if x.to_bits() & EXP_MASK == EXP_MASK {
            if x.is_nan() {
                tally.nan_count += 1;
                return w;
            }
            if x > 0.0 {
                tally.pos_inf_count += 1;
            } else {
                tally.neg_inf_count += 1;
            }
        }
        if let Some(slot) = ids.get_mut(w) {
            // FINE is 2^16: every index fits.
            *slot = self.index(x) as u16;
        }
        if KEEP {
            if let Some(v) = vals.get_mut(w) {
                *v = x;
            }
        }
        w + 1
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn ids_avx2<const KEEP: bool>(
        &self,
        xs: &[f64],
        ids: &mut [u16],
        vals: &mut [f64],
        tally: &mut SortedSample,
    ) -> usize {
        use std::arch::x86_64::*;
        const MID: u64 = 1 << 63;
        let splat = |v: u64| _mm256_set1_epi64x(v as i64);
        let (abs, exp, mid) = (splat(!MID), splat(EXP_MASK), splat(MID));
        let (floor, lo, lo_flip) = (splat(self.floor), splat(self.lo), splat(self.lo ^ MID));
        let shift = splat(u64::from(self.shift));
        let (top, top_flip) = (splat(FINE as u64 - 1), splat((FINE as u64 - 1) ^ MID));
        let zero = _mm256_setzero_si256();
        let mut w = 0usize;
        let mut quads = xs.chunks_exact(4);
        for q in &mut quads {
            // SAFETY: `q` holds four f64, 32 bytes; the load is unaligned.
            let bits = unsafe { _mm256_loadu_si256(q.as_ptr().cast()) };
            let special = _mm256_cmpeq_epi64(_mm256_and_si256(bits, exp), exp);
            if _mm256_movemask_pd(_mm256_castsi256_pd(special)) != 0 {
                // The four values as loaded, not read again.
                let mut four = [0.0f64; 4];
                // SAFETY: `four` has room for the 4 lanes.
                unsafe { _mm256_storeu_si256(four.as_mut_ptr().cast(), bits) };
                for x in four {
                    w = self.id_of::<KEEP>(x, ids, vals, w, tally);
                }
                continue;
            }
            // fold(x), as in `fold`: both operands of the signed comparisons are below 2^63.
            let mag = _mm256_and_si256(bits, abs);
            let above =
                _mm256_and_si256(_mm256_sub_epi64(mag, floor), _mm256_cmpgt_epi64(mag, floor));
            let negative = _mm256_cmpgt_epi64(zero, bits);
            let fold = _mm256_add_epi64(
                mid,
                _mm256_sub_epi64(_mm256_xor_si256(above, negative), negative),
            );
            // Unsigned comparisons as signed ones with the top bit flipped.
            let below = _mm256_cmpgt_epi64(lo_flip, _mm256_xor_si256(fold, mid));
            let rel = _mm256_andnot_si256(below, _mm256_sub_epi64(fold, lo));
            let idx = _mm256_srlv_epi64(rel, shift);
            let over = _mm256_cmpgt_epi64(_mm256_xor_si256(idx, mid), top_flip);
            let idx = _mm256_blendv_epi8(idx, top, over);
            // Each lane is at most FINE - 1 < 2^16: gather the low halves of the lanes.
            let packed =
                _mm256_permutevar8x32_epi32(idx, _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0));
            let words = _mm_packus_epi32(_mm256_castsi256_si128(packed), _mm_setzero_si128());
            if let Some(out) = ids.get_mut(w..w + 4) {
                let four = _mm_cvtsi128_si64(words) as u64;
                out.copy_from_slice(&[
                    four as u16,
                    (four >> 16) as u16,
                    (four >> 32) as u16,
                    (four >> 48) as u16,
                ]);
            }
            if KEEP {
                if let Some(v) = vals.get_mut(w..w + 4) {
                    // SAFETY: `v` holds exactly 4 f64, 32 bytes; the store is unaligned.
                    unsafe { _mm256_storeu_si256(v.as_mut_ptr().cast(), bits) };
                }
            }
            w += 4;
        }
        for &x in quads.remainder() {
            w = self.id_of::<KEEP>(x, ids, vals, w, tally);
        }
        w
    }

    /// The smallest value in fine bucket `k`: bucket `k` holds exactly the values in
    /// `[lower(k), lower(k + 1))`. `-inf` for bucket 0 (it takes everything below the
    /// sampled range) and `+inf` past the last bucket; `±inf` too where a bucket's bit
    /// patterns lie beyond the finite floats.
    pub(crate) fn lower(&self, k: usize) -> f64 {
        const MID: u64 = 1 << 63;
        if k == 0 {
            return f64::NEG_INFINITY;
        }
        if k >= FINE {
            return f64::INFINITY;
        }
        let Some(f0) = (k as u64)
            .checked_shl(self.shift)
            .and_then(|o| o.checked_add(self.lo))
        else {
            return f64::INFINITY;
        };
        // fold(x) >= f0 exactly for x >= the value returned (fold is monotone).
        if f0 > MID {
            match (f0 - MID).checked_add(self.floor) {
                Some(bits) if bits <= EXP_MASK => f64::from_bits(bits),
                _ => f64::INFINITY,
            }
        } else {
            match (MID - f0).checked_add(self.floor) {
                Some(bits) if bits <= EXP_MASK => -f64::from_bits(bits),
                _ => f64::NEG_INFINITY,
            }
        }
    }
}

/// Up to [`SAMPLE`] present, finite values spread evenly over the `total` slots of `chunks`.
pub(crate) fn sample(chunks: &[Chunk<'_>], total: usize) -> Vec<f64> {
    let want = SAMPLE.min(total);
    let mut picked = Vec::with_capacity(want);
    let mut i = 0usize; // next sample number
    let mut offset = 0usize; // first slot of `chunk`
    for chunk in chunks {
        let len = chunk.len();
        while i < want {
            let slot = i * total / want;
            if slot >= offset + len {
                break;
            }
            let at = slot - offset;
            let valid = chunk.validity.as_ref().is_none_or(|v| v.is_valid(at));
            let x = with_values!(chunk.values,
                |s| s.get(at).map_or(f64::NAN, |x| x.to_f64()),
                null => |_n| f64::NAN);
            if valid && x.is_finite() {
                picked.push(x);
            }
            i += 1;
        }
        offset += len;
    }
    picked
}

/// A zeroed buffer of `len` keys. On Linux a large one asks for transparent huge pages:
/// otherwise first touch costs a page fault per 4 KiB, ~50 ms for a 10M-value sample on
/// the project's machine against ~15 ms with huge pages (NumPy advises its arrays alike).
fn zeroed_keys(len: usize) -> Vec<u64> {
    let v = vec![0; len];
    #[cfg(target_os = "linux")]
    advise_huge_pages(&v);
    v
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(v: &[u64]) {
    const HUGE: usize = 1 << 21;
    let bytes = std::mem::size_of_val(v);
    if bytes < 4 * HUGE {
        return;
    }
    let start = (v.as_ptr() as usize).next_multiple_of(HUGE);
    let end = (v.as_ptr() as usize + bytes) & !(HUGE - 1);
    if end > start {
        // SAFETY: `start..end` lies inside `v`'s allocation, and MADV_HUGEPAGE changes only
        // how the kernel backs those pages, never their contents. Failure is harmless.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

const EXP_MASK: u64 = 0x7ff0_0000_0000_0000;

/// Calls `f` on every present, non-NaN value of `chunks`, widened to `f64`, in order. With
/// `TALLY`, counts the nulls and NaN skipped and the infinities passed into `tally`.
#[inline(always)]
pub(crate) fn for_each_valid<const TALLY: bool>(
    chunks: &[Chunk<'_>],
    tally: &mut SortedSample,
    mut f: impl FnMut(f64),
) {
    let _ = try_each_valid::<TALLY>(chunks, tally, |x| {
        f(x);
        ControlFlow::Continue(())
    });
}

/// [`for_each_valid`] that stops as soon as `f` breaks (the tally then stops too).
#[inline(always)]
fn try_each_valid<const TALLY: bool>(
    chunks: &[Chunk<'_>],
    tally: &mut SortedSample,
    mut f: impl FnMut(f64) -> ControlFlow<()>,
) -> ControlFlow<()> {
    for chunk in chunks {
        with_values!(chunk.values,
            |s| visit::<_, TALLY>(s, chunk.validity.as_ref(), tally, &mut f)?,
            null => |n| if TALLY { tally.null_count += n as u64 });
    }
    ControlFlow::Continue(())
}

#[inline(always)]
fn visit<T: Numeric, const TALLY: bool>(
    xs: &[T],
    validity: Option<&Validity<'_>>,
    tally: &mut SortedSample,
    f: &mut impl FnMut(f64) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let Some(validity) = validity else {
        for x in xs {
            take::<T, TALLY>(x.to_f64(), tally, f)?;
        }
        return ControlFlow::Continue(());
    };
    for (block, part) in xs.chunks(64).enumerate() {
        let present = validity.word(block * 64) & (u64::MAX >> (64 - part.len()));
        if TALLY {
            tally.null_count += (part.len() - present.count_ones() as usize) as u64;
        }
        if present.count_ones() as usize == part.len() {
            for x in part {
                take::<T, TALLY>(x.to_f64(), tally, f)?;
            }
        } else {
            let mut bits = present;
            while bits != 0 {
                let i = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(x) = part.get(i) {
                    take::<T, TALLY>(x.to_f64(), tally, f)?;
                }
            }
        }
    }
    ControlFlow::Continue(())
}

#[inline(always)]
fn take<T: Numeric, const TALLY: bool>(
    x: f64,
    tally: &mut SortedSample,
    f: &mut impl FnMut(f64) -> ControlFlow<()>,
) -> ControlFlow<()> {
    // One test catches NaN and both infinities (all exponent bits set), which are rare.
    if T::IS_FLOAT && x.to_bits() & EXP_MASK == EXP_MASK {
        if x.is_nan() {
            if TALLY {
                tally.nan_count += 1;
            }
            return ControlFlow::Continue(());
        }
        if TALLY {
            if x > 0.0 {
                tally.pos_inf_count += 1;
            } else {
                tally.neg_inf_count += 1;
            }
        }
    }
    f(x)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::io::column::{Validity, Values};

    /// A small deterministic generator (SplitMix64).
    pub(crate) struct Rng(u64);

    impl Rng {
        pub(crate) fn new(seed: u64) -> Self {
            Rng(seed)
        }

        pub(crate) fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        pub(crate) fn uniform(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
        }

        /// Approximately standard normal (sum of four uniforms, rescaled).
        pub(crate) fn normalish(&mut self) -> f64 {
            let s: f64 = (0..4).map(|_| self.uniform()).sum();
            (s - 2.0) * 3f64.sqrt()
        }
    }

    const RADIX_BITS: u32 = 11;
    const RADIX: usize = 1 << RADIX_BITS;
    const PASSES: usize = 64_usize.div_ceil(RADIX_BITS as usize);

    /// LSD radix sort with 11-bit digits, skipping passes in which all keys share the digit.
    pub(super) fn radix_sort(keys: &mut [u64]) {
        let n = keys.len();
        let mut counts = vec![[0usize; RADIX]; PASSES];
        for &k in keys.iter() {
            for (p, c) in counts.iter_mut().enumerate() {
                c[((k >> (p as u32 * RADIX_BITS)) as usize) & (RADIX - 1)] += 1;
            }
        }
        let mut buf: Vec<u64> = vec![0; n];
        // `in_keys` says whether the current order lives in `keys` (true) or in `buf`.
        let mut in_keys = true;
        for (p, c) in counts.iter_mut().enumerate() {
            if c.contains(&n) {
                continue; // every key has the same digit: this pass would not move anything
            }
            let mut sum = 0usize;
            for x in c.iter_mut() {
                let v = *x;
                *x = sum;
                sum += v;
            }
            let shift = p as u32 * RADIX_BITS;
            let (src, dst): (&[u64], &mut [u64]) = if in_keys {
                (&*keys, &mut buf[..])
            } else {
                (&buf[..], &mut *keys)
            };
            for &k in src {
                let d = ((k >> shift) as usize) & (RADIX - 1);
                dst[c[d]] = k;
                c[d] += 1;
            }
            in_keys = !in_keys;
        }
        if !in_keys {
            keys.copy_from_slice(&buf);
        }
    }

    fn reference_sort(v: &[f64]) -> Vec<f64> {
        let mut r: Vec<f64> = v.iter().filter(|x| !x.is_nan()).map(|x| x + 0.0).collect();
        r.sort_unstable_by(f64::total_cmp);
        r
    }

    #[test]
    fn keys_preserve_order_and_round_trip() {
        let xs = [
            f64::NEG_INFINITY,
            -f64::MAX,
            -1.0,
            -f64::MIN_POSITIVE,
            -5e-324,
            0.0,
            5e-324,
            f64::MIN_POSITIVE,
            1.0,
            f64::MAX,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(key(w[0]) < key(w[1]), "{} < {}", w[0], w[1]);
        }
        for &x in &xs {
            assert_eq!(from_key(key(x)).to_bits(), x.to_bits());
        }
        assert_eq!(key(-0.0), key(0.0));
        assert_eq!(from_key(key(-0.0)).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn radix_sort_matches_comparison_sort() {
        let mut rng = Rng::new(7);
        for &n in &[0usize, 1, 2, 5, 1023, 1024, 1025, 5000, 70_000] {
            // mixed signs and magnitudes, ties, zeros of both signs, infinities
            let v: Vec<f64> = (0..n)
                .map(|i| match i % 11 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f64::INFINITY,
                    3 => f64::NEG_INFINITY,
                    4 => (rng.next_u64() % 7) as f64,
                    5 => -(rng.uniform() * 1e-300),
                    _ => rng.normalish() * 10f64.powi((rng.next_u64() % 40) as i32 - 20),
                })
                .collect();
            let mut got = v.clone();
            sort_f64(&mut got);
            let want = reference_sort(&v);
            let mut k: Vec<u64> = v.iter().filter(|x| !x.is_nan()).map(|&x| key(x)).collect();
            radix_sort(&mut k);
            assert_eq!(keys_to_values(k), want);
            assert_eq!(got.len(), want.len());
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.to_bits(), w.to_bits(), "n={n}");
            }
        }
    }

    #[test]
    fn skipped_passes_still_sort() {
        // All keys share their high digits: positive values in [1, 2).
        let mut rng = Rng::new(3);
        let v: Vec<f64> = (0..50_000).map(|_| 1.0 + rng.uniform()).collect();
        let mut k: Vec<u64> = v.iter().map(|&x| key(x)).collect();
        radix_sort(&mut k);
        assert_eq!(keys_to_values(k), reference_sort(&v));
        // Small integers: only the exponent and top mantissa digits vary.
        let v: Vec<f64> = (0..50_000).map(|_| (rng.next_u64() % 100) as f64).collect();
        let mut k: Vec<u64> = v.iter().map(|&x| key(x)).collect();
        radix_sort(&mut k);
        assert_eq!(keys_to_values(k), reference_sort(&v));
    }

    #[test]
    fn collects_and_counts_from_chunks() {
        let a = [
            3.0,
            f64::NAN,
            -0.0,
            f64::INFINITY,
            1.0,
            f64::NEG_INFINITY,
            2.0,
        ];
        let bits = [0b0111_1101u8]; // index 1 (the NaN) is null
        let validity = Validity::new(&bits, 0, a.len()).unwrap();
        let b = [5i32, -4];
        let chunks = [
            Chunk::new(Values::F64(&a), Some(validity)),
            Chunk::new(Values::I32(&b), None),
            Chunk::new(Values::Null(3), None),
        ];
        let s = SortedSample::from_chunks(&chunks);
        assert_eq!(
            s.values(),
            &[
                f64::NEG_INFINITY,
                -4.0,
                0.0,
                1.0,
                2.0,
                3.0,
                5.0,
                f64::INFINITY
            ]
        );
        assert_eq!(s.values()[2].to_bits(), 0.0f64.to_bits());
        assert_eq!((s.null_count, s.nan_count), (4, 0));
        assert_eq!((s.pos_inf_count, s.neg_inf_count), (1, 1));
        assert_eq!(s.inf_count(), 2);

        let s = SortedSample::from_vec(vec![f64::NAN, 2.0, -1.0, f64::NAN]);
        assert_eq!(s.values(), &[-1.0, 2.0]);
        assert_eq!(s.nan_count, 2);

        let (x, y) = sort_pair(&chunks[..1], &chunks[1..2]);
        assert_eq!(x.len(), 6);
        assert_eq!(y.values(), &[-4.0, 5.0]);
        let mut p = vec![3.0, -1.0];
        let mut q = vec![-0.0, -2.0];
        sort_f64_pair(&mut p, &mut q);
        assert_eq!((p, q), (vec![-1.0, 3.0], vec![-2.0, 0.0]));
    }

    #[test]
    fn from_sorted_unchecked_counts_infinities() {
        let s = SortedSample::from_sorted_unchecked(vec![f64::NEG_INFINITY, 1.0, f64::INFINITY]);
        assert_eq!((s.neg_inf_count, s.pos_inf_count), (1, 1));
    }

    /// The expected result: NaN dropped, `-0.0` made `+0.0`, sorted by `total_cmp`.
    fn expected(v: &[f64]) -> Vec<f64> {
        reference_sort(v)
    }

    fn assert_same(got: &[f64], want: &[f64], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g.to_bits(), w.to_bits(), "{what}: index {i}: {g} vs {w}");
        }
    }

    /// Samples of many shapes: the bucket maps must be right for any of them.
    fn shapes(n: usize, seed: u64) -> Vec<(&'static str, Vec<f64>)> {
        let mut r = Rng::new(seed);
        let mut gen = |f: &mut dyn FnMut(&mut Rng, usize) -> f64| -> Vec<f64> {
            (0..n).map(|i| f(&mut r, i)).collect()
        };
        vec![
            ("normal", gen(&mut |r, _| r.normalish())),
            ("uniform", gen(&mut |r, _| r.uniform())),
            ("shifted", gen(&mut |r, _| 1e6 + r.uniform())),
            (
                "duplicates",
                gen(&mut |r, _| (r.next_u64() % 7) as f64 - 3.0),
            ),
            ("all equal", gen(&mut |_, _| 2.5)),
            (
                "zeros",
                gen(&mut |r, _| if r.next_u64() % 2 == 0 { 0.0 } else { -0.0 }),
            ),
            ("sorted", gen(&mut |_, i| i as f64 * 0.25 - 7.0)),
            ("reverse", gen(&mut |_, i| -(i as f64) * 1e-3)),
            ("sorted ties", gen(&mut |_, i| (i / 10) as f64)),
            (
                "subnormal",
                gen(&mut |r, _| {
                    let m = r.next_u64() % (1 << 52);
                    let x = f64::from_bits(m);
                    if r.next_u64() % 2 == 0 {
                        x
                    } else {
                        -x
                    }
                }),
            ),
            (
                "huge range",
                gen(&mut |r, _| {
                    let e = (r.next_u64() % 2000) as i32 - 1000;
                    r.normalish() * 2f64.powi(e / 2) * 2f64.powi(e - e / 2)
                }),
            ),
            ("any bits", gen(&mut |r, _| f64::from_bits(r.next_u64()))),
            (
                "outliers",
                gen(&mut |r, i| match i % 997 {
                    0 => f64::MAX,
                    1 => -1e300,
                    2 => 5e-324,
                    _ => r.normalish(),
                }),
            ),
            (
                "specials",
                gen(&mut |r, i| match i % 13 {
                    0 => f64::INFINITY,
                    1 => f64::NEG_INFINITY,
                    2 => f64::NAN,
                    3 => -0.0,
                    4 => 0.0,
                    5 => -f64::NAN,
                    _ => r.normalish(),
                }),
            ),
            (
                "mostly nan",
                gen(&mut |r, i| if i % 50 == 0 { r.normalish() } else { f64::NAN }),
            ),
            (
                "only infinities",
                gen(&mut |r, _| {
                    if r.next_u64() % 2 == 0 {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                }),
            ),
            (
                "one cluster",
                gen(&mut |r, i| {
                    if i % 1000 == 0 {
                        r.normalish() * 1e9
                    } else {
                        1.0 + r.uniform() * 1e-12
                    }
                }),
            ),
            (
                "two scales",
                gen(&mut |r, i| {
                    if i % 2 == 0 {
                        r.uniform()
                    } else {
                        1e6 + r.uniform() * 1e-3
                    }
                }),
            ),
        ]
    }

    /// The bucket sort on its own, whatever the size, its two passes reading the same input.
    fn sort_bucketed(chunks: &[Chunk<'_>], tally: &mut SortedSample, total: usize) -> Vec<f64> {
        bucketed_in(chunks, tally, total, part_count(total))
    }

    fn bucketed_in(
        chunks: &[Chunk<'_>],
        tally: &mut SortedSample,
        total: usize,
        parts: usize,
    ) -> Vec<f64> {
        sort_bucketed_in(chunks, chunks, tally, total, parts).unwrap()
    }

    fn check_counts(s: &SortedSample, v: &[f64]) {
        let nan = v.iter().filter(|x| x.is_nan()).count() as u64;
        let pos = v.iter().filter(|x| **x == f64::INFINITY).count() as u64;
        let neg = v.iter().filter(|x| **x == f64::NEG_INFINITY).count() as u64;
        assert_eq!(
            (s.nan_count, s.pos_inf_count, s.neg_inf_count, s.null_count),
            (nan, pos, neg, 0)
        );
    }

    #[test]
    fn block_selection_matches_a_full_sort_on_every_shape() {
        let mut scratch = BlockScratch::default();
        let mut r = Rng::new(77);
        for n in [1usize, 2, 17, 1000, 1025, 4096, 20_000, 1 << 15] {
            for (name, xs) in shapes(n, n as u64) {
                let xs: Vec<f64> = xs.into_iter().filter(|x| !x.is_nan()).collect();
                if xs.is_empty() {
                    continue;
                }
                let mut want = xs.clone();
                want.sort_by(f64::total_cmp);
                // Every position, strided positions with repeats, and a random few.
                let mut sets: Vec<Vec<usize>> = vec![
                    (0..xs.len()).collect(),
                    (0..xs.len()).step_by(32).chain([0, xs.len() - 1]).collect(),
                    (0..20)
                        .map(|_| (r.next_u64() % xs.len() as u64) as usize)
                        .collect(),
                ];
                for positions in &mut sets {
                    positions.sort_unstable();
                    let mut got = Vec::new();
                    assert!(select_in_block(&xs, positions, &mut got, &mut scratch));
                    let expect: Vec<u64> = positions.iter().map(|&p| want[p].to_bits()).collect();
                    let got: Vec<u64> = got.iter().map(|x| x.to_bits()).collect();
                    assert_eq!(got, expect, "{name}, n {n}");
                }
            }
        }
        // NaN is refused, small blocks and large alike, with nothing pushed.
        for n in [100usize, 1 << 15] {
            let mut xs: Vec<f64> = (0..n).map(|i| i as f64).collect();
            xs[n / 2] = f64::NAN;
            let mut got = Vec::new();
            assert!(!select_in_block(&xs, &[0, n - 1], &mut got, &mut scratch));
            assert!(got.is_empty());
        }
    }

    #[test]
    fn block_selection_refuses_a_block_changed_between_its_passes() {
        let mut scratch = BlockScratch::default();
        let mut r = Rng::new(78);
        let n = 1 << 15;
        let xs: Vec<f64> = (0..n).map(|_| r.normalish()).collect();
        let positions: Vec<usize> = (0..n).step_by(64).chain([n - 1]).collect();
        let mut want = xs.clone();
        want.sort_by(f64::total_cmp);
        let mut got = vec![-1.0];
        assert!(select_in_block_in(
            &xs,
            &xs,
            &positions,
            &mut got,
            &mut scratch
        ));
        assert_eq!(got.len(), positions.len() + 1);
        assert!(positions.iter().zip(&got[1..]).all(|(&p, &x)| want[p] == x));
        for (name, later) in rewrites(&xs) {
            let mut got = vec![-1.0];
            let kept = select_in_block_in(&xs, &later, &positions, &mut got, &mut scratch);
            // Changes that reach the gathered buckets are refused, pushing nothing; others (a
            // permutation, values changed in buckets never gathered) leave the order
            // statistics of one of the two readings.
            if kept {
                let mut w = later.clone();
                w.sort_by(f64::total_cmp);
                let of = |v: &[f64]| positions.iter().zip(&got[1..]).all(|(&p, &x)| v[p] == x);
                assert!(of(&w) || of(&want), "{name}");
            } else {
                assert_eq!(got, vec![-1.0], "{name}");
            }
            let missable = ["reversed", "two infinities", "one value moved"];
            assert!(kept <= missable.contains(&name), "{name}");
        }
    }

    #[test]
    fn matches_comparison_sort_on_every_shape() {
        for &n in &[0usize, 1, 2, 3, 7, 25, 100, 1000, 4097, 20_000] {
            for (name, v) in shapes(n, n as u64 + 1) {
                let want = expected(&v);
                let s = SortedSample::from_vec(v.clone());
                assert_same(s.values(), &want, &format!("{name}, n={n}, from_vec"));
                check_counts(&s, &v);
                // The bucket path on its own, whatever the size.
                let mut tally = SortedSample::default();
                let chunk = [Chunk::new(Values::F64(&v), None)];
                let got = sort_bucketed(&chunk, &mut tally, v.len());
                assert_same(&got, &want, &format!("{name}, n={n}, bucketed"));
                check_counts(&tally, &v);
                if !v.iter().any(|x| x.is_nan()) {
                    let mut w = v.clone();
                    sort_f64(&mut w);
                    assert_same(&w, &want, &format!("{name}, n={n}, sort_f64"));
                }
            }
        }
    }

    #[test]
    fn large_samples_take_the_bucket_path() {
        let n = DIRECT_MAX + 5000;
        for (name, v) in shapes(n, 99) {
            let s = SortedSample::from_vec(v.clone());
            assert_same(s.values(), &expected(&v), &format!("{name}, n={n}"));
            check_counts(&s, &v);
        }
    }

    /// What another thread may have written over `v` between two passes: the changes the
    /// concurrent-writer test makes in Python, and subtler ones.
    fn rewrites(v: &[f64]) -> Vec<(&'static str, Vec<f64>)> {
        let n = v.len();
        let mut some_nan = v.to_vec();
        for x in some_nan.iter_mut().step_by(97) {
            *x = f64::NAN;
        }
        // The smallest value moved to the top: from the first bucket to the last.
        let mut one_moved = v.to_vec();
        let lowest = (0..n).min_by(|&i, &j| v[i].total_cmp(&v[j])).unwrap_or(0);
        one_moved[lowest] = 1e6;
        let mut infs = v.to_vec();
        infs[3] = f64::INFINITY;
        infs[n - 3] = f64::NEG_INFINITY;
        vec![
            ("all NaN", vec![f64::NAN; n]),
            ("some NaN", some_nan),
            ("scaled by 1e300", v.iter().map(|x| x * 1e300).collect()),
            ("zeros", vec![0.0; n]),
            ("one value moved", one_moved),
            ("two infinities", infs),
            (
                "ties",
                v.iter().map(|x| (x.abs() * 3.0).floor().min(2.0)).collect(),
            ),
            ("reversed", v.iter().rev().copied().collect()),
        ]
    }

    #[test]
    fn a_column_changed_between_the_passes_is_sorted_from_one_reading() {
        let n = DIRECT_MAX + 5000;
        let mut r = Rng::new(21);
        let random: Vec<f64> = (0..n).map(|_| r.normalish()).collect();
        let ascending = expected(&random);
        // Random input takes the counting and scattering passes; sorted input the check of
        // its order and the copy.
        for (first, path) in [(&random, "bucketed"), (&ascending, "presorted")] {
            for (name, later) in rewrites(first) {
                let what = format!("{path}, {name}");
                let (c1, c2) = (
                    [Chunk::new(Values::F64(first), None)],
                    [Chunk::new(Values::F64(&later), None)],
                );
                let mut tally = SortedSample::default();
                let got = sort_valid_in(&c1, &c2, &mut tally);
                assert_same(&got, &expected(&later), &what);
                check_counts(&tally, &later);
                // Each of these changes moves values between the parts' buckets, or out of
                // order, which the second pass notices, leaving the tally alone; only sorted
                // input that stays sorted (and as long) needs no notice.
                let mut untouched = SortedSample::default();
                let passes = sort_bucketed_in(&c1, &c2, &mut untouched, n, 2);
                let still_sorted = path == "presorted" && later.windows(2).all(|w| w[0] <= w[1]);
                assert_eq!(passes.is_ok(), still_sorted, "{what}");
                if !still_sorted {
                    assert_eq!(untouched, SortedSample::default(), "{what}");
                }
            }
        }
    }

    #[test]
    fn parts_cover_the_input_and_sort_alike() {
        let mut r = Rng::new(3);
        let a: Vec<f64> = (0..1000).map(|_| r.normalish()).collect();
        let b: Vec<i64> = (0..37).map(|_| (r.next_u64() % 10) as i64).collect();
        let bits: Vec<u8> = (0..126).map(|_| r.next_u64() as u8).collect();
        let validity = Validity::new(&bits, 5, 995).unwrap();
        let chunks = [
            Chunk::new(Values::F64(&a[..5]), None),
            Chunk::new(Values::F64(&a[5..]), Some(validity)),
            Chunk::new(Values::Null(9), None),
            Chunk::new(Values::I64(&b), None),
        ];
        let total: usize = chunks.iter().map(|c| c.len()).sum();
        let mut one = SortedSample::default();
        let want = bucketed_in(&chunks, &mut one, total, 1);
        for n in [2, 3, 5, 64] {
            let parts = split_parts(&chunks, total, n);
            assert_eq!(parts.len(), n);
            let lens: Vec<usize> = parts
                .iter()
                .map(|p| p.iter().map(|c| c.len()).sum())
                .collect();
            assert_eq!(lens.iter().sum::<usize>(), total);
            assert!(lens.iter().all(|&l| l.abs_diff(total / n) <= 1), "{lens:?}");
            let mut seen = Vec::new();
            for p in &parts {
                for_each_valid::<false>(p, &mut SortedSample::default(), |x| seen.push(x));
            }
            let mut all = Vec::new();
            for_each_valid::<false>(&chunks, &mut SortedSample::default(), |x| all.push(x));
            assert_same(&seen, &all, "parts in order");
            let mut tally = SortedSample::default();
            let got = bucketed_in(&chunks, &mut tally, total, n);
            assert_same(&got, &want, &format!("{n} parts"));
            assert_eq!(tally, one);
        }
        // Sorted input split in parts is still recognised, either way round.
        let up: Vec<f64> = (0..100).map(f64::from).collect();
        let down: Vec<f64> = up.iter().rev().copied().collect();
        for v in [&up, &down] {
            let c = [Chunk::new(Values::F64(v), None)];
            let got = bucketed_in(&c, &mut SortedSample::default(), 100, 3);
            assert_same(&got, &up, "sorted parts");
        }
    }

    #[test]
    fn prefix_sums_match_the_plain_loop() {
        let mut r = Rng::new(8);
        for len in (0..40).chain([1000, 4097]) {
            for spread in [3u64, 40] {
                let counts: Vec<u32> = (0..len).map(|_| (r.next_u64() % spread) as u32).collect();
                let mut got = counts.clone();
                let big = exclusive_prefix_sums(&mut got);
                let mut sum = 0;
                let want: Vec<u32> = counts
                    .iter()
                    .map(|&c| {
                        sum += c;
                        sum - c
                    })
                    .collect();
                assert_eq!(got, want, "len {len}");
                assert_eq!(
                    big,
                    counts.iter().any(|&c| c as usize > SUB_MAX),
                    "len {len}"
                );
            }
        }
    }

    #[test]
    fn buckets_and_runs_sort_any_keys() {
        let mut r = Rng::new(5);
        // Keys at exponentially spread distances defeat one interpolation step after another.
        let mut k: Vec<u64> = (0..5000).map(|i| 1u64 << (i % 64)).collect();
        k.extend((0..5000).map(|_| r.next_u64() >> (r.next_u64() % 64)));
        let mut want = k.clone();
        want.sort_unstable();
        let mut tmp = vec![0; k.len()];
        sort_run(&mut k, &mut tmp, &mut Vec::new(), 0);
        assert_eq!(k, want);
        // A wrong-sized scratch buffer falls back instead of failing.
        let mut k2: Vec<u64> = (0..100).rev().collect();
        sort_run(&mut k2, &mut [0; 3], &mut Vec::new(), 0);
        assert_eq!(k2, (0..100).collect::<Vec<u64>>());
    }

    #[test]
    fn chunks_with_nulls_and_mixed_types_take_the_bucket_path() {
        let mut r = Rng::new(11);
        let n: usize = 3000;
        let a: Vec<f64> = (0..n)
            .map(|i| if i % 17 == 0 { f64::NAN } else { r.normalish() })
            .collect();
        let bits: Vec<u8> = (0..n.div_ceil(8)).map(|_| r.next_u64() as u8).collect();
        let validity = Validity::new(&bits, 3, n - 3).unwrap();
        let b: Vec<i32> = (0..n).map(|_| (r.next_u64() % 100) as i32 - 50).collect();
        let c: Vec<f32> = (0..n).map(|_| r.normalish() as f32).collect();
        let chunks = [
            Chunk::new(Values::F64(&a[3..]), Some(validity)),
            Chunk::new(Values::I32(&b), None),
            Chunk::new(Values::Null(40), None),
            Chunk::new(Values::F32(&c), None),
        ];
        let mut present: Vec<f64> = (3..n)
            .filter(|&i| validity.is_valid(i - 3))
            .map(|i| a[i])
            .collect();
        let nulls = (n - 3 - present.len()) as u64 + 40;
        present.extend(b.iter().map(|&x| f64::from(x)));
        present.extend(c.iter().map(|&x| f64::from(x)));
        let want = expected(&present);
        let nan = present.iter().filter(|x| x.is_nan()).count() as u64;
        let total = chunks.iter().map(|c| c.len()).sum();
        let mut tally = SortedSample::default();
        let got = sort_bucketed(&chunks, &mut tally, total);
        assert_same(&got, &want, "bucketed chunks");
        assert_eq!((tally.null_count, tally.nan_count), (nulls, nan));
        let s = SortedSample::from_chunks(&chunks);
        assert_same(s.values(), &want, "from_chunks");
        assert_eq!((s.null_count, s.nan_count), (nulls, nan));
    }

    fn rng_u64(v: &[f64]) -> u64 {
        thread_local!(static R: std::cell::Cell<u64> = const { std::cell::Cell::new(1) });
        let _ = v;
        R.with(|r| {
            let mut g = Rng::new(r.get());
            let x = g.next_u64();
            r.set(x);
            x
        })
    }

    /// Timings of the sort against `sort_unstable_by(f64::total_cmp)` and an LSD radix sort on
    /// 10M normal-ish values: `cargo test --release -p driftscope-core sort::tests::bench -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_sort_10m() {
        let n = 10_000_000;
        let mut rng = Rng::new(42);
        let v: Vec<f64> = (0..n).map(|_| rng.normalish()).collect();
        let time = |name: &str, f: &dyn Fn() -> Vec<f64>| {
            let mut best = f64::INFINITY;
            let mut out = Vec::new();
            for _ in 0..3 {
                let t = std::time::Instant::now();
                out = f();
                best = best.min(t.elapsed().as_secs_f64());
            }
            eprintln!("{name:<40} {:8.1} ms", best * 1e3);
            out
        };
        let a = time("SortedSample::from_vec (bucket sort)", &|| {
            SortedSample::from_vec(v.clone()).into_values()
        });
        let b = time("sort_unstable_by(total_cmp)", &|| {
            let mut w = v.clone();
            w.sort_unstable_by(f64::total_cmp);
            w
        });
        let ints: Vec<f64> = (0..n).map(|_| (rng_u64(&v) % 1000) as f64).collect();
        let d = time("LSD radix of keys", &|| {
            let mut k: Vec<u64> = v.iter().map(|&x| key(x)).collect();
            radix_sort(&mut k);
            keys_to_values(k)
        });
        time("LSD radix, integer-valued data", &|| {
            let mut k: Vec<u64> = ints.iter().map(|&x| key(x)).collect();
            radix_sort(&mut k);
            keys_to_values(k)
        });
        let e = time("pdqsort of keys (u64)", &|| {
            let mut k: Vec<u64> = v.iter().map(|&x| key(x)).collect();
            k.sort_unstable();
            keys_to_values(k)
        });
        assert_eq!(a, d);
        assert_eq!(a, e);
        time("sorted keys, integer-valued data", &|| {
            SortedSample::from_vec(ints.clone()).into_values()
        });
        time("total_cmp, integer-valued data", &|| {
            let mut w = ints.clone();
            w.sort_unstable_by(f64::total_cmp);
            w
        });
        let c = time("clone only", &|| v.clone());
        assert_eq!(a, b);
        assert_eq!(c.len(), n);
        let w = v.clone();
        time("two samples, rayon::join (2 x 10M)", &|| {
            let (x, _y) = rayon::join(
                || SortedSample::from_vec(v.clone()),
                || SortedSample::from_vec(w.clone()),
            );
            x.into_values()
        });
    }
}
