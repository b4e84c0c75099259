//! `openssl.cnf` parsing: sections, `name = value`, comments, quoting, line continuation,
//! `$var` / `${var}` / `$section::var` expansion, `.include` (file or directory, inside the
//! scanned root, relative paths against the including file's directory, depth ≤ 16, loops
//! detected), `.pragma` (ignored), and the `openssl_conf` → `ssl_conf` → `system_default`
//! chain with MinProtocol, MaxProtocol, CipherString, Ciphersuites, Groups/Curves, Protocol.
//!
//! Defaults assumed when a setting is absent (OpenSSL 3): MinProtocol = TLSv1 (SSLv3 is not
//! built by default), MaxProtocol = TLSv1.3, CipherString = DEFAULT, Ciphersuites =
//! TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256.

use crate::cipherstring::{self, ExpandOptions};
use crate::nginx::resolve_in_root;
use crate::policy::{self, AssessContext, PolicyParams, Weakness, WeaknessCode};
use crate::suites;
use crate::versions::Version;
use crate::{ConfigError, Located, Location};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Default TLS 1.3 suites of OpenSSL 3.
pub const DEFAULT_CIPHERSUITES: &str =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

/// One `name = value` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Name.
    pub name: String,
    /// Value after quote removal and variable expansion.
    pub value: String,
    /// Where.
    pub at: Location,
}

/// The `system_default` TLS settings reached through the section chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemDefault {
    /// Chain followed: `openssl_conf`, `ssl_conf`, `system_default` values with locations.
    pub chain: Vec<Located<String>>,
    /// `MinProtocol`.
    pub min_protocol: Option<Located<String>>,
    /// `MaxProtocol`.
    pub max_protocol: Option<Located<String>>,
    /// `Protocol` (e.g. "-ALL,TLSv1.2").
    pub protocol: Option<Located<String>>,
    /// `CipherString`.
    pub cipher_string: Option<Located<String>>,
    /// `Ciphersuites` (TLS 1.3).
    pub ciphersuites: Option<Located<String>>,
    /// `Groups` or `Curves`.
    pub groups: Option<Located<String>>,
}

impl SystemDefault {
    /// Enabled versions from MinProtocol/MaxProtocol (defaults TLSv1 … TLSv1.3).
    /// `Err` names an unparsable value.
    pub fn versions(&self) -> Result<Vec<Version>, String> {
        let parse = |o: &Option<Located<String>>, d: Version| -> Result<Version, String> {
            match o {
                None => Ok(d),
                Some(l) if l.value.eq_ignore_ascii_case("None") => Ok(d),
                Some(l) => Version::parse(&l.value)
                    .filter(|v| v.tls_rank().is_some())
                    .ok_or_else(|| format!("unknown protocol {:?}", l.value)),
            }
        };
        let min = parse(&self.min_protocol, Version::Tls10)?;
        let max = parse(&self.max_protocol, Version::Tls13)?;
        Ok(Version::ALL
            .into_iter()
            .filter(|v| v.tls_rank().is_some() && *v >= min && *v <= max && *v != Version::Ssl2)
            .collect())
    }
}

/// A parsed configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpensslConf {
    /// Files read (system paths).
    pub files: Vec<PathBuf>,
    /// Sections ("default" for entries before the first header), entries in file order.
    pub sections: BTreeMap<String, Vec<Entry>>,
    /// The TLS system defaults, when the chain is present.
    pub system_default: Option<SystemDefault>,
}

impl OpensslConf {
    /// Last value of `name` in `section`.
    pub fn get(&self, section: &str, name: &str) -> Option<&Entry> {
        self.sections
            .get(section)?
            .iter()
            .rev()
            .find(|e| e.name == name)
    }
}

struct P<'a> {
    root: Option<&'a Path>,
    files: Vec<PathBuf>,
    stack: Vec<PathBuf>,
    sections: BTreeMap<String, Vec<Entry>>,
    current: String,
}

fn strip_comment_and_quotes(s: &str, file: &Path, line: u32) -> Result<String, ConfigError> {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '#') => break,
            (None, '"') | (None, '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some(n) = chars.next() {
                    out.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        x => x,
                    });
                }
            }
            (_, c) => out.push(c),
        }
    }
    if quote.is_some() {
        return Err(ConfigError::new(file, line, "unterminated quote"));
    }
    Ok(out.trim().to_string())
}

