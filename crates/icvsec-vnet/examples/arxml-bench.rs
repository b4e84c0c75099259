//! Generates a large synthetic ARXML system description (default 50 MB) and times the
//! parse (well-formedness, bounds, tree) and the fact extraction (paths, reference
//! resolution, SecOC / routes / PDUs).
//!
//! cargo run --release -p icvsec-vnet --example arxml-bench -- [--mb 50] [--runs 3] [--out FILE]

use icvsec_vnet::Limits;
use icvsec_vnet::arxml::ArxmlSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

const BUSES: usize = 8;

fn unit(out: &mut String, i: usize) {
    let bus = i % BUSES;
    let dst = (i + 1) % BUSES;
    let mac = [24, 32, 64, 128][i % 4];
    let fresh = ["FV64_TX8", "FV0", "FV64_TX4"][i % 3];
    let _ = write!(
        out,
        r#"            <I-SIGNAL-I-PDU>
              <SHORT-NAME>Msg_{i}</SHORT-NAME>
              <LENGTH>8</LENGTH>
            </I-SIGNAL-I-PDU>
            <SECURED-I-PDU>
              <SHORT-NAME>Msg_{i}_Secured</SHORT-NAME>
              <LENGTH>16</LENGTH>
              <AUTHENTICATION-PROPS-REF DEST="SECURE-COMMUNICATION-AUTHENTICATION-PROPS">/Bench/SecOC/Props/CMAC_{mac}</AUTHENTICATION-PROPS-REF>
              <FRESHNESS-PROPS-REF DEST="SECURE-COMMUNICATION-FRESHNESS-PROPS">/Bench/SecOC/Props/{fresh}</FRESHNESS-PROPS-REF>
              <PAYLOAD-REF DEST="PDU-TRIGGERING">/Bench/Clusters/CAN_{bus}/Ch/PT_Msg_{i}</PAYLOAD-REF>
              <SECURE-COMMUNICATION-PROPS>
                <DATA-ID>{i}</DATA-ID>
              </SECURE-COMMUNICATION-PROPS>
            </SECURED-I-PDU>
            <CAN-FRAME>
              <SHORT-NAME>Frame_{i}</SHORT-NAME>
              <FRAME-LENGTH>16</FRAME-LENGTH>
              <PDU-TO-FRAME-MAPPINGS>
                <PDU-TO-FRAME-MAPPING>
                  <SHORT-NAME>Map_{i}</SHORT-NAME>
                  <PACKING-BYTE-ORDER>MOST-SIGNIFICANT-BYTE-LAST</PACKING-BYTE-ORDER>
                  <PDU-REF DEST="SECURED-I-PDU">/Bench/Pdus/Msg_{i}_Secured</PDU-REF>
                  <START-POSITION>0</START-POSITION>
                </PDU-TO-FRAME-MAPPING>
              </PDU-TO-FRAME-MAPPINGS>
            </CAN-FRAME>
            <DIAGNOSTIC-SECURITY-LEVEL>
              <SHORT-NAME>Level_{i}</SHORT-NAME>
              <KEY-SIZE>16</KEY-SIZE>
              <NUM-FAILED-SECURITY-ACCESS>3</NUM-FAILED-SECURITY-ACCESS>
              <SECURITY-DELAY-TIME>10</SECURITY-DELAY-TIME>
              <SEED-SIZE>16</SEED-SIZE>
            </DIAGNOSTIC-SECURITY-LEVEL>
            <GATEWAY>
              <SHORT-NAME>GW_{i}</SHORT-NAME>
              <I-PDU-MAPPINGS>
                <I-PDU-MAPPING>
                  <SOURCE-I-PDU-REF DEST="PDU-TRIGGERING">/Bench/Clusters/CAN_{bus}/Ch/PT_Msg_{i}_Secured</SOURCE-I-PDU-REF>
                  <TARGET-I-PDU>
                    <TARGET-I-PDU-REF DEST="PDU-TRIGGERING">/Bench/Clusters/CAN_{dst}/Ch/PT_Msg_{i}_Secured_GW</TARGET-I-PDU-REF>
                  </TARGET-I-PDU>
                </I-PDU-MAPPING>
              </I-PDU-MAPPINGS>
            </GATEWAY>
"#
    );
}

