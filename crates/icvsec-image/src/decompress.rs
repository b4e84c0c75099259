//! Whole-stream decompression with a bound on the output: gzip (every member, as
//! `gunzip` reads them), xz, zstd (every frame) and the LZ4 legacy frame of Android
//! ramdisks. The output is produced in chunks and the bound is checked as it grows, so
//! a bomb stops at the bound instead of filling memory.

use crate::ImageError;
use crate::sniff::ImageKind;
use std::io::{self, BufRead, BufReader, Read, Write};

const CHUNK: usize = 64 * 1024;

/// A writer that refuses to grow past `cap`.
struct Capped<'a> {
    out: &'a mut Vec<u8>,
    cap: u64,
}

impl Write for Capped<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.len() as u64 + buf.len() as u64 > self.cap {
            return Err(io::Error::other(OverCap));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug)]
struct OverCap;
impl std::fmt::Display for OverCap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("output bound reached")
    }
}
impl std::error::Error for OverCap {}

fn is_over_cap(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|i| i.is::<OverCap>())
}

/// Read `r` to its end into `out`, failing once more than `cap` bytes came out.
fn drain(mut r: impl Read, out: &mut Vec<u8>, cap: u64) -> io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        Capped { out, cap }.write_all(&buf[..n])?;
    }
}

/// Decompress all of `input` (a `kind` stream) into memory, at most `cap` bytes
/// (`why` says which bound that is). `name` names the stream in errors.
pub(crate) fn decompress(
    kind: ImageKind,
    input: impl Read,
    name: &str,
    cap: u64,
    why: &str,
) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let res = match kind {
        ImageKind::Gzip => drain(flate2::read::MultiGzDecoder::new(input), &mut out, cap),
        ImageKind::Xz => {
            let mut w = Capped { out: &mut out, cap };
            lzma_rs::xz_decompress(&mut BufReader::new(input), &mut w).map_err(|e| match e {
                lzma_rs::error::Error::IoError(io) => io,
                other => io::Error::other(format!("{other:?}")),
            })
        }
        ImageKind::Zstd => zstd_all(BufReader::new(input), &mut out, cap),
        ImageKind::Lz4Legacy => lz4_legacy(input, &mut out, cap),
        other => {
            return Err(ImageError::new(
                name,
                "offset 0",
                format!("{} is not a compression format", other.name()),
            ));
        }
    };
    match res {
        Ok(()) => Ok(out),
        Err(e) if is_over_cap(&e) => Err(ImageError::new(
            name,
            format!("decompressed offset {}", out.len()),
            format!("{} stream {why}; not read further", kind.name()),
        )),
        Err(e) => Err(ImageError::new(
            name,
            format!("decompressed offset {}", out.len()),
            format!("corrupt {} stream: {e}", kind.name()),
        )),
    }
}

fn zstd_all(mut input: impl BufRead, out: &mut Vec<u8>, cap: u64) -> io::Result<()> {
    // A zstd file may hold several frames one after another, as `zstd -d` reads them.
    loop {
        if input.fill_buf()?.is_empty() {
            return Ok(());
        }
        let dec = ruzstd::decoding::StreamingDecoder::new(&mut input)
            .map_err(|e| io::Error::other(e.to_string()))?;
        drain(dec, out, cap)?;
    }
}

const LZ4_LEGACY_MAGIC: u32 = 0x184C_2102;
/// Each legacy block decompresses to at most 8 MiB.
const LZ4_LEGACY_BLOCK: usize = 8 << 20;

fn lz4_legacy(mut input: impl Read, out: &mut Vec<u8>, cap: u64) -> io::Result<()> {
    let mut word = [0u8; 4];
    input.read_exact(&mut word)?;
    if u32::from_le_bytes(word) != LZ4_LEGACY_MAGIC {
        return Err(io::Error::other("no lz4 legacy magic"));
    }
    let max_in = LZ4_LEGACY_BLOCK + LZ4_LEGACY_BLOCK / 255 + 16;
    let mut block = Vec::new();
    let mut dec = vec![0u8; LZ4_LEGACY_BLOCK];
    loop {
        // End of input (or the few bytes of size trailer some tools append) ends the stream.
        match read_word(&mut input, &mut word)? {
            0 => return Ok(()),
            4 => {}
            _ => return Ok(()),
        }
        let n = u32::from_le_bytes(word);
        if n == LZ4_LEGACY_MAGIC {
            continue; // the next concatenated frame
        }
        let n = n as usize;
        if n == 0 || n > max_in {
            // Kernels stop at a block size that cannot be one (an appended size field).
            if out.is_empty() {
                return Err(io::Error::other(format!("lz4 block size {n} out of range")));
            }
            return Ok(());
        }
        block.resize(n, 0);
        input.read_exact(&mut block)?;
        let m = lz4_flex::block::decompress_into(&block, &mut dec)
            .map_err(|e| io::Error::other(e.to_string()))?;
        Capped { out, cap }.write_all(&dec[..m])?;
    }
}

fn read_word(r: &mut impl Read, word: &mut [u8; 4]) -> io::Result<usize> {
    let mut got = 0;
    while got < 4 {
        match r.read(&mut word[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_members_are_all_read_and_the_bound_holds() {
        let mut one = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        one.write_all(&[0u8; 10_000]).unwrap();
        let one = one.finish().unwrap();
        let two = [one.clone(), one].concat();
        let out = decompress(ImageKind::Gzip, &two[..], "t.gz", 20_000, "x").unwrap();
        assert_eq!(out.len(), 20_000);
        let e = decompress(ImageKind::Gzip, &two[..], "t.gz", 19_999, "too big").unwrap_err();
        assert!(e.message.contains("too big"), "{e}");
        let e = decompress(ImageKind::Gzip, &two[..7], "t.gz", 1 << 20, "x").unwrap_err();
        assert!(e.message.contains("corrupt gzip"), "{e}");
    }

    #[test]
    fn lz4_legacy_blocks() {
        let data = b"hello hello hello hello lz4".repeat(100);
        let block = lz4_flex::block::compress(&data);
        let mut s = LZ4_LEGACY_MAGIC.to_le_bytes().to_vec();
        s.extend_from_slice(&(block.len() as u32).to_le_bytes());
        s.extend_from_slice(&block);
        assert_eq!(
            decompress(ImageKind::Lz4Legacy, &s[..], "r", 1 << 20, "x").unwrap(),
            data
        );
        assert!(decompress(ImageKind::Lz4Legacy, &s[..], "r", 10, "x").is_err());
    }
}
