//! Rust-only timings of FrequentItems and DistinctCount on a string column: 1M rows of
//! 100,000 Zipf(1.3)-distributed categories (as benches/bench_frequent.py draws them).
//! Run: cargo bench -p driftscope-core --bench frequent_speed
#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is the point
mod common;

use common::{best, Rng};
use driftscope_core::binned::categorical::{CategoryColumn, Offsets, StrArray};
use driftscope_core::{DistinctCount, FrequentItems};

/// Category ids `0..categories`, Zipf(1.3) truncated: the tail mass beyond the last id lands
/// on it (as NumPy's `minimum(zipf(1.3), categories) - 1`).
fn zipf_ids(n: usize, categories: usize, rng: &mut Rng) -> Vec<usize> {
    // ζ(1.3) ≈ 3.9319 normalizes k^-1.3; the last id takes whatever the head leaves.
    let mut acc = 0.0;
    let mut cdf: Vec<f64> = (1..categories)
        .map(|k| {
            acc += (k as f64).powf(-1.3) / 3.9319;
            acc
        })
        .collect();
    cdf.push(1.0);
    (0..n)
        .map(|_| {
            let u = rng.uniform();
            cdf.partition_point(|&c| c < u).min(categories - 1)
        })
        .collect()
}

fn main() {
    let (n, categories) = (1_000_000, 100_000);
    let ids = zipf_ids(n, categories, &mut Rng(7));
    let mut offsets = vec![0i32];
    let mut data = Vec::new();
    for &i in &ids {
        data.extend_from_slice(format!("cell-{i:06}").as_bytes());
        offsets.push(data.len() as i32);
    }
    let col = CategoryColumn::Strings(StrArray::new(Offsets::I32(&offsets), &data, None).unwrap());
    let t = best(7, || {
        let mut f = FrequentItems::new(1024).unwrap();
        f.update(&col).unwrap();
        f
    });
    let f = {
        let mut f = FrequentItems::new(1024).unwrap();
        f.update(&col).unwrap();
        f
    };
    println!(
        "FrequentItems(1024), {n} strings: {:.2} ms (maximum error {})",
        t * 1e3,
        f.maximum_error()
    );
    let t = best(7, || {
        let mut d = DistinctCount::new(12).unwrap();
        d.update(&col).unwrap();
        d
    });
    println!("DistinctCount(12), {n} strings: {:.2} ms", t * 1e3);
}
