//! Linux and Android root-filesystem checks: every check of
//! [`icvsec_linux::checks::CHECKS`] (sshd, passwd/shadow, kernel config, sysctl, firewall,
//! Android properties), registered with the linux crate's own parameter validation.
//!
//! The asset is a file found in the build (`ctx.asset.id`, build-relative). Its root
//! filesystem was placed and parsed once when the build was loaded
//! (`ctx.inv.linux`, see `icvsec_inputs::linux_roots`): every check here is a pure query of
//! that [`icvsec_linux::root::ParsedRoot`] with parameters typed once per rule
//! ([`icvsec_linux::checks::prepare`]); none opens a file.
//!
//! Outcomes: each linux finding becomes a pass or fail at the file and line that decided
//! it (build-relative; built-in defaults point at the asset file without a line). A
//! [`CheckError`] (parse error, missing include, include loop, unreadable file, bad
//! parameters) becomes an error outcome naming the file and line; never a pass. A check
//! that finds nothing to examine reports not applicable, with the reason.
//!
//! Merged kinds (`sysctl`, `android_props`): the configuration that counts is the merge of
//! several files of one root filesystem (systemd-sysctl order; init's property load order,
//! last assignment wins), and every file of the root is an asset. To report each setting
//! once per root, a finding is attributed to the asset whose file holds the deciding value;
//! findings without a deciding file (a required key set nowhere, a built-in default) go to
//! the root's *primary* file (the first, by path, of the root's files of that kind in a
//! standard location, e.g. `system/build.prop` before `vendor/build.prop`; `etc/sysctl.conf`
//! before `etc/sysctl.d/*`). A file of the root that decides nothing (overridden, masked)
//! reports not applicable naming where the root's results are. An error in the merged
//! configuration is reported once, under the file it names (else the primary); the other
//! files of that root report not applicable pointing at it. A file outside the standard
//! locations is appended last to the merge when it is itself evaluated, and reports only
//! the settings it decides.

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_inputs::Placement;
use icvsec_linux::Finding;
use icvsec_linux::checks::{self as lx, CheckError};
use icvsec_linux::common::fnmatch;
use icvsec_model::{AssetKind, Location};

