//! Certificate and key lints: one pure function per check.
//!
//! Every function takes the certificate (or key), its typed parameters (serde
//! `Deserialize` with defaults, so rule files can set thresholds) and, where time
//! matters, `as_of` (unix seconds). It returns one [`LintResult`] per finding; an
//! **empty vector means the check does not apply** to this certificate (e.g. the RSA
//! size check on an EC key). A check that applies but cannot decide reports
//! `passed = false` naming what could not be checked; it never passes silently.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use num_bigint::BigUint;
use num_traits::{One, Zero};
use serde::{Deserialize, Serialize};

use crate::purpose::KeyPurpose;
use crate::{Certificate, PrivateKey, PublicKeyInfo};

/// Outcome of one check on one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LintResult {
    /// `true` when the requirement is met.
    pub passed: bool,
    /// `true` for an advisory finding (e.g. expiring soon): `passed` is false but the
    /// certificate is not (yet) defective.
    pub warning: bool,
    /// Names the offending value, e.g. "RSA key is 1024 bits; at least 2048 required".
    pub message: String,
}

impl LintResult {
    pub fn pass(message: impl Into<String>) -> Self {
        LintResult {
            passed: true,
            warning: false,
            message: message.into(),
        }
    }
    pub fn fail(message: impl Into<String>) -> Self {
        LintResult {
            passed: false,
            warning: false,
            message: message.into(),
        }
    }
    pub fn warn(message: impl Into<String>) -> Self {
        LintResult {
            passed: false,
            warning: true,
            message: message.into(),
        }
    }
}

/// 2030-12-31T23:59:59Z: SP 800-57 moves from 112- to 128-bit security after 2030.
pub const END_OF_2030: i64 = 1_924_991_999;
const DAY: i64 = 86_400;

fn date(ts: i64) -> String {
    // Civil date from unix seconds (proleptic Gregorian), for messages only.
    let days = ts.div_euclid(DAY);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

// ---------------------------------------------------------------- RSA

/// Parameters of [`rsa_key_size`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RsaKeySizeParams {
    /// Minimum modulus size (SP 800-57: 2048 through 2030).
    pub min_bits: u32,
    /// Minimum when the certificate is valid beyond `cutoff` (SP 800-57: 3072 beyond 2030).
    pub min_bits_after_cutoff: u32,
    /// Unix seconds; default 2030-12-31T23:59:59Z.
    pub cutoff: i64,
}
impl Default for RsaKeySizeParams {
    fn default() -> Self {
        Self {
            min_bits: 2048,
            min_bits_after_cutoff: 3072,
            cutoff: END_OF_2030,
        }
    }
}

/// RSA modulus at least `min_bits`, and at least `min_bits_after_cutoff` when notAfter is
/// beyond `cutoff`.
pub fn rsa_key_size(cert: &Certificate, p: &RsaKeySizeParams) -> Vec<LintResult> {
    let PublicKeyInfo::Rsa { bits, .. } = &cert.public_key else {
        return vec![];
    };
    let bits = *bits;
    if bits < p.min_bits {
        return vec![LintResult::fail(format!(
            "RSA key is {bits} bits; at least {} required",
            p.min_bits
        ))];
    }
    if cert.not_after > p.cutoff && bits < p.min_bits_after_cutoff {
        return vec![LintResult::fail(format!(
            "RSA key is {bits} bits but the certificate is valid until {} (beyond {}); at least {} required",
            date(cert.not_after),
            date(p.cutoff),
            p.min_bits_after_cutoff
        ))];
    }
    vec![LintResult::pass(format!("RSA key is {bits} bits"))]
}

/// Parameters of [`rsa_exponent`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RsaExponentParams {
    /// Smallest acceptable public exponent (65537 = 2^16+1).
    pub min: u64,
    /// Largest acceptable exponent size in bits (SP 800-89: e < 2^256).
    pub max_bits: u32,
}
impl Default for RsaExponentParams {
    fn default() -> Self {
        Self {
            min: 65_537,
            max_bits: 256,
        }
    }
}

/// RSA public exponent odd, at least `min`, below 2^`max_bits`.
pub fn rsa_exponent(cert: &Certificate, p: &RsaExponentParams) -> Vec<LintResult> {
    let PublicKeyInfo::Rsa {
        exponent,
        exponent_hex,
        ..
    } = &cert.public_key
    else {
        return vec![];
    };
    let e_bits = crate::der::bit_len(&hex_to_bytes(exponent_hex));
    let odd = exponent_hex
        .chars()
        .last()
        .and_then(|c| c.to_digit(16))
        .is_some_and(|d| d % 2 == 1);
    let shown = exponent.map_or_else(|| format!("0x{exponent_hex}"), |e| e.to_string());
    let mut out = Vec::new();
    if !odd {
        out.push(LintResult::fail(format!(
            "RSA public exponent {shown} is even"
        )));
    }
    match exponent {
        Some(e) if *e < p.min => out.push(LintResult::fail(format!(
            "RSA public exponent is {e}; at least {} required",
            p.min
        ))),
        _ => {}
    }
    if e_bits > p.max_bits {
        out.push(LintResult::fail(format!(
            "RSA public exponent is {e_bits} bits; must be below 2^{}",
            p.max_bits
        )));
    }
    if out.is_empty() {
        out.push(LintResult::pass(format!("RSA public exponent is {shown}")));
    }
    out
}

fn hex_to_bytes(h: &str) -> Vec<u8> {
    let h = if h.len() % 2 == 1 {
        format!("0{h}")
    } else {
        h.to_string()
    };
    (0..h.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&h[i..i + 2], 16).ok())
        .collect()
}

/// Parameters of [`rsa_modulus`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RsaModulusParams {
    /// Fermat iterations (a = ceil(sqrt(n)) .. a + iterations); 100 as in zlint.
    pub fermat_iterations: u32,
}
impl Default for RsaModulusParams {
    fn default() -> Self {
        Self {
            fermat_iterations: 100,
        }
    }
}

