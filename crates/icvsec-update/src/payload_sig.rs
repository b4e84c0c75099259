//! Signatures inside an A/B `payload.bin` (update_engine), checked against RSA keys.
//!
//! * Metadata signature: the `Signatures` protobuf right after the manifest signs
//!   header + manifest.
//! * Payload signature: the `Signatures` blob at `data_offset + signatures_offset`
//!   (fields 4 and 5 of the DeltaArchiveManifest) signs the payload up to that blob,
//!   without the metadata signature.
//!
//! Each signature is RSA PKCS#1 v1.5 over SHA-256. The payload digest is computed in
//! 1 MiB chunks and the RSA public operation applied to it, so a multi-gigabyte payload
//! is never copied. Results go to `details` (`payload.metadata-signature`,
//! `payload.signature`) and failures to `problems`.

use num_bigint::BigUint;

use crate::keys::{self, Hash, KeyType, PublicKey, Scheme};
use crate::{UpdatePackage, der};

/// payload.bin header.
#[derive(Debug, Clone, Copy)]
pub struct PayloadHeader {
    pub version: u64,
    pub manifest_size: u64,
    pub metadata_signature_size: u32,
}

impl PayloadHeader {
    /// Bytes covered by METADATA_HASH: header and manifest.
    pub fn metadata_len(&self) -> u64 {
        let hdr: u64 = if self.version >= 2 { 24 } else { 20 };
        hdr.saturating_add(self.manifest_size)
    }
}

const MAX_SIGS: usize = 16;
/// DigestInfo prefix for SHA-256 (RFC 8017 9.2 note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// One protobuf field: number, wire type, and its bytes (varint value or payload).
enum Field<'a> {
    Varint(u32, u64),
    Bytes(u32, &'a [u8]),
    Fixed32(u32, u32),
    Other,
}

fn varint(b: &[u8], i: &mut usize) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*i).ok_or("truncated varint")?;
        *i += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint longer than 10 bytes".into())
}

/// Top-level fields of a protobuf message (no recursion), at most `max`.
fn fields(b: &[u8], max: usize) -> Result<Vec<Field<'_>>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if out.len() >= max {
            return Err(format!("more than {max} protobuf fields"));
        }
        let key = varint(b, &mut i)?;
        let (num, wt) = ((key >> 3) as u32, key & 7);
        out.push(match wt {
            0 => Field::Varint(num, varint(b, &mut i)?),
            1 => {
                i = i
                    .checked_add(8)
                    .filter(|e| *e <= b.len())
                    .ok_or("truncated fixed64")?;
                Field::Other
            }
            2 => {
                let len = usize::try_from(varint(b, &mut i)?).map_err(|_| "length overflow")?;
                let end = i
                    .checked_add(len)
                    .filter(|e| *e <= b.len())
                    .ok_or("length-delimited field runs past the message")?;
                let f = Field::Bytes(num, &b[i..end]);
                i = end;
                f
            }
            5 => {
                let v = b.get(i..i + 4).ok_or("truncated fixed32")?;
                i += 4;
                Field::Fixed32(num, u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
            }
            w => return Err(format!("protobuf wire type {w} not supported")),
        });
    }
    Ok(out)
}

/// Signature blobs of a `Signatures` message (unpadded to `unpadded_signature_size`).
fn signatures(blob: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    for f in fields(blob, MAX_SIGS)? {
        if let Field::Bytes(1, sig) = f {
            let mut data = None;
            let mut unpadded = None;
            for g in fields(sig, 16)? {
                match g {
                    Field::Bytes(2, d) => data = Some(d),
                    Field::Fixed32(3, n) => unpadded = Some(n as usize),
                    _ => {}
                }
            }
            let d = data.ok_or("Signature without data")?;
            let d = match unpadded {
                Some(n) if n <= d.len() => &d[..n],
                _ => d,
            };
            out.push(d.to_vec());
        }
    }
    if out.is_empty() {
        return Err("Signatures message holds no signature".into());
    }
    Ok(out)
}