/// One-line summaries per check name (shown by `icvsec rules explain`).
const SUMMARIES: &[(&str, &str)] = &[
    (
        "linux.sshd.root_login",
        "effective PermitRootLogin (Include/Match, OpenSSH defaults) refuses root",
    ),
    (
        "linux.sshd.password_auth",
        "effective PasswordAuthentication/KbdInteractiveAuthentication are off",
    ),
    (
        "linux.sshd.empty_passwords",
        "effective PermitEmptyPasswords is no",
    ),
    (
        "linux.sshd.max_auth_tries",
        "effective MaxAuthTries is at most `max`",
    ),
    (
        "linux.sshd.user_environment",
        "effective PermitUserEnvironment is no",
    ),
    (
        "linux.sshd.algorithms",
        "effective KexAlgorithms/HostKeyAlgorithms/Ciphers/MACs have no failing algorithm",
    ),
    ("linux.sshd.x11_forwarding", "effective X11Forwarding is no"),
    (
        "linux.sshd.forwarding",
        "effective AllowTcpForwarding is no (or local when allowed) and PermitTunnel is no",
    ),
    ("linux.sshd.gateway_ports", "effective GatewayPorts is no"),
    (
        "linux.passwd.empty_password",
        "no account of passwd (or its shadow entry) has an empty password",
    ),
    ("linux.passwd.uid0", "only root has UID 0"),
    (
        "linux.passwd.service_shell",
        "system accounts have a non-login shell",
    ),
    (
        "linux.shadow.hash_scheme",
        "shadow password hashes use a strong crypt scheme",
    ),
    (
        "linux.kernel.hardening",
        "kernel .config meets the hardening profile (kernel-hardening-checker semantics)",
    ),
    (
        "linux.sysctl.hardening",
        "merged sysctl configuration of the root meets the required values",
    ),
    (
        "linux.firewall.default_deny",
        "iptables/nftables filter chains on the hooks deny by default",
    ),
    (
        "linux.uci.firewall",
        "UCI firewall: deny defaults, external zones drop input/forward, no port forwards or WAN accept rules",
    ),
    (
        "linux.uci.dropbear",
        "UCI dropbear: no password or root password logins, no gateway ports",
    ),
    (
        "linux.uci.remote_command",
        "UCI: no SMS/cloud/TR-069 remote command channel switched on",
    ),
    (
        "linux.console.root_shell",
        "inittab: no console gives a shell without login (OpenWrt ttylogin honoured)",
    ),
    (
        "android.debuggable",
        "merged Android properties: ro.debuggable is 0",
    ),
    (
        "android.secure",
        "merged Android properties: ro.secure is 1",
    ),
    (
        "android.adb_secure",
        "merged Android properties: ro.adb.secure is 1",
    ),
    (
        "android.adb_disabled",
        "merged Android properties do not enable adb (persist/sys usb config, adb over TCP)",
    ),
    (
        "android.selinux_enforcing",
        "merged Android properties do not put SELinux in permissive mode",
    ),
    (
        "android.build_type",
        "merged Android properties: ro.build.type is user",
    ),
    (
        "android.build_identity",
        "merged Android properties: release-keys tags, fingerprints of user release-keys builds",
    ),
    (
        "android.verified_boot",
        "captured boot properties: verified boot green, bootloader and vbmeta locked",
    ),
    (
        "android.security_patch_age",
        "security patch level at most `max_age_months` old on the evaluation date",
    ),
    (
        "android.wifi_wps",
        "no WPS in vendor properties, wpa_supplicant.conf or hostapd.conf",
    ),
    (
        "android.init_debug_services",
        "init .rc files start no telnetd/adbd/su/shell service by themselves",
    ),
];

fn summary(name: &str) -> &'static str {
    SUMMARIES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("Linux/Android root filesystem check (icvsec-linux)", |s| {
            s.1
        })
}

/// Every check of the linux crate, as registered check definitions.
pub fn checks() -> Vec<CheckDef> {
    lx::CHECKS
        .iter()
        .map(|&(name, slug)| {
            let asset: AssetKind = slug.parse().unwrap_or_else(|e| {
                panic!("icvsec-linux check `{name}` names unknown asset kind `{slug}`: {e}")
            });
            CheckDef::typed(
                name,
                asset,
                summary(name),
                move |v| lx::prepare(name, v).map_err(|e| e.to_string()),
                move |ctx, p: &lx::PreparedCheck, sink| run(p, asset, ctx, sink),
            )
        })
        .collect()
}

/// Where the load placed a file asset (computed again only for an asset the load did not
/// place, which the engine never hands over).
fn place(ctx: &Ctx, kind: AssetKind, id: &str) -> Placement {
    ctx.inv.linux.place(kind, id).cloned().unwrap_or_else(|| {
        icvsec_inputs::linux_roots::place(&ctx.inv.files, &ctx.inv.ecus, kind, id)
    })
}

fn standard_location(in_root: &str) -> bool {
    lx::known_locations().any(|loc| {
        let pat: Vec<&str> = loc.split('/').filter(|c| !c.is_empty()).collect();
        let comps: Vec<&str> = in_root.split('/').filter(|c| !c.is_empty()).collect();
        pat.len() == comps.len() && pat.iter().zip(&comps).all(|(p, c)| fnmatch(p, c))
    })
}

fn loc(file: String, line: Option<usize>) -> Location {
    match line.and_then(|l| u32::try_from(l).ok()) {
        Some(l) => Location::at_line(file, l),
        None => Location::file(file),
    }
}

