//! Uptane/TUF metadata of the ECU's update repositories (read at load by
//! `icvsec-update` as one repository per `root.json` with its siblings), judged per ECU:
//!
//! - `ecu.package.tuf_expiry`: no role's metadata (root, targets, snapshot, timestamp) has
//!   expired at the evaluation date (`--as-of`); a role without a readable `expires`
//!   fails too.
//! - `ecu.package.tuf_keys`: every role's threshold is set and can be met with the keys
//!   root lists for it; on a production build the root threshold is at least 2; no root
//!   key is weak (RSA below 2048 bits) or unusable (unsupported scheme, malformed).
//! - `ecu.package.tuf_consistency`: the timestamp names the snapshot, and the snapshot the
//!   targets, with the version, length and hashes of the files shipped; all four roles
//!   are present.
//!
//! Each finding names the metadata file and the JSON key path (resolved to line:col).
//! An ECU with no TUF metadata in the build is not applicable here (ICV-PKG-001 already
//! fails an ECU that declares an update channel but ships no package).

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::UpdatePackageAsset;
use icvsec_model::{AssetKind, Location};
use icvsec_update::tuf::TufFacts;
use icvsec_update::{Kind, UpdatePackage};
use serde_json::Value;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "ecu.package.tuf_expiry",
            AssetKind::Ecu,
            "No Uptane/TUF metadata of the ECU has expired at the evaluation date.",
            expiry,
        ),
        CheckDef::new(
            "ecu.package.tuf_keys",
            AssetKind::Ecu,
            "Uptane/TUF thresholds can be met, root needs two keys in production, and no key is weak.",
            keys,
        ),
        CheckDef::new(
            "ecu.package.tuf_consistency",
            AssetKind::Ecu,
            "Uptane/TUF snapshot and timestamp name the version, length and hashes of the files shipped.",
            consistency,
        ),
    ]
}

/// The ECU's TUF repositories; unreadable metadata is an error outcome, none at all is
/// not applicable.
fn repositories<'a>(
    ctx: &'a Ctx,
    sink: &mut Sink,
) -> Vec<(&'a UpdatePackageAsset, &'a UpdatePackage, &'a TufFacts)> {
    let id = &ctx.asset.id;
    let mut out = Vec::new();
    let mut seen = false;
    for a in ctx
        .inv
        .update_packages
        .values()
        .filter(|p| p.ecu.as_deref() == Some(id.as_str()))
    {
        match &a.package {
            Ok(p) if p.kind == Kind::Tuf => {
                seen = true;
                if let Some(f) = &p.tuf {
                    out.push((a, p, f));
                }
            }
            Ok(_) => {}
            Err(e) if a.file.to_ascii_lowercase().ends_with(".json") => {
                seen = true;
                sink.error(
                    format!("Uptane/TUF metadata unreadable: {e}"),
                    Location::file(&a.file),
                );
            }
            Err(_) => {}
        }
    }
    if !seen {
        sink.not_applicable("no Uptane/TUF metadata (root.json) for this ECU in the build");
    }
    out
}

fn at(file: &str, key: &str) -> Location {
    Location::at_key(file, key)
}

fn date(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| secs.to_string())
}

fn expiry(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    for (_, _, tuf) in repositories(ctx, sink) {
        for r in &tuf.roles {
            let loc = at(&r.file, "signed.expires");
            match (&r.expires_text, r.expires) {
                (None, _) => {
                    sink.fail(
                        format!(
                            "{}: {} metadata has no `expires`: it never expires, so a frozen or replayed copy stays valid",
                            r.file, r.role
                        ),
                        loc,
                    );
                }
                (Some(t), None) => {
                    sink.fail(
                        format!(
                            "{}: {} metadata `expires` {t:?} is not an RFC 3339 time",
                            r.file, r.role
                        ),
                        loc,
                    );
                }
                (Some(t), Some(e)) if e <= ctx.as_of => {
                    sink.fail(
                        format!(
                            "{}: {} metadata expired at {t} (evaluated as of {})",
                            r.file,
                            r.role,
                            date(ctx.as_of)
                        ),
                        loc,
                    );
                }
                (Some(t), Some(_)) => {
                    sink.pass(
                        format!(
                            "{}: {} metadata valid until {t} (as of {})",
                            r.file,
                            r.role,
                            date(ctx.as_of)
                        ),
                        loc,
                    );
                }
            }
        }
    }
}