impl P<'_> {
    fn lookup(&self, section: &str, name: &str) -> Option<String> {
        self.sections
            .get(section)
            .and_then(|v| v.iter().rev().find(|e| e.name == name))
            .or_else(|| {
                self.sections
                    .get("default")
                    .and_then(|v| v.iter().rev().find(|e| e.name == name))
            })
            .map(|e| e.value.clone())
    }

    fn expand(&self, v: &str, file: &Path, line: u32) -> Result<String, ConfigError> {
        let b: Vec<char> = v.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != '$' {
                out.push(b[i]);
                i += 1;
                continue;
            }
            i += 1;
            let braced = matches!(b.get(i), Some('{') | Some('('));
            let close = if b.get(i) == Some(&'(') { ')' } else { '}' };
            if braced {
                i += 1;
            }
            let start = i;
            while i < b.len()
                && (b[i].is_alphanumeric() || b[i] == '_' || b[i] == ':' || b[i] == '.')
            {
                i += 1;
            }
            let name: String = b[start..i].iter().collect();
            if braced {
                if b.get(i) != Some(&close) {
                    return Err(ConfigError::new(
                        file,
                        line,
                        format!("unterminated variable reference ${{{name}"),
                    ));
                }
                i += 1;
            }
            if name.is_empty() {
                out.push('$');
                continue;
            }
            let (sec, key) = match name.split_once("::") {
                Some((s, k)) => (s.to_string(), k.to_string()),
                None => (self.current.clone(), name.clone()),
            };
            match self.lookup(&sec, &key) {
                Some(x) => out.push_str(&x),
                None => {
                    return Err(ConfigError::new(
                        file,
                        line,
                        format!("variable ${name} has no value"),
                    ));
                }
            }
            if out.len() > 64 * 1024 {
                return Err(ConfigError::new(file, line, "variable expansion too long"));
            }
        }
        Ok(out)
    }

    fn parse(&mut self, text: &str, file: &Path) -> Result<(), ConfigError> {
        let mut logical = String::new();
        let mut start_line = 0u32;
        for (idx, raw) in text.lines().enumerate() {
            let line = idx as u32 + 1;
            if logical.is_empty() {
                start_line = line;
            }
            let t = raw.trim_end();
            // continuation: a trailing unescaped backslash
            if let Some(body) = t.strip_suffix('\\')
                && !body.ends_with('\\')
            {
                logical.push_str(body);
                continue;
            }
            logical.push_str(t);
            let l = std::mem::take(&mut logical);
            self.line(&l, file, start_line)?;
        }
        if !logical.is_empty() {
            let l = std::mem::take(&mut logical);
            self.line(&l, file, start_line)?;
        }
        Ok(())
    }

    fn line(&mut self, l: &str, file: &Path, line: u32) -> Result<(), ConfigError> {
        let s = l.trim_start();
        if s.is_empty() || s.starts_with('#') || s.starts_with(';') {
            return Ok(());
        }
        if let Some(rest) = s.strip_prefix('[') {
            let Some(end) = rest.find(']') else {
                return Err(ConfigError::new(
                    file,
                    line,
                    "missing closing square bracket",
                ));
            };
            let name = rest[..end].trim();
            if name.is_empty() {
                return Err(ConfigError::new(file, line, "empty section name"));
            }
            self.current = self.expand(name, file, line)?;
            self.sections.entry(self.current.clone()).or_default();
            return Ok(());
        }
        if let Some(rest) = s.strip_prefix(".include") {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('=').unwrap_or(rest);
            let path = strip_comment_and_quotes(rest, file, line)?;
            let path = self.expand(&path, file, line)?;
            return self.include(&path, file, line);
        }
        if s.starts_with(".pragma") {
            return Ok(());
        }
        let Some(eq) = s.find('=') else {
            return Err(ConfigError::new(
                file,
                line,
                format!("missing equal sign in {:?}", s.trim()),
            ));
        };
        let name = s[..eq].trim();
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(ConfigError::new(
                file,
                line,
                format!("invalid name {name:?}"),
            ));
        }
        let value = strip_comment_and_quotes(&s[eq + 1..], file, line)?;
        let value = self.expand(&value, file, line)?;
        let (sec, name) = match name.split_once("::") {
            Some((sec, n)) => (sec.to_string(), n.to_string()),
            None => (self.current.clone(), name.to_string()),
        };
        self.sections.entry(sec).or_default().push(Entry {
            name,
            value,
            at: Location {
                file: file.to_path_buf(),
                line,
            },
        });
        Ok(())
    }

    fn include(&mut self, path: &str, file: &Path, line: u32) -> Result<(), ConfigError> {
        let Some(root) = self.root else {
            return Err(ConfigError::new(
                file,
                line,
                ".include needs a root directory (use load)",
            ));
        };
        if self.stack.len() >= 16 {
            return Err(ConfigError::new(file, line, "include depth exceeds 16"));
        }
        let p = Path::new(path);
        let sys = if p.is_absolute() {
            p.to_path_buf()
        } else {
            file.parent().unwrap_or(Path::new("/")).join(p)
        };
        let r = resolve_in_root(root, &sys).map_err(|m| ConfigError::new(file, line, m))?;
        let is_dir = crate::rootfs::kind(root, &r).map_err(|m| ConfigError::new(file, line, m))?
            == Some(icvsec_fs::EntryType::Dir);
        if is_dir {
            let mut names: Vec<String> = crate::rootfs::list_dir(root, &r)
                .map_err(|e| ConfigError::new(file, line, format!("cannot read {e}")))?
                .into_iter()
                .filter(|n| n.ends_with(".cnf") || n.ends_with(".conf"))
                .collect();
            names.sort();
            for n in names {
                let f = resolve_in_root(root, &r.join(n))
                    .map_err(|m| ConfigError::new(file, line, m))?;
                self.file(&f, Some((file, line)))?;
            }
            Ok(())
        } else {
            self.file(&r, Some((file, line)))
        }
    }

    fn file(&mut self, sys: &Path, from: Option<(&Path, u32)>) -> Result<(), ConfigError> {
        let (ef, el) = from
            .map(|(f, l)| (f.to_path_buf(), l))
            .unwrap_or((sys.to_path_buf(), 0));
        if self.stack.iter().any(|s| s == sys) {
            return Err(ConfigError::new(
                ef,
                el,
                format!("include loop: {}", sys.display()),
            ));
        }
        if self.files.len() >= 256 {
            return Err(ConfigError::new(ef, el, "more than 256 files"));
        }
        let root = self.root.expect("file() is only used with a root");
        let text = crate::rootfs::read(root, sys, 4 << 20)
            .map_err(|e| ConfigError::new(&ef, el, format!("cannot read {e}")))?;
        self.files.push(sys.to_path_buf());
        self.stack.push(sys.to_path_buf());
        let saved = std::mem::replace(&mut self.current, "default".into());
        let r = self.parse(&String::from_utf8_lossy(&text), sys);
        self.current = saved;
        self.stack.pop();
        r
    }
}

