//! `--select` / `--ignore`: pick rules by id (or `PREFIX*`), area, `area/subarea` or severity.

use icvsec_model::Rule;

#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

fn matches(rule: &Rule, token: &str) -> bool {
    let token = token.trim();
    if let Some(prefix) = token.strip_suffix('*') {
        // Rule ids are case-insensitive for users.
        return rule.id.starts_with(&prefix.to_ascii_uppercase());
    }
    if rule.id.eq_ignore_ascii_case(token)
        || rule.area.slug() == token
        || rule.severity.as_str() == token
    {
        return true;
    }
    if let Some((area, sub)) = token.split_once('/') {
        return rule.area.slug() == area && rule.subarea == sub;
    }
    false
}

/// Tokens that match no rule are returned so the caller can refuse them.
pub fn select_rules(rules: Vec<Rule>, sel: &Selection) -> (Vec<Rule>, Vec<String>) {
    let unknown: Vec<String> = sel
        .select
        .iter()
        .chain(&sel.ignore)
        .filter(|t| !rules.iter().any(|r| matches(r, t)))
        .cloned()
        .collect();
    let kept = rules
        .into_iter()
        .filter(|r| sel.select.is_empty() || sel.select.iter().any(|t| matches(r, t)))
        .filter(|r| !sel.ignore.iter().any(|t| matches(r, t)))
        .collect();
    (kept, unknown)
}
