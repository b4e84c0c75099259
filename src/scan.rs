//! `icvsec scan`.

use crate::cli::{Format, ScanArgs};
use crate::exit::Exit;
use crate::rules_cmd::load_rules;
use icvsec_engine::{ScanOptions, evaluate};
use icvsec_inputs::{Limits, LoadOptions, load_build};
use icvsec_model::{Report, Severity};
use icvsec_report::{Json, Renderer, Text};
use std::io::{IsTerminal, Write};

/// Parse `YYYY-MM-DD` into (unix seconds at 00:00 UTC, label).
pub fn parse_date(s: &str) -> Result<(i64, String), String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &fmt)
        .map_err(|e| format!("invalid date `{s}` (expected YYYY-MM-DD): {e}"))?;
    let t = d.midnight().assume_utc().unix_timestamp();
    Ok((t, d.format(&fmt).unwrap_or_else(|_| s.to_string())))
}

fn today() -> (i64, String) {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    (
        now.unix_timestamp(),
        now.date().format(&fmt).unwrap_or_default(),
    )
}

/// Run a scan and return the report (shared by `scan` and tests).
pub fn scan_report(args: &ScanArgs) -> Result<Report, Exit> {
    let fail_on: Severity = args.fail_on.parse().map_err(|e| {
        eprintln!("icvsec: error: --fail-on: {e}");
        Exit::Usage
    })?;
    let (as_of, as_of_label) = match &args.as_of {
        Some(s) => parse_date(s).map_err(|e| {
            eprintln!("icvsec: error: --as-of: {e}");
            Exit::Usage
        })?,
        None => today(),
    };
    if !args.path.is_dir() {
        eprintln!(
            "icvsec: error: `{}` is not a directory",
            args.path.display()
        );
        return Err(Exit::Usage);
    }
    let (catalog, rules) = load_rules(&args.selection)?;
    let registry = icvsec_checks::registry();
    let work = || {
        let inv = load_build(
            &args.path,
            &LoadOptions {
                limits: Limits {
                    max_file_size: args.max_file_size,
                    ..Limits::default()
                },
            },
        );
        evaluate(
            &inv,
            &rules,
            &registry,
            &ScanOptions {
                as_of,
                as_of_label,
                fail_on,
                root_label: args.path.display().to_string(),
                tool_version: env!("CARGO_PKG_VERSION").to_string(),
                rules_digest: catalog.digest.clone(),
            },
        )
    };
    let report = match args.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .map_err(|e| {
                eprintln!("icvsec: error: cannot start {n} threads: {e}");
                Exit::Usage
            })?
            .install(work),
        None => work(),
    };
    Ok(report)
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

pub fn run(args: &ScanArgs) -> i32 {
    let report = match scan_report(args) {
        Ok(r) => r,
        Err(e) => return e as i32,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color =
        to_terminal && !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let renderer: Box<dyn Renderer> = match args.format {
        Format::Text => Box::new(Text {
            color,
            verbose: args.verbose,
        }),
        Format::Json => Box::new(Json),
    };
    let result = match &args.output {
        Some(path) => std::fs::File::create(path).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            renderer.render(&report, &mut w)?;
            w.flush()
        }),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            renderer
                .render(&report, &mut lock)
                .and_then(|_| lock.flush())
        }
    };
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return exit_code(&report, args.allow_incomplete) as i32;
        }
        eprintln!("icvsec: error: cannot write the report: {e}");
        return Exit::Usage as i32;
    }
    exit_code(&report, args.allow_incomplete) as i32
}
