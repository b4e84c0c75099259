//! `icvsec probe tls HOST:PORT`: a live probe of one TLS endpoint (icvsec-probe), printed and
//! judged by the policy of the declared-profile and saved-probe rules (icvsec-tls policy for
//! versions, suites and groups; icvsec-pki lints and RFC 6125 host-name matching for the
//! presented chain). This is the only command that touches the network, and only the given
//! target. `--save FILE` writes the raw probe (JSON) for `icvsec scan` (`*.probe.json`).
//!
//! Exit codes as for `scan`: 0 clean, 1 a failure at or above `--fail-on`, 2 usage error
//! (bad target, bad option, unwritable `--save`), 3 the probe is incomplete.

use crate::exit::Exit;
use clap::{Args, Subcommand, ValueEnum};
use icvsec_checks::tls::{ProbeFinding, describe_chain, judge_probe};
use icvsec_inputs::probe_files::split_target;
use icvsec_model::{Outcome, Severity};
use icvsec_probe::{self as probe, ProbeErrorKind, ProbeOptions, ProbeResult, ProtocolStatus};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Subcommand, Debug)]
pub enum ProbeCmd {
    /// Probe a TLS server: protocol versions, cipher suites per version, groups, certificate
    /// chain, client-certificate request; judged by the TLS policy. Connects only to TARGET.
    Tls(ProbeTlsArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProbeFormat {
    Text,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct ProbeTlsArgs {
    /// The server, as HOST:PORT (`[v6]:PORT` for IPv6).
    pub target: String,
    /// Server name to send (default: the host when it is a name; none for an IP address).
    /// Also the name the certificate must match.
    #[arg(long, value_name = "NAME")]
    pub sni: Option<String>,
    /// Write the probe result (JSON) to this file, e.g. `probes/backend.probe.json`, for `icvsec scan`.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ProbeFormat::Text)]
    pub format: ProbeFormat,
    /// TCP connect timeout per connection, in seconds.
    #[arg(long, value_name = "S", default_value_t = 3.0)]
    pub connect_timeout: f64,
    /// Time allowed for the server's whole answer on one connection, in seconds.
    #[arg(long, value_name = "S", default_value_t = 3.0)]
    pub read_timeout: f64,
    /// Exit 1 when a failing finding has at least this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// Judge certificate validity as of this date (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Exit by the findings even when the probe is incomplete.
    #[arg(long)]
    pub allow_incomplete: bool,
}

pub fn run(cmd: &ProbeCmd) -> i32 {
    match cmd {
        ProbeCmd::Tls(a) => run_tls(a) as i32,
    }
}

fn seconds(name: &str, s: f64) -> Result<Duration, Exit> {
    if !(s.is_finite() && s > 0.0 && s <= 600.0) {
        eprintln!("icvsec: error: --{name}: {s} is not a number of seconds in (0, 600]");
        return Err(Exit::Usage);
    }
    Ok(Duration::from_secs_f64(s))
}

fn run_tls(a: &ProbeTlsArgs) -> Exit {
    match run_tls_inner(a) {
        Ok(e) | Err(e) => e,
    }
}

fn run_tls_inner(a: &ProbeTlsArgs) -> Result<Exit, Exit> {
    let fail_on: Severity = a.fail_on.parse().map_err(|e| {
        eprintln!("icvsec: error: --fail-on: {e}");
        Exit::Usage
    })?;
    let as_of = match &a.as_of {
        Some(s) => {
            crate::date::parse_date(s)
                .map_err(|e| {
                    eprintln!("icvsec: error: --as-of: {e}");
                    Exit::Usage
                })?
                .0
        }
        None => time::OffsetDateTime::now_utc().unix_timestamp(),
    };
    let connect = seconds("connect-timeout", a.connect_timeout)?;
    let read = seconds("read-timeout", a.read_timeout)?;
    let opts = ProbeOptions {
        sni: a.sni.clone(),
        connect_timeout: connect,
        read_timeout: read,
        // Room for every connection of a full probe at the given timeouts, bounded.
        overall_deadline: ((connect + read) * 10)
            .clamp(Duration::from_secs(30), Duration::from_secs(600)),
        ..ProbeOptions::default()
    };
    let r = probe::probe_tls(&a.target, &opts);
    if let Some(e) = r.errors.iter().find(|e| e.kind == ProbeErrorKind::Target) {
        eprintln!("icvsec: error: {}", e.message);
        return Err(Exit::Usage);
    }
    if let Some(path) = &a.save {
        let write = std::fs::File::create(path).and_then(|mut f| {
            f.write_all(r.to_json().as_bytes())?;
            f.write_all(b"\n")
        });
        if let Err(e) = write {
            eprintln!("icvsec: error: cannot write {}: {e}", path.display());
            return Err(Exit::Usage);
        }
    }
    let host = r.sni.clone().unwrap_or_else(|| split_target(&r.target).0);
    let findings = judge_probe(&r, &host, as_of);
    let failing = findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && f.severity >= fail_on)
        .count();
    let exit = if !r.complete && !a.allow_incomplete {
        Exit::Incomplete
    } else if failing > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    };
    let out = match a.format {
        ProbeFormat::Json => json(&r, &host, &findings, fail_on, exit),
        ProbeFormat::Text => {
            // A remote server chooses its certificate's subject and alert texts: on a
            // terminal they are escaped (control and bidirectional characters).
            let r = inert_copy(&r);
            let findings: Vec<ProbeFinding> = findings
                .iter()
                .map(|f| ProbeFinding {
                    message: inert(&f.message),
                    ..f.clone()
                })
                .collect();
            text(&r, &inert(&host), &findings, fail_on, exit)
        }
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    if let Err(e) = lock.write_all(out.as_bytes()).and_then(|_| lock.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("icvsec: error: cannot write the report: {e}");
        return Err(Exit::Usage);
    }
    Ok(exit)
}

fn json(
    r: &ProbeResult,
    host: &str,
    findings: &[ProbeFinding],
    fail_on: Severity,
    exit: Exit,
) -> String {
    let fs: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "check": f.check,
                "severity": f.severity.as_str(),
                "outcome": f.outcome.as_str(),
                "message": f.message,
            })
        })
        .collect();
    let count = |o: Outcome| findings.iter().filter(|f| f.outcome == o).count();
    let v = serde_json::json!({
        "probe": r,
        "host_checked": host,
        "findings": fs,
        "summary": {
            "fail": count(Outcome::Fail),
            "error": count(Outcome::Error),
            "pass": count(Outcome::Pass),
            "fail_on": fail_on.as_str(),
            "failures_at_or_above": findings.iter().filter(|f| f.outcome == Outcome::Fail && f.severity >= fail_on).count(),
            "complete": r.complete,
            "exit_code": exit as i32,
        }
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn inert(s: &str) -> String {
    icvsec_fs::inert(s).into_owned()
}

/// A copy of a value whose every string is inert (through its serde form; small values).
fn inert_copy<T: serde::Serialize + serde::de::DeserializeOwned + Clone>(v: &T) -> T {
    fn walk(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if let std::borrow::Cow::Owned(o) = icvsec_fs::inert(s) {
                    *s = o;
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(walk),
            serde_json::Value::Object(m) => m.values_mut().for_each(walk),
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::to_value(v) else {
        return v.clone();
    };
    walk(&mut value);
    serde_json::from_value(value).unwrap_or_else(|_| v.clone())
}

fn text(
    r: &ProbeResult,
    host: &str,
    findings: &[ProbeFinding],
    fail_on: Severity,
    exit: Exit,
) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "icvsec probe tls {} · SNI {} · address {} · {}",
        r.target,
        r.sni.as_deref().unwrap_or("(none)"),
        r.resolved_address.as_deref().unwrap_or("(unresolved)"),
        if r.complete { "complete" } else { "INCOMPLETE" }
    );
    let _ = writeln!(o, "\nprotocols");
    for p in &r.protocols {
        let status = match p.status {
            ProtocolStatus::Accepted => "accepted".to_string(),
            ProtocolStatus::Rejected => format!(
                "rejected{}",
                p.alert
                    .as_ref()
                    .map(|a| format!(" (alert {})", a.name))
                    .or_else(|| p.reason.as_ref().map(|r| format!(" ({r})")))
                    .unwrap_or_default()
            ),
            ProtocolStatus::Unknown => format!(
                "UNKNOWN ({})",
                p.reason.as_deref().unwrap_or("not determined")
            ),
        };
        let mut extra = Vec::new();
        if p.status == ProtocolStatus::Accepted {
            extra.push(format!("{} suite(s)", p.cipher_suites.len()));
            if let Some(b) = p.server_enforces_order {
                extra.push(format!("server order: {}", if b { "yes" } else { "no" }));
            }
            if let Some(b) = p.client_certificate_requested {
                extra.push(format!(
                    "client certificate requested: {}",
                    if b { "yes" } else { "no" }
                ));
            }
        }
        let _ = writeln!(
            o,
            "  {:<9} {status}{}",
            p.version.label(),
            if extra.is_empty() {
                String::new()
            } else {
                format!(" · {}", extra.join(" · "))
            }
        );
        for s in &p.cipher_suites {
            let _ = writeln!(
                o,
                "      0x{:04X} {}",
                s.code,
                s.name.as_deref().unwrap_or("(unnamed)")
            );
        }
    }
    let g = &r.groups;
    let names = |v: &[probe::GroupInfo]| {
        v.iter()
            .map(|x| {
                x.name
                    .clone()
                    .unwrap_or_else(|| format!("0x{:04x}", x.code))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(o, "\ngroups");
    let _ = writeln!(
        o,
        "  TLS 1.3: [{}]{}",
        names(&g.tls13),
        g.tls13_negotiated
            .as_ref()
            .and_then(|x| x.name.clone())
            .map(|n| format!(" (negotiated {n})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "  ECDHE{}: [{}]{}",
        g.ecdhe_version
            .map(|v| format!(" ({})", v.label()))
            .unwrap_or_default(),
        names(&g.ecdhe),
        g.ecdhe_negotiated
            .as_ref()
            .and_then(|x| x.name.clone())
            .map(|n| format!(" (negotiated {n})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        o,
        "\ncertificate chain{}",
        r.certificate_chain_source
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default()
    );
    if r.certificate_chain.is_empty() {
        let _ = writeln!(o, "  (none obtained)");
    }
    for line in describe_chain(r) {
        let _ = writeln!(o, "  {line}");
    }
    let ca = &r.client_auth;
    let _ = writeln!(
        o,
        "\nclient certificate requested: {}",
        match ca.requested {
            Some(true) => format!(
                "yes (in {})",
                ca.requested_in
                    .iter()
                    .map(|v| v.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(false) => "no".to_string(),
            None => "unknown".to_string(),
        }
    );
    if !r.notes.is_empty() {
        let _ = writeln!(o, "\nnotes");
        for n in &r.notes {
            let _ = writeln!(o, "  {n}");
        }
    }
    if !r.errors.is_empty() {
        let _ = writeln!(o, "\nerrors");
        for e in &r.errors {
            let _ = writeln!(o, "  {} [{:?}]: {}", e.stage, e.kind, e.message);
        }
    }
    let _ = writeln!(o, "\nfindings (host name checked: {host})");
    let mut sorted: Vec<&ProbeFinding> = findings.iter().collect();
    sorted.sort_by_key(|f| (f.outcome, std::cmp::Reverse(f.severity)));
    for f in sorted {
        let _ = writeln!(
            o,
            "  {:<5} {:<8} {:<21} {}",
            f.outcome.as_str().to_uppercase(),
            f.severity.as_str(),
            f.check,
            f.message
        );
    }
    let count = |x: Outcome| findings.iter().filter(|f| f.outcome == x).count();
    let _ = writeln!(
        o,
        "\nsummary: {} fail ({} at or above `{}`) · {} error · {} pass · probe {} · exit {}",
        count(Outcome::Fail),
        findings
            .iter()
            .filter(|f| f.outcome == Outcome::Fail && f.severity >= fail_on)
            .count(),
        fail_on.as_str(),
        count(Outcome::Error),
        count(Outcome::Pass),
        if r.complete { "complete" } else { "incomplete" },
        exit as i32
    );
    o
}
