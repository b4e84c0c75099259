//! Upstream kernel defaults of the sysctl keys the hardening profile checks, so that a
//! key no sysctl file sets is judged by the value the kernel really starts with instead
//! of failing blindly. Only *kernel* defaults are listed (what a kernel boots with before
//! any sysctl.d file runs); distribution defaults (systemd's `50-default.conf` setting
//! `fs.protected_*` to 1, Debian's `10-*.conf` files) are files in the root and are read
//! as such.
//!
//! | key | default | depends on | source (upstream kernel) |
//! |---|---|---|---|
//! | kernel.kptr_restrict | 0 | - | lib/vsprintf.c `int kptr_restrict` (2.6.38+) |
//! | kernel.dmesg_restrict | 1 if `CONFIG_SECURITY_DMESG_RESTRICT=y`, else 0 | .config | kernel/printk/printk.c (2.6.37+) |
//! | kernel.yama.ptrace_scope | 1 | `CONFIG_SECURITY_YAMA=y` (absent otherwise) | security/yama/yama_lsm.c `YAMA_SCOPE_RELATIONAL` (3.4+) |
//! | fs.protected_symlinks, fs.protected_hardlinks | 0 | - | fs/namei.c; 0 since 3.6 ("VFS: don't do protected {sym,hard}links by default") |
//! | fs.suid_dumpable | 0 | - | fs/coredump.c / `SUID_DUMP_DISABLE` |
//! | kernel.randomize_va_space | 2, or 1 with `CONFIG_COMPAT_BRK=y` | .config | mm/memory.c `randomize_va_space` |
//! | kernel.unprivileged_bpf_disabled | 2 with `CONFIG_BPF_UNPRIV_DEFAULT_OFF=y` (5.13+), else 0 | version, .config | kernel/bpf/syscall.c |
//! | net.core.bpf_jit_harden | 0 | - | kernel/bpf/core.c `bpf_jit_harden` |
//! | kernel.perf_event_paranoid | 2 from 4.6, 1 before | version | kernel/events/core.c (4.6: "perf/core: Change the default paranoia level to 2") |
//! | net.ipv4.conf.all.rp_filter | 0 | - | net/ipv4/devinet.c `ipv4_devconf` (not initialised) |
//! | net.ipv4.conf.all.accept_redirects | 1 | - | net/ipv4/devinet.c `ipv4_devconf` `ACCEPT_REDIRECTS = 1` |
//! | net.ipv4.conf.all.accept_source_route | 0 | - | net/ipv4/devinet.c `ipv4_devconf` (not initialised; only `default` has 1) |

use crate::kconfig::KernelConfig;
use serde::{Deserialize, Serialize};

/// What the root says about its kernel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelFacts {
    /// (major, minor).
    pub version: Option<(u32, u32)>,
    /// Where the version was read.
    pub version_source: Option<String>,
    pub config: Option<KernelConfig>,
}

/// A kernel default with the reason it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelDefault {
    pub value: String,
    pub why: String,
}

fn cfg_y(k: &KernelFacts, opt: &str) -> Option<bool> {
    k.config
        .as_ref()
        .map(|c| c.get(opt).is_some_and(|v| v.value == "y"))
}

fn d(value: &str, why: impl Into<String>) -> Option<KernelDefault> {
    Some(KernelDefault {
        value: value.to_string(),
        why: why.into(),
    })
}

