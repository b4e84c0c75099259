//! Build configuration of embedded TLS stacks: mbedTLS (`mbedtls_config.h` in 3.x,
//! `config.h` in 2.x) and wolfSSL (`user_settings.h`).
//!
//! The header parser understands `#define NAME [value]`, `#undef NAME`, `//` and `/* */`
//! comments (a commented-out `//#define` is not a definition), backslash continuations and,
//! simply, conditionals: `#if 0` … (`#else`) … `#endif` disables its first branch, `#if 1`
//! its `#else` branch; any other `#if`/`#ifdef`/`#ifndef` is assumed true for both branches
//! and the definitions inside are marked `conditional`. Nothing is evaluated or executed.
//!
//! mbedTLS: the header is the complete configuration (what it does not define is off).
//! Compiled-in suites are derived from the suite table: protocol (`MBEDTLS_SSL_PROTO_*`),
//! key exchange (`MBEDTLS_KEY_EXCHANGE_*_ENABLED`), cipher module and mode (`MBEDTLS_AES_C`,
//! `MBEDTLS_CIPHER_MODE_CBC`, `MBEDTLS_GCM_C`, `MBEDTLS_CCM_C`, `MBEDTLS_CHACHAPOLY_C`,
//! `MBEDTLS_CAMELLIA_C`, `MBEDTLS_ARIA_C`, `MBEDTLS_DES_C`, `MBEDTLS_ARC4_C`,
//! `MBEDTLS_CIPHER_NULL_CIPHER`), 2.x's `MBEDTLS_REMOVE_ARC4_CIPHERSUITES` /
//! `MBEDTLS_REMOVE_3DES_CIPHERSUITES` / `MBEDTLS_ENABLE_WEAK_CIPHERSUITES` (single DES),
//! the MAC hash module, and the `MBEDTLS_SSL_CIPHERSUITES` override list.
//!
//! wolfSSL (assumptions, documented): TLS 1.2 on unless `WOLFSSL_NO_TLS12`; TLS 1.1 on
//! unless `NO_OLD_TLS`; TLS 1.0 only with `WOLFSSL_ALLOW_TLSV10` (and not `NO_OLD_TLS`);
//! SSLv3 only with `WOLFSSL_ALLOW_SSLV3`; TLS 1.3 with `WOLFSSL_TLS13`; `NO_TLS` disables
//! all. Families: RC4 unless `NO_RC4`, 3DES unless `NO_DES3`, NULL with
//! `HAVE_NULL_CIPHER`, anonymous with `HAVE_ANON`, static RSA with `WOLFSSL_STATIC_RSA`,
//! static DH with `WOLFSSL_STATIC_DH`, PSK unless `NO_PSK`, MD5 unless `NO_MD5`.

use crate::policy::{self, AssessContext, PolicyParams, Severity, Weakness};
use crate::suites::{
    self, Authentication, CipherSuite, Encryption, KeyExchange, Mac, ProtocolFamily,
};
use crate::versions::Version;
use crate::{ConfigError, Location};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// State of one macro after reading the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Define {
    /// Defined (true) or `#undef`-ed (false).
    pub defined: bool,
    /// Replacement text, if any.
    pub value: Option<String>,
    /// Where it was last defined/undefined.
    pub at: Location,
    /// Inside a conditional whose condition was not evaluated.
    pub conditional: bool,
}

/// Macros of a header (last occurrence wins).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Defines {
    /// By macro name.
    pub macros: BTreeMap<String, Define>,
}

impl Defines {
    /// Whether `name` is defined.
    pub fn is_defined(&self, name: &str) -> bool {
        self.macros.get(name).is_some_and(|d| d.defined)
    }

    /// Location of `name`'s definition/undefinition.
    pub fn at(&self, name: &str) -> Option<Location> {
        self.macros.get(name).map(|d| d.at.clone())
    }
}

