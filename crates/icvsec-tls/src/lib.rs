//! icvsec TLS configuration knowledge.
//!
//! * [`suites`]: cipher-suite table and lookup; [`versions`]: protocol versions.
//! * [`cipherstring`]: OpenSSL 3 cipher-string expansion.
//! * [`policy`]: weakness assessment of versions, suites and groups.
//! * [`nginx`], [`openssl_conf`], [`embedded`]: configuration parsers.
//! * [`checks`]: the rule-engine checks `tls.nginx`, `tls.openssl_conf`, `tls.embedded_stack`.
//!
//! This crate depends on no other icvsec crate but the TLS vocabulary (icvsec-tlsvocab);
//! all public result types are owned and serde-serializable.
#![warn(missing_docs)]

pub mod checks;
pub mod cipherstring;
pub mod embedded;
pub mod nginx;
pub mod openssl_conf;
pub mod policy;
pub mod rootfs;

/// The shared cipher-suite table and version type (icvsec-tlsvocab), under their
/// historical paths.
pub use icvsec_tlsvocab::{suites, versions};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// File path (as given or resolved inside the scanned root).
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// A value with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was set; `None` when it is a documented default.
    pub at: Option<Location>,
}

/// Configuration parse error; always names the file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ConfigError {
    /// File in which the error was found.
    pub file: PathBuf,
    /// 1-based line (0 when the file itself could not be read).
    pub line: u32,
    /// What went wrong.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(file: impl Into<PathBuf>, line: u32, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.into(),
            line,
            message: message.into(),
        }
    }
}
