//! `icvsec init PATH`: scaffold `vehicle.json` and ECU configuration stubs from what
//! discovery finds. Root filesystems are recognised by `etc/passwd` (Linux) and
//! `system/build.prop` (Android); self-signed CA certificates become trust-anchor
//! candidates. Existing files are never overwritten unless `--force`.

use crate::exit::Exit;
use icvsec_inputs::{FileKind, Limits, LoadOptions, load_build};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

struct Rootfs {
    dir: String,
    os: &'static str,
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

fn role_for(id: &str, os: &str) -> &'static str {
    let l = id.to_ascii_lowercase();
    let has = |xs: &[&str]| xs.iter().any(|x| l.contains(x));
    if has(&["tbox", "t-box", "tcu", "telematic"]) {
        "tbox"
    } else if has(&["ivi", "infotain", "headunit", "head-unit", "cockpit"]) {
        "ivi"
    } else if has(&["gateway", "cgw", "gw"]) {
        "gateway"
    } else if has(&["adas", "adcu"]) {
        "adas"
    } else if has(&["bms"]) {
        "bms"
    } else if os == "android" {
        "ivi"
    } else {
        "other"
    }
}

pub fn run(path: &Path, force: bool) -> i32 {
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
        ecus.insert(id, Rootfs { dir, os });
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
                "role": role_for(id, r.os),
                "name": format!("{id} ({} root filesystem at {})", r.os, r.dir),
                "config": format!("ecus/{id}.json"),
            });
            if r.dir != "." {
                e["rootfs"] = json!(r.dir);
            }
            e
        })
        .collect();
    if ecus.values().any(|r| r.dir == ".") {
        eprintln!(
            "icvsec: note: {} is itself a root filesystem; move it into a subdirectory (e.g. ecu/rootfs) and set `rootfs` to tie its files to the ECU",
            path.display()
        );
    }
    for (id, r) in &ecus {
        let stub = json!({ "schema_version": 1, "ecu": id, "os": r.os });
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
    crate::outln!(
        "{} ECU(s), {} trust-anchor candidate(s). Review vehicle.json: markets, stage, roles, networks and endpoints are guesses or empty.",
        ecus.len(),
        anchors.len()
    );
    Exit::Clean as i32
}
