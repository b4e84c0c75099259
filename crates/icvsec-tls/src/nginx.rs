//! nginx configuration: parsing (blocks, quoting, comments, `include` with globs) inside a
//! scanned root directory, and the effective TLS settings of every `server` block.
//!
//! # Paths and includes
//! Paths in the configuration are paths of the scanned system; they are mapped into `root`
//! with chroot semantics: absolute paths (and absolute symlink targets) start at `root`,
//! relative include paths are relative to the nginx prefix ([`NginxOptions::prefix`],
//! default: the directory of the main configuration file). A path whose `..` or relative
//! symlink would climb above `root` is an error; symlinks are resolved component by
//! component and never on the host. Include depth is bounded to 16, loops are detected,
//! at most [`NginxOptions::max_files`] files of at most [`NginxOptions::max_file_bytes`] are
//! read. A glob that matches nothing is not an error (as in nginx); a missing plain include is.
//!
//! # Defaults assumed (nginx ≥ 1.23.4, OpenSSL ≥ 1.1.1)
//! * `ssl_protocols TLSv1.2 TLSv1.3` ([`DEFAULT_PROTOCOLS`]; nginx 1.15.3–1.23.3 defaulted to
//!   `TLSv1 TLSv1.1 TLSv1.2 TLSv1.3`),
//! * `ssl_ciphers HIGH:!aNULL:!MD5`,
//! * `ssl_prefer_server_ciphers off`,
//! * `ssl_ecdh_curve auto`,
//! * no `ssl_dhparam`: nginx ≥ 1.11.0 then does not use DHE suites at all.
//!
//! TLS settings are inherited from `http` (or `stream`) into `server` blocks unless the
//! server sets them. A server is TLS-enabled when a `listen` has the `ssl` (or `quic`)
//! parameter or the legacy `ssl on;` is in effect.

use crate::cipherstring::{self, ExpandOptions};
use crate::policy::{self, AssessContext, DhParams, PolicyParams, Weakness};
use crate::versions::Version;
use crate::{ConfigError, Located, Location};
use serde::{Deserialize, Serialize};
use std::path::{Component, Path, PathBuf};

/// Default `ssl_protocols` assumed when none is set (nginx ≥ 1.23.4).
pub const DEFAULT_PROTOCOLS: &[&str] = &["TLSv1.2", "TLSv1.3"];
/// Default `ssl_ciphers`.
pub const DEFAULT_CIPHERS: &str = "HIGH:!aNULL:!MD5";
/// Default `ssl_ecdh_curve`.
pub const DEFAULT_ECDH_CURVE: &str = "auto";

/// Parser limits and path settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NginxOptions {
    /// nginx prefix (system path, e.g. "/etc/nginx") for relative paths; default: the
    /// directory of the main configuration file.
    pub prefix: Option<PathBuf>,
    /// Maximum include depth (default 16).
    pub max_depth: usize,
    /// Maximum size of one file (default 4 MiB).
    pub max_file_bytes: u64,
    /// Maximum number of files read (default 1024).
    pub max_files: usize,
}

impl Default for NginxOptions {
    fn default() -> Self {
        NginxOptions {
            prefix: None,
            max_depth: 16,
            max_file_bytes: 4 << 20,
            max_files: 1024,
        }
    }
}

/// One directive (includes already expanded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directive {
    /// Directive name.
    pub name: String,
    /// Arguments (quotes removed, escapes resolved).
    pub args: Vec<String>,
    /// Where it is.
    pub at: Location,
    /// Block contents for block directives.
    pub block: Option<Vec<Directive>>,
}

/// A `listen` directive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listen {
    /// Address/port argument.
    pub address: String,
    /// `ssl` (or `quic`) parameter present.
    pub ssl: bool,
    /// All parameters after the address.
    pub params: Vec<String>,
}

