//! Check entry points for the rule engine: typed parameters per check name (serde, unknown
//! keys refused), a dispatcher that runs a named check on one asset of a root filesystem,
//! and helpers to locate a file's root filesystem inside a vehicle build.
//!
//! Rule parameter data files are referenced from rules with the catalog's include syntax,
//! e.g. `profile = { include = "params/kernel-hardening.toml" }`, so the parameter value is
//! the content of that file.

use crate::common::{FileSource, Finding, Limits, normalize_path};
use crate::{android, android_rc, firewall, inittab, kconfig, passwd, sshd, sysctl, uci, wifi};
use serde::{Deserialize, Serialize};

/// Check names, with the asset kind (slug) each applies to.
pub const CHECKS: &[(&str, &str)] = &[
    ("linux.sshd.root_login", "sshd_config"),
    ("linux.sshd.password_auth", "sshd_config"),
    ("linux.sshd.empty_passwords", "sshd_config"),
    ("linux.sshd.max_auth_tries", "sshd_config"),
    ("linux.sshd.user_environment", "sshd_config"),
    ("linux.sshd.algorithms", "sshd_config"),
    ("linux.sshd.x11_forwarding", "sshd_config"),
    ("linux.sshd.forwarding", "sshd_config"),
    ("linux.sshd.gateway_ports", "sshd_config"),
    ("linux.passwd.empty_password", "passwd"),
    ("linux.passwd.uid0", "passwd"),
    ("linux.passwd.service_shell", "passwd"),
    ("linux.shadow.hash_scheme", "shadow"),
    ("linux.kernel.hardening", "kernel_config"),
    ("linux.sysctl.hardening", "sysctl"),
    ("linux.firewall.default_deny", "firewall"),
    ("linux.uci.firewall", "uci_config"),
    ("linux.uci.dropbear", "uci_config"),
    ("linux.uci.remote_command", "uci_config"),
    ("linux.console.root_shell", "inittab"),
    ("android.debuggable", "android_props"),
    ("android.secure", "android_props"),
    ("android.adb_secure", "android_props"),
    ("android.adb_disabled", "android_props"),
    ("android.selinux_enforcing", "android_props"),
    ("android.build_type", "android_props"),
    ("android.build_identity", "android_props"),
    ("android.verified_boot", "android_props"),
    ("android.security_patch_age", "android_props"),
    ("android.wifi_wps", "android_props"),
    ("android.init_debug_services", "android_props"),
];

/// Parameters of checks that take none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// `linux.sshd.root_login`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RootLoginParams {
    /// Accept `PermitRootLogin prohibit-password` (key-only root login).
    #[serde(default)]
    pub allow_prohibit_password: bool,
}

fn default_max_auth_tries() -> u32 {
    4
}

/// `linux.sshd.max_auth_tries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxAuthTriesParams {
    #[serde(default = "default_max_auth_tries")]
    pub max: u32,
}

impl Default for MaxAuthTriesParams {
    fn default() -> Self {
        MaxAuthTriesParams { max: 4 }
    }
}

/// `linux.sshd.algorithms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlgorithmsParams {
    /// Verdict table (content of `params/ssh-algorithms.toml`).
    pub verdicts: sshd::SshAlgorithmVerdicts,
    #[serde(default)]
    pub fail_on_warn: bool,
    #[serde(default)]
    pub fail_on_unknown: bool,
    /// Accept NIST P-curve algorithms (default true; see [`sshd::AlgorithmPolicy`]).
    #[serde(default = "yes")]
    pub accept_nist_curves: bool,
}

fn yes() -> bool {
    true
}

/// `linux.sshd.forwarding`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardingParams {
    /// Accept `AllowTcpForwarding local` (local forwardings only, no remote listeners).
    #[serde(default)]
    pub allow_local: bool,
}

/// `linux.passwd.service_shell`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceShellParams {
    #[serde(default = "default_min_uid")]
    pub min_human_uid: u32,
    #[serde(default = "default_non_login")]
    pub non_login_shells: Vec<String>,
    #[serde(default)]
    pub allowed_accounts: Vec<String>,
}

fn default_min_uid() -> u32 {
    1000
}
fn default_non_login() -> Vec<String> {
    passwd::ShellPolicy::default().non_login_shells
}

