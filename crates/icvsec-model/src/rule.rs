//! Validated rules. Raw rule files are parsed and checked by `icvsec-rules`; what comes
//! out is this model.

use crate::input::vehicle::{EcuRole, Stage};
use crate::market::Market;
use crate::{Area, AssetKind, Condition, Severity};
use serde::{Deserialize, Serialize};

/// A clause of a standard that a rule implements.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub standard: String,
    pub clause: String,
    /// Whether the clause was confirmed against the text (requirements.md marks it).
    pub verified: bool,
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.standard, self.clause)?;
        if !self.verified {
            f.write_str(" (unverified)")?;
        }
        Ok(())
    }
}

/// What a rule applies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Applicability {
    pub asset: AssetKind,
    /// ECU roles the rule is limited to (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<EcuRole>,
    /// Target markets the rule is limited to (empty: all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub markets: Vec<Market>,
    /// Build stages the rule is limited to (empty: all), e.g. `production`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// A condition on the asset's fields; when it does not hold the rule is not applicable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// ECU configuration paths a built-in check reads (conditions name theirs): a
    /// missing one is "not declared" (failing) when the ECU's role profile requires it,
    /// else the rule is not applicable (see `profile`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<String>,
}

impl Applicability {
    /// Role names, e.g. `["gateway", "tbox"]`.
    pub fn role_names(&self) -> Vec<&'static str> {
        self.roles.iter().map(|r| r.as_str()).collect()
    }
    pub fn market_names(&self) -> Vec<&'static str> {
        self.markets.iter().map(|m| m.as_str()).collect()
    }
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.as_str()).collect()
    }
}

impl Rule {
    /// ECU configuration paths the rule reads: its `when`, its condition (the list of a
    /// `for_each`) and its declared `needs`. The declaration gate judges these.
    pub fn needed_paths(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.applies_to.needs.iter().map(String::as_str).collect();
        if let Some(w) = &self.applies_to.when {
            out.extend(w.paths());
        }
        if let RuleCheck::Condition {
            condition,
            for_each,
        } = &self.check
        {
            match for_each {
                Some(list) => out.push(list.as_str()),
                None => out.extend(condition.paths()),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// How a rule is checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleCheck {
    /// A built-in check by name, with its parameters.
    Builtin {
        name: String,
        params: serde_json::Value,
    },
    /// A condition over the asset's fields (pure data, no Rust code).
    Condition {
        condition: Condition,
        /// Evaluate the condition on each element of this array instead of the asset.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        for_each: Option<String>,
    },
    /// No automated check: an auditor supplies the evidence.
    Manual,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub area: Area,
    pub subarea: String,
    pub severity: Severity,
    /// Ids of the requirement catalog entries the rule implements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// The cited requirements as references, then the technical sources outside the
    /// catalog (NIST, ISO, ...) the rule's values come from.
    pub references: Vec<Reference>,
    pub applies_to: Applicability,
    pub check: RuleCheck,
    pub rationale: String,
    pub remediation: String,
    /// Rule file the rule came from, relative to its rules directory.
    pub source: String,
    /// The built-in check's parameters as the check typed them when the rule was loaded
    /// (and again when a configuration overrides them): evaluation uses them as they are.
    #[serde(skip)]
    pub prepared: PreparedParams,
}

/// A built-in check's parameters, typed by the check (opaque here: each check knows its
/// own type). Empty for rules made without a check catalog; the engine then types them.
#[derive(Clone, Default)]
pub struct PreparedParams(pub Option<std::sync::Arc<dyn std::any::Any + Send + Sync>>);

impl std::fmt::Debug for PreparedParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "prepared"
        } else {
            "not prepared"
        })
    }
}

/// Typed parameters follow from `params`: two rules are equal when their data is.
impl PartialEq for PreparedParams {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Rule {
    pub fn is_manual(&self) -> bool {
        matches!(self.check, RuleCheck::Manual)
    }

    pub fn check_name(&self) -> &str {
        match &self.check {
            RuleCheck::Builtin { name, .. } => name,
            RuleCheck::Condition { .. } => "condition",
            RuleCheck::Manual => "manual",
        }
    }
}
