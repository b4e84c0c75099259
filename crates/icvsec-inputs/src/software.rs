//! Per-ECU software inventory, built at load time from what each ECU's root filesystem
//! ships (package databases, Android build properties, kernel config header and module
//! directories, os-release, SBOMs, version strings in ELF binaries), the VEX documents
//! found in the build, and the vulnerability feeds given by the user. Every file is read
//! through the build's one opener; the parsers are icvsec-vuln's (bounded, errors name
//! the file and the place). Checks query the result; they never read files.

use crate::discover::{DiscoveredFile, FileKind};
use icvsec_fs::Tree;
use icvsec_model::{Diagnostic, Location};
use icvsec_vuln::inventory::android::AndroidBuild;
use icvsec_vuln::inventory::{android, apk, binary, dpkg, kernel, os_release};
use icvsec_vuln::{Component, EcuInventory, Feed, Limits as VulnLimits, VexDocument};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

/// A vulnerability feed to load: a path of the user's (`--vuln-db`, `--config`), or a
/// path inside the build named by the build's own icvsec.toml (read through the opener).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VulnDb {
    Host(PathBuf),
    InBuild(String),
}

/// The feeds as loaded.
#[derive(Clone, Default)]
pub enum FeedState {
    /// No feed given: vulnerability rules cannot assess anything.
    #[default]
    Absent,
    /// A feed could not be loaded (a bound reached, a path missing): the message says why.
    Failed(String),
    Loaded(Arc<Feed>),
}

impl std::fmt::Debug for FeedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedState::Absent => f.write_str("Absent"),
            FeedState::Failed(m) => write!(f, "Failed({m})"),
            FeedState::Loaded(feed) => write!(f, "Loaded({} advisories)", feed.len()),
        }
    }
}

/// The software of the build.
#[derive(Clone, Debug, Default)]
pub struct Software {
    /// Components per ECU id (ECUs without software are absent).
    pub ecus: BTreeMap<String, EcuInventory>,
    /// Distribution release (os-release VERSION_ID) per ECU.
    pub releases: BTreeMap<String, String>,
    /// Android build properties per ECU.
    pub android: BTreeMap<String, AndroidBuild>,
    /// VEX documents found in the build (their problems are diagnostics).
    pub vex: Vec<VexDocument>,
    pub feed: FeedState,
}

impl Software {
    /// The inventories in ECU order, as the matcher and the SBOM writer take them.
    pub fn inventories(&self) -> Vec<EcuInventory> {
        self.ecus.values().cloned().collect()
    }
}

/// Largest binary read for version strings: a firmware blob larger than this is skipped
/// (noted), keeping the scan fast and bounded.
const MAX_BINARY_BYTES: u64 = 64 << 20;
/// Most binaries scanned per build.
const MAX_BINARIES: usize = 20_000;

fn vuln_limits(max_file: u64) -> VulnLimits {
    VulnLimits {
        max_file_bytes: max_file,
        max_scan_bytes: MAX_BINARY_BYTES,
        ..VulnLimits::default()
    }
}

fn diag_of(e: &icvsec_vuln::VulnError) -> Diagnostic {
    Diagnostic::error(Location::file(&e.file), e.to_string())
}

fn is_binary_path(inner: &str) -> bool {
    let name = inner.rsplit('/').next().unwrap_or(inner);
    inner.split('/').any(|c| {
        matches!(
            c,
            "bin" | "sbin" | "lib" | "lib64" | "libexec" | "lib32" | "xbin"
        )
    }) || name.contains(".so")
}

/// A JSON document's kind, by a look at its first bytes (content, not name).
#[derive(PartialEq, Eq)]
enum JsonKind {
    Sbom,
    Vex,
    SbomAndVex,
    Other,
}

fn sniff_json(bytes: &[u8]) -> JsonKind {
    let head = &bytes[..bytes.len().min(8192)];
    let has = |s: &[u8]| memchr_find(head, s);
    if has(b"openvex.dev/ns") {
        return JsonKind::Vex;
    }
    if has(b"\"spdxVersion\"") {
        return JsonKind::Sbom;
    }
    if has(b"\"bomFormat\"") {
        let whole_has = |s: &[u8]| memchr_find(bytes, s);
        let vex = whole_has(b"\"vulnerabilities\"") && whole_has(b"\"analysis\"");
        let comps = whole_has(b"\"components\"");
        return match (comps, vex) {
            (true, true) => JsonKind::SbomAndVex,
            (false, true) => JsonKind::Vex,
            _ => JsonKind::Sbom,
        };
    }
    JsonKind::Other
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The ECU an SBOM outside every root filesystem belongs to: a directory or a file name
/// (before its first `.` or `-`) equal to an ECU id.
fn sbom_owner(rel: &str, ecus: &[String]) -> Option<String> {
    let mut parts: Vec<&str> = rel.split('/').collect();
    let name = parts.pop().unwrap_or(rel);
    let stem = name.split(['.', '-', '_']).next().unwrap_or(name);
    ecus.iter()
        .find(|e| e.as_str() == stem || parts.iter().any(|p| p == e))
        .cloned()
}

pub(crate) struct Input<'a> {
    pub tree: &'a dyn Tree,
    pub discovered: &'a [DiscoveredFile],
    /// (`<rootfs>/`, ECU id)
    pub rootfs: Vec<(String, String)>,
    pub ecu_ids: Vec<String>,
    pub max_file: u64,
    pub feeds: &'a [VulnDb],
}

