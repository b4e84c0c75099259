//! OSV records (https://ossf.github.io/osv-schema/): ranges of type ECOSYSTEM and SEMVER
//! with introduced/fixed/last_affected events, explicit `versions`, CVSS severity vectors
//! (scored here) or a severity word in database_specific / ecosystem_specific.

use super::{Advisory, Affected, PackageKey, Range, RangeEnd, short};
use crate::component::{Ecosystem, parse_purl};
use crate::cvss::{Rating, Severity, base_score};
use crate::dates::parse_date;
use crate::error::{Limits, VulnError};
use crate::version::{Scheme, compare, scheme_for};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

#[derive(Deserialize)]
pub(crate) struct OsvRecord<'a> {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default, borrow)]
    published: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    withdrawn: Option<Cow<'a, str>>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default, borrow)]
    severity: Vec<OsvSeverity<'a>>,
    #[serde(default, borrow)]
    affected: Vec<OsvAffected<'a>>,
    #[serde(default)]
    database_specific: Option<SeverityHolder>,
}

#[derive(Deserialize)]
struct OsvSeverity<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    #[serde(borrow)]
    score: Cow<'a, str>,
}

#[derive(Deserialize, Default)]
struct SeverityHolder {
    #[serde(default)]
    severity: Option<Value>,
}

#[derive(Deserialize)]
struct OsvAffected<'a> {
    #[serde(default, borrow)]
    package: Option<OsvPackage<'a>>,
    #[serde(default, borrow)]
    ranges: Vec<OsvRange<'a>>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default, borrow)]
    severity: Vec<OsvSeverity<'a>>,
    #[serde(default)]
    ecosystem_specific: Option<SeverityHolder>,
    #[serde(default)]
    database_specific: Option<SeverityHolder>,
}

#[derive(Deserialize)]
struct OsvPackage<'a> {
    #[serde(default, borrow)]
    ecosystem: Cow<'a, str>,
    #[serde(default, borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow)]
    purl: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct OsvRange<'a> {
    #[serde(rename = "type", borrow)]
    ty: Cow<'a, str>,
    #[serde(default, borrow)]
    events: Vec<OsvEvent<'a>>,
}

#[derive(Deserialize)]
struct OsvEvent<'a> {
    #[serde(default, borrow)]
    introduced: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    fixed: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    last_affected: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    limit: Option<Cow<'a, str>>,
}

/// Parses one OSV record, or an array of them.
pub fn parse_osv(name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Advisory>, VulnError> {
    limits.check_size(name, bytes.len())?;
    // An untagged enum would lose serde_json's line:col: pick the shape by the first byte.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let records: Vec<OsvRecord> = if first == Some(b'[') {
        serde_json::from_slice(bytes).map_err(|e| VulnError::json(name, &e))?
    } else {
        vec![serde_json::from_slice(bytes).map_err(|e| VulnError::json(name, &e))?]
    };
    if records.len() > limits.max_feed_records {
        return Err(VulnError::new(
            name,
            "top level",
            format!("more than {} records", limits.max_feed_records),
        ));
    }
    let origin: Arc<str> = Arc::from(name);
    let mut out = Vec::with_capacity(records.len());
    for (i, r) in records.into_iter().enumerate() {
        if r.withdrawn.is_some() {
            continue;
        }
        out.push(convert(
            name,
            &origin,
            (first == Some(b'[')).then_some(i),
            r,
        )?);
    }
    Ok(out)
}

