//! Data-flow manifest: what data the vehicle produces, where it rests, and where it goes.
//! Node ids in flows name an ECU (vehicle.json), an endpoint (vehicle.json), a store or
//! a party of this manifest.

use super::choice::{LegalBasis, Processing};
use super::vehicle::Owner;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataFlowManifest {
    /// The JSON Schema of this file, for editor support; icvsec does not read it.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub schema_version: u32,
    #[serde(default)]
    pub items: Vec<DataItem>,
    #[serde(default)]
    pub stores: Vec<DataStore>,
    /// Recipients outside the vehicle that are not endpoints: the OEM cloud, third parties.
    #[serde(default)]
    pub parties: Vec<Party>,
    #[serde(default)]
    pub flows: Vec<DataFlow>,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Personal information.
    Personal,
    /// Sensitive personal information: location and tracks, cabin audio/video, biometrics, face images.
    SensitivePersonal,
    /// Important data: outside images with faces or plates, sensitive-area geography, charging-network data, ...
    Important,
    /// Operational/technical data about the vehicle.
    Operational,
    /// Not yet classified (a finding).
    Unclassified,
}

impl DataCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            DataCategory::Personal => "personal",
            DataCategory::SensitivePersonal => "sensitive_personal",
            DataCategory::Important => "important",
            DataCategory::Operational => "operational",
            DataCategory::Unclassified => "unclassified",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataItem {
    pub id: String,
    pub name: String,
    pub category: DataCategory,
    /// What the data is: `location_track`, `cabin_audio`, `cabin_video`, `biometric`,
    /// `face_image`, `outside_image`, `geographic_sensitive_area`, `charging_network`,
    /// `diagnostic`, `vehicle_status`, `contacts`, ...
    #[serde(default)]
    pub kind: Option<String>,
    /// Classification level under the OEM's grading scheme, e.g. `core`, `important`, `general`.
    #[serde(default)]
    pub classification_level: Option<String>,
    /// How many persons the item concerns per year (for export thresholds).
    #[serde(default)]
    pub persons_per_year: Option<u64>,
    /// Whether images contain faces or licence plates.
    #[serde(default)]
    pub contains_faces_or_plates: Option<bool>,
    /// Resolution of images or video frames in megapixels, when the item is imagery
    /// (outbound images are limited in resolution).
    #[serde(default)]
    pub image_megapixels: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataStore {
    pub id: String,
    /// Where it rests: an ECU id, or `cloud`.
    pub location: String,
    /// Country/region code of the store (`CN`, `DE`, ...); the ECU's vehicle when on board.
    #[serde(default)]
    pub region: Option<String>,
    /// Item ids kept in the store.
    #[serde(default)]
    pub items: Vec<String>,
    #[serde(default)]
    pub encrypted_at_rest: Option<bool>,
    /// Whether the user can have their data deleted.
    #[serde(default)]
    pub user_deletion: Option<bool>,
    #[serde(default)]
    pub deletion_deadline_working_days: Option<u32>,
    #[serde(default)]
    pub retention_days: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub id: String,
    pub name: String,
    /// `oem` or `third_party`.
    pub kind: Owner,
    pub region: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataFlow {
    pub id: String,
    /// Item ids carried.
    pub items: Vec<String>,
    /// Source node id (ECU, store, endpoint or party).
    pub from: String,
    /// Destination node id.
    pub to: String,
    /// Endpoint id the data travels over, when it leaves the vehicle.
    #[serde(default)]
    pub via_endpoint: Option<String>,
    pub purpose: String,
    /// `consent`, `separate_consent`, `contract`, `legal_obligation`, `vital_interest`, `none`.
    #[serde(default)]
    pub legal_basis: Option<LegalBasis>,
    /// Consent duration in days; `permanent` is never allowed.
    #[serde(default)]
    pub consent_duration: Option<ConsentDuration>,
    /// Whether collection is off by default on each drive (sensitive PI).
    #[serde(default)]
    pub off_by_default: Option<bool>,
    /// `raw`, `anonymised`, `de_identified`, `aggregated`.
    #[serde(default)]
    pub processing: Option<Processing>,
    #[serde(default)]
    pub retention_days: Option<u32>,
    /// Reference of the outbound data security assessment (data leaving China).
    #[serde(default)]
    pub security_assessment: Option<String>,
    /// Why sensitive PI must leave the vehicle instead of being processed on board.
    #[serde(default)]
    pub off_vehicle_justification: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ConsentDuration {
    Days(u32),
    Named(String),
}
