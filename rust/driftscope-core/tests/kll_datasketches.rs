//! The KLL sketch against Apache DataSketches: golden sketches written by the `datasketches`
//! PyPI package (5.2.0, `tests/data/gen_kll.py`) read back with the same answers and re-written
//! byte for byte; accuracy held to DataSketches' own; merge laws.

#![allow(clippy::unwrap_used)]

use driftscope_core::kll::Kll;
use driftscope_core::{Chunk, Values};
use serde_json::Value;

mod common;
use common::{f, load, sample};

fn golden(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/kll_{name}.bin", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

fn of(k: u16, seed: u64, xs: &[f64]) -> Kll {
    let mut s = Kll::with_seed(k, seed).unwrap();
    s.update_chunks(&[Chunk::new(Values::F64(xs), None)]);
    s
}

/// The data a golden case was built from: one part per sketch merged.
fn case_parts(c: &Value) -> Vec<Vec<f64>> {
    let seed = c["seed"].as_u64().unwrap();
    let ties = c["ties"].as_u64().unwrap();
    c["parts"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, size)| {
            sample(
                seed * 1000 + i as u64,
                size.as_u64().unwrap() as usize,
                ties,
                0.0,
            )
        })
        .collect()
}

#[test]
fn reads_datasketches_sketches_with_identical_answers() {
    let data = load("kll_cases.json");
    let ranks = floats(&data["ranks"]);
    let splits = floats(&data["splits"]);
    for c in data["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let bytes = golden(name);
        let s = Kll::from_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(s.n(), c["n"].as_u64().unwrap(), "{name}");
        assert_eq!(s.k() as u64, c["k"].as_u64().unwrap(), "{name}");
        assert_eq!(
            s.num_retained() as u64,
            c["num_retained"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            s.is_estimation_mode(),
            c["estimation_mode"].as_bool().unwrap()
        );
        assert_eq!(
            s.normalized_rank_error(false),
            f(&c["rank_error"]),
            "{name}"
        );
        assert_eq!(s.normalized_rank_error(true), f(&c["rank_error_pmf"]));
        assert_eq!(s.serialized_size(), bytes.len(), "{name}");
        // Byte-for-byte re-serialization, flags (level-zero-sorted) included.
        assert_eq!(s.to_bytes(), bytes, "{name}: to_bytes(from_bytes(b)) != b");
        if s.is_empty() {
            assert!(s.quantile(0.5, true).is_err());
            continue;
        }
        assert_eq!(s.min(), f(&c["min"]), "{name}");
        assert_eq!(s.max(), f(&c["max"]), "{name}");
        assert_eq!(
            s.quantiles(&ranks, true).unwrap(),
            floats(&c["quantiles_inclusive"]),
            "{name}"
        );
        assert_eq!(
            s.quantiles(&ranks, false).unwrap(),
            floats(&c["quantiles_exclusive"]),
            "{name}"
        );
        let r_in: Vec<f64> = splits.iter().map(|&x| s.rank(x, true).unwrap()).collect();
        let r_ex: Vec<f64> = splits.iter().map(|&x| s.rank(x, false).unwrap()).collect();
        assert_eq!(r_in, floats(&c["ranks_inclusive"]), "{name}");
        assert_eq!(r_ex, floats(&c["ranks_exclusive"]), "{name}");
        assert_eq!(s.pmf(&splits, true).unwrap(), floats(&c["pmf_inclusive"]));
        assert_eq!(s.cdf(&splits, false).unwrap(), floats(&c["cdf_exclusive"]));
    }
}

#[test]
fn same_data_gives_datasketches_bytes_until_the_first_compaction() {
    // Before any compaction there is no coin, so the bytes must be DataSketches' exactly.
    let data = load("kll_cases.json");
    for c in data["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        if c["estimation_mode"].as_bool().unwrap() || c["parts"].as_array().unwrap().len() > 1 {
            continue;
        }
        let parts = case_parts(c);
        let s = of(c["k"].as_u64().unwrap() as u16, 1, &parts[0]);
        assert_eq!(s.to_bytes(), golden(name), "{name}");
    }
}

