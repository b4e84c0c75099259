//! AUTOSAR ARXML (ECU extract, system description, ECUC values) → typed facts:
//! SecOC per PDU, diagnostic security access levels, gateway / PduR routes, I-PDUs and
//! whether they are secured. Every fact carries its [`Place`] (file, line:col, SHORT-NAME
//! path). References are resolved across all files of an [`ArxmlSet`]; a `*-REF` whose
//! target path exists in none of them is reported in [`ArxmlFacts::errors`].
//!
//! Element names follow the AUTOSAR R4 schemas (4.0 to R23-11): both the inline
//! `SECURE-COMMUNICATION-PROPS` of a `SECURED-I-PDU` (R4.2/4.3) and the referenced
//! `SECURE-COMMUNICATION-AUTHENTICATION-PROPS` / `-FRESHNESS-PROPS` (R4.4+) are read,
//! as are the ECUC module configurations of SecOC, Dcm and PduR.

use crate::error::{ErrorKind, Limits, Place, VnetError};
use crate::xml::{self, NONE, XmlDoc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Where a fact was configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// System template / ECU extract (`SECURED-I-PDU`, `DIAGNOSTIC-SECURITY-LEVEL`,
    /// `I-PDU-MAPPING`, ...).
    SystemTemplate,
    /// ECU configuration values (`ECUC-CONTAINER-VALUE` of SecOC, Dcm, PduR).
    Ecuc,
}

/// Freshness as declared; same words as `secoc[].freshness` in ECU configs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Freshness {
    Counter,
    Timestamp,
    /// No freshness value (both lengths absent or 0): the PDU is replayable.
    None,
}

impl Freshness {
    pub fn as_str(self) -> &'static str {
        match self {
            Freshness::Counter => "counter",
            Freshness::Timestamp => "timestamp",
            Freshness::None => "none",
        }
    }
}

/// SecOC configuration of one secured PDU. Units: bits, as in ECU configs
/// (`mac_bits`, `freshness_bits` = truncated freshness transmitted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecocPdu {
    pub place: Place,
    /// SHORT-NAME of the `SECURED-I-PDU` (or of the SecOC ECUC container).
    pub name: String,
    pub path: String,
    pub source: ConfigSource,
    /// The protected (authentic) I-PDU: `PAYLOAD-REF` → `PDU-TRIGGERING` → `I-PDU-REF`
    /// (or the `SecOC*AuthenticLayerPduRef` of ECUC).
    pub authentic_pdu: Option<String>,
    pub authentic_pdu_path: Option<String>,
    /// Clusters (buses) on which the secured or the authentic PDU is triggered, sorted.
    pub buses: Vec<String>,
    /// CAN identifiers of the frames carrying the secured PDU, sorted.
    pub can_ids: Vec<u32>,
    /// `AUTH-ALGORITHM`, e.g. `CMAC/AES-128` (not in SecOC ECUC: there it lives in Csm).
    pub algorithm: Option<String>,
    /// Transmitted (truncated) MAC length in bits: `AUTH-INFO-TX-LENGTH`.
    pub mac_bits: Option<u32>,
    /// Full freshness value length in bits: `FRESHNESS-VALUE-LENGTH`.
    pub freshness_value_bits: Option<u32>,
    /// Transmitted (truncated) freshness length in bits: `FRESHNESS-VALUE-TX-LENGTH`.
    pub freshness_bits: Option<u32>,
    pub freshness: Freshness,
}

impl SecocPdu {
    /// Whether any freshness value is used (a PDU without is replayable).
    pub fn has_freshness(&self) -> bool {
        self.freshness != Freshness::None
    }
}

/// An I-PDU (`I-SIGNAL-I-PDU`) and which secured PDUs protect it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IPdu {
    pub place: Place,
    pub name: String,
    pub path: String,
    /// Clusters where it is triggered, sorted.
    pub buses: Vec<String>,
    /// CAN identifiers of the frames carrying it directly (unsecured), sorted.
    pub can_ids: Vec<u32>,
    /// Paths of the SecOC configurations whose authentic PDU it is; empty = not secured.
    pub secured_by: Vec<String>,
}

/// A UDS security access level (service 0x27). Units as in ECU configs: attempts
/// count, delays in milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityLevel {
    pub place: Place,
    pub name: String,
    pub path: String,
    pub source: ConfigSource,
    /// Level number (`DcmDspSecurityLevel`, or (requestSeed sub-function + 1) / 2).
    pub level: Option<u32>,
    /// requestSeed sub-function (`REQUEST-SEED-ID` of a `DIAGNOSTIC-SECURITY-ACCESS`).
    pub request_seed_id: Option<u32>,
    /// Failed attempts before the delay: `NUM-FAILED-SECURITY-ACCESS` /
    /// `DcmDspSecurityNumAttDelay`.
    pub max_attempts: Option<u32>,
    /// Delay after the failed attempts: `SECURITY-DELAY-TIME` / `DcmDspSecurityDelayTime`.
    pub delay_ms: Option<u32>,
    /// Delay at power-on: `SECURITY-DELAY-TIME-ON-BOOT` / `DcmDspSecurityDelayTimeOnBoot`.
    pub delay_on_boot_ms: Option<u32>,
    /// `DcmDspSecurityAttemptCounterEnabled` (whether the counter survives a reset).
    pub attempt_counter_enabled: Option<bool>,
    pub seed_bytes: Option<u32>,
    pub key_bytes: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteKind {
    /// `GATEWAY` / `I-PDU-MAPPING` (system template).
    IPduMapping,
    /// `GATEWAY` / `I-SIGNAL-MAPPING` (system template).
    SignalMapping,
    /// `PduRRoutingPath` (ECUC).
    PduRRoutingPath,
}

