//! Loading and validation of rule files.

use crate::raw::{RawMarketFile, RawProfileFile, RawRequirementFile, RawRule, RawRuleFile};
use icvsec_model::input::vehicle::{EcuRole, Stage};
use icvsec_model::profile::{PROFILES_FILE, RoleFunction, RoleProfiles, ecu_config_paths};
use icvsec_model::{
    Applicability, Area, AssetKind, Condition, Market, Reference, Requirement, RequirementCatalog,
    Rule, RuleCheck, Severity, Standard,
};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// Folder of the requirement catalog inside a rules directory.
pub const REQUIREMENTS_DIR: &str = "requirements/";
/// Folder of parameter tables that rules include (`{ include = "params/..." }`).
pub const PARAMS_DIR: &str = "params/";
/// Folder of the role profiles (what each ECU role must declare).
pub const PROFILES_DIR: &str = "profiles/";
/// The market → standards table inside the requirement folder.
pub const MARKETS_FILE: &str = "requirements/markets.toml";

/// What the rule loader needs to know about built-in checks (implemented by icvsec-checks).
pub trait CheckCatalog {
    /// The asset kind a check evaluates, or None when no such check exists.
    fn check_asset(&self, name: &str) -> Option<AssetKind>;
    /// Validate a check's parameters (typed by the check).
    fn validate_params(&self, name: &str, params: &serde_json::Value) -> Result<(), String>;
    /// Type a check's parameters once, for the rule to keep (see `Rule::prepared`). The
    /// default only validates them, and the engine types them when it evaluates.
    fn prepare_params(
        &self,
        name: &str,
        params: &serde_json::Value,
    ) -> Result<icvsec_model::rule::PreparedParams, String> {
        self.validate_params(name, params)
            .map(|_| icvsec_model::rule::PreparedParams::default())
    }
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

/// A validated catalog, sorted by rule id, with the requirement catalog the rules cite.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub rules: Vec<Rule>,
    pub requirements: RequirementCatalog,
    /// What each ECU role must declare (`profiles/roles.toml`).
    pub profiles: RoleProfiles,
    /// SHA-256 over every source (path and text), hex.
    pub digest: String,
}

