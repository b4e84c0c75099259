//! Reads and verifies one package from a file (SWUpdate packages are hashed in place)
//! and prints the time taken and the payload verdicts, for the update-package figures
//! of docs/benchmarks.md.
//!
//! cargo run --release -p icvsec-update --example verify-bench -- FILE.swu

use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: verify-bench FILE");
        std::process::exit(2);
    };
    let t = Instant::now();
    match icvsec_update::read_package_file(std::path::Path::new(&path), &Default::default()) {
        Ok(p) => {
            let secs = t.elapsed().as_secs_f64();
            let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            for pl in &p.payloads {
                println!("{}: {:?}", pl.name, pl.actual);
            }
            println!(
                "{} package of {len} bytes verified in {secs:.3} s ({:.0} MiB/s)",
                p.kind.name(),
                len as f64 / (1024.0 * 1024.0) / secs.max(1e-9)
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
