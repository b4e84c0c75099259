//! mbedTLS / wolfSSL configuration analysis.

use icvsec_tls::embedded::{Stack, analyze_mbedtls, analyze_wolfssl, parse_defines};
use icvsec_tls::policy::{PolicyParams, Severity, WeaknessCode};
use icvsec_tls::versions::Version;
use std::path::Path;

const MBEDTLS2_WEAK: &str = r#"/* config.h (mbed TLS 2.16 style) */
#ifndef MBEDTLS_CONFIG_H
#define MBEDTLS_CONFIG_H
#define MBEDTLS_CIPHER_MODE_CBC
#define MBEDTLS_CIPHER_NULL_CIPHER
//#define MBEDTLS_ENABLE_WEAK_CIPHERSUITES
//#define MBEDTLS_REMOVE_ARC4_CIPHERSUITES
#define MBEDTLS_REMOVE_3DES_CIPHERSUITES
#define MBEDTLS_KEY_EXCHANGE_RSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_PROTO_TLS1
#define MBEDTLS_SSL_PROTO_TLS1_1
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_AES_C
#define MBEDTLS_ARC4_C
#define MBEDTLS_DES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_MD5_C
#define MBEDTLS_SHA1_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#if 0
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE
#endif
#endif
"#;

const MBEDTLS3_GOOD: &str = r#"/* mbedtls_config.h */
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHAPOLY_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE
"#;

#[test]
fn mbedtls2_weak() {
    let d = parse_defines(MBEDTLS2_WEAK, Path::new("/src/config.h")).unwrap();
    let s = analyze_mbedtls(d, None, &PolicyParams::default());
    assert_eq!(s.stack, Stack::MbedTls2);
    let vs: Vec<Version> = s.versions.iter().map(|v| v.item).collect();
    assert_eq!(vs, vec![Version::Tls10, Version::Tls11, Version::Tls12]);
    assert_eq!(s.versions[0].at.as_ref().unwrap().line, 11);
    assert!(
        s.suites.contains(&"TLS_RSA_WITH_RC4_128_SHA".to_string()),
        "{:?}",
        s.suites
    );
    assert!(s.suites.contains(&"TLS_RSA_WITH_RC4_128_MD5".to_string()));
    assert!(
        s.suites
            .contains(&"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".to_string())
    );
    assert!(s.suites.contains(&"TLS_RSA_WITH_NULL_SHA256".to_string()));
    assert!(!s.suites.iter().any(|n| n.contains("3DES")), "3DES removed");
    assert!(
        !s.suites.iter().any(|n| n.contains("_DES_CBC_")),
        "single DES needs weak ciphersuites"
    );
    let codes: Vec<WeaknessCode> = s.weaknesses.iter().map(|w| w.weakness.code).collect();
    for c in [
        WeaknessCode::ProtocolBelowMin,
        WeaknessCode::Rc4,
        WeaknessCode::NullCipher,
        WeaknessCode::Md5Mac,
        WeaknessCode::NoForwardSecrecy,
        WeaknessCode::X509CheckDisabled,
    ] {
        assert!(codes.contains(&c), "{c:?} missing");
    }
    let rc4 = s
        .weaknesses
        .iter()
        .find(|w| w.weakness.code == WeaknessCode::Rc4)
        .unwrap();
    assert_eq!(rc4.at.as_ref().unwrap().line, 15);
    let eku = s
        .weaknesses
        .iter()
        .find(|w| w.weakness.item == "MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE")
        .unwrap();
    assert!(eku.at.is_none(), "#if 0 block ignored");
    assert!(
        !s.weaknesses
            .iter()
            .any(|w| w.weakness.item == "MBEDTLS_X509_CHECK_KEY_USAGE")
    );
}

#[test]
fn mbedtls3_good_and_override() {
    let d = parse_defines(MBEDTLS3_GOOD, Path::new("/inc/mbedtls_config.h")).unwrap();
    let s = analyze_mbedtls(d.clone(), Some(3), &PolicyParams::default());
    assert_eq!(s.stack, Stack::MbedTls3);
    assert!(s.suites.contains(&"TLS_AES_128_GCM_SHA256".to_string()));
    assert!(
        s.suites
            .contains(&"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384".to_string())
    );
    assert!(
        s.suites.iter().all(|n| !n.contains("CBC")),
        "{:?}",
        s.suites
    );
    assert!(
        s.weaknesses
            .iter()
            .all(|w| w.weakness.severity < Severity::Medium),
        "{:?}",
        s.weaknesses
    );

    let t = format!(
        "{MBEDTLS3_GOOD}#define MBEDTLS_SSL_CIPHERSUITES MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, MBEDTLS_TLS1_3_AES_128_GCM_SHA256\n"
    );
    let d = parse_defines(&t, Path::new("/inc/mbedtls_config.h")).unwrap();
    let s = analyze_mbedtls(d, Some(3), &PolicyParams::default());
    assert_eq!(
        s.suites,
        vec![
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
        ]
    );
}

