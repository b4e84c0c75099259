//! One listener inventory per root filesystem: every network service the files of the
//! root start or configure, with port, protocol, bind scope, TLS and the file and line
//! that say so. It feeds the cross-check of declared services against what the build
//! really opens (undeclared listeners).
//!
//! Sources (each read through the [`FileSource`], none executed):
//! - `/etc/ssh/sshd_config` (effective `Port` x `ListenAddress`), when an sshd binary or a
//!   start of sshd is present;
//! - UCI: `/etc/config/dropbear` (enabled instances), `/etc/config/uhttpd` (`listen_http`,
//!   `listen_https`);
//! - `/etc/inetd.conf`;
//! - init scripts: `/etc/init.d/*`, `/etc/rc.d/*`, `/etc/rc.local` (daemon starts with
//!   their command-line ports; dropbear/uhttpd starts are covered by UCI when it exists);
//! - `/etc/lighttpd/lighttpd.conf` (with includes);
//! - systemd `.socket` and `.service` units enabled through `*.wants/`;
//! - Android: adb over TCP (`service.adb.tcp.port`, `persist.adb.tcp.port` in property
//!   files or captures) and init `.rc` services whose command line starts a network
//!   daemon (e.g. `busybox telnetd -p 2323`).
//!
//! Console access (UART/console shells from `/etc/inittab`, with OpenWrt's `ttylogin`) is
//! listed beside the network listeners. Files that fail to parse are listed in `errors`
//! (the inventory is then incomplete, and says so), never skipped silently.

use crate::common::{FileSource, ParseError};
use crate::{inetd, initscripts, inittab, lighttpd, sshd, systemd, uci};
use serde::{Deserialize, Serialize};

/// Where a listener binds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "value")]
pub enum Bind {
    /// Every address (`0.0.0.0`, `::`, none given).
    All,
    /// A loopback address only.
    Loopback,
    /// One address.
    Address(String),
    /// One interface (a device name or a UCI logical network).
    Interface(String),
}

impl Bind {
    pub fn from_address(a: Option<&str>) -> Bind {
        match a.map(|a| a.trim_matches(['[', ']'])) {
            None | Some("") | Some("*") | Some("0.0.0.0") | Some("::") | Some("0") => Bind::All,
            Some(a) if a == "localhost" || a == "::1" || a.starts_with("127.") => Bind::Loopback,
            Some(a) => Bind::Address(a.to_string()),
        }
    }
}

/// The file and line that open a listener.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Source {
    pub file: String,
    /// 1-based; 0 when the listener comes from a default (no line says it).
    pub line: usize,
}

/// One network listener.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Listener {
    pub daemon: String,
    /// `None` when the port is not a literal (e.g. a shell variable) or comes from a
    /// configuration not read here.
    pub port: Option<u16>,
    /// `tcp`, `udp` (`tcp6`/`udp6` as written by inetd), `usb` for adbd without TCP.
    pub proto: String,
    pub bind: Bind,
    pub tls: bool,
    pub source: Source,
    /// The service gives a shell without login (telnetd -l /bin/sh, nc -e /bin/sh ...).
    pub shell_without_login: bool,
}

/// A console (UART) access point.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConsoleAccess {
    pub tty: String,
    pub process: String,
    /// No password is asked (a direct shell, or OpenWrt login.sh with `ttylogin` 0).
    pub root_shell_without_login: bool,
    pub source: Source,
    pub note: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerInventory {
    /// Sorted by (daemon, port, proto, bind, source).
    pub listeners: Vec<Listener>,
    pub consoles: Vec<ConsoleAccess>,
    /// Files read.
    pub files: Vec<String>,
    /// Files that could not be read or parsed: the inventory is incomplete.
    pub errors: Vec<ParseError>,
}

/// Upper bound on init scripts examined.
pub const MAX_SCRIPTS: usize = 1_024;

