//! Benchmark: a 2,000-package inventory against a generated OSV feed of 200,000 records
//! (scale 1), and 2x / 4x the feed to show linear growth. Reports parse+index time, match
//! time and peak resident memory (VmHWM) per scale, each scale in its own process.
//!
//!     cargo run --release -p icvsec-vuln --example match-bench            # 1x, 2x, 4x
//!     cargo run --release -p icvsec-vuln --example match-bench -- 1       # one scale

use icvsec_vuln::component::{Component, Ecosystem, Place, SourceRef};
use icvsec_vuln::{EcuInventory, Feed, Limits, MatchParams, match_inventory};
use std::time::Instant;

const RECORDS: usize = 200_000;
const PACKAGES: usize = 20_000;
const INVENTORY: usize = 2_000;
const PER_FILE: usize = 1_000;

/// One OSV record as a feed would carry it (summary, details, CVSS vector, two ranges).
fn record(i: usize) -> String {
    let pkg = format!("package-{}", i % (PACKAGES * (1 + i / RECORDS)));
    format!(
        r#"{{"schema_version":"1.6.0","id":"GEN-{i:07}","aliases":["CVE-2099-{i:07}"],"modified":"2026-01-01T00:00:00Z","published":"20{y:02}-{m:02}-15T00:00:00Z",
"summary":"Generated advisory {i} for {pkg}","details":"A generated record used to measure feed loading and matching; it describes no real vulnerability. Padding text so that a record has a realistic size of several hundred bytes, like the records OSV publishes for distributions.",
"severity":[{{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:{c}/I:N/A:H"}}],
"affected":[{{"package":{{"ecosystem":"Debian:12","name":"{pkg}","purl":"pkg:deb/debian/{pkg}?arch=source"}},
"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{f}.{g}-1"}}]}}],"versions":[]}}]}}"#,
        y = 18 + i % 9,
        m = 1 + i % 12,
        c = if i.is_multiple_of(3) { "H" } else { "N" },
        f = 1 + i % 4,
        g = i % 10,
    )
}

fn peak_rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU time of this process so far (ns on CPU from /proc/self/schedstat): the machine may
/// be shared, so wall time alone would overstate the cost.
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e9)
        .unwrap_or(f64::NAN)
}

fn run(scale: usize) {
    let n = RECORDS * scale;
    // Write the feed as a directory of JSON files (arrays of PER_FILE records, as a mirror
    // tool would concatenate them); not timed. Loading reads one file at a time.
    let dir =
        std::env::temp_dir().join(format!("icvsec-match-bench-{}-{scale}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        std::process::exit(1);
    }
    let mut bytes = 0usize;
    for f in 0..n.div_ceil(PER_FILE) {
        let recs: Vec<String> = (f * PER_FILE..((f + 1) * PER_FILE).min(n))
            .map(record)
            .collect();
        let data = format!("[{}]", recs.join(","));
        bytes += data.len();
        if let Err(e) = std::fs::write(dir.join(format!("feed-{f:05}.json")), data) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
    let rss_before = peak_rss_mb();
    let limits = Limits::default();
    let (t0, c0) = (Instant::now(), cpu_s());
    let mut feed = Feed::new();
    if let Err(e) = feed.load_path(&dir, &limits) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let (load, load_cpu) = (t0.elapsed(), cpu_s() - c0);
    if std::env::var_os("ICVSEC_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    if !feed.problems.is_empty() {
        eprintln!("{:?}", &feed.problems[..feed.problems.len().min(3)]);
        std::process::exit(1);
    }
    let mut inv = EcuInventory::new("ecu");
    for i in 0..INVENTORY {
        let src = SourceRef {
            file: "var/lib/dpkg/status".into(),
            place: Place::Line(1 + i * 10),
            method: "dpkg-status".into(),
        };
        inv.add(Component::new(
            &format!("package-{}", i * (PACKAGES / INVENTORY)),
            &format!("{}.5-1", 1 + i % 4),
            Ecosystem::Debian,
            src,
        ));
    }
    let (t1, c1) = (Instant::now(), cpu_s());
    let ms = match_inventory(
        &[inv],
        &feed,
        &[],
        &Default::default(),
        time::macros::date!(2026 - 11 - 30),
        &MatchParams::default(),
    );
    let (matching, match_cpu) = (t1.elapsed(), cpu_s() - c1);
    println!(
        "scale {scale}x: {n} records ({:.0} MB JSON in {} files) -> {} advisories; load+index {:.2} s wall / {:.2} s CPU; match {INVENTORY} components {:.3} s wall / {:.3} s CPU -> {} matches; peak RSS {:.0} MB (before loading {:.0} MB)",
        bytes as f64 / 1e6,
        n.div_ceil(PER_FILE),
        feed.len(),
        load.as_secs_f64(),
        load_cpu,
        matching.as_secs_f64(),
        match_cpu,
        ms.len(),
        peak_rss_mb(),
        rss_before
    );
}

fn main() {
    match std::env::args()
        .nth(1)
        .and_then(|a| a.parse::<usize>().ok())
    {
        Some(scale) => run(scale.clamp(1, 16)),
        None => {
            let exe = std::env::current_exe().unwrap_or_default();
            for scale in [1, 2, 4] {
                let st = std::process::Command::new(&exe)
                    .arg(scale.to_string())
                    .status();
                if !st.is_ok_and(|s| s.success()) {
                    eprintln!("scale {scale} failed");
                    std::process::exit(1);
                }
            }
        }
    }
}
