//! Exact two-sample statistics from a shared bucket census, sorting only what matters.
//!
//! The KS statistic is the largest gap between two empirical CDFs; Wasserstein-1 integrates
//! its absolute value. Neither needs the full sorted order of the data, only the order in
//! the few places where the answer is decided. So instead of sorting both samples:
//!
//! 1. A sample of both fixes one monotone map from a value to one of 2^16 buckets (the
//!    sort's [`Spread`]; equal values always share a bucket).
//! 2. One pass over each sample counts the values per bucket (both cores). That gives
//!    `F1 - F2` exactly at the last value of every bucket, and within bucket `k` the
//!    difference can only move between `d - m2/n2` and `d + m1/n1`, `d` being its value
//!    before the bucket and `m1`, `m2` the bucket's counts.
//! 3. *KS*: the largest value seen at a bucket end is a lower bound of the statistic; only
//!    buckets whose upper bound reaches it can hold the maximum or a tie with it (likewise
//!    for the minimum). *Wasserstein*: where the difference cannot change sign within a
//!    bucket, `∫|F1 - F2|` over it follows from its counts and the sums of its values'
//!    offsets from the bucket's lower edge, collected in the same pass; only buckets where
//!    the sign may change need their values in order.
//! 4. A second pass gathers the values of those buckets (typically a few percent of the
//!    data); they are sorted and walked with the ordinary merge walk, starting from the
//!    counts before each bucket, so ties, `statistic_location` and `statistic_sign` come out
//!    exactly as from the full walk (and as scipy's).
//!
//! Correctness never depends on the bucket map being good: a poor map only leaves more
//! buckets to sort, and when they would hold more than half of the data everything is simply
//! sorted. Small samples (under 2^18 values together) are sorted directly.

use crate::error::{Changed, Result};
use crate::io::column::{Chunk, Values};
use crate::numeric::sort::{
    for_each_valid, part_count, sample, sort_pair, split_parts, SortedSample, Spread, FINE,
};
use crate::twosample::ks::{
    cdf_diff, check_nonempty, ks_2samp_sorted, ks_pvalue, walk_segment, Alternative, Extremes,
    KsMethod, KsResult,
};
use crate::twosample::wasserstein::{cdf_distances_sorted, Accumulator};
use rayon::prelude::*;
use std::ops::Range;

/// What a test left out of a sample, or kept apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Skipped {
    /// Nulls skipped.
    pub null_count: u64,
    /// NaN skipped.
    pub nan_count: u64,
    /// `+inf` kept.
    pub pos_inf_count: u64,
    /// `-inf` kept.
    pub neg_inf_count: u64,
}

impl Skipped {
    /// Number of `±inf` values kept.
    pub fn inf_count(&self) -> u64 {
        self.pos_inf_count + self.neg_inf_count
    }
}

impl From<&SortedSample> for Skipped {
    fn from(s: &SortedSample) -> Self {
        Skipped {
            null_count: s.null_count,
            nan_count: s.nan_count,
            pos_inf_count: s.pos_inf_count,
            neg_inf_count: s.neg_inf_count,
        }
    }
}

/// Samples holding fewer values than this (both together) are sorted outright.
pub(crate) const CENSUS_MIN: usize = 1 << 18;
/// Sort everything when the buckets to gather hold more than `1 / GATHER_LIMIT` of it: the
/// census passes cost about a third of a full sort, so gathering and sorting half of the
/// values still pays.
const GATHER_LIMIT: usize = 2;
/// Slack on the pruning bounds, far above the rounding of `i / n1 - j / n2`.
const SLACK: f64 = 1e-9;

fn total(chunks: &[Chunk<'_>]) -> usize {
    chunks.iter().map(|c| c.len()).sum()
}

/// One bucket map for two columns, from a sample of each.
fn shared_spread(a: &[Chunk<'_>], b: &[Chunk<'_>]) -> Spread {
    let mut picked = sample(a, total(a));
    picked.extend(sample(b, total(b)));
    Spread::from_sample(&picked)
}

/// Values per bucket of one column and, when asked for, the sums of their offsets from
/// their bucket's lower edge.
#[derive(Debug, Clone)]
pub(crate) struct Census {
    pub(crate) counts: Vec<u32>,
    /// `Σ (x - spread.lower(k))` per bucket `k` (empty unless asked for; meaningless for
    /// buckets with an infinite edge).
    pub(crate) offsets: Vec<f64>,
    pub(crate) tally: SortedSample,
}

/// The parts a column's passes are split into, one per thread.
fn parts<'a>(chunks: &[Chunk<'a>]) -> Vec<Vec<Chunk<'a>>> {
    let n = total(chunks);
    split_parts(chunks, n, part_count(n))
}

/// Values mapped to buckets at a time: their bucket numbers stay in L1 cache.
const BLOCK: usize = 1024;