#[test]
fn wolfssl() {
    let weak = "#define WOLFSSL_ALLOW_SSLV3\n#define WOLFSSL_ALLOW_TLSV10\n#define HAVE_NULL_CIPHER\n#define HAVE_ANON\n#define WOLFSSL_STATIC_RSA\n";
    let s = analyze_wolfssl(
        parse_defines(weak, Path::new("/u/user_settings.h")).unwrap(),
        &PolicyParams::default(),
    );
    let vs: Vec<Version> = s.versions.iter().map(|v| v.item).collect();
    assert_eq!(
        vs,
        vec![
            Version::Ssl3,
            Version::Tls10,
            Version::Tls11,
            Version::Tls12
        ]
    );
    let get = |c: WeaknessCode| s.weaknesses.iter().filter(move |w| w.weakness.code == c);
    assert_eq!(get(WeaknessCode::ProtocolBelowMin).count(), 3);
    assert_eq!(
        get(WeaknessCode::ProtocolBelowMin)
            .find(|w| w.weakness.item == "SSLv3")
            .unwrap()
            .at
            .as_ref()
            .unwrap()
            .line,
        1
    );
    assert!(
        get(WeaknessCode::Rc4).next().is_some(),
        "RC4 on without NO_RC4"
    );
    assert!(
        get(WeaknessCode::NullCipher)
            .next()
            .unwrap()
            .at
            .as_ref()
            .unwrap()
            .line
            == 3
    );
    assert!(get(WeaknessCode::Anonymous).next().is_some());
    assert!(get(WeaknessCode::NoForwardSecrecy).next().is_some());

    let good = "#define NO_OLD_TLS\n#define WOLFSSL_TLS13\n#define NO_RC4\n#define NO_DES3\n#define HAVE_AESGCM\n// #define HAVE_NULL_CIPHER\n";
    let s = analyze_wolfssl(
        parse_defines(good, Path::new("/u/user_settings.h")).unwrap(),
        &PolicyParams::default(),
    );
    let vs: Vec<Version> = s.versions.iter().map(|v| v.item).collect();
    assert_eq!(vs, vec![Version::Tls12, Version::Tls13]);
    assert!(
        s.weaknesses
            .iter()
            .all(|w| w.weakness.severity < Severity::Medium),
        "{:?}",
        s.weaknesses
    );
}

// ---- build hygiene (crypto-only builds, RNG stubs, truncated HMAC, certificate checks)

fn codes(s: &icvsec_tls::embedded::StackConfig) -> Vec<WeaknessCode> {
    s.weaknesses.iter().map(|w| w.weakness.code).collect()
}

#[test]
fn wolfcrypt_only_has_no_protocol_findings() {
    let h = "#define WOLFCRYPT_ONLY\n#define WOLFSSL_ALLOW_TLSV10\n#define WOLFSSL_STATIC_RSA\n#define HAVE_NULL_CIPHER\n#define HAVE_HASHDRBG\n";
    let s = analyze_wolfssl(
        parse_defines(h, Path::new("/user_settings.h")).unwrap(),
        &PolicyParams::default(),
    );
    assert!(s.crypto_only);
    assert!(s.versions.is_empty() && s.families.is_empty());
    assert!(s.weaknesses.is_empty(), "{:?}", s.weaknesses);
    // The same settings in a TLS build are findings.
    let s = analyze_wolfssl(
        parse_defines(
            &h.replace("WOLFCRYPT_ONLY", "HAVE_TLS_EXTENSIONS"),
            Path::new("/u.h"),
        )
        .unwrap(),
        &PolicyParams::default(),
    );
    let c = codes(&s);
    assert!(c.contains(&WeaknessCode::ProtocolBelowMin));
    assert!(c.contains(&WeaknessCode::NoForwardSecrecy));
    assert!(c.contains(&WeaknessCode::NullCipher));
}

#[test]
fn mbedtls_crypto_only() {
    let h = "#define MBEDTLS_AES_C\n#define MBEDTLS_SHA256_C\n#define MBEDTLS_CTR_DRBG_C\n#define MBEDTLS_ENTROPY_C\n";
    let s = analyze_mbedtls(
        parse_defines(h, Path::new("/mbedtls_config.h")).unwrap(),
        Some(3),
        &PolicyParams::default(),
    );
    assert!(s.crypto_only);
    assert!(s.weaknesses.is_empty(), "{:?}", s.weaknesses);
    // An explicit #undef MBEDTLS_SSL_TLS_C wins over leftover protocol macros.
    let h2 = format!("{h}#define MBEDTLS_SSL_PROTO_TLS1_1\n#undef MBEDTLS_SSL_TLS_C\n");
    let s = analyze_mbedtls(
        parse_defines(&h2, Path::new("/config.h")).unwrap(),
        Some(2),
        &PolicyParams::default(),
    );
    assert!(s.crypto_only && s.versions.is_empty());
    // Protocol macros without SSL_TLS_C: judged as TLS (excerpt of a configuration).
    let h3 = format!("{h}#define MBEDTLS_SSL_PROTO_TLS1_1\n");
    let s = analyze_mbedtls(
        parse_defines(&h3, Path::new("/config.h")).unwrap(),
        Some(2),
        &PolicyParams::default(),
    );
    assert!(!s.crypto_only);
}

