//! Packet filter rulesets: `iptables-save` / `ip6tables-save` output (`/etc/iptables/rules.v4`,
//! `rules.v6`) and nftables rulesets (`nft list ruleset` output, `/etc/nftables.conf`), and
//! the default-deny check for the `input` and `forward` hooks.
//!
//! Decision (documented in CONFORMANCE.md): a filter chain on a hook is *default deny* when
//! its policy is `DROP`/`drop`, **or** its last rule is an unconditional `DROP`/`REJECT`
//! (`-j DROP`, `-j REJECT [--reject-with ...]`, nft `drop`, `reject [with ...]`, with only
//! `counter`/`comment` besides). A REJECT-all final rule denies just as a DROP policy does
//! (it answers with an error instead of silence). With nftables, several base chains may
//! hook `input`; a packet must be accepted by all of them, so the hook is default-deny when
//! at least one of them is. A ruleset with no filter chain for a hook accepts everything
//! on it and fails. `include` statements are not followed (reported as notes).

use crate::common::{Finding, Limits, ParseError, text_lines};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rule of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FwRule {
    pub line: usize,
    /// The rule as written (tokens joined by one space).
    pub text: String,
    /// True for an unconditional drop/reject (see module docs).
    pub final_deny: bool,
}

/// A chain with its hook and policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    /// `ip`, `ip6`, `inet`, `arp`, `bridge`, `netdev` (iptables: `ip` for rules.v4, `ip6`).
    pub family: String,
    pub table: String,
    pub name: String,
    /// Chain type for nftables base chains (`filter`, `nat`, `route`); iptables: the table.
    pub chain_type: Option<String>,
    /// `input`, `forward`, `output`, `prerouting`, `postrouting` for base chains.
    pub hook: Option<String>,
    /// Lower-case policy (`accept`, `drop`) of a base chain.
    pub policy: Option<String>,
    pub line: usize,
    pub rules: Vec<FwRule>,
}

impl Chain {
    /// Whether the chain denies by default (policy drop or final unconditional drop/reject).
    pub fn default_deny(&self) -> bool {
        self.policy.as_deref() == Some("drop") || self.rules.last().is_some_and(|r| r.final_deny)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ruleset {
    pub file: String,
    /// `iptables` or `nftables`.
    pub format: String,
    pub chains: Vec<Chain>,
    /// Statements seen but not followed or modelled (e.g. `include`), with line.
    pub notes: Vec<String>,
}

// ------------------------------------------------------------------ iptables-save

/// Split like iptables-restore: whitespace, double-quoted strings with `\"` escapes.
fn split_quoted(s: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_tok = false;
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '\\' if matches!(chars.peek(), Some('"') | Some('\\')) => {
                    cur.push(chars.next().unwrap_or('\\'))
                }
                '"' => quoted = false,
                _ => cur.push(c),
            }
        } else if c == '"' {
            quoted = true;
            in_tok = true;
        } else if c.is_whitespace() {
            if in_tok {
                out.push(std::mem::take(&mut cur));
                in_tok = false;
            }
        } else {
            cur.push(c);
            in_tok = true;
        }
    }
    if quoted {
        return Err("unterminated quoted string");
    }
    if in_tok {
        out.push(cur);
    }
    Ok(out)
}

fn ipt_final_deny(args: &[String]) -> bool {
    // args after "-A CHAIN"
    let mut target = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-j" | "--jump" => {
                target = args.get(i + 1).cloned();
                i += 2;
            }
            "--reject-with" => i += 2,
            "-m" if args.get(i + 1).map(String::as_str) == Some("comment") => i += 2,
            "--comment" => i += 2,
            _ => return false,
        }
    }
    matches!(target.as_deref(), Some("DROP") | Some("REJECT"))
}

