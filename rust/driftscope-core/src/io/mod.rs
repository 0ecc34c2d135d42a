//! Data views and serialization: the plain column views every kernel reads, the one classifier
//! of column types, and the versioned envelope every summary is written in.

pub mod column;
pub mod logical;
pub mod serial;
