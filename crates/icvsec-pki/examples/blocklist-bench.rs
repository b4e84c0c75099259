//! Benchmark: look up K keys (default 10,000 P-256 keys plus the RSA test keys) in a
//! blocklist of M entries (default 1,000,000 random badkeys-format records).
//!
//! Run: `cargo run --release -p icvsec-pki --example blocklist-bench -- [keys] [entries]`

use std::time::Instant;

use icvsec_pki::KeyBlocklist;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};

fn main() {
    let mut args = std::env::args().skip(1);
    let keys: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let entries: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let rng = SystemRandom::new();
    let mut dat = vec![0u8; entries * 16];
    rng.fill(&mut dat).unwrap();
    let t = Instant::now();
    let mut b = KeyBlocklist::new();
    b.add_badkeys_dat(&dat, "random.dat", &[]).unwrap();
    b.finish();
    println!(
        "loaded and sorted {} entries in {:.2?}",
        b.len(),
        t.elapsed()
    );

    // SPKI of P-256 keys: fixed header + uncompressed point.
    const HDR: [u8; 26] = [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];
    let spkis: Vec<Vec<u8>> = (0..keys)
        .map(|_| {
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
            let kp =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
                    .unwrap();
            let mut s = HDR.to_vec();
            s.extend_from_slice(kp.public_key().as_ref());
            s
        })
        .collect();
    let rsa: Vec<Vec<u8>> = [
        include_str!("../tests/data/rsa2048-a.pem"),
        include_str!("../tests/data/rsa3072.pem"),
    ]
    .iter()
    .filter_map(|p| {
        icvsec_pki::parse_private_keys(p.as_bytes())
            .ok()?
            .remove(0)
            .public_spki_der
    })
    .collect();
    let t = Instant::now();
    let mut hits = 0usize;
    for s in spkis.iter().chain(&rsa) {
        hits += b.check_spki(s, false).len();
    }
    let el = t.elapsed();
    println!(
        "{} keys ({} P-256, {} RSA incl. ROCA test) against {} entries: {el:.2?} ({:.2} µs/key), {hits} hits",
        spkis.len() + rsa.len(),
        spkis.len(),
        rsa.len(),
        b.len(),
        el.as_secs_f64() * 1e6 / (spkis.len() + rsa.len()) as f64
    );
}
