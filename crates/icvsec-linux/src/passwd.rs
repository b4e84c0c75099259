//! `/etc/passwd` and `/etc/shadow`: accounts, password hash schemes, and checks for empty
//! passwords, weak hashes, extra UID 0 accounts and login shells on service accounts.

use crate::common::{Finding, Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One `/etc/passwd` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswdEntry {
    pub name: String,
    /// Second field: `x` (in shadow), empty (no password), or a legacy hash.
    pub password: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    /// Login shell; empty means `/bin/sh` (passwd(5)).
    pub shell: String,
    pub line: usize,
}

/// One `/etc/shadow` entry (aging fields kept raw).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowEntry {
    pub name: String,
    pub hash: String,
    /// Remaining fields (lastchg, min, max, warn, inactive, expire, reserved), raw.
    pub aging: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswdFile {
    pub file: String,
    pub entries: Vec<PasswdEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowFile {
    pub file: String,
    pub entries: Vec<ShadowEntry>,
}

/// Password hash scheme, judged by its crypt(3) prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HashScheme {
    /// Empty field: login without password.
    Empty,
    /// `!` / `*` prefix, or a string no crypt output can equal: no password login.
    Locked,
    /// Traditional DES crypt (13 characters).
    Des,
    /// BSDi extended DES (`_`).
    BsdiDes,
    /// `$1$` MD5-crypt.
    Md5,
    /// `$3$` NT hash.
    Nt,
    /// `$md5` Sun MD5.
    SunMd5,
    /// `$sha1$` NetBSD SHA1-crypt.
    Sha1,
    /// `$2a$`, `$2b$`, `$2x$`, `$2y$` bcrypt.
    Bcrypt,
    /// `$5$` SHA-256-crypt.
    Sha256,
    /// `$6$` SHA-512-crypt.
    Sha512,
    /// `$y$` yescrypt.
    Yescrypt,
    /// `$gy$` gost-yescrypt.
    GostYescrypt,
    /// `$7$` scrypt.
    Scrypt,
    /// `$...$` prefix not recognised.
    Unknown,
}

impl HashScheme {
    /// Classify a password field.
    pub fn of(hash: &str) -> HashScheme {
        if hash.is_empty() {
            return HashScheme::Empty;
        }
        if hash.starts_with('!') || hash.starts_with('*') {
            return HashScheme::Locked;
        }
        let prefixes: &[(&str, HashScheme)] = &[
            ("$1$", HashScheme::Md5),
            ("$2a$", HashScheme::Bcrypt),
            ("$2b$", HashScheme::Bcrypt),
            ("$2x$", HashScheme::Bcrypt),
            ("$2y$", HashScheme::Bcrypt),
            ("$3$", HashScheme::Nt),
            ("$5$", HashScheme::Sha256),
            ("$6$", HashScheme::Sha512),
            ("$7$", HashScheme::Scrypt),
            ("$y$", HashScheme::Yescrypt),
            ("$gy$", HashScheme::GostYescrypt),
            ("$md5", HashScheme::SunMd5),
            ("$sha1$", HashScheme::Sha1),
        ];
        for (p, s) in prefixes {
            if hash.starts_with(p) {
                return *s;
            }
        }
        if hash.starts_with('$') {
            return HashScheme::Unknown;
        }
        let crypt_alphabet = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '/';
        if hash.len() == 13 && hash.chars().all(crypt_alphabet) {
            return HashScheme::Des;
        }
        if hash.len() == 20 && hash.starts_with('_') && hash[1..].chars().all(crypt_alphabet) {
            return HashScheme::BsdiDes;
        }
        // `x` in shadow, `NP`, `LK` ...: no crypt output can equal this, login impossible.
        HashScheme::Locked
    }

    /// Whether the scheme is acceptable (bcrypt, sha256/512-crypt, yescrypt, scrypt).
    pub fn is_strong(self) -> bool {
        matches!(
            self,
            HashScheme::Bcrypt
                | HashScheme::Sha256
                | HashScheme::Sha512
                | HashScheme::Yescrypt
                | HashScheme::GostYescrypt
                | HashScheme::Scrypt
        )
    }
}

fn check_name(file: &str, line: usize, name: &str) -> Result<(), ParseError> {
    if name.is_empty() {
        return Err(ParseError::at(file, line, "empty account name"));
    }
    if name.len() > 256 || name.chars().any(|c| c.is_control() || c == ' ') {
        return Err(ParseError::at(file, line, "invalid account name"));
    }
    Ok(())
}

/// Parse `/etc/passwd`. Blank lines and `#` comments are skipped; NIS compat lines
/// (`+`/`-`) are rejected as unsupported so that they are not silently ignored.
pub fn parse_passwd(file: &str, bytes: &[u8]) -> Result<PasswdFile, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut entries = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let line = i + 1;
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        if l.starts_with('+') || l.starts_with('-') {
            return Err(ParseError::at(
                file,
                line,
                "NIS compat entry (+/-) not supported",
            ));
        }
        let f: Vec<&str> = l.split(':').collect();
        if f.len() != 7 {
            return Err(ParseError::at(
                file,
                line,
                format!("expected 7 colon-separated fields, found {}", f.len()),
            ));
        }
        check_name(file, line, f[0])?;
        let num = |s: &str, what: &str| -> Result<u32, ParseError> {
            s.parse::<u32>()
                .map_err(|_| ParseError::at(file, line, format!("{what} {s:?} is not a number")))
        };
        entries.push(PasswdEntry {
            name: f[0].to_string(),
            password: f[1].to_string(),
            uid: num(f[2], "UID")?,
            gid: num(f[3], "GID")?,
            gecos: f[4].to_string(),
            home: f[5].to_string(),
            shell: f[6].to_string(),
            line,
        });
    }
    Ok(PasswdFile {
        file: file.to_string(),
        entries,
    })
}

