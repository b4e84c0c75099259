//! Software update packages read and verified, offline.
//!
//! * [`detect`]: which kind of package bytes are (by content, then by name).
//! * [`read_package`]: one package in, one [`UpdatePackage`] of facts out: version,
//!   hardware compatibility, signature verdict against caller-given [`Anchor`]s, every
//!   payload's digest compared with the bytes present, problems found on the way.
//! * [`tuf::read_repository`]: a set of Uptane/TUF metadata files and target files.
//!
//! Formats: SWUpdate `.swu` ([`swu`]), RAUC bundles ([`rauc`]), Android A/B OTA zips
//! ([`ota`]), Uptane/TUF JSON metadata ([`tuf`]). CMS SignedData verification is in
//! [`cms`]. Every parser bounds sizes, counts, depth and expansion ([`Limits`]); a
//! bound reached is an [`Error`] naming the file and the place in it. Nothing scanned is
//! executed and nothing touches the network.
//!
//! This crate depends on no other icvsec crate.

pub mod cms;
mod cpio;
mod der;
pub mod hash;
mod inflate;
mod keys;
mod libconfig;
pub mod ota;
pub mod payload_sig;
pub mod rauc;
pub mod source;
mod squashfs;
pub mod swu;
pub mod tuf;
mod version;
mod zip;

use serde::Serialize;
use source::Source;

pub use keys::Anchor;
pub use version::compare_versions;

/// Kind of update package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// SWUpdate cpio archive (`.swu`).
    Swupdate,
    /// RAUC bundle (squashfs + CMS + 8-byte size).
    Rauc,
    /// Android A/B OTA zip (payload.bin inside, whole-file signature in the comment).
    AndroidOta,
    /// One Uptane/TUF metadata file (root, targets, snapshot or timestamp).
    Tuf,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Swupdate => "swupdate",
            Kind::Rauc => "rauc",
            Kind::AndroidOta => "android-ota",
            Kind::Tuf => "tuf",
        }
    }
}

/// Why a package could not be read at all. `place` names the file and the spot in it
/// (byte offset, entry name, line:col).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{place}: {message}")]
pub struct Error {
    pub place: String,
    pub message: String,
}

impl Error {
    pub fn new(place: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            place: place.into(),
            message: message.into(),
        }
    }
}

/// Something wrong found while reading a package that did not stop the reading
/// (a hash mismatch is a payload fact; this is for everything else).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    pub place: String,
    pub message: String,
}

/// Bounds applied to hostile input. A bound reached is an [`Error`], never a truncation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest package accepted, bytes. SWUpdate packages read from a file
    /// ([`read_package_from_file`]) are hashed in place up to this size.
    pub max_package_bytes: u64,
    /// Largest package of a format that is read into memory (RAUC, Android OTA, TUF,
    /// and any package given as bytes), bytes.
    pub max_in_memory_bytes: u64,
    /// Most archive entries (cpio, zip, squashfs directory entries).
    pub max_entries: usize,
    /// Largest metadata text (sw-description, manifest, metadata files, JSON), bytes.
    pub max_metadata_bytes: usize,
    /// Deepest nesting of libconfig groups/lists or JSON objects/arrays.
    pub max_depth: usize,
    /// Largest decompressed size of one entry, bytes.
    pub max_decompressed_bytes: u64,
    /// Largest ratio decompressed / compressed for one entry.
    pub max_compression_ratio: u64,
    /// Longest certificate chain followed inside CMS.
    pub max_chain_depth: usize,
    /// Most signatures (CMS signer infos, TUF signatures) looked at.
    pub max_signatures: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_package_bytes: 8 << 30,
            max_in_memory_bytes: 1 << 30,
            max_entries: 10_000,
            max_metadata_bytes: 1 << 20,
            max_depth: 32,
            max_decompressed_bytes: 1 << 30,
            max_compression_ratio: 200,
            max_chain_depth: 8,
            max_signatures: 64,
        }
    }
}

/// What the caller knows: trust anchors, limits, the time to judge expiry against, the
/// version already installed (a package not newer is reported stale).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub anchors: Vec<Anchor>,
    pub limits: Limits,
    /// Unix seconds; `None` skips expiry and validity-period checks.
    pub as_of: Option<i64>,
    /// Version installed on the device; a package whose version does not compare
    /// greater ([`compare_versions`]) gets a `stale version` problem.
    pub installed_version: Option<String>,
}