#[test]
fn golden_sketches_summarize_their_data() {
    // The answers of DataSketches' sketch and of ours, from the same data, both lie within the
    // rank-error bound of the exact ranks (the coins differ, so the items need not).
    let data = load("kll_cases.json");
    let ranks = floats(&data["ranks"]);
    for c in data["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        if c["n"].as_u64().unwrap() == 0 {
            continue;
        }
        let parts = case_parts(c);
        let k = c["k"].as_u64().unwrap() as u16;
        let mut all: Vec<f64> = parts.concat();
        all.sort_by(f64::total_cmp);
        let mut ours = Kll::with_seed(k, 77).unwrap();
        for p in &parts {
            ours.merge(&of(k, 78, p)).unwrap();
        }
        let theirs = Kll::from_bytes(&golden(name)).unwrap();
        assert_eq!(
            (ours.n(), ours.min(), ours.max()),
            (theirs.n(), theirs.min(), theirs.max())
        );
        // With ties, a quantile's true rank is an interval: [rank of < q, rank of <= q].
        let eps = 2.0 * ours.normalized_rank_error(false);
        for s in [&ours, &theirs] {
            for (&r, q) in ranks.iter().zip(s.quantiles(&ranks, true).unwrap()) {
                let lo = all.partition_point(|&x| x < q) as f64 / all.len() as f64;
                let hi = all.partition_point(|&x| x <= q) as f64 / all.len() as f64;
                assert!(
                    r >= lo - eps && r <= hi + eps,
                    "{name}: rank {r} q {q} in [{lo}, {hi}]"
                );
            }
        }
    }
}

fn permutation(n: usize, mult: u64, offset: u64) -> Vec<f64> {
    (0..n as u64)
        .map(|i| ((i * mult + offset) % n as u64) as f64)
        .collect()
}

fn max_rank_error(s: &Kll, ranks: &[f64], n: usize) -> f64 {
    s.quantiles(ranks, true)
        .unwrap()
        .iter()
        .zip(ranks)
        .map(|(q, r)| ((q + 1.0) / n as f64 - r).abs())
        .fold(0.0, f64::max)
}

#[test]
fn accuracy_is_no_worse_than_datasketches() {
    let data = load("kll_cases.json");
    let ranks = floats(&data["ranks"]);
    let acc = &data["accuracy"];
    let n = acc["n"].as_u64().unwrap() as usize;
    let k = acc["k"].as_u64().unwrap() as u16;
    let mult = acc["mult"].as_u64().unwrap();
    let theirs = floats(&acc["max_rank_errors"]);
    let mut ours = Vec::new();
    for t in 0..theirs.len() as u64 {
        let s = of(k, 1000 + t, &permutation(n, mult, t));
        ours.push(max_rank_error(&s, &ranks, n));
    }
    let eps = Kll::with_k(k).unwrap().normalized_rank_error(false);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (m_ours, m_theirs) = (mean(&ours), mean(&theirs));
    eprintln!("max rank error over 99 ranks, mean of {} trials: ours {m_ours:.5}, DataSketches {m_theirs:.5}, bound {eps:.5}", ours.len());
    // Same algorithm, different coins: the means agree up to trial noise.
    assert!(
        m_ours <= 1.25 * m_theirs,
        "ours {m_ours} vs DataSketches {m_theirs}"
    );
    // The bound is a 99% guarantee: allow one miss in 20, never a gross one.
    assert!(ours.iter().filter(|&&e| e > eps).count() <= 1, "{ours:?}");
    assert!(ours.iter().all(|&e| e <= 1.5 * eps), "{ours:?}");
}

#[test]
fn merge_laws() {
    let ranks: Vec<f64> = (1..100).map(|i| f64::from(i) / 100.0).collect();
    let n = 320_000;
    let mut misses = 0;
    for trial in 0..6u64 {
        let xs = permutation(n, 100_003, trial);
        let parts: Vec<Kll> = xs
            .chunks(n / 16)
            .enumerate()
            .map(|(i, p)| of(200, trial * 100 + i as u64, p))
            .collect();
        let mut merged = Kll::with_seed(200, trial).unwrap();
        for p in &parts {
            merged.merge(p).unwrap();
        }
        // n, min and max are exact.
        assert_eq!(merged.n(), n as u64);
        assert_eq!((merged.min(), merged.max()), (0.0, (n - 1) as f64));
        let eps = merged.normalized_rank_error(false);
        let err = max_rank_error(&merged, &ranks, n);
        assert!(err <= 2.0 * eps, "trial {trial}: {err} > 2 x {eps}");
        misses += usize::from(err > eps);
        // A tree of merges summarizes the same data.
        let mut left = parts[0].clone();
        let mut right = parts[8].clone();
        for i in 1..8 {
            left.merge(&parts[i]).unwrap();
            right.merge(&parts[8 + i]).unwrap();
        }
        left.merge(&right).unwrap();
        assert_eq!(left.n(), n as u64);
        assert!(max_rank_error(&left, &ranks, n) <= 2.0 * eps);
        // Round trip through bytes keeps the merged sketch.
        assert_eq!(Kll::from_bytes(&merged.to_bytes()).unwrap(), merged);
        // Merging into an empty sketch keeps n, min, max and the guarantee; merging an empty
        // sketch changes nothing.
        let mut e = Kll::with_seed(200, 5).unwrap();
        e.merge(&merged).unwrap();
        assert_eq!(
            (e.n(), e.min(), e.max()),
            (merged.n(), merged.min(), merged.max())
        );
        assert!(max_rank_error(&e, &ranks, n) <= 2.0 * eps);
        let before = merged.to_bytes();
        merged.merge(&Kll::with_seed(200, 6).unwrap()).unwrap();
        assert_eq!(merged.to_bytes(), before);
    }
    assert!(misses <= 1);
}

