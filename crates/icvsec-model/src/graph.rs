//! The resolved asset graph of one build: built once per scan by icvsec-inputs from the
//! parsed inputs, then read (never changed) by checks, the engine and the report.
//!
//! Node kinds: data items; flow nodes (ECUs on board, endpoints, data stores and parties)
//! with their region; endpoints linked to their resolved TLS profile, trust anchor and
//! server certificate; TLS profiles with their versions and cipher suites parsed once
//! (the one version type and suite table of icvsec-tlsvocab); trust anchors linked to
//! their certificates. Edge kinds: a flow
//! (`from` -> `to`, optionally `via` an endpoint, carrying items); item -> routes (every
//! path the item takes through the flows, from where it originates to where it ends).
//! Every node and edge keeps the place (file and key path) that declared it.
//!
//! Routes are enumerated once, here, with a visited set per path (a cycle ends a route,
//! never loops) and bounds on depth ([`MAX_ROUTE_DEPTH`]) and count ([`MAX_ROUTES`]); a
//! bound reached marks the item's routes `truncated`, which route checks report.

use crate::input::dataflow::DataCategory;
use crate::location::Location;
use crate::report::{DataMapEntry, DataRoute};
use icvsec_tlsvocab::suites::{self, CipherSuite};
use icvsec_tlsvocab::versions::Version;
use std::collections::{BTreeMap, BTreeSet};

/// Longest route followed (flows), so a long chain cannot make analysis explode.
pub const MAX_ROUTE_DEPTH: usize = 32;
/// Most routes enumerated per item; beyond it the result is marked truncated.
pub const MAX_ROUTES: usize = 256;

/// What a node of the flow graph is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    Ecu,
    Endpoint,
    Store,
    Party,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Ecu => "ECU",
            NodeKind::Endpoint => "endpoint",
            NodeKind::Store => "store",
            NodeKind::Party => "party",
        }
    }
}

/// A node of the flow graph: an ECU, an endpoint, a data store or a party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    /// On the vehicle (an ECU, or a store on an ECU).
    pub on_board: bool,
    /// Declared region of an off-board node (`None`: not declared).
    pub region: Option<String>,
    pub third_party: bool,
    /// Where the node is declared.
    pub declared_at: Location,
}

/// A data item: a node that routes start from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemNode {
    pub id: String,
    pub category: DataCategory,
    pub declared_at: Location,
}

/// A flow: an edge of the flow graph, labelled with the items it carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowEdge {
    pub id: String,
    pub from: String,
    pub to: String,
    /// Endpoint the data travels over, when declared.
    pub via: Option<String>,
    pub items: Vec<String>,
    /// Where the flow is declared.
    pub declared_at: Location,
}

/// An endpoint's links to the TLS world: its TLS profile (resolved id: `tls_profile`, else
/// `endpoint/<id>` for an inline profile), the trust anchor that verifies it (the
/// endpoint's, else the profile's) and the certificates of its server certificate file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointLinks {
    pub endpoint: String,
    /// Resolved profile id (may name a profile that is not declared: checks say so).
    pub tls_profile: Option<String>,
    /// Whether the profile id names a declared profile.
    pub tls_profile_declared: bool,
    pub trust_anchor: Option<String>,
    /// Build-relative path of the server certificate (leading `./` removed).
    pub server_certificate: Option<String>,
    /// Certificate asset ids of that file, leaf first (by line).
    pub server_certificates: Vec<String>,
    pub declared_at: Location,
}

/// One declared value, parsed once at load: its spelling, its place, and its meaning
/// (`None` when icvsec does not know it; checks report that as an error at `at`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed<T> {
    pub declared: String,
    pub at: Location,
    pub value: Option<T>,
}

/// A declared TLS profile (ECU config or inline on an endpoint) with its protocol versions
/// and cipher suites parsed into the shared vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsProfileNode {
    /// Profile id: `<ecu>/<profile>`, or `endpoint/<endpoint>` for an inline profile.
    pub id: String,
    pub versions: Vec<Parsed<Version>>,
    pub cipher_suites: Vec<Parsed<&'static CipherSuite>>,
    pub declared_at: Location,
}

