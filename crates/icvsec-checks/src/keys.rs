//! Key material as found in the build, whatever its file name: public keys judged by the
//! key policy, every certificate / private key / public key matched against the known-bad
//! key blocklist (shipped list plus `--blocklist`), and trust anchors of CA bundles
//! against the distrusted-roots table and the root policy.

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::{CertAsset, CertUse, PubKeyAsset};
use icvsec_model::AssetKind;
use icvsec_pki::bundle::{DistrustedRoots, Role};
use icvsec_pki::lint::{self, AnchorPolicyParams};
use icvsec_pki::{BlocklistHit, MatchedBy, PublicKeyInfo};
use serde::Deserialize;
use std::sync::OnceLock;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new::<lint::NoParams>(
            "key.known_bad_certificate_key",
            AssetKind::Certificate,
            "The certificate's public key is not a known-compromised or published key.",
            known_bad_certificate,
        ),
        CheckDef::new::<lint::NoParams>(
            "key.known_bad_private_key",
            AssetKind::PrivateKey,
            "The private key's public half is not a known-compromised or published key.",
            known_bad_private,
        ),
        CheckDef::new::<lint::NoParams>(
            "key.known_bad_public_key",
            AssetKind::PublicKey,
            "The public key is not a known-compromised or published key.",
            known_bad_public,
        ),
        CheckDef::new::<PublicKeyParams>(
            "key.public_key_strength",
            AssetKind::PublicKey,
            "Public keys found in the build are strong enough (RSA size and exponent, curve, no DSA).",
            public_key_strength,
        ),
        CheckDef::new::<lint::NoParams>(
            "cert.distrusted_root",
            AssetKind::Certificate,
            "Trust anchors and CA-bundle roots are not roots that root programs removed or distrusted.",
            distrusted_root,
        ),
        CheckDef::new::<AnchorPolicyParams>(
            "cert.anchor_policy",
            AssetKind::Certificate,
            "Trust anchors and CA-bundle roots meet the root policy (validity, lifetime, key, CA).",
            anchor_policy,
        ),
    ]
}

/// Whether a certificate stands as a trust anchor in this build: a declared anchor, or a
/// member of a CA bundle / trust store.
pub fn is_anchor(c: &CertAsset) -> bool {
    c.role == Some(Role::Anchor) || c.uses.iter().any(|u| matches!(u, CertUse::Anchor { .. }))
}

fn hit_text(h: &BlocklistHit) -> String {
    let how = match h.matched_by {
        MatchedBy::SpkiSha256 => "SPKI SHA-256",
        MatchedBy::ModulusSha256 => "modulus SHA-256 (badkeys form)",
        MatchedBy::DebianSha1 => "Debian openssl-blacklist fingerprint",
        MatchedBy::RocaFingerprint => "ROCA fingerprint of the modulus",
    };
    let mut s = format!("matched by {how}, list `{}`", h.source);
    if !h.note.is_empty() {
        s.push_str(&format!(": {}", h.note));
    }
    if !h.source_description.is_empty() {
        s.push_str(&format!(" ({})", h.source_description));
    }
    s
}

fn known_bad_certificate(ctx: &Ctx, _p: &lint::NoParams, sink: &mut Sink) {
    let Some(c) = ctx.inv.certificates.get(ctx.asset.id.as_str()) else {
        sink.error("certificate not in the inventory", ctx.asset.home.clone());
        return;
    };
    let hits = ctx.inv.key_blocklist.check_certificate(&c.cert);
    if hits.is_empty() {
        sink.pass(
            format!(
                "public key of certificate {} (SPKI SHA-256 {}) is on none of the {} blocklist entries",
                c.name(),
                c.cert.spki_sha256,
                ctx.inv.key_blocklist.len()
            ),
            c.location(),
        );
    }
    for h in hits {
        sink.fail(
            format!(
                "public key of certificate {} is known-compromised or published ({}); whoever holds the published private key can impersonate it",
                c.name(),
                hit_text(&h)
            ),
            c.location(),
        );
    }
}

