//! Bindings of the numeric layer: the streaming `Moments` summary.

pub mod moments;