impl TlsProfileNode {
    /// Parse a profile's declared versions and suites; `at(key)` is the place of a key
    /// below the profile (`versions[1]`).
    pub fn parse(
        id: &str,
        versions: &[String],
        cipher_suites: &[String],
        declared_at: Location,
        at: impl Fn(&str) -> Location,
    ) -> Self {
        TlsProfileNode {
            id: id.to_string(),
            versions: versions
                .iter()
                .enumerate()
                .map(|(i, v)| Parsed {
                    declared: v.clone(),
                    at: at(&format!("versions[{i}]")),
                    value: Version::parse(v),
                })
                .collect(),
            cipher_suites: cipher_suites
                .iter()
                .enumerate()
                .map(|(i, c)| Parsed {
                    declared: c.clone(),
                    at: at(&format!("cipher_suites[{i}]")),
                    value: suites::lookup(c),
                })
                .collect(),
            declared_at,
        }
    }
}

/// One route of an item: nodes from source to destination, and the flows between them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub nodes: Vec<String>,
    pub flows: Vec<String>,
}

/// Routes of one item, and whether the enumeration hit a bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Routes {
    pub routes: Vec<Route>,
    pub truncated: bool,
}

static NO_ROUTES: Routes = Routes {
    routes: Vec::new(),
    truncated: false,
};

/// Whether a region code means mainland China (`CN`, or a subdivision `CN-xx`).
///
/// ISO 3166-2:CN also lists Hong Kong, Macao and Taiwan (`CN-HK`, `CN-MO`, `CN-TW`, and
/// the older numeric `CN-91`, `CN-92`, `CN-71`); the data-export provisions treat a
/// transfer there as leaving the mainland, so they are not counted as China here.
pub fn is_china(region: &str) -> bool {
    const OUTSIDE_MAINLAND: [&str; 6] = ["HK", "MO", "TW", "91", "92", "71"];
    let r = region.trim().to_ascii_uppercase();
    match r.strip_prefix("CN-") {
        Some(sub) => !sub.is_empty() && !OUTSIDE_MAINLAND.contains(&sub),
        None => r == "CN",
    }
}

/// The parts the graph is built from; [`AssetGraph::new`] indexes them and enumerates
/// the routes.
#[derive(Clone, Debug, Default)]
pub struct GraphParts {
    /// Nodes in insertion order: a later node with the same id replaces an earlier one
    /// (and makes the id ambiguous when the kinds differ).
    pub nodes: Vec<Node>,
    pub items: Vec<ItemNode>,
    pub flows: Vec<FlowEdge>,
    pub endpoints: Vec<EndpointLinks>,
    pub tls_profiles: Vec<TlsProfileNode>,
    /// Trust anchor id -> certificate asset ids.
    pub anchors: BTreeMap<String, Vec<String>>,
    /// Whether the vehicle is sold in China (on-board nodes are then in China).
    pub vehicle_in_china: bool,
}

/// The resolved asset graph (see the module documentation).
#[derive(Clone, Debug, Default)]
pub struct AssetGraph {
    nodes: BTreeMap<String, Node>,
    /// Ids that name nodes of more than one kind (e.g. a store and an ECU).
    ambiguous: BTreeSet<String>,
    items: BTreeMap<String, ItemNode>,
    flows: BTreeMap<String, FlowEdge>,
    /// Outgoing flow ids per node id, in flow id order.
    out: BTreeMap<String, Vec<String>>,
    /// Routes per item id (items carried by at least one flow).
    routes: BTreeMap<String, Routes>,
    endpoints: BTreeMap<String, EndpointLinks>,
    tls_profiles: BTreeMap<String, TlsProfileNode>,
    anchors: BTreeMap<String, Vec<String>>,
    vehicle_in_china: bool,
}

