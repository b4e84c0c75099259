//! VEX: OpenVEX (v0.0.1 and v0.2.0 shapes) and CycloneDX VEX (`vulnerabilities[].analysis`),
//! read into one statement model and validated. A statement settles a match when its status
//! is not_affected (with a justification), fixed/resolved or false_positive, it names the
//! vulnerability (id or alias) and one of its products is the component.

use crate::component::{Component, EcuInventory, Place, SourceRef, parse_cpe, parse_purl};
use crate::error::{Limits, VulnError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
    FalsePositive,
}

/// A product a statement is about, optionally scoped to one ECU.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VexProduct {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecu: Option<String>,
    /// A purl, a CPE, or a plain `name` / `name@version`.
    pub product: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexStatement {
    pub vuln_id: String,
    pub aliases: Vec<String>,
    pub products: Vec<VexProduct>,
    pub status: VexStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// "openvex" or "cyclonedx".
    pub format: String,
    /// The file and JSON pointer of the statement.
    pub source: SourceRef,
    /// False when validation found a problem with this statement; such a statement never
    /// settles a match.
    pub valid: bool,
}

impl VexStatement {
    /// Whether the status closes a match (and the statement is valid).
    pub fn settles(&self) -> bool {
        self.valid
            && matches!(
                self.status,
                VexStatus::NotAffected | VexStatus::Fixed | VexStatus::FalsePositive
            )
    }

    pub fn names_vuln(&self, id: &str, aliases: &[String]) -> bool {
        let mine = std::iter::once(&self.vuln_id).chain(self.aliases.iter());
        let theirs: Vec<&str> = std::iter::once(id)
            .chain(aliases.iter().map(String::as_str))
            .collect();
        mine.into_iter()
            .any(|m| theirs.iter().any(|t| t.eq_ignore_ascii_case(m)))
    }

    pub fn covers(&self, ecu: &str, c: &Component) -> bool {
        self.products
            .iter()
            .any(|p| p.ecu.as_deref().is_none_or(|e| e == ecu) && product_matches(&p.product, c))
    }
}

/// Whether a product reference denotes this component: a purl by name (or source package)
/// and, when it has one, version; a CPE by product and version; else `name[@version]`.
pub fn product_matches(product: &str, c: &Component) -> bool {
    let name_ok = |n: &str| {
        n.eq_ignore_ascii_case(&c.name)
            || c.source_package
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(n))
    };
    if let Some(i) = product.find("pkg:") {
        let Some(p) = parse_purl(&product[i..]) else {
            return false;
        };
        let comp_purl_name = c.purl.as_deref().and_then(parse_purl).map(|q| q.name);
        let n_ok =
            name_ok(&p.name) || comp_purl_name.is_some_and(|n| n.eq_ignore_ascii_case(&p.name));
        return n_ok && p.version.as_deref().is_none_or(|v| v == c.version);
    }
    if product.starts_with("cpe:") {
        let (Some(p), Some(q)) = (parse_cpe(product), c.cpe.as_deref().and_then(parse_cpe)) else {
            return false;
        };
        return p.product == q.product
            && (p.vendor == "*" || q.vendor == "*" || p.vendor == q.vendor)
            && (p.version == "*" || p.version == q.version);
    }
    match product.rsplit_once('@') {
        Some((n, v)) if !n.is_empty() => name_ok(n) && v == c.version,
        _ => name_ok(product),
    }
}

/// A VEX file read: its statements and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VexDocument {
    pub file: String,
    pub statements: Vec<VexStatement>,
    pub problems: Vec<VulnError>,
}

const OPENVEX_JUSTIFICATIONS: &[&str] = &[
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

const CDX_JUSTIFICATIONS: &[&str] = &[
    "code_not_present",
    "code_not_reachable",
    "requires_configuration",
    "requires_dependency",
    "requires_environment",
    "protected_by_compiler",
    "protected_at_runtime",
    "protected_at_perimeter",
    "protected_by_mitigating_control",
];

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|x| !x.trim().is_empty())
}

