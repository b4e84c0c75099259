//! Kernel runtime parameters set at boot: `/etc/sysctl.conf` and `sysctl.d` drop-ins, with
//! requirements as data (`rules/params/sysctl-hardening.toml`).
//!
//! Format (sysctl.d(5)): `key = value`, `#` and `;` comments, a leading `-` (ignore errors)
//! is stripped. Keys may use `.` or `/` as separator; if the first separator is `/`, slashes
//! and dots are swapped (so `net/ipv4/conf/eth0.1/rp_filter` is `net.ipv4.conf.eth0/1.rp_filter`).
//! Load order (systemd-sysctl / `sysctl --system`): drop-ins from `/etc/sysctl.d`,
//! `/run/sysctl.d`, `/usr/local/lib/sysctl.d`, `/usr/lib/sysctl.d`, `/lib/sysctl.d`, a name in
//! an earlier directory masking the same name in a later one, sorted by file name; then
//! `/etc/sysctl.conf`. The last assignment wins.

use crate::common::{FileSource, Finding, Limits, ParseError, fnmatch, text_lines};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysctlValue {
    pub value: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysctlConfig {
    /// Files read, in load order.
    pub files: Vec<String>,
    /// Normalised key (dots) -> last value.
    pub settings: BTreeMap<String, SysctlValue>,
}

/// Normalise a key to the dotted form.
pub fn normalize_key(k: &str) -> String {
    let first = k.find(['.', '/']);
    match first.map(|i| &k[i..i + 1]) {
        Some("/") => k
            .chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                o => o,
            })
            .collect(),
        _ => k.to_string(),
    }
}

impl SysctlConfig {
    /// Add one file's assignments on top of earlier ones.
    pub fn add_file(&mut self, file: &str, bytes: &[u8]) -> Result<(), ParseError> {
        let lines = text_lines(file, bytes, &Limits::default())?;
        for (i, raw) in lines.iter().enumerate() {
            let line = i + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
                continue;
            }
            let l = l.strip_prefix('-').unwrap_or(l);
            let Some((k, v)) = l.split_once('=') else {
                return Err(ParseError::at(file, line, "expected key = value"));
            };
            let k = k.trim();
            if k.is_empty()
                || k.len() > 256
                || !k.chars().all(|c| {
                    c.is_ascii_alphanumeric()
                        || matches!(c, '.' | '/' | '_' | '-' | '*' | ':' | '@')
                })
            {
                return Err(ParseError::at(
                    file,
                    line,
                    format!(
                        "invalid sysctl key {:?}",
                        k.chars().take(40).collect::<String>()
                    ),
                ));
            }
            self.settings.insert(
                normalize_key(k),
                SysctlValue {
                    value: v.trim().to_string(),
                    file: file.to_string(),
                    line,
                },
            );
        }
        self.files.push(file.to_string());
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&SysctlValue> {
        self.settings.get(&normalize_key(key))
    }
}

/// Parse one file.
pub fn parse_sysctl(file: &str, bytes: &[u8]) -> Result<SysctlConfig, ParseError> {
    let mut c = SysctlConfig::default();
    c.add_file(file, bytes)?;
    Ok(c)
}

/// Directories searched for drop-ins, highest precedence first.
pub const SYSCTL_DIRS: &[&str] = &[
    "/etc/sysctl.d",
    "/run/sysctl.d",
    "/usr/local/lib/sysctl.d",
    "/usr/lib/sysctl.d",
    "/lib/sysctl.d",
];

/// Load every sysctl file of a root filesystem in the order systemd-sysctl applies them.
pub fn load_sysctl(src: &dyn FileSource) -> Result<SysctlConfig, ParseError> {
    let mut chosen: BTreeMap<String, String> = BTreeMap::new();
    for dir in SYSCTL_DIRS {
        let names = src
            .list_dir(dir)
            .map_err(|e| ParseError::new(dir, None, e))?;
        for n in names {
            if fnmatch("*.conf", &n) && !chosen.contains_key(&n) {
                chosen.insert(n.clone(), format!("{dir}/{n}"));
            }
        }
    }
    let mut cfg = SysctlConfig::default();
    let mut paths: Vec<String> = chosen.into_values().collect();
    // BTreeMap keyed by name already sorts by file name.
    paths.push("/etc/sysctl.conf".to_string());
    for p in paths {
        let bytes = src.read(&p).map_err(|e| ParseError::new(&p, None, e))?;
        // /dev/null-masked drop-ins and absent sysctl.conf are fine.
        if let Some(b) = bytes {
            cfg.add_file(&p, &b)?;
        }
    }
    Ok(cfg)
}

