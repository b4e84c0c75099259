//! Benchmark: generates N certificates with rcgen (mix of RSA-2048 and P-256 subject keys,
//! a handful of keys reused across many certificates), writes one PEM file per certificate
//! to a temporary directory, then measures
//!   (a) read file + parse (PEM + DER + summary),
//!   (b) read file + parse + every certificate lint (default parameters),
//! on one thread and on all cores, printing certificates/second and the check/parse ratio.
//!
//! Run: `cargo run --release -p icvsec-pki --example pki-bench -- [count]`

use std::path::PathBuf;
use std::time::Instant;

use icvsec_pki::{lint, parse_certificates};
use rcgen::{
    BasicConstraints, CertificateParams, CrlDistributionPoint, DnType, ExtendedKeyUsagePurpose,
    IsCa, Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};

const RSA_A: &str = include_str!("../tests/data/rsa2048-a.pem");
const RSA_B: &str = include_str!("../tests/data/rsa2048-b.pem");
/// 2026-06-01T00:00:00Z
const AS_OF: i64 = 1_780_272_000;

fn generate(dir: &PathBuf, count: usize) -> Vec<PathBuf> {
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "Bench Root CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let issuer = Issuer::new(ca, ca_key);
    let mut keys: Vec<KeyPair> = vec![
        KeyPair::from_pkcs8_pem_and_sign_algo(RSA_A, &rcgen::PKCS_RSA_SHA256).unwrap(),
        KeyPair::from_pkcs8_pem_and_sign_algo(RSA_B, &rcgen::PKCS_RSA_SHA256).unwrap(),
    ];
    for _ in 0..6 {
        keys.push(KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap());
    }
    std::fs::create_dir_all(dir).unwrap();
    let mut paths = Vec::with_capacity(count);
    for i in 0..count {
        // Half RSA-2048, half P-256.
        let key = if i % 2 == 0 {
            &keys[(i / 2) % 2]
        } else {
            &keys[2 + (i / 2) % 6]
        };
        let mut p = CertificateParams::new(vec![format!("ecu{i}.vehicle.oem.cn")]).unwrap();
        p.distinguished_name
            .push(DnType::CommonName, format!("ECU {i}"));
        p.distinguished_name
            .push(DnType::OrganizationName, "OEM Vehicle PKI");
        p.serial_number = Some(SerialNumber::from((i as u64 + 1).to_be_bytes().to_vec()));
        p.not_before = rcgen::date_time_ymd(2025, 1, 1);
        p.not_after = rcgen::date_time_ymd(2030, 1, 1);
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        p.crl_distribution_points = vec![CrlDistributionPoint {
            uris: vec!["http://crl.oem.cn/ca.crl".into()],
        }];
        p.use_authority_key_identifier_extension = true;
        let cert = p.signed_by(key, &issuer).unwrap();
        let path = dir.join(format!("c{i:06}.pem"));
        std::fs::write(&path, cert.pem()).unwrap();
        paths.push(path);
    }
    paths
}

fn parse_only(paths: &[PathBuf]) -> usize {
    let mut n = 0;
    for p in paths {
        let bytes = std::fs::read(p).unwrap();
        n += parse_certificates(&bytes).unwrap().len();
    }
    n
}

fn parse_and_lint(paths: &[PathBuf]) -> usize {
    let mut failed = 0;
    for p in paths {
        let bytes = std::fs::read(p).unwrap();
        for c in parse_certificates(&bytes).unwrap() {
            let r = lint::all_default(&c, AS_OF);
            failed += r.values().flatten().filter(|x| !x.passed).count();
        }
    }
    failed
}

fn timed<F: Fn(&[PathBuf]) -> usize + Sync>(
    paths: &[PathBuf],
    threads: usize,
    f: F,
) -> (f64, usize) {
    let t = Instant::now();
    let chunk = paths.len().div_ceil(threads);
    let total: usize = std::thread::scope(|s| {
        let hs: Vec<_> = paths.chunks(chunk).map(|c| s.spawn(|| f(c))).collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    });
    (t.elapsed().as_secs_f64(), total)
}

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let dir = std::env::temp_dir().join(format!("icvsec-pki-bench-{}", std::process::id()));
    let t = Instant::now();
    let paths = generate(&dir, count);
    println!(
        "generated {count} certificates (50% RSA-2048, 50% P-256) in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    // Warm the page cache once.
    parse_only(&paths);
    for threads in [1, cores] {
        let (tp, n) = timed(&paths, threads, parse_only);
        let (tl, failed) = timed(&paths, threads, parse_and_lint);
        let check = (tl - tp).max(0.0);
        println!(
            "threads={threads}: (a) read+parse {:.0} certs/s ({:.0}/s per thread), (b) read+parse+lints {:.0} certs/s ({:.0}/s per thread); check/parse cost ratio {:.2}; {n} certs, {failed} failed findings",
            count as f64 / tp,
            count as f64 / tp / threads as f64,
            count as f64 / tl,
            count as f64 / tl / threads as f64,
            check / tp
        );
    }
    // Which checks failed (once, outside the timed runs).
    let mut by_check = std::collections::BTreeMap::new();
    for p in &paths {
        for c in parse_certificates(&std::fs::read(p).unwrap()).unwrap() {
            for (name, r) in lint::all_default(&c, AS_OF) {
                *by_check.entry(name).or_insert(0usize) += r.iter().filter(|x| !x.passed).count();
            }
        }
    }
    by_check.retain(|_, n| *n > 0);
    println!("failed findings by check: {by_check:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