/// `linux.kernel.hardening`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelParams {
    /// Profile (content of `params/kernel-hardening.toml`).
    pub profile: kconfig::KconfigProfile,
}

/// `linux.sysctl.hardening`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SysctlParams {
    /// Requirement set (content of `params/sysctl-hardening.toml`).
    pub requirements: sysctl::SysctlProfile,
    /// Also accept loose reverse-path filtering (`rp_filter = 2`).
    #[serde(default)]
    pub rp_filter_allow_loose: bool,
}

/// `linux.firewall.default_deny`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FirewallParams {
    #[serde(default = "default_hooks")]
    pub hooks: Vec<String>,
}

fn default_hooks() -> Vec<String> {
    vec!["input".into(), "forward".into()]
}

fn default_patch_months() -> u32 {
    3
}

/// `android.security_patch_age`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchAgeParams {
    /// Maximum age of the security patch level in whole months (default 3: the monthly
    /// Android bulletins, one quarter of slack).
    #[serde(default = "default_patch_months")]
    pub max_age_months: u32,
    /// Evaluation date `YYYY-MM-DD`; when absent, `as_of_unix` (the scan's `--as-of`,
    /// supplied by the caller) is used.
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub as_of_unix: Option<i64>,
}

pub use crate::common::CheckError;

fn params<P: serde::de::DeserializeOwned>(
    check: &str,
    v: &serde_json::Value,
) -> Result<P, CheckError> {
    let v = if v.is_null() {
        serde_json::json!({})
    } else {
        v.clone()
    };
    serde_json::from_value(v).map_err(|e| CheckError::BadParams {
        check: check.to_string(),
        message: e.to_string(),
    })
}

fn read(src: &dyn FileSource, path: &str) -> Result<Vec<u8>, CheckError> {
    src.read(path)
        .map_err(|m| CheckError::Read {
            path: path.to_string(),
            message: m,
        })?
        .ok_or_else(|| CheckError::Read {
            path: path.to_string(),
            message: "file not found in root filesystem".into(),
        })
}

/// Validate a check's parameters without running it (for rule-catalog loading).
pub fn validate_params(check: &str, params_v: &serde_json::Value) -> Result<(), CheckError> {
    match check {
        "linux.sshd.root_login" => params::<RootLoginParams>(check, params_v).map(|_| ()),
        "linux.sshd.max_auth_tries" => params::<MaxAuthTriesParams>(check, params_v).map(|_| ()),
        "linux.sshd.algorithms" => params::<AlgorithmsParams>(check, params_v).map(|_| ()),
        "linux.sshd.forwarding" => params::<ForwardingParams>(check, params_v).map(|_| ()),
        "linux.passwd.service_shell" => params::<ServiceShellParams>(check, params_v).map(|_| ()),
        "linux.kernel.hardening" => params::<KernelParams>(check, params_v).map(|_| ()),
        "linux.sysctl.hardening" => params::<SysctlParams>(check, params_v).map(|_| ()),
        "linux.firewall.default_deny" => params::<FirewallParams>(check, params_v).map(|_| ()),
        "android.security_patch_age" => {
            let p: PatchAgeParams = params(check, params_v)?;
            if let Some(d) = &p.as_of
                && android::parse_date(d).is_none()
            {
                return Err(CheckError::BadParams {
                    check: check.to_string(),
                    message: format!("as_of {d:?} is not a YYYY-MM-DD date"),
                });
            }
            Ok(())
        }
        c if CHECKS.iter().any(|(n, _)| *n == c) => params::<NoParams>(check, params_v).map(|_| ()),
        other => Err(CheckError::UnknownCheck(other.to_string())),
    }
}

pub use crate::android_load::{ANDROID_PROP_FILES, load_android_props};

/// Directory names that start the inside of a root filesystem.
const ROOT_ANCHORS: &[&str] = &[
    "etc",
    "boot",
    "system",
    "vendor",
    "usr",
    "lib",
    "run",
    "proc",
    "odm",
    "product",
    "system_ext",
];

