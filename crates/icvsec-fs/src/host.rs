//! The one opener for files on disk.
//!
//! A [`HostTree`] holds a descriptor of the build root. Every access walks the path one
//! component at a time with `openat(O_NOFOLLOW | O_DIRECTORY)`, so no link, not even one
//! swapped in after discovery, is ever followed; files are checked with `statat` before
//! they are opened (a FIFO, device or socket is never opened: opening a FIFO blocks and
//! opening a device can have effects) and with `fstat` after (the same inode, still a
//! regular file), then read with a bound.

use crate::FsError;
use crate::tree::{Components, EntryType, Meta, Tree};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use std::ffi::OsStr;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct HostTree {
    root: OwnedFd,
    root_path: PathBuf,
    /// Directories opened lately, by their components: a build's files come directory by
    /// directory, and walking every component again for each file was most of the cost of
    /// reading small files (an `openat` and a `close` per component). Each handle was
    /// opened component by component with `O_NOFOLLOW`, like any other, so no link is
    /// followed through it; a scan expects the build not to change under it (a directory
    /// moved during the scan is read where its handle points).
    dirs: Mutex<DirCache>,
}

/// The last few directory handles, most recent last.
#[derive(Debug, Default)]
struct DirCache {
    entries: Vec<(Vec<Vec<u8>>, Arc<OwnedFd>)>,
}

/// Directory handles kept: enough for the threads walking a build in parallel.
const DIR_CACHE: usize = 32;

impl DirCache {
    /// The cached directory with the longest prefix of `comps`, and that prefix's length.
    fn nearest(&self, comps: &Components) -> Option<(usize, Arc<OwnedFd>)> {
        // Most look-ups are for the directory used last (the files of one directory come
        // one after another): look from the most recent end and stop at an exact match.
        let mut best: Option<&(Vec<Vec<u8>>, Arc<OwnedFd>)> = None;
        for e in self.entries.iter().rev() {
            if e.0.len() == comps.len() && e.0[..] == *comps {
                return Some((e.0.len(), e.1.clone()));
            }
            if comps.starts_with(&e.0) && best.is_none_or(|b| e.0.len() > b.0.len()) {
                best = Some(e);
            }
        }
        best.map(|(p, fd)| (p.len(), fd.clone()))
    }

    fn insert(&mut self, comps: &Components, fd: Arc<OwnedFd>) {
        if let Some(i) = self.entries.iter().position(|(p, _)| p[..] == *comps) {
            let e = self.entries.remove(i);
            self.entries.push(e);
            return;
        }
        if self.entries.len() >= DIR_CACHE {
            self.entries.remove(0);
        }
        self.entries.push((comps.to_vec(), fd));
    }
}

fn kind_of(ft: FileType) -> EntryType {
    match ft {
        FileType::RegularFile => EntryType::File,
        FileType::Directory => EntryType::Dir,
        FileType::Symlink => EntryType::Symlink,
        FileType::Fifo => EntryType::Fifo,
        FileType::CharacterDevice => EntryType::CharDevice,
        FileType::BlockDevice => EntryType::BlockDevice,
        FileType::Socket => EntryType::Socket,
        _ => EntryType::Unknown,
    }
}

fn io_err(e: rustix::io::Errno) -> FsError {
    match e {
        rustix::io::Errno::NOENT => FsError::NotFound,
        rustix::io::Errno::LOOP => FsError::LinkRefused,
        other => FsError::Io(std::io::Error::from(other).to_string()),
    }
}

fn os(c: &[u8]) -> &OsStr {
    OsStr::from_bytes(c)
}

const DIR_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

impl HostTree {
    /// Open the build root. The root itself is the user's choice (command line), so a link
    /// naming it is followed once, here; nothing below it ever is.
    pub fn open(root: &Path) -> Result<HostTree, FsError> {
        let fd = rustix::fs::open(
            root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| match e {
            rustix::io::Errno::NOTDIR => FsError::NotRegular {
                kind: "not a directory",
            },
            other => io_err(other),
        })?;
        Ok(HostTree {
            root: fd,
            root_path: root.to_path_buf(),
            dirs: Mutex::new(DirCache::default()),
        })
    }

    pub fn root_path(&self) -> &Path {
        &self.root_path
    }

