//! The fixture vehicle end to end: inventory from every source kind, OSV + NVD feeds, both
//! VEX formats, the verdicts the demo needs, and SBOM output.

mod common;

use common::{demo_inventory, fixtures, read, releases};
use icvsec_vuln::inventory::android;
use icvsec_vuln::kernel_eol::{KernelEolTable, KernelSupport};
use icvsec_vuln::matching::{Verdict, judge_android_spl, judge_kernels};
use icvsec_vuln::vex::parse_vex;
use icvsec_vuln::{
    Ecosystem, Feed, Limits, MatchParams, VexDocument, VulnMatch, match_inventory, write_cyclonedx,
};
use time::macros::date;

fn feed() -> Feed {
    let mut f = Feed::new();
    f.load_path(&fixtures().join("feed"), &Limits::default())
        .expect("feed");
    assert!(f.problems.is_empty(), "{:?}", f.problems);
    f
}

fn vex() -> Vec<VexDocument> {
    ["vex/openvex.json", "vex/cyclonedx-vex.json"]
        .iter()
        .map(|p| parse_vex(p, &read(p), &Limits::default()).expect("vex"))
        .collect()
}

fn run() -> Vec<VulnMatch> {
    match_inventory(
        &demo_inventory(),
        &feed(),
        &vex(),
        &releases(),
        date!(2026 - 11 - 30),
        &MatchParams::default(),
    )
}

fn find<'a>(ms: &'a [VulnMatch], ecu: &str, comp: &str, id: &str) -> &'a VulnMatch {
    ms.iter()
        .find(|m| m.ecu == ecu && m.component == comp && m.vuln_id == id)
        .unwrap_or_else(|| {
            panic!(
                "no match {ecu}/{comp}/{id}: {:#?}",
                ms.iter()
                    .map(|m| (&m.ecu, &m.component, &m.vuln_id))
                    .collect::<Vec<_>>()
            )
        })
}

#[test]
fn inventory_from_every_source() {
    let inv = demo_inventory();
    let tbox = inv.iter().find(|e| e.ecu == "tbox").expect("tbox");
    let names: Vec<(String, String, Ecosystem)> = tbox
        .components()
        .map(|c| (c.name.clone(), c.version.clone(), c.ecosystem))
        .collect();
    assert!(names.contains(&(
        "libssl1.1".into(),
        "1.1.1k-1+deb11u1".into(),
        Ecosystem::Debian
    )));
    assert!(names.contains(&("openssl".into(), "1.1.1k".into(), Ecosystem::Generic)));
    assert!(names.contains(&("openssh".into(), "8.4p1".into(), Ecosystem::Generic)));
    assert!(
        !names.iter().any(|n| n.0 == "telnetd"),
        "config-files only is not installed"
    );
    // The kernel seen in the config header and in lib/modules is one component, two sources.
    let k = tbox
        .components()
        .find(|c| c.ecosystem == Ecosystem::Linux)
        .expect("kernel");
    assert_eq!(k.version, "5.10.120");
    assert_eq!(k.sources.len(), 2);
    assert_eq!(k.sources[1].method, "lib-modules-dir");
    let ivi = inv.iter().find(|e| e.ecu == "ivi").expect("ivi");
    assert!(
        ivi.components()
            .any(|c| c.name == "android" && c.version == "13")
    );
    assert!(ivi.components().any(
        |c| c.name == "curl" && c.sources[0].place.to_string() == "/components/1/components/0"
    ));
}