/// Well-known in-root locations of the files the checks read (glob per component). The
/// longest one matching the end of a path decides where its root filesystem starts.
/// Android property files are in [`ANDROID_PROP_FILES`]; [`known_locations`] yields both.
pub const KNOWN_LOCATIONS: &[&str] = &[
    "/etc/ssh/sshd_config",
    "/etc/ssh/sshd_config.d/*",
    "/etc/passwd",
    "/etc/shadow",
    "/boot/config-*",
    "/boot/config",
    "/proc/config.gz",
    "/etc/sysctl.conf",
    "/etc/sysctl.d/*.conf",
    "/run/sysctl.d/*.conf",
    "/usr/local/lib/sysctl.d/*.conf",
    "/usr/lib/sysctl.d/*.conf",
    "/lib/sysctl.d/*.conf",
    "/etc/iptables/rules.v4",
    "/etc/iptables/rules.v6",
    "/etc/sysconfig/iptables",
    "/etc/sysconfig/ip6tables",
    "/etc/nftables.conf",
    "/etc/sysconfig/nftables.conf",
    "/etc/config/*",
    "/etc/inittab",
];

/// Every well-known location: [`KNOWN_LOCATIONS`] and the Android property files.
pub fn known_locations() -> impl Iterator<Item = &'static str> {
    KNOWN_LOCATIONS.iter().chain(ANDROID_PROP_FILES).copied()
}

/// Split a build-relative path into (root filesystem directory, absolute in-root path):
/// `tbox/rootfs/etc/ssh/sshd_config` -> (`tbox/rootfs`, `/etc/ssh/sshd_config`).
/// The longest [`KNOWN_LOCATIONS`] entry matching the end of the path decides; otherwise the
/// root starts before the first well-known top-level directory (`etc`, `boot`, `system`,
/// `vendor`, ...). Returns `None` when neither applies.
pub fn split_rootfs(rel: &str) -> Option<(String, String)> {
    let comps: Vec<&str> = rel
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let mut best: Option<usize> = None;
    for loc in known_locations() {
        let pat: Vec<&str> = loc.split('/').filter(|c| !c.is_empty()).collect();
        if pat.len() > comps.len() {
            continue;
        }
        let start = comps.len() - pat.len();
        let ok = pat
            .iter()
            .zip(&comps[start..])
            .all(|(p, c)| crate::common::fnmatch(p, c));
        if ok && best.is_none_or(|b| start < b) {
            best = Some(start);
        }
    }
    if let Some(i) = best {
        return Some((comps[..i].join("/"), format!("/{}", comps[i..].join("/"))));
    }
    for (i, c) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        if (!last && ROOT_ANCHORS.contains(c))
            || (last && matches!(*c, "default.prop" | "prop.default"))
        {
            return Some((comps[..i].join("/"), format!("/{}", comps[i..].join("/"))));
        }
    }
    None
}

