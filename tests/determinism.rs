//! The report does not depend on the number of threads, nor on the run: generated
//! builds are scanned through the binary and the JSON bytes compared. (The 20-run soak
//! of the large build is in the benchmark, `icvsec-bench --soak`, not here.)

use crate::common::{AS_OF, icvsec};
use icvsec_gen::{Params, generate};
use std::path::PathBuf;

fn build(name: &str, p: &Params) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("icvsec-det-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generate(&dir, p).expect("generate build");
    dir
}

fn scan_json(dir: &std::path::Path, jobs: &str) -> (Option<i32>, Vec<u8>) {
    let out = icvsec(&[
        "scan",
        dir.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--full-evidence",
        "--jobs",
        jobs,
    ]);
    assert!(
        out.stderr.is_empty() || out.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), out.stdout)
}

fn findings(json: &[u8]) -> usize {
    let v: serde_json::Value = serde_json::from_slice(json).expect("JSON report");
    v["findings"].as_array().map_or(0, Vec::len)
}

#[test]
fn one_and_four_threads_give_the_same_bytes() {
    // The benchmark's "medium" shape, with fewer unrelated files (they are only walked).
    let dir = build(
        "medium",
        &Params {
            ecus: 100,
            certs: 2000,
            flows: 500,
            other_files: 2000,
            seed: 42,
        },
    );
    let (code1, one) = scan_json(&dir, "1");
    let (code4, four) = scan_json(&dir, "4");
    std::fs::remove_dir_all(&dir).unwrap();
    // The generated build has defects: findings at or above `high` (exit 1; 3 when a
    // bounded check could not finish its assessment), never clean.
    assert!(matches!(code1, Some(1) | Some(3)), "exit {code1:?}");
    assert_eq!(code1, code4);
    let n = findings(&one);
    assert!(
        n > 20_000,
        "only {n} findings from 100 ECUs and 2000 certificates"
    );
    assert!(
        one == four,
        "--jobs 1 and --jobs 4 differ ({} vs {} bytes)",
        one.len(),
        four.len()
    );
}

#[test]
fn five_scans_of_a_small_build_are_identical() {
    let dir = build(
        "small",
        &Params {
            ecus: 20,
            certs: 200,
            flows: 100,
            other_files: 300,
            seed: 5,
        },
    );
    let first = scan_json(&dir, "2");
    assert!(findings(&first.1) > 1000);
    for run in 2..=5 {
        let again = scan_json(&dir, if run % 2 == 0 { "3" } else { "2" });
        assert_eq!(again.0, first.0, "exit code of run {run}");
        assert!(again.1 == first.1, "run {run} differs from run 1");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn splitting_a_rule_into_runs_of_assets_never_changes_the_findings() {
    // The engine judges a rule's assets in runs (jobs of up to 512) so that a long rule
    // does not leave threads idle. Runs of 1, of 7 (boundaries inside each ECU's
    // certificates), the default, and the whole rule at once must give the same findings
    // in the same order with the same fingerprints (numbered across run boundaries).
    let dir = build(
        "runs",
        &Params {
            ecus: 12,
            certs: 600,
            flows: 40,
            other_files: 0,
            seed: 11,
        },
    );
    let rules = crate::common::catalog();
    let registry = icvsec_checks::registry();
    let opts = crate::common::scan_options(&dir);
    let inv = icvsec_inputs::load_build(&dir, &crate::common::load_options(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    let whole = icvsec_engine::evaluate_in_runs(&inv, &rules, &registry, &opts, usize::MAX);
    assert!(
        whole.findings.len() > 10_000,
        "only {} findings",
        whole.findings.len()
    );
    let certs = whole
        .findings
        .iter()
        .filter(|f| f.asset.kind == icvsec_model::AssetKind::Certificate)
        .count();
    assert!(certs > 6000, "only {certs} certificate outcomes");
    for per_job in [1, 7, 512] {
        let split = icvsec_engine::evaluate_in_runs(&inv, &rules, &registry, &opts, per_job);
        assert!(
            split.findings == whole.findings,
            "runs of {per_job} assets change the findings"
        );
        assert_eq!(split.summary, whole.summary, "runs of {per_job}: summary");
    }
    assert!(icvsec_engine::evaluate(&inv, &rules, &registry, &opts).findings == whole.findings);
}

#[test]
fn rules_sharing_one_id_are_merged_as_one_sort_would() {
    // The catalog forbids two rules with one area, sub-area and id, but a caller of the
    // engine may pass them; their findings are joined as rules finish (in any order), and
    // must come out as one stable sort of both rules' findings would put them.
    let dir = build(
        "dupids",
        &Params {
            ecus: 6,
            certs: 300,
            flows: 10,
            other_files: 0,
            seed: 3,
        },
    );
    let catalog = crate::common::catalog();
    let pick = |id: &str| catalog.iter().find(|r| r.id == id).unwrap().clone();
    let registry = icvsec_checks::registry();
    let opts = crate::common::scan_options(&dir);
    let inv = icvsec_inputs::load_build(&dir, &crate::common::load_options(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    let single = icvsec_engine::evaluate(&inv, &[pick("ICV-CRT-001")], &registry, &opts);
    assert!(single.findings.len() >= 300, "{}", single.findings.len());
    let doubled: Vec<_> = single
        .findings
        .iter()
        .flat_map(|f| [f.clone(), f.clone()])
        .collect();
    for per_job in [1, 64, usize::MAX] {
        let rules = [
            pick("ICV-CRT-001"),
            pick("ICV-CRT-002"),
            pick("ICV-CRT-001"),
        ];
        let r = icvsec_engine::evaluate_in_runs(&inv, &rules, &registry, &opts, per_job);
        let mine: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.rule_id == "ICV-CRT-001")
            .cloned()
            .collect();
        assert!(
            mine == doubled,
            "runs of {per_job}: duplicated rule not merged in order"
        );
        // Findings stay grouped by rule in (area, sub-area, id) order.
        let ids: Vec<&str> = r.findings.iter().map(|f| f.rule_id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
    }
}
