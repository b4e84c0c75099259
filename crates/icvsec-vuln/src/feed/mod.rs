//! Offline vulnerability feeds (OSV records, NVD CVE JSON 2.0) in one model, indexed by
//! package so that matching a component is a hash lookup, never a scan of the feed.

pub mod nvd;
pub mod osv;

use crate::component::{Component, Ecosystem, parse_cpe};
use crate::cvss::Severity;
use crate::error::{Limits, VulnError};
use crate::version::{Scheme, compare};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use time::Date;

/// How an affected entry is found from a component.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PackageKey {
    /// A distribution/ecosystem package, lower-case name.
    Package(Ecosystem, String),
    /// A CPE product (lower case); the vendor is checked after the lookup.
    CpeProduct(String),
}

/// One version interval. `introduced` None means "from the first version".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub scheme: Scheme,
    pub introduced: Option<String>,
    pub introduced_inclusive: bool,
    pub end: RangeEnd,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeEnd {
    /// Every later version is affected (no fix known).
    Open,
    /// Versions below this are affected; this one has the fix.
    Fixed(String),
    /// Versions up to and including this one are affected.
    LastAffected(String),
}

impl Range {
    pub fn contains(&self, v: &str) -> bool {
        let lo = match &self.introduced {
            None => true,
            Some(i) => match compare(self.scheme, v, i) {
                Ordering::Greater => true,
                Ordering::Equal => self.introduced_inclusive,
                Ordering::Less => false,
            },
        };
        lo && match &self.end {
            RangeEnd::Open => true,
            RangeEnd::Fixed(f) => compare(self.scheme, v, f) == Ordering::Less,
            RangeEnd::LastAffected(l) => compare(self.scheme, v, l) != Ordering::Greater,
        }
    }
}

/// Which packages (and versions) an advisory affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Affected {
    pub key: PackageKey,
    /// OSV ecosystem release ("11" of "Debian:11", "v3.18" of "Alpine:v3.18").
    pub release: Option<String>,
    /// CPE vendor (NVD), "*" for any.
    pub vendor: Option<String>,
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions.
    pub versions: Vec<String>,
    pub versions_scheme: Scheme,
}

impl Affected {
    /// Whether `version` is affected, and the fixed version of the range it falls in.
    pub fn affects(&self, version: &str) -> Option<Option<String>> {
        for r in &self.ranges {
            if r.contains(version) {
                return Some(match &r.end {
                    RangeEnd::Fixed(f) => Some(f.clone()),
                    _ => None,
                });
            }
        }
        if self
            .versions
            .iter()
            .any(|v| v == version || compare(self.versions_scheme, v, version) == Ordering::Equal)
        {
            // A listed version: a fix is the first fixed event of any range, if there is one.
            let fixed = self.ranges.iter().find_map(|r| match &r.end {
                RangeEnd::Fixed(f) => Some(f.clone()),
                _ => None,
            });
            return Some(fixed);
        }
        None
    }
}

/// An advisory from any feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Advisory {
    pub id: String,
    pub aliases: Vec<String>,
    pub summary: Option<String>,
    pub published: Option<Date>,
    pub severity: Severity,
    /// The feed file (and zip entry) it came from.
    pub origin: std::sync::Arc<str>,
    pub affected: Vec<Affected>,
}

/// A loaded feed: advisories plus the package index.
#[derive(Debug, Default)]
pub struct Feed {
    advisories: Vec<Advisory>,
    by_id: HashMap<String, usize>,
    index: HashMap<PackageKey, Vec<(u32, u32)>>,
    /// Files that could not be read; loading went on without them.
    pub problems: Vec<VulnError>,
}

impl Feed {
    pub fn new() -> Feed {
        Feed::default()
    }

    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    pub fn advisory(&self, id: &str) -> Option<&Advisory> {
        self.by_id.get(id).map(|&i| &self.advisories[i])
    }

