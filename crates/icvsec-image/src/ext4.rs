//! ext4 read in place through `ext4-view` (read-only, no unsafe code, written for
//! untrusted images). Files are read on demand from the image, never all at once.
//!
//! `ext4-view`'s handle is single-threaded (`Rc`), while a [`Tree`] is shared between
//! threads. Each thread that reads the tree loads its own handle over the shared image
//! bytes and keeps it in a thread-local table (no unsafe code, no locking, and no hand-off
//! to a worker thread, which cost two context switches per call).
//! A handle is dropped from a thread's table at that thread's next access after its tree
//! was dropped.

use crate::ImageError;
use crate::source::ReadAt;
use ext4_view::{Ext4, Ext4Error, Ext4Read};
use icvsec_fs::tree::Components;
use icvsec_fs::{EntryType, FsError, Meta, Tree};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

/// Entries of the per-thread lstat cache before it is emptied (about 10 MiB).
const MAX_STAT_CACHE: usize = 65_536;

type BoxedError = Box<dyn std::error::Error + Send + Sync + 'static>;

pub struct Ext4Tree {
    id: u64,
    /// Dropped with the tree: threads then drop their handles.
    alive: Arc<()>,
    src: Arc<dyn ReadAt>,
    name: String,
    max_file_bytes: u64,
    max_entries: usize,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// One thread's handle on one tree: (tree id, the tree's liveness, the handle).
type Handle = (u64, Weak<()>, Rc<Worker>);

thread_local! {
    static HANDLES: RefCell<Vec<Handle>> = const { RefCell::new(Vec::new()) };
}

/// The image bytes for `ext4-view` (which reads ahead several blocks at a time itself:
/// a read-ahead window here only added a copy, measured).
struct Reader(Arc<dyn ReadAt>);

impl Ext4Read for Reader {
    fn read(&mut self, start_byte: u64, dst: &mut [u8]) -> Result<(), BoxedError> {
        self.0
            .read_exact_at(start_byte, dst)
            .map_err(|e| Box::new(e) as _)
    }
}

/// Used inodes from the superblock (count minus free), checked before anything else.
fn used_inodes(src: &dyn ReadAt, name: &str) -> Result<u64, ImageError> {
    let mut sb = [0u8; 20];
    src.read_exact_at(1024, &mut sb).map_err(|e| {
        ImageError::new(
            name,
            "superblock at offset 1024",
            format!("truncated ext4 image: {e}"),
        )
    })?;
    let count = u64::from(u32::from_le_bytes([sb[0], sb[1], sb[2], sb[3]]));
    let free = u64::from(u32::from_le_bytes([sb[16], sb[17], sb[18], sb[19]]));
    Ok(count.saturating_sub(free))
}

fn kind(ft: ext4_view::FileType) -> EntryType {
    if ft.is_regular_file() {
        EntryType::File
    } else if ft.is_dir() {
        EntryType::Dir
    } else if ft.is_symlink() {
        EntryType::Symlink
    } else if ft.is_fifo() {
        EntryType::Fifo
    } else if ft.is_char_dev() {
        EntryType::CharDevice
    } else if ft.is_block_dev() {
        EntryType::BlockDevice
    } else if ft.is_socket() {
        EntryType::Socket
    } else {
        EntryType::Unknown
    }
}

fn path_of(comps: &Components) -> Vec<u8> {
    let mut p = Vec::with_capacity(comps.iter().map(|c| c.len() + 1).sum::<usize>() + 1);
    for c in comps {
        p.push(b'/');
        p.extend_from_slice(c);
    }
    if p.is_empty() {
        p.push(b'/');
    }
    p
}

struct Worker {
    fs: Ext4,
    name: String,
    max_file_bytes: u64,
    /// What `lstat` found (from the inode, not the directory entry's type byte): the
    /// resolver looks at every component of every path, and `ext4-view` re-reads and
    /// re-checksums each directory block on every lookup. Bounded by `max_stat_cache`.
    stats: RefCell<BTreeMap<Vec<Vec<u8>>, Option<Meta>>>,
    max_stat_cache: usize,
}

impl Worker {
    fn err(&self, e: Ext4Error) -> FsError {
        match e {
            Ext4Error::NotFound | Ext4Error::NotADirectory => FsError::NotFound,
            other => FsError::Io(format!("{}: {other}", self.name)),
        }
    }

