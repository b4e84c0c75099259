//! `data.off_by_default`: on-board collection of sensitive personal information is off
//! by default.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.off_by_default",
        AssetKind::DataFlow,
        "Collection of sensitive personal information on board is off by default (off_by_default = true).",
        off_by_default,
    )
}

fn off_by_default(ctx: &Ctx, p: &CategoryParams, sink: &mut Sink) {
    let Some((f, _, hit)) =
        on_board_flow_of(ctx, &p.categories, "collection happens on board", sink)
    else {
        return;
    };
    match f.value.off_by_default {
        Some(true) => {
            sink.pass(
                format!(
                    "collection of {} by flow `{}` is off by default",
                    ids(&hit),
                    f.value.id
                ),
                f.at("off_by_default"),
            );
        }
        Some(false) => {
            sink.fail(
                format!(
                    "collection of {} by flow `{}` is on by default; it must be off until the user turns it on (per drive)",
                    ids(&hit),
                    f.value.id
                ),
                f.at("off_by_default"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` collects {} and does not state off_by_default",
                    f.value.id,
                    ids(&hit)
                ),
                f.location(),
            );
        }
    }
}
