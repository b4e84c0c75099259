//! Android property files (`build.prop`, `default.prop`, `prop.default`, `vendor/build.prop`
//! ...) and checks of the debug/adb/SELinux/build-type properties.
//!
//! Format (as Android's property loader reads it): `key=value` per line, `#` comments,
//! blank lines, and `import <path>` lines (recorded, not followed). Within a file and
//! across files given in load order, the last assignment wins. A non-empty line that is
//! none of these is an error naming file and line.

use crate::common::{Finding, Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A property value with its origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropValue {
    pub value: String,
    pub file: String,
    pub line: usize,
}

/// Properties of one or more files (last assignment wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Props {
    pub files: Vec<String>,
    pub props: BTreeMap<String, PropValue>,
    /// `import` lines seen (file, line, path); not followed.
    pub imports: Vec<(String, usize, String)>,
}

/// Maximum property name length accepted (Android allows long names since P; bound anyway).
pub const MAX_PROP_NAME: usize = 256;

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= MAX_PROP_NAME
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | ':'))
}

/// Parse one property file.
pub fn parse_props(file: &str, bytes: &[u8]) -> Result<Props, ParseError> {
    let mut p = Props::default();
    p.add_file(file, bytes)?;
    Ok(p)
}

impl Props {
    /// Add a file on top (its assignments override earlier ones).
    pub fn add_file(&mut self, file: &str, bytes: &[u8]) -> Result<(), ParseError> {
        let lines = text_lines(file, bytes, &Limits::default())?;
        for (i, raw) in lines.iter().enumerate() {
            let line = i + 1;
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            if let Some(rest) = l.strip_prefix("import ") {
                self.imports
                    .push((file.to_string(), line, rest.trim().to_string()));
                continue;
            }
            let Some((k, v)) = l.split_once('=') else {
                return Err(ParseError::at(file, line, "expected key=value"));
            };
            let k = k.trim();
            if !valid_name(k) {
                return Err(ParseError::at(
                    file,
                    line,
                    format!(
                        "invalid property name {:?}",
                        k.chars().take(40).collect::<String>()
                    ),
                ));
            }
            self.props.insert(
                k.to_string(),
                PropValue {
                    value: v.trim().to_string(),
                    file: file.to_string(),
                    line,
                },
            );
        }
        self.files.push(file.to_string());
        Ok(())
    }

    pub fn get(&self, key: &str) -> Option<&PropValue> {
        self.props.get(key)
    }
}

fn finding(check: &str, key: &str, v: Option<&PropValue>, passed: bool, msg: String) -> Finding {
    match v {
        Some(v) => Finding::new(check, key, &v.file, Some(v.line), passed, msg),
        None => Finding::new(check, key, "", None, passed, msg),
    }
}

/// `ro.debuggable` must be `0` (absent means 0 for Android's init and adbd).
pub fn check_debuggable(p: &Props) -> Finding {
    let v = p.get("ro.debuggable");
    let val = v.map(|v| v.value.as_str());
    let ok = matches!(val, None | Some("0"));
    finding(
        "android.debuggable",
        "ro.debuggable",
        v,
        ok,
        match val {
            None => "ro.debuggable not set (defaults to 0)".into(),
            Some(x) => format!("ro.debuggable={x} (required: 0)"),
        },
    )
}

/// `ro.secure` must be `1` (absent means 0 for adbd: root shell).
pub fn check_secure(p: &Props) -> Finding {
    let v = p.get("ro.secure");
    let val = v.map(|v| v.value.as_str());
    finding(
        "android.secure",
        "ro.secure",
        v,
        val == Some("1"),
        match val {
            None => "ro.secure not set (adbd then treats the device as insecure)".into(),
            Some(x) => format!("ro.secure={x} (required: 1)"),
        },
    )
}

/// `ro.adb.secure` must be `1` (adb host authentication).
pub fn check_adb_secure(p: &Props) -> Finding {
    let v = p.get("ro.adb.secure");
    let val = v.map(|v| v.value.as_str());
    finding(
        "android.adb_secure",
        "ro.adb.secure",
        v,
        val == Some("1"),
        match val {
            None => "ro.adb.secure not set (adb connections are not authenticated)".into(),
            Some(x) => format!("ro.adb.secure={x} (required: 1)"),
        },
    )
}

