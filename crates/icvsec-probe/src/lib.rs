//! Live TLS endpoint probe for `icvsec probe tls HOST:PORT [--sni NAME]`.
//!
//! Technique: hand-built ClientHellos over `std::net::TcpStream` for SSLv3, TLS 1.0-1.3 and
//! TLCP (GB/T 38636, version 0x0101); only the plaintext ServerHello, alerts, Certificate,
//! ServerKeyExchange, CertificateRequest and ServerHelloDone are parsed, with bounded
//! reads. Cipher suites are enumerated per version by re-offering the remainder until the
//! server refuses; whether the server enforces its own order is tested by offering the
//! accepted suites reversed. TLS 1.3's encrypted Certificate / CertificateRequest are
//! observed through rustls with a recording (accept-all, observation-only) verifier.
//!
//! Every connection has a connect timeout, a read timeout for its whole response (a
//! slow-drip server cannot extend it) and the overall deadline. Anything that could not be
//! determined is listed in `errors` and makes `complete` false: an unknown is never
//! reported as "not accepted".

mod catalog;
mod observe13;
mod pem;
mod wire;

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub use catalog::{alert_name, group_name, suite_name};
pub use pem::certificate_pem;

use catalog::{SECP256R1, TLS13_SUITES, X25519};
use wire::{Fail, Flight, Hello, Limits, Outcome, Until};

/// The saved format (in the model, so that reading a saved probe needs no prober) and the
/// one TLS version type.
pub use icvsec_model::probe::{
    AlertInfo, CipherSuiteInfo, ClientAuthResult, GroupInfo, GroupsResult, PROBED_VERSIONS,
    ProbeError, ProbeErrorKind, ProbeResult, ProtocolResult, ProtocolStatus, SCHEMA_VERSION,
};
pub use icvsec_model::tlsvocab::versions::Version;

/// Suites offered per ClientHello at most (some stacks refuse longer cipher lists).
const CHUNK: usize = 128;

/// Probe settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOptions {
    /// SNI to send; default: the target host when it is a name (never for an IP literal).
    pub sni: Option<String>,
    /// TCP connect timeout per connection.
    pub connect_timeout: Duration,
    /// Time allowed for the server's whole answer on one connection.
    pub read_timeout: Duration,
    /// Bound on the whole probe.
    pub overall_deadline: Duration,
    /// Connections in flight at once (1..=16).
    pub parallelism: usize,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            sni: None,
            connect_timeout: Duration::from_secs(3),
            read_timeout: Duration::from_secs(3),
            overall_deadline: Duration::from_secs(30),
            parallelism: 4,
        }
    }
}

fn version_label(v: u16) -> String {
    Version::from_wire_in(v, &PROBED_VERSIONS)
        .map(|x| x.label().to_string())
        .unwrap_or_else(|| format!("0x{v:04X}"))
}

fn alert_info(level: u8, description: u8) -> AlertInfo {
    AlertInfo {
        level,
        description,
        name: alert_name(description).to_string(),
    }
}

fn suite_info(code: u16) -> CipherSuiteInfo {
    CipherSuiteInfo {
        code,
        name: suite_name(code).map(str::to_string),
    }
}

fn group_info(code: u16) -> GroupInfo {
    GroupInfo {
        code,
        name: group_name(code).map(str::to_string),
    }
}

fn empty_result(target: &str) -> ProbeResult {
    ProbeResult {
        schema_version: SCHEMA_VERSION,
        target: target.to_string(),
        sni: None,
        resolved_address: None,
        complete: false,
        protocols: Vec::new(),
        groups: GroupsResult::default(),
        certificate_chain: Vec::new(),
        certificate_chain_source: None,
        client_auth: ClientAuthResult::default(),
        notes: Vec::new(),
        errors: Vec::new(),
    }
}

