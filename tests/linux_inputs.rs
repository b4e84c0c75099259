//! Hostile and broken Linux/Android inputs in a build: each becomes an error outcome that
//! names the file and line, never a pass; the rest of the scan still reports; the report
//! is incomplete. Also: merged per-root kinds (sysctl, Android properties) report each
//! setting once per root, under the file that decides it.

use crate::common::{catalog, scan_with};
use icvsec_model::{Finding, Outcome, Report};
use std::path::{Path, PathBuf};

/// A scratch build directory, removed when dropped.
struct Build(PathBuf);

impl Build {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("icvsec-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Build(dir)
    }
    fn file(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, contents).unwrap();
        self
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Build {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scan(root: &Path, prefixes: &[&str]) -> Report {
    let rules: Vec<_> = catalog()
        .into_iter()
        .filter(|r| prefixes.iter().any(|p| r.id.starts_with(p)))
        .collect();
    assert!(!rules.is_empty());
    scan_with(root, &rules)
}

fn of<'a>(r: &'a Report, rule: &str, asset: &str) -> Vec<&'a Finding> {
    r.findings
        .iter()
        .filter(|f| f.rule_id == rule && f.asset.id == asset)
        .collect()
}

fn dump(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} @ {:?}: {}",
                f.rule_id,
                f.outcome.as_str(),
                f.asset.id,
                f.location,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every finding of every sshd rule on `asset` is an error at `file:line`, named in the message.
fn assert_sshd_error(r: &Report, asset: &str, file: &str, line: u32, what: &str) {
    for n in 1..=6 {
        let rule = format!("ICV-LNX-00{n}");
        let fs = of(r, &rule, asset);
        assert!(!fs.is_empty(), "{rule} {asset}: no finding\n{}", dump(r));
        for f in fs {
            assert_eq!(f.outcome, Outcome::Error, "{rule} {asset}: {}", f.message);
            let loc = f.location.as_ref().expect("error has a location");
            assert_eq!(loc.file, file, "{rule} {asset}: {}", f.message);
            assert_eq!(loc.line, Some(line), "{rule} {asset}: {}", f.message);
            assert!(
                f.message.contains(&format!("{file}:{line}")),
                "{rule} {asset}: message does not name the place: {}",
                f.message
            );
            assert!(
                f.message.to_lowercase().contains(what),
                "{rule} {asset}: expected `{what}` in: {}",
                f.message
            );
        }
    }
}

#[test]
fn broken_sshd_configs_are_errors_at_their_place_and_the_scan_goes_on() {
    let b = Build::new("linux-inputs");
    let mut garbage = b"# vendor sshd\nPort 22\n".to_vec();
    garbage.extend((0u8..=255).cycle().take(600)); // binary data from line 3 on
    let huge = format!(
        "Port 22\nPermitRootLogin no\nBanner {}\nPasswordAuthentication no\n",
        "x".repeat(20_000)
    );
    b.file("garbage/rootfs/etc/ssh/sshd_config", garbage)
        // A includes B includes A.
        .file(
            "loop/rootfs/etc/ssh/sshd_config",
            "# loop\nInclude /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin no\n",
        )
        .file(
            "loop/rootfs/etc/ssh/sshd_config.d/10-back.conf",
            "MaxAuthTries 3\nInclude /etc/ssh/sshd_config\n",
        )
        .file(
            "missing/rootfs/etc/ssh/sshd_config",
            "Port 22\nPermitRootLogin no\nInclude /etc/ssh/vendor-overrides.conf\n",
        )
        .file("huge/rootfs/etc/ssh/sshd_config", huge)
        // Good inputs beside the broken ones.
        .file(
            "good/rootfs/etc/ssh/sshd_config",
            "PermitRootLogin yes\nPasswordAuthentication no\n",
        )
        .file(
            "good/rootfs/etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
        );
    let r = scan(b.path(), &["ICV-LNX-00"]);

    assert_sshd_error(
        &r,
        "garbage/rootfs/etc/ssh/sshd_config",
        "garbage/rootfs/etc/ssh/sshd_config",
        3,
        "binary data",
    );
    assert_sshd_error(
        &r,
        "loop/rootfs/etc/ssh/sshd_config",
        "loop/rootfs/etc/ssh/sshd_config.d/10-back.conf",
        2,
        "loop",
    );
    assert_sshd_error(
        &r,
        "missing/rootfs/etc/ssh/sshd_config",
        "missing/rootfs/etc/ssh/sshd_config",
        3,
        "not found",
    );
    assert_sshd_error(
        &r,
        "huge/rootfs/etc/ssh/sshd_config",
        "huge/rootfs/etc/ssh/sshd_config",
        3,
        "longer than the limit",
    );

    // The rest of the scan still reports, with real verdicts at their lines.
    let root_login = of(&r, "ICV-LNX-001", "good/rootfs/etc/ssh/sshd_config");
    assert_eq!(root_login.len(), 1);
    assert_eq!(root_login[0].outcome, Outcome::Fail);
    assert_eq!(root_login[0].location.as_ref().unwrap().line, Some(1));
    let pw = of(&r, "ICV-LNX-002", "good/rootfs/etc/ssh/sshd_config");
    assert_eq!(pw.len(), 1);
    assert_eq!(pw[0].outcome, Outcome::Pass);
    let uid0 = of(&r, "ICV-LNX-009", "good/rootfs/etc/passwd");
    let uid0_fail: Vec<_> = uid0.iter().filter(|f| f.outcome == Outcome::Fail).collect();
    assert_eq!(uid0_fail.len(), 1, "{}", dump(&r));
    assert!(uid0_fail[0].message.contains("toor"));
    assert_eq!(uid0_fail[0].location.as_ref().unwrap().line, Some(2));

    // No broken file produced a pass.
    for f in &r.findings {
        if !f.asset.id.starts_with("good/") {
            assert_ne!(f.outcome, Outcome::Pass, "{}: {}", f.asset.id, f.message);
        }
    }
    assert!(!r.complete, "errors must make the report incomplete");
}

