//! Private key recognition and public-key derivation (for key-to-certificate matching).

use num_bigint::BigUint;
use serde::{Deserialize, Serialize};

use crate::PkiError;
use crate::der::{self, Tlv, bit_len, children, encode, encode_oid, read_tlv, sha256_hex};
use crate::oids;
use crate::pem;

/// Container format of a private key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyFormat {
    /// `RSA PRIVATE KEY` / RFC 8017 RSAPrivateKey.
    Pkcs1,
    /// `PRIVATE KEY` / RFC 5208 PrivateKeyInfo (or RFC 5958 OneAsymmetricKey).
    Pkcs8,
    /// `ENCRYPTED PRIVATE KEY` / EncryptedPrivateKeyInfo.
    EncryptedPkcs8,
    /// `EC PRIVATE KEY` / RFC 5915 ECPrivateKey.
    Sec1,
    /// OpenSSL traditional `DSA PRIVATE KEY`.
    DsaTraditional,
    /// `OPENSSH PRIVATE KEY` (openssh-key-v1).
    OpenSsh,
}

/// Key algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    Rsa,
    Ec,
    Ed25519,
    Ed448,
    Dsa,
    /// Not known without decrypting (encrypted PKCS#8) or not recognised.
    Unknown,
}

/// Owned summary of one private key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateKey {
    pub format: KeyFormat,
    /// Encrypted PKCS#8, legacy `Proc-Type: 4,ENCRYPTED` PEM, or OpenSSH with a cipher.
    pub encrypted: bool,
    pub algorithm: KeyAlgorithm,
    /// Modulus / p size for RSA and DSA, field size for EC.
    pub bits: Option<u32>,
    /// Curve name (or dotted OID when unknown) for EC keys.
    pub curve: Option<String>,
    /// SHA-256 of the DER SubjectPublicKeyInfo of the matching public key, when it can be
    /// derived without a password; equal to [`crate::Certificate::spki_sha256`] of its certificate.
    pub public_spki_sha256: Option<String>,
    /// Encryption algorithm (PBES2, DEK-Info cipher, OpenSSH cipher) when encrypted.
    pub encryption: Option<String>,
    pub pem_begin_line: Option<u32>,
    pub pem_block: Option<u32>,
    /// DER SubjectPublicKeyInfo of the matching public key when derivable (for
    /// blocklist look-ups by modulus); not serialised.
    #[serde(skip)]
    pub public_spki_der: Option<Vec<u8>>,
}

impl PrivateKey {
    fn set_spki(&mut self, der: Vec<u8>) {
        self.public_spki_sha256 = Some(sha256_hex(&der));
        self.public_spki_der = Some(der);
    }

    fn new(format: KeyFormat, algorithm: KeyAlgorithm) -> Self {
        PrivateKey {
            format,
            encrypted: false,
            algorithm,
            bits: None,
            curve: None,
            public_spki_sha256: None,
            encryption: None,
            pem_begin_line: None,
            pem_block: None,
            public_spki_der: None,
        }
    }
}

/// Parses private keys from PEM (all key blocks; other blocks such as certificates are
/// ignored) or from one DER key (PKCS#1, PKCS#8, encrypted PKCS#8, SEC1, DSA).
pub fn parse_private_keys(bytes: &[u8]) -> Result<Vec<PrivateKey>, PkiError> {
    parse_private_keys_in(bytes, &pem::Blocks::new(bytes))
}

