//! JSON: the report model's serialization (schema_version 1), at one of two evidence levels.
//!
//! - **grouped** (the default): every failing, erroneous, manual and waived outcome is a
//!   finding in full; passes and not-applicable outcomes are grouped per rule, outcome and
//!   asset kind with their count and the ids of the assets they were judged on
//!   (`outcome_groups`). Every outcome stays countable (the groups' counts add up to the
//!   summary) and attributable (to its rule and asset), while the report of a build with
//!   tens of thousands of certificates stays a size a person and an artifact store take.
//! - **full** (`--full-evidence`): every outcome is a finding with its message and place,
//!   the report model as it is.
//!
//! Findings are serialised in parallel chunks (each with the pretty formatter, re-indented
//! to its depth) and written in order: the bytes are those of one serial pass.

use crate::Renderer;
use icvsec_model::{AssetKind, Finding, Outcome, Report};
use serde::Serialize;
use std::io::{self, Write};

/// The JSON renderer. `Json::default()` groups passes and not-applicable outcomes;
/// [`Json::full`] writes every outcome in full.
#[derive(Clone, Copy, Debug, Default)]
pub struct Json {
    /// Every outcome as a finding with message and place (`--full-evidence`).
    pub full_evidence: bool,
}

impl Json {
    /// Every outcome in full.
    pub fn full() -> Json {
        Json {
            full_evidence: true,
        }
    }
}

/// Whether an outcome is grouped at the default evidence level.
pub fn is_grouped(o: Outcome) -> bool {
    matches!(o, Outcome::Pass | Outcome::NotApplicable)
}

/// Passes or not-applicable outcomes of one rule on assets of one kind.
#[derive(Serialize)]
struct OutcomeGroup<'a> {
    rule_id: &'a str,
    outcome: Outcome,
    asset_kind: AssetKind,
    /// Number of outcomes (an asset may have several: kernel options, sysctl keys).
    count: usize,
    /// The assets, sorted, each once.
    assets: Vec<&'a str>,
}

/// The report with findings split as the evidence level says; field for field the
/// [`Report`]'s serialisation otherwise (a test holds the two together).
struct View<'a> {
    report: &'a Report,
    findings: Vec<&'a Finding>,
    outcome_groups: Option<Vec<OutcomeGroup<'a>>>,
}

/// Findings or groups per parallel chunk: large enough to amortise the join, small enough
/// to keep both threads busy to the end.
const CHUNK: usize = 2048;

/// The document as serde_json's pretty printer writes the [`Report`] (two-space indent,
/// fields in declaration order, the model's `skip_serializing_if` rules), written here
/// field by field so that the two large arrays, findings and outcome groups, are rendered
/// in parallel and spliced in as text. (Through one serde pass, pre-rendered elements had
/// to be `RawValue`s, each parsed again to be validated, and the groups were written on
/// one thread.)
fn write_view(v: &View, out: &mut dyn Write) -> io::Result<()> {
    let r = v.report;
    let mut o = Object { out, first: true };
    o.field("schema_version", &r.schema_version)?;
    o.field("scan", &r.scan)?;
    o.field("complete", &r.complete)?;
    o.field("summary", &r.summary)?;
    o.field("rules", &r.rules)?;
    o.array_par("findings", &v.findings, CHUNK)?;
    if let Some(groups) = &v.outcome_groups {
        // One group per job: a group of a certificate rule holds 20,000 asset ids.
        o.array_par("outcome_groups", groups, 1)?;
    }
    o.field("diagnostics", &r.diagnostics)?;
    o.field_unless_empty("data_map", &r.data_map)?;
    o.field_unless_empty("waivers", &r.waivers)?;
    o.field_unless_empty("inventory", &r.inventory)?;
    o.field_unless_empty("requirements", &r.requirements)?;
    o.field_unless_empty("coverage", &r.coverage)?;
    if r.baselined != 0 {
        o.field("baselined", &r.baselined)?;
    }
    o.field_unless_empty("evidence", &r.evidence)?;
    o.end()
}

/// A pretty-printed top-level object being written.
struct Object<'w> {
    out: &'w mut dyn Write,
    first: bool,
}

