//! Firmware images give the same findings as the same tree unpacked: the demo T-Box root
//! filesystem is packed at test time (mkfs.ext4 -d, mksquashfs, tar, cpio, img2simg) and
//! both builds are scanned. A missing tool prints SKIPPED (CI installs them all).

use crate::common::{AS_OF, copy_dir, fixtures};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("icvsec-images-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tool(name: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// (rule, outcome, message) of every pass/fail finding, with the root's name replaced.
fn verdicts(build: &Path, root_name: &str) -> Vec<(String, String, String)> {
    let out = Command::new(env!("CARGO_BIN_EXE_icvsec"))
        .args(["scan"])
        .arg(build)
        .args(["--as-of", AS_OF, "--format", "json", "--no-progress"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut v: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "pass" || f["outcome"] == "fail")
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["outcome"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().replace(root_name, "ROOT"),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn images_give_the_same_findings_as_the_unpacked_tree() {
    let base = tmp("same");
    let tree_build = base.join("tree");
    copy_dir(
        &fixtures().join("demo-vehicle/tbox/rootfs"),
        &tree_build.join("rootfs"),
    );
    let expected = verdicts(&tree_build, "rootfs");
    assert!(
        expected
            .iter()
            .any(|(r, o, _)| r.starts_with("ICV-LNX") && o == "fail"),
        "the unpacked tree has failing Linux findings: {expected:?}"
    );
    let src = tree_build.join("rootfs");
    let packers: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "mkfs.ext4",
            "rootfs.ext4",
            vec!["mkfs.ext4 -q -F -b 1024 -d SRC OUT 8M".into()],
        ),
        (
            "img2simg",
            "rootfs.simg",
            vec![
                "mkfs.ext4 -q -F -b 1024 -d SRC OUT.raw 8M".into(),
                "img2simg OUT.raw OUT".into(),
                "rm OUT.raw".into(),
            ],
        ),
        (
            "mksquashfs",
            "rootfs.squashfs",
            vec!["mksquashfs SRC OUT -quiet -no-progress -all-root".into()],
        ),
        ("tar", "rootfs.tar.gz", vec!["tar -C SRC -czf OUT .".into()]),
        (
            "cpio",
            "rootfs.cpio",
            vec!["cd SRC && find . | cpio -o -H newc --quiet > OUT".into()],
        ),
    ];
    for (needs, name, steps) in packers {
        if !tool(needs) {
            eprintln!(
                "SKIPPED: images_give_the_same_findings_as_the_unpacked_tree ({name}): {needs} is not installed"
            );
            continue;
        }
        let build = base.join(format!("build-{name}"));
        std::fs::create_dir_all(&build).unwrap();
        let out = build.join(name);
        for step in steps {
            let cmd = step
                .replace("SRC", &src.display().to_string())
                .replace("OUT", &out.display().to_string());
            let ok = Command::new("sh").args(["-c", &cmd]).status().unwrap();
            assert!(ok.success(), "{cmd}");
        }
        let got = verdicts(&build, name);
        assert_eq!(got, expected, "{name}");
        // The image alone, named on the command line, is the same build.
        let alone = verdicts(&out, name);
        assert_eq!(alone, expected, "{name} scanned directly");
    }
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn a_corrupt_image_is_an_error_not_a_pass() {
    let base = tmp("corrupt");
    let mut bytes = vec![0u8; 4096];
    // An ext4 superblock magic with nothing valid around it.
    bytes[1080] = 0x53;
    bytes[1081] = 0xEF;
    std::fs::write(base.join("tbox-rootfs.ext4"), &bytes).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_icvsec"))
        .arg("scan")
        .arg(&base)
        .args(["--as-of", AS_OF, "--format", "json", "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        report["diagnostics"]
            .to_string()
            .contains("tbox-rootfs.ext4"),
        "{}",
        report["diagnostics"]
    );
    let _ = std::fs::remove_dir_all(&base);
}

/// The demo vehicle ships two of its root filesystems as committed images
/// (fixtures/images/gen.sh): the `tbox-lte` variant's ext4 image of the T-Box tree and the
/// `rse` unit's Android sparse image of the IVI system partition. Both are read in place
/// during the demo scan, and findings are placed inside each image.
#[test]
fn demo_images_are_scanned_and_findings_are_placed_inside_them() {
    let demo = fixtures().join("demo-vehicle");
    for (image, max) in [
        ("images/tbox-rootfs.ext4", 1 << 20),
        ("images/rse-system.simg", 1 << 20),
    ] {
        let len = std::fs::metadata(demo.join(image)).unwrap().len();
        assert!(len <= max, "{image} is {len} bytes");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_icvsec"))
        .arg("scan")
        .arg(&demo)
        .args(["--as-of", AS_OF, "--format", "json", "--no-progress"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the demo still fails the gate");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let findings = report["findings"].as_array().unwrap();
    let inside = |prefix: &str, rule: &str| {
        findings.iter().any(|f| {
            f["outcome"] == "fail"
                && f["rule_id"] == rule
                && f["location"]["file"]
                    .as_str()
                    .is_some_and(|p| p.starts_with(prefix))
        })
    };
    // sshd_config inside the ext4 image: PermitRootLogin yes.
    assert!(
        inside("images/tbox-rootfs.ext4/etc/ssh/", "ICV-LNX-001"),
        "no ICV-LNX-001 failure inside the ext4 image"
    );
    // The package database inside it: the overdue OpenSSL vulnerability of tbox-lte.
    assert!(
        inside("images/tbox-rootfs.ext4/var/lib/dpkg/status", "ICV-VUL-001"),
        "no ICV-VUL-001 failure from the ext4 image's dpkg status"
    );
    // build.prop inside the sparse image: a userdebug build.
    assert!(
        inside("images/rse-system.simg/system/build.prop", "ICV-AND-006"),
        "no ICV-AND-006 failure inside the sparse image"
    );
    let diags = report["diagnostics"].to_string();
    for image in ["images/tbox-rootfs.ext4", "images/rse-system.simg"] {
        assert!(
            report["diagnostics"].as_array().unwrap().iter().any(|d| {
                d["location"]["file"] == image
                    && d["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("read in place"))
            }),
            "{image} not read in place: {diags}"
        );
    }
    assert_eq!(report["complete"], true, "{diags}");
    // Both variants appear in the inventory, read from inside their images.
    let inv = report["inventory"].as_array().unwrap();
    for (ecu, prefix) in [
        ("tbox-lte", "images/tbox-rootfs.ext4/"),
        ("rse", "images/rse-system.simg/"),
    ] {
        let e = inv
            .iter()
            .find(|e| e["ecu"] == ecu)
            .unwrap_or_else(|| panic!("no inventory for {ecu}"));
        assert!(
            e["components"]
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["sources"][0]["file"]
                    .as_str()
                    .is_some_and(|f| f.starts_with(prefix))),
            "{ecu}: {e}"
        );
    }
}
