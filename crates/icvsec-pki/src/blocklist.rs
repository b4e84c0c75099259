//! Known-bad key material: a blocklist matched by SPKI SHA-256, by the badkeys
//! truncated SHA-256 of the RSA modulus / EC x coordinate, and by the Debian
//! `openssl-blacklist` SHA-1 fingerprint of the modulus; plus the ROCA fingerprint test
//! (Nemec et al., CCS 2017) computed on the modulus itself.
//!
//! Text format (one entry a line, `#` comments, fields separated by whitespace, the
//! note is the rest of the line):
//!
//! ```text
//! # source <id> <free text: where the list comes from>
//! source icvsec-test icvsec's own test keys (crates/icvsec-pki/tests/data)
//! spki-sha256 <64 hex>  <source id>  <note>
//! modulus-sha256 <30..64 hex>  <source id>  <note>   # badkeys style: SHA-256 of the big-endian
//!                                                     # RSA modulus (or EC x), first 15 bytes compared
//! debian-sha1 <20 hex>  <source id>  <note>           # openssl-blacklist: last 20 hex digits of
//!                                                     # SHA-1("Modulus=<HEX>\n")
//! ```
//!
//! The binary `blocklist.dat` of the badkeys project (16-byte records: 15 bytes of
//! truncated SHA-256, 1 byte list id; sorted) loads with [`KeyBlocklist::add_badkeys_dat`].
//! Look-ups are binary searches in sorted vectors: O(log n) per key, no per-entry
//! allocation.

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

use crate::der::{children, hex, read_tlv};
use crate::{Certificate, PrivateKey, PublicKeyInfo};

/// Bytes of SHA-256 compared in modulus look-ups (the badkeys truncation).
pub const MODULUS_PREFIX: usize = 15;
/// Largest blocklist accepted (entries).
pub const MAX_ENTRIES: usize = 50_000_000;

/// How a key matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    SpkiSha256,
    ModulusSha256,
    DebianSha1,
    /// ROCA fingerprint of the modulus (no list entry; computed).
    RocaFingerprint,
}

/// A listed (or ROCA-vulnerable) key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlocklistHit {
    pub matched_by: MatchedBy,
    /// Source id (`debian-openssl`, `badkeys:3`, `roca`, ...).
    pub source: String,
    /// Source description from the list's `source` line.
    pub source_description: String,
    pub note: String,
    /// The private key itself was found (its public half is listed): anyone holding the
    /// published key can impersonate the device. Critical.
    pub private_key_present: bool,
}

#[derive(Debug, Clone, Default)]
struct Source {
    id: String,
    description: String,
}

/// Loaded blocklist. Build with [`KeyBlocklist::parse`] / `add_*`, then call
/// [`KeyBlocklist::finish`] before look-ups (sorts the indexes).
#[derive(Debug, Clone, Default)]
pub struct KeyBlocklist {
    sources: Vec<Source>,
    notes: Vec<String>,
    spki: Vec<([u8; 32], u32, u32)>,
    modulus: Vec<([u8; MODULUS_PREFIX], u32, u32)>,
    debian: Vec<([u8; 10], u32, u32)>,
    sorted: bool,
}

/// First whitespace-separated token and the trimmed rest.
fn split_token(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim()),
        None => (s, ""),
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

