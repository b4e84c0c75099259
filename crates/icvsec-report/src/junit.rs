//! JUnit XML for CI test views (Jenkins, GitLab): one test suite per area, one test case
//! per finding — classname the rule id, name the asset (and the place, when the finding
//! has one). So the counts are the summary's: `failures` = failing findings, `errors` =
//! findings that could not be assessed, `skipped` = manual + waived + not applicable,
//! `tests` = every finding. Input problems that are not findings are not test cases.

use crate::Renderer;
use crate::escape::xml_escape;
use icvsec_model::{Area, Finding, Outcome, Report};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct Junit;

#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Tally {
    fn add(&mut self, o: Outcome) {
        self.tests += 1;
        match o {
            Outcome::Fail => self.failures += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Pass => {}
            Outcome::Manual | Outcome::Waived | Outcome::NotApplicable => self.skipped += 1,
        }
    }
    fn attrs(&self) -> String {
        format!(
            "tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            self.tests, self.failures, self.errors, self.skipped
        )
    }
}

fn detail(report: &Report, f: &Finding) -> String {
    let mut s = format!("[{}] {}: {}", f.outcome.label(), f.asset, f.message);
    if let Some(l) = &f.location {
        s.push_str(&format!("\n  at {l}"));
    }
    for r in &f.related {
        s.push_str(&format!("\n  see {r}"));
    }
    if let Some(w) = &f.waiver {
        s.push_str(&format!(
            "\n  waived: {} (owner {}, until {})",
            w.justification, w.owner, w.expires
        ));
    }
    if f.outcome == Outcome::Fail
        && let Some(rule) = report.rule(&f.rule_id)
    {
        s.push_str(&format!("\n  fix: {}", rule.remediation.trim()));
    }
    s
}

impl Renderer for Junit {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // area → its findings in report order, one test case each
        let mut suites: BTreeMap<Area, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            suites.entry(f.area).or_default().push(f);
        }
        // Counts first (the opening tags carry them), then every case written as it is
        // formatted: a report of 400,000 outcomes is never held as one string.
        let mut total = Tally::default();
        let mut tallies: BTreeMap<Area, Tally> = BTreeMap::new();
        for (area, cases) in &suites {
            let t = tallies.entry(*area).or_default();
            for f in cases {
                t.add(f.outcome);
                total.add(f.outcome);
            }
        }
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(
            out,
            "<testsuites name=\"icvsec {}\" {} time=\"0\">",
            xml_escape(&report.scan.root),
            total.attrs()
        )?;
        for (area, cases) in &suites {
            writeln!(
                out,
                "  <testsuite name=\"{}\" {} time=\"0\" timestamp=\"{}T00:00:00\">",
                xml_escape(&format!("{} [{}]", area.title(), area.slug())),
                tallies[area].attrs(),
                xml_escape(&report.scan.as_of)
            )?;
            crate::ordered::render_in_order(
                cases,
                CHUNK,
                |chunk| {
                    chunk
                        .iter()
                        .map(|c| case_xml(report, c))
                        .collect::<String>()
                },
                |text| out.write_all(text.as_bytes()),
            )?;
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}

/// Cases per parallel chunk.
const CHUNK: usize = 1024;

/// One test case's XML: one finding.
fn case_xml(report: &Report, f: &Finding) -> String {
    let mut cs = String::new();
    let o = f.outcome;
    let rule = f.rule_id.as_str();
    let title = report.rule(rule).map(|r| r.title.as_str()).unwrap_or("");
    // `file`: where the finding is (GitLab links it).
    let file = f
        .location
        .as_ref()
        .map(|l| format!(" file=\"{}\"", xml_escape(&l.file)))
        .unwrap_or_default();
    cs.push_str(&format!(
        "    <testcase classname=\"{}\" name=\"{}\"{file} time=\"0\">\n",
        xml_escape(rule),
        xml_escape(&match &f.location {
            Some(l) => format!("{} at {l}", f.asset),
            None => f.asset.to_string(),
        })
    ));
    match o {
        Outcome::Fail | Outcome::Error => {
            let tag = if o == Outcome::Fail {
                "failure"
            } else {
                "error"
            };
            let msg = match &f.location {
                Some(l) => format!("{} ({l})", f.message),
                None => f.message.to_string(),
            };
            cs.push_str(&format!(
                "      <{tag} message=\"{}\" type=\"{}\">{}\n{}</{tag}>\n",
                xml_escape(&msg),
                f.severity.as_str(),
                xml_escape(&format!("{rule} — {title}")),
                xml_escape(&detail(report, f))
            ));
        }
        Outcome::Pass => cs.push_str(&format!(
            "      <system-out>{}</system-out>\n",
            xml_escape(&detail(report, f))
        )),
        Outcome::Manual | Outcome::Waived | Outcome::NotApplicable => {
            let msg = match (o, &f.waiver) {
                (Outcome::Waived, Some(w)) => format!(
                    "waived: {} (owner {}, until {}); finding: {}",
                    w.justification, w.owner, w.expires, f.message
                ),
                (Outcome::Manual, _) => format!("manual: {}", f.message),
                (Outcome::NotApplicable, _) => format!("not applicable: {}", f.message),
                _ => format!("{}: {}", o.as_str(), f.message),
            };
            cs.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                xml_escape(&msg)
            ));
        }
    }
    cs.push_str("    </testcase>\n");
    cs
}
