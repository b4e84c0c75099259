//! Load once, judge many times: a configuration is read (includes, DH parameters, header)
//! by `load_config`, then judged by `judge` under any policy without touching the files.
//! A load error is kept with its file and line and becomes the judgement's error.

mod common;
use common::{tmp_root, write};

use icvsec_tls::checks::{
    CheckParams, CheckStatus, ConfigKind, LoadedConfig, check_nginx_config, check_openssl_config,
    check_stack_header, judge, load_config,
};
use icvsec_tls::policy::{DhParams, WeaknessCode};
use icvsec_tls::versions::Version;
use std::fs;
use std::path::Path;

/// RFC 7919 ffdhe2048.
const FFDHE2048: &str = "-----BEGIN DH PARAMETERS-----\nMIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz\n+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a\n87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7\nYdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi\n7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD\nssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==\n-----END DH PARAMETERS-----\n";

fn params(f: impl FnOnce(&mut CheckParams)) -> CheckParams {
    let mut p = CheckParams::default();
    p.fail_on.push(WeaknessCode::WeakDhGroup);
    f(&mut p);
    p
}

fn codes(o: &icvsec_tls::checks::CheckOutcome) -> Vec<(WeaknessCode, String)> {
    o.findings
        .iter()
        .map(|f| (f.code, f.item.clone()))
        .collect()
}

