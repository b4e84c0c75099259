//! Hashes a file the way payload verification does (SHA-256, streamed in 1 MiB chunks)
//! and prints the throughput, for comparison with `sha256sum`.
//!
//! cargo run --release -p icvsec-update --example hash-bench -- FILE [ROUNDS]

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: hash-bench FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);
    let mut best = f64::MAX;
    let mut last = ([0u8; 32], 0u64);
    for _ in 0..rounds {
        let t = Instant::now();
        match icvsec_update::hash::sha256_file(std::path::Path::new(&path)) {
            Ok(r) => last = r,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let hex: String = last.0.iter().map(|b| format!("{b:02x}")).collect();
    let mib = last.1 as f64 / (1024.0 * 1024.0);
    println!("{hex}  {path}");
    println!(
        "{} bytes, best of {rounds}: {:.3} s, {:.0} MiB/s (chunk {} KiB)",
        last.1,
        best,
        mib / best.max(1e-9),
        icvsec_update::hash::CHUNK / 1024
    );
}
