//! RAUC bundle: squashfs image, then (verity/crypt formats) the dm-verity hash tree,
//! then a CMS SignedData, then the CMS size as an 8-byte big-endian integer.
//!
//! * `plain` format: the CMS is detached and signs the squashfs image; the manifest
//!   `manifest.raucm` is read from the squashfs root.
//! * `verity` / `crypt` formats: the CMS is attached and its content is the manifest
//!   (which names the verity root hash, salt and hash-tree size).
//!
//! Verified: the CMS against the anchors; every `[image.*]` sha256 and size against the
//! file in the squashfs (streamed, one block at a time); for verity, the dm-verity root
//! hash recomputed over the squashfs (format 1, SHA-256, 4 KiB blocks, salt first) and
//! compared with `verity-hash`, and the stored hash tree compared with the computed one.
//! Not verified: crypt payloads (encrypted).

use crate::squashfs::Squashfs;
use crate::{Error, Kind, Options, PayloadCheck, PayloadState, UpdatePackage, cms};

const MANIFEST: &str = "manifest.raucm";

/// Reads a RAUC bundle.
pub fn read(name: &str, bytes: &[u8], options: &Options) -> Result<UpdatePackage, Error> {
    let limits = &options.limits;
    let len = bytes.len();
    if len < 96 + 8 {
        return Err(Error::new(
            format!("{name}: byte offset 0"),
            "too short for a RAUC bundle",
        ));
    }
    let sig_size = u64::from_be_bytes(bytes[len - 8..].try_into().unwrap_or([0; 8]));
    let max_sig = (limits.max_metadata_bytes as u64).min(len as u64 - 8);
    if sig_size == 0 || sig_size > max_sig {
        return Err(Error::new(
            format!("{name}: byte offset {}", len - 8),
            format!(
                "signature size {sig_size} out of range 1..={max_sig} (unsigned bundle or not RAUC)"
            ),
        ));
    }
    let sig_start = len - 8 - sig_size as usize;
    let sig = &bytes[sig_start..len - 8];
    let image = &bytes[..sig_start];
    let place = format!("{name}: CMS signature at byte offset {sig_start}");
    let mut pkg = UpdatePackage::new(Kind::Rauc, name);

    let attached = cms::is_attached(&place, sig)?;
    let r = if attached {
        cms::verify(&place, sig, None, &options.anchors, limits, options.as_of)?
    } else {
        cms::verify(
            &place,
            sig,
            Some(image),
            &options.anchors,
            limits,
            options.as_of,
        )?
    };
    for n in &r.notes {
        pkg.problem(place.clone(), n.clone());
    }
    pkg.signature = r.facts;

    let sq = Squashfs::open(name, image, limits)?;
    let root = sq.root_entries()?;
    let (manifest_text, manifest_place) = match &r.content {
        Some(c) => (c.clone(), format!("{name}: manifest (CMS content)")),
        None => {
            let e = root.iter().find(|e| e.name == MANIFEST).ok_or_else(|| {
                Error::new(
                    format!("{name}: squashfs root"),
                    format!("no {MANIFEST} in a plain bundle"),
                )
            })?;
            let f = sq.file_inode(e.inode_ref)?;
            if f.size > limits.max_metadata_bytes as u64 {
                return Err(Error::new(
                    format!("{name}: {MANIFEST}"),
                    format!("{} bytes exceed the metadata limit", f.size),
                ));
            }
            let mut text = Vec::new();
            sq.read_file(&f, &mut |b| text.extend_from_slice(b))?;
            (text, format!("{name}: {MANIFEST}"))
        }
    };
    if manifest_text.len() > limits.max_metadata_bytes {
        return Err(Error::new(
            manifest_place,
            "manifest exceeds the metadata limit",
        ));
    }
    let ini = parse_ini(&manifest_place, &manifest_text, limits.max_entries)?;
    let get = |sec: &str, key: &str| {
        ini.iter()
            .find(|(s, k, _, _)| s == sec && k == key)
            .map(|(_, _, v, _)| v.clone())
    };
    pkg.version = get("update", "version");
    if let Some(c) = get("update", "compatible") {
        pkg.hardware_compat.push(c);
    } else {
        pkg.problem(
            manifest_place.clone(),
            "[update] has no compatible= (RAUC requires it)",
        );
    }
    let format = get("bundle", "format").unwrap_or_else(|| "plain".into());
    pkg.details.insert("format".into(), format.clone());
    for k in ["build", "description"] {
        if let Some(v) = get("update", k) {
            pkg.details.insert(k.into(), v);
        }
    }
    match (format.as_str(), attached) {
        ("plain", true) => pkg.problem(
            manifest_place.clone(),
            "format plain, but the manifest came from an attached CMS",
        ),
        ("verity" | "crypt", false) => pkg.problem(
            place.clone(),
            format!("format {format}, but the CMS is detached"),
        ),
        _ => {}
    }
    if format == "verity" || format == "crypt" {
        for k in ["verity-hash", "verity-salt", "verity-size"] {
            match get("bundle", k) {
                Some(v) => {
                    pkg.details.insert(k.into(), v);
                }
                None => pkg.problem(
                    manifest_place.clone(),
                    format!("format {format} without {k}"),
                ),
            }
        }
        if let Some(vs) = get("bundle", "verity-size").and_then(|v| v.parse::<u64>().ok()) {
            let sq_len = (sig_start as u64).checked_sub(vs);
            match sq_len {
                Some(l) if l >= sq.bytes_used => {
                    let l = l as usize;
                    let check = verity_check(
                        &manifest_place,
                        &bytes[..l],
                        &bytes[l..sig_start],
                        get("bundle", "verity-hash").as_deref(),
                        get("bundle", "verity-salt").as_deref(),
                        &mut pkg.problems,
                    );
                    pkg.payloads.push(check);
                }
                _ => pkg.problem(
                    manifest_place.clone(),
                    format!(
                        "verity-size {vs} leaves no room for the {}-byte squashfs",
                        sq.bytes_used
                    ),
                ),
            }
        }
    }
    if format == "crypt" {
        pkg.problem(
            manifest_place.clone(),
            "crypt bundle: payload digests are not checked (encrypted image)",
        );
    }

    // Images: sections [image.<slotclass>] or [image.<slotclass>.<variant>].
    let mut sections: Vec<String> = ini
        .iter()
        .filter(|(s, _, _, _)| s.starts_with("image."))
        .map(|(s, _, _, _)| s.clone())
        .collect();
    sections.sort();
    sections.dedup();
    for sec in sections {
        let Some(file) = get(&sec, "filename") else {
            pkg.problem(manifest_place.clone(), format!("[{sec}] has no filename"));
            continue;
        };
        let expected = get(&sec, "sha256").map(|s| s.to_ascii_lowercase());
        let declared_size = get(&sec, "size").and_then(|s| s.parse::<u64>().ok());
        let actual = if format == "crypt" {
            PayloadState::NoDigest
        } else {
            match root.iter().find(|e| e.name == file) {
                None => PayloadState::Missing,
                Some(e) => {
                    let f = sq.file_inode(e.inode_ref)?;
                    match (&expected, declared_size) {
                        (_, Some(d)) if d != f.size => PayloadState::SizeMismatch {
                            declared: d,
                            actual: f.size,
                        },
                        (None, _) => PayloadState::NoDigest,
                        (Some(exp), _) => {
                            let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
                            sq.read_file(&f, &mut |b| ctx.update(b))?;
                            let got = crate::hex(ctx.finish().as_ref());
                            if &got == exp {
                                PayloadState::Match
                            } else {
                                PayloadState::Mismatch { actual_sha256: got }
                            }
                        }
                    }
                }
            }
        };
        pkg.payloads.push(PayloadCheck {
            name: format!("{sec}: {file}"),
            expected_sha256: expected,
            declared_size,
            actual,
        });
    }
    Ok(pkg)
}

