//! cpio archives: newc (`070701`), newc with checksums (`070702`) and the portable ASCII
//! format (`070707`), as Linux initramfs and Android ramdisks use. Several archives may
//! follow one another (early microcode + rootfs), separated by NUL padding, as the kernel
//! unpacks them. Hard links (newc stores the data with the last link) are resolved by
//! inode number within the archive.

use crate::error::{ImageError, Problem};
use crate::index::Indexer;
use crate::limits::ImageLimits;
use icvsec_fs::mem::Node;
use icvsec_fs::name::encode_name;
use icvsec_fs::{EntryType, MemTree};
use std::collections::BTreeMap;

const S_IFMT: u32 = 0o170000;

/// The names of one hard-linked inode, and the data stored with one of them.
type LinkGroup = (Vec<Vec<u8>>, Option<Vec<u8>>);

struct Header {
    ino: u64,
    dev: u64,
    mode: u32,
    nlink: u64,
    size: u64,
    name: Vec<u8>,
    check: Option<u32>,
}

fn field(b: &[u8], radix: u32) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?;
    u64::from_str_radix(s, radix).ok()
}

fn align4(x: usize) -> usize {
    x.div_ceil(4) * 4
}

pub(crate) fn index(
    data: &[u8],
    name: &str,
    limits: &ImageLimits,
) -> Result<(MemTree, Vec<Problem>), ImageError> {
    let mut ix = Indexer::new(name, limits);
    // Hard-link groups: (dev, ino) -> the names sharing it, and the data seen.
    let mut groups: BTreeMap<(u64, u64), LinkGroup> = BTreeMap::new();
    let mut pos = 0usize;
    let mut archives = 0usize;
    loop {
        // NUL padding between concatenated archives (and after the last one).
        while data.get(pos) == Some(&0) {
            pos += 1;
        }
        if pos >= data.len() {
            break;
        }
        if archives > 0 && data.get(pos..pos + 5) != Some(b"07070") {
            ix.problem(
                format!("offset {pos}"),
                format!(
                    "{} bytes after the last archive that are not a cpio archive; ignored",
                    data.len() - pos
                ),
            );
            break;
        }
        archives += 1;
        loop {
            let at = pos;
            let err = |m: String| ImageError::new(name, format!("offset {at}"), m);
            let magic = data
                .get(pos..pos + 6)
                .ok_or_else(|| err("truncated cpio header".into()))?;
            let (h, body) = match magic {
                b"070701" | b"070702" => {
                    let raw = data
                        .get(pos..pos + 110)
                        .ok_or_else(|| err("truncated newc header".into()))?;
                    let f = |i: usize| {
                        field(&raw[6 + 8 * i..14 + 8 * i], 16)
                            .ok_or_else(|| err(format!("newc header field {i} is not hexadecimal")))
                    };
                    let namesize = f(11)? as usize;
                    if namesize == 0 || namesize > 4096 {
                        return Err(err(format!("name size {namesize} out of range")));
                    }
                    let name_end = pos + 110 + namesize;
                    let raw_name = data
                        .get(pos + 110..name_end)
                        .ok_or_else(|| err("truncated name".into()))?;
                    let body = align4(name_end - at) + at;
                    let h = Header {
                        ino: f(0)?,
                        mode: f(1)? as u32,
                        nlink: f(4)?,
                        size: f(6)?,
                        dev: (f(7)? << 32) | f(8)?,
                        name: raw_name
                            .split(|b| *b == 0)
                            .next()
                            .unwrap_or_default()
                            .to_vec(),
                        check: (magic == b"070702")
                            .then(|| f(12))
                            .transpose()?
                            .map(|c| c as u32),
                    };
                    (h, body)
                }
                b"070707" => {
                    let raw = data
                        .get(pos..pos + 76)
                        .ok_or_else(|| err("truncated odc header".into()))?;
                    let f = |a: usize, b: usize| {
                        field(&raw[a..b], 8)
                            .ok_or_else(|| err(format!("odc header bytes {a}..{b} are not octal")))
                    };
                    let namesize = f(59, 65)? as usize;
                    if namesize == 0 || namesize > 4096 {
                        return Err(err(format!("name size {namesize} out of range")));
                    }
                    let name_end = pos + 76 + namesize;
                    let raw_name = data
                        .get(pos + 76..name_end)
                        .ok_or_else(|| err("truncated name".into()))?;
                    let h = Header {
                        dev: f(6, 12)?,
                        ino: f(12, 18)?,
                        mode: f(18, 24)? as u32,
                        nlink: f(36, 42)?,
                        size: f(65, 76)?,
                        name: raw_name
                            .split(|b| *b == 0)
                            .next()
                            .unwrap_or_default()
                            .to_vec(),
                        check: None,
                    };
                    (h, name_end)
                }
                _ => return Err(err("not a cpio header (bad magic)".into())),
            };
            let newc = magic != b"070707";
            if h.name == b"TRAILER!!!" {
                pos = body;
                break;
            }
            ix.admit(&h.name, h.size)?;
            let size = h.size as usize;
            let content = body
                .checked_add(size)
                .and_then(|end| data.get(body..end))
                .ok_or_else(|| {
                    ImageError::new(
                        name,
                        format!("offset {at} ({})", encode_name(&h.name)),
                        format!(
                            "member data of {} bytes runs past the end of the archive",
                            h.size
                        ),
                    )
                })?;
            pos = if newc {
                align4(body + size - at) + at
            } else {
                body + size
            };
            // The crc format sums the data of regular files only (links carry 0).
            if let (Some(sum), true) = (h.check, h.mode & S_IFMT == 0o100000 && size > 0) {
                let got = content
                    .iter()
                    .fold(0u32, |a, b| a.wrapping_add(u32::from(*b)));
                if got != sum {
                    return Err(ImageError::new(
                        name,
                        format!("offset {at} ({})", encode_name(&h.name)),
                        format!("checksum {got:#x} does not match the header's {sum:#x}"),
                    ));
                }
            }
            let node = match h.mode & S_IFMT {
                0o100000 => Node::File(content.to_vec()),
                0o040000 => Node::Dir,
                0o120000 => Node::Symlink(content.to_vec()),
                0o010000 => Node::Special(EntryType::Fifo),
                0o020000 => Node::Special(EntryType::CharDevice),
                0o060000 => Node::Special(EntryType::BlockDevice),
                0o140000 => Node::Special(EntryType::Socket),
                other => {
                    ix.problem(
                        encode_name(&h.name),
                        format!("unknown file type {other:#o}; kept as a special entry"),
                    );
                    Node::Special(EntryType::Unknown)
                }
            };
            if let (Node::File(d), true) = (&node, h.nlink > 1) {
                let g = groups.entry((h.dev, h.ino)).or_default();
                g.0.push(h.name.clone());
                if !d.is_empty() {
                    g.1 = Some(d.clone());
                }
            }
            ix.add(&h.name, node);
        }
    }
    // Hard links: every name of an inode gets the data stored with one of them.
    for (names, data) in groups.into_values() {
        if let Some(d) = data {
            for n in names {
                let (path, _) = crate::index::normalise(&n);
                if let Some(Node::File(cur)) = ix.tree.nodes.get_mut(&path)
                    && cur.is_empty()
                {
                    cur.clone_from(&d);
                }
            }
        }
    }
    if archives == 0 {
        return Err(ImageError::new(name, "offset 0", "empty cpio archive"));
    }
    let Indexer { tree, problems, .. } = ix;
    Ok((tree, problems))
}
