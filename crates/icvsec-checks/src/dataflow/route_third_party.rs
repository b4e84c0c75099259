//! `data.route_third_party`: every route on which personal or important data reaches a
//! third party enters it with a purpose and an accepted legal basis.

use super::prologue::*;
use super::third_party_sharing::{SharingParams, sharing_problems};
use icvsec_model::input::chosen;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.route_third_party",
        AssetKind::DataItem,
        "Every route (through any number of hops) on which personal or important data reaches a third party enters it with a purpose and an accepted legal basis.",
        route_third_party,
    )
}

fn route_third_party(ctx: &Ctx, p: &SharingParams, sink: &mut Sink) {
    let Some(it) = item_of(ctx) else {
        return missing(ctx, sink, "data item");
    };
    let i = &it.value;
    if !p.categories.contains(&i.category) {
        sink.not_applicable(format!(
            "`{}` is {}, not personal or important data",
            i.id,
            i.category.as_str()
        ));
        return;
    }
    let sensitive = i.category == DataCategory::SensitivePersonal;
    let g = &ctx.inv.graph;
    let rs = g.routes(&i.id);
    let mut other = 0;
    for r in &rs.routes {
        let Some(h) = g.third_party_hop(r) else {
            other += 1;
            continue;
        };
        let Some(f) = ctx.inv.data.flows.get(&r.flows[h]) else {
            continue;
        };
        let to = &r.nodes[h + 1];
        let path = g.route_text(r);
        let problems = sharing_problems(&f.value, sensitive, p);
        let eval = if problems.is_empty() {
            sink.pass(
                format!(
                    "`{}` reaches third party `{to}` on {path}; flow `{}` declares purpose and basis `{}`",
                    i.id,
                    f.value.id,
                    chosen(f.value.legal_basis).unwrap_or_default()
                ),
                f.at("legal_basis"),
            )
        } else {
            sink.fail(
                format!(
                    "`{}` ({}) reaches third party `{to}` on {path} ({} hop(s)); flow `{}` {}",
                    i.id,
                    i.category.as_str(),
                    r.flows.len(),
                    f.value.id,
                    problems.join("; ")
                ),
                f.location(),
            )
        };
        eval.related(it.location());
        for l in route_related(ctx, r, &f.value.id) {
            eval.related(l);
        }
    }
    if rs.routes.is_empty() {
        sink.pass(format!("`{}` is carried by no flow", i.id), it.location());
    } else if other > 0 {
        sink.pass(
            format!(
                "`{}`: {other} of {} route(s) reach no third party",
                i.id,
                rs.routes.len()
            ),
            it.location(),
        );
    }
    if rs.truncated {
        sink.error(
            format!(
                "`{}`: routes beyond {MAX_ROUTES} routes or {MAX_ROUTE_DEPTH} flows were not checked",
                i.id
            ),
            it.location(),
        );
    }
}
