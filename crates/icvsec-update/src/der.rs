//! Minimal bounds-checked DER reader for CMS. Lengths up to 4 bytes, definite form only;
//! every fault carries the byte offset into the outermost buffer.

/// One element: tag byte, content, complete encoding, and where it starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
    /// Offset of the tag byte in the outermost buffer.
    pub offset: usize,
    /// Offset of the content in the outermost buffer.
    pub content_offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DerFault {
    pub offset: usize,
    pub message: String,
}

impl DerFault {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> Self {
        DerFault {
            offset,
            message: message.into(),
        }
    }
}

/// Reads one element at the start of `input`, whose first byte is at `base` in the
/// outermost buffer. Returns it and the remaining bytes.
pub(crate) fn read_tlv(input: &[u8], base: usize) -> Result<(Tlv<'_>, &[u8]), DerFault> {
    let tag = *input
        .first()
        .ok_or_else(|| DerFault::new(base, "expected a DER element, found end of data"))?;
    if tag & 0x1f == 0x1f {
        return Err(DerFault::new(
            base,
            format!("multi-byte tag 0x{tag:02x} not supported"),
        ));
    }
    let first = *input
        .get(1)
        .ok_or_else(|| DerFault::new(base + 1, "truncated DER: length byte missing"))?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2usize)
    } else if first == 0x80 {
        return Err(DerFault::new(
            base + 1,
            "indefinite length (BER) is not DER and is not supported",
        ));
    } else {
        let n = (first & 0x7f) as usize;
        if n > 4 {
            return Err(DerFault::new(
                base + 1,
                format!("length of {n} bytes is too large"),
            ));
        }
        let bytes = input
            .get(2..2 + n)
            .ok_or_else(|| DerFault::new(base + 1, "truncated DER: length bytes missing"))?;
        let mut len = 0usize;
        for b in bytes {
            len = (len << 8) | *b as usize;
        }
        (len, 2 + n)
    };
    let end = hdr
        .checked_add(len)
        .ok_or_else(|| DerFault::new(base + 1, "length overflow"))?;
    if end > input.len() {
        return Err(DerFault::new(
            base,
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
            offset: base,
            content_offset: base + hdr,
        },
        &input[end..],
    ))
}

impl<'a> Tlv<'a> {
    /// Children of a constructed element, at most `max` of them.
    pub(crate) fn children(&self, max: usize) -> Result<Vec<Tlv<'a>>, DerFault> {
        let mut out = Vec::new();
        let mut rest = self.content;
        let mut off = self.content_offset;
        while !rest.is_empty() {
            if out.len() >= max {
                return Err(DerFault::new(
                    off,
                    format!("more than {max} elements in one constructed element"),
                ));
            }
            let (t, r) = read_tlv(rest, off)?;
            off += t.raw.len();
            rest = r;
            out.push(t);
        }
        Ok(out)
    }

    pub(crate) fn expect(&self, tag: u8, what: &str) -> Result<(), DerFault> {
        if self.tag == tag {
            Ok(())
        } else {
            Err(DerFault::new(
                self.offset,
                format!("{what}: expected tag 0x{tag:02x}, found 0x{:02x}", self.tag),
            ))
        }
    }

    /// Dotted OID of an OBJECT IDENTIFIER element.
    pub(crate) fn oid(&self) -> Result<String, DerFault> {
        self.expect(0x06, "OBJECT IDENTIFIER")?;
        oid_to_string(self.content).ok_or_else(|| DerFault::new(self.offset, "malformed OID"))
    }
}

/// Reads exactly one element spanning all of `input`.
pub(crate) fn read_exact(input: &[u8], base: usize) -> Result<Tlv<'_>, DerFault> {
    let (t, rest) = read_tlv(input, base)?;
    if !rest.is_empty() {
        return Err(DerFault::new(
            base + t.raw.len(),
            format!(
                "{} bytes of trailing data after the DER element",
                rest.len()
            ),
        ));
    }
    Ok(t)
}

pub(crate) fn oid_to_string(c: &[u8]) -> Option<String> {
    if c.is_empty() || c.len() > 64 {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for (i, b) in c.iter().enumerate() {
        if v > (u64::MAX >> 7) {
            return None;
        }
        v = (v << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let (a, b2) = if v < 40 {
                    (0, v)
                } else if v < 80 {
                    (1, v - 40)
                } else {
                    (2, v - 80)
                };
                arcs.push(a);
                arcs.push(b2);
            } else {
                arcs.push(v);
            }
            v = 0;
        } else if i == c.len() - 1 {
            return None;
        }
    }
    Some(
        arcs.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        // SEQUENCE { OID 1.2.840.113549.1.7.2 }
        let d = [
            0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
        ];
        let t = read_exact(&d, 0).unwrap();
        let kids = t.children(4).unwrap();
        assert_eq!(kids[0].oid().unwrap(), "1.2.840.113549.1.7.2");
        assert_eq!(kids[0].offset, 2);
        assert!(
            read_exact(&d[..5], 0)
                .unwrap_err()
                .message
                .contains("truncated")
        );
        assert!(read_exact(&[0x30, 0x80, 0, 0], 0).is_err());
        assert!(read_exact(&[0x30, 0x85, 1, 1, 1, 1, 1], 0).is_err());
    }
}
