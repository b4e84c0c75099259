//! The saved probe format (`icvsec probe tls HOST:PORT --save FILE`, `*.probe.json`):
//! written by icvsec-probe, read by icvsec-inputs as an input kind. Versions are the one
//! TLS version type (icvsec-tlsvocab), written with their report spelling
//! ([`Version::label`]: `TLSv1.0`, `TLCPv1.1`) and read from any spelling it parses.

use icvsec_tlsvocab::versions::Version;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Version of the `ProbeResult` JSON layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Protocol versions a probe asks about, oldest to newest; TLCP (GB/T 38636) last.
pub const PROBED_VERSIONS: [Version; 6] = [
    Version::Ssl3,
    Version::Tls10,
    Version::Tls11,
    Version::Tls12,
    Version::Tls13,
    Version::Tlcp,
];

fn parse_version<E: serde::de::Error>(s: &str) -> Result<Version, E> {
    Version::parse(s).ok_or_else(|| E::custom(format!("unknown protocol version {s:?}")))
}

/// A version as its label.
mod label {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Version, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.label())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Version, D::Error> {
        parse_version(&String::deserialize(d)?)
    }
}

/// An optional version as its label.
mod label_opt {
    use super::*;
    pub fn serialize<S: Serializer>(v: &Option<Version>, s: S) -> Result<S::Ok, S::Error> {
        v.map(Version::label).serialize(s)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Version>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| parse_version(&s))
            .transpose()
    }
}

