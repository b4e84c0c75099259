//! Conformance on badssl.com's nginx configurations (/work/shared/corpora/tls-servers).
//!
//! Each file names its defect. The corpus files are Jekyll templates, so they are
//! rendered into a temporary root first (front matter stripped; `{{ site.serving-path }}`
//! → /srv/badssl, `{{ site.cert-path }}` → /srv/badssl/certs, `{{ site.dhparam-path }}` →
//! /srv/badssl/dh, `{{ site.domain }}` → badssl.test). badssl's `common/common.conf` is not
//! in the corpus and is stubbed empty; the DH parameter files are not in the corpus either,
//! so the DH-size cases can only come out as `dh_params_unverified` (listed as
//! disagreements, not hidden).
//!
//! Expected answer per name (our mapping):
//! rc4, rc4-md5 → rc4; 3des → 3des; null → null_cipher; cbc → not_aead; static-rsa →
//! no_forward_secrecy; v1-0, v1-1, ssl-v2, ssl-v3 → protocol_below_min; v1-2 → no
//! protocol_below_min; dh480/512/1024, dh-composite, dh-small-subgroup → weak_dh_group;
//! dh2048 → no weak_dh_group; mozilla-modern → no weakness of severity ≥ medium;
//! mozilla-intermediate and mozilla-old → protocol_below_min (deliberate difference:
//! badssl shows these Mozilla profiles as acceptable, but they enable TLS 1.0 which NIST
//! SP 800-52r2 excludes). Other names (certificate, HTTP, UI defects) are not TLS
//! configuration defects and are not compared.
//!
//! nginx-includes/tls-*.conf and ssl-v*.conf are snippets: their top-level settings are
//! assessed. domains/{cipher-suite,protocol,key-exchange}/*.conf are site files: the
//! TLS-enabled servers that do not just `return` a redirect are assessed.

use icvsec_tls::cipherstring::{ExpandOptions, Flavor};
use icvsec_tls::nginx::{self, NginxOptions};
use icvsec_tls::policy::{PolicyParams, Severity, Weakness, WeaknessCode};
use std::fs;
use std::path::{Path, PathBuf};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora");

enum Expect {
    Has(WeaknessCode),
    Lacks(WeaknessCode),
    Clean,
}

fn expectation(stem: &str) -> Option<Expect> {
    use Expect::*;
    use WeaknessCode::*;
    let s = stem.strip_prefix("tls-").unwrap_or(stem);
    Some(match s {
        "rc4" | "rc4-md5" => Has(Rc4),
        "3des" => Has(TripleDes),
        "null" => Has(NullCipher),
        "cbc" => Has(NotAead),
        "static-rsa" => Has(NoForwardSecrecy),
        "v1-0" | "v1-1" | "ssl-v2" | "ssl-v3" => Has(ProtocolBelowMin),
        "v1-2" => Lacks(ProtocolBelowMin),
        "dh480" | "dh512" | "dh1024" | "dh-composite" | "dh-small-subgroup" => Has(WeakDhGroup),
        "dh2048" => Lacks(WeakDhGroup),
        "mozilla-modern" => Clean,
        "mozilla-intermediate" | "mozilla-old" => Has(ProtocolBelowMin),
        _ => return None,
    })
}

fn render(text: &str) -> String {
    let mut t = text;
    if let Some(rest) = t.strip_prefix("---\n")
        && let Some(i) = rest.find("---\n")
    {
        t = &rest[i + 4..];
    }
    let mut out = t
        .replace("{{ site.serving-path }}", "/srv/badssl")
        .replace("{{ site.cert-path }}", "/srv/badssl/certs")
        .replace("{{ site.dhparam-path }}", "/srv/badssl/dh")
        .replace("{{ site.domain }}", "badssl.test");
    while let Some(i) = out.find("{{") {
        let j = out[i..].find("}}").map(|j| i + j + 2).unwrap_or(out.len());
        out.replace_range(i..j, "x");
    }
    out
}

fn copy_rendered(src: &Path, dst: &Path) {
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        let d = dst.join(e.file_name());
        if p.is_dir() {
            fs::create_dir_all(&d).unwrap();
            copy_rendered(&p, &d);
        } else if p.extension().is_some_and(|x| x == "conf") {
            fs::write(&d, render(&fs::read_to_string(&p).unwrap())).unwrap();
        }
    }
}

