//! Waivers (`icvsec-waivers.toml`): accepted risks, each with a justification, an owner
//! and an expiry date. An active waiver turns the failing (or unassessed) findings it
//! matches into `waived`; an expired one stops applying and is reported as `expired`;
//! one that matched nothing is reported as `unused`. Expiry is judged at the scan's
//! evaluation date (`--as-of`), so results are reproducible.
//!
//! ```toml
//! [[waiver]]
//! rule = "ICV-LNX-004"                     # a rule id, or a pattern such as "ICV-LNX-*"
//! paths = ["tbox/rootfs/etc/ssh/**"]       # globs over the finding's file (relative to the root)
//! assets = ["sshd_config:tbox/rootfs/etc/ssh/sshd_config"]  # asset ids (`kind:id` or `id`)
//! justification = "Field-service port, closed by the gateway firewall; fix in SOP+3"
//! owner = "tbox-team@demo-oem.cn"
//! expires = 2026-12-31                     # last day the waiver applies (TOML date or string)
//! ```
//! `paths` match the finding's file (for a file asset reported without a place, the
//! asset's own path); findings with no file at all are waived through `assets`.
//! `paths` and `assets` narrow each other (a finding must match both when both are given);
//! at least one of them is required, so a waiver never silently covers a whole rule
//! (write `paths = ["**"]` for that).

use crate::tomlerr::{ConfigError, at_span};
use icvsec_model::report::{AppliedWaiver, WaiverStatus};
use icvsec_model::{Finding, Outcome, Report};
use serde::Deserialize;
use std::path::Path;
use toml::Spanned;

/// Waiver files larger than this are refused.
pub const MAX_WAIVERS_FILE: u64 = 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    pub rule: String,
    pub paths: Vec<String>,
    pub assets: Vec<String>,
    pub justification: String,
    pub owner: String,
    /// YYYY-MM-DD, inclusive.
    pub expires: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    waiver: Vec<Spanned<RawWaiver>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    assets: Vec<Spanned<String>>,
    justification: Spanned<String>,
    #[serde(default)]
    owner: Option<Spanned<String>>,
    expires: Spanned<toml::Value>,
}

/// Parse `YYYY-MM-DD` strictly (a real calendar date).
pub fn parse_day(s: &str) -> Option<String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, &fmt)
        .ok()
        .and_then(|d| d.format(&fmt).ok())
}

/// Parse a waivers file's text; `file` names it in errors.
pub fn parse_waivers(text: &str, file: &str) -> Result<Vec<Waiver>, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
    let mut out = Vec::new();
    for w in raw.waiver {
        let span = w.span();
        let w = w.into_inner();
        let err = |sp: std::ops::Range<usize>, key: &str, msg: String| {
            at_span(file, text, sp, Some(key), msg)
        };
        let rule = w.rule.get_ref().trim().to_string();
        if rule.is_empty() {
            return Err(err(w.rule.span(), "rule", "must name a rule id".into()));
        }
        let justification = w.justification.get_ref().trim().to_string();
        if justification.is_empty() {
            return Err(err(
                w.justification.span(),
                "justification",
                "must not be empty: say why the risk is accepted".into(),
            ));
        }
        let expires = match w.expires.get_ref() {
            toml::Value::String(s) => parse_day(s.trim()),
            toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => {
                parse_day(&d.to_string())
            }
            _ => None,
        };
        let Some(expires) = expires else {
            return Err(err(
                w.expires.span(),
                "expires",
                "must be a date YYYY-MM-DD".into(),
            ));
        };
        for p in w.paths.iter().chain(w.assets.iter()) {
            if p.get_ref().trim().is_empty() || p.get_ref().len() > 512 {
                return Err(err(
                    p.span(),
                    if w.paths.iter().any(|x| std::ptr::eq(x, p)) {
                        "paths"
                    } else {
                        "assets"
                    },
                    "entries must be non-empty and at most 512 characters".into(),
                ));
            }
        }
        if w.paths.is_empty() && w.assets.is_empty() {
            return Err(err(
                span,
                "paths",
                "a waiver needs a scope: `paths` (globs) and/or `assets` (ids); use paths = [\"**\"] to cover every file".into(),
            ));
        }
        out.push(Waiver {
            rule,
            paths: w
                .paths
                .into_iter()
                .map(|p| p.into_inner().trim().to_string())
                .collect(),
            assets: w
                .assets
                .into_iter()
                .map(|p| p.into_inner().trim().to_string())
                .collect(),
            justification,
            owner: w
                .owner
                .map(|o| o.into_inner().trim().to_string())
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| "unspecified".into()),
            expires,
        });
    }
    Ok(out)
}

