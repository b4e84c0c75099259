//! `data.encrypted_at_rest`: stores of personal information or important data are
//! encrypted at rest.

use super::prologue::*;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.encrypted_at_rest",
        AssetKind::DataStore,
        "Stores of personal information or important data are encrypted at rest.",
        encrypted_at_rest,
    )
}

fn encrypted_at_rest(ctx: &Ctx, p: &StoreCategoryParams, sink: &mut Sink) {
    let Some(s) = store(ctx) else {
        return missing(ctx, sink, "data store");
    };
    let hit = store_items(ctx, s, &p.categories);
    if hit.is_empty() {
        sink.not_applicable("the store holds no personal information or important data");
        return;
    }
    match s.value.encrypted_at_rest {
        Some(true) => {
            sink.pass(
                format!("store `{}` encrypts {} at rest", s.value.id, ids(&hit)),
                s.at("encrypted_at_rest"),
            );
        }
        Some(false) => {
            sink.fail(
                format!(
                    "store `{}` keeps {} unencrypted at rest",
                    s.value.id,
                    ids(&hit)
                ),
                s.at("encrypted_at_rest"),
            );
        }
        None => {
            sink.fail(
                format!(
                    "store `{}` keeps {} and does not state encrypted_at_rest",
                    s.value.id,
                    ids(&hit)
                ),
                s.location(),
            );
        }
    }
}
