//! Read-only squashfs 4.0 reader, enough for RAUC bundles: superblock, metadata blocks,
//! the root directory listing, regular file inodes (basic and extended), data blocks and
//! fragments. Compression: gzip (zlib streams) or none; other compressors are refused
//! with an error. Every size is checked against the image and the limits; a data block
//! never inflates past the block size, so reading a file holds one block at a time.

use crate::inflate::{self, Framing};
use crate::{Error, Limits};

const META_MAX: usize = 8192;
/// Largest metadata run read at once (directory listings, inode records).
const META_READ_MAX: usize = 16 << 20;

/// A parsed superblock over the image bytes.
pub(crate) struct Squashfs<'a> {
    name: &'a str,
    img: &'a [u8],
    limits: &'a Limits,
    pub block_size: u32,
    pub compressor: u16,
    pub bytes_used: u64,
    root_inode: u64,
    inode_table: u64,
    dir_table: u64,
    frag_table: u64,
    frag_count: u32,
}

/// A directory entry of the root.
#[derive(Debug, Clone)]
pub(crate) struct DirEntry {
    pub name: String,
    pub inode_ref: u64,
}

/// A regular file inode.
#[derive(Debug, Clone)]
pub(crate) struct FileInode {
    pub size: u64,
    blocks_start: u64,
    fragment: u32,
    frag_offset: u32,
    block_sizes: Vec<u32>,
}

fn le16(b: &[u8], o: usize) -> u16 {
    b.get(o..o + 2)
        .map_or(0, |x| u16::from_le_bytes([x[0], x[1]]))
}
fn le32(b: &[u8], o: usize) -> u32 {
    b.get(o..o + 4)
        .map_or(0, |x| u32::from_le_bytes([x[0], x[1], x[2], x[3]]))
}
fn le64(b: &[u8], o: usize) -> u64 {
    b.get(o..o + 8).map_or(0, |x| {
        let mut a = [0u8; 8];
        a.copy_from_slice(x);
        u64::from_le_bytes(a)
    })
}

impl<'a> Squashfs<'a> {
    pub(crate) fn open(name: &'a str, img: &'a [u8], limits: &'a Limits) -> Result<Self, Error> {
        let place = format!("{name}: squashfs superblock");
        if img.len() < 96 {
            return Err(Error::new(
                place,
                "image shorter than the 96-byte superblock",
            ));
        }
        if &img[..4] != b"hsqs" {
            return Err(Error::new(
                place,
                "no squashfs magic 'hsqs' (little-endian squashfs 4.0)",
            ));
        }
        let (major, minor) = (le16(img, 28), le16(img, 30));
        if (major, minor) != (4, 0) {
            return Err(Error::new(
                place,
                format!("squashfs version {major}.{minor} (4.0 supported)"),
            ));
        }
        let block_size = le32(img, 12);
        let block_log = le16(img, 22);
        if !(12..=20).contains(&block_log) || block_size != 1 << block_log {
            return Err(Error::new(
                place,
                format!("block size {block_size} / log {block_log} invalid"),
            ));
        }
        let s = Squashfs {
            name,
            img,
            limits,
            block_size,
            compressor: le16(img, 20),
            bytes_used: le64(img, 40),
            root_inode: le64(img, 32),
            inode_table: le64(img, 64),
            dir_table: le64(img, 72),
            frag_table: le64(img, 80),
            frag_count: le32(img, 16),
        };
        if s.bytes_used > img.len() as u64 || s.bytes_used < 96 {
            return Err(Error::new(
                place,
                format!(
                    "bytes_used {} outside the {}-byte image",
                    s.bytes_used,
                    img.len()
                ),
            ));
        }
        if s.compressor != 1 {
            let n = match s.compressor {
                2 => "lzma",
                3 => "lzo",
                4 => "xz",
                5 => "lz4",
                6 => "zstd",
                _ => "unknown",
            };
            return Err(Error::new(
                place,
                format!("compressor {} ({n}) not supported; gzip is", s.compressor),
            ));
        }
        for (what, v) in [
            ("inode table", s.inode_table),
            ("directory table", s.dir_table),
        ] {
            if v >= s.bytes_used {
                return Err(Error::new(
                    place,
                    format!("{what} at {v} lies outside bytes_used {}", s.bytes_used),
                ));
            }
        }
        Ok(s)
    }

    fn err(&self, at: u64, msg: impl Into<String>) -> Error {
        Error::new(format!("{}: squashfs byte offset {at}", self.name), msg)
    }

