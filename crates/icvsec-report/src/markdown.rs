//! A Markdown summary for pull-request comments: the gate verdict, counts per area,
//! the failing findings (capped), waivers and what could not be assessed. Text from
//! scanned files is escaped so it cannot break the table or inject HTML.

use crate::Renderer;
use icvsec_model::report::DiagnosticLevel;
use icvsec_model::{Outcome, Report};
use std::io::{self, Write};

pub struct Markdown {
    /// At most this many findings are listed (the rest are counted).
    pub max_findings: usize,
    /// At most this many characters: GitHub refuses comments over 65,536 characters and
    /// GitLab notes are capped too. Lists are shortened first, and the comment says what
    /// was cut.
    pub max_chars: usize,
}

/// The comment size the default keeps under (GitHub's limit is 65,536).
pub const MAX_COMMENT_CHARS: usize = 65_000;

impl Default for Markdown {
    fn default() -> Self {
        Markdown {
            max_findings: 50,
            max_chars: MAX_COMMENT_CHARS,
        }
    }
}

/// Escape for a Markdown table cell: HTML metacharacters, pipes, emphasis and code
/// markers; newlines become spaces.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut (PR comments have a size limit).
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars()
            .take(max - 1)
            .chain(std::iter::once('…'))
            .collect()
    }
}

impl Renderer for Markdown {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut max_findings = self.max_findings;
        let mut max_waivers = usize::MAX;
        let mut cut = Vec::new();
        loop {
            let mut buf = Vec::new();
            self.render_capped(report, max_findings, max_waivers, &mut buf)?;
            let text = String::from_utf8_lossy(&buf).into_owned();
            let chars = text.chars().count();
            if chars <= self.max_chars {
                if !cut.is_empty() {
                    // The note is short; the budget below leaves room for it.
                    return write!(
                        out,
                        "{text}\n_Shortened to fit a comment ({} characters at most): {}._\n",
                        self.max_chars,
                        cut.join("; ")
                    );
                }
                return out.write_all(text.as_bytes());
            }
            if max_findings == 0 && max_waivers == 0 {
                // Still too long (e.g. a huge table of standards): cut at a line.
                let budget = self.max_chars.saturating_sub(200);
                let mut kept = String::new();
                for line in text.split_inclusive('\n') {
                    if kept.chars().count() + line.chars().count() > budget {
                        break;
                    }
                    kept.push_str(line);
                }
                return write!(
                    out,
                    "{kept}\n_Cut at {} characters to fit a comment ({chars} in full); see the full report._\n",
                    kept.chars().count()
                );
            }
            // Halve the lists (leaving room for the note) and say so.
            max_findings /= 2;
            max_waivers = max_waivers.min(50) / 2;
            cut = vec![format!(
                "at most {max_findings} findings and {max_waivers} waivers listed"
            )];
        }
    }
}

impl Markdown {
    fn render_capped(
        &self,
        report: &Report,
        max_findings: usize,
        max_waivers: usize,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let s = &report.scan;
        let gated = report.failures_at_or_above(s.fail_on);
        let verdict = if !report.complete {
            "⚠️ **incomplete**: something could not be assessed".to_string()
        } else if gated > 0 {
            format!(
                "❌ **{gated} failing finding(s) at or above `{}`**",
                s.fail_on
            )
        } else {
            format!("✅ **no failing finding at or above `{}`**", s.fail_on)
        };
        writeln!(out, "### icvsec compliance report\n")?;
        writeln!(out, "{verdict}\n")?;
        let vehicle = s
            .vehicle
            .as_ref()
            .map(|v| {
                format!(
                    "{} ({} build, markets {})",
                    v.model,
                    v.stage,
                    v.markets.join(", ")
                )
            })
            .unwrap_or_else(|| "no vehicle.json".into());
        writeln!(
            out,
            "Vehicle {} · root `{}` · as of {} · icvsec {} · rules `{}` · inputs `{}`\n",
            md_cell(&vehicle),
            s.root.replace('`', "'"),
            md_cell(&s.as_of),
            md_cell(&s.tool_version),
            s.rules_digest.get(..12).unwrap_or(&s.rules_digest),
            s.input_digest.get(..12).unwrap_or(&s.input_digest)
        )?;
        writeln!(
            out,
            "| Area | Pass | Fail | Error | Manual | Waived | N/A |"
        )?;
        writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
        for a in &report.summary.areas {
            let c = &a.counts;
            if c.pass + c.fail + c.error + c.manual + c.waived + c.not_applicable == 0 {
                continue;
            }
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                md_cell(&a.title),
                c.pass,
                c.fail,
                c.error,
                c.manual,
                c.waived,
                c.not_applicable
            )?;
        }
        let t = &report.summary.totals;
        writeln!(
            out,
            "| **Total** | {} | {} | {} | {} | {} | {} |\n",
            t.pass, t.fail, t.error, t.manual, t.waived, t.not_applicable
        )?;
        if !report.coverage.is_empty() {
            // Requirement coverage per standard (the matrix itself is in HTML and JSON).
            writeln!(
                out,
                "| Standard | Automated / requirements | Not met | Could not assess | Manual | Met | Not covered |"
            )?;
            writeln!(out, "|---|---:|---:|---:|---:|---:|---:|")?;
            for c in &report.coverage {
                let n =
                    |st: icvsec_model::RequirementStatus| c.statuses.get(&st).copied().unwrap_or(0);
                use icvsec_model::RequirementStatus as S;
                writeln!(
                    out,
                    "| {}{} | {}/{} ({}%) | {} | {} | {} | {} | {} |",
                    md_cell(&c.standard),
                    if c.draft && !c.standard.contains("draft") {
                        " (draft)"
                    } else {
                        ""
                    },
                    c.automated,
                    c.total,
                    c.percent,
                    n(S::NotMet),
                    n(S::CouldNotAssess),
                    n(S::ManualEvidenceRequired),
                    n(S::Met),
                    n(S::NotCovered)
                )?;
            }
            writeln!(out)?;
        }