/// Parse `/etc/shadow` (2 to 9 colon-separated fields per line).
pub fn parse_shadow(file: &str, bytes: &[u8]) -> Result<ShadowFile, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut entries = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let line = i + 1;
        if l.trim().is_empty() || l.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = l.split(':').collect();
        if f.len() < 2 || f.len() > 9 {
            return Err(ParseError::at(
                file,
                line,
                format!("expected 9 colon-separated fields, found {}", f.len()),
            ));
        }
        check_name(file, line, f[0])?;
        entries.push(ShadowEntry {
            name: f[0].to_string(),
            hash: f[1].to_string(),
            aging: f[2..].iter().map(|s| s.to_string()).collect(),
            line,
        });
    }
    Ok(ShadowFile {
        file: file.to_string(),
        entries,
    })
}

/// The password that decides login for an account: the shadow hash when the passwd field
/// is `x` and a shadow entry exists, else the passwd field. Returns (hash, file, line) or
/// `None` when the password lives in a shadow file that was not supplied / lacks the user.
fn effective_hash<'a>(
    p: &'a PasswdEntry,
    passwd: &'a PasswdFile,
    shadow: Option<&'a BTreeMap<&'a str, &'a ShadowEntry>>,
    shadow_file: Option<&'a ShadowFile>,
) -> Option<(&'a str, &'a str, usize)> {
    if p.password == "x" {
        let s = shadow?.get(p.name.as_str())?;
        Some((s.hash.as_str(), shadow_file?.file.as_str(), s.line))
    } else {
        Some((p.password.as_str(), passwd.file.as_str(), p.line))
    }
}

fn shadow_index(shadow: Option<&ShadowFile>) -> Option<BTreeMap<&str, &ShadowEntry>> {
    shadow.map(|s| s.entries.iter().map(|e| (e.name.as_str(), e)).collect())
}

/// Accounts whose password is empty (passwd field empty, or shadow hash empty).
/// An account whose password is in a missing shadow file is reported as not passed
/// ("could not check").
pub fn check_empty_passwords(passwd: &PasswdFile, shadow: Option<&ShadowFile>) -> Vec<Finding> {
    let idx = shadow_index(shadow);
    let mut out = Vec::new();
    for p in &passwd.entries {
        match effective_hash(p, passwd, idx.as_ref(), shadow) {
            Some((h, file, line)) => {
                let empty = h.is_empty();
                out.push(Finding::new(
                    "linux.passwd.empty_password",
                    &p.name,
                    file,
                    Some(line),
                    !empty,
                    if empty {
                        format!(
                            "account {} has an empty password (login without password)",
                            p.name
                        )
                    } else {
                        format!("account {} has a password or is locked", p.name)
                    },
                ));
            }
            None => out.push(Finding::new(
                "linux.passwd.empty_password",
                &p.name,
                &passwd.file,
                Some(p.line),
                false,
                format!(
                    "account {}: password is in shadow, but no shadow entry was available",
                    p.name
                ),
            )),
        }
    }
    out
}

