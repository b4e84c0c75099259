//! Reading every file of an ext4 image in place versus the same tree unpacked on disk
//! (through `icvsec_fs::HostTree`), in bytes per second.
//!
//!   cargo run --release -p icvsec-image --example image-bench [FILES] [TOTAL_MIB]
//!
//! Builds a tree of FILES files (default 2000) holding TOTAL_MIB MiB (default 64) in a
//! scratch directory, makes an ext4 image of it with `mkfs.ext4 -d`, then reads every file
//! of both through the `Tree` API (the best of five alternating passes each, page cache
//! warm).

use icvsec_fs::{EntryType, HostTree, RootView, Scope, Tree};
use icvsec_image::{ImageLimits, ImageSource, open_image};
use std::process::Command;
use std::time::{Duration, Instant};

/// List every directory, then read every file the way icvsec does: by path through the
/// resolver (each component looked at with `lstat`, links followed inside the root).
fn read_all(tree: &dyn Tree) -> (u64, usize) {
    let view = RootView::new(tree, Scope::chroot(vec![]), 1 << 30);
    let mut bytes = 0u64;
    let mut files = 0usize;
    let mut stack: Vec<Vec<Vec<u8>>> = vec![vec![]];
    while let Some(dir) = stack.pop() {
        for (name, kind) in tree.read_dir(&dir, 1_000_000).expect("read_dir") {
            let mut p = dir.clone();
            p.push(name);
            match kind {
                EntryType::Dir => stack.push(p),
                EntryType::File => {
                    let path = format!("/{}", icvsec_fs::name::identity(&p));
                    bytes += view.read(&path).expect("read").expect("present").len() as u64;
                    files += 1;
                }
                _ => {}
            }
        }
    }
    (bytes, files)
}

fn timed(tree: &dyn Tree, best: &mut Duration) -> (u64, usize) {
    let t = Instant::now();
    let out = read_all(tree);
    *best = (*best).min(t.elapsed());
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let files: usize = args.next().map_or(2000, |a| a.parse().expect("FILES"));
    let total_mib: u64 = args.next().map_or(64, |a| a.parse().expect("TOTAL_MIB"));
    let base = std::env::temp_dir().join(format!("icvsec-image-bench-{}", std::process::id()));
    let root = base.join("root");
    let _ = std::fs::remove_dir_all(&base);
    // Sizes from a few hundred bytes to a few MiB, as in a root filesystem.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let weights: Vec<u64> = (0..files)
        .map(|_| 1 + (next() % 1000).pow(3) / 1000)
        .collect();
    let sum: u64 = weights.iter().sum();
    let mut written = 0u64;
    for (i, w) in weights.iter().enumerate() {
        let size = (total_mib << 20) * w / sum;
        let dir = root.join(format!("d{:02}/s{:02}", i % 37, i % 11));
        std::fs::create_dir_all(&dir).unwrap();
        let data: Vec<u8> = (0..size).map(|_| next() as u8).collect();
        std::fs::write(dir.join(format!("f{i}")), &data).unwrap();
        written += size;
    }
    let img = base.join("root.ext4");
    let mib = (written >> 20) * 2 + 16;
    let st = Command::new("mkfs.ext4")
        .args(["-q", "-F", "-N", &(files * 2 + 1000).to_string(), "-d"])
        .arg(&root)
        .arg(&img)
        .arg(format!("{mib}M"))
        .status()
        .expect("mkfs.ext4 (e2fsprogs) is needed");
    assert!(st.success(), "mkfs.ext4 failed");

    let host = HostTree::open(&root).unwrap();
    let src = ImageSource::open_path(&img).unwrap();
    let kind = src.detect().unwrap();
    let image = open_image(src, kind, &ImageLimits::default()).unwrap();

    // Passes alternate so that load from other processes hits both alike; the best of
    // five of each is kept.
    let (mut ht, mut it) = (Duration::MAX, Duration::MAX);
    let (mut hb, mut hf, mut ib, mut if_) = (0, 0, 0, 0);
    for _ in 0..5 {
        (hb, hf) = timed(&host, &mut ht);
        (ib, if_) = timed(image.tree.as_ref(), &mut it);
    }
    assert_eq!((hb, hf), (ib, if_), "the image and the tree differ");
    let rate = |b: u64, t: Duration| b as f64 / t.as_secs_f64() / (1 << 20) as f64;
    println!(
        "files: {hf}, bytes: {hb} ({:.1} MiB)",
        hb as f64 / (1 << 20) as f64
    );
    println!(
        "host tree : {:>8.1} ms  {:>8.1} MiB/s",
        ht.as_secs_f64() * 1e3,
        rate(hb, ht)
    );
    println!(
        "ext4 image: {:>8.1} ms  {:>8.1} MiB/s",
        it.as_secs_f64() * 1e3,
        rate(ib, it)
    );
    println!(
        "image time / host time: {:.2} (target <= 1.5)",
        it.as_secs_f64() / ht.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&base);
}
