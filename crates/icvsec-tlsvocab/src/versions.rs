//! Protocol versions (SSL 2.0 … TLS 1.3 and TLCP) and parsing of their common spellings.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// A TLS-family protocol version.
///
/// Ordering (`<`) follows the TLS lineage (SSLv2 < SSLv3 < TLS 1.0 < … < TLS 1.3); TLCP
/// (GB/T 38636, wire version 0x0101) is a separate protocol and sorts last, so callers
/// must not use `<` to compare TLCP with TLS versions (see [`Version::tls_rank`]).
///
/// Serialized as "SSLv2", "SSLv3", "TLSv1.0" … "TLSv1.3", "TLCP"; deserialized from any
/// spelling [`Version::parse`] accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Version {
    /// SSL 2.0 (wire 0x0002).
    #[serde(rename = "SSLv2")]
    Ssl2,
    /// SSL 3.0 (wire 0x0300).
    #[serde(rename = "SSLv3")]
    Ssl3,
    /// TLS 1.0 (wire 0x0301).
    #[serde(rename = "TLSv1.0")]
    Tls10,
    /// TLS 1.1 (wire 0x0302).
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// TLS 1.2 (wire 0x0303).
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3 (wire 0x0304).
    #[serde(rename = "TLSv1.3")]
    Tls13,
    /// TLCP, GB/T 38636-2020 (ex GM/T 0024), wire 0x0101.
    #[serde(rename = "TLCP")]
    Tlcp,
}

impl Version {
    /// All versions, oldest first (TLCP last).
    pub const ALL: [Version; 7] = [
        Version::Ssl2,
        Version::Ssl3,
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
        Version::Tlcp,
    ];

    /// The protocol version as sent on the wire.
    pub fn wire(self) -> u16 {
        match self {
            Version::Ssl2 => 0x0002,
            Version::Ssl3 => 0x0300,
            Version::Tls10 => 0x0301,
            Version::Tls11 => 0x0302,
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
            Version::Tlcp => 0x0101,
        }
    }

    /// Position in the SSL/TLS lineage (0 = SSLv2 … 5 = TLS 1.3); `None` for TLCP.
    pub fn tls_rank(self) -> Option<u8> {
        match self {
            Version::Ssl2 => Some(0),
            Version::Ssl3 => Some(1),
            Version::Tls10 => Some(2),
            Version::Tls11 => Some(3),
            Version::Tls12 => Some(4),
            Version::Tls13 => Some(5),
            Version::Tlcp => None,
        }
    }

    /// Canonical name as OpenSSL/nginx write it ("TLSv1.2", "SSLv3", "TLCP").
    pub fn name(self) -> &'static str {
        match self {
            Version::Ssl2 => "SSLv2",
            Version::Ssl3 => "SSLv3",
            Version::Tls10 => "TLSv1",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
            Version::Tlcp => "TLCP",
        }
    }

    /// The version with this wire code, among `versions` (e.g. the ones a prober offers).
    pub fn from_wire_in(v: u16, versions: &[Version]) -> Option<Version> {
        versions.iter().copied().find(|x| x.wire() == v)
    }

    /// Spelling of reports and saved probes: "SSLv3", "TLSv1.0" … "TLSv1.3", and
    /// "TLCPv1.1" (GB/T 38636 names its only version 1.1).
    pub fn label(self) -> &'static str {
        match self {
            Version::Ssl2 => "SSLv2",
            Version::Ssl3 => "SSLv3",
            Version::Tls10 => "TLSv1.0",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
            Version::Tlcp => "TLCPv1.1",
        }
    }

    /// Parse a common spelling: "TLSv1.2", "TLS1.2", "tls1_2", "TLS 1.2", "1.2", "TLSv1",
    /// "TLSv1.0", "SSLv3", "ssl3", "SSL3.0", "TLCP", "GMTLS", "NTLS", "GMSSL", "0x0303",
    /// "0x0101". Case-insensitive. Returns `None` for anything else.
    pub fn parse(s: &str) -> Option<Version> {
        let t: String = s
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(hex) = t.strip_prefix("0x") {
            let v = u16::from_str_radix(hex, 16).ok()?;
            return Version::ALL.into_iter().find(|x| x.wire() == v);
        }
        match t.as_str() {
            "tlcp" | "gmtls" | "ntls" | "gmssl" | "gmtlsv1.1" | "tlcpv1.1" | "tlcp1.1"
            | "ntlsv1.1" | "ntls1.1" => {
                return Some(Version::Tlcp);
            }
            _ => {}
        }
        let (family, rest) = if let Some(r) = t.strip_prefix("ssl") {
            ("ssl", r)
        } else if let Some(r) = t.strip_prefix("tls") {
            ("tls", r)
        } else {
            ("tls", t.as_str())
        };
        let rest = rest.strip_prefix('v').unwrap_or(rest);
        let rest = rest.replace('_', ".");
        let num = rest.strip_suffix(".0").unwrap_or(&rest);
        match (family, num) {
            ("ssl", "2") => Some(Version::Ssl2),
            ("ssl", "3") => Some(Version::Ssl3),
            ("tls", "1") => Some(Version::Tls10),
            ("tls", "1.1") => Some(Version::Tls11),
            ("tls", "1.2") => Some(Version::Tls12),
            ("tls", "1.3") => Some(Version::Tls13),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Version::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown protocol version {s:?}")))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for (s, v) in [
            ("TLSv1.2", Version::Tls12),
            ("TLS1.2", Version::Tls12),
            ("tls1_2", Version::Tls12),
            ("1.2", Version::Tls12),
            ("TLS 1.3", Version::Tls13),
            ("TLSv1", Version::Tls10),
            ("TLSv1.0", Version::Tls10),
            ("tls1", Version::Tls10),
            ("1.0", Version::Tls10),
            ("TLSv1.1", Version::Tls11),
            ("tls1_1", Version::Tls11),
            ("SSLv3", Version::Ssl3),
            ("ssl3", Version::Ssl3),
            ("SSLv2", Version::Ssl2),
            ("TLCP", Version::Tlcp),
            ("NTLS", Version::Tlcp),
            ("NTLSv1.1", Version::Tlcp),
            ("0x0101", Version::Tlcp),
            ("0x0303", Version::Tls12),
        ] {
            assert_eq!(Version::parse(s), Some(v), "{s}");
        }
        for s in ["", "TLSv1.4", "SSLv4", "foo", "1.5"] {
            assert_eq!(Version::parse(s), None, "{s}");
        }
        assert!(Version::Tls10 < Version::Tls12);
        assert_eq!(Version::Tlcp.tls_rank(), None);
        assert_eq!(Version::Tls13.wire(), 0x0304);
        for v in Version::ALL {
            assert_eq!(Version::parse(v.label()), Some(v), "{v:?}");
        }
        assert_eq!(
            Version::from_wire_in(0x0101, &Version::ALL),
            Some(Version::Tlcp)
        );
        assert_eq!(Version::from_wire_in(0x0002, &[Version::Tls12]), None);
        let v: Version = serde_json::from_str("\"TLSv1\"").unwrap();
        assert_eq!(v, Version::Tls10);
        assert_eq!(
            serde_json::to_string(&Version::Tls12).unwrap(),
            "\"TLSv1.2\""
        );
        assert!(serde_json::from_str::<Version>("\"TLSv9\"").is_err());
    }
}
