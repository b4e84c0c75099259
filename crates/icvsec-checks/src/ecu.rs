//! Declared ECU posture that needs more than a field condition: signature algorithms,
//! UDS service protection, Bluetooth pairing per profile, listening services, SecOC.
//! Simple yes/no settings are condition rules in `rules/` (terminal, connection, application and assurance files).

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_model::input::ecu::EcuConfig;
use icvsec_model::input::{Freshness, ServiceAuth, chosen};
use icvsec_model::{AssetKind, Location};
use serde::Deserialize;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "ecu.signature_algorithm",
            AssetKind::Ecu,
            "The secure-boot or update signature algorithm is strong (no MD5/SHA-1, RSA ≥ min bits, allowed curves).",
            signature_algorithm,
        ),
        CheckDef::new(
            "ecu.uds_service_protection",
            AssetKind::Ecu,
            "Sensitive UDS services are protected by the accepted mechanisms and not reachable in forbidden sessions.",
            uds_service_protection,
        ),
        CheckDef::new(
            "ecu.bluetooth_pairing",
            AssetKind::Ecu,
            "Bluetooth pairing is secure; privileged profiles never accept Just Works or legacy PIN pairing.",
            bluetooth_pairing,
        ),
        CheckDef::new(
            "ecu.listening_services",
            AssetKind::Ecu,
            "Every listening service has a purpose and authentication; no development or cleartext services.",
            listening_services,
        ),
        CheckDef::new(
            "ecu.secoc",
            AssetKind::Ecu,
            "Safety-relevant messages carry SecOC with an allowed MAC, enough MAC bits and freshness.",
            secoc,
        ),
        CheckDef::new(
            "ecu.role_profile",
            AssetKind::Ecu,
            "The ECU declares every section and field its role profile requires (rules/profiles/roles.toml).",
            role_profile,
        ),
    ]
}

