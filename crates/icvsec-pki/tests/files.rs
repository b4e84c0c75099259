//! Content sniffing, key blocklist, file roles, distrusted roots and the anchor policy.

use icvsec_pki::blocklist::MatchedBy;
use icvsec_pki::bundle::{FileContext, FileUse, Role, Severity};
use icvsec_pki::lint::{self, AnchorPolicyParams};
use icvsec_pki::sniff::{Encoding, ObjectKind};
use icvsec_pki::{
    Certificate, DistrustedRoots, KeyBlocklist, classify, default_blocklist, judge_file,
    might_be_crypto, parse_certificates, parse_private_keys, sniff,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType, IsCa, Issuer,
    KeyPair, KeyUsagePurpose, PublicKeyData, SerialNumber,
};

/// 2026-06-01T00:00:00Z
const AS_OF: i64 = 1_780_272_000;
const RSA_A: &str = include_str!("data/rsa2048-a.pem");
const RSA_B: &str = include_str!("data/rsa2048-b.pem");
const RSA_3072: &str = include_str!("data/rsa3072.pem");
const RSA_A_CERT: &str = include_str!("data/rsa2048-a-cert.pem");

fn key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

fn ca(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p
}

fn one(pem: &str) -> Certificate {
    parse_certificates(pem.as_bytes()).unwrap().remove(0)
}

fn pem(label: &str, der: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in der.chunks(3) {
        let n = (c[0] as u32) << 16
            | (*c.get(1).unwrap_or(&0) as u32) << 8
            | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    let body: Vec<String> = s
        .as_bytes()
        .chunks(64)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        body.join("\n")
    )
}

/// BIT STRING content of a DER SubjectPublicKeyInfo (for RSA: the PKCS#1 RSAPublicKey).
fn spki_key_bytes(spki: &[u8]) -> Vec<u8> {
    // SEQ { SEQ alg, BIT STRING } with short/long lengths; walk by hand.
    fn hdr(b: &[u8]) -> (usize, usize) {
        let l = b[1];
        if l < 0x80 {
            (2, l as usize)
        } else {
            let n = (l & 0x7f) as usize;
            let mut v = 0usize;
            for x in &b[2..2 + n] {
                v = v << 8 | *x as usize;
            }
            (2 + n, v)
        }
    }
    let (h, _) = hdr(spki);
    let inner = &spki[h..];
    let (ah, al) = hdr(inner);
    let bits = &inner[ah + al..];
    let (bh, bl) = hdr(bits);
    bits[bh + 1..bh + bl].to_vec()
}

