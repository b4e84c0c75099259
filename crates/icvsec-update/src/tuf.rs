//! Uptane / TUF metadata: `{"signed": {...}, "signatures": [{"keyid", "sig"}]}` for the
//! root, targets, snapshot and timestamp roles.
//!
//! Signatures are over the canonical JSON of `signed` (OLPC canonical JSON as TUF uses it:
//! keys sorted, no whitespace, only `"` and `\` escaped, integers only). Keys come from
//! root: `ed25519` (hex), `ecdsa-sha2-nistp256` / `ecdsa-sha2-nistp384` (PEM or hex
//! SPKI), `rsa` with scheme `rsassa-pss-sha256` (PEM SPKI; salt length = hash length).
//! A role's threshold counts distinct key ids whose signature verifies, and a public key
//! listed under two key ids counts once. Root is trusted on first use (it must meet its
//! own threshold); expiry is judged against the caller's `as_of`.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde::Serialize;
use serde_json::Value;

use crate::keys::{self, Hash, KeyType, PublicKey, Scheme};
use crate::{
    Error, Kind, Options, PayloadCheck, PayloadState, RoleThreshold, SignatureFacts, UpdatePackage,
    Verification, hash,
};

/// Cheap content sniff: a JSON object with `signed` and `signatures`.
pub fn looks_like_tuf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1 << 20)];
    let has = |n: &[u8]| head.windows(n.len()).any(|w| w == n);
    has(b"\"signed\"") && has(b"\"signatures\"")
}

/// Structured facts about an Uptane/TUF repository, for rules that judge expiry,
/// thresholds, key types and snapshot/timestamp consistency with the place of each fact
/// (metadata file + JSON key path, e.g. `signed.roles.root.threshold`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TufFacts {
    /// Roles whose metadata file was read, in the order root, targets, snapshot, timestamp.
    pub roles: Vec<TufRole>,
    /// Keys listed in root, sorted by key id.
    pub keys: Vec<TufKey>,
    /// Snapshot/timestamp entries that disagree with the file they describe (version,
    /// length, hashes), or that do not list it.
    pub inconsistencies: Vec<TufPlace>,
    /// Whether root.json was part of what was read (thresholds and keys are known).
    pub has_root: bool,
}

/// One role's metadata file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TufRole {
    pub role: String,
    /// The metadata file (`<repository>/targets.json`).
    pub file: String,
    pub version: Option<u64>,
    /// `signed.expires` as Unix seconds; `None` when absent or not RFC 3339.
    pub expires: Option<i64>,
    /// `signed.expires` as written; `None` when absent.
    pub expires_text: Option<String>,
    /// `root.signed.roles.<role>.threshold`; `None` without root or when root does not
    /// delegate the role.
    pub threshold: Option<u64>,
    /// Key ids root allows for the role.
    pub keyids: usize,
    /// Distinct usable public keys among those key ids (listed in root, parsed): the most
    /// signatures that could ever count towards the threshold.
    pub usable_keys: usize,
    /// Distinct allowed keys whose signature on this file verified.
    pub valid_signatures: usize,
}

impl TufRole {
    /// The threshold can never be met: more signatures required than usable keys.
    pub fn unsatisfiable(&self) -> bool {
        self.threshold.is_some_and(|t| t > self.usable_keys as u64)
    }
}

/// One key listed in root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TufKey {
    pub id: String,
    /// Roles whose key ids include this key.
    pub roles: Vec<String>,
    /// `keytype` / `scheme` as written.
    pub keytype: String,
    pub scheme: String,
    /// RSA modulus bits, EC field bits, 256 for Ed25519; `None` when the key did not parse.
    pub bits: Option<u32>,
    /// Why the key cannot be used (unsupported scheme, malformed key); `None` when usable.
    pub error: Option<String>,
}

