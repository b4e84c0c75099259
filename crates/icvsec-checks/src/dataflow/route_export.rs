//! `data.route_export`: every route on which an item that needs an export assessment leaves
//! China names the assessment at the border.

use super::export_assessment::{ExportParams, needs_assessment};
use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.route_export",
        AssetKind::DataItem,
        "Every route (through any number of hops) on which an item that needs an export assessment leaves China names the assessment at the border.",
        route_export,
    )
}

fn route_export(ctx: &Ctx, p: &ExportParams, sink: &mut Sink) {
    let Some(it) = item_of(ctx) else {
        return missing(ctx, sink, "data item");
    };
    let i = &it.value;
    let Some(why) = needs_assessment(i, p) else {
        sink.not_applicable(format!(
            "`{}` needs no export assessment (not important data, below the thresholds)",
            i.id
        ));
        return;
    };
    let g = &ctx.inv.graph;
    let rs = g.routes(&i.id);
    if rs.routes.is_empty() {
        sink.pass(
            format!("`{}` ({why}) is carried by no flow", i.id),
            it.location(),
        );
        return;
    }
    let mut staying = 0;
    for r in &rs.routes {
        let border = g.border_hop(r);
        let unknown = g.unknown_region_hop(r);
        let hop = match (border, unknown) {
            (Some(b), Some(u)) => Some(b.min(u)),
            (b, u) => b.or(u),
        };
        let Some(h) = hop else {
            staying += 1;
            continue;
        };
        let Some(f) = ctx.inv.data.flows.get(&r.flows[h]) else {
            continue;
        };
        let to = &r.nodes[h + 1];
        let region = g.region_label(to);
        let path = g.route_text(r);
        let related = route_related(ctx, r, &f.value.id);
        let eval = if Some(h) == unknown && Some(h) != border {
            sink.fail(
                format!(
                    "`{}` ({why}) goes {path}; `{to}` has no declared region (flow `{}`), so the route cannot be shown to stay in China",
                    i.id, f.value.id
                ),
                f.at("to"),
            )
        } else {
            match nonempty(&f.value.security_assessment) {
                Some(a) => sink.pass(
                    format!(
                        "`{}` ({why}) leaves China on {path} ({region}); flow `{}` names security assessment `{a}`",
                        i.id, f.value.id
                    ),
                    f.at("security_assessment"),
                ),
                None => sink.fail(
                    format!(
                        "`{}` ({why}) leaves China on {path} ({region}): flow `{}` ({} → {to}) crosses the border without a security_assessment",
                        i.id, f.value.id, r.nodes[h]
                    ),
                    f.location(),
                ),
            }
        };
        eval.related(it.location());
        for l in related {
            eval.related(l);
        }
    }
    if staying > 0 {
        sink.pass(
            format!(
                "`{}` ({why}): {staying} of {} route(s) stay in China",
                i.id,
                rs.routes.len()
            ),
            it.location(),
        );
    }
    if rs.truncated {
        sink.error(
            format!(
                "`{}`: the flow graph has more than {MAX_ROUTES} routes or routes longer than {MAX_ROUTE_DEPTH} flows; routes beyond the bound were not checked",
                i.id
            ),
            it.location(),
        );
    }
}
