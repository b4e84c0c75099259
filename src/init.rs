//! `icvsec init PATH`: scaffold `vehicle.json` and ECU configurations from what
//! discovery finds. Root filesystems are recognised by `etc/passwd` (Linux) and
//! `system/build.prop` (Android); self-signed CA certificates become trust-anchor
//! candidates; a key file in an ECU's root filesystem (with its matching certificate)
//! becomes its identity. Existing files are never overwritten unless `--force`.
//!
//! Each ECU configuration holds every section its role profile
//! (`rules/profiles/roles.toml`) requires, written as `null`: the loader reads `null` as
//! "not declared", so a fresh scaffold scans as failing "not declared" findings (never
//! as passes or n/a) until each TODO section is filled in.

use crate::exit::Exit;
use icvsec_inputs::{FileKind, Limits, LoadOptions, load_build};
use icvsec_model::RoleProfiles;
use icvsec_model::input::vehicle::EcuRole;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

struct Rootfs {
    /// None for an ECU named with `--ecu` that discovery did not find.
    dir: Option<String>,
    os: Option<&'static str>,
    role: EcuRole,
}

fn ecu_id(rootfs: &str, taken: &BTreeMap<String, Rootfs>) -> String {
    // `tbox/rootfs` → `tbox`; `images/ivi` → `ivi`; `.` → `ecu`.
    let parts: Vec<&str> = rootfs
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let generic = [
        "rootfs", "root", "fs", "image", "images", "system", "sysroot", "target",
    ];
    let base = parts
        .iter()
        .rev()
        .find(|p| !generic.contains(&p.to_ascii_lowercase().as_str()))
        .map(|p| {
            p.to_ascii_lowercase()
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "ecu".to_string());
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains_key(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

fn role_for(id: &str, os: &str) -> EcuRole {
    let l = id.to_ascii_lowercase();
    let has = |xs: &[&str]| xs.iter().any(|x| l.contains(x));
    if has(&["tbox", "t-box", "tcu", "telematic"]) {
        EcuRole::Tbox
    } else if has(&["ivi", "infotain", "headunit", "head-unit", "cockpit"]) {
        EcuRole::Ivi
    } else if has(&["gateway", "cgw", "gw"]) {
        EcuRole::Gateway
    } else if has(&["zone", "zcu"]) {
        EcuRole::ZoneController
    } else if has(&["hpc", "central-compute", "ccu"]) {
        EcuRole::Hpc
    } else if has(&["adas", "adcu"]) {
        EcuRole::Adas
    } else if has(&["bms"]) {
        EcuRole::Bms
    } else if os == "android" {
        EcuRole::Ivi
    } else {
        EcuRole::Other
    }
}

/// `ID=ROLE` from the command line.
fn parse_given(given: &[String]) -> Result<Vec<(String, EcuRole)>, String> {
    let mut out: Vec<(String, EcuRole)> = Vec::new();
    for g in given {
        let Some((id, role)) = g.split_once('=') else {
            return Err(format!("--ecu `{g}`: expected ID=ROLE, e.g. tbox=tbox"));
        };
        let id = id.trim();
        if id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(format!(
                "--ecu `{g}`: an ECU id is 1 to 64 letters, digits, `-` or `_`"
            ));
        }
        let Some(role) = EcuRole::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(role.trim()))
        else {
            let names: Vec<&str> = EcuRole::ALL.iter().map(|r| r.as_str()).collect();
            return Err(format!(
                "--ecu `{g}`: unknown role `{}` (expected one of: {})",
                role.trim(),
                names.join(", ")
            ));
        };
        if out.iter().any(|(x, _)| x == id) {
            return Err(format!("--ecu: ECU `{id}` is given twice"));
        }
        out.push((id.to_string(), role));
    }
    Ok(out)
}

/// Set `path` (dotted) in a JSON object to `value`, creating parent objects.
fn set_path(doc: &mut Value, path: &str, value: Value) {
    let mut cur = doc;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let Some(obj) = cur.as_object_mut() else {
            return;
        };
        if i + 1 == segs.len() {
            obj.entry(seg.to_string()).or_insert(value);
            return;
        }
        let next = obj.entry(seg.to_string()).or_insert_with(|| json!({}));
        if next.is_null() {
            // The parent is itself a TODO section: the child is covered by it.
            return;
        }
        cur = next;
    }
}