fn unknown_protocols(res: &mut ProbeResult, reason: &str) {
    res.protocols = PROBED_VERSIONS
        .into_iter()
        .map(|v| ProtocolResult {
            version: v,
            status: ProtocolStatus::Unknown,
            reason: Some(reason.to_string()),
            alert: None,
            cipher_suites: Vec::new(),
            server_enforces_order: None,
            server_preference: Vec::new(),
            client_certificate_requested: None,
        })
        .collect();
}

fn err(stage: &str, f: Fail) -> ProbeError {
    ProbeError {
        stage: stage.to_string(),
        kind: f.kind,
        message: f.message,
    }
}

/// Split "host:port", "[v6]:port".
fn split_target(target: &str) -> Result<(String, u16), String> {
    let t = target.trim();
    let (host, port) = t
        .rsplit_once(':')
        .ok_or_else(|| format!("target {t:?} is not HOST:PORT"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("target {t:?} has no valid host"));
    }
    let port: u16 = port
        .parse()
        .map_err(|_| format!("target {t:?}: port {port:?} is not a number in 1..=65535"))?;
    if port == 0 {
        return Err(format!("target {t:?}: port 0"));
    }
    Ok((host.to_string(), port))
}

fn resolve(host: &str, port: u16, within: Duration) -> Result<SocketAddr, Fail> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    // getaddrinfo has no timeout: run it on a helper thread and stop waiting after `within`.
    let (tx, rx) = std::sync::mpsc::channel();
    let h = host.to_string();
    std::thread::spawn(move || {
        let r = (h.as_str(), port)
            .to_socket_addrs()
            .map(|a| a.collect::<Vec<_>>());
        let _ = tx.send(r);
    });
    match rx.recv_timeout(within) {
        Ok(Ok(addrs)) => {
            // Prefer IPv4 for determinism across resolvers that return both families.
            let pick = addrs
                .iter()
                .find(|a| a.is_ipv4())
                .or(addrs.first())
                .copied();
            pick.ok_or_else(|| Fail {
                kind: ProbeErrorKind::Resolve,
                message: format!("{host} resolved to no address"),
            })
        }
        Ok(Err(e)) => Err(Fail {
            kind: ProbeErrorKind::Resolve,
            message: format!("resolving {host}: {e}"),
        }),
        Err(_) => Err(Fail {
            kind: ProbeErrorKind::Resolve,
            message: format!("resolving {host} timed out after {within:?}"),
        }),
    }
}

/// Shared probe context.
struct Ctx {
    addr: SocketAddr,
    sni: Option<String>,
    lim: Limits,
    x25519: Vec<u8>,
    p256: Vec<u8>,
    /// Some TLS record came back on some connection.
    any_response: AtomicBool,
    /// Connections that failed (timeout, refused, garbage).
    silent_failures: AtomicUsize,
}

impl Ctx {
    fn exchange(&self, h: &Hello<'_>, until: Until) -> Outcome {
        let rec = wire::build_client_hello(h);
        let out = wire::exchange(self.addr, &rec, until, &self.lim);
        match &out {
            Outcome::Hello(..) | Outcome::Alert { .. } => {
                self.any_response.store(true, Ordering::SeqCst)
            }
            // Only the expensive failures count (timeouts, refused, garbage); a silent close
            // is cheap and some stacks close on versions they do not speak.
            Outcome::Failed(_) => {
                self.silent_failures.fetch_add(1, Ordering::SeqCst);
            }
            Outcome::Closed => {}
        }
        out
    }

    /// Skip further tasks once two connections failed and none ever got a TLS answer.
    fn server_unresponsive(&self) -> bool {
        !self.any_response.load(Ordering::SeqCst)
            && self.silent_failures.load(Ordering::SeqCst) >= 2
    }