/// RSA modulus odd and not factorable by Fermat's method within a bounded number of steps
/// (primes p, q too close together).
pub fn rsa_modulus(cert: &Certificate, p: &RsaModulusParams) -> Vec<LintResult> {
    let PublicKeyInfo::Rsa { modulus, bits, .. } = &cert.public_key else {
        return vec![];
    };
    if modulus.last().is_none_or(|b| b % 2 == 0) {
        return vec![LintResult::fail(format!(
            "RSA modulus ({bits} bits) is even"
        ))];
    }
    let n = BigUint::from_bytes_be(modulus);
    if let Some((a, b)) = fermat_factor(&n, p.fermat_iterations) {
        let a_hex = a.to_str_radix(16);
        return vec![LintResult::fail(format!(
            "RSA modulus ({bits} bits) is factored by Fermat's method: its primes differ by only {} (a {}-bit gap), p = {}...",
            &b - &a,
            (&b - &a).bits(),
            &a_hex[..a_hex.len().min(16)]
        ))];
    }
    vec![LintResult::pass(format!(
        "RSA modulus is odd and resists {} Fermat iterations",
        p.fermat_iterations
    ))]
}

const FERMAT_M: u64 = 64 * 63 * 65 * 11;

fn square_residues() -> &'static [Vec<bool>; 4] {
    static T: OnceLock<[Vec<bool>; 4]> = OnceLock::new();
    T.get_or_init(|| {
        let mk = |m: u64| {
            let mut v = vec![false; m as usize];
            for y in 0..m {
                v[(y * y % m) as usize] = true;
            }
            v
        };
        [mk(64), mk(63), mk(65), mk(11)]
    })
}

fn maybe_square(r: u64) -> bool {
    let t = square_residues();
    t[0][(r % 64) as usize]
        && t[1][(r % 63) as usize]
        && t[2][(r % 65) as usize]
        && t[3][(r % 11) as usize]
}

/// Fermat: find a >= ceil(sqrt(n)) with a^2 - n a perfect square b^2; then n = (a-b)(a+b).
/// Residues of a and b^2 modulo 64*63*65*11 are tracked in u64 so most steps cost no
/// big-integer arithmetic; a full square root is taken only when all four filters pass.
fn fermat_factor(n: &BigUint, iterations: u32) -> Option<(BigUint, BigUint)> {
    if n.is_zero() {
        return None;
    }
    let mut a0 = n.sqrt();
    if &a0 * &a0 < *n {
        a0 += 1u32;
    }
    let m = BigUint::from(FERMAT_M);
    let b2_0 = &a0 * &a0 - n;
    let mut am = (&a0 % &m).to_u64_digits().first().copied().unwrap_or(0);
    let mut bm = (&b2_0 % &m).to_u64_digits().first().copied().unwrap_or(0);
    for i in 0..iterations as u64 {
        if maybe_square(bm) {
            let a = &a0 + BigUint::from(i);
            let b2 = &a * &a - n;
            let b = b2.sqrt();
            if &b * &b == b2 {
                let p = &a - &b;
                let q = &a + &b;
                if !p.is_one() {
                    return Some((p, q));
                }
            }
        }
        bm = (bm + 2 * am + 1) % FERMAT_M;
        am = (am + 1) % FERMAT_M;
    }
    None
}

// ---------------------------------------------------------------- curves, DSA

