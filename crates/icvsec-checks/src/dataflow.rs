//! Data-flow checks (data area): classification, personal information, in-vehicle
//! processing, cross-border transfer and protection in transit, over the data-flow
//! manifest (`data/*.json`) and the flow graph it describes.
//!
//! The flow graph has one node per ECU (on board), endpoint, data store (on board when
//! it sits on an ECU, else in its cloud region) and party, and one edge per flow, labelled
//! with the items it carries. Route analysis ([`Graph::routes`]) follows one item from
//! the nodes where it originates to where it ends, through every intermediate hop, with
//! a visited set per path (cycles end a route, never loop) and bounds on depth and on the
//! number of routes. [`data_map`] publishes those routes for the report.

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::Inventory;
use icvsec_inputs::inventory::Placed;
use icvsec_model::input::dataflow::{ConsentDuration, DataCategory, DataFlow, DataItem, DataStore};
use icvsec_model::input::vehicle::Owner;
use icvsec_model::report::{DataMapEntry, DataRoute};
use icvsec_model::{AssetKind, Location};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Longest route followed (flows), so a long chain cannot make analysis explode.
pub const MAX_ROUTE_DEPTH: usize = 32;
/// Most routes enumerated per item; beyond it the result is marked truncated.
pub const MAX_ROUTES: usize = 256;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "data.classified",
            AssetKind::DataItem,
            "Every data item has a category other than `unclassified` and a classification level.",
            classified,
        ),
        CheckDef::new(
            "data.in_vehicle_processing",
            AssetKind::DataFlow,
            "Sensitive personal information leaves the vehicle only with a stated reason (off_vehicle_justification).",
            in_vehicle_processing,
        ),
        CheckDef::new(
            "data.off_by_default",
            AssetKind::DataFlow,
            "Collection of sensitive personal information on board is off by default (off_by_default = true).",
            off_by_default,
        ),
        CheckDef::new(
            "data.separate_consent",
            AssetKind::DataFlow,
            "Every flow of sensitive personal information rests on separate consent (or another accepted basis).",
            separate_consent,
        ),
        CheckDef::new(
            "data.consent_duration",
            AssetKind::DataFlow,
            "Consent-based flows state a consent period in days, never `permanent`, within the maximum.",
            consent_duration,
        ),
        CheckDef::new(
            "data.outside_images_anonymised",
            AssetKind::DataFlow,
            "Outside images with faces or licence plates are anonymised or aggregated before they leave the vehicle.",
            outside_images_anonymised,
        ),
        CheckDef::new(
            "data.stored_in_china",
            AssetKind::DataStore,
            "Stores holding personal information or important data are on board or in China.",
            stored_in_china,
        ),
        CheckDef::new(
            "data.export_assessment",
            AssetKind::DataFlow,
            "A flow leaving China with important data, or personal information above the thresholds, names its security assessment.",
            export_assessment,
        ),
        CheckDef::new(
            "data.no_direct_export",
            AssetKind::DataFlow,
            "No flow goes from the vehicle straight to a node outside China.",
            no_direct_export,
        ),
        CheckDef::new(
            "data.flow_retention",
            AssetKind::DataFlow,
            "Flows off the vehicle keep data no longer than the limits by kind and category.",
            flow_retention,
        ),
        CheckDef::new(
            "data.store_retention",
            AssetKind::DataStore,
            "Stores state how long they keep personal data, within the limits by kind and category.",
            store_retention,
        ),
        CheckDef::new(
            "data.deletion",
            AssetKind::DataStore,
            "Stores of personal information let the user delete it within the deadline (working days).",
            deletion,
        ),
        CheckDef::new(
            "data.encrypted_at_rest",
            AssetKind::DataStore,
            "Stores of personal information or important data are encrypted at rest.",
            encrypted_at_rest,
        ),
        CheckDef::new(
            "data.third_party_sharing",
            AssetKind::DataFlow,
            "Flows to a third party declare a purpose and an accepted legal basis.",
            third_party_sharing,
        ),
        CheckDef::new(
            "data.transit_protection",
            AssetKind::DataFlow,
            "A flow into or out of the vehicle travels over an endpoint whose TLS profile and server certificate pass the TLS and PKI policy.",
            transit_protection,
        ),
        CheckDef::new(
            "data.route_export",
            AssetKind::DataItem,
            "Every route (through any number of hops) on which an item that needs an export assessment leaves China names the assessment at the border.",
            route_export,
        ),
        CheckDef::new(
            "data.route_third_party",
            AssetKind::DataItem,
            "Every route (through any number of hops) on which personal or important data reaches a third party enters it with a purpose and an accepted legal basis.",
            route_third_party,
        ),
    ]
}

// ---------------------------------------------------------------- graph

/// What a node of the flow graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Ecu,
    Endpoint,
    Store,
    Party,
}

/// A node of the flow graph.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// On the vehicle (an ECU, or a store on an ECU).
    pub on_board: bool,
    /// Declared region of an off-board node (`None`: not declared).
    pub region: Option<String>,
    pub third_party: bool,
}

/// Whether a region code means mainland China (`CN`, or a subdivision `CN-xx`).
pub fn is_china(region: &str) -> bool {
    let r = region.trim().to_ascii_uppercase();
    r == "CN" || r.starts_with("CN-")
}

/// One route of an item: nodes from source to destination, and the flows between them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub nodes: Vec<String>,
    pub flows: Vec<String>,
}

/// Routes of one item, and whether the enumeration hit a bound.
#[derive(Clone, Debug, Default)]
pub struct Routes {
    pub routes: Vec<Route>,
    pub truncated: bool,
}

/// The flow graph's index of an inventory: built once per scan (memoized in the
/// inventory) instead of once per asset and rule.
pub struct GraphIndex {
    nodes: BTreeMap<String, Node>,
    /// Outgoing flow ids per node id, in flow id order.
    out: BTreeMap<String, Vec<String>>,
    /// Whether the vehicle is sold in China (on-board nodes are then in China).
    vehicle_in_china: bool,
    /// Ids that name nodes of more than one kind (e.g. a store and an ECU).
    ambiguous: BTreeSet<String>,
}

/// The flow graph of an inventory.
pub struct Graph<'a> {
    inv: &'a Inventory,
    ix: std::sync::Arc<GraphIndex>,
}

impl std::ops::Deref for Graph<'_> {
    type Target = GraphIndex;
    fn deref(&self) -> &GraphIndex {
        &self.ix
    }
}

impl<'a> Graph<'a> {
    pub fn new(inv: &'a Inventory) -> Self {
        let ix = inv
            .memo
            .get_or_init("dataflow.graph", || GraphIndex::build(inv));
        Graph { inv, ix }
    }
}

impl GraphIndex {
    fn build(inv: &Inventory) -> Self {
        let mut nodes = BTreeMap::new();
        let on_board_ecus: BTreeSet<String> = inv
            .vehicle
            .as_ref()
            .map(|v| v.doc.ecus.iter().map(|e| e.id.clone()).collect())
            .unwrap_or_default();
        for id in on_board_ecus.iter().chain(inv.ecus.keys()) {
            nodes.insert(
                id.clone(),
                Node {
                    kind: NodeKind::Ecu,
                    on_board: true,
                    region: None,
                    third_party: false,
                },
            );
        }
        let mut ambiguous = BTreeSet::new();
        let mut put = |nodes: &mut BTreeMap<String, Node>, id: String, n: Node| {
            if nodes.get(&id).is_some_and(|old: &Node| old.kind != n.kind) {
                ambiguous.insert(id.clone());
            }
            nodes.insert(id, n);
        };
        for (id, ep) in &inv.endpoints {
            put(
                &mut nodes,
                id.clone(),
                Node {
                    kind: NodeKind::Endpoint,
                    on_board: false,
                    region: Some(ep.value.region.clone()),
                    third_party: ep.value.owner == Owner::ThirdParty,
                },
            );
        }
        for (id, s) in &inv.data.stores {
            let on_board = s.value.location != "cloud";
            put(
                &mut nodes,
                id.clone(),
                Node {
                    kind: NodeKind::Store,
                    on_board,
                    region: if on_board {
                        None
                    } else {
                        s.value.region.clone()
                    },
                    third_party: false,
                },
            );
        }
        for (id, p) in &inv.data.parties {
            put(
                &mut nodes,
                id.clone(),
                Node {
                    kind: NodeKind::Party,
                    on_board: false,
                    region: Some(p.value.region.clone()),
                    third_party: p.value.kind == "third_party",
                },
            );
        }
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in inv.data.flows.values() {
            out.entry(f.value.from.clone())
                .or_default()
                .push(f.value.id.clone());
        }
        GraphIndex {
            nodes,
            out,
            vehicle_in_china: inv.markets().iter().any(|m| is_china(m)),
            ambiguous,
        }
    }
}

