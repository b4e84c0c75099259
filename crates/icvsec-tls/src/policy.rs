//! Weakness assessment of enabled protocol versions, cipher suites and key-exchange groups.
//!
//! Thresholds come from [`PolicyParams`]; the defaults follow requirements.md §5 (NIST SP
//! 800-52r2: TLS 1.2 minimum, TLS 1.3 preferred; NIST SP 800-57: DH ≥ 2048 bits, ECC ≥ 224
//! bits; deprecated: RC4, 3DES, NULL and export suites, MD5).

use crate::suites::{CipherSuite, KeyExchange};
use crate::versions::Version;
use serde::{Deserialize, Serialize};

/// Stable weakness codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WeaknessCode {
    /// A protocol version below `min_version` is enabled (SSLv2/SSLv3/TLS 1.0/1.1).
    ProtocolBelowMin,
    /// TLCP is enabled although `allow_tlcp` is false.
    TlcpNotAllowed,
    /// TLS 1.3 is not enabled (informational; TLS 1.3 is preferred).
    Tls13NotEnabled,
    /// No protocol version is enabled at all.
    NoProtocol,
    /// The cipher configuration selects no suite usable with the enabled versions.
    NoCipherMatch,
    /// NULL encryption.
    NullCipher,
    /// Anonymous (unauthenticated) key exchange.
    Anonymous,
    /// Export-grade suite.
    Export,
    /// RC4.
    Rc4,
    /// Single DES.
    Des,
    /// Triple DES (64-bit block: SWEET32).
    #[serde(rename = "3des")]
    TripleDes,
    /// Encryption weaker than `min_enc_bits` (other than the cases above).
    WeakCipherBits,
    /// MD5 record MAC.
    Md5Mac,
    /// Key exchange without forward secrecy (static RSA/DH/ECDH, TLCP ECC, plain PSK).
    NoForwardSecrecy,
    /// Non-AEAD (CBC) suite.
    NotAead,
    /// Finite-field DH group smaller than `min_dh_bits`.
    WeakDhGroup,
    /// DHE suites enabled but the DH parameters could not be read or parsed.
    DhParamsUnverified,
    /// Elliptic-curve group smaller than `min_ecc_bits`.
    WeakEccGroup,
    /// A group name this crate does not know.
    UnknownGroup,
    /// An embedded TLS stack is built without X.509 key-usage / extended-key-usage checks.
    X509CheckDisabled,
    /// An embedded stack is built with a test-only seed, a constant RNG stub or no entropy
    /// source (WOLFSSL_GENSEED_FORTEST, CUSTOM_RAND_GENERATE constant,
    /// MBEDTLS_TEST_NULL_ENTROPY, MBEDTLS_NO_PLATFORM_ENTROPY without a hardware source).
    InsecureRng,
    /// Truncated HMAC (80-bit record MAC) is compiled in (MBEDTLS_SSL_TRUNCATED_HMAC,
    /// wolfSSL HAVE_TRUNCATED_HMAC).
    TruncatedHmac,
    /// Certificate verification is weakened at build time (unknown critical extensions
    /// accepted, validity dates or name constraints not checked, server not verified).
    CertCheckWeakened,
}

impl WeaknessCode {
    /// The snake_case code string.
    pub fn as_str(self) -> &'static str {
        use WeaknessCode::*;
        match self {
            ProtocolBelowMin => "protocol_below_min",
            TlcpNotAllowed => "tlcp_not_allowed",
            Tls13NotEnabled => "tls13_not_enabled",
            NoProtocol => "no_protocol",
            NoCipherMatch => "no_cipher_match",
            NullCipher => "null_cipher",
            Anonymous => "anonymous",
            Export => "export",
            Rc4 => "rc4",
            Des => "des",
            TripleDes => "3des",
            WeakCipherBits => "weak_cipher_bits",
            Md5Mac => "md5_mac",
            NoForwardSecrecy => "no_forward_secrecy",
            NotAead => "not_aead",
            WeakDhGroup => "weak_dh_group",
            DhParamsUnverified => "dh_params_unverified",
            WeakEccGroup => "weak_ecc_group",
            UnknownGroup => "unknown_group",
            X509CheckDisabled => "x509_check_disabled",
            InsecureRng => "insecure_rng",
            TruncatedHmac => "truncated_hmac",
            CertCheckWeakened => "cert_check_weakened",
        }
    }
}

