//! Throughput figures for the cipher-string engine and the nginx/openssl.cnf parsers.
//! Run: `cargo run --release -p icvsec-tls --example tls-bench`.

use icvsec_tls::{cipherstring, nginx, openssl_conf};
use std::path::Path;
use std::time::Instant;

fn main() {
    let strings = [
        "ALL:!aNULL",
        "HIGH:!aNULL:!MD5",
        "DEFAULT",
        "ECDHE+AESGCM",
        "ALL:COMPLEMENTOFALL:@STRENGTH",
    ];
    let n = 2000;
    let t = Instant::now();
    let mut total = 0;
    for _ in 0..n {
        for s in strings {
            total += cipherstring::expand(s).unwrap().suites.len();
        }
    }
    let d = t.elapsed();
    println!(
        "cipherstring::expand: {} expansions in {:.3} s ({:.1} us each, {total} suites total)",
        n * strings.len(),
        d.as_secs_f64(),
        d.as_secs_f64() * 1e6 / (n * strings.len()) as f64
    );

    let mut conf = String::from("http {\n ssl_protocols TLSv1.2 TLSv1.3;\n");
    for i in 0..500 {
        conf.push_str(&format!(
            " server {{\n  listen {} ssl;\n  server_name s{i}.example;\n  ssl_ciphers 'ECDHE+AESGCM:!aNULL';\n  location / {{ return 204; }}\n }}\n",
            10000 + i
        ));
    }
    conf.push_str("}\n");
    let t = Instant::now();
    let reps = 50;
    for _ in 0..reps {
        let d = nginx::parse_str(&conf, Path::new("/etc/nginx/nginx.conf")).unwrap();
        assert_eq!(d[0].block.as_ref().unwrap().len(), 501);
    }
    let d = t.elapsed();
    println!(
        "nginx::parse_str: {} bytes x {reps} in {:.3} s ({:.1} MB/s)",
        conf.len(),
        d.as_secs_f64(),
        (conf.len() * reps) as f64 / d.as_secs_f64() / 1e6
    );

    let mut cnf = String::from(
        "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sd\n[sd]\nMinProtocol = TLSv1.2\n",
    );
    for i in 0..5000 {
        cnf.push_str(&format!(
            "[s{i}]\nkey{i} = value ${{sd::MinProtocol}} {i}\n"
        ));
    }
    let t = Instant::now();
    for _ in 0..reps {
        openssl_conf::parse_str(&cnf, Path::new("/etc/ssl/openssl.cnf")).unwrap();
    }
    let d = t.elapsed();
    println!(
        "openssl_conf::parse_str: {} bytes x {reps} in {:.3} s ({:.1} MB/s)",
        cnf.len(),
        d.as_secs_f64(),
        (cnf.len() * reps) as f64 / d.as_secs_f64() / 1e6
    );
}