/// Password hashes with a weak or unknown scheme (DES, MD5, NT, SHA1-crypt, ...). Empty and
/// locked passwords are not judged here.
pub fn check_hash_schemes(passwd: &PasswdFile, shadow: Option<&ShadowFile>) -> Vec<Finding> {
    let idx = shadow_index(shadow);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let judge = |name: &str, h: &str, file: &str, line: usize, out: &mut Vec<Finding>| {
        let s = HashScheme::of(h);
        if matches!(s, HashScheme::Empty | HashScheme::Locked) {
            return;
        }
        let strong = s.is_strong();
        let mut msg = format!("account {name}: password hash scheme {s:?}");
        if !strong {
            msg.push_str(" is weak or unknown (use yescrypt, SHA-512-crypt or bcrypt)");
        }
        out.push(Finding::new(
            "linux.passwd.hash_scheme",
            name,
            file,
            Some(line),
            strong,
            msg,
        ));
    };
    for p in &passwd.entries {
        if let Some((h, file, line)) = effective_hash(p, passwd, idx.as_ref(), shadow) {
            seen.insert(p.name.clone());
            judge(&p.name, h, file, line, &mut out);
        }
    }
    // Shadow entries without a passwd line still hold hashes worth judging.
    if let Some(sf) = shadow {
        for s in &sf.entries {
            if !seen.contains(&s.name) {
                judge(&s.name, &s.hash, &sf.file, s.line, &mut out);
            }
        }
    }
    out
}

/// Hash schemes of every shadow entry on its own (for a shadow file checked without
/// its passwd file). Empty and locked entries are not judged here.
pub fn check_shadow_hash_schemes(shadow: &ShadowFile) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &shadow.entries {
        let scheme = HashScheme::of(&s.hash);
        if matches!(scheme, HashScheme::Empty | HashScheme::Locked) {
            continue;
        }
        let strong = scheme.is_strong();
        let mut msg = format!("account {}: password hash scheme {scheme:?}", s.name);
        if !strong {
            msg.push_str(" is weak or unknown (use yescrypt, SHA-512-crypt or bcrypt)");
        }
        out.push(Finding::new(
            "linux.shadow.hash_scheme",
            &s.name,
            &shadow.file,
            Some(s.line),
            strong,
            msg,
        ));
    }
    out
}

/// Accounts other than `root` with UID 0.
pub fn check_uid0(passwd: &PasswdFile) -> Vec<Finding> {
    passwd
        .entries
        .iter()
        .filter(|p| p.uid == 0)
        .map(|p| {
            let ok = p.name == "root";
            Finding::new(
                "linux.passwd.uid0",
                &p.name,
                &passwd.file,
                Some(p.line),
                ok,
                if ok {
                    "root is the only expected UID 0 account".to_string()
                } else {
                    format!("account {} has UID 0 (superuser) besides root", p.name)
                },
            )
        })
        .collect()
}

/// Parameters of the service-account shell check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShellPolicy {
    /// Accounts with UID below this (except UID-0 root) are service accounts.
    pub min_human_uid: u32,
    /// Shell basenames that do not give an interactive login.
    pub non_login_shells: Vec<String>,
    /// Service accounts allowed a login shell (by name).
    pub allowed_accounts: Vec<String>,
}