fn read_opt(src: &dyn FileSource, path: &str, inv: &mut ListenerInventory) -> Option<Vec<u8>> {
    match src.read(path) {
        Ok(Some(b)) => {
            inv.files.push(path.to_string());
            Some(b)
        }
        Ok(None) => None,
        Err(e) => {
            inv.errors.push(ParseError::new(path, None, e));
            None
        }
    }
}

fn push_start(inv: &mut ListenerInventory, file: &str, d: &initscripts::DaemonStart) {
    inv.listeners.push(Listener {
        daemon: d.daemon.clone(),
        port: d.port,
        proto: d.proto.clone(),
        bind: Bind::from_address(d.address.as_deref()),
        tls: false,
        source: Source {
            file: file.to_string(),
            line: d.line,
        },
        shell_without_login: d.shell_without_login,
    });
}

/// Build the inventory of a root filesystem.
pub fn listener_inventory(src: &dyn FileSource) -> ListenerInventory {
    let mut inv = ListenerInventory::default();
    let mut uci_daemons: Vec<&str> = Vec::new();
    let mut sshd_started = false;

    // UCI-driven daemons.
    if let Some(b) = read_opt(src, "/etc/config/dropbear", &mut inv) {
        match uci::parse_uci("/etc/config/dropbear", &b) {
            Ok(f) => {
                uci_daemons.push("dropbear");
                for d in uci::dropbear_instances(&f)
                    .into_iter()
                    .filter(|d| d.enabled)
                {
                    let line = f
                        .sections
                        .iter()
                        .find(|s| s.line == d.line)
                        .map_or(d.line, |s| s.options.get("Port").map_or(d.line, |o| o.line));
                    inv.listeners.push(Listener {
                        daemon: "dropbear".into(),
                        port: Some(d.port),
                        proto: "tcp".into(),
                        bind: d.interface.clone().map_or(Bind::All, Bind::Interface),
                        tls: false,
                        source: Source {
                            file: f.file.clone(),
                            line,
                        },
                        shell_without_login: false,
                    });
                }
            }
            Err(e) => inv.errors.push(e),
        }
    }
    if let Some(b) = read_opt(src, "/etc/config/uhttpd", &mut inv) {
        match uci::parse_uci("/etc/config/uhttpd", &b) {
            Ok(f) => {
                uci_daemons.push("uhttpd");
                for u in uci::uhttpd_instances(&f) {
                    for l in u.listen {
                        let (addr, port) = split_addr_port(&l.address);
                        inv.listeners.push(Listener {
                            daemon: "uhttpd".into(),
                            port,
                            proto: "tcp".into(),
                            bind: Bind::from_address(addr.as_deref()),
                            tls: l.tls,
                            source: Source {
                                file: f.file.clone(),
                                line: l.line,
                            },
                            shell_without_login: false,
                        });
                    }
                }
            }
            Err(e) => inv.errors.push(e),
        }
    }

    // inetd.
    if let Some(b) = read_opt(src, "/etc/inetd.conf", &mut inv) {
        match inetd::parse_inetd("/etc/inetd.conf", &b) {
            Ok(svcs) => {
                for s in svcs {
                    let daemon = s.daemon();
                    let shell = s.args.windows(2).any(|w| {
                        w[0] == "-l"
                            && inittab::SHELLS
                                .iter()
                                .any(|sh| w[1].ends_with(&format!("/{sh}")) || w[1] == *sh)
                    });
                    inv.listeners.push(Listener {
                        daemon,
                        port: s.port,
                        proto: s.proto.clone(),
                        bind: Bind::from_address(s.address.as_deref()),
                        tls: false,
                        source: Source {
                            file: "/etc/inetd.conf".into(),
                            line: s.line,
                        },
                        shell_without_login: shell,
                    });
                }
            }
            Err(e) => inv.errors.push(e),
        }
    }

    // Init scripts.
    let mut scripts: Vec<String> = Vec::new();
    for dir in ["/etc/init.d", "/etc/rc.d"] {
        match src.list_dir(dir) {
            Ok(mut names) => {
                names.sort();
                for n in names {
                    scripts.push(format!("{dir}/{n}"));
                }
            }
            Err(e) => inv.errors.push(ParseError::new(dir, None, e)),
        }
    }
    scripts.push("/etc/rc.local".into());
    if scripts.len() > MAX_SCRIPTS {
        inv.errors.push(ParseError::new(
            "/etc/init.d",
            None,
            format!("more than {MAX_SCRIPTS} init scripts; only the first {MAX_SCRIPTS} examined"),
        ));
        scripts.truncate(MAX_SCRIPTS);
    }
    // /etc/rc.d/S50x usually links to /etc/init.d/x: scan identical contents once.
    let mut seen_contents: Vec<Vec<u8>> = Vec::new();
    for p in scripts {
        let Some(b) = read_opt(src, &p, &mut inv) else {
            continue;
        };
        if seen_contents.contains(&b) {
            continue;
        }
        match initscripts::scan_script(&p, &b) {
            Ok(starts) => {
                for d in starts {
                    if d.daemon == "sshd" {
                        sshd_started = true;
                        continue; // ports come from sshd_config below
                    }
                    if uci_daemons.contains(&d.daemon.as_str()) {
                        continue;
                    }
                    if d.daemon == "lighttpd" || d.daemon == "nginx" {
                        continue; // their own configuration says where they listen
                    }
                    push_start(&mut inv, &p, &d);
                }
            }
            Err(e) => inv.errors.push(e),
        }
        seen_contents.push(b);
    }

    // systemd.
    match systemd::enabled_units(src) {
        Ok(units) => {
            for u in &units {
                if u.name.ends_with(".socket") {
                    let service = systemd::socket_service(&u.name, &u.unit);
                    let daemon = match systemd::find_unit(src, &service) {
                        Ok(Some(s)) => systemd::exec_start(&s)
                            .first()
                            .and_then(|(c, _)| {
                                c.split_whitespace()
                                    .next()
                                    .map(|p| p.rsplit('/').next().unwrap_or(p).to_string())
                            })
                            .unwrap_or_else(|| service.clone()),
                        _ => service
                            .trim_end_matches(".service")
                            .trim_end_matches('@')
                            .to_string(),
                    };
                    for l in systemd::socket_listens(&u.unit) {
                        inv.listeners.push(Listener {
                            daemon: daemon.clone(),
                            port: Some(l.port),
                            proto: l.proto.clone(),
                            bind: match (&l.interface, &l.address) {
                                (Some(i), None) => Bind::Interface(i.clone()),
                                _ => Bind::from_address(l.address.as_deref()),
                            },
                            tls: false,
                            source: Source {
                                file: u.unit.file.clone(),
                                line: l.line,
                            },
                            shell_without_login: false,
                        });
                    }
                } else if u.name.ends_with(".service") {
                    for (cmd, line) in systemd::exec_start(&u.unit) {
                        for mut d in initscripts::scan_command_line(line, &cmd) {
                            if d.daemon == "sshd" {
                                sshd_started = true;
                                continue;
                            }
                            if d.daemon == "lighttpd" || d.daemon == "nginx" {
                                continue;
                            }
                            d.line = line;
                            push_start(&mut inv, &u.unit.file, &d);
                        }
                    }
                }
            }
        }
        Err(e) => inv.errors.push(e),
    }

    // sshd.
    let sshd_binary = ["/usr/sbin", "/sbin", "/usr/bin"].iter().any(|d| {
        src.list_dir(d)
            .map(|n| n.iter().any(|x| x == "sshd"))
            .unwrap_or(false)
    });
    if (sshd_started || sshd_binary)
        && let Some(b) = read_opt(src, "/etc/ssh/sshd_config", &mut inv)
    {
        match sshd::parse_sshd_config("/etc/ssh/sshd_config", &b, src) {
            Ok(cfg) => {
                let eff = cfg.effective();
                let ports = eff.get("port");
                let addrs = eff.get("listenaddress");
                let port_vals: Vec<String> = ports.map(|p| p.values.clone()).unwrap_or_default();
                let port_line = ports.and_then(|p| p.line).unwrap_or(0);
                let port_file = ports
                    .and_then(|p| p.file.clone())
                    .unwrap_or_else(|| "/etc/ssh/sshd_config".into());
                let addr_vals: Vec<String> = addrs
                    .filter(|a| !a.default)
                    .map(|a| a.values.clone())
                    .unwrap_or_default();
                let mut push =
                    |addr: Option<String>, port: Option<u16>, file: String, line: usize| {
                        inv.listeners.push(Listener {
                            daemon: "sshd".into(),
                            port,
                            proto: "tcp".into(),
                            bind: Bind::from_address(addr.as_deref()),
                            tls: false,
                            source: Source { file, line },
                            shell_without_login: false,
                        });
                    };
                if addr_vals.is_empty() {
                    for p in &port_vals {
                        push(None, p.parse().ok(), port_file.clone(), port_line);
                    }
                } else {
                    let al = addrs.and_then(|a| a.line).unwrap_or(0);
                    let af = addrs
                        .and_then(|a| a.file.clone())
                        .unwrap_or_else(|| "/etc/ssh/sshd_config".into());
                    for a in &addr_vals {
                        // ListenAddress host[:port] [rdomain x]; without a port, every Port.
                        let host = a.split_whitespace().next().unwrap_or(a);
                        let (h, p) = split_addr_port(host);
                        match p {
                            Some(p) => push(h, Some(p), af.clone(), al),
                            None => {
                                for pv in &port_vals {
                                    push(Some(host.to_string()), pv.parse().ok(), af.clone(), al);
                                }
                            }
                        }
                    }
                }
            }
            Err(e) => inv.errors.push(e),
        }
    }

    // lighttpd.
    if src
        .read("/etc/lighttpd/lighttpd.conf")
        .ok()
        .flatten()
        .is_some()
    {
        match lighttpd::load_lighttpd(src, "/etc/lighttpd/lighttpd.conf") {
            Ok(c) => {
                inv.files.extend(c.files.iter().cloned());
                for s in c.sockets {
                    inv.listeners.push(Listener {
                        daemon: "lighttpd".into(),
                        port: s.port,
                        proto: "tcp".into(),
                        bind: Bind::from_address(s.address.as_deref()),
                        tls: s.tls,
                        source: Source {
                            file: s.file,
                            line: s.line,
                        },
                        shell_without_login: false,
                    });
                }
            }
            Err(e) => inv.errors.push(e),
        }
    }

    // Android: adb over TCP (properties and captures) and init services with a network
    // daemon on their command line.
    match crate::android_load::load_android_props(src, &[]) {
        Ok(props) => {
            for key in ["service.adb.tcp.port", "persist.adb.tcp.port"] {
                if let Some(v) = props.get(key)
                    && let Ok(port) = v.value.parse::<u16>()
                    && port > 0
                {
                    inv.listeners.push(Listener {
                        daemon: "adbd".into(),
                        port: Some(port),
                        proto: "tcp".into(),
                        bind: Bind::All,
                        tls: false,
                        source: Source {
                            file: v.file.clone(),
                            line: v.line,
                        },
                        shell_without_login: false,
                    });
                }
            }
        }
        Err(e) => inv
            .errors
            .push(ParseError::new("android properties", None, e.to_string())),
    }
    match crate::android_rc::load_rc(src) {
        Ok(rc) => {
            for s in &rc.services {
                let cmd = format!("{} {}", s.program, s.args.join(" "));
                for d in initscripts::scan_command_line(s.line, &cmd) {
                    if d.proto == "usb" || d.daemon == "sshd" {
                        continue;
                    }
                    push_start(&mut inv, &s.file, &d);
                }
            }
            inv.files.extend(rc.files.iter().cloned());
        }
        Err(e) => inv.errors.push(e),
    }

    // Consoles.
    let ttylogin = src
        .read("/etc/config/system")
        .ok()
        .flatten()
        .and_then(|b| uci::parse_uci("/etc/config/system", &b).ok())
        .and_then(|f| uci::tty_login_required(&f));
    if let Some(b) = read_opt(src, "/etc/inittab", &mut inv) {
        match inittab::parse_inittab("/etc/inittab", &b) {
            Ok(entries) => {
                for e in entries {
                    let Some(kind) = e.console_shell() else {
                        continue;
                    };
                    let (no_login, note) = match kind {
                        inittab::ConsoleShell::Direct => {
                            (true, "shell started without login".to_string())
                        }
                        inittab::ConsoleShell::OpenwrtLoginSh => match ttylogin {
                            Some((true, l)) => (
                                false,
                                format!("login.sh asks for a password (system.ttylogin=1 at /etc/config/system:{l})"),
                            ),
                            Some((false, l)) => (
                                true,
                                format!("login.sh starts a root shell: system.ttylogin is 0 (/etc/config/system:{l})"),
                            ),
                            None => (
                                true,
                                "login.sh starts a root shell: no /etc/config/system ttylogin (default 0)".to_string(),
                            ),
                        },
                    };
                    inv.consoles.push(ConsoleAccess {
                        tty: e.tty(),
                        process: e.process.clone(),
                        root_shell_without_login: no_login,
                        source: Source {
                            file: "/etc/inittab".into(),
                            line: e.line,
                        },
                        note,
                    });
                }
            }
            Err(e) => inv.errors.push(e),
        }
    }

    inv.listeners.sort_by(|a, b| {
        (&a.daemon, a.port, &a.proto, &a.bind, &a.source)
            .cmp(&(&b.daemon, b.port, &b.proto, &b.bind, &b.source))
    });
    inv.listeners.dedup();
    inv.consoles.sort();
    inv.files.sort();
    inv.files.dedup();
    inv
}