fn known_bad_private(ctx: &Ctx, _p: &lint::NoParams, sink: &mut Sink) {
    let Some(k) = ctx.inv.keys.get(ctx.asset.id.as_str()) else {
        sink.error("key not in the inventory", ctx.asset.home.clone());
        return;
    };
    if k.key.public_spki_der.is_none() && k.key.public_spki_sha256.is_none() {
        sink.not_applicable(
            "the public half of this key cannot be derived without its password (encrypted key)",
        );
        return;
    }
    let hits = ctx.inv.key_blocklist.check_private_key(&k.key);
    if hits.is_empty() {
        sink.pass(
            format!(
                "public half of the private key (SPKI SHA-256 {}) is on none of the {} blocklist entries",
                k.key.public_spki_sha256.as_deref().unwrap_or("?"),
                ctx.inv.key_blocklist.len()
            ),
            k.location(),
        );
    }
    for h in hits {
        let e = sink.fail(
            format!(
                "a published or compromised private key is deployed: its public half is listed ({}); anyone holding the published key can impersonate this unit",
                hit_text(&h)
            ),
            k.location(),
        );
        for id in k.certificates.iter() {
            if let Some(c) = ctx.inv.certificates.get(id) {
                e.related(c.location());
            }
        }
    }
}

fn public_key<'a>(ctx: &'a Ctx, sink: &mut Sink) -> Option<&'a PubKeyAsset> {
    let k = ctx.inv.public_keys.get(ctx.asset.id.as_str());
    if k.is_none() {
        sink.error("public key not in the inventory", ctx.asset.home.clone());
    }
    k
}

fn known_bad_public(ctx: &Ctx, _p: &lint::NoParams, sink: &mut Sink) {
    let Some(k) = public_key(ctx, sink) else {
        return;
    };
    let hits = ctx.inv.key_blocklist.check_spki(&k.spki_der, false);
    if hits.is_empty() {
        sink.pass(
            format!(
                "{} (SPKI SHA-256 {}) is on none of the {} blocklist entries",
                k.format,
                k.spki_sha256,
                ctx.inv.key_blocklist.len()
            ),
            k.location(),
        );
    }
    for h in hits {
        sink.fail(
            format!(
                "{} is a known-compromised or published key ({}); whatever it verifies can be forged",
                k.format,
                hit_text(&h)
            ),
            k.location(),
        );
    }
}

/// Parameters of `key.public_key_strength` (the certificate rules' defaults).
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicKeyParams {
    pub min_rsa_bits: u32,
    pub min_rsa_exponent: u64,
    /// Allowed curve names (and `Ed25519` / `Ed448`).
    pub allowed_curves: Vec<String>,
}

impl Default for PublicKeyParams {
    fn default() -> Self {
        PublicKeyParams {
            min_rsa_bits: 2048,
            min_rsa_exponent: 65537,
            allowed_curves: lint::EcCurveParams::default().allowed,
        }
    }
}

