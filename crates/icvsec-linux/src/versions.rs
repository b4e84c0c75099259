//! Software versions of a root filesystem: OS (`/etc/os-release`), OpenSSH, OpenSSL,
//! mbedTLS, wolfSSL, the kernel, Android release and security patch level, each with the
//! file and line it was read from.
//!
//! Sources, in order of preference:
//! - package databases: dpkg `/var/lib/dpkg/status`, opkg `/usr/lib/opkg/status`,
//!   `/var/lib/opkg/status` (stanzas `Package:` / `Status:` / `Version:`; only installed
//!   packages; the upstream version is the Debian version without epoch and revision);
//! - version headers: `openssl/opensslv.h` (`OPENSSL_VERSION_TEXT`, else
//!   `OPENSSL_VERSION_NUMBER` decoded), `mbedtls/build_info.h` / `mbedtls/version.h`
//!   (`MBEDTLS_VERSION_STRING`), `wolfssl/version.h` (`LIBWOLFSSL_VERSION_STRING`) under
//!   `/usr/include` and `/usr/local/include`;
//! - the kernel `.config` header (`/boot/config-*`, `/boot/config`, `/proc/config.gz`),
//!   else the names of `/lib/modules/*`;
//! - Android property files (`ro.build.version.release`, `...security_patch`).

use crate::common::{FileSource, Limits, text_lines};
use serde::{Deserialize, Serialize};

/// A version and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ver {
    /// Upstream version (`9.2p1`, `3.0.13`, `6.1.0`).
    pub version: String,
    /// The text as found (`1:9.2p1-2+deb12u3`, `OpenSSL 3.0.13 30 Jan 2024`).
    pub raw: String,
    pub file: String,
    /// 1-based line; 0 when the version comes from a file or directory name.
    pub line: usize,
}

impl Ver {
    /// `file:line` (or the file alone).
    pub fn source(&self) -> String {
        if self.line > 0 {
            format!("{}:{}", self.file, self.line)
        } else {
            self.file.clone()
        }
    }
    /// Leading numeric components (`9.2p1` -> [9, 2]; `1.1.1w` -> [1, 1, 1]).
    pub fn numbers(&self) -> Vec<u32> {
        numeric_prefix(&self.version)
    }
}

pub use crate::version_num::{major_minor, numeric_prefix};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsRelease {
    pub id: Option<String>,
    pub version_id: Option<String>,
    pub file: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Versions {
    pub os: Option<OsRelease>,
    pub openssh: Option<Ver>,
    pub openssl: Option<Ver>,
    pub mbedtls: Option<Ver>,
    pub wolfssl: Option<Ver>,
    pub kernel: Option<Ver>,
    pub android_release: Option<Ver>,
    pub android_security_patch: Option<Ver>,
    /// Files that could not be read or parsed (the result may then be incomplete).
    pub problems: Vec<String>,
}

pub const PACKAGE_DBS: &[&str] = &[
    "/var/lib/dpkg/status",
    "/usr/lib/opkg/status",
    "/var/lib/opkg/status",
];

/// An installed package stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// Line of `Version:`.
    pub line: usize,
}

/// Installed packages of a dpkg/opkg status file (stanzas without `Status:` count as
/// installed: opkg writes it, some image builders do not).
pub fn parse_status(file: &str, bytes: &[u8]) -> Result<Vec<Package>, crate::ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    let (mut name, mut ver, mut installed): (Option<String>, Option<(String, usize)>, bool) =
        (None, None, true);
    let mut flush =
        |name: &mut Option<String>, ver: &mut Option<(String, usize)>, inst: &mut bool| {
            if let (Some(n), Some((v, l)), true) = (name.take(), ver.take(), *inst) {
                out.push(Package {
                    name: n,
                    version: v,
                    line: l,
                });
            }
            *inst = true;
        };
    for (i, l) in lines.iter().enumerate() {
        if l.trim().is_empty() {
            flush(&mut name, &mut ver, &mut installed);
            continue;
        }
        if let Some(v) = l.strip_prefix("Package:") {
            name = Some(v.trim().to_string());
        } else if let Some(v) = l.strip_prefix("Version:") {
            ver = Some((v.trim().to_string(), i + 1));
        } else if let Some(v) = l.strip_prefix("Status:") {
            installed = v.split_whitespace().last() == Some("installed");
        }
    }
    flush(&mut name, &mut ver, &mut installed);
    Ok(out)
}

