//! Random access to the bytes of an image: a file read in place with positioned reads,
//! bytes in memory (a decompressed or nested image), or an expanded Android sparse image.

use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

/// Positioned reads; `read_exact_at` fails rather than returning fewer bytes.
pub trait ReadAt: Send + Sync {
    fn size(&self) -> u64;
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

/// An image file on disk, never loaded whole.
pub struct FileSource {
    file: std::fs::File,
    size: u64,
}

impl FileSource {
    pub fn new(file: std::fs::File) -> io::Result<FileSource> {
        let size = file.metadata()?.len();
        Ok(FileSource { file, size })
    }
}

fn out_of_range(offset: u64, len: usize, size: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        format!("read of {len} bytes at offset {offset} past the end ({size} bytes)"),
    )
}

impl ReadAt for FileSource {
    fn size(&self) -> u64 {
        self.size
    }
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        // The size is fixed at open: a file that grows later is not read past it.
        if offset
            .checked_add(buf.len() as u64)
            .is_none_or(|end| end > self.size)
        {
            return Err(out_of_range(offset, buf.len(), self.size));
        }
        self.file.read_exact_at(buf, offset)
    }
}

impl ReadAt for Vec<u8> {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let start =
            usize::try_from(offset).map_err(|_| out_of_range(offset, buf.len(), self.size()))?;
        let end = start
            .checked_add(buf.len())
            .filter(|e| *e <= self.len())
            .ok_or_else(|| out_of_range(offset, buf.len(), self.size()))?;
        buf.copy_from_slice(&self[start..end]);
        Ok(())
    }
}

/// A `Read + Seek` cursor over a [`ReadAt`] (for readers that want a stream).
pub struct Cursor {
    src: Arc<dyn ReadAt>,
    pos: u64,
}

impl Cursor {
    pub fn new(src: Arc<dyn ReadAt>) -> Cursor {
        Cursor { src, pos: 0 }
    }
}

impl Read for Cursor {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.src.size().saturating_sub(self.pos);
        let n = (buf.len() as u64).min(left) as usize;
        if n == 0 {
            return Ok(0);
        }
        self.src.read_exact_at(self.pos, &mut buf[..n])?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Cursor {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.src.size().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the image",
            )),
        }
    }
}
