//! Code-point catalogs: cipher suites, named groups, alerts, signature algorithms.

use icvsec_model::tlsvocab::suites;

/// TLS 1.3 cipher suites offered in TLS 1.3 ClientHellos (RFC 8446 + RFC 8998 SM suites).
pub(crate) const TLS13_SUITES: [u16; 7] = [0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x00C6, 0x00C7];

/// IANA-style name of a cipher suite code point, if known.
/// (The one cipher-suite table of icvsec-tlsvocab.)
pub fn suite_name(code: u16) -> Option<&'static str> {
    suites::iana_name(code)
}

fn is_tls13_only(code: u16) -> bool {
    TLS13_SUITES.contains(&code) || (0x1300..=0x13FF).contains(&code)
}

fn is_signalling(code: u16) -> bool {
    // TLS_NULL_WITH_NULL_NULL is never negotiable; SCSVs are signals, not suites.
    matches!(code, 0x0000 | 0x00FF | 0x5600)
}

/// Every legacy (SSLv3 .. TLS 1.2, TLCP) code point offered when enumerating, ordered so that
/// the suites most servers support come first (ECDHE/DHE AEAD, then the rest by code point).
/// This order is only the client's offer order; results are reported sorted.
pub(crate) fn legacy_offer_list() -> Vec<u16> {
    let mut all: Vec<u16> = suites::known_codes()
        .into_iter()
        .filter(|&c| !is_tls13_only(c) && !is_signalling(c))
        .collect();
    // Commonly deployed suites first, so that the first chunk usually holds everything a
    // typical server accepts (matters only for servers with small cipher-list limits).
    let rank = |c: u16| -> u8 {
        let n = suite_name(c).unwrap_or("");
        if n.contains("ECDHE") && (n.contains("GCM") || n.contains("CHACHA20")) {
            0
        } else if n.contains("ECDHE") {
            1
        } else if n.starts_with("TLS_RSA_") || n.starts_with("TLS_DHE_") {
            2
        } else {
            3
        }
    };
    all.sort_by_key(|&c| (rank(c), c));
    all
}

/// ECDHE suites (any authentication), used to enumerate TLS 1.2 supported_groups.
pub(crate) fn ecdhe_suites() -> Vec<u16> {
    suites::known_codes()
        .into_iter()
        .filter(|&c| {
            suite_name(c).is_some_and(|n| n.contains("_ECDHE_") || n.contains("_ECDH_anon_"))
        })
        .filter(|&c| !is_tls13_only(c))
        .collect()
}

/// Named groups (IANA TLS Supported Groups registry).
static GROUP_NAMES: &[(u16, &str)] = &[
    (0x0001, "sect163k1"),
    (0x0002, "sect163r1"),
    (0x0003, "sect163r2"),
    (0x0004, "sect193r1"),
    (0x0005, "sect193r2"),
    (0x0006, "sect233k1"),
    (0x0007, "sect233r1"),
    (0x0008, "sect239k1"),
    (0x0009, "sect283k1"),
    (0x000A, "sect283r1"),
    (0x000B, "sect409k1"),
    (0x000C, "sect409r1"),
    (0x000D, "sect571k1"),
    (0x000E, "sect571r1"),
    (0x000F, "secp160k1"),
    (0x0010, "secp160r1"),
    (0x0011, "secp160r2"),
    (0x0012, "secp192k1"),
    (0x0013, "secp192r1"),
    (0x0014, "secp224k1"),
    (0x0015, "secp224r1"),
    (0x0016, "secp256k1"),
    (0x0017, "secp256r1"),
    (0x0018, "secp384r1"),
    (0x0019, "secp521r1"),
    (0x001A, "brainpoolP256r1"),
    (0x001B, "brainpoolP384r1"),
    (0x001C, "brainpoolP512r1"),
    (0x001D, "x25519"),
    (0x001E, "x448"),
    (0x001F, "brainpoolP256r1tls13"),
    (0x0020, "brainpoolP384r1tls13"),
    (0x0021, "brainpoolP512r1tls13"),
    (0x0029, "curveSM2"),
    (0x0100, "ffdhe2048"),
    (0x0101, "ffdhe3072"),
    (0x0102, "ffdhe4096"),
    (0x0103, "ffdhe6144"),
    (0x0104, "ffdhe8192"),
    (0x11EB, "SecP256r1MLKEM768"),
    (0x11EC, "X25519MLKEM768"),
    (0x11ED, "SecP384r1MLKEM1024"),
    (0x6399, "X25519Kyber768Draft00"),
];