fn keys(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let production = ctx.inv.is_production();
    for (a, _, tuf) in repositories(ctx, sink) {
        if !tuf.has_root {
            sink.fail(
                format!(
                    "{}: no root.json read with it, so thresholds and keys cannot be judged",
                    a.file
                ),
                Location::file(&a.file),
            );
            continue;
        }
        let root_file = tuf
            .roles
            .iter()
            .find(|r| r.role == "root")
            .map(|r| r.file.clone())
            .unwrap_or_else(|| a.file.clone());
        for r in &tuf.roles {
            let key = format!("signed.roles.{}.threshold", r.role);
            let loc = at(&root_file, &key);
            let Some(t) = r.threshold else {
                sink.fail(
                    format!(
                        "{root_file}: root delegates no `{}` role, so {} is trusted without any key",
                        r.role, r.file
                    ),
                    at(&root_file, "signed.roles"),
                );
                continue;
            };
            if t == 0 {
                sink.fail(
                    format!(
                        "{root_file}: `{}` threshold is 0: metadata without any signature would be accepted",
                        r.role
                    ),
                    loc,
                );
            } else if r.unsatisfiable() {
                sink.fail(
                    format!(
                        "{root_file}: `{}` threshold {t} exceeds the {} usable key(s) listed for the role ({} key id(s)): it can never be met",
                        r.role, r.usable_keys, r.keyids
                    ),
                    loc,
                );
            } else if r.role == "root" && t < 2 && production {
                sink.fail(
                    format!(
                        "{root_file}: root threshold {t} on a production build: one compromised root key replaces every key of the repository (at least 2 required)"
                    ),
                    loc,
                );
            } else {
                sink.pass(
                    format!(
                        "{root_file}: `{}` threshold {t} of {} usable key(s){}",
                        r.role,
                        r.usable_keys,
                        if r.role == "root" && t < 2 {
                            " (accepted: development build)"
                        } else {
                            ""
                        }
                    ),
                    loc,
                );
            }
        }
        for k in &tuf.keys {
            let loc = at(&root_file, &format!("signed.keys.{}", k.id));
            let roles = if k.roles.is_empty() {
                "no role".to_string()
            } else {
                k.roles.join(", ")
            };
            match k.weakness() {
                Some(w) => {
                    sink.fail(
                        format!(
                            "{root_file}: key {} ({}, {}; used by {roles}): {w}",
                            short(&k.id),
                            k.keytype,
                            k.scheme
                        ),
                        loc,
                    );
                }
                None => {
                    sink.pass(
                        format!(
                            "{root_file}: key {} ({}, {} bits; used by {roles})",
                            short(&k.id),
                            k.scheme,
                            k.bits.unwrap_or(0)
                        ),
                        loc,
                    );
                }
            }
        }
    }
}

fn short(id: &str) -> &str {
    id.get(..16).unwrap_or(id)
}

fn consistency(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    for (a, _, tuf) in repositories(ctx, sink) {
        let missing: Vec<&str> = ["root", "targets", "snapshot", "timestamp"]
            .into_iter()
            .filter(|r| !tuf.roles.iter().any(|x| x.role == *r))
            .collect();
        if !missing.is_empty() {
            sink.fail(
                format!(
                    "{}: no {} metadata next to it: the targets cannot be checked against a snapshot and timestamp (freeze and mix-and-match attacks go unnoticed)",
                    a.file,
                    missing
                        .iter()
                        .map(|m| format!("{m}.json"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Location::file(&a.file),
            );
        }
        for c in &tuf.inconsistencies {
            sink.fail(
                format!("{}: {}", c.file, c.message),
                at(&c.file, &c.key_path),
            );
        }
        if missing.is_empty() && tuf.inconsistencies.is_empty() {
            let v = |role: &str| {
                tuf.roles
                    .iter()
                    .find(|r| r.role == role)
                    .and_then(|r| r.version)
                    .map_or("?".to_string(), |v| v.to_string())
            };
            let ts = tuf
                .roles
                .iter()
                .find(|r| r.role == "timestamp")
                .map(|r| r.file.clone())
                .unwrap_or_else(|| a.file.clone());
            sink.pass(
                format!(
                    "{ts}: timestamp names snapshot version {}, the snapshot names targets version {}, matching the files shipped",
                    v("snapshot"),
                    v("targets")
                ),
                at(&ts, "signed.meta"),
            );
        }
    }
}
