//! TLS family: real server configurations (nginx, openssl.cnf, mbedTLS/wolfSSL build
//! configurations) through icvsec-tls, declared TLS/TLCP profiles (ECU configs and
//! vehicle.json endpoints) and saved live probes (`*.probe.json`), all judged by
//! icvsec-tls's policy ([`icvsec_tls::policy::assess`]).
//!
//! Configuration files: the asset is the file (build-relative path). Its root filesystem is
//! the prefix before a well-known in-root location (`etc/nginx/nginx.conf`, `etc/ssl/openssl.cnf`,
//! ...), else the root filesystem of the owning ECU, else the file's directory; icvsec-tls
//! reads includes below that root only, once, when the build is loaded (icvsec-inputs
//! `tls_files`); these checks only judge what was read. A finding names the offending value (version, suite,
//! group) and the file and line that set it (build-relative); a parse error is an error
//! outcome at its file and line, never a pass.
//!
//! Declared profiles: unknown version or suite names are errors naming the value (never
//! passes); an empty suite list cannot be judged (error).
//!
//! Saved probes: versions the server accepted and the suites accepted per version are judged
//! like a declared profile. A probe that is not `complete` cannot pass: without a failure it
//! gives an error listing what the probe could not determine.

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::probe::{ProbeResult, ProtocolStatus};
use icvsec_inputs::{CertAsset, Inventory, ProbeAsset};
use icvsec_model::input::tls::{TlsProfile, TlsProtocol, TlsSide};
use icvsec_model::input::vehicle::Owner;
use icvsec_model::{AssetKind, Location, Outcome, Severity};
use icvsec_pki::Certificate;
use icvsec_pki::lint::{self, LintResult};
use icvsec_tls::checks::{self as tc, CheckOutcome, CheckParams};
use icvsec_tls::policy::{self, AssessContext, PolicyParams, Weakness, WeaknessCode};
use icvsec_tls::suites::{self, CipherSuite};
use icvsec_tls::versions::Version;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::path::Path;

// ------------------------------------------------------------------ parameters

/// icvsec-tls's [`CheckParams`] (policy thresholds + `fail_on`), refusing unknown keys
/// (the flattened struct cannot do so itself).
#[derive(Debug, Clone)]
pub struct TlsParams(pub CheckParams);