impl Object<'_> {
    fn key(&mut self, key: &str) -> io::Result<()> {
        let sep = if std::mem::take(&mut self.first) {
            "{\n  "
        } else {
            ",\n  "
        };
        write!(self.out, "{sep}\"{key}\": ")
    }

    /// A field at depth 1: the value's own pretty text, every line after the first
    /// indented by two spaces (JSON strings hold no raw newline, so each is layout).
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> io::Result<()> {
        self.key(key)?;
        let text = serde_json::to_vec_pretty(value).map_err(io::Error::other)?;
        write_indented(&mut *self.out, &text, b"  ")
    }

    fn field_unless_empty<T: Serialize>(&mut self, key: &str, value: &[T]) -> io::Result<()> {
        if value.is_empty() {
            return Ok(());
        }
        self.field(key, value)
    }

    /// An array field at depth 1 whose elements are rendered in parallel, `chunk` at a
    /// time, each at depth 2 (every line after its first indented by four spaces).
    fn array_par<T: Serialize + Sync>(
        &mut self,
        key: &str,
        items: &[T],
        chunk: usize,
    ) -> io::Result<()> {
        self.key(key)?;
        if items.is_empty() {
            return self.out.write_all(b"[]");
        }
        let mut first = true;
        crate::ordered::render_in_order(
            items,
            chunk,
            |chunk| {
                chunk
                    .iter()
                    .map(|item| {
                        let text = serde_json::to_vec_pretty(item)?;
                        let mut at_depth_2 = Vec::with_capacity(text.len() + text.len() / 8);
                        write_indented(&mut at_depth_2, &text, b"    ")?;
                        Ok(at_depth_2)
                    })
                    .collect::<io::Result<Vec<_>>>()
            },
            |rendered| -> io::Result<()> {
                for text in rendered? {
                    let sep: &[u8] = if std::mem::take(&mut first) {
                        b"[\n    "
                    } else {
                        b",\n    "
                    };
                    self.out.write_all(sep)?;
                    self.out.write_all(&text)?;
                }
                Ok(())
            },
        )?;
        self.out.write_all(b"\n  ]")
    }

    fn end(self) -> io::Result<()> {
        self.out.write_all(if self.first { b"{}" } else { b"\n}" })
    }
}

/// `text` with every line after the first indented by `by`.
fn write_indented<W: Write + ?Sized>(out: &mut W, text: &[u8], by: &[u8]) -> io::Result<()> {
    let mut lines = text.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        out.write_all(by)?;
        out.write_all(line)?;
    }
    Ok(())
}

/// The groups of grouped outcomes, in findings order (area, sub-area, rule), then outcome
/// and asset kind.
fn groups<'a>(report: &'a Report) -> Vec<OutcomeGroup<'a>> {
    let mut out: Vec<OutcomeGroup<'a>> = Vec::new();
    let mut at: std::collections::BTreeMap<(&str, Outcome, AssetKind), usize> =
        std::collections::BTreeMap::new();
    let mut rule_start = 0usize;
    // The group of the finding before: a rule's passes on one kind of asset come in a
    // run (20,000 certificates), so the map is asked only when the key changes.
    let mut last: Option<(&str, Outcome, AssetKind, usize)> = None;
    for f in report.findings.iter().filter(|f| is_grouped(f.outcome)) {
        if out.get(rule_start).is_some_and(|g| g.rule_id != f.rule_id) {
            // A new rule: sort the previous rule's groups and start afresh.
            out[rule_start..].sort_by_key(|g| (g.outcome, g.asset_kind));
            rule_start = out.len();
            at.clear();
            last = None;
        }
        if let Some((rule, outcome, kind, i)) = last
            && outcome == f.outcome
            && kind == f.asset.kind
            && rule == f.rule_id.as_str()
        {
            out[i].count += 1;
            out[i].assets.push(&f.asset.id);
            continue;
        }
        let i = *at
            .entry((f.rule_id.as_str(), f.outcome, f.asset.kind))
            .or_insert_with(|| {
                out.push(OutcomeGroup {
                    rule_id: &f.rule_id,
                    outcome: f.outcome,
                    asset_kind: f.asset.kind,
                    count: 0,
                    assets: Vec::new(),
                });
                out.len() - 1
            });
        last = Some((f.rule_id.as_str(), f.outcome, f.asset.kind, i));
        out[i].count += 1;
        out[i].assets.push(&f.asset.id);
    }
    out[rule_start..].sort_by_key(|g| (g.outcome, g.asset_kind));
    for g in &mut out {
        g.assets.sort_unstable();
        g.assets.dedup();
    }
    out
}

