//! squashfs 4 through `backhand`: the directory tree is indexed when the image is
//! opened (bounded by the superblock's inode count), file data is decompressed on
//! demand, one file at a time, with the read bound checked before reading.
//!
//! Decompression goes through our own [`CompressionAction`] over pure-Rust decoders
//! (miniz_oxide through flate2, lzma-rs, ruzstd, lz4_flex) instead of backhand's
//! default one over C libraries: every block is decoded with an output bound of the
//! largest squashfs block (1 MiB), and nothing native parses the image.

use crate::ImageError;
use crate::decompress;
use crate::error::Problem;
use crate::sniff::ImageKind;
use crate::source::{Cursor, ReadAt};
use backhand::compression::{CompressionAction, Compressor};
use backhand::kind::Kind;
use backhand::{
    BackhandError, FilesystemCompressor, FilesystemReader, InnerNode, Squashfs, SuperBlock,
};
use icvsec_fs::name::encode_name;
use icvsec_fs::tree::Components;
use icvsec_fs::{EntryType, FsError, Meta, Tree};
use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::sync::Arc;

/// The largest squashfs block (and metadata blocks are 8 KiB).
const MAX_BLOCK: u64 = 1 << 20;

struct PureRust;
static PURE_RUST: PureRust = PureRust;

impl CompressionAction for PureRust {
    type Error = BackhandError;
    type Compressor = Compressor;
    type FilesystemCompressor = FilesystemCompressor;
    type SuperBlock = SuperBlock;

    fn decompress(
        &self,
        bytes: &[u8],
        out: &mut Vec<u8>,
        compressor: Compressor,
    ) -> Result<(), BackhandError> {
        let kind = match compressor {
            Compressor::Uncompressed => {
                out.extend_from_slice(bytes);
                return Ok(());
            }
            Compressor::Gzip => {
                // squashfs "gzip" blocks are zlib streams.
                let mut d = flate2::read::ZlibDecoder::new(bytes).take(MAX_BLOCK + 1);
                d.read_to_end(out)?;
                if out.len() as u64 > MAX_BLOCK {
                    return Err(BackhandError::CorruptedOrInvalidSquashfs);
                }
                return Ok(());
            }
            Compressor::Lz4 => {
                let mut buf = vec![0u8; MAX_BLOCK as usize];
                let n = lz4_flex::block::decompress_into(bytes, &mut buf)
                    .map_err(|_| BackhandError::CorruptedOrInvalidSquashfs)?;
                out.extend_from_slice(&buf[..n]);
                return Ok(());
            }
            Compressor::Lzma => {
                let mut w = Vec::new();
                lzma_rs::lzma_decompress_with_options(
                    &mut std::io::BufReader::new(bytes),
                    &mut w,
                    &lzma_rs::decompress::Options {
                        memlimit: Some(MAX_BLOCK as usize * 2),
                        ..Default::default()
                    },
                )
                .map_err(|_| BackhandError::CorruptedOrInvalidSquashfs)?;
                if w.len() as u64 > MAX_BLOCK {
                    return Err(BackhandError::CorruptedOrInvalidSquashfs);
                }
                out.extend_from_slice(&w);
                return Ok(());
            }
            Compressor::Xz => ImageKind::Xz,
            Compressor::Zstd => ImageKind::Zstd,
            Compressor::Lzo => {
                return Err(BackhandError::UnsupportedCompression("lzo".into()));
            }
        };
        let d = decompress::decompress(kind, bytes, "block", MAX_BLOCK, "block too large")
            .map_err(|_| BackhandError::CorruptedOrInvalidSquashfs)?;
        out.extend_from_slice(&d);
        Ok(())
    }

    fn compress(
        &self,
        _: &[u8],
        _: FilesystemCompressor,
        _: u32,
    ) -> Result<Vec<u8>, BackhandError> {
        Err(BackhandError::UnsupportedCompression(
            "images are only read".into(),
        ))
    }
}

pub struct SquashfsTree {
    fs: FilesystemReader<'static>,
    /// Path components -> index into `fs.root.nodes`.
    index: BTreeMap<Vec<Vec<u8>>, usize>,
    max_file_bytes: u64,
    name: String,
}

fn entry_type<T>(n: &InnerNode<T>) -> EntryType {
    match n {
        InnerNode::File(_) => EntryType::File,
        InnerNode::Dir(_) => EntryType::Dir,
        InnerNode::Symlink(_) => EntryType::Symlink,
        InnerNode::CharacterDevice(_) => EntryType::CharDevice,
        InnerNode::BlockDevice(_) => EntryType::BlockDevice,
        InnerNode::NamedPipe => EntryType::Fifo,
        InnerNode::Socket => EntryType::Socket,
    }
}