impl TufKey {
    /// Why the key is weak or unusable, `None` when it is acceptable: an unsupported or
    /// malformed key, RSA below 2048 bits (NIST SP 800-57).
    pub fn weakness(&self) -> Option<String> {
        if let Some(e) = &self.error {
            return Some(format!("unusable key: {e}"));
        }
        let rsa = self.keytype.to_ascii_lowercase().contains("rsa")
            || self.scheme.to_ascii_lowercase().contains("rsa");
        match self.bits {
            Some(b) if rsa && b < 2048 => Some(format!("RSA key of {b} bits (minimum 2048)")),
            _ => None,
        }
    }
}

/// A fact with its place: the metadata file and a key path inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TufPlace {
    pub file: String,
    pub key_path: String,
    pub message: String,
}

/// Maximum nesting found outside strings, stopping early past `limit`.
fn json_depth_exceeds(b: &[u8], limit: usize) -> Option<usize> {
    let (mut depth, mut in_str, mut esc) = (0usize, false, false);
    for (i, c) in b.iter().enumerate() {
        if in_str {
            if esc {
                esc = false;
            } else if *c == b'\\' {
                esc = true;
            } else if *c == b'"' {
                in_str = false;
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses one metadata file with size and depth bounds.
fn parse_json(place: &str, bytes: &[u8], options: &Options) -> Result<Value, Error> {
    let l = &options.limits;
    if bytes.len() > l.max_metadata_bytes {
        return Err(Error::new(
            place,
            format!(
                "{} bytes exceed the {}-byte metadata limit",
                bytes.len(),
                l.max_metadata_bytes
            ),
        ));
    }
    if let Some(at) = json_depth_exceeds(bytes, l.max_depth) {
        return Err(Error::new(
            format!("{place}: byte offset {at}"),
            format!("JSON nested deeper than {} levels", l.max_depth),
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        Error::new(
            format!("{place}: line {}:{}", e.line(), e.column()),
            format!("invalid JSON: {e}"),
        )
    })
}

/// Canonical JSON (TUF / OLPC): sorted keys, no whitespace, only `"` and `\` escaped.
pub fn canonical_json(v: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    write_canonical(v, &mut out, 0)?;
    Ok(out)
}

fn write_canonical(v: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
    if depth > 128 {
        return Err("canonical JSON nested too deep".into());
    }
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(format!(
                    "canonical JSON has no floating-point numbers ({n})"
                ));
            }
        }
        Value::String(s) => write_str(s, out),
        Value::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(x, out, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write_canonical(&m[k.as_str()], out, depth + 1)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.bytes() {
        if c == b'"' || c == b'\\' {
            out.push(b'\\');
        }
        out.push(c);
    }
    out.push(b'"');
}

/// One role file, parsed.
struct Role {
    place: String,
    kind: String,
    signed: Value,
    canonical: Vec<u8>,
    /// (keyid, signature bytes or decode error).
    signatures: Vec<(String, Result<Vec<u8>, String>)>,
    version: Option<u64>,
    expires: Option<(String, Option<i64>)>,
}

fn load_role(place: &str, bytes: &[u8], options: &Options) -> Result<Role, Error> {
    let v = parse_json(place, bytes, options)?;
    let signed = v
        .get("signed")
        .filter(|s| s.is_object())
        .ok_or_else(|| Error::new(place, "no `signed` object"))?
        .clone();
    let sigs = v
        .get("signatures")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::new(place, "no `signatures` array"))?;
    if sigs.len() > options.limits.max_signatures {
        return Err(Error::new(
            place,
            format!(
                "{} signatures exceed the limit of {}",
                sigs.len(),
                options.limits.max_signatures
            ),
        ));
    }
    let mut signatures = Vec::new();
    for (i, s) in sigs.iter().enumerate() {
        let keyid = s
            .get("keyid")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(format!("{place}: signatures[{i}]"), "no keyid string"))?;
        let sig = s
            .get("sig")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::new(format!("{place}: signatures[{i}]"), "no sig string"))?;
        signatures.push((keyid.to_string(), decode_sig(sig)));
    }
    let kind = signed
        .get("_type")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::new(format!("{place}: signed._type"), "missing role type"))?
        .to_ascii_lowercase();
    let canonical =
        canonical_json(&signed).map_err(|m| Error::new(format!("{place}: signed"), m))?;
    let version = signed.get("version").and_then(Value::as_u64);
    let expires = signed.get("expires").and_then(Value::as_str).map(|t| {
        let secs = time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .ok()
            .map(|d| d.unix_timestamp());
        (t.to_string(), secs)
    });
    Ok(Role {
        place: place.to_string(),
        kind,
        signed,
        canonical,
        signatures,
        version,
        expires,
    })
}