impl KeyBlocklist {
    /// Empty list.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.spki.len() + self.modulus.len() + self.debian.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn source_index(&mut self, id: &str) -> u32 {
        if let Some(i) = self.sources.iter().position(|s| s.id == id) {
            return i as u32;
        }
        self.sources.push(Source {
            id: id.to_string(),
            description: String::new(),
        });
        (self.sources.len() - 1) as u32
    }

    fn note_index(&mut self, note: &str) -> u32 {
        // Notes repeat (one per source usually); keep the last few distinct ones cheap.
        if let Some(i) = self.notes.iter().rev().take(8).position(|n| n == note) {
            return (self.notes.len() - 1 - i) as u32;
        }
        self.notes.push(note.to_string());
        (self.notes.len() - 1) as u32
    }

    fn room(&self, name: &str) -> Result<(), String> {
        if self.len() >= MAX_ENTRIES {
            return Err(format!("{name}: more than {MAX_ENTRIES} entries"));
        }
        Ok(())
    }

    /// Parses the text format; `name` names the file in errors (`name:line`).
    pub fn parse(text: &str, name: &str) -> Result<Self, String> {
        let mut b = Self::new();
        b.add_text(text, name)?;
        b.finish();
        Ok(b)
    }

    /// Adds entries in the text format. Errors name `name:line:column`.
    pub fn add_text(&mut self, text: &str, name: &str) -> Result<(), String> {
        self.sorted = false;
        for (ln, raw) in text.lines().enumerate() {
            let line = raw.split_once(" #").map_or(raw, |x| x.0).trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (kind, rest) = split_token(line);
            let err = |col: usize, m: &str| format!("{name}:{}:{col}: {m}", ln + 1);
            if kind == "source" {
                let (id, desc) = split_token(rest);
                if id.is_empty() {
                    return Err(err(8, "source line without id"));
                }
                let i = self.source_index(id) as usize;
                self.sources[i].description = desc.to_string();
                continue;
            }
            let (value, rest) = split_token(rest);
            let (src, note) = split_token(rest);
            if value.is_empty() {
                return Err(err(kind.len() + 2, "missing hash"));
            }
            if src.is_empty() {
                return Err(err(kind.len() + value.len() + 3, "missing source id"));
            }
            let note = note.to_string();
            let col = raw.find(value).unwrap_or(0) + 1;
            let bytes = unhex(&value.to_ascii_lowercase())
                .ok_or_else(|| err(col, &format!("`{value}` is not hex")))?;
            self.room(name)?;
            let s = self.source_index(src);
            let n = self.note_index(&note);
            match kind {
                "spki-sha256" => {
                    let a: [u8; 32] = bytes
                        .try_into()
                        .map_err(|_| err(col, "spki-sha256 needs 64 hex digits"))?;
                    self.spki.push((a, s, n));
                }
                "modulus-sha256" => {
                    if bytes.len() < MODULUS_PREFIX || bytes.len() > 32 {
                        return Err(err(col, "modulus-sha256 needs 30 to 64 hex digits"));
                    }
                    let mut a = [0u8; MODULUS_PREFIX];
                    a.copy_from_slice(&bytes[..MODULUS_PREFIX]);
                    self.modulus.push((a, s, n));
                }
                "debian-sha1" => {
                    let a: [u8; 10] = bytes
                        .try_into()
                        .map_err(|_| err(col, "debian-sha1 needs 20 hex digits"))?;
                    self.debian.push((a, s, n));
                }
                other => return Err(err(1, &format!("unknown entry kind `{other}`"))),
            }
        }
        Ok(())
    }

    /// Adds a Debian `openssl-blacklist` file (`blacklist.RSA-2048`: 20 hex digits a line).
    pub fn add_debian_openssl_blacklist(
        &mut self,
        text: &str,
        name: &str,
        source: &str,
    ) -> Result<(), String> {
        self.sorted = false;
        let s = self.source_index(source);
        let n = self.note_index(&format!("Debian OpenSSL PRNG weak key ({name})"));
        for (ln, raw) in text.lines().enumerate() {
            let l = raw.trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let a: [u8; 10] = unhex(&l.to_ascii_lowercase())
                .and_then(|v| v.try_into().ok())
                .ok_or_else(|| format!("{name}:{}:1: expected 20 hex digits", ln + 1))?;
            self.room(name)?;
            self.debian.push((a, s, n));
        }
        Ok(())
    }

    /// Adds a badkeys `blocklist.dat` (16-byte records). `list_names` maps list ids to
    /// names (from badkeys' metadata); unknown ids become `badkeys:<id>`.
    pub fn add_badkeys_dat(
        &mut self,
        bytes: &[u8],
        name: &str,
        list_names: &[(u8, String)],
    ) -> Result<(), String> {
        if !bytes.len().is_multiple_of(16) {
            return Err(format!(
                "{name}: {} bytes is not a whole number of 16-byte records (byte offset {})",
                bytes.len(),
                bytes.len() - bytes.len() % 16
            ));
        }
        if bytes.len() / 16 + self.len() > MAX_ENTRIES {
            return Err(format!("{name}: more than {MAX_ENTRIES} entries"));
        }
        self.sorted = false;
        let mut ids: Vec<Option<(u32, u32)>> = vec![None; 256];
        self.modulus.reserve(bytes.len() / 16);
        for rec in bytes.chunks_exact(16) {
            let id = rec[15];
            let (s, n) = match ids[id as usize] {
                Some(x) => x,
                None => {
                    let list = list_names
                        .iter()
                        .find(|(i, _)| *i == id)
                        .map_or_else(|| format!("id{id}"), |(_, n)| n.clone());
                    let s = self.source_index(&format!("badkeys:{list}"));
                    let n = self.note_index(&format!("badkeys blocklist `{list}` ({name})"));
                    ids[id as usize] = Some((s, n));
                    (s, n)
                }
            };
            let mut a = [0u8; MODULUS_PREFIX];
            a.copy_from_slice(&rec[..MODULUS_PREFIX]);
            self.modulus.push((a, s, n));
        }
        Ok(())
    }

    /// Sorts the indexes; required after adding entries.
    pub fn finish(&mut self) {
        self.spki.sort_unstable();
        self.modulus.sort_unstable();
        self.debian.sort_unstable();
        self.sorted = true;
    }

    fn hit(&self, by: MatchedBy, s: u32, n: u32, private: bool) -> BlocklistHit {
        let src = self.sources.get(s as usize).cloned().unwrap_or_default();
        BlocklistHit {
            matched_by: by,
            source: src.id,
            source_description: src.description,
            note: self.notes.get(n as usize).cloned().unwrap_or_default(),
            private_key_present: private,
        }
    }

    /// Looks up one public key given as DER SubjectPublicKeyInfo. Includes the ROCA test.
    pub fn check_spki(&self, spki_der: &[u8], private_key_present: bool) -> Vec<BlocklistHit> {
        debug_assert!(
            self.sorted || self.is_empty(),
            "KeyBlocklist::finish not called"
        );
        let mut out = Vec::new();
        let h: [u8; 32] = digest256(spki_der);
        if let Ok(i) = self.spki.binary_search_by(|e| e.0.cmp(&h)) {
            let (_, s, n) = self.spki[i];
            out.push(self.hit(MatchedBy::SpkiSha256, s, n, private_key_present));
        }
        let key = crate::cert::public_key_from_spki(spki_der).ok();
        if let Some(d) = modulus_sha256_prefix(spki_der)
            && let Ok(i) = self.modulus.binary_search_by(|e| e.0.cmp(&d))
        {
            let (_, s, n) = self.modulus[i];
            out.push(self.hit(MatchedBy::ModulusSha256, s, n, private_key_present));
        }
        if let Some(PublicKeyInfo::Rsa { modulus, .. }) = &key {
            let text = format!("Modulus={}\n", hex(modulus).to_ascii_uppercase());
            let sha1 =
                ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, text.as_bytes());
            let tail: &[u8] = &sha1.as_ref()[10..];
            if let Ok(i) = self.debian.binary_search_by(|e| e.0[..].cmp(tail)) {
                let (_, s, n) = self.debian[i];
                out.push(self.hit(MatchedBy::DebianSha1, s, n, private_key_present));
            }
            if roca_fingerprint(modulus) {
                out.push(BlocklistHit {
                    matched_by: MatchedBy::RocaFingerprint,
                    source: "roca".into(),
                    source_description: "ROCA (CVE-2017-15361): Infineon RSALib key, factorable from the public key (Nemec et al., CCS 2017)".into(),
                    note: "modulus mod every small prime lies in the subgroup generated by 65537".into(),
                    private_key_present,
                });
            }
        }
        out
    }

    /// Looks up a certificate's public key.
    pub fn check_certificate(&self, c: &Certificate) -> Vec<BlocklistHit> {
        match spki_of(&c.der) {
            Some(s) => self.check_spki(s, false),
            None => Vec::new(),
        }
    }

    /// Looks up the public half of a private key (when derivable without a password).
    /// A hit means a published private key is deployed: critical.
    pub fn check_private_key(&self, k: &PrivateKey) -> Vec<BlocklistHit> {
        if let Some(d) = &k.public_spki_der {
            return self.check_spki(d, true);
        }
        // Only the hash is known: SPKI look-up alone.
        let Some(h) = k.public_spki_sha256.as_deref().and_then(unhex) else {
            return Vec::new();
        };
        let Ok(h): Result<[u8; 32], _> = h.try_into() else {
            return Vec::new();
        };
        match self.spki.binary_search_by(|e| e.0.cmp(&h)) {
            Ok(i) => {
                let (_, s, n) = self.spki[i];
                vec![self.hit(MatchedBy::SpkiSha256, s, n, true)]
            }
            Err(_) => Vec::new(),
        }
    }
}