/// Read and parse a waivers file (bounded).
/// Waivers named inside the build (see [`crate::tomlerr::read_text_in_build`]).
pub fn load_waivers_in_build(root: &Path, rel: &str) -> Result<Vec<Waiver>, ConfigError> {
    let text = crate::tomlerr::read_text_in_build(root, rel, MAX_WAIVERS_FILE)?;
    parse_waivers(&text, rel)
}

pub fn load_waivers(path: &Path) -> Result<Vec<Waiver>, ConfigError> {
    let text = crate::tomlerr::read_bounded_text(path, MAX_WAIVERS_FILE)?;
    parse_waivers(&text, &path.display().to_string())
}

/// Glob match over `/`-separated paths: `**` spans any number of segments (also none),
/// `*` any characters within a segment, `?` one character within a segment.
///
/// Bottom-up dynamic programming: O(pattern × text) time, no recursion (a pattern of
/// 100,000 stars once overflowed the stack), and runs of stars collapse first.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // `***…` means `**`; `**` then `*` adds nothing.
    let mut p: Vec<char> = Vec::with_capacity(pattern.len());
    for c in pattern.chars() {
        if c == '*' && p.len() >= 2 && p[p.len() - 1] == '*' && p[p.len() - 2] == '*' {
            continue;
        }
        p.push(c);
    }
    let t: Vec<char> = text.chars().collect();
    let n = t.len();
    // rows[pi][ti]: p[pi..] matches t[ti..].
    let mut rows: Vec<Vec<bool>> = vec![vec![false; n + 1]; p.len() + 1];
    rows[p.len()][n] = true;
    for pi in (0..p.len()).rev() {
        let mut row = vec![false; n + 1];
        if p[pi] == '*' && p.get(pi + 1) == Some(&'*') {
            let slash = p.get(pi + 2) == Some(&'/');
            let next = if slash { pi + 3 } else { pi + 2 };
            let after = &rows[next];
            // any: OR of after[k] for k >= ti (no slash), or after[ti] plus OR of after[k]
            // for k > ti with t[k-1] == '/' (slash variant: whole segments only).
            let mut any = false;
            for ti in (0..=n).rev() {
                if slash {
                    if ti < n && t[ti] == '/' && after[ti + 1] {
                        any = true;
                    }
                    row[ti] = after[ti] || any;
                } else {
                    any |= after[ti];
                    row[ti] = any;
                }
            }
        } else if p[pi] == '*' {
            let after = &rows[pi + 1];
            for ti in (0..=n).rev() {
                row[ti] = after[ti] || (ti < n && t[ti] != '/' && row[ti + 1]);
            }
        } else {
            let after = &rows[pi + 1];
            for ti in 0..n {
                let ok = if p[pi] == '?' {
                    t[ti] != '/'
                } else {
                    p[pi] == t[ti]
                };
                row[ti] = ok && after[ti + 1];
            }
        }
        rows[pi] = row;
    }
    rows[0][0]
}

/// Path of an asset that is a file (its id is the path, `#n` for bundle members).
fn file_asset_path(f: &Finding) -> Option<&str> {
    use icvsec_model::AssetKind::*;
    match f.asset.kind {
        Certificate | PrivateKey | PublicKey | SshdConfig | Passwd | Shadow | KernelConfig
        | AndroidProps | Sysctl | Firewall | UciConfig | Inittab | NginxConfig | OpensslConfig
        | TlsStackConfig | ProbeResult => f.asset.id.split('#').next().filter(|s| !s.is_empty()),
        _ => None,
    }
}

impl Waiver {
    pub fn scope(&self) -> Vec<String> {
        self.paths
            .iter()
            .map(|p| format!("path:{p}"))
            .chain(self.assets.iter().map(|a| format!("asset:{a}")))
            .collect()
    }

