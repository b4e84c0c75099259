//! CycloneDX JSON 1.4–1.6 input: `components` (nested, bounded depth) and
//! `metadata.component`'s own sub-components.

use super::{SbomContents, sbom_component};
use crate::error::{Limits, VulnError};
use serde_json::Value;

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|x| !x.trim().is_empty())
}

pub(crate) fn read(file: &str, v: &Value, limits: &Limits) -> Result<SbomContents, VulnError> {
    if v.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
        return Err(VulnError::new(file, "/bomFormat", "expected \"CycloneDX\""));
    }
    let spec = s(v, "specVersion").unwrap_or_default();
    if !matches!(spec.as_str(), "1.2" | "1.3" | "1.4" | "1.5" | "1.6") {
        return Err(VulnError::new(
            file,
            "/specVersion",
            format!("unsupported CycloneDX version {spec:?} (1.2 to 1.6 are read)"),
        ));
    }
    let mut out = SbomContents {
        format: format!("CycloneDX {spec}"),
        components: Vec::new(),
        unversioned: Vec::new(),
    };
    walk(file, v, "", 0, limits, &mut out)?;
    if let Some(m) = v.get("metadata").and_then(|m| m.get("component")) {
        // The described product itself is not installed software; its parts are.
        walk(file, m, "/metadata/component", 0, limits, &mut out)?;
    }
    Ok(out)
}

fn walk(
    file: &str,
    v: &Value,
    base: &str,
    depth: usize,
    limits: &Limits,
    out: &mut SbomContents,
) -> Result<(), VulnError> {
    let Some(list) = v.get("components") else {
        return Ok(());
    };
    let Some(list) = list.as_array() else {
        return Err(VulnError::new(
            file,
            format_args!("{base}/components"),
            "not an array",
        ));
    };
    if depth >= limits.max_depth {
        return Err(VulnError::new(
            file,
            format_args!("{base}/components"),
            format!("components nested deeper than {}", limits.max_depth),
        ));
    }
    for (i, c) in list.iter().enumerate() {
        let ptr = format!("{base}/components/{i}");
        if out.components.len() + out.unversioned.len() >= limits.max_entries {
            return Err(VulnError::new(
                file,
                &ptr,
                format!("more than {} components", limits.max_entries),
            ));
        }
        if !c.is_object() {
            return Err(VulnError::new(file, &ptr, "component is not an object"));
        }
        let name = s(c, "name");
        let version = s(c, "version");
        match (name, version) {
            (Some(n), Some(ver)) => {
                // "group" (a Maven-style namespace) is folded into the purl, not the name.
                out.components.push(sbom_component(
                    file,
                    ptr.clone(),
                    "cyclonedx",
                    &n,
                    &ver,
                    s(c, "purl"),
                    s(c, "cpe"),
                ));
            }
            _ => out.unversioned.push(ptr.clone()),
        }
        walk(file, c, &ptr, depth + 1, limits, out)?;
    }
    Ok(())
}
