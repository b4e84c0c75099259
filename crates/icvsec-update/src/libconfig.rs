//! libconfig syntax (SWUpdate `sw-description`): settings `name = value;` with groups
//! `{}`, lists `()`, arrays `[]`, strings, numbers, booleans and `#`, `//`, `/* */`
//! comments. Recursion is bounded by `max_depth`; errors carry line:col.

/// A parsed value. Group settings keep their line and column.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `[...]` array or `(...)` list.
    List(Vec<Value>),
    Group(Vec<Setting>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Setting {
    pub name: String,
    pub value: Value,
    pub line: usize,
    pub col: usize,
}

impl Value {
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Group(s) => s.iter().find(|s| s.name == name).map(|s| &s.value),
            _ => None,
        }
    }
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// A scalar rendered as text (versions are sometimes written as numbers).
    pub(crate) fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// Parse error: message and 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
    max_depth: usize,
    /// Offsets where lines start, for line:col without rescanning.
    line_starts: Vec<usize>,
}

impl P<'_> {
    fn pos(&self) -> (usize, usize) {
        let i = self.i.min(self.s.len());
        let line = self.line_starts.partition_point(|s| *s <= i);
        let start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        (line, i - start + 1)
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ParseError> {
        let (line, col) = self.pos();
        Err(ParseError {
            line,
            col,
            message: message.into(),
        })
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn skip_ws(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.i += 1,
                Some(b'#') => self.skip_line(),
                Some(b'/') if self.s.get(self.i + 1) == Some(&b'/') => self.skip_line(),
                Some(b'/') if self.s.get(self.i + 1) == Some(&b'*') => {
                    let start = self.i;
                    self.i += 2;
                    loop {
                        match self.peek() {
                            None => {
                                self.i = start;
                                return self.err("unterminated /* comment");
                            }
                            Some(b'*') if self.s.get(self.i + 1) == Some(&b'/') => {
                                self.i += 2;
                                break;
                            }
                            _ => self.i += 1,
                        }
                    }
                }
                Some(b'@') => {
                    return self.err("@include and other directives are not supported");
                }
                _ => return Ok(()),
            }
        }
    }
    fn skip_line(&mut self) {
        while let Some(c) = self.peek() {
            self.i += 1;
            if c == b'\n' {
                break;
            }
        }
    }
    fn name(&mut self) -> Result<String, ParseError> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => self.i += 1,
            _ => return self.err("expected a setting name"),
        }
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'*') {
                self.i += 1;
            } else {
                break;
            }
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn settings(&mut self, depth: usize, close: Option<u8>) -> Result<Vec<Setting>, ParseError> {
        let mut out = Vec::new();
        loop {
            self.skip_ws()?;
            match (self.peek(), close) {
                (None, None) => return Ok(out),
                (None, Some(c)) => return self.err(format!("missing closing '{}'", c as char)),
                (Some(c), Some(cl)) if c == cl => {
                    self.i += 1;
                    return Ok(out);
                }
                _ => {}
            }
            if out.len() >= 100_000 {
                return self.err("more than 100000 settings in one group");
            }
            let (line, col) = self.pos();
            let name = self.name()?;
            self.skip_ws()?;
            match self.peek() {
                Some(b'=' | b':') => self.i += 1,
                _ => return self.err(format!("expected '=' or ':' after setting name {name:?}")),
            }
            let value = self.value(depth)?;
            self.skip_ws()?;
            if matches!(self.peek(), Some(b';' | b',')) {
                self.i += 1;
            }
            out.push(Setting {
                name,
                value,
                line,
                col,
            });
        }
    }
    fn value(&mut self, depth: usize) -> Result<Value, ParseError> {
        self.skip_ws()?;
        let open = self.peek();
        if matches!(open, Some(b'{' | b'(' | b'[')) && depth >= self.max_depth {
            return self.err(format!("nesting deeper than {} levels", self.max_depth));
        }
        match open {
            Some(b'{') => {
                self.i += 1;
                Ok(Value::Group(self.settings(depth + 1, Some(b'}'))?))
            }
            Some(c @ (b'(' | b'[')) => {
                self.i += 1;
                let close = if c == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                loop {
                    self.skip_ws()?;
                    if self.peek() == Some(close) {
                        self.i += 1;
                        return Ok(Value::List(items));
                    }
                    if items.len() >= 100_000 {
                        return self.err("more than 100000 list elements");
                    }
                    items.push(self.value(depth + 1)?);
                    self.skip_ws()?;
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(x) if x == close => {}
                        None => return self.err(format!("missing closing '{}'", close as char)),
                        Some(_) => return self.err("expected ',' or the end of the list"),
                    }
                }
            }
            Some(b'"') => {
                let mut s = String::new();
                loop {
                    self.string_into(&mut s)?;
                    self.skip_ws()?;
                    if self.peek() != Some(b'"') {
                        return Ok(Value::Str(s));
                    }
                }
            }
            Some(_) => self.scalar(),
            None => self.err("expected a value, found end of input"),
        }
    }
    fn string_into(&mut self, s: &mut String) -> Result<(), ParseError> {
        self.i += 1; // opening quote
        let mut buf = Vec::new();
        loop {
            match self.peek() {
                None => return self.err("unterminated string"),
                Some(b'"') => {
                    self.i += 1;
                    s.push_str(&String::from_utf8_lossy(&buf));
                    return Ok(());
                }
                Some(b'\\') => {
                    self.i += 1;
                    let c = match self.peek() {
                        Some(b'n') => b'\n',
                        Some(b't') => b'\t',
                        Some(b'r') => b'\r',
                        Some(b'f') => 0x0c,
                        Some(b'\\') => b'\\',
                        Some(b'"') => b'"',
                        Some(b'x') => {
                            let h = self.s.get(self.i + 1..self.i + 3).and_then(|h| {
                                u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
                            });
                            match h {
                                Some(v) => {
                                    self.i += 2;
                                    v
                                }
                                None => return self.err("bad \\x escape"),
                            }
                        }
                        _ => return self.err("unknown escape in string"),
                    };
                    buf.push(c);
                    self.i += 1;
                }
                Some(c) => {
                    buf.push(c);
                    self.i += 1;
                }
            }
        }
    }
    fn scalar(&mut self) -> Result<Value, ParseError> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.' | b'_') {
                self.i += 1;
            } else {
                break;
            }
        }
        let tok = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        if tok.is_empty() {
            return self.err("expected a value");
        }
        if tok.eq_ignore_ascii_case("true") {
            return Ok(Value::Bool(true));
        }
        if tok.eq_ignore_ascii_case("false") {
            return Ok(Value::Bool(false));
        }
        let t = tok.trim_end_matches(['L', 'l']);
        let (neg, body) = match t.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let int = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
            i64::from_str_radix(h, 16).ok()
        } else {
            body.parse::<i64>().ok()
        };
        if let Some(v) = int {
            return Ok(Value::Int(if neg { -v } else { v }));
        }
        if let Ok(f) = tok.parse::<f64>() {
            return Ok(Value::Float(f));
        }
        self.i = start;
        self.err(format!("unrecognised value {tok:?}"))
    }
}

