//! The distinct values of two ascending samples in pooled order, one merge step each: the
//! walk behind the rank-based tests (Anderson–Darling, Cramér–von Mises), which need per
//! distinct pooled value its count in each sample and the counts below it.

use rayon::prelude::*;

/// One distinct pooled value: `a[i0..i1]` and `b[j0..j1]` are the values equal to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    pub i0: usize,
    pub i1: usize,
    pub j0: usize,
    pub j1: usize,
}

impl Run {
    /// Pooled values below this one.
    #[inline(always)]
    pub fn below(&self) -> usize {
        self.i0 + self.j0
    }

    /// Multiplicity in the pooled sample.
    #[inline(always)]
    pub fn len(&self) -> usize {
        (self.i1 - self.i0) + (self.j1 - self.j0)
    }
}

/// A merge walk over two ascending (NaN-free) samples yielding one [`Run`] per distinct
/// pooled value. The common step, a value present once, is branch-free but for one
/// well-predicted test for ties (a data-dependent branch on which sample holds the smaller
/// value would be mispredicted half the time on interleaved samples, doubling the cost).
pub(crate) struct Runs<'s> {
    a: &'s [f64],
    b: &'s [f64],
    i: usize,
    j: usize,
}

impl<'s> Runs<'s> {
    pub fn new(a: &'s [f64], b: &'s [f64]) -> Self {
        Runs { a, b, i: 0, j: 0 }
    }
}

impl Iterator for Runs<'_> {
    type Item = Run;

    #[inline(always)]
    fn next(&mut self) -> Option<Run> {
        let (a, b) = (self.a, self.b);
        let (i0, j0) = (self.i, self.j);
        // `1 - (y < x)` rather than `x <= y` so that even a NaN makes progress; `min`, not a
        // branch, picks the value.
        let (ea, eb, v) = match (a.get(i0), b.get(j0)) {
            (Some(&x), Some(&y)) => (1 - usize::from(y < x), 1 - usize::from(x < y), x.min(y)),
            (Some(&x), None) => (1, 0, x),
            (None, Some(&y)) => (0, 1, y),
            (None, None) => return None,
        };
        let (mut i1, mut j1) = (i0 + ea, j0 + eb);
        if a.get(i1) == Some(&v) || b.get(j1) == Some(&v) {
            while a.get(i1) == Some(&v) {
                i1 += 1;
            }
            while b.get(j1) == Some(&v) {
                j1 += 1;
            }
        }
        self.i = i1;
        self.j = j1;
        Some(Run { i0, i1, j0, j1 })
    }
}

/// Walks the parts `bounds` of a merge of `a` and `b` (see [`crate::twosample::ks::merge_parts`]) in
/// parallel, calling `sinks[p]` with every run of part `p` in order (indices into the whole
/// samples). Each thread steps two parts in lockstep: a walk step waits on its own previous
/// step (load, compare, advance), and two independent chains overlap, ~2x faster.
pub(crate) fn walk_parts<S>(a: &[f64], b: &[f64], bounds: &[(usize, usize)], sinks: &mut [S])
where
    S: FnMut(Run) + Send,
{
    debug_assert_eq!(sinks.len() + 1, bounds.len());
    let part = |p: usize| {
        let (s, e) = (bounds[p], bounds[p + 1]);
        let walk = Runs::new(&a[s.0..e.0], &b[s.1..e.1]);
        walk.map(move |r| Run {
            i0: s.0 + r.i0,
            i1: s.0 + r.i1,
            j0: s.1 + r.j0,
            j1: s.1 + r.j1,
        })
    };
    sinks
        .par_chunks_mut(2)
        .enumerate()
        .for_each(|(c, pair)| match pair {
            [f, g] => {
                let (mut x, mut y) = (part(2 * c), part(2 * c + 1));
                loop {
                    match (x.next(), y.next()) {
                        (Some(r), Some(t)) => {
                            f(r);
                            g(t);
                        }
                        (Some(r), None) => {
                            f(r);
                            x.for_each(f);
                            break;
                        }
                        (None, Some(t)) => {
                            g(t);
                            y.for_each(g);
                            break;
                        }
                        (None, None) => break,
                    }
                }
            }
            [f] => part(2 * c).for_each(f),
            _ => {}
        });
}

/// Splits `buf` into consecutive pieces of the given lengths (cut short where `buf` ends,
/// which lengths taken from sorted samples never need).
pub(crate) fn split_lengths<T>(
    mut buf: &mut [T],
    lengths: impl IntoIterator<Item = usize>,
) -> Vec<&mut [T]> {
    let mut out = Vec::new();
    for len in lengths {
        let len = len.min(buf.len());
        let (head, tail) = std::mem::take(&mut buf).split_at_mut(len);
        out.push(head);
        buf = tail;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_group_ties_across_samples() {
        let a = [1.0, 2.0, 2.0, 5.0, f64::INFINITY];
        let b = [0.5, 2.0, 3.0, 5.0, 5.0, f64::INFINITY];
        let runs: Vec<(usize, usize, usize, usize)> = Runs::new(&a, &b)
            .map(|r| (r.i0, r.i1, r.j0, r.j1))
            .collect();
        assert_eq!(
            runs,
            vec![
                (0, 0, 0, 1),
                (0, 1, 1, 1),
                (1, 3, 1, 2),
                (3, 3, 2, 3),
                (3, 4, 3, 5),
                (4, 5, 5, 6),
            ]
        );
        let one: Vec<Run> = Runs::new(&[], &[4.0, 4.0]).collect();
        assert_eq!(one.len(), 1);
        assert_eq!((one[0].below(), one[0].len()), (0, 2));
        // NaN (outside the contract) still terminates.
        assert!(Runs::new(&[f64::NAN, 1.0], &[0.0, f64::NAN]).count() <= 4);
    }
}
