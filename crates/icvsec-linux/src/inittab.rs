//! `/etc/inittab` (BusyBox and SysV): `<id>:<runlevels>:<action>:<process>`. BusyBox uses
//! the id field as the tty (`ttyS0::respawn:/bin/sh`; empty = the console).
//!
//! A console shell is an entry whose action keeps or offers a shell (`respawn`, `askfirst`,
//! `askconsole` (OpenWrt), `once`, `wait`) and whose process is a shell, `login -f root`, a
//! getty with `-n -l <shell>` (autologin without password), or OpenWrt's
//! `/usr/libexec/login.sh` (which starts a root shell unless `system.ttylogin` is 1; the
//! caller decides with [`crate::uci::tty_login_required`]).

use crate::common::{Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InittabEntry {
    pub line: usize,
    pub id: String,
    pub runlevels: String,
    pub action: String,
    pub process: String,
}

/// How an entry gives a shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsoleShell {
    /// A shell without authentication.
    Direct,
    /// OpenWrt's login.sh: a shell without password unless `ttylogin` is set.
    OpenwrtLoginSh,
}

pub const SHELLS: &[&str] = &["sh", "ash", "bash", "hush", "dash", "zsh", "ksh", "mksh"];

fn base(s: &str) -> &str {
    let s = s.trim_start_matches('-');
    s.rsplit('/').next().unwrap_or(s)
}

impl InittabEntry {
    /// The tty the entry runs on (BusyBox: the id; empty = the console).
    pub fn tty(&self) -> String {
        if self.id.is_empty() {
            "console".into()
        } else {
            self.id.clone()
        }
    }

    pub fn console_shell(&self) -> Option<ConsoleShell> {
        if !matches!(
            self.action.as_str(),
            "respawn" | "askfirst" | "askconsole" | "once" | "wait"
        ) {
            return None;
        }
        let argv: Vec<&str> = self.process.split_whitespace().collect();
        let first = *argv.first()?;
        // `exec /bin/sh`, `/sbin/getty ...`, `-/bin/ash`.
        let (prog, rest) = if first == "exec" {
            (*argv.get(1)?, &argv[2..])
        } else {
            (first, &argv[1..])
        };
        let b = base(prog);
        if SHELLS.contains(&b) {
            return Some(ConsoleShell::Direct);
        }
        if b == "busybox" && rest.first().is_some_and(|a| SHELLS.contains(&base(a))) {
            return Some(ConsoleShell::Direct);
        }
        if b == "login" && rest.windows(2).any(|w| w[0] == "-f" && w[1] == "root") {
            return Some(ConsoleShell::Direct);
        }
        if b.ends_with("getty") {
            // -n: do not prompt for a login name; -l <prog>: run prog instead of login.
            let no_prompt = rest.contains(&"-n");
            let login = rest
                .windows(2)
                .find(|w| w[0] == "-l")
                .map(|w| base(w[1]).to_string());
            let auto = rest
                .windows(2)
                .any(|w| (w[0] == "-a" || w[0] == "--autologin") && w[1] == "root");
            if auto || (no_prompt && login.as_deref().is_some_and(|l| SHELLS.contains(&l))) {
                return Some(ConsoleShell::Direct);
            }
        }
        if b == "login.sh" {
            return Some(ConsoleShell::OpenwrtLoginSh);
        }
        None
    }
}

