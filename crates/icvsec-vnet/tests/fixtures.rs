//! Facts and analyses on the committed fixtures (fixtures/vnet).

use icvsec_vnet::analysis::{
    self, FreshnessPolicy, MessageMatch, SafetySelector, cross_domain_without_route,
    permits_from_arxml, permits_from_declared, safety_message_protection, secoc_below,
    secoc_strength, unprotected_safety_messages,
};
use icvsec_vnet::arxml::{ConfigSource, Freshness, RouteKind, parse_arxml};
use icvsec_vnet::dbc::{DbcFile, parse_dbc};
use icvsec_vnet::{Limits, arxml::ArxmlFacts};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/vnet/");

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).expect("fixture present")
}

fn extract() -> ArxmlFacts {
    parse_arxml(
        "fixtures/vnet/adas-ecu-extract.arxml",
        &read("adas-ecu-extract.arxml"),
        &Limits::default(),
    )
    .expect("fixture parses")
}

fn powertrain() -> DbcFile {
    parse_dbc(
        "fixtures/vnet/powertrain.dbc",
        &read("powertrain.dbc"),
        Some("CAN_Powertrain"),
        &Limits::default(),
    )
    .expect("powertrain.dbc parses")
}

fn adas() -> DbcFile {
    parse_dbc(
        "fixtures/vnet/adas.dbc",
        &read("adas.dbc"),
        Some("CAN_ADAS"),
        &Limits::default(),
    )
    .expect("adas.dbc parses")
}

#[test]
fn secoc_facts_of_the_extract() {
    let f = extract();
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.secoc.len(), 3);

    let steer = &f.secoc[0];
    assert_eq!(steer.name, "Steering_Cmd_Secured");
    assert_eq!(steer.path, "/Demo/Pdus/Steering_Cmd_Secured");
    assert_eq!(steer.source, ConfigSource::SystemTemplate);
    assert_eq!(steer.authentic_pdu.as_deref(), Some("Steering_Cmd"));
    assert_eq!(
        steer.authentic_pdu_path.as_deref(),
        Some("/Demo/Pdus/Steering_Cmd")
    );
    assert_eq!(steer.algorithm.as_deref(), Some("CMAC/AES-128"));
    assert_eq!(steer.mac_bits, Some(24));
    assert_eq!(steer.freshness_value_bits, Some(64));
    assert_eq!(steer.freshness_bits, Some(8));
    assert_eq!(steer.freshness, Freshness::Counter);
    assert_eq!(steer.buses, vec!["CAN_ADAS", "CAN_Powertrain"]);
    assert_eq!(steer.can_ids, vec![0x100]);
    assert_eq!(steer.place.file, "fixtures/vnet/adas-ecu-extract.arxml");
    assert_eq!((steer.place.line, steer.place.col), (206, 13));
    assert_eq!(
        steer.place.to_string(),
        "fixtures/vnet/adas-ecu-extract.arxml:206:13 (/Demo/Pdus/Steering_Cmd_Secured)"
    );

    let brake = &f.secoc[1];
    assert_eq!(brake.name, "Brake_Cmd_Secured");
    assert_eq!(brake.mac_bits, Some(32));
    assert_eq!(brake.freshness, Freshness::None);
    assert!(!brake.has_freshness());
    assert_eq!(brake.buses, vec!["CAN_ADAS"]);
    assert_eq!(brake.can_ids, vec![0x110]);

    let torque = &f.secoc[2];
    assert_eq!(torque.mac_bits, Some(64));
    assert_eq!(torque.freshness_value_bits, Some(64));
    assert_eq!(torque.freshness_bits, Some(8));
    assert_eq!(torque.freshness.as_str(), "counter");
}