/// One end of a route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteEnd {
    /// Name of the PDU (or signal) routed: the I-PDU behind a triggering, or the EcuC PDU.
    pub pdu: Option<String>,
    /// SHORT-NAME path of the referenced element.
    pub path: Option<String>,
    /// Cluster (bus) of that end, when it can be derived.
    pub bus: Option<String>,
    pub can_ids: Vec<u32>,
}

/// A gateway route: source bus/PDU → destination bus/PDU (one per destination).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayRoute {
    pub place: Place,
    /// SHORT-NAME path of the nearest identifiable element (gateway or routing path).
    pub path: String,
    pub kind: RouteKind,
    pub source: RouteEnd,
    pub dest: RouteEnd,
}

/// Everything extracted from a set of ARXML files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArxmlFacts {
    pub files: Vec<String>,
    pub secoc: Vec<SecocPdu>,
    pub pdus: Vec<IPdu>,
    pub security_levels: Vec<SecurityLevel>,
    pub routes: Vec<GatewayRoute>,
    /// Problems that did not stop the extraction: dangling references, values that are
    /// not numbers. A fact relying on such an element has the field as `None`.
    pub errors: Vec<VnetError>,
}

impl ArxmlFacts {
    /// I-PDUs that no SecOC configuration protects.
    pub fn unsecured_pdus(&self) -> impl Iterator<Item = &IPdu> {
        self.pdus.iter().filter(|p| p.secured_by.is_empty())
    }
}

/// Several ARXML files read together (an ECU extract split over files): references
/// resolve across all of them.
#[derive(Debug, Default)]
pub struct ArxmlSet {
    docs: Vec<XmlDoc>,
    limits: Limits,
}

/// Read one ARXML file and extract its facts.
pub fn parse_arxml(file: &str, bytes: &[u8], limits: &Limits) -> Result<ArxmlFacts, VnetError> {
    let mut set = ArxmlSet::new(*limits);
    set.add_file(file, bytes)?;
    Ok(set.facts())
}

impl ArxmlSet {
    pub fn new(limits: Limits) -> Self {
        ArxmlSet {
            docs: Vec::new(),
            limits,
        }
    }

    /// Parse one file (well-formedness and bounds are checked here). `file` is the label
    /// used in places and errors.
    pub fn add_file(&mut self, file: &str, bytes: &[u8]) -> Result<(), VnetError> {
        if bytes.len() > self.limits.max_arxml_bytes {
            // Refuse before copying.
            return Err(VnetError::whole_file(
                file,
                ErrorKind::Limit,
                format!(
                    "file is {} bytes, larger than the limit of {} bytes",
                    bytes.len(),
                    self.limits.max_arxml_bytes
                ),
            ));
        }
        self.add_file_owned(file, bytes.to_vec())
    }

    /// As [`ArxmlSet::add_file`], taking the bytes by value (no copy of a large file).
    pub fn add_file_owned(&mut self, file: &str, bytes: Vec<u8>) -> Result<(), VnetError> {
        let doc = xml::parse(file, bytes, &self.limits)?;
        if doc.name(0) != "AUTOSAR" {
            return Err(VnetError::at_line_col(
                file,
                doc.line_col(0).0,
                doc.line_col(0).1,
                ErrorKind::Syntax,
                format!("root element is <{}>, not <AUTOSAR>", doc.name(0)),
            ));
        }
        self.docs.push(doc);
        Ok(())
    }

    /// Resolve references and extract the facts.
    pub fn facts(&self) -> ArxmlFacts {
        let table = PathTable::build(&self.docs);
        let mut cx = Ctx::new(&self.docs, &table);
        cx.check_refs();
        let mut facts = ArxmlFacts {
            files: self.docs.iter().map(|d| d.file.clone()).collect(),
            ..Default::default()
        };
        for d in 0..self.docs.len() as u32 {
            cx.secured_pdus(d, &mut facts.secoc);
            cx.diag_levels(d, &mut facts.security_levels);
            cx.gateway_mappings(d, &mut facts.routes);
            cx.ecuc(d, &mut facts);
        }
        for d in 0..self.docs.len() as u32 {
            cx.ipdus(d, &facts.secoc, &mut facts.pdus);
        }
        facts.errors = std::mem::take(&mut cx.errors);
        facts.errors.sort();
        facts.errors.dedup();
        facts
    }
}

type NodeRef = (u32, u32);

/// SHORT-NAME paths of all identifiable elements.
struct PathTable {
    /// Per doc, per node: index into `paths` of the nearest identifiable
    /// ancestor-or-self, NONE when there is none.
    owner: Vec<Vec<u32>>,
    paths: Vec<String>,
    path_node: Vec<NodeRef>,
}