    fn hello(&self, v: Version, suites: &[u16], until: Until) -> Outcome {
        if v == Version::Tls13 {
            let groups = catalog::tls13_groups();
            let shares = [
                (X25519, self.x25519.clone()),
                (SECP256R1, self.p256.clone()),
            ];
            self.exchange(
                &Hello {
                    version: 0x0304,
                    tls13: true,
                    suites,
                    groups: &groups,
                    key_shares: &shares,
                    sni: self.sni.as_deref(),
                },
                until,
            )
        } else {
            let groups = if v == Version::Tlcp {
                let mut g = catalog::ecdhe_groups();
                g.retain(|&x| x == 0x0029 || x == SECP256R1);
                g
            } else {
                catalog::ecdhe_groups()
            };
            self.exchange(
                &Hello {
                    version: v.wire(),
                    tls13: false,
                    suites,
                    groups: &groups,
                    key_shares: &[],
                    sni: self.sni.as_deref(),
                },
                until,
            )
        }
    }
}

fn key_share(alg: &'static ring::agreement::Algorithm) -> Vec<u8> {
    let rng = ring::rand::SystemRandom::new();
    ring::agreement::EphemeralPrivateKey::generate(alg, &rng)
        .and_then(|k| k.compute_public_key())
        .map(|p| p.as_ref().to_vec())
        .unwrap_or_else(|_| {
            // Should not happen; a random x25519 share is still a valid point encoding.
            wire::random_bytes::<32>().to_vec()
        })
}

#[derive(Debug, Default)]
struct VersionRun {
    status: Option<ProtocolStatus>,
    reason: Option<String>,
    alert: Option<AlertInfo>,
    picks: Vec<u16>,
    enforces: Option<bool>,
    preference: Vec<u16>,
    flight: Option<Flight>,
    group13: Option<u16>,
    closed_silently: bool,
    errors: Vec<ProbeError>,
    notes: Vec<String>,
}

