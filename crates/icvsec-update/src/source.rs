//! Random access to a package's bytes, in memory or in a file, so that large payloads
//! are hashed in bounded chunks ([`crate::hash::CHUNK`]) instead of being loaded whole.
//! Only metadata (headers, names, sw-description, signatures) is ever copied out, each
//! under its own bound.

use std::io;

/// Bytes addressed by offset. Reads past the end are `UnexpectedEof` errors.
pub trait Source {
    fn len(&self) -> u64;
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Source for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start = usize::try_from(offset).map_err(|_| eof())?;
        let end = start.checked_add(buf.len()).ok_or_else(eof)?;
        let src = self.get(start..end).ok_or_else(eof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
}

fn eof() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "read past the end of the package",
    )
}

/// A package file read in place (positioned reads; the file is never loaded whole).
pub struct FileSource {
    file: std::fs::File,
    len: u64,
}

impl FileSource {
    /// Wraps an open regular file; its length is taken once, now.
    pub fn new(file: std::fs::File) -> io::Result<FileSource> {
        let len = file.metadata()?.len();
        Ok(FileSource { file, len })
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset.checked_add(buf.len() as u64).ok_or_else(eof)?;
        if end > self.len {
            return Err(eof());
        }
        std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, offset)
    }
}

/// Copies `len` bytes at `offset` out of the source; `len` must already be bounded by
/// the caller (metadata limit).
pub(crate) fn read_vec(src: &dyn Source, offset: u64, len: usize) -> io::Result<Vec<u8>> {
    let mut v = vec![0u8; len];
    src.read_at(offset, &mut v)?;
    Ok(v)
}

/// SHA-256 and the 32-bit byte sum (cpio `crc` format) of `len` bytes at `offset`, read
/// in [`crate::hash::CHUNK`]-byte pieces.
pub(crate) fn digest_range(
    src: &dyn Source,
    offset: u64,
    len: u64,
    with_sum: bool,
) -> io::Result<([u8; 32], u32)> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; crate::hash::CHUNK.min(usize::try_from(len).unwrap_or(usize::MAX))];
    let mut done = 0u64;
    let mut sum = 0u32;
    while done < len {
        let n = (len - done).min(buf.len() as u64) as usize;
        src.read_at(offset + done, &mut buf[..n])?;
        ctx.update(&buf[..n]);
        if with_sum {
            sum = buf[..n]
                .iter()
                .fold(sum, |a, b| a.wrapping_add(u32::from(*b)));
        }
        done += n as u64;
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    Ok((out, sum))
}
