//! The engine: every applicable (rule, asset) pair gets an outcome (pass, fail, not
//! applicable with why, error with why, manual). Findings carry a resolved location and
//! a stable fingerprint; the report is sorted, so output is byte-identical whatever the
//! number of threads.

pub mod baseline;
mod evaluate;
pub mod inventory;
pub mod tomlerr;
pub mod waivers;

pub use evaluate::{ScanOptions, evaluate, evaluate_in_runs};

use icvsec_checks::Registry;
use icvsec_inputs::{LoadOptions, load_build};
use icvsec_model::{Report, Rule};
use std::path::Path;

/// Load a build and evaluate rules over it: the whole scan in one call.
pub fn scan_dir(
    root: &Path,
    rules: &[Rule],
    registry: &Registry,
    load: &LoadOptions,
    opts: &ScanOptions,
) -> Report {
    let inv = load_build(root, load);
    evaluate(&inv, rules, registry, opts)
}
