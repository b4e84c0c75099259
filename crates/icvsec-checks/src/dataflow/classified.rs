//! `data.classified`: every data item has a category and a classification level.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.classified",
        AssetKind::DataItem,
        "Every data item has a category other than `unclassified` and a classification level.",
        classified,
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ClassifiedParams {
    /// Levels of the OEM grading scheme; empty accepts any non-empty level.
    #[serde(default)]
    levels: Vec<String>,
}

fn classified(ctx: &Ctx, p: &ClassifiedParams, sink: &mut Sink) {
    let Some(it) = item_of(ctx) else {
        return missing(ctx, sink, "data item");
    };
    let i = &it.value;
    let mut ok = true;
    if i.category == DataCategory::Unclassified {
        ok = false;
        sink.fail(
            format!("data item `{}` ({}) is `unclassified`", i.id, i.name),
            it.at("category"),
        );
    }
    match nonempty(&i.classification_level) {
        None => {
            ok = false;
            sink.fail(
                format!(
                    "data item `{}` ({}) has no classification_level",
                    i.id, i.name
                ),
                it.location(),
            );
        }
        Some(l) if !p.levels.is_empty() && !p.levels.iter().any(|x| x == l) => {
            ok = false;
            sink.fail(
                format!(
                    "data item `{}` has classification_level `{l}`, not one of {}",
                    i.id,
                    p.levels.join(", ")
                ),
                it.at("classification_level"),
            );
        }
        Some(_) => {}
    }
    if ok {
        sink.pass(
            format!(
                "data item `{}` is {} at level `{}`",
                i.id,
                i.category.as_str(),
                nonempty(&i.classification_level).unwrap_or_default()
            ),
            it.at("category"),
        );
    }
}
