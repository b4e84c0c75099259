#![no_main]

use icvsec_vuln::Limits;
use icvsec_vuln::inventory::{apk, dpkg};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let l = Limits::default();
    let _ = dpkg::parse_dpkg_status("var/lib/dpkg/status", data, &l);
    let _ = dpkg::parse_opkg_status("usr/lib/opkg/status", data, &l);
    let _ = apk::parse_apk_installed("lib/apk/db/installed", data, &l);
});
