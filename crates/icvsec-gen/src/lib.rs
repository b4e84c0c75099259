//! Synthetic vehicle builds for scale tests and benchmarks.
//!
//! [`generate`] writes a schema-valid build (vehicle.json, ECU configs, a data-flow
//! manifest, certificates in chains with their keys, Linux and Android root
//! filesystems, and unrelated files the scanner must walk but not parse). The output
//! is byte-identical for the same [`Params`]: every random choice comes from a seeded
//! generator derived per item, certificates are signed with deterministic schemes only
//! (Ed25519, RSA PKCS#1 v1.5), and keys are either fixed (RSA, ECDSA: `data/`) or
//! derived from the seed (Ed25519).
//!
//! Defects are spread on purpose (weak keys, expired certificates, open debug ports,
//! root login over SSH, debuggable Android builds, ...) so that every check family has
//! work to do.

use icvsec_model::input::dataflow::DataFlowManifest;
use icvsec_model::input::ecu::EcuConfig;
use icvsec_model::input::vehicle::VehicleManifest;
use rayon::prelude::*;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use serde_json::{Value, json};
use std::io;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Params {
    pub ecus: usize,
    pub certs: usize,
    pub flows: usize,
    pub other_files: usize,
    pub seed: u64,
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub files: usize,
    pub bytes: u64,
    pub certificates: usize,
    pub key_files: usize,
    pub linux_rootfs: usize,
    pub android_rootfs: usize,
    pub flows: usize,
    pub other_files: usize,
}

