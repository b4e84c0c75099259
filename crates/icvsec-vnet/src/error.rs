//! Places, errors and input bounds shared by the ARXML and DBC readers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a fact or an error comes from: the file label given by the caller, the 1-based
/// line and column (column counted in characters), and for ARXML the SHORT-NAME path of
/// the element (`/Pkg/Sub/Element`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub col: usize,
    /// SHORT-NAME path of the nearest identifiable element (ARXML), or the message /
    /// signal name (DBC); `None` when the place has no name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)?;
        if let Some(p) = &self.path {
            write!(f, " ({p})")?;
        }
        Ok(())
    }
}

/// What went wrong, so callers can tell a malformed file from a dangling reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Not well-formed XML, DBC syntax error, invalid UTF-8.
    Syntax,
    /// A bound of [`Limits`] was reached (size, depth, element count, ...).
    Limit,
    /// DTD, external entity, undefined entity: refused by design.
    Refused,
    /// A `*-REF` whose target SHORT-NAME path exists in none of the files read.
    DanglingReference,
    /// A value that should be a number, boolean, ... and is not.
    BadValue,
}

/// An error naming the file and the place in it. `line`/`col` are 1-based; they are
/// `None` only for whole-file problems (file too large, empty).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, thiserror::Error,
)]
pub struct VnetError {
    pub file: String,
    pub line: Option<usize>,
    pub col: Option<usize>,
    /// SHORT-NAME path (ARXML) or message name (DBC) when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for VnetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.col {
                write!(f, ":{c}")?;
            }
        }
        if let Some(p) = &self.path {
            write!(f, " ({p})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl VnetError {
    pub fn whole_file(file: &str, kind: ErrorKind, message: impl Into<String>) -> Self {
        VnetError {
            file: file.to_string(),
            line: None,
            col: None,
            path: None,
            kind,
            message: message.into(),
        }
    }

    pub fn at(place: &Place, kind: ErrorKind, message: impl Into<String>) -> Self {
        VnetError {
            file: place.file.clone(),
            line: Some(place.line),
            col: Some(place.col),
            path: place.path.clone(),
            kind,
            message: message.into(),
        }
    }

    pub fn at_line_col(
        file: &str,
        line: usize,
        col: usize,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        VnetError {
            file: file.to_string(),
            line: Some(line),
            col: Some(col),
            path: None,
            kind,
            message: message.into(),
        }
    }
}

/// Input bounds. Every one reached is an error, never a silent truncation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Bytes of one ARXML file.
    pub max_arxml_bytes: usize,
    /// Element nesting depth of an ARXML file.
    pub max_depth: usize,
    /// Elements of one ARXML file.
    pub max_elements: usize,
    /// Bytes of the text of one element.
    pub max_text_bytes: usize,
    /// Bytes of one DBC file.
    pub max_dbc_bytes: usize,
    /// Messages (BO_) of one DBC file.
    pub max_dbc_messages: usize,
    /// Signals (SG_) of one DBC file.
    pub max_dbc_signals: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_arxml_bytes: 256 * 1024 * 1024,
            max_depth: 256,
            max_elements: 8_000_000,
            max_text_bytes: 1024 * 1024,
            max_dbc_bytes: 32 * 1024 * 1024,
            max_dbc_messages: 65_536,
            max_dbc_signals: 1_000_000,
        }
    }
}

/// Byte offset → 1-based line and character column, built once per file.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// (line, col) of a byte offset; offsets past the end map to the last position.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line_idx = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line_idx).copied().unwrap_or(0);
        // Count characters, not bytes; back off to a char boundary first.
        let mut end = offset;
        while end > start && !text.is_char_boundary(end) {
            end -= 1;
        }
        let col = text.get(start..end).map(|s| s.chars().count()).unwrap_or(0) + 1;
        (line_idx + 1, col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let t = "ab\nçé<x\n\nz";
        let ix = LineIndex::new(t);
        assert_eq!(ix.line_col(t, 0), (1, 1));
        assert_eq!(ix.line_col(t, 3), (2, 1));
        // '<' is at byte 7 (ç and é are two bytes each): column 3.
        assert_eq!(ix.line_col(t, 7), (2, 3));
        // Inside a multi-byte character: the character's own column.
        assert_eq!(ix.line_col(t, 4), (2, 1));
        assert_eq!(ix.line_col(t, 10), (3, 1));
        assert_eq!(ix.line_col(t, 1000), (4, 2));
    }

    #[test]
    fn display_names_file_line_col_and_path() {
        let p = Place {
            file: "a.arxml".into(),
            line: 3,
            col: 7,
            path: Some("/P/X".into()),
        };
        let e = VnetError::at(&p, ErrorKind::DanglingReference, "gone");
        assert_eq!(e.to_string(), "a.arxml:3:7 (/P/X): gone");
        let e = VnetError::whole_file("a.dbc", ErrorKind::Limit, "too big");
        assert_eq!(e.to_string(), "a.dbc: too big");
    }
}