/// Reads an OpenVEX or CycloneDX VEX document. Syntax errors and a wrong shape are errors;
/// questionable statements are kept as `problems` (and marked invalid).
pub fn parse_vex(file: &str, bytes: &[u8], limits: &Limits) -> Result<VexDocument, VulnError> {
    limits.check_size(file, bytes.len())?;
    let v: Value = serde_json::from_slice(bytes).map_err(|e| VulnError::json(file, &e))?;
    if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
        parse_cyclonedx_vex(file, &v, limits)
    } else if v.get("statements").is_some()
        || v.get("@context")
            .and_then(Value::as_str)
            .is_some_and(|c| c.contains("openvex"))
    {
        parse_openvex(file, &v, limits)
    } else {
        Err(VulnError::new(
            file,
            "top level",
            "neither an OpenVEX document (statements) nor a CycloneDX BOM (bomFormat)",
        ))
    }
}

fn src(file: &str, ptr: String, _fmt: &str) -> SourceRef {
    SourceRef {
        file: file.to_string(),
        place: Place::Pointer(ptr),
        method: "vex".into(),
    }
}

fn openvex_product(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(_) => s(v, "@id").or_else(|| {
            v.get("identifiers")
                .and_then(|i| s(i, "purl").or_else(|| s(i, "cpe23")))
        }),
        _ => None,
    }
}

fn parse_openvex(file: &str, v: &Value, limits: &Limits) -> Result<VexDocument, VulnError> {
    let Some(stmts) = v.get("statements").and_then(Value::as_array) else {
        return Err(VulnError::new(
            file,
            "/statements",
            "missing or not an array",
        ));
    };
    if stmts.len() > limits.max_entries {
        return Err(VulnError::new(
            file,
            "/statements",
            format!("more than {} statements", limits.max_entries),
        ));
    }
    let mut doc = VexDocument {
        file: file.to_string(),
        ..VexDocument::default()
    };
    for (i, st) in stmts.iter().enumerate() {
        let ptr = format!("/statements/{i}");
        let mut problems = Vec::new();
        let (vuln_id, mut aliases) = match st.get("vulnerability") {
            Some(Value::String(id)) => (id.clone(), Vec::new()),
            Some(o @ Value::Object(_)) => (
                s(o, "name").or_else(|| s(o, "@id")).unwrap_or_default(),
                o.get("aliases")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .take(100)
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => (String::new(), Vec::new()),
        };
        if let Some(id) = s(st, "vuln_id") {
            aliases.push(id);
        }
        if vuln_id.is_empty() {
            problems.push(VulnError::new(
                file,
                format_args!("{ptr}/vulnerability"),
                "statement names no vulnerability",
            ));
        }
        let mut products = Vec::new();
        for (pi, p) in st
            .get("products")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .take(10_000)
        {
            let Some(top) = openvex_product(p) else {
                problems.push(VulnError::new(
                    file,
                    format_args!("{ptr}/products/{pi}"),
                    "product without an @id",
                ));
                continue;
            };
            let subs: Vec<String> = p
                .get("subcomponents")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(openvex_product)
                .take(10_000)
                .collect();
            if subs.is_empty() {
                products.push(VexProduct {
                    ecu: None,
                    product: top,
                });
            } else {
                // The product is the ECU (or image) and the subcomponents are the packages.
                for sub in subs {
                    products.push(VexProduct {
                        ecu: Some(top.clone()),
                        product: sub,
                    });
                }
            }
        }
        if products.is_empty() {
            problems.push(VulnError::new(
                file,
                format_args!("{ptr}/products"),
                "statement names no product",
            ));
        }
        let status_s = s(st, "status").unwrap_or_default();
        let status = match status_s.as_str() {
            "not_affected" => VexStatus::NotAffected,
            "affected" => VexStatus::Affected,
            "fixed" => VexStatus::Fixed,
            "under_investigation" => VexStatus::UnderInvestigation,
            other => {
                problems.push(VulnError::new(
                    file,
                    format_args!("{ptr}/status"),
                    format!("unknown status {other:?}"),
                ));
                VexStatus::UnderInvestigation
            }
        };
        let justification = s(st, "justification");
        if status == VexStatus::NotAffected {
            match &justification {
                None => problems.push(VulnError::new(
                    file,
                    format_args!("{ptr}/justification"),
                    "not_affected without a justification",
                )),
                Some(j) if !OPENVEX_JUSTIFICATIONS.contains(&j.as_str()) => {
                    problems.push(VulnError::new(
                        file,
                        format_args!("{ptr}/justification"),
                        format!("unknown justification {j:?}"),
                    ))
                }
                _ => {}
            }
        }
        if status == VexStatus::Affected && s(st, "action_statement").is_none() {
            problems.push(VulnError::new(
                file,
                format_args!("{ptr}/action_statement"),
                "affected without an action_statement",
            ));
        }
        let valid = problems.is_empty();
        doc.problems.extend(problems);
        doc.statements.push(VexStatement {
            vuln_id,
            aliases,
            products,
            status,
            justification,
            detail: s(st, "impact_statement").or_else(|| s(st, "status_notes")),
            format: "openvex".into(),
            source: src(file, ptr, "openvex"),
            valid,
        });
    }
    Ok(doc)
}

/// bom-ref -> purl (or name@version) of the document's own components, nesting bounded.
fn collect_refs(v: &Value, depth: usize, limits: &Limits, out: &mut Vec<(String, String)>) -> bool {
    if depth > limits.max_depth {
        return false;
    }
    for c in v
        .get("components")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if out.len() >= limits.max_entries {
            return false;
        }
        if let Some(r) = s(c, "bom-ref") {
            let prod =
                s(c, "purl")
                    .or_else(|| s(c, "cpe"))
                    .unwrap_or_else(|| match s(c, "version") {
                        Some(ver) => format!("{}@{ver}", s(c, "name").unwrap_or_default()),
                        None => s(c, "name").unwrap_or_default(),
                    });
            out.push((r, prod));
        }
        if !collect_refs(c, depth + 1, limits, out) {
            return false;
        }
    }
    true
}

