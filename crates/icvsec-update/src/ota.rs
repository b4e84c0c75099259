//! Android A/B OTA zip: `payload.bin` (CrAU header), `payload_properties.txt`,
//! `META-INF/com/android/metadata`, `META-INF/com/android/otacert`, and the whole-file
//! signature in the zip comment.
//!
//! Whole-file signature (as the recovery verifier reads it): the last 6 bytes of the file
//! are `signature_start` (u16 LE), `0xffff`, `comment_size` (u16 LE). The CMS/PKCS#7
//! SignedData sits at `len - signature_start .. len - 6` and signs
//! `file[..len - comment_size - 2]` (everything before the comment-length field).
//!
//! Verified: that signature against the anchors (or, with none, the package's own
//! otacert, which proves consistency only); FILE_HASH/FILE_SIZE against payload.bin;
//! METADATA_HASH/METADATA_SIZE against the payload's header and manifest; the payload's
//! own metadata and payload signatures ([`crate::payload_sig`]).

use base64::Engine;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::{
    Anchor, Error, Kind, Options, PayloadCheck, PayloadState, UpdatePackage, Verification, cms,
    hash, keys, zip,
};

const PAYLOAD: &str = "payload.bin";
const PROPS: &str = "payload_properties.txt";
const METADATA: &str = "META-INF/com/android/metadata";
const OTACERT: &str = "META-INF/com/android/otacert";

/// Reads an A/B OTA package.
pub fn read(name: &str, bytes: &[u8], options: &Options) -> Result<UpdatePackage, Error> {
    let limits = &options.limits;
    let archive = zip::open(name, bytes, limits)?;
    let payload_m = archive.find(PAYLOAD).ok_or_else(|| {
        Error::new(
            format!("{name}: zip"),
            "no payload.bin member: not an Android A/B OTA package",
        )
    })?;
    let mut pkg = UpdatePackage::new(Kind::AndroidOta, name);
    let meta_max = limits.max_metadata_bytes;

    // META-INF/com/android/metadata: key=value lines.
    if let Some(m) = archive.find(METADATA) {
        let text = zip::read(name, bytes, m, meta_max, limits)?;
        let kv = key_values(&text);
        pkg.version = kv
            .get("post-build-incremental")
            .or_else(|| kv.get("post-build"))
            .cloned();
        if let Some(dev) = kv.get("pre-device") {
            pkg.hardware_compat.extend(
                dev.split('|')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
            );
        }
        if let Some(pb) = kv.get("post-build")
            && (pb.ends_with("/test-keys") || pb.ends_with("/dev-keys"))
        {
            pkg.problem(
                format!("{name}: {METADATA} post-build"),
                format!("target build fingerprint {pb} says it is signed with test/dev keys"),
            );
        }
        for (k, v) in kv {
            pkg.details.insert(format!("metadata.{k}"), v);
        }
    } else {
        pkg.problem(format!("{name}: zip"), format!("no {METADATA} member"));
    }

    // otacert: the certificate(s) the device will accept for the next update.
    let mut otacert_anchors = Vec::new();
    if let Some(m) = archive.find(OTACERT) {
        let text = zip::read(name, bytes, m, meta_max, limits)?;
        match Anchor::parse(&format!("{name}: {OTACERT}"), &text) {
            Ok(a) => {
                for an in &a {
                    if let Anchor::Certificate { der } = an
                        && let Ok((_, c)) = X509Certificate::from_der(der)
                    {
                        let s = c.subject().to_string();
                        if keys::looks_like_test_subject(&s) {
                            pkg.problem(
                                format!("{name}: {OTACERT}"),
                                format!("otacert {s} looks like a test/development key"),
                            );
                        }
                        pkg.details.insert("otacert.subject".into(), s);
                    }
                }
                otacert_anchors = a;
            }
            Err(e) => pkg.problem(e.place, e.message),
        }
    }

    // Whole-file signature.
    pkg.signature = whole_file_signature(
        name,
        bytes,
        &archive,
        options,
        &otacert_anchors,
        &mut pkg.problems,
    )?;

    // payload.bin header and properties.
    if payload_m.method != 0 {
        pkg.problem(
            format!("{name}: zip member {PAYLOAD:?}"),
            "payload.bin is compressed; update_engine streams it and needs it stored",
        );
    }
    let (pstart, plen) = zip::data_range(name, bytes, payload_m)?;
    let payload: std::borrow::Cow<'_, [u8]> = if payload_m.method == 0 {
        std::borrow::Cow::Borrowed(&bytes[pstart..pstart + plen])
    } else {
        std::borrow::Cow::Owned(zip::read(name, bytes, payload_m, usize::MAX, limits)?)
    };
    let header = payload_header(name, &payload)?;
    pkg.details
        .insert("payload.version".into(), header.version.to_string());
    pkg.details.insert(
        "payload.manifest-size".into(),
        header.manifest_size.to_string(),
    );
    pkg.details.insert(
        "payload.metadata-signature-size".into(),
        header.metadata_signature_size.to_string(),
    );
    // update_engine checks payload signatures with a bare key; by default it is the key
    // that signed the package, so the whole-file signer counts once it chained to an
    // anchor. With no anchor, the otacert (consistency only).
    let own_keys = options.anchors.is_empty();
    let key_source = if own_keys {
        &otacert_anchors[..]
    } else {
        &options.anchors[..]
    };
    let mut keys: Vec<keys::PublicKey> = key_source.iter().filter_map(|a| a.key().ok()).collect();
    if pkg.signature.verified.is_verified()
        && let Some(k) = pkg
            .signature
            .signer_spki
            .as_deref()
            .and_then(|s| keys::PublicKey::from_spki(s).ok())
    {
        keys.push(k);
    }
    crate::payload_sig::check(name, &payload, &header, &keys, own_keys, &mut pkg);

    let props = match archive.find(PROPS) {
        Some(m) => key_values(&zip::read(name, bytes, m, meta_max, limits)?),
        None => {
            pkg.problem(format!("{name}: zip"), format!("no {PROPS} member"));
            Default::default()
        }
    };
    let b64 = |k: &str| -> Option<Result<Vec<u8>, String>> {
        props.get(k).map(|v| {
            base64::engine::general_purpose::STANDARD
                .decode(v.trim())
                .map_err(|e| format!("{k} is not base64: {e}"))
        })
    };
    let num = |k: &str| props.get(k).and_then(|v| v.trim().parse::<u64>().ok());

    // FILE_HASH / FILE_SIZE over payload.bin.
    let file_size = num("FILE_SIZE");
    pkg.payloads.push(digest_check(
        name,
        PAYLOAD,
        b64("FILE_HASH"),
        file_size,
        &payload,
        &mut pkg.problems,
    ));
    // METADATA_HASH / METADATA_SIZE over header + manifest.
    let meta_len = header.metadata_len();
    let meta_size = num("METADATA_SIZE");
    if let Some(ms) = meta_size
        && ms != meta_len
    {
        pkg.problem(
            format!("{name}: {PROPS} METADATA_SIZE"),
            format!("METADATA_SIZE {ms} differs from the payload header's {meta_len} (header + manifest)"),
        );
    }
    let meta_bytes = payload.get(..meta_len as usize).unwrap_or(&payload);
    pkg.payloads.push(digest_check(
        name,
        "payload.bin metadata",
        b64("METADATA_HASH"),
        Some(meta_len),
        meta_bytes,
        &mut pkg.problems,
    ));
    Ok(pkg)
}

