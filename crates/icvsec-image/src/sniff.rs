//! What an image is, from its first bytes (never from its name).

/// The image formats read in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImageKind {
    Ext4,
    AndroidSparse,
    Squashfs,
    /// newc (`070701`), newc with checksums (`070702`) or portable ASCII (`070707`).
    Cpio,
    Tar,
    AndroidBoot,
    Gzip,
    Xz,
    Zstd,
    /// The LZ4 legacy frame Android uses for ramdisks.
    Lz4Legacy,
}

impl ImageKind {
    pub fn name(self) -> &'static str {
        match self {
            ImageKind::Ext4 => "ext4",
            ImageKind::AndroidSparse => "Android sparse image",
            ImageKind::Squashfs => "squashfs",
            ImageKind::Cpio => "cpio",
            ImageKind::Tar => "tar",
            ImageKind::AndroidBoot => "Android boot image",
            ImageKind::Gzip => "gzip",
            ImageKind::Xz => "xz",
            ImageKind::Zstd => "zstd",
            ImageKind::Lz4Legacy => "lz4 (legacy frame)",
        }
    }

    /// A compression wrapper around one stream.
    pub fn is_compression(self) -> bool {
        matches!(
            self,
            ImageKind::Gzip | ImageKind::Xz | ImageKind::Zstd | ImageKind::Lz4Legacy
        )
    }
}

/// Bytes to pass to [`sniff`]: enough for the ext4 superblock magic and a tar header.
pub const SNIFF_LEN: usize = 4096;

pub const SPARSE_MAGIC: u32 = 0xED26_FF3A;
const EXT4_MAGIC_AT: usize = 1080;

/// The kind of image whose first bytes are `head` (at least [`SNIFF_LEN`] when the image
/// is that long). `name` is accepted for symmetry with the callers but never consulted:
/// an extension does not decide the format (a `.ext4` full of text is nothing).
pub fn sniff(head: &[u8], _name: &str) -> Option<ImageKind> {
    let at = |off: usize, magic: &[u8]| head.get(off..off + magic.len()) == Some(magic);
    if at(0, b"ANDROID!") {
        return Some(ImageKind::AndroidBoot);
    }
    if at(0, &SPARSE_MAGIC.to_le_bytes()) {
        return Some(ImageKind::AndroidSparse);
    }
    if at(0, b"hsqs") {
        return Some(ImageKind::Squashfs);
    }
    if at(0, b"070701") || at(0, b"070702") || at(0, b"070707") {
        return Some(ImageKind::Cpio);
    }
    if at(0, &[0x1f, 0x8b]) {
        return Some(ImageKind::Gzip);
    }
    if at(0, &[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Some(ImageKind::Xz);
    }
    if at(0, &[0x28, 0xb5, 0x2f, 0xfd]) {
        return Some(ImageKind::Zstd);
    }
    if at(0, &[0x02, 0x21, 0x4c, 0x18]) {
        return Some(ImageKind::Lz4Legacy);
    }
    if at(257, b"ustar") || (head.len() >= 512 && old_tar_header(&head[..512])) {
        return Some(ImageKind::Tar);
    }
    if at(EXT4_MAGIC_AT, &[0x53, 0xef]) {
        return Some(ImageKind::Ext4);
    }
    None
}

/// A pre-POSIX tar header: a name, and a checksum field that matches the header.
fn old_tar_header(h: &[u8]) -> bool {
    if h[0] == 0 {
        return false;
    }
    let field = &h[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return false;
    }
    let Some(stored) = digits.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(8)?.checked_add(u32::from(d - b'0'))
    }) else {
        return false;
    };
    let sum: u32 = h
        .iter()
        .enumerate()
        .map(|(i, b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(*b)
            }
        })
        .sum();
    sum == stored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_not_names() {
        let mut ext4 = vec![0u8; 2048];
        ext4[1080] = 0x53;
        ext4[1081] = 0xef;
        assert_eq!(sniff(&ext4, "x.tar"), Some(ImageKind::Ext4));
        assert_eq!(sniff(b"hsqs....", "a.ext4"), Some(ImageKind::Squashfs));
        assert_eq!(sniff(b"070707", ""), Some(ImageKind::Cpio));
        assert_eq!(
            sniff(&[0x3a, 0xff, 0x26, 0xed], ""),
            Some(ImageKind::AndroidSparse)
        );
        assert_eq!(sniff(b"ANDROID!", ""), Some(ImageKind::AndroidBoot));
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd], ""), Some(ImageKind::Zstd));
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff(&tar, ""), Some(ImageKind::Tar));
        assert_eq!(sniff(b"plain text", "rootfs.ext4"), None);
        assert_eq!(sniff(&[], ""), None);
    }
}
