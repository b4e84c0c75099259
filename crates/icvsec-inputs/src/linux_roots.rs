//! Linux and Android root filesystems, parsed once at load.
//!
//! Every root filesystem that holds a Linux/Android asset (sshd_config, passwd, shadow,
//! kernel config, sysctl, firewall, UCI, inittab, Android properties) and every ECU's
//! declared `rootfs` (for the cross-checks) is read through the build's one opener,
//! [`icvsec_linux::DirRoot::within`] (links resolved inside that root, regular files
//! only, size-bounded), and parsed by [`icvsec_linux::root::parse_root`]. Checks then
//! query the [`ParsedRoot`]s: none opens a file.
//!
//! Placement (which root filesystem a file belongs to) is decided here, once, for the
//! load and the checks alike: the well-known in-root locations
//! ([`icvsec_linux::checks::split_rootfs`]), else the root filesystem the owning ECU
//! declares, else the file's own directory.

use crate::inventory::{EcuAsset, FileAsset, Inventory};
pub use crate::parsed_roots::{LinuxRoots, Placement, ecu_root_key};
use icvsec_model::AssetKind;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Whether files of this kind are judged by the Linux/Android checks.
pub fn is_linux_kind(kind: AssetKind) -> bool {
    icvsec_linux::checks::CHECKS
        .iter()
        .any(|(_, slug)| *slug == kind.slug())
}

/// Which root filesystem a file asset belongs to (see the module docs).
pub fn place(
    files: &[FileAsset],
    ecus: &BTreeMap<String, EcuAsset>,
    kind: AssetKind,
    id: &str,
) -> Placement {
    let owner = files
        .iter()
        .find(|f| f.kind == kind && f.id == id)
        .and_then(|f| f.ecu.as_deref());
    place_owned(ecus, owner, id)
}

/// [`place`] of a file whose owning ECU (by root filesystem prefix) is known.
fn place_owned(ecus: &BTreeMap<String, EcuAsset>, owner: Option<&str>, id: &str) -> Placement {
    if let Some((rootfs, path)) = icvsec_linux::checks::split_rootfs(id) {
        return Placement { rootfs, path };
    }
    // The root filesystem the owning ECU declares.
    let declared = owner
        .and_then(|e| ecus.get(e))
        .and_then(|e| e.entry.rootfs.as_deref())
        .map(|r| r.trim_matches('/').to_string());
    if let Some(r) = declared
        && let Some(rest) = id.strip_prefix(&format!("{r}/"))
    {
        return Placement {
            rootfs: r,
            path: format!("/{rest}"),
        };
    }
    // A loose file: its directory stands for the root.
    match id.rsplit_once('/') {
        Some((dir, name)) => Placement {
            rootfs: dir.to_string(),
            path: format!("/{name}"),
        },
        None => Placement {
            rootfs: String::new(),
            path: format!("/{id}"),
        },
    }
}

