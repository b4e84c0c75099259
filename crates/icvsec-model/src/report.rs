//! Findings and the report. JSON output is this model's own serialization
//! (`schema_version` 1); renderers only read it.

use crate::requirement::{RequirementCatalog, RequirementRow, StandardCoverage};
use crate::{Area, Location, Rule, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use crate::finding::{AppliedWaiver, Finding, Outcome, RuleInfo, root_cause_key};

/// Failing findings of several rules that share a root cause, in report order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootCauseGroup {
    pub key: String,
    /// Index (into `Report::findings`) of the headline: the group's first finding.
    pub headline: usize,
    /// The other findings of the group (other rules), in report order.
    pub also: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    Error,
    Warning,
    Notice,
}

/// A problem with the input itself (a file that could not be read or parsed, a dangling
/// reference, a skipped file). Errors make the assessment incomplete.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    pub level: DiagnosticLevel,
    pub location: Location,
    pub message: String,
}

impl Diagnostic {
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            level: DiagnosticLevel::Error,
            location,
            message: message.into(),
        }
    }
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            level: DiagnosticLevel::Warning,
            location,
            message: message.into(),
        }
    }
    pub fn notice(location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            level: DiagnosticLevel::Notice,
            location,
            message: message.into(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub pass: usize,
    pub fail: usize,
    pub error: usize,
    pub manual: usize,
    pub waived: usize,
    pub not_applicable: usize,
}

impl Counts {
    pub fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Pass => self.pass += 1,
            Outcome::Fail => self.fail += 1,
            Outcome::Error => self.error += 1,
            Outcome::Manual => self.manual += 1,
            Outcome::Waived => self.waived += 1,
            Outcome::NotApplicable => self.not_applicable += 1,
        }
    }
    pub fn get(&self, o: Outcome) -> usize {
        match o {
            Outcome::Pass => self.pass,
            Outcome::Fail => self.fail,
            Outcome::Error => self.error,
            Outcome::Manual => self.manual,
            Outcome::Waived => self.waived,
            Outcome::NotApplicable => self.not_applicable,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubareaSummary {
    pub subarea: String,
    pub title: String,
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaSummary {
    pub area: Area,
    pub title: String,
    pub counts: Counts,
    pub subareas: Vec<SubareaSummary>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub totals: Counts,
    pub areas: Vec<AreaSummary>,
    /// Failing findings per severity (waived ones excluded).
    pub failures_by_severity: BTreeMap<Severity, usize>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VehicleSummary {
    pub model: String,
    pub markets: Vec<String>,
    pub stage: String,
    pub ecus: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanInfo {
    pub tool: String,
    pub tool_version: String,
    /// Scanned root as given on the command line.
    pub root: String,
    /// Evaluation date (YYYY-MM-DD); certificate validity is judged at this date.
    pub as_of: String,
    /// SHA-256 over the rule catalog in effect.
    pub rules_digest: String,
    /// SHA-256 over every input file's path and bytes.
    pub input_digest: String,
    pub files_scanned: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vehicle: Option<VehicleSummary>,
    pub fail_on: Severity,
    /// The configuration file in effect (`icvsec.toml` found or `--config`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
}

/// One hop list of where a sensitive or important data item goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataMapEntry {
    pub item: String,
    pub category: String,
    pub routes: Vec<DataRoute>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataRoute {
    /// Node ids from the source to the final destination.
    pub path: Vec<String>,
    pub destination_region: String,
    pub leaves_vehicle: bool,
    pub leaves_china: bool,
    pub third_party: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverStatus {
    pub rule: String,
    pub scope: Vec<String>,
    pub justification: String,
    pub owner: String,
    pub expires: String,
    /// `active`, `expired` or `unused`.
    pub status: String,
    pub matched: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub scan: ScanInfo,
    /// False when anything could not be assessed (an error outcome or an input error).
    pub complete: bool,
    pub summary: Summary,
    pub rules: Vec<RuleInfo>,
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_map: Vec<DataMapEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverStatus>,
    /// The software inventory per ECU with the known vulnerabilities of each component
    /// (ECU order; components by ecosystem, name, version; vulnerabilities by id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inventory: Vec<EcuSoftware>,
    /// The compliance matrix: every catalog requirement with its status (catalog order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<RequirementRow>,
    /// Coverage per standard (requirements with at least one automated rule / total).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coverage: Vec<StandardCoverage>,
    /// Findings suppressed by a baseline (counted, not gated).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub baselined: usize,
    /// Evidence index: the files the findings and input problems cite, with their
    /// SHA-256, so an auditor can tie the signed report to the exact build.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceFile {
    /// Path relative to the scanned root.
    pub file: String,
    /// SHA-256 of the file's bytes (hex).
    pub sha256: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Report {
    pub const SCHEMA_VERSION: u32 = 1;

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules
            .binary_search_by(|r| r.id.as_str().cmp(id))
            .ok()
            .map(|i| &self.rules[i])
    }

    /// Attach the compliance matrix: every requirement of the catalog, with the catalog's
    /// rules (`all_rules`, evaluated or not) that cite it; statuses follow the findings.
    pub fn attach_requirements(&mut self, catalog: &RequirementCatalog, all_rules: &[Rule]) {
        self.requirements = crate::requirement::matrix_rows(catalog, all_rules, &self.rules);
        self.coverage = catalog
            .standards
            .iter()
            .filter(|s| self.requirements.iter().any(|r| r.standard == s.name))
            .map(|s| StandardCoverage {
                standard: s.name.clone(),
                short: s.short.clone(),
                binding: s.binding,
                draft: s.draft,
                total: 0,
                automated: 0,
                manual_only: 0,
                not_covered: 0,
                percent: 0,
                statuses: BTreeMap::new(),
            })
            .collect();
        self.summarize();
    }

    /// Groups of failing findings that share a root cause across at least two rules
    /// (waived and passing outcomes never group). Sorted by headline position.
    pub fn root_cause_groups(&self) -> Vec<RootCauseGroup> {
        let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, f) in self.findings.iter().enumerate() {
            if f.outcome == Outcome::Fail
                && let Some(k) = f.root_cause.as_deref()
            {
                by_key.entry(k).or_default().push(i);
            }
        }
        let mut groups: Vec<RootCauseGroup> = by_key
            .into_iter()
            .filter_map(|(k, idx)| {
                let first = *idx.first()?;
                let rule = &self.findings[first].rule_id;
                if idx.iter().all(|&i| &self.findings[i].rule_id == rule) {
                    return None;
                }
                Some(RootCauseGroup {
                    key: k.to_string(),
                    headline: first,
                    also: idx[1..].to_vec(),
                })
            })
            .collect();
        groups.sort_by_key(|g| g.headline);
        groups
    }

    /// Failing findings at or above a severity (waived and baselined ones excluded).
    pub fn failures_at_or_above(&self, threshold: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.outcome == Outcome::Fail && f.severity >= threshold)
            .count()
    }

    /// Recompute the summary from the findings (after waivers or baselines change them).
    pub fn summarize(&mut self) {
        let mut summary = Summary::default();
        for area in Area::ALL {
            summary.areas.push(AreaSummary {
                area,
                title: area.title().to_string(),
                counts: Counts::default(),
                subareas: area
                    .subareas()
                    .iter()
                    .map(|(slug, title)| SubareaSummary {
                        subarea: slug.to_string(),
                        title: title.to_string(),
                        counts: Counts::default(),
                    })
                    .collect(),
            });
        }
        for f in &self.findings {
            summary.totals.add(f.outcome);
            if f.outcome == Outcome::Fail {
                *summary.failures_by_severity.entry(f.severity).or_default() += 1;
            }
            if let Some(a) = summary.areas.iter_mut().find(|a| a.area == f.area) {
                a.counts.add(f.outcome);
                if let Some(s) = a.subareas.iter_mut().find(|s| s.subarea == f.subarea) {
                    s.counts.add(f.outcome);
                }
            }
        }
        self.summary = summary;
        if !self.requirements.is_empty() {
            let mut standards: Vec<(String, String)> = Vec::new();
            for c in &self.coverage {
                standards.push((c.standard.clone(), c.short.clone()));
            }
            self.coverage = crate::requirement::derive_statuses(
                &mut self.requirements,
                &self.findings,
                &standards,
            );
        }
        self.complete = !self.findings.iter().any(|f| f.outcome == Outcome::Error)
            && !self
                .diagnostics
                .iter()
                .any(|d| d.level == DiagnosticLevel::Error);
    }
}

/// The software of one ECU as the scan found it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EcuSoftware {
    pub ecu: String,
    /// Components with at least one unhandled vulnerability (overdue, due soon or of
    /// unknown age).
    pub vulnerable: usize,
    pub components: Vec<SoftwareComponent>,
}

/// One installed component and what the vulnerability feed says about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoftwareComponent {
    pub name: String,
    pub version: String,
    /// `debian`, `openwrt`, `alpine`, `android`, `linux` or `generic`.
    pub ecosystem: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// Every place the component was read from (a package database line, an SBOM entry).
    pub sources: Vec<ComponentSource>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<ComponentVulnerability>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentSource {
    pub file: String,
    /// `line 12`, `byte offset 4096`, a JSON pointer, `entry 5.10.120`.
    pub place: String,
    /// How it was found: `dpkg-status`, `cyclonedx`, `binary-signature`, ...
    pub method: String,
}

/// A feed record matching a component, with its status under the vulnerability policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentVulnerability {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `overdue`, `due_soon`, `unknown_age`, `handled` or `below_threshold`.
    pub status: String,
    /// `critical`, `high`, `medium`, `low`, `none` or `unknown`.
    pub severity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Overdue since / overdue from (status `overdue` and `due_soon`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    /// The VEX statement that settles it (status `handled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vex: Option<VexNote>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexNote {
    /// `not_affected`, `fixed`, `false_positive`.
    pub status: String,
    /// The justification (or the impact/detail statement when no justification is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    pub file: String,
}

impl ComponentVulnerability {
    /// Unhandled and at or above the severity threshold.
    pub fn is_open(&self) -> bool {
        matches!(self.status.as_str(), "overdue" | "due_soon" | "unknown_age")
    }
}