/// Effective TLS settings of a context (after inheritance and defaults; `at: None` means
/// the documented default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsSettings {
    /// `ssl_protocols` words.
    pub protocols: Located<Vec<String>>,
    /// `ssl_ciphers` string.
    pub ciphers: Located<String>,
    /// `ssl_prefer_server_ciphers`.
    pub prefer_server_ciphers: Located<bool>,
    /// `ssl_certificate` values (several allowed).
    pub certificates: Vec<Located<String>>,
    /// `ssl_certificate_key` values.
    pub certificate_keys: Vec<Located<String>>,
    /// `ssl_dhparam`.
    pub dhparam: Option<Located<String>>,
    /// `ssl_ecdh_curve`.
    pub ecdh_curve: Located<String>,
    /// Legacy `ssl on|off`.
    pub ssl_on: Option<Located<bool>>,
    /// `ssl_conf_command name value` pairs (nginx ≥ 1.19.4; applied by OpenSSL after the
    /// other settings, so `CipherString`, `MinProtocol`, `MaxProtocol` override them).
    pub conf_commands: Vec<Located<(String, String)>>,
}

impl TlsSettings {
    /// Enabled versions parsed from `ssl_protocols`, and the words that are not versions.
    pub fn versions(&self) -> (Vec<Version>, Vec<String>) {
        let mut v = Vec::new();
        let mut bad = Vec::new();
        for p in &self.protocols.value {
            match Version::parse(p) {
                Some(x) => {
                    if !v.contains(&x) {
                        v.push(x)
                    }
                }
                None => bad.push(p.clone()),
            }
        }
        v.sort();
        (v, bad)
    }

    /// Groups from `ssl_ecdh_curve` (colon-separated; "auto" yields none).
    pub fn groups(&self) -> Vec<String> {
        self.ecdh_curve
            .value
            .split(':')
            .map(str::trim)
            .filter(|g| !g.is_empty() && !g.eq_ignore_ascii_case("auto"))
            .map(str::to_string)
            .collect()
    }
}

/// One `server` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerTls {
    /// "http" or "stream" ("http" also for top-level server blocks of a snippet file).
    pub context: String,
    /// Location of the `server` directive.
    pub at: Location,
    /// `server_name` values.
    pub server_names: Vec<Located<String>>,
    /// `listen` directives.
    pub listens: Vec<Located<Listen>>,
    /// TLS is enabled (a `listen ... ssl` or `ssl on`).
    pub tls_enabled: bool,
    /// The server has a server-level `return` (a redirector).
    pub has_return: bool,
    /// Effective TLS settings.
    pub tls: TlsSettings,
}

/// A loaded configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NginxConfig {
    /// Main file (system path).
    pub main_file: PathBuf,
    /// Every file read, in reading order (system paths).
    pub files: Vec<PathBuf>,
    /// The directive tree, includes expanded.
    pub directives: Vec<Directive>,
    /// Every server block (http and stream).
    pub servers: Vec<ServerTls>,
    /// Effective settings of top-level (main-context) `ssl_*` directives, with defaults:
    /// useful for snippet files meant to be included into a server.
    pub top_level: TlsSettings,
}

// ---------------------------------------------------------------- path resolution

/// Resolve a system path inside `root` with chroot semantics (see [`crate::rootfs`]).
pub fn resolve_in_root(root: &Path, sys_path: &Path) -> Result<PathBuf, String> {
    crate::rootfs::resolve(root, sys_path)
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn expand_glob(root: &Path, sys_pattern: &Path) -> Result<Vec<PathBuf>, String> {
    let mut bases = vec![PathBuf::from("/")];
    for c in sys_pattern.components() {
        let Component::Normal(n) = c else {
            if c == Component::ParentDir {
                bases = bases.into_iter().map(|b| b.join("..")).collect();
            }
            continue;
        };
        let s = n.to_string_lossy();
        if !has_glob(&s) {
            bases = bases.into_iter().map(|b| b.join(n)).collect();
            continue;
        }
        let mut next = Vec::new();
        for b in bases {
            let rb = resolve_in_root(root, &b)?;
            let names = crate::rootfs::list_dir(root, &rb)?;
            next.extend(
                names
                    .into_iter()
                    .filter(|nm| crate::rootfs::glob_match(&s, nm))
                    .map(|nm| rb.join(nm)),
            );
            if next.len() > 4096 {
                return Err(format!(
                    "{} matches more than 4096 files",
                    sys_pattern.display()
                ));
            }
        }
        bases = next;
    }
    Ok(bases)
}

// ---------------------------------------------------------------- tokenizer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Semi,
    Open,
    Close,
}

