//! Writes the Uptane/TUF rule fixtures (ICV-PKG-005, -006, -007) with real Ed25519
//! signatures over canonical JSON:
//!
//!   cargo run -p icvsec-update --example gen-tuf-fixtures -- fixtures/rules
//!
//! Each fixture is a tiny build: `vehicle.json`, `ecus/tbox.json` and one repository in
//! `updates/tbox/tuf/` (root, targets, snapshot, timestamp and `targets/tbox-fw.bin`).
//! The keys are TEST KEYS derived from fixed seeds (never trust them); Ed25519 signatures
//! are deterministic, so regenerating gives the same bytes.
//!
//! - pass (all three rules): thresholds 2 of 2, expiry 2099, consistent snapshot/timestamp.
//! - ICV-PKG-005/fail: the timestamp expired 2024-01-01.
//! - ICV-PKG-006/fail: root threshold 1 on a production build; targets threshold 3 with two
//!   usable keys and a third listed with an unsupported SHA-1 RSA scheme.
//! - ICV-PKG-007/fail: the snapshot names targets version 6 and a wrong length, the
//!   targets shipped are version 7.

use std::path::Path;

use icvsec_update::tuf::canonical_json;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{Map, Value, json};

const FIRMWARE: &[u8] = b"ACME T-Box firmware 7 (fixture)\n";
const FUTURE: &str = "2099-01-01T00:00:00Z";
const PAST: &str = "2024-01-01T00:00:00Z";

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sha256_hex(b: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

struct Key {
    id: String,
    public: Value,
    pair: Option<Ed25519KeyPair>,
}

fn key_id(k: &Value) -> String {
    sha256_hex(&canonical_json(k).expect("canonical"))
}

fn ed(seed: u8) -> Key {
    let pair = Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).expect("seed");
    let public = json!({
        "keytype": "ed25519",
        "scheme": "ed25519",
        "keyid_hash_algorithms": ["sha256", "sha512"],
        "keyval": {"public": hex(pair.public_key().as_ref())}
    });
    Key {
        id: key_id(&public),
        public,
        pair: Some(pair),
    }
}

/// A listed key whose scheme no client should accept (RSA with SHA-1); never signs.
fn sha1_rsa() -> Key {
    let public = json!({
        "keytype": "rsa",
        "scheme": "rsassa-pkcs1v15-sha1",
        "keyval": {"public": "-----BEGIN PUBLIC KEY-----\nnot used: the scheme is refused before the key is read\n-----END PUBLIC KEY-----\n"}
    });
    Key {
        id: key_id(&public),
        public,
        pair: None,
    }
}

fn sign(signed: Value, keys: &[&Key]) -> Vec<u8> {
    let msg = canonical_json(&signed).expect("canonical");
    let sigs: Vec<Value> = keys
        .iter()
        .filter_map(|k| {
            k.pair
                .as_ref()
                .map(|p| json!({"keyid": k.id, "sig": hex(p.sign(&msg).as_ref())}))
        })
        .collect();
    let mut out =
        serde_json::to_vec_pretty(&json!({"signed": signed, "signatures": sigs})).expect("json");
    out.push(b'\n');
    out
}

struct Variant {
    root_threshold: u64,
    targets_threshold: u64,
    weak_targets_key: bool,
    timestamp_expires: &'static str,
    snapshot_targets_version: u64,
    snapshot_targets_length_delta: i64,
}

const GOOD: Variant = Variant {
    root_threshold: 2,
    targets_threshold: 2,
    weak_targets_key: false,
    timestamp_expires: FUTURE,
    snapshot_targets_version: 7,
    snapshot_targets_length_delta: 0,
};