impl PathTable {
    fn build(docs: &[XmlDoc]) -> Self {
        let mut t = PathTable {
            owner: Vec::with_capacity(docs.len()),
            paths: Vec::new(),
            path_node: Vec::new(),
        };
        for (di, doc) in docs.iter().enumerate() {
            let sn = doc.name_id("SHORT-NAME");
            let mut owner = vec![NONE; doc.nodes.len()];
            // Nodes are in document order: a parent always precedes its children.
            for i in 0..doc.nodes.len() {
                let node = &doc.nodes[i];
                let parent_owner = if node.parent == NONE {
                    NONE
                } else {
                    owner[node.parent as usize]
                };
                let short = sn.and_then(|sn| {
                    doc.children(i as u32)
                        .find(|c| doc.nodes[*c as usize].name == sn)
                        .and_then(|c| doc.text_of(c))
                });
                owner[i] = match short {
                    Some(short) => {
                        let parent = if parent_owner == NONE {
                            ""
                        } else {
                            t.paths[parent_owner as usize].as_str()
                        };
                        let mut p = String::with_capacity(parent.len() + 1 + short.len());
                        p.push_str(parent);
                        p.push('/');
                        p.push_str(short);
                        t.paths.push(p);
                        t.path_node.push((di as u32, i as u32));
                        (t.paths.len() - 1) as u32
                    }
                    None => parent_owner,
                };
            }
            t.owner.push(owner);
        }
        t
    }
}

struct Ctx<'a> {
    docs: &'a [XmlDoc],
    t: &'a PathTable,
    /// Path → index into `t.paths` (the first element with that path wins).
    by_path: HashMap<&'a str, u32>,
    /// Per path index: reference elements pointing at it.
    referrers: Vec<Vec<NodeRef>>,
    /// Per doc, per node: path index a reference element resolves to, or NONE.
    resolved: Vec<Vec<u32>>,
    errors: Vec<VnetError>,
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

impl<'a> Ctx<'a> {
    fn new(docs: &'a [XmlDoc], t: &'a PathTable) -> Self {
        let mut by_path = HashMap::with_capacity(t.paths.len());
        for (i, p) in t.paths.iter().enumerate() {
            by_path.entry(p.as_str()).or_insert(i as u32);
        }
        Ctx {
            docs,
            t,
            by_path,
            referrers: vec![Vec::new(); t.paths.len()],
            resolved: docs.iter().map(|d| vec![NONE; d.nodes.len()]).collect(),
            errors: Vec::new(),
        }
    }