impl<'de> Deserialize<'de> for TlsParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        let known = serde_json::to_value(CheckParams::default()).unwrap_or(Value::Null);
        if let (Value::Object(given), Value::Object(known)) = (&v, &known)
            && let Some(k) = given.keys().find(|k| !known.contains_key(*k))
        {
            let mut names: Vec<&String> = known.keys().collect();
            names.sort();
            return Err(serde::de::Error::custom(format!(
                "unknown parameter `{k}` (expected one of: {})",
                names
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let v = if v.is_null() {
            Value::Object(Default::default())
        } else {
            v
        };
        serde_json::from_value(v)
            .map(TlsParams)
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct NoParams {}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct TlcpParams {
    /// Suites allowed in a TLCP profile (GB/T 38636).
    allowed: Vec<String>,
    /// RFC 8998 TLS 1.3 SM suites, allowed when the profile also enables TLS 1.3.
    allowed_tls13: Vec<String>,
}

impl Default for TlcpParams {
    fn default() -> Self {
        TlcpParams {
            allowed: [
                "ECC_SM4_CBC_SM3",
                "ECDHE_SM4_CBC_SM3",
                "ECC_SM4_GCM_SM3",
                "ECDHE_SM4_GCM_SM3",
            ]
            .map(String::from)
            .to_vec(),
            allowed_tls13: ["TLS_SM4_GCM_SM3", "TLS_SM4_CCM_SM3"]
                .map(String::from)
                .to_vec(),
        }
    }
}

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new::<TlsParams>(
            "tls.nginx",
            AssetKind::NginxConfig,
            "nginx TLS servers (with includes and inheritance) judged by the TLS policy.",
            |ctx, p, sink| config_check(ctx, &p.0, sink),
        ),
        CheckDef::new::<TlsParams>(
            "tls.openssl_conf",
            AssetKind::OpensslConfig,
            "openssl.cnf system_default (MinProtocol, CipherString, Groups) judged by the TLS policy.",
            |ctx, p, sink| config_check(ctx, &p.0, sink),
        ),
        CheckDef::new::<TlsParams>(
            "tls.embedded_stack",
            AssetKind::TlsStackConfig,
            "mbedTLS/wolfSSL build configuration: compiled-in versions and suites judged by the TLS policy.",
            |ctx, p, sink| config_check(ctx, &p.0, sink),
        ),
        CheckDef::new::<TlsParams>(
            "tls.profile_policy",
            AssetKind::TlsProfile,
            "A declared TLS profile's versions, suites and groups judged by the TLS policy.",
            |ctx, p, sink| profile_policy(ctx, &p.0, sink),
        ),
        CheckDef::new::<TlcpParams>(
            "tls.profile_tlcp",
            AssetKind::TlsProfile,
            "A TLCP profile enables TLCP and only GB/T 38636 (or RFC 8998) SM suites.",
            profile_tlcp,
        ),
        CheckDef::new::<NoParams>(
            "tls.profile_mutual_auth",
            AssetKind::TlsProfile,
            "Client profiles towards OEM endpoints use mutual TLS with a client certificate.",
            profile_mutual_auth,
        ),
        CheckDef::new::<NoParams>(
            "tls.profile_certificate",
            AssetKind::TlsProfile,
            "The certificate a profile presents is valid, with a strong key and signature.",
            profile_certificate,
        ),
        CheckDef::new::<NoParams>(
            "tls.endpoint_hostname",
            AssetKind::Endpoint,
            "An endpoint's server certificate names the endpoint's host (SAN DNS/IP, wildcard rules).",
            endpoint_hostname,
        ),
        CheckDef::new::<TlsParams>(
            "tls.probe_policy",
            AssetKind::ProbeResult,
            "A saved probe's accepted versions and suites judged by the TLS policy.",
            |ctx, p, sink| probe_policy(ctx, &p.0, sink),
        ),
        CheckDef::new::<NoParams>(
            "tls.probe_client_auth",
            AssetKind::ProbeResult,
            "A probed OEM backend asks for a client certificate (mutual TLS).",
            probe_client_auth,
        ),
    ]
}

fn codes(fail_on: &[WeaknessCode]) -> String {
    fail_on
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ------------------------------------------------------------------ configuration files

/// Build-relative path of an in-root system path.
fn build_path(root_rel: &str, sys: &Path) -> String {
    let s = sys.to_string_lossy();
    let s = s.trim_start_matches('/');
    if root_rel.is_empty() {
        s.to_string()
    } else {
        format!("{root_rel}/{s}")
    }
}

fn located(root_rel: &str, at: &icvsec_tls::Location) -> Location {
    let file = build_path(root_rel, &at.file);
    if at.line > 0 {
        Location::at_line(file, at.line)
    } else {
        Location::file(file)
    }
}

/// Judge the configuration read at load (`Inventory::tls_configs`): no file is read here.
fn config_check(ctx: &Ctx, p: &CheckParams, sink: &mut Sink) {
    let rel = ctx.asset.id.as_str();
    let Some(asset) = ctx.inv.tls_configs.files.get(rel) else {
        sink.error(
            format!("{rel}: TLS configuration not in the inventory"),
            ctx.asset.home.clone(),
        );
        return;
    };
    let out: CheckOutcome = tc::judge(&asset.loaded, p);
    report_config(ctx, &asset.root_rel, rel, &out, p, sink);
}

fn report_config(
    ctx: &Ctx,
    root_rel: &str,
    rel: &str,
    out: &CheckOutcome,
    p: &CheckParams,
    sink: &mut Sink,
) {
    for f in &out.findings {
        let (loc, place) = match &f.at {
            Some(at) => {
                let l = located(root_rel, at);
                let place = format!("set at {}", l);
                (l, place)
            }
            None => (
                Location::file(rel),
                "not set: the built-in default applies".to_string(),
            ),
        };
        sink.fail(
            format!("{} `{}`: {} ({place})", f.code.as_str(), f.item, f.message),
            loc,
        );
    }
    for e in &out.errors {
        let file = build_path(root_rel, &e.file);
        let loc = if e.line > 0 {
            Location::at_line(&file, e.line)
        } else {
            Location::file(&file)
        };
        sink.error(
            format!(
                "cannot assess: {file}{}: {}",
                if e.line > 0 {
                    format!(":{}", e.line)
                } else {
                    String::new()
                },
                e.message
            ),
            loc,
        );
    }
    if out.findings.is_empty() && out.errors.is_empty() {
        if out.examined.is_empty() {
            sink.not_applicable(format!("{rel}: no TLS configuration to assess"));
        } else {
            let files: Vec<String> = out
                .examined
                .iter()
                .map(|f| build_path(root_rel, f))
                .collect();
            let _ = ctx;
            sink.pass(
                format!("none of [{}] in {}", codes(&p.fail_on), files.join(", ")),
                Location::file(rel),
            );
        }
    }
}

// ------------------------------------------------------------------ declared profiles

fn profile<'a>(
    ctx: &'a Ctx,
    sink: &mut Sink,
) -> Option<&'a icvsec_inputs::inventory::Placed<TlsProfile>> {
    let p = ctx.inv.tls_profiles.get(ctx.asset.id.as_str());
    if p.is_none() {
        sink.error("TLS profile not in the inventory", ctx.asset.home.clone());
    }
    p
}

/// The profile under evaluation with its versions and suites as parsed at load.
fn typed_profile<'a>(
    ctx: &'a Ctx,
    sink: &mut Sink,
) -> Option<(
    &'a icvsec_inputs::inventory::Placed<TlsProfile>,
    &'a icvsec_model::graph::TlsProfileNode,
)> {
    let pl = profile(ctx, sink)?;
    match ctx.inv.graph.tls_profile(&ctx.asset.id) {
        Some(ty) => Some((pl, ty)),
        None => {
            sink.error("TLS profile not in the asset graph", pl.location());
            None
        }
    }
}

fn is_suite_code(c: WeaknessCode) -> bool {
    use WeaknessCode::*;
    matches!(
        c,
        NullCipher
            | Anonymous
            | Export
            | Rc4
            | Des
            | TripleDes
            | WeakCipherBits
            | Md5Mac
            | NoForwardSecrecy
            | NotAead
            | NoCipherMatch
    )
}

fn is_group_code(c: WeaknessCode) -> bool {
    use WeaknessCode::*;
    matches!(c, WeakDhGroup | WeakEccGroup | UnknownGroup)
}

