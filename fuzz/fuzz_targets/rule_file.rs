#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let registry = icvsec_checks::registry();
        // The same bytes as a rule file and as a requirement catalog file.
        let src = |path: &str| icvsec_rules::RuleSource {
            origin: "fuzz".into(),
            path: path.into(),
            text: text.to_string(),
        };
        let _ = icvsec_rules::load_catalog(
            &[src("basic/fuzz.toml"), src("requirements/fuzz.toml")],
            &registry,
        );
    }
});
