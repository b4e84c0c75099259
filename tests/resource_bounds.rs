//! Resource bounds of a scan: oversized files, symbolic links, special files,
//! unreadable entries, the depth limit, and nothing found in a build ever runs.

use crate::common::{AS_OF, fixtures, icvsec};
use icvsec_inputs::{Limits, LoadOptions, load_build};
use icvsec_model::report::DiagnosticLevel;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VEHICLE: &str = r#"{ "schema_version": 1, "vehicle": { "model": "Bounds", "markets": ["CN"] },
  "ecus": [ { "id": "tbox", "role": "tbox", "rootfs": "tbox/rootfs" } ] }"#;

struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str) -> Tmp {
        let dir = std::env::temp_dir().join(format!("icvsec-bounds-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let t = Tmp(dir);
        t.write("vehicle.json", VEHICLE);
        t.write("tbox/rootfs/etc/os-release", "ID=poky\n");
        t
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        // Restore permissions so the directory can be removed.
        fn open_up(p: &Path) {
            let Ok(m) = std::fs::symlink_metadata(p) else {
                return;
            };
            if m.file_type().is_symlink() {
                return;
            }
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755));
            if m.is_dir() {
                for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                    open_up(&e.path());
                }
            }
        }
        open_up(&self.0);
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn cert_pem() -> String {
    std::fs::read_to_string(fixtures().join("demo-vehicle/pki/oem-root-ca.pem")).unwrap()
}

fn load(root: &Path, limits: Limits) -> icvsec_inputs::Inventory {
    load_build(
        root,
        &LoadOptions {
            limits,
            ..Default::default()
        },
    )
}

fn diag<'a>(inv: &'a icvsec_inputs::Inventory, file: &str) -> Vec<&'a icvsec_model::Diagnostic> {
    inv.diagnostics
        .iter()
        .filter(|d| d.location.file == file)
        .collect()
}

/// Run the binary with a deadline (a scan that blocks on a FIFO must fail, not hang).
fn scan_json_with_deadline(cmd: &mut Command, secs: u64) -> serde_json::Value {
    use std::io::Read;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run icvsec");
    // Drain both pipes while waiting (a full pipe would stall the child).
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("scan did not finish within {secs}s (blocked on a special file?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let stdout = out.join().unwrap();
    let stderr = err.join().unwrap();
    serde_json::from_slice(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); stderr: {}",
            String::from_utf8_lossy(&stderr)
        )
    })
}

fn icvsec_cmd(root: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_icvsec"));
    c.args([
        "scan",
        root.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "--full-evidence",
    ])
    .args(extra)
    .env("NO_COLOR", "1");
    c
}

fn diagnostics_of(report: &serde_json::Value, file: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["location"]["file"] == file)
        .map(|d| {
            format!(
                "{}: {}",
                d["level"].as_str().unwrap_or(""),
                d["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn certificate_ids(report: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["asset"]["kind"] == "certificate")
        // Assessed: an error outcome says the certificate could not be assessed.
        .filter(|f| f["outcome"] != "error")
        .filter_map(|f| f["asset"]["id"].as_str().map(str::to_string))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn files_over_the_size_limit_are_skipped_with_a_notice() {
    let t = Tmp::new("size");
    let pem = cert_pem();
    t.write("pki/small.pem", &pem);
    let mut big = pem.clone();
    while big.len() < 64 * 1024 {
        big.push_str(&pem);
    }
    t.write("pki/big.pem", &big);
    t.write(
        "tbox/rootfs/etc/passwd",
        "root:x:0:0::/root:/bin/sh\n".repeat(4000),
    );
    let limit = (pem.len() + 10).to_string();
    let report = scan_json_with_deadline(&mut icvsec_cmd(&t.0, &["--max-file-size", &limit]), 120);
    let d = diagnostics_of(&report, "pki/big.pem");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].contains("over the size limit of"), "{d:?}");
    assert!(diagnostics_of(&report, "tbox/rootfs/etc/passwd")[0].contains("over the size limit"));
    // The small certificate is assessed; the big file is not read, and the certificate
    // and key rules report that they could not assess it (never a pass or n/a).
    let errors: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["asset"]["id"] == "pki/big.pem" && f["outcome"] == "error")
        .collect();
    assert!(
        errors.iter().any(|f| f["asset"]["kind"] == "private_key"),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|f| f["asset"]["kind"] == "certificate"),
        "{errors:?}"
    );
    let certs = certificate_ids(&report);
    assert!(certs.iter().any(|c| c == "pki/small.pem"), "{certs:?}");
    assert!(
        !certs.iter().any(|c| c.starts_with("pki/big.pem")),
        "{certs:?}"
    );
}