impl SquashfsTree {
    pub(crate) fn open(
        src: Arc<dyn ReadAt>,
        name: &str,
        max_entries: usize,
        max_expanded: u64,
        max_file_bytes: u64,
        problems: &mut Vec<Problem>,
    ) -> Result<SquashfsTree, ImageError> {
        let bad = |place: &str, e: BackhandError| {
            ImageError::new(name, place, format!("not a readable squashfs image: {e}"))
        };
        let reader = BufReader::new(Cursor::new(src));
        let sq = Squashfs::from_reader_with_offset_and_kind(reader, 0, Kind::new_v4(&PURE_RUST))
            .map_err(|e| bad("superblock", e))?;
        let sb = &sq.superblock;
        if sb.inode_count as usize > max_entries {
            return Err(ImageError::new(
                name,
                "superblock offset 4",
                format!(
                    "{} inodes, more than the bound of {max_entries} (max_entries)",
                    sb.inode_count
                ),
            ));
        }
        // Decompressed fragment blocks are cached by the reader: bound their total.
        let frag_bytes = u64::from(sb.frag_count) * u64::from(sb.block_size);
        if frag_bytes > max_expanded {
            return Err(ImageError::new(
                name,
                "superblock offset 16",
                format!(
                    "{} fragment blocks of {} bytes would expand past {max_expanded} bytes (max_expanded_bytes)",
                    sb.frag_count, sb.block_size
                ),
            ));
        }
        let fs = sq
            .into_filesystem_reader()
            .map_err(|e| bad("directory table", e))?;
        let mut index = BTreeMap::new();
        for (i, node) in fs.root.nodes.iter().enumerate() {
            let raw = node.fullpath.as_os_str().as_bytes();
            let comps: Vec<Vec<u8>> = raw
                .split(|b| *b == b'/')
                .filter(|c| !c.is_empty())
                .map(<[u8]>::to_vec)
                .collect();
            if comps.iter().any(|c| c == b"." || c == b"..") {
                problems.push(Problem {
                    place: encode_name(raw),
                    message:
                        "directory entry named `.` or `..`; ignored (the kernel would refuse it)"
                            .into(),
                });
                continue;
            }
            if index.insert(comps, i).is_some() {
                problems.push(Problem {
                    place: encode_name(raw),
                    message: "duplicate directory entry; the last one is used".into(),
                });
            }
        }
        Ok(SquashfsTree {
            fs,
            index,
            max_file_bytes,
            name: name.to_string(),
        })
    }

    fn node(&self, path: &Components) -> Option<&backhand::Node<backhand::SquashfsFileReader>> {
        self.index
            .get(path)
            .and_then(|i| self.fs.root.nodes.get(*i))
    }
}

impl Tree for SquashfsTree {
    fn lstat(&self, path: &Components) -> Result<Option<Meta>, FsError> {
        if path.is_empty() {
            return Ok(Some(Meta {
                kind: EntryType::Dir,
                size: 0,
            }));
        }
        Ok(self.node(path).map(|n| Meta {
            kind: entry_type(&n.inner),
            size: match &n.inner {
                InnerNode::File(f) => f.file_len() as u64,
                InnerNode::Symlink(l) => l.link.as_os_str().len() as u64,
                _ => 0,
            },
        }))
    }

    fn read_link(&self, path: &Components) -> Result<Vec<u8>, FsError> {
        match self.node(path).map(|n| &n.inner) {
            Some(InnerNode::Symlink(l)) => Ok(l.link.as_os_str().as_bytes().to_vec()),
            Some(_) => Err(FsError::Io("not a symbolic link".into())),
            None => Err(FsError::NotFound),
        }
    }

    fn read_dir(
        &self,
        path: &Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        let mut out = Vec::new();
        for (k, i) in self.index.range(path.to_vec()..) {
            if !k.starts_with(path) {
                break;
            }
            if k.len() != path.len() + 1 {
                continue;
            }
            if out.len() >= max_entries {
                return Err(FsError::TooManyEntries { limit: max_entries });
            }
            let kind = self
                .fs
                .root
                .nodes
                .get(*i)
                .map_or(EntryType::Unknown, |n| entry_type(&n.inner));
            out.push((k[path.len()].clone(), kind));
        }
        Ok(out)
    }

    fn read_file(&self, path: &Components, limit: u64) -> Result<Vec<u8>, FsError> {
        let Some(n) = self.node(path) else {
            return Err(if path.is_empty() {
                FsError::NotRegular { kind: "directory" }
            } else {
                FsError::NotFound
            });
        };
        let f = match &n.inner {
            InnerNode::File(f) => f,
            InnerNode::Symlink(_) => return Err(FsError::LinkRefused),
            other => {
                return Err(FsError::NotRegular {
                    kind: entry_type(other).describe(),
                });
            }
        };
        let limit = limit.min(self.max_file_bytes);
        let size = f.file_len() as u64;
        if size > limit {
            return Err(FsError::TooLarge { size, limit });
        }
        let mut out = Vec::with_capacity(size as usize);
        self.fs
            .file(f)
            .reader()
            .take(limit + 1)
            .read_to_end(&mut out)
            .map_err(|e| {
                FsError::Io(format!(
                    "{}: {}: {e}",
                    self.name,
                    icvsec_fs::name::identity(path)
                ))
            })?;
        if out.len() as u64 != size {
            return Err(FsError::Io(format!(
                "{}: {}: {} bytes of data for a {size}-byte file",
                self.name,
                icvsec_fs::name::identity(path),
                out.len()
            )));
        }
        Ok(out)
    }
}
