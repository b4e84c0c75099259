//! Hostile builds: no crash, no hang, no wrong pass. One test per reproduced defect,
//! named by its class (see the README, "Safety"), and for each class a variant that the
//! original report did not list. Every scan runs the real binary on a copy of the demo
//! vehicle (or a small build) with a hang guard: a scan that does not end within the
//! guard is killed and the test fails (a guard against hangs, not a timing assertion).

use crate::common::{AS_OF, copy_dir, fixtures};
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const HANG_GUARD: Duration = Duration::from_secs(120);

struct Build(PathBuf);

impl Build {
    /// A copy of the demo vehicle.
    fn demo(name: &str) -> Build {
        let b = Build::empty(name);
        copy_dir(&fixtures().join("demo-vehicle"), &b.0);
        b
    }
    fn empty(name: &str) -> Build {
        let dir =
            std::env::temp_dir().join(format!("icvsec-hostile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Build(dir)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    fn write(&self, rel: &str, data: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }
    fn fifo(&self, rel: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let ok = Command::new("mkfifo").arg(&p).status().map(|s| s.success());
        assert!(ok.unwrap_or(false), "mkfifo {}", p.display());
    }
    /// `icvsec scan` with the hang guard; JSON report parsed.
    fn scan(&self, extra: &[&str]) -> (i32, serde_json::Value, String) {
        let root = self.0.display().to_string();
        let mut args = vec![
            "scan",
            root.as_str(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--no-progress",
        ];
        args.extend_from_slice(extra);
        let out = run_guarded(&args);
        let code = out.status.code().unwrap_or(-1);
        let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (
            code,
            json,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Build {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_guarded(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_icvsec"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run icvsec");
    // Read both pipes on threads so a large report cannot block the child.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t1 = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut so, &mut v).ok();
        v
    });
    let t2 = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut se, &mut v).ok();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("icvsec {args:?} did not finish within the hang guard");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: t1.join().unwrap(),
        stderr: t2.join().unwrap(),
    }
}

fn findings<'a>(report: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    report["findings"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["rule_id"] == rule).collect())
        .unwrap_or_default()
}

fn outcomes(report: &serde_json::Value, rule: &str) -> Vec<String> {
    findings(report, rule)
        .iter()
        .map(|f| f["outcome"].as_str().unwrap_or("").to_string())
        .collect()
}

fn has_outcome(report: &serde_json::Value, rule: &str, outcome: &str) -> bool {
    outcomes(report, rule).iter().any(|o| o == outcome)
}

const UNENCRYPTED_KEY: &str = "tbox/rootfs/etc/tbox/keys/identity.key";

// ------------------------------------------------------------ class 1: one opener

#[test]
fn class1_fifo_in_openssl_include_nginx_dhparam_and_waivers_does_not_hang() {
    let b = Build::demo("fifo");
    b.write(
        "tbox/rootfs/etc/ssl/openssl.cnf",
        ".include /etc/ssl/extra.cnf\n[openssl_init]\n",
    );
    b.fifo("tbox/rootfs/etc/ssl/extra.cnf");
    b.write(
        "tbox/rootfs/etc/nginx/nginx.conf",
        "http { server { listen 443 ssl; ssl_protocols TLSv1.2; ssl_dhparam /etc/nginx/dh.pem; } }\n",
    );
    b.fifo("tbox/rootfs/etc/nginx/dh.pem");
    b.write("icvsec.toml", "waivers = \"w.fifo\"\n");
    b.fifo("w.fifo");
    let (code, _, err) = b.scan(&[]);
    // The waivers file is a FIFO: a usage error naming it, without waiting for a writer.
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("w.fifo") && err.contains("FIFO"), "{err}");
    // Without the configuration, the FIFOs in the root filesystem are errors, not hangs.
    std::fs::remove_file(b.path("icvsec.toml")).unwrap();
    let (code, report, err) = b.scan(&[]);
    assert_eq!(code, 3, "{err}");
    assert!(has_outcome(&report, "ICV-TLSCFG-001", "error") || report.to_string().contains("FIFO"));
}

#[test]
fn class1_character_device_as_dhparam_is_never_read() {
    let b = Build::demo("chardev");
    b.write(
        "tbox/rootfs/etc/nginx/nginx.conf",
        "http { server { listen 443 ssl; ssl_protocols TLSv1.2; ssl_dhparam /dev/zero; } }\n",
    );
    std::fs::create_dir_all(b.path("tbox/rootfs/dev")).unwrap();
    let made = Command::new("mknod")
        .arg(b.path("tbox/rootfs/dev/zero"))
        .args(["c", "1", "5"])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        // Variant without root: a link to the host's /dev/zero is resolved inside the
        // root filesystem (where /dev/zero does not exist), never to the host's device.
        symlink("/dev/zero", b.path("tbox/rootfs/etc/nginx/dh.pem")).unwrap();
        eprintln!("note: mknod not permitted; testing the link variant only");
    }
    let (code, report, err) = b.scan(&[]);
    assert_eq!(code, 3, "{err}");
    assert!(report.to_string().contains("character device") || !made);
}

