//! Rule files as written: every key is known, anything else is an error.

use icvsec_model::Reference;
use icvsec_model::condition::RawCondition;
use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRuleFile {
    #[serde(default)]
    pub rule: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub id: String,
    pub title: String,
    pub area: String,
    pub subarea: String,
    pub severity: String,
    /// Requirement catalog ids (`rules/requirements/`), with their places for errors.
    #[serde(default)]
    pub requirements: Vec<Spanned<String>>,
    /// Technical sources outside the catalog (NIST, ISO, ...).
    #[serde(default)]
    pub references: Vec<Reference>,
    pub applies_to: RawApplicability,
    #[serde(default)]
    pub check: Option<String>,
    #[serde(default)]
    pub params: Option<toml::Table>,
    #[serde(default)]
    pub condition: Option<RawCondition>,
    #[serde(default)]
    pub for_each: Option<String>,
    #[serde(default)]
    pub manual: bool,
    pub rationale: String,
    pub remediation: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawApplicability {
    pub asset: String,
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
    #[serde(default)]
    pub markets: Vec<Spanned<String>>,
    #[serde(default)]
    pub stages: Vec<Spanned<String>>,
    #[serde(default)]
    pub when: Option<RawCondition>,
    /// ECU configuration paths a built-in check reads (see `profiles/roles.toml`).
    #[serde(default)]
    pub needs: Vec<Spanned<String>>,
}

/// `profiles/roles.toml`: what each ECU role must declare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfileFile {
    #[serde(default)]
    pub common: Option<RawCommon>,
    #[serde(default)]
    pub profile: Vec<RawProfile>,
    #[serde(default)]
    pub function: Vec<RawFunction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCommon {
    pub requires: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    pub role: Spanned<String>,
    pub title: String,
    pub requires: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFunction {
    pub role: Spanned<String>,
    /// The ECU configuration section whose presence gives an ECU this function.
    pub marker: Spanned<String>,
}

/// A requirement catalog file (`requirements/<standard>.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequirementFile {
    pub standard: RawStandard,
    #[serde(default)]
    pub requirement: Vec<Spanned<RawRequirement>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStandard {
    pub name: String,
    pub title: String,
    pub short: String,
    pub rank: u32,
    pub binding: bool,
    #[serde(default)]
    pub draft: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRequirement {
    pub id: String,
    /// Only in files that hold several standards; defaults to the file's standard.
    #[serde(default)]
    pub standard: Option<String>,
    #[serde(default)]
    pub clause: Option<String>,
    #[serde(default)]
    pub clause_name: Option<String>,
    pub verified: bool,
    pub binding: bool,
    #[serde(default)]
    pub draft: bool,
    pub order: String,
    pub statement: String,
    pub evidence: String,
    #[serde(default)]
    pub out_of_scope: Option<String>,
}

/// `requirements/markets.toml`: which standards each market brings into scope.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarketFile {
    #[serde(default)]
    pub market: Vec<RawMarket>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarket {
    pub id: Spanned<String>,
    /// For readers of the file only.
    #[allow(dead_code)]
    pub title: String,
    pub standards: Vec<String>,
}
