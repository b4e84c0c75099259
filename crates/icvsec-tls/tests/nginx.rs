//! nginx loader: includes, globs, prefix, root confinement, loops, inheritance, defaults.

mod common;
use common::{tmp_root, write};

use icvsec_tls::nginx::{self, NginxOptions};
use icvsec_tls::policy::{PolicyParams, WeaknessCode};
use icvsec_tls::versions::Version;
use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn includes_inheritance_defaults() {
    let root = tmp_root("nginx");
    write(
        &root,
        "etc/nginx/nginx.conf",
        "events {}\nhttp {\n    ssl_protocols TLSv1 TLSv1.2;\n    ssl_ciphers 'HIGH:!aNULL';\n    include conf.d/*.conf;\n    include /etc/nginx/sites/b.conf;\n}\n",
    );
    write(
        &root,
        "etc/nginx/conf.d/a.conf",
        "server {\n  listen 443 ssl;\n  server_name a.example;\n  ssl_certificate /etc/ssl/a.pem;\n  ssl_certificate_key /etc/ssl/a.key;\n}\n",
    );
    write(
        &root,
        "etc/nginx/conf.d/z.conf",
        "server {\n  listen 80;\n  server_name plain.example;\n  return 301 https://$host$request_uri;\n}\n",
    );
    write(
        &root,
        "etc/nginx/sites/b.conf",
        "server {\n  listen 8443 ssl http2;\n  server_name b.example;\n  ssl_protocols TLSv1.3;\n  ssl_prefer_server_ciphers on;\n  ssl_ecdh_curve secp384r1:X25519;\n}\n",
    );
    let c = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap();
    assert_eq!(c.files.len(), 4);
    assert_eq!(c.servers.len(), 3);
    let a = &c.servers[0];
    assert_eq!(a.server_names[0].value, "a.example");
    assert!(a.tls_enabled);
    assert_eq!(a.tls.protocols.value, vec!["TLSv1", "TLSv1.2"]);
    let at = a.tls.protocols.at.as_ref().unwrap();
    assert_eq!(
        (at.file.as_path(), at.line),
        (Path::new("/etc/nginx/nginx.conf"), 3)
    );
    assert_eq!(a.tls.ciphers.value, "HIGH:!aNULL");
    assert_eq!(a.tls.certificates[0].at.as_ref().unwrap().line, 4);
    assert_eq!(
        a.tls.certificates[0].at.as_ref().unwrap().file,
        PathBuf::from("/etc/nginx/conf.d/a.conf")
    );
    assert!(!a.tls.prefer_server_ciphers.value && a.tls.prefer_server_ciphers.at.is_none());
    assert!(!c.servers[1].tls_enabled && c.servers[1].has_return);
    let b = &c.servers[2];
    assert_eq!(b.tls.versions().0, vec![Version::Tls13]);
    assert!(b.tls.prefer_server_ciphers.value);
    assert_eq!(b.tls.groups(), vec!["secp384r1", "X25519"]);
    let r = nginx::assess_settings(
        &a.tls,
        &root,
        Path::new("/etc/nginx"),
        &PolicyParams::default(),
        &Default::default(),
    );
    assert!(
        r.weaknesses
            .iter()
            .any(|w| w.code == WeaknessCode::ProtocolBelowMin && w.item == "TLSv1")
    );
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn defaults_when_unset() {
    let root = tmp_root("nginx");
    write(
        &root,
        "etc/nginx/nginx.conf",
        "http { server { listen 443 ssl; } }\n",
    );
    let c = nginx::load(
        &root,
        Path::new("etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap();
    let s = &c.servers[0];
    assert_eq!(s.tls.protocols.value, vec!["TLSv1.2", "TLSv1.3"]);
    assert!(s.tls.protocols.at.is_none());
    assert_eq!(s.tls.ciphers.value, "HIGH:!aNULL:!MD5");
    let r = nginx::assess_settings(
        &s.tls,
        &root,
        Path::new("/etc/nginx"),
        &PolicyParams::default(),
        &Default::default(),
    );
    assert!(
        r.weaknesses
            .iter()
            .all(|w| w.code != WeaknessCode::ProtocolBelowMin)
    );
    assert!(
        r.suites.iter().all(|n| !n.starts_with("DHE-")),
        "DHE dropped without ssl_dhparam"
    );
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn errors_name_file_and_line() {
    let root = tmp_root("nginx");
    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n  include missing.conf;\n}\n",
    );
    let e = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        (e.file.as_path(), e.line),
        (Path::new("/etc/nginx/nginx.conf"), 2)
    );
    assert!(e.message.contains("not found"), "{e}");

    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n  include a.conf;\n}\n",
    );
    write(&root, "etc/nginx/a.conf", "\n\ninclude b.conf;\n");
    write(&root, "etc/nginx/b.conf", "include a.conf;\n");
    let e = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("loop"), "{e}");
    assert_eq!(
        (e.file.as_path(), e.line),
        (Path::new("/etc/nginx/b.conf"), 1)
    );

    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n  server {\n    listen 443 ssl\n  }\n",
    );
    let e = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.file, PathBuf::from("/etc/nginx/nginx.conf"));
    assert_eq!(e.line, 4, "{e}");

    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n ssl_protocols TLSv1.2;\n ssl_protocols TLSv1.3;\n}\n",
    );
    let e = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("duplicate"));

    // depth bound: a chain of 20 includes
    for i in 0..20 {
        write(
            &root,
            &format!("etc/nginx/d{i}.conf"),
            &format!("include d{}.conf;\n", i + 1),
        );
    }
    write(&root, "etc/nginx/d20.conf", "\n");
    write(&root, "etc/nginx/nginx.conf", "include d0.conf;\n");
    let e = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("depth"), "{e}");
    fs::remove_dir_all(&root).unwrap();
}