#[test]
fn links_are_not_followed_out_of_the_root_and_loops_end() {
    let t = Tmp::new("links");
    let outside = Tmp::new("links-outside");
    outside.write("secret/outside.pem", cert_pem());
    std::os::unix::fs::symlink(outside.path("secret"), t.path("pki-link")).unwrap();
    std::os::unix::fs::symlink(outside.path("secret/outside.pem"), t.path("outside.pem")).unwrap();
    // Loops: to the root itself, and two directories pointing at each other.
    std::os::unix::fs::symlink(&t.0, t.path("loop")).unwrap();
    std::fs::create_dir_all(t.path("a")).unwrap();
    std::fs::create_dir_all(t.path("b")).unwrap();
    std::os::unix::fs::symlink(t.path("b"), t.path("a/to-b")).unwrap();
    std::os::unix::fs::symlink(t.path("a"), t.path("b/to-a")).unwrap();
    t.write("pki/inside.pem", cert_pem());

    let report = scan_json_with_deadline(&mut icvsec_cmd(&t.0, &[]), 120);
    let certs = certificate_ids(&report);
    assert_eq!(certs, vec!["pki/inside.pem".to_string()]);
    // Links out of the build are reported and not followed (a certificate name makes it
    // an error: the rules that would read it cannot assess it); links to directories
    // inside the build are not descended (their files are scanned there).
    for link in ["pki-link", "outside.pem", "loop", "a/to-b", "b/to-a"] {
        let d = diagnostics_of(&report, link);
        assert_eq!(d.len(), 1, "{link}: {d:?}");
        let expected = match link {
            "outside.pem" => "error: not followed: symbolic link /outside.pem",
            "pki-link" => "notice: not followed: symbolic link /pki-link",
            _ => "notice: not followed: symbolic link",
        };
        assert!(d[0].starts_with(expected), "{link}: {d:?}");
        assert!(d[0].contains("leaves the build"), "{link}: {d:?}");
    }
}

#[test]
fn fifos_sockets_and_devices_are_skipped() {
    let t = Tmp::new("special");
    // A FIFO where a host file is expected: opening it for reading would block forever.
    let fifo = t.path("tbox/rootfs/etc/passwd");
    let status = Command::new("mkfifo").arg(&fifo).status();
    let have_fifo = status.is_ok_and(|s| s.success());
    if !have_fifo {
        eprintln!("note: mkfifo unavailable; testing a socket only");
    }
    let _sock =
        std::os::unix::net::UnixListener::bind(t.path("pki/agent.pem")).unwrap_or_else(|_| {
            std::fs::create_dir_all(t.path("pki")).unwrap();
            std::os::unix::net::UnixListener::bind(t.path("pki/agent.pem")).unwrap()
        });
    // A device node when allowed (root): /dev/null's numbers.
    let dev = Command::new("mknod")
        .arg(t.path("tbox/rootfs/etc/shadow"))
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    let report = scan_json_with_deadline(&mut icvsec_cmd(&t.0, &[]), 60);
    let mut expect = vec!["pki/agent.pem"];
    if have_fifo {
        expect.push("tbox/rootfs/etc/passwd");
    }
    if dev {
        expect.push("tbox/rootfs/etc/shadow");
    } else {
        eprintln!("note: mknod not permitted; device node not tested");
    }
    // Never opened; where icvsec would read that kind of file, the rules that need it
    // cannot assess it (an error, not a silent skip).
    for f in expect {
        let d = diagnostics_of(&report, f);
        assert_eq!(d.len(), 1, "{f}: {d:?}");
        assert!(d[0].starts_with("error: skipped: "), "{f}: {d:?}");
        assert!(
            d[0].contains("(never opened); the rules that read it cannot assess it"),
            "{f}: {d:?}"
        );
    }
    assert!(certificate_ids(&report).is_empty());
}

/// Root reads files whatever their mode, so the unreadable case runs the scanner as
/// `nobody` (setpriv) when the tests run as root.
#[test]
fn unreadable_files_and_directories_are_reported() {
    let t = Tmp::new("unreadable");
    t.write("pki/locked.pem", cert_pem());
    t.write("pki/open.pem", cert_pem());
    t.write("locked-dir/inner.pem", cert_pem());
    std::fs::set_permissions(
        t.path("pki/locked.pem"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    std::fs::set_permissions(t.path("locked-dir"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = std::fs::read(t.path("pki/locked.pem")).is_ok();
    let mut cmd = if readable_anyway {
        // Running as root: chmod 000 does not stop reads. Drop to nobody for the scan.
        let ok = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "SKIPPED: unreadable_files_and_directories_are_reported: running as root without setpriv"
            );
            return;
        }
        // nobody must reach the binary and the build.
        for dir in [t.0.parent().unwrap(), t.0.as_path()] {
            let m = std::fs::metadata(dir).unwrap().permissions().mode();
            if m & 0o005 != 0o005 {
                eprintln!(
                    "SKIPPED: unreadable_files_and_directories_are_reported: {} not open to other users",
                    dir.display()
                );
                return;
            }
        }
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_icvsec"),
        ]);
        c.args([
            "scan",
            t.0.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--full-evidence",
        ]);
        c
    } else {
        icvsec_cmd(&t.0, &[])
    };
    if readable_anyway {
        // The binary lives under target/ which must be reachable by nobody.
        let exe = Path::new(env!("CARGO_BIN_EXE_icvsec"));
        if Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(exe)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_or(true, |s| !s.success())
        {
            eprintln!(
                "SKIPPED: unreadable_files_and_directories_are_reported: the icvsec binary is not executable by nobody"
            );
            return;
        }
    }
    let report = scan_json_with_deadline(&mut cmd, 60);
    let locked = diagnostics_of(&report, "pki/locked.pem");
    assert!(
        locked
            .iter()
            .any(|d| d.starts_with("error: cannot read") && d.contains("ermission denied")),
        "{locked:?}"
    );
    let dir = diagnostics_of(&report, "locked-dir");
    assert!(
        dir.iter()
            .any(|d| d.starts_with("error: cannot read") && d.contains("ermission denied")),
        "{dir:?}"
    );
    // An unreadable input makes the assessment incomplete: an error finding, not a pass.
    assert_eq!(report["complete"], false);
    let errors: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["asset"]["id"] == "pki/locked.pem")
        .map(|f| f["outcome"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !errors.is_empty() && errors.iter().all(|o| o == "error"),
        "{errors:?}"
    );
    let certs = certificate_ids(&report);
    assert!(certs.contains(&"pki/open.pem".to_string()), "{certs:?}");
}