/// What to parse in one root filesystem.
#[derive(Default)]
struct Request {
    assets: BTreeSet<(&'static str, String)>,
    facts: bool,
}

/// Place every Linux/Android asset and parse each root filesystem once (roots in
/// parallel). Called at the end of loading, when files and ECUs are known.
pub(crate) fn load(inv: &Inventory) -> LinuxRoots {
    let mut places = BTreeMap::new();
    let mut requests: BTreeMap<String, Request> = BTreeMap::new();
    for f in inv.files.iter().filter(|f| is_linux_kind(f.kind)) {
        // The first file of a (kind, id) decides, as `place` finds it.
        let std::collections::btree_map::Entry::Vacant(slot) = places.entry((f.kind, f.id.clone()))
        else {
            continue;
        };
        let p = place_owned(&inv.ecus, f.ecu.as_deref(), &f.id);
        requests
            .entry(p.rootfs.clone())
            .or_default()
            .assets
            .insert((f.kind.slug(), p.path.clone()));
        slot.insert(p);
    }
    // The ECUs' declared root filesystems, for the cross-checks.
    for e in inv.ecus.values() {
        if let Some(r) = e.entry.rootfs.as_deref()
            && e.config.is_some()
        {
            requests
                .entry(ecu_root_key(r).to_string())
                .or_default()
                .facts = true;
        }
    }
    let tree = inv.tree.0.clone();
    // One job per root: roots differ widely in size, and a split into halves left one
    // thread with the large ones.
    let roots = requests
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .with_max_len(1)
        .map(|(rootfs, req)| {
            let src = icvsec_linux::DirRoot::within(
                tree.clone(),
                icvsec_fs::name::decode_identity(&rootfs),
            );
            let assets: Vec<(&str, &str)> =
                req.assets.iter().map(|(s, p)| (*s, p.as_str())).collect();
            let parsed = icvsec_linux::root::parse_root(&src, &assets, req.facts);
            (rootfs, Arc::new(parsed))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    LinuxRoots { roots, places }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_paths() {
        let p = Placement {
            rootfs: "tbox/rootfs".into(),
            path: "/etc/passwd".into(),
        };
        assert_eq!(p.build_rel("/etc/shadow"), "tbox/rootfs/etc/shadow");
        let p = Placement {
            rootfs: String::new(),
            path: "/etc/passwd".into(),
        };
        assert_eq!(p.build_rel("/etc/shadow"), "etc/shadow");
        let none = BTreeMap::new();
        assert_eq!(
            place(&[], &none, AssetKind::Passwd, "tbox/rootfs/etc/passwd"),
            Placement {
                rootfs: "tbox/rootfs".into(),
                path: "/etc/passwd".into()
            }
        );
        assert_eq!(
            place(&[], &none, AssetKind::AndroidProps, "oem/extra.prop"),
            Placement {
                rootfs: "oem".into(),
                path: "/extra.prop".into()
            }
        );
        assert!(is_linux_kind(AssetKind::SshdConfig));
        assert!(!is_linux_kind(AssetKind::Certificate));
    }

    #[test]
    fn load_parses_each_root_once_with_every_asset_and_its_errors() {
        let scratch = crate::scratch::Scratch::new("linuxroots");
        let dir = scratch.0.clone();
        for (rel, body) in [
            ("tbox/rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
            ("tbox/rootfs/etc/shadow", "root:!:19000::::::\n"),
            (
                "tbox/rootfs/etc/ssh/sshd_config",
                "Include /etc/ssh/sshd_config.d/*.conf\n",
            ),
            ("tbox/rootfs/etc/ssh/sshd_config.d/a.conf", "Match\n"),
            ("tbox/rootfs/etc/sysctl.conf", "kernel.kptr_restrict = 2\n"),
        ] {
            scratch.put(rel, body);
        }
        let inv = crate::load_build(&dir, &crate::LoadOptions::default());
        let linux = &inv.linux;
        assert_eq!(
            linux.roots.keys().collect::<Vec<_>>(),
            ["tbox/rootfs"],
            "one root, parsed once"
        );
        let place = linux
            .place(AssetKind::Passwd, "tbox/rootfs/etc/passwd")
            .unwrap();
        assert_eq!(place.path, "/etc/passwd");
        let root = linux.root("tbox/rootfs").unwrap();
        assert_eq!(root.passwd("/etc/passwd").unwrap().entries.len(), 1);
        assert!(root.passwd_shadow("/etc/passwd").unwrap().is_some());
        assert!(root.shadow("/etc/shadow").is_ok());
        assert_eq!(
            root.sysctl("/etc/sysctl.conf")
                .unwrap()
                .get("kernel.kptr_restrict")
                .unwrap()
                .value,
            "2"
        );
        // The broken Include is kept with its place, for every sshd check to report.
        match root.sshd("/etc/ssh/sshd_config") {
            Err(icvsec_linux::checks::CheckError::Parse(p)) => {
                assert_eq!(p.file, "/etc/ssh/sshd_config.d/a.conf");
                assert_eq!(p.line, Some(1));
            }
            other => panic!("expected the Include's parse error, got {other:?}"),
        }
        // No ECU declares this root: no cross-check facts were gathered.
        assert!(root.facts.is_none());
        drop(scratch);
    }
}
