//! Inventory sources: each parser takes the file path (for provenance and errors) and the
//! bytes, and returns components with their source.

pub mod android;
pub mod apk;
pub mod binary;
pub mod dpkg;
pub mod kernel;
pub mod os_release;

use crate::component::{Place, SourceRef};

pub(crate) fn src(file: &str, place: Place, method: &str) -> SourceRef {
    SourceRef {
        file: file.to_string(),
        place,
        method: method.to_string(),
    }
}

/// Lines with 1-based numbers, `\r\n` tolerated, invalid UTF-8 replaced.
pub(crate) fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, String)> + '_ {
    bytes.split(|&b| b == b'\n').enumerate().map(|(i, l)| {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        (i + 1, String::from_utf8_lossy(l).into_owned())
    })
}
