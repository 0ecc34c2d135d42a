//! Rust-only timing of the KLL sketch (k = 200) on 10M float64: bulk update, value-at-a-time
//! update, merging 1,000 sketches, serialization.
//! Run: cargo bench -p driftscope-core --bench kll_speed
//! (For a quick local number without fat LTO:
//! `CARGO_PROFILE_BENCH_LTO=false CARGO_PROFILE_BENCH_CODEGEN_UNITS=16 cargo bench ...`.)
//!
//! Measured on the project's shared 2-core machine (non-LTO bench build, load ~2, so ±20%),
//! 10M f64 (sum of 4 uniforms): `update_chunk` (the block path, one thread) ~80 ms (8 ns a
//! value), `update_chunks_parallel` ~50 ms on 2 threads, one value at a time ~330-460 ms;
//! DataSketches 5.2.0 `kll_doubles_sketch(200).update(ndarray)` ~360-440 ms. One value at a
//! time is DataSketches' algorithm step for step (the validation-mode goldens prove it); the
//! block path selects what several compactions of a whole block keep instead (see `kll.rs`).
use driftscope_core::sketch::kll::Kll;
use driftscope_core::{Chunk, Values};

mod common;
#[path = "../tests/common/mod.rs"]
mod test_data;

use common::best as best_of;

fn main() {
    let n = 10_000_000usize;
    let xs = test_data::sample(42, n, 0, 0.0);
    let chunk = Chunk::new(Values::F64(&xs), None);

    let bulk = best_of(7, || {
        let mut k = Kll::with_seed(200, 1).unwrap_or_default();
        k.update_chunk(&chunk);
        std::hint::black_box(&k);
    });
    let par = best_of(7, || {
        let mut k = Kll::with_seed(200, 1).unwrap_or_default();
        let _ = k.update_chunks_parallel(&[chunk]);
        std::hint::black_box(&k);
    });
    let one = best_of(3, || {
        let mut k = Kll::with_seed(200, 1).unwrap_or_default();
        for &x in &xs {
            k.update(x);
        }
        std::hint::black_box(&k);
    });
    println!(
        "KLL(200) update of {n} f64: bulk {:.1} ms ({:.2} ns/value), parallel parts {:.1} ms ({} threads), one at a time {:.1} ms",
        bulk * 1e3,
        bulk * 1e9 / n as f64,
        par * 1e3,
        rayon::current_num_threads(),
        one * 1e3
    );

    let parts: Vec<Kll> = xs
        .chunks(n / 1000)
        .enumerate()
        .map(|(i, p)| {
            let mut k = Kll::with_seed(200, i as u64).unwrap_or_default();
            k.update_chunk(&Chunk::new(Values::F64(p), None));
            k
        })
        .collect();
    let merge = best_of(5, || {
        let mut m = Kll::with_seed(200, 7).unwrap_or_default();
        for p in &parts {
            let _ = m.merge(p);
        }
        std::hint::black_box(&m);
    });
    let mut whole = Kll::with_seed(200, 1).unwrap_or_default();
    whole.update_chunk(&chunk);
    let bytes = whole.to_bytes();
    let ser = best_of(50, || {
        std::hint::black_box(whole.to_bytes());
    });
    let de = best_of(50, || {
        std::hint::black_box(Kll::from_bytes(&bytes).ok());
    });
    let ranks: Vec<f64> = (1..100).map(|i| f64::from(i) / 100.0).collect();
    let q = best_of(50, || {
        std::hint::black_box(whole.quantiles(&ranks, true).ok());
    });
    println!(
        "merge of 1,000 sketches: {:.2} ms; to_bytes {:.1} us, from_bytes {:.1} us ({} bytes, {} retained); 99 quantiles {:.1} us",
        merge * 1e3,
        ser * 1e6,
        de * 1e6,
        bytes.len(),
        whole.num_retained(),
        q * 1e6
    );
}
