//! Rust-only timing of the Moments kernel on 10M float64 (no Python in the loop).
//! Run: cargo bench -p driftscope-core --bench moments_speed
use driftscope_core::{Chunk, Moments, Values};
use std::time::Instant;

fn main() {
    let n = 10_000_000usize;
    let mut s = 42u64;
    let xs: Vec<f64> = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
        .collect();
    let chunk = Chunk::new(Values::F64(&xs), None);
    for label in ["serial", "parallel"] {
        let mut best = f64::INFINITY;
        for _ in 0..15 {
            let t = Instant::now();
            let mut m = Moments::new();
            if label == "serial" {
                m.update_serial(&chunk);
            } else {
                m.update(&chunk);
            }
            std::hint::black_box(&m);
            best = best.min(t.elapsed().as_secs_f64());
        }
        let sum_t = {
            let mut b = f64::INFINITY;
            for _ in 0..15 {
                let t = Instant::now();
                std::hint::black_box(xs.iter().sum::<f64>());
                b = b.min(t.elapsed().as_secs_f64());
            }
            b
        };
        println!(
            "{label}: moments {:.2} ms, naive sum {:.2} ms",
            best * 1e3,
            sum_t * 1e3
        );
    }
}