    /// One metadata block at absolute `pos`: (decompressed bytes, position of the next).
    fn meta_block(&self, pos: u64) -> Result<(Vec<u8>, u64), Error> {
        let p = usize::try_from(pos).map_err(|_| self.err(pos, "offset overflow"))?;
        if pos.checked_add(2).is_none_or(|e| e > self.bytes_used) {
            return Err(self.err(pos, "metadata block header past the end of the image"));
        }
        let h = le16(self.img, p);
        let size = (h & 0x7fff) as usize;
        let compressed = h & 0x8000 == 0;
        if size == 0 || size > META_MAX {
            return Err(self.err(pos, format!("metadata block size {size} invalid")));
        }
        let data = self
            .img
            .get(p + 2..p + 2 + size)
            .filter(|_| (p + 2 + size) as u64 <= self.bytes_used)
            .ok_or_else(|| self.err(pos, "metadata block past the end of the image"))?;
        let out = if compressed {
            inflate::inflate(data, Framing::Zlib, Some(META_MAX as u64), self.limits)
                .map_err(|m| self.err(pos, m))?
        } else {
            data.to_vec()
        };
        Ok((out, pos + 2 + size as u64))
    }

    /// `len` bytes of metadata starting `offset` bytes into the block at `start`,
    /// following on into the next blocks.
    fn meta_read(&self, start: u64, offset: usize, len: usize) -> Result<Vec<u8>, Error> {
        if len > META_READ_MAX || offset >= META_MAX {
            return Err(self.err(
                start,
                format!("metadata read of {len} bytes at offset {offset} out of bounds"),
            ));
        }
        let mut buf = Vec::new();
        let mut pos = start;
        while buf.len() < offset + len {
            let (b, next) = self.meta_block(pos)?;
            buf.extend_from_slice(&b);
            pos = next;
        }
        Ok(buf[offset..offset + len].to_vec())
    }

    fn inode_bytes(&self, inode_ref: u64, len: usize) -> Result<Vec<u8>, Error> {
        let block = inode_ref >> 16;
        let off = (inode_ref & 0xffff) as usize;
        let start = self
            .inode_table
            .checked_add(block)
            .ok_or_else(|| self.err(self.inode_table, "inode reference overflow"))?;
        self.meta_read(start, off, len)
    }

    /// Lists the root directory.
    pub(crate) fn root_entries(&self) -> Result<Vec<DirEntry>, Error> {
        let h = self.inode_bytes(self.root_inode, 16 + 24)?;
        let (start_block, size, offset) = match le16(&h, 0) {
            1 => (
                le32(&h, 16) as u64,
                le16(&h, 24) as usize,
                le16(&h, 26) as usize,
            ),
            8 => (
                le32(&h, 24) as u64,
                le32(&h, 20) as usize,
                le16(&h, 34) as usize,
            ),
            t => {
                return Err(self.err(
                    self.inode_table,
                    format!("root inode has type {t}, not a directory"),
                ));
            }
        };
        // The listing size counts 3 bytes more than the entries (for . and ..).
        let len = size.saturating_sub(3);
        if len == 0 {
            return Ok(Vec::new());
        }
        let start = self
            .dir_table
            .checked_add(start_block)
            .ok_or_else(|| self.err(self.dir_table, "directory reference overflow"))?;
        let d = self.meta_read(start, offset, len)?;
        let mut out = Vec::new();
        let mut p = 0usize;
        while p + 12 <= d.len() {
            let count = le32(&d, p) as usize + 1;
            let blk = le32(&d, p + 4) as u64;
            p += 12;
            if count > 256 {
                return Err(self.err(
                    start,
                    format!("directory header with {count} entries (at most 256)"),
                ));
            }
            for _ in 0..count {
                if out.len() >= self.limits.max_entries {
                    return Err(self.err(
                        start,
                        format!("more than {} directory entries", self.limits.max_entries),
                    ));
                }
                if p + 8 > d.len() {
                    return Err(self.err(start, "directory entry runs past the listing"));
                }
                let off = le16(&d, p) as u64;
                let nlen = le16(&d, p + 6) as usize + 1;
                let n = d
                    .get(p + 8..p + 8 + nlen)
                    .ok_or_else(|| self.err(start, "directory entry name runs past the listing"))?;
                out.push(DirEntry {
                    name: String::from_utf8_lossy(n).into_owned(),
                    inode_ref: (blk << 16) | off,
                });
                p += 8 + nlen;
            }
        }
        Ok(out)
    }

