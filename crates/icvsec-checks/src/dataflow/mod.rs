//! Data-flow checks (data area): classification, personal information, in-vehicle
//! processing, cross-border transfer and protection in transit, over the data-flow
//! manifest (`data/*.json`) and the resolved flow graph (`Inventory::graph`, built once
//! by icvsec-inputs; see [`icvsec_model::graph`]).
//!
//! One file per check, with its description beside it; this file holds the registry
//! list, `prologue.rs` what the checks share (the flow or store under evaluation, its
//! items, the unknown-node error). Checks are pure queries over the inventory and its graph: no
//! I/O, no re-parsing, no caches.

mod classified;
mod consent_duration;
mod deletion;
mod encrypted_at_rest;
mod export_assessment;
mod flow_retention;
mod in_vehicle_processing;
mod no_direct_export;
mod off_by_default;
mod outside_images_anonymised;
mod prologue;
mod route_export;
mod route_third_party;
mod separate_consent;
mod store_retention;
mod stored_in_china;
#[cfg(test)]
mod tests;
mod third_party_sharing;
mod transit_protection;

pub use icvsec_model::graph::{MAX_ROUTE_DEPTH, MAX_ROUTES, is_china};
pub use transit_protection::judge_profile;

use crate::api::CheckDef;

/// Every data-flow check, in registry order.
pub fn checks() -> Vec<CheckDef> {
    vec![
        classified::def(),
        in_vehicle_processing::def(),
        off_by_default::def(),
        separate_consent::def(),
        consent_duration::def(),
        outside_images_anonymised::def(),
        stored_in_china::def(),
        export_assessment::def(),
        no_direct_export::def(),
        flow_retention::def(),
        store_retention::def(),
        deletion::def(),
        encrypted_at_rest::def(),
        third_party_sharing::def(),
        transit_protection::def(),
        route_export::def(),
        route_third_party::def(),
    ]
}
