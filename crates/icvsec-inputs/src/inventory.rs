//! The inventory: every asset of a build with its id, its file and key path, and the
//! relations between assets, resolved once when the build is loaded.

use crate::json::{JsonDoc, SourceMap};
use icvsec_model::input::dataflow::{DataFlow, DataFlowManifest, DataItem, DataStore, Party};
use icvsec_model::input::ecu::EcuConfig;
use icvsec_model::input::tls::TlsProfile;
use icvsec_model::input::vehicle::{
    EcuEntry, EcuRole, Endpoint, Network, Stage, TrustAnchor, VehicleManifest,
};
use icvsec_model::location::join_key;
use icvsec_model::{AssetKind, Diagnostic, Location, SharedStr};
use serde_json::Value;
use std::collections::BTreeMap;

/// An asset that could not be loaded: rules for its kind report an error outcome for it.
#[derive(Clone, Debug)]
pub struct Broken {
    pub kind: AssetKind,
    pub id: String,
    pub location: Location,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct EcuAsset {
    pub entry: EcuEntry,
    /// Key path of the entry in vehicle.json (`ecus[3]`).
    pub entry_key: String,
    pub config: Option<JsonDoc<EcuConfig>>,
}

impl EcuAsset {
    pub fn role(&self) -> EcuRole {
        self.entry.role
    }
    /// The file that holds (or should hold) this ECU's settings.
    pub fn home(&self) -> Location {
        match &self.config {
            Some(doc) => Location::file(&doc.file),
            None => Location::at_key("vehicle.json", &self.entry_key),
        }
    }
}

/// An item located in a JSON file.
#[derive(Clone, Debug)]
pub struct Placed<T> {
    pub value: T,
    pub file: String,
    pub key: String,
    /// Owning ECU (for role filtering), where there is one.
    pub ecu: Option<String>,
}

impl<T> Placed<T> {
    pub fn location(&self) -> Location {
        Location::at_key(&self.file, &self.key)
    }
    pub fn at(&self, suffix: &str) -> Location {
        Location::at_key(&self.file, join_key(&self.key, suffix))
    }
}

#[derive(Clone, Debug, Default)]
pub struct DataInventory {
    pub manifests: Vec<JsonDoc<DataFlowManifest>>,
    pub items: BTreeMap<String, Placed<DataItem>>,
    pub flows: BTreeMap<String, Placed<DataFlow>>,
    pub stores: BTreeMap<String, Placed<DataStore>>,
    pub parties: BTreeMap<String, Placed<Party>>,
}

/// A file found by type while walking the tree (certificates, keys, host configs, ...).
#[derive(Clone, Debug)]
pub struct FileAsset {
    pub kind: AssetKind,
    /// Asset id: the relative path, with `#n` for the n-th object of a bundle.
    pub id: String,
    pub file: String,
    /// 1-based line where the object starts, for bundles.
    pub line: Option<u32>,
    /// The ECU whose root filesystem holds the file.
    pub ecu: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Inventory {
    /// The scanned build root on disk. Checks that must read more of a root filesystem
    /// (includes of sshd_config, nginx) read below it only, with the same bounds.
    pub root: std::path::PathBuf,
    /// The build as a tree read through the one opener (`icvsec-fs`): every read of a
    /// build file after loading goes through it.
    pub tree: SharedTree,
    /// The bounds the build was loaded with (checks that read more apply them too).
    pub limits: crate::Limits,
    pub vehicle: Option<JsonDoc<VehicleManifest>>,
    pub ecus: BTreeMap<String, EcuAsset>,
    pub networks: BTreeMap<String, Placed<Network>>,
    pub endpoints: BTreeMap<String, Placed<Endpoint>>,
    pub trust_anchors: BTreeMap<String, Placed<TrustAnchor>>,
    /// Declared TLS profiles: `<ecu>/<profile>` for ECU profiles, `endpoint/<id>` inline.
    pub tls_profiles: BTreeMap<String, Placed<TlsProfile>>,
    pub data: DataInventory,
    pub files: Vec<FileAsset>,
    /// Certificates by id (`path`, or `path#n` for the n-th certificate of a bundle).
    pub certificates: BTreeMap<String, crate::CertAsset>,
    /// The ids of the CA certificates among `certificates`, listed on first use: chain
    /// checks look for issuers among them for every leaf, and walking all certificates
    /// per leaf was quadratic (20,000 certificates × every leaf with a use). The map of
    /// certificates is complete before any check runs and not changed afterwards.
    /// Listed with the size of the map it was listed from: should the map change after
    /// all, the list is not used (the certificates are walked instead).
    pub ca_index: std::sync::OnceLock<(usize, Vec<String>)>,
    /// Private keys by id (same scheme).
    pub keys: BTreeMap<String, crate::KeyAsset>,
    /// Public keys by id (`path`, or `path#pub<n>` in a file holding other objects).
    pub public_keys: BTreeMap<String, crate::PubKeyAsset>,
    /// Known-bad keys (the shipped list plus the user's `--blocklist` files), sorted.
    pub key_blocklist: std::sync::Arc<icvsec_pki::KeyBlocklist>,
    /// Saved TLS probes by build-relative path (asset kind `probe_result`).
    pub probes: BTreeMap<String, crate::ProbeAsset>,
    /// Software per ECU, VEX documents and the vulnerability feeds (see [`crate::software`]).
    pub software: crate::software::Software,
    /// Software update packages by build-relative path, parsed and verified at load
    /// (a package that could not be read holds its error with file and place).
    pub update_packages: crate::netupd_files::UpdatePackages,
    /// ARXML and DBC network definitions of the build, read at load.
    pub network: crate::NetworkDefs,
    /// Linux/Android root filesystems parsed at load, and where each Linux/Android file
    /// asset sits (filled by module `linux_roots`); checks query them and open no file.
    pub linux: crate::parsed_roots::LinuxRoots,
    /// nginx, openssl.cnf and mbedTLS/wolfSSL configurations, read at load (module
    /// `tls_files` fills it): by file asset, and nginx by ECU root filesystem.
    pub tls_configs: crate::parsed_roots::TlsConfigs,
    pub broken: Vec<Broken>,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: BTreeMap<String, SourceMap>,
    /// Parts of JSON inputs dropped at load because of a mistake, by file: rules whose
    /// outcome lies on one of these key paths report "could not assess".
    pub lost: BTreeMap<String, Vec<crate::lenient::LostPart>>,
    pub files_scanned: usize,
    pub input_digest: String,
    /// SHA-256 of every file read at load, by build-relative path (files inside images
    /// included): the evidence index of a report takes them from here instead of reading
    /// the files again.
    pub file_digests: BTreeMap<String, [u8; 32]>,
    /// The resolved asset graph (flows, routes, endpoint links, typed TLS profiles),
    /// built once at the end of loading (module `graph`); read-only afterwards.
    pub graph: icvsec_model::AssetGraph,
    /// Field views of assets, computed once at load (key: kind, id).
    pub(crate) views: BTreeMap<(AssetKind, String), Value>,
}

/// The build tree, shared by the checks that follow includes inside a root filesystem.
#[derive(Clone)]
pub struct SharedTree(pub std::sync::Arc<dyn icvsec_fs::Tree>);

impl Default for SharedTree {
    fn default() -> Self {
        SharedTree(std::sync::Arc::new(icvsec_fs::MemTree::new()))
    }
}

impl std::fmt::Debug for SharedTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedTree")
    }
}