/// `addr:port`, `[v6]:port`, `port` -> (address, port).
pub fn split_addr_port(s: &str) -> (Option<String>, Option<u16>) {
    if let Ok(p) = s.parse::<u16>() {
        return (None, Some(p));
    }
    if let Some(r) = s.strip_prefix('[') {
        return match r.split_once("]:") {
            Some((a, p)) => (Some(a.to_string()), p.parse().ok()),
            None => (Some(r.trim_end_matches(']').to_string()), None),
        };
    }
    match s.rsplit_once(':') {
        Some((a, p)) if !a.contains(':') => (Some(a.to_string()), p.parse().ok()),
        _ => (Some(s.to_string()), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn openwrt_like_root() {
        let root = MemRoot::new()
            .with(
                "/etc/config/dropbear",
                "config dropbear\n\toption Port '22'\n\toption Interface 'lan'\n",
            )
            .with(
                "/etc/config/uhttpd",
                "config uhttpd 'main'\n\tlist listen_http '0.0.0.0:80'\n\tlist listen_https '0.0.0.0:443'\n",
            )
            .with(
                "/etc/init.d/dropbear",
                "#!/bin/sh /etc/rc.common\nstart_service() {\n\tprocd_set_param command /usr/sbin/dropbear -F\n}\n",
            )
            .with(
                "/etc/init.d/debug",
                "#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh -b 127.0.0.1\n",
            )
            .with("/etc/rc.d/S99debug", "#!/bin/sh\n/usr/sbin/telnetd -l /bin/sh -b 127.0.0.1\n")
            .with("/etc/inetd.conf", "tftp dgram udp wait root /usr/sbin/tftpd tftpd /srv\n")
            .with("/etc/inittab", "::sysinit:/etc/init.d/rcS S boot\n::askconsole:/usr/libexec/login.sh\nttyS1::respawn:/sbin/getty -L ttyS1 115200\n")
            .with("/etc/config/system", "config system\n\toption hostname 'tbox'\n");
        let inv = listener_inventory(&root);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let got: Vec<(String, Option<u16>, String, Bind, bool, usize)> = inv
            .listeners
            .iter()
            .map(|l| {
                (
                    l.daemon.clone(),
                    l.port,
                    l.proto.clone(),
                    l.bind.clone(),
                    l.tls,
                    l.source.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "dropbear".into(),
                    Some(22),
                    "tcp".into(),
                    Bind::Interface("lan".into()),
                    false,
                    2
                ),
                (
                    "telnetd".into(),
                    Some(23),
                    "tcp".into(),
                    Bind::Loopback,
                    false,
                    2
                ),
                ("tftpd".into(), Some(69), "udp".into(), Bind::All, false, 1),
                ("uhttpd".into(), Some(80), "tcp".into(), Bind::All, false, 2),
                ("uhttpd".into(), Some(443), "tcp".into(), Bind::All, true, 3),
            ]
        );
        assert!(inv.listeners[1].shell_without_login);
        assert_eq!(inv.consoles.len(), 1);
        assert!(inv.consoles[0].root_shell_without_login);
        assert!(inv.consoles[0].note.contains("ttylogin"));
    }

    #[test]
    fn android_adb_tcp_and_rc_telnetd() {
        let root = MemRoot::new()
            .with("/system/build.prop", "ro.build.type=user
persist.adb.tcp.port=5555
")
            .with(
                "/vendor/etc/init/diag.rc",
                "service vtelnetd /vendor/bin/busybox telnetd -F -p 2323 -l /system/bin/sh\n    class late_start\n",
            );
        let inv = listener_inventory(&root);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let got: Vec<(String, Option<u16>, String, usize, bool)> = inv
            .listeners
            .iter()
            .map(|l| {
                (
                    l.daemon.clone(),
                    l.port,
                    l.source.file.clone(),
                    l.source.line,
                    l.shell_without_login,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "adbd".into(),
                    Some(5555),
                    "/system/build.prop".into(),
                    2,
                    false
                ),
                (
                    "telnetd".into(),
                    Some(2323),
                    "/vendor/etc/init/diag.rc".into(),
                    1,
                    true
                ),
            ]
        );
    }

    #[test]
    fn sshd_systemd_lighttpd_and_errors() {
        let root = MemRoot::new()
            .with("/usr/sbin/sshd", "")
            .with(
                "/etc/ssh/sshd_config",
                "Port 22\nPort 2222\nListenAddress 10.0.0.1\nListenAddress 127.0.0.1:8022\n",
            )
            .with("/etc/systemd/system/sockets.target.wants/adb.socket", "")
            .with(
                "/lib/systemd/system/adb.socket",
                "[Socket]\nListenStream=5555\n",
            )
            .with(
                "/lib/systemd/system/adb.service",
                "[Service]\nExecStart=/usr/bin/adbd\n",
            )
            .with("/etc/lighttpd/lighttpd.conf", "server.port = 8080\n")
            .with("/etc/inetd.conf", "broken\n");
        let inv = listener_inventory(&root);
        assert_eq!(inv.errors.len(), 1);
        assert_eq!(inv.errors[0].file, "/etc/inetd.conf");
        let got: Vec<(String, Option<u16>, Bind)> = inv
            .listeners
            .iter()
            .map(|l| (l.daemon.clone(), l.port, l.bind.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("adbd".into(), Some(5555), Bind::All),
                ("lighttpd".into(), Some(8080), Bind::All),
                ("sshd".into(), Some(22), Bind::Address("10.0.0.1".into())),
                ("sshd".into(), Some(2222), Bind::Address("10.0.0.1".into())),
                ("sshd".into(), Some(8022), Bind::Loopback),
            ]
        );
    }
}
