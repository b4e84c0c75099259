//! systemd units: `.socket` (`ListenStream=`, `ListenDatagram=`, `BindToDevice=`,
//! `Service=`, `Accept=`) and `.service` (`ExecStart=`), and which of them are enabled
//! through `*.wants/` directories.
//!
//! Unit files are looked up in `/etc/systemd/system`, `/run/systemd/system`,
//! `/usr/lib/systemd/system`, `/lib/systemd/system` (first found wins); enabled units are
//! the names in `<dir>/*.wants/` of those directories. Drop-ins (`*.d/*.conf`) are not
//! merged. Unix-socket, abstract, netlink and vsock listens are not network listeners.

use crate::common::{FileSource, Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];

/// Upper bound on enabled units examined per root.
pub const MAX_UNITS: usize = 2_048;

/// A unit file: section -> key -> values (in order, with lines).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub file: String,
    pub sections: BTreeMap<String, BTreeMap<String, Vec<(String, usize)>>>,
}

impl Unit {
    pub fn values(&self, section: &str, key: &str) -> Vec<(String, usize)> {
        self.sections
            .get(section)
            .and_then(|s| s.get(key))
            .cloned()
            .unwrap_or_default()
    }
    pub fn last(&self, section: &str, key: &str) -> Option<(String, usize)> {
        self.values(section, key).pop()
    }
}

/// Parse an ini-style unit file (`[Section]`, `Key=Value`, `#`/`;` comments, trailing `\`
/// continuations). An empty assignment resets the list, as systemd does.
pub fn parse_unit(file: &str, bytes: &[u8]) -> Result<Unit, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut u = Unit {
        file: file.to_string(),
        ..Default::default()
    };
    let mut section: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = i + 1;
        let mut l = lines[i].trim().to_string();
        while l.ends_with('\\') && i + 1 < lines.len() && l.len() < 64 * 1024 {
            l.pop();
            i += 1;
            l.push(' ');
            l.push_str(lines[i].trim());
        }
        i += 1;
        if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
            continue;
        }
        if let Some(name) = l.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                return Err(ParseError::at(file, line, "unterminated section header"));
            };
            section = Some(name.to_string());
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            return Err(ParseError::at(file, line, "expected Key=Value"));
        };
        let Some(sec) = &section else {
            return Err(ParseError::at(
                file,
                line,
                "assignment before any [Section]",
            ));
        };
        let e = u
            .sections
            .entry(sec.clone())
            .or_default()
            .entry(k.trim().to_string())
            .or_default();
        let v = v.trim();
        if v.is_empty() {
            e.clear();
        } else {
            e.push((v.to_string(), line));
        }
    }
    Ok(u)
}

/// An enabled unit: its name, the `.wants` link location, and its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnabledUnit {
    pub name: String,
    pub wanted_by: String,
    pub unit: Unit,
}

/// Find a unit file by name (template instances `foo@bar.service` fall back to
/// `foo@.service`).
pub fn find_unit(src: &dyn FileSource, name: &str) -> Result<Option<Unit>, ParseError> {
    let mut candidates = vec![name.to_string()];
    if let Some((stem, rest)) = name.split_once('@')
        && let Some((_, ext)) = rest.rsplit_once('.')
    {
        candidates.push(format!("{stem}@.{ext}"));
    }
    for c in &candidates {
        for d in UNIT_DIRS {
            let p = format!("{d}/{c}");
            if let Some(b) = src.read(&p).map_err(|e| ParseError::new(&p, None, e))? {
                return parse_unit(&p, &b).map(Some);
            }
        }
    }
    Ok(None)
}

/// Every unit named in a `*.wants/` directory of the unit directories, sorted by name.
pub fn enabled_units(src: &dyn FileSource) -> Result<Vec<EnabledUnit>, ParseError> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for d in UNIT_DIRS {
        let entries = src.list_dir(d).map_err(|e| ParseError::new(d, None, e))?;
        for w in entries.iter().filter(|n| n.ends_with(".wants")) {
            let wd = format!("{d}/{w}");
            for n in src
                .list_dir(&wd)
                .map_err(|e| ParseError::new(&wd, None, e))?
            {
                if seen.len() >= MAX_UNITS {
                    return Err(ParseError::new(
                        &wd,
                        None,
                        format!("more than {MAX_UNITS} enabled units"),
                    ));
                }
                seen.entry(n.clone()).or_insert_with(|| format!("{wd}/{n}"));
            }
        }
    }
    let mut out = Vec::new();
    for (name, link) in seen {
        if let Some(unit) = find_unit(src, &name)? {
            out.push(EnabledUnit {
                name,
                wanted_by: link,
                unit,
            });
        }
    }
    Ok(out)
}

