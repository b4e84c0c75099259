//! Role profiles: silence is judged. A section a rule reads that the ECU's role requires
//! and that is missing is a failing "not declared" finding; zonal roles and gateway
//! functions; `icvsec init` scaffolds that scan as failing.

use crate::common::{copy_dir, full_catalog, icvsec, repo, scan_with};
use icvsec_model::profile::section_of;
use icvsec_model::{AssetKind, Outcome, Report, Rule};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("icvsec-profiles-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json")
}

fn write_json(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).expect("json") + "\n").expect("write");
}

/// Remove a dotted path from a JSON object; whether it was there.
fn remove_path(doc: &mut Value, path: &str) -> bool {
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, path),
    };
    let target = match parent {
        Some(p) => p.split('.').try_fold(&mut *doc, |v, seg| v.get_mut(seg)),
        None => Some(doc),
    };
    target
        .and_then(Value::as_object_mut)
        .is_some_and(|o| o.remove(last).is_some())
}

fn ecu_rules() -> Vec<Rule> {
    full_catalog()
        .rules
        .into_iter()
        .filter(|r| r.applies_to.asset == AssetKind::Ecu)
        .collect()
}

/// Whether a rule reads (cites) this section of an ECU configuration.
fn cites(rule: &Rule, section: &str) -> bool {
    rule.id == "ICV-DECL-001" || rule.needed_paths().iter().any(|p| section_of(p) == section)
}

#[test]
fn the_demo_with_any_one_required_section_removed_fails_on_it() {
    let cat = full_catalog();
    let rules = ecu_rules();
    let demo = repo().join("fixtures/demo-vehicle");
    let vehicle = read_json(&demo.join("vehicle.json"));
    let ecus = vehicle["ecus"].as_array().expect("ecus").clone();
    let mut cases = 0;
    for ecu in &ecus {
        let id = ecu["id"].as_str().expect("id");
        let role: icvsec_model::input::vehicle::EcuRole =
            serde_json::from_value(ecu["role"].clone()).expect("role");
        let cfg_rel = ecu["config"].as_str().expect("config");
        let cfg = read_json(&demo.join(cfg_rel));
        let required = cat.profiles.required(role, &cfg);
        assert!(!required.is_empty(), "{id}: its role requires nothing");
        for req in &required {
            let mut copy = cfg.clone();
            assert!(
                remove_path(&mut copy, &req.path),
                "the demo ECU {id} does not declare `{}`, which {} requires",
                req.path,
                req.because
            );
            let root = temp(&format!("{id}-{}", req.path));
            copy_dir(&demo, &root);
            write_json(&root.join(cfg_rel), &copy);
            let report = scan_with(&root, &rules);
            let _ = std::fs::remove_dir_all(&root);
            let section = section_of(&req.path);
            let mine: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.asset.kind == AssetKind::Ecu && f.asset.id == id)
                .filter(|f| {
                    rules
                        .iter()
                        .find(|r| r.id == f.rule_id)
                        .is_some_and(|r| cites(r, &section))
                })
                .collect();
            assert!(
                !mine.is_empty(),
                "{id} without `{}`: no rule reads it",
                req.path
            );
            for f in &mine {
                assert!(
                    !matches!(f.outcome, Outcome::Pass | Outcome::NotApplicable),
                    "{id} without `{}`: {} is {} ({})",
                    req.path,
                    f.rule_id,
                    f.outcome.as_str(),
                    f.message
                );
            }
            let not_declared = mine.iter().any(|f| {
                f.outcome == Outcome::Fail
                    && f.message.contains("is not declared (required for")
                    && f.message.contains("rules/profiles/roles.toml")
            });
            assert!(
                not_declared,
                "{id} without `{}`: no 'not declared' finding",
                req.path
            );
            assert!(
                failing(&report),
                "{id} without `{}`: the scan would exit 0",
                req.path
            );
            cases += 1;
        }
    }
    println!("required sections removed one at a time: {cases}");
    assert!(cases >= 20, "only {cases} cases");
}

fn failing(report: &Report) -> bool {
    report.findings.iter().any(|f| f.outcome == Outcome::Fail)
}

