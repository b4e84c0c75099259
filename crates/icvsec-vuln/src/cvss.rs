//! CVSS base scores computed from the vector (feeds often carry only the vector) and the
//! qualitative rating. v3.0 and v3.1 follow the FIRST specification formulas; v2 the v2
//! guide. v4.0 vectors need the specification's macro-vector table and are not computed:
//! the caller falls back to another score in the record.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The CVSS v3 qualitative rating (also used for v2 scores and feed severity words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rating {
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Rating {
    pub fn from_score(score: f64) -> Rating {
        if score <= 0.0 {
            Rating::None
        } else if score < 4.0 {
            Rating::Low
        } else if score < 7.0 {
            Rating::Medium
        } else if score < 9.0 {
            Rating::High
        } else {
            Rating::Critical
        }
    }

    /// A severity word as feeds write it ("HIGH", "moderate", "important").
    pub fn from_word(w: &str) -> Rating {
        match w.trim().to_ascii_lowercase().as_str() {
            "critical" => Rating::Critical,
            "high" | "important" => Rating::High,
            "medium" | "moderate" => Rating::Medium,
            "low" | "negligible" | "unimportant" => Rating::Low,
            "none" => Rating::None,
            _ => Rating::Unknown,
        }
    }
}

/// The severity of an advisory: a score when one is known, its rating, and where it came
/// from ("CVSS:3.1 vector", "NVD cvssMetricV31", "database_specific").
#[derive(Debug, Clone, PartialEq, PartialOrd, Serialize, Deserialize)]
pub struct Severity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub rating: Rating,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
    pub source: Cow<'static, str>,
}

impl Severity {
    pub fn unknown() -> Severity {
        Severity {
            score: None,
            rating: Rating::Unknown,
            vector: None,
            source: Cow::Borrowed("none"),
        }
    }

    pub fn from_score(
        score: f64,
        vector: Option<String>,
        source: impl Into<Cow<'static, str>>,
    ) -> Severity {
        Severity {
            score: Some(score),
            rating: Rating::from_score(score),
            vector,
            source: source.into(),
        }
    }
}

fn metrics(vector: &str, prefix_ok: bool) -> Result<Vec<(&str, &str)>, String> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for (i, part) in vector.trim().split('/').enumerate() {
        if i == 0 && prefix_ok && part.starts_with("CVSS:") {
            continue;
        }
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| format!("metric {part:?} has no ':'"))?;
        if out.iter().any(|(ok, _)| *ok == k) {
            return Err(format!("metric {k} given twice"));
        }
        out.push((k, v));
        if out.len() > 40 {
            return Err("too many metrics".to_string());
        }
    }
    Ok(out)
}

fn get<'a>(m: &[(&str, &'a str)], k: &str) -> Result<&'a str, String> {
    m.iter()
        .find(|(mk, _)| *mk == k)
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("base metric {k} missing"))
}

fn bad(k: &str, v: &str) -> String {
    format!("metric {k} has invalid value {v:?}")
}

/// CVSS 3.1 Roundup (avoids floating point artefacts).
fn roundup31(x: f64) -> f64 {
    let i = (x * 100_000.0).round() as i64;
    if i % 10_000 == 0 {
        i as f64 / 100_000.0
    } else {
        ((i / 10_000) + 1) as f64 / 10.0
    }
}

