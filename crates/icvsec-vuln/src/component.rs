//! What an inventory holds: components with their provenance, grouped per ECU.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Where a component's version comes from; decides the version ordering used and which
/// feed entries apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ecosystem {
    /// dpkg-managed (Debian, Ubuntu, most Debian-based builds).
    Debian,
    /// opkg-managed (OpenWrt, many Yocto images): dpkg version rules.
    OpenWrt,
    /// apk-managed (Alpine).
    Alpine,
    /// Android platform (release, security patch level).
    Android,
    /// The Linux kernel (OSV ecosystem "Linux", package "Kernel").
    Linux,
    /// Anything else: a binary found by signature, an SBOM entry without a known package type.
    Generic,
}

impl Ecosystem {
    /// Maps an OSV ecosystem string ("Debian:11", "Alpine:v3.18", "Linux", ...) to ours.
    pub fn from_osv(s: &str) -> Option<Ecosystem> {
        let base = s.split(':').next().unwrap_or(s);
        match base {
            "Debian" | "Ubuntu" => Some(Ecosystem::Debian),
            "OpenWrt" => Some(Ecosystem::OpenWrt),
            "Alpine" => Some(Ecosystem::Alpine),
            "Android" => Some(Ecosystem::Android),
            "Linux" => Some(Ecosystem::Linux),
            "" => None,
            // OSS-Fuzz, GIT, language ecosystems: compared as generic versions by name.
            _ => Some(Ecosystem::Generic),
        }
    }

    /// Maps a purl type to an ecosystem.
    pub fn from_purl_type(t: &str) -> Ecosystem {
        match t {
            "deb" => Ecosystem::Debian,
            "apk" => Ecosystem::Alpine,
            "opkg" => Ecosystem::OpenWrt,
            _ => Ecosystem::Generic,
        }
    }

    /// The OSV ecosystem name ("Debian", "OpenWrt", ...), "" for generic.
    pub fn as_str_osv(self) -> &'static str {
        match self {
            Ecosystem::Debian => "Debian",
            Ecosystem::OpenWrt => "OpenWrt",
            Ecosystem::Alpine => "Alpine",
            Ecosystem::Android => "Android",
            Ecosystem::Linux => "Linux",
            Ecosystem::Generic => "generic",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Debian => "debian",
            Ecosystem::OpenWrt => "openwrt",
            Ecosystem::Alpine => "alpine",
            Ecosystem::Android => "android",
            Ecosystem::Linux => "linux",
            Ecosystem::Generic => "generic",
        }
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The place in a file a component was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "at")]
pub enum Place {
    Line(usize),
    ByteOffset(u64),
    /// A JSON pointer into an SBOM.
    Pointer(String),
    /// The name of a directory entry (e.g. /lib/modules/<version>).
    Entry(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(l) => write!(f, "line {l}"),
            Place::ByteOffset(o) => write!(f, "byte offset {o}"),
            Place::Pointer(p) => write!(f, "{p}"),
            Place::Entry(e) => write!(f, "entry {e}"),
        }
    }
}

/// Provenance of a component: file, place and the method that found it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    pub file: String,
    pub place: Place,
    /// "dpkg-status", "opkg-status", "apk-installed", "android-build-prop",
    /// "kernel-config-header", "lib-modules-dir", "binary-signature", "cyclonedx", "spdx".
    pub method: String,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.file, self.place, self.method)
    }
}

/// One installed piece of software.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Component {
    pub name: String,
    pub version: String,
    pub ecosystem: Ecosystem,
    /// Source package (dpkg `Source:`, apk `o:`), which distro advisories are keyed by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_package: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpe: Option<String>,
    /// Every place this component was seen (a package database and an SBOM, say).
    pub sources: Vec<SourceRef>,
}

impl Component {
    pub fn new(name: &str, version: &str, ecosystem: Ecosystem, source: SourceRef) -> Component {
        Component {
            name: name.to_string(),
            version: version.to_string(),
            ecosystem,
            source_package: None,
            purl: None,
            cpe: None,
            sources: vec![source],
        }
    }

