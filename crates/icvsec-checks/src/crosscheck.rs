//! A declaration never beats an artifact: where an ECU's configuration and the files of
//! its own root filesystem speak about the same thing, both are judged, and a
//! disagreement is a failing finding that names both places (the declaration as the
//! finding's place, the file as a related place).
//!
//! - `ecu.crosscheck.android_build`: `secure_boot.test_keys` and the declared debug
//!   posture against the build properties (`ro.build.tags`/fingerprint with test-keys or
//!   dev-keys; `ro.build.type`, the fingerprint's type, `ro.debuggable`, `ro.secure`,
//!   `ro.adb.secure`).
//! - `ecu.crosscheck.listeners`: what the root filesystem would start listening (sshd,
//!   dropbear, telnetd, inetd, nginx, lighttpd, uhttpd, systemd sockets, init scripts, adb
//!   over TCP) against the declared `services`: an undeclared listener fails.
//! - `ecu.crosscheck.os`: the declared `os` against `/etc/os-release` and Android props.
//!
//! The root filesystem was parsed once when the build was loaded (`ctx.inv.linux`, see
//! `icvsec_inputs::linux_roots`): its merged Android properties, listener inventory and
//! versions are queried here (nginx aside, read by the TLS family).

use crate::api::{CheckDef, Ctx, Sink};
use icvsec_linux::listeners::Bind;
use icvsec_linux::root::RootFacts;
use icvsec_model::input::ecu::EcuConfig;
use icvsec_model::{AssetKind, Location};
use serde_json::Value;

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            "ecu.crosscheck.android_build",
            AssetKind::Ecu,
            "The declared test-key and debug posture agrees with the Android build properties of the ECU's root filesystem.",
            android_build,
        ),
        CheckDef::new(
            "ecu.crosscheck.listeners",
            AssetKind::Ecu,
            "Every listener the ECU's root filesystem would start is declared in `services`.",
            listeners,
        ),
        CheckDef::new(
            "ecu.crosscheck.os",
            AssetKind::Ecu,
            "The declared operating system agrees with the ECU's root filesystem.",
            os,
        ),
    ]
}

/// The ECU's config, its file, the facts of its root filesystem (parsed at load) and the
/// root as a build path; None (with n/a or an error said) when either is absent.
fn prologue<'a>(
    ctx: &'a Ctx,
    sink: &mut Sink,
) -> Option<(&'a EcuConfig, &'a str, &'a RootFacts, &'a str)> {
    let ecu = ctx.inv.ecus.get(ctx.asset.id.as_str())?;
    let Some(rootfs) = ecu.entry.rootfs.as_deref() else {
        sink.not_applicable(format!(
            "ECU `{}` declares no root filesystem: nothing to cross-check",
            ctx.asset.id
        ));
        return None;
    };
    let Some(doc) = &ecu.config else {
        sink.not_applicable(format!(
            "ECU `{}` has no configuration file to cross-check (judged by the rules that need it)",
            ctx.asset.id
        ));
        return None;
    };
    let Some(facts) = ctx
        .inv
        .linux
        .ecu_root(rootfs)
        .and_then(|r| r.facts.as_ref())
    else {
        sink.error(
            format!("could not assess: the root filesystem {rootfs} was not read at load"),
            Location::file(rootfs),
        );
        return None;
    };
    Some((&doc.doc, doc.file.as_str(), facts, rootfs))
}

fn in_root(rootfs: &str, file: &str) -> String {
    format!(
        "{}/{}",
        rootfs.trim_end_matches('/'),
        file.trim_start_matches('/')
    )
}

fn prop_loc(rootfs: &str, v: &icvsec_linux::android::PropValue) -> Location {
    Location::at_line(in_root(rootfs, &v.file), v.line as u32)
}

// ---------------------------------------------------------------- Android build

/// Properties that name the signing keys of a partition's build.
const SIGNING_PROPS: &[&str] = &[
    "ro.build.tags",
    "ro.system.build.tags",
    "ro.vendor.build.tags",
    "ro.product.build.tags",
    "ro.odm.build.tags",
    "ro.build.fingerprint",
    "ro.system.build.fingerprint",
    "ro.vendor.build.fingerprint",
    "ro.product.build.fingerprint",
    "ro.odm.build.fingerprint",
];