/// Severity of a weakness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Weakness {
    /// Stable code.
    pub code: WeaknessCode,
    /// Severity.
    pub severity: Severity,
    /// The offending item: a version name, suite name, group name or DH size.
    pub item: String,
    /// Human-readable explanation.
    pub message: String,
}

/// Thresholds (serde; every field has a default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyParams {
    /// Minimum TLS version (default TLS 1.2).
    pub min_version: Version,
    /// Whether TLCP (GB/T 38636) is acceptable (default true).
    pub allow_tlcp: bool,
    /// Report `tls13_not_enabled` (default true, severity info).
    pub prefer_tls13: bool,
    /// Minimum finite-field DH size (default 2048).
    pub min_dh_bits: u32,
    /// Minimum elliptic-curve size (default 224).
    pub min_ecc_bits: u32,
    /// Minimum symmetric strength in bits, OpenSSL's measure (3DES = 112) (default 128).
    pub min_enc_bits: u16,
    /// Report suites without forward secrecy (default true).
    pub require_forward_secrecy: bool,
    /// Report non-AEAD suites (default true, severity low).
    pub require_aead: bool,
}

impl Default for PolicyParams {
    fn default() -> Self {
        PolicyParams {
            min_version: Version::Tls12,
            allow_tlcp: true,
            prefer_tls13: true,
            min_dh_bits: 2048,
            min_ecc_bits: 224,
            min_enc_bits: 128,
            require_forward_secrecy: true,
            require_aead: true,
        }
    }
}

/// What is known about the server's finite-field DH parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DhParams {
    /// Not relevant or not known (no finding is made).
    #[default]
    Unknown,
    /// No parameters configured (e.g. nginx ≥ 1.11 without `ssl_dhparam`: DHE is not used).
    NotConfigured,
    /// Parameters read: prime size in bits.
    Bits(u32),
    /// Parameters configured but unreadable/unparsable (reason).
    Unreadable(String),
}

/// Assessment context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AssessContext {
    /// Thresholds.
    pub params: PolicyParams,
    /// DH parameters of the server.
    pub dh: DhParams,
}

/// Size in bits of a named group (EC curve or FFDHE group), with whether it is
/// finite-field. `None` for unknown names.
pub fn group_bits(name: &str) -> Option<(u32, bool)> {
    let n = name.trim().to_ascii_lowercase().replace('_', "-");
    let ec = |b| Some((b, false));
    match n.as_str() {
        "x25519" => ec(253),
        "x448" => ec(448),
        "secp192r1" | "prime192v1" | "p-192" => ec(192),
        "secp224r1" | "p-224" => ec(224),
        "secp256r1" | "prime256v1" | "p-256" => ec(256),
        "secp384r1" | "p-384" => ec(384),
        "secp521r1" | "p-521" => ec(521),
        "secp256k1" => ec(256),
        "secp160r1" | "secp160r2" | "secp160k1" => ec(160),
        "secp192k1" => ec(192),
        "secp224k1" => ec(224),
        "sect163k1" | "sect163r1" | "sect163r2" | "k-163" | "b-163" => ec(163),
        "sect233k1" | "sect233r1" | "k-233" | "b-233" => ec(233),
        "sect283k1" | "sect283r1" | "k-283" | "b-283" => ec(283),
        "sect409k1" | "sect409r1" | "k-409" | "b-409" => ec(409),
        "sect571k1" | "sect571r1" | "k-571" | "b-571" => ec(571),
        "brainpoolp256r1" | "brainpoolp256r1tls13" => ec(256),
        "brainpoolp384r1" | "brainpoolp384r1tls13" => ec(384),
        "brainpoolp512r1" | "brainpoolp512r1tls13" => ec(512),
        "sm2" | "curvesm2" | "sm2p256v1" => ec(256),
        "ffdhe2048" => Some((2048, true)),
        "ffdhe3072" => Some((3072, true)),
        "ffdhe4096" => Some((4096, true)),
        "ffdhe6144" => Some((6144, true)),
        "ffdhe8192" => Some((8192, true)),
        _ => None,
    }
}

