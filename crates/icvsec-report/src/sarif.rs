//! SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF consumers.
//!
//! Only failing and erroneous findings become results (waived ones too, with a
//! suppression); passes, manual and not-applicable outcomes stay in the other reports.
//! Locations are relative to the scanned root, with `uriBaseId` `%SRCROOT%`.
//! `helpUri` (per rule) and the driver's `informationUri` are written only when the user
//! gives the address of the published rule reference (`--doc-base-url`, `doc_base_url`):
//! the schema requires absolute URIs and `docs/rules.md` is not one; the help markdown
//! links to it in any case.
//!
//! GitHub code scanning accepts at most 25,000 results per run and 1,000 locations per
//! result: beyond them the log is truncated (highest severities kept) and says so, in
//! the run properties and in a tool notification.

use crate::escape::uri_path;
use crate::{Renderer, rule_anchor};
use icvsec_model::report::{DiagnosticLevel, RuleInfo};
use icvsec_model::{AssetKind, Location, Outcome, Report, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const SRCROOT: &str = "%SRCROOT%";
pub const FINGERPRINT_KEY: &str = "icvsecFingerprint/v1";
/// GitHub code scanning's upper bounds (results per run, locations per result).
pub const MAX_RESULTS: usize = 25_000;
pub const MAX_LOCATIONS_PER_RESULT: usize = 1_000;

/// The SARIF renderer.
#[derive(Clone, Debug, Default)]
pub struct Sarif {
    /// Absolute `file://` URI of `%SRCROOT%` (ending in `/`), when known. Without it
    /// `%SRCROOT%` is described, not located (the output is then machine-independent).
    pub src_root_uri: Option<String>,
    /// Prepended to every artifact URI (e.g. `vehicle-build/`): the scanned root's path
    /// inside the repository, so that consumers resolving URIs against the repository
    /// root (GitHub code scanning) find the files. Empty: URIs are relative to the
    /// scanned root.
    pub uri_prefix: String,
    /// Base URL of the published rule reference: `helpUri` is `<base>#<rule anchor>`.
    pub doc_base_url: Option<String>,
    /// Results kept per run (None: [`MAX_RESULTS`]).
    pub max_results: Option<usize>,
    /// Locations (primary and related) kept per result (None: [`MAX_LOCATIONS_PER_RESULT`]).
    pub max_locations: Option<usize>,
}

impl Sarif {
    /// `file://` URI of an absolute directory path.
    pub fn file_uri(abs_dir: &std::path::Path) -> String {
        let s = abs_dir.to_string_lossy().replace('\\', "/");
        let s = if s.starts_with('/') {
            s
        } else {
            format!("/{s}")
        };
        let mut u = format!("file://{}", uri_path(&s));
        if !u.ends_with('/') {
            u.push('/');
        }
        u
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SarifLog {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub version: String,
    pub runs: Vec<Run>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invocations: Vec<Invocation>,
    pub original_uri_base_ids: BTreeMap<String, ArtifactLocation>,
    pub results: Vec<SarifResult>,
    pub column_kind: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: String,
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    pub rules: Vec<ReportingDescriptor>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: String,
    pub name: String,
    pub short_description: Message,
    pub full_description: Message,
    pub help: Message,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Configuration {
    pub level: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RuleProperties {
    /// GitHub reads this string as a CVSS-like score (0.0–10.0).
    #[serde(rename = "security-severity")]
    pub security_severity: String,
    pub tags: Vec<String>,
    pub precision: String,
    #[serde(rename = "problem.severity")]
    pub problem_severity: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Message {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

impl Message {
    fn text(s: impl Into<String>) -> Self {
        Message {
            text: s.into(),
            markdown: None,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Notification {
    pub level: String,
    pub message: Message,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<SarifLocation>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    pub rule_index: usize,
    pub kind: String,
    pub level: String,
    pub message: Message,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<SarifLocation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_locations: Vec<SarifLocation>,
    pub partial_fingerprints: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    pub properties: BTreeMap<String, serde_json::Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_location: Option<PhysicalLocation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Message>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    pub start_line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    pub name: String,
    pub fully_qualified_name: String,
    pub kind: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Suppression {
    pub kind: String,
    pub status: String,
    pub justification: String,
}

/// SARIF level of a severity: critical/high → error, medium → warning, low/info → note.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// `RsaKeysAreAtLeast2048Bits`-style name from a rule title.
fn camel_name(title: &str) -> String {
    let mut out = String::new();
    for word in title.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cs = word.chars();
        if let Some(first) = cs.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(cs);
        }
        if out.len() > 60 {
            break;
        }
    }
    if out.is_empty() { "Rule".into() } else { out }
}

fn physical(loc: &Location, prefix: &str) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: Some(uri_path(&format!(
                "{prefix}{}",
                loc.file.trim_start_matches('/')
            ))),
            uri_base_id: Some(SRCROOT.into()),
            description: None,
        },
        region: loc.line.filter(|l| *l > 0).map(|l| Region {
            start_line: l,
            start_column: loc.column.filter(|c| *c > 0),
        }),
    }
}

/// The file of an asset that is a file (its id is the path, `#n` for bundle members).
fn file_asset(kind: AssetKind, id: &str) -> Option<String> {
    use AssetKind::*;
    match kind {
        Certificate | PrivateKey | SshdConfig | Passwd | Shadow | KernelConfig | AndroidProps
        | Sysctl | Firewall | UciConfig | Inittab | NginxConfig | OpensslConfig
        | TlsStackConfig | ProbeResult => {
            let file = id.split('#').next().unwrap_or(id);
            (!file.is_empty()).then(|| file.to_string())
        }
        _ => None,
    }
}

fn descriptor(r: &RuleInfo) -> ReportingDescriptor {
    let refs: Vec<String> = r.references.iter().map(|x| x.to_string()).collect();
    let mut md = format!(
        "{}\n\n**Why:** {}\n\n**Remediation:** {}\n",
        r.title,
        r.rationale.trim(),
        r.remediation.trim()
    );
    if !refs.is_empty() {
        md.push_str("\n**References:**\n");
        for x in &refs {
            md.push_str(&format!("- {x}\n"));
        }
    }
    md.push_str(&format!(
        "\nSee the rule reference: [docs/rules.md#{a}](docs/rules.md#{a}).\n",
        a = rule_anchor(&r.id)
    ));
    let text = format!(
        "{}\n\nRemediation: {}\n\nReferences: {}",
        r.rationale.trim(),
        r.remediation.trim(),
        if refs.is_empty() {
            "none".into()
        } else {
            refs.join("; ")
        }
    );
    let mut tags = vec![
        "security".to_string(),
        format!("area:{}", r.area.slug()),
        format!("subarea:{}", r.subarea),
    ];
    for x in &r.references {
        let t = x.standard.clone();
        if !tags.contains(&t) {
            tags.push(t);
        }
    }
    for id in &r.requirements {
        tags.push(format!("requirement:{id}"));
    }
    if r.manual {
        tags.push("manual".into());
    }
    ReportingDescriptor {
        id: r.id.clone(),
        name: camel_name(&r.title),
        short_description: Message::text(r.title.clone()),
        full_description: Message::text(if r.rationale.trim().is_empty() {
            r.title.clone()
        } else {
            r.rationale.trim().to_string()
        }),
        help: Message {
            text,
            markdown: Some(md),
        },
        help_uri: None,
        default_configuration: Configuration {
            level: level(r.severity).into(),
        },
        properties: RuleProperties {
            security_severity: format!("{:.1}", r.severity.score()),
            tags,
            precision: if r.manual {
                "medium".into()
            } else {
                "high".into()
            },
            problem_severity: match r.severity {
                Severity::Critical | Severity::High => "error".into(),
                Severity::Medium => "warning".into(),
                _ => "recommendation".into(),
            },
        },
    }
}

impl Sarif {
    /// Build the SARIF log (for tests that inspect it as a value).
    pub fn log(&self, report: &Report) -> SarifLog {
        let prefix = {
            let p = self
                .uri_prefix
                .trim_start_matches("./")
                .trim_start_matches('/');
            if p.is_empty() || p.ends_with('/') {
                p.to_string()
            } else {
                format!("{p}/")
            }
        };
        let base = self
            .doc_base_url
            .as_deref()
            .map(|u| u.split('#').next().unwrap_or(u).to_string());
        let rules: Vec<ReportingDescriptor> = report
            .rules
            .iter()
            .map(|r| {
                let mut d = descriptor(r);
                d.help_uri = base.as_ref().map(|b| format!("{b}#{}", rule_anchor(&r.id)));
                d
            })
            .collect();
        let index: BTreeMap<&str, usize> = report
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut results = Vec::new();
        for f in &report.findings {
            if !matches!(f.outcome, Outcome::Fail | Outcome::Error | Outcome::Waived) {
                continue;
            }
            let Some(&rule_index) = index.get(f.rule_id.as_str()) else {
                continue;
            };
            let mut locations = Vec::new();
            let logical = vec![LogicalLocation {
                name: f.asset.id.to_string(),
                fully_qualified_name: format!("{}:{}", f.asset.kind, f.asset.id),
                kind: f.asset.kind.slug().to_string(),
            }];
            match &f.location {
                Some(loc) if !loc.file.is_empty() => locations.push(SarifLocation {
                    id: None,
                    physical_location: Some(physical(loc, &prefix)),
                    logical_locations: logical,
                    message: loc
                        .key_path
                        .as_ref()
                        .map(|k| Message::text(format!("at {k}"))),
                }),
                // No place given: a file asset is still located at its file.
                _ => locations.push(SarifLocation {
                    id: None,
                    physical_location: file_asset(f.asset.kind, &f.asset.id)
                        .map(|file| physical(&Location::file(file), &prefix)),
                    logical_locations: logical,
                    message: None,
                }),
            }
            let related_locations = f
                .related
                .iter()
                .enumerate()
                .map(|(i, r)| SarifLocation {
                    id: Some(i + 1),
                    physical_location: Some(physical(r, &prefix)),
                    logical_locations: vec![],
                    message: Some(Message::text(r.to_string())),
                })
                .collect();
            let mut props = BTreeMap::new();
            props.insert("outcome".into(), serde_json::json!(f.outcome.as_str()));
            props.insert("asset".into(), serde_json::json!(f.asset.to_string()));
            props.insert("severity".into(), serde_json::json!(f.severity.as_str()));
            // The defect behind the result, shared by the results of other rules about it.
            if let Some(rc) = &f.root_cause {
                props.insert("root_cause".into(), serde_json::json!(rc));
            }
            let text = match f.outcome {
                Outcome::Error => format!("Could not assess {}: {}", f.asset, f.message),
                _ => format!("{}: {}", f.asset, f.message),
            };
            let suppressions = match (&f.waiver, f.outcome) {
                (Some(w), Outcome::Waived) => vec![Suppression {
                    kind: "external".into(),
                    status: "accepted".into(),
                    justification: format!(
                        "{} (owner {}, expires {})",
                        w.justification, w.owner, w.expires
                    ),
                }],
                (None, Outcome::Waived) => vec![Suppression {
                    kind: "external".into(),
                    status: "accepted".into(),
                    justification: "waived".into(),
                }],
                _ => vec![],
            };
            results.push(SarifResult {
                rule_id: f.rule_id.to_string(),
                rule_index,
                kind: "fail".into(),
                level: level(f.severity).into(),
                message: Message::text(text),
                locations,
                related_locations,
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY.to_string(),
                    f.fingerprint.to_string(),
                )]),
                suppressions,
                properties: props,
            });
        }
        // GitHub's bounds: keep the most severe results, cap locations, and say so.
        let max_results = self.max_results.unwrap_or(MAX_RESULTS);
        let max_locations = self
            .max_locations
            .unwrap_or(MAX_LOCATIONS_PER_RESULT)
            .max(1);
        let total_results = results.len();
        let mut truncated_locations = 0usize;
        for r in &mut results {
            let keep = max_locations.saturating_sub(r.locations.len());
            if r.related_locations.len() > keep {
                truncated_locations += 1;
                let dropped = r.related_locations.len() - keep;
                r.related_locations.truncate(keep);
                r.properties
                    .insert("relatedLocationsOmitted".into(), serde_json::json!(dropped));
            }
        }
        if results.len() > max_results {
            // Stable: findings are already in a deterministic order; severity first.
            results.sort_by_key(|r| {
                std::cmp::Reverse(
                    r.properties
                        .get("severity")
                        .and_then(|v| v.as_str())
                        .and_then(|s| s.parse::<Severity>().ok())
                        .unwrap_or(Severity::Info),
                )
            });
            results.truncate(max_results);
        }
        let mut notifications: Vec<Notification> = report
            .diagnostics
            .iter()
            .filter(|d| d.level != DiagnosticLevel::Notice)
            .map(|d| Notification {
                level: match d.level {
                    DiagnosticLevel::Error => "error".into(),
                    _ => "warning".into(),
                },
                message: Message::text(d.message.clone()),
                locations: if d.location.file.is_empty() {
                    vec![]
                } else {
                    vec![SarifLocation {
                        id: None,
                        physical_location: Some(physical(&d.location, &prefix)),
                        logical_locations: vec![],
                        message: None,
                    }]
                },
            })
            .collect();
        if total_results > results.len() {
            notifications.push(Notification {
                level: "warning".into(),
                message: Message::text(format!(
                    "{total_results} results, {} kept: a SARIF run holds at most {max_results} results for GitHub code scanning (the most severe are kept; the JSON report has them all)",
                    results.len()
                )),
                locations: vec![],
            });
        }
        if truncated_locations > 0 {
            notifications.push(Notification {
                level: "warning".into(),
                message: Message::text(format!(
                    "{truncated_locations} results had more than {max_locations} locations; the related locations beyond were left out (see the JSON report)"
                )),
                locations: vec![],
            });
        }
        let src_root = match &self.src_root_uri {
            Some(u) => ArtifactLocation {
                uri: Some(u.clone()),
                uri_base_id: None,
                description: Some(Message::text("the scanned vehicle build directory")),
            },
            None => ArtifactLocation {
                uri: None,
                uri_base_id: None,
                description: Some(Message::text(format!(
                    "the scanned vehicle build directory ({})",
                    report.scan.root
                ))),
            },
        };
        let mut props = BTreeMap::new();
        props.insert("asOf".into(), serde_json::json!(report.scan.as_of));
        props.insert(
            "rulesDigest".into(),
            serde_json::json!(report.scan.rules_digest),
        );
        props.insert(
            "inputDigest".into(),
            serde_json::json!(report.scan.input_digest),
        );
        props.insert("complete".into(), serde_json::json!(report.complete));
        props.insert(
            "failOn".into(),
            serde_json::json!(report.scan.fail_on.as_str()),
        );
        props.insert("baselined".into(), serde_json::json!(report.baselined));
        if total_results > results.len() || truncated_locations > 0 {
            props.insert(
                "truncated".into(),
                serde_json::json!({
                    "results": total_results,
                    "resultsKept": results.len(),
                    "maxResults": max_results,
                    "resultsWithLocationsCut": truncated_locations,
                    "maxLocationsPerResult": max_locations,
                }),
            );
        }
        if !report.coverage.is_empty() {
            // Requirement coverage per standard and the status counts of the matrix.
            props.insert(
                "coverage".into(),
                serde_json::to_value(&report.coverage).unwrap_or_default(),
            );
            let mut statuses: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &report.requirements {
                *statuses.entry(r.status.as_str()).or_default() += 1;
            }
            props.insert("requirementStatuses".into(), serde_json::json!(statuses));
        }
        let version = report.scan.tool_version.clone();
        let semver = version
            .split('.')
            .take(3)
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && version.split('.').count() == 3;
        SarifLog {
            schema: SCHEMA_URI.into(),
            version: "2.1.0".into(),
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "icvsec".into(),
                        semantic_version: semver.then(|| version.clone()),
                        information_uri: base.clone(),
                        version,
                        rules,
                    },
                },
                invocations: vec![Invocation {
                    // An incomplete assessment is not a successful execution; the
                    // input problems are the notifications.
                    execution_successful: report.complete,
                    tool_execution_notifications: notifications,
                }],
                original_uri_base_ids: BTreeMap::from([(SRCROOT.to_string(), src_root)]),
                results,
                column_kind: "unicodeCodePoints".into(),
                properties: props,
            }],
        }
    }
}

impl Renderer for Sarif {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.log(report)).map_err(io::Error::other)?;
        writeln!(out)
    }
}
