//! Renderers (issue 7): SARIF against the official schema, JUnit well-formedness and
//! counts, the HTML report (escaping, self-containment, headless Chromium), Markdown,
//! and golden files for the text and JSON reports of the demo vehicle.

use crate::common::{AS_OF, catalog, corpora, fixtures, repo, scan_with};
use icvsec_model::report::{AppliedWaiver, DataMapEntry, DataRoute, WaiverStatus};
use icvsec_model::{AssetKind, AssetRef, Finding, Location, Outcome, Report, Severity};
use icvsec_report::{Html, Json, Junit, Markdown, Sarif, Text, render_to_string};
use serde_json::Value;
use std::path::{Path, PathBuf};

pub const HOSTILE: &str = "<script>document.title='pwned'</script><img src=x onerror=alert(1)> & \"q\" 'a' | *b* `c` \u{1}";

pub fn demo_report() -> Report {
    scan_with(&fixtures().join("demo-vehicle"), &catalog())
}

pub fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// The demo report plus hostile strings everywhere a scanned file can put text, a waived
/// finding, a whole-file finding, and a data map.
pub fn hostile_report() -> Report {
    let mut r = demo_report();
    let rule = r.rules[0].clone();
    let mk = |outcome, msg: &str, loc: Option<Location>, fp: &str| Finding {
        rule_id: rule.id.as_str().into(),
        area: rule.area,
        subarea: rule.subarea.as_str().into(),
        severity: rule.severity,
        outcome,
        asset: AssetRef::new(AssetKind::Certificate, format!("pki/{HOSTILE}.pem")),
        message: msg.into(),
        location: loc,
        related: vec![Location::at_line("pki/related file #1.pem", 3)].into(),
        fingerprint: fp.parse().unwrap(),
        waiver: None,
        root_cause: None,
    };
    r.findings.push(mk(
        Outcome::Fail,
        HOSTILE,
        Some(Location::file(format!("pki/dir with space/{HOSTILE}.pem"))),
        "00000000000000f1",
    ));
    let mut w = mk(
        Outcome::Waived,
        "waived one",
        Some(Location::at_line("pki/w.pem", 7).with_line(7, Some(3))),
        "00000000000000f2",
    );
    w.waiver = Some(Box::new(AppliedWaiver {
        justification: HOSTILE.into(),
        owner: "sec-team".into(),
        expires: "2026-12-31".into(),
    }));
    r.findings.push(w);
    r.waivers.push(WaiverStatus {
        rule: rule.id.clone(),
        scope: vec![format!("path:{HOSTILE}")],
        justification: HOSTILE.into(),
        owner: "sec-team".into(),
        expires: "2026-12-31".into(),
        status: "active".into(),
        matched: 1,
    });
    {
        let route = |path: &[&str], region: &str, lv, lc, tp| DataRoute {
            path: path.iter().map(|s| s.to_string()).collect(),
            destination_region: region.into(),
            leaves_vehicle: lv,
            leaves_china: lc,
            third_party: tp,
        };
        r.data_map.extend([
            DataMapEntry {
                item: "vehicle-location".into(),
                category: "important".into(),
                routes: vec![
                    route(&["gnss", "tbox", "tsp-backend"], "CN", true, false, false),
                    route(
                        &["gnss", "ivi", "analytics-partner"],
                        "DE",
                        true,
                        true,
                        true,
                    ),
                ],
            },
            DataMapEntry {
                item: format!("cabin-camera {HOSTILE}"),
                category: "sensitive_personal".into(),
                routes: vec![route(
                    &["cabin-camera", "ivi", HOSTILE],
                    "vehicle",
                    false,
                    false,
                    false,
                )],
            },
        ]);
    }
    r.summarize();
    r
}

