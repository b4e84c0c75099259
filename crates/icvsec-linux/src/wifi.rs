//! Wi-Fi Protected Setup (WPS) in `wpa_supplicant.conf` and `hostapd.conf`.
//!
//! - hostapd: `wps_state=1` or `2` enables WPS on the access point (an IVI hotspot): a PIN
//!   or push-button lets a nearby device join without the passphrase (the PIN is brute
//!   forceable, CVE-2011-5053 class attacks).
//! - wpa_supplicant: `config_methods` listing WPS methods (`push_button`,
//!   `virtual_push_button`, `physical_push_button`, `keypad`, `display`, `virtual_display`,
//!   `physical_display`, `label`) advertises WPS enrollment.
//!
//! Format: `key=value` lines, `#` comments, `network={ ... }` blocks (their contents are
//! not WPS settings and are skipped).

use crate::common::{Finding, Limits, ParseError, text_lines};

/// Default locations of Wi-Fi daemon configuration in Android and embedded Linux roots.
pub const WIFI_CONF_FILES: &[&str] = &[
    "/etc/wpa_supplicant.conf",
    "/etc/wpa_supplicant/wpa_supplicant.conf",
    "/etc/hostapd.conf",
    "/etc/hostapd/hostapd.conf",
    "/system/etc/wifi/wpa_supplicant.conf",
    "/vendor/etc/wifi/wpa_supplicant.conf",
    "/vendor/etc/wifi/wpa_supplicant_overlay.conf",
    "/vendor/etc/wifi/p2p_supplicant_overlay.conf",
    "/vendor/etc/wifi/hostapd.conf",
    "/data/misc/wifi/wpa_supplicant.conf",
    "/data/vendor/wifi/hostapd/hostapd.conf",
];

pub const WPS_METHODS: &[&str] = &[
    "push_button",
    "virtual_push_button",
    "physical_push_button",
    "keypad",
    "display",
    "virtual_display",
    "physical_display",
    "label",
];

/// Top-level `key=value` settings with their lines.
pub fn parse_kv(file: &str, bytes: &[u8]) -> Result<Vec<(String, String, usize)>, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    let mut depth = 0usize;
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if l.ends_with('{') {
            depth += 1;
            if depth > 8 {
                return Err(ParseError::at(file, line, "blocks nested too deep"));
            }
            continue;
        }
        if l == "}" {
            depth = depth
                .checked_sub(1)
                .ok_or_else(|| ParseError::at(file, line, "unbalanced '}'"))?;
            continue;
        }
        if depth > 0 {
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            return Err(ParseError::at(file, line, "expected key=value"));
        };
        out.push((k.trim().to_string(), v.trim().to_string(), line));
    }
    if depth > 0 {
        return Err(ParseError::new(
            file,
            Some(lines.len()),
            "unclosed '{' block",
        ));
    }
    Ok(out)
}

/// WPS findings of one configuration file (empty when it says nothing about WPS).
pub fn check_wps_file(file: &str, bytes: &[u8]) -> Result<Vec<Finding>, ParseError> {
    Ok(check_wps_settings(file, &parse_kv(file, bytes)?))
}

/// WPS findings of one configuration file already parsed by [`parse_kv`].
pub fn check_wps_settings(file: &str, kv: &[(String, String, usize)]) -> Vec<Finding> {
    let c = "android.wifi_wps";
    let mut out = Vec::new();
    for (k, v, line) in kv {
        let (v, line) = (v.as_str(), *line);
        match k.as_str() {
            "wps_state" => out.push(Finding::new(
                c,
                "wps_state",
                file,
                Some(line),
                v == "0",
                format!(
                    "wps_state={v}{}",
                    if v == "0" {
                        " (WPS off)"
                    } else {
                        " (WPS enabled on the access point)"
                    }
                ),
            )),
            "config_methods" => {
                let m: Vec<&str> = v
                    .trim_matches('"')
                    .split_whitespace()
                    .filter(|x| WPS_METHODS.contains(x))
                    .collect();
                out.push(Finding::new(
                    c,
                    "config_methods",
                    file,
                    Some(line),
                    m.is_empty(),
                    if m.is_empty() {
                        format!("config_methods={v} lists no WPS method")
                    } else {
                        format!("config_methods advertises WPS methods: {}", m.join(", "))
                    },
                ));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wps() {
        let f = check_wps_file(
            "/vendor/etc/wifi/hostapd.conf",
            b"interface=wlan1\nwps_state=2\nap_setup_locked=0\n",
        )
        .unwrap();
        assert!(!f[0].passed && f[0].line == Some(2));
        let f = check_wps_file(
            "/vendor/etc/wifi/wpa_supplicant.conf",
            b"ctrl_interface=wlan0\nconfig_methods=virtual_push_button keypad nfc_interface\nnetwork={\n  ssid=\"x\"\n  config_methods=label\n}\n",
        )
        .unwrap();
        assert_eq!(f.len(), 1);
        assert!(f[0].message.ends_with("virtual_push_button, keypad"));
        assert!(check_wps_file("/x", b"a=1\n}\n").is_err());
        assert!(check_wps_file("/x", b"network={\n").is_err());
    }
}