    /// The directory at `comps`, opened without following any link.
    fn open_dir(&self, comps: &Components) -> Result<Arc<OwnedFd>, FsError> {
        let cached = self.dirs.lock().ok().and_then(|c| c.nearest(comps));
        let (done, mut cur) = match cached {
            Some((n, fd)) if n == comps.len() => return Ok(fd),
            Some((n, fd)) => (n, fd),
            None => (
                0,
                Arc::new(
                    rustix::fs::openat(&self.root, ".", DIR_FLAGS, Mode::empty())
                        .map_err(io_err)?,
                ),
            ),
        };
        for c in &comps[done..] {
            let next = match rustix::fs::openat(&*cur, os(c), DIR_FLAGS, Mode::empty()) {
                Ok(fd) => fd,
                // O_DIRECTORY|O_NOFOLLOW on a link fails with ENOTDIR (or ELOOP): say which.
                Err(rustix::io::Errno::NOTDIR) => {
                    return match rustix::fs::statat(&*cur, os(c), AtFlags::SYMLINK_NOFOLLOW) {
                        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::Symlink => {
                            Err(FsError::LinkRefused)
                        }
                        _ => Err(FsError::NotFound),
                    };
                }
                Err(e) => return Err(io_err(e)),
            };
            cur = Arc::new(next);
        }
        if let Ok(mut c) = self.dirs.lock() {
            c.insert(comps, cur.clone());
        }
        Ok(cur)
    }

    /// Write a file below the root (what `icvsec init` writes): missing directories are
    /// created, and no component, the file included, is ever a link that gets followed
    /// (`O_NOFOLLOW` everywhere: a dangling link in the way is an error, not a way out).
    pub fn write_file(&self, comps: &Components, data: &[u8]) -> Result<(), FsError> {
        use std::io::Write;
        let (parent, last) = Self::split(comps).ok_or(FsError::NotRegular { kind: "directory" })?;
        let mut cur =
            rustix::fs::openat(&self.root, ".", DIR_FLAGS, Mode::empty()).map_err(io_err)?;
        for c in parent {
            match rustix::fs::mkdirat(&cur, os(c), Mode::from_raw_mode(0o755)) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                Err(e) => return Err(io_err(e)),
            }
            cur = match rustix::fs::openat(&cur, os(c), DIR_FLAGS, Mode::empty()) {
                Ok(fd) => fd,
                Err(rustix::io::Errno::NOTDIR) | Err(rustix::io::Errno::LOOP) => {
                    return Err(FsError::LinkRefused);
                }
                Err(e) => return Err(io_err(e)),
            };
        }
        let fd = rustix::fs::openat(
            &cur,
            os(last),
            OFlags::WRONLY
                | OFlags::CREATE
                | OFlags::TRUNC
                | OFlags::NOFOLLOW
                | OFlags::NONBLOCK
                | OFlags::CLOEXEC
                | OFlags::NOCTTY,
            Mode::from_raw_mode(0o644),
        )
        .map_err(io_err)?;
        let st = rustix::fs::fstat(&fd).map_err(io_err)?;
        let kind = kind_of(FileType::from_raw_mode(st.st_mode));
        if kind != EntryType::File {
            return Err(FsError::NotRegular {
                kind: kind.describe(),
            });
        }
        let mut f = std::fs::File::from(fd);
        f.write_all(data).map_err(FsError::io)
    }

    fn split(comps: &Components) -> Option<(&Components, &[u8])> {
        comps
            .split_last()
            .map(|(last, parent)| (parent, last.as_slice()))
    }

    /// The regular file at `comps`, opened with the same checks as [`Tree::read_file`]
    /// (no link followed, looked at before opening, the same inode after): for readers
    /// that need random access to a large file, such as a firmware image read in place.
    pub fn open_regular(&self, path: &Components) -> Result<std::fs::File, FsError> {
        let (parent, last) = Self::split(path).ok_or(FsError::NotRegular { kind: "directory" })?;
        let dir = self.open_dir(parent)?;
        // Look before opening: a FIFO would block the open, a device may act on it.
        let before =
            rustix::fs::statat(&dir, os(last), AtFlags::SYMLINK_NOFOLLOW).map_err(io_err)?;
        let kind = kind_of(FileType::from_raw_mode(before.st_mode));
        if kind != EntryType::File {
            return Err(match kind {
                EntryType::Symlink => FsError::LinkRefused,
                k => FsError::NotRegular { kind: k.describe() },
            });
        }
        // O_NONBLOCK: should the entry become a FIFO between the two calls, the open
        // returns at once instead of waiting for a writer; fstat below refuses it.
        let fd = rustix::fs::openat(
            &dir,
            os(last),
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
        )
        .map_err(io_err)?;
        let st = rustix::fs::fstat(&fd).map_err(io_err)?;
        let kind = kind_of(FileType::from_raw_mode(st.st_mode));
        if kind != EntryType::File {
            return Err(FsError::NotRegular {
                kind: kind.describe(),
            });
        }
        if st.st_ino != before.st_ino || st.st_dev != before.st_dev {
            return Err(FsError::Io(
                "the file changed while it was opened; not read".into(),
            ));
        }
        Ok(std::fs::File::from(fd))
    }

    fn stat_at(&self, comps: &Components) -> Result<Option<Stat>, FsError> {
        let Some((parent, last)) = Self::split(comps) else {
            return rustix::fs::fstat(&self.root).map(Some).map_err(io_err);
        };
        let dir = match self.open_dir(parent) {
            Ok(d) => d,
            Err(FsError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        match rustix::fs::statat(&dir, os(last), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some(st)),
            Err(rustix::io::Errno::NOENT) | Err(rustix::io::Errno::NOTDIR) => Ok(None),
            Err(e) => Err(io_err(e)),
        }
    }
}