/// Upstream part of a Debian/opkg version: no epoch, no revision.
pub fn upstream_version(v: &str) -> String {
    let v = v.split_once(':').map_or(v, |(_, r)| r);
    v.rsplit_once('-').map_or(v, |(u, _)| u).to_string()
}

fn read_text(src: &dyn FileSource, path: &str, problems: &mut Vec<String>) -> Option<Vec<u8>> {
    match src.read(path) {
        Ok(b) => b,
        Err(e) => {
            problems.push(format!("{path}: {e}"));
            None
        }
    }
}

/// `#define NAME "value"` or `#define NAME value` in a header: (value, line).
pub fn header_define(text: &str, name: &str) -> Option<(String, usize)> {
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        let Some(rest) = t.strip_prefix('#') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(rest) = rest.strip_prefix("define") else {
            continue;
        };
        let mut w = rest.split_whitespace();
        if w.next() != Some(name) {
            continue;
        }
        let v: Vec<&str> = w.collect();
        let v = v.join(" ");
        let v = v.trim().trim_matches('"').to_string();
        return Some((v, i + 1));
    }
    None
}

/// Decode `OPENSSL_VERSION_NUMBER`: 3.x `0xMNN00PP0L` (major, minor, patch), 1.x and
/// 0.9.x `0xMNNFFPPSL` (patch letter from PP).
pub fn decode_openssl_number(s: &str) -> Option<String> {
    let h = s
        .trim()
        .trim_end_matches(['L', 'l', 'U', 'u'])
        .trim_start_matches("0x")
        .trim_start_matches("0X");
    let n = u64::from_str_radix(h, 16).ok()?;
    let major = (n >> 28) & 0xf;
    if major >= 3 {
        let minor = (n >> 20) & 0xff;
        let patch = (n >> 4) & 0xff;
        return Some(format!("{major}.{minor}.{patch}"));
    }
    let minor = (n >> 20) & 0xff;
    let fix = (n >> 12) & 0xff;
    let letter = (n >> 4) & 0xff;
    let l = if letter == 0 {
        String::new()
    } else {
        char::from_u32(u32::try_from(letter).ok()? + u32::from(b'a') - 1)?.to_string()
    };
    Some(format!("{major}.{minor}.{fix}{l}"))
}

const INCLUDE_DIRS: &[&str] = &["/usr/include", "/usr/local/include"];

fn from_packages(pkgs: &[(String, Package)], names: &[&str]) -> Option<Ver> {
    for want in names {
        let found = pkgs.iter().find(|(_, p)| {
            if let Some(prefix) = want.strip_suffix('*') {
                p.name.starts_with(prefix)
            } else {
                p.name == *want
            }
        });
        if let Some((file, p)) = found {
            return Some(Ver {
                version: upstream_version(&p.version),
                raw: p.version.clone(),
                file: file.clone(),
                line: p.line,
            });
        }
    }
    None
}

/// Only the OpenSSH version (package databases): what the sshd checks need.
pub fn detect_openssh(src: &dyn FileSource) -> Option<Ver> {
    let mut problems = Vec::new();
    let pkgs = packages(src, &mut problems);
    from_packages(&pkgs, &["openssh-server", "openssh"])
}

