//! Table profiles: per column, the summaries its logical type calls for, built in one
//! streaming pass over record batches, mergeable and serializable.
//!
//! A [`Profile`] is what validation, comparison, monitoring, Spark and the edge exchange
//! instead of raw data. Each column is summarized by the classifier's logical type
//! (`crate::io::logical`):
//!
//! | logical type | summaries |
//! | --- | --- |
//! | numeric | rows, nulls; `Moments` (count, NaN, ±inf, min, max, mean, variance, skewness, kurtosis); a `KLL` sketch; a fine [`GridHistogram`](crate::binned::grid::GridHistogram); a `DistinctCount`; for integer columns `FrequentItems` (codes, flags) |
//! | temporal | rows, nulls; exact min and max; the numeric summaries of the values as integers of the column's unit since the epoch (midnight for times, days for `date32`) |
//! | boolean | rows, nulls, true and false counts |
//! | categorical | rows, nulls; exact `CategoryCounts` while at most [`Options::domain_limit`] (1,000) distinct values have been seen, then `FrequentItems` with error bounds (the switch is one-way: a domain that large is not a domain); a `DistinctCount`; the `Moments` of the values' UTF-8 byte lengths |
//! | other | rows, nulls |
//!
//! Every summary merges exactly (counts, moments, histograms, category counts, distinct
//! registers) or within its error bound (KLL, frequent items), so the profile of a table split
//! anywhere and merged is the profile of the whole. Columns are updated in parallel, each
//! with the kernels' own parallelism inside.
//!
//! Serialized (kind `PROF`): the metadata (UTF-8 text the Python layer owns, JSON), the row
//! count, then per column its name, logical type, Arrow type, rows, nulls and its summaries,
//! each embedded as that summary's own versioned bytes (KLL in the DataSketches format).

pub mod column;
pub mod table;

pub use column::{
    BooleanSummary, CategoricalSummary, ColumnBatch, ColumnProfile, NumericSummary, Options,
    Summary, TemporalSummary,
};
pub use table::Profile;
