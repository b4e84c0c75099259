//! Role profiles: which sections and fields of an ECU configuration each ECU role must
//! declare (`rules/profiles/roles.toml`). They decide what silence means: a section a
//! rule needs that the ECU's role requires and that is missing is a failing "not
//! declared" finding; a missing section the role does not require is not applicable.
//!
//! Paths are dotted paths of the ECU configuration (`software_update`,
//! `software_update.channel`, `interfaces.usb`). A *section* is a top-level key, or a
//! sub-object of `interfaces` (each interface is declared on its own).

use crate::input::vehicle::EcuRole;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The profile file inside a rules directory.
pub const PROFILES_FILE: &str = "profiles/roles.toml";

/// Top-level keys of an ECU configuration that group sections of their own.
const CONTAINERS: &[&str] = &["interfaces"];

/// The section a field path belongs to: `software_update.channel` → `software_update`,
/// `interfaces.usb.enabled` → `interfaces.usb`.
pub fn section_of(path: &str) -> String {
    let mut segs = path.split('.');
    let first = segs.next().unwrap_or_default();
    match segs.next() {
        Some(second) if CONTAINERS.contains(&first) => format!("{first}.{second}"),
        _ => first.to_string(),
    }
}

/// Every dotted path an ECU configuration can hold (objects are walked, arrays are
/// leaves), from its JSON Schema, so the vocabulary follows the input model.
pub fn ecu_config_paths() -> &'static BTreeSet<String> {
    static PATHS: OnceLock<BTreeSet<String>> = OnceLock::new();
    PATHS.get_or_init(|| {
        let mut out = BTreeSet::new();
        if let Some(schema) = crate::input::schema_for("ecu") {
            walk_schema(&schema, &schema, "", 0, &mut out);
        }
        out
    })
}

/// The object schema behind a property: `$ref`s resolved, nullable `anyOf` unwrapped.
fn resolve<'a>(root: &'a Value, s: &'a Value, depth: usize) -> &'a Value {
    if depth > 8 {
        return s;
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        let target = root
            .get("$defs")
            .and_then(|d| d.get(name))
            .or_else(|| root.get("definitions").and_then(|d| d.get(name)));
        if let Some(t) = target {
            return resolve(root, t, depth + 1);
        }
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(items)) = s.get(key)
            && let Some(obj) = items
                .iter()
                .map(|i| resolve(root, i, depth + 1))
                .find(|i| i.get("properties").is_some())
        {
            return obj;
        }
    }
    s
}

fn walk_schema(root: &Value, s: &Value, prefix: &str, depth: usize, out: &mut BTreeSet<String>) {
    // The ECU schema is three objects deep at most; the bound guards a recursive type.
    if depth > 4 {
        return;
    }
    let s = resolve(root, s, 0);
    if let Some(Value::Object(props)) = s.get("properties") {
        for (name, sub) in props {
            if name == "schema_version" || name == "ecu" {
                continue;
            }
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}.{name}")
            };
            out.insert(path.clone());
            walk_schema(root, sub, &path, depth + 1, out);
        }
    }
}

