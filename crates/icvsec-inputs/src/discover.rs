//! Walking a vehicle build: bounded, never following links, skipping special files, and
//! classifying each file by its place and name. Nothing found is ever executed.

use icvsec_fs::name::{decode_identity, identity};
use icvsec_fs::{EntryType, FsError, HostTree, Scope, Tree};
use icvsec_model::{Diagnostic, Location};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Resource bounds for a scan (documented in the README, "Safety").
#[derive(Clone, Debug)]
pub struct Limits {
    /// Files larger than this are not read; the rules that need them report an error.
    pub max_file_size: u64,
    /// Largest update package (SWUpdate `.swu`) read in place beyond `max_file_size`:
    /// its images are hashed in bounded chunks, never loaded whole.
    pub max_package_size: u64,
    /// Directories deeper than this are not entered.
    pub max_depth: usize,
    /// At most this many files are considered.
    pub max_files: usize,
    /// At most this many entries in one directory.
    pub max_dir_entries: usize,
    /// At most this many ECUs, networks or endpoints in vehicle.json.
    pub max_ecus: usize,
    /// At most this many items, flows, stores and parties in all data-flow manifests.
    pub max_flows: usize,
    /// At most this many certificates (or keys) in one file.
    pub max_objects_per_file: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 16 * 1024 * 1024,
            max_package_size: 8 << 30,
            max_depth: 48,
            max_files: 2_000_000,
            max_dir_entries: 1_000_000,
            max_ecus: 1_000,
            max_flows: 100_000,
            max_objects_per_file: 10_000,
        }
    }
}

/// What a file is, judged from its path (and for ambiguous PEM files, later, its content).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FileKind {
    VehicleManifest,
    /// .crt .cer .der .cert: certificates.
    Certificate,
    /// .pem: certificates and/or keys.
    Pem,
    /// .key .p8 .pk8: private keys.
    Key,
    /// A file of no crypto name (`.ca`, no extension, ...) whose first bytes look like a
    /// certificate or key (a PEM `-----BEGIN ` line, or one DER SEQUENCE covering the
    /// whole file); confirmed by [`icvsec_pki::sniff`] at load, else silently not an asset.
    CryptoByContent,
    SshdConfig,
    Passwd,
    Shadow,
    KernelConfig,
    AndroidProps,
    Sysctl,
    Firewall,
    /// OpenWrt UCI file (`etc/config/<package>`).
    UciConfig,
    /// `etc/inittab`.
    Inittab,
    Nginx,
    OpensslConfig,
    TlsStackConfig,
    /// Saved probe result (`*.probe.json`).
    Probe,
    /// Software update package candidate: `.swu`, `.raucb`, `.zip` (an Android OTA when it
    /// holds payload.bin), `root.json` (TUF/Uptane metadata); confirmed by content at load.
    UpdatePackage,
    /// AUTOSAR XML (`.arxml`).
    Arxml,
    /// CAN database (`.dbc`).
    Dbc,
    /// Anything else (firmware, sources, ...): not read.
    Other,
}

#[derive(Clone, Debug)]
pub struct DiscoveredFile {
    /// Identity: relative to the root, `/` separators, each name escaped with
    /// [`icvsec_fs::encode_name`] (exact and injective, safe to print).
    pub rel: String,
    /// The link-free path to read, as raw components from the build root. For a file
    /// reached through a symbolic link this is the link's resolved target.
    pub comps: Vec<Vec<u8>>,
    pub size: u64,
    pub kind: FileKind,
    /// For a symbolic link: its target as resolved inside the build (escaped).
    pub via_link: Option<String>,
    /// A file icvsec would read (by its name) that cannot be: a special file, or a link
    /// that dangles, loops or leaves the build. The loader makes it a broken asset so
    /// the rules that need it report an error, never "not applicable".
    pub problem: Option<String>,
}

