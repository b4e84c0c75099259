//! What a root filesystem's own files say about its kernel (configuration and version),
//! for the checks whose defaults depend on it (sysctl).

use crate::common::FileSource;
use crate::kconfig;
use crate::sysctl_defaults::KernelFacts;

/// The root's kernel as its files show it: the first readable kernel configuration
/// (`/boot/config-*` sorted, `/boot/config`, `/proc/config.gz`) and its header version,
/// else the version named by `/lib/modules/*`. Unreadable or malformed configurations are
/// skipped (the sysctl check then falls back to "default unknown").
pub fn root_kernel_facts(src: &dyn FileSource) -> KernelFacts {
    let mut facts = KernelFacts::default();
    for p in crate::kconfig::config_candidates(src) {
        let Some(b) = src.read(&p).ok().flatten() else {
            continue;
        };
        if let Ok(cfg) = kconfig::parse_kconfig_any(&p, &b) {
            facts.version = kconfig::config_version(&cfg);
            facts.version_source = facts.version.map(|_| p.clone());
            facts.config = Some(cfg);
            break;
        }
    }
    if facts.version.is_none() {
        let mut names = src.list_dir("/lib/modules").unwrap_or_default();
        names.sort();
        if let Some(n) = names
            .iter()
            .find(|n| crate::versions::major_minor(n).is_some())
        {
            facts.version = crate::versions::major_minor(n);
            facts.version_source = Some(format!("/lib/modules/{n}"));
        }
    }
    facts
}