/// A list of versions as labels.
mod label_vec {
    use super::*;
    pub fn serialize<S: Serializer>(v: &[Version], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| x.label()))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Version>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| parse_version(s))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProtocolStatus {
    /// A ServerHello for exactly this version was received.
    Accepted,
    /// The server refused (alert, a ServerHello for another version, or a silent close
    /// while it accepted other versions).
    Rejected,
    /// Could not be determined (see `errors`).
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AlertInfo {
    pub level: u8,
    pub description: u8,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CipherSuiteInfo {
    pub code: u16,
    /// IANA name (or the usual name of a legacy / TLCP code point) when known.
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupInfo {
    pub code: u16,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolResult {
    #[serde(with = "label")]
    pub version: Version,
    pub status: ProtocolStatus,
    /// Why not accepted / not determined.
    pub reason: Option<String>,
    /// The alert that refused the version, if any.
    pub alert: Option<AlertInfo>,
    /// Accepted suites, sorted by code point.
    pub cipher_suites: Vec<CipherSuiteInfo>,
    /// Some(true) when the server picks by its own order; None with fewer than two suites.
    pub server_enforces_order: Option<bool>,
    /// Server preference order (code points), only when the server enforces its order.
    pub server_preference: Vec<u16>,
    /// Whether a CertificateRequest was seen in this version's handshake (None: not seen
    /// far enough; for TLS 1.3 it comes from the rustls observation).
    pub client_certificate_requested: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupsResult {
    /// TLS 1.3 groups the server selected (via key_share or HelloRetryRequest), sorted.
    pub tls13: Vec<GroupInfo>,
    /// Group the server chose for a typical TLS 1.3 hello (key shares x25519 + secp256r1).
    pub tls13_negotiated: Option<GroupInfo>,
    /// ECDHE curves the server used in ServerKeyExchange (TLS <= 1.2), sorted.
    pub ecdhe: Vec<GroupInfo>,
    /// Version used to enumerate `ecdhe`.
    #[serde(with = "label_opt")]
    pub ecdhe_version: Option<Version>,
    /// Curve chosen when offered every curve (our order: x25519, secp256r1, ...).
    pub ecdhe_negotiated: Option<GroupInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAuthResult {
    /// Some(true) if any handshake carried a CertificateRequest, Some(false) if handshakes
    /// were observed far enough and none did, None if never observed.
    pub requested: Option<bool>,
    /// Versions whose handshake was observed far enough to tell.
    #[serde(with = "label_vec")]
    pub checked_in: Vec<Version>,
    /// Versions whose handshake carried a CertificateRequest.
    #[serde(with = "label_vec")]
    pub requested_in: Vec<Version>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeErrorKind {
    /// Target not in HOST:PORT form.
    Target,
    /// Name resolution failed or timed out.
    Resolve,
    /// TCP connect failed (refused, unreachable).
    Connect,
    /// Connect or read timeout on one connection.
    Timeout,
    /// The overall deadline cut the probe short.
    Deadline,
    /// Closed without any TLS answer.
    Closed,
    /// Bytes that are not TLS, or absurd lengths.
    Garbage,
    /// Well-formed TLS that does not follow the protocol (e.g. a suite that was not offered).
    Protocol,
    /// Other socket error.
    Io,
    /// The rustls TLS 1.3 observation failed before the certificate was seen.
    Tls13Observation,
    /// Not attempted because the server never answered earlier probes.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProbeError {
    /// What was being probed, e.g. "TLSv1.2 suites", "TLS 1.3 groups".
    pub stage: String,
    pub kind: ProbeErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeResult {
    pub schema_version: u32,
    /// As given (HOST:PORT).
    pub target: String,
    /// SNI sent (the explicit option, else the host name; None for an IP literal).
    pub sni: Option<String>,
    /// Address probed (first resolved address), "ip:port".
    pub resolved_address: Option<String>,
    /// True only when every question was answered and no error occurred.
    pub complete: bool,
    /// One entry per probed version, oldest first.
    pub protocols: Vec<ProtocolResult>,
    pub groups: GroupsResult,
    /// Certificate chain as presented, PEM, in the server's order (leaf first).
    pub certificate_chain: Vec<String>,
    /// Where the chain came from, e.g. "TLSv1.2 handshake" or "TLSv1.3 handshake (rustls)".
    pub certificate_chain_source: Option<String>,
    pub client_auth: ClientAuthResult,
    /// Informational remarks (not errors), sorted.
    pub notes: Vec<String>,
    /// Everything that went wrong, sorted.
    pub errors: Vec<ProbeError>,
}

impl ProbeResult {
    pub fn to_json(&self) -> String {
        // Serializing plain owned data into a String cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn from_json(s: &str) -> Result<ProbeResult, serde_json::Error> {
        let r: ProbeResult = serde_json::from_str(s)?;
        if r.schema_version != SCHEMA_VERSION {
            return Err(<serde_json::Error as serde::de::Error>::custom(format!(
                "unsupported probe schema_version {} (expected {SCHEMA_VERSION})",
                r.schema_version
            )));
        }
        Ok(r)
    }

    pub fn protocol(&self, v: Version) -> Option<&ProtocolResult> {
        self.protocols.iter().find(|p| p.version == v)
    }

    /// Versions whose status is Accepted.
    pub fn accepted_versions(&self) -> Vec<Version> {
        self.protocols
            .iter()
            .filter(|p| p.status == ProtocolStatus::Accepted)
            .map(|p| p.version)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_keep_their_saved_spelling() {
        let ca = ClientAuthResult {
            requested: Some(true),
            checked_in: vec![Version::Tls10, Version::Tlcp],
            requested_in: vec![Version::Tlcp],
        };
        let j = serde_json::to_string(&ca).unwrap();
        assert_eq!(
            j,
            r#"{"requested":true,"checked_in":["TLSv1.0","TLCPv1.1"],"requested_in":["TLCPv1.1"]}"#
        );
        assert_eq!(serde_json::from_str::<ClientAuthResult>(&j).unwrap(), ca);
        let g: GroupsResult = serde_json::from_str(
            r#"{"tls13":[],"tls13_negotiated":null,"ecdhe":[],"ecdhe_version":"TLSv1.2","ecdhe_negotiated":null}"#,
        )
        .unwrap();
        assert_eq!(g.ecdhe_version, Some(Version::Tls12));
        let bad = r#"{"requested":null,"checked_in":["TLSv9"],"requested_in":[]}"#;
        let e = serde_json::from_str::<ClientAuthResult>(bad).unwrap_err();
        assert!(e.to_string().contains("TLSv9"), "{e}");
    }
}