fn android_build(ctx: &Ctx, _params: &Value, sink: &mut Sink) {
    let Some((cfg, file, facts, rootfs)) = prologue(ctx, sink) else {
        return;
    };
    let props = match &facts.android_props {
        Ok(p) => p,
        Err(e) => {
            sink.error(
                format!("could not assess: cannot read the Android build properties: {e}"),
                Location::file(rootfs),
            );
            return;
        }
    };
    if props.props.is_empty() {
        sink.not_applicable(format!(
            "no Android build properties in {rootfs}: nothing to cross-check"
        ));
        return;
    }
    let first =
        |keys: &[&'static str]| -> Option<(&'static str, &icvsec_linux::android::PropValue)> {
            keys.iter().find_map(|k| props.get(k).map(|v| (*k, v)))
        };
    // Signing keys: test-keys/dev-keys are public AOSP keys.
    let tags = first(&[
        "ro.build.tags",
        "ro.system.build.tags",
        "ro.vendor.build.tags",
    ]);
    let fp = first(&[
        "ro.build.fingerprint",
        "ro.system.build.fingerprint",
        "ro.vendor.build.fingerprint",
    ]);
    // Any partition's tags or fingerprint (system, vendor, product, odm) counts.
    let test_signed = SIGNING_PROPS
        .iter()
        .filter_map(|k| props.get(k).map(|v| (*k, v)))
        .find(|(_, v)| v.value.contains("test-keys") || v.value.contains("dev-keys"));
    let declared_at = |key: &str| Location::at_key(file, key);
    match (
        cfg.secure_boot.as_ref().and_then(|s| s.test_keys),
        test_signed,
    ) {
        (Some(false), Some((k, v))) => {
            sink.fail(
                format!(
                    "declared `secure_boot.test_keys: false`, but {} says {k}={} (signed with public AOSP test keys)",
                    in_root(rootfs, &v.file),
                    v.value
                ),
                declared_at("secure_boot.test_keys"),
            )
            .related(prop_loc(rootfs, v));
        }
        (None, Some((k, v))) => {
            sink.fail(
                format!(
                    "`secure_boot.test_keys` is not declared, and {} says {k}={}",
                    in_root(rootfs, &v.file),
                    v.value
                ),
                declared_at("secure_boot"),
            )
            .related(prop_loc(rootfs, v));
        }
        (Some(true), Some(_)) => {
            sink.pass(
                "the declaration and the build properties agree: test keys (judged by the signing rules)",
                declared_at("secure_boot.test_keys"),
            );
        }
        (_, None) => {
            let what = [tags, fp]
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", v.value))
                .collect::<Vec<_>>()
                .join(", ");
            sink.pass(
                if what.is_empty() {
                    "no build tags or fingerprint name test keys".to_string()
                } else {
                    format!("build properties name release keys ({what}), as declared")
                },
                declared_at("secure_boot"),
            );
        }
    }
    // Debug posture: a debuggable or insecure build against a declared locked-down debug.
    let build_type = first(&[
        "ro.build.type",
        "ro.system.build.type",
        "ro.vendor.build.type",
    ])
    .map(|(k, v)| (k.to_string(), v.value.clone(), v))
    .or_else(|| {
        // The fingerprint's last segment is `type/tags`.
        fp.and_then(|(k, v)| {
            let ty = v.value.rsplit('/').nth(1)?.rsplit(':').next()?.to_string();
            Some((k.to_string(), ty, v))
        })
    });
    let mut insecure: Vec<(String, &icvsec_linux::android::PropValue)> = Vec::new();
    if let Some((k, ty, v)) = &build_type
        && ty != "user"
    {
        insecure.push((format!("{k}={ty}"), *v));
    }
    for (key, bad) in [
        ("ro.debuggable", "1"),
        ("ro.secure", "0"),
        ("ro.adb.secure", "0"),
    ] {
        if let Some(v) = props.get(key)
            && v.value.trim() == bad
        {
            insecure.push((format!("{key}={bad}"), v));
        }
    }
    let Some(debug) = cfg.debug.as_ref() else {
        if let Some((what, v)) = insecure.first() {
            sink.fail(
                format!(
                    "no `debug` section is declared, and {} says {what}",
                    in_root(rootfs, &v.file)
                ),
                Location::file(file),
            )
            .related(prop_loc(rootfs, v));
        }
        return;
    };
    let locked = debug.root_shell_on_console == Some(false);
    match insecure.first() {
        Some((what, v)) if locked => {
            let all: Vec<&str> = insecure.iter().map(|(w, _)| w.as_str()).collect();
            sink.fail(
                format!(
                    "declared debug access locked (`debug.root_shell_on_console: false`), but the build is a debug build: {} ({})",
                    all.join(", "),
                    in_root(rootfs, &v.file)
                ),
                declared_at("debug"),
            )
            .related(prop_loc(rootfs, v));
            let _ = what;
        }
        Some(_) => {
            sink.pass(
                "the build is a debug build and the declaration does not claim otherwise (judged by the Android rules)",
                declared_at("debug"),
            );
        }
        None => {
            sink.pass(
                "user build, debugging off, as the declared debug posture says",
                declared_at("debug"),
            );
        }
    }
}