/// Error outcome (file, line, message) for a check that could not run.
fn error_place(err: &CheckError, me: &Placement, asset_file: &str) -> (Location, String) {
    match err {
        CheckError::Parse(p) => {
            let file = me.build_rel(&p.file);
            let at = match p.line {
                Some(l) => format!("{file}:{l}"),
                None => file.clone(),
            };
            (
                loc(file, p.line),
                format!("could not assess: {at}: {}", p.message),
            )
        }
        CheckError::Read { path, message } => {
            let file = me.build_rel(path);
            (
                Location::file(&file),
                format!("could not assess: cannot read {file}: {message}"),
            )
        }
        other => (
            Location::file(asset_file),
            format!("could not assess {asset_file}: {other}"),
        ),
    }
}

fn push_finding(sink: &mut Sink, f: &Finding, me: &Placement, asset_file: &str) {
    let mut at = if f.file.is_empty() {
        Location::file(asset_file)
    } else {
        loc(me.build_rel(&f.file), f.line)
    };
    // The setting is the symbolic place: it keeps fingerprints stable when lines move and
    // tells apart the many findings one file gives (kernel options, sysctl keys).
    if !f.setting.is_empty() {
        at.key_path = Some(f.setting.as_str().into());
    }
    sink.verdict(f.passed, f.message.clone(), at);
}

fn run(check: &lx::PreparedCheck, kind: AssetKind, ctx: &Ctx, sink: &mut Sink) {
    let name = check.name;
    let id = ctx.asset.id.as_str();
    let asset_file = ctx.asset.home.file.clone();
    let me = place(ctx, kind, id);
    let Some(root) = ctx.inv.linux.root(&me.rootfs) else {
        sink.error(
            format!("could not assess {asset_file}: its root filesystem was not read at load"),
            Location::file(&asset_file),
        );
        return;
    };
    // The patch-age check judges against the scan's evaluation date (`--as-of`).
    let result = lx::judge(check, root, &me.path, Some(ctx.as_of));
    if matches!(kind, AssetKind::Sysctl | AssetKind::AndroidProps) {
        return report_merged(ctx, kind, &me, &asset_file, result, sink);
    }
    match result {
        Ok(findings) if findings.is_empty() => {
            sink.not_applicable(format!(
                "{asset_file}: nothing for `{name}` to examine (no entry or setting it checks)"
            ));
        }
        Ok(findings) => {
            for f in &findings {
                push_finding(sink, f, &me, &asset_file);
            }
        }
        Err(e) => {
            let (at, msg) = error_place(&e, &me, &asset_file);
            sink.error(msg, at);
        }
    }
}

/// Attribution for kinds whose configuration is merged per root (see the module docs).
/// The root-cause key of a failing platform security patch level: the ECU whose root
/// filesystem holds the properties (ICV-VUL-003 judges the same level per ECU).
fn android_fact(ctx: &Ctx, me: &Placement, f: &Finding) -> Option<String> {
    if f.passed
        || f.check != "android.security_patch_age"
        || f.setting != "ro.build.version.security_patch"
    {
        return None;
    }
    let ecu = ctx.inv.ecus.iter().find_map(|(id, e)| {
        let r = e.entry.rootfs.as_deref()?.trim_matches('/');
        (r == me.rootfs).then_some(id)
    })?;
    Some(icvsec_model::report::root_cause_key(
        AssetKind::Ecu,
        ecu,
        ANDROID_SPL_STALE,
    ))
}

/// The fact kind of an Android security patch level older than allowed.
pub(crate) const ANDROID_SPL_STALE: &str = "android-security-patch-stale";

