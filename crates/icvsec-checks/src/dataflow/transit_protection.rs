//! `data.transit_protection`: a flow across the vehicle boundary travels over an endpoint
//! whose TLS profile and server certificate pass the TLS and PKI policy.

use super::prologue::*;
use icvsec_inputs::{CertAsset, CertUse};
use icvsec_model::graph::{EndpointLinks, TlsProfileNode};

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.transit_protection",
        AssetKind::DataFlow,
        "A flow into or out of the vehicle travels over an endpoint whose TLS profile and server certificate pass the TLS and PKI policy.",
        transit_protection,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitParams {
    /// TLS thresholds (icvsec-tls policy; every field has a default).
    #[serde(default)]
    policy: icvsec_tls::policy::PolicyParams,
    /// Weaknesses at or above this severity fail the flow.
    #[serde(default = "default_fail_at")]
    fail_at: icvsec_tls::policy::Severity,
    /// Item categories that make the rule apply (empty: every flow leaving the vehicle).
    #[serde(default)]
    categories: Vec<DataCategory>,
}

fn default_fail_at() -> icvsec_tls::policy::Severity {
    icvsec_tls::policy::Severity::Medium
}

/// Judge a declared TLS profile (its versions and suites as parsed at load) with the
/// icvsec-tls policy. Returns (problems, unknowns).
pub fn judge_profile(
    prof: &icvsec_model::input::TlsProfile,
    typed: &TlsProfileNode,
    policy: &icvsec_tls::policy::PolicyParams,
    fail_at: icvsec_tls::policy::Severity,
) -> (Vec<String>, Vec<String>) {
    use icvsec_tls::policy;
    let mut problems = Vec::new();
    let mut unknowns = Vec::new();
    let mut vs = Vec::new();
    for v in &typed.versions {
        match v.value {
            Some(x) => vs.push(x),
            None => unknowns.push(format!("version `{}` is not known", v.declared)),
        }
    }
    let mut cs = Vec::new();
    for c in &typed.cipher_suites {
        match c.value {
            Some(x) => cs.push(x.clone()),
            None => unknowns.push(format!("cipher suite `{}` is not known", c.declared)),
        }
    }
    let ctx = policy::AssessContext {
        params: policy.clone(),
        dh: policy::DhParams::Unknown,
    };
    for w in policy::assess(&vs, &cs, &prof.groups, &ctx) {
        if w.severity >= fail_at {
            problems.push(format!("{} ({})", w.message, w.code.as_str()));
        }
    }
    if prof.verify_peer != Some(true) {
        problems.push("the peer's certificate chain is not verified (verify_peer)".into());
    }
    if prof.side == icvsec_model::input::tls::TlsSide::Client && prof.verify_hostname == Some(false)
    {
        problems.push("the server's host name is not checked (verify_hostname = false)".into());
    }
    (problems, unknowns)
}

/// The chain a saved probe (`icvsec probe tls HOST:PORT --save FILE`) recorded for an
/// endpoint, leaf first, with the probe's file; empty when no probe of it is given.
fn probe_chain<'a>(inv: &'a Inventory, endpoint: &str) -> (Vec<&'a CertAsset>, String) {
    let Some(leaf) = inv.certificates.values().find(|c| {
        inv.probes.contains_key(c.file.as_str())
            && c.uses
                .iter()
                .any(|u| matches!(u, CertUse::Server { endpoint: e, .. } if e == endpoint))
    }) else {
        return (Vec::new(), String::new());
    };
    let mut chain: Vec<&CertAsset> = inv
        .certificates
        .values()
        .filter(|c| c.file == leaf.file)
        .collect();
    chain.sort_by_key(|c| c.position);
    (chain, leaf.file.to_string())
}

/// What the judgement of an endpoint's server certificate found.
struct CertJudgement {
    problems: Vec<String>,
    errors: Vec<String>,
    /// Evidence outside the build decides (no certificate in the build, none probed).
    manual: Vec<String>,
    location: Option<Location>,
}