fn sarif_of(r: &Report) -> Value {
    serde_json::from_str(&render_to_string(&Sarif::default(), r)).expect("SARIF is JSON")
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let Some(corp) = corpora() else {
        eprintln!(
            "SKIPPED: sarif_is_valid_against_the_official_schema: ../shared/corpora absent (SARIF schema)"
        );
        return;
    };
    let schema_path = corp.join("sarif/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_slice(&std::fs::read(&schema_path).expect("read schema"))
        .expect("schema JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles offline");
    let bad = scan_with(&fixtures().join("bad-inputs"), &catalog());
    assert!(!bad.complete && bad.summary.totals.error > 0);
    for (label, report) in [
        ("demo", demo_report()),
        ("hostile", hostile_report()),
        ("bad-inputs", bad),
    ] {
        for renderer in [
            Sarif::default(),
            Sarif {
                src_root_uri: Some(Sarif::file_uri(&repo().join("fixtures/demo vehicle"))),
                uri_prefix: String::new(),
                ..Sarif::default()
            },
            Sarif {
                src_root_uri: Some(Sarif::file_uri(&repo())),
                uri_prefix: "fixtures/demo vehicle/".into(),
                doc_base_url: Some("https://example.org/icvsec/rules.html".into()),
                ..Sarif::default()
            },
            // Truncation notices and properties stay valid SARIF.
            Sarif {
                max_results: Some(3),
                max_locations: Some(1),
                ..Sarif::default()
            },
        ] {
            let v: Value = serde_json::from_str(&render_to_string(&renderer, &report)).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&v)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .take(20)
                .collect();
            assert!(
                errors.is_empty(),
                "{label}: SARIF invalid:\n{}",
                errors.join("\n")
            );
        }
    }
}

#[test]
fn sarif_results_rules_levels_locations_fingerprints() {
    let report = hostile_report();
    let v = sarif_of(&report);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), report.rules.len());
    // Results: exactly the fail, error and waived findings.
    let expected = report
        .findings
        .iter()
        .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Error | Outcome::Waived))
        .count();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), expected);
    assert!(expected > 2);
    for (res, f) in results.iter().zip(
        report
            .findings
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Error | Outcome::Waived)),
    ) {
        assert_eq!(res["ruleId"], f.rule_id.as_str());
        let idx = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], f.rule_id.as_str());
        let level = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            _ => "note",
        };
        assert_eq!(res["level"], level, "{}", f.rule_id);
        assert_eq!(
            res["partialFingerprints"]["icvsecFingerprint/v1"],
            f.fingerprint.to_string().as_str()
        );
        if let Some(loc) = &f.location {
            let pl = &res["locations"][0]["physicalLocation"];
            assert_eq!(pl["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            let uri = pl["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains("://"),
                "{uri} is not root-relative"
            );
            match loc.line {
                Some(l) => assert_eq!(pl["region"]["startLine"], l),
                None => assert!(
                    pl.get("region").is_none(),
                    "a whole-file finding has no region"
                ),
            }
        }
        if f.outcome == Outcome::Waived {
            assert_eq!(res["suppressions"][0]["status"], "accepted");
        } else {
            assert!(res.get("suppressions").is_none());
        }
    }
    // The hostile path is percent-encoded and still names the file.
    let hostile = results
        .iter()
        .find(|r| r["partialFingerprints"]["icvsecFingerprint/v1"] == "00000000000000f1")
        .unwrap();
    let uri = hostile["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("pki/dir%20with%20space/%3Cscript%3E"),
        "{uri}"
    );
    // Rule descriptors: severity score, tags, help with remediation and references.
    let r0 = &rules[0];
    let info = &report.rules[0];
    assert_eq!(
        r0["properties"]["security-severity"],
        format!("{:.1}", info.severity.score())
    );
    assert!(
        r0["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "security")
    );
    let md = r0["help"]["markdown"].as_str().unwrap();
    assert!(md.contains(info.remediation.trim()) && md.contains(&info.references[0].standard));
    assert_eq!(r0["shortDescription"]["text"], info.title.as_str());
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
}