/// Builds the software inventory; problems become diagnostics.
/// Returns the software, diagnostics and the files read (for the input digest).
/// Files read, with their SHA-256.
pub(crate) type ReadFiles = Vec<(String, Vec<u8>)>;

pub(crate) fn build(input: &Input) -> (Software, Vec<Diagnostic>, ReadFiles) {
    let limits = vuln_limits(input.max_file);
    let mut sw = Software::default();
    let mut diags = Vec::new();
    let mut android_files: BTreeMap<String, Vec<(u8, String, AndroidBuild)>> = BTreeMap::new();
    let mut modules: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut binaries = 0usize;
    let feed_dirs: Vec<String> = input
        .feeds
        .iter()
        .filter_map(|f| match f {
            VulnDb::InBuild(rel) => Some(rel.trim_end_matches('/').to_string()),
            VulnDb::Host(_) => None,
        })
        .collect();
    let roots = crate::rootfs_index::RootfsIndex::new(input.rootfs.iter().cloned());
    let in_feed_dir = |rel: &str| {
        feed_dirs
            .iter()
            .any(|d| rel == d || rel.starts_with(&format!("{d}/")))
    };
    let mut prescanned = prescan_binaries(input, &roots, &in_feed_dir, &limits);
    let read_files = std::cell::RefCell::new(Vec::new());
    let read = |f: &DiscoveredFile, limit: u64| -> Result<Vec<u8>, Diagnostic> {
        let bytes = input
            .tree
            .read_file(&f.comps, limit)
            .map_err(|e| Diagnostic::error(Location::file(&f.rel), format!("cannot read: {e}")))?;
        // The files judged enter the input digest.
        read_files
            .borrow_mut()
            .push((f.rel.clone(), digest(&bytes)));
        Ok(bytes)
    };
    for f in input.discovered {
        if f.via_link.is_some() {
            // The target is discovered (and read) under its own path.
            continue;
        }
        let rel = f.rel.as_str();
        if in_feed_dir(rel) {
            continue;
        }
        let lower = rel.to_ascii_lowercase();
        // Path of the file inside its ECU's root filesystem (`tbox/rootfs/etc/x` → `etc/x`).
        let rooted = roots
            .owner(rel)
            .map(|(inner, ecu)| (inner, ecu.to_string()));
        // SBOMs and VEX documents: JSON anywhere in the build, classified by content.
        if lower.ends_with(".json") && f.kind == FileKind::Other {
            if f.size > input.max_file {
                continue;
            }
            let bytes = match read(f, input.max_file) {
                Ok(b) => b,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            };
            let kind = sniff_json(&bytes);
            if matches!(kind, JsonKind::Vex | JsonKind::SbomAndVex) {
                match icvsec_vuln::vex::parse_vex(rel, &bytes, &limits) {
                    Ok(doc) => sw.vex.push(doc),
                    Err(e) => diags.push(diag_of(&e)),
                }
            }
            if matches!(kind, JsonKind::Sbom | JsonKind::SbomAndVex) {
                let owner = rooted
                    .as_ref()
                    .map(|(_, e)| e.clone())
                    .or_else(|| sbom_owner(rel, &input.ecu_ids));
                match (owner, icvsec_vuln::sbom::parse_sbom(rel, &bytes, &limits)) {
                    (_, Err(e)) => diags.push(diag_of(&e)),
                    (None, Ok(_)) => diags.push(Diagnostic::warning(
                        Location::file(rel),
                        "SBOM not attributed to an ECU (put it under the ECU's rootfs, or name it or its directory after the ECU id); its components are not assessed",
                    )),
                    (Some(ecu), Ok(c)) => {
                        for ptr in &c.unversioned {
                            diags.push(Diagnostic::warning(
                                Location::at_key(rel, ptr),
                                "SBOM entry without name or version: it cannot be matched against vulnerability feeds",
                            ));
                        }
                        add(&mut sw, &ecu, c.components);
                    }
                }
            }
            continue;
        }
        let Some((inner, ecu)) = rooted else {
            continue;
        };
        let parsed: Option<Result<Vec<Component>, icvsec_vuln::VulnError>> = match inner {
            "var/lib/dpkg/status" => Some(
                read(f, input.max_file)
                    .map_err(|d| d.message)
                    .map_err(|m| icvsec_vuln::VulnError::new(rel, "read", m))
                    .and_then(|b| dpkg::parse_dpkg_status(rel, &b, &limits)),
            ),
            "usr/lib/opkg/status" | "var/lib/opkg/status" => Some(
                read(f, input.max_file)
                    .map_err(|d| icvsec_vuln::VulnError::new(rel, "read", d.message))
                    .and_then(|b| dpkg::parse_opkg_status(rel, &b, &limits)),
            ),
            "lib/apk/db/installed" => Some(
                read(f, input.max_file)
                    .map_err(|d| icvsec_vuln::VulnError::new(rel, "read", d.message))
                    .and_then(|b| apk::parse_apk_installed(rel, &b, &limits)),
            ),
            "etc/os-release" | "usr/lib/os-release" => {
                match read(f, input.max_file)
                    .map_err(|d| icvsec_vuln::VulnError::new(rel, "read", d.message))
                    .and_then(|b| os_release::parse_os_release(rel, &b, &limits))
                {
                    // etc/ sorts before usr/: the first one read wins.
                    Ok(os) => {
                        if let Some(v) = os.version_id {
                            sw.releases.entry(ecu.clone()).or_insert(v);
                        }
                    }
                    Err(e) => diags.push(diag_of(&e)),
                }
                None
            }
            _ => None,
        };
        if let Some(r) = parsed {
            match r {
                Ok(cs) => add(&mut sw, &ecu, cs),
                Err(e) => diags.push(diag_of(&e)),
            }
            continue;
        }
        if f.kind == FileKind::AndroidProps {
            // Init's load order: system, vendor, then the rest; first `ro.` value wins.
            let order = if inner.starts_with("system/") {
                0
            } else if inner.starts_with("vendor/") {
                1
            } else {
                2
            };
            match read(f, input.max_file)
                .map_err(|d| icvsec_vuln::VulnError::new(rel, "read", d.message))
                .and_then(|b| android::parse_build_prop(rel, &b, &limits))
            {
                Ok(b) => {
                    android_files
                        .entry(ecu.clone())
                        .or_default()
                        .push((order, rel.to_string(), b))
                }
                Err(e) => diags.push(diag_of(&e)),
            }
            continue;
        }
        if f.kind == FileKind::KernelConfig {
            match read(f, input.max_file)
                .map_err(|d| icvsec_vuln::VulnError::new(rel, "read", d.message))
                .and_then(|b| kernel::parse_kernel_config_header(rel, &b, &limits))
            {
                Ok(Some(c)) => add(&mut sw, &ecu, vec![c]),
                Ok(None) => {}
                Err(e) => diags.push(diag_of(&e)),
            }
            continue;
        }
        if let Some(rest) = inner.strip_prefix("lib/modules/") {
            if let Some((release, _)) = rest.split_once('/') {
                let dir = rel[..rel.len() - rest.len()].to_string();
                modules
                    .entry(ecu.clone())
                    .or_default()
                    .insert(release.to_string(), dir);
            }
            continue;
        }
        if scans_as_binary(f, inner) {
            if f.size > MAX_BINARY_BYTES {
                diags.push(Diagnostic::notice(
                    Location::file(rel),
                    format!(
                        "not scanned for version strings: {} bytes is over {MAX_BINARY_BYTES} bytes",
                        f.size
                    ),
                ));
                continue;
            }
            if binaries >= MAX_BINARIES {
                continue;
            }
            binaries += 1;
            // Read and scanned ahead, in parallel, when the pre-scan chose it (it chooses
            // as this loop does); otherwise here, as before.
            let scanned = match prescanned.remove(rel) {
                Some(done) => done,
                None => read_and_scan(input.tree, f, &limits),
            };
            // A binary that cannot be read (swapped for a FIFO or a link after discovery,
            // grown past the bound) hides its components from the vulnerability rules:
            // an input error, never a silent gap.
            let (sha, components) = match scanned {
                Ok(s) => s,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        Location::file(rel),
                        format!("cannot read: {e}; not scanned for version strings"),
                    ));
                    continue;
                }
            };
            read_files.borrow_mut().push((f.rel.clone(), sha));
            if let Some(components) = components {
                add(&mut sw, &ecu, components);
            }
        }
    }
    if binaries >= MAX_BINARIES {
        diags.push(Diagnostic::warning(
            Location::file("."),
            format!("only the first {MAX_BINARIES} binaries were scanned for version strings"),
        ));
    }
    for (ecu, dirs) in modules {
        for (release, dir) in dirs {
            let cs = kernel::kernels_from_modules_dir(&dir, std::iter::once(release.as_str()));
            add(&mut sw, &ecu, cs);
        }
    }
    for (ecu, mut files) in android_files {
        files.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut merged = AndroidBuild::default();
        for (_, _, b) in files {
            merged.merge(b);
        }
        add(&mut sw, &ecu, merged.components());
        sw.android.insert(ecu, merged);
    }
    for doc in &sw.vex {
        for p in &doc.problems {
            diags.push(Diagnostic::error(
                Location::file(&p.file),
                format!("VEX: {p}; the statement settles nothing"),
            ));
        }
    }
    let inventories = sw.inventories();
    for doc in &sw.vex {
        for p in doc.unknown_products(&inventories) {
            diags.push(Diagnostic::warning(
                Location::file(&p.file),
                format!("VEX: {p}"),
            ));
        }
    }
    sw.feed = load_feeds(input, &limits, &mut diags);
    (sw, diags, read_files.into_inner())
}

