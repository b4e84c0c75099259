//! OpenWrt-style UCI configuration files (`/etc/config/*`) and the facts embedded Linux
//! units keep in them: dropbear, uhttpd, firewall, system, network, and vendor
//! remote-command channels.
//!
//! Syntax (uci(1), libuci's file parser): one statement per line,
//! `package <name>`, `config <type> [<name>]`, `option <key> <value>`, `list <key> <value>`.
//! Words are separated by blanks; a word may be made of concatenated unquoted,
//! `'single-quoted'` (literal) and `"double-quoted"` (backslash escapes) parts; a `#` at the
//! start of a word starts a comment. `option`/`list` outside a section, a missing value, an
//! unterminated quote or an unknown statement are errors naming file, line and column.
//!
//! Booleans follow libuci/`config_get_bool`: `1 yes on true enabled` vs `0 no off false
//! disabled`.

use crate::common::{Finding, Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Upper bound on sections of one file and values of one list.
pub const MAX_SECTIONS: usize = 10_000;
pub const MAX_LIST_VALUES: usize = 4_096;

/// One option or list of a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UciOption {
    /// One value for `option`, one per line for `list`.
    pub values: Vec<String>,
    pub is_list: bool,
    /// Line of the (last) `option` line, or of the first `list` line.
    pub line: usize,
}

/// A `config` section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UciSection {
    pub stype: String,
    /// Section name; anonymous sections have none (uci shows them as `@type[n]`).
    pub name: Option<String>,
    pub line: usize,
    pub options: BTreeMap<String, UciOption>,
}

impl UciSection {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.options
            .get(key)
            .and_then(|o| o.values.last())
            .map(String::as_str)
    }
    pub fn line_of(&self, key: &str) -> usize {
        self.options.get(key).map_or(self.line, |o| o.line)
    }
    pub fn list(&self, key: &str) -> Vec<&str> {
        self.options
            .get(key)
            .map(|o| o.values.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
    /// A boolean option, `None` when absent or not a boolean word.
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(parse_bool)
    }
    /// `@type[n]` or the name, as uci displays the section.
    pub fn label(&self, index: usize) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("@{}[{index}]", self.stype),
        }
    }
}

/// libuci boolean words.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "on" | "true" | "enabled" => Some(true),
        "0" | "no" | "off" | "false" | "disabled" => Some(false),
        _ => None,
    }
}

/// A parsed UCI file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UciFile {
    pub file: String,
    /// Package name: from a `package` line, else the file name.
    pub package: String,
    pub sections: Vec<UciSection>,
}

impl UciFile {
    /// Sections of a type, with their index among sections of that type.
    pub fn of_type<'a>(&'a self, t: &'a str) -> impl Iterator<Item = (usize, &'a UciSection)> {
        self.sections
            .iter()
            .filter(move |s| s.stype == t)
            .enumerate()
    }
}

/// Split a line into words (see module doc). Returns (word, 1-based column) pairs.
fn words(file: &str, line: usize, l: &str) -> Result<Vec<(String, usize)>, ParseError> {
    let mut out = Vec::new();
    let chars: Vec<char> = l.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() || chars[i] == '#' {
            break;
        }
        let col = i + 1;
        let mut w = String::new();
        while i < chars.len() && !chars[i].is_whitespace() {
            match chars[i] {
                '\'' => {
                    let start = i + 1;
                    i += 1;
                    while i < chars.len() && chars[i] != '\'' {
                        w.push(chars[i]);
                        i += 1;
                    }
                    if i >= chars.len() {
                        return Err(ParseError::at(
                            file,
                            line,
                            format!("column {start}: unterminated single quote"),
                        ));
                    }
                    i += 1;
                }
                '"' => {
                    let start = i + 1;
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        if chars[i] == '\\' && i + 1 < chars.len() {
                            i += 1;
                        }
                        w.push(chars[i]);
                        i += 1;
                    }
                    if i >= chars.len() {
                        return Err(ParseError::at(
                            file,
                            line,
                            format!("column {start}: unterminated double quote"),
                        ));
                    }
                    i += 1;
                }
                '\\' if i + 1 < chars.len() => {
                    w.push(chars[i + 1]);
                    i += 2;
                }
                c => {
                    w.push(c);
                    i += 1;
                }
            }
        }
        out.push((w, col));
    }
    Ok(out)
}

