#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icvsec_linux::kconfig::parse_kconfig_any("/boot/config", data);
});