fn decode_sig(s: &str) -> Result<Vec<u8>, String> {
    if let Some(b) = hash::parse_hex(s, s.len() / 2) {
        return Ok(b);
    }
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|_| "signature is neither hex nor base64".to_string())
}

/// A key from root's `keys`, ready to verify.
struct RootKey {
    key: PublicKey,
    scheme: Scheme,
    scheme_name: String,
}

fn root_keys(
    root: &Role,
    max: usize,
    problems: &mut Vec<(String, String)>,
    facts: &mut Vec<TufKey>,
) -> Result<BTreeMap<String, RootKey>, Error> {
    let mut out = BTreeMap::new();
    let Some(keys) = root.signed.get("keys").and_then(Value::as_object) else {
        return Err(Error::new(
            format!("{}: signed.keys", root.place),
            "root has no keys object",
        ));
    };
    if keys.len() > max {
        return Err(Error::new(
            format!("{}: signed.keys", root.place),
            format!("{} keys exceed the limit of {max}", keys.len()),
        ));
    }
    for (id, k) in keys {
        let place = format!("{}: signed.keys.{id}", root.place);
        let text = |f: &str| k.get(f).and_then(Value::as_str).unwrap_or("").to_string();
        let parsed = parse_key(k);
        let roles: Vec<String> = root
            .signed
            .get("roles")
            .and_then(Value::as_object)
            .map(|r| {
                r.iter()
                    .filter(|(_, spec)| {
                        spec.get("keyids")
                            .and_then(Value::as_array)
                            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(id)))
                    })
                    .map(|(n, _)| n.clone())
                    .collect()
            })
            .unwrap_or_default();
        facts.push(TufKey {
            id: id.clone(),
            roles,
            keytype: text("keytype"),
            scheme: text("scheme"),
            bits: parsed.as_ref().ok().map(|rk| rk.key.bits()),
            error: parsed.as_ref().err().cloned(),
        });
        match parsed {
            Ok(rk) => {
                // Key id = SHA-256 of the canonical key object (TUF); a mismatch means
                // signatures could be attributed to the wrong key.
                if let Ok(c) = canonical_json(k) {
                    let computed = crate::hex(&hash::sha256(&c));
                    if &computed != id {
                        problems.push((
                            place.clone(),
                            format!(
                                "key id differs from the SHA-256 of the canonical key object ({computed}), as the TUF specification computes it (some Uptane implementations hash a different key form)"
                            ),
                        ));
                    }
                }
                out.insert(id.clone(), rk);
            }
            Err(m) => problems.push((place, m)),
        }
    }
    Ok(out)
}

