//! Public keys, trust anchors and raw signature verification with ring.

use base64::Engine;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::SubjectPublicKeyInfo;

use crate::Error;

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

/// A trust anchor given by the caller: a certificate (signers chain to it by issuer name
/// and signature) or a bare public key (signers must use exactly this key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Certificate {
        /// Complete DER certificate.
        der: Vec<u8>,
    },
    PublicKey {
        /// DER SubjectPublicKeyInfo.
        spki: Vec<u8>,
    },
}

impl Anchor {
    /// Reads anchors from PEM (CERTIFICATE and PUBLIC KEY blocks) or one DER certificate
    /// or SubjectPublicKeyInfo. `name` is used in errors.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Vec<Anchor>, Error> {
        if bytes.len() > 1 << 20 {
            return Err(Error::new(name, "anchor file larger than 1 MiB"));
        }
        if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            let mut out = Vec::new();
            for (label, der, line) in pem_blocks(name, bytes)? {
                match label.as_str() {
                    "CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                        check_cert(&der).map_err(|m| {
                            Error::new(format!("{name}: PEM block at line {line}"), m)
                        })?;
                        out.push(Anchor::Certificate { der });
                    }
                    "PUBLIC KEY" => {
                        PublicKey::from_spki(&der).map_err(|m| {
                            Error::new(format!("{name}: PEM block at line {line}"), m)
                        })?;
                        out.push(Anchor::PublicKey { spki: der });
                    }
                    _ => {}
                }
            }
            if out.is_empty() {
                return Err(Error::new(name, "no CERTIFICATE or PUBLIC KEY PEM block"));
            }
            return Ok(out);
        }
        if check_cert(bytes).is_ok() {
            return Ok(vec![Anchor::Certificate {
                der: bytes.to_vec(),
            }]);
        }
        PublicKey::from_spki(bytes).map_err(|m| {
            Error::new(
                format!("{name}: byte offset 0"),
                format!("neither a DER certificate nor a DER public key: {m}"),
            )
        })?;
        Ok(vec![Anchor::PublicKey {
            spki: bytes.to_vec(),
        }])
    }

    /// The anchor's public key.
    pub(crate) fn key(&self) -> Result<PublicKey, String> {
        match self {
            Anchor::Certificate { der } => {
                let (_, c) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
                PublicKey::from_spki(c.public_key().raw)
            }
            Anchor::PublicKey { spki } => PublicKey::from_spki(spki),
        }
    }
}

fn check_cert(der: &[u8]) -> Result<(), String> {
    match X509Certificate::from_der(der) {
        Ok(([], _)) => Ok(()),
        Ok((rest, _)) => Err(format!("{} bytes after the certificate", rest.len())),
        Err(e) => Err(format!("not an X.509 certificate: {e}")),
    }
}

/// PEM blocks: (label, DER, 1-based line of BEGIN). At most 64 blocks.
pub(crate) fn pem_blocks(name: &str, bytes: &[u8]) -> Result<Vec<(String, Vec<u8>, usize)>, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        Error::new(
            format!("{name}: byte offset {}", e.valid_up_to()),
            "PEM is not UTF-8",
        )
    })?;
    let mut out = Vec::new();
    let mut cur: Option<(String, String, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(l) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if out.len() >= 64 {
                return Err(Error::new(
                    format!("{name}: line {}", i + 1),
                    "more than 64 PEM blocks",
                ));
            }
            cur = Some((l.to_string(), String::new(), i + 1));
        } else if let Some(l) = line
            .strip_prefix("-----END ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            let (label, body, begin) = cur.take().ok_or_else(|| {
                Error::new(format!("{name}: line {}", i + 1), "END line without BEGIN")
            })?;
            if label != l {
                return Err(Error::new(
                    format!("{name}: line {}", i + 1),
                    format!("END {l} closes BEGIN {label}"),
                ));
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(body.as_bytes())
                .map_err(|e| {
                    Error::new(
                        format!("{name}: PEM block at line {begin}"),
                        format!("bad base64: {e}"),
                    )
                })?;
            out.push((label, der, begin));
        } else if let Some((_, body, _)) = cur.as_mut()
            && !line.contains(':')
        {
            body.push_str(line);
        }
    }
    if let Some((label, _, begin)) = cur {
        return Err(Error::new(
            format!("{name}: line {begin}"),
            format!("BEGIN {label} without END"),
        ));
    }
    Ok(out)
}

