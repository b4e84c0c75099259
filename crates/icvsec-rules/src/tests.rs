//! Loader tests with a stub check list: requirement resolution, typed applicability and
//! the built-in requirement catalog.

use crate::{CheckCatalog, RuleSource, embedded_sources, load_catalog};
use icvsec_model::{AssetKind, Market, natural_cmp};

/// No built-in checks: the rules below are manual or conditions on ECU fields.
struct NoChecks;

impl CheckCatalog for NoChecks {
    fn check_asset(&self, _: &str) -> Option<AssetKind> {
        None
    }
    fn validate_params(&self, _: &str, _: &serde_json::Value) -> Result<(), String> {
        Ok(())
    }
    fn has_field_view(&self, _: AssetKind) -> bool {
        true
    }
    fn check_names(&self) -> Vec<&str> {
        Vec::new()
    }
}

/// The built-in requirement catalog plus one user rule file.
fn with_rule(text: &str) -> Vec<RuleSource> {
    let mut s: Vec<RuleSource> = embedded_sources()
        .into_iter()
        .filter(|s| s.path.starts_with("requirements/"))
        .collect();
    s.push(RuleSource {
        origin: "/tmp/user".into(),
        path: "terminal/oem.toml".into(),
        text: text.to_string(),
    });
    s
}

const RULE: &str = r#"[[rule]]
id = "OEM-001"
title = "Secure boot declared"
area = "terminal"
subarea = "onboard-equipment"
severity = "high"
applies_to = { asset = "ecu", roles = ["tbox"], markets = ["CN"], stages = ["production"] }
condition = { path = "secure_boot.enabled", equals = true }
requirements = ["GB44495-7.3.1.1-secure-boot", "R155-A5-M7"]
rationale = "Why."
remediation = "How."
"#;

#[test]
fn a_user_rule_citing_catalog_requirements_loads_with_typed_applicability() {
    let cat = load_catalog(&with_rule(RULE), &NoChecks).expect("loads");
    let r = cat.get("OEM-001").expect("rule");
    assert_eq!(
        r.requirements,
        ["GB44495-7.3.1.1-secure-boot", "R155-A5-M7"]
    );
    assert_eq!(r.references[0].standard, "GB 44495-2024");
    assert_eq!(
        r.references[0].clause,
        "7.3.1.1 (root of trust and bootloader protected)"
    );
    assert!(r.references[0].verified);
    assert_eq!(r.applies_to.markets, [Market::Cn]);
    assert_eq!(r.applies_to.roles[0].as_str(), "tbox");
    assert_eq!(r.applies_to.stages[0].as_str(), "production");
}