/// Parameters of [`ec_curve`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EcCurveParams {
    /// Allowed curve names (as reported in [`PublicKeyInfo::Ec::curve_name`]) plus
    /// `Ed25519` / `Ed448` for EdDSA keys.
    pub allowed: Vec<String>,
}
impl Default for EcCurveParams {
    fn default() -> Self {
        Self {
            allowed: [
                "P-256",
                "P-384",
                "P-521",
                "brainpoolP256r1",
                "brainpoolP384r1",
                "SM2",
                "Ed25519",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// EC / EdDSA keys use an allowed curve (named curves only; explicit parameters refused).
pub fn ec_curve(cert: &Certificate, p: &EcCurveParams) -> Vec<LintResult> {
    let allowed = |n: &str| p.allowed.iter().any(|a| a.eq_ignore_ascii_case(n));
    let r = match &cert.public_key {
        PublicKeyInfo::Ec {
            curve_name: Some(n),
            ..
        } if allowed(n) => LintResult::pass(format!("EC key on {n}")),
        PublicKeyInfo::Ec {
            curve_name: Some(n),
            ..
        } => LintResult::fail(format!(
            "EC key on {n}; allowed curves: {}",
            p.allowed.join(", ")
        )),
        PublicKeyInfo::Ec {
            curve_oid,
            curve_name: None,
            ..
        } if curve_oid == "explicit" => {
            LintResult::fail("EC key with explicit curve parameters; a named curve is required")
        }
        PublicKeyInfo::Ec {
            curve_oid,
            curve_name: None,
            ..
        } => LintResult::fail(format!("EC key on unrecognised curve {curve_oid}")),
        PublicKeyInfo::Ed25519 if allowed("Ed25519") => LintResult::pass("Ed25519 key"),
        PublicKeyInfo::Ed448 if allowed("Ed448") => LintResult::pass("Ed448 key"),
        PublicKeyInfo::Ed25519 | PublicKeyInfo::Ed448 => {
            LintResult::fail("EdDSA key type is not in the allowed list")
        }
        _ => return vec![],
    };
    vec![r]
}

/// Parameters of [`dsa_key`] (none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoParams {}

/// DSA keys refused (FIPS 186-5 withdrew DSA for signature generation).
pub fn dsa_key(cert: &Certificate, _p: &NoParams) -> Vec<LintResult> {
    match &cert.public_key {
        PublicKeyInfo::Dsa { bits } => vec![LintResult::fail(format!(
            "DSA key ({bits} bits); DSA is no longer approved for signatures"
        ))],
        _ => vec![LintResult::pass("key is not DSA")],
    }
}

/// Parameters of [`signature_hash`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignatureHashParams {
    /// Refused hash families (kebab-case names of [`crate::HashFamily`]).
    pub forbidden: Vec<String>,
    /// Skip self-signed certificates (trust anchors: their own signature is not relied on).
    pub ignore_self_signed: bool,
}
impl Default for SignatureHashParams {
    fn default() -> Self {
        Self {
            forbidden: ["md2", "md4", "md5", "sha1"].map(String::from).to_vec(),
            ignore_self_signed: false,
        }
    }
}

/// Signature hash is not MD2/MD4/MD5/SHA-1; SM2-with-SM3 is recognised and accepted;
/// an unrecognised algorithm is reported (not passed).
pub fn signature_hash(cert: &Certificate, p: &SignatureHashParams) -> Vec<LintResult> {
    if p.ignore_self_signed && cert.self_signed == Some(true) {
        return vec![];
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for (which, alg) in [
        ("signature", &cert.signature_algorithm),
        ("TBS signature", &cert.tbs_signature_algorithm),
    ] {
        if seen.contains(&&alg.oid) {
            continue;
        }
        seen.push(&alg.oid);
        let fam = serde_json::to_value(alg.hash)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if alg.hash == crate::HashFamily::Unknown {
            out.push(LintResult::fail(format!(
                "{which} algorithm {} ({}) is not recognised; hash strength cannot be confirmed",
                alg.name, alg.oid
            )));
        } else if p.forbidden.iter().any(|f| f.eq_ignore_ascii_case(&fam)) {
            out.push(LintResult::fail(format!(
                "{which} algorithm {} uses {}, which is deprecated",
                alg.name,
                alg.hash.name()
            )));
        }
    }
    if out.is_empty() {
        out.push(LintResult::pass(format!(
            "signature algorithm {} ({})",
            cert.signature_algorithm.name,
            cert.signature_algorithm.hash.name()
        )));
    }
    out
}

/// Outer signatureAlgorithm equals TBSCertificate.signature (complete AlgorithmIdentifier,
/// parameters included, RFC 5280 4.1.1.2).
pub fn signature_algorithm_match(cert: &Certificate, _p: &NoParams) -> Vec<LintResult> {
    let (o, t) = (&cert.signature_algorithm, &cert.tbs_signature_algorithm);
    if o.der_hex == t.der_hex {
        vec![LintResult::pass(
            "outer and TBS signature algorithms are identical",
        )]
    } else {
        vec![LintResult::fail(format!(
            "outer signature algorithm {} (DER {}) differs from TBS signature algorithm {} (DER {})",
            o.name, o.der_hex, t.name, t.der_hex
        ))]
    }
}

// ---------------------------------------------------------------- time

/// Parameters of [`validity`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValidityParams {
    /// Warn when the certificate expires within this many days of `as_of`.
    pub warn_days: u32,
}
impl Default for ValidityParams {
    fn default() -> Self {
        Self { warn_days: 30 }
    }
}

/// Valid at `as_of`: not expired, not yet valid, notAfter after notBefore; a warning when
/// it expires within `warn_days`.
pub fn validity(cert: &Certificate, p: &ValidityParams, as_of: i64) -> Vec<LintResult> {
    if cert.not_after <= cert.not_before {
        return vec![LintResult::fail(format!(
            "validity period is not positive: notBefore {} is not before notAfter {}",
            date(cert.not_before),
            date(cert.not_after)
        ))];
    }
    if as_of > cert.not_after {
        return vec![LintResult::fail(format!(
            "certificate expired on {} ({} days before {})",
            date(cert.not_after),
            (as_of - cert.not_after) / DAY,
            date(as_of)
        ))];
    }
    if as_of < cert.not_before {
        return vec![LintResult::fail(format!(
            "certificate is not valid before {} (evaluated at {})",
            date(cert.not_before),
            date(as_of)
        ))];
    }
    let left = (cert.not_after - as_of) / DAY;
    if left < p.warn_days as i64 {
        return vec![LintResult::warn(format!(
            "certificate expires on {} ({left} days after {}, warning threshold {} days)",
            date(cert.not_after),
            date(as_of),
            p.warn_days
        ))];
    }
    vec![LintResult::pass(format!(
        "valid until {}",
        date(cert.not_after)
    ))]
}

/// Parameters of [`lifetime`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifetimeParams {
    /// Longest lifetime for a weak key (RSA below `strong_rsa_bits`, EC below `strong_ec_bits`, DSA).
    pub max_days_weak: u32,
    /// Longest lifetime for a strong key.
    pub max_days_strong: u32,
    pub strong_rsa_bits: u32,
    pub strong_ec_bits: u32,
    /// Count the inclusive end second (RFC 5280 4.1.2.5) as the CA/Browser Forum does:
    /// a certificate of notAfter - notBefore = N days then lasts N days + 1 s and fails a
    /// limit of N days. Off by default: a day-granular policy ("at most 7305 days") means
    /// notAfter - notBefore.
    pub inclusive_end: bool,
}
impl Default for LifetimeParams {
    fn default() -> Self {
        Self {
            max_days_weak: 1095,
            max_days_strong: 7305,
            strong_rsa_bits: 3072,
            strong_ec_bits: 256,
            inclusive_end: false,
        }
    }
}

/// Lifetime (notAfter - notBefore) within policy for the key's strength (UN R155 26.1:
/// short keys with long validity).
pub fn lifetime(cert: &Certificate, p: &LifetimeParams) -> Vec<LintResult> {
    let (strong, what) = match &cert.public_key {
        PublicKeyInfo::Rsa { bits, .. } => (*bits >= p.strong_rsa_bits, format!("RSA-{bits}")),
        PublicKeyInfo::Ec {
            bits, curve_name, ..
        } => (
            *bits >= p.strong_ec_bits,
            format!(
                "EC {}",
                curve_name.clone().unwrap_or_else(|| "unknown curve".into())
            ),
        ),
        PublicKeyInfo::Ed25519 => (true, "Ed25519".into()),
        PublicKeyInfo::Ed448 => (true, "Ed448".into()),
        PublicKeyInfo::Dsa { bits } => (false, format!("DSA-{bits}")),
        PublicKeyInfo::Unknown { oid } => (false, format!("unknown key {oid}")),
    };
    // notAfter - notBefore, plus the inclusive end second only when asked (CA/B style):
    // counting it by default made a certificate of exactly `max` days fail with "max
    // days; at most max allowed" (ICV-CRT-009).
    let secs = cert
        .lifetime_seconds()
        .saturating_add(p.inclusive_end as i64);
    let max = if strong {
        p.max_days_strong
    } else {
        p.max_days_weak
    } as i64;
    let shown = show_days(secs);
    if secs > max * DAY {
        vec![LintResult::fail(format!(
            "lifetime is {shown} for a {} {what} key; at most {max} days allowed",
            if strong { "strong" } else { "weak" }
        ))]
    } else {
        vec![LintResult::pass(format!(
            "lifetime {shown} for {what} (max {max})"
        ))]
    }
}

/// "N days", or "N days and S s" when not a whole number of days.
fn show_days(secs: i64) -> String {
    let (d, r) = (secs.div_euclid(DAY), secs.rem_euclid(DAY));
    if r == 0 {
        format!("{d} days")
    } else {
        format!("{d} days and {r} s")
    }
}

// ---------------------------------------------------------------- trust anchors

/// Parameters of [`anchor_policy`]: the root policy (not the leaf policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnchorPolicyParams {
    /// Longest root lifetime (notAfter - notBefore), days. Default 25 years.
    pub max_days: u32,
    /// Smallest RSA modulus of a root.
    pub min_rsa_bits: u32,
    /// RSA roots below this size are accepted only until `weak_rsa_until`.
    pub strong_rsa_bits: u32,
    /// Unix seconds: end of acceptance of RSA roots below `strong_rsa_bits` (default
    /// 2030-12-31, SP 800-57 Part 1 / SP 800-131A: 112-bit security through 2030).
    pub weak_rsa_until: i64,
    /// Smallest EC field size of a root.
    pub min_ec_bits: u32,
    /// Warn when the root expires within this many days of `as_of`.
    pub warn_days: u32,
}
impl Default for AnchorPolicyParams {
    fn default() -> Self {
        Self {
            max_days: 9132,
            min_rsa_bits: 2048,
            strong_rsa_bits: 3072,
            weak_rsa_until: END_OF_2030,
            min_ec_bits: 256,
            warn_days: 365,
        }
    }
}

/// A certificate that can stand as a root: self-issued and either a CA (v3 cA=TRUE) or a
/// v1 certificate (which cannot carry basicConstraints; v1 roots still exist in stores).
pub fn is_root_like(cert: &Certificate) -> bool {
    cert.self_issued && (cert.is_ca() || cert.version == 1)
}

/// Judges a certificate used as a trust anchor by the root policy: validity at `as_of`,
/// lifetime, key, CA-ness (v1 accepted as a root), keyCertSign, self-signature, unknown
/// critical extensions. One result per failed aspect, or one pass.
pub fn anchor_policy(cert: &Certificate, p: &AnchorPolicyParams, as_of: i64) -> Vec<LintResult> {
    let mut out = Vec::new();
    if as_of > cert.not_after {
        out.push(LintResult::fail(format!(
            "trust anchor expired on {} (evaluated at {})",
            date(cert.not_after),
            date(as_of)
        )));
    } else if as_of < cert.not_before {
        out.push(LintResult::fail(format!(
            "trust anchor is not valid before {} (evaluated at {})",
            date(cert.not_before),
            date(as_of)
        )));
    } else if (cert.not_after - as_of) / DAY < p.warn_days as i64 {
        out.push(LintResult::warn(format!(
            "trust anchor expires on {} (within {} days of {})",
            date(cert.not_after),
            p.warn_days,
            date(as_of)
        )));
    }
    let secs = cert.lifetime_seconds();
    if secs > p.max_days as i64 * DAY {
        out.push(LintResult::fail(format!(
            "root lifetime is {}; at most {} days allowed for a trust anchor",
            show_days(secs),
            p.max_days
        )));
    }
    match &cert.public_key {
        PublicKeyInfo::Rsa { bits, .. } if *bits < p.min_rsa_bits => {
            out.push(LintResult::fail(format!(
                "root key is RSA-{bits}; at least {} bits required",
                p.min_rsa_bits
            )))
        }
        PublicKeyInfo::Rsa { bits, .. } if *bits < p.strong_rsa_bits => {
            if as_of > p.weak_rsa_until {
                out.push(LintResult::fail(format!(
                    "root key is RSA-{bits}; RSA below {} bits is accepted for roots only until {}",
                    p.strong_rsa_bits,
                    date(p.weak_rsa_until)
                )));
            } else if cert.not_after > p.weak_rsa_until {
                out.push(LintResult::warn(format!(
                    "root key is RSA-{bits} and the root is valid until {}, beyond {} when RSA below {} bits stops being accepted",
                    date(cert.not_after),
                    date(p.weak_rsa_until),
                    p.strong_rsa_bits
                )));
            }
        }
        PublicKeyInfo::Ec {
            bits, curve_name, ..
        } if *bits < p.min_ec_bits => out.push(LintResult::fail(format!(
            "root key is EC {} ({bits} bits); at least {} bits required",
            curve_name.as_deref().unwrap_or("unknown curve"),
            p.min_ec_bits
        ))),
        PublicKeyInfo::Dsa { bits } => out.push(LintResult::fail(format!(
            "root key is DSA-{bits}; DSA is not accepted"
        ))),
        PublicKeyInfo::Unknown { oid } => out.push(LintResult::fail(format!(
            "root key algorithm {oid} is not recognised"
        ))),
        _ => {}
    }
    if cert.version >= 3 {
        match &cert.basic_constraints {
            Some(b) if b.ca => {}
            Some(_) => out.push(LintResult::fail(
                "certificate used as a trust anchor has basicConstraints cA=FALSE",
            )),
            None => out.push(LintResult::fail(
                "v3 certificate used as a trust anchor has no basicConstraints; it cannot be recognised as a CA (RFC 5280 4.2.1.9)",
            )),
        }
        if cert
            .key_usage
            .as_ref()
            .is_some_and(|k| !k.has("keyCertSign"))
        {
            out.push(LintResult::fail(
                "trust anchor keyUsage lacks keyCertSign (RFC 5280 4.2.1.3)",
            ));
        }
        const KNOWN: &[&str] = &[
            "2.5.29.14",
            "2.5.29.15",
            "2.5.29.17",
            "2.5.29.19",
            "2.5.29.30",
            "2.5.29.32",
            "2.5.29.33",
            "2.5.29.35",
            "2.5.29.36",
            "2.5.29.37",
            "2.5.29.54",
        ];
        for e in cert.extensions.iter().filter(|e| e.critical) {
            if !KNOWN.contains(&e.oid.as_str()) {
                out.push(LintResult::fail(format!(
                    "trust anchor carries unrecognised critical extension {}",
                    e.oid
                )));
            }
        }
    }
    if cert.self_issued && cert.self_signed == Some(false) {
        out.push(LintResult::fail(
            "self-issued root whose signature does not verify with its own key (corrupted or forged)",
        ));
    } else if !cert.self_issued {
        out.push(LintResult::warn(format!(
            "trust anchor is not self-issued (issuer `{}`): an intermediate pinned as an anchor",
            cert.issuer
        )));
    }
    if out.is_empty() {
        out.push(LintResult::pass(format!(
            "root {} ({}, valid until {}) meets the anchor policy",
            cert.label(),
            cert.public_key.label(),
            date(cert.not_after)
        )));
    }
    out
}

// ---------------------------------------------------------------- structure

/// X.509 version 3 (extensions, required for every check below).
pub fn version3(cert: &Certificate, _p: &NoParams) -> Vec<LintResult> {
    if cert.version == 3 {
        vec![LintResult::pass("X.509 v3")]
    } else {
        vec![LintResult::fail(format!(
            "certificate is X.509 v{}; v3 required",
            cert.version
        ))]
    }
}

/// Decoding error recorded for extension `oid`, if any.
fn ext_error<'a>(cert: &'a Certificate, oid: &str) -> Option<&'a str> {
    cert.extension_errors
        .iter()
        .find_map(|e| e.strip_prefix(oid).and_then(|r| r.strip_prefix(": ")))
}

