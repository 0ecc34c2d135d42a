//! driftscope-core: the pure-Rust kernels of driftscope.
//!
//! Everything here works on plain data — typed slices plus an optional Arrow-style validity
//! bitmap ([`io::column::Chunk`]) — and knows nothing of Python, NumPy or any one Arrow version.
//! The binding crate (`driftscope-py`) turns Python inputs into these views.
//!
//! The modules name the layers, and data flows one way through them:
//!
//! | layer | what it holds |
//! | --- | --- |
//! | [`io`] | the plain column views kernels read, and the serialization envelope |
//! | [`numeric`] | foundations: special functions, double-double, sorting, distribution functions, moments |
//! | [`twosample`] | exact two-sample tests: bucket census, ECDF, KS, Cramér–von Mises, Anderson–Darling, Wasserstein |
//! | [`binned`] | histograms (over given edges, or on a grid that grows with the data), category counts and the divergences between them |
//! | [`sketch`] | mergeable sketches: KLL quantiles, sketch KS, frequent items, distinct counts |

pub mod error;

pub mod binned;
pub mod io;
pub mod numeric;
pub mod profile;
pub mod sketch;
pub mod twosample;

pub use binned::categorical::{Category, CategoryCounts};
pub use binned::divergence::{ContingencyTest, Measure, Smoothing};
pub use binned::grid::GridHistogram;
pub use binned::histogram::{BinRule, Binning, Histogram};
pub use error::{Error, Num, Result};
pub use io::column::{Chunk, Numeric, Validity, Values};
pub use io::logical::{classify, ColumnType, LogicalType};
pub use numeric::moments::Moments;
pub use numeric::sort::SortedSample;
pub use profile::Profile;
pub use sketch::distinct::DistinctCount;
pub use sketch::frequent::FrequentItems;
pub use sketch::kll::Kll;
pub use twosample::anderson::{
    anderson_ksamp_sorted, AndersonResult, AndersonVariant, PvalueBound,
};
pub use twosample::cvm::{cramervonmises_2samp_sorted, CvmMethod, CvmResult};
pub use twosample::ecdf::Ecdf;
pub use twosample::ks::{
    ks_2samp_sorted, Alternative, KsFallback, KsMethod, KsResult, KsStatistic,
};
pub use twosample::wasserstein::{cdf_distances_sorted, CdfDistances};