    /// Adds an advisory; one already loaded under the same id gains the new affected
    /// entries (and a severity/published date when it had none).
    pub fn add(&mut self, mut adv: Advisory, limits: &Limits) -> Result<(), VulnError> {
        let affected = std::mem::take(&mut adv.affected);
        let idx = match self.by_id.get(&adv.id) {
            Some(&i) => {
                let have = &mut self.advisories[i];
                if have.severity.score.is_none() && adv.severity.score.is_some() {
                    have.severity = adv.severity;
                }
                if have.published.is_none() {
                    have.published = adv.published;
                }
                for a in adv.aliases {
                    if !have.aliases.contains(&a) {
                        have.aliases.push(a);
                    }
                }
                i
            }
            None => {
                if self.advisories.len() >= limits.max_feed_records {
                    return Err(VulnError::new(
                        &adv.origin,
                        "record",
                        format!("feed has more than {} advisories", limits.max_feed_records),
                    ));
                }
                let i = self.advisories.len();
                self.by_id.insert(adv.id.clone(), i);
                self.advisories.push(adv);
                i
            }
        };
        let have = &mut self.advisories[idx];
        for aff in affected {
            let ai = have.affected.len() as u32;
            // Clone the key only when it is new.
            match self.index.get_mut(&aff.key) {
                Some(list) => list.push((idx as u32, ai)),
                None => {
                    self.index.insert(aff.key.clone(), vec![(idx as u32, ai)]);
                }
            }
            have.affected.push(aff);
        }
        Ok(())
    }

    /// The index keys for a component: its package name and source package in its
    /// ecosystem, and its CPE product. Generic components without a CPE are looked up by
    /// name as a CPE product too (Yocto SBOMs and binary signatures name upstream products).
    pub fn keys_for(c: &Component) -> Vec<PackageKey> {
        let mut keys = vec![PackageKey::Package(
            c.ecosystem,
            c.name.to_ascii_lowercase(),
        )];
        if let Some(s) = &c.source_package {
            keys.push(PackageKey::Package(c.ecosystem, s.to_ascii_lowercase()));
        }
        match c.cpe.as_deref().and_then(parse_cpe) {
            Some(cpe) => keys.push(PackageKey::CpeProduct(cpe.product)),
            None if c.ecosystem == Ecosystem::Generic => {
                keys.push(PackageKey::CpeProduct(c.name.to_ascii_lowercase()))
            }
            None => {}
        }
        keys.dedup();
        keys
    }

    /// (advisory, affected entry) candidates for a component, by index lookup.
    pub fn candidates(&self, c: &Component) -> Vec<(&Advisory, &Affected)> {
        let cpe_vendor = c.cpe.as_deref().and_then(parse_cpe).map(|p| p.vendor);
        let mut out = Vec::new();
        for k in Feed::keys_for(c) {
            let Some(list) = self.index.get(&k) else {
                continue;
            };
            for &(a, f) in list {
                let adv = &self.advisories[a as usize];
                let aff = &adv.affected[f as usize];
                if let (Some(want), Some(have)) = (&aff.vendor, &cpe_vendor)
                    && want != "*"
                    && have != "*"
                    && want != have
                {
                    continue;
                }
                out.push((adv, aff));
            }
        }
        out
    }

    /// Reads a feed from a path: a `.json` file (one OSV record, an array of OSV records or
    /// an NVD 2.0 file), a `.zip` (OSV's per-ecosystem all.zip) or a directory of those
    /// (walked in name order). Unreadable files become `problems`; bounds are errors.
    pub fn load_path(&mut self, path: &Path, limits: &Limits) -> Result<(), VulnError> {
        // One read buffer for every file: a fresh large buffer per file would be a new
        // mapping each time (page faults) and fragment the heap.
        let mut buf = Vec::new();
        self.load_path_depth(path, limits, 0, &mut buf)
    }

