//! Compare `cipherstring::expand` with the machine's `openssl ciphers -V '<string>'`.
//!
//! The local OpenSSL lists only the suites its build supports (e.g. no RC4, 3DES, IDEA or
//! SEED on a default OpenSSL 3 build), so each comparison is made on the intersection:
//! our expansion is filtered to the code points that `openssl ciphers -V
//! 'ALL:COMPLEMENTOFALL'` knows, TLS 1.3 suites (always prepended by `openssl ciphers`)
//! are dropped from OpenSSL's output, and the two ordered lists must then be equal.
//! OpenSSL exiting with "no cipher match" counts as an empty list.
//! Runs `openssl` as a subprocess; skips with a note when it is absent.

use icvsec_tls::cipherstring;
use std::collections::BTreeSet;
use std::process::Command;

const OPENSSL: &str = "/usr/bin/openssl";

const STRINGS: &[&str] = &[
    "ALL:!aNULL",
    "HIGH:!MD5",
    "DEFAULT",
    "HIGH:!aNULL:!MD5",
    "ECDHE+AESGCM",
    "ALL:@SECLEVEL=0",
    "RC4-SHA:AES128-SHA",
    // Mozilla "old" (as used by badssl.com tls-mozilla-old)
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-DSS-AES128-GCM-SHA256:kEDH+AESGCM:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA:ECDHE-ECDSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA:DHE-DSS-AES128-SHA256:DHE-RSA-AES256-SHA256:DHE-DSS-AES256-SHA:DHE-RSA-AES256-SHA:ECDHE-RSA-DES-CBC3-SHA:ECDHE-ECDSA-DES-CBC3-SHA:EDH-RSA-DES-CBC3-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:AES:DES-CBC3-SHA:HIGH:SEED:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!RSAPSK:!aDH:!aECDH:!EDH-DSS-DES-CBC3-SHA:!KRB5-DES-CBC3-SHA:!SRP",
    // Mozilla "intermediate" (badssl.com, 2015)
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA:ECDHE-ECDSA-DES-CBC3-SHA:ECDHE-RSA-DES-CBC3-SHA:EDH-RSA-DES-CBC3-SHA:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA:!DSS",
    // Mozilla "intermediate" v5
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
    // Mozilla "modern" (badssl.com, 2015)
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256",
    "ALL:COMPLEMENTOFALL",
    "COMPLEMENTOFDEFAULT",
    "ALL:!COMPLEMENTOFDEFAULT",
    "MEDIUM:HIGH",
    "kRSA",
    "aRSA",
    "EDH",
    "EECDH:EDH:!aNULL",
    "AESGCM",
    "CHACHA20",
    "SHA1",
    "MD5",
    "3DES",
    "RC4:!aNULL:!eNULL:!EXPORT:!DES:!CBC:!3DES:!MD5:!PSK",
    "NULL:aNULL:eNULL:!RC4:!EXPORT:!DES:!CBC:!3DES:!MD5:!PSK",
    "AES256:AES128:3DES:!AESGCM:!RC4:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK",
    "EXPORT",
    "TLSv1.2",
    "TLSv1",
    "SSLv3",
    "TLSv1.2+AESGCM",
    "AES256:AES128:@STRENGTH",
    "HIGH:@STRENGTH",
    "DEFAULT:!RC4:@STRENGTH",
    "ALL:-AES:AES",
    "ALL:+kRSA",
    "ALL:+RC4:+aNULL:+AES128",
    "PSK",
    "FIPS",
    "kEDH+AESGCM",
    "AES128+EECDH:AES128+EDH",
    "EECDH+AESGCM:EDH+AESGCM",
    "HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA",
    "ALL,!aNULL",
    "HIGH !aNULL !MD5",
    "ARIA:CAMELLIA",
    "SEED:IDEA:HIGH",
    "aECDSA:aDSS",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE+AES:-SHA1",
    "DEFAULT:@SECLEVEL=3",
    "AESCCM:AESCCM8",
    "SHA256:SHA384",
    "kRSA:!AESGCM:!AES256",
    "ALL:!ADH:!AECDH:+HIGH",
];

fn openssl_codes(spec: &str) -> Option<Vec<String>> {
    let out = Command::new(OPENSSL)
        .args(["ciphers", "-V", spec])
        .output()
        .ok()?;
    if !out.status.success() {
        return Some(Vec::new()); // "no cipher match"
    }
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_string))
            .filter(|c| !c.starts_with("0x13,"))
            .collect(),
    )
}

#[test]
fn cipher_strings_match_local_openssl() {
    if !std::path::Path::new(OPENSSL).exists() {
        eprintln!("SKIPPED: cipher_strings_match_local_openssl: {OPENSSL} not found");
        return;
    }
    let universe: BTreeSet<String> = match openssl_codes("ALL:COMPLEMENTOFALL") {
        Some(v) => v.into_iter().collect(),
        None => {
            eprintln!("SKIPPED: cipher_strings_match_local_openssl: could not run {OPENSSL}");
            return;
        }
    };
    assert!(STRINGS.len() >= 20);
    let mut matched = 0;
    let mut positions = 0;
    let mut disagreements = Vec::new();
    for s in STRINGS {
        let theirs = openssl_codes(s).unwrap();
        let ours: Vec<String> = cipherstring::expand(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .suites
            .iter()
            .map(|c| c.code_string())
            .filter(|c| universe.contains(c))
            .collect();
        if ours == theirs {
            matched += 1;
            positions += ours.len();
        } else {
            let first = ours
                .iter()
                .zip(theirs.iter())
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(theirs.len()));
            disagreements.push(format!(
                "{s:?}: ours {} suites, openssl {}; first difference at index {first}: ours {:?} openssl {:?}",
                ours.len(),
                theirs.len(),
                ours.get(first),
                theirs.get(first)
            ));
        }
    }
    println!(
        "cipher strings vs {OPENSSL}: {matched}/{} matched ({positions} ordered suite positions equal; compared on the {} suites this build lists)",
        STRINGS.len(),
        universe.len()
    );
    for d in &disagreements {
        println!("  disagreement: {d}");
    }
    assert!(
        matched * 10 >= STRINGS.len() * 9,
        "fewer than 90% of the cipher strings match OpenSSL"
    );
}
