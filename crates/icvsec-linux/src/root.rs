//! A root filesystem parsed once: every file the checks of [`crate::checks`] judge, and
//! every file those checks consult beside it (sshd `Include`s, the sibling `shadow`, the
//! merged sysctl and Android property configurations, Wi-Fi and init `.rc` files, the
//! root's kernel facts), read and parsed when the build is loaded.
//!
//! Parsing is split from judging so that no check opens a file: [`parse_root`] reads
//! through a [`FileSource`] and keeps each result as `Result<_, CheckError>` (a file that
//! could not be read or parsed is a broken asset that names its file and line, exactly the
//! error the check reports); `checks::judge` then only queries a [`ParsedRoot`].
//!
//! Merges that depend on the evaluated asset (an asset outside the standard locations is
//! applied last) are precomputed per asset, so judging an asset gives the same result as
//! reading the root again for it.

use crate::android_load::{ANDROID_PROP_FILES, load_android_props};
use crate::common::{CheckError, FileSource, Limits, normalize_path};
use crate::listeners::ListenerInventory;
use crate::sysctl_defaults::KernelFacts;
use crate::versions::Versions;
use crate::{
    android, android_capture, android_rc, firewall, inittab, kconfig, passwd, sshd, sysctl, uci,
    wifi,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One parsed asset of a root, by asset kind.
#[derive(Debug, Clone)]
pub enum ParsedAsset {
    /// `sshd_config`: the effective configuration (Includes followed, defaults of the
    /// root's OpenSSH version applied).
    Sshd(Result<sshd::EffectiveConfig, CheckError>),
    /// `passwd`, with the `shadow` beside it (`Ok(None)`: no shadow there).
    Passwd {
        passwd: Result<passwd::PasswdFile, CheckError>,
        shadow: Result<Option<passwd::ShadowFile>, CheckError>,
    },
    Shadow(Result<passwd::ShadowFile, CheckError>),
    Kernel(Result<kconfig::KernelConfig, CheckError>),
    /// `sysctl`: the merged configuration of the root as this asset sees it.
    Sysctl(Result<Arc<sysctl::SysctlConfig>, CheckError>),
    Firewall(Result<firewall::Ruleset, CheckError>),
    Uci(Result<uci::UciFile, CheckError>),
    Inittab(Result<Vec<inittab::InittabEntry>, CheckError>),
    /// `android_props`: whether the asset itself could be read, and the merged properties
    /// of the root as this asset sees it.
    Android {
        read: Result<(), CheckError>,
        props: Result<Arc<android::Props>, CheckError>,
    },
}

/// One Wi-Fi daemon configuration file: its in-root path and `key=value` settings.
pub type WifiConf = (String, Vec<(String, String, usize)>);

/// Everything the Linux/Android checks and the ECU cross-checks need of one root
/// filesystem, parsed once. Parts no requested asset needs are `None`.
#[derive(Debug, Clone, Default)]
pub struct ParsedRoot {
    /// Parsed assets by (asset kind slug, normalised in-root path).
    pub assets: BTreeMap<(String, String), ParsedAsset>,
    /// The root's kernel (for sysctl defaults); present when a sysctl asset is.
    pub kernel_facts: Option<KernelFacts>,
    /// `/etc/config/system` (OpenWrt `ttylogin`); present when an inittab asset is.
    pub uci_system: Option<Result<Option<uci::UciFile>, CheckError>>,
    /// Wi-Fi daemon configurations present, in [`wifi::WIFI_CONF_FILES`] order.
    pub wifi: Option<Result<Vec<WifiConf>, CheckError>>,
    /// Init `.rc` files.
    pub rc: Option<Result<android_rc::RcFiles, CheckError>>,
    /// Facts for the ECU cross-checks (present when asked for).
    pub facts: Option<RootFacts>,
}

/// What the ECU cross-checks compare a declaration with.
#[derive(Debug, Clone)]
pub struct RootFacts {
    /// Every Android property file of the root merged in init's order (captures last).
    pub android_props: Result<Arc<android::Props>, CheckError>,
    /// What the root would start listening (nginx aside, read by the TLS family).
    pub listeners: ListenerInventory,
    /// OS release, kernel, Android and library versions the root shows.
    pub versions: Versions,
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

/// Read and parse a root: the assets named by (asset kind slug as in
/// `checks::CHECKS`, in-root path), what their checks consult beside them, and
/// with `facts` the cross-check facts. Unknown kinds are ignored (no check judges them).
pub fn parse_root(src: &dyn FileSource, assets: &[(&str, &str)], facts: bool) -> ParsedRoot {
    let has = |slug: &str| assets.iter().any(|(s, _)| *s == slug);
    let mut root = ParsedRoot::default();
    // Root-wide parts, each read once for all the assets that need it.
    let ssh_defaults = has("sshd_config").then(|| {
        // Defaults of the OpenSSH version the root's package database names.
        let ver = crate::versions::detect_openssh(src);
        let source = ver.as_ref().map(|v| v.source());
        sshd::SshdDefaults::for_openssh(
            ver.as_ref()
                .zip(source.as_deref())
                .map(|(v, s)| (v.version.as_str(), s)),
        )
    });
    let sysctl_base = has("sysctl").then(|| {
        sysctl::load_sysctl(src)
            .map(Arc::new)
            .map_err(CheckError::from)
    });
    if has("sysctl") {
        root.kernel_facts = Some(crate::kernel_facts::root_kernel_facts(src));
    }
    if has("inittab") {
        root.uci_system = Some(match src.read("/etc/config/system").ok().flatten() {
            Some(b) => uci::parse_uci("/etc/config/system", &b)
                .map(Some)
                .map_err(CheckError::from),
            None => Ok(None),
        });
    }
    let props_base =
        (has("android_props") || facts).then(|| load_android_props(src, &[]).map(Arc::new));
    if has("android_props") {
        root.wifi = Some(load_wifi(src));
        root.rc = Some(android_rc::load_rc(src).map_err(CheckError::from));
    }
    for (slug, path) in assets {
        let path = normalize_path(path);
        let parsed = match *slug {
            "sshd_config" => ParsedAsset::Sshd(read(src, &path).and_then(|b| {
                let defaults = ssh_defaults
                    .clone()
                    .unwrap_or_else(sshd::SshdDefaults::openssh_9_2);
                Ok(sshd::parse_sshd_config(&path, &b, src)?.effective_with(&defaults, None))
            })),
            "passwd" => {
                let shadow_path = path
                    .rsplit_once('/')
                    .map(|(d, _)| format!("{d}/shadow"))
                    .unwrap_or_default();
                ParsedAsset::Passwd {
                    passwd: read(src, &path).and_then(|b| Ok(passwd::parse_passwd(&path, &b)?)),
                    // An unreadable shadow is judged as absent, as before.
                    shadow: match src.read(&shadow_path).ok().flatten() {
                        Some(b) => passwd::parse_shadow(&shadow_path, &b)
                            .map(Some)
                            .map_err(CheckError::from),
                        None => Ok(None),
                    },
                }
            }
            "shadow" => ParsedAsset::Shadow(
                read(src, &path).and_then(|b| Ok(passwd::parse_shadow(&path, &b)?)),
            ),
            "kernel_config" => ParsedAsset::Kernel(read(src, &path).and_then(|b| {
                Ok(if b.starts_with(&[0x1f, 0x8b]) {
                    kconfig::parse_kconfig_gz(&path, &b, &Limits::default())?
                } else {
                    kconfig::parse_kconfig(&path, &b)?
                })
            })),
            "sysctl" => ParsedAsset::Sysctl(read(src, &path).and_then(|_| {
                let base = sysctl_base.clone().unwrap_or_else(|| {
                    sysctl::load_sysctl(src).map(Arc::new).map_err(Into::into)
                })?;
                if base.files.contains(&path) {
                    return Ok(base);
                }
                // An asset outside the standard locations is applied last.
                let mut cfg = (*base).clone();
                let b = read(src, &path)?;
                cfg.add_file(&path, &b)?;
                Ok(Arc::new(cfg))
            })),
            "firewall" => ParsedAsset::Firewall(
                read(src, &path).and_then(|b| Ok(firewall::parse_ruleset(&path, &b)?)),
            ),
            "uci_config" => {
                ParsedAsset::Uci(read(src, &path).and_then(|b| Ok(uci::parse_uci(&path, &b)?)))
            }
            "inittab" => ParsedAsset::Inittab(
                read(src, &path).and_then(|b| Ok(inittab::parse_inittab(&path, &b)?)),
            ),
            "android_props" => {
                let r = read(src, &path).map(|_| ());
                let props = match &r {
                    Err(e) => Err(e.clone()),
                    // A file init loads anyway (or a capture) changes nothing in the merge;
                    // one elsewhere is appended last.
                    Ok(())
                        if ANDROID_PROP_FILES.contains(&path.as_str())
                            || android_capture::CAPTURE_FILES.contains(&path.as_str()) =>
                    {
                        match &props_base {
                            Some(b) => b.clone(),
                            None => load_android_props(src, &[]).map(Arc::new),
                        }
                    }
                    Ok(()) => load_android_props(src, &[path.as_str()]).map(Arc::new),
                };
                ParsedAsset::Android { read: r, props }
            }
            _ => continue,
        };
        root.assets.insert((slug.to_string(), path), parsed);
    }
    if facts {
        root.facts = Some(RootFacts {
            android_props: props_base
                .clone()
                .unwrap_or_else(|| load_android_props(src, &[]).map(Arc::new)),
            listeners: crate::listeners::listener_inventory(src),
            versions: crate::versions::detect_versions(src),
        });
    }
    root
}

/// The Wi-Fi daemon configurations of a root; the first unreadable or malformed one is
/// the error.
fn load_wifi(src: &dyn FileSource) -> Result<Vec<WifiConf>, CheckError> {
    let mut out = Vec::new();
    for f in wifi::WIFI_CONF_FILES {
        if let Some(b) = src.read(f).map_err(|m| CheckError::Read {
            path: f.to_string(),
            message: m,
        })? {
            out.push((f.to_string(), wifi::parse_kv(f, &b)?));
        }
    }
    Ok(out)
}

fn not_loaded(slug: &str, path: &str) -> CheckError {
    CheckError::Read {
        path: path.to_string(),
        message: format!("not parsed as {slug} when the build was loaded"),
    }
}

fn err<T>(r: &Result<T, CheckError>) -> Result<&T, CheckError> {
    r.as_ref().map_err(Clone::clone)
}

impl ParsedRoot {
    /// The parsed asset of that kind at that in-root path.
    pub fn asset(&self, slug: &str, path: &str) -> Result<&ParsedAsset, CheckError> {
        self.assets
            .get(&(slug.to_string(), normalize_path(path)))
            .ok_or_else(|| not_loaded(slug, path))
    }

    pub fn sshd(&self, path: &str) -> Result<&sshd::EffectiveConfig, CheckError> {
        match self.asset("sshd_config", path)? {
            ParsedAsset::Sshd(r) => err(r),
            _ => Err(not_loaded("sshd_config", path)),
        }
    }

    pub fn passwd(&self, path: &str) -> Result<&passwd::PasswdFile, CheckError> {
        match self.asset("passwd", path)? {
            ParsedAsset::Passwd { passwd, .. } => err(passwd),
            _ => Err(not_loaded("passwd", path)),
        }
    }

    /// The shadow file beside a passwd asset (`None`: absent or unreadable).
    pub fn passwd_shadow(&self, path: &str) -> Result<Option<&passwd::ShadowFile>, CheckError> {
        match self.asset("passwd", path)? {
            ParsedAsset::Passwd { shadow, .. } => err(shadow).map(Option::as_ref),
            _ => Err(not_loaded("passwd", path)),
        }
    }

    pub fn shadow(&self, path: &str) -> Result<&passwd::ShadowFile, CheckError> {
        match self.asset("shadow", path)? {
            ParsedAsset::Shadow(r) => err(r),
            _ => Err(not_loaded("shadow", path)),
        }
    }

    pub fn kernel_config(&self, path: &str) -> Result<&kconfig::KernelConfig, CheckError> {
        match self.asset("kernel_config", path)? {
            ParsedAsset::Kernel(r) => err(r),
            _ => Err(not_loaded("kernel_config", path)),
        }
    }

    /// The merged sysctl configuration as the asset at `path` sees it.
    pub fn sysctl(&self, path: &str) -> Result<&sysctl::SysctlConfig, CheckError> {
        match self.asset("sysctl", path)? {
            ParsedAsset::Sysctl(r) => err(r).map(|a| a.as_ref()),
            _ => Err(not_loaded("sysctl", path)),
        }
    }

    pub fn firewall(&self, path: &str) -> Result<&firewall::Ruleset, CheckError> {
        match self.asset("firewall", path)? {
            ParsedAsset::Firewall(r) => err(r),
            _ => Err(not_loaded("firewall", path)),
        }
    }

    pub fn uci(&self, path: &str) -> Result<&uci::UciFile, CheckError> {
        match self.asset("uci_config", path)? {
            ParsedAsset::Uci(r) => err(r),
            _ => Err(not_loaded("uci_config", path)),
        }
    }

    pub fn inittab(&self, path: &str) -> Result<&[inittab::InittabEntry], CheckError> {
        match self.asset("inittab", path)? {
            ParsedAsset::Inittab(r) => err(r).map(Vec::as_slice),
            _ => Err(not_loaded("inittab", path)),
        }
    }

    /// Whether the Android property asset at `path` itself could be read.
    pub fn android_read(&self, path: &str) -> Result<(), CheckError> {
        match self.asset("android_props", path)? {
            ParsedAsset::Android { read, .. } => read.clone(),
            _ => Err(not_loaded("android_props", path)),
        }
    }

    /// The merged Android properties as the asset at `path` sees them.
    pub fn android_props(&self, path: &str) -> Result<&android::Props, CheckError> {
        match self.asset("android_props", path)? {
            ParsedAsset::Android { props, .. } => err(props).map(|a| a.as_ref()),
            _ => Err(not_loaded("android_props", path)),
        }
    }

    pub fn kernel_facts(&self) -> Result<&KernelFacts, CheckError> {
        self.kernel_facts
            .as_ref()
            .ok_or_else(|| not_loaded("sysctl", "/boot"))
    }

    pub fn uci_system(&self) -> Result<Option<&uci::UciFile>, CheckError> {
        match &self.uci_system {
            Some(r) => err(r).map(Option::as_ref),
            None => Err(not_loaded("uci_config", "/etc/config/system")),
        }
    }

    pub fn wifi(&self) -> Result<&[WifiConf], CheckError> {
        match &self.wifi {
            Some(r) => err(r).map(Vec::as_slice),
            None => Err(not_loaded("wifi", "/etc/wpa_supplicant.conf")),
        }
    }

    pub fn rc(&self) -> Result<&android_rc::RcFiles, CheckError> {
        match &self.rc {
            Some(r) => err(r),
            None => Err(not_loaded("init rc", "/init.rc")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::{judge, prepare};
    use crate::common::MemRoot;
    use serde_json::json;

    fn judge_one(
        root: &ParsedRoot,
        check: &str,
        params: serde_json::Value,
        path: &str,
    ) -> Result<Vec<crate::Finding>, CheckError> {
        judge(&prepare(check, &params).unwrap(), root, path, None)
    }

    #[test]
    fn sshd_include_parse_error_names_the_included_file_and_line() {
        let src = MemRoot::new()
            .with(
                "/etc/ssh/sshd_config",
                "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n",
            )
            .with(
                "/etc/ssh/sshd_config.d/10-bad.conf",
                "PasswordAuthentication no\nMatch\n",
            );
        let root = parse_root(&src, &[("sshd_config", "/etc/ssh/sshd_config")], false);
        // Parsed once: the error is kept with the asset, and every sshd check reports it.
        for check in ["linux.sshd.root_login", "linux.sshd.password_auth"] {
            let e = judge_one(&root, check, json!({}), "/etc/ssh/sshd_config")
                .expect_err("a broken Include is an error, never a pass");
            match e {
                CheckError::Parse(p) => {
                    assert_eq!(p.file, "/etc/ssh/sshd_config.d/10-bad.conf");
                    assert_eq!(p.line, Some(2), "{p}");
                }
                other => panic!("expected a parse error, got {other:?}"),
            }
        }
        // A file that was not parsed at load is an error too, not an empty result.
        assert!(matches!(
            judge_one(&root, "linux.passwd.uid0", json!({}), "/etc/passwd"),
            Err(CheckError::Read { .. })
        ));
    }

    #[test]
    fn shadow_beside_passwd_absent_or_present() {
        let passwd = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n";
        let without = MemRoot::new().with("/etc/passwd", passwd);
        let root = parse_root(&without, &[("passwd", "/etc/passwd")], false);
        assert!(root.passwd_shadow("/etc/passwd").unwrap().is_none());
        let f = judge_one(
            &root,
            "linux.passwd.empty_password",
            json!({}),
            "/etc/passwd",
        )
        .unwrap();
        // Without the shadow, `x` accounts cannot be verified: never a pass.
        assert!(
            f.iter()
                .all(|f| !f.passed && f.message.contains("no shadow entry")),
            "{f:#?}"
        );

        let with = without.with(
            "/etc/shadow",
            "root::19000:0:99999:7:::\nuser:!:19000::::::\n",
        );
        let root = parse_root(&with, &[("passwd", "/etc/passwd")], false);
        assert!(root.passwd_shadow("/etc/passwd").unwrap().is_some());
        let f = judge_one(
            &root,
            "linux.passwd.empty_password",
            json!({}),
            "/etc/passwd",
        )
        .unwrap();
        let failed: Vec<_> = f.iter().filter(|f| !f.passed).collect();
        assert_eq!(failed.len(), 1, "{f:#?}");
        assert_eq!(failed[0].file, "/etc/shadow");
        assert_eq!(failed[0].line, Some(1));

        // A malformed shadow is an error naming it, as when the check read it itself.
        let broken = MemRoot::new()
            .with("/etc/passwd", passwd)
            .with("/etc/shadow", "root\n");
        let root = parse_root(&broken, &[("passwd", "/etc/passwd")], false);
        match judge_one(
            &root,
            "linux.passwd.empty_password",
            json!({}),
            "/etc/passwd",
        ) {
            Err(CheckError::Parse(p)) => assert_eq!(p.file, "/etc/shadow"),
            other => panic!("expected a shadow parse error, got {other:?}"),
        }
        // The other passwd checks do not need the shadow.
        assert!(judge_one(&root, "linux.passwd.uid0", json!({}), "/etc/passwd").is_ok());
    }

    #[test]
    fn merged_sysctl_appends_an_asset_outside_the_standard_locations() {
        let src = MemRoot::new()
            .with("/etc/sysctl.conf", "kernel.kptr_restrict = 1\n")
            .with("/etc/sysctl.d/10-net.conf", "net.ipv4.ip_forward = 0\n")
            .with("/opt/tune/sysctl.conf", "kernel.kptr_restrict = 0\n");
        let assets = [
            ("sysctl", "/etc/sysctl.conf"),
            ("sysctl", "/etc/sysctl.d/10-net.conf"),
            ("sysctl", "/opt/tune/sysctl.conf"),
        ];
        let root = parse_root(&src, &assets, false);
        // The standard files share the root's merge; the loose file sees itself last.
        let std_cfg = root.sysctl("/etc/sysctl.conf").unwrap();
        assert_eq!(std_cfg, root.sysctl("/etc/sysctl.d/10-net.conf").unwrap());
        assert_eq!(std_cfg.get("kernel.kptr_restrict").unwrap().value, "1");
        let loose = root.sysctl("/opt/tune/sysctl.conf").unwrap();
        assert_eq!(loose.files.last().unwrap(), "/opt/tune/sysctl.conf");
        let v = loose.get("kernel.kptr_restrict").unwrap();
        assert_eq!(
            (v.value.as_str(), v.file.as_str()),
            ("0", "/opt/tune/sysctl.conf")
        );
        assert!(root.kernel_facts().is_ok());

        // Judged from the parsed root, the result is the one of reading the root for it.
        let params = json!({"requirements": {"requirement": [
            {"key": "kernel.kptr_restrict", "allowed": ["1", "2"]}
        ]}});
        for (_, path) in assets {
            let parsed = judge_one(&root, "linux.sysctl.hardening", params.clone(), path).unwrap();
            let direct =
                crate::checks::run_check("linux.sysctl.hardening", &params, &src, path).unwrap();
            assert_eq!(parsed, direct, "{path}");
        }
        let loose = judge_one(
            &root,
            "linux.sysctl.hardening",
            params,
            "/opt/tune/sysctl.conf",
        )
        .unwrap();
        assert!(!loose[0].passed && loose[0].file == "/opt/tune/sysctl.conf");
    }

    #[test]
    fn android_props_merge_per_asset_and_patch_date_at_judge_time() {
        let src = MemRoot::new()
            .with(
                "/system/build.prop",
                "ro.build.version.security_patch=2026-01-05\nro.debuggable=0\n",
            )
            .with("/oem/extra.prop", "ro.debuggable=1\n");
        let root = parse_root(
            &src,
            &[
                ("android_props", "/system/build.prop"),
                ("android_props", "/oem/extra.prop"),
            ],
            true,
        );
        let dbg = |p| judge_one(&root, "android.debuggable", json!({}), p).unwrap();
        assert!(dbg("/system/build.prop")[0].passed);
        assert!(!dbg("/oem/extra.prop")[0].passed);
        // The cross-check facts merge only the standard files.
        let facts = root.facts.as_ref().unwrap();
        let all = facts.android_props.as_ref().unwrap();
        assert_eq!(all.get("ro.debuggable").unwrap().value, "0");

        let age = prepare("android.security_patch_age", &json!({})).unwrap();
        let day = |y: i64, m: u32, d: u32| -> i64 {
            // Days from civil, through the inverse used by the check.
            (0..40_000i64)
                .find(|n| android::civil_from_days(*n) == (y, m, d))
                .unwrap()
                * 86_400
        };
        let fresh = judge(&age, &root, "/system/build.prop", Some(day(2026, 2, 1))).unwrap();
        assert!(fresh.iter().all(|f| f.passed), "{fresh:#?}");
        let stale = judge(&age, &root, "/system/build.prop", Some(day(2027, 2, 1))).unwrap();
        assert!(stale.iter().any(|f| !f.passed), "{stale:#?}");
        assert!(matches!(
            judge(&age, &root, "/system/build.prop", None),
            Err(CheckError::BadParams { .. })
        ));
    }
}
