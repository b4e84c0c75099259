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
