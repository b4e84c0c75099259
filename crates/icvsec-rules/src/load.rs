//! Loading and validation of rule files.

use crate::raw::{RawRule, RawRuleFile};
use icvsec_model::{Applicability, Area, AssetKind, Condition, Rule, RuleCheck, Severity};
use std::collections::BTreeMap;
use std::path::Path;

/// What the rule loader needs to know about built-in checks (implemented by icvsec-checks).
pub trait CheckCatalog {
    /// The asset kind a check evaluates, or None when no such check exists.
    fn check_asset(&self, name: &str) -> Option<AssetKind>;
    /// Validate a check's parameters (typed by the check).
    fn validate_params(&self, name: &str, params: &serde_json::Value) -> Result<(), String>;
    /// Whether assets of this kind have a field view that conditions can read.
    fn has_field_view(&self, kind: AssetKind) -> bool;
    /// Names of all checks (for "did you mean" messages).
    fn check_names(&self) -> Vec<&str>;
}

/// One rule file, or a data file that rule parameters may include.
#[derive(Clone, Debug)]
pub struct RuleSource {
    /// Where it came from: `builtin` or a directory given with `--rules`.
    pub origin: String,
    /// Path relative to its rules directory, with `/` separators.
    pub path: String,
    pub text: String,
}

impl RuleSource {
    fn label(&self) -> String {
        if self.origin == "builtin" {
            format!("rules/{}", self.path)
        } else {
            format!("{}/{}", self.origin.trim_end_matches('/'), self.path)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {message}", place.as_ref().map(|p| format!(":{p}")).unwrap_or_default())]
pub struct RuleError {
    pub file: String,
    /// `line:column`, or the rule id the error is about.
    pub place: Option<String>,
    pub message: String,
}

/// A validated catalog, sorted by rule id.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub rules: Vec<Rule>,
    /// SHA-256 over every source (path and text), hex.
    pub digest: String,
}

impl Catalog {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// The catalog compiled into the binary from the repository's `rules/`.
pub fn embedded_sources() -> Vec<RuleSource> {
    crate::embedded::EMBEDDED
        .iter()
        .map(|(path, text)| RuleSource {
            origin: "builtin".into(),
            path: (*path).to_string(),
            text: (*text).to_string(),
        })
        .collect()
}

/// Every `.toml`/`.json` file below a user rules directory (sorted, links not followed).
pub fn sources_from_dir(dir: &Path) -> Result<Vec<RuleSource>, RuleError> {
    fn walk(
        dir: &Path,
        base: &Path,
        depth: usize,
        out: &mut Vec<RuleSource>,
    ) -> Result<(), RuleError> {
        let err = |e: std::io::Error, p: &Path| RuleError {
            file: p.display().to_string(),
            place: None,
            message: format!("cannot read: {e}"),
        };
        if depth > 16 {
            return Ok(());
        }
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| err(e, dir))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let path = entry.path();
            let ft = entry.file_type().map_err(|e| err(e, &path))?;
            if ft.is_dir() {
                walk(&path, base, depth + 1, out)?;
            } else if ft.is_file()
                && matches!(
                    path.extension().and_then(|e| e.to_str()),
                    Some("toml" | "json")
                )
            {
                let meta = entry.metadata().map_err(|e| err(e, &path))?;
                if meta.len() > 8 * 1024 * 1024 {
                    return Err(RuleError {
                        file: path.display().to_string(),
                        place: None,
                        message: "rule file larger than 8 MiB".into(),
                    });
                }
                let text = std::fs::read_to_string(&path).map_err(|e| err(e, &path))?;
                let rel = path
                    .strip_prefix(base)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push(RuleSource {
                    origin: base.display().to_string(),
                    path: rel,
                    text,
                });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, 0, &mut out)?;
    Ok(out)
}

fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{line}:{col}")
}

/// Load and validate rule sources. All errors are collected, not just the first.
pub fn load_catalog(
    sources: &[RuleSource],
    checks: &dyn CheckCatalog,
) -> Result<Catalog, Vec<RuleError>> {
    let mut errors = Vec::new();
    let mut rules: Vec<Rule> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let data: BTreeMap<(&str, &str), &RuleSource> = sources
        .iter()
        .map(|s| ((s.origin.as_str(), s.path.as_str()), s))
        .collect();

    for source in sources {
        // Files under `data/` are parameter data, included by rules; not rule files.
        if source.path.starts_with("data/") || !source.path.ends_with(".toml") {
            continue;
        }
        let file = source.label();
        let raw: RawRuleFile = match toml::from_str(&source.text) {
            Ok(r) => r,
            Err(e) => {
                errors.push(RuleError {
                    file,
                    place: e.span().map(|s| line_col(&source.text, s.start)),
                    message: e.message().trim().to_string(),
                });
                continue;
            }
        };
        for raw_rule in raw.rule {
            let id = raw_rule.id.clone();
            match validate(raw_rule, source, &data, checks) {
                Ok(rule) => {
                    if let Some(first) = seen.get(&rule.id) {
                        errors.push(RuleError {
                            file: file.clone(),
                            place: Some(rule.id.clone()),
                            message: format!("duplicate rule id (first defined in {first})"),
                        });
                    } else {
                        seen.insert(rule.id.clone(), file.clone());
                        rules.push(rule);
                    }
                }
                Err(message) => errors.push(RuleError {
                    file: file.clone(),
                    place: Some(id),
                    message,
                }),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    let mut sorted: Vec<&RuleSource> = sources.iter().collect();
    sorted.sort_by(|a, b| (&a.origin, &a.path).cmp(&(&b.origin, &b.path)));
    for s in sorted {
        ctx.update(s.path.as_bytes());
        ctx.update(&[0]);
        ctx.update(s.text.as_bytes());
        ctx.update(&[0]);
    }
    let digest = ctx
        .finish()
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Catalog { rules, digest })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn validate(
    raw: RawRule,
    source: &RuleSource,
    data: &BTreeMap<(&str, &str), &RuleSource>,
    checks: &dyn CheckCatalog,
) -> Result<Rule, String> {
    if !valid_id(&raw.id) {
        return Err(format!(
            "rule id `{}` must be upper-case letters, digits, `-` or `_`",
            raw.id
        ));
    }
    let area: Area = raw.area.parse()?;
    if area.subarea_title(&raw.subarea).is_none() {
        let known: Vec<&str> = area.subareas().iter().map(|(s, _)| *s).collect();
        return Err(format!(
            "unknown sub-area `{}` of area `{}` (expected one of: {})",
            raw.subarea,
            area,
            known.join(", ")
        ));
    }
    let severity: Severity = raw.severity.parse()?;
    if raw.references.is_empty() {
        return Err("a rule needs at least one reference (standard and clause)".into());
    }
    for r in &raw.references {
        if r.standard.trim().is_empty() || r.clause.trim().is_empty() {
            return Err("a reference needs a standard and a clause".into());
        }
    }
    for (what, text) in [
        ("title", &raw.title),
        ("rationale", &raw.rationale),
        ("remediation", &raw.remediation),
    ] {
        if text.trim().is_empty() {
            return Err(format!("`{what}` must not be empty"));
        }
    }
    let asset: AssetKind = raw.applies_to.asset.parse()?;
    let when = raw
        .applies_to
        .when
        .map(Condition::try_from)
        .transpose()
        .map_err(|e| format!("applies_to.when: {e}"))?;
    if when.is_some() && !checks.has_field_view(asset) {
        return Err(format!(
            "applies_to.when: assets of kind `{asset}` have no fields to test"
        ));
    }
    for stage in &raw.applies_to.stages {
        if !matches!(stage.as_str(), "production" | "development") {
            return Err(format!(
                "unknown stage `{stage}` (expected production or development)"
            ));
        }
    }
    let forms = usize::from(raw.check.is_some())
        + usize::from(raw.condition.is_some())
        + usize::from(raw.manual);
    if forms != 1 {
        return Err("a rule needs exactly one of `check`, `condition` or `manual = true`".into());
    }
    if raw.for_each.is_some() && raw.condition.is_none() {
        return Err("`for_each` goes with `condition`".into());
    }
    if raw.params.is_some() && raw.check.is_none() {
        return Err("`params` goes with `check`".into());
    }
    let check = if let Some(name) = raw.check {
        let Some(check_asset) = checks.check_asset(&name) else {
            let prefix = name.split('.').next().unwrap_or("");
            let similar: Vec<&str> = checks
                .check_names()
                .into_iter()
                .filter(|n| n.starts_with(prefix))
                .collect();
            return Err(format!(
                "unknown check `{name}`{}",
                if similar.is_empty() {
                    String::new()
                } else {
                    format!(" (known checks of that family: {})", similar.join(", "))
                }
            ));
        };
        if check_asset != asset {
            return Err(format!(
                "check `{name}` evaluates `{check_asset}` assets but the rule applies to `{asset}`"
            ));
        }
        let mut params = serde_json::to_value(raw.params.unwrap_or_default())
            .map_err(|e| format!("params: {e}"))?;
        resolve_includes(&mut params, source, data, 0)?;
        checks
            .validate_params(&name, &params)
            .map_err(|e| format!("params of `{name}`: {e}"))?;
        RuleCheck::Builtin { name, params }
    } else if let Some(cond) = raw.condition {
        if !checks.has_field_view(asset) {
            return Err(format!(
                "`condition` rules need an asset with fields; `{asset}` has none (use a built-in check)"
            ));
        }
        RuleCheck::Condition {
            condition: Condition::try_from(cond).map_err(|e| format!("condition: {e}"))?,
            for_each: raw.for_each,
        }
    } else {
        RuleCheck::Manual
    };
    Ok(Rule {
        id: raw.id,
        title: raw.title.trim().to_string(),
        area,
        subarea: raw.subarea,
        severity,
        references: raw.references,
        applies_to: Applicability {
            asset,
            roles: raw.applies_to.roles,
            markets: raw.applies_to.markets,
            stages: raw.applies_to.stages,
            when,
        },
        check,
        rationale: raw.rationale.trim().to_string(),
        remediation: raw.remediation.trim().to_string(),
        source: source.label(),
    })
}

/// Replace `{ include = "data/file.toml" }` tables in parameters with that file's content
/// (TOML or JSON, from the same rules directory).
fn resolve_includes(
    value: &mut serde_json::Value,
    source: &RuleSource,
    data: &BTreeMap<(&str, &str), &RuleSource>,
    depth: usize,
) -> Result<(), String> {
    if depth > 8 {
        return Err("includes nested too deeply".into());
    }
    match value {
        serde_json::Value::Object(map) => {
            if map.len() == 1
                && let Some(serde_json::Value::String(path)) = map.get("include")
            {
                let path = path.clone();
                let Some(file) = data.get(&(source.origin.as_str(), path.as_str())) else {
                    return Err(format!(
                        "included data file `{path}` not found in the rules directory"
                    ));
                };
                let mut loaded: serde_json::Value = if path.ends_with(".json") {
                    serde_json::from_str(&file.text).map_err(|e| format!("{path}: {e}"))?
                } else {
                    let t: toml::Table = toml::from_str(&file.text)
                        .map_err(|e| format!("{path}: {}", e.message().trim()))?;
                    serde_json::to_value(t).map_err(|e| format!("{path}: {e}"))?
                };
                resolve_includes(&mut loaded, file, data, depth + 1)?;
                *value = loaded;
                return Ok(());
            }
            for v in map.values_mut() {
                resolve_includes(v, source, data, depth + 1)?;
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                resolve_includes(v, source, data, depth + 1)?;
            }
        }
        _ => {}
    }
    Ok(())
}
