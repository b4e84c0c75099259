//! The check interface: typed parameters prepared once per rule, evaluated per asset.

use icvsec_inputs::{AssetView, Inventory};
use icvsec_model::{AssetKind, Location, Outcome};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a check sees: the inventory, the asset, and the evaluation date.
pub struct Ctx<'a> {
    pub inv: &'a Inventory,
    pub asset: &'a AssetView<'a>,
    /// Evaluation date, seconds since the Unix epoch (`--as-of`).
    pub as_of: i64,
    /// What each ECU role must declare (for the role-profile check).
    pub profiles: &'a icvsec_model::RoleProfiles,
}

/// One evaluation a check reports for the asset.
#[derive(Clone, Debug)]
pub struct Eval {
    pub outcome: Outcome,
    pub message: String,
    pub location: Option<Location>,
    pub related: Vec<Location>,
    /// The defect a failing outcome reports, as a root-cause key
    /// (`icvsec_model::report::root_cause_key`): set where the check knows which fact it
    /// judged, so outcomes of several rules about one defect can be shown as one.
    pub fact: Option<String>,
}

#[derive(Default)]
pub struct Sink {
    pub evals: Vec<Eval>,
}

impl Sink {
    fn push(
        &mut self,
        outcome: Outcome,
        message: impl Into<String>,
        location: Option<Location>,
    ) -> &mut Eval {
        self.evals.push(Eval {
            outcome,
            message: message.into(),
            location,
            related: Vec::new(),
            fact: None,
        });
        self.evals.last_mut().expect("just pushed")
    }
    pub fn pass(&mut self, message: impl Into<String>, location: Location) -> &mut Eval {
        self.push(Outcome::Pass, message, Some(location))
    }
    pub fn fail(&mut self, message: impl Into<String>, location: Location) -> &mut Eval {
        self.push(Outcome::Fail, message, Some(location))
    }
    pub fn not_applicable(&mut self, why: impl Into<String>) -> &mut Eval {
        self.push(Outcome::NotApplicable, why, None)
    }
    /// Evidence outside the build decides (e.g. a server certificate rotated on the
    /// server): a person must look, or a saved probe must be given.
    pub fn manual(&mut self, why: impl Into<String>, location: Location) -> &mut Eval {
        self.push(Outcome::Manual, why, Some(location))
    }
    pub fn error(&mut self, why: impl Into<String>, location: Location) -> &mut Eval {
        self.push(Outcome::Error, why, Some(location))
    }
    /// Pass or fail on a boolean.
    pub fn verdict(
        &mut self,
        ok: bool,
        message: impl Into<String>,
        location: Location,
    ) -> &mut Eval {
        if ok {
            self.pass(message, location)
        } else {
            self.fail(message, location)
        }
    }
}

impl Eval {
    pub fn related(&mut self, loc: Location) -> &mut Self {
        self.related.push(loc);
        self
    }
    /// Name the defect (a root-cause key) this outcome reports.
    pub fn fact(&mut self, key: String) -> &mut Self {
        self.fact = Some(key);
        self
    }
}

/// Parameters prepared once per rule.
pub type Prepared = Arc<dyn Any + Send + Sync>;

type PrepareFn = dyn Fn(&Value) -> Result<Prepared, String> + Send + Sync;
type RunFn = dyn Fn(&Ctx, &(dyn Any + Send + Sync), &mut Sink) + Send + Sync;

pub struct CheckDef {
    pub name: &'static str,
    pub asset: AssetKind,
    pub summary: &'static str,
    prepare: Box<PrepareFn>,
    run: Box<RunFn>,
}

impl CheckDef {
    /// A check with typed parameters `P` (unknown parameter keys are refused by `P`).
    pub fn new<P>(
        name: &'static str,
        asset: AssetKind,
        summary: &'static str,
        f: fn(&Ctx, &P, &mut Sink),
    ) -> Self
    where
        P: DeserializeOwned + Send + Sync + 'static,
    {
        CheckDef {
            name,
            asset,
            summary,
            prepare: Box::new(|v: &Value| {
                let p: P = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
                Ok(Arc::new(p) as Prepared)
            }),
            run: Box::new(move |ctx, any, sink| match any.downcast_ref::<P>() {
                Some(p) => f(ctx, p, sink),
                None => {
                    sink.error(
                        "internal: parameters of the wrong type",
                        ctx.asset.home.clone(),
                    );
                }
            }),
        }
    }

