//! Escaping for XML/HTML text and attributes. Everything that comes from a scanned file
//! (messages, paths, asset ids) goes through here.

/// Escape for XML text and attribute values (double-quoted). Characters XML 1.0 does
/// not allow (C0 controls other than tab, newline, carriage return; U+FFFE/U+FFFF) are
/// replaced by U+FFFD, so the document stays well-formed whatever a file contained.
pub fn xml_escape(s: &str) -> String {
    // Most text needs nothing escaped: one pass over the bytes decides. 0xEF leads the
    // UTF-8 of U+FFFE/U+FFFF (and of other characters, which the slow path keeps).
    if !s.bytes().any(|b| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'' | 0xEF)
            || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    }) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape for HTML text and double-quoted attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encode a relative path for a URI reference: unreserved characters and `/`
/// stay, everything else (spaces, `%`, `#`, `?`, non-ASCII bytes) is encoded.
pub(crate) fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            xml_escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\u{FFFD}"
        );
        assert_eq!(html_escape("<script>"), "&lt;script&gt;");
        assert_eq!(uri_path("a b/c#d%/é"), "a%20b/c%23d%25/%C3%A9");
    }

    #[test]
    fn fast_path_agrees_with_the_character_walk() {
        // Text with nothing to escape is copied as is; U+FFFE/U+FFFF (led by byte 0xEF,
        // like other characters such as U+FF21) still go through the walk.
        assert_eq!(
            xml_escape("plain text, é, 中文\ttab\nline"),
            "plain text, é, 中文\ttab\nline"
        );
        assert_eq!(xml_escape("\u{FF21}"), "\u{FF21}");
        assert_eq!(xml_escape("a\u{FFFE}b\u{FFFF}"), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(xml_escape("\u{7f}\u{1b}"), "\u{7f}\u{FFFD}");
        assert_eq!(xml_escape(""), "");
    }
}
