#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icvsec_linux::sysctl::parse_sysctl("/etc/sysctl.conf", data);
});