fn valid_ident(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parse one UCI file. `file` is the in-root path (`/etc/config/dropbear`).
pub fn parse_uci(file: &str, bytes: &[u8]) -> Result<UciFile, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut package = file.rsplit('/').next().unwrap_or(file).to_string();
    let mut sections: Vec<UciSection> = Vec::new();
    for (idx, raw) in lines.iter().enumerate() {
        let line = idx + 1;
        let w = words(file, line, raw)?;
        let Some((kw, _)) = w.first() else {
            continue;
        };
        let at = |i: usize| w.get(i).map_or(raw.len() + 1, |x| x.1);
        match kw.as_str() {
            "package" => {
                let Some((name, _)) = w.get(1) else {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column {}: package without a name", at(1)),
                    ));
                };
                package = name.clone();
            }
            "config" => {
                let Some((stype, _)) = w.get(1) else {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column {}: config without a section type", at(1)),
                    ));
                };
                if !valid_ident(stype) {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column {}: invalid section type {stype:?}", at(1)),
                    ));
                }
                if w.len() > 3 {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column {}: unexpected word after the section name", at(3)),
                    ));
                }
                if sections.len() >= MAX_SECTIONS {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("more than {MAX_SECTIONS} sections"),
                    ));
                }
                let name = w.get(2).map(|x| x.0.clone());
                // A repeated named section merges into the first (libuci behaviour).
                if let Some(n) = &name
                    && let Some(pos) = sections
                        .iter()
                        .position(|s| s.name.as_deref() == Some(n.as_str()))
                {
                    let s = sections.remove(pos);
                    sections.push(s);
                    continue;
                }
                sections.push(UciSection {
                    stype: stype.clone(),
                    name,
                    line,
                    options: BTreeMap::new(),
                });
            }
            "option" | "list" => {
                let is_list = kw == "list";
                let Some(sec) = sections.last_mut() else {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column 1: {kw} outside a config section"),
                    ));
                };
                let (Some((key, _)), Some((val, _))) = (w.get(1), w.get(2)) else {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column {}: {kw} needs a name and a value", at(1)),
                    ));
                };
                if !valid_ident(key) {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column {}: invalid option name {key:?}", at(1)),
                    ));
                }
                if w.len() > 3 {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("column {}: unexpected word after the value", at(3)),
                    ));
                }
                let e = sec.options.entry(key.clone()).or_insert(UciOption {
                    values: Vec::new(),
                    is_list,
                    line,
                });
                if is_list && e.is_list {
                    if e.values.len() >= MAX_LIST_VALUES {
                        return Err(ParseError::at(
                            file,
                            line,
                            format!("list {key}: more than {MAX_LIST_VALUES} values"),
                        ));
                    }
                    e.values.push(val.clone());
                } else {
                    *e = UciOption {
                        values: vec![val.clone()],
                        is_list,
                        line,
                    };
                }
            }
            other => {
                return Err(ParseError::at(
                    file,
                    line,
                    format!(
                        "column {}: unknown statement {:?} (expected package, config, option or list)",
                        at(0),
                        other.chars().take(40).collect::<String>()
                    ),
                ));
            }
        }
    }
    Ok(UciFile {
        file: file.to_string(),
        package,
        sections,
    })
}

// ------------------------------------------------------------------ typed facts

/// A dropbear instance (`config dropbear` in `/etc/config/dropbear`), with the defaults of
/// OpenWrt's `/etc/init.d/dropbear` for absent options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DropbearInstance {
    pub label: String,
    pub line: usize,
    /// `enable` (default on).
    pub enabled: bool,
    /// `PasswordAuth` (default on): password logins for all users.
    pub password_auth: bool,
    /// `RootPasswordAuth` (default on): password logins for root.
    pub root_password_auth: bool,
    /// `RootLogin` (default on): root may log in at all.
    pub root_login: bool,
    /// `GatewayPorts` (default off).
    pub gateway_ports: bool,
    /// `Port` (default 22).
    pub port: u16,
    /// `Interface`: a logical network name; none = every interface.
    pub interface: Option<String>,
}

fn bool_or(s: &UciSection, key: &str, default: bool) -> bool {
    s.get_bool(key).unwrap_or(default)
}

