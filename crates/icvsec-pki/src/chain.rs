//! Certificate path validation with rustls-webpki (signatures, validity, basic
//! constraints and path length, name constraints, EKU, host name), plus a diagnosis
//! naming the broken link when validation fails.

use std::time::Duration;

use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde::{Deserialize, Serialize};
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter};

use crate::Certificate;

/// Intended use checked against extendedKeyUsage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyPurpose {
    ServerAuth,
    ClientAuth,
    CodeSigning,
}

impl KeyPurpose {
    /// Name as used in [`crate::ExtendedKeyUsageExt::names`].
    pub fn name(self) -> &'static str {
        match self {
            Self::ServerAuth => "serverAuth",
            Self::ClientAuth => "clientAuth",
            Self::CodeSigning => "codeSigning",
        }
    }
}

/// Options of [`verify_chain`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChainOptions {
    /// Required extendedKeyUsage of the leaf (and of intermediates that carry one).
    pub eku: Option<KeyPurpose>,
    /// DNS name or IP address the leaf must be valid for.
    pub hostname: Option<String>,
    /// Largest number of intermediate certificates between leaf and anchor.
    pub max_depth: Option<u32>,
    /// Apply icvsec's key policy to every certificate of the built path (leaf,
    /// intermediates, anchor): RSA >= 2048 bits, no DSA, EC curves from the default
    /// allowlist of [`crate::lint::ec_curve`]. Path validation alone only judges the keys
    /// that verify a signature, and only by what ring can verify.
    pub strict_keys: bool,
    /// With `eku` set, also require the leaf to carry an extendedKeyUsage extension that
    /// names the purpose and not anyExtendedKeyUsage (webpki accepts a leaf without EKU).
    pub strict_eku: bool,
}

/// Why a path could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainErrorKind {
    UnknownIssuer,
    BadSignature,
    Expired,
    NotYetValid,
    NameConstraints,
    Eku,
    PathLength,
    HostnameMismatch,
    CaUsedAsLeaf,
    LeafUsedAsCa,
    UnsupportedAlgorithm,
    /// A key in the path fails the key policy (`strict_keys`).
    WeakKey,
    Malformed,
    Other,
}

/// The broken link of a failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainFailure {
    pub kind: ChainErrorKind,
    /// Subject of the certificate whose link is broken.
    pub child_subject: String,
    /// The issuer name it was looking for.
    pub wanted_issuer: String,
    /// Subject of the candidate issuer / anchor tried, if any.
    pub tried: Option<String>,
    /// Human-readable reason including webpki's error.
    pub message: String,
}

/// Result of [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainVerdict {
    pub valid: bool,
    /// Subjects from leaf to anchor when valid.
    pub path: Vec<String>,
    pub failure: Option<ChainFailure>,
}

struct AnyEku;
impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, _iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

const CODE_SIGNING: &[u8] = &[0x2b, 6, 1, 5, 5, 7, 3, 3];

fn algs() -> Vec<&'static dyn rustls_pki_types::SignatureVerificationAlgorithm> {
    use webpki::ring as r;
    vec![
        r::ECDSA_P256_SHA256,
        r::ECDSA_P256_SHA384,
        r::ECDSA_P384_SHA256,
        r::ECDSA_P384_SHA384,
        r::ED25519,
        r::RSA_PKCS1_2048_8192_SHA256,
        r::RSA_PKCS1_2048_8192_SHA384,
        r::RSA_PKCS1_2048_8192_SHA512,
        r::RSA_PKCS1_2048_8192_SHA256_ABSENT_PARAMS,
        r::RSA_PKCS1_2048_8192_SHA384_ABSENT_PARAMS,
        r::RSA_PKCS1_2048_8192_SHA512_ABSENT_PARAMS,
        r::RSA_PKCS1_3072_8192_SHA384,
        r::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        r::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        r::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    ]
}

fn is_sm2(c: &Certificate) -> bool {
    c.signature_algorithm.oid.starts_with("1.2.156.10197.1.50")
        || matches!(&c.public_key, crate::PublicKeyInfo::Ec { curve_name: Some(n), .. } if n == "SM2")
}