pub fn group_name(code: u16) -> Option<&'static str> {
    GROUP_NAMES
        .binary_search_by_key(&code, |&(c, _)| c)
        .ok()
        .map(|i| GROUP_NAMES[i].1)
}

pub(crate) const X25519: u16 = 0x001D;
pub(crate) const SECP256R1: u16 = 0x0017;

/// Groups offered in TLS 1.3 (key exchange groups usable with TLS 1.3).
pub(crate) fn tls13_groups() -> Vec<u16> {
    let mut g = vec![
        X25519, SECP256R1, 0x0018, 0x0019, 0x001E, 0x001F, 0x0020, 0x0021, 0x0029, 0x0100, 0x0101,
        0x0102, 0x0103, 0x0104, 0x11EB, 0x11EC, 0x11ED, 0x6399,
    ];
    g.dedup();
    g
}

/// Elliptic curves offered for TLS 1.2-and-below ECDHE (RFC 8422 / RFC 7027 / RFC 8998 list).
pub(crate) fn ecdhe_groups() -> Vec<u16> {
    let mut g = vec![X25519, SECP256R1, 0x0018, 0x0019, 0x001E];
    g.extend((0x0001..=0x0016).chain(0x001A..=0x001C));
    g.push(0x0029);
    g
}

/// Signature algorithms offered (TLS 1.2 / 1.3 signature_algorithms), broad on purpose.
pub(crate) const SIGNATURE_ALGORITHMS: &[u16] = &[
    0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0809, 0x080A, 0x080B, 0x081A,
    0x081B, 0x081C, 0x0708, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602,
    0x0203, 0x0201, 0x0202, 0x0101, 0x0102, 0x0103, 0x0104, 0x0105, 0x0106,
];

/// Alert description names (RFC 8446 §6 and earlier registries).
pub fn alert_name(desc: u8) -> &'static str {
    match desc {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        41 => "no_certificate",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        60 => "export_restriction",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        111 => "certificate_unobtainable",
        112 => "unrecognized_name",
        113 => "bad_certificate_status_response",
        114 => "bad_certificate_hash_value",
        115 => "unknown_psk_identity",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => "unknown_alert",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_sorted_and_named() {
        assert!(GROUP_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(
            suite_name(0xC02F),
            Some("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
        );
        assert_eq!(suite_name(0x1301), Some("TLS_AES_128_GCM_SHA256"));
        assert_eq!(suite_name(0x00C6), Some("TLS_SM4_GCM_SM3"));
        assert_eq!(suite_name(0xE013), Some("ECC_SM4_CBC_SM3"));
        assert_eq!(suite_name(0x0003), Some("TLS_RSA_EXPORT_WITH_RC4_40_MD5"));
        assert_eq!(group_name(0x001D), Some("x25519"));
        let legacy = legacy_offer_list();
        assert!(legacy.len() > 300, "{}", legacy.len());
        for c in [
            0x0003u16, 0x0004, 0x0009, 0x000A, 0x0018, 0x0001, 0xE011, 0xE053, 0xC02F,
        ] {
            assert!(legacy.contains(&c), "{c:04X} not offered");
        }
        assert!(!legacy.contains(&0x1301) && !legacy.contains(&0x00FF));
        let mut d = legacy.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), legacy.len());
        assert!(ecdhe_suites().contains(&0xC02F));
        assert!(!ecdhe_suites().contains(&0x009C));
    }
}
