//! Matching an inventory against a feed, applying VEX, and the policy judgements a rule
//! needs: severity threshold, age of an unhandled vulnerability, Android security patch
//! level age, kernel series end of life.

use crate::component::{Component, EcuInventory, SourceRef};
use crate::cvss::{Rating, Severity};
use crate::feed::Feed;
use crate::inventory::android::AndroidBuild;
use crate::kernel_eol::{KernelEolTable, KernelSupport, kernel_support};
use crate::vex::{VexDocument, VexStatement};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;

pub use crate::dates::{add_months, parse_date};

/// Policy parameters (an OEM may change every one; defaults documented in
/// docs/vulnerabilities.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MatchParams {
    /// A vulnerability at or above this CVSS base score is "high" (default 7.0, the CVSS v3
    /// High rating). Without a score, the rating decides (High and Critical count), and an
    /// unknown severity counts as high: it is never silently dismissed.
    pub severity_threshold: f64,
    /// An unhandled high vulnerability is overdue once this many calendar months have passed
    /// since publication (default 6).
    pub max_age_months: u32,
    /// The Android security patch level may be at most this many calendar months old
    /// (default 3: monthly bulletins plus a quarter for OEM integration; an OEM policy value).
    pub spl_max_age_months: u32,
}

impl Default for MatchParams {
    fn default() -> Self {
        MatchParams {
            severity_threshold: 7.0,
            max_age_months: 6,
            spl_max_age_months: 3,
        }
    }
}

/// What a match means under the parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Verdict {
    /// A VEX statement says not affected / fixed / false positive.
    Handled,
    /// Below the severity threshold.
    BelowThreshold,
    /// High, unhandled, published more than `max_age_months` ago.
    Overdue { due: String },
    /// High, unhandled, still inside the grace period.
    DueSoon { due: String },
    /// High, unhandled, the feed gives no publication date.
    UnknownAge,
}

/// One vulnerable component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnMatch {
    pub ecu: String,
    pub component: String,
    pub ecosystem: crate::component::Ecosystem,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_version: Option<String>,
    pub vuln_id: String,
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_days: Option<i64>,
    /// Where the component's version was read.
    pub source_of_version: SourceRef,
    /// The feed file the advisory came from.
    pub feed_origin: String,
    /// The VEX statement that settles this match, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handled: Option<VexStatement>,
    pub verdict: Verdict,
}

impl VulnMatch {
    pub fn is_high(&self, params: &MatchParams) -> bool {
        is_high(&self.severity, params)
    }
}

pub fn is_high(s: &Severity, params: &MatchParams) -> bool {
    match s.score {
        Some(score) => score >= params.severity_threshold,
        None => matches!(s.rating, Rating::High | Rating::Critical | Rating::Unknown),
    }
}

/// Whether a component's distribution release (from the caller, e.g. os-release) is
/// compatible with an advisory entry's ("11" vs "Debian:11", "3.18.4" vs "v3.18").
fn release_ok(component_release: Option<&str>, entry: Option<&str>) -> bool {
    match (component_release, entry) {
        (Some(c), Some(e)) => {
            let norm = |s: &str| s.trim().trim_start_matches('v').to_string();
            let (c, e) = (norm(c), norm(e));
            c == e || c.starts_with(&format!("{e}."))
        }
        _ => true,
    }
}

/// Matches every component of every ECU against the feed, settles matches with the VEX
/// documents, and judges each under `params` on the date `as_of`. Output is sorted by
/// (ecu, component, version, vuln_id) and has one entry per (ECU, component, advisory).
///
/// `releases` maps an ECU name to its distribution release (os-release VERSION_ID) so that
/// per-release distro advisories ("Debian:11" vs "Debian:12") are told apart; an ECU without
/// one matches entries of every release (more findings, never fewer).
pub fn match_inventory(
    inventory: &[EcuInventory],
    feed: &Feed,
    vex: &[VexDocument],
    releases: &BTreeMap<String, String>,
    as_of: Date,
    params: &MatchParams,
) -> Vec<VulnMatch> {
    let mut out: BTreeMap<(String, String, String, String, String), VulnMatch> = BTreeMap::new();
    for ecu in inventory {
        let rel = releases.get(&ecu.ecu).map(String::as_str);
        for c in ecu.components() {
            for (adv, aff) in feed.candidates(c) {
                if !release_ok(rel, aff.release.as_deref()) {
                    continue;
                }
                let Some(fixed) = aff.affects(&c.version) else {
                    continue;
                };
                let key = (
                    ecu.ecu.clone(),
                    c.name.to_ascii_lowercase(),
                    c.version.clone(),
                    c.ecosystem.to_string(),
                    adv.id.clone(),
                );
                if let Some(m) = out.get_mut(&key) {
                    if m.fixed_version.is_none() {
                        m.fixed_version = fixed;
                    }
                    continue;
                }
                let m = build(&ecu.ecu, c, adv, fixed, vex, as_of, params);
                out.insert(key, m);
            }
        }
    }
    out.into_values().collect()
}

