//! SBOMs shipped in a build (CycloneDX 1.4–1.6 JSON, SPDX 2.2/2.3 JSON as Yocto's
//! create-spdx writes them) read into components, and CycloneDX 1.6 written from the
//! merged inventory.

pub mod cyclonedx;
pub mod spdx;
pub mod write;

pub use write::write_cyclonedx;

use crate::component::{Component, Ecosystem, Place, SourceRef, make_purl, parse_purl};
use crate::error::{Limits, VulnError};

/// What an SBOM file yielded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomContents {
    /// "CycloneDX 1.5", "SPDX-2.3".
    pub format: String,
    pub components: Vec<Component>,
    /// JSON pointers of entries that could not become components (no name or no version):
    /// they cannot be matched, and a report should say so.
    pub unversioned: Vec<String>,
}

/// Reads a CycloneDX or SPDX JSON document, chosen by its `bomFormat` / `spdxVersion`.
pub fn parse_sbom(file: &str, bytes: &[u8], limits: &Limits) -> Result<SbomContents, VulnError> {
    limits.check_size(file, bytes.len())?;
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| VulnError::json(file, &e))?;
    if v.get("bomFormat").is_some() {
        cyclonedx::read(file, &v, limits)
    } else if v.get("spdxVersion").is_some() {
        spdx::read(file, &v, limits)
    } else {
        Err(VulnError::new(
            file,
            "top level",
            "neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON",
        ))
    }
}

/// A component from an SBOM entry: ecosystem from the purl type, the purl's name when
/// there is one (the distro package name), else the entry name.
pub(crate) fn sbom_component(
    file: &str,
    ptr: String,
    method: &str,
    name: &str,
    version: &str,
    purl: Option<String>,
    cpe: Option<String>,
) -> Component {
    let parsed = purl.as_deref().and_then(parse_purl);
    let (eco, pname) = match &parsed {
        Some(p) => {
            let eco = match (p.ty.as_str(), p.namespace.as_deref()) {
                ("generic", Some("openwrt")) => Ecosystem::OpenWrt,
                ("generic", Some("linux")) if p.name == "linux" => Ecosystem::Linux,
                (t, _) => Ecosystem::from_purl_type(t),
            };
            (
                eco,
                if eco == Ecosystem::Linux {
                    "Kernel".to_string()
                } else {
                    p.name.clone()
                },
            )
        }
        None => (Ecosystem::Generic, name.to_string()),
    };
    let mut c = Component::new(
        &pname,
        version,
        eco,
        SourceRef {
            file: file.to_string(),
            place: Place::Pointer(ptr),
            method: method.to_string(),
        },
    );
    c.purl = purl.or_else(|| Some(make_purl("generic", None, name, version, &[])));
    c.cpe = cpe;
    c
}
