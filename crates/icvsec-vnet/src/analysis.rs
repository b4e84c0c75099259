//! Pure analyses over the facts: safety-relevant CAN messages without SecOC, messages
//! whose receiver sits on another bus with no gateway route, SecOC strength numbers.
//! No thresholds are decided here: rules pass them in as parameters.
//!
//! Name matching (DBC message ↔ I-PDU) is conservative: a message counts as protected
//! only on a clear match, so a doubtful case is reported rather than hidden. Names are
//! compared case-insensitively after removing one conventional affix (see
//! [`normalize_pdu_name`]); a CAN id match counts only together with the same bus.

use crate::arxml::{ArxmlFacts, Freshness, RouteKind, SecocPdu};
use crate::dbc::{DbcFile, DbcMessage};
use crate::error::Place;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Default keywords for safety-relevant messages (case-insensitive substrings of the
/// message name or of a signal name).
pub const DEFAULT_SAFETY_KEYWORDS: &[&str] = &[
    "steer", "brake", "torque", "gear", "throttle", "accel", "speed", "airbag", "yaw", "pedal",
    "crash",
];

/// Lower-case, without one conventional suffix (`_secured`, `_ipdu`, `_i_pdu`, `_pdu`)
/// and one prefix (`ipdu_`, `pdu_`): `PDU_Steering_Cmd_Secured` → `steering_cmd`.
pub fn normalize_pdu_name(name: &str) -> String {
    let mut s = name.trim().to_ascii_lowercase();
    for suf in ["_secured", "_i_pdu", "_ipdu", "_pdu"] {
        if s.len() > suf.len() && s.ends_with(suf) {
            s.truncate(s.len() - suf.len());
            break;
        }
    }
    for pre in ["ipdu_", "pdu_"] {
        if s.len() > pre.len() && s.starts_with(pre) {
            s = s[pre.len()..].to_string();
            break;
        }
    }
    s
}

fn same_bus(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Which messages are safety-relevant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetySelector {
    /// Message or signal names declared safety-relevant (compared case-insensitively).
    pub declared: BTreeSet<String>,
    /// Case-insensitive substrings of message or signal names.
    pub keywords: Vec<String>,
}

impl Default for SafetySelector {
    fn default() -> Self {
        SafetySelector {
            declared: BTreeSet::new(),
            keywords: DEFAULT_SAFETY_KEYWORDS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

impl SafetySelector {
    /// Only the declared message / signal names, no keywords.
    pub fn declared<I: IntoIterator<Item = S>, S: AsRef<str>>(names: I) -> Self {
        SafetySelector {
            declared: names
                .into_iter()
                .map(|s| s.as_ref().to_ascii_lowercase())
                .collect(),
            keywords: Vec::new(),
        }
    }

    /// Why the message is safety-relevant, or `None`.
    pub fn reason(&self, m: &DbcMessage) -> Option<String> {
        let declared: BTreeSet<String> = self
            .declared
            .iter()
            .map(|d| d.to_ascii_lowercase())
            .collect();
        let mname = m.name.to_ascii_lowercase();
        if declared.contains(&mname) {
            return Some(format!("message {} is declared safety-relevant", m.name));
        }
        for s in &m.signals {
            if declared.contains(&s.name.to_ascii_lowercase()) {
                return Some(format!("signal {} is declared safety-relevant", s.name));
            }
        }
        for k in &self.keywords {
            let k = k.to_ascii_lowercase();
            if k.is_empty() {
                continue;
            }
            if mname.contains(&k) {
                return Some(format!("message name {} contains '{k}'", m.name));
            }
            if let Some(s) = m
                .signals
                .iter()
                .find(|s| s.name.to_ascii_lowercase().contains(&k))
            {
                return Some(format!("signal name {} contains '{k}'", s.name));
            }
        }
        None
    }
}

/// Whether `sec` protects message `m` of bus `bus`: the authentic or the secured PDU
/// name matches (normalized) and the SecOC buses, when known, include `bus`; or a CAN id
/// of the secured PDU's frames equals the message id on the same bus.
pub fn secoc_protects(sec: &SecocPdu, bus: &str, m: &DbcMessage) -> bool {
    let on_bus = sec.buses.iter().any(|b| same_bus(b, bus));
    let mname = normalize_pdu_name(&m.name);
    let name_match = sec
        .authentic_pdu
        .iter()
        .chain(std::iter::once(&sec.name))
        .any(|n| normalize_pdu_name(n) == mname);
    (name_match && (sec.buses.is_empty() || on_bus)) || (on_bus && sec.can_ids.contains(&m.id))
}

/// A safety-relevant message and the SecOC configuration protecting it, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetyMessage {
    pub bus: String,
    pub message: String,
    pub id: u32,
    pub id_hex: String,
    pub place: Place,
    /// Why it is safety-relevant.
    pub reason: String,
    /// Path of the protecting SecOC configuration (`None`: unprotected).
    pub protected_by: Option<String>,
}

/// Every safety-relevant message of `dbc` with its protection (positive evidence too).
pub fn safety_message_protection(
    dbc: &DbcFile,
    secured: &[SecocPdu],
    selector: &SafetySelector,
) -> Vec<SafetyMessage> {
    let mut out = Vec::new();
    for m in &dbc.messages {
        let Some(reason) = selector.reason(m) else {
            continue;
        };
        let protected_by = secured
            .iter()
            .find(|s| secoc_protects(s, &dbc.bus, m))
            .map(|s| s.path.clone());
        out.push(SafetyMessage {
            bus: dbc.bus.clone(),
            message: m.name.clone(),
            id: m.id,
            id_hex: m.id_hex(),
            place: m.place.clone(),
            reason,
            protected_by,
        });
    }
    out
}

/// Safety-relevant messages of `dbc` that no SecOC configuration protects.
pub fn unprotected_safety_messages(
    dbc: &DbcFile,
    secured: &[SecocPdu],
    selector: &SafetySelector,
) -> Vec<SafetyMessage> {
    safety_message_protection(dbc, secured, selector)
        .into_iter()
        .filter(|m| m.protected_by.is_none())
        .collect()
}

/// What a route lets through.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageMatch {
    Any,
    /// A PDU / message name (normalized comparison).
    Name(String),
    /// A message carrying a signal of this name (signal gateway).
    Signal(String),
    /// A CAN identifier.
    Id(u32),
}

impl MessageMatch {
    fn matches(&self, m: &DbcMessage) -> bool {
        match self {
            MessageMatch::Any => true,
            MessageMatch::Name(n) => normalize_pdu_name(n) == normalize_pdu_name(&m.name),
            MessageMatch::Signal(s) => m.signals.iter().any(|x| x.name.eq_ignore_ascii_case(s)),
            MessageMatch::Id(i) => *i == m.id,
        }
    }
}

/// A permission to forward traffic from one bus to another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoutePermit {
    pub from_bus: String,
    pub to_bus: String,
    pub allows: MessageMatch,
    /// Where the permit comes from (ARXML place or the declaring file).
    pub origin: String,
}

/// Permits from ARXML gateway routes whose two buses are known. A route of a secured PDU
/// also permits its authentic PDU's name; the CAN ids of the source frames are permitted
/// too.
pub fn permits_from_arxml(facts: &ArxmlFacts) -> Vec<RoutePermit> {
    let mut out = BTreeSet::new();
    for r in &facts.routes {
        let (Some(from), Some(to)) = (&r.source.bus, &r.dest.bus) else {
            continue;
        };
        let origin = r.place.to_string();
        let mut allows = Vec::new();
        if let Some(p) = &r.source.pdu {
            if r.kind == RouteKind::SignalMapping {
                allows.push(MessageMatch::Signal(p.clone()));
            } else {
                allows.push(MessageMatch::Name(p.clone()));
            }
        }
        if let Some(path) = &r.source.path {
            for s in facts.secoc.iter().filter(|s| &s.path == path) {
                if let Some(a) = &s.authentic_pdu {
                    allows.push(MessageMatch::Name(a.clone()));
                }
            }
        }
        allows.extend(r.source.can_ids.iter().map(|i| MessageMatch::Id(*i)));
        for a in allows {
            out.insert(RoutePermit {
                from_bus: from.clone(),
                to_bus: to.clone(),
                allows: a,
                origin: origin.clone(),
            });
        }
    }
    out.into_iter().collect()
}

/// Permits from a declared gateway route (`gateway.routes[]` of an ECU config):
/// `allowed_ids` holds hex ids (`0x1A0`) or `*` for everything.
pub fn permits_from_declared(
    from_bus: &str,
    to_bus: &str,
    allowed_ids: &[String],
    origin: &str,
) -> Result<Vec<RoutePermit>, String> {
    let mut out = Vec::new();
    for id in allowed_ids {
        let t = id.trim();
        let allows = if t == "*" {
            MessageMatch::Any
        } else {
            let hex = t
                .strip_prefix("0x")
                .or_else(|| t.strip_prefix("0X"))
                .ok_or_else(|| format!("{origin}: allowed id {t:?} is neither '*' nor 0x-hex"))?;
            MessageMatch::Id(
                u32::from_str_radix(hex, 16)
                    .map_err(|e| format!("{origin}: allowed id {t:?}: {e}"))?,
            )
        };
        out.push(RoutePermit {
            from_bus: from_bus.to_string(),
            to_bus: to_bus.to_string(),
            allows,
            origin: origin.to_string(),
        });
    }
    Ok(out)
}

/// A message whose receiver sits only on buses that no chain of routes reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossDomainGap {
    pub message: String,
    pub id: u32,
    pub id_hex: String,
    /// Bus the message is sent on.
    pub from_bus: String,
    pub sender: Option<String>,
    pub receiver: String,
    /// Buses the receiver is attached to, sorted.
    pub receiver_buses: Vec<String>,
    /// Buses the message can reach through permits (besides its own), sorted.
    pub reachable_buses: Vec<String>,
    pub place: Place,
}

/// Messages sent on one bus with a receiver node attached only to other buses, where no
/// chain of permits carrying that message reaches any of the receiver's buses. A node's
/// buses are those whose DBC declares it (`BU_`) or names it as a sender; receivers
/// attached to no known bus are not reported (a DBC inconsistency, not a route gap).
pub fn cross_domain_without_route(
    dbcs: &[DbcFile],
    permits: &[RoutePermit],
) -> Vec<CrossDomainGap> {
    // node (lower-case) → buses (lower-case → original spelling)
    let mut node_buses: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for d in dbcs {
        for n in d.all_nodes() {
            node_buses
                .entry(n.to_ascii_lowercase())
                .or_default()
                .insert(d.bus.to_ascii_lowercase(), d.bus.clone());
        }
    }
    let mut out = Vec::new();
    for d in dbcs {
        let bus = d.bus.to_ascii_lowercase();
        for m in &d.messages {
            let mut reach: Option<BTreeSet<String>> = None;
            for r in m.receivers() {
                let Some(rb) = node_buses.get(&r.to_ascii_lowercase()) else {
                    continue;
                };
                if rb.contains_key(&bus) {
                    continue;
                }
                let reach = reach.get_or_insert_with(|| reachable(&bus, m, permits));
                if rb.keys().any(|b| reach.contains(b)) {
                    continue;
                }
                let mut reachable_buses: Vec<String> =
                    reach.iter().filter(|b| **b != bus).cloned().collect();
                reachable_buses.sort();
                out.push(CrossDomainGap {
                    message: m.name.clone(),
                    id: m.id,
                    id_hex: m.id_hex(),
                    from_bus: d.bus.clone(),
                    sender: m.sender.clone(),
                    receiver: r.to_string(),
                    receiver_buses: rb.values().cloned().collect(),
                    reachable_buses,
                    place: m.place.clone(),
                });
            }
        }
    }
    out
}

/// Buses (lower-case) reachable from `bus` for message `m` through permits.
fn reachable(bus: &str, m: &DbcMessage, permits: &[RoutePermit]) -> BTreeSet<String> {
    let mut seen = BTreeSet::from([bus.to_string()]);
    let mut todo = vec![bus.to_string()];
    while let Some(b) = todo.pop() {
        for p in permits {
            if p.from_bus.to_ascii_lowercase() == b && p.allows.matches(m) {
                let to = p.to_bus.to_ascii_lowercase();
                if seen.insert(to.clone()) {
                    todo.push(to);
                }
            }
        }
    }
    seen
}

/// The numbers a rule needs to judge a SecOC configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecocStrength {
    pub path: String,
    pub name: String,
    pub place: Place,
    pub authentic_pdu: Option<String>,
    pub algorithm: Option<String>,
    pub mac_bits: Option<u32>,
    pub freshness_value_bits: Option<u32>,
    pub freshness_bits: Option<u32>,
    pub freshness: Freshness,
    /// No freshness value at all: the PDU can be replayed.
    pub no_freshness: bool,
    /// The configuration gives no MAC length.
    pub mac_length_unknown: bool,
}