fn w(code: WeaknessCode, severity: Severity, item: impl Into<String>, message: String) -> Weakness {
    Weakness {
        code,
        severity,
        item: item.into(),
        message,
    }
}

/// Assess enabled `versions`, configured `suites` (TLS ≤ 1.2 / TLCP / TLS 1.3 suites; only
/// those usable with an enabled version are judged) and key-exchange `groups`
/// (EC curves or FFDHE names; "auto" and empty entries are ignored).
///
/// Returns the weaknesses sorted by (code, item), one per offending item.
pub fn assess(
    versions: &[Version],
    suites: &[CipherSuite],
    groups: &[String],
    ctx: &AssessContext,
) -> Vec<Weakness> {
    use Severity::*;
    use WeaknessCode::*;
    let p = &ctx.params;
    let mut out = Vec::new();
    if versions.is_empty() {
        out.push(w(
            NoProtocol,
            High,
            "",
            "no protocol version is enabled".into(),
        ));
    }
    let min_rank = p.min_version.tls_rank().unwrap_or(4);
    for v in versions {
        match v.tls_rank() {
            Some(r) if r < min_rank => out.push(w(
                ProtocolBelowMin,
                if r <= 1 { Critical } else { High },
                v.name(),
                format!(
                    "{} is enabled; minimum is {}",
                    v.name(),
                    p.min_version.name()
                ),
            )),
            None if !p.allow_tlcp => out.push(w(
                TlcpNotAllowed,
                Medium,
                v.name(),
                "TLCP is enabled but not allowed by policy".into(),
            )),
            _ => {}
        }
    }
    if p.prefer_tls13 && !versions.is_empty() && !versions.contains(&Version::Tls13) {
        out.push(w(
            Tls13NotEnabled,
            Info,
            "TLSv1.3",
            "TLS 1.3 is not enabled (TLS 1.3 is preferred)".into(),
        ));
    }
    let usable: Vec<&CipherSuite> = suites
        .iter()
        .filter(|c| versions.iter().any(|v| c.usable_with(*v)))
        .collect();
    let needs_pre13 = versions
        .iter()
        .any(|v| matches!(v.tls_rank(), Some(r) if r <= 4));
    if needs_pre13
        && !usable
            .iter()
            .any(|c| c.family != crate::suites::ProtocolFamily::Tls13)
    {
        out.push(w(
            NoCipherMatch,
            Medium,
            "",
            "the cipher configuration selects no suite usable with the enabled TLS <= 1.2 versions (OpenSSL rejects such a configuration)".into(),
        ));
    }
    let mut dhe = false;
    for c in &usable {
        let n = c.display_name();
        let f = &c.flags;
        if f.null {
            out.push(w(NullCipher, Critical, n, format!("{n}: NULL encryption")));
        }
        if f.anonymous {
            out.push(w(
                Anonymous,
                Critical,
                n,
                format!("{n}: no server authentication"),
            ));
        }
        if f.export {
            out.push(w(Export, Critical, n, format!("{n}: export-grade suite")));
        }
        if f.rc4 {
            out.push(w(
                Rc4,
                High,
                n,
                format!("{n}: RC4 is prohibited (RFC 7465)"),
            ));
        }
        if f.des {
            out.push(w(Des, High, n, format!("{n}: single DES")));
        }
        if f.triple_des {
            out.push(w(
                TripleDes,
                Medium,
                n,
                format!("{n}: 3DES (64-bit block, SWEET32)"),
            ));
        }
        if !f.null
            && !f.export
            && !f.des
            && !f.triple_des
            && !f.rc4
            && c.enc.strength_bits() < p.min_enc_bits
        {
            out.push(w(
                WeakCipherBits,
                High,
                n,
                format!(
                    "{n}: {} bit encryption < {}",
                    c.enc.strength_bits(),
                    p.min_enc_bits
                ),
            ));
        }
        if f.md5 {
            out.push(w(Md5Mac, High, n, format!("{n}: MD5 record MAC")));
        }
        if p.require_forward_secrecy && !f.forward_secrecy {
            out.push(w(
                NoForwardSecrecy,
                Medium,
                n,
                format!("{n}: key exchange {:?} has no forward secrecy", c.kx),
            ));
        }
        if p.require_aead && !f.aead && !f.null {
            out.push(w(
                NotAead,
                Low,
                n,
                format!("{n}: not an AEAD suite (CBC/stream)"),
            ));
        }
        if matches!(c.kx, KeyExchange::Dhe | KeyExchange::DhePsk) {
            dhe = true;
        }
    }
    if dhe {
        match &ctx.dh {
            DhParams::Bits(b) if *b < p.min_dh_bits => out.push(w(
                WeakDhGroup,
                if *b < 1024 { Critical } else { High },
                format!("DH {b} bits"),
                format!(
                    "DHE suites use a {b}-bit DH group; minimum is {}",
                    p.min_dh_bits
                ),
            )),
            DhParams::Unreadable(why) => out.push(w(
                DhParamsUnverified,
                Info,
                "dhparam",
                format!("DHE suites enabled but the DH parameters could not be checked: {why}"),
            )),
            _ => {}
        }
    }
    for g in groups {
        let g = g.trim();
        if g.is_empty() || g.eq_ignore_ascii_case("auto") {
            continue;
        }
        match group_bits(g) {
            Some((b, true)) if b < p.min_dh_bits => out.push(w(
                WeakDhGroup,
                High,
                g,
                format!("group {g}: {b}-bit DH < {}", p.min_dh_bits),
            )),
            Some((b, false)) if b < p.min_ecc_bits => out.push(w(
                WeakEccGroup,
                Medium,
                g,
                format!("group {g}: {b}-bit curve < {}", p.min_ecc_bits),
            )),
            Some(_) => {}
            None => out.push(w(
                UnknownGroup,
                Info,
                g,
                format!("group {g} is not known; not assessed"),
            )),
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Prime size in bits of PEM "DH PARAMETERS" / "X9.42 DH PARAMETERS" (PKCS#3 / X9.42).
pub fn dh_params_bits(pem: &str) -> Result<u32, String> {
    let begin = pem
        .find("-----BEGIN DH PARAMETERS-----")
        .map(|i| {
            (
                i,
                "-----BEGIN DH PARAMETERS-----",
                "-----END DH PARAMETERS-----",
            )
        })
        .or_else(|| {
            pem.find("-----BEGIN X9.42 DH PARAMETERS-----").map(|i| {
                (
                    i,
                    "-----BEGIN X9.42 DH PARAMETERS-----",
                    "-----END X9.42 DH PARAMETERS-----",
                )
            })
        })
        .ok_or("no DH PARAMETERS PEM block")?;
    let body_start = begin.0 + begin.1.len();
    let end = pem[body_start..]
        .find(begin.2)
        .ok_or("unterminated DH PARAMETERS block")?;
    let der = base64_decode(&pem[body_start..body_start + end])?;
    // SEQUENCE { INTEGER p, ... }
    let (tag, seq, _) = der_tlv(&der).ok_or("bad DER")?;
    if tag != 0x30 {
        return Err("DH parameters are not a DER SEQUENCE".into());
    }
    let (tag, p, _) = der_tlv(seq).ok_or("bad DER integer")?;
    if tag != 0x02 {
        return Err("first element is not an INTEGER".into());
    }
    let p: Vec<u8> = p.iter().copied().skip_while(|b| *b == 0).collect();
    if p.is_empty() {
        return Err("zero prime".into());
    }
    Ok((p.len() as u32 - 1) * 8 + (8 - p[0].leading_zeros()))
}

fn der_tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *d.first()?;
    let l0 = *d.get(1)? as usize;
    let (len, hdr) = if l0 < 0x80 {
        (l0, 2)
    } else {
        let n = l0 & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *d.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let body = d.get(hdr..hdr.checked_add(len)?)?;
    Some((tag, body, &d[hdr + len..]))
}

fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut n = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return Err(format!("invalid base64 character {:?}", c as char)),
        };
        acc = (acc << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((acc >> n) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cipherstring::expand;

    fn codes(v: &[Weakness]) -> Vec<&'static str> {
        let mut c: Vec<_> = v.iter().map(|w| w.code.as_str()).collect();
        c.dedup();
        c
    }

    #[test]
    fn assess_basic() {
        let ctx = AssessContext::default();
        let s = expand("ECDHE+AESGCM:!aNULL").unwrap().suites;
        let r = assess(
            &[Version::Tls12, Version::Tls13],
            &s,
            &["X25519".into(), "secp384r1".into()],
            &ctx,
        );
        assert!(r.is_empty(), "{r:?}");
        let s = expand("RC4-MD5:DES-CBC3-SHA:NULL-SHA:ADH-AES128-SHA")
            .unwrap()
            .suites;
        let r = assess(
            &[Version::Tls10, Version::Tls12],
            &s,
            &["secp192r1".into(), "ffdhe2048".into()],
            &ctx,
        );
        let c = codes(&r);
        for want in [
            "protocol_below_min",
            "tls13_not_enabled",
            "null_cipher",
            "anonymous",
            "rc4",
            "3des",
            "md5_mac",
            "no_forward_secrecy",
            "not_aead",
            "weak_ecc_group",
        ] {
            assert!(c.contains(&want), "{want} missing from {c:?}");
        }
        assert!(!c.contains(&"weak_dh_group"));
        let r = assess(
            &[Version::Tls12],
            &expand("DHE-RSA-AES128-GCM-SHA256").unwrap().suites,
            &[],
            &AssessContext {
                dh: DhParams::Bits(1024),
                ..Default::default()
            },
        );
        assert!(
            r.iter()
                .any(|w| w.code == WeaknessCode::WeakDhGroup && w.item == "DH 1024 bits")
        );
        let r = assess(&[Version::Tls12], &[], &[], &ctx);
        assert!(r.iter().any(|w| w.code == WeaknessCode::NoCipherMatch));
        // TLS 1.3 only: TLS 1.2 suites are not judged.
        let r = assess(
            &[Version::Tls13],
            &expand("RC4-SHA").unwrap().suites,
            &[],
            &ctx,
        );
        assert!(r.is_empty(), "{r:?}");
        let j = serde_json::to_string(&r).unwrap();
        assert_eq!(j, "[]");
        let p: PolicyParams = serde_json::from_str(r#"{"min_version":"TLSv1.3"}"#).unwrap();
        assert_eq!(p.min_dh_bits, 2048);
        assert_eq!(p.min_version, Version::Tls13);
    }

    #[test]
    fn dhparam_pem() {
        // RFC 7919 ffdhe2048 and a 1024-bit X9.42 group, both generated with openssl.
        let ff = "-----BEGIN DH PARAMETERS-----\nMIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz\n+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a\n87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7\nYdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi\n7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD\nssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==\n-----END DH PARAMETERS-----\n";
        assert_eq!(dh_params_bits(ff).unwrap(), 2048);
        let x = "-----BEGIN X9.42 DH PARAMETERS-----\nMIIBJgKBgQCSRCON3O9wLIPqLyRZWrmlOSEqhafjMLS1tZhflbzoVl2gIcKoW1Xn\ndOffqixiByOjgYZOVi2EeCve2MAoI+0tA3epmmmo11Rx4FtEgFBofTHyylmkzbpz\nRACReTUGIFnIcoQsV0MAjZUFUMHMVUkSQg/EH+LWmMcTZ0dI6qU3VwKBgAYWzi+f\njO8mbwx12VpvBK/aJnLcTfxDWISu+oenckp2ps1i1lrkwzilUyddjQdN3F0Gbcu+\nddQn0IykBFXU4XuHLEO3AZ077oM3+I2WylDHjFut/EaWHGj4YzijLPSyCfvXbfty\nDFmHVsyEjUynvhllZdNKQWj3maa7cqM32FyIAh0A3Vnij6QHUhUWf2hFyUtf8naA\nLkHzESpTFsrjCw==\n-----END X9.42 DH PARAMETERS-----\n";
        assert_eq!(dh_params_bits(x).unwrap(), 1024);
        assert!(dh_params_bits("nothing").is_err());
    }
}
