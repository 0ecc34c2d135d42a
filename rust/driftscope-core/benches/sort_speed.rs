//! Rust-only timing of `SortedSample::from_chunks`, the sort behind every exact two-sample
//! test, against the comparison sorts it replaced (pattern-defeating quicksort on the
//! total-order keys, and `sort_unstable_by(f64::total_cmp)`), best of several runs.
//! Run: cargo bench -p driftscope-core --bench sort_speed [-- SHAPE|pair|small]
use common::{best, Rng};
use driftscope_core::numeric::sort::{sort_pair, SortedSample};
use driftscope_core::{Chunk, Values};

mod common;

/// The sort `from_chunks` used before: total-order keys, `sort_unstable`, back to floats.
fn pdq_keys(v: &[f64]) -> Vec<f64> {
    let mut keys: Vec<u64> = v
        .iter()
        .filter(|x| !x.is_nan())
        .map(|&x| {
            let bits = (x + 0.0).to_bits();
            bits ^ (((bits as i64 >> 63) as u64) | (1 << 63))
        })
        .collect();
    keys.sort_unstable();
    keys.into_iter()
        .map(|k| f64::from_bits(k ^ (((!k as i64 >> 63) as u64) | (1 << 63))))
        .collect()
}

fn total_cmp(v: &[f64]) -> Vec<f64> {
    let mut w: Vec<f64> = v.iter().filter(|x| !x.is_nan()).map(|x| x + 0.0).collect();
    w.sort_unstable_by(f64::total_cmp);
    w
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn main() {
    let only = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let run = |what: &str| only.is_empty() || what.contains(only.as_str());
    let reps = 7;
    let n = 10_000_000;
    let mut rng = Rng(42);
    let shapes: Vec<(&str, Vec<f64>)> = vec![
        ("normal", (0..n).map(|_| rng.normalish()).collect()),
        ("uniform", (0..n).map(|_| rng.uniform()).collect()),
        ("lognormal", (0..n).map(|_| rng.normalish().exp()).collect()),
        (
            "integers",
            (0..n).map(|_| (rng.next_u64() % 1000) as f64).collect(),
        ),
        (
            "heavy tail",
            (0..n)
                .map(|_| (rng.uniform() - 0.5) / (rng.uniform() + 1e-12))
                .collect(),
        ),
        ("sorted", (0..n).map(|i| i as f64 * 0.5 - 1e6).collect()),
    ];
    println!("10M float64, best of {reps} (ms):");
    for (name, v) in &shapes {
        if !run(name) {
            continue;
        }
        let chunk = [Chunk::new(Values::F64(v), None)];
        let sorted = SortedSample::from_chunks(&chunk);
        assert!(same(sorted.values(), &pdq_keys(v)), "{name}: wrong order");
        let ours = best(reps, || SortedSample::from_chunks(&chunk));
        let pdq = best(reps, || pdq_keys(v));
        let cmp = best(reps, || total_cmp(v));
        println!(
            "  {name:<10}  from_chunks {:7.1}   pdq on keys {:7.1} ({:.2}x)   total_cmp {:7.1} ({:.2}x)",
            ours * 1e3,
            pdq * 1e3,
            pdq / ours,
            cmp * 1e3,
            cmp / ours
        );
    }
    if run("pair") {
        let a = &shapes[0].1;
        let b: Vec<f64> = a.iter().map(|x| x + 0.001).collect();
        let (ca, cb) = (
            [Chunk::new(Values::F64(a), None)],
            [Chunk::new(Values::F64(&b), None)],
        );
        let ours = best(reps, || sort_pair(&ca, &cb));
        let one = best(reps, || SortedSample::from_chunks(&ca));
        let pdq = best(reps, || rayon::join(|| pdq_keys(a), || pdq_keys(&b)));
        println!(
            "  2 x 10M normal, sort_pair {:7.1}   (one sample {:.1})   pdq on keys, rayon::join {:7.1} ({:.2}x)",
            ours * 1e3,
            one * 1e3,
            pdq * 1e3,
            pdq / ours
        );
    }
    if run("small") {
        println!("small normal samples, best of {reps} (us per sort):");
        for m in [10usize, 100, 1000, 10_000, 100_000, 1_000_000] {
            let v: Vec<f64> = (0..m).map(|_| rng.normalish()).collect();
            let chunk = [Chunk::new(Values::F64(&v), None)];
            assert!(same(
                SortedSample::from_chunks(&chunk).values(),
                &pdq_keys(&v)
            ));
            let inner = (1_000_000 / m).max(1);
            let per = |t: f64| t / inner as f64 * 1e6;
            let ours = best(reps, || {
                (0..inner)
                    .map(|_| SortedSample::from_chunks(&chunk).len())
                    .sum::<usize>()
            });
            let pdq = best(reps, || {
                (0..inner).map(|_| pdq_keys(&v).len()).sum::<usize>()
            });
            println!(
                "  n = {m:<9} from_chunks {:10.2}   pdq on keys {:10.2} ({:.2}x)",
                per(ours),
                per(pdq),
                pdq / ours
            );
        }
    }
}