fn tokenize(text: &str, file: &Path) -> Result<Vec<(Tok, u32)>, ConfigError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1u32;
    let err = |line, m: String| ConfigError::new(file, line, m);
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b';' => {
                out.push((Tok::Semi, line));
                i += 1;
            }
            b'{' => {
                out.push((Tok::Open, line));
                i += 1;
            }
            b'}' => {
                out.push((Tok::Close, line));
                i += 1;
            }
            b'"' | b'\'' => {
                let q = c;
                let start_line = line;
                i += 1;
                let mut w = Vec::new();
                loop {
                    let Some(&ch) = b.get(i) else {
                        return Err(err(start_line, "unterminated quoted string".into()));
                    };
                    i += 1;
                    if ch == q {
                        break;
                    }
                    if ch == b'\n' {
                        line += 1;
                    }
                    if ch == b'\\' {
                        match b.get(i) {
                            Some(&e) if e == q || e == b'\\' => {
                                w.push(e);
                                i += 1;
                                continue;
                            }
                            Some(b't') => {
                                w.push(b'\t');
                                i += 1;
                                continue;
                            }
                            Some(b'r') => {
                                w.push(b'\r');
                                i += 1;
                                continue;
                            }
                            Some(b'n') => {
                                w.push(b'\n');
                                i += 1;
                                continue;
                            }
                            _ => {}
                        }
                    }
                    w.push(ch);
                }
                if let Some(&n) = b.get(i)
                    && !matches!(n, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}')
                {
                    {
                        return Err(err(
                            line,
                            format!("unexpected {:?} after quoted string", n as char),
                        ));
                    }
                }
                out.push((
                    Tok::Word(String::from_utf8_lossy(&w).into_owned()),
                    start_line,
                ));
            }
            _ => {
                let start = i;
                while i < b.len() {
                    let ch = b[i];
                    if matches!(ch, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'}') {
                        break;
                    }
                    if ch == b'{' {
                        // "${var}" is variable syntax, not a block.
                        if i > start && b[i - 1] == b'$' {
                            while i < b.len() && b[i] != b'}' {
                                i += 1;
                            }
                            i += 1;
                            continue;
                        }
                        break;
                    }
                    if ch == b'\\' && i + 1 < b.len() {
                        i += 2;
                        continue;
                    }
                    i += 1;
                }
                let w = String::from_utf8_lossy(&b[start..i.min(b.len())]).into_owned();
                out.push((Tok::Word(w), line));
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- loader

struct Loader<'a> {
    root: &'a Path,
    prefix: PathBuf,
    opts: &'a NginxOptions,
    files: Vec<PathBuf>,
    stack: Vec<PathBuf>,
}

