#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = icvsec_update::Limits::default();
    let _ = icvsec_update::cms::verify("fuzz", data, Some(b"content"), &[], &limits, None);
    let _ = icvsec_update::cms::is_attached("fuzz", data);
});
