//! Fixture tree written at test time, image builders over the system tools (a missing
//! tool makes the caller print SKIPPED), and a tree walker for comparisons.
#![allow(dead_code)]

use icvsec_fs::{EntryType, FsError, HostTree, Tree};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A scratch directory, removed when the test that holds it ends.
pub struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Scratch {
    /// The path, kept after the test: for a fixture shared by a whole test binary
    /// (a static is never dropped, so it would not be removed anyway).
    pub fn keep(self) -> PathBuf {
        let p = self.0.clone();
        std::mem::forget(self);
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn scratch(name: &str) -> Scratch {
    let d = std::env::temp_dir().join(format!("icvsec-image-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    Scratch(d)
}

/// The one fixture root filesystem every image is built from.
pub fn fixture_tree(root: &Path) {
    let w = |p: &str, data: &[u8]| {
        let p = root.join(p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    };
    w(
        "etc/ssh/sshd_config.d/10-hardening.conf",
        b"PermitRootLogin no\nPasswordAuthentication no\n",
    );
    w(
        "etc/ssh/sshd_config",
        b"Include /etc/ssh/sshd_config.d/*.conf\nPort 22\n",
    );
    w(
        "etc/passwd",
        b"root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1::/:/sbin/nologin\n",
    );
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["ecu.example".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    w("etc/ssl/certs/ecu.pem", cert.pem().as_bytes());
    // A file spanning many blocks, with no two blocks alike.
    let big: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    w("usr/lib/libbig.so", &big);
    w("usr/bin/busybox", b"\x7fELF not really");
    std::fs::hard_link(root.join("usr/bin/busybox"), root.join("usr/bin/sh")).unwrap();
    std::os::unix::fs::symlink("ssh/sshd_config", root.join("etc/sshd_config")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("etc/passwd.abs")).unwrap();
    std::os::unix::fs::symlink("../../etc/ssl/certs", root.join("usr/lib/certs")).unwrap();
    std::fs::create_dir_all(root.join("var/empty")).unwrap();
    std::fs::create_dir_all(root.join("dev")).unwrap();
    let st = Command::new("mkfifo")
        .arg(root.join("dev/initctl"))
        .status();
    assert!(st.is_ok_and(|s| s.success()), "mkfifo failed");
}

pub fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run a shell command line; its failure fails the test (the tool is present).
pub fn sh(cmd: &str) {
    let out = Command::new("sh").args(["-c", cmd]).output().unwrap();
    assert!(
        out.status.success(),
        "{cmd}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[derive(Debug, PartialEq, Eq)]
pub enum Seen {
    File(Vec<u8>),
    Dir,
    Link(Vec<u8>),
    Special(EntryType),
}

/// Every entry below the root (through the Tree API only), by path.
pub fn walk(tree: &dyn Tree) -> BTreeMap<String, Seen> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<Vec<Vec<u8>>> = vec![vec![]];
    while let Some(dir) = stack.pop() {
        for (name, kind) in tree.read_dir(&dir, 10_000).unwrap() {
            let mut p = dir.clone();
            p.push(name);
            let key = icvsec_fs::name::identity(&p);
            let meta = tree.lstat(&p).unwrap().unwrap();
            assert_eq!(meta.kind, kind, "{key}: read_dir and lstat disagree");
            let seen = match kind {
                EntryType::File => Seen::File(tree.read_file(&p, 1 << 30).unwrap()),
                EntryType::Dir => {
                    stack.push(p.clone());
                    Seen::Dir
                }
                EntryType::Symlink => {
                    assert_eq!(tree.read_file(&p, 1 << 20), Err(FsError::LinkRefused));
                    Seen::Link(tree.read_link(&p).unwrap())
                }
                k => {
                    assert!(matches!(
                        tree.read_file(&p, 1 << 20),
                        Err(FsError::NotRegular { .. })
                    ));
                    Seen::Special(k)
                }
            };
            out.insert(key, seen);
        }
    }
    out
}

pub fn expected(root: &Path) -> BTreeMap<String, Seen> {
    walk(&HostTree::open(root).unwrap())
}