/// Key type and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyType {
    Rsa {
        bits: u32,
    },
    /// `bits` 256 = P-256, 384 = P-384.
    Ec {
        bits: u32,
    },
    Ed25519,
}

/// A public key ready for ring: key type and the subjectPublicKey bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicKey {
    pub kind: KeyType,
    pub key: Vec<u8>,
    /// Complete DER SubjectPublicKeyInfo (for comparing keys).
    pub spki: Vec<u8>,
}

impl PublicKey {
    pub(crate) fn from_spki(spki_der: &[u8]) -> Result<PublicKey, String> {
        let (rest, spki) = SubjectPublicKeyInfo::from_der(spki_der)
            .map_err(|e| format!("not a SubjectPublicKeyInfo: {e}"))?;
        if !rest.is_empty() {
            return Err(format!(
                "{} bytes after the SubjectPublicKeyInfo",
                rest.len()
            ));
        }
        let alg = spki.algorithm.algorithm.to_id_string();
        let key = spki.subject_public_key.data.to_vec();
        let kind = match alg.as_str() {
            OID_RSA | OID_RSA_PSS => {
                let bits = match spki.parsed() {
                    Ok(x509_parser::public_key::PublicKey::RSA(r)) => {
                        let m = r.modulus;
                        let m = &m[m.iter().position(|b| *b != 0).unwrap_or(m.len())..];
                        match m.first() {
                            Some(b) => (m.len() as u32 - 1) * 8 + (8 - b.leading_zeros()),
                            None => 0,
                        }
                    }
                    _ => return Err("malformed RSA public key".into()),
                };
                KeyType::Rsa { bits }
            }
            OID_EC => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string())
                    .unwrap_or_default();
                match curve.as_str() {
                    OID_P256 => KeyType::Ec { bits: 256 },
                    OID_P384 => KeyType::Ec { bits: 384 },
                    other => {
                        return Err(format!("EC curve {other} not supported (P-256, P-384 are)"));
                    }
                }
            }
            OID_ED25519 => KeyType::Ed25519,
            other => return Err(format!("public key algorithm {other} not supported")),
        };
        Ok(PublicKey {
            kind,
            key,
            spki: spki_der.to_vec(),
        })
    }

    pub(crate) fn bits(&self) -> u32 {
        match self.kind {
            KeyType::Rsa { bits } | KeyType::Ec { bits } => bits,
            KeyType::Ed25519 => 256,
        }
    }
}

/// Digest used by a signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        }
    }
    pub(crate) fn digest(self, data: &[u8]) -> Vec<u8> {
        let alg = match self {
            Hash::Sha256 => &ring::digest::SHA256,
            Hash::Sha384 => &ring::digest::SHA384,
            Hash::Sha512 => &ring::digest::SHA512,
        };
        let mut ctx = ring::digest::Context::new(alg);
        for c in data.chunks(crate::hash::CHUNK) {
            ctx.update(c);
        }
        ctx.finish().as_ref().to_vec()
    }
    pub(crate) fn from_oid(oid: &str) -> Option<Hash> {
        match oid {
            "2.16.840.1.101.3.4.2.1" => Some(Hash::Sha256),
            "2.16.840.1.101.3.4.2.2" => Some(Hash::Sha384),
            "2.16.840.1.101.3.4.2.3" => Some(Hash::Sha512),
            _ => None,
        }
    }
}

/// Signature scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    RsaPkcs1(Hash),
    RsaPss(Hash),
    Ecdsa(Hash),
    Ed25519,
}

