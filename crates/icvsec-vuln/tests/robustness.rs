//! Hostile input: truncations and byte mutations of every fixture through every parser
//! (no panic), bounds reached are errors naming the file, zip feeds with oversized entries,
//! and a 200,000-advisory feed matched through the index.

mod common;

use common::{fixtures, read};
use icvsec_vuln::component::{Component, Ecosystem, Place, SourceRef};
use icvsec_vuln::feed::{Advisory, Affected, PackageKey, Range, RangeEnd, parse_feed_json};
use icvsec_vuln::inventory::{android, apk, binary, dpkg, kernel};
use icvsec_vuln::version::Scheme;
use icvsec_vuln::{EcuInventory, Feed, Limits, MatchParams, match_inventory};
use std::io::Write;
use time::macros::date;

/// Every parser on the same bytes; only "does not panic" and "errors name the file".
fn all_parsers(bytes: &[u8]) {
    let l = Limits::default();
    let check = |r: Result<(), icvsec_vuln::VulnError>| {
        if let Err(e) = r {
            assert_eq!(e.file, "f", "{e}");
            assert!(!e.place.is_empty());
        }
    };
    check(dpkg::parse_dpkg_status("f", bytes, &l).map(drop));
    check(dpkg::parse_opkg_status("f", bytes, &l).map(drop));
    check(apk::parse_apk_installed("f", bytes, &l).map(drop));
    check(android::parse_build_prop("f", bytes, &l).map(drop));
    check(kernel::parse_kernel_config_header("f", bytes, &l).map(drop));
    let _ = binary::scan_bytes("f", bytes, &l);
    check(parse_feed_json("f", bytes, &l).map(drop));
    check(icvsec_vuln::sbom::parse_sbom("f", bytes, &l).map(drop));
    check(icvsec_vuln::vex::parse_vex("f", bytes, &l).map(drop));
}

fn fixture_files() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![fixtures()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(std::fs::read(&p).expect("read"));
            }
        }
    }
    assert!(out.len() >= 20);
    out
}