/// Parse a C header's `#define`/`#undef` lines.
pub fn parse_defines(text: &str, file: &Path) -> Result<Defines, ConfigError> {
    if text.len() > 8 << 20 {
        return Err(ConfigError::new(file, 0, "header larger than 8 MiB"));
    }
    // Strip comments (keeping newlines) first.
    let mut clean = String::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    let mut in_block: Option<u32> = None;
    let mut line = 1u32;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\n' {
            line += 1;
            in_str = false;
            clean.push('\n');
            i += 1;
            continue;
        }
        if in_block.is_some() {
            if c == b'*' && b.get(i + 1) == Some(&b'/') {
                in_block = None;
                clean.push(' ');
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if c == b'"' {
            in_str = !in_str;
        }
        if !in_str && c == b'/' && b.get(i + 1) == Some(&b'*') {
            in_block = Some(line);
            i += 2;
            continue;
        }
        if !in_str && c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        clean.push(c as char);
        i += 1;
    }
    if let Some(l) = in_block {
        return Err(ConfigError::new(file, l, "unterminated /* comment"));
    }
    // (active, conditional, is_if0_style, seen_else)
    #[derive(Clone, Copy)]
    struct Frame {
        known: Option<bool>,
        in_else: bool,
        parent_active: bool,
    }
    let mut stack: Vec<Frame> = Vec::new();
    let active = |s: &Vec<Frame>| {
        s.last().is_none_or(|f| {
            f.parent_active
                && match f.known {
                    Some(v) => v != f.in_else,
                    None => true,
                }
        })
    };
    let conditional = |s: &Vec<Frame>| s.iter().any(|f| f.known.is_none());
    let mut out = Defines::default();
    let lines: Vec<&str> = clean.split('\n').collect();
    let mut idx = 0;
    while idx < lines.len() {
        let start = idx as u32 + 1;
        let mut l = lines[idx].to_string();
        while l.trim_end().ends_with('\\') && idx + 1 < lines.len() {
            let t = l.trim_end();
            l = format!("{} {}", &t[..t.len() - 1], lines[idx + 1]);
            idx += 1;
        }
        idx += 1;
        let t = l.trim();
        let Some(d) = t.strip_prefix('#') else {
            continue;
        };
        let d = d.trim_start();
        let (kw, rest) = d.split_once(|c: char| c.is_whitespace()).unwrap_or((d, ""));
        let rest = rest.trim();
        match kw {
            "if" | "ifdef" | "ifndef" => {
                let known = if kw == "if" {
                    match rest {
                        "0" => Some(false),
                        "1" => Some(true),
                        _ => None,
                    }
                } else {
                    None
                };
                let pa = active(&stack);
                stack.push(Frame {
                    known,
                    in_else: false,
                    parent_active: pa,
                });
            }
            "elif" => {
                let Some(f) = stack.last_mut() else {
                    return Err(ConfigError::new(file, start, "#elif without #if"));
                };
                f.known = None;
                f.in_else = false;
            }
            "else" => {
                let Some(f) = stack.last_mut() else {
                    return Err(ConfigError::new(file, start, "#else without #if"));
                };
                f.in_else = true;
            }
            "endif" if stack.pop().is_none() => {
                return Err(ConfigError::new(file, start, "#endif without #if"));
            }
            "define" | "undef" if active(&stack) => {
                // Name, then a parameter list directly after it (function-like macro),
                // then the replacement text.
                let name_end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let name = &rest[..name_end];
                let mut body = &rest[name_end..];
                if body.starts_with('(') {
                    body = body.find(')').map_or("", |e| &body[e + 1..]);
                }
                let value = Some(body.trim().to_string()).filter(|v| !v.is_empty());
                if name.is_empty() {
                    return Err(ConfigError::new(
                        file,
                        start,
                        format!("#{kw} without a name"),
                    ));
                }
                out.macros.insert(
                    name.to_string(),
                    Define {
                        defined: kw == "define",
                        value: if kw == "define" { value } else { None },
                        at: Location {
                            file: file.to_path_buf(),
                            line: start,
                        },
                        conditional: conditional(&stack),
                    },
                );
            }
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(ConfigError::new(
            file,
            lines.len() as u32,
            "unterminated #if",
        ));
    }
    Ok(out)
}

/// Which stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stack {
    /// mbedTLS 2.x (`config.h`).
    MbedTls2,
    /// mbedTLS 3.x (`mbedtls_config.h`).
    MbedTls3,
    /// wolfSSL (`user_settings.h`).
    WolfSsl,
}

/// Something enabled, with where it was enabled (None: on by default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enabled<T> {
    /// What.
    pub item: T,
    /// The macro(s) responsible.
    pub because: Vec<String>,
    /// Location of the (first) responsible macro, if it is in the file.
    pub at: Option<Location>,
}

/// A weakness with its location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackWeakness {
    /// The weakness (policy codes, plus `x509_check_disabled`).
    pub weakness: Weakness,
    /// Where the responsible macro is.
    pub at: Option<Location>,
}

/// Analysis of an embedded stack configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackConfig {
    /// Stack.
    pub stack: Stack,
    /// Enabled protocol versions.
    pub versions: Vec<Enabled<Version>>,
    /// Enabled suite families (e.g. "rc4", "3des", "null", "static_rsa", "psk").
    pub families: Vec<Enabled<String>>,
    /// Compiled-in suites (mbedTLS only; IANA names), ordered by code point.
    pub suites: Vec<String>,
    /// Weaknesses.
    pub weaknesses: Vec<StackWeakness>,
    /// A crypto-only build (wolfSSL `WOLFCRYPT_ONLY`; mbedTLS without the SSL module): no
    /// protocol, suite or X.509-usage findings, only build-hygiene ones (RNG, ...).
    pub crypto_only: bool,
    /// All macros read.
    pub defines: Defines,
}

fn en<T>(d: &Defines, item: T, because: &[&str]) -> Enabled<T> {
    Enabled {
        item,
        because: because.iter().map(|s| s.to_string()).collect(),
        at: because.iter().find_map(|m| d.at(m)),
    }
}