/// Judge an endpoint's server certificate (as the graph links it, else the chain of a
/// saved probe of the endpoint): lints at `as_of` and the chain to its anchor. A server
/// certificate that the build cannot hold (rotated on the server) while the vehicle
/// verifies the peer against a declared anchor is evidence outside the build (manual).
fn judge_server_cert(
    inv: &Inventory,
    links: &EndpointLinks,
    host: &str,
    as_of: i64,
    verifies_peer: bool,
) -> CertJudgement {
    use icvsec_pki::lint;
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    let done = |problems, errors, manual, location| CertJudgement {
        problems,
        errors,
        manual,
        location,
    };
    let (certs, path): (Vec<&CertAsset>, String) = match links.server_certificate.as_deref() {
        Some(path) => (
            links
                .server_certificates
                .iter()
                .filter_map(|id| inv.certificates.get(id))
                .collect(),
            path.to_string(),
        ),
        None => {
            let (chain, probe) = probe_chain(inv, &links.endpoint);
            if chain.is_empty() {
                if let (true, Some(a)) = (verifies_peer, links.trust_anchor.as_deref()) {
                    let manual = vec![format!(
                        "the server certificate of `{}` is not in the build (a server rotates it); the vehicle verifies the peer against trust anchor `{a}`, so the served chain is evidence outside the build: give a saved probe (icvsec probe tls {host}:PORT --save FILE.probe.json) to judge it",
                        links.endpoint
                    )];
                    return done(problems, errors, manual, None);
                }
                problems.push(format!(
                    "the build does not hold the server certificate of `{}`, so the server cannot be shown to be authenticated",
                    links.endpoint
                ));
                return done(problems, errors, Vec::new(), None);
            }
            (chain, probe)
        }
    };
    let path = path.as_str();
    let Some(leaf) = certs.first() else {
        let why = inv
            .broken
            .iter()
            .find(|b| b.id == path)
            .map(|b| b.message.clone())
            .unwrap_or_else(|| "it holds no certificate".into());
        errors.push(format!("server certificate `{path}` cannot be read: {why}"));
        return done(problems, errors, Vec::new(), Some(Location::file(path)));
    };
    let loc = leaf.location();
    let c = &leaf.cert;
    let lints = [
        lint::validity(c, &Default::default(), as_of),
        lint::rsa_key_size(c, &Default::default()),
        lint::ec_curve(c, &Default::default()),
        lint::dsa_key(c, &lint::NoParams {}),
        lint::signature_hash(c, &Default::default()),
    ];
    for r in lints.iter().flatten() {
        if !r.passed && !r.warning {
            problems.push(format!("server certificate: {}", r.message));
        }
    }
    match links.trust_anchor.as_deref() {
        None => problems.push(format!(
            "no trust anchor is declared for `{}`, so the server certificate chain cannot be verified",
            links.endpoint
        )),
        Some(a) => {
            let anchors: Vec<&icvsec_pki::Certificate> = inv
                .graph
                .anchor_certificates(a)
                .iter()
                .filter_map(|id| inv.certificates.get(id))
                .map(|x| &x.cert)
                .collect();
            if anchors.is_empty() {
                errors.push(format!("trust anchor `{a}` has no readable certificate"));
            } else {
                // Candidate intermediates: the rest of the server's file, and CA
                // certificates found in the build (webpki picks what builds a path).
                let inters: Vec<&icvsec_pki::Certificate> = certs[1..]
                    .iter()
                    .map(|x| &x.cert)
                    .chain(
                        inv.ca_certificates()
                            .filter(|x| x.file != path)
                            .map(|x| &x.cert),
                    )
                    .collect();
                let v = icvsec_pki::verify_chain_refs(
                    c,
                    &inters,
                    &anchors,
                    as_of,
                    &icvsec_pki::ChainOptions {
                        eku: Some(icvsec_pki::KeyPurpose::ServerAuth),
                        hostname: Some(host.to_string()),
                        strict_keys: true,
                        ..Default::default()
                    },
                );
                if !v.valid {
                    let msg = v
                        .failure
                        .map(|f| {
                            if matches!(f.kind, icvsec_pki::chain::ChainErrorKind::UnknownIssuer) {
                                format!(
                                    "does not chain to trust anchor `{a}` (issuer `{}` is unknown)",
                                    f.wanted_issuer
                                )
                            } else {
                                f.message
                            }
                        })
                        .unwrap_or_else(|| "chain validation failed".into());
                    problems.push(format!("server certificate {msg}"));
                }
            }
        }
    }
    done(problems, errors, Vec::new(), Some(loc))
}