/// A small XML well-formedness checker: balanced and matching tags, quoted attributes,
/// known entities only, no raw `<` or `&` in text. Returns the element names in order.
pub fn xml_well_formed(xml: &str) -> Result<Vec<String>, String> {
    let mut stack: Vec<String> = Vec::new();
    let mut names = Vec::new();
    let b = xml.as_bytes();
    let mut i = 0;
    let check_text = |t: &str, at: usize| -> Result<(), String> {
        let mut rest = t;
        while let Some(p) = rest.find('&') {
            let after = &rest[p + 1..];
            let end = after.find(';').ok_or(format!("bare & at {at}"))?;
            let ent = &after[..end];
            let ok = matches!(ent, "amp" | "lt" | "gt" | "quot" | "apos")
                || (ent.starts_with('#')
                    && ent[1..]
                        .trim_start_matches('x')
                        .chars()
                        .all(|c| c.is_ascii_hexdigit())
                    && ent.len() > 1);
            if !ok {
                return Err(format!("unknown entity &{ent}; at {at}"));
            }
            rest = &after[end + 1..];
        }
        if t.contains('<') {
            return Err(format!("raw < at {at}"));
        }
        if t.chars()
            .any(|c| (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        {
            return Err(format!("control character at {at}"));
        }
        Ok(())
    };
    let mut root_seen = false;
    while i < b.len() {
        if b[i] == b'<' {
            let end = xml[i..].find('>').ok_or(format!("unclosed tag at {i}"))? + i;
            let tag = &xml[i + 1..end];
            if tag.starts_with('?') {
                if !tag.ends_with('?') {
                    return Err(format!("bad declaration at {i}"));
                }
            } else if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("close without open at {i}"))?;
                if open != name.trim() {
                    return Err(format!("</{name}> closes <{open}> at {i}"));
                }
            } else {
                let self_closing = tag.ends_with('/');
                let body = tag.trim_end_matches('/');
                let name: String = body.chars().take_while(|c| !c.is_whitespace()).collect();
                if name.is_empty()
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
                {
                    return Err(format!("bad element name `{name}` at {i}"));
                }
                if stack.is_empty() {
                    if root_seen {
                        return Err("two root elements".into());
                    }
                    root_seen = true;
                }
                // attributes: name="value" pairs
                let mut attrs = body[name.len()..].trim();
                while !attrs.is_empty() {
                    let eq = attrs
                        .find('=')
                        .ok_or(format!("attribute without value in <{name}>"))?;
                    let rest = &attrs[eq + 1..];
                    if !rest.starts_with('"') {
                        return Err(format!("unquoted attribute in <{name}>"));
                    }
                    let close = rest[1..].find('"').ok_or("unterminated attribute")? + 1;
                    check_text(&rest[1..close], i)?;
                    attrs = rest[close + 1..].trim_start();
                }
                names.push(name.clone());
                if !self_closing {
                    stack.push(name);
                }
            }
            i = end + 1;
        } else {
            let next = xml[i..].find('<').map_or(b.len(), |p| p + i);
            let text = &xml[i..next];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root at {i}"));
            }
            check_text(text, i)?;
            i = next;
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed elements: {stack:?}"));
    }
    Ok(names)
}

fn attr(xml_tag: &str, name: &str) -> Option<usize> {
    let key = format!(" {name}=\"");
    let p = xml_tag.find(&key)? + key.len();
    xml_tag[p..].split('"').next()?.parse().ok()
}

#[test]
fn junit_is_well_formed_with_consistent_counts() {
    let report = hostile_report();
    let xml = render_to_string(&Junit, &report);
    let names = xml_well_formed(&xml).unwrap_or_else(|e| panic!("JUnit not well-formed: {e}"));
    assert_eq!(names[0], "testsuites");
    // One testcase per finding (so the counts are the summary's).
    let cases = names.iter().filter(|n| *n == "testcase").count();
    assert_eq!(cases, report.findings.len());
    let first = xml.lines().nth(1).unwrap();
    assert_eq!(attr(first, "tests"), Some(cases));
    let failures = names.iter().filter(|n| *n == "failure").count();
    let errors = names.iter().filter(|n| *n == "error").count();
    let skipped = names.iter().filter(|n| *n == "skipped").count();
    assert_eq!(attr(first, "failures"), Some(failures));
    assert_eq!(attr(first, "errors"), Some(errors));
    assert_eq!(attr(first, "skipped"), Some(skipped));
    assert!(failures > 0 && skipped > 0);
    // Per-suite counts add up to the totals.
    let suites: Vec<&str> = xml
        .lines()
        .filter(|l| l.trim_start().starts_with("<testsuite "))
        .collect();
    assert_eq!(
        suites
            .iter()
            .map(|s| attr(s, "tests").unwrap())
            .sum::<usize>(),
        cases
    );
    assert_eq!(
        suites
            .iter()
            .map(|s| attr(s, "failures").unwrap())
            .sum::<usize>(),
        failures
    );
    // classname is the rule id, name the asset (and the place, when there is one).
    let f = report
        .findings
        .iter()
        .find(|f| f.outcome == Outcome::Fail)
        .unwrap();
    let name = match &f.location {
        Some(l) => format!("{} at {l}", f.asset),
        None => f.asset.to_string(),
    };
    assert!(xml.contains(&format!(
        "classname=\"{}\" name=\"{}\"",
        f.rule_id,
        icvsec_report::xml_escape(&name)
    )));
    assert!(!xml.contains("<script>"));
    assert!(xml_well_formed("<a><b></a></b>").is_err());
    assert!(xml_well_formed("<a>x & y</a>").is_err());
}