/// Verdict on a package signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "reason", rename_all = "kebab-case")]
pub enum Verification {
    /// Signature verifies and the signer chains to a given anchor.
    Verified,
    /// Signature does not verify over the signed bytes.
    BadSignature(String),
    /// Signature verifies with the key it names, but that key does not chain to any
    /// given anchor.
    Untrusted(String),
    /// Could not be decided (unsupported algorithm, no anchor given, ...).
    Unverifiable(String),
    /// No signature in the package.
    Absent,
}

impl Verification {
    pub fn is_verified(&self) -> bool {
        matches!(self, Verification::Verified)
    }
}

/// Facts about the package signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureFacts {
    pub present: bool,
    /// Container: `cms`, `raw-rsa-pkcs1-sha256`, `tuf`, ...
    pub format: Option<String>,
    pub verified: Verification,
    /// e.g. `rsa-pkcs1-sha256`, `rsa-pss-sha256`, `ecdsa-p256-sha256`, `ed25519`.
    pub algorithm: Option<String>,
    /// Modulus bits for RSA, field bits for EC, 256 for Ed25519.
    pub key_bits: Option<u32>,
    pub signer_subject: Option<String>,
    /// Signer's certificate validity end, Unix seconds.
    pub signer_not_after: Option<i64>,
    /// The signing key looks like a published test/development key (see
    /// [`keys::looks_like_test_subject`]); `None` when no certificate names it.
    pub signer_is_test_key: Option<bool>,
    /// How the chain to the anchor was checked.
    pub chain_method: Option<String>,
    /// SHA-256 of the DER SubjectPublicKeyInfo whose signature verified (hex), for key
    /// pinning and for matching published test keys.
    pub signer_spki_sha256: Option<String>,
    /// That SubjectPublicKeyInfo (DER); not serialised.
    #[serde(skip)]
    pub signer_spki: Option<Vec<u8>>,
}

impl SignatureFacts {
    pub fn absent() -> Self {
        SignatureFacts {
            present: false,
            format: None,
            verified: Verification::Absent,
            algorithm: None,
            key_bits: None,
            signer_subject: None,
            signer_not_after: None,
            signer_is_test_key: None,
            chain_method: None,
            signer_spki_sha256: None,
            signer_spki: None,
        }
    }
}

/// Result of comparing a payload's declared digest with the bytes present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum PayloadState {
    Match,
    Mismatch {
        actual_sha256: String,
    },
    /// The payload named by the metadata is not in the package.
    Missing,
    /// The metadata gives no digest for the payload.
    NoDigest,
    /// Declared size differs from the bytes present (digest not computed).
    SizeMismatch {
        declared: u64,
        actual: u64,
    },
}

/// One payload (image, file, target) named by the package metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PayloadCheck {
    pub name: String,
    /// Lower-case hex; `None` when the metadata declares none.
    pub expected_sha256: Option<String>,
    pub declared_size: Option<u64>,
    pub actual: PayloadState,
}

/// Threshold facts of one TUF role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleThreshold {
    pub role: String,
    pub threshold: u64,
    /// Key ids allowed for the role.
    pub keys: usize,
    /// Distinct allowed key ids whose signature verified.
    pub valid_signatures: usize,
    pub met: bool,
}

/// Everything learnt about one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdatePackage {
    pub kind: Kind,
    pub path: String,
    pub version: Option<String>,
    /// Hardware/board identifiers the package declares itself for (SWUpdate
    /// hardware-compatibility, RAUC compatible, OTA pre-device, Uptane hardware ids).
    pub hardware_compat: Vec<String>,
    pub signature: SignatureFacts,
    pub payloads: Vec<PayloadCheck>,
    /// Expiry (TUF `expires`), Unix seconds.
    pub expires: Option<i64>,
    /// Expiry as written in the metadata.
    pub expires_text: Option<String>,
    pub thresholds: Vec<RoleThreshold>,
    /// Uptane/TUF metadata facts with their places (roles, keys, consistency); `None`
    /// for other kinds.
    pub tuf: Option<tuf::TufFacts>,
    /// Format-specific facts (`format=verity`, `post-timestamp`, `payload-version`...),
    /// sorted by key.
    pub details: std::collections::BTreeMap<String, String>,
    pub problems: Vec<Problem>,
}

impl UpdatePackage {
    fn new(kind: Kind, path: &str) -> Self {
        UpdatePackage {
            kind,
            path: path.to_string(),
            version: None,
            hardware_compat: Vec::new(),
            signature: SignatureFacts::absent(),
            payloads: Vec::new(),
            expires: None,
            expires_text: None,
            thresholds: Vec::new(),
            tuf: None,
            details: Default::default(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, place: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            place: place.into(),
            message: message.into(),
        });
    }