fn finish(p: P<'_>) -> OpensslConf {
    let mut conf = OpensslConf {
        files: p.files,
        sections: p.sections,
        system_default: None,
    };
    conf.system_default = chain(&conf);
    conf
}

fn loc(e: &Entry) -> Located<String> {
    Located {
        value: e.value.clone(),
        at: Some(e.at.clone()),
    }
}

fn chain(c: &OpensslConf) -> Option<SystemDefault> {
    let init = c.get("default", "openssl_conf")?;
    let ssl = c.get(&init.value, "ssl_conf")?;
    let sd = c.get(&ssl.value, "system_default")?;
    let sec = &sd.value;
    let g = |n: &str| c.get(sec, n).map(loc);
    Some(SystemDefault {
        chain: vec![loc(init), loc(ssl), loc(sd)],
        min_protocol: g("MinProtocol"),
        max_protocol: g("MaxProtocol"),
        protocol: g("Protocol"),
        cipher_string: g("CipherString"),
        ciphersuites: g("Ciphersuites"),
        groups: g("Groups").or_else(|| g("Curves")),
    })
}

/// Parse a text (no `.include` support); `file` names it in locations.
pub fn parse_str(text: &str, file: &Path) -> Result<OpensslConf, ConfigError> {
    let mut p = P {
        root: None,
        files: vec![file.to_path_buf()],
        stack: Vec::new(),
        sections: BTreeMap::new(),
        current: "default".into(),
    };
    p.parse(text, file)?;
    Ok(finish(p))
}

/// Load `config` (system path, e.g. "/etc/ssl/openssl.cnf") inside `root`.
pub fn load(root: &Path, config: &Path) -> Result<OpensslConf, ConfigError> {
    let sys = if config.is_absolute() {
        config.to_path_buf()
    } else {
        Path::new("/").join(config)
    };
    let r = resolve_in_root(root, &sys).map_err(|m| ConfigError::new(&sys, 0, m))?;
    let mut p = P {
        root: Some(root),
        files: Vec::new(),
        stack: Vec::new(),
        sections: BTreeMap::new(),
        current: "default".into(),
    };
    p.file(&r, None)?;
    Ok(finish(p))
}