/// The ECU configuration scaffold: every path the role profile requires, as `null`
/// (not declared) unless discovery found its value. A field path whose section is
/// itself required is covered by the section's `null`.
fn scaffold(
    id: &str,
    os: Option<&str>,
    role: EcuRole,
    profiles: &RoleProfiles,
    identity: &Identity,
) -> (Value, Vec<String>) {
    let mut doc = json!({ "schema_version": 1, "ecu": id });
    if let Some(os) = os {
        doc["os"] = json!(os);
    }
    let required = profiles.paths_for(role);
    let mut todo = Vec::new();
    for p in &required {
        // Sections first (sorted order puts `a` before `a.b`).
        let covered = required
            .iter()
            .any(|q| q != p && p.starts_with(&format!("{q}.")));
        if covered {
            continue;
        }
        // Lists (`services`, `tls_profiles`, `secoc`) cannot be `null` in the schema:
        // they stay absent, which reads the same ("not declared"), and are listed as TODO.
        if accepts_null(p) {
            set_path(&mut doc, p, Value::Null);
        }
        todo.push(p.clone());
    }
    if let Some(c) = &identity.certificate {
        doc["identity_certificate"] = json!(c);
    }
    if let Some(k) = &identity.key {
        doc["identity_key"] = json!(k);
    }
    (doc, todo)
}

/// Whether the ECU configuration schema accepts `null` at this path (tried on a
/// minimal configuration, so the answer follows the input model).
fn accepts_null(path: &str) -> bool {
    let mut doc = json!({ "schema_version": 1, "ecu": "x" });
    set_path(&mut doc, path, Value::Null);
    serde_json::from_value::<icvsec_model::input::EcuConfig>(doc).is_ok()
}

/// Identity material found in an ECU's root filesystem.
#[derive(Default)]
struct Identity {
    certificate: Option<String>,
    key: Option<String>,
}