fn run_version(ctx: &Ctx, v: Version) -> VersionRun {
    let stage = format!("{} suites", v.label());
    let mut run = VersionRun::default();
    if ctx.server_unresponsive() {
        run.status = Some(ProtocolStatus::Unknown);
        run.reason = Some("not probed: the server gave no TLS answer to earlier probes".into());
        run.errors.push(ProbeError {
            stage,
            kind: ProbeErrorKind::Skipped,
            message: "not probed: the server gave no TLS answer to earlier probes".into(),
        });
        return run;
    }
    let offer: Vec<u16> = if v == Version::Tls13 {
        TLS13_SUITES.to_vec()
    } else {
        catalog::legacy_offer_list()
    };
    let chunks: Vec<Vec<u16>> = offer.chunks(CHUNK).map(|c| c.to_vec()).collect();
    let mut chunks_contributing = 0usize;
    let mut refusal_alert: Option<AlertInfo> = None;
    let mut closed = false;
    let mut failed = false;
    let mut other_version: Option<u16> = None;
    'chunks: for chunk in &chunks {
        let mut remaining = chunk.clone();
        let before = run.picks.len();
        while !remaining.is_empty() {
            let until = if run.flight.is_none() && v != Version::Tls13 {
                Until::HelloDone
            } else {
                Until::ServerHello
            };
            match ctx.hello(v, &remaining, until) {
                Outcome::Hello(sh, flight) => {
                    if sh.version != v.wire() {
                        if run.picks.is_empty() {
                            other_version = Some(sh.version);
                        } else {
                            run.errors.push(ProbeError {
                                stage: stage.clone(),
                                kind: ProbeErrorKind::Protocol,
                                message: format!(
                                    "server switched to {} during suite enumeration",
                                    version_label(sh.version)
                                ),
                            });
                            failed = true;
                        }
                        break 'chunks;
                    }
                    if !remaining.contains(&sh.suite) {
                        run.errors.push(ProbeError {
                            stage: stage.clone(),
                            kind: ProbeErrorKind::Protocol,
                            message: format!(
                                "server selected suite 0x{:04X}, which was not offered",
                                sh.suite
                            ),
                        });
                        failed = true;
                        break 'chunks;
                    }
                    run.picks.push(sh.suite);
                    remaining.retain(|&c| c != sh.suite);
                    if run.flight.is_none() {
                        if v == Version::Tls13 {
                            run.group13 = sh.group;
                        } else if let Some(why) = &flight.cut_short {
                            // Certificate / CertificateRequest may be missing: not complete.
                            run.errors.push(ProbeError {
                                stage: format!("{} certificate flight", v.label()),
                                kind: ProbeErrorKind::Protocol,
                                message: format!(
                                    "first handshake ended before ServerHelloDone: {why}"
                                ),
                            });
                        }
                        run.flight = Some(flight);
                    }
                }
                Outcome::Alert { level, description } => {
                    let a = alert_info(level, description);
                    if description == 70 && run.picks.is_empty() {
                        run.status = Some(ProtocolStatus::Rejected);
                        run.reason = Some("protocol_version alert".into());
                        run.alert = Some(a);
                        return run;
                    }
                    refusal_alert = Some(a);
                    break;
                }
                Outcome::Closed => {
                    closed = true;
                    break;
                }
                Outcome::Failed(f) => {
                    run.errors.push(err(&stage, f));
                    failed = true;
                    break 'chunks;
                }
            }
        }
        if run.picks.len() > before {
            chunks_contributing += 1;
        }
    }

    if !run.picks.is_empty() {
        run.status = Some(ProtocolStatus::Accepted);
        if failed {
            run.reason = Some("suite enumeration incomplete (see errors)".into());
        }
    } else if let Some(ov) = other_version {
        run.status = Some(ProtocolStatus::Rejected);
        run.reason = Some(format!(
            "server answered with {} instead",
            version_label(ov)
        ));
    } else if failed {
        run.status = Some(ProtocolStatus::Unknown);
        run.reason = Some("no answer could be obtained (see errors)".into());
        return run;
    } else if closed && refusal_alert.is_none() {
        run.closed_silently = true;
        return run;
    } else {
        run.status = Some(ProtocolStatus::Rejected);
        run.reason = Some("no offered cipher suite accepted".into());
        run.alert = refusal_alert;
        return run;
    }

    // Server order: offer the accepted suites reversed.
    if run.picks.len() >= 2 && !failed {
        let reversed: Vec<u16> = run.picks.iter().rev().copied().collect();
        match ctx.hello(v, &reversed, Until::ServerHello) {
            Outcome::Hello(sh, _) if sh.version == v.wire() => {
                if sh.suite == run.picks[0] {
                    run.enforces = Some(true);
                } else if sh.suite == reversed[0] {
                    run.enforces = Some(false);
                } else {
                    run.notes.push(format!(
                        "{}: reversed offer picked 0x{:04X}: neither strict server nor client order",
                        v.label(),
                        sh.suite
                    ));
                }
            }
            Outcome::Failed(f) => run
                .errors
                .push(err(&format!("{} server order", v.label()), f)),
            other => run.errors.push(ProbeError {
                stage: format!("{} server order", v.label()),
                kind: ProbeErrorKind::Protocol,
                message: format!(
                    "accepted suites offered again were refused: {}",
                    describe(&other)
                ),
            }),
        }
        if run.enforces == Some(true) {
            if chunks_contributing <= 1 {
                run.preference = run.picks.clone();
            } else {
                // Picks came from several chunks: order them all against each other.
                let mut remaining = run.picks.clone();
                let mut order = Vec::new();
                while !remaining.is_empty() {
                    match ctx.hello(v, &remaining, Until::ServerHello) {
                        Outcome::Hello(sh, _) if remaining.contains(&sh.suite) => {
                            order.push(sh.suite);
                            remaining.retain(|&c| c != sh.suite);
                        }
                        other => {
                            run.errors.push(ProbeError {
                                stage: format!("{} server order", v.label()),
                                kind: ProbeErrorKind::Protocol,
                                message: format!("ordering pass interrupted: {}", describe(&other)),
                            });
                            break;
                        }
                    }
                }
                if remaining.is_empty() {
                    run.preference = order;
                }
            }
        }
    }
    run
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Hello(sh, _) => format!(
            "ServerHello {} suite 0x{:04X}",
            version_label(sh.version),
            sh.suite
        ),
        Outcome::Alert { level, description } => {
            format!("alert {} (level {level})", alert_name(*description))
        }
        Outcome::Closed => "connection closed without an answer".into(),
        Outcome::Failed(f) => f.message.clone(),
    }
}

