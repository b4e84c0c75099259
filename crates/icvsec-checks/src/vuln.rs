//! Known vulnerabilities, Android security patch level and kernel end of life: pure queries
//! over the per-ECU software inventory built at load time (`inv.software`), the VEX
//! documents of the build and the feeds given with `--vuln-db` / `vuln_db`. No file I/O.
//!
//! Without a feed the vulnerability rules cannot assess anything: an error outcome, never
//! a pass. Matching runs once per scan and parameter set (memoised).

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::FeedState;
use icvsec_model::{AssetKind, Location};
use icvsec_vuln::component::{Place, SourceRef};
use icvsec_vuln::kernel_eol::{KernelEolTable, KernelSupport};
use icvsec_vuln::matching::{MatchParams, Verdict, VulnMatch, judge_android_spl, judge_kernels};
use serde::Deserialize;
use std::sync::Arc;
use time::Date;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "vuln.overdue",
            AssetKind::Ecu,
            "No unhandled high/critical known vulnerability published more than `max_age_months` ago in the ECU's software (feed + VEX).",
            overdue,
        ),
        CheckDef::new(
            "vuln.due_soon",
            AssetKind::Ecu,
            "No unhandled high/critical known vulnerability inside its grace period (it becomes overdue on the date shown).",
            due_soon,
        ),
        CheckDef::new(
            "vuln.android_spl",
            AssetKind::Ecu,
            "The Android security patch level is at most `max_age_months` old.",
            android_spl,
        ),
        CheckDef::new(
            "vuln.kernel_eol",
            AssetKind::Ecu,
            "The Linux kernel series is a longterm series inside its support period.",
            kernel_eol,
        ),
    ]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VulnParams {
    #[serde(default = "default_threshold")]
    severity_threshold: f64,
    #[serde(default = "default_age")]
    max_age_months: u32,
}

