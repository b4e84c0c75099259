//! Hostile and broken images: each gives one error naming the file and the place in it
//! (or, for names an extraction would misplace, a problem list), never a panic, a hang
//! or memory beyond the bounds.

mod support;

use icvsec_fs::{EntryType, FsError, RootView, Scope, Tree};
use icvsec_image::{Image, ImageError, ImageKind, ImageLimits, ImageSource, open_image};
use std::io::Write;
use support::*;

fn open_bytes(name: &str, bytes: Vec<u8>, limits: &ImageLimits) -> Result<Image, ImageError> {
    let src = ImageSource::from_bytes(name, bytes);
    let kind = src.detect().expect("sniffed");
    open_image(src, kind, limits)
}

/// Read everything reachable, tolerating errors (a corrupt image may open but fail later);
/// returns how many entries were visited.
fn walk_lenient(tree: &dyn Tree) -> usize {
    let mut n = 0;
    let mut stack: Vec<Vec<Vec<u8>>> = vec![vec![]];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = tree.read_dir(&dir, 10_000) else {
            continue;
        };
        for (name, kind) in entries {
            n += 1;
            let mut p = dir.clone();
            p.push(name);
            let _ = tree.lstat(&p);
            match kind {
                EntryType::Dir if p.len() < 64 => stack.push(p),
                EntryType::Symlink => drop(tree.read_link(&p)),
                _ => drop(tree.read_file(&p, 1 << 24)),
            }
        }
    }
    n
}

