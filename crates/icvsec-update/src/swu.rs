//! SWUpdate `.swu`: a cpio archive whose first member is `sw-description` (libconfig),
//! optionally followed by `sw-description.sig` (CMS SignedData detached over
//! sw-description, or a raw RSA PKCS#1 v1.5 / PSS SHA-256 signature), then the images.
//!
//! Verified: the signature over sw-description against the anchors; every image/file/
//! script's `sha256` against its cpio member; the `crc` cpio format's byte sums.

use x509_parser::prelude::{FromDer, X509Certificate};

use crate::keys::{self, Hash, KeyType, Scheme};
use crate::libconfig::{self, Value};
use crate::{
    Anchor, Error, Kind, Options, PayloadCheck, PayloadState, SignatureFacts, UpdatePackage,
    Verification, cms, cpio, hash,
    source::{self, Source},
};

const DESC: &str = "sw-description";
const SIG: &str = "sw-description.sig";
/// Lists in sw-description whose elements name payloads in the archive.
const PAYLOAD_LISTS: [&str; 4] = ["images", "files", "scripts", "bootloader"];

/// Reads a `.swu` package held in memory.
pub fn read(name: &str, bytes: &[u8], options: &Options) -> Result<UpdatePackage, Error> {
    read_source(name, &bytes, options)
}

/// Reads a `.swu` package from any [`Source`] (a file read in place): headers,
/// sw-description and its signature are copied out under the metadata limit; every
/// image is hashed in bounded chunks where it lies, so a multi-gigabyte image needs no
/// more memory than a small one.
pub fn read_source(
    name: &str,
    bytes: &dyn Source,
    options: &Options,
) -> Result<UpdatePackage, Error> {
    let limits = &options.limits;
    let entries = cpio::entries(name, bytes, limits)?;
    let first = entries
        .first()
        .ok_or_else(|| Error::new(format!("{name}: cpio byte offset 0"), "empty cpio archive"))?;
    if first.name != DESC {
        return Err(Error::new(
            format!(
                "{name}: cpio entry {:?} at byte offset {}",
                first.name, first.header_offset
            ),
            format!("first member must be {DESC} (SWUpdate reads it before anything else)"),
        ));
    }
    if first.size > limits.max_metadata_bytes as u64 {
        return Err(Error::new(
            format!("{name}: {DESC}"),
            format!(
                "{} bytes exceed the {}-byte metadata limit",
                first.size, limits.max_metadata_bytes
            ),
        ));
    }
    let entry_place = |e: &cpio::Entry| {
        format!(
            "{name}: cpio entry {:?} at byte offset {}",
            e.name, e.header_offset
        )
    };
    // Small members copied out (bounded by the metadata limit).
    let data = |e: &cpio::Entry| -> Result<Vec<u8>, Error> {
        if e.size > limits.max_metadata_bytes as u64 {
            return Err(Error::new(
                entry_place(e),
                format!(
                    "{} bytes exceed the {}-byte metadata limit",
                    e.size, limits.max_metadata_bytes
                ),
            ));
        }
        source::read_vec(bytes, e.data_offset, e.size as usize)
            .map_err(|err| Error::new(entry_place(e), format!("cannot read: {err}")))
    };
    // Payloads hashed in place, each once (SHA-256 and the crc-format byte sum).
    let mut digests: std::collections::BTreeMap<usize, ([u8; 32], u32)> = Default::default();
    let mut digest = |i: usize| -> Result<([u8; 32], u32), Error> {
        if let Some(d) = digests.get(&i) {
            return Ok(*d);
        }
        let e = &entries[i];
        let d = source::digest_range(bytes, e.data_offset, e.size, e.check.is_some())
            .map_err(|err| Error::new(entry_place(e), format!("cannot read: {err}")))?;
        digests.insert(i, d);
        Ok(d)
    };
    let desc = data(first)?;
    let desc = &desc[..];
    let mut pkg = UpdatePackage::new(Kind::Swupdate, name);

    for (i, e) in entries.iter().enumerate() {
        if let Some(check) = e.check {
            let sum = digest(i)?.1;
            if sum != check {
                pkg.problem(
                    format!(
                        "{name}: cpio entry {:?} at byte offset {}",
                        e.name, e.header_offset
                    ),
                    format!(
                        "crc-format checksum {check:08x} differs from the data's byte sum {sum:08x}"
                    ),
                );
            }
        }
    }

    // Signature.
    if let Some((i, sig)) = entries.iter().enumerate().find(|(_, e)| e.name == SIG) {
        if i != 1 {
            pkg.problem(
                format!(
                    "{name}: cpio entry {SIG:?} at byte offset {}",
                    sig.header_offset
                ),
                format!(
                    "{SIG} is member {} but SWUpdate expects it right after {DESC}",
                    i + 1
                ),
            );
        }
        let place = format!("{name}: {SIG}");
        let sig_bytes = data(sig)?;
        pkg.signature = signature(&place, &sig_bytes, desc, options, &mut pkg.problems);
    }

    // sw-description.
    let tree = libconfig::parse(desc, limits.max_depth).map_err(|e| {
        Error::new(
            format!("{name}: {DESC} line {}:{}", e.line, e.col),
            e.message,
        )
    })?;
    let software = tree
        .get("software")
        .ok_or_else(|| Error::new(format!("{name}: {DESC}"), "no top-level `software` group"))?;
    pkg.version = software.get("version").and_then(Value::scalar_text);
    if let Some(d) = software.get("description").and_then(Value::scalar_text) {
        pkg.details.insert("description".into(), d);
    }
    let mut payloads: Vec<(String, Option<String>, Option<u64>)> = Vec::new();
    collect(
        software,
        0,
        limits.max_depth,
        &mut pkg.hardware_compat,
        &mut payloads,
    );
    payloads.sort();
    payloads.dedup();
    for (file, sha, size) in payloads {
        let entry = entries.iter().position(|e| e.name == file);
        let expected = sha.as_deref().map(str::to_ascii_lowercase);
        let actual = match (&expected, entry) {
            (_, None) => PayloadState::Missing,
            (None, Some(_)) => {
                if pkg.signature.present {
                    pkg.problem(
                        format!("{name}: {DESC} entry {file:?}"),
                        "signed package, but the entry has no sha256: its content is not covered by the signature",
                    );
                }
                PayloadState::NoDigest
            }
            (Some(exp), Some(i)) => {
                if hash::parse_hex(exp, 32).is_none() {
                    pkg.problem(
                        format!("{name}: {DESC} entry {file:?}"),
                        format!("sha256 {exp:?} is not 64 hex digits"),
                    );
                }
                let got = crate::hex(&digest(i)?.0);
                if &got == exp {
                    PayloadState::Match
                } else {
                    PayloadState::Mismatch { actual_sha256: got }
                }
            }
        };
        pkg.payloads.push(PayloadCheck {
            name: file,
            expected_sha256: expected,
            declared_size: size,
            actual,
        });
    }
    Ok(pkg)
}

