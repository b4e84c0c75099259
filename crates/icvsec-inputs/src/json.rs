//! JSON inputs: typed parsing that refuses unknown fields (with line and column), and a
//! span index from key paths (`ecus[2].debug.jtag`) to positions, so findings about a
//! setting point at its line.

use icvsec_model::{Diagnostic, Location};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// Positions (line, column; 1-based) of every key path in a JSON document.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    spans: BTreeMap<String, (u32, u32)>,
}

impl SourceMap {
    /// The position of a key path, or of its nearest existing ancestor (a missing setting
    /// points at the object that should hold it).
    pub fn locate(&self, key_path: &str) -> Option<(u32, u32)> {
        let mut path = key_path;
        loop {
            if let Some(p) = self.spans.get(path) {
                return Some(*p);
            }
            let cut = path.rfind(['.', '['])?;
            path = &path[..cut];
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Forget a key path and everything below it (a part dropped at load).
    pub fn remove_prefix(&mut self, path: &str) {
        self.spans
            .retain(|k, _| !crate::keypath::on_branch(k, path) || k.len() < path.len());
    }

    /// Forget element `idx` of list `list` and renumber the later ones, so that the
    /// positions follow the loaded document.
    pub fn remove_index(&mut self, list: &str, idx: usize) {
        let spans = std::mem::take(&mut self.spans);
        self.spans = spans
            .into_iter()
            .filter_map(|(k, v)| crate::keypath::shift_path(&k, list, idx).map(|k| (k, v)))
            .collect();
    }

    /// Index a document that has already parsed successfully.
    pub fn index(text: &str) -> SourceMap {
        let mut ix = Indexer {
            b: text.as_bytes(),
            pos: 0,
            line: 1,
            col: 1,
            spans: BTreeMap::new(),
        };
        ix.ws();
        ix.value(String::new(), 0);
        SourceMap { spans: ix.spans }
    }
}

struct Indexer<'a> {
    b: &'a [u8],
    pos: usize,
    line: u32,
    col: u32,
    spans: BTreeMap<String, (u32, u32)>,
}

impl Indexer<'_> {
    fn bump(&mut self) {
        if let Some(&c) = self.b.get(self.pos) {
            self.pos += 1;
            if c == b'\n' {
                self.line += 1;
                self.col = 1;
            } else if c & 0xC0 != 0x80 {
                self.col += 1;
            }
        }
    }

    fn ws(&mut self) {
        while matches!(self.b.get(self.pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn string(&mut self) -> String {
        let start = self.pos + 1;
        self.bump();
        while let Some(&c) = self.b.get(self.pos) {
            if c == b'\\' {
                self.bump();
                self.bump();
            } else if c == b'"' {
                break;
            } else {
                self.bump();
            }
        }
        let raw = &self.b[start.min(self.pos)..self.pos];
        self.bump();
        // Keys with escapes are rare in manifests; unescape through serde_json.
        let quoted = [&b"\""[..], raw, &b"\""[..]].concat();
        serde_json::from_slice(&quoted)
            .unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned())
    }

    fn value(&mut self, path: String, depth: usize) {
        if depth > 256 {
            return;
        }
        self.spans.insert(path.clone(), (self.line, self.col));
        match self.b.get(self.pos) {
            Some(b'{') => {
                self.bump();
                loop {
                    self.ws();
                    match self.b.get(self.pos) {
                        Some(b'"') => {
                            let (line, col) = (self.line, self.col);
                            let key = self.string();
                            let child = icvsec_model::location::join_key(&path, &key);
                            self.ws();
                            self.bump(); // ':'
                            self.ws();
                            self.value(child.clone(), depth + 1);
                            // Point at the key, which is where a reader looks.
                            self.spans.insert(child, (line, col));
                            self.ws();
                            if self.b.get(self.pos) == Some(&b',') {
                                self.bump();
                            }
                        }
                        Some(b'}') => {
                            self.bump();
                            break;
                        }
                        _ => break,
                    }
                }
            }
            Some(b'[') => {
                self.bump();
                let mut i = 0;
                loop {
                    self.ws();
                    match self.b.get(self.pos) {
                        Some(b']') => {
                            self.bump();
                            break;
                        }
                        None => break,
                        _ => {
                            self.value(format!("{path}[{i}]"), depth + 1);
                            i += 1;
                            self.ws();
                            if self.b.get(self.pos) == Some(&b',') {
                                self.bump();
                            }
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&c) = self.b.get(self.pos) {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') {
                        break;
                    }
                    self.bump();
                }
            }
            None => {}
        }
    }
}

/// A parsed JSON input: the typed document, its generic value (for field conditions) and
/// its source map.
#[derive(Clone, Debug)]
pub struct JsonDoc<T> {
    pub file: String,
    pub doc: T,
    pub value: serde_json::Value,
    pub source: SourceMap,
}

/// Parse JSON text into `T`, refusing unknown fields. The error names file, line and column.
pub fn parse_json<T: DeserializeOwned>(text: &str, file: &str) -> Result<JsonDoc<T>, Diagnostic> {
    let to_diag = |e: serde_json::Error| {
        let loc = Location::file(file).with_line(e.line() as u32, Some(e.column() as u32));
        // serde_json appends " at line L column C"; the location already says it.
        let msg = e.to_string();
        let msg = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(m, _)| m)
            .to_string();
        Diagnostic::error(loc, msg)
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(to_diag)?;
    let doc: T = serde_json::from_str(text).map_err(to_diag)?;
    Ok(JsonDoc {
        file: file.to_string(),
        doc,
        value,
        source: SourceMap::index(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_fall_back_to_parents() {
        let text = "{\n  \"a\": {\n    \"b\": [1, {\"c\": true}]\n  },\n  \"d\": \"x\"\n}\n";
        let m = SourceMap::index(text);
        assert_eq!(m.locate("a"), Some((2, 3)));
        assert_eq!(m.locate("a.b"), Some((3, 5)));
        assert_eq!(m.locate("a.b[1].c"), Some((3, 15)));
        assert_eq!(m.locate("d"), Some((5, 3)));
        assert_eq!(m.locate("a.missing.deeper"), Some((2, 3)));
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        secure_boot: bool,
    }

    #[test]
    fn unknown_field_names_line_and_column() {
        let err = parse_json::<T>("{\n  \"secure_bot\": true\n}", "ecu.json").unwrap_err();
        assert_eq!(err.location.file, "ecu.json");
        assert_eq!(err.location.line, Some(2));
        assert!(
            err.message.contains("unknown field `secure_bot`"),
            "{}",
            err.message
        );
    }
}