fn mbed_kx(c: &CipherSuite) -> Option<&'static str> {
    Some(match (c.kx, c.auth) {
        (KeyExchange::Rsa, Authentication::Rsa) => "MBEDTLS_KEY_EXCHANGE_RSA_ENABLED",
        (KeyExchange::Dhe, Authentication::Rsa) => "MBEDTLS_KEY_EXCHANGE_DHE_RSA_ENABLED",
        (KeyExchange::Ecdhe, Authentication::Rsa) => "MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED",
        (KeyExchange::Ecdhe, Authentication::Ecdsa) => "MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED",
        (KeyExchange::EcdhRsa, _) => "MBEDTLS_KEY_EXCHANGE_ECDH_RSA_ENABLED",
        (KeyExchange::EcdhEcdsa, _) => "MBEDTLS_KEY_EXCHANGE_ECDH_ECDSA_ENABLED",
        (KeyExchange::Psk, _) => "MBEDTLS_KEY_EXCHANGE_PSK_ENABLED",
        (KeyExchange::DhePsk, _) => "MBEDTLS_KEY_EXCHANGE_DHE_PSK_ENABLED",
        (KeyExchange::EcdhePsk, _) => "MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED",
        (KeyExchange::RsaPsk, _) => "MBEDTLS_KEY_EXCHANGE_RSA_PSK_ENABLED",
        _ => return None,
    })
}

fn mbed_cipher_ok(d: &Defines, c: &CipherSuite, v2: bool) -> bool {
    let on = |m: &str| d.is_defined(m);
    let cbc = on("MBEDTLS_CIPHER_MODE_CBC");
    use Encryption::*;
    match c.enc {
        Null => on("MBEDTLS_CIPHER_NULL_CIPHER"),
        Rc4_128 => v2 && on("MBEDTLS_ARC4_C") && !on("MBEDTLS_REMOVE_ARC4_CIPHERSUITES"),
        DesCbc => v2 && on("MBEDTLS_DES_C") && cbc && on("MBEDTLS_ENABLE_WEAK_CIPHERSUITES"),
        TripleDesCbc => on("MBEDTLS_DES_C") && cbc && !on("MBEDTLS_REMOVE_3DES_CIPHERSUITES") && v2,
        Aes128Cbc | Aes256Cbc => on("MBEDTLS_AES_C") && cbc,
        Aes128Gcm | Aes256Gcm => on("MBEDTLS_AES_C") && on("MBEDTLS_GCM_C"),
        Aes128Ccm | Aes256Ccm | Aes128Ccm8 | Aes256Ccm8 => {
            on("MBEDTLS_AES_C") && on("MBEDTLS_CCM_C")
        }
        Camellia128Cbc | Camellia256Cbc => on("MBEDTLS_CAMELLIA_C") && cbc,
        Aria128Gcm | Aria256Gcm => on("MBEDTLS_ARIA_C") && on("MBEDTLS_GCM_C"),
        ChaCha20Poly1305 => on("MBEDTLS_CHACHAPOLY_C"),
        _ => false,
    }
}

fn mbed_mac_ok(d: &Defines, c: &CipherSuite) -> bool {
    match c.mac {
        Mac::Md5 => d.is_defined("MBEDTLS_MD5_C"),
        Mac::Sha1 => d.is_defined("MBEDTLS_SHA1_C"),
        Mac::Sha256 => d.is_defined("MBEDTLS_SHA256_C"),
        Mac::Sha384 => d.is_defined("MBEDTLS_SHA512_C") || d.is_defined("MBEDTLS_SHA384_C"),
        Mac::Aead => true,
        Mac::Sm3 => false,
    }
}

fn locate(ws: Vec<Weakness>, f: impl Fn(&Weakness) -> Option<Location>) -> Vec<StackWeakness> {
    ws.into_iter()
        .map(|w| StackWeakness {
            at: f(&w),
            weakness: w,
        })
        .collect()
}

