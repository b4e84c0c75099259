//! The terminal report: grouped by area and sub-area, failing findings in full (rule,
//! severity, message, location, remediation), then input problems and a summary table.

use crate::Renderer;
use icvsec_model::report::DiagnosticLevel;
use icvsec_model::{Area, Finding, Outcome, Report};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct Text {
    /// ANSI colour (only on a terminal, and never with NO_COLOR).
    pub color: bool,
    /// Show the evidence of every passing finding.
    pub verbose: bool,
    /// Only failing and erroring rules, input errors and the summary (CI logs).
    pub quiet: bool,
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn outcome(&self, o: Outcome) -> String {
        let label = format!("{:<6}", o.label());
        match o {
            Outcome::Fail => self.wrap("1;31", &label),
            Outcome::Error => self.wrap("1;35", &label),
            Outcome::Pass => self.wrap("32", &label),
            Outcome::Manual => self.wrap("36", &label),
            Outcome::Waived => self.wrap("33", &label),
            Outcome::NotApplicable => self.wrap("2", &label),
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// Outcome of a rule as a whole: the worst of its findings.
fn rule_outcome(fs: &[&Finding]) -> Outcome {
    fs.iter()
        .map(|f| f.outcome)
        .min()
        .unwrap_or(Outcome::NotApplicable)
}

impl Renderer for Text {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let report = crate::inert::inert_report(report);
        let report: &Report = &report;
        let p = Paint(self.color);
        let s = &report.scan;
        writeln!(
            out,
            "{}",
            p.bold(&format!(
                "icvsec {} — vehicle cybersecurity compliance report",
                s.tool_version
            ))
        )?;
        match &s.vehicle {
            Some(v) => writeln!(
                out,
                "vehicle  {} · markets {} · {} build · {} ECUs",
                v.model,
                if v.markets.is_empty() {
                    "none".into()
                } else {
                    v.markets.join(", ")
                },
                v.stage,
                v.ecus
            )?,
            None => writeln!(out, "vehicle  (no vehicle.json: scanning what was found)")?,
        }
        writeln!(
            out,
            "root     {} · {} files · evaluated as of {}",
            s.root, s.files_scanned, s.as_of
        )?;
        writeln!(
            out,
            "digests  rules {} · inputs {}",
            &s.rules_digest.get(..16).unwrap_or(&s.rules_digest),
            &s.input_digest.get(..16).unwrap_or(&s.input_digest)
        )?;
        if let Some(c) = &s.config {
            writeln!(out, "config   {c}")?;
        }

        let groups = crate::Grouping::new(report);
        let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_rule.entry(f.rule_id.as_str()).or_default().push(f);
        }
        for area in &report.summary.areas {
            let area_rules: Vec<_> = report
                .rules
                .iter()
                .filter(|r| r.area == area.area)
                .collect();
            // Quiet: only the rules that fail or could not be assessed.
            let shown = |id: &str| {
                !self.quiet
                    || matches!(
                        rule_outcome(by_rule.get(id).map(Vec::as_slice).unwrap_or(&[])),
                        Outcome::Fail | Outcome::Error
                    )
            };
            let area_rules: Vec<_> = area_rules.into_iter().filter(|r| shown(&r.id)).collect();
            if area_rules.is_empty() {
                continue;
            }
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                p.bold(&format!(
                    "== {} [{}] ==  {}",
                    area.title,
                    area.area.slug(),
                    counts_line(&area.counts)
                ))
            )?;
            for sub in &area.subareas {
                let mut rules: Vec<_> = area_rules
                    .iter()
                    .filter(|r| r.subarea == sub.subarea)
                    .collect();
                if rules.is_empty() {
                    continue;
                }
                rules.sort_by_key(|r| {
                    let fs = by_rule.get(r.id.as_str()).cloned().unwrap_or_default();
                    (
                        rule_outcome(&fs),
                        std::cmp::Reverse(r.severity),
                        r.id.clone(),
                    )
                });
                writeln!(out, "-- {} [{}]", sub.title, sub.subarea)?;
                for rule in rules {
                    let fs = by_rule.get(rule.id.as_str()).cloned().unwrap_or_default();
                    let outcome = rule_outcome(&fs);
                    let n = |o: Outcome| fs.iter().filter(|f| f.outcome == o).count();
                    let tally = match outcome {
                        Outcome::Pass => format!(" ({} passed)", n(Outcome::Pass)),
                        Outcome::Fail => format!(
                            " ({} failed, {} passed)",
                            n(Outcome::Fail),
                            n(Outcome::Pass)
                        ),
                        _ => String::new(),
                    };
                    writeln!(
                        out,
                        "  {} {:<8} {:<14} {}{}",
                        p.outcome(outcome),
                        rule.severity.as_str(),
                        rule.id,
                        rule.title,
                        p.dim(&tally)
                    )?;
                    for f in &fs {
                        let detailed = match f.outcome {
                            Outcome::Fail | Outcome::Error | Outcome::Waived => true,
                            Outcome::Pass => self.verbose,
                            Outcome::NotApplicable => {
                                outcome == Outcome::NotApplicable && fs.len() == 1
                            }
                            Outcome::Manual => false,
                        };
                        if !detailed {
                            continue;
                        }
                        let tag = if f.outcome == outcome {
                            String::new()
                        } else {
                            format!("[{}] ", f.outcome.label())
                        };
                        // One defect, one headline: the other rules it breaks point to it.
                        if let Some(crate::Role::Member { headline }) = groups.role(f) {
                            writeln!(
                                out,
                                "         {}{}: same defect as {} ({}), shown there",
                                tag,
                                f.asset,
                                headline.rule_id,
                                crate::fact_label(f)
                            )?;
                            continue;
                        }
                        writeln!(out, "         {}{}: {}", tag, f.asset, f.message)?;
                        if let Some(loc) = &f.location {
                            writeln!(out, "           {} {}", p.dim("at"), loc)?;
                        }
                        for r in &f.related {
                            writeln!(out, "           {} {}", p.dim("see"), r)?;
                        }
                        if let Some(crate::Role::Headline { also }) = groups.role(f) {
                            writeln!(
                                out,
                                "           {} {} — same defect: {}",
                                p.bold("also breaks"),
                                crate::also_list(also),
                                crate::fact_label(f)
                            )?;
                        }
                        if let Some(w) = &f.waiver {
                            writeln!(
                                out,
                                "           {} {} (owner {}, until {})",
                                p.dim("waived:"),
                                w.justification,
                                w.owner,
                                w.expires
                            )?;
                        }
                    }
                    if matches!(outcome, Outcome::Fail) {
                        writeln!(
                            out,
                            "           {} {}",
                            p.dim("fix:"),
                            rule.remediation.lines().next().unwrap_or("")
                        )?;
                    }
                }
            }
        }

        if !report.inventory.is_empty() && !self.quiet {
            writeln!(out)?;
            writeln!(out, "{}", p.bold("== Software inventory =="))?;
            for e in &report.inventory {
                writeln!(out, "  {}: {}", e.ecu, crate::inventory_summary(e))?;
            }
            writeln!(
                out,
                "  {}",
                p.dim("(components and vulnerabilities per component: --format json or html)")
            )?;
        }

        if !report.data_map.is_empty() && !self.quiet {
            writeln!(out)?;
            writeln!(
                out,
                "{}",
                p.bold("== Data map (sensitive and important data) ==")
            )?;
            for e in &report.data_map {
                writeln!(out, "  {} [{}]", e.item, e.category)?;
                for r in &e.routes {
                    let mut flags = Vec::new();
                    if r.leaves_vehicle {
                        flags.push("leaves vehicle");
                    }
                    if r.leaves_china {
                        flags.push("leaves China");
                    }
                    if r.third_party {
                        flags.push("third party");
                    }
                    writeln!(
                        out,
                        "    {} ({}{}{})",
                        r.path.join(" → "),
                        r.destination_region,
                        if flags.is_empty() { "" } else { "; " },
                        flags.join(", ")
                    )?;
                }
            }
        }

        if !report.waivers.is_empty() && !self.quiet {
            writeln!(out)?;
            writeln!(out, "{}", p.bold("== Waivers =="))?;
            for w in &report.waivers {
                writeln!(
                    out,
                    "  {:<8} {} {} — {} (owner {}, expires {}, matched {})",
                    w.status,
                    w.rule,
                    w.scope.join(", "),
                    w.justification,
                    w.owner,
                    w.expires,
                    w.matched
                )?;
            }
        }

        let problems: Vec<_> = report
            .diagnostics
            .iter()
            .filter(|d| d.level != DiagnosticLevel::Notice)
            .filter(|d| !self.quiet || d.level == DiagnosticLevel::Error)
            .collect();
        let notices = if self.quiet {
            0
        } else {
            report
                .diagnostics
                .iter()
                .filter(|d| d.level == DiagnosticLevel::Notice)
                .count()
        };
        if !problems.is_empty() || notices > 0 {
            writeln!(out)?;
            writeln!(out, "{}", p.bold("== Input problems =="))?;
            for d in &problems {
                let level = match d.level {
                    DiagnosticLevel::Error => p.wrap("1;35", "error  "),
                    _ => p.wrap("33", "warning"),
                };
                writeln!(out, "  {level} {}: {}", d.location, d.message)?;
            }
            if notices > 0 {
                writeln!(
                    out,
                    "  {}",
                    p.dim(&format!(
                        "({notices} notices, e.g. links not followed; see --format json)"
                    ))
                )?;
            }
        }

        writeln!(out)?;
        writeln!(out, "{}", p.bold("== Summary =="))?;
        writeln!(
            out,
            "  {:<34} {:>5} {:>5} {:>6} {:>7} {:>6} {:>5}",
            "area", "pass", "fail", "error", "manual", "waived", "n/a"
        )?;
        for a in &report.summary.areas {
            let c = &a.counts;
            writeln!(
                out,
                "  {:<34} {:>5} {:>5} {:>6} {:>7} {:>6} {:>5}",
                format!("{} [{}]", short_title(a.area), a.area.slug()),
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
            "  {:<34} {:>5} {:>5} {:>6} {:>7} {:>6} {:>5}",
            "total", t.pass, t.fail, t.error, t.manual, t.waived, t.not_applicable
        )?;
        if !report.coverage.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", p.bold("== Requirements =="))?;
            for c in &report.coverage {
                let statuses: Vec<String> = c
                    .statuses
                    .iter()
                    .map(|(s, n)| format!("{n} {}", s.label()))
                    .collect();
                writeln!(
                    out,
                    "  {:<34} {:>3}/{:<3} automated ({:>3}%) · {}",
                    format!(
                        "{}{}",
                        c.short,
                        if c.draft && !c.short.contains("draft") {
                            " (draft)"
                        } else {
                            ""
                        }
                    ),
                    c.automated,
                    c.total,
                    c.percent,
                    statuses.join(", ")
                )?;
            }
        }
        let sev: Vec<String> = report
            .summary
            .failures_by_severity
            .iter()
            .rev()
            .map(|(s, n)| format!("{n} {s}"))
            .collect();
        writeln!(out)?;
        let gated = report.failures_at_or_above(s.fail_on);
        writeln!(
            out,
            "failures: {} · {} at or above `{}`{}",
            if sev.is_empty() {
                "none".into()
            } else {
                sev.join(", ")
            },
            gated,
            s.fail_on,
            if report.baselined > 0 {
                format!(" · {} known from the baseline", report.baselined)
            } else {
                String::new()
            }
        )?;
        if report.complete {
            writeln!(out, "assessment: complete")?;
        } else {
            let errors = t.error
                + report
                    .diagnostics
                    .iter()
                    .filter(|d| d.level == DiagnosticLevel::Error)
                    .count();
            writeln!(out, "{}", p.wrap("1;35", &format!("assessment: INCOMPLETE ({errors} problem(s) could not be assessed; see errors above)")))?;
        }
        Ok(())
    }
}

fn short_title(a: Area) -> &'static str {
    match a {
        Area::Basic => "Basic (crypto)",
        Area::Terminal => "Terminal & facility",
        Area::Connection => "Internet connection",
        Area::Data => "Data security",
        Area::Application => "Application service",
        Area::Assurance => "Assurance (monitoring)",
    }
}

fn counts_line(c: &icvsec_model::report::Counts) -> String {
    let mut parts = Vec::new();
    for o in Outcome::ALL {
        let n = c.get(o);
        if n > 0 {
            parts.push(format!("{n} {}", o.as_str().replace('_', " ")));
        }
    }
    if parts.is_empty() {
        "nothing evaluated".into()
    } else {
        parts.join(" · ")
    }
}
