//! Compare our effective sshd configuration with `sshd -T` (OpenSSH's own evaluation).
//! Skips with a note when sshd or ssh-keygen is absent, or when sshd cannot run in this
//! environment (e.g. missing privilege separation directory /run/sshd).

use icvsec_linux::DirRoot;
use icvsec_linux::sshd::{ConnectionInfo, EffectiveConfig, KEYWORDS, parse_sshd_config};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn find_bin(name: &str) -> Option<PathBuf> {
    for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin"] {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return Some(p);
        }
    }
    None
}

struct Env {
    sshd: PathBuf,
    dir: PathBuf,
    hostkey: PathBuf,
}

fn setup() -> Option<Env> {
    let Some(sshd) = find_bin("sshd") else {
        eprintln!(
            "SKIPPED: sshd -T comparison: sshd not installed (apt-get install openssh-server)"
        );
        return None;
    };
    let Some(keygen) = find_bin("ssh-keygen") else {
        eprintln!("SKIPPED: sshd -T comparison: ssh-keygen not installed");
        return None;
    };
    let dir = std::env::temp_dir().join(format!("icvsec-linux-sshdT-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let hostkey = dir.join("hostkey");
    let st = Command::new(keygen)
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&hostkey)
        .status()
        .unwrap();
    assert!(st.success());
    Some(Env { sshd, dir, hostkey })
}

/// Run sshd -T; returns keyword -> values (one entry per output line).
fn sshd_t(
    env: &Env,
    cfg: &Path,
    conn: Option<&str>,
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut cmd = Command::new(&env.sshd);
    cmd.arg("-T").arg("-f").arg(cfg);
    cmd.arg("-o")
        .arg(format!("HostKey={}", env.hostkey.display()));
    if let Some(c) = conn {
        cmd.arg("-C").arg(c);
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).to_string());
    }
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some((k, v)) = line.split_once(' ') {
            m.entry(k.to_string()).or_default().push(v.to_string());
        }
    }
    Ok(m)
}

fn ours(eff: &EffectiveConfig, kw: &str) -> Option<String> {
    let v = eff.get(kw)?;
    let s = match kw {
        "kexalgorithms"
        | "ciphers"
        | "macs"
        | "hostkeyalgorithms"
        | "pubkeyacceptedalgorithms"
        | "casignaturealgorithms"
        | "hostbasedacceptedalgorithms" => v.values.join(","),
        _ => v.values.join(" "),
    };
    Some(s)
}

fn theirs(t: &BTreeMap<String, Vec<String>>, kw: &str) -> Option<String> {
    let v = t.get(kw)?;
    let s = v.join(" ");
    // sshd -T prints PERMIT_NO_PASSWD under its legacy name.
    Some(if kw == "permitrootlogin" && s == "without-password" {
        "prohibit-password".to_string()
    } else {
        s
    })
}

/// Compare every modelled keyword (except those tied to the host: hostkey, listenaddress).
fn compare(
    label: &str,
    eff: &EffectiveConfig,
    t: &BTreeMap<String, Vec<String>>,
) -> (usize, usize, Vec<String>) {
    let mut matched = 0;
    let mut compared = 0;
    let mut diffs = Vec::new();
    for kw in KEYWORDS {
        if matches!(*kw, "hostkey" | "listenaddress") {
            continue;
        }
        let a = ours(eff, kw);
        let b = theirs(t, kw);
        if a.is_none() && b.is_none() {
            continue;
        }
        compared += 1;
        if a == b {
            matched += 1;
        } else {
            diffs.push(format!("{label}: {kw}: ours={a:?} sshd -T={b:?}"));
        }
    }
    (matched, compared, diffs)
}

const CASES: &[(&str, &str)] = &[
    ("defaults", ""),
    (
        "hardened",
        "# hardened ECU\nPort 2222\nPermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitEmptyPasswords no\nMaxAuthTries 3\nMaxSessions 2\nLoginGraceTime 30s\nClientAliveInterval 5m\nClientAliveCountMax 2\nX11Forwarding no\nAllowTcpForwarding no\nAllowAgentForwarding no\nPermitUserEnvironment no\nLogLevel VERBOSE\nKexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256\nHostKeyAlgorithms ssh-ed25519,rsa-sha2-512\nCiphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com\nMACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com\nAllowUsers diag service\nBanner /etc/issue.net\n",
    ),
    (
        "weak",
        "PermitRootLogin yes\npermitrootlogin no\nPasswordAuthentication=yes\nPermitEmptyPasswords yes\nMaxAuthTries 10\nPermitUserEnvironment yes\nCiphers +3des-cbc,aes128-cbc\nMACs ^hmac-md5,hmac-sha1-96\nKexAlgorithms +diffie-hellman-group1-sha1,diffie-hellman-group-exchange-sha1\nHostKeyAlgorithms +ssh-rsa,ssh-dss\nUseDNS yes\nCompression delayed\nGatewayPorts clientspecified\nPermitTunnel yes\nChallengeResponseAuthentication yes\nAcceptEnv LANG LC_*\nAcceptEnv TZ\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
    ),
    (
        "modifiers",
        "KexAlgorithms -*sha1*,ecdh-sha2-*\nCiphers -aes*-cbc,3des*\nMACs -umac*,hmac-sha1*\nHostKeyAlgorithms ssh-ed25519*,rsa-sha2-*\nPubkeyAcceptedKeyTypes ^ssh-rsa\nCASignatureAlgorithms -ecdsa*\nLoginGraceTime 1m30s\n\"PermitRootLogin\" \"prohibit-password\"\n",
    ),
];