/// [`parse_private_keys`] with the input's PEM blocks shared with its other readers.
pub(crate) fn parse_private_keys_in(
    bytes: &[u8],
    blocks: &pem::Blocks,
) -> Result<Vec<PrivateKey>, PkiError> {
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
            let perr = |message: String| PkiError::Pem {
                block: b.index,
                begin_line: b.begin_line,
                line: b.begin_line,
                message,
            };
            let legacy_enc = b
                .headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("Proc-Type") && v.contains("ENCRYPTED"));
            let mut key = match b.label.as_str() {
                "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "DSA PRIVATE KEY" if legacy_enc => {
                    let (format, algorithm) = match b.label.as_str() {
                        "RSA PRIVATE KEY" => (KeyFormat::Pkcs1, KeyAlgorithm::Rsa),
                        "EC PRIVATE KEY" => (KeyFormat::Sec1, KeyAlgorithm::Ec),
                        _ => (KeyFormat::DsaTraditional, KeyAlgorithm::Dsa),
                    };
                    let mut k = PrivateKey::new(format, algorithm);
                    k.encrypted = true;
                    k.encryption = b
                        .headers
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case("DEK-Info"))
                        .map(|(_, v)| v.split(',').next().unwrap_or("").to_string());
                    k
                }
                "RSA PRIVATE KEY" => parse_pkcs1(&b.der).map_err(perr)?,
                "EC PRIVATE KEY" => parse_sec1(&b.der, None).map_err(perr)?,
                "DSA PRIVATE KEY" => parse_dsa_traditional(&b.der).map_err(perr)?,
                "PRIVATE KEY" => parse_pkcs8(&b.der).map_err(perr)?,
                "ENCRYPTED PRIVATE KEY" => parse_encrypted_pkcs8(&b.der).map_err(perr)?,
                "OPENSSH PRIVATE KEY" => parse_openssh(&b.der).map_err(perr)?,
                _ => continue,
            };
            key.pem_begin_line = Some(b.begin_line);
            key.pem_block = Some(b.index);
            out.push(key);
        }
        return Ok(out);
    }
    let derr = |offset: usize, message: String| PkiError::Der { offset, message };
    let (outer, rest) = read_tlv(bytes).map_err(|f| derr(f.offset, f.message))?;
    if outer.tag != 0x30 {
        return Err(PkiError::Unrecognised {
            message: format!(
                "neither PEM (no -----BEGIN line) nor a DER private key (first byte 0x{:02x})",
                bytes[0]
            ),
        });
    }
    if !rest.is_empty() {
        return Err(derr(
            outer.raw.len(),
            format!("{} bytes of trailing data after the key", rest.len()),
        ));
    }
    let kids = children(outer.content).map_err(|f| derr(f.offset, f.message))?;
    let tags: Vec<u8> = kids.iter().map(|k| k.tag).collect();
    let ints = tags.iter().take_while(|t| **t == 0x02).count();
    let key = match tags.as_slice() {
        [0x02, 0x30, 0x04, ..] => parse_pkcs8(bytes),
        [0x30, 0x04] => parse_encrypted_pkcs8(bytes),
        [0x02, 0x04, ..] => parse_sec1(bytes, None),
        _ if ints == 9 && tags.len() == 9 => parse_pkcs1(bytes),
        _ if ints == 6 && tags.len() == 6 => parse_dsa_traditional(bytes),
        [0x30, 0x30, 0x03] => {
            return Err(PkiError::Unrecognised {
                message: "DER is an X.509 certificate (or CRL/CSR), not a private key".into(),
            });
        }
        _ => {
            return Err(PkiError::Unrecognised {
                message: "DER SEQUENCE is neither PKCS#1, PKCS#8, encrypted PKCS#8, SEC1 nor DSA private key".into(),
            });
        }
    };
    Ok(vec![key.map_err(|m| derr(0, m))?])
}

fn seq_children<'a>(bytes: &'a [u8], what: &str) -> Result<Vec<Tlv<'a>>, String> {
    let (t, _) =
        read_tlv(bytes).map_err(|f| format!("{what}: {} at byte {}", f.message, f.offset))?;
    if t.tag != 0x30 {
        return Err(format!(
            "{what}: expected SEQUENCE, found tag 0x{:02x}",
            t.tag
        ));
    }
    children(t.content).map_err(|f| format!("{what}: {}", f.message))
}

fn spki(alg_oid: &str, params: Option<&[u8]>, key: &[u8]) -> Vec<u8> {
    let mut alg = encode_oid(alg_oid);
    if let Some(p) = params {
        alg.extend_from_slice(p);
    }
    let mut body = encode(0x30, &alg);
    let mut bits = vec![0u8];
    bits.extend_from_slice(key);
    body.extend_from_slice(&encode(0x03, &bits));
    encode(0x30, &body)
}

