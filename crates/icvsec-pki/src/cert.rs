//! Certificate parsing into an owned summary.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use x509_parser::extensions::{DistributionPointName, GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::PkiError;
use crate::der::{self, bit_len, children, hex, read_tlv, sha256_hex};
use crate::oids::{self, HashFamily};
use crate::pem;

/// A signature AlgorithmIdentifier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignatureAlgorithm {
    /// Dotted OID.
    pub oid: String,
    /// Friendly name (`sha256WithRSAEncryption`, `SM2-with-SM3`, ...), or the OID when unknown.
    pub name: String,
    /// Hash family; for RSASSA-PSS taken from the parameters (SHA-1 when absent, RFC 4055).
    pub hash: HashFamily,
    /// Hex of the complete DER AlgorithmIdentifier (OID and parameters), for exact comparison.
    pub der_hex: String,
}

/// Subject public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PublicKeyInfo {
    /// RSA (rsaEncryption or RSASSA-PSS key).
    Rsa {
        /// Exact bit length of the modulus.
        bits: u32,
        /// Public exponent when it fits in 64 bits.
        exponent: Option<u64>,
        /// Public exponent as big-endian hex (always present, for huge exponents).
        exponent_hex: String,
        /// Modulus, big-endian, without leading zero bytes (hex in JSON).
        #[serde(with = "crate::hexser")]
        modulus: Vec<u8>,
    },
    /// Elliptic curve key (id-ecPublicKey or the SM2 key OID).
    Ec {
        /// Dotted curve OID, or `explicit` for explicit curve parameters.
        curve_oid: String,
        /// Recognised curve name (P-256, brainpoolP256r1, SM2, secp256k1, ...).
        curve_name: Option<String>,
        /// Field size in bits (0 when unknown).
        bits: u32,
    },
    Ed25519,
    Ed448,
    /// DSA; `bits` is the size of p (0 when parameters are absent).
    Dsa {
        bits: u32,
    },
    /// Anything else; the algorithm OID.
    Unknown {
        oid: String,
    },
}

impl PublicKeyInfo {
    /// Short key description used in findings: `RSA-2048`, `EC prime256v1`, `Ed25519`.
    pub fn label(&self) -> String {
        match self {
            PublicKeyInfo::Rsa { bits, .. } => format!("RSA-{bits}"),
            PublicKeyInfo::Ec { curve_name, .. } => {
                format!("EC {}", curve_name.as_deref().unwrap_or("unknown curve"))
            }
            PublicKeyInfo::Ed25519 => "Ed25519".into(),
            PublicKeyInfo::Ed448 => "Ed448".into(),
            PublicKeyInfo::Dsa { bits } => format!("DSA-{bits}"),
            PublicKeyInfo::Unknown { oid } => format!("key {oid}"),
        }
    }
}

/// basicConstraints extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasicConstraintsExt {
    pub critical: bool,
    pub ca: bool,
    pub path_len: Option<u32>,
}

/// keyUsage extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUsageExt {
    pub critical: bool,
    /// Named bits set: digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment,
    /// keyAgreement, keyCertSign, cRLSign, encipherOnly, decipherOnly.
    pub bits: BTreeSet<String>,
}

impl KeyUsageExt {
    pub fn has(&self, bit: &str) -> bool {
        self.bits.contains(bit)
    }
}

/// extendedKeyUsage extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendedKeyUsageExt {
    pub critical: bool,
    /// Names of recognised purposes (serverAuth, clientAuth, codeSigning, emailProtection,
    /// timeStamping, ocspSigning, any, ...), sorted.
    pub names: BTreeSet<String>,
    /// Every purpose OID, dotted, sorted.
    pub oids: BTreeSet<String>,
}

/// One extension's OID and criticality.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtensionInfo {
    pub oid: String,
    pub critical: bool,
}

