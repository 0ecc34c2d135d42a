//! Rust-only timings of the histogram pipelines on two 10M float64 normal columns (no Python
//! in the loop), against NumPy's time for the same work measured in Python on the same kind
//! of data (see `NUMPY_*` below):
//!
//! - (a) "100-bin histogram + JS distance": edges `np.linspace(min, max, 101)` of the
//!   reference, both columns binned, then the JS distance (base 2);
//! - (b) "10-bin quantile PSI": edges the exact `np.quantile(ref, linspace(0, 1, 11))`, both
//!   columns binned, then the PSI.
//!
//! Also the parts: the fills by kernel, the edges, and a plain read of one column (the memory
//! floor a pass cannot beat); and the profile's 1024-bin `GridHistogram` (its window found in
//! the pass) against a `Histogram` over the same edges, known in advance.
//!
//! Run: cargo bench -p driftscope-core --bench histogram_speed
//! `HIST_BENCH=<label part>` runs only the timings whose label contains it;
//! `HIST_ONCE=js|psi|fill|edges` runs that once and exits (for
//! `valgrind --tool=callgrind --toggle-collect='histogram_speed::hist_js'`, or `quantile_psi`);
//! `HIST_REPS=<n>` sets the repetitions of each best-of timing (default 15).
#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is the point
use driftscope_core::binned::divergence::{js_distance, psi, Smoothing};
use driftscope_core::binned::histogram::{Binning, Histogram};
use driftscope_core::{Chunk, GridHistogram, Moments, Values};
use rayon::prelude::*;
use std::time::Instant;

/// NumPy 2.x / SciPy on the project's 2-core machine, 10M `standard_normal` values per
/// column, the best single call of 7 in `benches/bench_divergence.py` (quiet machine, twelve
/// runs on 2026-11-26; the lower end of the range, so the ratios printed here are not
/// flattered by a slow NumPy run):
/// `h, e = np.histogram(ref, 100); g, _ = np.histogram(cur, bins=e); jensenshannon(h, g)`
/// took 264–296 ms.
const NUMPY_JS_MS: f64 = 265.0;
/// `e = np.quantile(ref, np.linspace(0, 1, 11))`, `np.histogram(ref, e)`,
/// `np.histogram(cur, e)`, then PSI with NumPy (clip to 1e-4, `Σ (q-p)·ln(q/p)`): 514–619 ms.
const NUMPY_PSI_MS: f64 = 515.0;

/// Standard normal values (Box–Muller over a 64-bit LCG).
fn normal(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed;
    let mut uniform = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let (u, v) = (uniform(), uniform());
        let r = (-2.0 * u.ln()).sqrt();
        let t = std::f64::consts::TAU * v;
        out.push(r * t.cos());
        if out.len() < n {
            out.push(r * t.sin());
        }
    }
    out
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

/// Both columns binned on edges from the reference, then `measure` of the counts.
fn pipeline(
    a: &Chunk<'_>,
    b: &Chunk<'_>,
    binning: Binning,
    measure: impl Fn(&[f64], &[f64]) -> f64,
) -> f64 {
    let r = Histogram::from_reference(&[*a], &binning).unwrap();
    let mut c = r.empty_like();
    c.update(b);
    let (p, q) = Histogram::aligned_counts(&r, &c).unwrap();
    measure(&p, &q)
}

/// Pipeline (a).
#[inline(never)]
fn hist_js(a: &Chunk<'_>, b: &Chunk<'_>) -> f64 {
    pipeline(a, b, Binning::Count(100), |p, q| {
        js_distance(p, q, Some(2.0), Smoothing::None).unwrap()
    })
}

/// Pipeline (b).
#[inline(never)]
fn quantile_psi(a: &Chunk<'_>, b: &Chunk<'_>) -> f64 {
    pipeline(a, b, Binning::Quantile(10), |p, q| {
        psi(p, q, Smoothing::default()).unwrap()
    })
}

