//! Numeric foundations: special functions (cephes ports, Kolmogorov distributions),
//! double-double arithmetic, sorting and selection, numpy-compatible arithmetic, and the
//! streaming `Moments` summary.

pub(crate) mod cephes;
pub(crate) mod dd;
pub mod kolmogorov;
pub mod moments;
pub(crate) mod npcompat;
pub(crate) mod runs;
pub mod sort;
pub mod special;
