//! Field conditions: rules written as pure data over an asset's JSON view, so an OEM can
//! add a rule for its own config field without Rust code.
//!
//! In a rule file a condition is a table with exactly one form:
//! `{ all = [..] }`, `{ any = [..] }`, `{ not = {..} }`, or `{ path = "a.b", <test> }`
//! where the test is one of `equals`, `one_of`, `not_one_of`, `at_least`, `at_most`,
//! `present`, `contains`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<RawCondition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<RawCondition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<RawCondition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_one_of: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCondition", into = "RawCondition")]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Test { path: String, test: Test },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Equals(Value),
    OneOf(Vec<Value>),
    NotOneOf(Vec<Value>),
    AtLeast(f64),
    AtMost(f64),
    Present(bool),
    Contains(Value),
}

impl TryFrom<RawCondition> for Condition {
    type Error = String;

    fn try_from(raw: RawCondition) -> Result<Self, String> {
        let RawCondition {
            all,
            any,
            not,
            path,
            equals,
            one_of,
            not_one_of,
            at_least,
            at_most,
            present,
            contains,
        } = raw;
        let mut tests = Vec::new();
        if let Some(v) = equals {
            tests.push(Test::Equals(v));
        }
        if let Some(v) = one_of {
            tests.push(Test::OneOf(v));
        }
        if let Some(v) = not_one_of {
            tests.push(Test::NotOneOf(v));
        }
        if let Some(v) = at_least {
            tests.push(Test::AtLeast(v));
        }
        if let Some(v) = at_most {
            tests.push(Test::AtMost(v));
        }
        if let Some(v) = present {
            tests.push(Test::Present(v));
        }
        if let Some(v) = contains {
            tests.push(Test::Contains(v));
        }
        let forms = usize::from(all.is_some())
            + usize::from(any.is_some())
            + usize::from(not.is_some())
            + usize::from(path.is_some());
        if forms != 1 {
            return Err(
                "a condition needs exactly one of `all`, `any`, `not` or `path` (with a test)"
                    .into(),
            );
        }
        if let Some(list) = all.or(any.clone()) {
            if !tests.is_empty() {
                return Err("`all`/`any` cannot be combined with a test".into());
            }
            if list.is_empty() {
                return Err("`all`/`any` needs at least one condition".into());
            }
            let inner = list
                .into_iter()
                .map(Condition::try_from)
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(if any.is_some() {
                Condition::Any(inner)
            } else {
                Condition::All(inner)
            });
        }
        if let Some(inner) = not {
            if !tests.is_empty() {
                return Err("`not` cannot be combined with a test".into());
            }
            return Ok(Condition::Not(Box::new(Condition::try_from(*inner)?)));
        }
        let path = path.unwrap_or_default();
        validate_path(&path)?;
        match tests.len() {
            1 => Ok(Condition::Test {
                path,
                test: tests.pop().unwrap_or(Test::Present(true)),
            }),
            0 => Err(format!(
                "condition on `{path}` needs a test: equals, one_of, not_one_of, at_least, at_most, present or contains"
            )),
            _ => Err(format!(
                "condition on `{path}` has several tests; combine them with `all`"
            )),
        }
    }
}

impl From<Condition> for RawCondition {
    fn from(c: Condition) -> Self {
        match c {
            Condition::All(v) => RawCondition {
                all: Some(v.into_iter().map(Into::into).collect()),
                ..Default::default()
            },
            Condition::Any(v) => RawCondition {
                any: Some(v.into_iter().map(Into::into).collect()),
                ..Default::default()
            },
            Condition::Not(b) => RawCondition {
                not: Some(Box::new((*b).into())),
                ..Default::default()
            },
            Condition::Test { path, test } => {
                let mut raw = RawCondition {
                    path: Some(path),
                    ..Default::default()
                };
                match test {
                    Test::Equals(v) => raw.equals = Some(v),
                    Test::OneOf(v) => raw.one_of = Some(v),
                    Test::NotOneOf(v) => raw.not_one_of = Some(v),
                    Test::AtLeast(v) => raw.at_least = Some(v),
                    Test::AtMost(v) => raw.at_most = Some(v),
                    Test::Present(v) => raw.present = Some(v),
                    Test::Contains(v) => raw.contains = Some(v),
                }
                raw
            }
        }
    }
}

