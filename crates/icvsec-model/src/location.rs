//! Where a finding is. Checks give a file and, for structured files, a symbolic key
//! path; the engine resolves key paths to line and column at the end.

use crate::SharedStr;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub struct Location {
    /// Path relative to the scanned root, with `/` separators. Shared: a file's many
    /// outcomes hold one copy of its path.
    pub file: SharedStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// Key path inside a structured file, e.g. `ecus[2].debug.jtag`. Shared text (two
    /// words, not three): a location is part of every finding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_path: Option<SharedStr>,
}

impl Location {
    pub fn file(file: impl Into<SharedStr>) -> Self {
        Location {
            file: file.into(),
            ..Default::default()
        }
    }

    pub fn at_line(file: impl Into<SharedStr>, line: u32) -> Self {
        Location {
            file: file.into(),
            line: Some(line),
            ..Default::default()
        }
    }

    pub fn at_key(file: impl Into<SharedStr>, key_path: impl Into<String>) -> Self {
        let key_path = key_path.into();
        Location {
            file: file.into(),
            key_path: (!key_path.is_empty()).then(|| key_path.into()),
            ..Default::default()
        }
    }

    pub fn with_line(mut self, line: u32, column: Option<u32>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(k) = &self.key_path {
            write!(f, " ({k})")?;
        }
        Ok(())
    }
}

/// Join a key path prefix and a suffix (`a.b` + `c` = `a.b.c`; `a` + `[2]` = `a[2]`).
pub fn join_key(prefix: &str, suffix: &str) -> String {
    match (prefix.is_empty(), suffix.is_empty()) {
        (true, _) => suffix.to_string(),
        (_, true) => prefix.to_string(),
        _ if suffix.starts_with('[') => format!("{prefix}{suffix}"),
        _ => format!("{prefix}.{suffix}"),
    }
}