    /// Every payload matches its digest and none is missing or without digest.
    pub fn payloads_ok(&self) -> bool {
        self.payloads
            .iter()
            .all(|p| matches!(p.actual, PayloadState::Match))
    }

    /// Stale check and deterministic ordering, shared by every format.
    fn finish(mut self, options: &Options) -> Self {
        if let (Some(v), Some(installed)) = (&self.version, &options.installed_version)
            && compare_versions(v, installed) != std::cmp::Ordering::Greater
        {
            let msg = format!(
                "stale version: package version {v} is not newer than the installed {installed}"
            );
            let place = self.path.clone();
            self.problem(place, msg);
        }
        self.hardware_compat.sort();
        self.hardware_compat.dedup();
        self.problems.sort();
        self.problems.dedup();
        self
    }
}

/// Recognises a package by content (magic numbers), falling back on the name.
pub fn detect(name: &str, bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"070701") || bytes.starts_with(b"070702") {
        return Some(Kind::Swupdate);
    }
    if bytes.starts_with(b"hsqs") {
        return Some(Kind::Rauc);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // Any zip; an OTA is a zip holding payload.bin (checked by the reader).
        return Some(Kind::AndroidOta);
    }
    let trimmed = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &bytes[i..])
        .unwrap_or(&[]);
    if trimmed.starts_with(b"{") && tuf::looks_like_tuf(trimmed) {
        return Some(Kind::Tuf);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".swu") {
        Some(Kind::Swupdate)
    } else if lower.ends_with(".raucb") {
        Some(Kind::Rauc)
    } else {
        None
    }
}

/// Reads and verifies one package. `name` is used in every place and message.
pub fn read_package(name: &str, bytes: &[u8], options: &Options) -> Result<UpdatePackage, Error> {
    let limit = options
        .limits
        .max_package_bytes
        .min(options.limits.max_in_memory_bytes);
    if bytes.len() as u64 > limit {
        return Err(Error::new(
            name,
            format!(
                "package of {} bytes exceeds the {limit}-byte limit",
                bytes.len()
            ),
        ));
    }
    let kind = detect(name, bytes).ok_or_else(|| {
        Error::new(
            name,
            "not a recognised update package (no cpio, squashfs, zip or TUF JSON signature at byte 0)",
        )
    })?;
    let pkg = match kind {
        Kind::Swupdate => swu::read(name, bytes, options)?,
        Kind::Rauc => rauc::read(name, bytes, options)?,
        Kind::AndroidOta => ota::read(name, bytes, options)?,
        Kind::Tuf => tuf::read_single(name, bytes, options)?,
    };
    Ok(pkg.finish(options))
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// Reads a package from disk (see [`read_package_from_file`]).
pub fn read_package_file(
    path: &std::path::Path,
    options: &Options,
) -> Result<UpdatePackage, Error> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::new(&name, e.to_string()))?;
    read_package_from_file(&name, file, options)
}

/// Reads a package from an open file without loading a large one whole: a SWUpdate
/// package is read in place (headers and sw-description copied out under the metadata
/// limit, images hashed in 1 MiB chunks) up to `max_package_bytes`; other formats are
/// read into memory up to `max_in_memory_bytes`. A bound reached is an [`Error`].
pub fn read_package_from_file(
    name: &str,
    file: std::fs::File,
    options: &Options,
) -> Result<UpdatePackage, Error> {
    let src = source::FileSource::new(file).map_err(|e| Error::new(name, e.to_string()))?;
    let len = src.len();
    let l = &options.limits;
    if len > l.max_package_bytes {
        return Err(Error::new(
            name,
            format!(
                "package of {len} bytes exceeds the {}-byte limit",
                l.max_package_bytes
            ),
        ));
    }
    let head = source::read_vec(&src, 0, len.min(1 << 20) as usize)
        .map_err(|e| Error::new(name, format!("cannot read: {e}")))?;
    let kind = detect(name, &head).ok_or_else(|| {
        Error::new(
            name,
            "not a recognised update package (no cpio, squashfs, zip or TUF JSON signature at byte 0)",
        )
    })?;
    if kind == Kind::Swupdate {
        return Ok(swu::read_source(name, &src, options)?.finish(options));
    }
    if len > l.max_in_memory_bytes {
        return Err(Error::new(
            name,
            format!(
                "{} package of {len} bytes exceeds the {}-byte limit for packages read into memory (only SWUpdate packages are hashed in place)",
                kind.name(),
                l.max_in_memory_bytes
            ),
        ));
    }
    let bytes = source::read_vec(&src, 0, len as usize)
        .map_err(|e| Error::new(name, format!("cannot read: {e}")))?;
    read_package(name, &bytes, options)
}
