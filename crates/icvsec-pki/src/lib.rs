//! Certificate and private-key knowledge of icvsec.
//!
//! * [`parse_certificates`] / [`parse_private_keys`]: PEM or DER in, owned serde summaries out;
//!   malformed input is a [`PkiError`] naming the PEM block and line or the DER byte offset.
//! * [`lint`]: one pure function per check, typed parameters with defaults, `as_of` time.
//! * [`chain`]: RFC 5280 §6 path validation of our own (ring for signatures).
//!
//! This crate depends on no other icvsec crate.

pub mod blocklist;
pub mod bundle;
mod cert;
pub mod chain;
mod der;
mod key;
pub mod lint;
mod oids;
mod pem;
pub mod purpose;
pub mod sniff;

pub use blocklist::{BlocklistHit, KeyBlocklist, MatchedBy, default_blocklist, roca_fingerprint};
pub use bundle::{
    DistrustedRoots, FileContext, FileFinding, FileUse, Placed, Role, classify, judge_file,
};
pub use cert::{
    BasicConstraintsExt, Certificate, ExtendedKeyUsageExt, ExtensionInfo, KeyUsageExt,
    PublicKeyInfo, SignatureAlgorithm, parse_certificates,
};
pub use chain::{
    ChainErrorKind, ChainFailure, ChainOptions, ChainVerdict, KeyPurpose, PathBuilder,
    hostname_matches, verify_chain, verify_chain_refs,
};
pub use key::{KeyAlgorithm, KeyFormat, PrivateKey, parse_private_keys};
pub use oids::{HashFamily, curve_name};
pub use pem::{MAX_INPUT_BYTES, MAX_PEM_BLOCKS};
pub use sniff::{might_be_crypto, prefix_might_be_crypto, sniff};

use serde::{Deserialize, Serialize};

/// Why bytes could not be read as certificates or keys. Never a panic, always a place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PkiError {
    /// Broken PEM block (framing, base64, or DER inside).
    #[error("PEM block {block} (BEGIN at line {begin_line}), line {line}: {message}")]
    Pem {
        /// 0-based index of the block in the input.
        block: u32,
        /// 1-based line of the BEGIN line.
        begin_line: u32,
        /// 1-based line where the fault was found.
        line: u32,
        message: String,
    },
    /// Broken DER at a byte offset of the input.
    #[error("DER, byte offset {offset}: {message}")]
    Der { offset: usize, message: String },
    /// Input is neither PEM nor the expected DER structure.
    #[error("unrecognised input: {message}")]
    Unrecognised { message: String },
    /// Input larger than [`MAX_INPUT_BYTES`].
    #[error("input of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
}

/// serde helper: bytes as lower-case hex strings.
pub(crate) mod hexser {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::der::hex(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() % 2 != 0 {
            return Err(serde::de::Error::custom("odd-length hex"));
        }
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(serde::de::Error::custom))
            .collect()
    }
}