fn ustar(name: &[u8], typeflag: u8, link: &[u8], data: &[u8]) -> Vec<u8> {
    let mut h = vec![0u8; 512];
    h[..name.len()].copy_from_slice(name);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    h[136..148].copy_from_slice(b"15000000000\0");
    h[156] = typeflag;
    h[157..157 + link.len()].copy_from_slice(link);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = h;
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

fn tar_end(mut t: Vec<u8>) -> Vec<u8> {
    t.extend_from_slice(&[0u8; 1024]);
    t
}

fn newc(name: &str, mode: u32, data: &[u8], rdev: (u32, u32)) -> Vec<u8> {
    let mut h = format!(
        "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
        1,
        mode,
        0,
        0,
        1,
        0,
        data.len(),
        0,
        0,
        rdev.0,
        rdev.1,
        name.len() + 1,
        0
    )
    .into_bytes();
    h.extend_from_slice(name.as_bytes());
    h.push(0);
    h.resize(h.len().div_ceil(4) * 4, 0);
    h.extend_from_slice(data);
    h.resize(h.len().div_ceil(4) * 4, 0);
    h
}

#[test]
fn corrupt_ext4_superblocks_are_errors_not_panics() {
    if !have("mkfs.ext4") {
        eprintln!(
            "SKIPPED: corrupt_ext4_superblocks_are_errors_not_panics: mkfs.ext4 is not installed"
        );
        return;
    }
    let d = scratch("bad-ext4");
    std::fs::create_dir_all(d.join("root/etc")).unwrap();
    std::fs::write(d.join("root/etc/passwd"), b"root:x:0:0::/:/bin/sh\n").unwrap();
    sh(&format!(
        "mkfs.ext4 -q -F -b 1024 -N 32 -d '{0}/root' '{0}/ok.ext4' 1M",
        d.display()
    ));
    let good = std::fs::read(d.join("ok.ext4")).unwrap();
    // An absurd block size (log 40) is refused with the image's name.
    let mut bad = good.clone();
    bad[1024 + 24..1024 + 28].copy_from_slice(&40u32.to_le_bytes());
    let e = open_bytes("bad.ext4", bad, &ImageLimits::default()).unwrap_err();
    assert_eq!(e.path, "bad.ext4");
    assert_eq!(e.place, "superblock");
    assert!(e.message.contains("ext4"), "{e}");
    // More inodes in use than the bound.
    let e = open_bytes(
        "ok.ext4",
        good.clone(),
        &ImageLimits {
            max_entries: 5,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.message.contains("max_entries"), "{e}");
    // Truncated inside the superblock.
    let e = open_bytes("short.ext4", good[..1100].to_vec(), &ImageLimits::default()).unwrap_err();
    assert_eq!(e.path, "short.ext4");
    // Garbage over each superblock field and the group descriptors: open or refuse,
    // never panic or hang; whatever opens can be walked.
    for off in (1024..1024 + 1024 + 64).step_by(4) {
        let mut bad = good.clone();
        bad[off..off + 4].copy_from_slice(&[0xff, 0x7f, 0x01, 0xfe]);
        bad[1080] = 0x53;
        bad[1081] = 0xef;
        if let Ok(img) = open_bytes("fuzzed.ext4", bad, &ImageLimits::default()) {
            walk_lenient(img.tree.as_ref());
        }
    }
}

#[test]
fn truncated_squashfs_is_an_error() {
    if !have("mksquashfs") {
        eprintln!("SKIPPED: truncated_squashfs_is_an_error: mksquashfs is not installed");
        return;
    }
    let d = scratch("bad-sqfs");
    std::fs::create_dir_all(d.join("root/etc")).unwrap();
    let big: Vec<u8> = (0..200_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    std::fs::write(d.join("root/etc/big"), &big).unwrap();
    std::fs::write(d.join("root/etc/passwd"), b"root:x:0:0::/:/bin/sh\n").unwrap();
    sh(&format!(
        "mksquashfs '{0}/root' '{0}/ok.sqfs' -noappend -quiet -no-progress",
        d.display()
    ));
    let good = std::fs::read(d.join("ok.sqfs")).unwrap();
    // The image is padded to 4 KiB: cut within the bytes the superblock says are used.
    let used = u64::from_le_bytes(good[40..48].try_into().unwrap()) as usize;
    for cut in [50, 96, 200, used / 2, used - 100] {
        match open_bytes("cut.sqfs", good[..cut].to_vec(), &ImageLimits::default()) {
            Err(e) => {
                assert_eq!(e.path, "cut.sqfs");
                assert!(!e.place.is_empty() && e.message.contains("squashfs"), "{e}");
            }
            // Cut in the data only: the directory opens, reading the cut file fails.
            Ok(img) => {
                assert!(
                    img.tree
                        .read_file(&[b"etc".to_vec(), b"big".to_vec()], 1 << 20)
                        .is_err()
                );
            }
        }
    }
    // Bytes flipped throughout the tables: open or refuse, never panic.
    for off in (0..good.len()).step_by(37) {
        let mut bad = good.clone();
        bad[off] ^= 0x5a;
        if off < 4 {
            continue;
        }
        if let Ok(img) = open_bytes("flipped.sqfs", bad, &ImageLimits::default()) {
            walk_lenient(img.tree.as_ref());
        }
    }
}

#[test]
fn tar_names_that_climb_out_stay_inside_and_are_reported() {
    let mut t = Vec::new();
    t.extend(ustar(b"../../etc/shadow", b'0', b"", b"root::0:\n"));
    t.extend(ustar(b"/etc/passwd", b'0', b"", b"root:x:0:0::/:/bin/sh\n"));
    t.extend(ustar(b"etc/ok", b'0', b"", b"1"));
    t.extend(ustar(b"etc/ok", b'0', b"", b"2"));
    t.extend(ustar(b"lib", b'2', b"/etc", b""));
    t.extend(ustar(
        b"lib/evil",
        b'0',
        b"",
        b"written through a link by a naive extractor",
    ));
    t.extend(ustar(b"bin/hard", b'1', b"etc/ok", b""));
    let img = open_bytes("evil.tar", tar_end(t), &ImageLimits::default()).unwrap();
    let v = RootView::new(img.tree.as_ref(), Scope::chroot(vec![]), 1 << 20);
    assert_eq!(v.read("/etc/shadow").unwrap().unwrap(), b"root::0:\n");
    assert_eq!(
        v.read("/etc/passwd").unwrap().unwrap(),
        b"root:x:0:0::/:/bin/sh\n"
    );
    assert_eq!(v.read("/etc/ok").unwrap().unwrap(), b"2");
    assert_eq!(v.read("/bin/hard").unwrap().unwrap(), b"2");
    // The link parent became a directory; nothing went to /etc/evil.
    assert!(v.read("/lib/evil").unwrap().is_some());
    assert_eq!(v.read("/etc/evil").unwrap(), None);
    let places: Vec<_> = img.problems.iter().map(|p| p.place.as_str()).collect();
    assert_eq!(
        places,
        vec!["../../etc/shadow", "/etc/passwd", "etc/ok", "lib/evil"],
        "{:?}",
        img.problems
    );
    assert!(img.problems[0].message.contains("climbs above"));
    assert!(img.problems[1].message.contains("absolute"));
}

#[test]
fn a_gzip_bomb_stops_at_the_bound() {
    // 1 GiB of zeros as 1024 gzip members of 1 MiB each (gunzip reads them all), made
    // once here: the stream is about 1 MiB, the output would be 1 GiB.
    let zeros = vec![0u8; 1 << 20];
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&zeros).unwrap();
    let member = member.finish().unwrap();
    let mut bomb = Vec::with_capacity(member.len() * 1024);
    for _ in 0..1024 {
        bomb.extend_from_slice(&member);
    }
    let stored = bomb.len() as u64;
    // Default limits: the ratio bound (100:1 over ~1 MiB) stops it long before 1 GiB.
    let e = open_bytes("bomb.tar.gz", bomb.clone(), &ImageLimits::default()).unwrap_err();
    assert_eq!(e.path, "bomb.tar.gz");
    assert!(e.place.starts_with("decompressed offset"), "{e}");
    assert!(e.message.contains("max_ratio"), "{e}");
    let off: u64 = e
        .place
        .trim_start_matches("decompressed offset ")
        .parse()
        .unwrap();
    assert!(off <= stored * 100, "{e}");
    // With a permissive ratio the absolute bound applies.
    let limits = ImageLimits {
        max_ratio: 1_000_000,
        max_expanded_bytes: 8 << 20,
        ..Default::default()
    };
    let e = open_bytes("bomb.tar.gz", bomb, &limits).unwrap_err();
    assert!(e.message.contains("max_expanded_bytes"), "{e}");
}

#[test]
fn cpio_device_nodes_are_special_entries_never_data() {
    let mut c = Vec::new();
    c.extend(newc("dev", 0o040755, b"", (0, 0)));
    c.extend(newc("dev/console", 0o020600, b"", (5, 1)));
    c.extend(newc("dev/sda", 0o060600, b"", (8, 0)));
    c.extend(newc("dev/initctl", 0o010600, b"", (0, 0)));
    c.extend(newc("init", 0o100755, b"#!/bin/sh\n", (0, 0)));
    c.extend(newc("TRAILER!!!", 0, b"", (0, 0)));
    let img = open_bytes("initramfs.cpio", c, &ImageLimits::default()).unwrap();
    let t = img.tree.as_ref();
    let dev = |n: &str| vec![b"dev".to_vec(), n.as_bytes().to_vec()];
    assert_eq!(
        t.lstat(&dev("console")).unwrap().unwrap().kind,
        EntryType::CharDevice
    );
    assert_eq!(
        t.lstat(&dev("sda")).unwrap().unwrap().kind,
        EntryType::BlockDevice
    );
    assert_eq!(
        t.lstat(&dev("initctl")).unwrap().unwrap().kind,
        EntryType::Fifo
    );
    assert_eq!(
        t.read_file(&dev("console"), 100),
        Err(FsError::NotRegular {
            kind: "character device"
        })
    );
    assert_eq!(
        t.read_file(&[b"init".to_vec()], 100).unwrap(),
        b"#!/bin/sh\n"
    );
    // A member whose size runs past the end.
    let mut c = newc("init", 0o100755, b"#!/bin/sh\n", (0, 0));
    c[54..62].copy_from_slice(b"00100000");
    let e = open_bytes("cut.cpio", c, &ImageLimits::default()).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.place.as_str()),
        ("cut.cpio", "offset 0 (init)")
    );
    assert!(e.message.contains("runs past the end"), "{e}");
}