#[test]
fn sniff_recognises_pem_labels_and_der_structures() {
    let k = key();
    let r = ca("Sniff Root");
    let cert = r.self_signed(&k).unwrap();
    let issuer = Issuer::new(r, k);
    let csr = {
        let mut p = CertificateParams::new(vec!["ecu.oem.cn".to_string()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, "ecu.oem.cn");
        p.serialize_request(&key()).unwrap()
    };
    let crl = CertificateRevocationListParams {
        this_update: rcgen::date_time_ymd(2026, 1, 1),
        next_update: rcgen::date_time_ymd(2026, 2, 1),
        crl_number: SerialNumber::from(vec![1u8]),
        issuing_distribution_point: None,
        revoked_certs: vec![],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .unwrap();
    let pk = key();
    let spki = pk.subject_public_key_info();
    let rsa_key = parse_private_keys(RSA_A.as_bytes()).unwrap().remove(0);
    let rsa_spki = rsa_key.public_spki_der.clone().unwrap();

    // One text file with every label, after some prose.
    let text = format!(
        "notes first\n{}{}{}{}{}{}{}{}",
        cert.pem(),
        csr.pem().unwrap(),
        crl.pem().unwrap(),
        pem("PUBLIC KEY", &spki),
        pem("RSA PUBLIC KEY", &spki_key_bytes(&rsa_spki)),
        pk.serialize_pem(),
        RSA_A,
        pem("DH PARAMETERS", &[0x30, 0x03, 0x02, 0x01, 0x02]),
    );
    assert!(might_be_crypto(text.as_bytes()));
    let objs = sniff(text.as_bytes());
    let kinds: Vec<ObjectKind> = objs.iter().map(|o| o.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ObjectKind::Certificate,
            ObjectKind::CertificateRequest,
            ObjectKind::Crl,
            ObjectKind::PublicKey,
            ObjectKind::RsaPublicKey,
            ObjectKind::PrivateKey,
            ObjectKind::PrivateKey,
            ObjectKind::OtherPem,
        ]
    );
    assert!(objs.iter().all(|o| o.error.is_none()), "{objs:?}");
    // Same key, same SPKI hash across kinds.
    assert_eq!(objs[3].spki_sha256, objs[5].spki_sha256);
    assert_eq!(objs[4].spki_sha256, objs[6].spki_sha256);
    assert_eq!(objs[6].spki_sha256, rsa_key.public_spki_sha256);
    assert_eq!(
        objs[1].pem_begin_line,
        Some(2 + cert.pem().lines().count() as u32)
    );

    // DER by structure, whatever the name.
    let der_cases: Vec<(Vec<u8>, ObjectKind)> = vec![
        (cert.der().to_vec(), ObjectKind::Certificate),
        (csr.der().to_vec(), ObjectKind::CertificateRequest),
        (crl.der().to_vec(), ObjectKind::Crl),
        (spki.clone(), ObjectKind::PublicKey),
        (spki_key_bytes(&rsa_spki), ObjectKind::RsaPublicKey),
        (pk.serialize_der(), ObjectKind::PrivateKey),
    ];
    for (der, want) in der_cases {
        let o = sniff(&der);
        assert_eq!(o.len(), 1, "{want:?}");
        assert_eq!(o[0].kind, want);
        assert_eq!(o[0].encoding, Encoding::Der);
        assert!(o[0].error.is_none(), "{:?}", o[0]);
    }
}

#[test]
fn sniff_rejects_non_crypto_cheaply_and_reports_broken_blocks() {
    assert!(!might_be_crypto(b"#!/bin/sh\necho hello world\n"));
    let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
    elf.extend(std::iter::repeat_n(0u8, 4096));
    assert!(!might_be_crypto(&elf));
    assert!(sniff(&elf).is_empty());
    // An ECDSA signature is SEQUENCE { INTEGER, INTEGER } too: not a public key.
    let mut sig = vec![0x30, 0x44, 0x02, 0x20];
    sig.extend([0x11u8; 32]);
    sig.extend([0x02, 0x20]);
    sig.extend([0x22u8; 32]);
    assert!(sniff(&sig).is_empty());
    // A DER header that does not cover the file is not DER.
    let mut trunc = one(RSA_A_CERT).der;
    trunc.truncate(trunc.len() - 1);
    assert!(sniff(&trunc).is_empty());
    // A certificate block with broken content is a certificate object with an error.
    let bad = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";
    let o = sniff(bad.as_bytes());
    assert_eq!(o.len(), 1);
    assert_eq!(o[0].kind, ObjectKind::Certificate);
    assert!(o[0].error.is_some());
    // Hostile framing never panics.
    for junk in [
        &b"-----BEGIN CERTIFICATE-----\n"[..],
        b"-----BEGIN -----\n-----END -----\n",
        b"\x30\x84\xff\xff\xff\xff0123456789abcdef",
    ] {
        let _ = sniff(junk);
    }
}

#[test]
fn blocklist_matches_by_spki_modulus_and_debian_fingerprint() {
    let b = default_blocklist();
    assert!(b.len() >= 4);
    let by = |pem: &str| -> Vec<MatchedBy> {
        let k = parse_private_keys(pem.as_bytes()).unwrap().remove(0);
        let hits = b.check_private_key(&k);
        assert!(
            hits.iter()
                .all(|h| h.private_key_present && h.source == "icvsec-test")
        );
        hits.iter().map(|h| h.matched_by).collect()
    };
    assert_eq!(by(RSA_A), vec![MatchedBy::SpkiSha256]);
    assert_eq!(by(RSA_B), vec![MatchedBy::ModulusSha256]);
    assert_eq!(by(RSA_3072), vec![MatchedBy::DebianSha1]);
    // The certificate of rsa2048-a carries a listed public key (not a private key).
    let hits = b.check_certificate(&one(RSA_A_CERT));
    assert_eq!(hits.len(), 1);
    assert!(!hits[0].private_key_present);
    // A fresh key is not listed.
    let k = key();
    assert!(b.check_spki(&k.subject_public_key_info(), false).is_empty());
}

#[test]
fn badkeys_dat_and_debian_files_load() {
    let k = parse_private_keys(RSA_B.as_bytes()).unwrap().remove(0);
    let spki = k.public_spki_der.clone().unwrap();
    // badkeys record for rsa2048-b: SHA-256(modulus)[..15] || list id 3.
    let mut rec = [0u8; 16];
    rec[..15].copy_from_slice(&icvsec_pki::blocklist::modulus_sha256_prefix(&spki).unwrap());
    rec[15] = 3;
    let mut other = [0xffu8; 16];
    other[15] = 1;
    let mut b = KeyBlocklist::new();
    b.add_badkeys_dat(
        &[rec, other].concat(),
        "blocklist.dat",
        &[(3, "debianssl".into())],
    )
    .unwrap();
    b.finish();
    let hits = b.check_spki(&spki, false);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].source, "badkeys:debianssl");
    assert!(
        b.add_badkeys_dat(&[0u8; 17], "x.dat", &[])
            .unwrap_err()
            .contains("x.dat")
    );
    let mut d = KeyBlocklist::new();
    d.add_debian_openssl_blacklist(
        "# comment\n3118d9258ca1aec18d2a\n",
        "blacklist.RSA-3072",
        "debian",
    )
    .unwrap();
    d.finish();
    let k3 = parse_private_keys(RSA_3072.as_bytes()).unwrap().remove(0);
    assert_eq!(d.check_private_key(&k3).len(), 1);
    let e = d
        .add_debian_openssl_blacklist("\nnothex\n", "bl", "debian")
        .unwrap_err();
    assert!(e.starts_with("bl:2:1:"), "{e}");
}