    /// Whether the waiver covers a finding (outcome aside).
    pub fn covers(&self, f: &Finding) -> bool {
        // Rule ids are case-insensitive (`icv-lnx-006` waives ICV-LNX-006).
        let rule = self.rule.to_ascii_uppercase();
        if !(rule == f.rule_id || glob_match(&rule, &f.rule_id)) {
            return false;
        }
        // The finding's file; for a file asset without a place, the asset's own path.
        let file = f
            .location
            .as_ref()
            .map(|l| l.file.as_str())
            .filter(|s| !s.is_empty())
            .or_else(|| file_asset_path(f));
        let path_ok = self.paths.is_empty()
            || file.is_some_and(|file| self.paths.iter().any(|p| glob_match(p, file)));
        let full = format!("{}:{}", f.asset.kind, f.asset.id);
        let asset_ok = self.assets.is_empty()
            || self
                .assets
                .iter()
                .any(|a| a == &f.asset.id || a == &full || glob_match(a, &full));
        path_ok && asset_ok
    }
}

/// Apply waivers to a report (judging expiry at `report.scan.as_of`), record their
/// status in `report.waivers` and recompute the summary.
pub fn apply_waivers(report: &mut Report, waivers: &[Waiver]) {
    let today = report.scan.as_of.clone();
    let mut matched = vec![0usize; waivers.len()];
    let expired: Vec<bool> = waivers
        .iter()
        .map(|w| !today.is_empty() && today.as_str() > w.expires.as_str())
        .collect();
    for f in &mut report.findings {
        if !matches!(f.outcome, Outcome::Fail | Outcome::Error) {
            continue;
        }
        let mut applied = false;
        for (i, w) in waivers.iter().enumerate() {
            if !w.covers(f) {
                continue;
            }
            matched[i] += 1;
            if !expired[i] && !applied {
                applied = true;
                f.outcome = Outcome::Waived;
                f.waiver = Some(Box::new(AppliedWaiver {
                    justification: w.justification.clone(),
                    owner: w.owner.clone(),
                    expires: w.expires.clone(),
                }));
            }
        }
    }
    report.waivers = waivers
        .iter()
        .enumerate()
        .map(|(i, w)| WaiverStatus {
            rule: w.rule.clone(),
            scope: w.scope(),
            justification: w.justification.clone(),
            owner: w.owner.clone(),
            expires: w.expires.clone(),
            status: if expired[i] {
                "expired"
            } else if matched[i] == 0 {
                "unused"
            } else {
                "active"
            }
            .to_string(),
            matched: matched[i],
        })
        .collect();
    report.summarize();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_patterns_are_iterative_and_bounded() {
        // 100,000 stars used to overflow the stack (abort, no output).
        let p = "*".repeat(100_000);
        assert!(glob_match(&p, "ICV-CRT-018"));
        let p = "*a".repeat(2_000) + "b";
        assert!(!glob_match(&p, &"a".repeat(300)));
        assert!(glob_match("**/**/**/x", "a/b/x"));
        assert!(!glob_match("a/**/c", "a/bc"));
    }

    #[test]
    fn globs() {
        assert!(glob_match("tbox/**", "tbox/rootfs/etc/x"));
        assert!(glob_match(
            "**/sshd_config",
            "tbox/rootfs/etc/ssh/sshd_config"
        ));
        assert!(glob_match("**/sshd_config", "sshd_config"));
        assert!(glob_match("**", "a/b/c"));
        assert!(glob_match("pki/*.pem", "pki/a.pem"));
        assert!(!glob_match("pki/*.pem", "pki/sub/a.pem"));
        assert!(glob_match("a/**/c", "a/c"));
        assert!(glob_match("a/**/c", "a/x/y/c"));
        assert!(!glob_match("a/**/c", "a/xc"));
        assert!(glob_match("ICV-LNX-*", "ICV-LNX-004"));
        assert!(glob_match("p?ki", "pXki"));
        assert!(!glob_match("p?ki", "p/ki"));
        assert!(!glob_match("*", "a/b"));
    }

    #[test]
    fn parse_errors_name_line_and_key() {
        let e = parse_waivers(
            "[[waiver]]\nrule = \"X\"\npaths = [\"**\"]\njustification = \"  \"\nexpires = 2026-01-01\n",
            "w.toml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (4, Some("justification")));
        assert!(e.to_string().starts_with("w.toml:4:"), "{e}");
        let e = parse_waivers(
            "[[waiver]]\nrule = \"X\"\npaths = [\"**\"]\njustification = \"ok\"\nexpires = \"2026-02-30\"\n",
            "w.toml",
        )
        .unwrap_err();
        assert_eq!((e.line, e.key.as_deref()), (5, Some("expires")));
        let e = parse_waivers(
            "[[waiver]]\nrule = \"X\"\npaths = [\"**\"]\njustification = \"ok\"\nexpires = 2026-01-01\nowners = \"x\"\n",
            "w.toml",
        )
        .unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        assert_eq!(e.key.as_deref(), Some("owners"), "{e}");
        let e = parse_waivers(
            "[[waiver]]\nrule = \"X\"\njustification = \"ok\"\nexpires = 2026-01-01\n",
            "w.toml",
        )
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("paths"), "{e}");
        let ok = parse_waivers(
            "[[waiver]]\nrule = \"X\"\nassets = [\"ecu:tbox\"]\njustification = \"ok\"\nexpires = \"2026-01-01\"\n",
            "w.toml",
        )
        .unwrap();
        assert_eq!(ok[0].expires, "2026-01-01");
        assert_eq!(ok[0].owner, "unspecified");
    }
}

