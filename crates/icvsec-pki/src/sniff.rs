//! Crypto objects recognised by content, whatever the file name: PEM blocks of any label
//! and DER recognised by structure (certificate, CRL, CSR, SubjectPublicKeyInfo, PKCS#1
//! RSAPublicKey, PKCS#8, encrypted PKCS#8, SEC1, PKCS#1 / DSA private keys).
//!
//! [`might_be_crypto`] is the cheap pre-test: a binary file is judged on its first bytes
//! (a DER SEQUENCE whose length header covers the whole file); a text file is searched
//! once for `-----BEGIN ` (memchr-speed scan, bounded by [`crate::MAX_INPUT_BYTES`]).

use serde::{Deserialize, Serialize};

use crate::cert::public_key_from_spki;
use crate::der::{Tlv, children, read_tlv, sha256_hex};
use crate::pem::{self, MAX_INPUT_BYTES};
use crate::{
    Certificate, PkiError, PrivateKey, PublicKeyInfo, parse_certificates, parse_private_keys,
};

/// What a recognised object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectKind {
    Certificate,
    /// OpenSSL `TRUSTED CERTIFICATE` (certificate plus trust settings).
    TrustedCertificate,
    Crl,
    CertificateRequest,
    /// SubjectPublicKeyInfo (`PUBLIC KEY`).
    PublicKey,
    /// PKCS#1 RSAPublicKey (`RSA PUBLIC KEY`).
    RsaPublicKey,
    PrivateKey,
    /// A PEM block of a label not listed above (e.g. `DH PARAMETERS`, `PKCS7`).
    OtherPem,
}

/// How the object was encoded in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Pem,
    Der,
}

/// One object found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Object {
    pub kind: ObjectKind,
    pub encoding: Encoding,
    /// PEM label (`CERTIFICATE`, `EC PRIVATE KEY`, ...).
    pub pem_label: Option<String>,
    /// 0-based PEM block index and 1-based BEGIN line.
    pub pem_block: Option<u32>,
    pub pem_begin_line: Option<u32>,
    /// Public key (of the certificate, CSR, public key, or derivable from the private key).
    pub public_key: Option<PublicKeyInfo>,
    /// SHA-256 of the DER SubjectPublicKeyInfo (comparable across all kinds).
    pub spki_sha256: Option<String>,
    /// DER SubjectPublicKeyInfo; not serialised.
    #[serde(skip)]
    pub spki_der: Option<Vec<u8>>,
    pub certificate: Option<Box<Certificate>>,
    pub private_key: Option<PrivateKey>,
    /// Set when the object is recognised by its label/structure but its content is broken.
    pub error: Option<String>,
}

impl Object {
    fn new(kind: ObjectKind, encoding: Encoding) -> Self {
        Object {
            kind,
            encoding,
            pem_label: None,
            pem_block: None,
            pem_begin_line: None,
            public_key: None,
            spki_sha256: None,
            spki_der: None,
            certificate: None,
            private_key: None,
            error: None,
        }
    }
    fn with_spki(mut self, spki: &[u8]) -> Self {
        match public_key_from_spki(spki) {
            Ok(k) => {
                self.public_key = Some(k);
                self.spki_sha256 = Some(sha256_hex(spki));
                self.spki_der = Some(spki.to_vec());
            }
            Err(e) => self.error = Some(format!("SubjectPublicKeyInfo: {e}")),
        }
        self
    }
}

/// Cheap pre-test: can `bytes` contain a crypto object? False for most non-crypto files
/// after looking at a few bytes (binary) or one substring scan (text).
pub fn might_be_crypto(bytes: &[u8]) -> bool {
    if bytes.len() < 16 || bytes.len() > MAX_INPUT_BYTES {
        return false;
    }
    prefix_might_be_crypto(bytes, bytes.len() as u64)
}