fn rsa_spki(n_raw: &[u8], e_raw: &[u8]) -> Vec<u8> {
    let mut ne = n_raw.to_vec();
    ne.extend_from_slice(e_raw);
    spki(oids::OID_RSA, Some(&[0x05, 0x00]), &encode(0x30, &ne))
}

fn parse_pkcs1(bytes: &[u8]) -> Result<PrivateKey, String> {
    let k = seq_children(bytes, "RSAPrivateKey")?;
    if k.len() < 9 || k.iter().take(9).any(|t| t.tag != 0x02) {
        return Err("RSAPrivateKey: expected 9 INTEGERs".into());
    }
    let mut key = PrivateKey::new(KeyFormat::Pkcs1, KeyAlgorithm::Rsa);
    key.bits = Some(bit_len(k[1].content));
    key.set_spki(rsa_spki(k[1].raw, k[2].raw));
    Ok(key)
}

fn parse_sec1(bytes: &[u8], outer_curve: Option<&str>) -> Result<PrivateKey, String> {
    let k = seq_children(bytes, "ECPrivateKey")?;
    if k.len() < 2 || k[0].tag != 0x02 || k[1].tag != 0x04 {
        return Err("ECPrivateKey: expected INTEGER version and OCTET STRING".into());
    }
    let mut key = PrivateKey::new(KeyFormat::Sec1, KeyAlgorithm::Ec);
    let mut curve = outer_curve.map(str::to_string);
    let mut public: Option<&[u8]> = None;
    for t in &k[2..] {
        match t.tag {
            0xa0 => {
                if let Ok((o, _)) = read_tlv(t.content)
                    && o.tag == 0x06
                {
                    curve = der::oid_to_string(o.content);
                }
            }
            0xa1 => {
                if let Ok((b, _)) = read_tlv(t.content)
                    && b.tag == 0x03
                    && b.content.len() > 1
                {
                    public = Some(&b.content[1..]);
                }
            }
            _ => {}
        }
    }
    if let Some(c) = &curve {
        let name = oids::curve_name(c);
        key.bits = name.map(oids::curve_bits);
        key.curve = Some(name.map_or_else(|| c.clone(), str::to_string));
        if let Some(p) = public {
            key.set_spki(spki(oids::OID_EC, Some(&encode_oid(c)), p));
        }
    }
    Ok(key)
}

fn dsa_spki(p: &Tlv<'_>, q: &Tlv<'_>, g: &Tlv<'_>, y_content: &[u8]) -> Vec<u8> {
    let mut pqg = p.raw.to_vec();
    pqg.extend_from_slice(q.raw);
    pqg.extend_from_slice(g.raw);
    spki(
        oids::OID_DSA,
        Some(&encode(0x30, &pqg)),
        &encode(0x02, y_content),
    )
}

fn int_bytes(v: &BigUint) -> Vec<u8> {
    let mut b = v.to_bytes_be();
    if b.first().is_some_and(|x| x & 0x80 != 0) {
        b.insert(0, 0);
    }
    b
}

fn parse_dsa_traditional(bytes: &[u8]) -> Result<PrivateKey, String> {
    let k = seq_children(bytes, "DSAPrivateKey")?;
    if k.len() != 6 || k.iter().any(|t| t.tag != 0x02) {
        return Err("DSAPrivateKey: expected 6 INTEGERs".into());
    }
    let mut key = PrivateKey::new(KeyFormat::DsaTraditional, KeyAlgorithm::Dsa);
    key.bits = Some(bit_len(k[1].content));
    key.set_spki(dsa_spki(&k[1], &k[2], &k[3], k[4].content));
    Ok(key)
}

