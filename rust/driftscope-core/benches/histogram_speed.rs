//! Rust-only timings of the histogram kernels on 10M float64 (no Python in the loop):
//! 100 uniform bins (arithmetic kernel), 100 and 10 quantile bins (binary search), the exact
//! quantile edges, and histogram + JS distance of two columns.
//! Run: cargo bench -p driftscope-core --bench histogram_speed
//! (`HIST_BENCH=<label part>` runs one fill only, `HIST_SERIAL_ONLY=1` skips the parallel runs.)
#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is the point
use driftscope_core::divergence::{js_distance, Smoothing};
use driftscope_core::histogram::{Binning, Histogram};
use driftscope_core::{Chunk, Values};
use std::time::Instant;

fn data(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            // Sum of uniforms: roughly normal.
            let mut t = 0.0;
            for _ in 0..4 {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                t += (s >> 11) as f64 / (1u64 << 53) as f64;
            }
            t - 2.0
        })
        .collect()
}

fn best<F: FnMut()>(reps: usize, mut f: F) -> f64 {
    let mut b = f64::INFINITY;
    for _ in 0..reps {
        let t = Instant::now();
        f();
        b = b.min(t.elapsed().as_secs_f64());
    }
    b * 1e3
}

fn main() {
    let n = 10_000_000usize;
    let a = data(42, n);
    let b: Vec<f64> = data(7, n).iter().map(|x| x * 1.1 + 0.05).collect();
    let ca = Chunk::new(Values::F64(&a), None);
    let cb = Chunk::new(Values::F64(&b), None);
    let uni = Histogram::from_reference(&[ca], &Binning::Count(100)).unwrap();
    assert!(uni.is_uniform());
    let q100 = Histogram::from_reference(&[ca], &Binning::Quantile(100)).unwrap();
    let q10 = Histogram::from_reference(&[ca], &Binning::Quantile(10)).unwrap();
    let only = std::env::var("HIST_BENCH").unwrap_or_default();
    for (label, h) in [
        ("100 uniform bins", &uni),
        ("100 quantile bins", &q100),
        ("10 quantile bins", &q10),
    ] {
        if !label.contains(only.as_str()) {
            continue;
        }
        let serial = best(10, || {
            let mut x = h.empty_like();
            x.update_serial(&cb);
            std::hint::black_box(&x);
        });
        if std::env::var("HIST_SERIAL_ONLY").is_ok() {
            println!("fill 10M, {label}: serial {serial:.2} ms");
            continue;
        }
        let parallel = best(10, || {
            let mut x = h.empty_like();
            x.update(&cb);
            std::hint::black_box(&x);
        });
        println!("fill 10M, {label}: serial {serial:.2} ms, parallel {parallel:.2} ms");
    }
    if only == "select" {
        let levels: Vec<f64> = (0..=10).map(|i| i as f64 / 10.0).collect();
        let ranks: Vec<u64> = (0..=10u64).map(|i| (n as u64 - 1) * i / 10).collect();
        for _ in 0..3 {
            let t = best(3, || {
                std::hint::black_box(driftscope_core::quantile::quantiles(&[ca], &levels).unwrap());
            });
            let u = best(3, || {
                std::hint::black_box(
                    driftscope_core::quantile::select_ranks(&[ca], &ranks).unwrap(),
                );
            });
            println!("11 quantiles of 10M: bucket path {t:.2} ms, key radix path {u:.2} ms");
        }
        return;
    }
    if only == "edges" {
        for _ in 0..10 {
            std::hint::black_box(Histogram::edges_from(&[ca], &Binning::Quantile(10)).unwrap());
        }
    }
    if !only.is_empty() {
        return;
    }
    let edges = best(5, || {
        std::hint::black_box(Histogram::edges_from(&[ca], &Binning::Quantile(10)).unwrap());
    });
    println!("exact quantile edges (10 bins) of 10M: {edges:.2} ms");
    let uniform_edges = best(5, || {
        std::hint::black_box(Histogram::edges_from(&[ca], &Binning::Count(100)).unwrap());
    });
    println!("uniform edges (min/max pass) of 10M: {uniform_edges:.2} ms");
    let js = best(5, || {
        let r = Histogram::from_reference(&[ca], &Binning::Count(100)).unwrap();
        let mut c = r.empty_like();
        c.update(&cb);
        let (p, q) = Histogram::aligned_counts(&r, &c).unwrap();
        std::hint::black_box(js_distance(&p, &q, Some(2.0), Smoothing::None).unwrap());
    });
    println!("100-bin histogram of two 10M columns + JS distance: {js:.2} ms");
    let psi = best(5, || {
        let r = Histogram::from_reference(&[ca], &Binning::Quantile(10)).unwrap();
        let mut c = r.empty_like();
        c.update(&cb);
        let (p, q) = Histogram::aligned_counts(&r, &c).unwrap();
        std::hint::black_box(
            driftscope_core::divergence::psi(&p, &q, Smoothing::default()).unwrap(),
        );
    });
    println!("10-bin quantile PSI of two 10M columns: {psi:.2} ms");
}