/// Owned summary of one X.509 certificate: everything the checks need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// Complete DER (hex in JSON).
    #[serde(with = "crate::hexser")]
    pub der: Vec<u8>,
    /// 1-based line of the `-----BEGIN` line when read from PEM.
    pub pem_begin_line: Option<u32>,
    /// 0-based index of the PEM block among all blocks of the input.
    pub pem_block: Option<u32>,
    /// 1, 2 or 3.
    pub version: u32,
    pub serial_hex: String,
    /// RFC 4514-like rendering.
    pub subject: String,
    pub issuer: String,
    pub subject_cn: Option<String>,
    /// Unix seconds.
    pub not_before: i64,
    pub not_after: i64,
    /// Outer (Certificate.signatureAlgorithm).
    pub signature_algorithm: SignatureAlgorithm,
    /// TBSCertificate.signature.
    pub tbs_signature_algorithm: SignatureAlgorithm,
    pub public_key: PublicKeyInfo,
    pub basic_constraints: Option<BasicConstraintsExt>,
    pub key_usage: Option<KeyUsageExt>,
    pub extended_key_usage: Option<ExtendedKeyUsageExt>,
    /// URIs of CRL distribution points.
    pub crl_distribution_points: Vec<String>,
    /// OCSP responder URIs from authorityInfoAccess.
    pub ocsp_urls: Vec<String>,
    /// caIssuers URIs from authorityInfoAccess.
    pub ca_issuers_urls: Vec<String>,
    pub san_dns: Vec<String>,
    pub san_ip: Vec<String>,
    pub san_critical: Option<bool>,
    pub name_constraints: bool,
    pub subject_key_id: Option<String>,
    pub authority_key_id: Option<String>,
    /// Subject and issuer DER names are identical.
    pub self_issued: bool,
    /// The signature verifies with the certificate's own key. `None` when it cannot be
    /// decided (algorithm ring cannot verify: MD5, SM2, DSA, P-521, RSA < 1024 bits, ...).
    pub self_signed: Option<bool>,
    /// Every extension present, in certificate order.
    pub extensions: Vec<ExtensionInfo>,
    /// Extensions that x509-parser could not decode (`oid: error`).
    pub extension_errors: Vec<String>,
    /// SHA-256 of the DER, lower-case hex.
    pub sha256_fingerprint: String,
    /// SHA-256 of the DER SubjectPublicKeyInfo, lower-case hex (matches [`crate::PrivateKey::public_spki_sha256`]).
    pub spki_sha256: String,
}

impl Certificate {
    /// basicConstraints cA = TRUE.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.as_ref().is_some_and(|b| b.ca)
    }
    /// Self-signed when known, otherwise self-issued (same subject and issuer).
    pub fn is_self_signed_or_issued(&self) -> bool {
        self.self_signed.unwrap_or(self.self_issued)
    }
    /// Validity period in seconds (may be negative).
    pub fn lifetime_seconds(&self) -> i64 {
        self.not_after.saturating_sub(self.not_before)
    }
    /// Short label for messages: subject CN or subject.
    pub fn label(&self) -> String {
        match &self.subject_cn {
            Some(cn) => format!("CN={cn}"),
            None if self.subject.is_empty() => format!("serial {}", self.serial_hex),
            None => self.subject.clone(),
        }
    }
}

/// Parses certificates from PEM (any number of CERTIFICATE blocks, other text and other
/// blocks ignored) or from one DER certificate.
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, PkiError> {
    parse_certificates_in(bytes, &pem::Blocks::new(bytes))
}

