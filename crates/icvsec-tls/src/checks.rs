//! Ready-made checks over a scanned root (a vehicle build's rootfs or source tree), for the
//! rule engine: `tls.nginx`, `tls.openssl_conf`, `tls.embedded_stack`.
//!
//! Each takes [`CheckParams`] (the policy thresholds plus `fail_on`, the weakness codes
//! that make the check fail) and returns a [`CheckOutcome`]: the findings (weaknesses
//! whose code is in `fail_on`, with file and line), the files examined and the errors
//! (a configuration that cannot be parsed is an error, never a pass).
//!
//! Each check is split in two: a load ([`load_config`], [`load_nginx`],
//! [`openssl_conf::load`], [`embedded::load_header`]) that reads the file and what it
//! includes, policy-free, and a judgement ([`judge`], [`judge_nginx`], [`judge_openssl`],
//! [`judge_stack_header`]) that reads no file. The scanner loads once when it opens a build
//! and judges per rule; `check_*` run both, for a directory on disk.
//!
//! Discovery (paths relative to the root):
//! * nginx: `etc/nginx/nginx.conf`, `usr/local/nginx/conf/nginx.conf`,
//!   `usr/local/etc/nginx/nginx.conf`, `opt/nginx/conf/nginx.conf`; every TLS-enabled
//!   server (and top-level `ssl_*` settings) is assessed.
//! * OpenSSL: `etc/ssl/openssl.cnf`, `usr/lib/ssl/openssl.cnf`, `etc/pki/tls/openssl.cnf`,
//!   `usr/local/ssl/openssl.cnf`.
//! * embedded stacks: files named `mbedtls_config.h`, `user_settings.h`, or `config.h`
//!   mentioning `MBEDTLS_SSL_`, found by walking the root (no symlinks followed, depth ≤ 24,
//!   at most 200 000 entries).

use crate::cipherstring::ExpandOptions;
use crate::policy::{PolicyParams, WeaknessCode};
use crate::{ConfigError, Location, embedded, nginx, openssl_conf};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Parameters of the checks (serde: the policy fields are flattened next to `fail_on`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckParams {
    /// Policy thresholds.
    #[serde(flatten)]
    pub policy: PolicyParams,
    /// Weakness codes that make the check fail.
    pub fail_on: Vec<WeaknessCode>,
    /// OpenSSL generation whose cipher-string semantics apply.
    pub openssl_flavor: crate::cipherstring::Flavor,
}

impl Default for CheckParams {
    fn default() -> Self {
        use WeaknessCode::*;
        CheckParams {
            policy: PolicyParams::default(),
            fail_on: vec![
                ProtocolBelowMin,
                NullCipher,
                Anonymous,
                Export,
                Rc4,
                Des,
                TripleDes,
                Md5Mac,
                WeakDhGroup,
            ],
            openssl_flavor: Default::default(),
        }
    }
}

/// One failing item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CheckFinding {
    /// Weakness code.
    pub code: WeaknessCode,
    /// Offending item.
    pub item: String,
    /// Explanation (with the server/section it concerns).
    pub message: String,
    /// Where the responsible setting is (`None` when a default applies).
    pub at: Option<Location>,
}

/// Overall status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// Examined, nothing in `fail_on`.
    Pass,
    /// At least one finding.
    Fail,
    /// Nothing to examine (no such configuration in the root).
    NotApplicable,
    /// A configuration could not be read or parsed (and no finding was made).
    Error,
}

/// Result of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// Findings, sorted.
    pub findings: Vec<CheckFinding>,
    /// Files examined (system paths).
    pub examined: Vec<PathBuf>,
    /// Parse/read errors.
    pub errors: Vec<ConfigError>,
}

impl CheckOutcome {
    /// Status: Fail if any finding, else Error if any error, else Pass, or NotApplicable
    /// when nothing was examined.
    pub fn status(&self) -> CheckStatus {
        if !self.findings.is_empty() {
            CheckStatus::Fail
        } else if !self.errors.is_empty() {
            CheckStatus::Error
        } else if self.examined.is_empty() {
            CheckStatus::NotApplicable
        } else {
            CheckStatus::Pass
        }
    }
}

fn finish(mut o: CheckOutcome) -> CheckOutcome {
    o.findings.sort();
    o.findings.dedup();
    o
}

/// Asset kinds of the checks: (check name, asset kind as in the rule catalog).
pub const CHECKS: &[(&str, &str)] = &[
    ("tls.nginx", "nginx_config"),
    ("tls.openssl_conf", "openssl_config"),
    ("tls.embedded_stack", "tls_stack_config"),
];

