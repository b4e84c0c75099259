//! Loading a vehicle build into an [`Inventory`].

use crate::discover::{self, DiscoveredFile, FileKind, Limits};
use crate::inventory::{Broken, EcuAsset, FileAsset, Inventory, Placed};
use crate::json::JsonDoc;
use crate::lenient::{Shape, parse_lenient};
use crate::pki_files::{self, CertAsset, CertUse, KeyAsset, Parsed};
use icvsec_fs::Tree;
use icvsec_model::input::dataflow::DataFlowManifest;
use icvsec_model::input::ecu::EcuConfig;
use icvsec_model::input::vehicle::VehicleManifest;
use icvsec_model::location::join_key;
use icvsec_model::{AssetKind, Diagnostic, Location};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub limits: Limits,
    /// Vulnerability feeds (`--vuln-db`, icvsec.toml `vuln_db`), loaded with the build.
    pub vuln_db: Vec<crate::software::VulnDb>,
    /// Known-bad keys to match (the shipped list plus `--blocklist` files, finished);
    /// `None`: the shipped list alone (`rules/params/key-blocklist.txt`).
    pub key_blocklist: Option<std::sync::Arc<icvsec_pki::KeyBlocklist>>,
}

/// For a list element dropped at load (list key path, element id): the asset kind and
/// id its rules report an error for.
type KindOf = dyn Fn(&str, Option<&str>) -> Option<(AssetKind, String)>;

struct Loader<'a> {
    /// Every discovered file by relative path (keys borrow from the discovery list).
    files: BTreeMap<&'a str, &'a DiscoveredFile>,
    /// The build, read through the one opener.
    tree: &'a dyn Tree,
    limits: &'a Limits,
    inv: Inventory,
    digests: BTreeMap<String, [u8; 32]>,
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, bytes);
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// A text file read through the build's opener: its digest when it could be read, and
/// its text or why not.
fn read_text(
    tree: &dyn Tree,
    f: &DiscoveredFile,
    max: u64,
) -> (Option<[u8; 32]>, Result<String, Diagnostic>) {
    let bytes = match discover::read_file(tree, f, max) {
        Ok(b) => b,
        Err(e) => {
            return (
                None,
                Err(Diagnostic::error(
                    Location::file(&f.rel),
                    format!("cannot read: {e}"),
                )),
            );
        }
    };
    let digest = sha256(&bytes);
    let text = String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(
            Location::file(&f.rel),
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    });
    (Some(digest), text)
}

/// A JSON input read and parsed leniently, nothing recorded yet ([`Loader::adopt`]
/// records it): pure, so that many can be read in parallel.
type ReadAndParsed<T> = (
    Option<[u8; 32]>,
    Result<crate::lenient::Lenient<T>, Diagnostic>,
);

fn read_and_parse<T: serde::de::DeserializeOwned>(
    tree: &dyn Tree,
    f: &DiscoveredFile,
    max: u64,
    shape: &Shape,
) -> ReadAndParsed<T> {
    let (digest, text) = read_text(tree, f, max);
    (
        digest,
        text.and_then(|t| parse_lenient::<T>(&t, &f.rel, shape)),
    )
}

/// What stands in for a required top-level field an ECU configuration lost to a mistake.
fn ecu_config_default(ecu: &str, field: &str) -> Option<serde_json::Value> {
    match field {
        "schema_version" => Some(serde_json::json!(1)),
        "ecu" => Some(serde_json::json!(ecu)),
        _ => None,
    }
}

const ECU_CONFIG_LISTS: &[&str] = &["tls_profiles"];

impl<'a> Loader<'a> {
    fn error(&mut self, loc: Location, msg: impl Into<String>) {
        let mut loc = loc;
        self.inv.resolve(&mut loc);
        self.inv.diagnostics.push(Diagnostic::error(loc, msg));
    }