fn profile_policy(ctx: &Ctx, p: &CheckParams, sink: &mut Sink) {
    let Some((pl, ty)) = typed_profile(ctx, sink) else {
        return;
    };
    let prof = &pl.value;
    let wants_suites = p.fail_on.iter().any(|c| is_suite_code(*c));
    let wants_groups = p.fail_on.iter().any(|c| is_group_code(*c));
    let mut unusable = false;
    let mut versions: Vec<(Version, usize)> = Vec::new();
    for (i, pv) in ty.versions.iter().enumerate() {
        let v = &pv.declared;
        match pv.value {
            Some(x) => versions.push((x, i)),
            None => {
                sink.error(
                    format!("unknown protocol version `{v}`: cannot assess the profile"),
                    pl.at(&format!("versions[{i}]")),
                );
                unusable = true;
            }
        }
    }
    if prof.versions.is_empty() {
        sink.error(
            "the profile declares no protocol versions: cannot assess it",
            pl.at("versions"),
        );
        unusable = true;
    }
    let mut suites_found: Vec<(&'static CipherSuite, usize)> = Vec::new();
    if wants_suites {
        for (i, ps) in ty.cipher_suites.iter().enumerate() {
            let s = &ps.declared;
            match ps.value {
                Some(c) => suites_found.push((c, i)),
                None => {
                    sink.error(
                        format!("unknown cipher suite `{s}` (not an IANA or OpenSSL name or a code point icvsec knows): cannot assess it"),
                        pl.at(&format!("cipher_suites[{i}]")),
                    );
                    unusable = true;
                }
            }
        }
        if prof.cipher_suites.is_empty() {
            sink.error(
                "the profile declares no cipher_suites (the stack's defaults cannot be judged); list the suites",
                pl.at("cipher_suites"),
            );
            unusable = true;
        }
    }
    let groups: Vec<String> = if wants_groups {
        prof.groups.clone()
    } else {
        Vec::new()
    };
    let vs: Vec<Version> = versions.iter().map(|(v, _)| *v).collect();
    let ss: Vec<CipherSuite> = suites_found.iter().map(|(c, _)| (*c).clone()).collect();
    let ws = policy::assess(
        &vs,
        &ss,
        &groups,
        &AssessContext {
            params: p.policy.clone(),
            dh: Default::default(),
        },
    );
    let mut failed = false;
    for w in ws.iter().filter(|w| p.fail_on.contains(&w.code)) {
        if w.code == WeaknessCode::UnknownGroup {
            let i = prof.groups.iter().position(|g| g.trim() == w.item);
            sink.error(
                format!("unknown group `{}`: cannot assess it", w.item),
                pl.at(&i.map_or("groups".into(), |i| format!("groups[{i}]"))),
            );
            unusable = true;
            continue;
        }
        failed = true;
        let (key, value) = weakness_place(w, prof, &versions, &suites_found);
        sink.fail(
            format!("{} `{}`: {}", w.code.as_str(), value, w.message),
            pl.at(&key),
        );
    }
    if !failed && !unusable {
        sink.pass(
            format!(
                "versions [{}], {} suite(s){}: none of [{}]",
                prof.versions.join(", "),
                prof.cipher_suites.len(),
                if wants_groups {
                    format!(", groups [{}]", prof.groups.join(", "))
                } else {
                    String::new()
                },
                codes(&p.fail_on)
            ),
            pl.location(),
        );
    }
}

/// Key path and declared spelling of a weakness's item.
fn weakness_place(
    w: &Weakness,
    prof: &TlsProfile,
    versions: &[(Version, usize)],
    suites: &[(&CipherSuite, usize)],
) -> (String, String) {
    if let Some((_, i)) = versions.iter().find(|(v, _)| v.name() == w.item) {
        return (format!("versions[{i}]"), prof.versions[*i].clone());
    }
    if let Some((c, i)) = suites.iter().find(|(c, _)| c.display_name() == w.item) {
        let declared = &prof.cipher_suites[*i];
        let shown = if declared.eq_ignore_ascii_case(&c.iana_name) {
            declared.clone()
        } else {
            format!("{declared} ({})", c.iana_name)
        };
        return (format!("cipher_suites[{i}]"), shown);
    }
    if let Some(i) = prof.groups.iter().position(|g| g.trim() == w.item) {
        return (format!("groups[{i}]"), prof.groups[i].clone());
    }
    let key = match w.code {
        WeaknessCode::ProtocolBelowMin | WeaknessCode::Tls13NotEnabled => "versions",
        _ => "cipher_suites",
    };
    (key.to_string(), w.item.clone())
}

fn profile_tlcp(ctx: &Ctx, p: &TlcpParams, sink: &mut Sink) {
    let Some((pl, ty)) = typed_profile(ctx, sink) else {
        return;
    };
    let prof = &pl.value;
    if prof.protocol != TlsProtocol::Tlcp {
        sink.not_applicable("not a TLCP profile");
        return;
    }
    let versions: Vec<Option<Version>> = ty.versions.iter().map(|v| v.value).collect();
    let mut bad = false;
    let mut unusable = false;
    for (i, v) in versions.iter().enumerate() {
        if v.is_none() {
            sink.error(
                format!("unknown protocol version `{}`", prof.versions[i]),
                pl.at(&format!("versions[{i}]")),
            );
            unusable = true;
        }
    }
    if !versions.contains(&Some(Version::Tlcp)) {
        sink.fail(
            format!(
                "protocol is `tlcp` but versions [{}] enable no TLCP (GB/T 38636, 0x0101)",
                prof.versions.join(", ")
            ),
            pl.at("versions"),
        );
        bad = true;
    }
    let tls13 = versions.contains(&Some(Version::Tls13));
    let allowed = |c: &CipherSuite| {
        let is = |names: &[String]| {
            names.iter().any(|n| {
                suites::lookup(n).is_some_and(|x| x.code == c.code)
                    || n.eq_ignore_ascii_case(&c.iana_name)
            })
        };
        is(&p.allowed) || (tls13 && is(&p.allowed_tls13))
    };
    if prof.cipher_suites.is_empty() {
        sink.error(
            "a TLCP profile declares no cipher_suites: cannot tell whether only SM suites are used",
            pl.at("cipher_suites"),
        );
        unusable = true;
    }
    for (i, ps) in ty.cipher_suites.iter().enumerate() {
        let s = &ps.declared;
        match ps.value {
            None => {
                sink.error(
                    format!("unknown cipher suite `{s}`: cannot assess it"),
                    pl.at(&format!("cipher_suites[{i}]")),
                );
                unusable = true;
            }
            Some(c) if !allowed(c) => {
                sink.fail(
                    format!(
                        "`{s}` ({}, 0x{:04X}) is not a GB/T 38636 TLCP suite{}",
                        c.iana_name,
                        c.code,
                        if tls13 {
                            " nor an RFC 8998 TLS 1.3 SM suite"
                        } else {
                            ""
                        }
                    ),
                    pl.at(&format!("cipher_suites[{i}]")),
                );
                bad = true;
            }
            Some(_) => {}
        }
    }
    if !bad && !unusable {
        sink.pass(
            format!(
                "TLCP enabled; suites [{}] are GB/T 38636{} SM suites",
                prof.cipher_suites.join(", "),
                if tls13 { " / RFC 8998" } else { "" }
            ),
            pl.location(),
        );
    }
}

/// Endpoints a profile connects to: its `endpoint`, endpoints naming it in `tls_profile`,
/// and, for an inline profile, its own endpoint.
fn profile_endpoints<'a>(
    inv: &'a Inventory,
    id: &str,
    prof: &TlsProfile,
) -> Vec<&'a icvsec_inputs::inventory::Placed<icvsec_model::input::vehicle::Endpoint>> {
    let mut out: Vec<_> = inv
        .endpoints
        .iter()
        .filter(|(eid, e)| {
            prof.endpoint.as_deref() == Some(eid.as_str())
                || e.value.tls_profile.as_deref() == Some(id)
                || id.strip_prefix("endpoint/") == Some(eid.as_str())
        })
        .map(|(_, e)| e)
        .collect();
    out.dedup_by(|a, b| a.value.id == b.value.id);
    out
}

