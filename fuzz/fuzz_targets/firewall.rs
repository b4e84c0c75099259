#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = icvsec_linux::firewall::parse_ruleset("/etc/iptables/rules.v4", data);
    let _ = icvsec_linux::firewall::parse_nftables("/etc/nftables.conf", data);
});
