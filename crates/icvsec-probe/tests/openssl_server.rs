//! The probe against real `openssl s_server` instances on 127.0.0.1 (ports picked at run
//! time, servers killed on drop). Expected suite sets come from `openssl ciphers -V -s`
//! with the same cipher string, filtered to suites an RSA certificate can serve.
//!
//! Note: OpenSSL 3 refuses TLS 1.0/1.1 handshakes at its default security level (their
//! MD5/SHA-1 handshake signatures are below level 1), so the weak setups use
//! `@SECLEVEL=0`.

mod common;

use std::collections::BTreeSet;

use common::*;
use icvsec_probe::{ProtocolStatus, Version, probe_tls};

const OTHER_THAN_13: [Version; 5] = [
    Version::Ssl3,
    Version::Tls10,
    Version::Tls11,
    Version::Tls12,
    Version::Tlcp,
];

#[test]
fn strong_tls13_only() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("tls13");
    let (cert, key) = make_cert(dir.path());
    let (_srv, port) = start_s_server(&cert, &key, &["-tls1_3"]);
    let r = probe_tls(&format!("127.0.0.1:{port}"), &opts());
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(
        r.resolved_address.as_deref(),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    assert_eq!(r.sni, None, "no SNI for an IP literal");
    assert_eq!(r.accepted_versions(), vec![Version::Tls13]);
    for v in OTHER_THAN_13 {
        assert_eq!(status(&r, v), ProtocolStatus::Rejected, "{v:?}");
    }
    // OpenSSL's default TLS 1.3 ciphersuites.
    let want: BTreeSet<u16> = [0x1301, 0x1302, 0x1303].into();
    assert_eq!(suites(&r, Version::Tls13), want);
    let p13 = r.protocol(Version::Tls13).unwrap();
    // s_server without -serverpref follows the client's order.
    assert_eq!(p13.server_enforces_order, Some(false));
    assert_eq!(
        p13.cipher_suites[0].name.as_deref(),
        Some("TLS_AES_128_GCM_SHA256")
    );
    // Groups: OpenSSL 3.0 default list.
    let g: Vec<&str> = r
        .groups
        .tls13
        .iter()
        .filter_map(|g| g.name.as_deref())
        .collect();
    for name in ["x25519", "secp256r1", "x448", "secp521r1", "secp384r1"] {
        assert!(g.contains(&name), "{name} missing from {g:?}");
    }
    assert_eq!(
        r.groups.tls13_negotiated.as_ref().map(|g| g.code),
        Some(0x001D)
    );
    assert!(r.groups.ecdhe.is_empty());
    // Chain through rustls, equal to the served certificate.
    assert_eq!(
        r.certificate_chain_source.as_deref(),
        Some("TLSv1.3 handshake (rustls)")
    );
    assert_eq!(r.certificate_chain.len(), 1);
    let served = std::fs::read_to_string(&cert).unwrap();
    assert_eq!(pem_body(&r.certificate_chain[0]), pem_body(&served));
    assert_eq!(r.client_auth.requested, Some(false));
    assert_eq!(r.client_auth.checked_in, vec![Version::Tls13]);
    // JSON round trip.
    let back = icvsec_probe::ProbeResult::from_json(&r.to_json()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn strong_tls12_ecdhe_aesgcm_server_order() {
    if !have_openssl() {
        return;
    }
    let spec = "ECDHE+AESGCM";
    let dir = TempDir::new("tls12");
    let (cert, key) = make_cert(dir.path());
    let (_srv, port) = start_s_server(&cert, &key, &["-tls1_2", "-cipher", spec, "-serverpref"]);
    let r = probe_tls(&format!("127.0.0.1:{port}"), &opts());
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(r.accepted_versions(), vec![Version::Tls12]);
    for v in [
        Version::Ssl3,
        Version::Tls10,
        Version::Tls11,
        Version::Tls13,
    ] {
        assert_eq!(status(&r, v), ProtocolStatus::Rejected, "{v:?}");
    }
    let want_order = openssl_ciphers("-tls1_2", spec, &["RSA"]);
    assert!(want_order.len() >= 2, "{want_order:?}");
    let want: BTreeSet<u16> = want_order.iter().copied().collect();
    let got = suites(&r, Version::Tls12);
    assert_eq!(hexes(&got), hexes(&want));
    let p12 = r.protocol(Version::Tls12).unwrap();
    assert_eq!(p12.server_enforces_order, Some(true));
    assert_eq!(
        p12.server_preference, want_order,
        "server order = openssl ciphers order"
    );
    for s in &p12.cipher_suites {
        let n = s.name.as_deref().unwrap();
        assert!(
            n.starts_with("TLS_ECDHE_RSA_WITH_AES_") && n.contains("GCM"),
            "{n}"
        );
    }
    // ECDHE groups via supported_groups / ServerKeyExchange.
    let g: Vec<u16> = r.groups.ecdhe.iter().map(|g| g.code).collect();
    for c in [0x001D, 0x0017, 0x0018] {
        assert!(g.contains(&c), "group 0x{c:04X} missing from {g:?}");
    }
    assert_eq!(r.groups.ecdhe_version, Some(Version::Tls12));
    assert!(r.groups.ecdhe_negotiated.is_some());
    assert!(r.groups.tls13.is_empty());
    // Chain from the plaintext TLS 1.2 Certificate message.
    assert_eq!(
        r.certificate_chain_source.as_deref(),
        Some("TLSv1.2 handshake")
    );
    let served = std::fs::read_to_string(&cert).unwrap();
    assert_eq!(pem_body(&r.certificate_chain[0]), pem_body(&served));
    assert_eq!(r.client_auth.requested, Some(false));
}

#[test]
fn weak_tls10_seclevel0_with_client_cert_request() {
    if !have_openssl() {
        return;
    }
    let spec = "ALL:@SECLEVEL=0";
    let dir = TempDir::new("weak");
    let (cert, key) = make_cert(dir.path());
    let (_srv, port) = start_s_server(&cert, &key, &["-tls1", "-cipher", spec, "-verify", "1"]);
    let r = probe_tls(&format!("127.0.0.1:{port}"), &opts());
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(r.accepted_versions(), vec![Version::Tls10]);
    // Suites an RSA certificate can serve (RSA-authenticated and anonymous).
    let want: BTreeSet<u16> = openssl_ciphers("-tls1", spec, &["RSA", "None"])
        .into_iter()
        .collect();
    assert!(want.len() >= 8, "{want:?}");
    let got = suites(&r, Version::Tls10);
    assert_eq!(hexes(&got), hexes(&want));
    let names: Vec<&str> = r
        .protocol(Version::Tls10)
        .unwrap()
        .cipher_suites
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect();
    assert!(
        names.iter().any(|n| n.contains("_anon_")),
        "anonymous suites: {names:?}"
    );
    assert!(names.contains(&"TLS_RSA_WITH_AES_128_CBC_SHA"));
    // s_server -verify sends a CertificateRequest (TLS 1.0: plaintext).
    assert_eq!(r.client_auth.requested, Some(true));
    assert_eq!(r.client_auth.requested_in, vec![Version::Tls10]);
    assert_eq!(
        r.protocol(Version::Tls10)
            .unwrap()
            .client_certificate_requested,
        Some(true)
    );
    assert_eq!(
        r.certificate_chain_source.as_deref(),
        Some("TLSv1.0 handshake")
    );
    // ECDHE curves enumerated through TLS 1.0 since TLS 1.2 is refused.
    assert_eq!(r.groups.ecdhe_version, Some(Version::Tls10));
    assert!(r.groups.ecdhe.iter().any(|g| g.code == 0x0017));
}

#[test]
fn weak_tls11_tls12_and_client_cert_in_tls13() {
    if !have_openssl() {
        return;
    }
    // Default protocol range of s_server plus TLS 1.1 through SECLEVEL=0; -Verify requires
    // a client certificate, which the TLS 1.3 observation sees through rustls.
    let spec = "ALL:@SECLEVEL=0";
    let dir = TempDir::new("verify13");
    let (cert, key) = make_cert(dir.path());
    let (_srv, port) = start_s_server(
        &cert,
        &key,
        &["-cipher", spec, "-Verify", "1", "-no_ssl3", "-no_tls1"],
    );
    let mut o = opts();
    o.sni = Some("probe.test".into());
    let r = probe_tls(&format!("127.0.0.1:{port}"), &o);
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(r.sni.as_deref(), Some("probe.test"));
    assert_eq!(
        r.accepted_versions(),
        vec![Version::Tls11, Version::Tls12, Version::Tls13]
    );
    assert_eq!(status(&r, Version::Tls10), ProtocolStatus::Rejected);
    let want11: BTreeSet<u16> = openssl_ciphers("-tls1_1", spec, &["RSA", "None"])
        .into_iter()
        .collect();
    assert_eq!(hexes(&suites(&r, Version::Tls11)), hexes(&want11));
    let want12: BTreeSet<u16> = openssl_ciphers("-tls1_2", spec, &["RSA", "None"])
        .into_iter()
        .collect();
    assert_eq!(hexes(&suites(&r, Version::Tls12)), hexes(&want12));
    assert_eq!(
        r.client_auth.requested_in,
        vec![Version::Tls11, Version::Tls12, Version::Tls13]
    );
    assert_eq!(
        r.protocol(Version::Tls13)
            .unwrap()
            .client_certificate_requested,
        Some(true)
    );
    assert_eq!(
        r.certificate_chain_source.as_deref(),
        Some("TLSv1.2 handshake")
    );
}

#[test]
fn weak_tls12_full_server_preference_order() {
    if !have_openssl() {
        return;
    }
    // Dozens of accepted suites spread over several offered chunks: the reported
    // preference must still be the server's full order.
    let spec = "ALL:@SECLEVEL=0";
    let dir = TempDir::new("order");
    let (cert, key) = make_cert(dir.path());
    let (_srv, port) = start_s_server(&cert, &key, &["-tls1_2", "-cipher", spec, "-serverpref"]);
    // A host name target: SNI defaults to it, the address is the IPv4 loopback.
    let r = probe_tls(&format!("localhost:{port}"), &opts());
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(r.sni.as_deref(), Some("localhost"));
    assert_eq!(
        r.resolved_address.as_deref(),
        Some(format!("127.0.0.1:{port}").as_str())
    );
    let want_order = openssl_ciphers("-tls1_2", spec, &["RSA", "None"]);
    assert!(want_order.len() > 20);
    let p12 = r.protocol(Version::Tls12).unwrap();
    assert_eq!(p12.server_enforces_order, Some(true));
    let show = |v: &[u16]| v.iter().map(|c| format!("{c:04X}")).collect::<Vec<_>>();
    assert_eq!(show(&p12.server_preference), show(&want_order));
}

#[test]
fn ecdsa_chain_in_server_order_tls12_and_tls13() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("chain");
    let (leaf, key, int) = make_ec_chain(dir.path());
    let want_chain = [
        pem_body(&std::fs::read_to_string(&leaf).unwrap()),
        pem_body(&std::fs::read_to_string(&int).unwrap()),
    ];
    let chain_arg = int.to_str().unwrap();

    // TLS 1.2 only: chain from the plaintext Certificate message; ECDSA suites only.
    let spec = "ECDHE+AESGCM";
    let (srv, port) = start_s_server(
        &leaf,
        &key,
        &["-tls1_2", "-cipher", spec, "-cert_chain", chain_arg],
    );
    let r = probe_tls(&format!("127.0.0.1:{port}"), &opts());
    drop(srv);
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(
        r.certificate_chain_source.as_deref(),
        Some("TLSv1.2 handshake")
    );
    let got: Vec<String> = r.certificate_chain.iter().map(|p| pem_body(p)).collect();
    assert_eq!(got, want_chain, "leaf first, then the intermediate");
    let want: BTreeSet<u16> = openssl_ciphers("-tls1_2", spec, &["ECDSA"])
        .into_iter()
        .collect();
    assert!(!want.is_empty());
    assert_eq!(hexes(&suites(&r, Version::Tls12)), hexes(&want));

    // TLS 1.3 only: the same chain through the rustls observation.
    let (_srv, port) = start_s_server(&leaf, &key, &["-tls1_3", "-cert_chain", chain_arg]);
    let r = probe_tls(&format!("127.0.0.1:{port}"), &opts());
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(
        r.certificate_chain_source.as_deref(),
        Some("TLSv1.3 handshake (rustls)")
    );
    let got: Vec<String> = r.certificate_chain.iter().map(|p| pem_body(p)).collect();
    assert_eq!(got, want_chain);
}