impl AssetGraph {
    pub fn new(parts: GraphParts) -> Self {
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        let mut ambiguous = BTreeSet::new();
        for n in parts.nodes {
            if nodes.get(&n.id).is_some_and(|old| old.kind != n.kind) {
                ambiguous.insert(n.id.clone());
            }
            nodes.insert(n.id.clone(), n);
        }
        let flows: BTreeMap<String, FlowEdge> =
            parts.flows.into_iter().map(|f| (f.id.clone(), f)).collect();
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in flows.values() {
            out.entry(f.from.clone()).or_default().push(f.id.clone());
        }
        let mut g = AssetGraph {
            nodes,
            ambiguous,
            items: parts.items.into_iter().map(|i| (i.id.clone(), i)).collect(),
            flows,
            out,
            routes: BTreeMap::new(),
            endpoints: parts
                .endpoints
                .into_iter()
                .map(|e| (e.endpoint.clone(), e))
                .collect(),
            tls_profiles: parts
                .tls_profiles
                .into_iter()
                .map(|p| (p.id.clone(), p))
                .collect(),
            anchors: parts.anchors,
            vehicle_in_china: parts.vehicle_in_china,
        };
        let carried: BTreeSet<String> = g
            .flows
            .values()
            .flat_map(|f| f.items.iter().cloned())
            .collect();
        let routes = carried
            .into_iter()
            .map(|i| {
                let r = g.compute_routes(&i);
                (i, r)
            })
            .collect();
        g.routes = routes;
        g
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.nodes.values()
    }

    pub fn flow(&self, id: &str) -> Option<&FlowEdge> {
        self.flows.get(id)
    }

    pub fn flows(&self) -> impl Iterator<Item = &FlowEdge> {
        self.flows.values()
    }

    pub fn item(&self, id: &str) -> Option<&ItemNode> {
        self.items.get(id)
    }

    /// The TLS and certificate links of an endpoint.
    pub fn endpoint(&self, id: &str) -> Option<&EndpointLinks> {
        self.endpoints.get(id)
    }

    /// A declared TLS profile with its versions and suites parsed.
    pub fn tls_profile(&self, id: &str) -> Option<&TlsProfileNode> {
        self.tls_profiles.get(id)
    }

