//! Minimal CMS (RFC 5652) SignedData verification, DER only, bounded.
//!
//! Reads ContentInfo → SignedData: digest algorithms, encapsulated content (attached or
//! detached), certificates, signer infos. For each signer: finds its certificate (by
//! issuer and serial number or subject key identifier, in the CMS or among the anchors),
//! checks the `messageDigest` signed attribute against the content, verifies the
//! signature (RSA PKCS#1 v1.5 / PSS with SHA-256/384/512, ECDSA P-256/P-384, Ed25519)
//! with ring, then checks the signer chains to a given anchor.
//!
//! Chain method ("issuer-name match + signature check"): walk from the signer
//! certificate up through certificates carried in the CMS, at each step taking a
//! certificate whose subject equals the issuer and whose key verifies the signature,
//! until an anchor certificate is reached (or the signer's key is an anchor key). No
//! key-usage, path-length, or revocation checks; validity periods are reported as notes
//! when a time is given.

use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::der::{self, DerFault, Tlv};
use crate::keys::{self, Hash, PublicKey, Scheme};
use crate::{Anchor, Error, Limits, SignatureFacts, Verification};

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const MAX_CERTS: usize = 32;
const MAX_ATTRS: usize = 64;

/// What CMS verification found.
#[derive(Debug, Clone)]
pub struct CmsResult {
    pub facts: SignatureFacts,
    /// Encapsulated content, when the signature is attached.
    pub content: Option<Vec<u8>>,
    /// Observations that do not change the verdict (expired signer certificate...).
    pub notes: Vec<String>,
}

/// Certificates carried by a SignedData, parsed once.
struct Certs<'a> {
    list: Vec<X509Certificate<'a>>,
}

fn fault(place: &str, f: DerFault) -> Error {
    Error::new(format!("{place}: byte offset {}", f.offset), f.message)
}

/// Verifies a DER CMS ContentInfo holding SignedData. `detached` is the signed content
/// when it is not encapsulated. `place` names the signature (file and entry) in errors.
/// Structural faults are errors; a signature that does not verify is a verdict.
pub fn verify(
    place: &str,
    cms: &[u8],
    detached: Option<&[u8]>,
    anchors: &[Anchor],
    limits: &Limits,
    as_of: Option<i64>,
) -> Result<CmsResult, Error> {
    let f = |e: DerFault| fault(place, e);
    let ci = der::read_exact(cms, 0).map_err(f)?;
    ci.expect(0x30, "ContentInfo").map_err(f)?;
    let kids = ci.children(4).map_err(f)?;
    let [oid, explicit] = kids.as_slice() else {
        return Err(Error::new(
            format!("{place}: byte offset 0"),
            "ContentInfo must hold contentType and content",
        ));
    };
    let ct = oid.oid().map_err(f)?;
    if ct != OID_SIGNED_DATA {
        return Err(Error::new(
            format!("{place}: byte offset {}", oid.offset),
            format!("content type {ct} is not signedData ({OID_SIGNED_DATA})"),
        ));
    }
    explicit.expect(0xa0, "[0] content").map_err(f)?;
    let sd = der::read_exact(explicit.content, explicit.content_offset).map_err(f)?;
    sd.expect(0x30, "SignedData").map_err(f)?;
    let items = sd.children(8).map_err(f)?;
    if items.len() < 4 {
        return Err(Error::new(
            format!("{place}: byte offset {}", sd.offset),
            "SignedData has fewer than 4 elements",
        ));
    }
    items[0].expect(0x02, "SignedData.version").map_err(f)?;
    items[1]
        .expect(0x31, "SignedData.digestAlgorithms")
        .map_err(f)?;
    let encap = items[2];
    encap.expect(0x30, "EncapsulatedContentInfo").map_err(f)?;
    let (econtent_type, content) = encapsulated_content(&encap).map_err(f)?;
    let mut certs_tlv = None;
    let mut signer_infos = None;
    for t in &items[3..] {
        match t.tag {
            0xa0 => certs_tlv = Some(*t),
            0xa1 => {}
            0x31 => signer_infos = Some(*t),
            other => {
                return Err(Error::new(
                    format!("{place}: byte offset {}", t.offset),
                    format!("unexpected element with tag 0x{other:02x} in SignedData"),
                ));
            }
        }
    }
    let signer_infos = signer_infos.ok_or_else(|| {
        Error::new(
            format!("{place}: byte offset {}", sd.offset),
            "SignedData has no signerInfos",
        )
    })?;
    let mut certs = Certs { list: Vec::new() };
    if let Some(ct) = certs_tlv {
        for c in ct.children(MAX_CERTS).map_err(f)? {
            if c.tag != 0x30 {
                continue; // other certificate formats (attribute certs) are ignored
            }
            let (_, x) = X509Certificate::from_der(c.raw).map_err(|e| {
                Error::new(
                    format!("{place}: byte offset {}", c.offset),
                    format!("certificate in SignedData does not parse: {e}"),
                )
            })?;
            certs.list.push(x);
        }
    }
    let signed_content: &[u8] = match (&content, detached) {
        (Some(c), None) => c.as_slice(),
        (None, Some(d)) => d,
        (Some(c), Some(d)) => {
            if c.as_slice() != d {
                return Ok(CmsResult {
                    facts: SignatureFacts {
                        verified: Verification::BadSignature(
                            "encapsulated content differs from the content it should sign".into(),
                        ),
                        ..base_facts()
                    },
                    content,
                    notes: Vec::new(),
                });
            }
            d
        }
        (None, None) => {
            return Err(Error::new(
                format!("{place}: byte offset {}", encap.offset),
                "detached signature but no content was given to verify it over",
            ));
        }
    };
    let infos = signer_infos.children(limits.max_signatures).map_err(f)?;
    if infos.is_empty() {
        return Ok(CmsResult {
            facts: SignatureFacts {
                verified: Verification::Unverifiable("SignedData has no signer".into()),
                ..base_facts()
            },
            content,
            notes: Vec::new(),
        });
    }
    let mut first: Option<(SignatureFacts, Vec<String>)> = None;
    for si in &infos {
        let (facts, notes) = verify_signer(
            place,
            si,
            (&econtent_type, signed_content),
            &certs,
            anchors,
            limits,
            as_of,
        )?;
        if facts.verified.is_verified() {
            return Ok(CmsResult {
                facts,
                content,
                notes,
            });
        }
        if first.is_none() {
            first = Some((facts, notes));
        }
    }
    let (facts, notes) = first.unwrap_or_else(|| (base_facts(), Vec::new()));
    Ok(CmsResult {
        facts,
        content,
        notes,
    })
}