/// INI: `[section]`, `key=value`, `#`/`;` comments. Returns (section, key, value, line).
fn parse_ini(
    place: &str,
    text: &[u8],
    max: usize,
) -> Result<Vec<(String, String, String, usize)>, Error> {
    let text = std::str::from_utf8(text).map_err(|e| {
        Error::new(
            format!("{place}: byte offset {}", e.valid_up_to()),
            "manifest is not UTF-8",
        )
    })?;
    let mut out = Vec::new();
    let mut section = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[') {
            section = s
                .strip_suffix(']')
                .ok_or_else(|| {
                    Error::new(
                        format!("{place}: line {}", i + 1),
                        "section header without ']'",
                    )
                })?
                .trim()
                .to_string();
            continue;
        }
        let (k, v) = line.split_once('=').ok_or_else(|| {
            Error::new(
                format!("{place}: line {}", i + 1),
                format!("expected key=value, found {line:?}"),
            )
        })?;
        if section.is_empty() {
            return Err(Error::new(
                format!("{place}: line {}", i + 1),
                "key outside any [section]",
            ));
        }
        if out.len() >= max {
            return Err(Error::new(
                format!("{place}: line {}", i + 1),
                format!("more than {max} manifest keys"),
            ));
        }
        out.push((
            section.clone(),
            k.trim().to_string(),
            v.trim().to_string(),
            i + 1,
        ));
    }
    Ok(out)
}