fn report_merged(
    ctx: &Ctx,
    kind: AssetKind,
    me: &Placement,
    asset_file: &str,
    result: Result<Vec<Finding>, CheckError>,
    sink: &mut Sink,
) {
    // The files of this kind in the same root filesystem, as (build-relative id, in-root
    // path), sorted by id: placed once at load, not searched for in every file per asset.
    let siblings: Vec<(String, String)> = ctx
        .inv
        .linux
        .in_root(kind, &me.rootfs)
        .map(|(id, path)| (id.to_string(), path.to_string()))
        .collect();
    let id = ctx.asset.id.as_str();
    let primary = siblings
        .iter()
        .find(|(_, p)| standard_location(p))
        .or_else(|| siblings.first())
        .map_or(id, |(sid, _)| sid.as_str())
        .to_string();
    // Owner of an in-root file: the sibling holding it, else the primary file.
    let owner = |in_root: &str| -> String {
        if in_root.is_empty() {
            return primary.clone();
        }
        let rel = me.build_rel(in_root);
        siblings
            .iter()
            .find(|(sid, _)| *sid == rel)
            .map_or_else(|| primary.clone(), |(sid, _)| sid.clone())
    };
    let root_label = if me.rootfs.is_empty() {
        "the build root".to_string()
    } else {
        format!("root filesystem {}", me.rootfs)
    };
    match result {
        Ok(findings) => {
            let mut elsewhere: Vec<String> = Vec::new();
            let mut mine = 0usize;
            for f in &findings {
                let o = owner(&f.file);
                if o == id {
                    push_finding(sink, f, me, asset_file);
                    if let Some(key) = android_fact(ctx, me, f)
                        && let Some(e) = sink.evals.last_mut()
                    {
                        e.fact(key);
                    }
                    mine += 1;
                } else if !elsewhere.contains(&o) {
                    elsewhere.push(o);
                }
            }
            if mine == 0 {
                elsewhere.sort();
                let why = if findings.is_empty() {
                    format!(
                        "{asset_file}: nothing to examine in the merged configuration of {root_label}"
                    )
                } else {
                    format!(
                        "{asset_file} decides none of the settings this rule examines (set elsewhere, overridden or masked); the merged configuration of {root_label} is reported under {}",
                        elsewhere.join(", ")
                    )
                };
                sink.not_applicable(why);
            }
        }
        Err(e) => {
            let o = match &e {
                CheckError::Parse(p) => owner(&p.file),
                CheckError::Read { path, .. } => owner(path),
                _ => id.to_string(),
            };
            if o == id {
                let (at, msg) = error_place(&e, me, asset_file);
                sink.error(msg, at);
            } else {
                sink.not_applicable(format!(
                    "the merged configuration of {root_label} could not be assessed; the error is reported under {o}"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_linux_check_registers_with_a_summary_and_known_asset() {
        let defs = checks();
        assert_eq!(defs.len(), lx::CHECKS.len());
        for (name, slug) in lx::CHECKS {
            let d = defs.iter().find(|d| d.name == *name).expect("registered");
            assert_eq!(d.asset.slug(), *slug);
            assert!(SUMMARIES.iter().any(|(n, _)| n == name), "{name}: summary");
        }
        for (n, _) in SUMMARIES {
            assert!(lx::CHECKS.iter().any(|(c, _)| c == n), "{n}: stale summary");
        }
    }

    #[test]
    fn params_are_validated_by_the_linux_crate() {
        let defs = checks();
        let get = |n: &str| defs.iter().find(|d| d.name == n).unwrap();
        assert!(
            get("linux.sshd.max_auth_tries")
                .prepare(&serde_json::json!({"max": 3}))
                .is_ok()
        );
        let e = get("linux.sshd.password_auth")
            .prepare(&serde_json::json!({"max": 3}))
            .expect_err("unknown parameter refused");
        assert!(e.contains("max"), "{e}");
        assert!(
            get("linux.kernel.hardening")
                .prepare(&serde_json::json!({}))
                .is_err()
        );
    }

    #[test]
    fn standard_locations() {
        assert!(standard_location("/system/build.prop"));
        assert!(standard_location("/etc/sysctl.d/90-x.conf"));
        assert!(!standard_location("/opt/x/build.prop"));
    }
}
