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
        out.extend(sink.evals.into_iter().map(|e| (a.id.to_string(), e)));
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

#[test]
fn pkg_005_to_007_tuf() {
    pair("ICV-PKG-005", "ecu.package.tuf_expiry", none());
    pair("ICV-PKG-006", "ecu.package.tuf_keys", none());
    pair("ICV-PKG-007", "ecu.package.tuf_consistency", none());
}

#[test]
fn upd_process_declarations() {
    pair("ICV-UPD-005", "ecu.update.failure_recovery", none());
    pair("ICV-UPD-007", "ecu.update.consent", none());
    pair("ICV-UPD-008", "ecu.update.swin", none());
    pair("ICV-UPD-009", "ecu.update.preconditions", none());
    pair("ICV-UPD-010", "ecu.update.power", none());
    pair("ICV-UPD-011", "ecu.update.records", none());
}

/// Copies a fixture build into a fresh temporary directory.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        let p = e.path();
        let q = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &q);
        } else {
            std::fs::copy(&p, &q).expect("copy");
        }
    }
}

#[test]
fn root_threshold_one_is_accepted_only_in_development() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/rules/ICV-PKG-006/fail");
    let dir = std::env::temp_dir().join(format!("icvsec-tuf-dev-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&src, &dir);
    let v = std::fs::read_to_string(dir.join("vehicle.json")).expect("read");
    std::fs::write(
        dir.join("vehicle.json"),
        v.replace("\"production\"", "\"development\""),
    )
    .expect("write");
    let inv = load_build(&dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    let e = run(&inv, "ecu.package.tuf_keys", none());
    let root = e
        .iter()
        .find(|(_, e)| e.message.contains("`root` threshold 1"))
        .unwrap_or_else(|| panic!("{}", summary(&e)));
    assert_eq!(root.1.outcome, Outcome::Pass, "{}", summary(&e));
    assert!(root.1.message.contains("development"));
    // The unsatisfiable targets threshold fails whatever the stage, at its place.
    let t = e
        .iter()
        .find(|(_, e)| e.message.contains("`targets` threshold 3"))
        .unwrap_or_else(|| panic!("{}", summary(&e)));
    assert_eq!(t.1.outcome, Outcome::Fail);
    let loc = t.1.location.as_ref().expect("location");
    assert_eq!(
        (loc.file.as_str(), loc.key_path.as_deref()),
        (
            "updates/tbox/tuf/root.json",
            Some("signed.roles.targets.threshold")
        )
    );
}

#[test]
fn an_update_package_above_the_file_size_bound_is_verified_in_place() {
    use std::io::Write;
    const IMAGE: usize = 17 * 1024 * 1024;
    let dir = std::env::temp_dir().join(format!("icvsec-big-swu-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("updates/tbox")).expect("mkdir");
    std::fs::create_dir_all(dir.join("ecus")).expect("mkdir");
    std::fs::write(
        dir.join("vehicle.json"),
        r#"{ "schema_version": 1, "vehicle": { "model": "x", "markets": ["CN"], "stage": "production" }, "ecus": [ { "id": "tbox", "role": "tbox", "config": "ecus/tbox.json" } ], "networks": [] }"#,
    )
    .expect("write");
    std::fs::write(
        dir.join("ecus/tbox.json"),
        r#"{ "schema_version": 1, "ecu": "tbox", "software_update": { "channel": "ota", "installed_version": "1.0" }, "services": [] }"#,
    )
    .expect("write");
    let image = vec![0u8; IMAGE];
    let sha: String = icvsec_update::hash::sha256(&image)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let desc = format!(
        "software = {{ version = \"2.0\"; images: ( {{ filename = \"rootfs.img\"; sha256 = \"{sha}\"; }} ); }}\n"
    );
    let mut out = Vec::new();
    for (ino, (name, data)) in [
        ("sw-description", desc.as_bytes()),
        ("rootfs.img", &image[..]),
        ("TRAILER!!!", &b""[..]),
    ]
    .iter()
    .enumerate()
    {
        out.extend_from_slice(
            format!(
                "070701{ino:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
                0o100644, 0, 0, 1, 0, data.len(), 0, 0, 0, 0, name.len() + 1, 0
            )
            .as_bytes(),
        );
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.resize(out.len().div_ceil(4) * 4, 0);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(4) * 4, 0);
    }
    std::fs::File::create(dir.join("updates/tbox/big.swu"))
        .and_then(|mut f| f.write_all(&out))
        .expect("write");
    let inv = load_build(&dir, &LoadOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    let a = &inv.update_packages["updates/tbox/big.swu"];
    let p = a.package.as_ref().expect("verified in place");
    assert_eq!(p.version.as_deref(), Some("2.0"));
    assert_eq!(p.payloads[0].actual, icvsec_update::PayloadState::Match);
    assert!(
        !inv.diagnostics
            .iter()
            .any(|d| d.location.file == "updates/tbox/big.swu"),
        "{:?}",
        inv.diagnostics
    );
    let e = run(&inv, "ecu.package.payload_hashes", none());
    assert!(
        e.iter().any(|(_, e)| e.outcome == Outcome::Pass),
        "{}",
        summary(&e)
    );
}
