//! Certificates and private keys: icvsec-pki's lints as rule checks, plus the checks that
//! need the vehicle's declarations (what a certificate is used for, which anchor it must
//! chain to, which ECU holds which identity).

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::{CertAsset, CertUse};
use icvsec_model::report::root_cause_key;
use icvsec_model::{AssetKind, Location};
use icvsec_pki::chain::{ChainErrorKind, ChainOptions, KeyPurpose};
use icvsec_pki::lint::{self, LintResult};
use serde::Deserialize;

/// The validity fact of a certificate at a date (`expired`, `not-yet-valid`), if any.
fn validity_fact(cert: &icvsec_pki::Certificate, as_of: i64) -> Option<&'static str> {
    if cert.not_after <= cert.not_before {
        None
    } else if as_of > cert.not_after {
        Some("expired")
    } else if as_of < cert.not_before {
        Some("not-yet-valid")
    } else {
        None
    }
}

/// Turn lint results into outcomes; an empty result means the lint does not apply.
fn report(asset: &CertAsset, results: Vec<LintResult>, warnings_fail: bool, sink: &mut Sink) {
    if results.is_empty() {
        sink.not_applicable(format!("does not apply to {}", asset.cert.label()));
        return;
    }
    for r in results {
        let failed = !r.passed && (!r.warning || warnings_fail);
        let mut msg = if r.warning && !warnings_fail {
            format!("{} (warning)", r.message)
        } else {
            r.message
        };
        // In a file of several certificates, say which one (subject and position).
        if asset.of > 1 {
            msg = format!("certificate {}: {msg}", asset.name());
        }
        sink.verdict(!failed, msg, asset.location());
    }
}

fn cert<'a>(ctx: &'a Ctx, sink: &mut Sink) -> Option<&'a CertAsset> {
    let c = ctx.inv.certificates.get(ctx.asset.id.as_str());
    if c.is_none() {
        sink.error("certificate not in the inventory", ctx.asset.home.clone());
    }
    c
}

/// A trust anchor (declared, or a root of a CA bundle) is judged by the root policy
/// (`cert.anchor_policy`), not by the leaf rules of lifetime, key size, validity and
/// version: a 20-year RSA-2048 root or a v1 root is normal in a trust store.
fn leaf_policy_only(c: &CertAsset, sink: &mut Sink) -> bool {
    if crate::keys::is_anchor(c) {
        sink.not_applicable(format!(
            "trust anchor {}: judged by the root policy (cert.anchor_policy), not the leaf policy",
            c.name()
        ));
        return false;
    }
    true
}

macro_rules! lint_check {
    ($name:literal, $params:ty, $f:path, $summary:literal) => {
        CheckDef::new::<$params>($name, AssetKind::Certificate, $summary, |ctx, p, sink| {
            if let Some(c) = cert(ctx, sink) {
                report(c, $f(&c.cert, p), false, sink);
            }
        })
    };
    (leaf: $name:literal, $params:ty, $f:path, $summary:literal) => {
        CheckDef::new::<$params>($name, AssetKind::Certificate, $summary, |ctx, p, sink| {
            if let Some(c) = cert(ctx, sink)
                && leaf_policy_only(c, sink)
            {
                report(c, $f(&c.cert, p), false, sink);
            }
        })
    };
}