    /// The first (primary) source.
    pub fn source(&self) -> Option<&SourceRef> {
        self.sources.first()
    }
}

/// The components of one ECU, merged by (ecosystem, name, version): the same package read
/// from the package database and from a shipped SBOM is one component with two sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EcuInventory {
    pub ecu: String,
    components: BTreeMap<(Ecosystem, String, String), Component>,
}

impl EcuInventory {
    pub fn new(ecu: &str) -> EcuInventory {
        EcuInventory {
            ecu: ecu.to_string(),
            components: BTreeMap::new(),
        }
    }

    /// Adds or merges a component (purl/CPE/source package filled in when missing,
    /// sources appended without duplicates).
    pub fn add(&mut self, c: Component) {
        let key = (c.ecosystem, c.name.to_ascii_lowercase(), c.version.clone());
        match self.components.get_mut(&key) {
            Some(have) => {
                if have.purl.is_none() {
                    have.purl = c.purl;
                }
                if have.cpe.is_none() {
                    have.cpe = c.cpe;
                }
                if have.source_package.is_none() {
                    have.source_package = c.source_package;
                }
                for s in c.sources {
                    if !have.sources.contains(&s) {
                        have.sources.push(s);
                    }
                }
            }
            None => {
                self.components.insert(key, c);
            }
        }
    }

    pub fn extend(&mut self, cs: impl IntoIterator<Item = Component>) {
        for c in cs {
            self.add(c);
        }
    }

    /// Components in a stable order (ecosystem, lower-case name, version).
    pub fn components(&self) -> impl Iterator<Item = &Component> {
        self.components.values()
    }

    pub fn len(&self) -> usize {
        self.components.len()
    }

    pub fn is_empty(&self) -> bool {
        self.components.is_empty()
    }
}

/// Percent-encodes a purl segment (everything but unreserved characters).
pub fn purl_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes %XX escapes (invalid escapes are kept as they are).
pub fn purl_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Builds `pkg:type/namespace/name@version` with optional qualifiers (sorted by key).
pub fn make_purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> String {
    let mut s = format!("pkg:{ty}/");
    if let Some(ns) = namespace {
        s.push_str(&purl_encode(ns));
        s.push('/');
    }
    s.push_str(&purl_encode(name));
    if !version.is_empty() {
        s.push('@');
        s.push_str(&purl_encode(version));
    }
    let mut q: Vec<_> = qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    q.sort();
    for (i, (k, v)) in q.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(k);
        s.push('=');
        s.push_str(&purl_encode(v));
    }
    s
}

/// The parts of a purl that matching needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purl {
    pub ty: String,
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

/// Parses `pkg:type[/namespace...]/name[@version][?qualifiers][#subpath]`; None when it is
/// not a purl.
pub fn parse_purl(s: &str) -> Option<Purl> {
    let rest = s.strip_prefix("pkg:")?;
    let rest = rest.split('#').next().unwrap_or(rest);
    let rest = rest.split('?').next().unwrap_or(rest);
    let (path, version) = match rest.rfind('@') {
        Some(i) if i > 0 && !rest[i..].contains('/') => {
            (&rest[..i], Some(purl_decode(&rest[i + 1..])))
        }
        _ => (rest, None),
    };
    let path = path.trim_matches('/');
    let mut parts: Vec<&str> = path.split('/').collect();
    if parts.len() < 2 {
        return None;
    }
    let ty = parts.remove(0).to_ascii_lowercase();
    let name = purl_decode(parts.pop()?);
    if ty.is_empty() || name.is_empty() {
        return None;
    }
    let namespace = if parts.is_empty() {
        None
    } else {
        Some(
            parts
                .iter()
                .map(|p| purl_decode(p))
                .collect::<Vec<_>>()
                .join("/"),
        )
    };
    Some(Purl {
        ty,
        namespace,
        name,
        version: version.filter(|v| !v.is_empty()),
    })
}

/// Builds a CPE 2.3 formatted string for an application/OS.
pub fn make_cpe(part: char, vendor: &str, product: &str, version: &str) -> String {
    format!(
        "cpe:2.3:{part}:{}:{}:{}:*:*:*:*:*:*:*",
        cpe_escape(vendor),
        cpe_escape(product),
        cpe_escape(version)
    )
}