/// Analyse an mbedTLS configuration header. `major` is 2 or 3; `None` guesses from the
/// content (`MBEDTLS_SSL_PROTO_TLS1_3` or the absence of 2.x-only macros → 3).
pub fn analyze_mbedtls(defs: Defines, major: Option<u8>, params: &PolicyParams) -> StackConfig {
    let crypto_only = mbedtls_crypto_only(&defs);
    let v3 = match major {
        Some(m) => m >= 3,
        None => {
            defs.macros.contains_key("MBEDTLS_SSL_PROTO_TLS1_3")
                || !(defs.macros.contains_key("MBEDTLS_SSL_PROTO_TLS1")
                    || defs.macros.contains_key("MBEDTLS_ARC4_C")
                    || defs.macros.contains_key("MBEDTLS_SSL_PROTO_SSL3")
                    || defs.macros.contains_key("MBEDTLS_REMOVE_3DES_CIPHERSUITES"))
        }
    };
    let mut versions = Vec::new();
    let mut proto = |m: &str, v: Version, only2: bool| {
        if !crypto_only && defs.is_defined(m) && (!only2 || !v3) {
            versions.push(en(&defs, v, &[m]));
        }
    };
    proto("MBEDTLS_SSL_PROTO_SSL3", Version::Ssl3, true);
    proto("MBEDTLS_SSL_PROTO_TLS1", Version::Tls10, true);
    proto("MBEDTLS_SSL_PROTO_TLS1_1", Version::Tls11, true);
    proto("MBEDTLS_SSL_PROTO_TLS1_2", Version::Tls12, false);
    proto("MBEDTLS_SSL_PROTO_TLS1_3", Version::Tls13, false);
    proto(
        "MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL",
        Version::Tls13,
        true,
    );
    let vs: Vec<Version> = versions.iter().map(|e| e.item).collect();
    let override_list: Option<Vec<String>> = defs
        .macros
        .get("MBEDTLS_SSL_CIPHERSUITES")
        .filter(|d| d.defined)
        .map(|d| {
            d.value
                .clone()
                .unwrap_or_default()
                .split(',')
                .map(|s| {
                    s.trim()
                        .trim_start_matches("MBEDTLS_")
                        .replace("TLS1_3_", "TLS_")
                })
                .filter(|s| !s.is_empty())
                .collect()
        });
    let mut compiled: Vec<&'static CipherSuite> = suites::all()
        .iter()
        .filter(|c| match c.family {
            ProtocolFamily::Tls13 => {
                vs.contains(&Version::Tls13)
                    && c.openssl.availability != suites::OpensslAvailability::NotInOpenssl
                    && mbed_cipher_ok(&defs, c, !v3)
            }
            ProtocolFamily::Tlcp => false,
            _ => {
                vs.iter().any(|v| c.usable_with(*v))
                    && mbed_kx(c).is_some_and(|m| defs.is_defined(m))
                    && mbed_cipher_ok(&defs, c, !v3)
                    && mbed_mac_ok(&defs, c)
            }
        })
        .collect();
    if let Some(list) = &override_list {
        compiled.retain(|c| list.iter().any(|n| n.eq_ignore_ascii_case(&c.iana_name)));
    }
    let mut families = Vec::new();
    let mut fam = |name: &str, pred: &dyn Fn(&CipherSuite) -> bool, macros: &[&str]| {
        if compiled.iter().any(|c| pred(c)) {
            families.push(en(&defs, name.to_string(), macros));
        }
    };
    fam("rc4", &|c| c.flags.rc4, &["MBEDTLS_ARC4_C"]);
    fam(
        "des",
        &|c| c.flags.des,
        &["MBEDTLS_ENABLE_WEAK_CIPHERSUITES", "MBEDTLS_DES_C"],
    );
    fam("3des", &|c| c.flags.triple_des, &["MBEDTLS_DES_C"]);
    fam("null", &|c| c.flags.null, &["MBEDTLS_CIPHER_NULL_CIPHER"]);
    fam("cbc", &|c| c.flags.cbc, &["MBEDTLS_CIPHER_MODE_CBC"]);
    fam(
        "static_rsa",
        &|c| c.kx == KeyExchange::Rsa,
        &["MBEDTLS_KEY_EXCHANGE_RSA_ENABLED"],
    );
    fam(
        "psk",
        &|c| c.flags.psk,
        &[
            "MBEDTLS_KEY_EXCHANGE_PSK_ENABLED",
            "MBEDTLS_KEY_EXCHANGE_DHE_PSK_ENABLED",
            "MBEDTLS_KEY_EXCHANGE_ECDHE_PSK_ENABLED",
            "MBEDTLS_KEY_EXCHANGE_RSA_PSK_ENABLED",
        ],
    );
    fam(
        "aead",
        &|c| c.flags.aead,
        &["MBEDTLS_GCM_C", "MBEDTLS_CCM_C", "MBEDTLS_CHACHAPOLY_C"],
    );
    let owned: Vec<CipherSuite> = compiled.iter().map(|c| (*c).clone()).collect();
    let ws = if crypto_only {
        Vec::new()
    } else {
        policy::assess(
            &vs,
            &owned,
            &[],
            &AssessContext {
                params: params.clone(),
                dh: Default::default(),
            },
        )
    };
    let d2 = defs.clone();
    let mut weaknesses = locate(ws, |w| {
        use policy::WeaknessCode::*;
        let m = match w.code {
            ProtocolBelowMin => match w.item.as_str() {
                "SSLv3" => "MBEDTLS_SSL_PROTO_SSL3",
                "TLSv1" => "MBEDTLS_SSL_PROTO_TLS1",
                _ => "MBEDTLS_SSL_PROTO_TLS1_1",
            },
            Rc4 => "MBEDTLS_ARC4_C",
            Des | TripleDes => "MBEDTLS_DES_C",
            NullCipher => "MBEDTLS_CIPHER_NULL_CIPHER",
            NotAead => "MBEDTLS_CIPHER_MODE_CBC",
            NoForwardSecrecy => {
                let c = suites::lookup(&w.item);
                return c.and_then(mbed_kx).and_then(|m| d2.at(m));
            }
            _ => "MBEDTLS_SSL_CIPHERSUITES",
        };
        d2.at(m)
    });
    for (m, what) in [
        ("MBEDTLS_X509_CHECK_KEY_USAGE", "key usage"),
        (
            "MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE",
            "extended key usage",
        ),
    ] {
        // Key-usage checks matter where peer certificates are verified: TLS, or an X.509
        // parser a crypto-only build still compiles.
        let verifies = !crypto_only || defs.is_defined("MBEDTLS_X509_CRT_PARSE_C");
        if verifies && !defs.is_defined(m) {
            weaknesses.push(StackWeakness {
                weakness: Weakness {
                    code: policy::WeaknessCode::X509CheckDisabled,
                    severity: Severity::Medium,
                    item: m.into(),
                    message: format!("{m} is not defined: certificate {what} is not checked"),
                },
                at: defs.at(m),
            });
        }
    }
    weaknesses.extend(mbedtls_hygiene(&defs, crypto_only));
    StackConfig {
        stack: if v3 { Stack::MbedTls3 } else { Stack::MbedTls2 },
        versions,
        families,
        suites: compiled.iter().map(|c| c.iana_name.clone()).collect(),
        weaknesses,
        crypto_only,
        defines: defs,
    }
}

