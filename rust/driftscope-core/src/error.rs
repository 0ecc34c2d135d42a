//! The core error type. The binding crate maps each variant once to a Python exception.

/// Everything that can go wrong in a kernel, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// An argument has an invalid value (maps to a `ValueError` subclass).
    #[error("{0}")]
    InvalidArgument(String),
    /// A sample that must hold at least one value holds none (maps to a `ValueError` subclass).
    #[error("{0}")]
    EmptySample(String),
    /// Serialized bytes are truncated, corrupted or of another kind or version
    /// (maps to a `ValueError` subclass).
    #[error("{0}")]
    Corrupt(String),
    /// Two summaries cannot be combined, e.g. histograms with different edges
    /// (maps to a `ValueError` subclass).
    #[error("{0}")]
    Incompatible(String),
}

pub type Result<T> = std::result::Result<T, Error>;