pub fn checks() -> Vec<CheckDef> {
    vec![
        lint_check!(
            leaf: "cert.rsa_key_size",
            lint::RsaKeySizeParams,
            lint::rsa_key_size,
            "RSA keys are long enough for the certificate's lifetime."
        ),
        lint_check!(
            "cert.rsa_exponent",
            lint::RsaExponentParams,
            lint::rsa_exponent,
            "RSA public exponent is odd and at least 65537."
        ),
        lint_check!(
            "cert.rsa_modulus",
            lint::RsaModulusParams,
            lint::rsa_modulus,
            "RSA modulus is odd and not Fermat-factorable."
        ),
        lint_check!(
            "cert.ec_curve",
            lint::EcCurveParams,
            lint::ec_curve,
            "EC keys use an allowed named curve."
        ),
        lint_check!(
            "cert.dsa_key",
            lint::NoParams,
            lint::dsa_key,
            "No DSA keys."
        ),
        lint_check!(
            "cert.signature_hash",
            lint::SignatureHashParams,
            lint::signature_hash,
            "No MD5/SHA-1 signatures; SM2-with-SM3 accepted."
        ),
        lint_check!(
            "cert.signature_algorithm_match",
            lint::NoParams,
            lint::signature_algorithm_match,
            "Outer and TBS signature algorithms match."
        ),
        lint_check!(
            leaf: "cert.lifetime",
            lint::LifetimeParams,
            lint::lifetime,
            "Validity period fits the key strength."
        ),
        lint_check!(
            leaf: "cert.version3",
            lint::NoParams,
            lint::version3,
            "X.509 version 3."
        ),
        lint_check!(
            "cert.ca_basic_constraints",
            lint::CaBasicConstraintsParams,
            lint::ca_basic_constraints,
            "CA certificates: basicConstraints critical, cA true, sane pathLen."
        ),
        lint_check!(
            "cert.ca_key_usage",
            lint::CaKeyUsageParams,
            lint::ca_key_usage,
            "CA certificates: keyUsage critical with keyCertSign."
        ),
        lint_check!(
            "cert.self_signed_leaf",
            lint::NoParams,
            lint::self_signed_leaf,
            "End-entity certificates are not self-signed."
        ),
        lint_check!(
            "cert.dev_leftovers",
            lint::DevLeftoverParams,
            lint::dev_leftovers,
            "No test/example/localhost names in production certificates."
        ),
        CheckDef::new::<lint::ValidityParams>(
            "cert.validity",
            AssetKind::Certificate,
            "Valid at the evaluation date (expiry within the warning window is noted, not failed).",
            |ctx, p, sink| {
                if let Some(c) = cert(ctx, sink)
                    && leaf_policy_only(c, sink)
                {
                    report(c, lint::validity(&c.cert, p, ctx.as_of), false, sink);
                    // The defect, from the dates themselves: chain checks that fail on
                    // the same dates name the same fact.
                    if let Some(fact) = validity_fact(&c.cert, ctx.as_of)
                        && let Some(e) = sink.evals.last_mut()
                        && e.outcome == icvsec_model::Outcome::Fail
                    {
                        e.fact(root_cause_key(AssetKind::Certificate, &ctx.asset.id, fact));
                    }
                }
            },
        ),
        CheckDef::new::<lint::ValidityParams>(
            "cert.expiring_soon",
            AssetKind::Certificate,
            "Not expiring within the warning window.",
            |ctx, p, sink| {
                if let Some(c) = cert(ctx, sink)
                    && leaf_policy_only(c, sink)
                {
                    // Only the warning matters here; expired/not-yet-valid is ICV-CRT-008's.
                    let rs: Vec<LintResult> = lint::validity(&c.cert, p, ctx.as_of)
                        .into_iter()
                        .map(|r| {
                            if !r.passed && !r.warning {
                                LintResult::pass(format!(
                                    "not in the expiry window ({})",
                                    r.message
                                ))
                            } else {
                                r
                            }
                        })
                        .collect();
                    report(c, rs, true, sink);
                }
            },
        ),
        CheckDef::new::<lint::LeafParams>(
            "cert.leaf_not_ca",
            AssetKind::Certificate,
            "End-entity certificates do not assert CA capabilities.",
            |ctx, p, sink| {
                if let Some(c) = cert(ctx, sink) {
                    // A certificate the build uses as an identity or server is a known leaf.
                    let known = c.uses.iter().any(|u| !matches!(u, CertUse::Anchor { .. }));
                    let p = lint::LeafParams {
                        known_leaf: p.known_leaf || known,
                    };
                    report(c, lint::leaf_not_ca(&c.cert, &p), false, sink);
                }
            },
        ),
        CheckDef::new::<EkuParams>(
            "cert.eku_fits",
            AssetKind::Certificate,
            "The EKU fits the certificate's declared use.",
            eku_fits,
        ),
        CheckDef::new::<lint::RevocationParams>(
            "cert.revocation_info",
            AssetKind::Certificate,
            "Certificates used online carry a CRL distribution point or OCSP URL.",
            |ctx, p, sink| {
                if let Some(c) = cert(ctx, sink) {
                    if !c.uses.iter().any(CertUse::online) {
                        sink.not_applicable("not used on a connection in this build");
                        return;
                    }
                    report(c, lint::revocation_info(&c.cert, p), false, sink);
                }
            },
        ),
        CheckDef::new::<ChainParams>(
            "cert.chain",
            AssetKind::Certificate,
            "Chains to its declared trust anchor with verified signatures.",
            chain,
        ),
        CheckDef::new::<lint::NoParams>(
            "cert.unencrypted_private_key",
            AssetKind::PrivateKey,
            "No unencrypted private key in the build; keys are linked to their certificates.",
            |ctx, p, sink| {
                let Some(k) = ctx.inv.keys.get(ctx.asset.id.as_str()) else {
                    sink.error("key not in the inventory", ctx.asset.home.clone());
                    return;
                };
                let results = lint::unencrypted_private_key(&k.key, p);
                for r in results {
                    let mut msg = r.message;
                    if !k.certificates.is_empty() {
                        msg.push_str(&format!(
                            "; it is the key of {}",
                            crate::api::name_list(&k.certificates, KEY_CERTS_NAMED)
                        ));
                    }
                    let e = sink.verdict(r.passed, msg, k.location());
                    // The first certificates as related places; a key shared by thousands
                    // of certificates would otherwise weigh a megabyte per finding.
                    for id in k.certificates.iter().take(KEY_CERTS_RELATED) {
                        if let Some(c) = ctx.inv.certificates.get(id) {
                            e.related(c.location());
                        }
                    }
                }
            },
        ),
        CheckDef::new::<lint::NoParams>(
            "cert.shared_key_pair",
            AssetKind::Vehicle,
            "No key pair is shared by the identity certificates of two ECUs.",
            shared_key_pair,
        ),
    ]
}