// ---------------------------------------------------------------- role profile

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// Every path the ECU's role (and its functions) requires is declared: silence about a
/// section the role implies is a failure at the place where it should be.
fn role_profile(ctx: &Ctx, _: &NoParams, sink: &mut Sink) {
    let (Some(role), Some(fields)) = (ctx.asset.role, ctx.asset.fields) else {
        sink.error("the ECU has no role or no fields", ctx.asset.home.clone());
        return;
    };
    let required = ctx.profiles.required(role, fields);
    if required.is_empty() {
        sink.not_applicable(format!(
            "no role profile requires anything of role {}",
            role.as_str()
        ));
        return;
    }
    let at = |path: &str| match &ctx.asset.home.key_path {
        Some(k) if !k.is_empty() => ctx.asset.home.clone(),
        _ => Location::at_key(&ctx.asset.home.file, path),
    };
    let mut missing = 0;
    for r in &required {
        let absent =
            icvsec_model::condition::lookup(fields, &r.path).is_none_or(serde_json::Value::is_null);
        // A missing section is one finding, not one more per field it should hold.
        let parent_missing = r.path.rsplit_once('.').is_some_and(|(parent, _)| {
            required.iter().any(|q| q.path == parent)
                && icvsec_model::condition::lookup(fields, parent)
                    .is_none_or(serde_json::Value::is_null)
        });
        if absent && !parent_missing {
            missing += 1;
            sink.fail(
                format!(
                    "`{}` is not declared (required for {} by {})",
                    r.path, r.because, ctx.profiles.file
                ),
                at(&r.path),
            )
            // The same key as the engine's not-declared gate: one headline per missing
            // section however many rules read it.
            .fact(icvsec_model::report::root_cause_key(
                icvsec_model::AssetKind::Ecu,
                &ctx.asset.id,
                &format!("not-declared:{}", r.path),
            ));
        }
    }
    if missing == 0 {
        sink.pass(
            format!(
                "declares all {} paths its role profile requires ({})",
                required.len(),
                required
                    .iter()
                    .map(|r| r.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ctx.asset.home.clone(),
        );
    }
}

/// The ECU's parsed config, or a failure pointing at the file that should exist.
fn config<'a>(ctx: &'a Ctx, sink: &mut Sink) -> Option<(&'a EcuConfig, &'a str)> {
    let ecu = ctx.inv.ecus.get(ctx.asset.id.as_str())?;
    match &ecu.config {
        Some(doc) => Some((&doc.doc, doc.file.as_str())),
        None => {
            sink.fail(
                format!("ECU `{}` has no security configuration file", ctx.asset.id),
                ecu.home(),
            );
            None
        }
    }
}

// ---------------------------------------------------------------- signature algorithm

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SigAlgParams {
    /// `secure_boot` or `software_update`.
    section: String,
    #[serde(default = "default_min_rsa")]
    min_rsa_bits: u32,
}

fn default_min_rsa() -> u32 {
    2048
}

/// Judge an algorithm name such as `rsa-pss-3072-sha256`, `ecdsa-p256-sha256`, `ed25519`,
/// `sm2-sm3`. Ok(description) when strong, Err(reason) when weak, None when unrecognised.
pub(crate) fn judge_signature_algorithm(
    name: &str,
    min_rsa_bits: u32,
) -> Option<Result<(), String>> {
    let lower = name.to_ascii_lowercase().replace("with", "-");
    let tokens = algorithm_tokens(&lower);
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let has = |t: &str| tokens.iter().any(|x| x.starts_with(t));
    for weak in ["md5", "md2", "sha1", "crc", "none", "sha0"] {
        if tokens
            .iter()
            .any(|x| *x == weak || (weak == "sha1" && *x == "sha"))
        {
            return Some(Err(format!("uses {weak}, which is broken for signatures")));
        }
    }
    if has("ed25519") || has("ed448") {
        return Some(Ok(()));
    }
    if has("sm2") {
        return Some(Ok(()));
    }
    let hash_ok = tokens.iter().any(|t| {
        matches!(*t, "sha224" | "sha256" | "sha384" | "sha512" | "sm3") || t.starts_with("sha3")
    });
    if has("ecdsa") || has("ec") {
        let curve_ok = tokens.iter().any(|t| {
            matches!(
                *t,
                "p256"
                    | "p384"
                    | "p521"
                    | "secp256r1"
                    | "secp384r1"
                    | "secp521r1"
                    | "prime256v1"
                    | "brainpoolp256r1"
                    | "brainpoolp384r1"
                    | "brainpoolp512r1"
            )
        }) || lower.contains("p-256")
            || lower.contains("p-384")
            || lower.contains("p-521");
        return match (curve_ok, hash_ok) {
            (true, true) => Some(Ok(())),
            (false, _) => {
                if tokens.iter().any(|t| {
                    matches!(
                        *t,
                        "p192" | "secp192r1" | "p224" | "secp224r1" | "prime192v1"
                    )
                }) {
                    Some(Err("uses a curve below 256 bits".into()))
                } else if tokens.iter().any(|t| {
                    t.starts_with("secp") && t.ends_with('k')
                        || t.starts_with("secp") && t.ends_with("k1")
                }) {
                    Some(Err(
                        "uses a Koblitz curve (secpXXXk1), which is not on the allowed curve list"
                            .into(),
                    ))
                } else {
                    None
                }
            }
            // ECDSA on a named curve without a hash: the curve's own pairing (P-256 with
            // SHA-256, ...) is what every stack uses, so judge it as that.
            (true, false) => Some(Ok(())),
        };
    }
    if has("rsa") {
        let bits = tokens
            .iter()
            .filter_map(|t| t.parse::<u32>().ok())
            .find(|b| *b >= 512);
        return match bits {
            Some(b) if b < min_rsa_bits => {
                Some(Err(format!("RSA-{b} is below {min_rsa_bits} bits")))
            }
            Some(_) if hash_ok => Some(Ok(())),
            _ => None,
        };
    }
    None
}

/// Split an algorithm name into tokens, joining the parts that spellings separate:
/// `sha-256`, `sha_256` and `sha2-256` are `sha256`, `sha3-256` is `sha3_256`, `sha-1` is
/// `sha1`, `p-256` is `p256`. Without the join, `ecdsa-p256-sha-256` read as a bare
/// `sha` (SHA-1).
fn algorithm_tokens(lower: &str) -> Vec<String> {
    let raw: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let t = raw[i];
        let next_num = raw
            .get(i + 1)
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()));
        match (t, next_num) {
            ("sha" | "sha2", Some(n)) => {
                out.push(format!("sha{n}"));
                i += 2;
            }
            ("sha3", Some(n)) => {
                out.push(format!("sha3_{n}"));
                i += 2;
            }
            ("p", Some(n)) => {
                out.push(format!("p{n}"));
                i += 2;
            }
            _ => {
                out.push(t.to_string());
                i += 1;
            }
        }
    }
    out
}

