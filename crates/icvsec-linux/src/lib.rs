//! Parsers and hardening knowledge for the files of Linux and Android ECUs, as found in
//! the root filesystem of a vehicle build.
//!
//! Every parser takes bytes (or `&str`) plus a file label used in error messages, never
//! panics, bounds its input (file size, line length, line count) and returns owned serde
//! types carrying 1-based line numbers. Checks are pure functions returning [`Finding`]s.
//!
//! Nothing here reads the host filesystem on its own: files referenced by other files
//! (sshd `Include`) are fetched through a caller-supplied [`FileSource`] that is rooted
//! inside the scanned root filesystem.

pub mod android;
pub mod checks;
pub mod common;
pub mod firewall;
pub mod kconfig;
pub mod passwd;
pub mod sshd;
pub mod sysctl;

pub use common::{DirRoot, FileSource, Finding, FnSource, Limits, MemRoot, ParseError};
