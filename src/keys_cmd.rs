//! Known-bad key lists given by the user (`--blocklist FILE`, repeatable) and
//! `icvsec keys BUILD`: the key-fingerprint inventory (SPKI SHA-256 per ECU and file, as
//! JSON) that a fleet compares across ECUs and builds.

use crate::exit::Exit;
use icvsec_pki::KeyBlocklist;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest user blocklist file read (a badkeys blocklist.dat is a few hundred MB).
pub const MAX_BLOCKLIST_FILE: u64 = 1 << 30;

/// The shipped list plus each user file, in the format the file is in:
/// * `*.dat`: badkeys `blocklist.dat` (16-byte records);
/// * a text file whose every entry is 20 hex digits: a Debian `openssl-blacklist` file;
/// * otherwise the icvsec text format (`spki-sha256` / `modulus-sha256` / `debian-sha1`
///   lines, `source` lines; see rules/params/key-blocklist.txt).
///
/// Errors name the file and the line (and column) at fault.
pub fn load_blocklists(paths: &[PathBuf]) -> Result<Arc<KeyBlocklist>, String> {
    let mut b = KeyBlocklist::new();
    b.add_text(
        icvsec_pki::blocklist::DEFAULT_BLOCKLIST,
        "rules/params/key-blocklist.txt",
    )?;
    for p in paths {
        let name = p.display().to_string();
        let f = std::fs::File::open(p).map_err(|e| format!("--blocklist {name}: {e}"))?;
        let mut bytes = Vec::new();
        f.take(MAX_BLOCKLIST_FILE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("--blocklist {name}: {e}"))?;
        if bytes.len() as u64 > MAX_BLOCKLIST_FILE {
            return Err(format!(
                "--blocklist {name}: larger than the limit of {MAX_BLOCKLIST_FILE} bytes"
            ));
        }
        if name.to_ascii_lowercase().ends_with(".dat") {
            b.add_badkeys_dat(&bytes, &name, &[])?;
            continue;
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            format!(
                "{name}: not UTF-8 text (invalid byte at offset {}); a badkeys list must be named *.dat",
                e.utf8_error().valid_up_to()
            )
        })?;
        let entries: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        let debian = !entries.is_empty()
            && entries
                .iter()
                .all(|l| l.len() == 20 && l.bytes().all(|c| c.is_ascii_hexdigit()));
        if debian {
            b.add_debian_openssl_blacklist(&text, &name, "debian-openssl")?;
        } else {
            b.add_text(&text, &name)?;
        }
    }
    b.finish();
    Ok(Arc::new(b))
}

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
            file: c.file.clone(),
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
            file: k.file.clone(),
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
            file: k.file.clone(),
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