fn empty() -> CheckOutcome {
    CheckOutcome {
        findings: vec![],
        examined: vec![],
        errors: vec![],
    }
}

/// Candidate nginx main configuration files (relative to the root).
pub const NGINX_CANDIDATES: &[&str] = &[
    "etc/nginx/nginx.conf",
    "usr/local/nginx/conf/nginx.conf",
    "usr/local/etc/nginx/nginx.conf",
    "opt/nginx/conf/nginx.conf",
];

/// Candidate openssl.cnf files (relative to the root).
pub const OPENSSL_CANDIDATES: &[&str] = &[
    "etc/ssl/openssl.cnf",
    "usr/lib/ssl/openssl.cnf",
    "etc/pki/tls/openssl.cnf",
    "usr/local/ssl/openssl.cnf",
];

/// `tls.nginx` over every candidate main configuration in `root`.
pub fn check_nginx(root: &Path, p: &CheckParams) -> CheckOutcome {
    let mut o = empty();
    for cand in NGINX_CANDIDATES {
        if root.join(cand).is_file() {
            merge(
                &mut o,
                check_nginx_config(root, &Path::new("/").join(cand), p),
            );
        }
    }
    finish(o)
}

fn merge(o: &mut CheckOutcome, x: CheckOutcome) {
    o.findings.extend(x.findings);
    o.examined.extend(x.examined);
    o.errors.extend(x.errors);
}

/// `tls.nginx` for one main configuration file (system path inside `root`): [`load_config`]
/// then [`judge_nginx`].
pub fn check_nginx_config(root: &Path, sys: &Path, p: &CheckParams) -> CheckOutcome {
    judge_nginx(&load_nginx(root, sys), p)
}

/// Load an nginx main configuration for [`judge_nginx`] (includes and DH parameters read).
pub fn load_nginx(root: &Path, sys: &Path) -> Result<nginx::LoadedNginx, ConfigError> {
    nginx::load_with_dhparams(root, sys, &nginx::NginxOptions::default())
}

/// `tls.nginx` over a configuration loaded by [`load_nginx`]: a load error is the
/// outcome's error; no file is read.
pub fn judge_nginx(
    loaded: &Result<nginx::LoadedNginx, ConfigError>,
    p: &CheckParams,
) -> CheckOutcome {
    let mut o = empty();
    let ex = ExpandOptions {
        flavor: p.openssl_flavor,
    };
    let loaded = match loaded {
        Ok(c) => c,
        Err(e) => {
            o.errors.push(e.clone());
            return o;
        }
    };
    let cfg = &loaded.config;
    o.examined.extend(cfg.files.iter().cloned());
    let mut targets: Vec<(String, &nginx::TlsSettings)> = cfg
        .servers
        .iter()
        .filter(|s| s.tls_enabled)
        .map(|s| {
            let name = s
                .server_names
                .first()
                .map(|n| n.value.clone())
                .unwrap_or_else(|| "_".into());
            (format!("server {name} ({})", s.at), &s.tls)
        })
        .collect();
    if cfg.top_level.ssl_on.as_ref().is_some_and(|s| s.value) {
        targets.push(("top level".into(), &cfg.top_level));
    }
    for (what, tls) in targets {
        let a = nginx::assess_with_dh(tls, loaded.dh(tls), &p.policy, &ex);
        // The DH parameters file could not be read (missing, a FIFO, a device, too
        // large): the DH group cannot be judged, which is an error, not a finding.
        if let crate::policy::DhParams::Unreadable(why) = &a.dh {
            let at = tls.dhparam.as_ref().and_then(|d| d.at.clone());
            o.errors.push(ConfigError::new(
                at.as_ref()
                    .map(|l| l.file.clone())
                    .unwrap_or_else(|| cfg.main_file.clone()),
                at.map(|l| l.line).unwrap_or(0),
                format!("ssl_dhparam cannot be read: {why}"),
            ));
        }
        if let Some(e) = &a.cipher_error {
            let at = tls.ciphers.at.clone();
            o.errors.push(ConfigError::new(
                at.as_ref()
                    .map(|l| l.file.clone())
                    .unwrap_or_else(|| cfg.main_file.clone()),
                at.map(|l| l.line).unwrap_or(0),
                format!("ssl_ciphers: {e}"),
            ));
        }
        for w in a
            .weaknesses
            .into_iter()
            .filter(|w| p.fail_on.contains(&w.code))
        {
            use WeaknessCode::*;
            let at = match w.code {
                ProtocolBelowMin | Tls13NotEnabled | TlcpNotAllowed => tls.protocols.at.clone(),
                WeakDhGroup | DhParamsUnverified => tls.dhparam.as_ref().and_then(|d| d.at.clone()),
                WeakEccGroup | UnknownGroup => tls.ecdh_curve.at.clone(),
                _ => tls.ciphers.at.clone(),
            };
            o.findings.push(CheckFinding {
                code: w.code,
                item: w.item,
                message: format!("{what}: {}", w.message),
                at,
            });
        }
    }
    finish(o)
}

