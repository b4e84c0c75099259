//! Certificate and key intake end to end (scan → findings): files known by content,
//! deployed certificate files (leaf + intermediates), CA bundles naming each root, the
//! key blocklist (shipped and `--blocklist`), and the key-fingerprint inventory.

use crate::common::{AS_OF, catalog, copy_dir, fixtures, icvsec, scan_with};
use icvsec_model::{AssetKind, Outcome, Report};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("icvsec-pki-intake-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn of_rule<'a>(r: &'a Report, id: &str, o: Outcome) -> Vec<&'a icvsec_model::Finding> {
    r.findings
        .iter()
        .filter(|f| f.rule_id == id && f.outcome == o)
        .collect()
}

/// issue 13 part 3: an endpoint's server_certificate holding leaf + intermediate + root
/// (nginx fullchain) is leaf first, the rest intermediates: no CaUsedAsEndEntity on the
/// intermediates (ICV-CRT-021), no ICV-CRT-013 per intermediate, no error, complete scan.
#[test]
fn fullchain_server_certificate_is_leaf_then_intermediates() {
    let dir = tmp("fullchain");
    copy_dir(&fixtures().join("rules/ICV-CRT-021/pass"), &dir);
    let pki = dir.join("pki");
    let mut chain = std::fs::read(pki.join("backend-server.pem")).unwrap();
    chain.extend(std::fs::read(pki.join("oem-sub-ca.pem")).unwrap());
    chain.extend(std::fs::read(pki.join("oem-root-ca.pem")).unwrap());
    std::fs::write(pki.join("fullchain.pem"), chain).unwrap();
    std::fs::remove_file(pki.join("backend-server.pem")).unwrap();
    let v = std::fs::read_to_string(dir.join("vehicle.json")).unwrap();
    std::fs::write(
        dir.join("vehicle.json"),
        v.replace("pki/backend-server.pem", "pki/fullchain.pem"),
    )
    .unwrap();
    let report = scan_with(&dir, &catalog());
    let chain_pass = of_rule(&report, "ICV-CRT-021", Outcome::Pass);
    assert!(
        chain_pass
            .iter()
            .any(|f| f.asset.id == "pki/fullchain.pem#1"),
        "the leaf is verified: {:?}",
        report
            .findings
            .iter()
            .filter(|f| f.rule_id == "ICV-CRT-021")
            .collect::<Vec<_>>()
    );
    for id in ["ICV-CRT-021", "ICV-CRT-013"] {
        let bad: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.rule_id == id && f.asset.id.starts_with("pki/fullchain.pem"))
            .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Error))
            .collect();
        assert!(bad.is_empty(), "{id} on the fullchain: {bad:#?}");
    }
    assert!(
        !report.findings.iter().any(|f| f.outcome == Outcome::Error),
        "no error: {:#?}",
        report
            .findings
            .iter()
            .filter(|f| f.outcome == Outcome::Error)
            .collect::<Vec<_>>()
    );
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.level == icvsec_model::DiagnosticLevel::Error),
        "{:#?}",
        report.diagnostics
    );
    assert!(report.complete);
    let _ = std::fs::remove_dir_all(&dir);
}