    fn doc(&self, d: u32) -> &'a XmlDoc {
        &self.docs[d as usize]
    }

    fn place(&self, d: u32, n: u32) -> Place {
        let doc = self.doc(d);
        let (line, col) = doc.line_col(n);
        let o = self.t.owner[d as usize][n as usize];
        Place {
            file: doc.file.clone(),
            line,
            col,
            path: (o != NONE).then(|| self.t.paths[o as usize].clone()),
        }
    }

    /// SHORT-NAME path of the node itself (when identifiable).
    fn own_path(&self, d: u32, n: u32) -> Option<&str> {
        let o = self.t.owner[d as usize][n as usize];
        (o != NONE && self.t.path_node[o as usize] == (d, n))
            .then(|| self.t.paths[o as usize].as_str())
    }

    fn short_name(&self, d: u32, n: u32) -> Option<&'a str> {
        self.doc(d).child_text(n, "SHORT-NAME")
    }

    fn err(&mut self, d: u32, n: u32, kind: ErrorKind, msg: String) {
        let p = self.place(d, n);
        self.errors.push(VnetError::at(&p, kind, msg));
    }

    /// Index every reference; report those whose target exists nowhere. DEFINITION-REF
    /// (ECUC parameter definitions of the standard BSW modules) is not checked: those
    /// definitions are normally not part of an ECU extract.
    fn check_refs(&mut self) {
        let mut dangling = Vec::new();
        let docs: &'a [XmlDoc] = self.docs;
        for (di, doc) in docs.iter().enumerate() {
            // Which element names are references (decided once per name).
            let is_ref: Vec<bool> = (0..doc.name_count())
                .map(|id| {
                    let n = doc.name_by_id(id);
                    n.ends_with("-REF") && n != "DEFINITION-REF"
                })
                .collect();
            for ni in 0..doc.nodes.len() {
                if !is_ref[doc.nodes[ni].name as usize] {
                    continue;
                }
                let name = doc.name(ni as u32);
                let Some(target) = doc.text_of(ni as u32) else {
                    continue;
                };
                if !target.starts_with('/') {
                    dangling.push((
                        di as u32,
                        ni as u32,
                        format!(
                            "relative reference <{name}>{target}</{name}> (BASE {}) is not resolved: only absolute SHORT-NAME paths are",
                            doc.base_of(ni as u32).unwrap_or("absent")
                        ),
                    ));
                    continue;
                }
                if let Some(&idx) = self.by_path.get(target) {
                    self.referrers[idx as usize].push((di as u32, ni as u32));
                    self.resolved[di][ni] = idx;
                } else {
                    dangling.push((
                        di as u32,
                        ni as u32,
                        format!(
                            "<{name}> refers to {target}{}, which exists in none of the files read",
                            doc.dest_of(ni as u32)
                                .map(|d| format!(" (DEST {d})"))
                                .unwrap_or_default()
                        ),
                    ));
                }
            }
        }
        for (d, n, msg) in dangling {
            self.err(d, n, ErrorKind::DanglingReference, msg);
        }
    }

    /// Target of a reference element (None when absent or dangling).
    fn resolve(&self, d: u32, ref_node: u32) -> Option<NodeRef> {
        let i = self.resolved[d as usize][ref_node as usize];
        (i != NONE).then(|| self.t.path_node[i as usize])
    }

    fn resolve_child(&self, d: u32, n: u32, ref_name: &str) -> Option<NodeRef> {
        let r = self.doc(d).child(n, ref_name)?;
        self.resolve(d, r)
    }

    fn name_of(&self, (d, n): NodeRef) -> &'a str {
        self.doc(d).name(n)
    }

    /// Reference elements named `ref_name` pointing at `target`, as (doc, owner node).
    fn referrer_owners(&self, target: NodeRef, ref_name: &str) -> Vec<NodeRef> {
        let mut out = Vec::new();
        let o = self.t.owner[target.0 as usize][target.1 as usize];
        if o != NONE && self.t.path_node[o as usize] == target {
            for &(d, n) in &self.referrers[o as usize] {
                if self.doc(d).name(n) != ref_name {
                    continue;
                }
                let o = self.t.owner[d as usize][n as usize];
                if o != NONE {
                    out.push(self.t.path_node[o as usize]);
                }
            }
        }
        out
    }

    /// Short name of the `*-CLUSTER` above a node.
    fn cluster_of(&self, (d, mut n): NodeRef) -> Option<String> {
        let doc = self.doc(d);
        while n != NONE {
            if doc.name(n).ends_with("-CLUSTER") {
                return self.short_name(d, n).map(str::to_string);
            }
            n = doc.node(n).parent;
        }
        None
    }

    fn ancestor_ending(&self, (d, mut n): NodeRef, suffix: &str) -> Option<NodeRef> {
        let doc = self.doc(d);
        while n != NONE {
            if doc.name(n).ends_with(suffix) {
                return Some((d, n));
            }
            n = doc.node(n).parent;
        }
        None
    }

    /// Buses where a PDU is triggered and CAN ids of the frames carrying it directly.
    fn pdu_bus_ids(&mut self, pdu: NodeRef) -> (BTreeSet<String>, BTreeSet<u32>) {
        let mut buses = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for trig in self.referrer_owners(pdu, "I-PDU-REF") {
            if let Some(c) = self.cluster_of(trig) {
                buses.insert(c);
            }
        }
        for mapping in self.referrer_owners(pdu, "PDU-REF") {
            let Some(frame) = self.ancestor_ending(mapping, "-FRAME") else {
                continue;
            };
            for ft in self.referrer_owners(frame, "FRAME-REF") {
                if let Some(c) = self.cluster_of(ft) {
                    buses.insert(c);
                }
                if let Some(id_node) = self.doc(ft.0).child(ft.1, "IDENTIFIER")
                    && let Some(id) = self.uint(ft.0, id_node)
                {
                    ids.insert(id);
                }
            }
        }
        (buses, ids)
    }

    fn uint(&mut self, d: u32, n: u32) -> Option<u32> {
        let t = self.doc(d).text_of(n)?;
        match parse_uint(t) {
            Some(v) => Some(v),
            None => {
                let name = self.doc(d).name(n).to_string();
                self.err(
                    d,
                    n,
                    ErrorKind::BadValue,
                    format!("<{name}> is {t:?}, not an unsigned integer"),
                );
                None
            }
        }
    }

    fn child_uint(&mut self, d: u32, n: u32, name: &str) -> Option<u32> {
        let c = self.doc(d).child(n, name)?;
        self.uint(d, c)
    }

    fn bool_value(&mut self, d: u32, n: u32) -> Option<bool> {
        let t = self.doc(d).text_of(n)?;
        match t {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => {
                let name = self.doc(d).name(n).to_string();
                self.err(
                    d,
                    n,
                    ErrorKind::BadValue,
                    format!("<{name}> is {t:?}, not a boolean"),
                );
                None
            }
        }
    }

    /// A time in seconds (AUTOSAR TimeValue) → milliseconds.
    fn seconds_ms(&mut self, d: u32, n: u32) -> Option<u32> {
        let t = self.doc(d).text_of(n)?;
        match parse_seconds_ms(t) {
            Some(v) => Some(v),
            None => {
                let name = self.doc(d).name(n).to_string();
                self.err(
                    d,
                    n,
                    ErrorKind::BadValue,
                    format!("<{name}> is {t:?}, not a time in seconds between 0 and 4294967 s"),
                );
                None
            }
        }
    }

    fn secured_pdus(&mut self, d: u32, out: &mut Vec<SecocPdu>) {
        let doc = self.doc(d);
        for n in doc.all_named("SECURED-I-PDU").collect::<Vec<_>>() {
            let name = self.short_name(d, n).unwrap_or("").to_string();
            let path = self.own_path(d, n).unwrap_or("").to_string();
            let place = self.place(d, n);
            // Authentic PDU: PAYLOAD-REF → PDU-TRIGGERING → I-PDU-REF (or an I-PDU).
            let mut authentic = None;
            if let Some(target) = self.resolve_child(d, n, "PAYLOAD-REF") {
                authentic = if self.name_of(target) == "PDU-TRIGGERING" {
                    self.resolve_child(target.0, target.1, "I-PDU-REF")
                } else {
                    Some(target)
                };
            }
            // Properties: referenced (R4.4+) first, inline (R4.2/4.3) otherwise.
            let inline = doc.child(n, "SECURE-COMMUNICATION-PROPS").map(|p| (d, p));
            let auth = self
                .resolve_child(d, n, "AUTHENTICATION-PROPS-REF")
                .or(inline);
            let fresh = self.resolve_child(d, n, "FRESHNESS-PROPS-REF").or(inline);
            let algorithm = auth
                .and_then(|(ad, an)| self.doc(ad).child_text(an, "AUTH-ALGORITHM"))
                .map(str::to_string);
            let mac_bits = auth.and_then(|(ad, an)| self.child_uint(ad, an, "AUTH-INFO-TX-LENGTH"));
            let fv =
                fresh.and_then(|(fd, fnode)| self.child_uint(fd, fnode, "FRESHNESS-VALUE-LENGTH"));
            let ftx = fresh
                .and_then(|(fd, fnode)| self.child_uint(fd, fnode, "FRESHNESS-VALUE-TX-LENGTH"));
            let ts = fresh
                .and_then(|(fd, fnode)| {
                    self.doc(fd)
                        .child(fnode, "USE-FRESHNESS-TIMESTAMP")
                        .map(|c| (fd, c))
                })
                .and_then(|(fd, c)| self.bool_value(fd, c));
            let freshness = freshness_of(fv, ftx, ts);
            let (mut buses, can_ids) = self.pdu_bus_ids((d, n));
            let (authentic_pdu, authentic_pdu_path) = match authentic {
                Some(a) => {
                    let (b, _) = self.pdu_bus_ids(a);
                    buses.extend(b);
                    (
                        self.short_name(a.0, a.1).map(str::to_string),
                        self.own_path(a.0, a.1).map(str::to_string),
                    )
                }
                None => (None, None),
            };
            out.push(SecocPdu {
                place,
                name,
                path,
                source: ConfigSource::SystemTemplate,
                authentic_pdu,
                authentic_pdu_path,
                buses: buses.into_iter().collect(),
                can_ids: can_ids.into_iter().collect(),
                algorithm,
                mac_bits,
                freshness_value_bits: fv,
                freshness_bits: ftx,
                freshness,
            });
        }
    }

    fn diag_levels(&mut self, d: u32, out: &mut Vec<SecurityLevel>) {
        let doc = self.doc(d);
        for n in doc
            .all_named("DIAGNOSTIC-SECURITY-LEVEL")
            .collect::<Vec<_>>()
        {
            let path = self.own_path(d, n).unwrap_or("").to_string();
            let mut lvl = SecurityLevel {
                place: self.place(d, n),
                name: self.short_name(d, n).unwrap_or("").to_string(),
                path: path.clone(),
                source: ConfigSource::SystemTemplate,
                level: None,
                request_seed_id: None,
                max_attempts: self.child_uint(d, n, "NUM-FAILED-SECURITY-ACCESS"),
                delay_ms: doc
                    .child(n, "SECURITY-DELAY-TIME")
                    .and_then(|c| self.seconds_ms(d, c)),
                delay_on_boot_ms: None,
                attempt_counter_enabled: None,
                seed_bytes: self.child_uint(d, n, "SEED-SIZE"),
                key_bytes: self.child_uint(d, n, "KEY-SIZE"),
            };
            // DIAGNOSTIC-SECURITY-ACCESS elements referring to this level carry the
            // requestSeed sub-function and the delay on boot.
            for (ad, an) in self.referrer_owners((d, n), "SECURITY-LEVEL-REF") {
                if self.name_of((ad, an)) != "DIAGNOSTIC-SECURITY-ACCESS" {
                    continue;
                }
                if lvl.request_seed_id.is_none() {
                    lvl.request_seed_id = self.child_uint(ad, an, "REQUEST-SEED-ID");
                }
                if lvl.delay_on_boot_ms.is_none() {
                    lvl.delay_on_boot_ms = self
                        .doc(ad)
                        .child(an, "SECURITY-DELAY-TIME-ON-BOOT")
                        .and_then(|c| self.seconds_ms(ad, c));
                }
            }
            lvl.level = lvl
                .request_seed_id
                .filter(|id| id % 2 == 1)
                .map(|id| id.div_ceil(2));
            out.push(lvl);
        }
    }

    fn route_end_triggering(&mut self, trig: Option<NodeRef>) -> RouteEnd {
        let Some(t) = trig else {
            return RouteEnd {
                pdu: None,
                path: None,
                bus: None,
                can_ids: Vec::new(),
            };
        };
        let bus = self.cluster_of(t);
        // PDU-TRIGGERING → I-PDU-REF; I-SIGNAL-TRIGGERING → I-SIGNAL-REF.
        let inner = self
            .resolve_child(t.0, t.1, "I-PDU-REF")
            .or_else(|| self.resolve_child(t.0, t.1, "I-SIGNAL-REF"));
        let (pdu, path, can_ids) = match inner {
            Some(p) => {
                let ids = if self.name_of(p).ends_with("-PDU") {
                    self.pdu_bus_ids(p).1.into_iter().collect()
                } else {
                    Vec::new()
                };
                (
                    self.short_name(p.0, p.1).map(str::to_string),
                    self.own_path(p.0, p.1).map(str::to_string),
                    ids,
                )
            }
            None => (
                self.short_name(t.0, t.1).map(str::to_string),
                self.own_path(t.0, t.1).map(str::to_string),
                Vec::new(),
            ),
        };
        RouteEnd {
            pdu,
            path,
            bus,
            can_ids,
        }
    }

    fn gateway_mappings(&mut self, d: u32, out: &mut Vec<GatewayRoute>) {
        let doc = self.doc(d);
        for (elem, src, dst_wrap, dst, kind) in [
            (
                "I-PDU-MAPPING",
                "SOURCE-I-PDU-REF",
                Some("TARGET-I-PDU"),
                "TARGET-I-PDU-REF",
                RouteKind::IPduMapping,
            ),
            (
                "I-SIGNAL-MAPPING",
                "SOURCE-SIGNAL-REF",
                None,
                "TARGET-SIGNAL-REF",
                RouteKind::SignalMapping,
            ),
        ] {
            for n in doc.all_named(elem).collect::<Vec<_>>() {
                let s = self.resolve_child(d, n, src);
                let target_holder = match dst_wrap {
                    Some(w) => doc.child(n, w).unwrap_or(n),
                    None => n,
                };
                let t = self.resolve_child(d, target_holder, dst);
                let source = self.route_end_triggering(s);
                let dest = self.route_end_triggering(t);
                let place = self.place(d, n);
                out.push(GatewayRoute {
                    path: place.path.clone().unwrap_or_default(),
                    place,
                    kind,
                    source,
                    dest,
                });
            }
        }
    }

    /// ECUC helpers: last segment of DEFINITION-REF.
    fn ecuc_def(&self, d: u32, n: u32) -> Option<&'a str> {
        self.doc(d)
            .child_text(n, "DEFINITION-REF")
            .map(last_segment)
    }

    /// Parameter value nodes of a container: (definition tail, VALUE node).
    fn ecuc_params(&self, d: u32, n: u32) -> Vec<(&'a str, u32)> {
        let doc = self.doc(d);
        let mut out = Vec::new();
        if let Some(pv) = doc.child(n, "PARAMETER-VALUES") {
            for p in doc.children(pv) {
                if let (Some(def), Some(v)) = (self.ecuc_def(d, p), doc.child(p, "VALUE")) {
                    out.push((def, v));
                }
            }
        }
        out
    }

    /// Reference values of a container: (definition tail, VALUE-REF node).
    fn ecuc_refs(&self, d: u32, n: u32) -> Vec<(&'a str, u32)> {
        let doc = self.doc(d);
        let mut out = Vec::new();
        if let Some(rv) = doc.child(n, "REFERENCE-VALUES") {
            for r in doc.children(rv) {
                if let (Some(def), Some(v)) = (self.ecuc_def(d, r), doc.child(r, "VALUE-REF")) {
                    out.push((def, v));
                }
            }
        }
        out
    }

    fn ecuc_subs(&self, d: u32, n: u32) -> Vec<u32> {
        let doc = self.doc(d);
        doc.child(n, "SUB-CONTAINERS")
            .map(|s| doc.children(s).collect())
            .unwrap_or_default()
    }

    fn ecuc_param_uint(&mut self, d: u32, n: u32, names: &[&str]) -> Option<u32> {
        let v = self
            .ecuc_params(d, n)
            .into_iter()
            .find(|(def, _)| names.contains(def))?
            .1;
        self.uint(d, v)
    }

    /// The system-template I-PDU behind an EcuC PDU container, when one of its
    /// references leads to it (a PDU, a PDU triggering or a PDU-to-frame mapping), and
    /// the bus when the reference names one triggering.
    fn ecuc_pdu_target(&self, pdu: NodeRef) -> Option<(NodeRef, Option<String>)> {
        for (_, r) in self.ecuc_refs(pdu.0, pdu.1) {
            let Some(t) = self.resolve(pdu.0, r) else {
                continue;
            };
            let name = self.name_of(t);
            if name == "PDU-TRIGGERING" {
                let bus = self.cluster_of(t);
                return self.resolve_child(t.0, t.1, "I-PDU-REF").map(|p| (p, bus));
            }
            if name == "PDU-TO-FRAME-MAPPING" {
                return self.resolve_child(t.0, t.1, "PDU-REF").map(|p| (p, None));
            }
            if name.ends_with("-PDU") {
                return Some((t, None));
            }
        }
        None
    }

    fn ecuc_pdu_system(&self, pdu: NodeRef) -> Option<NodeRef> {
        self.ecuc_pdu_target(pdu).map(|(p, _)| p)
    }

    fn ecuc_route_end(&mut self, pdu: Option<NodeRef>) -> RouteEnd {
        let Some(p) = pdu else {
            return RouteEnd {
                pdu: None,
                path: None,
                bus: None,
                can_ids: Vec::new(),
            };
        };
        // The bus of the named triggering; else the PDU's only bus; none when ambiguous.
        let (bus, can_ids) = match self.ecuc_pdu_target(p) {
            Some((sys, specific)) => {
                let (b, i) = self.pdu_bus_ids(sys);
                let bus = specific.or_else(|| {
                    if b.len() == 1 {
                        b.into_iter().next()
                    } else {
                        None
                    }
                });
                (bus, i.into_iter().collect())
            }
            None => (None, Vec::new()),
        };
        RouteEnd {
            pdu: self.short_name(p.0, p.1).map(str::to_string),
            path: self.own_path(p.0, p.1).map(str::to_string),
            bus,
            can_ids,
        }
    }

    fn ecuc(&mut self, d: u32, facts: &mut ArxmlFacts) {
        let doc = self.doc(d);
        for n in doc.all_named("ECUC-CONTAINER-VALUE").collect::<Vec<_>>() {
            match self.ecuc_def(d, n) {
                Some("SecOCTxPduProcessing" | "SecOCRxPduProcessing") => {
                    let s = self.ecuc_secoc(d, n);
                    facts.secoc.push(s);
                }
                Some("DcmDspSecurityRow") => {
                    let l = self.ecuc_security_row(d, n);
                    facts.security_levels.push(l);
                }
                Some("PduRRoutingPath") => self.ecuc_pdur(d, n, &mut facts.routes),
                _ => {}
            }
        }
    }

    fn ecuc_secoc(&mut self, d: u32, n: u32) -> SecocPdu {
        let mac_bits =
            self.ecuc_param_uint(d, n, &["SecOCAuthInfoTruncLength", "SecOCAuthInfoTxLength"]);
        let fv = self.ecuc_param_uint(d, n, &["SecOCFreshnessValueLength"]);
        let ftx = self.ecuc_param_uint(
            d,
            n,
            &[
                "SecOCFreshnessValueTruncLength",
                "SecOCFreshnessValueTxLength",
            ],
        );
        let mut authentic = None;
        let mut secured = None;
        for sub in self.ecuc_subs(d, n) {
            for (def, r) in self.ecuc_refs(d, sub) {
                if def.ends_with("AuthenticLayerPduRef") {
                    authentic = authentic.or(self.resolve(d, r));
                } else if def.ends_with("SecuredLayerPduRef") {
                    secured = secured.or(self.resolve(d, r));
                }
            }
        }
        let mut buses = BTreeSet::new();
        let mut can_ids = BTreeSet::new();
        for p in [secured, authentic].into_iter().flatten() {
            if let Some(sys) = self.ecuc_pdu_system(p) {
                let (b, i) = self.pdu_bus_ids(sys);
                buses.extend(b);
                if Some(p) == secured {
                    can_ids.extend(i);
                }
            }
        }
        // The authentic PDU is named as the system I-PDU when it can be followed there.
        let auth_sys = authentic
            .and_then(|a| self.ecuc_pdu_system(a))
            .or(authentic);
        SecocPdu {
            place: self.place(d, n),
            name: self.short_name(d, n).unwrap_or("").to_string(),
            path: self.own_path(d, n).unwrap_or("").to_string(),
            source: ConfigSource::Ecuc,
            authentic_pdu: auth_sys
                .and_then(|a| self.short_name(a.0, a.1))
                .map(str::to_string),
            authentic_pdu_path: auth_sys
                .and_then(|a| self.own_path(a.0, a.1))
                .map(str::to_string),
            buses: buses.into_iter().collect(),
            can_ids: can_ids.into_iter().collect(),
            algorithm: None,
            mac_bits,
            freshness_value_bits: fv,
            freshness_bits: ftx,
            freshness: freshness_of(fv, ftx, None),
        }
    }

    fn ecuc_security_row(&mut self, d: u32, n: u32) -> SecurityLevel {
        let mut lvl = SecurityLevel {
            place: self.place(d, n),
            name: self.short_name(d, n).unwrap_or("").to_string(),
            path: self.own_path(d, n).unwrap_or("").to_string(),
            source: ConfigSource::Ecuc,
            level: None,
            request_seed_id: None,
            max_attempts: None,
            delay_ms: None,
            delay_on_boot_ms: None,
            attempt_counter_enabled: None,
            seed_bytes: None,
            key_bytes: None,
        };
        for (def, v) in self.ecuc_params(d, n) {
            match def {
                "DcmDspSecurityLevel" => lvl.level = self.uint(d, v),
                "DcmDspSecurityNumAttDelay" => lvl.max_attempts = self.uint(d, v),
                "DcmDspSecurityDelayTime" => lvl.delay_ms = self.seconds_ms(d, v),
                "DcmDspSecurityDelayTimeOnBoot" => lvl.delay_on_boot_ms = self.seconds_ms(d, v),
                "DcmDspSecurityAttemptCounterEnabled" => {
                    lvl.attempt_counter_enabled = self.bool_value(d, v)
                }
                "DcmDspSecuritySeedSize" => lvl.seed_bytes = self.uint(d, v),
                "DcmDspSecurityKeySize" => lvl.key_bytes = self.uint(d, v),
                _ => {}
            }
        }
        if let Some(l) = lvl.level {
            lvl.request_seed_id = l.checked_mul(2).map(|x| x - 1);
        }
        lvl
    }

    fn ecuc_pdur(&mut self, d: u32, n: u32, out: &mut Vec<GatewayRoute>) {
        let mut src = None;
        let mut dests = Vec::new();
        for sub in self.ecuc_subs(d, n) {
            match self.ecuc_def(d, sub) {
                Some("PduRSrcPdu") => {
                    for (def, r) in self.ecuc_refs(d, sub) {
                        if def == "PduRSrcPduRef" {
                            src = src.or(self.resolve(d, r));
                        }
                    }
                }
                Some("PduRDestPdu") => {
                    for (def, r) in self.ecuc_refs(d, sub) {
                        if def == "PduRDestPduRef" {
                            dests.push(self.resolve(d, r));
                        }
                    }
                }
                _ => {}
            }
        }
        let place = self.place(d, n);
        let source = self.ecuc_route_end(src);
        for dst in dests {
            let dest = self.ecuc_route_end(dst);
            out.push(GatewayRoute {
                place: place.clone(),
                path: self.own_path(d, n).unwrap_or("").to_string(),
                kind: RouteKind::PduRRoutingPath,
                source: source.clone(),
                dest,
            });
        }
    }

    fn is_system_pdu(&self, path: &str) -> bool {
        self.by_path.get(path).is_some_and(|i| {
            self.name_of(self.t.path_node[*i as usize])
                .ends_with("-I-PDU")
        })
    }

    fn ipdus(&mut self, d: u32, secoc: &[SecocPdu], out: &mut Vec<IPdu>) {
        let doc = self.doc(d);
        let mut by_path: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut by_name: HashMap<&str, Vec<&str>> = HashMap::new();
        for s in secoc {
            match s.authentic_pdu_path.as_deref() {
                Some(p) if s.source == ConfigSource::Ecuc && !self.is_system_pdu(p) => {
                    if let Some(n) = s.authentic_pdu.as_deref() {
                        by_name.entry(n).or_default().push(&s.path);
                    }
                }
                Some(p) => by_path.entry(p).or_default().push(&s.path),
                None => {}
            }
        }
        for n in doc.all_named("I-SIGNAL-I-PDU").collect::<Vec<_>>() {
            let name = self.short_name(d, n).unwrap_or("").to_string();
            let path = self.own_path(d, n).unwrap_or("").to_string();
            let (buses, can_ids) = self.pdu_bus_ids((d, n));
            // Secured when a SecOC configuration names it as its authentic PDU: by path
            // (system template, or ECUC followed to the system PDU), else by SHORT-NAME
            // for ECUC configurations that could not be followed to a system PDU.
            let mut secured_by: Vec<String> = by_path
                .get(path.as_str())
                .into_iter()
                .chain(by_name.get(name.as_str()))
                .flatten()
                .map(|s| s.to_string())
                .collect();
            secured_by.sort();
            secured_by.dedup();
            out.push(IPdu {
                place: self.place(d, n),
                name,
                path,
                buses: buses.into_iter().collect(),
                can_ids: can_ids.into_iter().collect(),
                secured_by,
            });
        }
    }
}