fn main() {
    let n = 10_000_000usize;
    let a = normal(42, n);
    let b: Vec<f64> = normal(7, n).iter().map(|x| x * 1.1 + 0.05).collect();
    let ca = Chunk::new(Values::F64(&a), None);
    let cb = Chunk::new(Values::F64(&b), None);
    match std::env::var("HIST_ONCE").as_deref() {
        Ok("js") => return println!("{}", hist_js(&ca, &cb)),
        Ok("psi") => return println!("{}", quantile_psi(&ca, &cb)),
        Ok("fill") => {
            let mut x = Histogram::uniform(-5.0, 5.0, 100).unwrap();
            x.update(&cb);
            return println!("{}", x.count());
        }
        Ok("edges") => {
            let e = Histogram::edges_from(&[ca], &Binning::Quantile(10)).unwrap();
            return println!("{e:?}");
        }
        _ => {}
    }
    let uni = Histogram::from_reference(&[ca], &Binning::Count(100)).unwrap();
    assert!(uni.is_uniform());
    let q100 = Histogram::from_reference(&[ca], &Binning::Quantile(100)).unwrap();
    let q10 = Histogram::from_reference(&[ca], &Binning::Quantile(10)).unwrap();
    let only = std::env::var("HIST_BENCH").unwrap_or_default();
    let reps: usize = std::env::var("HIST_REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    let run = |label: &str, f: &mut dyn FnMut()| {
        if label.contains(only.as_str()) {
            let t = best(reps, f);
            println!("{label}: {t:.2} ms");
            Some(t)
        } else {
            None
        }
    };
    run("read 10M (parallel max, the memory floor)", &mut || {
        std::hint::black_box(
            a.par_chunks(1 << 18)
                .map(|c| {
                    // Eight independent maxima, so the loop vectorizes and only reads.
                    let mut m = [f64::NEG_INFINITY; 8];
                    for q in c.chunks_exact(8) {
                        for k in 0..8 {
                            m[k] = m[k].max(q[k]);
                        }
                    }
                    m.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                })
                .reduce(|| f64::NEG_INFINITY, f64::max),
        );
    });
    for (label, h) in [
        ("100 uniform bins", &uni),
        ("100 quantile bins", &q100),
        ("10 quantile bins", &q10),
    ] {
        run(&format!("fill 10M, {label}, serial"), &mut || {
            let mut x = h.empty_like();
            x.update_serial(&cb);
            std::hint::black_box(&x);
        });
        run(&format!("fill 10M, {label}, parallel"), &mut || {
            let mut x = h.empty_like();
            x.update(&cb);
            std::hint::black_box(&x);
        });
    }
    // The grid histogram of the profile: one update finds the range and grows the window,
    // then counts; against a Histogram over the same 1024 edges, given.
    let grid = {
        let mut g = GridHistogram::default();
        g.update(&cb).unwrap();
        g
    };
    let edges = grid.edges();
    let same = Histogram::uniform(edges[0], edges[1024], 1024).unwrap();
    assert_eq!((same.edges(), same.kernel_name()), (&edges[..], "linspace"));
    let m = Moments::of(&cb);
    let per_value = |t: Option<f64>| {
        if let Some(t) = t {
            println!("    {:.2} ns/value", t * 1e6 / n as f64);
        }
    };
    per_value(run("grid 1024 bins: update 10M (range found)", &mut || {
        let mut g = GridHistogram::default();
        g.update(&cb).unwrap();
        assert_eq!(g, grid);
    }));
    per_value(run("grid 1024 bins: update_with_range 10M", &mut || {
        let mut g = GridHistogram::default();
        g.update_with_range(&cb, m.min(), m.max()).unwrap();
        assert_eq!(g, grid);
    }));
    per_value(run(
        "grid 1024 bins: Histogram over its edges, 10M",
        &mut || {
            let mut x = same.empty_like();
            x.update(&cb);
            std::hint::black_box(&x);
        },
    ));
    run("uniform edges (min/max) of 10M", &mut || {
        std::hint::black_box(Histogram::edges_from(&[ca], &Binning::Count(100)).unwrap());
    });
    run("exact quantile edges (10 bins) of 10M", &mut || {
        std::hint::black_box(Histogram::edges_from(&[ca], &Binning::Quantile(10)).unwrap());
    });
    if let Some(t) = run("(a) 100-bin histogram of two 10M columns + JS", &mut || {
        std::hint::black_box(hist_js(&ca, &cb));
    }) {
        println!(
            "    vs NumPy+SciPy {NUMPY_JS_MS:.0} ms: {:.1}x (target 20x)",
            NUMPY_JS_MS / t
        );
    }
    if let Some(t) = run("(b) 10-bin quantile PSI of two 10M columns", &mut || {
        std::hint::black_box(quantile_psi(&ca, &cb));
    }) {
        println!(
            "    vs NumPy {NUMPY_PSI_MS:.0} ms: {:.1}x (target 10x)",
            NUMPY_PSI_MS / t
        );
    }
}