impl Loader<'_> {
    fn read(&mut self, sys: &Path, from: Option<&Location>) -> Result<String, ConfigError> {
        let (ef, el) = match from {
            Some(l) => (l.file.clone(), l.line),
            None => (sys.to_path_buf(), 0),
        };
        if self.files.len() >= self.opts.max_files {
            return Err(ConfigError::new(
                ef,
                el,
                format!("more than {} configuration files", self.opts.max_files),
            ));
        }
        let bytes = crate::rootfs::read(self.root, sys, self.opts.max_file_bytes)
            .map_err(|e| ConfigError::new(&ef, el, format!("cannot read {e}")))?;
        self.files.push(sys.to_path_buf());
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn load(&mut self, sys: &Path, from: Option<&Location>) -> Result<Vec<Directive>, ConfigError> {
        if self.stack.contains(&sys.to_path_buf()) {
            let l = from.cloned().unwrap_or(Location {
                file: sys.into(),
                line: 0,
            });
            return Err(ConfigError::new(
                l.file,
                l.line,
                format!("include loop: {} is already being read", sys.display()),
            ));
        }
        if self.stack.len() >= self.opts.max_depth {
            let l = from.cloned().unwrap_or(Location {
                file: sys.into(),
                line: 0,
            });
            return Err(ConfigError::new(
                l.file,
                l.line,
                format!("include depth exceeds {}", self.opts.max_depth),
            ));
        }
        let text = self.read(sys, from)?;
        self.stack.push(sys.to_path_buf());
        let toks = tokenize(&text, sys)?;
        let mut pos = 0;
        let r = self.block(&toks, &mut pos, sys, false);
        self.stack.pop();
        r
    }

    fn block(
        &mut self,
        toks: &[(Tok, u32)],
        pos: &mut usize,
        file: &Path,
        nested: bool,
    ) -> Result<Vec<Directive>, ConfigError> {
        let mut out = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut first_line = 0;
        while *pos < toks.len() {
            let (t, line) = &toks[*pos];
            *pos += 1;
            match t {
                Tok::Word(w) => {
                    if words.is_empty() {
                        first_line = *line;
                    }
                    words.push(w.clone());
                }
                Tok::Semi => {
                    if words.is_empty() {
                        return Err(ConfigError::new(file, *line, "unexpected \";\""));
                    }
                    let at = Location {
                        file: file.into(),
                        line: first_line,
                    };
                    let name = words.remove(0);
                    let args = std::mem::take(&mut words);
                    if name == "include" {
                        if args.len() != 1 {
                            return Err(ConfigError::new(
                                file,
                                first_line,
                                "invalid number of arguments in \"include\"",
                            ));
                        }
                        out.extend(self.include(&args[0], &at)?);
                    } else {
                        out.push(Directive {
                            name,
                            args,
                            at,
                            block: None,
                        });
                    }
                }
                Tok::Open => {
                    if words.is_empty() {
                        return Err(ConfigError::new(file, *line, "unexpected \"{\""));
                    }
                    let at = Location {
                        file: file.into(),
                        line: first_line,
                    };
                    let name = words.remove(0);
                    let args = std::mem::take(&mut words);
                    let inner = self.block(toks, pos, file, true)?;
                    out.push(Directive {
                        name,
                        args,
                        at,
                        block: Some(inner),
                    });
                }
                Tok::Close => {
                    if !words.is_empty() {
                        return Err(ConfigError::new(
                            file,
                            *line,
                            "unexpected \"}\" (missing \";\"?)",
                        ));
                    }
                    if !nested {
                        return Err(ConfigError::new(file, *line, "unexpected \"}\""));
                    }
                    return Ok(out);
                }
            }
        }
        let last = toks.last().map(|t| t.1).unwrap_or(1);
        if !words.is_empty() {
            return Err(ConfigError::new(
                file,
                last,
                "unexpected end of file, expecting \";\" or \"}\"",
            ));
        }
        if nested {
            return Err(ConfigError::new(
                file,
                last,
                "unexpected end of file, expecting \"}\"",
            ));
        }
        Ok(out)
    }

    fn include(&mut self, arg: &str, at: &Location) -> Result<Vec<Directive>, ConfigError> {
        let p = Path::new(arg);
        let sys = if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.prefix.join(p)
        };
        let err = |m: String| ConfigError::new(&at.file, at.line, m);
        let targets = if has_glob(arg) {
            expand_glob(self.root, &sys).map_err(err)?
        } else {
            vec![sys.clone()]
        };
        let mut out = Vec::new();
        for t in targets {
            let r =
                resolve_in_root(self.root, &t).map_err(|m| err(format!("include {arg}: {m}")))?;
            let kind = crate::rootfs::kind(self.root, &r)
                .map_err(|m| err(format!("include {arg}: {m}")))?;
            match kind {
                Some(icvsec_fs::EntryType::File) => {}
                // A glob that matches a directory includes nothing from it (as nginx).
                Some(icvsec_fs::EntryType::Dir) if has_glob(arg) => continue,
                None if has_glob(arg) => continue,
                None => {
                    return Err(err(format!(
                        "include file {arg} not found ({})",
                        r.display()
                    )));
                }
                // A FIFO, device or socket is refused by the reader with its kind.
                Some(_) => {}
            }
            out.extend(self.load(&r, Some(at))?);
        }
        Ok(out)
    }
}

