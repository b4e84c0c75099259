//! TLS family wiring on hand-made builds: configuration files inside an ECU's root
//! filesystem (includes resolved there), parse errors as error outcomes at file:line,
//! unknown suite names as errors naming the value, broken saved probes as errors with
//! line and column.

use crate::common::{catalog, scan_with};
use icvsec_model::{Outcome, Report};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Build(PathBuf);

impl Build {
    fn new(tag: &str) -> Build {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "icvsec-tlswiring-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Build(p)
    }
    fn put(&self, rel: &str, text: &str) -> &Self {
        let f = self.0.join(rel);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, text).unwrap();
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

fn scan(root: &Path, ids: &[&str]) -> Report {
    let rules: Vec<_> = catalog()
        .into_iter()
        .filter(|r| ids.contains(&r.id.as_str()))
        .collect();
    assert_eq!(rules.len(), ids.len());
    scan_with(root, &rules)
}

fn of<'a>(r: &'a Report, id: &str, o: Outcome) -> Vec<&'a icvsec_model::Finding> {
    r.findings
        .iter()
        .filter(|f| f.rule_id == id && f.outcome == o)
        .collect()
}

const VEHICLE_WITH_TBOX: &str = r#"{ "schema_version": 1,
  "vehicle": { "model": "wiring", "markets": ["CN"] },
  "ecus": [ { "id": "tbox", "role": "tbox", "config": "ecus/tbox.json", "rootfs": "fw/tbox" } ] }"#;

#[test]
fn nginx_includes_resolve_in_the_ecu_rootfs_and_findings_name_file_and_line() {
    let b = Build::new("include");
    b.put("vehicle.json", VEHICLE_WITH_TBOX)
        .put(
            "ecus/tbox.json",
            r#"{ "schema_version": 1, "ecu": "tbox" }"#,
        )
        .put(
            "fw/tbox/etc/nginx/nginx.conf",
            "events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n",
        )
        .put(
            "fw/tbox/etc/nginx/conf.d/api.conf",
            "server {\n    listen 443 ssl;\n    server_name api.local;\n    ssl_protocols TLSv1.1 TLSv1.2;\n    ssl_ciphers 'ECDHE+AESGCM:DES-CBC3-SHA';\n}\n",
        );
    let r = scan(b.path(), &["ICV-TLSCFG-001", "ICV-TLSCFG-002"]);
    let v = of(&r, "ICV-TLSCFG-001", Outcome::Fail);
    assert_eq!(v.len(), 1, "{:#?}", r.findings);
    let loc = v[0].location.as_ref().unwrap();
    assert_eq!(loc.file, "fw/tbox/etc/nginx/conf.d/api.conf");
    assert_eq!(loc.line, Some(4));
    assert!(v[0].message.contains("`TLSv1.1`"), "{}", v[0].message);
    assert!(v[0].message.contains("api.local"), "{}", v[0].message);
    assert_eq!(v[0].asset.id, "fw/tbox/etc/nginx/nginx.conf");
    let s = of(&r, "ICV-TLSCFG-002", Outcome::Fail);
    assert_eq!(s.len(), 1, "{:#?}", r.findings);
    assert!(s[0].message.contains("DES-CBC3-SHA"), "{}", s[0].message);
    assert_eq!(s[0].location.as_ref().unwrap().line, Some(5));
}

