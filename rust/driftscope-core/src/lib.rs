//! driftscope-core: the pure-Rust kernels of driftscope.
//!
//! Everything here works on plain data — typed slices plus an optional Arrow-style validity
//! bitmap ([`column::Chunk`]) — and knows nothing of Python, NumPy or any one Arrow version.
//! The binding crate (`driftscope-py`) turns Python inputs into these views.

pub mod column;
pub mod error;
pub mod moments;
pub mod serial;

pub mod anderson;
pub mod census;
mod cephes;
pub mod cvm;
mod dd;
pub mod ecdf;
pub mod kolmogorov;
pub mod ks;
pub mod ks_sketch;
mod npcompat;
mod runs;
pub mod sort;
pub mod wasserstein;

pub mod categorical;
pub mod distinct;
pub mod divergence;
pub mod frequent;
pub mod histogram;
pub mod kll;
pub mod quantile;
pub mod special;

pub use anderson::{anderson_ksamp_sorted, AndersonResult, AndersonVariant, PvalueBound};
pub use categorical::{Category, CategoryCounts};
pub use column::{Chunk, Numeric, Validity, Values};
pub use cvm::{cramervonmises_2samp_sorted, CvmMethod, CvmResult};
pub use distinct::DistinctCount;
pub use divergence::{ContingencyTest, Measure, Smoothing};
pub use ecdf::Ecdf;
pub use error::{Error, Result};
pub use frequent::FrequentItems;
pub use histogram::{BinRule, Binning, Histogram};
pub use kll::Kll;
pub use ks::{ks_2samp_sorted, Alternative, KsFallback, KsMethod, KsResult, KsStatistic};
pub use moments::Moments;
pub use sort::SortedSample;
pub use wasserstein::{cdf_distances_sorted, CdfDistances};