// ---------------------------------------------------------------- listeners

fn listeners(ctx: &Ctx, _params: &Value, sink: &mut Sink) {
    let Some((cfg, file, facts, rootfs)) = prologue(ctx, sink) else {
        return;
    };
    let mut inv = facts.listeners.clone();
    nginx_listeners(ctx, rootfs, &mut inv);
    for e in &inv.errors {
        sink.error(
            format!("could not assess the listeners: {e}"),
            Location::file(in_root(rootfs, &e.file)),
        );
    }
    let declared: Vec<String> = cfg
        .services
        .iter()
        .map(|s| format!("{}/{}", s.protocol, s.port))
        .collect();
    let declared_list = if declared.is_empty() {
        "no services".to_string()
    } else {
        format!("services on {}", declared.join(", "))
    };
    let mut judged = 0usize;
    for l in &inv.listeners {
        // USB-only adbd and loopback-only listeners are not network listeners.
        if l.proto == "usb" || matches!(l.bind, Bind::Loopback) {
            continue;
        }
        judged += 1;
        let proto = l.proto.trim_end_matches('6').to_ascii_lowercase();
        let at = Location::at_line(in_root(rootfs, &l.source.file), l.source.line.max(1) as u32);
        let Some(port) = l.port else {
            sink.fail(
                format!(
                    "{} listens ({}:{}) on a port icvsec cannot read; {file} declares {declared_list}",
                    l.daemon, l.source.file, l.source.line
                ),
                Location::at_key(file, "services"),
            )
            .related(at);
            continue;
        };
        let key = format!("{proto}/{port}");
        if declared.contains(&key) {
            sink.pass(
                format!("{} on {key} is declared", l.daemon),
                Location::at_key(file, "services"),
            )
            .related(at);
        } else {
            sink.fail(
                format!(
                    "undeclared listener: {} on {key}{} ({}:{}); {file} declares {declared_list}",
                    l.daemon,
                    if l.tls { " (TLS)" } else { " (plain)" },
                    in_root(rootfs, &l.source.file),
                    l.source.line
                ),
                Location::at_key(file, "services"),
            )
            .related(at);
        }
    }
    if judged == 0 && inv.errors.is_empty() {
        sink.pass(
            format!(
                "the root filesystem starts no network listener icvsec recognises ({} files read); {file} declares {declared_list}",
                inv.files.len()
            ),
            Location::at_key(file, "services"),
        );
    }
}

