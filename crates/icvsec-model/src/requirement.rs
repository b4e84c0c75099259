//! The requirement catalog (`rules/requirements/*.toml`, loaded by `icvsec-rules`) and the
//! compliance matrix derived from it: every requirement of every catalogued standard with a
//! status computed from the outcomes of the rules that cite it. The derivation lives here,
//! once; renderers only render [`RequirementRow`]s and [`StandardCoverage`].

use crate::finding::{Finding, Outcome, RuleInfo};
use crate::rule::Rule;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

pub use crate::market::Market;

/// A catalogued standard (the `[standard]` table of a catalog file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    /// The name requirements and references use, e.g. `GB 44495-2024`.
    pub name: String,
    pub title: String,
    /// Short label for summaries, e.g. `GB 44495`.
    pub short: String,
    /// Position in the compliance matrix (GB 44495 is 1).
    pub rank: u32,
    pub binding: bool,
    pub draft: bool,
}

/// One requirement of a standard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// Stable id, e.g. `GB44495-7.2-cloud-auth`, `R155-A5-28.2`.
    pub id: String,
    pub standard: String,
    /// Clause number, only where the reference marks it verified (for sub-requirements of a
    /// verified section: that section, with `verified = false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    /// The clause named by content (always given when the number is not verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause_name: Option<String>,
    /// Whether the requirement's own clause number and wording were confirmed.
    pub verified: bool,
    pub binding: bool,
    pub draft: bool,
    /// Natural-sort key within the standard (never a clause number by itself).
    pub order: String,
    pub statement: String,
    /// What an inspector expects to see.
    pub evidence: String,
    /// Why the requirement is outside a vehicle build, when it is (e.g. back-end mitigations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
}

impl Requirement {
    /// `GB 44495-2024 7.2 (vehicle to OEM cloud: authenticity)`.
    pub fn citation(&self) -> String {
        let mut s = self.standard.clone();
        if let Some(c) = &self.clause {
            s.push(' ');
            s.push_str(c);
        }
        if let Some(n) = &self.clause_name {
            s.push_str(&format!(" ({n})"));
        }
        s
    }
}

/// The loaded catalog: standards by rank, requirements in matrix order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequirementCatalog {
    pub standards: Vec<Standard>,
    pub requirements: Vec<Requirement>,
    /// Market → standard names it brings into scope.
    pub markets: BTreeMap<Market, Vec<String>>,
}

