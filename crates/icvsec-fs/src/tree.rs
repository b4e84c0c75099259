//! The read-only view of a file tree that the resolver and the parsers use. Paths are
//! lists of raw name components relative to the tree's root and never contain links
//! that the implementation would follow: [`crate::resolve`] turns a path with links
//! into a link-free one first.

use crate::FsError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntryType {
    File,
    Dir,
    Symlink,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,
    Unknown,
}

impl EntryType {
    pub fn describe(self) -> &'static str {
        match self {
            EntryType::File => "regular file",
            EntryType::Dir => "directory",
            EntryType::Symlink => "symbolic link",
            EntryType::Fifo => "FIFO",
            EntryType::CharDevice => "character device",
            EntryType::BlockDevice => "block device",
            EntryType::Socket => "socket",
            EntryType::Unknown => "special file",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    pub kind: EntryType,
    pub size: u64,
}

/// Path components: raw bytes, no `/`, no `.` or `..` (the resolver removes them).
pub type Components = [Vec<u8>];

pub trait Tree: Send + Sync {
    /// The entry itself (a link is reported as a link); `Ok(None)` when absent.
    fn lstat(&self, path: &Components) -> Result<Option<Meta>, FsError>;
    /// The target of a symbolic link, raw.
    fn read_link(&self, path: &Components) -> Result<Vec<u8>, FsError>;
    /// Entries of a directory, sorted by name; at most `max_entries`, else an error.
    fn read_dir(
        &self,
        path: &Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError>;
    /// Contents of a regular file, at most `limit` bytes (else [`FsError::TooLarge`]).
    /// The last component is not followed if it is a link; special files are refused.
    fn read_file(&self, path: &Components, limit: u64) -> Result<Vec<u8>, FsError>;
    /// The first `n` bytes of a regular file (all of it when shorter), for recognising a
    /// file by content. Trees that can read a prefix alone override this; the default
    /// reads the whole file when it is at most `max` bytes (else [`FsError::TooLarge`]).
    fn read_prefix(&self, path: &Components, n: u64, max: u64) -> Result<Vec<u8>, FsError> {
        let mut b = self.read_file(path, max)?;
        b.truncate(usize::try_from(n).unwrap_or(usize::MAX));
        Ok(b)
    }

    /// The regular file opened for reading in place (large files hashed in chunks), with
    /// the same checks as [`Tree::read_file`]; `Ok(None)` for trees that cannot hand out
    /// an open file (files inside images), whose callers fall back on `read_file`.
    fn open_file(&self, path: &Components) -> Result<Option<std::fs::File>, FsError> {
        let _ = path;
        Ok(None)
    }
}