/// Fields of an object at `path` of the ECU configuration that the schema marks
/// required (`enabled` of `interfaces.usb`), or None when the path is not an object.
pub fn required_fields(path: &str) -> Option<Vec<String>> {
    let schema = crate::input::schema_for("ecu")?;
    let mut s = &schema;
    for seg in path.split('.') {
        s = resolve(&schema, s, 0).get("properties")?.get(seg)?;
    }
    let obj = resolve(&schema, s, 0);
    obj.get("properties")?;
    Some(
        obj.get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// One requirement of a profile: a path, and which profile requires it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Required {
    pub path: String,
    /// `role tbox`, `every role`, or `the gateway function`.
    pub because: String,
}

/// A function an ECU of any role can carry (a gateway function on a zone controller):
/// declaring its marker section brings in the function's requirements and every rule
/// limited to its role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleFunction {
    pub role: EcuRole,
    /// Declaring this section gives the ECU the function (`gateway`).
    pub marker: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleProfiles {
    /// Where the profiles came from (`rules/profiles/roles.toml`), for messages.
    pub file: String,
    /// Paths every ECU must declare, whatever its role.
    pub common: Vec<String>,
    /// Paths per role.
    pub roles: BTreeMap<EcuRole, Vec<String>>,
    pub titles: BTreeMap<EcuRole, String>,
    pub functions: Vec<RoleFunction>,
}

fn missing(fields: &Value, path: &str) -> bool {
    crate::condition::lookup(fields, path).is_none_or(Value::is_null)
}

impl RoleProfiles {
    /// The roles an ECU acts in: its declared role, plus the role of every function
    /// whose marker section it declares (sorted, no duplicates).
    pub fn effective_roles(&self, role: EcuRole, fields: &Value) -> Vec<EcuRole> {
        let mut out = vec![role];
        for f in &self.functions {
            if !missing(fields, &f.marker) && !out.contains(&f.role) {
                out.push(f.role);
            }
        }
        out.sort();
        out
    }

    /// What an ECU of this role (with these fields) must declare, with why.
    pub fn required(&self, role: EcuRole, fields: &Value) -> Vec<Required> {
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        for p in &self.common {
            out.entry(p.clone()).or_insert_with(|| "every role".into());
        }
        for r in self.effective_roles(role, fields) {
            let because = if r == role {
                format!("role {}", r.as_str())
            } else {
                format!("the {} function", r.as_str())
            };
            for p in self.roles.get(&r).into_iter().flatten() {
                out.entry(p.clone()).or_insert_with(|| because.clone());
            }
        }
        out.into_iter()
            .map(|(path, because)| Required { path, because })
            .collect()
    }

    /// Paths a role requires by its profile alone (common ones included), sorted.
    pub fn paths_for(&self, role: EcuRole) -> Vec<String> {
        let mut out: BTreeSet<String> = self.common.iter().cloned().collect();
        out.extend(self.roles.get(&role).into_iter().flatten().cloned());
        out.into_iter().collect()
    }

    /// The declaration gate of a rule over one ECU. `needs` are the paths the rule reads
    /// (its `when`, its condition and its declared `needs`).
    pub fn gate(&self, role: EcuRole, fields: &Value, needs: &[&str]) -> Gate {
        let sections: BTreeSet<String> = needs.iter().map(|p| section_of(p)).collect();
        if sections.is_empty() {
            return Gate::Declared;
        }
        let required = self.required(role, fields);
        let mut absent: Vec<Required> = Vec::new();
        for r in &required {
            let sec = section_of(&r.path);
            if !sections.contains(&sec) || !missing(fields, &r.path) {
                continue;
            }
            // A missing section is one finding, not one per field it should hold.
            let section_reported =
                r.path != sec && required.iter().any(|q| q.path == sec) && missing(fields, &sec);
            if !section_reported {
                absent.push(r.clone());
            }
        }
        if !absent.is_empty() {
            return Gate::NotDeclared(absent);
        }
        let optional: Vec<String> = sections
            .into_iter()
            .filter(|s| missing(fields, s))
            .collect();
        if optional.is_empty() {
            Gate::Declared
        } else {
            Gate::NotRequired(optional)
        }
    }
}

/// What a rule may do with one ECU before judging it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Everything the rule needs is declared (or nothing is needed): judge it.
    Declared,
    /// Paths the role requires are missing: each is a failing "not declared" finding.
    NotDeclared(Vec<Required>),
    /// Sections the rule needs are missing and the role does not require them: n/a.
    NotRequired(Vec<String>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn profiles() -> RoleProfiles {
        RoleProfiles {
            file: "rules/profiles/roles.toml".into(),
            common: vec!["secure_boot".into()],
            roles: BTreeMap::from([
                (
                    EcuRole::Tbox,
                    vec![
                        "software_update".into(),
                        "software_update.channel".into(),
                        "interfaces.cellular".into(),
                    ],
                ),
                (EcuRole::Gateway, vec!["gateway.rate_limiting".into()]),
            ]),
            titles: BTreeMap::new(),
            functions: vec![RoleFunction {
                role: EcuRole::Gateway,
                marker: "gateway".into(),
            }],
        }
    }

    #[test]
    fn sections_and_vocabulary() {
        assert_eq!(section_of("software_update.channel"), "software_update");
        assert_eq!(section_of("interfaces.usb.enabled"), "interfaces.usb");
        assert_eq!(section_of("interfaces"), "interfaces");
        let v = ecu_config_paths();
        for p in [
            "software_update",
            "software_update.channel",
            "interfaces.usb.enabled",
            "diagnostics.security_access.seed_length_bytes",
            "gateway.rate_limiting",
            "tls_profiles",
        ] {
            assert!(v.contains(p), "{p} missing from {v:?}");
        }
        assert!(!v.contains("software_updates"));
        assert_eq!(
            required_fields("interfaces.usb"),
            Some(vec!["enabled".to_string()])
        );
        assert_eq!(required_fields("software_update"), Some(vec![]));
        assert_eq!(required_fields("tls_profiles"), None);
    }

    #[test]
    fn gate_fails_required_and_skips_optional() {
        let p = profiles();
        // T-Box without software_update: the section is one finding, not two.
        let g = p.gate(EcuRole::Tbox, &json!({}), &["software_update.channel"]);
        match g {
            Gate::NotDeclared(v) => {
                assert_eq!(v.len(), 1);
                assert_eq!(v[0].path, "software_update");
                assert_eq!(v[0].because, "role tbox");
            }
            other => panic!("{other:?}"),
        }
        // Section present, required field missing.
        let g = p.gate(
            EcuRole::Tbox,
            &json!({"software_update": {"signature_verification": true}}),
            &["software_update.signature_verification"],
        );
        assert!(
            matches!(&g, Gate::NotDeclared(v) if v[0].path == "software_update.channel"),
            "{g:?}"
        );
        // null is "not declared".
        let g = p.gate(
            EcuRole::Tbox,
            &json!({"software_update": null}),
            &["software_update.channel"],
        );
        assert!(matches!(g, Gate::NotDeclared(_)));
        // A BMS does not require software_update: n/a.
        let g = p.gate(EcuRole::Bms, &json!({}), &["software_update.channel"]);
        assert_eq!(g, Gate::NotRequired(vec!["software_update".into()]));
        // Declared: judged.
        let g = p.gate(
            EcuRole::Bms,
            &json!({"software_update": {"channel": "none"}}),
            &["software_update.channel"],
        );
        assert_eq!(g, Gate::Declared);
        // Every role needs secure_boot.
        let g = p.gate(EcuRole::Bms, &json!({}), &["secure_boot.enabled"]);
        assert!(matches!(&g, Gate::NotDeclared(v) if v[0].because == "every role"));
    }

    #[test]
    fn gateway_function_on_any_role() {
        let p = profiles();
        let zc = json!({"gateway": {"default_action": "deny", "routes": []}});
        assert_eq!(
            p.effective_roles(EcuRole::Body, &zc),
            vec![EcuRole::Gateway, EcuRole::Body]
        );
        let g = p.gate(EcuRole::Body, &zc, &["gateway.rate_limiting"]);
        assert!(
            matches!(&g, Gate::NotDeclared(v) if v[0].because == "the gateway function"),
            "{g:?}"
        );
        assert_eq!(
            p.effective_roles(EcuRole::Body, &json!({})),
            vec![EcuRole::Body]
        );
    }
}
