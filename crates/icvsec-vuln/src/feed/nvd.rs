//! NVD CVE JSON 2.0 (the shape of the 2.0 API and its yearly feed files):
//! `vulnerabilities[].cve` with `metrics.cvssMetricV31/V30/V2`, `published` and
//! `configurations[].nodes[].cpeMatch[]` (criteria + versionStart/End Including/Excluding).
//! Only `vulnerable: true` matches are used; AND-ed platform conditions ("runs on") are not
//! evaluated, so an application CPE matches whatever it runs on.

use super::{Advisory, Affected, PackageKey, Range, RangeEnd, short};
use crate::component::parse_cpe;
use crate::cvss::{Severity, base_score};
use crate::dates::parse_date;
use crate::error::{Limits, VulnError};
use crate::version::scheme_for_product;
use serde::Deserialize;

#[derive(Deserialize)]
struct NvdFile {
    #[serde(default)]
    format: Option<String>,
    #[serde(default)]
    vulnerabilities: Vec<NvdItem>,
}

#[derive(Deserialize)]
struct NvdItem {
    cve: NvdCve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCve {
    id: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    vuln_status: Option<String>,
    #[serde(default)]
    descriptions: Vec<NvdText>,
    #[serde(default)]
    metrics: NvdMetrics,
    #[serde(default)]
    configurations: Vec<NvdConfig>,
}

#[derive(Deserialize)]
struct NvdText {
    lang: String,
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NvdMetrics {
    #[serde(default)]
    cvss_metric_v31: Vec<NvdCvss>,
    #[serde(default)]
    cvss_metric_v30: Vec<NvdCvss>,
    #[serde(default, rename = "cvssMetricV2")]
    cvss_metric_v2: Vec<NvdCvss>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCvss {
    #[serde(default, rename = "type")]
    ty: Option<String>,
    cvss_data: NvdCvssData,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCvssData {
    #[serde(default)]
    base_score: Option<f64>,
    #[serde(default)]
    vector_string: Option<String>,
}

#[derive(Deserialize)]
struct NvdConfig {
    #[serde(default)]
    nodes: Vec<NvdNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdNode {
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    cpe_match: Vec<NvdCpeMatch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCpeMatch {
    vulnerable: bool,
    criteria: String,
    #[serde(default)]
    version_start_including: Option<String>,
    #[serde(default)]
    version_start_excluding: Option<String>,
    #[serde(default)]
    version_end_including: Option<String>,
    #[serde(default)]
    version_end_excluding: Option<String>,
}

fn severity(m: &NvdMetrics) -> Severity {
    for (list, label) in [
        (&m.cvss_metric_v31, "NVD cvssMetricV31"),
        (&m.cvss_metric_v30, "NVD cvssMetricV30"),
        (&m.cvss_metric_v2, "NVD cvssMetricV2"),
    ] {
        // The NVD's own (Primary) score first, then any other source's.
        let mut sorted: Vec<&NvdCvss> = list.iter().collect();
        sorted.sort_by_key(|c| c.ty.as_deref() != Some("Primary"));
        for c in sorted {
            let score = c
                .cvss_data
                .base_score
                .filter(|s| (0.0..=10.0).contains(s))
                .or_else(|| {
                    c.cvss_data
                        .vector_string
                        .as_deref()
                        .and_then(|v| base_score(v).ok())
                });
            if let Some(s) = score {
                return Severity::from_score(s, c.cvss_data.vector_string.clone(), label);
            }
        }
    }
    Severity::unknown()
}

pub fn parse_nvd(name: &str, bytes: &[u8], limits: &Limits) -> Result<Vec<Advisory>, VulnError> {
    limits.check_size(name, bytes.len())?;
    let f: NvdFile = serde_json::from_slice(bytes).map_err(|e| VulnError::json(name, &e))?;
    if let Some(fmt) = &f.format
        && fmt != "NVD_CVE"
    {
        return Err(VulnError::new(
            name,
            "format",
            format!("expected \"NVD_CVE\", found {fmt:?}"),
        ));
    }
    if f.vulnerabilities.len() > limits.max_feed_records {
        return Err(VulnError::new(
            name,
            "vulnerabilities",
            format!("more than {} records", limits.max_feed_records),
        ));
    }
    let origin: std::sync::Arc<str> = std::sync::Arc::from(name);
    let mut out = Vec::with_capacity(f.vulnerabilities.len());
    for (i, item) in f.vulnerabilities.into_iter().enumerate() {
        let c = item.cve;
        let place = format!("vulnerabilities[{i}] ({})", c.id);
        if c.vuln_status.as_deref() == Some("Rejected") {
            continue;
        }
        let mut affected = Vec::new();
        for (ci, conf) in c.configurations.iter().enumerate() {
            for (ni, node) in conf.nodes.iter().enumerate() {
                if node.negate {
                    continue;
                }
                for (mi, m) in node.cpe_match.iter().enumerate() {
                    if !m.vulnerable {
                        continue;
                    }
                    let Some(cpe) = parse_cpe(&m.criteria) else {
                        return Err(VulnError::new(
                            name,
                            format_args!(
                                "{place}: configurations[{ci}].nodes[{ni}].cpeMatch[{mi}].criteria"
                            ),
                            format!("{:?} is not a CPE 2.3 string", m.criteria),
                        ));
                    };
                    let scheme = scheme_for_product(&cpe.product);
                    let has_range = m.version_start_including.is_some()
                        || m.version_start_excluding.is_some()
                        || m.version_end_including.is_some()
                        || m.version_end_excluding.is_some();
                    let mut ranges = Vec::new();
                    let mut versions = Vec::new();
                    if has_range {
                        let (introduced, incl) =
                            match (&m.version_start_including, &m.version_start_excluding) {
                                (Some(v), _) => (Some(v.clone()), true),
                                (None, Some(v)) => (Some(v.clone()), false),
                                (None, None) => (None, true),
                            };
                        let end = match (&m.version_end_excluding, &m.version_end_including) {
                            (Some(v), _) => RangeEnd::Fixed(v.clone()),
                            (None, Some(v)) => RangeEnd::LastAffected(v.clone()),
                            (None, None) => RangeEnd::Open,
                        };
                        ranges.push(Range {
                            scheme,
                            introduced,
                            introduced_inclusive: incl,
                            end,
                        });
                    } else if cpe.version == "*" {
                        ranges.push(Range {
                            scheme,
                            introduced: None,
                            introduced_inclusive: true,
                            end: RangeEnd::Open,
                        });
                    } else if cpe.version != "-" {
                        // Older entries put OpenSSL's letter in the update field.
                        let v = if cpe.update != "*"
                            && cpe.update != "-"
                            && cpe.update.chars().all(|c| c.is_ascii_lowercase())
                            && cpe.update.len() <= 2
                        {
                            format!("{}{}", cpe.version, cpe.update)
                        } else {
                            cpe.version.clone()
                        };
                        versions.push(v);
                    }
                    affected.push(Affected {
                        key: PackageKey::CpeProduct(cpe.product.clone()),
                        release: None,
                        vendor: Some(cpe.vendor.clone()),
                        ranges,
                        versions,
                        versions_scheme: scheme,
                    });
                    if affected.len() > 100_000 {
                        return Err(VulnError::new(
                            name,
                            &place,
                            "more than 100000 cpeMatch entries",
                        ));
                    }
                }
            }
        }
        let published = match c.published.as_deref() {
            None => None,
            Some(p) => Some(parse_date(p).ok_or_else(|| {
                VulnError::new(
                    name,
                    format_args!("{place}: published"),
                    format!("{p:?} is not a date"),
                )
            })?),
        };
        let summary = c
            .descriptions
            .iter()
            .find(|d| d.lang == "en")
            .map(|d| d.value.clone());
        out.push(Advisory {
            id: c.id.clone(),
            aliases: Vec::new(),
            summary: short(summary),
            published,
            severity: severity(&c.metrics),
            origin: origin.clone(),
            affected,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NVD: &str = r#"{"resultsPerPage":1,"startIndex":0,"totalResults":1,"format":"NVD_CVE","version":"2.0","timestamp":"2026-11-01T00:00:00.000",
     "vulnerabilities":[{"cve":{"id":"CVE-2022-0778","published":"2022-03-15T17:15:08.883","vulnStatus":"Analyzed",
      "descriptions":[{"lang":"en","value":"BN_mod_sqrt() loops forever for non-prime moduli."}],
      "metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary","cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H","baseScore":7.5,"baseSeverity":"HIGH"}}]},
      "configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[
        {"vulnerable":true,"criteria":"cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*","versionStartIncluding":"1.1.1","versionEndExcluding":"1.1.1n","matchCriteriaId":"x"},
        {"vulnerable":true,"criteria":"cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*","versionStartIncluding":"3.0.0","versionEndExcluding":"3.0.2","matchCriteriaId":"y"}]}]}]}}]}"#;

    #[test]
    fn parses_ranges() {
        let a = parse_nvd("nvd.json", NVD.as_bytes(), &Limits::default()).expect("parse");
        assert_eq!(a[0].severity.score, Some(7.5));
        assert_eq!(a[0].published, parse_date("2022-03-15"));
        assert_eq!(a[0].affected.len(), 2);
        assert_eq!(
            a[0].affected[0].affects("1.1.1k"),
            Some(Some("1.1.1n".into()))
        );
        assert!(a[0].affected[0].affects("1.1.1n").is_none());
        assert!(a[0].affected[0].affects("1.0.2u").is_none());
        assert!(a[0].affected[1].affects("3.0.1").is_some());
    }

    #[test]
    fn bad_input() {
        let e = parse_nvd("nvd.json", br#"{"format":"NVD_CVE","vulnerabilities":[{"cve":{"id":"CVE-1","configurations":[{"nodes":[{"cpeMatch":[{"vulnerable":true,"criteria":"nope"}]}]}]}}]}"#, &Limits::default()).unwrap_err();
        assert_eq!(
            e.place,
            "vulnerabilities[0] (CVE-1): configurations[0].nodes[0].cpeMatch[0].criteria"
        );
        let e = parse_nvd(
            "nvd.json",
            b"{\"format\":\"NVD_CVE\",\n\"vulnerabilities\":[{}]}",
            &Limits::default(),
        )
        .unwrap_err();
        assert!(e.place.starts_with("line 2:"), "{e}");
    }
}