/// Analyse a wolfSSL `user_settings.h` (see the module documentation for the assumptions).
pub fn analyze_wolfssl(defs: Defines, params: &PolicyParams) -> StackConfig {
    let on = |m: &str| defs.is_defined(m);
    let crypto_only = on("WOLFCRYPT_ONLY");
    let mut versions = Vec::new();
    if !on("NO_TLS") && !crypto_only {
        if on("WOLFSSL_ALLOW_SSLV3") && !on("NO_OLD_TLS") {
            versions.push(en(&defs, Version::Ssl3, &["WOLFSSL_ALLOW_SSLV3"]));
        }
        if on("WOLFSSL_ALLOW_TLSV10") && !on("NO_OLD_TLS") {
            versions.push(en(&defs, Version::Tls10, &["WOLFSSL_ALLOW_TLSV10"]));
        }
        if !on("NO_OLD_TLS") {
            versions.push(en(&defs, Version::Tls11, &["NO_OLD_TLS"]));
        }
        if !on("WOLFSSL_NO_TLS12") {
            versions.push(en(&defs, Version::Tls12, &["WOLFSSL_NO_TLS12"]));
        }
        if on("WOLFSSL_TLS13") {
            versions.push(en(&defs, Version::Tls13, &["WOLFSSL_TLS13"]));
        }
    }
    // Absent "NO_*" macros have no location: mark `at` only when the macro is in the file.
    for v in &mut versions {
        if v.because.iter().all(|m| !on(m)) && v.item != Version::Tls13 {
            v.at = None;
        }
    }
    let mut families = Vec::new();
    let mut fam = |name: &str, enabled: bool, m: &str| {
        if enabled && !crypto_only {
            let mut e = en(&defs, name.to_string(), &[m]);
            if !on(m) {
                e.at = None;
            }
            families.push(e);
        }
    };
    fam("rc4", !on("NO_RC4"), "NO_RC4");
    fam("3des", !on("NO_DES3"), "NO_DES3");
    fam("null", on("HAVE_NULL_CIPHER"), "HAVE_NULL_CIPHER");
    fam("anonymous", on("HAVE_ANON"), "HAVE_ANON");
    fam("static_rsa", on("WOLFSSL_STATIC_RSA"), "WOLFSSL_STATIC_RSA");
    fam("static_dh", on("WOLFSSL_STATIC_DH"), "WOLFSSL_STATIC_DH");
    // Non-ephemeral PSK suites are only built with WOLFSSL_STATIC_PSK (and PSK on).
    fam(
        "static_psk",
        on("WOLFSSL_STATIC_PSK") && !on("NO_PSK"),
        "WOLFSSL_STATIC_PSK",
    );
    fam("psk", !on("NO_PSK"), "NO_PSK");
    fam("md5", !on("NO_MD5"), "NO_MD5");
    fam("aesgcm", on("HAVE_AESGCM"), "HAVE_AESGCM");
    fam(
        "chacha20_poly1305",
        on("HAVE_CHACHA") && on("HAVE_POLY1305"),
        "HAVE_CHACHA",
    );
    let vs: Vec<Version> = versions.iter().map(|e| e.item).collect();
    let mut ws = if crypto_only {
        Vec::new()
    } else {
        policy::assess(
            &vs,
            &[],
            &[],
            &AssessContext {
                params: params.clone(),
                dh: Default::default(),
            },
        )
    };
    // No suite list for wolfSSL: drop the suite-based "no cipher match" and judge families.
    ws.retain(|w| w.code != policy::WeaknessCode::NoCipherMatch);
    let has_tls = vs.iter().any(|v| v.tls_rank().is_some_and(|r| r <= 4));
    let fam_on = |n: &str| families.iter().any(|f| f.item == n);
    let mut add = |code, sev, item: &str, msg: &str| {
        ws.push(Weakness {
            code,
            severity: sev,
            item: item.into(),
            message: msg.into(),
        });
    };
    use policy::WeaknessCode as W;
    if has_tls {
        if fam_on("rc4") {
            add(
                W::Rc4,
                Severity::High,
                "NO_RC4",
                "RC4 suites are compiled in (NO_RC4 not defined)",
            );
        }
        if fam_on("3des") {
            add(
                W::TripleDes,
                Severity::Medium,
                "NO_DES3",
                "3DES suites are compiled in (NO_DES3 not defined)",
            );
        }
        if fam_on("null") {
            add(
                W::NullCipher,
                Severity::Critical,
                "HAVE_NULL_CIPHER",
                "NULL-cipher suites are compiled in",
            );
        }
        if fam_on("anonymous") {
            add(
                W::Anonymous,
                Severity::Critical,
                "HAVE_ANON",
                "anonymous suites are compiled in",
            );
        }
        if fam_on("static_rsa") || fam_on("static_dh") {
            add(
                W::NoForwardSecrecy,
                Severity::Medium,
                if fam_on("static_rsa") {
                    "WOLFSSL_STATIC_RSA"
                } else {
                    "WOLFSSL_STATIC_DH"
                },
                "static RSA/DH key exchange is compiled in",
            );
        }
        if fam_on("static_psk") {
            add(
                W::NoForwardSecrecy,
                Severity::Medium,
                "WOLFSSL_STATIC_PSK",
                "plain (non-ephemeral) PSK suites are compiled in",
            );
        }
    }
    let d2 = defs.clone();
    let mut weaknesses = locate(ws, |w| {
        use policy::WeaknessCode::*;
        match w.code {
            ProtocolBelowMin => match w.item.as_str() {
                "SSLv3" => d2.at("WOLFSSL_ALLOW_SSLV3"),
                "TLSv1" => d2.at("WOLFSSL_ALLOW_TLSV10"),
                _ => d2.at("NO_OLD_TLS"),
            },
            NoForwardSecrecy => d2.at(&w.item),
            Tls13NotEnabled => d2.at("WOLFSSL_TLS13"),
            _ => d2.at(&w.item),
        }
    });
    weaknesses.extend(wolfssl_hygiene(&defs, crypto_only));
    StackConfig {
        stack: Stack::WolfSsl,
        versions,
        families,
        suites: Vec::new(),
        weaknesses,
        crypto_only,
        defines: defs,
    }
}

