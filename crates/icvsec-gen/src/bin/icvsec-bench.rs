//! Scale benchmark: generates builds at three sizes and times `icvsec scan` on them
//! (a child process, release build), next to the time to merely read every file.
//! Figures are printed (Markdown), never asserted.
//!
//! ```text
//! icvsec-bench --icvsec target/release/icvsec [--work DIR] [--sizes small,medium,large]
//!              [--runs N] [--soak N] [--extra-args "--ignore data"]
//! ```
//! Builds are generated once into `--work` (default /tmp/icvsec-bench) and reused.

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
    ]
}

struct Opts {
    icvsec: PathBuf,
    work: PathBuf,
    sizes: Vec<String>,
    runs: usize,
    soak: usize,
    extra: Vec<String>,
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        icvsec: PathBuf::from("target/release/icvsec"),
        work: std::env::temp_dir().join("icvsec-bench"),
        sizes: vec!["small".into(), "medium".into(), "large".into()],
        runs: 3,
        soak: 0,
        extra: vec![],
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
        .args(["--as-of", "2026-06-01", "--format", "json", "-o"])
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
