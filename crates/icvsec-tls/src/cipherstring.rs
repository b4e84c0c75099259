//! Expansion of OpenSSL cipher strings (`ssl_ciphers`, `CipherString`, `SSL_CTX_set_cipher_list`)
//! with OpenSSL 3's own semantics, returning the ordered list of TLS ≤ 1.2 suites.
//!
//! The engine mirrors OpenSSL 3.0's `ssl_create_cipher_list`:
//!
//! 1. the candidate list is pre-sorted by OpenSSL's built-in preference rules (ECDHE+ECDSA,
//!    other ECDHE, AES-GCM, ChaCha20, other AES, the rest; MD5, anonymous, static RSA, PSK
//!    and RC4 moved down; stable sort by strength bits; then TLS 1.2-only, AEAD, (EC)DHE
//!    and (EC)DHE+AEAD bumped to the front), and every suite starts inactive;
//! 2. the string is split into items at `:`, `,`, `;` or space; an item is an optional
//!    operator (`!` kill for good, `-` delete (may be re-added), `+` move to the end,
//!    `@` special) followed by one or more words joined with `+` (intersection);
//! 3. a plain item appends the matching inactive suites at the end, in current order;
//!    `-` moves the matching active suites to the front of the inactive pool (so a later
//!    re-add puts them where they were); unknown words make the item a no-op;
//! 4. `@STRENGTH` sorts the active suites by strength bits (stable), `@SECLEVEL=n` records
//!    the security level; `DEFAULT` is only recognised as the first word and expands to
//!    `ALL:!COMPLEMENTOFDEFAULT:!eNULL`.
//!
//! Universe: the suites in OpenSSL 3's cipher table ([`OpensslAvailability::OpenSsl3`]),
//! including RC4, 3DES, IDEA and SEED although a given build may compile them out or need
//! the legacy provider (a configuration that names them is still a weak configuration).
//! [`Flavor::OpenSsl102`] adds the suites removed in 1.1.0 (export, single DES, static
//! DH/ECDH, Kerberos) and the 1.0.2 aliases (`EXP`, `EXPORT`, `DES`, `kDHr`, `aDH`, …), with
//! 1.0.2's `DEFAULT` and strength classes, but keeps OpenSSL 3's ordering (an approximation).
//!
//! Ciphers are matched by name case-sensitively, as OpenSSL does.

use crate::suites::{
    self, Authentication, CipherSuite, Encryption, KeyExchange, Mac, OpensslAvailability,
    ProtocolFamily, Strength,
};
use crate::versions::Version;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Which OpenSSL generation's semantics to use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavor {
    /// OpenSSL 1.1.x / 3.x (default).
    #[default]
    OpenSsl3,
    /// OpenSSL 1.0.2 membership semantics (ordering as OpenSSL 3; approximate).
    OpenSsl102,
}

/// Options of [`expand_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpandOptions {
    /// OpenSSL generation.
    pub flavor: Flavor,
}

/// Result of a cipher-string expansion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expansion {
    /// The active suites, in OpenSSL's preference order (TLS ≤ 1.2 only).
    pub suites: Vec<CipherSuite>,
    /// `@SECLEVEL=n`, if the string set it.
    pub sec_level: Option<u8>,
    /// Words OpenSSL does not know (the items containing them were ignored).
    pub unknown_words: Vec<String>,
}

impl Expansion {
    /// OpenSSL names of the suites, in order.
    pub fn names(&self) -> Vec<String> {
        self.suites
            .iter()
            .map(|c| c.display_name().to_string())
            .collect()
    }

    /// Code points of the suites, in order.
    pub fn codes(&self) -> Vec<u16> {
        self.suites.iter().map(|c| c.code).collect()
    }

    /// The suites OpenSSL 3 would still negotiate at security level `level`
    /// (level 1: ≥ 80 bits, no MD5 MAC; 2: ≥ 112 bits, no RC4; 3: ≥ 128 bits and forward
    /// secrecy; 4: ≥ 192 bits, no SHA-1 MAC; 5: ≥ 256 bits).
    pub fn usable_at_sec_level(&self, level: u8) -> Vec<CipherSuite> {
        self.suites
            .iter()
            .filter(|c| sec_level_allows(c, level))
            .cloned()
            .collect()
    }
}

