//! cpio "newc" (070701) and "crc" (070702) archives, as SWUpdate writes them.
//! Each entry: 110-byte ASCII-hex header, name padded to 4 bytes, data padded to 4.

use crate::source::Source;
use crate::{Error, Limits};

/// One archive member.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub name: String,
    /// Offset of the header in the archive.
    pub header_offset: u64,
    /// Data range in the archive.
    pub data_offset: u64,
    pub size: u64,
    /// `crc` format: declared 32-bit byte sum of the data.
    pub check: Option<u32>,
}

const HEADER: usize = 110;
const MAX_NAME: usize = 4096;

fn hex_field(h: &[u8], idx: usize) -> Option<u32> {
    let s = std::str::from_utf8(h.get(6 + idx * 8..6 + idx * 8 + 8)?).ok()?;
    u32::from_str_radix(s, 16).ok()
}

fn pad4(n: u64) -> u64 {
    n.div_ceil(4) * 4
}

/// Lists the members up to the `TRAILER!!!` entry. Reads headers and names only (each
/// bounded); entry data stays in the source.
pub(crate) fn entries(
    name: &str,
    bytes: &dyn Source,
    limits: &Limits,
) -> Result<Vec<Entry>, Error> {
    let mut out = Vec::new();
    let mut off = 0u64;
    let mut header = [0u8; HEADER];
    let mut name_buf = vec![0u8; MAX_NAME];
    loop {
        let place = |o: u64| format!("{name}: cpio byte offset {o}");
        bytes.read_at(off, &mut header).map_err(|_| {
            Error::new(
                place(off),
                "truncated cpio header (archive ends before TRAILER!!!)",
            )
        })?;
        let h = &header[..];
        let crc = match &h[..6] {
            b"070701" => false,
            b"070702" => true,
            other => {
                return Err(Error::new(
                    place(off),
                    format!(
                        "bad cpio magic {:?} (newc 070701 or crc 070702 expected)",
                        String::from_utf8_lossy(other)
                    ),
                ));
            }
        };
        let field = |i: usize, what: &str| {
            hex_field(h, i).ok_or_else(|| {
                Error::new(
                    place(off),
                    format!("cpio header field {what} is not 8 hex digits"),
                )
            })
        };
        let size = u64::from(field(6, "filesize")?);
        let namesize = field(11, "namesize")? as usize;
        let check = field(12, "check")?;
        if namesize == 0 || namesize > MAX_NAME {
            return Err(Error::new(
                place(off),
                format!("cpio name size {namesize} out of range 1..={MAX_NAME}"),
            ));
        }
        let name_start = off + HEADER as u64;
        let raw_name = &mut name_buf[..namesize];
        bytes
            .read_at(name_start, raw_name)
            .map_err(|_| Error::new(place(name_start), "truncated cpio entry name"))?;
        let raw_name = &raw_name[..];
        let raw_name = raw_name.strip_suffix(&[0]).ok_or_else(|| {
            Error::new(place(name_start), "cpio entry name is not NUL-terminated")
        })?;
        let entry_name = String::from_utf8_lossy(raw_name).into_owned();
        let data_offset = pad4(name_start + namesize as u64);
        let end = data_offset
            .checked_add(size)
            .filter(|e| *e <= bytes.len())
            .ok_or_else(|| {
                Error::new(
                    format!("{name}: cpio entry {entry_name:?} at byte offset {off}"),
                    format!("declares {size} data bytes but the archive ends first"),
                )
            })?;
        if entry_name == "TRAILER!!!" {
            return Ok(out);
        }
        if out.len() >= limits.max_entries {
            return Err(Error::new(
                place(off),
                format!("more than {} cpio entries", limits.max_entries),
            ));
        }
        out.push(Entry {
            name: entry_name,
            header_offset: off,
            data_offset,
            size,
            check: crc.then_some(check),
        });
        off = pad4(end);
    }
}

#[cfg(test)]
pub(crate) fn write_newc(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut put = |name: &str, data: &[u8], ino: u32| {
        let namesize = name.len() + 1;
        out.extend_from_slice(
            format!(
                "070701{ino:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{namesize:08x}{:08x}",
                0o100644, 0, 0, 1, 0, data.len(), 0, 0, 0, 0, 0
            )
            .as_bytes(),
        );
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        while out.len() % 4 != 0 {
            out.push(0);
        }
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    };
    for (i, (n, d)) in files.iter().enumerate() {
        put(n, d, i as u32 + 1);
    }
    put("TRAILER!!!", b"", 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_truncation() {
        let a = write_newc(&[("sw-description", b"x"), ("img", b"hello")]);
        let e = entries("t.swu", &&a[..], &Limits::default()).unwrap();
        assert_eq!(e.len(), 2);
        let d = e[1].data_offset as usize;
        assert_eq!(&a[d..d + e[1].size as usize], b"hello");
        for cut in [0, 5, 110, 120, a.len() - 4] {
            assert!(
                entries("t.swu", &&a[..cut], &Limits::default()).is_err(),
                "cut {cut}"
            );
        }
        let lim = Limits {
            max_entries: 1,
            ..Limits::default()
        };
        assert!(
            entries("t.swu", &&a[..], &lim)
                .unwrap_err()
                .message
                .contains("more than 1")
        );
    }
}
