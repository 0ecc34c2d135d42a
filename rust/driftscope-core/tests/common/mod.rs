//! Helpers shared by the integration tests: recorded cases and the samples they name.

#![allow(dead_code, clippy::unwrap_used)]

use serde_json::Value;

pub fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// SplitMix64 samples, as `tests/data/_samples.py` draws them.
pub fn sample(seed: u64, n: usize, ties: u64, shift: f64) -> Vec<f64> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            if ties > 0 {
                (next() % ties) as f64 + shift
            } else {
                let mut s = 0.0;
                for _ in 0..4 {
                    s += (next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                }
                (s - 2.0) * 3f64.sqrt() + shift
            }
        })
        .collect()
}

/// A recorded float: a JSON number, or "nan", "inf", "-inf".
pub fn f(v: &Value) -> f64 {
    match v.as_str() {
        Some("nan") => f64::NAN,
        Some("inf") => f64::INFINITY,
        Some("-inf") => f64::NEG_INFINITY,
        _ => v.as_f64().unwrap(),
    }
}
