//! Every ICV-LNX and ICV-AND rule (rules/terminal/onboard-equipment.toml): its check exists here for the rule's
//! asset kind, its parameters deserialize, it fails on fixtures/rules/<ID>/fail and
//! passes (no failed finding) on fixtures/rules/<ID>/pass.

use icvsec_linux::DirRoot;
use icvsec_linux::checks::{CHECKS, run_check, split_rootfs};
use std::path::{Path, PathBuf};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn resolve_includes(v: &mut serde_json::Value, rules_dir: &Path) {
    match v {
        serde_json::Value::Object(map) => {
            if let (1, Some(serde_json::Value::String(p))) = (map.len(), map.get("include")) {
                let text = std::fs::read_to_string(rules_dir.join(p)).unwrap();
                let t: toml::Table = toml::from_str(&text).unwrap();
                *v = serde_json::to_value(t).unwrap();
                return;
            }
            for x in map.values_mut() {
                resolve_includes(x, rules_dir);
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| resolve_includes(x, rules_dir)),
        _ => {}
    }
}

/// Asset kind of a build-relative path (mirrors the inventory's classification).
fn classify(rel: &str) -> Option<&'static str> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let parent = rel.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    match name {
        "sshd_config" => Some("sshd_config"),
        "passwd" if parent.ends_with("etc") => Some("passwd"),
        "shadow" if parent.ends_with("etc") => Some("shadow"),
        ".config" | "config.gz" | "kernel.config" => Some("kernel_config"),
        "build.prop" | "default.prop" | "prop.default" => Some("android_props"),
        "sysctl.conf" => Some("sysctl"),
        "inittab" if parent.ends_with("etc") => Some("inittab"),
        n if parent.ends_with("etc/config") && !n.contains('.') => Some("uci_config"),
        "rules.v4" | "rules.v6" | "iptables.rules" | "ip6tables.rules" | "nftables.conf" => {
            Some("firewall")
        }
        n if n.starts_with("config-") && parent.ends_with("boot") => Some("kernel_config"),
        n if n.ends_with(".conf") && parent.ends_with("sysctl.d") => Some("sysctl"),
        _ => None,
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn rules_pass_and_fail_on_their_fixtures() {
    let rules_dir = Path::new(REPO).join("rules");
    let mut ids = Vec::new();
    for file in ["terminal/onboard-equipment.toml"] {
        let text = std::fs::read_to_string(rules_dir.join(file)).unwrap();
        let t: toml::Table = toml::from_str(&text).unwrap();
        let rules = t["rule"].as_array().unwrap();
        for r in rules {
            let id = r["id"].as_str().unwrap().to_string();
            // The file also holds declared-posture rules of other families.
            if !id.starts_with("ICV-LNX-") && !id.starts_with("ICV-AND-") {
                continue;
            }
            let check = r["check"].as_str().unwrap();
            let asset = r["applies_to"]["asset"].as_str().unwrap();
            let known = CHECKS.iter().find(|(c, _)| *c == check);
            assert_eq!(
                known.map(|k| k.1),
                Some(asset),
                "{id}: check {check} / asset {asset}"
            );
            let mut params = serde_json::to_value(
                r.get("params")
                    .cloned()
                    .unwrap_or(toml::Value::Table(Default::default())),
            )
            .unwrap();
            resolve_includes(&mut params, &rules_dir);
            if check == "android.security_patch_age" {
                // The scan supplies its --as-of date; the workspace tests use 2026-06-01.
                params["as_of"] = serde_json::json!("2026-06-01");
            }
            for kind in ["pass", "fail"] {
                let dir = Path::new(REPO).join("fixtures/rules").join(&id).join(kind);
                assert!(dir.is_dir(), "{id}: missing fixture {}", dir.display());
                let mut files = Vec::new();
                walk(&dir, &mut files);
                let mut findings = Vec::new();
                for f in files {
                    let rel = f
                        .strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    if classify(&rel) != Some(asset) {
                        continue;
                    }
                    let (root, inroot) = split_rootfs(&rel).expect("rootfs layout");
                    let src = DirRoot::new(dir.join(&root));
                    let res = run_check(check, &params, &src, &inroot)
                        .unwrap_or_else(|e| panic!("{id} {kind} {rel}: {e}"));
                    findings.extend(res);
                }
                assert!(
                    !findings.is_empty(),
                    "{id} {kind}: no asset of kind {asset} evaluated"
                );
                let failed: Vec<_> = findings.iter().filter(|f| !f.passed).collect();
                match kind {
                    "pass" => assert!(
                        failed.is_empty(),
                        "{id} pass: unexpected failures {failed:#?}"
                    ),
                    _ => {
                        assert!(!failed.is_empty(), "{id} fail: no failure");
                        println!("{id} fail: {}", failed[0].message);
                    }
                }
            }
            ids.push(id);
        }
    }
    let lnx = ids.iter().filter(|i| i.starts_with("ICV-LNX-")).count();
    let and = ids.iter().filter(|i| i.starts_with("ICV-AND-")).count();
    assert_eq!((lnx, and), (20, 11));
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "duplicate rule ids");
}
