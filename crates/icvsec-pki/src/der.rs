//! Minimal, bounds-checked DER reader and writer used for the few structures
//! x509-parser does not expose raw (AlgorithmIdentifiers, private keys).

/// One DER element: tag byte, content, and the complete encoding.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// Why a DER element could not be read, with the byte offset relative to the
/// slice handed to [`read_tlv`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DerFault {
    pub offset: usize,
    pub message: String,
}

/// Reads one TLV at the start of `input`; returns it and the remaining bytes.
pub(crate) fn read_tlv(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), DerFault> {
    let fault = |offset: usize, message: String| DerFault { offset, message };
    let tag = *input
        .first()
        .ok_or_else(|| fault(0, "expected a DER element, found end of data".into()))?;
    if tag & 0x1f == 0x1f {
        return Err(fault(
            0,
            format!("multi-byte tag 0x{tag:02x} not supported"),
        ));
    }
    let first = *input
        .get(1)
        .ok_or_else(|| fault(1, "truncated DER: length byte missing".into()))?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2usize)
    } else if first == 0x80 {
        return Err(fault(1, "indefinite length is not DER".into()));
    } else {
        let n = (first & 0x7f) as usize;
        if n > 4 {
            return Err(fault(1, format!("length of {n} bytes is too large")));
        }
        let bytes = input
            .get(2..2 + n)
            .ok_or_else(|| fault(1, "truncated DER: length bytes missing".into()))?;
        let mut len = 0usize;
        for b in bytes {
            len = (len << 8) | *b as usize;
        }
        (len, 2 + n)
    };
    let end = hdr
        .checked_add(len)
        .ok_or_else(|| fault(1, "length overflow".into()))?;
    if end > input.len() {
        return Err(fault(
            0,
            format!(
                "truncated DER: element (tag 0x{tag:02x}) declares {len} content bytes but only {} remain",
                input.len().saturating_sub(hdr)
            ),
        ));
    }
    Ok((
        Tlv {
            tag,
            content: &input[hdr..end],
            raw: &input[..end],
        },
        &input[end..],
    ))
}

/// Reads all elements of a constructed element's content.
pub(crate) fn children(mut content: &[u8]) -> Result<Vec<Tlv<'_>>, DerFault> {
    let mut out = Vec::new();
    let base = content.as_ptr() as usize;
    while !content.is_empty() {
        let off = content.as_ptr() as usize - base;
        let (t, rest) = read_tlv(content).map_err(|mut f| {
            f.offset += off;
            f
        })?;
        out.push(t);
        content = rest;
        if out.len() > 4096 {
            return Err(DerFault {
                offset: off,
                message: "too many elements".into(),
            });
        }
    }
    Ok(out)
}

/// Decodes an OID's content bytes as dotted text.
pub(crate) fn oid_to_string(content: &[u8]) -> Option<String> {
    if content.is_empty() {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for (i, b) in content.iter().enumerate() {
        if v > (u64::MAX >> 8) {
            return None;
        }
        v = (v << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (a, b) = if v < 40 {
                    (0, v)
                } else if v < 80 {
                    (1, v - 40)
                } else {
                    (2, v - 80)
                };
                arcs.push(a);
                arcs.push(b);
            } else {
                arcs.push(v);
            }
            v = 0;
        } else if i == content.len() - 1 {
            return None;
        }
    }
    Some(
        arcs.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join("."),
    )
}

/// Encodes a DER element.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Encodes a dotted OID.
pub(crate) fn encode_oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').filter_map(|a| a.parse().ok()).collect();
    let mut body = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        tmp.reverse();
        body.extend_from_slice(&tmp);
    };
    if arcs.len() >= 2 {
        push(arcs[0] * 40 + arcs[1]);
        for a in &arcs[2..] {
            push(*a);
        }
    }
    encode(0x06, &body)
}

/// Bit length of an unsigned big-endian integer (leading zero bytes ignored).
pub(crate) fn bit_len(be: &[u8]) -> u32 {
    let trimmed: &[u8] = {
        let skip = be.iter().take_while(|b| **b == 0).count();
        &be[skip..]
    };
    match trimmed.first() {
        None => 0,
        Some(b) => (trimmed.len() as u32 - 1) * 8 + (8 - b.leading_zeros()),
    }
}

/// Lower-case hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[(b >> 4) as usize] as char);
        s.push(H[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 as lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_roundtrip() {
        for o in ["1.2.840.113549.1.1.11", "1.2.156.10197.1.501", "2.5.29.19"] {
            let enc = encode_oid(o);
            let (t, rest) = read_tlv(&enc).unwrap();
            assert!(rest.is_empty());
            assert_eq!(oid_to_string(t.content).unwrap(), o);
        }
    }

    #[test]
    fn truncated_reports_offset() {
        let e = read_tlv(&[0x30, 0x82, 0x01, 0x00, 0x01]).unwrap_err();
        assert!(e.message.contains("256 content bytes"), "{}", e.message);
        assert_eq!(bit_len(&[0x00, 0x01, 0xff]), 9);
    }
}
