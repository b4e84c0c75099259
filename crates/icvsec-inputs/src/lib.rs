//! icvsec inputs: discovery of a vehicle build (bounded, links never followed), parsers
//! for each input kind, and the resolved [`Inventory`] of typed assets that checks query.
//! Every reference between inputs is resolved here, once; a dangling one is an error
//! with its place.

pub mod discover;
pub mod graph;
pub mod images;
pub mod inventory;
pub mod json;
mod keypath;
pub mod lenient;
pub mod linux_roots;
mod load;
pub mod netupd_files;
pub mod parsed_roots;
pub mod pki_files;
pub mod probe_files;
mod rootfs_index;
#[cfg(test)]
mod scratch;
pub mod software;
pub mod timings;
pub mod tls_files;

pub use discover::{DiscoveredFile, FileKind, Limits};
pub use inventory::{AssetView, Broken, Inventory};
pub use json::{JsonDoc, SourceMap, parse_json};
pub use linux_roots::{LinuxRoots, Placement};
pub use load::{LoadOptions, load_build};
pub use netupd_files::{NetworkDefs, UpdatePackageAsset};
pub use pki_files::{CertAsset, CertUse, KeyAsset, PubKeyAsset};
pub use probe_files::{ProbeAsset, probe};
pub use software::{FeedState, Software, VulnDb};
pub use tls_files::{TlsConfigAsset, TlsConfigs};