#[test]
fn config_parse_errors_and_missing_includes_are_errors_never_passes() {
    let b = Build::new("parse");
    b.put(
        "rootfs/etc/nginx/nginx.conf",
        "events {}\nhttp {\n    server {\n        listen 443 ssl\n        ssl_protocols TLSv1.2;\n    }\n",
    )
    .put(
        "other/etc/nginx/nginx.conf",
        "events {}\nhttp {\n    include /etc/nginx/missing.conf;\n}\n",
    )
    .put(
        "rootfs/etc/ssl/openssl.cnf",
        "openssl_conf = init\n[init\nssl_conf = s\n",
    );
    let r = scan(b.path(), &["ICV-TLSCFG-001", "ICV-TLSCFG-005"]);
    let errs = of(&r, "ICV-TLSCFG-001", Outcome::Error);
    assert_eq!(errs.len(), 2, "{:#?}", r.findings);
    assert!(of(&r, "ICV-TLSCFG-001", Outcome::Pass).is_empty());
    for e in &errs {
        let loc = e.location.as_ref().unwrap();
        assert!(loc.line.is_some_and(|l| l > 0), "{e:#?}");
        assert!(e.message.contains(loc.file.as_str()), "{}", e.message);
    }
    let cnf = of(&r, "ICV-TLSCFG-005", Outcome::Error);
    assert_eq!(cnf.len(), 1, "{:#?}", r.findings);
    assert_eq!(
        cnf[0].location.as_ref().unwrap().file,
        "rootfs/etc/ssl/openssl.cnf"
    );
    assert_eq!(cnf[0].location.as_ref().unwrap().line, Some(2));
    assert!(of(&r, "ICV-TLSCFG-005", Outcome::Pass).is_empty());
}

#[test]
fn unknown_suite_and_version_names_are_errors_naming_the_value() {
    let b = Build::new("unknown");
    b.put("vehicle.json", VEHICLE_WITH_TBOX).put(
        "ecus/tbox.json",
        r#"{ "schema_version": 1, "ecu": "tbox", "tls_profiles": [ {
  "id": "p", "side": "client", "versions": ["TLSv1.2", "TLSv9"],
  "cipher_suites": ["TLS_AES_128_GCM_SHA256", "TLS_MADE_UP_WITH_AES"] } ] }"#,
    );
    let r = scan(b.path(), &["ICV-TLS-001", "ICV-TLS-002"]);
    for id in ["ICV-TLS-001", "ICV-TLS-002"] {
        assert!(of(&r, id, Outcome::Pass).is_empty(), "{id}");
    }
    let e1 = of(&r, "ICV-TLS-001", Outcome::Error);
    assert_eq!(e1.len(), 1, "{:#?}", r.findings);
    assert!(e1[0].message.contains("`TLSv9`"));
    assert_eq!(
        e1[0].location.as_ref().unwrap().key_path.as_deref(),
        Some("tls_profiles[0].versions[1]")
    );
    let e2 = of(&r, "ICV-TLS-002", Outcome::Error);
    assert!(
        e2.iter()
            .any(|e| e.message.contains("`TLS_MADE_UP_WITH_AES`")
                && e.location.as_ref().unwrap().line == Some(3)),
        "{e2:#?}"
    );
}

#[test]
fn broken_saved_probes_are_errors_with_line_and_column() {
    let good =
        std::fs::read_to_string(crate::common::fixtures().join("tls-gen/probes/strong.probe.json"))
            .unwrap();
    let bogus = good.replacen(
        "\"schema_version\": 1,",
        "\"schema_version\": 1,\n  \"bogus\": true,",
        1,
    );
    assert_ne!(bogus, good);
    let b = Build::new("probe");
    b.put("probes/a.probe.json", &bogus)
        .put("probes/b.probe.json", "{\n  \"schema_version\": 1,,\n}\n");
    let r = scan(b.path(), &["ICV-TLS-101"]);
    let errs = of(&r, "ICV-TLS-101", Outcome::Error);
    assert_eq!(errs.len(), 2, "{:#?}", r.findings);
    for e in &errs {
        let loc = e.location.as_ref().unwrap();
        let want = if loc.file.ends_with("a.probe.json") {
            3
        } else {
            2
        };
        assert_eq!(loc.line, Some(want), "{e:#?}");
        assert!(loc.column.is_some());
    }
    assert!(
        errs.iter()
            .any(|e| e.message.contains("unknown field `bogus`"))
    );
    assert!(of(&r, "ICV-TLS-101", Outcome::Pass).is_empty());
}