fn signature_algorithm(ctx: &Ctx, p: &SigAlgParams, sink: &mut Sink) {
    let Some((cfg, file)) = config(ctx, sink) else {
        return;
    };
    let (present, alg) = match p.section.as_str() {
        "secure_boot" => (
            cfg.secure_boot.is_some(),
            cfg.secure_boot
                .as_ref()
                .and_then(|s| s.signature_algorithm.clone()),
        ),
        "software_update" => (
            cfg.software_update.is_some(),
            cfg.software_update
                .as_ref()
                .and_then(|s| s.signature_algorithm.clone()),
        ),
        other => {
            sink.error(
                format!("unknown section `{other}` in rule parameters"),
                Location::file(file),
            );
            return;
        }
    };
    let key = format!("{}.signature_algorithm", p.section);
    let loc = Location::at_key(file, &key);
    match alg {
        None if !present => {
            sink.fail(
                format!(
                    "`{}` is not declared, so its signature algorithm is unknown",
                    p.section
                ),
                loc,
            );
        }
        None => {
            sink.fail(format!("`{key}` is not set"), loc);
        }
        Some(a) => match judge_signature_algorithm(&a, p.min_rsa_bits) {
            Some(Ok(())) => {
                sink.pass(format!("`{key}` is `{a}`"), loc);
            }
            Some(Err(why)) => {
                sink.fail(format!("`{key}` is `{a}`: {why}"), loc);
            }
            None => {
                sink.error(
                    format!("cannot judge `{key}` = `{a}`: name the family, key size or curve, and hash (e.g. `rsa-pss-3072-sha256`, `ecdsa-p256-sha256`, `ed25519`, `sm2-sm3`)"),
                    loc,
                );
            }
        },
    }
}

// ---------------------------------------------------------------- UDS

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UdsParams {
    /// Service ids (hex) the rule is about.
    services: Vec<String>,
    /// Protections that satisfy the rule (`security_access`, `authentication`).
    accepted: Vec<String>,
    /// Sessions in which these services must not be reachable.
    #[serde(default)]
    forbidden_sessions: Vec<String>,
}

fn parse_sid(s: &str) -> Option<u8> {
    let t = s.trim().trim_start_matches("0x").trim_start_matches("0X");
    u8::from_str_radix(t, 16).ok()
}

