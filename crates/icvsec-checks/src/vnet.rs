//! Vehicle network definitions found in the build (ARXML and DBC, read at load by
//! `icvsec-vnet`, stored in `inv.network`):
//!
//! - `vehicle.network.safety_secoc` (vehicle): safety-relevant DBC messages (declared
//!   safety-relevant in an ECU `secoc` section, or named like a safety function) are
//!   protected by an ARXML SecOC configuration.
//! - `vehicle.network.secoc_strength` (vehicle): every ARXML SecOC configuration has a MAC
//!   of at least `min_mac_bits` and freshness of at least `min_freshness_bits`.
//! - `vehicle.network.cross_domain_routes` (vehicle): a DBC message whose receiver sits on
//!   another bus has a gateway route (ARXML routing, declared `gateway.routes`).
//! - `ecu.network.secoc_agrees` (ecu): the ECU's declared `secoc` agrees with the ARXML.
//!
//! A network file that could not be read is an error outcome naming its file and place.

use crate::api::{CheckDef, Ctx, Sink};
use crate::ecu::{profile3_full_bits, profile3_truncated_bits};
use icvsec_model::input::Freshness;
use icvsec_model::{AssetKind, Location};
use icvsec_vnet::Place;
use icvsec_vnet::analysis::{
    FreshnessPolicy, SafetySelector, cross_domain_without_route, normalize_pdu_name,
    permits_from_arxml, permits_from_declared, safety_message_protection, secoc_below,
};
use serde::Deserialize;
use serde_json::Value;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "vehicle.network.safety_secoc",
            AssetKind::Vehicle,
            "Safety-relevant CAN messages of the DBC files are protected by SecOC in the ARXML.",
            safety_secoc,
        ),
        CheckDef::new(
            "vehicle.network.secoc_strength",
            AssetKind::Vehicle,
            "Every ARXML SecOC configuration has a long enough MAC and freshness.",
            secoc_strength,
        ),
        CheckDef::new(
            "vehicle.network.cross_domain_routes",
            AssetKind::Vehicle,
            "Every DBC message received on another bus has a gateway route.",
            cross_domain_routes,
        ),
        CheckDef::new(
            "ecu.network.secoc_agrees",
            AssetKind::Ecu,
            "The ECU's declared SecOC agrees with the ARXML SecOC configuration.",
            secoc_agrees,
        ),
    ]
}

fn loc(p: &Place) -> Location {
    Location::at_line(&p.file, p.line as u32).with_line(p.line as u32, Some(p.col as u32))
}

/// Errors of network files with the given extension: error outcomes. True when any.
fn errors(ctx: &Ctx, ext: &str, sink: &mut Sink) -> bool {
    let mut any = false;
    for e in &ctx.inv.network.errors {
        if e.file.to_ascii_lowercase().ends_with(ext) {
            let l = match e.line {
                Some(n) => Location::at_line(&e.file, n as u32)
                    .with_line(n as u32, e.col.map(|c| c as u32)),
                None => Location::file(&e.file),
            };
            sink.error(format!("network definition unreadable: {e}"), l);
            any = true;
        }
    }
    any
}

