//! `icvsec scan`: configuration, rules, the scan, waivers, baseline, then every report
//! requested. The exit code depends on the findings only, never on which reports were
//! written.

use crate::cli::{Format, RuleSelection, ScanArgs};
use crate::config::ConfigPath;
use crate::config::{Config, parse_market};
use crate::date::{parse_date, today};
use crate::exit::Exit;
use crate::rules_cmd::load_rules;
use icvsec_engine::baseline::{apply_baseline, baseline_of, load_baseline, load_baseline_in_build};
use icvsec_engine::waivers::{apply_waivers, load_waivers, load_waivers_in_build};
use icvsec_engine::{ScanOptions, evaluate};
use icvsec_inputs::{Limits, LoadOptions, VulnDb, load_build};
use icvsec_model::{Report, Severity};
use icvsec_report::{Html, Json, Junit, Markdown, Renderer, Sarif, Text};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

fn usage<E: std::fmt::Display>(e: E) -> Exit {
    eprintln!("icvsec: error: {e}");
    Exit::Usage
}

fn sha256_hex(parts: &[&str]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for p in parts {
        ctx.update(p.as_bytes());
        ctx.update(&[0]);
    }
    icvsec_model::hex::encode(ctx.finish().as_ref())
}

/// A spinner on stderr for scans that take a while: the phase and the elapsed time.
/// Only on a terminal, and only once the scan has run for half a second (short scans
/// print nothing); cleared when the scan ends.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    done: Option<std::sync::mpsc::Sender<()>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(enabled: bool, what: String) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress {
                bar: None,
                done: None,
                handle: None,
            };
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.set_message(what);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let shown = bar.clone();
        let handle = std::thread::spawn(move || {
            if rx
                .recv_timeout(std::time::Duration::from_millis(500))
                .is_ok()
            {
                return;
            }
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            shown.enable_steady_tick(std::time::Duration::from_millis(120));
            let _ = rx.recv();
            shown.finish_and_clear();
        });
        Progress {
            bar: Some(bar),
            done: Some(tx),
            handle: Some(handle),
        }
    }

    fn phase(&self, what: String) {
        if let Some(b) = &self.bar {
            b.set_message(what);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(tx) = self.done.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Run a scan and return the report (shared by `scan` and tests): configuration, rules
/// (selection, market profiles, parameter overrides), evaluation, waivers, baseline. Runs
/// in the caller's thread pool (`run` makes one of `--jobs` threads).
pub fn scan_report(args: &ScanArgs) -> Result<Report, Exit> {
    let started = std::time::Instant::now();
    // A build directory, or one firmware image (ext4, sparse, squashfs, cpio, tar, ...).
    if !args.path.is_dir() && !args.path.is_file() {
        eprintln!(
            "icvsec: error: `{}` is neither a build directory nor a firmware image",
            args.path.display()
        );
        return Err(Exit::Usage);
    }
    let config = Config::load(args.config.as_deref(), &args.path, args.no_config).map_err(usage)?;
    let fail_on: Severity = match &args.fail_on {
        Some(s) if s.eq_ignore_ascii_case("none") => Severity::High,
        Some(s) => s.parse().map_err(|e| usage(format!("--fail-on: {e}")))?,
        None => config.fail_on.unwrap_or(Severity::High),
    };
    let (as_of, as_of_label) = match &args.as_of {
        Some(s) => parse_date(s).map_err(|e| usage(format!("--as-of: {e}")))?,
        None => today(),
    };
    let markets: Vec<icvsec_model::Market> = if args.markets.is_empty() {
        config.markets.clone().unwrap_or_default()
    } else {
        args.markets
            .iter()
            .map(|m| parse_market(m))
            .collect::<Result<_, _>>()
            .map_err(|e| usage(format!("--markets: {e}")))?
    };
    let selection = RuleSelection {
        rules: args.selection.rules.clone(),
        select: if args.selection.select.is_empty() {
            config.select.clone().unwrap_or_default()
        } else {
            args.selection.select.clone()
        },
        ignore: if args.selection.ignore.is_empty() {
            config.ignore.clone().unwrap_or_default()
        } else {
            args.selection.ignore.clone()
        },
    };
    let (catalog, selected) = load_rules(&selection)?;
    let registry = icvsec_checks::registry();
    let mut all = catalog.rules.clone();
    let overrides = config.apply_params(&mut all, &registry).map_err(usage)?;
    let rules: Vec<_> = selected
        .iter()
        .filter_map(|r| all.iter().find(|x| x.id == r.id).cloned())
        // Markets map to standards in data (rules/requirements/markets.toml).
        .filter(|r| catalog.requirements.rule_in_markets(r, &markets))
        .collect();
    let rules_digest = if overrides.is_empty() {
        catalog.digest.clone()
    } else {
        sha256_hex(&[&catalog.digest, &overrides])
    };

    // Waivers and baseline files are read before the scan: a bad file is a usage error.
    let waivers_path: Option<ConfigPath> = if args.no_waivers {
        None
    } else {
        args.waivers
            .clone()
            .map(ConfigPath::User)
            .or(config.waivers.clone())
    };
    let waivers = match &waivers_path {
        Some(ConfigPath::User(p)) => Some(load_waivers(p).map_err(usage)?),
        Some(ConfigPath::InBuild(rel)) => {
            Some(load_waivers_in_build(&args.path, rel).map_err(usage)?)
        }
        Some(ConfigPath::InDir(dir, rel)) => Some(load_waivers_in_build(dir, rel).map_err(usage)?),
        None => None,
    };
    let baseline_path = args
        .baseline
        .clone()
        .map(ConfigPath::User)
        .or(config.baseline.clone());
    let baseline = match &baseline_path {
        Some(ConfigPath::User(p)) => Some(load_baseline(p).map_err(usage)?),
        Some(ConfigPath::InBuild(rel)) => {
            Some(load_baseline_in_build(&args.path, rel).map_err(usage)?)
        }
        Some(ConfigPath::InDir(dir, rel)) => Some(load_baseline_in_build(dir, rel).map_err(usage)?),
        None => None,
    };

    // Vulnerability feeds: --vuln-db (the user's paths) replaces the configured one.
    let vuln_db: Vec<VulnDb> = if !args.vuln_db.is_empty() {
        args.vuln_db.iter().cloned().map(VulnDb::Host).collect()
    } else {
        match &config.vuln_db {
            Some(ConfigPath::User(p)) => vec![VulnDb::Host(p.clone())],
            Some(ConfigPath::InBuild(rel)) => vec![VulnDb::InBuild(rel.clone())],
            // A configuration above the build (in the repository) names a feed below its
            // own directory: relative, no `..` (checked when parsed), and no link on the way.
            Some(ConfigPath::InDir(dir, rel)) => {
                let mut at = dir.clone();
                for c in rel.split('/').filter(|c| !c.is_empty()) {
                    at.push(c);
                    if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
                        return Err(usage(format!(
                            "vuln_db: {} is a symbolic link; a configuration may only name files below its own directory",
                            at.display()
                        )));
                    }
                }
                vec![VulnDb::Host(at)]
            }
            None => Vec::new(),
        }
    };
    for p in &args.vuln_db {
        if !p.exists() {
            return Err(usage(format!("--vuln-db: {} does not exist", p.display())));
        }
    }
    // Known-bad keys: the shipped list plus every --blocklist file (a bad list is a usage
    // error naming the file and line, never a silently shorter list).
    let key_blocklist = crate::blocklists::load_blocklists(&args.blocklist).map_err(usage)?;

    let progress = Progress::start(
        !args.no_progress,
        format!("reading {}", args.path.display()),
    );
    let work = || {
        let mut inv = load_build(
            &args.path,
            &LoadOptions {
                limits: Limits {
                    max_file_size: args.max_file_size,
                    max_package_size: args.max_package_size,
                    max_depth: args.max_depth,
                    ..Limits::default()
                },
                vuln_db: vuln_db.clone(),
                key_blocklist: Some(key_blocklist.clone()),
            },
        );
        crate::malloc_tuning::release_free_memory();
        icvsec_inputs::timings::phase("loaded", started);
        progress.phase(format!(
            "evaluating {} rules over {} files of {}",
            rules.len(),
            inv.files_scanned,
            args.path.display()
        ));
        let report = evaluate(
            &inv,
            &rules,
            &registry,
            &ScanOptions {
                as_of,
                as_of_label,
                fail_on,
                root_label: args.path.display().to_string(),
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                rules_digest,
                profiles: catalog.profiles.clone(),
            },
        );
        icvsec_inputs::timings::phase("evaluated", started);
        let digests = std::mem::take(&mut inv.file_digests);
        // Freeing tens of thousands of parsed certificates takes a while and nothing waits
        // for it: a job of the scan's pool, done by a worker left idle while the report is
        // finished and written. Not a thread of its own: `--jobs 1` means one thread (a
        // second one, freeing, made one-thread scans look faster than they are).
        rayon::spawn(move || drop(inv));
        (report, digests)
    };
    // In the caller's thread pool: `run` makes one of `--jobs` threads for the whole scan,
    // writing included.
    let (mut report, digests) = work();
    drop(progress);
    report.scan.config = config.file.clone();
    // The compliance matrix lists every catalog requirement, cited or not.
    report.attach_requirements(&catalog.requirements, &all);
    fill_parameters(&mut report, &rules);
    if let Some(w) = &waivers {
        apply_waivers(&mut report, w);
    }
    if let Some(path) = &args.write_baseline {
        let b = baseline_of(&report);
        let text = serde_json::to_string_pretty(&b).unwrap_or_default() + "\n";
        std::fs::write(path, text)
            .map_err(|e| usage(format!("cannot write the baseline {}: {e}", path.display())))?;
    }
    if let Some(b) = &baseline {
        apply_baseline(&mut report, b);
    }
    report.evidence = evidence_index(&report, &digests, &args.path, args.max_file_size);
    icvsec_inputs::timings::phase("report assembled", started);
    Ok(report)
}

/// Fix hints speak of values, not of parameter names: "at most `max_days`" in a rule's
/// remediation becomes "at most 30" with the value in effect (overrides included).
pub fn fill_parameters(report: &mut Report, rules: &[icvsec_model::Rule]) {
    for info in &mut report.rules {
        let Some(rule) = rules.iter().find(|r| r.id == info.id) else {
            continue;
        };
        let icvsec_model::RuleCheck::Builtin { params, .. } = &rule.check else {
            continue;
        };
        let Some(map) = params.as_object() else {
            continue;
        };
        for (k, v) in map {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => continue,
            };
            let key = format!("`{k}`");
            for text in [&mut info.remediation, &mut info.rationale] {
                if text.contains(&key) {
                    *text = text.replace(&key, &value);
                }
            }
        }
    }
}

