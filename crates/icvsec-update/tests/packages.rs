//! SWUpdate, RAUC and Android OTA fixtures written by fixtures/update-gen/gen.sh
//! (openssl, cpio, mksquashfs, veritysetup, zip), read back and verified.

use std::path::PathBuf;

use icvsec_update::{
    Anchor, Kind, Limits, Options, PayloadState, UpdatePackage, Verification, detect, read_package,
};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/update-gen")
}

fn bytes(name: &str) -> Vec<u8> {
    let p = dir().join("out").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn anchor(file: &str) -> Vec<Anchor> {
    let p = dir().join(file);
    Anchor::parse(file, &std::fs::read(&p).unwrap()).unwrap()
}

fn ca() -> Options {
    Options {
        anchors: anchor("out/anchor-ca.crt.pem"),
        ..Options::default()
    }
}

fn read(name: &str, o: &Options) -> UpdatePackage {
    read_package(name, &bytes(name), o).unwrap_or_else(|e| panic!("{e}"))
}

fn states(p: &UpdatePackage) -> Vec<(String, &PayloadState)> {
    p.payloads
        .iter()
        .map(|c| (c.name.clone(), &c.actual))
        .collect()
}

#[test]
fn swupdate_good_cms_rsa() {
    let p = read("swu-good.swu", &ca());
    assert_eq!(p.kind, Kind::Swupdate);
    assert_eq!(p.signature.verified, Verification::Verified, "{p:#?}");
    assert_eq!(p.signature.algorithm.as_deref(), Some("rsa-pkcs1-sha256"));
    assert_eq!(p.signature.key_bits, Some(2048));
    assert_eq!(p.signature.signer_is_test_key, Some(false));
    assert!(
        p.signature
            .signer_subject
            .as_deref()
            .unwrap()
            .contains("ACME Vehicles Release Signing")
    );
    assert_eq!(
        p.signature.chain_method.as_deref(),
        Some("issuer-name match + signature check")
    );
    assert_eq!(p.version.as_deref(), Some("2.1.0"));
    assert_eq!(p.hardware_compat, vec!["1.0", "1.2"]);
    assert_eq!(p.payloads.len(), 2);
    assert!(p.payloads_ok(), "{:?}", states(&p));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn swupdate_ecdsa_and_pss_signatures() {
    let p = read("swu-ecdsa.swu", &ca());
    assert_eq!(p.signature.verified, Verification::Verified, "{p:#?}");
    assert_eq!(p.signature.algorithm.as_deref(), Some("ecdsa-p256-sha256"));
    assert_eq!(p.signature.key_bits, Some(256));
    let p = read("swu-pss.swu", &ca());
    assert_eq!(p.signature.verified, Verification::Verified, "{p:#?}");
    assert_eq!(p.signature.algorithm.as_deref(), Some("rsa-pss-sha256"));
}

#[test]
fn swupdate_raw_rsa_needs_the_key_itself() {
    let key = Options {
        anchors: anchor("keys/test-release.pub.pem"),
        ..Options::default()
    };
    let p = read("swu-raw-rsa.swu", &key);
    assert_eq!(p.signature.verified, Verification::Verified, "{p:#?}");
    assert_eq!(p.signature.format.as_deref(), Some("raw-rsa-pkcs1-sha256"));
    // The CA's key did not make a raw signature: not verified.
    let p = read("swu-raw-rsa.swu", &ca());
    assert!(
        matches!(p.signature.verified, Verification::BadSignature(_)),
        "{p:#?}"
    );
}

#[test]
fn swupdate_unsigned_tampered_wrong_bytes_untrusted() {
    let p = read("swu-unsigned.swu", &ca());
    assert!(!p.signature.present);
    assert_eq!(p.signature.verified, Verification::Absent);
    assert!(p.payloads_ok());

    let p = read("swu-tampered.swu", &ca());
    assert_eq!(p.signature.verified, Verification::Verified);
    let rootfs = p.payloads.iter().find(|c| c.name == "rootfs.img").unwrap();
    assert!(
        matches!(rootfs.actual, PayloadState::Mismatch { .. }),
        "{rootfs:?}"
    );
    assert!(!p.payloads_ok());

    let p = read("swu-wrong-bytes.swu", &ca());
    match &p.signature.verified {
        Verification::BadSignature(m) => assert!(m.contains("messageDigest"), "{m}"),
        v => panic!("{v:?}"),
    }

    let p = read("swu-untrusted.swu", &ca());
    match &p.signature.verified {
        Verification::Untrusted(m) => assert!(m.contains("does not chain"), "{m}"),
        v => panic!("{v:?}"),
    }

    // No anchor at all: the signature checks out with its own certificate, trust unknown.
    let p = read("swu-good.swu", &Options::default());
    assert!(
        matches!(p.signature.verified, Verification::Unverifiable(_)),
        "{p:#?}"
    );
}

#[test]
fn rauc_plain_good_stale_and_test_key() {
    let p = read("rauc-good.raucb", &ca());
    assert_eq!(p.kind, Kind::Rauc);
    assert_eq!(p.signature.verified, Verification::Verified, "{p:#?}");
    assert_eq!(p.version.as_deref(), Some("2025.01-1"));
    assert_eq!(p.hardware_compat, vec!["acme-tbox-imx8"]);
    assert_eq!(p.details.get("format").map(String::as_str), Some("plain"));
    assert_eq!(p.payloads.len(), 2);
    assert!(p.payloads_ok(), "{:?}", states(&p));
    assert_eq!(p.signature.signer_is_test_key, Some(false));

    let installed = Options {
        installed_version: Some("2024.06-3".into()),
        ..ca()
    };
    let good = read("rauc-good.raucb", &installed);
    assert!(!good.problems.iter().any(|p| p.message.contains("stale")));
    let stale = read("rauc-stale.raucb", &installed);
    assert_eq!(stale.signature.verified, Verification::Verified);
    assert!(
        stale
            .problems
            .iter()
            .any(|p| p.message.contains("stale version")),
        "{:?}",
        stale.problems
    );

    let t = read("rauc-testkey.raucb", &ca());
    assert_eq!(t.signature.verified, Verification::Verified);
    assert_eq!(t.signature.signer_is_test_key, Some(true));
}

#[test]
fn rauc_verity_manifest_from_cms() {
    let p = read("rauc-verity.raucb", &ca());
    assert_eq!(p.signature.verified, Verification::Verified, "{p:#?}");
    assert_eq!(p.version.as_deref(), Some("2025.02-1"));
    assert_eq!(p.details.get("format").map(String::as_str), Some("verity"));
    assert!(p.details.contains_key("verity-hash"));
    // The image payload and the dm-verity root hash recomputed over the squashfs.
    assert_eq!(p.payloads.len(), 2, "{:?}", states(&p));
    assert!(
        p.payloads
            .iter()
            .any(|c| c.name.contains("dm-verity") && c.actual == PayloadState::Match)
    );
    assert!(p.payloads_ok(), "{:?}", states(&p));
    assert!(p.problems.is_empty(), "{:?}", p.problems);
}

#[test]
fn rauc_verity_detects_a_changed_image() {
    // The attached CMS still verifies (it signs the manifest), but the squashfs no longer
    // matches the verity root hash the manifest names.
    let mut b = bytes("rauc-verity.raucb");
    b[8] ^= 0x01;
    let p = read_package("x.raucb", &b, &ca()).unwrap();
    assert_eq!(p.signature.verified, Verification::Verified);
    let v = p
        .payloads
        .iter()
        .find(|c| c.name.contains("dm-verity"))
        .unwrap();
    assert!(matches!(v.actual, PayloadState::Mismatch { .. }), "{v:?}");
    assert!(
        p.problems.iter().any(|x| x.message.contains("hash tree")),
        "{p:#?}"
    );
}

#[test]
fn rauc_tampered_squashfs_breaks_the_signature() {
    let mut b = bytes("rauc-good.raucb");
    // Flip one byte of the squashfs superblock's modification time: the image is still
    // readable, the detached signature no longer matches.
    b[8] ^= 0x01;
    let p = read_package("x.raucb", &b, &ca()).unwrap();
    assert!(
        matches!(p.signature.verified, Verification::BadSignature(_)),
        "{p:#?}"
    );
}

#[test]
fn android_ota_good_and_tampered() {
    let p = read("ota-good.zip", &ca());
    assert_eq!(p.kind, Kind::AndroidOta);
    assert_eq!(p.signature.verified, Verification::Verified, "{p:#?}");
    assert_eq!(p.signature.format.as_deref(), Some("cms-whole-file"));
    assert_eq!(p.version.as_deref(), Some("1234567"));
    assert_eq!(p.hardware_compat, vec!["tbox", "tbox_b"]);
    assert_eq!(p.payloads.len(), 2);
    assert!(p.payloads_ok(), "{:?}", states(&p));
    assert_eq!(
        p.details.get("payload.version").map(String::as_str),
        Some("2")
    );
    let detail = |p: &UpdatePackage, k: &str| p.details.get(k).cloned().unwrap_or_default();
    assert_eq!(detail(&p, "payload.metadata-signature"), "verified");
    assert_eq!(detail(&p, "payload.signature"), "verified");
    assert!(p.problems.is_empty(), "{:?}", p.problems);

    // Without an anchor the package's own otacert is all there is: consistency only.
    let own = read("ota-good.zip", &Options::default());
    match &own.signature.verified {
        Verification::Unverifiable(m) => assert!(m.contains("otacert"), "{m}"),
        v => panic!("{v:?}"),
    }

    let t = read("ota-tampered.zip", &ca());
    assert!(
        matches!(t.signature.verified, Verification::BadSignature(_)),
        "{t:#?}"
    );
    let payload = t.payloads.iter().find(|c| c.name == "payload.bin").unwrap();
    assert!(
        matches!(payload.actual, PayloadState::Mismatch { .. }),
        "{payload:?}"
    );
    // The changed byte is in the data blobs: metadata still signed, payload not. (The
    // whole-file signature failed, so only anchor keys are tried: give the release key.)
    let release = Options {
        anchors: anchor("keys/test-release.pub.pem"),
        ..Options::default()
    };
    let t = read("ota-tampered.zip", &release);
    assert_eq!(detail(&t, "payload.metadata-signature"), "verified");
    assert!(
        detail(&t, "payload.signature").starts_with("bad signature"),
        "{:?}",
        t.details
    );
    assert!(
        t.problems
            .iter()
            .any(|p| p.place.ends_with("payload.bin payload signature"))
    );
    // A key that did not sign the payload.
    let other = Options {
        anchors: anchor("keys/test-ecdsa.crt.pem"),
        ..Options::default()
    };
    let o = read("ota-good.zip", &other);
    assert!(
        detail(&o, "payload.signature").contains("RSA keys only"),
        "{:?}",
        o.details
    );
}

#[test]
fn detection_by_content_and_name() {
    assert_eq!(detect("a", &bytes("swu-good.swu")), Some(Kind::Swupdate));
    assert_eq!(detect("a", &bytes("rauc-good.raucb")), Some(Kind::Rauc));
    assert_eq!(detect("a", &bytes("ota-good.zip")), Some(Kind::AndroidOta));
    assert_eq!(detect("a.swu", b"garbage"), Some(Kind::Swupdate));
    assert_eq!(detect("a.bin", b"garbage"), None);
    assert!(read_package("a.bin", b"garbage", &ca()).is_err());
}

/// Deterministic xorshift, so failures reproduce.
fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn truncated_and_corrupted_inputs_never_panic() {
    let names = [
        "swu-good.swu",
        "swu-raw-rsa.swu",
        "rauc-good.raucb",
        "rauc-verity.raucb",
        "ota-good.zip",
    ];
    let o = ca();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for n in names {
        let b = bytes(n);
        let mut errors = 0;
        for cut in (0..b.len()).step_by(97).chain([b.len() - 1, b.len() - 8]) {
            if read_package(n, &b[..cut], &o).is_err() {
                errors += 1;
            }
        }
        assert!(errors > 0, "{n}: no truncation was an error");
        for _ in 0..300 {
            let mut m = b.clone();
            for _ in 0..1 + rng(&mut seed) % 4 {
                let i = (rng(&mut seed) % m.len() as u64) as usize;
                m[i] = rng(&mut seed) as u8;
            }
            // Either an error with a place or a package: never a panic.
            match read_package(n, &m, &o) {
                Ok(_) => {}
                Err(e) => assert!(e.place.starts_with(n), "{e}"),
            }
        }
    }
}

#[test]
fn limits_are_errors_not_truncations() {
    let b = bytes("rauc-good.raucb");
    let tiny = Options {
        limits: Limits {
            max_package_bytes: 1000,
            ..Limits::default()
        },
        ..ca()
    };
    let e = read_package("rauc-good.raucb", &b, &tiny).unwrap_err();
    assert!(e.message.contains("limit"), "{e}");
    let few = Options {
        limits: Limits {
            max_entries: 1,
            ..Limits::default()
        },
        ..ca()
    };
    let e = read_package("swu-good.swu", &bytes("swu-good.swu"), &few).unwrap_err();
    assert!(e.message.contains("more than 1"), "{e}");
}

/// Our dm-verity tree against veritysetup's, for one block, two blocks and a two-level tree.
#[test]
fn verity_tree_matches_veritysetup() {
    let tool = [
        "/usr/sbin/veritysetup",
        "/sbin/veritysetup",
        "/usr/bin/veritysetup",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists());
    let Some(tool) = tool else {
        eprintln!(
            "SKIPPED: verity_tree_matches_veritysetup: veritysetup (cryptsetup-bin) not installed"
        );
        return;
    };
    let tmp = std::env::temp_dir().join(format!("icvsec-verity-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let salt = [0x42u8; 32];
    let salt_hex: String = salt.iter().map(|b| format!("{b:02x}")).collect();
    let mut seed = 7u64;
    for blocks in [1usize, 2, 129] {
        let data: Vec<u8> = (0..blocks * 4096).map(|_| rng(&mut seed) as u8).collect();
        let (d, h) = (tmp.join("data"), tmp.join("hash"));
        std::fs::write(&d, &data).unwrap();
        let _ = std::fs::remove_file(&h);
        let out = std::process::Command::new(tool)
            .args(["format", "--no-superblock", &format!("--salt={salt_hex}")])
            .arg(&d)
            .arg(&h)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let root = text
            .lines()
            .find_map(|l| l.strip_prefix("Root hash:"))
            .unwrap()
            .trim()
            .to_string();
        let (ours, tree) = icvsec_update::rauc::verity_tree(&data, &salt).unwrap();
        let ours: String = ours.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ours, root, "{blocks} blocks");
        assert_eq!(
            tree,
            std::fs::read(&h).unwrap(),
            "{blocks} blocks: hash tree"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn cms_content_type_must_match_the_signed_attribute() {
    let mut b = bytes("rauc-good.raucb");
    let data_oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let at = b
        .windows(data_oid.len())
        .position(|w| w == data_oid)
        .expect("eContentType id-data in the CMS");
    b[at + data_oid.len() - 1] = 0x05; // id-data -> id-digestedData
    let p = read_package("x.raucb", &b, &ca()).unwrap();
    match &p.signature.verified {
        Verification::BadSignature(m) => assert!(m.contains("contentType"), "{m}"),
        v => panic!("{v:?}"),
    }
}

#[test]
fn package_file_size_checked_before_reading() {
    let path = dir().join("out/swu-good.swu");
    let p = icvsec_update::read_package_file(&path, &ca()).unwrap();
    assert_eq!(p.signature.verified, Verification::Verified);
    let small = Options {
        limits: Limits {
            max_package_bytes: 100,
            ..Limits::default()
        },
        ..ca()
    };
    let e = icvsec_update::read_package_file(&path, &small).unwrap_err();
    assert!(
        e.place.ends_with("swu-good.swu") && e.message.contains("limit"),
        "{e}"
    );
}

#[test]
fn squashfs_superblock_extremes_are_errors() {
    let good = bytes("rauc-good.raucb");
    let used = u64::from_le_bytes(good[40..48].try_into().unwrap());
    // bytes_used, root inode, inode/directory/fragment/export table offsets.
    for field in [40usize, 32, 64, 72, 80, 88] {
        for v in [u64::MAX, u64::MAX - 1, 1 << 63, used - 1, used, 0] {
            let mut b = good.clone();
            b[field..field + 8].copy_from_slice(&v.to_le_bytes());
            if b == good {
                continue; // e.g. the export table is already "none" (all ones)
            }
            // The signature no longer matches; what matters is no panic and a place.
            match read_package("x.raucb", &b, &ca()) {
                Ok(p) => assert!(!p.signature.verified.is_verified()),
                Err(e) => assert!(e.place.starts_with("x.raucb"), "{e}"),
            }
        }
    }
}