#[test]
fn a_sparse_image_claiming_huge_sizes_is_refused() {
    let mut h = 0xED26_FF3Au32.to_le_bytes().to_vec();
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes());
    h.extend_from_slice(&28u16.to_le_bytes());
    h.extend_from_slice(&12u16.to_le_bytes());
    h.extend_from_slice(&(64u32 << 20).to_le_bytes());
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    let e = open_bytes("system.simg", h.clone(), &ImageLimits::default()).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.place.as_str()),
        ("system.simg", "offset 16")
    );
    assert!(e.message.contains("max_expanded_bytes"), "{e}");
    // A plausible size but four billion chunks in a 28-byte file.
    h[12..16].copy_from_slice(&4096u32.to_le_bytes());
    h[16..20].copy_from_slice(&16u32.to_le_bytes());
    let e = open_bytes("system.simg", h, &ImageLimits::default()).unwrap_err();
    assert_eq!(e.place, "offset 20");
}

#[test]
fn images_nested_past_the_depth_are_refused() {
    let inner = tar_end(ustar(b"etc/passwd", b'0', b"", b"root:x:0:0::/:/bin/sh\n"));
    let middle = tar_end(ustar(b"inner.tar", b'0', b"", &inner));
    let outer = tar_end(ustar(b"images/middle.tar", b'0', b"", &middle));
    let limits = ImageLimits::default();
    let top = open_bytes("update.tar", outer, &limits).unwrap();
    assert_eq!(top.depth, 1);
    let mid = top
        .open_nested(&[b"images".to_vec(), b"middle.tar".to_vec()], &limits)
        .unwrap();
    assert_eq!(mid.depth, 2);
    let e = mid
        .open_nested(&[b"inner.tar".to_vec()], &limits)
        .unwrap_err();
    assert_eq!(e.path, "update.tar!/images/middle.tar!/inner.tar");
    assert_eq!(e.place, "nesting depth 3");
    assert!(e.message.contains("max_nesting"), "{e}");
    let deeper = ImageLimits {
        max_nesting: 3,
        ..Default::default()
    };
    let third = mid.open_nested(&[b"inner.tar".to_vec()], &deeper).unwrap();
    assert_eq!(
        third
            .tree
            .read_file(&[b"etc".to_vec(), b"passwd".to_vec()], 100)
            .unwrap(),
        b"root:x:0:0::/:/bin/sh\n"
    );
}