#[test]
fn truncations_and_mutations_never_panic() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for f in fixture_files() {
        for cut in [0, 1, f.len() / 3, f.len() / 2, f.len().saturating_sub(1)] {
            all_parsers(&f[..cut.min(f.len())]);
        }
        for _ in 0..40 {
            let mut m = f.clone();
            for _ in 0..(1 + rnd() % 4) {
                if m.is_empty() {
                    break;
                }
                let i = (rnd() as usize) % m.len();
                m[i] = match rnd() % 4 {
                    0 => b'"',
                    1 => b'{',
                    2 => b'\n',
                    _ => rnd() as u8,
                };
            }
            all_parsers(&m);
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 5000;
    let mut s = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":"#);
    for _ in 0..depth {
        s.push_str(r#"[{"name":"a","version":"1","components":"#);
    }
    s.push_str("[]");
    for _ in 0..depth {
        s.push_str("}]");
    }
    s.push('}');
    let e =
        icvsec_vuln::sbom::parse_sbom("deep.json", s.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(e.file, "deep.json");
    // serde_json's own recursion limit (128) or ours (max_depth) stops it.
    let mut s = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":"#);
    for _ in 0..40 {
        s.push_str(r#"[{"name":"a","version":"1","components":"#);
    }
    s.push_str("[]");
    for _ in 0..40 {
        s.push_str("}]");
    }
    s.push('}');
    let e =
        icvsec_vuln::sbom::parse_sbom("deep.json", s.as_bytes(), &Limits::default()).unwrap_err();
    assert!(e.message.contains("nested deeper than 32"), "{e}");
}

#[test]
fn size_and_count_bounds_are_errors() {
    let small = Limits {
        max_file_bytes: 100,
        ..Limits::default()
    };
    let big = vec![b' '; 101];
    for r in [
        dpkg::parse_dpkg_status("f", &big, &small).map(drop),
        apk::parse_apk_installed("f", &big, &small).map(drop),
        parse_feed_json("f", &big, &small).map(drop),
        icvsec_vuln::sbom::parse_sbom("f", &big, &small).map(drop),
        icvsec_vuln::vex::parse_vex("f", &big, &small).map(drop),
    ] {
        let e = r.unwrap_err();
        assert!(e.message.contains("exceeds the bound of 100"), "{e}");
    }
    let few = Limits {
        max_feed_records: 3,
        ..Limits::default()
    };
    let recs: Vec<String> = (0..4).map(|i| format!(r#"{{"id":"X-{i}"}}"#)).collect();
    let json = format!("[{}]", recs.join(","));
    assert!(
        parse_feed_json("arr.json", json.as_bytes(), &few)
            .unwrap_err()
            .message
            .contains("more than 3 records")
    );
    let mut feed = Feed::new();
    for (i, r) in recs.iter().take(3).enumerate() {
        feed.add_json(&format!("{i}.json"), r.as_bytes(), &few)
            .expect("fits");
    }
    assert!(
        feed.add_json("3.json", recs[3].as_bytes(), &few)
            .unwrap_err()
            .message
            .contains("more than 3 advisories")
    );
}

fn write_zip(path: &std::path::Path, entries: &[(&str, Vec<u8>)]) {
    let f = std::fs::File::create(path).expect("create");
    let mut z = zip::ZipWriter::new(f);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        z.start_file(*name, opts).expect("start");
        z.write_all(data).expect("write");
    }
    z.finish().expect("finish");
}

#[test]
fn osv_zip_feed() {
    let dir = std::env::temp_dir().join(format!("icvsec-vuln-zip-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let zip = dir.join("all.zip");
    write_zip(
        &zip,
        &[
            (
                "DEBIAN-CVE-2022-0778.json",
                read("feed/osv/DEBIAN-CVE-2022-0778.json"),
            ),
            ("broken.json", b"{\"id\": ".to_vec()),
            ("README.txt", b"not json".to_vec()),
            ("big.json", vec![b' '; 5000]),
        ],
    );
    let mut feed = Feed::new();
    let l = Limits {
        max_file_bytes: 4096,
        ..Limits::default()
    };
    feed.load_path(&zip, &l).expect("zip loads");
    assert_eq!(feed.len(), 1);
    let probs: Vec<String> = feed.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(probs.len(), 2, "{probs:?}");
    assert!(
        probs[0].contains("all.zip!broken.json: line 1:"),
        "{probs:?}"
    );
    assert!(probs[1].contains("all.zip!big.json"), "{probs:?}");
    // Total unpacked bound: a "zip bomb" stops with an error.
    let bomb = dir.join("bomb.zip");
    let entries: Vec<(String, Vec<u8>)> = (0..8)
        .map(|i| (format!("{i}.json"), vec![b' '; 1 << 20]))
        .collect();
    let refs: Vec<(&str, Vec<u8>)> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.clone()))
        .collect();
    write_zip(&bomb, &refs);
    assert!(
        std::fs::metadata(&bomb).expect("meta").len() < 100_000,
        "compresses well"
    );
    let l = Limits {
        max_zip_total_bytes: 4 << 20,
        ..Limits::default()
    };
    let e = Feed::new().load_path(&bomb, &l).unwrap_err();
    assert!(e.message.contains("unpacked size exceeds"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// 200,000 advisories over 100,000 package names, 2,000 components: matching goes through
/// the index (each component sees only its own package's advisories).
#[test]
fn large_feed_is_indexed() {
    let t0 = std::time::Instant::now();
    let l = Limits::default();
    let mut feed = Feed::new();
    for i in 0..200_000u32 {
        let pkg = format!("pkg{}", i % 100_000);
        feed.add(
            Advisory {
                id: format!("GEN-{i}"),
                aliases: vec![],
                summary: None,
                published: Some(date!(2024 - 01 - 01)),
                severity: icvsec_vuln::cvss::Severity::from_score(7.5, None, "test"),
                origin: "generated".into(),
                affected: vec![Affected {
                    key: PackageKey::Package(Ecosystem::Debian, pkg),
                    release: None,
                    vendor: None,
                    ranges: vec![Range {
                        scheme: Scheme::Dpkg,
                        introduced: None,
                        introduced_inclusive: true,
                        end: RangeEnd::Fixed(format!("{}.0-1", 1 + i % 3)),
                    }],
                    versions: vec![],
                    versions_scheme: Scheme::Dpkg,
                }],
            },
            &l,
        )
        .expect("add");
    }
    eprintln!("built 200,000 advisories in {:?}", t0.elapsed());
    let mut inv = EcuInventory::new("ecu");
    for i in 0..2000u32 {
        let src = SourceRef {
            file: "status".into(),
            place: Place::Line(i as usize + 1),
            method: "dpkg-status".into(),
        };
        inv.add(Component::new(
            &format!("pkg{}", i * 50),
            "2.0-1",
            Ecosystem::Debian,
            src,
        ));
    }
    let c = inv.components().next().expect("one");
    assert_eq!(
        feed.candidates(c).len(),
        2,
        "index lookup returns only this package's advisories"
    );
    let start = std::time::Instant::now();
    let ms = match_inventory(
        &[inv],
        &feed,
        &[],
        &Default::default(),
        date!(2026 - 11 - 30),
        &MatchParams::default(),
    );
    // pkgN (N = i*50) has advisories GEN-N and GEN-(N+100000); fixed is 1+(id%3) ".0-1".
    let expected: usize = (0..2000u32)
        .map(|i| {
            [i * 50, i * 50 + 100_000]
                .iter()
                .filter(|&&id| 1 + id % 3 > 2)
                .count()
        })
        .sum();
    assert_eq!(ms.len(), expected);
    eprintln!(
        "matched 2,000 components against 200,000 advisories in {:?}",
        start.elapsed()
    );
}