/// [`parse_certificates`] with the input's PEM blocks shared with its other readers.
pub(crate) fn parse_certificates_in(
    bytes: &[u8],
    blocks: &pem::Blocks,
) -> Result<Vec<Certificate>, PkiError> {
    if bytes.len() > pem::MAX_INPUT_BYTES {
        return Err(PkiError::TooLarge {
            size: bytes.len(),
            limit: pem::MAX_INPUT_BYTES,
        });
    }
    if bytes.is_empty() {
        return Err(PkiError::Unrecognised {
            message: "empty input".into(),
        });
    }
    if pem::looks_like_pem(bytes) {
        let mut out = Vec::new();
        for b in blocks.get()? {
            if !matches!(
                b.label.as_str(),
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
            ) {
                continue;
            }
            let mut c = parse_der_exact(&b.der, b.label == "TRUSTED CERTIFICATE").map_err(
                |(offset, message)| PkiError::Pem {
                    block: b.index,
                    begin_line: b.begin_line,
                    line: b.begin_line,
                    message: format!("DER inside block, byte offset {offset}: {message}"),
                },
            )?;
            c.pem_begin_line = Some(b.begin_line);
            c.pem_block = Some(b.index);
            out.push(c);
        }
        return Ok(out);
    }
    if bytes[0] != 0x30 {
        return Err(PkiError::Unrecognised {
            message: format!(
                "neither PEM (no -----BEGIN line) nor DER (first byte 0x{:02x}, a certificate starts with 0x30)",
                bytes[0]
            ),
        });
    }
    let c = parse_der_exact(bytes, false)
        .map_err(|(offset, message)| PkiError::Der { offset, message })?;
    Ok(vec![c])
}

/// Parses exactly one DER certificate; trailing bytes are an error unless `allow_trailing`
/// (OpenSSL TRUSTED CERTIFICATE carries trust settings after the certificate).
fn parse_der_exact(bytes: &[u8], allow_trailing: bool) -> Result<Certificate, (usize, String)> {
    let (outer, rest) = read_tlv(bytes).map_err(|f| (f.offset, f.message))?;
    if outer.tag != 0x30 {
        return Err((
            0,
            format!("expected SEQUENCE (0x30), found tag 0x{:02x}", outer.tag),
        ));
    }
    if !rest.is_empty() && !allow_trailing {
        return Err((
            outer.raw.len(),
            format!(
                "{} bytes of trailing data after the certificate",
                rest.len()
            ),
        ));
    }
    let der_bytes = outer.raw;
    let (_, x) = X509Certificate::from_der(der_bytes)
        .map_err(|e| (0, format!("not a valid X.509 certificate: {e}")))?;
    summarise(der_bytes, &x).map_err(|m| (0, m))
}

fn alg_from_tlv(t: &der::Tlv<'_>) -> Result<SignatureAlgorithm, String> {
    let kids = children(t.content).map_err(|f| f.message)?;
    let oid_t = kids
        .first()
        .filter(|k| k.tag == 0x06)
        .ok_or("AlgorithmIdentifier without OID")?;
    let oid = der::oid_to_string(oid_t.content).ok_or("malformed OID")?;
    let (name, mut hash) = match oids::signature_algorithm(&oid) {
        Some((n, h)) => (n.to_string(), h),
        None => (oid.clone(), HashFamily::Unknown),
    };
    if oid == oids::OID_RSA_PSS {
        hash = pss_hash(kids.get(1));
    }
    Ok(SignatureAlgorithm {
        oid,
        name,
        hash,
        der_hex: hex(t.raw),
    })
}

/// RSASSA-PSS-params: hashAlgorithm [0] defaults to SHA-1.
fn pss_hash(params: Option<&der::Tlv<'_>>) -> HashFamily {
    let Some(p) = params.filter(|p| p.tag == 0x30) else {
        return HashFamily::Sha1;
    };
    let Ok(kids) = children(p.content) else {
        return HashFamily::Unknown;
    };
    for k in kids {
        if k.tag == 0xa0 {
            let inner = read_tlv(k.content)
                .ok()
                .and_then(|(alg, _)| children(alg.content).ok())
                .and_then(|v| v.first().and_then(|o| der::oid_to_string(o.content)));
            return inner.map_or(HashFamily::Unknown, |o| oids::hash_algorithm(&o));
        }
    }
    HashFamily::Sha1
}

