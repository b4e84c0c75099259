//! File access for configuration loaders: every read goes through `icvsec-fs` (links
//! resolved with the root filesystem as `/`, never followed out; only regular files;
//! bounded). Paths are system paths of the scanned unit (`/etc/nginx/nginx.conf`).
//!
//! The loaders name their root filesystem by a host path. When the scan has the build
//! open as a tree (a directory with firmware images mounted in it), the caller runs the
//! loader inside [`within`], and every access goes to that tree instead: a root
//! filesystem inside an image has no host path.

use icvsec_fs::{EntryType, FsError, HostTree, RootView, Scope, Tree};
use std::cell::RefCell;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// A build tree and the components of a root filesystem inside it.
type Scoped = Option<(Arc<dyn Tree>, Vec<Vec<u8>>)>;

thread_local! {
    static SCOPED: RefCell<Scoped> = const { RefCell::new(None) };
}

/// Run `f` with the root filesystem at `base` (raw components) of `tree` standing for the
/// host path the loaders are given. Scoped to this thread and this call.
pub fn within<R>(tree: Arc<dyn Tree>, base: Vec<Vec<u8>>, f: impl FnOnce() -> R) -> R {
    let previous = SCOPED.with(|s| s.borrow_mut().replace((tree, base)));
    struct Restore(Scoped);
    impl Drop for Restore {
        fn drop(&mut self) {
            let p = self.0.take();
            SCOPED.with(|s| *s.borrow_mut() = p);
        }
    }
    let _restore = Restore(previous);
    f()
}

fn comps(sys: &Path) -> Vec<Vec<u8>> {
    sys.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.as_bytes().to_vec()),
            Component::ParentDir => Some(b"..".to_vec()),
            _ => None,
        })
        .collect()
}

/// The tree and scope for `root`: the scoped tree when one is set, else the host path.
fn with_root<R>(root: &Path, f: impl FnOnce(&dyn Tree, &Scope) -> R) -> Result<R, String> {
    if let Some((tree, base)) = SCOPED.with(|s| s.borrow().clone()) {
        return Ok(f(tree.as_ref(), &Scope::chroot(base)));
    }
    let host = HostTree::open(root)
        .map_err(|e| format!("cannot open the root {}: {e}", root.display()))?;
    Ok(f(&host, &Scope::chroot(Vec::new())))
}

fn to_sys(c: &[Vec<u8>]) -> PathBuf {
    let mut p = PathBuf::from("/");
    for x in c {
        p.push(std::ffi::OsStr::from_bytes(x));
    }
    p
}

/// Resolve a system path inside `root` (chroot semantics): the link-free system path.
pub fn resolve(root: &Path, sys: &Path) -> Result<PathBuf, String> {
    with_root(root, |t, scope| {
        match icvsec_fs::resolve(t, scope, &comps(sys), true) {
            Ok(r) => Ok(to_sys(&r.path[scope.base.len()..])),
            Err(FsError::NotFound) => {
                // A path that does not exist (yet) resolves lexically; the read reports it.
                let mut p = PathBuf::from("/");
                for c in comps(sys) {
                    if c == b".." {
                        p.pop();
                    } else {
                        p.push(std::ffi::OsStr::from_bytes(&c));
                    }
                }
                Ok(p)
            }
            Err(e) => Err(format!("{}: {e}", sys.display())),
        }
    })?
}

/// The kind of entry at a system path (links resolved), `None` when absent.
pub fn kind(root: &Path, sys: &Path) -> Result<Option<EntryType>, String> {
    with_root(root, |t, scope| {
        match icvsec_fs::resolve(t, scope, &comps(sys), true) {
            Ok(r) => t
                .lstat(&r.path)
                .map(|m| m.map(|m| m.kind))
                .map_err(|e| format!("{}: {e}", sys.display())),
            Err(FsError::NotFound) => Ok(None),
            Err(e) => Err(format!("{}: {e}", sys.display())),
        }
    })?
}

/// Contents of the regular file at a system path, at most `limit` bytes.
pub fn read(root: &Path, sys: &Path, limit: u64) -> Result<Vec<u8>, String> {
    with_root(root, |t, scope| {
        let v = RootView::new(t, scope.clone(), limit);
        match v.read(&sys.to_string_lossy()) {
            Ok(Some(b)) => Ok(b),
            Ok(None) => Err(format!("{}: does not exist", sys.display())),
            Err(e) => Err(format!("{}: {e}", sys.display())),
        }
    })?
}

/// Names in the directory at a system path, sorted (empty when absent).
pub fn list_dir(root: &Path, sys: &Path) -> Result<Vec<String>, String> {
    with_root(root, |t, scope| {
        RootView::new(t, scope.clone(), 0)
            .list_dir(&sys.to_string_lossy())
            .map_err(|e| format!("{}: {e}", sys.display()))
    })?
}

/// glob(3) of one component, linear time.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    icvsec_fs::glob::fnmatch(pattern, name)
}