#[test]
fn unassessed_findings_and_input_problems_reach_every_format() {
    let report = scan_with(&fixtures().join("bad-inputs"), &catalog());
    let errors = report
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Error)
        .count();
    assert!(errors > 0 && !report.complete);
    let v = sarif_of(&report);
    let run = &v["runs"][0];
    let sarif_errors = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["properties"]["outcome"] == "error")
        .count();
    assert_eq!(sarif_errors, errors);
    let input_errors = report
        .diagnostics
        .iter()
        .filter(|d| d.level == icvsec_model::DiagnosticLevel::Error)
        .count();
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(
        notes.iter().filter(|n| n["level"] == "error").count(),
        input_errors
    );
    assert_eq!(run["properties"]["complete"], false);
    let xml = render_to_string(&Junit, &report);
    xml_well_formed(&xml).unwrap();
    assert!(xml.contains("<error message="));
    let html = render_to_string(&Html::default(), &report);
    assert!(html.contains("Assessment incomplete") && html.contains("<h2 id=\"inputs\">"));
    assert!(render_to_string(&Markdown::default(), &report).contains("**incomplete**"));
}

#[test]
fn markdown_summary_escapes_and_counts() {
    let report = hostile_report();
    let md = render_to_string(&Markdown::default(), &report);
    assert!(md.starts_with("### icvsec compliance report"));
    assert!(md.contains("failing finding(s) at or above `high`"));
    assert!(
        !md.contains("<script>") && !md.contains("<img"),
        "raw HTML from a scanned file"
    );
    assert!(md.contains("&lt;script&gt;"));
    let t = &report.summary.totals;
    assert!(md.contains(&format!(
        "| **Total** | {} | {} | {} | {} | {} | {} |",
        t.pass, t.fail, t.error, t.manual, t.waived, t.not_applicable
    )));
    // Every table row has the same number of cells as its header (no stray pipes).
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Outcome"))
    {
        let cells = line.replace("\\|", "").matches('|').count();
        assert!(cells == 8 || cells == 7 || cells == 9, "{line}");
    }
}

#[test]
fn html_is_self_contained_and_escapes_scanned_text() {
    let report = hostile_report();
    let html = render_to_string(&Html::default(), &report);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script"),
        "no script at all, injected or ours"
    );
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;document.title="));
    for banned in [
        "src=\"http",
        "href=\"http",
        "@import",
        "url(http",
        "<link",
        "@font-face",
    ] {
        assert!(!html.contains(banned), "external resource: {banned}");
    }
    assert!(html.contains("default-src 'none'"));
    for id in [
        "scan", "summary", "matrix", "findings", "manual", "data-map", "waivers", "inputs",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "section {id}");
    }
    assert!(html.contains(&report.scan.rules_digest) && html.contains(&report.scan.input_digest));
    assert_eq!(html.matches("<svg").count(), 2, "area chart and data map");
    // Every in-page link has its target.
    for target in html.split("href=\"#").skip(1) {
        let id = target.split('"').next().unwrap();
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "dangling link #{id}"
        );
    }
    assert!(html.contains("class=\"evidence-box\"") == report.rules.iter().any(|r| r.manual));
}

fn chromium() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/chromium");
    p.exists().then_some(p)
}

fn run_chromium(bin: &Path, page: &Path, extra: &[&str], profile: &Path) -> std::process::Output {
    std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2000",
        ])
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium")
}

fn console_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

