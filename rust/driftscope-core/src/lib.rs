//! driftscope-core: the pure-Rust kernels of driftscope.
//!
//! Everything here works on plain data — typed slices plus an optional Arrow-style validity
//! bitmap ([`column::Chunk`]) — and knows nothing of Python, NumPy or any one Arrow version.
//! The binding crate (`driftscope-py`) turns Python inputs into these views.

pub mod column;
pub mod error;
pub mod moments;
pub mod serial;

pub use column::{Chunk, Numeric, Validity, Values};
pub use error::{Error, Result};
pub use moments::Moments;
