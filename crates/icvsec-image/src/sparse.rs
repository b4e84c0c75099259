//! Android sparse images (`img2simg` output, fastboot): a header, then chunks that are
//! raw blocks, a 4-byte fill pattern repeated, or "don't care" (zeros). The decoder
//! checks every chunk header once, builds an index of extents, and presents the expanded
//! image through [`ReadAt`] without ever materialising it.

use crate::ImageError;
use crate::sniff::SPARSE_MAGIC;
use crate::source::ReadAt;
use std::io;
use std::sync::Arc;

const CHUNK_RAW: u16 = 0xCAC1;
const CHUNK_FILL: u16 = 0xCAC2;
const CHUNK_DONT_CARE: u16 = 0xCAC3;
const CHUNK_CRC32: u16 = 0xCAC4;
const FILE_HEADER_LEN: u16 = 28;
const CHUNK_HEADER_LEN: u16 = 12;
/// Block sizes above this are not produced by any tool and only serve to inflate sizes.
const MAX_BLOCK_SIZE: u32 = 64 << 20;

#[derive(Clone, Copy, Debug)]
enum Data {
    Raw { file_offset: u64 },
    Fill([u8; 4]),
    Zero,
}

#[derive(Clone, Copy, Debug)]
struct Extent {
    /// Byte offset in the expanded image.
    start: u64,
    len: u64,
    data: Data,
}

