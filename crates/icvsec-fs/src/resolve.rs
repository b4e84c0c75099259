//! Symbolic links resolved inside a root.
//!
//! Real root filesystems are full of links (`/etc/ssl/certs/*.pem`, `sshd_config` managed
//! by alternatives, `/etc/resolv.conf`). A link is resolved as the ECU would see it with
//! its root filesystem as `/` ([`Mode::Chroot`]: absolute targets restart at that root,
//! `..` stops at it), or, for files of the build that belong to no root filesystem,
//! inside the build ([`Mode::Contained`]: a link that would leave it is an error). Links
//! are bounded ([`MAX_LINK_HOPS`], as Linux's 40) and so is the work per path
//! ([`MAX_COMPONENTS`]). A link whose target is missing is [`FsError::Dangling`]; nothing
//! is ever followed out of the tree.

use crate::FsError;
use crate::name::{components, encode_name, identity};
use crate::tree::{EntryType, Tree};
use std::collections::VecDeque;

pub const MAX_LINK_HOPS: usize = 40;
pub const MAX_COMPONENTS: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The base is `/` for the links inside it (an ECU's root filesystem or image).
    Chroot,
    /// Links must stay below the base (the build root).
    Contained,
}

/// Where paths are resolved: the base directory (components within the tree) and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub base: Vec<Vec<u8>>,
    pub mode: Mode,
}

impl Scope {
    pub fn chroot(base: Vec<Vec<u8>>) -> Scope {
        Scope {
            base,
            mode: Mode::Chroot,
        }
    }
    pub fn contained(base: Vec<Vec<u8>>) -> Scope {
        Scope {
            base,
            mode: Mode::Contained,
        }
    }
}

/// A link-free path within the tree, and the links followed to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// Components from the tree's root (the base included).
    pub path: Vec<Vec<u8>>,
    /// Each link followed, as (in-scope path of the link, its target), escaped.
    pub links: Vec<(String, String)>,
}

/// Resolve `path` (components relative to the scope's base; `..` allowed) in `tree`.
/// With `follow_last` false a link in the last component is returned as itself.
pub fn resolve(
    tree: &dyn Tree,
    scope: &Scope,
    path: &[Vec<u8>],
    follow_last: bool,
) -> Result<Resolved, FsError> {
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut pending: VecDeque<Vec<u8>> = path.iter().cloned().collect();
    let mut links = Vec::new();
    // Links whose targets are still being resolved: (pending length when done, link).
    let mut open_links: Vec<(usize, (String, String))> = Vec::new();
    let mut hops = 0usize;
    let mut work = 0usize;
    let shown = |stack: &[Vec<u8>], c: &[u8]| -> String {
        let mut s = String::from("/");
        s.push_str(&identity(stack));
        if !stack.is_empty() {
            s.push('/');
        }
        s.push_str(&encode_name(c));
        s
    };
    while let Some(c) = pending.pop_front() {
        work += 1;
        if work > MAX_COMPONENTS {
            return Err(FsError::TooLong);
        }
        if c == b".." {
            if stack.pop().is_none() && scope.mode == Mode::Contained {
                let (link, target) = open_links
                    .last()
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| (identity(path), "..".into()));
                return Err(FsError::Escapes { link, target });
            }
        } else if c != b"." && !c.is_empty() {
            let is_last = pending.is_empty();
            let mut full = scope.base.clone();
            full.extend(stack.iter().cloned());
            full.push(c.clone());
            match tree.lstat(&full)? {
                None => {
                    if let Some((_, (link, target))) = open_links.last() {
                        return Err(FsError::Dangling {
                            link: link.clone(),
                            target: target.clone(),
                        });
                    }
                    return Err(FsError::NotFound);
                }
                Some(m) if m.kind == EntryType::Symlink && (!is_last || follow_last) => {
                    hops += 1;
                    let at = shown(&stack, &c);
                    if hops > MAX_LINK_HOPS {
                        return Err(FsError::TooManyLinks { path: at });
                    }
                    let target = tree.read_link(&full)?;
                    let target_shown = encode_name(&target);
                    if target.is_empty() {
                        return Err(FsError::Dangling {
                            link: at,
                            target: target_shown,
                        });
                    }
                    if target.first() == Some(&b'/') {
                        if scope.mode == Mode::Contained {
                            return Err(FsError::Escapes {
                                link: at,
                                target: target_shown,
                            });
                        }
                        stack.clear();
                    }
                    links.push((at.clone(), target_shown.clone()));
                    let after = pending.len();
                    let text = String::from_utf8_lossy(&target);
                    // Components are taken from the raw bytes, not the lossy text.
                    let mut new: VecDeque<Vec<u8>> = target
                        .split(|b| *b == b'/')
                        .filter(|p| !p.is_empty() && *p != b".")
                        .map(<[u8]>::to_vec)
                        .collect();
                    debug_assert!(!text.is_empty());
                    open_links.push((after, (at, target_shown)));
                    new.extend(pending);
                    pending = new;
                    continue;
                }
                Some(m) => {
                    if !is_last && m.kind != EntryType::Dir {
                        if let Some((_, (link, target))) = open_links.last() {
                            return Err(FsError::Dangling {
                                link: link.clone(),
                                target: target.clone(),
                            });
                        }
                        return Err(FsError::NotFound);
                    }
                    stack.push(c);
                }
            }
        }
        while open_links
            .last()
            .is_some_and(|(after, _)| pending.len() <= *after)
        {
            open_links.pop();
        }
    }
    let mut full = scope.base.clone();
    full.extend(stack);
    Ok(Resolved { path: full, links })
}

