//! `data.flow_retention`: flows off the vehicle keep data no longer than the limits.
//! [`RetentionParams`] and [`retention_limit`] are shared with `data.store_retention`.

use super::prologue::*;
use icvsec_model::input::chosen;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.flow_retention",
        AssetKind::DataFlow,
        "Flows off the vehicle keep data no longer than the limits by kind and category.",
        flow_retention,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RetentionParams {
    /// Longest retention in days per item kind (`location_track = 7`).
    #[serde(default)]
    pub(super) max_days_by_kind: BTreeMap<String, u32>,
    /// Longest retention in days per category (`sensitive_personal = 365`).
    #[serde(default)]
    pub(super) max_days_by_category: BTreeMap<String, u32>,
    /// Flow processing that takes a flow out of the limits (flows only).
    #[serde(default)]
    pub(super) exempt_processing: Vec<String>,
    /// Stores only: judge stores on board too (default: cloud stores only).
    #[serde(default)]
    pub(super) include_on_board: bool,
    /// Stores only: stores holding items of these categories must state a retention.
    #[serde(default)]
    pub(super) require_declared: Vec<DataCategory>,
}

/// The strictest limit over items, with the item and the reason.
pub(super) fn retention_limit<'a>(
    its: &[&'a DataItem],
    p: &RetentionParams,
) -> Option<(u32, &'a DataItem, String)> {
    let mut best: Option<(u32, &DataItem, String)> = None;
    for i in its {
        let by_kind = i
            .kind
            .as_ref()
            .and_then(|k| p.max_days_by_kind.get(k).map(|d| (*d, format!("kind {k}"))));
        let by_cat = p
            .max_days_by_category
            .get(i.category.as_str())
            .map(|d| (*d, format!("category {}", i.category.as_str())));
        for (d, why) in by_kind.into_iter().chain(by_cat) {
            if best.as_ref().is_none_or(|(b, _, _)| d < *b) {
                best = Some((d, *i, why));
            }
        }
    }
    best
}

fn flow_retention(ctx: &Ctx, p: &RetentionParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    if g.node(&f.value.to).is_some_and(|n| n.on_board) {
        sink.not_applicable(format!("flow `{}` ends on board", f.value.id));
        return;
    }
    let (its, _) = items(ctx.inv, &f.value.items);
    let Some((limit, item, why)) = retention_limit(&its, p) else {
        sink.not_applicable("no retention limit applies to the items of this flow");
        return;
    };
    if let Some(pr) = chosen(f.value.processing)
        && p.exempt_processing.iter().any(|e| e == pr)
    {
        sink.not_applicable(format!(
            "flow `{}` carries the data `{pr}`, which the limit does not cover",
            f.value.id
        ));
        return;
    }
    match f.value.retention_days {
        None => {
            sink.fail(
                format!(
                    "flow `{}` carries `{}` ({why}, at most {limit} days) and states no retention_days",
                    f.value.id, item.id
                ),
                f.location(),
            );
        }
        Some(d) => {
            sink.verdict(
                d <= limit,
                format!(
                    "flow `{}` keeps `{}` {d} days at `{}` ({why}: at most {limit} days)",
                    f.value.id, item.id, f.value.to
                ),
                f.at("retention_days"),
            );
        }
    }
}