    /// A check whose knowledge crate types its parameters itself: `prepare` turns the
    /// rule's JSON into `P` once, when the rule is loaded (refusing bad parameters), and
    /// `run` receives that typed value for every asset.
    pub fn typed<P>(
        name: &'static str,
        asset: AssetKind,
        summary: &'static str,
        prepare: impl Fn(&Value) -> Result<P, String> + Send + Sync + 'static,
        run: impl Fn(&Ctx, &P, &mut Sink) + Send + Sync + 'static,
    ) -> Self
    where
        P: Send + Sync + 'static,
    {
        CheckDef {
            name,
            asset,
            summary,
            prepare: Box::new(move |v: &Value| Ok(Arc::new(prepare(v)?) as Prepared)),
            run: Box::new(move |ctx, any, sink| match any.downcast_ref::<P>() {
                Some(p) => run(ctx, p, sink),
                None => {
                    sink.error(
                        "internal: parameters of the wrong type",
                        ctx.asset.home.clone(),
                    );
                }
            }),
        }
    }

    pub fn prepare(&self, params: &Value) -> Result<Prepared, String> {
        (self.prepare)(params)
    }

    pub fn run(&self, ctx: &Ctx, params: &Prepared, sink: &mut Sink) {
        (self.run)(ctx, params.as_ref(), sink)
    }
}

/// Built-in checks by name.
pub struct Registry {
    checks: BTreeMap<&'static str, CheckDef>,
}

impl Registry {
    pub fn new(list: Vec<CheckDef>) -> Self {
        let mut checks = BTreeMap::new();
        for c in list {
            let name = c.name;
            assert!(
                checks.insert(name, c).is_none(),
                "check `{name}` registered twice"
            );
        }
        Registry { checks }
    }

    pub fn get(&self, name: &str) -> Option<&CheckDef> {
        self.checks.get(name)
    }

    pub fn all(&self) -> impl Iterator<Item = &CheckDef> {
        self.checks.values()
    }
}

impl icvsec_rules::CheckCatalog for Registry {
    fn check_asset(&self, name: &str) -> Option<AssetKind> {
        self.get(name).map(|c| c.asset)
    }

    fn validate_params(&self, name: &str, params: &Value) -> Result<(), String> {
        self.prepare_params(name, params).map(|_| ())
    }

    fn prepare_params(
        &self,
        name: &str,
        params: &Value,
    ) -> Result<icvsec_model::rule::PreparedParams, String> {
        self.get(name)
            .ok_or_else(|| format!("unknown check `{name}`"))?
            .prepare(params)
            .map(|p| icvsec_model::rule::PreparedParams(Some(p)))
    }

    fn has_field_view(&self, kind: AssetKind) -> bool {
        matches!(
            kind,
            AssetKind::Vehicle
                | AssetKind::Ecu
                | AssetKind::Network
                | AssetKind::Endpoint
                | AssetKind::TlsProfile
                | AssetKind::TrustAnchor
                | AssetKind::DataItem
                | AssetKind::DataFlow
                | AssetKind::DataStore
                | AssetKind::AndroidProps
                | AssetKind::Sysctl
                | AssetKind::SshdConfig
        )
    }

    fn check_names(&self) -> Vec<&str> {
        self.checks.keys().copied().collect()
    }
}

/// A list of names for a message: all of them when there are at most `max`, else the
/// first `max` and how many more (`a, b, c and 2,820 more`), so one finding's message
/// stays readable however many assets it involves.
pub fn name_list(names: &[String], max: usize) -> String {
    if names.len() <= max {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..max].join(", "),
        thousands(names.len() - max)
    )
}

/// `2820` -> `2,820`.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod name_list_tests {
    use super::name_list;

    #[test]
    fn long_lists_are_cut_with_the_count_of_the_rest() {
        let names: Vec<String> = (0..2825).map(|i| format!("c{i}")).collect();
        assert_eq!(name_list(&names[..2], 5), "c0, c1");
        assert_eq!(name_list(&names[..5], 5), "c0, c1, c2, c3, c4");
        assert_eq!(name_list(&names, 5), "c0, c1, c2, c3, c4 and 2,820 more");
    }
}