impl Graph<'_> {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// Whether an id names nodes of more than one kind.
    pub fn is_ambiguous(&self, id: &str) -> bool {
        self.ambiguous.contains(id)
    }

    /// Whether a node is in China: on board a vehicle sold in China, or declared `CN`.
    /// `None` for an off-board node without a declared region, or an unknown node.
    pub fn in_china(&self, id: &str) -> Option<bool> {
        let n = self.nodes.get(id)?;
        if n.on_board {
            return Some(self.vehicle_in_china);
        }
        n.region.as_deref().map(is_china)
    }

    /// Region label for reports: `on-board`, the declared region, or `unknown`.
    pub fn region_label(&self, id: &str) -> String {
        match self.nodes.get(id) {
            Some(n) if n.on_board => "on-board".into(),
            Some(n) => n.region.clone().unwrap_or_else(|| "unknown".into()),
            None => "unknown".into(),
        }
    }

    fn on_board(&self, id: &str) -> Option<bool> {
        self.nodes.get(id).map(|n| n.on_board)
    }

    /// Whether a flow goes from the vehicle to a node off it.
    pub fn leaves_vehicle(&self, f: &DataFlow) -> Option<bool> {
        Some(self.on_board(&f.from)? && !self.on_board(&f.to)?)
    }

    /// Whether a flow leaves China: its source is in China and its destination is a
    /// node with a declared region outside China. `None` when either side is unknown.
    pub fn leaves_china(&self, f: &DataFlow) -> Option<bool> {
        let from = self.in_china(&f.from)?;
        let to = self.in_china(&f.to)?;
        Some(from && !to)
    }

    /// Every route of `item` from the nodes where it originates (senders that no flow of
    /// the item reaches; in a pure cycle, its on-board senders) to where it ends.
    pub fn routes(&self, item: &str) -> Routes {
        let key = format!("dataflow.routes:{item}");
        (*self
            .inv
            .memo
            .get_or_init(&key, || self.compute_routes(item)))
        .clone()
    }

    fn compute_routes(&self, item: &str) -> Routes {
        let carrying: Vec<&Placed<DataFlow>> = self
            .inv
            .data
            .flows
            .values()
            .filter(|f| f.value.items.iter().any(|i| i == item))
            .collect();
        let senders: BTreeSet<&str> = carrying.iter().map(|f| f.value.from.as_str()).collect();
        let receivers: BTreeSet<&str> = carrying.iter().map(|f| f.value.to.as_str()).collect();
        let mut sources: Vec<&str> = senders.difference(&receivers).copied().collect();
        if sources.is_empty() {
            sources = senders
                .iter()
                .copied()
                .filter(|s| self.on_board(s) == Some(true))
                .collect();
        }
        if sources.is_empty() {
            sources = senders.iter().copied().collect();
        }
        let mut acc = Routes::default();
        for s in sources {
            let mut nodes = vec![s.to_string()];
            let mut flows = Vec::new();
            let mut visited = BTreeSet::from([s.to_string()]);
            self.walk(item, &mut nodes, &mut flows, &mut visited, &mut acc);
        }
        acc.routes.sort();
        acc.routes.dedup();
        acc
    }

    fn walk(
        &self,
        item: &str,
        nodes: &mut Vec<String>,
        flows: &mut Vec<String>,
        visited: &mut BTreeSet<String>,
        acc: &mut Routes,
    ) {
        if acc.routes.len() >= MAX_ROUTES {
            acc.truncated = true;
            return;
        }
        let here = nodes.last().expect("route has a node").clone();
        let next: Vec<&Placed<DataFlow>> = self
            .out
            .get(here.as_str())
            .map(|v| {
                v.iter()
                    .filter_map(|id| self.inv.data.flows.get(id))
                    .filter(|f| f.value.items.iter().any(|i| i == item))
                    .filter(|f| !visited.contains(&f.value.to))
                    .collect()
            })
            .unwrap_or_default();
        if next.is_empty() || flows.len() >= MAX_ROUTE_DEPTH {
            if flows.len() >= MAX_ROUTE_DEPTH && !next.is_empty() {
                acc.truncated = true;
            }
            if !flows.is_empty() {
                acc.routes.push(Route {
                    nodes: nodes.clone(),
                    flows: flows.clone(),
                });
            }
            return;
        }
        for f in next {
            nodes.push(f.value.to.clone());
            flows.push(f.value.id.clone());
            visited.insert(f.value.to.clone());
            self.walk(item, nodes, flows, visited, acc);
            visited.remove(&f.value.to);
            flows.pop();
            nodes.pop();
        }
    }

    /// Index of the first flow of a route that goes from China to outside China.
    pub fn border_hop(&self, r: &Route) -> Option<usize> {
        (0..r.flows.len()).find(|&i| {
            self.in_china(&r.nodes[i]) == Some(true)
                && self.in_china(&r.nodes[i + 1]) == Some(false)
        })
    }

    /// Index of the first flow of a route into a node whose region is not declared.
    pub fn unknown_region_hop(&self, r: &Route) -> Option<usize> {
        (0..r.flows.len()).find(|&i| self.in_china(&r.nodes[i + 1]).is_none())
    }

    /// Index of the first flow of a route into a third party.
    pub fn third_party_hop(&self, r: &Route) -> Option<usize> {
        (0..r.flows.len()).find(|&i| {
            self.nodes
                .get(&r.nodes[i + 1])
                .is_some_and(|n| n.third_party)
        })
    }

    /// The nodes of a route for display: with the endpoint a flow travels over
    /// (`via_endpoint`) between its ends when it is neither of them.
    pub fn display_nodes(&self, r: &Route) -> Vec<String> {
        let mut out = Vec::with_capacity(r.nodes.len() * 2);
        out.extend(r.nodes.first().cloned());
        for (i, fid) in r.flows.iter().enumerate() {
            let via = self
                .inv
                .data
                .flows
                .get(fid)
                .and_then(|f| f.value.via_endpoint.clone());
            if let Some(v) = via
                && v != r.nodes[i]
                && v != r.nodes[i + 1]
            {
                out.push(v);
            }
            out.push(r.nodes[i + 1].clone());
        }
        out
    }

    /// A route as text: `tbox → tsp-backend → tsp-datalake → map-provider`.
    pub fn route_text(&self, r: &Route) -> String {
        self.display_nodes(r).join(" → ")
    }

    pub fn data_route(&self, r: &Route, truncated: bool) -> DataRoute {
        let last = r.nodes.last().map(String::as_str).unwrap_or_default();
        let mut path = self.display_nodes(r);
        if truncated {
            path.push("…".into());
        }
        DataRoute {
            path,
            destination_region: self.region_label(last),
            leaves_vehicle: r.nodes.iter().any(|n| self.on_board(n) == Some(false)),
            leaves_china: self.vehicle_in_china
                && r.nodes.iter().any(|n| self.in_china(n) == Some(false)),
            third_party: r
                .nodes
                .iter()
                .any(|n| self.nodes.get(n).is_some_and(|x| x.third_party)),
        }
    }
}

/// Where every sensitive-personal or important data item goes: all its routes from its
/// sources to their final destinations. Items without flows have no routes.
pub fn data_map(inv: &Inventory) -> Vec<DataMapEntry> {
    let g = Graph::new(inv);
    inv.data
        .items
        .values()
        .filter(|i| {
            matches!(
                i.value.category,
                DataCategory::SensitivePersonal | DataCategory::Important
            )
        })
        .map(|i| {
            let rs = g.routes(&i.value.id);
            let n = rs.routes.len();
            DataMapEntry {
                item: i.value.id.clone(),
                category: i.value.category.as_str().to_string(),
                routes: rs
                    .routes
                    .iter()
                    .enumerate()
                    .map(|(k, r)| g.data_route(r, rs.truncated && k + 1 == n))
                    .collect(),
            }
        })
        .collect()
}

// ---------------------------------------------------------------- shared helpers

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NoParams {}

fn flow<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataFlow>> {
    ctx.inv.data.flows.get(&ctx.asset.id)
}

/// The flow under evaluation and the flow graph, or `None` once the reason it cannot be
/// judged is reported (not in the inventory, or naming a node the graph does not know).
fn placed_flow<'a>(ctx: &Ctx<'a>, sink: &mut Sink) -> Option<(&'a Placed<DataFlow>, Graph<'a>)> {
    let Some(f) = flow(ctx) else {
        missing(ctx, sink, "data flow");
        return None;
    };
    let g = Graph::new(ctx.inv);
    if unknown_node_error(&g, f, sink) {
        return None;
    }
    Some((f, g))
}

fn item_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataItem>> {
    ctx.inv.data.items.get(&ctx.asset.id)
}

fn store<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataStore>> {
    ctx.inv.data.stores.get(&ctx.asset.id)
}

fn missing(ctx: &Ctx, sink: &mut Sink, what: &str) {
    sink.error(
        format!("{what} `{}` is not in the inventory", ctx.asset.id),
        ctx.asset.home.clone(),
    );
}

/// Known items of a list, with the ids that name no item.
fn items<'a>(inv: &'a Inventory, ids: &[String]) -> (Vec<&'a DataItem>, Vec<String>) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        match inv.data.items.get(id) {
            Some(p) => found.push(&p.value),
            None => unknown.push(id.clone()),
        }
    }
    (found, unknown)
}

fn ids(items: &[&DataItem]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The places of the nodes of a flow, for unknown-node errors (the loader already
/// reported them as diagnostics; the check must not pass silently).
fn unknown_node_error(g: &Graph, f: &Placed<DataFlow>, sink: &mut Sink) -> bool {
    for (field, node) in [("from", &f.value.from), ("to", &f.value.to)] {
        if g.node(node).is_none() {
            sink.error(
                format!(
                    "flow `{}` names unknown node `{node}`; it cannot be placed in the flow graph",
                    f.value.id
                ),
                f.at(field),
            );
            return true;
        }
        if g.is_ambiguous(node) {
            sink.error(
                format!(
                    "flow `{}` names `{node}`, which is the id of more than one node (ECU, endpoint, store or party); rename one",
                    f.value.id
                ),
                f.at(field),
            );
            return true;
        }
    }
    false
}

fn default_sensitive() -> Vec<DataCategory> {
    vec![DataCategory::SensitivePersonal]
}

fn default_personal_or_important() -> Vec<DataCategory> {
    vec![
        DataCategory::Personal,
        DataCategory::SensitivePersonal,
        DataCategory::Important,
    ]
}

fn default_personal() -> Vec<DataCategory> {
    vec![DataCategory::Personal, DataCategory::SensitivePersonal]
}

/// Items of a list in the given categories.
fn in_categories<'a>(items: &[&'a DataItem], cats: &[DataCategory]) -> Vec<&'a DataItem> {
    items
        .iter()
        .copied()
        .filter(|i| cats.contains(&i.category))
        .collect()
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