/// At most this many files in the evidence index (a report cites far fewer).
pub const MAX_EVIDENCE_FILES: usize = 20_000;

/// SHA-256 of every file the findings and input problems cite: the digest taken when the
/// file was read at load (files inside images included), else the file read again through
/// the build's one opener (no link out of the build, size-bounded). Files that cannot be
/// read (gone, too large, inside an image and not read at load) are left out of the index.
fn evidence_index(
    report: &Report,
    digests: &std::collections::BTreeMap<String, [u8; 32]>,
    root: &Path,
    max_size: u64,
) -> Vec<icvsec_model::report::EvidenceFile> {
    use icvsec_model::hex::encode as hex;
    let tree = icvsec_fs::HostTree::open(root).ok();
    let view = tree
        .as_ref()
        .map(|t| icvsec_fs::RootView::new(t, icvsec_fs::Scope::contained(Vec::new()), max_size));
    // A hash set, sorted once at the end: an ordered-set insert per outcome (455,000 on
    // 20,000 certificates, long paths sharing their beginnings) was the cost. A file's
    // outcomes share one copy of its path, so the copy's address is looked up first and
    // the text hashed only for an address not seen before.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let mut seen_at: std::collections::HashSet<*const u8> = std::collections::HashSet::new();
    let mut last: *const u8 = std::ptr::null();
    for f in &report.findings {
        for l in f.location.iter().chain(&f.related) {
            let file = l.file.as_str();
            let at = file.as_ptr();
            if at != last && seen_at.insert(at) {
                seen.insert(file);
            }
            last = at;
        }
    }
    for d in &report.diagnostics {
        seen.insert(d.location.file.as_str());
    }
    let mut files: Vec<&str> = seen.into_iter().collect();
    files.sort_unstable();
    files
        .into_iter()
        .filter(|f| !f.is_empty() && !f.starts_with('/') && !f.split('/').any(|c| c == ".."))
        .take(MAX_EVIDENCE_FILES)
        .filter_map(|f| {
            let sha256 = match digests.get(f) {
                Some(d) => hex(d),
                None => match view.as_ref()?.read(f) {
                    Ok(Some(bytes)) => {
                        hex(ring::digest::digest(&ring::digest::SHA256, &bytes).as_ref())
                    }
                    _ => return None,
                },
            };
            Some(icvsec_model::report::EvidenceFile {
                file: f.to_string(),
                sha256,
            })
        })
        .collect()
}