#[test]
fn demo_verdicts() {
    let ms = run();
    // One unhandled old high vulnerability (distro package, via the source package name).
    let m = find(&ms, "tbox", "libssl1.1", "DEBIAN-CVE-2022-0778");
    assert_eq!(
        m.fixed_version.as_deref(),
        Some("1.1.1n-0+deb11u1"),
        "Debian:11 entry, not Debian:10"
    );
    assert_eq!(
        m.verdict,
        Verdict::Overdue {
            due: "2022-09-15".into()
        }
    );
    assert_eq!(m.severity.score, Some(7.5));
    assert_eq!(
        m.source_of_version.to_string(),
        "rootfs/tbox/var/lib/dpkg/status: line 1 (dpkg-status)"
    );
    assert_eq!(m.age_days, Some(1721));
    // The same flaw in the bundled binary, from NVD by CPE.
    let m = find(&ms, "tbox", "openssl", "CVE-2022-0778");
    assert_eq!(m.fixed_version.as_deref(), Some("1.1.1n"));
    assert!(matches!(m.verdict, Verdict::Overdue { .. }));
    // Handled by OpenVEX (ECU-scoped subcomponent and plain purl) ...
    let m = find(&ms, "adas", "busybox", "ALPINE-CVE-2022-28391");
    assert_eq!(m.verdict, Verdict::Handled);
    assert_eq!(
        m.handled.as_ref().map(|h| h.justification.as_deref()),
        Some(Some("vulnerable_code_not_in_execute_path"))
    );
    assert_eq!(
        find(&ms, "adas", "busybox", "CVE-2022-28391").verdict,
        Verdict::Handled
    );
    // ... and by CycloneDX VEX through a BOM-link to icvsec's own bom-ref.
    assert_eq!(
        find(&ms, "tbox", "openssl", "CVE-2021-4160").verdict,
        Verdict::Handled
    );
    // An "affected" VEX statement does not settle anything.
    assert!(matches!(
        find(&ms, "tbox", "openssh-server", "DEBIAN-CVE-2023-38408").verdict,
        Verdict::Overdue { .. }
    ));
    // Too young: published 2026-10-01, due six calendar months later.
    let m = find(&ms, "gateway", "dropbear", "ICVSEC-DEMO-2026-0001");
    assert_eq!(
        m.verdict,
        Verdict::DueSoon {
            due: "2027-04-01".into()
        }
    );
    assert_eq!(m.age_days, Some(60));
    // Below the threshold (severity word only).
    assert_eq!(
        find(&ms, "tbox", "zlib1g", "ICVSEC-DEMO-2021-0002").verdict,
        Verdict::BelowThreshold
    );
    // Kernel ranges: 5.10.120 is in CVE-2022-2588's range but past Dirty Pipe's fix.
    assert!(matches!(
        find(&ms, "tbox", "Kernel", "CVE-2022-2588").verdict,
        Verdict::Overdue { .. }
    ));
    assert!(!ms.iter().any(|m| m.vuln_id == "CVE-2022-0847"));
    // SBOM components: CycloneDX openssl 3.0.1 (NVD range 3.0.0..3.0.2), SPDX busybox with a
    // wildcard vendor CPE; SPDX openssl 3.0.8 and curl 7.79.1 are not affected.
    find(&ms, "ivi", "openssl", "CVE-2022-0778");
    assert!(matches!(
        find(&ms, "cgw", "busybox", "CVE-2022-28391").verdict,
        Verdict::Overdue { .. }
    ));
    assert!(!ms.iter().any(|m| m.component == "curl"));
    assert!(
        !ms.iter()
            .any(|m| m.ecu == "cgw" && m.component == "openssl")
    );
    // Alpine busybox 1.33.1-r3 vs Alpine's fix 1.33.1-r7, dropbear blob vs NVD.
    find(&ms, "gateway", "dropbear", "CVE-2021-36369");
    assert!(!ms.iter().any(|m| m.ecu == "gateway"
        && m.component == "dropbear"
        && m.version == "2022.82-2"
        && m.vuln_id == "CVE-2021-36369"));
    // Sorted and unique.
    let keys: Vec<_> = ms
        .iter()
        .map(|m| {
            (
                m.ecu.clone(),
                m.component.to_ascii_lowercase(),
                m.version.clone(),
                m.ecosystem.to_string(),
                m.vuln_id.clone(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted);
}

#[test]
fn without_release_every_distro_release_matches() {
    let ms = match_inventory(
        &demo_inventory(),
        &feed(),
        &vex(),
        &Default::default(),
        date!(2026 - 11 - 30),
        &MatchParams::default(),
    );
    // Still one match per (ECU, component, advisory); the fix may come from another release.
    assert_eq!(
        ms.iter()
            .filter(|m| m.ecu == "tbox" && m.vuln_id == "DEBIAN-CVE-2022-0778")
            .count(),
        1
    );
}

#[test]
fn parameters_change_verdicts() {
    let p = MatchParams {
        severity_threshold: 9.0,
        max_age_months: 1,
        ..MatchParams::default()
    };
    let ms = match_inventory(
        &demo_inventory(),
        &feed(),
        &vex(),
        &releases(),
        date!(2026 - 11 - 30),
        &p,
    );
    assert_eq!(
        find(&ms, "tbox", "libssl1.1", "DEBIAN-CVE-2022-0778").verdict,
        Verdict::BelowThreshold
    );
    assert_eq!(
        find(&ms, "gateway", "dropbear", "ICVSEC-DEMO-2026-0001").verdict,
        Verdict::BelowThreshold
    );
    assert!(matches!(
        find(&ms, "tbox", "openssh-server", "DEBIAN-CVE-2023-38408").verdict,
        Verdict::Overdue { .. }
    ));
    let p = MatchParams {
        max_age_months: 1,
        ..MatchParams::default()
    };
    let ms = match_inventory(
        &demo_inventory(),
        &feed(),
        &vex(),
        &releases(),
        date!(2026 - 11 - 30),
        &p,
    );
    assert_eq!(
        find(&ms, "gateway", "dropbear", "ICVSEC-DEMO-2026-0001").verdict,
        Verdict::Overdue {
            due: "2026-11-01".into()
        }
    );
}

#[test]
fn vex_validation_against_the_inventory() {
    let inv = demo_inventory();
    for d in vex() {
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert!(
            d.unknown_products(&inv).is_empty(),
            "{:?}",
            d.unknown_products(&inv)
        );
    }
    let bad = br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[
      {"vulnerability":{"name":"CVE-2022-0778"},"products":[{"@id":"pkg:deb/debian/libssl1.1@9.9"}],"status":"fixed"},
      {"vulnerability":{"name":"CVE-2022-0778"},"products":[{"@id":"radio","subcomponents":[{"@id":"pkg:deb/debian/libssl1.1"}]}],"status":"fixed"}]}"#;
    let d = parse_vex("bad.json", bad, &Limits::default()).expect("parse");
    let probs = d.unknown_products(&inv);
    assert_eq!(probs.len(), 2);
    assert_eq!(probs[0].place, "/statements/0");
    assert!(probs[0].message.contains("matches no component"));
    assert!(probs[1].message.contains("not an ECU"));
}

#[test]
fn android_spl_and_kernel_eol() {
    let l = Limits::default();
    let b = android::parse_build_prop(
        "rootfs/ivi/system/build.prop",
        &read("rootfs/ivi/system/build.prop"),
        &l,
    )
    .expect("props");
    let j = judge_android_spl(&b, date!(2026 - 11 - 30), &MatchParams::default()).expect("spl");
    assert!(j.too_old);
    assert_eq!(j.months_old, 6);
    assert_eq!(
        j.source.to_string(),
        "rootfs/ivi/system/build.prop: line 4 (android-build-prop)"
    );
    let j = judge_android_spl(&b, date!(2026 - 07 - 01), &MatchParams::default()).expect("spl");
    assert!(!j.too_old);
    let inv = demo_inventory();
    let table = KernelEolTable::builtin();
    let ivi = inv.iter().find(|e| e.ecu == "ivi").expect("ivi");
    let ks = judge_kernels(ivi, date!(2026 - 11 - 30), &table);
    assert_eq!(
        ks[0].1,
        KernelSupport::EndOfLife {
            series: "5.4".into(),
            eol: "2025-12-31".into()
        }
    );
    let tbox = inv.iter().find(|e| e.ecu == "tbox").expect("tbox");
    assert!(
        !judge_kernels(tbox, date!(2026 - 11 - 30), &table)[0]
            .1
            .is_unsupported()
    );
}

#[test]
fn cyclonedx_output_is_deterministic_and_reads_back() {
    let inv = demo_inventory();
    let a = write_cyclonedx(&inv);
    let mut rev = inv.clone();
    rev.reverse();
    assert_eq!(a, write_cyclonedx(&rev), "ECU order does not matter");
    let v: serde_json::Value = serde_json::from_str(&a).expect("json");
    assert_eq!(v["specVersion"], "1.6");
    assert_eq!(v["components"][0]["name"], "adas");
    let back = icvsec_vuln::sbom::parse_sbom("out.json", a.as_bytes(), &Limits::default())
        .expect("read back");
    let total: usize = inv.iter().map(|e| e.len()).sum();
    assert_eq!(back.components.len(), total);
    assert_eq!(
        back.unversioned.len(),
        5,
        "the ECU devices themselves have no version"
    );
    // Every component keeps its purl and its provenance.
    let tbox_ssl = &v["components"][4]["components"]
        .as_array()
        .expect("arr")
        .iter()
        .find(|c| c["name"] == "libssl1.1")
        .expect("libssl")
        .clone();
    assert_eq!(
        tbox_ssl["bom-ref"],
        "tbox:pkg:deb/debian/libssl1.1@1.1.1k-1%2Bdeb11u1?arch=arm64"
    );
    assert!(
        tbox_ssl["properties"]
            .as_array()
            .expect("props")
            .iter()
            .any(|p| p["value"] == "rootfs/tbox/var/lib/dpkg/status: line 1 (dpkg-status)")
    );
}

#[test]
fn sbom_unversioned_entries_are_reported() {
    let l = Limits::default();
    let s = icvsec_vuln::sbom::parse_sbom("x", &read("sbom/cyclonedx-ivi.json"), &l).expect("cdx");
    assert_eq!(s.format, "CycloneDX 1.5");
    assert_eq!(s.unversioned, ["/components/1"]);
    let s = icvsec_vuln::sbom::parse_sbom("x", &read("sbom/spdx/busybox-1.35.0.spdx.json"), &l)
        .expect("spdx");
    assert_eq!(s.unversioned, ["/packages/1"]);
    assert_eq!(
        s.components[0].cpe.as_deref(),
        Some("cpe:2.3:*:*:busybox:1.35.0:*:*:*:*:*:*:*")
    );
}

/// The fake binaries give the same (vendor, product, version) as cve-bin-tool 3.4's checkers
/// on the same files (recorded with fixtures/vuln/cve-bin-tool-compare.py; cve-bin-tool also
/// reports a second vendor/product alias for OpenSSH and libcurl, which is the same software).
#[test]
fn binary_blobs_agree_with_cve_bin_tool() {
    use icvsec_vuln::component::parse_cpe;
    use icvsec_vuln::inventory::binary::scan_bytes;
    let expected = [
        ("busybox", "busybox", "busybox", "1.33.1"),
        (
            "dropbear",
            "dropbear_ssh_project",
            "dropbear_ssh",
            "2020.81",
        ),
        ("libcrypto.so.1.1", "openssl", "openssl", "1.1.1k"),
        ("libcurl.so.4", "haxx", "curl", "7.79.1"),
        ("libmbedcrypto.so", "arm", "mbed_tls", "2.16.0"),
        ("libwolfssl.so", "wolfssl", "wolfssl", "4.8.1"),
        ("sshd", "openbsd", "openssh", "8.4p1"),
    ];
    for (file, vendor, product, version) in expected {
        let rel = format!("blobs/{file}");
        let scan = scan_bytes(&rel, &read(&rel), &Limits::default());
        let got: Vec<(String, String, String)> = scan
            .components
            .iter()
            .filter_map(|c| c.cpe.as_deref().and_then(parse_cpe))
            .map(|c| (c.vendor, c.product, c.version))
            .collect();
        assert_eq!(
            got,
            vec![(vendor.to_string(), product.to_string(), version.to_string())],
            "{file}"
        );
        assert!(!scan.truncated);
    }
}