// ---------------------------------------------------------------- classification

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ClassifiedParams {
    /// Levels of the OEM grading scheme; empty accepts any non-empty level.
    #[serde(default)]
    levels: Vec<String>,
}

fn classified(ctx: &Ctx, p: &ClassifiedParams, sink: &mut Sink) {
    let Some(it) = item_of(ctx) else {
        return missing(ctx, sink, "data item");
    };
    let i = &it.value;
    let mut ok = true;
    if i.category == DataCategory::Unclassified {
        ok = false;
        sink.fail(
            format!("data item `{}` ({}) is `unclassified`", i.id, i.name),
            it.at("category"),
        );
    }
    match nonempty(&i.classification_level) {
        None => {
            ok = false;
            sink.fail(
                format!(
                    "data item `{}` ({}) has no classification_level",
                    i.id, i.name
                ),
                it.location(),
            );
        }
        Some(l) if !p.levels.is_empty() && !p.levels.iter().any(|x| x == l) => {
            ok = false;
            sink.fail(
                format!(
                    "data item `{}` has classification_level `{l}`, not one of {}",
                    i.id,
                    p.levels.join(", ")
                ),
                it.at("classification_level"),
            );
        }
        Some(_) => {}
    }
    if ok {
        sink.pass(
            format!(
                "data item `{}` is {} at level `{}`",
                i.id,
                i.category.as_str(),
                nonempty(&i.classification_level).unwrap_or_default()
            ),
            it.at("category"),
        );
    }
}

// ---------------------------------------------------------------- personal information

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryParams {
    #[serde(default = "default_sensitive")]
    categories: Vec<DataCategory>,
}

/// A flow that carries items of `categories` and starts on board, with its graph and those
/// items; otherwise `None` once the outcome is reported (`off_board` says why a flow that
/// starts off the vehicle is not applicable).
fn on_board_flow_of<'a>(
    ctx: &Ctx<'a>,
    categories: &[DataCategory],
    off_board: &str,
    sink: &mut Sink,
) -> Option<(&'a Placed<DataFlow>, Graph<'a>, Vec<&'a DataItem>)> {
    let (f, g) = placed_flow(ctx, sink)?;
    let (its, _) = items(ctx.inv, &f.value.items);
    let hit = in_categories(&its, categories);
    if hit.is_empty() {
        sink.not_applicable("the flow carries no sensitive personal information");
        return None;
    }
    if g.node(&f.value.from).is_some_and(|n| !n.on_board) {
        sink.not_applicable(format!(
            "flow `{}` starts off the vehicle (`{}`); {off_board}",
            f.value.id, f.value.from
        ));
        return None;
    }
    Some((f, g, hit))
}

