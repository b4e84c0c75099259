//! Shared types: errors, findings, input bounds, and rooted file access.

use icvsec_fs::{EntryType, FsError, HostTree, RootView, Scope, Tree};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

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
    /// Contents of a regular file, `Ok(None)` when it does not exist. Anything that
    /// exists but cannot be read (a dangling link, a FIFO, an oversized file) is an error.
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String>;
    /// Names (not paths) of the entries of a directory; empty when it does not exist.
    fn list_dir(&self, path: &str) -> Result<Vec<String>, String>;
    /// Whether `path` is a directory (glob matches that are directories are not files).
    fn is_dir(&self, _path: &str) -> bool {
        false
    }
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
    fn is_dir(&self, path: &str) -> bool {
        let dir = normalize_path(path);
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        self.files.keys().any(|k| k.starts_with(&prefix))
    }
}

/// A root filesystem inside a build tree (a directory on disk or a firmware image), seen
/// through the one opener of `icvsec-fs`: every path, symbolic links included, is
/// resolved with the root filesystem as `/` (absolute targets re-rooted, `..` stops at
/// the root, 40 links at most), no link is followed out, only regular files are read,
/// and files larger than `max_file_bytes` are refused.
#[derive(Clone)]
pub struct DirRoot {
    tree: Arc<dyn Tree>,
    scope: Scope,
    pub max_file_bytes: u64,
}

impl std::fmt::Debug for DirRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DirRoot({})",
            icvsec_fs::name::identity(&self.scope.base)
        )
    }
}

/// A tree that cannot be opened: every read reports why.
struct Unopenable(String);

impl Tree for Unopenable {
    fn lstat(&self, _: &[Vec<u8>]) -> Result<Option<icvsec_fs::Meta>, FsError> {
        Err(FsError::Io(self.0.clone()))
    }
    fn read_link(&self, _: &[Vec<u8>]) -> Result<Vec<u8>, FsError> {
        Err(FsError::Io(self.0.clone()))
    }
    fn read_dir(&self, _: &[Vec<u8>], _: usize) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        Err(FsError::Io(self.0.clone()))
    }
    fn read_file(&self, _: &[Vec<u8>], _: u64) -> Result<Vec<u8>, FsError> {
        Err(FsError::Io(self.0.clone()))
    }
}

impl DirRoot {
    /// A root filesystem that is a directory on disk (its own tree).
    pub fn new(root: impl AsRef<Path>) -> Self {
        let tree: Arc<dyn Tree> = match HostTree::open(root.as_ref()) {
            Ok(t) => Arc::new(t),
            Err(e) => Arc::new(Unopenable(format!(
                "cannot open {}: {e}",
                root.as_ref().display()
            ))),
        };
        DirRoot::within(tree, Vec::new())
    }

    /// The root filesystem at `base` (raw components) inside a shared build tree.
    pub fn within(tree: Arc<dyn Tree>, base: Vec<Vec<u8>>) -> Self {
        DirRoot {
            tree,
            scope: Scope::chroot(base),
            max_file_bytes: Limits::default().max_file_bytes as u64,
        }
    }

    fn view(&self) -> RootView<'_> {
        RootView::new(self.tree.as_ref(), self.scope.clone(), self.max_file_bytes)
    }
}

impl FileSource for DirRoot {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>, String> {
        self.view().read(path).map_err(|e| format!("{path}: {e}"))
    }

    fn list_dir(&self, path: &str) -> Result<Vec<String>, String> {
        self.view()
            .list_dir(path)
            .map_err(|e| format!("{path}: {e}"))
    }

    fn is_dir(&self, path: &str) -> bool {
        let v = self.view();
        v.resolve(path)
            .ok()
            .and_then(|r| self.tree.lstat(&r.path).ok().flatten())
            .is_some_and(|m| m.kind == EntryType::Dir)
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

/// fnmatch(3)-style matching of one path component (linear-time, see `icvsec_fs::glob`).
pub fn fnmatch(pattern: &str, name: &str) -> bool {
    icvsec_fs::glob::fnmatch(pattern, name)
}

fn has_glob(s: &str) -> bool {
    icvsec_fs::glob::has_magic(s)
}

/// Expand a glob (absolute in-root path, wildcards allowed in any component) against a
/// [`FileSource`]; results sorted as glob(3) does. A pattern without wildcards is returned
/// as is (existence is checked by the caller). At most `max_results` paths. A match that
/// exists but cannot be read (unreadable, a FIFO, a dangling link, too large) is an error:
/// dropping it would hide its settings.
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
        let glob = icvsec_fs::glob::Glob::component(comp);
        let mut next = Vec::new();
        for base in &current {
            let dir = if base.is_empty() {
                "/".to_string()
            } else {
                base.clone()
            };
            if !glob.is_literal() {
                for name in src.list_dir(&dir)? {
                    if glob.matches(&name) {
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
    // Keep the matches that are files; a directory or a vanished path is not a match.
    let mut out = Vec::new();
    for p in current {
        if src.is_dir(&p) {
            continue;
        }
        match src.read(&p) {
            Ok(Some(_)) => out.push(p),
            Ok(None) => {}
            Err(e) => return Err(format!("{pattern} matches {p}, which cannot be read: {e}")),
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

/// Why a check could not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CheckError {
    #[error("unknown check `{0}`")]
    UnknownCheck(String),
    #[error("check `{check}`: invalid parameters: {message}")]
    BadParams { check: String, message: String },
    #[error("{0}")]
    Parse(ParseError),
    #[error("{path}: {message}")]
    Read { path: String, message: String },
}

impl From<ParseError> for CheckError {
    fn from(e: ParseError) -> Self {
        CheckError::Parse(e)
    }
}
