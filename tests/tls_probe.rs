//! `icvsec probe tls` against real servers on 127.0.0.1 (ports picked at run time, servers
//! killed on drop): `openssl s_server` with a weak and a strong setup, and nginx (when
//! /usr/sbin/nginx exists) whose configuration is also judged by the config rules, so probe
//! and configuration check are compared on the same server. A saved probe is then scanned.
//! No timed assertions. Skipped with a note when /usr/bin/openssl is absent.

use crate::common::{catalog, icvsec, scan_with};
use icvsec_model::Outcome;
use serde_json::Value;
use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const OPENSSL: &str = "/usr/bin/openssl";
const NGINX: &str = "/usr/sbin/nginx";

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "icvsec-tlsprobe-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Child process killed and reaped on drop.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(port: u16, g: &mut Guard) {
    let until = Instant::now() + Duration::from_secs(20);
    while Instant::now() < until {
        if let Ok(Some(st)) = g.0.try_wait() {
            panic!("server exited early with {st}");
        }
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("server on port {port} did not come up");
}

fn have_openssl() -> bool {
    let ok = Path::new(OPENSSL).exists();
    if !ok {
        eprintln!("SKIPPED: live TLS probe test: {OPENSSL} not found (apt-get install -y openssl)");
    }
    ok
}

/// Self-signed leaf for `tls.test` / 127.0.0.1 with a P-256 or RSA-2048 key, valid 30 days
/// from now: (cert.pem, key.pem).
fn make_cert(dir: &Path, ec: bool) -> (PathBuf, PathBuf) {
    let tag = if ec { "ec" } else { "rsa" };
    let cert = dir.join(format!("{tag}-cert.pem"));
    let key = dir.join(format!("{tag}-key.pem"));
    let mut c = Command::new(OPENSSL);
    c.args([
        "req",
        "-x509",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=tls.test",
    ]);
    if ec {
        c.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
    } else {
        c.args(["-newkey", "rsa:2048"]);
    }
    let st = c
        .args([
            "-addext",
            "subjectAltName=DNS:tls.test,IP:127.0.0.1",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl req");
    assert!(st.success(), "openssl req failed");
    (cert, key)
}

fn s_server(cert: &Path, key: &Path, extra: &[&str]) -> (Guard, u16) {
    let port = free_port();
    let child = Command::new(OPENSSL)
        .arg("s_server")
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(["-www", "-quiet"])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn openssl s_server");
    let mut g = Guard(child);
    wait_for_port(port, &mut g);
    (g, port)
}

/// Code points of `openssl ciphers -V -s <proto> <spec>` whose Au= is one of `au`.
fn openssl_ciphers(proto: &str, spec: &str, au: &[&str]) -> BTreeSet<u16> {
    openssl_ciphers_kx(proto, spec, au, &[])
}

/// Same, leaving out key exchanges (Kx=) in `no_kx`.
fn openssl_ciphers_kx(proto: &str, spec: &str, au: &[&str], no_kx: &[&str]) -> BTreeSet<u16> {
    let out = Command::new(OPENSSL)
        .args(["ciphers", "-V", "-s", proto, spec])
        .output()
        .expect("openssl ciphers");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let a = f.iter().find_map(|x| x.strip_prefix("Au="))?;
            if !au.contains(&a) {
                return None;
            }
            let kx = f.iter().find_map(|x| x.strip_prefix("Kx=")).unwrap_or("");
            if no_kx.contains(&kx) {
                return None;
            }
            u16::from_str_radix(&f.first()?.replace("0x", "").replace(',', ""), 16).ok()
        })
        .collect()
}

/// Run `icvsec probe tls 127.0.0.1:PORT --sni tls.test --format json [extra]`.
fn probe(port: u16, extra: &[&str]) -> (i32, Value) {
    let target = format!("127.0.0.1:{port}");
    let mut args = vec![
        "probe",
        "tls",
        target.as_str(),
        "--sni",
        "tls.test",
        "--format",
        "json",
        "--read-timeout",
        "5",
    ];
    args.extend_from_slice(extra);
    let out = icvsec(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), v)
}