const VERITY_BLOCK: usize = 4096;

/// dm-verity (format 1, SHA-256, 4096-byte data and hash blocks, salt prepended) over
/// `data`: (root hash, hash tree as stored, top level first). `None` when `data` is empty
/// or not block-aligned.
pub fn verity_tree(data: &[u8], salt: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    if data.is_empty() || !data.len().is_multiple_of(VERITY_BLOCK) {
        return None;
    }
    let h = |block: &[u8]| {
        let mut c = ring::digest::Context::new(&ring::digest::SHA256);
        c.update(salt);
        c.update(block);
        c.finish().as_ref().to_vec()
    };
    if data.len() == VERITY_BLOCK {
        // One data block: no hash levels, the root hashes the block itself (kernel: levels = 0).
        return Some((h(data), Vec::new()));
    }
    // Hashes of one level's blocks, packed into zero-padded hash blocks.
    let pack = |blocks: &[u8]| {
        let mut out = Vec::new();
        for b in blocks.chunks(VERITY_BLOCK) {
            out.extend_from_slice(&h(b));
        }
        let padded = out.len().div_ceil(VERITY_BLOCK) * VERITY_BLOCK;
        out.resize(padded, 0);
        out
    };
    let mut levels = vec![pack(data)];
    while levels.last().is_some_and(|l| l.len() > VERITY_BLOCK) {
        let next = pack(levels.last()?);
        levels.push(next);
    }
    let root = h(levels.last()?);
    let tree = levels.into_iter().rev().flatten().collect();
    Some((root, tree))
}

fn verity_check(
    place: &str,
    data: &[u8],
    stored_tree: &[u8],
    root_hex: Option<&str>,
    salt_hex: Option<&str>,
    problems: &mut Vec<crate::Problem>,
) -> PayloadCheck {
    let expected = root_hex.map(str::to_ascii_lowercase);
    let mut check = PayloadCheck {
        name: "bundle image (dm-verity root hash)".into(),
        expected_sha256: expected.clone(),
        declared_size: Some(stored_tree.len() as u64),
        actual: PayloadState::NoDigest,
    };
    let salt = match salt_hex.map(|s| crate::hash::parse_hex(s, s.len() / 2)) {
        Some(Some(s)) => s,
        _ => {
            problems.push(crate::Problem {
                place: place.to_string(),
                message: "verity-salt missing or not hex".into(),
            });
            return check;
        }
    };
    let Some((root, tree)) = verity_tree(data, &salt) else {
        problems.push(crate::Problem {
            place: place.to_string(),
            message: format!(
                "verity data of {} bytes is not a whole number of 4096-byte blocks",
                data.len()
            ),
        });
        return check;
    };
    if tree != stored_tree {
        problems.push(crate::Problem {
            place: place.to_string(),
            message: format!(
                "stored dm-verity hash tree ({} bytes) differs from the one computed over the image ({} bytes)",
                stored_tree.len(),
                tree.len()
            ),
        });
    }
    let got = crate::hex(&root);
    check.actual = match &expected {
        None => PayloadState::NoDigest,
        Some(e) if *e == got => PayloadState::Match,
        Some(_) => PayloadState::Mismatch { actual_sha256: got },
    };
    check
}