/// Parse `iptables-save` output. `family` labels the chains (`ip` for rules.v4, `ip6`).
pub fn parse_iptables_save(file: &str, bytes: &[u8], family: &str) -> Result<Ruleset, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let mut rs = Ruleset {
        file: file.to_string(),
        format: "iptables".into(),
        chains: Vec::new(),
        notes: Vec::new(),
    };
    let mut table: Option<(String, usize)> = None;
    // Chains of the current table by name (first declaration wins, as before).
    let mut table_chains: BTreeMap<String, usize> = BTreeMap::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(t) = l.strip_prefix('*') {
            if let Some((open, at)) = &table {
                return Err(ParseError::at(
                    file,
                    line,
                    format!("table *{open} (line {at}) not closed by COMMIT"),
                ));
            }
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(ParseError::at(file, line, "invalid table name"));
            }
            table = Some((t.to_string(), line));
            table_chains.clear();
            continue;
        }
        let Some((tname, _)) = &table else {
            return Err(ParseError::at(
                file,
                line,
                "rule or chain outside a *table ... COMMIT section",
            ));
        };
        let tname = tname.clone();
        if l == "COMMIT" {
            table = None;
            continue;
        }
        if let Some(decl) = l.strip_prefix(':') {
            let parts: Vec<&str> = decl.split_whitespace().collect();
            if parts.len() < 2 {
                return Err(ParseError::at(
                    file,
                    line,
                    "chain declaration needs ':NAME POLICY [p:b]'",
                ));
            }
            let name = parts[0].to_string();
            let policy = match parts[1] {
                "-" => None,
                "ACCEPT" | "DROP" => Some(parts[1].to_ascii_lowercase()),
                other => {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("invalid chain policy {other:?}"),
                    ));
                }
            };
            let hook = match name.as_str() {
                "INPUT" => Some("input"),
                "FORWARD" => Some("forward"),
                "OUTPUT" => Some("output"),
                "PREROUTING" => Some("prerouting"),
                "POSTROUTING" => Some("postrouting"),
                _ => None,
            }
            .filter(|_| policy.is_some())
            .map(str::to_string);
            table_chains.entry(name.clone()).or_insert(rs.chains.len());
            rs.chains.push(Chain {
                family: family.to_string(),
                table: tname.clone(),
                name,
                chain_type: Some(tname.clone()),
                hook,
                policy,
                line,
                rules: Vec::new(),
            });
            continue;
        }
        // Optional "[packets:bytes]" counter prefix (iptables-save -c).
        let body = if l.starts_with('[') {
            l.split_once(']').map(|(_, r)| r.trim()).unwrap_or(l)
        } else {
            l
        };
        let args = split_quoted(body).map_err(|m| ParseError::at(file, line, m))?;
        match args.first().map(String::as_str) {
            Some("-A") | Some("--append") | Some("-I") | Some("--insert") => {
                let Some(chain) = args.get(1) else {
                    return Err(ParseError::at(file, line, "rule without chain name"));
                };
                let rest = &args[2..];
                let Some(c) = table_chains.get(chain.as_str()).map(|&i| &mut rs.chains[i]) else {
                    return Err(ParseError::at(
                        file,
                        line,
                        format!("rule for undeclared chain {chain:?}"),
                    ));
                };
                let rule = FwRule {
                    line,
                    text: args.join(" "),
                    final_deny: ipt_final_deny(rest),
                };
                if args[0] == "-I" || args[0] == "--insert" {
                    c.rules.insert(0, rule);
                } else {
                    c.rules.push(rule);
                }
            }
            _ => {
                return Err(ParseError::at(
                    file,
                    line,
                    format!(
                        "unexpected line {:?}",
                        l.chars().take(40).collect::<String>()
                    ),
                ));
            }
        }
    }
    if let Some((open, at)) = table {
        return Err(ParseError::at(
            file,
            at,
            format!("table *{open} not closed by COMMIT"),
        ));
    }
    Ok(rs)
}

// ------------------------------------------------------------------ nftables

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Open,
    Close,
    End,
}

const MAX_DEPTH: usize = 64;

fn tokenize(file: &str, lines: &[&str]) -> Result<Vec<(Tok, usize)>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let chars: Vec<char> = raw.chars().collect();
        let mut j = 0;
        let mut continued = false;
        while j < chars.len() {
            let c = chars[j];
            match c {
                ' ' | '\t' => j += 1,
                '#' => break,
                '{' => {
                    out.push((Tok::Open, line));
                    j += 1;
                }
                '}' => {
                    out.push((Tok::Close, line));
                    j += 1;
                }
                ';' => {
                    out.push((Tok::End, line));
                    j += 1;
                }
                '\\' if j + 1 == chars.len() => {
                    continued = true;
                    j += 1;
                }
                '"' => {
                    let mut s = String::from("\"");
                    j += 1;
                    let mut closed = false;
                    while j < chars.len() {
                        s.push(chars[j]);
                        if chars[j] == '"' {
                            closed = true;
                            j += 1;
                            break;
                        }
                        j += 1;
                    }
                    if !closed {
                        return Err(ParseError::at(file, line, "unterminated string"));
                    }
                    out.push((Tok::Word(s), line));
                }
                _ => {
                    let mut s = String::new();
                    while j < chars.len()
                        && !matches!(chars[j], ' ' | '\t' | '{' | '}' | ';' | '"' | '#')
                    {
                        s.push(chars[j]);
                        j += 1;
                    }
                    if s.chars().any(|c| c.is_control()) {
                        return Err(ParseError::at(file, line, "control character in ruleset"));
                    }
                    out.push((Tok::Word(s), line));
                }
            }
        }
        if !continued {
            out.push((Tok::End, line));
        }
    }
    Ok(out)
}

