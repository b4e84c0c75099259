//! Scale benchmark: generates builds at three sizes and times `icvsec scan` on them
//! (a child process, release build), next to the time to merely read every file.
//! Figures are printed (Markdown), never asserted.
//!
//! ```text
//! icvsec-bench --icvsec target/release/icvsec [--work DIR] [--sizes small,medium,large]
//!              [--runs N] [--soak N] [--extra-args "--ignore data"] [--targets]
//! ```
//! Builds are generated once into `--work` (default /tmp/icvsec-bench) and reused.
//!
//! `--targets` measures, in one run, what the performance targets of the project name:
//! per build the read floor, the JSON scan on one and two threads, text, SARIF and JUnit,
//! peak memory, certificates per second, the size of the default and the full-evidence
//! JSON, SARIF results kept; then growth with 1x, 2x and 4x the certificates; then each
//! target with its figure and whether it is met.

use icvsec_gen::{Params, generate};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Size {
    name: &'static str,
    p: Params,
}

fn sizes() -> Vec<Size> {
    let p = |ecus, certs, flows, other_files| Params {
        ecus,
        certs,
        flows,
        other_files,
        seed: 2026,
    };
    vec![
        Size {
            name: "small",
            p: p(20, 200, 100, 1_000),
        },
        Size {
            name: "medium",
            p: p(100, 2_000, 500, 10_000),
        },
        Size {
            name: "large",
            p: p(500, 20_000, 2_000, 100_000),
        },
        Size {
            name: "large-no-other",
            p: p(500, 20_000, 2_000, 0),
        },
        // 20,000 certificates in 200 ECUs (no flows, no unrelated files), and the same
        // ECUs with half and twice the certificates: growth with the certificate count.
        Size {
            name: "certs10k",
            p: p(200, 10_000, 0, 0),
        },
        Size {
            name: "certs20k",
            p: p(200, 20_000, 0, 0),
        },
        Size {
            name: "certs40k",
            p: p(200, 40_000, 0, 0),
        },
    ]
}

struct Opts {
    icvsec: PathBuf,
    work: PathBuf,
    sizes: Vec<String>,
    runs: usize,
    soak: usize,
    extra: Vec<String>,
    targets: bool,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        icvsec: PathBuf::from("target/release/icvsec"),
        work: std::env::temp_dir().join("icvsec-bench"),
        sizes: vec!["small".into(), "medium".into(), "large".into()],
        runs: 3,
        soak: 0,
        extra: vec![],
        targets: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--icvsec" => o.icvsec = PathBuf::from(val()?),
            "--work" => o.work = PathBuf::from(val()?),
            "--sizes" => o.sizes = val()?.split(',').map(str::to_string).collect(),
            "--runs" => o.runs = val()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--soak" => o.soak = val()?.parse().map_err(|e| format!("--soak: {e}"))?,
            "--extra-args" => o.extra = val()?.split_whitespace().map(str::to_string).collect(),
            "--targets" => o.targets = true,
            _ => return Err(format!("unknown argument `{a}`")),
        }
    }
    Ok(o)
}