fn packages(src: &dyn FileSource, problems: &mut Vec<String>) -> Vec<(String, Package)> {
    let mut out = Vec::new();
    for db in PACKAGE_DBS {
        if let Some(b) = read_text(src, db, problems) {
            match parse_status(db, &b) {
                Ok(p) => out.extend(p.into_iter().map(|p| (db.to_string(), p))),
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    out
}

/// Detect every version this module knows about.
pub fn detect_versions(src: &dyn FileSource) -> Versions {
    let mut v = Versions::default();
    let mut problems = Vec::new();
    for p in ["/etc/os-release", "/usr/lib/os-release"] {
        let Some(b) = read_text(src, p, &mut problems) else {
            continue;
        };
        let text = String::from_utf8_lossy(&b);
        let get = |k: &str| {
            text.lines().find_map(|l| {
                l.strip_prefix(k)
                    .and_then(|r| r.strip_prefix('='))
                    .map(|r| r.trim().trim_matches(['"', '\'']).to_string())
            })
        };
        v.os = Some(OsRelease {
            id: get("ID"),
            version_id: get("VERSION_ID"),
            file: p.to_string(),
        });
        break;
    }
    let pkgs = packages(src, &mut problems);
    v.openssh = from_packages(&pkgs, &["openssh-server", "openssh"]);
    v.openssl = from_packages(
        &pkgs,
        &[
            "openssl",
            "libssl3",
            "libssl3t64",
            "libssl1.1",
            "libopenssl3",
            "libopenssl1.1",
            "libopenssl*",
            "libssl*",
        ],
    );
    v.mbedtls = from_packages(&pkgs, &["libmbedtls*", "mbedtls"]);
    v.wolfssl = from_packages(&pkgs, &["libwolfssl*", "wolfssl"]);
    v.kernel = from_packages(&pkgs, &["kernel"]);
    for dir in INCLUDE_DIRS {
        let hdr = |name: &str, problems: &mut Vec<String>| {
            let p = format!("{dir}/{name}");
            read_text(src, &p, problems).map(|b| (p, String::from_utf8_lossy(&b).into_owned()))
        };
        if v.openssl.is_none()
            && let Some((p, t)) = hdr("openssl/opensslv.h", &mut problems)
        {
            if let Some((raw, line)) = header_define(&t, "OPENSSL_VERSION_TEXT")
                && let Some(ver) = raw.split_whitespace().nth(1)
                && !numeric_prefix(ver).is_empty()
            {
                v.openssl = Some(Ver {
                    version: ver.to_string(),
                    raw,
                    file: p.clone(),
                    line,
                });
            } else if let Some((raw, line)) = header_define(&t, "OPENSSL_VERSION_NUMBER")
                && let Some(ver) = decode_openssl_number(&raw)
            {
                v.openssl = Some(Ver {
                    version: ver,
                    raw,
                    file: p,
                    line,
                });
            }
        }
        if v.mbedtls.is_none() {
            for name in ["mbedtls/build_info.h", "mbedtls/version.h"] {
                if let Some((p, t)) = hdr(name, &mut problems)
                    && let Some((raw, line)) = header_define(&t, "MBEDTLS_VERSION_STRING")
                {
                    v.mbedtls = Some(Ver {
                        version: raw.clone(),
                        raw,
                        file: p,
                        line,
                    });
                    break;
                }
            }
        }
        if v.wolfssl.is_none()
            && let Some((p, t)) = hdr("wolfssl/version.h", &mut problems)
            && let Some((raw, line)) = header_define(&t, "LIBWOLFSSL_VERSION_STRING")
        {
            v.wolfssl = Some(Ver {
                version: raw.clone(),
                raw,
                file: p,
                line,
            });
        }
    }
    if v.kernel.is_none() {
        v.kernel = kernel_from_config(src, &mut problems);
    }
    if v.kernel.is_none()
        && let Ok(mut names) = src.list_dir("/lib/modules")
    {
        names.sort();
        if let Some(n) = names.into_iter().find(|n| !numeric_prefix(n).is_empty()) {
            v.kernel = Some(Ver {
                version: n.clone(),
                raw: n.clone(),
                file: format!("/lib/modules/{n}"),
                line: 0,
            });
        }
    }
    match crate::android_load::load_android_props(src, &[]) {
        Ok(props) => {
            let ver = |k: &str| {
                props.get(k).map(|pv| Ver {
                    version: pv.value.clone(),
                    raw: pv.value.clone(),
                    file: pv.file.clone(),
                    line: pv.line,
                })
            };
            v.android_release = ver("ro.build.version.release");
            v.android_security_patch = ver("ro.build.version.security_patch");
        }
        Err(e) => problems.push(e.to_string()),
    }
    v.problems = problems;
    v
}

/// Kernel version from the header of the root's kernel configuration.
pub fn kernel_from_config(src: &dyn FileSource, problems: &mut Vec<String>) -> Option<Ver> {
    for p in crate::kconfig::config_candidates(src) {
        let Some(b) = read_text(src, &p, problems) else {
            continue;
        };
        match crate::kconfig::parse_kconfig_any(&p, &b) {
            Ok(cfg) => {
                if let Some(ver) = cfg.version {
                    let line = header_line(&b);
                    return Some(Ver {
                        version: ver.clone(),
                        raw: ver,
                        file: p,
                        line,
                    });
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }
    None
}

fn header_line(b: &[u8]) -> usize {
    if b.starts_with(&[0x1f, 0x8b]) {
        return 0;
    }
    String::from_utf8_lossy(&b[..b.len().min(4096)])
        .lines()
        .position(|l| l.contains("Kernel Configuration"))
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn detect() {
        let root = MemRoot::new()
            .with("/etc/os-release", "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"8\"\n")
            .with(
                "/var/lib/dpkg/status",
                "Package: openssh-client\nStatus: install ok installed\nVersion: 1:6.7p1-5+deb8u8\n\nPackage: openssh-server\nStatus: deinstall ok config-files\nVersion: 1:6.0p1-4\n\nPackage: openssh-server\nStatus: install ok installed\nVersion: 1:6.6p1-2ubuntu2\n\nPackage: libssl1.0.0\nStatus: install ok installed\nVersion: 1.0.1t-1+deb8u12\n",
            )
            .with("/usr/include/mbedtls/version.h", "#define MBEDTLS_VERSION_NUMBER 0x021C0800\n#define MBEDTLS_VERSION_STRING         \"2.28.8\"\n")
            .with("/usr/local/include/wolfssl/version.h", "#define LIBWOLFSSL_VERSION_STRING \"5.6.6\"\n")
            .with("/boot/config-4.9.0-18-amd64", "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 4.9.0-18-amd64 Kernel Configuration\n#\nCONFIG_X86_64=y\n")
            .with("/system/build.prop", "ro.build.version.release=9\nro.build.version.security_patch=2019-08-05\n");
        let v = detect_versions(&root);
        assert!(v.problems.is_empty(), "{:?}", v.problems);
        assert_eq!(v.os.as_ref().unwrap().version_id.as_deref(), Some("8"));
        let ssh = v.openssh.unwrap();
        assert_eq!((ssh.version.as_str(), ssh.line), ("6.6p1", 11));
        assert_eq!(ssh.source(), "/var/lib/dpkg/status:11");
        assert_eq!(v.openssl.unwrap().version, "1.0.1t");
        assert_eq!(v.mbedtls.unwrap().version, "2.28.8");
        assert_eq!(
            v.wolfssl.unwrap().file,
            "/usr/local/include/wolfssl/version.h"
        );
        let k = v.kernel.unwrap();
        assert_eq!((k.version.as_str(), k.line), ("4.9.0-18-amd64", 3));
        assert_eq!(v.android_release.unwrap().version, "9");
        assert_eq!(major_minor("6.6p1"), Some((6, 6)));
        assert_eq!(major_minor("4.9.0-18-amd64"), Some((4, 9)));
    }

    #[test]
    fn openssl_headers() {
        assert_eq!(
            decode_openssl_number("0x1010117fL").as_deref(),
            Some("1.1.1w")
        );
        assert_eq!(
            decode_openssl_number("0x300000d0L").as_deref(),
            Some("3.0.13")
        );
        assert_eq!(
            decode_openssl_number("0x1000207fL").as_deref(),
            Some("1.0.2g")
        );
        let root = MemRoot::new().with(
            "/usr/include/openssl/opensslv.h",
            "# ifndef X\n#  define OPENSSL_VERSION_NUMBER  0x1010117fL\n#  define OPENSSL_VERSION_TEXT    \"OpenSSL 1.1.1w  11 Sep 2023\"\n",
        );
        let v = detect_versions(&root);
        let o = v.openssl.unwrap();
        assert_eq!((o.version.as_str(), o.line), ("1.1.1w", 3));
        let root = MemRoot::new()
            .with("/usr/lib/opkg/status", "Package: kernel\nVersion: 5.15.137-1-2c9f3b0e\nStatus: install hold installed\n\nPackage: dropbear\nVersion: 2022.82-5\nStatus: install user installed\n");
        let v = detect_versions(&root);
        assert_eq!(v.kernel.unwrap().version, "5.15.137-1");
    }
}