struct Nft<'a> {
    file: &'a str,
    toks: Vec<(Tok, usize)>,
    pos: usize,
    rs: Ruleset,
    /// (family, table, chain) -> index in `rs.chains`: a map, so that 190,000 chains
    /// are not 190,000 linear searches.
    index: BTreeMap<(String, String, String), usize>,
}

const FAMILIES: &[&str] = &["ip", "ip6", "inet", "arp", "bridge", "netdev"];

impl Nft<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.0)
    }
    fn line(&self) -> usize {
        self.toks
            .get(self.pos)
            .or_else(|| self.toks.last())
            .map(|t| t.1)
            .unwrap_or(1)
    }
    fn err(&self, msg: impl Into<String>) -> ParseError {
        ParseError::at(self.file, self.line(), msg)
    }
    fn word(&mut self, what: &str) -> Result<String, ParseError> {
        match self.toks.get(self.pos) {
            Some((Tok::Word(w), _)) => {
                self.pos += 1;
                Ok(w.clone())
            }
            _ => Err(self.err(format!("expected {what}"))),
        }
    }
    fn skip_ends(&mut self) {
        while self.peek() == Some(&Tok::End) {
            self.pos += 1;
        }
    }
    /// Collect a statement's words up to End/Close at depth 0 (balanced braces inside).
    fn statement(&mut self) -> Result<Vec<String>, ParseError> {
        let mut words = Vec::new();
        let mut depth = 0usize;
        while let Some(t) = self.peek().cloned() {
            match t {
                Tok::End if depth == 0 => break,
                Tok::Close if depth == 0 => break,
                Tok::Open => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(self.err("braces nested too deeply"));
                    }
                    words.push("{".into());
                }
                Tok::Close => {
                    depth -= 1;
                    words.push("}".into());
                }
                Tok::End => {}
                Tok::Word(w) => words.push(w),
            }
            self.pos += 1;
        }
        if depth != 0 {
            return Err(self.err("unbalanced braces"));
        }
        Ok(words)
    }
    fn expect_open(&mut self) -> Result<(), ParseError> {
        if self.peek() == Some(&Tok::Open) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err("expected '{'"))
        }
    }
    fn family_and_name(&mut self, first: String) -> Result<(String, String), ParseError> {
        if FAMILIES.contains(&first.as_str()) && matches!(self.peek(), Some(Tok::Word(_))) {
            let name = self.word("table name")?;
            Ok((first, name))
        } else {
            Ok(("ip".into(), first))
        }
    }

    fn top(&mut self) -> Result<(), ParseError> {
        loop {
            self.skip_ends();
            let Some(t) = self.peek().cloned() else {
                return Ok(());
            };
            let line = self.line();
            match t {
                Tok::Word(w) => {
                    self.pos += 1;
                    match w.as_str() {
                        "table" => {
                            let first = self.word("table family or name")?;
                            let (family, name) = self.family_and_name(first)?;
                            self.expect_open()?;
                            self.table_body(&family, &name)?;
                        }
                        "add" | "create" | "insert" | "replace" => self.command()?,
                        "flush" | "delete" | "destroy" | "define" | "redefine" | "undefine"
                        | "list" | "reset" | "rename" => {
                            self.statement()?;
                        }
                        "include" => {
                            let s = self.statement()?;
                            self.rs.notes.push(format!(
                                "{}:{line}: include {} not followed",
                                self.file,
                                s.join(" ")
                            ));
                        }
                        other => {
                            return Err(ParseError::at(
                                self.file,
                                line,
                                format!(
                                    "unexpected {:?} at top level",
                                    other.chars().take(40).collect::<String>()
                                ),
                            ));
                        }
                    }
                }
                Tok::Open | Tok::Close => return Err(self.err("unexpected brace at top level")),
                Tok::End => {}
            }
        }
    }

    fn command(&mut self) -> Result<(), ParseError> {
        let line = self.line();
        let what = self.word("object kind")?;
        match what.as_str() {
            "table" => {
                let first = self.word("table name")?;
                let (family, name) = self.family_and_name(first)?;
                if self.peek() == Some(&Tok::Open) {
                    self.pos += 1;
                    self.table_body(&family, &name)?;
                }
            }
            "chain" => {
                let first = self.word("table")?;
                let (family, table) = self.family_and_name(first)?;
                let name = self.word("chain name")?;
                let idx = self.chain_index(&family, &table, &name, line);
                if self.peek() == Some(&Tok::Open) {
                    self.pos += 1;
                    self.chain_body(idx)?;
                }
            }
            "rule" => {
                let first = self.word("table")?;
                let (family, table) = self.family_and_name(first)?;
                let name = self.word("chain name")?;
                let words = self.statement()?;
                let Some(idx) = self
                    .index
                    .get(&(family.clone(), table.clone(), name.clone()))
                    .copied()
                else {
                    return Err(ParseError::at(
                        self.file,
                        line,
                        format!("rule for unknown chain {family} {table} {name}"),
                    ));
                };
                self.rs.chains[idx].rules.push(FwRule {
                    line,
                    final_deny: nft_final_deny(&words),
                    text: words.join(" "),
                });
            }
            _ => {
                self.statement()?;
            }
        }
        Ok(())
    }

    fn chain_index(&mut self, family: &str, table: &str, name: &str, line: usize) -> usize {
        let key = (family.to_string(), table.to_string(), name.to_string());
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.index.insert(key, self.rs.chains.len());
        self.rs.chains.push(Chain {
            family: family.to_string(),
            table: table.to_string(),
            name: name.to_string(),
            chain_type: None,
            hook: None,
            policy: None,
            line,
            rules: Vec::new(),
        });
        self.rs.chains.len() - 1
    }

    fn table_body(&mut self, family: &str, table: &str) -> Result<(), ParseError> {
        loop {
            self.skip_ends();
            let line = self.line();
            match self.peek().cloned() {
                None => return Err(self.err(format!("table {table}: missing '}}'"))),
                Some(Tok::Close) => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(Tok::Word(w)) if w == "chain" => {
                    self.pos += 1;
                    let name = self.word("chain name")?;
                    self.expect_open()?;
                    let idx = self.chain_index(family, table, &name, line);
                    self.chain_body(idx)?;
                }
                Some(Tok::Word(_)) => {
                    // set, map, flowtable, counter, quota, flags, comment ... : skip.
                    self.statement()?;
                }
                Some(Tok::Open) => return Err(self.err("unexpected '{'")),
                Some(Tok::End) => {}
            }
        }
    }

    fn chain_body(&mut self, idx: usize) -> Result<(), ParseError> {
        loop {
            self.skip_ends();
            let line = self.line();
            match self.peek().cloned() {
                None => return Err(self.err("chain: missing '}'")),
                Some(Tok::Close) => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(Tok::Open) => return Err(self.err("unexpected '{'")),
                Some(Tok::End) => {}
                Some(Tok::Word(_)) => {
                    let words = self.statement()?;
                    let c = &mut self.rs.chains[idx];
                    match words[0].as_str() {
                        "type" => {
                            c.chain_type = words.get(1).cloned();
                            if let Some(p) = words.iter().position(|w| w == "hook") {
                                c.hook = words.get(p + 1).cloned();
                            } else {
                                return Err(ParseError::at(
                                    self.file,
                                    line,
                                    "base chain 'type' without 'hook'",
                                ));
                            }
                            if c.policy.is_none() {
                                c.policy = Some("accept".into());
                            }
                        }
                        "policy" => {
                            let p = words.get(1).map(|s| s.to_ascii_lowercase());
                            match p.as_deref() {
                                Some("accept") | Some("drop") => c.policy = p,
                                _ => {
                                    return Err(ParseError::at(
                                        self.file,
                                        line,
                                        "policy must be accept or drop",
                                    ));
                                }
                            }
                        }
                        "comment" | "devices" | "flags" | "device" => {}
                        _ => c.rules.push(FwRule {
                            line,
                            final_deny: nft_final_deny(&words),
                            text: words.join(" "),
                        }),
                    }
                }
            }
        }
    }
}

