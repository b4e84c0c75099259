//! The probe against nginx on 127.0.0.1 (apt package `nginx`), one weak and one strong
//! server block in a temporary prefix. Skipped with a note when /usr/sbin/nginx is absent.
//!
//! Weak: `ssl_protocols TLSv1 TLSv1.1; ssl_ciphers ALL:@SECLEVEL=0` (OpenSSL 3 refuses
//! TLS 1.0/1.1 above security level 0), `ssl_verify_client optional_no_ca`, and an
//! `ssl_dhparam` (without one nginx offers no DHE suites at all).
//! Strong: `ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers ECDHE+AESGCM` with server order.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use common::*;
use icvsec_probe::{ProtocolStatus, Version, probe_tls};

const NGINX: &str = "/usr/sbin/nginx";

#[test]
fn nginx_weak_and_strong() {
    if !Path::new(NGINX).exists() {
        eprintln!("SKIPPED: nginx_weak_and_strong: {NGINX} not found (apt-get install -y nginx)");
        return;
    }
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("nginx");
    let p = dir.path();
    let (cert, key) = make_cert(p);
    // nginx offers no DHE suites without ssl_dhparam; use the RFC 7919 ffdhe2048 group.
    let dh = p.join("dh.pem");
    let st = Command::new(OPENSSL)
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
        ])
        .arg(&dh)
        .status()
        .expect("openssl genpkey");
    assert!(st.success());
    for d in ["logs", "tmp"] {
        std::fs::create_dir_all(p.join(d)).unwrap();
    }
    let weak_port = free_port();
    let strong_port = free_port();
    let weak_spec = "ALL:@SECLEVEL=0";
    let strong_spec = "ECDHE+AESGCM";
    let tmp = p.join("tmp");
    let conf = format!(
        r#"
# One process: the guard's kill on drop then leaves no orphaned worker behind.
master_process off;
worker_processes 1;
error_log {p}/logs/error.log warn;
pid {p}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    server {{
        listen 127.0.0.1:{weak_port} ssl;
        ssl_protocols TLSv1 TLSv1.1;
        ssl_ciphers '{weak_spec}';
        ssl_prefer_server_ciphers off;
        ssl_verify_client optional_no_ca;
        ssl_dhparam {dh};
        return 200 "weak\n";
    }}
    server {{
        listen 127.0.0.1:{strong_port} ssl;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers '{strong_spec}';
        ssl_prefer_server_ciphers on;
        return 200 "strong\n";
    }}
}}
"#,
        p = p.display(),
        tmp = tmp.display(),
        cert = cert.display(),
        key = key.display(),
        dh = dh.display(),
    );
    let conf_path = p.join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let child = Command::new(NGINX)
        .arg("-p")
        .arg(p)
        .arg("-e")
        .arg(p.join("logs/error.log"))
        .arg("-c")
        .arg(&conf_path)
        .args(["-g", "daemon off;"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nginx");
    let mut guard = ChildGuard(child);
    wait_for_port(weak_port, &mut guard);
    wait_for_port(strong_port, &mut guard);

    // Weak server block.
    let r = probe_tls(&format!("127.0.0.1:{weak_port}"), &opts());
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(r.accepted_versions(), vec![Version::Tls10, Version::Tls11]);
    for v in [Version::Ssl3, Version::Tls12, Version::Tls13, Version::Tlcp] {
        assert_eq!(status(&r, v), ProtocolStatus::Rejected, "{v:?}");
    }
    for (v, flag) in [(Version::Tls10, "-tls1"), (Version::Tls11, "-tls1_1")] {
        let want: BTreeSet<u16> = openssl_ciphers(flag, weak_spec, &["RSA", "None"])
            .into_iter()
            .collect();
        assert_eq!(hexes(&suites(&r, v)), hexes(&want), "{v:?}");
        assert_eq!(r.protocol(v).unwrap().server_enforces_order, Some(false));
    }
    assert_eq!(r.client_auth.requested, Some(true));
    assert_eq!(
        r.client_auth.requested_in,
        vec![Version::Tls10, Version::Tls11]
    );
    let served = std::fs::read_to_string(&cert).unwrap();
    assert_eq!(pem_body(&r.certificate_chain[0]), pem_body(&served));

    // Strong server block.
    let r = probe_tls(&format!("127.0.0.1:{strong_port}"), &opts());
    println!("{}", r.to_json());
    assert!(r.complete, "errors: {:?}", r.errors);
    assert_eq!(r.accepted_versions(), vec![Version::Tls12, Version::Tls13]);
    let want_order = openssl_ciphers("-tls1_2", strong_spec, &["RSA"]);
    let want: BTreeSet<u16> = want_order.iter().copied().collect();
    assert_eq!(hexes(&suites(&r, Version::Tls12)), hexes(&want));
    let p12 = r.protocol(Version::Tls12).unwrap();
    assert_eq!(p12.server_enforces_order, Some(true));
    assert_eq!(p12.server_preference, want_order);
    let want13: BTreeSet<u16> = [0x1301, 0x1302, 0x1303].into();
    assert_eq!(suites(&r, Version::Tls13), want13);
    assert_eq!(r.client_auth.requested, Some(false));
    assert_eq!(
        r.client_auth.checked_in,
        vec![Version::Tls12, Version::Tls13]
    );
    assert!(r.groups.tls13.iter().any(|g| g.code == 0x001D));
    assert!(r.groups.ecdhe.iter().any(|g| g.code == 0x0017));
}