fn is_ca_candidate(cert: &Certificate) -> bool {
    cert.is_ca()
        || cert
            .key_usage
            .as_ref()
            .is_some_and(|k| k.has("keyCertSign"))
}

/// Parameters of [`ca_basic_constraints`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaBasicConstraintsParams {
    /// Largest sane pathLenConstraint.
    pub max_path_len: u32,
}
impl Default for CaBasicConstraintsParams {
    fn default() -> Self {
        Self { max_path_len: 8 }
    }
}

/// For CA certificates (cA true or keyCertSign set): basicConstraints present, critical,
/// cA true; pathLenConstraint only on a CA asserting keyCertSign, and not above `max_path_len`.
pub fn ca_basic_constraints(cert: &Certificate, p: &CaBasicConstraintsParams) -> Vec<LintResult> {
    if let Some(e) = ext_error(cert, "2.5.29.19") {
        return vec![LintResult::fail(format!(
            "basicConstraints of {} is malformed ({e}); CA status cannot be determined",
            cert.label()
        ))];
    }
    let mut out = Vec::new();
    if let Some(bc) = &cert.basic_constraints
        && let Some(pl) = bc.path_len
    {
        if !bc.ca {
            out.push(LintResult::fail(format!(
                "pathLenConstraint {pl} on a certificate whose cA is false"
            )));
        } else if !cert
            .key_usage
            .as_ref()
            .is_some_and(|k| k.has("keyCertSign"))
        {
            out.push(LintResult::fail(format!(
                "pathLenConstraint {pl} on a CA without keyCertSign"
            )));
        } else if pl > p.max_path_len {
            out.push(LintResult::fail(format!(
                "pathLenConstraint {pl} exceeds {}",
                p.max_path_len
            )));
        }
    }
    if !is_ca_candidate(cert) {
        return out;
    }
    match &cert.basic_constraints {
        None => out.push(LintResult::fail(format!(
            "CA certificate {} (keyCertSign) has no basicConstraints",
            cert.label()
        ))),
        Some(bc) => {
            if !bc.ca {
                out.push(LintResult::fail(format!(
                    "certificate {} asserts keyCertSign but basicConstraints cA is false",
                    cert.label()
                )));
            }
            if !bc.critical {
                out.push(LintResult::fail(format!(
                    "basicConstraints of CA {} is not critical",
                    cert.label()
                )));
            }
        }
    }
    if out.is_empty() {
        out.push(LintResult::pass("basicConstraints critical, cA true"));
    }
    out
}