/// adb must be off: `persist.sys.usb.config` / `sys.usb.config` /
/// `persist.vendor.usb.config` without `adb`, `service.adb.root` not 1,
/// `persist.adb.tcp.port` / `service.adb.tcp.port` unset (adb over network).
pub fn check_adb_disabled(p: &Props) -> Vec<Finding> {
    let mut out = Vec::new();
    for key in [
        "persist.sys.usb.config",
        "sys.usb.config",
        "persist.vendor.usb.config",
        "ro.sys.usb.default.config",
    ] {
        if let Some(v) = p.get(key) {
            let has_adb = v.value.split(',').any(|x| x.trim() == "adb");
            out.push(finding(
                "android.adb_disabled",
                key,
                Some(v),
                !has_adb,
                format!(
                    "{key}={} {}",
                    v.value,
                    if has_adb {
                        "enables adb"
                    } else {
                        "does not enable adb"
                    }
                ),
            ));
        }
    }
    if let Some(v) = p.get("service.adb.root") {
        let ok = v.value != "1";
        out.push(finding(
            "android.adb_disabled",
            "service.adb.root",
            Some(v),
            ok,
            format!(
                "service.adb.root={}{}",
                v.value,
                if ok { "" } else { " (adbd runs as root)" }
            ),
        ));
    }
    for key in ["persist.adb.tcp.port", "service.adb.tcp.port"] {
        if let Some(v) = p.get(key) {
            let ok = v.value.is_empty() || v.value == "0" || v.value == "-1";
            out.push(finding(
                "android.adb_disabled",
                key,
                Some(v),
                ok,
                format!(
                    "{key}={}{}",
                    v.value,
                    if ok { "" } else { " (adb over TCP)" }
                ),
            ));
        }
    }
    if out.is_empty() {
        out.push(Finding::new(
            "android.adb_disabled",
            "sys.usb.config",
            "",
            None,
            true,
            "no property enables adb",
        ));
    }
    out
}

/// SELinux must be enforcing: `ro.boot.selinux`, `androidboot.selinux`, `ro.build.selinux`
/// (when present) must not be `permissive`/`disabled`/`0`.
pub fn check_selinux_enforcing(p: &Props) -> Vec<Finding> {
    let mut out = Vec::new();
    for key in ["ro.boot.selinux", "androidboot.selinux", "ro.build.selinux"] {
        if let Some(v) = p.get(key) {
            let bad = matches!(
                v.value.to_ascii_lowercase().as_str(),
                "permissive" | "disabled" | "0"
            );
            out.push(finding(
                "android.selinux_enforcing",
                key,
                Some(v),
                !bad,
                format!(
                    "{key}={}{}",
                    v.value,
                    if bad { " (SELinux not enforcing)" } else { "" }
                ),
            ));
        }
    }
    if out.is_empty() {
        out.push(Finding::new(
            "android.selinux_enforcing",
            "ro.boot.selinux",
            "",
            None,
            true,
            "no property sets SELinux permissive (enforcing by default)",
        ));
    }
    out
}

