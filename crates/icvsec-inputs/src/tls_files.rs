//! TLS server and library configurations (nginx, openssl.cnf, mbedTLS/wolfSSL build
//! headers), read once at load through the build tree by icvsec-tls: includes, globs and
//! `ssl_dhparam` files are read inside the file's root filesystem (links resolved with
//! that root as `/`, never followed out; icvsec-tls's bounds). The checks only judge what
//! is stored here, under their policy; a configuration that could not be read is stored
//! as its error (file and line) and reported by the checks.

use crate::inventory::Inventory;
pub use crate::parsed_roots::{TlsConfigAsset, TlsConfigs};
use icvsec_model::AssetKind;
use icvsec_tls::checks::{ConfigKind, LoadedConfig};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// The configuration kind of a file asset kind, if it is one.
pub fn config_kind(kind: AssetKind) -> Option<ConfigKind> {
    match kind {
        AssetKind::NginxConfig => Some(ConfigKind::Nginx),
        AssetKind::OpensslConfig => Some(ConfigKind::Openssl),
        AssetKind::TlsStackConfig => Some(ConfigKind::Embedded),
        _ => None,
    }
}

/// Split a build-relative file path into (root filesystem, in-root system path): the
/// prefix before a well-known in-root location (`etc/nginx/nginx.conf`, ...), else the
/// root filesystem of the owning ECU (`ecu`), else the part before a conventional
/// top-level directory (`etc`, `usr`, ...), else the file's directory.
fn rootfs_owned_by(
    inv: &Inventory,
    rel: &str,
    ecu: Option<&str>,
    kind: ConfigKind,
) -> (String, String) {
    for cand in kind.candidates() {
        if rel == *cand {
            return (String::new(), format!("/{cand}"));
        }
        if let Some(prefix) = rel.strip_suffix(&format!("/{cand}")) {
            return (prefix.to_string(), format!("/{cand}"));
        }
    }
    let owner = ecu
        .and_then(|e| inv.ecus.get(e))
        .and_then(|e| e.entry.rootfs.clone());
    if let Some(r) = owner {
        let r = r.trim_end_matches('/').to_string();
        if let Some(rest) = rel.strip_prefix(&format!("{r}/")) {
            return (r, format!("/{rest}"));
        }
    }
    // A conventional top-level directory of a root filesystem.
    let comps: Vec<&str> = rel.split('/').collect();
    for (i, c) in comps.iter().enumerate().take(comps.len().saturating_sub(1)) {
        if matches!(*c, "etc" | "usr" | "opt" | "system" | "vendor") {
            return (comps[..i].join("/"), format!("/{}", comps[i..].join("/")));
        }
    }
    match rel.rsplit_once('/') {
        Some((dir, name)) => (dir.to_string(), format!("/{name}")),
        None => (String::new(), format!("/{rel}")),
    }
}

const NGINX_MAIN: &str = "/etc/nginx/nginx.conf";

/// Run `f` with the root filesystem `root_rel` of the build's tree as `/`.
fn in_rootfs<R>(inv: &Inventory, root_rel: &str, f: impl FnOnce(&Path) -> R) -> R {
    let host = if root_rel.is_empty() {
        inv.root.clone()
    } else {
        inv.root.join(root_rel)
    };
    let base = icvsec_fs::name::decode_identity(root_rel);
    icvsec_tls::rootfs::within(inv.tree.0.clone(), base, || f(&host))
}

