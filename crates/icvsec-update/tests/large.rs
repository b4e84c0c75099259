//! Packages larger than what is read into memory: a SWUpdate package with a 20 MiB image
//! (sparse zeros, written to a temporary file at test time) verifies from the file with
//! the in-memory bound set to 1 MiB, so the image is hashed in place, never loaded whole.

use std::io::{Seek, SeekFrom, Write};

use icvsec_update::{Limits, Options, PayloadState, read_package_from_file};

const IMAGE: u64 = 20 * 1024 * 1024 + 3;

fn zeros_sha256(len: u64) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        ctx.update(&chunk[..n]);
        left -= n as u64;
    }
    ctx.finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes one newc member; `data` None = `IMAGE` zero bytes left as a hole (sparse).
fn member(f: &mut std::fs::File, ino: u32, name: &str, data: Option<&[u8]>) {
    let size = data.map_or(IMAGE, |d| d.len() as u64);
    let namesize = name.len() + 1;
    let header = format!(
        "070701{ino:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{size:08x}{:08x}{:08x}{:08x}{:08x}{namesize:08x}{:08x}",
        0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0
    );
    f.write_all(header.as_bytes()).unwrap();
    f.write_all(name.as_bytes()).unwrap();
    f.write_all(&[0]).unwrap();
    pad(f);
    match data {
        Some(d) => f.write_all(d).unwrap(),
        None => {
            let pos = f.stream_position().unwrap();
            f.set_len(pos + IMAGE).unwrap();
            f.seek(SeekFrom::Start(pos + IMAGE)).unwrap();
        }
    }
    pad(f);
}

fn pad(f: &mut std::fs::File) {
    let pos = f.stream_position().unwrap();
    let n = (4 - pos % 4) % 4;
    f.write_all(&vec![0u8; n as usize]).unwrap();
}

fn write_swu(path: &std::path::Path, sha: &str) {
    let desc = format!(
        "software = {{ version = \"9.0.0\"; images: ( {{ filename = \"rootfs.img\"; type = \"raw\"; sha256 = \"{sha}\"; }} ); }}\n"
    );
    let mut f = std::fs::File::create(path).unwrap();
    member(&mut f, 1, "sw-description", Some(desc.as_bytes()));
    member(&mut f, 2, "rootfs.img", None);
    member(&mut f, 0, "TRAILER!!!", Some(b""));
}

#[test]
fn a_swupdate_image_above_the_in_memory_bound_is_hashed_in_place() {
    let dir = std::env::temp_dir().join(format!("icvsec-large-swu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("big.swu");
    let bad = dir.join("big-bad.swu");
    write_swu(&good, &zeros_sha256(IMAGE));
    write_swu(&bad, &zeros_sha256(IMAGE - 1));
    let opts = Options {
        limits: Limits {
            max_in_memory_bytes: 1 << 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    assert!(std::fs::metadata(&good).unwrap().len() > IMAGE);
    let p = read_package_from_file("big.swu", std::fs::File::open(&good).unwrap(), &opts);
    let q = read_package_from_file("big-bad.swu", std::fs::File::open(&bad).unwrap(), &opts);
    // A RAUC-like file of the same size is refused by the in-memory bound, with the limit.
    let mut rauc = std::fs::File::create(dir.join("big.raucb")).unwrap();
    rauc.write_all(b"hsqs").unwrap();
    rauc.set_len(IMAGE).unwrap();
    drop(rauc);
    let r = read_package_from_file(
        "big.raucb",
        std::fs::File::open(dir.join("big.raucb")).unwrap(),
        &opts,
    );
    // The package bound still applies to files read in place.
    let tight = Options {
        limits: Limits {
            max_package_bytes: 1 << 20,
            ..Limits::default()
        },
        ..Options::default()
    };
    let t = read_package_from_file("big.swu", std::fs::File::open(&good).unwrap(), &tight);
    let _ = std::fs::remove_dir_all(&dir);

    let p = p.expect("reads");
    assert_eq!(p.version.as_deref(), Some("9.0.0"));
    assert_eq!(p.payloads.len(), 1);
    assert_eq!(
        p.payloads[0].actual,
        PayloadState::Match,
        "{:?}",
        p.payloads
    );
    let q = q.expect("reads");
    assert!(
        matches!(q.payloads[0].actual, PayloadState::Mismatch { .. }),
        "{:?}",
        q.payloads
    );
    let e = r.expect_err("over the in-memory bound");
    assert!(
        e.place == "big.raucb" && e.message.contains("1048576-byte limit"),
        "{e}"
    );
    let e = t.expect_err("over the package bound");
    assert!(e.message.contains("exceeds the 1048576-byte limit"), "{e}");
}
