//! The command line as a user meets it: exit codes, JSON values, bad input.

use crate::common::{AS_OF, icvsec};
use serde_json::Value;

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn findings<'a>(report: &'a Value, rule: &str, outcome: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule && f["outcome"] == outcome)
        .collect()
}

#[test]
fn demo_vehicle_fails_the_gate_and_reports_every_area() {
    let out = icvsec(&[
        "scan",
        "fixtures/demo-vehicle",
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["scan"]["as_of"], AS_OF);
    assert_eq!(r["complete"], true, "diagnostics: {}", r["diagnostics"]);
    for area in ["terminal", "connection", "data", "application"] {
        let a = r["summary"]["areas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["area"] == area)
            .unwrap();
        assert!(
            a["counts"]["fail"].as_u64().unwrap() > 0,
            "no failing finding in {area}"
        );
        assert!(
            a["counts"]["pass"].as_u64().unwrap() > 0,
            "no passing finding in {area}"
        );
    }
    // A few deliberate defects, with the place they are at.
    let jtag_uart = findings(&r, "ICV-DBG-003", "fail");
    assert_eq!(jtag_uart.len(), 1);
    assert_eq!(jtag_uart[0]["asset"]["id"], "tbox");
    assert_eq!(jtag_uart[0]["location"]["file"], "ecus/tbox.json");
    assert!(jtag_uart[0]["location"]["line"].as_u64().is_some());
    let sha1 = findings(&r, "ICV-CRT-006", "fail");
    assert!(
        sha1.iter()
            .any(|f| f["asset"]["id"] == "pki/update-signing.pem")
    );
    // The IVI and the T-Box share a key pair; the T-Box's image-backed variant carries
    // the T-Box's private key file too.
    let shared = findings(&r, "ICV-CRT-019", "fail");
    assert_eq!(shared.len(), 2);
    assert!(
        shared
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("ivi, tbox"))
    );
    let isolation = findings(&r, "ICV-NET-001", "fail");
    assert!(
        isolation[0]["message"]
            .as_str()
            .unwrap()
            .contains("eth-adas")
    );
}

#[test]
fn the_threshold_decides_the_exit_code() {
    let out = icvsec(&[
        "scan",
        "fixtures/demo-vehicle",
        "--as-of",
        AS_OF,
        "--select",
        "ICV-IDS-002",
        "--fail-on",
        "low",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = icvsec(&[
        "scan",
        "fixtures/demo-vehicle",
        "--as-of",
        AS_OF,
        "--select",
        "ICV-NET-003",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = icvsec(&[
        "scan",
        "fixtures/demo-vehicle",
        "--as-of",
        AS_OF,
        "--select",
        "ICV-NET-003",
        "--fail-on",
        "medium",
    ]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_input_is_named_with_its_place_and_the_scan_goes_on() {
    let out = icvsec(&[
        "scan",
        "fixtures/bad-inputs",
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--full-evidence",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "incomplete assessment must exit 3"
    );
    let r = json(&out);
    assert_eq!(r["complete"], false);
    let diags = r["diagnostics"].as_array().unwrap();
    let find = |file: &str| {
        diags
            .iter()
            .find(|d| d["location"]["file"] == file)
            .unwrap_or_else(|| panic!("no diagnostic for {file}: {diags:?}"))
    };
    // One mistake, one message: at the misspelt key, with a suggestion.
    let misspelt = find("ecus/tbox.json");
    assert_eq!(misspelt["location"]["line"], 5);
    assert_eq!(misspelt["location"]["column"], 3);
    assert_eq!(misspelt["location"]["key_path"], "secure_bot");
    let msg = misspelt["message"].as_str().unwrap();
    assert!(
        msg.contains("unknown field `secure_bot` (did you mean `secure_boot`?)"),
        "{msg}"
    );
    assert_eq!(
        diags
            .iter()
            .filter(|d| d["location"]["file"] == "ecus/tbox.json")
            .count(),
        1,
        "{diags:?}"
    );
    let broken_json = find("data/flows.json");
    assert_eq!(broken_json["level"], "error");
    assert!(broken_json["location"]["line"].as_u64().is_some());
    let cert = find("pki/truncated.pem");
    assert!(
        cert["message"].as_str().unwrap().contains("truncated"),
        "{cert}"
    );
    // The rest of the scan still reports: the gateway's open JTAG is found.
    let jtag = findings(&r, "ICV-DBG-001", "fail");
    assert_eq!(jtag.len(), 1);
    assert_eq!(jtag[0]["asset"]["id"], "gw");
    // The rest of the misspelt file is judged (its debug section loaded); only the
    // rules that read secure_boot cannot assess the T-Box.
    assert!(
        findings(&r, "ICV-DBG-001", "pass")
            .iter()
            .any(|f| f["asset"]["id"] == "tbox")
    );
    for f in r["findings"].as_array().unwrap() {
        if f["asset"]["id"] == "tbox" && f["outcome"] == "error" {
            // ICV-DECL-001 (the role profile) reads every required section, secure_boot too.
            let id = f["rule_id"].as_str().unwrap();
            assert!(id.starts_with("ICV-BOOT-") || id == "ICV-DECL-001", "{f}");
        }
    }
    // Rules over the dropped section are errors, never passes.
    assert!(
        findings(&r, "ICV-BOOT-001", "error")
            .iter()
            .any(|f| f["asset"]["id"] == "tbox")
    );
    assert!(
        !findings(&r, "ICV-BOOT-001", "pass")
            .iter()
            .any(|f| f["asset"]["id"] == "tbox")
    );
    // --allow-incomplete lets the findings decide.
    let out = icvsec(&[
        "scan",
        "fixtures/bad-inputs",
        "--as-of",
        AS_OF,
        "--allow-incomplete",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("assessment: INCOMPLETE"));
    assert!(text.contains("ecus/tbox.json:5:3"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["scan", "fixtures/demo-vehicle", "--fail-on", "severe"],
        vec!["scan", "fixtures/demo-vehicle", "--select", "NO-SUCH-RULE"],
        vec!["scan", "fixtures/demo-vehicle", "--as-of", "2026-13-01"],
        vec!["scan", "fixtures/no-such-dir"],
        vec!["schema", "nonsense"],
        vec!["rules", "explain", "NO-SUCH-RULE"],
    ] {
        let out = icvsec(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{args:?} must say why");
    }
}

#[test]
fn a_broken_user_rule_is_a_loading_error_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("icvsec-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("oem.toml"),
        r#"[[rule]]
id = "OEM-001"
title = "t"
area = "terminal"
subarea = "onboard-equipment"
severity = "high"
check = "no.such.check"
references = [{ standard = "GB 44495-2024", clause = "7.1", verified = true }]
applies_to = { asset = "ecu" }
rationale = "r"
remediation = "m"
"#,
    )
    .unwrap();
    let out = icvsec(&[
        "scan",
        "fixtures/demo-vehicle",
        "--rules",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("oem.toml")
            && err.contains("OEM-001")
            && err.contains("unknown check `no.such.check`"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_oem_rule_on_its_own_field_needs_no_rust() {
    let dir = std::env::temp_dir().join(format!("icvsec-oem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("oem.toml"),
        r#"# OEM policy: every ECU with secure boot roots it in OTP.
[[rule]]
id = "OEM-BOOT-001"
title = "Secure boot root of trust is in OTP"
area = "terminal"
subarea = "onboard-equipment"
severity = "medium"
condition = { path = "secure_boot.root_of_trust", one_of = ["otp"] }
references = [{ standard = "GB 44495-2024", clause = "7.3", verified = true }]
applies_to = { asset = "ecu", when = { path = "secure_boot.enabled", equals = true } }
rationale = "OEM policy."
remediation = "Anchor secure boot in OTP."
"#,
    )
    .unwrap();
    let out = icvsec(&[
        "scan",
        "fixtures/demo-vehicle",
        "--as-of",
        AS_OF,
        "--rules",
        dir.to_str().unwrap(),
        "--select",
        "OEM-BOOT-001",
        "--format",
        "json",
        "--full-evidence",
        "--fail-on",
        "medium",
    ]);
    let r = json(&out);
    let fails = findings(&r, "OEM-BOOT-001", "fail");
    assert_eq!(fails.len(), 1, "only the BMS roots secure boot in ROM");
    assert_eq!(fails[0]["asset"]["id"], "bms");
    // cgw, tbox, tbox-lte, ivi, rse, adas and the OpenWrt unit tgw.
    assert_eq!(findings(&r, "OEM-BOOT-001", "pass").len(), 7);
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rules_list_explain_and_schema() {
    let out = icvsec(&["rules", "list"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("ICV-DBG-001"));
    let out = icvsec(&["rules", "list", "--format", "csv"]);
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("standard,clause,verified,rule,"));
    assert!(
        csv.lines()
            .any(|l| l.starts_with("UN R155 Annex 5,28.2,true,ICV-DBG-001,")
                && l.ends_with(",R155-A5-28.2"))
    );
    let out = icvsec(&["rules", "list", "--format", "json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.as_array().unwrap().len() > 50);
    let out = icvsec(&["rules", "explain", "ICV-NET-001"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("GBT40857-6.2-communication (GB/T 40857-2021 6.2")
            && text.contains("remediation")
    );
    for kind in ["vehicle", "ecu", "dataflow"] {
        let out = icvsec(&["schema", kind]);
        assert_eq!(out.status.code(), Some(0));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            v["additionalProperties"], false,
            "{kind}: unknown fields must be refused"
        );
    }
}

#[test]
fn committed_schemas_are_current() {
    for kind in ["vehicle", "ecu", "dataflow"] {
        let out = icvsec(&["schema", kind]);
        let path = crate::common::repo().join(format!("docs/schema/{kind}.schema.json"));
        let want = String::from_utf8_lossy(&out.stdout).to_string();
        if std::env::var_os("ICVSEC_UPDATE").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{} is stale: regenerate with ICVSEC_UPDATE=1 cargo test --test integration committed_schemas",
            path.display()
        );
    }
}

#[test]
fn an_oversized_config_file_is_not_read_and_not_passed() {
    let dir = std::env::temp_dir().join(format!("icvsec-oversize-{}", std::process::id()));
    let ssh = dir.join("rootfs/etc/ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    let mut text = String::from("PermitRootLogin no\n");
    text.push_str(&"# padding\n".repeat(50));
    std::fs::write(ssh.join("sshd_config"), text).unwrap();
    let out = icvsec(&[
        "scan",
        dir.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--select",
        "ICV-LNX-001",
        "--max-file-size",
        "100",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "a file that was not read leaves the assessment incomplete"
    );
    let r = json(&out);
    let errors = findings(&r, "ICV-LNX-001", "error");
    assert_eq!(errors.len(), 1, "{}", r["findings"]);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("over the size limit")
    );
    assert!(findings(&r, "ICV-LNX-001", "pass").is_empty());
    std::fs::remove_dir_all(&dir).ok();
}
