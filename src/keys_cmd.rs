//! `icvsec keys BUILD`: the key-fingerprint inventory (SPKI SHA-256 per ECU and file, as
//! JSON) that a fleet compares across ECUs and builds.

use crate::exit::Exit;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// One key of the inventory.
#[derive(Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct KeyRow {
    spki_sha256: String,
    /// `certificate`, `private_key` or `public_key`.
    kind: &'static str,
    /// Asset id: build-relative path (`#n` for the n-th object of a file).
    id: String,
    file: String,
    line: Option<u32>,
    /// Owning ECU (by its root filesystem), when there is one.
    ecu: Option<String>,
    /// Certificate subject, or the key algorithm.
    describe: String,
}

#[derive(Serialize)]
struct KeyInventory {
    format: &'static str,
    build: String,
    keys: Vec<KeyRow>,
    /// Public keys held in more than one ECU (or by files outside any ECU and an ECU):
    /// SPKI SHA-256 → the ECUs (`-` for none) that hold it.
    shared: BTreeMap<String, Vec<String>>,
}

/// `icvsec keys BUILD [-o FILE] [--blocklist FILE]...`.
pub fn run(path: &Path, output: Option<&Path>, max_file_size: u64) -> i32 {
    let inv = match crate::scan::load_for_export(path, max_file_size) {
        Ok(inv) => inv,
        Err(code) => return code,
    };
    let mut keys = Vec::new();
    for (id, c) in &inv.certificates {
        keys.push(KeyRow {
            spki_sha256: c.cert.spki_sha256.clone(),
            kind: "certificate",
            id: id.clone(),
            file: c.file.to_string(),
            line: c.line,
            ecu: c.ecu.clone(),
            describe: c.cert.subject.clone(),
        });
    }
    for (id, k) in &inv.keys {
        let Some(spki) = &k.key.public_spki_sha256 else {
            continue;
        };
        keys.push(KeyRow {
            spki_sha256: spki.clone(),
            kind: "private_key",
            id: id.clone(),
            file: k.file.to_string(),
            line: k.line,
            ecu: k.ecu.clone(),
            describe: format!("{:?} private key", k.key.algorithm),
        });
    }
    for (id, k) in &inv.public_keys {
        keys.push(KeyRow {
            spki_sha256: k.spki_sha256.clone(),
            kind: "public_key",
            id: id.clone(),
            file: k.file.to_string(),
            line: k.line,
            ecu: k.ecu.clone(),
            describe: k.format.clone(),
        });
    }
    keys.sort();
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &keys {
        let e = by_key.entry(r.spki_sha256.clone()).or_default();
        let ecu = r.ecu.clone().unwrap_or_else(|| "-".into());
        if !e.contains(&ecu) {
            e.push(ecu);
        }
    }
    let shared = by_key
        .into_iter()
        .filter(|(_, ecus)| ecus.len() > 1)
        .map(|(k, mut v)| {
            v.sort();
            (k, v)
        })
        .collect();
    let doc = KeyInventory {
        format: "icvsec-key-inventory/1",
        build: path.display().to_string(),
        keys,
        shared,
    };
    let text = match serde_json::to_string_pretty(&doc) {
        Ok(t) => t + "\n",
        Err(e) => {
            eprintln!("icvsec: error: cannot write the key inventory: {e}");
            return Exit::Usage as i32;
        }
    };
    let result = match output {
        Some(p) => std::fs::write(p, &text),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(text.as_bytes()).and_then(|_| lock.flush())
        }
    };
    match result {
        Ok(()) => Exit::Clean as i32,
        Err(e) if crate::exit::is_broken_pipe(&e) => Exit::Clean as i32,
        Err(e) => {
            eprintln!("icvsec: error: cannot write the key inventory: {e}");
            Exit::Usage as i32
        }
    }
}