    /// Reads a regular-file inode.
    pub(crate) fn file_inode(&self, inode_ref: u64) -> Result<FileInode, Error> {
        let h = self.inode_bytes(inode_ref, 16 + 40)?;
        let (blocks_start, size, fragment, frag_offset, list_at) = match le16(&h, 0) {
            2 => (
                le32(&h, 16) as u64,
                le32(&h, 28) as u64,
                le32(&h, 20),
                le32(&h, 24),
                32usize,
            ),
            9 => (
                le64(&h, 16),
                le64(&h, 24),
                le32(&h, 44),
                le32(&h, 48),
                56usize,
            ),
            t => {
                return Err(self.err(
                    self.inode_table,
                    format!("inode type {t} is not a regular file"),
                ));
            }
        };
        let cap = self
            .limits
            .max_decompressed_bytes
            .min((self.img.len() as u64).saturating_mul(self.limits.max_compression_ratio));
        if size > cap {
            return Err(self.err(
                self.inode_table,
                format!("file of {size} bytes exceeds the bound of {cap} bytes (size limit or compression ratio)"),
            ));
        }
        let bs = self.block_size as u64;
        let nblocks = if fragment == u32::MAX {
            size.div_ceil(bs)
        } else {
            size / bs
        } as usize;
        let h = self.inode_bytes(inode_ref, list_at + 4 * nblocks)?;
        let block_sizes = (0..nblocks).map(|i| le32(&h, list_at + 4 * i)).collect();
        Ok(FileInode {
            size,
            blocks_start,
            fragment,
            frag_offset,
            block_sizes,
        })
    }

    /// Streams a file's content, one block at a time, to `sink`.
    pub(crate) fn read_file(
        &self,
        f: &FileInode,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<(), Error> {
        let bs = self.block_size as u64;
        let mut pos = f.blocks_start;
        let mut left = f.size;
        for &b in &f.block_sizes {
            let want = left.min(bs);
            let len = (b & 0x00ff_ffff) as u64;
            if len == 0 {
                sink(&vec![0u8; want as usize]); // sparse block
            } else {
                let data = self.data_block(pos, len, b & (1 << 24) == 0)?;
                if data.len() as u64 != want {
                    return Err(self.err(
                        pos,
                        format!("data block holds {} bytes, {want} expected", data.len()),
                    ));
                }
                sink(&data);
            }
            pos += len;
            left -= want;
        }
        if left > 0 {
            if f.fragment == u32::MAX {
                return Err(self.err(f.blocks_start, "file tail without a fragment"));
            }
            let frag = self.fragment_block(f.fragment)?;
            let s = f.frag_offset as usize;
            let tail = frag.get(s..s + left as usize).ok_or_else(|| {
                self.err(self.frag_table, "file tail lies outside its fragment block")
            })?;
            sink(tail);
        }
        Ok(())
    }

    fn data_block(&self, pos: u64, len: u64, compressed: bool) -> Result<Vec<u8>, Error> {
        let end = pos.checked_add(len).filter(|e| *e <= self.bytes_used);
        let Some(end) = end else {
            return Err(self.err(pos, "data block past the end of the image"));
        };
        let raw = &self.img[pos as usize..end as usize];
        if compressed {
            inflate::inflate(
                raw,
                Framing::Zlib,
                Some(self.block_size as u64),
                self.limits,
            )
            .map_err(|m| self.err(pos, m))
        } else {
            Ok(raw.to_vec())
        }
    }

    fn fragment_block(&self, idx: u32) -> Result<Vec<u8>, Error> {
        if idx >= self.frag_count {
            return Err(self.err(
                self.frag_table,
                format!("fragment {idx} of {}", self.frag_count),
            ));
        }
        let ptr_at = self
            .frag_table
            .checked_add(8 * (idx as u64 / 512))
            .filter(|p| p.checked_add(8).is_some_and(|e| e <= self.bytes_used))
            .ok_or_else(|| self.err(self.frag_table, "fragment table past the end of the image"))?;
        let meta = le64(self.img, ptr_at as usize);
        let e = self.meta_read(meta, (idx as usize % 512) * 16, 16)?;
        let start = le64(&e, 0);
        let size = le32(&e, 8);
        self.data_block(start, (size & 0x00ff_ffff) as u64, size & (1 << 24) == 0)
    }
}
