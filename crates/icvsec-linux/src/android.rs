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