fn digest_check(
    name: &str,
    what: &str,
    declared: Option<Result<Vec<u8>, String>>,
    size: Option<u64>,
    data: &[u8],
    problems: &mut Vec<crate::Problem>,
) -> PayloadCheck {
    let expected = match declared {
        Some(Ok(d)) if d.len() == 32 => Some(crate::hex(&d)),
        Some(Ok(d)) => {
            problems.push(crate::Problem {
                place: format!("{name}: {PROPS}"),
                message: format!("hash for {what} is {} bytes, not a SHA-256", d.len()),
            });
            None
        }
        Some(Err(m)) => {
            problems.push(crate::Problem {
                place: format!("{name}: {PROPS}"),
                message: m,
            });
            None
        }
        None => None,
    };
    let actual = match (&expected, size) {
        (_, Some(s)) if s != data.len() as u64 => PayloadState::SizeMismatch {
            declared: s,
            actual: data.len() as u64,
        },
        (None, _) => PayloadState::NoDigest,
        (Some(e), _) => {
            let got = crate::hex(&hash::sha256(data));
            if &got == e {
                PayloadState::Match
            } else {
                PayloadState::Mismatch { actual_sha256: got }
            }
        }
    };
    PayloadCheck {
        name: what.to_string(),
        expected_sha256: expected,
        declared_size: size,
        actual,
    }
}

pub use crate::payload_sig::PayloadHeader;

