//! Version strings found by signature in binaries, in the manner of cve-bin-tool's
//! checkers: a fixed anchor ("OpenSSL ", "OpenSSH_", ...) found with a SIMD substring search,
//! then a small hand-written grammar for the version that follows. No regex runs per byte,
//! and at most `Limits::max_scan_bytes` are looked at.

use super::src;
use crate::component::{Component, Ecosystem, Place, make_cpe, make_purl};
use crate::error::{Limits, VulnError};
use memchr::memmem;
use std::collections::BTreeMap;
use std::io::Read;

/// What may follow the numeric part of a version.
#[derive(Clone, Copy)]
enum Suffix {
    None,
    /// OpenSSL letter releases: up to two lower-case letters ("1.1.1k", "1.0.2zh").
    Letters,
    /// OpenSSH portable: "p" and digits ("8.4p1").
    PNum,
}

/// What must come right after the version for the hit to count.
#[derive(Clone, Copy)]
enum Follow {
    /// Not a digit, letter or '.' (end of the token).
    TokenEnd,
    /// OpenSSL: spaces then the release date's day, or "-fips"/NUL.
    OpensslDate,
}

struct Signature {
    anchor: &'static [u8],
    product: &'static str,
    vendor: &'static str,
    cpe_product: &'static str,
    min_parts: usize,
    max_parts: usize,
    suffix: Suffix,
    follow: Follow,
    /// Skip spaces and a quote between anchor and version (C header defines).
    skip_quote: bool,
    /// The anchor must not be glued to a preceding letter/digit (except these prefixes).
    allowed_prefix: &'static [&'static [u8]],
}

const fn sig(
    anchor: &'static [u8],
    product: &'static str,
    vendor: &'static str,
    cpe_product: &'static str,
    (min_parts, max_parts): (usize, usize),
    suffix: Suffix,
    follow: Follow,
) -> Signature {
    Signature {
        anchor,
        product,
        vendor,
        cpe_product,
        min_parts,
        max_parts,
        suffix,
        follow,
        skip_quote: false,
        allowed_prefix: &[],
    }
}

static SIGNATURES: &[Signature] = &[
    sig(
        b"OpenSSL ",
        "openssl",
        "openssl",
        "openssl",
        (3, 3),
        Suffix::Letters,
        Follow::OpensslDate,
    ),
    sig(
        b"OpenSSH_",
        "openssh",
        "openbsd",
        "openssh",
        (2, 2),
        Suffix::PNum,
        Follow::TokenEnd,
    ),
    sig(
        b"dropbear_",
        "dropbear",
        "dropbear_ssh_project",
        "dropbear_ssh",
        (2, 2),
        Suffix::None,
        Follow::TokenEnd,
    ),
    sig(
        b"Dropbear SSH server v",
        "dropbear",
        "dropbear_ssh_project",
        "dropbear_ssh",
        (2, 2),
        Suffix::None,
        Follow::TokenEnd,
    ),
    sig(
        b"Dropbear sshd v",
        "dropbear",
        "dropbear_ssh_project",
        "dropbear_ssh",
        (2, 2),
        Suffix::None,
        Follow::TokenEnd,
    ),
    sig(
        b"BusyBox v",
        "busybox",
        "busybox",
        "busybox",
        (3, 3),
        Suffix::None,
        Follow::TokenEnd,
    ),
    sig(
        b"mbed TLS ",
        "mbedtls",
        "arm",
        "mbed_tls",
        (3, 3),
        Suffix::None,
        Follow::TokenEnd,
    ),
    sig(
        b"Mbed TLS ",
        "mbedtls",
        "arm",
        "mbed_tls",
        (3, 3),
        Suffix::None,
        Follow::TokenEnd,
    ),
    sig(
        b"wolfSSL ",
        "wolfssl",
        "wolfssl",
        "wolfssl",
        (3, 3),
        Suffix::None,
        Follow::TokenEnd,
    ),
    Signature {
        skip_quote: true,
        ..sig(
            b"LIBWOLFSSL_VERSION_STRING",
            "wolfssl",
            "wolfssl",
            "wolfssl",
            (3, 3),
            Suffix::None,
            Follow::TokenEnd,
        )
    },
    Signature {
        allowed_prefix: &[b"lib"],
        ..sig(
            b"curl/",
            "curl",
            "haxx",
            "curl",
            (3, 3),
            Suffix::None,
            Follow::TokenEnd,
        )
    },
];