/// issue 19 part 3: certificates and keys known by content whatever the name; a DER
/// public key is a public-key asset, not a broken certificate; a file that sniffs as
/// nothing is not an asset (no error).
#[test]
fn crypto_files_are_known_by_content() {
    let dir = tmp("content");
    let etc = dir.join("etc");
    std::fs::create_dir_all(&etc).unwrap();
    // A certificate named .ca, a DER public key without extension, a DER public key
    // named .crt, a private key without extension, and non-crypto files.
    std::fs::copy(
        fixtures().join("rules/ICV-CRT-023/pass/etc/ssl/device.ca"),
        etc.join("server.ca"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("rules/ICV-CRT-025/pass/etc/keys/update-verify"),
        etc.join("update-verify"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("rules/ICV-CRT-025/pass/etc/keys/update-verify"),
        etc.join("pinned.crt"),
    )
    .unwrap();
    std::fs::copy(
        fixtures().join("rules/ICV-CRT-024/pass/etc/keys/identity"),
        etc.join("identity"),
    )
    .unwrap();
    std::fs::write(etc.join("motd"), "welcome\n-----BEGIN nothing at all\n").unwrap();
    std::fs::write(etc.join("blob"), [0x30u8, 0x03, 0x02, 0x01, 0x00]).unwrap();
    std::fs::write(
        etc.join("certs.c"),
        "const char *c = \"-----BEGIN CERTIFICATE-----\\nMIIB\\n\";\n",
    )
    .unwrap();
    let inv = icvsec_inputs::load_build(&dir, &icvsec_inputs::LoadOptions::default());
    assert!(
        inv.certificates.contains_key("etc/server.ca"),
        "{:?}",
        inv.certificates.keys()
    );
    assert!(
        inv.keys.contains_key("etc/identity"),
        "{:?}",
        inv.keys.keys()
    );
    assert!(inv.public_keys.contains_key("etc/update-verify"));
    assert!(inv.public_keys.contains_key("etc/pinned.crt"));
    assert_eq!(inv.public_keys.len(), 2);
    assert!(
        inv.broken.is_empty()
            && !inv
                .diagnostics
                .iter()
                .any(|d| d.level == icvsec_model::DiagnosticLevel::Error
                    && d.location.file != "vehicle.json"),
        "{:#?} {:#?}",
        inv.broken,
        inv.diagnostics
    );
    let report = scan_with(&dir, &catalog());
    let pk: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.asset.kind == AssetKind::PublicKey)
        .collect();
    assert!(
        pk.iter()
            .any(|f| f.rule_id == "ICV-CRT-026" && f.outcome == Outcome::Pass)
    );
    assert!(
        pk.iter()
            .any(|f| f.rule_id == "ICV-CRT-025" && f.outcome == Outcome::Pass)
    );
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.asset.id.starts_with("etc/motd")
                || f.asset.id.starts_with("etc/blob")
                || f.asset.id.starts_with("etc/certs.c"))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A CA bundle of many roots: the findings name the root (subject and `#n of N`), the
/// leaf rules do not judge the roots, and only the distrusted root fails ICV-CRT-027.
#[test]
fn ca_bundle_findings_name_the_root_and_position() {
    let report = scan_with(&fixtures().join("rules/ICV-CRT-027/fail"), &catalog());
    let fails = of_rule(&report, "ICV-CRT-027", Outcome::Fail);
    assert_eq!(fails.len(), 1, "{fails:#?}");
    let m = &fails[0].message;
    assert!(
        m.contains("DigiNotar Root CA") && m.contains("#2 of 3"),
        "{m}"
    );
    assert!(m.contains("2011-09") && m.contains("Mozilla"), "{m}");
    // Roots are judged by the root policy, not by the leaf lifetime / key-size rules.
    for id in ["ICV-CRT-001", "ICV-CRT-009", "ICV-CRT-013", "ICV-CRT-021"] {
        assert!(of_rule(&report, id, Outcome::Fail).is_empty(), "{id}");
    }
}

/// issue 19 part 4: a user list (`--blocklist FILE`) adds keys; the private key whose
/// public half is listed is a critical failure, the certificate of that key high; a bad
/// list is a usage error naming the file and line.
#[test]
fn user_blocklist_flags_private_key_certificate_and_public_key() {
    let dir = tmp("userlist");
    let build = dir.join("build");
    copy_dir(&fixtures().join("rules/ICV-CRT-024/pass"), &build);
    copy_dir(&fixtures().join("rules/ICV-CRT-025/pass"), &build);
    // The SPKI SHA-256 of the fresh public key (DER SubjectPublicKeyInfo).
    let der = std::fs::read(build.join("etc/keys/update-verify")).unwrap();
    let spki = icvsec_pki::sniff(&der)[0].spki_sha256.clone().unwrap();
    let list = dir.join("fleet-leaked.txt");
    std::fs::write(
        &list,
        format!(
            "source fleet-leak keys found in a leaked vendor SDK\nspki-sha256 {spki} fleet-leak update key of SDK 1.2\n"
        ),
    )
    .unwrap();
    let b = build.to_str().unwrap();
    let l = list.to_str().unwrap();
    let without = icvsec(&[
        "scan",
        b,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--no-progress",
    ]);
    let with = icvsec(&[
        "scan",
        b,
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--no-progress",
        "--blocklist",
        l,
    ]);
    let parse = |o: &std::process::Output| -> Report {
        serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
    };
    let (without, with) = (parse(&without), parse(&with));
    assert!(of_rule(&without, "ICV-CRT-025", Outcome::Fail).is_empty());
    let f = of_rule(&with, "ICV-CRT-025", Outcome::Fail);
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("fleet-leak"), "{}", f[0].message);
    // A malformed list: usage error naming file and line.
    std::fs::write(&list, "spki-sha256 1234 x\n").unwrap();
    let bad = icvsec(&[
        "scan",
        b,
        "--as-of",
        AS_OF,
        "--no-progress",
        "--blocklist",
        l,
    ]);
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("fleet-leaked.txt:1:"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shipped list holds icvsec's own published test keys: the private key is a
/// critical failure, the certificate of that key a high one.
#[test]
fn shipped_blocklist_flags_published_private_key_and_its_certificate() {
    let r = scan_with(&fixtures().join("rules/ICV-CRT-024/fail"), &catalog());
    let f = of_rule(&r, "ICV-CRT-024", Outcome::Fail);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, icvsec_model::Severity::Critical);
    assert!(f[0].message.contains("icvsec-test"), "{}", f[0].message);
    let r = scan_with(&fixtures().join("rules/ICV-CRT-023/fail"), &catalog());
    let f = of_rule(&r, "ICV-CRT-023", Outcome::Fail);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, icvsec_model::Severity::High);
}