fn cpe_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
            out.push(c);
        } else {
            out.push('\\');
            out.push(c);
        }
    }
    out
}

/// vendor, product and version of a CPE 2.3 string (escapes removed, lower case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpe {
    pub part: String,
    pub vendor: String,
    pub product: String,
    pub version: String,
    pub update: String,
}

/// Parses a `cpe:2.3:` formatted string (honouring `\` escapes); also accepts the older
/// `cpe:/a:vendor:product:version` URI form.
pub fn parse_cpe(s: &str) -> Option<Cpe> {
    let fields: Vec<String> = if let Some(rest) = s.strip_prefix("cpe:2.3:") {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut esc = false;
        for c in rest.chars() {
            if esc {
                cur.push(c);
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == ':' {
                fields.push(std::mem::take(&mut cur));
            } else {
                cur.push(c);
            }
        }
        fields.push(cur);
        fields
    } else if let Some(rest) = s.strip_prefix("cpe:/") {
        rest.split(':').map(purl_decode).collect()
    } else {
        return None;
    };
    let get = |i: usize| {
        fields
            .get(i)
            .map(|f| f.to_ascii_lowercase())
            .unwrap_or_else(|| "*".to_string())
    };
    let product = get(2);
    if product.is_empty() || product == "*" {
        return None;
    }
    Some(Cpe {
        part: get(0),
        vendor: get(1),
        product,
        version: get(3),
        update: get(4),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purl_roundtrip() {
        let p = make_purl(
            "deb",
            Some("debian"),
            "libssl1.1",
            "1:1.1.1k-1+deb11u1",
            &[("arch", "arm64")],
        );
        assert_eq!(
            p,
            "pkg:deb/debian/libssl1.1@1%3A1.1.1k-1%2Bdeb11u1?arch=arm64"
        );
        let q = parse_purl(&p).expect("purl");
        assert_eq!(q.ty, "deb");
        assert_eq!(q.namespace.as_deref(), Some("debian"));
        assert_eq!(q.name, "libssl1.1");
        assert_eq!(q.version.as_deref(), Some("1:1.1.1k-1+deb11u1"));
        assert!(parse_purl("openssl").is_none());
        assert!(parse_purl("pkg:").is_none());
    }

    #[test]
    fn cpe_parse() {
        let c = parse_cpe("cpe:2.3:a:openssl:openssl:1.1.1k:*:*:*:*:*:*:*").expect("cpe");
        assert_eq!(
            (c.vendor.as_str(), c.product.as_str(), c.version.as_str()),
            ("openssl", "openssl", "1.1.1k")
        );
        let c = parse_cpe("cpe:2.3:a:foo\\:bar:baz:1.0").expect("cpe");
        assert_eq!(c.vendor, "foo:bar");
        assert_eq!(c.update, "*");
        assert_eq!(
            make_cpe('a', "x", "a b", "1"),
            "cpe:2.3:a:x:a\\ b:1:*:*:*:*:*:*:*"
        );
        assert!(parse_cpe("cpe:2.3:a:x").is_none());
    }

    #[test]
    fn inventory_merges_sources() {
        let s1 = SourceRef {
            file: "a".into(),
            place: Place::Line(1),
            method: "dpkg-status".into(),
        };
        let s2 = SourceRef {
            file: "b".into(),
            place: Place::Pointer("/components/0".into()),
            method: "cyclonedx".into(),
        };
        let mut inv = EcuInventory::new("tbox");
        inv.add(Component::new(
            "openssl",
            "1.1.1k",
            Ecosystem::Debian,
            s1.clone(),
        ));
        let mut c = Component::new("OpenSSL", "1.1.1k", Ecosystem::Debian, s2.clone());
        c.purl = Some("pkg:deb/debian/openssl@1.1.1k".into());
        inv.add(c);
        assert_eq!(inv.len(), 1);
        let c = inv.components().next().expect("one");
        assert_eq!(c.sources, vec![s1, s2]);
        assert!(c.purl.is_some());
    }
}
