//! Software update packages found in the build (read and verified at load by
//! `icvsec-update`, stored in `inv.update_packages`), judged per ECU:
//!
//! - `ecu.package.signature`: every package is signed and its signature verifies against a
//!   trust anchor (the ECU's `software_update.signing_certificate`, else the vehicle trust
//!   anchors whose purpose mentions update). No anchor → unverifiable → fail.
//! - `ecu.package.payload_hashes`: every payload matches the digest the metadata gives.
//! - `ecu.package.test_key`: no package is signed with a published test/development key.
//! - `ecu.package.anti_rollback`: every package version is newer than the installed one
//!   (`software_update.installed_version`).
//!
//! A package belongs to the ECU whose root filesystem holds it, else to the ECU whose id is
//! a directory name on its path (`updates/<ecu>/x.swu`). Silence is never a pass: an ECU
//! that declares an update channel (`software_update.channel` other than `none`) but has
//! no package in the build fails ("not found in the build"); only an ECU without an
//! update channel is not applicable ("no update package in the build").

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::UpdatePackageAsset;
use icvsec_model::input::UpdateChannel;
use icvsec_model::{AssetKind, Location};
use icvsec_update::{PayloadState, UpdatePackage, Verification};
use serde_json::Value;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "ecu.package.signature",
            AssetKind::Ecu,
            "Every update package for the ECU is signed and verifies against a trust anchor.",
            signature,
        ),
        CheckDef::new(
            "ecu.package.payload_hashes",
            AssetKind::Ecu,
            "Every payload of the ECU's update packages matches its declared digest.",
            payload_hashes,
        ),
        CheckDef::new(
            "ecu.package.test_key",
            AssetKind::Ecu,
            "No update package for the ECU is signed with a test or development key.",
            test_key,
        ),
        CheckDef::new(
            "ecu.package.anti_rollback",
            AssetKind::Ecu,
            "Every update package for the ECU is newer than the installed software version.",
            anti_rollback,
        ),
    ]
}

/// The ECU's readable packages; unreadable ones become error outcomes, an empty set is
/// not applicable (no update channel) or a failure (channel declared).
fn packages<'a>(ctx: &'a Ctx, sink: &mut Sink) -> Vec<(&'a UpdatePackageAsset, &'a UpdatePackage)> {
    let id = ctx.asset.id.as_str();
    let mine: Vec<&UpdatePackageAsset> = ctx
        .inv
        .update_packages
        .values()
        .filter(|p| p.ecu.as_deref() == Some(id))
        .collect();
    if mine.is_empty() {
        let cfg = ctx.inv.ecus.get(id).and_then(|e| e.config.as_ref());
        let channel = cfg
            .and_then(|d| d.doc.software_update.as_ref())
            .and_then(|u| u.channel);
        match (channel, cfg) {
            (Some(ch), Some(doc)) if ch != UpdateChannel::None => {
                sink.fail(
                    format!(
                        "ECU `{id}` declares update channel `{ch}` but no update package for it was found in the build (put it in its root filesystem or under a directory named `{id}`)"
                    ),
                    Location::at_key(&doc.file, "software_update.channel"),
                );
            }
            _ => {
                sink.not_applicable("no update package in the build");
            }
        }
        return Vec::new();
    }
    let mut out = Vec::new();
    for p in mine {
        match &p.package {
            Ok(pkg) => out.push((p, pkg)),
            Err(e) => {
                sink.error(
                    format!("update package unreadable: {e}"),
                    Location::file(&p.file),
                );
            }
        }
    }
    out
}

fn signature(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    for (a, pkg) in packages(ctx, sink) {
        let loc = Location::file(&a.file);
        let anchors = a.anchors_from.clone().unwrap_or_else(|| {
            "none declared (no software_update.signing_certificate, no update trust anchor)".into()
        });
        let what = format!(
            "{} package {} ({})",
            pkg.kind.name(),
            a.file,
            pkg.signature.format.as_deref().unwrap_or("no signature")
        );
        match &pkg.signature.verified {
            Verification::Verified => {
                sink.pass(
                    format!("{what}: signature verifies against the trust anchor from {anchors}"),
                    loc,
                );
            }
            Verification::Absent => {
                sink.fail(format!("{what}: not signed"), loc);
            }
            Verification::BadSignature(r) => {
                sink.fail(format!("{what}: signature does not verify: {r}"), loc);
            }
            Verification::Untrusted(r) => {
                sink.fail(
                    format!(
                        "{what}: signer does not chain to the trust anchor from {anchors}: {r}"
                    ),
                    loc,
                );
            }
            Verification::Unverifiable(r) => {
                sink.fail(
                    format!("{what}: signature cannot be verified ({r}); trust anchors: {anchors}"),
                    loc,
                );
            }
        }
    }
}

