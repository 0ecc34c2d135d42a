//! Data views and serialization: the plain column views every kernel reads, and the versioned
//! envelope every summary is written in.

pub mod column;
pub mod serial;