fn profile_mutual_auth(ctx: &Ctx, _p: &NoParams, sink: &mut Sink) {
    let Some(pl) = profile(ctx, sink) else { return };
    let prof = &pl.value;
    if prof.side != TlsSide::Client {
        sink.not_applicable(
            "a server profile (mutual authentication is judged on the vehicle's client profiles)",
        );
        return;
    }
    let eps = profile_endpoints(ctx.inv, &ctx.asset.id, prof);
    let oem: Vec<&str> = eps
        .iter()
        .filter(|e| e.value.owner == Owner::Oem)
        .map(|e| e.value.id.as_str())
        .collect();
    if eps.is_empty() {
        sink.not_applicable("the profile names no endpoint and no endpoint uses it");
        return;
    }
    if oem.is_empty() {
        sink.not_applicable("connects to third-party endpoints only");
        return;
    }
    let to = oem.join(", ");
    match (prof.mutual_tls, &prof.certificate) {
        (Some(true), Some(c)) => {
            sink.pass(
                format!("mutual TLS to OEM endpoint(s) {to} with client certificate {c}"),
                pl.at("mutual_tls"),
            );
        }
        (Some(true), None) => {
            sink.fail(
                format!(
                    "mutual_tls is true towards {to} but the profile names no client `certificate`"
                ),
                pl.at("certificate"),
            );
        }
        (m, _) => {
            sink.fail(
                format!(
                    "the vehicle does not authenticate itself to OEM endpoint(s) {to}: mutual_tls is {}",
                    m.map_or("not declared".to_string(), |b| b.to_string())
                ),
                pl.at("mutual_tls"),
            );
        }
    }
}

fn report_lints(
    what: &str,
    c: &CertAsset,
    results: Vec<LintResult>,
    related: &Location,
    sink: &mut Sink,
) {
    for r in results {
        let failed = !r.passed && !r.warning;
        let msg = if r.warning {
            format!("{what} ({}): {} (warning)", c.cert.label(), r.message)
        } else {
            format!("{what} ({}): {}", c.cert.label(), r.message)
        };
        sink.verdict(!failed, msg, c.location())
            .related(related.clone());
    }
}

/// The certificate lints a presented certificate must pass: validity at the evaluation
/// date, RSA size, EC curve, no DSA, no MD5/SHA-1 signature.
pub fn certificate_lints(cert: &Certificate, as_of: i64, leaf: bool) -> Vec<LintResult> {
    let mut out = lint::validity(cert, &lint::ValidityParams::default(), as_of);
    out.extend(lint::rsa_key_size(cert, &lint::RsaKeySizeParams::default()));
    out.extend(lint::ec_curve(cert, &lint::EcCurveParams::default()));
    out.extend(lint::dsa_key(cert, &lint::NoParams::default()));
    out.extend(lint::signature_hash(
        cert,
        &lint::SignatureHashParams {
            ignore_self_signed: !leaf,
            ..Default::default()
        },
    ));
    out
}

fn profile_certificate(ctx: &Ctx, _p: &NoParams, sink: &mut Sink) {
    let Some(pl) = profile(ctx, sink) else { return };
    let prof = &pl.value;
    let mut any = false;
    for (field, path) in [
        ("certificate", &prof.certificate),
        ("encryption_certificate", &prof.encryption_certificate),
    ] {
        let Some(path) = path else { continue };
        any = true;
        let file = path.trim_start_matches("./");
        let certs = ctx.inv.certificates_in(file);
        let here = pl.at(field);
        if certs.is_empty() {
            sink.error(
                format!("{field} `{path}` holds no certificate that could be read"),
                here,
            );
            continue;
        }
        // The presented certificate is the first of the file (leaf first).
        let (_, c) = certs[0];
        report_lints(
            field,
            c,
            certificate_lints(&c.cert, ctx.as_of, true),
            &here,
            sink,
        );
    }
    if !any {
        sink.not_applicable("the profile presents no certificate");
    }
}

// ------------------------------------------------------------------ host names

