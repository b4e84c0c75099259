//! CI gates and auditors: exit-code switches, the verdict on stderr, quiet text, SARIF
//! execution status and caps, configuration discovery, case-insensitive rule ids,
//! `icvsec diff`, JUnit counts, the Markdown size cap and the signable HTML report.

use crate::common::{AS_OF, copy_dir, icvsec, repo};
use icvsec_report::{Markdown, render_to_string};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ci-gates-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn demo(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["scan", "fixtures/demo-vehicle", "--as-of", AS_OF];
    args.extend_from_slice(extra);
    icvsec(&args)
}

/// A build whose vehicle.json does not parse: the assessment is incomplete.
fn broken_build(name: &str) -> PathBuf {
    let d = tmp(name);
    std::fs::write(d.join("vehicle.json"), "{ \"vehicle\": ").unwrap();
    d
}

#[test]
fn exit_zero_and_fail_on_none_for_report_only_jobs() {
    let gate = demo(&["--format", "json"]);
    assert_eq!(gate.status.code(), Some(1), "{}", stderr(&gate));
    let none = demo(&["--format", "json", "--fail-on", "none"]);
    assert_eq!(none.status.code(), Some(0), "{}", stderr(&none));
    assert!(stderr(&none).contains("not gated"), "{}", stderr(&none));
    let zero = demo(&["--format", "json", "--exit-zero"]);
    assert_eq!(zero.status.code(), Some(0), "{}", stderr(&zero));
    // Same report whatever the exit switch.
    assert_eq!(gate.stdout, zero.stdout);

    // Incomplete: --fail-on none still exits 3, --exit-zero forces 0.
    let b = broken_build("incomplete");
    let b = b.to_str().unwrap();
    let inc = icvsec(&["scan", b, "--as-of", AS_OF, "--fail-on", "none"]);
    assert_eq!(inc.status.code(), Some(3), "{}", stderr(&inc));
    let inc0 = icvsec(&["scan", b, "--as-of", AS_OF, "--exit-zero"]);
    assert_eq!(inc0.status.code(), Some(0), "{}", stderr(&inc0));
    // Usage errors still fail with --exit-zero.
    let bad = demo(&["--exit-zero", "--fail-on", "severe"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn verdict_and_input_errors_go_to_stderr_whatever_the_format() {
    for format in ["json", "sarif", "junit", "html", "markdown", "text"] {
        let o = demo(&["--format", format]);
        let err = stderr(&o);
        let line = err
            .lines()
            .find(|l| l.contains("failing at or above high"))
            .unwrap_or_else(|| panic!("{format}: no verdict on stderr: {err}"));
        assert!(line.starts_with("icvsec: "), "{line}");
        assert!(line.contains("assessment complete"), "{line}");
    }
    let b = broken_build("stderr");
    let o = icvsec(&[
        "scan",
        b.to_str().unwrap(),
        "--format",
        "json",
        "--as-of",
        AS_OF,
    ]);
    let err = stderr(&o);
    assert!(
        err.contains("icvsec: input error: vehicle.json"),
        "input error not on stderr: {err}"
    );
    assert!(err.contains("assessment INCOMPLETE ("), "{err}");
    // stdout is still the JSON report.
    serde_json::from_slice::<Value>(&o.stdout).expect("JSON on stdout");
}

#[test]
fn quiet_text_shows_failures_errors_and_the_summary_only() {
    let full = stdout(&demo(&[]));
    let quiet = stdout(&demo(&["-q"]));
    assert!(full.contains("  PASS "), "the full report lists passes");
    assert!(!quiet.contains("  PASS "), "quiet lists no pass:\n{quiet}");
    assert!(quiet.contains("  FAIL "), "{quiet}");
    assert!(quiet.contains("== Summary =="), "{quiet}");
    assert!(quiet.contains("failures: "));
    assert!(quiet.len() < full.len());
    // Every failing rule of the full report is in the quiet one.
    for l in full.lines().filter(|l| l.starts_with("  FAIL ")) {
        assert!(quiet.contains(l), "missing from quiet: {l}");
    }
}

#[test]
fn sarif_says_when_the_assessment_is_incomplete_and_links_rule_docs() {
    let b = broken_build("sarif");
    let o = icvsec(&[
        "scan",
        b.to_str().unwrap(),
        "--format",
        "sarif",
        "--as-of",
        AS_OF,
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let notes = inv["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["level"] == "error"), "{inv}");
    assert!(
        v["runs"][0]["tool"]["driver"]
            .get("informationUri")
            .is_none()
    );

    let o = demo(&[
        "--format",
        "sarif",
        "--doc-base-url",
        "https://example.org/icvsec/rules.html",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let driver = &v["runs"][0]["tool"]["driver"];
    assert_eq!(
        driver["informationUri"],
        "https://example.org/icvsec/rules.html"
    );
    for r in driver["rules"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap().to_ascii_lowercase();
        assert_eq!(
            r["helpUri"],
            format!("https://example.org/icvsec/rules.html#{id}")
        );
    }
    assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
    let bad = demo(&["--format", "sarif", "--doc-base-url", "docs/rules.md"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn sarif_truncates_at_the_result_cap_and_says_so() {
    let report = crate::reports::demo_report();
    let failing = report
        .findings
        .iter()
        .filter(|f| f.outcome == icvsec_model::Outcome::Fail)
        .count();
    assert!(failing > 2);
    let log = icvsec_report::Sarif {
        max_results: Some(2),
        ..Default::default()
    }
    .log(&report);
    let run = &log.runs[0];
    assert_eq!(run.results.len(), 2);
    let t = &run.properties["truncated"];
    assert_eq!(t["resultsKept"], 2);
    assert!(t["results"].as_u64().unwrap() > 2);
    assert!(
        run.invocations[0]
            .tool_execution_notifications
            .iter()
            .any(|n| n.message.text.contains("at most 2 results"))
    );
    // The most severe are kept.
    let max = report
        .findings
        .iter()
        .filter(|f| f.outcome == icvsec_model::Outcome::Fail)
        .map(|f| f.severity)
        .max()
        .unwrap();
    assert_eq!(run.results[0].properties["severity"], max.as_str());
}

#[test]
fn configuration_is_found_in_the_build_then_up_to_the_repository_root() {
    let top = tmp("config-discovery");
    // A configuration above the repository must never be used.
    std::fs::write(top.join("icvsec.toml"), "fail_on = \"info\"\n").unwrap();
    let repo_dir = top.join("repo");
    std::fs::create_dir_all(repo_dir.join(".git")).unwrap();
    let build = repo_dir.join("builds/v1");
    copy_dir(&repo().join("fixtures/demo-vehicle"), &build);
    // The demo carries its own icvsec.toml (its vulnerability feed); this test is about
    // the ones above the build.
    let _ = std::fs::remove_file(build.join("icvsec.toml"));
    let b = build.to_str().unwrap();

    // No icvsec.toml in the repository: the one above .git is not read.
    let o = icvsec(&["scan", b, "--as-of", AS_OF, "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["scan"].get("config").is_none(), "{}", v["scan"]);
    assert_eq!(v["scan"]["fail_on"], "high");

    // The repository's configuration, with a waivers file relative to it.
    std::fs::write(
        repo_dir.join("icvsec.toml"),
        "fail_on = \"none\"\nwaivers = \"ci/waivers.toml\"\nvuln_db = \"builds/v1/vuln-feed\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(repo_dir.join("ci")).unwrap();
    std::fs::write(repo_dir.join("ci/waivers.toml"), "").unwrap();
    let o = icvsec(&["scan", b, "--as-of", AS_OF]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let header = text
        .lines()
        .find(|l| l.starts_with("config   "))
        .unwrap_or_else(|| panic!("no config header line:\n{text}"));
    assert!(header.ends_with("repo/icvsec.toml"), "{header}");

    // A repository configuration may not name files outside its directory.
    std::fs::write(repo_dir.join("icvsec.toml"), "waivers = \"../w.toml\"\n").unwrap();
    let o = icvsec(&["scan", b, "--as-of", AS_OF]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("icvsec.toml"), "{}", stderr(&o));

    // The build's own configuration wins over the repository's.
    std::fs::write(build.join("icvsec.toml"), "fail_on = \"critical\"\n").unwrap();
    let o = icvsec(&["scan", b, "--as-of", AS_OF, "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["scan"]["config"]
            .as_str()
            .unwrap()
            .ends_with("v1/icvsec.toml")
    );
    assert_eq!(v["scan"]["fail_on"], "critical");
    // --no-config: none.
    let o = icvsec(&[
        "scan",
        b,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--no-config",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["scan"].get("config").is_none());
}

#[test]
fn rule_ids_are_case_insensitive_and_the_rule_list_is_aligned() {
    let upper = icvsec(&["rules", "explain", "ICV-LNX-006"]);
    let lower = icvsec(&["rules", "explain", "icv-lnx-006"]);
    assert_eq!(lower.status.code(), Some(0), "{}", stderr(&lower));
    assert_eq!(upper.stdout, lower.stdout);
    let sel = demo(&["--select", "icv-lnx-006", "--format", "json"]);
    let v: Value = serde_json::from_slice(&sel.stdout).unwrap();
    let rules: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["ICV-LNX-006"]);

    let list = stdout(&icvsec(&["rules", "list"]));
    let lines: Vec<&str> = list.lines().collect();
    let col = lines[0].find("TITLE").unwrap();
    for l in &lines[1..lines.len() - 1] {
        let chars: Vec<char> = l.chars().collect();
        let head: Vec<char> = lines[0].chars().collect();
        // Same character column as the header's TITLE (ASCII header).
        let title_col = head[..col].len();
        assert_eq!(chars[title_col - 1], ' ', "misaligned: {l}");
        assert_ne!(chars[title_col], ' ', "misaligned: {l}");
    }
}

#[test]
fn help_and_man_pages_carry_exit_status_and_schema_kinds() {
    for args in [&["--help"][..], &["scan", "--help"], &["diff", "--help"]] {
        let o = icvsec(args);
        assert!(stdout(&o).contains("EXIT STATUS"), "{args:?}");
        assert!(stdout(&o).contains("3  assessment incomplete"));
    }
    let man = stdout(&icvsec(&["man", "scan"]));
    assert!(man.contains("EXIT STATUS"), "man page without EXIT STATUS");
    let schema = stdout(&icvsec(&["schema", "--help"]));
    for kind in ["vehicle", "ecu", "dataflow"] {
        assert!(schema.contains(kind), "schema --help does not list {kind}");
    }
}

#[test]
fn junit_counts_agree_with_the_summary() {
    let d = tmp("junit");
    let j = d.join("r.xml");
    let o = demo(&[
        "--format",
        "json",
        "--full-evidence",
        "--output-junit",
        j.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let xml = std::fs::read_to_string(&j).unwrap();
    let head = xml.lines().find(|l| l.starts_with("<testsuites")).unwrap();
    let attr = |name: &str| -> u64 {
        let k = format!(" {name}=\"");
        let i = head.find(&k).unwrap() + k.len();
        head[i..].split('"').next().unwrap().parse().unwrap()
    };
    let t = &v["summary"]["totals"];
    let n = |k: &str| t[k].as_u64().unwrap();
    assert_eq!(attr("failures"), n("fail"));
    assert_eq!(attr("errors"), n("error"));
    assert_eq!(
        attr("skipped"),
        n("manual") + n("waived") + n("not_applicable")
    );
    assert_eq!(
        attr("tests"),
        v["findings"].as_array().unwrap().len() as u64
    );
}

#[test]
fn fix_hints_name_values_not_parameters_or_indices() {
    let o = demo(&["--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    for r in v["rules"].as_array().unwrap() {
        let rem = r["remediation"].as_str().unwrap();
        for p in ["`max_days`", "`min_bits`", "`max_age_days`"] {
            assert!(!rem.contains(p), "{}: {rem}", r["id"]);
        }
    }
    for f in v["findings"].as_array().unwrap() {
        let m = f["message"].as_str().unwrap();
        assert!(
            !m.split('`')
                .any(|s| s.rsplit_once('.').is_some_and(|(head, last)| {
                    // A field path: lowercase identifiers, then a number.
                    last.parse::<usize>().is_ok()
                        && head.split('.').all(|seg| {
                            seg.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                                && seg.chars().all(|c| {
                                    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'
                                })
                        })
                })),
            "array index in a message: {m}"
        );
    }
}

#[test]
fn diff_between_two_builds() {
    let d = tmp("diff");
    let old = d.join("old");
    let new = d.join("new");
    copy_dir(&repo().join("fixtures/demo-vehicle"), &old);
    copy_dir(&repo().join("fixtures/demo-vehicle"), &new);
    // One setting differs: the old build refused root logins over SSH, the new one (the
    // demo as it is) allows them again.
    let sshd = "tbox/rootfs/etc/ssh/sshd_config";
    let text = std::fs::read_to_string(old.join(sshd)).unwrap();
    let changed: String = text
        .lines()
        .filter(|l| {
            !l.trim_start()
                .to_ascii_lowercase()
                .starts_with("permitrootlogin")
        })
        .chain(["PermitRootLogin no"])
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    std::fs::write(old.join(sshd), changed).unwrap();
    let scan = |b: &Path, out: &Path| {
        let o = icvsec(&[
            "scan",
            b.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    };
    let (oj, nj) = (d.join("old.json"), d.join("new.json"));
    scan(&old, &oj);
    scan(&new, &nj);
    let (o, n) = (oj.to_str().unwrap(), nj.to_str().unwrap());

    let j = icvsec(&["diff", o, n, "--format", "json", "--fail-on", "low"]);
    assert_eq!(j.status.code(), Some(1), "{}", stderr(&j));
    let v: Value = serde_json::from_slice(&j.stdout).unwrap();
    let new_ids: Vec<&str> = v["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule_id"].as_str().unwrap())
        .collect();
    assert!(!new_ids.is_empty(), "{v}");
    assert!(v["fixed"].as_array().unwrap().is_empty(), "{}", v["fixed"]);
    assert!(!v["still_failing"].as_array().unwrap().is_empty());
    assert!(
        v["areas"]
            .as_object()
            .unwrap()
            .values()
            .any(|a| a["new"].as_u64() > Some(0))
    );

    // Reversed: the same findings are fixed, nothing new; exit 0.
    let r = icvsec(&["diff", n, o, "--format", "json"]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let rv: Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(rv["fixed"].as_array().unwrap().len(), new_ids.len());
    assert!(rv["new"].as_array().unwrap().is_empty());

    // Same build twice: nothing new or fixed.
    let same = icvsec(&["diff", o, o]);
    assert_eq!(same.status.code(), Some(0));
    assert!(
        stdout(&same).contains("0 new, 0 fixed"),
        "{}",
        stdout(&same)
    );

    let md = icvsec(&["diff", o, n, "--format", "markdown", "--fail-on", "none"]);
    assert_eq!(md.status.code(), Some(0));
    let md = stdout(&md);
    assert!(md.contains("#### New failing findings"), "{md}");
    assert!(md.contains(new_ids[0]));

    // Not a report: a usage error naming the file and place.
    std::fs::write(d.join("bad.json"), "{\"x\": 1}").unwrap();
    let bad = icvsec(&["diff", d.join("bad.json").to_str().unwrap(), n]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("bad.json:1:"), "{}", stderr(&bad));

    // A report whose fingerprint is not 16 hex digits (edited by hand, or not ours) is
    // refused with its place, never compared as if it matched nothing.
    let mut forged: Value = serde_json::from_str(&std::fs::read_to_string(&nj).unwrap()).unwrap();
    forged["findings"][0]["fingerprint"] = Value::from("not-a-fingerprint");
    std::fs::write(
        d.join("forged.json"),
        serde_json::to_string_pretty(&forged).unwrap(),
    )
    .unwrap();
    let f = icvsec(&["diff", o, d.join("forged.json").to_str().unwrap()]);
    assert_eq!(f.status.code(), Some(2), "{}", stderr(&f));
    assert!(
        stderr(&f).contains("forged.json:") && stderr(&f).contains("is not a fingerprint"),
        "{}",
        stderr(&f)
    );
}

#[test]
fn markdown_summary_fits_a_merge_request_comment() {
    let report = crate::reports::hostile_report();
    let full = render_to_string(&Markdown::default(), &report);
    assert!(full.chars().count() <= icvsec_report::markdown::MAX_COMMENT_CHARS);
    for max_chars in [1500, 3000] {
        let md = Markdown {
            max_findings: 1000,
            max_chars,
        };
        let s = render_to_string(&md, &report);
        assert!(
            s.chars().count() <= max_chars,
            "{} > {max_chars}",
            s.chars().count()
        );
        assert!(
            s.contains("Shortened to fit a comment") || s.contains("Cut at"),
            "does not say what was cut:\n{s}"
        );
    }
}

fn chromium() -> Option<PathBuf> {
    let p = PathBuf::from("/usr/bin/chromium");
    p.exists().then_some(p)
}

#[test]
fn html_is_a_document_to_sign_and_prints_to_a_bounded_pdf() {
    let d = tmp("html-print");
    let page = d.join("report.html");
    let o = demo(&["--output-html", page.to_str().unwrap(), "--format", "json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    for needle in [
        "id=\"scope\"",
        "Standards assessed",
        "Not in scope",
        "id=\"signoff\"",
        "Assessor",
        "Signature",
        "id=\"evidence\"",
        "@media print",
        "id=\"sec-matrix\"",
    ] {
        assert!(html.contains(needle), "HTML lacks {needle}");
    }
    // The evidence index: cited files with their SHA-256, as in the JSON report.
    let ev = v["evidence"].as_array().expect("evidence index in JSON");
    assert!(!ev.is_empty());
    for e in ev {
        let sha = e["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64);
        assert!(html.contains(sha));
        let file = e["file"].as_str().unwrap();
        let host = repo().join("fixtures/demo-vehicle").join(file);
        if !host.is_file() {
            // A file inside a firmware image (digest taken when the image was read):
            // its path starts with the committed image.
            let image = std::path::Path::new(file)
                .ancestors()
                .map(|a| repo().join("fixtures/demo-vehicle").join(a))
                .find(|p| p.is_file());
            assert!(
                image.is_some(),
                "{file}: neither a file nor inside an image"
            );
            continue;
        }
        let bytes = std::fs::read(&host).unwrap();
        let want: String = ring::digest::digest(&ring::digest::SHA256, &bytes)
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(sha, want, "{}", e["file"]);
    }

    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED: html_is_a_document_to_sign_and_prints_to_a_bounded_pdf: /usr/bin/chromium absent (apt-get install -y chromium)"
        );
        return;
    };
    let profile = d.join("profile");
    std::fs::create_dir_all(&profile).unwrap();
    let pdf = d.join("out.pdf");
    let out = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("run chromium");
    let bytes = std::fs::read(&pdf).unwrap_or_else(|_| {
        panic!(
            "chromium wrote no PDF: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    let pages = if pages == 0 {
        // Some writers omit the space.
        text.matches("/Type/Page").count() - text.matches("/Type/Pages").count()
    } else {
        pages
    };
    eprintln!("demo HTML report prints to {pages} pages");
    assert!(pages >= 2, "suspiciously few pages: {pages}");
    // Eight ECUs, two of them also shipped as firmware images (a T-Box variant's ext4
    // root filesystem, a rear-seat unit's sparse system partition), and the GB 44496
    // process rules (ICV-UPD-007..011) with a finding per ECU each.
    assert!(pages <= 40, "the demo prints to {pages} pages (> 40)");
}

#[test]
fn html_banner_and_input_problems_agree() {
    let b = broken_build("html-banner");
    let page = b.with_extension("html");
    let o = icvsec(&[
        "scan",
        b.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--output-html",
        page.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("verdict warn"), "no incomplete banner");
    let inputs = &html[html.find("<h2 id=\"inputs\">").unwrap()..];
    let inputs = &inputs[..inputs.find("</section>").unwrap()];
    assert!(!inputs.contains("<p>None.</p>"), "{inputs}");
    assert!(inputs.contains("vehicle.json"), "{inputs}");
}
