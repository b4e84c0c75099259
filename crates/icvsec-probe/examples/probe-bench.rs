//! Benchmark: start a local `openssl s_server` and time full probes against it.
//!
//! cargo run --release -p icvsec-probe --example probe-bench -- [--runs N] [--setup NAME]...
//!
//! Setups: `default` (s_server defaults: TLS 1.2 + 1.3, DEFAULT ciphers), `weak`
//! (TLS 1.0-1.3, `ALL:@SECLEVEL=0`, -verify 1), `tls13` (TLS 1.3 only). Not part of the
//! test suite. Prints min / median / max wall time per setup and a findings summary.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use icvsec_probe::{ProbeOptions, probe_tls};

struct Guard(Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn setup_args(name: &str) -> Vec<&'static str> {
    match name {
        "default" => vec![],
        "weak" => vec!["-cipher", "ALL:@SECLEVEL=0", "-verify", "1"],
        "tls13" => vec!["-tls1_3"],
        other => {
            eprintln!("unknown setup {other:?} (default | weak | tls13)");
            std::process::exit(2);
        }
    }
}

fn main() {
    let mut runs = 10usize;
    let mut setups: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(10),
            "--setup" => setups.extend(args.next()),
            _ => {
                eprintln!("usage: probe-bench [--runs N] [--setup default|weak|tls13]...");
                std::process::exit(2);
            }
        }
    }
    if setups.is_empty() {
        setups = vec!["default".into(), "weak".into(), "tls13".into()];
    }
    let dir: PathBuf =
        std::env::temp_dir().join(format!("icvsec-probe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let st = Command::new("/usr/bin/openssl")
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
        .expect("openssl req");
    assert!(st.success());
    println!(
        "probe-bench: {} run(s) per setup, nproc={}",
        runs,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    for setup in &setups {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("/usr/bin/openssl")
            .arg("s_server")
            .arg("-accept")
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert)
            .arg("-key")
            .arg(&key)
            .args(["-www", "-quiet"])
            .args(setup_args(setup))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn s_server");
        let _g = Guard(child);
        let until = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(20));
        }
        let target = format!("127.0.0.1:{port}");
        let opts = ProbeOptions::default();
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let r = probe_tls(&target, &opts);
            times.push(t.elapsed());
            last = Some(r);
        }
        times.sort();
        let r = last.expect("at least one run");
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "setup={setup:<8} min={:.1}ms median={:.1}ms max={:.1}ms complete={} errors={}",
            ms(times[0]),
            ms(times[times.len() / 2]),
            ms(times[times.len() - 1]),
            r.complete,
            r.errors.len()
        );
        for p in &r.protocols {
            println!(
                "    {:<9} {:<8} suites={:<3} server_order={:?}",
                p.version.label(),
                format!("{:?}", p.status).to_lowercase(),
                p.cipher_suites.len(),
                p.server_enforces_order
            );
        }
        let names = |g: &[icvsec_probe::GroupInfo]| {
            g.iter()
                .map(|x| {
                    x.name
                        .clone()
                        .unwrap_or_else(|| format!("0x{:04X}", x.code))
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        println!(
            "    groups tls13=[{}] ecdhe=[{}]",
            names(&r.groups.tls13),
            names(&r.groups.ecdhe)
        );
        println!(
            "    chain={} cert(s) via {:?}; client cert requested={:?}",
            r.certificate_chain.len(),
            r.certificate_chain_source,
            r.client_auth.requested
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