/// One asset as the engine sees it.
#[derive(Clone, Debug)]
pub struct AssetView<'a> {
    pub id: SharedStr,
    /// Role of the owning ECU, for rules limited to roles.
    pub role: Option<EcuRole>,
    /// Fields that conditions read; None for assets without fields.
    pub fields: Option<&'a Value>,
    /// Where the asset lives (file and key path); findings without a better place use it.
    pub home: Location,
}

static EMPTY: Value = Value::Null;

impl Inventory {
    pub fn markets(&self) -> Vec<String> {
        self.vehicle
            .as_ref()
            .map(|v| v.doc.vehicle.markets.clone())
            .unwrap_or_default()
    }

    pub fn stage(&self) -> Option<Stage> {
        self.vehicle.as_ref().map(|v| v.doc.vehicle.stage)
    }

    pub fn is_production(&self) -> bool {
        self.stage() != Some(Stage::Development)
    }

    pub fn role_of(&self, ecu: Option<&str>) -> Option<EcuRole> {
        ecu.and_then(|e| self.ecus.get(e)).map(|e| e.role())
    }

    fn view(&self, kind: AssetKind, id: &str) -> Option<&Value> {
        self.views.get(&(kind, id.to_string()))
    }

    /// All assets of a kind, in a stable order.
    pub fn assets(&self, kind: AssetKind) -> Vec<AssetView<'_>> {
        match kind {
            AssetKind::Vehicle => self
                .vehicle
                .iter()
                .map(|v| AssetView {
                    id: "vehicle".into(),
                    role: None,
                    fields: Some(&v.value),
                    home: Location::file(&v.file),
                })
                .collect(),
            AssetKind::Ecu => self
                .ecus
                .iter()
                .map(|(id, e)| AssetView {
                    id: SharedStr::from(id.as_str()),
                    role: Some(e.role()),
                    fields: Some(e.config.as_ref().map_or(&EMPTY, |c| &c.value)),
                    home: e.home(),
                })
                .collect(),
            AssetKind::Network => placed_views(kind, &self.networks, self),
            AssetKind::Endpoint => placed_views(kind, &self.endpoints, self),
            AssetKind::TrustAnchor => placed_views(kind, &self.trust_anchors, self),
            AssetKind::TlsProfile => placed_views(kind, &self.tls_profiles, self),
            AssetKind::DataItem => placed_views(kind, &self.data.items, self),
            AssetKind::DataFlow => placed_views(kind, &self.data.flows, self),
            AssetKind::DataStore => placed_views(kind, &self.data.stores, self),
            AssetKind::Certificate => self
                .certificates
                .iter()
                .map(|(id, c)| AssetView {
                    id: SharedStr::from(id.as_str()),
                    role: self.role_of(c.ecu.as_deref()),
                    fields: None,
                    home: c.location(),
                })
                .collect(),
            AssetKind::PrivateKey => self
                .keys
                .iter()
                .map(|(id, k)| AssetView {
                    id: SharedStr::from(id.as_str()),
                    role: self.role_of(k.ecu.as_deref()),
                    fields: None,
                    home: k.location(),
                })
                .collect(),
            AssetKind::PublicKey => self
                .public_keys
                .iter()
                .map(|(id, k)| AssetView {
                    id: SharedStr::from(id.as_str()),
                    role: self.role_of(k.ecu.as_deref()),
                    fields: None,
                    home: k.location(),
                })
                .collect(),
            _ => self
                .files
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| AssetView {
                    id: SharedStr::from(f.id.as_str()),
                    role: self.role_of(f.ecu.as_deref()),
                    fields: self.view(kind, &f.id),
                    home: Location {
                        file: SharedStr::from(f.file.as_str()),
                        line: f.line,
                        column: None,
                        key_path: None,
                    },
                })
                .collect(),
        }
    }

    /// Certificates parsed from one build-relative file.
    ///
    /// A certificate's id begins with its file's path (`path`, `path#n`, `path#chainN`),
    /// so the file's certificates lie in the key range starting at the path: looked up
    /// there, not by walking every certificate (500 ECUs × 20,000 certificates was a
    /// twenty-fifth of a large scan).
    pub fn certificates_in(&self, file: &str) -> Vec<(&String, &crate::CertAsset)> {
        self.certificates
            .range::<str, _>(ids_from(file))
            .take_while(|(id, _)| id.starts_with(file))
            .filter(|(_, c)| c.file == file)
            .collect()
    }

    /// The CA certificates of the build (basicConstraints cA), in id order.
    pub fn ca_certificates(&self) -> Box<dyn Iterator<Item = &crate::CertAsset> + '_> {
        let (listed_from, ids) = self.ca_index.get_or_init(|| {
            let ids = self
                .certificates
                .iter()
                .filter(|(_, c)| c.cert.is_ca())
                .map(|(id, _)| id.clone())
                .collect();
            (self.certificates.len(), ids)
        });
        if *listed_from != self.certificates.len() {
            return Box::new(self.certificates.values().filter(|c| c.cert.is_ca()));
        }
        Box::new(ids.iter().filter_map(|id| self.certificates.get(id)))
    }

    /// Trust anchor certificates by anchor id (test-only anchors included).
    pub fn anchor_certificates(&self, anchor: &str) -> Vec<&crate::CertAsset> {
        self.trust_anchors
            .get(anchor)
            .map(|a| {
                self.certificates_in(&a.value.certificate)
                    .into_iter()
                    .map(|(_, c)| c)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Broken assets of a kind (they get error outcomes).
    pub fn broken_of(&self, kind: AssetKind) -> impl Iterator<Item = &Broken> {
        self.broken.iter().filter(move |b| b.kind == kind)
    }

    /// The dropped part of an input that a location lies on (the place itself, inside
    /// it, or the object holding it), if any. A location at the top of a file (no key
    /// path) lies on nothing.
    pub fn lost_at(&self, loc: &Location) -> Option<&crate::lenient::LostPart> {
        let key = loc.key_path.as_deref()?;
        self.lost
            .get(loc.file.as_str())?
            .iter()
            .find(|l| crate::lenient::on_branch(&l.key_path, key))
    }

    /// Resolve a location's key path to line and column, when the file is indexed.
    pub fn resolve(&self, loc: &mut Location) {
        // Only a key path is resolved: a place without one (most outcomes) needs no
        // lookup of its file.
        let (None, Some(key)) = (loc.line, &loc.key_path) else {
            return;
        };
        if let Some((line, col)) = self
            .sources
            .get(loc.file.as_str())
            .and_then(|map| map.locate(key))
        {
            loc.line = Some(line);
            loc.column = Some(col);
        }
    }

    /// Set the field view of a file asset (e.g. parsed properties), for conditions.
    pub fn set_view(&mut self, kind: AssetKind, id: &str, value: Value) {
        self.views.insert((kind, id.to_string()), value);
    }
}

fn placed_views<'a, T: serde::Serialize>(
    kind: AssetKind,
    map: &'a BTreeMap<String, Placed<T>>,
    inv: &'a Inventory,
) -> Vec<AssetView<'a>> {
    map.iter()
        .map(|(id, p)| AssetView {
            id: SharedStr::from(id.as_str()),
            role: inv.role_of(p.ecu.as_deref()),
            fields: inv.view(kind, id),
            home: p.location(),
        })
        .collect()
}

/// The key range of the certificate ids that may come from `file` (each begins with it).
fn ids_from(file: &str) -> (std::ops::Bound<&str>, std::ops::Bound<&str>) {
    (std::ops::Bound::Included(file), std::ops::Bound::Unbounded)
}

/// [`Inventory::certificates_in`] for a loader still filling the map, mutable.
pub(crate) fn certificates_in_mut<'m>(
    certificates: &'m mut BTreeMap<String, crate::CertAsset>,
    file: &'m str,
) -> impl Iterator<Item = &'m mut crate::CertAsset> + 'm {
    certificates
        .range_mut::<str, _>(ids_from(file))
        .take_while(move |(id, _)| id.starts_with(file))
        .map(|(_, c)| c)
        .filter(move |c| c.file == file)
}
