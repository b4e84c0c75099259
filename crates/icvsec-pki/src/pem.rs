//! Line-aware PEM reader: finds `-----BEGIN X-----` blocks anywhere in a text
//! (after an `openssl x509 -text` printout, with CRLF line endings), keeps
//! RFC 1421 headers (`Proc-Type`, `DEK-Info`) and reports faults by block and line.

use crate::PkiError;

/// Largest input any parser in this crate accepts.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;
/// Largest number of PEM blocks read from one input.
pub const MAX_PEM_BLOCKS: usize = 100_000;

/// One decoded PEM block.
#[derive(Debug, Clone)]
pub(crate) struct PemBlock {
    /// 0-based index among all PEM blocks of the input.
    pub index: u32,
    /// 1-based line number of the BEGIN line.
    pub begin_line: u32,
    pub label: String,
    /// Headers as (name, value), in order.
    pub headers: Vec<(String, String)>,
    pub der: Vec<u8>,
}

/// An input's PEM blocks, decoded on first use and shared by the readers of that input
/// (sniffing, certificates, keys): a certificate file was decoded three times.
pub(crate) struct Blocks<'a> {
    bytes: &'a [u8],
    cell: std::cell::OnceCell<Result<Vec<PemBlock>, PkiError>>,
}

impl<'a> Blocks<'a> {
    pub fn new(bytes: &'a [u8]) -> Blocks<'a> {
        Blocks {
            bytes,
            cell: std::cell::OnceCell::new(),
        }
    }

    /// [`read_blocks`] of the input, computed once.
    pub fn get(&self) -> Result<&[PemBlock], PkiError> {
        match self.cell.get_or_init(|| read_blocks(self.bytes)) {
            Ok(b) => Ok(b),
            Err(e) => Err(e.clone()),
        }
    }
}

/// Does the input look like PEM (contains a BEGIN marker)?
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    find(bytes, b"-----BEGIN ").is_some()
}