/// Assess the system defaults (absent chain: OpenSSL's built-in defaults, see module doc).
/// Weaknesses about an absent MinProtocol say so in the message.
pub fn assess(
    conf: &OpensslConf,
    params: &PolicyParams,
    expand: &ExpandOptions,
) -> Result<Vec<Weakness>, String> {
    let empty = SystemDefault {
        chain: vec![],
        min_protocol: None,
        max_protocol: None,
        protocol: None,
        cipher_string: None,
        ciphersuites: None,
        groups: None,
    };
    let sd = conf.system_default.as_ref().unwrap_or(&empty);
    let versions = sd.versions()?;
    let cs = sd
        .cipher_string
        .as_ref()
        .map(|l| l.value.as_str())
        .unwrap_or("DEFAULT");
    let mut list = cipherstring::expand_with(cs, expand)
        .map_err(|e| format!("CipherString: {e}"))?
        .suites;
    let tls13 = sd
        .ciphersuites
        .as_ref()
        .map(|l| l.value.as_str())
        .unwrap_or(DEFAULT_CIPHERSUITES);
    for n in tls13.split(':').filter(|s| !s.is_empty()) {
        if let Some(c) = suites::lookup(n) {
            list.push(c.clone());
        }
    }
    let groups: Vec<String> = sd
        .groups
        .as_ref()
        .map(|g| g.value.split(':').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let mut w = policy::assess(
        &versions,
        &list,
        &groups,
        &AssessContext {
            params: params.clone(),
            dh: Default::default(),
        },
    );
    if sd.min_protocol.is_none() {
        for x in w
            .iter_mut()
            .filter(|x| x.code == WeaknessCode::ProtocolBelowMin)
        {
            x.message
                .push_str(" (MinProtocol is not set; OpenSSL's default minimum applies)");
        }
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_and_values() {
        let t = r#"
# comment
HOME = /root
openssl_conf = openssl_init   # trailing comment

[openssl_init]
providers = provider_sect
ssl_conf = ssl_sect

[ssl_sect]
system_default = system_default_sect

[system_default_sect]
MinProtocol = TLSv1.2
CipherString = "DEFAULT:@SECLEVEL=2"
Groups = X25519:\
 secp256r1
"#;
        let c = parse_str(t, Path::new("/etc/ssl/openssl.cnf")).unwrap();
        let sd = c.system_default.as_ref().unwrap();
        assert_eq!(sd.chain.len(), 3);
        let m = sd.min_protocol.as_ref().unwrap();
        assert_eq!(m.value, "TLSv1.2");
        assert_eq!(m.at.as_ref().unwrap().line, 14);
        assert_eq!(
            sd.cipher_string.as_ref().unwrap().value,
            "DEFAULT:@SECLEVEL=2"
        );
        assert_eq!(sd.groups.as_ref().unwrap().value, "X25519: secp256r1");
        assert_eq!(sd.versions().unwrap(), vec![Version::Tls12, Version::Tls13]);
        let w = assess(&c, &PolicyParams::default(), &Default::default()).unwrap();
        assert!(
            w.iter().all(|x| x.code != WeaknessCode::ProtocolBelowMin),
            "{w:?}"
        );

        let c = parse_str("openssl_conf = a\n[a]\nssl_conf = b\n[b]\nsystem_default = c\n[c]\nMinProtocol = TLSv1\nCipherString = ALL\n", Path::new("/x.cnf")).unwrap();
        let w = assess(&c, &PolicyParams::default(), &Default::default()).unwrap();
        for code in [
            WeaknessCode::ProtocolBelowMin,
            WeaknessCode::Anonymous,
            WeaknessCode::Rc4,
        ] {
            assert!(w.iter().any(|x| x.code == code), "{code:?}");
        }
    }

    #[test]
    fn variables_and_errors() {
        let c = parse_str(
            "dir = /etc\n[s]\nx = $dir/a\ny = ${s::x}/b\n",
            Path::new("/x.cnf"),
        )
        .unwrap();
        assert_eq!(c.get("s", "y").unwrap().value, "/etc/a/b");
        let e = parse_str("[s]\nnovalue\n", Path::new("/x.cnf")).unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse_str("[s\n", Path::new("/x.cnf")).unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse_str("a = $nope\n", Path::new("/x.cnf")).unwrap_err();
        assert!(e.message.contains("nope"));
    }
}