/// Walks groups and lists (depth-bounded) for hardware-compatibility and payload lists;
/// board- and selection-specific sections nest them.
fn collect(
    v: &Value,
    depth: usize,
    max: usize,
    hw: &mut Vec<String>,
    out: &mut Vec<(String, Option<String>, Option<u64>)>,
) {
    if depth > max {
        return;
    }
    let Value::Group(settings) = v else { return };
    for s in settings {
        match (&*s.name, &s.value) {
            ("hardware-compatibility", Value::List(items)) => {
                hw.extend(items.iter().filter_map(Value::scalar_text));
            }
            (n, Value::List(items)) if PAYLOAD_LISTS.contains(&n) => {
                for it in items {
                    if let Some(f) = it.get("filename").and_then(Value::as_str) {
                        let sha = it.get("sha256").and_then(Value::as_str).map(str::to_string);
                        let size = match it.get("size") {
                            Some(Value::Int(i)) if *i >= 0 => Some(*i as u64),
                            _ => None,
                        };
                        out.push((f.to_string(), sha, size));
                    }
                }
            }
            (_, g @ Value::Group(_)) => collect(g, depth + 1, max, hw, out),
            _ => {}
        }
    }
}

/// Verdict on sw-description.sig: CMS when it parses as CMS, else raw RSA.
fn signature(
    place: &str,
    sig: &[u8],
    desc: &[u8],
    options: &Options,
    problems: &mut Vec<crate::Problem>,
) -> SignatureFacts {
    let mut cms_error = None;
    if sig.first() == Some(&0x30) {
        match cms::verify(
            place,
            sig,
            Some(desc),
            &options.anchors,
            &options.limits,
            options.as_of,
        ) {
            Ok(r) => {
                for n in r.notes {
                    problems.push(crate::Problem {
                        place: place.to_string(),
                        message: n,
                    });
                }
                return r.facts;
            }
            Err(e) => cms_error = Some(e),
        }
    }
    let mut facts = SignatureFacts {
        present: true,
        format: Some("raw-rsa".into()),
        ..SignatureFacts::absent()
    };
    let rsa_anchors: Vec<(&Anchor, keys::PublicKey)> = options
        .anchors
        .iter()
        .filter_map(|a| a.key().ok().map(|k| (a, k)))
        .filter(|(_, k)| matches!(k.kind, KeyType::Rsa { .. }))
        .collect();
    if rsa_anchors.is_empty() {
        facts.verified = Verification::Unverifiable(match cms_error {
            Some(e) => format!("not CMS ({e}); a raw RSA signature needs an RSA anchor key"),
            None => "raw RSA signature, but no RSA anchor key was given".into(),
        });
        return facts;
    }
    let mut last = String::new();
    for (a, key) in &rsa_anchors {
        for scheme in [Scheme::RsaPkcs1(Hash::Sha256), Scheme::RsaPss(Hash::Sha256)] {
            match keys::verify(key, scheme, desc, sig) {
                Ok(()) => {
                    facts.format = Some(format!("raw-{}", scheme.name(key)));
                    facts.algorithm = Some(scheme.name(key));
                    facts.key_bits = Some(key.bits());
                    if let Anchor::Certificate { der } = a
                        && let Ok((_, c)) = X509Certificate::from_der(der)
                    {
                        let s = c.subject().to_string();
                        facts.signer_is_test_key = Some(keys::looks_like_test_subject(&s));
                        facts.signer_subject = Some(s);
                        facts.signer_not_after = Some(c.validity().not_after.timestamp());
                    }
                    facts.verified = Verification::Verified;
                    facts.signer_spki_sha256 = Some(crate::hex(&hash::sha256(&key.spki)));
                    facts.signer_spki = Some(key.spki.clone());
                    facts.chain_method = Some("signer key is an anchor key".into());
                    return facts;
                }
                Err(e) => last = e,
            }
        }
    }
    // A raw signature carries no key identity: with no anchor verifying it we cannot tell
    // a wrong key from altered bytes.
    facts.verified = Verification::BadSignature(format!(
        "raw RSA signature verifies with none of the {} RSA anchor key(s): {last}{}",
        rsa_anchors.len(),
        cms_error
            .map(|e| format!(" (and it is not CMS: {e})"))
            .unwrap_or_default()
    ));
    facts
}