/// Load and parse `config` (a system path such as "/etc/nginx/nginx.conf") inside `root`.
pub fn load(root: &Path, config: &Path, opts: &NginxOptions) -> Result<NginxConfig, ConfigError> {
    let sys_in = if config.is_absolute() {
        config.to_path_buf()
    } else {
        Path::new("/").join(config)
    };
    let sys = resolve_in_root(root, &sys_in).map_err(|m| ConfigError::new(&sys_in, 0, m))?;
    let prefix = opts.prefix.clone().unwrap_or_else(|| {
        sys.parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| "/".into())
    });
    let mut l = Loader {
        root,
        prefix,
        opts,
        files: Vec::new(),
        stack: Vec::new(),
    };
    let directives = l.load(&sys, None)?;
    let (servers, top_level) = extract(&directives)?;
    Ok(NginxConfig {
        main_file: sys,
        files: l.files,
        directives,
        servers,
        top_level,
    })
}

/// An nginx configuration as loaded for judging: the configuration and the DH parameters
/// of every `ssl_dhparam` it names, read from the same root filesystem at load, so that
/// judging it ([`assess_with_dh`]) reads no file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadedNginx {
    /// The configuration.
    pub config: NginxConfig,
    /// What is known of each DH parameters file, by system path.
    pub dhparams: std::collections::BTreeMap<PathBuf, DhParams>,
}

impl LoadedNginx {
    /// Directory relative `ssl_dhparam` paths are taken against: the main file's.
    pub fn prefix(&self) -> PathBuf {
        self.config
            .main_file
            .parent()
            .unwrap_or(Path::new("/"))
            .to_path_buf()
    }

    /// The DH parameters of a context of this configuration: `NotConfigured` without
    /// `ssl_dhparam`, else what was read at load.
    pub fn dh(&self, tls: &TlsSettings) -> DhParams {
        match dhparam_path(tls, &self.prefix()) {
            None => DhParams::NotConfigured,
            Some(sys) => self.dhparams.get(&sys).cloned().unwrap_or_else(|| {
                DhParams::Unreadable(format!("{}: not read at load", sys.display()))
            }),
        }
    }
}

/// [`load`] `config` inside `root`, then read every DH parameters file it names (servers
/// and top level) through the same root.
pub fn load_with_dhparams(
    root: &Path,
    config: &Path,
    opts: &NginxOptions,
) -> Result<LoadedNginx, ConfigError> {
    let config = load(root, config, opts)?;
    let mut out = LoadedNginx {
        config,
        dhparams: Default::default(),
    };
    let prefix = out.prefix();
    let paths: std::collections::BTreeSet<PathBuf> = out
        .config
        .servers
        .iter()
        .map(|s| &s.tls)
        .chain(std::iter::once(&out.config.top_level))
        .filter_map(|t| dhparam_path(t, &prefix))
        .collect();
    for p in paths {
        let dh = read_dhparams(root, &p);
        out.dhparams.insert(p, dh);
    }
    Ok(out)
}

/// Parse a configuration text without resolving includes (`include` directives are kept as
/// ordinary directives); `file` names the text in locations and errors.
pub fn parse_str(text: &str, file: &Path) -> Result<Vec<Directive>, ConfigError> {
    let toks = tokenize(text, file)?;
    let mut out = Vec::new();
    let mut stack: Vec<(String, Vec<String>, Location, Vec<Directive>)> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut first = 0;
    for (t, line) in toks {
        match t {
            Tok::Word(w) => {
                if words.is_empty() {
                    first = line;
                }
                words.push(w);
            }
            Tok::Semi | Tok::Open if words.is_empty() => {
                return Err(ConfigError::new(file, line, "unexpected token"));
            }
            Tok::Semi => {
                let name = words.remove(0);
                let d = Directive {
                    name,
                    args: std::mem::take(&mut words),
                    at: Location {
                        file: file.into(),
                        line: first,
                    },
                    block: None,
                };
                match stack.last_mut() {
                    Some(s) => s.3.push(d),
                    None => out.push(d),
                }
            }
            Tok::Open => {
                let name = words.remove(0);
                stack.push((
                    name,
                    std::mem::take(&mut words),
                    Location {
                        file: file.into(),
                        line: first,
                    },
                    Vec::new(),
                ));
            }
            Tok::Close => {
                if !words.is_empty() {
                    return Err(ConfigError::new(
                        file,
                        line,
                        "unexpected \"}\" (missing \";\"?)",
                    ));
                }
                let Some((name, args, at, block)) = stack.pop() else {
                    return Err(ConfigError::new(file, line, "unexpected \"}\""));
                };
                let d = Directive {
                    name,
                    args,
                    at,
                    block: Some(block),
                };
                match stack.last_mut() {
                    Some(s) => s.3.push(d),
                    None => out.push(d),
                }
            }
        }
    }
    if !words.is_empty() || !stack.is_empty() {
        return Err(ConfigError::new(
            file,
            text.lines().count() as u32,
            "unexpected end of file",
        ));
    }
    Ok(out)
}

