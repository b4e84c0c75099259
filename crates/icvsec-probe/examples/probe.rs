//! `cargo run -p icvsec-probe --example probe -- HOST:PORT [SNI]`: print the ProbeResult JSON.
fn main() {
    let mut args = std::env::args().skip(1);
    let Some(target) = args.next() else {
        eprintln!("usage: probe HOST:PORT [SNI]");
        std::process::exit(2);
    };
    let opts = icvsec_probe::ProbeOptions {
        sni: args.next(),
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let r = icvsec_probe::probe_tls(&target, &opts);
    println!("{}", r.to_json());
    eprintln!("probe took {:?}", t.elapsed());
}
