//! Throughput of the parsers and evaluators, printed as figures (not asserted anywhere).
//! Run: `cargo run --release -p icvsec-linux --example bench`
//! Uses the shared kernel corpus when present, plus synthetic inputs.

use icvsec_linux::common::MemRoot;
use icvsec_linux::kconfig::{KconfigProfile, evaluate, parse_kconfig};
use icvsec_linux::{firewall, passwd, sshd};
use std::time::Instant;

const CORPORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora");
const PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../rules/params/kernel-hardening.toml"
);

fn report(what: &str, bytes: usize, iters: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{what:<40} {iters:>6} runs  {:>9.1} us/run  {:>8.1} MB/s",
        secs * 1e6 / iters as f64,
        (bytes * iters) as f64 / secs / 1e6
    );
}

fn main() {
    let profile =
        KconfigProfile::from_toml("profile", &std::fs::read_to_string(PROFILE).unwrap()).unwrap();
    let dir = std::path::Path::new(CORPORA).join("kernel/configs");
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut files: Vec<_> = rd.map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files.iter().take(3) {
            let b = std::fs::read(f).unwrap();
            let n = 50;
            let t = Instant::now();
            for _ in 0..n {
                let c = parse_kconfig("c", &b).unwrap();
                std::hint::black_box(evaluate(&c, &profile));
            }
            report(
                &format!(
                    "kconfig parse+eval {}",
                    f.file_name().unwrap().to_string_lossy()
                ),
                b.len(),
                n,
                t,
            );
        }
    } else {
        println!("NOTE: {} absent; kernel figures skipped", dir.display());
    }

    let mut cfg = String::new();
    for i in 0..2000 {
        cfg.push_str(&format!("# comment {i}\nAcceptEnv VAR{i}\n"));
    }
    cfg.push_str(
        "PermitRootLogin no\nCiphers -3des*,aes*-cbc\nMatch User u\n  X11Forwarding yes\n",
    );
    let root = MemRoot::new();
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        let c = sshd::parse_sshd_config("sshd_config", cfg.as_bytes(), &root).unwrap();
        std::hint::black_box(c.effective());
    }
    report("sshd parse+effective (4k lines)", cfg.len(), n, t);

    let mut pw = String::new();
    for i in 0..5000 {
        pw.push_str(&format!(
            "user{i}:x:{i}:{i}::/home/u{i}:/usr/sbin/nologin\n"
        ));
    }
    let t = Instant::now();
    for _ in 0..n {
        let p = passwd::parse_passwd("passwd", pw.as_bytes()).unwrap();
        std::hint::black_box(passwd::check_service_shells(&p, &Default::default()));
    }
    report("passwd parse+shells (5k accounts)", pw.len(), n, t);

    let mut nft = String::from(
        "table inet filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n",
    );
    for i in 0..5000 {
        nft.push_str(&format!(
            "  ip saddr {{ 10.0.{}.{} }} tcp dport {} accept\n",
            i / 250,
            i % 250,
            1000 + i
        ));
    }
    nft.push_str(" }\n}\n");
    let t = Instant::now();
    for _ in 0..n {
        let r = firewall::parse_nftables("nft", nft.as_bytes()).unwrap();
        std::hint::black_box(firewall::check_default_deny(&r, &["input".into()]));
    }
    report("nftables parse+check (5k rules)", nft.len(), n, t);
}
