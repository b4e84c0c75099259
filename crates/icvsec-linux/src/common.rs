//! Shared types: errors, findings, input bounds, and rooted file access.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

/// A parse or resolution error, naming the file and (when known) the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ParseError {
    /// File label as given by the caller (or the included path inside the root).
    pub file: String,
    /// 1-based line number, when the error is tied to a line.
    pub line: Option<usize>,
    pub message: String,
}

impl ParseError {
    pub fn new(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        ParseError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
    pub fn at(file: &str, line: usize, message: impl Into<String>) -> Self {
        Self::new(file, Some(line), message)
    }
}

/// Result of one check on one setting. `passed == false` means a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Check name, e.g. `linux.sshd.root_login`.
    pub check: String,
    /// The setting examined (keyword, option, account, chain ...).
    pub setting: String,
    /// File the deciding value came from (empty when the value is a built-in default).
    pub file: String,
    /// 1-based line of the deciding value; `None` when it is a default / absent.
    pub line: Option<usize>,
    pub passed: bool,
    pub message: String,
}

impl Finding {
    pub fn new(
        check: &str,
        setting: &str,
        file: &str,
        line: Option<usize>,
        passed: bool,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            check: check.to_string(),
            setting: setting.to_string(),
            file: file.to_string(),
            line,
            passed,
            message: message.into(),
        }
    }
}

/// Input bounds applied by every parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Maximum bytes of one file (after decompression for config.gz).
    pub max_file_bytes: usize,
    /// Maximum bytes of one line.
    pub max_line_len: usize,
    /// Maximum number of lines of one file.
    pub max_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 16 * 1024 * 1024,
            max_line_len: 8 * 1024,
            max_lines: 200_000,
        }
    }
}

/// Split bounded text into lines (without terminators). Rejects NUL bytes (binary data),
/// invalid UTF-8, over-long lines, too many lines and oversized input, naming file and line.
pub fn text_lines<'a>(
    file: &str,
    bytes: &'a [u8],
    limits: &Limits,
) -> Result<Vec<&'a str>, ParseError> {
    if bytes.len() > limits.max_file_bytes {
        return Err(ParseError::new(
            file,
            None,
            format!(
                "file is {} bytes, larger than the limit of {} bytes",
                bytes.len(),
                limits.max_file_bytes
            ),
        ));
    }
    let mut out = Vec::new();
    for (idx, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let lineno = idx + 1;
        if lineno > limits.max_lines {
            return Err(ParseError::at(
                file,
                lineno,
                format!("more than {} lines", limits.max_lines),
            ));
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.len() > limits.max_line_len {
            return Err(ParseError::at(
                file,
                lineno,
                format!(
                    "line is {} bytes long, longer than the limit of {}",
                    raw.len(),
                    limits.max_line_len
                ),
            ));
        }
        if let Some(pos) = raw.iter().position(|b| *b == 0) {
            return Err(ParseError::at(
                file,
                lineno,
                format!("binary data (NUL byte at column {})", pos + 1),
            ));
        }
        let s = std::str::from_utf8(raw).map_err(|e| {
            ParseError::at(
                file,
                lineno,
                format!("invalid UTF-8 at column {}", e.valid_up_to() + 1),
            )
        })?;
        out.push(s);
    }
    // A trailing newline yields one empty final element; drop it.
    if bytes.ends_with(b"\n") {
        out.pop();
    }
    Ok(out)
}

/// Read-only access to the files of a root filesystem. Paths are absolute paths *inside*
/// the root (`/etc/ssh/sshd_config`); an implementation must never reach outside it.
pub trait FileSource {
    /// Contents of a regular file, `Ok(None)` when it does not exist.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String>;
    /// Names (not paths) of the entries of a directory; empty when it does not exist.
    fn list_dir(&self, path: &str) -> Result<Vec<String>, String>;
}