fn fail(
    kind: ChainErrorKind,
    child: &Certificate,
    tried: Option<&Certificate>,
    message: String,
) -> ChainVerdict {
    ChainVerdict {
        valid: false,
        path: vec![],
        failure: Some(ChainFailure {
            kind,
            child_subject: child.subject.clone(),
            wanted_issuer: child.issuer.clone(),
            tried: tried.map(|t| t.subject.clone()),
            message,
        }),
    }
}

/// Validates `leaf` up to one of `anchors` through `intermediates` at time `at` (unix
/// seconds). SM2 signatures cannot be verified (ring lacks SM2) and are reported as
/// [`ChainErrorKind::UnsupportedAlgorithm`], never as valid.
pub fn verify_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    at: i64,
    opts: &ChainOptions,
) -> ChainVerdict {
    if is_sm2(leaf) {
        return fail(
            ChainErrorKind::UnsupportedAlgorithm,
            leaf,
            None,
            "cannot verify SM2 signatures (no SM2 implementation in ring); chain not validated"
                .into(),
        );
    }
    let leaf_der = CertificateDer::from(leaf.der.as_slice());
    let ee = match EndEntityCert::try_from(&leaf_der) {
        Ok(e) => e,
        Err(e) => {
            return fail(
                ChainErrorKind::Malformed,
                leaf,
                None,
                format!("leaf not accepted by webpki: {e:?}"),
            );
        }
    };
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .iter()
        .map(|a| CertificateDer::from(a.der.as_slice()))
        .collect();
    let mut tas = Vec::new();
    let mut ta_errors = Vec::new();
    for (a, d) in anchors.iter().zip(&anchor_ders) {
        match webpki::anchor_from_trusted_cert(d) {
            Ok(t) => tas.push(t),
            Err(e) => ta_errors.push(format!("anchor {} unusable: {e:?}", a.subject)),
        }
    }
    let inter: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.der.as_slice()))
        .collect();
    let time = UnixTime::since_unix_epoch(Duration::from_secs(at.max(0) as u64));
    let max_depth = opts.max_depth;
    let depth_check = move |p: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
        match max_depth {
            Some(m) if p.intermediate_certificates().count() > m as usize => {
                Err(webpki::Error::MaximumPathDepthExceeded)
            }
            _ => Ok(()),
        }
    };
    let algs = algs();
    let result = match opts.eku {
        None => ee.verify_for_usage(&algs, &tas, &inter, time, AnyEku, None, Some(&depth_check)),
        Some(KeyPurpose::ServerAuth) => ee.verify_for_usage(
            &algs,
            &tas,
            &inter,
            time,
            webpki::KeyUsage::server_auth(),
            None,
            Some(&depth_check),
        ),
        Some(KeyPurpose::ClientAuth) => ee.verify_for_usage(
            &algs,
            &tas,
            &inter,
            time,
            webpki::KeyUsage::client_auth(),
            None,
            Some(&depth_check),
        ),
        Some(KeyPurpose::CodeSigning) => ee.verify_for_usage(
            &algs,
            &tas,
            &inter,
            time,
            webpki::KeyUsage::required(CODE_SIGNING),
            None,
            Some(&depth_check),
        ),
    };
    let path = match result {
        Ok(p) => {
            let mut subjects = vec![leaf.subject.clone()];
            for d in p.intermediate_certificates() {
                if let Some(c) = intermediates
                    .iter()
                    .find(|c| c.der.as_slice() == d.der().as_ref())
                {
                    subjects.push(c.subject.clone());
                }
            }
            let anchor_subject = p.anchor().subject.as_ref();
            if let Some(a) = anchors.iter().find(|a| {
                crate::der::read_tlv(&a.der)
                    .ok()
                    .and_then(|(t, _)| crate::der::children(t.content).ok())
                    .and_then(|top| crate::der::children(top[0].content).ok())
                    .is_some_and(|tbs| {
                        let i = if tbs.first().is_some_and(|k| k.tag == 0xa0) {
                            5
                        } else {
                            4
                        };
                        tbs.get(i).is_some_and(|s| s.content == anchor_subject)
                    })
            }) {
                subjects.push(a.subject.clone());
            }
            subjects
        }
        Err(e) => return diagnose(leaf, intermediates, anchors, at, e, &ta_errors),
    };
    if let Some(h) = &opts.hostname {
        match ServerName::try_from(h.as_str()) {
            Ok(name) => {
                if let Err(e) = ee.verify_is_valid_for_subject_name(&name) {
                    return fail(
                        ChainErrorKind::HostnameMismatch,
                        leaf,
                        None,
                        format!(
                            "leaf is not valid for `{h}` (SAN DNS {:?}, SAN IP {:?}): {e:?}",
                            leaf.san_dns, leaf.san_ip
                        ),
                    );
                }
            }
            Err(_) => {
                return fail(
                    ChainErrorKind::HostnameMismatch,
                    leaf,
                    None,
                    format!("`{h}` is not a valid DNS name or IP address"),
                );
            }
        }
    }
    if opts.strict_eku
        && let Some(want) = opts.eku
    {
        let p = crate::lint::EkuParams {
            expected: want,
            allow_missing: false,
            allow_any: false,
        };
        if let Some(r) = crate::lint::eku_fits(leaf, &p)
            .into_iter()
            .find(|r| !r.passed)
        {
            return fail(ChainErrorKind::Eku, leaf, None, r.message);
        }
    }
    if opts.strict_keys {
        let mut in_path: Vec<&Certificate> = vec![leaf];
        for subject in path.iter().skip(1) {
            if let Some(c) = intermediates
                .iter()
                .chain(anchors)
                .find(|c| &c.subject == subject)
            {
                in_path.push(c);
            }
        }
        for c in in_path {
            let findings = [
                crate::lint::rsa_key_size(
                    c,
                    &crate::lint::RsaKeySizeParams {
                        cutoff: i64::MAX,
                        ..Default::default()
                    },
                ),
                crate::lint::dsa_key(c, &crate::lint::NoParams {}),
                crate::lint::ec_curve(c, &Default::default()),
            ];
            if let Some(r) = findings.iter().flatten().find(|r| !r.passed) {
                return fail(
                    ChainErrorKind::WeakKey,
                    c,
                    None,
                    format!("`{}` in the path: {}", c.subject, r.message),
                );
            }
        }
    }
    ChainVerdict {
        valid: true,
        path,
        failure: None,
    }
}