/// Parameters of [`ca_key_usage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaKeyUsageParams {
    /// Require keyUsage to be critical (RFC 5280 "SHOULD", CA/B "MUST").
    pub require_critical: bool,
}
impl Default for CaKeyUsageParams {
    fn default() -> Self {
        Self {
            require_critical: true,
        }
    }
}

/// For CA certificates (cA true): keyUsage present, critical, keyCertSign set.
pub fn ca_key_usage(cert: &Certificate, p: &CaKeyUsageParams) -> Vec<LintResult> {
    if !cert.is_ca() {
        return vec![];
    }
    if let Some(e) = ext_error(cert, "2.5.29.15") {
        return vec![LintResult::fail(format!(
            "keyUsage of CA {} is malformed ({e})",
            cert.label()
        ))];
    }
    let mut out = Vec::new();
    match &cert.key_usage {
        None => out.push(LintResult::fail(format!(
            "CA {} has no keyUsage extension",
            cert.label()
        ))),
        Some(ku) => {
            if !ku.has("keyCertSign") {
                out.push(LintResult::fail(format!(
                    "CA {} keyUsage lacks keyCertSign (has: {})",
                    cert.label(),
                    ku.bits.iter().cloned().collect::<Vec<_>>().join(", ")
                )));
            }
            if p.require_critical && !ku.critical {
                out.push(LintResult::fail(format!(
                    "keyUsage of CA {} is not critical",
                    cert.label()
                )));
            }
        }
    }
    if out.is_empty() {
        out.push(LintResult::pass("keyUsage critical with keyCertSign"));
    }
    out
}

/// Parameters of [`leaf_not_ca`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LeafParams {
    /// The certificate is known to be an end-entity (e.g. a device identity certificate):
    /// cA = true is then a defect instead of making it a CA.
    pub known_leaf: bool,
}

