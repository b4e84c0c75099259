//! Kernel build configuration (`.config`, `/boot/config-*`, `/proc/config.gz`) and a
//! hardening profile evaluated with kernel-hardening-checker's kconfig semantics.
//!
//! Desired values (as in kernel-hardening-checker, "KHC"):
//! - `"y"`, `"m"`, a number or string: the option must have exactly this value
//!   (string quotes are ignored); an absent option fails (`FAIL: is not found`);
//! - `"is not set"`: passes when the option is `# CONFIG_X is not set` **or absent**
//!   (`OK: is not found`);
//! - `"is not off"`: passes when present with a value other than `n`/`0`/`is not set`;
//! - `"is present"`: passes when the option appears at all;
//! - `"*name*"`: the option's comma-separated value contains `name` (e.g. `CONFIG_LSM`).
//!
//! A requirement may carry `any_of` alternatives (KHC `OR`: passes when the primary or any
//! alternative passes) and `all_of` conditions (KHC `AND`: every one must pass too), and an
//! `arch` list restricting it to some architectures.

use crate::common::{Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Read;

/// One option's value and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KconfigValue {
    /// `y`, `m`, `n`, a number, a string as written (with quotes), or `is not set`.
    pub value: String,
    pub line: usize,
}

/// A parsed kernel configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelConfig {
    pub file: String,
    /// Kernel version from the header (`# Linux/arm64 6.12.43 Kernel Configuration`).
    pub version: Option<String>,
    /// Architecture derived from the options: `X86_64`, `X86_32`, `ARM64`, `ARM`, `RISCV`.
    pub arch: Option<String>,
    /// Option name (with `CONFIG_` prefix) -> value; the last assignment wins, as kconfig.
    pub options: BTreeMap<String, KconfigValue>,
}

impl KernelConfig {
    pub fn get(&self, option: &str) -> Option<&KconfigValue> {
        self.options.get(option)
    }
}

fn is_symbol(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parse a plain-text kernel `.config`.
pub fn parse_kconfig(file: &str, bytes: &[u8]) -> Result<KernelConfig, ParseError> {
    parse_kconfig_with(file, bytes, &Limits::default())
}

pub fn parse_kconfig_with(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<KernelConfig, ParseError> {
    let lines = text_lines(file, bytes, limits)?;
    let mut options = BTreeMap::new();
    let mut version = None;
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        if let Some(c) = l.strip_prefix('#') {
            let c = c.trim();
            if let Some(name) = c.strip_suffix(" is not set") {
                if is_symbol(name) {
                    options.insert(
                        name.to_string(),
                        KconfigValue {
                            value: "is not set".to_string(),
                            line,
                        },
                    );
                }
            } else if version.is_none()
                && c.starts_with("Linux/")
                && c.ends_with("Kernel Configuration")
            {
                version = c.split_whitespace().nth(1).map(str::to_string);
            }
            continue;
        }
        let Some((name, value)) = l.split_once('=') else {
            return Err(ParseError::at(
                file,
                line,
                "expected CONFIG_NAME=value or '# CONFIG_NAME is not set'",
            ));
        };
        if !is_symbol(name) {
            return Err(ParseError::at(
                file,
                line,
                format!(
                    "invalid option name {:?}",
                    name.chars().take(40).collect::<String>()
                ),
            ));
        }
        if value.starts_with('"') && (value.len() < 2 || !value.ends_with('"')) {
            return Err(ParseError::at(
                file,
                line,
                format!("unterminated string value for {name}"),
            ));
        }
        options.insert(
            name.to_string(),
            KconfigValue {
                value: value.to_string(),
                line,
            },
        );
    }
    let is_y = |o: &str| {
        options
            .get(o)
            .is_some_and(|v: &KconfigValue| v.value == "y")
    };
    let arch = if is_y("CONFIG_X86_64") {
        Some("X86_64")
    } else if is_y("CONFIG_X86_32") || is_y("CONFIG_X86") {
        Some("X86_32")
    } else if is_y("CONFIG_ARM64") {
        Some("ARM64")
    } else if is_y("CONFIG_ARM") {
        Some("ARM")
    } else if is_y("CONFIG_RISCV") {
        Some("RISCV")
    } else {
        None
    }
    .map(str::to_string);
    Ok(KernelConfig {
        file: file.to_string(),
        version,
        arch,
        options,
    })
}

/// Parse a gzip-compressed configuration (`/proc/config.gz`, `config.gz` in a build),
/// refusing more than `limits.max_file_bytes` of decompressed data.
pub fn parse_kconfig_gz(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<KernelConfig, ParseError> {
    let mut dec = flate2::read::GzDecoder::new(bytes);
    let mut out = Vec::new();
    let cap = limits.max_file_bytes as u64 + 1;
    (&mut dec)
        .take(cap)
        .read_to_end(&mut out)
        .map_err(|e| ParseError::new(file, None, format!("gzip data is corrupt: {e}")))?;
    if out.len() as u64 >= cap {
        return Err(ParseError::new(
            file,
            None,
            format!(
                "decompressed size exceeds the limit of {} bytes",
                limits.max_file_bytes
            ),
        ));
    }
    parse_kconfig_with(file, &out, limits)
}

/// Parse either form, by the gzip magic number.
pub fn parse_kconfig_any(file: &str, bytes: &[u8]) -> Result<KernelConfig, ParseError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        parse_kconfig_gz(file, bytes, &Limits::default())
    } else {
        parse_kconfig(file, bytes)
    }
}

