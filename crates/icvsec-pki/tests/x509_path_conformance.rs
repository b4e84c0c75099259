//! Conformance of `verify_chain` with x509-limbo expectations
//! (`/work/shared/corpora/x509-path/limbo-subset.json`, C2SP/x509-limbo @ 8a2e6f4).
//! Prints matched/compared per case family and the disagreeing cases; asserts a floor.

use std::collections::BTreeMap;
use std::path::PathBuf;

use icvsec_pki::{Certificate, ChainOptions, KeyPurpose, parse_certificates, verify_chain};

/// 2026-06-01T00:00:00Z, used when a testcase has no validation_time (limbo certificates
/// are valid 1970..2969 unless a case is about validity).
const DEFAULT_TIME: i64 = 1_780_272_000;

fn corpus() -> Option<PathBuf> {
    // ICVSEC_CORPORA overrides the default `../shared/corpora` next to the workspace.
    let p = std::env::var_os("ICVSEC_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/corpora"
            ))
        })
        .join("x509-path/limbo-subset.json");
    p.exists().then_some(p)
}

fn certs(v: &serde_json::Value) -> Result<Vec<Certificate>, String> {
    let mut out = Vec::new();
    for p in v.as_array().into_iter().flatten() {
        let mut c =
            parse_certificates(p.as_str().unwrap_or("").as_bytes()).map_err(|e| e.to_string())?;
        out.append(&mut c);
    }
    Ok(out)
}

#[test]
fn limbo_conformance() {
    let Some(path) = corpus() else {
        eprintln!(
            "SKIPPED: limbo_conformance: shared corpus x509-path absent (set ICVSEC_CORPORA or place it at ../shared/corpora)"
        );
        return;
    };
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut fam: BTreeMap<String, (u32, u32, Vec<String>)> = BTreeMap::new();
    for t in doc["testcases"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap();
        let family = format!("{}::", id.split("::").next().unwrap());
        let expect_ok = t["expected_result"] == "SUCCESS";
        let at = match t["validation_time"].as_str() {
            Some(s) => {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map(|d| d.unix_timestamp())
                    .unwrap_or(DEFAULT_TIME)
            }
            None => DEFAULT_TIME,
        };
        let ekus: Vec<&str> = t["extended_key_usage"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let eku = if ekus.contains(&"clientAuth") {
            Some(KeyPurpose::ClientAuth)
        } else if ekus.contains(&"codeSigning") {
            Some(KeyPurpose::CodeSigning)
        } else if ekus.contains(&"serverAuth") || t["validation_kind"] == "SERVER" {
            // A SERVER validation is a TLS server authentication.
            Some(KeyPurpose::ServerAuth)
        } else {
            None
        };
        let opts = ChainOptions {
            eku,
            hostname: t["expected_peer_name"]["value"]
                .as_str()
                .map(str::to_string),
            max_depth: t["max_chain_depth"].as_u64().map(|d| d as u32),
            // icvsec's own policy (not tuned per case): key policy on the whole path and
            // an explicit EKU on the leaf.
            strict_keys: true,
            strict_eku: true,
            ..Default::default()
        };
        let got = (|| -> Result<(bool, String), String> {
            let leaf = parse_certificates(t["peer_certificate"].as_str().unwrap_or("").as_bytes())
                .map_err(|e| e.to_string())?
                .into_iter()
                .next()
                .ok_or("no peer certificate")?;
            let inter = certs(&t["untrusted_intermediates"])?;
            let anchors = certs(&t["trusted_certs"])?;
            let v = verify_chain(&leaf, &inter, &anchors, at, &opts);
            Ok((
                v.valid,
                v.failure
                    .map(|f| format!("{:?}: {}", f.kind, f.message))
                    .unwrap_or_default(),
            ))
        })();
        let (ok, note) = match got {
            Ok(x) => x,
            // Unparseable input can only be a failure.
            Err(e) => (false, format!("parse error: {e}")),
        };
        let e = fam.entry(family).or_default();
        e.1 += 1;
        if ok == expect_ok {
            e.0 += 1;
        } else {
            e.2.push(format!(
                "{id}: expected {}, got {} {note}",
                t["expected_result"],
                if ok { "SUCCESS" } else { "FAILURE" }
            ));
        }
    }
    let (mut m, mut n) = (0, 0);
    for (f, (mm, nn, bad)) in &fam {
        println!("{f} {mm}/{nn}");
        for b in bad {
            println!("    disagree: {b}");
        }
        m += mm;
        n += nn;
    }
    println!("TOTAL x509-path: {m}/{n}");
    // Floors reached on 2026-11-30 with the RFC 5280 validator (47/70; pathlen 13/13).
    // Most webpki:: disagreements are
    // CA/Browser Forum profile rules (AKI on roots, CN must repeat a SAN, EKU not critical,
    // no EKU on roots, public-suffix wildcards, RSA modulus a multiple of 8, malformed AIA)
    // that icvsec does not impose on a vehicle PKI; see CONFORMANCE.md.
    assert!(n >= 60, "too few cases: {n}");
    assert!(m >= 47, "agreement below floor: {m}/{n}");
    assert!(
        fam.get("pathlen::").is_some_and(|f| f.0 == f.1),
        "pathlen floor"
    );
    assert!(
        fam.get("invalid::").is_some_and(|f| f.0 == f.1),
        "invalid:: must all match"
    );
}