    /// Certificate asset ids of a trust anchor (empty when it has none or is unknown).
    pub fn anchor_certificates(&self, anchor: &str) -> &[String] {
        self.anchors.get(anchor).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn vehicle_in_china(&self) -> bool {
        self.vehicle_in_china
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

    pub fn on_board(&self, id: &str) -> Option<bool> {
        self.nodes.get(id).map(|n| n.on_board)
    }

    /// Whether a flow goes from the vehicle to a node off it.
    pub fn leaves_vehicle(&self, from: &str, to: &str) -> Option<bool> {
        Some(self.on_board(from)? && !self.on_board(to)?)
    }

    /// Whether a flow leaves China: its source is in China and its destination is a
    /// node with a declared region outside China. `None` when either side is unknown.
    pub fn leaves_china(&self, from: &str, to: &str) -> Option<bool> {
        let from = self.in_china(from)?;
        let to = self.in_china(to)?;
        Some(from && !to)
    }

    /// Every route of `item` from the nodes where it originates (senders that no flow of
    /// the item reaches; in a pure cycle, its on-board senders) to where it ends.
    pub fn routes(&self, item: &str) -> &Routes {
        self.routes.get(item).unwrap_or(&NO_ROUTES)
    }

    fn compute_routes(&self, item: &str) -> Routes {
        let carrying: Vec<&FlowEdge> = self
            .flows
            .values()
            .filter(|f| f.items.iter().any(|i| i == item))
            .collect();
        let senders: BTreeSet<&str> = carrying.iter().map(|f| f.from.as_str()).collect();
        let receivers: BTreeSet<&str> = carrying.iter().map(|f| f.to.as_str()).collect();
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

    /// Depth-first walk; the recursion depth is bounded by [`MAX_ROUTE_DEPTH`].
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
        let Some(here) = nodes.last().cloned() else {
            return;
        };
        let next: Vec<&FlowEdge> = self
            .out
            .get(here.as_str())
            .map(|v| {
                v.iter()
                    .filter_map(|id| self.flows.get(id))
                    .filter(|f| f.items.iter().any(|i| i == item))
                    .filter(|f| !visited.contains(&f.to))
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
            nodes.push(f.to.clone());
            flows.push(f.id.clone());
            visited.insert(f.to.clone());
            self.walk(item, nodes, flows, visited, acc);
            visited.remove(&f.to);
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
    /// (`via`) between its ends when it is neither of them.
    pub fn display_nodes(&self, r: &Route) -> Vec<String> {
        let mut out = Vec::with_capacity(r.nodes.len() * 2);
        out.extend(r.nodes.first().cloned());
        for (i, fid) in r.flows.iter().enumerate() {
            let via = self.flows.get(fid).and_then(|f| f.via.clone());
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

    /// A route as the report shows it (`truncated`: the enumeration stopped after it).
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

    /// Where every sensitive-personal or important data item goes: all its routes from
    /// its sources to their final destinations. Items without flows have no routes.
    pub fn data_map(&self) -> Vec<DataMapEntry> {
        self.items
            .values()
            .filter(|i| {
                matches!(
                    i.category,
                    DataCategory::SensitivePersonal | DataCategory::Important
                )
            })
            .map(|i| {
                let rs = self.routes(&i.id);
                let n = rs.routes.len();
                DataMapEntry {
                    item: i.id.clone(),
                    category: i.category.as_str().to_string(),
                    routes: rs
                        .routes
                        .iter()
                        .enumerate()
                        .map(|(k, r)| self.data_route(r, rs.truncated && k + 1 == n))
                        .collect(),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, kind: NodeKind, on_board: bool, region: Option<&str>) -> Node {
        Node {
            id: id.into(),
            kind,
            on_board,
            region: region.map(String::from),
            third_party: false,
            declared_at: Location::file("vehicle.json"),
        }
    }

    fn flow(id: &str, from: &str, to: &str) -> FlowEdge {
        FlowEdge {
            id: id.into(),
            from: from.into(),
            to: to.into(),
            via: None,
            items: vec!["x".into()],
            declared_at: Location::at_key("data/f.json", format!("flows.{id}")),
        }
    }

    #[test]
    fn routes_end_at_cycles_and_know_the_border() {
        let g = AssetGraph::new(GraphParts {
            nodes: vec![
                node("ecu", NodeKind::Ecu, true, None),
                node("cn", NodeKind::Endpoint, false, Some("CN")),
                node("de", NodeKind::Party, false, Some("DE")),
            ],
            items: vec![ItemNode {
                id: "x".into(),
                category: DataCategory::Important,
                declared_at: Location::file("data/f.json"),
            }],
            flows: vec![
                flow("a", "ecu", "cn"),
                flow("b", "cn", "ecu"),
                flow("c", "cn", "de"),
            ],
            vehicle_in_china: true,
            ..Default::default()
        });
        let rs = g.routes("x");
        assert!(!rs.truncated);
        let texts: Vec<String> = rs.routes.iter().map(|r| g.route_text(r)).collect();
        assert_eq!(texts, vec!["ecu → cn → de"]);
        assert_eq!(g.border_hop(&rs.routes[0]), Some(1));
        assert_eq!(g.leaves_china("cn", "de"), Some(true));
        assert_eq!(g.leaves_vehicle("ecu", "cn"), Some(true));
        let map = g.data_map();
        assert_eq!(map.len(), 1);
        assert!(map[0].routes[0].leaves_china);
        assert!(g.routes("unknown").routes.is_empty());
    }

    #[test]
    fn long_chains_and_many_routes_are_bounded() {
        // A chain longer than the depth bound is cut and marked truncated.
        let n = MAX_ROUTE_DEPTH + 5;
        let mut nodes = vec![node("n0", NodeKind::Ecu, true, None)];
        let mut flows = Vec::new();
        for i in 1..=n {
            nodes.push(node(&format!("n{i}"), NodeKind::Store, false, Some("CN")));
            flows.push(flow(
                &format!("f{i:03}"),
                &format!("n{}", i - 1),
                &format!("n{i}"),
            ));
        }
        let g = AssetGraph::new(GraphParts {
            nodes,
            flows,
            ..Default::default()
        });
        let rs = g.routes("x");
        assert!(rs.truncated);
        assert_eq!(rs.routes.len(), 1);
        assert_eq!(rs.routes[0].flows.len(), MAX_ROUTE_DEPTH);

        // A complete layered graph has far more paths than MAX_ROUTES: cut and marked.
        let mut nodes = vec![node("s", NodeKind::Ecu, true, None)];
        let mut flows = Vec::new();
        let layers = 6;
        let width = 4;
        for l in 0..layers {
            for w in 0..width {
                nodes.push(node(
                    &format!("l{l}w{w}"),
                    NodeKind::Store,
                    false,
                    Some("CN"),
                ));
                if l == 0 {
                    flows.push(flow(&format!("s-{w}"), "s", &format!("l0w{w}")));
                } else {
                    for p in 0..width {
                        flows.push(flow(
                            &format!("l{l}-{p}-{w}"),
                            &format!("l{}w{p}", l - 1),
                            &format!("l{l}w{w}"),
                        ));
                    }
                }
            }
        }
        let g = AssetGraph::new(GraphParts {
            nodes,
            flows,
            ..Default::default()
        });
        let rs = g.routes("x");
        assert!(rs.truncated);
        assert!(rs.routes.len() <= MAX_ROUTES);
    }

    #[test]
    fn profiles_are_parsed_once_with_the_place_of_each_value() {
        let p = TlsProfileNode::parse(
            "tbox/backend",
            &["TLSv1.2".into(), "TLSv9".into()],
            &[
                "ECDHE-RSA-AES128-GCM-SHA256".into(),
                "0xC02F".into(),
                "NOPE".into(),
            ],
            Location::at_key("ecus/tbox.json", "tls_profiles[0]"),
            |k| Location::at_key("ecus/tbox.json", format!("tls_profiles[0].{k}")),
        );
        assert_eq!(p.versions[0].value, Some(Version::Tls12));
        assert_eq!(p.versions[1].value, None);
        assert_eq!(
            p.versions[1].at.key_path.as_deref(),
            Some("tls_profiles[0].versions[1]")
        );
        assert_eq!(p.cipher_suites[0].value.map(|c| c.code), Some(0xC02F));
        assert_eq!(p.cipher_suites[1].value.map(|c| c.code), Some(0xC02F));
        assert!(p.cipher_suites[2].value.is_none());
        assert_eq!(p.cipher_suites[2].declared, "NOPE");
        let g = AssetGraph::new(GraphParts {
            tls_profiles: vec![p],
            ..Default::default()
        });
        assert!(g.tls_profile("tbox/backend").is_some());
        assert!(g.tls_profile("other").is_none());
    }

    #[test]
    fn ids_of_two_kinds_are_ambiguous() {
        let g = AssetGraph::new(GraphParts {
            nodes: vec![
                node("a", NodeKind::Ecu, true, None),
                node("a", NodeKind::Store, false, Some("CN")),
            ],
            ..Default::default()
        });
        assert!(g.is_ambiguous("a"));
        assert_eq!(g.node("a").map(|n| n.kind), Some(NodeKind::Store));
        assert_eq!(g.in_china("a"), Some(true));
        assert_eq!(g.region_label("nope"), "unknown");
    }

    #[test]
    fn hong_kong_macao_and_taiwan_are_not_mainland() {
        assert!(is_china("CN"));
        assert!(is_china("cn-31"));
        assert!(is_china("CN-BJ"));
        for r in [
            "CN-HK", "cn-mo", "CN-TW", "CN-91", "CN-92", "CN-71", "CN-", "HK", "CNX",
        ] {
            assert!(!is_china(r), "{r}");
        }
    }
}
