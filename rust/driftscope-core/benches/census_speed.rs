//! Rust-only timing of the census path of `ks_2samp` and `wasserstein_distance` (bucket
//! counts, then only the deciding buckets sorted) against sorting both samples and walking
//! them, on 10M vs 10M normal values, best of several runs.
//! Run: cargo bench -p driftscope-core --bench census_speed [-- N]
#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is the point
use driftscope_core::numeric::sort::sort_pair;
use driftscope_core::twosample::census::{ks_2samp_chunks, wasserstein_chunks};
use driftscope_core::twosample::ks::{ks_2samp_sorted, Alternative, KsMethod};
use driftscope_core::twosample::wasserstein::cdf_distances_sorted;
use driftscope_core::{Chunk, Values};
use std::time::Instant;

mod common;
use common::Rng;

/// CPU time of the whole process (all threads), in ms: on a shared machine it says what
/// the work costs even when the wall clock is stretched by other processes.
fn cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec into the valid pointer given.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 * 1e-6
}

/// Best wall time and best CPU time of several runs, in ms.
fn best_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    (0..runs)
        .map(|_| {
            let (t, c) = (Instant::now(), cpu_ms());
            f();
            (t.elapsed().as_secs_f64() * 1e3, cpu_ms() - c)
        })
        .fold((f64::INFINITY, f64::INFINITY), |(w, c), (x, y)| {
            (w.min(x), c.min(y))
        })
}

fn line(what: &str, old: (f64, f64), new: (f64, f64)) {
    println!(
        "{what}: sort+walk {:.1} ms ({:.1} ms CPU), census {:.1} ms ({:.1} ms CPU): {:.1}x wall, {:.1}x CPU",
        old.0,
        old.1,
        new.0,
        new.1,
        old.0 / new.0,
        old.1 / new.1
    );
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let mut rng = Rng(1);
    let a: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let b: Vec<f64> = (0..n).map(|_| 0.001 + rng.normal()).collect();
    let ca = [Chunk::new(Values::F64(&a), None)];
    let cb = [Chunk::new(Values::F64(&b), None)];
    let method = KsMethod::Auto;
    let alt = Alternative::TwoSided;
    let sorted_ks = best_ms(3, || {
        let (sa, sb) = sort_pair(&ca, &cb);
        std::hint::black_box(ks_2samp_sorted(sa.values(), sb.values(), alt, method).unwrap());
    });
    let census_ks = best_ms(5, || {
        std::hint::black_box(ks_2samp_chunks(&ca, &cb, alt, method).unwrap());
    });
    line(&format!("ks_2samp {n} vs {n}"), sorted_ks, census_ks);
    let sorted_w = best_ms(3, || {
        let (sa, sb) = sort_pair(&ca, &cb);
        std::hint::black_box(cdf_distances_sorted(sa.values(), sb.values()).unwrap());
    });
    let census_w = best_ms(5, || {
        std::hint::black_box(wasserstein_chunks(&ca, &cb).unwrap());
    });
    line(&format!("wasserstein {n} vs {n}"), sorted_w, census_w);
}
