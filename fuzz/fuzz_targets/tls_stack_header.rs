#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = icvsec_tls::embedded::parse_defines(text, std::path::Path::new("mbedtls_config.h"));
    }
});