/// Walks issuer links from the leaf (bounded) to find the first broken one.
fn diagnose(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    at: i64,
    err: webpki::Error,
    ta_errors: &[String],
) -> ChainVerdict {
    use webpki::Error as E;
    let extra = if ta_errors.is_empty() {
        String::new()
    } else {
        format!("; {}", ta_errors.join("; "))
    };
    let mut cur = leaf;
    let mut walked: Vec<&Certificate> = vec![leaf];
    for _ in 0..8 {
        if anchors.iter().any(|a| a.der == cur.der) {
            break;
        }
        // Candidates named like the issuer; prefer one whose key verifies the signature
        // (self-issued certificates and re-keyed CAs share names).
        let signed_by = |c: &Certificate| {
            crate::cert::verify_signature(
                tbs_of(&cur.der).unwrap_or(&[]),
                &cur.signature_algorithm,
                sig_of(&cur.der).unwrap_or(&[]),
                spki_of(&c.der).unwrap_or(&[]),
            ) == Some(true)
        };
        let named = |c: &&Certificate| c.subject == cur.issuer;
        let fresh = |c: &&Certificate| !walked.iter().any(|w| w.der == c.der);
        let anchor = anchors
            .iter()
            .filter(named)
            .find(|c| signed_by(c))
            .or_else(|| anchors.iter().find(named));
        let inter = intermediates
            .iter()
            .filter(named)
            .filter(fresh)
            .find(|c| signed_by(c))
            .or_else(|| intermediates.iter().filter(named).find(fresh));
        let anchor = anchor.filter(|a| signed_by(a) || inter.is_none_or(|i| !signed_by(i)));
        let Some(next) = anchor.or(inter) else {
            if matches!(err, E::UnknownIssuer) || matches!(err, E::MaximumPathBuildCallsExceeded) {
                let kind = if intermediates.iter().chain(anchors).any(is_sm2) {
                    ChainErrorKind::UnsupportedAlgorithm
                } else {
                    ChainErrorKind::UnknownIssuer
                };
                return fail(
                    kind,
                    cur,
                    None,
                    format!(
                        "no certificate among {} intermediates and {} anchors has subject `{}` (issuer of `{}`): {err:?}{extra}",
                        intermediates.len(),
                        anchors.len(),
                        cur.issuer,
                        cur.subject
                    ),
                );
            }
            break;
        };
        if is_sm2(next) {
            return fail(
                ChainErrorKind::UnsupportedAlgorithm,
                cur,
                Some(next),
                "cannot verify SM2 signatures".into(),
            );
        }
        if let Some(false) = crate::cert::verify_signature(
            tbs_of(&cur.der).unwrap_or(&[]),
            &cur.signature_algorithm,
            sig_of(&cur.der).unwrap_or(&[]),
            spki_of(&next.der).unwrap_or(&[]),
        ) && matches!(err, E::UnknownIssuer | E::InvalidSignatureForPublicKey)
        {
            return fail(
                ChainErrorKind::BadSignature,
                cur,
                Some(next),
                format!(
                    "signature of `{}` does not verify with the key of `{}`: {err:?}",
                    cur.subject, next.subject
                ),
            );
        }
        walked.push(next);
        cur = next;
        if anchor.is_some() {
            break;
        }
    }
    let kind = match &err {
        E::CertExpired { .. } => ChainErrorKind::Expired,
        E::CertNotValidYet { .. } => ChainErrorKind::NotYetValid,
        E::NameConstraintViolation | E::MalformedNameConstraint => ChainErrorKind::NameConstraints,
        E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => ChainErrorKind::Eku,
        E::PathLenConstraintViolated | E::MaximumPathDepthExceeded => ChainErrorKind::PathLength,
        E::InvalidSignatureForPublicKey => ChainErrorKind::BadSignature,
        E::UnknownIssuer => ChainErrorKind::UnknownIssuer,
        E::CaUsedAsEndEntity => ChainErrorKind::CaUsedAsLeaf,
        E::EndEntityUsedAsCa => ChainErrorKind::LeafUsedAsCa,
        E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            ChainErrorKind::UnsupportedAlgorithm
        }
        E::BadDer
        | E::BadDerTime
        | E::TrailingData(_)
        | E::MalformedExtensions
        | E::ExtensionValueInvalid => ChainErrorKind::Malformed,
        _ => ChainErrorKind::Other,
    };
    // Name the certificate the error is about where we can tell.
    let culprit: &Certificate = match kind {
        ChainErrorKind::Expired => walked
            .iter()
            .copied()
            .find(|c| at > c.not_after)
            .unwrap_or(leaf),
        ChainErrorKind::NotYetValid => walked
            .iter()
            .copied()
            .find(|c| at < c.not_before)
            .unwrap_or(leaf),
        ChainErrorKind::PathLength
        | ChainErrorKind::NameConstraints
        | ChainErrorKind::LeafUsedAsCa => walked.get(1).copied().unwrap_or(leaf),
        _ => leaf,
    };
    let tried = walked
        .iter()
        .position(|c| std::ptr::eq(*c, culprit))
        .and_then(|i| walked.get(i + 1))
        .copied();
    let what = match kind {
        ChainErrorKind::Expired => format!(
            "`{}` expired (notAfter {})",
            culprit.subject, culprit.not_after
        ),
        ChainErrorKind::NotYetValid => format!(
            "`{}` not yet valid (notBefore {})",
            culprit.subject, culprit.not_before
        ),
        _ => format!("path from `{}` rejected", leaf.subject),
    };
    fail(kind, culprit, tried, format!("{what}: {err:?}{extra}"))
}

fn top(der: &[u8]) -> Option<Vec<crate::der::Tlv<'_>>> {
    let (t, _) = crate::der::read_tlv(der).ok()?;
    crate::der::children(t.content).ok()
}
fn tbs_of(der: &[u8]) -> Option<&[u8]> {
    top(der).and_then(|t| t.first().map(|x| x.raw))
}
fn sig_of(der: &[u8]) -> Option<&[u8]> {
    top(der).and_then(|t| t.get(2).and_then(|x| x.content.get(1..)))
}
fn spki_of(der: &[u8]) -> Option<&[u8]> {
    let t = top(der)?;
    let tbs = crate::der::children(t.first()?.content).ok()?;
    let i = if tbs.first().is_some_and(|k| k.tag == 0xa0) {
        6
    } else {
        5
    };
    tbs.get(i).map(|x| x.raw)
}
