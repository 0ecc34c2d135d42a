//! The kernels on sorted samples assume ascending, NaN-free input (what
//! `SortedSample` hands them). Given anything else (a caller's mistake, or a "sorted" buffer
//! another thread wrote to) they may return any number, but they must return: no panic,
//! no endless loop. Each call runs on its own thread under a deadline, so a hang fails the
//! test instead of stalling the suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use driftscope_core::{
    anderson_ksamp_sorted, cdf_distances_sorted, cramervonmises_2samp_sorted, ks_2samp_sorted,
    Alternative, AndersonVariant, CvmMethod, KsMethod,
};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `f` on a thread; fails if it panics or takes longer than a minute.
fn ends(what: &str, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => handle.join().expect(what),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: still running after 60 s"),
    }
}

/// Samples that break the contract: out of order, NaN first, last or throughout.
fn broken(n: usize) -> Vec<(&'static str, Vec<f64>)> {
    let random = common::sample(n as u64, n, 0, 0.0);
    let mut nan_inside = random.clone();
    nan_inside.sort_by(f64::total_cmp);
    for x in nan_inside.iter_mut().step_by(7) {
        *x = f64::NAN;
    }
    let mut nan_first = random.clone();
    nan_first.sort_by(f64::total_cmp);
    nan_first[0] = f64::NAN;
    let mut descending = random.clone();
    descending.sort_by(|a, b| b.total_cmp(a));
    vec![
        ("unsorted", random),
        ("NaN inside", nan_inside),
        ("NaN first", nan_first),
        ("all NaN", vec![f64::NAN; n]),
        ("descending", descending),
    ]
}

#[test]
fn sorted_kernels_end_on_unsorted_or_nan_input() {
    // Small samples take one walk; large ones (over 2^18 values together) are cut into parts
    // at values of the first sample.
    for n in [5usize, 300, 200_000] {
        let good: Vec<f64> = {
            let mut v = common::sample(1, n, 0, 0.5);
            v.sort_by(f64::total_cmp);
            v
        };
        for (name, bad) in broken(n) {
            for (a, b) in [(bad.clone(), good.clone()), (good.clone(), bad.clone())] {
                let what = format!("{name}, n {n}");
                ends(&what, move || {
                    for alt in [Alternative::TwoSided, Alternative::Less] {
                        let _ = ks_2samp_sorted(&a, &b, alt, KsMethod::Auto);
                    }
                    let _ = cdf_distances_sorted(&a, &b);
                    let _ = cramervonmises_2samp_sorted(&a, &b, CvmMethod::Auto);
                    for variant in [AndersonVariant::Midrank, AndersonVariant::Right] {
                        let _ = anderson_ksamp_sorted(&[&a, &b], variant);
                    }
                });
            }
        }
    }
}