pub struct SparseImage {
    src: Arc<dyn ReadAt>,
    extents: Vec<Extent>,
    size: u64,
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

impl SparseImage {
    /// Index the sparse image in `src`. The expanded size must not exceed
    /// `max_expanded`, and the chunk count must not exceed `max_chunks`.
    pub fn open(
        src: Arc<dyn ReadAt>,
        name: &str,
        max_expanded: u64,
        max_chunks: usize,
    ) -> Result<SparseImage, ImageError> {
        let err = |place: String, msg: String| ImageError::new(name, place, msg);
        let io_err = |place: String, e: io::Error| {
            ImageError::new(name, place, format!("truncated sparse image: {e}"))
        };
        let mut h = [0u8; FILE_HEADER_LEN as usize];
        src.read_exact_at(0, &mut h)
            .map_err(|e| io_err("file header".into(), e))?;
        if u32_at(&h, 0) != SPARSE_MAGIC {
            return Err(err("offset 0".into(), "not an Android sparse image".into()));
        }
        let major = u16_at(&h, 4);
        let file_hdr = u16_at(&h, 8);
        let chunk_hdr = u16_at(&h, 10);
        let blk_sz = u32_at(&h, 12);
        let total_blks = u32_at(&h, 16);
        let total_chunks = u32_at(&h, 20);
        if major != 1 {
            return Err(err(
                "offset 4".into(),
                format!("sparse format version {major} (only 1 is defined)"),
            ));
        }
        if file_hdr < FILE_HEADER_LEN || chunk_hdr < CHUNK_HEADER_LEN {
            return Err(err(
                "offset 8".into(),
                format!("header sizes {file_hdr}/{chunk_hdr} smaller than the format's 28/12"),
            ));
        }
        if blk_sz == 0 || !blk_sz.is_multiple_of(4) || blk_sz > MAX_BLOCK_SIZE {
            return Err(err(
                "offset 12".into(),
                format!("block size {blk_sz} invalid"),
            ));
        }
        let size = u64::from(total_blks) * u64::from(blk_sz);
        if size > max_expanded {
            return Err(err(
                "offset 16".into(),
                format!(
                    "claims {total_blks} blocks of {blk_sz} bytes ({size} bytes), more than the {max_expanded}-byte bound (max_expanded_bytes); not read"
                ),
            ));
        }
        if total_chunks as usize > max_chunks {
            return Err(err(
                "offset 20".into(),
                format!(
                    "claims {total_chunks} chunks, more than the bound of {max_chunks} (max_entries)"
                ),
            ));
        }
        // Each chunk has a header in the file: a count the file cannot hold is a lie.
        if u64::from(total_chunks) * u64::from(chunk_hdr) > src.size() {
            return Err(err(
                "offset 20".into(),
                format!(
                    "claims {total_chunks} chunks, more than the {}-byte file can hold",
                    src.size()
                ),
            ));
        }
        let mut extents = Vec::with_capacity(total_chunks as usize);
        let mut pos = u64::from(file_hdr);
        let mut out = 0u64;
        let bs = u64::from(blk_sz);
        for i in 0..total_chunks {
            let place = format!("chunk {i} at offset {pos}");
            let mut c = [0u8; CHUNK_HEADER_LEN as usize];
            src.read_exact_at(pos, &mut c)
                .map_err(|e| io_err(place.clone(), e))?;
            let kind = u16_at(&c, 0);
            let blocks = u64::from(u32_at(&c, 4));
            let total = u64::from(u32_at(&c, 8));
            let body = pos + u64::from(chunk_hdr);
            let len = blocks * bs;
            let (data, want) = match kind {
                CHUNK_RAW => (Data::Raw { file_offset: body }, u64::from(chunk_hdr) + len),
                CHUNK_FILL => {
                    let mut f = [0u8; 4];
                    src.read_exact_at(body, &mut f)
                        .map_err(|e| io_err(place.clone(), e))?;
                    (Data::Fill(f), u64::from(chunk_hdr) + 4)
                }
                CHUNK_DONT_CARE => (Data::Zero, u64::from(chunk_hdr)),
                // The checksum of the data so far; it produces no blocks (not verified).
                CHUNK_CRC32 => (Data::Zero, u64::from(chunk_hdr) + 4),
                other => {
                    return Err(err(place, format!("unknown chunk type {other:#06x}")));
                }
            };
            if total != want {
                return Err(err(
                    place,
                    format!(
                        "chunk size {total} does not match its {blocks} blocks ({want} expected)"
                    ),
                ));
            }
            if kind == CHUNK_CRC32 && blocks != 0 {
                return Err(err(place, "CRC32 chunk covering blocks".into()));
            }
            if body.saturating_add(want - u64::from(chunk_hdr)) > src.size() {
                return Err(err(
                    place,
                    format!(
                        "chunk data runs past the end of the {}-byte file",
                        src.size()
                    ),
                ));
            }
            if out + len > size {
                return Err(err(
                    place,
                    format!("chunks cover more than the {total_blks} blocks the header declares"),
                ));
            }
            if len > 0 {
                extents.push(Extent {
                    start: out,
                    len,
                    data,
                });
            }
            out += len;
            pos += total;
        }
        if out != size {
            return Err(err(
                format!("after chunk {total_chunks}"),
                format!("chunks cover {out} bytes, the header declares {size}"),
            ));
        }
        Ok(SparseImage { src, extents, size })
    }
}

impl ReadAt for SparseImage {
    fn size(&self) -> u64 {
        self.size
    }
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|e| *e <= self.size)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "read past the end of the sparse image",
                )
            })?;
        let mut at = offset;
        let mut i = self.extents.partition_point(|e| e.start + e.len <= offset);
        while at < end {
            let e = self
                .extents
                .get(i)
                .ok_or_else(|| io::Error::other("sparse index hole"))?;
            let within = at - e.start;
            let n = (e.len - within).min(end - at) as usize;
            let dst = &mut buf[(at - offset) as usize..(at - offset) as usize + n];
            match e.data {
                Data::Raw { file_offset } => self.src.read_exact_at(file_offset + within, dst)?,
                Data::Zero => dst.fill(0),
                Data::Fill(p) => {
                    for (k, b) in dst.iter_mut().enumerate() {
                        *b = p[((within as usize) + k) % 4];
                    }
                }
            }
            at += n as u64;
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(blk: u32, blocks: u32, chunks: u32) -> Vec<u8> {
        let mut h = SPARSE_MAGIC.to_le_bytes().to_vec();
        h.extend_from_slice(&1u16.to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(&28u16.to_le_bytes());
        h.extend_from_slice(&12u16.to_le_bytes());
        h.extend_from_slice(&blk.to_le_bytes());
        h.extend_from_slice(&blocks.to_le_bytes());
        h.extend_from_slice(&chunks.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
        h
    }
    fn chunk(kind: u16, blocks: u32, body: &[u8]) -> Vec<u8> {
        let mut c = kind.to_le_bytes().to_vec();
        c.extend_from_slice(&[0, 0]);
        c.extend_from_slice(&blocks.to_le_bytes());
        c.extend_from_slice(&(12 + body.len() as u32).to_le_bytes());
        c.extend_from_slice(body);
        c
    }

    #[test]
    fn raw_fill_and_holes_expand() {
        let mut img = header(8, 4, 3);
        img.extend(chunk(CHUNK_RAW, 1, b"ABCDEFGH"));
        img.extend(chunk(CHUNK_DONT_CARE, 2, b""));
        img.extend(chunk(CHUNK_FILL, 1, b"wxyz"));
        let s = SparseImage::open(Arc::new(img), "s.img", 1 << 20, 10).unwrap();
        assert_eq!(s.size(), 32);
        let mut b = vec![0u8; 32];
        s.read_exact_at(0, &mut b).unwrap();
        assert_eq!(&b[..], b"ABCDEFGH\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0wxyzwxyz");
        let mut b = [0u8; 5];
        s.read_exact_at(5, &mut b).unwrap();
        assert_eq!(&b, b"FGH\0\0");
        assert!(s.read_exact_at(30, &mut b).is_err());
    }

    #[test]
    fn lies_are_errors() {
        // A header claiming 4 G blocks of 64 MiB.
        let img = header(64 << 20, u32::MAX, 1);
        let e = SparseImage::open(Arc::new(img), "huge.img", 1 << 30, 10)
            .err()
            .unwrap();
        assert!(e.message.contains("max_expanded_bytes"), "{e}");
        let mut img = header(8, 4, 1);
        img.extend(chunk(CHUNK_RAW, 4, b"short"));
        let e = SparseImage::open(Arc::new(img), "t.img", 1 << 20, 10)
            .err()
            .unwrap();
        assert_eq!(e.place, "chunk 0 at offset 28");
        let img = header(8, 4, 1_000_000);
        assert!(SparseImage::open(Arc::new(img), "c.img", 1 << 20, 10).is_err());
    }
}