/// Whether OpenSSL 3's default security callback allows the suite at `level`.
pub fn sec_level_allows(c: &CipherSuite, level: u8) -> bool {
    let minbits = match level {
        0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    };
    if c.enc.strength_bits() < minbits {
        return false;
    }
    if level >= 1 && c.mac == Mac::Md5 {
        return false;
    }
    if level >= 2 && c.flags.rc4 {
        return false;
    }
    if level >= 3 && !c.flags.forward_secrecy {
        return false;
    }
    if level >= 4 && c.mac == Mac::Sha1 {
        return false;
    }
    true
}

/// A malformed cipher string (OpenSSL would reject it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("invalid cipher string at byte {offset}: {message}")]
pub struct CipherStringError {
    /// Byte offset in the string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

// --- masks (our own bit assignment, same structure as OpenSSL's) ---
const K_RSA: u32 = 1;
const K_DHR: u32 = 2;
const K_DHD: u32 = 4;
const K_DHE: u32 = 8;
const K_KRB5: u32 = 0x10;
const K_ECDHR: u32 = 0x20;
const K_ECDHE_STATIC: u32 = 0x40;
const K_ECDHE: u32 = 0x80;
const K_PSK: u32 = 0x100;
const K_RSAPSK: u32 = 0x200;
const K_ECDHEPSK: u32 = 0x400;
const K_DHEPSK: u32 = 0x800;
const K_SRP: u32 = 0x1000;
const K_ANYPSK: u32 = K_PSK | K_RSAPSK | K_ECDHEPSK | K_DHEPSK;

const A_RSA: u32 = 1;
const A_DSS: u32 = 2;
const A_NULL: u32 = 4;
const A_DH: u32 = 8;
const A_ECDH: u32 = 0x10;
const A_KRB5: u32 = 0x20;
const A_ECDSA: u32 = 0x40;
const A_PSK: u32 = 0x80;
const A_SRP: u32 = 0x100;

const E_DES: u32 = 1;
const E_3DES: u32 = 2;
const E_RC4: u32 = 4;
const E_RC2: u32 = 8;
const E_IDEA: u32 = 0x10;
const E_NULL: u32 = 0x20;
const E_AES128: u32 = 0x40;
const E_AES256: u32 = 0x80;
const E_CAM128: u32 = 0x100;
const E_CAM256: u32 = 0x200;
const E_SEED: u32 = 0x800;
const E_AES128GCM: u32 = 0x1000;
const E_AES256GCM: u32 = 0x2000;
const E_AES128CCM: u32 = 0x4000;
const E_AES256CCM: u32 = 0x8000;
const E_AES128CCM8: u32 = 0x10000;
const E_AES256CCM8: u32 = 0x20000;
const E_CHACHA: u32 = 0x80000;
const E_ARIA128GCM: u32 = 0x100000;
const E_ARIA256GCM: u32 = 0x200000;
const E_AESGCM: u32 = E_AES128GCM | E_AES256GCM;
const E_AESCCM: u32 = E_AES128CCM | E_AES256CCM | E_AES128CCM8 | E_AES256CCM8;
const E_AES: u32 = E_AES128 | E_AES256 | E_AESGCM | E_AESCCM;
const E_CAMELLIA: u32 = E_CAM128 | E_CAM256;
const E_ARIA: u32 = E_ARIA128GCM | E_ARIA256GCM;
const E_CBC: u32 =
    E_DES | E_3DES | E_RC2 | E_IDEA | E_AES128 | E_AES256 | E_CAM128 | E_CAM256 | E_SEED;

const M_MD5: u32 = 1;
const M_SHA1: u32 = 2;
const M_SHA256: u32 = 0x10;
const M_SHA384: u32 = 0x20;
const M_AEAD: u32 = 0x40;

const S_NONE: u32 = 1;
const S_LOW: u32 = 2;
const S_MEDIUM: u32 = 4;
const S_HIGH: u32 = 8;
const S_FIPS: u32 = 0x10;
const S_EXPORT: u32 = 0x40;
const S_STRONG_MASK: u32 = 0x5f;
const S_NOT_DEFAULT: u32 = 0x20;

const V_SSL3: u16 = 0x0300;
const V_TLS1: u16 = 0x0301;
const V_TLS12: u16 = 0x0303;

#[derive(Debug, Clone, Copy)]
struct Attr {
    code: u16,
    mkey: u32,
    auth: u32,
    enc: u32,
    mac: u32,
    min_tls: u16,
    strength: u32,
    strength_bits: u16,
}

fn attr_of(c: &CipherSuite, flavor: Flavor) -> Attr {
    let mkey = match c.kx {
        KeyExchange::Rsa => K_RSA,
        KeyExchange::Dhe => K_DHE,
        KeyExchange::DhRsa => K_DHR,
        KeyExchange::DhDss => K_DHD,
        KeyExchange::Ecdhe => K_ECDHE,
        KeyExchange::EcdhRsa => K_ECDHR,
        KeyExchange::EcdhEcdsa => K_ECDHE_STATIC,
        KeyExchange::Psk => K_PSK,
        KeyExchange::RsaPsk => K_RSAPSK,
        KeyExchange::DhePsk => K_DHEPSK,
        KeyExchange::EcdhePsk => K_ECDHEPSK,
        KeyExchange::Srp => K_SRP,
        KeyExchange::Krb5 => K_KRB5,
        KeyExchange::Sm2 | KeyExchange::Sm2Dhe | KeyExchange::Any => 0,
    };
    let auth = match c.auth {
        Authentication::Null => A_NULL,
        Authentication::Rsa => A_RSA,
        Authentication::Dss => A_DSS,
        Authentication::Ecdsa => A_ECDSA,
        Authentication::Psk => A_PSK,
        Authentication::Srp => A_SRP,
        Authentication::Krb5 => A_KRB5,
        Authentication::Dh => A_DH,
        Authentication::Ecdh => A_ECDH,
        Authentication::Sm2 | Authentication::Any => 0,
    };
    use Encryption::*;
    let enc = match c.enc {
        Null => E_NULL,
        Rc4_40 | Rc4_128 => E_RC4,
        Rc2Cbc40 => E_RC2,
        Des40Cbc | DesCbc => E_DES,
        TripleDesCbc => E_3DES,
        IdeaCbc => E_IDEA,
        SeedCbc => E_SEED,
        Aes128Cbc => E_AES128,
        Aes256Cbc => E_AES256,
        Aes128Gcm => E_AES128GCM,
        Aes256Gcm => E_AES256GCM,
        Aes128Ccm => E_AES128CCM,
        Aes256Ccm => E_AES256CCM,
        Aes128Ccm8 => E_AES128CCM8,
        Aes256Ccm8 => E_AES256CCM8,
        Camellia128Cbc => E_CAM128,
        Camellia256Cbc => E_CAM256,
        Aria128Gcm => E_ARIA128GCM,
        Aria256Gcm => E_ARIA256GCM,
        ChaCha20Poly1305 => E_CHACHA,
        Sm4Cbc | Sm4Gcm | Sm4Ccm => 0,
    };
    let mac = match c.mac {
        Mac::Md5 => M_MD5,
        Mac::Sha1 => M_SHA1,
        Mac::Sha256 => M_SHA256,
        Mac::Sha384 => M_SHA384,
        Mac::Aead => M_AEAD,
        Mac::Sm3 => 0,
    };
    let min_tls = match c.min_version {
        Version::Ssl3 => V_SSL3,
        Version::Tls10 => V_TLS1,
        _ => V_TLS12,
    };
    let mut strength = match (flavor, c.openssl.strength) {
        (Flavor::OpenSsl102, _) if c.enc == TripleDesCbc => S_HIGH,
        (_, Strength::None) => S_NONE,
        (_, Strength::Low) => S_LOW,
        (_, Strength::Medium) => S_MEDIUM,
        (_, Strength::High) => S_HIGH,
        (_, Strength::Export) => S_EXPORT,
    };
    if c.openssl.fips {
        strength |= S_FIPS;
    }
    let not_default = match flavor {
        Flavor::OpenSsl3 => c.openssl.not_default,
        Flavor::OpenSsl102 => c.flags.anonymous && !c.flags.null,
    };
    if not_default {
        strength |= S_NOT_DEFAULT;
    }
    Attr {
        code: c.code,
        mkey,
        auth,
        enc,
        mac,
        min_tls,
        strength,
        strength_bits: c.enc.strength_bits(),
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Pattern {
    cipher: Option<u16>,
    mkey: u32,
    auth: u32,
    enc: u32,
    mac: u32,
    min_tls: u16,
    strength: u32,
    strength_bits: Option<u16>,
}

impl Pattern {
    fn matches(&self, a: &Attr) -> bool {
        if let Some(b) = self.strength_bits {
            return a.strength_bits == b;
        }
        if let Some(id) = self.cipher
            && id != a.code
        {
            return false;
        }
        (self.mkey == 0 || self.mkey & a.mkey != 0)
            && (self.auth == 0 || self.auth & a.auth != 0)
            && (self.enc == 0 || self.enc & a.enc != 0)
            && (self.mac == 0 || self.mac & a.mac != 0)
            && (self.min_tls == 0 || self.min_tls == a.min_tls)
            && (self.strength & S_STRONG_MASK == 0
                || self.strength & S_STRONG_MASK & a.strength != 0)
            && (self.strength & S_NOT_DEFAULT == 0
                || self.strength & S_NOT_DEFAULT & a.strength != 0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Ord,
    Del,
    Bump,
    Kill,
}

#[derive(Clone)]
struct List {
    attrs: Vec<Attr>,
    order: Vec<usize>,
    active: Vec<bool>,
}

impl List {
    fn apply(&mut self, p: &Pattern, op: Op) {
        let (moved, rest): (Vec<usize>, Vec<usize>) = self.order.iter().partition(|&&i| {
            p.matches(&self.attrs[i])
                && match op {
                    Op::Add => !self.active[i],
                    Op::Ord | Op::Del | Op::Bump => self.active[i],
                    Op::Kill => true,
                }
        });
        match op {
            Op::Add => {
                for &i in &moved {
                    self.active[i] = true;
                }
                self.order = rest.into_iter().chain(moved).collect();
            }
            Op::Ord => self.order = rest.into_iter().chain(moved).collect(),
            Op::Del => {
                for &i in &moved {
                    self.active[i] = false;
                }
                self.order = moved.into_iter().chain(rest).collect();
            }
            Op::Bump => self.order = moved.into_iter().chain(rest).collect(),
            Op::Kill => {
                for &i in &moved {
                    self.active[i] = false;
                }
                self.order = rest;
            }
        }
    }

    fn strength_sort(&mut self) {
        let max = self
            .order
            .iter()
            .filter(|&&i| self.active[i])
            .map(|&i| self.attrs[i].strength_bits)
            .max();
        let Some(max) = max else { return };
        for b in (0..=max).rev() {
            let p = Pattern {
                strength_bits: Some(b),
                ..Default::default()
            };
            self.apply(&p, Op::Ord);
        }
    }
}

fn pat(mkey: u32, auth: u32, enc: u32, mac: u32) -> Pattern {
    Pattern {
        mkey,
        auth,
        enc,
        mac,
        ..Default::default()
    }
}

fn alias(name: &str, flavor: Flavor) -> Option<Pattern> {
    let p = |mkey, auth, enc, mac| Some(pat(mkey, auth, enc, mac));
    let v = |min_tls| {
        Some(Pattern {
            min_tls,
            ..Default::default()
        })
    };
    let st = |strength| {
        Some(Pattern {
            strength,
            ..Default::default()
        })
    };
    let legacy = flavor == Flavor::OpenSsl102;
    match name {
        "ALL" => p(0, 0, !E_NULL, 0),
        "COMPLEMENTOFALL" => p(0, 0, E_NULL, 0),
        "COMPLEMENTOFDEFAULT" if !legacy => st(S_NOT_DEFAULT),
        "COMPLEMENTOFDEFAULT" => p(K_DHE | K_ECDHE, A_NULL, !E_NULL, 0),
        "kRSA" => p(K_RSA, 0, 0, 0),
        "kEDH" | "kDHE" | "DH" => p(K_DHE, 0, 0, 0),
        "kEECDH" | "kECDHE" | "ECDH" => p(K_ECDHE, 0, 0, 0),
        "kPSK" => p(K_PSK, 0, 0, 0),
        "kRSAPSK" => p(K_RSAPSK, 0, 0, 0),
        "kECDHEPSK" => p(K_ECDHEPSK, 0, 0, 0),
        "kDHEPSK" => p(K_DHEPSK, 0, 0, 0),
        "kSRP" => p(K_SRP, 0, 0, 0),
        "aRSA" => p(0, A_RSA, 0, 0),
        "aDSS" | "DSS" => p(0, A_DSS, 0, 0),
        "aNULL" => p(0, A_NULL, 0, 0),
        "aECDSA" | "ECDSA" => p(0, A_ECDSA, 0, 0),
        "aPSK" => p(0, A_PSK, 0, 0),
        "aSRP" => p(0, A_SRP, 0, 0),
        "EDH" | "DHE" => p(K_DHE, !A_NULL, 0, 0),
        "EECDH" | "ECDHE" => p(K_ECDHE, !A_NULL, 0, 0),
        "NULL" | "eNULL" => p(0, 0, E_NULL, 0),
        "RSA" => p(K_RSA, A_RSA, 0, 0),
        "ADH" => p(K_DHE, A_NULL, 0, 0),
        "AECDH" => p(K_ECDHE, A_NULL, 0, 0),
        "PSK" => p(K_ANYPSK, 0, 0, 0),
        "SRP" => p(K_SRP, 0, 0, 0),
        "3DES" => p(0, 0, E_3DES, 0),
        "RC4" => p(0, 0, E_RC4, 0),
        "RC2" => p(0, 0, E_RC2, 0),
        "IDEA" => p(0, 0, E_IDEA, 0),
        "SEED" => p(0, 0, E_SEED, 0),
        "AES128" => p(0, 0, E_AES128 | E_AES128GCM | E_AES128CCM | E_AES128CCM8, 0),
        "AES256" => p(0, 0, E_AES256 | E_AES256GCM | E_AES256CCM | E_AES256CCM8, 0),
        "AES" => p(0, 0, E_AES, 0),
        "AESGCM" => p(0, 0, E_AESGCM, 0),
        "AESCCM" => p(0, 0, E_AESCCM, 0),
        "AESCCM8" => p(0, 0, E_AES128CCM8 | E_AES256CCM8, 0),
        "CAMELLIA128" => p(0, 0, E_CAM128, 0),
        "CAMELLIA256" => p(0, 0, E_CAM256, 0),
        "CAMELLIA" => p(0, 0, E_CAMELLIA, 0),
        "CHACHA20" => p(0, 0, E_CHACHA, 0),
        "ARIA" | "ARIAGCM" => p(0, 0, E_ARIA, 0),
        "ARIA128" => p(0, 0, E_ARIA128GCM, 0),
        "ARIA256" => p(0, 0, E_ARIA256GCM, 0),
        "CBC" if !legacy => p(0, 0, E_CBC, 0),
        "MD5" => p(0, 0, 0, M_MD5),
        "SHA1" | "SHA" => p(0, 0, 0, M_SHA1),
        "SHA256" => p(0, 0, 0, M_SHA256),
        "SHA384" => p(0, 0, 0, M_SHA384),
        "SSLv3" => v(V_SSL3),
        "TLSv1" | "TLSv1.0" => v(V_TLS1),
        "TLSv1.2" => v(V_TLS12),
        "LOW" => st(S_LOW),
        "MEDIUM" => st(S_MEDIUM),
        "HIGH" => st(S_HIGH),
        "FIPS" => Some(Pattern {
            enc: !E_NULL,
            strength: S_FIPS,
            ..Default::default()
        }),
        // 1.0.2-only aliases
        "DES" if legacy => p(0, 0, E_DES, 0),
        "EXP" | "EXPORT" | "EXPORT40" | "EXPORT56" if legacy => st(S_EXPORT),
        "kDHr" if legacy => p(K_DHR, 0, 0, 0),
        "kDHd" if legacy => p(K_DHD, 0, 0, 0),
        "kDH" if legacy => p(K_DHR | K_DHD, 0, 0, 0),
        "kECDHr" if legacy => p(K_ECDHR, 0, 0, 0),
        "kECDHe" if legacy => p(K_ECDHE_STATIC, 0, 0, 0),
        "kECDH" if legacy => p(K_ECDHR | K_ECDHE_STATIC, 0, 0, 0),
        "aDH" if legacy => p(0, A_DH, 0, 0),
        "aECDH" if legacy => p(0, A_ECDH, 0, 0),
        "KRB5" | "kKRB5" if legacy => p(K_KRB5, 0, 0, 0),
        "aKRB5" if legacy => p(0, A_KRB5, 0, 0),
        "SSLv2" if legacy => None,
        _ => None,
    }
}

fn in_universe(c: &CipherSuite, flavor: Flavor) -> bool {
    if matches!(c.family, ProtocolFamily::Tls13 | ProtocolFamily::Tlcp) || c.openssl_name.is_none()
    {
        return false;
    }
    match c.openssl.availability {
        OpensslAvailability::OpenSsl3 => true,
        OpensslAvailability::OpenSsl102Only => flavor == Flavor::OpenSsl102,
        OpensslAvailability::NotInOpenssl => false,
    }
}

fn base_list(flavor: Flavor) -> (List, Vec<&'static CipherSuite>) {
    type Base = (List, Vec<&'static CipherSuite>);
    static V3: OnceLock<Base> = OnceLock::new();
    static V102: OnceLock<Base> = OnceLock::new();
    let cell = match flavor {
        Flavor::OpenSsl3 => &V3,
        Flavor::OpenSsl102 => &V102,
    };
    cell.get_or_init(|| build_base_list(flavor)).clone()
}

fn build_base_list(flavor: Flavor) -> (List, Vec<&'static CipherSuite>) {
    let mut suites: Vec<&'static CipherSuite> = suites::all()
        .iter()
        .filter(|c| in_universe(c, flavor))
        .collect();
    suites.sort_by_key(|c| c.openssl.rank);
    let attrs: Vec<Attr> = suites.iter().map(|c| attr_of(c, flavor)).collect();
    let n = attrs.len();
    let mut l = List {
        attrs,
        order: (0..n).collect(),
        active: vec![false; n],
    };
    // OpenSSL 3.0 ssl_create_cipher_list default ordering.
    l.apply(&pat(K_ECDHE, A_ECDSA, 0, 0), Op::Add);
    l.apply(&pat(K_ECDHE, 0, 0, 0), Op::Add);
    l.apply(&pat(K_ECDHE, 0, 0, 0), Op::Del);
    l.apply(&pat(0, 0, E_AESGCM, 0), Op::Add);
    l.apply(&pat(0, 0, E_CHACHA, 0), Op::Add);
    l.apply(&pat(0, 0, E_AES ^ E_AESGCM, 0), Op::Add);
    l.apply(&Pattern::default(), Op::Add);
    l.apply(&pat(0, 0, 0, M_MD5), Op::Ord);
    l.apply(&pat(0, A_NULL, 0, 0), Op::Ord);
    l.apply(&pat(K_RSA, 0, 0, 0), Op::Ord);
    l.apply(&pat(K_PSK, 0, 0, 0), Op::Ord);
    l.apply(&pat(0, 0, E_RC4, 0), Op::Ord);
    l.strength_sort();
    l.apply(
        &Pattern {
            min_tls: V_TLS12,
            ..Default::default()
        },
        Op::Bump,
    );
    l.apply(&pat(0, 0, 0, M_AEAD), Op::Bump);
    l.apply(&pat(K_DHE | K_ECDHE, 0, 0, 0), Op::Bump);
    l.apply(&pat(K_DHE | K_ECDHE, 0, 0, M_AEAD), Op::Bump);
    l.apply(&Pattern::default(), Op::Del);
    (l, suites)
}

fn is_item_sep(b: u8) -> bool {
    matches!(b, b':' | b' ' | b';' | b',')
}

fn is_word_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'=')
}

fn process(
    rule: &str,
    l: &mut List,
    names: &[(&str, u16)],
    flavor: Flavor,
    sec_level: &mut Option<u8>,
    unknown: &mut Vec<String>,
    base_offset: usize,
) -> Result<(), CipherStringError> {
    let b = rule.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let ch = b[i];
        let op = match ch {
            b'-' => {
                i += 1;
                Some(Op::Del)
            }
            b'+' => {
                i += 1;
                Some(Op::Ord)
            }
            b'!' => {
                i += 1;
                Some(Op::Kill)
            }
            b'@' => {
                i += 1;
                None
            }
            _ => Some(Op::Add),
        };
        if is_item_sep(ch) {
            i += 1;
            continue;
        }
        let mut p = Pattern::default();
        let mut found;
        let mut word_start;
        let mut word_end;
        loop {
            word_start = i;
            while i < b.len() && is_word_char(b[i]) {
                i += 1;
            }
            word_end = i;
            if word_end == word_start {
                return Err(CipherStringError {
                    offset: base_offset + i,
                    message: format!(
                        "unexpected character {:?}",
                        rule[i..].chars().next().unwrap_or('\0')
                    ),
                });
            }
            if op.is_none() {
                found = false;
                break;
            }
            let multi = i < b.len() && b[i] == b'+';
            if multi {
                i += 1;
            }
            let w = &rule[word_start..word_end];
            found = true;
            if let Some(&(_, code)) = names.iter().find(|(n, _)| *n == w) {
                p.cipher = Some(code);
            } else if let Some(a) = alias(w, flavor) {
                let mut ok = true;
                let mut merge = |dst: &mut u32, src: u32| {
                    if src != 0 {
                        if *dst != 0 {
                            *dst &= src;
                            if *dst == 0 {
                                ok = false;
                            }
                        } else {
                            *dst = src;
                        }
                    }
                };
                merge(&mut p.mkey, a.mkey);
                merge(&mut p.auth, a.auth);
                merge(&mut p.enc, a.enc);
                merge(&mut p.mac, a.mac);
                let mut strong = p.strength & S_STRONG_MASK;
                merge(&mut strong, a.strength & S_STRONG_MASK);
                let mut def = p.strength & S_NOT_DEFAULT;
                merge(&mut def, a.strength & S_NOT_DEFAULT);
                p.strength = strong | def;
                if a.min_tls != 0 {
                    if p.min_tls != 0 && p.min_tls != a.min_tls {
                        ok = false;
                    } else {
                        p.min_tls = a.min_tls;
                    }
                }
                if !ok {
                    found = false;
                    break;
                }
            } else {
                unknown.push(w.to_string());
                found = false;
                break;
            }
            if !multi {
                break;
            }
        }
        match op {
            None => {
                let w = &rule[word_start..word_end];
                if w == "STRENGTH" {
                    l.strength_sort();
                } else if let Some(n) = w.strip_prefix("SECLEVEL=") {
                    match n.as_bytes() {
                        [d @ b'0'..=b'5'] => *sec_level = Some(d - b'0'),
                        _ => {
                            return Err(CipherStringError {
                                offset: base_offset + word_start,
                                message: format!("invalid security level in @{w}"),
                            });
                        }
                    }
                } else {
                    return Err(CipherStringError {
                        offset: base_offset + word_start,
                        message: format!("unknown command @{w}"),
                    });
                }
                while i < b.len() && !is_item_sep(b[i]) {
                    i += 1;
                }
            }
            Some(op) if found => l.apply(&p, op),
            Some(_) => {
                while i < b.len() && !is_item_sep(b[i]) {
                    i += 1;
                }
            }
        }
    }
    Ok(())
}

/// Expand with OpenSSL 3 semantics. See the module documentation.
pub fn expand(s: &str) -> Result<Expansion, CipherStringError> {
    expand_with(s, &ExpandOptions::default())
}

/// Expand with the given options.
pub fn expand_with(s: &str, opts: &ExpandOptions) -> Result<Expansion, CipherStringError> {
    if s.len() > 64 * 1024 {
        return Err(CipherStringError {
            offset: 64 * 1024,
            message: "cipher string longer than 64 KiB".into(),
        });
    }
    let flavor = opts.flavor;
    let (mut l, suites) = base_list(flavor);
    let names: Vec<(&str, u16)> = suites
        .iter()
        .filter_map(|c| c.openssl_name.as_deref().map(|n| (n, c.code)))
        .chain(
            // "EDH-" spellings kept for backward compatibility (OpenSSL's alias table).
            [
                ("EDH-DSS-DES-CBC3-SHA", 0x0013u16),
                ("EDH-RSA-DES-CBC3-SHA", 0x0016u16),
            ]
            .into_iter()
            .filter(|(_, c)| suites.iter().any(|s| s.code == *c)),
        )
        .collect();
    let mut sec_level = None;
    let mut unknown = Vec::new();
    let mut rest = s;
    let mut off = 0;
    if let Some(after) = s.strip_prefix("DEFAULT") {
        let def = match flavor {
            Flavor::OpenSsl3 => "ALL:!COMPLEMENTOFDEFAULT:!eNULL",
            Flavor::OpenSsl102 => "ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2",
        };
        process(
            def,
            &mut l,
            &names,
            flavor,
            &mut sec_level,
            &mut Vec::new(),
            0,
        )?;
        rest = after;
        off = 7;
        if let Some(r) = rest.strip_prefix(':') {
            rest = r;
            off += 1;
        }
    }
    process(
        rest,
        &mut l,
        &names,
        flavor,
        &mut sec_level,
        &mut unknown,
        off,
    )?;
    let out = l
        .order
        .iter()
        .filter(|&&i| l.active[i])
        .map(|&i| suites[i].clone())
        .collect();
    unknown.sort();
    unknown.dedup();
    Ok(Expansion {
        suites: out,
        sec_level,
        unknown_words: unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basics() {
        let e = expand("RC4-SHA:AES128-SHA").unwrap();
        assert_eq!(e.names(), vec!["RC4-SHA", "AES128-SHA"]);
        let e = expand("ALL:!aNULL").unwrap();
        assert!(e.suites.iter().all(|c| !c.flags.anonymous && !c.flags.null));
        assert!(e.suites.iter().any(|c| c.flags.rc4));
        let e = expand("ECDHE+AESGCM").unwrap();
        assert!(!e.suites.is_empty());
        assert!(
            e.suites
                .iter()
                .all(|c| c.kx == KeyExchange::Ecdhe && c.flags.aead && !c.flags.anonymous)
        );
        let e = expand("HIGH:!aNULL:!MD5:@SECLEVEL=2").unwrap();
        assert_eq!(e.sec_level, Some(2));
        assert!(expand("HIGH:@FOO").is_err());
        assert!(expand("HIGH:$").is_err());
        let e = expand("kRSA+kEDH").unwrap();
        assert!(e.suites.is_empty());
        let e = expand("FOO:AES128-SHA").unwrap();
        assert_eq!(e.unknown_words, vec!["FOO"]);
        assert_eq!(e.names(), vec!["AES128-SHA"]);
        // '-' then re-add restores position; '!' is final.
        let e = expand("AES128-SHA:AES256-SHA:-AES128-SHA:AES128-SHA").unwrap();
        assert_eq!(e.names(), vec!["AES256-SHA", "AES128-SHA"]);
        let e = expand("AES128-SHA:!AES128-SHA:AES128-SHA").unwrap();
        assert!(e.suites.is_empty());
        let e = expand("RC4:+RC4-MD5:RC4-SHA").unwrap();
        assert_eq!(e.names().last().unwrap(), "RC4-MD5");
        // 1.0.2 flavour knows EXPORT
        let e = expand_with(
            "EXPORT",
            &ExpandOptions {
                flavor: Flavor::OpenSsl102,
            },
        )
        .unwrap();
        assert!(!e.suites.is_empty() && e.suites.iter().all(|c| c.flags.export));
        assert!(expand("EXPORT").unwrap().suites.is_empty());
        let d = expand("DEFAULT").unwrap();
        assert!(d.suites.iter().all(|c| !c.flags.anonymous && !c.flags.rc4));
        assert!(sec_level_allows(suites::lookup("AES128-SHA").unwrap(), 2));
        assert!(!sec_level_allows(suites::lookup("RC4-SHA").unwrap(), 2));
        assert!(!sec_level_allows(suites::lookup("AES128-SHA").unwrap(), 3));
    }
}