/// SplitMix64: small, fast, and good enough for test data.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    /// An independent generator for item `index` of `stream`, so items can be made in
    /// parallel and still come out the same.
    pub fn derive(seed: u64, stream: u64, index: u64) -> Self {
        let mut r = Rng::new(
            seed.wrapping_mul(0x100_0000_01B3)
                ^ stream.wrapping_mul(0xA24B_AED4_963E_E407)
                ^ index.wrapping_mul(0x9FB2_1C65_1E98_DF25),
        );
        r.next_u64();
        r
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..hi` (hi exclusive, hi > lo).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo)
    }
    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.range(0, 100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64) as usize]
    }
    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

const RSA3072: &str = include_str!("../data/rsa3072.pem");
const RSA2048: &str = include_str!("../data/rsa2048.pem");
const RSA1024: &str = include_str!("../data/rsa1024.pem");
const P256_A: &str = include_str!("../data/p256-a.pem");
const P256_B: &str = include_str!("../data/p256-b.pem");
const P384: &str = include_str!("../data/p384.pem");
const RSA1024_PUBLIC: &[u8] = include_bytes!("../data/rsa1024.pub.der");

fn rsa(pem: &str) -> KeyPair {
    KeyPair::from_pkcs8_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256).expect("embedded RSA key")
}

/// An Ed25519 key derived from the seed (PKCS#8 v1 around a 32-byte seed).
fn ed25519(seed: u64, n: u64) -> KeyPair {
    let mut rng = Rng::derive(seed, 0xED25519, n);
    let mut raw = [0u8; 32];
    rng.fill(&mut raw);
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&raw);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        base64(&der)
    );
    KeyPair::from_pem(&pem).expect("Ed25519 key from seed")
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let b = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

const ROLES: &[&str] = &[
    "tbox",
    "ivi",
    "adas",
    "bms",
    "body",
    "powertrain",
    "chassis",
    "vcu",
    "domain_controller",
    "sensor",
    "other",
    "gateway",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Os {
    None,
    Linux,
    Android,
}

#[derive(Clone, Debug)]
struct Ecu {
    id: String,
    role: &'static str,
    os: Os,
    safety: bool,
    /// Leaf certificate used as identity (path) and the pool key it holds.
    identity: Option<(String, usize)>,
}

impl Ecu {
    fn rootfs(&self) -> Option<String> {
        (self.os != Os::None).then(|| format!("{}/rootfs", self.id))
    }
}

fn plan_ecus(p: &Params) -> Vec<Ecu> {
    (0..p.ecus)
        .map(|i| {
            let mut rng = Rng::derive(p.seed, 1, i as u64);
            let role = if i == 0 {
                "gateway"
            } else {
                ROLES[(i - 1) % ROLES.len()]
            };
            let os = match role {
                "tbox" => Os::Linux,
                "ivi" => Os::Android,
                "domain_controller" | "adas" if rng.chance(50) => Os::Linux,
                _ => Os::None,
            };
            let safety = matches!(role, "adas" | "bms" | "powertrain" | "chassis" | "vcu");
            Ecu {
                id: if i == 0 {
                    "cgw".to_string()
                } else {
                    format!("ecu-{i:04}-{}", role.replace('_', "-"))
                },
                role,
                os,
                safety,
                identity: None,
            }
        })
        .collect()
}

/// The certificate authorities: index into the CA list.
struct Ca {
    file: &'static str,
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

fn ca_params(cn: &str, serial: u64, path_len: Option<u8>) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name
        .push(DnType::OrganizationName, "Synthetic Motors");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(match path_len {
        Some(n) => BasicConstraints::Constrained(n),
        None => BasicConstraints::Unconstrained,
    });
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = rcgen::date_time_ymd(2024, 1, 1);
    p.not_after = rcgen::date_time_ymd(2044, 1, 1);
    p.serial_number = Some(serial.into());
    p
}

fn make_cas(seed: u64) -> Vec<Ca> {
    let root_key = rsa(RSA3072);
    let root_params = ca_params("Synthetic Motors Root CA", 1, None);
    let root_pem = root_params.self_signed(&root_key).expect("root").pem();
    let root = Issuer::new(root_params, root_key);

    let test_key = ed25519(seed, 100);
    let test_params = ca_params("Synthetic Motors Engineering Root", 2, None);
    let test_pem = test_params.self_signed(&test_key).expect("test root").pem();

    let mut cas = Vec::new();
    let inter = |file: &'static str, cn: &str, serial: u64, key: KeyPair| {
        let params = ca_params(cn, serial, Some(0));
        let pem = params.signed_by(&key, &root).expect("intermediate").pem();
        Ca {
            file,
            issuer: Issuer::new(params, key),
            pem,
        }
    };
    cas.push(inter(
        "pki/ca/ecu-identity-ca.pem",
        "Synthetic Motors ECU Identity CA",
        3,
        ed25519(seed, 1),
    ));
    cas.push(inter(
        "pki/ca/backend-ca.pem",
        "Synthetic Motors Backend CA",
        4,
        ed25519(seed, 2),
    ));
    cas.push(inter(
        "pki/ca/v2x-ca.pem",
        "Synthetic Motors V2X CA",
        5,
        ed25519(seed, 3),
    ));
    cas.push(inter(
        "pki/ca/legacy-rsa-ca.pem",
        "Synthetic Motors Legacy CA",
        6,
        rsa(RSA2048),
    ));
    cas.push(Ca {
        file: "pki/engineering-root-ca.pem",
        issuer: Issuer::new(test_params, test_key),
        pem: test_pem,
    });
    cas.push(Ca {
        file: "pki/root-ca.pem",
        issuer: root,
        pem: root_pem,
    });
    cas
}

/// A leaf key: its public part (what certificates carry) and its private key file.
struct LeafKey {
    public: Vec<u8>,
    alg: &'static rcgen::SignatureAlgorithm,
    private_pem: String,
}

impl rcgen::PublicKeyData for LeafKey {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}

impl From<KeyPair> for LeafKey {
    fn from(k: KeyPair) -> Self {
        LeafKey {
            public: rcgen::PublicKeyData::der_bytes(&k).to_vec(),
            alg: k.algorithm(),
            private_pem: k.serialize_pem(),
        }
    }
}

/// Leaf keys (a handful, reused by many certificates). ring refuses RSA keys under
/// 2048 bits, so the weak key is carried as its public part (PKCS#1) and its PEM.
fn leaf_keys(seed: u64) -> Vec<LeafKey> {
    vec![
        KeyPair::from_pem(P256_A).expect("p256").into(),
        KeyPair::from_pem(P256_B).expect("p256").into(),
        KeyPair::from_pem(P384).expect("p384").into(),
        ed25519(seed, 10).into(),
        ed25519(seed, 11).into(),
        ed25519(seed, 12).into(),
        rsa(RSA2048).into(),
        LeafKey {
            public: RSA1024_PUBLIC.to_vec(),
            alg: &rcgen::PKCS_RSA_SHA256,
            private_pem: RSA1024.to_string(),
        },
    ]
}

/// Pool index of the weak RSA-1024 key.
const WEAK_KEY: usize = 7;

struct Writer {
    root: PathBuf,
}

impl Writer {
    fn write(&self, rel: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)
    }
}

fn json_text<T: serde::de::DeserializeOwned>(v: &Value, what: &str) -> String {
    let text = serde_json::to_string_pretty(v).expect("json");
    // Schema-valid by construction: the model's own types (deny_unknown_fields) read it.
    if let Err(e) = serde_json::from_str::<T>(&text) {
        panic!("generated {what} does not match the schema: {e}");
    }
    text + "\n"
}

/// Write a build into `out`, which must not exist or be empty.
pub fn generate(out: &Path, p: &Params) -> io::Result<Stats> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        return Err(io::Error::other(format!(
            "`{}` exists and is not empty",
            out.display()
        )));
    }
    std::fs::create_dir_all(out)?;
    let w = Writer {
        root: out.to_path_buf(),
    };
    let mut st = Stats::default();
    let mut ecus = plan_ecus(p);
    let cas = make_cas(p.seed);
    let keys = leaf_keys(p.seed);

    // Certificates: the CAs, then leaves spread over the ECUs.
    let n_leaves = p.certs.saturating_sub(cas.len());
    for ca in cas.iter().take(p.certs) {
        w.write(ca.file, ca.pem.as_bytes())?;
        st.certificates += 1;
    }
    // The engineering root's key left in the build (a defect to find).
    w.write(
        "pki/private/engineering-root.key",
        ed25519(p.seed, 100).serialize_pem().as_bytes(),
    )?;
    st.key_files += 1;
    let leaves: Vec<(String, Vec<u8>, usize, usize)> = (0..n_leaves)
        .into_par_iter()
        .map(|i| leaf(p, &ecus, &cas, &keys, i))
        .collect();
    for (path, bytes, ecu, key) in &leaves {
        w.write(path, bytes)?;
        st.certificates += 1;
        if ecus.is_empty() {
            continue;
        }
        let e = &mut ecus[*ecu];
        if e.identity.is_none() && path.ends_with(".pem") {
            e.identity = Some((path.clone(), *key));
        }
    }
    drop(leaves);

    // Root filesystems.
    for e in &ecus {
        let Some(rootfs) = e.rootfs() else { continue };
        let mut rng = Rng::derive(p.seed, 2, fnv(&e.id));
        match e.os {
            Os::Linux => {
                st.linux_rootfs += 1;
                for (rel, text) in linux_files(&mut rng, e) {
                    w.write(&format!("{rootfs}/{rel}"), text.as_bytes())?;
                }
            }
            Os::Android => {
                st.android_rootfs += 1;
                w.write(
                    &format!("{rootfs}/system/build.prop"),
                    android_props(&mut rng, e).as_bytes(),
                )?;
            }
            Os::None => {}
        }
        if let Some((_, key)) = &e.identity {
            let pem = &keys[*key].private_pem;
            w.write(
                &format!("{rootfs}/etc/{}/identity.key", e.id),
                pem.as_bytes(),
            )?;
            st.key_files += 1;
        }
    }

    // ECU configs.
    for (i, e) in ecus.iter().enumerate() {
        let cfg = ecu_config(p, i, e);
        w.write(
            &format!("ecus/{}.json", e.id),
            json_text::<EcuConfig>(&cfg, "ECU config").as_bytes(),
        )?;
    }

    // vehicle.json and the data flows.
    let endpoints = endpoints(&ecus, p.seed);
    w.write(
        "vehicle.json",
        json_text::<VehicleManifest>(&vehicle(&ecus, &endpoints), "vehicle.json").as_bytes(),
    )?;
    w.write(
        "data/flows.json",
        json_text::<DataFlowManifest>(&dataflows(p, &ecus, &endpoints), "data-flow manifest")
            .as_bytes(),
    )?;
    st.flows = p.flows;

    // Unrelated files, written in parallel.
    let rootfs: Vec<String> = ecus.iter().filter_map(Ecu::rootfs).collect();
    (0..p.other_files).into_par_iter().try_for_each(|i| {
        let (rel, bytes) = other_file(p.seed, i, &rootfs);
        w.write(&rel, &bytes)
    })?;
    st.other_files = p.other_files;

    for entry in walkdir::WalkDir::new(out) {
        let entry = entry.map_err(io::Error::other)?;
        if entry.file_type().is_file() {
            st.files += 1;
            st.bytes += entry.metadata().map_err(io::Error::other)?.len();
        }
    }
    Ok(st)
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// One leaf certificate: (path, file bytes, ECU index, key index).
fn leaf(
    p: &Params,
    ecus: &[Ecu],
    cas: &[Ca],
    keys: &[LeafKey],
    i: usize,
) -> (String, Vec<u8>, usize, usize) {
    let mut rng = Rng::derive(p.seed, 3, i as u64);
    let ecu = if ecus.is_empty() { 0 } else { i % ecus.len() };
    let owner = ecus.get(ecu).map_or("fleet", |e| e.id.as_str());
    // Mostly the identity and backend CAs (Ed25519), some legacy RSA, a few engineering.
    let ca = match rng.range(0, 100) {
        0..=54 => 0,
        55..=79 => 1,
        80..=89 => 2,
        90..=97 => 3,
        _ => 4,
    };
    let key = if rng.chance(2) {
        WEAK_KEY
    } else {
        rng.range(0, WEAK_KEY as u64) as usize
    };
    let host = format!("svc-{i:05}.{owner}.synthetic-motors.cn");
    let mut params = CertificateParams::new(vec![host.clone()]).expect("params");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Synthetic Motors");
    params.distinguished_name.push(DnType::CommonName, &host);
    params.serial_number = Some((1000 + i as u64).into());
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = if rng.chance(50) {
        vec![ExtendedKeyUsagePurpose::ClientAuth]
    } else {
        vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ]
    };
    let (from, to) = match rng.range(0, 100) {
        0..=2 => (2021, 2024), // expired
        3..=4 => (2025, 2046), // overlong validity
        5..=6 => (2026, 2026), // expires soon after the evaluation date
        _ => (2025, 2029),
    };
    params.not_before = rcgen::date_time_ymd(from, 1, 1);
    params.not_after = rcgen::date_time_ymd(to, if from == to { 9 } else { 1 }, 1);
    let cert = params
        .signed_by(&keys[key], &cas[ca].issuer)
        .expect("leaf certificate");
    let base = match ecus.get(ecu).and_then(Ecu::rootfs) {
        Some(r) => format!("{r}/etc/pki/certs"),
        None => format!("pki/ecus/{owner}"),
    };
    if rng.chance(10) {
        (
            format!("{base}/svc-{i:05}.crt"),
            cert.der().to_vec(),
            ecu,
            key,
        )
    } else {
        let pem = pem_block("CERTIFICATE", cert.der());
        (format!("{base}/svc-{i:05}.pem"), pem.into_bytes(), ecu, key)
    }
}

fn linux_files(rng: &mut Rng, e: &Ecu) -> Vec<(&'static str, String)> {
    let root_login = *rng.pick(&["no", "prohibit-password", "yes"]);
    let password = if rng.chance(30) { "yes" } else { "no" };
    let ciphers = if rng.chance(25) {
        "aes128-ctr,aes256-gcm@openssh.com,3des-cbc"
    } else {
        "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com"
    };
    let sshd = format!(
        "# sshd for {}\nPort 22\nPermitRootLogin {root_login}\nPasswordAuthentication {password}\n\
         PermitEmptyPasswords no\nMaxAuthTries {}\nCiphers {ciphers}\n\
         MACs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com\n\
         KexAlgorithms curve25519-sha256,diffie-hellman-group14-sha256\n\
         X11Forwarding no\nSubsystem sftp /usr/lib/openssh/sftp-server\n",
        e.id,
        rng.range(3, 7)
    );
    let mut passwd = String::from(
        "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
    );
    let mut shadow = String::from("root:$6$rounds=656000$Zm9vYmFy$");
    shadow.push_str(&"abcdefghij".repeat(9)[..86]);
    shadow.push_str(":19700:0:99999:7:::\ndaemon:*:19700:0:99999:7:::\n");
    if rng.chance(20) {
        passwd.push_str("diag:x:0:0:diagnostics:/home/diag:/bin/sh\n");
        shadow.push_str("diag::19700:0:99999:7:::\n");
    }
    if rng.chance(20) {
        passwd.push_str("service:x:1000:1000::/home/service:/bin/sh\n");
        shadow.push_str("service:$1$salt$qJH7.N4xYta3aEG/dfqo/0:19700:0:99999:7:::\n");
    }
    let sysctl = format!(
        "kernel.kptr_restrict = {}\nkernel.dmesg_restrict = 1\nkernel.randomize_va_space = {}\n\
         net.ipv4.ip_forward = {}\nnet.ipv4.conf.all.accept_redirects = 0\n\
         net.ipv4.conf.all.rp_filter = 1\nnet.ipv4.tcp_syncookies = 1\nfs.suid_dumpable = 0\n",
        rng.range(0, 3),
        if rng.chance(15) { 0 } else { 2 },
        rng.range(0, 2)
    );
    let kconfig = format!(
        "#\n# Linux/arm64 6.1.0 Kernel Configuration\n#\nCONFIG_ARM64=y\nCONFIG_STACKPROTECTOR_STRONG=y\n\
         CONFIG_STRICT_KERNEL_RWX=y\nCONFIG_RANDOMIZE_BASE=y\nCONFIG_SECURITY_SELINUX=y\n{}{}{}\
         CONFIG_HARDENED_USERCOPY=y\nCONFIG_FORTIFY_SOURCE=y\n",
        if rng.chance(25) {
            "CONFIG_DEVMEM=y\n"
        } else {
            "# CONFIG_DEVMEM is not set\n"
        },
        if rng.chance(25) {
            "CONFIG_KGDB=y\n"
        } else {
            "# CONFIG_KGDB is not set\n"
        },
        if rng.chance(50) {
            "CONFIG_MODULE_SIG=y\nCONFIG_MODULE_SIG_FORCE=y\n"
        } else {
            "# CONFIG_MODULE_SIG is not set\n"
        }
    );
    vec![
        ("etc/ssh/sshd_config", sshd),
        ("etc/passwd", passwd),
        ("etc/shadow", shadow),
        ("etc/sysctl.conf", sysctl),
        ("boot/config-6.1.0", kconfig),
    ]
}

fn android_props(rng: &mut Rng, e: &Ecu) -> String {
    let debug = rng.chance(30);
    format!(
        "# {} build properties\nro.build.type={}\nro.debuggable={}\nro.secure=1\nro.adb.secure={}\n\
         persist.sys.usb.config={}\nro.boot.selinux={}\nro.build.version.release=14\n\
         ro.build.version.security_patch=2025-0{}-05\n",
        e.id,
        if debug { "userdebug" } else { "user" },
        u8::from(debug),
        u8::from(!rng.chance(20)),
        if rng.chance(20) { "mtp,adb" } else { "mtp" },
        if rng.chance(15) {
            "permissive"
        } else {
            "enforcing"
        },
        rng.range(1, 10)
    )
}

fn ecu_config(p: &Params, i: usize, e: &Ecu) -> Value {
    let mut rng = Rng::derive(p.seed, 4, i as u64);
    let port = |rng: &mut Rng| {
        *rng.pick(&[
            "disabled",
            "fused",
            "fused",
            "authenticated",
            "disabled",
            "enabled",
        ])
    };
    let mut cfg = json!({
        "schema_version": 1,
        "ecu": e.id,
        "os": match e.os { Os::Linux => "linux", Os::Android => "android", Os::None => "autosar_classic" },
        "debug": {
            "jtag": port(&mut rng), "swd": port(&mut rng), "uart": port(&mut rng),
            "root_shell_on_console": rng.chance(10),
        },
        "secure_boot": {
            "enabled": !rng.chance(8),
            "signature_algorithm": *rng.pick(&["ecdsa-p256-sha256", "rsa-pss-3072-sha256", "sm2-sm3", "rsa-2048-sha1"]),
            "root_of_trust": *rng.pick(&["otp", "rom", "hsm"]),
            "test_keys": rng.chance(5),
            "rollback_protection": !rng.chance(15),
            "monotonic_counter": !rng.chance(15),
        },
        "software_update": {
            "channel": if matches!(e.os, Os::None) { "local" } else { "ota" },
            "signature_verification": !rng.chance(5),
            "signature_algorithm": *rng.pick(&["ecdsa-p256-sha256", "rsa-pss-3072-sha256", "rsa-2048-sha1"]),
            "downgrade_prevention": !rng.chance(10),
            "server_authentication": true,
            "failure_recovery": *rng.pick(&["ab_partition", "recovery_image", "none"]),
        },
        "key_storage": { "kind": *rng.pick(&["hsm", "se", "tee", "filesystem"]) },
        "diagnostics": {
            "security_access": {
                "enabled": true,
                "seed_length_bytes": *rng.pick(&[2u32, 4, 8, 16]),
                "seed_source": *rng.pick(&["trng", "prng", "counter"]),
                "max_attempts": rng.range(3, 11),
                "delay_ms": *rng.pick(&[0u32, 1000, 10000]),
                "delay_persists_across_reset": rng.chance(60),
                "static_key": rng.chance(20),
            },
            "services": [
                { "sid": "0x2E", "name": "WriteDataByIdentifier", "sessions": ["extended"],
                  "protection": *rng.pick(&["security_access", "authentication", "none"]) },
                { "sid": "0x34", "name": "RequestDownload", "sessions": ["programming"],
                  "protection": *rng.pick(&["security_access", "authentication"]) },
            ],
        },
    });
    let obj = cfg.as_object_mut().expect("object");
    if e.os != Os::None {
        obj.insert(
            "services".into(),
            json!([
                { "name": "sshd", "port": 22, "protocol": "tcp", "bind": *rng.pick(&["eth0", "0.0.0.0"]),
                  "purpose": "field service", "authentication": *rng.pick(&["key", "password"]) },
                { "name": "diag-proxy", "port": 13400, "protocol": "tcp", "bind": "eth0",
                  "purpose": "DoIP relay", "authentication": "mtls" },
            ]),
        );
        obj.insert(
            "logging".into(),
            json!({ "security_log": !rng.chance(10), "timestamp_resolution": "second",
                    "includes_vin": true, "event_types": ["login", "ota", "tls_failure"],
                    "integrity_protection": rng.chance(60), "upload_to_vsoc": true }),
        );
        obj.insert(
            "ids".into(),
            json!({ "enabled": !rng.chance(20), "monitors": ["host", "ethernet"] }),
        );
    }
    if matches!(e.role, "tbox" | "ivi") {
        obj.insert(
            "interfaces".into(),
            json!({
                "cellular": { "enabled": e.role == "tbox", "inbound_blocked": !rng.chance(15), "private_apn": true, "sms_commands": rng.chance(10) },
                "wifi": { "enabled": e.role == "ivi", "mode": "ap", "security": *rng.pick(&["wpa2", "wpa3", "wep"]), "wps": rng.chance(10) },
                "bluetooth": { "enabled": e.role == "ivi", "pairing": *rng.pick(&["numeric_comparison", "just_works", "legacy_pin"]) },
                "usb": { "enabled": true, "access_control": !rng.chance(20), "auto_run": rng.chance(5) },
            }),
        );
        let mut profile = json!({
            "id": "backend", "side": "client",
            "versions": if rng.chance(15) { json!(["TLSv1.0", "TLSv1.2"]) } else { json!(["TLSv1.2", "TLSv1.3"]) },
            "cipher_suites": if rng.chance(15) {
                json!(["TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"])
            } else {
                json!(["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"])
            },
            "groups": ["x25519", "secp256r1"],
            "verify_peer": true, "verify_hostname": !rng.chance(10),
            "trust_anchor": "oem-root", "mutual_tls": true,
            "renegotiation": false, "revocation_check": *rng.pick(&["ocsp_stapling", "crl", "none"]),
            "endpoint": format!("ep-{}", e.id),
        });
        if let Some((cert, _)) = &e.identity {
            profile["certificate"] = json!(cert);
            if let Some(r) = e.rootfs() {
                profile["private_key"] = json!(format!("{r}/etc/{}/identity.key", e.id));
            }
        }
        obj.insert("tls_profiles".into(), json!([profile]));
        obj.insert(
            "remote_control".into(),
            json!({ "enabled": e.role == "tbox", "commands_authenticated": true,
                    "commands_integrity_protected": !rng.chance(10), "anti_replay": !rng.chance(10),
                    "commands_logged": true }),
        );
    }
    if e.role == "ivi" {
        obj.insert(
            "apps".into(),
            json!({ "third_party": true, "signature_required": !rng.chance(10),
                    "permission_control": true, "sideloading": rng.chance(10) }),
        );
    }
    if e.role == "gateway" {
        obj.insert(
            "gateway".into(),
            json!({ "default_action": if rng.chance(10) { "allow" } else { "deny" },
                    "routes": [{ "from": "diag", "to": "powertrain", "allowed_ids": ["0x7E0"], "diagnostics": "authenticated" }],
                    "rate_limiting": true,
                    "ethernet_firewall": { "default_policy": "deny", "vlan_separation": true } }),
        );
    }
    if e.safety {
        obj.insert(
            "secoc".into(),
            json!([{ "message": format!("{}Command", e.role), "id": format!("0x{:03X}", rng.range(0x100, 0x7ff)),
                     "safety_relevant": true, "authenticated": !rng.chance(10),
                     "algorithm": "aes128_cmac", "mac_bits": *rng.pick(&[24u32, 32, 64]),
                     "freshness": "counter", "freshness_bits": *rng.pick(&[8u32, 16, 32]) }]),
        );
    }
    if let Some((cert, _)) = &e.identity {
        obj.insert("identity_certificate".into(), json!(cert));
        if let Some(r) = e.rootfs() {
            obj.insert(
                "identity_key".into(),
                json!(format!("{r}/etc/{}/identity.key", e.id)),
            );
        }
    }
    cfg
}

struct Ep {
    id: String,
    client: String,
    cert: Option<String>,
    region: &'static str,
    third_party: bool,
}

fn endpoints(ecus: &[Ecu], seed: u64) -> Vec<Ep> {
    ecus.iter()
        .filter(|e| matches!(e.role, "tbox" | "ivi"))
        .map(|e| {
            let mut rng = Rng::derive(seed, 5, fnv(&e.id));
            let third_party = rng.chance(20);
            Ep {
                id: format!("ep-{}", e.id),
                client: e.id.clone(),
                // The server presents a certificate of another ECU's leaves: any leaf will do.
                cert: e.identity.as_ref().map(|(c, _)| c.clone()),
                region: if third_party { "DE" } else { "CN" },
                third_party,
            }
        })
        .collect()
}

fn vehicle(ecus: &[Ecu], eps: &[Ep]) -> Value {
    let ecu_entries: Vec<Value> = ecus
        .iter()
        .map(|e| {
            let mut v = json!({
                "id": e.id, "role": e.role, "name": format!("{} {}", e.role, e.id),
                "config": format!("ecus/{}.json", e.id),
            });
            if let Some(r) = e.rootfs() {
                v["rootfs"] = json!(r);
            }
            if e.safety {
                v["safety_critical"] = json!(true);
            }
            v
        })
        .collect();
    let kinds = ["can", "can_fd", "ethernet", "lin"];
    let mut networks: Vec<Value> = ecus
        .iter()
        .skip(1)
        .collect::<Vec<_>>()
        .chunks(8)
        .enumerate()
        .map(|(i, chunk)| {
            let mut members: Vec<String> = vec!["cgw".into()];
            members.extend(chunk.iter().map(|e| e.id.clone()));
            let kind = kinds[i % kinds.len()];
            let mut n = json!({
                "id": format!("net-{i:03}-{}", kind.replace('_', "")),
                "kind": kind,
                "ecus": members,
                "safety_critical": chunk.iter().any(|e| e.safety),
            });
            if kind == "ethernet" {
                n["vlan"] = json!(10 + i as u64);
            }
            n
        })
        .collect();
    if !ecus.is_empty() {
        networks.push(
            json!({ "id": "can-diag", "kind": "can", "ecus": ["cgw"], "obd_connector": true }),
        );
    }
    let endpoints: Vec<Value> = eps
        .iter()
        .map(|ep| {
            let mut v = json!({
                "id": ep.id, "host": format!("{}.tsp.synthetic-motors.cn", ep.client),
                "port": 443, "region": ep.region,
                "owner": if ep.third_party { "third_party" } else { "oem" },
                "purpose": "telematics service platform", "clients": [ep.client],
                "tls_profile": format!("{}/backend", ep.client), "trust_anchor": "oem-root",
            });
            if let Some(c) = &ep.cert {
                v["server_certificate"] = json!(c);
            }
            v
        })
        .collect();
    json!({
        "schema_version": 1,
        "vehicle": { "model": "Synthetic S1", "manufacturer": "Synthetic Motors", "markets": ["CN", "EU"], "stage": "production" },
        "ecus": ecu_entries,
        "networks": networks,
        "endpoints": endpoints,
        "trust_anchors": [
            { "id": "oem-root", "certificate": "pki/root-ca.pem", "purpose": "backend" },
            { "id": "engineering-root", "certificate": "pki/engineering-root-ca.pem", "purpose": "backend", "test_only": true },
        ],
        "data_flows": ["data/flows.json"],
    })
}

const ITEMS: &[(&str, &str, &str)] = &[
    ("location-track", "sensitive_personal", "location_track"),
    ("cabin-video", "sensitive_personal", "cabin_video"),
    ("cabin-audio", "sensitive_personal", "cabin_audio"),
    ("dms-biometrics", "sensitive_personal", "biometric"),
    ("outside-images", "important", "outside_image"),
    ("charging-data", "important", "charging_network"),
    ("dtc-snapshot", "operational", "diagnostic"),
    ("vehicle-status", "operational", "vehicle_status"),
    ("contacts", "personal", "contacts"),
    ("app-usage", "personal", "usage_statistics"),
    ("misc-telemetry", "unclassified", "telemetry"),
];

fn dataflows(p: &Params, ecus: &[Ecu], eps: &[Ep]) -> Value {
    let items: Vec<Value> = ITEMS
        .iter()
        .map(|(id, cat, kind)| {
            let mut v = json!({ "id": id, "name": id.replace('-', " "), "category": cat, "kind": kind,
                                "classification_level": if *cat == "operational" { "general" } else { "important" },
                                "persons_per_year": 250000 });
            if *kind == "outside_image" {
                v["contains_faces_or_plates"] = json!(true);
            }
            v
        })
        .collect();
    let mut stores = vec![json!({
        "id": "cloud-lake", "location": "cloud", "region": "CN",
        "items": ["location-track", "dtc-snapshot", "vehicle-status"],
        "encrypted_at_rest": true, "user_deletion": true, "deletion_deadline_working_days": 10, "retention_days": 365,
    })];
    for (i, e) in ecus
        .iter()
        .filter(|e| e.os != Os::None)
        .take(64)
        .enumerate()
    {
        let mut rng = Rng::derive(p.seed, 6, i as u64);
        stores.push(json!({
            "id": format!("store-{}", e.id), "location": e.id,
            "items": [ITEMS[rng.range(0, ITEMS.len() as u64) as usize].0],
            "encrypted_at_rest": !rng.chance(20), "user_deletion": !rng.chance(10),
            "deletion_deadline_working_days": *rng.pick(&[10u32, 15, 30]), "retention_days": rng.range(1, 60),
        }));
    }
    let parties = json!([
        { "id": "map-provider", "name": "Map provider", "kind": "third_party", "region": "DE" },
        { "id": "insurer", "name": "Usage-based insurer", "kind": "third_party", "region": "CN" },
        { "id": "oem-cloud", "name": "OEM cloud", "kind": "oem", "region": "CN" },
    ]);
    let store_ids: Vec<String> = stores
        .iter()
        .map(|s| s["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let flows: Vec<Value> = (0..p.flows)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng::derive(p.seed, 7, i as u64);
            let from = if ecus.is_empty() {
                "oem-cloud".to_string()
            } else {
                rng.pick(ecus).id.clone()
            };
            let (to, via) = match rng.range(0, 3) {
                0 if !eps.is_empty() => {
                    let ep = rng.pick(eps);
                    (ep.id.clone(), Some(ep.id.clone()))
                }
                1 => (rng.pick(&store_ids).clone(), None),
                _ => (
                    rng.pick(&["map-provider", "insurer", "oem-cloud"]).to_string(),
                    None,
                ),
            };
            let n = rng.range(1, 4) as usize;
            let its: Vec<&str> = (0..n)
                .map(|_| ITEMS[rng.range(0, ITEMS.len() as u64) as usize].0)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut f = json!({
                "id": format!("flow-{i:05}"), "items": its, "from": from, "to": to,
                "purpose": *rng.pick(&["remote services", "diagnostics", "navigation", "analytics", "insurance pricing"]),
                "legal_basis": *rng.pick(&["consent", "separate_consent", "contract", "legal_obligation", "none"]),
                "processing": *rng.pick(&["raw", "anonymised", "de_identified", "aggregated"]),
                "retention_days": rng.range(1, 400),
                "off_by_default": rng.chance(70),
            });
            if let Some(v) = via {
                f["via_endpoint"] = json!(v);
            }
            match rng.range(0, 10) {
                0 => f["consent_duration"] = json!("permanent"),
                1..=5 => f["consent_duration"] = json!(rng.range(30, 730)),
                _ => {}
            }
            if rng.chance(30) {
                f["security_assessment"] = json!(format!("CAC-2025-{:04}", rng.range(1, 9999)));
            }
            f
        })
        .collect();
    json!({ "schema_version": 1, "items": items, "stores": stores, "parties": parties, "flows": flows })
}

/// One unrelated file: firmware blob, C source, or a shared library inside a rootfs.
fn other_file(seed: u64, i: usize, rootfs: &[String]) -> (String, Vec<u8>) {
    let mut rng = Rng::derive(seed, 8, i as u64);
    let dir = i / 256;
    let size = match rng.range(0, 100) {
        0..=79 => rng.range(128, 4096),
        80..=97 => rng.range(4096, 32768),
        _ => rng.range(32768, 524_288),
    } as usize;
    match rng.range(0, 10) {
        0..=6 => {
            let mut buf = vec![0u8; size];
            rng.fill(&mut buf);
            (format!("firmware/part-{dir:04}/blob-{i:06}.bin"), buf)
        }
        7 | 8 => {
            let mut src = format!(
                "/* module {i} */\n#include <stdint.h>\n#include \"config.h\"\n\nstatic const uint32_t table_{i}[] = {{\n"
            );
            while src.len() < size.min(16384) {
                src.push_str(&format!("    0x{:08x},\n", rng.next_u64() as u32));
            }
            src.push_str(&format!(
                "}};\n\nuint32_t lookup_{i}(uint32_t k) {{ return table_{i}[k % (sizeof table_{i} / sizeof table_{i}[0])]; }}\n"
            ));
            (format!("src/mod-{dir:04}/mod_{i:06}.c"), src.into_bytes())
        }
        _ => {
            let mut buf = vec![0u8; size];
            rng.fill(&mut buf);
            buf[..4].copy_from_slice(b"\x7fELF");
            match rootfs.get(i % rootfs.len().max(1)) {
                Some(r) => (format!("{r}/usr/lib/part-{dir:04}/libx{i:06}.so"), buf),
                None => (format!("lib/part-{dir:04}/libx{i:06}.so"), buf),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_known_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    fn tree(root: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(root)
            .sort_by_file_name()
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path()
                        .strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let base = std::env::temp_dir().join(format!("icvsec-gen-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let p = Params {
            ecus: 14,
            certs: 40,
            flows: 20,
            other_files: 30,
            seed: 7,
        };
        let a = generate(&base.join("a"), &p).unwrap();
        generate(&base.join("b"), &p).unwrap();
        generate(
            &base.join("c"),
            &Params {
                seed: 8,
                ..p.clone()
            },
        )
        .unwrap();
        assert_eq!(a.certificates, 40);
        assert!(a.linux_rootfs >= 2, "{a:?}");
        assert_eq!(a.android_rootfs, 1);
        let ta = tree(&base.join("a"));
        assert_eq!(ta, tree(&base.join("b")));
        assert_ne!(ta, tree(&base.join("c")));
        assert!(ta.iter().any(|(p, _)| p.ends_with("etc/ssh/sshd_config")));
        assert!(ta.iter().any(|(p, _)| p.ends_with("system/build.prop")));
        assert!(
            generate(&base.join("a"), &p).is_err(),
            "refuses a non-empty directory"
        );
        std::fs::remove_dir_all(&base).unwrap();
    }
}
