//! Terminal output is inert: every string that comes from the build or the network
//! (messages, asset ids, paths, the vehicle model, certificate subjects inside messages)
//! has its control characters (C0, DEL, C1) and bidirectional controls escaped before
//! the text renderer lays it out, so a file name or a certificate cannot set the window
//! title, clear the screen or forge report lines.

use icvsec_fs::name::{inert, inert_multiline, is_unsafe_char};
use icvsec_model::{Location, Report, SharedStr};
use std::borrow::Cow;

fn unsafe_str(s: &str) -> bool {
    s.chars().any(is_unsafe_char)
}

fn unsafe_multiline(s: &str) -> bool {
    s.chars()
        .any(|c| is_unsafe_char(c) && c != '\n' && c != '\t')
}

fn fix(s: &mut String) {
    if let Cow::Owned(o) = inert(s) {
        *s = o;
    }
}

/// As [`fix`], for shared text: a new copy only when something is escaped.
fn fix_shared(s: &mut SharedStr) {
    if let Cow::Owned(o) = inert(s) {
        *s = o.into();
    }
}

fn fix_multiline(s: &mut String) {
    if let Cow::Owned(o) = inert_multiline(s) {
        *s = o;
    }
}

fn loc_unsafe(l: &Location) -> bool {
    unsafe_str(&l.file) || l.key_path.as_deref().is_some_and(unsafe_str)
}

fn fix_loc(l: &mut Location) {
    fix_shared(&mut l.file);
    if let Some(k) = l.key_path.as_mut() {
        fix_shared(k);
    }
}

fn needs(report: &Report) -> bool {
    let s = &report.scan;
    unsafe_str(&s.root)
        || s.config.as_deref().is_some_and(unsafe_str)
        || s.vehicle.as_ref().is_some_and(|v| {
            unsafe_str(&v.model) || v.markets.iter().any(|m| unsafe_str(m)) || unsafe_str(&v.stage)
        })
        || report.findings.iter().any(|f| {
            unsafe_str(&f.message)
                || unsafe_str(&f.asset.id)
                || f.location.as_ref().is_some_and(loc_unsafe)
                || f.related.iter().any(loc_unsafe)
                || f.waiver
                    .as_ref()
                    .is_some_and(|w| unsafe_str(&w.justification) || unsafe_str(&w.owner))
        })
        || report
            .diagnostics
            .iter()
            .any(|d| unsafe_str(&d.message) || loc_unsafe(&d.location))
        || report.rules.iter().any(|r| {
            unsafe_str(&r.title)
                || unsafe_multiline(&r.rationale)
                || unsafe_multiline(&r.remediation)
        })
        || report
            .waivers
            .iter()
            .any(|w| unsafe_str(&w.justification) || w.scope.iter().any(|s| unsafe_str(s)))
        || report.inventory.iter().any(|e| {
            unsafe_str(&e.ecu)
                || e.components.iter().any(|c| {
                    unsafe_str(&c.name)
                        || unsafe_str(&c.version)
                        || c.sources.iter().any(|s| unsafe_str(&s.file))
                        || c.vulnerabilities.iter().any(|v| unsafe_str(&v.id))
                })
        })
        || report.data_map.iter().any(|d| {
            unsafe_str(&d.item)
                || d.routes.iter().any(|r| {
                    r.path.iter().any(|p| unsafe_str(p)) || unsafe_str(&r.destination_region)
                })
        })
}

/// The report with every build- or network-supplied string made inert; borrowed as it
/// is when nothing needs escaping (the usual case: no copy).
pub fn inert_report(report: &Report) -> Cow<'_, Report> {
    if !needs(report) {
        return Cow::Borrowed(report);
    }
    let mut r = report.clone();
    fix(&mut r.scan.root);
    if let Some(c) = r.scan.config.as_mut() {
        fix(c);
    }
    if let Some(v) = r.scan.vehicle.as_mut() {
        fix(&mut v.model);
        fix(&mut v.stage);
        v.markets.iter_mut().for_each(fix);
    }
    for f in &mut r.findings {
        fix_shared(&mut f.message);
        fix_shared(&mut f.asset.id);
        if let Some(l) = f.location.as_mut() {
            fix_loc(l);
        }
        f.related.iter_mut().for_each(fix_loc);
        if let Some(w) = f.waiver.as_mut() {
            fix(&mut w.justification);
            fix(&mut w.owner);
        }
    }
    for d in &mut r.diagnostics {
        fix(&mut d.message);
        fix_loc(&mut d.location);
    }
    for rule in &mut r.rules {
        fix(&mut rule.title);
        fix_multiline(&mut rule.rationale);
        fix_multiline(&mut rule.remediation);
    }
    for w in &mut r.waivers {
        fix(&mut w.justification);
        w.scope.iter_mut().for_each(fix);
    }
    for e in &mut r.inventory {
        fix(&mut e.ecu);
        for c in &mut e.components {
            fix(&mut c.name);
            fix(&mut c.version);
            c.sources.iter_mut().for_each(|s| fix(&mut s.file));
            c.vulnerabilities.iter_mut().for_each(|v| fix(&mut v.id));
        }
    }
    for d in &mut r.data_map {
        fix(&mut d.item);
        for route in &mut d.routes {
            route.path.iter_mut().for_each(fix);
            fix(&mut route.destination_region);
        }
    }
    Cow::Owned(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use icvsec_model::report::{Finding, ScanInfo, VehicleSummary};

    #[test]
    fn escapes_build_strings_and_borrows_clean_reports() {
        let mut r = Report::default();
        assert!(matches!(inert_report(&r), Cow::Borrowed(_)));
        r.scan = ScanInfo {
            vehicle: Some(VehicleSummary {
                model: "car\x1b]0;pwned\x07".into(),
                markets: vec![],
                stage: "production".into(),
                ecus: 1,
            }),
            ..r.scan.clone()
        };
        r.findings.push(Finding {
            rule_id: "ICV-CRT-001".into(),
            area: icvsec_model::Area::Basic,
            subarea: "crypto".into(),
            severity: icvsec_model::Severity::High,
            outcome: icvsec_model::Outcome::Fail,
            asset: icvsec_model::AssetRef::new(
                icvsec_model::AssetKind::Certificate,
                "pki/\x1b[2Jx.pem",
            ),
            message: "subject CN=a\nFAIL forged line\u{202e}".into(),
            location: None,
            related: Box::default(),
            fingerprint: Default::default(),
            waiver: None,
            root_cause: None,
        });
        let out = inert_report(&r);
        let v = out.scan.vehicle.as_ref().unwrap();
        assert_eq!(v.model, "car\\x1b]0;pwned\\x07");
        assert_eq!(
            out.findings[0].message,
            "subject CN=a\\x0aFAIL forged line\\u{202e}"
        );
    }
}