#[test]
fn merged_roots_report_each_setting_once_under_the_deciding_file() {
    let b = Build::new("linux-merged");
    b.file(
        "ivi/rootfs/system/build.prop",
        "ro.build.type=user\nro.debuggable=0\n",
    )
    .file("ivi/rootfs/vendor/build.prop", "ro.debuggable=1\n")
    .file("ivi/rootfs/product/build.prop", "ro.product.name=x\n")
    .file("tbox/rootfs/etc/sysctl.conf", "kernel.kptr_restrict = 0\n")
    .file(
        "tbox/rootfs/etc/sysctl.d/90-hardening.conf",
        "kernel.kptr_restrict = 2\nkernel.dmesg_restrict = 1\n",
    )
    // A second, broken Android root: one error, under the broken file only.
    .file("ivi2/rootfs/system/build.prop", "ro.build.type=user\n")
    .file("ivi2/rootfs/vendor/build.prop", b"ro.secure=1\n\0\0\0")
    .file("ivi2/rootfs/odm/build.prop", "ro.odm.x=1\n");
    let r = scan(b.path(), &["ICV-AND-001", "ICV-LNX-012"]);

    // ro.debuggable: the vendor file overrides the system file; reported once, there.
    let dbg: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule_id == "ICV-AND-001" && f.asset.id.starts_with("ivi/"))
        .collect();
    let verdicts: Vec<_> = dbg
        .iter()
        .filter(|f| matches!(f.outcome, Outcome::Pass | Outcome::Fail))
        .collect();
    assert_eq!(verdicts.len(), 1, "{}", dump(&r));
    assert_eq!(verdicts[0].outcome, Outcome::Fail);
    assert_eq!(verdicts[0].asset.id, "ivi/rootfs/vendor/build.prop");
    let loc = verdicts[0].location.as_ref().unwrap();
    assert_eq!(
        (loc.file.as_str(), loc.line),
        ("ivi/rootfs/vendor/build.prop", Some(1))
    );
    // The other files of the root say where the result is (not applicable, not pass).
    for id in [
        "ivi/rootfs/system/build.prop",
        "ivi/rootfs/product/build.prop",
    ] {
        let fs = of(&r, "ICV-AND-001", id);
        assert_eq!(fs.len(), 1, "{id}");
        assert_eq!(fs[0].outcome, Outcome::NotApplicable, "{id}");
        assert!(fs[0].message.contains("ivi/rootfs/vendor/build.prop"));
    }

    // sysctl: every required key once for the root; kptr_restrict decided by sysctl.conf
    // (applied after sysctl.d), dmesg_restrict by the drop-in.
    let sysctl: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule_id == "ICV-LNX-012" && f.outcome != Outcome::NotApplicable)
        .collect();
    let mut keys: Vec<&str> = sysctl
        .iter()
        .map(|f| f.message.split([' ', '=']).next().unwrap())
        .collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "a key reported twice:\n{}", dump(&r));
    assert!(n >= 10, "{}", dump(&r));
    let kptr = sysctl
        .iter()
        .find(|f| f.message.starts_with("kernel.kptr_restrict"))
        .unwrap();
    assert_eq!(kptr.outcome, Outcome::Fail);
    assert_eq!(kptr.asset.id, "tbox/rootfs/etc/sysctl.conf");
    let dmesg = sysctl
        .iter()
        .find(|f| f.message.starts_with("kernel.dmesg_restrict"))
        .unwrap();
    assert_eq!(dmesg.outcome, Outcome::Pass);
    assert_eq!(dmesg.asset.id, "tbox/rootfs/etc/sysctl.d/90-hardening.conf");
    assert_eq!(dmesg.location.as_ref().unwrap().line, Some(2));

    // The broken root: one error naming the file and line, no verdict from that root.
    let broken: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.rule_id == "ICV-AND-001" && f.asset.id.starts_with("ivi2/"))
        .collect();
    let errors: Vec<_> = broken
        .iter()
        .filter(|f| f.outcome == Outcome::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{}", dump(&r));
    assert_eq!(errors[0].asset.id, "ivi2/rootfs/vendor/build.prop");
    let loc = errors[0].location.as_ref().unwrap();
    assert_eq!(
        (loc.file.as_str(), loc.line),
        ("ivi2/rootfs/vendor/build.prop", Some(2))
    );
    assert!(
        errors[0]
            .message
            .contains("ivi2/rootfs/vendor/build.prop:2")
    );
    assert!(
        broken
            .iter()
            .all(|f| matches!(f.outcome, Outcome::Error | Outcome::NotApplicable))
    );
    assert!(!r.complete);
}