/// Certificates of a key named in the message, and given as related places.
const KEY_CERTS_NAMED: usize = 5;
const KEY_CERTS_RELATED: usize = 20;

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct EkuParams {
    allow_missing: bool,
    allow_any: bool,
}

fn expected_purpose(u: &CertUse) -> Option<(KeyPurpose, String)> {
    match u {
        CertUse::Server { endpoint, .. } => Some((
            KeyPurpose::ServerAuth,
            format!("server certificate of endpoint `{endpoint}`"),
        )),
        CertUse::EcuIdentity { ecu } => {
            Some((KeyPurpose::ClientAuth, format!("identity of ECU `{ecu}`")))
        }
        CertUse::Profile {
            profile,
            server: false,
            ..
        } => Some((
            KeyPurpose::ClientAuth,
            format!("client certificate of TLS profile `{profile}`"),
        )),
        CertUse::Profile {
            profile,
            server: true,
            ..
        } => Some((
            KeyPurpose::ServerAuth,
            format!("server certificate of TLS profile `{profile}`"),
        )),
        CertUse::UpdateSigning { ecu } => Some((
            KeyPurpose::CodeSigning,
            format!("update signing certificate of ECU `{ecu}`"),
        )),
        CertUse::Anchor { .. } => None,
    }
}

