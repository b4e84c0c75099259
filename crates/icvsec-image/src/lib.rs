//! Firmware images read in place as file trees: nothing is mounted, extracted to disk
//! or executed.
//!
//! [`open_image`] turns an image into an [`Image`] whose [`Image::tree`] is an
//! [`icvsec_fs::Tree`] rooted at the image's `/`, so the resolver with
//! `Scope::chroot(vec![])` resolves its links as the ECU would. Formats: ext4 (also in
//! an Android sparse image), squashfs, cpio (newc, crc, odc; also the ramdisk of an
//! Android boot image), tar, and gzip/xz/zstd/lz4-compressed versions of any of these
//! or of a single file. Every size, count and expansion is bounded by [`ImageLimits`];
//! a bound reached is an [`ImageError`] naming the image and the place in it.

mod bootimg;
mod cpio;
mod decompress;
pub mod error;
mod ext4;
mod index;
pub mod limits;
pub mod sniff;
pub mod source;
mod sparse;
mod squashfs;
mod tar;

pub use error::{ImageError, Problem};
pub use limits::ImageLimits;
pub use sniff::{ImageKind, SNIFF_LEN, sniff};
pub use source::ReadAt;

use icvsec_fs::mem::Node;
use icvsec_fs::name::{encode_name, identity};
use icvsec_fs::{MemTree, Tree};
use limits::Budget;
use std::path::Path;
use std::sync::Arc;

/// The bytes of an image and its name (for messages), with how deep it is nested.
pub struct ImageSource {
    name: String,
    data: Arc<dyn ReadAt>,
    depth: u32,
}

impl ImageSource {
    /// Open an image file by path without following a link in its last component and
    /// without blocking on a FIFO; only a regular file is accepted. The file is read in
    /// place with positioned reads.
    pub fn open_path(path: &Path) -> Result<ImageSource, ImageError> {
        use rustix::fs::{FileType, Mode, OFlags};
        let name = encode_name(path.as_os_str().as_encoded_bytes());
        let fd = rustix::fs::open(
            path,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
        )
        .map_err(|e| {
            ImageError::new(
                &name,
                "",
                format!("cannot open: {}", std::io::Error::from(e)),
            )
        })?;
        let st = rustix::fs::fstat(&fd).map_err(|e| {
            ImageError::new(
                &name,
                "",
                format!("cannot stat: {}", std::io::Error::from(e)),
            )
        })?;
        if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
            return Err(ImageError::new(&name, "", "not a regular file; not read"));
        }
        ImageSource::from_file(name, std::fs::File::from(fd))
    }

    /// An image file already opened (for instance with `HostTree::open_regular`).
    pub fn from_file(
        name: impl Into<String>,
        file: std::fs::File,
    ) -> Result<ImageSource, ImageError> {
        let name = name.into();
        let src = source::FileSource::new(file)
            .map_err(|e| ImageError::new(&name, "", format!("cannot stat: {e}")))?;
        Ok(ImageSource {
            name,
            data: Arc::new(src),
            depth: 1,
        })
    }

    /// An image held in memory.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> ImageSource {
        ImageSource {
            name: name.into(),
            data: Arc::new(bytes),
            depth: 1,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn size(&self) -> u64 {
        self.data.size()
    }

    /// The first bytes, for [`sniff`].
    pub fn head(&self) -> Vec<u8> {
        read_head(self.data.as_ref())
    }

    /// The kind of image by its magic bytes.
    pub fn detect(&self) -> Option<ImageKind> {
        sniff(&self.head(), &self.name)
    }
}

fn read_head(src: &dyn ReadAt) -> Vec<u8> {
    let n = src.size().min(SNIFF_LEN as u64) as usize;
    let mut head = vec![0u8; n];
    if src.read_exact_at(0, &mut head).is_err() {
        head.clear();
    }
    head
}

/// An opened image.
pub struct Image {
    /// The image's name (`outer.img!/path/inner.tar` when nested).
    pub name: String,
    /// The format of the file system or archive (after any wrappers).
    pub kind: ImageKind,
    /// The wrappers removed to reach it, outermost first (`[AndroidBoot, Gzip]`).
    pub layers: Vec<ImageKind>,
    /// The image's root as a tree.
    pub tree: Box<dyn Tree>,
    /// Entries an extraction would have handled dangerously or differently, sorted.
    pub problems: Vec<Problem>,
    /// 1 for an image given directly, 2 for an image found inside it, ...
    pub depth: u32,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("layers", &self.layers)
            .field("problems", &self.problems)
            .field("depth", &self.depth)
            .finish()
    }
}