    fn load_path_depth(
        &mut self,
        path: &Path,
        limits: &Limits,
        depth: usize,
        buf: &mut Vec<u8>,
    ) -> Result<(), VulnError> {
        let name = path.display().to_string();
        let meta =
            std::fs::metadata(path).map_err(|e| VulnError::new(&name, "open", e.to_string()))?;
        if meta.is_dir() {
            if depth >= limits.max_depth {
                return Err(VulnError::new(
                    &name,
                    "directory",
                    format!("deeper than {} levels", limits.max_depth),
                ));
            }
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| VulnError::new(&name, "read_dir", e.to_string()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for p in entries {
                let is_dir = std::fs::symlink_metadata(&p)
                    .map(|m| m.is_dir())
                    .unwrap_or(false);
                let ext = p
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if is_dir || ext == "json" || ext == "zip" {
                    self.load_path_depth(&p, limits, depth + 1, buf)?;
                }
            }
            return Ok(());
        }
        if meta.len() > limits.max_file_bytes && !name.to_ascii_lowercase().ends_with(".zip") {
            self.problems.push(VulnError::too_large(
                &name,
                "file size in bytes",
                limits.max_file_bytes,
            ));
            return Ok(());
        }
        if name.to_ascii_lowercase().ends_with(".zip") {
            return self.load_zip(path, limits);
        }
        buf.clear();
        std::fs::File::open(path)
            .and_then(|f| f.take(limits.max_file_bytes + 1).read_to_end(buf))
            .map_err(|e| VulnError::new(&name, "read", e.to_string()))?;
        let bytes = std::mem::take(buf);
        let r = self.add_json_or_problem(&name, &bytes, limits);
        *buf = bytes;
        r
    }

    fn add_json_or_problem(
        &mut self,
        name: &str,
        bytes: &[u8],
        limits: &Limits,
    ) -> Result<(), VulnError> {
        match parse_feed_json(name, bytes, limits) {
            Ok(advs) => {
                for a in advs {
                    self.add(a, limits)?;
                }
                Ok(())
            }
            Err(e) => {
                if self.problems.len() < 10_000 {
                    self.problems.push(e);
                }
                Ok(())
            }
        }
    }

    /// Adds the JSON bytes of one feed file (OSV record(s) or NVD 2.0); errors name the file
    /// and line:col.
    pub fn add_json(&mut self, name: &str, bytes: &[u8], limits: &Limits) -> Result<(), VulnError> {
        for a in parse_feed_json(name, bytes, limits)? {
            self.add(a, limits)?;
        }
        Ok(())
    }

    /// Reads the `.json` entries of an OSV zip, bounded in entry count, per-entry size and
    /// total unpacked bytes (a zip bomb stops with an error).
    pub fn load_zip(&mut self, path: &Path, limits: &Limits) -> Result<(), VulnError> {
        let name = path.display().to_string();
        let f =
            std::fs::File::open(path).map_err(|e| VulnError::new(&name, "open", e.to_string()))?;
        let mut z = zip::ZipArchive::new(std::io::BufReader::new(f))
            .map_err(|e| VulnError::new(&name, "zip directory", e.to_string()))?;
        if z.len() > limits.max_zip_entries {
            return Err(VulnError::new(
                &name,
                "zip directory",
                format!("more than {} entries", limits.max_zip_entries),
            ));
        }
        let mut total: u64 = 0;
        let mut buf = Vec::new();
        for i in 0..z.len() {
            let mut e = z.by_index(i).map_err(|e| {
                VulnError::new(&name, format_args!("zip entry #{i}"), e.to_string())
            })?;
            let ename = e
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| format!("#{i}"));
            if e.is_dir() || !ename.to_ascii_lowercase().ends_with(".json") {
                continue;
            }
            let label = format!("{name}!{ename}");
            buf.clear();
            // Read one byte past the bound to tell "exactly at" from "over" it; the declared
            // size is not trusted.
            (&mut e)
                .take(limits.max_file_bytes + 1)
                .read_to_end(&mut buf)
                .map_err(|err| {
                    VulnError::new(&name, format_args!("entry {ename}"), err.to_string())
                })?;
            if buf.len() as u64 > limits.max_file_bytes {
                self.problems.push(VulnError::too_large(
                    &label,
                    "unpacked entry size in bytes",
                    limits.max_file_bytes,
                ));
                continue;
            }
            total += buf.len() as u64;
            if total > limits.max_zip_total_bytes {
                return Err(VulnError::new(
                    &name,
                    format_args!("entry {ename}"),
                    format!(
                        "unpacked size exceeds the bound of {} bytes",
                        limits.max_zip_total_bytes
                    ),
                ));
            }
            let bytes = std::mem::take(&mut buf);
            self.add_json_or_problem(&label, &bytes, limits)?;
            buf = bytes;
        }
        Ok(())
    }
}

/// Parses one feed file: NVD 2.0 when it says so, else OSV (one record or an array).
pub fn parse_feed_json(
    name: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Advisory>, VulnError> {
    limits.check_size(name, bytes.len())?;
    let head = &bytes[..bytes.len().min(4096)];
    if memchr::memmem::find(head, b"\"NVD_CVE\"").is_some()
        || (memchr::memmem::find(head, b"\"vulnerabilities\"").is_some()
            && memchr::memmem::find(head, b"\"cve\"").is_some())
    {
        nvd::parse_nvd(name, bytes, limits)
    } else {
        osv::parse_osv(name, bytes, limits)
    }
}

/// Keeps only the first `max` characters of a summary.
pub(crate) fn short(s: Option<String>) -> Option<String> {
    s.map(|s| {
        if s.chars().count() > 200 {
            s.chars().take(200).collect::<String>() + "…"
        } else {
            s
        }
    })
}
