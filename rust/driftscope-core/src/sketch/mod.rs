//! Mergeable sketches: KLL quantiles (Apache DataSketches' format), quantile readers, KS from
//! two sketches, frequent items and distinct counts.

pub mod distinct;
pub mod frequent;
pub mod kll;
pub mod ks_sketch;
pub mod quantile;
