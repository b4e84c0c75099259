//! JUnit XML for CI test views (Jenkins, GitLab): one test suite per area, one test case
//! per finding — classname the rule id, name the asset (and the place, when the finding
//! has one). So the counts are the summary's: `failures` = failing findings, `errors` =
//! findings that could not be assessed, `skipped` = manual + waived + not applicable,
//! `tests` = every finding. Input problems that are not findings are not test cases.

use crate::escape::xml_escape;
use crate::{Renderer, worst};
use icvsec_model::{Area, AssetRef, Finding, Outcome, Report};
use std::collections::BTreeMap;
use std::io::{self, Write};

pub struct Junit;

struct Case<'a> {
    rule: &'a str,
    asset: &'a AssetRef,
    findings: Vec<&'a Finding>,
}

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
        // area → ordered cases
        let mut suites: BTreeMap<Area, Vec<Case>> = BTreeMap::new();
        for f in &report.findings {
            suites.entry(f.area).or_default().push(Case {
                rule: &f.rule_id,
                asset: &f.asset,
                findings: vec![f],
            });
        }
        // Counts first (the opening tags carry them), then every case written as it is
        // formatted: a report of 400,000 outcomes is never held as one string.
        let mut total = Tally::default();
        let mut tallies: BTreeMap<Area, Tally> = BTreeMap::new();
        for (area, cases) in &suites {
            let t = tallies.entry(*area).or_default();
            for c in cases {
                let o = worst(&c.findings);
                t.add(o);
                total.add(o);
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

/// One test case's XML.
fn case_xml(report: &Report, c: &Case) -> String {
    let mut cs = String::new();
    let o = worst(&c.findings);
    let title = report.rule(c.rule).map(|r| r.title.as_str()).unwrap_or("");
    // `file`: where the deciding finding is (GitLab links it).
    let file = c
        .findings
        .iter()
        .filter(|f| f.outcome == o)
        .find_map(|f| f.location.as_ref())
        .map(|l| format!(" file=\"{}\"", xml_escape(&l.file)))
        .unwrap_or_default();
    cs.push_str(&format!(
        "    <testcase classname=\"{}\" name=\"{}\"{file} time=\"0\">\n",
        xml_escape(c.rule),
        xml_escape(&match &c.findings[0].location {
            Some(l) => format!("{} at {l}", c.asset),
            None => c.asset.to_string(),
        })
    ));
    let severity = c.findings[0].severity;
    let of =
        |x: Outcome| -> Vec<&&Finding> { c.findings.iter().filter(|f| f.outcome == x).collect() };
    match o {
        Outcome::Fail | Outcome::Error => {
            let tag = if o == Outcome::Fail {
                "failure"
            } else {
                "error"
            };
            let fs = of(o);
            let first = fs[0];
            let msg = match &first.location {
                Some(l) => format!("{} ({l})", first.message),
                None => first.message.to_string(),
            };
            let msg = if fs.len() > 1 {
                format!("{msg} (and {} more)", fs.len() - 1)
            } else {
                msg
            };
            let text: Vec<String> = c.findings.iter().map(|f| detail(report, f)).collect();
            cs.push_str(&format!(
                "      <{tag} message=\"{}\" type=\"{}\">{}\n{}</{tag}>\n",
                xml_escape(&msg),
                severity.as_str(),
                xml_escape(&format!("{} — {}", c.rule, title)),
                xml_escape(&text.join("\n"))
            ));
        }
        Outcome::Pass => {}
        Outcome::Manual | Outcome::Waived | Outcome::NotApplicable => {
            let first = of(o)[0];
            let msg = match (o, &first.waiver) {
                (Outcome::Waived, Some(w)) => format!(
                    "waived: {} (owner {}, until {}); finding: {}",
                    w.justification, w.owner, w.expires, first.message
                ),
                (Outcome::Manual, _) => format!("manual: {}", first.message),
                (Outcome::NotApplicable, _) => {
                    format!("not applicable: {}", first.message)
                }
                _ => format!("{}: {}", o.as_str(), first.message),
            };
            cs.push_str(&format!(
                "      <skipped message=\"{}\"/>\n",
                xml_escape(&msg)
            ));
        }
    }
    if c.findings.len() > 1 || o == Outcome::Pass {
        let lines: Vec<String> = c.findings.iter().map(|f| detail(report, f)).collect();
        cs.push_str(&format!(
            "      <system-out>{}</system-out>\n",
            xml_escape(&lines.join("\n"))
        ));
    }
    cs.push_str("    </testcase>\n");
    cs
}