/// Whether findings may fail the job: not with `--fail-on none` (or `fail_on = "none"`).
fn gating(args: &ScanArgs, config_none: bool) -> bool {
    match &args.fail_on {
        Some(s) => !s.eq_ignore_ascii_case("none"),
        None => !config_none,
    }
}

/// The exit code of a scan: `--exit-zero` forces 0 (usage errors never reach here),
/// `--fail-on none` keeps findings from failing but not an incomplete assessment.
pub fn scan_exit(report: &Report, args: &ScanArgs, config_none: bool) -> Exit {
    if args.exit_zero {
        return Exit::Clean;
    }
    match exit_code(report, args.allow_incomplete) {
        Exit::Findings if !gating(args, config_none) => Exit::Clean,
        e => e,
    }
}

/// The one-line verdict, always on standard error whatever the report format, so a CI
/// log says why a job failed (input errors are listed before it).
pub fn verdict_line(report: &Report, gated: bool) -> String {
    use icvsec_model::report::DiagnosticLevel;
    let fails = report.failures_at_or_above(report.scan.fail_on);
    let mut s = if gated {
        format!(
            "icvsec: {fails} failing at or above {}",
            report.scan.fail_on
        )
    } else {
        format!(
            "icvsec: {} failing (not gated: --fail-on none)",
            report.summary.totals.fail
        )
    };
    if report.complete {
        s.push_str(" · assessment complete");
    } else {
        let problems = report.summary.totals.error
            + report
                .diagnostics
                .iter()
                .filter(|d| d.level == DiagnosticLevel::Error)
                .count();
        s.push_str(&format!(" · assessment INCOMPLETE ({problems} problems)"));
    }
    s
}