#[test]
fn html_renders_in_headless_chromium_without_console_errors() {
    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED: html_renders_in_headless_chromium_without_console_errors: /usr/bin/chromium absent (apt-get install -y chromium)"
        );
        return;
    };
    let dir = tmp("html-chromium");
    // Control: console messages do reach stderr, so their absence below means something.
    let control = dir.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><script>console.error('icvsec-control')</script></body></html>",
    )
    .unwrap();
    let out = run_chromium(
        &bin,
        &control,
        &["--dump-dom"],
        &dir.join("profile-control"),
    );
    assert!(
        console_lines(&out)
            .iter()
            .any(|l| l.contains("icvsec-control")),
        "chromium does not log console messages to stderr; cannot check the report: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (name, report) in [("demo", demo_report()), ("hostile", hostile_report())] {
        let page = dir.join(format!("{name}.html"));
        std::fs::write(&page, render_to_string(&Html::default(), &report)).unwrap();
        let shot = dir.join(format!("{name}.png"));
        let out = run_chromium(
            &bin,
            &page,
            &[&format!("--screenshot={}", shot.display())],
            &dir.join(format!("profile-{name}-1")),
        );
        assert!(
            out.status.success(),
            "chromium failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let png = std::fs::read(&shot).expect("screenshot written");
        assert!(
            png.len() > 10_000 && png.starts_with(b"\x89PNG"),
            "screenshot is a PNG"
        );
        assert_eq!(
            console_lines(&out),
            Vec::<String>::new(),
            "{name}: console messages (errors, CSP violations)"
        );
        let out = run_chromium(
            &bin,
            &page,
            &["--dump-dom"],
            &dir.join(format!("profile-{name}-2")),
        );
        let dom = String::from_utf8_lossy(&out.stdout);
        assert_eq!(console_lines(&out), Vec::<String>::new());
        for heading in [
            "Summary per area",
            "Compliance matrix",
            "Findings",
            "Manual requirements",
            "Data map",
            "Waivers",
        ] {
            assert!(
                dom.contains(&format!(">{heading}</h2>")),
                "{name}: heading {heading} missing in the DOM"
            );
        }
        assert!(
            !dom.contains("pwned</title>") && dom.contains("<title>Cybersecurity self-assessment"),
            "{name}: title intact"
        );
        assert!(!dom.contains("<img"), "{name}: injected element in the DOM");
        eprintln!("screenshot: {}", shot.display());
    }
}

/// Compare with a golden file; `ICVSEC_UPDATE=1` rewrites it. On mismatch, show the
/// first differing lines.
pub fn golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("ICVSEC_UPDATE").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("{} missing; generate it with ICVSEC_UPDATE=1 cargo test --test integration reports::golden", path.display())
    });
    if expected == actual {
        return;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let mut diff = String::new();
    let mut shown = 0;
    for i in 0..e.len().max(a.len()) {
        let (x, y) = (e.get(i), a.get(i));
        if x != y {
            diff.push_str(&format!(
                "line {}:\n  - {}\n  + {}\n",
                i + 1,
                x.unwrap_or(&"<none>"),
                y.unwrap_or(&"<none>")
            ));
            shown += 1;
            if shown == 15 {
                diff.push_str("  ...\n");
                break;
            }
        }
    }
    panic!(
        "{} is stale ({} vs {} lines):\n{diff}\nIf the change is intended: ICVSEC_UPDATE=1 cargo test --test integration reports::golden",
        path.display(),
        e.len(),
        a.len()
    );
}

/// The demo report with machine- and catalog-independent metadata.
fn golden_report() -> Report {
    let mut r = demo_report();
    r.scan.rules_digest = "(rules digest)".into();
    r
}

#[test]
fn golden_text_report() {
    let r = golden_report();
    golden(
        "demo-vehicle.txt",
        &render_to_string(
            &Text {
                color: false,
                verbose: false,
                quiet: false,
            },
            &r,
        ),
    );
}

#[test]
fn golden_json_report() {
    let r = golden_report();
    assert_eq!(r.scan.as_of, AS_OF);
    // Full evidence: every outcome with message and place (`--full-evidence`).
    golden("demo-vehicle.json", &render_to_string(&Json::full(), &r));
    // The default: passes and not-applicable outcomes grouped per rule.
    let grouped = render_to_string(&Json::default(), &r);
    golden("demo-vehicle.grouped.json", &grouped);
    let v: serde_json::Value = serde_json::from_str(&grouped).unwrap();
    let in_groups: u64 = v["outcome_groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["count"].as_u64().unwrap())
        .sum();
    let listed = v["findings"].as_array().unwrap().len() as u64;
    assert_eq!(in_groups + listed, r.findings.len() as u64);
    assert!(grouped.len() < render_to_string(&Json::full(), &r).len());
}

/// One defect, one headline (issue 13 part 5): the demo's expired analytics certificate
/// fails ICV-CRT-008 and breaks its chain (ICV-CRT-021); the text report shows it once,
/// with the other rule named, and JSON keeps both outcomes with one `root_cause`.
#[test]
fn demo_expired_certificate_is_one_headline_in_text_and_two_outcomes_in_json() {
    let r = crate::reports::demo_report();
    let key = "certificate:pki/analytics-server.pem#expired";
    let keyed: Vec<&str> = r
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && f.root_cause.as_deref() == Some(key))
        .map(|f| f.rule_id.as_str())
        .collect();
    assert_eq!(keyed, ["ICV-CRT-008", "ICV-CRT-021"]);
    let json: Value = serde_json::from_str(&render_to_string(&Json::full(), &r)).unwrap();
    let in_json = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["root_cause"] == key)
        .count();
    assert_eq!(in_json, 2);

    let text = render_to_string(
        &Text {
            color: false,
            verbose: false,
            quiet: false,
        },
        &r,
    );
    let lines: Vec<&str> = text.lines().collect();
    let heads: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.trim_start()
                .starts_with("certificate pki/analytics-server.pem: certificate expired on")
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(heads.len(), 1, "one headline:\n{text}");
    let also = lines[heads[0]..]
        .iter()
        .take(6)
        .find(|l| l.contains("also breaks"))
        .unwrap_or_else(|| panic!("no `also breaks` under the headline:\n{text}"));
    assert!(also.contains("ICV-CRT-021 (critical)"), "{also}");
    // ICV-CRT-021's own entry for the certificate points to the headline instead.
    assert!(
        text.contains(
            "certificate pki/analytics-server.pem: same defect as ICV-CRT-008 (expired), shown there"
        ),
        "{text}"
    );
    assert!(!text.contains("C=DE` expired (notAfter"), "{text}");
    // The stale Android patch level: ICV-AND-009 is the headline, ICV-VUL-003 points to it.
    assert!(text.contains("also breaks ICV-VUL-003 (high)"), "{text}");
    assert!(
        text.contains("ecu ivi: same defect as ICV-AND-009"),
        "{text}"
    );
}