/// End-entity certificates do not act as CA: no keyCertSign or cRLSign; cA not true when
/// `known_leaf`, or when keyUsage is present without keyCertSign (an end-entity key marked CA).
pub fn leaf_not_ca(cert: &Certificate, p: &LeafParams) -> Vec<LintResult> {
    // cA = true with a keyUsage that cannot sign certificates: an end-entity key marked CA.
    let ca_without_cert_sign = cert.is_ca()
        && cert
            .key_usage
            .as_ref()
            .is_some_and(|k| !k.has("keyCertSign"));
    if cert.is_ca() && !p.known_leaf && !ca_without_cert_sign {
        return vec![];
    }
    let mut out = Vec::new();
    if cert.is_ca() {
        out.push(LintResult::fail(format!(
            "end-entity certificate {} has basicConstraints cA true{}",
            cert.label(),
            if ca_without_cert_sign {
                " while its keyUsage lacks keyCertSign"
            } else {
                ""
            }
        )));
    }
    if let Some(ku) = &cert.key_usage {
        for bit in ["keyCertSign", "cRLSign"] {
            if ku.has(bit) {
                out.push(LintResult::fail(format!(
                    "end-entity certificate {} has keyUsage {bit}",
                    cert.label()
                )));
            }
        }
    }
    if out.is_empty() {
        out.push(LintResult::pass(
            "end-entity certificate does not assert CA capabilities",
        ));
    }
    out
}

/// Parameters of [`eku_fits`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EkuParams {
    /// Expected use of the end-entity certificate.
    pub expected: KeyPurpose,
    /// Accept a certificate without extendedKeyUsage (RFC 5280: any use).
    pub allow_missing: bool,
    /// Accept anyExtendedKeyUsage.
    pub allow_any: bool,
}
impl Default for EkuParams {
    fn default() -> Self {
        Self {
            expected: KeyPurpose::ServerAuth,
            allow_missing: false,
            allow_any: false,
        }
    }
}

/// End-entity extendedKeyUsage contains the expected purpose (and not anyExtendedKeyUsage).
pub fn eku_fits(cert: &Certificate, p: &EkuParams) -> Vec<LintResult> {
    if cert.is_ca() {
        return vec![];
    }
    if let Some(e) = ext_error(cert, "2.5.29.37") {
        return vec![LintResult::fail(format!(
            "extendedKeyUsage of {} is malformed ({e})",
            cert.label()
        ))];
    }
    let want = p.expected.name();
    let Some(eku) = &cert.extended_key_usage else {
        return vec![if p.allow_missing {
            LintResult::pass("no extendedKeyUsage (any use)")
        } else {
            LintResult::fail(format!(
                "end-entity certificate {} has no extendedKeyUsage; {want} expected",
                cert.label()
            ))
        }];
    };
    let mut out = Vec::new();
    if eku.names.contains("any") && !p.allow_any {
        out.push(LintResult::fail(format!(
            "end-entity certificate {} has anyExtendedKeyUsage",
            cert.label()
        )));
    }
    let any_ok = p.allow_any && eku.names.contains("any");
    if !(eku.names.contains(want) || any_ok) {
        let have: Vec<String> = eku
            .oids
            .iter()
            .map(|o| crate::oids::eku_name(o).map_or(o.clone(), str::to_string))
            .collect();
        out.push(LintResult::fail(format!(
            "extendedKeyUsage [{}] lacks {want}",
            have.join(", ")
        )));
    }
    if out.is_empty() {
        out.push(LintResult::pass(format!(
            "extendedKeyUsage includes {want}"
        )));
    }
    out
}

/// An end-entity certificate is not self-signed (it must chain to a managed CA).
pub fn self_signed_leaf(cert: &Certificate, _p: &NoParams) -> Vec<LintResult> {
    if cert.is_ca() {
        return vec![];
    }
    match cert.self_signed {
        Some(true) => vec![LintResult::fail(format!(
            "end-entity certificate {} is self-signed",
            cert.label()
        ))],
        None if cert.self_issued => vec![LintResult::fail(format!(
            "end-entity certificate {} is self-issued (subject = issuer); its signature algorithm {} could not be verified",
            cert.label(),
            cert.signature_algorithm.name
        ))],
        _ => vec![LintResult::pass("end-entity certificate is issued by a CA")],
    }
}

/// Parameters of [`revocation_info`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RevocationParams {
    /// Trust anchors (self-signed CA) carry no revocation pointer; skip them.
    pub skip_self_signed_ca: bool,
}
impl Default for RevocationParams {
    fn default() -> Self {
        Self {
            skip_self_signed_ca: true,
        }
    }
}

/// CRL distribution point or OCSP responder present.
pub fn revocation_info(cert: &Certificate, p: &RevocationParams) -> Vec<LintResult> {
    if p.skip_self_signed_ca && cert.is_ca() && cert.is_self_signed_or_issued() {
        return vec![];
    }
    if cert.crl_distribution_points.is_empty() && cert.ocsp_urls.is_empty() {
        vec![LintResult::fail(format!(
            "certificate {} has neither a CRL distribution point nor an OCSP URL; it cannot be revoked",
            cert.label()
        ))]
    } else {
        vec![LintResult::pass(format!(
            "revocation: {} CRL DP, {} OCSP",
            cert.crl_distribution_points.len(),
            cert.ocsp_urls.len()
        ))]
    }
}

