//! Uptane/TUF metadata built and signed here with ring (Ed25519 from fixed seeds, ECDSA
//! P-256 from an rcgen key), then verified.

use std::collections::BTreeMap;

use icvsec_update::tuf::{canonical_json, read_repository};
use icvsec_update::{Kind, Options, PayloadState, UpdatePackage, Verification, read_package};
use ring::signature::{self, KeyPair};
use serde_json::{Value, json};

const AS_OF: i64 = 1_780_000_000; // 2026-05-28
const FUTURE: &str = "2030-01-01T00:00:00Z";

enum Signer {
    Ed(signature::Ed25519KeyPair),
    Ec(signature::EcdsaKeyPair),
}

struct Key {
    id: String,
    public: Value,
    signer: Signer,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn key_id(k: &Value) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, &canonical_json(k).unwrap()).as_ref())
}

fn ed_key(seed: u8) -> Key {
    let kp = signature::Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap();
    let public = json!({
        "keytype": "ed25519",
        "scheme": "ed25519",
        "keyid_hash_algorithms": ["sha256", "sha512"],
        "keyval": {"public": hex(kp.public_key().as_ref())}
    });
    Key {
        id: key_id(&public),
        public,
        signer: Signer::Ed(kp),
    }
}

fn ec_key() -> Key {
    let kp = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let ec = signature::EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &kp.serialize_der(),
        &rng,
    )
    .unwrap();
    let public = json!({
        "keytype": "ecdsa",
        "scheme": "ecdsa-sha2-nistp256",
        "keyid_hash_algorithms": ["sha256", "sha512"],
        "keyval": {"public": kp.public_key_pem()}
    });
    Key {
        id: key_id(&public),
        public,
        signer: Signer::Ec(ec),
    }
}

fn sign(signed: Value, keys: &[&Key]) -> Vec<u8> {
    let msg = canonical_json(&signed).unwrap();
    let rng = ring::rand::SystemRandom::new();
    let sigs: Vec<Value> = keys
        .iter()
        .map(|k| {
            let sig = match &k.signer {
                Signer::Ed(kp) => kp.sign(&msg).as_ref().to_vec(),
                Signer::Ec(kp) => kp.sign(&rng, &msg).unwrap().as_ref().to_vec(),
            };
            json!({"keyid": k.id, "sig": hex(&sig)})
        })
        .collect();
    serde_json::to_vec_pretty(&json!({"signed": signed, "signatures": sigs})).unwrap()
}

struct Repo {
    root_keys: [Key; 2],
    targets_keys: [Key; 2],
    ts_keys: [Key; 2],
}

fn repo() -> Repo {
    Repo {
        root_keys: [ed_key(1), ed_key(2)],
        targets_keys: [ec_key(), ed_key(4)],
        ts_keys: [ed_key(5), ed_key(6)],
    }
}

const FIRMWARE: &[u8] = b"ECU firmware image v7\n";