/// One requirement on a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysctlRequirement {
    pub key: String,
    /// Accepted values (exact, after trimming); empty = no list constraint.
    #[serde(default)]
    pub allowed: Vec<String>,
    /// Minimum integer value.
    #[serde(default)]
    pub min: Option<i64>,
    /// Maximum integer value.
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub source: String,
}

/// A requirement set (`rules/params/sysctl-hardening.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SysctlProfile {
    #[serde(rename = "requirement")]
    pub requirements: Vec<SysctlRequirement>,
}

impl SysctlProfile {
    pub fn from_toml(label: &str, text: &str) -> Result<Self, ParseError> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            ParseError::new(label, line, e.message().to_string())
        })
    }
}

/// Evaluate requirements. A key set in no file fails ("not set: kernel default applies",
/// which this check cannot see). `rp_filter_allow_loose` additionally accepts `2` for
/// `net.ipv4.conf.*.rp_filter` requirements.
pub fn check_sysctl(
    cfg: &SysctlConfig,
    profile: &SysctlProfile,
    rp_filter_allow_loose: bool,
) -> Vec<Finding> {
    check_sysctl_with_kernel(cfg, profile, rp_filter_allow_loose, None)
}

/// Whether a value meets (allowed, min, max).
fn meets(value: &str, allowed: &[String], min: Option<i64>, max: Option<i64>) -> bool {
    if !allowed.is_empty() && !allowed.iter().any(|a| a == value) {
        return false;
    }
    if min.is_some() || max.is_some() {
        return match value.parse::<i64>() {
            Ok(n) => !(min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m)),
            Err(_) => false,
        };
    }
    true
}

/// As [`check_sysctl`], but a key set in no file is judged by the kernel's own default
/// ([`crate::sysctl_defaults::kernel_default`]) when the root shows enough of its kernel
/// (version, configuration): a default that meets the requirement passes, one that does
/// not fails naming the default; without a known default the key fails as before.
pub fn check_sysctl_with_kernel(
    cfg: &SysctlConfig,
    profile: &SysctlProfile,
    rp_filter_allow_loose: bool,
    kernel: Option<&crate::sysctl_defaults::KernelFacts>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &profile.requirements {
        let key = normalize_key(&r.key);
        let mut allowed = r.allowed.clone();
        if rp_filter_allow_loose
            && key.ends_with(".rp_filter")
            && !allowed.is_empty()
            && !allowed.iter().any(|a| a == "2")
        {
            allowed.push("2".to_string());
        }
        let want = describe(&allowed, r.min, r.max);
        let kd =
            kernel.and_then(|k| crate::sysctl_defaults::kernel_default(&key, k).map(|d| (d, k)));
        if cfg.get(&key).is_none()
            && let Some((d, k)) = kd
        {
            let ok = d.value != "absent" && meets(&d.value, &allowed, r.min, r.max);
            let on = match (&k.version, &k.version_source) {
                (Some(v), Some(s)) => format!(" on Linux {}.{} ({s})", v.0, v.1),
                (Some(v), None) => format!(" on Linux {}.{}", v.0, v.1),
                _ => String::new(),
            };
            out.push(Finding::new(
                "linux.sysctl.hardening",
                &key,
                "",
                None,
                ok,
                format!(
                    "{key} is not set in any sysctl file; the kernel default {}{on} applies: {} (required: {want})",
                    d.value, d.why
                ),
            ));
            continue;
        }
        let Some(v) = cfg.get(&key) else {
            out.push(Finding::new(
                "linux.sysctl.hardening",
                &key,
                "",
                None,
                false,
                format!("{key} is not set in any sysctl file (required: {want}); the kernel default applies"),
            ));
            continue;
        };
        let mut ok = true;
        if !allowed.is_empty() && !allowed.iter().any(|a| a == &v.value) {
            ok = false;
        }
        if r.min.is_some() || r.max.is_some() {
            match v.value.parse::<i64>() {
                Ok(n) => {
                    if r.min.is_some_and(|m| n < m) || r.max.is_some_and(|m| n > m) {
                        ok = false;
                    }
                }
                Err(_) => ok = false,
            }
        }
        out.push(Finding::new(
            "linux.sysctl.hardening",
            &key,
            &v.file,
            Some(v.line),
            ok,
            format!("{key} = {} (required: {want})", v.value),
        ));
    }
    out
}

