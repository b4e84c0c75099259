//! Lenient, located loading of JSON inputs: one mistake (an unknown key, a value of the
//! wrong type, a choice outside its allowed values) is one error at its line and column,
//! with a "did you mean" suggestion where one is close; only the bad part is dropped and
//! the rest of the object, the file and the build still loads.
//!
//! How: the text is parsed to a generic tree (a syntax error still loses the file), then
//! deserialised into the typed model with the key path of the first error tracked
//! (`serde_path_to_error`); the part at that path is removed from the tree, recorded, and
//! deserialisation is retried, at most [`MAX_MISTAKES`] times. The key paths of dropped
//! parts are kept ([`LostPart`]) so that a rule reading them reports "could not assess"
//! instead of judging a setting that was never loaded.

use crate::json::SourceMap;
pub use crate::keypath::on_branch;
use crate::keypath::{shift_path, split_index};
use icvsec_model::location::join_key;
use icvsec_model::{Diagnostic, Location};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;

/// A file with more mistakes than this is not loaded at all (each retry re-reads the
/// whole document, so the bound also bounds the work).
pub const MAX_MISTAKES: usize = 100;

/// A part of an input that was dropped at load: rules that read it cannot assess it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostPart {
    /// Key path in the loaded document (indexes as the typed document has them).
    pub key_path: String,
    /// Where the mistake is (file, line:column, key path as written).
    pub location: Location,
    /// The load error it came from.
    pub message: String,
}

/// A whole element of an asset list (`ecus`, `flows`, ...) that could not be loaded.
#[derive(Clone, Debug)]
pub struct DroppedItem {
    /// Key path of the list (`ecus`, `flows`).
    pub list: String,
    /// The element's `id`, when it has a readable one.
    pub id: Option<String>,
    pub location: Location,
    pub message: String,
}

/// What a lenient parse produced besides the document.
#[derive(Clone, Debug)]
pub struct Lenient<T> {
    pub doc: T,
    /// The tree the document was read from, with the dropped parts removed.
    pub value: Value,
    /// Positions of the loaded tree's key paths.
    pub source: SourceMap,
    /// One error per mistake.
    pub errors: Vec<Diagnostic>,
    pub lost: Vec<LostPart>,
    pub dropped: Vec<DroppedItem>,
}

/// Per input kind: what stands in for a missing required top-level field (so one bad
/// key at the top does not lose the file), and which lists hold assets with ids.
pub struct Shape<'a> {
    pub root_default: &'a dyn Fn(&str) -> Option<Value>,
    pub asset_lists: &'a [&'a str],
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(String),
    Index(usize),
}

fn render(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        out = match s {
            Seg::Key(k) => join_key(&out, k),
            Seg::Index(i) => format!("{out}[{i}]"),
        };
    }
    out
}

fn segments(path: &serde_path_to_error::Path) -> Vec<Seg> {
    use serde_path_to_error::Segment;
    let mut out = Vec::new();
    for s in path.iter() {
        match s {
            Segment::Map { key } => out.push(Seg::Key(key.clone())),
            Segment::Seq { index } => out.push(Seg::Index(*index)),
            Segment::Enum { .. } => {}
            Segment::Unknown => break,
        }
    }
    out
}

/// The words quoted with backticks in a serde message after `expected` (the allowed
/// field names or values).
fn expected_words(msg: &str) -> Vec<String> {
    let Some((_, tail)) = msg.split_once("expected") else {
        return vec![];
    };
    tail.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The first backtick-quoted word of a serde message (`unknown field `x``).
fn quoted(msg: &str) -> Option<String> {
    msg.split('`').nth(1).map(str::to_string)
}

/// Edit distance (Levenshtein), bounded: inputs longer than 64 characters get none.
fn distance(a: &str, b: &str) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len() > 64 || b.len() > 64 {
        return None;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev.last().copied()
}

/// The allowed word closest to `got`: equal ignoring case, or within an edit distance
/// of a third of its length (at least 1, at most 3).
pub fn suggest<'a>(got: &str, allowed: &'a [String]) -> Option<&'a str> {
    if let Some(s) = allowed.iter().find(|a| a.eq_ignore_ascii_case(got)) {
        return Some(s);
    }
    let lower = got.to_ascii_lowercase();
    let limit = (got.chars().count() / 3).clamp(1, 3);
    allowed
        .iter()
        .filter_map(|a| distance(&lower, a).map(|d| (d, a)))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, a)| a.as_str())
}