/// mbedTLS without its SSL module: `MBEDTLS_SSL_TLS_C` explicitly `#undef`-ed, or a
/// header naming no SSL module (`MBEDTLS_SSL_TLS_C`/`_CLI_C`/`_SRV_C`) and no protocol
/// version. A header that defines protocol versions is judged as a TLS build even without
/// `MBEDTLS_SSL_TLS_C` (vendor trees often hold excerpts of the configuration).
pub fn mbedtls_crypto_only(d: &Defines) -> bool {
    if d.macros
        .get("MBEDTLS_SSL_TLS_C")
        .is_some_and(|m| !m.defined)
    {
        return true;
    }
    let ssl = [
        "MBEDTLS_SSL_TLS_C",
        "MBEDTLS_SSL_CLI_C",
        "MBEDTLS_SSL_SRV_C",
    ]
    .iter()
    .any(|m| d.is_defined(m));
    let proto = d
        .macros
        .iter()
        .any(|(k, v)| v.defined && k.starts_with("MBEDTLS_SSL_PROTO_"));
    !ssl && !proto
}

fn hygiene(
    d: &Defines,
    code: policy::WeaknessCode,
    severity: Severity,
    m: &str,
    message: String,
) -> StackWeakness {
    StackWeakness {
        weakness: Weakness {
            code,
            severity,
            item: m.to_string(),
            message,
        },
        at: d.at(m),
    }
}

/// A replacement text that is a constant: a number, a character literal, or either in
/// parentheses / after a cast, e.g. `4`, `(0)`, `((word32)0x42)`, `'a'`.
fn is_constant_expr(v: &str) -> bool {
    let mut t: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    // Peel parentheses and casts until nothing changes.
    loop {
        let before = t.clone();
        if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
            t = inner.to_string();
        }
        if t.starts_with('(')
            && let Some(end) = t.find(')')
        {
            let cast = &t[1..end];
            if !cast.is_empty()
                && cast
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '*')
            {
                t = t[end + 1..].to_string();
            }
        }
        if t == before {
            break;
        }
    }
    let num = t.trim_end_matches(['u', 'U', 'l', 'L']);
    (!num.is_empty()
        && (num.chars().all(|c| c.is_ascii_digit())
            || num
                .strip_prefix("0x")
                .or_else(|| num.strip_prefix("0X"))
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))))
        || (t.len() >= 3 && t.starts_with('\'') && t.ends_with('\''))
}

