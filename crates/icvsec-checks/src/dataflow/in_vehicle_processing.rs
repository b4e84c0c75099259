//! `data.in_vehicle_processing`: sensitive personal information leaves the vehicle only
//! with a stated reason.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.in_vehicle_processing",
        AssetKind::DataFlow,
        "Sensitive personal information leaves the vehicle only with a stated reason (off_vehicle_justification).",
        in_vehicle_processing,
    )
}

fn in_vehicle_processing(ctx: &Ctx, p: &CategoryParams, sink: &mut Sink) {
    let Some((f, g, hit)) =
        on_board_flow_of(ctx, &p.categories, "the data has already left it", sink)
    else {
        return;
    };
    if g.leaves_vehicle(&f.value.from, &f.value.to) != Some(true) {
        sink.pass(
            format!(
                "flow `{}` keeps {} on board ({} → {})",
                f.value.id,
                ids(&hit),
                f.value.from,
                f.value.to
            ),
            f.location(),
        );
        return;
    }
    match nonempty(&f.value.off_vehicle_justification) {
        Some(why) => {
            sink.pass(
                format!(
                    "flow `{}` sends {} off the vehicle because: {why}",
                    f.value.id,
                    ids(&hit)
                ),
                f.at("off_vehicle_justification"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` sends {} off the vehicle ({} → {}) without off_vehicle_justification; process it on board or state why it must leave",
                    f.value.id,
                    ids(&hit),
                    f.value.from,
                    f.value.to
                ),
                f.location(),
            );
        }
    }
}
