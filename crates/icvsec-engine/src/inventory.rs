//! The report's software inventory: per ECU, the components the load found (with every
//! place each was read from) and the feed records matching each, with their status under
//! the vulnerability policy of the rules in effect (ICV-VUL-001's `vuln.overdue`
//! parameters; icvsec-vuln's defaults when no such rule runs). The same matcher the
//! vulnerability rules use, so the inventory and the findings agree.

use icvsec_inputs::{FeedState, Inventory};
use icvsec_model::report::{
    ComponentSource, ComponentVulnerability, EcuSoftware, SoftwareComponent, VexNote,
};
use icvsec_model::{Rule, RuleCheck};
use icvsec_vuln::matching::{MatchParams, Verdict, VulnMatch};
use std::collections::BTreeMap;

/// The policy the vulnerability rules apply (the first `vuln.overdue` rule in id order).
fn policy(rules: &[Rule]) -> MatchParams {
    let mut p = MatchParams::default();
    let mut overdue: Vec<&Rule> = rules
        .iter()
        .filter(|r| matches!(&r.check, RuleCheck::Builtin { name, .. } if name == "vuln.overdue"))
        .collect();
    overdue.sort_by(|a, b| a.id.cmp(&b.id));
    if let Some(RuleCheck::Builtin { params, .. }) = overdue.first().map(|r| &r.check) {
        if let Some(t) = params.get("severity_threshold").and_then(|v| v.as_f64()) {
            p.severity_threshold = t;
        }
        if let Some(m) = params
            .get("max_age_months")
            .and_then(|v| v.as_u64())
            .and_then(|m| u32::try_from(m).ok())
        {
            p.max_age_months = m;
        }
    }
    p
}

/// A serde enum value as its serialized word (`high`, `not_affected`).
fn word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}

fn vulnerability(m: &VulnMatch) -> ComponentVulnerability {
    let (status, due) = match &m.verdict {
        Verdict::Overdue { due } => ("overdue", Some(due.clone())),
        Verdict::DueSoon { due } => ("due_soon", Some(due.clone())),
        Verdict::UnknownAge => ("unknown_age", None),
        Verdict::Handled => ("handled", None),
        Verdict::BelowThreshold => ("below_threshold", None),
    };
    let vex = match (&m.verdict, &m.handled) {
        (Verdict::Handled, Some(st)) => Some(VexNote {
            status: word(&st.status),
            justification: st.justification.clone().or_else(|| st.detail.clone()),
            file: st.source.file.clone(),
        }),
        _ => None,
    };
    let mut aliases = m.aliases.clone();
    aliases.sort();
    aliases.dedup();
    ComponentVulnerability {
        id: m.vuln_id.clone(),
        aliases,
        status: status.to_string(),
        severity: word(&m.severity.rating),
        score: m.severity.score,
        published: m.published.clone(),
        due,
        fixed_version: m.fixed_version.clone(),
        vex,
    }
}

/// The inventory section of the report (empty when no ECU has software).
pub fn inventory(inv: &Inventory, rules: &[Rule], as_of: i64) -> Vec<EcuSoftware> {
    let sw = &inv.software;
    if sw.ecus.is_empty() {
        return Vec::new();
    }
    let matches: Vec<VulnMatch> = match &sw.feed {
        FeedState::Loaded(feed) => {
            let date = time::OffsetDateTime::from_unix_timestamp(as_of)
                .map(|t| t.date())
                .unwrap_or(time::Date::MIN);
            icvsec_vuln::match_inventory(
                &sw.inventories(),
                feed,
                &sw.vex,
                &sw.releases,
                date,
                &policy(rules),
            )
        }
        _ => Vec::new(),
    };
    // (ecu, ecosystem, name, version) -> matches
    let mut by_component: BTreeMap<(&str, String, &str, &str), Vec<&VulnMatch>> = BTreeMap::new();
    for m in &matches {
        by_component
            .entry((
                m.ecu.as_str(),
                m.ecosystem.as_str().to_string(),
                m.component.as_str(),
                m.version.as_str(),
            ))
            .or_default()
            .push(m);
    }
    sw.ecus
        .iter()
        .map(|(ecu, e)| {
            let components: Vec<SoftwareComponent> = e
                .components()
                .map(|c| {
                    let key = (
                        ecu.as_str(),
                        c.ecosystem.as_str().to_string(),
                        c.name.as_str(),
                        c.version.as_str(),
                    );
                    let mut vulnerabilities: Vec<ComponentVulnerability> = by_component
                        .get(&key)
                        .map(|ms| ms.iter().map(|m| vulnerability(m)).collect())
                        .unwrap_or_default();
                    vulnerabilities.sort_by(|a, b| a.id.cmp(&b.id).then(a.status.cmp(&b.status)));
                    vulnerabilities.dedup_by(|a, b| a.id == b.id && a.status == b.status);
                    SoftwareComponent {
                        name: c.name.clone(),
                        version: c.version.clone(),
                        ecosystem: c.ecosystem.as_str().to_string(),
                        purl: c.purl.clone(),
                        cpe: c.cpe.clone(),
                        sources: c
                            .sources
                            .iter()
                            .map(|s| ComponentSource {
                                file: s.file.clone(),
                                place: s.place.to_string(),
                                method: s.method.clone(),
                            })
                            .collect(),
                        vulnerabilities,
                    }
                })
                .collect();
            let vulnerable = components
                .iter()
                .filter(|c| c.vulnerabilities.iter().any(|v| v.is_open()))
                .count();
            EcuSoftware {
                ecu: ecu.clone(),
                vulnerable,
                components,
            }
        })
        .collect()
}