fn repository(v: &Variant) -> Vec<(&'static str, Vec<u8>)> {
    let root_keys = [ed(11), ed(12)];
    let targets_keys = [ed(13), ed(14)];
    let snapshot_keys = [ed(15), ed(16)];
    let timestamp_keys = [ed(17), ed(18)];
    let weak = sha1_rsa();
    let mut keys = Map::new();
    for k in root_keys
        .iter()
        .chain(&targets_keys)
        .chain(&snapshot_keys)
        .chain(&timestamp_keys)
    {
        keys.insert(k.id.clone(), k.public.clone());
    }
    let mut targets_ids: Vec<String> = targets_keys.iter().map(|k| k.id.clone()).collect();
    if v.weak_targets_key {
        keys.insert(weak.id.clone(), weak.public.clone());
        targets_ids.push(weak.id.clone());
    }
    let ids = |ks: &[Key]| ks.iter().map(|k| k.id.clone()).collect::<Vec<_>>();
    let root = json!({
        "_type": "root", "spec_version": "1.0.0", "version": 1, "expires": FUTURE,
        "consistent_snapshot": false, "keys": keys,
        "roles": {
            "root": {"keyids": ids(&root_keys), "threshold": v.root_threshold},
            "targets": {"keyids": targets_ids, "threshold": v.targets_threshold},
            "snapshot": {"keyids": ids(&snapshot_keys), "threshold": 2},
            "timestamp": {"keyids": ids(&timestamp_keys), "threshold": 2}
        }
    });
    let targets = json!({
        "_type": "targets", "spec_version": "1.0.0", "version": 7, "expires": FUTURE,
        "targets": {
            "tbox-fw.bin": {
                "length": FIRMWARE.len(),
                "hashes": {"sha256": sha256_hex(FIRMWARE)},
                "custom": {"hardwareId": "acme-tbox-imx8"}
            }
        }
    });
    let targets_bytes = sign(targets, &[&targets_keys[0], &targets_keys[1]]);
    let length = targets_bytes.len() as i64 + v.snapshot_targets_length_delta;
    let snapshot = json!({
        "_type": "snapshot", "spec_version": "1.0.0", "version": 9, "expires": FUTURE,
        "meta": {"targets.json": {"version": v.snapshot_targets_version, "length": length,
                 "hashes": {"sha256": sha256_hex(&targets_bytes)}}}
    });
    let snapshot_bytes = sign(snapshot, &[&snapshot_keys[0], &snapshot_keys[1]]);
    let timestamp = json!({
        "_type": "timestamp", "spec_version": "1.0.0", "version": 11,
        "expires": v.timestamp_expires,
        "meta": {"snapshot.json": {"version": 9, "length": snapshot_bytes.len(),
                 "hashes": {"sha256": sha256_hex(&snapshot_bytes)}}}
    });
    let timestamp_bytes = sign(timestamp, &[&timestamp_keys[0], &timestamp_keys[1]]);
    let root_signers: Vec<&Key> = root_keys.iter().collect();
    vec![
        ("root.json", sign(root, &root_signers)),
        ("targets.json", targets_bytes),
        ("snapshot.json", snapshot_bytes),
        ("timestamp.json", timestamp_bytes),
        ("targets/tbox-fw.bin", FIRMWARE.to_vec()),
    ]
}

const VEHICLE: &str = r#"{
  "schema_version": 1,
  "vehicle": { "model": "fixture", "markets": ["CN", "EU"], "stage": "production" },
  "ecus": [ { "id": "tbox", "role": "tbox", "config": "ecus/tbox.json" } ],
  "networks": []
}
"#;

const ECU: &str = r#"{
  "schema_version": 1,
  "ecu": "tbox",
  "os": "linux",
  "software_update": { "channel": "ota", "signature_verification": true, "installed_version": "6" },
  "services": []
}
"#;

fn write(dir: &Path, v: &Variant) -> std::io::Result<()> {
    std::fs::create_dir_all(dir.join("ecus"))?;
    std::fs::write(dir.join("vehicle.json"), VEHICLE)?;
    std::fs::write(dir.join("ecus/tbox.json"), ECU)?;
    let repo = dir.join("updates/tbox/tuf");
    std::fs::create_dir_all(repo.join("targets"))?;
    for (name, bytes) in repository(v) {
        std::fs::write(repo.join(name), bytes)?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/rules".into());
    let out = Path::new(&out);
    for rule in ["ICV-PKG-005", "ICV-PKG-006", "ICV-PKG-007"] {
        write(&out.join(rule).join("pass"), &GOOD)?;
    }
    write(
        &out.join("ICV-PKG-005/fail"),
        &Variant {
            timestamp_expires: PAST,
            ..GOOD
        },
    )?;
    write(
        &out.join("ICV-PKG-006/fail"),
        &Variant {
            root_threshold: 1,
            targets_threshold: 3,
            weak_targets_key: true,
            ..GOOD
        },
    )?;
    write(
        &out.join("ICV-PKG-007/fail"),
        &Variant {
            snapshot_targets_version: 6,
            snapshot_targets_length_delta: 5,
            ..GOOD
        },
    )?;
    println!("TUF fixtures written under {}", out.display());
    Ok(())
}
