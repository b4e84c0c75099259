//! The update-package and network checks over their rule fixtures
//! (fixtures/rules/ICV-PKG-*, ICV-NET-01*) and the demo vehicle.

use crate::api::{Ctx, Eval, Sink};
use icvsec_inputs::{Inventory, LoadOptions, load_build};
use icvsec_model::Outcome;
use std::path::Path;

const AS_OF: i64 = 1_780_272_000; // 2026-06-01

fn load(rel: &str) -> Inventory {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    load_build(&root, &LoadOptions::default())
}

fn run(inv: &Inventory, check: &str, params: serde_json::Value) -> Vec<(String, Eval)> {
    let reg = crate::registry();
    let c = reg.get(check).expect("check registered");
    let prepared = c.prepare(&params).expect("params accepted");
    let mut out = Vec::new();
    for a in inv.assets(c.asset) {
        let ctx = Ctx {
            inv,
            asset: &a,
            as_of: AS_OF,
            profiles: &icvsec_model::RoleProfiles::default(),
        };
        let mut sink = Sink::default();
        c.run(&ctx, &prepared, &mut sink);
        assert!(!sink.evals.is_empty(), "{check} said nothing for {}", a.id);
        out.extend(sink.evals.into_iter().map(|e| (a.id.clone(), e)));
    }
    out
}

fn summary(e: &[(String, Eval)]) -> String {
    e.iter()
        .map(|(a, e)| format!("{:?} {a}: {}", e.outcome, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The check fails on `fail/` and passes cleanly on `pass/`.
fn pair(rule: &str, check: &str, params: serde_json::Value) {
    let fail = run(&load(&format!("rules/{rule}/fail")), check, params.clone());
    assert!(
        fail.iter().any(|(_, e)| e.outcome == Outcome::Fail),
        "{rule} fail/:\n{}",
        summary(&fail)
    );
    let pass = run(&load(&format!("rules/{rule}/pass")), check, params);
    assert!(
        pass.iter().any(|(_, e)| e.outcome == Outcome::Pass)
            && pass
                .iter()
                .all(|(_, e)| !matches!(e.outcome, Outcome::Fail | Outcome::Error)),
        "{rule} pass/:\n{}",
        summary(&pass)
    );
}

fn none() -> serde_json::Value {
    serde_json::Value::Null
}

#[test]
fn pkg_001_signature() {
    pair("ICV-PKG-001", "ecu.package.signature", none());
}

#[test]
fn pkg_002_payload_hashes() {
    pair("ICV-PKG-002", "ecu.package.payload_hashes", none());
}

#[test]
fn pkg_003_test_key() {
    pair("ICV-PKG-003", "ecu.package.test_key", none());
}

#[test]
fn pkg_004_anti_rollback() {
    pair("ICV-PKG-004", "ecu.package.anti_rollback", none());
}

#[test]
fn net_010_safety_secoc() {
    pair("ICV-NET-010", "vehicle.network.safety_secoc", none());
}

#[test]
fn net_011_secoc_strength() {
    pair(
        "ICV-NET-011",
        "vehicle.network.secoc_strength",
        serde_json::json!({ "min_mac_bits": 24, "min_freshness_bits": 4 }),
    );
}

#[test]
fn net_012_cross_domain_routes() {
    pair("ICV-NET-012", "vehicle.network.cross_domain_routes", none());
}

#[test]
fn net_013_secoc_agrees() {
    pair("ICV-NET-013", "ecu.network.secoc_agrees", none());
}

#[test]
fn demo_packages_and_networks() {
    let inv = load("demo-vehicle");
    let sig = run(&inv, "ecu.package.signature", none());
    let adas: Vec<_> = sig.iter().filter(|(a, _)| a == "adas").collect();
    assert!(
        adas.iter().all(|(_, e)| e.outcome == Outcome::Pass) && !adas.is_empty(),
        "{}",
        summary(&sig)
    );
    // ECUs that declare an update channel but ship no package: never silent.
    assert!(
        sig.iter().any(|(a, e)| a == "bms"
            && e.outcome == Outcome::Fail
            && e.message.contains("not found")
            || e.message.contains("no update package for it")),
        "{}",
        summary(&sig)
    );
    let tk = run(&inv, "ecu.package.test_key", none());
    assert!(
        tk.iter()
            .any(|(a, e)| a == "ivi" && e.outcome == Outcome::Fail),
        "{}",
        summary(&tk)
    );
    let strength = run(
        &inv,
        "vehicle.network.secoc_strength",
        serde_json::json!({ "min_mac_bits": 24, "min_freshness_bits": 4 }),
    );
    assert!(
        strength
            .iter()
            .any(|(_, e)| e.outcome == Outcome::Fail && e.message.contains("Brake_Cmd")),
        "{}",
        summary(&strength)
    );
}

#[test]
fn a_broken_dbc_is_an_error_with_its_place() {
    let dir = std::env::temp_dir().join(format!("icvsec-netupd-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("net")).expect("temp dir");
    std::fs::write(
        dir.join("vehicle.json"),
        r#"{ "schema_version": 1, "vehicle": { "model": "x", "markets": ["CN"], "stage": "production" }, "ecus": [], "networks": [] }"#,
    )
    .expect("write");
    std::fs::write(dir.join("net/bus.dbc"), "VERSION \"\"\nBO_ 12 : nonsense\n").expect("write");
    let inv = load_build(&dir, &LoadOptions::default());
    let e = run(&inv, "vehicle.network.safety_secoc", none());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        e.iter()
            .any(|(_, e)| e.outcome == Outcome::Error && e.message.contains("net/bus.dbc")),
        "{}",
        summary(&e)
    );
}

#[test]
fn a_package_for_no_ecu_is_reported_not_ignored() {
    let dir = std::env::temp_dir().join(format!("icvsec-netupd-orphan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("pkgs")).expect("temp dir");
    std::fs::write(
        dir.join("vehicle.json"),
        r#"{ "schema_version": 1, "vehicle": { "model": "x", "markets": ["CN"], "stage": "production" }, "ecus": [], "networks": [] }"#,
    )
    .expect("write");
    let swu =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/update-gen/out/swu-good.swu");
    std::fs::copy(swu, dir.join("pkgs/x.swu")).expect("copy");
    let inv = load_build(&dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    assert!(inv.update_packages.contains_key("pkgs/x.swu"));
    assert!(
        inv.diagnostics
            .iter()
            .any(|d| d.location.file == "pkgs/x.swu" && d.message.contains("no declared ECU")),
        "{:?}",
        inv.diagnostics
    );
}