/// One version string found in a binary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Detection {
    pub product: &'static str,
    pub version: String,
    /// Byte offset of the first hit.
    pub offset: u64,
    /// The anchor that matched (e.g. "OpenSSL ").
    pub anchor: String,
    /// How many hits agreed on this version.
    pub hits: usize,
}

/// The result of scanning one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryScan {
    pub components: Vec<Component>,
    pub detections: Vec<Detection>,
    pub scanned_bytes: u64,
    /// True when the file is larger than the scan bound (the rest was not looked at).
    pub truncated: bool,
}

fn take_version(data: &[u8], mut i: usize, s: &Signature) -> Option<String> {
    if s.skip_quote {
        let start = i;
        while i < data.len() && i - start < 16 && matches!(data[i], b' ' | b'\t' | b'"') {
            i += 1;
        }
    }
    let start = i;
    let mut parts = 0;
    loop {
        let d0 = i;
        while i < data.len() && data[i].is_ascii_digit() && i - d0 < 6 {
            i += 1;
        }
        if i == d0 {
            return None;
        }
        parts += 1;
        if parts < s.max_parts
            && i + 1 < data.len()
            && data[i] == b'.'
            && data[i + 1].is_ascii_digit()
        {
            i += 1;
            continue;
        }
        break;
    }
    if parts < s.min_parts {
        return None;
    }
    match s.suffix {
        Suffix::None => {}
        Suffix::Letters => {
            let l0 = i;
            while i < data.len() && data[i].is_ascii_lowercase() && i - l0 < 2 {
                i += 1;
            }
        }
        Suffix::PNum => {
            if i + 1 < data.len() && data[i] == b'p' && data[i + 1].is_ascii_digit() {
                i += 1;
                while i < data.len() && data[i].is_ascii_digit() && i - start < 20 {
                    i += 1;
                }
            }
        }
    }
    let next = data.get(i).copied();
    let ok = match s.follow {
        Follow::TokenEnd => !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.'),
        Follow::OpensslDate => match next {
            None | Some(0) | Some(b'-') => true,
            Some(b' ') => {
                let mut k = i;
                while k < data.len() && data[k] == b' ' && k - i < 4 {
                    k += 1;
                }
                data.get(k).is_some_and(|c| c.is_ascii_digit())
            }
            _ => false,
        },
    };
    ok.then(|| String::from_utf8_lossy(&data[start..i]).into_owned())
}

