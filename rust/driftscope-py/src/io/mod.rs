//! Input adapters: Python columns and tables into the core's plain views, and Arrow types
//! into the core's classifier.

pub mod input;
pub mod table;
pub mod types;
