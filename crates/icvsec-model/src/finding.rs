//! One outcome of one (rule, asset) pair, and what the report says of its rule: the
//! types both the report and the compliance matrix are built from (a module of their
//! own, so that neither imports the other for them).

use crate::{Area, AssetRef, Location, Reference, Severity, SharedStr};
use serde::{Deserialize, Serialize};

/// The outcome of one (rule, asset) pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fail,
    Error,
    Manual,
    Waived,
    Pass,
    NotApplicable,
}

impl Outcome {
    pub const ALL: [Outcome; 6] = [
        Outcome::Fail,
        Outcome::Error,
        Outcome::Manual,
        Outcome::Waived,
        Outcome::Pass,
        Outcome::NotApplicable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Error => "error",
            Outcome::NotApplicable => "not_applicable",
            Outcome::Manual => "manual",
            Outcome::Waived => "waived",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Fail => "FAIL",
            Outcome::Error => "ERROR",
            Outcome::NotApplicable => "N/A",
            Outcome::Manual => "MANUAL",
            Outcome::Waived => "WAIVED",
        }
    }
}

/// One evaluated (rule, asset) pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Shared with every outcome of the rule (one allocation per rule, not per outcome).
    pub rule_id: SharedStr,
    pub area: Area,
    pub subarea: SharedStr,
    pub severity: Severity,
    pub outcome: Outcome,
    pub asset: AssetRef,
    /// What was found, naming the offending value (or why it could not be assessed).
    /// Shared: most outcomes of a rule say one of a few things ("key is not DSA" on
    /// 20,000 certificates), so equal messages of a rule are held once.
    pub message: SharedStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Other places the finding involves (the issuer of a broken chain, a matching key).
    /// A boxed slice (two words, not three): most outcomes have none.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub related: Box<[Location]>,
    /// Stable across runs and machines: rule, asset and symbolic location, no line numbers.
    pub fingerprint: crate::fingerprint::Fingerprint,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Box<AppliedWaiver>>,
    /// The defect behind a failing outcome, set by the check from what it judged (never
    /// from message text): `<asset kind>:<asset id>#<fact>`, e.g.
    /// `certificate:pki/a.pem#expired`. Outcomes of different rules with one key are one
    /// defect: text, Markdown and HTML show them under one headline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_cause: Option<SharedStr>,
}

/// A root-cause key (see [`Finding::root_cause`]): the asset the fact is about and the fact.
pub fn root_cause_key(kind: crate::AssetKind, id: &str, fact: &str) -> String {
    format!("{}:{id}#{fact}", kind.slug())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    pub justification: String,
    pub owner: String,
    pub expires: String,
}

/// Catalog information about a rule, carried in the report so renderers need nothing else.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    pub title: String,
    pub area: Area,
    pub subarea: String,
    pub severity: Severity,
    /// Requirement catalog ids the rule implements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    pub references: Vec<Reference>,
    pub check: String,
    pub manual: bool,
    pub rationale: String,
    pub remediation: String,
}