fn base_facts() -> SignatureFacts {
    SignatureFacts {
        present: true,
        format: Some("cms".into()),
        ..SignatureFacts::absent()
    }
}

/// eContent of an EncapsulatedContentInfo: primitive OCTET STRING, or a constructed one
/// whose primitive segments are concatenated (one level).
fn encapsulated_content(encap: &Tlv<'_>) -> Result<(String, Option<Vec<u8>>), DerFault> {
    let kids = encap.children(2)?;
    let Some(first) = kids.first() else {
        return Err(DerFault::new(
            encap.offset,
            "EncapsulatedContentInfo is empty",
        ));
    };
    let ctype = first.oid()?;
    let Some(explicit) = kids.get(1) else {
        return Ok((ctype, None));
    };
    explicit.expect(0xa0, "[0] eContent")?;
    let os = der::read_exact(explicit.content, explicit.content_offset)?;
    match os.tag {
        0x04 => Ok((ctype, Some(os.content.to_vec()))),
        0x24 => {
            let mut out = Vec::new();
            for seg in os.children(1 << 16)? {
                seg.expect(0x04, "eContent segment")?;
                out.extend_from_slice(seg.content);
            }
            Ok((ctype, Some(out)))
        }
        t => Err(DerFault::new(
            os.offset,
            format!("eContent: expected OCTET STRING, found tag 0x{t:02x}"),
        )),
    }
}

/// AlgorithmIdentifier → (OID, parameters element if any).
fn alg_id<'a>(t: &Tlv<'a>) -> Result<(String, Option<Tlv<'a>>), DerFault> {
    t.expect(0x30, "AlgorithmIdentifier")?;
    let kids = t.children(2)?;
    let oid = kids
        .first()
        .ok_or_else(|| DerFault::new(t.offset, "empty AlgorithmIdentifier"))?
        .oid()?;
    Ok((oid, kids.get(1).copied().filter(|p| p.tag != 0x05)))
}

/// RSASSA-PSS parameters: hash from [0], salt length from [2] (default 20).
fn pss_params(p: Option<Tlv<'_>>) -> Result<(Option<Hash>, u64), DerFault> {
    let Some(p) = p else {
        return Ok((None, 20)); // defaults: SHA-1, salt 20
    };
    p.expect(0x30, "RSASSA-PSS-params")?;
    let mut hash = None;
    let mut salt = 20u64;
    for k in p.children(4)? {
        match k.tag {
            0xa0 => {
                let a = der::read_exact(k.content, k.content_offset)?;
                hash = Some(Hash::from_oid(&alg_id(&a)?.0));
            }
            0xa2 => {
                let i = der::read_exact(k.content, k.content_offset)?;
                i.expect(0x02, "saltLength")?;
                if i.content.len() > 4 {
                    return Err(DerFault::new(i.offset, "saltLength too large"));
                }
                salt = i.content.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
            }
            _ => {}
        }
    }
    Ok((hash.unwrap_or(None), salt))
}