#[test]
fn file_roles_identity_vs_bundle() {
    let rk = key();
    let rp = ca("Role Root");
    let root = one(&rp.self_signed(&rk).unwrap().pem());
    let ri = Issuer::new(rp, rk);
    let ik = key();
    let ip = ca("Role Sub CA");
    let inter = one(&ip.signed_by(&ik, &ri).unwrap().pem());
    let ii = Issuer::new(ip, ik);
    let mut lp = CertificateParams::new(vec!["gw.oem.cn".to_string()]).unwrap();
    lp.distinguished_name.push(DnType::CommonName, "gw.oem.cn");
    let leaf = one(&lp.signed_by(&key(), &ii).unwrap().pem());

    let file = [leaf.clone(), inter.clone(), root.clone()];
    let roles: Vec<Role> = classify(&file, FileUse::Identity)
        .iter()
        .map(|p| p.role)
        .collect();
    assert_eq!(
        roles,
        vec![Role::Leaf, Role::Intermediate, Role::Intermediate]
    );
    let roles: Vec<Role> = classify(&file, FileUse::CaBundle)
        .iter()
        .map(|p| p.role)
        .collect();
    assert_eq!(roles, vec![Role::Anchor; 3]);
    let ctx = FileContext {
        as_of: AS_OF,
        ..Default::default()
    };
    assert!(judge_file(&file, FileUse::Identity, &ctx).is_empty());
    // Wrong order: the CA first.
    let swapped = [inter.clone(), leaf.clone()];
    let f = judge_file(&swapped, FileUse::Identity, &ctx);
    let kinds: Vec<&str> = f.iter().map(|x| x.kind.as_str()).collect();
    assert!(
        kinds.contains(&"leaf-is-ca") && kinds.contains(&"intermediate-not-ca"),
        "{f:?}"
    );
    // A CA bundle with a leaf in it and a duplicate: findings name subject and #n.
    let bundle = [root.clone(), leaf.clone(), root.clone()];
    let f = judge_file(&bundle, FileUse::CaBundle, &ctx);
    assert!(
        f.iter()
            .any(|x| x.position == 2 && x.message.starts_with("certificate #2 `CN=gw.oem.cn`")),
        "{f:?}"
    );
    assert!(f.iter().any(|x| x.position == 3 && x.kind == "duplicate"));
}

#[test]
fn distrusted_root_in_bundle_is_flagged_subject_only() {
    let mut p = ca("DigiNotar Root CA");
    p.distinguished_name
        .push(DnType::OrganizationName, "DigiNotar");
    let c = one(&p.self_signed(&key()).unwrap().pem());
    let table = DistrustedRoots::shipped();
    let ctx = FileContext {
        as_of: AS_OF,
        distrusted: Some(&table),
        ..Default::default()
    };
    let f = judge_file(&[c], FileUse::TrustStore, &ctx);
    let d = f
        .iter()
        .find(|x| x.kind == "distrusted-root")
        .expect("flagged");
    assert_eq!(d.severity, Severity::High);
    assert!(
        d.message.contains("2011-09") && d.message.contains("Mozilla"),
        "{}",
        d.message
    );
    assert!(d.message.contains("SUBJECT-ONLY"), "{}", d.message);
    // Same CN, other organisation: no match.
    let mut q = ca("DigiNotar Root CA");
    q.distinguished_name
        .push(DnType::OrganizationName, "Someone Else");
    let c2 = one(&q.self_signed(&key()).unwrap().pem());
    assert!(table.matches(&c2).is_empty());
}

#[test]
fn blocklisted_key_in_bundle_is_critical() {
    let b = default_blocklist();
    let ctx = FileContext {
        as_of: AS_OF,
        blocklist: Some(&b),
        ..Default::default()
    };
    let f = judge_file(&[one(RSA_A_CERT)], FileUse::Identity, &ctx);
    assert!(
        f.iter()
            .any(|x| x.kind == "blocklisted-key" && x.severity == Severity::Critical),
        "{f:?}"
    );
}