#[derive(Debug, Default)]
struct GroupRun {
    found: Vec<u16>,
    /// The server did not negotiate the requested version at all.
    version_refused: bool,
    errors: Vec<ProbeError>,
}

fn run_groups13(ctx: &Ctx) -> GroupRun {
    let stage = "TLS 1.3 groups";
    let mut run = GroupRun::default();
    if ctx.server_unresponsive() {
        run.version_refused = true;
        return run;
    }
    let mut remaining = catalog::tls13_groups();
    while !remaining.is_empty() {
        let shares: Vec<(u16, Vec<u8>)> = if remaining.contains(&X25519) {
            vec![(X25519, ctx.x25519.clone())]
        } else if remaining.contains(&SECP256R1) {
            vec![(SECP256R1, ctx.p256.clone())]
        } else {
            Vec::new()
        };
        let out = ctx.exchange(
            &Hello {
                version: 0x0304,
                tls13: true,
                suites: &TLS13_SUITES,
                groups: &remaining,
                key_shares: &shares,
                sni: ctx.sni.as_deref(),
            },
            Until::ServerHello,
        );
        match out {
            Outcome::Hello(sh, _) if sh.version == 0x0304 => match sh.group {
                Some(g) if remaining.contains(&g) => {
                    run.found.push(g);
                    remaining.retain(|&x| x != g);
                }
                other => {
                    run.errors.push(ProbeError {
                        stage: stage.into(),
                        kind: ProbeErrorKind::Protocol,
                        message: format!(
                            "TLS 1.3 server selected group {other:?}, which was not offered"
                        ),
                    });
                    break;
                }
            },
            Outcome::Hello(..) => {
                run.version_refused = run.found.is_empty();
                break;
            }
            Outcome::Alert { .. } | Outcome::Closed => {
                run.version_refused = run.found.is_empty();
                break;
            }
            Outcome::Failed(f) => {
                run.errors.push(err(stage, f));
                break;
            }
        }
    }
    run
}

fn run_groups12(ctx: &Ctx, v: Version) -> GroupRun {
    let stage = format!("{} ECDHE groups", v.label());
    let mut run = GroupRun::default();
    if ctx.server_unresponsive() {
        run.version_refused = true;
        return run;
    }
    let suites = catalog::ecdhe_suites();
    let mut remaining = catalog::ecdhe_groups();
    while !remaining.is_empty() {
        let out = ctx.exchange(
            &Hello {
                version: v.wire(),
                tls13: false,
                suites: &suites,
                groups: &remaining,
                key_shares: &[],
                sni: ctx.sni.as_deref(),
            },
            Until::KeyExchange,
        );
        match out {
            Outcome::Hello(sh, fl) if sh.version == v.wire() => match fl.ske_group {
                Some(g) if remaining.contains(&g) => {
                    run.found.push(g);
                    remaining.retain(|&x| x != g);
                }
                other => {
                    let why = fl.cut_short.map(|w| format!(": {w}")).unwrap_or_default();
                    run.errors.push(ProbeError {
                        stage: stage.clone(),
                        kind: ProbeErrorKind::Protocol,
                        message: format!(
                            "ECDHE suite 0x{:04X} without a usable named-curve ServerKeyExchange (group {other:?}){why}",
                            sh.suite
                        ),
                    });
                    break;
                }
            },
            Outcome::Hello(..) | Outcome::Alert { .. } | Outcome::Closed => {
                run.version_refused = run.found.is_empty();
                break;
            }
            Outcome::Failed(f) => {
                run.errors.push(err(&stage, f));
                break;
            }
        }
    }
    run
}

enum Task {
    Version(Version),
    Groups13,
    Groups12(Version),
    Observe13,
}

