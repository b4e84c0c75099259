#![no_main]

use icvsec_inputs::lenient::{Shape, parse_lenient};
use libfuzzer_sys::fuzz_target;

fn stand_in(field: &str) -> Option<serde_json::Value> {
    (field == "schema_version").then(|| serde_json::json!(1))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        // The strict parser and the lenient loader the scan uses (bounded retries).
        let _ = icvsec_inputs::parse_json::<icvsec_model::input::vehicle::VehicleManifest>(text, "vehicle.json");
        let shape = Shape {
            root_default: &stand_in,
            asset_lists: &["ecus", "networks", "endpoints", "trust_anchors"],
        };
        let _ = parse_lenient::<icvsec_model::input::vehicle::VehicleManifest>(text, "vehicle.json", &shape);
    }
});