/// [`might_be_crypto`] on the first bytes of a file of `size` bytes (discovery reads only
/// a prefix): one DER SEQUENCE whose header covers exactly `size` bytes, or text (no NUL
/// in the first 512 bytes) holding a PEM `-----BEGIN ` marker.
pub fn prefix_might_be_crypto(prefix: &[u8], size: u64) -> bool {
    if der_header_covers(prefix, size) {
        return true;
    }
    // Binary (a NUL in the first 512 bytes) and not DER: no PEM either.
    if prefix.iter().take(512).any(|b| *b == 0) {
        return false;
    }
    pem::looks_like_pem(prefix)
}

/// One DER SEQUENCE exactly covering the input (header checked without parsing content).
fn whole_file_der(bytes: &[u8]) -> bool {
    der_header_covers(bytes, bytes.len() as u64)
}

/// A SEQUENCE header at the start of `bytes` whose length covers exactly `size` bytes.
fn der_header_covers(bytes: &[u8], size: u64) -> bool {
    if bytes.first() != Some(&0x30) {
        return false;
    }
    let Some(&l) = bytes.get(1) else {
        return false;
    };
    let (len, hdr) = match l {
        0..=0x7f => (l as u64, 2),
        0x81..=0x84 => {
            let n = (l & 0x7f) as usize;
            let Some(b) = bytes.get(2..2 + n) else {
                return false;
            };
            (
                b.iter().fold(0u64, |a, x| (a << 8) | *x as u64),
                2 + n as u64,
            )
        }
        _ => return false,
    };
    hdr + len == size
}

/// Every crypto object in `bytes`. Never panics; objects whose content is broken carry
/// `error`. Non-crypto input gives an empty list.
pub fn sniff(bytes: &[u8]) -> Vec<Object> {
    Input::new(bytes).sniffed(true)
}

/// One input read for everything a loader wants of it: its objects as [`sniff`] gives
/// them, its certificates as [`parse_certificates`] and its private keys as
/// [`parse_private_keys`] read them, each computed on first use, with the PEM text
/// decoded once for all three (it was decoded three times).
pub struct Input<'a> {
    bytes: &'a [u8],
    blocks: pem::Blocks<'a>,
    certs: std::cell::OnceCell<Result<Vec<Certificate>, PkiError>>,
    keys: std::cell::OnceCell<Result<Vec<PrivateKey>, PkiError>>,
}

