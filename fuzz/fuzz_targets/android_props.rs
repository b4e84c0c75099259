#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icvsec_linux::android::parse_props("/system/build.prop", data);
});