// ---------------------------------------------------------------- extraction

#[derive(Default, Clone)]
struct Raw {
    protocols: Option<Located<Vec<String>>>,
    ciphers: Option<Located<String>>,
    prefer: Option<Located<bool>>,
    certs: Vec<Located<String>>,
    keys: Vec<Located<String>>,
    dhparam: Option<Located<String>>,
    curve: Option<Located<String>>,
    ssl_on: Option<Located<bool>>,
    conf: Vec<Located<(String, String)>>,
}

fn set_once<T>(slot: &mut Option<Located<T>>, v: T, d: &Directive) -> Result<(), ConfigError> {
    if slot.is_some() {
        return Err(ConfigError::new(
            &d.at.file,
            d.at.line,
            format!("\"{}\" directive is duplicate", d.name),
        ));
    }
    *slot = Some(Located {
        value: v,
        at: Some(d.at.clone()),
    });
    Ok(())
}

fn one_arg(d: &Directive) -> Result<String, ConfigError> {
    if d.args.len() != 1 {
        return Err(ConfigError::new(
            &d.at.file,
            d.at.line,
            format!("invalid number of arguments in \"{}\"", d.name),
        ));
    }
    Ok(d.args[0].clone())
}

fn on_off(d: &Directive) -> Result<bool, ConfigError> {
    match one_arg(d)?.as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        v => Err(ConfigError::new(
            &d.at.file,
            d.at.line,
            format!(
                "invalid value \"{v}\" in \"{}\", it must be \"on\" or \"off\"",
                d.name
            ),
        )),
    }
}

fn collect(ds: &[Directive]) -> Result<Raw, ConfigError> {
    let mut r = Raw::default();
    for d in ds {
        match d.name.as_str() {
            "ssl_protocols" => {
                if d.args.is_empty() {
                    return Err(ConfigError::new(
                        &d.at.file,
                        d.at.line,
                        "invalid number of arguments in \"ssl_protocols\"",
                    ));
                }
                set_once(&mut r.protocols, d.args.clone(), d)?
            }
            "ssl_ciphers" => set_once(&mut r.ciphers, one_arg(d)?, d)?,
            "ssl_prefer_server_ciphers" => set_once(&mut r.prefer, on_off(d)?, d)?,
            "ssl_certificate" => r.certs.push(Located {
                value: one_arg(d)?,
                at: Some(d.at.clone()),
            }),
            "ssl_certificate_key" => r.keys.push(Located {
                value: one_arg(d)?,
                at: Some(d.at.clone()),
            }),
            "ssl_dhparam" => set_once(&mut r.dhparam, one_arg(d)?, d)?,
            "ssl_ecdh_curve" => set_once(&mut r.curve, one_arg(d)?, d)?,
            "ssl" => set_once(&mut r.ssl_on, on_off(d)?, d)?,
            "ssl_conf_command" => {
                if d.args.len() != 2 {
                    return Err(ConfigError::new(
                        &d.at.file,
                        d.at.line,
                        "invalid number of arguments in \"ssl_conf_command\"",
                    ));
                }
                r.conf.push(Located {
                    value: (d.args[0].clone(), d.args[1].clone()),
                    at: Some(d.at.clone()),
                })
            }
            _ => {}
        }
    }
    Ok(r)
}

