//! The kinds of assets a vehicle build is made of. Rules apply to one kind.

use crate::SharedStr;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! asset_kinds {
    ($($variant:ident => $slug:literal, $doc:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum AssetKind { $(#[doc = $doc] $variant,)* }

        impl AssetKind {
            pub const ALL: &'static [AssetKind] = &[$(AssetKind::$variant,)*];
            pub fn slug(self) -> &'static str { match self { $(AssetKind::$variant => $slug,)* } }
            pub fn describe(self) -> &'static str { match self { $(AssetKind::$variant => $doc,)* } }
        }
    };
}

asset_kinds! {
    Vehicle => "vehicle", "the vehicle as a whole (its vehicle.json and network graph)";
    Ecu => "ecu", "an ECU and its declared security configuration";
    Network => "network", "an in-vehicle network (CAN, CAN-FD, Ethernet, ...)";
    Endpoint => "endpoint", "an external endpoint the vehicle talks to";
    TlsProfile => "tls_profile", "a declared TLS or TLCP profile (ECU or endpoint)";
    TrustAnchor => "trust_anchor", "a declared trust anchor";
    Certificate => "certificate", "an X.509 certificate file found in the build";
    PrivateKey => "private_key", "a private key file found in the build";
    PublicKey => "public_key", "a public key found in the build (SubjectPublicKeyInfo or PKCS#1 RSAPublicKey, PEM or DER)";
    DataItem => "data_item", "a data item in a data-flow manifest";
    DataFlow => "data_flow", "a data flow in a data-flow manifest";
    DataStore => "data_store", "a data store in a data-flow manifest";
    SshdConfig => "sshd_config", "an OpenSSH server configuration";
    Passwd => "passwd", "an /etc/passwd file";
    Shadow => "shadow", "an /etc/shadow file";
    KernelConfig => "kernel_config", "a Linux kernel configuration (.config or config.gz)";
    AndroidProps => "android_props", "Android system properties (build.prop, default.prop)";
    Sysctl => "sysctl", "kernel parameters (sysctl.conf, sysctl.d)";
    Firewall => "firewall", "a firewall ruleset (iptables-save, nftables)";
    UciConfig => "uci_config", "an OpenWrt UCI configuration file (/etc/config/*)";
    Inittab => "inittab", "an init table (/etc/inittab)";
    NginxConfig => "nginx_config", "an nginx server configuration";
    OpensslConfig => "openssl_config", "an OpenSSL configuration (openssl.cnf)";
    TlsStackConfig => "tls_stack_config", "an embedded TLS stack build configuration (mbedTLS, wolfSSL)";
    ProbeResult => "probe_result", "a saved live TLS probe of an endpoint";
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for AssetKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AssetKind::ALL
            .iter()
            .copied()
            .find(|k| k.slug() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = AssetKind::ALL.iter().map(|k| k.slug()).collect();
                format!(
                    "unknown asset kind `{s}` (expected one of: {})",
                    all.join(", ")
                )
            })
    }
}

/// A reference to one asset in the inventory.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct AssetRef {
    pub kind: AssetKind,
    /// Shared by every outcome about the asset.
    pub id: SharedStr,
}

impl AssetRef {
    pub fn new(kind: AssetKind, id: impl Into<SharedStr>) -> Self {
        AssetRef {
            kind,
            id: id.into(),
        }
    }
}

impl fmt::Display for AssetRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The vehicle is one asset; "vehicle vehicle" says nothing more than "vehicle".
        if self.kind == AssetKind::Vehicle && self.id == "vehicle" {
            return f.write_str("vehicle");
        }
        write!(f, "{} {}", self.kind, self.id)
    }
}
