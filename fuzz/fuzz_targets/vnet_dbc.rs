#![no_main]

use libfuzzer_sys::fuzz_target;

// DBC reader and the analyses over its messages.
fuzz_target!(|data: &[u8]| {
    let limits = icvsec_vnet::Limits::default();
    if let Ok(dbc) = icvsec_vnet::dbc::parse_dbc("fuzz.dbc", data, None, &limits) {
        let sel = icvsec_vnet::analysis::SafetySelector::default();
        let _ = icvsec_vnet::analysis::unprotected_safety_messages(&dbc, &[], &sel);
        let permit = icvsec_vnet::analysis::RoutePermit {
            from_bus: dbc.bus.clone(),
            to_bus: "other".into(),
            allows: icvsec_vnet::analysis::MessageMatch::Any,
            origin: "fuzz".into(),
        };
        let _ = icvsec_vnet::analysis::cross_domain_without_route(&[dbc], &[permit]);
    }
});