/// Build hygiene of mbedTLS: RNG/entropy, truncated HMAC, certificate parsing leniency.
fn mbedtls_hygiene(d: &Defines, crypto_only: bool) -> Vec<StackWeakness> {
    use policy::WeaknessCode as W;
    let on = |m: &str| d.is_defined(m);
    let mut out = Vec::new();
    if on("MBEDTLS_TEST_NULL_ENTROPY") {
        out.push(hygiene(
            d,
            W::InsecureRng,
            Severity::Critical,
            "MBEDTLS_TEST_NULL_ENTROPY",
            "MBEDTLS_TEST_NULL_ENTROPY is defined: the entropy pool is fed a null (test-only) source, so keys and nonces are predictable".into(),
        ));
    }
    if on("MBEDTLS_NO_PLATFORM_ENTROPY")
        && !on("MBEDTLS_ENTROPY_HARDWARE_ALT")
        && !on("MBEDTLS_ENTROPY_NV_SEED")
        && !on("MBEDTLS_TEST_NULL_ENTROPY")
    {
        out.push(hygiene(
            d,
            W::InsecureRng,
            Severity::High,
            "MBEDTLS_NO_PLATFORM_ENTROPY",
            "MBEDTLS_NO_PLATFORM_ENTROPY is defined without MBEDTLS_ENTROPY_HARDWARE_ALT or MBEDTLS_ENTROPY_NV_SEED: no strong entropy source is built in (the application must add one with mbedtls_entropy_add_source)".into(),
        ));
    }
    if !crypto_only && on("MBEDTLS_SSL_TRUNCATED_HMAC") {
        out.push(hygiene(
            d,
            W::TruncatedHmac,
            Severity::Medium,
            "MBEDTLS_SSL_TRUNCATED_HMAC",
            "MBEDTLS_SSL_TRUNCATED_HMAC is defined: peers may negotiate 80-bit record MACs (RFC 6066 truncated_hmac, withdrawn by RFC 8446 era guidance)".into(),
        ));
    }
    let verifies = !crypto_only || on("MBEDTLS_X509_CRT_PARSE_C");
    if verifies {
        for (m, why) in [
            (
                "MBEDTLS_X509_ALLOW_UNSUPPORTED_CRITICAL_EXTENSION",
                "certificates with unknown critical extensions are accepted instead of rejected",
            ),
            (
                "MBEDTLS_X509_ALLOW_EXTENSIONS_NON_V3",
                "extensions in v1/v2 certificates are accepted",
            ),
            (
                "MBEDTLS_TLS_DEFAULT_ALLOW_SHA1_IN_CERTIFICATES",
                "SHA-1 signed certificates are accepted by default",
            ),
        ] {
            if on(m) {
                out.push(hygiene(
                    d,
                    W::CertCheckWeakened,
                    Severity::Medium,
                    m,
                    format!("{m} is defined: {why}"),
                ));
            }
        }
    }
    out
}

/// Build hygiene of wolfSSL: test seed and RNG stubs, truncated HMAC, certificate checks.
fn wolfssl_hygiene(d: &Defines, crypto_only: bool) -> Vec<StackWeakness> {
    use policy::WeaknessCode as W;
    let on = |m: &str| d.is_defined(m);
    let mut out = Vec::new();
    if on("WOLFSSL_GENSEED_FORTEST") {
        out.push(hygiene(
            d,
            W::InsecureRng,
            Severity::Critical,
            "WOLFSSL_GENSEED_FORTEST",
            "WOLFSSL_GENSEED_FORTEST is defined: the DRBG is seeded with a fixed test pattern (wolfSSL marks it \"not for production\")".into(),
        ));
    }
    for m in [
        "CUSTOM_RAND_GENERATE",
        "CUSTOM_RAND_GENERATE_BLOCK",
        "CUSTOM_RAND_GENERATE_SEED",
    ] {
        if let Some(def) = d.macros.get(m).filter(|x| x.defined)
            && let Some(v) = &def.value
            && is_constant_expr(v)
        {
            out.push(hygiene(
                d,
                W::InsecureRng,
                Severity::Critical,
                m,
                format!("{m} is defined as the constant `{v}`: random numbers (or the DRBG seed) are a constant"),
            ));
        }
    }
    if !crypto_only && on("HAVE_TRUNCATED_HMAC") {
        out.push(hygiene(
            d,
            W::TruncatedHmac,
            Severity::Medium,
            "HAVE_TRUNCATED_HMAC",
            "HAVE_TRUNCATED_HMAC is defined: peers may negotiate 80-bit record MACs".into(),
        ));
    }
    for (m, why, tls_only) in [
        (
            "WOLFSSL_NO_VERIFYSERVER",
            "the client is built not to verify the server certificate",
            true,
        ),
        (
            "NO_ASN_TIME",
            "certificate validity dates are not checked",
            false,
        ),
        (
            "IGNORE_NAME_CONSTRAINTS",
            "name constraints of CA certificates are not enforced",
            false,
        ),
    ] {
        if on(m) && !(tls_only && crypto_only) && !(crypto_only && on("NO_ASN")) {
            out.push(hygiene(
                d,
                W::CertCheckWeakened,
                Severity::High,
                m,
                format!("{m} is defined: {why}"),
            ));
        }
    }
    out
}