impl Tree for HostTree {
    fn lstat(&self, path: &Components) -> Result<Option<Meta>, FsError> {
        Ok(self.stat_at(path)?.map(|st| Meta {
            kind: kind_of(FileType::from_raw_mode(st.st_mode)),
            size: st.st_size.max(0) as u64,
        }))
    }

    fn read_link(&self, path: &Components) -> Result<Vec<u8>, FsError> {
        let (parent, last) = Self::split(path).ok_or(FsError::NotFound)?;
        let dir = self.open_dir(parent)?;
        let target = rustix::fs::readlinkat(&dir, os(last), Vec::new()).map_err(io_err)?;
        Ok(target.into_bytes())
    }

    fn read_dir(
        &self,
        path: &Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        let dir = self.open_dir(path)?;
        let mut rd = rustix::fs::Dir::read_from(&dir).map_err(io_err)?;
        let mut out = Vec::new();
        while let Some(entry) = rd.read() {
            let entry = entry.map_err(io_err)?;
            let name = entry.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            if out.len() >= max_entries {
                return Err(FsError::TooManyEntries { limit: max_entries });
            }
            let mut kind = kind_of(entry.file_type());
            if kind == EntryType::Unknown {
                kind = match rustix::fs::statat(&dir, entry.file_name(), AtFlags::SYMLINK_NOFOLLOW)
                {
                    Ok(st) => kind_of(FileType::from_raw_mode(st.st_mode)),
                    Err(_) => EntryType::Unknown,
                };
            }
            out.push((name.to_vec(), kind));
        }
        out.sort();
        Ok(out)
    }

    fn open_file(&self, path: &Components) -> Result<Option<std::fs::File>, FsError> {
        self.open_regular(path).map(Some)
    }

    fn read_file(&self, path: &Components, limit: u64) -> Result<Vec<u8>, FsError> {
        let file = self.open_regular(path)?;
        let st = rustix::fs::fstat(&file).map_err(io_err)?;
        let size = st.st_size.max(0) as u64;
        if size > limit {
            return Err(FsError::TooLarge { size, limit });
        }
        let mut buf = Vec::with_capacity(size as usize + 1);
        file.take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(FsError::io)?;
        if buf.len() as u64 > limit {
            return Err(FsError::TooLarge {
                size: buf.len() as u64,
                limit,
            });
        }
        Ok(buf)
    }