pub fn secoc_strength(secoc: &[SecocPdu]) -> Vec<SecocStrength> {
    secoc
        .iter()
        .map(|s| SecocStrength {
            path: s.path.clone(),
            name: s.name.clone(),
            place: s.place.clone(),
            authentic_pdu: s.authentic_pdu.clone(),
            algorithm: s.algorithm.clone(),
            mac_bits: s.mac_bits,
            freshness_value_bits: s.freshness_value_bits,
            freshness_bits: s.freshness_bits,
            freshness: s.freshness,
            no_freshness: !s.has_freshness(),
            mac_length_unknown: s.mac_bits.is_none(),
        })
        .collect()
}

/// How much freshness a secured PDU needs (rule parameters). AUTOSAR SecOC profile 1
/// transmits 8 bits of freshness; profile 3 (JASPAR) transmits only 4, but they are the
/// low bits of a 64-bit counter that sender and receiver keep in step, so a short
/// transmitted value is enough when the full value behind it is long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FreshnessPolicy {
    /// Transmitted bits that are enough on their own (profile 1: 8).
    pub min_transmitted_bits: u32,
    /// Fewest transmitted bits accepted when a long full value stands behind them
    /// (profile 3: 4).
    pub min_truncated_bits: u32,
    /// Full freshness value length that makes such a truncation acceptable (profile 3: 64).
    pub min_full_bits: u32,
}

