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

/// What a rule applies to, in words: asset kind, then roles, markets and stages if limited.
fn applies_to(r: &Rule) -> String {
    let a = &r.applies_to;
    let mut out = a.asset.describe().to_string();
    if !a.roles.is_empty() {
        out.push_str(&format!("; roles {}", a.role_names().join(", ")));
    }
    if !a.markets.is_empty() {
        out.push_str(&format!("; markets {}", a.market_names().join(", ")));
    }
    if !a.stages.is_empty() {
        out.push_str(&format!("; {} builds", a.stage_names().join("/")));
    }
    out
}

/// The cited requirements: `ID (standard clause)`.
fn requirements(r: &Rule) -> String {
    r.requirements
        .iter()
        .zip(&r.references)
        .map(|(id, x)| format!("`{id}` ({x})"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Technical sources outside the requirement catalog (the references after the ones the
/// loader derived from the cited requirements).
fn references(r: &Rule) -> String {
    r.references
        .iter()
        .skip(r.requirements.len())
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the rule id prefixes stand for (`ICV-<PREFIX>-NNN`); the rule reference test
/// checks that every prefix in the catalog is here.
pub const RULE_PREFIXES: &[(&str, &str)] = &[
    (
        "AND",
        "Android build properties (debuggable, secure, adb, SELinux, build type)",
    ),
    ("APP", "Third-party applications on the vehicle"),
    ("BOOT", "Secure boot and anti-rollback"),
    (
        "CRT",
        "Certificates and private keys (X.509 profile, key strength, chains, key storage)",
    ),
    (
        "DATA",
        "Data security: classification, personal information, storage, cross-border flows",
    ),
    ("DBG", "Debug ports (JTAG, SWD, UART)"),
    ("IDS", "Intrusion detection"),
    (
        "IF",
        "External interfaces (USB, Bluetooth, Wi-Fi, cellular)",
    ),
    ("KEY", "Declared key storage"),
    (
        "LNX",
        "Linux root filesystem hardening (sshd, accounts, kernel, sysctl, firewall)",
    ),
    ("LOG", "Security logging"),
    (
        "MAN",
        "Manual requirements (evidence supplied by an auditor)",
    ),
    ("MSG", "In-vehicle message authentication (SecOC)"),
    (
        "NET",
        "In-vehicle network separation and flooding protection",
    ),
    ("RC", "Remote control commands"),
    ("SVC", "Listening network services"),
    (
        "TLS",
        "Declared TLS/TLCP profiles, endpoint certificates and saved probes",
    ),
    (
        "TLSCFG",
        "TLS configuration files (nginx, OpenSSL, embedded TLS stacks)",
    ),
    (
        "UDS",
        "Diagnostics (UDS SecurityAccess, Authentication, service protection, OBD)",
    ),
    (
        "UPD",
        "Software update (package verification, downgrade, recovery, notification)",
    ),
];

/// `ICV-TLSCFG-001` → `TLSCFG`.
pub fn rule_prefix(id: &str) -> &str {
    let rest = id.strip_prefix("ICV-").unwrap_or(id);
    rest.rsplit_once('-').map_or(rest, |(p, _)| p)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The rule reference (`docs/rules.md`), generated from the built-in catalog: one
/// section per rule with an explicit anchor (`#icv-crt-001`) that reports link to.
pub fn rules_doc(rules: &[Rule]) -> String {
    use icvsec_model::Area;
    let mut s = String::new();
    s.push_str("# icvsec rule reference\n\n");
    s.push_str("<!-- Generated by `icvsec rules doc` from the rule catalog; do not edit by hand.\n     Regenerate: ICVSEC_UPDATE=1 cargo test --test integration reports_cli::rule_reference -->\n\n");
    s.push_str(&format!(
        "{} rules ({} automated, {} manual). Severity: critical, high, medium, low, info.\n\n",
        rules.len(),
        rules.iter().filter(|r| !r.is_manual()).count(),
        rules.iter().filter(|r| r.is_manual()).count()
    ));
    let cell = |x: &str| x.replace('|', "\\|").replace('\n', " ");
    s.push_str("## Rule id prefixes\n\nRule ids are `ICV-<PREFIX>-<NNN>`; the prefix names the family of inputs or checks. Rule ids never change once published.\n\n| Prefix | Family | Rules |\n|---|---|---|\n");
    for (prefix, family) in RULE_PREFIXES {
        let n = rules
            .iter()
            .filter(|r| rule_prefix(&r.id) == *prefix)
            .count();
        s.push_str(&format!("| `{prefix}` | {family} | {n} |\n"));
    }
    s.push_str("\nEach rule cites requirement ids of the catalog ([requirements.md](requirements.md)); references name technical sources outside it.\n\n");
    for area in Area::ALL {
        let in_area: Vec<&Rule> = rules.iter().filter(|r| r.area == area).collect();
        if in_area.is_empty() {
            continue;
        }
        s.push_str(&format!("## {} (`{}`)\n\n", area.title(), area.slug()));
        for (slug, title) in area.subareas() {
            let mut rs: Vec<&&Rule> = in_area.iter().filter(|r| r.subarea == *slug).collect();
            if rs.is_empty() {
                continue;
            }
            rs.sort_by(|a, b| a.id.cmp(&b.id));
            s.push_str(&format!(
                "### {title} (`{slug}`)\n\n| Rule | Severity | Title |\n|---|---|---|\n"
            ));
            for r in &rs {
                s.push_str(&format!(
                    "| [{}](#{}) | {} | {} |\n",
                    r.id,
                    icvsec_report::rule_anchor(&r.id),
                    r.severity,
                    cell(&r.title)
                ));
            }
            s.push('\n');
            for r in rs {
                s.push_str(&format!(
                    "<a id=\"{}\"></a>\n#### {} — {}\n\n",
                    icvsec_report::rule_anchor(&r.id),
                    r.id,
                    r.title.trim()
                ));
                s.push_str(&format!("- **Severity:** {}\n", r.severity));
                s.push_str(&format!("- **Applies to:** {}\n", applies_to(r)));
                match &r.check {
                    RuleCheck::Builtin { name, params } => {
                        s.push_str(&format!("- **Check:** `{name}`\n"));
                        if params.as_object().is_some_and(|m| !m.is_empty()) {
                            let p = serde_json::to_string(params).unwrap_or_default();
                            let p = if p.len() > 300 {
                                format!("{}…", &p[..p.floor_char_boundary(300)])
                            } else {
                                p
                            };
                            s.push_str(&format!("- **Parameters** (override in `icvsec.toml` under `[params.{}]`): `{}`\n", r.id, p.replace('`', "'")));
                        }
                    }
                    RuleCheck::Condition { .. } => {
                        s.push_str("- **Check:** condition on the declared configuration\n")
                    }
                    RuleCheck::Manual => {
                        s.push_str("- **Check:** manual (an auditor supplies the evidence)\n")
                    }
                }
                s.push_str(&format!("- **Requirements:** {}\n", requirements(r)));
                let refs = references(r);
                if !refs.is_empty() {
                    s.push_str(&format!("- **References:** {refs}\n"));
                }
                s.push_str(&format!("- **Rule file:** `{}`\n\n", r.source));
                s.push_str(&format!("**Why.** {}\n\n", r.rationale.trim()));
                s.push_str(&format!("**Remediation.** {}\n\n", r.remediation.trim()));
            }
        }
    }
    s
}

pub fn run(cmd: &RulesCmd) -> i32 {
    match cmd {
        RulesCmd::Doc { output } => {
            let sel = RuleSelection {
                rules: vec![],
                select: vec![],
                ignore: vec![],
            };
            let (catalog, _) = match load_rules(&sel) {
                Ok(x) => x,
                Err(e) => return e as i32,
            };
            let doc = rules_doc(&catalog.rules);
            match output {
                Some(p) => {
                    if let Err(e) = std::fs::write(p, doc) {
                        eprintln!("icvsec: error: cannot write {}: {e}", p.display());
                        return Exit::Usage as i32;
                    }
                }
                None => crate::out!("{doc}"),
            }
            Exit::Clean as i32
        }
        RulesCmd::List { format, selection } => {
            let (_, rules) = match load_rules(selection) {
                Ok(x) => x,
                Err(e) => return e as i32,
            };
            match format {
                ListFormat::Table => {
                    // Columns sized to their widest cell, so every row lines up.
                    let rows: Vec<[String; 4]> = rules
                        .iter()
                        .map(|r| {
                            [
                                r.id.clone(),
                                r.severity.as_str().to_string(),
                                r.area.slug().to_string(),
                                format!("{} / {}", r.subarea, r.check_name()),
                            ]
                        })
                        .collect();
                    let head = ["ID", "SEVERITY", "AREA", "SUB-AREA / CHECK"];
                    let mut w = head.map(|h| h.chars().count());
                    for row in &rows {
                        for (i, c) in row.iter().enumerate() {
                            w[i] = w[i].max(c.chars().count());
                        }
                    }
                    let line = |cells: [&str; 4], title: &str| {
                        let mut s = String::new();
                        for (i, c) in cells.iter().enumerate() {
                            s.push_str(c);
                            s.push_str(&" ".repeat(w[i] - c.chars().count() + 1));
                        }
                        s.push_str(title);
                        s
                    };
                    crate::outln!("{}", line(head, "TITLE"));
                    for (r, row) in rules.iter().zip(&rows) {
                        crate::outln!("{}", line([&row[0], &row[1], &row[2], &row[3]], &r.title));
                    }
                    crate::outln!("{} rules", rules.len());
                }
                ListFormat::Json | ListFormat::Csv => {
                    // Coverage: one row per (requirement, rule).
                    // The first references of a rule are its cited requirements (same order).
                    let mut rows: Vec<(String, String, bool, &Rule, &str)> = Vec::new();
                    for r in &rules {
                        for (i, refr) in r.references.iter().enumerate() {
                            rows.push((
                                refr.standard.clone(),
                                refr.clause.clone(),
                                refr.verified,
                                r,
                                r.requirements.get(i).map_or("", String::as_str),
                            ));
                        }
                    }
                    rows.sort_by(|a, b| (&a.0, &a.1, &a.3.id).cmp(&(&b.0, &b.1, &b.3.id)));
                    if *format == ListFormat::Csv {
                        crate::outln!(
                            "standard,clause,verified,rule,area,subarea,severity,automated,title,requirement"
                        );
                        for (s, c, v, r, req) in rows {
                            crate::outln!(
                                "{},{},{},{},{},{},{},{},{},{}",
                                csv_field(&s),
                                csv_field(&c),
                                v,
                                r.id,
                                r.area.slug(),
                                r.subarea,
                                r.severity.as_str(),
                                !r.is_manual(),
                                csv_field(&r.title),
                                req
                            );
                        }
                    } else {
                        let v: Vec<_> = rows
                            .iter()
                            .map(|(s, c, v, r, req)| {
                                serde_json::json!({
                                    "standard": s, "clause": c, "verified": v, "rule": r.id,
                                    "requirement": if req.is_empty() { None } else { Some(req) },
                                    "area": r.area.slug(), "subarea": r.subarea, "severity": r.severity,
                                    "automated": !r.is_manual(), "title": r.title,
                                })
                            })
                            .collect();
                        crate::outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
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
            crate::outln!("{} — {}", r.id, r.title);
            crate::outln!(
                "area:        {} / {}",
                r.area.title(),
                r.area.subarea_title(&r.subarea).unwrap_or(&r.subarea)
            );
            crate::outln!("severity:    {}", r.severity);
            crate::outln!("applies to:  {}", applies_to(r));
            match &r.check {
                RuleCheck::Builtin { name, params } => {
                    crate::outln!("check:       {name}");
                    if params.as_object().is_some_and(|m| !m.is_empty()) {
                        let p = serde_json::to_string(params).unwrap_or_default();
                        let p = if p.len() > 400 {
                            format!("{}…", &p[..p.floor_char_boundary(400)])
                        } else {
                            p
                        };
                        crate::outln!("parameters:  {p}");
                    }
                }
                RuleCheck::Condition {
                    condition,
                    for_each,
                } => {
                    crate::outln!("check:       condition on {}", condition.paths().join(", "));
                    if let Some(f) = for_each {
                        crate::outln!("for each:    {f}");
                    }
                }
                RuleCheck::Manual => {
                    crate::outln!("check:       manual (an auditor supplies the evidence)")
                }
            }
            crate::outln!("requirements: {}", requirements(r).replace('`', ""));
            let refs = references(r);
            if !refs.is_empty() {
                crate::outln!("references:  {refs}");
            }
            crate::outln!("source:      {}", r.source);
            crate::outln!("\nwhy:\n  {}", r.rationale.replace('\n', "\n  "));
            crate::outln!("\nremediation:\n  {}", r.remediation.replace('\n', "\n  "));
            Exit::Clean as i32
        }
    }
}

pub fn schema(kind: &str) -> i32 {
    match icvsec_model::input::schema_for(kind) {
        Some(s) => {
            crate::outln!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
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
