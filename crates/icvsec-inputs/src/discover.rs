//! Walking a vehicle build: bounded, never following links, skipping special files, and
//! classifying each file by its place and name. Nothing found is ever executed.

use icvsec_model::{Diagnostic, Location};
use std::path::{Path, PathBuf};

/// Resource bounds for a scan.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Files larger than this are skipped with a notice (bytes).
    pub max_file_size: u64,
    /// Directories deeper than this are not entered.
    pub max_depth: usize,
    /// At most this many files are considered.
    pub max_files: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 16 * 1024 * 1024,
            max_depth: 48,
            max_files: 2_000_000,
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
    /// Anything else (firmware, sources, ...): not read.
    Other,
}

#[derive(Clone, Debug)]
pub struct DiscoveredFile {
    /// Relative to the root, `/` separators.
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
    pub kind: FileKind,
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
        _ => {}
    }
    let in_etc = |sub: &str| parent.ends_with(sub);
    match name {
        "sshd_config" => return FileKind::SshdConfig,
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

/// Walk `root`. Symbolic links are never followed (a link is reported as a notice and
/// skipped, so nothing outside the tree is read and link loops cannot occur); device
/// files, FIFOs and sockets are skipped; oversized files and deep directories are
/// skipped with a notice; unreadable entries are reported as errors.
pub fn discover(root: &Path, limits: &Limits) -> (Vec<DiscoveredFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(limits.max_depth + 1)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let rel = e
                    .path()
                    .map(|p| rel_path(root, p))
                    .unwrap_or_else(|| ".".into());
                diags.push(Diagnostic::error(
                    Location::file(rel),
                    format!(
                        "cannot read: {}",
                        e.io_error().map_or(e.to_string(), |io| io.to_string())
                    ),
                ));
                continue;
            }
        };
        let rel = rel_path(root, entry.path());
        let ft = entry.file_type();
        if entry.depth() > limits.max_depth {
            diags.push(Diagnostic::warning(
                Location::file(&rel),
                format!(
                    "not scanned: deeper than the depth limit of {}",
                    limits.max_depth
                ),
            ));
            continue;
        }
        if ft.is_symlink() {
            diags.push(Diagnostic::notice(
                Location::file(&rel),
                "symbolic link not followed",
            ));
            continue;
        }
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            diags.push(Diagnostic::notice(
                Location::file(&rel),
                "skipped: not a regular file (device, FIFO or socket)",
            ));
            continue;
        }
        if files.len() >= limits.max_files {
            diags.push(Diagnostic::error(
                Location::file(&rel),
                format!(
                    "file limit of {} reached; the rest of the tree was not scanned",
                    limits.max_files
                ),
            ));
            break;
        }
        let size = match entry.metadata() {
            Ok(m) => m.len(),
            Err(e) => {
                diags.push(Diagnostic::error(
                    Location::file(&rel),
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        let kind = classify(&rel);
        files.push(DiscoveredFile {
            rel,
            abs: entry.into_path(),
            size,
            kind,
        });
    }
    (files, diags)
}

pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".into() } else { s }
}

/// Read a file with the size bound applied (also to files that grow while read).
pub fn read_bounded(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    // Size the buffer from the file's length (bounded by the limit) so small files take
    // one read plus the end-of-file read instead of a probe and several growing reads.
    let hint = f.metadata().map_or(0, |m| m.len()).min(limit) as usize;
    let mut buf = Vec::with_capacity(hint + 1);
    f.take(limit + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(std::io::Error::other(format!(
            "larger than the size limit of {limit} bytes"
        )));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify("vehicle.json"), FileKind::VehicleManifest);
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
}