#[test]
fn too_many_wrappers_and_entries_are_refused() {
    let tar = tar_end(ustar(b"a", b'0', b"", b"x"));
    let gz = |b: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b).unwrap();
        e.finish().unwrap()
    };
    let four = gz(&gz(&gz(&gz(&tar))));
    let e = open_bytes("x.tar.gz.gz.gz.gz", four, &ImageLimits::default()).unwrap_err();
    assert_eq!(e.place, "layer 5");
    assert!(e.message.contains("max_layers"), "{e}");
    let three = gz(&gz(&gz(&tar)));
    let img = open_bytes("x.tar.gz.gz.gz", three, &ImageLimits::default()).unwrap();
    assert_eq!(img.layers, vec![ImageKind::Gzip; 3]);

    let mut many = Vec::new();
    for i in 0..20 {
        many.extend(ustar(format!("f{i}").as_bytes(), b'0', b"", b"x"));
    }
    let e = open_bytes(
        "many.tar",
        tar_end(many),
        &ImageLimits {
            max_entries: 10,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.place, "entry 11 (f10)");
    let big = tar_end(ustar(b"big", b'0', b"", &[7u8; 5000]));
    let e = open_bytes(
        "big.tar",
        big,
        &ImageLimits {
            max_file_bytes: 4096,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(e.message.contains("max_file_bytes"), "{e}");
}

#[test]
fn a_boot_image_with_a_lying_ramdisk_size_is_refused() {
    let mut h = vec![0u8; 4096];
    h[..8].copy_from_slice(b"ANDROID!");
    h[8..12].copy_from_slice(&10u32.to_le_bytes());
    h[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    h[40..44].copy_from_slice(&3u32.to_le_bytes());
    let e = open_bytes("boot.img", h.clone(), &ImageLimits::default()).unwrap_err();
    assert_eq!(
        (e.path.as_str(), e.place.as_str()),
        ("boot.img", "ramdisk at offset 8192")
    );
    h[40..44].copy_from_slice(&9u32.to_le_bytes());
    let e = open_bytes("boot.img", h, &ImageLimits::default()).unwrap_err();
    assert_eq!(e.place, "offset 40");
}

/// Every truncation and a byte flipped at every offset of small valid inputs of each
/// in-memory format: an error or a tree, never a panic (a quick stand-in for the fuzz
/// targets, which run separately).
#[test]
fn mutated_small_images_never_panic() {
    let mut cpio = Vec::new();
    cpio.extend(newc("etc", 0o040755, b"", (0, 0)));
    cpio.extend(newc(
        "etc/passwd",
        0o100644,
        b"root:x:0:0::/:/bin/sh\n",
        (0, 0),
    ));
    cpio.extend(newc("etc/link", 0o120777, b"passwd", (0, 0)));
    cpio.extend(newc("TRAILER!!!", 0, b"", (0, 0)));
    let mut tar = ustar(b"etc/passwd", b'0', b"", b"root:x:0:0::/:/bin/sh\n");
    tar.extend(ustar(b"etc/link", b'2', b"passwd", b""));
    let tar = tar_end(tar);
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&cpio).unwrap();
        e.finish().unwrap()
    };
    let mut sparse = 0xED26_FF3Au32.to_le_bytes().to_vec();
    for v in [1u16, 0, 28, 12] {
        sparse.extend_from_slice(&v.to_le_bytes());
    }
    for v in [8u32, 3, 2, 0] {
        sparse.extend_from_slice(&v.to_le_bytes());
    }
    sparse.extend_from_slice(&[0xc1, 0xca, 0, 0, 1, 0, 0, 0, 20, 0, 0, 0]);
    sparse.extend_from_slice(b"ABCDEFGH");
    sparse.extend_from_slice(&[0xc3, 0xca, 0, 0, 2, 0, 0, 0, 12, 0, 0, 0]);
    let limits = ImageLimits {
        max_expanded_bytes: 1 << 20,
        max_entries: 64,
        ..Default::default()
    };
    for (name, good, kind) in [
        ("m.cpio", cpio, ImageKind::Cpio),
        ("m.tar", tar, ImageKind::Tar),
        ("m.cpio.gz", gz, ImageKind::Gzip),
        ("m.simg", sparse, ImageKind::AndroidSparse),
    ] {
        let try_open = |bytes: Vec<u8>| {
            if let Ok(img) = open_image(ImageSource::from_bytes(name, bytes), kind, &limits) {
                walk_lenient(img.tree.as_ref());
            }
        };
        try_open(good.clone());
        for cut in 0..good.len() {
            try_open(good[..cut].to_vec());
        }
        for off in 0..good.len() {
            for x in [0x01u8, 0x80, 0xff] {
                let mut bad = good.clone();
                bad[off] ^= x;
                try_open(bad);
            }
        }
    }
}