/// Base score of a `CVSS:3.0/...` or `CVSS:3.1/...` vector.
pub fn cvss3_base_score(vector: &str) -> Result<f64, String> {
    let v31 = vector.starts_with("CVSS:3.1/");
    if !v31 && !vector.starts_with("CVSS:3.0/") {
        return Err("not a CVSS v3 vector (expected a CVSS:3.0/ or CVSS:3.1/ prefix)".into());
    }
    let m = metrics(vector, true)?;
    let av = match get(&m, "AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        v => return Err(bad("AV", v)),
    };
    let ac = match get(&m, "AC")? {
        "L" => 0.77,
        "H" => 0.44,
        v => return Err(bad("AC", v)),
    };
    let changed = match get(&m, "S")? {
        "U" => false,
        "C" => true,
        v => return Err(bad("S", v)),
    };
    let pr = match (get(&m, "PR")?, changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        (v, _) => return Err(bad("PR", v)),
    };
    let ui = match get(&m, "UI")? {
        "N" => 0.85,
        "R" => 0.62,
        v => return Err(bad("UI", v)),
    };
    let cia = |k: &str| -> Result<f64, String> {
        match get(&m, k)? {
            "H" => Ok(0.56),
            "L" => Ok(0.22),
            "N" => Ok(0.0),
            v => Err(bad(k, v)),
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let expl = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Ok(0.0);
    }
    let raw = if changed {
        (1.08 * (impact + expl)).min(10.0)
    } else {
        (impact + expl).min(10.0)
    };
    Ok(if v31 {
        roundup31(raw)
    } else {
        (raw * 10.0).ceil() / 10.0
    })
}

/// Base score of a CVSS v2 vector (`AV:N/AC:L/Au:N/C:P/I:P/A:P`, optional `(...)`).
pub fn cvss2_base_score(vector: &str) -> Result<f64, String> {
    let v = vector.trim().trim_start_matches('(').trim_end_matches(')');
    let v = v.strip_prefix("CVSS:2.0/").unwrap_or(v);
    let m = metrics(v, false)?;
    let av = match get(&m, "AV")? {
        "L" => 0.395,
        "A" => 0.646,
        "N" => 1.0,
        v => return Err(bad("AV", v)),
    };
    let ac = match get(&m, "AC")? {
        "H" => 0.35,
        "M" => 0.61,
        "L" => 0.71,
        v => return Err(bad("AC", v)),
    };
    let au = match get(&m, "Au")? {
        "M" => 0.45,
        "S" => 0.56,
        "N" => 0.704,
        v => return Err(bad("Au", v)),
    };
    let cia = |k: &str| -> Result<f64, String> {
        match get(&m, k)? {
            "N" => Ok(0.0),
            "P" => Ok(0.275),
            "C" => Ok(0.660),
            v => Err(bad(k, v)),
        }
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let impact = 10.41 * (1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a));
    let expl = 20.0 * av * ac * au;
    let f = if impact == 0.0 { 0.0 } else { 1.176 };
    let s = ((0.6 * impact) + (0.4 * expl) - 1.5) * f;
    Ok((s * 10.0).round() / 10.0)
}

/// Scores any supported vector: v3.x or v2. v4.0 is an error (not computed here).
pub fn base_score(vector: &str) -> Result<f64, String> {
    let v = vector.trim();
    if v.starts_with("CVSS:3.") {
        cvss3_base_score(v)
    } else if v.starts_with("CVSS:4") {
        Err(
            "CVSS v4.0 vectors are not scored by icvsec (use the record's v3 vector or severity)"
                .into(),
        )
    } else {
        cvss2_base_score(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v31_known_scores() {
        // Scores as published by NVD for these vectors.
        let cases = [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5), // CVE-2022-0778
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8), // CVE-2022-0847
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:N/E:P/RL:O", 1.9),
        ];
        for (v, s) in cases {
            assert_eq!(cvss3_base_score(v), Ok(s), "{v}");
        }
    }

    #[test]
    fn v2_known_scores() {
        assert_eq!(cvss2_base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), Ok(7.5));
        assert_eq!(cvss2_base_score("AV:N/AC:L/Au:N/C:N/I:N/A:P"), Ok(5.0));
        assert_eq!(cvss2_base_score("(AV:N/AC:L/Au:N/C:C/I:C/A:C)"), Ok(10.0));
    }

    #[test]
    fn bad_vectors_are_errors() {
        for v in [
            "CVSS:3.1/AV:N",
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "CVSS:3.1/garbage",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "",
        ] {
            assert!(base_score(v).is_err(), "{v}");
        }
    }

    #[test]
    fn ratings() {
        assert_eq!(Rating::from_score(7.0), Rating::High);
        assert_eq!(Rating::from_score(6.9), Rating::Medium);
        assert_eq!(Rating::from_score(9.0), Rating::Critical);
        assert_eq!(Rating::from_score(0.0), Rating::None);
        assert_eq!(Rating::from_word("MODERATE"), Rating::Medium);
        assert_eq!(Rating::from_word("weird"), Rating::Unknown);
    }
}
