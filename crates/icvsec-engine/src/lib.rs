//! The engine: every applicable (rule, asset) pair gets an outcome (pass, fail, not
//! applicable with why, error with why, manual). Findings carry a resolved location and
//! a stable fingerprint; the report is sorted, so output is byte-identical whatever the
//! number of threads.

mod evaluate;

pub use evaluate::{ScanOptions, evaluate};