/// First occurrence of `needle` (non-empty): candidates are the places of its first byte,
/// so a base64 line (no `-`) costs one scan, not one comparison per window.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = hay.get(from..)?.iter().position(|b| *b == first) {
        let at = from + i;
        if hay.get(at + 1..at + needle.len()) == Some(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Reads every PEM block. Blocks whose base64 or framing is broken are errors
/// (never silently skipped).
pub(crate) fn read_blocks(bytes: &[u8]) -> Result<Vec<PemBlock>, PkiError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(PkiError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let mut blocks = Vec::new();
    let mut lines = bytes.split(|b| *b == b'\n').enumerate().peekable();
    while let Some((ln, raw)) = lines.next() {
        let line = trim(raw);
        let Some(pos) = find(line, b"-----BEGIN ") else {
            continue;
        };
        let begin_line = (ln + 1) as u32;
        let index = blocks.len() as u32;
        let err = |line_no: usize, message: String| PkiError::Pem {
            block: index,
            begin_line,
            line: line_no as u32,
            message,
        };
        let rest = &line[pos + 11..];
        let Some(end) = find(rest, b"-----") else {
            return Err(err(ln + 1, "BEGIN line is not terminated by -----".into()));
        };
        let label = String::from_utf8_lossy(&rest[..end]).into_owned();
        if blocks.len() >= MAX_PEM_BLOCKS {
            return Err(err(
                ln + 1,
                format!("more than {MAX_PEM_BLOCKS} PEM blocks"),
            ));
        }
        let end_marker = format!("-----END {label}-----");
        let mut headers = Vec::new();
        let mut b64: Vec<(usize, &[u8])> = Vec::new();
        let mut in_headers = true;
        let mut closed = false;
        for (ln2, raw2) in lines.by_ref() {
            let l = trim(raw2);
            if l.starts_with(b"-----END ") {
                if l != end_marker.as_bytes() {
                    return Err(err(
                        ln2 + 1,
                        format!(
                            "END line `{}` does not match BEGIN label `{label}`",
                            String::from_utf8_lossy(l)
                        ),
                    ));
                }
                closed = true;
                break;
            }
            if l.starts_with(b"-----BEGIN ") {
                return Err(err(
                    ln2 + 1,
                    format!("BEGIN inside `{label}` block without END"),
                ));
            }
            if in_headers {
                if let Some(colon) = l.iter().position(|b| *b == b':') {
                    let name = String::from_utf8_lossy(&l[..colon]).trim().to_string();
                    let value = String::from_utf8_lossy(&l[colon + 1..]).trim().to_string();
                    headers.push((name, value));
                    continue;
                }
                in_headers = false;
                if l.is_empty() {
                    continue;
                }
            }
            if !l.is_empty() {
                b64.push((ln2 + 1, l));
            }
        }
        if !closed {
            return Err(err(
                begin_line as usize,
                format!("no `{end_marker}` line (truncated PEM)"),
            ));
        }
        let der = decode_base64(&b64).map_err(|(line, m)| err(line, m))?;
        if der.is_empty() {
            return Err(err(begin_line as usize, "PEM block is empty".into()));
        }
        blocks.push(PemBlock {
            index,
            begin_line,
            label,
            headers,
            der,
        });
    }
    Ok(blocks)
}

fn trim(l: &[u8]) -> &[u8] {
    let start = l
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(l.len());
    let end = l
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &l[start..end]
}

fn decode_base64(lines: &[(usize, &[u8])]) -> Result<Vec<u8>, (usize, String)> {
    let mut out = Vec::with_capacity(lines.iter().map(|(_, l)| l.len()).sum::<usize>() * 3 / 4);
    let mut acc: u32 = 0;
    let mut n = 0u32;
    let mut pad = 0u32;
    let mut last_line = 0;
    for (ln, l) in lines {
        last_line = *ln;
        for (col, c) in l.iter().enumerate() {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' => {
                    pad += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => continue,
                other => {
                    return Err((
                        *ln,
                        format!(
                            "invalid base64 character {:?} at column {}",
                            *other as char,
                            col + 1
                        ),
                    ));
                }
            };
            if pad > 0 {
                return Err((
                    *ln,
                    format!("base64 data after padding at column {}", col + 1),
                ));
            }
            acc = (acc << 6) | v as u32;
            n += 1;
            if n == 4 {
                out.extend_from_slice(&[(acc >> 16) as u8, (acc >> 8) as u8, acc as u8]);
                acc = 0;
                n = 0;
            }
        }
    }
    match n {
        0 => {}
        2 => out.push((acc >> 4) as u8),
        3 => out.extend_from_slice(&[(acc >> 10) as u8, (acc >> 2) as u8]),
        _ => {
            return Err((
                last_line,
                "base64 data ends mid-quantum (truncated or corrupted)".into(),
            ));
        }
    }
    if pad > 2 {
        return Err((last_line, "too much base64 padding".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_crlf_and_headers() {
        let text = b"hello\r\n-----BEGIN X-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: AES-128-CBC,00\r\n\r\nAAEC\r\n-----END X-----\r\n";
        let b = read_blocks(text).unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].begin_line, 2);
        assert_eq!(b[0].headers[0].0, "Proc-Type");
        assert_eq!(b[0].der, vec![0, 1, 2]);
    }

    #[test]
    fn find_matches_the_naive_search() {
        let naive = |h: &[u8], n: &[u8]| h.windows(n.len()).position(|w| w == n);
        for (h, n) in [
            (&b"-----BEGIN X-----"[..], &b"-----BEGIN "[..]),
            (b"---- -----BEGIN ", b"-----BEGIN "),
            (b"AAEC----", b"-----"),
            (b"-----", b"-----"),
            (b"----", b"-----"),
            (b"", b"-----"),
            (b"x-----BEGI", b"-----BEGIN "),
        ] {
            assert_eq!(find(h, n), naive(h, n), "{:?}", String::from_utf8_lossy(h));
        }
    }

    #[test]
    fn garbage_names_line() {
        let text = b"-----BEGIN CERTIFICATE-----\nAAEC\nAA*C\n-----END CERTIFICATE-----\n";
        match read_blocks(text).unwrap_err() {
            PkiError::Pem { line, block, .. } => {
                assert_eq!(line, 3);
                assert_eq!(block, 0);
            }
            e => panic!("{e:?}"),
        }
    }
}
