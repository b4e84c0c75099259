//! CycloneDX 1.6 JSON output of the merged inventory: one `device` component per ECU with
//! its software as nested components, each with purl, CPE and icvsec:source properties.
//! No timestamp or serial number, so the same inventory always gives the same bytes.

use crate::component::{EcuInventory, make_purl};
use serde_json::{Value, json};

/// The bom-ref icvsec gives a component: "<ecu>:<purl>" (VEX documents can point at it).
pub fn bom_ref(ecu: &str, purl: &str) -> String {
    format!("{ecu}:{purl}")
}

pub fn write_cyclonedx(ecus: &[EcuInventory]) -> String {
    let mut sorted: Vec<&EcuInventory> = ecus.iter().collect();
    sorted.sort_by(|a, b| a.ecu.cmp(&b.ecu));
    let ecu_components: Vec<Value> = sorted
        .iter()
        .map(|e| {
            let comps: Vec<Value> = e
                .components()
                .map(|c| {
                    let purl = c.purl.clone().unwrap_or_else(|| make_purl("generic", None, &c.name, &c.version, &[]));
                    let mut props = vec![json!({"name": "icvsec:ecosystem", "value": c.ecosystem.as_str()})];
                    if let Some(sp) = &c.source_package {
                        props.push(json!({"name": "icvsec:source-package", "value": sp}));
                    }
                    for s in &c.sources {
                        props.push(json!({"name": "icvsec:source", "value": s.to_string()}));
                    }
                    let mut o = json!({
                        "type": if c.ecosystem == crate::component::Ecosystem::Linux || c.ecosystem == crate::component::Ecosystem::Android { "operating-system" } else { "library" },
                        "bom-ref": bom_ref(&e.ecu, &purl),
                        "name": c.name,
                        "version": c.version,
                        "purl": purl,
                    });
                    if let (Some(cpe), Some(m)) = (&c.cpe, o.as_object_mut()) {
                        m.insert("cpe".into(), json!(cpe));
                    }
                    if let Some(m) = o.as_object_mut() {
                        m.insert("properties".into(), Value::Array(props));
                    }
                    o
                })
                .collect();
            json!({
                "type": "device",
                "bom-ref": format!("ecu:{}", e.ecu),
                "name": e.ecu,
                "components": comps,
            })
        })
        .collect();
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "tools": { "components": [ { "type": "application", "name": "icvsec", "version": env!("CARGO_PKG_VERSION") } ] },
            "component": { "type": "device", "bom-ref": "vehicle", "name": "vehicle" }
        },
        "components": ecu_components,
        "dependencies": sorted.iter().map(|e| json!({"ref": format!("ecu:{}", e.ecu), "dependsOn": e.components().map(|c| bom_ref(&e.ecu, &c.purl.clone().unwrap_or_else(|| make_purl("generic", None, &c.name, &c.version, &[])))).collect::<Vec<_>>()})).collect::<Vec<_>>(),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}