        // One defect, one row: a finding of another rule about the same defect is named
        // on its headline's row instead of a row of its own.
        let groups = crate::Grouping::new(report);
        let mut failing: Vec<_> = report
            .findings
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Error))
            .filter(|f| !groups.is_member(f))
            .collect();
        failing.sort_by(|a, b| {
            (
                a.outcome,
                std::cmp::Reverse(a.severity),
                &a.rule_id,
                &a.asset,
            )
                .cmp(&(
                    b.outcome,
                    std::cmp::Reverse(b.severity),
                    &b.rule_id,
                    &b.asset,
                ))
        });
        if !failing.is_empty() {
            writeln!(
                out,
                "<details{}><summary>Failing and unassessed findings ({})</summary>\n",
                if gated > 0 { " open" } else { "" },
                failing.len()
            )?;
            writeln!(
                out,
                "| Outcome | Severity | Rule | Asset | Finding | Location |"
            )?;
            writeln!(out, "|---|---|---|---|---|---|")?;
            for f in failing.iter().take(max_findings) {
                let title = report
                    .rule(&f.rule_id)
                    .map(|r| r.title.as_str())
                    .unwrap_or("");
                writeln!(
                    out,
                    "| {} | {} | {} — {} | {} | {} | {} |",
                    f.outcome.label(),
                    f.severity,
                    md_cell(&f.rule_id),
                    md_cell(title),
                    md_cell(&f.asset.to_string()),
                    match groups.role(f) {
                        Some(crate::Role::Headline { also }) => format!(
                            "{} **Also breaks** {}.",
                            md_cell(&shorten(&f.message, 300)),
                            md_cell(&crate::also_list(also))
                        ),
                        _ => md_cell(&shorten(&f.message, 300)),
                    },
                    f.location
                        .as_ref()
                        .map(|l| md_cell(&l.to_string()))
                        .unwrap_or_default()
                )?;
            }
            if failing.len() > max_findings {
                writeln!(
                    out,
                    "\n… and {} more (see the full report).",
                    failing.len() - max_findings
                )?;
            }
            writeln!(out, "\n</details>\n")?;
        }
        if !report.inventory.is_empty() {
            writeln!(out, "Software inventory:\n")?;
            for e in &report.inventory {
                writeln!(
                    out,
                    "- {}: {}",
                    md_cell(&e.ecu),
                    md_cell(&crate::inventory_summary(e))
                )?;
            }
            writeln!(out)?;
        }
        if !report.waivers.is_empty() {
            writeln!(
                out,
                "<details><summary>Waivers ({})</summary>\n",
                report.waivers.len()
            )?;
            writeln!(
                out,
                "| Status | Rule | Scope | Justification | Owner | Expires | Matched |"
            )?;
            writeln!(out, "|---|---|---|---|---|---|---:|")?;
            for w in report.waivers.iter().take(max_waivers) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    md_cell(&w.status),
                    md_cell(&w.rule),
                    md_cell(&w.scope.join(", ")),
                    md_cell(&w.justification),
                    md_cell(&w.owner),
                    md_cell(&w.expires),
                    w.matched
                )?;
            }
            if report.waivers.len() > max_waivers {
                writeln!(
                    out,
                    "\n… and {} more waivers (see the full report).",
                    report.waivers.len() - max_waivers
                )?;
            }
            writeln!(out, "\n</details>\n")?;
        }
        let errors = report
            .diagnostics
            .iter()
            .filter(|d| d.level == DiagnosticLevel::Error)
            .count();
        let mut notes = Vec::new();
        if report.baselined > 0 {
            notes.push(format!(
                "{} known failure(s) from the baseline are not gated",
                report.baselined
            ));
        }
        if errors > 0 {
            notes.push(format!(
                "{errors} input file(s) could not be read or parsed"
            ));
        }
        if t.manual > 0 {
            notes.push(format!("{} requirement(s) need manual evidence", t.manual));
        }
        if !notes.is_empty() {
            writeln!(out, "_{}._", md_cell(&notes.join("; ")))?;
        }
        Ok(())
    }
}