fn in_vehicle_processing(ctx: &Ctx, p: &CategoryParams, sink: &mut Sink) {
    let Some((f, g, hit)) =
        on_board_flow_of(ctx, &p.categories, "the data has already left it", sink)
    else {
        return;
    };
    if g.leaves_vehicle(&f.value) != Some(true) {
        sink.pass(
            format!(
                "flow `{}` keeps {} on board ({} → {})",
                f.value.id,
                ids(&hit),
                f.value.from,
                f.value.to
            ),
            f.location(),
        );
        return;
    }
    match nonempty(&f.value.off_vehicle_justification) {
        Some(why) => {
            sink.pass(
                format!(
                    "flow `{}` sends {} off the vehicle because: {why}",
                    f.value.id,
                    ids(&hit)
                ),
                f.at("off_vehicle_justification"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` sends {} off the vehicle ({} → {}) without off_vehicle_justification; process it on board or state why it must leave",
                    f.value.id,
                    ids(&hit),
                    f.value.from,
                    f.value.to
                ),
                f.location(),
            );
        }
    }
}

fn off_by_default(ctx: &Ctx, p: &CategoryParams, sink: &mut Sink) {
    let Some((f, _, hit)) =
        on_board_flow_of(ctx, &p.categories, "collection happens on board", sink)
    else {
        return;
    };
    match f.value.off_by_default {
        Some(true) => {
            sink.pass(
                format!(
                    "collection of {} by flow `{}` is off by default",
                    ids(&hit),
                    f.value.id
                ),
                f.at("off_by_default"),
            );
        }
        Some(false) => {
            sink.fail(
                format!(
                    "collection of {} by flow `{}` is on by default; it must be off until the user turns it on (per drive)",
                    ids(&hit),
                    f.value.id
                ),
                f.at("off_by_default"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` collects {} and does not state off_by_default",
                    f.value.id,
                    ids(&hit)
                ),
                f.location(),
            );
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentParams {
    #[serde(default = "default_sensitive")]
    categories: Vec<DataCategory>,
    /// Legal bases that satisfy the rule.
    #[serde(default = "default_separate")]
    accepted: Vec<String>,
}

fn default_separate() -> Vec<String> {
    vec!["separate_consent".into()]
}

fn separate_consent(ctx: &Ctx, p: &ConsentParams, sink: &mut Sink) {
    let Some(f) = flow(ctx) else {
        return missing(ctx, sink, "data flow");
    };
    let (its, _) = items(ctx.inv, &f.value.items);
    let hit = in_categories(&its, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the flow carries no sensitive personal information");
        return;
    }
    match nonempty(&f.value.legal_basis) {
        Some(b) if p.accepted.iter().any(|a| a == b) => {
            sink.pass(
                format!(
                    "flow `{}` carries {} on legal basis `{b}`",
                    f.value.id,
                    ids(&hit)
                ),
                f.at("legal_basis"),
            );
        }
        Some(b) => {
            sink.fail(
                format!(
                    "flow `{}` carries {} on legal basis `{b}`; sensitive personal information needs {}",
                    f.value.id,
                    ids(&hit),
                    p.accepted.join(" or ")
                ),
                f.at("legal_basis"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` carries {} and states no legal_basis; sensitive personal information needs {}",
                    f.value.id,
                    ids(&hit),
                    p.accepted.join(" or ")
                ),
                f.location(),
            );
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentDurationParams {
    /// Longest consent period accepted, in days.
    max_days: u32,
    /// Legal bases that are consent.
    #[serde(default = "default_consent_bases")]
    consent_bases: Vec<String>,
}

fn default_consent_bases() -> Vec<String> {
    vec!["consent".into(), "separate_consent".into()]
}

fn consent_duration(ctx: &Ctx, p: &ConsentDurationParams, sink: &mut Sink) {
    let Some(f) = flow(ctx) else {
        return missing(ctx, sink, "data flow");
    };
    let basis = nonempty(&f.value.legal_basis).unwrap_or_default();
    if !p.consent_bases.iter().any(|b| b == basis) {
        sink.not_applicable(format!(
            "flow `{}` does not rest on consent (legal basis `{basis}`)",
            f.value.id
        ));
        return;
    }
    let loc = f.at("consent_duration");
    match &f.value.consent_duration {
        None => {
            sink.fail(
                format!(
                    "flow `{}` rests on {basis} but states no consent_duration",
                    f.value.id
                ),
                f.location(),
            );
        }
        Some(ConsentDuration::Named(n)) if n.trim().eq_ignore_ascii_case("permanent") => {
            sink.fail(
                format!(
                    "flow `{}`: consent is `permanent`; a consent period is never permanent (at most {} days)",
                    f.value.id, p.max_days
                ),
                loc,
            );
        }
        Some(ConsentDuration::Named(n)) => {
            sink.fail(
                format!(
                    "flow `{}`: consent_duration `{n}` is not a number of days",
                    f.value.id
                ),
                loc,
            );
        }
        Some(ConsentDuration::Days(d)) => {
            sink.verdict(
                *d <= p.max_days && *d > 0,
                format!(
                    "flow `{}`: consent lasts {d} days (maximum {})",
                    f.value.id, p.max_days
                ),
                loc,
            );
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnonymisedParams {
    /// Processing that removes faces and plates.
    #[serde(default = "default_anonymised")]
    accepted: Vec<String>,
    /// Item kinds that are outside images (faces/plates assumed unless declared absent).
    #[serde(default = "default_image_kinds")]
    kinds: Vec<String>,
    /// Largest image resolution (megapixels) that may leave the vehicle; unset: not judged.
    /// Not judged for `aggregated` flows (no images leave).
    #[serde(default)]
    max_megapixels: Option<f64>,
}

fn default_anonymised() -> Vec<String> {
    vec!["anonymised".into(), "aggregated".into()]
}

fn default_image_kinds() -> Vec<String> {
    vec!["outside_image".into(), "outside_video".into()]
}

fn outside_images_anonymised(ctx: &Ctx, p: &AnonymisedParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    let (its, _) = items(ctx.inv, &f.value.items);
    let imgs: Vec<&DataItem> = its
        .iter()
        .copied()
        .filter(|i| {
            i.contains_faces_or_plates == Some(true)
                || (i.kind.as_ref().is_some_and(|k| p.kinds.contains(k))
                    && i.contains_faces_or_plates != Some(false))
        })
        .collect();
    if imgs.is_empty() {
        sink.not_applicable("the flow carries no images with faces or licence plates");
        return;
    }
    if g.leaves_vehicle(&f.value) != Some(true) {
        sink.not_applicable(format!(
            "flow `{}` does not leave the vehicle ({} → {})",
            f.value.id, f.value.from, f.value.to
        ));
        return;
    }
    let processing = nonempty(&f.value.processing);
    let mut problems = Vec::new();
    let mut loc = f.at("processing");
    if !processing.is_some_and(|pr| p.accepted.iter().any(|a| a == pr)) {
        problems.push(format!(
            "processing is `{}`; anonymise ({}) on board first",
            processing.unwrap_or("not stated"),
            p.accepted.join(" or ")
        ));
        if processing.is_none() {
            loc = f.location();
        }
    }
    if let Some(max) = p.max_megapixels
        && processing != Some("aggregated")
    {
        for i in &imgs {
            match i.image_megapixels {
                Some(mp) if mp <= max => {}
                Some(mp) => problems.push(format!(
                    "`{}` is {mp} MP (at most {max} MP may leave the vehicle)",
                    i.id
                )),
                None => problems.push(format!(
                    "`{}` declares no image_megapixels (at most {max} MP may leave the vehicle)",
                    i.id
                )),
            }
        }
    }
    if problems.is_empty() {
        sink.pass(
            format!(
                "flow `{}` sends {} off the vehicle `{}`",
                f.value.id,
                ids(&imgs),
                processing.unwrap_or_default()
            ),
            loc,
        );
    } else {
        let eval = sink.fail(
            format!(
                "flow `{}` sends {} (faces or licence plates) off the vehicle: {}",
                f.value.id,
                ids(&imgs),
                problems.join("; ")
            ),
            loc,
        );
        for i in &imgs {
            if let Some(it) = ctx.inv.data.items.get(&i.id) {
                eval.related(it.location());
            }
        }
    }
}

// ---------------------------------------------------------------- storage

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreCategoryParams {
    #[serde(default = "default_personal_or_important")]
    categories: Vec<DataCategory>,
}

fn store_items<'a>(
    ctx: &Ctx<'a>,
    s: &Placed<DataStore>,
    cats: &[DataCategory],
) -> Vec<&'a DataItem> {
    let (its, _) = items(ctx.inv, &s.value.items);
    in_categories(&its, cats)
}

fn stored_in_china(ctx: &Ctx, p: &StoreCategoryParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    let hit = store_items(ctx, s, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the store holds no personal information or important data");
        return;
    }
    if s.value.location != "cloud" {
        sink.pass(
            format!(
                "store `{}` keeps {} on board (ECU `{}`)",
                s.value.id,
                ids(&hit),
                s.value.location
            ),
            s.at("location"),
        );
        return;
    }
    match s.value.region.as_deref() {
        Some(r) if is_china(r) => {
            sink.pass(
                format!("store `{}` keeps {} in {r}", s.value.id, ids(&hit)),
                s.at("region"),
            );
        }
        Some(r) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} in {r}; personal information and important data collected in China are stored in China",
                    s.value.id,
                    ids(&hit)
                ),
                s.at("region"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "cloud store `{}` keeps {} and declares no region, so it cannot be shown to be in China",
                    s.value.id,
                    ids(&hit)
                ),
                s.location(),
            );
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportParams {
    /// Sensitive personal information of at least this many persons a year needs an assessment.
    sensitive_pi_persons: u64,
    /// Personal information of at least this many persons a year needs an assessment.
    pi_persons: u64,
    /// Personal information of more than this many persons is important data
    /// (automobile sector); 0 turns the rule off.
    #[serde(default)]
    pi_important_persons: u64,
}

/// Why an item needs an outbound security assessment, or None when it does not.
fn needs_assessment(i: &DataItem, p: &ExportParams) -> Option<String> {
    let persons = i.persons_per_year;
    match i.category {
        DataCategory::Important => Some("important data".into()),
        DataCategory::Unclassified => Some("unclassified (may be important data)".into()),
        DataCategory::Operational => None,
        DataCategory::SensitivePersonal | DataCategory::Personal => {
            let sensitive = i.category == DataCategory::SensitivePersonal;
            let Some(n) = persons else {
                return Some("personal information without persons_per_year (threshold cannot be shown to be unmet)".into());
            };
            if sensitive && n >= p.sensitive_pi_persons {
                return Some(format!(
                    "sensitive personal information of {n} persons a year (≥ {})",
                    p.sensitive_pi_persons
                ));
            }
            if p.pi_important_persons > 0 && n > p.pi_important_persons {
                return Some(format!(
                    "personal information of {n} persons (> {} makes it important data)",
                    p.pi_important_persons
                ));
            }
            if n >= p.pi_persons {
                return Some(format!(
                    "personal information of {n} persons a year (≥ {})",
                    p.pi_persons
                ));
            }
            None
        }
    }
}

fn export_assessment(ctx: &Ctx, p: &ExportParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    match g.leaves_china(&f.value) {
        Some(false) => {
            sink.not_applicable(format!(
                "flow `{}` does not leave China ({} → {})",
                f.value.id, f.value.from, f.value.to
            ));
            return;
        }
        None if g.in_china(&f.value.from) == Some(true) => {
            sink.fail(
                format!(
                    "flow `{}` goes to `{}`, whose region is not declared, so it cannot be shown to stay in China",
                    f.value.id, f.value.to
                ),
                f.at("to"),
            );
            return;
        }
        None => {
            sink.not_applicable(format!(
                "flow `{}` does not start in China ({})",
                f.value.id,
                g.region_label(&f.value.from)
            ));
            return;
        }
        Some(true) => {}
    }
    let (its, unknown) = items(ctx.inv, &f.value.items);
    let mut why: Vec<String> = its
        .iter()
        .filter_map(|i| needs_assessment(i, p).map(|w| format!("`{}`: {w}", i.id)))
        .collect();
    why.extend(unknown.iter().map(|u| format!("`{u}`: unknown item")));
    let dest = g.region_label(&f.value.to);
    if why.is_empty() {
        sink.pass(
            format!(
                "flow `{}` leaves China for {dest} with data below the export thresholds ({})",
                f.value.id,
                ids(&its)
            ),
            f.location(),
        );
        return;
    }
    match nonempty(&f.value.security_assessment) {
        Some(a) => {
            sink.pass(
                format!(
                    "flow `{}` leaves China for {dest} under security assessment `{a}` ({})",
                    f.value.id,
                    why.join("; ")
                ),
                f.at("security_assessment"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` leaves China ({} → {} in {dest}) without a security_assessment: {}",
                    f.value.id,
                    f.value.from,
                    f.value.to,
                    why.join("; ")
                ),
                f.location(),
            );
        }
    }
}

fn no_direct_export(ctx: &Ctx, _p: &NoParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    if g.leaves_vehicle(&f.value) != Some(true) {
        sink.not_applicable(format!("flow `{}` does not leave the vehicle", f.value.id));
        return;
    }
    // The vehicle's peer: the endpoint it connects to, else the flow's destination.
    let (peer, key) = match f.value.via_endpoint.as_deref() {
        Some(v) if g.node(v).is_some() => (v, "via_endpoint"),
        _ => (f.value.to.as_str(), "to"),
    };
    let region = g.region_label(peer);
    let eval = match g.in_china(peer) {
        Some(true) => sink.pass(
            format!(
                "flow `{}` sends vehicle data to `{peer}` in {region}",
                f.value.id
            ),
            f.at(key),
        ),
        Some(false) => sink.fail(
            format!(
                "flow `{}` sends vehicle data from `{}` straight to `{peer}` in {region}, outside China",
                f.value.id, f.value.from
            ),
            f.at(key),
        ),
        None => sink.fail(
            format!(
                "flow `{}` sends vehicle data to `{peer}`, whose region is not declared",
                f.value.id
            ),
            f.at(key),
        ),
    };
    if let Some(ep) = ctx.inv.endpoints.get(peer) {
        eval.related(ep.at("region"));
    } else if let Some(pt) = ctx.inv.data.parties.get(peer) {
        eval.related(pt.at("region"));
    } else if let Some(st) = ctx.inv.data.stores.get(peer) {
        eval.related(st.location());
    }
}

// ---------------------------------------------------------------- retention

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionParams {
    /// Longest retention in days per item kind (`location_track = 7`).
    #[serde(default)]
    max_days_by_kind: BTreeMap<String, u32>,
    /// Longest retention in days per category (`sensitive_personal = 365`).
    #[serde(default)]
    max_days_by_category: BTreeMap<String, u32>,
    /// Flow processing that takes a flow out of the limits (flows only).
    #[serde(default)]
    exempt_processing: Vec<String>,
    /// Stores only: judge stores on board too (default: cloud stores only).
    #[serde(default)]
    include_on_board: bool,
    /// Stores only: stores holding items of these categories must state a retention.
    #[serde(default)]
    require_declared: Vec<DataCategory>,
}

/// The strictest limit over items, with the item and the reason.
fn retention_limit<'a>(
    its: &[&'a DataItem],
    p: &RetentionParams,
) -> Option<(u32, &'a DataItem, String)> {
    let mut best: Option<(u32, &DataItem, String)> = None;
    for i in its {
        let by_kind = i
            .kind
            .as_ref()
            .and_then(|k| p.max_days_by_kind.get(k).map(|d| (*d, format!("kind {k}"))));
        let by_cat = p
            .max_days_by_category
            .get(i.category.as_str())
            .map(|d| (*d, format!("category {}", i.category.as_str())));
        for (d, why) in by_kind.into_iter().chain(by_cat) {
            if best.as_ref().is_none_or(|(b, _, _)| d < *b) {
                best = Some((d, *i, why));
            }
        }
    }
    best
}

fn flow_retention(ctx: &Ctx, p: &RetentionParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    if g.node(&f.value.to).is_some_and(|n| n.on_board) {
        sink.not_applicable(format!("flow `{}` ends on board", f.value.id));
        return;
    }
    let (its, _) = items(ctx.inv, &f.value.items);
    let Some((limit, item, why)) = retention_limit(&its, p) else {
        sink.not_applicable("no retention limit applies to the items of this flow");
        return;
    };
    if let Some(pr) = nonempty(&f.value.processing)
        && p.exempt_processing.iter().any(|e| e == pr)
    {
        sink.not_applicable(format!(
            "flow `{}` carries the data `{pr}`, which the limit does not cover",
            f.value.id
        ));
        return;
    }
    match f.value.retention_days {
        None => {
            sink.fail(
                format!(
                    "flow `{}` carries `{}` ({why}, at most {limit} days) and states no retention_days",
                    f.value.id, item.id
                ),
                f.location(),
            );
        }
        Some(d) => {
            sink.verdict(
                d <= limit,
                format!(
                    "flow `{}` keeps `{}` {d} days at `{}` ({why}: at most {limit} days)",
                    f.value.id, item.id, f.value.to
                ),
                f.at("retention_days"),
            );
        }
    }
}

fn store_retention(ctx: &Ctx, p: &RetentionParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    if s.value.location != "cloud" && !p.include_on_board {
        sink.not_applicable(format!(
            "store `{}` is on board (ECU `{}`)",
            s.value.id, s.value.location
        ));
        return;
    }
    let (its, _) = items(ctx.inv, &s.value.items);
    let limit = retention_limit(&its, p);
    let declared_needed = in_categories(&its, &p.require_declared);
    match (s.value.retention_days, limit) {
        (None, _) if !declared_needed.is_empty() => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and states no retention_days; the user must be told how long it is kept",
                    s.value.id,
                    ids(&declared_needed)
                ),
                s.location(),
            );
        }
        (None, Some((limit, item, why))) => {
            sink.fail(
                format!(
                    "store `{}` keeps `{}` ({why}, at most {limit} days) and states no retention_days",
                    s.value.id, item.id
                ),
                s.location(),
            );
        }
        (Some(d), Some((limit, item, why))) => {
            sink.verdict(
                d <= limit,
                format!(
                    "store `{}` keeps `{}` {d} days ({why}: at most {limit} days)",
                    s.value.id, item.id
                ),
                s.at("retention_days"),
            );
        }
        (Some(d), None) if !declared_needed.is_empty() => {
            sink.pass(
                format!(
                    "store `{}` states a retention of {d} days for {}",
                    s.value.id,
                    ids(&declared_needed)
                ),
                s.at("retention_days"),
            );
        }
        _ => {
            sink.not_applicable("no retention limit applies to the items of this store");
        }
    }
}

