#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let registry = icvsec_checks::registry();
        let src = icvsec_rules::RuleSource {
            origin: "fuzz".into(),
            path: "basic/fuzz.toml".into(),
            text: text.to_string(),
        };
        let _ = icvsec_rules::load_catalog(&[src], &registry);
    }
});
