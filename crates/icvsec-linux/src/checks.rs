//! Check entry points for the rule engine: typed parameters per check name (serde, unknown
//! keys refused), a dispatcher that runs a named check on one asset of a root filesystem,
//! and helpers to locate a file's root filesystem inside a vehicle build.
//!
//! Rule parameter data files are referenced from rules with the catalog's include syntax,
//! e.g. `profile = { include = "params/kernel-hardening.toml" }`, so the parameter value is
//! the content of that file.

use crate::common::{FileSource, Finding, normalize_path};
use crate::root::{ParsedRoot, parse_root};
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

/// A check's parameters, typed once when the rule is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypedParams {
    /// Checks that take no parameter.
    None,
    RootLogin(RootLoginParams),
    MaxAuthTries(MaxAuthTriesParams),
    Algorithms(Box<AlgorithmsParams>),
    Forwarding(ForwardingParams),
    ServiceShell(ServiceShellParams),
    Kernel(Box<KernelParams>),
    Sysctl(Box<SysctlParams>),
    Firewall(FirewallParams),
    /// `android.security_patch_age`, with its evaluation date already read (`as_of` as a
    /// civil date; else `as_of_unix`; else the scan's date given to [`judge`]).
    PatchAge {
        max_age_months: u32,
        as_of: Option<(i64, u32, u32)>,
        as_of_unix: Option<i64>,
    },
}

/// A named check with its typed parameters, prepared once per rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedCheck {
    pub name: &'static str,
    pub params: TypedParams,
}

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

/// Type a check's parameters (unknown keys and malformed values refused).
pub fn prepare(check: &str, params_v: &serde_json::Value) -> Result<PreparedCheck, CheckError> {
    let Some(&(name, _)) = CHECKS.iter().find(|(n, _)| *n == check) else {
        return Err(CheckError::UnknownCheck(check.to_string()));
    };
    let typed = match name {
        "linux.sshd.root_login" => TypedParams::RootLogin(params(check, params_v)?),
        "linux.sshd.max_auth_tries" => TypedParams::MaxAuthTries(params(check, params_v)?),
        "linux.sshd.algorithms" => TypedParams::Algorithms(Box::new(params(check, params_v)?)),
        "linux.sshd.forwarding" => TypedParams::Forwarding(params(check, params_v)?),
        "linux.passwd.service_shell" => TypedParams::ServiceShell(params(check, params_v)?),
        "linux.kernel.hardening" => TypedParams::Kernel(Box::new(params(check, params_v)?)),
        "linux.sysctl.hardening" => TypedParams::Sysctl(Box::new(params(check, params_v)?)),
        "linux.firewall.default_deny" => TypedParams::Firewall(params(check, params_v)?),
        "android.security_patch_age" => {
            let p: PatchAgeParams = params(check, params_v)?;
            let as_of = match &p.as_of {
                Some(d) => Some(android::parse_date(d).ok_or_else(|| CheckError::BadParams {
                    check: check.to_string(),
                    message: format!("as_of {d:?} is not a YYYY-MM-DD date"),
                })?),
                None => None,
            };
            TypedParams::PatchAge {
                max_age_months: p.max_age_months,
                as_of,
                as_of_unix: p.as_of_unix,
            }
        }
        _ => {
            let _: NoParams = params(check, params_v)?;
            TypedParams::None
        }
    };
    Ok(PreparedCheck {
        name,
        params: typed,
    })
}

