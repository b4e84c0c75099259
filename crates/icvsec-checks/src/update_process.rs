//! GB 44496 software update process items that an ECU declares in its `software_update`
//! section (the package itself is judged in `update` and `update_tuf`):
//!
//! - `ecu.update.consent`: the user confirms an OTA update before installation.
//! - `ecu.update.swin`: a SWIN is declared and the software version can be read out.
//! - `ecu.update.preconditions`: installation waits for a safe vehicle state and a
//!   battery level check.
//! - `ecu.update.power`: power is assured for the whole installation.
//! - `ecu.update.failure_recovery`: a failed update recovers or rolls back to a working
//!   version.
//! - `ecu.update.records`: every update is recorded and records are kept 10 years.
//!
//! Every ECU is in scope unless it declares `software_update.channel = "none"`: an ECU
//! whose software is updated and that is silent about an item fails "not declared", never
//! not applicable. Items about the user (consent) apply to OTA channels only.

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_model::input::ecu::SoftwareUpdate;
use icvsec_model::{AssetKind, Location};
use serde_json::Value;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "ecu.update.consent",
            AssetKind::Ecu,
            "The user confirms an OTA update before it is installed.",
            consent,
        ),
        CheckDef::new(
            "ecu.update.swin",
            AssetKind::Ecu,
            "A SWIN is declared and the software version can be read out.",
            swin,
        ),
        CheckDef::new(
            "ecu.update.preconditions",
            AssetKind::Ecu,
            "Installation starts only in a safe vehicle state with enough battery.",
            preconditions,
        ),
        CheckDef::new(
            "ecu.update.power",
            AssetKind::Ecu,
            "Power is assured for the whole installation.",
            power,
        ),
        CheckDef::new(
            "ecu.update.failure_recovery",
            AssetKind::Ecu,
            "A failed update recovers or rolls back to a working version.",
            failure_recovery,
        ),
        CheckDef::new(
            "ecu.update.records",
            AssetKind::Ecu,
            "Every update is recorded and records are kept at least 10 years.",
            records,
        ),
    ]
}

/// Vehicle states that make installation safe (at least one is needed).
const VEHICLE_STATE: &[&str] = &[
    "vehicle_stationary",
    "gear_park",
    "parking_brake",
    "ignition_off",
    "engine_off",
];
/// Power assurance methods accepted.
const POWER: &[&str] = &["battery_check", "external_supply", "dcdc_keep_alive"];
/// Failure handling that returns to a working version.
const RECOVERY: &[&str] = &["ab_partition", "rollback", "recovery_image"];
/// GB 44496: update records are kept 10 years.
const RETENTION_YEARS: u32 = 10;

/// The ECU's update section when its software is updated: `(config file, section,
/// channel)`. Reports not applicable (channel `none`) or a "not declared" failure
/// itself and returns `None` then.
fn section<'a>(ctx: &'a Ctx, sink: &mut Sink) -> Option<(&'a str, &'a SoftwareUpdate, String)> {
    let id = ctx.asset.id.as_str();
    let Some(doc) = ctx.inv.ecus.get(id).and_then(|e| e.config.as_ref()) else {
        sink.fail(
            format!(
                "ECU `{id}` has no configuration file: its software update process is not declared"
            ),
            ctx.asset.home.clone(),
        );
        return None;
    };
    let file = doc.file.as_str();
    let Some(su) = doc.doc.software_update.as_ref() else {
        sink.fail(
            "not declared: no `software_update` section (declare `channel = \"none\"` if the ECU's software is never updated)",
            Location::file(file),
        );
        return None;
    };
    let Some(channel) = su.channel.as_ref().map(|c| c.as_str().to_string()) else {
        sink.fail(
            "not declared: `software_update.channel` (`ota`, `local`, `both`, or `none` if the software is never updated)",
            Location::at_key(file, "software_update"),
        );
        return None;
    };
    if channel == "none" {
        sink.not_applicable(
            "the ECU declares no update channel (`software_update.channel` = none)",
        );
        return None;
    }
    Some((file, su, channel))
}

fn key(file: &str, k: &str) -> Location {
    Location::at_key(file, format!("software_update.{k}"))
}

fn consent(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let Some((file, su, channel)) = section(ctx, sink) else {
        return;
    };
    if !matches!(channel.as_str(), "ota" | "both") {
        sink.not_applicable(format!(
            "update channel `{channel}`: the workshop, not the user, starts the update"
        ));
        return;
    }
    match su.user_consent {
        None => sink.fail(
            "not declared: `software_update.user_consent` (whether the user confirms an OTA update before installation)",
            Location::at_key(file, "software_update"),
        ),
        Some(false) => sink.fail(
            format!("OTA updates (channel `{channel}`) are installed without the user's confirmation"),
            key(file, "user_consent"),
        ),
        Some(true) => sink.pass(
            format!("the user confirms OTA updates (channel `{channel}`) before installation"),
            key(file, "user_consent"),
        ),
    };
}