/// Parses a DER SubjectPublicKeyInfo into [`PublicKeyInfo`].
pub(crate) fn public_key_from_spki(spki: &[u8]) -> Result<PublicKeyInfo, String> {
    let (t, _) = read_tlv(spki).map_err(|f| f.message)?;
    let kids = children(t.content).map_err(|f| f.message)?;
    let (alg, bits) = match kids.as_slice() {
        [a, b] if a.tag == 0x30 && b.tag == 0x03 => (a, b),
        _ => return Err("malformed SubjectPublicKeyInfo".into()),
    };
    let akids = children(alg.content).map_err(|f| f.message)?;
    let oid = akids
        .first()
        .and_then(|o| der::oid_to_string(o.content))
        .ok_or("SubjectPublicKeyInfo algorithm without OID")?;
    let params = akids.get(1);
    let key = bits.content.get(1..).unwrap_or(&[]);
    Ok(match oid.as_str() {
        oids::OID_RSA | oids::OID_RSA_PSS => {
            let (seq, _) = read_tlv(key).map_err(|f| format!("RSA key: {}", f.message))?;
            let ints = children(seq.content).map_err(|f| f.message)?;
            let (n, e) = match ints.as_slice() {
                [n, e] if n.tag == 2 && e.tag == 2 => (n.content, e.content),
                _ => return Err("RSA key is not SEQUENCE { n, e }".into()),
            };
            let strip = |v: &[u8]| v[v.iter().take_while(|b| **b == 0).count()..].to_vec();
            let n = strip(n);
            let e = strip(e);
            let exponent = (e.len() <= 8).then(|| e.iter().fold(0u64, |a, b| (a << 8) | *b as u64));
            PublicKeyInfo::Rsa {
                bits: bit_len(&n),
                exponent,
                exponent_hex: hex(&e),
                modulus: n,
            }
        }
        oids::OID_EC | oids::OID_SM2_KEY => {
            let curve_oid = match params {
                Some(p) if p.tag == 0x06 => {
                    der::oid_to_string(p.content).unwrap_or_else(|| "malformed".into())
                }
                Some(p) if p.tag == 0x30 => "explicit".into(),
                _ if oid == oids::OID_SM2_KEY => oids::OID_SM2_KEY.into(),
                _ => "absent".into(),
            };
            let curve_name = oids::curve_name(&curve_oid).map(str::to_string);
            let bits = curve_name.as_deref().map_or(0, oids::curve_bits);
            PublicKeyInfo::Ec {
                curve_oid,
                curve_name,
                bits,
            }
        }
        oids::OID_ED25519 => PublicKeyInfo::Ed25519,
        oids::OID_ED448 => PublicKeyInfo::Ed448,
        oids::OID_DSA => {
            let bits = params
                .filter(|p| p.tag == 0x30)
                .and_then(|p| children(p.content).ok())
                .and_then(|v| v.first().map(|pp| bit_len(pp.content)))
                .unwrap_or(0);
            PublicKeyInfo::Dsa { bits }
        }
        _ => PublicKeyInfo::Unknown { oid },
    })
}

fn ip_to_string(b: &[u8]) -> String {
    match b.len() {
        4 => std::net::Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => format!("invalid:{}", hex(b)),
    }
}

