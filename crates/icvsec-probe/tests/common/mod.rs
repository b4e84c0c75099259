//! Shared helpers for the probe's loopback tests: free ports, temp dirs, child-process
//! guards (killed on drop), OpenSSL helpers.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use icvsec_probe::{ProbeOptions, ProbeResult, ProtocolStatus, Version};

pub const OPENSSL: &str = "/usr/bin/openssl";

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

/// Temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "icvsec-probe-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Child process killed (and reaped) on drop.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Wait until something accepts TCP connections on the port (bounded).
pub fn wait_for_port(port: u16, child: &mut ChildGuard) {
    let until = Instant::now() + Duration::from_secs(15);
    while Instant::now() < until {
        if let Ok(Some(st)) = child.0.try_wait() {
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

pub fn have_openssl() -> bool {
    if Path::new(OPENSSL).exists() {
        true
    } else {
        eprintln!(
            "SKIPPED: OpenSSL-based probe test: {OPENSSL} not found (apt-get install -y openssl)"
        );
        false
    }
}

/// Self-signed RSA-2048 certificate + key in `dir`: (cert.pem, key.pem).
pub fn make_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let cert = dir.join("cert.pem");
    let key = dir.join("key.pem");
    let st = Command::new(OPENSSL)
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl req");
    assert!(st.success(), "openssl req failed");
    (cert, key)
}

/// Start `openssl s_server` on a free port with extra args; returns (guard, port).
pub fn start_s_server(cert: &Path, key: &Path, extra: &[&str]) -> (ChildGuard, u16) {
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
    let mut g = ChildGuard(child);
    wait_for_port(port, &mut g);
    (g, port)
}

/// Code points from `openssl ciphers -V -s <proto> <spec>`, keeping lines whose
/// authentication is one of `au` (e.g. ["RSA", "None"] for an RSA certificate).
pub fn openssl_ciphers(proto: &str, spec: &str, au: &[&str]) -> Vec<u16> {
    let out = Command::new(OPENSSL)
        .args(["ciphers", "-V", "-s", proto, spec])
        .output()
        .expect("run openssl ciphers");
    assert!(
        out.status.success(),
        "openssl ciphers {proto} {spec} failed"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut v = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 6 {
            continue;
        }
        let a = f.iter().find_map(|x| x.strip_prefix("Au=")).unwrap_or("");
        if !au.contains(&a) {
            continue;
        }
        let hex = f[0].replace("0x", "").replace(',', "");
        v.push(u16::from_str_radix(&hex, 16).expect("hex code point"));
    }
    v
}

/// Options for loopback tests: generous enough for a loaded CI machine.
pub fn opts() -> ProbeOptions {
    ProbeOptions {
        sni: None,
        connect_timeout: Duration::from_secs(3),
        read_timeout: Duration::from_secs(5),
        overall_deadline: Duration::from_secs(60),
        parallelism: 4,
    }
}

pub fn suites(r: &ProbeResult, v: Version) -> BTreeSet<u16> {
    r.protocol(v)
        .expect("version entry")
        .cipher_suites
        .iter()
        .map(|s| s.code)
        .collect()
}

pub fn status(r: &ProbeResult, v: Version) -> ProtocolStatus {
    r.protocol(v).expect("version entry").status
}

pub fn hexes(s: &BTreeSet<u16>) -> Vec<String> {
    s.iter().map(|c| format!("0x{c:04X}")).collect()
}

/// DER of a PEM certificate file (first block).
pub fn pem_body(pem: &str) -> String {
    pem.lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("")
}

fn run_openssl(args: &[&str], dir: &Path) {
    let st = Command::new(OPENSSL)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl");
    assert!(st.success(), "openssl {args:?} failed");
}

/// P-256 chain in `dir`: root CA -> intermediate CA -> leaf (CN=localhost).
/// Returns (leaf.pem, leaf.key, intermediate.pem).
pub fn make_ec_chain(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::write(
        dir.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\n",
    )
    .unwrap();
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut a = vec!["req", "-x509"];
    a.extend(ec);
    a.extend([
        "-keyout",
        "root.key",
        "-out",
        "root.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Probe Test Root",
    ]);
    a.extend(["-addext", "basicConstraints=critical,CA:TRUE"]);
    run_openssl(&a, dir);
    for (name, cn, ca, ext, serial) in [
        ("int", "/CN=Probe Test Intermediate", "root", "ca.ext", "2"),
        ("leaf", "/CN=localhost", "int", "leaf.ext", "3"),
    ] {
        let key = format!("{name}.key");
        let csr = format!("{name}.csr");
        let pem = format!("{name}.pem");
        let mut a = vec!["req"];
        a.extend(ec);
        a.extend(["-keyout", &key, "-out", &csr, "-subj", cn]);
        run_openssl(&a, dir);
        let ca_pem = format!("{ca}.pem");
        let ca_key = format!("{ca}.key");
        run_openssl(
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                &ca_pem,
                "-CAkey",
                &ca_key,
                "-set_serial",
                serial,
                "-days",
                "2",
                "-extfile",
                ext,
                "-out",
                &pem,
            ],
            dir,
        );
    }
    (
        dir.join("leaf.pem"),
        dir.join("leaf.key"),
        dir.join("int.pem"),
    )
}