fn default_threshold() -> f64 {
    7.0
}
fn default_age() -> u32 {
    6
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SplParams {
    #[serde(default = "default_spl")]
    max_age_months: u32,
}

fn default_spl() -> u32 {
    3
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

fn as_date(ctx: &Ctx) -> Date {
    time::OffsetDateTime::from_unix_timestamp(ctx.as_of)
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// The place a version was read from, as a report location.
pub(crate) fn source_location(s: &SourceRef) -> Location {
    match &s.place {
        Place::Line(l) if *l > 0 => Location {
            file: s.file.as_str().into(),
            line: u32::try_from(*l).ok(),
            column: None,
            key_path: None,
        },
        Place::Pointer(p) => Location {
            file: s.file.as_str().into(),
            line: None,
            column: None,
            key_path: Some(p.into()),
        },
        _ => Location::file(&s.file),
    }
}

/// Every match of the build under these parameters.
fn matches(ctx: &Ctx, p: &VulnParams) -> Option<Arc<Vec<VulnMatch>>> {
    let sw = &ctx.inv.software;
    let FeedState::Loaded(feed) = &sw.feed else {
        return None;
    };
    // A pure query: matching is index lookups (tens of milliseconds for a 200,000-record
    // feed), so it runs per call instead of being cached in the inventory.
    let params = MatchParams {
        severity_threshold: p.severity_threshold,
        max_age_months: p.max_age_months,
        ..MatchParams::default()
    };
    Some(Arc::new(icvsec_vuln::match_inventory(
        &sw.inventories(),
        feed,
        &sw.vex,
        &sw.releases,
        as_date(ctx),
        &params,
    )))
}

/// The shared preamble: n/a outside production or without software; error without a feed.
fn prepare(ctx: &Ctx, p: &VulnParams, sink: &mut Sink) -> Option<Arc<Vec<VulnMatch>>> {
    let id = ctx.asset.id.as_str();
    if !ctx.inv.is_production() {
        sink.not_applicable(
            "development build: known-vulnerability deadlines apply to production builds",
        );
        return None;
    }
    let Some(inv) = ctx.inv.software.ecus.get(id) else {
        sink.not_applicable(format!(
            "no software inventory for ECU `{id}` (no root filesystem, package database, SBOM or binary found)"
        ));
        return None;
    };
    match &ctx.inv.software.feed {
        FeedState::Absent => {
            sink.error(
                format!(
                    "could not assess: no vulnerability feed given; pass --vuln-db (or set vuln_db in icvsec.toml) to check the {} components of ECU `{id}`",
                    inv.len()
                ),
                ctx.asset.home.clone(),
            );
            None
        }
        FeedState::Failed(why) => {
            sink.error(
                format!("could not assess: the vulnerability feed did not load: {why}"),
                ctx.asset.home.clone(),
            );
            None
        }
        FeedState::Loaded(_) => matches(ctx, p),
    }
}

/// A serde enum value as its serialized word (`high`, `not_affected`).
fn word<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}

fn describe(m: &VulnMatch) -> String {
    let sev = match m.severity.score {
        Some(s) => format!("{} {s:.1}", word(&m.severity.rating)),
        None => word(&m.severity.rating),
    };
    let fixed = m
        .fixed_version
        .as_deref()
        .map_or("no fixed version in the feed".to_string(), |f| {
            format!("fixed in {f}")
        });
    let published = m.published.as_deref().unwrap_or("unknown date");
    format!(
        "ECU `{}`: {} {} has {} ({sev}, published {published}); {fixed}; version from {}",
        m.ecu, m.component, m.version, m.vuln_id, m.source_of_version
    )
}

fn overdue(ctx: &Ctx, p: &VulnParams, sink: &mut Sink) {
    let Some(all) = prepare(ctx, p, sink) else {
        return;
    };
    let id = ctx.asset.id.as_str();
    let mut bad = 0usize;
    let mut seen = 0usize;
    for m in all.iter().filter(|m| m.ecu == id) {
        seen += 1;
        let loc = source_location(&m.source_of_version);
        match &m.verdict {
            Verdict::Overdue { due } => {
                bad += 1;
                sink.fail(format!("{}; unhandled since {due}", describe(m)), loc);
            }
            Verdict::UnknownAge => {
                bad += 1;
                sink.fail(
                    format!(
                        "{}; the feed gives no publication date, so it cannot be shown to be younger than {} months",
                        describe(m),
                        p.max_age_months
                    ),
                    loc,
                );
            }
            Verdict::Handled => {
                if let Some(st) = &m.handled {
                    let why = st
                        .justification
                        .as_deref()
                        .or(st.detail.as_deref())
                        .unwrap_or("no justification given");
                    let e = sink.pass(
                        format!(
                            "{}; handled by VEX ({}: {why})",
                            describe(m),
                            word(&st.status)
                        ),
                        loc,
                    );
                    e.related(source_location(&st.source));
                }
            }
            Verdict::DueSoon { .. } | Verdict::BelowThreshold => {}
        }
    }
    if bad == 0 {
        let n = ctx.inv.software.ecus.get(id).map_or(0, |e| e.len());
        sink.pass(
            format!(
                "ECU `{id}`: no unhandled high vulnerability published more than {} months ago among {n} components ({seen} feed match(es) in all)",
                p.max_age_months
            ),
            ctx.asset.home.clone(),
        );
    }
}

fn due_soon(ctx: &Ctx, p: &VulnParams, sink: &mut Sink) {
    let Some(all) = prepare(ctx, p, sink) else {
        return;
    };
    let id = ctx.asset.id.as_str();
    let mut bad = 0usize;
    for m in all.iter().filter(|m| m.ecu == id) {
        if let Verdict::DueSoon { due } = &m.verdict {
            bad += 1;
            sink.fail(
                format!(
                    "{}; overdue from {due} unless fixed or handled",
                    describe(m)
                ),
                source_location(&m.source_of_version),
            );
        }
    }
    if bad == 0 {
        sink.pass(
            format!("ECU `{id}`: no unhandled high vulnerability inside its grace period"),
            ctx.asset.home.clone(),
        );
    }
}

fn android_spl(ctx: &Ctx, p: &SplParams, sink: &mut Sink) {
    let id = ctx.asset.id.as_str();
    let Some(build) = ctx.inv.software.android.get(id) else {
        sink.not_applicable(format!("ECU `{id}` has no Android build properties"));
        return;
    };
    let params = MatchParams {
        spl_max_age_months: p.max_age_months,
        ..MatchParams::default()
    };
    match judge_android_spl(build, as_date(ctx), &params) {
        None => match &build.security_patch {
            Some(prop) => {
                sink.fail(
                    format!(
                        "ECU `{id}`: ro.build.version.security_patch `{}` is not a date (YYYY-MM-DD)",
                        prop.value
                    ),
                    source_location(&prop.source),
                );
            }
            None => {
                let loc = build
                    .release
                    .as_ref()
                    .map_or(ctx.asset.home.clone(), |r| Location::file(&r.source.file));
                sink.fail(
                    format!("ECU `{id}`: Android build without ro.build.version.security_patch"),
                    loc,
                );
            }
        },
        Some(j) => {
            let msg = format!(
                "ECU `{id}`: Android security patch level {} is {} month(s) old (at most {} allowed; too old from {})",
                j.security_patch, j.months_old, j.max_months, j.stale_from
            );
            let e = sink.verdict(!j.too_old, msg, source_location(&j.source));
            if j.too_old {
                // The same defect as ICV-AND-009's failing ro.build.version.security_patch.
                e.fact(icvsec_model::report::root_cause_key(
                    AssetKind::Ecu,
                    id,
                    crate::linux::ANDROID_SPL_STALE,
                ));
            }
        }
    }
}

fn kernel_eol(ctx: &Ctx, _p: &NoParams, sink: &mut Sink) {
    let id = ctx.asset.id.as_str();
    let Some(inv) = ctx.inv.software.ecus.get(id) else {
        sink.not_applicable(format!("no software inventory for ECU `{id}`"));
        return;
    };
    let table = KernelEolTable::builtin();
    let kernels = judge_kernels(inv, as_date(ctx), &table);
    if kernels.is_empty() {
        sink.not_applicable(format!(
            "ECU `{id}`: no Linux kernel version found (kernel config header, lib/modules, SBOM)"
        ));
        return;
    }
    for (c, support) in kernels {
        let loc = c.source().map_or(ctx.asset.home.clone(), source_location);
        let from = c
            .source()
            .map(|s| format!("; version from {s}"))
            .unwrap_or_default();
        let v = &c.version;
        match support {
            KernelSupport::Supported {
                series,
                eol,
                projected,
            } => {
                let proj = if projected { " (projected)" } else { "" };
                sink.pass(
                    format!("ECU `{id}`: kernel {v} (longterm {series}) is supported until {eol}{proj}{from}"),
                    loc,
                );
            }
            KernelSupport::EndOfLife { series, eol } => {
                sink.fail(
                    format!("ECU `{id}`: kernel {v}: longterm series {series} reached end of life on {eol}{from}"),
                    loc,
                );
            }
            KernelSupport::NotLongterm { series } => {
                sink.fail(
                    format!("ECU `{id}`: kernel {v}: series {series} is not a longterm series (fixes stop with the next stable release){from}"),
                    loc,
                );
            }
            KernelSupport::Unknown => {
                sink.error(
                    format!("ECU `{id}`: kernel version `{v}` cannot be read as major.minor{from}"),
                    loc,
                );
            }
        }
    }
}
