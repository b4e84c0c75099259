//! Helpers shared by the integration tests. Every test pins the evaluation date.

#![allow(dead_code)]

use icvsec_engine::{ScanOptions, scan_dir};
use icvsec_inputs::LoadOptions;
use icvsec_model::{Report, Rule, Severity};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The evaluation date of every test (certificate validity is judged at it).
pub const AS_OF: &str = "2026-06-01";
pub const AS_OF_UNIX: i64 = 1_780_272_000;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    repo().join("fixtures")
}

/// `../shared/corpora`, when present.
pub fn corpora() -> Option<PathBuf> {
    let p = repo().join("../shared/corpora");
    p.is_dir().then_some(p)
}

/// The built-in catalog: rules and the requirement catalog they cite.
pub fn full_catalog() -> icvsec_rules::Catalog {
    let registry = icvsec_checks::registry();
    icvsec_rules::load_catalog(&icvsec_rules::embedded_sources(), &registry)
        .unwrap_or_else(|e| panic!("rule catalog does not load: {e:?}"))
}

pub fn catalog() -> Vec<Rule> {
    full_catalog().rules
}

/// Scan with these rules; the report carries the compliance matrix of the built-in
/// requirement catalog, as the CLI's does.
pub fn scan_with(root: &Path, rules: &[Rule]) -> Report {
    let full = full_catalog();
    let mut report = scan_only(root, rules);
    report.attach_requirements(&full.requirements, &full.rules);
    report
}

/// Load options of a test build: a `vuln-feed/` directory at the build root is its
/// vulnerability feed (as `vuln_db = "vuln-feed"` in the demo's icvsec.toml).
pub fn load_options(root: &Path) -> LoadOptions {
    let mut opts = LoadOptions::default();
    if root.join("vuln-feed").is_dir() {
        opts.vuln_db = vec![icvsec_inputs::VulnDb::InBuild("vuln-feed".into())];
    }
    opts
}

fn scan_only(root: &Path, rules: &[Rule]) -> Report {
    let registry = icvsec_checks::registry();
    scan_dir(
        root,
        rules,
        &registry,
        &load_options(root),
        &scan_options(root),
    )
}

/// The scan options of the tests' scans (fixed date, the build root as its label).
pub fn scan_options(root: &Path) -> ScanOptions {
    ScanOptions {
        as_of: AS_OF_UNIX,
        as_of_label: AS_OF.into(),
        fail_on: Severity::High,
        root_label: root
            .strip_prefix(repo())
            .unwrap_or(root)
            .display()
            .to_string(),
        tool_version: "test".into(),
        rules_digest: "test".into(),
        profiles: full_catalog().profiles,
    }
}

/// Run the built `icvsec` binary.
pub fn icvsec(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_icvsec"))
        .args(args)
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .expect("run icvsec")
}

/// Copy a fixture tree (directories and regular files) to `to`, for tests that change it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}
