//! Checks over the vehicle's network graph: can an external-facing ECU (T-Box, IVI, any
//! ECU with an enabled external interface) or the OBD connector reach a safety-critical
//! network, and only through allowlisted message ids at a gateway?
//!
//! Model: networks are nodes; only ECUs with a declared `gateway` section forward
//! traffic between the networks they sit on (other multi-homed ECUs are assumed not to
//! route). A gateway with `default_action = "allow"` forwards everything; otherwise each
//! route forwards `from → to`, filtered unless its allowlist is `*`.

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::Inventory;
use icvsec_model::input::FilterPolicy;
use icvsec_model::input::vehicle::NetworkKind;
use icvsec_model::{AssetKind, Location};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "vehicle.gateway_isolation",
            AssetKind::Vehicle,
            "External entry points reach safety-critical networks only through gateway allowlists.",
            gateway_isolation,
        ),
        CheckDef::new(
            "vehicle.ethernet_segmentation",
            AssetKind::Vehicle,
            "Ethernet segments separate external-facing and safety-critical ECUs (VLANs), and gateways filter Ethernet with default deny.",
            ethernet_segmentation,
        ),
    ]
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NoParams {}

#[derive(Clone, Debug)]
struct Edge {
    to: String,
    gateway: String,
    filtered: bool,
    detail: String,
}

/// Is this ECU an entry point from outside the vehicle?
fn external_facing(inv: &Inventory, ecu: &str) -> bool {
    let Some(e) = inv.ecus.get(ecu) else {
        return false;
    };
    if e.role().is_external_facing() {
        return true;
    }
    let Some(cfg) = e.config.as_ref().map(|c| &c.doc) else {
        return false;
    };
    let Some(i) = &cfg.interfaces else {
        return false;
    };
    i.cellular.as_ref().is_some_and(|c| c.enabled)
        || i.wifi.as_ref().is_some_and(|c| c.enabled)
        || i.bluetooth.as_ref().is_some_and(|c| c.enabled)
        || i.usb.as_ref().is_some_and(|c| c.enabled)
}

/// Gateways filter; they are not entry points themselves (their own interfaces are judged by ECU rules).
fn is_gateway(inv: &Inventory, ecu: &str) -> bool {
    inv.ecus
        .get(ecu)
        .is_some_and(|x| x.config.as_ref().is_some_and(|c| c.doc.gateway.is_some()))
}

fn edges(inv: &Inventory) -> BTreeMap<String, Vec<Edge>> {
    let mut out: BTreeMap<String, Vec<Edge>> = BTreeMap::new();
    for (id, ecu) in &inv.ecus {
        let Some(gw) = ecu.config.as_ref().and_then(|c| c.doc.gateway.as_ref()) else {
            continue;
        };
        let nets: Vec<&String> = inv
            .networks
            .iter()
            .filter(|(_, n)| n.value.ecus.contains(id))
            .map(|(k, _)| k)
            .collect();
        if gw.default_action == FilterPolicy::Allow {
            for a in &nets {
                for b in &nets {
                    if a != b {
                        out.entry((*a).clone()).or_default().push(Edge {
                            to: (*b).clone(),
                            gateway: id.clone(),
                            filtered: false,
                            detail: "default action `allow`".into(),
                        });
                    }
                }
            }
        }
        for r in &gw.routes {
            let wildcard = r.allowed_ids.iter().any(|x| x == "*");
            out.entry(r.from.clone()).or_default().push(Edge {
                to: r.to.clone(),
                gateway: id.clone(),
                filtered: !wildcard && !r.allowed_ids.is_empty(),
                detail: if wildcard {
                    "route allows `*`".into()
                } else {
                    format!("{} allowlisted id(s)", r.allowed_ids.len())
                },
            });
        }
    }
    out
}

/// Paths the isolation search explores from one entry network before it gives up with
/// an error (a vehicle has tens of networks; a hostile build could declare a dense mesh).
const MAX_PATHS: usize = 100_000;