impl Default for ShellPolicy {
    fn default() -> Self {
        ShellPolicy {
            min_human_uid: 1000,
            non_login_shells: ["nologin", "false", "sync", "halt", "shutdown"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            allowed_accounts: Vec::new(),
        }
    }
}

/// Service accounts (UID < `min_human_uid`, not root) with a login shell.
pub fn check_service_shells(passwd: &PasswdFile, policy: &ShellPolicy) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &passwd.entries {
        if p.uid >= policy.min_human_uid || p.name == "root" {
            continue;
        }
        // Nobody (65534) is above 1000 and not covered; an empty shell means /bin/sh.
        let shell = if p.shell.is_empty() {
            "/bin/sh"
        } else {
            p.shell.as_str()
        };
        let base = shell.rsplit('/').next().unwrap_or(shell);
        let ok = policy.non_login_shells.iter().any(|s| s == base)
            || policy.allowed_accounts.iter().any(|a| a == &p.name);
        out.push(Finding::new(
            "linux.passwd.service_shell",
            &p.name,
            &passwd.file,
            Some(p.line),
            ok,
            if ok {
                format!(
                    "service account {} (UID {}) has no login shell ({shell})",
                    p.name, p.uid
                )
            } else {
                format!(
                    "service account {} (UID {}) has login shell {shell}",
                    p.name, p.uid
                )
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nsync:x:4:65534:sync:/bin:/bin/sync\ndiag:x:100:100::/home/diag:/bin/sh\ntoor:x:0:0::/root:/bin/sh\nlegacy::200:200::/:\nuser:x:1000:1000::/home/user:/bin/bash\n";
    const SHADOW: &str = "root:$1$abc$xyz:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nsync:!:19000::::::\ndiag:abcdefghijklm:19000::::::\ntoor::19000::::::\nuser:$y$j9T$abc$def:19000::::::\n";

    #[test]
    fn parse_and_check() {
        let p = parse_passwd("/etc/passwd", PASSWD.as_bytes()).unwrap();
        let s = parse_shadow("/etc/shadow", SHADOW.as_bytes()).unwrap();
        assert_eq!(p.entries.len(), 7);
        let empty: Vec<_> = check_empty_passwords(&p, Some(&s))
            .into_iter()
            .filter(|f| !f.passed)
            .collect();
        let names: Vec<_> = empty.iter().map(|f| f.setting.as_str()).collect();
        assert_eq!(names, vec!["toor", "legacy"]);
        assert_eq!(empty[0].file, "/etc/shadow");
        assert_eq!(empty[0].line, Some(5));
        assert_eq!(empty[1].file, "/etc/passwd");
        let weak: Vec<_> = check_hash_schemes(&p, Some(&s))
            .into_iter()
            .filter(|f| !f.passed)
            .map(|f| f.setting)
            .collect();
        assert_eq!(weak, vec!["root", "diag"]);
        let uid0: Vec<_> = check_uid0(&p)
            .into_iter()
            .filter(|f| !f.passed)
            .map(|f| (f.setting, f.line))
            .collect();
        assert_eq!(uid0, vec![("toor".to_string(), Some(5))]);
        let sh: Vec<_> = check_service_shells(&p, &ShellPolicy::default())
            .into_iter()
            .filter(|f| !f.passed)
            .map(|f| f.setting)
            .collect();
        assert_eq!(sh, vec!["diag", "toor", "legacy"]);
        // Without shadow: cannot check -> not passed.
        let f = check_empty_passwords(&p, None);
        assert!(!f[0].passed && f[0].message.contains("no shadow entry"));
    }

    #[test]
    fn schemes() {
        assert_eq!(HashScheme::of("$6$salt$h"), HashScheme::Sha512);
        assert_eq!(HashScheme::of("$2a$10$x"), HashScheme::Bcrypt);
        assert_eq!(HashScheme::of("!$6$x"), HashScheme::Locked);
        assert_eq!(HashScheme::of("x"), HashScheme::Locked);
        assert_eq!(HashScheme::of("$9$x"), HashScheme::Unknown);
        assert!(!HashScheme::of("$1$a$b").is_strong());
        assert!(HashScheme::of("$y$j9T$a$b").is_strong());
    }

    #[test]
    fn bad_input() {
        for bad in [
            &b"root:x:0\n"[..],
            b"root:x:zero:0::/:/bin/sh\n",
            b"\x00\x01\x02",
            b"+::::::\n",
            b"\xc3\x28:x:1:1::/:/bin/sh\n",
        ] {
            let e = parse_passwd("/etc/passwd", bad).unwrap_err();
            assert_eq!(e.file, "/etc/passwd");
            assert_eq!(e.line, Some(1), "{e}");
        }
        let long = "a".repeat(20_000);
        assert_eq!(
            parse_shadow("/etc/shadow", long.as_bytes())
                .unwrap_err()
                .line,
            Some(1)
        );
        assert_eq!(
            parse_shadow("/etc/shadow", b"ok:x\nnocolon\n")
                .unwrap_err()
                .line,
            Some(2)
        );
    }
}