/// `ro.build.type` must be `user` (not `userdebug`/`eng`); absent fails (unknown build).
pub fn check_build_type(p: &Props) -> Finding {
    let v = p.get("ro.build.type");
    let val = v.map(|v| v.value.as_str());
    finding(
        "android.build_type",
        "ro.build.type",
        v,
        val == Some("user"),
        match val {
            None => "ro.build.type not set (build type unknown)".into(),
            Some(x) => format!("ro.build.type={x} (required: user)"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_wins_and_checks() {
        let mut p = parse_props(
            "/default.prop",
            b"# comment\nro.secure=0\nro.debuggable=1\nro.adb.secure=1\npersist.sys.usb.config=mtp,adb\nimport /vendor/x.prop\n",
        )
        .unwrap();
        p.add_file("/system/build.prop", b"ro.secure=1\nro.build.type=userdebug\nro.boot.selinux=permissive\nservice.adb.root=1\nro.secure = 1\n").unwrap();
        let s = check_secure(&p);
        assert!(s.passed);
        assert_eq!((s.file.as_str(), s.line), ("/system/build.prop", Some(5)));
        let d = check_debuggable(&p);
        assert!(!d.passed && d.line == Some(3));
        assert!(check_adb_secure(&p).passed);
        let adb = check_adb_disabled(&p);
        assert_eq!(adb.iter().filter(|f| !f.passed).count(), 2);
        assert!(!check_selinux_enforcing(&p)[0].passed);
        assert!(!check_build_type(&p).passed);
        assert_eq!(p.imports.len(), 1);
        let empty = Props::default();
        assert!(check_debuggable(&empty).passed);
        assert!(!check_secure(&empty).passed);
        assert!(!check_build_type(&empty).passed);
    }

    #[test]
    fn bad_input() {
        for (bad, line) in [
            (&b"ro.secure=1\ngarbage line\n"[..], 2),
            (b"bad key=1\n", 1),
            (b"\x00\x01\x02\x03", 1),
            (b"ro.a=1\n\xff=2\n", 2),
        ] {
            let e = parse_props("/system/build.prop", bad).unwrap_err();
            assert_eq!(e.file, "/system/build.prop");
            assert_eq!(e.line, Some(line), "{e}");
        }
        let long = format!("ro.x={}\n", "a".repeat(100_000));
        assert_eq!(parse_props("p", long.as_bytes()).unwrap_err().line, Some(1));
    }
}

// ------------------------------------------------------------ build identity, boot, patches

/// Property keys holding a build fingerprint
/// (`brand/product/device:release/id/incremental:type/tags`).
pub const FINGERPRINT_KEYS: &[&str] = &[
    "ro.build.fingerprint",
    "ro.system.build.fingerprint",
    "ro.vendor.build.fingerprint",
    "ro.bootimage.build.fingerprint",
    "ro.odm.build.fingerprint",
    "ro.product.build.fingerprint",
    "ro.system_ext.build.fingerprint",
];

/// (type, tags) of a fingerprint, `None` when it is not in the documented format.
pub fn fingerprint_type_tags(fp: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = fp.split(':').collect();
    if parts.len() != 3 || parts[0].split('/').count() != 3 || parts[1].split('/').count() != 3 {
        return None;
    }
    let (t, tags) = parts[2].split_once('/')?;
    Some((t.to_string(), tags.to_string()))
}

fn signed_with_test_keys(tags: &str) -> bool {
    tags.split(',')
        .any(|t| matches!(t.trim(), "test-keys" | "dev-keys"))
}

/// Release signing and build type as the image says it: `ro.build.tags` without
/// `test-keys`/`dev-keys`, every fingerprint's tags likewise and its type `user`.
/// Empty when none of these properties is present.
pub fn check_build_identity(p: &Props) -> Vec<Finding> {
    let c = "android.build_identity";
    let mut out = Vec::new();
    if let Some(v) = p.get("ro.build.tags") {
        let bad = signed_with_test_keys(&v.value);
        out.push(finding(
            c,
            "ro.build.tags",
            Some(v),
            !bad,
            format!(
                "ro.build.tags={}{}",
                v.value,
                if bad {
                    " (signed with test/dev keys)"
                } else {
                    ""
                }
            ),
        ));
    }
    for key in FINGERPRINT_KEYS {
        let Some(v) = p.get(key) else { continue };
        match fingerprint_type_tags(&v.value) {
            Some((t, tags)) => {
                let mut why = Vec::new();
                if t != "user" {
                    why.push(format!("build type {t}"));
                }
                if signed_with_test_keys(&tags) {
                    why.push(format!("tags {tags}"));
                }
                out.push(finding(
                    c,
                    key,
                    Some(v),
                    why.is_empty(),
                    if why.is_empty() {
                        format!("{key}: {t} build, {tags}")
                    } else {
                        format!("{key}={}: {}", v.value, why.join(", "))
                    },
                ));
            }
            None => out.push(finding(
                c,
                key,
                Some(v),
                true,
                format!(
                    "{key}={} is not in brand/product/device:release/id/incremental:type/tags form; not judged",
                    v.value
                ),
            )),
        }
    }
    out
}

/// Verified boot as the bootloader reported it (captured properties):
/// `ro.boot.verifiedbootstate` green (orange = unlocked, yellow = user-set key, red =
/// failed), `ro.boot.flash.locked` 1, `ro.boot.vbmeta.device_state` locked,
/// `ro.boot.veritymode` not logging/disabled. Empty when none is present (image files
/// alone do not hold them).
pub fn check_verified_boot(p: &Props) -> Vec<Finding> {
    let c = "android.verified_boot";
    let mut out = Vec::new();
    type Rule<'a> = (&'a str, &'a dyn Fn(&str) -> bool, &'a str);
    let rules: [Rule; 4] = [
        (
            "ro.boot.verifiedbootstate",
            &|v| v == "green",
            "green (orange: unlocked bootloader; yellow: user-set root of trust; red: verification failed)",
        ),
        (
            "ro.boot.flash.locked",
            &|v| v == "1",
            "1 (bootloader locked)",
        ),
        ("ro.boot.vbmeta.device_state", &|v| v == "locked", "locked"),
        (
            "ro.boot.veritymode",
            &|v| !matches!(v, "logging" | "disabled"),
            "enforcing or eio",
        ),
    ];
    for (key, ok, want) in rules {
        if let Some(v) = p.get(key) {
            let good = ok(v.value.as_str());
            out.push(finding(
                c,
                key,
                Some(v),
                good,
                format!("{key}={} (required: {want})", v.value),
            ));
        }
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Date of days since the epoch.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` with a valid month and day.
pub fn parse_date(s: &str) -> Option<(i64, u32, u32)> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    Some((y, m, d))
}

/// Whole months from `a` to `b` (negative when `b` is before `a`).
pub fn months_between(a: (i64, u32, u32), b: (i64, u32, u32)) -> i64 {
    let mut m = (b.0 * 12 + i64::from(b.1)) - (a.0 * 12 + i64::from(a.1));
    if b.2 < a.2 {
        m -= 1;
    }
    m
}

/// Security patch level age: `ro.build.version.security_patch` and
/// `ro.vendor.build.security_patch` at most `max_age_months` older than `as_of`.
/// Empty when neither property is present.
pub fn check_security_patch_age(
    p: &Props,
    as_of: (i64, u32, u32),
    max_age_months: u32,
) -> Vec<Finding> {
    let c = "android.security_patch_age";
    let mut out = Vec::new();
    for key in [
        "ro.build.version.security_patch",
        "ro.vendor.build.security_patch",
    ] {
        let Some(v) = p.get(key) else { continue };
        let asof = format!("{:04}-{:02}-{:02}", as_of.0, as_of.1, as_of.2);
        match parse_date(&v.value) {
            Some(d) => {
                let age = months_between(d, as_of);
                let ok = age <= i64::from(max_age_months);
                out.push(finding(
                    c,
                    key,
                    Some(v),
                    ok,
                    format!(
                        "{key}={}: {age} month(s) old on {asof} (maximum {max_age_months})",
                        v.value
                    ),
                ));
            }
            None => out.push(finding(
                c,
                key,
                Some(v),
                false,
                format!("{key}={:?} is not a YYYY-MM-DD date", v.value),
            )),
        }
    }
    out
}

/// Vendor properties switching WPS on: a key containing `wps` (any case) with value
/// `1`/`true`/`on`/`enabled`/`yes`.
pub fn check_wps_props(p: &Props) -> Vec<Finding> {
    p.props
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().contains("wps"))
        .map(|(k, v)| {
            let on = matches!(
                v.value.to_ascii_lowercase().as_str(),
                "1" | "true" | "on" | "enabled" | "yes"
            );
            finding(
                "android.wifi_wps",
                k,
                Some(v),
                !on,
                format!("{k}={}{}", v.value, if on { " (WPS enabled)" } else { "" }),
            )
        })
        .collect()
}

#[cfg(test)]
mod identity_tests {
    use super::*;

    #[test]
    fn identity_boot_and_patch() {
        let p = parse_props(
            "/system/build.prop",
            b"ro.build.tags=release-keys\nro.build.fingerprint=acme/ivi/ivi:12/SQ1A.220105.002/1234:userdebug/release-keys\nro.vendor.build.fingerprint=acme/ivi/ivi:12/SQ1A/1:user/test-keys\nro.odm.build.fingerprint=garbage\nro.build.version.security_patch=2025-01-05\nro.vendor.build.security_patch=2025-13-01\nro.boot.verifiedbootstate=orange\nro.boot.flash.locked=1\npersist.vendor.wifi.wps_enable=1\n",
        )
        .unwrap();
        let f = check_build_identity(&p);
        assert_eq!(
            f.iter().map(|x| x.passed).collect::<Vec<_>>(),
            vec![true, false, false, true]
        );
        assert!(f[1].message.ends_with("build type userdebug"));
        assert!(f[2].message.ends_with("tags test-keys"));
        let v = check_verified_boot(&p);
        assert_eq!(v.len(), 2);
        assert!(!v[0].passed && v[1].passed);
        let a = check_security_patch_age(&p, (2025, 4, 5), 3);
        assert!(a[0].passed, "{}", a[0].message);
        let a = check_security_patch_age(&p, (2025, 4, 4), 1);
        assert!(
            !a[0].passed && a[0].message.contains("2 month(s)"),
            "{}",
            a[0].message
        );
        assert!(!a[1].passed);
        assert!(check_verified_boot(&Props::default()).is_empty());
        assert!(!check_wps_props(&p)[0].passed);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
        assert_eq!(parse_date("2024-02-30x"), None);
    }
}
