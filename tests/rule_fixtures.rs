//! Every automated rule has fixtures under `fixtures/rules/<ID>/{pass,fail}/` (each a tiny
//! build). The rule must fail on `fail/` and pass, with no failure or error, on `pass/`.
//! A fixture's vulnerability feed is its `vuln-feed/` directory (see `common::load_options`).
//!
//! Rule tests as data: `fixtures/rules/<ID>/expect.toml` states what the fail fixture must
//! produce (a message fragment and the place, `file[:line]`), and
//! `fixtures/rules/<ID>/findings.snap` holds every finding of the rule on both fixtures, so a
//! change of message, place or count shows in review. `ICVSEC_UPDATE=1` rewrites the
//! snapshots and writes an `expect.toml` only where none exists (a stated expectation is
//! never overwritten by a run).

use crate::common::{catalog, fixtures, scan_with};
use icvsec_model::{Finding, Outcome};
use std::path::Path;

/// `fixtures/rules/<ID>/expect.toml`.
#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    fail: ExpectFail,
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct ExpectFail {
    /// A fragment of the message of a failing finding.
    message: String,
    /// `file` or `file:line` of that finding, relative to the fixture root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    place: Option<String>,
}

fn place_of(f: &Finding) -> Option<String> {
    f.location.as_ref().map(|l| match l.line {
        Some(line) => format!("{}:{line}", l.file),
        None => l.file.to_string(),
    })
}

fn snapshot_lines(kind: &str, mine: &[&Finding]) -> String {
    let mut out = format!("== {kind}\n");
    for f in mine {
        out.push_str(&format!(
            "{} {}: {}",
            f.outcome.as_str(),
            f.asset,
            f.message
        ));
        if let Some(l) = &f.location {
            out.push_str(&format!("\n    at {l}"));
        }
        out.push('\n');
    }
    out
}

/// A message fragment for a new `expect.toml`: the message up to 80 characters, cut at
/// a word boundary.
fn fragment(message: &str) -> String {
    if message.chars().count() <= 80 {
        return message.to_string();
    }
    let cut: String = message.chars().take(80).collect();
    match cut.rfind(' ') {
        Some(i) if i > 20 => cut[..i].to_string(),
        _ => cut,
    }
}

/// Check (or, with `ICVSEC_UPDATE`, write) the rule's stated expectation and snapshot.
fn check_data(id: &str, dir: &Path, fail_findings: &[&Finding], snap: &str) -> Vec<String> {
    let update = std::env::var_os("ICVSEC_UPDATE").is_some();
    let mut problems = Vec::new();
    let expect_path = dir.join("expect.toml");
    match std::fs::read_to_string(&expect_path) {
        Ok(text) => match toml::from_str::<Expect>(&text) {
            Ok(e) => {
                let hit = fail_findings.iter().any(|f| {
                    f.outcome == Outcome::Fail
                        && f.message.contains(&e.fail.message)
                        && e.fail.place.as_ref().is_none_or(|p| {
                            place_of(f).is_some_and(|got| {
                                got == *p || got.starts_with(&format!("{p}:"))
                            })
                        })
                });
                if !hit {
                    problems.push(format!(
                        "{id}: no failing finding with message containing {:?} at {:?} ({})",
                        e.fail.message,
                        e.fail.place,
                        expect_path.display()
                    ));
                }
            }
            Err(err) => problems.push(format!("{}: {err}", expect_path.display())),
        },
        Err(_) if update => {
            if let Some(f) = fail_findings.iter().find(|f| f.outcome == Outcome::Fail) {
                let e = Expect {
                    fail: ExpectFail {
                        message: fragment(&f.message),
                        place: place_of(f),
                    },
                };
                let text = format!(
                    "# What the fail fixture must produce (tests/rule_fixtures.rs).\n{}",
                    toml::to_string(&e).expect("serialises")
                );
                std::fs::write(&expect_path, text).expect("write expect.toml");
            }
        }
        Err(_) => problems.push(format!(
            "{id}: {} missing; write it (or generate one with ICVSEC_UPDATE=1 cargo test --test integration rule_fixtures and review it)",
            expect_path.display()
        )),
    }
    let snap_path = dir.join("findings.snap");
    if update {
        std::fs::write(&snap_path, snap).expect("write snapshot");
    } else {
        match std::fs::read_to_string(&snap_path) {
            Ok(old) if old == snap => {}
            Ok(old) => problems.push(format!(
                "{id}: findings changed ({}); review and regenerate with ICVSEC_UPDATE=1 cargo test --test integration rule_fixtures\n--- was\n{old}--- now\n{snap}",
                snap_path.display()
            )),
            Err(_) => problems.push(format!(
                "{id}: {} missing; generate with ICVSEC_UPDATE=1 cargo test --test integration rule_fixtures",
                snap_path.display()
            )),
        }
    }
    problems
}

#[test]
fn every_rule_fires_on_its_fail_fixture_and_passes_its_pass_fixture() {
    let rules = catalog();
    let mut problems = Vec::new();
    let mut checked = 0;
    for rule in rules.iter().filter(|r| !r.is_manual()) {
        let dir = fixtures().join("rules").join(&rule.id);
        let mut snap = String::new();
        let mut fail_findings = Vec::new();
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
            snap.push_str(&snapshot_lines(kind, &mine));
            if want_fail {
                fail_findings = mine.iter().map(|f| (*f).clone()).collect();
            }
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
        if dir.is_dir() {
            let refs: Vec<&Finding> = fail_findings.iter().collect();
            problems.extend(check_data(&rule.id, &dir, &refs, &snap));
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