/// nginx `listen` directives (the listener inventory of icvsec-linux covers the other
/// daemons): the root filesystem's `/etc/nginx/nginx.conf`, read at load by icvsec-tls
/// through the build's tree (`Inventory::tls_configs`).
fn nginx_listeners(ctx: &Ctx, rootfs: &str, inv: &mut icvsec_linux::listeners::ListenerInventory) {
    let sys = std::path::Path::new("/etc/nginx/nginx.conf");
    let Some(loaded) = ctx
        .inv
        .tls_configs
        .nginx_by_rootfs
        .get(rootfs.trim_end_matches('/'))
    else {
        return;
    };
    let cfg = match loaded.as_ref() {
        Ok(c) => &c.config,
        Err(e) => {
            inv.errors.push(icvsec_linux::ParseError::new(
                &e.file.display().to_string(),
                Some(e.line as usize),
                e.message.clone(),
            ));
            return;
        }
    };
    inv.files.push(sys.display().to_string());
    for server in &cfg.servers {
        let listens: Vec<(String, bool, String, usize)> = if server.listens.is_empty() {
            // No listen directive: nginx listens on *:80.
            vec![(
                "80".into(),
                false,
                server.at.file.display().to_string(),
                server.at.line as usize,
            )]
        } else {
            server
                .listens
                .iter()
                .map(|l| {
                    let at = l.at.as_ref();
                    (
                        l.value.address.clone(),
                        l.value.ssl,
                        at.map(|a| a.file.display().to_string()).unwrap_or_default(),
                        at.map_or(0, |a| a.line as usize),
                    )
                })
                .collect()
        };
        for (address, ssl, file, line) in listens {
            if address.starts_with("unix:") {
                continue;
            }
            let (host_part, port) = match address.rsplit_once(':') {
                Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => {
                    (h.to_string(), p.parse().ok())
                }
                _ if address.chars().all(|c| c.is_ascii_digit()) => {
                    (String::new(), address.parse().ok())
                }
                _ => (address.clone(), Some(80)),
            };
            let h = host_part.trim_matches(|c| c == '[' || c == ']');
            let bind = if h.starts_with("127.") || h == "::1" || h == "localhost" {
                Bind::Loopback
            } else if h.is_empty() || h == "*" || h == "0.0.0.0" || h == "::" {
                Bind::All
            } else {
                Bind::Address(h.to_string())
            };
            inv.listeners.push(icvsec_linux::listeners::Listener {
                daemon: "nginx".into(),
                port,
                proto: "tcp".into(),
                bind,
                tls: ssl,
                source: icvsec_linux::listeners::Source { file, line },
                shell_without_login: false,
            });
        }
    }
}

// ---------------------------------------------------------------- operating system

fn os(ctx: &Ctx, _params: &Value, sink: &mut Sink) {
    let Some((cfg, file, facts, rootfs)) = prologue(ctx, sink) else {
        return;
    };
    let Some(declared) = cfg.os.map(|o| o.as_str()) else {
        sink.fail(
            "the operating system (`os`) is not declared",
            Location::file(file),
        );
        return;
    };
    let v = &facts.versions;
    let android = v.android_release.is_some()
        || facts
            .android_props
            .as_ref()
            .is_ok_and(|p| !p.props.is_empty());
    let os_release = v.os.as_ref();
    let found = if android {
        "android"
    } else if os_release.is_some() || v.kernel.is_some() {
        "linux"
    } else {
        sink.not_applicable(format!(
            "{rootfs} shows no os-release, kernel version or Android properties to compare with"
        ));
        return;
    };
    let d = declared.to_ascii_lowercase();
    let agrees = if found == "android" {
        d.contains("android")
    } else {
        !d.contains("android")
            && (d.contains("linux")
                || os_release
                    .and_then(|o| o.id.as_deref())
                    .is_some_and(|id| d.contains(&id.to_ascii_lowercase())))
    };
    let evidence = match (found, os_release, &v.kernel) {
        ("android", _, _) => "Android build properties".to_string(),
        (_, Some(o), _) => format!(
            "{} ID={} VERSION_ID={}",
            o.file,
            o.id.clone().unwrap_or_default(),
            o.version_id.clone().unwrap_or_default()
        ),
        (_, None, Some(k)) => format!("kernel {}", k.version),
        _ => "the root filesystem".to_string(),
    };
    if agrees {
        sink.pass(
            format!("declared os `{declared}` agrees with {rootfs}: {evidence}"),
            Location::at_key(file, "os"),
        );
    } else {
        sink.fail(
            format!("declared os `{declared}`, but {rootfs} is {found} ({evidence})"),
            Location::at_key(file, "os"),
        )
        .related(Location::file(rootfs));
    }
}