/// Validate a check's parameters without running it (for rule-catalog loading).
pub fn validate_params(check: &str, params_v: &serde_json::Value) -> Result<(), CheckError> {
    prepare(check, params_v).map(|_| ())
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

pub use crate::kernel_facts::root_kernel_facts;

/// Judge a prepared check on the asset at `path` (in-root path) of a parsed root. Opens
/// no file: everything was read by [`crate::root::parse_root`].
///
/// Checks that need more than one file use the root: `linux.sshd.*` the configuration
/// with its `Include`s, `linux.passwd.empty_password` the `shadow` beside the passwd file
/// when present, `linux.sysctl.hardening` the merged configuration of all sysctl files of
/// the root (so the finding's file/line point at the deciding file), `android.*` all
/// property files of the root merged in init's order. `as_of_unix` is the scan's
/// evaluation date, used by `android.security_patch_age` when its parameters name none.
pub fn judge(
    check: &PreparedCheck,
    root: &ParsedRoot,
    path: &str,
    as_of_unix: Option<i64>,
) -> Result<Vec<Finding>, CheckError> {
    use TypedParams as T;
    let path = normalize_path(path);
    let path = path.as_str();
    let name = check.name;
    let out = match (name, &check.params) {
        ("linux.sshd.root_login", T::RootLogin(p)) => vec![sshd::check_root_login(
            root.sshd(path)?,
            p.allow_prohibit_password,
        )],
        ("linux.sshd.password_auth", T::None) => {
            vec![sshd::check_password_authentication(root.sshd(path)?)]
        }
        ("linux.sshd.empty_passwords", T::None) => {
            vec![sshd::check_permit_empty_passwords(root.sshd(path)?)]
        }
        ("linux.sshd.max_auth_tries", T::MaxAuthTries(p)) => {
            vec![sshd::check_max_auth_tries(root.sshd(path)?, p.max)]
        }
        ("linux.sshd.user_environment", T::None) => {
            vec![sshd::check_permit_user_environment(root.sshd(path)?)]
        }
        ("linux.sshd.algorithms", T::Algorithms(p)) => {
            let policy = sshd::AlgorithmPolicy {
                fail_on_warn: p.fail_on_warn,
                fail_on_unknown: p.fail_on_unknown,
                accept_nist_curves: p.accept_nist_curves,
            };
            sshd::check_algorithms(root.sshd(path)?, &p.verdicts, &policy)
        }
        ("linux.sshd.x11_forwarding", T::None) => {
            vec![sshd::check_x11_forwarding(root.sshd(path)?)]
        }
        ("linux.sshd.forwarding", T::Forwarding(p)) => {
            sshd::check_forwarding(root.sshd(path)?, p.allow_local)
        }
        ("linux.sshd.gateway_ports", T::None) => {
            vec![sshd::check_gateway_ports(root.sshd(path)?)]
        }
        ("linux.passwd.empty_password", T::None) => {
            let pw = root.passwd(path)?;
            passwd::check_empty_passwords(pw, root.passwd_shadow(path)?)
        }
        ("linux.passwd.uid0", T::None) => passwd::check_uid0(root.passwd(path)?),
        ("linux.passwd.service_shell", T::ServiceShell(p)) => {
            let policy = passwd::ShellPolicy {
                min_human_uid: p.min_human_uid,
                non_login_shells: p.non_login_shells.clone(),
                allowed_accounts: p.allowed_accounts.clone(),
            };
            passwd::check_service_shells(root.passwd(path)?, &policy)
        }
        ("linux.shadow.hash_scheme", T::None) => {
            passwd::check_shadow_hash_schemes(root.shadow(path)?)
        }
        ("linux.kernel.hardening", T::Kernel(p)) => {
            kconfig::evaluate_versioned(root.kernel_config(path)?, &p.profile)
                .into_iter()
                .map(|r| {
                    let actual = r.actual.clone().unwrap_or_else(|| "not found".into());
                    Finding::new(
                        name,
                        &r.option,
                        path,
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
        ("linux.sysctl.hardening", T::Sysctl(p)) => {
            let cfg = root.sysctl(path)?;
            sysctl::check_sysctl_with_kernel(
                cfg,
                &p.requirements,
                p.rp_filter_allow_loose,
                Some(root.kernel_facts()?),
            )
        }
        ("linux.firewall.default_deny", T::Firewall(p)) => {
            firewall::check_default_deny(root.firewall(path)?, &p.hooks)
        }
        (
            "android.debuggable" | "android.secure" | "android.adb_secure" | "android.build_type",
            T::None,
        ) => {
            root.android_read(path)?;
            let props = root.android_props(path)?;
            vec![match name {
                "android.debuggable" => android::check_debuggable(props),
                "android.secure" => android::check_secure(props),
                "android.adb_secure" => android::check_adb_secure(props),
                _ => android::check_build_type(props),
            }]
        }
        ("android.adb_disabled", T::None) => {
            root.android_read(path)?;
            android::check_adb_disabled(root.android_props(path)?)
        }
        ("android.selinux_enforcing", T::None) => {
            root.android_read(path)?;
            android::check_selinux_enforcing(root.android_props(path)?)
        }
        ("linux.uci.firewall" | "linux.uci.dropbear" | "linux.uci.remote_command", T::None) => {
            let f = root.uci(path)?;
            match name {
                "linux.uci.firewall" if f.package == "firewall" => uci::check_firewall(f),
                "linux.uci.dropbear" if f.package == "dropbear" => uci::check_dropbear(f),
                "linux.uci.remote_command" => uci::check_remote_commands(f),
                _ => Vec::new(), // another package: nothing to examine
            }
        }
        ("linux.console.root_shell", T::None) => {
            let entries = root.inittab(path)?;
            inittab::check_console_shells(path, entries, root.uci_system()?)
        }
        ("android.build_identity" | "android.verified_boot", T::None) => {
            root.android_read(path)?;
            let props = root.android_props(path)?;
            if name == "android.build_identity" {
                android::check_build_identity(props)
            } else {
                android::check_verified_boot(props)
            }
        }
        (
            "android.security_patch_age",
            T::PatchAge {
                max_age_months,
                as_of,
                as_of_unix: param_unix,
            },
        ) => {
            let as_of = match (as_of, param_unix.or(as_of_unix)) {
                (Some(d), _) => *d,
                (None, Some(t)) => android::civil_from_days(t.div_euclid(86_400)),
                (None, None) => {
                    return Err(CheckError::BadParams {
                        check: name.to_string(),
                        message: "no evaluation date: give as_of (YYYY-MM-DD) or as_of_unix".into(),
                    });
                }
            };
            root.android_read(path)?;
            android::check_security_patch_age(root.android_props(path)?, as_of, *max_age_months)
        }
        ("android.wifi_wps", T::None) => {
            root.android_read(path)?;
            let mut out = android::check_wps_props(root.android_props(path)?);
            for (f, kv) in root.wifi()? {
                out.extend(wifi::check_wps_settings(f, kv));
            }
            out
        }
        ("android.init_debug_services", T::None) => {
            root.android_read(path)?;
            android_rc::check_debug_services(root.rc()?)
        }
        (other, _) => {
            return Err(CheckError::BadParams {
                check: other.to_string(),
                message: "parameters prepared for another check".into(),
            });
        }
    };
    Ok(out)
}

/// Parse the root for one asset, then judge: for tests and one-off use (a scan parses
/// each root once at load and calls [`judge`]).
pub fn run_check(
    check: &str,
    params_v: &serde_json::Value,
    src: &dyn FileSource,
    path: &str,
) -> Result<Vec<Finding>, CheckError> {
    let prepared = prepare(check, params_v)?;
    let slug = CHECKS
        .iter()
        .find(|(n, _)| *n == prepared.name)
        .map_or("", |c| c.1);
    let root = parse_root(src, &[(slug, path)], false);
    judge(&prepared, &root, path, None)
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