/// TLS configurations (and the nginx listeners of the ECU cross-check) are read once at
/// load: evaluating an inventory whose build has since been deleted gives the same
/// findings as a scan of the build, so no check reads a file.
#[test]
fn tls_configurations_are_judged_from_what_was_loaded() {
    let b = Build::new("loaded-once");
    b.put("vehicle.json", VEHICLE_WITH_TBOX)
        .put(
            "ecus/tbox.json",
            r#"{ "schema_version": 1, "ecu": "tbox", "services": [
  { "name": "https", "port": 443, "protocol": "tcp", "bind": "0.0.0.0", "authentication": "mtls" } ] }"#,
        )
        .put(
            "fw/tbox/etc/nginx/nginx.conf",
            "events {}\nhttp {\n    include conf.d/*.conf;\n}\n",
        )
        .put(
            "fw/tbox/etc/nginx/conf.d/api.conf",
            "server {\n    listen 443 ssl;\n    server_name api.local;\n    ssl_protocols TLSv1.1 TLSv1.2;\n    ssl_dhparam /etc/nginx/dh.pem;\n}\nserver {\n    listen 8080;\n}\n",
        )
        .put(
            "fw/tbox/etc/ssl/openssl.cnf",
            "openssl_conf = init\n[init]\nssl_conf = ssl\n[ssl]\nsystem_default = sd\n.include /etc/ssl/sd.cnf\n",
        )
        .put("fw/tbox/etc/ssl/sd.cnf", "[sd]\nMinProtocol = TLSv1\n")
        .put(
            "fw/tbox/usr/include/mbedtls/mbedtls_config.h",
            "#define MBEDTLS_SSL_TLS_C\n#define MBEDTLS_SSL_PROTO_TLS1_2\n#define MBEDTLS_TEST_NULL_ENTROPY\n",
        );
    let checks = [
        "tls.nginx",
        "tls.openssl_conf",
        "tls.embedded_stack",
        "ecu.crosscheck.listeners",
    ];
    let rules: Vec<_> = catalog()
        .into_iter()
        .filter(|r| checks.contains(&r.check_name()))
        .collect();
    let before = scan_with(b.path(), &rules);
    let inv = icvsec_inputs::load_build(b.path(), &crate::common::load_options(b.path()));
    std::fs::remove_dir_all(b.path()).unwrap();
    let mut after = icvsec_engine::evaluate(
        &inv,
        &rules,
        &icvsec_checks::registry(),
        &crate::common::scan_options(b.path()),
    );
    let full = crate::common::full_catalog();
    after.attach_requirements(&full.requirements, &full.rules);
    assert_eq!(before.findings, after.findings);
    // What was judged: each family failed on the file and line that set the weakness,
    // the unreadable DH parameters are an error at the ssl_dhparam line, and the
    // undeclared nginx listener on 8080 is a failure of the cross-check.
    let failed = |check: &str| {
        before
            .findings
            .iter()
            .filter(|f| {
                f.outcome == Outcome::Fail
                    && rules
                        .iter()
                        .any(|r| r.id == f.rule_id && r.check_name() == check)
            })
            .count()
    };
    for c in checks {
        assert!(failed(c) > 0, "{c}: {:#?}", before.findings);
    }
    assert!(
        before.findings.iter().any(|f| f.outcome == Outcome::Error
            && f.message.contains("ssl_dhparam cannot be read")
            && f.location.as_ref().is_some_and(|l| {
                l.file == "fw/tbox/etc/nginx/conf.d/api.conf" && l.line == Some(5)
            })),
        "{:#?}",
        before.findings
    );
    assert!(
        before
            .findings
            .iter()
            .any(|f| f.outcome == Outcome::Fail && f.message.contains("nginx on tcp/8080")),
        "{:#?}",
        before.findings
    );
}
