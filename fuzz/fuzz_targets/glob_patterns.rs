#![no_main]
//! Waiver patterns and include globs: the input is split into a pattern and a text;
//! both matchers must answer (iteratively, in O(pattern x text)) without crashing.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (pattern, subject) = text.split_once('\n').unwrap_or((text, "etc/ssh/sshd_config"));
    let _ = icvsec_engine::waivers::glob_match(pattern, subject);
    let _ = icvsec_fs::glob::Glob::text(pattern).matches(subject);
    let _ = icvsec_fs::glob::fnmatch(pattern, subject);
});