fn freshness_of(fv: Option<u32>, ftx: Option<u32>, timestamp: Option<bool>) -> Freshness {
    if fv.unwrap_or(0) == 0 && ftx.unwrap_or(0) == 0 {
        Freshness::None
    } else if timestamp == Some(true) {
        Freshness::Timestamp
    } else {
        Freshness::Counter
    }
}

/// AUTOSAR integer literal: decimal, `0x` hex, `0b` binary, `0` octal.
pub(crate) fn parse_uint(t: &str) -> Option<u32> {
    let t = t.trim();
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        u32::from_str_radix(b, 2).ok()
    } else if t.len() > 1 && t.starts_with('0') {
        u32::from_str_radix(&t[1..], 8).ok()
    } else {
        t.parse().ok()
    }
}

fn parse_seconds_ms(t: &str) -> Option<u32> {
    let s: f64 = t.trim().parse().ok()?;
    if !s.is_finite() || s < 0.0 {
        return None;
    }
    let ms = (s * 1000.0).round();
    (ms <= u32::MAX as f64).then_some(ms as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_and_times() {
        assert_eq!(parse_uint("24"), Some(24));
        assert_eq!(parse_uint("0x1A0"), Some(0x1A0));
        assert_eq!(parse_uint("0b101"), Some(5));
        assert_eq!(parse_uint("010"), Some(8));
        assert_eq!(parse_uint("0"), Some(0));
        assert_eq!(parse_uint("-1"), None);
        assert_eq!(parse_uint("abc"), None);
        assert_eq!(parse_seconds_ms("10"), Some(10_000));
        assert_eq!(parse_seconds_ms("0.5"), Some(500));
        assert_eq!(parse_seconds_ms("1e3"), Some(1_000_000));
        assert_eq!(parse_seconds_ms("-1"), None);
        assert_eq!(parse_seconds_ms("NaN"), None);
        assert_eq!(parse_seconds_ms("1e10"), None);
    }

    #[test]
    fn freshness_words() {
        assert_eq!(freshness_of(None, None, None), Freshness::None);
        assert_eq!(freshness_of(Some(0), Some(0), None), Freshness::None);
        assert_eq!(freshness_of(Some(64), Some(8), None), Freshness::Counter);
        assert_eq!(
            freshness_of(Some(64), Some(0), Some(true)),
            Freshness::Timestamp
        );
    }
}