fn errors_of(text: &str) -> Vec<String> {
    load_catalog(&with_rule(text), &NoChecks)
        .expect_err("must not load")
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn a_dangling_requirement_id_is_an_error_naming_file_line_and_column() {
    let text = RULE.replace("R155-A5-M7", "R155-A5-M17");
    let errs = errors_of(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    // Line 9, column of the opening quote of the second id.
    let col = text.lines().nth(8).unwrap().find("\"R155-A5-M17").unwrap() + 1;
    assert!(
        errs[0].starts_with(&format!(
            "/tmp/user/terminal/oem.toml:9:{col}: rule OEM-001: unknown requirement `R155-A5-M17`"
        )),
        "{errs:?}"
    );
    assert!(errs[0].contains("did you mean"), "{errs:?}");
}

#[test]
fn a_bad_role_is_an_error_with_place_and_suggestion() {
    let errs = errors_of(&RULE.replace("roles = [\"tbox\"]", "roles = [\"tbx\"]"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("/tmp/user/terminal/oem.toml:7:"),
        "{errs:?}"
    );
    assert!(
        errs[0].contains("unknown role `tbx` (did you mean `tbox`?)"),
        "{errs:?}"
    );
}

#[test]
fn a_bad_market_or_stage_is_an_error_with_place() {
    let errs = errors_of(&RULE.replace("markets = [\"CN\"]", "markets = [\"JP\"]"));
    assert!(
        errs[0].starts_with("/tmp/user/terminal/oem.toml:7:")
            && errs[0].contains("unknown market `JP`")
            && errs[0].contains("CN, EU, UNECE"),
        "{errs:?}"
    );
    let errs = errors_of(&RULE.replace("\"production\"", "\"prod\""));
    assert!(
        errs[0].contains("unknown stage `prod` (did you mean `production`?)"),
        "{errs:?}"
    );
}

#[test]
fn a_rule_citing_nothing_is_refused() {
    let errs = errors_of(&RULE.replace(
        "requirements = [\"GB44495-7.3.1.1-secure-boot\", \"R155-A5-M7\"]\n",
        "",
    ));
    assert!(errs[0].contains("at least one requirement id"), "{errs:?}");
}

#[test]
fn a_requirement_cited_twice_is_refused() {
    let errs = errors_of(&RULE.replace("\"R155-A5-M7\"", "\"GB44495-7.3.1.1-secure-boot\""));
    assert!(errs[0].contains("cited twice"), "{errs:?}");
}

#[test]
fn requirement_files_are_validated_with_places() {
    let mut s = with_rule(RULE);
    s.push(RuleSource {
        origin: "/tmp/user".into(),
        path: "requirements/oem.toml".into(),
        text: "[standard]\nname = \"OEM\"\ntitle = \"t\"\nshort = \"OEM\"\nrank = 50\nbinding = false\n\n[[requirement]]\nid = \"R155-A5-28.2\"\nclause_name = \"x\"\nverified = false\nbinding = false\norder = \"1\"\nstatement = \"s\"\nevidence = \"e\"\n\n[[requirement]]\nid = \"OEM-2\"\nverified = true\nbinding = false\norder = \"2\"\nstatement = \"s\"\nevidence = \"e\"\n".into(),
    });
    let errs: Vec<String> = load_catalog(&s, &NoChecks)
        .expect_err("bad catalog")
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert!(
        errs.iter()
            .any(|e| e.starts_with("/tmp/user/requirements/oem.toml:8:")
                && e.contains("duplicate requirement id `R155-A5-28.2`")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.starts_with("/tmp/user/requirements/oem.toml:17:")
                && e.contains("needs a `clause`")),
        "{errs:?}"
    );
}

#[test]
fn the_builtin_catalog_is_complete_and_in_natural_order() {
    let cat = load_catalog(
        &embedded_sources()
            .into_iter()
            .filter(|s| s.path.starts_with("requirements/"))
            .collect::<Vec<_>>(),
        &NoChecks,
    )
    .expect("catalog loads");
    let req = &cat.requirements;
    // GB 44495 first, in clause order.
    assert_eq!(req.standards[0].name, "GB 44495-2024");
    assert_eq!(req.requirements[0].id, "GB44495-5-csms");
    // Every R155 Annex 5 threat of the reference, each separately, and M1-M24 without M17.
    let r155: Vec<&str> = req
        .requirements
        .iter()
        .filter(|r| r.standard == "UN R155 Annex 5")
        .map(|r| r.clause.as_deref().unwrap_or(""))
        .collect();
    for t in [
        "4.1", "5.2", "5.3", "5.4", "5.5", "6.3", "8.2", "11.4", "12.4", "15.2", "20.5", "21.1",
        "22.1", "23.1", "26.3", "28.1", "29.2", "31.1", "32.1",
    ] {
        assert!(r155.contains(&t), "threat {t} missing");
    }
    let ms: Vec<&&str> = r155.iter().filter(|c| c.starts_with('M')).collect();
    assert_eq!(ms.len(), 23);
    assert!(!r155.contains(&"M17"));
    // Natural order inside R155: 4.1 ... 32.1, then M1 ... M24.
    let pos = |c: &str| r155.iter().position(|x| *x == c).unwrap();
    assert!(pos("4.1") < pos("6.2") && pos("6.2") < pos("11.1") && pos("11.1") < pos("28.1"));
    assert!(pos("32.1") < pos("M1") && pos("M6") < pos("M10") && pos("M10") < pos("M24"));
    // Every standard's requirements are sorted by their order key.
    for s in &req.standards {
        let orders: Vec<&str> = req
            .requirements
            .iter()
            .filter(|r| r.standard == s.name)
            .map(|r| r.order.as_str())
            .collect();
        assert!(
            orders.windows(2).all(|w| natural_cmp(w[0], w[1]).is_le()),
            "{}",
            s.name
        );
    }
    // Drafts are never binding; unverified entries never claim a bare number as verified.
    for r in &req.requirements {
        assert!(!(r.draft && r.binding), "{}", r.id);
        assert!(r.clause.is_some() || r.clause_name.is_some(), "{}", r.id);
    }
    // Markets map to standards in data.
    let cn = &req.markets[&Market::Cn];
    for s in [
        "GB 44495-2024",
        "GB 44496-2024",
        "Several Provisions on Automobile Data Security Management (Trial)",
        "GB/T 41871-2022",
    ] {
        assert!(cn.iter().any(|x| x == s), "{s}");
    }
    assert_eq!(req.markets[&Market::Eu], ["UN R155 Annex 5"]);
}

#[test]
fn many_unknown_ids_load_fast_with_a_bounded_error_list() {
    // 5,000 rules citing unknown ids: the first 200 errors are kept, suggestions stop early.
    let mut text = String::new();
    for i in 0..5000 {
        text.push_str(&RULE.replace("OEM-001", &format!("OEM-{i:04}")).replace(
            "\"R155-A5-M7\"",
            &format!("\"R155-A5-X{i}-{}\"", "y".repeat(80)),
        ));
    }
    let start = std::time::Instant::now();
    let errs = load_catalog(&with_rule(&text), &NoChecks).expect_err("all unknown");
    assert_eq!(errs.len(), 201, "bounded");
    assert!(
        errs[0]
            .to_string()
            .contains("OEM-0000: unknown requirement")
    );
    assert!(errs[200].to_string().contains("more than 200 errors"));
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

/// The built-in requirement catalog plus one user profile file.
fn with_profiles(text: &str) -> Vec<RuleSource> {
    let mut s = with_rule(RULE);
    s.push(RuleSource {
        origin: "/tmp/user".into(),
        path: "profiles/roles.toml".into(),
        text: text.to_string(),
    });
    s
}

const PROFILES: &str = r#"[common]
requires = ["secure_boot"]

[[profile]]
role = "tbox"
title = "T-Box"
requires = ["software_update", "software_update.channel", "interfaces.cellular"]

[[function]]
role = "gateway"
marker = "gateway"
"#;

#[test]
fn role_profiles_load_typed() {
    let cat = load_catalog(&with_profiles(PROFILES), &NoChecks).expect("loads");
    let p = &cat.profiles;
    assert_eq!(p.file, "/tmp/user/profiles/roles.toml");
    assert_eq!(p.common, ["secure_boot"]);
    let tbox = icvsec_model::input::vehicle::EcuRole::Tbox;
    assert_eq!(
        p.paths_for(tbox),
        [
            "interfaces.cellular",
            "secure_boot",
            "software_update",
            "software_update.channel"
        ]
    );
    assert_eq!(p.functions.len(), 1);
}

#[test]
fn an_unknown_profile_section_or_role_is_an_error_naming_file_and_line() {
    let errs: Vec<String> = load_catalog(
        &with_profiles(&PROFILES.replace("\"software_update\",", "\"software_updates\",")),
        &NoChecks,
    )
    .expect_err("must not load")
    .iter()
    .map(|e| e.to_string())
    .collect();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("/tmp/user/profiles/roles.toml:7:13:")
            && errs[0].contains("unknown ECU configuration section or field `software_updates`")
            && errs[0].contains("did you mean `software_update`"),
        "{errs:?}"
    );
    let errs: Vec<String> = load_catalog(
        &with_profiles(&PROFILES.replace("role = \"tbox\"", "role = \"tbx\"")),
        &NoChecks,
    )
    .expect_err("must not load")
    .iter()
    .map(|e| e.to_string())
    .collect();
    assert!(
        errs[0].starts_with("/tmp/user/profiles/roles.toml:5:")
            && errs[0].contains("unknown role `tbx`"),
        "{errs:?}"
    );
    let errs: Vec<String> = load_catalog(
        &with_profiles(&PROFILES.replace("marker = \"gateway\"", "marker = \"gatway\"")),
        &NoChecks,
    )
    .expect_err("must not load")
    .iter()
    .map(|e| e.to_string())
    .collect();
    assert!(
        errs[0].starts_with("/tmp/user/profiles/roles.toml:11:"),
        "{errs:?}"
    );
}

#[test]
fn rule_needs_are_checked_against_the_ecu_schema() {
    let errs = errors_of(&RULE.replace(
        "stages = [\"production\"] }",
        "stages = [\"production\"], needs = [\"interfaces.bluetoth\"] }",
    ));
    assert!(
        errs[0].starts_with("/tmp/user/terminal/oem.toml:7:")
            && errs[0].contains("`interfaces.bluetoth`")
            && errs[0].contains("did you mean `interfaces.bluetooth`"),
        "{errs:?}"
    );
}

#[test]
fn the_builtin_role_profiles_load_with_the_zonal_roles() {
    // Rule files need the real check list (icvsec-checks); profiles load without it.
    let src: Vec<RuleSource> = embedded_sources()
        .into_iter()
        .filter(|s| s.path.starts_with("requirements/") || s.path.starts_with("profiles/"))
        .collect();
    let cat = load_catalog(&src, &NoChecks).expect("profiles load");
    assert_eq!(cat.profiles.file, "rules/profiles/roles.toml");
    for role in [
        "tbox",
        "gateway",
        "ivi",
        "zone_controller",
        "hpc",
        "domain_controller",
    ] {
        let r = icvsec_model::input::vehicle::EcuRole::ALL
            .into_iter()
            .find(|x| x.as_str() == role)
            .expect("role");
        assert!(
            cat.profiles.roles.contains_key(&r),
            "no profile for role {role}"
        );
    }
}
