//! Prints the parsed summary and all default lint results for certificate files.
//! `cargo run -p icvsec-pki --example pki-inspect -- FILE...`
fn main() {
    for f in std::env::args().skip(1) {
        let bytes = std::fs::read(&f).expect("read");
        match icvsec_pki::parse_certificates(&bytes) {
            Err(e) => println!("{f}: error: {e}"),
            Ok(certs) => {
                for c in certs {
                    println!(
                        "{f}: {} bc={:?} ku={:?} ext_errors={:?}",
                        c.subject, c.basic_constraints, c.key_usage, c.extension_errors
                    );
                    for (name, rs) in icvsec_pki::lint::all_default(&c, 1_780_272_000) {
                        for r in rs.iter().filter(|r| !r.passed) {
                            println!("  {name}: {}", r.message);
                        }
                    }
                }
            }
        }
    }
}