    fn read_prefix(&self, path: &Components, n: u64, _max: u64) -> Result<Vec<u8>, FsError> {
        let file = self.open_regular(path)?;
        let mut buf = Vec::with_capacity(usize::try_from(n.min(1 << 20)).unwrap_or(0));
        file.take(n).read_to_end(&mut buf).map_err(FsError::io)?;
        Ok(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("icvsec-fs-host-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn c(p: &str) -> Vec<Vec<u8>> {
        crate::name::components(p)
    }

    #[test]
    fn cached_directory_handles_give_each_file_its_own_bytes() {
        let d = tmp("dircache");
        // More directories than handles kept, visited out of order and again.
        let names: Vec<String> = (0..(DIR_CACHE * 2 + 3))
            .map(|i| format!("ecu{}/rootfs/etc/d{i}", i % 5))
            .collect();
        for n in &names {
            std::fs::create_dir_all(d.join(n)).unwrap();
            std::fs::write(d.join(n).join("f"), n.as_bytes()).unwrap();
        }
        let t = HostTree::open(&d).unwrap();
        for round in 0..3 {
            for (i, n) in names.iter().enumerate() {
                let n = if round == 1 {
                    &names[names.len() - 1 - i]
                } else {
                    n
                };
                let got = t.read_file(&c(&format!("{n}/f")), 1024).unwrap();
                assert_eq!(got, n.as_bytes());
            }
        }
        // A link put where a directory never was is still refused, cache or not.
        std::os::unix::fs::symlink("/etc", d.join("ecu0/rootfs/etc/link")).unwrap();
        assert!(matches!(
            t.read_file(&c("ecu0/rootfs/etc/link/passwd"), 1 << 20),
            Err(FsError::LinkRefused)
        ));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn reads_regular_files_and_refuses_everything_else() {
        let d = tmp("kinds");
        std::fs::create_dir_all(d.join("etc")).unwrap();
        std::fs::write(d.join("etc/a"), b"hello").unwrap();
        std::os::unix::fs::symlink("a", d.join("etc/link")).unwrap();
        std::os::unix::fs::symlink("/etc", d.join("dirlink")).unwrap();
        let fifo = d.join("etc/fifo");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            FileType::Fifo,
            Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let t = HostTree::open(&d).unwrap();
        assert_eq!(t.read_file(&c("etc/a"), 100).unwrap(), b"hello");
        assert_eq!(
            t.read_file(&c("etc/a"), 4),
            Err(FsError::TooLarge { size: 5, limit: 4 })
        );
        assert_eq!(t.read_file(&c("etc/link"), 100), Err(FsError::LinkRefused));
        // A FIFO is refused at once (this test would hang if it were opened).
        assert_eq!(
            t.read_file(&c("etc/fifo"), 100),
            Err(FsError::NotRegular { kind: "FIFO" })
        );
        // A link in the middle of a path is never followed.
        assert_eq!(
            t.read_file(&c("dirlink/passwd"), 100_000),
            Err(FsError::LinkRefused)
        );
        assert_eq!(t.read_file(&c("etc/missing"), 100), Err(FsError::NotFound));
        assert_eq!(
            t.lstat(&c("etc/link")).unwrap().unwrap().kind,
            EntryType::Symlink
        );
        assert_eq!(t.read_link(&c("etc/link")).unwrap(), b"a");
        let names: Vec<_> = t
            .read_dir(&c("etc"), 10)
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(
            names,
            vec![b"a".to_vec(), b"fifo".to_vec(), b"link".to_vec()]
        );
        assert_eq!(
            t.read_dir(&c("etc"), 2),
            Err(FsError::TooManyEntries { limit: 2 })
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn writes_never_follow_links() {
        let d = tmp("write");
        let outside = tmp("write-outside");
        std::os::unix::fs::symlink(outside.join("vehicle.json"), d.join("vehicle.json")).unwrap();
        std::os::unix::fs::symlink(&outside, d.join("ecus")).unwrap();
        let t = HostTree::open(&d).unwrap();
        assert_eq!(
            t.write_file(&c("vehicle.json"), b"{}"),
            Err(FsError::LinkRefused)
        );
        assert_eq!(
            t.write_file(&c("ecus/tbox.json"), b"{}"),
            Err(FsError::LinkRefused)
        );
        assert!(!outside.join("vehicle.json").exists());
        assert!(!outside.join("tbox.json").exists());
        t.write_file(&c("new/dir/f.json"), b"{}").unwrap();
        assert_eq!(std::fs::read(d.join("new/dir/f.json")).unwrap(), b"{}");
        std::fs::remove_dir_all(&d).unwrap();
        std::fs::remove_dir_all(&outside).unwrap();
    }

    #[test]
    fn character_devices_are_never_opened() {
        // /dev/zero reached through the tree (as a rootfs image unpacked as root has).
        let t = HostTree::open(Path::new("/dev")).unwrap();
        assert_eq!(
            t.read_file(&c("zero"), 1 << 20),
            Err(FsError::NotRegular {
                kind: "character device"
            })
        );
    }
}
