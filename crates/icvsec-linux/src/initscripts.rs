//! Shell init scripts (`/etc/init.d/*`, `/etc/rc.local`, `/etc/rc.d/*`) and other command
//! lines (systemd `ExecStart=`): which network or debug daemons they start, with the port
//! and bind address given on the command line. A bounded text scan: nothing is executed,
//! variables are not expanded (a `$VAR` port is reported as unknown).
//!
//! A daemon start is a word naming one of [`DAEMONS`] in command position: first word of a
//! command (after `;`, `&&`, `||`, `|`, `then`, `do`, `else`, `exec`, `nohup`, `busybox`,
//! `command`), the program of `start-stop-daemon -x/--exec/--startas`, of
//! `procd_set_param command`, or of the `tcpsvd`/`udpsvd` super-servers. `[ -x prog ]`
//! tests are not starts.

use crate::common::{Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};

/// Daemons recognised, with (default port, protocol). Port `None`: from its own
/// configuration (sshd, lighttpd, nginx) or not a network listener by default (adbd: USB).
pub const DAEMONS: &[(&str, Option<u16>, &str)] = &[
    ("telnetd", Some(23), "tcp"),
    ("utelnetd", Some(23), "tcp"),
    ("dropbear", Some(22), "tcp"),
    ("sshd", None, "tcp"),
    ("adbd", None, "usb"),
    ("httpd", Some(80), "tcp"),
    ("uhttpd", Some(80), "tcp"),
    ("mini_httpd", Some(80), "tcp"),
    ("boa", Some(80), "tcp"),
    ("goahead", Some(80), "tcp"),
    ("lighttpd", None, "tcp"),
    ("nginx", None, "tcp"),
    ("vsftpd", Some(21), "tcp"),
    ("ftpd", Some(21), "tcp"),
    ("tftpd", Some(69), "udp"),
    ("gdbserver", None, "tcp"),
    ("nc", None, "tcp"),
    ("netcat", None, "tcp"),
    ("socat", None, "tcp"),
];

/// Daemons that give a remote shell or debug access by nature.
pub const DEBUG_DAEMONS: &[&str] = &["telnetd", "utelnetd", "adbd", "gdbserver"];

/// A daemon start found in a script or command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaemonStart {
    pub daemon: String,
    pub line: usize,
    /// The words from the program on (up to the end of the command).
    pub argv: Vec<String>,
    /// Port from the command line, else the daemon's default; `None` when unknown.
    pub port: Option<u16>,
    /// A port argument was present but not a literal number (e.g. `$PORT`).
    pub port_unresolved: bool,
    /// Bind address from the command line (`-b`, `addr:port`).
    pub address: Option<String>,
    pub proto: String,
    /// The daemon is made to run a shell without login (`telnetd -l /bin/sh`,
    /// `nc -e /bin/sh`, `socat ... EXEC:/bin/sh`).
    pub shell_without_login: bool,
}

fn base(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

const SEPARATORS: &[&str] = &[";", "&&", "||", "|", "&"];
const PREFIXES: &[&str] = &[
    "then", "do", "else", "exec", "nohup", "busybox", "command", "!", "{", "(",
];

fn split_port(v: &str) -> (Option<String>, &str) {
    // [addr]:port, addr:port, port
    if let Some(rest) = v.strip_prefix('[')
        && let Some((a, p)) = rest.split_once("]:")
    {
        return (Some(a.to_string()), p);
    }
    match v.rsplit_once(':') {
        Some((a, p)) if !a.contains(':') => (Some(a.to_string()), p),
        _ => (None, v),
    }
}

/// Tokenise one shell line: whitespace-separated words, quotes removed, separators split
/// off, a `#` starting a word ends the line.
fn tokens(l: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q: Option<char> = None;
    let chars: Vec<char> = l.chars().collect();
    let mut i = 0;
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            out.push(std::mem::take(cur));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match q {
            Some(qc) if c == qc => q = None,
            Some(_) => cur.push(c),
            None => match c {
                '\'' | '"' => q = Some(c),
                '#' if cur.is_empty() => break,
                c if c.is_whitespace() => flush(&mut cur, &mut out),
                ';' | '|' | '&' => {
                    flush(&mut cur, &mut out);
                    let two = chars.get(i + 1) == Some(&c) && c != ';';
                    out.push(if two {
                        i += 1;
                        format!("{c}{c}")
                    } else {
                        c.to_string()
                    });
                }
                '\\' if i + 1 < chars.len() => {
                    cur.push(chars[i + 1]);
                    i += 1;
                }
                c => cur.push(c),
            },
        }
        i += 1;
    }
    flush(&mut cur, &mut out);
    out
}