impl RequirementCatalog {
    pub fn get(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    pub fn standard(&self, name: &str) -> Option<&Standard> {
        self.standards.iter().find(|s| s.name == name)
    }

    /// Sort standards by rank and requirements by (standard rank, natural order, id).
    pub fn sort(&mut self) {
        self.standards
            .sort_by(|a, b| (a.rank, &a.name).cmp(&(b.rank, &b.name)));
        let rank: BTreeMap<&str, u32> = self
            .standards
            .iter()
            .map(|s| (s.name.as_str(), s.rank))
            .collect();
        let mut reqs = std::mem::take(&mut self.requirements);
        reqs.sort_by(|a, b| {
            let ra = rank.get(a.standard.as_str()).copied().unwrap_or(u32::MAX);
            let rb = rank.get(b.standard.as_str()).copied().unwrap_or(u32::MAX);
            ra.cmp(&rb)
                .then_with(|| a.standard.cmp(&b.standard))
                .then_with(|| natural_cmp(&a.order, &b.order))
                .then_with(|| natural_cmp(&a.id, &b.id))
        });
        self.requirements = reqs;
    }

    /// Whether a rule is in scope of the market profiles: one of the requirements it cites
    /// (or one of its references) belongs to a standard one of the markets lists.
    /// No market given: everything is in scope.
    pub fn rule_in_markets(&self, rule: &Rule, markets: &[Market]) -> bool {
        if markets.is_empty() {
            return true;
        }
        let standards: Vec<&str> = markets
            .iter()
            .filter_map(|m| self.markets.get(m))
            .flatten()
            .map(String::as_str)
            .collect();
        rule.requirements
            .iter()
            .filter_map(|id| self.get(id))
            .any(|r| standards.contains(&r.standard.as_str()))
            || rule
                .references
                .iter()
                .any(|r| standards.contains(&r.standard.trim()))
    }
}

/// Natural order: runs of digits compare as numbers, everything else byte-wise, and a
/// digit run sorts before a non-digit run (so 6.2 < 11.1, M6 < M10, 4.1 < 28.1 < M1).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let bytes = s.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let digit = bytes[i].is_ascii_digit();
            let mut j = i;
            while j < bytes.len() && bytes[j].is_ascii_digit() == digit {
                j += 1;
            }
            out.push((digit, &s[i..j]));
            i = j;
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for ((da, sa), (db, sb)) in ca.iter().zip(cb.iter()) {
        let ord = match (da, db) {
            (true, true) => {
                let ta = sa.trim_start_matches('0');
                let tb = sb.trim_start_matches('0');
                ta.len()
                    .cmp(&tb.len())
                    .then_with(|| ta.cmp(tb))
                    .then_with(|| sa.len().cmp(&sb.len()))
            }
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => sa.cmp(sb),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

/// The status of one requirement in the compliance matrix.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RequirementStatus {
    /// A citing rule failed.
    NotMet,
    /// No failure, but a citing rule could not be assessed.
    CouldNotAssess,
    /// A citing rule is manual: an auditor supplies the evidence.
    ManualEvidenceRequired,
    /// A failure was waived (no fail, error or manual outcome left).
    Waived,
    /// Every evaluated citing rule passed (automated evidence).
    Met,
    /// Rules cite it but none applies to this build (or the requirement is out of scope).
    NotApplicable,
    /// No rule of the catalog cites it yet.
    NotCovered,
}

impl RequirementStatus {
    pub const ALL: [RequirementStatus; 7] = [
        RequirementStatus::NotMet,
        RequirementStatus::CouldNotAssess,
        RequirementStatus::ManualEvidenceRequired,
        RequirementStatus::Waived,
        RequirementStatus::Met,
        RequirementStatus::NotApplicable,
        RequirementStatus::NotCovered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequirementStatus::NotMet => "not_met",
            RequirementStatus::CouldNotAssess => "could_not_assess",
            RequirementStatus::ManualEvidenceRequired => "manual_evidence_required",
            RequirementStatus::Waived => "waived",
            RequirementStatus::Met => "met",
            RequirementStatus::NotApplicable => "not_applicable",
            RequirementStatus::NotCovered => "not_covered",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RequirementStatus::NotMet => "not met",
            RequirementStatus::CouldNotAssess => "could not assess",
            RequirementStatus::ManualEvidenceRequired => "manual evidence required",
            RequirementStatus::Waived => "waived",
            RequirementStatus::Met => "met (automated)",
            RequirementStatus::NotApplicable => "not applicable",
            RequirementStatus::NotCovered => "not covered",
        }
    }

    /// The status of a set of rule outcomes, by precedence: fail, error, manual, waived,
    /// pass (the order of [`Outcome`]); only not-applicable outcomes (or none) give None.
    pub fn from_outcomes(outcomes: impl IntoIterator<Item = Outcome>) -> Option<Self> {
        match outcomes.into_iter().min()? {
            Outcome::Fail => Some(RequirementStatus::NotMet),
            Outcome::Error => Some(RequirementStatus::CouldNotAssess),
            Outcome::Manual => Some(RequirementStatus::ManualEvidenceRequired),
            Outcome::Waived => Some(RequirementStatus::Waived),
            Outcome::Pass => Some(RequirementStatus::Met),
            Outcome::NotApplicable => None,
        }
    }
}

impl fmt::Display for RequirementStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One row of the compliance matrix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequirementRow {
    pub id: String,
    pub standard: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause_name: Option<String>,
    pub verified: bool,
    pub binding: bool,
    pub draft: bool,
    pub statement: String,
    pub evidence: String,
    /// Evaluated rules that cite it.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Catalog rules that cite it but were not evaluated (selection or market profile).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unselected_rules: Vec<String>,
    /// Whether an automated (non-manual) catalog rule cites it.
    pub automated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_scope: Option<String>,
    pub status: RequirementStatus,
    /// Why: the evidence text for manual, the reason for not applicable, the count of
    /// failing findings for not met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RequirementRow {
    pub fn citation(&self) -> String {
        let mut s = self.standard.clone();
        if let Some(c) = &self.clause {
            s.push(' ');
            s.push_str(c);
        }
        if let Some(n) = &self.clause_name {
            s.push_str(&format!(" ({n})"));
        }
        s
    }
}

/// Coverage of one standard: requirements with at least one automated rule / total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandardCoverage {
    pub standard: String,
    pub short: String,
    pub binding: bool,
    pub draft: bool,
    pub total: usize,
    /// Requirements with at least one automated rule.
    pub automated: usize,
    /// Requirements cited only by manual rules.
    pub manual_only: usize,
    /// Requirements no rule cites.
    pub not_covered: usize,
    /// `automated / total` in percent, rounded down.
    pub percent: u32,
    /// Requirements per status in this report.
    pub statuses: BTreeMap<RequirementStatus, usize>,
}