/// Linux/Android roots are parsed once at load and the checks query them: on the demo,
/// every Linux/Android rule judged from the parsed roots gives, for every asset, exactly
/// the findings that reading the asset's root afresh (through the same build tree) gives,
/// and the scan reports those findings.
#[test]
fn demo_linux_rules_from_the_parsed_roots_match_a_fresh_read() {
    use crate::common::{AS_OF_UNIX, fixtures, load_options};
    use icvsec_linux::checks::{CHECKS, judge, prepare, run_check};
    let root = fixtures().join("demo-vehicle");
    let inv = icvsec_inputs::load_build(&root, &load_options(&root));
    assert!(
        !inv.linux.roots.is_empty(),
        "the demo has Linux/Android roots"
    );
    // Every ECU that declares a root filesystem and a configuration has its cross-check
    // facts gathered at load.
    let mut ecu_roots = 0;
    for (id, e) in &inv.ecus {
        if let (Some(r), Some(_)) = (e.entry.rootfs.as_deref(), &e.config) {
            let facts = inv.linux.ecu_root(r).and_then(|p| p.facts.as_ref());
            assert!(facts.is_some(), "ECU {id}: root {r} has no facts");
            ecu_roots += 1;
        }
    }
    assert!(ecu_roots >= 2, "the demo declares root filesystems");
    let rules = catalog();
    let report = scan_with(&root, &rules);
    let mut compared = 0usize;
    let mut reported = 0usize;
    for rule in &rules {
        let icvsec_model::RuleCheck::Builtin { name, params } = &rule.check else {
            continue;
        };
        let Some(&(_, slug)) = CHECKS.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let prepared = prepare(name, params).unwrap();
        // A fresh read takes the scan's date as a parameter, as before parsing moved to load.
        let mut fresh_params = params.clone();
        if name == "android.security_patch_age"
            && let Some(o) = fresh_params.as_object_mut()
        {
            o.entry("as_of_unix").or_insert(AS_OF_UNIX.into());
        }
        for f in inv.files.iter().filter(|f| f.kind.slug() == slug) {
            let place = inv.linux.place(f.kind, &f.id).expect("placed at load");
            let parsed = inv.linux.root(&place.rootfs).expect("parsed at load");
            let judged = judge(&prepared, parsed, &place.path, Some(AS_OF_UNIX));
            let src = icvsec_linux::DirRoot::within(
                inv.tree.0.clone(),
                icvsec_fs::name::decode_identity(&place.rootfs),
            );
            let fresh = run_check(name, &fresh_params, &src, &place.path);
            assert_eq!(judged, fresh, "{} on {}", rule.id, f.id);
            compared += 1;
            // Kinds judged file by file report each finding under the asset itself.
            if let Ok(findings) = &judged
                && !matches!(slug, "sysctl" | "android_props")
            {
                let got = of(&report, &rule.id, &f.id);
                if got.is_empty() {
                    continue; // the rule does not apply to this asset (role, scope)
                }
                for lf in findings {
                    assert!(
                        got.iter().any(|g| g.message == lf.message
                            && (g.outcome == Outcome::Pass) == lf.passed),
                        "{} on {}: `{}` not in the report:\n{}",
                        rule.id,
                        f.id,
                        lf.message,
                        dump(&report)
                    );
                    reported += 1;
                }
            }
        }
    }
    assert!(
        compared >= 50,
        "only {compared} (rule, asset) pairs compared"
    );
    assert!(
        reported >= 50,
        "only {reported} findings checked in the report"
    );
}