/// A root (ECU root filesystem, image, or the build) seen through the resolver, with a
/// read bound: what parsers of host configuration use to follow includes.
pub struct RootView<'a> {
    pub tree: &'a dyn Tree,
    pub scope: Scope,
    pub limit: u64,
    pub max_dir_entries: usize,
}

impl<'a> RootView<'a> {
    pub fn new(tree: &'a dyn Tree, scope: Scope, limit: u64) -> Self {
        RootView {
            tree,
            scope,
            limit,
            max_dir_entries: 100_000,
        }
    }

    /// Resolve an absolute in-root path (`/etc/ssh/sshd_config`).
    pub fn resolve(&self, path: &str) -> Result<Resolved, FsError> {
        resolve(self.tree, &self.scope, &components(path), true)
    }

    /// Contents of the regular file at `path` (links resolved in the root); `Ok(None)`
    /// when nothing is there. A dangling link, a special file, an oversized file or an
    /// unreadable one is an error.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, FsError> {
        let r = match self.resolve(path) {
            Ok(r) => r,
            Err(FsError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        match self.tree.read_file(&r.path, self.limit) {
            Ok(b) => Ok(Some(b)),
            Err(FsError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Names in the directory at `path` (links resolved), sorted; empty when absent or
    /// not a directory. Names that are not UTF-8 are an error: configurations match
    /// names as text, and skipping one could hide a file.
    pub fn list_dir(&self, path: &str) -> Result<Vec<String>, FsError> {
        let r = match self.resolve(path) {
            Ok(r) => r,
            Err(FsError::NotFound) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        match self.tree.lstat(&r.path)? {
            Some(m) if m.kind == EntryType::Dir => {}
            _ => return Ok(Vec::new()),
        }
        let entries = self.tree.read_dir(&r.path, self.max_dir_entries)?;
        entries
            .into_iter()
            .map(|(n, _)| {
                String::from_utf8(n).map_err(|e| FsError::NonUtf8Name {
                    name: encode_name(e.as_bytes()),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mem::MemTree;

    fn t() -> MemTree {
        MemTree::new()
            .file("rootfs/etc/ssh/sshd_config.real", b"PermitRootLogin yes\n")
            .link("rootfs/etc/ssh/sshd_config", "sshd_config.real")
            .link("rootfs/etc/abs", "/etc/ssh/sshd_config")
            .link("rootfs/etc/up", "../../../../etc/ssh/sshd_config.real")
            .link("rootfs/etc/dangling", "/nowhere")
            .link("rootfs/etc/loop1", "loop2")
            .link("rootfs/etc/loop2", "loop1")
            .link("rootfs/etc/sslcerts", "/usr/share/certs")
            .file("rootfs/usr/share/certs/ca.pem", b"x")
            .link("top", "/etc/passwd")
            .link("up", "../outside")
            .fifo("rootfs/etc/fifo")
    }

    fn view(tree: &MemTree) -> RootView<'_> {
        RootView::new(tree, Scope::chroot(components("rootfs")), 1 << 20)
    }

    #[test]
    fn links_resolve_inside_the_root_filesystem() {
        let tree = t();
        let v = view(&tree);
        assert_eq!(
            v.read("/etc/ssh/sshd_config").unwrap().unwrap(),
            b"PermitRootLogin yes\n"
        );
        assert_eq!(
            v.read("/etc/abs").unwrap().unwrap(),
            b"PermitRootLogin yes\n"
        );
        // `..` is clamped at the root filesystem's `/`, as the ECU sees it.
        assert_eq!(
            v.read("/etc/up").unwrap().unwrap(),
            b"PermitRootLogin yes\n"
        );
        assert_eq!(
            v.list_dir("/etc/sslcerts").unwrap(),
            vec!["ca.pem".to_string()]
        );
        assert!(matches!(
            v.read("/etc/dangling"),
            Err(FsError::Dangling { .. })
        ));
        assert!(matches!(
            v.read("/etc/loop1"),
            Err(FsError::TooManyLinks { .. })
        ));
        assert_eq!(v.read("/etc/missing").unwrap(), None);
        assert!(matches!(
            v.read("/etc/fifo"),
            Err(FsError::NotRegular { .. })
        ));
    }

    #[test]
    fn links_never_leave_the_build() {
        let tree = t();
        let build = RootView::new(&tree, Scope::contained(Vec::new()), 1 << 20);
        assert!(matches!(build.read("/top"), Err(FsError::Escapes { .. })));
        assert!(matches!(build.read("/up"), Err(FsError::Escapes { .. })));
        assert!(matches!(build.read("/../x"), Err(FsError::Escapes { .. })));
    }

    #[test]
    fn a_chain_of_many_links_is_bounded() {
        let mut tree = MemTree::new().file("r/f", b"x");
        for i in 0..100 {
            tree = tree.link(&format!("r/l{i}"), &format!("l{}", i + 1));
        }
        tree = tree.link("r/l100", "f");
        let v = RootView::new(&tree, Scope::chroot(components("r")), 10);
        assert!(matches!(v.read("/l0"), Err(FsError::TooManyLinks { .. })));
        assert_eq!(v.read("/l70").unwrap().unwrap(), b"x");
    }
}