impl<'a> Input<'a> {
    pub fn new(bytes: &'a [u8]) -> Input<'a> {
        Input {
            bytes,
            blocks: pem::Blocks::new(bytes),
            certs: std::cell::OnceCell::new(),
            keys: std::cell::OnceCell::new(),
        }
    }

    /// The certificates, as [`parse_certificates`] reads them.
    pub fn certificates(&self) -> &Result<Vec<Certificate>, PkiError> {
        self.certs
            .get_or_init(|| crate::cert::parse_certificates_in(self.bytes, &self.blocks))
    }

    /// The private keys, as [`parse_private_keys`] reads them.
    pub fn private_keys(&self) -> &Result<Vec<PrivateKey>, PkiError> {
        self.keys
            .get_or_init(|| crate::key::parse_private_keys_in(self.bytes, &self.blocks))
    }

    /// The objects as [`sniff`] gives them, less the copies of certificates and keys
    /// (`certificate` and `private_key` are `None` on PEM objects): the caller holds
    /// them in [`Input::certificates`] and [`Input::private_keys`].
    pub fn objects(&self) -> Vec<Object> {
        self.sniffed(false)
    }

    /// `attach`: copy each certificate and key into its object (for [`sniff`], whose
    /// caller has no other copy).
    fn sniffed(&self, attach: bool) -> Vec<Object> {
        if !might_be_crypto(self.bytes) {
            return Vec::new();
        }
        if whole_file_der(self.bytes) {
            return sniff_der(self.bytes).into_iter().collect();
        }
        sniff_pem(self, attach)
    }
}

fn sniff_pem(input: &Input, attach: bool) -> Vec<Object> {
    let blocks = match input.blocks.get() {
        Ok(b) => b,
        Err(e) => {
            let mut o = Object::new(ObjectKind::OtherPem, Encoding::Pem);
            o.error = Some(e.to_string());
            return vec![o];
        }
    };
    // Certificates and keys through the crate's parsers (one pass each), by block index.
    let certs = input.certificates();
    let keys = input.private_keys();
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        let kind = match b.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" => ObjectKind::Certificate,
            "TRUSTED CERTIFICATE" => ObjectKind::TrustedCertificate,
            "X509 CRL" => ObjectKind::Crl,
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => ObjectKind::CertificateRequest,
            "PUBLIC KEY" => ObjectKind::PublicKey,
            "RSA PUBLIC KEY" => ObjectKind::RsaPublicKey,
            "PRIVATE KEY"
            | "RSA PRIVATE KEY"
            | "EC PRIVATE KEY"
            | "DSA PRIVATE KEY"
            | "ENCRYPTED PRIVATE KEY"
            | "OPENSSH PRIVATE KEY" => ObjectKind::PrivateKey,
            _ => ObjectKind::OtherPem,
        };
        let mut o = Object::new(kind, Encoding::Pem);
        match kind {
            ObjectKind::Certificate | ObjectKind::TrustedCertificate => match certs {
                Ok(v) => {
                    if let Some(c) = v.iter().find(|c| c.pem_block == Some(b.index)) {
                        o = o.with_spki(spki_of_cert(&c.der).unwrap_or(&[]));
                        if attach {
                            o.certificate = Some(Box::new(c.clone()));
                        }
                    }
                }
                Err(e) => o.error = Some(e.to_string()),
            },
            ObjectKind::PrivateKey => match keys {
                Ok(v) => {
                    if let Some(k) = v.iter().find(|k| k.pem_block == Some(b.index)) {
                        if let Some(d) = &k.public_spki_der {
                            o = o.with_spki(d);
                        }
                        if attach {
                            o.private_key = Some(k.clone());
                        }
                    }
                }
                Err(e) => o.error = Some(e.to_string()),
            },
            ObjectKind::PublicKey => o = o.with_spki(&b.der),
            ObjectKind::RsaPublicKey => match rsa_public_to_spki(&b.der) {
                Some(s) => o = o.with_spki(&s),
                None => o.error = Some("RSA PUBLIC KEY is not SEQUENCE { n, e }".into()),
            },
            ObjectKind::CertificateRequest => match csr_spki(&b.der) {
                Some(s) => o = o.with_spki(s),
                None => o.error = Some("not a PKCS#10 CertificationRequest".into()),
            },
            ObjectKind::Crl => {
                if !looks_like_crl(&b.der) {
                    o.error = Some("not an X.509 CertificateList".into());
                }
            }
            ObjectKind::OtherPem => {}
        }
        o.pem_label = Some(b.label.clone());
        o.pem_block = Some(b.index);
        o.pem_begin_line = Some(b.begin_line);
        out.push(o);
    }
    out
}

fn kids(der: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let (t, rest) = read_tlv(der).ok()?;
    (t.tag == 0x30 && rest.is_empty())
        .then(|| children(t.content).ok())
        .flatten()
}

