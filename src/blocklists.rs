//! Known-bad key lists given by the user (`--blocklist FILE`, repeatable), read with the
//! list icvsec ships.

use icvsec_pki::KeyBlocklist;
use std::io::Read;
use std::path::PathBuf;
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
