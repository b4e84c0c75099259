//! Command-line behaviour of issue 7: several outputs in one run (same exit code),
//! waivers, baselines, icvsec.toml, init, completions, man page, the rule reference.

use crate::common::{AS_OF, icvsec, repo};
use crate::reports::{tmp, xml_well_formed};
use serde_json::Value;
use std::path::Path;

const DEMO: &str = "fixtures/demo-vehicle";

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn scan(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["scan", DEMO, "--as-of", AS_OF];
    args.extend_from_slice(extra);
    icvsec(&args)
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn findings<'a>(r: &'a Value, outcome: &str) -> Vec<&'a Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == outcome)
        .collect()
}

/// A rule of the demo whose failing findings all have a file, and one that passes.
fn failing_rule(r: &Value) -> (String, Vec<Value>) {
    let fails = findings(r, "fail");
    let f = fails
        .iter()
        .find(|f| f["severity"] == "high" && f["location"]["file"].is_string())
        .expect("a high failing finding with a file");
    let rule = f["rule_id"].as_str().unwrap().to_string();
    let all = fails
        .iter()
        .filter(|x| x["rule_id"] == rule.as_str())
        .map(|x| (*x).clone())
        .collect();
    (rule, all)
}

#[test]
fn several_outputs_in_one_run_and_the_same_gate() {
    let dir = tmp("outputs");
    let plain = scan(&["--format", "json", "--full-evidence"]);
    let code = plain.status.code();
    assert_eq!(code, Some(1), "{}", stderr(&plain));
    // Only the one-line verdict: no progress or noise when stderr is not a terminal.
    let err = stderr(&plain);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("icvsec: ") && err.contains("failing at or above high"),
        "{err}"
    );
    let p = |n: &str| dir.join(n).display().to_string();
    let out = scan(&[
        "--format",
        "markdown",
        "--output-sarif",
        &p("a.sarif"),
        "--output-sarif",
        &p("b.sarif"),
        "--output-junit",
        &p("junit.xml"),
        "--output-html",
        &p("report.html"),
        "--output-json",
        &p("report.json"),
        "--full-evidence",
        "--output-markdown",
        &p("summary.md"),
        "--output-text",
        &p("report.txt"),
    ]);
    assert_eq!(
        out.status.code(),
        code,
        "outputs changed the exit code: {}",
        stderr(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("### icvsec compliance report"));
    let read =
        |n: &str| std::fs::read_to_string(dir.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    assert_eq!(
        read("report.json"),
        String::from_utf8_lossy(&plain.stdout),
        "JSON file = JSON stdout"
    );
    let sarif: Value = serde_json::from_str(&read("a.sarif")).unwrap();
    assert_eq!(read("a.sarif"), read("b.sarif"));
    assert_eq!(sarif["version"], "2.1.0");
    let base = sarif["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with("fixtures/demo-vehicle/"),
        "{base}"
    );
    // With a prefix, URIs are relative to the repository and %SRCROOT% is the repository.
    let pout = scan(&[
        "--format",
        "sarif",
        "--sarif-uri-prefix",
        "fixtures/demo-vehicle",
    ]);
    let prefixed: Value = serde_json::from_slice(&pout.stdout).unwrap();
    let run = &prefixed["runs"][0];
    let uri = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("fixtures/demo-vehicle/"), "{uri}");
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && !root.contains("demo-vehicle"),
        "{root}"
    );
    assert!(
        repo().join(uri).is_file(),
        "{uri} resolves against the repository"
    );
    xml_well_formed(&read("junit.xml")).unwrap();
    assert!(read("report.html").starts_with("<!DOCTYPE html>"));
    assert_eq!(read("summary.md"), String::from_utf8_lossy(&out.stdout));
    assert!(!read("report.txt").contains('\u{1b}'), "no colour in files");
    // Same with --output for the main format; a clean selection exits 0 whatever the outputs.
    let r = json_of(&plain);
    let passing = findings(&r, "pass")[0]["rule_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (cs, ch, ms) = (p("c.sarif"), p("c.html"), p("main.sarif"));
    for extra in [
        vec![],
        vec!["--output-sarif", cs.as_str(), "--output-html", ch.as_str()],
    ] {
        let mut args = vec![
            "--select",
            passing.as_str(),
            "--format",
            "sarif",
            "-o",
            ms.as_str(),
        ];
        args.extend(extra);
        let out = scan(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }
    // An unwritable output is a usage error.
    let out = scan(&["--output-sarif", "/nonexistent-dir/x.sarif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent-dir/x.sarif"));
}

#[test]
fn waivers_apply_expire_and_report_unused() {
    let dir = tmp("waivers");
    let r = json_of(&scan(&["--format", "json"]));
    let (rule, fails) = failing_rule(&r);
    // A second failing rule for the expired waiver.
    let other = findings(&r, "fail")
        .into_iter()
        .find(|f| f["rule_id"] != rule.as_str() && f["location"]["file"].is_string())
        .unwrap();
    let other_rule = other["rule_id"].as_str().unwrap();
    let waivers = dir.join("icvsec-waivers.toml");
    std::fs::write(
        &waivers,
        format!(
            r#"# accepted risks
[[waiver]]
rule = "{rule}"
paths = ["**"]
justification = "Compensating control: gateway firewall (risk R-12)"
owner = "sec-team"
expires = 2026-12-31

[[waiver]]
rule = "{other_rule}"
assets = ["{kind}:{asset}"]
justification = "Old acceptance"
owner = "tbox-team"
expires = "2026-01-31"

[[waiver]]
rule = "ICV-NOPE-*"
paths = ["nothing/**"]
justification = "Matches nothing"
expires = 2027-01-01
"#,
            kind = other["asset"]["kind"].as_str().unwrap(),
            asset = other["asset"]["id"].as_str().unwrap()
        ),
    )
    .unwrap();
    let w = waivers.display().to_string();
    let out = scan(&["--format", "json", "--waivers", &w]);
    let wr = json_of(&out);
    // Every failing finding of the waived rule is now waived, with the waiver attached.
    let waived = findings(&wr, "waived");
    assert_eq!(
        waived
            .iter()
            .filter(|f| f["rule_id"] == rule.as_str())
            .count(),
        fails.len()
    );
    assert_eq!(waived[0]["waiver"]["owner"], "sec-team");
    assert_eq!(waived[0]["waiver"]["expires"], "2026-12-31");
    assert!(
        !findings(&wr, "fail")
            .iter()
            .any(|f| f["rule_id"] == rule.as_str())
    );
    // The expired waiver does not apply.
    assert!(
        findings(&wr, "fail")
            .iter()
            .any(|f| f["fingerprint"] == other["fingerprint"])
    );
    let statuses: Vec<(&str, &str, u64)> = wr["waivers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["rule"].as_str().unwrap(),
                s["status"].as_str().unwrap(),
                s["matched"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(statuses[0], (rule.as_str(), "active", fails.len() as u64));
    assert_eq!((statuses[1].0, statuses[1].1), (other_rule, "expired"));
    assert!(
        statuses[1].2 >= 1,
        "an expired waiver still says what it would match"
    );
    assert_eq!(statuses[2], ("ICV-NOPE-*", "unused", 0));
    assert_eq!(
        wr["summary"]["totals"]["waived"].as_u64().unwrap(),
        fails.len() as u64
    );
    assert_eq!(
        wr["summary"]["totals"]["fail"].as_u64().unwrap() + fails.len() as u64,
        r["summary"]["totals"]["fail"].as_u64().unwrap()
    );
    // Waived findings do not count towards the gate.
    let out = scan(&["--select", &rule, "--waivers", &w]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = scan(&["--select", &rule]);
    assert_eq!(out.status.code(), Some(1));
    // --no-waivers shows everything.
    let all = json_of(&scan(&[
        "--format",
        "json",
        "--waivers",
        &w,
        "--no-waivers",
    ]));
    assert!(findings(&all, "waived").is_empty());
    assert_eq!(all["waivers"], Value::Null);
    // The text report lists them.
    let text = String::from_utf8_lossy(&scan(&["--waivers", &w]).stdout).into_owned();
    assert!(text.contains("== Waivers ==") && text.contains("expired") && text.contains("unused"));
}

#[test]
fn a_malformed_waivers_file_is_a_usage_error_naming_file_line_and_key() {
    let dir = tmp("waivers-bad");
    let cases = [
        (
            "[[waiver]]\nrule = \"ICV-X\"\npaths = [\"**\"]\njustification = \"\"\nexpires = 2026-12-31\n",
            ":4:",
            "justification",
        ),
        (
            "[[waiver]]\nrule = \"ICV-X\"\npaths = [\"**\"]\njustification = \"j\"\nexpires = \"next year\"\n",
            ":5:",
            "expires",
        ),
        (
            "[[waiver]]\nrule = \"ICV-X\"\npaths = [\"**\"]\njustification = \"j\"\nexpires = 2026-12-31\nscope = \"all\"\n",
            ":6:",
            "scope",
        ),
        (
            "[[waiver]]\nrule = \"ICV-X\"\npaths = [\"**\"]\nexpires = 2026-12-31\n",
            ":1:",
            "justification",
        ),
        ("[[waiver]\nrule = 1\n", ":1:", ""),
    ];
    for (i, (text, place, key)) in cases.iter().enumerate() {
        let f = dir.join(format!("w{i}.toml"));
        std::fs::write(&f, text).unwrap();
        let out = scan(&["--waivers", &f.display().to_string()]);
        assert_eq!(out.status.code(), Some(2), "case {i}");
        let e = stderr(&out);
        assert!(e.contains(&format!("w{i}.toml{place}")), "case {i}: {e}");
        assert!(
            key.is_empty() || e.contains(&format!("`{key}`")),
            "case {i}: {e}"
        );
        assert!(out.stdout.is_empty(), "nothing scanned on a usage error");
    }
    let out = scan(&["--waivers", "/nonexistent/w.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_baseline_keeps_only_new_failures_in_the_gate() {
    let dir = tmp("baseline");
    let r = json_of(&scan(&["--format", "json"]));
    let (rule, fails) = failing_rule(&r);
    let (rule_b, _) = {
        let other = findings(&r, "fail")
            .into_iter()
            .find(|f| {
                f["rule_id"] != rule.as_str()
                    && matches!(f["severity"].as_str(), Some("high" | "critical"))
            })
            .unwrap();
        (other["rule_id"].as_str().unwrap().to_string(), ())
    };
    let b = dir.join("baseline.json");
    let bs = b.display().to_string();
    let out = scan(&["--select", &rule, "--write-baseline", &bs]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "writing a baseline does not change the gate"
    );
    let base: Value = serde_json::from_str(&std::fs::read_to_string(&b).unwrap()).unwrap();
    let entries = base["findings"].as_array().unwrap();
    assert_eq!(entries.len(), fails.len());
    let fps: Vec<&str> = entries
        .iter()
        .map(|e| e["fingerprint"].as_str().unwrap())
        .collect();
    let mut sorted = fps.clone();
    sorted.sort();
    assert_eq!(fps, sorted, "sorted");
    assert!(
        entries
            .iter()
            .all(|e| e["rule"] == rule.as_str() && e["asset"].is_string())
    );
    // Known failures are out of the gate and counted.
    let out = scan(&["--select", &rule, "--baseline", &bs, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let br = json_of(&out);
    assert_eq!(br["baselined"].as_u64(), Some(fails.len() as u64));
    assert!(findings(&br, "fail").is_empty());
    // New failures of another rule still fail the gate.
    let sel = format!("{rule},{rule_b}");
    let out = scan(&["--select", &sel, "--baseline", &bs, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let nr = json_of(&out);
    assert!(
        findings(&nr, "fail")
            .iter()
            .all(|f| f["rule_id"] == rule_b.as_str())
    );
    // A corrupt baseline is a usage error naming the place.
    std::fs::write(
        &b,
        "{\"version\": 1, \"tool\": \"x\", \"findings\": [\n  {\"fingerprint\": 3}]}",
    )
    .unwrap();
    let out = scan(&["--baseline", &bs]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("baseline.json:2:"),
        "{}",
        stderr(&out)
    );
}

fn with_config(dir: &Path, text: &str, extra: &[&str]) -> std::process::Output {
    let f = dir.join("icvsec.toml");
    std::fs::write(&f, text).unwrap();
    let fs = f.display().to_string();
    let mut args = vec!["--config", fs.as_str()];
    args.extend_from_slice(extra);
    scan(&args)
}

#[test]
fn configuration_file_precedence_profiles_params_and_errors() {
    let dir = tmp("config");
    let r = json_of(&scan(&["--format", "json"]));
    // fail_on from the file; the command line wins over it.
    let (rule, _) = failing_rule(&r);
    let sel = format!("select = [\"{rule}\"]\n");
    assert_eq!(
        with_config(&dir, &format!("{sel}fail_on = \"critical\"\n"), &[])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        with_config(
            &dir,
            &format!("{sel}fail_on = \"critical\"\n"),
            &["--fail-on", "high"]
        )
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        with_config(&dir, &format!("{sel}fail_on = \"high\"\n"), &[])
            .status
            .code(),
        Some(1)
    );
    // select from the file; --select on the command line replaces it.
    let one = json_of(&with_config(&dir, &sel, &["--format", "json"]));
    assert_eq!(one["rules"].as_array().unwrap().len(), 1);
    // Market profiles.
    let eu = json_of(&with_config(
        &dir,
        "markets = [\"EU\"]\n",
        &["--format", "json"],
    ));
    let cn = json_of(&with_config(
        &dir,
        "markets = [\"CN\"]\n",
        &["--format", "json"],
    ));
    let cli_cn = json_of(&scan(&["--markets", "cn", "--format", "json"]));
    assert_eq!(cn["rules"], cli_cn["rules"]);
    let refs = |rule: &Value| -> Vec<String> {
        rule["references"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["standard"].as_str().unwrap().to_string())
            .collect()
    };
    for rl in eu["rules"].as_array().unwrap() {
        assert!(
            refs(rl)
                .iter()
                .any(|s| s.starts_with("UN R155") || s.starts_with("UN R156")),
            "{} out of the EU profile",
            rl["id"]
        );
    }
    // CN covers the standards rules/requirements/markets.toml lists for it (data, not prefixes).
    let cn_standards: Vec<String> =
        crate::common::full_catalog().requirements.markets[&icvsec_model::Market::Cn].clone();
    let in_cn = |s: &String| cn_standards.contains(s);
    for rl in cn["rules"].as_array().unwrap() {
        assert!(
            refs(rl).iter().any(in_cn),
            "{} out of the CN profile",
            rl["id"]
        );
    }
    let all_rules = r["rules"].as_array().unwrap().len();
    assert!(eu["rules"].as_array().unwrap().len() <= all_rules);
    let outside_cn = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|rl| !refs(rl).iter().any(in_cn))
        .count();
    assert_eq!(
        cn["rules"].as_array().unwrap().len(),
        all_rules - outside_cn
    );
    // Parameter overrides go through the check's parameter type.
    let base = json_of(&scan(&["--select", "ICV-CRT-001", "--format", "json"]));
    let strict = json_of(&with_config(
        &dir,
        "select = [\"ICV-CRT-001\"]\n[params.ICV-CRT-001]\nmin_bits = 16384\nmin_bits_after_cutoff = 16384\n",
        &["--format", "json"],
    ));
    let n = |v: &Value, o: &str| findings(v, o).len();
    assert!(
        n(&strict, "fail") > n(&base, "fail"),
        "a stricter minimum fails more certificates"
    );
    assert_ne!(
        strict["scan"]["rules_digest"], base["scan"]["rules_digest"],
        "overrides change the rules digest"
    );
    // Errors name the file, line:col and the key; unknown keys are errors.
    let cases = [
        (
            "[params.ICV-CRT-001]\nmin_bitz = 3072\n",
            ":2:1",
            "params.ICV-CRT-001.min_bitz",
        ),
        (
            "[params.ICV-CRT-001]\nmin_bits = \"big\"\n",
            ":2:1",
            "params.ICV-CRT-001.min_bits",
        ),
        (
            "\n[params.ICV-NOPE-001]\nx = 1\n",
            ":2:",
            "params.ICV-NOPE-001",
        ),
        ("fail_on = \"high\"\nfial_on = \"low\"\n", ":2:1", "fial_on"),
        ("fail_on = \"severe\"\n", ":1:11", "fail_on"),
        ("markets = [\"US\"]\n", ":1:12", "markets"),
        ("select = \"basic\"\n", ":1:", "select"),
    ];
    for (text, place, key) in cases {
        let out = with_config(&dir, text, &[]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let e = stderr(&out);
        assert!(
            e.contains(&format!("icvsec.toml{place}")) && e.contains(&format!("`{key}`")),
            "{text}: {e}"
        );
    }
    // icvsec.toml at the build root is found without --config (and --no-config ignores it).
    let build = tmp("config-root");
    std::fs::write(build.join("icvsec.toml"), "fail_on = \"severe\"\n").unwrap();
    let b = build.display().to_string();
    assert_eq!(
        icvsec(&["scan", &b, "--as-of", AS_OF]).status.code(),
        Some(2)
    );
    assert_ne!(
        icvsec(&["scan", &b, "--as-of", AS_OF, "--no-config"])
            .status
            .code(),
        Some(2)
    );
    // The waivers path in the file is relative to it.
    std::fs::write(
        build.join("w.toml"),
        "[[waiver]]\nrule = \"X\"\npaths = [\"**\"]\njustification = \"\"\nexpires = 2026-01-01\n",
    )
    .unwrap();
    std::fs::write(build.join("icvsec.toml"), "waivers = \"w.toml\"\n").unwrap();
    let out = icvsec(&["scan", &b, "--as-of", AS_OF]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("w.toml:4:"), "{}", stderr(&out));
    assert_ne!(
        icvsec(&["scan", &b, "--as-of", AS_OF, "--no-waivers"])
            .status
            .code(),
        Some(2)
    );
}

fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if skip.contains(&name.as_str()) {
            continue;
        }
        let ty = entry.file_type().unwrap();
        let dest = to.join(&name);
        if ty.is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy_tree(&entry.path(), &dest, &[]);
        } else if ty.is_file() {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[test]
fn init_scaffolds_a_build_that_loads_and_never_overwrites() {
    let dir = tmp("init");
    copy_tree(&repo().join(DEMO), &dir, &["vehicle.json", "ecus", "data"]);
    let d = dir.display().to_string();
    let out = icvsec(&["init", &d]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("vehicle.json")).unwrap()).unwrap();
    let ecus = v["ecus"].as_array().unwrap();
    let find = |id: &str| {
        ecus.iter()
            .find(|e| e["id"] == id)
            .unwrap_or_else(|| panic!("no ECU {id}: {ecus:?}"))
    };
    assert_eq!(find("tbox")["role"], "tbox");
    assert_eq!(find("tbox")["rootfs"], "tbox/rootfs");
    assert_eq!(find("ivi")["rootfs"], "ivi/rootfs");
    assert_eq!(find("ivi")["role"], "ivi");
    let ecu: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ecus/ivi.json")).unwrap()).unwrap();
    assert_eq!(ecu["os"], "android");
    let anchors = v["trust_anchors"].as_array().unwrap();
    let certs: Vec<&str> = anchors
        .iter()
        .map(|a| a["certificate"].as_str().unwrap())
        .collect();
    assert!(
        certs.contains(&"pki/oem-root-ca.pem") && certs.contains(&"pki/test-root-ca.pem"),
        "{certs:?}"
    );
    assert!(
        !certs.contains(&"pki/oem-sub-ca.pem"),
        "an intermediate CA is not an anchor"
    );
    assert!(
        anchors
            .iter()
            .any(|a| a["certificate"] == "pki/test-root-ca.pem" && a["test_only"] == true)
    );
    // Refuses to overwrite; --force does.
    let before = std::fs::read_to_string(dir.join("vehicle.json")).unwrap();
    std::fs::write(dir.join("vehicle.json"), "{ \"edited\": true }").unwrap();
    let out = icvsec(&["init", &d]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("vehicle.json"));
    assert_eq!(
        std::fs::read_to_string(dir.join("vehicle.json")).unwrap(),
        "{ \"edited\": true }"
    );
    assert_eq!(icvsec(&["init", &d, "--force"]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.join("vehicle.json")).unwrap(),
        before
    );
    // The result loads without input errors.
    let out = icvsec(&["scan", &d, "--as-of", AS_OF, "--format", "json"]);
    let r = json_of(&out);
    let errors: Vec<&Value> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["level"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(r["scan"]["vehicle"]["ecus"], ecus.len());
    assert!(
        !findings(&r, "error")
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("could not assess"))
    );
    // A build that is itself one root filesystem also loads cleanly.
    let single = tmp("init-single");
    copy_tree(&repo().join(DEMO).join("tbox/rootfs"), &single, &[]);
    let s = single.display().to_string();
    assert_eq!(icvsec(&["init", &s]).status.code(), Some(0));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(single.join("vehicle.json")).unwrap())
            .unwrap();
    assert_eq!(v["ecus"][0]["role"], "other");
    assert!(v["ecus"][0].get("rootfs").is_none());
    let r = json_of(&icvsec(&["scan", &s, "--as-of", AS_OF, "--format", "json"]));
    assert_eq!(r["complete"], true, "{}", r["diagnostics"]);
    assert!(
        findings(&r, "fail")
            .iter()
            .any(|f| f["asset"]["kind"] == "sshd_config")
    );
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    for shell in ["bash", "zsh", "fish"] {
        let out = icvsec(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(
            s.contains("icvsec") && s.contains("output-sarif") && s.contains("write-baseline"),
            "{shell}"
        );
    }
    assert_eq!(icvsec(&["completions", "tcsh"]).status.code(), Some(2));
    let out = icvsec(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.starts_with(".ie") || s.contains(".TH icvsec"),
        "{}",
        &s[..s.len().min(200)]
    );
    assert!(s.contains("scan") && s.contains("completions"));
    let out = icvsec(&["man", "scan"]);
    assert_eq!(out.status.code(), Some(0));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains(".TH icvsec-scan") && s.contains("output\\-sarif"),
        "{}",
        &s[..s.len().min(300)]
    );
    assert_eq!(icvsec(&["man", "nope"]).status.code(), Some(2));
    let dir = tmp("man");
    let d = dir.display().to_string();
    assert_eq!(icvsec(&["man", "--out-dir", &d]).status.code(), Some(0));
    for page in [
        "icvsec.1",
        "icvsec-scan.1",
        "icvsec-init.1",
        "icvsec-rules-list.1",
    ] {
        assert!(dir.join(page).is_file(), "{page}");
    }
}

#[test]
fn rule_reference_is_up_to_date() {
    let out = icvsec(&["rules", "doc"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = String::from_utf8(out.stdout).unwrap();
    let path = repo().join("docs/rules.md");
    if std::env::var_os("ICVSEC_UPDATE").is_some() {
        std::fs::write(&path, &doc).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != doc {
        let first = current
            .lines()
            .zip(doc.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(current.lines().count().min(doc.lines().count()));
        panic!(
            "docs/rules.md is stale (first difference at line {}: {:?} vs {:?}); regenerate: ICVSEC_UPDATE=1 cargo test --test integration reports_cli::rule_reference",
            first + 1,
            current.lines().nth(first),
            doc.lines().nth(first)
        );
    }
    // Every rule has its anchor.
    let list = icvsec(&["rules", "list", "--format", "json"]);
    let rows: Value = serde_json::from_slice(&list.stdout).unwrap();
    for row in rows.as_array().unwrap() {
        let id = row["rule"].as_str().unwrap();
        assert!(
            doc.contains(&format!("<a id=\"{}\"></a>", id.to_ascii_lowercase())),
            "{id}"
        );
    }
}

/// The default JSON groups passes and not-applicable outcomes per rule with their assets;
/// every outcome is still counted: listed findings plus grouped counts are the totals.
#[test]
fn default_json_groups_passes_and_keeps_every_outcome_countable() {
    let grouped = json_of(&scan(&["--format", "json"]));
    let full = json_of(&scan(&["--format", "json", "--full-evidence"]));
    let totals = &grouped["summary"]["totals"];
    let total: u64 = totals
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    let listed = grouped["findings"].as_array().unwrap();
    let groups = grouped["outcome_groups"].as_array().unwrap();
    let counted: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(listed.len() as u64 + counted, total);
    assert_eq!(full["findings"].as_array().unwrap().len() as u64, total);
    assert!(full.get("outcome_groups").is_none());
    assert!(
        listed
            .iter()
            .all(|f| f["outcome"] != "pass" && f["outcome"] != "not_applicable")
    );
    // Every pass of the full report is attributable from the groups: rule and asset.
    for f in full["findings"].as_array().unwrap() {
        if f["outcome"] != "pass" {
            continue;
        }
        assert!(
            groups.iter().any(|g| g["rule_id"] == f["rule_id"]
                && g["outcome"] == "pass"
                && g["asset_kind"] == f["asset"]["kind"]
                && g["assets"].as_array().unwrap().contains(&f["asset"]["id"])),
            "{f}"
        );
    }
    assert_eq!(grouped["summary"], full["summary"]);
}
