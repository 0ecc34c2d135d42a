//! Binned summaries: histograms over reference edges, category counts, and the divergences and
//! contingency tests between two of them.

pub mod categorical;
pub mod divergence;
pub mod histogram;