/// The kernel default of `key` for this kernel, `None` when it depends on something the
/// root does not show (no kernel configuration, no version) or the key is not listed.
pub fn kernel_default(key: &str, k: &KernelFacts) -> Option<KernelDefault> {
    match key {
        "kernel.kptr_restrict" => d("0", "kernel default (lib/vsprintf.c)"),
        "kernel.dmesg_restrict" => match cfg_y(k, "CONFIG_SECURITY_DMESG_RESTRICT")? {
            true => d("1", "kernel default with CONFIG_SECURITY_DMESG_RESTRICT=y"),
            false => d("0", "kernel default without CONFIG_SECURITY_DMESG_RESTRICT"),
        },
        "kernel.yama.ptrace_scope" => match cfg_y(k, "CONFIG_SECURITY_YAMA")? {
            true => d(
                "1",
                "Yama's default YAMA_SCOPE_RELATIONAL (CONFIG_SECURITY_YAMA=y)",
            ),
            false => d("absent", "the kernel is built without Yama (no such key)"),
        },
        "fs.protected_symlinks" | "fs.protected_hardlinks" => d(
            "0",
            "kernel default since 3.6 (fs/namei.c); distributions set 1 in sysctl.d",
        ),
        "fs.suid_dumpable" => d("0", "kernel default SUID_DUMP_DISABLE"),
        "kernel.randomize_va_space" => match cfg_y(k, "CONFIG_COMPAT_BRK")? {
            true => d("1", "kernel default with CONFIG_COMPAT_BRK=y (mm/memory.c)"),
            false => d(
                "2",
                "kernel default without CONFIG_COMPAT_BRK (mm/memory.c)",
            ),
        },
        "kernel.unprivileged_bpf_disabled" => match cfg_y(k, "CONFIG_BPF_UNPRIV_DEFAULT_OFF")? {
            true => d(
                "2",
                "kernel default with CONFIG_BPF_UNPRIV_DEFAULT_OFF=y (5.13+)",
            ),
            false => d("0", "kernel default without CONFIG_BPF_UNPRIV_DEFAULT_OFF"),
        },
        "net.core.bpf_jit_harden" => d("0", "kernel default (kernel/bpf/core.c)"),
        "kernel.perf_event_paranoid" => {
            let v = k.version?;
            if v >= (4, 6) {
                d(
                    "2",
                    format!("kernel default since 4.6 (Linux {}.{})", v.0, v.1),
                )
            } else {
                d(
                    "1",
                    format!("kernel default before 4.6 (Linux {}.{})", v.0, v.1),
                )
            }
        }
        "net.ipv4.conf.all.rp_filter" => d("0", "kernel default (net/ipv4/devinet.c)"),
        "net.ipv4.conf.all.accept_redirects" => d("1", "kernel default (net/ipv4/devinet.c)"),
        "net.ipv4.conf.all.accept_source_route" => {
            d("0", "kernel default for `all` (net/ipv4/devinet.c)")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let none = KernelFacts::default();
        assert_eq!(
            kernel_default("kernel.kptr_restrict", &none).unwrap().value,
            "0"
        );
        assert!(kernel_default("kernel.dmesg_restrict", &none).is_none());
        assert!(kernel_default("kernel.perf_event_paranoid", &none).is_none());
        let cfg = crate::kconfig::parse_kconfig(
            "c",
            b"# Linux/x86_64 4.4.0 Kernel Configuration\nCONFIG_SECURITY_DMESG_RESTRICT=y\nCONFIG_COMPAT_BRK=y\n# CONFIG_SECURITY_YAMA is not set\n",
        )
        .unwrap();
        let k = KernelFacts {
            version: Some((4, 4)),
            version_source: None,
            config: Some(cfg),
        };
        assert_eq!(
            kernel_default("kernel.dmesg_restrict", &k).unwrap().value,
            "1"
        );
        assert_eq!(
            kernel_default("kernel.randomize_va_space", &k)
                .unwrap()
                .value,
            "1"
        );
        assert_eq!(
            kernel_default("kernel.perf_event_paranoid", &k)
                .unwrap()
                .value,
            "1"
        );
        assert_eq!(
            kernel_default("kernel.yama.ptrace_scope", &k)
                .unwrap()
                .value,
            "absent"
        );
        assert_eq!(
            kernel_default("kernel.unprivileged_bpf_disabled", &k)
                .unwrap()
                .value,
            "0"
        );
        assert!(kernel_default("vm.mmap_min_addr", &k).is_none());
    }
}
