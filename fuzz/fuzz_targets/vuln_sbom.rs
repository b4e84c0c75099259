#![no_main]

use icvsec_vuln::{EcuInventory, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let l = Limits::default();
    if let Ok(s) = icvsec_vuln::sbom::parse_sbom("sbom.json", data, &l) {
        // What was read must write out again.
        let mut inv = EcuInventory::new("ecu");
        inv.extend(s.components);
        let _ = icvsec_vuln::write_cyclonedx(&[inv]);
    }
    let _ = icvsec_vuln::vex::parse_vex("vex.json", data, &l);
});
