//! SHA-256 streamed in 1 MiB chunks: the one digest routine every payload check uses,
//! so hashing a multi-gigabyte image never needs a second copy of it in memory.

use std::io::Read;

/// Chunk size for streamed hashing.
pub const CHUNK: usize = 1 << 20;

/// SHA-256 of everything `reader` yields, read in [`CHUNK`]-byte pieces. Returns the
/// digest and the number of bytes hashed.
pub fn sha256_reader<R: Read>(mut reader: R) -> std::io::Result<([u8; 32], u64)> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        ctx.update(&buf[..n]);
        total += n as u64;
    }
    let d = ctx.finish();
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    Ok((out, total))
}

/// SHA-256 of a byte slice, through the same chunked path as files.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for chunk in bytes.chunks(CHUNK) {
        ctx.update(chunk);
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    out
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<([u8; 32], u64)> {
    sha256_reader(std::fs::File::open(path)?)
}

/// Parses a hex digest (either case); `None` when not hex of the right length.
pub(crate) fn parse_hex(s: &str, len: usize) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.len() != len * 2 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..len)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_matches_one_shot() {
        let data: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i % 251) as u8).collect();
        let one = ring::digest::digest(&ring::digest::SHA256, &data);
        assert_eq!(sha256(&data).as_slice(), one.as_ref());
        let (d, n) = sha256_reader(&data[..]).unwrap();
        assert_eq!(d.as_slice(), one.as_ref());
        assert_eq!(n, data.len() as u64);
        // Known answer: SHA-256("abc").
        assert_eq!(
            crate::hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