fn view(report: &Report, full: bool) -> View<'_> {
    View {
        report,
        findings: report
            .findings
            .iter()
            .filter(|f| full || !is_grouped(f.outcome))
            .collect(),
        outcome_groups: (!full).then(|| groups(report)),
    }
}

impl Renderer for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write_view(&view(report, self.full_evidence), out)?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icvsec_model::{Area, AssetRef, Location, Severity};

    fn finding(rule: &str, outcome: Outcome, kind: AssetKind, id: &str, n: usize) -> Finding {
        Finding {
            rule_id: rule.into(),
            area: Area::Terminal,
            subarea: "x".into(),
            severity: Severity::High,
            outcome,
            asset: AssetRef::new(kind, id),
            message: format!("message {n} with \"quotes\"\nand a line").into(),
            location: Some(Location::at_line(format!("f/{id}.pem"), n as u32 + 1)),
            related: Box::default(),
            fingerprint: icvsec_model::fingerprint::Fingerprint(n as u64),
            waiver: None,
            root_cause: None,
        }
    }

    fn report(n: usize) -> Report {
        let mut r = Report {
            schema_version: Report::SCHEMA_VERSION,
            ..Report::default()
        };
        for i in 0..n {
            let o = match i % 5 {
                0 => Outcome::Fail,
                1 | 2 => Outcome::Pass,
                3 => Outcome::NotApplicable,
                _ => Outcome::Error,
            };
            let rule = if i < n / 2 { "ICV-A-001" } else { "ICV-B-002" };
            r.findings.push(finding(
                rule,
                o,
                AssetKind::Certificate,
                &format!("c{}", i % 7),
                i,
            ));
        }
        r
    }

    fn render(r: &Report, j: Json) -> String {
        crate::render_to_string(&j, r)
    }

    #[test]
    fn full_evidence_is_the_model_serialised_byte_for_byte() {
        // None (an empty array), one, below and above the parallel chunk size.
        for n in [0, 1, 3, CHUNK * 2 + 17] {
            let r = report(n);
            let mut want = serde_json::to_string_pretty(&r).unwrap();
            want.push('\n');
            assert_eq!(render(&r, Json::full()), want, "{n} findings");
        }
    }

    #[test]
    fn grouped_keeps_every_other_field_of_the_model() {
        let r = report(40);
        let full: serde_json::Value = serde_json::from_str(&render(&r, Json::full())).unwrap();
        let grouped: serde_json::Value =
            serde_json::from_str(&render(&r, Json::default())).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        let mut g = keys(&grouped);
        g.retain(|k| k != "outcome_groups");
        assert_eq!(g, keys(&full));
        for k in keys(&full).iter().filter(|k| *k != "findings") {
            assert_eq!(grouped[k], full[k], "{k}");
        }
    }

    #[test]
    fn grouped_outcomes_stay_countable_and_attributable() {
        let r = report(CHUNK * 2 + 17);
        let v: serde_json::Value = serde_json::from_str(&render(&r, Json::default())).unwrap();
        let findings = v["findings"].as_array().unwrap();
        assert!(
            findings
                .iter()
                .all(|f| f["outcome"] == "fail" || f["outcome"] == "error")
        );
        let groups = v["outcome_groups"].as_array().unwrap();
        let counted: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
        let grouped = r.findings.iter().filter(|f| is_grouped(f.outcome)).count();
        assert_eq!(counted as usize, grouped);
        assert_eq!(findings.len() + grouped, r.findings.len());
        // One group per (rule, outcome, kind), rules in findings order, pass before n/a.
        let keys: Vec<(String, String)> = groups
            .iter()
            .map(|g| {
                (
                    g["rule_id"].as_str().unwrap().to_string(),
                    g["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("ICV-A-001", "pass"),
                ("ICV-A-001", "not_applicable"),
                ("ICV-B-002", "pass"),
                ("ICV-B-002", "not_applicable")
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let assets: Vec<&str> = groups[0]["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(assets, ["c0", "c1", "c2", "c3", "c4", "c5", "c6"]);
    }
}