enum TaskOut {
    Version(Version, VersionRun),
    Groups13(GroupRun),
    Groups12(Version, GroupRun),
    Observe13(observe13::Observation13),
}

fn run_tasks(ctx: &Ctx, tasks: Vec<Task>, parallelism: usize) -> Vec<TaskOut> {
    let n = tasks.len();
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<TaskOut>>> = Mutex::new((0..n).map(|_| None).collect());
    let workers = parallelism.clamp(1, 16).min(n.max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= n {
                        break;
                    }
                    let out = match tasks[i] {
                        Task::Version(v) => TaskOut::Version(v, run_version(ctx, v)),
                        Task::Groups13 => TaskOut::Groups13(run_groups13(ctx)),
                        Task::Groups12(v) => TaskOut::Groups12(v, run_groups12(ctx, v)),
                        Task::Observe13 => TaskOut::Observe13(if ctx.server_unresponsive() {
                            observe13::Observation13::default()
                        } else {
                            observe13::observe(ctx.addr, ctx.sni.as_deref(), &ctx.lim)
                        }),
                    };
                    if let Ok(mut sl) = slots.lock() {
                        sl[i] = Some(out);
                    }
                }
            });
        }
    });
    slots
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Probe a TLS endpoint. Never panics on server behaviour and never runs past
/// `opts.overall_deadline` by more than one socket operation's slack.
pub fn probe_tls(target: &str, opts: &ProbeOptions) -> ProbeResult {
    let start = Instant::now();
    let mut res = empty_result(target);
    let (host, port) = match split_target(target) {
        Ok(x) => x,
        Err(m) => {
            res.errors.push(ProbeError {
                stage: "target".into(),
                kind: ProbeErrorKind::Target,
                message: m,
            });
            unknown_protocols(&mut res, "invalid target");
            return res;
        }
    };
    let is_ip = host.parse::<IpAddr>().is_ok();
    res.sni = opts
        .sni
        .clone()
        .filter(|s| !s.is_empty())
        .or_else(|| (!is_ip).then(|| host.clone()));
    let deadline = start + opts.overall_deadline;
    let addr = match resolve(&host, port, opts.connect_timeout.min(opts.overall_deadline)) {
        Ok(a) => a,
        Err(f) => {
            res.errors.push(err("resolve", f));
            unknown_protocols(&mut res, "target could not be resolved");
            return res;
        }
    };
    res.resolved_address = Some(addr.to_string());
    let ctx = Ctx {
        addr,
        sni: res.sni.clone(),
        lim: Limits {
            connect: opts.connect_timeout,
            read: opts.read_timeout,
            deadline,
        },
        x25519: key_share(&ring::agreement::X25519),
        p256: key_share(&ring::agreement::ECDH_P256),
        any_response: AtomicBool::new(false),
        silent_failures: AtomicUsize::new(0),
    };

    // Phase 1: everything independent, most connection-hungry first.
    let tasks = vec![
        Task::Version(Version::Tls12),
        Task::Version(Version::Tls13),
        Task::Version(Version::Tls10),
        Task::Version(Version::Tls11),
        Task::Groups12(Version::Tls12),
        Task::Groups13,
        Task::Observe13,
        Task::Version(Version::Ssl3),
        Task::Version(Version::Tlcp),
    ];
    let outs = run_tasks(&ctx, tasks, opts.parallelism);

    let mut versions: Vec<(Version, VersionRun)> = Vec::new();
    let mut g13 = GroupRun::default();
    let mut g12: Option<(Version, GroupRun)> = None;
    let mut obs = observe13::Observation13::default();
    for o in outs {
        match o {
            TaskOut::Version(v, r) => versions.push((v, r)),
            TaskOut::Groups13(r) => g13 = r,
            TaskOut::Groups12(v, r) => g12 = Some((v, r)),
            TaskOut::Observe13(o) => obs = o,
        }
    }
    versions.sort_by_key(|(v, _)| *v);
    let accepted = |v: Version| {
        versions
            .iter()
            .any(|(x, r)| *x == v && r.status == Some(ProtocolStatus::Accepted))
    };
    let ecdhe = catalog::ecdhe_suites();

    // Phase 2: ECDHE groups through an older version when TLS 1.2 did not do ECDHE.
    if let Some((_, r)) = &g12
        && r.found.is_empty()
        && r.errors.is_empty()
    {
        let fallback = [Version::Tls11, Version::Tls10, Version::Ssl3]
            .into_iter()
            .find(|&v| {
                versions
                    .iter()
                    .any(|(x, r)| *x == v && r.picks.iter().any(|c| ecdhe.contains(c)))
            });
        if let Some(v) = fallback {
            g12 = Some((v, run_groups12(&ctx, v)));
        }
    }

    let any_accepted = versions
        .iter()
        .any(|(_, r)| r.status == Some(ProtocolStatus::Accepted));
    let mut errors: Vec<ProbeError> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut unknown = false;

    // Certificate chain: plaintext handshake first, rustls TLS 1.3 observation otherwise.
    for v in [
        Version::Tls12,
        Version::Tls11,
        Version::Tls10,
        Version::Ssl3,
        Version::Tlcp,
    ] {
        if let Some((_, r)) = versions.iter().find(|(x, _)| *x == v)
            && let Some(fl) = &r.flight
            && !fl.certs.is_empty()
        {
            res.certificate_chain = fl.certs.iter().map(|c| certificate_pem(c)).collect();
            res.certificate_chain_source = Some(format!("{} handshake", v.label()));
            break;
        }
    }
    let tls13_ok = accepted(Version::Tls13);
    if tls13_ok {
        if res.certificate_chain.is_empty()
            && let Some(chain) = &obs.chain
        {
            res.certificate_chain = chain.iter().map(|c| certificate_pem(c)).collect();
            res.certificate_chain_source = Some("TLSv1.3 handshake (rustls)".into());
        }
        match (&obs.error, &obs.chain) {
            (Some(f), None) => errors.push(err(
                "TLS 1.3 certificate/client-auth observation",
                f.clone(),
            )),
            (Some(f), Some(_)) => notes.push(format!(
                "TLSv1.3 observation handshake ended after the certificate was seen: {}",
                f.message
            )),
            _ => {}
        }
    }

    // Protocol entries.
    for (v, r) in &versions {
        let mut status = r.status;
        let mut reason = r.reason.clone();
        if r.closed_silently {
            if any_accepted {
                status = Some(ProtocolStatus::Rejected);
                reason = Some("connection closed without an alert".into());
            } else {
                status = Some(ProtocolStatus::Unknown);
                reason = Some("connection closed without any TLS answer".into());
                errors.push(ProbeError {
                    stage: format!("{} suites", v.label()),
                    kind: ProbeErrorKind::Closed,
                    message: "server closed the connection without any TLS answer".into(),
                });
            }
        }
        let status = status.unwrap_or(ProtocolStatus::Unknown);
        if status == ProtocolStatus::Unknown {
            unknown = true;
        }
        let mut suites: Vec<CipherSuiteInfo> = r.picks.iter().map(|&c| suite_info(c)).collect();
        suites.sort();
        let cert_req = if *v == Version::Tls13 {
            if status == ProtocolStatus::Accepted {
                obs.cert_requested
            } else {
                None
            }
        } else {
            r.flight.as_ref().filter(|f| f.done).map(|f| f.cert_request)
        };
        if status == ProtocolStatus::Accepted
            && let Some(b) = cert_req
        {
            res.client_auth.checked_in.push(*v);
            if b {
                res.client_auth.requested_in.push(*v);
            }
        }
        errors.extend(r.errors.iter().cloned());
        notes.extend(r.notes.iter().cloned());
        res.protocols.push(ProtocolResult {
            version: *v,
            status,
            reason,
            alert: r.alert.clone(),
            cipher_suites: suites,
            server_enforces_order: r.enforces,
            server_preference: r.preference.clone(),
            client_certificate_requested: cert_req,
        });
    }
    if !res.client_auth.checked_in.is_empty() {
        res.client_auth.requested = Some(!res.client_auth.requested_in.is_empty());
    } else if any_accepted {
        errors.push(ProbeError {
            stage: "client certificate request".into(),
            kind: ProbeErrorKind::Protocol,
            message: "no handshake was observed far enough to tell whether a client certificate is requested".into(),
        });
    }

    // Groups.
    if tls13_ok {
        let mut g: Vec<GroupInfo> = g13.found.iter().map(|&c| group_info(c)).collect();
        g.sort();
        res.groups.tls13 = g;
        res.groups.tls13_negotiated = versions
            .iter()
            .find(|(v, _)| *v == Version::Tls13)
            .and_then(|(_, r)| r.group13)
            .map(group_info);
        errors.extend(g13.errors);
        if g13.found.is_empty() && g13.version_refused {
            errors.push(ProbeError {
                stage: "TLS 1.3 groups".into(),
                kind: ProbeErrorKind::Protocol,
                message: "TLS 1.3 is accepted but no group could be negotiated in the group scan"
                    .into(),
            });
        }
    }
    if let Some((v, r)) = g12 {
        let any_ecdhe_accepted = versions
            .iter()
            .any(|(x, vr)| *x != Version::Tls13 && vr.picks.iter().any(|c| ecdhe.contains(c)));
        if !r.found.is_empty() {
            let mut g: Vec<GroupInfo> = r.found.iter().map(|&c| group_info(c)).collect();
            g.sort();
            res.groups.ecdhe = g;
            res.groups.ecdhe_version = Some(v);
            res.groups.ecdhe_negotiated = r.found.first().map(|&c| group_info(c));
        } else if any_ecdhe_accepted && r.errors.is_empty() {
            errors.push(ProbeError {
                stage: format!("{} ECDHE groups", v.label()),
                kind: ProbeErrorKind::Protocol,
                message: "ECDHE suites are accepted but the curve scan found none".into(),
            });
        }
        if any_ecdhe_accepted || !r.found.is_empty() {
            errors.extend(r.errors);
        }
    }

    if !any_accepted && !unknown && errors.is_empty() {
        notes.push("the server accepted none of the probed protocol versions".into());
    }
    if Instant::now() > deadline {
        errors.push(ProbeError {
            stage: "probe".into(),
            kind: ProbeErrorKind::Deadline,
            message: format!("overall deadline of {:?} exceeded", opts.overall_deadline),
        });
    }
    errors.sort();
    errors.dedup();
    notes.sort();
    notes.dedup();
    res.client_auth.checked_in.sort();
    res.client_auth.requested_in.sort();
    res.complete = errors.is_empty() && !unknown;
    res.errors = errors;
    res.notes = notes;
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_parsing() {
        assert_eq!(
            split_target("127.0.0.1:443").unwrap(),
            ("127.0.0.1".into(), 443)
        );
        assert_eq!(split_target("[::1]:8443").unwrap(), ("::1".into(), 8443));
        assert_eq!(
            split_target("host.example:1").unwrap(),
            ("host.example".into(), 1)
        );
        assert!(split_target("nohost").is_err());
        assert!(split_target(":443").is_err());
        assert!(split_target("h:0").is_err());
        assert!(split_target("h:99999").is_err());
    }

    #[test]
    fn bad_target_is_an_error_not_a_pass() {
        let r = probe_tls("no-port-here", &ProbeOptions::default());
        assert!(!r.complete);
        assert_eq!(r.errors[0].kind, ProbeErrorKind::Target);
        assert!(
            r.protocols
                .iter()
                .all(|p| p.status == ProtocolStatus::Unknown)
        );
        let back = ProbeResult::from_json(&r.to_json()).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn json_rejects_other_schema() {
        let mut r = empty_result("x:1");
        r.schema_version = 99;
        assert!(ProbeResult::from_json(&serde_json::to_string(&r).unwrap()).is_err());
    }
}
