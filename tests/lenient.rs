//! One mistake, one message, and the rest still loads: a copy of the demo vehicle with
//! one deliberate mistake in an input is scanned, and the report must show exactly one
//! load error for it (file, line:column, key path, suggestion) while every other input is
//! still judged as in the demo; the rules that needed the dropped part report errors,
//! never a pass, a fail or n/a.

use crate::common::{catalog, copy_dir, fixtures, scan_with};
use icvsec_model::{Area, Outcome, Report};
use std::collections::BTreeSet;
use std::path::PathBuf;

struct Build(PathBuf);

impl Build {
    fn demo(name: &str) -> Build {
        let dir =
            std::env::temp_dir().join(format!("icvsec-lenient-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        copy_dir(&fixtures().join("demo-vehicle"), &dir);
        Build(dir)
    }
    /// Replace the first occurrence of `from` in a file (which must hold it).
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.0.join(rel);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{rel} holds no `{from}`");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }
    fn scan(&self) -> Report {
        scan_with(&self.0, &catalog())
    }
}

impl Drop for Build {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// (rule, asset, outcome) of every finding.
fn verdicts(r: &Report) -> BTreeSet<(String, String, Outcome)> {
    r.findings
        .iter()
        .map(|f| (f.rule_id.to_string(), f.asset.id.to_string(), f.outcome))
        .collect()
}

fn demo_report() -> Report {
    scan_with(&fixtures().join("demo-vehicle"), &catalog())
}

/// Diagnostics other than notices (the demo's images are read with a notice each).
fn problems(r: &Report) -> Vec<&icvsec_model::Diagnostic> {
    r.diagnostics
        .iter()
        .filter(|d| d.level != icvsec_model::DiagnosticLevel::Notice)
        .collect()
}

/// The report's only problem (the mistake), with its place.
fn only_diagnostic(r: &Report) -> &icvsec_model::Diagnostic {
    let p = problems(r);
    assert_eq!(p.len(), 1, "{p:#?}");
    p[0]
}

#[test]
fn unknown_key_at_the_top_of_vehicle_json_loses_nothing_else() {
    let b = Build::demo("top-unknown");
    b.edit(
        "vehicle.json",
        "\"schema_version\": 1,",
        "\"schema_version\": 1, \"notes\": \"draft\",",
    );
    let r = b.scan();
    let d = only_diagnostic(&r);
    assert_eq!(d.location.file, "vehicle.json");
    assert_eq!(d.location.line, Some(2));
    assert_eq!(d.location.key_path.as_deref(), Some("notes"));
    assert!(d.message.contains("unknown field `notes`"), "{}", d.message);
    // Every ECU config and the data-flow manifest are judged exactly as in the demo.
    assert_eq!(verdicts(&r), verdicts(&demo_report()));
}

#[test]
fn misspelt_required_key_in_vehicle_json_still_judges_every_ecu_and_manifest() {
    let b = Build::demo("top-misspelt");
    b.edit("vehicle.json", "\"vehicle\": {", "\"vehicel\": {");
    let r = b.scan();
    let d = only_diagnostic(&r);
    assert_eq!(
        (d.location.file.as_str(), d.location.line),
        ("vehicle.json", Some(3))
    );
    assert!(
        d.message.contains("did you mean `vehicle`"),
        "{}",
        d.message
    );
    let demo = verdicts(&demo_report());
    let now = verdicts(&r);
    // The ECU configs and the manifest are judged: the data area and every ECU still
    // pass and fail as in the demo, except the rules limited to markets or stages,
    // which cannot know whether they apply (markets and stage were in `vehicle`).
    let scoped: BTreeSet<String> = catalog()
        .iter()
        .filter(|x| !x.applies_to.markets.is_empty() || !x.applies_to.stages.is_empty())
        .map(|x| x.id.clone())
        .collect();
    assert!(!scoped.is_empty());
    for f in &r.findings {
        if scoped.contains(f.rule_id.as_str()) {
            assert_eq!(f.outcome, Outcome::Error, "{}: {}", f.rule_id, f.message);
            assert!(
                f.message.contains("`vehicle` was not loaded"),
                "{}",
                f.message
            );
        }
    }
    let unscoped = |s: &BTreeSet<(String, String, Outcome)>| -> BTreeSet<_> {
        s.iter()
            .filter(|(rule, _, _)| !scoped.contains(rule))
            .cloned()
            .collect()
    };
    assert_eq!(unscoped(&now), unscoped(&demo));
    let data_judged = r
        .findings
        .iter()
        .filter(|f| f.area == Area::Data && matches!(f.outcome, Outcome::Pass | Outcome::Fail))
        .count();
    assert!(data_judged > 0, "the data-flow manifest was not judged");
}

#[test]
fn secure_bot_typo_is_one_error_and_only_secure_boot_rules_cannot_assess() {
    let b = Build::demo("secure-bot");
    b.edit("ecus/tbox.json", "\"secure_boot\"", "\"secure_bot\"");
    let r = b.scan();
    let d = only_diagnostic(&r);
    assert_eq!(d.location.file, "ecus/tbox.json");
    assert_eq!((d.location.line, d.location.column), (Some(11), Some(3)));
    assert_eq!(d.location.key_path.as_deref(), Some("secure_bot"));
    assert!(
        d.message.contains("did you mean `secure_boot`"),
        "{}",
        d.message
    );
    let errors: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Error)
        .collect();
    assert!(!errors.is_empty());
    let rules: BTreeSet<&str> = errors.iter().map(|f| f.rule_id.as_str()).collect();
    // One error per rule that reads secure_boot (the engine reports once per rule and
    // dropped part), all for the T-Box.
    assert_eq!(rules.len(), errors.len(), "{errors:#?}");
    for f in &errors {
        // ICV-DECL-001 (the role profile) reads every required section, secure_boot too.
        assert!(
            f.rule_id.starts_with("ICV-BOOT-") || f.rule_id == "ICV-DECL-001",
            "{}: {}",
            f.rule_id,
            f.message
        );
        assert_eq!(f.asset.id, "tbox");
    }
    // Every other verdict is the demo's.
    let others = |s: BTreeSet<(String, String, Outcome)>| -> BTreeSet<_> {
        s.into_iter()
            .filter(|(rule, asset, _)| !(rules.contains(rule.as_str()) && asset == "tbox"))
            .collect()
    };
    assert_eq!(others(verdicts(&r)), others(verdicts(&demo_report())));
}

#[test]
fn wrong_enum_value_is_a_load_error_with_a_suggestion_not_a_failing_finding() {
    let b = Build::demo("enum-case");
    b.edit(
        "ecus/cgw.json",
        "\"default_policy\": \"deny\"",
        "\"default_policy\": \"DENY\"",
    );
    let r = b.scan();
    let d = only_diagnostic(&r);
    assert_eq!(d.location.file, "ecus/cgw.json");
    assert_eq!((d.location.line, d.location.column), (Some(45), Some(28)));
    assert_eq!(
        d.location.key_path.as_deref(),
        Some("gateway.ethernet_firewall.default_policy")
    );
    assert!(
        d.message.contains("`DENY` is not an allowed value")
            && d.message.contains("did you mean `deny`?"),
        "{}",
        d.message
    );
    // The firewall rule cannot assess; it neither fails nor passes.
    let fw: Vec<_> = r
        .findings
        .iter()
        .filter(|f| {
            f.location.as_ref().is_some_and(|l| {
                l.file == "ecus/cgw.json"
                    && l.key_path
                        .as_deref()
                        .is_some_and(|k| k.starts_with("gateway.ethernet_firewall"))
            })
        })
        .collect();
    assert!(!fw.is_empty());
    assert!(fw.iter().all(|f| f.outcome == Outcome::Error), "{fw:#?}");
}

#[test]
fn wrong_type_drops_that_setting_only() {
    let b = Build::demo("wrong-type");
    b.edit(
        "data/flows.json",
        "\"legal_basis\": \"separate_consent\"",
        "\"legal_basis\": true",
    );
    let r = b.scan();
    let d = only_diagnostic(&r);
    assert_eq!(d.location.file, "data/flows.json");
    assert_eq!(d.location.line, Some(23));
    assert_eq!(d.location.key_path.as_deref(), Some("flows[0].legal_basis"));
    assert!(
        d.message.contains("invalid type: boolean `true`"),
        "{}",
        d.message
    );
    // Rules on that flow's legal basis cannot assess it; the other flows are judged.
    let on_flow: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.asset.id == "track-to-tsp" && f.outcome == Outcome::Error)
        .collect();
    assert!(!on_flow.is_empty());
    assert!(
        on_flow
            .iter()
            .all(|f| f.message.contains("`flows[0].legal_basis` was not loaded"))
    );
    let judged_elsewhere = r
        .findings
        .iter()
        .filter(|f| f.area == Area::Data && f.asset.id != "track-to-tsp")
        .filter(|f| matches!(f.outcome, Outcome::Pass | Outcome::Fail))
        .count();
    assert!(judged_elsewhere > 0);
}

#[test]
fn a_flow_that_cannot_load_is_an_error_for_its_rules() {
    let b = Build::demo("bad-flow");
    // A required field of one flow has the wrong type: that flow is lost, not the file.
    b.edit(
        "data/flows.json",
        "\"id\": \"track-to-tsp\", \"items\": [\"location-track\"]",
        "\"id\": \"track-to-tsp\", \"items\": \"location-track\"",
    );
    let r = b.scan();
    let d = only_diagnostic(&r);
    assert_eq!(d.location.key_path.as_deref(), Some("flows[0].items"));
    let lost: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.asset.id == "track-to-tsp")
        .collect();
    assert!(!lost.is_empty());
    assert!(
        lost.iter().all(|f| f.outcome == Outcome::Error),
        "{lost:#?}"
    );
}

