//! Builds the resolved [`AssetGraph`] of a loaded inventory, once per scan, after every
//! input is parsed and every reference resolved. Checks, the engine and the report read
//! it; nothing changes it afterwards.

use crate::inventory::Inventory;
use icvsec_model::Location;
use icvsec_model::graph::{
    AssetGraph, EndpointLinks, FlowEdge, GraphParts, ItemNode, Node, NodeKind, TlsProfileNode,
    is_china,
};
use icvsec_model::input::vehicle::Owner;
use std::collections::BTreeMap;

/// The graph of `inv`: flow nodes (ECUs, endpoints, stores, parties, in that order, so a
/// later kind with the same id replaces an earlier one and the id is ambiguous), items,
/// flows and their routes, endpoint links to TLS profiles and certificates, TLS profiles
/// with typed versions and suites, trust anchors.
pub fn build(inv: &Inventory) -> AssetGraph {
    let mut nodes = Vec::new();
    let vehicle_ecus = inv.vehicle.iter().flat_map(|v| {
        v.doc
            .ecus
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
    });
    for (id, i) in vehicle_ecus {
        nodes.push(Node {
            id,
            kind: NodeKind::Ecu,
            on_board: true,
            region: None,
            third_party: false,
            declared_at: Location::at_key("vehicle.json", format!("ecus[{i}]")),
        });
    }
    for (id, e) in &inv.ecus {
        nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Ecu,
            on_board: true,
            region: None,
            third_party: false,
            declared_at: e.home(),
        });
    }
    for (id, ep) in &inv.endpoints {
        nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Endpoint,
            on_board: false,
            region: Some(ep.value.region.clone()),
            third_party: ep.value.owner == Owner::ThirdParty,
            declared_at: ep.location(),
        });
    }
    for (id, s) in &inv.data.stores {
        let on_board = s.value.location != "cloud";
        nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Store,
            on_board,
            region: if on_board {
                None
            } else {
                s.value.region.clone()
            },
            third_party: false,
            declared_at: s.location(),
        });
    }
    for (id, p) in &inv.data.parties {
        nodes.push(Node {
            id: id.clone(),
            kind: NodeKind::Party,
            on_board: false,
            region: Some(p.value.region.clone()),
            third_party: p.value.kind == Owner::ThirdParty,
            declared_at: p.location(),
        });
    }
    let items = inv
        .data
        .items
        .values()
        .map(|i| ItemNode {
            id: i.value.id.clone(),
            category: i.value.category,
            declared_at: i.location(),
        })
        .collect();
    let flows = inv
        .data
        .flows
        .values()
        .map(|f| FlowEdge {
            id: f.value.id.clone(),
            from: f.value.from.clone(),
            to: f.value.to.clone(),
            via: f.value.via_endpoint.clone(),
            items: f.value.items.clone(),
            declared_at: f.location(),
        })
        .collect();
    let endpoints = inv
        .endpoints
        .values()
        .map(|ep| endpoint_links(inv, ep))
        .collect();
    let tls_profiles = inv
        .tls_profiles
        .iter()
        .map(|(id, p)| {
            TlsProfileNode::parse(
                id,
                &p.value.versions,
                &p.value.cipher_suites,
                p.location(),
                |k| p.at(k),
            )
        })
        .collect();
    let anchors: BTreeMap<String, Vec<String>> = inv
        .trust_anchors
        .iter()
        .map(|(id, a)| {
            let certs = inv
                .certificates
                .iter()
                .filter(|(_, c)| c.file == a.value.certificate)
                .map(|(cid, _)| cid.clone())
                .collect();
            (id.clone(), certs)
        })
        .collect();
    AssetGraph::new(GraphParts {
        nodes,
        items,
        flows,
        endpoints,
        tls_profiles,
        anchors,
        vehicle_in_china: inv.markets().iter().any(|m| is_china(m)),
    })
}

/// An endpoint's resolved TLS profile, trust anchor and server certificates.
fn endpoint_links(
    inv: &Inventory,
    ep: &crate::inventory::Placed<icvsec_model::input::vehicle::Endpoint>,
) -> EndpointLinks {
    let e = &ep.value;
    let tls_profile = e
        .tls_profile
        .clone()
        .or_else(|| e.tls.as_ref().map(|_| format!("endpoint/{}", e.id)));
    let profile = tls_profile
        .as_deref()
        .and_then(|id| inv.tls_profiles.get(id));
    let trust_anchor = e
        .trust_anchor
        .clone()
        .or_else(|| profile.and_then(|p| p.value.trust_anchor.clone()));
    let server_certificate = e
        .server_certificate
        .as_deref()
        .map(|p| p.trim_start_matches("./").to_string());
    let mut certs: Vec<(&String, Option<u32>)> = match &server_certificate {
        Some(path) => inv
            .certificates
            .iter()
            .filter(|(_, c)| &c.file == path)
            .map(|(id, c)| (id, c.line))
            .collect(),
        None => Vec::new(),
    };
    // Stable: certificates on the same line (or without one) keep their id order.
    certs.sort_by_key(|(_, line)| *line);
    EndpointLinks {
        endpoint: e.id.clone(),
        tls_profile_declared: profile.is_some(),
        tls_profile,
        trust_anchor,
        server_certificate,
        server_certificates: certs.into_iter().map(|(id, _)| id.clone()).collect(),
        declared_at: ep.location(),
    }
}

#[cfg(test)]
mod tests {
    use crate::{LoadOptions, load_build};
    use icvsec_model::graph::NodeKind;
    use icvsec_model::tlsvocab::versions::Version;
    use std::path::Path;

    /// The demo build's graph links endpoints to their profiles, anchors and server
    /// certificates, types the profiles, and knows the flows' nodes and regions.
    #[test]
    fn the_demo_graph_is_linked_once_at_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo-vehicle");
        let inv = load_build(&root, &LoadOptions::default());
        let g = &inv.graph;

        let tsp = g.endpoint("tsp-backend").expect("tsp-backend linked");
        assert_eq!(tsp.tls_profile.as_deref(), Some("tbox/backend"));
        assert!(tsp.tls_profile_declared);
        assert_eq!(tsp.trust_anchor.as_deref(), Some("oem-root"));
        assert_eq!(
            tsp.server_certificate.as_deref(),
            Some("pki/backend-server.pem")
        );
        assert!(!tsp.server_certificates.is_empty());
        assert!(
            tsp.server_certificates
                .iter()
                .all(|id| inv.certificates[id].file == "pki/backend-server.pem")
        );
        // An inline profile resolves to `endpoint/<id>`.
        let partner = g.endpoint("analytics-partner").expect("partner linked");
        assert_eq!(
            partner.tls_profile.as_deref(),
            Some("endpoint/analytics-partner")
        );
        assert!(!g.anchor_certificates("oem-root").is_empty());

        let prof = g.tls_profile("tbox/backend").expect("profile typed");
        assert!(prof.versions.iter().all(|v| v.value.is_some()));
        assert!(
            prof.versions
                .iter()
                .any(|v| v.value == Some(Version::Tls13))
        );
        assert!(prof.cipher_suites.iter().all(|c| c.value.is_some()));
        assert_eq!(prof.versions[0].at.file, prof.declared_at.file);

        assert_eq!(g.node("tbox").map(|n| n.kind), Some(NodeKind::Ecu));
        assert_eq!(g.in_china("tbox"), Some(true));
        assert!(g.flows().count() > 0);
        assert!(g.flows().all(|f| f.declared_at.key_path.is_some()));
        assert!(!g.data_map().is_empty());
    }
}