/// Dropbear instances of a `dropbear` package.
pub fn dropbear_instances(f: &UciFile) -> Vec<DropbearInstance> {
    f.of_type("dropbear")
        .map(|(i, s)| DropbearInstance {
            label: s.label(i),
            line: s.line,
            enabled: bool_or(s, "enable", true),
            password_auth: bool_or(s, "PasswordAuth", true),
            root_password_auth: bool_or(s, "RootPasswordAuth", true),
            root_login: bool_or(s, "RootLogin", true),
            gateway_ports: bool_or(s, "GatewayPorts", false),
            port: s.get("Port").and_then(|p| p.parse().ok()).unwrap_or(22),
            interface: s.get("Interface").map(str::to_string),
        })
        .collect()
}

/// Findings on dropbear instances: password logins, root password logins, gateway ports.
pub fn check_dropbear(f: &UciFile) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, s) in f.of_type("dropbear") {
        if !bool_or(s, "enable", true) {
            continue;
        }
        let label = s.label(i);
        let mut flag = |key: &str, default: bool, bad_when: bool, what: &str| {
            let v = bool_or(s, key, default);
            let set = s.options.contains_key(key);
            out.push(Finding::new(
                "linux.uci.dropbear",
                &format!("dropbear.{label}.{key}"),
                &f.file,
                Some(s.line_of(key)),
                v != bad_when,
                format!(
                    "dropbear {label}: {key} is {}{} ({what})",
                    if v { "on" } else { "off" },
                    if set { "" } else { " by default" }
                ),
            ));
        };
        flag("PasswordAuth", true, true, "password logins");
        flag("RootPasswordAuth", true, true, "root password logins");
        flag(
            "GatewayPorts",
            false,
            true,
            "remote forwardings on all interfaces",
        );
    }
    out
}

/// One `listen_http`/`listen_https` address of uhttpd.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UhttpdListen {
    pub instance: String,
    pub address: String,
    pub tls: bool,
    pub line: usize,
}

/// uhttpd listen addresses and per-instance `redirect_https`, `cert`, `key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UhttpdInstance {
    pub label: String,
    pub line: usize,
    pub listen: Vec<UhttpdListen>,
    pub redirect_https: bool,
    pub cert: Option<String>,
    pub key: Option<String>,
}

pub fn uhttpd_instances(f: &UciFile) -> Vec<UhttpdInstance> {
    f.of_type("uhttpd")
        .map(|(i, s)| {
            let label = s.label(i);
            let mut listen = Vec::new();
            for (key, tls) in [("listen_http", false), ("listen_https", true)] {
                let line = s.line_of(key);
                for a in s.list(key) {
                    listen.push(UhttpdListen {
                        instance: label.clone(),
                        address: a.to_string(),
                        tls,
                        line,
                    });
                }
            }
            UhttpdInstance {
                label,
                line: s.line,
                listen,
                redirect_https: bool_or(s, "redirect_https", false),
                cert: s.get("cert").map(str::to_string),
                key: s.get("key").map(str::to_string),
            }
        })
        .collect()
}

/// uhttpd serving plain HTTP without redirecting to HTTPS is a finding (per instance).
pub fn check_uhttpd(f: &UciFile) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in uhttpd_instances(f) {
        let plain: Vec<&str> = u
            .listen
            .iter()
            .filter(|l| !l.tls)
            .map(|l| l.address.as_str())
            .collect();
        let has_tls = u.listen.iter().any(|l| l.tls);
        let ok = plain.is_empty() || (has_tls && u.redirect_https);
        out.push(Finding::new(
            "linux.uci.uhttpd",
            &format!("uhttpd.{}.listen_http", u.label),
            &f.file,
            Some(u.listen.iter().find(|l| !l.tls).map_or(u.line, |l| l.line)),
            ok,
            if plain.is_empty() {
                format!("uhttpd {}: HTTPS only", u.label)
            } else if ok {
                format!(
                    "uhttpd {}: plain HTTP on {} redirects to HTTPS",
                    u.label,
                    plain.join(", ")
                )
            } else {
                format!(
                    "uhttpd {}: plain HTTP on {} {}",
                    u.label,
                    plain.join(", "),
                    if has_tls {
                        "without redirect_https"
                    } else {
                        "and no HTTPS listener"
                    }
                )
            },
        ));
    }
    out
}

