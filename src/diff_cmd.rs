//! `icvsec diff OLD.json NEW.json`: what changed between two builds' JSON reports.
//! Findings are matched by their stable fingerprints (rule, asset, place), so a finding
//! that moved nowhere keeps its identity from one build to the next. Only failing
//! findings count: new (failing now, not before), fixed (failing before, not now),
//! changed severity (failing in both, the rule's severity changed) and still failing.

use crate::cli::{DiffArgs, DiffFormat};
use crate::exit::Exit;
use icvsec_model::fingerprint::Fingerprint;
use icvsec_model::{Area, Finding, Outcome, Report, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A JSON report is read whole; this bounds it (a report of the largest builds we know
/// is a few tens of MiB).
pub const MAX_REPORT_FILE: u64 = 256 * 1024 * 1024;

#[derive(Clone, Debug, Serialize)]
pub struct DiffEntry {
    pub rule_id: String,
    pub area: Area,
    pub severity: Severity,
    /// The severity in the old report (changed-severity entries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_severity: Option<Severity>,
    pub asset: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub fingerprint: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct AreaDiff {
    pub new: usize,
    pub fixed: usize,
    pub changed_severity: usize,
    pub still_failing: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ReportDiff {
    pub old: String,
    pub new_report: String,
    pub fail_on: Option<Severity>,
    pub old_complete: bool,
    pub new_complete: bool,
    pub new: Vec<DiffEntry>,
    pub fixed: Vec<DiffEntry>,
    pub changed_severity: Vec<DiffEntry>,
    pub still_failing: Vec<DiffEntry>,
    /// Counts per area (area slug), in the areas' own order.
    pub areas: BTreeMap<String, AreaDiff>,
    /// New findings at or above `fail_on` (what the exit code gates on).
    pub new_gated: usize,
}

fn entry(f: &Finding, old_severity: Option<Severity>) -> DiffEntry {
    DiffEntry {
        rule_id: f.rule_id.to_string(),
        area: f.area,
        severity: f.severity,
        old_severity,
        asset: f.asset.to_string(),
        message: f.message.to_string(),
        location: f.location.as_ref().map(|l| l.to_string()),
        fingerprint: f.fingerprint.to_string(),
    }
}

/// Failing findings keyed by (rule, fingerprint): the fingerprint is per rule.
fn failing(r: &Report) -> BTreeMap<(&str, Fingerprint), &Finding> {
    r.findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .map(|f| ((f.rule_id.as_str(), f.fingerprint), f))
        .collect()
}

pub fn diff_reports(
    old: &Report,
    new: &Report,
    old_label: &str,
    new_label: &str,
    fail_on: Option<Severity>,
) -> ReportDiff {
    let a = failing(old);
    let b = failing(new);
    let mut d = ReportDiff {
        old: old_label.to_string(),
        new_report: new_label.to_string(),
        fail_on,
        old_complete: old.complete,
        new_complete: new.complete,
        new: vec![],
        fixed: vec![],
        changed_severity: vec![],
        still_failing: vec![],
        areas: BTreeMap::new(),
        new_gated: 0,
    };
    for (k, f) in &b {
        match a.get(k) {
            None => d.new.push(entry(f, None)),
            Some(o) if o.severity != f.severity => {
                d.changed_severity.push(entry(f, Some(o.severity)))
            }
            Some(_) => d.still_failing.push(entry(f, None)),
        }
    }
    for (k, f) in &a {
        if !b.contains_key(k) {
            d.fixed.push(entry(f, None));
        }
    }
    // Most severe first, then rule and fingerprint (deterministic).
    for list in [
        &mut d.new,
        &mut d.fixed,
        &mut d.changed_severity,
        &mut d.still_failing,
    ] {
        list.sort_by(|x, y| {
            (std::cmp::Reverse(x.severity), &x.rule_id, &x.fingerprint).cmp(&(
                std::cmp::Reverse(y.severity),
                &y.rule_id,
                &y.fingerprint,
            ))
        });
    }
    for area in Area::ALL {
        let n = |l: &[DiffEntry]| l.iter().filter(|e| e.area == area).count();
        let c = AreaDiff {
            new: n(&d.new),
            fixed: n(&d.fixed),
            changed_severity: n(&d.changed_severity),
            still_failing: n(&d.still_failing),
        };
        if c.new + c.fixed + c.changed_severity + c.still_failing > 0 {
            d.areas.insert(area.slug().to_string(), c);
        }
    }
    d.new_gated = match fail_on {
        Some(t) => d.new.iter().filter(|e| e.severity >= t).count(),
        None => 0,
    };
    d
}

fn load(path: &Path) -> Result<Report, String> {
    let text = icvsec_engine::tomlerr::read_bounded_text(path, MAX_REPORT_FILE)
        .map_err(|e| e.to_string())?;
    serde_json::from_str::<Report>(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not a JSON report written by `icvsec scan --format json`: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

fn one_line(e: &DiffEntry) -> String {
    let sev = match e.old_severity {
        Some(o) => format!("{o} → {}", e.severity),
        None => e.severity.to_string(),
    };
    let at = e
        .location
        .as_deref()
        .map(|l| format!(" (at {l})"))
        .unwrap_or_default();
    format!(
        "{:<14} {:<16} {}: {}{at}",
        e.rule_id, sev, e.asset, e.message
    )
}

pub fn render_text(d: &ReportDiff) -> String {
    let mut s = format!("icvsec diff {} → {}\n", d.old, d.new_report);
    for (title, list) in [
        ("New failing", &d.new),
        ("Fixed", &d.fixed),
        ("Changed severity", &d.changed_severity),
        ("Still failing", &d.still_failing),
    ] {
        s.push_str(&format!("\n== {title} ({}) ==\n", list.len()));
        for e in list {
            s.push_str(&format!("  {}\n", one_line(e)));
        }
    }
    s.push_str("\n== Per area ==\n");
    s.push_str(&format!(
        "  {:<12} {:>5} {:>6} {:>8} {:>6}\n",
        "area", "new", "fixed", "severity", "still"
    ));
    for (area, c) in &d.areas {
        s.push_str(&format!(
            "  {:<12} {:>5} {:>6} {:>8} {:>6}\n",
            area, c.new, c.fixed, c.changed_severity, c.still_failing
        ));
    }
    s.push_str(&format!("\n{}\n", summary(d)));
    s
}

fn summary(d: &ReportDiff) -> String {
    let mut s = format!(
        "{} new, {} fixed, {} changed severity, {} still failing",
        d.new.len(),
        d.fixed.len(),
        d.changed_severity.len(),
        d.still_failing.len()
    );
    if let Some(t) = d.fail_on {
        s.push_str(&format!(" · {} new at or above {t}", d.new_gated));
    }
    if !d.new_complete {
        s.push_str(" · the new assessment is INCOMPLETE");
    }
    s
}

/// Markdown for a merge-request comment (tables capped; the counts are always whole).
pub fn render_markdown(d: &ReportDiff) -> String {
    const MAX_ROWS: usize = 200;
    let cell = icvsec_report::markdown::md_cell;
    let mut s = format!(
        "### icvsec: changes since the previous build\n\n**{}**\n\n",
        summary(d)
    );
    s.push_str(
        "| Area | New | Fixed | Changed severity | Still failing |\n|---|---:|---:|---:|---:|\n",
    );
    for (area, c) in &d.areas {
        s.push_str(&format!(
            "| {area} | {} | {} | {} | {} |\n",
            c.new, c.fixed, c.changed_severity, c.still_failing
        ));
    }
    for (title, list) in [
        ("New failing findings", &d.new),
        ("Fixed", &d.fixed),
        ("Changed severity", &d.changed_severity),
    ] {
        if list.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "\n#### {title} ({})\n\n| Rule | Severity | Asset | Message |\n|---|---|---|---|\n",
            list.len()
        ));
        for e in list.iter().take(MAX_ROWS) {
            let sev = match e.old_severity {
                Some(o) => format!("{o} → {}", e.severity),
                None => e.severity.to_string(),
            };
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                e.rule_id,
                sev,
                cell(&e.asset),
                cell(&e.message)
            ));
        }
        if list.len() > MAX_ROWS {
            s.push_str(&format!(
                "\n_{} more not shown; see `icvsec diff --format json`._\n",
                list.len() - MAX_ROWS
            ));
        }
    }
    s
}

pub fn run(args: &DiffArgs) -> i32 {
    let fail_on = if args.fail_on.eq_ignore_ascii_case("none") {
        None
    } else {
        match args.fail_on.parse::<Severity>() {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("icvsec: error: --fail-on: {e}");
                return Exit::Usage as i32;
            }
        }
    };
    let (old, new) = match (load(&args.old), load(&args.new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("icvsec: error: {e}");
            return Exit::Usage as i32;
        }
    };
    let d = diff_reports(
        &old,
        &new,
        &args.old.display().to_string(),
        &args.new.display().to_string(),
        fail_on,
    );
    let text = match args.format {
        DiffFormat::Text => render_text(&d),
        DiffFormat::Markdown => render_markdown(&d),
        DiffFormat::Json => serde_json::to_string_pretty(&d).unwrap_or_default() + "\n",
    };
    let text = icvsec_fs::name::inert_multiline(&text).into_owned();
    match &args.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, &text) {
                eprintln!("icvsec: error: cannot write {}: {e}", p.display());
                return Exit::Usage as i32;
            }
        }
        None => crate::out!("{text}"),
    }
    eprintln!("icvsec: diff: {}", summary(&d));
    if d.new_gated > 0 {
        Exit::Findings as i32
    } else {
        Exit::Clean as i32
    }
}