fn merge(child: &Raw, parent: &Raw) -> TlsSettings {
    TlsSettings {
        protocols: child
            .protocols
            .clone()
            .or_else(|| parent.protocols.clone())
            .unwrap_or(Located {
                value: DEFAULT_PROTOCOLS.iter().map(|s| s.to_string()).collect(),
                at: None,
            }),
        ciphers: child
            .ciphers
            .clone()
            .or_else(|| parent.ciphers.clone())
            .unwrap_or(Located {
                value: DEFAULT_CIPHERS.into(),
                at: None,
            }),
        prefer_server_ciphers: child
            .prefer
            .clone()
            .or_else(|| parent.prefer.clone())
            .unwrap_or(Located {
                value: false,
                at: None,
            }),
        certificates: if child.certs.is_empty() {
            parent.certs.clone()
        } else {
            child.certs.clone()
        },
        certificate_keys: if child.keys.is_empty() {
            parent.keys.clone()
        } else {
            child.keys.clone()
        },
        dhparam: child.dhparam.clone().or_else(|| parent.dhparam.clone()),
        ecdh_curve: child
            .curve
            .clone()
            .or_else(|| parent.curve.clone())
            .unwrap_or(Located {
                value: DEFAULT_ECDH_CURVE.into(),
                at: None,
            }),
        ssl_on: child.ssl_on.clone().or_else(|| parent.ssl_on.clone()),
        conf_commands: if child.conf.is_empty() {
            parent.conf.clone()
        } else {
            child.conf.clone()
        },
    }
}

fn server(d: &Directive, context: &str, parent: &Raw) -> Result<ServerTls, ConfigError> {
    let body = d.block.as_deref().unwrap_or(&[]);
    let raw = collect(body)?;
    let mut names = Vec::new();
    let mut listens = Vec::new();
    let mut has_return = false;
    for x in body {
        match x.name.as_str() {
            "server_name" => names.extend(x.args.iter().map(|a| Located {
                value: a.clone(),
                at: Some(x.at.clone()),
            })),
            "listen" => {
                let Some(addr) = x.args.first() else {
                    return Err(ConfigError::new(
                        &x.at.file,
                        x.at.line,
                        "invalid number of arguments in \"listen\"",
                    ));
                };
                let params: Vec<String> = x.args[1..].to_vec();
                let ssl = params.iter().any(|p| p == "ssl" || p == "quic");
                listens.push(Located {
                    value: Listen {
                        address: addr.clone(),
                        ssl,
                        params,
                    },
                    at: Some(x.at.clone()),
                });
            }
            "return" => has_return = true,
            _ => {}
        }
    }
    let tls = merge(&raw, parent);
    let tls_enabled =
        listens.iter().any(|l| l.value.ssl) || tls.ssl_on.as_ref().is_some_and(|s| s.value);
    Ok(ServerTls {
        context: context.into(),
        at: d.at.clone(),
        server_names: names,
        listens,
        tls_enabled,
        has_return,
        tls,
    })
}

fn extract(ds: &[Directive]) -> Result<(Vec<ServerTls>, TlsSettings), ConfigError> {
    let top = collect(ds)?;
    let mut servers = Vec::new();
    for d in ds {
        match (d.name.as_str(), &d.block) {
            ("http", Some(b)) | ("stream", Some(b)) => {
                let parent = collect(b)?;
                for s in b.iter().filter(|x| x.name == "server" && x.block.is_some()) {
                    servers.push(server(s, &d.name, &parent)?);
                }
            }
            ("server", Some(_)) => servers.push(server(d, "http", &top)?),
            _ => {}
        }
    }
    Ok((servers, merge(&top, &Raw::default())))
}

// ---------------------------------------------------------------- assessment

/// Result of [`assess_settings`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsAssessment {
    /// Enabled versions.
    pub versions: Vec<Version>,
    /// `ssl_protocols` words that are not versions.
    pub unknown_protocols: Vec<String>,
    /// Effective suites (OpenSSL names), after dropping DHE suites when no `ssl_dhparam` is set.
    pub suites: Vec<String>,
    /// Cipher-string error (OpenSSL would refuse the configuration).
    pub cipher_error: Option<String>,
    /// What is known about the DH parameters.
    pub dh: DhParams,
    /// Weaknesses.
    pub weaknesses: Vec<Weakness>,
}

/// System path of a context's `ssl_dhparam` (relative paths against `prefix`), if set.
pub fn dhparam_path(tls: &TlsSettings, prefix: &Path) -> Option<PathBuf> {
    tls.dhparam.as_ref().map(|p| {
        let path = Path::new(&p.value);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            prefix.join(path)
        }
    })
}

