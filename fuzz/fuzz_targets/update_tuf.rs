#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = icvsec_update::Options {
        as_of: Some(1_780_000_000),
        ..Default::default()
    };
    let _ = icvsec_update::tuf::read_single("fuzz.json", data, &options);
});