    fn with_path<T>(
        &self,
        comps: &Components,
        f: impl FnOnce(ext4_view::Path<'_>) -> Result<T, FsError>,
    ) -> Result<T, FsError> {
        let raw = path_of(comps);
        let p = ext4_view::Path::try_from(raw.as_slice())
            .map_err(|e| FsError::Io(format!("{}: invalid name in path: {e}", self.name)))?;
        f(p)
    }

    fn lstat(&self, comps: &Components) -> Result<Option<Meta>, FsError> {
        if let Some(m) = self.stats.borrow().get(comps) {
            return Ok(*m);
        }
        let m = self.with_path(comps, |p| match self.fs.symlink_metadata(p) {
            Ok(m) => Ok(Some(Meta {
                kind: kind(m.file_type()),
                size: m.len(),
            })),
            Err(Ext4Error::NotFound) | Err(Ext4Error::NotADirectory) => Ok(None),
            Err(e) => Err(self.err(e)),
        })?;
        let mut stats = self.stats.borrow_mut();
        if stats.len() >= self.max_stat_cache {
            stats.clear();
        }
        stats.insert(comps.to_vec(), m);
        Ok(m)
    }

    fn read_link(&self, comps: &Components) -> Result<Vec<u8>, FsError> {
        self.with_path(comps, |p| {
            self.fs
                .read_link(p)
                .map(|t| t.as_ref().to_vec())
                .map_err(|e| match e {
                    Ext4Error::NotASymlink => FsError::Io("not a symbolic link".into()),
                    e => self.err(e),
                })
        })
    }

    fn read_dir(
        &self,
        comps: &Components,
        max: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        self.with_path(comps, |p| {
            let mut out = Vec::new();
            for entry in self.fs.read_dir(p).map_err(|e| self.err(e))? {
                let entry = entry.map_err(|e| self.err(e))?;
                let n = entry.file_name();
                let n: &[u8] = n.as_ref();
                if n == b"." || n == b".." {
                    continue;
                }
                if out.len() >= max {
                    return Err(FsError::TooManyEntries { limit: max });
                }
                let k = entry.file_type().map(kind).map_err(|e| self.err(e))?;
                out.push((n.to_vec(), k));
            }
            out.sort();
            Ok(out)
        })
    }

    fn read_file(&self, comps: &Components, limit: u64) -> Result<Vec<u8>, FsError> {
        // The entry itself (not followed), usually already looked at by the resolver.
        let m = self.lstat(comps)?.ok_or(FsError::NotFound)?;
        match m.kind {
            EntryType::File => {}
            EntryType::Symlink => return Err(FsError::LinkRefused),
            k => return Err(FsError::NotRegular { kind: k.describe() }),
        }
        let limit = limit.min(self.max_file_bytes);
        if m.size > limit {
            return Err(FsError::TooLarge {
                size: m.size,
                limit,
            });
        }
        self.with_path(comps, |p| {
            let file = self.fs.open(p).map_err(|e| self.err(e))?;
            let size = file.metadata().len();
            if !file.metadata().file_type().is_regular_file() || size != m.size {
                return Err(FsError::Io(format!(
                    "{}: {}: the inode changed between two lookups (corrupt image)",
                    self.name,
                    icvsec_fs::name::identity(comps)
                )));
            }
            // size <= limit <= max_file_bytes: the allocation is bounded.
            let mut out = vec![0u8; size as usize];
            let mut file = file;
            let mut at = 0;
            while at < out.len() {
                match file.read_bytes(&mut out[at..]) {
                    Ok(0) => break,
                    Ok(n) => at += n,
                    Err(e) => return Err(self.err(e)),
                }
            }
            if at != out.len() {
                return Err(FsError::Io(format!(
                    "{}: {}: {at} bytes of data for a {size}-byte file",
                    self.name,
                    icvsec_fs::name::identity(comps),
                )));
            }
            Ok(out)
        })
    }
}

impl Ext4Tree {
    pub(crate) fn open(
        src: Arc<dyn ReadAt>,
        name: &str,
        max_entries: usize,
        max_file_bytes: u64,
    ) -> Result<Ext4Tree, ImageError> {
        let used = used_inodes(src.as_ref(), name)?;
        if used > max_entries as u64 {
            return Err(ImageError::new(
                name,
                "superblock at offset 1024",
                format!("{used} inodes in use, more than the bound of {max_entries} (max_entries)"),
            ));
        }
        let tree = Ext4Tree {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            alive: Arc::new(()),
            src,
            name: name.to_string(),
            max_file_bytes,
            max_entries,
        };
        // Load once here so that an unreadable image is an error at open.
        tree.worker().map_err(|m| {
            ImageError::new(
                name,
                "superblock",
                format!("not a readable ext4 file system: {m}"),
            )
        })?;
        Ok(tree)
    }

