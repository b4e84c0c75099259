//! The self-assessment report: one self-contained HTML file (inline CSS and inline SVG,
//! no script, no fonts, no network: a Content-Security-Policy of `default-src 'none'`
//! enforces it). Sections: scan metadata, summary per area with a bar chart, the
//! compliance matrix per requirement (standard + clause → rules → outcome → evidence),
//! failing findings with remediation, manual requirements with an empty evidence box,
//! the data map as a graph, waivers, input problems. Every string from the report is
//! escaped.

// HTML is assembled with write!(..., "...\n") line by line; writeln! would hide the markup.
#![allow(clippy::write_with_newline)]

use crate::escape::html_escape as esc;
use crate::{Renderer, rule_anchor, worst};
use icvsec_model::report::{Counts, DataMapEntry, DiagnosticLevel, RuleInfo};
use icvsec_model::{Finding, Outcome, Report, RequirementStatus};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct Html {
    /// At most this many pieces of evidence per rule in the compliance matrix.
    pub max_evidence: usize,
}

impl Default for Html {
    fn default() -> Self {
        Html { max_evidence: 4 }
    }
}

const CSS: &str = r#"
:root{--pass:#2e7d32;--fail:#c62828;--error:#6a1b9a;--manual:#0277bd;--waived:#b7791f;--na:#9e9e9e;--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:var(--ink);background:#fff;line-height:1.45;font-size:14px}
header{background:#0d2a4a;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c9d6e3}
main{padding:8px 32px 40px;max-width:1400px}
h2{border-bottom:2px solid var(--line);padding-bottom:4px;margin-top:32px;font-size:19px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;overflow-wrap:break-word}
table.matrix{table-layout:fixed}
table.matrix col.c-std{width:12%}table.matrix col.c-clause{width:13%}table.matrix col.c-rule{width:22%}table.matrix col.c-out{width:8%}table.matrix col.c-ev{width:45%}
th{background:var(--bg);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;overflow-wrap:anywhere}
.badge{display:inline-block;min-width:58px;text-align:center;padding:1px 6px;border-radius:10px;color:#fff;font-size:12px;font-weight:600}
.s-met{background:var(--pass)}.s-not_met{background:var(--fail)}.s-could_not_assess{background:var(--error)}.s-manual_evidence_required{background:var(--manual)}.s-waived{background:var(--waived)}.s-not_applicable{background:var(--na)}.s-not_covered{background:#57606a}
table.req col.c-clause{width:16%}table.req col.c-req{width:28%}table.req col.c-st{width:10%}table.req col.c-rules{width:16%}table.req col.c-ev{width:30%}
.o-pass{background:var(--pass)}.o-fail{background:var(--fail)}.o-error{background:var(--error)}.o-manual{background:var(--manual)}.o-waived{background:var(--waived)}.o-not_applicable{background:var(--na)}
.sev{font-size:12px;font-weight:600;text-transform:uppercase}
.sev-critical{color:#8b0000}.sev-high{color:var(--fail)}.sev-medium{color:#b35900}.sev-low{color:#5c6b00}.sev-info{color:var(--muted)}
.verdict{padding:10px 14px;border-radius:6px;margin:16px 0;font-weight:600}
.verdict.ok{background:#e6f4ea;border:1px solid var(--pass)}.verdict.bad{background:#fdecea;border:1px solid var(--fail)}.verdict.warn{background:#f3e8fd;border:1px solid var(--error)}
.meta td:first-child{width:180px;color:var(--muted)}
.finding{border:1px solid var(--line);border-left:5px solid var(--fail);border-radius:4px;padding:8px 12px;margin:10px 0}
.finding.error{border-left-color:var(--error)}
.finding.waived{border-left-color:var(--waived)}
.finding p{margin:4px 0}
.muted{color:var(--muted)}
.evidence-box{border:1px dashed #8c959f;min-height:90px;border-radius:4px;margin:6px 0 2px;background:#fcfcfc}
.evidence-box span{display:block;color:#8c959f;font-size:12px;padding:4px 8px}
.manual{border:1px solid var(--line);border-radius:4px;padding:8px 12px;margin:10px 0;page-break-inside:avoid}
ul.ev{margin:0;padding-left:18px}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px;border-radius:2px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
nav.toc{margin:4px 0 8px}nav.toc a{margin-right:16px;color:#0d2a4a;text-decoration:none;font-weight:600}nav.toc a:hover{text-decoration:underline}
@media print{nav.toc{display:none}}
footer{color:var(--muted);font-size:12px;padding:16px 32px;border-top:1px solid var(--line)}
@media print{header{background:#fff;color:#000}header p{color:#333}main{padding:0 8px}}
.signoff td{height:34px}.signoff td:first-child{width:180px;color:var(--muted)}
.print-note{display:none}
/* A document to sign: on paper (A4 landscape, compact type) the compliance matrix and
   the failures come first, requirements that are met or not applicable are collapsed
   (counted in the coverage table), findings keep their first evidence and the fix (the
   rationale and references stay in the HTML), and the main parts start a page. */
@media print{
@page{size:A4 landscape;margin:10mm}
body{font-size:9px;line-height:1.2}
th,td{padding:1px 3px}
.badge{min-width:0;font-size:8px;padding:0 3px}
code,.mono{font-size:8px}
h2{margin:6px 0 4px;font-size:14px}
main{display:flex;flex-direction:column}
section.sec{display:block}
#sec-scope{order:0}#sec-matrix{order:1}#sec-findings{order:2}#sec-inventory{order:3}#sec-inputs{order:4}#sec-summary{order:5}#sec-scan{order:6}#sec-manual{order:7}#sec-data-map{order:8}#sec-waivers{order:9}#sec-evidence{order:10}#sec-signoff{order:11}
#sec-matrix,#sec-findings,#sec-summary,#sec-signoff{break-before:page}
tr.st-met,tr.st-not_applicable{display:none}
td code.muted{display:none}
ul.ev li:nth-child(n+3){display:none}
.finding{padding:2px 6px;margin:3px 0}
.finding h3{margin:2px 0;font-size:10px}
.finding p.why,.finding p.muted{display:none}
.print-note{display:block}
.evidence-box{min-height:50px}
.finding,.manual,tr{break-inside:avoid}
.signoff td{height:40px}
svg{max-width:100%}
}
"#;

/// What was assessed and what was not: the first thing an assessor signs against.
fn scope_block(report: &Report) -> String {
    let s = &report.scan;
    let mut h =
        String::from("<h2 id=\"scope\">Scope of the assessment</h2>\n<table class=\"meta\">\n");
    let mut rows: Vec<(&str, String)> = Vec::new();
    match &s.vehicle {
        Some(v) => {
            rows.push(("Vehicle", v.model.clone()));
            rows.push((
                "Variants / build",
                format!("{} build · {} ECU configuration(s)", v.stage, v.ecus),
            ));
            rows.push((
                "Markets",
                if v.markets.is_empty() {
                    "none declared".into()
                } else {
                    v.markets.join(", ")
                },
            ));
        }
        None => rows.push(("Vehicle", "no vehicle.json: what discovery found".into())),
    }
    rows.push((
        "Build id",
        format!("{} · input digest SHA-256 {}", s.root, s.input_digest),
    ));
    let standards: Vec<String> = report
        .coverage
        .iter()
        .map(|c| {
            format!(
                "{}{} ({} of {} requirements automated)",
                c.standard,
                if c.draft { " (draft, not binding)" } else { "" },
                c.automated,
                c.total
            )
        })
        .collect();
    rows.push((
        "Standards assessed",
        if standards.is_empty() {
            "the selected rules' references (no requirement catalog attached)".into()
        } else {
            standards.join("; ")
        },
    ));
    rows.push((
        "Rules",
        format!(
            "{} rules evaluated ({} manual) · rule catalog SHA-256 {}",
            report.rules.len(),
            report.rules.iter().filter(|r| r.manual).count(),
            s.rules_digest
        ),
    ));
    if let Some(c) = &s.config {
        rows.push(("Configuration", c.clone()));
    }
    let not_covered = report
        .requirements
        .iter()
        .filter(|r| r.status == RequirementStatus::NotCovered)
        .count();
    rows.push((
        "Not in scope",
        format!(
            "{not_covered} requirement(s) no rule covers (“not covered” in the matrix); organisational processes (CSMS, SUMS), physical and penetration tests and live network behaviour are not assessed by a scan of the build; requirements needing manual evidence are listed under Manual requirements."
        ),
    ));
    for (k, v) in rows {
        let v = if k == "Build id" || k == "Rules" {
            format!("<span class=\"mono\">{}</span>", esc(&v))
        } else {
            esc(&v)
        };
        let _ = writeln!(h, "<tr><td>{}</td><td>{v}</td></tr>", esc(k));
    }
    h.push_str("</table>\n<p class=\"muted print-note\">On paper, requirements that are met or not applicable are left out of the matrix (they are counted in the coverage table), and findings show their first pieces of evidence and the fix; the rationale, references and every piece of evidence are in this HTML file and the JSON report.</p>\n");
    h
}

/// At most this many rows in the evidence index of the HTML report.
const MAX_EVIDENCE_ROWS: usize = 2_000;

/// The software inventory: per ECU a table of its components, where each was read, and
/// the known vulnerabilities of each with their status (VEX justification shown).
fn inventory_html(report: &Report) -> String {
    let mut h = String::from(
        "<h2 id=\"inventory\">Software inventory</h2>\n<p class=\"muted\">Components found per ECU (package databases, build properties, kernel, SBOMs, binary signatures) and the vulnerability-feed records that match them. Overdue and due-soon vulnerabilities are failing findings of ICV-VUL-001 and ICV-VUL-002.</p>\n",
    );
    for e in &report.inventory {
        let _ = write!(
            h,
            "<h3 id=\"inventory-{}\">ECU <code>{}</code></h3>\n<p>{}</p>\n",
            esc(&rule_anchor(&e.ecu)),
            esc(&e.ecu),
            esc(&crate::inventory_summary(e))
        );
        h.push_str("<table class=\"inventory\"><thead><tr><th>Component</th><th>Version</th><th>Ecosystem / identifiers</th><th>Found in</th><th>Vulnerabilities</th></tr></thead><tbody>\n");
        for c in &e.components {
            let ids: Vec<String> = [
                Some(c.ecosystem.as_str()),
                c.purl.as_deref(),
                c.cpe.as_deref(),
            ]
            .into_iter()
            .flatten()
            .map(|x| format!("<code>{}</code>", esc(x)))
            .collect();
            let found: Vec<String> = c
                .sources
                .iter()
                .map(|s| {
                    format!(
                        "<code>{}</code> {} <span class=\"muted\">({})</span>",
                        esc(&s.file),
                        esc(&s.place),
                        esc(&s.method)
                    )
                })
                .collect();
            let vulns: Vec<String> = c
                .vulnerabilities
                .iter()
                .map(|v| {
                    let status = match (v.status.as_str(), &v.vex) {
                        ("handled", Some(x)) => format!(
                            "handled by VEX ({}{})",
                            esc(&x.status),
                            x.justification
                                .as_deref()
                                .map(|j| format!(": {}", esc(j)))
                                .unwrap_or_default()
                        ),
                        ("overdue", _) => format!(
                            "<strong>overdue</strong>{}",
                            v.due
                                .as_deref()
                                .map(|d| format!(" since {}", esc(d)))
                                .unwrap_or_default()
                        ),
                        ("due_soon", _) => format!(
                            "due soon{}",
                            v.due
                                .as_deref()
                                .map(|d| format!(" (overdue from {})", esc(d)))
                                .unwrap_or_default()
                        ),
                        (s, _) => esc(&s.replace('_', " ")),
                    };
                    format!(
                        "<code>{}</code> {}{} — {}{}",
                        esc(&v.id),
                        esc(&v.severity),
                        v.score.map(|s| format!(" {s:.1}")).unwrap_or_default(),
                        status,
                        v.fixed_version
                            .as_deref()
                            .map(|f| format!("; fixed in {}", esc(f)))
                            .unwrap_or_default()
                    )
                })
                .collect();
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.name),
                esc(&c.version),
                ids.join("<br>"),
                found.join("<br>"),
                if vulns.is_empty() {
                    "<span class=\"muted\">none known</span>".to_string()
                } else {
                    vulns.join("<br>")
                }
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h
}

fn evidence_index(report: &Report) -> String {
    let mut h = String::from("<h2 id=\"evidence\">Evidence index</h2>\n");
    if report.evidence.is_empty() {
        h.push_str("<p>No file of the build is cited by a finding or an input problem.</p>\n");
        return h;
    }
    h.push_str("<p class=\"muted\">The files the findings and input problems cite, with the SHA-256 of their bytes when scanned.</p>\n<table><thead><tr><th>File</th><th>SHA-256</th></tr></thead><tbody>\n");
    for e in report.evidence.iter().take(MAX_EVIDENCE_ROWS) {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td><code>{}</code></td></tr>",
            esc(&e.file),
            esc(&e.sha256)
        );
    }
    h.push_str("</tbody></table>\n");
    if report.evidence.len() > MAX_EVIDENCE_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"muted\">{} more file(s) in the JSON report.</p>",
            report.evidence.len() - MAX_EVIDENCE_ROWS
        );
    }
    h
}

const SIGNOFF: &str = "<h2 id=\"signoff\">Sign-off</h2>\n<p>I have reviewed this self-assessment, the evidence it cites and the manual evidence recorded above, and I confirm that it describes the build identified in the scope.</p>\n<table class=\"signoff\"><tbody>\n<tr><td>Assessor (name, organisation)</td><td></td></tr>\n<tr><td>Role</td><td></td></tr>\n<tr><td>Date</td><td></td></tr>\n<tr><td>Statement / reservations</td><td></td></tr>\n<tr><td></td><td></td></tr>\n<tr><td>Signature</td><td></td></tr>\n</tbody></table>\n";

/// Wrap each top-level section (from one `<h2 id=…>` to the next) in a
/// `<section class="sec" id="sec-…">`, for the print order and page breaks. The caller
/// closes the last one.
fn sections(h: &str) -> String {
    let mut out = String::with_capacity(h.len() + 1024);
    let mut rest = h;
    let mut first = true;
    while let Some(i) = rest.find("<h2 id=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 8..];
        let id = after.split('"').next().unwrap_or("");
        if !first {
            out.push_str("</section>\n");
        }
        first = false;
        let _ = write!(out, "<section class=\"sec\" id=\"sec-{id}\">");
        out.push_str("<h2 id=\"");
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Column order of the summary table: the chart's order.
const COLUMNS: [Outcome; 6] = [
    Outcome::Pass,
    Outcome::Fail,
    Outcome::Error,
    Outcome::Manual,
    Outcome::Waived,
    Outcome::NotApplicable,
];

const OUTCOME_COLORS: [(Outcome, &str); 6] = [
    (Outcome::Pass, "#2e7d32"),
    (Outcome::Fail, "#c62828"),
    (Outcome::Error, "#6a1b9a"),
    (Outcome::Manual, "#0277bd"),
    (Outcome::Waived, "#b7791f"),
    (Outcome::NotApplicable, "#9e9e9e"),
];

fn badge(o: Outcome) -> String {
    format!(
        "<span class=\"badge o-{}\">{}</span>",
        o.as_str(),
        esc(o.label())
    )
}

fn sev(s: icvsec_model::Severity) -> String {
    format!("<span class=\"sev sev-{0}\">{0}</span>", s.as_str())
}

fn total(c: &Counts) -> usize {
    Outcome::ALL.iter().map(|o| c.get(*o)).sum()
}

fn loc_html(f: &Finding) -> String {
    match &f.location {
        Some(l) => format!(" <code>{}</code>", esc(&l.to_string())),
        None => String::new(),
    }
}

fn status_badge(s: RequirementStatus) -> String {
    format!(
        "<span class=\"badge s-{}\">{}</span>",
        s.as_str(),
        esc(s.label())
    )
}

/// The compliance matrix from the report's requirement rows (derived in the model):
/// one table per standard, every requirement, with its status, the rules that cite it
/// and the evidence or the reason for the status.
fn requirement_matrix(
    report: &Report,
    by_rule: &BTreeMap<&str, Vec<&Finding>>,
    max_evidence: usize,
) -> String {
    let mut h = String::new();
    h.push_str("<h2 id=\"matrix\">Compliance matrix</h2>\n<p class=\"muted\">Every requirement of the catalogued standards, in each standard's own order, GB 44495 first. Status from the rules that cite it: any failure → not met; else any error → could not assess; else a manual rule → manual evidence required; else a waived failure → waived; else a pass → met; only not-applicable → not applicable; no rule → not covered. Clauses marked “unverified” give the verified section only; drafts are never binding.</p>\n");
    h.push_str("<table><thead><tr><th>Standard</th><th class=\"num\">Requirements</th><th class=\"num\">Automated</th><th class=\"num\">Coverage</th>");
    for st in RequirementStatus::ALL {
        let _ = write!(h, "<th class=\"num\">{}</th>", esc(st.label()));
    }
    h.push_str("</tr></thead><tbody>\n");
    for c in &report.coverage {
        let _ = write!(
            h,
            "<tr><td><a href=\"#std-{}\">{}</a>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}%</td>",
            esc(&rule_anchor(&c.short)),
            esc(&c.standard),
            if c.draft && !c.standard.contains("draft") {
                " <span class=\"muted\">(draft)</span>"
            } else if !c.binding {
                " <span class=\"muted\">(recommended)</span>"
            } else {
                ""
            },
            c.total,
            c.automated,
            c.percent
        );
        for st in RequirementStatus::ALL {
            let _ = write!(
                h,
                "<td class=\"num\">{}</td>",
                c.statuses.get(&st).copied().unwrap_or(0)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
    for c in &report.coverage {
        let _ = writeln!(
            h,
            "<h3 class=\"std\" id=\"std-{}\">{} <span class=\"muted\">· {} of {} requirements with an automated rule ({}%)</span></h3>",
            esc(&rule_anchor(&c.short)),
            esc(&c.standard),
            c.automated,
            c.total,
            c.percent
        );
        h.push_str("<table class=\"matrix req\"><colgroup><col class=\"c-clause\"><col class=\"c-req\"><col class=\"c-st\"><col class=\"c-rules\"><col class=\"c-ev\"></colgroup><thead><tr><th>Clause</th><th>Requirement</th><th>Status</th><th>Rules</th><th>Evidence</th></tr></thead><tbody>\n");
        for row in report
            .requirements
            .iter()
            .filter(|r| r.standard == c.standard)
        {
            let _ = write!(
                h,
                "<tr id=\"req-{}\" class=\"st-{}\"><td>{}{}{}{}</td><td>{}<br><code class=\"muted\">{}</code></td><td>{}</td><td>",
                esc(&rule_anchor(&row.id)),
                row.status.as_str(),
                esc(row.clause.as_deref().unwrap_or("")),
                row.clause_name
                    .as_ref()
                    .map(|n| format!(
                        "{}<span class=\"muted\">{}</span>",
                        if row.clause.is_some() { "<br>" } else { "" },
                        esc(n)
                    ))
                    .unwrap_or_default(),
                if row.verified {
                    ""
                } else {
                    " <span class=\"muted\">(unverified)</span>"
                },
                if row.draft {
                    " <span class=\"muted\">(draft, not binding)</span>"
                } else {
                    ""
                },
                esc(&row.statement),
                esc(&row.id),
                status_badge(row.status)
            );
            let mut failing: Vec<&Finding> = Vec::new();
            for id in &row.rules {
                let fs = by_rule.get(id.as_str()).cloned().unwrap_or_default();
                let info = report.rule(id);
                let o = worst(&fs);
                let link = match info {
                    Some(r) => rule_link(r, &fs),
                    None => format!("<code>{}</code>", esc(id)),
                };
                let _ = write!(h, "{link} {}<br>", badge(o));
                failing.extend(fs.iter().filter(|f| {
                    matches!(f.outcome, Outcome::Fail | Outcome::Error | Outcome::Waived)
                }));
            }
            for id in &row.unselected_rules {
                let _ = write!(
                    h,
                    "<code class=\"muted\">{}</code> <span class=\"muted\">(not evaluated)</span><br>",
                    esc(id)
                );
            }
            h.push_str("</td><td>");
            match row.status {
                RequirementStatus::NotMet
                | RequirementStatus::CouldNotAssess
                | RequirementStatus::Waived => {
                    h.push_str("<ul class=\"ev\">");
                    for f in failing.iter().take(max_evidence) {
                        let _ = write!(
                            h,
                            "<li>{} {}: {}{}</li>",
                            badge(f.outcome),
                            esc(&f.asset.to_string()),
                            esc(&f.message),
                            loc_html(f)
                        );
                    }
                    if failing.len() > max_evidence {
                        let _ = write!(
                            h,
                            "<li class=\"muted\">and {} more</li>",
                            failing.len() - max_evidence
                        );
                    }
                    h.push_str("</ul>");
                }
                RequirementStatus::ManualEvidenceRequired => {
                    let _ = write!(h, "<b>Evidence required:</b> {}", esc(&row.evidence));
                }
                RequirementStatus::Met => {
                    let n: usize = row
                        .rules
                        .iter()
                        .filter_map(|id| by_rule.get(id.as_str()))
                        .map(|fs| fs.iter().filter(|f| f.outcome == Outcome::Pass).count())
                        .sum();
                    let _ = write!(h, "<span class=\"muted\">{n} passing finding(s)</span>");
                }
                RequirementStatus::NotApplicable => {
                    let _ = write!(
                        h,
                        "<span class=\"muted\">{}</span>",
                        esc(row.reason.as_deref().unwrap_or(""))
                    );
                }
                RequirementStatus::NotCovered => {
                    let _ = write!(
                        h,
                        "<span class=\"muted\">No rule yet. An inspector expects: {}</span>",
                        esc(&row.evidence)
                    );
                }
            }
            h.push_str("</td></tr>\n");
        }
        h.push_str("</tbody></table>\n");
    }
    h
}

/// Horizontal stacked bars, one per area, proportional to the area's outcomes.
fn area_chart(report: &Report) -> String {
    let rows: Vec<_> = report
        .summary
        .areas
        .iter()
        .filter(|a| total(&a.counts) > 0)
        .collect();
    let label_w = 260.0;
    let bar_w = 620.0;
    let row_h = 30.0;
    let h = row_h * rows.len().max(1) as f64 + 10.0;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg role=\"img\" aria-label=\"Outcomes per area\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" xmlns=\"http://www.w3.org/2000/svg\">",
        w = label_w + bar_w + 60.0,
    );
    if rows.is_empty() {
        s.push_str("<text x=\"0\" y=\"20\" font-size=\"13\">nothing evaluated</text>");
    }
    for (i, a) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let n = total(&a.counts);
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{}\" font-size=\"13\" fill=\"#1f2328\">{}</text>",
            y + 16.0,
            esc(&a.title)
        );
        let mut x = label_w;
        for (o, color) in OUTCOME_COLORS {
            let k = a.counts.get(o);
            if k == 0 {
                continue;
            }
            let w = bar_w * k as f64 / n as f64;
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"22\" fill=\"{color}\"><title>{}: {k}</title></rect>",
                esc(&format!("{} — {}", a.title, o.label()))
            );
            if w >= 22.0 {
                let _ = write!(
                    s,
                    "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#fff\" text-anchor=\"middle\">{k}</text>",
                    x + w / 2.0,
                    y + 15.5
                );
            }
            x += w;
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#57606a\">{n}</text>",
            label_w + bar_w + 8.0,
            y + 15.5
        );
    }
    s.push_str("</svg>");
    s.push_str("<div class=\"legend\">");
    for (o, color) in OUTCOME_COLORS {
        let _ = write!(
            s,
            "<span><i style=\"background:{color}\"></i>{}</span>",
            esc(o.label())
        );
    }
    s.push_str("</div>");
    s
}

/// The data map as a layered graph: columns by hop, arrows along every route.
fn data_map_svg(entries: &[DataMapEntry]) -> String {
    // Nodes in first-seen order; edges with the items they carry.
    let mut order: Vec<String> = Vec::new();
    let mut edges: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    // Flags of a node when it is a route's destination.
    let mut dest: BTreeMap<String, (bool, bool, bool, String)> = BTreeMap::new();
    for e in entries {
        for r in &e.routes {
            for (i, n) in r.path.iter().enumerate() {
                if !order.contains(n) {
                    order.push(n.clone());
                }
                if i > 0 && r.path[i - 1] != *n {
                    let items = edges.entry((r.path[i - 1].clone(), n.clone())).or_default();
                    if !items.contains(&e.item) {
                        items.push(e.item.clone());
                    }
                }
            }
            if let Some(last) = r.path.last() {
                let d = dest
                    .entry(last.clone())
                    .or_insert((false, false, false, String::new()));
                d.0 |= r.leaves_vehicle;
                d.1 |= r.leaves_china;
                d.2 |= r.third_party;
                d.3 = r.destination_region.clone();
            }
        }
    }
    // Longest-path layering: a node sits one column right of its furthest predecessor
    // (bounded, so a cycle cannot push nodes out forever).
    const MAX_COL: usize = 8;
    let mut col: BTreeMap<String, usize> = order.iter().map(|n| (n.clone(), 0)).collect();
    for _ in 0..order.len().min(64) {
        let mut changed = false;
        for (a, b) in edges.keys() {
            let want = (col[a] + 1).min(MAX_COL);
            if col[b] < want {
                col.insert(b.clone(), want);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if order.is_empty() {
        return "<p class=\"muted\">No route.</p>".into();
    }
    let (node_w, node_h, col_gap, row_gap, pad) = (180.0, 42.0, 70.0, 26.0, 16.0);
    let mut rows_in_col: BTreeMap<usize, usize> = BTreeMap::new();
    let mut pos: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for n in &order {
        let c = col[n];
        let r = rows_in_col.entry(c).or_default();
        pos.insert(
            n.as_str(),
            (
                pad + c as f64 * (node_w + col_gap),
                pad + *r as f64 * (node_h + row_gap),
            ),
        );
        *r += 1;
    }
    let cols = rows_in_col.keys().max().copied().unwrap_or(0) + 1;
    let rows = rows_in_col.values().max().copied().unwrap_or(1);
    // Room on the right and below for same-column and backward arcs.
    let w = pad * 2.0 + cols as f64 * node_w + (cols - 1) as f64 * col_gap + col_gap * 0.7;
    let h = pad * 2.0 + rows as f64 * node_h + rows as f64 * row_gap;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg role=\"img\" aria-label=\"Data map\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"{w:.0}\" height=\"{h:.0}\" style=\"max-width:100%;height:auto\" xmlns=\"http://www.w3.org/2000/svg\">\
<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#57606a\"/></marker></defs>"
    );
    for ((a, b), items) in &edges {
        let (ax, ay) = pos[a.as_str()];
        let (bx, by) = pos[b.as_str()];
        let (x1, y1) = (ax + node_w, ay + node_h / 2.0);
        let (x2, y2) = (bx, by + node_h / 2.0);
        let path = if x2 > x1 {
            let mx = (x1 + x2) / 2.0;
            format!("M{x1:.1},{y1:.1} C{mx:.1},{y1:.1} {mx:.1},{y2:.1} {x2:.1},{y2:.1}")
        } else if (ax - bx).abs() < 1.0 {
            // Same column: an arc on the right side, into the target's right edge.
            let out = x1 + col_gap * 0.6;
            format!("M{x1:.1},{y1:.1} C{out:.1},{y1:.1} {out:.1},{y2:.1} {x1:.1},{y2:.1}")
        } else {
            // Backwards or same column: loop below the nodes.
            let low = ay.max(by) + node_h + row_gap * 0.8;
            format!(
                "M{:.1},{:.1} C{:.1},{low:.1} {:.1},{low:.1} {:.1},{:.1}",
                ax + node_w / 2.0,
                ay + node_h,
                ax + node_w / 2.0,
                bx + node_w / 2.0,
                bx + node_w / 2.0,
                by + node_h
            )
        };
        let _ = write!(
            s,
            "<path d=\"{path}\" fill=\"none\" stroke=\"#57606a\" stroke-width=\"1.4\" marker-end=\"url(#arrow)\"><title>{}</title></path>",
            esc(&format!("{a} → {b}: {}", items.join(", ")))
        );
    }
    for n in &order {
        let (x, y) = pos[n.as_str()];
        let d = dest.get(n);
        let (fill, stroke) = match d {
            Some((_, true, _, _)) => ("#fdecea", "#c62828"),
            Some((_, _, true, _)) => ("#fff4e5", "#b35900"),
            Some((true, _, _, _)) => ("#ffffff", "#57606a"),
            _ => ("#e8f1fb", "#0d2a4a"),
        };
        let label: String = if n.chars().count() > 24 {
            n.chars().take(23).chain(std::iter::once('…')).collect()
        } else {
            n.clone()
        };
        let sub = match d {
            Some((lv, lc, tp, region)) => {
                let mut f = vec![];
                if !region.is_empty() {
                    f.push(region.clone());
                }
                if *lc {
                    f.push("outside CN".into());
                } else if *lv {
                    f.push("off-board".into());
                }
                if *tp {
                    f.push("3rd party".into());
                }
                f.join(" · ")
            }
            None => String::new(),
        };
        let _ = write!(
            s,
            "<g><title>{}</title><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{node_w}\" height=\"{node_h}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>\
<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12.5\" text-anchor=\"middle\" fill=\"#1f2328\">{}</text>",
            esc(n),
            x + node_w / 2.0,
            y + if sub.is_empty() { 24.5 } else { 17.0 },
            esc(&label)
        );
        if !sub.is_empty() {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10.5\" text-anchor=\"middle\" fill=\"#57606a\">{}</text>",
                x + node_w / 2.0,
                y + 32.0,
                esc(&sub)
            );
        }
        s.push_str("</g>");
    }
    s.push_str("</svg>");
    s.push_str("<div class=\"legend\"><span><i style=\"background:#e8f1fb;border:1px solid #0d2a4a\"></i>in the vehicle</span><span><i style=\"background:#fff;border:1px solid #57606a\"></i>leaves the vehicle</span><span><i style=\"background:#fff4e5;border:1px solid #b35900\"></i>third party</span><span><i style=\"background:#fdecea;border:1px solid #c62828\"></i>leaves China</span></div>");
    s
}

/// The rule id, linked to its section when the report has one (failing, unassessed or
/// waived findings, or a manual requirement).
fn rule_link(r: &RuleInfo, fs: &[&Finding]) -> String {
    let has_section = r.manual
        || fs
            .iter()
            .any(|f| matches!(f.outcome, Outcome::Fail | Outcome::Error | Outcome::Waived));
    if has_section {
        format!(
            "<a href=\"#rule-{}\"><code>{}</code></a>",
            esc(&rule_anchor(&r.id)),
            esc(&r.id)
        )
    } else {
        format!("<code>{}</code>", esc(&r.id))
    }
}

impl Renderer for Html {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut h = String::with_capacity(64 * 1024);
        let s = &report.scan;
        let groups = crate::Grouping::new(report);
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_rule.entry(f.rule_id.as_str()).or_default().push(f);
        }
        let title = match &s.vehicle {
            Some(v) => format!("Cybersecurity self-assessment — {}", v.model),
            None => "Cybersecurity self-assessment".to_string(),
        };
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"generator\" content=\"icvsec {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            esc(&s.tool_version),
            esc(&title)
        );
        let _ = write!(
            h,
            "<header><h1>{}</h1><p>Vehicle cybersecurity compliance (GB 44495-2024, UN R155, China ICV standards) · evaluated as of {}</p></header>\n<main>\n",
            esc(&title),
            esc(&s.as_of)
        );

        // Verdict.
        let gated = report.failures_at_or_above(s.fail_on);
        let (class, text) = if !report.complete {
            (
                "warn",
                "Assessment incomplete: something could not be assessed (see errors below)."
                    .to_string(),
            )
        } else if gated > 0 {
            (
                "bad",
                format!(
                    "{gated} failing finding(s) at or above severity “{}”.",
                    s.fail_on
                ),
            )
        } else {
            (
                "ok",
                format!("No failing finding at or above severity “{}”.", s.fail_on),
            )
        };
        let _ = write!(
            h,
            "<div class=\"verdict {class}\" id=\"verdict\">{}</div>\n",
            esc(&text)
        );
        h.push_str("<nav class=\"toc\"><a href=\"#scan\">Scan</a><a href=\"#summary\">Summary</a><a href=\"#matrix\">Compliance matrix</a><a href=\"#findings\">Findings</a>");
        if !report.inventory.is_empty() {
            h.push_str("<a href=\"#inventory\">Software inventory</a>");
        }
        h.push_str("<a href=\"#manual\">Manual requirements</a><a href=\"#data-map\">Data map</a><a href=\"#waivers\">Waivers</a><a href=\"#inputs\">Input problems</a><a href=\"#evidence\">Evidence index</a><a href=\"#signoff\">Sign-off</a></nav>\n");
        h.push_str(&scope_block(report));

        // Scan metadata.
        h.push_str("<h2 id=\"scan\">Scan</h2>\n<table class=\"meta\">\n");
        let mut meta: Vec<(&str, String)> = Vec::new();
        if let Some(v) = &s.vehicle {
            meta.push(("Vehicle", v.model.clone()));
            meta.push(("Markets", v.markets.join(", ")));
            meta.push(("Build stage", v.stage.clone()));
            meta.push(("ECUs", v.ecus.to_string()));
        }
        meta.push(("Scanned root", s.root.clone()));
        meta.push(("Files scanned", s.files_scanned.to_string()));
        meta.push(("Evaluated as of", s.as_of.clone()));
        meta.push(("Tool", format!("{} {}", s.tool, s.tool_version)));
        meta.push(("Rules digest (SHA-256)", s.rules_digest.clone()));
        meta.push(("Input digest (SHA-256)", s.input_digest.clone()));
        meta.push(("Gate", format!("fail on {} and above", s.fail_on)));
        meta.push(("Rules evaluated", report.rules.len().to_string()));
        if report.baselined > 0 {
            meta.push(("Known from the baseline", report.baselined.to_string()));
        }
        for (k, v) in meta {
            let v = if k.contains("digest") {
                format!("<code>{}</code>", esc(&v))
            } else {
                esc(&v)
            };
            let _ = writeln!(h, "<tr><td>{}</td><td>{v}</td></tr>", esc(k));
        }
        h.push_str("</table>\n");

        // Summary.
        h.push_str("<h2 id=\"summary\">Summary per area</h2>\n");
        h.push_str(&area_chart(report));
        h.push_str("<table><thead><tr><th>Area</th><th>Sub-area</th>");
        for o in COLUMNS {
            let _ = write!(h, "<th class=\"num\">{}</th>", esc(o.label()));
        }
        h.push_str("</tr></thead><tbody>\n");
        for a in &report.summary.areas {
            if total(&a.counts) == 0 {
                continue;
            }
            let _ = write!(h, "<tr><th>{}</th><th>all</th>", esc(&a.title));
            for o in COLUMNS {
                let _ = write!(h, "<th class=\"num\">{}</th>", a.counts.get(o));
            }
            h.push_str("</tr>\n");
            for sub in &a.subareas {
                if total(&sub.counts) == 0 {
                    continue;
                }
                let _ = write!(h, "<tr><td></td><td>{}</td>", esc(&sub.title));
                for o in COLUMNS {
                    let _ = write!(h, "<td class=\"num\">{}</td>", sub.counts.get(o));
                }
                h.push_str("</tr>\n");
            }
        }
        let _ = write!(h, "<tr><th>Total</th><th></th>");
        for o in COLUMNS {
            let _ = write!(h, "<th class=\"num\">{}</th>", report.summary.totals.get(o));
        }
        h.push_str("</tr>\n</tbody></table>\n");

        // Compliance matrix: every catalog requirement, in the standards' own order.
        if !report.requirements.is_empty() {
            h.push_str(&requirement_matrix(report, &by_rule, self.max_evidence));
        } else {
            h.push_str("<h2 id=\"matrix\">Compliance matrix</h2>\n<p class=\"muted\">Per requirement (standard and clause): the rules that implement it, their outcome (the worst over the assets they apply to) and the evidence. Clauses marked “unverified” were not confirmed against the text of the standard.</p>\n");
            let mut reqs: BTreeMap<(&str, &str, bool), Vec<&RuleInfo>> = BTreeMap::new();
            for r in &report.rules {
                for x in &r.references {
                    reqs.entry((x.standard.as_str(), x.clause.as_str(), x.verified))
                        .or_default()
                        .push(r);
                }
            }
            h.push_str("<table class=\"matrix\"><colgroup><col class=\"c-std\"><col class=\"c-clause\"><col class=\"c-rule\"><col class=\"c-out\"><col class=\"c-ev\"></colgroup><thead><tr><th>Standard</th><th>Clause</th><th>Rule</th><th>Outcome</th><th>Evidence</th></tr></thead><tbody>\n");
            for ((std_, clause, verified), rules) in &reqs {
                for (i, r) in rules.iter().enumerate() {
                    let fs = by_rule.get(r.id.as_str()).cloned().unwrap_or_default();
                    let o = worst(&fs);
                    h.push_str("<tr>");
                    if i == 0 {
                        let _ = write!(
                            h,
                            "<td rowspan=\"{n}\">{}</td><td rowspan=\"{n}\">{}{}</td>",
                            esc(std_),
                            esc(clause),
                            if *verified {
                                ""
                            } else {
                                " <span class=\"muted\">(unverified)</span>"
                            },
                            n = rules.len()
                        );
                    }
                    let _ = write!(
                        h,
                        "<td>{} {}<br><span class=\"muted\">{}</span></td><td>{}</td><td>",
                        rule_link(r, &fs),
                        sev(r.severity),
                        esc(&r.title),
                        badge(o)
                    );
                    // Evidence: the findings that decided the outcome first.
                    let mut ev: Vec<&&Finding> = fs.iter().filter(|f| f.outcome == o).collect();
                    ev.extend(fs.iter().filter(|f| f.outcome != o));
                    if r.manual {
                        h.push_str("<span class=\"muted\">manual: see <a href=\"#manual\">manual requirements</a></span>");
                    } else if ev.is_empty() {
                        h.push_str("<span class=\"muted\">no finding</span>");
                    } else {
                        h.push_str("<ul class=\"ev\">");
                        for f in ev.iter().take(self.max_evidence) {
                            let _ = write!(
                                h,
                                "<li>{}: {}{}{}</li>",
                                esc(&f.asset.to_string()),
                                esc(&f.message),
                                loc_html(f),
                                if f.outcome != o {
                                    format!(
                                        " <span class=\"muted\">({})</span>",
                                        esc(f.outcome.label())
                                    )
                                } else {
                                    String::new()
                                }
                            );
                        }
                        if ev.len() > self.max_evidence {
                            let _ = write!(
                                h,
                                "<li class=\"muted\">and {} more</li>",
                                ev.len() - self.max_evidence
                            );
                        }
                        h.push_str("</ul>");
                    }
                    h.push_str("</td></tr>\n");
                }
            }
            h.push_str("</tbody></table>\n");
        }

        // Findings with remediation.
        h.push_str("<h2 id=\"findings\">Findings</h2>\n");
        let mut listed = 0;
        let mut rules_sorted: Vec<&RuleInfo> = report.rules.iter().collect();
        rules_sorted.sort_by(|a, b| {
            (std::cmp::Reverse(a.severity), &a.id).cmp(&(std::cmp::Reverse(b.severity), &b.id))
        });
        for r in rules_sorted {
            let fs = by_rule.get(r.id.as_str()).cloned().unwrap_or_default();
            let bad: Vec<&&Finding> = fs
                .iter()
                .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Error | Outcome::Waived))
                .collect();
            if bad.is_empty() {
                continue;
            }
            listed += 1;
            let o = worst(&fs);
            let _ = write!(
                h,
                "<div class=\"finding {}\" id=\"rule-{}\"><h3>{} {} <code>{}</code> {}</h3>",
                match o {
                    Outcome::Error => "error",
                    Outcome::Waived => "waived",
                    _ => "fail",
                },
                esc(&rule_anchor(&r.id)),
                badge(o),
                sev(r.severity),
                esc(&r.id),
                esc(&r.title)
            );
            h.push_str("<ul class=\"ev\">");
            for f in &bad {
                // One defect, one headline: the other rules it breaks point to it.
                if let Some(crate::Role::Member { headline }) = groups.role(f) {
                    let _ = write!(
                        h,
                        "<li>{} {}: same defect as <a href=\"#rule-{}\"><code>{}</code></a> ({}), shown there</li>",
                        badge(f.outcome),
                        esc(&f.asset.to_string()),
                        esc(&rule_anchor(&headline.rule_id)),
                        esc(&headline.rule_id),
                        esc(&crate::fact_label(f))
                    );
                    continue;
                }
                let _ = write!(
                    h,
                    "<li>{} {}: {}{}",
                    badge(f.outcome),
                    esc(&f.asset.to_string()),
                    esc(&f.message),
                    loc_html(f)
                );
                for rel in &f.related {
                    let _ = write!(
                        h,
                        " <span class=\"muted\">see</span> <code>{}</code>",
                        esc(&rel.to_string())
                    );
                }
                if let Some(crate::Role::Headline { also }) = groups.role(f) {
                    let links: Vec<String> = also
                        .iter()
                        .map(|m| {
                            format!(
                                "<a href=\"#rule-{}\"><code>{}</code></a> ({})",
                                esc(&rule_anchor(&m.rule_id)),
                                esc(&m.rule_id),
                                m.severity.as_str()
                            )
                        })
                        .collect();
                    let _ = write!(
                        h,
                        "<br><strong>Also breaks</strong> {} <span class=\"muted\">(same defect: {})</span>",
                        links.join(", "),
                        esc(&crate::fact_label(f))
                    );
                }
                if let Some(w) = &f.waiver {
                    let _ = write!(
                        h,
                        "<br><span class=\"muted\">waived: {} (owner {}, until {})</span>",
                        esc(&w.justification),
                        esc(&w.owner),
                        esc(&w.expires)
                    );
                }
                h.push_str("</li>");
            }
            h.push_str("</ul>");
            let refs: Vec<String> = r.references.iter().map(|x| x.to_string()).collect();
            let _ = write!(
                h,
                "<p class=\"why\"><strong>Why:</strong> {}</p><p><strong>Remediation:</strong> {}</p><p class=\"muted\">References: {}</p></div>\n",
                esc(r.rationale.trim()),
                esc(r.remediation.trim()),
                esc(&refs.join("; "))
            );
        }
        if listed == 0 {
            h.push_str("<p>No failing, unassessed or waived finding.</p>\n");
        }

        if !report.inventory.is_empty() {
            h.push_str(&inventory_html(report));
        }

        // Manual requirements.
        h.push_str("<h2 id=\"manual\">Manual requirements</h2>\n");
        let manual: Vec<&RuleInfo> = report.rules.iter().filter(|r| r.manual).collect();
        if manual.is_empty() {
            h.push_str("<p>None among the selected rules.</p>\n");
        } else {
            h.push_str("<p class=\"muted\">No automated check exists for these; the assessor records the evidence (document, test report, process record) in the box.</p>\n");
            for r in manual {
                let refs: Vec<String> = r.references.iter().map(|x| x.to_string()).collect();
                let _ = write!(
                    h,
                    "<div class=\"manual\" id=\"rule-{}\"><h3>{} <code>{}</code> {}</h3><p class=\"muted\">{}</p><p>{}</p>\
<div class=\"evidence-box\"><span>Evidence (reference, date, assessor):</span></div></div>\n",
                    esc(&rule_anchor(&r.id)),
                    sev(r.severity),
                    esc(&r.id),
                    esc(&r.title),
                    esc(&refs.join("; ")),
                    esc(r.rationale.trim())
                );
            }
        }

        // Data map.
        h.push_str("<h2 id=\"data-map\">Data map</h2>\n");
        if report.data_map.is_empty() {
            h.push_str("<p>No data map: the build declares no data-flow manifest with sensitive or important data.</p>\n");
        } else {
            h.push_str(&data_map_svg(&report.data_map));
            h.push_str("<table><thead><tr><th>Data item</th><th>Category</th><th>Route</th><th>Destination</th></tr></thead><tbody>\n");
            for e in &report.data_map {
                for (i, r) in e.routes.iter().enumerate() {
                    let mut flags = vec![];
                    if r.leaves_vehicle {
                        flags.push("leaves the vehicle");
                    }
                    if r.leaves_china {
                        flags.push("leaves China");
                    }
                    if r.third_party {
                        flags.push("third party");
                    }
                    h.push_str("<tr>");
                    if i == 0 {
                        let _ = write!(
                            h,
                            "<td rowspan=\"{n}\">{}</td><td rowspan=\"{n}\">{}</td>",
                            esc(&e.item),
                            esc(&e.category),
                            n = e.routes.len().max(1)
                        );
                    }
                    let _ = write!(
                        h,
                        "<td>{}</td><td>{}{}</td></tr>\n",
                        esc(&r.path.join(" → ")),
                        esc(&r.destination_region),
                        if flags.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", esc(&flags.join(", ")))
                        }
                    );
                }
                if e.routes.is_empty() {
                    let _ = write!(
                        h,
                        "<tr><td>{}</td><td>{}</td><td colspan=\"2\" class=\"muted\">stays where it is collected</td></tr>\n",
                        esc(&e.item),
                        esc(&e.category)
                    );
                }
            }
            h.push_str("</tbody></table>\n");
        }

        // Waivers.
        h.push_str("<h2 id=\"waivers\">Waivers</h2>\n");
        if report.waivers.is_empty() {
            h.push_str("<p>No waiver in effect.</p>\n");
        } else {
            h.push_str("<table><thead><tr><th>Status</th><th>Rule</th><th>Scope</th><th>Justification</th><th>Owner</th><th>Expires</th><th class=\"num\">Matched</th></tr></thead><tbody>\n");
            for w in &report.waivers {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                    esc(&w.status),
                    esc(&w.rule),
                    esc(&w.scope.join(", ")),
                    esc(&w.justification),
                    esc(&w.owner),
                    esc(&w.expires),
                    w.matched
                );
            }
            h.push_str("</tbody></table>\n");
        }

        // Input problems.
        let problems: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.level != DiagnosticLevel::Notice)
            .collect();
        h.push_str("<h2 id=\"inputs\">Input problems</h2>\n");
        // Never contradict the banner: an incomplete assessment says why here too.
        let unassessed = report.summary.totals.error;
        if unassessed > 0 {
            let _ = writeln!(
                h,
                "<p>{unassessed} finding(s) could not be assessed (outcome ERROR, listed under Findings).</p>"
            );
        }
        if problems.is_empty() {
            h.push_str(if unassessed > 0 {
                "<p>No problem reading the input files.</p>\n"
            } else {
                "<p>None.</p>\n"
            });
        } else {
            h.push_str("<table><thead><tr><th>Level</th><th>Where</th><th>Problem</th></tr></thead><tbody>\n");
            for d in problems {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>\n",
                    match d.level {
                        DiagnosticLevel::Error => "error",
                        DiagnosticLevel::Warning => "warning",
                        DiagnosticLevel::Notice => "notice",
                    },
                    esc(&d.location.to_string()),
                    esc(&d.message)
                );
            }
            h.push_str("</tbody></table>\n");
        }
        h.push_str(&evidence_index(report));
        h.push_str(SIGNOFF);
        let h = sections(&h);
        let mut h = h;
        let _ = write!(
            h,
            "</section>\n</main>\n<footer>Generated by {} {} · rules {} · inputs {} · as of {}. This report is self-contained and loads nothing from the network.</footer>\n</body>\n</html>\n",
            esc(&s.tool),
            esc(&s.tool_version),
            esc(s.rules_digest.get(..16).unwrap_or(&s.rules_digest)),
            esc(s.input_digest.get(..16).unwrap_or(&s.input_digest)),
            esc(&s.as_of)
        );
        out.write_all(h.as_bytes())
    }
}
