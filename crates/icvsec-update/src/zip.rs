//! Minimal zip reader: end-of-central-directory, central directory, local headers;
//! stored and deflated members with the CRC-32 checked and inflation bounded. No zip64,
//! no encryption, single disk (refused with an error).

use crate::inflate::{self, Framing};
use crate::{Error, Limits};

#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub name: String,
    pub method: u16,
    pub crc: u32,
    pub compressed: u64,
    pub size: u64,
    /// Offset of the local header.
    pub local_offset: usize,
}

/// Parsed archive layout.
#[derive(Debug, Clone)]
pub(crate) struct Archive {
    pub members: Vec<Member>,
    /// Offset of the end-of-central-directory record.
    pub eocd_offset: usize,
    pub comment_len: usize,
}

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(o..o + 2)?.try_into().ok()?))
}
fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(o..o + 4)?.try_into().ok()?))
}

/// Reads the central directory.
pub(crate) fn open(name: &str, b: &[u8], limits: &Limits) -> Result<Archive, Error> {
    let place = |o: usize| format!("{name}: zip byte offset {o}");
    if b.len() < 22 {
        return Err(Error::new(place(0), "too short for a zip archive"));
    }
    // The EOCD is the last "PK\5\6" whose comment reaches exactly the end of the file.
    let lowest = b.len().saturating_sub(22 + 0xffff);
    let mut eocd = None;
    let mut o = b.len() - 22;
    loop {
        if &b[o..o + 4] == b"PK\x05\x06"
            && u16_at(b, o + 20).is_some_and(|c| o + 22 + c as usize == b.len())
        {
            eocd = Some(o);
            break;
        }
        if o == lowest {
            break;
        }
        o -= 1;
    }
    let e = eocd.ok_or_else(|| Error::new(place(b.len()), "no end-of-central-directory record"))?;
    let field = |o: usize| u16_at(b, e + o).unwrap_or(0);
    let (disk, cd_disk, n_disk, n_total) = (field(4), field(6), field(8), field(10));
    let cd_size = u32_at(b, e + 12).unwrap_or(0) as usize;
    let cd_off = u32_at(b, e + 16).unwrap_or(0) as usize;
    let comment_len = field(20) as usize;
    if disk != 0 || cd_disk != 0 || n_disk != n_total {
        return Err(Error::new(
            place(e),
            "multi-disk zip archives are not supported",
        ));
    }
    if n_total == 0xffff || cd_off == 0xffff_ffff || cd_size == 0xffff_ffff {
        return Err(Error::new(place(e), "zip64 archives are not supported"));
    }
    if n_total as usize > limits.max_entries {
        return Err(Error::new(
            place(e),
            format!(
                "{n_total} members exceed the limit of {}",
                limits.max_entries
            ),
        ));
    }
    if cd_off.checked_add(cd_size).is_none_or(|end| end > e) {
        return Err(Error::new(
            place(e),
            format!("central directory {cd_off}+{cd_size} lies outside the archive"),
        ));
    }
    let mut members = Vec::with_capacity(n_total as usize);
    let mut p = cd_off;
    for _ in 0..n_total {
        if b.get(p..p + 4) != Some(b"PK\x01\x02") || p + 46 > e {
            return Err(Error::new(
                place(p),
                "bad central directory entry signature",
            ));
        }
        let flags = u16_at(b, p + 8).unwrap_or(0);
        let method = u16_at(b, p + 10).unwrap_or(0);
        let crc = u32_at(b, p + 16).unwrap_or(0);
        let compressed = u32_at(b, p + 20).unwrap_or(0) as u64;
        let size = u32_at(b, p + 24).unwrap_or(0) as u64;
        let (nl, xl, cl) = (
            u16_at(b, p + 28).unwrap_or(0) as usize,
            u16_at(b, p + 30).unwrap_or(0) as usize,
            u16_at(b, p + 32).unwrap_or(0) as usize,
        );
        let local = u32_at(b, p + 42).unwrap_or(0) as usize;
        let n = b.get(p + 46..p + 46 + nl).ok_or_else(|| {
            Error::new(
                place(p),
                "central directory entry name runs past the directory",
            )
        })?;
        let mname = String::from_utf8_lossy(n).into_owned();
        if flags & 1 != 0 {
            return Err(Error::new(
                format!("{name}: zip member {mname:?}"),
                "encrypted members are not supported",
            ));
        }
        members.push(Member {
            name: mname,
            method,
            crc,
            compressed,
            size,
            local_offset: local,
        });
        p += 46 + nl + xl + cl;
    }
    Ok(Archive {
        members,
        eocd_offset: e,
        comment_len,
    })
}