fn swin(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let Some((file, su, _)) = section(ctx, sink) else {
        return;
    };
    let swin = su.swin.as_deref().map(str::trim).filter(|s| !s.is_empty());
    match (swin, su.version_readable) {
        (None, _) => {
            sink.fail(
                "not declared: `software_update.swin` (the software identification number read out of the vehicle)",
                key(file, "swin"),
            );
        }
        (Some(_), None) => {
            sink.fail(
                "not declared: `software_update.version_readable` (whether the software version can be read out)",
                key(file, "version_readable"),
            );
        }
        (Some(s), Some(false)) => {
            sink.fail(
                format!("SWIN `{s}` is declared but the software version cannot be read out"),
                key(file, "version_readable"),
            );
        }
        (Some(s), Some(true)) => {
            let mut msg = format!("SWIN `{s}` declared and the software version is readable");
            if let Some(v) = &su.installed_version {
                msg.push_str(&format!(" (installed version {v})"));
            }
            sink.pass(msg, key(file, "swin"));
        }
    }
}

fn preconditions(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let Some((file, su, _)) = section(ctx, sink) else {
        return;
    };
    let Some(list) = &su.preconditions else {
        sink.fail(
            "not declared: `software_update.preconditions` (vehicle state and battery level checked before installation)",
            Location::at_key(file, "software_update"),
        );
        return;
    };
    let state: Vec<&str> = list
        .iter()
        .map(String::as_str)
        .filter(|p| VEHICLE_STATE.contains(p))
        .collect();
    let battery = list.iter().any(|p| p == "battery_level");
    let mut missing = Vec::new();
    if state.is_empty() {
        missing.push(format!(
            "no vehicle-state condition (one of {})",
            VEHICLE_STATE.join(", ")
        ));
    }
    if !battery {
        missing.push("no `battery_level` condition".to_string());
    }
    if missing.is_empty() {
        sink.pass(
            format!(
                "installation waits for {} and the battery level",
                state.join(", ")
            ),
            key(file, "preconditions"),
        );
    } else {
        sink.fail(
            format!(
                "preconditions [{}]: {}",
                list.join(", "),
                missing.join("; ")
            ),
            key(file, "preconditions"),
        );
    }
}

fn power(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let Some((file, su, _)) = section(ctx, sink) else {
        return;
    };
    match su.power_assurance.as_deref() {
        None => {
            sink.fail(
                "not declared: `software_update.power_assurance` (how power is assured until the installation ends)",
                Location::at_key(file, "software_update"),
            );
        }
        Some(p) if !POWER.contains(&p) => {
            sink.fail(
                format!(
                    "power assurance `{p}`: an interrupted supply can leave the ECU half-written (accepted: {})",
                    POWER.join(", ")
                ),
                key(file, "power_assurance"),
            );
        }
        Some("battery_check") => match su.min_battery_soc_percent {
            None => {
                sink.fail(
                    "power assurance `battery_check` without `software_update.min_battery_soc_percent`: the level required is not declared",
                    key(file, "power_assurance"),
                );
            }
            Some(0) => {
                sink.fail(
                    "power assurance `battery_check` with a minimum state of charge of 0 %: nothing is checked",
                    key(file, "min_battery_soc_percent"),
                );
            }
            Some(pc) if pc > 100 => {
                sink.fail(
                    format!("minimum state of charge {pc} % is not a percentage"),
                    key(file, "min_battery_soc_percent"),
                );
            }
            Some(pc) => {
                sink.pass(
                    format!("installation starts only with at least {pc} % battery charge"),
                    key(file, "min_battery_soc_percent"),
                );
            }
        },
        Some(p) => {
            sink.pass(
                format!("power assured by `{p}`"),
                key(file, "power_assurance"),
            );
        }
    }
}

fn failure_recovery(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let Some((file, su, _)) = section(ctx, sink) else {
        return;
    };
    match su.failure_recovery.as_ref().map(|r| r.as_str()) {
        None => {
            sink.fail(
                "not declared: `software_update.failure_recovery` (how a failed update returns to a working version)",
                Location::at_key(file, "software_update"),
            );
        }
        Some(r) if RECOVERY.contains(&r) => {
            sink.pass(
                format!("a failed update returns to a working version (`{r}`)"),
                key(file, "failure_recovery"),
            );
        }
        Some(r) => {
            sink.fail(
                format!(
                    "failure recovery `{r}`: a failed update can leave the ECU without working software (accepted: {})",
                    RECOVERY.join(", ")
                ),
                key(file, "failure_recovery"),
            );
        }
    }
}

fn records(ctx: &Ctx, _p: &Value, sink: &mut Sink) {
    let Some((file, su, _)) = section(ctx, sink) else {
        return;
    };
    let Some(r) = &su.records else {
        sink.fail(
            "not declared: `software_update.records` (whether each update is recorded, and for how long)",
            Location::at_key(file, "software_update"),
        );
        return;
    };
    if !r.logged {
        sink.fail(
            "updates are not recorded (`software_update.records.logged` = false)",
            key(file, "records.logged"),
        );
        return;
    }
    match r.retention_years {
        None => {
            sink.fail(
                format!(
                    "not declared: `software_update.records.retention_years` (records are kept {RETENTION_YEARS} years)"
                ),
                key(file, "records"),
            );
        }
        Some(y) if y < RETENTION_YEARS => {
            sink.fail(
                format!("update records kept {y} year(s), fewer than {RETENTION_YEARS}"),
                key(file, "records.retention_years"),
            );
        }
        Some(y) => {
            sink.pass(
                format!(
                    "every update is recorded{} and kept {y} years",
                    r.stored
                        .as_deref()
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default()
                ),
                key(file, "records.retention_years"),
            );
        }
    }
}
