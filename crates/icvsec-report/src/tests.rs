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
        message: format!("{} on {asset}", outcome.as_str()).into(),
        location: loc,
        related: Box::default(),
        fingerprint: icvsec_model::fingerprint::Fingerprint::of(&[id, asset]),
        waiver: (outcome == Outcome::Waived).then(|| {
            Box::new(AppliedWaiver {
                justification: "accepted".into(),
                owner: "me".into(),
                expires: "2026-12-31".into(),
            })
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

/// Two rules failing on one defect (same root-cause key), a third failing on another
/// asset, and an inventory with one component per vulnerability status.
fn grouped_report() -> Report {
    use icvsec_model::report::{
        ComponentSource, ComponentVulnerability, EcuSoftware, SoftwareComponent, VexNote,
    };
    let mut r = report();
    let key = "certificate:a.pem#expired".to_string();
    r.rules.push(rule("R-CHAIN", Severity::Critical, false));
    r.rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut head = finding(
        "R-MED",
        Severity::Medium,
        Outcome::Fail,
        "x.pem",
        Some(Location::file("x.pem")),
    );
    head.message = "certificate expired on 2026-01-01".into();
    head.root_cause = Some(key.as_str().into());
    let mut member = finding(
        "R-CHAIN",
        Severity::Critical,
        Outcome::Fail,
        "x.pem",
        Some(Location::file("x.pem")),
    );
    member.message = "chain broken: expired".into();
    member.root_cause = Some(key.into());
    // A passing outcome with the same key never groups.
    let mut pass = finding("R-LOW", Severity::Low, Outcome::Pass, "x.pem", None);
    pass.root_cause = Some("certificate:a.pem#expired".into());
    r.findings.insert(0, head);
    r.findings.push(member);
    r.findings.push(pass);
    let vuln = |id: &str, status: &str| ComponentVulnerability {
        id: id.into(),
        aliases: vec![],
        status: status.into(),
        severity: "high".into(),
        score: Some(7.5),
        published: Some("2022-03-15".into()),
        due: (status != "handled").then(|| "2022-09-15".into()),
        fixed_version: Some("2.0".into()),
        vex: (status == "handled").then(|| VexNote {
            status: "not_affected".into(),
            justification: Some("vulnerable_code_not_in_execute_path".into()),
            file: "vex/tbox.openvex.json".into(),
        }),
    };
    let comp = |name: &str, vulns: Vec<ComponentVulnerability>| SoftwareComponent {
        name: name.into(),
        version: "1.0".into(),
        ecosystem: "debian".into(),
        purl: Some(format!("pkg:deb/debian/{name}@1.0")),
        cpe: None,
        sources: vec![ComponentSource {
            file: "tbox/rootfs/var/lib/dpkg/status".into(),
            place: "line 1".into(),
            method: "dpkg-status".into(),
        }],
        vulnerabilities: vulns,
    };
    r.inventory = vec![EcuSoftware {
        ecu: "tbox".into(),
        vulnerable: 2,
        components: vec![
            comp("libold", vec![vuln("CVE-2022-0001", "overdue")]),
            comp("libvex", vec![vuln("CVE-2023-0002", "handled")]),
            comp("libnew", vec![vuln("CVE-2026-0003", "due_soon")]),
            comp("libclean", vec![]),
        ],
    }];
    r.summarize();
    r
}

#[test]
fn root_cause_groups_need_two_rules_and_failures() {
    let r = grouped_report();
    let groups = r.root_cause_groups();
    assert_eq!(groups.len(), 1, "{groups:?}");
    let g = &groups[0];
    assert_eq!(r.findings[g.headline].rule_id, "R-MED");
    let also: Vec<&str> = g
        .also
        .iter()
        .map(|&i| r.findings[i].rule_id.as_str())
        .collect();
    assert_eq!(also, ["R-CHAIN"]);
    // One rule failing twice on one key is no group.
    let mut one = report();
    for f in one.findings.iter_mut().filter(|f| f.rule_id == "R-CRIT") {
        f.root_cause = Some("certificate:a.pem#expired".into());
    }
    assert!(one.root_cause_groups().is_empty());
}

#[test]
fn text_markdown_html_show_one_headline_per_defect_json_sarif_keep_every_outcome() {
    let r = grouped_report();
    let text = render_to_string(
        &Text {
            color: false,
            verbose: false,
            quiet: false,
        },
        &r,
    );
    assert_eq!(
        text.matches("certificate expired on 2026-01-01").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("also breaks R-CHAIN (critical) — same defect: expired"),
        "{text}"
    );
    assert!(
        text.contains("x.pem: same defect as R-MED (expired), shown there"),
        "{text}"
    );
    assert!(!text.contains("chain broken: expired"), "{text}");

    let md = render_to_string(&Markdown::default(), &r);
    assert!(md.contains("**Also breaks** R-CHAIN (critical)."), "{md}");
    assert!(!md.contains("chain broken"), "{md}");

    let html = render_to_string(&Html::default(), &r);
    assert!(
        html.contains("<strong>Also breaks</strong> <a href=\"#rule-r-chain\">"),
        "{html}"
    );
    assert!(
        html.contains("same defect as <a href=\"#rule-r-med\">"),
        "{html}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&render_to_string(&Json::full(), &r)).unwrap();
    let keyed: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["root_cause"] == "certificate:a.pem#expired" && f["outcome"] == "fail")
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(keyed, ["R-MED", "R-CHAIN"]);

    let sarif = Sarif::default().log(&r);
    let rc: Vec<&str> = sarif.runs[0]
        .results
        .iter()
        .filter(|x| x.properties.contains_key("root_cause"))
        .map(|x| x.rule_id.as_str())
        .collect();
    assert_eq!(rc, ["R-MED", "R-CHAIN"]);
    let junit = render_to_string(&Junit, &r);
    assert!(junit.contains("chain broken: expired"), "{junit}");
}

#[test]
fn inventory_in_every_human_format_and_json() {
    let r = grouped_report();
    let line = "tbox: 4 components, 2 vulnerable (1 overdue, 1 due soon, 1 handled by VEX)";
    let text = render_to_string(
        &Text {
            color: false,
            verbose: false,
            quiet: false,
        },
        &r,
    );
    assert!(text.contains(&format!("  {line}")), "{text}");
    let md = render_to_string(&Markdown::default(), &r);
    assert!(md.contains("- tbox: 4 components, 2 vulnerable"), "{md}");
    let html = render_to_string(&Html::default(), &r);
    assert!(html.contains("<h2 id=\"inventory\">Software inventory</h2>"));
    assert!(html.contains("<h3 id=\"inventory-tbox\">ECU <code>tbox</code></h3>"));
    assert!(
        html.contains("handled by VEX (not_affected: vulnerable_code_not_in_execute_path)"),
        "{html}"
    );
    assert!(html.contains("<strong>overdue</strong> since 2022-09-15"));
    assert!(html.contains("due soon (overdue from 2022-09-15)"));
    assert!(html.contains("<a href=\"#inventory\">Software inventory</a>"));
    let json: serde_json::Value =
        serde_json::from_str(&render_to_string(&Json::full(), &r)).unwrap();
    let statuses: Vec<String> = json["inventory"][0]["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["vulnerabilities"].as_array().cloned().unwrap_or_default())
        .map(|v| v["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["overdue", "handled", "due_soon"]);
    // No inventory, no section.
    let bare = render_to_string(&Html::default(), &report());
    assert!(!bare.contains("id=\"inventory\""));
}

#[test]
fn inventory_strings_from_the_build_are_inert_in_text() {
    let mut r = grouped_report();
    r.inventory[0].ecu = "tbox\x1b[2J".into();
    let text = render_to_string(
        &Text {
            color: false,
            verbose: false,
            quiet: false,
        },
        &r,
    );
    assert!(!text.contains('\x1b'), "{text:?}");
    assert!(text.contains("tbox\\x1b[2J: 4 components"), "{text}");
}
