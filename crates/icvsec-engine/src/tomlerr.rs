//! Errors in TOML configuration files (waivers, `icvsec.toml`): the file, the line and
//! column, and the key at fault.

use std::fmt;
use std::io::Read;
use std::path::Path;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the error is about the whole file.
    pub line: usize,
    pub column: usize,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        f.write_str(": ")?;
        if let Some(k) = &self.key {
            write!(f, "key `{k}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The key named in a serde message (`unknown field `x``, `missing field `x``).
fn key_in(message: &str) -> Option<String> {
    for marker in [
        "unknown field `",
        "missing field `",
        "duplicate key `",
        "duplicate field `",
    ] {
        if let Some(i) = message.find(marker) {
            let rest = &message[i + marker.len()..];
            if let Some(j) = rest.find('`') {
                return Some(rest[..j].to_string());
            }
        }
    }
    None
}

pub fn at_span(
    file: &str,
    text: &str,
    span: std::ops::Range<usize>,
    key: Option<&str>,
    message: String,
) -> ConfigError {
    let (line, column) = line_col(text, span.start);
    ConfigError {
        file: file.to_string(),
        line,
        column,
        key: key.map(str::to_string),
        message,
    }
}

impl ConfigError {
    pub fn whole(file: &str, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_string(),
            line: 0,
            column: 0,
            key: None,
            message: message.into(),
        }
    }

    pub fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> Self {
        let message = e.message().trim().to_string();
        let key = key_in(&message).or_else(|| {
            // The key whose value is wrong: the one the span starts on or points into.
            e.span().and_then(|sp| key_at(text, sp.start))
        });
        let (line, column) = e.span().map_or((0, 0), |sp| line_col(text, sp.start));
        ConfigError {
            file: file.to_string(),
            line,
            column,
            key,
            message,
        }
    }
}

/// The key of the `key = value` line containing a byte offset, if any.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (k, _) = line.split_once('=')?;
    let k = k.trim().trim_matches('"').trim();
    (!k.is_empty() && !k.starts_with('[') && !k.starts_with('#')).then(|| k.to_string())
}

/// Read a UTF-8 text file that a file inside the build names (`icvsec.toml`'s `waivers`,
/// `baseline`): `rel` is relative to the build root and must stay inside it. It is read
/// through the one opener (links resolved inside the build only, regular files only,
/// bounded), so a build cannot make icvsec read `/etc/…`, `../x` or `/dev/stdin`, or
/// block on a FIFO.
pub fn read_text_in_build(root: &Path, rel: &str, limit: u64) -> Result<String, ConfigError> {
    let label = rel.to_string();
    if rel.starts_with('/') {
        return Err(ConfigError::whole(
            &label,
            "a path named inside the build must be relative to the build and stay inside it",
        ));
    }
    let tree = icvsec_fs::HostTree::open(root)
        .map_err(|e| ConfigError::whole(&label, format!("cannot read: {e}")))?;
    let view = icvsec_fs::RootView::new(&tree, icvsec_fs::Scope::contained(Vec::new()), limit);
    let bytes = match view.read(rel) {
        Ok(Some(b)) => b,
        Ok(None) => return Err(ConfigError::whole(&label, "cannot read: does not exist")),
        Err(e) => return Err(ConfigError::whole(&label, format!("cannot read: {e}"))),
    };
    String::from_utf8(bytes).map_err(|e| {
        ConfigError::whole(
            &label,
            format!("not UTF-8 (byte offset {})", e.utf8_error().valid_up_to()),
        )
    })
}

/// Read a UTF-8 text file of at most `limit` bytes.
pub fn read_bounded_text(path: &Path, limit: u64) -> Result<String, ConfigError> {
    let file = path.display().to_string();
    let f = std::fs::File::open(path)
        .map_err(|e| ConfigError::whole(&file, format!("cannot read: {e}")))?;
    let mut buf = Vec::new();
    f.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ConfigError::whole(&file, format!("cannot read: {e}")))?;
    if buf.len() as u64 > limit {
        return Err(ConfigError::whole(
            &file,
            format!("larger than {limit} bytes"),
        ));
    }
    String::from_utf8(buf).map_err(|e| {
        ConfigError::whole(
            &file,
            format!("not UTF-8 (byte offset {})", e.utf8_error().valid_up_to()),
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_col_counts_chars() {
        assert_eq!(super::line_col("ab\ncé=x", 7), (2, 4));
        assert_eq!(super::line_col("", 0), (1, 1));
    }
}