#[test]
fn sshd_t_agreement() {
    let Some(env) = setup() else { return };
    let root = DirRoot::new("/");
    let mut total_m = 0;
    let mut total_c = 0;
    let mut all_diffs = Vec::new();
    let mut run =
        |label: &str, path: &Path, text: &str, conn: Option<(&str, ConnectionInfo)>| -> bool {
            let t = match sshd_t(&env, path, conn.as_ref().map(|c| c.0)) {
                Ok(t) => t,
                Err(e) if e.contains("privilege separation") => {
                    eprintln!(
                        "SKIPPED: sshd -T comparison: sshd -T cannot run here ({})",
                        e.trim()
                    );
                    return false;
                }
                Err(e) => panic!("{label}: sshd -T failed: {e}"),
            };
            let cfg = parse_sshd_config(&path.display().to_string(), text.as_bytes(), &root)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            let eff = match &conn {
                Some((_, ci)) => cfg.effective_for(ci),
                None => cfg.effective(),
            };
            let (m, c, d) = compare(label, &eff, &t);
            println!("sshd -T {label}: {m}/{c}");
            total_m += m;
            total_c += c;
            all_diffs.extend(d);
            true
        };
    for (label, text) in CASES {
        let p = env.dir.join(format!("{label}.conf"));
        std::fs::write(&p, text).unwrap();
        if !run(label, &p, text, None) {
            return;
        }
    }
    // Include (glob + literal, with a Match in an included file) and Match evaluation.
    let inc = env.dir.join("conf.d");
    std::fs::create_dir_all(&inc).unwrap();
    std::fs::write(
        inc.join("10-first.conf"),
        "PermitRootLogin no\nMaxAuthTries 2\n",
    )
    .unwrap();
    std::fs::write(
        inc.join("20-second.conf"),
        "PermitRootLogin yes\nMatch User bob\n  X11Forwarding yes\n",
    )
    .unwrap();
    std::fs::write(inc.join("ignored.txt"), "PermitRootLogin yes\n").unwrap();
    std::fs::write(env.dir.join("extra.conf"), "Ciphers aes256-ctr\n").unwrap();
    std::fs::write(
        env.dir.join("in-match.conf"),
        "MaxSessions 1\nAllowAgentForwarding no\n",
    )
    .unwrap();
    let text = format!(
        "Include {}/*.conf\nInclude {}\nPasswordAuthentication yes\nMatch User bob Address 10.0.0.0/8\n  PasswordAuthentication no\n  PermitRootLogin prohibit-password\n  MaxAuthTries 5\nMatch Host *.example,!bad.example\n  AllowTcpForwarding no\n  PasswordAuthentication yes\nMatch all\n  PermitTTY no\nMatch Address 10.0.0.0/8\n  Include {}\n  X11Forwarding yes\n",
        inc.display(),
        env.dir.join("extra.conf").display(),
        env.dir.join("in-match.conf").display()
    );
    let p = env.dir.join("include-match.conf");
    std::fs::write(&p, &text).unwrap();
    run("include+match (global)", &p, &text, None);
    let bob = ConnectionInfo {
        user: Some("bob".into()),
        host: Some("ecu.example".into()),
        addr: Some("10.1.2.3".into()),
        ..Default::default()
    };
    run(
        "include+match (bob)",
        &p,
        &text,
        Some(("user=bob,host=ecu.example,addr=10.1.2.3", bob)),
    );
    let eve = ConnectionInfo {
        user: Some("eve".into()),
        host: Some("bad.example".into()),
        addr: Some("192.0.2.1".into()),
        ..Default::default()
    };
    run(
        "include+match (eve)",
        &p,
        &text,
        Some(("user=eve,host=bad.example,addr=192.0.2.1", eve)),
    );
    // The distribution's own sshd_config, when present (read through the root like any file).
    if let Ok(text) = std::fs::read_to_string("/etc/ssh/sshd_config") {
        run(
            "distribution /etc/ssh/sshd_config",
            Path::new("/etc/ssh/sshd_config"),
            &text,
            None,
        );
    }
    let _ = std::fs::remove_dir_all(&env.dir);
    println!("sshd -T agreement: {total_m}/{total_c}");
    for d in &all_diffs {
        println!("  DISAGREE {d}");
    }
    assert!(total_c > 100, "too few settings compared: {total_c}");
    assert!(
        total_m * 100 >= total_c * 95,
        "agreement below floor: {total_m}/{total_c}"
    );
}
