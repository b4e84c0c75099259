//! Shared by the image fuzz targets: open the input as one image kind with small bounds
//! and read every entry reachable (errors are fine; panics, hangs and OOM are not).

use icvsec_fs::{EntryType, Tree};
use icvsec_image::{ImageKind, ImageLimits, ImageSource, open_image};

/// Small bounds so a run finds bound checks, not out-of-memory kills.
fn limits() -> ImageLimits {
    ImageLimits {
        max_image_bytes: 1 << 20,
        max_entries: 4096,
        max_expanded_bytes: 16 << 20,
        max_ratio: 100,
        max_nesting: 2,
        max_layers: 3,
        max_file_bytes: 4 << 20,
    }
}

/// Open the input as the given kind and read every entry reachable (errors are fine).
pub fn open_and_walk(data: &[u8], kind: ImageKind) {
    let Ok(img) = open_image(ImageSource::from_bytes("fuzz", data.to_vec()), kind, &limits()) else {
        return;
    };
    let tree: &dyn Tree = img.tree.as_ref();
    let mut stack: Vec<Vec<Vec<u8>>> = vec![vec![]];
    let mut visited = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = tree.read_dir(&dir, 4096) else { continue };
        for (name, kind) in entries {
            visited += 1;
            if visited > 10_000 {
                return;
            }
            let mut p = dir.clone();
            p.push(name);
            let _ = tree.lstat(&p);
            match kind {
                EntryType::Dir if p.len() < 32 => stack.push(p),
                EntryType::Symlink => drop(tree.read_link(&p)),
                _ => drop(tree.read_file(&p, 1 << 20)),
            }
        }
    }
}