fn judge(exp: &Expect, ws: &[Weakness]) -> bool {
    match exp {
        Expect::Has(c) => ws.iter().any(|w| w.code == *c),
        Expect::Lacks(c) => ws.iter().all(|w| w.code != *c),
        Expect::Clean => ws.iter().all(|w| w.severity < Severity::Medium),
    }
}

fn run(root: &Path, flavor: Flavor) -> (usize, usize, Vec<String>) {
    let base = root.join("srv/badssl");
    let params = PolicyParams::default();
    let ex = ExpandOptions { flavor };
    let prefix = Path::new("/srv/badssl");
    let opts = NginxOptions {
        prefix: Some(prefix.into()),
        ..Default::default()
    };
    let mut compared = 0;
    let mut matched = 0;
    let mut dis = Vec::new();
    let mut files: Vec<(String, PathBuf, bool)> = Vec::new();
    for e in fs::read_dir(base.join("nginx-includes")).unwrap() {
        let n = e.unwrap().file_name().to_string_lossy().into_owned();
        if n.starts_with("tls-") || n.starts_with("ssl-v") {
            files.push((
                n.clone(),
                PathBuf::from("/srv/badssl/nginx-includes").join(&n),
                true,
            ));
        }
    }
    for cat in ["cipher-suite", "protocol", "key-exchange"] {
        for e in fs::read_dir(base.join("domains").join(cat)).unwrap() {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            files.push((
                format!("{cat}/{n}"),
                PathBuf::from("/srv/badssl/domains").join(cat).join(&n),
                false,
            ));
        }
    }
    files.sort();
    for (label, sys, snippet) in files {
        let stem = Path::new(&label)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let Some(exp) = expectation(&stem) else {
            continue;
        };
        compared += 1;
        let cfg = match nginx::load(root, &sys, &opts) {
            Ok(c) => c,
            Err(e) => {
                dis.push(format!("{label}: parse error {e}"));
                continue;
            }
        };
        let mut ws = Vec::new();
        if snippet {
            ws = nginx::assess_settings(&cfg.top_level, root, prefix, &params, &ex).weaknesses;
        } else {
            for s in cfg
                .servers
                .iter()
                .filter(|s| s.tls_enabled && !s.has_return)
            {
                ws.extend(nginx::assess_settings(&s.tls, root, prefix, &params, &ex).weaknesses);
            }
        }
        if judge(&exp, &ws) {
            matched += 1;
        } else {
            let mut codes: Vec<&str> = ws
                .iter()
                .filter(|w| {
                    w.severity > Severity::Info
                        || matches!(w.code, WeaknessCode::DhParamsUnverified)
                })
                .map(|w| w.code.as_str())
                .collect();
            codes.sort();
            codes.dedup();
            dis.push(format!("{label}: got {codes:?}"));
        }
    }
    (matched, compared, dis)
}

#[test]
fn badssl_nginx_conformance() {
    let corpus = Path::new(CORPUS).join("tls-servers");
    if !corpus.is_dir() {
        eprintln!(
            "SKIPPED: badssl_nginx_conformance: {} not found (the shared corpora)",
            corpus.display()
        );
        return;
    }
    let root = std::env::temp_dir().join(format!("icvsec-tls-badssl-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    let base = root.join("srv/badssl");
    for d in ["nginx-includes", "domains", "common", "dh", "certs"] {
        fs::create_dir_all(base.join(d)).unwrap();
    }
    copy_rendered(&corpus.join("nginx-includes"), &base.join("nginx-includes"));
    copy_rendered(&corpus.join("domains"), &base.join("domains"));
    fs::write(base.join("common/common.conf"), "").unwrap();

    let (m, c, dis) = run(&root, Flavor::OpenSsl3);
    println!("tls-servers (OpenSSL 3 cipher semantics): {m}/{c} matched");
    for d in &dis {
        println!("  disagreement: {d}");
    }
    let (m2, c2, dis2) = run(&root, Flavor::OpenSsl102);
    println!("tls-servers (OpenSSL 1.0.2 cipher semantics, as badssl.com ran): {m2}/{c2} matched");
    for d in &dis2 {
        println!("  disagreement: {d}");
    }
    let _ = fs::remove_dir_all(&root);
    assert!(c >= 40, "compared only {c} files");
    assert!(m * 100 >= c * 65, "conformance below floor: {m}/{c}");
}