#[test]
fn anchor_policy_is_the_root_policy() {
    // A 24-year P-256 root passes the anchor policy though a leaf policy would refuse it.
    let mut p = ca("Long Root");
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2044, 1, 1);
    let c = one(&p.self_signed(&key()).unwrap().pem());
    let r = lint::anchor_policy(&c, &AnchorPolicyParams::default(), AS_OF);
    assert!(r.len() == 1 && r[0].passed, "{r:?}");
    assert!(!lint::lifetime(&c, &Default::default())[0].passed);
    // 30 years: too long even for a root.
    p.not_after = rcgen::date_time_ymd(2050, 1, 1);
    let c = one(&p.self_signed(&key()).unwrap().pem());
    let r = lint::anchor_policy(&c, &AnchorPolicyParams::default(), AS_OF);
    assert!(
        r.iter()
            .any(|x| !x.passed && x.message.contains("root lifetime")),
        "{r:?}"
    );
    // RSA-2048 root: accepted until the end date, refused after it.
    let rsa = one(RSA_A_CERT);
    let r = lint::anchor_policy(
        &rsa,
        &AnchorPolicyParams::default(),
        rsa.not_before + 86_400,
    );
    assert!(r.iter().all(|x| x.passed || x.warning), "{r:?}");
    let after = AnchorPolicyParams {
        weak_rsa_until: rsa.not_before,
        ..Default::default()
    };
    let r = lint::anchor_policy(&rsa, &after, rsa.not_before + 86_400);
    assert!(
        r.iter()
            .any(|x| !x.passed && !x.warning && x.message.contains("RSA-2048")),
        "{r:?}"
    );
}

#[test]
fn v1_root_is_a_root() {
    let v1 = one(include_str!("data/dsa2048-cert.pem"));
    // Whatever the test certificate's version, is_root_like follows the rule.
    let mut c = v1.clone();
    c.version = 1;
    c.basic_constraints = None;
    c.self_issued = true;
    assert!(lint::is_root_like(&c));
    c.version = 3;
    assert!(!lint::is_root_like(&c));
}

#[test]
fn lifetime_boundary_passes_at_the_maximum() {
    let mut p = ca("Boundary");
    p.is_ca = IsCa::NoCa;
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2045, 1, 1); // 7305 days
    let c = one(&p.self_signed(&key()).unwrap().pem());
    let r = lint::lifetime(&c, &Default::default());
    assert!(r[0].passed, "{r:?}");
    assert!(r[0].message.contains("7305 days"), "{}", r[0].message);
    p.not_after = rcgen::date_time_ymd(2045, 1, 2);
    let c = one(&p.self_signed(&key()).unwrap().pem());
    let r = lint::lifetime(&c, &Default::default());
    assert!(!r[0].passed);
    assert!(
        r[0].message.starts_with("lifetime is 7306 days")
            && r[0].message.contains("at most 7305 days"),
        "{}",
        r[0].message
    );
}

#[test]
fn one_input_read_once_gives_what_the_separate_readers_give() {
    let ca_key = key();
    let ca_cert = ca("Root").self_signed(&ca_key).unwrap();
    let mixed = format!(
        "{}{}{RSA_A}{}",
        ca_cert.pem(),
        RSA_A_CERT,
        ca_key.serialize_pem()
    );
    let truncated = &mixed[..mixed.len() - 40];
    let der = ca_cert.der().to_vec();
    let inputs: [&[u8]; 5] = [
        mixed.as_bytes(),
        truncated.as_bytes(),
        &der,
        RSA_A.as_bytes(),
        b"not crypto at all",
    ];
    for bytes in inputs {
        let input = icvsec_pki::sniff::Input::new(bytes);
        let objects = input.objects();
        let certs = parse_certificates(bytes);
        let keys = parse_private_keys(bytes);
        assert_eq!(format!("{:?}", input.certificates()), format!("{certs:?}"));
        assert_eq!(format!("{:?}", input.private_keys()), format!("{keys:?}"));
        // The objects are sniff's, less the copies of certificates and keys.
        let mut expected = sniff(bytes);
        for o in expected.iter_mut().filter(|o| o.encoding == Encoding::Pem) {
            o.certificate = None;
            o.private_key = None;
        }
        assert_eq!(objects, expected);
    }
    let input = icvsec_pki::sniff::Input::new(mixed.as_bytes());
    assert_eq!(input.certificates().as_ref().unwrap().len(), 2);
    assert_eq!(input.private_keys().as_ref().unwrap().len(), 2);
    assert_eq!(input.objects().len(), 4);
}