fn build(
    ecu: &str,
    c: &Component,
    adv: &crate::feed::Advisory,
    fixed: Option<String>,
    vex: &[VexDocument],
    as_of: Date,
    params: &MatchParams,
) -> VulnMatch {
    let handled = vex
        .iter()
        .flat_map(|d| d.statements.iter())
        .find(|s| s.settles() && s.names_vuln(&adv.id, &adv.aliases) && s.covers(ecu, c))
        .cloned();
    let age_days = adv.published.map(|p| (as_of - p).whole_days());
    let mut m = VulnMatch {
        ecu: ecu.to_string(),
        component: c.name.clone(),
        ecosystem: c.ecosystem,
        purl: c.purl.clone(),
        version: c.version.clone(),
        fixed_version: fixed,
        vuln_id: adv.id.clone(),
        aliases: adv.aliases.clone(),
        summary: adv.summary.clone(),
        severity: adv.severity.clone(),
        published: adv.published.map(|d| d.to_string()),
        age_days,
        source_of_version: c.sources.first().cloned().unwrap_or_else(|| SourceRef {
            file: String::new(),
            place: crate::component::Place::Line(0),
            method: "unknown".into(),
        }),
        feed_origin: adv.origin.to_string(),
        handled,
        verdict: Verdict::UnknownAge,
    };
    m.verdict = if m.handled.is_some() {
        Verdict::Handled
    } else if !m.is_high(params) {
        Verdict::BelowThreshold
    } else {
        match adv.published {
            None => Verdict::UnknownAge,
            Some(p) => {
                let due = add_months(p, params.max_age_months);
                if as_of >= due {
                    Verdict::Overdue {
                        due: due.to_string(),
                    }
                } else {
                    Verdict::DueSoon {
                        due: due.to_string(),
                    }
                }
            }
        }
    };
    m
}

/// The Android security patch level judged against the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplJudgement {
    pub security_patch: String,
    pub source: SourceRef,
    /// Whole calendar months between the patch level and `as_of`.
    pub months_old: u32,
    pub max_months: u32,
    /// The first day on which the patch level is too old.
    pub stale_from: String,
    pub too_old: bool,
}

/// None when the build has no (valid) security patch level.
pub fn judge_android_spl(
    build: &AndroidBuild,
    as_of: Date,
    params: &MatchParams,
) -> Option<SplJudgement> {
    let p = build.security_patch.as_ref()?;
    let spl = parse_date(&p.value)?;
    let mut months = 0u32;
    while months < 1200 && add_months(spl, months + 1) <= as_of {
        months += 1;
    }
    let stale_from = add_months(spl, params.spl_max_age_months)
        .next_day()
        .unwrap_or(spl);
    Some(SplJudgement {
        security_patch: p.value.clone(),
        source: p.source.clone(),
        months_old: months,
        max_months: params.spl_max_age_months,
        stale_from: stale_from.to_string(),
        too_old: as_of >= stale_from,
    })
}

/// Each Linux kernel component of an inventory with its support status.
pub fn judge_kernels(
    inv: &EcuInventory,
    as_of: Date,
    table: &KernelEolTable,
) -> Vec<(Component, KernelSupport)> {
    inv.components()
        .filter(|c| c.ecosystem == crate::component::Ecosystem::Linux)
        .map(|c| (c.clone(), kernel_support(&c.version, as_of, table)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2022-03-15T17:15:08.883"),
            Some(date!(2022 - 03 - 15))
        );
        assert_eq!(parse_date("2022-03-15"), Some(date!(2022 - 03 - 15)));
        assert_eq!(parse_date("2022-02-30"), None);
        assert_eq!(parse_date("2022-03-15X"), None);
        assert_eq!(parse_date("short"), None);
        assert_eq!(parse_date("ééééééééééé"), None);
        assert_eq!(add_months(date!(2024 - 08 - 31), 6), date!(2025 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 08 - 31), 18), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2023 - 11 - 15), 3), date!(2024 - 02 - 15));
    }

    #[test]
    fn spl_months() {
        use crate::inventory::android::Prop;
        let b = AndroidBuild {
            security_patch: Some(Prop {
                value: "2026-08-05".into(),
                source: SourceRef {
                    file: "build.prop".into(),
                    place: crate::component::Place::Line(3),
                    method: "android-build-prop".into(),
                },
            }),
            ..AndroidBuild::default()
        };
        let p = MatchParams::default();
        let j = judge_android_spl(&b, date!(2026 - 11 - 05), &p).expect("spl");
        assert_eq!((j.months_old, j.too_old), (3, false));
        let j = judge_android_spl(&b, date!(2026 - 11 - 06), &p).expect("spl");
        assert!(j.too_old);
        assert_eq!(j.stale_from, "2026-11-06");
        let j = judge_android_spl(&b, date!(2026 - 11 - 04), &p).expect("spl");
        assert_eq!((j.months_old, j.too_old), (2, false));
    }

    #[test]
    fn release_compat() {
        assert!(release_ok(Some("11"), Some("11")));
        assert!(!release_ok(Some("11"), Some("12")));
        assert!(release_ok(Some("3.18.4"), Some("v3.18")));
        assert!(!release_ok(Some("3.1"), Some("v3.18")));
        assert!(release_ok(None, Some("12")));
    }
}