fn cluster(out: &mut String, bus: usize, units: usize) {
    let _ = write!(
        out,
        "            <CAN-CLUSTER>\n              <SHORT-NAME>CAN_{bus}</SHORT-NAME>\n              <CAN-CLUSTER-VARIANTS><CAN-CLUSTER-CONDITIONAL><PHYSICAL-CHANNELS><CAN-PHYSICAL-CHANNEL>\n              <SHORT-NAME>Ch</SHORT-NAME>\n              <FRAME-TRIGGERINGS>\n"
    );
    for i in (0..units).filter(|i| i % BUSES == bus) {
        let _ = write!(
            out,
            "                <CAN-FRAME-TRIGGERING>\n                  <SHORT-NAME>FT_{i}</SHORT-NAME>\n                  <FRAME-REF DEST=\"CAN-FRAME\">/Bench/Pdus/Frame_{i}</FRAME-REF>\n                  <IDENTIFIER>{}</IDENTIFIER>\n                </CAN-FRAME-TRIGGERING>\n",
            i % 2048
        );
    }
    out.push_str("              </FRAME-TRIGGERINGS>\n              <PDU-TRIGGERINGS>\n");
    for i in 0..units {
        if i % BUSES == bus {
            let _ = write!(
                out,
                "                <PDU-TRIGGERING><SHORT-NAME>PT_Msg_{i}</SHORT-NAME><I-PDU-REF DEST=\"I-SIGNAL-I-PDU\">/Bench/Pdus/Msg_{i}</I-PDU-REF></PDU-TRIGGERING>\n                <PDU-TRIGGERING><SHORT-NAME>PT_Msg_{i}_Secured</SHORT-NAME><I-PDU-REF DEST=\"SECURED-I-PDU\">/Bench/Pdus/Msg_{i}_Secured</I-PDU-REF></PDU-TRIGGERING>\n"
            );
        }
        if (i + 1) % BUSES == bus {
            let _ = writeln!(
                out,
                "                <PDU-TRIGGERING><SHORT-NAME>PT_Msg_{i}_Secured_GW</SHORT-NAME><I-PDU-REF DEST=\"SECURED-I-PDU\">/Bench/Pdus/Msg_{i}_Secured</I-PDU-REF></PDU-TRIGGERING>"
            );
        }
    }
    out.push_str("              </PDU-TRIGGERINGS>\n              </CAN-PHYSICAL-CHANNEL></PHYSICAL-CHANNELS></CAN-CLUSTER-CONDITIONAL></CAN-CLUSTER-VARIANTS>\n            </CAN-CLUSTER>\n");
}

/// The ARXML for `units` messages.
fn generate(units: usize) -> String {
    let mut out = String::with_capacity(units * 3300 + 4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\">\n  <AR-PACKAGES>\n    <AR-PACKAGE>\n      <SHORT-NAME>Bench</SHORT-NAME>\n      <AR-PACKAGES>\n");
    out.push_str("        <AR-PACKAGE>\n          <SHORT-NAME>SecOC</SHORT-NAME>\n          <ELEMENTS>\n            <SECURE-COMMUNICATION-PROPS-SET>\n              <SHORT-NAME>Props</SHORT-NAME>\n              <AUTHENTICATION-PROPSS>\n");
    for mac in [24, 32, 64, 128] {
        let _ = writeln!(
            out,
            "                <SECURE-COMMUNICATION-AUTHENTICATION-PROPS><SHORT-NAME>CMAC_{mac}</SHORT-NAME><AUTH-ALGORITHM>CMAC/AES-128</AUTH-ALGORITHM><AUTH-INFO-TX-LENGTH>{mac}</AUTH-INFO-TX-LENGTH></SECURE-COMMUNICATION-AUTHENTICATION-PROPS>"
        );
    }
    out.push_str("              </AUTHENTICATION-PROPSS>\n              <FRESHNESS-PROPSS>\n");
    for (name, fv, tx) in [("FV64_TX8", 64, 8), ("FV0", 0, 0), ("FV64_TX4", 64, 4)] {
        let _ = writeln!(
            out,
            "                <SECURE-COMMUNICATION-FRESHNESS-PROPS><SHORT-NAME>{name}</SHORT-NAME><FRESHNESS-VALUE-LENGTH>{fv}</FRESHNESS-VALUE-LENGTH><FRESHNESS-VALUE-TX-LENGTH>{tx}</FRESHNESS-VALUE-TX-LENGTH></SECURE-COMMUNICATION-FRESHNESS-PROPS>"
        );
    }
    out.push_str("              </FRESHNESS-PROPSS>\n            </SECURE-COMMUNICATION-PROPS-SET>\n          </ELEMENTS>\n        </AR-PACKAGE>\n");
    out.push_str(
        "        <AR-PACKAGE>\n          <SHORT-NAME>Clusters</SHORT-NAME>\n          <ELEMENTS>\n",
    );
    for bus in 0..BUSES {
        cluster(&mut out, bus, units);
    }
    out.push_str("          </ELEMENTS>\n        </AR-PACKAGE>\n        <AR-PACKAGE>\n          <SHORT-NAME>Pdus</SHORT-NAME>\n          <ELEMENTS>\n");
    for i in 0..units {
        unit(&mut out, i);
    }
    out.push_str("          </ELEMENTS>\n        </AR-PACKAGE>\n      </AR-PACKAGES>\n    </AR-PACKAGE>\n  </AR-PACKAGES>\n</AUTOSAR>\n");
    out
}