/// A condition on one option (used for alternatives and extra conditions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KconfigCondition {
    pub option: String,
    pub desired: String,
}

/// One hardening requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KconfigRequirement {
    pub option: String,
    /// `y`, `m`, `is not set`, `is not off`, `is present`, `*item*`, or a value.
    pub desired: String,
    /// Who recommends it: `kspp`, `defconfig`, `a13xp0p0v`, `clipos`, `grsec`, `lockdown`, ...
    pub source: String,
    /// Threat class / why (e.g. `self_protection`, `cut_attack_surface`).
    pub reason: String,
    /// Architectures it applies to (`X86_64`, `X86_32`, `ARM64`, `ARM`, `RISCV`); empty = all.
    #[serde(default)]
    pub arch: Vec<String>,
    /// Alternatives: the requirement also passes when one of these passes (KHC `OR`).
    #[serde(default)]
    pub any_of: Vec<KconfigCondition>,
    /// Extra conditions that must all pass too (KHC `AND`).
    #[serde(default)]
    pub all_of: Vec<KconfigCondition>,
}

/// A profile: a named list of requirements (`rules/params/kernel-hardening.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KconfigProfile {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "requirement")]
    pub requirements: Vec<KconfigRequirement>,
}

impl KconfigProfile {
    pub fn from_toml(label: &str, text: &str) -> Result<Self, ParseError> {
        let p: KconfigProfile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            ParseError::new(label, line, e.message().to_string())
        })?;
        for r in &p.requirements {
            if !is_symbol(&r.option) || r.desired.is_empty() {
                return Err(ParseError::new(
                    label,
                    None,
                    format!(
                        "requirement {:?}: invalid option or empty desired value",
                        r.option
                    ),
                ));
            }
        }
        Ok(p)
    }
}

/// Result for one requirement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KconfigResult {
    pub option: String,
    pub desired: String,
    /// Value found (`is not set` for the comment form), `None` when absent.
    pub actual: Option<String>,
    pub passed: bool,
    pub source: String,
    pub reason: String,
    /// Line of the option in the config, when present.
    pub line: Option<usize>,
    /// KHC-style explanation (`OK`, `FAIL: "m"`, `FAIL: is not found`, `OK: CONFIG_X is "y"`).
    pub detail: String,
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// Evaluate one condition; returns (passed, KHC-like detail).
fn check_one(cfg: &KernelConfig, option: &str, desired: &str) -> (bool, String) {
    let state = cfg.get(option).map(|v| unquote(&v.value).to_string());
    match desired {
        "is present" => match state {
            Some(_) => (true, "OK: is present".into()),
            None => (false, "FAIL: is not present".into()),
        },
        "is not off" => match state.as_deref() {
            None => (false, "FAIL: is off, not found".into()),
            Some("is not set") | Some("n") => (false, "FAIL: is off".into()),
            Some("0") => (false, "FAIL: is off, \"0\"".into()),
            Some(s) => (true, format!("OK: is not off, \"{s}\"")),
        },
        d if d.len() > 2 && d.starts_with('*') && d.ends_with('*') => {
            let item = &d[1..d.len() - 1];
            match state.as_deref() {
                None => (false, "FAIL: is not found".into()),
                Some(s) if s.split(',').any(|x| x.trim() == item) => {
                    (true, format!("OK: in \"{s}\""))
                }
                Some(s) => (false, format!("FAIL: not in \"{s}\"")),
            }
        }
        d => match state.as_deref() {
            Some(s) if s == unquote(d) => (true, "OK".into()),
            None if d == "is not set" => (true, "OK: is not found".into()),
            None => (false, "FAIL: is not found".into()),
            Some(s) => (false, format!("FAIL: \"{s}\"")),
        },
    }
}