/// Build the matrix rows for a report: every catalog requirement, in catalog order, with
/// the catalog rules citing it split into evaluated and not evaluated. Statuses are
/// filled by [`derive_statuses`].
pub fn matrix_rows(
    catalog: &RequirementCatalog,
    all_rules: &[Rule],
    evaluated: &[RuleInfo],
) -> Vec<RequirementRow> {
    catalog
        .requirements
        .iter()
        .map(|req| {
            let citing: Vec<&Rule> = all_rules
                .iter()
                .filter(|r| r.requirements.contains(&req.id))
                .collect();
            let mut rules: Vec<String> = Vec::new();
            let mut unselected: Vec<String> = Vec::new();
            for r in &citing {
                if evaluated.iter().any(|e| e.id == r.id) {
                    rules.push(r.id.clone());
                } else {
                    unselected.push(r.id.clone());
                }
            }
            // User rules evaluated but absent from `all_rules` still count.
            for e in evaluated {
                if e.requirements.contains(&req.id) && !rules.contains(&e.id) {
                    rules.push(e.id.clone());
                }
            }
            rules.sort();
            unselected.sort();
            RequirementRow {
                id: req.id.clone(),
                standard: req.standard.clone(),
                clause: req.clause.clone(),
                clause_name: req.clause_name.clone(),
                verified: req.verified,
                binding: req.binding,
                draft: req.draft,
                statement: req.statement.clone(),
                evidence: req.evidence.clone(),
                automated: citing.iter().any(|r| !r.is_manual())
                    || evaluated
                        .iter()
                        .any(|e| !e.manual && e.requirements.contains(&req.id)),
                rules,
                unselected_rules: unselected,
                out_of_scope: req.out_of_scope.clone(),
                status: RequirementStatus::NotCovered,
                reason: None,
            }
        })
        .collect()
}

/// What the status of a requirement needs from one rule's findings: their worst outcome,
/// how many fail and are waived, and the first error and not-applicable finding. Taken
/// once per rule, not once per requirement citing it (a rule with 20,000 findings is
/// cited by several requirements).
#[derive(Default)]
struct RuleTally<'a> {
    worst: Option<Outcome>,
    fails: usize,
    waived: usize,
    first_error: Option<&'a Finding>,
    first_not_applicable: Option<&'a Finding>,
}

impl<'a> RuleTally<'a> {
    fn of(findings: &'a [Finding]) -> BTreeMap<&'a str, RuleTally<'a>> {
        let mut tallies: BTreeMap<&str, RuleTally> = BTreeMap::new();
        // Findings come rule by rule: look the rule up only when it changes.
        let mut run: Option<(&str, RuleTally)> = None;
        for f in findings {
            let rule = f.rule_id.as_str();
            if run.as_ref().is_none_or(|(r, _)| *r != rule) {
                if let Some((r, t)) = run.take() {
                    tallies.insert(r, t);
                }
                run = Some((rule, tallies.remove(rule).unwrap_or_default()));
            }
            if let Some((_, t)) = run.as_mut() {
                t.add(f);
            }
        }
        if let Some((r, t)) = run {
            tallies.insert(r, t);
        }
        tallies
    }

    fn add(&mut self, f: &'a Finding) {
        self.worst = Some(self.worst.map_or(f.outcome, |w| w.min(f.outcome)));
        match f.outcome {
            Outcome::Fail => self.fails += 1,
            Outcome::Waived => self.waived += 1,
            Outcome::Error if self.first_error.is_none() => self.first_error = Some(f),
            Outcome::NotApplicable if self.first_not_applicable.is_none() => {
                self.first_not_applicable = Some(f)
            }
            _ => {}
        }
    }
}