/// CPU time of this (single-threaded) process so far, from /proc/self/schedstat (Linux);
/// on a shared, loaded machine it is steadier than wall time.
fn cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut mb = 50usize;
    let mut runs = 3usize;
    let mut out_file = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mb" => mb = args.next().and_then(|v| v.parse().ok()).expect("--mb N"),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--out" => out_file = args.next(),
            other => panic!("unknown argument {other}"),
        }
    }
    // Size one unit from a small sample, then generate the requested size.
    let per_unit = generate(1000).len() / 1000;
    let units = (mb * 1_000_000 / per_unit).max(1);
    let t = Instant::now();
    let text = generate(units);
    println!(
        "generated {} bytes ({:.1} MB), {units} messages on {BUSES} buses, in {:.2?}",
        text.len(),
        text.len() as f64 / 1e6,
        t.elapsed()
    );
    if let Some(f) = out_file {
        std::fs::write(&f, &text).expect("write --out file");
    }
    let (mut parse, mut extract, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cpu_parse, mut cpu_extract) = (Vec::new(), Vec::new());
    let mut summary = String::new();
    for _ in 0..runs.max(1) {
        // The bytes as a caller holds them after reading the file.
        let bytes = text.as_bytes().to_vec();
        let c0 = cpu_time();
        let t0 = Instant::now();
        let mut set = ArxmlSet::new(Limits::default());
        set.add_file_owned("bench.arxml", bytes)
            .expect("generated ARXML parses");
        let t1 = Instant::now();
        let c1 = cpu_time();
        let facts = set.facts();
        let t2 = Instant::now();
        let c2 = cpu_time();
        if let (Some(c0), Some(c1), Some(c2)) = (c0, c1, c2) {
            cpu_parse.push(c1 - c0);
            cpu_extract.push(c2 - c1);
        }
        parse.push(t1 - t0);
        extract.push(t2 - t1);
        total.push(t2 - t0);
        summary = format!(
            "{} secured PDUs, {} I-PDUs, {} security levels, {} routes, {} errors",
            facts.secoc.len(),
            facts.pdus.len(),
            facts.security_levels.len(),
            facts.routes.len(),
            facts.errors.len()
        );
        assert!(facts.errors.is_empty(), "{:?}", facts.errors.first());
    }
    println!("facts: {summary}");
    if !cpu_parse.is_empty() {
        let (p, e) = (median(cpu_parse), median(cpu_extract));
        println!(
            "median CPU time: parse {p:.2?}, extract {e:.2?}, total {:.2?}",
            p + e
        );
    }
    println!(
        "median of {} runs (wall): parse {:.2?}, extract {:.2?}, total {:.2?} ({:.0} MB/s)",
        runs.max(1),
        median(parse),
        median(extract),
        median(total.clone()),
        text.len() as f64 / 1e6 / median(total).as_secs_f64()
    );
}
