//! `data.deletion`: stores of personal information let the user delete it in time.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.deletion",
        AssetKind::DataStore,
        "Stores of personal information let the user delete it within the deadline (working days).",
        deletion,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeletionParams {
    max_working_days: u32,
    #[serde(default = "default_personal")]
    categories: Vec<DataCategory>,
}

fn deletion(ctx: &Ctx, p: &DeletionParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    let hit = store_items(ctx, s, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the store holds no personal information");
        return;
    }
    match (
        s.value.user_deletion,
        s.value.deletion_deadline_working_days,
    ) {
        (Some(true), Some(d)) => {
            sink.verdict(
                d <= p.max_working_days,
                format!(
                    "store `{}` deletes {} on request within {d} working days (at most {})",
                    s.value.id,
                    ids(&hit),
                    p.max_working_days
                ),
                s.at("deletion_deadline_working_days"),
            );
        }
        (Some(true), None) => {
            sink.fail(
                format!(
                    "store `{}` allows deletion of {} but states no deletion_deadline_working_days (at most {})",
                    s.value.id,
                    ids(&hit),
                    p.max_working_days
                ),
                s.at("user_deletion"),
            );
        }
        (Some(false), _) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and the user cannot have it deleted",
                    s.value.id,
                    ids(&hit)
                ),
                s.at("user_deletion"),
            );
        }
        (None, _) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and does not state user_deletion",
                    s.value.id,
                    ids(&hit)
                ),
                s.location(),
            );
        }
    }
}