/// The badkeys look-up value of a public key: SHA-256 of the RSA modulus (or EC x
/// coordinate) as big-endian bytes without leading zeros, first 15 bytes. `None` for other
/// key types. Use it to convert a key collection into `modulus-sha256` lines.
pub fn modulus_sha256_prefix(spki_der: &[u8]) -> Option<[u8; MODULUS_PREFIX]> {
    let material = match crate::cert::public_key_from_spki(spki_der).ok()? {
        PublicKeyInfo::Rsa { modulus, .. } => modulus,
        PublicKeyInfo::Ec { .. } => ec_x(spki_der)?,
        _ => return None,
    };
    let d = digest256(&material);
    let mut a = [0u8; MODULUS_PREFIX];
    a.copy_from_slice(&d[..MODULUS_PREFIX]);
    Some(a)
}

fn digest256(b: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, b);
    let mut a = [0u8; 32];
    a.copy_from_slice(d.as_ref());
    a
}

fn spki_of(der: &[u8]) -> Option<&[u8]> {
    let (t, _) = read_tlv(der).ok()?;
    let top = children(t.content).ok()?;
    let tbs = children(top.first()?.content).ok()?;
    let i = if tbs.first()?.tag == 0xa0 { 6 } else { 5 };
    tbs.get(i).map(|x| x.raw)
}