/// Evaluate a profile against a configuration. Requirements whose `arch` excludes the
/// configuration's architecture are skipped (not reported). When the architecture is
/// unknown, arch-specific requirements are skipped as well.
pub fn evaluate(cfg: &KernelConfig, profile: &KconfigProfile) -> Vec<KconfigResult> {
    let mut out = Vec::new();
    for r in &profile.requirements {
        if !r.arch.is_empty() && !cfg.arch.as_ref().is_some_and(|a| r.arch.contains(a)) {
            continue;
        }
        let (mut passed, mut detail) = check_one(cfg, &r.option, &r.desired);
        if !passed {
            for alt in &r.any_of {
                let (ok, _) = check_one(cfg, &alt.option, &alt.desired);
                if ok {
                    passed = true;
                    detail = format!("OK: {} is \"{}\"", alt.option, alt.desired);
                    break;
                }
            }
        }
        if passed {
            for cond in &r.all_of {
                let (ok, _) = check_one(cfg, &cond.option, &cond.desired);
                if !ok {
                    passed = false;
                    detail = if cond.desired == "is present" {
                        format!("FAIL: {} is not present", cond.option)
                    } else {
                        format!("FAIL: {} is not \"{}\"", cond.option, cond.desired)
                    };
                    break;
                }
            }
        }
        let v = cfg.get(&r.option);
        out.push(KconfigResult {
            option: r.option.clone(),
            desired: r.desired.clone(),
            actual: v.map(|v| v.value.clone()),
            passed,
            source: r.source.clone(),
            reason: r.reason.clone(),
            line: v.map(|v| v.line),
            detail,
        });
    }
    out
}