/// Resolves a CycloneDX affects ref: a bom-ref of this document, or (also inside a
/// `urn:cdx:...#frag` BOM-link) `[ecu:]purl`.
fn resolve_ref(r: &str, refs: &[(String, String)]) -> Option<VexProduct> {
    let frag = r.rsplit_once('#').map(|(_, f)| f).unwrap_or(r);
    if let Some((_, prod)) = refs.iter().find(|(k, _)| k == r || k == frag) {
        return Some(split_ecu(prod));
    }
    if frag.contains("pkg:") || frag.starts_with("cpe:") {
        return Some(split_ecu(frag));
    }
    None
}

/// "tbox:pkg:deb/..." -> ecu tbox, product purl (the bom-refs icvsec writes).
fn split_ecu(s: &str) -> VexProduct {
    match s.find(":pkg:") {
        Some(i) if i > 0 && !s[..i].contains('/') && !s[..i].contains(':') => VexProduct {
            ecu: Some(s[..i].to_string()),
            product: s[i + 1..].to_string(),
        },
        _ => VexProduct {
            ecu: None,
            product: s.to_string(),
        },
    }
}

fn parse_cyclonedx_vex(file: &str, v: &Value, limits: &Limits) -> Result<VexDocument, VulnError> {
    let Some(vulns) = v.get("vulnerabilities").and_then(Value::as_array) else {
        return Err(VulnError::new(
            file,
            "/vulnerabilities",
            "a CycloneDX VEX needs a vulnerabilities array",
        ));
    };
    if vulns.len() > limits.max_entries {
        return Err(VulnError::new(
            file,
            "/vulnerabilities",
            format!("more than {} entries", limits.max_entries),
        ));
    }
    let mut refs = Vec::new();
    if !collect_refs(v, 0, limits, &mut refs) {
        return Err(VulnError::new(
            file,
            "/components",
            format!(
                "components nested deeper than {} or more than {}",
                limits.max_depth, limits.max_entries
            ),
        ));
    }
    if let Some(m) = v.get("metadata").and_then(|m| m.get("component")) {
        let wrapper = serde_json::json!({ "components": [m] });
        collect_refs(&wrapper, 0, limits, &mut refs);
    }
    let mut doc = VexDocument {
        file: file.to_string(),
        ..VexDocument::default()
    };
    for (i, vu) in vulns.iter().enumerate() {
        let ptr = format!("/vulnerabilities/{i}");
        let mut problems = Vec::new();
        let vuln_id = s(vu, "id").unwrap_or_default();
        if vuln_id.is_empty() {
            problems.push(VulnError::new(
                file,
                format_args!("{ptr}/id"),
                "vulnerability without an id",
            ));
        }
        let aliases: Vec<String> = vu
            .get("references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| s(r, "id"))
            .take(100)
            .collect();
        let Some(analysis) = vu.get("analysis") else {
            // A plain vulnerability listing (an SBOM with findings) is not a VEX statement.
            continue;
        };
        let state = s(analysis, "state").unwrap_or_default();
        let status = match state.as_str() {
            "not_affected" => VexStatus::NotAffected,
            "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
            "false_positive" => VexStatus::FalsePositive,
            "exploitable" => VexStatus::Affected,
            "in_triage" => VexStatus::UnderInvestigation,
            other => {
                problems.push(VulnError::new(
                    file,
                    format_args!("{ptr}/analysis/state"),
                    format!("unknown or missing state {other:?}"),
                ));
                VexStatus::UnderInvestigation
            }
        };
        let justification = s(analysis, "justification");
        if status == VexStatus::NotAffected {
            match &justification {
                None => problems.push(VulnError::new(
                    file,
                    format_args!("{ptr}/analysis/justification"),
                    "not_affected without a justification",
                )),
                Some(j) if !CDX_JUSTIFICATIONS.contains(&j.as_str()) => {
                    problems.push(VulnError::new(
                        file,
                        format_args!("{ptr}/analysis/justification"),
                        format!("unknown justification {j:?}"),
                    ))
                }
                _ => {}
            }
        }
        let mut products = Vec::new();
        for (ai, a) in vu
            .get("affects")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .take(10_000)
        {
            let r = s(a, "ref").unwrap_or_default();
            match resolve_ref(&r, &refs) {
                Some(p) => products.push(p),
                None => problems.push(VulnError::new(
                    file,
                    format_args!("{ptr}/affects/{ai}/ref"),
                    format!("ref {r:?} is neither a bom-ref of this document nor a purl"),
                )),
            }
        }
        if products.is_empty() && !problems.iter().any(|p| p.place.contains("/affects/")) {
            problems.push(VulnError::new(
                file,
                format_args!("{ptr}/affects"),
                "statement names no affected component",
            ));
        }
        let valid = problems.is_empty();
        doc.problems.extend(problems);
        doc.statements.push(VexStatement {
            vuln_id,
            aliases,
            products,
            status,
            justification,
            detail: s(analysis, "detail"),
            format: "cyclonedx".into(),
            source: src(file, ptr, "cyclonedx"),
            valid,
        });
    }
    Ok(doc)
}

impl VexDocument {
    /// Product references that name no component of the inventory (or an ECU that is not
    /// in it): each is a problem, since the statement silences nothing and is probably stale
    /// or mistyped.
    pub fn unknown_products(&self, inventory: &[EcuInventory]) -> Vec<VulnError> {
        let mut out = Vec::new();
        for st in &self.statements {
            for p in &st.products {
                let ecus: Vec<&EcuInventory> = inventory
                    .iter()
                    .filter(|e| p.ecu.as_deref().is_none_or(|n| n == e.ecu))
                    .collect();
                if ecus.is_empty() {
                    out.push(VulnError::new(
                        &self.file,
                        st.source.place.to_string(),
                        format!(
                            "product scope {:?} is not an ECU of the inventory",
                            p.ecu.as_deref().unwrap_or("")
                        ),
                    ));
                    continue;
                }
                if !ecus
                    .iter()
                    .any(|e| e.components().any(|c| product_matches(&p.product, c)))
                {
                    out.push(VulnError::new(
                        &self.file,
                        st.source.place.to_string(),
                        format!(
                            "product {:?} matches no component of the inventory",
                            p.product
                        ),
                    ));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::Ecosystem;

    fn comp() -> Component {
        let mut c = Component::new(
            "busybox",
            "1.33.1",
            Ecosystem::Generic,
            SourceRef {
                file: "f".into(),
                place: Place::Line(1),
                method: "m".into(),
            },
        );
        c.purl = Some("pkg:generic/busybox@1.33.1".into());
        c
    }

    #[test]
    fn openvex_statements_and_problems() {
        let doc = br#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"oem","timestamp":"2026-01-01T00:00:00Z","version":1,
          "statements":[
            {"vulnerability":{"name":"CVE-2022-28391"},"products":[{"@id":"tbox","subcomponents":[{"@id":"pkg:generic/busybox@1.33.1"}]}],"status":"not_affected","justification":"vulnerable_code_not_in_execute_path"},
            {"vulnerability":"CVE-1","products":["pkg:generic/busybox"],"status":"not_affected"},
            {"vulnerability":{"name":"CVE-2"},"products":[],"status":"maybe"}]}"#;
        let d = parse_vex("v.json", doc, &Limits::default()).expect("parse");
        assert_eq!(d.statements.len(), 3);
        assert!(d.statements[0].settles());
        assert!(d.statements[0].covers("tbox", &comp()));
        assert!(!d.statements[0].covers("ivi", &comp()));
        assert!(!d.statements[1].settles());
        let places: Vec<&str> = d.problems.iter().map(|p| p.place.as_str()).collect();
        assert_eq!(
            places,
            [
                "/statements/1/justification",
                "/statements/2/products",
                "/statements/2/status"
            ]
        );
    }

    #[test]
    fn cyclonedx_refs() {
        let doc = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"bom-ref":"bb","name":"busybox","version":"1.33.1","purl":"pkg:generic/busybox@1.33.1"}],
          "vulnerabilities":[
            {"id":"CVE-2022-28391","analysis":{"state":"not_affected","justification":"code_not_reachable"},"affects":[{"ref":"bb"}]},
            {"id":"CVE-3","analysis":{"state":"resolved"},"affects":[{"ref":"urn:cdx:1234/1#tbox:pkg:generic/busybox@1.33.1"}]},
            {"id":"CVE-4","analysis":{"state":"false_positive"},"affects":[{"ref":"nothing-here"}]}]}"#;
        let d = parse_vex("c.json", doc, &Limits::default()).expect("parse");
        assert!(d.statements[0].settles() && d.statements[0].covers("any", &comp()));
        assert_eq!(d.statements[1].products[0].ecu.as_deref(), Some("tbox"));
        assert!(d.statements[1].covers("tbox", &comp()));
        assert!(!d.statements[2].valid);
        assert_eq!(d.problems[0].place, "/vulnerabilities/2/affects/0/ref");
    }

    #[test]
    fn product_forms() {
        let c = comp();
        assert!(product_matches("busybox", &c));
        assert!(product_matches("busybox@1.33.1", &c));
        assert!(!product_matches("busybox@1.35.0", &c));
        assert!(!product_matches("pkg:generic/busybox@1.35.0", &c));
        assert!(!product_matches("pkg:", &c));
    }

    #[test]
    fn not_vex() {
        assert!(parse_vex("x", b"{}", &Limits::default()).is_err());
        assert!(
            parse_vex("x", b"{", &Limits::default())
                .unwrap_err()
                .place
                .starts_with("line 1:")
        );
    }
}
