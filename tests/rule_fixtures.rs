//! Every automated rule has fixtures under `fixtures/rules/<ID>/{pass,fail}/` (each a tiny
//! build). The rule must fail on `fail/` and pass, with no failure or error, on `pass/`.
//! A fixture's vulnerability feed is its `vuln-feed/` directory (see `common::load_options`).

use crate::common::{catalog, fixtures, scan_with};
use icvsec_model::Outcome;

#[test]
fn every_rule_fires_on_its_fail_fixture_and_passes_its_pass_fixture() {
    let rules = catalog();
    let mut problems = Vec::new();
    let mut checked = 0;
    for rule in rules.iter().filter(|r| !r.is_manual()) {
        let dir = fixtures().join("rules").join(&rule.id);
        for (kind, want_fail) in [("fail", true), ("pass", false)] {
            let root = dir.join(kind);
            if !root.is_dir() {
                problems.push(format!("{}: missing fixture {}", rule.id, root.display()));
                continue;
            }
            let report = scan_with(&root, std::slice::from_ref(rule));
            let mine: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.rule_id == rule.id)
                .collect();
            let n = |o: Outcome| mine.iter().filter(|f| f.outcome == o).count();
            let summary = || {
                mine.iter()
                    .map(|f| format!("{} {}: {}", f.outcome.as_str(), f.asset, f.message))
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            if want_fail && n(Outcome::Fail) == 0 {
                problems.push(format!(
                    "{}: does not fail on {}: {}",
                    rule.id,
                    root.display(),
                    summary()
                ));
            }
            if !want_fail
                && (n(Outcome::Pass) == 0 || n(Outcome::Fail) > 0 || n(Outcome::Error) > 0)
            {
                problems.push(format!(
                    "{}: does not pass cleanly on {}: {}",
                    rule.id,
                    root.display(),
                    summary()
                ));
            }
            checked += 1;
        }
    }
    println!("rule fixtures checked: {checked}");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn rule_ids_are_unique_and_every_rule_cites_a_reference() {
    let rules = catalog();
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
    assert!(rules.iter().all(|r| !r.references.is_empty()));
    // Every built-in rule cites at least one requirement of the catalog (ids resolve at load).
    let uncited: Vec<&str> = rules
        .iter()
        .filter(|r| r.requirements.is_empty())
        .map(|r| r.id.as_str())
        .collect();
    assert!(
        uncited.is_empty(),
        "rules citing no requirement: {uncited:?}"
    );
    assert!(n >= 30, "catalog unexpectedly small: {n}");
}
