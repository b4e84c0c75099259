//! Rule files as written: every key is known, anything else is an error.

use icvsec_model::Reference;
use icvsec_model::condition::RawCondition;
use serde::Deserialize;

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
    pub roles: Vec<String>,
    #[serde(default)]
    pub markets: Vec<String>,
    #[serde(default)]
    pub stages: Vec<String>,
    #[serde(default)]
    pub when: Option<RawCondition>,
}
