use icvsec_checks::{Ctx, Eval, Prepared, Registry, Sink};
use icvsec_inputs::{AssetView, Inventory};
use icvsec_model::fingerprint::{FNV1A64_OFFSET, Fingerprint, fnv1a64_extend};
use icvsec_model::location::join_key;
use icvsec_model::profile::Gate;
use icvsec_model::report::{RuleInfo, ScanInfo, VehicleSummary};
use icvsec_model::{
    AssetKind, AssetRef, Finding, Location, Outcome, Report, RoleProfiles, Rule, RuleCheck,
    Severity, SharedStr,
};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Evaluation date as seconds since the Unix epoch.
    pub as_of: i64,
    /// The same date as `YYYY-MM-DD`, for the report.
    pub as_of_label: String,
    pub fail_on: Severity,
    /// The root as the user named it.
    pub root_label: String,
    pub tool_version: String,
    pub rules_digest: String,
    /// What each ECU role must declare (`rules/profiles/roles.toml`): a missing section
    /// a rule needs is "not declared" (failing) when required, else not applicable.
    pub profiles: RoleProfiles,
}

/// An outcome before it becomes a finding.
struct Raw {
    asset: AssetRef,
    eval: Eval,
}

fn rule_in_scope(rule: &Rule, inv: &Inventory) -> Result<(), String> {
    let a = &rule.applies_to;
    if !a.markets.is_empty() {
        let markets = inv.markets();
        if !a
            .markets
            .iter()
            .any(|m| markets.iter().any(|x| x.eq_ignore_ascii_case(m.as_str())))
        {
            return Err(if markets.is_empty() {
                format!(
                    "applies to markets {} and the build declares none",
                    a.market_names().join(", ")
                )
            } else {
                format!(
                    "applies to markets {}; the vehicle targets {}",
                    a.market_names().join(", "),
                    markets.join(", ")
                )
            });
        }
    }
    if !a.stages.is_empty() {
        let stage = inv.stage().map_or("production", |s| s.as_str());
        if !a.stages.iter().any(|s| s.as_str() == stage) {
            return Err(format!(
                "applies to {} builds; this build is {stage}",
                a.stage_names().join("/")
            ));
        }
    }
    Ok(())
}

fn evaluate_condition(
    rule: &Rule,
    condition: &icvsec_model::Condition,
    for_each: Option<&str>,
    asset: &AssetView,
    inv: &Inventory,
    sink: &mut Sink,
) {
    let empty = Value::Object(Default::default());
    let fields = asset.fields.filter(|v| !v.is_null()).unwrap_or(&empty);
    let base_key = asset.home.key_path.clone().unwrap_or_default();
    let at = |path: &str| Location::at_key(&asset.home.file, join_key(&base_key, path));
    match for_each {
        None => {
            let v = condition.evaluate(fields);
            sink.verdict(v.holds, v.explanation, at(&v.path));
        }
        Some(list_path) => match icvsec_model::condition::lookup(fields, list_path) {
            Some(Value::Array(items)) if !items.is_empty() => {
                for (i, item) in items.iter().enumerate() {
                    let v = condition.evaluate(item);
                    let elem = format!("{list_path}[{i}]");
                    let label = item
                        .get("name")
                        .or_else(|| item.get("id"))
                        .and_then(Value::as_str)
                        .map(|n| format!("{elem} (`{n}`)"))
                        .unwrap_or(elem.clone());
                    sink.verdict(
                        v.holds,
                        format!("{label}: {}", v.explanation),
                        at(&join_key(&elem, &v.path)),
                    );
                }
            }
            _ => {
                match inv.lost_at(&at(list_path)) {
                    // The list (or an element of it) was dropped at load.
                    Some(lost) => sink.evals.push(could_not_assess(lost)),
                    None => {
                        sink.not_applicable(format!(
                            "`{list_path}` lists nothing ({})",
                            rule.applies_to.asset
                        ));
                    }
                }
            }
        },
    }
}