fn gateway_isolation(ctx: &Ctx, _: &NoParams, sink: &mut Sink) {
    let inv = ctx.inv;
    let home = Location::file("vehicle.json");
    if inv.networks.is_empty() {
        sink.fail(
            "vehicle.json declares no networks, so isolation cannot be shown",
            Location::at_key("vehicle.json", "networks"),
        );
        return;
    }
    let safety: BTreeSet<&String> = inv
        .networks
        .iter()
        .filter(|(_, n)| {
            n.value.safety_critical
                || n.value
                    .ecus
                    .iter()
                    .any(|e| inv.ecus.get(e).is_some_and(|x| x.entry.safety_critical))
        })
        .map(|(k, _)| k)
        .collect();
    if safety.is_empty() {
        sink.not_applicable(
            "no network is marked safety-critical (and no safety-critical ECU sits on one)",
        );
        return;
    }
    // Gateways declared by role but without filter tables cannot show isolation.
    for (id, ecu) in &inv.ecus {
        if ecu.role() == icvsec_model::input::vehicle::EcuRole::Gateway
            && ecu
                .config
                .as_ref()
                .and_then(|c| c.doc.gateway.as_ref())
                .is_none()
        {
            sink.fail(
                format!("gateway `{id}` declares no filter tables (`gateway` section)"),
                ecu.home(),
            );
        }
    }
    let graph = edges(inv);
    let mut entries: BTreeMap<String, String> = BTreeMap::new();
    for (nid, n) in &inv.networks {
        if n.value.obd_connector {
            entries.insert(nid.clone(), "the OBD connector".into());
        }
        for e in &n.value.ecus {
            let is_gw = inv
                .ecus
                .get(e)
                .is_some_and(|x| x.config.as_ref().is_some_and(|c| c.doc.gateway.is_some()));
            if external_facing(inv, e) && !is_gw {
                entries
                    .entry(nid.clone())
                    .or_insert_with(|| format!("external-facing ECU `{e}`"));
            }
        }
    }
    if entries.is_empty() {
        sink.not_applicable("no network carries an external-facing ECU or the OBD connector");
        return;
    }
    for (entry, why) in &entries {
        let net_loc = inv
            .networks
            .get(entry)
            .map_or(home.clone(), |n| n.location());
        if safety.contains(entry) {
            sink.fail(
                format!("{why} sits directly on safety-critical network `{entry}` with no gateway in between"),
                net_loc,
            );
            continue;
        }
        // Breadth-first over simple paths: a frame is never forwarded back into a network
        // it already crossed, so reply routes (A→B and B→A) and loops in the route graph
        // are not attack paths. Per target the first path found is kept, replaced by an
        // unfiltered one when there is one. The number of paths explored is bounded; past
        // the bound the check reports an error instead of a verdict.
        // Networks are numbered and visited sets are bitsets, and a queued path is the
        // list of (network, edge) hops, rendered only for the paths kept: the search holds
        // integers, not strings (a generated 200-ECU build went from 1.1 GB to a few MB).
        let names: Vec<&String> = {
            let mut all: BTreeSet<&String> = inv.networks.keys().collect();
            for (from, es) in &graph {
                all.insert(from);
                all.extend(es.iter().map(|e| &e.to));
            }
            all.insert(entry);
            all.into_iter().collect()
        };
        let index: BTreeMap<&String, usize> =
            names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let adjacency: Vec<Vec<(usize, &Edge)>> = names
            .iter()
            .map(|n| {
                graph
                    .get(*n)
                    .into_iter()
                    .flatten()
                    .map(|e| (index[&e.to], e))
                    .collect()
            })
            .collect();
        let words = names.len().div_ceil(64);
        let start = index[entry];
        let mut first = vec![0u64; words];
        first[start / 64] |= 1 << (start % 64);
        type Hops = Vec<(usize, usize)>;
        let mut queue: VecDeque<(usize, bool, Hops, Vec<u64>)> = VecDeque::new();
        queue.push_back((start, true, Vec::new(), first));
        let mut seen: BTreeSet<(usize, bool, Vec<u64>)> = BTreeSet::new();
        let mut reached: BTreeMap<String, (bool, Hops)> = BTreeMap::new();
        let mut explored = 0usize;
        let mut too_many = false;
        while let Some((net, filtered, path, visited)) = queue.pop_front() {
            explored += 1;
            if explored > MAX_PATHS {
                too_many = true;
                break;
            }
            if !seen.insert((net, filtered, visited.clone())) || path.len() + 1 > 64 {
                continue;
            }
            if safety.contains(names[net]) && names[net] != entry {
                let slot = reached
                    .entry(names[net].clone())
                    .or_insert((filtered, path.clone()));
                if !filtered && slot.0 {
                    *slot = (false, path.clone());
                }
            }
            for (k, (to, e)) in adjacency[net].iter().enumerate() {
                if visited[to / 64] & (1 << (to % 64)) != 0 {
                    continue;
                }
                let mut p = path.clone();
                p.push((net, k));
                let mut v = visited.clone();
                v[to / 64] |= 1 << (to % 64);
                queue.push_back((*to, filtered && e.filtered, p, v));
            }
            // Every queued path is popped (and counted) before the queue runs dry, so once
            // the popped and queued paths together pass the bound the search will too:
            // stop now rather than queue (and allocate) millions of paths first.
            if explored + queue.len() > MAX_PATHS {
                too_many = true;
                break;
            }
        }
        let render = |hops: &Hops| -> Vec<String> {
            let mut out = vec![entry.clone()];
            for (from, k) in hops {
                let (_, e) = adjacency[*from][*k];
                out.push(format!("[{} via {}: {}]", e.to, e.gateway, e.detail));
            }
            out
        };
        let reached: BTreeMap<String, (bool, Vec<String>)> = reached
            .into_iter()
            .map(|(t, (f, hops))| (t, (f, render(&hops))))
            .collect();
        if too_many {
            sink.error(
                format!(
                    "the route graph from `{entry}` has more than {MAX_PATHS} paths; isolation cannot be judged"
                ),
                net_loc,
            );
            continue;
        }
        let unreached: Vec<&&String> = safety
            .iter()
            .filter(|s| !reached.contains_key(**s))
            .collect();
        for (target, (filtered, path)) in &reached {
            let msg = format!(
                "{why} on `{entry}` reaches safety-critical `{target}`: {}",
                path.join(" → ")
            );
            if *filtered {
                sink.pass(format!("{msg}; every hop is allowlisted"), net_loc.clone());
            } else {
                sink.fail(
                    format!("{msg}; a hop forwards unfiltered traffic"),
                    net_loc.clone(),
                );
            }
        }
        if !unreached.is_empty() {
            sink.pass(
                format!(
                    "{why} on `{entry}` has no route to {}",
                    unreached
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                net_loc,
            );
        }
    }
}

fn ethernet_segmentation(ctx: &Ctx, _: &NoParams, sink: &mut Sink) {
    let inv = ctx.inv;
    let eth: Vec<_> = inv
        .networks
        .iter()
        .filter(|(_, n)| n.value.kind == NetworkKind::Ethernet)
        .collect();
    if eth.is_empty() {
        sink.not_applicable("the vehicle has no Ethernet network");
        return;
    }
    // Segments sharing a VLAN id (or both untagged) form one broadcast domain.
    let mut domains: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for (id, n) in &eth {
        let key = n
            .value
            .vlan
            .map_or(format!("segment {id} (untagged)"), |v| format!("VLAN {v}"));
        domains.entry(key).or_default().push(id);
    }
    for (domain, nets) in &domains {
        let ecus: BTreeSet<&String> = nets
            .iter()
            .flat_map(|n| inv.networks[*n].value.ecus.iter())
            .collect();
        let external: Vec<&&String> = ecus
            .iter()
            .filter(|e| external_facing(inv, e) && !is_gateway(inv, e))
            .collect();
        let safety: Vec<&&String> = ecus
            .iter()
            .filter(|e| inv.ecus.get(**e).is_some_and(|x| x.entry.safety_critical))
            .collect();
        let loc = inv.networks[nets[0]].location();
        if !external.is_empty() && !safety.is_empty() {
            sink.fail(
                format!(
                    "{domain} joins external-facing {} with safety-critical {}",
                    external
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    safety
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                loc,
            );
        } else {
            sink.pass(
                format!("{domain} does not mix external-facing and safety-critical ECUs"),
                loc,
            );
        }
    }
    for (id, ecu) in &inv.ecus {
        let Some(doc) = &ecu.config else { continue };
        let Some(gw) = &doc.doc.gateway else { continue };
        let on_eth = eth.iter().any(|(_, n)| n.value.ecus.contains(id));
        if !on_eth {
            continue;
        }
        match &gw.ethernet_firewall {
            Some(fw) if fw.default_policy == FilterPolicy::Deny => {
                sink.pass(
                    format!("gateway `{id}` filters Ethernet with default deny"),
                    Location::at_key(&doc.file, "gateway.ethernet_firewall.default_policy"),
                );
            }
            Some(fw) => {
                sink.fail(
                    format!(
                        "gateway `{id}` Ethernet firewall default policy is `{}`",
                        fw.default_policy
                    ),
                    Location::at_key(&doc.file, "gateway.ethernet_firewall.default_policy"),
                );
            }
            None => {
                sink.fail(
                    format!("gateway `{id}` sits on Ethernet but declares no Ethernet firewall"),
                    Location::at_key(&doc.file, "gateway"),
                );
            }
        }
    }
}