fn describe(allowed: &[String], min: Option<i64>, max: Option<i64>) -> String {
    let mut parts = Vec::new();
    if !allowed.is_empty() {
        parts.push(format!("one of {}", allowed.join(", ")));
    }
    if let Some(m) = min {
        parts.push(format!(">= {m}"));
    }
    if let Some(m) = max {
        parts.push(format!("<= {m}"));
    }
    parts.join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn load_order_and_checks() {
        let root = MemRoot::new()
            .with(
                "/usr/lib/sysctl.d/50-default.conf",
                "kernel.kptr_restrict = 0\nkernel/dmesg_restrict = 0\n",
            )
            .with(
                "/etc/sysctl.d/50-default.conf",
                "kernel.kptr_restrict = 1\n",
            )
            .with(
                "/usr/lib/sysctl.d/60-net.conf",
                "net.ipv4.conf.all.rp_filter=2\n-kernel.yama.ptrace_scope = 1\n",
            )
            .with("/etc/sysctl.conf", "; comment\nkernel.dmesg_restrict=1\n");
        let cfg = load_sysctl(&root).unwrap();
        assert_eq!(
            cfg.files,
            vec![
                "/etc/sysctl.d/50-default.conf",
                "/usr/lib/sysctl.d/60-net.conf",
                "/etc/sysctl.conf"
            ]
        );
        assert_eq!(cfg.get("kernel.kptr_restrict").unwrap().value, "1");
        assert_eq!(cfg.get("kernel/dmesg_restrict").unwrap().line, 2);
        let prof = SysctlProfile::from_toml(
            "p",
            "[[requirement]]\nkey = \"kernel.kptr_restrict\"\nmin = 1\n[[requirement]]\nkey = \"net.ipv4.conf.all.rp_filter\"\nallowed = [\"1\"]\n[[requirement]]\nkey = \"fs.protected_symlinks\"\nallowed = [\"1\"]\n",
        )
        .unwrap();
        let f = check_sysctl(&cfg, &prof, false);
        assert_eq!(
            f.iter().map(|x| x.passed).collect::<Vec<_>>(),
            vec![true, false, false]
        );
        let f = check_sysctl(&cfg, &prof, true);
        assert!(f[1].passed);
        assert_eq!(
            normalize_key("net/ipv4/conf/eth0.1/rp_filter"),
            "net.ipv4.conf.eth0/1.rp_filter"
        );
    }

    #[test]
    fn bad_input() {
        for (bad, line) in [
            (&b"kernel.a = 1\njunk\n"[..], 2),
            (b"bad key = 1\n", 1),
            (b"\x00\x01", 1),
            (b"= 1\n", 1),
        ] {
            let e = parse_sysctl("/etc/sysctl.conf", bad).unwrap_err();
            assert_eq!(
                (e.file.as_str(), e.line),
                ("/etc/sysctl.conf", Some(line)),
                "{e}"
            );
        }
        let long = format!("k = {}\n", "1".repeat(20_000));
        assert_eq!(
            parse_sysctl("s", long.as_bytes()).unwrap_err().line,
            Some(1)
        );
    }
}

#[cfg(test)]
mod kernel_default_tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn unset_keys_use_the_kernel_default() {
        let root = MemRoot::new()
            .with("/etc/sysctl.conf", "kernel.kptr_restrict = 1\n")
            .with(
                "/boot/config-5.10.0",
                "# Linux/arm64 5.10.0 Kernel Configuration\nCONFIG_ARM64=y\nCONFIG_SECURITY_DMESG_RESTRICT=y\n",
            );
        let prof = SysctlProfile::from_toml(
            "p",
            "[[requirement]]\nkey = \"kernel.kptr_restrict\"\nmin = 1\n[[requirement]]\nkey = \"kernel.dmesg_restrict\"\nallowed = [\"1\"]\n[[requirement]]\nkey = \"fs.protected_symlinks\"\nallowed = [\"1\"]\n[[requirement]]\nkey = \"kernel.perf_event_paranoid\"\nmin = 2\n[[requirement]]\nkey = \"vm.mmap_min_addr\"\nmin = 65536\n",
        )
        .unwrap();
        let f = crate::checks::run_check(
            "linux.sysctl.hardening",
            &serde_json::json!({"requirements": serde_json::to_value(&prof).unwrap()}),
            &root,
            "/etc/sysctl.conf",
        )
        .unwrap();
        let v: Vec<(bool, &str)> = f.iter().map(|x| (x.passed, x.message.as_str())).collect();
        assert!(v[0].0);
        assert!(
            v[1].0
                && v[1]
                    .1
                    .contains("kernel default 1 on Linux 5.10 (/boot/config-5.10.0) applies"),
            "{}",
            v[1].1
        );
        assert!(!v[2].0 && v[2].1.contains("kernel default 0"), "{}", v[2].1);
        assert!(v[3].0 && v[3].1.contains("since 4.6"), "{}", v[3].1);
        assert!(
            !v[4].0 && v[4].1.ends_with("the kernel default applies"),
            "{}",
            v[4].1
        );
    }
}
