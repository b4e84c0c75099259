//! Renderer unit tests on a small hand-built report (the demo vehicle is covered by the
//! integration tests).

use crate::*;
use icvsec_model::report::{AppliedWaiver, RuleInfo};
use icvsec_model::{Area, AssetKind, AssetRef, Location, Reference, Severity};

fn rule(id: &str, severity: Severity, manual: bool) -> RuleInfo {
    RuleInfo {
        id: id.into(),
        title: format!("Title of {id}"),
        area: Area::Basic,
        subarea: "crypto".into(),
        severity,
        requirements: vec!["GB44495-7.1-diag-auth".into()],
        references: vec![Reference {
            standard: "GB 44495-2024".into(),
            clause: "7.1".into(),
            verified: true,
        }],
        check: if manual { "manual".into() } else { "x".into() },
        manual,
        rationale: "why".into(),
        remediation: "fix it".into(),
    }
}

fn finding(
    id: &str,
    severity: Severity,
    outcome: Outcome,
    asset: &str,
    loc: Option<Location>,
) -> Finding {
    Finding {
        rule_id: id.into(),
        area: Area::Basic,
        subarea: "crypto".into(),
        severity,
        outcome,
        asset: AssetRef::new(AssetKind::Certificate, asset),
        message: format!("{} on {asset}", outcome.as_str()),
        location: loc,
        related: vec![],
        fingerprint: format!("{id}-{asset}"),
        waiver: (outcome == Outcome::Waived).then(|| AppliedWaiver {
            justification: "accepted".into(),
            owner: "me".into(),
            expires: "2026-12-31".into(),
        }),
        root_cause: None,
    }
}

fn report() -> Report {
    let mut r = Report {
        schema_version: 1,
        rules: vec![
            rule("R-CRIT", Severity::Critical, false),
            rule("R-LOW", Severity::Low, false),
            rule("R-MAN", Severity::Info, true),
            rule("R-MED", Severity::Medium, false),
        ],
        findings: vec![
            finding(
                "R-CRIT",
                Severity::Critical,
                Outcome::Fail,
                "a.pem",
                Some(Location::at_line("a.pem", 3).with_line(3, Some(7))),
            ),
            finding(
                "R-CRIT",
                Severity::Critical,
                Outcome::Fail,
                "a.pem",
                Some(Location::file("a.pem")),
            ),
            finding(
                "R-CRIT",
                Severity::Critical,
                Outcome::Pass,
                "b.pem",
                Some(Location::file("b.pem")),
            ),
            finding("R-LOW", Severity::Low, Outcome::Error, "c.pem", None),
            finding(
                "R-MED",
                Severity::Medium,
                Outcome::Waived,
                "d.pem",
                Some(Location::file("d.pem")),
            ),
            finding(
                "R-MED",
                Severity::Medium,
                Outcome::NotApplicable,
                "e.pem",
                None,
            ),
            finding("R-MAN", Severity::Info, Outcome::Manual, "vehicle", None),
        ],
        ..Default::default()
    };
    r.scan.fail_on = Severity::High;
    r.scan.as_of = "2026-06-01".into();
    r.summarize();
    r
}

#[test]
fn sarif_levels_results_and_suppressions() {
    let log = Sarif::default().log(&report());
    let run = &log.runs[0];
    let levels: Vec<(&str, &str)> = run
        .results
        .iter()
        .map(|r| (r.rule_id.as_str(), r.level.as_str()))
        .collect();
    assert_eq!(
        levels,
        [
            ("R-CRIT", "error"),
            ("R-CRIT", "error"),
            ("R-LOW", "note"),
            ("R-MED", "warning")
        ]
    );
    let first = run.results[0].locations[0]
        .physical_location
        .as_ref()
        .unwrap();
    let region = first.region.as_ref().unwrap();
    assert_eq!((region.start_line, region.start_column), (3, Some(7)));
    assert!(
        run.results[1].locations[0]
            .physical_location
            .as_ref()
            .unwrap()
            .region
            .is_none()
    );
    // The error without a place still points at the certificate file.
    let err = run.results[2].locations[0]
        .physical_location
        .as_ref()
        .unwrap();
    assert_eq!(err.artifact_location.uri.as_deref(), Some("c.pem"));
    assert_eq!(run.results[3].suppressions[0].status, "accepted");
    assert_eq!(run.tool.driver.rules[0].properties.security_severity, "9.5");
    assert_eq!(run.tool.driver.rules[0].name, "TitleOfRCRIT");
}

#[test]
fn junit_has_one_case_per_finding_and_the_summary_counts() {
    let r = report();
    let xml = render_to_string(&Junit, &r);
    let n = |o: Outcome| r.findings.iter().filter(|f| f.outcome == o).count();
    let head = format!(
        "<testsuites name=\"icvsec \" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
        r.findings.len(),
        n(Outcome::Fail),
        n(Outcome::Error),
        n(Outcome::Manual) + n(Outcome::Waived) + n(Outcome::NotApplicable)
    );
    assert!(xml.contains(&head), "{head}\n{xml}");
    assert_eq!(xml.matches("<testcase ").count(), r.findings.len());
    assert_eq!(xml.matches("<failure ").count(), n(Outcome::Fail));
    assert!(xml.contains("<skipped message=\"waived: accepted"));
    assert!(xml.contains("<skipped message=\"manual: "));
}

#[test]
fn markdown_verdicts() {
    let mut r = report();
    let md = render_to_string(&Markdown::default(), &r);
    assert!(
        md.contains("⚠️ **incomplete**"),
        "an error makes it incomplete: {md}"
    );
    r.findings.retain(|f| f.outcome != Outcome::Error);
    r.summarize();
    let md = render_to_string(&Markdown::default(), &r);
    assert!(
        md.contains("❌ **2 failing finding(s) at or above `high`**"),
        "{md}"
    );
    r.findings.retain(|f| f.outcome != Outcome::Fail);
    r.summarize();
    let md = render_to_string(&Markdown::default(), &r);
    assert!(
        md.contains("✅ **no failing finding at or above `high`**"),
        "{md}"
    );
    assert_eq!(markdown::md_cell("a|b\n<c>"), "a\\|b &lt;c&gt;");
}

#[test]
fn html_sections_without_data() {
    let html = render_to_string(&Html::default(), &report());
    assert!(html.contains("No data map"));
    assert!(html.contains("No waiver in effect"));
    assert_eq!(html.matches("class=\"evidence-box\"").count(), 1);
    assert!(html.contains("id=\"rule-r-crit\"") && html.contains("id=\"rule-r-man\""));
    assert!(!html.contains("href=\"#rule-r-low\"") || html.contains("id=\"rule-r-low\""));
}