    /// Check that a path named in an input stays inside the build and names a regular file.
    fn referenced(&mut self, path: &str, from: Location) -> Option<&'a DiscoveredFile> {
        let clean = path.trim_start_matches("./");
        if clean.starts_with('/') || clean.split('/').any(|s| s == "..") || clean.contains('\\') {
            self.error(
                from,
                format!("`{path}` must be a relative path inside the build"),
            );
            return None;
        }
        match self.files.get(clean) {
            Some(f) => Some(*f),
            None => {
                self.error(
                    from,
                    format!("`{path}` does not exist in the build (or is a link, special or skipped file)"),
                );
                None
            }
        }
    }

    fn read_text(&mut self, f: &DiscoveredFile) -> Result<String, Diagnostic> {
        let (digest, text) = read_text(self.tree, f, self.limits.max_file_size);
        if let Some(d) = digest {
            self.digests.insert(f.rel.clone(), d);
        }
        text
    }

    /// Read a JSON input leniently: each mistake is one located error, only the bad part
    /// is dropped (and remembered as lost, so rules reading it cannot pass or be n/a),
    /// whole list elements that could not load are broken assets of `kind_of(list)`.
    fn parse<T: serde::de::DeserializeOwned>(
        &mut self,
        f: &DiscoveredFile,
        shape: &Shape,
        kind_of: &KindOf,
    ) -> Result<JsonDoc<T>, Diagnostic> {
        let read = read_and_parse(self.tree, f, self.limits.max_file_size, shape);
        self.adopt(f, read, kind_of)
    }

    /// The bookkeeping of [`Loader::parse`] for a file read and parsed already (perhaps on
    /// another thread): its digest, its errors, what was dropped or lost, its positions.
    fn adopt<T>(
        &mut self,
        f: &DiscoveredFile,
        (digest, parsed): ReadAndParsed<T>,
        kind_of: &KindOf,
    ) -> Result<JsonDoc<T>, Diagnostic> {
        if let Some(d) = digest {
            self.digests.insert(f.rel.clone(), d);
        }
        let l = parsed?;
        self.inv.diagnostics.extend(l.errors);
        for d in l.dropped {
            let id = d.id.as_deref();
            if let Some((kind, id)) = kind_of(&d.list, id) {
                self.inv.broken.push(Broken {
                    kind,
                    id,
                    location: d.location,
                    message: d.message,
                });
            }
        }
        if !l.lost.is_empty() {
            self.inv
                .lost
                .entry(f.rel.clone())
                .or_default()
                .extend(l.lost);
        }
        self.inv.sources.insert(f.rel.clone(), l.source.clone());
        Ok(JsonDoc {
            file: f.rel.clone(),
            doc: l.doc,
            value: l.value,
            source: l.source,
        })
    }

    fn broken(&mut self, kind: AssetKind, id: &str, d: Diagnostic) {
        self.inv.broken.push(Broken {
            kind,
            id: id.to_string(),
            location: d.location.clone(),
            message: d.message.clone(),
        });
        self.inv.diagnostics.push(d);
    }

    fn load_vehicle(&mut self) {
        let Some(f) = self.files.get("vehicle.json").copied() else {
            return;
        };
        // Stand-ins for a required top-level field lost to a mistake: the rest of the
        // file (ECUs, endpoints, data flows) still loads; rules reading it cannot assess.
        let root_default = |field: &str| match field {
            "schema_version" => Some(serde_json::json!(1)),
            "vehicle" => Some(serde_json::json!({"model": "(not loaded)", "markets": []})),
            _ => None,
        };
        let shape = Shape {
            root_default: &root_default,
            asset_lists: &["ecus", "networks", "endpoints", "trust_anchors"],
        };
        let kind_of = |list: &str, id: Option<&str>| {
            let kind = match list {
                "ecus" => AssetKind::Ecu,
                "networks" => AssetKind::Network,
                "endpoints" => AssetKind::Endpoint,
                "trust_anchors" => AssetKind::TrustAnchor,
                _ => return None,
            };
            Some((
                kind,
                id.map_or_else(|| format!("vehicle.json {list}"), str::to_string),
            ))
        };
        let doc = match self.parse::<VehicleManifest>(f, &shape, &kind_of) {
            Ok(doc) => doc,
            Err(d) => {
                self.broken(AssetKind::Vehicle, "vehicle", d);
                return;
            }
        };
        // Bounds before any per-ECU work: a 3 MB vehicle.json can declare 100,000 ECUs,
        // and every rule of every ECU would then be evaluated for each.
        let max = self.limits.max_ecus;
        let over: Vec<(&str, usize)> = [
            ("ecus", doc.doc.ecus.len()),
            ("networks", doc.doc.networks.len()),
            ("endpoints", doc.doc.endpoints.len()),
            ("trust_anchors", doc.doc.trust_anchors.len()),
        ]
        .into_iter()
        .filter(|(_, n)| *n > max)
        .collect();
        if !over.is_empty() {
            let what: Vec<String> = over.iter().map(|(k, n)| format!("{n} {k}")).collect();
            let message = format!(
                "declares {}, more than the limit of {max} per list; the vehicle was not loaded",
                what.join(" and ")
            );
            for kind in [
                AssetKind::Ecu,
                AssetKind::Network,
                AssetKind::Endpoint,
                AssetKind::TrustAnchor,
                AssetKind::TlsProfile,
            ] {
                self.inv.broken.push(Broken {
                    kind,
                    id: "vehicle.json".into(),
                    location: Location::at_key("vehicle.json", over[0].0),
                    message: message.clone(),
                });
            }
            self.broken(
                AssetKind::Vehicle,
                "vehicle",
                Diagnostic::error(Location::at_key("vehicle.json", over[0].0), message),
            );
            return;
        }
        let v = doc.doc.clone();
        // A list of vehicle.json dropped at load (wrong type, a bad element): the assets it
        // would have declared are unknown, so their rules report errors, never n/a.
        let lost_lists: Vec<(AssetKind, Location, String)> = self
            .inv
            .lost
            .get("vehicle.json")
            .into_iter()
            .flatten()
            .flat_map(|l| {
                let kinds: &[AssetKind] = match l.key_path.as_str() {
                    "ecus" => &[AssetKind::Ecu],
                    "networks" => &[AssetKind::Network],
                    "endpoints" => &[AssetKind::Endpoint],
                    "trust_anchors" => &[AssetKind::TrustAnchor],
                    "data_flows" => &[
                        AssetKind::DataItem,
                        AssetKind::DataStore,
                        AssetKind::DataFlow,
                    ],
                    _ => &[],
                };
                kinds
                    .iter()
                    .map(|k| (*k, l.location.clone(), l.message.clone()))
            })
            .collect();
        for (kind, location, message) in lost_lists {
            self.inv.broken.push(Broken {
                kind,
                id: "vehicle.json".into(),
                location,
                message,
            });
        }
        self.inv.vehicle = Some(doc);
        if v.schema_version != 1 {
            self.error(
                Location::at_key("vehicle.json", "schema_version"),
                format!(
                    "unsupported schema_version {} (this icvsec reads 1)",
                    v.schema_version
                ),
            );
        }
        let mut ids = BTreeSet::new();
        let all_ids: Vec<(String, String)> = v
            .ecus
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), format!("ecus[{i}]")))
            .chain(
                v.endpoints
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (e.id.clone(), format!("endpoints[{i}]"))),
            )
            .collect();
        for (id, key) in all_ids {
            if !ids.insert(id.clone()) {
                self.error(
                    Location::at_key("vehicle.json", &key),
                    format!("duplicate id `{id}` (ECU and endpoint ids share one namespace)"),
                );
            }
        }

        // ECUs and their configs. The configuration files (500 on a large build) are read
        // and parsed in parallel first; what each gave is then taken in vehicle.json order.
        let config_files: Vec<Option<&DiscoveredFile>> = v
            .ecus
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let path = entry.config.as_ref()?;
                let from =
                    Location::at_key("vehicle.json", join_key(&format!("ecus[{i}]"), "config"));
                self.referenced(path, from)
            })
            .collect();
        let (tree, max) = (self.tree, self.limits.max_file_size);
        let mut configs: Vec<Option<(&DiscoveredFile, ReadAndParsed<EcuConfig>)>> = {
            use rayon::prelude::*;
            config_files
                .into_par_iter()
                .zip(v.ecus.par_iter())
                .map(|(f, entry)| {
                    let f = f?;
                    let root_default = |field: &str| ecu_config_default(&entry.id, field);
                    let shape = Shape {
                        root_default: &root_default,
                        asset_lists: ECU_CONFIG_LISTS,
                    };
                    Some((f, read_and_parse(tree, f, max, &shape)))
                })
                .collect()
        };
        for (i, entry) in v.ecus.iter().enumerate() {
            let key = format!("ecus[{i}]");
            let mut asset = EcuAsset {
                entry: entry.clone(),
                entry_key: key.clone(),
                config: None,
            };
            if let Some(path) = &entry.config {
                if let Some((f, read)) = configs[i].take() {
                    let ecu = entry.id.clone();
                    let kind_of = move |list: &str, id: Option<&str>| {
                        (list == "tls_profiles").then(|| {
                            (
                                AssetKind::TlsProfile,
                                format!("{ecu}/{}", id.unwrap_or("?")),
                            )
                        })
                    };
                    match self.adopt(f, read, &kind_of) {
                        Ok(doc) => {
                            if doc.doc.ecu != entry.id {
                                self.error(
                                    Location::at_key(&doc.file, "ecu"),
                                    format!(
                                        "config names ECU `{}` but vehicle.json references it for `{}`",
                                        doc.doc.ecu, entry.id
                                    ),
                                );
                            }
                            asset.config = Some(doc);
                        }
                        Err(d) => {
                            self.broken(AssetKind::Ecu, &entry.id, d);
                            continue;
                        }
                    }
                } else {
                    self.inv.broken.push(Broken {
                        kind: AssetKind::Ecu,
                        id: entry.id.clone(),
                        location: Location::at_key("vehicle.json", join_key(&key, "config")),
                        message: format!("config file `{path}` could not be read"),
                    });
                    continue;
                }
            }
            if let Some(rootfs) = &entry.rootfs {
                let prefix = format!("{}/", rootfs.trim_end_matches('/'));
                if !self
                    .files
                    .range(prefix.as_str()..)
                    .next()
                    .is_some_and(|(k, _)| k.starts_with(&prefix))
                {
                    self.error(
                        Location::at_key("vehicle.json", join_key(&key, "rootfs")),
                        format!("root filesystem `{rootfs}` holds no files in the build"),
                    );
                }
            }
            self.inv.ecus.insert(entry.id.clone(), asset);
        }

        for (i, n) in v.networks.iter().enumerate() {
            let key = format!("networks[{i}]");
            for (j, e) in n.ecus.iter().enumerate() {
                if !v.ecus.iter().any(|x| &x.id == e) {
                    self.error(
                        Location::at_key("vehicle.json", format!("{key}.ecus[{j}]")),
                        format!("network `{}` names unknown ECU `{e}`", n.id),
                    );
                }
            }
            self.place_into(
                AssetKind::Network,
                &n.id,
                n.clone(),
                "vehicle.json",
                &key,
                None,
            );
        }
        for (i, a) in v.trust_anchors.iter().enumerate() {
            let key = format!("trust_anchors[{i}]");
            self.referenced(
                &a.certificate,
                Location::at_key("vehicle.json", join_key(&key, "certificate")),
            );
            self.place_into(
                AssetKind::TrustAnchor,
                &a.id,
                a.clone(),
                "vehicle.json",
                &key,
                None,
            );
        }
        // TLS profiles declared in ECU configs.
        let ecu_profiles: Vec<(String, String, Vec<_>)> = self
            .inv
            .ecus
            .iter()
            .filter_map(|(id, e)| {
                e.config
                    .as_ref()
                    .map(|c| (id.clone(), c.file.clone(), c.doc.tls_profiles.clone()))
            })
            .collect();
        for (ecu, file, profiles) in ecu_profiles {
            for (j, p) in profiles.into_iter().enumerate() {
                let id = format!("{ecu}/{}", p.id);
                self.check_profile_refs(&p, &file, &format!("tls_profiles[{j}]"), &v);
                self.place_into(
                    AssetKind::TlsProfile,
                    &id,
                    p,
                    &file,
                    &format!("tls_profiles[{j}]"),
                    Some(ecu.clone()),
                );
            }
        }
        for (i, ep) in v.endpoints.iter().enumerate() {
            let key = format!("endpoints[{i}]");
            if let Some(p) = &ep.tls_profile
                && !self.inv.tls_profiles.contains_key(p)
            {
                self.error(
                        Location::at_key("vehicle.json", join_key(&key, "tls_profile")),
                        format!("endpoint `{}` names unknown TLS profile `{p}` (expected `<ecu>/<profile id>`)", ep.id),
                    );
            }
            if let Some(a) = &ep.trust_anchor
                && !v.trust_anchors.iter().any(|t| &t.id == a)
            {
                self.error(
                    Location::at_key("vehicle.json", join_key(&key, "trust_anchor")),
                    format!("endpoint `{}` names unknown trust anchor `{a}`", ep.id),
                );
            }
            if let Some(c) = &ep.server_certificate {
                self.referenced(
                    c,
                    Location::at_key("vehicle.json", join_key(&key, "server_certificate")),
                );
            }
            for (j, c) in ep.clients.iter().enumerate() {
                if !v.ecus.iter().any(|e| &e.id == c) {
                    self.error(
                        Location::at_key("vehicle.json", format!("{key}.clients[{j}]")),
                        format!("endpoint `{}` names unknown client ECU `{c}`", ep.id),
                    );
                }
            }
            if let Some(p) = &ep.tls {
                self.check_profile_refs(p, "vehicle.json", &join_key(&key, "tls"), &v);
                self.place_into(
                    AssetKind::TlsProfile,
                    &format!("endpoint/{}", ep.id),
                    p.clone(),
                    "vehicle.json",
                    &join_key(&key, "tls"),
                    ep.clients.first().cloned(),
                );
            }
            self.place_into(
                AssetKind::Endpoint,
                &ep.id,
                ep.clone(),
                "vehicle.json",
                &key,
                None,
            );
        }

        for (i, path) in v.data_flows.iter().enumerate() {
            let from = Location::at_key("vehicle.json", format!("data_flows[{i}]"));
            if let Some(f) = self.referenced(path, from) {
                let root_default =
                    |field: &str| (field == "schema_version").then(|| serde_json::json!(1));
                let shape = Shape {
                    root_default: &root_default,
                    asset_lists: &["items", "stores", "flows", "parties"],
                };
                let rel = f.rel.clone();
                let kind_of = move |list: &str, id: Option<&str>| {
                    let kind = match list {
                        "items" => AssetKind::DataItem,
                        "stores" => AssetKind::DataStore,
                        // A party is a node of flows: flow rules cannot judge them all.
                        "flows" | "parties" => AssetKind::DataFlow,
                        _ => return None,
                    };
                    Some((
                        kind,
                        id.map_or_else(|| format!("{rel} {list}"), str::to_string),
                    ))
                };
                match self.parse::<DataFlowManifest>(f, &shape, &kind_of) {
                    Ok(doc) => self.add_dataflow(doc),
                    Err(d) => {
                        // Items, stores and flows of the manifest are all unknown now.
                        for kind in [AssetKind::DataItem, AssetKind::DataStore] {
                            self.inv.broken.push(Broken {
                                kind,
                                id: f.rel.clone(),
                                location: d.location.clone(),
                                message: d.message.clone(),
                            });
                        }
                        self.broken(AssetKind::DataFlow, &f.rel.clone(), d)
                    }
                }
            }
        }
        for (i, path) in v.probes.iter().enumerate() {
            let from = Location::at_key("vehicle.json", format!("probes[{i}]"));
            self.referenced(path, from);
        }
    }

    fn check_profile_refs(
        &mut self,
        p: &icvsec_model::input::TlsProfile,
        file: &str,
        key: &str,
        v: &VehicleManifest,
    ) {
        if let Some(a) = &p.trust_anchor
            && !v.trust_anchors.iter().any(|t| &t.id == a)
        {
            self.error(
                Location::at_key(file, join_key(key, "trust_anchor")),
                format!("TLS profile `{}` names unknown trust anchor `{a}`", p.id),
            );
        }
        if let Some(e) = &p.endpoint
            && !v.endpoints.iter().any(|x| &x.id == e)
        {
            self.error(
                Location::at_key(file, join_key(key, "endpoint")),
                format!("TLS profile `{}` names unknown endpoint `{e}`", p.id),
            );
        }
        for (field, path) in [
            ("certificate", &p.certificate),
            ("private_key", &p.private_key),
            ("encryption_certificate", &p.encryption_certificate),
        ] {
            if let Some(path) = path {
                self.referenced(path, Location::at_key(file, join_key(key, field)));
            }
        }
    }

    /// Record an asset found in a JSON file under its id, with its field view.
    fn place_into<T: serde::Serialize + Clone + Placeable>(
        &mut self,
        kind: AssetKind,
        id: &str,
        value: T,
        file: &str,
        key: &str,
        ecu: Option<String>,
    ) {
        let view = serde_json::to_value(&value).unwrap_or_default();
        let placed = Placed {
            value,
            file: file.to_string(),
            key: key.to_string(),
            ecu,
        };
        if insert(T::map(&mut self.inv), id, placed) {
            self.error(
                Location::at_key(file, key),
                format!("duplicate {kind} id `{id}`"),
            );
        } else {
            self.inv.set_view(kind, id, view);
        }
    }

    fn add_dataflow(&mut self, doc: JsonDoc<DataFlowManifest>) {
        let file = doc.file.clone();
        let m = doc.doc.clone();
        let loaded = self.inv.data.items.len()
            + self.inv.data.flows.len()
            + self.inv.data.stores.len()
            + self.inv.data.parties.len();
        let here = m.items.len() + m.flows.len() + m.stores.len() + m.parties.len();
        if loaded + here > self.limits.max_flows {
            let message = format!(
                "{here} items, flows, stores and parties (with {loaded} already loaded) exceed the limit of {} for all data-flow manifests; this manifest was not loaded",
                self.limits.max_flows
            );
            for kind in [AssetKind::DataItem, AssetKind::DataStore] {
                self.inv.broken.push(Broken {
                    kind,
                    id: file.clone(),
                    location: Location::file(&file),
                    message: message.clone(),
                });
            }
            self.broken(
                AssetKind::DataFlow,
                &file,
                Diagnostic::error(Location::file(&file), message),
            );
            return;
        }
        for (i, it) in m.items.iter().enumerate() {
            self.place_into(
                AssetKind::DataItem,
                &it.id,
                it.clone(),
                &file,
                &format!("items[{i}]"),
                None,
            );
        }
        for (i, s) in m.stores.iter().enumerate() {
            let ecu = self
                .inv
                .ecus
                .contains_key(&s.location)
                .then(|| s.location.clone());
            if ecu.is_none() && s.location != "cloud" {
                self.error(
                    Location::at_key(&file, format!("stores[{i}].location")),
                    format!(
                        "store `{}` is located on unknown ECU `{}` (use an ECU id or `cloud`)",
                        s.id, s.location
                    ),
                );
            }
            for (j, item) in s.items.iter().enumerate() {
                if !m.items.iter().any(|x| &x.id == item) {
                    self.error(
                        Location::at_key(&file, format!("stores[{i}].items[{j}]")),
                        format!("store `{}` names unknown data item `{item}`", s.id),
                    );
                }
            }
            self.place_into(
                AssetKind::DataStore,
                &s.id,
                s.clone(),
                &file,
                &format!("stores[{i}]"),
                ecu,
            );
        }
        for (i, p) in m.parties.iter().enumerate() {
            let placed = Placed {
                value: p.clone(),
                file: file.clone(),
                key: format!("parties[{i}]"),
                ecu: None,
            };
            if insert(&mut self.inv.data.parties, &p.id, placed) {
                self.error(
                    Location::at_key(&file, format!("parties[{i}]")),
                    format!("duplicate party id `{}`", p.id),
                );
            }
        }
        self.inv.data.manifests.push(doc);
        for (i, fl) in m.flows.iter().enumerate() {
            let key = format!("flows[{i}]");
            for (field, node) in [("from", &fl.from), ("to", &fl.to)] {
                if !self.is_node(node) {
                    self.error(
                        Location::at_key(&file, join_key(&key, field)),
                        format!("flow `{}` names unknown node `{node}` (not an ECU, endpoint, store or party)", fl.id),
                    );
                }
            }
            for (j, item) in fl.items.iter().enumerate() {
                if !self.inv.data.items.contains_key(item) {
                    self.error(
                        Location::at_key(&file, format!("{key}.items[{j}]")),
                        format!("flow `{}` names unknown data item `{item}`", fl.id),
                    );
                }
            }
            if let Some(ep) = &fl.via_endpoint
                && !self.inv.endpoints.contains_key(ep)
            {
                self.error(
                    Location::at_key(&file, join_key(&key, "via_endpoint")),
                    format!("flow `{}` names unknown endpoint `{ep}`", fl.id),
                );
            }
            let ecu = self
                .inv
                .ecus
                .contains_key(&fl.from)
                .then(|| fl.from.clone());
            self.place_into(AssetKind::DataFlow, &fl.id, fl.clone(), &file, &key, ecu);
        }
    }

    fn is_node(&self, id: &str) -> bool {
        self.inv.ecus.contains_key(id)
            || self.inv.endpoints.contains_key(id)
            || self.inv.data.stores.contains_key(id)
            || self.inv.data.parties.contains_key(id)
            || self
                .inv
                .vehicle
                .as_ref()
                .is_some_and(|v| v.doc.ecus.iter().any(|e| e.id == id))
    }

    /// Files found by type (certificates, keys, host configuration files).
    fn load_files(&mut self, discovered: &[DiscoveredFile]) {
        let rootfs: Vec<(String, String)> = self
            .inv
            .ecus
            .iter()
            .filter_map(|(id, e)| {
                e.entry
                    .rootfs
                    .as_ref()
                    .map(|r| (format!("{}/", r.trim_end_matches('/')), id.clone()))
            })
            .collect();
        let roots = crate::rootfs_index::RootfsIndex::new(rootfs);
        let owner = |rel: &str| roots.owner(rel).map(|(_, id)| id.to_string());
        let pki: Vec<&DiscoveredFile> = discovered
            .iter()
            .filter(|f| {
                matches!(
                    f.kind,
                    FileKind::Certificate
                        | FileKind::Pem
                        | FileKind::Key
                        | FileKind::CryptoByContent
                )
            })
            .collect();
        let parsed_all = pki_files::parse_all(
            self.tree,
            &pki,
            self.limits.max_file_size,
            self.limits.max_objects_per_file,
        );
        // Collected in discovery (path) order and merged into the maps in one pass each
        // (`BTreeMap::append` builds from sorted input): inserting 20,000 certificates of
        // 856 bytes one by one was most of this loop, which runs on one thread.
        let mut new_digests = Vec::with_capacity(pki.len());
        let mut new_certs = Vec::with_capacity(pki.len());
        let mut new_pubkeys = Vec::new();
        let mut new_keys = Vec::new();
        for (f, (parsed, digest)) in pki.iter().zip(parsed_all) {
            if let Some(d) = digest {
                new_digests.push((f.rel.clone(), d));
            }
            match parsed {
                Parsed::NotCrypto => {}
                Parsed::Failed { kind, diag } => {
                    // A .pem that could not be read may hold keys as well as certificates:
                    // neither family may pass or be "not applicable" for it.
                    if matches!(f.kind, FileKind::Pem | FileKind::CryptoByContent) {
                        let other = if kind == AssetKind::PrivateKey {
                            AssetKind::Certificate
                        } else {
                            AssetKind::PrivateKey
                        };
                        self.inv.broken.push(Broken {
                            kind: other,
                            id: f.rel.clone(),
                            location: diag.location.clone(),
                            message: diag.message.clone(),
                        });
                    }
                    self.broken(kind, &f.rel, diag)
                }
                Parsed::Objects {
                    certs,
                    keys,
                    pubkeys,
                } => {
                    let many = certs.len() > 1;
                    let of = certs.len();
                    for (i, cert) in certs.into_iter().enumerate() {
                        let id = if many {
                            format!("{}#{}", f.rel, i + 1)
                        } else {
                            f.rel.clone()
                        };
                        new_certs.push((
                            id,
                            CertAsset {
                                line: cert.pem_begin_line,
                                cert,
                                file: f.rel.as_str().into(),
                                ecu: owner(&f.rel),
                                uses: vec![],
                                position: i + 1,
                                of,
                                role: None,
                            },
                        ));
                    }
                    let alone = pubkeys.len() == 1 && of == 0 && keys.is_empty();
                    for (i, mut pk) in pubkeys.into_iter().enumerate() {
                        let id = if alone {
                            f.rel.clone()
                        } else {
                            format!("{}#pub{}", f.rel, i + 1)
                        };
                        pk.ecu = owner(&f.rel);
                        new_pubkeys.push((id, pk));
                    }
                    let many = keys.len() > 1;
                    for (i, key) in keys.into_iter().enumerate() {
                        let id = if many {
                            format!("{}#key{}", f.rel, i + 1)
                        } else if f.kind == FileKind::Key
                            || (f.kind == FileKind::CryptoByContent && of == 0)
                        {
                            f.rel.clone()
                        } else {
                            format!("{}#key", f.rel)
                        };
                        new_keys.push((
                            id,
                            KeyAsset {
                                line: key.pem_begin_line,
                                key,
                                file: f.rel.as_str().into(),
                                ecu: owner(&f.rel),
                                certificates: Arc::default(),
                            },
                        ));
                    }
                }
            }
        }
        // `append` keeps the later of two equal keys, as inserting in this order did.
        self.digests.append(&mut new_digests.into_iter().collect());
        self.inv
            .certificates
            .append(&mut new_certs.into_iter().collect());
        self.inv
            .public_keys
            .append(&mut new_pubkeys.into_iter().collect());
        self.inv.keys.append(&mut new_keys.into_iter().collect());
        self.load_probes(discovered);
        for f in discovered {
            let kind = match f.kind {
                FileKind::SshdConfig => AssetKind::SshdConfig,
                FileKind::Passwd => AssetKind::Passwd,
                FileKind::Shadow => AssetKind::Shadow,
                FileKind::KernelConfig => AssetKind::KernelConfig,
                FileKind::AndroidProps => AssetKind::AndroidProps,
                FileKind::Sysctl => AssetKind::Sysctl,
                FileKind::Firewall => AssetKind::Firewall,
                FileKind::UciConfig => AssetKind::UciConfig,
                FileKind::Inittab => AssetKind::Inittab,
                FileKind::Nginx => AssetKind::NginxConfig,
                FileKind::OpensslConfig => AssetKind::OpensslConfig,
                FileKind::TlsStackConfig => AssetKind::TlsStackConfig,
                _ => continue,
            };
            if let Some(problem) = &f.problem {
                // A special file or a bad link where this kind of file should be.
                self.inv.broken.push(Broken {
                    kind,
                    id: f.rel.clone(),
                    location: Location::file(&f.rel),
                    message: problem.clone(),
                });
                continue;
            }
            if f.size > self.limits.max_file_size {
                // Skipped with a warning above; the rules that need it cannot assess it.
                self.inv.broken.push(Broken {
                    kind,
                    id: f.rel.clone(),
                    location: Location::file(&f.rel),
                    message: format!(
                        "not read: {} bytes is over the size limit of {} bytes",
                        f.size, self.limits.max_file_size
                    ),
                });
                continue;
            }
            self.inv.files.push(FileAsset {
                kind,
                id: f.rel.clone(),
                file: f.rel.clone(),
                line: None,
                ecu: owner(&f.rel),
            });
        }
        self.link_certificates();
    }

    /// Saved probes: every `*.probe.json` and every file named in vehicle.json `probes`.
    fn load_probes(&mut self, discovered: &[DiscoveredFile]) {
        let listed: BTreeSet<String> = self
            .inv
            .vehicle
            .as_ref()
            .map(|v| {
                v.doc
                    .probes
                    .iter()
                    .map(|p| p.trim_start_matches("./").to_string())
                    .collect()
            })
            .unwrap_or_default();
        let endpoints: Vec<_> = self
            .inv
            .endpoints
            .values()
            .map(|p| p.value.clone())
            .collect();
        for f in discovered {
            if f.kind != FileKind::Probe && !listed.contains(&f.rel) {
                continue;
            }
            if f.size > self.limits.max_file_size {
                continue;
            }
            let loaded = self
                .read_text(f)
                .and_then(|text| crate::probe_files::load_probe(&text, &f.rel, &endpoints));
            let ecu = self.owner_of(&f.rel);
            match loaded {
                Err(d) => self.broken(AssetKind::ProbeResult, &f.rel, d),
                Ok(lp) => {
                    self.inv.sources.insert(f.rel.clone(), lp.source);
                    for (id, mut c) in lp.certs {
                        c.ecu = ecu.clone();
                        self.inv.certificates.insert(id, c);
                    }
                    for (id, d) in lp.broken_certs {
                        let mut d = d;
                        self.inv.resolve(&mut d.location);
                        self.broken(AssetKind::Certificate, &id, d);
                    }
                    self.inv.probes.insert(f.rel.clone(), lp.asset);
                    self.inv.files.push(FileAsset {
                        kind: AssetKind::ProbeResult,
                        id: f.rel.clone(),
                        file: f.rel.clone(),
                        line: None,
                        ecu,
                    });
                }
            }
        }
    }

    /// The per-ECU software inventory, VEX documents and feeds (see crate::software).
    fn load_software(&mut self, discovered: &[DiscoveredFile], feeds: &[crate::software::VulnDb]) {
        let rootfs: Vec<(String, String)> = self
            .inv
            .ecus
            .iter()
            .filter_map(|(id, e)| {
                e.entry.rootfs.as_ref().map(|r| {
                    (
                        format!("{}/", r.trim_start_matches("./").trim_end_matches('/')),
                        id.clone(),
                    )
                })
            })
            .collect();
        let input = crate::software::Input {
            tree: self.tree,
            discovered,
            rootfs,
            ecu_ids: self.inv.ecus.keys().cloned().collect(),
            max_file: self.limits.max_file_size,
            feeds,
        };
        let (sw, diags, read) = crate::software::build(&input);
        for (rel, d) in read {
            if let Ok(d) = <[u8; 32]>::try_from(d.as_slice()) {
                self.digests.entry(rel).or_insert(d);
            }
        }
        self.inv.software = sw;
        self.inv.diagnostics.extend(diags);
    }

    /// Update packages and network definitions (module `netupd_files`), read through the
    /// build tree. The ECU a package is for: the owner of the root filesystem holding it,
    /// else the ECU whose id is a directory name on its path. Its anchors: the ECU's
    /// `software_update.signing_certificate`, else the vehicle trust anchors whose purpose
    /// mentions update, else none (the signature is then unverifiable).
    fn load_netupd(&mut self, discovered: &[DiscoveredFile]) {
        let mut net = Vec::new();
        for f in discovered {
            match f.kind {
                FileKind::Arxml | FileKind::Dbc => {
                    let bytes = discover::read_file(self.tree, f, self.limits.max_file_size)
                        .map_err(|e| e.to_string());
                    if let Ok(b) = &bytes {
                        self.digests.insert(f.rel.clone(), sha256(b));
                    }
                    net.push((f.rel.clone(), bytes));
                }
                FileKind::UpdatePackage => self.load_update_package(f, discovered),
                _ => {}
            }
        }
        self.inv.network = crate::netupd_files::read_network_defs(net);
        for e in self.inv.network.errors.clone() {
            let loc = match e.line {
                Some(l) => Location::at_line(&e.file, l as u32),
                None => Location::file(&e.file),
            };
            self.inv
                .diagnostics
                .push(Diagnostic::error(loc, e.to_string()));
        }
    }

    fn load_update_package(&mut self, f: &DiscoveredFile, discovered: &[DiscoveredFile]) {
        if f.size > self.limits.max_file_size
            && f.size <= self.limits.max_package_size
            && let Ok(Some(file)) = self.tree.open_file(&f.comps)
        {
            return self.load_large_update_package(f, file);
        }
        let bytes = match discover::read_file(self.tree, f, self.limits.max_file_size) {
            Ok(b) => b,
            Err(e) => {
                let ecu = self.package_ecu(&f.rel);
                let msg = format!("{}: cannot read: {e}", f.rel);
                self.record_update_package(&f.rel, ecu, None, Err(msg));
                return;
            }
        };
        if icvsec_update::detect(&f.rel, &bytes).is_none() {
            return;
        }
        let ecu = self.package_ecu(&f.rel);
        let (anchors_from, anchor_files) = self.package_anchor_files(ecu.as_deref());
        let mut options = icvsec_update::Options::default();
        let anchors = crate::netupd_files::parse_anchors(&anchor_files);
        let package = match anchors {
            Err(e) => Err(format!("{}: trust anchor unreadable: {e}", f.rel)),
            Ok(a) => {
                options.anchors = a;
                options.installed_version = self.installed_version(ecu.as_deref());
                let tuf_root = f.rel.rsplit('/').next() == Some("root.json")
                    && icvsec_update::detect(&f.rel, &bytes) == Some(icvsec_update::Kind::Tuf);
                if tuf_root {
                    self.load_tuf_repository(f, &bytes, discovered, &options)
                } else {
                    match crate::netupd_files::read_update_package(&f.rel, &bytes, &options) {
                        Some(r) => r,
                        None => return,
                    }
                }
            }
        };
        self.digests.insert(f.rel.clone(), sha256(&bytes));
        self.warn_unowned_package(&f.rel, ecu.as_deref());
        self.record_update_package(&f.rel, ecu, anchors_from, package);
    }

    /// A package no declared ECU owns is judged by no rule: say so rather than stay silent.
    fn warn_unowned_package(&mut self, rel: &str, ecu: Option<&str>) {
        if ecu.is_none() {
            self.inv.diagnostics.push(Diagnostic::warning(
                Location::file(rel),
                "update package belongs to no declared ECU (put it in an ECU's root filesystem or under a directory named after the ECU id); the ICV-PKG rules do not judge it",
            ));
        }
    }

    /// Keep an update package asset; one that could not be read or verified is also an
    /// input error naming the file.
    fn record_update_package(
        &mut self,
        rel: &str,
        ecu: Option<String>,
        anchors_from: Option<String>,
        package: Result<icvsec_update::UpdatePackage, String>,
    ) {
        if let Err(e) = &package {
            self.inv
                .diagnostics
                .push(Diagnostic::error(Location::file(rel), e.clone()));
        }
        self.inv.update_packages.insert(
            rel.to_string(),
            crate::UpdatePackageAsset {
                file: rel.to_string(),
                ecu,
                anchors_from,
                package,
            },
        );
    }

    /// A package above the file size bound but within the package bound, read in place
    /// (SWUpdate images hashed in chunks; other formats refused beyond the in-memory
    /// bound, with an error naming it).
    fn load_large_update_package(&mut self, f: &DiscoveredFile, file: std::fs::File) {
        let ecu = self.package_ecu(&f.rel);
        let (anchors_from, anchor_files) = self.package_anchor_files(ecu.as_deref());
        let mut options = icvsec_update::Options::default();
        options.limits.max_package_bytes = self.limits.max_package_size;
        options.limits.max_in_memory_bytes = self.limits.max_file_size;
        options.installed_version = self.installed_version(ecu.as_deref());
        let package = match crate::netupd_files::parse_anchors(&anchor_files) {
            Err(e) => Err(format!("{}: trust anchor unreadable: {e}", f.rel)),
            Ok(a) => {
                options.anchors = a;
                icvsec_update::read_package_from_file(&f.rel, file, &options)
                    .map_err(|e| e.to_string())
            }
        };
        self.warn_unowned_package(&f.rel, ecu.as_deref());
        self.record_update_package(&f.rel, ecu, anchors_from, package);
    }

    fn installed_version(&self, ecu: Option<&str>) -> Option<String> {
        self.inv
            .ecus
            .get(ecu?)?
            .config
            .as_ref()?
            .doc
            .software_update
            .as_ref()?
            .installed_version
            .clone()
    }

    /// An Uptane/TUF repository: `root.json` with the `targets.json`, `snapshot.json` and
    /// `timestamp.json` next to it and the target files under `targets/`, read as one
    /// repository so that signatures, thresholds and snapshot consistency are judged
    /// together. Metadata files are bounded by the metadata limit, target files by the
    /// file size limit and their number by the entry limit. Each metadata file read is
    /// indexed so findings point at their line.
    fn load_tuf_repository(
        &mut self,
        root: &DiscoveredFile,
        root_bytes: &[u8],
        discovered: &[DiscoveredFile],
        options: &icvsec_update::Options,
    ) -> Result<icvsec_update::UpdatePackage, String> {
        let dir = root.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut metadata = std::collections::BTreeMap::new();
        metadata.insert("root.json".to_string(), root_bytes.to_vec());
        let mut targets = std::collections::BTreeMap::new();
        let targets_dir = format!("{prefix}targets/");
        for g in discovered {
            let Some(rest) = g.rel.strip_prefix(&prefix) else {
                continue;
            };
            let role_file = matches!(rest, "targets.json" | "snapshot.json" | "timestamp.json");
            let target = g.rel.starts_with(&targets_dir);
            if !role_file && !target {
                continue;
            }
            let limit = if role_file {
                options.limits.max_metadata_bytes as u64
            } else {
                self.limits.max_file_size
            };
            let bytes = discover::read_file(self.tree, g, limit)
                .map_err(|e| format!("{}: cannot read: {e}", g.rel))?;
            self.digests.insert(g.rel.clone(), sha256(&bytes));
            if role_file {
                metadata.insert(rest.to_string(), bytes);
            } else {
                if targets.len() >= options.limits.max_entries {
                    return Err(format!(
                        "{targets_dir}: more than {} target files",
                        options.limits.max_entries
                    ));
                }
                targets.insert(g.rel[targets_dir.len()..].to_string(), bytes);
            }
        }
        for (name, bytes) in &metadata {
            if let Ok(text) = std::str::from_utf8(bytes)
                && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
            {
                self.inv.sources.insert(
                    format!("{prefix}{name}"),
                    crate::json::SourceMap::index(text),
                );
            }
        }
        let result = if metadata.len() == 1 {
            icvsec_update::read_package(&root.rel, root_bytes, options)
        } else {
            icvsec_update::tuf::read_repository(dir, &metadata, &targets, options)
        };
        result.map_err(|e| e.to_string())
    }

    fn package_ecu(&self, rel: &str) -> Option<String> {
        if let Some(id) = self.owner_of(rel) {
            return Some(id);
        }
        let dirs: Vec<&str> = rel.split('/').collect();
        let dirs = &dirs[..dirs.len().saturating_sub(1)];
        self.inv
            .ecus
            .keys()
            .find(|id| dirs.iter().any(|d| d == id))
            .cloned()
    }

    /// Trust anchor certificate files for a package of `ecu`: (origin, files).
    fn package_anchor_files(
        &mut self,
        ecu: Option<&str>,
    ) -> (Option<String>, Vec<(String, Vec<u8>)>) {
        let mut paths: Vec<String> = Vec::new();
        let mut origin = None;
        if let Some(e) = ecu.and_then(|id| self.inv.ecus.get(id))
            && let Some(doc) = &e.config
            && let Some(cert) = doc
                .doc
                .software_update
                .as_ref()
                .and_then(|u| u.signing_certificate.clone())
        {
            origin = Some(format!("{} software_update.signing_certificate", doc.file));
            paths.push(cert);
        }
        if paths.is_empty() {
            let mut from = Vec::new();
            for (id, a) in &self.inv.trust_anchors {
                if a.value
                    .purpose
                    .as_deref()
                    .is_some_and(|p| p.to_ascii_lowercase().contains("update"))
                {
                    paths.push(a.value.certificate.clone());
                    from.push(id.clone());
                }
            }
            if !from.is_empty() {
                origin = Some(format!("vehicle.json trust_anchors {}", from.join(", ")));
            }
        }
        let mut out = Vec::new();
        for p in paths {
            let clean = p.trim_start_matches("./").to_string();
            let Some(f) = self.files.get(clean.as_str()).copied() else {
                // The dangling reference is reported where the declaration is loaded.
                continue;
            };
            if let Ok(b) = discover::read_file(self.tree, f, self.limits.max_file_size) {
                out.push((clean, b));
            }
        }
        (origin, out)
    }

    fn owner_of(&self, rel: &str) -> Option<String> {
        self.inv.ecus.iter().find_map(|(id, e)| {
            let r = e.entry.rootfs.as_ref()?;
            rel.starts_with(&format!("{}/", r.trim_end_matches('/')))
                .then(|| id.clone())
        })
    }

    /// The role of every certificate in its file (icvsec_pki::bundle::classify): a file
    /// whose first certificate has a declared non-anchor use, or whose first certificate
    /// is an end-entity followed by CA certificates, is an identity file (leaf, then
    /// intermediates); a declared trust anchor file, or a file of several certificates
    /// that are all roots (a CA bundle), is a set of anchors. Roles from saved probes
    /// (the chain a server sent) are kept.
    fn assign_roles(&mut self) {
        let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (id, c) in &self.inv.certificates {
            if c.role.is_none() {
                by_file
                    .entry(c.file.to_string())
                    .or_default()
                    .push(id.clone());
            }
        }
        for (_, mut ids) in by_file {
            ids.sort_by_key(|id| self.inv.certificates.get(id).map_or(0, |c| c.position));
            let certs: Vec<&CertAsset> = ids
                .iter()
                .filter_map(|id| self.inv.certificates.get(id))
                .collect();
            let Some(first) = certs.first() else { continue };
            let declared_identity = first
                .uses
                .iter()
                .any(|u| !matches!(u, CertUse::Anchor { .. }));
            let declared_anchor = certs
                .iter()
                .any(|c| c.uses.iter().any(|u| matches!(u, CertUse::Anchor { .. })));
            let chain_shaped =
                certs.len() > 1 && !first.cert.is_ca() && certs[1..].iter().all(|c| c.cert.is_ca());
            let all_roots = certs.len() > 1
                && certs
                    .iter()
                    .all(|c| icvsec_pki::lint::is_root_like(&c.cert));
            let usage = if declared_identity || (!declared_anchor && chain_shaped) {
                Some(icvsec_pki::FileUse::Identity)
            } else if declared_anchor || all_roots {
                Some(icvsec_pki::FileUse::CaBundle)
            } else {
                None
            };
            let Some(usage) = usage else { continue };
            let owned: Vec<icvsec_pki::Certificate> =
                certs.iter().map(|c| c.cert.clone()).collect();
            for (id, placed) in ids.iter().zip(icvsec_pki::classify(&owned, usage)) {
                if let Some(c) = self.inv.certificates.get_mut(id) {
                    c.role = Some(placed.role);
                }
            }
        }
    }

    /// Give certificates their declared uses and link keys to their certificates.
    fn link_certificates(&mut self) {
        let mut uses: Vec<(String, CertUse)> = Vec::new();
        if let Some(v) = &self.inv.vehicle {
            for ep in &v.doc.endpoints {
                if let Some(c) = &ep.server_certificate {
                    uses.push((
                        c.clone(),
                        CertUse::Server {
                            endpoint: ep.id.clone(),
                            host: ep.host.clone(),
                            anchor: ep.trust_anchor.clone(),
                        },
                    ));
                }
            }
            for a in &v.doc.trust_anchors {
                uses.push((
                    a.certificate.clone(),
                    CertUse::Anchor {
                        anchor: a.id.clone(),
                        test_only: a.test_only,
                    },
                ));
            }
        }
        for (id, p) in &self.inv.tls_profiles {
            if let Some(c) = &p.value.certificate {
                let server = p.value.side == icvsec_model::input::tls::TlsSide::Server;
                uses.push((
                    c.clone(),
                    CertUse::Profile {
                        profile: id.clone(),
                        server,
                        anchor: p.value.trust_anchor.clone(),
                    },
                ));
            }
        }
        for (id, e) in &self.inv.ecus {
            let Some(cfg) = &e.config else { continue };
            if let Some(c) = &cfg.doc.identity_certificate {
                uses.push((c.clone(), CertUse::EcuIdentity { ecu: id.clone() }));
            }
            if let Some(c) = cfg
                .doc
                .software_update
                .as_ref()
                .and_then(|u| u.signing_certificate.as_ref())
            {
                uses.push((c.clone(), CertUse::UpdateSigning { ecu: id.clone() }));
            }
        }
        for (file, u) in uses {
            let file = file.trim_start_matches("./").to_string();
            let mut found = false;
            // A deployed identity file (nginx fullchain, cert.pem + chain.pem) is leaf
            // first, then its intermediates: only the leaf is presented for the use.
            let anchor_use = matches!(u, CertUse::Anchor { .. });
            // Looked up by key range, not by walking every certificate per use (200 ECUs
            // × 20,000 certificates was a twentieth of a scan).
            for c in crate::inventory::certificates_in_mut(&mut self.inv.certificates, &file) {
                found = true;
                if !anchor_use && c.position > 1 {
                    continue;
                }
                if !c.uses.contains(&u) {
                    c.uses.push(u.clone());
                }
            }
            if !found
                && self.files.contains_key(file.as_str())
                && !self.inv.broken.iter().any(|b| b.id == file)
            {
                self.inv.diagnostics.push(Diagnostic::error(
                    Location::file(&file),
                    "referenced as a certificate but holds none",
                ));
            }
        }
        for c in self.inv.certificates.values_mut() {
            c.uses.sort();
        }
        self.assign_roles();
        // The certificates of each key's public half, listed once per public key and
        // shared by the keys that have it: a key pair reused by thousands of
        // certificates, found in hundreds of ECUs, was a list per key (49 MB resident on
        // the large benchmark build, and a scan of every certificate per key).
        let wanted: BTreeSet<&str> = self
            .inv
            .keys
            .values()
            .filter_map(|k| k.key.public_spki_sha256.as_deref())
            .collect();
        let mut by_spki: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (id, c) in &self.inv.certificates {
            if let Some(s) = wanted.get(c.cert.spki_sha256.as_str()) {
                by_spki.entry(s).or_default().push(id.clone());
            }
        }
        let by_spki: BTreeMap<String, Arc<[String]>> = by_spki
            .into_iter()
            .map(|(s, ids)| (s.to_string(), Arc::from(ids)))
            .collect();
        for k in self.inv.keys.values_mut() {
            if let Some(ids) = k
                .key
                .public_spki_sha256
                .as_ref()
                .and_then(|s| by_spki.get(s))
            {
                k.certificates = ids.clone();
            }
        }
    }
}