impl FreshnessPolicy {
    /// Why `transmitted` bits of a `full`-bit freshness value are not enough, or `None`.
    pub fn shortfall(&self, transmitted: u32, full: Option<u32>) -> Option<String> {
        if transmitted >= self.min_transmitted_bits {
            return None;
        }
        match full {
            Some(f) if transmitted >= self.min_truncated_bits && f >= self.min_full_bits => None,
            Some(f) if transmitted >= self.min_truncated_bits => Some(format!(
                "transmitted freshness is {transmitted} bits of a {f}-bit value: fewer than {} \
                 transmitted, and the full value is shorter than {} bits",
                self.min_transmitted_bits, self.min_full_bits
            )),
            None if transmitted >= self.min_truncated_bits => Some(format!(
                "transmitted freshness is {transmitted} bits, fewer than {}, and the length of \
                 the full freshness value behind it is not declared (at least {} bits makes a \
                 {}-bit truncation acceptable)",
                self.min_transmitted_bits, self.min_full_bits, self.min_truncated_bits
            )),
            _ => Some(format!(
                "transmitted freshness is {transmitted} bits, fewer than {}",
                self.min_truncated_bits.min(self.min_transmitted_bits)
            )),
        }
    }
}

/// SecOC configurations below the given minima (rule parameters), each with its reasons:
/// MAC shorter than `min_mac_bits` (or unknown), no freshness, transmitted freshness too
/// short for `freshness` (see [`FreshnessPolicy`]).
pub fn secoc_below(
    secoc: &[SecocPdu],
    min_mac_bits: u32,
    freshness: FreshnessPolicy,
) -> Vec<(SecocStrength, Vec<String>)> {
    secoc_strength(secoc)
        .into_iter()
        .filter_map(|s| {
            let mut why = Vec::new();
            match s.mac_bits {
                Some(b) if b < min_mac_bits => {
                    why.push(format!("MAC is {b} bits, fewer than {min_mac_bits}"))
                }
                None => why.push("MAC length not configured".to_string()),
                _ => {}
            }
            if s.no_freshness {
                why.push("no freshness value (replayable)".to_string());
            } else if let Some(f) = s.freshness_bits
                && let Some(short) = freshness.shortfall(f, s.freshness_value_bits)
            {
                why.push(short);
            }
            (!why.is_empty()).then_some((s, why))
        })
        .collect()
}
