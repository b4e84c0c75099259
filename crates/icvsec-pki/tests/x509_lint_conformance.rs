//! Conformance with zlint's expectations on its own test certificates
//! (`/work/shared/corpora/x509-lint`, zmap/zlint @ 1007b1d5).
//!
//! For every row whose `concept` an icvsec lint covers, the matching lint runs with
//! parameters chosen to express the zlint lint's threshold (thresholds are rule
//! parameters in icvsec), and "defect present" (any failed result) is compared with
//! zlint's `Error`/`Warn`. Deliberate differences are listed in CONFORMANCE.md and in
//! `DELIBERATE` below; the figures are printed, and only a floor is asserted.

use std::collections::BTreeMap;
use std::path::PathBuf;

use icvsec_pki::lint::{self, LintResult};
use icvsec_pki::{Certificate, parse_certificates};

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
        .join("x509-lint");
    p.join("expected.json").exists().then_some(p)
}

fn defect(r: &[LintResult]) -> Option<bool> {
    if r.is_empty() {
        Some(false)
    } else {
        Some(r.iter().any(|x| !x.passed))
    }
}

/// zlint lint -> icvsec lint run with the equivalent threshold. `None`: not covered.
fn run(lint_name: &str, c: &Certificate) -> Option<bool> {
    use lint::*;
    let np = NoParams {};
    let size = |min| RsaKeySizeParams {
        min_bits: min,
        min_bits_after_cutoff: min,
        cutoff: i64::MAX,
    };
    // CA/B limits count the inclusive end second (RFC 5280 4.1.2.5).
    let life = |days| LifetimeParams {
        max_days_weak: days,
        max_days_strong: days,
        inclusive_end: true,
        ..Default::default()
    };
    match lint_name {
        // rsa-key-too-small
        // Code-signing BR: 3072 bits.
        "e_cs_rsa_key_size" => defect(&rsa_key_size(c, &size(3072))),
        "e_old_root_ca_rsa_mod_less_than_2048_bits" | "e_rsa_mod_less_than_2048_bits" => {
            defect(&rsa_key_size(c, &size(2048)))
        }
        "e_old_sub_ca_rsa_mod_less_than_1024_bits"
        | "e_old_sub_cert_rsa_mod_less_than_1024_bits" => defect(&rsa_key_size(c, &size(1024))),
        // rsa-public-exponent
        "e_mp_exponent_cannot_be_one"
        | "e_rsa_public_exponent_not_odd"
        | "e_rsa_public_exponent_too_small"
        | "w_rsa_public_exponent_not_in_range" => defect(&rsa_exponent(c, &Default::default())),
        // rsa-weak-modulus
        "e_rsa_fermat_factorization"
        | "w_rsa_mod_not_odd"
        | "w_rsa_mod_factors_smaller_than_752" => defect(&rsa_modulus(c, &Default::default())),
        "e_cert_sig_alg_not_match_tbs_sig_alg" => defect(&signature_algorithm_match(c, &np)),
        "e_signature_algorithm_not_supported"
        | "e_cs_signature_algorithm_not_supported"
        | "e_sub_cert_or_sub_ca_using_sha1" => defect(&signature_hash(c, &Default::default())),
        "e_br_prohibit_dsa_usage"
        | "e_dsa_improper_modulus_or_divisor_size"
        | "e_dsa_shorter_than_2048_bits"
        | "e_prohibit_dsa_usage" => defect(&dsa_key(c, &np)),
        "e_cs_ecdsa_prohibited_curve" | "e_ec_improper_curves" => {
            defect(&ec_curve(c, &Default::default()))
        }
        // 39 months from 2026-02-04 (the corpus certificate's notBefore) is 1185 days.
        "e_cs_max_validity_period_39_months" => defect(&lifetime(c, &life(1185))),
        "e_cs_max_validity_period_460_days" => defect(&lifetime(c, &life(460))),
        "e_tls_server_cert_valid_time_longer_than_398_days" => defect(&lifetime(c, &life(398))),
        "w_tls_server_cert_valid_time_longer_than_397_days" => defect(&lifetime(c, &life(397))),
        "e_validity_time_not_positive" => {
            defect(&validity(c, &ValidityParams { warn_days: 0 }, c.not_before))
        }
        "e_cert_extensions_version_not_3" | "e_invalid_certificate_version" => {
            defect(&version3(c, &np))
        }
        "e_basic_constraints_not_critical"
        | "e_ca_is_ca"
        | "e_path_len_constraint_improperly_included"
        | "e_path_len_constraint_zero_or_less" => {
            defect(&ca_basic_constraints(c, &Default::default()))
        }
        "e_ca_key_cert_sign_not_set"
        | "e_ca_key_usage_missing"
        | "e_ca_key_usage_not_critical"
        | "e_root_ca_key_usage_must_be_critical"
        | "e_root_ca_key_usage_present" => defect(&ca_key_usage(c, &Default::default())),
        "e_ext_key_usage_cert_sign_without_ca"
        | "e_sub_cert_key_usage_cert_sign_bit_set"
        | "e_sub_cert_key_usage_crl_sign_bit_set"
        | "e_sub_cert_not_is_ca" => defect(&leaf_not_ca(c, &Default::default())),
        "e_sub_cert_eku_missing" | "e_eku_critical" | "e_root_ca_extended_key_usage_present" => {
            defect(&eku_fits(
                c,
                &EkuParams {
                    allow_any: true,
                    ..Default::default()
                },
            ))
        }
        _ => None,
    }
}