/// The outcome of a rule that needed a part of an input dropped at load.
fn could_not_assess(lost: &icvsec_inputs::lenient::LostPart) -> Eval {
    Eval {
        outcome: Outcome::Error,
        message: format!(
            "could not assess: `{}` was not loaded ({}: {})",
            lost.key_path, lost.location, lost.message
        ),
        location: Some(lost.location.clone()),
        related: Vec::new(),
        fact: None,
    }
}

/// Up to this many broken inputs of a kind, a rule reports an error per input; above
/// it, one error naming how many (each input stays one input problem).
const PER_ASSET_ERRORS: usize = 10;

/// What a rule does before its assets are judged: either its whole outcome (manual,
/// out of scope, nothing of its kind in the build), or the outcomes about broken inputs
/// of its kind followed by the assets to judge one by one.
enum Plan<'v> {
    Done(Vec<Raw>),
    Judge {
        head: Vec<Raw>,
        assets: Vec<&'v AssetView<'v>>,
    },
}

fn na(why: String, asset: AssetRef) -> Raw {
    Raw {
        asset,
        eval: Eval {
            outcome: Outcome::NotApplicable,
            message: why,
            location: None,
            related: Vec::new(),
            fact: None,
        },
    }
}

/// Up to this many assets of one rule are judged in one job. Rules are split so that a
/// long rule (chain building over 20,000 certificates) is shared by every thread instead
/// of running alone at the end while the other threads idle.
const ASSETS_PER_JOB: usize = 512;

fn plan_rule<'v>(
    rule: &Rule,
    inv: &Inventory,
    views: &'v BTreeMap<AssetKind, Vec<AssetView<'v>>>,
    opts: &ScanOptions,
) -> Plan<'v> {
    let kind = rule.applies_to.asset;
    let vehicle = AssetRef::new(AssetKind::Vehicle, "vehicle");
    let mut out = Vec::new();
    if let RuleCheck::Manual = rule.check {
        out.push(Raw {
            asset: vehicle,
            eval: Eval {
                outcome: Outcome::Manual,
                message: "needs evidence from the auditor; no automated check".into(),
                location: None,
                related: Vec::new(),
                fact: None,
            },
        });
        return Plan::Done(out);
    }
    let a = &rule.applies_to;
    for (scoped, key) in [
        (!a.markets.is_empty(), "vehicle.markets"),
        (!a.stages.is_empty(), "vehicle.stage"),
    ] {
        if let Some(lost) = inv
            .lost_at(&Location::at_key("vehicle.json", key))
            .filter(|_| scoped)
        {
            // Whether the rule applies to this vehicle is unknown.
            out.push(Raw {
                asset: vehicle,
                eval: could_not_assess(lost),
            });
            return Plan::Done(out);
        }
    }
    if let Err(why) = rule_in_scope(rule, inv) {
        out.push(na(why, vehicle));
        return Plan::Done(out);
    }
    // Rules apply by function, not only by declared role: an ECU of any role that
    // declares a function's section (a zone controller with `gateway` routes) is judged
    // by every rule of that function's role.
    let profiles = &opts.profiles;
    let assets: Vec<&AssetView> = views
        .get(&kind)
        .into_iter()
        .flatten()
        .filter(|a| {
            rule.applies_to.roles.is_empty()
                || a.role.is_some_and(|r| {
                    let roles = match (kind, a.fields) {
                        (AssetKind::Ecu, Some(f)) => profiles.effective_roles(r, f),
                        _ => vec![r],
                    };
                    roles.iter().any(|r| rule.applies_to.roles.contains(r))
                })
        })
        .collect();
    let broken: Vec<_> = inv.broken_of(kind).collect();
    // One cause, one error: each broken input is one error diagnostic (input problems);
    // a rule it blocks says so once. With many broken inputs of its kind (100,000 empty
    // .pem files), the rule reports one error naming how many and the first, instead of
    // one error per file and rule.
    match broken.as_slice() {
        [] => {}
        few if few.len() <= PER_ASSET_ERRORS => {
            for b in few {
                out.push(Raw {
                    asset: AssetRef::new(kind, &b.id),
                    eval: Eval {
                        outcome: Outcome::Error,
                        message: format!("could not assess: {}", b.message),
                        location: Some(b.location.clone()),
                        related: Vec::new(),
                        fact: None,
                    },
                });
            }
        }
        [first, rest @ ..] => out.push(Raw {
            asset: AssetRef::new(kind, &first.id),
            eval: Eval {
                outcome: Outcome::Error,
                message: format!(
                    "could not assess {} inputs of this kind that failed to load ({}: {}; and {} more, listed under input problems)",
                    broken.len(),
                    first.id,
                    first.message,
                    rest.len()
                ),
                location: Some(first.location.clone()),
                related: Vec::new(),
                fact: None,
            },
        }),
    }
    if assets.is_empty() {
        if broken.is_empty() {
            let why = if rule.applies_to.roles.is_empty() {
                {
                    let d = kind.describe();
                    let d = d
                        .strip_prefix("an ")
                        .or_else(|| d.strip_prefix("a "))
                        .or_else(|| d.strip_prefix("the "))
                        .unwrap_or(d);
                    format!("no {d} in this build")
                }
            } else {
                format!(
                    "no {} of role {} in this build",
                    kind.slug(),
                    rule.applies_to.role_names().join("/")
                )
            };
            out.push(na(why, vehicle));
        }
        return Plan::Done(out);
    }
    Plan::Judge { head: out, assets }
}