/// Firewall facts (`/etc/config/firewall`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirewallFacts {
    /// `defaults` policies: input, output, forward (uppercased), with lines.
    pub defaults: BTreeMap<String, (String, usize)>,
    pub zones: Vec<FwZone>,
    /// Port forwards (`redirect` sections with target DNAT, the default).
    pub redirects: Vec<FwRedirect>,
    /// `rule` sections accepting traffic from an external zone to the device or beyond.
    pub wan_accept_rules: Vec<FwRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FwZone {
    pub name: String,
    pub line: usize,
    pub networks: Vec<String>,
    pub input: Option<(String, usize)>,
    pub forward: Option<(String, usize)>,
    /// Named `wan*`, covering a `wan*` network, or masquerading: faces outside.
    pub external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FwRedirect {
    pub label: String,
    pub line: usize,
    pub src: Option<String>,
    pub src_dport: Option<String>,
    pub dest_ip: Option<String>,
    pub dest_port: Option<String>,
    pub proto: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FwRule {
    pub label: String,
    pub line: usize,
    pub src: String,
    pub dest: Option<String>,
    pub dest_port: Option<String>,
    pub proto: String,
}

pub fn firewall_facts(f: &UciFile) -> FirewallFacts {
    let mut out = FirewallFacts::default();
    for (_, s) in f.of_type("defaults") {
        for k in ["input", "output", "forward"] {
            if let Some(v) = s.get(k) {
                out.defaults
                    .insert(k.to_string(), (v.to_ascii_uppercase(), s.line_of(k)));
            }
        }
    }
    for (i, s) in f.of_type("zone") {
        let name = s.get("name").map_or_else(|| s.label(i), str::to_string);
        let mut networks: Vec<String> = s.list("network").iter().map(|x| x.to_string()).collect();
        // `option network 'wan wan6'` is a space-separated list too.
        networks = networks
            .iter()
            .flat_map(|n| n.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        let external = name.starts_with("wan")
            || networks.iter().any(|n| n.starts_with("wan"))
            || s.get_bool("masq") == Some(true);
        let pol = |k: &str| s.get(k).map(|v| (v.to_ascii_uppercase(), s.line_of(k)));
        out.zones.push(FwZone {
            input: pol("input"),
            forward: pol("forward"),
            name,
            line: s.line,
            networks,
            external,
        });
    }
    let ext: Vec<String> = out
        .zones
        .iter()
        .filter(|z| z.external)
        .map(|z| z.name.clone())
        .collect();
    for (i, s) in f.of_type("redirect") {
        if s.get_bool("enabled") == Some(false) {
            continue;
        }
        let target = s.get("target").unwrap_or("DNAT").to_ascii_uppercase();
        if target != "DNAT" {
            continue;
        }
        out.redirects.push(FwRedirect {
            label: s.get("name").map_or_else(|| s.label(i), str::to_string),
            line: s.line,
            src: s.get("src").map(str::to_string),
            src_dport: s.get("src_dport").map(str::to_string),
            dest_ip: s.get("dest_ip").map(str::to_string),
            dest_port: s.get("dest_port").map(str::to_string),
            proto: s.get("proto").unwrap_or("tcp udp").to_string(),
        });
    }
    for (i, s) in f.of_type("rule") {
        if s.get_bool("enabled") == Some(false) {
            continue;
        }
        let Some(src) = s.get("src") else { continue };
        let target = s.get("target").unwrap_or("DROP").to_ascii_uppercase();
        if target == "ACCEPT" && (src == "*" || ext.iter().any(|e| e == src)) {
            out.wan_accept_rules.push(FwRule {
                label: s.get("name").map_or_else(|| s.label(i), str::to_string),
                line: s.line,
                src: src.to_string(),
                dest: s.get("dest").map(str::to_string),
                dest_port: s.get("dest_port").map(str::to_string),
                proto: s.get("proto").unwrap_or("tcp udp").to_string(),
            });
        }
    }
    out
}

/// Firewall findings: ACCEPT input/forward defaults, external zones accepting input or
/// forward, port forwards from outside, rules accepting from outside.
pub fn check_firewall(f: &UciFile) -> Vec<Finding> {
    let facts = firewall_facts(f);
    let c = "linux.uci.firewall";
    let mut out = Vec::new();
    for k in ["input", "forward"] {
        match facts.defaults.get(k) {
            Some((v, line)) => out.push(Finding::new(
                c,
                &format!("defaults.{k}"),
                &f.file,
                Some(*line),
                v != "ACCEPT",
                format!("firewall defaults: {k} policy {v}"),
            )),
            None => out.push(Finding::new(
                c,
                &format!("defaults.{k}"),
                &f.file,
                None,
                false,
                format!("firewall defaults: no {k} policy (fw3/fw4 default ACCEPT)"),
            )),
        }
    }
    for z in facts.zones.iter().filter(|z| z.external) {
        for (k, v) in [("input", &z.input), ("forward", &z.forward)] {
            let (pol, line) = v
                .clone()
                .or_else(|| facts.defaults.get(k).cloned())
                .unwrap_or(("ACCEPT".into(), z.line));
            out.push(Finding::new(
                c,
                &format!("zone.{}.{k}", z.name),
                &f.file,
                Some(line),
                pol != "ACCEPT",
                format!("external zone {}: {k} policy {pol}", z.name),
            ));
        }
    }
    for r in &facts.redirects {
        let from_ext = r
            .src
            .as_deref()
            .is_none_or(|s| facts.zones.iter().any(|z| z.external && z.name == s));
        out.push(Finding::new(
            c,
            &format!("redirect.{}", r.label),
            &f.file,
            Some(r.line),
            !from_ext,
            format!(
                "port forward {}: {} {} port {} -> {}:{}",
                r.label,
                r.src.as_deref().unwrap_or("any zone"),
                r.proto,
                r.src_dport.as_deref().unwrap_or("any"),
                r.dest_ip.as_deref().unwrap_or("?"),
                r.dest_port
                    .as_deref()
                    .or(r.src_dport.as_deref())
                    .unwrap_or("same")
            ),
        ));
    }
    for r in &facts.wan_accept_rules {
        out.push(Finding::new(
            c,
            &format!("rule.{}", r.label),
            &f.file,
            Some(r.line),
            false,
            format!(
                "rule {} accepts {} port {} from external zone {}{}",
                r.label,
                r.proto,
                r.dest_port.as_deref().unwrap_or("any"),
                r.src,
                r.dest
                    .as_deref()
                    .map(|d| format!(" to zone {d}"))
                    .unwrap_or_else(|| " to the device".into())
            ),
        ));
    }
    out
}

/// `system.@system[0].ttylogin`: OpenWrt's `/usr/libexec/login.sh` spawns a root shell on
/// the console without a password unless `ttylogin` is 1 (default 0).
pub fn tty_login_required(system: &UciFile) -> Option<(bool, usize)> {
    system
        .of_type("system")
        .next()
        .map(|(_, s)| (bool_or(s, "ttylogin", false), s.line_of("ttylogin")))
}

/// Logical interfaces of `/etc/config/network`: name -> (proto, device or ifname).
pub fn network_interfaces(f: &UciFile) -> BTreeMap<String, (String, Option<String>)> {
    f.of_type("interface")
        .filter_map(|(_, s)| {
            let name = s.name.clone()?;
            Some((
                name,
                (
                    s.get("proto").unwrap_or("none").to_string(),
                    s.get("device")
                        .or_else(|| s.get("ifname"))
                        .map(str::to_string),
                ),
            ))
        })
        .collect()
}

/// Vendor remote-command channels. No standard exists; these are the names chosen here
/// (case-insensitive, `-` read as `_`), documented in docs/embedded-linux.md:
/// - an option named one of [`REMOTE_COMMAND_OPTIONS`] with a true value, in any package;
/// - `enable`/`enabled` true in a section whose type is one of [`REMOTE_COMMAND_SECTIONS`]
///   (SMS/cloud command handlers, TR-069/CWMP management clients).
pub const REMOTE_COMMAND_OPTIONS: &[&str] = &[
    "sms_cmd",
    "sms_command",
    "sms_commands",
    "sms_control",
    "sms_remote",
    "smscmd",
    "remote_cmd",
    "remote_command",
    "remote_commands",
    "remote_control",
    "cloud_cmd",
    "cloud_command",
    "cloud_commands",
    "cloud_control",
    "remote_mgmt",
    "remote_management",
];

/// Section types whose `enable`/`enabled` switches a remote command channel on.
pub const REMOTE_COMMAND_SECTIONS: &[&str] = &[
    "sms_cmd",
    "sms_command",
    "sms_control",
    "sms_utils",
    "remote_control",
    "cloud_control",
    "cwmp",
    "easycwmp",
    "tr069",
];

/// A remote command channel switched on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteCommand {
    pub file: String,
    pub line: usize,
    /// `package.section.option`.
    pub setting: String,
}

pub fn remote_command_toggles(f: &UciFile) -> Vec<RemoteCommand> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let mut out = Vec::new();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &f.sections {
        let n = counts.entry(s.stype.as_str()).or_insert(0);
        let label = s.label(*n);
        *n += 1;
        let st = norm(&s.stype);
        for (k, o) in &s.options {
            let k_n = norm(k);
            let on = o.values.last().and_then(|v| parse_bool(v)) == Some(true);
            let hit = REMOTE_COMMAND_OPTIONS.contains(&k_n.as_str())
                || (REMOTE_COMMAND_SECTIONS.contains(&st.as_str())
                    && (k_n == "enable" || k_n == "enabled"));
            if hit && on {
                out.push(RemoteCommand {
                    file: f.file.clone(),
                    line: o.line,
                    setting: format!("{}.{label}.{k}", f.package),
                });
            }
        }
    }
    out
}

/// Every remote command channel switched on is a finding (it must be declared and
/// authenticated); none switched on is a pass.
pub fn check_remote_commands(f: &UciFile) -> Vec<Finding> {
    let hits = remote_command_toggles(f);
    if hits.is_empty() {
        return vec![Finding::new(
            "linux.uci.remote_command",
            &f.package,
            &f.file,
            None,
            true,
            format!("{}: no remote command channel switched on", f.package),
        )];
    }
    hits.into_iter()
        .map(|h| {
            Finding::new(
                "linux.uci.remote_command",
                &h.setting,
                &h.file,
                Some(h.line),
                false,
                format!(
                    "{} switches on a remote command channel (SMS/cloud/TR-069)",
                    h.setting
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DROPBEAR: &str = "# dropbear\nconfig dropbear\n\toption PasswordAuth 'on'\n\toption RootPasswordAuth off\n\toption Port \"2222\"\n\toption Interface 'lan'\n\nconfig dropbear 'wan_inst'\n\toption enable '0'\n";

    #[test]
    fn parse_and_dropbear() {
        let f = parse_uci("/etc/config/dropbear", DROPBEAR.as_bytes()).unwrap();
        assert_eq!(f.package, "dropbear");
        assert_eq!(f.sections.len(), 2);
        let d = dropbear_instances(&f);
        assert_eq!(d[0].port, 2222);
        assert_eq!(d[0].interface.as_deref(), Some("lan"));
        assert!(d[0].password_auth && !d[0].root_password_auth && d[0].root_login);
        assert!(!d[1].enabled);
        assert_eq!(d[0].label, "@dropbear[0]");
        let fs = check_dropbear(&f);
        assert_eq!(fs.len(), 3);
        assert!(!fs[0].passed && fs[0].line == Some(3));
        assert!(fs[1].passed);
        assert!(fs[2].passed && fs[2].message.contains("by default"));
    }

    #[test]
    fn quoting_and_lists() {
        let t = "package 'x'\nconfig a 'n'\n\tlist l 'one'\n\tlist l \"t\\\"wo\"\n\toption o it's' 'x # not comment\n\toption c 'v' # comment\n";
        let e = parse_uci("/etc/config/x", t.as_bytes()).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        let t = "package 'x'\nconfig a 'n'\n\tlist l 'one'\n\tlist l \"t\\\"wo\"\n\toption o 'a b'\"c\"d\n\toption c 'v' # comment\n";
        let f = parse_uci("/etc/config/x", t.as_bytes()).unwrap();
        assert_eq!(f.package, "x");
        let s = &f.sections[0];
        assert_eq!(s.list("l"), vec!["one", "t\"wo"]);
        assert_eq!(s.get("o"), Some("a bcd"));
        assert_eq!(s.get("c"), Some("v"));
    }

    #[test]
    fn errors_name_line_and_column() {
        for (t, line, frag) in [
            ("option a 'b'\n", 1, "outside"),
            ("config x\n  option a\n", 2, "needs a name and a value"),
            ("config x\n  option a 'b\n", 2, "unterminated single quote"),
            ("config x\nfrobnicate y\n", 2, "unknown statement"),
            ("config 'a b'\n", 1, "invalid section type"),
            ("config x\n\x00", 2, "binary"),
        ] {
            let e = parse_uci("/etc/config/t", t.as_bytes()).unwrap_err();
            assert_eq!(e.file, "/etc/config/t");
            assert_eq!(e.line, Some(line), "{t:?}: {e}");
            assert!(e.message.contains(frag), "{e}");
        }
    }

    #[test]
    fn uhttpd_and_firewall() {
        let u = parse_uci(
            "/etc/config/uhttpd",
            b"config uhttpd 'main'\n\tlist listen_http '0.0.0.0:80'\n\tlist listen_http '[::]:80'\n\tlist listen_https '0.0.0.0:443'\n\toption redirect_https '0'\n\toption cert '/etc/uhttpd.crt'\n",
        )
        .unwrap();
        let inst = uhttpd_instances(&u);
        assert_eq!(inst[0].listen.len(), 3);
        let f = check_uhttpd(&u);
        assert!(!f[0].passed && f[0].message.contains("without redirect_https"));

        let fw = parse_uci(
            "/etc/config/firewall",
            b"config defaults\n\toption input 'ACCEPT'\n\toption forward 'REJECT'\n\nconfig zone\n\toption name 'lan'\n\tlist network 'lan'\n\toption input 'ACCEPT'\n\nconfig zone\n\toption name 'wan'\n\tlist network 'wan'\n\toption input 'ACCEPT'\n\toption forward 'REJECT'\n\toption masq '1'\n\nconfig redirect\n\toption name 'cam'\n\toption src 'wan'\n\toption src_dport '8080'\n\toption dest_ip '192.168.1.20'\n\toption dest_port '80'\n\nconfig rule\n\toption name 'Allow-SSH-WAN'\n\toption src 'wan'\n\toption dest_port '22'\n\toption proto 'tcp'\n\toption target 'ACCEPT'\n\nconfig rule\n\toption src 'lan'\n\toption target 'ACCEPT'\n",
        )
        .unwrap();
        let facts = firewall_facts(&fw);
        assert_eq!(facts.zones.iter().filter(|z| z.external).count(), 1);
        assert_eq!(facts.redirects.len(), 1);
        assert_eq!(facts.wan_accept_rules.len(), 1);
        let fs = check_firewall(&fw);
        let failed: Vec<&str> = fs
            .iter()
            .filter(|f| !f.passed)
            .map(|f| f.setting.as_str())
            .collect();
        assert_eq!(
            failed,
            vec![
                "defaults.input",
                "zone.wan.input",
                "redirect.cam",
                "rule.Allow-SSH-WAN"
            ]
        );
        assert_eq!(fs[0].line, Some(2));
    }

    #[test]
    fn remote_commands_and_system() {
        let f = parse_uci(
            "/etc/config/vendor",
            b"config sms_control 'sms'\n\toption enabled '1'\n\nconfig cloud 'c'\n\toption Cloud-Control 'yes'\n\toption remote_cmd '0'\n\nconfig cwmp 'acs'\n\toption enable 'off'\n",
        )
        .unwrap();
        let r = remote_command_toggles(&f);
        assert_eq!(
            r.iter().map(|x| x.setting.as_str()).collect::<Vec<_>>(),
            vec!["vendor.sms.enabled", "vendor.c.Cloud-Control"]
        );
        assert_eq!(check_remote_commands(&f).len(), 2);
        let s = parse_uci(
            "/etc/config/system",
            b"config system\n\toption hostname 'tbox'\n",
        )
        .unwrap();
        assert_eq!(tty_login_required(&s), Some((false, 1)));
        let n = parse_uci(
            "/etc/config/network",
            b"config interface 'lan'\n\toption device 'br-lan'\n\toption proto 'static'\nconfig interface 'wan'\n\toption ifname 'eth1'\n\toption proto 'dhcp'\n",
        )
        .unwrap();
        let ifs = network_interfaces(&n);
        assert_eq!(ifs["wan"], ("dhcp".to_string(), Some("eth1".to_string())));
    }
}
