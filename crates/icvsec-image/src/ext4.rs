//! ext4 read in place through `ext4-view` (read-only, no unsafe code, written for
//! untrusted images). Files are read on demand from the image, never all at once.
//!
//! `ext4-view`'s handle is single-threaded (`Rc`), while a [`Tree`] is shared between
//! threads, so the handle lives on one worker thread that answers requests over a
//! channel; the thread ends when the tree is dropped.

use crate::ImageError;
use crate::source::ReadAt;
use ext4_view::{Ext4, Ext4Error, Ext4Read};
use icvsec_fs::tree::Components;
use icvsec_fs::{EntryType, FsError, Meta, Tree};
use std::sync::Arc;
use std::sync::mpsc::{Sender, SyncSender, channel, sync_channel};

type Reply<T> = SyncSender<Result<T, FsError>>;
type BoxedError = Box<dyn std::error::Error + Send + Sync + 'static>;

enum Req {
    Lstat(Vec<Vec<u8>>, Reply<Option<Meta>>),
    ReadLink(Vec<Vec<u8>>, Reply<Vec<u8>>),
    ReadDir(Vec<Vec<u8>>, usize, Reply<Vec<(Vec<u8>, EntryType)>>),
    ReadFile(Vec<Vec<u8>>, u64, Reply<Vec<u8>>),
}

pub struct Ext4Tree {
    tx: Sender<Req>,
    name: String,
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
        self.with_path(comps, |p| match self.fs.symlink_metadata(p) {
            Ok(m) => Ok(Some(Meta {
                kind: kind(m.file_type()),
                size: m.len(),
            })),
            Err(Ext4Error::NotFound) | Err(Ext4Error::NotADirectory) => Ok(None),
            Err(e) => Err(self.err(e)),
        })
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
        self.with_path(comps, |p| {
            let m = self.fs.symlink_metadata(p).map_err(|e| self.err(e))?;
            match kind(m.file_type()) {
                EntryType::File => {}
                EntryType::Symlink => return Err(FsError::LinkRefused),
                k => return Err(FsError::NotRegular { kind: k.describe() }),
            }
            let limit = limit.min(self.max_file_bytes);
            if m.len() > limit {
                return Err(FsError::TooLarge {
                    size: m.len(),
                    limit,
                });
            }
            self.fs.read(p).map_err(|e| self.err(e))
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
        let (tx, rx) = channel::<Req>();
        let (ready_tx, ready_rx) = sync_channel::<Result<(), String>>(1);
        let wname = name.to_string();
        std::thread::Builder::new()
            .name("ext4-image".into())
            .spawn(move || {
                let fs = match Ext4::load(Box::new(Reader(src))) {
                    Ok(fs) => {
                        let _ = ready_tx.send(Ok(()));
                        fs
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                let w = Worker {
                    fs,
                    name: wname,
                    max_file_bytes,
                };
                // Replies to a caller that went away are dropped.
                while let Ok(req) = rx.recv() {
                    match req {
                        Req::Lstat(p, r) => drop(r.send(w.lstat(&p))),
                        Req::ReadLink(p, r) => drop(r.send(w.read_link(&p))),
                        Req::ReadDir(p, m, r) => drop(r.send(w.read_dir(&p, m))),
                        Req::ReadFile(p, l, r) => drop(r.send(w.read_file(&p, l))),
                    }
                }
            })
            .map_err(|e| ImageError::new(name, "", format!("cannot start the ext4 reader: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(Ext4Tree {
                tx,
                name: name.to_string(),
            }),
            Ok(Err(m)) => Err(ImageError::new(
                name,
                "superblock",
                format!("not a readable ext4 file system: {m}"),
            )),
            Err(_) => Err(ImageError::new(
                name,
                "superblock",
                "the ext4 reader stopped while loading",
            )),
        }
    }

    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Req) -> Result<T, FsError> {
        let (rtx, rrx) = sync_channel(1);
        self.tx
            .send(make(rtx))
            .map_err(|_| FsError::Io(format!("{}: the ext4 reader stopped", self.name)))?;
        rrx.recv()
            .map_err(|_| FsError::Io(format!("{}: the ext4 reader stopped", self.name)))?
    }
}

impl Tree for Ext4Tree {
    fn lstat(&self, path: &Components) -> Result<Option<Meta>, FsError> {
        self.ask(|r| Req::Lstat(path.to_vec(), r))
    }
    fn read_link(&self, path: &Components) -> Result<Vec<u8>, FsError> {
        self.ask(|r| Req::ReadLink(path.to_vec(), r))
    }
    fn read_dir(
        &self,
        path: &Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        self.ask(|r| Req::ReadDir(path.to_vec(), max_entries, r))
    }
    fn read_file(&self, path: &Components, limit: u64) -> Result<Vec<u8>, FsError> {
        self.ask(|r| Req::ReadFile(path.to_vec(), limit, r))
    }
}
