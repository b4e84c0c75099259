//! `icvsec rules list|explain` and `icvsec schema`.

use crate::cli::{ListFormat, RuleSelection, RulesCmd};
use crate::exit::Exit;
use icvsec_model::{Rule, RuleCheck};
use icvsec_rules::{
    Catalog, Selection, embedded_sources, load_catalog, select_rules, sources_from_dir,
};

/// Load the built-in catalog plus user directories, report errors, apply the selection.
pub fn load_rules(sel: &RuleSelection) -> Result<(Catalog, Vec<Rule>), Exit> {
    let mut sources = embedded_sources();
    for dir in &sel.rules {
        match sources_from_dir(dir) {
            Ok(s) => sources.extend(s),
            Err(e) => {
                eprintln!("icvsec: error: {e}");
                return Err(Exit::Usage);
            }
        }
    }
    let registry = icvsec_checks::registry();
    let catalog = match load_catalog(&sources, &registry) {
        Ok(c) => c,
        Err(errors) => {
            for e in &errors {
                eprintln!("icvsec: rule error: {e}");
            }
            eprintln!(
                "icvsec: {} error(s) in the rule catalog; nothing was scanned",
                errors.len()
            );
            return Err(Exit::Usage);
        }
    };
    let (rules, unknown) = select_rules(
        catalog.rules.clone(),
        &Selection {
            select: sel.select.clone(),
            ignore: sel.ignore.clone(),
        },
    );
    if !unknown.is_empty() {
        eprintln!(
            "icvsec: error: --select/--ignore matches no rule: {}",
            unknown.join(", ")
        );
        return Err(Exit::Usage);
    }
    Ok((catalog, rules))
}

fn references(r: &Rule) -> String {
    r.references
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn run(cmd: &RulesCmd) -> i32 {
    match cmd {
        RulesCmd::List { format, selection } => {
            let (_, rules) = match load_rules(selection) {
                Ok(x) => x,
                Err(e) => return e as i32,
            };
            match format {
                ListFormat::Table => {
                    println!(
                        "{:<16} {:<9} {:<12} {:<30} {}",
                        "ID", "SEVERITY", "AREA", "SUB-AREA / CHECK", "TITLE"
                    );
                    for r in &rules {
                        println!(
                            "{:<16} {:<9} {:<12} {:<30} {}",
                            r.id,
                            r.severity.as_str(),
                            r.area.slug(),
                            format!("{} / {}", r.subarea, r.check_name()),
                            r.title
                        );
                    }
                    println!("{} rules", rules.len());
                }
                ListFormat::Json | ListFormat::Csv => {
                    // Coverage: one row per (requirement, rule).
                    let mut rows: Vec<(String, String, bool, &Rule)> = Vec::new();
                    for r in &rules {
                        for refr in &r.references {
                            rows.push((
                                refr.standard.clone(),
                                refr.clause.clone(),
                                refr.verified,
                                r,
                            ));
                        }
                    }
                    rows.sort_by(|a, b| (&a.0, &a.1, &a.3.id).cmp(&(&b.0, &b.1, &b.3.id)));
                    if *format == ListFormat::Csv {
                        println!(
                            "standard,clause,verified,rule,area,subarea,severity,automated,title"
                        );
                        for (s, c, v, r) in rows {
                            println!(
                                "{},{},{},{},{},{},{},{},{}",
                                csv_field(&s),
                                csv_field(&c),
                                v,
                                r.id,
                                r.area.slug(),
                                r.subarea,
                                r.severity.as_str(),
                                !r.is_manual(),
                                csv_field(&r.title)
                            );
                        }
                    } else {
                        let v: Vec<_> = rows
                            .iter()
                            .map(|(s, c, v, r)| {
                                serde_json::json!({
                                    "standard": s, "clause": c, "verified": v, "rule": r.id,
                                    "area": r.area.slug(), "subarea": r.subarea, "severity": r.severity,
                                    "automated": !r.is_manual(), "title": r.title,
                                })
                            })
                            .collect();
                        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                    }
                }
            }
            Exit::Clean as i32
        }
        RulesCmd::Explain { id, rules } => {
            let sel = RuleSelection {
                rules: rules.clone(),
                select: vec![],
                ignore: vec![],
            };
            let (catalog, _) = match load_rules(&sel) {
                Ok(x) => x,
                Err(e) => return e as i32,
            };
            let Some(r) = catalog.get(id) else {
                eprintln!("icvsec: error: no rule `{id}` (see `icvsec rules list`)");
                return Exit::Usage as i32;
            };
            println!("{} — {}", r.id, r.title);
            println!(
                "area:        {} / {}",
                r.area.title(),
                r.area.subarea_title(&r.subarea).unwrap_or(&r.subarea)
            );
            println!("severity:    {}", r.severity);
            println!(
                "applies to:  {}{}{}{}",
                r.applies_to.asset.describe(),
                if r.applies_to.roles.is_empty() {
                    String::new()
                } else {
                    format!("; roles {}", r.applies_to.roles.join(", "))
                },
                if r.applies_to.markets.is_empty() {
                    String::new()
                } else {
                    format!("; markets {}", r.applies_to.markets.join(", "))
                },
                if r.applies_to.stages.is_empty() {
                    String::new()
                } else {
                    format!("; {} builds", r.applies_to.stages.join("/"))
                }
            );
            match &r.check {
                RuleCheck::Builtin { name, params } => {
                    println!("check:       {name}");
                    if params.as_object().is_some_and(|m| !m.is_empty()) {
                        let p = serde_json::to_string(params).unwrap_or_default();
                        let p = if p.len() > 400 {
                            format!("{}…", &p[..p.floor_char_boundary(400)])
                        } else {
                            p
                        };
                        println!("parameters:  {p}");
                    }
                }
                RuleCheck::Condition {
                    condition,
                    for_each,
                } => {
                    println!("check:       condition on {}", condition.paths().join(", "));
                    if let Some(f) = for_each {
                        println!("for each:    {f}");
                    }
                }
                RuleCheck::Manual => {
                    println!("check:       manual (an auditor supplies the evidence)")
                }
            }
            println!("references:  {}", references(r));
            println!("source:      {}", r.source);
            println!("\nwhy:\n  {}", r.rationale.replace('\n', "\n  "));
            println!("\nremediation:\n  {}", r.remediation.replace('\n', "\n  "));
            Exit::Clean as i32
        }
    }
}

pub fn schema(kind: &str) -> i32 {
    match icvsec_model::input::schema_for(kind) {
        Some(s) => {
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            Exit::Clean as i32
        }
        None => {
            eprintln!(
                "icvsec: error: unknown schema kind `{kind}` (expected one of: {})",
                icvsec_model::input::SCHEMA_KINDS.join(", ")
            );
            Exit::Usage as i32
        }
    }
}