/// Judge one run of a rule's assets (see [`ASSETS_PER_JOB`]), in order.
fn judge_assets(
    rule: &Rule,
    assets: &[&AssetView],
    prepared: Option<&Result<Prepared, String>>,
    registry: &Registry,
    inv: &Inventory,
    opts: &ScanOptions,
) -> Vec<Raw> {
    let kind = rule.applies_to.asset;
    let profiles = &opts.profiles;
    let needs = rule.needed_paths();
    let mut out = Vec::new();
    for asset in assets {
        let aref = AssetRef::new(kind, &asset.id);
        // Silence is judged: what the rule reads must be declared when the role
        // requires it; a section the role does not require and that is absent is n/a.
        if let (AssetKind::Ecu, Some(role), Some(fields)) = (kind, asset.role, asset.fields) {
            match profiles.gate(role, fields, &needs) {
                Gate::Declared => {}
                Gate::NotDeclared(missing) => {
                    for m in missing {
                        // A key dropped at load where the section should be (a typo such
                        // as `secure_bot`, or a value of the wrong type) may be the
                        // declaration: could not assess, not "not declared".
                        if let Some(lost) = lost_near(inv, asset, &m.path) {
                            out.push(Raw {
                                asset: aref.clone(),
                                eval: Eval {
                                    outcome: Outcome::Error,
                                    message: format!(
                                        "could not assess `{}`: {}: {}",
                                        m.path, lost.location, lost.message
                                    ),
                                    location: Some(lost.location.clone()),
                                    related: Vec::new(),
                                    fact: None,
                                },
                            });
                            continue;
                        }
                        out.push(Raw {
                            asset: aref.clone(),
                            eval: Eval {
                                outcome: Outcome::Fail,
                                message: format!(
                                    "`{}` is not declared (required for {} by {})",
                                    m.path, m.because, profiles.file
                                ),
                                location: Some(declared_at(asset, &m.path)),
                                related: Vec::new(),
                                // Every rule reading the missing section fails on the
                                // same fact: one headline in the grouped reports.
                                fact: Some(icvsec_model::report::root_cause_key(
                                    AssetKind::Ecu,
                                    &asset.id,
                                    &format!("not-declared:{}", m.path),
                                )),
                            },
                        });
                    }
                    continue;
                }
                Gate::NotRequired(sections) => {
                    let list = sections
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let verb = if sections.len() == 1 { "is" } else { "are" };
                    out.push(na(
                        format!(
                            "not applicable: {list} {verb} not declared and role {} does not require it ({})",
                            role.as_str(),
                            profiles.file
                        ),
                        aref,
                    ));
                    continue;
                }
            }
        }
        if let (Some(when), Some(fields)) = (&rule.applies_to.when, asset.fields) {
            let v = when.evaluate(fields);
            let place = Location::at_key(
                &asset.home.file,
                join_key(asset.home.key_path.as_deref().unwrap_or(""), &v.path),
            );
            if let Some(lost) = inv.lost_at(&place) {
                // Whether the rule applies depends on a setting that was not loaded.
                out.push(Raw {
                    asset: aref,
                    eval: could_not_assess(lost),
                });
                continue;
            }
            if !v.holds {
                out.push(na(format!("not applicable: {}", v.explanation), aref));
                continue;
            }
        }
        let mut sink = Sink::default();
        match &rule.check {
            RuleCheck::Condition {
                condition,
                for_each,
            } => {
                evaluate_condition(rule, condition, for_each.as_deref(), asset, inv, &mut sink);
            }
            RuleCheck::Builtin { name, .. } => match (registry.get(name), prepared) {
                (Some(check), Some(Ok(params))) => {
                    let ctx = Ctx {
                        inv,
                        asset,
                        as_of: opts.as_of,
                        profiles,
                    };
                    check.run(&ctx, params, &mut sink);
                }
                (_, Some(Err(e))) => {
                    sink.error(format!("rule parameters rejected: {e}"), asset.home.clone());
                }
                _ => {
                    sink.error(format!("unknown check `{name}`"), asset.home.clone());
                }
            },
            RuleCheck::Manual => {}
        }
        if sink.evals.is_empty() {
            // A check that says nothing has not shown compliance.
            sink.error("the check reported no outcome", asset.home.clone());
        }
        // An outcome about a part of an input that was dropped at load (a mistake there)
        // is "could not assess", once per dropped part, never a pass, fail or n/a.
        let mut seen = std::collections::BTreeSet::new();
        for eval in sink.evals {
            let lost = eval.location.as_ref().and_then(|l| inv.lost_at(l));
            match lost {
                Some(l) if eval.outcome != Outcome::Error => {
                    if seen.insert((l.location.clone(), l.key_path.clone())) {
                        out.push(Raw {
                            asset: aref.clone(),
                            eval: could_not_assess(l),
                        });
                    }
                }
                _ => out.push(Raw {
                    asset: aref.clone(),
                    eval,
                }),
            }
        }
    }
    out
}