pub fn run(path: &Path, force: bool, given: &[String]) -> i32 {
    let given = match parse_given(given) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("icvsec: error: {e}");
            return Exit::Usage as i32;
        }
    };
    let profiles = match icvsec_rules::load_catalog(
        &icvsec_rules::embedded_sources(),
        &icvsec_checks::registry(),
    ) {
        Ok(c) => c.profiles,
        Err(errs) => {
            for e in errs {
                eprintln!("icvsec: error: {e}");
            }
            return Exit::Usage as i32;
        }
    };
    if !path.is_dir() {
        eprintln!("icvsec: error: `{}` is not a directory", path.display());
        return Exit::Usage as i32;
    }
    let limits = Limits::default();
    let tree = match icvsec_fs::HostTree::open(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("icvsec: error: cannot open {}: {e}", path.display());
            return Exit::Usage as i32;
        }
    };
    let (files, _) = icvsec_inputs::discover::discover(&tree, &limits, &[]);
    // Root filesystems, by their marker files.
    let mut roots: BTreeMap<String, &'static str> = BTreeMap::new();
    for f in &files {
        let (dir, os) = match f.kind {
            FileKind::Passwd if f.rel.ends_with("etc/passwd") => {
                (f.rel.trim_end_matches("etc/passwd"), "linux")
            }
            FileKind::AndroidProps if f.rel.ends_with("system/build.prop") => {
                (f.rel.trim_end_matches("system/build.prop"), "android")
            }
            _ => continue,
        };
        let dir = dir.trim_end_matches('/');
        let dir = if dir.is_empty() { "." } else { dir };
        let e = roots.entry(dir.to_string()).or_insert(os);
        if os == "android" {
            *e = "android";
        }
    }
    // Nested roots (a rootfs inside another one) are left to the outer one.
    let outer: Vec<String> = roots.keys().cloned().collect();
    roots.retain(|d, _| {
        !outer
            .iter()
            .any(|o| o != d && (o == "." || d.starts_with(&format!("{o}/"))))
    });
    let mut ecus: BTreeMap<String, Rootfs> = BTreeMap::new();
    for (dir, os) in roots {
        let id = ecu_id(&dir, &ecus);
        let role = role_for(&id, os);
        ecus.insert(
            id,
            Rootfs {
                dir: Some(dir),
                os: Some(os),
                role,
            },
        );
    }
    for (id, role) in &given {
        ecus.entry(id.clone())
            .and_modify(|r| r.role = *role)
            .or_insert(Rootfs {
                dir: None,
                os: None,
                role: *role,
            });
    }

    // Trust-anchor candidates: self-signed CA certificates.
    let inv = load_build(path, &LoadOptions::default());
    let mut anchors = Vec::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for (id, c) in &inv.certificates {
        if !(c.cert.is_ca() && c.cert.is_self_signed_or_issued()) {
            continue;
        }
        let stem = c
            .file
            .rsplit('/')
            .next()
            .unwrap_or(&c.file)
            .split('.')
            .next()
            .unwrap_or("anchor")
            .to_ascii_lowercase();
        let n = ids.entry(stem.clone()).or_default();
        *n += 1;
        let aid = if *n == 1 { stem } else { format!("{stem}-{n}") };
        let test_only = c.cert.label().to_ascii_lowercase().contains("test")
            || c.file.to_ascii_lowercase().contains("test");
        anchors.push(json!({
            "id": aid,
            "certificate": id.split('#').next().unwrap_or(id),
            "purpose": format!("candidate found by icvsec init: {} (review)", c.cert.label()),
            "test_only": test_only,
        }));
    }

    let model = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "vehicle".into());
    let mut writes: Vec<(String, String)> = Vec::new();
    // A build that is itself one root filesystem: its ECU gets no `rootfs` (the schema
    // wants a subdirectory); the host files are still found and checked.
    let ecu_entries: Vec<_> = ecus
        .iter()
        .map(|(id, r)| {
            let mut e = json!({
                "id": id,
                "role": r.role.as_str(),
                "name": match (&r.dir, r.os) {
                    (Some(dir), Some(os)) => format!("{id} ({os} root filesystem at {dir})"),
                    _ => format!("{id} (named with --ecu)"),
                },
                "config": format!("ecus/{id}.json"),
            });
            if let Some(dir) = r.dir.as_deref().filter(|d| *d != ".") {
                e["rootfs"] = json!(dir);
            }
            e
        })
        .collect();
    if ecus.values().any(|r| r.dir.as_deref() == Some(".")) {
        eprintln!(
            "icvsec: note: {} is itself a root filesystem; move it into a subdirectory (e.g. ecu/rootfs) and set `rootfs` to tie its files to the ECU",
            path.display()
        );
    }
    let mut todos: Vec<(String, Vec<String>)> = Vec::new();
    for (id, r) in &ecus {
        let identity = identity_in(&inv, r.dir.as_deref());
        let (stub, todo) = scaffold(id, r.os, r.role, &profiles, &identity);
        todos.push((id.clone(), todo));
        writes.push((
            format!("ecus/{id}.json"),
            serde_json::to_string_pretty(&stub).unwrap_or_default() + "\n",
        ));
    }
    let vehicle = json!({
        "schema_version": 1,
        "vehicle": { "model": model, "markets": ["CN"], "stage": "production" },
        "ecus": ecu_entries,
        "networks": [],
        "endpoints": [],
        "trust_anchors": anchors,
    });
    writes.insert(
        0,
        (
            "vehicle.json".into(),
            serde_json::to_string_pretty(&vehicle).unwrap_or_default() + "\n",
        ),
    );
    // Anything already there, a link (dangling or not) included, counts as existing.
    let existing: Vec<&str> = writes
        .iter()
        .filter(|(rel, _)| {
            icvsec_fs::Tree::lstat(&tree, &icvsec_fs::name::components(rel))
                .map_or(true, |m| m.is_some())
        })
        .map(|(rel, _)| rel.as_str())
        .collect();
    if !existing.is_empty() && !force {
        eprintln!(
            "icvsec: error: {} already exist(s) in {}; nothing was written (use --force to overwrite)",
            existing.join(", "),
            path.display()
        );
        return Exit::Usage as i32;
    }
    // Written through the build's descriptor: never through a link (a dangling
    // `vehicle.json` or an `ecus` link is refused, even with --force).
    for (rel, text) in &writes {
        let p = path.join(rel);
        if let Err(e) = tree.write_file(&icvsec_fs::name::components(rel), text.as_bytes()) {
            eprintln!("icvsec: error: cannot write {}: {e}", p.display());
            return Exit::Usage as i32;
        }
        crate::outln!("wrote {}", p.display());
    }
    for (id, todo) in &todos {
        if !todo.is_empty() {
            crate::outln!(
                "TODO ecus/{id}.json: declare {} (written as null = not declared; fields: `icvsec schema ecu`)",
                todo.join(", ")
            );
        }
    }
    crate::outln!(
        "{} ECU(s), {} trust-anchor candidate(s). Review vehicle.json: markets, stage, roles, networks and endpoints are guesses or empty. Until every TODO section is declared, a scan reports it as failing (not declared).",
        ecus.len(),
        anchors.len()
    );
    Exit::Clean as i32
}

/// The identity of an ECU: a private key in its root filesystem and the certificate
/// that matches it (or the only end-entity certificate there).
fn identity_in(inv: &icvsec_inputs::Inventory, dir: Option<&str>) -> Identity {
    let Some(dir) = dir else {
        return Identity::default();
    };
    let under = |f: &str| dir == "." || f.starts_with(&format!("{dir}/"));
    let mut id = Identity::default();
    let keys: Vec<_> = inv.keys.values().filter(|k| under(&k.file)).collect();
    let paired = keys.iter().find(|k| !k.certificates.is_empty());
    if let Some(k) = paired.or(keys.first().filter(|_| keys.len() == 1)) {
        id.key = Some(k.file.to_string());
        id.certificate = k
            .certificates
            .first()
            .and_then(|c| inv.certificates.get(c))
            .map(|c| c.file.to_string());
    }
    if id.certificate.is_none() {
        let leaves: Vec<_> = inv
            .certificates
            .values()
            .filter(|c| under(&c.file) && !c.cert.is_ca())
            .collect();
        if let [only] = leaves.as_slice() {
            id.certificate = Some(only.file.to_string());
        }
    }
    id
}