/// Parses the `CrAU` header: magic, version (u64 BE), manifest size (u64 BE), metadata
/// signature size (u32 BE, version 2 and later). Sizes must fit in the payload.
pub fn payload_header(name: &str, p: &[u8]) -> Result<PayloadHeader, Error> {
    let place = format!("{name}: {PAYLOAD} byte offset 0");
    if p.get(..4) != Some(b"CrAU") {
        return Err(Error::new(
            place,
            "payload.bin does not start with the CrAU magic",
        ));
    }
    let u64_at = |o: usize| {
        p.get(o..o + 8)
            .map(|b| u64::from_be_bytes(b.try_into().unwrap_or([0; 8])))
    };
    let version = u64_at(4).ok_or_else(|| Error::new(place.clone(), "truncated payload header"))?;
    let manifest_size =
        u64_at(12).ok_or_else(|| Error::new(place.clone(), "truncated payload header"))?;
    let metadata_signature_size = if version >= 2 {
        p.get(20..24)
            .map(|b| u32::from_be_bytes(b.try_into().unwrap_or([0; 4])))
            .ok_or_else(|| Error::new(place.clone(), "truncated payload header"))?
    } else {
        0
    };
    if !(1..=2).contains(&version) {
        return Err(Error::new(
            place,
            format!("payload version {version} unknown (1 and 2 are)"),
        ));
    }
    let h = PayloadHeader {
        version,
        manifest_size,
        metadata_signature_size,
    };
    if h.metadata_len()
        .saturating_add(u64::from(metadata_signature_size))
        > p.len() as u64
    {
        return Err(Error::new(
            format!("{name}: {PAYLOAD} byte offset 12"),
            format!(
                "manifest ({manifest_size} bytes) and metadata signature ({metadata_signature_size} bytes) exceed the {}-byte payload",
                p.len()
            ),
        ));
    }
    Ok(h)
}

fn key_values(text: &[u8]) -> std::collections::BTreeMap<String, String> {
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty() && !k.starts_with('#'))
        .collect()
}

fn whole_file_signature(
    name: &str,
    b: &[u8],
    archive: &zip::Archive,
    options: &Options,
    otacert: &[Anchor],
    problems: &mut Vec<crate::Problem>,
) -> Result<crate::SignatureFacts, Error> {
    let len = b.len();
    let footer = &b[len.saturating_sub(6)..];
    if archive.comment_len < 6 || footer.len() < 6 || footer[2] != 0xff || footer[3] != 0xff {
        return Ok(crate::SignatureFacts::absent());
    }
    let place = format!("{name}: zip comment (whole-file signature)");
    let sig_start = u16::from_le_bytes([footer[0], footer[1]]) as usize;
    let comment_size = u16::from_le_bytes([footer[4], footer[5]]) as usize;
    if comment_size != archive.comment_len {
        return Err(Error::new(
            place,
            format!(
                "footer comment size {comment_size} differs from the zip comment length {}",
                archive.comment_len
            ),
        ));
    }
    if sig_start > comment_size || sig_start < 6 {
        return Err(Error::new(
            place,
            format!("signature start {sig_start} outside the {comment_size}-byte comment"),
        ));
    }
    // The recovery verifier refuses a second EOCD signature inside the comment: it could
    // make the signed bytes and the parsed archive disagree.
    let comment_start = archive.eocd_offset + 22;
    if b[comment_start..].windows(4).any(|w| w == b"PK\x05\x06") {
        return Err(Error::new(
            place,
            "an end-of-central-directory signature appears inside the comment",
        ));
    }
    let sig = &b[len - sig_start..len - 6];
    let signed = &b[..len - comment_size - 2];
    let (anchors, own) = if options.anchors.is_empty() {
        (otacert, true)
    } else {
        (&options.anchors[..], false)
    };
    let r = cms::verify(
        &place,
        sig,
        Some(signed),
        anchors,
        &options.limits,
        options.as_of,
    )?;
    for n in r.notes {
        problems.push(crate::Problem {
            place: place.clone(),
            message: n,
        });
    }
    let mut facts = r.facts;
    facts.format = Some("cms-whole-file".into());
    if own && facts.verified.is_verified() {
        facts.verified = Verification::Unverifiable(
            "signature verifies against the package's own otacert only (consistency, not trust): no anchor given".into(),
        );
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_header_bounds() {
        let mut p = b"CrAU".to_vec();
        p.extend_from_slice(&2u64.to_be_bytes());
        p.extend_from_slice(&u64::MAX.to_be_bytes());
        p.extend_from_slice(&0u32.to_be_bytes());
        let e = payload_header("x.zip", &p).unwrap_err();
        assert!(e.message.contains("exceed"), "{e}");
        assert!(payload_header("x.zip", &p[..10]).is_err());
        assert!(payload_header("x.zip", b"CrAX").is_err());
        let mut ok = b"CrAU".to_vec();
        ok.extend_from_slice(&2u64.to_be_bytes());
        ok.extend_from_slice(&3u64.to_be_bytes());
        ok.extend_from_slice(&1u32.to_be_bytes());
        ok.extend_from_slice(b"abcd");
        let h = payload_header("x.zip", &ok).unwrap();
        assert_eq!(h.metadata_len(), 27);
    }
}