// ---------------------------------------------------------------- deletion, encryption

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeletionParams {
    max_working_days: u32,
    #[serde(default = "default_personal")]
    categories: Vec<DataCategory>,
}

fn deletion(ctx: &Ctx, p: &DeletionParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    let hit = store_items(ctx, s, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the store holds no personal information");
        return;
    }
    match (
        s.value.user_deletion,
        s.value.deletion_deadline_working_days,
    ) {
        (Some(true), Some(d)) => {
            sink.verdict(
                d <= p.max_working_days,
                format!(
                    "store `{}` deletes {} on request within {d} working days (at most {})",
                    s.value.id,
                    ids(&hit),
                    p.max_working_days
                ),
                s.at("deletion_deadline_working_days"),
            );
        }
        (Some(true), None) => {
            sink.fail(
                format!(
                    "store `{}` allows deletion of {} but states no deletion_deadline_working_days (at most {})",
                    s.value.id,
                    ids(&hit),
                    p.max_working_days
                ),
                s.at("user_deletion"),
            );
        }
        (Some(false), _) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and the user cannot have it deleted",
                    s.value.id,
                    ids(&hit)
                ),
                s.at("user_deletion"),
            );
        }
        (None, _) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and does not state user_deletion",
                    s.value.id,
                    ids(&hit)
                ),
                s.location(),
            );
        }
    }
}

fn encrypted_at_rest(ctx: &Ctx, p: &StoreCategoryParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    let hit = store_items(ctx, s, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the store holds no personal information or important data");
        return;
    }
    match s.value.encrypted_at_rest {
        Some(true) => {
            sink.pass(
                format!("store `{}` encrypts {} at rest", s.value.id, ids(&hit)),
                s.at("encrypted_at_rest"),
            );
        }
        Some(false) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} unencrypted at rest",
                    s.value.id,
                    ids(&hit)
                ),
                s.at("encrypted_at_rest"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and does not state encrypted_at_rest",
                    s.value.id,
                    ids(&hit)
                ),
                s.location(),
            );
        }
    }
}

// ---------------------------------------------------------------- third parties

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharingParams {
    /// Legal bases accepted for sharing.
    #[serde(default = "default_bases")]
    accepted: Vec<String>,
    /// Legal bases accepted when the data is sensitive personal information.
    #[serde(default = "default_separate")]
    sensitive_accepted: Vec<String>,
    /// Item categories that make the rule apply (route check only).
    #[serde(default = "default_personal_or_important")]
    categories: Vec<DataCategory>,
}

