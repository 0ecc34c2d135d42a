//! Bindings of the sketch layer: `KLL` (with `ks_sketch`), `FrequentItems`, `DistinctCount`.

pub mod distinct;
pub mod frequent;
pub mod kll;