impl Catalog {
    pub fn get(&self, id: &str) -> Option<&Rule> {
        // Rule ids are case-insensitive for users (`icv-lnx-006`).
        self.rules.iter().find(|r| r.id.eq_ignore_ascii_case(id))
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

/// A TOML file parsed into `T`, or the error with the file and its line and column.
fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, RuleError> {
    toml::from_str(text).map_err(|e: toml::de::Error| RuleError {
        file: file.to_string(),
        place: e.span().map(|s| line_col(text, s.start)),
        message: e.message().trim().to_string(),
    })
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

    SUGGESTIONS.with(|b| b.set(0));
    let requirements = load_requirements(sources, &mut errors);
    let profiles = load_profiles(sources, &mut errors);
    'sources: for source in sources {
        // Parameter tables are included by rules, the requirement catalog is cited by
        // them: neither folder holds rule files.
        if source.path.starts_with(PARAMS_DIR)
            || source.path.starts_with(REQUIREMENTS_DIR)
            || source.path.starts_with(PROFILES_DIR)
            || !source.path.ends_with(".toml")
        {
            continue;
        }
        let file = source.label();
        let raw: RawRuleFile = match parse_toml(&file, &source.text) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        for raw_rule in raw.rule {
            if errors.len() >= MAX_ERRORS {
                break 'sources;
            }
            let id = raw_rule.id.clone();
            match validate(raw_rule, source, &data, checks, &requirements) {
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
                Err((Some(span), message)) => errors.push(RuleError {
                    file: file.clone(),
                    place: Some(line_col(&source.text, span.start)),
                    message: format!("rule {id}: {message}"),
                }),
                Err((None, message)) => errors.push(RuleError {
                    file: file.clone(),
                    place: Some(id),
                    message,
                }),
            }
        }
    }
    if !errors.is_empty() {
        if errors.len() >= MAX_ERRORS {
            errors.truncate(MAX_ERRORS);
            errors.push(RuleError {
                file: "(rule catalog)".into(),
                place: None,
                message: format!("more than {MAX_ERRORS} errors; the first {MAX_ERRORS} are shown"),
            });
        }
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
    let digest = icvsec_model::hex::encode(ctx.finish().as_ref());
    Ok(Catalog {
        rules,
        requirements,
        profiles,
        digest,
    })
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// A validation error: the place in the file when known, and the message.
type Invalid = (Option<Range<usize>>, String);

/// Errors collected before loading stops (each names its place; a hostile file with
/// thousands of bad entries must not make loading slow).
const MAX_ERRORS: usize = 200;

/// Suggestions computed per thread (see `suggest`); reset when a catalog load starts.
const MAX_SUGGESTIONS: usize = 64;

thread_local! {
    /// Suggestions made in the current load on this thread.
    static SUGGESTIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// `did you mean` from a list of known names (closest by edit distance, if close).
fn suggest<'a>(word: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    // Suggestions cost an edit distance per known name: a file of many bad ids gets
    // suggestions for the first ones only, so loading stays fast on hostile input.
    if SUGGESTIONS.with(|b| {
        let n = b.get();
        b.set(n + 1);
        n >= MAX_SUGGESTIONS
    }) {
        return String::new();
    }
    let w: String = word
        .chars()
        .take(128)
        .collect::<String>()
        .to_ascii_lowercase();
    let known: Vec<&str> = known.into_iter().collect();
    // An abbreviation (`prod`) names what it starts; else the closest by edit distance.
    let prefixed = known
        .iter()
        .filter(|k| w.len() >= 3 && k.to_ascii_lowercase().starts_with(&w))
        .collect::<Vec<_>>();
    if let [only] = prefixed.as_slice() {
        return format!(" (did you mean `{only}`?)");
    }
    let best = known
        .iter()
        .map(|k| (edit_distance(&w, &k.to_ascii_lowercase()), *k))
        .min();
    match best {
        Some((d, k)) if d <= (w.chars().count() / 3).max(2) => format!(" (did you mean `{k}`?)"),
        _ => String::new(),
    }
}

/// Levenshtein distance over at most 128 characters of each side (names are short).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().take(128).collect();
    let b: Vec<char> = b.chars().take(128).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Parse typed applicability values, or say where one is wrong and what was meant.
fn typed<T: Copy>(
    values: &[toml::Spanned<String>],
    what: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<Vec<T>, Invalid> {
    let mut out = Vec::new();
    for v in values {
        let given = v.get_ref().trim();
        match all.iter().find(|x| name(**x).eq_ignore_ascii_case(given)) {
            Some(x) => out.push(*x),
            None => {
                let names: Vec<&str> = all.iter().map(|x| name(*x)).collect();
                return Err((
                    Some(v.span()),
                    format!(
                        "unknown {what} `{given}`{} (expected one of: {})",
                        suggest(given, names.iter().copied()),
                        names.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// The parts of a rule checked with their places: requirement ids, roles, markets, stages.
struct Placed {
    requirements: Vec<String>,
    references: Vec<Reference>,
    roles: Vec<EcuRole>,
    markets: Vec<Market>,
    stages: Vec<Stage>,
    needs: Vec<String>,
}

/// ECU configuration paths (`software_update.channel`), each checked against the input
/// model, with the place of an unknown one.
fn ecu_paths(values: &[toml::Spanned<String>]) -> Result<Vec<String>, Invalid> {
    let known = ecu_config_paths();
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let given = v.get_ref().trim();
        if !known.contains(given) {
            return Err((
                Some(v.span()),
                format!(
                    "unknown ECU configuration section or field `{given}`{} (see `icvsec schema ecu`)",
                    suggest(given, known.iter().map(String::as_str))
                ),
            ));
        }
        if out.iter().any(|o| o == given) {
            return Err((Some(v.span()), format!("`{given}` is listed twice")));
        }
        out.push(given.to_string());
    }
    Ok(out)
}

fn validate(
    raw: RawRule,
    source: &RuleSource,
    data: &BTreeMap<(&str, &str), &RuleSource>,
    checks: &dyn CheckCatalog,
    catalog: &RequirementCatalog,
) -> Result<Rule, Invalid> {
    let mut requirements: Vec<String> = Vec::new();
    let mut references: Vec<Reference> = Vec::new();
    for id in &raw.requirements {
        let Some(req) = catalog.get(id.get_ref()) else {
            return Err((
                Some(id.span()),
                format!(
                    "unknown requirement `{}`{} (see `icvsec requirements list`)",
                    id.get_ref(),
                    suggest(
                        id.get_ref(),
                        catalog.requirements.iter().map(|r| r.id.as_str())
                    )
                ),
            ));
        };
        if requirements.contains(&req.id) {
            return Err((
                Some(id.span()),
                format!("requirement `{}` is cited twice", req.id),
            ));
        }
        requirements.push(req.id.clone());
        references.push(Reference {
            standard: req.standard.clone(),
            clause: req.citation()[req.standard.len()..].trim().to_string(),
            verified: req.verified,
        });
    }
    let placed = Placed {
        requirements,
        references,
        roles: typed(
            &raw.applies_to.roles,
            "role",
            &EcuRole::ALL,
            EcuRole::as_str,
        )?,
        markets: typed(
            &raw.applies_to.markets,
            "market",
            &Market::ALL,
            Market::as_str,
        )?,
        stages: typed(&raw.applies_to.stages, "stage", &Stage::ALL, Stage::as_str)?,
        needs: ecu_paths(&raw.applies_to.needs)?,
    };
    if !placed.needs.is_empty() && raw.applies_to.asset != "ecu" {
        return Err((
            raw.applies_to.needs.first().map(|n| n.span()),
            "`needs` names ECU configuration paths: only `ecu` rules have them".into(),
        ));
    }
    validate_rest(raw, placed, source, data, checks).map_err(|m| (None, m))
}

fn validate_rest(
    raw: RawRule,
    placed: Placed,
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
    if placed.requirements.is_empty() && raw.references.is_empty() {
        return Err(
            "a rule needs at least one requirement id (`requirements = [...]`, see `icvsec requirements list`) or reference"
                .into(),
        );
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
    let mut prepared = icvsec_model::rule::PreparedParams::default();
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
        prepared = checks
            .prepare_params(&name, &params)
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
        requirements: placed.requirements,
        references: placed
            .references
            .into_iter()
            .chain(raw.references)
            .collect(),
        applies_to: Applicability {
            asset,
            roles: placed.roles,
            markets: placed.markets,
            stages: placed.stages,
            when,
            needs: placed.needs,
        },
        check,
        rationale: raw.rationale.trim().to_string(),
        remediation: raw.remediation.trim().to_string(),
        source: source.label(),
        prepared,
    })
}

/// Replace `{ include = "params/file.toml" }` tables in parameters with that file's content
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

/// Upper bounds of the requirement catalog (it is data a user directory can extend).
const MAX_REQUIREMENTS: usize = 10_000;
const MAX_FIELD: usize = 4_096;

fn valid_requirement_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 96
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Load `requirements/*.toml` (every origin) and `requirements/markets.toml` into one
/// catalog. Errors name the file and line:column; the catalog is sorted for the matrix.
fn load_requirements(sources: &[RuleSource], errors: &mut Vec<RuleError>) -> RequirementCatalog {
    let mut cat = RequirementCatalog::default();
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    let mut market_files: Vec<&RuleSource> = Vec::new();
    for source in sources {
        if !source.path.starts_with(REQUIREMENTS_DIR) || !source.path.ends_with(".toml") {
            continue;
        }
        if source.path == MARKETS_FILE {
            market_files.push(source);
            continue;
        }
        let file = source.label();
        let at = |span: Range<usize>, message: String| RuleError {
            file: file.clone(),
            place: Some(line_col(&source.text, span.start)),
            message,
        };
        let raw: RawRequirementFile = match parse_toml(&file, &source.text) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let std_ = raw.standard;
        if std_.name.trim().is_empty() {
            errors.push(RuleError {
                file: file.clone(),
                place: None,
                message: "[standard] needs a name".into(),
            });
            continue;
        }
        if std_.draft && std_.binding {
            errors.push(RuleError {
                file: file.clone(),
                place: None,
                message: format!(
                    "standard `{}` is a draft: a draft is never binding",
                    std_.name
                ),
            });
        }
        if cat.standard(&std_.name).is_none() {
            cat.standards.push(Standard {
                name: std_.name.clone(),
                title: std_.title,
                short: std_.short,
                rank: std_.rank,
                binding: std_.binding,
                draft: std_.draft,
            });
        }
        for spanned in raw.requirement {
            if errors.len() >= MAX_ERRORS {
                break;
            }
            let span = spanned.span();
            let r = spanned.into_inner();
            let problem = if !valid_requirement_id(&r.id) {
                Some(format!(
                    "requirement id `{}` must be letters, digits, `-`, `.` or `_` (at most 96)",
                    r.id
                ))
            } else if let Some(f) = first.get(&r.id) {
                Some(format!(
                    "duplicate requirement id `{}` (first defined in {f})",
                    r.id
                ))
            } else if r.clause.is_none() && r.clause_name.is_none() {
                Some(format!(
                    "requirement `{}` needs a `clause` (verified number) or a `clause_name`",
                    r.id
                ))
            } else if r.clause.is_none() && r.verified {
                Some(format!(
                    "requirement `{}` has no clause number, so it cannot be `verified = true`",
                    r.id
                ))
            } else if r.draft && r.binding {
                Some(format!(
                    "requirement `{}` is a draft: a draft is never binding",
                    r.id
                ))
            } else if [&r.statement, &r.evidence, &r.order]
                .iter()
                .any(|t| t.trim().is_empty())
            {
                Some(format!(
                    "requirement `{}` needs a statement, evidence and an order key",
                    r.id
                ))
            } else if [&r.statement, &r.evidence, &r.order]
                .into_iter()
                .chain(&r.clause)
                .chain(&r.clause_name)
                .chain(&r.out_of_scope)
                .chain(&r.standard)
                .any(|t| t.len() > MAX_FIELD)
            {
                Some(format!(
                    "requirement `{}` has a field over {MAX_FIELD} bytes",
                    r.id
                ))
            } else if cat.requirements.len() >= MAX_REQUIREMENTS {
                Some(format!("more than {MAX_REQUIREMENTS} requirements"))
            } else {
                None
            };
            if let Some(message) = problem {
                errors.push(at(span, message));
                continue;
            }
            first.insert(r.id.clone(), file.clone());
            cat.requirements.push(Requirement {
                standard: r.standard.unwrap_or_else(|| std_.name.clone()),
                id: r.id,
                clause: r.clause,
                clause_name: r.clause_name,
                verified: r.verified,
                binding: r.binding,
                draft: r.draft || std_.draft,
                order: r.order,
                statement: r.statement.trim().to_string(),
                evidence: r.evidence.trim().to_string(),
                out_of_scope: r.out_of_scope,
            });
        }
    }
    for source in market_files {
        let file = source.label();
        match parse_toml::<RawMarketFile>(&file, &source.text) {
            Ok(raw) => {
                for m in raw.market {
                    match m.id.get_ref().parse::<Market>() {
                        Ok(market) => {
                            let list = cat.markets.entry(market).or_default();
                            for s in m.standards {
                                if !list.contains(&s) {
                                    list.push(s);
                                }
                            }
                        }
                        Err(e) => errors.push(RuleError {
                            file: file.clone(),
                            place: Some(line_col(&source.text, m.id.span().start)),
                            message: e,
                        }),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    cat.sort();
    cat
}

/// Upper bound of paths a profile file may list (it is data a user directory can extend).
const MAX_PROFILE_PATHS: usize = 4_096;

/// Load `profiles/roles.toml` of every origin into one set of role profiles: roles are
/// typed, every path must exist in the ECU configuration model; errors name the file
/// and line:column. Several origins add to each other.
fn load_profiles(sources: &[RuleSource], errors: &mut Vec<RuleError>) -> RoleProfiles {
    let mut out = RoleProfiles::default();
    let mut count = 0usize;
    for source in sources {
        if source.path != PROFILES_FILE {
            if source.path.starts_with(PROFILES_DIR) {
                errors.push(RuleError {
                    file: source.label(),
                    place: None,
                    message: format!("unexpected file: role profiles live in `{PROFILES_FILE}`"),
                });
            }
            continue;
        }
        let file = source.label();
        if out.file.is_empty() {
            out.file = file.clone();
        }
        let at = |span: Range<usize>, message: String| RuleError {
            file: file.clone(),
            place: Some(line_col(&source.text, span.start)),
            message,
        };
        let raw: RawProfileFile = match parse_toml(&file, &source.text) {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let add = |list: &mut Vec<String>,
                   values: &[toml::Spanned<String>],
                   count: &mut usize,
                   errors: &mut Vec<RuleError>| {
            *count += values.len();
            if *count > MAX_PROFILE_PATHS {
                errors.push(RuleError {
                    file: file.clone(),
                    place: None,
                    message: format!("more than {MAX_PROFILE_PATHS} profile paths"),
                });
                return;
            }
            match ecu_paths(values) {
                Ok(paths) => {
                    for p in paths {
                        if !list.contains(&p) {
                            list.push(p);
                        }
                    }
                    list.sort();
                }
                Err((span, message)) => errors.push(RuleError {
                    file: file.clone(),
                    place: span.map(|s| line_col(&source.text, s.start)),
                    message,
                }),
            }
        };
        if let Some(common) = &raw.common {
            add(&mut out.common, &common.requires, &mut count, errors);
        }
        let role_of = |name: &toml::Spanned<String>| {
            typed(
                std::slice::from_ref(name),
                "role",
                &EcuRole::ALL,
                EcuRole::as_str,
            )
            .map(|v| v[0])
        };
        let mut seen: BTreeMap<EcuRole, ()> = BTreeMap::new();
        for p in &raw.profile {
            let role = match role_of(&p.role) {
                Ok(r) => r,
                Err((span, message)) => {
                    errors.push(at(span.unwrap_or(p.role.span()), message));
                    continue;
                }
            };
            if seen.insert(role, ()).is_some() {
                errors.push(at(
                    p.role.span(),
                    format!("role `{}` has two profiles in this file", role.as_str()),
                ));
                continue;
            }
            out.titles.insert(role, p.title.trim().to_string());
            add(
                out.roles.entry(role).or_default(),
                &p.requires,
                &mut count,
                errors,
            );
        }
        for f in &raw.function {
            let role = match role_of(&f.role) {
                Ok(r) => r,
                Err((span, message)) => {
                    errors.push(at(span.unwrap_or(f.role.span()), message));
                    continue;
                }
            };
            let marker = f.marker.get_ref().trim().to_string();
            if !ecu_config_paths().contains(&marker) {
                errors.push(at(
                    f.marker.span(),
                    format!(
                        "unknown ECU configuration section `{marker}` (see `icvsec schema ecu`)"
                    ),
                ));
                continue;
            }
            if !out
                .functions
                .iter()
                .any(|x| x.role == role && x.marker == marker)
            {
                out.functions.push(RoleFunction { role, marker });
            }
        }
    }
    out
}
