//! Known vulnerabilities end to end: the inventory read through the build opener, feeds
//! from --vuln-db / icvsec.toml, VEX, the error outcome without a feed, `icvsec sbom`.

use crate::common::{AS_OF, fixtures, icvsec, load_options, repo};
use icvsec_inputs::{FeedState, load_build};
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn outcomes(report: &Value, rule: &str) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .map(|f| {
            (
                f["outcome"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn demo_inventory_vex_and_feed_are_loaded_per_ecu() {
    let root = fixtures().join("demo-vehicle");
    let inv = load_build(&root, &load_options(&root));
    let tbox = inv.software.ecus.get("tbox").expect("tbox inventory");
    let names: Vec<&str> = tbox.components().map(|c| c.name.as_str()).collect();
    for want in ["libssl1.1", "openssh-server", "libcurl4", "Kernel"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    assert_eq!(
        inv.software.releases.get("tbox").map(String::as_str),
        Some("11")
    );
    let ivi = inv.software.android.get("ivi").expect("ivi android props");
    assert_eq!(
        ivi.security_patch.as_ref().map(|p| p.value.as_str()),
        Some("2025-12-05")
    );
    assert_eq!(inv.software.vex.len(), 1);
    assert!(inv.software.vex[0].problems.is_empty());
    match &inv.software.feed {
        FeedState::Loaded(f) => assert_eq!(f.len(), 3),
        other => panic!("feed not loaded: {other:?}"),
    }
    // ECUs without a root filesystem have no inventory.
    assert!(!inv.software.ecus.contains_key("bms"));
}

#[test]
fn without_a_feed_the_vulnerability_rule_is_an_error_never_a_pass() {
    let out = icvsec(&[
        "scan",
        "fixtures/rules/ICV-VUL-001/fail",
        "--as-of",
        AS_OF,
        "--select",
        "ICV-VUL-001",
        "--format",
        "json",
        "--full-evidence",
    ]);
    assert_eq!(out.status.code(), Some(3), "incomplete assessment");
    let r = json(&out);
    let got = outcomes(&r, "ICV-VUL-001");
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, "error");
    assert!(
        got[0]
            .1
            .contains("no vulnerability feed given; pass --vuln-db")
    );
}

#[test]
fn vuln_db_flag_gives_the_feed_and_the_failure_names_its_place() {
    let out = icvsec(&[
        "scan",
        "fixtures/rules/ICV-VUL-001/fail",
        "--as-of",
        AS_OF,
        "--select",
        "ICV-VUL-001",
        "--vuln-db",
        "fixtures/rules/ICV-VUL-001/fail/vuln-feed/DEBIAN-CVE-2022-0778.json",
        "--format",
        "json",
        "--full-evidence",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let got = outcomes(&r, "ICV-VUL-001");
    assert_eq!(got.len(), 1, "{got:?}");
    let (outcome, msg) = &got[0];
    assert_eq!(outcome, "fail");
    for part in [
        "ECU `e1`",
        "libssl1.1 1.1.1k-1+deb11u1",
        "DEBIAN-CVE-2022-0778",
        "published 2022-03-15",
        "fixed in 1.1.1n-0+deb11u1",
        "e1/rootfs/var/lib/dpkg/status",
    ] {
        assert!(msg.contains(part), "`{part}` not in {msg}");
    }
    // A missing feed path is a usage error.
    let out = icvsec(&[
        "scan",
        "fixtures/rules/ICV-VUL-001/fail",
        "--vuln-db",
        "no/such/feed",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn demo_shows_overdue_handled_and_due_soon() {
    let out = icvsec(&[
        "scan",
        "fixtures/demo-vehicle",
        "--as-of",
        AS_OF,
        "--select",
        "ICV-VUL-*",
        "--format",
        "json",
        "--full-evidence",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    let v1 = outcomes(&r, "ICV-VUL-001");
    assert!(
        v1.iter()
            .any(|(o, m)| o == "fail" && m.contains("DEBIAN-CVE-2022-0778"))
    );
    assert!(v1.iter().any(|(o, m)| o == "pass"
        && m.contains("DEBIAN-CVE-2023-38408")
        && m.contains("vulnerable_code_not_in_execute_path")));
    let v2 = outcomes(&r, "ICV-VUL-002");
    assert!(
        v2.iter()
            .any(|(o, m)| o == "fail" && m.contains("overdue from 2026-12-01"))
    );
}

#[test]
fn vex_problems_are_diagnostics() {
    let dir = std::env::temp_dir().join(format!("icvsec-vex-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let src = fixtures().join("rules/ICV-VUL-001/pass");
    for rel in [
        "vehicle.json",
        "e1/rootfs/etc/os-release",
        "e1/rootfs/var/lib/dpkg/status",
        "vuln-feed/DEBIAN-CVE-2022-0778.json",
    ] {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(src.join(rel), &to).expect("copy");
    }
    // not_affected without a justification settles nothing.
    let vex = std::fs::read_to_string(src.join("e1.openvex.json")).expect("vex");
    let bad = vex.replace(
        "\"justification\": \"vulnerable_code_cannot_be_controlled_by_adversary\",",
        "",
    );
    assert_ne!(bad, vex);
    std::fs::write(dir.join("e1.openvex.json"), bad).expect("write");
    let inv = load_build(&dir, &load_options(&dir));
    let msgs: Vec<String> = inv
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.location, d.message))
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("e1.openvex.json") && m.contains("VEX")),
        "{msgs:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sbom_command_writes_cyclonedx_1_6_per_ecu() {
    let out_path = std::env::temp_dir().join(format!("icvsec-sbom-{}.json", std::process::id()));
    let out = icvsec(&[
        "sbom",
        "fixtures/demo-vehicle",
        "-o",
        out_path.to_str().expect("utf-8 temp path"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_path).expect("sbom written");
    let _ = std::fs::remove_file(&out_path);
    let v: Value = serde_json::from_str(&text).expect("sbom is JSON");
    assert_eq!(v["bomFormat"], "CycloneDX");
    assert_eq!(v["specVersion"], "1.6");
    assert!(text.contains("ecu:tbox"));
    assert!(
        text.contains("pkg:deb/debian/libssl1.1@1.1.1k-1%2Bdeb11u1") || text.contains("libssl1.1")
    );
    // Same build, same bytes.
    let again = icvsec(&["sbom", "fixtures/demo-vehicle"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), text);
    let _ = repo();
}