fn summarise(der_bytes: &[u8], x: &X509Certificate<'_>) -> Result<Certificate, String> {
    // Raw AlgorithmIdentifiers (x509-parser does not keep their encodings).
    let (outer, _) = read_tlv(der_bytes).map_err(|f| f.message)?;
    let top = children(outer.content).map_err(|f| f.message)?;
    if top.len() != 3 {
        return Err(format!(
            "certificate has {} top-level elements, expected 3",
            top.len()
        ));
    }
    let tbs_kids = children(top[0].content).map_err(|f| f.message)?;
    let idx = if tbs_kids.first().is_some_and(|k| k.tag == 0xa0) {
        2
    } else {
        1
    };
    let tbs_alg = tbs_kids.get(idx).ok_or("TBSCertificate too short")?;
    let tbs_signature_algorithm = alg_from_tlv(tbs_alg)?;
    let signature_algorithm = alg_from_tlv(&top[1])?;

    let tbs = &x.tbs_certificate;
    let spki_raw = tbs.subject_pki.raw;
    let public_key = public_key_from_spki(spki_raw)?;

    let mut c = Certificate {
        der: der_bytes.to_vec(),
        pem_begin_line: None,
        pem_block: None,
        version: tbs.version.0 + 1,
        serial_hex: hex(tbs.raw_serial()),
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        subject_cn: tbs
            .subject
            .iter_common_name()
            .next()
            .and_then(|a| a.as_str().ok())
            .map(str::to_string),
        not_before: tbs.validity.not_before.timestamp(),
        not_after: tbs.validity.not_after.timestamp(),
        signature_algorithm,
        tbs_signature_algorithm,
        public_key,
        basic_constraints: None,
        key_usage: None,
        extended_key_usage: None,
        crl_distribution_points: Vec::new(),
        ocsp_urls: Vec::new(),
        ca_issuers_urls: Vec::new(),
        san_dns: Vec::new(),
        san_ip: Vec::new(),
        san_critical: None,
        name_constraints: false,
        subject_key_id: None,
        authority_key_id: None,
        self_issued: tbs.subject.as_raw() == tbs.issuer.as_raw(),
        self_signed: None,
        extensions: Vec::new(),
        extension_errors: Vec::new(),
        sha256_fingerprint: sha256_hex(der_bytes),
        spki_sha256: sha256_hex(spki_raw),
    };

    for ext in tbs.extensions() {
        let oid = ext.oid.to_id_string();
        c.extensions.push(ExtensionInfo {
            oid: oid.clone(),
            critical: ext.critical,
        });
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(b) => {
                c.basic_constraints = Some(BasicConstraintsExt {
                    critical: ext.critical,
                    ca: b.ca,
                    path_len: b.path_len_constraint,
                })
            }
            ParsedExtension::KeyUsage(k) => {
                let mut bits = BTreeSet::new();
                let named = [
                    (k.digital_signature(), "digitalSignature"),
                    (k.non_repudiation(), "nonRepudiation"),
                    (k.key_encipherment(), "keyEncipherment"),
                    (k.data_encipherment(), "dataEncipherment"),
                    (k.key_agreement(), "keyAgreement"),
                    (k.key_cert_sign(), "keyCertSign"),
                    (k.crl_sign(), "cRLSign"),
                    (k.encipher_only(), "encipherOnly"),
                    (k.decipher_only(), "decipherOnly"),
                ];
                for (set, name) in named {
                    if set {
                        bits.insert(name.to_string());
                    }
                }
                c.key_usage = Some(KeyUsageExt {
                    critical: ext.critical,
                    bits,
                });
            }
            ParsedExtension::ExtendedKeyUsage(e) => {
                let mut names = BTreeSet::new();
                let mut oids_set = BTreeSet::new();
                let mut all: Vec<String> = e.other.iter().map(|o| o.to_id_string()).collect();
                for (set, o) in [
                    (e.any, "2.5.29.37.0"),
                    (e.server_auth, "1.3.6.1.5.5.7.3.1"),
                    (e.client_auth, "1.3.6.1.5.5.7.3.2"),
                    (e.code_signing, "1.3.6.1.5.5.7.3.3"),
                    (e.email_protection, "1.3.6.1.5.5.7.3.4"),
                    (e.time_stamping, "1.3.6.1.5.5.7.3.8"),
                    (e.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
                ] {
                    if set {
                        all.push(o.to_string());
                    }
                }
                for o in all {
                    if let Some(n) = oids::eku_name(&o) {
                        names.insert(n.to_string());
                    }
                    oids_set.insert(o);
                }
                c.extended_key_usage = Some(ExtendedKeyUsageExt {
                    critical: ext.critical,
                    names,
                    oids: oids_set,
                });
            }
            ParsedExtension::CRLDistributionPoints(points) => {
                for p in points.iter() {
                    if let Some(DistributionPointName::FullName(names)) = &p.distribution_point {
                        for n in names {
                            if let GeneralName::URI(u) = n {
                                c.crl_distribution_points.push(u.to_string());
                            }
                        }
                    }
                }
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                for d in &aia.accessdescs {
                    if let GeneralName::URI(u) = &d.access_location {
                        match d.access_method.to_id_string().as_str() {
                            "1.3.6.1.5.5.7.48.1" => c.ocsp_urls.push(u.to_string()),
                            "1.3.6.1.5.5.7.48.2" => c.ca_issuers_urls.push(u.to_string()),
                            _ => {}
                        }
                    }
                }
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                c.san_critical = Some(ext.critical);
                for n in &san.general_names {
                    match n {
                        GeneralName::DNSName(d) => c.san_dns.push(d.to_string()),
                        GeneralName::IPAddress(ip) => c.san_ip.push(ip_to_string(ip)),
                        _ => {}
                    }
                }
            }
            ParsedExtension::NameConstraints(_) => c.name_constraints = true,
            ParsedExtension::SubjectKeyIdentifier(k) => c.subject_key_id = Some(hex(k.0)),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                c.authority_key_id = a.key_identifier.as_ref().map(|k| hex(k.0))
            }
            ParsedExtension::ParseError { error } => {
                if oid == "2.5.29.30" {
                    c.name_constraints = true;
                }
                c.extension_errors.push(format!("{oid}: {error}"))
            }
            _ => {}
        }
    }
    // Only a self-issued certificate can be self-signed; skipping the others keeps parsing cheap.
    c.self_signed = if c.self_issued {
        verify_signature(
            tbs.as_ref(),
            &c.signature_algorithm,
            &x.signature_value.data,
            spki_raw,
        )
    } else {
        Some(false)
    };
    Ok(c)
}