/// A binary read for the inventory: its SHA-256 (it enters the input digest), and the
/// components its version strings name when it is an ELF file (`None` otherwise).
type ScannedBinary = Result<(Vec<u8>, Option<Vec<Component>>), icvsec_fs::FsError>;

/// Read one candidate binary and scan it for version strings.
fn read_and_scan(tree: &dyn Tree, f: &DiscoveredFile, limits: &VulnLimits) -> ScannedBinary {
    let bytes = tree.read_file(&f.comps, MAX_BINARY_BYTES)?;
    let sha = digest(&bytes);
    let components = bytes
        .starts_with(b"\x7fELF")
        .then(|| binary::scan_bytes(&f.rel, &bytes, limits).components);
    Ok((sha, components))
}

/// The binaries the inventory loop will scan (the same tests, in the same order, up to
/// the same count), read and scanned in parallel ahead of it: reading 10,000 library
/// files one by one was the loop's whole cost. A file the loop wants that is not here is
/// read by the loop itself, so the result never depends on this choice.
fn prescan_binaries(
    input: &Input,
    roots: &crate::rootfs_index::RootfsIndex,
    in_feed_dir: &dyn Fn(&str) -> bool,
    limits: &VulnLimits,
) -> HashMap<String, ScannedBinary> {
    use rayon::prelude::*;
    let chosen: Vec<&DiscoveredFile> = input
        .discovered
        .iter()
        .filter(|f| {
            let rel = f.rel.as_str();
            if f.via_link.is_some() || in_feed_dir(rel) || f.kind != FileKind::Other {
                return false;
            }
            if rel.to_ascii_lowercase().ends_with(".json") {
                return false;
            }
            let Some((inner, _)) = roots.owner(rel) else {
                return false;
            };
            !is_package_file(inner)
                && !inner.starts_with("lib/modules/")
                && scans_as_binary(f, inner)
                && f.size <= MAX_BINARY_BYTES
        })
        .take(MAX_BINARIES)
        .collect();
    chosen
        .par_iter()
        .map(|f| (f.rel.clone(), read_and_scan(input.tree, f, limits)))
        .collect()
}

