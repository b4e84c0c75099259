//! `ICVSEC_TIMINGS`: phase timings and resident memory on standard error, for profiling a
//! large build. Never part of a report, which stays byte-identical. One place for the
//! load, the engine and the command line.

use std::time::Instant;

/// Whether `ICVSEC_TIMINGS` is set.
pub fn enabled() -> bool {
    std::env::var_os("ICVSEC_TIMINGS").is_some()
}

/// `icvsec: timing: LABEL: S s, N MiB resident` when enabled.
pub fn phase(label: &str, since: Instant) {
    if enabled() {
        eprintln!(
            "icvsec: timing: {label}: {:.3} s{}",
            since.elapsed().as_secs_f64(),
            resident_note()
        );
    }
}

/// ", N MiB resident" from /proc/self/status (Linux), or nothing.
fn resident_note() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| format!(", {} MiB resident", kb / 1024))
        .unwrap_or_default()
}