impl Archive {
    pub(crate) fn find(&self, n: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == n)
    }
}

/// Where a member's data lies: (offset, compressed length).
pub(crate) fn data_range(name: &str, b: &[u8], m: &Member) -> Result<(usize, usize), Error> {
    let place = format!(
        "{name}: zip member {:?} (local header at byte offset {})",
        m.name, m.local_offset
    );
    let o = m.local_offset;
    if b.get(o..o + 4) != Some(b"PK\x03\x04") {
        return Err(Error::new(place, "bad local header signature"));
    }
    let nl = u16_at(b, o + 26).unwrap_or(0) as usize;
    let xl = u16_at(b, o + 28).unwrap_or(0) as usize;
    let start = o + 30 + nl + xl;
    let end = start
        .checked_add(m.compressed as usize)
        .filter(|e| *e <= b.len())
        .ok_or_else(|| {
            Error::new(
                place.clone(),
                "member data runs past the end of the archive",
            )
        })?;
    Ok((start, end - start))
}

/// A member's uncompressed bytes, CRC-checked, bounded by `max`.
pub(crate) fn read(
    name: &str,
    b: &[u8],
    m: &Member,
    max: usize,
    limits: &Limits,
) -> Result<Vec<u8>, Error> {
    let place = format!("{name}: zip member {:?}", m.name);
    if m.size > max as u64 {
        return Err(Error::new(
            place,
            format!("{} bytes exceed the {max}-byte limit", m.size),
        ));
    }
    let (start, len) = data_range(name, b, m)?;
    let raw = &b[start..start + len];
    let data = match m.method {
        0 => {
            if m.compressed != m.size {
                return Err(Error::new(place, "stored member with differing sizes"));
            }
            raw.to_vec()
        }
        8 => inflate::inflate(raw, Framing::Deflate, Some(m.size), limits)
            .map_err(|e| Error::new(place.clone(), e))?,
        other => {
            return Err(Error::new(
                place,
                format!("compression method {other} not supported"),
            ));
        }
    };
    if data.len() as u64 != m.size {
        return Err(Error::new(
            place,
            format!("{} bytes after inflation, {} declared", data.len(), m.size),
        ));
    }
    let mut crc = flate2::Crc::new();
    crc.update(&data);
    if crc.sum() != m.crc {
        return Err(Error::new(
            place,
            format!(
                "CRC-32 {:08x} differs from the declared {:08x}",
                crc.sum(),
                m.crc
            ),
        ));
    }
    Ok(data)
}

/// Writes a small zip (stored members, optional comment), for tests and fixtures.
#[cfg(test)]
pub(crate) fn write_stored(files: &[(&str, &[u8])], comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for (n, d) in files {
        let mut crc = flate2::Crc::new();
        crc.update(d);
        let off = out.len() as u32;
        let common = |v: &mut Vec<u8>| {
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&0u16.to_le_bytes()); // method
            v.extend_from_slice(&[0, 0, 0x21, 0]); // time, date
            v.extend_from_slice(&crc.sum().to_le_bytes());
            v.extend_from_slice(&(d.len() as u32).to_le_bytes());
            v.extend_from_slice(&(d.len() as u32).to_le_bytes());
            v.extend_from_slice(&(n.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04\x14\x00");
        common(&mut out);
        out.extend_from_slice(n.as_bytes());
        out.extend_from_slice(d);
        cd.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00");
        common(&mut cd);
        cd.extend_from_slice(&[0u8; 14]); // comment len, disk, attrs, offset
        let l = cd.len();
        cd[l - 4..].copy_from_slice(&off.to_le_bytes());
        cd.extend_from_slice(n.as_bytes());
    }
    let cd_off = out.len() as u32;
    out.extend_from_slice(&cd);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_off.to_le_bytes());
    out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    out.extend_from_slice(comment);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_writer_and_survives_truncation() {
        let z = write_stored(&[("a.txt", b"hello"), ("b", b"")], b"cmt");
        let a = open("t.zip", &z, &Limits::default()).unwrap();
        assert_eq!(a.members.len(), 2);
        let m = a.find("a.txt").unwrap();
        assert_eq!(
            read("t.zip", &z, m, 100, &Limits::default()).unwrap(),
            b"hello"
        );
        for cut in 0..z.len() {
            if let Ok(a) = open("t.zip", &z[..cut], &Limits::default()) {
                for m in &a.members {
                    let _ = read("t.zip", &z[..cut], m, 100, &Limits::default());
                }
            }
        }
    }
}
