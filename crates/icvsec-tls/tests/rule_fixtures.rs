//! Every ICV-TLSCFG rule fails on its fail/ fixture and passes on its pass/ fixture.

use icvsec_tls::checks::{CheckParams, CheckStatus, run_check};
use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

#[test]
fn tlscfg_rules_on_fixtures() {
    // The TLSCFG rules live in the connection area's sub-area files.
    let mut rules = Vec::new();
    for file in [
        "rules/connection/communication.toml",
        "rules/connection/identity.toml",
    ] {
        let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap();
        let doc: toml::Table = toml::from_str(&text).unwrap();
        rules.extend(
            doc["rule"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["id"].as_str().unwrap().starts_with("ICV-TLSCFG-"))
                .cloned(),
        );
    }
    assert!(rules.len() >= 9);
    for r in rules {
        let id = r["id"].as_str().unwrap();
        let check = r["check"].as_str().unwrap();
        let params: CheckParams = r
            .get("params")
            .cloned()
            .unwrap_or(toml::Value::Table(Default::default()))
            .try_into()
            .unwrap_or_else(|e| panic!("{id}: params: {e}"));
        for (kind, want) in [("fail", CheckStatus::Fail), ("pass", CheckStatus::Pass)] {
            let dir = Path::new(ROOT)
                .join("fixtures/rules")
                .join(id)
                .join(kind)
                .join("rootfs");
            assert!(dir.is_dir(), "{id}: missing {}", dir.display());
            let o = run_check(check, &dir, &params)
                .unwrap_or_else(|| panic!("{id}: unknown check {check}"));
            assert_eq!(o.status(), want, "{id} {kind}: {o:#?}");
            if want == CheckStatus::Fail {
                for f in &o.findings {
                    println!(
                        "{id} fail: {:?} {} at {:?}",
                        f.code,
                        f.item,
                        f.at.as_ref().map(|l| l.to_string())
                    );
                }
                assert!(
                    o.findings.iter().all(|f| f.at.is_some()),
                    "{id}: findings without location"
                );
            }
        }
    }
}
