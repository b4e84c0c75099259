use icvsec_checks::{Ctx, Eval, Prepared, Registry, Sink};
use icvsec_inputs::{AssetView, Inventory};
use icvsec_model::fingerprint::{Fingerprint, fnv1a64_value};
use icvsec_model::location::join_key;
use icvsec_model::profile::Gate;
use icvsec_model::report::{RuleInfo, ScanInfo, VehicleSummary};
use icvsec_model::{
    AssetKind, AssetRef, Finding, Location, Outcome, Report, RoleProfiles, Rule, RuleCheck,
    Severity, SharedStr,
};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

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

fn evaluate_rule(
    rule: &Rule,
    prepared: Option<&Result<Prepared, String>>,
    registry: &Registry,
    inv: &Inventory,
    views: &BTreeMap<AssetKind, Vec<AssetView>>,
    opts: &ScanOptions,
) -> Vec<Raw> {
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
        return out;
    }
    let na = |why: String, asset: AssetRef| Raw {
        asset,
        eval: Eval {
            outcome: Outcome::NotApplicable,
            message: why,
            location: None,
            related: Vec::new(),
            fact: None,
        },
    };
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
            return out;
        }
    }
    if let Err(why) = rule_in_scope(rule, inv) {
        out.push(na(why, vehicle));
        return out;
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
    let needs = rule.needed_paths();
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
        return out;
    }
    for asset in &assets {
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

/// Turn one rule's outcomes into findings: resolve key paths to lines, fingerprint.
fn to_findings(rule: &Rule, raws: Vec<Raw>, inv: &Inventory) -> Vec<Finding> {
    let mut findings = Vec::with_capacity(raws.len());
    let (rule_id, subarea) = (SharedStr::from(&rule.id), SharedStr::from(&rule.subarea));
    // How many outcomes of this rule share a base fingerprint so far, keyed by the hash
    // itself (a map of hex strings was a sixth of the evaluation time on 20,000 certs).
    let mut dup: HashMap<u64, u32> = HashMap::new();
    // Equal messages of the rule held once: 20,000 certificates get 455,000 outcomes
    // with 43,000 distinct messages.
    let mut messages: HashSet<SharedStr> = HashSet::new();
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
        let base = fnv1a64_value(&[&rule.id, raw.asset.kind.slug(), &raw.asset.id, file, key]);
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
            message: match messages.get(raw.eval.message.as_str()) {
                Some(m) => m.clone(),
                None => {
                    let m = SharedStr::from(raw.eval.message);
                    messages.insert(m.clone());
                    m
                }
            },
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
    let rest = |a: &Finding, b: &Finding| {
        (&a.asset, &a.location, &a.message, &a.fingerprint).cmp(&(
            &b.asset,
            &b.location,
            &b.message,
            &b.fingerprint,
        ))
    };
    // The assets of each kind the rules apply to, listed once for all rules (a kind's
    // list was rebuilt per rule: 25 certificate rules copied 20,000 ids each).
    let kinds: std::collections::BTreeSet<AssetKind> =
        rules.iter().map(|r| r.applies_to.asset).collect();
    let views: BTreeMap<AssetKind, Vec<AssetView>> =
        kinds.into_par_iter().map(|k| (k, inv.assets(k))).collect();
    let t0 = std::time::Instant::now();
    // One job per rule: the catalog lists rules of a kind together (25 certificate rules in
    // a row), and rayon's default split handed that whole run to one thread while the
    // other finished the light rules and idled (two threads were 1.05x one).
    let mut per_rule: Vec<Vec<Finding>> = rules
        .par_iter()
        .with_max_len(1)
        .map(|r| {
            let started = std::time::Instant::now();
            let raws = evaluate_rule(r, prepared.get(r.id.as_str()), registry, inv, &views, opts);
            let mut f = to_findings(r, raws, inv);
            f.sort_by(rest);
            // `ICVSEC_TIMINGS`: the rules that take long, on standard error (profiling).
            let took = started.elapsed();
            if took.as_millis() >= 50 && icvsec_inputs::timings::enabled() {
                eprintln!(
                    "icvsec: timing: rule {} ({} outcomes): {:.3} s",
                    r.id,
                    f.len(),
                    took.as_secs_f64()
                );
            }
            f
        })
        .collect();
    icvsec_inputs::timings::phase("evaluate rules", t0);
    let key = |r: &Rule| (r.area, r.subarea.clone(), r.id.clone());
    let mut order: Vec<usize> = (0..rules.len()).collect();
    order.sort_by_key(|&i| key(&rules[i]));
    let mut findings: Vec<Finding> = Vec::with_capacity(per_rule.iter().map(Vec::len).sum());
    let mut i = 0;
    while i < order.len() {
        // Rules sharing area, sub-area and id (the catalog forbids it; callers may not)
        // have their findings merged as one sort would.
        let mut j = i + 1;
        while j < order.len() && key(&rules[order[j]]) == key(&rules[order[i]]) {
            j += 1;
        }
        let start = findings.len();
        let mut group: Vec<usize> = order[i..j].to_vec();
        group.sort_unstable();
        for g in group {
            // Taken, not drained: the rule's buffer is freed as soon as it is copied,
            // so the report never holds every finding twice.
            findings.append(&mut std::mem::take(&mut per_rule[g]));
        }
        if j - i > 1 {
            findings[start..].sort_by(rest);
        }
        i = j;
    }
    drop(per_rule);

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