/// Parses a whole libconfig document into its top-level settings.
pub(crate) fn parse(text: &[u8], max_depth: usize) -> Result<Value, ParseError> {
    let mut line_starts = vec![0];
    line_starts.extend(
        text.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1),
    );
    let mut p = P {
        s: text,
        i: 0,
        max_depth,
        line_starts,
    };
    Ok(Value::Group(p.settings(0, None)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_swupdate_shapes() {
        let t = br#"
software = {
    version = "1.2.3";   # comment
    hardware-compatibility: [ "1.0", "rev-B" ];
    /* block */
    images: (
        { filename = "rootfs.ext4"; sha256 = "ab" "cd"; installed-directly = true; size = 0x10; }
    );
};
"#;
        let v = parse(t, 8).unwrap();
        let sw = v.get("software").unwrap();
        assert_eq!(sw.get("version").unwrap().as_str(), Some("1.2.3"));
        let Value::List(imgs) = sw.get("images").unwrap() else {
            panic!()
        };
        assert_eq!(imgs[0].get("sha256").unwrap().as_str(), Some("abcd"));
        assert_eq!(imgs[0].get("size"), Some(&Value::Int(16)));
    }

    #[test]
    fn errors_have_positions_and_depth_is_bounded() {
        let e = parse(b"a = {\n b = ;\n}", 8).unwrap_err();
        assert_eq!((e.line, e.col), (2, 6));
        let deep = format!("a = {}{}", "(".repeat(100), ")".repeat(100));
        assert!(
            parse(deep.as_bytes(), 32)
                .unwrap_err()
                .message
                .contains("nesting")
        );
        assert!(parse(b"a = \"unterminated", 8).is_err());
        assert!(parse(b"a = {", 8).is_err());
    }
}
