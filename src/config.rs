//! `icvsec.toml`: project settings at the build root (or `--config FILE`). Precedence:
//! the command line, then this file, then the defaults. Unknown keys are errors, and
//! every error names the file, line:column and the key.
//!
//! ```toml
//! fail_on = "high"                  # critical | high | medium | low | info | none
//! doc_base_url = "https://example.org/icvsec/rules.html" # SARIF helpUri base
//! select = ["basic", "ICV-LNX-*"]   # as --select
//! ignore = ["ICV-AND-006"]          # as --ignore
//! markets = ["CN"]                  # market profiles: CN, EU, UNECE (rules/requirements/markets.toml)
//! waivers = "icvsec-waivers.toml"   # relative to this file
//! baseline = "icvsec-baseline.json" # relative to this file
//!
//! [params.ICV-CRT-001]              # rule parameter overrides, typed by the rule's check
//! min_bits = 3072
//! ```

use icvsec_engine::tomlerr::{ConfigError, at_span, read_bounded_text};
use icvsec_model::{Market, Rule, RuleCheck, Severity};
use icvsec_rules::CheckCatalog;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const CONFIG_FILE: &str = "icvsec.toml";
pub const MAX_CONFIG_FILE: u64 = 1024 * 1024;

/// One `[params.<RULE>]` table, keys and values with their places.
type ParamTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    fail_on: Option<Spanned<String>>,
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    markets: Option<Vec<Spanned<String>>>,
    waivers: Option<Spanned<String>>,
    baseline: Option<Spanned<String>>,
    vuln_db: Option<Spanned<String>>,
    doc_base_url: Option<Spanned<String>>,
    #[serde(default)]
    params: BTreeMap<String, Spanned<ParamTable>>,
}

/// One `[params.<RULE>]` override, kept with its place for error messages.
#[derive(Clone, Debug)]
pub struct ParamOverride {
    pub rule: String,
    pub rule_span: std::ops::Range<usize>,
    /// key → (value, span of the key)
    pub values: BTreeMap<String, (serde_json::Value, std::ops::Range<usize>)>,
}

#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file, as named in messages (None: no configuration file).
    pub file: Option<String>,
    pub text: String,
    pub fail_on: Option<Severity>,
    /// `fail_on = "none"`: findings never fail the job (report-only).
    pub fail_on_none: bool,
    pub doc_base_url: Option<String>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub markets: Option<Vec<Market>>,
    pub waivers: Option<ConfigPath>,
    pub baseline: Option<ConfigPath>,
    /// Vulnerability feed (file, zip or directory), `vuln_db`.
    pub vuln_db: Option<ConfigPath>,
    pub params: Vec<ParamOverride>,
}

/// A file named by the configuration. A configuration found in the build is the build's
/// word: the files it names are read inside the build only. `--config FILE` is the
/// user's: its paths are the user's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigPath {
    User(PathBuf),
    /// Relative to the build root.
    InBuild(String),
    /// Named by a configuration found above the build (the repository's): relative to
    /// that configuration's directory, read inside that directory's tree only.
    InDir(PathBuf, String),
}

/// Where the configuration was found: decides how the paths it names are read.
#[derive(Clone, Debug)]
enum Found {
    /// `--config FILE`: the user's paths.
    User,
    /// In the build root.
    Build,
    /// In a directory above the build (up to the repository root).
    Above(PathBuf),
}