pub fn classify(rel: &str) -> FileKind {
    let lower = rel.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let parent = lower.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    if lower == "vehicle.json" {
        return FileKind::VehicleManifest;
    }
    if name.ends_with(".probe.json") {
        return FileKind::Probe;
    }
    match ext {
        "crt" | "cer" | "der" | "cert" => return FileKind::Certificate,
        "pem" => return FileKind::Pem,
        "key" | "p8" | "pk8" => return FileKind::Key,
        "swu" | "raucb" | "zip" => return FileKind::UpdatePackage,
        "arxml" => return FileKind::Arxml,
        "dbc" => return FileKind::Dbc,
        _ => {}
    }
    let in_etc = |sub: &str| parent.ends_with(sub);
    match name {
        "sshd_config" => return FileKind::SshdConfig,
        "root.json" => return FileKind::UpdatePackage,
        "passwd" if in_etc("etc") => return FileKind::Passwd,
        "shadow" if in_etc("etc") => return FileKind::Shadow,
        "inittab" if in_etc("etc") => return FileKind::Inittab,
        ".config" | "config.gz" | "kernel.config" => return FileKind::KernelConfig,
        "build.prop" | "default.prop" | "prop.default" => return FileKind::AndroidProps,
        "sysctl.conf" => return FileKind::Sysctl,
        "rules.v4" | "rules.v6" | "iptables.rules" | "ip6tables.rules" | "iptables-save"
        | "nftables.conf" => return FileKind::Firewall,
        "nginx.conf" => return FileKind::Nginx,
        "openssl.cnf" => return FileKind::OpensslConfig,
        "mbedtls_config.h" | "user_settings.h" => return FileKind::TlsStackConfig,
        "config.h" if lower.contains("mbedtls") => return FileKind::TlsStackConfig,
        _ => {}
    }
    if name.starts_with("config-") && parent.ends_with("boot") {
        return FileKind::KernelConfig;
    }
    if (parent == "etc/config" || parent.ends_with("/etc/config")) && !name.contains('.') {
        return FileKind::UciConfig;
    }
    if parent.ends_with("sysctl.d") && ext == "conf" {
        return FileKind::Sysctl;
    }
    FileKind::Other
}

/// Files larger than this are never recognised by content (a CA bundle of every public
/// root is about 250 KB; a certificate or key file is a few KB).
pub const SNIFF_MAX_SIZE: u64 = 4 * 1024 * 1024;
/// Bytes read from a file of no known name to recognise a certificate or key.
pub const SNIFF_PREFIX: u64 = 8 * 1024;

/// Names whose PEM text is data of a program, not a deployed object (C string literals
/// of test certificates, documentation): never recognised by content.
fn sniff_excluded(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(
        ext,
        "c" | "h"
            | "cc"
            | "cpp"
            | "cxx"
            | "hpp"
            | "hh"
            | "rs"
            | "go"
            | "py"
            | "java"
            | "js"
            | "ts"
            | "rb"
            | "pl"
            | "php"
            | "lua"
            | "sh"
            | "md"
            | "rst"
            | "html"
            | "htm"
            | "xml"
            | "json"
            | "yaml"
            | "yml"
            | "toml"
            | "arxml"
            | "dbc"
            | "patch"
            | "diff"
    )
}

/// Cheap test on a file's first bytes: could it hold a certificate or key? A DER
/// SEQUENCE whose length header covers exactly `size` bytes, or text (no NUL in the first
/// 512 bytes) with a PEM `-----BEGIN ` line in the first [`SNIFF_PREFIX`] bytes. Only a
/// prefix is read; files over [`SNIFF_MAX_SIZE`] and unreadable files are not candidates.
pub fn sniff_candidate(tree: &dyn Tree, rel: &str, comps: &[Vec<u8>], size: u64) -> bool {
    if !(16..=SNIFF_MAX_SIZE).contains(&size) {
        return false;
    }
    let lower = rel.to_ascii_lowercase();
    if sniff_excluded(lower.rsplit('/').next().unwrap_or(&lower)) {
        return false;
    }
    let Ok(prefix) = tree.read_prefix(comps, SNIFF_PREFIX, SNIFF_MAX_SIZE) else {
        return false;
    };
    icvsec_pki::prefix_might_be_crypto(&prefix, size)
}

