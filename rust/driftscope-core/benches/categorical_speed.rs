//! Rust-only timings of category counting on 10M rows: a dictionary column (keys counted by
//! index), a string column, an integer column.
//! Run: cargo bench -p driftscope-core --bench categorical_speed
#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is the point
use driftscope_core::binned::categorical::{
    CategoryColumn, CategoryCounts, DictValues, Offsets, StrArray, DEFAULT_CAPACITY,
};
use driftscope_core::{Chunk, Values};
use std::time::Instant;

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
    let card = 1000u64;
    let mut s = 42u64;
    let keys: Vec<i32> = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 33) % card;
            ((u * u) % card) as i32
        })
        .collect();
    let mut offsets = vec![0i32];
    let mut data = Vec::new();
    for k in 0..card {
        data.extend_from_slice(format!("category-{k}").as_bytes());
        offsets.push(data.len() as i32);
    }
    let dict = StrArray::new(Offsets::I32(&offsets), &data, None).unwrap();
    let col = CategoryColumn::Dictionary {
        keys: Chunk::new(Values::I32(&keys), None),
        values: DictValues::Strings(dict),
    };
    let t = best(5, || {
        let mut c = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        c.update(&col).unwrap();
        std::hint::black_box(&c);
    });
    println!("dictionary column, 10M rows, {card} categories: {t:.2} ms");
    // The same values as a plain string column.
    let mut soff = vec![0i64];
    let mut sdata = Vec::new();
    for &k in &keys {
        sdata.extend_from_slice(
            &data[offsets[k as usize] as usize..offsets[k as usize + 1] as usize],
        );
        soff.push(sdata.len() as i64);
    }
    let strings = StrArray::new(Offsets::I64(&soff), &sdata, None).unwrap();
    let t = best(3, || {
        let mut c = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        c.update(&CategoryColumn::Strings(strings)).unwrap();
        std::hint::black_box(&c);
    });
    println!("string column, 10M rows, {card} categories: {t:.2} ms");
    let ints: Vec<i64> = keys.iter().map(|&k| i64::from(k) * 1_000_003).collect();
    let t = best(3, || {
        let mut c = CategoryCounts::new(DEFAULT_CAPACITY).unwrap();
        c.update(&CategoryColumn::Values(Chunk::new(
            Values::I64(&ints),
            None,
        )))
        .unwrap();
        std::hint::black_box(&c);
    });
    println!("int64 column, 10M rows, {card} categories: {t:.2} ms");
}