#[test]
fn directories_deeper_than_the_limit_are_not_entered() {
    let t = Tmp::new("depth");
    t.write("a/b/c/shallow.pem", cert_pem());
    t.write("a/b/c/d/e/f/deep.pem", cert_pem());
    let inv = load(
        &t.0,
        Limits {
            max_depth: 4,
            ..Limits::default()
        },
    );
    assert!(inv.certificates.contains_key("a/b/c/shallow.pem"));
    assert!(!inv.certificates.keys().any(|k| k.contains("deep")));
    let d = diag(&inv, "a/b/c/d/e");
    assert_eq!(d.len(), 1, "{:?}", inv.diagnostics);
    assert_eq!(d[0].level, DiagnosticLevel::Error);
    assert!(
        d[0].message.contains("depth limit of 4"),
        "{}",
        d[0].message
    );
    // The default limit reaches both.
    let inv = load(&t.0, Limits::default());
    assert_eq!(inv.certificates.len(), 2);
    // The same bound from the command line.
    let report = scan_json_with_deadline(&mut icvsec_cmd(&t.0, &["--max-depth", "4"]), 60);
    assert_eq!(
        certificate_ids(&report),
        vec!["a/b/c/shallow.pem".to_string()]
    );
    let d = diagnostics_of(&report, "a/b/c/d/e");
    assert_eq!(
        d,
        vec!["error: not scanned: deeper than the depth limit of 4; the files below it cannot be assessed".to_string()]
    );
    // Files the scan did not reach make the assessment incomplete, never complete.
    assert_eq!(report["complete"], false);
    let report = scan_json_with_deadline(&mut icvsec_cmd(&t.0, &[]), 60);
    assert_eq!(certificate_ids(&report).len(), 2);
}

#[test]
fn nothing_found_in_a_build_is_executed() {
    let t = Tmp::new("exec");
    let marker =
        t.0.parent()
            .unwrap()
            .join(format!("icvsec-exec-marker-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let script = format!("#!/bin/sh\ntouch '{}'\n", marker.display());
    // Programs a scanner might be tempted to run (sshd -T, openssl, nginx -T, modinfo, ...)
    // and files that look like inputs but are scripts.
    let planted = [
        "tbox/rootfs/usr/sbin/sshd",
        "tbox/rootfs/usr/bin/openssl",
        "tbox/rootfs/usr/sbin/nginx",
        "tbox/rootfs/usr/bin/getprop",
        "tbox/rootfs/sbin/sysctl",
        "tbox/rootfs/etc/init.d/S99evil",
        "tbox/rootfs/etc/ssh/sshd_config.d/evil.conf",
        "pki/gen.sh",
        "pki/evil.pem",
        "tbox/rootfs/boot/config-6.1.0",
        "ecus/tbox.json",
    ];
    for p in planted {
        t.write(p, &script);
        std::fs::set_permissions(t.path(p), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    t.write(
        "tbox/rootfs/etc/ssh/sshd_config",
        "Include /etc/ssh/sshd_config.d/*.conf\nAuthorizedKeysCommand /usr/bin/openssl\nForceCommand /usr/sbin/sshd\n",
    );
    // Put the planted programs first on PATH too: anything run by name would be ours.
    let path = format!(
        "{}:{}:{}",
        t.path("tbox/rootfs/usr/bin").display(),
        t.path("tbox/rootfs/usr/sbin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let report = scan_json_with_deadline(icvsec_cmd(&t.0, &[]).env("PATH", &path), 60);
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));
    assert!(
        !marker.exists(),
        "a planted program ran during the scan (marker {} exists)",
        marker.display()
    );
    // And the script-as-certificate is reported, not trusted.
    let d = diagnostics_of(&report, "pki/evil.pem");
    assert!(!d.is_empty(), "pki/evil.pem not reported");
    // The generic CLI helper runs with the same guarantees.
    let out = icvsec(&["scan", t.0.to_str().unwrap(), "--as-of", AS_OF]);
    assert!(out.status.code().is_some());
    assert!(!marker.exists());
}