fn nft_final_deny(words: &[String]) -> bool {
    let mut w: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        match words[i].as_str() {
            "counter" => {
                i += 1;
                if words.get(i).map(String::as_str) == Some("packets") {
                    i += 4; // packets N bytes M
                }
            }
            "comment" => i += 2,
            other => {
                w.push(other);
                i += 1;
            }
        }
    }
    matches!(w.as_slice(), ["drop"])
        || w.first() == Some(&"reject")
            && w.iter().skip(1).all(|x| *x != "{")
            && (w.len() == 1 || w.get(1) == Some(&"with"))
}

/// Parse an nftables ruleset (`nft list ruleset` output or an `nftables.conf` script).
pub fn parse_nftables(file: &str, bytes: &[u8]) -> Result<Ruleset, ParseError> {
    let lines = text_lines(file, bytes, &Limits::default())?;
    let toks = tokenize(file, &lines)?;
    let mut p = Nft {
        file,
        toks,
        pos: 0,
        rs: Ruleset {
            file: file.to_string(),
            format: "nftables".into(),
            chains: Vec::new(),
            notes: Vec::new(),
        },
        index: BTreeMap::new(),
    };
    p.top()?;
    Ok(p.rs)
}

/// Pick the parser from the contents (`*table` / `:CHAIN` lines mean iptables-save).
pub fn parse_ruleset(file: &str, bytes: &[u8]) -> Result<Ruleset, ParseError> {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(65536)]);
    let is_ipt = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| l.starts_with('*'));
    if is_ipt {
        let family = if file.ends_with(".v6") || file.contains("ip6tables") {
            "ip6"
        } else {
            "ip"
        };
        parse_iptables_save(file, bytes, family)
    } else {
        parse_nftables(file, bytes)
    }
}

