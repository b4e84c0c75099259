//! `data.store_retention`: stores state how long they keep personal data, within the
//! limits.

use super::flow_retention::{RetentionParams, retention_limit};
use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.store_retention",
        AssetKind::DataStore,
        "Stores state how long they keep personal data, within the limits by kind and category.",
        store_retention,
    )
}

fn store_retention(ctx: &Ctx, p: &RetentionParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    if s.value.location != "cloud" && !p.include_on_board {
        sink.not_applicable(format!(
            "store `{}` is on board (ECU `{}`)",
            s.value.id, s.value.location
        ));
        return;
    }
    let (its, _) = items(ctx.inv, &s.value.items);
    let limit = retention_limit(&its, p);
    let declared_needed = in_categories(&its, &p.require_declared);
    match (s.value.retention_days, limit) {
        (None, _) if !declared_needed.is_empty() => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and states no retention_days; the user must be told how long it is kept",
                    s.value.id,
                    ids(&declared_needed)
                ),
                s.location(),
            );
        }
        (None, Some((limit, item, why))) => {
            sink.fail(
                format!(
                    "store `{}` keeps `{}` ({why}, at most {limit} days) and states no retention_days",
                    s.value.id, item.id
                ),
                s.location(),
            );
        }
        (Some(d), Some((limit, item, why))) => {
            sink.verdict(
                d <= limit,
                format!(
                    "store `{}` keeps `{}` {d} days ({why}: at most {limit} days)",
                    s.value.id, item.id
                ),
                s.at("retention_days"),
            );
        }
        (Some(d), None) if !declared_needed.is_empty() => {
            sink.pass(
                format!(
                    "store `{}` states a retention of {d} days for {}",
                    s.value.id,
                    ids(&declared_needed)
                ),
                s.at("retention_days"),
            );
        }
        _ => {
            sink.not_applicable("no retention limit applies to the items of this store");
        }
    }
}
