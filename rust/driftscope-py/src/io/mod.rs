//! Input adapters: Python columns and tables into the core's plain views.

pub mod input;