impl Image {
    /// Open the image stored at `path` inside this image (an image inside an image),
    /// within [`ImageLimits::max_nesting`]. The inner image is read into memory, at most
    /// `max_image_bytes`.
    pub fn open_nested(&self, path: &[Vec<u8>], limits: &ImageLimits) -> Result<Image, ImageError> {
        let name = format!("{}!/{}", self.name, identity(path));
        let depth = self.depth + 1;
        if depth > limits.max_nesting {
            return Err(ImageError::new(
                &name,
                format!("nesting depth {depth}"),
                format!(
                    "an image inside an image deeper than {} levels (max_nesting); not opened",
                    limits.max_nesting
                ),
            ));
        }
        let bytes = self
            .tree
            .read_file(path, limits.max_image_bytes)
            .map_err(|e| ImageError::new(&name, "", e.to_string()))?;
        let src = ImageSource {
            name,
            data: Arc::new(bytes),
            depth,
        };
        let kind = src
            .detect()
            .ok_or_else(|| ImageError::new(&src.name, "offset 0", "not a known image format"))?;
        open_image(src, kind, limits)
    }
}

/// Open `src` as an image of `kind` (usually [`ImageSource::detect`]).
pub fn open_image(
    src: ImageSource,
    kind: ImageKind,
    limits: &ImageLimits,
) -> Result<Image, ImageError> {
    if src.depth > limits.max_nesting {
        return Err(ImageError::new(
            &src.name,
            format!("nesting depth {}", src.depth),
            format!(
                "an image nested deeper than {} levels (max_nesting); not opened",
                limits.max_nesting
            ),
        ));
    }
    if src.size() > limits.max_image_bytes {
        return Err(ImageError::new(
            &src.name,
            "",
            format!(
                "{} bytes, larger than the {}-byte bound (max_image_bytes); not read",
                src.size(),
                limits.max_image_bytes
            ),
        ));
    }
    let mut ctx = Ctx {
        limits,
        budget: Budget::new(limits, src.size()),
        expanded: 0,
        layers: Vec::new(),
        problems: Vec::new(),
    };
    let tree = ctx.open(src.data.clone(), &src.name, kind)?;
    let mut problems = ctx.problems;
    problems.sort();
    Ok(Image {
        name: src.name,
        kind: ctx.layers.pop().unwrap_or(kind),
        layers: ctx.layers,
        tree,
        problems,
        depth: src.depth,
    })
}

struct Ctx<'a> {
    limits: &'a ImageLimits,
    budget: Budget,
    expanded: u64,
    /// Every kind opened, outermost first; the last is the image itself.
    layers: Vec<ImageKind>,
    problems: Vec<Problem>,
}

