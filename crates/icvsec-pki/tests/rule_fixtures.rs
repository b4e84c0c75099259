//! Self-check of rules/basic/certificates.toml against fixtures/rules/ICV-CRT-*: every
//! rule's check runs with the rule's params on its fixtures, as of 2026-06-01; `fail/` must
//! produce a failed (non-warning) result, `pass/` none. (The generic engine test walks the
//! same fixtures through the rule engine; this test pins the lint side.)

use std::path::{Path, PathBuf};

use icvsec_pki::lint::{
    CERT_CHECKS, CHECKS, LintResult, run_cert_check, run_key_check, run_vehicle_check,
    validate_params,
};
use icvsec_pki::{parse_certificates, parse_private_keys};

const AS_OF: i64 = 1_780_272_000; // 2026-06-01T00:00:00Z

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn evaluate(check: &str, asset: &str, params: &serde_json::Value, dir: &Path) -> Vec<LintResult> {
    let mut results = Vec::new();
    let mut identities = Vec::new();
    for f in files(dir) {
        let bytes = std::fs::read(&f).unwrap();
        match asset {
            "private_key" => {
                for k in
                    parse_private_keys(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()))
                {
                    results.extend(run_key_check(check, params, &k).unwrap());
                }
            }
            "vehicle" => {
                let ecu = f
                    .parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                for c in parse_certificates(&bytes).unwrap() {
                    identities.push((ecu.clone(), c));
                }
            }
            _ => {
                let certs =
                    parse_certificates(&bytes).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
                assert_eq!(certs.len(), 1, "{}", f.display());
                for c in certs {
                    results.extend(run_cert_check(check, params, &c, AS_OF).unwrap());
                }
            }
        }
    }
    if asset == "vehicle" {
        results.extend(run_vehicle_check(check, params, &identities).unwrap());
    }
    results
}

#[test]
fn every_rule_fails_on_fail_and_passes_on_pass() {
    let text = std::fs::read_to_string(repo().join("rules/basic/certificates.toml")).unwrap();
    let doc: toml::Value = toml::from_str(&text).unwrap();
    let rules = doc["rule"].as_array().unwrap();
    assert_eq!(rules.len(), 19);
    assert_eq!(CHECKS.len(), 19);
    assert!(validate_params("cert.rsa_key_size", &serde_json::json!({"min_bit": 1})).is_err());
    assert!(validate_params("cert.version3", &serde_json::json!({"x": 1})).is_err());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        let check = r["check"].as_str().unwrap();
        let asset = r["applies_to"]["asset"].as_str().unwrap();
        if asset == "certificate" {
            assert!(CERT_CHECKS.contains(&check), "{id}: {check}");
        }
        let params: serde_json::Value = match r.get("params") {
            Some(p) => serde_json::to_value(p).unwrap(),
            None => serde_json::Value::Null,
        };
        assert!(CHECKS.contains(&(check, asset)), "{id}: {check} on {asset}");
        validate_params(check, &params).unwrap_or_else(|e| panic!("{id}: {e}"));
        let base = repo().join("fixtures/rules").join(id);
        let fail = evaluate(check, asset, &params, &base.join("fail"));
        let pass = evaluate(check, asset, &params, &base.join("pass"));
        assert!(
            fail.iter().any(|x| !x.passed && !x.warning),
            "{id}: fail/ did not fail: {fail:?}"
        );
        assert!(
            pass.iter().all(|x| x.passed),
            "{id}: pass/ failed: {pass:?}"
        );
        assert!(
            !pass.is_empty(),
            "{id}: pass/ not applicable: nothing checked"
        );
        println!(
            "{id} {check}: fail -> {}",
            fail.iter().find(|x| !x.passed).unwrap().message
        );
    }
}