/// Which analysis a header gets, decided when it is read (by file name and content).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderFamily {
    /// mbedTLS; `major` 3 for `mbedtls_config.h`, `None` to guess from the macros.
    MbedTls {
        /// Major version when the file name tells it.
        major: Option<u8>,
    },
    /// wolfSSL.
    WolfSsl,
}

/// A stack configuration header as read: its macros and family, before any policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackHeader {
    /// System path of the header (as shown in locations).
    pub file: PathBuf,
    /// Which stack the header configures.
    pub family: HeaderFamily,
    /// The macros read.
    pub defines: Defines,
}

/// Parse a header text (policy-free): the stack is chosen by file name
/// (`mbedtls_config.h` → mbedTLS 3, `user_settings.h` → wolfSSL, another name → mbedTLS
/// if the text mentions `MBEDTLS_`, else wolfSSL if it mentions `WOLFSSL` or
/// `NO_OLD_TLS`); any other header is an error.
pub fn parse_header(text: &str, display: &Path) -> Result<StackHeader, ConfigError> {
    let defines = parse_defines(text, display)?;
    let name = display
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let family = match name.as_str() {
        "mbedtls_config.h" => HeaderFamily::MbedTls { major: Some(3) },
        "user_settings.h" => HeaderFamily::WolfSsl,
        _ if text.contains("MBEDTLS_") => HeaderFamily::MbedTls { major: None },
        _ if text.contains("WOLFSSL") || text.contains("NO_OLD_TLS") => HeaderFamily::WolfSsl,
        _ => {
            return Err(ConfigError::new(
                display,
                0,
                "not an mbedTLS or wolfSSL configuration header",
            ));
        }
    };
    Ok(StackHeader {
        file: display.to_path_buf(),
        family,
        defines,
    })
}

/// Read a header inside a scanned tree (at most 8 MiB) and parse it ([`parse_header`]).
/// `display` is the system path, shown in locations.
pub fn load_header(root: &Path, display: &Path) -> Result<StackHeader, ConfigError> {
    let bytes = crate::rootfs::read(root, display, 8 << 20)
        .map_err(|e| ConfigError::new(display, 0, format!("cannot read {e}")))?;
    parse_header(&String::from_utf8_lossy(&bytes), display)
}

/// Judge a header read by [`load_header`] under a policy (no file access).
pub fn analyze_header(h: &StackHeader, params: &PolicyParams) -> StackConfig {
    match h.family {
        HeaderFamily::MbedTls { major } => analyze_mbedtls(h.defines.clone(), major, params),
        HeaderFamily::WolfSsl => analyze_wolfssl(h.defines.clone(), params),
    }
}

/// Read and analyse a header inside a scanned tree: [`load_header`] then
/// [`analyze_header`]. `display` is the path shown in locations.
pub fn analyze_file(
    root: &Path,
    display: &Path,
    params: &PolicyParams,
) -> Result<StackConfig, ConfigError> {
    load_header(root, display).map(|h| analyze_header(&h, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn define_parser() {
        let t = "#define A\n//#define B\n/* #define C\n */\n#if 0\n#define D\n#else\n#define E 1\n#endif\n#ifdef X\n#define F\n#endif\n#define G \\\n  2\n#undef A\n  #  define H(x) x\n";
        let d = parse_defines(t, Path::new("/c.h")).unwrap();
        assert!(!d.is_defined("A"));
        assert_eq!(d.at("A").unwrap().line, 15);
        assert!(!d.macros.contains_key("B"));
        assert!(!d.macros.contains_key("C"));
        assert!(!d.macros.contains_key("D"));
        assert_eq!(d.macros["E"].value.as_deref(), Some("1"));
        assert!(d.macros["F"].conditional);
        assert_eq!(d.macros["G"].value.as_deref(), Some("2"));
        assert_eq!(d.macros["G"].at.line, 13);
        assert!(d.is_defined("H"));
        assert!(parse_defines("#if 0\n", Path::new("/c.h")).is_err());
        assert!(parse_defines("#endif\n", Path::new("/c.h")).is_err());
        assert!(parse_defines("/* x", Path::new("/c.h")).is_err());
    }
}