/// Daemon starts in one command line (no line continuation handling; see [`scan_script`]).
pub fn scan_command_line(line: usize, l: &str) -> Vec<DaemonStart> {
    let t = tokens(l);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let w = t[i].as_str();
        let prev = if i > 0 { t[i - 1].as_str() } else { "" };
        let prev2 = if i > 1 { t[i - 2].as_str() } else { "" };
        let in_cmd_pos = i == 0
            || SEPARATORS.contains(&prev)
            || PREFIXES.contains(&base(prev))
            || (matches!(prev, "-x" | "--exec" | "--startas" | "-a")
                && !matches!(prev2, "[" | "test"))
            || (prev == "command" && prev2 == "procd_set_param")
            || svd_at(&t, i).is_some();
        let b = base(w);
        let Some(&(name, default_port, proto)) = DAEMONS.iter().find(|d| d.0 == b) else {
            i += 1;
            continue;
        };
        if !in_cmd_pos {
            i += 1;
            continue;
        }
        let end = t[i..]
            .iter()
            .position(|x| SEPARATORS.contains(&x.as_str()) || x.starts_with('>'))
            .map_or(t.len(), |p| i + p);
        let argv: Vec<String> = t[i..end].to_vec();
        let mut d = DaemonStart {
            daemon: name.to_string(),
            line,
            argv: argv.clone(),
            port: default_port,
            port_unresolved: false,
            address: None,
            proto: proto.to_string(),
            shell_without_login: false,
        };
        // tcpsvd/udpsvd ADDR PORT PROG: the super-server owns the socket.
        if let Some(svd) = svd_at(&t, i) {
            d.proto = if base(&t[svd]) == "udpsvd" {
                "udp"
            } else {
                "tcp"
            }
            .into();
            let a = t[i - 2].as_str();
            d.address = Some(a.to_string()).filter(|a| a != "0" && a != "0.0.0.0");
            set_port(&mut d, &t[i - 1]);
        }
        let arg = |flag: &str| argv.windows(2).find(|w| w[0] == flag).map(|w| w[1].clone());
        let is_shell = |p: &str| crate::inittab::SHELLS.contains(&base(p));
        match name {
            "telnetd" | "utelnetd" => {
                if let Some(p) = arg("-p") {
                    set_port(&mut d, &p);
                }
                if let Some(b) = arg("-b") {
                    let (a, p) = split_port(&b);
                    d.address = Some(a.unwrap_or_else(|| b.clone()));
                    if a_has_port(&b) {
                        set_port(&mut d, p);
                    }
                }
                if arg("-l").is_some_and(|p| is_shell(&p)) {
                    d.shell_without_login = true;
                }
            }
            "dropbear" | "sshd" | "httpd" | "uhttpd" | "mini_httpd" => {
                if let Some(p) = arg("-p") {
                    let (a, p) = split_port(&p);
                    d.address = a;
                    set_port(&mut d, p);
                }
            }
            "gdbserver" => {
                if let Some(c) = argv
                    .iter()
                    .skip(1)
                    .find(|a| a.contains(':') && !a.starts_with('-'))
                {
                    let (a, p) = split_port(c);
                    d.address = a.filter(|a| !a.is_empty());
                    set_port(&mut d, p);
                }
            }
            "nc" | "netcat" => {
                if !argv.iter().any(|a| a.starts_with('-') && a.contains('l')) {
                    i = end;
                    continue; // a client, not a listener
                }
                if let Some(p) = arg("-p") {
                    set_port(&mut d, &p);
                } else if let Some(p) = argv.iter().skip(1).rev().find(|a| a.parse::<u16>().is_ok())
                {
                    set_port(&mut d, p);
                }
                d.shell_without_login = argv
                    .windows(2)
                    .any(|w| (w[0] == "-e" || w[0] == "-c") && is_shell(&w[1]));
            }
            "socat" => {
                let listen = argv.iter().find(|a| {
                    let u = a.to_ascii_uppercase();
                    u.starts_with("TCP-LISTEN:")
                        || u.starts_with("TCP4-LISTEN:")
                        || u.starts_with("UDP-LISTEN:")
                });
                let Some(l) = listen else {
                    i = end;
                    continue;
                };
                let spec = l.split(':').nth(1).unwrap_or("");
                set_port(&mut d, spec.split(',').next().unwrap_or(""));
                if l.to_ascii_uppercase().starts_with("UDP") {
                    d.proto = "udp".into();
                }
                d.shell_without_login = argv.iter().any(|a| {
                    let u = a.to_ascii_uppercase();
                    (u.starts_with("EXEC:") || u.starts_with("SYSTEM:"))
                        && is_shell(
                            a[a.find(':').map_or(0, |x| x + 1)..]
                                .split_whitespace()
                                .next()
                                .unwrap_or(""),
                        )
                });
            }
            _ => {}
        }
        out.push(d);
        i = end.max(i + 1);
    }
    out
}

