//! The shared prologue of the data-flow checks: the flow, item or store under evaluation,
//! its known items, the unknown-node error, default categories and shared parameters.
//! Every check file imports it; it imports no check.

pub(super) use crate::api::{CheckDef, Ctx, Sink};
pub(super) use icvsec_inputs::Inventory;
pub(super) use icvsec_inputs::inventory::Placed;
pub(super) use icvsec_model::graph::{AssetGraph, MAX_ROUTE_DEPTH, MAX_ROUTES, Route, is_china};
pub(super) use icvsec_model::input::dataflow::{
    ConsentDuration, DataCategory, DataFlow, DataItem, DataStore,
};
pub(super) use icvsec_model::{AssetKind, Location};
pub(super) use serde::Deserialize;
pub(super) use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct NoParams {}

pub(super) fn flow<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataFlow>> {
    ctx.inv.data.flows.get(ctx.asset.id.as_str())
}

/// The flow under evaluation and the flow graph, or `None` once the reason it cannot be
/// judged is reported (not in the inventory, or naming a node the graph does not know).
pub(super) fn placed_flow<'a>(
    ctx: &Ctx<'a>,
    sink: &mut Sink,
) -> Option<(&'a Placed<DataFlow>, &'a AssetGraph)> {
    let Some(f) = flow(ctx) else {
        missing(ctx, sink, "data flow");
        return None;
    };
    let g = &ctx.inv.graph;
    if unknown_node_error(g, f, sink) {
        return None;
    }
    Some((f, g))
}

pub(super) fn item_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataItem>> {
    ctx.inv.data.items.get(ctx.asset.id.as_str())
}

pub(super) fn store<'a>(ctx: &Ctx<'a>) -> Option<&'a Placed<DataStore>> {
    ctx.inv.data.stores.get(ctx.asset.id.as_str())
}

pub(super) fn missing(ctx: &Ctx, sink: &mut Sink, what: &str) {
    sink.error(
        format!("{what} `{}` is not in the inventory", ctx.asset.id),
        ctx.asset.home.clone(),
    );
}

/// Known items of a list, with the ids that name no item.
pub(super) fn items<'a>(inv: &'a Inventory, ids: &[String]) -> (Vec<&'a DataItem>, Vec<String>) {
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

pub(super) fn ids(items: &[&DataItem]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The places of the nodes of a flow, for unknown-node errors (the loader already
/// reported them as diagnostics; the check must not pass silently).
pub(super) fn unknown_node_error(g: &AssetGraph, f: &Placed<DataFlow>, sink: &mut Sink) -> bool {
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

pub(super) fn default_sensitive() -> Vec<DataCategory> {
    vec![DataCategory::SensitivePersonal]
}

pub(super) fn default_personal_or_important() -> Vec<DataCategory> {
    vec![
        DataCategory::Personal,
        DataCategory::SensitivePersonal,
        DataCategory::Important,
    ]
}

pub(super) fn default_personal() -> Vec<DataCategory> {
    vec![DataCategory::Personal, DataCategory::SensitivePersonal]
}

/// Items of a list in the given categories.
pub(super) fn in_categories<'a>(
    items: &[&'a DataItem],
    cats: &[DataCategory],
) -> Vec<&'a DataItem> {
    items
        .iter()
        .copied()
        .filter(|i| cats.contains(&i.category))
        .collect()
}

pub(super) fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Items of `categories` on board flows (`data.in_vehicle_processing`, `data.off_by_default`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CategoryParams {
    #[serde(default = "default_sensitive")]
    pub(super) categories: Vec<DataCategory>,
}

/// A flow that carries items of `categories` and starts on board, with its graph and those
/// items; otherwise `None` once the outcome is reported (`off_board` says why a flow that
/// starts off the vehicle is not applicable).
pub(super) fn on_board_flow_of<'a>(
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

pub(super) fn default_separate() -> Vec<String> {
    vec!["separate_consent".into()]
}

/// Store categories (`data.stored_in_china`, `data.encrypted_at_rest`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StoreCategoryParams {
    #[serde(default = "default_personal_or_important")]
    pub(super) categories: Vec<DataCategory>,
}

pub(super) fn store_items<'a>(
    ctx: &Ctx<'a>,
    s: &Placed<DataStore>,
    cats: &[DataCategory],
) -> Vec<&'a DataItem> {
    let (its, _) = items(ctx.inv, &s.value.items);
    in_categories(&its, cats)
}

/// Places of the flows of a route other than `except` (the finding's own place).
pub(super) fn route_related(ctx: &Ctx, r: &Route, except: &str) -> Vec<Location> {
    r.flows
        .iter()
        .filter(|id| id.as_str() != except)
        .filter_map(|id| ctx.inv.data.flows.get(id).map(|f| f.location()))
        .collect()
}