fn uds_service_protection(ctx: &Ctx, p: &UdsParams, sink: &mut Sink) {
    let Some((cfg, file)) = config(ctx, sink) else {
        return;
    };
    let wanted: Vec<u8> = p.services.iter().filter_map(|s| parse_sid(s)).collect();
    let Some(diag) = &cfg.diagnostics else {
        sink.not_applicable("the ECU declares no diagnostic services");
        return;
    };
    let mut any = false;
    for (i, s) in diag.services.iter().enumerate() {
        let key = format!("diagnostics.services[{i}]");
        let Some(sid) = parse_sid(&s.sid) else {
            sink.error(
                format!("service id `{}` is not a hex byte", s.sid),
                Location::at_key(file, format!("{key}.sid")),
            );
            continue;
        };
        if !wanted.contains(&sid) {
            continue;
        }
        any = true;
        let name = s.name.clone().unwrap_or_else(|| format!("0x{sid:02X}"));
        if !p.accepted.iter().any(|a| a == s.protection.as_str()) {
            sink.fail(
                format!(
                    "UDS service 0x{sid:02X} ({name}) is protected by `{}`; required: {}",
                    s.protection,
                    p.accepted.join(" or ")
                ),
                Location::at_key(file, format!("{key}.protection")),
            );
            continue;
        }
        let bad: Vec<&String> = s
            .sessions
            .iter()
            .filter(|x| p.forbidden_sessions.contains(x))
            .collect();
        if !bad.is_empty() {
            sink.fail(
                format!(
                    "UDS service 0x{sid:02X} ({name}) is reachable in the {} session",
                    bad.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Location::at_key(file, format!("{key}.sessions")),
            );
            continue;
        }
        sink.pass(
            format!(
                "UDS service 0x{sid:02X} ({name}) requires `{}`",
                s.protection
            ),
            Location::at_key(file, &key),
        );
    }
    if !any {
        sink.not_applicable("none of the services this rule covers is offered");
    }
}

// ---------------------------------------------------------------- Bluetooth

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BtParams {
    /// Pairing modes refused for privileged profiles.
    refused_for_privileged: Vec<String>,
    /// Pairing modes refused for any profile.
    refused: Vec<String>,
}

fn bluetooth_pairing(ctx: &Ctx, p: &BtParams, sink: &mut Sink) {
    let Some((cfg, file)) = config(ctx, sink) else {
        return;
    };
    let Some(bt) = cfg
        .interfaces
        .as_ref()
        .and_then(|i| i.bluetooth.as_ref())
        .filter(|b| b.enabled)
    else {
        sink.not_applicable("Bluetooth is not enabled on this ECU");
        return;
    };
    let base = "interfaces.bluetooth";
    let Some(adapter) = &bt.pairing else {
        sink.fail(
            "Bluetooth is enabled but `pairing` is not declared",
            Location::at_key(file, base),
        );
        return;
    };
    if p.refused.iter().any(|r| r == adapter.as_str()) {
        sink.fail(
            format!("Bluetooth pairing mode is `{adapter}`"),
            Location::at_key(file, format!("{base}.pairing")),
        );
        return;
    }
    let mut failed = false;
    for (i, prof) in bt.profiles.iter().enumerate() {
        let mode = prof.pairing.as_ref().unwrap_or(adapter);
        if prof.privileged && p.refused_for_privileged.iter().any(|r| r == mode.as_str()) {
            failed = true;
            sink.fail(
                format!(
                    "privileged Bluetooth profile `{}` accepts `{mode}` pairing",
                    prof.name
                ),
                Location::at_key(file, format!("{base}.profiles[{i}]")),
            );
        }
    }
    if !failed {
        sink.pass(
            format!(
                "Bluetooth pairing is `{adapter}`; no privileged profile accepts a refused mode"
            ),
            Location::at_key(file, format!("{base}.pairing")),
        );
    }
}

// ---------------------------------------------------------------- services

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceParams {
    /// Service names or ports that are never acceptable in production (telnet, ...).
    insecure_names: Vec<String>,
    insecure_ports: Vec<u16>,
}

fn is_loopback(bind: Option<&str>) -> bool {
    matches!(bind, Some("127.0.0.1" | "::1" | "localhost" | "lo"))
}

fn listening_services(ctx: &Ctx, p: &ServiceParams, sink: &mut Sink) {
    let Some((cfg, file)) = config(ctx, sink) else {
        return;
    };
    if cfg.services.is_empty() {
        sink.not_applicable("the ECU declares no listening services");
        return;
    }
    let production = ctx.inv.is_production();
    for (i, s) in cfg.services.iter().enumerate() {
        let loc = Location::at_key(file, format!("services[{i}]"));
        let label = format!("service `{}` ({}/{})", s.name, s.protocol, s.port);
        let mut problems = Vec::new();
        if production && s.debug_only == Some(true) {
            problems.push("is a development-only service in a production build".to_string());
        }
        if p.insecure_names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&s.name))
            || p.insecure_ports.contains(&s.port)
        {
            problems.push("is a cleartext or debug service".to_string());
        }
        if s.purpose.as_deref().is_none_or(|x| x.trim().is_empty()) {
            problems
                .push("has no declared purpose (superfluous services must be removed)".to_string());
        }
        let auth = chosen(s.authentication);
        if !is_loopback(s.bind.as_deref())
            && matches!(s.authentication, None | Some(ServiceAuth::None))
        {
            problems.push(format!(
                "accepts connections on `{}` without authentication",
                s.bind.as_deref().unwrap_or("all interfaces")
            ));
        }
        if problems.is_empty() {
            sink.pass(
                format!(
                    "{label} has a purpose and `{}` authentication",
                    auth.unwrap_or("loopback-only")
                ),
                loc,
            );
        } else {
            sink.fail(format!("{label} {}", problems.join("; ")), loc);
        }
    }
}

// ---------------------------------------------------------------- SecOC

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecocParams {
    min_mac_bits: u32,
    min_freshness_bits: u32,
    #[serde(default = "profile3_truncated_bits")]
    min_truncated_freshness_bits: u32,
    #[serde(default = "profile3_full_bits")]
    min_full_freshness_bits: u32,
    algorithms: Vec<String>,
}

/// AUTOSAR SecOC profile 3: 4 transmitted bits of a 64-bit freshness value.
pub(crate) fn profile3_truncated_bits() -> u32 {
    4
}

pub(crate) fn profile3_full_bits() -> u32 {
    64
}

impl SecocParams {
    /// The freshness minima, shared with ICV-NET-011 (ARXML): see
    /// [`icvsec_vnet::analysis::FreshnessPolicy`].
    fn policy(&self) -> icvsec_vnet::analysis::FreshnessPolicy {
        icvsec_vnet::analysis::FreshnessPolicy {
            min_transmitted_bits: self.min_freshness_bits,
            min_truncated_bits: self.min_truncated_freshness_bits,
            min_full_bits: self.min_full_freshness_bits,
        }
    }
}

