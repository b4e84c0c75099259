//! `data.stored_in_china`: stores of personal information or important data are on
//! board or in China.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.stored_in_china",
        AssetKind::DataStore,
        "Stores holding personal information or important data are on board or in China.",
        stored_in_china,
    )
}

fn stored_in_china(ctx: &Ctx, p: &StoreCategoryParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    let hit = store_items(ctx, s, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the store holds no personal information or important data");
        return;
    }
    if s.value.location != "cloud" {
        sink.pass(
            format!(
                "store `{}` keeps {} on board (ECU `{}`)",
                s.value.id,
                ids(&hit),
                s.value.location
            ),
            s.at("location"),
        );
        return;
    }
    match s.value.region.as_deref() {
        Some(r) if is_china(r) => {
            sink.pass(
                format!("store `{}` keeps {} in {r}", s.value.id, ids(&hit)),
                s.at("region"),
            );
        }
        Some(r) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} in {r}; personal information and important data collected in China are stored in China",
                    s.value.id,
                    ids(&hit)
                ),
                s.at("region"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "cloud store `{}` keeps {} and declares no region, so it cannot be shown to be in China",
                    s.value.id,
                    ids(&hit)
                ),
                s.location(),
            );
        }
    }
}
