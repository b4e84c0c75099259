//! File access for configuration loaders: every read goes through `icvsec-fs` (links
//! resolved with `root` as `/`, never followed out; only regular files; bounded). Paths
//! are system paths of the scanned unit (`/etc/nginx/nginx.conf`).

use icvsec_fs::{EntryType, FsError, HostTree, RootView, Scope, Tree};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

fn comps(sys: &Path) -> Vec<Vec<u8>> {
    sys.components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.as_bytes().to_vec()),
            Component::ParentDir => Some(b"..".to_vec()),
            _ => None,
        })
        .collect()
}

fn tree(root: &Path) -> Result<HostTree, String> {
    HostTree::open(root).map_err(|e| format!("cannot open the root {}: {e}", root.display()))
}

/// Resolve a system path inside `root` (chroot semantics): the link-free system path.
pub fn resolve(root: &Path, sys: &Path) -> Result<PathBuf, String> {
    let t = tree(root)?;
    let scope = Scope::chroot(Vec::new());
    match icvsec_fs::resolve(&t, &scope, &comps(sys), true) {
        Ok(r) => Ok(to_sys(&r.path)),
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
}

fn to_sys(c: &[Vec<u8>]) -> PathBuf {
    let mut p = PathBuf::from("/");
    for x in c {
        p.push(std::ffi::OsStr::from_bytes(x));
    }
    p
}

/// The kind of entry at a system path (links resolved), `None` when absent.
pub fn kind(root: &Path, sys: &Path) -> Result<Option<EntryType>, String> {
    let t = tree(root)?;
    match icvsec_fs::resolve(&t, &Scope::chroot(Vec::new()), &comps(sys), true) {
        Ok(r) => t
            .lstat(&r.path)
            .map(|m| m.map(|m| m.kind))
            .map_err(|e| format!("{}: {e}", sys.display())),
        Err(FsError::NotFound) => Ok(None),
        Err(e) => Err(format!("{}: {e}", sys.display())),
    }
}

/// Contents of the regular file at a system path, at most `limit` bytes.
pub fn read(root: &Path, sys: &Path, limit: u64) -> Result<Vec<u8>, String> {
    let t = tree(root)?;
    let v = RootView::new(&t, Scope::chroot(Vec::new()), limit);
    let path = sys.to_string_lossy();
    match v.read(&path) {
        Ok(Some(b)) => Ok(b),
        Ok(None) => Err(format!("{}: does not exist", sys.display())),
        Err(e) => Err(format!("{}: {e}", sys.display())),
    }
}

/// Names in the directory at a system path, sorted (empty when absent).
pub fn list_dir(root: &Path, sys: &Path) -> Result<Vec<String>, String> {
    let t = tree(root)?;
    let v = RootView::new(&t, Scope::chroot(Vec::new()), 0);
    v.list_dir(&sys.to_string_lossy())
        .map_err(|e| format!("{}: {e}", sys.display()))
}

/// glob(3) of one component, linear time.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    icvsec_fs::glob::fnmatch(pattern, name)
}
