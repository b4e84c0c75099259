//! The requirement catalog end to end: every requirement in every report format, the
//! markets table, the rule layout and the generated requirement reference.

use crate::common::{AS_OF, full_catalog, icvsec, repo};
use serde_json::Value;

const DEMO: &str = "fixtures/demo-vehicle";

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn the_json_report_of_the_demo_lists_every_catalog_requirement_in_order() {
    let cat = full_catalog();
    let out = icvsec(&["scan", DEMO, "--as-of", AS_OF, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let ids: Vec<&str> = r["requirements"]
        .as_array()
        .expect("requirements section")
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = cat
        .requirements
        .requirements
        .iter()
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(ids, want, "every requirement, in catalog order");
    assert_eq!(ids[0], "GB44495-5-csms", "GB 44495 first");
    // Every status value is one of the documented ones; uncovered requirements are listed.
    let statuses: Vec<&str> = r["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect();
    for s in &statuses {
        assert!(
            [
                "met",
                "not_met",
                "could_not_assess",
                "manual_evidence_required",
                "waived",
                "not_applicable",
                "not_covered"
            ]
            .contains(s),
            "{s}"
        );
    }
    assert!(statuses.contains(&"not_covered"));
    assert!(statuses.contains(&"manual_evidence_required"));
    let row = |id: &str| {
        r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id)
            .unwrap()
            .clone()
    };
    // The manual CSMS requirement carries the evidence an inspector expects.
    let csms = row("GB44495-5-csms");
    assert_eq!(csms["status"], "manual_evidence_required");
    assert_eq!(csms["reason"], csms["evidence"]);
    // Back-end mitigations are not applicable, with why.
    assert_eq!(row("R155-A5-M1")["status"], "not_applicable");
    assert!(
        row("R155-A5-M1")["reason"]
            .as_str()
            .unwrap()
            .contains("back-end")
    );
    // No rule yet: not covered (and every row without a citing rule says so).
    assert_eq!(row("GB44495-6-forensics")["status"], "not_covered");
    // A GB 44496 item judged from the ECU declarations is met or not, never uncovered.
    assert_ne!(row("GB44496-power")["status"], "not_covered");
    for x in r["requirements"].as_array().unwrap() {
        if x["rules"].as_array().is_some_and(|a| a.is_empty())
            && x["reason"].as_str().is_none_or(|w| !w.contains("back-end"))
        {
            assert_eq!(x["status"], "not_covered", "{}", x["id"]);
        }
    }
    // Software bugs (28.1): the demo T-Box ships an overdue known vulnerability.
    assert_eq!(row("R155-A5-28.1")["status"], "not_met");
    // Coverage per standard, GB 44495 first, figures consistent with the rows.
    let cov = r["coverage"].as_array().expect("coverage");
    assert_eq!(cov[0]["standard"], "GB 44495-2024");
    for c in cov {
        let std_ = c["standard"].as_str().unwrap();
        let rows: Vec<&Value> = r["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["standard"] == std_)
            .collect();
        assert_eq!(c["total"].as_u64().unwrap() as usize, rows.len(), "{std_}");
        let automated = rows.iter().filter(|x| x["automated"] == true).count();
        assert_eq!(
            c["automated"].as_u64().unwrap() as usize,
            automated,
            "{std_}"
        );
        assert_eq!(
            c["percent"].as_u64().unwrap() as usize,
            automated * 100 / rows.len(),
            "{std_}"
        );
    }
}

#[test]
fn text_html_and_sarif_show_the_coverage() {
    let text = icvsec(&["scan", DEMO, "--as-of", AS_OF]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let cat = full_catalog();
    assert!(text.contains("== Requirements =="));
    for s in &cat.requirements.standards {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(&s.short) && l.contains("automated")),
            "no coverage line for {}",
            s.short
        );
    }
    let html = icvsec(&["scan", DEMO, "--as-of", AS_OF, "--format", "html"]);
    let html = String::from_utf8_lossy(&html.stdout).into_owned();
    let matrix = &html[html.find("id=\"matrix\"").expect("matrix")..];
    // Every requirement has its row; GB 44495 comes first and 7.1 precedes 7.4.
    for r in &cat.requirements.requirements {
        assert!(
            matrix.contains(&format!("<code class=\"muted\">{}</code>", r.id)),
            "{}",
            r.id
        );
    }
    let pos = |s: &str| matrix.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(pos("GB44495-5-csms") < pos("GB44495-7.1-remote-integrity"));
    assert!(pos("GB44495-7.1-remote-integrity") < pos("GB44495-7.4-key-protection"));
    assert!(pos("GB44495-8-ota-verify") < pos("R155-A5-4.1"));
    assert!(pos("R155-A5-6.2") < pos("R155-A5-11.1") && pos("R155-A5-M6") < pos("R155-A5-M10"));
    assert!(matrix.contains("badge s-not_covered"));
    let sarif = json(&icvsec(&[
        "scan", DEMO, "--as-of", AS_OF, "--format", "sarif",
    ]));
    let props = &sarif["runs"][0]["properties"];
    assert_eq!(props["coverage"][0]["standard"], "GB 44495-2024");
    let total: u64 = props["requirementStatuses"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, cat.requirements.requirements.len());
}

#[test]
fn markets_map_to_standards_in_data() {
    // CN keeps the data rule whose requirements come from the automobile data provisions
    // and the 2021 draft (no GB prefix in their names).
    for args in [vec!["--markets", "CN"], vec!["--markets", "cn,eu"]] {
        let mut a = vec!["scan", DEMO, "--as-of", AS_OF, "--format", "json"];
        a.extend(args.iter().copied());
        let r = json(&icvsec(&a));
        let rules: Vec<&str> = r["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_str().unwrap())
            .collect();
        assert!(rules.contains(&"ICV-DATA-006"), "{args:?}");
        assert!(rules.contains(&"ICV-CRT-004"), "GM/T 0006 is CN: {args:?}");
    }
    // EU: only rules citing UN R155; the CSMS requirement of GB 44495 then has no evaluated
    // rule and says why.
    let r = json(&icvsec(&[
        "scan",
        DEMO,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--markets",
        "EU",
    ]));
    let rules: Vec<&str> = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert!(!rules.contains(&"ICV-DATA-009") && rules.contains(&"ICV-DBG-001"));
    let csms = r["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "GB44495-5-csms")
        .unwrap();
    assert_eq!(csms["status"], "not_applicable");
    assert!(csms["reason"].as_str().unwrap().contains("ICV-MAN-001"));
    let bad = icvsec(&["scan", DEMO, "--as-of", AS_OF, "--markets", "JP"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("CN, EU, UNECE"));
}

#[test]
fn a_user_rule_with_a_bad_role_or_requirement_is_a_load_error_with_line_and_column() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("req-user-rules");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("terminal")).unwrap();
    std::fs::write(
        dir.join("terminal/oem.toml"),
        "[[rule]]\nid = \"OEM-1\"\ntitle = \"t\"\narea = \"terminal\"\nsubarea = \"vehicle\"\nseverity = \"low\"\napplies_to = { asset = \"ecu\", roles = [\"tbx\"] }\ncondition = { path = \"x\", equals = true }\nrequirements = [\"GB44495-7.3-package-verify\"]\nrationale = \"r\"\nremediation = \"m\"\n",
    )
    .unwrap();
    let d = dir.display().to_string();
    let out = icvsec(&["rules", "list", "--rules", &d]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("terminal/oem.toml:7:")
            && err.contains("unknown role `tbx` (did you mean `tbox`?)"),
        "{err}"
    );
    std::fs::write(
        dir.join("terminal/oem.toml"),
        "[[rule]]\nid = \"OEM-1\"\ntitle = \"t\"\narea = \"terminal\"\nsubarea = \"vehicle\"\nseverity = \"low\"\napplies_to = { asset = \"ecu\", roles = [\"tbox\"] }\ncondition = { path = \"x\", equals = true }\nrequirements = [\"GB44495-7.3-no-such\"]\nrationale = \"r\"\nremediation = \"m\"\n",
    )
    .unwrap();
    let out = icvsec(&["rules", "list", "--rules", &d]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "terminal/oem.toml:9:17: rule OEM-1: unknown requirement `GB44495-7.3-no-such`"
        ),
        "{err}"
    );
}

#[test]
fn rules_sit_in_the_folder_of_their_area_and_the_file_of_their_subarea() {
    for r in full_catalog().rules {
        let want = format!("rules/{}/{}.toml", r.area.slug(), r.subarea);
        assert_eq!(r.source, want, "{}", r.id);
    }
}

#[test]
fn requirements_list_and_explain() {
    let out = icvsec(&["requirements", "list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(
        v.as_array().unwrap().len(),
        full_catalog().requirements.requirements.len()
    );
    let out = icvsec(&["requirements", "list", "--standard", "UN R155"]);
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(t.contains("R155-A5-M23") && !t.contains("GB44495-5-csms"));
    let out = icvsec(&["requirements", "explain", "R155-A5-28.2"]);
    assert_eq!(out.status.code(), Some(0));
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.contains("ICV-DBG-001") && t.contains("clause:      28.2"),
        "{t}"
    );
    assert_eq!(
        icvsec(&["requirements", "explain", "R155-A5-M17"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        icvsec(&["requirements", "list", "--standard", "ISO 9001"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn requirement_reference_is_up_to_date() {
    let out = icvsec(&["requirements", "doc"]);
    assert_eq!(out.status.code(), Some(0));
    let doc = String::from_utf8(out.stdout).unwrap();
    let path = repo().join("docs/requirements.md");
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
            "docs/requirements.md is stale (first difference at line {}: {:?} vs {:?}); regenerate: ICVSEC_UPDATE=1 cargo test --test integration requirements::requirement_reference",
            first + 1,
            current.lines().nth(first),
            doc.lines().nth(first)
        );
    }
    for r in &full_catalog().requirements.requirements {
        assert!(doc.contains(&format!("| `{}` |", r.id)), "{}", r.id);
    }
}