/// Fill each row's status from the findings of the rules citing it, then the coverage
/// per standard. Precedence (documented in docs/requirements-catalog.md):
/// no citing rule: not covered (not applicable when the requirement is out of scope);
/// citing rules not evaluated: not applicable (why: not selected); otherwise the worst
/// outcome over all their findings: fail → not met, error → could not assess, manual →
/// manual evidence required, waived → waived, pass → met; only not-applicable outcomes or
/// no finding → not applicable (why: the first such message).
pub fn derive_statuses(
    rows: &mut [RequirementRow],
    findings: &[Finding],
    standards: &[(String, String)],
) -> Vec<StandardCoverage> {
    let tallies = RuleTally::of(findings);
    let none = RuleTally::default();
    for row in rows.iter_mut() {
        let (status, reason) = if let Some(why) = &row.out_of_scope {
            (RequirementStatus::NotApplicable, Some(why.clone()))
        } else if row.rules.is_empty() && row.unselected_rules.is_empty() {
            (RequirementStatus::NotCovered, None)
        } else if row.rules.is_empty() {
            (
                RequirementStatus::NotApplicable,
                Some(format!(
                    "its rules were not evaluated (selection or market profile): {}",
                    row.unselected_rules.join(", ")
                )),
            )
        } else {
            // The row's rules in its order, as if their findings were listed one rule
            // after the other: the first error or not-applicable finding is the first
            // rule's that has one.
            let ts: Vec<&RuleTally> = row
                .rules
                .iter()
                .map(|r| tallies.get(r.as_str()).unwrap_or(&none))
                .collect();
            let why = |f: &Finding| format!("{}: {}", f.rule_id, f.message);
            match RequirementStatus::from_outcomes(ts.iter().filter_map(|t| t.worst)) {
                Some(RequirementStatus::NotMet) => {
                    let n: usize = ts.iter().map(|t| t.fails).sum();
                    (
                        RequirementStatus::NotMet,
                        Some(format!("{n} failing finding(s)")),
                    )
                }
                Some(RequirementStatus::CouldNotAssess) => (
                    RequirementStatus::CouldNotAssess,
                    ts.iter().find_map(|t| t.first_error).map(why),
                ),
                Some(RequirementStatus::ManualEvidenceRequired) => (
                    RequirementStatus::ManualEvidenceRequired,
                    Some(row.evidence.clone()),
                ),
                Some(RequirementStatus::Waived) => {
                    let n: usize = ts.iter().map(|t| t.waived).sum();
                    (
                        RequirementStatus::Waived,
                        Some(format!("{n} waived finding(s)")),
                    )
                }
                Some(s) => (s, None),
                None => (
                    RequirementStatus::NotApplicable,
                    Some(
                        ts.iter()
                            .find_map(|t| t.first_not_applicable)
                            .map(why)
                            .unwrap_or_else(|| {
                                "no asset of the build is one its rules apply to".to_string()
                            }),
                    ),
                ),
            }
        };
        row.status = status;
        row.reason = reason;
    }
    standards
        .iter()
        .map(|(name, short)| {
            let mine: Vec<&RequirementRow> = rows.iter().filter(|r| r.standard == *name).collect();
            let total = mine.len();
            let automated = mine.iter().filter(|r| r.automated).count();
            let cited =
                |r: &&&RequirementRow| !r.rules.is_empty() || !r.unselected_rules.is_empty();
            let manual_only = mine.iter().filter(|r| !r.automated && cited(r)).count();
            let not_covered = mine.iter().filter(|r| !cited(r)).count();
            let mut statuses = BTreeMap::new();
            for r in &mine {
                *statuses.entry(r.status).or_insert(0) += 1;
            }
            StandardCoverage {
                standard: name.clone(),
                short: short.clone(),
                binding: mine.first().is_some_and(|r| r.binding),
                draft: mine.first().is_some_and(|r| r.draft),
                total,
                automated,
                manual_only,
                not_covered,
                percent: (automated * 100).checked_div(total).unwrap_or(0) as u32,
                statuses,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_sort_orders_clause_numbers_like_the_standards() {
        let mut v = vec![
            "M10", "28.1", "M6", "11.1", "6.2", "4.1", "M1", "7.3/01", "7.3.1.1", "5.10", "5.2",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "4.1", "5.2", "5.10", "6.2", "7.3.1.1", "7.3/01", "11.1", "28.1", "M1", "M6", "M10"
            ]
        );
        assert_eq!(natural_cmp("6.2", "6.2"), Ordering::Equal);
        assert_eq!(natural_cmp("7.1/02", "7.1/10"), Ordering::Less);
        assert_eq!(natural_cmp("M9", "M23"), Ordering::Less);
    }

    #[test]
    fn status_precedence_follows_outcome_order() {
        use Outcome::*;
        let s = |v: Vec<Outcome>| RequirementStatus::from_outcomes(v);
        assert_eq!(s(vec![Pass, Fail, Manual]), Some(RequirementStatus::NotMet));
        assert_eq!(
            s(vec![Pass, Error, Manual]),
            Some(RequirementStatus::CouldNotAssess)
        );
        assert_eq!(
            s(vec![Pass, Manual, Waived]),
            Some(RequirementStatus::ManualEvidenceRequired)
        );
        assert_eq!(s(vec![Pass, Waived]), Some(RequirementStatus::Waived));
        assert_eq!(s(vec![Pass, NotApplicable]), Some(RequirementStatus::Met));
        assert_eq!(s(vec![NotApplicable]), None);
        assert_eq!(s(vec![]), None);
    }

    #[test]
    fn markets_parse_case_insensitively_and_refuse_others() {
        assert_eq!("cn".parse::<Market>(), Ok(Market::Cn));
        assert_eq!("UNECE".parse::<Market>(), Ok(Market::Unece));
        assert!(
            "JP".parse::<Market>()
                .unwrap_err()
                .contains("CN, EU, UNECE")
        );
    }

    fn req(id: &str, out_of_scope: Option<&str>) -> Requirement {
        Requirement {
            id: id.into(),
            standard: "S".into(),
            clause: Some(id.into()),
            clause_name: None,
            verified: true,
            binding: true,
            draft: false,
            order: id.into(),
            statement: format!("statement {id}"),
            evidence: format!("evidence {id}"),
            out_of_scope: out_of_scope.map(String::from),
        }
    }

    fn rule(id: &str, cites: &[&str], manual: bool) -> Rule {
        Rule {
            id: id.into(),
            title: id.into(),
            area: crate::Area::Terminal,
            subarea: "vehicle".into(),
            severity: crate::Severity::High,
            requirements: cites.iter().map(|s| s.to_string()).collect(),
            references: Vec::new(),
            applies_to: crate::Applicability {
                asset: crate::AssetKind::Ecu,
                roles: vec![],
                markets: vec![],
                stages: vec![],
                when: None,
                needs: vec![],
            },
            check: if manual {
                crate::RuleCheck::Manual
            } else {
                crate::RuleCheck::Builtin {
                    name: "x".into(),
                    params: serde_json::Value::Null,
                }
            },
            rationale: "r".into(),
            remediation: "m".into(),
            source: "t.toml".into(),
            prepared: Default::default(),
        }
    }

    fn info(r: &Rule) -> RuleInfo {
        RuleInfo {
            id: r.id.clone(),
            title: r.title.clone(),
            area: r.area,
            subarea: r.subarea.clone(),
            severity: r.severity,
            requirements: r.requirements.clone(),
            references: vec![],
            check: r.check_name().into(),
            manual: r.is_manual(),
            rationale: r.rationale.clone(),
            remediation: r.remediation.clone(),
        }
    }

    fn finding(rule: &str, outcome: Outcome, asset: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            area: crate::Area::Terminal,
            subarea: "vehicle".into(),
            severity: crate::Severity::High,
            outcome,
            asset: crate::AssetRef::new(crate::AssetKind::Ecu, asset),
            message: format!("{rule} on {asset}").into(),
            location: None,
            related: Box::default(),
            fingerprint: crate::fingerprint::Fingerprint::of(&[rule, asset]),
            waiver: None,
            root_cause: None,
        }
    }

    #[test]
    fn matrix_derives_every_status_from_the_citing_rules() {
        let catalog = RequirementCatalog {
            standards: vec![Standard {
                name: "S".into(),
                title: "S".into(),
                short: "S".into(),
                rank: 1,
                binding: true,
                draft: false,
            }],
            requirements: [
                "R-met", "R-fail", "R-err", "R-man", "R-waived", "R-na", "R-none", "R-unsel",
                "R-out",
            ]
            .iter()
            .map(|id| req(id, (*id == "R-out").then_some("back-end only")))
            .collect(),
            markets: BTreeMap::new(),
        };
        let all = vec![
            rule("PASS", &["R-met", "R-fail", "R-err", "R-waived"], false),
            rule("FAIL", &["R-fail"], false),
            rule("ERR", &["R-err", "R-man"], false),
            rule("MAN", &["R-man"], true),
            rule("WAIVED", &["R-waived"], false),
            rule("NA", &["R-na"], false),
            rule("UNSEL", &["R-unsel"], false),
        ];
        let evaluated: Vec<RuleInfo> = all.iter().filter(|r| r.id != "UNSEL").map(info).collect();
        let findings = vec![
            finding("PASS", Outcome::Pass, "a"),
            finding("FAIL", Outcome::Fail, "a"),
            finding("FAIL", Outcome::Pass, "b"),
            finding("ERR", Outcome::Error, "a"),
            finding("MAN", Outcome::Manual, "vehicle"),
            finding("WAIVED", Outcome::Waived, "a"),
            finding("NA", Outcome::NotApplicable, "a"),
        ];
        let mut rows = matrix_rows(&catalog, &all, &evaluated);
        let cov = derive_statuses(&mut rows, &findings, &[("S".into(), "S".into())]);
        fn status_of(rows: &[RequirementRow], id: &str) -> (RequirementStatus, String) {
            let r = rows.iter().find(|r| r.id == id).unwrap();
            (r.status, r.reason.clone().unwrap_or_default())
        }
        let status = |id: &str| status_of(&rows, id);
        assert_eq!(status("R-met").0, RequirementStatus::Met);
        assert_eq!(
            status("R-fail"),
            (RequirementStatus::NotMet, "1 failing finding(s)".into())
        );
        assert_eq!(status("R-err").0, RequirementStatus::CouldNotAssess);
        assert_eq!(status("R-err").1, "ERR: ERR on a");
        // Error beats manual: R-man is cited by ERR (error) and MAN (manual).
        assert_eq!(status("R-man").0, RequirementStatus::CouldNotAssess);
        assert_eq!(
            status("R-waived"),
            (RequirementStatus::Waived, "1 waived finding(s)".into())
        );
        assert_eq!(
            status("R-na"),
            (RequirementStatus::NotApplicable, "NA: NA on a".into())
        );
        assert_eq!(
            status("R-none"),
            (RequirementStatus::NotCovered, String::new())
        );
        assert_eq!(status("R-unsel").0, RequirementStatus::NotApplicable);
        assert!(status("R-unsel").1.contains("UNSEL"));
        assert_eq!(
            status("R-out"),
            (RequirementStatus::NotApplicable, "back-end only".into())
        );
        // Manual alone: the evidence text is the reason.
        let findings2: Vec<Finding> = findings
            .into_iter()
            .filter(|f| f.rule_id != "ERR")
            .collect();
        derive_statuses(&mut rows, &findings2, &[("S".into(), "S".into())]);
        assert_eq!(
            status_of(&rows, "R-man"),
            (
                RequirementStatus::ManualEvidenceRequired,
                "evidence R-man".into()
            )
        );
        // Coverage: requirements with an automated citing rule / total (catalog-wide).
        assert_eq!(cov[0].total, 9);
        assert_eq!(cov[0].automated, 7);
        assert_eq!(cov[0].not_covered, 2);
        assert_eq!(cov[0].percent, 77);
        // Rows keep the catalog order.
        assert_eq!(rows[0].id, "R-met");

        // A rule's findings need not be contiguous (a baseline or a user rule may
        // interleave them): counts add up over every run, and the first error is the
        // first in the row's rule order, then in finding order.
        let interleaved = vec![
            finding("FAIL", Outcome::Fail, "a"),
            finding("PASS", Outcome::Pass, "a"),
            finding("FAIL", Outcome::Fail, "b"),
            finding("PASS", Outcome::Error, "x"),
            finding("ERR", Outcome::Error, "a"),
            finding("PASS", Outcome::Error, "y"),
        ];
        let mut rows = matrix_rows(&catalog, &all, &evaluated);
        derive_statuses(&mut rows, &interleaved, &[("S".into(), "S".into())]);
        assert_eq!(
            status_of(&rows, "R-fail"),
            (RequirementStatus::NotMet, "2 failing finding(s)".into())
        );
        // R-err is cited by ERR and PASS, in that (sorted) order.
        assert_eq!(
            status_of(&rows, "R-err"),
            (RequirementStatus::CouldNotAssess, "ERR: ERR on a".into())
        );
        assert_eq!(
            status_of(&rows, "R-met"),
            (RequirementStatus::CouldNotAssess, "PASS: PASS on x".into())
        );
    }
}