/// Load every TLS configuration of the inventory's file assets and the nginx main
/// configuration of every ECU root filesystem, each file once (in parallel).
pub(crate) fn load(inv: &Inventory) -> TlsConfigs {
    // (kind, root filesystem, system path) -> the assets that need it.
    let mut jobs: BTreeMap<(ConfigKind, String, String), Vec<String>> = BTreeMap::new();
    for f in &inv.files {
        let Some(kind) = config_kind(f.kind) else {
            continue;
        };
        // The asset's id is its file (one asset per configuration file).
        let (root_rel, sys) = rootfs_owned_by(inv, &f.id, f.ecu.as_deref(), kind);
        jobs.entry((kind, root_rel, sys))
            .or_default()
            .push(f.id.clone());
    }
    let mut rootfs: Vec<String> = inv
        .ecus
        .values()
        .filter_map(|e| e.entry.rootfs.as_deref())
        .map(|r| r.trim_end_matches('/').to_string())
        .collect();
    rootfs.sort();
    rootfs.dedup();
    let with_nginx: Vec<String> = rootfs
        .into_par_iter()
        .filter(|r| {
            in_rootfs(inv, r, |host| {
                matches!(
                    icvsec_tls::rootfs::kind(host, Path::new(NGINX_MAIN)),
                    Ok(Some(_))
                )
            })
        })
        .collect();
    for r in &with_nginx {
        jobs.entry((ConfigKind::Nginx, r.clone(), NGINX_MAIN.to_string()))
            .or_default();
    }
    let jobs: Vec<_> = jobs.into_iter().collect();
    let loaded: Vec<LoadedConfig> = jobs
        .par_iter()
        .with_max_len(1)
        .map(|((kind, root_rel, sys), _)| {
            in_rootfs(inv, root_rel, |host| {
                icvsec_tls::checks::load_config(*kind, host, Path::new(sys))
            })
        })
        .collect();
    let mut out = TlsConfigs::default();
    for (((kind, root_rel, sys), ids), loaded) in jobs.into_iter().zip(loaded) {
        if kind == ConfigKind::Nginx
            && sys == NGINX_MAIN
            && with_nginx.binary_search(&root_rel).is_ok()
            && let LoadedConfig::Nginx(n) = &loaded
        {
            out.nginx_by_rootfs.insert(root_rel.clone(), n.clone());
        }
        for id in ids {
            out.files.insert(
                id,
                TlsConfigAsset {
                    kind,
                    root_rel: root_rel.clone(),
                    sys: sys.clone(),
                    loaded: loaded.clone(),
                },
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LoadOptions, load_build};

    /// Every TLS configuration asset is loaded once at load, inside its root filesystem;
    /// the ECU's nginx.conf serves both its asset and the listener inventory; a load error
    /// is kept with its file and line.
    #[test]
    fn configurations_are_loaded_once_per_file() {
        let b = crate::scratch::Scratch::new("tls");
        let root = b.0.clone();
        let put = |rel: &str, text: &str| b.put(rel, text);
        put(
            "vehicle.json",
            r#"{ "schema_version": 1, "vehicle": { "model": "t", "markets": ["CN"] },
  "ecus": [ { "id": "tbox", "role": "tbox", "rootfs": "fw/tbox/" } ] }"#,
        );
        put(
            "fw/tbox/etc/nginx/nginx.conf",
            "http {\n  include conf.d/*.conf;\n}\n",
        );
        put(
            "fw/tbox/etc/nginx/conf.d/a.conf",
            "server {\n  listen 443 ssl;\n  ssl_dhparam dh.pem;\n}\n",
        );
        put(
            "fw/tbox/etc/ssl/openssl.cnf",
            "a = 1\n.include /etc/ssl/none.cnf\n",
        );
        put(
            "fw/tbox/usr/include/user_settings.h",
            "#define WOLFSSL_TLS13\n",
        );
        let inv = load_build(&root, &LoadOptions::default());
        let t = &inv.tls_configs;
        let ids: Vec<&String> = t.files.keys().collect();
        assert_eq!(
            ids,
            [
                "fw/tbox/etc/nginx/nginx.conf",
                "fw/tbox/etc/ssl/openssl.cnf",
                "fw/tbox/usr/include/user_settings.h"
            ]
        );
        let ngx = &t.files["fw/tbox/etc/nginx/nginx.conf"];
        assert_eq!(
            (ngx.root_rel.as_str(), ngx.sys.as_str()),
            ("fw/tbox", NGINX_MAIN)
        );
        let LoadedConfig::Nginx(n) = &ngx.loaded else {
            panic!("nginx")
        };
        let shared = &t.nginx_by_rootfs["fw/tbox"];
        assert!(
            std::sync::Arc::ptr_eq(n, shared),
            "one load for the asset and the listeners"
        );
        let cfg = n.as_ref().as_ref().expect("nginx loads");
        assert_eq!(cfg.config.files.len(), 2);
        // The DH parameters file is named but absent: known at load, judged later.
        assert!(matches!(
            cfg.dhparams.get(Path::new("/etc/nginx/dh.pem")),
            Some(icvsec_tls::policy::DhParams::Unreadable(_))
        ));
        let LoadedConfig::Openssl { conf, .. } = &t.files["fw/tbox/etc/ssl/openssl.cnf"].loaded
        else {
            panic!("openssl")
        };
        let e = conf.as_ref().as_ref().expect_err("missing include");
        assert_eq!(
            (e.file.as_path(), e.line),
            (Path::new("/etc/ssl/openssl.cnf"), 2)
        );
        let h = &t.files["fw/tbox/usr/include/user_settings.h"];
        assert_eq!(h.sys, "/usr/include/user_settings.h");
        assert!(matches!(&h.loaded, LoadedConfig::Embedded(r) if r.is_ok()));
    }

    #[test]
    fn rootfs_split() {
        let inv = Inventory::default();
        assert_eq!(
            rootfs_owned_by(
                &inv,
                "tbox/rootfs/etc/nginx/nginx.conf",
                None,
                ConfigKind::Nginx
            ),
            ("tbox/rootfs".into(), "/etc/nginx/nginx.conf".into())
        );
        assert_eq!(
            rootfs_owned_by(&inv, "etc/ssl/openssl.cnf", None, ConfigKind::Openssl),
            ("".into(), "/etc/ssl/openssl.cnf".into())
        );
        assert_eq!(
            rootfs_owned_by(
                &inv,
                "fw/rootfs/usr/include/mbedtls/config.h",
                None,
                ConfigKind::Embedded
            ),
            ("fw/rootfs".into(), "/usr/include/mbedtls/config.h".into())
        );
    }
}
