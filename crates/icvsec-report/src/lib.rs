//! Report renderers. Each one reads the report model only; grouping by area happened
//! once, in the model. Renderers never decide the exit code.

mod escape;
mod html;
pub mod inert;
mod json;
mod junit;
pub mod markdown;
mod ordered;
mod sarif;
mod text;

#[cfg(test)]
mod tests;

pub use escape::{html_escape, xml_escape};
pub use html::Html;
pub use json::{Json, is_grouped};
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::{Sarif, SarifLog};
pub use text::Text;

use icvsec_model::{Finding, Outcome, Report};
use std::io::{self, Write};

pub trait Renderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// Render into a string (for tests and files).
pub fn render_to_string(r: &dyn Renderer, report: &Report) -> String {
    let mut buf = Vec::new();
    r.render(report, &mut buf)
        .expect("writing to a Vec cannot fail");
    String::from_utf8(buf).expect("renderers write UTF-8")
}

/// Outcome of a group of findings as a whole: the worst of them (fail first).
pub(crate) fn worst(fs: &[&Finding]) -> Outcome {
    fs.iter()
        .map(|f| f.outcome)
        .min()
        .unwrap_or(Outcome::NotApplicable)
}

/// One defect, one headline: how a failing finding takes part in a root-cause group
/// (`Report::root_cause_groups`). Text, Markdown and HTML show the headline with the
/// other rules it breaks, and each other finding as a pointer to the headline.
pub(crate) enum Role<'a> {
    Headline { also: Vec<&'a Finding> },
    Member { headline: &'a Finding },
}

/// The roles of a report's grouped findings, by the finding's address in `report.findings`.
pub(crate) struct Grouping<'a> {
    roles: std::collections::BTreeMap<usize, Role<'a>>,
}

impl<'a> Grouping<'a> {
    pub(crate) fn new(report: &'a Report) -> Grouping<'a> {
        let mut roles = std::collections::BTreeMap::new();
        for g in report.root_cause_groups() {
            let head = &report.findings[g.headline];
            let also: Vec<&Finding> = g.also.iter().map(|&i| &report.findings[i]).collect();
            for m in &also {
                roles.insert(addr(m), Role::Member { headline: head });
            }
            roles.insert(addr(head), Role::Headline { also });
        }
        Grouping { roles }
    }

    pub(crate) fn role(&self, f: &Finding) -> Option<&Role<'a>> {
        self.roles.get(&addr(f))
    }

    /// A member shown under its headline elsewhere.
    pub(crate) fn is_member(&self, f: &Finding) -> bool {
        matches!(self.role(f), Some(Role::Member { .. }))
    }
}

fn addr(f: &Finding) -> usize {
    std::ptr::from_ref(f) as usize
}

/// The fact part of a root-cause key, for people: `expired`, `android security patch stale`.
pub(crate) fn fact_label(f: &Finding) -> String {
    f.root_cause
        .as_deref()
        .and_then(|k| k.rsplit_once('#'))
        .map(|(_, fact)| fact.replace('-', " "))
        .unwrap_or_default()
}

/// `ICV-CRT-021 (critical), ICV-DATA-015 (high)`: the other rules a defect breaks.
pub(crate) fn also_list(also: &[&Finding]) -> String {
    let mut ids: Vec<String> = also
        .iter()
        .map(|f| format!("{} ({})", f.rule_id, f.severity.as_str()))
        .collect();
    ids.dedup();
    ids.join(", ")
}

/// `5 components, 2 vulnerable (1 overdue, 1 due soon; 1 handled by VEX)`.
pub(crate) fn inventory_summary(e: &icvsec_model::report::EcuSoftware) -> String {
    let mut by_status: std::collections::BTreeMap<&str, usize> = Default::default();
    for c in &e.components {
        for v in &c.vulnerabilities {
            *by_status.entry(v.status.as_str()).or_default() += 1;
        }
    }
    let n = |s: &str| by_status.get(s).copied().unwrap_or(0);
    let mut parts = Vec::new();
    for (status, label) in [
        ("overdue", "overdue"),
        ("unknown_age", "of unknown age"),
        ("due_soon", "due soon"),
        ("handled", "handled by VEX"),
        ("below_threshold", "below the severity threshold"),
    ] {
        if n(status) > 0 {
            parts.push(format!("{} {label}", n(status)));
        }
    }
    format!(
        "{} component{}, {} vulnerable{}",
        e.components.len(),
        if e.components.len() == 1 { "" } else { "s" },
        e.vulnerable,
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join(", "))
        }
    )
}

/// The anchor of a rule in the generated rule reference (`docs/rules.md`).
pub fn rule_anchor(id: &str) -> String {
    id.to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
