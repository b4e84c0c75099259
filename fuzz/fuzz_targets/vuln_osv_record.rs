#![no_main]

use icvsec_vuln::component::{Component, Ecosystem, Place, SourceRef};
use icvsec_vuln::{Feed, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // OSV or NVD 2.0 bytes, then a lookup so the ranges are evaluated too.
    let mut feed = Feed::new();
    if feed.add_json("feed.json", data, &Limits::default()).is_ok() {
        let src = SourceRef { file: "f".into(), place: Place::Line(1), method: "fuzz".into() };
        for eco in [Ecosystem::Debian, Ecosystem::Alpine, Ecosystem::Linux, Ecosystem::Generic] {
            for adv in feed.advisories() {
                for aff in &adv.affected {
                    let _ = aff.affects("1.2.3-r1");
                    let _ = aff.affects("1:1.1.1k-1+deb11u1");
                }
            }
            let _ = feed.candidates(&Component::new("openssl", "1.1.1k", eco, src.clone()));
        }
    }
});