/// `tls.openssl_conf` over every candidate openssl.cnf in `root`.
pub fn check_openssl_conf(root: &Path, p: &CheckParams) -> CheckOutcome {
    let mut o = empty();
    for cand in OPENSSL_CANDIDATES {
        if crate::rootfs::kind(root, &Path::new("/").join(cand)).is_ok_and(|k| k.is_some()) {
            merge(
                &mut o,
                check_openssl_config(root, &Path::new("/").join(cand), p),
            );
        }
    }
    finish(o)
}

/// `tls.openssl_conf` for one openssl.cnf (system path inside `root`): load then
/// [`judge_openssl`].
pub fn check_openssl_config(root: &Path, sys: &Path, p: &CheckParams) -> CheckOutcome {
    judge_openssl(sys, &openssl_conf::load(root, sys), p)
}

/// `tls.openssl_conf` over an openssl.cnf loaded by [`openssl_conf::load`] from system
/// path `sys`: a load error is the outcome's error; no file is read.
pub fn judge_openssl(
    sys: &Path,
    loaded: &Result<openssl_conf::OpensslConf, ConfigError>,
    p: &CheckParams,
) -> CheckOutcome {
    let mut o = empty();
    let ex = ExpandOptions {
        flavor: p.openssl_flavor,
    };
    let conf = match loaded {
        Ok(c) => c,
        Err(e) => {
            o.errors.push(e.clone());
            return o;
        }
    };
    o.examined.extend(conf.files.iter().cloned());
    match openssl_conf::assess(conf, &p.policy, &ex) {
        Err(e) => o.errors.push(ConfigError::new(sys, 0, e)),
        Ok(ws) => {
            let sd = conf.system_default.as_ref();
            for w in ws.into_iter().filter(|w| p.fail_on.contains(&w.code)) {
                use WeaknessCode::*;
                let at = sd.and_then(|s| match w.code {
                    ProtocolBelowMin | Tls13NotEnabled => s
                        .min_protocol
                        .as_ref()
                        .or(s.max_protocol.as_ref())
                        .and_then(|l| l.at.clone()),
                    WeakDhGroup | WeakEccGroup | UnknownGroup => {
                        s.groups.as_ref().and_then(|l| l.at.clone())
                    }
                    _ => s.cipher_string.as_ref().and_then(|l| l.at.clone()),
                });
                let at = at.or_else(|| {
                    Some(Location {
                        file: sys.to_path_buf(),
                        line: 0,
                    })
                    .filter(|_| sd.is_none())
                });
                o.findings.push(CheckFinding {
                    code: w.code,
                    item: w.item,
                    message: w.message,
                    at,
                });
            }
        }
    }
    finish(o)
}