fn validate_path(path: &str) -> Result<(), String> {
    if path.is_empty() || path.split('.').any(|seg| seg.is_empty()) {
        return Err(format!("invalid field path `{path}`"));
    }
    Ok(())
}

/// Result of evaluating a condition: whether it holds, why, and the key path that
/// decided it (for locating the finding).
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub holds: bool,
    pub explanation: String,
    pub path: String,
}

/// Look up a dotted path in a JSON value.
pub fn lookup<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, seg| match v {
        Value::Object(map) => map.get(seg),
        Value::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    })
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// A field path for messages: `logging.event_types.0` reads "entry 1 of
/// `logging.event_types`" (array indices are an implementation detail of the path).
pub fn show_path(path: &str) -> String {
    let mut groups: Vec<(String, Option<usize>)> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    for seg in path.split('.') {
        match seg.parse::<usize>() {
            Ok(i) if !cur.is_empty() => {
                groups.push((cur.join("."), Some(i)));
                cur.clear();
            }
            _ => cur.push(seg),
        }
    }
    if groups.is_empty() {
        return format!("`{path}`");
    }
    let mut out = if cur.is_empty() {
        String::new()
    } else {
        format!("`{}` of ", cur.join("."))
    };
    for (i, (name, idx)) in groups.iter().enumerate().rev() {
        if let Some(n) = idx {
            out.push_str(&format!("entry {} of `{name}`", n + 1));
        }
        if i > 0 {
            out.push_str(" of ");
        }
    }
    out
}