/// The root's kernel as its files show it: the first readable kernel configuration
/// (`/boot/config-*` sorted, `/boot/config`, `/proc/config.gz`) and its header version,
/// else the version named by `/lib/modules/*`. Unreadable or malformed configurations are
/// skipped (the sysctl check then falls back to "default unknown").
pub fn root_kernel_facts(src: &dyn FileSource) -> crate::sysctl_defaults::KernelFacts {
    let mut facts = crate::sysctl_defaults::KernelFacts::default();
    let mut candidates: Vec<String> = src
        .list_dir("/boot")
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.starts_with("config"))
        .map(|n| format!("/boot/{n}"))
        .collect();
    candidates.sort();
    candidates.push("/proc/config.gz".into());
    for p in candidates {
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

/// Run a named check on the asset at `path` (in-root path) of the root filesystem `src`.
///
/// Checks that need more than one file use the root: `linux.sshd.*` follow `Include`s,
/// `linux.passwd.empty_password` reads `/etc/shadow` when present, `linux.sysctl.hardening`
/// evaluates the merged configuration of all sysctl files of the root (so the finding's
/// file/line point at the deciding file), `android.*` merge all property files of the root
/// in init's order.
pub fn run_check(
    check: &str,
    params_v: &serde_json::Value,
    src: &dyn FileSource,
    path: &str,
) -> Result<Vec<Finding>, CheckError> {
    let path = normalize_path(path);
    let sshd_eff = || -> Result<sshd::EffectiveConfig, CheckError> {
        let b = read(src, &path)?;
        // Defaults of the OpenSSH version the root's package database names.
        let ver = crate::versions::detect_openssh(src);
        let source = ver.as_ref().map(|v| v.source());
        let defaults = sshd::SshdDefaults::for_openssh(
            ver.as_ref()
                .zip(source.as_deref())
                .map(|(v, s)| (v.version.as_str(), s)),
        );
        Ok(sshd::parse_sshd_config(&path, &b, src)?.effective_with(&defaults, None))
    };
    let passwd_file = || -> Result<passwd::PasswdFile, CheckError> {
        let b = read(src, &path)?;
        Ok(passwd::parse_passwd(&path, &b)?)
    };
    let android_props = || load_android_props(src, &[path.as_str()]);
    let out = match check {
        "linux.sshd.root_login" => {
            let p: RootLoginParams = params(check, params_v)?;
            vec![sshd::check_root_login(
                &sshd_eff()?,
                p.allow_prohibit_password,
            )]
        }
        "linux.sshd.password_auth" => {
            let _: NoParams = params(check, params_v)?;
            vec![sshd::check_password_authentication(&sshd_eff()?)]
        }
        "linux.sshd.empty_passwords" => {
            let _: NoParams = params(check, params_v)?;
            vec![sshd::check_permit_empty_passwords(&sshd_eff()?)]
        }
        "linux.sshd.max_auth_tries" => {
            let p: MaxAuthTriesParams = params(check, params_v)?;
            vec![sshd::check_max_auth_tries(&sshd_eff()?, p.max)]
        }
        "linux.sshd.user_environment" => {
            let _: NoParams = params(check, params_v)?;
            vec![sshd::check_permit_user_environment(&sshd_eff()?)]
        }
        "linux.sshd.algorithms" => {
            let p: AlgorithmsParams = params(check, params_v)?;
            let policy = sshd::AlgorithmPolicy {
                fail_on_warn: p.fail_on_warn,
                fail_on_unknown: p.fail_on_unknown,
                accept_nist_curves: p.accept_nist_curves,
            };
            sshd::check_algorithms(&sshd_eff()?, &p.verdicts, &policy)
        }
        "linux.sshd.x11_forwarding" => {
            let _: NoParams = params(check, params_v)?;
            vec![sshd::check_x11_forwarding(&sshd_eff()?)]
        }
        "linux.sshd.forwarding" => {
            let p: ForwardingParams = params(check, params_v)?;
            sshd::check_forwarding(&sshd_eff()?, p.allow_local)
        }
        "linux.sshd.gateway_ports" => {
            let _: NoParams = params(check, params_v)?;
            vec![sshd::check_gateway_ports(&sshd_eff()?)]
        }
        "linux.passwd.empty_password" => {
            let _: NoParams = params(check, params_v)?;
            let pw = passwd_file()?;
            let shadow_path = path
                .rsplit_once('/')
                .map(|(d, _)| format!("{d}/shadow"))
                .unwrap_or_default();
            let shadow = match src.read(&shadow_path).ok().flatten() {
                Some(b) => Some(passwd::parse_shadow(&shadow_path, &b)?),
                None => None,
            };
            passwd::check_empty_passwords(&pw, shadow.as_ref())
        }
        "linux.passwd.uid0" => {
            let _: NoParams = params(check, params_v)?;
            passwd::check_uid0(&passwd_file()?)
        }
        "linux.passwd.service_shell" => {
            let p: ServiceShellParams = params(check, params_v)?;
            let policy = passwd::ShellPolicy {
                min_human_uid: p.min_human_uid,
                non_login_shells: p.non_login_shells,
                allowed_accounts: p.allowed_accounts,
            };
            passwd::check_service_shells(&passwd_file()?, &policy)
        }
        "linux.shadow.hash_scheme" => {
            let _: NoParams = params(check, params_v)?;
            let b = read(src, &path)?;
            passwd::check_shadow_hash_schemes(&passwd::parse_shadow(&path, &b)?)
        }
        "linux.kernel.hardening" => {
            let p: KernelParams = params(check, params_v)?;
            let b = read(src, &path)?;
            let cfg = if b.starts_with(&[0x1f, 0x8b]) {
                kconfig::parse_kconfig_gz(&path, &b, &Limits::default())?
            } else {
                kconfig::parse_kconfig(&path, &b)?
            };
            kconfig::evaluate_versioned(&cfg, &p.profile)
                .into_iter()
                .map(|r| {
                    let actual = r.actual.clone().unwrap_or_else(|| "not found".into());
                    Finding::new(
                        check,
                        &r.option,
                        &path,
                        r.line,
                        r.passed,
                        format!(
                            "{} = {actual} (desired: {}; {}; source: {}, {})",
                            r.option, r.desired, r.detail, r.source, r.reason
                        ),
                    )
                })
                .collect()
        }
        "linux.sysctl.hardening" => {
            let p: SysctlParams = params(check, params_v)?;
            let _ = read(src, &path)?;
            let mut cfg = sysctl::load_sysctl(src)?;
            if !cfg.files.contains(&path) {
                // An asset outside the standard locations is applied last.
                let b = read(src, &path)?;
                cfg.add_file(&path, &b)?;
            }
            let kernel = root_kernel_facts(src);
            sysctl::check_sysctl_with_kernel(
                &cfg,
                &p.requirements,
                p.rp_filter_allow_loose,
                Some(&kernel),
            )
        }
        "linux.firewall.default_deny" => {
            let p: FirewallParams = params(check, params_v)?;
            let b = read(src, &path)?;
            let rs = firewall::parse_ruleset(&path, &b)?;
            firewall::check_default_deny(&rs, &p.hooks)
        }
        "android.debuggable" | "android.secure" | "android.adb_secure" | "android.build_type" => {
            let _: NoParams = params(check, params_v)?;
            let _ = read(src, &path)?;
            let props = android_props()?;
            vec![match check {
                "android.debuggable" => android::check_debuggable(&props),
                "android.secure" => android::check_secure(&props),
                "android.adb_secure" => android::check_adb_secure(&props),
                _ => android::check_build_type(&props),
            }]
        }
        "android.adb_disabled" => {
            let _: NoParams = params(check, params_v)?;
            let _ = read(src, &path)?;
            android::check_adb_disabled(&android_props()?)
        }
        "android.selinux_enforcing" => {
            let _: NoParams = params(check, params_v)?;
            let _ = read(src, &path)?;
            android::check_selinux_enforcing(&android_props()?)
        }
        "linux.uci.firewall" | "linux.uci.dropbear" | "linux.uci.remote_command" => {
            let _: NoParams = params(check, params_v)?;
            let b = read(src, &path)?;
            let f = uci::parse_uci(&path, &b)?;
            match check {
                "linux.uci.firewall" if f.package == "firewall" => uci::check_firewall(&f),
                "linux.uci.dropbear" if f.package == "dropbear" => uci::check_dropbear(&f),
                "linux.uci.remote_command" => uci::check_remote_commands(&f),
                _ => Vec::new(), // another package: nothing to examine
            }
        }
        "linux.console.root_shell" => {
            let _: NoParams = params(check, params_v)?;
            let b = read(src, &path)?;
            let entries = inittab::parse_inittab(&path, &b)?;
            let system = match src.read("/etc/config/system").ok().flatten() {
                Some(sb) => Some(uci::parse_uci("/etc/config/system", &sb)?),
                None => None,
            };
            inittab::check_console_shells(&path, &entries, system.as_ref())
        }
        "android.build_identity" | "android.verified_boot" => {
            let _: NoParams = params(check, params_v)?;
            let _ = read(src, &path)?;
            let props = android_props()?;
            if check == "android.build_identity" {
                android::check_build_identity(&props)
            } else {
                android::check_verified_boot(&props)
            }
        }
        "android.security_patch_age" => {
            let p: PatchAgeParams = params(check, params_v)?;
            let as_of = match (&p.as_of, p.as_of_unix) {
                (Some(d), _) => android::parse_date(d).ok_or_else(|| CheckError::BadParams {
                    check: check.to_string(),
                    message: format!("as_of {d:?} is not a YYYY-MM-DD date"),
                })?,
                (None, Some(t)) => android::civil_from_days(t.div_euclid(86_400)),
                (None, None) => {
                    return Err(CheckError::BadParams {
                        check: check.to_string(),
                        message: "no evaluation date: give as_of (YYYY-MM-DD) or as_of_unix".into(),
                    });
                }
            };
            let _ = read(src, &path)?;
            android::check_security_patch_age(&android_props()?, as_of, p.max_age_months)
        }
        "android.wifi_wps" => {
            let _: NoParams = params(check, params_v)?;
            let _ = read(src, &path)?;
            let mut out = android::check_wps_props(&android_props()?);
            for f in wifi::WIFI_CONF_FILES {
                if let Some(b) = src.read(f).map_err(|m| CheckError::Read {
                    path: f.to_string(),
                    message: m,
                })? {
                    out.extend(wifi::check_wps_file(f, &b)?);
                }
            }
            out
        }
        "android.init_debug_services" => {
            let _: NoParams = params(check, params_v)?;
            let _ = read(src, &path)?;
            android_rc::check_debug_services(&android_rc::load_rc(src)?)
        }
        other => return Err(CheckError::UnknownCheck(other.to_string())),
    };
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn split() {
        assert_eq!(
            split_rootfs("tbox/rootfs/etc/ssh/sshd_config"),
            Some(("tbox/rootfs".into(), "/etc/ssh/sshd_config".into()))
        );
        assert_eq!(
            split_rootfs("ivi/system/build.prop"),
            Some(("ivi".into(), "/system/build.prop".into()))
        );
        assert_eq!(
            split_rootfs("ivi/root/default.prop"),
            Some(("ivi/root".into(), "/default.prop".into()))
        );
        assert_eq!(
            split_rootfs("etc/passwd"),
            Some(("".into(), "/etc/passwd".into()))
        );
        assert_eq!(split_rootfs("x/y"), None);
        // A top-level-looking directory above the real root does not mislead it.
        assert_eq!(
            split_rootfs("builds/system/tbox/rootfs/etc/ssh/sshd_config"),
            Some((
                "builds/system/tbox/rootfs".into(),
                "/etc/ssh/sshd_config".into()
            ))
        );
        assert_eq!(
            split_rootfs("ivi/lib/img/system/etc/prop.default"),
            Some(("ivi/lib/img".into(), "/system/etc/prop.default".into()))
        );
        assert_eq!(
            split_rootfs("t/rootfs/usr/lib/sysctl.d/50-x.conf"),
            Some(("t/rootfs".into(), "/usr/lib/sysctl.d/50-x.conf".into()))
        );
    }

    #[test]
    fn dispatch_and_params() {
        let root = MemRoot::new().with(
            "/etc/ssh/sshd_config",
            "PermitRootLogin prohibit-password\n",
        );
        let f = run_check(
            "linux.sshd.root_login",
            &serde_json::json!({}),
            &root,
            "/etc/ssh/sshd_config",
        )
        .unwrap();
        assert!(!f[0].passed);
        let f = run_check(
            "linux.sshd.root_login",
            &serde_json::json!({"allow_prohibit_password": true}),
            &root,
            "/etc/ssh/sshd_config",
        )
        .unwrap();
        assert!(f[0].passed);
        assert!(matches!(
            run_check(
                "linux.sshd.root_login",
                &serde_json::json!({"bogus": 1}),
                &root,
                "/etc/ssh/sshd_config"
            ),
            Err(CheckError::BadParams { .. })
        ));
        assert!(
            validate_params("linux.sshd.max_auth_tries", &serde_json::json!({"max": 3})).is_ok()
        );
        assert!(
            validate_params("linux.sshd.password_auth", &serde_json::json!({"max": 3})).is_err()
        );
        assert!(validate_params("linux.kernel.hardening", &serde_json::json!({})).is_err());
        assert!(matches!(
            run_check("nope", &serde_json::Value::Null, &root, "/x"),
            Err(CheckError::UnknownCheck(_))
        ));
        assert!(matches!(
            run_check(
                "linux.passwd.uid0",
                &serde_json::Value::Null,
                &root,
                "/etc/passwd"
            ),
            Err(CheckError::Read { .. })
        ));
    }
}