#[test]
fn rng_stubs_and_test_seeds() {
    let h = "#define WOLFCRYPT_ONLY\n#define WOLFSSL_GENSEED_FORTEST\n#define CUSTOM_RAND_GENERATE_BLOCK(b, s) ((int)0)\n#define CUSTOM_RAND_GENERATE  ( (word32) 0x42 )\n#define CUSTOM_RAND_GENERATE_SEED my_trng_seed\n";
    let s = analyze_wolfssl(
        parse_defines(h, Path::new("/user_settings.h")).unwrap(),
        &PolicyParams::default(),
    );
    let items: Vec<&str> = s
        .weaknesses
        .iter()
        .filter(|w| w.weakness.code == WeaknessCode::InsecureRng)
        .map(|w| w.weakness.item.as_str())
        .collect();
    assert_eq!(
        items,
        vec![
            "WOLFSSL_GENSEED_FORTEST",
            "CUSTOM_RAND_GENERATE",
            "CUSTOM_RAND_GENERATE_BLOCK"
        ]
    );
    assert_eq!(s.weaknesses[0].at.as_ref().unwrap().line, 2);
    assert_eq!(s.weaknesses[0].weakness.severity, Severity::Critical);

    let m = |h: &str| {
        codes(&analyze_mbedtls(
            parse_defines(h, Path::new("/mbedtls_config.h")).unwrap(),
            Some(3),
            &PolicyParams::default(),
        ))
    };
    assert!(m("#define MBEDTLS_TEST_NULL_ENTROPY\n").contains(&WeaknessCode::InsecureRng));
    assert!(m("#define MBEDTLS_NO_PLATFORM_ENTROPY\n").contains(&WeaknessCode::InsecureRng));
    assert!(
        !m("#define MBEDTLS_NO_PLATFORM_ENTROPY\n#define MBEDTLS_ENTROPY_HARDWARE_ALT\n")
            .contains(&WeaknessCode::InsecureRng)
    );
}

#[test]
fn truncated_hmac_and_certificate_leniency() {
    let tls = "#define MBEDTLS_SSL_TLS_C\n#define MBEDTLS_SSL_PROTO_TLS1_2\n#define MBEDTLS_X509_CRT_PARSE_C\n#define MBEDTLS_X509_CHECK_KEY_USAGE\n#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE\n";
    let h = format!(
        "{tls}#define MBEDTLS_SSL_TRUNCATED_HMAC\n#define MBEDTLS_X509_ALLOW_UNSUPPORTED_CRITICAL_EXTENSION\n"
    );
    let s = analyze_mbedtls(
        parse_defines(&h, Path::new("/config.h")).unwrap(),
        Some(2),
        &PolicyParams::default(),
    );
    let c = codes(&s);
    assert!(c.contains(&WeaknessCode::TruncatedHmac));
    assert!(c.contains(&WeaknessCode::CertCheckWeakened));
    let clean = analyze_mbedtls(
        parse_defines(tls, Path::new("/config.h")).unwrap(),
        Some(2),
        &PolicyParams::default(),
    );
    let c = codes(&clean);
    assert!(
        !c.contains(&WeaknessCode::TruncatedHmac) && !c.contains(&WeaknessCode::CertCheckWeakened)
    );
    let w = analyze_wolfssl(
        parse_defines(
            "#define NO_OLD_TLS\n#define WOLFSSL_NO_VERIFYSERVER\n#define NO_ASN_TIME\n#define HAVE_TRUNCATED_HMAC\n",
            Path::new("/user_settings.h"),
        )
        .unwrap(),
        &PolicyParams::default(),
    );
    let items: Vec<(WeaknessCode, &str)> = w
        .weaknesses
        .iter()
        .filter(|x| {
            matches!(
                x.weakness.code,
                WeaknessCode::TruncatedHmac | WeaknessCode::CertCheckWeakened
            )
        })
        .map(|x| (x.weakness.code, x.weakness.item.as_str()))
        .collect();
    assert_eq!(
        items,
        vec![
            (WeaknessCode::TruncatedHmac, "HAVE_TRUNCATED_HMAC"),
            (WeaknessCode::CertCheckWeakened, "WOLFSSL_NO_VERIFYSERVER"),
            (WeaknessCode::CertCheckWeakened, "NO_ASN_TIME"),
        ]
    );
}

#[test]
fn wolfssl_static_psk_is_not_forward_secret() {
    let s = analyze_wolfssl(
        parse_defines(
            "#define NO_OLD_TLS\n#define WOLFSSL_STATIC_PSK\n",
            Path::new("/user_settings.h"),
        )
        .unwrap(),
        &PolicyParams::default(),
    );
    let w = s
        .weaknesses
        .iter()
        .find(|w| w.weakness.code == WeaknessCode::NoForwardSecrecy)
        .unwrap();
    assert_eq!(w.weakness.item, "WOLFSSL_STATIC_PSK");
    assert_eq!(w.at.as_ref().unwrap().line, 2);
}
