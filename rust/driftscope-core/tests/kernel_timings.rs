//! Timings of the two-sample kernels on the sizes of the performance targets (SPEC.md):
//! `cargo test --release -p driftscope-core --test kernel_timings -- --ignored --nocapture`.

#![allow(clippy::unwrap_used)]

use driftscope_core::numeric::sort::SortedSample;
use driftscope_core::twosample::anderson::{anderson_ksamp_sorted, AndersonVariant};
use driftscope_core::twosample::cvm::{cramervonmises_2samp_sorted, CvmMethod};
use driftscope_core::twosample::ecdf::Ecdf;
use driftscope_core::twosample::ks::{ks_2samp_sorted, Alternative, KsMethod};
use driftscope_core::twosample::wasserstein::cdf_distances_sorted;
use std::time::Instant;

fn normalish(seed: u64, n: usize, shift: f64) -> Vec<f64> {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| (next() + next() + next() + next() - 2.0) * 3f64.sqrt() + shift)
        .collect()
}

fn time<T>(name: &str, f: impl Fn() -> T) -> T {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..3 {
        let t = Instant::now();
        out = Some(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    eprintln!("{name:<44} {:9.2} ms", best * 1e3);
    out.unwrap()
}

#[test]
#[ignore]
fn kernel_timings() {
    let n = 10_000_000;
    let a = normalish(1, n, 0.0);
    let b = normalish(2, n, 0.001);
    let (sa, sb) = time("sort 2 x 10M (rayon::join)", || {
        rayon::join(
            || SortedSample::from_vec(a.clone()),
            || SortedSample::from_vec(b.clone()),
        )
    });
    let (sa, sb) = (sa.values(), sb.values());
    time("ks_2samp merge walk 10M vs 10M (sorted)", || {
        ks_2samp_sorted(sa, sb, Alternative::TwoSided, KsMethod::Auto).unwrap()
    });
    time("wasserstein+energy 10M vs 10M (sorted)", || {
        cdf_distances_sorted(sa, sb).unwrap()
    });
    let e = Ecdf::new(SortedSample::from_vec(a.clone())).unwrap();
    let batch = normalish(3, 100_000, 0.01);
    time("ECDF(10M).ks(100k), batch sort included", || {
        let s = SortedSample::from_vec(batch.clone());
        e.ks(s.values(), Alternative::TwoSided, KsMethod::Auto)
            .unwrap()
    });
    let sorted_batch = SortedSample::from_vec(batch.clone());
    let stat = time("ECDF(10M).ks_statistic(100k sorted)", || {
        e.ks_statistic(sorted_batch.values(), Alternative::TwoSided)
            .unwrap()
    });
    time("  its p-value (kstwo.sf, n = 99010)", || {
        driftscope_core::twosample::ks::ks_pvalue(&stat, KsMethod::Auto)
    });
    let m = 1_000_000;
    let c = SortedSample::from_vec(normalish(4, m, 0.0));
    let d = SortedSample::from_vec(normalish(5, m, 0.01));
    time("cramervonmises_2samp 1M vs 1M (sorted)", || {
        cramervonmises_2samp_sorted(c.values(), d.values(), CvmMethod::Auto).unwrap()
    });
    time("anderson_ksamp 1M vs 1M (sorted)", || {
        anderson_ksamp_sorted(&[c.values(), d.values()], AndersonVariant::Midrank).unwrap()
    });
}
