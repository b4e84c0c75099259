//! Android state as captured on a running unit, beside the property files of the image:
//! `getprop` output, `/proc/cmdline` and `/proc/bootconfig`.
//!
//! - `getprop`: `[key]: [value]` per line; a value may span lines (it ends at the line
//!   ending in `]`), bounded by the line limits.
//! - `/proc/cmdline`: blank-separated `key=value` / `key` words, double quotes group.
//! - `/proc/bootconfig`: `key = "value"` (or unquoted, or a `"a", "b"` list) per line, `#`
//!   comments.
//!
//! As Android's init does, every `androidboot.X` of the command line or bootconfig also
//! sets `ro.boot.X`. Captures are added after the property files (the running state
//! overrides the image), in the order of [`CAPTURE_FILES`].

use crate::android::{PropValue, Props};
use crate::common::{Limits, ParseError, text_lines};

/// In-root locations read as captures (a test lab saves them into the unpacked root).
pub const CAPTURE_FILES: &[&str] = &[
    "/proc/cmdline",
    "/proc/bootconfig",
    "/getprop.txt",
    "/captures/getprop.txt",
];

/// One captured property: (key, value, line).
pub type Entry = (String, String, usize);

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= crate::android::MAX_PROP_NAME
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | ':'))
}

/// Parse `getprop` output.
pub fn parse_getprop(file: &str, bytes: &[u8]) -> Result<Vec<Entry>, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    let mut open: Option<(String, String, usize)> = None;
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        if let Some((k, mut v, l0)) = open.take() {
            v.push('\n');
            match raw.strip_suffix(']') {
                Some(end) => {
                    v.push_str(end);
                    out.push((k, v, l0));
                }
                None => {
                    v.push_str(raw);
                    open = Some((k, v, l0));
                }
            }
            continue;
        }
        let l = raw.trim_end();
        if l.trim().is_empty() {
            continue;
        }
        let Some(rest) = l.strip_prefix('[') else {
            return Err(ParseError::at(file, line, "expected `[key]: [value]`"));
        };
        let Some((k, v)) = rest.split_once("]: [") else {
            return Err(ParseError::at(file, line, "expected `[key]: [value]`"));
        };
        if !valid_key(k) {
            return Err(ParseError::at(
                file,
                line,
                format!(
                    "invalid property name {:?}",
                    k.chars().take(40).collect::<String>()
                ),
            ));
        }
        match v.strip_suffix(']') {
            Some(v) => out.push((k.to_string(), v.to_string(), line)),
            None => open = Some((k.to_string(), v.to_string(), line)),
        }
    }
    if let Some((k, _, l0)) = open {
        return Err(ParseError::at(
            file,
            l0,
            format!("value of [{k}] is not terminated by `]`"),
        ));
    }
    Ok(out)
}

/// Parse a kernel command line capture (all lines; usually one).
pub fn parse_cmdline(file: &str, bytes: &[u8]) -> Result<Vec<Entry>, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let line = i + 1;
        let mut word = String::new();
        let mut words = Vec::new();
        let mut q = false;
        for c in l.chars() {
            match c {
                '"' => q = !q,
                c if c.is_whitespace() && !q => {
                    if !word.is_empty() {
                        words.push(std::mem::take(&mut word));
                    }
                }
                c => word.push(c),
            }
        }
        if q {
            return Err(ParseError::at(file, line, "unterminated double quote"));
        }
        if !word.is_empty() {
            words.push(word);
        }
        for w in words {
            let (k, v) = w.split_once('=').unwrap_or((w.as_str(), ""));
            if valid_key(k) {
                out.push((k.to_string(), v.to_string(), line));
            }
        }
    }
    Ok(out)
}

