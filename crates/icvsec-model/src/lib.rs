//! icvsec vocabulary: the vehicle build input schema, the rule model, findings and the
//! report. This crate does no I/O; every other crate speaks in these types.

pub mod area;
pub mod asset;
pub mod condition;
pub mod finding;
pub mod fingerprint;
pub mod graph;
pub mod hex;
pub mod input;
pub mod location;
pub mod market;
pub mod probe;
pub mod profile;
pub mod report;
pub mod requirement;
pub mod rule;
pub mod severity;
pub mod shared;

/// The TLS vocabulary (one version type, one cipher-suite table) the model speaks.
pub use icvsec_tlsvocab as tlsvocab;

pub use area::Area;
pub use asset::{AssetKind, AssetRef};
pub use condition::Condition;
pub use graph::AssetGraph;
pub use location::Location;
pub use profile::{Gate, RoleProfiles};
pub use report::{Diagnostic, DiagnosticLevel, Finding, Outcome, Report};
pub use requirement::{
    Market, Requirement, RequirementCatalog, RequirementStatus, Standard, natural_cmp,
};
pub use rule::{Applicability, Reference, Rule, RuleCheck};
pub use severity::Severity;
pub use shared::SharedStr;
