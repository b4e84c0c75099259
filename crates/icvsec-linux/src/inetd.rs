//! BusyBox / classic `inetd.conf`: `<service> <socktype> <proto> <wait|nowait> <user>
//! <server> [<argv0> <args>...]`, where `<service>` is `[addr:]name-or-port`. `#` comments.
//! Service names are resolved with a small built-in table of the well-known ports inetd
//! services use (no `/etc/services` lookup: the result must not depend on the host).

use crate::common::{Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};

/// One inetd service line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InetdService {
    pub line: usize,
    /// Bind address when written as `addr:service`.
    pub address: Option<String>,
    pub service: String,
    /// Resolved port (`None` for an unknown service name or an RPC service).
    pub port: Option<u16>,
    pub socktype: String,
    /// `tcp`, `udp`, `tcp6`, `udp6`, `rpc/tcp` ...
    pub proto: String,
    pub user: String,
    pub server: String,
    pub args: Vec<String>,
}

impl InetdService {
    /// The program actually run: the server path, or argv[0] for `internal`.
    pub fn daemon(&self) -> String {
        let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
        if self.server == "internal" {
            return format!("inetd-internal:{}", self.service);
        }
        let b = base(&self.server);
        // `/bin/busybox telnetd -i`: the applet is argv[0].
        if b == "busybox"
            && let Some(a) = self.args.first()
        {
            return base(a);
        }
        b
    }
}

/// Well-known ports of services commonly run from inetd.
pub fn well_known_port(name: &str) -> Option<u16> {
    Some(match name {
        "echo" => 7,
        "discard" => 9,
        "daytime" => 13,
        "chargen" => 19,
        "ftp" => 21,
        "ssh" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "time" => 37,
        "tftp" => 69,
        "finger" => 79,
        "http" | "www" => 80,
        "pop3" => 110,
        "auth" | "ident" => 113,
        "https" => 443,
        "exec" => 512,
        "login" => 513,
        "shell" | "cmd" => 514,
        "printer" => 515,
        "talk" => 517,
        "ntalk" => 518,
        "swat" => 901,
        _ => return None,
    })
}

pub fn parse_inetd(file: &str, bytes: &[u8]) -> Result<Vec<InetdService>, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let w: Vec<&str> = l.split_whitespace().collect();
        if w.len() < 6 {
            return Err(ParseError::at(
                file,
                line,
                format!(
                    "expected at least 6 fields (service socktype proto wait user server), found {}",
                    w.len()
                ),
            ));
        }
        let (address, service) = match w[0].rsplit_once(':') {
            Some((a, s)) => (Some(a.to_string()), s.to_string()),
            None => (None, w[0].to_string()),
        };
        let proto = w[2].to_string();
        let port = if proto.starts_with("rpc") {
            None
        } else {
            service.parse().ok().or_else(|| well_known_port(&service))
        };
        out.push(InetdService {
            line,
            address,
            port,
            service,
            socktype: w[1].to_string(),
            proto,
            user: w[4].to_string(),
            server: w[5].to_string(),
            args: w[6..].iter().map(|s| s.to_string()).collect(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let t = b"# inetd.conf\ntelnet stream tcp nowait root /usr/sbin/telnetd telnetd -i\n127.0.0.1:8021 stream tcp nowait root /bin/busybox ftpd -w /srv\ntftp dgram udp wait root /usr/sbin/tftpd tftpd /srv/tftp\n";
        let s = parse_inetd("/etc/inetd.conf", t).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].port, s[0].daemon().as_str()), (Some(23), "telnetd"));
        assert_eq!(s[1].address.as_deref(), Some("127.0.0.1"));
        assert_eq!((s[1].port, s[1].daemon().as_str()), (Some(8021), "ftpd"));
        assert_eq!(
            (s[2].port, s[2].proto.as_str(), s[2].line),
            (Some(69), "udp", 4)
        );
        let e = parse_inetd("/etc/inetd.conf", b"telnet stream tcp\n").unwrap_err();
        assert_eq!(e.line, Some(1));
    }
}