#[test]
fn a_section_the_role_does_not_require_is_na_with_the_reason_and_explicit_absence_is_na() {
    let rules = ecu_rules();
    let demo = repo().join("fixtures/demo-vehicle");
    let root = temp("optional");
    copy_dir(&demo, &root);
    // The BMS does not declare USB (its role does not require it): n/a with the reason.
    let report = scan_with(&root, &rules);
    let usb_bms: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "ICV-IF-001" && f.asset.id == "bms")
        .collect();
    assert_eq!(usb_bms.len(), 1);
    assert_eq!(usb_bms[0].outcome, Outcome::NotApplicable);
    assert!(
        usb_bms[0]
            .message
            .contains("`interfaces.usb` is not declared and role bms does not require it"),
        "{}",
        usb_bms[0].message
    );
    // The IVI declares USB absent: n/a by its declared value, not "not declared".
    let ivi_cfg = root.join("ecus/ivi.json");
    let mut ivi = read_json(&ivi_cfg);
    ivi["interfaces"]["usb"] = serde_json::json!({"enabled": false});
    write_json(&ivi_cfg, &ivi);
    // The T-Box declares it is never updated: n/a for the update rules.
    let tbox_cfg = root.join("ecus/tbox.json");
    let mut tbox = read_json(&tbox_cfg);
    tbox["software_update"] = serde_json::json!({"channel": "none"});
    write_json(&tbox_cfg, &tbox);
    let report = scan_with(&root, &rules);
    let _ = std::fs::remove_dir_all(&root);
    let one = |rule: &str, ecu: &str| {
        let v: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == rule && f.asset.id == ecu)
            .collect();
        assert_eq!(v.len(), 1, "{rule} {ecu}: {v:?}");
        (v[0].outcome, v[0].message.clone())
    };
    let (o, m) = one("ICV-IF-001", "ivi");
    assert_eq!(o, Outcome::NotApplicable, "{m}");
    assert!(
        m.contains("interfaces.usb.enabled") && m.contains("false"),
        "{m}"
    );
    for rule in ["ICV-UPD-001", "ICV-UPD-003", "ICV-UPD-004", "ICV-UPD-005"] {
        let (o, m) = one(rule, "tbox");
        assert_eq!(o, Outcome::NotApplicable, "{rule}: {m}");
        assert!(m.contains("none"), "{rule}: {m}");
    }
}

#[test]
fn boot_and_update_rules_agree_on_silence() {
    let rules = ecu_rules();
    let root = temp("agree");
    copy_dir(&repo().join("fixtures/demo-vehicle"), &root);
    let cfg = root.join("ecus/tbox.json");
    let mut tbox = read_json(&cfg);
    tbox["secure_boot"] = Value::Null;
    tbox["software_update"] = Value::Null;
    write_json(&cfg, &tbox);
    let report = scan_with(&root, &rules);
    let _ = std::fs::remove_dir_all(&root);
    for rule in ["ICV-BOOT-001", "ICV-UPD-001"] {
        let f: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == rule && f.asset.id == "tbox")
            .collect();
        assert_eq!(f.len(), 1, "{rule}");
        assert_eq!(f[0].outcome, Outcome::Fail, "{rule}: {}", f[0].message);
        assert!(
            f[0].message.contains("is not declared (required for"),
            "{rule}: {}",
            f[0].message
        );
        let loc = f[0].location.as_ref().expect("located");
        assert_eq!(loc.file, "ecus/tbox.json");
    }
}

fn zonal() -> PathBuf {
    repo().join("fixtures/zonal-vehicle")
}

#[test]
fn zonal_vehicle_gateway_functions_are_judged_by_gateway_rules() {
    let report = scan_with(&zonal(), &full_catalog().rules);
    let assets = |rule: &str| -> Vec<(String, Outcome)> {
        report
            .findings
            .iter()
            .filter(|f| f.rule_id == rule)
            .map(|f| (f.asset.id.to_string(), f.outcome))
            .collect()
    };
    // NET-003 and IDS-002 are limited to role gateway: the hpc and the front zone
    // controller route traffic (a `gateway` section), the rear zone controller does not.
    for rule in ["ICV-NET-003", "ICV-IDS-002"] {
        let a = assets(rule);
        assert_eq!(
            a,
            vec![
                ("hpc".to_string(), Outcome::Pass),
                ("zc-front".to_string(), Outcome::Pass)
            ],
            "{rule}"
        );
    }
    // Every ECU declares what its role (and function) requires.
    for (id, o) in assets("ICV-DECL-001") {
        assert_eq!(o, Outcome::Pass, "{id}");
    }
    // Reply routes (chassis CAN → backbone with `*`) and the loop between the backbone
    // and the rear Ethernet give no "unfiltered" path: the T-Box reaches the chassis CAN
    // only through the allowlisted route.
    let net: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "ICV-NET-001")
        .collect();
    assert!(!net.is_empty());
    for f in &net {
        assert_eq!(f.outcome, Outcome::Pass, "{}", f.message);
        assert!(!f.message.contains("unfiltered"), "{}", f.message);
    }
    assert!(
        net.iter().any(|f| f.message.contains("`can-front-chassis`")
            && f.message.contains("every hop is allowlisted")),
        "{net:?}"
    );
}

