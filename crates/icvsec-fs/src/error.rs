//! Why a file could not be read. Every variant is a reason to report "could not assess",
//! never a reason to pass.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsError {
    /// Not there (the caller decides whether absence matters).
    NotFound,
    /// A FIFO, device, socket or directory where a regular file was needed.
    NotRegular { kind: &'static str },
    /// Larger than the read bound.
    TooLarge { size: u64, limit: u64 },
    /// A component was a symbolic link when opened without following links: the tree
    /// changed after it was resolved (or a caller skipped resolution).
    LinkRefused,
    /// A symbolic link whose target does not exist.
    Dangling { link: String, target: String },
    /// A symbolic link whose target leaves the build.
    Escapes { link: String, target: String },
    /// More than [`crate::resolve::MAX_LINK_HOPS`] links, or a loop.
    TooManyLinks { path: String },
    /// A path longer than the resolver's bound.
    TooLong,
    /// More directory entries than the bound.
    TooManyEntries { limit: usize },
    /// A name that is not UTF-8 where a configuration matches names as text.
    NonUtf8Name { name: String },
    /// Any other operating-system error.
    Io(String),
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FsError::NotFound => write!(f, "does not exist"),
            FsError::NotRegular { kind } => write!(f, "not a regular file ({kind}); not read"),
            FsError::TooLarge { size, limit } => write!(
                f,
                "{size} bytes, larger than the read limit of {limit} bytes; not read"
            ),
            FsError::LinkRefused => write!(
                f,
                "a symbolic link where a file or directory was expected (the tree changed during the scan); not followed"
            ),
            FsError::Dangling { link, target } => {
                write!(f, "symbolic link {link} -> {target} dangles")
            }
            FsError::Escapes { link, target } => write!(
                f,
                "symbolic link {link} -> {target} leaves the build; not followed"
            ),
            FsError::TooManyLinks { path } => {
                write!(f, "{path}: too many levels of symbolic links (loop?)")
            }
            FsError::TooLong => write!(f, "path too long"),
            FsError::TooManyEntries { limit } => {
                write!(f, "more than {limit} directory entries")
            }
            FsError::NonUtf8Name { name } => {
                write!(
                    f,
                    "file name {name} is not UTF-8 and cannot be matched as text"
                )
            }
            FsError::Io(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for FsError {}

impl FsError {
    pub fn io(e: impl fmt::Display) -> Self {
        FsError::Io(e.to_string())
    }
}