#[test]
fn class1_variant_socket_and_fifo_named_like_a_certificate_are_errors() {
    let b = Build::demo("fifo-pem");
    b.fifo("pki/extra.pem");
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    let diags = report["diagnostics"].to_string();
    assert!(
        diags.contains("pki/extra.pem") && diags.contains("FIFO"),
        "{diags}"
    );
}

// ------------------------------------------------------------ class 2: links in a root

#[test]
fn class2_sshd_config_symlink_is_resolved_inside_the_rootfs() {
    let b = Build::demo("sshd-link");
    let real = std::fs::read_to_string(b.path("tbox/rootfs/etc/ssh/sshd_config")).unwrap();
    std::fs::remove_file(b.path("tbox/rootfs/etc/ssh/sshd_config")).unwrap();
    b.write(
        "tbox/rootfs/etc/ssh/sshd_config.real",
        format!("PermitRootLogin yes\n{real}"),
    );
    symlink(
        "sshd_config.real",
        b.path("tbox/rootfs/etc/ssh/sshd_config"),
    )
    .unwrap();
    let (_, report, _) = b.scan(&[]);
    assert!(
        has_outcome(&report, "ICV-LNX-001", "fail"),
        "{:?}",
        outcomes(&report, "ICV-LNX-001")
    );
}

#[test]
fn class2_variant_absolute_link_and_link_out_of_the_build() {
    let b = Build::demo("abs-link");
    let real = std::fs::read_to_string(b.path("tbox/rootfs/etc/ssh/sshd_config")).unwrap();
    std::fs::remove_file(b.path("tbox/rootfs/etc/ssh/sshd_config")).unwrap();
    b.write(
        "tbox/rootfs/usr/share/ssh/sshd_config",
        format!("PermitRootLogin yes\n{real}"),
    );
    // Absolute target: resolved with the ECU's root filesystem as `/`.
    symlink(
        "/usr/share/ssh/sshd_config",
        b.path("tbox/rootfs/etc/ssh/sshd_config"),
    )
    .unwrap();
    // A certificate link that leaves the build: reported, never read.
    symlink(
        "/etc/ssl/certs/ca-certificates.crt",
        b.path("pki/host-bundle.crt"),
    )
    .unwrap();
    let (code, report, _) = b.scan(&[]);
    assert!(has_outcome(&report, "ICV-LNX-001", "fail"));
    assert_eq!(code, 3);
    let diags = report["diagnostics"].to_string();
    assert!(
        diags.contains("pki/host-bundle.crt") && diags.contains("leaves the build"),
        "{diags}"
    );
}

// ------------------------------------------------------------ class 3: unread = error