/// Parameters of [`dev_leftovers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevLeftoverParams {
    /// Case-insensitive words matched at word boundaries (letters/digits on neither side).
    pub patterns: Vec<String>,
}
impl Default for DevLeftoverParams {
    fn default() -> Self {
        Self {
            patterns: [
                "test",
                "testing",
                "example",
                "localhost",
                "dev",
                "debug",
                "demo",
                "dummy",
                "sample",
                "snakeoil",
                "do not trust",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

fn word_match(hay: &str, word: &str) -> bool {
    if word.is_empty() {
        return false;
    }
    let h = hay.to_ascii_lowercase();
    let w = word.to_ascii_lowercase();
    let hb = h.as_bytes();
    let mut start = 0;
    while let Some(i) = h[start..].find(&w) {
        let s = start + i;
        let e = s + w.len();
        let before = s == 0 || !hb[s - 1].is_ascii_alphanumeric();
        let after = e >= hb.len() || !hb[e].is_ascii_alphanumeric();
        if before && after {
            return true;
        }
        start = s + 1;
        if start >= h.len() {
            break;
        }
        while !h.is_char_boundary(start) {
            start += 1;
        }
    }
    false
}

/// No development leftovers: subject, issuer and SAN names do not contain test/example/
/// localhost/dev/demo-style words (UN R155 28.2).
pub fn dev_leftovers(cert: &Certificate, p: &DevLeftoverParams) -> Vec<LintResult> {
    let mut fields: Vec<(&str, &str)> = vec![("subject", &cert.subject), ("issuer", &cert.issuer)];
    fields.extend(cert.san_dns.iter().map(|d| ("SAN DNS", d.as_str())));
    let mut out = Vec::new();
    for (what, v) in fields {
        if let Some(pat) = p.patterns.iter().find(|pat| word_match(v, pat)) {
            out.push(LintResult::fail(format!(
                "{what} `{v}` contains development marker `{pat}`"
            )));
        }
    }
    if out.is_empty() {
        out.push(LintResult::pass("no development markers in names"));
    }
    out
}

// ---------------------------------------------------------------- keys and fleet

/// A private key stored unencrypted (UN R155 Annex 5 19.3 / M11: keys belong in an HSM or
/// at least encrypted).
pub fn unencrypted_private_key(key: &PrivateKey, _p: &NoParams) -> Vec<LintResult> {
    if key.encrypted {
        vec![LintResult::pass(format!(
            "private key is encrypted ({})",
            key.encryption
                .clone()
                .unwrap_or_else(|| "unknown cipher".into())
        ))]
    } else {
        let name = |v: serde_json::Result<serde_json::Value>| {
            v.ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        vec![LintResult::fail(format!(
            "unencrypted {} private key ({}{}) stored in the build",
            name(serde_json::to_value(key.format)),
            name(serde_json::to_value(key.algorithm)),
            key.bits.map(|b| format!(", {b} bits")).unwrap_or_default()
        ))]
    }
}

/// The same key pair appears in the identity certificates of two different ECUs.
/// `identities` are (ECU name, certificate) pairs.
pub fn shared_key_pair(identities: &[(String, Certificate)], _p: &NoParams) -> Vec<LintResult> {
    let mut by_key: BTreeMap<&str, Vec<&(String, Certificate)>> = BTreeMap::new();
    for id in identities {
        by_key
            .entry(id.1.spki_sha256.as_str())
            .or_default()
            .push(id);
    }
    let mut out = Vec::new();
    for (spki, ids) in by_key {
        let mut ecus: Vec<&str> = ids.iter().map(|i| i.0.as_str()).collect();
        ecus.sort_unstable();
        ecus.dedup();
        if ecus.len() > 1 {
            out.push(LintResult::fail(format!(
                "ECUs {} share one key pair (SPKI SHA-256 {spki})",
                ecus.join(", ")
            )));
        }
    }
    if out.is_empty() {
        out.push(LintResult::pass(format!(
            "{} identity certificates, no shared key pairs",
            identities.len()
        )));
    }
    out
}

/// Runs every certificate lint with default parameters; keyed by check name (`cert.<fn>`).
pub fn all_default(cert: &Certificate, as_of: i64) -> BTreeMap<&'static str, Vec<LintResult>> {
    let mut m = BTreeMap::new();
    m.insert("cert.rsa_key_size", rsa_key_size(cert, &Default::default()));
    m.insert("cert.rsa_exponent", rsa_exponent(cert, &Default::default()));
    m.insert("cert.rsa_modulus", rsa_modulus(cert, &Default::default()));
    m.insert("cert.ec_curve", ec_curve(cert, &Default::default()));
    m.insert("cert.dsa_key", dsa_key(cert, &NoParams {}));
    m.insert(
        "cert.signature_hash",
        signature_hash(cert, &Default::default()),
    );
    m.insert(
        "cert.signature_algorithm_match",
        signature_algorithm_match(cert, &NoParams {}),
    );
    m.insert("cert.validity", validity(cert, &Default::default(), as_of));
    m.insert("cert.lifetime", lifetime(cert, &Default::default()));
    m.insert("cert.version3", version3(cert, &NoParams {}));
    m.insert(
        "cert.ca_basic_constraints",
        ca_basic_constraints(cert, &Default::default()),
    );
    m.insert("cert.ca_key_usage", ca_key_usage(cert, &Default::default()));
    m.insert("cert.leaf_not_ca", leaf_not_ca(cert, &Default::default()));
    m.insert("cert.eku_fits", eku_fits(cert, &Default::default()));
    m.insert(
        "cert.self_signed_leaf",
        self_signed_leaf(cert, &NoParams {}),
    );
    m.insert(
        "cert.revocation_info",
        revocation_info(cert, &Default::default()),
    );
    m.insert(
        "cert.dev_leftovers",
        dev_leftovers(cert, &Default::default()),
    );
    m
}

/// Every check name with the asset kind (slug) it evaluates: `certificate` checks run via
/// [`run_cert_check`], `private_key` via [`run_key_check`], `vehicle` via [`run_vehicle_check`].
pub const CHECKS: &[(&str, &str)] = &[
    ("cert.rsa_key_size", "certificate"),
    ("cert.rsa_exponent", "certificate"),
    ("cert.rsa_modulus", "certificate"),
    ("cert.ec_curve", "certificate"),
    ("cert.dsa_key", "certificate"),
    ("cert.signature_hash", "certificate"),
    ("cert.signature_algorithm_match", "certificate"),
    ("cert.validity", "certificate"),
    ("cert.lifetime", "certificate"),
    ("cert.version3", "certificate"),
    ("cert.ca_basic_constraints", "certificate"),
    ("cert.ca_key_usage", "certificate"),
    ("cert.leaf_not_ca", "certificate"),
    ("cert.eku_fits", "certificate"),
    ("cert.self_signed_leaf", "certificate"),
    ("cert.revocation_info", "certificate"),
    ("cert.dev_leftovers", "certificate"),
    ("cert.unencrypted_private_key", "private_key"),
    ("cert.shared_key_pair", "vehicle"),
];

/// Checks that `params` (JSON; `null`/`{}` for defaults) deserialises into the parameter
/// type of `check` (unknown keys and wrong types are errors). For rule-catalog loading.
pub fn validate_params(check: &str, p: &serde_json::Value) -> Result<(), String> {
    fn v<T: serde::de::DeserializeOwned + Default>(
        c: &str,
        p: &serde_json::Value,
    ) -> Result<(), String> {
        params::<T>(c, p).map(|_| ())
    }
    match check {
        "cert.rsa_key_size" => v::<RsaKeySizeParams>(check, p),
        "cert.rsa_exponent" => v::<RsaExponentParams>(check, p),
        "cert.rsa_modulus" => v::<RsaModulusParams>(check, p),
        "cert.ec_curve" => v::<EcCurveParams>(check, p),
        "cert.signature_hash" => v::<SignatureHashParams>(check, p),
        "cert.validity" => v::<ValidityParams>(check, p),
        "cert.lifetime" => v::<LifetimeParams>(check, p),
        "cert.ca_basic_constraints" => v::<CaBasicConstraintsParams>(check, p),
        "cert.ca_key_usage" => v::<CaKeyUsageParams>(check, p),
        "cert.leaf_not_ca" => v::<LeafParams>(check, p),
        "cert.eku_fits" => v::<EkuParams>(check, p),
        "cert.revocation_info" => v::<RevocationParams>(check, p),
        "cert.anchor_policy" => v::<AnchorPolicyParams>(check, p),
        "cert.dev_leftovers" => v::<DevLeftoverParams>(check, p),
        "cert.dsa_key"
        | "cert.signature_algorithm_match"
        | "cert.version3"
        | "cert.self_signed_leaf"
        | "cert.unencrypted_private_key"
        | "cert.shared_key_pair" => v::<NoParams>(check, p),
        other => Err(format!("unknown check `{other}`")),
    }
}

/// Names of the certificate checks accepted by [`run_cert_check`].
pub const CERT_CHECKS: &[&str] = &[
    "cert.rsa_key_size",
    "cert.rsa_exponent",
    "cert.rsa_modulus",
    "cert.ec_curve",
    "cert.dsa_key",
    "cert.signature_hash",
    "cert.signature_algorithm_match",
    "cert.validity",
    "cert.lifetime",
    "cert.version3",
    "cert.ca_basic_constraints",
    "cert.ca_key_usage",
    "cert.leaf_not_ca",
    "cert.eku_fits",
    "cert.self_signed_leaf",
    "cert.revocation_info",
    "cert.dev_leftovers",
    "cert.anchor_policy",
];

fn params<T: serde::de::DeserializeOwned + Default>(
    check: &str,
    v: &serde_json::Value,
) -> Result<T, String> {
    if v.is_null() {
        return Ok(T::default());
    }
    serde_json::from_value(v.clone()).map_err(|e| format!("{check}: invalid params: {e}"))
}

/// Runs a certificate check by its rule-catalog name (`cert.<fn>`) with parameters given as
/// JSON (`null` or `{}` for defaults; unknown fields are an error).
pub fn run_cert_check(
    check: &str,
    p: &serde_json::Value,
    cert: &Certificate,
    as_of: i64,
) -> Result<Vec<LintResult>, String> {
    Ok(match check {
        "cert.rsa_key_size" => rsa_key_size(cert, &params(check, p)?),
        "cert.rsa_exponent" => rsa_exponent(cert, &params(check, p)?),
        "cert.rsa_modulus" => rsa_modulus(cert, &params(check, p)?),
        "cert.ec_curve" => ec_curve(cert, &params(check, p)?),
        "cert.dsa_key" => dsa_key(cert, &params(check, p)?),
        "cert.signature_hash" => signature_hash(cert, &params(check, p)?),
        "cert.signature_algorithm_match" => signature_algorithm_match(cert, &params(check, p)?),
        "cert.validity" => validity(cert, &params(check, p)?, as_of),
        "cert.lifetime" => lifetime(cert, &params(check, p)?),
        "cert.version3" => version3(cert, &params(check, p)?),
        "cert.ca_basic_constraints" => ca_basic_constraints(cert, &params(check, p)?),
        "cert.ca_key_usage" => ca_key_usage(cert, &params(check, p)?),
        "cert.leaf_not_ca" => leaf_not_ca(cert, &params(check, p)?),
        "cert.eku_fits" => eku_fits(cert, &params(check, p)?),
        "cert.self_signed_leaf" => self_signed_leaf(cert, &params(check, p)?),
        "cert.revocation_info" => revocation_info(cert, &params(check, p)?),
        "cert.dev_leftovers" => dev_leftovers(cert, &params(check, p)?),
        "cert.anchor_policy" => anchor_policy(cert, &params(check, p)?, as_of),
        other => return Err(format!("unknown certificate check `{other}`")),
    })
}

/// Runs a private-key check by name (`cert.unencrypted_private_key`).
pub fn run_key_check(
    check: &str,
    p: &serde_json::Value,
    key: &PrivateKey,
) -> Result<Vec<LintResult>, String> {
    match check {
        "cert.unencrypted_private_key" => Ok(unencrypted_private_key(key, &params(check, p)?)),
        other => Err(format!("unknown private-key check `{other}`")),
    }
}

/// Runs a vehicle-level check by name (`cert.shared_key_pair`) over (ECU, identity
/// certificate) pairs.
pub fn run_vehicle_check(
    check: &str,
    p: &serde_json::Value,
    identities: &[(String, Certificate)],
) -> Result<Vec<LintResult>, String> {
    match check {
        "cert.shared_key_pair" => Ok(shared_key_pair(identities, &params(check, p)?)),
        other => Err(format!("unknown vehicle check `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fermat_finds_close_primes() {
        // p, q consecutive primes near 2^31.
        let p = BigUint::from(2_147_483_647u64);
        let q = BigUint::from(2_147_483_659u64);
        let n = &p * &q;
        let (a, b) = fermat_factor(&n, 10).unwrap();
        assert_eq!((a, b), (p, q));
        // 3 * large prime: not close, not found in 100 steps.
        assert!(fermat_factor(&BigUint::from(3u64 * 2_147_483_659u64), 100).is_none());
    }

    #[test]
    fn word_boundaries() {
        assert!(word_match("CN=dev-ecu.example.com", "dev"));
        assert!(!word_match("CN=device-01", "dev"));
        assert!(word_match("O=ACME Test CA", "test"));
        assert!(!word_match("O=Attestation Services", "test"));
        assert_eq!(date(END_OF_2030), "2030-12-31");
    }
}