/// Best severity: a scored CVSS v3 vector, then v2, then a severity word.
fn severity(list: &[OsvSeverity], words: &[Option<&SeverityHolder>]) -> Severity {
    let mut best: Option<Severity> = None;
    for pref in ["CVSS_V3", "CVSS_V2"] {
        for s in list.iter().filter(|s| s.ty == pref) {
            if let Ok(score) = base_score(&s.score) {
                let cand = Severity::from_score(
                    score,
                    Some(s.score.to_string()),
                    match s.score.split('/').next() {
                        Some("CVSS:3.1") => "CVSS:3.1 vector",
                        Some("CVSS:3.0") => "CVSS:3.0 vector",
                        _ => "CVSS:2.0 vector",
                    },
                );
                if best.as_ref().is_none_or(|b| b.score < cand.score) {
                    best = Some(cand);
                }
            }
        }
        if best.is_some() {
            return best.unwrap_or_else(Severity::unknown);
        }
    }
    for h in words.iter().flatten() {
        match &h.severity {
            Some(Value::String(w)) if Rating::from_word(w) != Rating::Unknown => {
                return Severity {
                    score: None,
                    rating: Rating::from_word(w),
                    vector: None,
                    source: "database_specific severity".into(),
                };
            }
            Some(Value::Number(n)) => {
                if let Some(f) = n.as_f64().filter(|f| (0.0..=10.0).contains(f)) {
                    return Severity::from_score(f, None, "database_specific score");
                }
            }
            _ => {}
        }
    }
    Severity::unknown()
}

/// Turns OSV events into intervals following the schema's evaluation: events sorted by
/// version ("0" first), an introduced opens an interval, fixed/last_affected closes it.
enum Ev<'a> {
    Intro(&'a str),
    Fixed(&'a str),
    Last(&'a str),
}

fn intervals<'a>(events: &'a [OsvEvent<'a>], scheme: Scheme) -> Vec<Range> {
    let mut evs: Vec<Ev<'a>> = Vec::new();
    for e in events {
        if let Some(v) = &e.introduced {
            evs.push(Ev::Intro(v));
        }
        if let Some(v) = &e.fixed {
            evs.push(Ev::Fixed(v));
        }
        if let Some(v) = &e.last_affected {
            evs.push(Ev::Last(v));
        }
        let _ = &e.limit; // limit only bounds git commit walks
    }
    let ver = |e: &Ev<'a>| -> Option<&'a str> {
        match e {
            Ev::Intro(v) | Ev::Fixed(v) | Ev::Last(v) => (*v != "0").then_some(*v),
        }
    };
    // Insertion sort, not slice::sort_by: version orderings of odd strings need not be a
    // strict total order, and the standard sorts may panic when they detect that. The event
    // count is bounded (1000) and usually 2-6.
    let greater = |a: &Ev<'a>, b: &Ev<'a>| match (ver(a), ver(b)) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(x), Some(y)) => compare(scheme, x, y) == Ordering::Greater,
    };
    for i in 1..evs.len() {
        let mut j = i;
        while j > 0 && greater(&evs[j - 1], &evs[j]) {
            evs.swap(j - 1, j);
            j -= 1;
        }
    }
    let mut out = Vec::new();
    let mut open: Option<Option<String>> = None;
    for e in &evs {
        match e {
            Ev::Intro(_) => {
                if open.is_none() {
                    open = Some(ver(e).map(str::to_string));
                }
            }
            Ev::Fixed(v) | Ev::Last(v) => {
                if let Some(intro) = open.take() {
                    out.push(Range {
                        scheme,
                        introduced: intro,
                        introduced_inclusive: true,
                        end: if matches!(e, Ev::Fixed(_)) {
                            RangeEnd::Fixed(v.to_string())
                        } else {
                            RangeEnd::LastAffected(v.to_string())
                        },
                    });
                }
            }
        }
    }
    if let Some(intro) = open {
        out.push(Range {
            scheme,
            introduced: intro,
            introduced_inclusive: true,
            end: RangeEnd::Open,
        });
    }
    out
}

/// The record's place in its file, formatted only when an error needs it.
struct At<'a>(Option<usize>, &'a str);

impl std::fmt::Display for At<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            None => f.write_str(self.1),
            Some(i) => write!(f, "record {i} ({})", self.1),
        }
    }
}

