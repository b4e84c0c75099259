//! `data.outside_images_anonymised`: outside images with faces or plates are anonymised
//! before they leave the vehicle.

use super::prologue::*;
use icvsec_model::input::chosen;

pub(super) fn def() -> CheckDef {
    CheckDef::new(
        "data.outside_images_anonymised",
        AssetKind::DataFlow,
        "Outside images with faces or licence plates are anonymised or aggregated before they leave the vehicle.",
        outside_images_anonymised,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnonymisedParams {
    /// Processing that removes faces and plates.
    #[serde(default = "default_anonymised")]
    accepted: Vec<String>,
    /// Item kinds that are outside images (faces/plates assumed unless declared absent).
    #[serde(default = "default_image_kinds")]
    kinds: Vec<String>,
    /// Largest image resolution (megapixels) that may leave the vehicle; unset: not judged.
    /// Not judged for `aggregated` flows (no images leave).
    #[serde(default)]
    max_megapixels: Option<f64>,
}

fn default_anonymised() -> Vec<String> {
    vec!["anonymised".into(), "aggregated".into()]
}

fn default_image_kinds() -> Vec<String> {
    vec!["outside_image".into(), "outside_video".into()]
}

fn outside_images_anonymised(ctx: &Ctx, p: &AnonymisedParams, sink: &mut Sink) {
    let Some((f, g)) = placed_flow(ctx, sink) else {
        return;
    };
    let (its, _) = items(ctx.inv, &f.value.items);
    let imgs: Vec<&DataItem> = its
        .iter()
        .copied()
        .filter(|i| {
            i.contains_faces_or_plates == Some(true)
                || (i.kind.as_ref().is_some_and(|k| p.kinds.contains(k))
                    && i.contains_faces_or_plates != Some(false))
        })
        .collect();
    if imgs.is_empty() {
        sink.not_applicable("the flow carries no images with faces or licence plates");
        return;
    }
    if g.leaves_vehicle(&f.value.from, &f.value.to) != Some(true) {
        sink.not_applicable(format!(
            "flow `{}` does not leave the vehicle ({} → {})",
            f.value.id, f.value.from, f.value.to
        ));
        return;
    }
    let processing = chosen(f.value.processing);
    let mut problems = Vec::new();
    let mut loc = f.at("processing");
    if !processing.is_some_and(|pr| p.accepted.iter().any(|a| a == pr)) {
        problems.push(format!(
            "processing is `{}`; anonymise ({}) on board first",
            processing.unwrap_or("not stated"),
            p.accepted.join(" or ")
        ));
        if processing.is_none() {
            loc = f.location();
        }
    }
    if let Some(max) = p.max_megapixels
        && processing != Some("aggregated")
    {
        for i in &imgs {
            match i.image_megapixels {
                Some(mp) if mp <= max => {}
                Some(mp) => problems.push(format!(
                    "`{}` is {mp} MP (at most {max} MP may leave the vehicle)",
                    i.id
                )),
                None => problems.push(format!(
                    "`{}` declares no image_megapixels (at most {max} MP may leave the vehicle)",
                    i.id
                )),
            }
        }
    }
    if problems.is_empty() {
        sink.pass(
            format!(
                "flow `{}` sends {} off the vehicle `{}`",
                f.value.id,
                ids(&imgs),
                processing.unwrap_or_default()
            ),
            loc,
        );
    } else {
        let eval = sink.fail(
            format!(
                "flow `{}` sends {} (faces or licence plates) off the vehicle: {}",
                f.value.id,
                ids(&imgs),
                problems.join("; ")
            ),
            loc,
        );
        for i in &imgs {
            if let Some(it) = ctx.inv.data.items.get(&i.id) {
                eval.related(it.location());
            }
        }
    }
}