/// Scans bytes already in memory (only the first `max_scan_bytes` are looked at).
pub fn scan_bytes(file: &str, data: &[u8], limits: &Limits) -> BinaryScan {
    let cap = (limits.max_scan_bytes.min(usize::MAX as u64)) as usize;
    let truncated = data.len() > cap;
    let data = &data[..data.len().min(cap)];
    let mut found: BTreeMap<(&'static str, String), Detection> = BTreeMap::new();
    for s in SIGNATURES {
        for pos in memmem::find_iter(data, s.anchor) {
            if pos > 0 && data[pos - 1].is_ascii_alphanumeric() {
                let glued_ok = s.allowed_prefix.iter().any(|p| {
                    pos >= p.len()
                        && &data[pos - p.len()..pos] == *p
                        && (pos == p.len() || !data[pos - p.len() - 1].is_ascii_alphanumeric())
                });
                if !glued_ok {
                    continue;
                }
            }
            let Some(v) = take_version(data, pos + s.anchor.len(), s) else {
                continue;
            };
            let e = found
                .entry((s.product, v.clone()))
                .or_insert_with(|| Detection {
                    product: s.product,
                    version: v,
                    offset: pos as u64,
                    anchor: String::from_utf8_lossy(s.anchor).into_owned(),
                    hits: 0,
                });
            e.hits += 1;
            if (pos as u64) < e.offset {
                e.offset = pos as u64;
                e.anchor = String::from_utf8_lossy(s.anchor).into_owned();
            }
            if found.len() > 256 {
                break;
            }
        }
    }
    let detections: Vec<Detection> = found.into_values().collect();
    let components = detections
        .iter()
        .map(|d| {
            let s = SIGNATURES
                .iter()
                .find(|s| s.product == d.product)
                .map(|s| (s.vendor, s.cpe_product))
                .unwrap_or((d.product, d.product));
            let mut c = Component::new(
                d.product,
                &d.version,
                Ecosystem::Generic,
                src(
                    file,
                    Place::ByteOffset(d.offset),
                    &format!("binary-signature \"{}\"", d.anchor),
                ),
            );
            c.purl = Some(make_purl("generic", None, d.product, &d.version, &[]));
            c.cpe = Some(make_cpe('a', s.0, s.1, &d.version));
            c
        })
        .collect();
    BinaryScan {
        components,
        detections,
        scanned_bytes: data.len() as u64,
        truncated,
    }
}

/// Reads at most `max_scan_bytes` of a file and scans it.
pub fn scan_file(path: &std::path::Path, limits: &Limits) -> Result<BinaryScan, VulnError> {
    let name = path.display().to_string();
    let f = std::fs::File::open(path).map_err(|e| VulnError::new(&name, "open", e.to_string()))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut buf = Vec::new();
    f.take(limits.max_scan_bytes)
        .read_to_end(&mut buf)
        .map_err(|e| VulnError::new(&name, "read", e.to_string()))?;
    let mut scan = scan_bytes(&name, &buf, limits);
    scan.truncated |= len > limits.max_scan_bytes;
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(data: &[u8]) -> Vec<(String, String)> {
        scan_bytes("blob", data, &Limits::default())
            .components
            .into_iter()
            .map(|c| (c.name, c.version))
            .collect()
    }

    #[test]
    fn each_signature() {
        let cases: &[(&[u8], &str, &str)] = &[
            (b"\0OpenSSL 1.1.1k  25 Mar 2021\0", "openssl", "1.1.1k"),
            (b"\0OpenSSL 3.0.2 15 Mar 2022\0", "openssl", "3.0.2"),
            (b"\0OpenSSL 1.0.2zh-fips\0", "openssl", "1.0.2zh"),
            (b"SSH-2.0-OpenSSH_8.4p1 Debian", "openssh", "8.4p1"),
            (b"OpenSSH_9.3\0", "openssh", "9.3"),
            (b"\0dropbear_2020.81\0", "dropbear", "2020.81"),
            (b"Dropbear SSH server v2022.83\n", "dropbear", "2022.83"),
            (
                b"BusyBox v1.33.1 (2021-06-30 12:00:00 UTC)",
                "busybox",
                "1.33.1",
            ),
            (b"\0mbed TLS 2.16.0\0", "mbedtls", "2.16.0"),
            (b"\0Mbed TLS 3.4.0\0", "mbedtls", "3.4.0"),
            (b"\0wolfSSL 4.8.1\0", "wolfssl", "4.8.1"),
            (
                b"#define LIBWOLFSSL_VERSION_STRING \"5.5.4\"\n",
                "wolfssl",
                "5.5.4",
            ),
            (b"User-Agent: curl/7.79.1\r\n", "curl", "7.79.1"),
            (b"\0libcurl/7.68.0 OpenSSL/1.1.1f\0", "curl", "7.68.0"),
        ];
        for (data, p, v) in cases {
            assert_eq!(
                found(data),
                vec![(p.to_string(), v.to_string())],
                "{:?}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn near_misses_are_ignored() {
        for data in [
            &b"OpenSSL 1.1 or later is required"[..],
            b"OpenSSL 1.1.1 or later",
            b"pycurl/7.43.0.6",
            b"BusyBox v1.3",
            b"OpenSSH_",
            b"curl/",
            b"OpenSSL 1.1.1k25",
        ] {
            assert!(
                found(data).is_empty(),
                "{:?}",
                String::from_utf8_lossy(data)
            );
        }
    }

    #[test]
    fn first_offset_and_hits_and_bound() {
        let mut blob = vec![0u8; 1000];
        blob.extend_from_slice(b"OpenSSL 1.1.1k  25 Mar 2021\0");
        blob.extend_from_slice(b"OpenSSL 1.1.1k  25 Mar 2021\0");
        let s = scan_bytes("b", &blob, &Limits::default());
        assert_eq!(s.detections[0].offset, 1000);
        assert_eq!(s.detections[0].hits, 2);
        assert_eq!(s.components[0].sources[0].place, Place::ByteOffset(1000));
        let small = Limits {
            max_scan_bytes: 500,
            ..Limits::default()
        };
        let s = scan_bytes("b", &blob, &small);
        assert!(s.truncated && s.components.is_empty() && s.scanned_bytes == 500);
    }
}
