//! `etc/os-release` / `usr/lib/os-release`: the distribution and its release, which
//! decides which per-release advisories apply ("Debian:11", "Alpine:v3.18").

use super::lines;
use crate::error::{Limits, VulnError};

/// ID and VERSION_ID, unquoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsRelease {
    pub id: Option<String>,
    pub version_id: Option<String>,
}

pub fn parse_os_release(file: &str, bytes: &[u8], limits: &Limits) -> Result<OsRelease, VulnError> {
    limits.check_size(file, bytes.len())?;
    let mut out = OsRelease {
        id: None,
        version_id: None,
    };
    for (n, line) in lines(bytes) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some((k, v)) = t.split_once('=') else {
            return Err(VulnError::new(
                file,
                format_args!("line {n}:1"),
                "expected KEY=value",
            ));
        };
        let v = v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
        match k.trim() {
            "ID" => out.id = Some(v),
            "VERSION_ID" => out.version_id = Some(v),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids() {
        let r = parse_os_release(
            "etc/os-release",
            b"NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nID=debian\n",
            &Limits::default(),
        )
        .expect("ok");
        assert_eq!(r.id.as_deref(), Some("debian"));
        assert_eq!(r.version_id.as_deref(), Some("11"));
        assert_eq!(
            parse_os_release("f", b"garbage\n", &Limits::default())
                .unwrap_err()
                .place,
            "line 1:1"
        );
    }
}