fn scheme_for(
    sig_oid: &str,
    sig_params: Option<Tlv<'_>>,
    digest: Hash,
    key: &PublicKey,
) -> Result<Scheme, String> {
    use keys::KeyType;
    Ok(match sig_oid {
        "1.2.840.113549.1.1.1" => Scheme::RsaPkcs1(digest),
        "1.2.840.113549.1.1.11" => Scheme::RsaPkcs1(Hash::Sha256),
        "1.2.840.113549.1.1.12" => Scheme::RsaPkcs1(Hash::Sha384),
        "1.2.840.113549.1.1.13" => Scheme::RsaPkcs1(Hash::Sha512),
        "1.2.840.113549.1.1.10" => {
            let (h, salt) = pss_params(sig_params).map_err(|f| f.message)?;
            let h = h.ok_or("RSASSA-PSS with SHA-1 or an unknown hash is not accepted")?;
            let hlen = h.digest(b"").len() as u64;
            if salt != hlen {
                return Err(format!(
                    "RSASSA-PSS salt length {salt} differs from the hash length {hlen}; only salt = hash length is verified"
                ));
            }
            Scheme::RsaPss(h)
        }
        "1.2.840.10045.4.3.2" => Scheme::Ecdsa(Hash::Sha256),
        "1.2.840.10045.4.3.3" => Scheme::Ecdsa(Hash::Sha384),
        "1.2.840.10045.4.3.4" => Scheme::Ecdsa(Hash::Sha512),
        "1.2.840.10045.2.1" => Scheme::Ecdsa(digest),
        "1.3.101.112" => Scheme::Ed25519,
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => {
            return Err("SHA-1 signature algorithm is not accepted".into());
        }
        other => match key.kind {
            KeyType::Rsa { .. } | KeyType::Ec { .. } | KeyType::Ed25519 => {
                return Err(format!("signature algorithm {other} not supported"));
            }
        },
    })
}

/// The signer identifier of a SignerInfo.
enum Sid<'a> {
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    Ski(&'a [u8]),
}

fn cert_matches(c: &X509Certificate<'_>, sid: &Sid<'_>) -> bool {
    match sid {
        Sid::IssuerSerial { issuer, serial } => {
            c.issuer().as_raw() == *issuer && strip0(c.raw_serial()) == strip0(serial)
        }
        Sid::Ski(k) => c.extensions().iter().any(|e| {
            matches!(e.parsed_extension(), ParsedExtension::SubjectKeyIdentifier(id) if id.0 == *k)
        }),
    }
}

fn strip0(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|x| *x != 0).unwrap_or(b.len());
    &b[i..]
}

