//! Safe access to the files of an untrusted build.
//!
//! Everything icvsec reads from a scanned build goes through this crate:
//! - [`HostTree`] is the one opener for files on disk: every path component is opened
//!   relative to the build root's directory descriptor without following links
//!   (`O_NOFOLLOW`), the entry is checked before and after opening (`statat`, `fstat`):
//!   only regular files are read (FIFOs, devices and sockets are refused before any
//!   open), and reads are bounded.
//! - [`resolve`] resolves symbolic links the way the ECU would see them, inside a
//!   root filesystem (absolute targets and `..` clamped to that root, loops bounded),
//!   or inside the build (a link that leaves it is an error); it never follows a link out.
//! - [`name`] keeps names exact: two distinct files never share an identity, and a
//!   name is displayed escaped, never lossily.
//! - [`glob`] matches globs and waiver patterns iteratively in O(pattern × name).
//! - [`Tree`] is the read-only view both directories and firmware images provide, so
//!   the resolver and every parser work the same on both.

pub mod error;
pub mod glob;
pub mod host;
pub mod mem;
pub mod name;
pub mod resolve;
pub mod tree;

pub use error::FsError;
pub use host::HostTree;
pub use mem::MemTree;
pub use name::{encode_name, inert};
pub use resolve::{Mode, Resolved, RootView, Scope, resolve};
pub use tree::{EntryType, Meta, Tree};