/// Findings about one public key (empty: strong enough).
pub fn public_key_problems(k: &PublicKeyInfo, p: &PublicKeyParams) -> Vec<String> {
    let allowed = |n: &str| p.allowed_curves.iter().any(|a| a.eq_ignore_ascii_case(n));
    let mut out = Vec::new();
    match k {
        PublicKeyInfo::Rsa { bits, exponent, .. } => {
            if *bits < p.min_rsa_bits {
                out.push(format!(
                    "RSA-{bits} key; at least {} bits required",
                    p.min_rsa_bits
                ));
            }
            match exponent {
                Some(e) if *e % 2 == 1 && *e >= p.min_rsa_exponent => {}
                Some(e) => out.push(format!(
                    "RSA public exponent {e}; an odd exponent of at least {} is required",
                    p.min_rsa_exponent
                )),
                None => {}
            }
        }
        PublicKeyInfo::Ec {
            curve_name,
            curve_oid,
            ..
        } => match curve_name {
            Some(n) if allowed(n) => {}
            Some(n) => out.push(format!("EC key on curve {n}, which is not allowed")),
            None => out.push(format!(
                "EC key on an unnamed or explicit curve ({curve_oid})"
            )),
        },
        PublicKeyInfo::Ed25519 if !allowed("Ed25519") => out.push("Ed25519 is not allowed".into()),
        PublicKeyInfo::Ed448 if !allowed("Ed448") => out.push("Ed448 is not allowed".into()),
        PublicKeyInfo::Ed25519 | PublicKeyInfo::Ed448 => {}
        PublicKeyInfo::Dsa { bits } => out.push(format!(
            "DSA-{bits} key (DSA is withdrawn for signatures by FIPS 186-5)"
        )),
        PublicKeyInfo::Unknown { oid } => {
            out.push(format!("key algorithm {oid} is not recognised"))
        }
    }
    out
}

fn key_label(k: &PublicKeyInfo) -> String {
    match k {
        PublicKeyInfo::Rsa { bits, .. } => format!("RSA-{bits}"),
        PublicKeyInfo::Ec { curve_name, .. } => {
            format!("EC {}", curve_name.as_deref().unwrap_or("unnamed curve"))
        }
        PublicKeyInfo::Ed25519 => "Ed25519".into(),
        PublicKeyInfo::Ed448 => "Ed448".into(),
        PublicKeyInfo::Dsa { bits } => format!("DSA-{bits}"),
        PublicKeyInfo::Unknown { oid } => format!("algorithm {oid}"),
    }
}

fn public_key_strength(ctx: &Ctx, p: &PublicKeyParams, sink: &mut Sink) {
    let Some(k) = public_key(ctx, sink) else {
        return;
    };
    let problems = public_key_problems(&k.key, p);
    if problems.is_empty() {
        sink.pass(
            format!("{} {} is strong enough", k.format, key_label(&k.key)),
            k.location(),
        );
    }
    for m in problems {
        sink.fail(format!("{}: {m}", k.format), k.location());
    }
}

fn distrusted_table() -> &'static DistrustedRoots {
    static T: OnceLock<DistrustedRoots> = OnceLock::new();
    T.get_or_init(DistrustedRoots::shipped)
}

fn anchor<'a>(ctx: &'a Ctx, sink: &mut Sink) -> Option<&'a CertAsset> {
    let Some(c) = ctx.inv.certificates.get(ctx.asset.id.as_str()) else {
        sink.error("certificate not in the inventory", ctx.asset.home.clone());
        return None;
    };
    if !is_anchor(c) {
        sink.not_applicable("not a trust anchor or a CA-bundle root in this build");
        return None;
    }
    Some(c)
}

fn distrusted_root(ctx: &Ctx, _p: &lint::NoParams, sink: &mut Sink) {
    let Some(c) = anchor(ctx, sink) else { return };
    let found = distrusted_table().matches(&c.cert);
    if found.is_empty() {
        sink.pass(
            format!(
                "trust anchor {} is not among the {} roots removed or distrusted by root programs",
                c.name(),
                distrusted_table().root.len()
            ),
            c.location(),
        );
    }
    for m in found {
        sink.fail(format!("trust anchor {}: {m}", c.name()), c.location());
    }
}

fn anchor_policy(ctx: &Ctx, p: &AnchorPolicyParams, sink: &mut Sink) {
    let Some(c) = anchor(ctx, sink) else { return };
    for r in lint::anchor_policy(&c.cert, p, ctx.as_of) {
        let msg = format!("trust anchor {}: {}", c.name(), r.message);
        if r.warning {
            sink.pass(format!("{msg} (warning)"), c.location());
        } else {
            sink.verdict(r.passed, msg, c.location());
        }
    }
}