pub fn exit_code(report: &Report, allow_incomplete: bool) -> Exit {
    if !report.complete && !allow_incomplete {
        Exit::Incomplete
    } else if report.failures_at_or_above(report.scan.fail_on) > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// `%SRCROOT%` for SARIF: the scanned root, or with a URI prefix the directory the
/// prefix is relative to (the root with the prefix's components removed from its end).
fn sarif_src_root(root: &Path, prefix: &str) -> Option<String> {
    let mut dir = std::fs::canonicalize(root).ok()?;
    let parts: Vec<&str> = prefix
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for part in parts.iter().rev() {
        if dir.file_name()?.to_string_lossy() != *part {
            return None;
        }
        dir = dir.parent()?.to_path_buf();
    }
    Some(Sarif::file_uri(&dir))
}

fn renderer(
    args: &ScanArgs,
    format: Format,
    color: bool,
    doc_base_url: &Option<String>,
) -> Box<dyn Renderer> {
    let verbose = args.verbose;
    match format {
        Format::Text => Box::new(Text {
            color,
            verbose,
            quiet: args.quiet,
        }),
        Format::Json => Box::new(Json {
            full_evidence: args.full_evidence,
        }),
        Format::Sarif => Box::new(Sarif {
            src_root_uri: sarif_src_root(&args.path, &args.sarif_uri_prefix),
            uri_prefix: args.sarif_uri_prefix.clone(),
            doc_base_url: doc_base_url.clone(),
            ..Sarif::default()
        }),
        Format::Junit => Box::new(Junit),
        Format::Html => Box::new(Html::default()),
        Format::Markdown => Box::new(Markdown::default()),
    }
}

fn write_file(r: &dyn Renderer, report: &Report, path: &Path) -> std::io::Result<()> {
    let f = std::fs::File::create(path)?;
    // 1 MiB: the default 8 KiB buffer made 5,246 write(2) calls for the large build's
    // 42 MB JSON report.
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    r.render(report, &mut w)?;
    w.flush()
}

pub fn run(args: &ScanArgs) -> i32 {
    // `--jobs N`: every parallel part of the scan, loading, judging and writing the
    // reports, runs on N threads (the writers ran on the default pool before).
    match args.jobs {
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
        {
            Ok(pool) => pool.install(|| run_in_pool(args)),
            Err(e) => usage(format!("cannot start {n} threads: {e}")) as i32,
        },
        None => run_in_pool(args),
    }
}

fn run_in_pool(args: &ScanArgs) -> i32 {
    let started = std::time::Instant::now();
    let report = match scan_report(args) {
        Ok(r) => r,
        Err(e) => return e as i32,
    };
    // scan_report has read the configuration once already; errors were reported there.
    let config =
        Config::load(args.config.as_deref(), &args.path, args.no_config).unwrap_or_default();
    let gated = gating(args, config.fail_on_none);
    let code = scan_exit(&report, args, config.fail_on_none) as i32;
    let doc_base_url = match &args.doc_base_url {
        Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => {
            eprintln!("icvsec: error: --doc-base-url: `{u}` is not an http(s) URL");
            return Exit::Usage as i32;
        }
        Some(u) => Some(u.clone()),
        None => config.doc_base_url.clone(),
    };
    // Input errors and the verdict on stderr, whatever the format on stdout.
    for d in report
        .diagnostics
        .iter()
        .filter(|d| d.level == icvsec_model::report::DiagnosticLevel::Error)
    {
        let d = icvsec_fs::name::inert(&format!("{}: {}", d.location, d.message)).into_owned();
        eprintln!("icvsec: input error: {d}");
    }
    eprintln!("{}", verdict_line(&report, gated));
    // Extra outputs first (files), then the --format report.
    let extra: [(Format, &Vec<PathBuf>); 6] = [
        (Format::Sarif, &args.output_sarif),
        (Format::Junit, &args.output_junit),
        (Format::Html, &args.output_html),
        (Format::Json, &args.output_json),
        (Format::Markdown, &args.output_markdown),
        (Format::Text, &args.output_text),
    ];
    for (format, paths) in extra {
        for path in paths {
            let r = renderer(args, format, false, &doc_base_url);
            if let Err(e) = write_file(r.as_ref(), &report, path) {
                eprintln!("icvsec: error: cannot write {}: {e}", path.display());
                return Exit::Usage as i32;
            }
        }
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color =
        to_terminal && !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let r = renderer(args, args.format, color, &doc_base_url);
    let result = match &args.output {
        Some(path) => write_file(r.as_ref(), &report, path),
        None => {
            // Buffered: the renderers write line by line, and one write(2) per line was
            // a large share of a big scan's time.
            let stdout = std::io::stdout();
            let mut lock = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
            r.render(&report, &mut lock).and_then(|_| lock.flush())
        }
    };
    icvsec_inputs::timings::phase("written", started);
    // The process ends here: freeing every finding one by one would only delay the exit.
    std::mem::forget(report);
    if let Err(e) = result {
        if crate::exit::is_broken_pipe(&e) {
            return code;
        }
        eprintln!("icvsec: error: cannot write the report: {e}");
        return Exit::Usage as i32;
    }
    code
}

/// Load a build for the export commands (`sbom`, `keys`): a usage error (exit code) when
/// the path is neither a directory nor an image; input errors go to standard error.
pub(crate) fn load_for_export(
    path: &Path,
    max_file_size: u64,
) -> Result<icvsec_inputs::Inventory, i32> {
    if !path.is_dir() && !path.is_file() {
        eprintln!(
            "icvsec: error: `{}` is neither a build directory nor a firmware image",
            path.display()
        );
        return Err(Exit::Usage as i32);
    }
    let inv = load_build(
        path,
        &LoadOptions {
            limits: Limits {
                max_file_size,
                ..Limits::default()
            },
            ..Default::default()
        },
    );
    for d in &inv.diagnostics {
        if d.level == icvsec_model::DiagnosticLevel::Error {
            eprintln!("icvsec: {}: {}", d.location, d.message);
        }
    }
    Ok(inv)
}

/// `icvsec sbom BUILD [-o FILE]`: the per-ECU software inventory as CycloneDX 1.6.
pub fn sbom(path: &Path, output: Option<&Path>, max_file_size: u64) -> i32 {
    let inv = match load_for_export(path, max_file_size) {
        Ok(inv) => inv,
        Err(code) => return code,
    };
    let text = icvsec_vuln::write_cyclonedx(&inv.software.inventories());
    let result = match output {
        Some(p) => std::fs::write(p, &text),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes()).and_then(|_| lock.flush())
        }
    };
    match result {
        Ok(()) => Exit::Clean as i32,
        Err(e) if crate::exit::is_broken_pipe(&e) => Exit::Clean as i32,
        Err(e) => {
            eprintln!("icvsec: error: cannot write the SBOM: {e}");
            Exit::Usage as i32
        }
    }
}