/// Parse a `/proc/bootconfig` capture.
pub fn parse_bootconfig(file: &str, bytes: &[u8]) -> Result<Vec<Entry>, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            return Err(ParseError::at(file, line, "expected key = value"));
        };
        let k = k.trim();
        if !valid_key(k) {
            return Err(ParseError::at(
                file,
                line,
                format!("invalid key {:?}", k.chars().take(40).collect::<String>()),
            ));
        }
        // `"a", "b"` lists keep their items joined by `,` (as init sees them).
        let mut items = Vec::new();
        for part in v.split(',') {
            let p = part.trim();
            let p = p
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .unwrap_or(p);
            items.push(p.to_string());
        }
        out.push((k.to_string(), items.join(","), line));
    }
    Ok(out)
}

impl Props {
    /// Add captured entries on top (later files override), mapping `androidboot.X` to
    /// `ro.boot.X` as init does.
    pub fn add_entries(&mut self, file: &str, entries: Vec<Entry>) {
        for (k, v, line) in entries {
            let value = PropValue {
                value: v,
                file: file.to_string(),
                line,
            };
            if let Some(rest) = k.strip_prefix("androidboot.") {
                self.props.insert(format!("ro.boot.{rest}"), value.clone());
            }
            self.props.insert(k, value);
        }
        self.files.push(file.to_string());
    }

    /// Parse a capture file by its location and add it.
    pub fn add_capture(&mut self, file: &str, bytes: &[u8]) -> Result<(), ParseError> {
        let name = file.rsplit('/').next().unwrap_or(file);
        let entries = match name {
            "cmdline" => parse_cmdline(file, bytes)?,
            "bootconfig" => parse_bootconfig(file, bytes)?,
            _ => parse_getprop(file, bytes)?,
        };
        self.add_entries(file, entries);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getprop() {
        let t = b"[ro.build.type]: [userdebug]\n[ro.boot.verifiedbootstate]: [orange]\n[persist.x]: [two\nlines]\n[empty]: []\n";
        let e = parse_getprop("/getprop.txt", t).unwrap();
        assert_eq!(e.len(), 4);
        assert_eq!(e[2], ("persist.x".into(), "two\nlines".into(), 3));
        assert_eq!(e[3].1, "");
        for (bad, line) in [
            (&b"[a]: [1]\nnot a prop\n"[..], 2),
            (b"[bad key]: [1]\n", 1),
            (b"[a]: [open\n", 1),
        ] {
            let err = parse_getprop("/getprop.txt", bad).unwrap_err();
            assert_eq!(err.line, Some(line), "{err}");
        }
    }

    #[test]
    fn cmdline_and_bootconfig() {
        let c = parse_cmdline(
            "/proc/cmdline",
            b"console=ttyMSM0,115200n8 androidboot.selinux=permissive quiet androidboot.serialno=\"AB C\" androidboot.verifiedbootstate=orange\n",
        )
        .unwrap();
        assert_eq!(c.len(), 5);
        assert_eq!(c[3].1, "AB C");
        let mut p = Props::default();
        p.add_entries("/proc/cmdline", c);
        assert_eq!(p.get("ro.boot.selinux").unwrap().value, "permissive");
        assert_eq!(
            p.get("ro.boot.verifiedbootstate").unwrap().file,
            "/proc/cmdline"
        );
        assert!(parse_cmdline("c", b"a=\"x\n").is_err());

        let b = parse_bootconfig(
            "/proc/bootconfig",
            b"# bootconfig\nandroidboot.vbmeta.device_state = \"unlocked\"\nandroidboot.boot_devices = \"soc/1d84000.ufshc\", \"soc/x\"\nkernel.x = 1\n",
        )
        .unwrap();
        assert_eq!(b[1].1, "soc/1d84000.ufshc,soc/x");
        let mut p = Props::default();
        p.add_capture("/proc/bootconfig", b"androidboot.flash.locked = \"0\"\n")
            .unwrap();
        assert_eq!(p.get("ro.boot.flash.locked").unwrap().line, 1);
        assert_eq!(
            parse_bootconfig("/proc/bootconfig", b"ok = 1\njunk\n")
                .unwrap_err()
                .line,
            Some(2)
        );
    }
}