fn parse_key(k: &Value) -> Result<RootKey, String> {
    let keytype = k.get("keytype").and_then(Value::as_str).unwrap_or("");
    let scheme = k.get("scheme").and_then(Value::as_str).unwrap_or(keytype);
    let public = k
        .get("keyval")
        .and_then(|v| v.get("public"))
        .and_then(Value::as_str)
        .ok_or("key has no keyval.public")?;
    let spki_from = |p: &str| -> Result<PublicKey, String> {
        if p.contains("-----BEGIN") {
            let blocks = keys::pem_blocks("key", p.as_bytes()).map_err(|e| e.message)?;
            let (_, der, _) = blocks.into_iter().next().ok_or("empty PEM")?;
            PublicKey::from_spki(&der)
        } else {
            let der = hash::parse_hex(p, p.len() / 2).ok_or("public key is neither PEM nor hex")?;
            PublicKey::from_spki(&der)
        }
    };
    let (key, sch) = match scheme {
        "ed25519" => {
            let raw =
                hash::parse_hex(public, 32).ok_or("ed25519 public key is not 64 hex digits")?;
            (
                PublicKey {
                    kind: KeyType::Ed25519,
                    key: raw,
                    spki: Vec::new(),
                },
                Scheme::Ed25519,
            )
        }
        "ecdsa-sha2-nistp256" | "ecdsa-sha2-nistp384" => {
            let hash = if scheme.ends_with("256") {
                Hash::Sha256
            } else {
                Hash::Sha384
            };
            let key = match hash::parse_hex(public, 65) {
                Some(point) if hash == Hash::Sha256 => PublicKey {
                    kind: KeyType::Ec { bits: 256 },
                    key: point,
                    spki: Vec::new(),
                },
                _ => spki_from(public)?,
            };
            (key, Scheme::Ecdsa(hash))
        }
        "rsassa-pss-sha256" => (spki_from(public)?, Scheme::RsaPss(Hash::Sha256)),
        "rsassa-pss-sha384" => (spki_from(public)?, Scheme::RsaPss(Hash::Sha384)),
        "rsassa-pss-sha512" => (spki_from(public)?, Scheme::RsaPss(Hash::Sha512)),
        "rsa-pkcs1v15-sha256" => (spki_from(public)?, Scheme::RsaPkcs1(Hash::Sha256)),
        other => return Err(format!("key scheme {other:?} not supported")),
    };
    let name = sch.name(&key);
    Ok(RootKey {
        key,
        scheme: sch,
        scheme_name: name,
    })
}