/// RSA PKCS#1 v1.5 verification of a SHA-256 digest (public operation + EMSA compare).
fn rsa_verify_digest(key: &PublicKey, digest: &[u8], sig: &[u8]) -> Result<(), String> {
    let KeyType::Rsa { bits } = key.kind else {
        return Err("payload signatures are checked with RSA keys only".into());
    };
    if bits < 2048 {
        return Err(format!(
            "RSA key of {bits} bits is below 2048 bits and is not verified"
        ));
    }
    let seq = der::read_exact(&key.key, 0).map_err(|f| f.message)?;
    let parts = seq.children(2).map_err(|f| f.message)?;
    let (Some(n), Some(e)) = (parts.first(), parts.get(1)) else {
        return Err("malformed RSA public key".into());
    };
    let n = BigUint::from_bytes_be(n.content);
    let e = BigUint::from_bytes_be(e.content);
    let k = (bits as usize).div_ceil(8);
    if sig.len() != k {
        return Err(format!(
            "signature of {} bytes for a {k}-byte modulus",
            sig.len()
        ));
    }
    let s = BigUint::from_bytes_be(sig);
    if s >= n {
        return Err("signature value not below the modulus".into());
    }
    let m = s.modpow(&e, &n).to_bytes_be();
    let mut em = vec![0u8; k - m.len()];
    em.extend_from_slice(&m);
    let t_len = SHA256_DIGEST_INFO.len() + digest.len();
    if k < t_len + 11 {
        return Err("modulus too short".into());
    }
    let mut want = vec![0x00, 0x01];
    want.resize(k - t_len - 1, 0xff);
    want.push(0x00);
    want.extend_from_slice(&SHA256_DIGEST_INFO);
    want.extend_from_slice(digest);
    if em == want {
        Ok(())
    } else {
        Err("signature does not verify".into())
    }
}

/// Checks both signatures and records the outcome in `pkg`.
pub(crate) fn check(
    name: &str,
    payload: &[u8],
    h: &PayloadHeader,
    keys: &[PublicKey],
    own_keys: bool,
    pkg: &mut UpdatePackage,
) {
    let place = format!("{name}: payload.bin");
    let meta_len = h.metadata_len() as usize;
    let sig_len = h.metadata_signature_size as usize;
    let data_offset = meta_len + sig_len; // header check guarantees it fits
    let suffix = if own_keys {
        " (against the package's own otacert only)"
    } else {
        ""
    };
    let verdict = |r: Result<(), String>| match r {
        Ok(()) => format!("verified{suffix}"),
        Err(m) => m,
    };
    if keys.is_empty() {
        pkg.details.insert(
            "payload.signatures".into(),
            "not checked: no key (anchor or otacert)".into(),
        );
        return;
    }

    // Metadata signature.
    let meta = if sig_len == 0 {
        Err("absent".to_string())
    } else {
        signatures(&payload[meta_len..data_offset]).and_then(|sigs| {
            any_verifies(keys, &sigs, |k, s| {
                keys::verify(k, Scheme::RsaPkcs1(Hash::Sha256), &payload[..meta_len], s)
            })
        })
    };
    if let Err(m) = &meta
        && m != "absent"
    {
        pkg.problem(format!("{place} metadata signature"), m.clone());
    }
    pkg.details
        .insert("payload.metadata-signature".into(), verdict(meta));

    // Payload signature: manifest fields 4 (signatures_offset) and 5 (signatures_size).
    let manifest = &payload[h.metadata_len() as usize - h.manifest_size as usize..meta_len];
    let r = (|| -> Result<(), String> {
        let fs = fields(manifest, 1_000_000)?;
        let get = |n: u32| {
            fs.iter().find_map(|f| match f {
                Field::Varint(m, v) if *m == n => Some(*v),
                _ => None,
            })
        };
        let (Some(off), Some(size)) = (get(4), get(5)) else {
            return Err("absent".into());
        };
        let start = (data_offset as u64)
            .checked_add(off)
            .filter(|s| *s <= payload.len() as u64)
            .ok_or("signatures_offset lies past the payload")? as usize;
        let end = (start as u64)
            .checked_add(size)
            .filter(|e| *e <= payload.len() as u64)
            .ok_or("signature blob runs past the payload")? as usize;
        let sigs = signatures(&payload[start..end])?;
        let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
        for c in payload[..meta_len]
            .chunks(crate::hash::CHUNK)
            .chain(payload[data_offset..start].chunks(crate::hash::CHUNK))
        {
            ctx.update(c);
        }
        let digest = ctx.finish();
        any_verifies(keys, &sigs, |k, s| rsa_verify_digest(k, digest.as_ref(), s))
    })();
    if let Err(m) = &r
        && m != "absent"
    {
        pkg.problem(format!("{place} payload signature"), m.clone());
    }
    pkg.details.insert("payload.signature".into(), verdict(r));
}

fn any_verifies(
    keys: &[PublicKey],
    sigs: &[Vec<u8>],
    f: impl Fn(&PublicKey, &[u8]) -> Result<(), String>,
) -> Result<(), String> {
    let mut last = String::from("no signature");
    for s in sigs {
        for k in keys {
            match f(k, s) {
                Ok(()) => return Ok(()),
                Err(e) => last = e,
            }
        }
    }
    Err(format!(
        "bad signature: none of {} signature(s) verifies with the {} key(s): {last}",
        sigs.len(),
        keys.len()
    ))
}
