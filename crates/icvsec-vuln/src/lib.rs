//! Software inventory, SBOMs and known-vulnerability matching against offline feeds.
//!
//! * [`inventory`]: components from package databases (dpkg, opkg, apk), Android build
//!   properties, the kernel version and version strings found by signature in binaries.
//! * [`sbom`]: CycloneDX (1.4–1.6) and SPDX (2.2/2.3) JSON input, CycloneDX 1.6 output.
//! * [`feed`]: OSV records (directory or per-ecosystem zip) and NVD CVE JSON 2.0, indexed
//!   by package so matching is a map lookup.
//! * [`version`]: version ordering per ecosystem (dpkg, apk, kernel, OpenSSL, generic).
//! * [`cvss`]: CVSS v3.x / v2 base score from a vector.
//! * [`vex`]: OpenVEX and CycloneDX VEX, validated.
//! * [`matching`]: [`matching::match_inventory`] and the policy judgements (severity and age
//!   thresholds, Android security patch level, kernel end of life).
//!
//! Nothing here reads the network or executes what it scans; every parser bounds its input
//! ([`Limits`]) and returns a [`VulnError`] naming the file and the place.

pub mod component;
pub mod cvss;
pub mod dates;
pub mod error;
pub mod feed;
pub mod inventory;
pub mod kernel_eol;
pub mod matching;
pub mod sbom;
pub mod version;
pub mod vex;

pub use component::{Component, Ecosystem, EcuInventory, Place, SourceRef};
pub use error::{Limits, VulnError};
pub use feed::Feed;
pub use matching::{MatchParams, VulnMatch, match_inventory};
pub use sbom::write_cyclonedx;
pub use vex::{VexDocument, VexStatement};