fn accepted(v: &Value) -> Vec<String> {
    v["probe"]["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "accepted")
        .map(|p| p["version"].as_str().unwrap().to_string())
        .collect()
}

fn suites(v: &Value, version: &str) -> BTreeSet<u16> {
    v["probe"]["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == version)
        .unwrap()["cipher_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_u64().unwrap() as u16)
        .collect()
}

/// Findings of one check with one outcome: their messages.
fn findings(v: &Value, check: &str, outcome: &str) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == check && f["outcome"] == outcome)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

fn hexes(s: &BTreeSet<u16>) -> Vec<String> {
    s.iter().map(|c| format!("0x{c:04X}")).collect()
}

#[test]
fn weak_s_server_fails_on_versions_and_suites_and_saved_probe_scans() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("weak");
    let (cert, key) = make_cert(&dir.0, false);
    let spec = "ALL:@SECLEVEL=0";
    let (_srv, port) = s_server(&cert, &key, &["-no_ssl3", "-cipher", spec]);
    let save = dir.0.join("build/probes/backend.probe.json");
    std::fs::create_dir_all(save.parent().unwrap()).unwrap();
    let (code, v) = probe(port, &["--save", save.to_str().unwrap()]);
    assert_eq!(v["probe"]["complete"], true, "{:#}", v["probe"]["errors"]);
    assert_eq!(code, 1, "failures at or above high: {:#}", v["summary"]);
    assert_eq!(accepted(&v), ["TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]);
    // The suites agree with what OpenSSL says this configuration enables for an RSA key.
    for (version, flag) in [("TLSv1.0", "-tls1"), ("TLSv1.2", "-tls1_2")] {
        let want = openssl_ciphers(flag, spec, &["RSA", "None"]);
        assert!(want.len() >= 8);
        assert_eq!(hexes(&suites(&v, version)), hexes(&want), "{version}");
    }
    let proto = findings(&v, "protocol", "fail");
    assert_eq!(proto.len(), 2, "{proto:?}");
    assert!(proto.iter().any(|m| m.contains("`TLSv1`")), "{proto:?}");
    assert!(proto.iter().any(|m| m.contains("`TLSv1.1`")), "{proto:?}");
    let weak = findings(&v, "weak_suites", "fail");
    assert!(
        weak.iter()
            .any(|m| m.starts_with("anonymous `TLS_DH_anon_WITH_AES_128_CBC_SHA (0x0034)`")),
        "{weak:?}"
    );
    let fs = findings(&v, "forward_secrecy_aead", "fail");
    assert!(
        fs.iter().any(|m| m
            .starts_with("no_forward_secrecy `TLS_RSA_WITH_AES_128_CBC_SHA (0x002F)`")
            && m.contains("accepted with TLSv1.0, TLSv1.1, TLSv1.2")),
        "{fs:?}"
    );
    assert_eq!(findings(&v, "hostname", "pass").len(), 1);

    // The saved probe, scanned as part of a build whose vehicle.json names the endpoint.
    let build = dir.0.join("build");
    std::fs::write(
        build.join("vehicle.json"),
        r#"{ "schema_version": 1,
  "vehicle": { "model": "probe test", "markets": ["CN"] },
  "endpoints": [ { "id": "tsp", "host": "tls.test", "port": 443, "region": "CN", "owner": "oem" } ],
  "probes": ["probes/backend.probe.json"] }"#,
    )
    .unwrap();
    let inv = icvsec_inputs::load_build(&build, &Default::default());
    let p = &inv.probes["probes/backend.probe.json"];
    assert_eq!(p.endpoint.as_deref(), Some("tsp"));
    let leaf = &inv.certificates["probes/backend.probe.json#chain1"];
    assert_eq!(leaf.cert.san_dns, vec!["tls.test".to_string()]);
    assert!(matches!(
        &leaf.uses[..],
        [icvsec_inputs::CertUse::Server { endpoint, .. }] if endpoint == "tsp"
    ));
    let rules: Vec<_> = catalog()
        .into_iter()
        .filter(|r| r.id.starts_with("ICV-TLS-10"))
        .collect();
    let report = scan_with(&build, &rules);
    let outcome = |id: &str| -> Vec<Outcome> {
        report
            .findings
            .iter()
            .filter(|f| f.rule_id == id)
            .map(|f| f.outcome)
            .collect()
    };
    for id in ["ICV-TLS-101", "ICV-TLS-102", "ICV-TLS-103", "ICV-TLS-104"] {
        assert!(
            outcome(id).contains(&Outcome::Fail),
            "{id}: {:?}",
            outcome(id)
        );
        assert!(!outcome(id).contains(&Outcome::Pass), "{id}");
    }
}

#[test]
fn strong_s_server_is_clean_and_requests_client_certificates_when_told() {
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("strong");
    let (cert, key) = make_cert(&dir.0, true);
    let spec = "ECDHE+AESGCM";
    let (_srv, port) = s_server(
        &cert,
        &key,
        &[
            "-no_ssl3",
            "-no_tls1",
            "-no_tls1_1",
            "-cipher",
            spec,
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384",
            "-verify",
            "1",
        ],
    );
    let (code, v) = probe(port, &[]);
    assert_eq!(v["probe"]["complete"], true, "{:#}", v["probe"]["errors"]);
    assert_eq!(accepted(&v), ["TLSv1.2", "TLSv1.3"]);
    let want12 = openssl_ciphers("-tls1_2", spec, &["ECDSA"]);
    assert_eq!(hexes(&suites(&v, "TLSv1.2")), hexes(&want12));
    assert_eq!(
        hexes(&suites(&v, "TLSv1.3")),
        ["0x1301".to_string(), "0x1302".to_string()]
    );
    let bad: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] != "pass")
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(code, 0);
    assert_eq!(v["summary"]["exit_code"], 0);
    assert_eq!(v["probe"]["client_auth"]["requested"], true);
    // The host name must match: the same server under another name fails.
    let out = icvsec(&[
        "probe",
        "tls",
        &format!("127.0.0.1:{port}"),
        "--sni",
        "other.test",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("`other.test` matches none of the SAN DNS names [tls.test]"),
        "{text}"
    );
    assert!(text.contains("TLSv1.2   accepted"), "{text}");
}

#[test]
fn unreachable_target_is_incomplete_and_bad_target_is_usage() {
    // A port nothing listens on: every question unanswered, exit 3, never a pass.
    let port = free_port();
    let (code, v) = probe(port, &["--connect-timeout", "2"]);
    assert_eq!(code, 3);
    assert_eq!(v["probe"]["complete"], false);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["outcome"] != "pass")
    );
    let out = icvsec(&["probe", "tls", "no-port-here"]);
    assert_eq!(out.status.code(), Some(2));
    let out = icvsec(&["probe", "tls", "127.0.0.1:1", "--read-timeout", "-1"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn nginx_probe_and_config_check_agree() {
    if !Path::new(NGINX).exists() {
        eprintln!(
            "SKIPPED: nginx_probe_and_config_check_agree: {NGINX} not found (apt-get install -y nginx)"
        );
        return;
    }
    if !have_openssl() {
        return;
    }
    let dir = TempDir::new("nginx");
    let p = dir.0.clone();
    let (cert, key) = make_cert(&p, false);
    for d in ["logs", "tmp", "build/rootfs/etc/nginx"] {
        std::fs::create_dir_all(p.join(d)).unwrap();
    }
    let weak_port = free_port();
    let strong_port = free_port();
    let conf = format!(
        r#"master_process off;
worker_processes 1;
error_log {p}/logs/error.log warn;
pid {p}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {p}/tmp/body;
    proxy_temp_path {p}/tmp/proxy;
    fastcgi_temp_path {p}/tmp/fastcgi;
    uwsgi_temp_path {p}/tmp/uwsgi;
    scgi_temp_path {p}/tmp/scgi;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    server {{
        listen 127.0.0.1:{weak_port} ssl;
        server_name weak.test;
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
        ssl_ciphers 'ALL:@SECLEVEL=0';
        return 200 "weak\n";
    }}
    server {{
        listen 127.0.0.1:{strong_port} ssl;
        server_name strong.test;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers 'ECDHE+AESGCM';
        ssl_prefer_server_ciphers on;
        return 200 "strong\n";
    }}
}}
"#,
        p = p.display(),
        cert = cert.display(),
        key = key.display(),
    );
    // The same file is what nginx runs and what the configuration rules read.
    let conf_path = p.join("build/rootfs/etc/nginx/nginx.conf");
    std::fs::write(&conf_path, &conf).unwrap();
    let child = Command::new(NGINX)
        .arg("-p")
        .arg(&p)
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
    let mut g = Guard(child);
    wait_for_port(weak_port, &mut g);
    wait_for_port(strong_port, &mut g);

    let (code, weak) = probe(weak_port, &[]);
    assert_eq!(
        weak["probe"]["complete"], true,
        "{:#}",
        weak["probe"]["errors"]
    );
    assert_eq!(code, 1);
    assert_eq!(accepted(&weak), ["TLSv1.0", "TLSv1.1", "TLSv1.2"]);
    // nginx without ssl_dhparam offers no DHE suites.
    let want12 = openssl_ciphers_kx("-tls1_2", "ALL:@SECLEVEL=0", &["RSA", "None"], &["DH"]);
    assert_eq!(hexes(&suites(&weak, "TLSv1.2")), hexes(&want12));
    let probe_versions: BTreeSet<String> = findings(&weak, "protocol", "fail")
        .iter()
        .filter_map(|m| m.split('`').nth(1).map(str::to_string))
        .collect();

    assert_eq!(probe_versions.len(), 2, "{probe_versions:?}");
    let (code, strong) = probe(strong_port, &[]);
    assert_eq!(accepted(&strong), ["TLSv1.2", "TLSv1.3"]);
    assert!(findings(&strong, "protocol", "fail").is_empty());
    assert!(findings(&strong, "weak_suites", "fail").is_empty());
    // RSA-2048 self-signed leaf valid 30 days: nothing at or above high fails.
    assert_eq!(code, 0, "{:#}", strong["findings"]);

    // The configuration rule flags the same versions, at the line that sets them.
    let rules: Vec<_> = catalog()
        .into_iter()
        .filter(|r| r.id == "ICV-TLSCFG-001")
        .collect();
    let report = scan_with(&p.join("build"), &rules);
    let fails: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail)
        .collect();
    let cfg_versions: BTreeSet<String> = fails
        .iter()
        .filter_map(|f| f.message.split('`').nth(1).map(str::to_string))
        .collect();
    assert_eq!(cfg_versions, probe_versions, "{fails:#?}");
    let line = conf
        .lines()
        .position(|l| l.contains("TLSv1 TLSv1.1 TLSv1.2"))
        .unwrap() as u32
        + 1;
    for f in &fails {
        let loc = f.location.as_ref().expect("location");
        assert_eq!(loc.file, "rootfs/etc/nginx/nginx.conf");
        assert_eq!(loc.line, Some(line));
        assert!(f.message.contains("weak.test"), "{}", f.message);
    }
}