/// Where a link found during discovery is resolved: inside the root filesystem that
/// holds it (declared in vehicle.json, else the nearest ancestor with an `etc` or `system`
/// directory), with that root as `/`; else inside the build, which it must not leave.
fn link_scope(link: &[Vec<u8>], rootfs: &[Vec<Vec<u8>>], tree: &dyn Tree) -> Scope {
    if let Some(r) = rootfs
        .iter()
        .filter(|r| link.len() > r.len() && link.starts_with(r))
        .max_by_key(|r| r.len())
    {
        return Scope::chroot(r.clone());
    }
    for n in (0..link.len()).rev() {
        let base = &link[..n];
        for marker in [b"etc".as_slice(), b"system".as_slice()] {
            let mut probe = base.to_vec();
            probe.push(marker.to_vec());
            if probe.as_slice() == link {
                continue;
            }
            let is_dir = tree
                .lstat(&probe)
                .ok()
                .flatten()
                .is_some_and(|m| m.kind == EntryType::Dir);
            if is_dir {
                return Scope::chroot(base.to_vec());
            }
        }
    }
    Scope::contained(Vec::new())
}

/// A build path as raw components from the root.
type Comps = Vec<Vec<u8>>;

/// What one directory holds, read and sorted: its files (with sizes), its links, what
/// was reported, and the subdirectories to walk.
#[derive(Default)]
struct DirScan {
    files: Vec<DiscoveredFile>,
    links: Vec<Comps>,
    diags: Vec<Diagnostic>,
    subdirs: Vec<Comps>,
    /// The file limit was reached in this directory: the walk stops here.
    limit_hit: bool,
}

/// Read one directory. `counted` is the number of files accepted so far in the whole
/// walk (regular files and reported special files, as the file limit counts them).
fn scan_dir(
    tree: &dyn Tree,
    limits: &Limits,
    dir: &Comps,
    already: usize,
    counted: &AtomicUsize,
) -> DirScan {
    let mut out = DirScan::default();
    let entries = match tree.read_dir(dir, limits.max_dir_entries) {
        Ok(e) => e,
        Err(e) => {
            let rel = if dir.is_empty() {
                ".".into()
            } else {
                identity(dir)
            };
            out.diags.push(Diagnostic::error(
                Location::file(rel),
                format!("cannot read: {e}"),
            ));
            return out;
        }
    };
    for (name, kind) in entries {
        let mut comps = dir.clone();
        comps.push(name);
        let rel = identity(&comps);
        match kind {
            EntryType::Dir => {
                if comps.len() > limits.max_depth {
                    // An error, as every exceeded bound is: the files below could be
                    // certificates, keys or configurations no rule then sees, and a
                    // build must not hide them by nesting them deep.
                    out.diags.push(Diagnostic::error(
                        Location::file(&rel),
                        format!(
                            "not scanned: deeper than the depth limit of {}; the files below it cannot be assessed",
                            limits.max_depth
                        ),
                    ));
                } else {
                    out.subdirs.push(comps);
                }
            }
            EntryType::Symlink => out.links.push(comps),
            EntryType::File => {
                if already + counted.load(Ordering::Relaxed) >= limits.max_files {
                    out.diags.push(Diagnostic::error(
                        Location::file(&rel),
                        format!(
                            "file limit of {} reached; the rest of the tree was not scanned",
                            limits.max_files
                        ),
                    ));
                    out.limit_hit = true;
                    return out;
                }
                let size = match tree.lstat(&comps) {
                    Ok(Some(m)) => m.size,
                    Ok(None) => continue,
                    Err(e) => {
                        out.diags.push(Diagnostic::error(
                            Location::file(&rel),
                            format!("cannot read: {e}"),
                        ));
                        continue;
                    }
                };
                counted.fetch_add(1, Ordering::Relaxed);
                // Files of no known kind are sniffed for crypto content after the
                // walk, in parallel (reading their prefixes one by one was most of
                // the discovery of a build with 100,000 unrelated files).
                let kind = classify(&rel);
                out.files.push(DiscoveredFile {
                    rel,
                    comps,
                    size,
                    kind,
                    via_link: None,
                    problem: None,
                });
            }
            other => {
                let kind = classify(&rel);
                let msg = format!("skipped: {} (never opened)", other.describe());
                if kind == FileKind::Other {
                    out.diags
                        .push(Diagnostic::notice(Location::file(&rel), msg));
                } else {
                    let msg = format!("{msg}; the rules that read it cannot assess it");
                    out.diags
                        .push(Diagnostic::error(Location::file(&rel), msg.clone()));
                    counted.fetch_add(1, Ordering::Relaxed);
                    out.files.push(DiscoveredFile {
                        rel,
                        comps,
                        size: 0,
                        kind,
                        via_link: None,
                        problem: Some(msg),
                    });
                }
            }
        }
    }
    out
}