#[test]
fn unsecured_pdus_and_levels_and_routes() {
    let f = extract();
    let unsecured: Vec<&str> = f.unsecured_pdus().map(|p| p.name.as_str()).collect();
    assert_eq!(unsecured, vec!["Adas_Status"]);
    let adas = f.pdus.iter().find(|p| p.name == "Adas_Status").unwrap();
    assert_eq!(adas.can_ids, vec![0x180]);
    assert_eq!(adas.buses, vec!["CAN_ADAS", "CAN_Powertrain"]);
    let steer = f.pdus.iter().find(|p| p.name == "Steering_Cmd").unwrap();
    assert_eq!(steer.secured_by, vec!["/Demo/Pdus/Steering_Cmd_Secured"]);

    assert_eq!(f.security_levels.len(), 1);
    let l = &f.security_levels[0];
    assert_eq!(l.path, "/Demo/Diagnostics/Level_Programming");
    assert_eq!(l.request_seed_id, Some(17));
    assert_eq!(l.level, Some(9));
    assert_eq!(l.max_attempts, Some(3));
    assert_eq!(l.delay_ms, Some(10_000));
    assert_eq!(l.delay_on_boot_ms, Some(10_000));
    assert_eq!((l.seed_bytes, l.key_bytes), (Some(16), Some(16)));

    assert_eq!(f.routes.len(), 2);
    for r in &f.routes {
        assert_eq!(r.kind, RouteKind::IPduMapping);
        assert_eq!(r.path, "/Demo/Gateways/CGW_Gateway");
        assert_eq!(r.source.bus.as_deref(), Some("CAN_ADAS"));
        assert_eq!(r.dest.bus.as_deref(), Some("CAN_Powertrain"));
    }
    assert_eq!(
        f.routes[0].source.pdu.as_deref(),
        Some("Steering_Cmd_Secured")
    );
    assert_eq!(f.routes[0].source.can_ids, vec![0x100]);
    assert_eq!(f.routes[1].source.pdu.as_deref(), Some("Adas_Status"));
    assert_eq!(f.routes[1].place.line, 302);
}

