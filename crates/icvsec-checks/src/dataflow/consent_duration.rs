//! `data.consent_duration`: consent-based flows state a bounded consent period.

use super::prologue::*;
use icvsec_model::input::chosen;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.consent_duration",
        AssetKind::DataFlow,
        "Consent-based flows state a consent period in days, never `permanent`, within the maximum.",
        consent_duration,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentDurationParams {
    /// Longest consent period accepted, in days.
    max_days: u32,
    /// Legal bases that are consent.
    #[serde(default = "default_consent_bases")]
    consent_bases: Vec<String>,
}

fn default_consent_bases() -> Vec<String> {
    vec!["consent".into(), "separate_consent".into()]
}

fn consent_duration(ctx: &Ctx, p: &ConsentDurationParams, sink: &mut Sink) {
    let Some(f) = flow(ctx) else {
        return missing(ctx, sink, "data flow");
    };
    let basis = chosen(f.value.legal_basis).unwrap_or_default();
    if !p.consent_bases.iter().any(|b| b == basis) {
        sink.not_applicable(format!(
            "flow `{}` does not rest on consent (legal basis `{basis}`)",
            f.value.id
        ));
        return;
    }
    let loc = f.at("consent_duration");
    match &f.value.consent_duration {
        None => {
            sink.fail(
                format!(
                    "flow `{}` rests on {basis} but states no consent_duration",
                    f.value.id
                ),
                f.location(),
            );
        }
        Some(ConsentDuration::Named(n)) if n.trim().eq_ignore_ascii_case("permanent") => {
            sink.fail(
                format!(
                    "flow `{}`: consent is `permanent`; a consent period is never permanent (at most {} days)",
                    f.value.id, p.max_days
                ),
                loc,
            );
        }
        Some(ConsentDuration::Named(n)) => {
            sink.fail(
                format!(
                    "flow `{}`: consent_duration `{n}` is not a number of days",
                    f.value.id
                ),
                loc,
            );
        }
        Some(ConsentDuration::Days(d)) => {
            sink.verdict(
                *d <= p.max_days && *d > 0,
                format!(
                    "flow `{}`: consent lasts {d} days (maximum {})",
                    f.value.id, p.max_days
                ),
                loc,
            );
        }
    }
}