fn default_bases() -> Vec<String> {
    [
        "consent",
        "separate_consent",
        "contract",
        "legal_obligation",
        "vital_interest",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Problems of a flow into a third party: missing purpose, missing or unaccepted basis.
fn sharing_problems(f: &DataFlow, sensitive: bool, p: &SharingParams) -> Vec<String> {
    let mut out = Vec::new();
    if f.purpose.trim().is_empty() {
        out.push("states no purpose".into());
    }
    let accepted = if sensitive {
        &p.sensitive_accepted
    } else {
        &p.accepted
    };
    match nonempty(&f.legal_basis) {
        None => out.push("states no legal_basis".into()),
        Some(b) if !accepted.iter().any(|a| a == b) => out.push(format!(
            "legal basis `{b}` is not accepted{} (accepted: {})",
            if sensitive {
                " for sensitive personal information"
            } else {
                ""
            },
            accepted.join(", ")
        )),
        Some(_) => {}
    }
    out
}

fn third_party_sharing(ctx: &Ctx, p: &SharingParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    if !g.node(&f.value.to).is_some_and(|n| n.third_party) {
        sink.not_applicable(format!(
            "flow `{}` does not go to a third party",
            f.value.id
        ));
        return;
    }
    let problems = sharing_problems(&f.value, false, p);
    let eval = if problems.is_empty() {
        sink.pass(
            format!(
                "flow `{}` shares with third party `{}` for \"{}\" on basis `{}`",
                f.value.id,
                f.value.to,
                f.value.purpose.trim(),
                nonempty(&f.value.legal_basis).unwrap_or_default()
            ),
            f.at("legal_basis"),
        )
    } else {
        sink.fail(
            format!(
                "flow `{}` shares with third party `{}` but {}",
                f.value.id,
                f.value.to,
                problems.join("; ")
            ),
            f.location(),
        )
    };
    if let Some(pt) = ctx.inv.data.parties.get(&f.value.to) {
        eval.related(pt.location());
    } else if let Some(ep) = ctx.inv.endpoints.get(&f.value.to) {
        eval.related(ep.at("owner"));
    }
}

// ---------------------------------------------------------------- routes

/// Places of the flows of a route other than `except` (the finding's own place).
fn route_related(ctx: &Ctx, r: &Route, except: &str) -> Vec<Location> {
    r.flows
        .iter()
        .filter(|id| id.as_str() != except)
        .filter_map(|id| ctx.inv.data.flows.get(id).map(|f| f.location()))
        .collect()
}

fn route_export(ctx: &Ctx, p: &ExportParams, sink: &mut Sink) {
    let Some(it) = item_of(ctx) else {
        return missing(ctx, sink, "data item");
    };
    let i = &it.value;
    let Some(why) = needs_assessment(i, p) else {
        sink.not_applicable(format!(
            "`{}` needs no export assessment (not important data, below the thresholds)",
            i.id
        ));
        return;
    };
    let g = Graph::new(ctx.inv);
    let rs = g.routes(&i.id);
    if rs.routes.is_empty() {
        sink.pass(
            format!("`{}` ({why}) is carried by no flow", i.id),
            it.location(),
        );
        return;
    }
    let mut staying = 0;
    for r in &rs.routes {
        let border = g.border_hop(r);
        let unknown = g.unknown_region_hop(r);
        let hop = match (border, unknown) {
            (Some(b), Some(u)) => Some(b.min(u)),
            (b, u) => b.or(u),
        };
        let Some(h) = hop else {
            staying += 1;
            continue;
        };
        let Some(f) = ctx.inv.data.flows.get(&r.flows[h]) else {
            continue;
        };
        let to = &r.nodes[h + 1];
        let region = g.region_label(to);
        let path = g.route_text(r);
        let related = route_related(ctx, r, &f.value.id);
        let eval = if Some(h) == unknown && Some(h) != border {
            sink.fail(
                format!(
                    "`{}` ({why}) goes {path}; `{to}` has no declared region (flow `{}`), so the route cannot be shown to stay in China",
                    i.id, f.value.id
                ),
                f.at("to"),
            )
        } else {
            match nonempty(&f.value.security_assessment) {
                Some(a) => sink.pass(
                    format!(
                        "`{}` ({why}) leaves China on {path} ({region}); flow `{}` names security assessment `{a}`",
                        i.id, f.value.id
                    ),
                    f.at("security_assessment"),
                ),
                None => sink.fail(
                    format!(
                        "`{}` ({why}) leaves China on {path} ({region}): flow `{}` ({} → {to}) crosses the border without a security_assessment",
                        i.id, f.value.id, r.nodes[h]
                    ),
                    f.location(),
                ),
            }
        };
        eval.related(it.location());
        for l in related {
            eval.related(l);
        }
    }
    if staying > 0 {
        sink.pass(
            format!(
                "`{}` ({why}): {staying} of {} route(s) stay in China",
                i.id,
                rs.routes.len()
            ),
            it.location(),
        );
    }
    if rs.truncated {
        sink.error(
            format!(
                "`{}`: the flow graph has more than {MAX_ROUTES} routes or routes longer than {MAX_ROUTE_DEPTH} flows; routes beyond the bound were not checked",
                i.id
            ),
            it.location(),
        );
    }
}

fn route_third_party(ctx: &Ctx, p: &SharingParams, sink: &mut Sink) {
    let Some(it) = item_of(ctx) else {
        return missing(ctx, sink, "data item");
    };
    let i = &it.value;
    if !p.categories.contains(&i.category) {
        sink.not_applicable(format!(
            "`{}` is {}, not personal or important data",
            i.id,
            i.category.as_str()
        ));
        return;
    }
    let sensitive = i.category == DataCategory::SensitivePersonal;
    let g = Graph::new(ctx.inv);
    let rs = g.routes(&i.id);
    let mut other = 0;
    for r in &rs.routes {
        let Some(h) = g.third_party_hop(r) else {
            other += 1;
            continue;
        };
        let Some(f) = ctx.inv.data.flows.get(&r.flows[h]) else {
            continue;
        };
        let to = &r.nodes[h + 1];
        let path = g.route_text(r);
        let problems = sharing_problems(&f.value, sensitive, p);
        let eval = if problems.is_empty() {
            sink.pass(
                format!(
                    "`{}` reaches third party `{to}` on {path}; flow `{}` declares purpose and basis `{}`",
                    i.id,
                    f.value.id,
                    nonempty(&f.value.legal_basis).unwrap_or_default()
                ),
                f.at("legal_basis"),
            )
        } else {
            sink.fail(
                format!(
                    "`{}` ({}) reaches third party `{to}` on {path} ({} hop(s)); flow `{}` {}",
                    i.id,
                    i.category.as_str(),
                    r.flows.len(),
                    f.value.id,
                    problems.join("; ")
                ),
                f.location(),
            )
        };
        eval.related(it.location());
        for l in route_related(ctx, r, &f.value.id) {
            eval.related(l);
        }
    }
    if rs.routes.is_empty() {
        sink.pass(format!("`{}` is carried by no flow", i.id), it.location());
    } else if other > 0 {
        sink.pass(
            format!(
                "`{}`: {other} of {} route(s) reach no third party",
                i.id,
                rs.routes.len()
            ),
            it.location(),
        );
    }
    if rs.truncated {
        sink.error(
            format!(
                "`{}`: routes beyond {MAX_ROUTES} routes or {MAX_ROUTE_DEPTH} flows were not checked",
                i.id
            ),
            it.location(),
        );
    }
}

// ---------------------------------------------------------------- protection in transit

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

/// Judge a declared TLS profile with the icvsec-tls policy. Returns (problems, unknowns).
pub fn judge_profile(
    prof: &icvsec_model::input::TlsProfile,
    policy: &icvsec_tls::policy::PolicyParams,
    fail_at: icvsec_tls::policy::Severity,
) -> (Vec<String>, Vec<String>) {
    use icvsec_tls::{policy, suites, versions::Version};
    let mut problems = Vec::new();
    let mut unknowns = Vec::new();
    let mut vs = Vec::new();
    for v in &prof.versions {
        match Version::parse(v) {
            Some(x) => vs.push(x),
            None => unknowns.push(format!("version `{v}` is not known")),
        }
    }
    let mut cs = Vec::new();
    for c in &prof.cipher_suites {
        match suites::lookup(c) {
            Some(x) => cs.push(x.clone()),
            None => unknowns.push(format!("cipher suite `{c}` is not known")),
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

/// Judge an endpoint's server certificate: lints at `as_of` and the chain to its anchor.
/// Returns (problems, errors, location of the certificate).
fn judge_server_cert(
    inv: &Inventory,
    ep: &icvsec_model::input::vehicle::Endpoint,
    anchor: Option<&str>,
    as_of: i64,
) -> (Vec<String>, Vec<String>, Option<Location>) {
    use icvsec_pki::lint;
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    let Some(path) = ep.server_certificate.as_deref() else {
        problems.push(format!(
            "the build does not hold the server certificate of `{}`, so the server cannot be shown to be authenticated",
            ep.id
        ));
        return (problems, errors, None);
    };
    let path = path.trim_start_matches("./");
    let mut certs: Vec<_> = inv
        .certificates_in(path)
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    certs.sort_by_key(|c| c.line);
    let Some(leaf) = certs.first() else {
        let why = inv
            .broken
            .iter()
            .find(|b| b.id == path)
            .map(|b| b.message.clone())
            .unwrap_or_else(|| "it holds no certificate".into());
        errors.push(format!("server certificate `{path}` cannot be read: {why}"));
        return (problems, errors, Some(Location::file(path)));
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
    match anchor {
        None => problems.push(format!(
            "no trust anchor is declared for `{}`, so the server certificate chain cannot be verified",
            ep.id
        )),
        Some(a) => {
            let anchors: Vec<icvsec_pki::Certificate> = inv
                .anchor_certificates(a)
                .into_iter()
                .map(|x| x.cert.clone())
                .collect();
            if anchors.is_empty() {
                errors.push(format!("trust anchor `{a}` has no readable certificate"));
            } else {
                // Candidate intermediates: the rest of the server's file, and CA
                // certificates found in the build (webpki picks what builds a path).
                let inters: Vec<icvsec_pki::Certificate> = certs[1..]
                    .iter()
                    .map(|x| x.cert.clone())
                    .chain(
                        inv.certificates
                            .values()
                            .filter(|x| x.file != path)
                            .filter(|x| x.cert.basic_constraints.as_ref().is_some_and(|b| b.ca))
                            .map(|x| x.cert.clone()),
                    )
                    .collect();
                let v = icvsec_pki::verify_chain(
                    c,
                    &inters,
                    &anchors,
                    as_of,
                    &icvsec_pki::ChainOptions {
                        eku: Some(icvsec_pki::KeyPurpose::ServerAuth),
                        hostname: Some(ep.host.clone()),
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
    (problems, errors, Some(loc))
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
    let profile_id = ep.value.tls_profile.clone().or_else(|| {
        ep.value
            .tls
            .as_ref()
            .map(|_| format!("endpoint/{}", ep.value.id))
    });
    let profile = profile_id
        .as_deref()
        .and_then(|id| ctx.inv.tls_profiles.get(id).map(|p| (id, p)));
    let mut problems = Vec::new();
    let mut errors = Vec::new();
    let mut related = vec![ep.location()];
    let anchor = ep
        .value
        .trust_anchor
        .clone()
        .or_else(|| profile.and_then(|(_, p)| p.value.trust_anchor.clone()));
    match (&profile_id, profile) {
        (None, _) => problems.push(format!(
            "endpoint `{ep_id}` declares no TLS profile, so the channel cannot be shown to be encrypted"
        )),
        (Some(id), None) => errors.push(format!("TLS profile `{id}` is not declared")),
        (Some(_), Some((id, prof))) => {
            related.push(prof.location());
            let (pr, un) = judge_profile(&prof.value, &p.policy, p.fail_at);
            if !pr.is_empty() {
                problems.push(format!("TLS profile `{id}`: {}", pr.join(", ")));
            }
            if !un.is_empty() {
                errors.push(format!("TLS profile `{id}`: {}", un.join(", ")));
            }
        }
    }
    let (cp, ce, cloc) = judge_server_cert(ctx.inv, &ep.value, anchor.as_deref(), ctx.as_of);
    problems.extend(cp);
    errors.extend(ce);
    if let Some(l) = cloc {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Eval;
    use icvsec_inputs::{LoadOptions, load_build};
    use icvsec_model::Outcome;
    use std::path::{Path, PathBuf};

    const AS_OF: i64 = 1_780_272_000; // 2026-06-01

    /// Write a tiny build (vehicle.json + data/flows.json) into a fresh temp directory.
    fn build(name: &str, vehicle: &str, flows: &str) -> (PathBuf, Inventory) {
        let dir =
            std::env::temp_dir().join(format!("icvsec-dataflow-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::write(dir.join("vehicle.json"), vehicle).unwrap();
        std::fs::write(dir.join("data/flows.json"), flows).unwrap();
        let inv = load_build(&dir, &LoadOptions::default());
        (dir, inv)
    }

    const VEHICLE: &str = r#"{
  "schema_version": 1,
  "vehicle": { "model": "t", "markets": ["CN"] },
  "ecus": [ { "id": "tbox", "role": "tbox" } ],
  "endpoints": [ { "id": "backend", "host": "b.example.cn", "port": 443, "region": "CN" } ],
  "data_flows": ["data/flows.json"]
}"#;

    fn flows(items: &str, stores: &str, parties: &str, flows: &str) -> String {
        format!(
            r#"{{ "schema_version": 1, "items": [{items}], "stores": [{stores}], "parties": [{parties}], "flows": [{flows}] }}"#
        )
    }

    const TRACK: &str = r#"{ "id": "track", "name": "track", "category": "sensitive_personal", "kind": "location_track", "classification_level": "important", "persons_per_year": 50000 }"#;
    const LAKE: &str =
        r#"{ "id": "lake", "location": "cloud", "region": "CN", "items": ["track"] }"#;
    const PARTNER: &str =
        r#"{ "id": "partner", "name": "p", "kind": "third_party", "region": "DE" }"#;

    fn fl(id: &str, from: &str, to: &str, extra: &str) -> String {
        format!(
            r#"{{ "id": "{id}", "items": ["track"], "from": "{from}", "to": "{to}", "purpose": "x"{extra} }}"#
        )
    }

    /// Run one check over every asset of its kind (a minimal engine for unit tests).
    fn run(inv: &Inventory, check: &str, params: serde_json::Value) -> Vec<(String, Eval)> {
        let reg = crate::registry();
        let c = reg.get(check).expect("check registered");
        let prepared = c.prepare(&params).expect("params accepted");
        let mut out = Vec::new();
        for a in inv.assets(c.asset) {
            let ctx = Ctx {
                inv,
                asset: &a,
                as_of: AS_OF,
            };
            let mut sink = Sink::default();
            c.run(&ctx, &prepared, &mut sink);
            assert!(!sink.evals.is_empty(), "{check} said nothing for {}", a.id);
            out.extend(sink.evals.into_iter().map(|e| (a.id.clone(), e)));
        }
        out
    }

    fn export_params() -> serde_json::Value {
        serde_json::json!({ "sensitive_pi_persons": 10000, "pi_persons": 1000000, "pi_important_persons": 100000 })
    }

    #[test]
    fn cycles_end_routes_and_multi_hop_export_shows_the_path() {
        let m = flows(
            TRACK,
            LAKE,
            PARTNER,
            &[
                fl("up", "tbox", "backend", r#", "via_endpoint": "backend""#),
                fl("to-lake", "backend", "lake", ""),
                fl("back", "lake", "backend", ""), // cycle lake <-> backend
                fl("to-partner", "lake", "partner", ""),
            ]
            .join(","),
        );
        let (_d, inv) = build("cycle", VEHICLE, &m);
        assert!(inv.diagnostics.is_empty(), "{:?}", inv.diagnostics);
        let g = Graph::new(&inv);
        let rs = g.routes("track");
        assert!(!rs.truncated);
        let paths: Vec<String> = rs.routes.iter().map(|r| g.route_text(r)).collect();
        assert_eq!(paths, vec!["tbox → backend → lake → partner"]);
        assert_eq!(rs.routes[0].flows, vec!["up", "to-lake", "to-partner"]);
        assert_eq!(g.border_hop(&rs.routes[0]), Some(2));
        assert_eq!(g.third_party_hop(&rs.routes[0]), Some(2));

        let evals = run(&inv, "data.route_export", export_params());
        let fails: Vec<&Eval> = evals
            .iter()
            .map(|(_, e)| e)
            .filter(|e| e.outcome == Outcome::Fail)
            .collect();
        assert_eq!(fails.len(), 1, "{evals:?}");
        let f = fails[0];
        assert!(
            f.message.contains("tbox → backend → lake → partner")
                && f.message.contains("`to-partner`"),
            "{}",
            f.message
        );
        let loc = f.location.as_ref().unwrap();
        assert_eq!(loc.file, "data/flows.json");
        assert_eq!(loc.key_path.as_deref(), Some("flows[3]"));
        // Related: the item and each flow of the path.
        let keys: Vec<_> = f
            .related
            .iter()
            .filter_map(|l| l.key_path.clone())
            .collect();
        assert_eq!(keys, vec!["items[0]", "flows[0]", "flows[1]"]);

        // The direct (per-flow) export rule fails the border flow only.
        let direct = run(&inv, "data.export_assessment", export_params());
        let failing: Vec<&str> = direct
            .iter()
            .filter(|(_, e)| e.outcome == Outcome::Fail)
            .map(|(id, _)| id.as_str())
            .collect();
        assert_eq!(failing, vec!["to-partner"]);
    }

    #[test]
    fn a_pure_cycle_has_routes_from_its_senders_and_terminates() {
        let m = flows(
            TRACK,
            LAKE,
            "",
            &[
                fl("a", "backend", "lake", ""),
                fl("b", "lake", "backend", ""),
            ]
            .join(","),
        );
        let (_d, inv) = build("purecycle", VEHICLE, &m);
        let g = Graph::new(&inv);
        let rs = g.routes("track");
        let paths: Vec<String> = rs.routes.iter().map(|r| g.route_text(r)).collect();
        assert_eq!(paths, vec!["backend → lake", "lake → backend"]);
    }

    #[test]
    fn long_chains_and_route_explosions_are_bounded() {
        // A chain of 40 stores: depth bound.
        let n = 40;
        let stores: Vec<String> = (0..n)
            .map(|i| format!(r#"{{ "id": "s{i}", "location": "cloud", "region": "CN" }}"#))
            .collect();
        let mut fs = vec![fl("f0", "tbox", "s0", "")];
        fs.extend((1..n).map(|i| {
            fl(
                &format!("f{i}"),
                &format!("s{}", i - 1),
                &format!("s{i}"),
                "",
            )
        }));
        let (_d, inv) = build(
            "chain",
            VEHICLE,
            &flows(TRACK, &stores.join(","), "", &fs.join(",")),
        );
        let rs = Graph::new(&inv).routes("track");
        assert!(rs.truncated);
        assert_eq!(rs.routes.len(), 1);
        assert_eq!(rs.routes[0].flows.len(), MAX_ROUTE_DEPTH);

        // 12 layers of two parallel stores, fully connected: 2^12 routes > MAX_ROUTES.
        let layers = 12;
        let mut stores = Vec::new();
        let mut fs = Vec::new();
        for l in 0..layers {
            for k in 0..2 {
                stores.push(format!(
                    r#"{{ "id": "n{l}{k}", "location": "cloud", "region": "CN" }}"#
                ));
                if l == 0 {
                    fs.push(fl(&format!("e0{k}"), "tbox", &format!("n0{k}"), ""));
                } else {
                    for j in 0..2 {
                        fs.push(fl(
                            &format!("e{l}{j}{k}"),
                            &format!("n{}{j}", l - 1),
                            &format!("n{l}{k}"),
                            "",
                        ));
                    }
                }
            }
        }
        let (_d2, inv) = build(
            "lattice",
            VEHICLE,
            &flows(TRACK, &stores.join(","), "", &fs.join(",")),
        );
        let rs = Graph::new(&inv).routes("track");
        assert!(rs.truncated);
        assert_eq!(rs.routes.len(), MAX_ROUTES);
        // The route check reports the bound as an error, never as a pass.
        let evals = run(&inv, "data.route_export", export_params());
        assert!(evals.iter().any(|(_, e)| e.outcome == Outcome::Error));
    }

    #[test]
    fn a_flow_naming_an_unknown_node_is_an_error_with_file_and_line() {
        let m = "{\n  \"schema_version\": 1,\n  \"items\": [ { \"id\": \"track\", \"name\": \"t\", \"category\": \"personal\" } ],\n  \"flows\": [\n    {\n      \"id\": \"f\", \"items\": [\"track\"], \"from\": \"tbox\",\n      \"to\": \"nowhere\",\n      \"via_endpoint\": \"ghost\",\n      \"purpose\": \"x\"\n    }\n  ]\n}\n";
        let (_d, inv) = build("unknown", VEHICLE, m);
        let to = inv
            .diagnostics
            .iter()
            .find(|d| d.message.contains("unknown node `nowhere`"))
            .unwrap_or_else(|| panic!("{:?}", inv.diagnostics));
        assert_eq!(to.location.file, "data/flows.json");
        assert_eq!(to.location.line, Some(7), "{:?}", to.location);
        assert_eq!(to.location.key_path.as_deref(), Some("flows[0].to"));
        let via = inv
            .diagnostics
            .iter()
            .find(|d| d.message.contains("unknown endpoint `ghost`"))
            .unwrap();
        assert_eq!(via.location.line, Some(8));
        // Checks that place the flow report an error for it, never a pass.
        let evals = run(&inv, "data.transit_protection", serde_json::json!({}));
        assert_eq!(evals.len(), 1);
        assert_eq!(evals[0].1.outcome, Outcome::Error);
        assert_eq!(
            evals[0].1.location.as_ref().unwrap().key_path.as_deref(),
            Some("flows[0].to")
        );
    }

    #[test]
    fn the_vehicle_peer_is_the_via_endpoint_and_inbound_flows_are_judged_in_transit() {
        let vehicle = r#"{
  "schema_version": 1,
  "vehicle": { "model": "t", "markets": ["CN"] },
  "ecus": [ { "id": "tbox", "role": "tbox" } ],
  "endpoints": [
    { "id": "backend", "host": "b.example.cn", "port": 443, "region": "CN" },
    { "id": "eu", "host": "b.example.eu", "port": 443, "region": "DE" }
  ],
  "data_flows": ["data/flows.json"]
}"#;
        let stores =
            r#"{ "id": "eu-lake", "location": "cloud", "region": "DE", "items": ["track"] }"#;
        let m = flows(
            TRACK,
            stores,
            "",
            &[
                // Through the CN backend into a DE store: not direct, but an export.
                fl("up", "tbox", "eu-lake", r#", "via_endpoint": "backend""#),
                // Straight to a DE endpoint.
                fl("direct", "tbox", "eu", ""),
                // Into the vehicle from an endpoint without a TLS profile.
                fl("down", "backend", "tbox", ""),
            ]
            .join(","),
        );
        let (_d, inv) = build("peer", vehicle, &m);
        let by_id = |evals: Vec<(String, Eval)>| -> BTreeMap<String, Outcome> {
            evals.into_iter().map(|(id, e)| (id, e.outcome)).collect()
        };
        let direct = by_id(run(&inv, "data.no_direct_export", serde_json::json!({})));
        assert_eq!(direct["up"], Outcome::Pass);
        assert_eq!(direct["direct"], Outcome::Fail);
        assert_eq!(direct["down"], Outcome::NotApplicable);
        let export = by_id(run(&inv, "data.export_assessment", export_params()));
        assert_eq!(export["up"], Outcome::Fail);
        assert_eq!(export["direct"], Outcome::Fail);
        let transit = run(&inv, "data.transit_protection", serde_json::json!({}));
        let down = &transit.iter().find(|(id, _)| id == "down").unwrap().1;
        assert_eq!(down.outcome, Outcome::Fail);
        assert!(
            down.message.contains("declares no TLS profile")
                && down
                    .message
                    .contains("does not hold the server certificate"),
            "{}",
            down.message
        );
    }

    #[test]
    fn an_id_naming_two_kinds_of_node_is_an_error() {
        // A store named like the ECU `tbox`.
        let m = flows(
            TRACK,
            r#"{ "id": "tbox", "location": "cloud", "region": "CN" }"#,
            "",
            &fl("f", "tbox", "backend", r#", "via_endpoint": "backend""#),
        );
        let (_d, inv) = build("ambiguous", VEHICLE, &m);
        let evals = run(&inv, "data.no_direct_export", serde_json::json!({}));
        assert_eq!(evals.len(), 1);
        assert_eq!(evals[0].1.outcome, Outcome::Error);
        assert!(
            evals[0].1.message.contains("more than one node"),
            "{}",
            evals[0].1.message
        );
    }

    fn demo() -> Inventory {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo-vehicle");
        load_build(&root, &LoadOptions::default())
    }

    fn outcome_of<'a>(evals: &'a [(String, Eval)], id: &str) -> Vec<&'a Eval> {
        evals
            .iter()
            .filter(|(a, _)| a == id)
            .map(|(_, e)| e)
            .collect()
    }

    #[test]
    fn demo_data_map_shows_the_transitive_export() {
        let inv = demo();
        let map = data_map(&inv);
        let track = map.iter().find(|e| e.item == "location-track").unwrap();
        assert_eq!(track.category, "sensitive_personal");
        let r = track
            .routes
            .iter()
            .find(|r| r.path.last().map(String::as_str) == Some("map-provider"))
            .unwrap();
        assert_eq!(
            r.path,
            vec!["tbox", "tsp-backend", "tsp-datalake", "map-provider"]
        );
        assert_eq!(r.destination_region, "DE");
        assert!(r.leaves_vehicle && r.leaves_china && r.third_party);
        // The endpoint a flow travels over is shown between its ends.
        let img = map.iter().find(|e| e.item == "outside-images").unwrap();
        assert_eq!(
            img.routes[0].path,
            vec!["adas", "tsp-backend", "tsp-datalake"]
        );
        assert_eq!(img.routes[0].destination_region, "CN");
        assert!(img.routes[0].leaves_vehicle && !img.routes[0].leaves_china);
        let dms = map.iter().find(|e| e.item == "dms-biometrics").unwrap();
        assert_eq!(dms.routes.len(), 1);
        assert_eq!(dms.routes[0].destination_region, "on-board");
        assert!(!dms.routes[0].leaves_vehicle);
        // Personal (not sensitive) and operational items are not in the map.
        assert!(
            map.iter()
                .all(|e| e.item != "dtc-snapshot" && e.item != "app-usage")
        );
    }

    #[test]
    fn demo_transit_protection_judges_profile_and_certificate() {
        let inv = demo();
        let evals = run(
            &inv,
            "data.transit_protection",
            serde_json::json!({ "fail_at": "medium" }),
        );
        let dtc = outcome_of(&evals, "dtc-upload");
        assert_eq!(dtc.len(), 1);
        let e = dtc[0];
        assert_eq!(e.outcome, Outcome::Fail);
        for needle in [
            "TLSv1",
            "3DES",
            "verify_hostname",
            "does not chain to trust anchor `oem-root`",
        ] {
            assert!(e.message.contains(needle), "{needle}: {}", e.message);
        }
        assert_eq!(
            e.location.as_ref().unwrap().key_path.as_deref(),
            Some("flows[6].via_endpoint")
        );
        let rel: Vec<String> = e.related.iter().map(|l| l.file.clone()).collect();
        assert!(rel.contains(&"ecus/tbox.json".to_string()), "{rel:?}");
        assert!(rel.contains(&"pki/diag-server.pem".to_string()), "{rel:?}");
        let track = outcome_of(&evals, "track-to-tsp");
        assert_eq!(track[0].outcome, Outcome::Pass, "{}", track[0].message);
        let analytics = outcome_of(&evals, "usage-analytics");
        assert_eq!(analytics[0].outcome, Outcome::Fail);
        assert!(
            analytics[0].message.contains("expired"),
            "{}",
            analytics[0].message
        );
        assert_eq!(
            outcome_of(&evals, "dms-local")[0].outcome,
            Outcome::NotApplicable
        );
    }

    #[test]
    fn demo_personal_information_rules() {
        let inv = demo();
        let o = |check: &str, p: serde_json::Value, id: &str| -> Outcome {
            let ev = run(&inv, check, p);
            let mut mine: Vec<Outcome> = outcome_of(&ev, id).iter().map(|e| e.outcome).collect();
            mine.dedup();
            assert_eq!(mine.len(), 1, "{check} {id}: {ev:?}");
            mine[0]
        };
        let none = serde_json::json!({});
        assert_eq!(
            o("data.classified", none.clone(), "voice-snippets"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.classified", none.clone(), "location-track"),
            Outcome::Pass
        );
        assert_eq!(
            o("data.in_vehicle_processing", none.clone(), "cabin-upload"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.in_vehicle_processing", none.clone(), "track-to-tsp"),
            Outcome::Pass
        );
        assert_eq!(
            o("data.off_by_default", none.clone(), "dms-local"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.separate_consent", none.clone(), "lake-to-maps"),
            Outcome::Fail
        );
        let cd = serde_json::json!({ "max_days": 365 });
        assert_eq!(
            o("data.consent_duration", cd.clone(), "cabin-upload"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.consent_duration", cd, "track-to-tsp"),
            Outcome::Pass
        );
        assert_eq!(
            o(
                "data.outside_images_anonymised",
                none.clone(),
                "outside-to-lake"
            ),
            Outcome::Fail
        );
        assert_eq!(
            o("data.no_direct_export", none.clone(), "usage-analytics"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.no_direct_export", none.clone(), "track-to-tsp"),
            Outcome::Pass
        );
        assert_eq!(
            o("data.export_assessment", export_params(), "lake-to-maps"),
            Outcome::Fail
        );
        assert_eq!(
            o(
                "data.deletion",
                serde_json::json!({ "max_working_days": 10 }),
                "ivi-profile"
            ),
            Outcome::Fail
        );
        assert_eq!(
            o("data.encrypted_at_rest", none.clone(), "ivi-profile"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.third_party_sharing", none.clone(), "ubi-share"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.third_party_sharing", none.clone(), "lake-to-maps"),
            Outcome::Pass
        );
        let ret = serde_json::json!({ "max_days_by_kind": { "location_track": 7 }, "exempt_processing": ["anonymised", "aggregated"] });
        assert_eq!(
            o("data.flow_retention", ret.clone(), "track-to-tsp"),
            Outcome::Pass
        );
        assert_eq!(
            o("data.flow_retention", ret.clone(), "tsp-to-lake"),
            Outcome::Fail
        );
        assert_eq!(
            o("data.flow_retention", ret, "lake-to-maps"),
            Outcome::NotApplicable
        );
    }

    #[test]
    fn outside_images_are_judged_on_processing_and_resolution() {
        let inv = demo();
        let p = serde_json::json!({ "max_megapixels": 1.2 });
        let evals = run(&inv, "data.outside_images_anonymised", p);
        let e = &outcome_of(&evals, "outside-to-lake")[0];
        assert_eq!(e.outcome, Outcome::Fail);
        assert!(
            e.message.contains("processing is `raw`")
                && e.message
                    .contains("`outside-images` is 2.1 MP (at most 1.2 MP"),
            "{}",
            e.message
        );
        // Without a resolution limit only the processing is judged.
        let evals = run(
            &inv,
            "data.outside_images_anonymised",
            serde_json::json!({}),
        );
        let e = &outcome_of(&evals, "outside-to-lake")[0];
        assert!(!e.message.contains("MP"), "{}", e.message);
    }

    #[test]
    fn thresholds_decide_whether_an_export_needs_an_assessment() {
        let p = ExportParams {
            sensitive_pi_persons: 10_000,
            pi_persons: 1_000_000,
            pi_important_persons: 0,
        };
        let item = |cat: DataCategory, n: Option<u64>| DataItem {
            id: "i".into(),
            name: "i".into(),
            category: cat,
            kind: None,
            classification_level: None,
            persons_per_year: n,
            contains_faces_or_plates: None,
            image_megapixels: None,
        };
        assert!(needs_assessment(&item(DataCategory::Important, Some(1)), &p).is_some());
        assert!(
            needs_assessment(&item(DataCategory::SensitivePersonal, Some(9_999)), &p).is_none()
        );
        assert!(
            needs_assessment(&item(DataCategory::SensitivePersonal, Some(10_000)), &p).is_some()
        );
        assert!(needs_assessment(&item(DataCategory::Personal, Some(999_999)), &p).is_none());
        assert!(needs_assessment(&item(DataCategory::Personal, Some(1_000_000)), &p).is_some());
        assert!(needs_assessment(&item(DataCategory::Personal, None), &p).is_some());
        assert!(needs_assessment(&item(DataCategory::Operational, None), &p).is_none());
        let p2 = ExportParams {
            pi_important_persons: 100_000,
            ..p
        };
        assert!(needs_assessment(&item(DataCategory::Personal, Some(100_001)), &p2).is_some());
        assert!(needs_assessment(&item(DataCategory::Personal, Some(100_000)), &p2).is_none());
    }
}
