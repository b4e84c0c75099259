//! Data-flow checks (data area): classification, personal information, in-vehicle
//! processing, cross-border transfer and protection in transit, over the data-flow
//! manifest (`data/*.json`) and the resolved flow graph (`Inventory::graph`, built once
//! by icvsec-inputs; see [`icvsec_model::graph`]).
//!
//! One file per check, with its description beside it; this file holds the registry
//! list and the shared prologue (the flow or store under evaluation, its items, the
//! unknown-node error). Checks are pure queries over the inventory and its graph: no
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

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::Inventory;
use icvsec_inputs::inventory::Placed;
use icvsec_model::graph::{AssetGraph, Route};
use icvsec_model::input::dataflow::{ConsentDuration, DataCategory, DataFlow, DataItem, DataStore};
use icvsec_model::{AssetKind, Location};
use serde::Deserialize;
use std::collections::BTreeMap;

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

// ---------------------------------------------------------------- shared prologue

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NoParams {}

fn flow<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataFlow>> {
    ctx.inv.data.flows.get(&ctx.asset.id)
}

/// The flow under evaluation and the flow graph, or `None` once the reason it cannot be
/// judged is reported (not in the inventory, or naming a node the graph does not know).
fn placed_flow<'a>(
    ctx: &Ctx<'a>,
    sink: &mut Sink,
) -> Option<(&'a Placed<DataFlow>, &'a AssetGraph)> {
    let Some(f) = flow(ctx) else {
        missing(ctx, sink, "data flow");
        return None;
    };
    let g = &ctx.inv.graph;
    if unknown_node_error(&g, f, sink) {
        return None;
    }
    Some((f, g))
}

fn item_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataItem>> {
    ctx.inv.data.items.get(&ctx.asset.id)
}

fn store<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataStore>> {
    ctx.inv.data.stores.get(&ctx.asset.id)
}

fn missing(ctx: &Ctx, sink: &mut Sink, what: &str) {
    sink.error(
        format!("{what} `{}` is not in the inventory", ctx.asset.id),
        ctx.asset.home.clone(),
    );
}

/// Known items of a list, with the ids that name no item.
fn items<'a>(inv: &'a Inventory, ids: &[String]) -> (Vec<&'a DataItem>, Vec<String>) {
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    for id in ids {
        match inv.data.items.get(id) {
            Some(p) => found.push(&p.value),
            None => unknown.push(id.clone()),
        }
    }
    (found, unknown)
}

fn ids(items: &[&DataItem]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The places of the nodes of a flow, for unknown-node errors (the loader already
/// reported them as diagnostics; the check must not pass silently).
fn unknown_node_error(g: &AssetGraph, f: &Placed<DataFlow>, sink: &mut Sink) -> bool {
    for (field, node) in [("from", &f.value.from), ("to", &f.value.to)] {
        if g.node(node).is_none() {
            sink.error(
                format!(
                    "flow `{}` names unknown node `{node}`; it cannot be placed in the flow graph",
                    f.value.id
                ),
                f.at(field),
            );
            return true;
        }
        if g.is_ambiguous(node) {
            sink.error(
                format!(
                    "flow `{}` names `{node}`, which is the id of more than one node (ECU, endpoint, store or party); rename one",
                    f.value.id
                ),
                f.at(field),
            );
            return true;
        }
    }
    false
}

fn default_sensitive() -> Vec<DataCategory> {
    vec![DataCategory::SensitivePersonal]
}

fn default_personal_or_important() -> Vec<DataCategory> {
    vec![
        DataCategory::Personal,
        DataCategory::SensitivePersonal,
        DataCategory::Important,
    ]
}

fn default_personal() -> Vec<DataCategory> {
    vec![DataCategory::Personal, DataCategory::SensitivePersonal]
}

/// Items of a list in the given categories.
fn in_categories<'a>(items: &[&'a DataItem], cats: &[DataCategory]) -> Vec<&'a DataItem> {
    items
        .iter()
        .copied()
        .filter(|i| cats.contains(&i.category))
        .collect()
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Items of `categories` on board flows (`data.in_vehicle_processing`, `data.off_by_default`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryParams {
    #[serde(default = "default_sensitive")]
    categories: Vec<DataCategory>,
}

/// A flow that carries items of `categories` and starts on board, with its graph and those
/// items; otherwise `None` once the outcome is reported (`off_board` says why a flow that
/// starts off the vehicle is not applicable).
fn on_board_flow_of<'a>(
    ctx: &Ctx<'a>,
    categories: &[DataCategory],
    off_board: &str,
    sink: &mut Sink,
) -> Option<(&'a Placed<DataFlow>, &'a AssetGraph, Vec<&'a DataItem>)> {
    let (f, g) = placed_flow(ctx, sink)?;
    let (its, _) = items(ctx.inv, &f.value.items);
    let hit = in_categories(&its, categories);
    if hit.is_empty() {
        sink.not_applicable("the flow carries no sensitive personal information");
        return None;
    }
    if g.node(&f.value.from).is_some_and(|n| !n.on_board) {
        sink.not_applicable(format!(
            "flow `{}` starts off the vehicle (`{}`); {off_board}",
            f.value.id, f.value.from
        ));
        return None;
    }
    Some((f, g, hit))
}

fn default_separate() -> Vec<String> {
    vec!["separate_consent".into()]
}

/// Store categories (`data.stored_in_china`, `data.encrypted_at_rest`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StoreCategoryParams {
    #[serde(default = "default_personal_or_important")]
    categories: Vec<DataCategory>,
}

fn store_items<'a>(
    ctx: &Ctx<'a>,
    s: &Placed<DataStore>,
    cats: &[DataCategory],
) -> Vec<&'a DataItem> {
    let (its, _) = items(ctx.inv, &s.value.items);
    in_categories(&its, cats)
}

/// Places of the flows of a route other than `except` (the finding's own place).
fn route_related(ctx: &Ctx, r: &Route, except: &str) -> Vec<Location> {
    r.flows
        .iter()
        .filter(|id| id.as_str() != except)
        .filter_map(|id| ctx.inv.data.flows.get(id).map(|f| f.location()))
        .collect()
}