#[test]
fn zonal_vehicle_a_real_unfiltered_route_still_fails_and_a_gateway_function_needs_its_profile() {
    let root = temp("zonal-bad");
    copy_dir(&zonal(), &root);
    let cfg = root.join("ecus/zc-front.json");
    let mut zc = read_json(&cfg);
    // The forward route now lets everything through; its rate limiting is not declared.
    zc["gateway"]["routes"][0]["allowed_ids"] = serde_json::json!(["*"]);
    remove_path(&mut zc, "gateway.rate_limiting");
    write_json(&cfg, &zc);
    let report = scan_with(&root, &full_catalog().rules);
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        report.findings.iter().any(|f| f.rule_id == "ICV-NET-001"
            && f.outcome == Outcome::Fail
            && f.message.contains("unfiltered")),
        "the open route is not found"
    );
    let net3: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule_id == "ICV-NET-003" && f.asset.id == "zc-front")
        .collect();
    assert_eq!(net3.len(), 1);
    assert_eq!(net3[0].outcome, Outcome::Fail);
    assert!(
        net3[0]
            .message
            .contains("`gateway.rate_limiting` is not declared (required for the gateway function"),
        "{}",
        net3[0].message
    );
}

#[test]
fn a_fresh_init_scaffold_scans_as_failing_not_declared() {
    let root = temp("init");
    let etc = root.join("tbox/rootfs/etc");
    std::fs::create_dir_all(&etc).expect("mkdir");
    std::fs::write(etc.join("passwd"), "root:x:0:0:root:/root:/bin/sh\n").expect("passwd");
    let out = icvsec(&[
        "init",
        root.to_str().expect("utf-8"),
        "--ecu",
        "zc1=zone_controller",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("TODO ecus/tbox.json: declare"), "{stdout}");
    let tbox = read_json(&root.join("ecus/tbox.json"));
    assert_eq!(tbox["software_update"], Value::Null);
    assert_eq!(tbox["remote_control"], Value::Null);
    assert_eq!(tbox["interfaces"]["cellular"], Value::Null);
    let vehicle = read_json(&root.join("vehicle.json"));
    let roles: Vec<&str> = vehicle["ecus"]
        .as_array()
        .expect("ecus")
        .iter()
        .map(|e| e["role"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(roles, ["tbox", "zone_controller"]);
    let report = scan_with(&root, &full_catalog().rules);
    let out = icvsec(&["scan", root.to_str().expect("utf-8"), "--format", "text"]);
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(out.status.code(), Some(1), "a fresh scaffold must fail");
    // Every ECU rule on a scaffolded ECU fails or errors; none passes or is n/a for a
    // section the role requires.
    let cat = full_catalog();
    for ecu in ["tbox", "zc1"] {
        let role = if ecu == "tbox" {
            icvsec_model::input::vehicle::EcuRole::Tbox
        } else {
            icvsec_model::input::vehicle::EcuRole::ZoneController
        };
        let required: Vec<String> = cat
            .profiles
            .paths_for(role)
            .iter()
            .map(|p| section_of(p))
            .collect();
        let decl = report
            .findings
            .iter()
            .filter(|f| f.rule_id == "ICV-DECL-001" && f.asset.id == ecu)
            .count();
        assert!(decl >= 3, "{ecu}: {decl} not-declared findings");
        for f in report
            .findings
            .iter()
            .filter(|f| f.asset.kind == AssetKind::Ecu && f.asset.id == ecu)
        {
            let rule = cat.get(&f.rule_id).expect("rule");
            let reads_required = rule
                .needed_paths()
                .iter()
                .any(|p| required.contains(&section_of(p)));
            if reads_required {
                assert!(
                    !matches!(f.outcome, Outcome::Pass | Outcome::NotApplicable),
                    "{ecu}: {} is {} ({})",
                    f.rule_id,
                    f.outcome.as_str(),
                    f.message
                );
            }
        }
    }
}
