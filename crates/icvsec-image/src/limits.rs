//! Bounds on what reading one image may cost. Reaching one is an error, never a
//! truncated tree.

/// Bounds for reading images. The defaults suit an ECU root filesystem or ramdisk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageLimits {
    /// Size of the image file itself (as stored: compressed or sparse).
    pub max_image_bytes: u64,
    /// Entries (inodes, archive members) in one image.
    pub max_entries: usize,
    /// Bytes produced by decompression (all layers of one image together), and the
    /// logical size of a sparse image.
    pub max_expanded_bytes: u64,
    /// Decompressed bytes per compressed byte of input (a bomb guard).
    pub max_ratio: u64,
    /// Images inside images: 1 is only the image given, 2 also an image found inside it.
    pub max_nesting: u32,
    /// Wrappers around one image (compression, Android sparse, Android boot image):
    /// `boot.img` → gzip → cpio is two.
    pub max_layers: u32,
    /// Bytes of one file read out of an image (the caller's own read limit also applies).
    pub max_file_bytes: u64,
}

/// 4 GiB: the largest image read by default.
pub const DEFAULT_MAX_IMAGE_BYTES: u64 = 4 << 30;
/// One million entries.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;
/// 1 GiB of decompressed data (archives are indexed in memory).
pub const DEFAULT_MAX_EXPANDED_BYTES: u64 = 1 << 30;
/// 100:1.
pub const DEFAULT_MAX_RATIO: u64 = 100;
/// An image and one image inside it.
pub const DEFAULT_MAX_NESTING: u32 = 2;
/// Three wrappers.
pub const DEFAULT_MAX_LAYERS: u32 = 3;
/// 256 MiB per file.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 << 20;

impl Default for ImageLimits {
    fn default() -> Self {
        ImageLimits {
            max_image_bytes: DEFAULT_MAX_IMAGE_BYTES,
            max_entries: DEFAULT_MAX_ENTRIES,
            max_expanded_bytes: DEFAULT_MAX_EXPANDED_BYTES,
            max_ratio: DEFAULT_MAX_RATIO,
            max_nesting: DEFAULT_MAX_NESTING,
            max_layers: DEFAULT_MAX_LAYERS,
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// The decompression budget of one image: the expanded bytes so far against both the
/// absolute bound and the ratio over the stored image size.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) cap: u64,
    pub(crate) why: String,
}

impl Budget {
    pub(crate) fn new(limits: &ImageLimits, stored: u64) -> Budget {
        // A tiny input may expand more than the ratio (a compressed empty file system
        // header): grant at least 1 MiB before the ratio applies.
        let by_ratio = stored.saturating_mul(limits.max_ratio).max(1 << 20);
        if by_ratio < limits.max_expanded_bytes {
            Budget {
                cap: by_ratio,
                why: format!(
                    "expands past {by_ratio} bytes, more than {}:1 over the {stored} stored bytes (max_ratio)",
                    limits.max_ratio
                ),
            }
        } else {
            Budget {
                cap: limits.max_expanded_bytes,
                why: format!(
                    "expands past {} bytes (max_expanded_bytes)",
                    limits.max_expanded_bytes
                ),
            }
        }
    }
}