#[test]
fn a_data_area_whose_manifest_failed_to_load_shows_errors_never_na() {
    let b = Build::demo("broken-manifest");
    b.edit("data/flows.json", "\"flows\"", "\"flows\" ,,");
    let r = b.scan();
    let data: Vec<_> = r.findings.iter().filter(|f| f.area == Area::Data).collect();
    assert!(!data.is_empty());
    for f in &data {
        assert_eq!(f.outcome, Outcome::Error, "{}: {}", f.rule_id, f.message);
    }
    // And when vehicle.json's list of manifests itself is unreadable.
    let b = Build::demo("lost-manifest-list");
    b.edit(
        "vehicle.json",
        "\"data_flows\": [\"data/flows.json\"]",
        "\"data_flows\": \"data/flows.json\"",
    );
    let r = b.scan();
    assert!(
        only_diagnostic(&r)
            .message
            .contains("invalid type: string \"data/flows.json\""),
        "{:?}",
        r.diagnostics
    );
    let data: Vec<_> = r.findings.iter().filter(|f| f.area == Area::Data).collect();
    assert!(!data.is_empty());
    for f in &data {
        assert_ne!(
            f.outcome,
            Outcome::NotApplicable,
            "{}: {}",
            f.rule_id,
            f.message
        );
        assert_ne!(f.outcome, Outcome::Pass, "{}: {}", f.rule_id, f.message);
    }
}

#[test]
fn schema_key_is_accepted_in_every_json_input() {
    let b = Build::demo("schema-key");
    for (rel, kind) in [
        ("vehicle.json", "vehicle"),
        ("ecus/tbox.json", "ecu"),
        ("data/flows.json", "dataflow"),
    ] {
        b.edit(
            rel,
            "{",
            &format!("{{\n  \"$schema\": \"https://example.invalid/{kind}.schema.json\","),
        );
    }
    let r = b.scan();
    assert!(problems(&r).is_empty(), "{:#?}", problems(&r));
    assert_eq!(verdicts(&r), verdicts(&demo_report()));
    // The generated schemas allow it and list the allowed values of choice fields.
    for kind in icvsec_model::input::SCHEMA_KINDS {
        let s = icvsec_model::input::schema_for(kind).unwrap();
        assert!(
            s["properties"]["$schema"].is_object(),
            "{kind} schema has no $schema property"
        );
    }
    let ecu = icvsec_model::input::schema_for("ecu").unwrap().to_string();
    assert!(ecu.contains("\"ocsp_stapling\"") || ecu.contains("\"deny\""));
}