fn to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::json!(i),
        toml::Value::Float(f) => serde_json::json!(f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Whether `dir` has an entry `name` (not followed if a link).
fn has_entry(dir: &Path, name: &str) -> bool {
    icvsec_fs::HostTree::open(dir)
        .ok()
        .and_then(|t| {
            icvsec_fs::Tree::lstat(&t, &[name.as_bytes().to_vec()])
                .ok()
                .flatten()
        })
        .is_some()
}

pub fn parse_market(m: &str) -> Result<Market, String> {
    m.parse::<Market>()
}

impl Config {
    /// `in_build`: the file was found in the build (its paths stay inside the build).
    pub fn parse(
        text: &str,
        file: &str,
        base: &Path,
        in_build: bool,
    ) -> Result<Config, ConfigError> {
        let found = if in_build { Found::Build } else { Found::User };
        Self::parse_found(text, file, base, found)
    }

    fn parse_found(
        text: &str,
        file: &str,
        base: &Path,
        found: Found,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        let err = |sp: std::ops::Range<usize>, key: &str, msg: String| {
            at_span(file, text, sp, Some(key), msg)
        };
        let fail_on_none = raw
            .fail_on
            .as_ref()
            .is_some_and(|s| s.get_ref().eq_ignore_ascii_case("none"));
        let fail_on = match raw.fail_on.filter(|_| !fail_on_none) {
            Some(s) => Some(
                s.get_ref()
                    .parse::<Severity>()
                    .map_err(|e| err(s.span(), "fail_on", e))?,
            ),
            None => None,
        };
        let markets = match raw.markets {
            Some(ms) => {
                let mut out = Vec::new();
                for m in ms {
                    out.push(parse_market(m.get_ref()).map_err(|e| err(m.span(), "markets", e))?);
                }
                Some(out)
            }
            None => None,
        };
        let path_of = |s: Option<Spanned<String>>,
                       key: &str|
         -> Result<Option<ConfigPath>, ConfigError> {
            match s {
                Some(p) if p.get_ref().trim().is_empty() => {
                    Err(err(p.span(), key, "must name a file".into()))
                }
                Some(p) if !matches!(found, Found::User) => {
                    let rel = p.get_ref().trim();
                    if rel.starts_with('/') || rel.split('/').any(|c| c == "..") {
                        return Err(err(
                            p.span(),
                            key,
                            match &found {
                                Found::Above(_) => format!(
                                    "`{rel}`: a configuration found in the repository may only name files inside its own directory (a relative path without `..`)"
                                ),
                                _ => format!(
                                    "`{rel}`: a configuration inside the build may only name files inside the build (a relative path without `..`)"
                                ),
                            },
                        ));
                    }
                    let rel = rel.trim_start_matches("./").to_string();
                    Ok(Some(match &found {
                        Found::Above(dir) => ConfigPath::InDir(dir.clone(), rel),
                        _ => ConfigPath::InBuild(rel),
                    }))
                }
                Some(p) => Ok(Some(ConfigPath::User(base.join(p.get_ref().trim())))),
                None => Ok(None),
            }
        };
        let waivers = path_of(raw.waivers, "waivers")?;
        let baseline = path_of(raw.baseline, "baseline")?;
        let vuln_db = path_of(raw.vuln_db, "vuln_db")?;
        let doc_base_url = match raw.doc_base_url {
            Some(u) => {
                let url = u.get_ref().trim();
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(err(
                        u.span(),
                        "doc_base_url",
                        format!("`{url}` is not an http(s) URL"),
                    ));
                }
                Some(url.to_string())
            }
            None => None,
        };
        let params = raw
            .params
            .into_iter()
            .map(|(rule, table)| {
                let rule_span = table.span();
                ParamOverride {
                    rule,
                    rule_span,
                    values: table
                        .into_inner()
                        .into_iter()
                        .map(|(k, v)| {
                            let span = k.span();
                            (k.into_inner(), (to_json(v.get_ref()), span))
                        })
                        .collect(),
                }
            })
            .collect();
        Ok(Config {
            file: Some(file.to_string()),
            text: text.to_string(),
            fail_on,
            fail_on_none,
            doc_base_url,
            select: raw.select,
            ignore: raw.ignore,
            markets,
            waivers,
            baseline,
            vuln_db,
            params,
        })
    }

    /// `--config FILE`, else `icvsec.toml` in the build root when present, else none.
    pub fn load(
        explicit: Option<&Path>,
        root: &Path,
        disabled: bool,
    ) -> Result<Config, ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if disabled => return Ok(Config::default()),
            None => {
                // In the build, then in its parents up to the repository root (a
                // directory holding `.git`), as ruff does. Each candidate is read
                // through the one opener (no link out of its directory, no FIFO).
                let start = if root.is_dir() {
                    root.to_path_buf()
                } else {
                    root.parent().map(Path::to_path_buf).unwrap_or_default()
                };
                let start = std::fs::canonicalize(&start).unwrap_or(start);
                let mut dir = Some(start.as_path());
                let mut first = root.is_dir();
                while let Some(d) = dir {
                    if has_entry(d, CONFIG_FILE) {
                        let text = icvsec_engine::tomlerr::read_text_in_build(
                            d,
                            CONFIG_FILE,
                            MAX_CONFIG_FILE,
                        )?;
                        let (label, found) = if first {
                            (root.join(CONFIG_FILE), Found::Build)
                        } else {
                            (d.join(CONFIG_FILE), Found::Above(d.to_path_buf()))
                        };
                        let label = label.display().to_string();
                        return Config::parse_found(&text, &label, d, found);
                    }
                    if has_entry(d, ".git") {
                        break;
                    }
                    first = false;
                    dir = d.parent();
                }
                return Ok(Config::default());
            }
        };
        let text = read_bounded_text(&path, MAX_CONFIG_FILE)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Config::parse(&text, &path.display().to_string(), &base, false)
    }

    fn error_at(&self, span: std::ops::Range<usize>, key: String, message: String) -> ConfigError {
        at_span(
            self.file.as_deref().unwrap_or(CONFIG_FILE),
            &self.text,
            span,
            Some(&key),
            message,
        )
    }

    /// Apply the `[params.<RULE>]` overrides to the catalog's rules, validating each key
    /// through the rule's check (so a wrong key or type is refused, naming the key).
    /// Returns a canonical description of what was overridden (for the rules digest).
    pub fn apply_params(
        &self,
        rules: &mut [Rule],
        checks: &dyn CheckCatalog,
    ) -> Result<String, ConfigError> {
        let mut applied = serde_json::Map::new();
        for o in &self.params {
            let key = format!("params.{}", o.rule);
            let Some(rule) = rules.iter_mut().find(|r| r.id == o.rule) else {
                return Err(self.error_at(
                    o.rule_span.clone(),
                    key,
                    format!("no rule `{}` in the catalog", o.rule),
                ));
            };
            let RuleCheck::Builtin { name, params } = &mut rule.check else {
                return Err(self.error_at(
                    o.rule_span.clone(),
                    key,
                    format!(
                        "rule `{}` has no parameters (it is a {} rule)",
                        o.rule,
                        rule.check_name()
                    ),
                ));
            };
            let mut merged = match params {
                serde_json::Value::Object(m) => m.clone(),
                _ => serde_json::Map::new(),
            };
            for (k, (v, span)) in &o.values {
                merged.insert(k.clone(), v.clone());
                let candidate = serde_json::Value::Object(merged.clone());
                if let Err(e) = checks.validate_params(name, &candidate) {
                    return Err(self.error_at(
                        span.clone(),
                        format!("{key}.{k}"),
                        format!("rejected by check `{name}`: {e}"),
                    ));
                }
            }
            *params = serde_json::Value::Object(merged);
            // Typed once more, by the same path as at load: evaluation uses these.
            rule.prepared = checks.prepare_params(name, params).map_err(|e| {
                self.error_at(
                    o.rule_span.clone(),
                    key.clone(),
                    format!("rejected by check `{name}`: {e}"),
                )
            })?;
            applied.insert(
                o.rule.clone(),
                serde_json::Value::Object(
                    o.values
                        .iter()
                        .map(|(k, (v, _))| (k.clone(), v.clone()))
                        .collect(),
                ),
            );
        }
        Ok(if applied.is_empty() {
            String::new()
        } else {
            serde_json::Value::Object(applied).to_string()
        })
    }
}
