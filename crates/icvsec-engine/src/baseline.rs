//! Baselines: the fingerprints of the failing findings of a reference scan. With
//! `--baseline`, failing findings already in it are known debt: they are dropped from
//! the findings (so neither the gate nor the summary counts them) and counted in
//! `Report.baselined`. New failures, and every error, stay.

use crate::tomlerr::{ConfigError, read_bounded_text};
use icvsec_model::fingerprint::Fingerprint;
use icvsec_model::{Outcome, Report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::Path;

pub const BASELINE_VERSION: u32 = 1;
pub const MAX_BASELINE_FILE: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub tool: String,
    /// Sorted by fingerprint; rule and asset are there for humans reading diffs.
    pub findings: Vec<BaselineEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    pub asset: String,
}

/// The baseline of a report: its failing findings (waived ones are not failing).
pub fn baseline_of(report: &Report) -> Baseline {
    let mut findings: Vec<BaselineEntry> = report
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .map(|f| BaselineEntry {
            fingerprint: f.fingerprint.to_string(),
            rule: f.rule_id.to_string(),
            asset: f.asset.to_string(),
        })
        .collect();
    findings.sort();
    findings.dedup();
    Baseline {
        version: BASELINE_VERSION,
        tool: format!("{} {}", report.scan.tool, report.scan.tool_version),
        findings,
    }
}

pub fn parse_baseline(text: &str, file: &str) -> Result<Baseline, ConfigError> {
    let b: Baseline = serde_json::from_str(text).map_err(|e| ConfigError {
        file: file.to_string(),
        line: e.line(),
        column: e.column(),
        key: None,
        message: e.to_string(),
    })?;
    if b.version != BASELINE_VERSION {
        return Err(ConfigError::whole(
            file,
            format!(
                "baseline version {} is not supported (expected {BASELINE_VERSION})",
                b.version
            ),
        ));
    }
    Ok(b)
}

/// A baseline named inside the build (see [`crate::tomlerr::read_text_in_build`]).
pub fn load_baseline_in_build(root: &Path, rel: &str) -> Result<Baseline, ConfigError> {
    let text = crate::tomlerr::read_text_in_build(root, rel, MAX_BASELINE_FILE)?;
    parse_baseline(&text, rel)
}

pub fn load_baseline(path: &Path) -> Result<Baseline, ConfigError> {
    let text = read_bounded_text(path, MAX_BASELINE_FILE)?;
    parse_baseline(&text, &path.display().to_string())
}

/// Drop the failing findings the baseline knows; returns how many were dropped (also
/// added to `report.baselined`). The summary is recomputed.
pub fn apply_baseline(report: &mut Report, baseline: &Baseline) -> usize {
    // Compared as numbers: an entry matches only when its text is the fingerprint's own
    // (16 lowercase hex digits); anything else in the file matches no finding.
    let known: BTreeSet<Fingerprint> = baseline
        .findings
        .iter()
        .filter_map(|e| {
            let f: Fingerprint = e.fingerprint.parse().ok()?;
            (f == e.fingerprint).then_some(f)
        })
        .collect();
    let before = report.findings.len();
    report
        .findings
        .retain(|f| !(f.outcome == Outcome::Fail && known.contains(&f.fingerprint)));
    let dropped = before - report.findings.len();
    report.baselined += dropped;
    report.summarize();
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use icvsec_model::{Area, AssetKind, AssetRef, Finding, Severity};

    fn failing(id: &str) -> Finding {
        Finding {
            rule_id: "ICV-X-001".into(),
            area: Area::Basic,
            subarea: "crypto".into(),
            severity: Severity::High,
            outcome: Outcome::Fail,
            asset: AssetRef::new(AssetKind::Ecu, id),
            message: "m".into(),
            location: None,
            related: Box::default(),
            fingerprint: Fingerprint::of(&["ICV-X-001", id]),
            waiver: None,
            root_cause: None,
        }
    }

    #[test]
    fn only_an_exact_fingerprint_text_drops_a_failure() {
        let mut report = Report {
            findings: vec![failing("a"), failing("b"), failing("c")],
            ..Report::default()
        };
        let entry = |fingerprint: String| BaselineEntry {
            fingerprint,
            rule: "ICV-X-001".into(),
            asset: String::new(),
        };
        let baseline = Baseline {
            version: BASELINE_VERSION,
            tool: "t".into(),
            findings: vec![
                entry(report.findings[0].fingerprint.to_string()),
                // The same digits in upper case, and text that is no fingerprint.
                entry(report.findings[1].fingerprint.to_string().to_uppercase()),
                entry("not a fingerprint".into()),
            ],
        };
        assert_eq!(apply_baseline(&mut report, &baseline), 1);
        let left: Vec<&str> = report
            .findings
            .iter()
            .map(|f| f.asset.id.as_str())
            .collect();
        assert_eq!(left, ["b", "c"]);
        assert_eq!(report.baselined, 1);
    }
}