    /// This thread's handle on the image, loaded on first use.
    fn worker(&self) -> Result<Rc<Worker>, String> {
        let found = HANDLES.with(|h| {
            let mut h = h.borrow_mut();
            h.retain(|(_, alive, _)| alive.strong_count() > 0);
            h.iter()
                .find(|(id, _, _)| *id == self.id)
                .map(|(_, _, w)| w.clone())
        });
        if let Some(w) = found {
            return Ok(w);
        }
        let fs = Ext4::load(Box::new(Reader(self.src.clone()))).map_err(|e| e.to_string())?;
        let w = Rc::new(Worker {
            fs,
            name: self.name.clone(),
            max_file_bytes: self.max_file_bytes,
            stats: RefCell::new(BTreeMap::new()),
            max_stat_cache: self.max_entries.clamp(1, MAX_STAT_CACHE),
        });
        HANDLES.with(|h| {
            h.borrow_mut()
                .push((self.id, Arc::downgrade(&self.alive), w.clone()))
        });
        Ok(w)
    }

    fn with<T>(&self, f: impl FnOnce(&Worker) -> Result<T, FsError>) -> Result<T, FsError> {
        let w = self
            .worker()
            .map_err(|m| FsError::Io(format!("{}: {m}", self.name)))?;
        f(&w)
    }
}

impl Tree for Ext4Tree {
    fn lstat(&self, path: &Components) -> Result<Option<Meta>, FsError> {
        self.with(|w| w.lstat(path))
    }
    fn read_link(&self, path: &Components) -> Result<Vec<u8>, FsError> {
        self.with(|w| w.read_link(path))
    }
    fn read_dir(
        &self,
        path: &Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        self.with(|w| w.read_dir(path, max_entries))
    }
    fn read_file(&self, path: &Components, limit: u64) -> Result<Vec<u8>, FsError> {
        self.with(|w| w.read_file(path, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_of_dropped_trees_are_released() {
        let before = HANDLES.with(|h| h.borrow().len());
        // Not an ext4 image: the load at open fails and nothing is kept.
        let src: Arc<dyn ReadAt> = Arc::new(vec![0u8; 4096]);
        assert!(Ext4Tree::open(src, "zero.img", 10, 10).is_err());
        assert_eq!(HANDLES.with(|h| h.borrow().len()), before);
        let demo = include_bytes!("../../../fixtures/images/demo-rootfs.ext4").to_vec();
        let passwd = [b"etc".to_vec(), b"passwd".to_vec()];
        let a = Ext4Tree::open(Arc::new(demo.clone()), "a.ext4", 100, 1 << 20).unwrap();
        assert!(
            a.read_file(&passwd, 4096)
                .unwrap()
                .starts_with(b"root:x:0:0")
        );
        assert_eq!(HANDLES.with(|h| h.borrow().len()), before + 1);
        // Another thread gets its own handle, released when its tree goes.
        let b = Ext4Tree::open(Arc::new(demo), "b.ext4", 100, 1 << 20).unwrap();
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(
                    b.read_file(&passwd, 4096)
                        .unwrap()
                        .starts_with(b"root:x:0:0")
                );
                assert_eq!(HANDLES.with(|h| h.borrow().len()), 1);
            });
        });
        drop(a);
        drop(b);
        let c: Arc<dyn ReadAt> = Arc::new(vec![0u8; 4096]);
        let _ = Ext4Tree::open(c, "zero.img", 10, 10);
        assert_eq!(HANDLES.with(|h| h.borrow().len()), before);
    }
}
