//! `vehicle.json`: the root of a vehicle build.

use super::tls::TlsProfile;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleManifest {
    /// The JSON Schema of this file, for editor support; icvsec does not read it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Always 1 for this schema.
    pub schema_version: u32,
    pub vehicle: VehicleInfo,
    #[serde(default)]
    pub ecus: Vec<EcuEntry>,
    #[serde(default)]
    pub networks: Vec<Network>,
    #[serde(default)]
    pub endpoints: Vec<Endpoint>,
    #[serde(default)]
    pub trust_anchors: Vec<TrustAnchor>,
    /// Data-flow manifests, relative to the build root.
    #[serde(default)]
    pub data_flows: Vec<String>,
    /// Saved `icvsec probe tls --save` results, relative to the build root.
    #[serde(default)]
    pub probes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VehicleInfo {
    pub model: String,
    #[serde(default)]
    pub manufacturer: Option<String>,
    /// Target markets, ISO country/region codes such as `CN` and `EU`.
    pub markets: Vec<String>,
    /// `production` or `development`; development-only leftovers fail in production.
    #[serde(default = "default_stage")]
    pub stage: Stage,
}

fn default_stage() -> Stage {
    Stage::Production
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Production,
    Development,
}

impl Stage {
    pub const ALL: [Stage; 2] = [Stage::Production, Stage::Development];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Production => "production",
            Stage::Development => "development",
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EcuRole {
    Gateway,
    Tbox,
    Ivi,
    Adas,
    Bms,
    Body,
    Powertrain,
    Chassis,
    Vcu,
    DomainController,
    /// Zone controller of a zonal architecture: I/O and often routing for one zone.
    ZoneController,
    /// High-performance / central compute platform of a service-oriented vehicle.
    Hpc,
    Sensor,
    Other,
}

impl EcuRole {
    pub const ALL: [EcuRole; 14] = [
        EcuRole::Gateway,
        EcuRole::Tbox,
        EcuRole::Ivi,
        EcuRole::Adas,
        EcuRole::Bms,
        EcuRole::Body,
        EcuRole::Powertrain,
        EcuRole::Chassis,
        EcuRole::Vcu,
        EcuRole::DomainController,
        EcuRole::ZoneController,
        EcuRole::Hpc,
        EcuRole::Sensor,
        EcuRole::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EcuRole::Gateway => "gateway",
            EcuRole::Tbox => "tbox",
            EcuRole::Ivi => "ivi",
            EcuRole::Adas => "adas",
            EcuRole::Bms => "bms",
            EcuRole::Body => "body",
            EcuRole::Powertrain => "powertrain",
            EcuRole::Chassis => "chassis",
            EcuRole::Vcu => "vcu",
            EcuRole::DomainController => "domain_controller",
            EcuRole::ZoneController => "zone_controller",
            EcuRole::Hpc => "hpc",
            EcuRole::Sensor => "sensor",
            EcuRole::Other => "other",
        }
    }

    /// Roles that face the outside world (cellular, Wi-Fi, Bluetooth, USB, apps).
    pub fn is_external_facing(self) -> bool {
        matches!(self, EcuRole::Tbox | EcuRole::Ivi)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EcuEntry {
    /// Unique id, used by networks, data flows and findings.
    pub id: String,
    pub role: EcuRole,
    #[serde(default)]
    pub name: Option<String>,
    /// ECU security configuration file, relative to the build root.
    #[serde(default)]
    pub config: Option<String>,
    /// Root filesystem directory of a Linux/Android ECU, relative to the build root.
    #[serde(default)]
    pub rootfs: Option<String>,
    /// Whether the ECU controls a safety-relevant function (braking, steering, propulsion, battery).
    #[serde(default)]
    pub safety_critical: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NetworkKind {
    Can,
    CanFd,
    Lin,
    Flexray,
    Ethernet,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    pub id: String,
    pub kind: NetworkKind,
    /// ECU ids attached to this network.
    pub ecus: Vec<String>,
    /// Whether safety-relevant functions run on this network (chassis, powertrain, ADAS, battery).
    #[serde(default)]
    pub safety_critical: bool,
    /// Whether the OBD diagnostic connector reaches this network directly.
    #[serde(default)]
    pub obd_connector: bool,
    /// VLAN id for Ethernet segments.
    #[serde(default)]
    pub vlan: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub id: String,
    pub host: String,
    pub port: u16,
    /// Where the endpoint is hosted: ISO country code (`CN`, `DE`, ...) or region (`EU`).
    pub region: String,
    /// `oem` or `third_party`.
    #[serde(default = "default_owner")]
    pub owner: Owner,
    #[serde(default)]
    pub purpose: Option<String>,
    /// ECU ids that connect to this endpoint.
    #[serde(default)]
    pub clients: Vec<String>,
    /// The TLS profile used to reach it: `<ecu id>/<profile id>` of an ECU config profile.
    #[serde(default)]
    pub tls_profile: Option<String>,
    /// Or an inline profile.
    #[serde(default)]
    pub tls: Option<TlsProfile>,
    /// The certificate the endpoint presents (build-relative path), when the build holds it.
    #[serde(default)]
    pub server_certificate: Option<String>,
    /// The trust anchor id the vehicle uses to verify it.
    #[serde(default)]
    pub trust_anchor: Option<String>,
}

fn default_owner() -> Owner {
    Owner::Oem
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Owner {
    Oem,
    ThirdParty,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustAnchor {
    pub id: String,
    /// Certificate file, relative to the build root.
    pub certificate: String,
    /// What the anchor is for: `backend`, `ecu_identity`, `software_update`, `v2x`, ...
    #[serde(default)]
    pub purpose: Option<String>,
    /// A test or development anchor; it must not ship in a production build.
    #[serde(default)]
    pub test_only: bool,
}
