//! `icvsec.toml`: project settings at the build root (or `--config FILE`). Precedence:
//! the command line, then this file, then the defaults. Unknown keys are errors, and
//! every error names the file, line:column and the key.
//!
//! ```toml
//! fail_on = "high"                  # critical | high | medium | low | info
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
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(file, text, &e))?;
        let err = |sp: std::ops::Range<usize>, key: &str, msg: String| {
            at_span(file, text, sp, Some(key), msg)
        };
        let fail_on = match raw.fail_on {
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
                Some(p) if in_build => {
                    let rel = p.get_ref().trim();
                    if rel.starts_with('/') || rel.split('/').any(|c| c == "..") {
                        return Err(err(
                            p.span(),
                            key,
                            format!(
                                "`{rel}`: a configuration inside the build may only name files inside the build (a relative path without `..`)"
                            ),
                        ));
                    }
                    Ok(Some(ConfigPath::InBuild(
                        rel.trim_start_matches("./").to_string(),
                    )))
                }
                Some(p) => Ok(Some(ConfigPath::User(base.join(p.get_ref().trim())))),
                None => Ok(None),
            }
        };
        let waivers = path_of(raw.waivers, "waivers")?;
        let baseline = path_of(raw.baseline, "baseline")?;
        let vuln_db = path_of(raw.vuln_db, "vuln_db")?;
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
                // In the build: read through the one opener (no link out, no FIFO).
                let exists = icvsec_fs::HostTree::open(root)
                    .ok()
                    .and_then(|t| {
                        icvsec_fs::Tree::lstat(&t, &[CONFIG_FILE.as_bytes().to_vec()])
                            .ok()
                            .flatten()
                    })
                    .is_some();
                if !exists {
                    return Ok(Config::default());
                }
                let text =
                    icvsec_engine::tomlerr::read_text_in_build(root, CONFIG_FILE, MAX_CONFIG_FILE)?;
                let label = root.join(CONFIG_FILE).display().to_string();
                return Config::parse(&text, &label, root, true);
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
