//! Compare our kconfig verdicts (default profile rules/params/kernel-hardening.toml) with
//! kernel-hardening-checker's `check_result_bool` on the shared corpus.

use icvsec_linux::kconfig::{KconfigProfile, evaluate, parse_kconfig};
use std::collections::BTreeMap;
use std::path::Path;

const CORPORA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora");
const PROFILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../rules/params/kernel-hardening.toml"
);

#[derive(serde::Deserialize)]
struct Row {
    option_name: String,
    #[serde(rename = "type")]
    kind: String,
    desired_val: String,
    check_result: String,
    check_result_bool: bool,
}

#[test]
fn default_profile_loads() {
    let text = std::fs::read_to_string(PROFILE).unwrap();
    let p = KconfigProfile::from_toml("kernel-hardening.toml", &text).unwrap();
    assert!(p.requirements.len() >= 40, "{}", p.requirements.len());
    assert!(
        p.requirements
            .iter()
            .all(|r| !r.source.is_empty() && !r.reason.is_empty())
    );
    for must in [
        "CONFIG_STACKPROTECTOR_STRONG",
        "CONFIG_STRICT_KERNEL_RWX",
        "CONFIG_RANDOMIZE_BASE",
        "CONFIG_DEVMEM",
        "CONFIG_KGDB",
        "CONFIG_MODULE_SIG_FORCE",
        "CONFIG_DEBUG_FS",
    ] {
        assert!(
            p.requirements.iter().any(|r| r.option == must),
            "{must} missing"
        );
    }
}

#[test]
fn khc_agreement() {
    let dir = Path::new(CORPORA).join("kernel");
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED: khc_agreement: {} absent (the shared corpora)",
            dir.display()
        );
        return;
    }
    let profile = KconfigProfile::from_toml(
        "kernel-hardening.toml",
        &std::fs::read_to_string(PROFILE).unwrap(),
    )
    .unwrap();
    let mut configs: Vec<_> = std::fs::read_dir(dir.join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "config"))
        .collect();
    configs.sort();
    let (mut tm, mut tc) = (0usize, 0usize);
    let mut same_desired = (0usize, 0usize);
    let mut rows_total = (0usize, 0usize);
    for cfg_path in configs {
        let name = cfg_path.file_stem().unwrap().to_string_lossy().to_string();
        let vpath = dir.join("verdicts").join(format!("{name}.json"));
        let Ok(vtext) = std::fs::read_to_string(&vpath) else {
            continue;
        };
        let rows: Vec<Row> = serde_json::from_str(&vtext).unwrap();
        let mut reference: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.kind == "kconfig") {
            reference.entry(r.option_name.as_str()).or_default().push(r);
        }
        let bytes = std::fs::read(&cfg_path).unwrap();
        let cfg = parse_kconfig(&cfg_path.display().to_string(), &bytes).unwrap();
        let ours = evaluate(&cfg, &profile);
        let (mut m, mut c) = (0usize, 0usize);
        let mut diffs = Vec::new();
        for res in &ours {
            let Some(refs) = reference.get(res.option.as_str()) else {
                continue;
            };
            // Prefer the reference row with the same desired value.
            let r = refs
                .iter()
                .find(|r| r.desired_val == res.desired)
                .unwrap_or(&refs[0]);
            c += 1;
            let same = r.desired_val == res.desired;
            if same {
                same_desired.1 += 1;
            }
            if r.check_result_bool == res.passed {
                m += 1;
                if same {
                    same_desired.0 += 1;
                }
            } else {
                diffs.push(format!(
                    "{}: ours desired={:?} passed={} ({}) | KHC desired={:?} {:?}",
                    res.option, res.desired, res.passed, res.detail, r.desired_val, r.check_result
                ));
            }
        }
        println!("kconfig {name}: {m}/{c}");
        // Second measure: every KHC kconfig row evaluated with our semantics as a single
        // (option, desired) check. KHC rows whose result names another option or a version
        // come from its OR/AND combinations, which a single check cannot reproduce.
        let mut simple = (0usize, 0usize, 0usize);
        for r in rows.iter().filter(|r| r.kind == "kconfig") {
            let single = KconfigProfile {
                name: "row".into(),
                description: String::new(),
                requirements: vec![icvsec_linux::kconfig::KconfigRequirement {
                    option: r.option_name.clone(),
                    desired: r.desired_val.clone(),
                    source: String::new(),
                    reason: String::new(),
                    arch: vec![],
                    any_of: vec![],
                    all_of: vec![],
                }],
            };
            let ok = evaluate(&cfg, &single)[0].passed;
            let combined = r.check_result.contains("CONFIG_") || r.check_result.contains("version");
            if combined {
                simple.2 += 1;
                continue;
            }
            simple.1 += 1;
            if ok == r.check_result_bool {
                simple.0 += 1;
            } else {
                diffs.push(format!(
                    "row {} desired={:?}: ours={ok} KHC={:?}",
                    r.option_name, r.desired_val, r.check_result
                ));
            }
        }
        println!(
            "kconfig {name} (all KHC single-option rows): {}/{} ({} OR/AND rows not compared)",
            simple.0, simple.1, simple.2
        );
        rows_total.0 += simple.0;
        rows_total.1 += simple.1;
        for d in &diffs {
            println!("  DISAGREE {d}");
        }
        tm += m;
        tc += c;
    }
    println!(
        "kconfig total: {tm}/{tc} (same desired value: {}/{})",
        same_desired.0, same_desired.1
    );
    println!(
        "kconfig all KHC single-option rows: {}/{}",
        rows_total.0, rows_total.1
    );
    assert!(
        rows_total.0 * 100 >= rows_total.1 * 95,
        "row agreement below floor"
    );
    assert!(tc >= 300, "too few options compared: {tc}");
    assert!(tm * 100 >= tc * 95, "agreement below floor: {tm}/{tc}");
}

