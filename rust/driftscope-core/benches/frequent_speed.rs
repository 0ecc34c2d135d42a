//! Rust-only timings of FrequentItems and DistinctCount on a string column: 1M rows of
//! 100,000 Zipf(1.3)-distributed categories (as benches/bench_frequent.py draws them).
//! Run: cargo bench -p driftscope-core --bench frequent_speed
#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is the point
mod common;

use common::{best, Rng};
use driftscope_core::categorical::{CategoryColumn, Offsets, StrArray};
use driftscope_core::{DistinctCount, FrequentItems};

/// Category ids `0..categories`, Zipf(`s`) truncated: the tail mass lands on the last id.
fn zipf_ids(n: usize, categories: usize, s: f64, rng: &mut Rng) -> Vec<usize> {
    let w: Vec<f64> = (1..=categories).map(|k| (k as f64).powf(-s)).collect();
    // ζ(1.3) ≈ 3.9319: the mass beyond the last id.
    let head: f64 = w[..categories - 1].iter().sum();
    let mut cdf = Vec::with_capacity(categories);
    let mut acc = 0.0;
    for x in &w[..categories - 1] {
        acc += x / 3.9319;
        cdf.push(acc);
    }
    cdf.push(1.0f64.max(head / 3.9319));
    (0..n)
        .map(|_| {
            let u = rng.uniform();
            cdf.partition_point(|&c| c < u).min(categories - 1)
        })
        .collect()
}

fn main() {
    let (n, categories) = (1_000_000, 100_000);
    let ids = zipf_ids(n, categories, 1.3, &mut Rng(7));
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