impl Ctx<'_> {
    fn open(
        &mut self,
        data: Arc<dyn ReadAt>,
        name: &str,
        kind: ImageKind,
    ) -> Result<Box<dyn Tree>, ImageError> {
        if self.layers.len() as u32 > self.limits.max_layers {
            return Err(ImageError::new(
                name,
                format!("layer {}", self.layers.len() + 1),
                format!(
                    "more than {} wrappers (compression, sparse, boot image) around one image (max_layers)",
                    self.limits.max_layers
                ),
            ));
        }
        self.layers.push(kind);
        let l = self.limits;
        match kind {
            ImageKind::Ext4 => Ok(Box::new(ext4::Ext4Tree::open(
                data,
                name,
                l.max_entries,
                l.max_file_bytes,
            )?)),
            ImageKind::Squashfs => Ok(Box::new(squashfs::SquashfsTree::open(
                data,
                name,
                l.max_entries,
                l.max_expanded_bytes,
                l.max_file_bytes,
                &mut self.problems,
            )?)),
            ImageKind::AndroidSparse => {
                let s = sparse::SparseImage::open(data, name, l.max_expanded_bytes, l.max_entries)?;
                let inner: Arc<dyn ReadAt> = Arc::new(s);
                let inner_name = format!("{name} (expanded sparse image)");
                let k = self.inner_kind(inner.as_ref(), &inner_name)?;
                self.open(inner, &inner_name, k)
            }
            ImageKind::Cpio | ImageKind::Tar => {
                let bytes = self.whole(data.as_ref(), name)?;
                let (tree, problems) = if kind == ImageKind::Cpio {
                    cpio::index(&bytes, name, l)?
                } else {
                    tar::index(&bytes, name, l)?
                };
                self.problems.extend(problems);
                Ok(Box::new(tree))
            }
            ImageKind::AndroidBoot => {
                let (off, len) = bootimg::ramdisk(data.as_ref(), name)?;
                if len > l.max_expanded_bytes {
                    return Err(ImageError::new(
                        name,
                        format!("ramdisk at offset {off}"),
                        format!("ramdisk of {len} bytes, more than max_expanded_bytes"),
                    ));
                }
                let mut ramdisk = vec![0u8; len as usize];
                data.read_exact_at(off, &mut ramdisk).map_err(|e| {
                    ImageError::new(name, format!("ramdisk at offset {off}"), e.to_string())
                })?;
                let inner_name = format!("{name} (ramdisk)");
                let inner: Arc<dyn ReadAt> = Arc::new(ramdisk);
                let k = self.inner_kind(inner.as_ref(), &inner_name)?;
                let tree = self.open(inner, &inner_name, k)?;
                Ok(match bootimg::cmdline(data.as_ref()) {
                    Some(cmdline) => Box::new(bootimg::WithCmdline {
                        inner: tree,
                        cmdline,
                    }),
                    None => tree,
                })
            }
            ImageKind::Gzip | ImageKind::Xz | ImageKind::Zstd | ImageKind::Lz4Legacy => {
                let cap = self.budget.cap.saturating_sub(self.expanded);
                let out = decompress::decompress(
                    kind,
                    source::Cursor::new(data),
                    name,
                    cap,
                    &self.budget.why,
                )?;
                self.expanded += out.len() as u64;
                let inner_name = format!("{name} ({} content)", kind.name());
                match sniff(&out[..out.len().min(SNIFF_LEN)], &inner_name) {
                    Some(k) => self.open(Arc::new(out), &inner_name, k),
                    None => {
                        // A single compressed file: a tree holding just that file.
                        if out.len() as u64 > l.max_file_bytes {
                            return Err(ImageError::new(
                                name,
                                "",
                                format!(
                                    "decompressed file of {} bytes, more than max_file_bytes",
                                    out.len()
                                ),
                            ));
                        }
                        let file = single_name(name);
                        let mut t = MemTree::new();
                        t.insert(vec![file], Node::File(out));
                        Ok(Box::new(t))
                    }
                }
            }
        }
    }

    fn inner_kind(&self, data: &dyn ReadAt, name: &str) -> Result<ImageKind, ImageError> {
        sniff(&read_head(data), name)
            .ok_or_else(|| ImageError::new(name, "offset 0", "content is not a known image format"))
    }

    /// An archive's bytes in memory (archives are streams), within the bounds.
    fn whole(&mut self, data: &dyn ReadAt, name: &str) -> Result<Vec<u8>, ImageError> {
        let size = data.size();
        if size > self.limits.max_expanded_bytes {
            return Err(ImageError::new(
                name,
                "",
                format!(
                    "archive of {size} bytes, more than the {}-byte bound for archives held in memory (max_expanded_bytes)",
                    self.limits.max_expanded_bytes
                ),
            ));
        }
        let mut buf = vec![0u8; size as usize];
        data.read_exact_at(0, &mut buf)
            .map_err(|e| ImageError::new(name, "", format!("cannot read: {e}")))?;
        Ok(buf)
    }
}

/// The name of the one file in a compressed single file: the image's file name without
/// its compression suffix.
fn single_name(name: &str) -> Vec<u8> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let base = base.split(" (").next().unwrap_or(base);
    for suffix in [".gz", ".xz", ".zst", ".lz4", ".zstd"] {
        if let Some(stem) = base.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.as_bytes().to_vec();
        }
    }
    format!("{base}.decompressed").into_bytes()
}