fn build(work: &Path, s: &Size) -> PathBuf {
    let dir = work.join(s.name);
    let done = dir.join(".icvsec-bench-done");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let t = Instant::now();
    let st = generate(&dir, &s.p).expect("generate");
    eprintln!(
        "generated {}: {} files, {:.0} MB in {:.1}s",
        s.name,
        st.files,
        st.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    std::fs::write(&done, "").expect("marker");
    dir
}

/// Walk the tree and read every file's bytes (the floor any scanner pays).
fn read_all(root: &Path) -> (f64, usize, u64) {
    let t = Instant::now();
    let (mut n, mut bytes) = (0usize, 0u64);
    for e in walkdir::WalkDir::new(root).follow_links(false) {
        let e = e.expect("walk");
        if e.file_type().is_file() {
            bytes += std::fs::read(e.path()).expect("read").len() as u64;
            n += 1;
        }
    }
    (t.elapsed().as_secs_f64(), n, bytes)
}

struct Run {
    secs: f64,
    peak_kb: u64,
    code: Option<i32>,
}

/// One `icvsec scan` child; peak memory is its VmHWM, sampled from /proc until it ends
/// (and, when /usr/bin/time is present, its own maximum resident set size).
fn scan(o: &Opts, root: &Path, jobs: Option<usize>, out: &Path) -> Run {
    scan_as(o, root, jobs, out, &["--format", "json"])
}

/// [`scan`] with other report options (`--format text`, `--full-evidence`, ...).
fn scan_as(o: &Opts, root: &Path, jobs: Option<usize>, out: &Path, how: &[&str]) -> Run {
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.args(["-f", "ICVSEC_BENCH_MAXRSS %M"]).arg(&o.icvsec);
        c
    } else {
        Command::new(&o.icvsec)
    };
    cmd.arg("scan")
        .arg(root)
        .args(["--as-of", "2026-06-01"])
        .args(how)
        .arg("-o")
        .arg(out)
        .args(&o.extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(j) = jobs {
        cmd.args(["--jobs", &j.to_string()]);
    }
    let t = Instant::now();
    let child = cmd.spawn().expect("run icvsec");
    let output = child.wait_with_output().expect("wait");
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak_kb = stderr
        .lines()
        .find_map(|l| l.strip_prefix("ICVSEC_BENCH_MAXRSS "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    // /usr/bin/time reports the child's code as its own.
    Run {
        secs,
        peak_kb,
        code: output.status.code(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or("unknown".into(), |kb| {
            format!("{:.1} GiB", kb as f64 / 1048576.0)
        });
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cores} cores (nproc), CPU {cpu}, memory {mem}")
}

fn main() {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("icvsec-bench: {e}");
            std::process::exit(2);
        }
    };
    std::fs::create_dir_all(&o.work).expect("work dir");
    if o.targets {
        return targets(&o);
    }
    println!("machine: {}", machine());
    println!("icvsec: {} {}", o.icvsec.display(), o.extra.join(" "));
    println!();
    println!(
        "| build | ECUs | certs | flows | other files | files | MB | read all (s) | scan -j1 (s) | scan -j2 (s) | -j1/-j2 | scan/read | peak RSS -j2 (MB) | exit |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let all = sizes();
    let mut large_scan = None;
    for s in all.iter().filter(|s| o.sizes.iter().any(|n| n == s.name)) {
        let root = build(&o.work, s);
        read_all(&root); // warm the page cache: every figure below is a warm-cache figure
        let reads: Vec<(f64, usize, u64)> = (0..o.runs).map(|_| read_all(&root)).collect();
        let read_s = median(reads.iter().map(|r| r.0).collect());
        let (_, files, bytes) = reads[0];
        let out = o.work.join(format!("{}.json", s.name));
        let mut j1 = Vec::new();
        let mut j2 = Vec::new();
        let mut peak = 0;
        let mut code = None;
        for _ in 0..o.runs {
            j1.push(scan(&o, &root, Some(1), &out).secs);
            let r = scan(&o, &root, Some(2), &out);
            j2.push(r.secs);
            peak = peak.max(r.peak_kb);
            code = r.code;
        }
        let (t1, t2) = (median(j1), median(j2));
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2}x | {:.2}x | {:.0} | {} |",
            s.name,
            s.p.ecus,
            s.p.certs,
            s.p.flows,
            s.p.other_files,
            files,
            bytes as f64 / 1e6,
            read_s,
            t1,
            t2,
            t1 / t2,
            t2 / read_s,
            peak as f64 / 1024.0,
            code.map_or("-".into(), |c| c.to_string())
        );
        if s.name == "large" {
            large_scan = Some(root);
        }
    }
    if o.soak > 0 {
        let Some(root) = large_scan.or_else(|| {
            all.iter()
                .find(|s| s.name == "large")
                .map(|s| build(&o.work, s))
        }) else {
            return;
        };
        let first = o.work.join("soak-first.json");
        let next = o.work.join("soak-next.json");
        let t = Instant::now();
        scan(&o, &root, None, &first);
        let reference = std::fs::read(&first).expect("report");
        let mut same = 1;
        for i in 2..=o.soak {
            let jobs = [None, Some(1), Some(2), Some(3)][i % 4];
            scan(&o, &root, jobs, &next);
            if std::fs::read(&next).expect("report") == reference {
                same += 1;
            } else {
                eprintln!("soak run {i} (--jobs {jobs:?}) differs from run 1");
            }
        }
        println!();
        println!(
            "soak: {same}/{} scans of the large build gave byte-identical JSON ({} bytes; threads default/1/2/3 in turn; {:.0}s)",
            o.soak,
            reference.len(),
            t.elapsed().as_secs_f64()
        );
        let _ = std::fs::remove_file(&next);
    }
}

/// Figures of one build for the targets table (medians of `--runs`).
struct Figures {
    name: &'static str,
    certs: usize,
    files: usize,
    mb: f64,
    read: f64,
    json1: f64,
    json2: f64,
    text: f64,
    sarif: f64,
    junit: f64,
    peak_mb: f64,
    json_mb: f64,
    full_json_mb: f64,
    sarif_results: String,
    code: Option<i32>,
}

fn med_scan(
    o: &Opts,
    root: &Path,
    jobs: Option<usize>,
    out: &Path,
    how: &[&str],
) -> (f64, f64, Option<i32>) {
    let runs: Vec<Run> = (0..o.runs.max(1))
        .map(|_| scan_as(o, root, jobs, out, how))
        .collect();
    let peak = runs.iter().map(|r| r.peak_kb).max().unwrap_or(0) as f64 / 1024.0;
    let code = runs.last().and_then(|r| r.code);
    (median(runs.iter().map(|r| r.secs).collect()), peak, code)
}

fn figures(o: &Opts, s: &Size) -> Figures {
    let root = build(&o.work, s);
    read_all(&root);
    let reads: Vec<(f64, usize, u64)> = (0..o.runs.max(1)).map(|_| read_all(&root)).collect();
    let (_, files, bytes) = reads[0];
    let out = |ext: &str| o.work.join(format!("{}.{ext}", s.name));
    let (json2, peak, code) = med_scan(o, &root, Some(2), &out("json"), &["--format", "json"]);
    let (json1, _, _) = med_scan(o, &root, Some(1), &out("json"), &["--format", "json"]);
    let (text, _, _) = med_scan(o, &root, Some(2), &out("txt"), &["--format", "text"]);
    let (sarif, _, _) = med_scan(o, &root, Some(2), &out("sarif"), &["--format", "sarif"]);
    let (junit, _, _) = med_scan(o, &root, Some(2), &out("xml"), &["--format", "junit"]);
    scan_as(
        o,
        &root,
        Some(2),
        &out("full.json"),
        &["--format", "json", "--full-evidence"],
    );
    let size = |p: PathBuf| std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1e6);
    let sarif_results = std::fs::read(out("sarif"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .map_or("-".into(), |v| {
            let run = &v["runs"][0];
            let n = run["results"].as_array().map_or(0, Vec::len);
            // The notices the SARIF writer adds when it keeps less than everything.
            let cut = run["invocations"][0]["toolExecutionNotifications"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|n| {
                    n["message"]["text"]
                        .as_str()
                        .is_some_and(|t| t.contains("GitHub") || t.contains("left out"))
                });
            let most = run["results"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    r["locations"].as_array().map_or(0, Vec::len)
                        + r["relatedLocations"].as_array().map_or(0, Vec::len)
                })
                .max()
                .unwrap_or(0);
            format!(
                "{n} results, at most {most} locations{}",
                if cut { ", truncation notice" } else { "" }
            )
        });
    Figures {
        name: s.name,
        certs: s.p.certs,
        files,
        mb: bytes as f64 / 1e6,
        read: median(reads.iter().map(|r| r.0).collect()),
        json1,
        json2,
        text,
        sarif,
        junit,
        peak_mb: peak,
        json_mb: size(out("json")),
        full_json_mb: size(out("full.json")),
        sarif_results,
        code,
    }
}

fn targets(o: &Opts) {
    println!("machine: {}", machine());
    println!(
        "icvsec: {} (release); medians of {} runs; warm page cache",
        o.icvsec.display(),
        o.runs.max(1)
    );
    println!();
    println!(
        "| build | certs | files | MB | read all (s) | JSON -j1 (s) | JSON -j2 (s) | -j1/-j2 | JSON/read | text (s) | SARIF (s) | JUnit (s) | certs/s (JSON -j2) | peak (MB) | JSON (MB) | --full-evidence JSON (MB) | SARIF | exit |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let all = sizes();
    let want = |n: &str| o.sizes.iter().any(|s| s == n);
    let mut rows = Vec::new();
    for s in all.iter().filter(|s| want(s.name)) {
        let f = figures(o, s);
        println!(
            "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2}x | {:.2}x | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} | {:.1} | {:.1} | {} | {} |",
            f.name,
            f.certs,
            f.files,
            f.mb,
            f.read,
            f.json1,
            f.json2,
            f.json1 / f.json2,
            f.json2 / f.read,
            f.text,
            f.sarif,
            f.junit,
            f.certs as f64 / f.json2,
            f.peak_mb,
            f.json_mb,
            f.full_json_mb,
            f.sarif_results,
            f.code.map_or("-".into(), |c| c.to_string())
        );
        rows.push(f);
    }
    println!();
    println!("| target | figures | met |");
    println!("|---|---|---|");
    let judged = |name: &str, figs: Vec<String>, met: bool| {
        println!(
            "| {name} | {} | {} |",
            figs.join("; "),
            if met { "yes" } else { "no" }
        );
    };
    let main: Vec<&Figures> = rows
        .iter()
        .filter(|f| matches!(f.name, "large" | "certs20k"))
        .collect();
    if main.is_empty() {
        return;
    }
    judged(
        "1. JSON scan <= 1.5x reading every byte; text/SARIF/JUnit no slower",
        main.iter()
            .map(|f| format!("{}: {:.2}x the read ({:.2} s vs {:.2} s); text {:.2}x, SARIF {:.2}x, JUnit {:.2}x the JSON time", f.name, f.json2 / f.read, f.json2, f.read, f.text / f.json2, f.sarif / f.json2, f.junit / f.json2))
            .collect(),
        main.iter().all(|f| f.json2 <= 1.5 * f.read && f.text <= f.json2 && f.sarif <= f.json2 && f.junit <= f.json2),
    );
    judged(
        "2. two threads >= 1.7x one thread",
        main.iter()
            .map(|f| format!("{}: {:.2}x", f.name, f.json1 / f.json2))
            .collect(),
        main.iter().all(|f| f.json1 / f.json2 >= 1.7),
    );
    judged(
        "3. peak memory <= 300 MB",
        main.iter()
            .map(|f| format!("{}: {:.0} MB", f.name, f.peak_mb))
            .collect(),
        main.iter().all(|f| f.peak_mb <= 300.0),
    );
    let c20 = rows.iter().find(|f| f.name == "certs20k");
    if let Some(c) = c20 {
        judged(
            "4. >= 25,000 certificates/s end to end, JSON written, 2 cores",
            vec![format!("certs20k: {:.0}/s", c.certs as f64 / c.json2)],
            c.certs as f64 / c.json2 >= 25_000.0,
        );
    }
    judged(
        "5. default JSON <= 50 MB (outcomes countable; --full-evidence for all); SARIF within GitHub's limits",
        main.iter()
            .map(|f| {
                format!(
                    "{}: {:.1} MB (full evidence {:.1} MB); SARIF {}",
                    f.name, f.json_mb, f.full_json_mb, f.sarif_results
                )
            })
            .collect(),
        main.iter().all(|f| f.json_mb <= 50.0),
    );
    let growth: Vec<&Figures> = rows
        .iter()
        .filter(|f| matches!(f.name, "certs10k" | "certs20k" | "certs40k"))
        .collect();
    if growth.len() == 3 {
        let per = |f: &Figures| f.json2 / f.certs as f64 * 1e6;
        judged(
            "6. linear growth (1x, 2x, 4x certificates: time per certificate at most 25 % above the smallest build's)",
            growth
                .iter()
                .map(|f| {
                    format!(
                        "{}: {:.2} s, {:.0} us/cert, {:.0} MB",
                        f.name,
                        f.json2,
                        per(f),
                        f.peak_mb
                    )
                })
                .collect(),
            {
                let base = per(growth[0]);
                growth.iter().all(|f| per(f) <= base * 1.25)
            },
        );
    }
}
