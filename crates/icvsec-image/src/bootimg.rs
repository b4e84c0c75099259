//! Android boot images (`ANDROID!`, header versions 0 to 4): only the ramdisk is read
//! (the kernel and second stage are not file trees). Versions 0-2 have a page size in
//! the header; versions 3 and 4 use 4096-byte pages. Sections follow the header, each
//! padded to a page.

use crate::ImageError;
use crate::source::ReadAt;

/// Where the ramdisk is: (byte offset, length).
pub(crate) fn ramdisk(src: &dyn ReadAt, name: &str) -> Result<(u64, u64), ImageError> {
    let mut h = [0u8; 48];
    src.read_exact_at(0, &mut h).map_err(|e| {
        ImageError::new(name, "header", format!("truncated boot image header: {e}"))
    })?;
    if &h[..8] != b"ANDROID!" {
        return Err(ImageError::new(
            name,
            "offset 0",
            "not an Android boot image",
        ));
    }
    let u = |o: usize| u64::from(u32::from_le_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]));
    let version = u(40);
    let (kernel_size, ramdisk_size, page) = match version {
        0..=2 => {
            let page = u(36);
            if !page.is_power_of_two() || !(2048..=65536).contains(&page) {
                return Err(ImageError::new(
                    name,
                    "offset 36",
                    format!("page size {page} invalid"),
                ));
            }
            (u(8), u(16), page)
        }
        3 | 4 => (u(8), u(12), 4096),
        v => {
            return Err(ImageError::new(
                name,
                "offset 40",
                format!("boot image header version {v} not supported (0 to 4 are)"),
            ));
        }
    };
    // Header page, then the kernel padded to a page, then the ramdisk.
    let off = page + kernel_size.div_ceil(page) * page;
    if ramdisk_size == 0 {
        return Err(ImageError::new(
            name,
            "offset 16",
            "boot image has no ramdisk",
        ));
    }
    if off
        .checked_add(ramdisk_size)
        .is_none_or(|end| end > src.size())
    {
        return Err(ImageError::new(
            name,
            format!("ramdisk at offset {off}"),
            format!(
                "ramdisk of {ramdisk_size} bytes runs past the end of the {}-byte image",
                src.size()
            ),
        ));
    }
    Ok((off, ramdisk_size))
}

/// The kernel command line built into the header (`BOARD_KERNEL_CMDLINE`): versions 0-2
/// keep 512 bytes at offset 64 and 1,024 more (`extra_cmdline`) at offset 608; versions 3
/// and 4 keep 1,536 bytes at offset 44. NUL-terminated; `None` when empty or unreadable.
pub(crate) fn cmdline(src: &dyn ReadAt) -> Option<Vec<u8>> {
    let mut v = [0u8; 4];
    src.read_exact_at(40, &mut v).ok()?;
    let fields: &[(u64, usize)] = match u32::from_le_bytes(v) {
        0..=2 => &[(64, 512), (608, 1024)],
        3 | 4 => &[(44, 1536)],
        _ => return None,
    };
    let mut out = Vec::new();
    for &(off, len) in fields {
        let mut buf = vec![0u8; len];
        if src.read_exact_at(off, &mut buf).is_err() {
            break;
        }
        let end = buf.iter().position(|b| *b == 0).unwrap_or(len);
        if end > 0 {
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend_from_slice(&buf[..end]);
        }
    }
    (!out.is_empty()).then(|| {
        out.push(b'\n');
        out
    })
}

/// A boot image's ramdisk tree with the header's kernel command line readable at
/// `/proc/cmdline`, where the running kernel shows it and where the Android checks read
/// captures (`androidboot.selinux=permissive` is set there, not in a property file).
/// An existing `/proc/cmdline` in the ramdisk wins.
pub(crate) struct WithCmdline {
    pub(crate) inner: Box<dyn icvsec_fs::Tree>,
    pub(crate) cmdline: Vec<u8>,
}

impl WithCmdline {
    fn is_proc(path: &icvsec_fs::tree::Components) -> bool {
        path.len() == 1 && path[0] == b"proc"
    }
    fn is_cmdline(path: &icvsec_fs::tree::Components) -> bool {
        path.len() == 2 && path[0] == b"proc" && path[1] == b"cmdline"
    }
    fn inner_has(&self, path: &icvsec_fs::tree::Components) -> bool {
        matches!(self.inner.lstat(path), Ok(Some(_)))
    }
}

impl icvsec_fs::Tree for WithCmdline {
    fn lstat(
        &self,
        path: &icvsec_fs::tree::Components,
    ) -> Result<Option<icvsec_fs::Meta>, icvsec_fs::FsError> {
        if let Some(m) = self.inner.lstat(path)? {
            return Ok(Some(m));
        }
        if Self::is_proc(path) {
            return Ok(Some(icvsec_fs::Meta {
                kind: icvsec_fs::EntryType::Dir,
                size: 0,
            }));
        }
        if Self::is_cmdline(path) {
            return Ok(Some(icvsec_fs::Meta {
                kind: icvsec_fs::EntryType::File,
                size: self.cmdline.len() as u64,
            }));
        }
        Ok(None)
    }

    fn read_link(&self, path: &icvsec_fs::tree::Components) -> Result<Vec<u8>, icvsec_fs::FsError> {
        self.inner.read_link(path)
    }

    fn read_dir(
        &self,
        path: &icvsec_fs::tree::Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, icvsec_fs::EntryType)>, icvsec_fs::FsError> {
        let add = |mut v: Vec<(Vec<u8>, icvsec_fs::EntryType)>,
                   name: &[u8],
                   kind: icvsec_fs::EntryType| {
            if !v.iter().any(|(n, _)| n == name) {
                v.push((name.to_vec(), kind));
                v.sort();
            }
            if v.len() > max_entries {
                return Err(icvsec_fs::FsError::TooManyEntries { limit: max_entries });
            }
            Ok(v)
        };
        if path.is_empty() {
            let v = self.inner.read_dir(path, max_entries)?;
            return add(v, b"proc", icvsec_fs::EntryType::Dir);
        }
        if Self::is_proc(path) {
            let v = if self.inner_has(path) {
                self.inner.read_dir(path, max_entries)?
            } else {
                Vec::new()
            };
            return add(v, b"cmdline", icvsec_fs::EntryType::File);
        }
        self.inner.read_dir(path, max_entries)
    }

    fn read_file(
        &self,
        path: &icvsec_fs::tree::Components,
        limit: u64,
    ) -> Result<Vec<u8>, icvsec_fs::FsError> {
        if Self::is_cmdline(path) && !self.inner_has(path) {
            if self.cmdline.len() as u64 > limit {
                return Err(icvsec_fs::FsError::TooLarge {
                    size: self.cmdline.len() as u64,
                    limit,
                });
            }
            return Ok(self.cmdline.clone());
        }
        self.inner.read_file(path, limit)
    }
}