/// The inventory section (issue 14 part 5): per ECU, components with their source place,
/// and per component the vulnerabilities matched with their status; SARIF has one result
/// per unhandled vulnerability and ECU (the failing ICV-VUL-001/002 outcomes).
#[test]
fn demo_inventory_lists_components_and_vulnerability_statuses() {
    let r = crate::reports::demo_report();
    let json: Value = serde_json::from_str(&render_to_string(&Json::full(), &r)).unwrap();
    let inv = json["inventory"].as_array().expect("inventory section");
    let ecus: Vec<&str> = inv.iter().map(|e| e["ecu"].as_str().unwrap()).collect();
    let mut sorted = ecus.clone();
    sorted.sort();
    assert_eq!(ecus, sorted, "ECU order");
    let tbox = inv
        .iter()
        .find(|e| e["ecu"] == "tbox")
        .expect("tbox software");
    let comps = tbox["components"].as_array().unwrap();
    let find = |name: &str| {
        comps
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("component {name}: {comps:?}"))
    };
    let ssl = find("libssl1.1");
    assert_eq!(ssl["sources"][0]["file"], "tbox/rootfs/var/lib/dpkg/status");
    assert_eq!(ssl["sources"][0]["method"], "dpkg-status");
    assert!(
        ssl["purl"]
            .as_str()
            .unwrap()
            .starts_with("pkg:deb/debian/libssl1.1@")
    );
    let v = &ssl["vulnerabilities"][0];
    assert_eq!(v["id"], "DEBIAN-CVE-2022-0778");
    assert_eq!(v["status"], "overdue");
    let ssh = &find("openssh-server")["vulnerabilities"][0];
    assert_eq!(ssh["status"], "handled");
    assert_eq!(
        ssh["vex"]["justification"],
        "vulnerable_code_not_in_execute_path"
    );
    let curl = &find("libcurl4")["vulnerabilities"][0];
    assert_eq!(curl["status"], "due_soon");
    assert_eq!(tbox["vulnerable"], 2);

    let open: usize = inv
        .iter()
        .flat_map(|e| e["components"].as_array().unwrap())
        .flat_map(|c| c["vulnerabilities"].as_array().cloned().unwrap_or_default())
        .filter(|v| {
            matches!(
                v["status"].as_str(),
                Some("overdue" | "due_soon" | "unknown_age")
            )
        })
        .count();
    let sarif = sarif_of(&r);
    let vuln_results = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| matches!(x["ruleId"].as_str(), Some("ICV-VUL-001" | "ICV-VUL-002")))
        .count();
    assert_eq!(
        vuln_results, open,
        "one SARIF result per unhandled vulnerability and ECU"
    );

    let text = render_to_string(
        &Text {
            color: false,
            verbose: false,
            quiet: false,
        },
        &r,
    );
    assert!(
        text.contains(
            "  tbox: 5 components, 2 vulnerable (1 overdue, 1 due soon, 1 handled by VEX)"
        ),
        "{text}"
    );
}