fn show_list(vs: &[Value]) -> String {
    vs.iter().map(show).collect::<Vec<_>>().join(", ")
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl Condition {
    pub fn evaluate(&self, doc: &Value) -> Verdict {
        match self {
            Condition::All(items) => {
                let verdicts: Vec<Verdict> = items.iter().map(|c| c.evaluate(doc)).collect();
                let failing: Vec<&Verdict> = verdicts.iter().filter(|v| !v.holds).collect();
                let shown: Vec<&Verdict> = if failing.is_empty() {
                    verdicts.iter().collect()
                } else {
                    failing.clone()
                };
                Verdict {
                    holds: failing.is_empty(),
                    explanation: shown
                        .iter()
                        .map(|v| v.explanation.as_str())
                        .collect::<Vec<_>>()
                        .join("; "),
                    path: shown.first().map(|v| v.path.clone()).unwrap_or_default(),
                }
            }
            Condition::Any(items) => {
                let verdicts: Vec<Verdict> = items.iter().map(|c| c.evaluate(doc)).collect();
                if let Some(v) = verdicts.iter().find(|v| v.holds) {
                    return v.clone();
                }
                Verdict {
                    holds: false,
                    explanation: format!(
                        "none of: {}",
                        verdicts
                            .iter()
                            .map(|v| v.explanation.as_str())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ),
                    path: verdicts.first().map(|v| v.path.clone()).unwrap_or_default(),
                }
            }
            Condition::Not(inner) => {
                let v = inner.evaluate(doc);
                Verdict {
                    holds: !v.holds,
                    explanation: format!("not ({})", v.explanation),
                    path: v.path,
                }
            }
            Condition::Test { path, test } => {
                let found = lookup(doc, path).filter(|v| !v.is_null());
                // Messages name fields as users write them, never by array index.
                let p = show_path(path);
                let (holds, explanation) = match (test, found) {
                    (Test::Present(want), f) => (
                        f.is_some() == *want,
                        // `list.0` present: the list has an entry.
                        match (path.strip_suffix(".0"), f.is_some()) {
                            (Some(list), true)
                                if !list.split('.').any(|x| x.parse::<usize>().is_ok()) =>
                            {
                                format!("`{list}` has at least one entry")
                            }
                            (Some(list), false)
                                if !list.split('.').any(|x| x.parse::<usize>().is_ok()) =>
                            {
                                format!("`{list}` has no entry")
                            }
                            (_, true) => format!("{p} is set"),
                            (_, false) => format!("{p} is not set"),
                        },
                    ),
                    (_, None) => (false, format!("{p} is not set")),
                    (Test::Equals(want), Some(v)) => (
                        loose_eq(v, want),
                        format!("{p} is {} (required: {})", show(v), show(want)),
                    ),
                    (Test::OneOf(list), Some(v)) => (
                        list.iter().any(|w| loose_eq(v, w)),
                        format!("{p} is {} (allowed: {})", show(v), show_list(list)),
                    ),
                    (Test::NotOneOf(list), Some(v)) => (
                        !list.iter().any(|w| loose_eq(v, w)),
                        format!("{p} is {} (not allowed: {})", show(v), show_list(list)),
                    ),
                    (Test::AtLeast(min), Some(v)) => match v.as_f64() {
                        Some(x) => (x >= *min, format!("{p} is {x} (minimum {min})")),
                        None => (
                            false,
                            format!("{p} is {} (a number ≥ {min} is required)", show(v)),
                        ),
                    },
                    (Test::AtMost(max), Some(v)) => match v.as_f64() {
                        Some(x) => (x <= *max, format!("{p} is {x} (maximum {max})")),
                        None => (
                            false,
                            format!("{p} is {} (a number ≤ {max} is required)", show(v)),
                        ),
                    },
                    (Test::Contains(want), Some(v)) => match v {
                        Value::Array(items) => (
                            items.iter().any(|i| loose_eq(i, want)),
                            format!("{p} = [{}] (must contain {})", show_list(items), show(want)),
                        ),
                        Value::String(s) => (
                            want.as_str().is_some_and(|w| s.contains(w)),
                            format!("{p} is {} (must contain {})", show(v), show(want)),
                        ),
                        _ => (false, format!("{p} is {} (not a list)", show(v))),
                    },
                };
                Verdict {
                    holds,
                    explanation,
                    path: path.clone(),
                }
            }
        }
    }

    /// Every field path the condition reads.
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Condition::All(v) | Condition::Any(v) => v.iter().flat_map(|c| c.paths()).collect(),
            Condition::Not(c) => c.paths(),
            Condition::Test { path, .. } => vec![path.as_str()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_messages_never_show_array_indices() {
        assert_eq!(super::show_path("logging.enabled"), "`logging.enabled`");
        assert_eq!(
            super::show_path("logging.event_types.0"),
            "entry 1 of `logging.event_types`"
        );
        assert_eq!(
            super::show_path("ecus.2.name"),
            "`name` of entry 3 of `ecus`"
        );
    }
    use serde_json::json;

    fn cond(v: Value) -> Result<Condition, String> {
        serde_json::from_value::<RawCondition>(v)
            .map_err(|e| e.to_string())
            .and_then(Condition::try_from)
    }

    #[test]
    fn tests_and_combinators() {
        let doc =
            json!({"debug": {"jtag": "fused", "uart": {"root_shell": true}}, "n": 4, "l": ["a"]});
        let c = cond(json!({"path": "debug.jtag", "one_of": ["disabled", "fused"]})).unwrap();
        assert!(c.evaluate(&doc).holds);
        let c = cond(json!({"path": "debug.uart.root_shell", "equals": false})).unwrap();
        let v = c.evaluate(&doc);
        assert!(!v.holds);
        assert_eq!(v.path, "debug.uart.root_shell");
        assert!(v.explanation.contains("true"));
        let c = cond(json!({"all": [{"path": "n", "at_least": 3}, {"path": "n", "at_most": 4}]}))
            .unwrap();
        assert!(c.evaluate(&doc).holds);
        let c = cond(
            json!({"any": [{"path": "missing", "present": true}, {"path": "l", "contains": "a"}]}),
        )
        .unwrap();
        assert!(c.evaluate(&doc).holds);
        let c = cond(json!({"not": {"path": "missing", "present": true}})).unwrap();
        assert!(c.evaluate(&doc).holds);
        let c = cond(json!({"path": "missing.x", "equals": 1})).unwrap();
        let v = c.evaluate(&doc);
        assert!(!v.holds && v.explanation.contains("not set"));
    }

    #[test]
    fn invalid_conditions_are_refused() {
        assert!(cond(json!({"path": "a"})).is_err());
        assert!(cond(json!({"path": "a", "equals": 1, "at_least": 2})).is_err());
        assert!(cond(json!({"all": []})).is_err());
        assert!(cond(json!({"path": "a", "equal": 1})).is_err());
        assert!(cond(json!({"path": "a..b", "equals": 1})).is_err());
    }
}