/// Where a root filesystem keeps its kernel configuration, in the order it is looked
/// for: `/boot/config*` sorted, then `/proc/config.gz`.
pub fn config_candidates(src: &dyn crate::common::FileSource) -> Vec<String> {
    let mut candidates: Vec<String> = src
        .list_dir("/boot")
        .unwrap_or_default()
        .into_iter()
        .filter(|n| n.starts_with("config"))
        .map(|n| format!("/boot/{n}"))
        .collect();
    candidates.sort();
    candidates.push("/proc/config.gz".into());
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: &str = "#\n# Linux/arm64 6.1.0 Kernel Configuration\n#\nCONFIG_ARM64=y\nCONFIG_STACKPROTECTOR_STRONG=y\n# CONFIG_DEVMEM is not set\nCONFIG_KGDB=y\nCONFIG_LSM=\"lockdown,yama\"\nCONFIG_DEBUG_FS=m\nCONFIG_KGDB=n\n";

    fn req(o: &str, d: &str) -> KconfigRequirement {
        KconfigRequirement {
            option: o.into(),
            desired: d.into(),
            source: "kspp".into(),
            reason: "test".into(),
            arch: vec![],
            any_of: vec![],
            all_of: vec![],
        }
    }

    #[test]
    fn parse_and_evaluate() {
        let c = parse_kconfig("config", CFG.as_bytes()).unwrap();
        assert_eq!(c.version.as_deref(), Some("6.1.0"));
        assert_eq!(c.arch.as_deref(), Some("ARM64"));
        assert_eq!(c.get("CONFIG_KGDB").unwrap().line, 10);
        let mut strict = req("CONFIG_STRICT_DEVMEM", "y");
        strict.any_of.push(KconfigCondition {
            option: "CONFIG_DEVMEM".into(),
            desired: "is not set".into(),
        });
        let mut x86 = req("CONFIG_X86_SMAP", "y");
        x86.arch = vec!["X86_64".into()];
        let p = KconfigProfile {
            name: "t".into(),
            description: String::new(),
            requirements: vec![
                req("CONFIG_STACKPROTECTOR_STRONG", "y"),
                req("CONFIG_DEVMEM", "is not set"),
                req("CONFIG_KGDB", "is not set"),
                req("CONFIG_DEBUG_FS", "is not set"),
                req("CONFIG_MODULES", "is not set"),
                req("CONFIG_MODULE_SIG_FORCE", "y"),
                req("CONFIG_LSM", "*yama*"),
                req("CONFIG_LSM", "*selinux*"),
                req("CONFIG_KGDB", "is not off"),
                strict,
                x86,
            ],
        };
        let r = evaluate(&c, &p);
        let got: Vec<(bool, &str)> = r.iter().map(|x| (x.passed, x.detail.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (true, "OK"),
                (true, "OK"),
                (false, "FAIL: \"n\""),
                (false, "FAIL: \"m\""),
                (true, "OK: is not found"),
                (false, "FAIL: is not found"),
                (true, "OK: in \"lockdown,yama\""),
                (false, "FAIL: not in \"lockdown,yama\""),
                (false, "FAIL: is off"),
                (true, "OK: CONFIG_DEVMEM is \"is not set\""),
            ]
        );
        assert_eq!(r[1].line, Some(6));
        assert_eq!(r[4].line, None);
    }

    #[test]
    fn gz_and_bounds() {
        use flate2::{Compression, write::GzEncoder};
        use std::io::Write;
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(CFG.as_bytes()).unwrap();
        let gz = e.finish().unwrap();
        let c = parse_kconfig_any("config.gz", &gz).unwrap();
        assert_eq!(c.options.len(), 6);
        // Decompression bomb: 64 MiB of zeros compresses to ~64 KiB.
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        e.write_all(&vec![b'\n'; 64 * 1024 * 1024]).unwrap();
        let bomb = e.finish().unwrap();
        let err = parse_kconfig_gz("config.gz", &bomb, &Limits::default()).unwrap_err();
        assert!(err.message.contains("exceeds"), "{err}");
        let err = parse_kconfig_any("config.gz", &gz[..gz.len() / 2]).unwrap_err();
        assert_eq!(err.file, "config.gz");
    }

    #[test]
    fn bad_input() {
        for (bad, line) in [
            (&b"CONFIG_A=y\nthis is garbage\n"[..], 2),
            (b"CONFIG A=y\n", 1),
            (b"CONFIG_A=\"open\n", 1),
            (b"\x7fELF\x01\x00\x00", 1),
            (b"CONFIG_A=y\n\xff\xff=1\n", 2),
        ] {
            let e = parse_kconfig("/boot/config-6.1.0", bad).unwrap_err();
            assert_eq!(e.file, "/boot/config-6.1.0");
            assert_eq!(e.line, Some(line), "{e}");
        }
        let long = format!("CONFIG_X=\"{}\"\n", "a".repeat(50_000));
        assert_eq!(
            parse_kconfig("c", long.as_bytes()).unwrap_err().line,
            Some(1)
        );
    }
}

// ------------------------------------------------------------ version-aware evaluation

/// (major, minor) of the configuration's kernel, from its header.
pub fn config_version(cfg: &KernelConfig) -> Option<(u32, u32)> {
    cfg.version
        .as_deref()
        .and_then(crate::version_num::major_minor)
}

