//! Each image format, built at test time from one fixture tree with the system tools,
//! must list and read the same files, links and special files as the tree itself.

mod support;

use icvsec_fs::{RootView, Scope};
use icvsec_image::{Image, ImageKind, ImageLimits, ImageSource, open_image};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use support::*;

/// The fixture tree, written once per test binary.
fn fixture() -> &'static (PathBuf, PathBuf) {
    static F: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    F.get_or_init(|| {
        let base = scratch("fixture").keep();
        let root = base.join("root");
        fixture_tree(&root);
        (base, root)
    })
}

fn open(path: &Path) -> Image {
    let src = ImageSource::open_path(path).unwrap();
    let kind = src
        .detect()
        .unwrap_or_else(|| panic!("{}: not sniffed", path.display()));
    open_image(src, kind, &ImageLimits::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The image lists and reads exactly what the fixture tree holds (ext4's lost+found
/// aside), and its links resolve inside it.
fn assert_same_as_fixture(img: &Image, fifo: bool) {
    let (_, root) = fixture();
    let mut want = expected(root);
    if !fifo {
        want.remove("dev/initctl");
    }
    let mut got = walk(img.tree.as_ref());
    got.retain(|k, _| k != "lost+found" && !k.starts_with("lost+found/"));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{}: entries differ",
        img.name
    );
    for (k, v) in &want {
        assert_eq!(got.get(k), Some(v), "{}: {k} differs", img.name);
    }
    let view = RootView::new(img.tree.as_ref(), Scope::chroot(vec![]), 1 << 20);
    let sshd = view.read("/etc/sshd_config").unwrap().unwrap();
    assert!(sshd.starts_with(b"Include /etc/ssh/sshd_config.d/"));
    assert!(
        view.read("/etc/passwd.abs")
            .unwrap()
            .unwrap()
            .starts_with(b"root:x:0:0")
    );
    assert!(
        view.read("/usr/lib/certs/ecu.pem")
            .unwrap()
            .unwrap()
            .starts_with(b"-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(
        view.list_dir("/etc/ssh/sshd_config.d").unwrap(),
        vec!["10-hardening.conf"]
    );
    assert!(img.problems.is_empty(), "{}: {:?}", img.name, img.problems);
}

macro_rules! need {
    ($test:expr, $($tool:expr),+) => {
        for tool in [$($tool),+] {
            if !have(tool) {
                eprintln!("SKIPPED: {}: {tool} is not installed", $test);
                return;
            }
        }
    };
}

fn ext4_image(out: &Path) {
    let (_, root) = fixture();
    sh(&format!(
        "mkfs.ext4 -q -F -b 1024 -N 64 -d '{}' '{}' 2M",
        root.display(),
        out.display()
    ));
}

#[test]
fn ext4_reads_like_the_tree() {
    need!("ext4_reads_like_the_tree", "mkfs.ext4");
    let d = scratch("ext4");
    ext4_image(&d.join("root.ext4"));
    let img = open(&d.join("root.ext4"));
    assert_eq!(img.kind, ImageKind::Ext4);
    assert_same_as_fixture(&img, true);
}

#[test]
fn android_sparse_ext4_reads_like_the_tree() {
    need!(
        "android_sparse_ext4_reads_like_the_tree",
        "mkfs.ext4",
        "img2simg"
    );
    let d = scratch("sparse");
    ext4_image(&d.join("root.ext4"));
    sh(&format!(
        "img2simg '{0}/root.ext4' '{0}/root.simg'",
        d.display()
    ));
    let img = open(&d.join("root.simg"));
    assert_eq!(img.layers, vec![ImageKind::AndroidSparse]);
    assert_eq!(img.kind, ImageKind::Ext4);
    assert_same_as_fixture(&img, true);
}

#[test]
fn squashfs_reads_like_the_tree_with_every_compressor() {
    need!(
        "squashfs_reads_like_the_tree_with_every_compressor",
        "mksquashfs"
    );
    let (_, root) = fixture();
    let d = scratch("squashfs");
    for comp in ["gzip", "xz", "zstd", "lz4", "lzma"] {
        let out = d.join(format!("root-{comp}.sqfs"));
        let st = std::process::Command::new("mksquashfs")
            .arg(root)
            .arg(&out)
            .args(["-noappend", "-quiet", "-no-progress", "-comp", comp])
            .output()
            .unwrap();
        if !st.status.success() {
            eprintln!(
                "SKIPPED: squashfs with {comp}: this mksquashfs cannot write it ({})",
                String::from_utf8_lossy(&st.stderr).trim()
            );
            continue;
        }
        let img = open(&out);
        assert_eq!(img.kind, ImageKind::Squashfs);
        assert_same_as_fixture(&img, true);
    }
}

#[test]
fn tar_reads_like_the_tree_plain_and_compressed() {
    need!(
        "tar_reads_like_the_tree_plain_and_compressed",
        "tar",
        "gzip",
        "xz",
        "zstd"
    );
    let (_, root) = fixture();
    let d = scratch("tar");
    for (flag, file, layers) in [
        ("", "root.tar", vec![]),
        ("-z", "root.tar.gz", vec![ImageKind::Gzip]),
        ("-J", "root.tar.xz", vec![ImageKind::Xz]),
        ("--zstd", "root.tar.zst", vec![ImageKind::Zstd]),
    ] {
        sh(&format!(
            "tar -C '{}' {flag} -cf '{}' .",
            root.display(),
            d.join(file).display()
        ));
        let img = open(&d.join(file));
        assert_eq!(img.kind, ImageKind::Tar, "{file}");
        assert_eq!(img.layers, layers, "{file}");
        assert_same_as_fixture(&img, true);
    }
}

#[test]
fn cpio_reads_like_the_tree_in_each_format() {
    need!(
        "cpio_reads_like_the_tree_in_each_format",
        "cpio",
        "gzip",
        "lz4"
    );
    let (_, root) = fixture();
    let d = scratch("cpio");
    for (fmt, post, file) in [
        ("newc", "", "root.cpio"),
        ("crc", "", "root-crc.cpio"),
        ("odc", "", "root-odc.cpio"),
        ("newc", "| gzip -9", "root.cpio.gz"),
        ("newc", "| lz4 -l -q", "root.cpio.lz4"),
    ] {
        sh(&format!(
            "cd '{}' && find . | sort | cpio --quiet -o -H {fmt} {post} > '{}'",
            root.display(),
            d.join(file).display()
        ));
        let img = open(&d.join(file));
        assert_eq!(img.kind, ImageKind::Cpio, "{file}");
        assert_same_as_fixture(&img, true);
    }
}

/// A boot image header (version 0 with a 2048-byte page, or version 3) around a ramdisk.
fn boot_image(version: u32, ramdisk: &[u8]) -> Vec<u8> {
    boot_image_with_cmdline(version, ramdisk, b"")
}

/// The same, with a kernel command line in the header.
fn boot_image_with_cmdline(version: u32, ramdisk: &[u8], cmdline: &[u8]) -> Vec<u8> {
    let kernel = b"not a kernel, never run".repeat(200);
    let page: usize = if version >= 3 { 4096 } else { 2048 };
    let mut h = vec![0u8; page];
    h[..8].copy_from_slice(b"ANDROID!");
    let put = |h: &mut Vec<u8>, o: usize, v: u32| h[o..o + 4].copy_from_slice(&v.to_le_bytes());
    put(&mut h, 8, kernel.len() as u32);
    if version >= 3 {
        put(&mut h, 12, ramdisk.len() as u32);
        put(&mut h, 20, 1580);
    } else {
        put(&mut h, 16, ramdisk.len() as u32);
        put(&mut h, 36, page as u32);
    }
    put(&mut h, 40, version);
    let at = if version >= 3 { 44 } else { 64 };
    h[at..at + cmdline.len()].copy_from_slice(cmdline);
    let pad = |v: &mut Vec<u8>| v.resize(v.len().div_ceil(page) * page, 0);
    let mut img = h;
    img.extend_from_slice(&kernel);
    pad(&mut img);
    img.extend_from_slice(ramdisk);
    pad(&mut img);
    img
}

#[test]
fn android_boot_ramdisk_reads_like_the_tree() {
    need!(
        "android_boot_ramdisk_reads_like_the_tree",
        "cpio",
        "gzip",
        "lz4"
    );
    let (_, root) = fixture();
    let d = scratch("boot");
    sh(&format!(
        "cd '{0}' && find . | sort | cpio --quiet -o -H newc | gzip > '{1}/r.gz' && find . | sort | cpio --quiet -o -H newc | lz4 -l -q > '{1}/r.lz4'",
        root.display(),
        d.display()
    ));
    for (version, rd, comp) in [
        (0, "r.gz", ImageKind::Gzip),
        (2, "r.lz4", ImageKind::Lz4Legacy),
        (4, "r.gz", ImageKind::Gzip),
    ] {
        let ramdisk = std::fs::read(d.join(rd)).unwrap();
        let path = d.join(format!("boot-v{version}.img"));
        std::fs::write(&path, boot_image(version, &ramdisk)).unwrap();
        let img = open(&path);
        assert_eq!(img.layers, vec![ImageKind::AndroidBoot, comp]);
        assert_eq!(img.kind, ImageKind::Cpio);
        assert_same_as_fixture(&img, true);
    }
}

#[test]
fn the_boot_header_command_line_reads_as_proc_cmdline() {
    need!(
        "the_boot_header_command_line_reads_as_proc_cmdline",
        "cpio",
        "gzip"
    );
    let (_, root) = fixture();
    let d = scratch("bootcmdline");
    sh(&format!(
        "cd '{0}' && find . | sort | cpio --quiet -o -H newc | gzip > '{1}/r.gz'",
        root.display(),
        d.display()
    ));
    let ramdisk = std::fs::read(d.join("r.gz")).unwrap();
    let cmdline = b"console=ttyMSM0 androidboot.selinux=permissive";
    for version in [0, 3] {
        let path = d.join(format!("boot-v{version}.img"));
        std::fs::write(&path, boot_image_with_cmdline(version, &ramdisk, cmdline)).unwrap();
        let img = open(&path);
        let p = [b"proc".to_vec(), b"cmdline".to_vec()];
        let got = img.tree.read_file(&p, 4096).unwrap();
        assert_eq!(got, [&cmdline[..], b"\n"].concat(), "v{version}");
        let top: Vec<_> = img.tree.read_dir(&[], 1000).unwrap();
        assert!(top.iter().any(|(n, _)| n == b"proc"), "v{version}");
        // The rest of the ramdisk is untouched.
        assert!(img.tree.lstat(&[b"etc".to_vec()]).unwrap().is_some());
    }
}

#[test]
fn a_compressed_single_file_is_a_tree_of_one_file() {
    need!(
        "a_compressed_single_file_is_a_tree_of_one_file",
        "gzip",
        "xz",
        "zstd"
    );
    let (_, root) = fixture();
    let d = scratch("single");
    let passwd = std::fs::read(root.join("etc/passwd")).unwrap();
    for (tool, ext) in [("gzip", "gz"), ("xz", "xz"), ("zstd -q", "zst")] {
        let out = d.join(format!("passwd.{ext}"));
        sh(&format!(
            "{tool} -c '{}' > '{}'",
            root.join("etc/passwd").display(),
            out.display()
        ));
        let img = open(&out);
        let got = walk(img.tree.as_ref());
        assert_eq!(got.len(), 1, "{ext}");
        assert_eq!(
            got.get("passwd"),
            Some(&Seen::File(passwd.clone())),
            "{ext}"
        );
    }
}

#[test]
fn an_image_inside_an_image_opens_within_the_nesting_bound() {
    need!(
        "an_image_inside_an_image_opens_within_the_nesting_bound",
        "mkfs.ext4",
        "tar"
    );
    let d = scratch("nested");
    std::fs::create_dir_all(d.join("outer/images")).unwrap();
    ext4_image(&d.join("outer/images/rootfs.ext4"));
    sh(&format!(
        "tar -C '{0}/outer' -cf '{0}/update.tar' .",
        d.display()
    ));
    let outer = open(&d.join("update.tar"));
    let inner = outer
        .open_nested(
            &[b"images".to_vec(), b"rootfs.ext4".to_vec()],
            &ImageLimits::default(),
        )
        .unwrap();
    assert_eq!(inner.depth, 2);
    assert_eq!(inner.kind, ImageKind::Ext4);
    assert!(
        inner.name.ends_with("update.tar!/images/rootfs.ext4"),
        "{}",
        inner.name
    );
    assert_same_as_fixture(&inner, true);
}

#[test]
fn committed_demo_images_open() {
    // The small images under fixtures/images (made by gen.sh) ship with the demo.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/images");
    let mut seen = 0;
    for name in ["demo-rootfs.ext4", "demo-rootfs.simg"] {
        let p = dir.join(name);
        assert!(
            p.exists(),
            "{} missing: run fixtures/images/gen.sh",
            p.display()
        );
        assert!(
            std::fs::metadata(&p).unwrap().len() < 100 * 1024,
            "{name} is not small"
        );
        let img = open(&p);
        let view = RootView::new(img.tree.as_ref(), Scope::chroot(vec![]), 1 << 20);
        let sshd = String::from_utf8(view.read("/etc/ssh/sshd_config").unwrap().unwrap()).unwrap();
        assert!(sshd.contains("PermitRootLogin"), "{name}");
        seen += 1;
    }
    assert_eq!(seen, 2);
}