/// A directory's scan and its subdirectories' walks, in name order.
struct WalkNode {
    scan: DirScan,
    children: Vec<WalkNode>,
}

fn walk_node(
    tree: &dyn Tree,
    limits: &Limits,
    dir: Comps,
    already: usize,
    counted: &AtomicUsize,
) -> WalkNode {
    use rayon::prelude::*;
    let mut scan = scan_dir(tree, limits, &dir, already, counted);
    let children = if scan.limit_hit {
        Vec::new()
    } else {
        std::mem::take(&mut scan.subdirs)
            .into_par_iter()
            .map(|d| walk_node(tree, limits, d, already, counted))
            .collect()
    };
    WalkNode { scan, children }
}

/// Files, links and reports in depth-first order, names sorted: the serial walk's order.
fn flatten(
    node: WalkNode,
    files: &mut Vec<DiscoveredFile>,
    links: &mut Vec<Comps>,
    diags: &mut Vec<Diagnostic>,
) {
    files.extend(node.scan.files);
    links.extend(node.scan.links);
    diags.extend(node.scan.diags);
    for c in node.children {
        flatten(c, files, links, diags);
    }
}

/// Walk the directories `starts` (depth first, names sorted, so the order is the same on
/// every run and machine). Directories are read in parallel, one job per subdirectory
/// (the walk was a fifth of a scan of 121,000 files, on one thread). Should the file
/// limit come into play, the parallel result is set aside and the walk done again in
/// order, so that where it stops is the same on every run.
fn walk(
    tree: &dyn Tree,
    limits: &Limits,
    starts: Vec<Comps>,
    already: usize,
) -> (Vec<DiscoveredFile>, Vec<Comps>, Vec<Diagnostic>) {
    use rayon::prelude::*;
    let t0 = std::time::Instant::now();
    let (mut files, mut links, mut diags) = (Vec::new(), Vec::new(), Vec::new());
    let counted = AtomicUsize::new(0);
    let nodes: Vec<WalkNode> = starts
        .clone()
        .into_par_iter()
        .map(|d| walk_node(tree, limits, d, already, &counted))
        .collect();
    if already + counted.load(Ordering::Relaxed) < limits.max_files {
        for n in nodes {
            flatten(n, &mut files, &mut links, &mut diags);
        }
        crate::timings::phase("discover walk", t0);
        return (files, links, diags);
    }
    drop(nodes);
    let walked = walk_in_order(tree, limits, starts, already);
    crate::timings::phase("discover walk (in order, file limit)", t0);
    walked
}

/// The walk on one thread, directory after directory: where the file limit stops it
/// depends on the order alone.
fn walk_in_order(
    tree: &dyn Tree,
    limits: &Limits,
    starts: Vec<Comps>,
    already: usize,
) -> (Vec<DiscoveredFile>, Vec<Comps>, Vec<Diagnostic>) {
    let (mut files, mut links, mut diags) = (Vec::new(), Vec::new(), Vec::new());
    let counted = AtomicUsize::new(0);
    let mut stack: Vec<Comps> = starts.into_iter().rev().collect();
    while let Some(dir) = stack.pop() {
        let scan = scan_dir(tree, limits, &dir, already, &counted);
        files.extend(scan.files);
        links.extend(scan.links);
        diags.extend(scan.diags);
        if scan.limit_hit {
            break;
        }
        // Reverse so that the first name is walked first.
        stack.extend(scan.subdirs.into_iter().rev());
    }
    (files, links, diags)
}

