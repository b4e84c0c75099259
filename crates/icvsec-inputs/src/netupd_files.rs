//! Software update packages (SWUpdate, RAUC, Android A/B OTA, TUF metadata) and vehicle
//! network definitions (AUTOSAR ARXML, CAN DBC), read once at load through the build tree
//! into typed facts (crates `icvsec-update`, `icvsec-vnet`). Checks only query them.

use icvsec_update::{Options, UpdatePackage};
use icvsec_vnet::VnetError;
use icvsec_vnet::arxml::{ArxmlFacts, ArxmlSet};
use icvsec_vnet::dbc::DbcFile;
use std::collections::BTreeMap;

/// One update package found in the build, with the ECU it is for.
#[derive(Clone, Debug)]
pub struct UpdatePackageAsset {
    /// Build-relative path.
    pub file: String,
    /// The ECU the package is for: the one whose root filesystem holds it, else the ECU
    /// whose id is a directory name on its path (`updates/<ecu>/x.swu`).
    pub ecu: Option<String>,
    /// Where the trust anchors came from (`ecus/tbox.json software_update.signing_certificate`,
    /// `vehicle.json trust_anchors[...]`), or `None` when no anchor applies.
    pub anchors_from: Option<String>,
    /// Parsed and verified package, or the reason it could not be read (file and place).
    pub package: Result<UpdatePackage, String>,
}

/// Network definitions of the build: every ARXML file read as one set (references resolve
/// across files), every DBC file on its own (the bus is the file stem).
#[derive(Clone, Debug, Default)]
pub struct NetworkDefs {
    pub arxml_files: Vec<String>,
    pub arxml: ArxmlFacts,
    pub dbc: Vec<DbcFile>,
    /// Files that could not be read or parsed, each with its place.
    pub errors: Vec<VnetError>,
}

impl NetworkDefs {
    pub fn is_empty(&self) -> bool {
        self.arxml_files.is_empty() && self.dbc.is_empty() && self.errors.is_empty()
    }
}

/// Reads a network set from `(name, bytes)` pairs (ARXML and DBC told apart by extension).
pub fn read_network_defs(files: Vec<(String, Result<Vec<u8>, String>)>) -> NetworkDefs {
    let limits = icvsec_vnet::Limits::default();
    let mut set = ArxmlSet::new(limits);
    let mut out = NetworkDefs::default();
    for (name, bytes) in files {
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => {
                out.errors.push(VnetError::whole_file(
                    &name,
                    icvsec_vnet::ErrorKind::Limit,
                    format!("cannot read: {e}"),
                ));
                continue;
            }
        };
        if name.to_ascii_lowercase().ends_with(".dbc") {
            match icvsec_vnet::dbc::parse_dbc(&name, &bytes, None, &limits) {
                Ok(d) => out.dbc.push(d),
                Err(e) => out.errors.push(e),
            }
        } else {
            match set.add_file_owned(&name, bytes) {
                Ok(()) => out.arxml_files.push(name),
                Err(e) => out.errors.push(e),
            }
        }
    }
    if !out.arxml_files.is_empty() {
        out.arxml = set.facts();
        // Dangling references and the like found while resolving are errors too.
        out.errors.extend(out.arxml.errors.iter().cloned());
    }
    out
}

/// Whether a zip holds `payload.bin` (an Android A/B OTA); other zips are not packages.
pub fn zip_is_ota(bytes: &[u8]) -> bool {
    memmem(bytes, b"payload.bin")
}

fn memmem(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Reads one package candidate. `Ok(None)`: not an update package after all (a zip
/// without payload.bin, a root.json that is not TUF metadata).
pub fn read_update_package(
    name: &str,
    bytes: &[u8],
    options: &Options,
) -> Option<Result<UpdatePackage, String>> {
    let kind = icvsec_update::detect(name, bytes)?;
    if kind == icvsec_update::Kind::AndroidOta && !zip_is_ota(bytes) {
        return None;
    }
    if name.to_ascii_lowercase().ends_with(".json") && kind != icvsec_update::Kind::Tuf {
        return None;
    }
    Some(icvsec_update::read_package(name, bytes, options).map_err(|e| e.to_string()))
}

/// Anchors for one package, parsed from certificate files: `(origin, bytes)` pairs.
pub fn parse_anchors(files: &[(String, Vec<u8>)]) -> Result<Vec<icvsec_update::Anchor>, String> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let mut a = icvsec_update::Anchor::parse(name, bytes).map_err(|e| e.to_string())?;
        out.append(&mut a);
    }
    Ok(out)
}

/// Packages keyed by build-relative path.
pub type UpdatePackages = BTreeMap<String, UpdatePackageAsset>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zip_without_payload_is_not_a_package() {
        let opts = Options::default();
        assert!(read_update_package("x.zip", b"PK\x03\x04junk", &opts).is_none());
        assert!(read_update_package("root.json", b"{\"a\":1}", &opts).is_none());
    }

    #[test]
    fn a_truncated_swu_is_an_error_with_its_name() {
        let opts = Options::default();
        let r = read_update_package("updates/tbox/a.swu", b"070701", &opts);
        let e = r.expect("recognised").expect_err("truncated");
        assert!(e.contains("updates/tbox/a.swu"), "{e}");
    }

    #[test]
    fn broken_network_files_are_errors_with_place() {
        let defs = read_network_defs(vec![
            ("net/bad.arxml".into(), Ok(b"<AUTOSAR><X>".to_vec())),
            ("net/bad.dbc".into(), Ok(b"BO_ nonsense".to_vec())),
        ]);
        assert_eq!(defs.errors.len(), 2, "{:?}", defs.errors);
        assert!(defs.errors.iter().any(|e| e.file == "net/bad.arxml"));
        assert!(defs.errors.iter().any(|e| e.file == "net/bad.dbc"));
    }
}