/// Options renamed upstream: (current name, former name, first version with the current
/// name). Sources: the kernel commits renaming them —
/// CC_STACKPROTECTOR* -> STACKPROTECTOR* (4.18, "kconfig: rename CC_STACKPROTECTOR"),
/// DEBUG_RODATA -> STRICT_KERNEL_RWX and DEBUG_SET_MODULE_RONX -> STRICT_MODULE_RWX
/// (4.11, "arch: Move CONFIG_DEBUG_RODATA and CONFIG_SET_MODULE_RONX to be common"),
/// X86_INTEL_UMIP -> X86_UMIP (5.5), PAGE_TABLE_ISOLATION -> MITIGATION_PAGE_TABLE_ISOLATION
/// (6.9, the x86 `MITIGATION_` renames).
pub const RENAMED: &[(&str, &str, (u32, u32))] = &[
    ("CONFIG_STACKPROTECTOR", "CONFIG_CC_STACKPROTECTOR", (4, 18)),
    (
        "CONFIG_STACKPROTECTOR_STRONG",
        "CONFIG_CC_STACKPROTECTOR_STRONG",
        (4, 18),
    ),
    ("CONFIG_STRICT_KERNEL_RWX", "CONFIG_DEBUG_RODATA", (4, 11)),
    (
        "CONFIG_STRICT_MODULE_RWX",
        "CONFIG_DEBUG_SET_MODULE_RONX",
        (4, 11),
    ),
    ("CONFIG_X86_UMIP", "CONFIG_X86_INTEL_UMIP", (5, 5)),
    (
        "CONFIG_MITIGATION_PAGE_TABLE_ISOLATION",
        "CONFIG_PAGE_TABLE_ISOLATION",
        (6, 9),
    ),
];

/// First kernel version that has an option (under its current or former name), for the
/// options of the default profile that are younger than Linux 4.4. An option required
/// `y` that the configuration's kernel does not have yet is not a failure: the result
/// says "not available before Linux x.y". Versions from the merge windows that added
/// each Kconfig symbol (kernelnewbies.org release pages).
pub const INTRODUCED: &[(&str, (u32, u32))] = &[
    ("CONFIG_IO_STRICT_DEVMEM", (4, 5)),
    ("CONFIG_SLAB_FREELIST_RANDOM", (4, 7)),
    ("CONFIG_HARDENED_USERCOPY", (4, 8)),
    ("CONFIG_RANDOMIZE_MEMORY", (4, 8)),
    ("CONFIG_THREAD_INFO_IN_TASK", (4, 9)),
    ("CONFIG_VMAP_STACK", (4, 9)),
    ("CONFIG_BUG_ON_DATA_CORRUPTION", (4, 10)),
    ("CONFIG_ARM64_SW_TTBR0_PAN", (4, 10)),
    ("CONFIG_STATIC_USERMODEHELPER", (4, 11)),
    ("CONFIG_FORTIFY_SOURCE", (4, 13)),
    ("CONFIG_SLAB_FREELIST_HARDENED", (4, 14)),
    ("CONFIG_PAGE_TABLE_ISOLATION", (4, 15)),
    ("CONFIG_MITIGATION_PAGE_TABLE_ISOLATION", (4, 15)),
    ("CONFIG_X86_INTEL_UMIP", (4, 15)),
    ("CONFIG_X86_UMIP", (4, 15)),
    ("CONFIG_UNMAP_KERNEL_AT_EL0", (4, 16)),
    ("CONFIG_SHUFFLE_PAGE_ALLOCATOR", (5, 2)),
    ("CONFIG_INIT_ON_ALLOC_DEFAULT_ON", (5, 3)),
    ("CONFIG_INIT_ON_FREE_DEFAULT_ON", (5, 3)),
    ("CONFIG_SECURITY_LOCKDOWN_LSM", (5, 4)),
    ("CONFIG_ARM64_BTI_KERNEL", (5, 8)),
    ("CONFIG_BPF_UNPRIV_DEFAULT_OFF", (5, 13)),
    ("CONFIG_ARM64_PTR_AUTH_KERNEL", (5, 13)),
    ("CONFIG_LIST_HARDENED", (6, 6)),
];

fn rename_for(option: &str, v: (u32, u32)) -> Option<&'static str> {
    RENAMED
        .iter()
        .find(|(new, _, since)| *new == option && v < *since)
        .map(|(_, old, _)| *old)
}