fn sha256_hex(b: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

/// Root with the given expiry and targets threshold; consistent targets, snapshot, timestamp.
fn metadata(r: &Repo, root_expires: &str, targets_threshold: u64) -> BTreeMap<String, Vec<u8>> {
    let mut keys = serde_json::Map::new();
    for k in r.root_keys.iter().chain(&r.targets_keys).chain(&r.ts_keys) {
        keys.insert(k.id.clone(), k.public.clone());
    }
    let ids = |ks: &[Key]| ks.iter().map(|k| k.id.clone()).collect::<Vec<_>>();
    let root = json!({
        "_type": "root", "spec_version": "1.0.0", "version": 3, "expires": root_expires,
        "consistent_snapshot": false, "keys": keys,
        "roles": {
            "root": {"keyids": ids(&r.root_keys), "threshold": 2},
            "targets": {"keyids": ids(&r.targets_keys), "threshold": targets_threshold},
            "snapshot": {"keyids": ids(&r.ts_keys), "threshold": 2},
            "timestamp": {"keyids": ids(&r.ts_keys), "threshold": 2}
        }
    });
    let targets = json!({
        "_type": "targets", "spec_version": "1.0.0", "version": 7, "expires": FUTURE,
        "targets": {
            "ecu/firmware.bin": {
                "length": FIRMWARE.len(),
                "hashes": {"sha256": sha256_hex(FIRMWARE)},
                "custom": {"hardwareIds": ["acme-bcm-r2"]}
            }
        }
    });
    let targets_bytes = sign(targets, &[&r.targets_keys[0], &r.targets_keys[1]]);
    let snapshot = json!({
        "_type": "snapshot", "spec_version": "1.0.0", "version": 9, "expires": FUTURE,
        "meta": {"targets.json": {"version": 7}}
    });
    let snapshot_bytes = sign(snapshot, &[&r.ts_keys[0], &r.ts_keys[1]]);
    let timestamp = json!({
        "_type": "timestamp", "spec_version": "1.0.0", "version": 11, "expires": FUTURE,
        "meta": {"snapshot.json": {"version": 9, "length": snapshot_bytes.len(),
                 "hashes": {"sha256": sha256_hex(&snapshot_bytes)}}}
    });
    let mut m = BTreeMap::new();
    m.insert(
        "root.json".to_string(),
        sign(root, &[&r.root_keys[0], &r.root_keys[1]]),
    );
    m.insert("targets.json".to_string(), targets_bytes);
    m.insert("snapshot.json".to_string(), snapshot_bytes);
    m.insert(
        "timestamp.json".to_string(),
        sign(timestamp, &[&r.ts_keys[0], &r.ts_keys[1]]),
    );
    m
}

fn files() -> BTreeMap<String, Vec<u8>> {
    let mut f = BTreeMap::new();
    f.insert("ecu/firmware.bin".to_string(), FIRMWARE.to_vec());
    f
}

fn opts() -> Options {
    Options {
        as_of: Some(AS_OF),
        ..Options::default()
    }
}

fn problems(p: &UpdatePackage) -> Vec<String> {
    p.problems
        .iter()
        .map(|p| format!("{}: {}", p.place, p.message))
        .collect()
}

#[test]
fn canonical_json_known_answer() {
    let v: Value =
        serde_json::from_str(r#"{"b": 1, "a": "x\"y\\z é", "c": [true, null, -3]}"#).unwrap();
    assert_eq!(
        String::from_utf8(canonical_json(&v).unwrap()).unwrap(),
        r#"{"a":"x\"y\\z é","b":1,"c":[true,null,-3]}"#
    );
    assert!(canonical_json(&json!({"f": 1.5})).is_err());
}

#[test]
fn good_repository_verifies() {
    let r = repo();
    let p = read_repository("repo", &metadata(&r, FUTURE, 2), &files(), &opts()).unwrap();
    assert_eq!(p.kind, Kind::Tuf);
    assert_eq!(
        p.signature.verified,
        Verification::Verified,
        "{:#?}",
        problems(&p)
    );
    assert_eq!(
        p.signature.algorithm.as_deref(),
        Some("ecdsa-p256-sha256,ed25519")
    );
    assert_eq!(p.thresholds.len(), 4);
    assert!(
        p.thresholds
            .iter()
            .all(|t| t.met && t.valid_signatures == 2)
    );
    assert_eq!(p.version.as_deref(), Some("7"));
    assert_eq!(p.hardware_compat, vec!["acme-bcm-r2"]);
    assert_eq!(p.payloads.len(), 1);
    assert_eq!(p.payloads[0].actual, PayloadState::Match);
    assert_eq!(p.expires_text.as_deref(), Some(FUTURE));
    assert!(p.problems.is_empty(), "{:#?}", problems(&p));
}

#[test]
fn expired_root_is_reported() {
    let r = repo();
    let p = read_repository(
        "repo",
        &metadata(&r, "2021-01-01T00:00:00Z", 2),
        &files(),
        &opts(),
    )
    .unwrap();
    assert_eq!(p.signature.verified, Verification::Verified);
    assert_eq!(p.expires_text.as_deref(), Some("2021-01-01T00:00:00Z"));
    assert!(
        problems(&p)
            .iter()
            .any(|m| m.contains("root metadata expired")),
        "{:#?}",
        problems(&p)
    );
    // Without a time nothing is judged expired.
    let p = read_repository(
        "repo",
        &metadata(&r, "2021-01-01T00:00:00Z", 2),
        &files(),
        &Options::default(),
    )
    .unwrap();
    assert!(!problems(&p).iter().any(|m| m.contains("expired")));
}

#[test]
fn threshold_one_is_a_problem() {
    let r = repo();
    let p = read_repository("repo", &metadata(&r, FUTURE, 1), &files(), &opts()).unwrap();
    assert_eq!(p.signature.verified, Verification::Verified);
    let t = p.thresholds.iter().find(|t| t.role == "targets").unwrap();
    assert_eq!((t.threshold, t.met), (1, true));
    assert!(
        problems(&p)
            .iter()
            .any(|m| m.contains("signed.roles.targets") && m.contains("one compromised key")),
        "{:#?}",
        problems(&p)
    );
}

#[test]
fn bad_signature_fails_the_threshold() {
    let r = repo();
    let mut m = metadata(&r, FUTURE, 2);
    // Change the signed content after signing.
    let t = String::from_utf8(m["targets.json"].clone()).unwrap();
    m.insert(
        "targets.json".into(),
        t.replace("\"version\": 7", "\"version\": 8").into_bytes(),
    );
    let p = read_repository("repo", &m, &files(), &opts()).unwrap();
    match &p.signature.verified {
        Verification::BadSignature(msg) => assert!(msg.contains("targets (0 of 2 valid)"), "{msg}"),
        v => panic!("{v:?}"),
    }
    assert!(problems(&p).iter().any(|m| m.contains("bad signature")));
    // And snapshot now names a version targets.json no longer has.
    assert!(
        problems(&p)
            .iter()
            .any(|m| m.contains("names targets.json version 7, targets.json is version 8"))
    );
}

#[test]
fn one_key_under_two_ids_counts_once() {
    let r = repo();
    let k = ed_key(1);
    // Same public key, second id (different keyid_hash_algorithms => different id).
    let mut twin_public = k.public.clone();
    twin_public["keyid_hash_algorithms"] = json!(["sha256"]);
    let twin = Key {
        id: key_id(&twin_public),
        public: twin_public,
        signer: Signer::Ed(signature::Ed25519KeyPair::from_seed_unchecked(&[1; 32]).unwrap()),
    };
    let mut keys = serde_json::Map::new();
    keys.insert(k.id.clone(), k.public.clone());
    keys.insert(twin.id.clone(), twin.public.clone());
    let root = json!({
        "_type": "root", "version": 1, "expires": FUTURE, "keys": keys,
        "roles": {"root": {"keyids": [k.id, twin.id], "threshold": 2}}
    });
    let mut m = BTreeMap::new();
    m.insert("root.json".to_string(), sign(root, &[&k, &twin]));
    let p = read_repository("repo", &m, &BTreeMap::new(), &opts()).unwrap();
    let t = &p.thresholds[0];
    assert_eq!(
        (t.valid_signatures, t.met),
        (1, false),
        "{:#?}",
        problems(&p)
    );
    assert!(matches!(
        p.signature.verified,
        Verification::BadSignature(_)
    ));
    drop(r);
}

#[test]
fn target_files_checked() {
    let r = repo();
    let m = metadata(&r, FUTURE, 2);
    let p = read_repository("repo", &m, &BTreeMap::new(), &opts()).unwrap();
    assert_eq!(p.payloads[0].actual, PayloadState::Missing);
    let mut f = BTreeMap::new();
    let mut bad = FIRMWARE.to_vec();
    bad[0] ^= 1;
    f.insert("ecu/firmware.bin".to_string(), bad);
    let p = read_repository("repo", &m, &f, &opts()).unwrap();
    assert!(matches!(
        p.payloads[0].actual,
        PayloadState::Mismatch { .. }
    ));
    f.insert("ecu/firmware.bin".to_string(), b"short".to_vec());
    let p = read_repository("repo", &m, &f, &opts()).unwrap();
    assert!(matches!(
        p.payloads[0].actual,
        PayloadState::SizeMismatch { .. }
    ));
}

#[test]
fn single_files_through_read_package() {
    let r = repo();
    let m = metadata(&r, FUTURE, 2);
    let p = read_package("root.json", &m["root.json"], &opts()).unwrap();
    assert_eq!(p.kind, Kind::Tuf);
    assert_eq!(p.signature.verified, Verification::Verified);
    let p = read_package("targets.json", &m["targets.json"], &opts()).unwrap();
    assert!(matches!(
        p.signature.verified,
        Verification::Unverifiable(_)
    ));
    assert_eq!(p.payloads.len(), 1);
}

#[test]
fn hostile_json_is_bounded() {
    let deep = format!(
        r#"{{"signed": {}1{}, "signatures": []}}"#,
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let e = read_package("deep.json", deep.as_bytes(), &opts()).unwrap_err();
    assert!(e.message.contains("deeper"), "{e}");
    let m = metadata(&repo(), FUTURE, 2);
    let root = &m["root.json"];
    for cut in (0..root.len()).step_by(53) {
        let _ = read_package("root.json", &root[..cut], &opts());
    }
    let e = read_package(
        "x.json",
        br#"{"signed": {"_type": "root"}, "signatures": 5}"#,
        &opts(),
    )
    .unwrap_err();
    assert!(e.message.contains("signatures"), "{e}");
}

#[test]
fn repository_on_disk() {
    let r = repo();
    let dir = std::env::temp_dir().join(format!("icvsec-tuf-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("targets/ecu")).unwrap();
    for (name, b) in metadata(&r, FUTURE, 2) {
        std::fs::write(dir.join(name), b).unwrap();
    }
    std::fs::write(dir.join("targets/ecu/firmware.bin"), FIRMWARE).unwrap();
    let p = icvsec_update::tuf::read_repository_dir(&dir, &opts()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(p.signature.verified, Verification::Verified);
    assert_eq!(
        p.payloads[0].actual,
        PayloadState::Match,
        "{:?}",
        p.payloads
    );
}

#[test]
fn key_id_not_derived_from_the_key_is_reported() {
    let k = ed_key(9);
    let fake_id = "00".repeat(32);
    let mut keys = serde_json::Map::new();
    keys.insert(fake_id.clone(), k.public.clone());
    let root = json!({
        "_type": "root", "version": 1, "expires": FUTURE, "keys": keys,
        "roles": {"root": {"keyids": [fake_id.clone()], "threshold": 1}}
    });
    let signer = Key {
        id: fake_id,
        public: k.public.clone(),
        signer: k.signer,
    };
    let mut m = BTreeMap::new();
    m.insert("root.json".to_string(), sign(root, &[&signer]));
    let p = read_repository("repo", &m, &BTreeMap::new(), &opts()).unwrap();
    assert!(p.thresholds[0].met);
    assert!(
        problems(&p).iter().any(|m| m.contains("key id differs")),
        "{:#?}",
        problems(&p)
    );
}

#[test]
fn structured_facts_name_roles_keys_and_places() {
    let r = repo();
    let p = read_repository("repo", &metadata(&r, FUTURE, 2), &files(), &opts()).unwrap();
    let t = p.tuf.as_ref().expect("tuf facts");
    assert!(t.has_root);
    let roles: Vec<(&str, &str)> = t
        .roles
        .iter()
        .map(|r| (r.role.as_str(), r.file.as_str()))
        .collect();
    assert_eq!(
        roles,
        [
            ("root", "repo/root.json"),
            ("targets", "repo/targets.json"),
            ("snapshot", "repo/snapshot.json"),
            ("timestamp", "repo/timestamp.json")
        ]
    );
    let targets = &t.roles[1];
    assert_eq!(
        (targets.version, targets.threshold, targets.usable_keys),
        (Some(7), Some(2), 2)
    );
    assert_eq!(targets.expires_text.as_deref(), Some(FUTURE));
    assert!(!targets.unsatisfiable());
    assert_eq!(t.keys.len(), 6);
    assert!(
        t.keys.iter().all(|k| k.weakness().is_none()),
        "{:#?}",
        t.keys
    );
    let ec = t
        .keys
        .iter()
        .find(|k| k.scheme == "ecdsa-sha2-nistp256")
        .unwrap();
    assert_eq!(
        (ec.bits, ec.roles.as_slice()),
        (Some(256), &["targets".to_string()][..])
    );
    assert!(t.inconsistencies.is_empty(), "{:#?}", t.inconsistencies);
}

#[test]
fn threshold_above_the_usable_keys_is_unsatisfiable() {
    let r = repo();
    let p = read_repository("repo", &metadata(&r, FUTURE, 3), &files(), &opts()).unwrap();
    let t = p.tuf.as_ref().unwrap();
    let targets = t.roles.iter().find(|r| r.role == "targets").unwrap();
    assert_eq!((targets.threshold, targets.usable_keys), (Some(3), 2));
    assert!(targets.unsatisfiable());
    assert!(
        problems(&p)
            .iter()
            .any(|m| m.contains("signed.roles.targets") && m.contains("can never be met")),
        "{:#?}",
        problems(&p)
    );
}

#[test]
fn snapshot_naming_another_targets_version_and_length_is_inconsistent() {
    let r = repo();
    let mut m = metadata(&r, FUTURE, 2);
    // A targets.json re-released as version 8 without a new snapshot.
    let targets = json!({
        "_type": "targets", "spec_version": "1.0.0", "version": 8, "expires": FUTURE,
        "targets": {}
    });
    m.insert(
        "targets.json".into(),
        sign(targets, &[&r.targets_keys[0], &r.targets_keys[1]]),
    );
    let snapshot = json!({
        "_type": "snapshot", "spec_version": "1.0.0", "version": 9, "expires": FUTURE,
        "meta": {"targets.json": {"version": 7, "length": 3, "hashes": {"sha256": "00".repeat(32)}}}
    });
    let snapshot_bytes = sign(snapshot, &[&r.ts_keys[0], &r.ts_keys[1]]);
    let timestamp = json!({
        "_type": "timestamp", "spec_version": "1.0.0", "version": 11, "expires": FUTURE,
        "meta": {"snapshot.json": {"version": 9, "length": snapshot_bytes.len(),
                 "hashes": {"sha256": sha256_hex(&snapshot_bytes)}}}
    });
    m.insert("snapshot.json".into(), snapshot_bytes);
    m.insert(
        "timestamp.json".into(),
        sign(timestamp, &[&r.ts_keys[0], &r.ts_keys[1]]),
    );
    let p = read_repository("repo", &m, &BTreeMap::new(), &opts()).unwrap();
    let keys: Vec<(&str, &str)> = p
        .tuf
        .as_ref()
        .unwrap()
        .inconsistencies
        .iter()
        .map(|c| (c.file.as_str(), c.key_path.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            (
                "repo/snapshot.json",
                "signed.meta.targets.json.hashes.sha256"
            ),
            ("repo/snapshot.json", "signed.meta.targets.json.length"),
            ("repo/snapshot.json", "signed.meta.targets.json.version"),
        ]
    );
}

#[test]
fn unsupported_and_short_keys_are_weak() {
    use icvsec_update::tuf::TufKey;
    let k = |keytype: &str, bits: Option<u32>, error: Option<&str>| TufKey {
        id: "k".into(),
        roles: vec!["root".into()],
        keytype: keytype.into(),
        scheme: String::new(),
        bits,
        error: error.map(String::from),
    };
    assert!(
        k("rsa", Some(1024), None)
            .weakness()
            .unwrap()
            .contains("1024")
    );
    assert!(k("rsa", Some(2048), None).weakness().is_none());
    assert!(k("ed25519", Some(256), None).weakness().is_none());
    assert!(
        k(
            "rsa",
            None,
            Some("key scheme \"rsassa-pkcs1v15-sha1\" not supported")
        )
        .weakness()
        .unwrap()
        .contains("unusable")
    );
}