fn tags(v: &[Tlv<'_>]) -> Vec<u8> {
    v.iter().map(|t| t.tag).collect()
}

fn spki_of_cert(der: &[u8]) -> Option<&[u8]> {
    let top = kids(der)?;
    let tbs = children(top.first()?.content).ok()?;
    let i = if tbs.first()?.tag == 0xa0 { 6 } else { 5 };
    tbs.get(i).map(|t| t.raw)
}

fn csr_spki(der: &[u8]) -> Option<&[u8]> {
    let top = kids(der)?;
    if tags(&top) != [0x30, 0x30, 0x03] {
        return None;
    }
    let info = children(top[0].content).ok()?;
    match tags(&info).as_slice() {
        [0x02, 0x30, 0x30, 0xa0] => Some(info[2].raw),
        _ => None,
    }
}

fn looks_like_crl(der: &[u8]) -> bool {
    let Some(top) = kids(der) else { return false };
    if tags(&top) != [0x30, 0x30, 0x03] {
        return false;
    }
    let Ok(tbs) = children(top[0].content) else {
        return false;
    };
    let t = tags(&tbs);
    // [version INTEGER] signature SEQUENCE, issuer SEQUENCE, thisUpdate Time.
    let t = if t.first() == Some(&0x02) {
        &t[1..]
    } else {
        &t[..]
    };
    matches!(t, [0x30, 0x30, 0x17 | 0x18, ..])
}

fn rsa_public_to_spki(der: &[u8]) -> Option<Vec<u8>> {
    let v = kids(der)?;
    if tags(&v) != [0x02, 0x02] {
        return None;
    }
    use crate::der::{encode, encode_oid};
    let mut alg = encode_oid(crate::oids::OID_RSA);
    alg.extend_from_slice(&[0x05, 0x00]);
    let mut body = encode(0x30, &alg);
    let mut bits = vec![0u8];
    bits.extend_from_slice(&encode(0x30, &[v[0].raw, v[1].raw].concat()));
    body.extend_from_slice(&encode(0x03, &bits));
    Some(encode(0x30, &body))
}

/// DER recognised by structure (the input is exactly one SEQUENCE).
fn sniff_der(der: &[u8]) -> Option<Object> {
    let top = kids(der)?;
    let t = tags(&top);
    let d = Encoding::Der;
    match t.as_slice() {
        [0x30, 0x30, 0x03] => {
            let tbs = children(top[0].content).ok()?;
            let tt = tags(&tbs);
            if matches!(tt.as_slice(), [0x02, 0x30, 0x30, 0xa0]) {
                let mut o = Object::new(ObjectKind::CertificateRequest, d);
                if let Some(s) = csr_spki(der) {
                    o = o.with_spki(s);
                }
                return Some(o);
            }
            if looks_like_crl(der) {
                return Some(Object::new(ObjectKind::Crl, d));
            }
            // TBSCertificate: [0] version?, serial INTEGER, signature, issuer, validity, subject, spki.
            let body = if tt.first() == Some(&0xa0) {
                &tt[1..]
            } else {
                &tt[..]
            };
            if matches!(body, [0x02, 0x30, 0x30, 0x30, 0x30, 0x30, ..]) {
                let mut o = Object::new(ObjectKind::Certificate, d);
                match parse_certificates(der) {
                    Ok(mut v) if !v.is_empty() => {
                        let c = v.remove(0);
                        o = o.with_spki(spki_of_cert(&c.der).unwrap_or(&[]));
                        o.certificate = Some(Box::new(c));
                    }
                    Ok(_) => o.error = Some("no certificate".into()),
                    Err(e) => o.error = Some(e.to_string()),
                }
                return Some(o);
            }
            None
        }
        // SubjectPublicKeyInfo: AlgorithmIdentifier and BIT STRING.
        [0x30, 0x03] => {
            let alg = children(top[0].content).ok()?;
            if alg.first()?.tag != 0x06 {
                return None;
            }
            let o = Object::new(ObjectKind::PublicKey, d).with_spki(der);
            o.error.is_none().then_some(o)
        }
        // PKCS#1 RSAPublicKey: a plausible modulus (>= 512 bits) and an odd small exponent;
        // stricter than the structure alone so that ECDSA signatures (also two INTEGERs)
        // are not taken for keys.
        [0x02, 0x02] => {
            let n = top[0].content;
            let e = top[1].content;
            let n_len = n.iter().skip_while(|b| **b == 0).count();
            if n_len < 64 || e.len() > 8 || e.last().is_none_or(|b| b & 1 == 0) {
                return None;
            }
            let s = rsa_public_to_spki(der)?;
            Some(Object::new(ObjectKind::RsaPublicKey, d).with_spki(&s))
        }
        _ => {
            // Private keys: PKCS#8, encrypted PKCS#8, SEC1, PKCS#1, DSA.
            let k = parse_private_keys(der).ok()?.into_iter().next()?;
            let mut o = Object::new(ObjectKind::PrivateKey, d);
            if let Some(s) = &k.public_spki_der {
                o = o.with_spki(s);
            }
            o.private_key = Some(k);
            Some(o)
        }
    }
}