/// Read the DH parameters file at a system path inside `root` (at most 1 MiB) and tell
/// its prime size, or why it cannot be known.
pub fn read_dhparams(root: &Path, sys: &Path) -> DhParams {
    match crate::rootfs::read(root, sys, 1 << 20) {
        Err(e) => DhParams::Unreadable(e),
        Ok(bytes) => match policy::dh_params_bits(&String::from_utf8_lossy(&bytes)) {
            Ok(b) => DhParams::Bits(b),
            Err(e) => DhParams::Unreadable(format!("{}: {e}", sys.display())),
        },
    }
}

/// Assess effective settings: expand `ssl_ciphers`, read `ssl_dhparam` inside `root`
/// (relative paths against `prefix`), run [`policy::assess`].
pub fn assess_settings(
    tls: &TlsSettings,
    root: &Path,
    prefix: &Path,
    params: &PolicyParams,
    expand: &ExpandOptions,
) -> TlsAssessment {
    let dh = match dhparam_path(tls, prefix) {
        None => DhParams::NotConfigured,
        Some(sys) => read_dhparams(root, &sys),
    };
    assess_with_dh(tls, dh, params, expand)
}

/// Assess effective settings with the DH parameters already known ([`read_dhparams`];
/// `NotConfigured` when no `ssl_dhparam` is set): no file access.
pub fn assess_with_dh(
    tls: &TlsSettings,
    dh: DhParams,
    params: &PolicyParams,
    expand: &ExpandOptions,
) -> TlsAssessment {
    let (mut versions, unknown_protocols) = tls.versions();
    let cmd = |n: &str| {
        tls.conf_commands
            .iter()
            .rev()
            .find(|c| c.value.0.eq_ignore_ascii_case(n))
            .map(|c| c.value.1.clone())
    };
    if let Some(min) = cmd("MinProtocol").and_then(|v| Version::parse(&v)) {
        versions.retain(|v| v.tls_rank().is_none() || *v >= min);
    }
    if let Some(max) = cmd("MaxProtocol").and_then(|v| Version::parse(&v)) {
        versions.retain(|v| v.tls_rank().is_none() || *v <= max);
    }
    let cipher_string = cmd("CipherString").unwrap_or_else(|| tls.ciphers.value.clone());
    let (mut suites, cipher_error) = match cipherstring::expand_with(&cipher_string, expand) {
        Ok(e) => (e.suites, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    if dh == DhParams::NotConfigured {
        suites.retain(|c| {
            !matches!(
                c.kx,
                crate::suites::KeyExchange::Dhe | crate::suites::KeyExchange::DhePsk
            )
        });
    }
    let ctx = AssessContext {
        params: params.clone(),
        dh: dh.clone(),
    };
    let weaknesses = policy::assess(&versions, &suites, &tls.groups(), &ctx);
    TlsAssessment {
        versions,
        unknown_protocols,
        suites: suites
            .iter()
            .map(|c| c.display_name().to_string())
            .collect(),
        cipher_error,
        dh,
        weaknesses,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob() {
        assert!(crate::rootfs::glob_match("*.conf", "a.conf"));
        assert!(!crate::rootfs::glob_match("*.conf", ".a.conf"));
        assert!(crate::rootfs::glob_match("tls-[a-c]?.conf", "tls-b1.conf"));
        assert!(!crate::rootfs::glob_match(
            "tls-[!a-c]?.conf",
            "tls-b1.conf"
        ));
    }

    #[test]
    fn tokens_and_blocks() {
        let t = "# c\nhttp {\n ssl_ciphers \"HIGH:!aNULL\"; # trailing\n server { listen 443 ssl; set $x \"${y}z\"; }\n}\n";
        let d = parse_str(t, Path::new("/t.conf")).unwrap();
        assert_eq!(d[0].name, "http");
        let b = d[0].block.as_ref().unwrap();
        assert_eq!(b[0].args, vec!["HIGH:!aNULL"]);
        assert_eq!(b[0].at.line, 3);
        assert_eq!(b[1].block.as_ref().unwrap()[0].args, vec!["443", "ssl"]);
        let e = parse_str("http {\n ssl on;\n", Path::new("/t.conf")).unwrap_err();
        assert_eq!(e.file, PathBuf::from("/t.conf"));
        let e = parse_str("a b\n}\n", Path::new("/t.conf")).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
