//! Binned summaries: histograms over reference edges, the grid histogram whose window grows
//! with the data (a profile's fine histogram, exactly mergeable), category counts, and the
//! divergences and contingency tests between two of them.

pub mod categorical;
pub mod divergence;
pub mod grid;
pub mod histogram;
