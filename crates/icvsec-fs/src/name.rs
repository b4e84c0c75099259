//! Exact, inert names.
//!
//! A file name is bytes. icvsec identifies a build file by its path relative to the build
//! root, written with [`encode_name`] per component: UTF-8 text stays as it is, and a
//! backslash, a control character (C0, DEL, C1), a bidirectional-formatting character or a
//! byte that is not UTF-8 is written as an escape (`\\`, `\x1b`, `\u{202e}`, `\xff`).
//! Because the backslash itself is escaped, the encoding is injective: `pki/k.pem` and a
//! file literally named `pki\k.pem` keep two identities, and so do two different non-UTF-8
//! names. The same encoding makes every name safe to print on a terminal.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that reorder or hide text on a terminal or in an editor (bidirectional
/// embeddings, overrides and isolates, and the marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that must not reach a terminal raw.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn push_escaped_char(out: &mut String, c: char) {
    let n = c as u32;
    if n < 0x100 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// Injective, printable text for one raw name (or a whole raw path: `/` is kept).
pub fn encode_name(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else if is_unsafe_char(c) {
                push_escaped_char(&mut out, c);
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

/// Text from the build or the network made inert for a terminal: control characters
/// (C0 including newline and tab, DEL, C1) and bidirectional controls are escaped.
/// Everything else, backslashes included, is unchanged (this is for display, not identity).
pub fn inert(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) {
            push_escaped_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`inert`], but keeps newlines and tabs (multi-line text the renderer itself
/// lays out, such as a rule's remediation).
pub fn inert_multiline(s: &str) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe_char(c) && c != '\n' && c != '\t';
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            push_escaped_char(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Split a slash-separated path written by a configuration (raw text) into components,
/// dropping empty and `.` components; `..` is kept for the resolver to judge.
pub fn components(path: &str) -> Vec<Vec<u8>> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(|c| c.as_bytes().to_vec())
        .collect()
}

/// Invert [`identity`]: the raw components of an identity string.
pub fn decode_identity(id: &str) -> Vec<Vec<u8>> {
    id.split('/')
        .filter(|c| !c.is_empty())
        .map(decode_name)
        .collect()
}

/// Invert [`encode_name`] for one component.
pub fn decode_name(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                b'x' if i + 4 <= b.len() && s.is_char_boundary(i + 4) => {
                    if let Ok(v) = u8::from_str_radix(&s[i + 2..i + 4], 16) {
                        out.push(v);
                        i += 4;
                        continue;
                    }
                }
                b'u' if b.get(i + 2) == Some(&b'{') => {
                    if let Some(end) = s[i + 3..].find('}')
                        && let Some(c) = u32::from_str_radix(&s[i + 3..i + 3 + end], 16)
                            .ok()
                            .and_then(char::from_u32)
                    {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        i += 4 + end;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// The identity string of a component path (each component encoded, joined with `/`).
pub fn identity(comps: &[Vec<u8>]) -> String {
    let mut out = String::new();
    for (i, c) in comps.iter().enumerate() {
        if i > 0 {
            out.push('/');
        }
        out.push_str(&encode_name(c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_is_injective_on_the_reported_collisions() {
        assert_eq!(encode_name(b"k.pem"), "k.pem");
        assert_eq!(encode_name(b"pki\\k.pem"), "pki\\\\k.pem");
        assert_ne!(
            identity(&[b"pki".to_vec(), b"k.pem".to_vec()]),
            identity(&[b"pki\\k.pem".to_vec()])
        );
        // Two different invalid-UTF-8 names used to both become `k\u{fffd}.pem`.
        assert_ne!(encode_name(b"k\xff.pem"), encode_name(b"k\xfe.pem"));
        assert_eq!(encode_name(b"k\xff.pem"), "k\\xff.pem");
        // An escape written literally is not confused with the escaped byte.
        assert_ne!(encode_name(b"k\\xff.pem"), encode_name(b"k\xff.pem"));
    }

    #[test]
    fn decoding_inverts_encoding() {
        for raw in [
            b"k.pem".to_vec(),
            b"pki\\k.pem".to_vec(),
            b"k\xff.pem".to_vec(),
            b"a\x1b]0;x\x07".to_vec(),
            "evil\u{202e}x".as_bytes().to_vec(),
            b"lit\\x41".to_vec(),
        ] {
            assert_eq!(decode_name(&encode_name(&raw)), raw, "{raw:?}");
        }
        let comps = vec![b"a\\b".to_vec(), b"c\xfe".to_vec()];
        assert_eq!(decode_identity(&identity(&comps)), comps);
    }

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(encode_name(b"a\x1b]0;pwn\x07b"), "a\\x1b]0;pwn\\x07b");
        assert_eq!(inert("evil\u{202e}fdp.exe"), "evil\\u{202e}fdp.exe");
        assert_eq!(inert("line\nforged"), "line\\x0aforged");
        assert_eq!(inert("c1\u{9b}31m"), "c1\\x9b31m");
        assert_eq!(inert("del\u{7f}"), "del\\x7f");
        assert!(matches!(inert("plain text ä"), Cow::Borrowed(_)));
        assert_eq!(inert_multiline("a\nb\x1b"), "a\nb\\x1b");
    }
}