/// Walk the build through the one opener ([`HostTree`]). Nothing is followed while
/// walking: directories are opened component by component without following links.
/// A symbolic link to a file is resolved inside its root filesystem (or the build) and
/// judged under its own name, unless its target is itself a discovered file of the same
/// kind (an alias); a link to a directory is not descended (its files are reached
/// through the target). A link that dangles, loops or leaves the build is reported, as
/// an error when its name is one icvsec reads, and never followed. Device files, FIFOs
/// and sockets are reported and never opened. `rootfs` lists the declared root
/// filesystems (build-relative, `/`-separated).
pub fn discover(
    tree: &dyn Tree,
    limits: &Limits,
    rootfs: &[String],
) -> (Vec<DiscoveredFile>, Vec<Diagnostic>) {
    discover_from(tree, limits, rootfs, vec![Vec::new()], 0)
}

/// [`discover`] below the directories `starts` only (mounted images), counting
/// `already` files against the file limit.
pub fn discover_from(
    tree: &dyn Tree,
    limits: &Limits,
    rootfs: &[String],
    starts: Vec<Vec<Vec<u8>>>,
    already: usize,
) -> (Vec<DiscoveredFile>, Vec<Diagnostic>) {
    let (mut files, links, mut diags) = walk(tree, limits, starts, already);
    {
        use rayon::prelude::*;
        files
            .par_iter_mut()
            .filter(|f| f.kind == FileKind::Other && f.problem.is_none())
            .for_each(|f| {
                if sniff_candidate(tree, &f.rel, &f.comps, f.size) {
                    f.kind = FileKind::CryptoByContent;
                }
            });
    }
    let rootfs: Vec<Vec<Vec<u8>>> = rootfs.iter().map(|r| decode_identity(r)).collect();
    // Only links need it: the map of 121,000 paths was a tenth of a second on one thread
    // for builds with no link at all.
    let direct: BTreeMap<Vec<Vec<u8>>, FileKind> = if links.is_empty() {
        BTreeMap::new()
    } else {
        files.iter().map(|f| (f.comps.clone(), f.kind)).collect()
    };
    for link in links {
        let rel = identity(&link);
        let kind = classify(&rel);
        let scope = link_scope(&link, &rootfs, tree);
        let in_scope = &link[scope.base.len()..];
        let resolved = icvsec_fs::resolve(tree, &scope, in_scope, true);
        let trouble: Option<String> = match resolved {
            Ok(r) => match tree.lstat(&r.path) {
                Ok(Some(m)) if m.kind == EntryType::File => {
                    if direct.get(&r.path) == Some(&kind) {
                        // The same file under another name of the same kind: judged once,
                        // under its real name.
                        continue;
                    }
                    files.push(DiscoveredFile {
                        rel: rel.clone(),
                        size: m.size,
                        kind,
                        via_link: Some(identity(&r.path)),
                        problem: None,
                        comps: r.path,
                    });
                    None
                }
                Ok(Some(m)) if m.kind == EntryType::Dir => {
                    diags.push(Diagnostic::notice(
                        Location::file(&rel),
                        format!(
                            "symbolic link to the directory {}: not descended (its files are scanned there)",
                            identity(&r.path)
                        ),
                    ));
                    None
                }
                Ok(Some(m)) => Some(format!(
                    "symbolic link to a {} ({}): never opened",
                    m.kind.describe(),
                    identity(&r.path)
                )),
                Ok(None) | Err(FsError::NotFound) => {
                    Some("symbolic link target does not exist".into())
                }
                Err(e) => Some(format!("cannot read: {e}")),
            },
            Err(FsError::NotFound) => Some("symbolic link dangles".into()),
            Err(e) => Some(format!("not followed: {e}")),
        };
        if let Some(msg) = trouble {
            if kind == FileKind::Other {
                diags.push(Diagnostic::notice(Location::file(&rel), msg));
            } else {
                let msg = format!("{msg}; the rules that read it cannot assess it");
                diags.push(Diagnostic::error(Location::file(&rel), msg.clone()));
                files.push(DiscoveredFile {
                    rel,
                    comps: link,
                    size: 0,
                    kind,
                    via_link: None,
                    problem: Some(msg),
                });
            }
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    (files, diags)
}

/// The one message for a file over the size bound.
pub fn oversize_message(size: u64, limit: u64) -> String {
    format!(
        "not read: {size} bytes is over the size limit of {limit} bytes; the rules that need it cannot assess it"
    )
}

/// Open the build root (the user's choice on the command line) as the tree every
/// build file is read through.
pub fn open_root(root: &Path) -> Result<HostTree, String> {
    HostTree::open(root).map_err(|e| format!("{}: {e}", root.display()))
}

/// Read one discovered file through the opener, bounded.
pub fn read_file(tree: &dyn Tree, f: &DiscoveredFile, limit: u64) -> Result<Vec<u8>, FsError> {
    tree.read_file(&f.comps, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify("vehicle.json"), FileKind::VehicleManifest);
        assert_eq!(classify("updates/tbox/a.swu"), FileKind::UpdatePackage);
        assert_eq!(classify("updates/ivi/b.RAUCB"), FileKind::UpdatePackage);
        assert_eq!(classify("ota/tuf/root.json"), FileKind::UpdatePackage);
        assert_eq!(classify("net/adas.arxml"), FileKind::Arxml);
        assert_eq!(classify("net/powertrain.dbc"), FileKind::Dbc);
        assert_eq!(classify("sub/vehicle.json"), FileKind::Other);
        assert_eq!(
            classify("tbox/rootfs/etc/ssh/sshd_config"),
            FileKind::SshdConfig
        );
        assert_eq!(classify("tbox/rootfs/etc/passwd"), FileKind::Passwd);
        assert_eq!(
            classify("gw/rootfs/etc/config/firewall"),
            FileKind::UciConfig
        );
        assert_eq!(classify("gw/rootfs/etc/config/x.json"), FileKind::Other);
        assert_eq!(classify("gw/rootfs/etc/inittab"), FileKind::Inittab);
        assert_eq!(
            classify("tbox/rootfs/boot/config-6.1.0"),
            FileKind::KernelConfig
        );
        assert_eq!(classify("ivi/system/build.prop"), FileKind::AndroidProps);
        assert_eq!(
            classify("x/etc/sysctl.d/10-hardening.conf"),
            FileKind::Sysctl
        );
        assert_eq!(classify("pki/backend.CRT"), FileKind::Certificate);
        assert_eq!(classify("pki/tbox.pem"), FileKind::Pem);
        assert_eq!(classify("firmware/app.bin"), FileKind::Other);
        assert_eq!(classify("probes/backend.probe.json"), FileKind::Probe);
    }

    #[test]
    fn crypto_prefix_test() {
        // One DER SEQUENCE covering the whole file (short and long length forms).
        assert!(icvsec_pki::prefix_might_be_crypto(
            &[0x30, 0x03, 1, 2, 3],
            5
        ));
        assert!(!icvsec_pki::prefix_might_be_crypto(
            &[0x30, 0x03, 1, 2, 3],
            6
        ));
        let mut long = vec![0x30, 0x82, 0x01, 0x00];
        long.extend(std::iter::repeat_n(0u8, 64));
        assert!(icvsec_pki::prefix_might_be_crypto(&long, 4 + 256));
        assert!(!icvsec_pki::prefix_might_be_crypto(&long, 4 + 255));
        // Indefinite or oversized length headers are not DER certificates or keys.
        assert!(!icvsec_pki::prefix_might_be_crypto(&[0x30, 0x80, 0, 0], 4));
        assert!(!icvsec_pki::prefix_might_be_crypto(
            &[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9],
            11
        ));
        // PEM in text, after comment lines; not in binary data.
        assert!(icvsec_pki::prefix_might_be_crypto(
            b"# bundle\n-----BEGIN CERTIFICATE-----\n",
            100
        ));
        let mut bin = vec![0u8; 16];
        bin.extend_from_slice(b"-----BEGIN CERTIFICATE-----");
        assert!(!icvsec_pki::prefix_might_be_crypto(&bin, 1000));
        assert!(!icvsec_pki::prefix_might_be_crypto(b"plain text\n", 11));
        assert!(!icvsec_pki::prefix_might_be_crypto(b"", 0));
    }

    #[test]
    fn only_a_bounded_prefix_of_candidate_files_is_read() {
        let der_key = {
            let mut v = vec![0x30, 0x10];
            v.extend([0u8; 16]);
            v
        };
        let big = vec![b'x'; (SNIFF_MAX_SIZE + 1) as usize];
        let t = icvsec_fs::MemTree::new()
            .file(
                "a/server.ca",
                b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            )
            .file("a/verify", &der_key)
            .file(
                "a/tool.c",
                b"\"-----BEGIN CERTIFICATE-----\"  /* test data */\n",
            )
            .file("a/readme", b"nothing to see here, really\n")
            .file("a/huge.txt", &big);
        let (files, _) = discover(&t, &Limits::default(), &[]);
        let kind = |rel: &str| files.iter().find(|f| f.rel == rel).map(|f| f.kind);
        assert_eq!(kind("a/server.ca"), Some(FileKind::CryptoByContent));
        assert_eq!(kind("a/verify"), Some(FileKind::CryptoByContent));
        assert_eq!(kind("a/tool.c"), Some(FileKind::Other));
        assert_eq!(kind("a/readme"), Some(FileKind::Other));
        assert_eq!(kind("a/huge.txt"), Some(FileKind::Other));
    }

    /// A tree of nested directories, files, a link and a directory below the depth limit.
    fn walk_fixture(tag: &str) -> crate::scratch::Scratch {
        let s = crate::scratch::Scratch::new(tag);
        for d in ["a", "a/x", "a/x/y", "b", "b/z", "c"] {
            for f in ["1.pem", "2.txt", "3"] {
                s.put(&format!("{d}/{f}"), "x");
            }
        }
        s.put("top.json", "{}");
        s.put("a/x/y/deep/d1/d2/d3/far.pem", "x");
        std::os::unix::fs::symlink("1.pem", s.0.join("b/link.pem")).unwrap();
        s
    }

    fn rels(files: &[DiscoveredFile]) -> Vec<String> {
        files.iter().map(|f| f.rel.clone()).collect()
    }

    fn walk_with_threads(
        threads: usize,
        root: &Path,
        limits: &Limits,
    ) -> (Vec<DiscoveredFile>, Vec<Comps>, Vec<Diagnostic>) {
        let tree = HostTree::open(root).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| walk(&tree, limits, vec![Vec::new()], 0))
    }

    #[test]
    fn parallel_walk_gives_the_ordered_walk() {
        let s = walk_fixture("walk-order");
        let limits = Limits {
            max_depth: 6,
            ..Limits::default()
        };
        let tree = HostTree::open(&s.0).unwrap();
        let (files, links, diags) = walk_in_order(&tree, &limits, vec![Vec::new()], 0);
        assert_eq!(files.len(), 19, "{:?}", rels(&files));
        assert_eq!(rels(&files)[..4], ["top.json", "a/1.pem", "a/2.txt", "a/3"]);
        assert_eq!(links, vec![vec![b"b".to_vec(), b"link.pem".to_vec()]]);
        assert!(
            diags.iter().any(|d| d.message.contains("depth limit")),
            "{diags:?}"
        );
        for threads in [1, 2, 4] {
            let (pf, pl, pd) = walk_with_threads(threads, &s.0, &limits);
            assert_eq!(rels(&pf), rels(&files), "{threads} threads");
            assert_eq!(pl, links, "{threads} threads");
            assert_eq!(format!("{pd:?}"), format!("{diags:?}"), "{threads} threads");
        }
    }

    #[test]
    fn file_limit_stops_at_the_same_file_on_any_number_of_threads() {
        let s = walk_fixture("walk-limit");
        let all = {
            let tree = HostTree::open(&s.0).unwrap();
            rels(&walk_in_order(&tree, &Limits::default(), vec![Vec::new()], 0).0)
        };
        let limits = Limits {
            max_files: 5,
            ..Limits::default()
        };
        for threads in [1, 2, 4] {
            for _ in 0..3 {
                let (files, _, diags) = walk_with_threads(threads, &s.0, &limits);
                assert_eq!(rels(&files), all[..5], "{threads} threads");
                let stop: Vec<_> = diags
                    .iter()
                    .filter(|d| d.message.contains("file limit of 5 reached"))
                    .collect();
                assert_eq!(stop.len(), 1, "{diags:?}");
                assert_eq!(stop[0].location.file, all[5].as_str());
            }
        }
    }
}
