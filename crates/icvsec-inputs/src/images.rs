//! Firmware images in a build, read in place (`icvsec-image`) and mounted into the build
//! tree at their own path: `fw/tbox-rootfs.ext4/etc/ssh/sshd_config` is the file
//! `/etc/ssh/sshd_config` inside `fw/tbox-rootfs.ext4`. Discovery, the resolver (with the
//! image as `/` for its links) and every check then work on images exactly as on
//! unpacked trees. An image is recognised by its magic bytes among the files whose
//! name says image or archive, and among the files vehicle.json declares as a `rootfs`.

use icvsec_fs::tree::Components;
use icvsec_fs::{EntryType, FsError, HostTree, Meta, Tree};
use icvsec_image::{ImageKind, ImageLimits, ImageSource};
use std::collections::BTreeMap;

/// Names that may be images or archives (the content decides).
const IMAGE_SUFFIXES: &[&str] = &[
    ".ext2",
    ".ext3",
    ".ext4",
    ".img",
    ".simg",
    ".image",
    ".squashfs",
    ".sqsh",
    ".sqfs",
    ".cpio",
    ".tar",
    ".tgz",
    ".txz",
    ".tzst",
    ".tar.gz",
    ".tar.xz",
    ".tar.zst",
    ".cpio.gz",
    ".cpio.xz",
    ".cpio.zst",
    ".cpio.lz4",
    ".rootfs",
    ".ramdisk",
];

pub fn is_candidate_name(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    IMAGE_SUFFIXES.iter().any(|s| lower.ends_with(s)) || lower.ends_with("initramfs")
}

/// A file system (what a root filesystem can be) rather than a single compressed file.
fn is_filesystem(kind: ImageKind) -> bool {
    matches!(
        kind,
        ImageKind::Ext4 | ImageKind::Squashfs | ImageKind::Cpio | ImageKind::Tar
    )
}

/// The build on disk with images mounted at their paths.
pub struct BuildTree {
    host: HostTree,
    mounts: BTreeMap<Vec<Vec<u8>>, Box<dyn Tree>>,
}

/// What opening an image gave: mounted (with its kind and problems), or why not.
pub enum Opened {
    Mounted {
        kind: String,
        problems: Vec<String>,
    },
    /// A compressed single file or something that is no file system: left as a file.
    NotAFilesystem,
    Failed(String),
}

impl BuildTree {
    pub fn new(host: HostTree) -> BuildTree {
        BuildTree {
            host,
            mounts: BTreeMap::new(),
        }
    }

    pub fn host(&self) -> &HostTree {
        &self.host
    }

    /// Try to open the regular file at `comps` (on the host) as an image and mount it.
    pub fn mount(&mut self, comps: &[Vec<u8>], name: &str, limits: &ImageLimits) -> Opened {
        let file = match self.host.open_regular(comps) {
            Ok(f) => f,
            Err(e) => return Opened::Failed(format!("cannot read: {e}")),
        };
        let src = match ImageSource::from_file(name.to_string(), file) {
            Ok(s) => s,
            Err(e) => return Opened::Failed(e.to_string()),
        };
        let Some(kind) = src.detect() else {
            return Opened::NotAFilesystem;
        };
        match icvsec_image::open_image(src, kind, limits) {
            Ok(img) if is_filesystem(img.kind) => {
                let mut layers: Vec<String> = img.layers.iter().map(|k| format!("{k:?}")).collect();
                layers.push(format!("{:?}", img.kind));
                let problems = img
                    .problems
                    .iter()
                    .map(|p| format!("{}: {}", p.place, p.message))
                    .collect();
                self.mounts.insert(comps.to_vec(), img.tree);
                Opened::Mounted {
                    kind: layers.join(" in ").to_lowercase(),
                    problems,
                }
            }
            Ok(_) => Opened::NotAFilesystem,
            Err(e) => Opened::Failed(e.to_string()),
        }
    }

    pub fn mount_points(&self) -> impl Iterator<Item = &Vec<Vec<u8>>> {
        self.mounts.keys()
    }

    /// The mount holding `path` (longest prefix) and the rest of the path inside it.
    fn route<'a>(&self, path: &'a Components) -> Option<(&dyn Tree, &'a Components)> {
        for n in (1..=path.len()).rev() {
            if let Some(t) = self.mounts.get(&path[..n]) {
                return Some((t.as_ref(), &path[n..]));
            }
        }
        None
    }
}

impl Tree for BuildTree {
    fn lstat(&self, path: &Components) -> Result<Option<Meta>, FsError> {
        match self.route(path) {
            Some((t, rest)) => t.lstat(rest),
            None => self.host.lstat(path),
        }
    }

    fn read_link(&self, path: &Components) -> Result<Vec<u8>, FsError> {
        match self.route(path) {
            Some((t, rest)) => t.read_link(rest),
            None => self.host.read_link(path),
        }
    }

    fn read_dir(
        &self,
        path: &Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        match self.route(path) {
            Some((t, rest)) => t.read_dir(rest, max_entries),
            None => {
                let mut entries = self.host.read_dir(path, max_entries)?;
                for (name, kind) in &mut entries {
                    let mut full = path.to_vec();
                    full.push(name.clone());
                    if self.mounts.contains_key(&full) {
                        *kind = EntryType::Dir;
                    }
                }
                Ok(entries)
            }
        }
    }

    fn read_file(&self, path: &Components, limit: u64) -> Result<Vec<u8>, FsError> {
        match self.route(path) {
            Some((t, rest)) => t.read_file(rest, limit),
            None => self.host.read_file(path, limit),
        }
    }

    fn read_prefix(&self, path: &Components, n: u64, max: u64) -> Result<Vec<u8>, FsError> {
        match self.route(path) {
            Some((t, rest)) => t.read_prefix(rest, n, max),
            None => self.host.read_prefix(path, n, max),
        }
    }

    fn open_file(&self, path: &Components) -> Result<Option<std::fs::File>, FsError> {
        match self.route(path) {
            Some((t, rest)) => t.open_file(rest),
            None => self.host.open_file(path),
        }
    }
}