fn parse_pkcs8(bytes: &[u8]) -> Result<PrivateKey, String> {
    let k = seq_children(bytes, "PrivateKeyInfo")?;
    if k.len() < 3 || k[0].tag != 0x02 || k[1].tag != 0x30 || k[2].tag != 0x04 {
        return Err("PrivateKeyInfo: expected version, AlgorithmIdentifier, OCTET STRING".into());
    }
    let alg =
        children(k[1].content).map_err(|f| format!("PrivateKeyInfo algorithm: {}", f.message))?;
    let oid = alg
        .first()
        .filter(|o| o.tag == 0x06)
        .and_then(|o| der::oid_to_string(o.content))
        .ok_or("PrivateKeyInfo: algorithm without OID")?;
    let params = alg.get(1);
    let inner = k[2].content;
    // RFC 5958 publicKey [1] (v2).
    let public_v2 = k[3..]
        .iter()
        .find(|t| t.tag == 0x81 || t.tag == 0xa1)
        .map(|t| t.content.get(1..).unwrap_or(&[]));
    let mut key = match oid.as_str() {
        oids::OID_RSA | oids::OID_RSA_PSS => {
            let mut key = parse_pkcs1(inner)?;
            key.format = KeyFormat::Pkcs8;
            key
        }
        oids::OID_EC | oids::OID_SM2_KEY => {
            let curve = match params {
                Some(p) if p.tag == 0x06 => der::oid_to_string(p.content),
                _ if oid == oids::OID_SM2_KEY => Some(oids::OID_SM2_KEY.to_string()),
                _ => None,
            };
            let mut key = parse_sec1(inner, curve.as_deref())?;
            let curve: Option<String> = curve;
            key.format = KeyFormat::Pkcs8;
            if key.public_spki_sha256.is_none()
                && let (Some(c), Some(p)) = (curve, public_v2)
            {
                key.set_spki(spki(oids::OID_EC, Some(&encode_oid(&c)), p));
            }
            key
        }
        oids::OID_ED25519 => {
            let mut key = PrivateKey::new(KeyFormat::Pkcs8, KeyAlgorithm::Ed25519);
            key.bits = Some(256);
            let (seed, _) = read_tlv(inner).map_err(|f| format!("Ed25519 key: {}", f.message))?;
            if seed.tag != 0x04 || seed.content.len() != 32 {
                return Err("Ed25519 key: expected a 32-byte OCTET STRING seed".into());
            }
            let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.content)
                .map_err(|_| "Ed25519 key: invalid seed".to_string())?;
            use ring::signature::KeyPair;
            key.set_spki(spki(oids::OID_ED25519, None, pair.public_key().as_ref()));
            key
        }
        oids::OID_ED448 => {
            let mut key = PrivateKey::new(KeyFormat::Pkcs8, KeyAlgorithm::Ed448);
            key.bits = Some(448);
            if let Some(p) = public_v2 {
                key.set_spki(spki(oids::OID_ED448, None, p));
            }
            key
        }
        oids::OID_DSA => {
            let mut key = PrivateKey::new(KeyFormat::Pkcs8, KeyAlgorithm::Dsa);
            let pqg = params
                .filter(|p| p.tag == 0x30)
                .and_then(|p| children(p.content).ok())
                .filter(|v| v.len() == 3);
            if let Some(pqg) = pqg {
                key.bits = Some(bit_len(pqg[0].content));
                // y = g^x mod p, bounded: only for p up to 4096 bits.
                if let Ok((x, _)) = read_tlv(inner)
                    && x.tag == 0x02
                    && key.bits.unwrap_or(0) <= 4096
                {
                    let p = BigUint::from_bytes_be(pqg[0].content);
                    let g = BigUint::from_bytes_be(pqg[2].content);
                    let xv = BigUint::from_bytes_be(x.content);
                    if p > BigUint::from(1u32) {
                        let y = g.modpow(&xv, &p);
                        key.set_spki(dsa_spki(&pqg[0], &pqg[1], &pqg[2], &int_bytes(&y)));
                    }
                }
            }
            key
        }
        _ => {
            let mut key = PrivateKey::new(KeyFormat::Pkcs8, KeyAlgorithm::Unknown);
            key.curve = None;
            key.encryption = None;
            key.bits = None;
            let _ = oid;
            key
        }
    };
    key.format = KeyFormat::Pkcs8;
    Ok(key)
}