#[test]
fn dbc_facts() {
    let d = powertrain();
    assert_eq!(d.bus, "CAN_Powertrain");
    assert_eq!(d.nodes, vec!["CGW", "VCU", "EPS", "ESC"]);
    assert_eq!(d.messages.len(), 7);
    let m = &d.messages[0];
    assert_eq!(
        (m.id, m.id_hex().as_str(), m.name.as_str(), m.dlc),
        (256, "0x100", "Steering_Cmd", 8)
    );
    assert_eq!(m.sender.as_deref(), Some("CGW"));
    assert_eq!(m.signals.len(), 3);
    assert_eq!(m.signals[0].name, "SteerAngleReq");
    assert_eq!(m.signals[0].receivers, vec!["EPS"]);
    assert_eq!((m.place.line, m.place.col), (19, 1));
    assert_eq!((m.signals[0].place.line, m.signals[0].place.col), (20, 2));
    let ws = d.messages.iter().find(|m| m.name == "Wheel_Speed").unwrap();
    assert_eq!(
        ws.receivers().into_iter().collect::<Vec<_>>(),
        vec!["ADAS_DC", "VCU"]
    );
    let st = d.messages.iter().find(|m| m.name == "Adas_Status").unwrap();
    assert_eq!(st.other_senders, vec!["VCU"]);
    // Bus name from the file stem when the caller gives none.
    let a = parse_dbc(
        "dbc/CAN_ADAS.dbc",
        &read("adas.dbc"),
        None,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(a.bus, "CAN_ADAS");
}

#[test]
fn unprotected_safety_messages_on_powertrain() {
    let f = extract();
    let d = powertrain();
    let all = safety_message_protection(&d, &f.secoc, &SafetySelector::default());
    let names: Vec<(&str, Option<&str>)> = all
        .iter()
        .map(|m| (m.message.as_str(), m.protected_by.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Steering_Cmd", Some("/Demo/Pdus/Steering_Cmd_Secured")),
            // Secured only on CAN_ADAS: on this bus it is not shown protected.
            ("Brake_Cmd", None),
            ("Torque_Req", Some("/Demo/Pdus/Torque_Req_Secured")),
            ("Wheel_Speed", None),
            ("Gear_Status", None),
        ]
    );
    let un = unprotected_safety_messages(&d, &f.secoc, &SafetySelector::default());
    let un: Vec<&str> = un.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(un, vec!["Brake_Cmd", "Wheel_Speed", "Gear_Status"]);
    let ws = all.iter().find(|m| m.message == "Wheel_Speed").unwrap();
    assert_eq!(ws.reason, "message name Wheel_Speed contains 'speed'");
    assert_eq!(ws.place.line, 32);
    assert_eq!(ws.id_hex, "0x200");

    // A declared list replaces the keywords; signal names count too.
    let sel = SafetySelector::declared(["ambienttemp", "Torque_Req"]);
    let un = unprotected_safety_messages(&d, &f.secoc, &sel);
    assert_eq!(un.len(), 1);
    assert_eq!(un[0].message, "Ambient_Temp");
    assert_eq!(
        un[0].reason,
        "signal AmbientTemp is declared safety-relevant"
    );

    // On the ADAS bus the brake command is secured (no freshness, but secured).
    let a = adas();
    let un = unprotected_safety_messages(&a, &f.secoc, &SafetySelector::default());
    assert!(un.is_empty(), "{un:?}");
}

#[test]
fn name_matching_is_conservative() {
    assert_eq!(
        analysis::normalize_pdu_name("PDU_Steering_Cmd_Secured"),
        "steering_cmd"
    );
    assert_eq!(
        analysis::normalize_pdu_name("Steering_Cmd_IPdu"),
        "steering_cmd"
    );
    assert_eq!(analysis::normalize_pdu_name("_pdu"), "_pdu");
    let f = extract();
    let mut d = powertrain();
    // A similar but different name is not a match.
    d.messages[0].name = "Steering_Cmd2".into();
    d.messages[0].id = 0x7FF;
    let un = unprotected_safety_messages(&d, &f.secoc, &SafetySelector::default());
    assert!(un.iter().any(|m| m.message == "Steering_Cmd2"));
    // The CAN id alone matches on the same bus.
    d.messages[0].id = 0x100;
    let un = unprotected_safety_messages(&d, &f.secoc, &SafetySelector::default());
    assert!(!un.iter().any(|m| m.message == "Steering_Cmd2"));
    // ... but not on another bus.
    d.bus = "CAN_Body".into();
    let un = unprotected_safety_messages(&d, &f.secoc, &SafetySelector::default());
    assert!(un.iter().any(|m| m.message == "Steering_Cmd2"));
}

#[test]
fn cross_domain_routes() {
    let f = extract();
    let permits = permits_from_arxml(&f);
    assert!(
        permits
            .iter()
            .any(|p| p.allows == MessageMatch::Name("Steering_Cmd".into())
                && p.from_bus == "CAN_ADAS"
                && p.to_bus == "CAN_Powertrain")
    );
    assert!(
        permits
            .iter()
            .all(|p| p.origin.contains("adas-ecu-extract.arxml:"))
    );
    let gaps = cross_domain_without_route(&[powertrain(), adas()], &permits);
    let got: Vec<(&str, &str, &str, Vec<String>)> = gaps
        .iter()
        .map(|g| {
            (
                g.from_bus.as_str(),
                g.message.as_str(),
                g.receiver.as_str(),
                g.receiver_buses.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "CAN_Powertrain",
                "Wheel_Speed",
                "ADAS_DC",
                vec!["CAN_ADAS".to_string()]
            ),
            (
                "CAN_ADAS",
                "Brake_Cmd",
                "ESC",
                vec!["CAN_Powertrain".to_string()]
            ),
        ]
    );
    assert_eq!(gaps[1].place.file, "fixtures/vnet/adas.dbc");
    assert_eq!(gaps[1].place.line, 18);
    assert!(gaps[1].reachable_buses.is_empty());

    // A declared route lets the brake command through; a wildcard lets all through.
    let mut more = permits.clone();
    more.extend(
        permits_from_declared("CAN_ADAS", "can_powertrain", &["0x110".into()], "cgw.json").unwrap(),
    );
    let gaps = cross_domain_without_route(&[powertrain(), adas()], &more);
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].message, "Wheel_Speed");
    more.extend(
        permits_from_declared("CAN_Powertrain", "CAN_ADAS", &["*".into()], "cgw.json").unwrap(),
    );
    assert!(cross_domain_without_route(&[powertrain(), adas()], &more).is_empty());
    assert!(permits_from_declared("a", "b", &["12".into()], "cgw.json").is_err());
    assert!(permits_from_declared("a", "b", &["0xZZ".into()], "cgw.json").is_err());
}