fn safety_secoc(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let net = &ctx.inv.network;
    let broken = errors(ctx, ".dbc", sink) | errors(ctx, ".arxml", sink);
    if net.dbc.is_empty() {
        if !broken {
            sink.not_applicable("no DBC file in the build");
        }
        return;
    }
    let mut selector = SafetySelector::default();
    for e in ctx.inv.ecus.values() {
        if let Some(doc) = &e.config {
            for m in doc.doc.secoc.iter().filter(|m| m.safety_relevant) {
                selector.declared.insert(m.message.to_ascii_lowercase());
            }
        }
    }
    let mut seen = 0;
    for d in &net.dbc {
        for m in safety_message_protection(d, &net.arxml.secoc, &selector) {
            seen += 1;
            match &m.protected_by {
                Some(by) => {
                    sink.pass(
                        format!(
                            "{} {} on bus {} ({}) is protected by SecOC {by}",
                            m.message, m.id_hex, m.bus, m.reason
                        ),
                        loc(&m.place),
                    );
                }
                None => {
                    let why = if net.arxml_files.is_empty() {
                        "no ARXML in the build configures SecOC".to_string()
                    } else {
                        "no ARXML SecOC configuration protects it".to_string()
                    };
                    sink.fail(
                        format!(
                            "{} {} on bus {} ({}) is not authenticated: {why}",
                            m.message, m.id_hex, m.bus, m.reason
                        ),
                        loc(&m.place),
                    );
                }
            }
        }
    }
    if seen == 0 && !broken {
        sink.not_applicable("no safety-relevant message in the DBC files");
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrengthParams {
    min_mac_bits: u32,
    /// The freshness minima of ICV-MSG-001; see [`FreshnessPolicy`].
    min_freshness_bits: u32,
    #[serde(default = "profile3_truncated_bits")]
    min_truncated_freshness_bits: u32,
    #[serde(default = "profile3_full_bits")]
    min_full_freshness_bits: u32,
}

fn secoc_strength(ctx: &Ctx, p: &StrengthParams, sink: &mut Sink) {
    let net = &ctx.inv.network;
    let broken = errors(ctx, ".arxml", sink);
    if net.arxml.secoc.is_empty() {
        if !broken {
            if net.arxml_files.is_empty() {
                sink.not_applicable("no ARXML file in the build");
            } else {
                sink.not_applicable("the ARXML files configure no SecOC");
            }
        }
        return;
    }
    let weak = secoc_below(
        &net.arxml.secoc,
        p.min_mac_bits,
        FreshnessPolicy {
            min_transmitted_bits: p.min_freshness_bits,
            min_truncated_bits: p.min_truncated_freshness_bits,
            min_full_bits: p.min_full_freshness_bits,
        },
    );
    for s in &net.arxml.secoc {
        match weak.iter().find(|(w, _)| w.path == s.path) {
            Some((_, why)) => {
                sink.fail(
                    format!("SecOC {}: {}", s.path, why.join("; ")),
                    loc(&s.place),
                );
            }
            None => {
                sink.pass(
                    format!(
                        "SecOC {}: {}-bit MAC, freshness {}",
                        s.path,
                        s.mac_bits.unwrap_or(0),
                        s.freshness.as_str()
                    ),
                    loc(&s.place),
                );
            }
        }
    }
}

fn cross_domain_routes(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let net = &ctx.inv.network;
    let broken = errors(ctx, ".dbc", sink) | errors(ctx, ".arxml", sink);
    if net.dbc.len() < 2 {
        if !broken {
            sink.not_applicable(
                "fewer than two DBC files (buses) in the build: no cross-domain traffic to route",
            );
        }
        return;
    }
    let mut permits = permits_from_arxml(&net.arxml);
    for e in ctx.inv.ecus.values() {
        let Some(doc) = &e.config else { continue };
        let Some(gw) = &doc.doc.gateway else { continue };
        for (i, r) in gw.routes.iter().enumerate() {
            let origin = format!("{} gateway.routes[{i}]", doc.file);
            match permits_from_declared(&r.from, &r.to, &r.allowed_ids, &origin) {
                Ok(mut p) => permits.append(&mut p),
                Err(e) => {
                    sink.error(
                        e,
                        Location::at_key(&doc.file, format!("gateway.routes[{i}]")),
                    );
                }
            }
        }
    }
    let gaps = cross_domain_without_route(&net.dbc, &permits);
    for g in &gaps {
        sink.fail(
            format!(
                "{} {} sent on bus {} to {} (on {}) has no gateway route; reachable: {}",
                g.message,
                g.id_hex,
                g.from_bus,
                g.receiver,
                g.receiver_buses.join(", "),
                if g.reachable_buses.is_empty() {
                    "none".to_string()
                } else {
                    g.reachable_buses.join(", ")
                }
            ),
            loc(&g.place),
        );
    }
    if gaps.is_empty() {
        let files: Vec<&str> = net.dbc.iter().map(|d| d.bus.as_str()).collect();
        sink.pass(
            format!(
                "every message received on another bus has a gateway route ({} permit(s); buses {})",
                permits.len(),
                files.join(", ")
            ),
            Location::file(&net.dbc[0].file),
        );
    }
}

fn secoc_agrees(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let net = &ctx.inv.network;
    let Some(doc) = ctx
        .inv
        .ecus
        .get(ctx.asset.id.as_str())
        .and_then(|e| e.config.as_ref())
    else {
        sink.not_applicable("the ECU has no configuration file");
        return;
    };
    if doc.doc.secoc.is_empty() {
        sink.not_applicable("the ECU declares no `secoc` section");
        return;
    }
    let broken = errors(ctx, ".arxml", sink);
    if net.arxml_files.is_empty() {
        if !broken {
            sink.not_applicable("no ARXML file in the build to compare the declared SecOC with");
        }
        return;
    }
    for (i, m) in doc.doc.secoc.iter().enumerate() {
        let here = Location::at_key(&doc.file, format!("secoc[{i}]"));
        let want = normalize_pdu_name(&m.message);
        let id = m.id.as_deref().and_then(|t| {
            let h = t
                .trim()
                .strip_prefix("0x")
                .or_else(|| t.trim().strip_prefix("0X"))?;
            u32::from_str_radix(h, 16).ok()
        });
        let found = net.arxml.secoc.iter().find(|s| {
            normalize_pdu_name(&s.name) == want
                || s.authentic_pdu.as_deref().map(normalize_pdu_name) == Some(want.clone())
                || id.is_some_and(|i| s.can_ids.contains(&i))
        });
        match (m.authenticated, found) {
            (false, None) => {
                sink.pass(
                    format!(
                        "{}: declared unauthenticated; the ARXML has no SecOC for it either",
                        m.message
                    ),
                    here,
                );
            }
            (true, None) => {
                // Only a PDU the ARXML describes can disagree; an extract that does not
                // mention the message says nothing about it.
                let described = net.arxml.pdus.iter().find(|p| {
                    normalize_pdu_name(&p.name) == want
                        || id.is_some_and(|i| p.can_ids.contains(&i))
                });
                match described {
                    Some(p) => {
                        sink.fail(
                            format!(
                                "{}: declared authenticated, but the ARXML PDU {} has no SecOC configuration",
                                m.message, p.path
                            ),
                            here,
                        )
                        .related(loc(&p.place));
                    }
                    None => {
                        sink.not_applicable(format!(
                            "{}: not described by the ARXML files ({})",
                            m.message,
                            net.arxml_files.join(", ")
                        ));
                    }
                }
            }
            (false, Some(s)) => {
                sink.fail(
                    format!(
                        "{}: declared unauthenticated, but the ARXML configures SecOC {}",
                        m.message, s.path
                    ),
                    here,
                )
                .related(loc(&s.place));
            }
            (true, Some(s)) => {
                let mut diff = Vec::new();
                if let (Some(d), Some(a)) = (m.mac_bits, s.mac_bits)
                    && d != a
                {
                    diff.push(format!("MAC {d} bits declared, {a} in the ARXML"));
                }
                let declared_fresh = m.freshness.map(|f| f != Freshness::None);
                if let Some(df) = declared_fresh
                    && df != s.has_freshness()
                {
                    diff.push(format!(
                        "freshness `{}` declared, `{}` in the ARXML",
                        icvsec_model::input::chosen(m.freshness).unwrap_or(""),
                        s.freshness.as_str()
                    ));
                }
                if let (Some(d), Some(a)) = (m.freshness_bits, s.freshness_bits)
                    && d != a
                {
                    diff.push(format!("freshness {d} bits declared, {a} in the ARXML"));
                }
                if diff.is_empty() {
                    sink.pass(
                        format!("{}: declared SecOC agrees with ARXML {}", m.message, s.path),
                        here,
                    );
                } else {
                    sink.fail(
                        format!(
                            "{}: declaration and ARXML {} disagree: {}",
                            m.message,
                            s.path,
                            diff.join("; ")
                        ),
                        here,
                    )
                    .related(loc(&s.place));
                }
            }
        }
    }
}