fn parse_encrypted_pkcs8(bytes: &[u8]) -> Result<PrivateKey, String> {
    let k = seq_children(bytes, "EncryptedPrivateKeyInfo")?;
    if k.len() != 2 || k[0].tag != 0x30 || k[1].tag != 0x04 {
        return Err(
            "EncryptedPrivateKeyInfo: expected AlgorithmIdentifier and OCTET STRING".into(),
        );
    }
    let alg = children(k[0].content).map_err(|f| f.message)?;
    let oid = alg
        .first()
        .and_then(|o| der::oid_to_string(o.content))
        .ok_or("EncryptedPrivateKeyInfo: algorithm without OID")?;
    let mut key = PrivateKey::new(KeyFormat::EncryptedPkcs8, KeyAlgorithm::Unknown);
    key.encrypted = true;
    key.encryption = Some(match oid.as_str() {
        "1.2.840.113549.1.5.13" => "PBES2".to_string(),
        "1.2.840.113549.1.5.3" => "pbeWithMD5AndDES-CBC".to_string(),
        "1.2.840.113549.1.5.10" => "pbeWithSHA1AndDES-CBC".to_string(),
        "1.2.840.113549.1.12.1.3" => "pbeWithSHAAnd3-KeyTripleDES-CBC".to_string(),
        _ => oid,
    });
    Ok(key)
}

fn parse_openssh(bytes: &[u8]) -> Result<PrivateKey, String> {
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    let mut r = bytes
        .strip_prefix(MAGIC)
        .ok_or("OPENSSH PRIVATE KEY without openssh-key-v1 magic")?;
    fn take<'a>(r: &mut &'a [u8]) -> Result<&'a [u8], String> {
        if r.len() < 4 {
            return Err("OpenSSH key truncated".into());
        }
        let n = u32::from_be_bytes([r[0], r[1], r[2], r[3]]) as usize;
        let s = r.get(4..4 + n).ok_or("OpenSSH key truncated")?;
        *r = &r[4 + n..];
        Ok(s)
    }
    let cipher = String::from_utf8_lossy(take(&mut r)?).into_owned();
    let _kdf = take(&mut r)?;
    let _kdfopts = take(&mut r)?;
    if r.len() < 4 {
        return Err("OpenSSH key truncated".into());
    }
    r = &r[4..]; // number of keys
    let mut blob = take(&mut r)?;
    let ktype = String::from_utf8_lossy(take(&mut blob)?).into_owned();
    let mut key = PrivateKey::new(KeyFormat::OpenSsh, KeyAlgorithm::Unknown);
    if cipher != "none" {
        key.encrypted = true;
        key.encryption = Some(cipher);
    }
    match ktype.as_str() {
        "ssh-ed25519" => {
            key.algorithm = KeyAlgorithm::Ed25519;
            key.bits = Some(256);
            let pk = take(&mut blob)?;
            key.set_spki(spki(oids::OID_ED25519, None, pk));
        }
        "ssh-rsa" => {
            key.algorithm = KeyAlgorithm::Rsa;
            let e = take(&mut blob)?;
            let n = take(&mut blob)?;
            key.bits = Some(bit_len(n));
            key.set_spki(rsa_spki(&encode(0x02, n), &encode(0x02, e)));
        }
        t if t.starts_with("ecdsa-sha2-nistp") => {
            key.algorithm = KeyAlgorithm::Ec;
            let _curve = take(&mut blob)?;
            let q = take(&mut blob)?;
            let (oid, name) = match t {
                "ecdsa-sha2-nistp256" => ("1.2.840.10045.3.1.7", "P-256"),
                "ecdsa-sha2-nistp384" => ("1.3.132.0.34", "P-384"),
                _ => ("1.3.132.0.35", "P-521"),
            };
            key.curve = Some(name.into());
            key.bits = Some(oids::curve_bits(name));
            key.set_spki(spki(oids::OID_EC, Some(&encode_oid(oid)), q));
        }
        "ssh-dss" => key.algorithm = KeyAlgorithm::Dsa,
        _ => {}
    }
    Ok(key)
}