impl Scheme {
    pub(crate) fn name(self, key: &PublicKey) -> String {
        match self {
            Scheme::RsaPkcs1(h) => format!("rsa-pkcs1-{}", h.name()),
            Scheme::RsaPss(h) => format!("rsa-pss-{}", h.name()),
            Scheme::Ecdsa(h) => format!("ecdsa-p{}-{}", key.bits(), h.name()),
            Scheme::Ed25519 => "ed25519".into(),
        }
    }
}

/// Verifies `sig` over `msg` with `key` under `scheme`. ECDSA signatures are accepted
/// ASN.1 DER-encoded, or fixed-width r||s when the length says so.
pub(crate) fn verify(
    key: &PublicKey,
    scheme: Scheme,
    msg: &[u8],
    sig: &[u8],
) -> Result<(), String> {
    use ring::signature as s;
    let alg: &dyn s::VerificationAlgorithm = match (key.kind, scheme) {
        (KeyType::Rsa { bits }, _) if bits < 2048 => {
            return Err(format!(
                "RSA key of {bits} bits is below 2048 bits and is not verified"
            ));
        }
        (KeyType::Rsa { .. }, Scheme::RsaPkcs1(Hash::Sha256)) => &s::RSA_PKCS1_2048_8192_SHA256,
        (KeyType::Rsa { .. }, Scheme::RsaPkcs1(Hash::Sha384)) => &s::RSA_PKCS1_2048_8192_SHA384,
        (KeyType::Rsa { .. }, Scheme::RsaPkcs1(Hash::Sha512)) => &s::RSA_PKCS1_2048_8192_SHA512,
        (KeyType::Rsa { .. }, Scheme::RsaPss(Hash::Sha256)) => &s::RSA_PSS_2048_8192_SHA256,
        (KeyType::Rsa { .. }, Scheme::RsaPss(Hash::Sha384)) => &s::RSA_PSS_2048_8192_SHA384,
        (KeyType::Rsa { .. }, Scheme::RsaPss(Hash::Sha512)) => &s::RSA_PSS_2048_8192_SHA512,
        (KeyType::Ec { bits: 256 }, Scheme::Ecdsa(Hash::Sha256)) => {
            if sig.len() == 64 && sig[0] != 0x30 {
                &s::ECDSA_P256_SHA256_FIXED
            } else {
                &s::ECDSA_P256_SHA256_ASN1
            }
        }
        (KeyType::Ec { bits: 256 }, Scheme::Ecdsa(Hash::Sha384)) => &s::ECDSA_P256_SHA384_ASN1,
        (KeyType::Ec { bits: 384 }, Scheme::Ecdsa(Hash::Sha256)) => &s::ECDSA_P384_SHA256_ASN1,
        (KeyType::Ec { bits: 384 }, Scheme::Ecdsa(Hash::Sha384)) => {
            if sig.len() == 96 && sig[0] != 0x30 {
                &s::ECDSA_P384_SHA384_FIXED
            } else {
                &s::ECDSA_P384_SHA384_ASN1
            }
        }
        (KeyType::Ed25519, Scheme::Ed25519) => &s::ED25519,
        (k, sch) => {
            return Err(format!(
                "signature scheme {sch:?} cannot be used with a {k:?} key"
            ));
        }
    };
    s::UnparsedPublicKey::new(alg, &key.key)
        .verify(msg, sig)
        .map_err(|_| "signature does not verify".to_string())
}

/// Heuristic for published test and development keys: the certificate subject names a
/// test/development/example identity, or is the AOSP test key's subject
/// (`O=Android, OU=Android, CN=Android, emailAddress=android@android.com`).
pub fn looks_like_test_subject(subject: &str) -> bool {
    let s = subject.to_ascii_lowercase();
    let words = [
        "test",
        "development",
        "devel",
        "example",
        "sample",
        "dummy",
        "do not use",
        "insecure",
    ];
    words.iter().any(|w| s.contains(w))
        || (s.contains("o=android")
            && s.contains("cn=android")
            && s.contains("android@android.com"))
}