#[test]
fn multi_hop_routes_count() {
    let d = adas();
    let permits = vec![
        analysis::RoutePermit {
            from_bus: "CAN_ADAS".into(),
            to_bus: "ETH_Backbone".into(),
            allows: MessageMatch::Any,
            origin: "t".into(),
        },
        analysis::RoutePermit {
            from_bus: "ETH_Backbone".into(),
            to_bus: "CAN_Powertrain".into(),
            allows: MessageMatch::Id(0x110),
            origin: "t".into(),
        },
    ];
    let gaps = cross_domain_without_route(&[powertrain(), d], &permits);
    // Brake_Cmd (0x110) reaches the powertrain through the backbone; Steering_Cmd and
    // Adas_Status stop at the backbone.
    let names: Vec<&str> = gaps
        .iter()
        .filter(|g| g.from_bus == "CAN_ADAS")
        .map(|g| g.message.as_str())
        .collect();
    assert_eq!(names, vec!["Steering_Cmd", "Adas_Status"]);
    assert_eq!(gaps[1].reachable_buses, vec!["eth_backbone"]);
}

#[test]
fn secoc_numbers_and_parametric_minima() {
    let f = extract();
    let s = secoc_strength(&f.secoc);
    assert_eq!(s.len(), 3);
    assert!(s[1].no_freshness);
    assert!(!s[0].no_freshness && !s[0].mac_length_unknown);
    let profile1 = FreshnessPolicy {
        min_transmitted_bits: 8,
        min_truncated_bits: 4,
        min_full_bits: 64,
    };
    let below = secoc_below(&f.secoc, 64, profile1);
    let got: Vec<(&str, Vec<String>)> = below
        .iter()
        .map(|(s, why)| (s.name.as_str(), why.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "Steering_Cmd_Secured",
                vec!["MAC is 24 bits, fewer than 64".to_string()]
            ),
            (
                "Brake_Cmd_Secured",
                vec![
                    "MAC is 32 bits, fewer than 64".to_string(),
                    "no freshness value (replayable)".to_string()
                ]
            ),
        ]
    );
    // With lower minima only the missing freshness remains.
    let below = secoc_below(&f.secoc, 24, profile1);
    assert_eq!(below.len(), 1);
    assert_eq!(below[0].1, vec!["no freshness value (replayable)"]);
}

#[test]
fn a_short_transmitted_freshness_needs_a_long_value_behind_it() {
    // AUTOSAR SecOC profile 3: 4 transmitted bits of a 64-bit counter are acceptable,
    // 4 bits alone are not (the audit's finding: 4 bits passed while citing profile 1).
    let p = FreshnessPolicy {
        min_transmitted_bits: 8,
        min_truncated_bits: 4,
        min_full_bits: 64,
    };
    assert_eq!(p.shortfall(8, None), None);
    assert_eq!(p.shortfall(4, Some(64)), None);
    assert!(p.shortfall(4, None).unwrap().contains("not declared"));
    assert!(p.shortfall(4, Some(16)).unwrap().contains("16-bit"));
    assert!(p.shortfall(2, Some(64)).unwrap().contains("fewer than 4"));
}

#[test]
fn output_is_deterministic() {
    let a = serde_json::to_string(&extract()).unwrap();
    let b = serde_json::to_string(&extract()).unwrap();
    assert_eq!(a, b);
}