/// Lexically normalise an absolute in-root path (`.`/`..` resolved, `..` stops at `/`).
pub fn normalize_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// A root filesystem held in memory: path -> contents. Handy for tests and for callers
/// that already extracted an image.
#[derive(Debug, Clone, Default)]
pub struct MemRoot {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl MemRoot {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn with(mut self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.files
            .insert(normalize_path(path), contents.as_ref().to_vec());
        self
    }
}

impl FileSource for MemRoot {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self.files.get(&normalize_path(path)).cloned())
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, String> {
        let dir = normalize_path(path);
        let prefix = if dir == "/" { dir } else { format!("{dir}/") };
        let mut names: Vec<String> = self
            .files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .filter(|n| !n.is_empty())
            .collect();
        names.dedup();
        Ok(names)
    }
}

/// A root filesystem on disk. Every path, including symlink targets, is resolved inside
/// `root` (absolute symlink targets are re-rooted, `..` stops at the root), so nothing
/// outside the root is read. Files larger than `max_file_bytes` are refused.
#[derive(Debug, Clone)]
pub struct DirRoot {
    pub root: PathBuf,
    pub max_file_bytes: u64,
}

impl DirRoot {
    pub fn new(root: impl AsRef<Path>) -> Self {
        DirRoot {
            root: root.as_ref().to_path_buf(),
            max_file_bytes: Limits::default().max_file_bytes as u64,
        }
    }

    /// Resolve an in-root path to a host path, following symlinks inside the root.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, String> {
        let mut stack: Vec<String> = Vec::new();
        let mut pending: VecDeque<String> = path
            .split('/')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let mut hops = 0usize;
        while let Some(c) = pending.pop_front() {
            match c.as_str() {
                "." => {}
                ".." => {
                    stack.pop();
                }
                name => {
                    let mut candidate = self.root.clone();
                    candidate.extend(stack.iter());
                    candidate.push(name);
                    match std::fs::symlink_metadata(&candidate) {
                        Ok(m) if m.file_type().is_symlink() => {
                            hops += 1;
                            if hops > 40 {
                                return Err(format!("{path}: too many levels of symbolic links"));
                            }
                            let target = std::fs::read_link(&candidate)
                                .map_err(|e| format!("{path}: {e}"))?;
                            let t = target.to_string_lossy().to_string();
                            if t.starts_with('/') {
                                stack.clear();
                            }
                            let mut new: VecDeque<String> = t
                                .split('/')
                                .filter(|c| !c.is_empty())
                                .map(str::to_string)
                                .collect();
                            new.extend(pending);
                            pending = new;
                        }
                        _ => stack.push(name.to_string()),
                    }
                }
            }
        }
        let mut p = self.root.clone();
        p.extend(stack.iter());
        Ok(p)
    }
}

impl FileSource for DirRoot {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        let p = self.resolve(path)?;
        let meta = match std::fs::metadata(&p) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{path}: {e}")),
        };
        if !meta.is_file() {
            return Err(format!("{path}: not a regular file"));
        }
        if meta.len() > self.max_file_bytes {
            return Err(format!(
                "{path}: {} bytes, larger than the limit of {}",
                meta.len(),
                self.max_file_bytes
            ));
        }
        std::fs::read(&p)
            .map(Some)
            .map_err(|e| format!("{path}: {e}"))
    }

    fn list_dir(&self, path: &str) -> Result<Vec<String>, String> {
        let p = self.resolve(path)?;
        let rd = match std::fs::read_dir(&p) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return Ok(Vec::new()),
            Err(e) => return Err(format!("{path}: {e}")),
        };
        let mut names = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| format!("{path}: {e}"))?;
            names.push(entry.file_name().to_string_lossy().to_string());
            if names.len() > 100_000 {
                return Err(format!("{path}: more than 100000 directory entries"));
            }
        }
        names.sort();
        Ok(names)
    }
}

type ReadFn = Box<dyn Fn(&str) -> Result<Option<Vec<u8>>, String>>;
type ListFn = Box<dyn Fn(&str) -> Result<Vec<String>, String>>;

/// A [`FileSource`] made of two caller-supplied closures (reader and directory lister).
pub struct FnSource {
    read: ReadFn,
    list: ListFn,
}

