//! SPDX 2.2/2.3 JSON input (`packages[]` with `versionInfo` and `externalRefs` purl/cpe23Type),
//! as written by Yocto's create-spdx (one document per recipe/package; call once per file
//! and merge into an EcuInventory).

use super::{SbomContents, sbom_component};
use crate::error::{Limits, VulnError};
use serde_json::Value;

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::to_string)
        .filter(|x| !x.trim().is_empty() && x != "NOASSERTION")
}

pub(crate) fn read(file: &str, v: &Value, limits: &Limits) -> Result<SbomContents, VulnError> {
    let ver = s(v, "spdxVersion").unwrap_or_default();
    if !matches!(ver.as_str(), "SPDX-2.2" | "SPDX-2.3") {
        return Err(VulnError::new(
            file,
            "/spdxVersion",
            format!("unsupported SPDX version {ver:?} (SPDX-2.2 and SPDX-2.3 JSON are read)"),
        ));
    }
    let mut out = SbomContents {
        format: ver,
        components: Vec::new(),
        unversioned: Vec::new(),
    };
    let Some(pkgs) = v.get("packages") else {
        return Ok(out);
    };
    let Some(pkgs) = pkgs.as_array() else {
        return Err(VulnError::new(file, "/packages", "not an array"));
    };
    if pkgs.len() > limits.max_entries {
        return Err(VulnError::new(
            file,
            "/packages",
            format!("more than {} packages", limits.max_entries),
        ));
    }
    for (i, p) in pkgs.iter().enumerate() {
        let ptr = format!("/packages/{i}");
        if !p.is_object() {
            return Err(VulnError::new(file, &ptr, "package is not an object"));
        }
        let mut purl = None;
        let mut cpe = None;
        for r in p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .take(1000)
        {
            let ty = s(r, "referenceType").unwrap_or_default();
            let loc = s(r, "referenceLocator");
            match ty.as_str() {
                "purl" if purl.is_none() => purl = loc,
                "cpe23Type" | "cpe22Type" if cpe.is_none() => cpe = loc,
                _ => {}
            }
        }
        match (s(p, "name"), s(p, "versionInfo")) {
            (Some(n), Some(v)) => out
                .components
                .push(sbom_component(file, ptr, "spdx", &n, &v, purl, cpe)),
            _ => out.unversioned.push(ptr),
        }
    }
    Ok(out)
}
