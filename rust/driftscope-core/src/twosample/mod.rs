//! Exact two-sample tests with scipy's semantics: the bucket census that decides large samples
//! without sorting them, the `Ecdf` engine, KS, Cramér–von Mises, Anderson–Darling and the
//! CDF distances (Wasserstein, energy).

pub mod anderson;
pub mod census;
pub mod cvm;
pub mod ecdf;
pub mod ks;
pub mod wasserstein;