/// Where a missing path should be declared: in the ECU's configuration file at that
/// key, or at its vehicle.json entry when it has no configuration file.
/// A part of the asset's file dropped at load that sits where `path` (relative to the
/// asset's object) would be.
fn lost_near<'a>(
    inv: &'a Inventory,
    asset: &AssetView,
    path: &str,
) -> Option<&'a icvsec_inputs::lenient::LostPart> {
    let full = match &asset.home.key_path {
        Some(k) if !k.is_empty() => format!("{k}.{path}"),
        _ => path.to_string(),
    };
    // A misspelt key is recorded under the key it was taken for (`secure_bot` under
    // `secure_boot`), so being on the section's branch is the whole test.
    inv.lost
        .get(asset.home.file.as_str())?
        .iter()
        .find(|l| !l.key_path.is_empty() && icvsec_inputs::lenient::on_branch(&l.key_path, &full))
}

fn declared_at(asset: &AssetView, path: &str) -> Location {
    match &asset.home.key_path {
        Some(k) if !k.is_empty() => Location::at_key(&asset.home.file, k.clone()),
        _ => Location::at_key(&asset.home.file, path),
    }
}

/// A rule being judged in runs of assets.
struct Judging<'v> {
    assets: Vec<&'v AssetView<'v>>,
    pending: Mutex<Pending>,
}