/// Default-deny check for the given hooks (e.g. `["input", "forward"]`): one finding per
/// filter base chain on each hook, plus a failing finding for a hook with no filter chain.
pub fn check_default_deny(rs: &Ruleset, hooks: &[String]) -> Vec<Finding> {
    let mut out = Vec::new();
    for hook in hooks {
        let chains: Vec<&Chain> = rs
            .chains
            .iter()
            .filter(|c| {
                c.hook.as_deref() == Some(hook.as_str())
                    && c.chain_type.as_deref() == Some("filter")
                    && matches!(c.family.as_str(), "ip" | "ip6" | "inet")
            })
            .collect();
        if chains.is_empty() {
            out.push(Finding::new(
                "linux.firewall.default_deny",
                hook,
                &rs.file,
                None,
                false,
                format!("no filter chain on hook {hook}: all {hook} traffic is accepted"),
            ));
            continue;
        }
        let denier = chains
            .iter()
            .find(|c| c.default_deny())
            .map(|c| c.name.clone());
        for c in chains {
            let own = c.default_deny();
            let how = if c.policy.as_deref() == Some("drop") {
                "policy drop".to_string()
            } else if own {
                let r = c.rules.last().map(|r| r.text.clone()).unwrap_or_default();
                format!("final rule '{r}'")
            } else {
                format!(
                    "policy {} without a final drop/reject rule",
                    c.policy.as_deref().unwrap_or("accept")
                )
            };
            let passed = own || denier.is_some();
            let mut msg = format!(
                "{} {} chain {} (hook {hook}): {how}",
                c.family, c.table, c.name
            );
            if !own && passed {
                msg.push_str(&format!(
                    "; chain {} on the same hook denies by default",
                    denier.clone().unwrap_or_default()
                ));
            }
            let line = if own && c.policy.as_deref() != Some("drop") {
                c.rules.last().map(|r| r.line)
            } else {
                Some(c.line)
            };
            out.push(Finding::new(
                "linux.firewall.default_deny",
                &format!("{}:{}", c.name, hook),
                &rs.file,
                line,
                passed,
                msg,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hooks() -> Vec<String> {
        vec!["input".into(), "forward".into()]
    }

    #[test]
    fn iptables() {
        let t = "# Generated by iptables-save\n*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:LOG_DROP - [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m comment --comment \"ssh from diag\" --dport 22 -j ACCEPT\n-A FORWARD -m comment --comment \"deny rest\" -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n";
        let rs = parse_iptables_save("/etc/iptables/rules.v4", t.as_bytes(), "ip").unwrap();
        let f = check_default_deny(&rs, &hooks());
        assert_eq!(f.len(), 2);
        assert!(f[0].passed && f[0].line == Some(6));
        assert!(f[1].passed && f[1].line == Some(12), "{f:?}");
        let t2 = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n-A INPUT -p tcp -j DROP\nCOMMIT\n";
        let rs = parse_ruleset("/etc/iptables/rules.v6", t2.as_bytes()).unwrap();
        assert_eq!(rs.chains[0].family, "ip6");
        let f = check_default_deny(&rs, &hooks());
        assert!(!f[0].passed && !f[1].passed);
        assert_eq!(f[0].line, Some(2));
        // No filter table at all.
        let rs = parse_ruleset("r", b"*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n").unwrap();
        assert!(check_default_deny(&rs, &hooks()).iter().all(|f| !f.passed));
    }

    #[test]
    fn nftables() {
        let t = r#"#!/usr/sbin/nft -f
flush ruleset
define LAN = 10.0.0.0/8
table inet filter {
	set allowed { type ipv4_addr; elements = { 10.0.0.1, 10.0.0.2 } }
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ip saddr { 10.0.0.1, 10.0.0.2 } tcp dport 22 accept comment "diag"
	}
	chain forward {
		type filter hook forward priority 0; policy accept;
		ct state established accept
		counter packets 0 bytes 0 reject with icmpx type admin-prohibited
	}
	chain output { type filter hook output priority 0; }
}
table ip nat {
	chain pre { type nat hook prerouting priority -100; }
}
"#;
        let rs = parse_nftables("/etc/nftables.conf", t.as_bytes()).unwrap();
        assert_eq!(rs.chains.len(), 4);
        let f = check_default_deny(&rs, &hooks());
        assert_eq!(f.len(), 2);
        assert!(f[0].passed && f[0].line == Some(6), "{f:?}");
        assert!(f[1].passed && f[1].line == Some(14), "{f:?}");
        let weak = "table ip filter {\n chain INPUT {\n  type filter hook input priority 0; policy accept;\n  tcp dport 22 drop\n }\n}\n";
        let f = check_default_deny(&parse_nftables("n", weak.as_bytes()).unwrap(), &hooks());
        assert!(!f[0].passed && f[0].line == Some(2));
        assert!(!f[1].passed && f[1].line.is_none());
        // Command form.
        let cmds = "add table inet fw\nadd chain inet fw in { type filter hook input priority 0 ; policy accept ; }\nadd rule inet fw in drop\n";
        let f = check_default_deny(&parse_nftables("n", cmds.as_bytes()).unwrap(), &hooks());
        assert!(f[0].passed && f[0].line == Some(3));
    }

    #[test]
    fn bad_input() {
        for (bad, line) in [
            (
                &b"*filter\n:INPUT DROP [0:0]\n-A OUTPUT -j DROP\nCOMMIT\n"[..],
                3,
            ),
            (b"*filter\n:INPUT DROP [0:0]\n", 1),
            (b"-A INPUT -j DROP\n", 1),
            (b"*filter\n:INPUT MAYBE [0:0]\nCOMMIT\n", 2),
            (
                b"*filter\n:INPUT DROP\n-A INPUT -m comment --comment \"open\nCOMMIT\n",
                3,
            ),
        ] {
            let e = parse_iptables_save("rules.v4", bad, "ip").unwrap_err();
            assert_eq!((e.file.as_str(), e.line), ("rules.v4", Some(line)), "{e}");
        }
        for (bad, line) in [
            (
                &b"table inet f {\n chain c {\n  type filter hook input priority 0;\n"[..],
                3,
            ),
            (b"garbage here\n", 1),
            (b"table inet f {\n chain c { policy maybe; }\n}\n", 2),
            (b"}\n", 1),
            (b"\x00\x01\x02", 1),
            (b"table inet f { chain c { type filter; } }\n", 1),
        ] {
            let e = parse_nftables("nftables.conf", bad).unwrap_err();
            assert_eq!(
                (e.file.as_str(), e.line),
                ("nftables.conf", Some(line)),
                "{e}"
            );
        }
        let deep = format!(
            "table inet f {{ chain c {{ ip saddr {} }} }}\n",
            "{ ".repeat(100)
        );
        assert!(
            parse_nftables("n", deep.as_bytes())
                .unwrap_err()
                .message
                .contains("deeply")
        );
        let long = format!("table inet f {{ chain c {{ {} }} }}\n", "x".repeat(20_000));
        assert_eq!(
            parse_nftables("n", long.as_bytes()).unwrap_err().line,
            Some(1)
        );
    }
}