/// A file the inventory scans for version strings: of no known kind, in a binary
/// directory of its root filesystem (`inner`), and not too small to hold an ELF header.
fn scans_as_binary(f: &DiscoveredFile, inner: &str) -> bool {
    f.kind == FileKind::Other && is_binary_path(inner) && f.size >= 4
}

/// Files the inventory reads by their place in a root filesystem (package databases and
/// os-release), never as binaries.
fn is_package_file(inner: &str) -> bool {
    matches!(
        inner,
        "var/lib/dpkg/status"
            | "usr/lib/opkg/status"
            | "var/lib/opkg/status"
            | "lib/apk/db/installed"
            | "etc/os-release"
            | "usr/lib/os-release"
    )
}

fn digest(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

fn add(sw: &mut Software, ecu: &str, cs: Vec<Component>) {
    if cs.is_empty() {
        return;
    }
    sw.ecus
        .entry(ecu.to_string())
        .or_insert_with(|| EcuInventory::new(ecu))
        .extend(cs);
}

/// Loads every feed given. A feed file that does not parse is an error diagnostic (the
/// assessment is incomplete) and loading goes on; a bound reached fails the feed.
fn load_feeds(input: &Input, limits: &VulnLimits, diags: &mut Vec<Diagnostic>) -> FeedState {
    if input.feeds.is_empty() {
        return FeedState::Absent;
    }
    let mut feed = Feed::new();
    for src in input.feeds {
        let r = match src {
            VulnDb::Host(p) => feed.load_path(p, limits),
            VulnDb::InBuild(rel) => load_in_build(&mut feed, input, rel, limits, diags),
        };
        if let Err(e) = r {
            diags.push(diag_of(&e));
            return FeedState::Failed(e.to_string());
        }
    }
    for p in &feed.problems {
        diags.push(Diagnostic::error(
            Location::file(&p.file),
            format!("vulnerability feed: {p}"),
        ));
    }
    FeedState::Loaded(Arc::new(feed))
}

/// A feed inside the build: the `.json` files at or below `rel`, read through the opener
/// in path order. A zip inside the build is not opened (pass it with `--vuln-db`).
fn load_in_build(
    feed: &mut Feed,
    input: &Input,
    rel: &str,
    limits: &VulnLimits,
    diags: &mut Vec<Diagnostic>,
) -> Result<(), icvsec_vuln::VulnError> {
    let rel = rel.trim_end_matches('/');
    let mut found = 0usize;
    for f in input.discovered {
        if !(f.rel == rel || f.rel.starts_with(&format!("{rel}/"))) {
            continue;
        }
        let lower = f.rel.to_ascii_lowercase();
        if lower.ends_with(".zip") {
            diags.push(Diagnostic::error(
                Location::file(&f.rel),
                "a zipped feed inside the build is not read: pass it with --vuln-db",
            ));
            continue;
        }
        if !lower.ends_with(".json") {
            continue;
        }
        found += 1;
        let bytes = input
            .tree
            .read_file(&f.comps, limits.max_file_bytes)
            .map_err(|e| icvsec_vuln::VulnError::new(&f.rel, "read", e.to_string()))?;
        if let Err(e) = feed.add_json(&f.rel, &bytes, limits) {
            diags.push(Diagnostic::error(
                Location::file(&f.rel),
                format!("vulnerability feed: {e}"),
            ));
        }
    }
    if found == 0 {
        return Err(icvsec_vuln::VulnError::new(
            rel,
            "vuln_db",
            "no feed file (.json) at this path in the build",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use icvsec_fs::HostTree;

    fn candidate(rel: &str) -> DiscoveredFile {
        DiscoveredFile {
            rel: rel.to_string(),
            comps: rel.split('/').map(|c| c.as_bytes().to_vec()).collect(),
            size: 64,
            kind: FileKind::Other,
            via_link: None,
            problem: None,
        }
    }

    /// A binary discovered as a regular file, then swapped for a FIFO or removed before
    /// the inventory reads it: an input error naming it, never a silent gap in the
    /// components the vulnerability rules match (and no hang on the FIFO).
    #[test]
    fn a_binary_that_cannot_be_read_is_an_input_error() {
        let s = crate::scratch::Scratch::new("sw-unreadable");
        s.put("tbox/rootfs/usr/bin/ok", "\x7fELF and nothing else");
        s.put("tbox/rootfs/usr/bin/fifo", "x");
        let fifo = s.0.join("tbox/rootfs/usr/bin/fifo");
        std::fs::remove_file(&fifo).unwrap();
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|st| st.success()), "mkfifo");
        let tree = HostTree::open(&s.0).unwrap();
        let discovered = vec![
            candidate("tbox/rootfs/usr/bin/fifo"),
            candidate("tbox/rootfs/usr/bin/gone"),
            candidate("tbox/rootfs/usr/bin/ok"),
        ];
        let (_, diags, read) = build(&Input {
            tree: &tree,
            discovered: &discovered,
            rootfs: vec![("tbox/rootfs/".into(), "tbox".into())],
            ecu_ids: vec!["tbox".into()],
            max_file: 1 << 20,
            feeds: &[],
        });
        for rel in ["tbox/rootfs/usr/bin/fifo", "tbox/rootfs/usr/bin/gone"] {
            assert!(
                diags
                    .iter()
                    .any(|d| d.level == icvsec_model::report::DiagnosticLevel::Error
                        && d.location.file == rel
                        && d.message.contains("not scanned for version strings")),
                "{rel}: {diags:?}"
            );
        }
        let files: Vec<&str> = read.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(files, ["tbox/rootfs/usr/bin/ok"]);
    }
}