fn payload_hashes(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    for (a, pkg) in packages(ctx, sink) {
        let loc = Location::file(&a.file);
        if pkg.payloads.is_empty() {
            sink.fail(
                format!("{}: the package names no payload with a digest", a.file),
                loc,
            );
            continue;
        }
        let bad: Vec<String> = pkg
            .payloads
            .iter()
            .filter_map(|p| match &p.actual {
                PayloadState::Match => None,
                PayloadState::Mismatch { actual_sha256 } => Some(format!(
                    "{}: digest mismatch (actual SHA-256 {actual_sha256})",
                    p.name
                )),
                PayloadState::Missing => Some(format!("{}: missing from the package", p.name)),
                PayloadState::NoDigest => Some(format!("{}: no digest in the metadata", p.name)),
                PayloadState::SizeMismatch { declared, actual } => Some(format!(
                    "{}: declared {declared} bytes, {actual} present",
                    p.name
                )),
            })
            .collect();
        if bad.is_empty() {
            sink.pass(
                format!(
                    "{}: all {} payload digest(s) match",
                    a.file,
                    pkg.payloads.len()
                ),
                loc,
            );
        } else {
            sink.fail(format!("{}: {}", a.file, bad.join("; ")), loc);
        }
    }
}

fn test_key(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    for (a, pkg) in packages(ctx, sink) {
        let loc = Location::file(&a.file);
        let s = &pkg.signature;
        let subject = s.signer_subject.as_deref().unwrap_or("(no certificate)");
        match (s.present, s.signer_is_test_key) {
            (false, _) => {
                sink.fail(
                    format!(
                        "{}: unsigned, so the signing key cannot be told from a test key",
                        a.file
                    ),
                    loc,
                );
            }
            (true, Some(true)) => {
                sink.fail(
                    format!(
                        "{}: signed with a test/development key (signer {subject})",
                        a.file
                    ),
                    loc,
                );
            }
            (true, Some(false)) => {
                sink.pass(
                    format!("{}: signer {subject} is not a known test key", a.file),
                    loc,
                );
            }
            (true, None) => {
                sink.fail(
                    format!(
                        "{}: no certificate names the signing key, so it cannot be told from a test key",
                        a.file
                    ),
                    loc,
                );
            }
        }
    }
}

fn anti_rollback(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let pkgs = packages(ctx, sink);
    if pkgs.is_empty() {
        return;
    }
    let doc = ctx
        .inv
        .ecus
        .get(ctx.asset.id.as_str())
        .and_then(|e| e.config.as_ref());
    let installed = doc
        .and_then(|d| d.doc.software_update.as_ref())
        .and_then(|u| u.installed_version.clone());
    let Some(installed) = installed else {
        let loc = doc
            .map(|d| Location::at_key(&d.file, "software_update"))
            .unwrap_or_else(|| ctx.asset.home.clone());
        // A rule that needs a missing declaration fails and points where it belongs.
        sink.fail(
            "anti-rollback not demonstrated: the ECU declares no `software_update.installed_version` to compare its update packages with",
            loc,
        );
        return;
    };
    let installed_at = doc
        .map(|d| Location::at_key(&d.file, "software_update.installed_version"))
        .unwrap_or_else(|| ctx.asset.home.clone());
    for (a, pkg) in pkgs {
        let loc = Location::file(&a.file);
        let Some(v) = &pkg.version else {
            sink.fail(format!("{}: the package declares no version", a.file), loc);
            continue;
        };
        if icvsec_update::compare_versions(v, &installed) == std::cmp::Ordering::Greater {
            sink.pass(
                format!(
                    "{}: version {v} is newer than the installed {installed}",
                    a.file
                ),
                loc,
            );
        } else {
            sink.fail(
                format!(
                    "{}: version {v} is not newer than the installed {installed} (rollback)",
                    a.file
                ),
                loc,
            )
            .related(installed_at.clone());
        }
    }
}
