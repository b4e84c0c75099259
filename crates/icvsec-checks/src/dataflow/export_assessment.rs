//! `data.export_assessment`: a flow leaving China with data above the thresholds names its
//! security assessment. [`ExportParams`] and [`needs_assessment`] are shared with
//! `data.route_export`.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.export_assessment",
        AssetKind::DataFlow,
        "A flow leaving China with important data, or personal information above the thresholds, names its security assessment.",
        export_assessment,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExportParams {
    /// Sensitive personal information of at least this many persons a year needs an assessment.
    pub(super) sensitive_pi_persons: u64,
    /// Personal information of at least this many persons a year needs an assessment.
    pub(super) pi_persons: u64,
    /// Personal information of more than this many persons is important data
    /// (automobile sector); 0 turns the rule off.
    #[serde(default)]
    pub(super) pi_important_persons: u64,
}

/// Why an item needs an outbound security assessment, or None when it does not.
pub(super) fn needs_assessment(i: &DataItem, p: &ExportParams) -> Option<String> {
    let persons = i.persons_per_year;
    match i.category {
        DataCategory::Important => Some("important data".into()),
        DataCategory::Unclassified => Some("unclassified (may be important data)".into()),
        DataCategory::Operational => None,
        DataCategory::SensitivePersonal | DataCategory::Personal => {
            let sensitive = i.category == DataCategory::SensitivePersonal;
            let Some(n) = persons else {
                return Some("personal information without persons_per_year (threshold cannot be shown to be unmet)".into());
            };
            if sensitive && n >= p.sensitive_pi_persons {
                return Some(format!(
                    "sensitive personal information of {n} persons a year (≥ {})",
                    p.sensitive_pi_persons
                ));
            }
            if p.pi_important_persons > 0 && n > p.pi_important_persons {
                return Some(format!(
                    "personal information of {n} persons (> {} makes it important data)",
                    p.pi_important_persons
                ));
            }
            if n >= p.pi_persons {
                return Some(format!(
                    "personal information of {n} persons a year (≥ {})",
                    p.pi_persons
                ));
            }
            None
        }
    }
}

fn export_assessment(ctx: &Ctx, p: &ExportParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    match g.leaves_china(&f.value.from, &f.value.to) {
        Some(false) => {
            sink.not_applicable(format!(
                "flow `{}` does not leave China ({} → {})",
                f.value.id, f.value.from, f.value.to
            ));
            return;
        }
        None if g.in_china(&f.value.from) == Some(true) => {
            sink.fail(
                format!(
                    "flow `{}` goes to `{}`, whose region is not declared, so it cannot be shown to stay in China",
                    f.value.id, f.value.to
                ),
                f.at("to"),
            );
            return;
        }
        None => {
            sink.not_applicable(format!(
                "flow `{}` does not start in China ({})",
                f.value.id,
                g.region_label(&f.value.from)
            ));
            return;
        }
        Some(true) => {}
    }
    let (its, unknown) = items(ctx.inv, &f.value.items);
    let mut why: Vec<String> = its
        .iter()
        .filter_map(|i| needs_assessment(i, p).map(|w| format!("`{}`: {w}", i.id)))
        .collect();
    why.extend(unknown.iter().map(|u| format!("`{u}`: unknown item")));
    let dest = g.region_label(&f.value.to);
    if why.is_empty() {
        sink.pass(
            format!(
                "flow `{}` leaves China for {dest} with data below the export thresholds ({})",
                f.value.id,
                ids(&its)
            ),
            f.location(),
        );
        return;
    }
    match nonempty(&f.value.security_assessment) {
        Some(a) => {
            sink.pass(
                format!(
                    "flow `{}` leaves China for {dest} under security assessment `{a}` ({})",
                    f.value.id,
                    why.join("; ")
                ),
                f.at("security_assessment"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "flow `{}` leaves China ({} → {} in {dest}) without a security_assessment: {}",
                    f.value.id,
                    f.value.from,
                    f.value.to,
                    why.join("; ")
                ),
                f.location(),
            );
        }
    }
}