/// The report's findings, joined as rules finish. Findings are ordered by (area,
/// sub-area, rule id) first, so a group of rules with one such key (one rule, unless a
/// caller gives several the same) is appended as soon as it and every group before it is
/// done: most of the copying happens while later rules are still judged, instead of on
/// one thread after all of them (0.08 s on 20,000 certificates).
struct Merger {
    /// Rule indices per key, in key order, each group in index order.
    groups: Vec<Vec<usize>>,
    group_of: Vec<usize>,
    /// Per group, how many of its rules are not done.
    left: Vec<usize>,
    ready: Vec<Option<Vec<Finding>>>,
    next: usize,
    out: Vec<Finding>,
}

impl Merger {
    fn new(rules: &[Rule]) -> Merger {
        let key = |r: &Rule| (r.area, r.subarea.clone(), r.id.clone());
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by_key(|&i| key(&rules[i]));
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in order {
            match groups.last_mut() {
                Some(g) if key(&rules[g[0]]) == key(&rules[i]) => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        let mut group_of = vec![0; rules.len()];
        for (g, members) in groups.iter_mut().enumerate() {
            members.sort_unstable();
            for &i in members.iter() {
                group_of[i] = g;
            }
        }
        Merger {
            left: groups.iter().map(Vec::len).collect(),
            groups,
            group_of,
            ready: (0..rules.len()).map(|_| None).collect(),
            next: 0,
            out: Vec::new(),
        }
    }

    /// Rule `i`'s sorted findings; appends every group that is now complete in order.
    fn done(&mut self, i: usize, findings: Vec<Finding>) {
        self.ready[i] = Some(findings);
        self.left[self.group_of[i]] -= 1;
        while self.next < self.groups.len() && self.left[self.next] == 0 {
            let start = self.out.len();
            for &r in &self.groups[self.next] {
                // Taken: the rule's buffer is freed as soon as it is copied, so the
                // report never holds every finding twice.
                if let Some(mut f) = self.ready[r].take() {
                    self.out.append(&mut f);
                }
            }
            if self.groups[self.next].len() > 1 {
                // Rules sharing area, sub-area and id merged as one sort would.
                self.out[start..].sort_by(rest);
            }
            self.next += 1;
        }
    }

    fn into_findings(self) -> Vec<Finding> {
        assert_eq!(self.next, self.groups.len(), "every rule was merged");
        self.out
    }
}

/// The outcomes of a rule handed in so far; runs come back in any order.
#[derive(Default)]
struct Pending {
    head: Vec<Raw>,
    runs: Vec<Option<Vec<Raw>>>,
    left: usize,
    took: std::time::Duration,
}

/// A rule's outcomes, in order, made its sorted findings. `judging`: the time its runs
/// took, for `ICVSEC_TIMINGS`.
fn finish(
    rule: &Rule,
    raws: impl Iterator<Item = Raw>,
    n: usize,
    inv: &Inventory,
    judging: std::time::Duration,
) -> Vec<Finding> {
    let started = std::time::Instant::now();
    let mut f = to_findings(rule, raws, n, inv);
    f.sort_by(rest);
    // `ICVSEC_TIMINGS`: the rules that take long, on standard error (profiling).
    let took = judging + started.elapsed();
    if took.as_millis() >= 50 && icvsec_inputs::timings::enabled() {
        eprintln!(
            "icvsec: timing: rule {} ({} outcomes): {:.3} s",
            rule.id,
            f.len(),
            took.as_secs_f64()
        );
    }
    f
}

/// Findings are ordered by (area, sub-area, rule id, asset, place, message,
/// fingerprint); a rule's findings share the first three, so each rule's list is sorted
/// on the rest.
fn rest(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    (&a.asset, &a.location, &a.message, &a.fingerprint).cmp(&(
        &b.asset,
        &b.location,
        &b.message,
        &b.fingerprint,
    ))
}

/// How many of a rule's latest distinct messages are compared with the next one.
const RECENT_MESSAGES: usize = 4;

/// `message` as a shared text: one of `recent` when equal (moved to the front), else a
/// new one (put at the front, the oldest dropped).
fn shared_message(recent: &mut Vec<SharedStr>, message: String) -> SharedStr {
    if let Some(i) = recent.iter().position(|m| m.as_str() == message) {
        recent[..=i].rotate_right(1);
        return recent[0].clone();
    }
    let m = SharedStr::from(message);
    recent.truncate(RECENT_MESSAGES - 1);
    recent.insert(0, m.clone());
    m
}

/// Turn one rule's outcomes into findings: resolve key paths to lines, fingerprint.
/// `n`: how many outcomes there are (the findings are allocated once).
fn to_findings(
    rule: &Rule,
    raws: impl Iterator<Item = Raw>,
    n: usize,
    inv: &Inventory,
) -> Vec<Finding> {
    let mut findings = Vec::with_capacity(n);
    let (rule_id, subarea) = (SharedStr::from(&rule.id), SharedStr::from(&rule.subarea));
    // How many outcomes of this rule share a base fingerprint so far, keyed by the hash
    // itself (a map of hex strings was a sixth of the evaluation time on 20,000 certs).
    let mut dup: HashMap<u64, u32> = HashMap::new();
    // Equal messages held once, by comparing with the rule's last few distinct messages:
    // on 20,000 certificates 63% of the 455,674 outcomes say what the one before said, and
    // with the last four 133,530 texts are kept against 117,710 distinct ones (1.3 MB
    // more), without hashing every message (a hash set of them was a quarter of the cost
    // of turning outcomes into findings).
    let mut recent: Vec<SharedStr> = Vec::with_capacity(RECENT_MESSAGES);
    // The hash state after the rule id and the asset kind, the same for (nearly) every
    // outcome of the rule: each outcome hashes only its asset id and place.
    let mut prefix: Option<(AssetKind, u64)> = None;
    for raw in raws {
        let mut location = raw.eval.location;
        if let Some(loc) = location.as_mut() {
            inv.resolve(loc);
        }
        let mut related = raw.eval.related;
        for r in &mut related {
            inv.resolve(r);
        }
        let (file, key) = location.as_ref().map_or(("", ""), |l| {
            (l.file.as_str(), l.key_path.as_deref().unwrap_or(""))
        });
        let state = match prefix {
            Some((kind, state)) if kind == raw.asset.kind => state,
            _ => {
                let state = fnv1a64_extend(FNV1A64_OFFSET, &[&rule.id, raw.asset.kind.slug()]);
                prefix = Some((raw.asset.kind, state));
                state
            }
        };
        let base = fnv1a64_extend(state, &[&raw.asset.id, file, key]);
        let n = dup.entry(base).or_default();
        *n += 1;
        let fingerprint = if *n == 1 {
            Fingerprint(base)
        } else {
            Fingerprint::of(&[&Fingerprint(base).to_string(), &n.to_string()])
        };
        findings.push(Finding {
            rule_id: rule_id.clone(),
            area: rule.area,
            subarea: subarea.clone(),
            severity: rule.severity,
            outcome: raw.eval.outcome,
            asset: raw.asset,
            message: shared_message(&mut recent, raw.eval.message),
            location,
            related: related.into_boxed_slice(),
            fingerprint,
            waiver: None,
            // Only a failure names a defect.
            root_cause: (raw.eval.outcome == Outcome::Fail)
                .then_some(raw.eval.fact)
                .flatten()
                .map(SharedStr::from),
        });
    }
    findings
}

pub fn evaluate(
    inv: &Inventory,
    rules: &[Rule],
    registry: &Registry,
    opts: &ScanOptions,
) -> Report {
    evaluate_in_runs(inv, rules, registry, opts, ASSETS_PER_JOB)
}

/// [`evaluate`] with a rule's assets judged in runs of `per_job` (at least 1). The report
/// does not depend on it: public so that a test can hold that.
#[doc(hidden)]
pub fn evaluate_in_runs(
    inv: &Inventory,
    rules: &[Rule],
    registry: &Registry,
    opts: &ScanOptions,
    per_job: usize,
) -> Report {
    let per_job = per_job.max(1);
    let prepared: BTreeMap<&str, Result<Prepared, String>> = rules
        .iter()
        .filter_map(|r| match &r.check {
            // Typed when the rule was loaded (or its parameters overridden); rules made
            // without the catalog are typed here.
            RuleCheck::Builtin { name, params } => Some((
                r.id.as_str(),
                match &r.prepared.0 {
                    Some(p) => Ok(p.clone()),
                    None => registry.get(name).map_or_else(
                        || Err(format!("unknown check `{name}`")),
                        |c| c.prepare(params),
                    ),
                },
            )),
            _ => None,
        })
        .collect();

    // Evaluation, location resolution and fingerprints run per rule in parallel. Findings
    // are ordered by (area, sub-area, rule id, asset, place, message, fingerprint); a rule's
    // findings share the first three, so each rule's list is sorted on its own (stable, in
    // parallel, small buffers) and the lists are joined in (area, sub-area, id) order. That
    // is the order of one stable sort of everything, whatever the number of threads,
    // without a sort buffer the size of the whole report.
    // The assets of each kind the rules apply to, listed once for all rules (a kind's
    // list was rebuilt per rule: 25 certificate rules copied 20,000 ids each).
    let kinds: std::collections::BTreeSet<AssetKind> =
        rules.iter().map(|r| r.applies_to.asset).collect();
    let views: BTreeMap<AssetKind, Vec<AssetView>> =
        kinds.into_par_iter().map(|k| (k, inv.assets(k))).collect();
    let t0 = std::time::Instant::now();
    // Two parallel steps, one job per item (rayon's default split handed a run of similar
    // rules to one thread while the other finished the light ones and idled):
    // 1. per rule, what it does before judging assets (scope, broken inputs); a rule with
    //    nothing to judge one by one is made findings at once;
    let merger = Mutex::new(Merger::new(rules));
    let merge = |i: usize, findings: Vec<Finding>| {
        merger
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .done(i, findings);
    };
    // `None`: the rule's findings were made at once and handed to the merger.
    let judging: Vec<Option<Judging>> = rules
        .par_iter()
        .enumerate()
        .with_max_len(1)
        .map(|(i, r)| match plan_rule(r, inv, &views, opts) {
            Plan::Done(raws) => {
                let n = raws.len();
                let zero = std::time::Duration::ZERO;
                merge(i, finish(r, raws.into_iter(), n, inv, zero));
                None
            }
            Plan::Judge { head, assets } => {
                let runs = assets.len().div_ceil(per_job);
                Some(Judging {
                    assets,
                    pending: Mutex::new(Pending {
                        head,
                        runs: (0..runs).map(|_| None).collect(),
                        left: runs,
                        took: std::time::Duration::ZERO,
                    }),
                })
            }
        })
        .collect();
    // 2. per run of up to `per_job` assets of a rule, the judgements. The job that hands in
    //    a rule's last run makes the rule's findings (its outcomes in order: head, then the
    //    runs), so a rule's outcomes are held only while it is judged.
    let jobs: Vec<(usize, usize)> = judging
        .iter()
        .enumerate()
        .flat_map(|(i, j)| {
            let runs = j.as_ref().map_or(0, |j| j.assets.len().div_ceil(per_job));
            (0..runs).map(move |k| (i, k))
        })
        .collect();
    jobs.par_iter().with_max_len(1).for_each(|&(i, k)| {
        let Some(j) = &judging[i] else {
            unreachable!("jobs are made only for rules with assets to judge")
        };
        let r = &rules[i];
        let started = std::time::Instant::now();
        let from = k * per_job;
        let to = from.saturating_add(per_job).min(j.assets.len());
        let raws = judge_assets(
            r,
            &j.assets[from..to],
            prepared.get(r.id.as_str()),
            registry,
            inv,
            opts,
        );
        let complete = {
            let mut p = j.pending.lock().unwrap_or_else(PoisonError::into_inner);
            p.runs[k] = Some(raws);
            p.left -= 1;
            p.took += started.elapsed();
            (p.left == 0).then(|| std::mem::take(&mut *p))
        };
        if let Some(p) = complete {
            let n = p.head.len() + p.runs.iter().flatten().map(Vec::len).sum::<usize>();
            let raws = p
                .head
                .into_iter()
                .chain(p.runs.into_iter().flatten().flatten());
            merge(i, finish(r, raws, n, inv, p.took));
        }
    });
    icvsec_inputs::timings::phase("evaluate rules", t0);
    let findings = merger
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_findings();
    icvsec_inputs::timings::phase("evaluate merged", t0);
    drop(judging);

    let mut rule_infos: Vec<RuleInfo> = rules
        .iter()
        .map(|r| RuleInfo {
            id: r.id.clone(),
            title: r.title.clone(),
            area: r.area,
            subarea: r.subarea.clone(),
            severity: r.severity,
            requirements: r.requirements.clone(),
            references: r.references.clone(),
            check: r.check_name().to_string(),
            manual: r.is_manual(),
            rationale: r.rationale.clone(),
            remediation: r.remediation.clone(),
        })
        .collect();
    rule_infos.sort_by(|a, b| a.id.cmp(&b.id));

    let vehicle = inv.vehicle.as_ref().map(|v| VehicleSummary {
        model: v.doc.vehicle.model.clone(),
        markets: v.doc.vehicle.markets.clone(),
        stage: v.doc.vehicle.stage.as_str().to_string(),
        ecus: v.doc.ecus.len(),
    });
    let mut report = Report {
        schema_version: Report::SCHEMA_VERSION,
        scan: ScanInfo {
            tool: "icvsec".into(),
            tool_version: opts.tool_version.clone(),
            root: opts.root_label.clone(),
            as_of: opts.as_of_label.clone(),
            rules_digest: opts.rules_digest.clone(),
            input_digest: inv.input_digest.clone(),
            files_scanned: inv.files_scanned,
            vehicle,
            fail_on: opts.fail_on,
            config: None,
        },
        rules: rule_infos,
        findings,
        diagnostics: inv.diagnostics.clone(),
        // Where sensitive and important data goes, when data-area rules were evaluated.
        data_map: if rules.iter().any(|r| r.area == icvsec_model::Area::Data) {
            inv.graph.data_map()
        } else {
            Vec::new()
        },
        inventory: crate::inventory::inventory(inv, rules, opts.as_of),
        ..Default::default()
    };
    icvsec_inputs::timings::phase("evaluate report built", t0);
    report.summarize();
    icvsec_inputs::timings::phase("evaluate summarized", t0);
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_messages_of_recent_outcomes_share_one_text() {
        let mut recent = Vec::new();
        let texts = ["a", "b", "a", "c", "d", "b", "e", "f", "g", "h", "a"];
        let shared: Vec<SharedStr> = texts
            .iter()
            .map(|t| shared_message(&mut recent, t.to_string()))
            .collect();
        for (s, t) in shared.iter().zip(texts) {
            assert_eq!(s.as_str(), t);
        }
        let same = |i: usize, j: usize| shared[i].as_ptr() == shared[j].as_ptr();
        // "a" again two messages later, "b" four distinct messages later: shared.
        assert!(same(0, 2));
        assert!(same(1, 5));
        // "a" after more than four other distinct messages: a new text, equal in value.
        assert!(!same(2, 10));
        assert!(recent.len() <= RECENT_MESSAGES);
    }
}