pub fn parse_inittab(file: &str, bytes: &[u8]) -> Result<Vec<InittabEntry>, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let mut parts = l.splitn(4, ':');
        let (Some(id), Some(rl), Some(action), Some(process)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ParseError::at(
                file,
                line,
                "expected id:runlevels:action:process",
            ));
        };
        out.push(InittabEntry {
            line,
            id: id.trim().to_string(),
            runlevels: rl.trim().to_string(),
            action: action.trim().to_string(),
            process: process.trim().to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shells() {
        let t = b"::sysinit:/etc/init.d/rcS\nttyS0::respawn:/bin/sh\n::askfirst:-/bin/ash\nconsole::respawn:/sbin/getty -L ttyS1 115200 vt100\ntty2::respawn:/sbin/getty -n -l /bin/sh 38400 tty2\n::askconsole:/usr/libexec/login.sh\n::shutdown:/bin/umount -a -r\n1:2345:respawn:/sbin/agetty --autologin root ttyS2\n";
        let e = parse_inittab("/etc/inittab", t).unwrap();
        let s: Vec<(String, Option<ConsoleShell>)> =
            e.iter().map(|x| (x.tty(), x.console_shell())).collect();
        use ConsoleShell::*;
        assert_eq!(
            s.iter().map(|x| x.1).collect::<Vec<_>>(),
            vec![
                None,
                Some(Direct),
                Some(Direct),
                None,
                Some(Direct),
                Some(OpenwrtLoginSh),
                None,
                Some(Direct)
            ]
        );
        assert_eq!(s[1].0, "ttyS0");
        assert_eq!(s[2].0, "console");
        assert_eq!(
            parse_inittab("/etc/inittab", b"ok::once:/x\nbroken line\n")
                .unwrap_err()
                .line,
            Some(2)
        );
    }
}

/// Console entries must not give a shell without login. OpenWrt's login.sh counts as a
/// root shell unless `system.@system[0].ttylogin` is 1 in `system` (the parsed
/// `/etc/config/system`, when the root has one). One finding per console-shell entry, or
/// one passed finding naming the file when there is none.
pub fn check_console_shells(
    file: &str,
    entries: &[InittabEntry],
    system: Option<&crate::uci::UciFile>,
) -> Vec<crate::common::Finding> {
    use crate::common::Finding;
    let c = "linux.console.root_shell";
    let ttylogin = system.and_then(crate::uci::tty_login_required);
    let mut out = Vec::new();
    for e in entries {
        let Some(kind) = e.console_shell() else {
            continue;
        };
        let tty = e.tty();
        let (ok, why) = match kind {
            ConsoleShell::Direct => (false, "starts a shell without login".to_string()),
            ConsoleShell::OpenwrtLoginSh => match ttylogin {
                Some((true, l)) => (
                    true,
                    format!(
                        "runs login.sh, which asks for the root password (system.ttylogin=1 at /etc/config/system:{l})"
                    ),
                ),
                Some((false, l)) => (
                    false,
                    format!(
                        "runs login.sh, which starts a root shell because system.ttylogin is 0 (/etc/config/system:{l})"
                    ),
                ),
                None => (
                    false,
                    "runs login.sh, which starts a root shell: no system.ttylogin (default 0)"
                        .to_string(),
                ),
            },
        };
        out.push(Finding::new(
            c,
            &format!("{tty}:{}", e.action),
            file,
            Some(e.line),
            ok,
            format!("console {tty} ({} {}) {why}", e.action, e.process),
        ));
    }
    if out.is_empty() {
        out.push(Finding::new(
            c,
            "console",
            file,
            None,
            true,
            "no inittab entry starts a console shell without login",
        ));
    }
    out
}

#[cfg(test)]
mod console_check_tests {
    use super::*;

    #[test]
    fn console_findings() {
        let e = parse_inittab(
            "/etc/inittab",
            b"::askconsole:/usr/libexec/login.sh\nttyS0::respawn:/sbin/getty -L ttyS0 115200\n",
        )
        .unwrap();
        let f = check_console_shells("/etc/inittab", &e, None);
        assert_eq!(f.len(), 1);
        assert!(!f[0].passed && f[0].line == Some(1));
        let sys = crate::uci::parse_uci(
            "/etc/config/system",
            b"config system\n\toption ttylogin '1'\n",
        )
        .unwrap();
        assert!(check_console_shells("/etc/inittab", &e, Some(&sys))[0].passed);
        let e = parse_inittab(
            "/etc/inittab",
            b"ttyS0::respawn:/sbin/getty -L ttyS0 115200\n",
        )
        .unwrap();
        let f = check_console_shells("/etc/inittab", &e, None);
        assert!(f[0].passed && f[0].line.is_none());
    }
}
