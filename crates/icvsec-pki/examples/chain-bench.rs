//! Benchmark: RFC 5280 path building against a large certificate store.
//!
//! (a) N distinct self-signed CA certificates as anchors (default 10,000) and a leaf
//!     issued by the last one: time to index the store (`PathBuilder::new`) and to
//!     validate the leaf;
//! (b) N intermediates that all share ONE subject name (different keys), none of which
//!     signed the leaf: the search is cut at `MAX_CANDIDATES` and reported as a
//!     `BuildLimit` failure.
//!
//! Run: `cargo run --release -p icvsec-pki --example chain-bench -- [count]`

use std::time::Instant;

use icvsec_pki::chain::{ChainOptions, PathBuilder};
use icvsec_pki::{Certificate, parse_certificates};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

/// 2026-06-01T00:00:00Z
const AS_OF: i64 = 1_780_272_000;

fn ca(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p.use_authority_key_identifier_extension = true;
    p
}

fn one(pem: &str) -> Certificate {
    parse_certificates(pem.as_bytes()).unwrap().remove(0)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let t = Instant::now();
    let mut anchors = Vec::with_capacity(n);
    let mut last = None;
    for i in 0..n {
        let k = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let p = ca(&format!("Bench Root {i:06}"));
        anchors.push(one(&p.self_signed(&k).unwrap().pem()));
        last = Some(Issuer::new(p, k));
    }
    let last = last.unwrap();
    let mut lp = CertificateParams::new(vec!["bench.oem.cn".to_string()]).unwrap();
    lp.distinguished_name
        .push(DnType::CommonName, "bench.oem.cn");
    lp.not_before = rcgen::date_time_ymd(2025, 1, 1);
    lp.not_after = rcgen::date_time_ymd(2027, 1, 1);
    lp.use_authority_key_identifier_extension = true;
    let lk = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = one(&lp.signed_by(&lk, &last).unwrap().pem());
    println!("generated {n} anchors in {:.2?}", t.elapsed());

    let t = Instant::now();
    let b = PathBuilder::new(&[], &anchors);
    let index = t.elapsed();
    let t = Instant::now();
    let v = b.verify(&leaf, AS_OF, &ChainOptions::default());
    let verify = t.elapsed();
    assert!(v.valid, "{v:?}");
    println!(
        "(a) {n} distinct anchors: index {index:.2?}, validate {verify:.2?}, total {:.2?}",
        index + verify
    );

    // (b) one name, many keys.
    let same: Vec<Certificate> = {
        let root_k = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let root_p = ca("Shared Name Root");
        let root_i = Issuer::new(root_p, root_k);
        (0..n)
            .map(|_| {
                let k = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
                one(&ca("Same Name CA").signed_by(&k, &root_i).unwrap().pem())
            })
            .collect()
    };
    let stranger_k = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let stranger = Issuer::new(ca("Same Name CA"), stranger_k);
    let leaf2 = one(&lp.signed_by(&lk, &stranger).unwrap().pem());
    let t = Instant::now();
    let b = PathBuilder::new(&same, &anchors);
    let v = b.verify(&leaf2, AS_OF, &ChainOptions::default());
    let f = v.failure.expect("no issuer signed it");
    println!(
        "(b) {n} same-name intermediates: {:?} after {:.2?}: {}",
        f.kind,
        t.elapsed(),
        f.message
    );
}
