//! Rust-only timing of the rank-based two-sample tests end to end as the Python bindings run
//! them (`sort_pair` of both columns, then the kernel on the sorted samples), 1M vs 1M normal
//! float64, best of several runs; the kernels alone are timed too.
//! Run: cargo bench -p driftscope-core --bench twosample_speed [-- N]
use common::{best, Rng};
use driftscope_core::numeric::sort::sort_pair;
use driftscope_core::twosample::anderson::{anderson_ksamp_sorted, AndersonVariant};
use driftscope_core::twosample::cvm::{cramervonmises_2samp_sorted, CvmMethod};
use driftscope_core::{Chunk, Values};

mod common;

/// Best time in milliseconds.
fn ms<T>(reps: usize, f: impl FnMut() -> T) -> f64 {
    best(reps, f) * 1e3
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let reps = 15;
    let mut rng = Rng(7);
    let a: Vec<f64> = (0..n).map(|_| rng.normalish()).collect();
    let b: Vec<f64> = (0..n).map(|_| rng.normalish() + 0.01).collect();
    let (ca, cb) = (
        [Chunk::new(Values::F64(&a), None)],
        [Chunk::new(Values::F64(&b), None)],
    );
    let (sa, sb) = sort_pair(&ca, &cb);
    let (va, vb) = (sa.values(), sb.values());
    let ad = |x: &[f64], y: &[f64], v| anderson_ksamp_sorted(&[x, y], v);
    let cvm = |x: &[f64], y: &[f64]| cramervonmises_2samp_sorted(x, y, CvmMethod::Auto);
    println!("{n} vs {n} normal float64, best of {reps} (ms):");
    println!(
        "  sort_pair                    {:7.1}",
        ms(reps, || sort_pair(&ca, &cb))
    );
    for v in [
        AndersonVariant::Midrank,
        AndersonVariant::Right,
        AndersonVariant::Continuous,
    ] {
        println!(
            "  anderson_ksamp_sorted {:<10} {:5.1}",
            v.as_str(),
            ms(reps, || ad(va, vb, v))
        );
    }
    println!(
        "  cramervonmises_2samp_sorted  {:7.1}",
        ms(reps, || cvm(va, vb))
    );
    let ad_e2e = ms(reps, || {
        let (sa, sb) = sort_pair(&ca, &cb);
        ad(sa.values(), sb.values(), AndersonVariant::Midrank).map(|r| r.statistic)
    });
    let cvm_e2e = ms(reps, || {
        let (sa, sb) = sort_pair(&ca, &cb);
        cvm(sa.values(), sb.values()).map(|r| r.statistic)
    });
    println!("  sort_pair + anderson_ksamp   {ad_e2e:7.1}");
    println!("  sort_pair + cramervonmises   {cvm_e2e:7.1}");
}
