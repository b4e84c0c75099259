//! Settings with a fixed set of values ("choice fields") are enums, so that a value
//! outside the set ("DROP" for "deny", "wpa2-wpa3") is a located load error with a
//! suggestion instead of a silently failing (or passing) finding, and the generated JSON
//! Schemas list the allowed values.

/// A choice field's value as written in JSON.
pub trait Choice: Copy {
    fn as_str(self) -> &'static str;
}

/// The JSON spelling of an optional choice (None when not stated).
pub fn chosen<T: Choice>(v: Option<T>) -> Option<&'static str> {
    v.map(Choice::as_str)
}

/// An enum of named values with its JSON spelling, `as_str`, `ALL` and `Display`.
macro_rules! choice {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize, schemars::JsonSchema,
        )]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $var),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$var => $s),+
                }
            }
        }
        impl $crate::input::choice::Choice for $name {
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choice! {
    /// Operating system of an ECU.
    OsKind {
        Linux = "linux", Android = "android", Qnx = "qnx", AutosarClassic = "autosar_classic",
        AutosarAdaptive = "autosar_adaptive", Rtos = "rtos", BareMetal = "bare_metal",
    }
}

choice! {
    /// Where the secure-boot root of trust lives.
    RootOfTrust { Otp = "otp", Hsm = "hsm", Rom = "rom", Flash = "flash" }
}

choice! {
    /// How software updates reach the ECU.
    UpdateChannel { Ota = "ota", Local = "local", Both = "both", None = "none" }
}

choice! {
    /// How the ECU recovers from a failed update.
    FailureRecovery {
        AbPartition = "ab_partition", Rollback = "rollback", RecoveryImage = "recovery_image",
        None = "none",
    }
}

choice! {
    /// Where keys are kept.
    KeyStore { Hsm = "hsm", Se = "se", Tee = "tee", Software = "software", Filesystem = "filesystem" }
}

choice! {
    /// Source of UDS security-access seeds.
    SeedSource {
        Trng = "trng", Csprng = "csprng", Prng = "prng",
        /// A counter: predictable, as weak as a constant.
        Counter = "counter",
        Constant = "constant",
    }
}

choice! {
    /// UDS authentication (0x29) method.
    UdsAuthMethod { Pki = "pki", ChallengeResponse = "challenge_response" }
}

choice! {
    /// What protects a UDS service.
    UdsProtection { None = "none", SecurityAccess = "security_access", Authentication = "authentication" }
}

choice! {
    /// Bluetooth pairing mode.
    Pairing {
        SecureConnections = "secure_connections", NumericComparison = "numeric_comparison",
        Passkey = "passkey", JustWorks = "just_works", LegacyPin = "legacy_pin",
    }
}

choice! {
    /// Wi-Fi role.
    WifiMode { Ap = "ap", Station = "station", Both = "both" }
}

choice! {
    /// Wi-Fi security.
    WifiSecurity {
        Wpa3 = "wpa3", Wpa2 = "wpa2", Wpa2Wpa3 = "wpa2_wpa3", Wpa = "wpa", Wep = "wep", Open = "open",
    }
}

choice! {
    /// Transport protocol of a listening service.
    TransportProtocol { Tcp = "tcp", Udp = "udp" }
}

choice! {
    /// How a listening service authenticates its clients.
    ServiceAuth { None = "none", Password = "password", Key = "key", Mtls = "mtls", Token = "token" }
}

choice! {
    /// What an intrusion detection system watches.
    IdsMonitor { Can = "can", Ethernet = "ethernet", Host = "host" }
}

choice! {
    /// SecOC freshness value kind.
    Freshness { Counter = "counter", Timestamp = "timestamp", None = "none" }
}

choice! {
    /// Default of a filter (gateway routing, Ethernet firewall) for unmatched traffic.
    FilterPolicy { Deny = "deny", Allow = "allow" }
}

choice! {
    /// Legal basis of a data flow.
    LegalBasis {
        Consent = "consent", SeparateConsent = "separate_consent", Contract = "contract",
        LegalObligation = "legal_obligation", VitalInterest = "vital_interest", None = "none",
    }
}

choice! {
    /// Processing applied to data before it flows.
    Processing {
        Raw = "raw", Anonymised = "anonymised", DeIdentified = "de_identified",
        Aggregated = "aggregated",
    }
}

choice! {
    /// Certificate revocation checking of a TLS profile.
    RevocationCheck { None = "none", Crl = "crl", Ocsp = "ocsp", OcspStapling = "ocsp_stapling" }
}