impl FnSource {
    pub fn new(
        read: impl Fn(&str) -> Result<Option<Vec<u8>>, String> + 'static,
        list: impl Fn(&str) -> Result<Vec<String>, String> + 'static,
    ) -> Self {
        FnSource {
            read: Box::new(read),
            list: Box::new(list),
        }
    }
}

impl FileSource for FnSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        (self.read)(path)
    }
    fn list_dir(&self, path: &str) -> Result<Vec<String>, String> {
        (self.list)(path)
    }
}

/// fnmatch(3)-style matching of one path component: `*`, `?`, `[...]` (with `!`/`^`
/// negation and ranges). A leading `.` in `name` must be matched literally (glob(3)).
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    if name.starts_with('.') && !pattern.starts_with('.') {
        return false;
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> bool {
    // Iterative matcher with single-star backtracking (linear-ish, no recursion blowup).
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((matched, next)) = class_match(p, pi, n[ni]) {
                        if matched {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == n[ni] {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c => {
                    if c == n[ni] {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Returns (matched, index after the class) or None when the class is unterminated.
fn class_match(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = i < p.len() && (p[i] == '!' || p[i] == '^');
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expand a glob (absolute in-root path, wildcards allowed in any component) against a
/// [`FileSource`]; results sorted as glob(3) does. A pattern without wildcards is returned
/// as is (existence is checked by the caller). At most `max_results` paths.
pub fn glob_paths(
    src: &dyn FileSource,
    pattern: &str,
    max_results: usize,
) -> Result<Vec<String>, String> {
    let pattern = normalize_path(pattern);
    if !has_glob(&pattern) {
        return Ok(vec![pattern]);
    }
    let mut current: Vec<String> = vec![String::new()];
    for comp in pattern.split('/').filter(|c| !c.is_empty()) {
        let mut next = Vec::new();
        for base in &current {
            let dir = if base.is_empty() {
                "/".to_string()
            } else {
                base.clone()
            };
            if has_glob(comp) {
                for name in src.list_dir(&dir)? {
                    if fnmatch(comp, &name) {
                        next.push(format!("{base}/{name}"));
                    }
                }
            } else {
                next.push(format!("{base}/{comp}"));
            }
            if next.len() > max_results {
                return Err(format!("{pattern}: more than {max_results} matches"));
            }
        }
        current = next;
    }
    current.sort();
    // Keep only entries that exist as files (a directory or missing path is not a match).
    let mut out = Vec::new();
    for p in current {
        if src.read(&p).ok().flatten().is_some() {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_basics() {
        assert!(fnmatch("*.conf", "a.conf"));
        assert!(!fnmatch("*.conf", ".a.conf"));
        assert!(fnmatch("a?c", "abc"));
        assert!(fnmatch("[0-9]*", "10-x"));
        assert!(!fnmatch("[!0-9]*", "10-x"));
        assert!(fnmatch("*", "x"));
        assert!(!fnmatch("a*b", "acbd"));
    }

    #[test]
    fn text_lines_rejects_binary_and_long() {
        let l = Limits::default();
        let e = text_lines("f", b"ok\nbad\0x\n", &l).unwrap_err();
        assert_eq!(e.line, Some(2));
        let long = vec![b'a'; l.max_line_len + 1];
        let e = text_lines("f", &long, &l).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.to_string().starts_with("f:1: line is"));
        let e = text_lines("f", b"a\n\xff\xfe\n", &l).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert_eq!(text_lines("f", b"a\r\nb\n", &l).unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn dirroot_stays_inside() {
        let dir = std::env::temp_dir().join(format!("icvsec-linux-dirroot-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::write(dir.join("etc/x"), b"inside").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/x", dir.join("etc/link")).unwrap();
        let r = DirRoot::new(&dir);
        assert_eq!(r.read("/../../etc/x").unwrap().unwrap(), b"inside");
        #[cfg(unix)]
        assert_eq!(r.read("/etc/link").unwrap().unwrap(), b"inside");
        assert!(r.read("/etc/passwd").unwrap().is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
