//! Tests of the data-flow checks over small builds written at test time and the demo.

use super::export_assessment::{ExportParams, needs_assessment};
use super::prologue::*;
use crate::api::Eval;
use icvsec_inputs::{LoadOptions, load_build};
use icvsec_model::Outcome;
use std::path::{Path, PathBuf};

const AS_OF: i64 = 1_780_272_000; // 2026-06-01

/// A scratch build directory, removed when the test that holds it ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Write a tiny build (vehicle.json + data/flows.json) into a fresh temp directory.
fn build(name: &str, vehicle: &str, flows: &str) -> (Scratch, Inventory) {
    let dir = std::env::temp_dir().join(format!("icvsec-dataflow-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("vehicle.json"), vehicle).unwrap();
    std::fs::write(dir.join("data/flows.json"), flows).unwrap();
    let inv = load_build(&dir, &LoadOptions::default());
    (Scratch(dir), inv)
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
const LAKE: &str = r#"{ "id": "lake", "location": "cloud", "region": "CN", "items": ["track"] }"#;
const PARTNER: &str = r#"{ "id": "partner", "name": "p", "kind": "third_party", "region": "DE" }"#;

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
            profiles: &icvsec_model::RoleProfiles::default(),
        };
        let mut sink = Sink::default();
        c.run(&ctx, &prepared, &mut sink);
        assert!(!sink.evals.is_empty(), "{check} said nothing for {}", a.id);
        out.extend(sink.evals.into_iter().map(|e| (a.id.to_string(), e)));
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
    let g = &inv.graph;
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
        f.message.contains("tbox → backend → lake → partner") && f.message.contains("`to-partner`"),
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
    let g = &inv.graph;
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
    let rs = inv.graph.routes("track");
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
    let rs = inv.graph.routes("track");
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
    let stores = r#"{ "id": "eu-lake", "location": "cloud", "region": "DE", "items": ["track"] }"#;
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
    let map = inv.graph.data_map();
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
    let rel: Vec<String> = e.related.iter().map(|l| l.file.to_string()).collect();
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
    assert!(needs_assessment(&item(DataCategory::SensitivePersonal, Some(9_999)), &p).is_none());
    assert!(needs_assessment(&item(DataCategory::SensitivePersonal, Some(10_000)), &p).is_some());
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

/// issue 19 part 8: a server certificate the build cannot hold (rotated on the server)
/// while the vehicle verifies the peer against a declared anchor is evidence outside the
/// build (manual), not a failure; a saved probe of the endpoint is judged instead.
#[test]
fn endpoint_certificate_outside_the_build_is_manual_unless_probed() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let pki = repo.join("fixtures/rules/ICV-CRT-021/pass/pki");
    let vehicle = |verify: bool| {
        format!(
            r#"{{
  "schema_version": 1,
  "vehicle": {{ "model": "t", "markets": ["CN"] }},
  "ecus": [ {{ "id": "tbox", "role": "tbox" }} ],
  "endpoints": [ {{ "id": "backend", "host": "tsp.tianhe-motors.cn", "port": 443, "region": "CN",
    "trust_anchor": "oem-root",
    "tls": {{ "id": "b", "side": "client", "versions": ["TLSv1.2", "TLSv1.3"],
      "cipher_suites": ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
      "verify_peer": {verify}, "verify_hostname": true }} }} ],
  "trust_anchors": [ {{ "id": "oem-root", "certificate": "pki/oem-root-ca.pem", "purpose": "backend" }} ],
  "data_flows": ["data/flows.json"]
}}"#
        )
    };
    let m = flows(
        TRACK,
        "",
        "",
        &fl("up", "tbox", "backend", r#", "via_endpoint": "backend""#),
    );
    let setup = |name: &str, verify: bool, probe: bool| {
        let dir =
            std::env::temp_dir().join(format!("icvsec-dataflow-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::create_dir_all(dir.join("pki")).unwrap();
        std::fs::write(dir.join("vehicle.json"), vehicle(verify)).unwrap();
        std::fs::write(dir.join("data/flows.json"), &m).unwrap();
        std::fs::copy(pki.join("oem-root-ca.pem"), dir.join("pki/oem-root-ca.pem")).unwrap();
        if probe {
            let tpl = repo.join("fixtures/rules/ICV-TLS-103/pass/probes/backend.probe.json");
            let mut v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(tpl).unwrap()).unwrap();
            v["target"] = "tsp.tianhe-motors.cn:443".into();
            v["sni"] = "tsp.tianhe-motors.cn".into();
            v["certificate_chain"] = serde_json::json!([
                std::fs::read_to_string(pki.join("backend-server.pem")).unwrap(),
                std::fs::read_to_string(pki.join("oem-sub-ca.pem")).unwrap(),
            ]);
            std::fs::create_dir_all(dir.join("probes")).unwrap();
            std::fs::write(
                dir.join("probes/backend.probe.json"),
                serde_json::to_string_pretty(&v).unwrap(),
            )
            .unwrap();
        }
        let inv = load_build(&dir, &LoadOptions::default());
        (dir, inv)
    };
    // Verified against the anchor, no certificate, no probe: manual, naming the way out.
    let (d, inv) = setup("outside-manual", true, false);
    let e = run(&inv, "data.transit_protection", serde_json::json!({}));
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].1.outcome, Outcome::Manual, "{}", e[0].1.message);
    assert!(
        e[0].1.message.contains("evidence outside the build"),
        "{}",
        e[0].1.message
    );
    assert!(e[0].1.message.contains("--save"), "{}", e[0].1.message);
    let _ = std::fs::remove_dir_all(d);
    // The peer is not verified: a failure as before.
    let (d, inv) = setup("outside-unverified", false, false);
    let e = run(&inv, "data.transit_protection", serde_json::json!({}));
    assert_eq!(e[0].1.outcome, Outcome::Fail, "{}", e[0].1.message);
    let _ = std::fs::remove_dir_all(d);
    // A saved probe of the endpoint: its chain is judged (leaf + intermediate to the anchor).
    let (d, inv) = setup("outside-probed", true, true);
    let e = run(&inv, "data.transit_protection", serde_json::json!({}));
    assert_eq!(e[0].1.outcome, Outcome::Pass, "{}", e[0].1.message);
    assert!(
        e[0].1
            .related
            .iter()
            .any(|l| l.file == "probes/backend.probe.json"),
        "{:?}",
        e[0].1.related
    );
    let _ = std::fs::remove_dir_all(d);
}