fn transit_protection(ctx: &Ctx, p: &TransitParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    let (Some(from), Some(to)) = (g.node(&f.value.from), g.node(&f.value.to)) else {
        return;
    };
    if from.on_board == to.on_board {
        sink.not_applicable(format!(
            "flow `{}` does not cross the vehicle boundary ({} → {})",
            f.value.id, f.value.from, f.value.to
        ));
        return;
    }
    let direction = if from.on_board { "leaves" } else { "enters" };
    if !p.categories.is_empty() {
        let (its, _) = items(ctx.inv, &f.value.items);
        if in_categories(&its, &p.categories).is_empty() {
            sink.not_applicable("the flow carries none of the categories the rule covers");
            return;
        }
    }
    // The endpoint the data travels over: `via_endpoint`, else the off-board end when
    // it is an endpoint itself.
    let off_board_end = if from.on_board {
        &f.value.to
    } else {
        &f.value.from
    };
    let ep_id = match f.value.via_endpoint.as_deref() {
        Some(v) => v,
        None if ctx.inv.endpoints.contains_key(off_board_end) => off_board_end.as_str(),
        None => {
            sink.fail(
                format!(
                    "flow `{}` {direction} the vehicle ({} → {}) without naming the endpoint it travels over (via_endpoint), so its protection in transit is unknown",
                    f.value.id, f.value.from, f.value.to
                ),
                f.location(),
            );
            return;
        }
    };
    let Some(ep) = ctx.inv.endpoints.get(ep_id) else {
        sink.error(
            format!("flow `{}` names unknown endpoint `{ep_id}`", f.value.id),
            f.at("via_endpoint"),
        );
        return;
    };
    let Some(links) = ctx.inv.graph.endpoint(ep_id) else {
        sink.error(
            format!("endpoint `{ep_id}` is not in the asset graph"),
            ep.location(),
        );
        return;
    };
    let profile_id = links.tls_profile.clone();
    let profile = profile_id.as_deref().and_then(|id| {
        let placed = ctx.inv.tls_profiles.get(id)?;
        let typed = ctx.inv.graph.tls_profile(id)?;
        Some((id, placed, typed))
    });
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    let mut related = vec![ep.location()];
    let verifies_peer = profile
        .as_ref()
        .is_some_and(|(_, prof, _)| prof.value.verify_peer == Some(true));
    match (&profile_id, profile) {
        (None, _) => problems.push(format!(
            "endpoint `{ep_id}` declares no TLS profile, so the channel cannot be shown to be encrypted"
        )),
        (Some(id), None) => errors.push(format!("TLS profile `{id}` is not declared")),
        (Some(_), Some((id, prof, typed))) => {
            related.push(prof.location());
            let (pr, un) = judge_profile(&prof.value, typed, &p.policy, p.fail_at);
            if !pr.is_empty() {
                problems.push(format!("TLS profile `{id}`: {}", pr.join(", ")));
            }
            if !un.is_empty() {
                errors.push(format!("TLS profile `{id}`: {}", un.join(", ")));
            }
        }
    }
    let cj = judge_server_cert(ctx.inv, links, &ep.value.host, ctx.as_of, verifies_peer);
    problems.extend(cj.problems);
    errors.extend(cj.errors);
    if let Some(l) = cj.location {
        related.push(l);
    }
    let head = format!(
        "flow `{}` ({} → {}) travels over endpoint `{ep_id}` ({}:{})",
        f.value.id, f.value.from, f.value.to, ep.value.host, ep.value.port
    );
    let eval = if !problems.is_empty() {
        let mut all = problems;
        all.extend(errors);
        sink.fail(format!("{head}: {}", all.join("; ")), f.at("via_endpoint"))
    } else if !errors.is_empty() {
        sink.error(
            format!("{head}; cannot judge it: {}", errors.join("; ")),
            f.at("via_endpoint"),
        )
    } else if !cj.manual.is_empty() {
        sink.manual(
            format!(
                "{head}; its TLS profile passes the policy, but {}",
                cj.manual.join("; ")
            ),
            f.at("via_endpoint"),
        )
    } else {
        sink.pass(
            format!(
                "{head}, whose TLS profile `{}` and server certificate pass the policy",
                profile_id.unwrap_or_default()
            ),
            f.at("via_endpoint"),
        )
    };
    for l in related {
        eval.related(l);
    }
}