/// Agreement with kernel-hardening-checker per kernel version, with the version-aware
/// evaluation (`evaluate_versioned`, the one `linux.kernel.hardening` uses). The corpus
/// is `../shared/corpora/kernel` relative to the workspace root, or `$ICVSEC_CORPORA/kernel`.
#[test]
fn khc_agreement_per_version() {
    let base = std::env::var("ICVSEC_CORPORA").unwrap_or_else(|_| CORPORA.to_string());
    let dir = Path::new(&base).join("kernel");
    if !dir.is_dir() {
        eprintln!(
            "SKIPPED: khc_agreement_per_version: {} absent",
            dir.display()
        );
        return;
    }
    let profile = KconfigProfile::from_toml(
        "kernel-hardening.toml",
        &std::fs::read_to_string(PROFILE).unwrap(),
    )
    .unwrap();
    let mut configs: Vec<_> = std::fs::read_dir(dir.join("configs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "config"))
        .collect();
    configs.sort();
    // version -> (agree, compared, configs)
    let mut per: BTreeMap<(u32, u32), (usize, usize, Vec<String>)> = BTreeMap::new();
    for cfg_path in configs {
        let name = cfg_path.file_stem().unwrap().to_string_lossy().to_string();
        let Ok(vtext) = std::fs::read_to_string(dir.join("verdicts").join(format!("{name}.json")))
        else {
            continue;
        };
        let rows: Vec<Row> = serde_json::from_str(&vtext).unwrap();
        let cfg = parse_kconfig(
            &cfg_path.display().to_string(),
            &std::fs::read(&cfg_path).unwrap(),
        )
        .unwrap();
        let v = icvsec_linux::kconfig::config_version(&cfg).expect("config header version");
        let e = per.entry(v).or_default();
        e.2.push(name.clone());
        for res in icvsec_linux::kconfig::evaluate_versioned(&cfg, &profile) {
            let refs: Vec<&Row> = rows
                .iter()
                .filter(|r| r.kind == "kconfig" && r.option_name == res.option)
                .collect();
            let Some(r) = refs
                .iter()
                .find(|r| r.desired_val == res.desired)
                .or(refs.first())
            else {
                continue;
            };
            e.1 += 1;
            if r.check_result_bool == res.passed {
                e.0 += 1;
            } else {
                println!(
                    "  {name} DISAGREE {}: ours {} ({}) | KHC {:?}",
                    res.option, res.passed, res.detail, r.check_result
                );
            }
        }
    }
    let (mut ta, mut tc) = (0, 0);
    for ((maj, min), (a, c, names)) in &per {
        println!(
            "kconfig Linux {maj}.{min}: {a}/{c} agree ({:.1}%) over {} config(s): {}",
            *a as f64 * 100.0 / (*c).max(1) as f64,
            names.len(),
            names.join(", ")
        );
        ta += a;
        tc += c;
    }
    println!("kconfig all versions: {ta}/{tc}");
    assert!(tc >= 300, "too few options compared: {tc}");
    assert!(ta * 100 >= tc * 95, "agreement below floor: {ta}/{tc}");
}