/// Whether `cert` is valid for `host` (a DNS name or an IP literal): RFC 6125 matching
/// against the subjectAltName only (no common-name fallback); a wildcard is accepted
/// only as the whole left-most label of a name with at least three labels, and matches
/// exactly one label; IP addresses match SAN IP entries only. Returns the explanation.
pub fn host_matches(cert: &Certificate, host: &str) -> Result<String, String> {
    let h = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let h = h.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = h.parse::<std::net::IpAddr>() {
        return if cert
            .san_ip
            .iter()
            .any(|s| s.parse::<std::net::IpAddr>().is_ok_and(|x| x == ip))
        {
            Ok(format!("SAN IP names {ip}"))
        } else {
            Err(format!(
                "IP address {ip} is not among the SAN IP entries [{}]",
                cert.san_ip.join(", ")
            ))
        };
    }
    if cert.san_dns.is_empty() {
        return Err(format!(
            "no SAN DNS names (subject {}; the common name is not used for host names)",
            cert.subject
        ));
    }
    for pat in &cert.san_dns {
        if dns_match(&pat.to_ascii_lowercase(), h) {
            return Ok(format!("SAN DNS `{pat}` matches `{h}`"));
        }
    }
    Err(format!(
        "`{h}` matches none of the SAN DNS names [{}]",
        cert.san_dns.join(", ")
    ))
}

fn dns_match(pat: &str, host: &str) -> bool {
    let pat = pat.trim_end_matches('.');
    if let Some(rest) = pat.strip_prefix("*.") {
        // At least two labels after the wildcard, no further wildcard, not an IDN A-label.
        if rest.split('.').count() < 2 || rest.contains('*') {
            return false;
        }
        match host.split_once('.') {
            Some((first, tail)) => !first.is_empty() && !first.starts_with("xn--") && tail == rest,
            None => false,
        }
    } else {
        !pat.contains('*') && pat == host
    }
}

fn endpoint_hostname(ctx: &Ctx, _p: &NoParams, sink: &mut Sink) {
    let Some(ep) = ctx.inv.endpoints.get(ctx.asset.id.as_str()) else {
        sink.error("endpoint not in the inventory", ctx.asset.home.clone());
        return;
    };
    let Some(path) = &ep.value.server_certificate else {
        sink.not_applicable("the endpoint declares no server_certificate");
        return;
    };
    let certs = ctx.inv.certificates_in(path.trim_start_matches("./"));
    let Some((_, c)) = certs.first() else {
        sink.error(
            format!("server_certificate `{path}` holds no certificate that could be read"),
            ep.at("server_certificate"),
        );
        return;
    };
    let host = &ep.value.host;
    match host_matches(&c.cert, host) {
        Ok(why) => {
            sink.pass(
                format!("{} is valid for `{host}`: {why}", c.cert.label()),
                c.location(),
            )
            .related(ep.at("host"));
        }
        Err(why) => {
            sink.fail(
                format!("{} is not valid for `{host}`: {why}", c.cert.label()),
                c.location(),
            )
            .related(ep.at("host"));
        }
    }
}

// ------------------------------------------------------------------ probes

