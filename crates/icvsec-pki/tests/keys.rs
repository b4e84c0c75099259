//! Private-key formats from real tools (openssl, ssh-keygen): format, encryption and the
//! public-key hash used to match a key with its certificate.

use icvsec_pki::{KeyAlgorithm, KeyFormat, parse_certificates, parse_private_keys};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/").to_string() + name).unwrap()
}

#[test]
fn dsa_pkcs8_public_key_is_derived() {
    let cert = &parse_certificates(&data("dsa2048-cert.pem")).unwrap()[0];
    let key = &parse_private_keys(&data("dsa2048.pem")).unwrap()[0];
    assert_eq!(key.format, KeyFormat::Pkcs8);
    assert_eq!(key.algorithm, KeyAlgorithm::Dsa);
    assert_eq!(key.bits, Some(2048));
    // y = g^x mod p, re-encoded as SubjectPublicKeyInfo.
    assert_eq!(
        key.public_spki_sha256.as_deref(),
        Some(cert.spki_sha256.as_str())
    );
}

#[test]
fn rsa_openssl_key_matches_openssl_certificate() {
    let cert = &parse_certificates(&data("rsa2048-a-cert.pem")).unwrap()[0];
    let key = &parse_private_keys(&data("rsa2048-a.pem")).unwrap()[0];
    assert_eq!(
        key.public_spki_sha256.as_deref(),
        Some(cert.spki_sha256.as_str())
    );
    assert_eq!(cert.self_signed, Some(true));
}

#[test]
fn encrypted_forms() {
    let legacy = &parse_private_keys(&data("rsa2048-a-legacy-enc.pem")).unwrap()[0];
    assert!(legacy.encrypted);
    assert_eq!(legacy.format, KeyFormat::Pkcs1);
    assert_eq!(legacy.algorithm, KeyAlgorithm::Rsa);
    assert_eq!(legacy.encryption.as_deref(), Some("AES-128-CBC"));
    let p8 = &parse_private_keys(&data("rsa2048-a-enc-pkcs8.pem")).unwrap()[0];
    assert!(p8.encrypted);
    assert_eq!(p8.format, KeyFormat::EncryptedPkcs8);
    assert_eq!(p8.encryption.as_deref(), Some("PBES2"));
    assert_eq!(p8.algorithm, KeyAlgorithm::Unknown);
}

#[test]
fn openssh_keys() {
    let ed = &parse_private_keys(&data("openssh-ed25519")).unwrap()[0];
    assert_eq!(ed.format, KeyFormat::OpenSsh);
    assert_eq!(ed.algorithm, KeyAlgorithm::Ed25519);
    assert!(!ed.encrypted);
    assert!(ed.public_spki_sha256.is_some());
    let rsa = &parse_private_keys(&data("openssh-rsa-encrypted")).unwrap()[0];
    assert!(rsa.encrypted);
    assert_eq!(rsa.encryption.as_deref(), Some("aes256-ctr"));
    assert_eq!(rsa.algorithm, KeyAlgorithm::Rsa);
    assert_eq!(rsa.bits, Some(2048));
    // The public half is readable without the password; compare with ssh-keygen -e -m PKCS8.
    let spki_pem = String::from_utf8(data("openssh-rsa-encrypted.spki.pem")).unwrap();
    let body: String = spki_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = b64decode(&body);
    let want: String = ring::digest::digest(&ring::digest::SHA256, &der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(rsa.public_spki_sha256.as_deref(), Some(want.as_str()));
}

#[test]
fn certificates_in_key_files_are_ignored_and_keys_in_cert_files_too() {
    // A PEM with only a certificate has no keys; a key file has no certificates.
    assert!(
        parse_private_keys(&data("rsa2048-a-cert.pem"))
            .unwrap()
            .is_empty()
    );
    assert!(
        parse_certificates(&data("rsa2048-a.pem"))
            .unwrap()
            .is_empty()
    );
}

fn b64decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut n) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | v as u32;
        n += 1;
        if n == 4 {
            out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
            acc = 0;
            n = 0;
        }
    }
    match n {
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {}
    }
    out
}
