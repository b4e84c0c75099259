//! dpkg and opkg status databases (`var/lib/dpkg/status`, `usr/lib/opkg/status`,
//! `var/lib/opkg/status`): RFC 822-like stanzas separated by blank lines. Only stanzas whose
//! `Status:` ends in `installed` are installed packages.

use super::{lines, src};
use crate::component::{Component, Ecosystem, Place, make_purl};
use crate::error::{Limits, VulnError};

/// Which package manager wrote the file (decides ecosystem and purl).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Dpkg,
    Opkg,
}

struct Stanza {
    line: usize,
    fields: Vec<(String, String, usize)>,
}

impl Stanza {
    fn get(&self, k: &str) -> Option<(&str, usize)> {
        self.fields
            .iter()
            .find(|(fk, _, _)| fk.eq_ignore_ascii_case(k))
            .map(|(_, v, l)| (v.as_str(), *l))
    }
}

fn stanzas(file: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Stanza>, VulnError> {
    limits.check_size(file, bytes.len())?;
    let mut out = Vec::new();
    let mut cur: Option<Stanza> = None;
    for (n, line) in lines(bytes) {
        if line.trim().is_empty() {
            if let Some(s) = cur.take() {
                out.push(s);
            }
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            // Continuation of a multi-line field (Description, Conffiles): not needed.
            if cur.is_none() {
                return Err(VulnError::new(
                    file,
                    format_args!("line {n}:1"),
                    "continuation line outside a stanza",
                ));
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            return Err(VulnError::new(
                file,
                format_args!("line {n}:1"),
                format!("expected 'Field: value', found {:?}", truncate(&line)),
            ));
        };
        let s = cur.get_or_insert_with(|| Stanza {
            line: n,
            fields: Vec::new(),
        });
        if s.fields.len() >= 256 {
            return Err(VulnError::new(
                file,
                format_args!("line {n}:1"),
                "more than 256 fields in one stanza",
            ));
        }
        s.fields
            .push((k.trim().to_string(), v.trim().to_string(), n));
        if out.len() >= limits.max_entries {
            return Err(VulnError::new(
                file,
                format_args!("line {n}"),
                format!("more than {} stanzas", limits.max_entries),
            ));
        }
    }
    if let Some(s) = cur.take() {
        out.push(s);
    }
    Ok(out)
}

pub(crate) fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Parses a dpkg or opkg status file into installed components.
pub fn parse_status(
    file: &str,
    bytes: &[u8],
    kind: StatusKind,
    limits: &Limits,
) -> Result<Vec<Component>, VulnError> {
    let method = match kind {
        StatusKind::Dpkg => "dpkg-status",
        StatusKind::Opkg => "opkg-status",
    };
    let mut out = Vec::new();
    for s in stanzas(file, bytes, limits)? {
        let installed = s
            .get("Status")
            .is_some_and(|(v, _)| v.split_whitespace().last() == Some("installed"));
        if !installed {
            continue;
        }
        let Some((name, line)) = s.get("Package").filter(|(v, _)| !v.is_empty()) else {
            return Err(VulnError::new(
                file,
                format_args!("line {}", s.line),
                "installed stanza without a Package field",
            ));
        };
        let Some((version, _)) = s.get("Version").filter(|(v, _)| !v.is_empty()) else {
            return Err(VulnError::new(
                file,
                format_args!("line {line}"),
                format!("installed package {name:?} has no Version field"),
            ));
        };
        let arch = s.get("Architecture").map(|(v, _)| v).unwrap_or("");
        let (eco, purl) = match kind {
            StatusKind::Dpkg => (
                Ecosystem::Debian,
                make_purl("deb", Some("debian"), name, version, &[("arch", arch)]),
            ),
            // No registered purl type for opkg: generic with the distribution as namespace.
            StatusKind::Opkg => (
                Ecosystem::OpenWrt,
                make_purl("generic", Some("openwrt"), name, version, &[("arch", arch)]),
            ),
        };
        let mut c = Component::new(name, version, eco, src(file, Place::Line(line), method));
        c.purl = Some(purl);
        // "Source: openssl (1.1.1k-1)": distro advisories are keyed by the source package.
        if let Some((srcv, _)) = s.get("Source") {
            let sname = srcv.split_whitespace().next().unwrap_or("");
            if !sname.is_empty() && sname != name {
                c.source_package = Some(sname.to_string());
            }
        }
        out.push(c);
    }
    Ok(out)
}

pub fn parse_dpkg_status(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Component>, VulnError> {
    parse_status(file, bytes, StatusKind::Dpkg, limits)
}

pub fn parse_opkg_status(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Component>, VulnError> {
    parse_status(file, bytes, StatusKind::Opkg, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Package: libssl1.1\nStatus: install ok installed\nArchitecture: arm64\nSource: openssl\nVersion: 1.1.1k-1+deb11u1\nDescription: SSL\n shared libraries\n\nPackage: removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: busybox\nStatus: install ok installed\nVersion: 1:1.33.1-3\n";

    #[test]
    fn installed_only_with_lines_and_source() {
        let cs = parse_dpkg_status("var/lib/dpkg/status", STATUS.as_bytes(), &Limits::default())
            .expect("parse");
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].name, "libssl1.1");
        assert_eq!(cs[0].source_package.as_deref(), Some("openssl"));
        assert_eq!(
            cs[0].purl.as_deref(),
            Some("pkg:deb/debian/libssl1.1@1.1.1k-1%2Bdeb11u1?arch=arm64")
        );
        assert_eq!(cs[0].sources[0].place, Place::Line(1));
        assert_eq!(cs[1].version, "1:1.33.1-3");
        assert_eq!(cs[1].sources[0].place, Place::Line(13));
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse_dpkg_status(
            "s",
            b"Package: a\nStatus: install ok installed\n\nthis is not a field\n",
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.place, "line 4:1");
        let e = parse_dpkg_status(
            "s",
            b"Package: a\nStatus: install ok installed\n",
            &Limits::default(),
        )
        .unwrap_err();
        assert!(e.message.contains("no Version"), "{e}");
        let e = parse_dpkg_status("s", b" x\n", &Limits::default()).unwrap_err();
        assert_eq!(e.place, "line 1:1");
    }

    #[test]
    fn stanza_bound_is_an_error() {
        let limits = Limits {
            max_entries: 10,
            ..Limits::default()
        };
        let text = "Package: p\nStatus: install ok installed\nVersion: 1\n\n".repeat(11);
        let e = parse_dpkg_status("s", text.as_bytes(), &limits).unwrap_err();
        assert!(e.message.contains("more than 10 stanzas"), "{e}");
        let small = Limits {
            max_file_bytes: 8,
            ..Limits::default()
        };
        assert!(parse_opkg_status("s", STATUS.as_bytes(), &small).is_err());
    }
}
