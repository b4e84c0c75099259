//! `data.no_direct_export`: no flow goes from the vehicle straight out of China.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.no_direct_export",
        AssetKind::DataFlow,
        "No flow goes from the vehicle straight to a node outside China.",
        no_direct_export,
    )
}

fn no_direct_export(ctx: &Ctx, _p: &NoParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    if g.leaves_vehicle(&f.value.from, &f.value.to) != Some(true) {
        sink.not_applicable(format!("flow `{}` does not leave the vehicle", f.value.id));
        return;
    }
    // The vehicle's peer: the endpoint it connects to, else the flow's destination.
    let (peer, key) = match f.value.via_endpoint.as_deref() {
        Some(v) if g.node(v).is_some() => (v, "via_endpoint"),
        _ => (f.value.to.as_str(), "to"),
    };
    let region = g.region_label(peer);
    let eval = match g.in_china(peer) {
        Some(true) => sink.pass(
            format!(
                "flow `{}` sends vehicle data to `{peer}` in {region}",
                f.value.id
            ),
            f.at(key),
        ),
        Some(false) => sink.fail(
            format!(
                "flow `{}` sends vehicle data from `{}` straight to `{peer}` in {region}, outside China",
                f.value.id, f.value.from
            ),
            f.at(key),
        ),
        None => sink.fail(
            format!(
                "flow `{}` sends vehicle data to `{peer}`, whose region is not declared",
                f.value.id
            ),
            f.at(key),
        ),
    };
    if let Some(ep) = ctx.inv.endpoints.get(peer) {
        eval.related(ep.at("region"));
    } else if let Some(pt) = ctx.inv.data.parties.get(peer) {
        eval.related(pt.at("region"));
    } else if let Some(st) = ctx.inv.data.stores.get(peer) {
        eval.related(st.location());
    }
}
