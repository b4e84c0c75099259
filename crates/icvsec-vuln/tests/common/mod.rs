//! Shared helpers: the fixture directory and the demo inventory built from it.
#![allow(dead_code)]

use icvsec_vuln::inventory::{android, apk, binary, dpkg, kernel};
use icvsec_vuln::sbom::parse_sbom;
use icvsec_vuln::{EcuInventory, Limits};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/vuln")
}

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap_or_else(|e| panic!("fixture {rel}: {e}"))
}

/// The five ECUs of the fixture vehicle, each from its own kind of source.
pub fn demo_inventory() -> Vec<EcuInventory> {
    let l = Limits::default();
    let mut tbox = EcuInventory::new("tbox");
    tbox.extend(
        dpkg::parse_dpkg_status(
            "rootfs/tbox/var/lib/dpkg/status",
            &read("rootfs/tbox/var/lib/dpkg/status"),
            &l,
        )
        .expect("dpkg"),
    );
    tbox.extend(
        kernel::parse_kernel_config_header(
            "rootfs/tbox/boot/config-5.10.120-tbox",
            &read("rootfs/tbox/boot/config-5.10.120-tbox"),
            &l,
        )
        .expect("kconfig"),
    );
    tbox.extend(kernel::kernels_from_modules_dir(
        "rootfs/tbox/lib/modules",
        ["5.10.120-tbox"],
    ));
    for b in ["libcrypto.so.1.1", "sshd"] {
        tbox.extend(
            binary::scan_bytes(&format!("blobs/{b}"), &read(&format!("blobs/{b}")), &l).components,
        );
    }

    let mut gateway = EcuInventory::new("gateway");
    gateway.extend(
        dpkg::parse_opkg_status(
            "rootfs/gateway/usr/lib/opkg/status",
            &read("rootfs/gateway/usr/lib/opkg/status"),
            &l,
        )
        .expect("opkg"),
    );
    gateway.extend(binary::scan_bytes("blobs/dropbear", &read("blobs/dropbear"), &l).components);

    let mut adas = EcuInventory::new("adas");
    adas.extend(
        apk::parse_apk_installed(
            "rootfs/adas/lib/apk/db/installed",
            &read("rootfs/adas/lib/apk/db/installed"),
            &l,
        )
        .expect("apk"),
    );
    adas.extend(binary::scan_bytes("blobs/busybox", &read("blobs/busybox"), &l).components);

    let mut ivi = EcuInventory::new("ivi");
    let mut build = android::parse_build_prop(
        "rootfs/ivi/system/build.prop",
        &read("rootfs/ivi/system/build.prop"),
        &l,
    )
    .expect("props");
    build.merge(
        android::parse_build_prop(
            "rootfs/ivi/vendor/build.prop",
            &read("rootfs/ivi/vendor/build.prop"),
            &l,
        )
        .expect("props"),
    );
    ivi.extend(build.components());
    ivi.extend(
        kernel::parse_kernel_config_header(
            "rootfs/ivi/boot/config",
            &read("rootfs/ivi/boot/config"),
            &l,
        )
        .expect("kconfig"),
    );
    ivi.extend(
        parse_sbom(
            "sbom/cyclonedx-ivi.json",
            &read("sbom/cyclonedx-ivi.json"),
            &l,
        )
        .expect("cdx")
        .components,
    );

    let mut cgw = EcuInventory::new("cgw");
    for f in [
        "sbom/spdx/busybox-1.35.0.spdx.json",
        "sbom/spdx/openssl-3.0.8.spdx.json",
    ] {
        cgw.extend(parse_sbom(f, &read(f), &l).expect("spdx").components);
    }
    vec![adas, cgw, gateway, ivi, tbox]
}

/// Distribution releases per ECU (what os-release says).
fn os(rel: &str) -> String {
    icvsec_vuln::inventory::os_release::parse_os_release(rel, &read(rel), &Limits::default())
        .expect("os-release")
        .version_id
        .expect("VERSION_ID")
}

pub fn releases() -> BTreeMap<String, String> {
    let r = icvsec_vuln::inventory::os_release::parse_os_release(
        "rootfs/tbox/etc/os-release",
        &read("rootfs/tbox/etc/os-release"),
        &Limits::default(),
    )
    .expect("os-release");
    BTreeMap::from([
        ("tbox".to_string(), r.version_id.expect("VERSION_ID")),
        ("adas".to_string(), os("rootfs/adas/etc/os-release")),
    ])
}