#[test]
fn class3_unreadable_sshd_dropin_is_an_error_not_a_pass() {
    for (name, make) in [("fifo", 0u8), ("dangling", 1u8), ("unreadable", 2u8)] {
        let b = Build::demo(&format!("dropin-{name}"));
        let dropin = "tbox/rootfs/etc/ssh/sshd_config.d/00-evil.conf";
        match make {
            0 => b.fifo(dropin),
            1 => symlink("/nonexistent/evil.conf", b.path(dropin)).unwrap(),
            _ => {
                b.write(dropin, "PermitRootLogin yes\n");
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(b.path(dropin), std::fs::Permissions::from_mode(0o0))
                    .unwrap();
                // root reads mode-0 files anyway; then the drop-in is read and fails the rule.
            }
        }
        let (code, report, _) = b.scan(&[]);
        let o = outcomes(&report, "ICV-LNX-001");
        assert!(!o.iter().all(|x| x == "pass"), "{name}: {o:?}");
        assert!(
            code == 3 || o.iter().any(|x| x == "fail"),
            "{name}: exit {code}, {o:?}"
        );
        assert_ne!(code, 0, "{name}");
    }
}

#[test]
fn class3_oversized_pem_with_a_private_key_is_an_error() {
    let b = Build::demo("big-pem");
    let key = std::fs::read_to_string(b.path(UNENCRYPTED_KEY)).unwrap();
    let mut big = "# padding\n".repeat(17 * 1024 * 1024 / 10);
    big.push_str(&key);
    b.write("pki/big.pem", big);
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    let key_rule = findings(&report, "ICV-CRT-018");
    assert!(
        key_rule
            .iter()
            .any(|f| f["outcome"] == "error" && f.to_string().contains("pki/big.pem")),
        "{key_rule:?}"
    );
}

// ------------------------------------------------------------ class 4: exact identity

#[test]
fn class4_names_that_used_to_collapse_keep_two_identities() {
    let b = Build::demo("names");
    let key = std::fs::read(b.path(UNENCRYPTED_KEY)).unwrap();
    let cert = std::fs::read(b.path("pki/oem-root-ca.pem")).unwrap();
    b.write("pki/k.pem", &cert);
    b.write("pki\\k.pem", &key);
    use std::os::unix::ffi::OsStrExt;
    let pki = b.path("pki");
    std::fs::write(pki.join(std::ffi::OsStr::from_bytes(b"n\xff.pem")), &cert).unwrap();
    std::fs::write(pki.join(std::ffi::OsStr::from_bytes(b"n\xfe.pem")), &key).unwrap();
    let (_, report, _) = b.scan(&[]);
    let fails: Vec<String> = findings(&report, "ICV-CRT-018")
        .iter()
        .filter(|f| f["outcome"] == "fail")
        .map(|f| f["asset"]["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        fails.iter().any(|a| a.starts_with("pki\\\\k.pem")),
        "{fails:?}"
    );
    assert!(
        fails
            .iter()
            .any(|a| a.starts_with("n\\xfe.pem") || a.starts_with("pki/n\\xfe.pem")),
        "{fails:?}"
    );
}

// ------------------------------------------------------------ class 5: linear & bounded

#[test]
fn class5_waiver_of_100000_stars_does_not_crash() {
    let b = Build::demo("stars");
    b.write(
        "w.toml",
        format!(
            "[[waiver]]\nrule = \"{}\"\npaths = [\"**\"]\njustification = \"x\"\nowner = \"y\"\nexpires = \"2099-01-01\"\n",
            "*".repeat(100_000)
        ),
    );
    let w = b.path("w.toml").display().to_string();
    let (code, _, err) = b.scan(&["--waivers", &w]);
    assert!(code == 0 || code == 1 || code == 3, "exit {code}: {err}");
}

#[test]
fn class5_nginx_include_glob_with_many_stars_finishes() {
    let b = Build::demo("glob");
    b.write(
        "tbox/rootfs/etc/nginx/nginx.conf",
        "include /etc/nginx/conf.d/*a*a*a*a*a*a*a*b;\nhttp { server { listen 443 ssl; ssl_protocols TLSv1.2; } }\n",
    );
    b.write(
        &format!("tbox/rootfs/etc/nginx/conf.d/{}", "a".repeat(200)),
        "",
    );
    let (code, _, err) = b.scan(&[]);
    assert!(code == 1 || code == 3, "exit {code}: {err}");
}

#[test]
fn class5_nftables_with_many_chains_is_linear() {
    let b = Build::demo("nft");
    let mut text = String::from("table inet filter {\n");
    for i in 0..50_000 {
        text.push_str(&format!("  chain c{i} {{\n  }}\n"));
    }
    text.push_str("  chain input { type filter hook input priority 0; policy drop; }\n}\n");
    b.write("tbox/rootfs/etc/nftables.conf", text);
    let (code, _, err) = b.scan(&[]);
    assert!(code == 1 || code == 3, "exit {code}: {err}");
}

#[test]
fn class5_variant_100000_ecus_are_refused_with_an_error() {
    let b = Build::empty("ecus");
    let ecus: Vec<String> = (0..100_000)
        .map(|i| format!("{{\"id\":\"e{i}\",\"role\":\"other\"}}"))
        .collect();
    b.write(
        "vehicle.json",
        format!(
            "{{\"schema_version\":1,\"vehicle\":{{\"model\":\"m\",\"markets\":[\"CN\"]}},\"ecus\":[{}]}}",
            ecus.join(",")
        ),
    );
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    assert!(
        report["diagnostics"]
            .to_string()
            .contains("more than the limit of 1000")
    );
}

// ------------------------------------------------------------ class 6: one cause, one error

#[test]
fn class6_many_broken_files_give_one_error_per_file_not_per_rule() {
    let b = Build::demo("empties");
    for i in 0..500 {
        b.write(&format!("junk/e{i:03}.pem"), "");
    }
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    let errors = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["outcome"] == "error")
        .count();
    // One error per blocked rule (about 25 certificate and key rules), not 500 × 25.
    assert!(errors < 100, "{errors} error findings");
    let diags = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["location"]["file"]
                .as_str()
                .is_some_and(|f| f.starts_with("junk/"))
        })
        .count();
    assert_eq!(diags, 500, "one input problem per file");
}

