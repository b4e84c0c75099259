#![no_main]

use libfuzzer_sys::fuzz_target;

// ARXML reader and the analyses that consume its facts. The input is split at the first
// NUL byte into two files of one set, so cross-file references are exercised too.
fuzz_target!(|data: &[u8]| {
    let limits = icvsec_vnet::Limits::default();
    let mut set = icvsec_vnet::arxml::ArxmlSet::new(limits);
    let (a, b) = match data.iter().position(|c| *c == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let _ = set.add_file("a.arxml", a);
    if !b.is_empty() {
        let _ = set.add_file("b.arxml", b);
    }
    let facts = set.facts();
    let _ = icvsec_vnet::analysis::permits_from_arxml(&facts);
    let _ = icvsec_vnet::analysis::secoc_below(
        &facts.secoc,
        64,
        icvsec_vnet::analysis::FreshnessPolicy {
            min_transmitted_bits: 8,
            min_truncated_bits: 4,
            min_full_bits: 64,
        },
    );
});