/// Asset types kept in a map of the inventory.
trait Placeable: Sized {
    fn map(inv: &mut Inventory) -> &mut BTreeMap<String, Placed<Self>>;
}

macro_rules! placeable {
    ($($t:ty => $($field:ident).+;)*) => {
        $(impl Placeable for $t {
            fn map(inv: &mut Inventory) -> &mut BTreeMap<String, Placed<Self>> { &mut inv.$($field).+ }
        })*
    };
}

placeable! {
    icvsec_model::input::vehicle::Network => networks;
    icvsec_model::input::vehicle::Endpoint => endpoints;
    icvsec_model::input::vehicle::TrustAnchor => trust_anchors;
    icvsec_model::input::TlsProfile => tls_profiles;
    icvsec_model::input::dataflow::DataItem => data.items;
    icvsec_model::input::dataflow::DataFlow => data.flows;
    icvsec_model::input::dataflow::DataStore => data.stores;
}

fn insert<T>(map: &mut BTreeMap<String, Placed<T>>, id: &str, placed: Placed<T>) -> bool {
    if map.contains_key(id) {
        return true;
    }
    map.insert(id.to_string(), placed);
    false
}

/// The root filesystems vehicle.json declares, read leniently before discovery so that
/// links found while walking resolve inside the right root. Errors are left to the
/// loader, which reads the file again strictly.
fn declared_rootfs(tree: &dyn Tree, limits: &Limits) -> Vec<String> {
    let Ok(bytes) = tree.read_file(&[b"vehicle.json".to_vec()], limits.max_file_size) else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Vec::new();
    };
    v.get("ecus")
        .and_then(|e| e.as_array())
        .map(|ecus| {
            ecus.iter()
                .take(limits.max_ecus)
                .filter_map(|e| e.get("rootfs")?.as_str())
                .map(|r| r.trim_start_matches("./").trim_end_matches('/').to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Open the build: a directory, or a single firmware image given on the command line
/// (then scanned as the build's only root filesystem, under its own name). Images found
/// in the build (by name and magic bytes) or declared as an ECU's `rootfs` are mounted
/// at their paths; their files are discovered like any others.
fn open_build(
    root: &Path,
    opts: &LoadOptions,
) -> Result<
    (
        crate::images::BuildTree,
        Vec<DiscoveredFile>,
        Vec<Diagnostic>,
    ),
    String,
> {
    use crate::images::{BuildTree, Opened};
    use icvsec_fs::name::identity;
    let image_limits = icvsec_image::ImageLimits::default();
    let single = std::fs::symlink_metadata(root).is_ok_and(|m| m.is_file());
    let (host_root, only): (&Path, Option<Vec<u8>>) = if single {
        let name = root
            .file_name()
            .map(|n| n.as_encoded_bytes().to_vec())
            .ok_or_else(|| format!("{}: not a directory or a file", root.display()))?;
        (
            root.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new(".")),
            Some(name),
        )
    } else {
        (root, None)
    };
    let mut build = BuildTree::new(discover::open_root(host_root)?);
    let mut diags = Vec::new();
    let (mut discovered, rootfs) = match &only {
        Some(name) => {
            let comps = vec![name.clone()];
            let rel = identity(&comps);
            match build.mount(&comps, &rel, &image_limits) {
                Opened::Mounted { .. } => {}
                Opened::NotAFilesystem => {
                    return Err(format!(
                        "{}: not a directory, and not a firmware image icvsec reads (ext4, Android sparse, squashfs, cpio, tar, compressed)",
                        root.display()
                    ));
                }
                Opened::Failed(e) => return Err(format!("{}: {e}", root.display())),
            }
            (Vec::new(), vec![rel])
        }
        None => {
            let rootfs = declared_rootfs(&build, &opts.limits);
            let (d, dg) = discover::discover(&build, &opts.limits, &rootfs);
            diags.extend(dg);
            (d, rootfs)
        }
    };
    // Mount the images among the files found.
    let candidates: Vec<DiscoveredFile> = discovered
        .iter()
        .filter(|f| {
            f.kind == FileKind::Other
                && f.via_link.is_none()
                && (crate::images::is_candidate_name(&f.rel) || rootfs.iter().any(|r| r == &f.rel))
        })
        .cloned()
        .collect();
    for f in &candidates {
        match build.mount(&f.comps, &f.rel, &image_limits) {
            Opened::Mounted { .. } | Opened::NotAFilesystem => {}
            Opened::Failed(e) => {
                diags.push(Diagnostic::error(
                    Location::file(&f.rel),
                    format!("firmware image cannot be read: {e}; its files cannot be assessed"),
                ));
            }
        }
    }
    let mounts: Vec<Vec<Vec<u8>>> = build.mount_points().cloned().collect();
    if !mounts.is_empty() {
        let mut roots = rootfs.clone();
        roots.extend(mounts.iter().map(|m| identity(m)));
        discovered.retain(|f| !mounts.contains(&f.comps));
        let (inside, dg) = discover::discover_from(
            &build,
            &opts.limits,
            &roots,
            mounts.clone(),
            discovered.len(),
        );
        for m in &mounts {
            let n = inside.iter().filter(|f| f.comps.starts_with(m)).count();
            diags.push(Diagnostic::notice(
                Location::file(identity(m)),
                format!("firmware image read in place as a root filesystem ({n} files)"),
            ));
        }
        discovered.extend(inside);
        discovered.sort_by(|a, b| a.rel.cmp(&b.rel));
        diags.extend(dg);
    }
    Ok((build, discovered, diags))
}

/// Load a vehicle build. Problems become diagnostics (and broken assets); loading never stops early.
pub fn load_build(root: &Path, opts: &LoadOptions) -> Inventory {
    let t0 = std::time::Instant::now();
    let (build, discovered, diags) = match open_build(root, opts) {
        Ok(x) => x,
        Err(e) => {
            let mut inv = Inventory {
                root: root.to_path_buf(),
                limits: opts.limits.clone(),
                ..Default::default()
            };
            inv.diagnostics.push(Diagnostic::error(
                Location::file("."),
                format!("cannot scan {e}"),
            ));
            return inv;
        }
    };
    let tree: std::sync::Arc<dyn Tree> = std::sync::Arc::new(build);
    let mut loader = Loader {
        files: discovered.iter().map(|f| (f.rel.as_str(), f)).collect(),
        tree: tree.as_ref(),
        limits: &opts.limits,
        inv: Inventory {
            root: root.to_path_buf(),
            tree: crate::inventory::SharedTree(tree.clone()),
            limits: opts.limits.clone(),
            diagnostics: diags,
            files_scanned: discovered.len(),
            ..Default::default()
        },
        digests: BTreeMap::new(),
    };
    for f in &discovered {
        if f.size > opts.limits.max_file_size
            && f.kind != FileKind::Other
            && !(f.kind == FileKind::UpdatePackage && f.size <= opts.limits.max_package_size)
        {
            loader.inv.diagnostics.push(Diagnostic::error(
                Location::file(&f.rel),
                discover::oversize_message(f.size, opts.limits.max_file_size),
            ));
        }
    }
    loader.inv.key_blocklist = opts
        .key_blocklist
        .clone()
        .unwrap_or_else(|| std::sync::Arc::new(icvsec_pki::default_blocklist()));
    crate::timings::phase("load discovered", t0);
    loader.load_vehicle();
    loader.load_files(&discovered);
    crate::timings::phase("load files", t0);
    loader.load_software(&discovered, &opts.vuln_db);
    crate::timings::phase("load software", t0);
    loader.load_netupd(&discovered);
    crate::timings::phase("load netupd", t0);
    // Linux/Android root filesystems: parsed once here, queried by the checks.
    loader.inv.linux = crate::linux_roots::load(&loader.inv);
    crate::timings::phase("load linux roots", t0);
    // TLS configurations need the file assets and the ECUs' root filesystems.
    loader.inv.tls_configs = crate::tls_files::load(&loader.inv);
    crate::timings::phase("load tls configs", t0);
    // Silence is never a pass: a build in which nothing could be judged (no vehicle.json,
    // no certificate, key, host configuration or saved probe) is an incomplete assessment.
    let inv_ref = &loader.inv;
    let nothing = inv_ref.vehicle.is_none()
        && inv_ref.certificates.is_empty()
        && inv_ref.keys.is_empty()
        && inv_ref.public_keys.is_empty()
        && inv_ref.files.is_empty()
        && inv_ref.probes.is_empty()
        && inv_ref.update_packages.is_empty()
        && inv_ref.network.is_empty()
        && inv_ref.broken.is_empty();
    if nothing {
        loader.inv.diagnostics.push(Diagnostic::error(
            Location::file("."),
            format!(
                "nothing to assess: no vehicle.json and no file icvsec can judge among the {} file(s) found (certificates, keys, host configuration files, saved probes); see README \"Input formats\"",
                discovered.len()
            ),
        ));
    } else if loader.inv.vehicle.is_none()
        && !loader.inv.diagnostics.iter().any(|d| {
            d.level == icvsec_model::DiagnosticLevel::Error && d.location.file == "vehicle.json"
        })
    {
        // Files were judged, but what the requirements ask the vehicle to declare (ECUs
        // and their roles, networks, endpoints, data flows) is not there to judge: the
        // self-assessment is incomplete, not "not applicable".
        loader.inv.diagnostics.push(Diagnostic::error(
            Location::file("vehicle.json"),
            "no vehicle description: vehicle.json is missing, so the ECUs, their roles and the settings the requirements ask them to declare could not be assessed; the files found were judged on their own (to gate on those alone: --allow-incomplete)",
        ));
    }
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    for (path, d) in &loader.digests {
        ctx.update(path.as_bytes());
        ctx.update(&[0]);
        ctx.update(d);
    }
    let mut inv = loader.inv;
    inv.file_digests = loader.digests;
    inv.input_digest = icvsec_model::hex::encode(ctx.finish().as_ref());
    inv.diagnostics.sort();
    inv.diagnostics.dedup();
    crate::timings::phase("load digests", t0);
    inv.graph = crate::graph::build(&inv);
    crate::timings::phase("load graph", t0);
    inv
}