// ------------------------------------------------------------ class 7: inert output

#[test]
fn class7_control_characters_from_the_build_are_escaped_in_text() {
    let b = Build::demo("ansi");
    let v = std::fs::read_to_string(b.path("vehicle.json")).unwrap();
    b.write(
        "vehicle.json",
        v.replace(
            "Tianhe T7 EV (2026 MY)",
            "T7\\u001b]0;pwned\\u0007\\u001b[2J\\nFAIL forged",
        ),
    );
    let cert = std::fs::read(b.path("pki/oem-root-ca.pem")).unwrap();
    b.write("pki/evil\x1b[31mname\u{202e}.pem", &cert);
    let root = b.0.display().to_string();
    let out = run_guarded(&["scan", &root, "--as-of", AS_OF, "--no-progress"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('\x1b'), "raw ESC in the text report");
    assert!(!text.contains('\x07'));
    assert!(!text.contains('\u{202e}'));
    assert!(!text.contains("\nFAIL forged"));
    assert!(
        text.contains("T7\\x1b]0;pwned"),
        "{}",
        &text[..400.min(text.len())]
    );
}

// ------------------------------------------------------------ class 8: only the build

#[test]
fn class8_paths_in_an_in_build_config_stay_inside_the_build() {
    for (cfg, what) in [
        ("waivers = \"/etc/ssh/sshd_config\"\n", "absolute"),
        ("baseline = \"../x\"\n", "parent"),
        ("waivers = \"/dev/stdin\"\n", "device"),
    ] {
        let b = Build::demo(&format!("cfg-{what}"));
        b.write("icvsec.toml", cfg);
        let (code, _, err) = b.scan(&[]);
        assert_eq!(code, 2, "{what}: {err}");
        assert!(err.contains("inside the build"), "{what}: {err}");
    }
    // Variant: a relative name that is a link out of the build.
    let b = Build::demo("cfg-link");
    symlink("/etc/passwd", b.path("w.toml")).unwrap();
    b.write("icvsec.toml", "waivers = \"w.toml\"\n");
    let (code, _, err) = b.scan(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("leaves the build"), "{err}");
}

#[test]
fn class8_init_never_writes_through_a_link() {
    let b = Build::empty("init");
    let outside = Build::empty("init-outside");
    b.write("tbox/rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
    symlink(outside.path("vehicle.json"), b.path("vehicle.json")).unwrap();
    let root = b.0.display().to_string();
    let out = run_guarded(&["init", &root, "--force"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(!outside.path("vehicle.json").exists());
    // Variant: `ecus` is a link to a directory outside.
    std::fs::remove_file(b.path("vehicle.json")).unwrap();
    symlink(&outside.0, b.path("ecus")).unwrap();
    let out = run_guarded(&["init", &root, "--force"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        std::fs::read_dir(&outside.0).unwrap().next().is_none(),
        "wrote outside the build"
    );
}

// ------------------------------------------------------------ class 9: closed pipes

fn closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_icvsec"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close our end.
    let mut so = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    let _ = std::io::Read::read(&mut so, &mut first);
    drop(so);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn class9_every_command_is_quiet_on_a_closed_pipe() {
    let demo = fixtures().join("demo-vehicle").display().to_string();
    for args in [
        vec!["rules", "list", "--format", "json"],
        vec!["rules", "list"],
        vec!["scan", demo.as_str(), "--as-of", AS_OF, "--format", "sarif"],
        vec!["scan", demo.as_str(), "--as-of", AS_OF, "--format", "json"],
        vec!["scan", demo.as_str(), "--as-of", AS_OF, "--format", "html"],
        vec!["man"],
    ] {
        let (code, err) = closed_pipe(&args);
        assert_ne!(code, Some(101), "{args:?} panicked: {err}");
        assert_ne!(code, Some(2), "{args:?} reported a usage error: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}

// ------------------------------------------------------------ silence is never a pass

#[test]
fn an_empty_build_or_one_with_nothing_recognised_is_incomplete() {
    let b = Build::empty("nothing");
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    assert!(
        report["diagnostics"]
            .to_string()
            .contains("nothing to assess")
    );
    b.write("docs/readme.txt", "hello");
    b.write("fw/blob.bin", [0u8; 64]);
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    assert!(
        report["diagnostics"]
            .to_string()
            .contains("among the 2 file(s) found")
    );
}

#[test]
fn class3_variant_a_looping_shadow_link_is_an_error_for_the_shadow_rules() {
    let b = Build::demo("shadow-loop");
    std::fs::remove_file(b.path("tbox/rootfs/etc/shadow")).unwrap();
    // Inside the root filesystem `/etc/shadow` is this link itself: a loop.
    symlink("/etc/shadow", b.path("tbox/rootfs/etc/shadow")).unwrap();
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    // The T-Box tree's outcomes (the demo's ext4 image of it has its own, intact shadow).
    let o: Vec<String> = findings(&report, "ICV-LNX-008")
        .iter()
        .filter(|f| {
            !f["asset"]["id"]
                .as_str()
                .is_some_and(|a| a.starts_with("images/"))
        })
        .map(|f| f["outcome"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(o.iter().any(|x| x == "error"), "{o:?}");
    assert!(
        !o.iter().any(|x| x == "not_applicable" || x == "pass"),
        "{o:?}"
    );
}

#[test]
fn a_folder_holding_only_an_image_is_judged_but_incomplete_without_a_vehicle_description() {
    // The image is read in place and its files are judged (findings placed inside it),
    // but the declarations the requirements need are missing: exit 3 with a message, and
    // `--allow-incomplete` gates on the file findings alone.
    let b = Build::empty("image-only");
    b.write(
        "tbox-rootfs.ext4",
        std::fs::read(fixtures().join("demo-vehicle/images/tbox-rootfs.ext4")).unwrap(),
    );
    let (code, report, _) = b.scan(&[]);
    assert_eq!(code, 3);
    assert!(
        report["diagnostics"]
            .to_string()
            .contains("no vehicle description"),
        "{}",
        report["diagnostics"]
    );
    let inside = report["findings"].as_array().unwrap().iter().any(|f| {
        f["outcome"] == "fail"
            && f["location"]["file"]
                .as_str()
                .is_some_and(|p| p.starts_with("tbox-rootfs.ext4/"))
    });
    assert!(inside, "no failing finding inside the image");
    let (code, _, _) = b.scan(&["--allow-incomplete"]);
    assert_eq!(code, 1);
}