/// A probe's accepted versions and suites, mapped to icvsec-tls terms.
pub struct ProbeView {
    /// Accepted versions with the index of their `protocols` entry.
    pub versions: Vec<(Version, usize)>,
    /// Accepted suites (first place seen: protocol index, suite index).
    pub suites: Vec<(&'static CipherSuite, usize, usize)>,
    /// Accepted code points icvsec-tls does not know: (code, name, protocol, suite index).
    pub unknown_suites: Vec<(u16, Option<String>, usize, usize)>,
    /// Groups the server used (TLS 1.3 key shares and TLS <= 1.2 ECDHE curves).
    pub groups: Vec<String>,
    /// Versions whose acceptance could not be determined.
    pub undetermined: Vec<(Version, usize, String)>,
}

pub fn probe_view(r: &ProbeResult) -> ProbeView {
    let mut v = ProbeView {
        versions: vec![],
        suites: vec![],
        unknown_suites: vec![],
        groups: vec![],
        undetermined: vec![],
    };
    for (pi, p) in r.protocols.iter().enumerate() {
        match p.status {
            ProtocolStatus::Accepted => v.versions.push((p.version, pi)),
            ProtocolStatus::Unknown => v.undetermined.push((
                p.version,
                pi,
                p.reason.clone().unwrap_or_else(|| "not determined".into()),
            )),
            ProtocolStatus::Rejected => continue,
        }
        for (si, s) in p.cipher_suites.iter().enumerate() {
            match suites::by_code(s.code) {
                Some(c) => {
                    if !v.suites.iter().any(|(x, _, _)| x.code == c.code) {
                        v.suites.push((c, pi, si));
                    }
                }
                None => {
                    if !v.unknown_suites.iter().any(|x| x.0 == s.code) {
                        v.unknown_suites.push((s.code, s.name.clone(), pi, si));
                    }
                }
            }
        }
    }
    let mut groups: Vec<String> = r
        .groups
        .tls13
        .iter()
        .chain(&r.groups.ecdhe)
        .map(|g| {
            g.name
                .clone()
                .unwrap_or_else(|| format!("0x{:04x}", g.code))
        })
        .collect();
    groups.sort();
    groups.dedup();
    v.groups = groups;
    v
}

/// One judged statement about a probe: outcome, message, key path in the probe JSON.
#[derive(Debug, Clone)]
pub struct ProbeJudgement {
    pub outcome: Outcome,
    pub message: String,
    pub key: String,
}

/// Judge a probe's versions, suites and groups: failures for weaknesses in `fail_on`,
/// errors for what cannot be judged (unknown suites, undetermined versions, an incomplete
/// probe without a failure), else one pass.
pub fn judge_probe_policy(r: &ProbeResult, p: &CheckParams) -> Vec<ProbeJudgement> {
    let view = probe_view(r);
    let wants_suites = p.fail_on.iter().any(|c| is_suite_code(*c));
    let wants_groups = p.fail_on.iter().any(|c| is_group_code(*c));
    let mut out = Vec::new();
    let vs: Vec<Version> = view.versions.iter().map(|(v, _)| *v).collect();
    let ss: Vec<CipherSuite> = view.suites.iter().map(|(c, _, _)| (*c).clone()).collect();
    let groups = if wants_groups {
        view.groups.clone()
    } else {
        vec![]
    };
    let mut params = p.policy.clone();
    params.prefer_tls13 = false;
    let ws = if vs.is_empty() {
        vec![]
    } else {
        policy::assess(
            &vs,
            &ss,
            &groups,
            &AssessContext {
                params,
                dh: Default::default(),
            },
        )
    };
    for w in ws
        .iter()
        .filter(|w| p.fail_on.contains(&w.code) && w.code != WeaknessCode::NoCipherMatch)
    {
        // TLCP suites are judged by GB/T 38636, not by the FS/AEAD preference (as ICV-TLS-003
        // leaves TLCP profiles to ICV-TLS-004).
        if matches!(
            w.code,
            WeaknessCode::NoForwardSecrecy | WeaknessCode::NotAead
        ) && view
            .suites
            .iter()
            .any(|(c, _, _)| c.display_name() == w.item && c.family == suites::ProtocolFamily::Tlcp)
        {
            continue;
        }
        if w.code == WeaknessCode::UnknownGroup {
            out.push(ProbeJudgement {
                outcome: Outcome::Error,
                message: format!("server used group `{}`, unknown to icvsec", w.item),
                key: "groups".into(),
            });
            continue;
        }
        let key = if let Some((_, pi)) = view.versions.iter().find(|(v, _)| v.name() == w.item) {
            format!("protocols[{pi}]")
        } else if let Some((c, pi, si)) = view
            .suites
            .iter()
            .find(|(c, _, _)| c.display_name() == w.item)
        {
            let _ = c;
            format!("protocols[{pi}].cipher_suites[{si}]")
        } else {
            "groups".into()
        };
        let shown = view
            .suites
            .iter()
            .find(|(c, _, _)| c.display_name() == w.item)
            .map(|(c, _, _)| format!("{} (0x{:04X})", c.iana_name, c.code))
            .unwrap_or_else(|| w.item.clone());
        let accepted_in = |code: u16| -> String {
            r.protocols
                .iter()
                .filter(|pr| {
                    pr.status == ProtocolStatus::Accepted
                        && pr.cipher_suites.iter().any(|s| s.code == code)
                })
                .map(|pr| pr.version.label())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let extra = view
            .suites
            .iter()
            .find(|(c, _, _)| c.display_name() == w.item)
            .map(|(c, _, _)| format!(" (accepted with {})", accepted_in(c.code)))
            .unwrap_or_else(|| {
                if w.code == WeaknessCode::ProtocolBelowMin {
                    " (the server accepted it)".into()
                } else {
                    String::new()
                }
            });
        out.push(ProbeJudgement {
            outcome: Outcome::Fail,
            message: format!("{} `{shown}`: {}{extra}", w.code.as_str(), w.message),
            key,
        });
    }
    let failed = out.iter().any(|j| j.outcome == Outcome::Fail);
    if wants_suites {
        for (code, name, pi, si) in &view.unknown_suites {
            out.push(ProbeJudgement {
                outcome: Outcome::Error,
                message: format!(
                    "accepted suite 0x{code:04X}{} is unknown to icvsec: cannot assess it",
                    name.as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
                key: format!("protocols[{pi}].cipher_suites[{si}]"),
            });
        }
    }
    if !failed {
        let protocol_only = p.fail_on.iter().all(|c| {
            matches!(
                c,
                WeaknessCode::ProtocolBelowMin | WeaknessCode::TlcpNotAllowed
            )
        });
        if protocol_only {
            for (v, pi, why) in &view.undetermined {
                let rank = v.tls_rank();
                let min = p.policy.min_version.tls_rank();
                if matches!((rank, min), (Some(r), Some(m)) if r < m) {
                    out.push(ProbeJudgement {
                        outcome: Outcome::Error,
                        message: format!(
                            "could not determine whether {} is accepted: {why}",
                            v.label()
                        ),
                        key: format!("protocols[{pi}]"),
                    });
                }
            }
        } else if !r.complete {
            let mut errs: Vec<String> = r
                .errors
                .iter()
                .take(3)
                .map(|e| format!("{}: {}", e.stage, e.message))
                .collect();
            if r.errors.len() > 3 {
                errs.push(format!("and {} more", r.errors.len() - 3));
            }
            out.push(ProbeJudgement {
                outcome: Outcome::Error,
                message: format!(
                    "the probe is incomplete, so the absence of [{}] is not established: {}",
                    codes(&p.fail_on),
                    if errs.is_empty() {
                        "(no error recorded)".into()
                    } else {
                        errs.join("; ")
                    }
                ),
                key: "complete".into(),
            });
        }
        if vs.is_empty() && !out.iter().any(|j| j.outcome == Outcome::Error) {
            out.push(ProbeJudgement {
                outcome: Outcome::Error,
                message: "the probe found no accepted protocol version: nothing to assess".into(),
                key: "protocols".into(),
            });
        }
    }
    if out.is_empty() {
        out.push(ProbeJudgement {
            outcome: Outcome::Pass,
            message: format!(
                "accepted [{}] with {} suite(s){}: none of [{}]",
                view.versions
                    .iter()
                    .map(|(v, _)| v.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                view.suites.len(),
                if wants_groups {
                    format!(", groups [{}]", view.groups.join(", "))
                } else {
                    String::new()
                },
                codes(&p.fail_on)
            ),
            key: String::new(),
        });
    }
    out
}

fn probe<'a>(ctx: &'a Ctx, sink: &mut Sink) -> Option<&'a ProbeAsset> {
    let p = ctx.inv.probes.get(ctx.asset.id.as_str());
    if p.is_none() {
        sink.error("saved probe not in the inventory", ctx.asset.home.clone());
    }
    p
}

fn probe_policy(ctx: &Ctx, p: &CheckParams, sink: &mut Sink) {
    let Some(pa) = probe(ctx, sink) else { return };
    for j in judge_probe_policy(&pa.result, p) {
        let loc = if j.key.is_empty() {
            pa.location()
        } else {
            Location::at_key(&pa.file, &j.key)
        };
        let msg = format!("{}: {}", pa.result.target, j.message);
        match j.outcome {
            Outcome::Fail => sink.fail(msg, loc),
            Outcome::Error => sink.error(msg, loc),
            _ => sink.pass(msg, loc),
        };
    }
}

fn probe_client_auth(ctx: &Ctx, _p: &NoParams, sink: &mut Sink) {
    let Some(pa) = probe(ctx, sink) else { return };
    let ep = pa.endpoint.as_ref().and_then(|e| ctx.inv.endpoints.get(e));
    if let Some(e) = ep
        && e.value.owner == Owner::ThirdParty
    {
        sink.not_applicable(format!(
            "`{}` is the third-party endpoint `{}`",
            pa.result.target, e.value.id
        ));
        return;
    }
    let what = match ep {
        Some(e) => format!("OEM endpoint `{}` ({})", e.value.id, pa.result.target),
        None => format!("probed backend {}", pa.result.target),
    };
    let ca = &pa.result.client_auth;
    let loc = Location::at_key(&pa.file, "client_auth.requested");
    match ca.requested {
        Some(true) => {
            sink.pass(
                format!(
                    "{what} requests a client certificate (in {})",
                    ca.requested_in
                        .iter()
                        .map(|v| v.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                loc,
            );
        }
        Some(false) => {
            sink.fail(
                format!(
                    "{what} does not request a client certificate (handshakes observed in {}): the vehicle is not authenticated by the backend",
                    ca.checked_in
                        .iter()
                        .map(|v| v.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                loc,
            );
        }
        None => {
            sink.error(
                format!("{what}: the probe never saw a handshake far enough to tell whether a client certificate is requested"),
                loc,
            );
        }
    }
}

// ------------------------------------------------------------------ the probe command

/// One finding of `icvsec probe tls`.
#[derive(Debug, Clone)]
pub struct ProbeFinding {
    /// What was judged: `protocol`, `weak_suites`, `forward_secrecy_aead`, `groups`,
    /// `certificate`, `hostname`.
    pub check: &'static str,
    pub severity: Severity,
    pub outcome: Outcome,
    pub message: String,
}

/// Judge a live probe with the policy of the declared-profile and saved-probe rules: the
/// protocol minimum (TLS 1.2), weak suites, forward secrecy and AEAD, groups, the presented
/// chain (validity at `as_of`, key sizes, curves, signature hashes) and whether the leaf
/// names the host (`host`: the SNI, else the target host).
pub fn judge_probe(r: &ProbeResult, host: &str, as_of: i64) -> Vec<ProbeFinding> {
    use WeaknessCode::*;
    let mut out = Vec::new();
    let sets: [(&'static str, Severity, Vec<WeaknessCode>); 4] = [
        ("protocol", Severity::High, vec![ProtocolBelowMin]),
        (
            "weak_suites",
            Severity::High,
            vec![
                NullCipher,
                Anonymous,
                Export,
                Rc4,
                Des,
                TripleDes,
                Md5Mac,
                WeakCipherBits,
            ],
        ),
        (
            "forward_secrecy_aead",
            Severity::Medium,
            vec![NoForwardSecrecy, NotAead],
        ),
        (
            "groups",
            Severity::Medium,
            vec![WeakDhGroup, WeakEccGroup, UnknownGroup],
        ),
    ];
    for (check, severity, fail_on) in sets {
        let params = CheckParams {
            policy: PolicyParams::default(),
            fail_on,
            openssl_flavor: Default::default(),
        };
        for j in judge_probe_policy(r, &params) {
            out.push(ProbeFinding {
                check,
                severity,
                outcome: j.outcome,
                message: j.message,
            });
        }
    }
    let chain: Vec<(usize, Result<Certificate, String>)> = r
        .certificate_chain
        .iter()
        .enumerate()
        .map(|(i, pem)| {
            let c = icvsec_pki::parse_certificates(pem.as_bytes())
                .map_err(|e| e.to_string())
                .and_then(|mut v| {
                    if v.len() == 1 {
                        Ok(v.remove(0))
                    } else {
                        Err(format!("{} certificates in one entry", v.len()))
                    }
                });
            (i, c)
        })
        .collect();
    if chain.is_empty() {
        out.push(ProbeFinding {
            check: "certificate",
            severity: Severity::High,
            outcome: Outcome::Error,
            message: "no certificate chain was obtained: the certificates cannot be judged".into(),
        });
    }
    for (i, c) in &chain {
        match c {
            Err(e) => out.push(ProbeFinding {
                check: "certificate",
                severity: Severity::High,
                outcome: Outcome::Error,
                message: format!("chain[{i}]: cannot parse: {e}"),
            }),
            Ok(cert) => {
                for l in certificate_lints(cert, as_of, *i == 0) {
                    let failed = !l.passed && !l.warning;
                    out.push(ProbeFinding {
                        check: "certificate",
                        severity: if l.warning {
                            Severity::Low
                        } else {
                            Severity::High
                        },
                        outcome: if failed { Outcome::Fail } else { Outcome::Pass },
                        message: format!(
                            "chain[{i}] {}: {}{}",
                            cert.label(),
                            l.message,
                            if l.warning { " (warning)" } else { "" }
                        ),
                    });
                }
            }
        }
    }
    if let Some((_, Ok(leaf))) = chain.first() {
        let (ok, why) = match host_matches(leaf, host) {
            Ok(w) => (true, w),
            Err(w) => (false, w),
        };
        out.push(ProbeFinding {
            check: "hostname",
            severity: Severity::High,
            outcome: if ok { Outcome::Pass } else { Outcome::Fail },
            message: format!("leaf {} for `{host}`: {why}", leaf.label()),
        });
    }
    out
}

/// One line per presented certificate: subject, issuer, key, validity (or why it could not
/// be parsed).
pub fn describe_chain(r: &ProbeResult) -> Vec<String> {
    r.certificate_chain
        .iter()
        .enumerate()
        .map(
            |(i, pem)| match icvsec_pki::parse_certificates(pem.as_bytes()) {
                Ok(v) if v.len() == 1 => {
                    let c = &v[0];
                    let fmt = |t: i64| time_label(t);
                    format!(
                        "[{i}] {} (issuer {}; SAN DNS [{}]{}; valid {} .. {})",
                        c.subject,
                        c.issuer,
                        c.san_dns.join(", "),
                        if c.san_ip.is_empty() {
                            String::new()
                        } else {
                            format!(", SAN IP [{}]", c.san_ip.join(", "))
                        },
                        fmt(c.not_before),
                        fmt(c.not_after)
                    )
                }
                Ok(v) => format!("[{i}] {} certificates in one entry", v.len()),
                Err(e) => format!("[{i}] cannot parse: {e}"),
            },
        )
        .collect()
}

/// `YYYY-MM-DD` of a Unix time (UTC), civil-from-days.
fn time_label(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::time_label(0), "1970-01-01");
        assert_eq!(super::time_label(1_780_272_000), "2026-06-01");
        assert_eq!(super::time_label(951_782_400), "2000-02-29");
    }

    use super::*;

    fn fixture(name: &str) -> ProbeResult {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/tls-gen/probes")
            .join(name);
        ProbeResult::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
    }

    fn params(fail_on: Vec<WeaknessCode>) -> CheckParams {
        CheckParams {
            fail_on,
            ..Default::default()
        }
    }

    #[test]
    fn probe_policy_on_captured_probes() {
        use WeaknessCode::*;
        let weak = fixture("weak.probe.json");
        let j = judge_probe_policy(&weak, &params(vec![ProtocolBelowMin]));
        let fails: Vec<&str> = j
            .iter()
            .filter(|x| x.outcome == Outcome::Fail)
            .map(|x| x.message.as_str())
            .collect();
        assert_eq!(fails.len(), 2, "{fails:?}");
        assert!(fails[0].starts_with("protocol_below_min `TLSv1`"));
        assert!(j.iter().all(|x| x.key.starts_with("protocols[")));
        let j = judge_probe_policy(&weak, &params(vec![Anonymous]));
        assert!(j.iter().any(|x| {
            x.outcome == Outcome::Fail
                && x.message
                    .contains("TLS_ECDH_anon_WITH_AES_128_CBC_SHA (0xC018)")
        }));
        let strong = fixture("strong.probe.json");
        for codes in [vec![ProtocolBelowMin], vec![NoForwardSecrecy, NotAead]] {
            let j = judge_probe_policy(&strong, &params(codes));
            assert_eq!(j.len(), 1);
            assert_eq!(j[0].outcome, Outcome::Pass, "{}", j[0].message);
        }
        // The same probe, incomplete: no pass without a failure.
        let mut partial = strong.clone();
        partial.complete = false;
        let j = judge_probe_policy(&partial, &params(vec![NoForwardSecrecy]));
        assert_eq!(j.len(), 1);
        assert_eq!(j[0].outcome, Outcome::Error);
        // The whole command's judgement: host name against SAN DNS and SAN IP.
        let f = judge_probe(&strong, "tsp.example.com", 1_780_272_000);
        assert!(
            f.iter()
                .any(|x| x.check == "hostname" && x.outcome == Outcome::Pass)
        );
        let f = judge_probe(&strong, "127.0.0.1", 1_780_272_000);
        assert!(
            f.iter()
                .any(|x| x.check == "hostname" && x.outcome == Outcome::Pass)
        );
        let f = judge_probe(&strong, "127.0.0.2", 1_780_272_000);
        assert!(
            f.iter()
                .any(|x| x.check == "hostname" && x.outcome == Outcome::Fail)
        );
    }

    #[test]
    fn wildcards_follow_rfc6125() {
        assert!(dns_match("*.example.com", "a.example.com"));
        assert!(!dns_match("*.example.com", "example.com"));
        assert!(!dns_match("*.example.com", "a.b.example.com"));
        assert!(!dns_match("*.com", "example.com"));
        assert!(!dns_match("a*.example.com", "ab.example.com"));
        assert!(!dns_match("*.example.com", "xn--bcher-kva.example.com"));
        assert!(dns_match("tsp.example.com", "tsp.example.com"));
    }

    #[test]
    fn params_refuse_unknown_keys() {
        let ok: Result<TlsParams, _> = serde_json::from_value(
            serde_json::json!({"fail_on": ["rc4"], "min_version": "TLSv1.2"}),
        );
        assert!(ok.is_ok());
        let bad: Result<TlsParams, _> =
            serde_json::from_value(serde_json::json!({"fail_onn": ["rc4"]}));
        assert!(bad.unwrap_err().to_string().contains("fail_onn"));
    }
}