/// Calls `f(x, bucket)` for every valid value of `chunks` but NaN, counting what is skipped
/// into `tally`; `x` and its bucket come from one reading of the value (a column another
/// thread writes to could read differently twice). Plain float columns are mapped a block
/// at a time with [`Spread::ids_f64`]; for a pass that only counts (`VALUES` false, `f`
/// then gets 0 for `x`) it keeps no copy of the values.
fn for_each_bucketed<const VALUES: bool>(
    chunks: &[Chunk<'_>],
    spread: &Spread,
    tally: &mut SortedSample,
    mut f: impl FnMut(f64, usize),
) {
    let mut ids = [0u16; BLOCK];
    let mut vals = [0f64; BLOCK];
    for chunk in chunks {
        match (chunk.values, &chunk.validity) {
            (Values::F64(xs), None) => {
                for block in xs.chunks(BLOCK) {
                    let n = spread.ids_f64::<VALUES>(block, &mut ids, &mut vals, tally);
                    if VALUES {
                        for (&x, &k) in vals[..n].iter().zip(&ids[..n]) {
                            f(x, k as usize);
                        }
                    } else {
                        for &k in &ids[..n] {
                            f(0.0, k as usize);
                        }
                    }
                }
            }
            _ => for_each_valid::<true>(std::slice::from_ref(chunk), tally, |x| {
                f(x, spread.index(x))
            }),
        }
    }
}

impl Census {
    /// The census of `chunks` (fewer than 2^32 slots), its parts counted on all cores.
    pub(crate) fn take(chunks: &[Chunk<'_>], spread: &Spread, with_offsets: bool) -> Census {
        let lowers: Vec<f64> = if with_offsets {
            (0..=FINE).map(|k| spread.lower(k)).collect()
        } else {
            Vec::new()
        };
        let partial: Vec<Census> = parts(chunks)
            .par_iter()
            .map(|p| Census::take_part(p, spread, &lowers))
            .collect();
        let mut census = Census::empty(with_offsets);
        for p in partial {
            for (c, &x) in census.counts.iter_mut().zip(&p.counts) {
                *c += x;
            }
            for (s, &x) in census.offsets.iter_mut().zip(&p.offsets) {
                *s += x;
            }
            census.tally.null_count += p.tally.null_count;
            census.tally.nan_count += p.tally.nan_count;
            census.tally.pos_inf_count += p.tally.pos_inf_count;
            census.tally.neg_inf_count += p.tally.neg_inf_count;
        }
        census
    }

    fn empty(with_offsets: bool) -> Census {
        Census {
            counts: vec![0; FINE],
            offsets: if with_offsets {
                vec![0.0; FINE]
            } else {
                Vec::new()
            },
            tally: SortedSample::default(),
        }
    }

    /// One part's census; offsets are summed when `lowers` (every bucket's lower edge) is
    /// given.
    fn take_part(chunks: &[Chunk<'_>], spread: &Spread, lowers: &[f64]) -> Census {
        let mut c = Census::empty(!lowers.is_empty());
        let counts = &mut c.counts;
        if lowers.is_empty() {
            for_each_bucketed::<false>(chunks, spread, &mut c.tally, |_, k| counts[k] += 1);
        } else {
            let offsets = &mut c.offsets;
            for_each_bucketed::<true>(chunks, spread, &mut c.tally, |x, k| {
                counts[k] += 1;
                offsets[k] += x - lowers[k];
            });
        }
        c
    }

    /// Number of valid values counted.
    pub(crate) fn valid(&self) -> usize {
        self.counts.iter().map(|&c| c as usize).sum()
    }
}

/// The valid values of `chunks` that fall in the `wanted` buckets, sorted (`-0.0` as `+0.0`),
/// provided they are as many in every wanted bucket as the census `counts` of the same
/// column says; `Err(Changed)` if another thread changed the column between the two passes.
/// Then the statistic, computed from the census outside the wanted buckets and from these
/// values within them, is that of one consistent set of values.
pub(crate) fn gather(
    chunks: &[Chunk<'_>],
    spread: &Spread,
    wanted: &[bool],
    counts: &[u32],
) -> std::result::Result<Vec<f64>, Changed> {
    let picked: Vec<Vec<f64>> = parts(chunks)
        .par_iter()
        .map(|p| {
            let mut out = Vec::new();
            let mut unused = SortedSample::default();
            for_each_bucketed::<true>(p, spread, &mut unused, |x, k| {
                if wanted[k] {
                    out.push(x);
                }
            });
            out
        })
        .collect();
    let gathered = SortedSample::from_vec(picked.concat()).into_values();
    check_gathered(&gathered, spread, wanted, counts)?;
    Ok(gathered)
}

/// [`gather`] of two columns at once, each checked against its census: `None` if either
/// changed since.
fn gather_pair(
    columns: (&[Chunk<'_>], &[Chunk<'_>]),
    spread: &Spread,
    wanted: &[bool],
    census: (&Census, &Census),
) -> Option<(Vec<f64>, Vec<f64>)> {
    let (ga, gb) = rayon::join(
        || gather(columns.0, spread, wanted, &census.0.counts),
        || gather(columns.1, spread, wanted, &census.1.counts),
    );
    Some((ga.ok()?, gb.ok()?))
}

/// Whether the sorted `gathered` values hold exactly `counts[k]` values of every wanted
/// bucket `k`: buckets being monotone in the value, the first and last value of each
/// bucket's stretch decide, so the check costs a few operations per wanted bucket.
fn check_gathered(
    gathered: &[f64],
    spread: &Spread,
    wanted: &[bool],
    counts: &[u32],
) -> std::result::Result<(), Changed> {
    let mut at = 0usize;
    for (k, (&w, &c)) in wanted.iter().zip(counts).enumerate() {
        if !w || c == 0 {
            continue;
        }
        let end = at + c as usize;
        let run = gathered.get(at..end).ok_or(Changed)?;
        let (Some(&lo), Some(&hi)) = (run.first(), run.last()) else {
            return Err(Changed);
        };
        if spread.index(lo) != k || spread.index(hi) != k {
            return Err(Changed);
        }
        at = end;
    }
    if at == gathered.len() {
        Ok(())
    } else {
        Err(Changed)
    }
}

/// Whether ascending `v` holds no infinity.
pub(crate) fn finite_ends(v: &[f64]) -> bool {
    v.first().is_none_or(|x| x.is_finite()) && v.last().is_none_or(|x| x.is_finite())
}

/// The buckets that may hold the extremes of `F1 - F2` the alternative asks for, given the
/// per-bucket counts of the two samples.
pub(crate) fn ks_buckets(
    c1: &[u32],
    c2: &[u32],
    n1: usize,
    n2: usize,
    alternative: Alternative,
) -> Vec<bool> {
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut top, mut bottom) = (f64::NEG_INFINITY, f64::INFINITY);
    for (&x, &y) in c1.iter().zip(c2) {
        if x + y > 0 {
            i += x as usize;
            j += y as usize;
            let d = cdf_diff(i, n1f, j, n2f);
            top = top.max(d);
            bottom = bottom.min(d);
        }
    }
    let want_max = alternative != Alternative::Less;
    let want_min = alternative != Alternative::Greater;
    let (mut i, mut j) = (0usize, 0usize);
    c1.iter()
        .zip(c2)
        .map(|(&x, &y)| {
            let (x, y) = (x as usize, y as usize);
            let d = cdf_diff(i, n1f, j, n2f);
            i += x;
            j += y;
            x + y > 0
                && ((want_max && d + x as f64 / n1f >= top - SLACK)
                    || (want_min && d - y as f64 / n2f <= bottom + SLACK))
        })
        .collect()
}

/// A wanted bucket: its number, the ranges of its values in the two gathered arrays, and
/// the counts of each sample below it.
pub(crate) type Segment = (usize, Range<usize>, Range<usize>, (usize, usize));

/// The wanted buckets as slices of the gathered values.
pub(crate) fn segments(c1: &[u32], c2: &[u32], wanted: &[bool]) -> Vec<Segment> {
    let (mut i, mut j, mut g1, mut g2) = (0usize, 0usize, 0usize, 0usize);
    let mut out = Vec::new();
    for (k, ((&x, &y), &w)) in c1.iter().zip(c2).zip(wanted).enumerate() {
        let (x, y) = (x as usize, y as usize);
        if w {
            out.push((k, g1..g1 + x, g2..g2 + y, (i, j)));
            g1 += x;
            g2 += y;
        }
        i += x;
        j += y;
    }
    out
}

/// `v[r]`, or an empty slice if the census and the gathered values ever disagreed.
pub(crate) fn slice(v: &[f64], r: Range<usize>) -> &[f64] {
    v.get(r).unwrap_or(&[])
}

/// Folds the extremes of ascending, value-disjoint walks into one.
pub(crate) fn fold_extremes(walks: &[Extremes]) -> Extremes {
    let mut ext = Extremes::new();
    for w in walks {
        ext.then(w);
    }
    ext
}

/// A two-sample KS test on two columns, `scipy.stats.ks_2samp(a, b, alternative, method)`,
/// with what each sample left out. See the module documentation.
pub fn ks_2samp_chunks(
    a: &[Chunk<'_>],
    b: &[Chunk<'_>],
    alternative: Alternative,
    method: KsMethod,
) -> Result<(KsResult, Skipped, Skipped)> {
    ks_2samp_in((a, b), (a, b), alternative, method)
}

/// [`ks_2samp_chunks`] whose passes after the census read `later`, the same two columns
/// (only tests pass other values, standing for columns changed between the passes). When
/// the gathering pass finds a column changed, both are sorted afresh from `later`.
fn ks_2samp_in(
    (a, b): (&[Chunk<'_>], &[Chunk<'_>]),
    later: (&[Chunk<'_>], &[Chunk<'_>]),
    alternative: Alternative,
    method: KsMethod,
) -> Result<(KsResult, Skipped, Skipped)> {
    let sorted = |a: &[Chunk<'_>], b: &[Chunk<'_>]| -> Result<(KsResult, Skipped, Skipped)> {
        let (sa, sb) = sort_pair(a, b);
        let r = ks_2samp_sorted(sa.values(), sb.values(), alternative, method)?;
        Ok((r, (&sa).into(), (&sb).into()))
    };
    let (t1, t2) = (total(a), total(b));
    if t1 + t2 < CENSUS_MIN || t1 > u32::MAX as usize || t2 > u32::MAX as usize {
        return sorted(a, b);
    }
    let spread = shared_spread(a, b);
    let (ca, cb) = rayon::join(
        || Census::take(a, &spread, false),
        || Census::take(b, &spread, false),
    );
    let (n1, n2) = (ca.valid(), cb.valid());
    check_nonempty(n1, n2, "ks_2samp")?;
    let wanted = ks_buckets(&ca.counts, &cb.counts, n1, n2, alternative);
    if gathered_too_many(&ca.counts, &cb.counts, &wanted) {
        return sorted(later.0, later.1);
    }
    let Some((ga, gb)) = gather_pair(later, &spread, &wanted, (&ca, &cb)) else {
        return sorted(later.0, later.1);
    };
    let n = (n1 as f64, n2 as f64);
    let walks: Vec<Extremes> = segments(&ca.counts, &cb.counts, &wanted)
        .into_par_iter()
        .with_min_len(16)
        .map(|(_, r1, r2, before)| walk_segment(slice(&ga, r1), slice(&gb, r2), before, n))
        .collect();
    let stat = fold_extremes(&walks).statistic(n1, n2, alternative);
    Ok((
        ks_pvalue(&stat, method),
        (&ca.tally).into(),
        (&cb.tally).into(),
    ))
}

/// True when the wanted buckets hold so many values that sorting everything is as cheap.
pub(crate) fn gathered_too_many(c1: &[u32], c2: &[u32], wanted: &[bool]) -> bool {
    let (mut want, mut all) = (0usize, 0usize);
    for ((&x, &y), &w) in c1.iter().zip(c2).zip(wanted) {
        let m = x as usize + y as usize;
        all += m;
        if w {
            want += m;
        }
    }
    want * GATHER_LIMIT > all
}

/// `scipy.stats.wasserstein_distance(a, b)` of two columns, with what each sample left out.
/// See the module documentation.
pub fn wasserstein_chunks(a: &[Chunk<'_>], b: &[Chunk<'_>]) -> Result<(f64, Skipped, Skipped)> {
    wasserstein_in((a, b), (a, b))
}

/// [`wasserstein_chunks`] whose passes after the census read `later`, as in [`ks_2samp_in`].
fn wasserstein_in(
    (a, b): (&[Chunk<'_>], &[Chunk<'_>]),
    later: (&[Chunk<'_>], &[Chunk<'_>]),
) -> Result<(f64, Skipped, Skipped)> {
    let sorted = |a: &[Chunk<'_>], b: &[Chunk<'_>]| -> Result<(f64, Skipped, Skipped)> {
        let (sa, sb) = sort_pair(a, b);
        let r = cdf_distances_sorted(sa.values(), sb.values())?;
        Ok((r.wasserstein, (&sa).into(), (&sb).into()))
    };
    let (t1, t2) = (total(a), total(b));
    if t1 + t2 < CENSUS_MIN || t1 > u32::MAX as usize || t2 > u32::MAX as usize {
        return sorted(a, b);
    }
    let spread = shared_spread(a, b);
    let (ca, cb) = rayon::join(
        || Census::take(a, &spread, true),
        || Census::take(b, &spread, true),
    );
    let (n1, n2) = (ca.valid(), cb.valid());
    check_nonempty(n1, n2, "wasserstein_distance")?;
    if ca.tally.inf_count() + cb.tally.inf_count() > 0 {
        // Infinite gaps make inf or NaN by IEEE rules; the sorted walk reproduces scipy's.
        return sorted(later.0, later.1);
    }
    let wanted = wasserstein_buckets(&spread, &ca.counts, &cb.counts, n1, n2);
    if gathered_too_many(&ca.counts, &cb.counts, &wanted) {
        return sorted(later.0, later.1);
    }
    let Some((ga, gb)) = gather_pair(later, &spread, &wanted, (&ca, &cb)) else {
        return sorted(later.0, later.1);
    };
    if !finite_ends(&ga) || !finite_ends(&gb) {
        // The census saw no infinity, this pass did: changed too.
        return sorted(later.0, later.1);
    }
    let w = wasserstein_from_census(&spread, (&ca, &cb), (n1, n2), &wanted, |r1, r2, _| {
        (slice(&ga, r1), slice(&gb, r2))
    });
    Ok((w, (&ca.tally).into(), (&cb.tally).into()))
}

/// The buckets where `F1 - F2` may change sign, or that have an open edge: there
/// Wasserstein needs the values in order.
pub(crate) fn wasserstein_buckets(
    spread: &Spread,
    c1: &[u32],
    c2: &[u32],
    n1: usize,
    n2: usize,
) -> Vec<bool> {
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let (mut i, mut j) = (0usize, 0usize);
    c1.iter()
        .zip(c2)
        .enumerate()
        .map(|(k, (&x, &y))| {
            let (x, y) = (x as usize, y as usize);
            let d = cdf_diff(i, n1f, j, n2f);
            i += x;
            j += y;
            let width = spread.lower(k + 1) - spread.lower(k);
            x + y > 0
                && (!width.is_finite() || (d - y as f64 / n2f < 0.0 && d + x as f64 / n1f > 0.0))
        })
        .collect()
}

/// `∫ |F1 - F2|` from the censuses (with offsets) of two samples of sizes `n`: the `wanted`
/// buckets are integrated exactly over their values in order, which `values(r1, r2,
/// before)` gives (the ranges are as in [`segments`]); the others from counts and offsets.
pub(crate) fn wasserstein_from_census<'v>(
    spread: &Spread,
    census: (&Census, &Census),
    n: (usize, usize),
    wanted: &[bool],
    values: impl Fn(Range<usize>, Range<usize>, (usize, usize)) -> (&'v [f64], &'v [f64]) + Sync,
) -> f64 {
    let (ca, cb) = census;
    let (n1, n2) = n;
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    let mut exact: Vec<Accumulator> = segments(&ca.counts, &cb.counts, wanted)
        .into_par_iter()
        .with_min_len(16)
        .map(|(k, r1, r2, before)| {
            let edges = (spread.lower(k), spread.lower(k + 1));
            let (a, b) = values(r1, r2, before);
            integrate_segment(a, b, before, (n1f, n2f), edges)
        })
        .collect();
    exact.reverse();
    let mut total = Accumulator::default();
    let (mut i, mut j) = (0usize, 0usize);
    for (k, &w) in wanted.iter().enumerate() {
        let (x, y) = (ca.counts[k] as usize, cb.counts[k] as usize);
        let d = cdf_diff(i, n1f, j, n2f);
        i += x;
        j += y;
        if w {
            if let Some(acc) = exact.pop() {
                total.merge(&acc);
            }
        } else if x + y > 0 || d != 0.0 {
            // F1 - F2 keeps one sign over the bucket: integrate it from the counts and sums.
            // (It is zero over the open-ended stretches before and after all the values.)
            let width = spread.lower(k + 1) - spread.lower(k);
            let mut integral = d * width;
            if x > 0 {
                integral += (x as f64 * width - ca.offsets[k]) / n1f;
            }
            if y > 0 {
                integral -= (y as f64 * width - cb.offsets[k]) / n2f;
            }
            total.add(integral.abs());
        }
    }
    total.value()
}

/// `∫ |F1 - F2|` over the value range `edges` holding exactly the values `a` and `b`
/// (ascending) of the two samples, `before` counting the values of each sample below it.
fn integrate_segment(
    a: &[f64],
    b: &[f64],
    before: (usize, usize),
    n: (f64, f64),
    edges: (f64, f64),
) -> Accumulator {
    let (n1f, n2f) = n;
    let mut acc = Accumulator::default();
    let (e1, e2) = (a.len(), b.len());
    let (mut i, mut j) = (0usize, 0usize);
    let mut at = edges.0;
    let mut diff = cdf_diff(before.0, n1f, before.1, n2f);
    while i < e1 || j < e2 {
        let from_a = j >= e2 || (i < e1 && a[i] <= b[j]);
        let v = if from_a { a[i] } else { b[j] };
        // Zero differences are skipped: they span the open edges below the first value and
        // above the last one.
        if diff != 0.0 {
            acc.add(diff.abs() * (v - at));
        }
        // The value taken is passed unconditionally, so the walk ends even on values out of
        // order or NaN (which sorted samples never hold).
        if from_a {
            i += 1;
        } else {
            j += 1;
        }
        while i < e1 && a[i] == v {
            i += 1;
        }
        while j < e2 && b[j] == v {
            j += 1;
        }
        diff = cdf_diff(before.0 + i, n1f, before.1 + j, n2f);
        at = v;
    }
    if diff != 0.0 {
        acc.add(diff.abs() * (edges.1 - at));
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numeric::sort::tests::Rng;
    use crate::twosample::ks::ks_2samp_sorted;

    fn chunk(v: &[f64]) -> Vec<Chunk<'_>> {
        vec![Chunk::new(Values::F64(v), None)]
    }

    fn sorted(v: &[f64]) -> Vec<f64> {
        SortedSample::from_vec(v.to_vec()).into_values()
    }

    /// Pairs of samples meant to stress the pruning: shifted, scaled, tied, discrete,
    /// identical, disjoint, with zeros of both signs and wide magnitudes.
    fn cases() -> Vec<(String, Vec<f64>, Vec<f64>)> {
        let mut rng = Rng::new(7);
        let n = 200_000;
        let mut out = Vec::new();
        let normal = |rng: &mut Rng, n: usize, mu: f64, s: f64| -> Vec<f64> {
            (0..n).map(|_| mu + s * rng.normalish()).collect()
        };
        let a = normal(&mut rng, n, 0.0, 1.0);
        out.push(("same".into(), a.clone(), normal(&mut rng, n, 0.0, 1.0)));
        out.push((
            "shift".into(),
            a.clone(),
            normal(&mut rng, n + 17, 0.01, 1.0),
        ));
        out.push(("scale".into(), a.clone(), normal(&mut rng, n / 3, 0.0, 1.5)));
        out.push(("identical".into(), a.clone(), a.clone()));
        out.push((
            "disjoint".into(),
            a.clone(),
            normal(&mut rng, n, 100.0, 1.0),
        ));
        let ints = |rng: &mut Rng, n: usize, m: u64| -> Vec<f64> {
            (0..n).map(|_| (rng.next_u64() % m) as f64).collect()
        };
        out.push(("ties".into(), ints(&mut rng, n, 50), ints(&mut rng, n, 51)));
        out.push((
            "two values".into(),
            ints(&mut rng, n, 2),
            ints(&mut rng, n, 2),
        ));
        let zeros: Vec<f64> = (0..n)
            .map(|i| match i % 3 {
                0 => -0.0,
                1 => 0.0,
                _ => rng.normalish() * 1e-300,
            })
            .collect();
        out.push(("zeros".into(), zeros, normal(&mut rng, n, 0.0, 1e-300)));
        let wide: Vec<f64> = (0..n)
            .map(|_| rng.normalish() * 10f64.powi((rng.next_u64() % 600) as i32 - 300))
            .collect();
        out.push(("wide".into(), wide, normal(&mut rng, n, 0.0, 1e10)));
        // Outliers far beyond the sampled range land in the end buckets.
        let mut spiky = normal(&mut rng, n, 0.0, 1.0);
        spiky[5] = 1e300;
        spiky[6] = -1e300;
        spiky[7] = f64::MAX;
        out.push(("spiky".into(), spiky, normal(&mut rng, n, 0.0, 1.0)));
        out
    }

    #[test]
    fn ks_matches_the_full_walk() {
        for (name, a, b) in cases() {
            let (sa, sb) = (sorted(&a), sorted(&b));
            for alt in [
                Alternative::TwoSided,
                Alternative::Less,
                Alternative::Greater,
            ] {
                let want = ks_2samp_sorted(&sa, &sb, alt, KsMethod::Asymp).unwrap();
                let (got, _, _) =
                    ks_2samp_chunks(&chunk(&a), &chunk(&b), alt, KsMethod::Asymp).unwrap();
                assert_eq!(
                    got.statistic.to_bits(),
                    want.statistic.to_bits(),
                    "{name} {alt:?}"
                );
                assert_eq!(
                    got.statistic_location.to_bits(),
                    want.statistic_location.to_bits(),
                    "{name} {alt:?}"
                );
                assert_eq!(got.statistic_sign, want.statistic_sign, "{name} {alt:?}");
                assert_eq!(
                    got.pvalue.to_bits(),
                    want.pvalue.to_bits(),
                    "{name} {alt:?}"
                );
            }
        }
    }

    #[test]
    fn ecdf_ks_and_wasserstein_match_the_full_walk() {
        for (name, a, b) in cases() {
            let ecdf =
                crate::twosample::ecdf::Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
            let sa = sorted(&a);
            for m in [b.len(), 10_000] {
                let batch = &b[..m];
                let sb = sorted(batch);
                for alt in [
                    Alternative::TwoSided,
                    Alternative::Less,
                    Alternative::Greater,
                ] {
                    let want = ks_2samp_sorted(&sa, &sb, alt, KsMethod::Auto).unwrap();
                    let (got, _) = ecdf.ks_chunks(&chunk(batch), alt, KsMethod::Auto).unwrap();
                    assert_eq!(got, want, "{name} {m} {alt:?}");
                }
                let want = cdf_distances_sorted(&sa, &sb).unwrap().wasserstein;
                let (got, _) = ecdf.wasserstein_chunks(&chunk(batch)).unwrap();
                assert!(
                    (got - want).abs() <= 1e-13 * want.abs(),
                    "{name} {m}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn wasserstein_matches_the_full_walk() {
        for (name, a, b) in cases() {
            let want = cdf_distances_sorted(&sorted(&a), &sorted(&b))
                .unwrap()
                .wasserstein;
            let (got, _, _) = wasserstein_chunks(&chunk(&a), &chunk(&b)).unwrap();
            let tol = 1e-13 * want.abs();
            assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
        }
    }

    /// Columns as another thread may have rewritten `a` between the census and the gathering
    /// pass.
    fn rewritten(a: &[f64]) -> Vec<(&'static str, Vec<f64>)> {
        let mut some_nan = a.to_vec();
        for x in some_nan.iter_mut().step_by(101) {
            *x = f64::NAN;
        }
        let mut spiky = a.to_vec();
        spiky[10] = f64::INFINITY;
        vec![
            ("all NaN", vec![f64::NAN; a.len()]),
            ("some NaN", some_nan),
            ("scaled", a.iter().map(|x| x * 1.5).collect()),
            ("huge", a.iter().map(|x| x * 1e300).collect()),
            ("zeros", vec![0.0; a.len()]),
            ("ties", a.iter().map(|x| x.round()).collect()),
            ("infinite", spiky),
        ]
    }

    /// Checks a result computed with one column read first and changed for the passes
    /// after: it is the statistic of one of the two readings (`first` and `second`, found by
    /// sorting; `same` compares), of the second if `moved` (a change too big to miss).
    fn one_reading<T: std::fmt::Debug>(
        got: Result<T>,
        first: Result<T>,
        second: Result<T>,
        moved: bool,
        same: impl Fn(&T, &T) -> bool,
        what: &str,
    ) {
        let like = |x: &Result<T>| match (&got, x) {
            (Ok(g), Ok(w)) => same(g, w),
            (Err(e), Err(w)) => e == w,
            _ => false,
        };
        assert!(
            like(&second) || (!moved && like(&first)),
            "{what}: {got:?}, not {second:?} (or {first:?})"
        );
    }

    #[test]
    fn a_column_changed_before_the_gathering_pass_is_tested_from_one_reading() {
        let mut rng = Rng::new(17);
        let a: Vec<f64> = (0..200_000).map(|_| rng.normalish()).collect();
        let b: Vec<f64> = (0..150_000).map(|_| 0.05 + rng.normalish()).collect();
        let (ca, cb) = (chunk(&a), chunk(&b));
        let spread = shared_spread(&ca, &cb);
        let census = Census::take(&ca, &spread, false);
        let wanted = vec![true; FINE];
        assert!(gather(&ca, &spread, &wanted, &census.counts).is_ok());
        let sa = SortedSample::from_vec(a.clone());
        let sb = SortedSample::from_vec(b.clone());
        let ecdf = crate::twosample::ecdf::Ecdf::new(sb.clone()).unwrap();
        for (name, later) in rewritten(&a) {
            let cl = chunk(&later);
            // Gathering every bucket, the second pass notices any change...
            assert_eq!(
                gather(&cl, &spread, &wanted, &census.counts),
                Err(Changed),
                "{name}"
            );
            // ...and where the tests gather a few buckets, the statistic is that of one
            // reading: of the new values when the change reaches the gathered buckets (these
            // rewrites but the last three change every value), else of the old ones.
            let moved = !["some NaN", "ties", "infinite"].contains(&name);
            let sl = SortedSample::from_vec(later.clone());
            for alt in [Alternative::TwoSided, Alternative::Less] {
                let ks = |s: &SortedSample| {
                    let r = ks_2samp_sorted(s.values(), sb.values(), alt, KsMethod::Asymp)?;
                    Ok((r, Skipped::from(s)))
                };
                let got = ks_2samp_in((&ca, &cb), (&cl, &cb), alt, KsMethod::Asymp)
                    .map(|(r, s, _)| (r, s));
                let what = format!("{name} {alt:?}");
                one_reading(got, ks(&sa), ks(&sl), moved, |x, y| x == y, &what);
            }
            // The census path is exact to ~1e-13, the fallback bit for bit.
            let close = |x: &(f64, Skipped), y: &(f64, Skipped)| {
                x.1 == y.1 && (x.0 == y.0 || (x.0 - y.0).abs() <= 1e-12 * y.0.abs())
            };
            let w = |s: &SortedSample| {
                let w = cdf_distances_sorted(s.values(), sb.values())?.wasserstein;
                Ok((w, Skipped::from(s)))
            };
            let got = wasserstein_in((&ca, &cb), (&cl, &cb)).map(|(w, s, _)| (w, s));
            let what = format!("{name}: wasserstein");
            one_reading(got, w(&sa), w(&sl), moved, close, &what);
            // The same through a reference's census.
            let ks = |s: &SortedSample| ecdf.ks(s.values(), Alternative::TwoSided, KsMethod::Auto);
            let got = ecdf
                .ks_chunks_in(&ca, &cl, Alternative::TwoSided, KsMethod::Auto)
                .map(|r| r.0);
            let what = format!("{name}: ECDF.ks");
            one_reading(got, ks(&sa), ks(&sl), moved, |x, y| x == y, &what);
            let w = |s: &SortedSample| Ok((ecdf.wasserstein(s.values())?, Skipped::from(s)));
            let got = ecdf.wasserstein_chunks_in(&ca, &cl);
            let what = format!("{name}: ECDF.wasserstein");
            one_reading(got, w(&sa), w(&sl), moved, close, &what);
        }
    }

    #[test]
    fn segment_walk_ends_on_nan_or_disorder() {
        // Gathered values are sorted and NaN-free; should they ever not be, the walk still
        // passes one value at least per step.
        let n = (4.0, 3.0);
        for (a, b) in [
            (vec![f64::NAN, 1.0], vec![0.5, f64::NAN, 2.0]),
            (vec![3.0, 1.0, 2.0], vec![f64::NAN]),
            (vec![f64::NAN; 3], vec![f64::NAN; 2]),
        ] {
            let _ = integrate_segment(&a, &b, (1, 1), n, (0.0, 4.0));
        }
    }

    #[test]
    fn prunes_most_buckets_on_similar_samples() {
        let mut rng = Rng::new(3);
        let a: Vec<f64> = (0..1_000_000).map(|_| rng.normalish()).collect();
        let b: Vec<f64> = (0..1_000_000).map(|_| rng.normalish()).collect();
        let spread = shared_spread(&chunk(&a), &chunk(&b));
        let ca = Census::take(&chunk(&a), &spread, false);
        let cb = Census::take(&chunk(&b), &spread, false);
        let wanted = ks_buckets(
            &ca.counts,
            &cb.counts,
            a.len(),
            b.len(),
            Alternative::TwoSided,
        );
        let kept: usize = wanted
            .iter()
            .zip(ca.counts.iter().zip(&cb.counts))
            .filter(|(w, _)| **w)
            .map(|(_, (&x, &y))| (x + y) as usize)
            .sum();
        assert!(kept * 10 < a.len() + b.len(), "kept {kept}");
    }

    #[test]
    fn bucket_edges_bracket_their_values() {
        let mut rng = Rng::new(11);
        let sample: Vec<f64> = (0..1000).map(|_| rng.normalish() * 3.0).collect();
        let spread = Spread::from_sample(&sample);
        for _ in 0..100_000 {
            let x = rng.normalish() * 10f64.powi((rng.next_u64() % 40) as i32 - 20);
            let k = spread.index(x);
            assert!(
                spread.lower(k) <= x && x < spread.lower(k + 1),
                "{x} in {k}"
            );
        }
        for x in [0.0, -0.0, f64::MIN_POSITIVE, -f64::MAX, f64::MAX, 5e-324] {
            let k = spread.index(x);
            assert!(
                spread.lower(k) <= x && x < spread.lower(k + 1),
                "{x} in {k}"
            );
        }
    }

    #[test]
    fn vector_bucket_ids_equal_scalar_ones() {
        let mut rng = Rng::new(5);
        let sample: Vec<f64> = (0..1000).map(|_| rng.normalish()).collect();
        let spread = Spread::from_sample(&sample);
        let mut xs: Vec<f64> = (0..10_001)
            .map(|i| match i % 7 {
                0 => f64::from_bits(rng.next_u64()),
                1 => -0.0,
                _ => rng.normalish() * 10f64.powi((rng.next_u64() % 20) as i32 - 10),
            })
            .collect();
        xs.extend([
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            -f64::MAX,
        ]);
        let mut ids = vec![0; xs.len()];
        let mut vals = vec![0.0; xs.len()];
        let mut tally = SortedSample::default();
        let n = spread.ids_f64::<true>(&xs, &mut ids, &mut vals, &mut tally);
        ids.truncate(n);
        vals.truncate(n);
        let want: Vec<u16> = xs
            .iter()
            .filter(|x| !x.is_nan())
            .map(|&x| spread.index(x) as u16)
            .collect();
        assert_eq!(ids, want);
        // The values written beside their buckets are the input's, NaN left out, bit for bit.
        let kept: Vec<u64> = xs
            .iter()
            .filter(|x| !x.is_nan())
            .map(|x| x.to_bits())
            .collect();
        assert_eq!(vals.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), kept);
        assert_eq!(tally.nan_count as usize, xs.len() - want.len());
        let infs = xs.iter().filter(|x| x.is_infinite()).count() as u64;
        assert_eq!(tally.inf_count(), infs);
    }

    #[test]
    fn empty_samples_and_skip_counts() {
        let big: Vec<f64> = (0..300_000).map(|i| i as f64).collect();
        let nans = vec![f64::NAN; 300_000];
        for b in [&[][..], &nans[..]] {
            let e = ks_2samp_chunks(
                &chunk(&big),
                &chunk(b),
                Alternative::TwoSided,
                KsMethod::Auto,
            )
            .unwrap_err();
            assert!(e.to_string().contains("second sample is empty"), "{e}");
            assert!(wasserstein_chunks(&chunk(b), &chunk(&big)).is_err());
        }
        let mut b = big.clone();
        b[0] = f64::NAN;
        b[1] = f64::INFINITY;
        let (r, s1, s2) = ks_2samp_chunks(
            &chunk(&big),
            &chunk(&b),
            Alternative::TwoSided,
            KsMethod::Auto,
        )
        .unwrap();
        assert_eq!((r.n1, r.n2), (300_000, 299_999));
        assert_eq!(s1, Skipped::default());
        assert_eq!((s2.nan_count, s2.pos_inf_count), (1, 1));
        let (w, _, s2) = wasserstein_chunks(&chunk(&big), &chunk(&b)).unwrap();
        assert_eq!(w, f64::INFINITY);
        assert_eq!(s2.nan_count, 1);
    }
}