#[cfg(unix)]
#[test]
fn symlinks_stay_in_root() {
    let root = tmp_root("nginx");
    // Absolute symlink target is re-rooted (chroot semantics), not read from the host.
    write(&root, "opt/conf/tls.conf", "ssl_protocols TLSv1.1;\n");
    fs::create_dir_all(root.join("etc/nginx")).unwrap();
    std::os::unix::fs::symlink("/opt/conf/tls.conf", root.join("etc/nginx/tls.conf")).unwrap();
    write(
        &root,
        "etc/nginx/nginx.conf",
        "http { server { listen 443 ssl; include tls.conf; } }\n",
    );
    let c = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap();
    assert_eq!(c.servers[0].tls.protocols.value, vec!["TLSv1.1"]);
    assert_eq!(c.files[1], PathBuf::from("/opt/conf/tls.conf"));
    // A relative symlink climbing above the root is clamped at the root, as the ECU
    // sees it: it names the root's own /etc/passwd (absent here), never the host's.
    std::os::unix::fs::symlink(
        "../../../../../../../../etc/passwd",
        root.join("etc/nginx/evil.conf"),
    )
    .unwrap();
    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n include evil.conf;\n}\n",
    );
    let e = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap_err();
    assert!(e.message.contains("dangles"), "{e}");
    assert_eq!(e.line, 2);
    // '..' in an include path cannot leave the root either.
    write(
        &root,
        "etc/nginx/nginx.conf",
        "include ../../../../x.conf;\n",
    );
    assert!(
        nginx::load(
            &root,
            Path::new("/etc/nginx/nginx.conf"),
            &NginxOptions::default()
        )
        .is_err()
    );
    // A prefix inside the root for relative includes.
    write(
        &root,
        "usr/local/nginx/conf/snip.conf",
        "ssl_ciphers RC4-SHA;\n",
    );
    write(
        &root,
        "usr/local/nginx/conf/nginx.conf",
        "http { server { listen 443 ssl; include snip.conf; } }\n",
    );
    write(&root, "srv/main.conf", "include conf/nginx.conf;\n");
    let o = NginxOptions {
        prefix: Some("/usr/local/nginx".into()),
        ..Default::default()
    };
    let e = nginx::load(&root, Path::new("/srv/main.conf"), &o);
    // conf/nginx.conf includes "snip.conf" relative to the prefix, which is /usr/local/nginx/snip.conf: missing.
    assert!(e.is_err());
    write(&root, "srv/main.conf", "include conf/*.conf;\n");
    write(
        &root,
        "usr/local/nginx/conf/nginx.conf",
        "http { server { listen 443 ssl; include conf/snip.conf; } }\n",
    );
    write(
        &root,
        "usr/local/nginx/conf/snip.conf",
        "ssl_ciphers RC4-SHA;\n",
    );
    let c = nginx::load(&root, Path::new("/srv/main.conf"), &o);
    // glob conf/*.conf also matches snip.conf at top level; fine: nginx would do the same.
    let c = c.unwrap();
    assert!(c.servers.iter().any(|s| s.tls.ciphers.value == "RC4-SHA"));
    fs::remove_dir_all(&root).unwrap();
}

#[test]
fn ssl_conf_command_overrides() {
    let root = tmp_root("nginx");
    write(
        &root,
        "etc/nginx/nginx.conf",
        "http {\n ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n ssl_ciphers ALL;\n ssl_conf_command MinProtocol TLSv1.2;\n ssl_conf_command CipherString ECDHE+AESGCM:!aNULL;\n server { listen 443 ssl; }\n}\n",
    );
    let c = nginx::load(
        &root,
        Path::new("/etc/nginx/nginx.conf"),
        &NginxOptions::default(),
    )
    .unwrap();
    let s = &c.servers[0];
    assert_eq!(s.tls.conf_commands.len(), 2);
    assert_eq!(s.tls.conf_commands[0].at.as_ref().unwrap().line, 4);
    let r = nginx::assess_settings(
        &s.tls,
        &root,
        Path::new("/etc/nginx"),
        &PolicyParams::default(),
        &Default::default(),
    );
    assert_eq!(r.versions, vec![Version::Tls12, Version::Tls13]);
    assert!(
        r.weaknesses
            .iter()
            .all(|w| w.code != WeaknessCode::Anonymous && w.code != WeaknessCode::ProtocolBelowMin),
        "{:?}",
        r.weaknesses
    );
    fs::remove_dir_all(&root).unwrap();
}