/// A network listen of a socket unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketListen {
    pub proto: String,
    pub address: Option<String>,
    pub port: u16,
    pub interface: Option<String>,
    pub line: usize,
}

/// Network listens of a `.socket` unit (`ListenStream` = tcp, `ListenDatagram` = udp).
pub fn socket_listens(u: &Unit) -> Vec<SocketListen> {
    let iface = u.last("Socket", "BindToDevice").map(|v| v.0);
    let mut out = Vec::new();
    for (key, proto) in [("ListenStream", "tcp"), ("ListenDatagram", "udp")] {
        for (v, line) in u.values("Socket", key) {
            if v.starts_with('/') || v.starts_with('@') || v.starts_with("vsock:") {
                continue;
            }
            let (addr, port) = if let Ok(p) = v.parse::<u16>() {
                (None, p)
            } else if let Some(r) = v.strip_prefix('[') {
                let Some((a, p)) = r.split_once("]:") else {
                    continue;
                };
                let Ok(p) = p.parse() else { continue };
                (Some(a.to_string()), p)
            } else if let Some((a, p)) = v.rsplit_once(':') {
                let Ok(p) = p.parse() else { continue };
                (Some(a.to_string()), p)
            } else {
                continue;
            };
            out.push(SocketListen {
                proto: proto.to_string(),
                address: addr.filter(|a| a != "0.0.0.0" && a != "::"),
                port,
                interface: iface.clone(),
                line,
            });
        }
    }
    out
}

/// The service a socket activates (`Service=`, else `<stem>.service`, `<stem>@.service`
/// with `Accept=yes`).
pub fn socket_service(name: &str, u: &Unit) -> String {
    if let Some((s, _)) = u.last("Socket", "Service") {
        return s;
    }
    let stem = name.trim_end_matches(".socket");
    let accept = u
        .last("Socket", "Accept")
        .is_some_and(|(v, _)| matches!(v.as_str(), "yes" | "true" | "1" | "on"));
    if accept {
        format!("{stem}@.service")
    } else {
        format!("{stem}.service")
    }
}

/// `ExecStart=` command lines with systemd's prefixes (`-@:+!`) removed.
pub fn exec_start(u: &Unit) -> Vec<(String, usize)> {
    u.values("Service", "ExecStart")
        .into_iter()
        .map(|(v, l)| {
            (
                v.trim_start_matches(['-', '@', ':', '+', '!']).to_string(),
                l,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn enabled_sockets_and_services() {
        let root = MemRoot::new()
            .with("/etc/systemd/system/sockets.target.wants/telnet.socket", "")
            .with("/etc/systemd/system/multi-user.target.wants/diag.service", "")
            .with(
                "/lib/systemd/system/telnet.socket",
                "[Unit]\nDescription=Telnet\n[Socket]\nListenStream=23\nListenStream=/run/x.sock\nListenDatagram=127.0.0.1:69\nAccept=yes\nBindToDevice=eth1\n",
            )
            .with(
                "/lib/systemd/system/diag.service",
                "[Service]\nExecStart=\nExecStart=-/usr/sbin/gdbserver \\\n  --multi :2345\n",
            )
            .with("/lib/systemd/system/unused.socket", "[Socket]\nListenStream=99\n");
        // MemRoot stores the .wants entries as files: the names are what counts.
        let e = enabled_units(&root).unwrap();
        assert_eq!(
            e.iter().map(|x| x.name.as_str()).collect::<Vec<_>>(),
            vec!["diag.service", "telnet.socket"]
        );
        let l = socket_listens(&e[1].unit);
        assert_eq!(l.len(), 2);
        assert_eq!((l[0].port, l[0].interface.as_deref()), (23, Some("eth1")));
        assert_eq!(
            (l[1].proto.as_str(), l[1].address.as_deref()),
            ("udp", Some("127.0.0.1"))
        );
        assert_eq!(
            socket_service("telnet.socket", &e[1].unit),
            "telnet@.service"
        );
        let x = exec_start(&e[0].unit);
        assert_eq!(
            x,
            vec![("/usr/sbin/gdbserver  --multi :2345".to_string(), 3)]
        );
        assert_eq!(parse_unit("u", b"Key=1\n").unwrap_err().line, Some(1));
    }
}
