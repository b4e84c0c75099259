//! Declared TLS / TLCP profiles (in ECU configs and on vehicle.json endpoints).

use super::choice::RevocationCheck;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TlsProfile {
    pub id: String,
    /// `client` (the vehicle connects out) or `server` (an on-board service).
    pub side: TlsSide,
    /// `tls` or `tlcp` (GB/T 38636).
    #[serde(default = "default_protocol")]
    pub protocol: TlsProtocol,
    /// Enabled protocol versions, e.g. `["TLSv1.2", "TLSv1.3"]`.
    pub versions: Vec<String>,
    /// Cipher suites by IANA name, OpenSSL name or code point (`0xC02F`).
    #[serde(default)]
    pub cipher_suites: Vec<String>,
    /// Key-exchange groups, e.g. `x25519`, `secp256r1`, `curveSM2`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Whether the peer's certificate chain is verified.
    #[serde(default)]
    pub verify_peer: Option<bool>,
    /// Whether the peer's host name is checked against its certificate (client side).
    #[serde(default)]
    pub verify_hostname: Option<bool>,
    /// Trust anchor id (vehicle.json) used to verify the peer.
    #[serde(default)]
    pub trust_anchor: Option<String>,
    /// Pinned SPKI SHA-256 hashes (hex or base64).
    #[serde(default)]
    pub pinned_keys: Vec<String>,
    /// Whether mutual TLS is used (the client presents a certificate).
    #[serde(default)]
    pub mutual_tls: Option<bool>,
    /// The certificate this side presents (build-relative path).
    #[serde(default)]
    pub certificate: Option<String>,
    /// Its private key (build-relative path), when it is a file in the build.
    #[serde(default)]
    pub private_key: Option<String>,
    /// For TLCP: the encryption certificate (dual-certificate scheme).
    #[serde(default)]
    pub encryption_certificate: Option<String>,
    /// Whether insecure (non-RFC 5746) renegotiation is allowed.
    #[serde(default)]
    pub renegotiation: Option<bool>,
    /// `none`, `crl`, `ocsp`, `ocsp_stapling`.
    #[serde(default)]
    pub revocation_check: Option<RevocationCheck>,
    /// The endpoint id this profile connects to (client side).
    #[serde(default)]
    pub endpoint: Option<String>,
}

fn default_protocol() -> TlsProtocol {
    TlsProtocol::Tls
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TlsSide {
    Client,
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TlsProtocol {
    Tls,
    Tlcp,
}
