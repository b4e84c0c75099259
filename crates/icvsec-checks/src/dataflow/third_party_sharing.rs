//! `data.third_party_sharing`: flows to a third party declare a purpose and an accepted
//! legal basis. [`SharingParams`] and [`sharing_problems`] are shared with
//! `data.route_third_party`.

use super::prologue::*;
use icvsec_model::input::chosen;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.third_party_sharing",
        AssetKind::DataFlow,
        "Flows to a third party declare a purpose and an accepted legal basis.",
        third_party_sharing,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SharingParams {
    /// Legal bases accepted for sharing.
    #[serde(default = "default_bases")]
    pub(super) accepted: Vec<String>,
    /// Legal bases accepted when the data is sensitive personal information.
    #[serde(default = "default_separate")]
    pub(super) sensitive_accepted: Vec<String>,
    /// Item categories that make the rule apply (route check only).
    #[serde(default = "default_personal_or_important")]
    pub(super) categories: Vec<DataCategory>,
}

fn default_bases() -> Vec<String> {
    [
        "consent",
        "separate_consent",
        "contract",
        "legal_obligation",
        "vital_interest",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Problems of a flow into a third party: missing purpose, missing or unaccepted basis.
pub(super) fn sharing_problems(f: &DataFlow, sensitive: bool, p: &SharingParams) -> Vec<String> {
    let mut out = Vec::new();
    if f.purpose.trim().is_empty() {
        out.push("states no purpose".into());
    }
    let accepted = if sensitive {
        &p.sensitive_accepted
    } else {
        &p.accepted
    };
    match chosen(f.legal_basis) {
        None => out.push("states no legal_basis".into()),
        Some(b) if !accepted.iter().any(|a| a == b) => out.push(format!(
            "legal basis `{b}` is not accepted{} (accepted: {})",
            if sensitive {
                " for sensitive personal information"
            } else {
                ""
            },
            accepted.join(", ")
        )),
        Some(_) => {}
    }
    out
}

fn third_party_sharing(ctx: &Ctx, p: &SharingParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    if !g.node(&f.value.to).is_some_and(|n| n.third_party) {
        sink.not_applicable(format!(
            "flow `{}` does not go to a third party",
            f.value.id
        ));
        return;
    }
    let problems = sharing_problems(&f.value, false, p);
    let eval = if problems.is_empty() {
        sink.pass(
            format!(
                "flow `{}` shares with third party `{}` for \"{}\" on basis `{}`",
                f.value.id,
                f.value.to,
                f.value.purpose.trim(),
                chosen(f.value.legal_basis).unwrap_or_default()
            ),
            f.at("legal_basis"),
        )
    } else {
        sink.fail(
            format!(
                "flow `{}` shares with third party `{}` but {}",
                f.value.id,
                f.value.to,
                problems.join("; ")
            ),
            f.location(),
        )
    };
    if let Some(pt) = ctx.inv.data.parties.get(&f.value.to) {
        eval.related(pt.location());
    } else if let Some(ep) = ctx.inv.endpoints.get(&f.value.to) {
        eval.related(ep.at("owner"));
    }
}