/// Counts distinct keys of `role_name` (as delegated by root) that signed `role`.
fn check_threshold(
    root: &Role,
    keys: &BTreeMap<String, RootKey>,
    role_name: &str,
    role: &Role,
    problems: &mut Vec<(String, String)>,
    (algs, bits): (&mut BTreeSet<String>, &mut Option<u32>),
    facts: &mut Vec<TufRole>,
) -> RoleThreshold {
    let spec = root.signed.get("roles").and_then(|r| r.get(role_name));
    let threshold = spec
        .and_then(|s| s.get("threshold"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let allowed: BTreeSet<String> = spec
        .and_then(|s| s.get("keyids"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if spec.is_none() {
        problems.push((
            format!("{}: signed.roles", root.place),
            format!("root delegates no `{role_name}` role"),
        ));
    }
    if threshold == 0 && spec.is_some() {
        problems.push((
            format!("{}: signed.roles.{role_name}", root.place),
            "threshold missing or 0: any metadata would be accepted".into(),
        ));
    }
    let mut valid_ids = BTreeSet::new();
    let mut valid_keys: BTreeSet<Vec<u8>> = BTreeSet::new();
    for (i, (id, sig)) in role.signatures.iter().enumerate() {
        let place = format!("{}: signatures[{i}] (keyid {id})", role.place);
        if !allowed.contains(id) {
            continue; // signatures by other keys are ignored, as TUF clients do
        }
        let Some(k) = keys.get(id) else {
            problems.push((
                place,
                "key id allowed for the role but absent from root keys".into(),
            ));
            continue;
        };
        let sig = match sig {
            Ok(s) => s,
            Err(m) => {
                problems.push((place, m.clone()));
                continue;
            }
        };
        match keys::verify(&k.key, k.scheme, &role.canonical, sig) {
            Ok(()) => {
                algs.insert(k.scheme_name.clone());
                *bits = Some(bits.map_or(k.key.bits(), |b| b.min(k.key.bits())));
                if !valid_keys.insert(k.key.key.clone()) {
                    problems.push((
                        place,
                        "same public key as another signature's key id: counted once".into(),
                    ));
                    continue;
                }
                valid_ids.insert(id.clone());
            }
            Err(m) => problems.push((place, format!("bad signature: {m}"))),
        }
    }
    if !allowed.is_empty() && threshold < 2 {
        problems.push((
            format!("{}: signed.roles.{role_name}", root.place),
            format!("threshold {threshold}: one compromised key suffices"),
        ));
    }
    let usable: BTreeSet<&Vec<u8>> = allowed
        .iter()
        .filter_map(|id| keys.get(id))
        .map(|k| &k.key.key)
        .collect();
    if spec.is_some() && threshold > usable.len() as u64 {
        problems.push((
            format!("{}: signed.roles.{role_name}", root.place),
            format!(
                "threshold {threshold} exceeds the {} usable key(s) of the role: it can never be met",
                usable.len()
            ),
        ));
    }
    facts.push(TufRole {
        role: role_name.to_string(),
        file: role.place.clone(),
        version: role.version,
        expires: role.expires.as_ref().and_then(|(_, s)| *s),
        expires_text: role.expires.as_ref().map(|(t, _)| t.clone()),
        threshold: spec.map(|_| threshold),
        keyids: allowed.len(),
        usable_keys: usable.len(),
        valid_signatures: valid_ids.len(),
    });
    RoleThreshold {
        role: role_name.to_string(),
        threshold,
        keys: allowed.len(),
        valid_signatures: valid_ids.len(),
        met: threshold > 0 && valid_ids.len() as u64 >= threshold,
    }
}

/// Reads one metadata file. Root is verified against its own keys; other roles need the
/// root ([`read_repository`]) and get an `unverifiable` verdict.
pub fn read_single(name: &str, bytes: &[u8], options: &Options) -> Result<UpdatePackage, Error> {
    let role = load_role(name, bytes, options)?;
    let mut files = BTreeMap::new();
    files.insert(format!("{}.json", role.kind), bytes.to_vec());
    if role.kind == "root" {
        return repository(name, &files, &BTreeMap::new(), options);
    }
    let mut pkg = UpdatePackage::new(Kind::Tuf, name);
    let mut problems = Vec::new();
    describe_role(&mut pkg, &role, options, &mut problems);
    let tuf = TufFacts {
        roles: vec![TufRole {
            role: role.kind.clone(),
            file: role.place.clone(),
            version: role.version,
            expires: role.expires.as_ref().and_then(|(_, s)| *s),
            expires_text: role.expires.as_ref().map(|(t, _)| t.clone()),
            threshold: None,
            keyids: 0,
            usable_keys: 0,
            valid_signatures: 0,
        }],
        ..TufFacts::default()
    };
    if role.kind == "targets" {
        targets_payloads(&mut pkg, &role, &BTreeMap::new(), options, &mut problems)?;
    }
    pkg.signature = SignatureFacts {
        present: !role.signatures.is_empty(),
        format: Some("tuf".into()),
        verified: if role.signatures.is_empty() {
            Verification::Absent
        } else {
            Verification::Unverifiable(format!(
                "{} metadata alone: its keys are in root.json",
                role.kind
            ))
        },
        ..SignatureFacts::absent()
    };
    for (p, m) in problems {
        pkg.problem(p, m);
    }
    pkg.tuf = Some(tuf);
    Ok(pkg)
}

fn describe_role(
    pkg: &mut UpdatePackage,
    role: &Role,
    options: &Options,
    problems: &mut Vec<(String, String)>,
) {
    if let Some(v) = role.version {
        pkg.details
            .insert(format!("{}.version", role.kind), v.to_string());
    }
    match &role.expires {
        Some((text, Some(secs))) => {
            pkg.details
                .insert(format!("{}.expires", role.kind), text.clone());
            if pkg.expires.is_none_or(|e| *secs < e) {
                pkg.expires = Some(*secs);
                pkg.expires_text = Some(text.clone());
            }
            if let Some(now) = options.as_of
                && *secs <= now
            {
                problems.push((
                    format!("{}: signed.expires", role.place),
                    format!("{} metadata expired at {text}", role.kind),
                ));
            }
        }
        Some((text, None)) => problems.push((
            format!("{}: signed.expires", role.place),
            format!("expires {text:?} is not an RFC 3339 time"),
        )),
        None => problems.push((
            format!("{}: signed.expires", role.place),
            "no expiry".into(),
        )),
    }
}

fn targets_payloads(
    pkg: &mut UpdatePackage,
    role: &Role,
    target_files: &BTreeMap<String, Vec<u8>>,
    options: &Options,
    problems: &mut Vec<(String, String)>,
) -> Result<(), Error> {
    let Some(targets) = role.signed.get("targets").and_then(Value::as_object) else {
        problems.push((
            format!("{}: signed.targets", role.place),
            "no targets object".into(),
        ));
        return Ok(());
    };
    if targets.len() > options.limits.max_entries {
        return Err(Error::new(
            format!("{}: signed.targets", role.place),
            format!("{} targets exceed the limit", targets.len()),
        ));
    }
    if role.signed.get("delegations").is_some() {
        problems.push((
            format!("{}: signed.delegations", role.place),
            "delegated targets roles are not followed".into(),
        ));
    }
    let mut paths: Vec<&String> = targets.keys().collect();
    paths.sort();
    for path in paths {
        let t = &targets[path.as_str()];
        let hashes = t.get("hashes");
        let sha256 = hashes
            .and_then(|h| h.get("sha256"))
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        let sha512 = hashes
            .and_then(|h| h.get("sha512"))
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        let length = t.get("length").and_then(Value::as_u64);
        if let Some(custom) = t.get("custom") {
            for k in ["hardwareId", "hardware_id"] {
                if let Some(h) = custom.get(k).and_then(Value::as_str) {
                    pkg.hardware_compat.push(h.to_string());
                }
            }
            if let Some(a) = custom.get("hardwareIds").and_then(Value::as_array) {
                pkg.hardware_compat
                    .extend(a.iter().filter_map(Value::as_str).map(String::from));
            }
            if let Some(ecus) = custom.get("ecuIdentifiers").and_then(Value::as_object) {
                for e in ecus.values().take(options.limits.max_entries) {
                    if let Some(h) = e.get("hardwareId").and_then(Value::as_str) {
                        pkg.hardware_compat.push(h.to_string());
                    }
                }
            }
        }
        let actual = match target_files.get(path.as_str()) {
            None => PayloadState::Missing,
            Some(data) => match (length, &sha256, &sha512) {
                (Some(l), _, _) if l != data.len() as u64 => PayloadState::SizeMismatch {
                    declared: l,
                    actual: data.len() as u64,
                },
                (_, Some(exp), _) => {
                    let got = crate::hex(&hash::sha256(data));
                    if &got == exp {
                        PayloadState::Match
                    } else {
                        PayloadState::Mismatch { actual_sha256: got }
                    }
                }
                (_, None, Some(exp)) => {
                    let got = crate::hex(&Hash::Sha512.digest(data));
                    if &got == exp {
                        PayloadState::Match
                    } else {
                        PayloadState::Mismatch {
                            actual_sha256: crate::hex(&hash::sha256(data)),
                        }
                    }
                }
                (_, None, None) => PayloadState::NoDigest,
            },
        };
        if length.is_none() {
            problems.push((
                format!("{}: signed.targets.{path}", role.place),
                "no length: an endless-data attack is not bounded".into(),
            ));
        }
        pkg.payloads.push(PayloadCheck {
            name: path.clone(),
            expected_sha256: sha256,
            declared_size: length,
            actual,
        });
    }
    Ok(())
}

/// Reads a repository laid out on disk: `root.json`, `targets.json`, `snapshot.json`,
/// `timestamp.json` (those present) in `dir`, target files under `dir/targets/` (walked
/// to depth 8, at most `max_entries` files, each within `max_package_bytes`).
pub fn read_repository_dir(
    dir: &std::path::Path,
    options: &Options,
) -> Result<UpdatePackage, Error> {
    let name = dir.display().to_string();
    let mut metadata = BTreeMap::new();
    for f in [
        "root.json",
        "targets.json",
        "snapshot.json",
        "timestamp.json",
    ] {
        let p = dir.join(f);
        if p.is_file() {
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            if len > options.limits.max_metadata_bytes as u64 {
                return Err(Error::new(
                    format!("{name}/{f}"),
                    format!("{len} bytes exceed the metadata limit"),
                ));
            }
            let b =
                std::fs::read(&p).map_err(|e| Error::new(format!("{name}/{f}"), e.to_string()))?;
            metadata.insert(f.to_string(), b);
        }
    }
    let mut targets = BTreeMap::new();
    let root = dir.join("targets");
    let mut stack = vec![(root.clone(), 0usize)];
    while let Some((d, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            let Ok(ft) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if ft.is_dir() && depth < 8 {
                stack.push((p, depth + 1));
            } else if ft.is_file() {
                if targets.len() >= options.limits.max_entries {
                    return Err(Error::new(
                        format!("{name}/targets"),
                        format!("more than {} target files", options.limits.max_entries),
                    ));
                }
                if ft.len() > options.limits.max_package_bytes {
                    return Err(Error::new(
                        p.display().to_string(),
                        "target file exceeds the package size limit",
                    ));
                }
                let rel = p
                    .strip_prefix(&root)
                    .map(|r| r.to_string_lossy().replace('\\', "/"))
                    .unwrap_or_default();
                let b = std::fs::read(&p)
                    .map_err(|e| Error::new(p.display().to_string(), e.to_string()))?;
                targets.insert(rel, b);
            }
        }
    }
    read_repository(&name, &metadata, &targets, options)
}

/// Reads a TUF/Uptane repository: `metadata` maps role file names (`root.json`,
/// `targets.json`, `snapshot.json`, `timestamp.json`) to bytes; `target_files` maps
/// target paths to bytes. `name` labels the repository in places.
pub fn read_repository(
    name: &str,
    metadata: &BTreeMap<String, Vec<u8>>,
    target_files: &BTreeMap<String, Vec<u8>>,
    options: &Options,
) -> Result<UpdatePackage, Error> {
    repository(name, metadata, target_files, options).map(|p| p.finish(options))
}

fn repository(
    name: &str,
    metadata: &BTreeMap<String, Vec<u8>>,
    target_files: &BTreeMap<String, Vec<u8>>,
    options: &Options,
) -> Result<UpdatePackage, Error> {
    let mut pkg = UpdatePackage::new(Kind::Tuf, name);
    let mut problems: Vec<(String, String)> = Vec::new();
    let place_of = |f: &str| {
        if metadata.len() == 1 {
            name.to_string()
        } else {
            format!("{name}/{f}")
        }
    };
    let root_bytes = metadata
        .get("root.json")
        .ok_or_else(|| Error::new(name, "no root.json: nothing to verify signatures against"))?;
    let root = load_role(&place_of("root.json"), root_bytes, options)?;
    if root.kind != "root" {
        return Err(Error::new(
            format!("{}: signed._type", root.place),
            format!("root.json has type {:?}", root.kind),
        ));
    }
    let mut tuf = TufFacts {
        has_root: true,
        ..TufFacts::default()
    };
    let keys = root_keys(
        &root,
        options.limits.max_entries,
        &mut problems,
        &mut tuf.keys,
    )?;
    let mut algs = BTreeSet::new();
    let mut bits = None;
    describe_role(&mut pkg, &root, options, &mut problems);
    pkg.thresholds.push(check_threshold(
        &root,
        &keys,
        "root",
        &root,
        &mut problems,
        (&mut algs, &mut bits),
        &mut tuf.roles,
    ));

    let mut roles = BTreeMap::new();
    for r in ["targets", "snapshot", "timestamp"] {
        let file = format!("{r}.json");
        if let Some(b) = metadata.get(&file) {
            let role = load_role(&place_of(&file), b, options)?;
            if role.kind != r {
                return Err(Error::new(
                    format!("{}: signed._type", role.place),
                    format!("{file} has type {:?}", role.kind),
                ));
            }
            describe_role(&mut pkg, &role, options, &mut problems);
            pkg.thresholds.push(check_threshold(
                &root,
                &keys,
                r,
                &role,
                &mut problems,
                (&mut algs, &mut bits),
                &mut tuf.roles,
            ));
            roles.insert(r, role);
        }
    }
    // Snapshot and timestamp must name the version, length and hashes of what they
    // cover: a mismatch is a freeze or mix-and-match attack, or a broken release.
    let mut inconsistent = Vec::new();
    let meta_check = |outer: &str, inner: &str, out: &mut Vec<TufPlace>| {
        let (Some(o), Some(i)) = (roles.get(outer), roles.get(inner)) else {
            return;
        };
        let file = format!("{inner}.json");
        let mut say = |key: String, message: String| {
            out.push(TufPlace {
                file: o.place.clone(),
                key_path: key,
                message,
            })
        };
        let Some(m) = o.signed.get("meta").and_then(|m| m.get(&file)) else {
            say("signed.meta".into(), format!("does not list {file}"));
            return;
        };
        let key = format!("signed.meta.{file}");
        let want = m.get("version").and_then(Value::as_u64);
        if want != i.version {
            say(
                format!("{key}.version"),
                format!(
                    "names {file} version {}, {file} is version {}",
                    want.map_or("(none)".into(), |v| v.to_string()),
                    i.version.map_or("(none)".into(), |v| v.to_string())
                ),
            );
        }
        let Some(bytes) = metadata.get(&file) else {
            return;
        };
        if let Some(len) = m.get("length").and_then(Value::as_u64)
            && len != bytes.len() as u64
        {
            say(
                format!("{key}.length"),
                format!("names length {len}, {file} has {} bytes", bytes.len()),
            );
        }
        if let Some(h) = m.get("hashes").and_then(Value::as_object) {
            for (alg, exp) in h {
                let Some(exp) = exp.as_str() else { continue };
                let got = match alg.as_str() {
                    "sha256" => crate::hex(&hash::sha256(bytes)),
                    "sha512" => crate::hex(&Hash::Sha512.digest(bytes)),
                    _ => continue,
                };
                if !got.eq_ignore_ascii_case(exp) {
                    say(
                        format!("{key}.hashes.{alg}"),
                        format!("{alg} {exp} does not match {file} ({got})"),
                    );
                }
            }
        }
    };
    meta_check("timestamp", "snapshot", &mut inconsistent);
    meta_check("snapshot", "targets", &mut inconsistent);
    inconsistent.sort();
    for c in &inconsistent {
        problems.push((format!("{}: {}", c.file, c.key_path), c.message.clone()));
    }
    tuf.inconsistencies = inconsistent;

    if let Some(t) = roles.get("targets") {
        pkg.version = t.version.map(|v| v.to_string());
        targets_payloads(&mut pkg, t, target_files, options, &mut problems)?;
    }
    let all_met = pkg.thresholds.iter().all(|t| t.met);
    let any_sig =
        root.signatures.len() + roles.values().map(|r| r.signatures.len()).sum::<usize>() > 0;
    pkg.signature = SignatureFacts {
        present: any_sig,
        format: Some("tuf".into()),
        verified: if !any_sig {
            Verification::Absent
        } else if all_met {
            Verification::Verified
        } else {
            let unmet: Vec<String> = pkg
                .thresholds
                .iter()
                .filter(|t| !t.met)
                .map(|t| {
                    format!(
                        "{} ({} of {} valid)",
                        t.role, t.valid_signatures, t.threshold
                    )
                })
                .collect();
            Verification::BadSignature(format!("threshold not met for {}", unmet.join(", ")))
        },
        algorithm: if algs.is_empty() {
            None
        } else {
            Some(algs.into_iter().collect::<Vec<_>>().join(","))
        },
        key_bits: bits,
        chain_method: Some("root keys and thresholds (root trusted on first use)".into()),
        ..SignatureFacts::absent()
    };
    for (p, m) in problems {
        pkg.problem(p, m);
    }
    pkg.tuf = Some(tuf);
    Ok(pkg)
}
