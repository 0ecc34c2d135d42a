//! Bindings of the binned layer: `Histogram`, `CategoryCounts` and the divergences.

pub mod categorical;
pub mod divergence;
pub mod histogram;
