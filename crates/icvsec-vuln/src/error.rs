//! One error type for every parser: the file, the place in it and what is wrong.

use std::fmt;

/// A parse or bound error. `place` is a line:col, a byte offset, a zip entry name or a
/// JSON pointer, whichever the input kind has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {place}: {message}")]
pub struct VulnError {
    pub file: String,
    pub place: String,
    pub message: String,
}

impl VulnError {
    pub fn new(file: &str, place: impl fmt::Display, message: impl Into<String>) -> Self {
        VulnError {
            file: file.to_string(),
            place: place.to_string(),
            message: message.into(),
        }
    }

    /// A serde_json error carries line:col; keep it as the place.
    pub fn json(file: &str, e: &serde_json::Error) -> Self {
        VulnError::new(
            file,
            format_args!("line {}:{}", e.line(), e.column()),
            format!("invalid JSON: {e}"),
        )
    }

    pub fn too_large(file: &str, what: &str, limit: u64) -> Self {
        VulnError::new(
            file,
            "whole file",
            format!("{what} exceeds the bound of {limit}"),
        )
    }
}

/// Bounds on hostile input. Reaching one is an error, never a silent truncation
/// (except binary scanning, which reports how much it scanned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest text/JSON file read (package databases, SBOMs, VEX, one feed file).
    pub max_file_bytes: u64,
    /// Most records in one package database / SBOM / VEX document.
    pub max_entries: usize,
    /// Most advisories in a feed (all files together).
    pub max_feed_records: usize,
    /// Most entries in a feed zip, and the most bytes unpacked from it in total.
    pub max_zip_entries: usize,
    pub max_zip_total_bytes: u64,
    /// Deepest nesting of SBOM components followed, deepest directory walked.
    pub max_depth: usize,
    /// Bytes of a binary scanned for version signatures.
    pub max_scan_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_entries: 500_000,
            max_feed_records: 2_000_000,
            max_zip_entries: 1_000_000,
            max_zip_total_bytes: 8 << 30,
            max_depth: 32,
            max_scan_bytes: 256 << 20,
        }
    }
}

impl Limits {
    pub(crate) fn check_size(&self, file: &str, len: usize) -> Result<(), VulnError> {
        if len as u64 > self.max_file_bytes {
            return Err(VulnError::too_large(
                file,
                "file size in bytes",
                self.max_file_bytes,
            ));
        }
        Ok(())
    }
}