/// Rows where icvsec deliberately answers differently (file, lint): reason.
const DELIBERATE: &[(&str, &str, &str)] = &[
    (
        "subCertPathLenPositive.pem",
        "e_path_len_constraint_zero_or_less",
        "(deliberate: icvsec's basicConstraints check also flags pathLen on a cA=false certificate, which zlint reports under e_path_len_constraint_improperly_included)",
    ),
    (
        "certVersion2NoExtensions.pem",
        "e_cert_extensions_version_not_3",
        "(deliberate: icvsec requires X.509 v3 for every certificate, extensions or not)",
    ),
    (
        "dsaNotShorterThan2048Bits.pem",
        "e_dsa_improper_modulus_or_divisor_size",
        "(deliberate: icvsec refuses DSA keys of any size)",
    ),
    (
        "dsaNotShorterThan2048Bits.pem",
        "e_dsa_shorter_than_2048_bits",
        "(deliberate: icvsec refuses DSA keys of any size)",
    ),
    (
        "ekuCrit.pem",
        "e_eku_critical",
        "(deliberate: a critical EKU is valid per RFC 5280; the CA/B rule against it is web-PKI policy)",
    ),
    (
        "rootCAWithEKU.pem",
        "e_root_ca_extended_key_usage_present",
        "(deliberate: icvsec checks EKU on end-entity certificates only; vehicle PKIs often constrain CAs by EKU)",
    ),
    (
        "goodRsaExp.pem",
        "e_rsa_public_exponent_not_odd",
        "(deliberate: exponent 3 is odd, but icvsec's exponent check also requires e >= 65537)",
    ),
    (
        "goodRsaExpLength.pem",
        "e_rsa_public_exponent_too_small",
        "(deliberate: exponent 5 passes the CA/B minimum of 3; icvsec requires e >= 65537)",
    ),
    (
        "caKeyUsageNoCertSign.pem",
        "e_ext_key_usage_cert_sign_without_ca",
        "(deliberate: a cA=true certificate whose keyUsage cannot sign certificates is reported by both the CA key-usage check and the leaf check, as an end-entity key marked CA)",
    ),
    (
        "sha1WithRSASignatureAlgorithm.pem",
        "e_signature_algorithm_not_supported",
        "(deliberate: icvsec refuses SHA-1 signatures, SP 800-131A / R155 26.3)",
    ),
    (
        "sha256WithRSAPSSSignatureAlgorithm.pem",
        "e_signature_algorithm_not_supported",
        "(deliberate: zlint requires the exact CA/B byte encoding of PSS parameters; icvsec accepts RSASSA-PSS with SHA-256 or stronger)",
    ),
];

#[test]
fn zlint_conformance() {
    let Some(dir) = corpus() else {
        eprintln!(
            "SKIPPED: zlint_conformance: shared corpus x509-lint absent (set ICVSEC_CORPORA or place it at ../shared/corpora)"
        );
        return;
    };
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut per: BTreeMap<String, (u32, u32, Vec<String>)> = BTreeMap::new();
    let mut not_covered: BTreeMap<String, u32> = BTreeMap::new();
    let (mut matched, mut compared) = (0u32, 0u32);
    for r in &rows {
        let concept = r["concept"].as_str().unwrap();
        let file = r["file"].as_str().unwrap();
        let lint_name = r["lint"].as_str().unwrap();
        let expected_defect = r["expected"].as_str().unwrap() != "Pass";
        let bytes = std::fs::read(dir.join("certs").join(file)).unwrap();
        let certs = match parse_certificates(&bytes) {
            Ok(c) if c.len() == 1 => c,
            other => {
                let e = per.entry(concept.to_string()).or_default();
                e.1 += 1;
                compared += 1;
                e.2.push(format!(
                    "{file} [{lint_name}]: parse: {:?}",
                    other.map(|v| v.len())
                ));
                continue;
            }
        };
        let Some(got) = run(lint_name, &certs[0]) else {
            *not_covered.entry(concept.to_string()).or_default() += 1;
            continue;
        };
        let e = per.entry(concept.to_string()).or_default();
        e.1 += 1;
        compared += 1;
        if got == expected_defect {
            e.0 += 1;
            matched += 1;
        } else {
            let why = DELIBERATE
                .iter()
                .find(|d| d.0 == file && d.1 == lint_name)
                .map(|d| d.2)
                .unwrap_or("");
            e.2.push(format!(
                "{file} [{lint_name}] zlint={} icvsec={} {why}",
                r["expected"].as_str().unwrap(),
                if got { "defect" } else { "pass" }
            ));
        }
    }
    for (concept, (m, n, bad)) in &per {
        println!("{concept}: {m}/{n}");
        for b in bad {
            println!("    disagree: {b}");
        }
    }
    for (concept, n) in &not_covered {
        println!("{concept}: not covered by an icvsec lint ({n} rows)");
    }
    println!("TOTAL x509-lint: {matched}/{compared}");
    assert!(compared >= 80, "too few rows compared: {compared}");
    assert!(
        matched * 100 >= compared * 70,
        "agreement below floor: {matched}/{compared}"
    );
}
