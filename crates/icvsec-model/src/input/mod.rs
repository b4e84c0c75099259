//! Input schema v1 of a vehicle build: `vehicle.json`, ECU configs and data-flow
//! manifests. Every struct refuses unknown fields, so a misspelt key is an error with
//! its line and column instead of a silently missing setting. JSON Schemas are generated
//! from these types (`icvsec schema KIND`).

pub mod choice;
pub mod dataflow;
pub mod ecu;
pub mod tls;
pub mod vehicle;

pub use choice::*;
pub use dataflow::DataFlowManifest;
pub use ecu::EcuConfig;
pub use tls::TlsProfile;
pub use vehicle::VehicleManifest;

/// The schema kinds `icvsec schema` can print.
pub const SCHEMA_KINDS: &[&str] = &["vehicle", "ecu", "dataflow"];

pub fn schema_for(kind: &str) -> Option<serde_json::Value> {
    let schema = match kind {
        "vehicle" => schemars::schema_for!(VehicleManifest),
        "ecu" => schemars::schema_for!(EcuConfig),
        "dataflow" => schemars::schema_for!(DataFlowManifest),
        _ => return None,
    };
    serde_json::to_value(schema).ok()
}
