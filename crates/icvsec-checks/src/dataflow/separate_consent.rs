//! `data.separate_consent`: flows of sensitive personal information rest on separate
//! consent (or another accepted basis).

use super::prologue::*;
use icvsec_model::input::chosen;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.separate_consent",
        AssetKind::DataFlow,
        "Every flow of sensitive personal information rests on separate consent (or another accepted basis).",
        separate_consent,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentParams {
    #[serde(default = "default_sensitive")]
    categories: Vec<DataCategory>,
    /// Legal bases that satisfy the rule.
    #[serde(default = "default_separate")]
    accepted: Vec<String>,
}

fn separate_consent(ctx: &Ctx, p: &ConsentParams, sink: &mut Sink) {
    let Some(f) = flow(ctx) else {
        return missing(ctx, sink, "data flow");
    };
    let (its, _) = items(ctx.inv, &f.value.items);
    let hit = in_categories(&its, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the flow carries no sensitive personal information");
        return;
    }
    match chosen(f.value.legal_basis) {
        Some(b) if p.accepted.iter().any(|a| a == b) => {
            sink.pass(
                format!(
                    "flow `{}` carries {} on legal basis `{b}`",
                    f.value.id,
                    ids(&hit)
                ),
                f.at("legal_basis"),
            );
        }
        Some(b) => {
            sink.fail(
                format!(
                    "flow `{}` carries {} on legal basis `{b}`; sensitive personal information needs {}",
                    f.value.id,
                    ids(&hit),
                    p.accepted.join(" or ")
                ),
                f.at("legal_basis"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` carries {} and states no legal_basis; sensitive personal information needs {}",
                    f.value.id,
                    ids(&hit),
                    p.accepted.join(" or ")
                ),
                f.location(),
            );
        }
    }
}