/// Evaluate a profile with the option names of the configuration's kernel version (as
/// kernel-hardening-checker does with its version checks): a requirement on a renamed
/// option is checked under the name that version uses, and an option the version does not
/// have yet is reported as passed with "not available before Linux x.y" instead of a
/// failure. Without a version in the header this is [`evaluate`].
pub fn evaluate_versioned(cfg: &KernelConfig, profile: &KconfigProfile) -> Vec<KconfigResult> {
    let Some(v) = config_version(cfg) else {
        return evaluate(cfg, profile);
    };
    let map = |o: &str| rename_for(o, v).unwrap_or(o).to_string();
    let mut out = Vec::new();
    for r in &profile.requirements {
        let mut rr = r.clone();
        rr.option = map(&r.option);
        for c in rr.any_of.iter_mut().chain(rr.all_of.iter_mut()) {
            c.option = map(&c.option);
        }
        let single = KconfigProfile {
            name: profile.name.clone(),
            description: String::new(),
            requirements: vec![rr.clone()],
        };
        let Some(mut res) = evaluate(cfg, &single).pop() else {
            continue; // excluded by architecture
        };
        res.option = r.option.clone();
        if rr.option != r.option {
            res.detail = format!("{} (as {} on Linux {}.{})", res.detail, rr.option, v.0, v.1);
        }
        let intro = INTRODUCED
            .iter()
            .find(|(o, _)| *o == r.option)
            .map(|(_, since)| *since);
        if !res.passed
            && res.actual.is_none()
            && let Some(since) = intro
            && v < since
        {
            res.passed = true;
            res.detail = format!(
                "N/A: {} does not exist before Linux {}.{} (configuration is {}.{}); not a failure",
                r.option, since.0, since.1, v.0, v.1
            );
        }
        out.push(res);
    }
    out
}

#[cfg(test)]
mod version_tests {
    use super::*;

    fn req(o: &str, d: &str) -> KconfigRequirement {
        KconfigRequirement {
            option: o.into(),
            desired: d.into(),
            source: "kspp".into(),
            reason: "test".into(),
            arch: vec![],
            any_of: vec![],
            all_of: vec![],
        }
    }

    #[test]
    fn renamed_and_young_options() {
        let old = "# Linux/arm 4.4.302 Kernel Configuration\nCONFIG_ARM=y\nCONFIG_CC_STACKPROTECTOR_STRONG=y\nCONFIG_DEBUG_RODATA=y\n# CONFIG_DEBUG_SET_MODULE_RONX is not set\n";
        let c = parse_kconfig("/boot/config-4.4.302", old.as_bytes()).unwrap();
        assert_eq!(config_version(&c), Some((4, 4)));
        let p = KconfigProfile {
            name: "t".into(),
            description: String::new(),
            requirements: vec![
                req("CONFIG_STACKPROTECTOR_STRONG", "y"),
                req("CONFIG_STRICT_KERNEL_RWX", "y"),
                req("CONFIG_STRICT_MODULE_RWX", "y"),
                req("CONFIG_INIT_ON_ALLOC_DEFAULT_ON", "y"),
                req("CONFIG_MODULE_SIG_FORCE", "y"),
            ],
        };
        let r = evaluate_versioned(&c, &p);
        let got: Vec<(bool, &str)> = r.iter().map(|x| (x.passed, x.detail.as_str())).collect();
        assert_eq!(
            got[0],
            (true, "OK (as CONFIG_CC_STACKPROTECTOR_STRONG on Linux 4.4)")
        );
        assert!(got[1].0);
        assert_eq!(
            got[2],
            (
                false,
                "FAIL: \"is not set\" (as CONFIG_DEBUG_SET_MODULE_RONX on Linux 4.4)"
            )
        );
        assert!(
            got[3].0
                && got[3].1.starts_with(
                    "N/A: CONFIG_INIT_ON_ALLOC_DEFAULT_ON does not exist before Linux 5.3"
                )
        );
        assert_eq!(got[4], (false, "FAIL: is not found"));
        assert_eq!(r[0].option, "CONFIG_STACKPROTECTOR_STRONG");
        assert_eq!(r[0].line, Some(3));
        // The unversioned evaluation fails the renamed options.
        let plain = evaluate(&c, &p);
        assert!(!plain[0].passed && !plain[3].passed);
        // A 4.18 configuration uses the new names.
        let new = "# Linux/x86_64 4.18.0 Kernel Configuration\nCONFIG_X86_64=y\nCONFIG_CC_STACKPROTECTOR_STRONG=y\n";
        let c = parse_kconfig("c", new.as_bytes()).unwrap();
        assert!(!evaluate_versioned(&c, &p)[0].passed);
    }
}