fn convert(
    file: &str,
    origin: &Arc<str>,
    index: Option<usize>,
    r: OsvRecord,
) -> Result<Advisory, VulnError> {
    let place = At(index, &r.id);
    if r.id.trim().is_empty() {
        return Err(VulnError::new(file, place, "record without an id"));
    }
    if r.affected.len() > 10_000 {
        return Err(VulnError::new(
            file,
            place,
            "more than 10000 affected entries",
        ));
    }
    let mut affected = Vec::new();
    let mut aff_sev = Vec::new();
    for (ai, a) in r.affected.iter().enumerate() {
        let Some(p) = &a.package else { continue };
        // Ecosystem and name from the package, or from its purl.
        let (eco_s, pname) = if !p.ecosystem.is_empty() && !p.name.is_empty() {
            (p.ecosystem.clone(), p.name.clone())
        } else if let Some(pu) = p.purl.as_deref().and_then(parse_purl) {
            (
                Cow::Borrowed(Ecosystem::from_purl_type(&pu.ty).as_str_osv()),
                Cow::Owned(pu.name),
            )
        } else {
            return Err(VulnError::new(
                file,
                format_args!("{place}: affected[{ai}].package"),
                "package without ecosystem/name or purl",
            ));
        };
        let eco = Ecosystem::from_osv(&eco_s).unwrap_or(Ecosystem::Generic);
        let release = eco_s
            .split_once(':')
            .map(|(_, r)| r.to_string())
            .filter(|r| !r.is_empty());
        let eco_scheme = scheme_for(eco, &pname);
        let mut ranges = Vec::new();
        for (ri, rg) in a.ranges.iter().enumerate() {
            let scheme = match rg.ty.as_ref() {
                "ECOSYSTEM" => eco_scheme,
                "SEMVER" => Scheme::Generic,
                "GIT" => continue, // commit ranges need the repository; versions list covers them
                other => {
                    return Err(VulnError::new(
                        file,
                        format_args!("{place}: affected[{ai}].ranges[{ri}].type"),
                        format!("unknown range type {other:?}"),
                    ));
                }
            };
            if rg.events.len() > 1000 {
                return Err(VulnError::new(
                    file,
                    format_args!("{place}: affected[{ai}].ranges[{ri}]"),
                    "more than 1000 events",
                ));
            }
            if !rg.events.iter().any(|e| e.introduced.is_some()) {
                return Err(VulnError::new(
                    file,
                    format_args!("{place}: affected[{ai}].ranges[{ri}].events"),
                    "no introduced event",
                ));
            }
            ranges.extend(intervals(&rg.events, scheme));
        }
        let sev = severity(
            &a.severity,
            &[a.ecosystem_specific.as_ref(), a.database_specific.as_ref()],
        );
        aff_sev.push(sev);
        affected.push(Affected {
            key: PackageKey::Package(eco, pname.to_ascii_lowercase()),
            release,
            vendor: None,
            ranges,
            versions: a.versions.iter().take(100_000).cloned().collect(),
            versions_scheme: eco_scheme,
        });
    }
    let mut sev = severity(&r.severity, &[r.database_specific.as_ref()]);
    if sev.rating == Rating::Unknown {
        // Fall back to the highest per-package severity.
        if let Some(s) = aff_sev
            .into_iter()
            .filter(|s| s.rating != Rating::Unknown)
            .max_by(|a, b| {
                a.rating
                    .cmp(&b.rating)
                    .then(a.score.partial_cmp(&b.score).unwrap_or(Ordering::Equal))
            })
        {
            sev = s;
        }
    }
    let published = match r.published.as_deref() {
        None => None,
        Some(p) => Some(parse_date(p).ok_or_else(|| {
            VulnError::new(
                file,
                format_args!("{place}: published"),
                format!("{p:?} is not an RFC 3339 date"),
            )
        })?),
    };
    let mut aliases = r.aliases;
    aliases.truncate(1000);
    Ok(Advisory {
        id: r.id,
        aliases,
        summary: short(r.summary),
        published,
        severity: sev,
        origin: origin.clone(),
        affected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: &str = r#"{
      "id": "DEBIAN-CVE-2022-0778", "aliases": ["CVE-2022-0778"], "published": "2022-03-15T17:15:00Z",
      "summary": "Infinite loop in BN_mod_sqrt()",
      "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}],
      "affected": [{"package": {"ecosystem": "Debian:11", "name": "openssl"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1.1n-0+deb11u1"}]}]}]
    }"#;

    #[test]
    fn parses_and_scores() {
        let a = parse_osv("r.json", REC.as_bytes(), &Limits::default()).expect("parse");
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].severity.score, Some(7.5));
        assert_eq!(a[0].affected[0].release.as_deref(), Some("11"));
        let aff = &a[0].affected[0];
        assert_eq!(
            aff.affects("1.1.1k-1+deb11u1"),
            Some(Some("1.1.1n-0+deb11u1".into()))
        );
        assert_eq!(aff.affects("1.1.1n-0+deb11u1"), None);
    }

    #[test]
    fn unsorted_events_and_last_affected() {
        let ev =
            |i: Option<&'static str>, f: Option<&'static str>, l: Option<&'static str>| OsvEvent {
                introduced: i.map(Into::into),
                fixed: f.map(Into::into),
                last_affected: l.map(Into::into),
                limit: None,
            };
        let evs = [
            ev(None, Some("5.10.102"), None),
            ev(Some("5.8"), None, None),
            ev(Some("5.16"), None, None),
            ev(None, None, Some("5.16.10")),
        ];
        let rs = intervals(&evs, Scheme::Kernel);
        assert_eq!(rs.len(), 2);
        let aff = Affected {
            key: PackageKey::Package(Ecosystem::Linux, "kernel".into()),
            release: None,
            vendor: None,
            ranges: rs,
            versions: vec![],
            versions_scheme: Scheme::Kernel,
        };
        assert!(aff.affects("5.10.101").is_some());
        assert!(aff.affects("5.10.102").is_none());
        assert!(aff.affects("5.4.1").is_none());
        assert_eq!(aff.affects("5.16.10"), Some(None));
        assert!(aff.affects("5.16.11").is_none());
    }

    #[test]
    fn odd_event_versions_never_panic() {
        let junk = [
            "0",
            "",
            "-",
            "~",
            "1.0-rc",
            "1.0rc",
            "1.0.a",
            "a1",
            "1..2",
            "_p",
            "1.0~~",
            "Z",
            "1.0+x",
            "9999999999999999999999",
        ];
        let evs: Vec<OsvEvent> = junk
            .iter()
            .enumerate()
            .map(|(i, v)| OsvEvent {
                introduced: (i % 3 == 0).then_some(Cow::Borrowed(*v)),
                fixed: (i % 3 == 1).then_some(Cow::Borrowed(*v)),
                last_affected: (i % 3 == 2).then_some(Cow::Borrowed(*v)),
                limit: None,
            })
            .collect();
        for scheme in [
            Scheme::Dpkg,
            Scheme::Apk,
            Scheme::Kernel,
            Scheme::OpenSsl,
            Scheme::Generic,
        ] {
            let rs = intervals(&evs, scheme);
            for r in &rs {
                for v in junk {
                    let _ = r.contains(v);
                }
            }
        }
    }

    #[test]
    fn bad_records_name_the_place() {
        let e = parse_osv(
            "x.json",
            b"{\"id\": \"A\",\n \"affected\": 3}",
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.file, "x.json");
        assert!(e.place.starts_with("line "), "{e}");
        let e = parse_osv("x.json", br#"{"id":"A","affected":[{"package":{"ecosystem":"Debian","name":"a"},"ranges":[{"type":"WEIRD","events":[]}]}]}"#, &Limits::default()).unwrap_err();
        assert_eq!(e.place, "A: affected[0].ranges[0].type");
        let e = parse_osv(
            "x.json",
            br#"{"id":"A","published":"yesterday"}"#,
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.place, "A: published");
        let ok = parse_osv(
            "x.json",
            br#"{"id":"A","withdrawn":"2020-01-01T00:00:00Z"}"#,
            &Limits::default(),
        )
        .expect("ok");
        assert!(ok.is_empty());
    }

    #[test]
    fn severity_word_fallback() {
        let a = parse_osv(
            "x",
            br#"{"id":"A","database_specific":{"severity":"HIGH"}}"#,
            &Limits::default(),
        )
        .expect("ok");
        assert_eq!(a[0].severity.rating, Rating::High);
        assert_eq!(a[0].severity.score, None);
    }
}
