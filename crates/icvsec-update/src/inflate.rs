//! Decompression with a hard output bound: absolute size and ratio to the input, so a
//! small hostile entry cannot expand without limit.

use std::io::Read;

use crate::Limits;

/// Which stream framing.
#[derive(Clone, Copy)]
pub(crate) enum Framing {
    /// Raw deflate (zip method 8).
    Deflate,
    /// zlib (squashfs gzip compressor).
    Zlib,
}

/// Inflates `input`, refusing to produce more than `expected_max` bytes (when known), the
/// absolute limit or `ratio * input + 64 KiB`. The error names no place: callers add it.
pub(crate) fn inflate(
    input: &[u8],
    framing: Framing,
    expected_max: Option<u64>,
    limits: &Limits,
) -> Result<Vec<u8>, String> {
    let by_ratio = (input.len() as u64)
        .saturating_mul(limits.max_compression_ratio)
        .saturating_add(64 * 1024);
    let mut bound = limits.max_decompressed_bytes.min(by_ratio);
    if let Some(e) = expected_max {
        bound = bound.min(e);
    }
    let reader: Box<dyn Read + '_> = match framing {
        Framing::Deflate => Box::new(flate2::read::DeflateDecoder::new(input)),
        Framing::Zlib => Box::new(flate2::read::ZlibDecoder::new(input)),
    };
    let mut out = Vec::new();
    // Read one byte more than allowed to tell "exactly at bound" from "over".
    reader
        .take(bound.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| format!("corrupt compressed data: {e}"))?;
    if out.len() as u64 > bound {
        return Err(format!(
            "decompressed data exceeds the bound of {bound} bytes (limit {} bytes, ratio {}:1{})",
            limits.max_decompressed_bytes,
            limits.max_compression_ratio,
            expected_max
                .map(|e| format!(", declared size {e}"))
                .unwrap_or_default()
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn bomb_is_refused() {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 10 << 20]).unwrap();
        let small = enc.finish().unwrap();
        let err = inflate(&small, Framing::Deflate, None, &Limits::default()).unwrap_err();
        assert!(err.contains("exceeds the bound"), "{err}");
        let ok = inflate(
            &small,
            Framing::Deflate,
            None,
            &Limits {
                max_compression_ratio: 100_000,
                ..Limits::default()
            },
        )
        .unwrap();
        assert_eq!(ok.len(), 10 << 20);
    }
}