/// Headers of embedded TLS stacks below `root` (system paths), found through the one
/// opener: links are not descended into, at most 200,000 entries and depth 24.
fn find_headers(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![(PathBuf::from("/"), 0usize)];
    let mut seen = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(names) = crate::rootfs::list_dir(root, &dir) else {
            continue;
        };
        for n in names {
            seen += 1;
            if seen > 200_000 {
                return out;
            }
            let p = dir.join(&n);
            match crate::rootfs::kind(root, &p) {
                // Only real directories: a link to a directory is resolved by kind(), so
                // refuse to descend when the entry itself is a link.
                Ok(Some(icvsec_fs::EntryType::Dir))
                    if depth < 24 && crate::rootfs::resolve(root, &p).is_ok_and(|r| r == p) =>
                {
                    stack.push((p, depth + 1));
                }
                Ok(Some(icvsec_fs::EntryType::File)) => {
                    let wanted = n == "mbedtls_config.h"
                        || n == "user_settings.h"
                        || (n == "config.h"
                            && crate::rootfs::read(root, &p, 1 << 20).is_ok_and(|b| {
                                String::from_utf8_lossy(&b).contains("MBEDTLS_SSL_")
                            }));
                    if wanted {
                        out.push(p);
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// `tls.embedded_stack`.
pub fn check_embedded_stack(root: &Path, p: &CheckParams) -> CheckOutcome {
    let mut o = CheckOutcome {
        findings: vec![],
        examined: vec![],
        errors: vec![],
    };
    for h in find_headers(root) {
        merge(&mut o, check_stack_header(root, &h, p));
    }
    finish(o)
}

/// `tls.embedded_stack` for one header (system path inside `root`): load then
/// [`judge_stack_header`].
pub fn check_stack_header(root: &Path, sys: &Path, p: &CheckParams) -> CheckOutcome {
    judge_stack_header(&embedded::load_header(root, sys), p)
}

/// `tls.embedded_stack` over a header read by [`embedded::load_header`]: a load error
/// is the outcome's error; no file is read.
pub fn judge_stack_header(
    loaded: &Result<embedded::StackHeader, ConfigError>,
    p: &CheckParams,
) -> CheckOutcome {
    let mut o = empty();
    match loaded {
        Err(e) => o.errors.push(e.clone()),
        Ok(h) => {
            let sys = h.file.clone();
            let s = embedded::analyze_header(h, &p.policy);
            o.examined.push(sys.clone());
            for w in s
                .weaknesses
                .into_iter()
                .filter(|w| p.fail_on.contains(&w.weakness.code))
            {
                o.findings.push(CheckFinding {
                    code: w.weakness.code,
                    item: w.weakness.item,
                    message: format!("{:?}: {}", s.stack, w.weakness.message),
                    at: w.at.or_else(|| {
                        Some(Location {
                            file: sys.clone(),
                            line: 0,
                        })
                    }),
                });
            }
        }
    }
    finish(o)
}

/// Which configuration a file is, for [`load_config`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigKind {
    /// nginx main configuration (`tls.nginx`).
    Nginx,
    /// openssl.cnf (`tls.openssl_conf`).
    Openssl,
    /// mbedTLS/wolfSSL configuration header (`tls.embedded_stack`).
    Embedded,
}

impl ConfigKind {
    /// Well-known locations of this kind of file in a root filesystem (relative).
    pub fn candidates(self) -> &'static [&'static str] {
        match self {
            ConfigKind::Nginx => NGINX_CANDIDATES,
            ConfigKind::Openssl => OPENSSL_CANDIDATES,
            ConfigKind::Embedded => &[],
        }
    }
}

/// A configuration file read once, policy-free: everything judging it needs, or the
/// load error (with file and line). Judge it with [`judge`] under any [`CheckParams`].
/// Shared (`Arc`): cloning is cheap, and one nginx load serves the `tls.nginx` asset and
/// the listener inventory alike.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadedConfig {
    /// nginx main configuration with its includes and DH parameters.
    Nginx(Arc<Result<nginx::LoadedNginx, ConfigError>>),
    /// openssl.cnf read from system path `sys`.
    Openssl {
        /// The system path asked for (errors of the judgement name it).
        sys: PathBuf,
        /// The configuration or the load error.
        conf: Arc<Result<openssl_conf::OpensslConf, ConfigError>>,
    },
    /// A stack configuration header.
    Embedded(Arc<Result<embedded::StackHeader, ConfigError>>),
}

/// Read the configuration of `kind` at system path `sys` inside `root` (all reads bounded,
/// links resolved inside the root; see [`crate::rootfs`]).
pub fn load_config(kind: ConfigKind, root: &Path, sys: &Path) -> LoadedConfig {
    match kind {
        ConfigKind::Nginx => LoadedConfig::Nginx(Arc::new(load_nginx(root, sys))),
        ConfigKind::Openssl => LoadedConfig::Openssl {
            sys: sys.to_path_buf(),
            conf: Arc::new(openssl_conf::load(root, sys)),
        },
        ConfigKind::Embedded => LoadedConfig::Embedded(Arc::new(embedded::load_header(root, sys))),
    }
}

/// Judge a loaded configuration under `p` (pure: no file access).
pub fn judge(loaded: &LoadedConfig, p: &CheckParams) -> CheckOutcome {
    match loaded {
        LoadedConfig::Nginx(n) => judge_nginx(n, p),
        LoadedConfig::Openssl { sys, conf } => judge_openssl(sys, conf, p),
        LoadedConfig::Embedded(h) => judge_stack_header(h, p),
    }
}

/// Dispatch by check name (`tls.nginx`, `tls.openssl_conf`, `tls.embedded_stack`);
/// `None` for another name.
pub fn run_check(name: &str, root: &Path, p: &CheckParams) -> Option<CheckOutcome> {
    match name {
        "tls.nginx" => Some(check_nginx(root, p)),
        "tls.openssl_conf" => Some(check_openssl_conf(root, p)),
        "tls.embedded_stack" => Some(check_embedded_stack(root, p)),
        _ => None,
    }
}
