#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;

// A whole repository: the input split at 0xff bytes into root, targets, snapshot,
// timestamp and one target file, so that thresholds, snapshot/timestamp consistency
// (versions, lengths, hashes) and the structured facts are all exercised.
fuzz_target!(|data: &[u8]| {
    let options = icvsec_update::Options {
        as_of: Some(1_780_000_000),
        ..Default::default()
    };
    let mut parts = data.split(|b| *b == 0xff);
    let mut metadata = BTreeMap::new();
    for name in ["root.json", "targets.json", "snapshot.json", "timestamp.json"] {
        if let Some(p) = parts.next() {
            metadata.insert(name.to_string(), p.to_vec());
        }
    }
    let mut targets = BTreeMap::new();
    if let Some(p) = parts.next() {
        targets.insert("fw.bin".to_string(), p.to_vec());
    }
    if let Ok(p) = icvsec_update::tuf::read_repository("repo", &metadata, &targets, &options)
        && let Some(t) = &p.tuf
    {
        for r in &t.roles {
            let _ = r.unsatisfiable();
        }
        for k in &t.keys {
            let _ = k.weakness();
        }
    }
});