fn eku_fits(ctx: &Ctx, p: &EkuParams, sink: &mut Sink) {
    let Some(c) = cert(ctx, sink) else { return };
    let mut purposes: Vec<(KeyPurpose, String)> =
        c.uses.iter().filter_map(expected_purpose).collect();
    purposes.sort();
    purposes.dedup_by(|a, b| a.0 == b.0);
    if purposes.is_empty() {
        sink.not_applicable("the build does not declare what this certificate is used for");
        return;
    }
    for (purpose, why) in purposes {
        let params = lint::EkuParams {
            expected: purpose,
            allow_missing: p.allow_missing,
            allow_any: p.allow_any,
        };
        for r in lint::eku_fits(&c.cert, &params) {
            sink.verdict(r.passed, format!("{why}: {}", r.message), c.location());
        }
    }
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ChainParams {
    /// Apply the key policy (RSA ≥ 2048, no DSA, allowed curves) to every certificate of the path.
    strict_keys: bool,
    /// Require the leaf's EKU to name the purpose.
    strict_eku: bool,
    max_depth: Option<u32>,
}

impl Default for ChainParams {
    fn default() -> Self {
        ChainParams {
            strict_keys: true,
            strict_eku: true,
            max_depth: Some(4),
        }
    }
}

fn chain(ctx: &Ctx, p: &ChainParams, sink: &mut Sink) {
    let Some(c) = cert(ctx, sink) else { return };
    let inv = ctx.inv;
    let mut checked = false;
    for u in &c.uses {
        let (anchor, hostname) = match u {
            CertUse::Server { anchor, host, .. } => (anchor.clone(), Some(host.clone())),
            CertUse::Profile { anchor, .. } => (anchor.clone(), None),
            CertUse::EcuIdentity { .. } | CertUse::UpdateSigning { .. } => (None, None),
            CertUse::Anchor { .. } => continue,
        };
        let Some((purpose, why)) = expected_purpose(u) else {
            continue;
        };
        checked = true;
        let anchors: Vec<&CertAsset> = match &anchor {
            Some(a) => inv.anchor_certificates(a),
            None => inv
                .trust_anchors
                .iter()
                .filter(|(_, a)| !a.value.test_only)
                .flat_map(|(id, _)| inv.anchor_certificates(id))
                .collect(),
        };
        if anchors.is_empty() {
            sink.fail(
                format!(
                    "{why}: no {} trust anchor is declared to verify it against",
                    anchor
                        .as_deref()
                        .map_or("production".to_string(), |a| format!("`{a}`"))
                ),
                c.location(),
            );
            continue;
        }
        let anchor_certs: Vec<&icvsec_pki::Certificate> = anchors.iter().map(|a| &a.cert).collect();
        let intermediates: Vec<&icvsec_pki::Certificate> = inv
            .ca_certificates()
            .filter(|x| x.cert.sha256_fingerprint != c.cert.sha256_fingerprint)
            .filter(|x| {
                !anchor_certs
                    .iter()
                    .any(|a| a.sha256_fingerprint == x.cert.sha256_fingerprint)
            })
            .map(|x| &x.cert)
            .collect();
        let opts = ChainOptions {
            eku: Some(purpose),
            hostname: hostname.clone(),
            max_depth: p.max_depth,
            strict_keys: p.strict_keys,
            strict_eku: p.strict_eku,
            ..Default::default()
        };
        let v =
            icvsec_pki::verify_chain_refs(&c.cert, &intermediates, &anchor_certs, ctx.as_of, &opts);
        if v.valid {
            sink.pass(
                format!("{why}: chains to {}", v.path.join(" → ")),
                c.location(),
            );
        } else if let Some(f) = v.failure {
            let e = sink.fail(
                format!(
                    "{why}: broken link at `{}` (issued by `{}`{}): {}",
                    f.child_subject,
                    f.wanted_issuer,
                    f.tried
                        .as_ref()
                        .map(|t| format!("; tried `{t}`"))
                        .unwrap_or_default(),
                    f.message
                ),
                c.location(),
            );
            // A link broken by a certificate's dates is that certificate's defect (the
            // certificate the link names: this one or an intermediate of the build).
            let fact = match f.kind {
                ChainErrorKind::Expired => Some("expired"),
                ChainErrorKind::NotYetValid => Some("not-yet-valid"),
                _ => None,
            };
            if let Some(fact) = fact {
                let id = if f.child_subject == c.cert.subject {
                    Some(ctx.asset.id.as_str())
                } else {
                    inv.certificates
                        .iter()
                        .find(|(_, x)| x.cert.subject == f.child_subject)
                        .map(|(id, _)| id.as_str())
                };
                if let Some(id) = id {
                    e.fact(root_cause_key(AssetKind::Certificate, id, fact));
                }
            }
            // Name the other certificate of the broken link where the build holds it.
            if let Some(other) = f
                .tried
                .as_ref()
                .and_then(|t| inv.certificates.values().find(|x| &x.cert.subject == t))
            {
                e.related(other.location());
            }
        } else {
            sink.error(
                format!("{why}: chain verification gave no verdict"),
                c.location(),
            );
        }
    }
    if !checked {
        sink.not_applicable("not used as a server, identity or signing certificate in this build");
    }
}

fn shared_key_pair(ctx: &Ctx, p: &lint::NoParams, sink: &mut Sink) {
    let inv = ctx.inv;
    let mut identities = Vec::new();
    let mut places: Vec<Location> = Vec::new();
    for (ecu, e) in &inv.ecus {
        let Some(path) = e
            .config
            .as_ref()
            .and_then(|c| c.doc.identity_certificate.clone())
        else {
            continue;
        };
        for (_, c) in inv.certificates_in(path.trim_start_matches("./")) {
            identities.push((ecu.clone(), c.cert.clone()));
            places.push(c.location());
        }
    }
    // Private keys found in the ECUs' root filesystems (by content, whatever their
    // names): the same key pair in two ECUs is shared whether or not it is declared.
    let mut by_spki: std::collections::BTreeMap<&str, Vec<&icvsec_inputs::KeyAsset>> =
        std::collections::BTreeMap::new();
    for k in inv.keys.values() {
        if let (Some(spki), Some(_)) = (k.key.public_spki_sha256.as_deref(), &k.ecu) {
            by_spki.entry(spki).or_default().push(k);
        }
    }
    let mut key_fail = false;
    for (spki, ks) in &by_spki {
        let mut ecus: Vec<&str> = ks.iter().filter_map(|k| k.ecu.as_deref()).collect();
        ecus.sort();
        ecus.dedup();
        if ecus.len() < 2 {
            continue;
        }
        key_fail = true;
        let files: Vec<&str> = ks.iter().map(|k| k.file.as_str()).collect();
        let e = sink.fail(
            format!(
                "the same private key (SPKI SHA-256 {spki}) is deployed in ECUs {}: {}",
                ecus.join(", "),
                files.join(", ")
            ),
            ks[0].location(),
        );
        for k in &ks[1..] {
            e.related(k.location());
        }
    }
    if identities.is_empty() {
        if !key_fail {
            sink.not_applicable(
                "no ECU declares an identity certificate and no private key is held by two ECUs",
            );
        }
        return;
    }
    for r in lint::shared_key_pair(&identities, p) {
        let loc = places
            .first()
            .cloned()
            .unwrap_or_else(|| Location::file("vehicle.json"));
        let e = sink.verdict(r.passed, r.message, loc);
        if !r.passed {
            for pl in places.iter().skip(1) {
                e.related(pl.clone());
            }
        }
    }
}