/// Map a key path of the current (pruned) tree back to the path as written, undoing the
/// index shifts of removed list elements.
fn original_path(path: &str, removals: &[(String, usize)]) -> String {
    let mut p = path.to_string();
    for (list, idx) in removals.iter().rev() {
        if let Some((j, rest)) = split_index(&p, list)
            && j >= *idx
        {
            p = format!("{list}[{}]{rest}", j + 1);
        }
    }
    p
}

fn get_mut<'v>(v: &'v mut Value, segs: &[Seg]) -> Option<&'v mut Value> {
    let mut cur = v;
    for s in segs {
        cur = match (s, cur) {
            (Seg::Key(k), Value::Object(m)) => m.get_mut(k)?,
            (Seg::Index(i), Value::Array(a)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// Strip a top-level `$schema` key (editor support). The typed models accept it too;
/// this keeps it out of the field views rules read.
fn strip_schema_key(value: &mut Value) -> Option<String> {
    let m = value.as_object_mut()?;
    match m.get("$schema") {
        Some(Value::String(_)) => {
            m.shift_remove("$schema");
            None
        }
        Some(_) => Some("`$schema` must be a string (the URL or path of a JSON Schema)".into()),
        None => None,
    }
}

/// Parse `text` leniently into `T`. Err only when nothing usable remains: a JSON syntax
/// error, a top-level value of the wrong kind, a required top-level field with no
/// stand-in, or more than [`MAX_MISTAKES`] mistakes.
pub fn parse_lenient<T: DeserializeOwned>(
    text: &str,
    file: &str,
    shape: &Shape,
) -> Result<Lenient<T>, Diagnostic> {
    let mut value: Value = serde_json::from_str(text).map_err(|e| syntax(file, &e))?;
    let mut source = SourceMap::index(text);
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut lost: Vec<LostPart> = Vec::new();
    let mut dropped: Vec<DroppedItem> = Vec::new();
    // Objects something was removed from: a "missing field" there follows from that
    // removal and is not a second mistake.
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut removals: Vec<(String, usize)> = Vec::new();
    if let Some(msg) = strip_schema_key(&mut value) {
        let loc = locate(file, &source, "$schema", &removals);
        errors.push(Diagnostic::error(loc, msg));
    }
    for _ in 0..=MAX_MISTAKES {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(doc) => {
                return Ok(Lenient {
                    doc,
                    value,
                    source,
                    errors,
                    lost,
                    dropped,
                });
            }
            Err(e) => e,
        };
        if errors.len() >= MAX_MISTAKES {
            break;
        }
        let segs = segments(err.path());
        let inner = err.into_inner().to_string();
        // serde_json appends the position in the tree ("at line 0 column 0") for some
        // errors; the location says where.
        let msg = inner
            .rsplit_once(" at line ")
            .map_or(inner.as_str(), |(m, _)| m)
            .to_string();
        let path = render(&segs);
        let loc = locate(file, &source, &path, &removals);
        if let Some(field) = msg
            .strip_prefix("missing field `")
            .and_then(|s| s.strip_suffix('`'))
        {
            let consequence = touched.contains(&path);
            if segs.is_empty() {
                let Some(stand_in) = (shape.root_default)(field) else {
                    errors.push(Diagnostic::error(loc, msg));
                    return Err(fatal(file, errors));
                };
                if let Some(m) = value.as_object_mut() {
                    m.insert(field.to_string(), stand_in);
                }
                let cause = if consequence {
                    cause_under(&lost, field)
                } else {
                    None
                };
                let message = cause.unwrap_or_else(|| {
                    format!("missing required field `{field}`; rules that read it cannot assess this file")
                });
                if !consequence {
                    errors.push(Diagnostic::error(loc.clone(), message.clone()));
                }
                lost.push(LostPart {
                    key_path: field.to_string(),
                    location: loc,
                    message,
                });
                continue;
            }
            if !consequence {
                errors.push(Diagnostic::error(
                    loc.clone(),
                    format!(
                        "missing required field `{field}`; `{}` was not loaded",
                        original_path(&path, &removals)
                    ),
                ));
            }
            let cause = if consequence {
                cause_under(&lost, &path).unwrap_or(msg)
            } else {
                errors.last().map(|d| d.message.clone()).unwrap_or(msg)
            };
            drop_at(
                &mut value,
                &segs,
                &mut Dropping {
                    source: &mut source,
                    lost: &mut lost,
                    dropped: &mut dropped,
                    touched: &mut touched,
                    removals: &mut removals,
                    shape,
                    location: loc,
                    message: cause,
                },
            );
            continue;
        }
        if segs.is_empty() {
            errors.push(Diagnostic::error(loc, msg));
            return Err(fatal(file, errors));
        }
        let allowed = expected_words(&msg);
        let message = if let Some(key) = msg
            .strip_prefix("unknown field `")
            .and_then(|s| s.split('`').next())
        {
            let parent = render(&segs[..segs.len() - 1]);
            let hint = suggest(key, &allowed).filter(|s| *s != key);
            let mut m = format!("unknown field `{key}`");
            match hint {
                Some(s) => {
                    m.push_str(&format!(" (did you mean `{s}`?); it was ignored"));
                    // The setting meant for `s` is lost when `s` itself is not there.
                    let present = get_mut(&mut value, &segs[..segs.len() - 1])
                        .and_then(|p| p.as_object().map(|o| o.contains_key(s)))
                        .unwrap_or(false);
                    if !present {
                        lost.push(LostPart {
                            key_path: join_key(&parent, s),
                            location: loc.clone(),
                            message: m.clone(),
                        });
                    }
                }
                None => m.push_str(&format!(
                    "; it was ignored (allowed here: {})",
                    allowed_list(&allowed)
                )),
            }
            errors.push(Diagnostic::error(loc.clone(), m));
            if let Some(Value::Object(o)) = get_mut(&mut value, &segs[..segs.len() - 1]) {
                o.shift_remove(key);
            }
            source.remove_prefix(&path);
            touched.insert(parent);
            continue;
        } else if msg.starts_with("unknown variant `") {
            let got = quoted(&msg).unwrap_or_default();
            match suggest(&got, &allowed) {
                Some(s) => format!(
                    "`{got}` is not an allowed value (did you mean `{s}`? allowed: {})",
                    allowed_list(&allowed)
                ),
                None => format!(
                    "`{got}` is not an allowed value (allowed: {})",
                    allowed_list(&allowed)
                ),
            }
        } else {
            msg
        };
        let message = format!("{message}; the setting was not loaded");
        errors.push(Diagnostic::error(loc.clone(), message.clone()));
        drop_at(
            &mut value,
            &segs,
            &mut Dropping {
                source: &mut source,
                lost: &mut lost,
                dropped: &mut dropped,
                touched: &mut touched,
                removals: &mut removals,
                shape,
                location: loc,
                message,
            },
        );
    }
    errors.push(Diagnostic::error(
        Location::file(file),
        format!("more than {MAX_MISTAKES} mistakes; the file was not loaded"),
    ));
    Err(fatal(file, errors))
}

fn allowed_list(allowed: &[String]) -> String {
    allowed
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The message of a part lost below `path` (the cause of a consequential drop).
fn cause_under(lost: &[LostPart], path: &str) -> Option<String> {
    lost.iter()
        .rev()
        .find(|l| crate::lenient::on_branch(&l.key_path, path))
        .map(|l| l.message.clone())
}

struct Dropping<'a> {
    source: &'a mut SourceMap,
    lost: &'a mut Vec<LostPart>,
    dropped: &'a mut Vec<DroppedItem>,
    touched: &'a mut BTreeSet<String>,
    removals: &'a mut Vec<(String, usize)>,
    shape: &'a Shape<'a>,
    location: Location,
    message: String,
}

/// Remove the value at `segs` (never the root) and record what was lost.
fn drop_at(value: &mut Value, segs: &[Seg], d: &mut Dropping) {
    let Some((last, parent_segs)) = segs.split_last() else {
        return;
    };
    let parent = render(parent_segs);
    let path = render(segs);
    match (last, get_mut(value, parent_segs)) {
        (Seg::Key(k), Some(Value::Object(o))) => {
            o.shift_remove(k);
            d.source.remove_prefix(&path);
            d.touched.insert(parent);
            d.lost.push(LostPart {
                key_path: path,
                location: d.location.clone(),
                message: d.message.clone(),
            });
        }
        (Seg::Index(i), Some(Value::Array(a))) if *i < a.len() => {
            let item = a.remove(*i);
            d.source.remove_index(&parent, *i);
            let shift = |p: &str| shift_path(p, &parent, *i);
            d.lost.retain_mut(|l| match shift(&l.key_path) {
                Some(p) => {
                    l.key_path = p;
                    true
                }
                None => false,
            });
            *d.touched = d.touched.iter().filter_map(|p| shift(p)).collect();
            d.removals.push((parent.clone(), *i));
            if d.shape.asset_lists.contains(&parent.as_str()) {
                d.dropped.push(DroppedItem {
                    list: parent,
                    id: item.get("id").and_then(Value::as_str).map(str::to_string),
                    location: d.location.clone(),
                    message: d.message.clone(),
                });
            } else {
                // A list with an element missing cannot be judged as a whole.
                d.touched.insert(parent.clone());
                d.lost.push(LostPart {
                    key_path: parent,
                    location: d.location.clone(),
                    message: d.message.clone(),
                });
            }
        }
        _ => {}
    }
}

fn locate(file: &str, source: &SourceMap, path: &str, removals: &[(String, usize)]) -> Location {
    let mut loc = Location::at_key(file, original_path(path, removals));
    if let Some((line, col)) = source.locate(path) {
        loc = loc.with_line(line, Some(col));
    }
    loc
}

fn syntax(file: &str, e: &serde_json::Error) -> Diagnostic {
    let loc = Location::file(file).with_line(e.line() as u32, Some(e.column() as u32));
    let msg = e.to_string();
    let msg = msg
        .rsplit_once(" at line ")
        .map_or(msg.as_str(), |(m, _)| m)
        .to_string();
    Diagnostic::error(loc, msg)
}

/// The file could not be loaded: the last error is the cause; the others were found
/// before it.
fn fatal(file: &str, errors: Vec<Diagnostic>) -> Diagnostic {
    let n = errors.len();
    let mut cause = errors
        .into_iter()
        .last()
        .unwrap_or_else(|| Diagnostic::error(Location::file(file), "could not be loaded"));
    if n > 1 {
        cause.message = format!(
            "{} ({} earlier mistakes in this file)",
            cause.message,
            n - 1
        );
    }
    cause
}

#[cfg(test)]
mod tests {
    use super::*;
    use icvsec_model::input::ecu::EcuConfig;
    use icvsec_model::input::vehicle::VehicleManifest;

    fn none(_: &str) -> Option<Value> {
        None
    }
    const ECU: Shape = Shape {
        root_default: &none,
        asset_lists: &["tls_profiles"],
    };

    #[test]
    fn suggestions_by_case_and_distance() {
        let allowed: Vec<String> = ["deny", "allow"].iter().map(|s| s.to_string()).collect();
        assert_eq!(suggest("DENY", &allowed), Some("deny"));
        assert_eq!(suggest("alow", &allowed), Some("allow"));
        assert_eq!(suggest("permit", &allowed), None);
        let f: Vec<String> = ["secure_boot", "debug"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(suggest("secure_bot", &f), Some("secure_boot"));
    }

    #[test]
    fn unknown_key_is_one_error_and_the_rest_loads() {
        let text = "{\n  \"schema_version\": 1,\n  \"ecu\": \"tbox\",\n  \"secure_bot\": {\"enabled\": true},\n  \"debug\": {\"jtag\": \"fused\"}\n}";
        let l = parse_lenient::<EcuConfig>(text, "ecus/tbox.json", &ECU).unwrap();
        assert_eq!(l.errors.len(), 1, "{:?}", l.errors);
        let e = &l.errors[0];
        assert_eq!((e.location.line, e.location.column), (Some(4), Some(3)));
        assert_eq!(e.location.key_path.as_deref(), Some("secure_bot"));
        assert!(
            e.message.contains("did you mean `secure_boot`"),
            "{}",
            e.message
        );
        assert!(l.doc.debug.is_some());
        assert_eq!(l.lost.len(), 1);
        assert_eq!(l.lost[0].key_path, "secure_boot");
    }

    #[test]
    fn wrong_type_drops_the_field_and_its_section_once() {
        let text = "{\"schema_version\": 1, \"ecu\": \"x\",\n \"secure_boot\": {\"enabled\": \"yes\"},\n \"logging\": {\"security_log\": true}}";
        let l = parse_lenient::<EcuConfig>(text, "e.json", &ECU).unwrap();
        assert_eq!(l.errors.len(), 1, "{:?}", l.errors);
        assert!(
            l.errors[0].message.contains("invalid type"),
            "{}",
            l.errors[0].message
        );
        assert_eq!(
            l.errors[0].location.key_path.as_deref(),
            Some("secure_boot.enabled")
        );
        assert!(l.doc.secure_boot.is_none());
        assert!(l.doc.logging.is_some());
        let lost: Vec<&str> = l.lost.iter().map(|p| p.key_path.as_str()).collect();
        assert_eq!(lost, ["secure_boot.enabled", "secure_boot"]);
    }

    #[test]
    fn dropped_list_element_keeps_later_positions_right() {
        let text = "{\"schema_version\": 1, \"vehicle\": {\"model\": \"m\", \"markets\": [\"CN\"]},\n \"ecus\": [\n  {\"id\": \"a\", \"role\": \"tbx\"},\n  {\"id\": \"b\", \"role\": \"ivi\", \"sfety_critical\": true}\n ]}";
        let shape = Shape {
            root_default: &none,
            asset_lists: &["ecus"],
        };
        let l = parse_lenient::<VehicleManifest>(text, "vehicle.json", &shape).unwrap();
        assert_eq!(l.errors.len(), 2, "{:?}", l.errors);
        assert_eq!(l.dropped.len(), 1);
        assert_eq!(l.dropped[0].id.as_deref(), Some("a"));
        assert_eq!(l.doc.ecus.len(), 1);
        // The second mistake is named as written (ecus[1]) and located on line 4.
        let e = &l.errors[1];
        assert_eq!(
            e.location.key_path.as_deref(),
            Some("ecus[1].sfety_critical")
        );
        assert_eq!(e.location.line, Some(4));
        assert!(e.message.contains("did you mean `safety_critical`"));
        // The loaded tree's paths are re-indexed.
        assert_eq!(l.source.locate("ecus[0]").map(|p| p.0), Some(4));
    }

    #[test]
    fn schema_key_is_accepted() {
        let text = "{\"$schema\": \"../docs/schema/ecu.schema.json\", \"schema_version\": 1, \"ecu\": \"x\"}";
        let l = parse_lenient::<EcuConfig>(text, "e.json", &ECU).unwrap();
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert!(l.value.get("$schema").is_none());
    }

    #[test]
    fn missing_root_field_without_stand_in_is_fatal() {
        let err =
            parse_lenient::<EcuConfig>("{\"schema_version\": 1}", "e.json", &ECU).unwrap_err();
        assert!(
            err.message.contains("missing field `ecu`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn many_mistakes_are_bounded() {
        let mut text = String::from("{\"schema_version\": 1, \"ecu\": \"x\"");
        for i in 0..500 {
            text.push_str(&format!(", \"k{i}\": 1"));
        }
        text.push('}');
        let err = parse_lenient::<EcuConfig>(&text, "e.json", &ECU).unwrap_err();
        assert!(err.message.contains("mistakes"), "{}", err.message);
    }
}