/// x coordinate of an uncompressed or compressed EC point in an SPKI (leading zeros
/// stripped, as an integer's big-endian bytes).
fn ec_x(spki: &[u8]) -> Option<Vec<u8>> {
    let (t, _) = read_tlv(spki).ok()?;
    let kids = children(t.content).ok()?;
    let point = kids.get(1)?.content.get(1..)?;
    let x = match point.first()? {
        0x04 if point.len() % 2 == 1 => &point[1..1 + (point.len() - 1) / 2],
        0x02 | 0x03 => &point[1..],
        _ => return None,
    };
    Some(x.iter().skip_while(|b| **b == 0).copied().collect())
}

/// Primes of the ROCA fingerprint test (the published detector's list).
const ROCA_PRIMES: &[u32] = &[
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// ROCA fingerprint (Nemec, Sys, Svenda, Klinec, Matyas, CCS 2017): Infineon RSALib
/// primes have the form k·M + (65537^a mod M), with M a primorial, so for every small
/// prime p dividing M the modulus N mod p lies in the multiplicative subgroup of Z_p*
/// generated by 65537. A random modulus passes this for all listed primes with negligible
/// probability (the published false-positive rate is below 2^-154 for 2048-bit keys).
pub fn roca_fingerprint(modulus_be: &[u8]) -> bool {
    let n = BigUint::from_bytes_be(modulus_be);
    if n.is_zero() || modulus_be.len() < 32 {
        return false;
    }
    ROCA_PRIMES.iter().all(|&p| {
        let r = (&n % p).to_u32().unwrap_or(0);
        if r == 0 {
            return false;
        }
        // Walk the subgroup generated by 65537 mod p (at most p-1 steps, p <= 167).
        let g = 65537 % p;
        let mut x = 1u32;
        for _ in 0..p {
            if x == r {
                return true;
            }
            x = x * g % p;
            if x == 1 {
                break;
            }
        }
        false
    })
}

/// The blocklist shipped in `rules/params/key-blocklist.txt` (see that file for sources).
pub const DEFAULT_BLOCKLIST: &str = include_str!("../../../rules/params/key-blocklist.txt");

/// Parses [`DEFAULT_BLOCKLIST`].
pub fn default_blocklist() -> KeyBlocklist {
    // The shipped file is tested (unit test `default_blocklist_parses`); an error here
    // would be a build defect, reported as an empty list plus the test failure.
    KeyBlocklist::parse(DEFAULT_BLOCKLIST, "rules/params/key-blocklist.txt").unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_blocklist_parses() {
        let b = KeyBlocklist::parse(DEFAULT_BLOCKLIST, "key-blocklist.txt").unwrap();
        assert!(!b.is_empty());
    }

    #[test]
    fn text_errors_name_line_and_column() {
        let e = KeyBlocklist::parse("spki-sha256 zz src note\n", "x.txt").unwrap_err();
        assert!(e.starts_with("x.txt:1:13:"), "{e}");
        let e = KeyBlocklist::parse("\nfoo 00 s\n", "x.txt").unwrap_err();
        assert!(e.starts_with("x.txt:2:1: unknown entry kind"), "{e}");
        let e = KeyBlocklist::parse("spki-sha256 00 s\n", "x.txt").unwrap_err();
        assert!(e.contains("64 hex digits"), "{e}");
    }

    #[test]
    fn roca_constructed_modulus_is_detected() {
        // N = k*M + 65537^a mod M with M the product of the ROCA primes: the structure of
        // RSALib moduli. A random odd number is not flagged.
        let m: BigUint = ROCA_PRIMES.iter().map(|&p| BigUint::from(p)).product();
        let g = BigUint::from(65537u32).modpow(&BigUint::from(123_457u32), &m);
        let k = BigUint::from(0xdead_beef_cafe_f00du64).pow(16);
        let n = k * &m + g;
        assert!(roca_fingerprint(&n.to_bytes_be()));
        let other = n + BigUint::from(2u32);
        assert!(!roca_fingerprint(&other.to_bytes_be()));
    }
}