/// `icvsec keys BUILD`: the SPKI SHA-256 of every certificate, private and public key
/// per ECU and file; the same key in two places is listed under `shared` when it is in
/// two ECUs.
#[test]
fn keys_command_writes_the_fingerprint_inventory() {
    let dir = tmp("keys");
    copy_dir(&fixtures().join("rules/ICV-CRT-024/fail"), &dir);
    copy_dir(&fixtures().join("rules/ICV-CRT-025/fail"), &dir);
    let out = icvsec(&["keys", dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "icvsec-key-inventory/1");
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{keys:#?}");
    // The private key and the DER public key are the same published key.
    assert_eq!(keys[0]["spki_sha256"], keys[1]["spki_sha256"]);
    assert_eq!(
        keys[0]["spki_sha256"],
        "1f9d14c0e75ba77ef76a1414a7fff0d061dda1854c7784b6934daa07357df4ca"
    );
    let kinds: Vec<&str> = keys.iter().map(|k| k["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"private_key") && kinds.contains(&"public_key"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// ICV-CRT-019 also covers private keys found by content: the same key pair in the root
/// filesystems of two ECUs fails, naming both ECUs and files.
#[test]
fn same_private_key_in_two_ecus_is_a_shared_key_pair() {
    let dir = tmp("shared");
    std::fs::write(
        dir.join("vehicle.json"),
        r#"{ "schema_version": 1, "vehicle": { "model": "t", "markets": ["CN"] },
  "ecus": [ { "id": "a", "role": "tbox", "rootfs": "a" }, { "id": "b", "role": "ivi", "rootfs": "b" } ] }"#,
    )
    .unwrap();
    let key = fixtures().join("rules/ICV-CRT-024/pass/etc/keys/identity");
    for (ecu, name) in [("a", "etc/tls/device"), ("b", "data/misc/client.key")] {
        let p = dir.join(ecu).join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::copy(&key, &p).unwrap();
    }
    let r = scan_with(&dir, &catalog());
    let f = of_rule(&r, "ICV-CRT-019", Outcome::Fail);
    assert_eq!(
        f.len(),
        1,
        "{:#?}",
        r.findings
            .iter()
            .filter(|f| f.rule_id == "ICV-CRT-019")
            .collect::<Vec<_>>()
    );
    assert!(
        f[0].message.contains("ECUs a, b")
            && f[0].message.contains("a/etc/tls/device")
            && f[0].message.contains("b/data/misc/client.key"),
        "{}",
        f[0].message
    );
    // One ECU alone: not applicable (nothing shared, no identity declared).
    std::fs::remove_dir_all(dir.join("b")).unwrap();
    let r = scan_with(&dir, &catalog());
    assert!(of_rule(&r, "ICV-CRT-019", Outcome::Fail).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