#[test]
fn nginx_judged_under_two_policies_after_the_files_are_gone() {
    let root = tmp_root("loadjudge");
    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n  ssl_protocols TLSv1.1 TLSv1.2;\n  include conf.d/*.conf;\n}\n",
    );
    write(
        &root,
        "etc/nginx/conf.d/a.conf",
        "server {\n  listen 443 ssl;\n  server_name a.example;\n  ssl_ciphers DHE-RSA-AES256-GCM-SHA384;\n  ssl_dhparam dh.pem;\n}\n",
    );
    write(&root, "etc/nginx/dh.pem", FFDHE2048);
    let sys = Path::new("/etc/nginx/nginx.conf");
    let loaded = load_config(ConfigKind::Nginx, &root, sys);
    let strict = params(|p| p.policy.min_dh_bits = 3072);
    let lenient = params(|p| {
        p.policy.min_version = Version::Tls11;
        p.policy.min_dh_bits = 2048;
    });
    // What the one-shot check says while the files exist is what the judgement says.
    assert_eq!(
        judge(&loaded, &strict),
        check_nginx_config(&root, sys, &strict)
    );
    let LoadedConfig::Nginx(n) = &loaded else {
        panic!("an nginx load")
    };
    let n = n.as_ref().as_ref().unwrap();
    assert_eq!(
        n.dhparams.get(Path::new("/etc/nginx/dh.pem")),
        Some(&DhParams::Bits(2048))
    );
    // Nothing is read when judging: the root is gone, and a policy change re-judges.
    fs::remove_dir_all(&root).unwrap();
    let o = judge(&loaded, &strict);
    assert_eq!(o.status(), CheckStatus::Fail);
    let c = codes(&o);
    assert!(
        c.contains(&(WeaknessCode::ProtocolBelowMin, "TLSv1.1".into())),
        "{c:?}"
    );
    assert!(
        c.iter().any(|(k, _)| *k == WeaknessCode::WeakDhGroup),
        "{c:?}"
    );
    let dh = o
        .findings
        .iter()
        .find(|f| f.code == WeaknessCode::WeakDhGroup)
        .unwrap();
    let at = dh.at.as_ref().unwrap();
    assert_eq!(
        (at.file.as_path(), at.line),
        (Path::new("/etc/nginx/conf.d/a.conf"), 5)
    );
    let o = judge(&loaded, &lenient);
    assert_eq!(o.status(), CheckStatus::Pass, "{:?}", o.findings);
    assert!(o.errors.is_empty());
    assert_eq!(o.examined.len(), 2);
}

#[test]
fn nginx_include_error_names_file_and_line() {
    let root = tmp_root("loadjudge");
    write(
        &root,
        "etc/nginx/nginx.conf",
        "events {}\nhttp {\n\n  include /etc/nginx/missing.conf;\n}\n",
    );
    let sys = Path::new("/etc/nginx/nginx.conf");
    let loaded = load_config(ConfigKind::Nginx, &root, sys);
    fs::remove_dir_all(&root).unwrap();
    for p in [
        params(|_| {}),
        params(|p| p.policy.min_version = Version::Tls10),
    ] {
        let o = judge(&loaded, &p);
        assert_eq!(o.status(), CheckStatus::Error);
        assert_eq!(o.errors.len(), 1);
        let e = &o.errors[0];
        assert_eq!((e.file.as_path(), e.line), (sys, 4), "{e}");
        assert!(e.message.contains("missing.conf"), "{e}");
        assert!(o.findings.is_empty() && o.examined.is_empty());
    }
}

#[test]
fn nginx_unreadable_dhparam_is_an_error_at_its_line() {
    let root = tmp_root("loadjudge");
    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n  server {\n    listen 443 ssl;\n    ssl_dhparam /etc/nginx/none.pem;\n  }\n}\n",
    );
    let loaded = load_config(ConfigKind::Nginx, &root, Path::new("/etc/nginx/nginx.conf"));
    fs::remove_dir_all(&root).unwrap();
    let o = judge(&loaded, &params(|_| {}));
    assert_eq!(o.status(), CheckStatus::Error);
    let e = &o.errors[0];
    assert_eq!(e.line, 4);
    assert!(e.message.contains("ssl_dhparam cannot be read"), "{e}");
}

#[test]
fn openssl_load_then_judge() {
    let root = tmp_root("loadjudge");
    write(
        &root,
        "etc/ssl/openssl.cnf",
        "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sd\n.include /etc/ssl/sd.cnf\n",
    );
    write(&root, "etc/ssl/sd.cnf", "[sd]\nMinProtocol = TLSv1.1\n");
    let sys = Path::new("/etc/ssl/openssl.cnf");
    let loaded = load_config(ConfigKind::Openssl, &root, sys);
    let strict = params(|_| {});
    assert_eq!(
        judge(&loaded, &strict),
        check_openssl_config(&root, sys, &strict)
    );
    fs::remove_dir_all(&root).unwrap();
    let o = judge(&loaded, &strict);
    let f = o
        .findings
        .iter()
        .find(|f| f.code == WeaknessCode::ProtocolBelowMin)
        .expect("TLS 1.1 allowed");
    let at = f.at.as_ref().unwrap();
    assert_eq!(
        (at.file.as_path(), at.line),
        (Path::new("/etc/ssl/sd.cnf"), 2)
    );
    let o = judge(&loaded, &params(|p| p.policy.min_version = Version::Tls11));
    assert!(
        o.findings
            .iter()
            .all(|f| f.code != WeaknessCode::ProtocolBelowMin),
        "{:?}",
        o.findings
    );

    // A missing include: the error names the including file and line.
    let root = tmp_root("loadjudge");
    write(
        &root,
        "etc/ssl/openssl.cnf",
        "a = 1\n\n.include /etc/ssl/missing.cnf\n",
    );
    let loaded = load_config(ConfigKind::Openssl, &root, sys);
    fs::remove_dir_all(&root).unwrap();
    let o = judge(&loaded, &strict);
    assert_eq!(o.status(), CheckStatus::Error);
    assert_eq!((o.errors[0].file.as_path(), o.errors[0].line), (sys, 3));
}

#[test]
fn stack_header_load_then_judge() {
    let root = tmp_root("loadjudge");
    write(
        &root,
        "fw/include/mbedtls_config.h",
        "#define MBEDTLS_SSL_TLS_C\n#define MBEDTLS_SSL_PROTO_TLS1_2\n#define MBEDTLS_SSL_PROTO_TLS1_3\n#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED\n#define MBEDTLS_AES_C\n#define MBEDTLS_GCM_C\n",
    );
    write(&root, "fw/include/user_settings.h", "#define X 1\n#if 1");
    let sys = Path::new("/fw/include/mbedtls_config.h");
    let loaded = load_config(ConfigKind::Embedded, &root, sys);
    let p = params(|p| p.fail_on.push(WeaknessCode::Tls13NotEnabled));
    assert_eq!(judge(&loaded, &p), check_stack_header(&root, sys, &p));
    let bad = load_config(
        ConfigKind::Embedded,
        &root,
        Path::new("/fw/include/user_settings.h"),
    );
    fs::remove_dir_all(&root).unwrap();
    let o = judge(&loaded, &p);
    assert_eq!(o.status(), CheckStatus::Pass, "{:?}", o.findings);
    assert_eq!(o.examined, vec![sys.to_path_buf()]);
    // TLS 1.3 as the minimum: TLS 1.2 compiled in is now a finding in the header.
    let o = judge(&loaded, &params(|p| p.policy.min_version = Version::Tls13));
    let f = o
        .findings
        .iter()
        .find(|f| f.code == WeaknessCode::ProtocolBelowMin)
        .expect("TLS 1.2 below the minimum");
    assert_eq!(f.item, "TLSv1.2");
    assert_eq!(f.at.as_ref().map(|a| a.file.as_path()), Some(sys));
    // A header that cannot be parsed: the error, with its line, on every judgement.
    let o = judge(&bad, &p);
    assert_eq!(o.status(), CheckStatus::Error);
    assert_eq!(o.errors[0].line, 2);
    assert!(o.errors[0].message.contains("unterminated #if"));
}