/// `tcpsvd [-opts] ADDR PORT PROG`: index of the super-server word when word `i` is PROG.
fn svd_at(t: &[String], i: usize) -> Option<usize> {
    if i < 3 {
        return None;
    }
    let mut j = i - 3;
    loop {
        if matches!(base(&t[j]), "tcpsvd" | "udpsvd") {
            return Some(j);
        }
        if !t[j].starts_with('-') || j == 0 {
            return None;
        }
        j -= 1;
    }
}

fn a_has_port(v: &str) -> bool {
    v.rsplit_once(':').is_some_and(|(_, p)| !p.is_empty())
}

fn set_port(d: &mut DaemonStart, p: &str) {
    match p.parse::<u16>() {
        Ok(n) => {
            d.port = Some(n);
            d.port_unresolved = false;
        }
        Err(_) => {
            d.port = None;
            d.port_unresolved = true;
        }
    }
}

/// Scan a whole script (line continuations joined; comment lines skipped).
pub fn scan_script(file: &str, bytes: &[u8]) -> Result<Vec<DaemonStart>, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i + 1;
        let mut l = lines[i].to_string();
        while l.ends_with('\\') && i + 1 < lines.len() && l.len() < 64 * 1024 {
            l.pop();
            i += 1;
            l.push(' ');
            l.push_str(lines[i]);
        }
        i += 1;
        if l.trim_start().starts_with('#') {
            continue;
        }
        out.extend(scan_command_line(start, &l));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[DaemonStart]) -> Vec<(String, Option<u16>, usize)> {
        v.iter()
            .map(|d| (d.daemon.clone(), d.port, d.line))
            .collect()
    }

    #[test]
    fn scripts() {
        let s = b"#!/bin/sh\n# /usr/sbin/telnetd -l /bin/sh\n[ -x /usr/sbin/telnetd ] && /usr/sbin/telnetd -l /bin/sh -p 2323 &\nstart-stop-daemon -S -q -x /usr/sbin/dropbear -- -p 192.168.1.1:22\nif true; then busybox httpd -p 8080 -h /www; fi\ngdbserver --multi :2345 &\necho telnetd is nice\nnc -l -p 4444 -e /bin/sh &\nnc example.com 80\ntcpsvd -vE 0.0.0.0 21 ftpd -w /srv &\n/usr/sbin/adbd \\\n  &\nsocat TCP-LISTEN:5555,fork EXEC:/bin/sh\n";
        let d = scan_script("/etc/init.d/S50debug", s).unwrap();
        assert_eq!(
            names(&d),
            vec![
                ("telnetd".into(), Some(2323), 3),
                ("dropbear".into(), Some(22), 4),
                ("httpd".into(), Some(8080), 5),
                ("gdbserver".into(), Some(2345), 6),
                ("nc".into(), Some(4444), 8),
                ("ftpd".into(), Some(21), 10),
                ("adbd".into(), None, 11),
                ("socat".into(), Some(5555), 13),
            ]
        );
        assert!(d[0].shell_without_login);
        assert_eq!(d[1].address.as_deref(), Some("192.168.1.1"));
        assert!(d[4].shell_without_login);
        assert!(d[7].shell_without_login);
        assert_eq!(d[6].proto, "usb");
    }

    #[test]
    fn procd_and_variables() {
        let s = b"start_service() {\n\tprocd_open_instance\n\tprocd_set_param command /usr/sbin/dropbear -F -p \"$PORT\"\n\tprocd_close_instance\n}\n";
        let d = scan_script("/etc/init.d/dropbear", s).unwrap();
        assert_eq!(d.len(), 1);
        assert!(d[0].port.is_none() && d[0].port_unresolved);
        assert!(scan_script("x", b"ok\n\xff\n").is_err());
    }
}