fn secoc(ctx: &Ctx, p: &SecocParams, sink: &mut Sink) {
    let Some((cfg, file)) = config(ctx, sink) else {
        return;
    };
    let relevant: Vec<_> = cfg
        .secoc
        .iter()
        .enumerate()
        .filter(|(_, m)| m.safety_relevant)
        .collect();
    if relevant.is_empty() {
        sink.not_applicable("the ECU declares no safety-relevant messages");
        return;
    }
    for (i, m) in relevant {
        let key = format!("secoc[{i}]");
        let name = match &m.id {
            Some(id) => format!("`{}` ({id})", m.message),
            None => format!("`{}`", m.message),
        };
        if !m.authenticated {
            sink.fail(
                format!("safety-relevant message {name} is not authenticated (no SecOC)"),
                Location::at_key(file, format!("{key}.authenticated")),
            );
            continue;
        }
        let mut problems = Vec::new();
        match &m.algorithm {
            Some(a) if p.algorithms.iter().any(|x| x.eq_ignore_ascii_case(a)) => {}
            Some(a) => problems.push(format!(
                "MAC algorithm `{a}` is not one of {}",
                p.algorithms.join(", ")
            )),
            None => problems.push("MAC algorithm not declared".into()),
        }
        match m.mac_bits {
            Some(b) if b >= p.min_mac_bits => {}
            Some(b) => problems.push(format!(
                "MAC truncated to {b} bits (minimum {})",
                p.min_mac_bits
            )),
            None => problems.push("MAC length not declared".into()),
        }
        match m.freshness {
            Some(Freshness::Counter | Freshness::Timestamp) => match m.freshness_bits {
                Some(b) => {
                    if let Some(short) = p.policy().shortfall(b, m.freshness_value_bits) {
                        problems.push(short);
                    }
                }
                None => problems.push("freshness length not declared".into()),
            },
            Some(other) => {
                problems.push(format!("freshness `{other}`: the message can be replayed"))
            }
            None => problems.push("no freshness value: the message can be replayed".into()),
        }
        if problems.is_empty() {
            sink.pass(
                format!(
                    "message {name}: {} with {}-bit MAC and {}-bit {} freshness",
                    m.algorithm.as_deref().unwrap_or("?"),
                    m.mac_bits.unwrap_or(0),
                    m.freshness_bits.unwrap_or(0),
                    chosen(m.freshness).unwrap_or("?")
                ),
                Location::at_key(file, &key),
            );
        } else {
            sink.fail(
                format!("message {name}: {}", problems.join("; ")),
                Location::at_key(file, &key),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::judge_signature_algorithm as j;

    #[test]
    fn signature_algorithms() {
        assert_eq!(j("rsa-pss-3072-sha256", 2048), Some(Ok(())));
        assert_eq!(j("ECDSA-P256-SHA256", 2048), Some(Ok(())));
        assert_eq!(j("ed25519", 2048), Some(Ok(())));
        assert_eq!(j("sm2-sm3", 2048), Some(Ok(())));
        assert!(matches!(j("rsa-1024-sha256", 2048), Some(Err(_))));
        assert!(matches!(j("rsa-2048-sha1", 2048), Some(Err(_))));
        assert!(matches!(j("md5", 2048), Some(Err(_))));
        assert_eq!(j("vendor-magic", 2048), None);
        assert_eq!(j("rsa-sha256", 2048), None);
    }

    #[test]
    fn separated_hash_spellings_are_read_as_written() {
        // Audit finding: `sha-256` was read as a bare `sha` (SHA-1).
        assert_eq!(j("ecdsa-p256-sha-256", 2048), Some(Ok(())));
        assert_eq!(j("ECDSA_P-384_SHA_384", 2048), Some(Ok(())));
        assert_eq!(j("rsa-pss-3072-sha2-256", 2048), Some(Ok(())));
        assert_eq!(j("ecdsa-p256-sha3-256", 2048), Some(Ok(())));
        assert!(matches!(j("rsa-2048-sha-1", 2048), Some(Err(_))));
        assert!(matches!(j("rsa-2048-sha", 2048), Some(Err(_))));
        assert!(matches!(j("sha1WithRSAEncryption", 2048), Some(Err(_))));
        // The audit's other two cases: a named curve alone, and a Koblitz curve.
        assert_eq!(j("ecdsa-p256", 2048), Some(Ok(())));
        assert!(matches!(j("ecdsa-secp256k1-sha256", 2048), Some(Err(_))));
    }
}
