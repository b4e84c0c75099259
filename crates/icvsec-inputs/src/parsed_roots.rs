//! The typed results of the root-filesystem parsers that the inventory holds: parsed
//! Linux/Android roots with the placement of each of their files, and loaded TLS
//! configurations. Types only: the loaders that fill them are `linux_roots` and
//! `tls_files` (which read the inventory, so the inventory cannot read them).

use icvsec_linux::root::ParsedRoot;
use icvsec_model::AssetKind;
use icvsec_tls::ConfigError;
use icvsec_tls::checks::{ConfigKind, LoadedConfig};
use icvsec_tls::nginx::LoadedNginx;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a build file sits: its root filesystem directory (build-relative, `""` for the
/// build root itself) and its absolute path inside that root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub rootfs: String,
    pub path: String,
}

impl Placement {
    /// Build-relative path of an in-root path of this root filesystem.
    pub fn build_rel(&self, in_root: &str) -> String {
        let p = in_root.trim_start_matches('/');
        if self.rootfs.is_empty() {
            p.to_string()
        } else {
            format!("{}/{p}", self.rootfs)
        }
    }
}

/// The parsed Linux/Android root filesystems of a build.
#[derive(Clone, Debug, Default)]
pub struct LinuxRoots {
    /// Parsed roots by root filesystem directory (build-relative, as placed; an ECU's
    /// declared `rootfs` without its trailing `/`).
    pub roots: BTreeMap<String, Arc<ParsedRoot>>,
    /// Placement of every Linux/Android file asset, by (kind, asset id).
    pub places: BTreeMap<(AssetKind, String), Placement>,
}

impl LinuxRoots {
    /// The placement of a Linux/Android asset decided at load.
    pub fn place(&self, kind: AssetKind, id: &str) -> Option<&Placement> {
        self.places.get(&(kind, id.to_string()))
    }

    /// The assets of one kind placed in one root filesystem, by id: (id, in-root path).
    pub fn in_root<'a>(
        &'a self,
        kind: AssetKind,
        rootfs: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.places
            .range((kind, String::new())..)
            .take_while(move |((k, _), _)| *k == kind)
            .filter(move |(_, p)| p.rootfs == rootfs)
            .map(|((_, id), p)| (id.as_str(), p.path.as_str()))
    }

    /// The parsed root filesystem at that build-relative directory.
    pub fn root(&self, rootfs: &str) -> Option<&ParsedRoot> {
        self.roots.get(rootfs).map(Arc::as_ref)
    }

    /// The parsed root filesystem an ECU declares (`rootfs` as in vehicle.json).
    pub fn ecu_root(&self, declared_rootfs: &str) -> Option<&ParsedRoot> {
        self.root(ecu_root_key(declared_rootfs))
    }
}

/// The key of an ECU's declared root filesystem in [`LinuxRoots::roots`].
pub fn ecu_root_key(declared_rootfs: &str) -> &str {
    declared_rootfs.trim_end_matches('/')
}

/// One configuration file asset, loaded.
#[derive(Clone, Debug)]
pub struct TlsConfigAsset {
    pub kind: ConfigKind,
    /// Build-relative root filesystem the file was read in (empty: the build root).
    pub root_rel: String,
    /// System path of the file inside that root filesystem (`/etc/nginx/nginx.conf`).
    pub sys: String,
    /// What was read (or the load error), policy-free.
    pub loaded: LoadedConfig,
}

/// The TLS configurations of a build.
#[derive(Clone, Debug, Default)]
pub struct TlsConfigs {
    /// By asset id (the build-relative path) of every `nginx_config`, `openssl_config`
    /// and `tls_stack_config` file asset.
    pub files: BTreeMap<String, TlsConfigAsset>,
    /// `/etc/nginx/nginx.conf` of each declared ECU root filesystem that has one, by the
    /// root filesystem as declared (trailing `/` trimmed): the listener inventory.
    pub nginx_by_rootfs: BTreeMap<String, Arc<Result<LoadedNginx, ConfigError>>>,
}