#[allow(clippy::too_many_arguments)]
fn verify_signer(
    place: &str,
    si: &Tlv<'_>,
    (econtent_type, content): (&str, &[u8]),
    certs: &Certs<'_>,
    anchors: &[Anchor],
    limits: &Limits,
    as_of: Option<i64>,
) -> Result<(SignatureFacts, Vec<String>), Error> {
    let f = |e: DerFault| fault(place, e);
    si.expect(0x30, "SignerInfo").map_err(f)?;
    let k = si.children(8).map_err(f)?;
    if k.len() < 5 {
        return Err(Error::new(
            format!("{place}: byte offset {}", si.offset),
            "SignerInfo has fewer than 5 elements",
        ));
    }
    let sid = match k[1].tag {
        0x30 => {
            let p = k[1].children(2).map_err(f)?;
            let [issuer, serial] = p.as_slice() else {
                return Err(Error::new(
                    format!("{place}: byte offset {}", k[1].offset),
                    "IssuerAndSerialNumber must hold issuer and serialNumber",
                ));
            };
            serial.expect(0x02, "serialNumber").map_err(f)?;
            Sid::IssuerSerial {
                issuer: issuer.raw,
                serial: serial.content,
            }
        }
        0x80 => Sid::Ski(k[1].content),
        t => {
            return Err(Error::new(
                format!("{place}: byte offset {}", k[1].offset),
                format!("signer identifier with tag 0x{t:02x}"),
            ));
        }
    };
    let (digest_oid, _) = alg_id(&k[2]).map_err(f)?;
    let mut idx = 3;
    let signed_attrs = if k[idx].tag == 0xa0 {
        idx += 1;
        Some(k[3])
    } else {
        None
    };
    let sig_alg = k.get(idx).ok_or_else(|| {
        Error::new(
            format!("{place}: byte offset {}", si.offset),
            "SignerInfo lacks signatureAlgorithm",
        )
    })?;
    let (sig_oid, sig_params) = alg_id(sig_alg).map_err(f)?;
    let sig = k.get(idx + 1).ok_or_else(|| {
        Error::new(
            format!("{place}: byte offset {}", si.offset),
            "SignerInfo lacks the signature",
        )
    })?;
    sig.expect(0x04, "signature").map_err(f)?;

    let mut facts = base_facts();
    let mut notes = Vec::new();
    let Some(digest) = Hash::from_oid(&digest_oid) else {
        facts.verified = Verification::Unverifiable(format!(
            "digest algorithm {digest_oid} not accepted (SHA-256/384/512 are)"
        ));
        return Ok((facts, notes));
    };

    // Signer certificate: in the CMS, else among anchor certificates; else anchor keys.
    let anchor_certs: Vec<X509Certificate<'_>> = anchors
        .iter()
        .filter_map(|a| match a {
            Anchor::Certificate { der } => X509Certificate::from_der(der).ok().map(|(_, c)| c),
            Anchor::PublicKey { .. } => None,
        })
        .collect();
    let signer_cert = certs
        .list
        .iter()
        .find(|c| cert_matches(c, &sid))
        .or_else(|| anchor_certs.iter().find(|c| cert_matches(c, &sid)));

    // What is signed: the DER SET OF signed attributes (tag [0] IMPLICIT rewritten to
    // SET), after the messageDigest attribute was checked; else the content itself.
    let attrs_der;
    let message: &[u8] = match signed_attrs {
        Some(a) => {
            let mut md = None;
            let mut ctype: Option<String> = None;
            for attr in a.children(MAX_ATTRS).map_err(f)? {
                attr.expect(0x30, "Attribute").map_err(f)?;
                let p = attr.children(2).map_err(f)?;
                let (Some(t), Some(vals)) = (p.first(), p.get(1)) else {
                    return Err(Error::new(
                        format!("{place}: byte offset {}", attr.offset),
                        "Attribute must hold type and values",
                    ));
                };
                let oid = t.oid().map_err(f)?;
                if oid == OID_MESSAGE_DIGEST {
                    let v = der::read_exact(vals.content, vals.content_offset).map_err(f)?;
                    v.expect(0x04, "messageDigest").map_err(f)?;
                    md = Some(v.content.to_vec());
                } else if oid == OID_CONTENT_TYPE {
                    let v = der::read_exact(vals.content, vals.content_offset).map_err(f)?;
                    ctype = Some(v.oid().map_err(f)?);
                }
            }
            // RFC 5652 11.1: signed attributes must carry contentType, equal to
            // eContentType, or the type of what was signed could be swapped.
            if ctype.as_deref() != Some(econtent_type) {
                facts.verified = Verification::BadSignature(format!(
                    "contentType attribute {ctype:?} differs from eContentType {econtent_type}"
                ));
                return Ok((facts, notes));
            }
            let Some(md) = md else {
                facts.verified =
                    Verification::BadSignature("signed attributes lack messageDigest".into());
                return Ok((facts, notes));
            };
            if md != digest.digest(content) {
                facts.verified = Verification::BadSignature(format!(
                    "messageDigest ({}) does not match the {} of the signed content",
                    crate::hex(&md),
                    digest.name()
                ));
                return Ok((facts, notes));
            }
            let mut v = a.raw.to_vec();
            v[0] = 0x31;
            attrs_der = v;
            &attrs_der
        }
        None => content,
    };

    // Candidate keys: the signer certificate's, or (no certificate found) each anchor key.
    let mut candidates: Vec<(PublicKey, Option<&X509Certificate<'_>>)> = Vec::new();
    if let Some(c) = signer_cert {
        let key = PublicKey::from_spki(c.public_key().raw)
            .map_err(|m| Error::new(format!("{place}: signer certificate"), m))?;
        candidates.push((key, Some(c)));
    } else {
        for a in anchors {
            if let Ok(k) = a.key() {
                candidates.push((k, None));
            }
        }
        if candidates.is_empty() {
            facts.verified = Verification::Unverifiable(
                "the signer's certificate is neither in the signature nor among the anchors".into(),
            );
            return Ok((facts, notes));
        }
    }

    let mut last_err = String::new();
    for (key, cert) in &candidates {
        let scheme = match scheme_for(&sig_oid, sig_params, digest, key) {
            Ok(s) => s,
            Err(m) => {
                facts.algorithm = Some(sig_oid.clone());
                facts.key_bits = Some(key.bits());
                facts.verified = Verification::Unverifiable(m);
                return Ok((facts, notes));
            }
        };
        facts.algorithm = Some(scheme.name(key));
        facts.key_bits = Some(key.bits());
        if let Some(c) = cert {
            let subject = c.subject().to_string();
            facts.signer_is_test_key = Some(keys::looks_like_test_subject(&subject));
            facts.signer_subject = Some(subject);
            facts.signer_not_after = Some(c.validity().not_after.timestamp());
            if let Some(t) = as_of {
                let (nb, na) = (
                    c.validity().not_before.timestamp(),
                    c.validity().not_after.timestamp(),
                );
                if t < nb || t > na {
                    notes.push(format!(
                        "signer certificate is not valid at the given time (valid {nb}..{na} Unix seconds)"
                    ));
                }
            }
        }
        match keys::verify(key, scheme, message, sig.content) {
            Ok(()) => {
                let (verdict, method) = chain(key, *cert, certs, &anchor_certs, anchors, limits);
                facts.verified = verdict;
                facts.chain_method = Some(method);
                if !key.spki.is_empty() {
                    facts.signer_spki_sha256 = Some(crate::hex(&crate::hash::sha256(&key.spki)));
                    facts.signer_spki = Some(key.spki.clone());
                }
                return Ok((facts, notes));
            }
            Err(e) => last_err = e,
        }
    }
    facts.verified = Verification::BadSignature(last_err);
    Ok((facts, notes))
}

/// Decides trust for a key whose signature verified.
fn chain(
    key: &PublicKey,
    cert: Option<&X509Certificate<'_>>,
    certs: &Certs<'_>,
    anchor_certs: &[X509Certificate<'_>],
    anchors: &[Anchor],
    limits: &Limits,
) -> (Verification, String) {
    const METHOD: &str = "issuer-name match + signature check";
    if anchors.is_empty() {
        return (
            Verification::Unverifiable(
                "signature verifies with the signer's own key, but no trust anchor was given"
                    .into(),
            ),
            METHOD.into(),
        );
    }
    if anchors
        .iter()
        .any(|a| a.key().is_ok_and(|k| k.spki == key.spki))
    {
        return (Verification::Verified, "signer key is an anchor key".into());
    }
    let Some(mut cur) = cert else {
        return (
            Verification::Untrusted("signer key is not an anchor key".into()),
            METHOD.into(),
        );
    };
    let signer = cur.subject().to_string();
    for _ in 0..limits.max_chain_depth {
        for a in anchor_certs {
            if a.subject().as_raw() == cur.issuer().as_raw()
                && cur.verify_signature(Some(a.public_key())).is_ok()
            {
                return (Verification::Verified, METHOD.into());
            }
        }
        let next = certs.list.iter().find(|c| {
            c.as_raw() != cur.as_raw()
                && c.subject().as_raw() == cur.issuer().as_raw()
                && cur.verify_signature(Some(c.public_key())).is_ok()
        });
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    (
        Verification::Untrusted(format!(
            "signer {signer} does not chain to any given anchor"
        )),
        METHOD.into(),
    )
}

/// Whether a DER CMS ContentInfo carries its content (attached) or not (detached).
pub fn is_attached(place: &str, cms: &[u8]) -> Result<bool, Error> {
    let f = |e: DerFault| fault(place, e);
    let ci = der::read_exact(cms, 0).map_err(f)?;
    ci.expect(0x30, "ContentInfo").map_err(f)?;
    let kids = ci.children(4).map_err(f)?;
    let explicit = kids.get(1).ok_or_else(|| {
        Error::new(
            format!("{place}: byte offset 0"),
            "ContentInfo without content",
        )
    })?;
    let sd = der::read_exact(explicit.content, explicit.content_offset).map_err(f)?;
    let items = sd.children(8).map_err(f)?;
    let encap = items.get(2).ok_or_else(|| {
        Error::new(
            format!("{place}: byte offset {}", sd.offset),
            "SignedData has fewer than 3 elements",
        )
    })?;
    encap.expect(0x30, "EncapsulatedContentInfo").map_err(f)?;
    Ok(encapsulated_content(encap).map_err(f)?.1.is_some())
}