#[cfg(test)]
mod apply_tests {
    use super::*;
    use icvsec_model::{Area, AssetKind, AssetRef, Location, Severity};

    fn finding(rule: &str, kind: AssetKind, id: &str, file: Option<&str>, o: Outcome) -> Finding {
        Finding {
            rule_id: rule.into(),
            area: Area::Basic,
            subarea: "crypto".into(),
            severity: Severity::High,
            outcome: o,
            asset: AssetRef::new(kind, id),
            message: "m".into(),
            location: file.map(Location::file),
            related: Box::default(),
            fingerprint: icvsec_model::fingerprint::Fingerprint::of(&[rule, id]),
            waiver: None,
            root_cause: None,
        }
    }

    fn waiver(rule: &str, paths: &[&str], assets: &[&str], expires: &str) -> Waiver {
        Waiver {
            rule: rule.into(),
            paths: paths.iter().map(|s| s.to_string()).collect(),
            assets: assets.iter().map(|s| s.to_string()).collect(),
            justification: "accepted".into(),
            owner: "o".into(),
            expires: expires.into(),
        }
    }

    #[test]
    fn active_expired_unused_and_the_summary() {
        let mut r = Report::default();
        r.scan.as_of = "2026-06-01".into();
        r.findings = vec![
            finding(
                "R-1",
                AssetKind::Certificate,
                "pki/a.pem",
                None,
                Outcome::Fail,
            ),
            finding(
                "R-1",
                AssetKind::Certificate,
                "other/b.pem",
                Some("other/b.pem"),
                Outcome::Fail,
            ),
            finding(
                "R-2",
                AssetKind::Ecu,
                "tbox",
                Some("ecus/tbox.json"),
                Outcome::Error,
            ),
            finding(
                "R-3",
                AssetKind::Ecu,
                "ivi",
                Some("ecus/ivi.json"),
                Outcome::Fail,
            ),
            finding(
                "R-3",
                AssetKind::Ecu,
                "tbox",
                Some("ecus/tbox.json"),
                Outcome::Pass,
            ),
        ];
        r.summarize();
        assert_eq!(r.failures_at_or_above(Severity::High), 3);
        let ws = vec![
            // Path glob matches a file asset reported without a place.
            waiver("R-1", &["pki/**"], &[], "2026-06-01"),
            waiver("R-*", &[], &["ecu:tbox"], "2026-12-31"),
            waiver("R-3", &["ecus/*.json"], &["ivi"], "2026-05-31"),
            waiver("R-9", &["**"], &[], "2027-01-01"),
        ];
        apply_waivers(&mut r, &ws);
        let o: Vec<Outcome> = r.findings.iter().map(|f| f.outcome).collect();
        assert_eq!(
            o,
            [
                Outcome::Waived,
                Outcome::Fail,
                Outcome::Waived,
                Outcome::Fail,
                Outcome::Pass
            ]
        );
        assert_eq!(r.findings[0].waiver.as_ref().unwrap().expires, "2026-06-01");
        let st: Vec<(&str, usize)> = r
            .waivers
            .iter()
            .map(|w| (w.status.as_str(), w.matched))
            .collect();
        assert_eq!(
            st,
            [("active", 1), ("active", 1), ("expired", 1), ("unused", 0)]
        );
        assert_eq!(r.summary.totals.waived, 2);
        assert_eq!(r.failures_at_or_above(Severity::High), 2);
        assert!(r.complete, "the only error was waived");
    }
}