#[test]
fn merges_with_datasketches_sketches() {
    // A sketch DataSketches wrote merges with ours (different k included) and the result keeps
    // exact n/min/max and DataSketches' min-k error rule.
    let theirs = Kll::from_bytes(&golden("k64_n50k")).unwrap();
    let mut ours = of(200, 3, &sample(4242, 30_000, 0, 0.0));
    let (n0, min0, max0) = (ours.n(), ours.min(), ours.max());
    ours.merge(&theirs).unwrap();
    assert_eq!(ours.n(), n0 + theirs.n());
    assert_eq!(ours.min(), min0.min(theirs.min()));
    assert_eq!(ours.max(), max0.max(theirs.max()));
    assert_eq!(ours.min_k(), 64);
    let back = Kll::from_bytes(&ours.to_bytes()).unwrap();
    assert_eq!(back, ours);
}

/// `Kll(k)` in DataSketches' validation mode (the coin alternates from 0), fed value
/// `(i * 100003 + offset) % modulus` for `i < n`, as `tests/data/gen_kll_cpp.cpp` builds it.
fn alternating(k: u16, n: u64, offset: u64, modulus: u64) -> Kll {
    let xs: Vec<f64> = (0..n)
        .map(|i| ((i * 100_003 + offset) % modulus) as f64)
        .collect();
    let mut s = Kll::with_k(k).unwrap();
    s.use_alternating_coins();
    s.update_chunks(&[Chunk::new(Values::F64(&xs), None)]);
    s
}

fn cpp_golden(name: &str) -> Vec<u8> {
    golden(&format!("cpp_{name}"))
}

#[test]
fn same_coins_give_datasketches_cpp_bytes_exactly() {
    // Update path: level capacities, choice of level, halving, growth.
    for (name, k, n, offset, modulus) in [
        ("k200_n10k", 200, 10_000, 0, 10_000),
        ("k200_n1m", 200, 1_000_000, 7, 1_000_000),
        ("k8_n5k", 8, 5_000, 3, 5_000),
        ("k64_ties", 64, 100_000, 1, 50),
    ] {
        let s = alternating(k, n, offset, modulus);
        assert_eq!(s.to_bytes(), cpp_golden(name), "{name}");
    }
    // Merge path: level-0 insertion, level-wise merge, general compression, min-k rule.
    let parts: Vec<Kll> = (0..16)
        .map(|p| alternating(200, 20_000, p, 320_000))
        .collect();
    let mut merged = Kll::with_k(200).unwrap();
    merged.use_alternating_coins();
    for p in &parts {
        merged.merge(p).unwrap();
    }
    assert_eq!(merged.to_bytes(), cpp_golden("merged16"));
    let small = alternating(64, 30_000, 5, 30_000);
    let mut big = alternating(200, 50_000, 9, 50_000);
    big.use_alternating_coins();
    big.merge(&small).unwrap();
    assert_eq!(big.to_bytes(), cpp_golden("merged_k64_into_k200"));
}

#[test]
fn parallel_update_keeps_the_guarantee_and_is_reproducible() {
    let ranks: Vec<f64> = (1..100).map(|i| f64::from(i) / 100.0).collect();
    let n = 3 << 20;
    let xs = permutation(n, 100_003, 1);
    let chunks = [
        Chunk::new(Values::F64(&xs[..n / 3]), None),
        Chunk::new(Values::F64(&xs[n / 3..]), None),
    ];
    let mut a = Kll::with_seed(200, 4).unwrap();
    a.update_chunks_parallel(&chunks).unwrap();
    let mut b = Kll::with_seed(200, 4).unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| b.update_chunks_parallel(&chunks).unwrap());
    assert_eq!(a.to_bytes(), b.to_bytes());
    assert_eq!((a.n(), a.min(), a.max()), (n as u64, 0.0, (n - 1) as f64));
    assert!(max_rank_error(&a, &ranks, n) <= a.normalized_rank_error(false));
}
