#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icvsec_linux::passwd::parse_passwd("/etc/passwd", data);
    let _ = icvsec_linux::passwd::parse_shadow("/etc/shadow", data);
});