/// Verifies `signature` over `message` made with `alg` by the key `signer_spki` (DER).
/// `None` when ring cannot verify this algorithm/key combination.
pub(crate) fn verify_signature(
    message: &[u8],
    alg: &SignatureAlgorithm,
    signature: &[u8],
    signer_spki: &[u8],
) -> Option<bool> {
    use ring::signature as s;
    let key = public_key_from_spki(signer_spki).ok()?;
    let (t, _) = read_tlv(signer_spki).ok()?;
    let kids = children(t.content).ok()?;
    let key_bytes = kids.get(1)?.content.get(1..)?;
    let algo: &dyn s::VerificationAlgorithm = match (&key, alg.oid.as_str()) {
        (PublicKeyInfo::Rsa { bits, .. }, o) => {
            let strong = *bits >= 2048;
            if *bits < 1024 || *bits > 8192 {
                return None;
            }
            match (o, alg.hash) {
                ("1.2.840.113549.1.1.5" | "1.3.14.3.2.29", _) => {
                    &s::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
                }
                ("1.2.840.113549.1.1.11", _) if strong => &s::RSA_PKCS1_2048_8192_SHA256,
                ("1.2.840.113549.1.1.11", _) => &s::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
                ("1.2.840.113549.1.1.12", _) if strong => &s::RSA_PKCS1_2048_8192_SHA384,
                ("1.2.840.113549.1.1.13", _) if strong => &s::RSA_PKCS1_2048_8192_SHA512,
                ("1.2.840.113549.1.1.13", _) => &s::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
                ("1.2.840.113549.1.1.10", HashFamily::Sha256) if strong => {
                    &s::RSA_PSS_2048_8192_SHA256
                }
                ("1.2.840.113549.1.1.10", HashFamily::Sha384) if strong => {
                    &s::RSA_PSS_2048_8192_SHA384
                }
                ("1.2.840.113549.1.1.10", HashFamily::Sha512) if strong => {
                    &s::RSA_PSS_2048_8192_SHA512
                }
                _ => return None,
            }
        }
        (PublicKeyInfo::Ec { curve_name, .. }, o) => match (curve_name.as_deref(), o) {
            (Some("P-256"), "1.2.840.10045.4.3.2") => &s::ECDSA_P256_SHA256_ASN1,
            (Some("P-256"), "1.2.840.10045.4.3.3") => &s::ECDSA_P256_SHA384_ASN1,
            (Some("P-384"), "1.2.840.10045.4.3.2") => &s::ECDSA_P384_SHA256_ASN1,
            (Some("P-384"), "1.2.840.10045.4.3.3") => &s::ECDSA_P384_SHA384_ASN1,
            _ => return None,
        },
        (PublicKeyInfo::Ed25519, "1.3.101.112") => &s::ED25519,
        _ => return None,
    };
    Some(
        s::UnparsedPublicKey::new(algo, key_bytes)
            .verify(message, signature)
            .is_ok(),
    )
}
