//! Certificate files as deployed: the certificates of one file, in order, judged by the
//! file's intended use, and the distrusted-roots table.
//!
//! * Identity file (server / device certificate with its chain): the FIRST certificate is
//!   the leaf; the others are intermediates (chain candidates, judged as CA certificates,
//!   never as leaves).
//! * CA bundle / trust store: every certificate is a trust-anchor candidate, judged by
//!   the anchor policy ([`crate::lint::anchor_policy`]), the distrusted-roots table and
//!   the key blocklist. Findings name the certificate by subject and position `#n`.

use serde::{Deserialize, Serialize};

use crate::Certificate;
use crate::blocklist::KeyBlocklist;
use crate::lint::{self, AnchorPolicyParams};

/// What a certificate file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileUse {
    /// A server/client/device certificate, optionally followed by its chain.
    Identity,
    /// A set of CA certificates offered as trust anchors (`ca-bundle.crt`).
    CaBundle,
    /// A trust store (one or more anchors the device trusts).
    TrustStore,
}

/// The role a certificate plays in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Leaf,
    /// Chain candidate of an identity file (judged as a CA certificate).
    Intermediate,
    /// Trust-anchor candidate (judged by the anchor policy).
    Anchor,
}

/// One certificate of a file with its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placed {
    /// 1-based position in the file.
    pub position: usize,
    pub role: Role,
    pub subject: String,
    pub sha256_fingerprint: String,
}

/// Classifies the certificates of one file (in file order) by the file's use.
pub fn classify(certs: &[Certificate], usage: FileUse) -> Vec<Placed> {
    certs
        .iter()
        .enumerate()
        .map(|(i, c)| Placed {
            position: i + 1,
            role: match (usage, i) {
                (FileUse::Identity, 0) => Role::Leaf,
                (FileUse::Identity, _) => Role::Intermediate,
                _ => Role::Anchor,
            },
            subject: c.subject.clone(),
            sha256_fingerprint: c.sha256_fingerprint.clone(),
        })
        .collect()
}

/// Severity of a file finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    High,
    Critical,
}

/// A finding about one certificate of a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileFinding {
    /// 1-based position (`#n`).
    pub position: usize,
    pub subject: String,
    pub severity: Severity,
    /// Short machine-readable kind (`distrusted-root`, `blocklisted-key`, ...).
    pub kind: String,
    pub message: String,
}

/// Inputs of [`judge_file`].
#[derive(Debug, Clone, Default)]
pub struct FileContext<'a> {
    /// Evaluation time (unix seconds).
    pub as_of: i64,
    pub anchor_policy: AnchorPolicyParams,
    pub distrusted: Option<&'a DistrustedRoots>,
    pub blocklist: Option<&'a KeyBlocklist>,
}

/// Judges the certificates of one file by its use. Identity files: order and roles
/// (leaf first, then CA certificates, each issued by the next); bundles/trust stores:
/// every certificate as an anchor (anchor policy, duplicates, distrusted roots).
/// Every file: blocklisted keys. Findings are sorted by position.
pub fn judge_file(
    certs: &[Certificate],
    usage: FileUse,
    ctx: &FileContext<'_>,
) -> Vec<FileFinding> {
    let mut out = Vec::new();
    let mut push = |i: usize, c: &Certificate, severity, kind: &str, message: String| {
        out.push(FileFinding {
            position: i + 1,
            subject: c.subject.clone(),
            severity,
            kind: kind.into(),
            message: format!("certificate #{} `{}`: {message}", i + 1, c.subject),
        })
    };
    for (i, c) in certs.iter().enumerate() {
        match usage {
            FileUse::Identity if i == 0 => {
                if c.is_ca() {
                    push(i, c, Severity::High, "leaf-is-ca", "the first certificate of an identity file is the leaf, but it is a CA certificate (cA=TRUE)".into());
                }
            }
            FileUse::Identity => {
                if !c.is_ca() {
                    push(i, c, Severity::High, "intermediate-not-ca", "chain certificate after the leaf is not a CA certificate (no basicConstraints cA=TRUE); it cannot issue the certificate before it".into());
                }
                let child = &certs[i - 1];
                if child.issuer != c.subject {
                    push(
                        i,
                        c,
                        Severity::Warning,
                        "chain-order",
                        format!(
                            "does not issue the certificate before it (#{} names issuer `{}`); peers expect leaf first, then each issuer in order",
                            i, child.issuer
                        ),
                    );
                }
            }
            FileUse::CaBundle | FileUse::TrustStore => {
                if let Some(j) = certs[..i]
                    .iter()
                    .position(|d| d.sha256_fingerprint == c.sha256_fingerprint)
                {
                    push(
                        i,
                        c,
                        Severity::Info,
                        "duplicate",
                        format!("duplicates certificate #{}", j + 1),
                    );
                    continue;
                }
                for r in lint::anchor_policy(c, &ctx.anchor_policy, ctx.as_of) {
                    if !r.passed {
                        push(
                            i,
                            c,
                            if r.warning {
                                Severity::Warning
                            } else {
                                Severity::High
                            },
                            "anchor-policy",
                            r.message,
                        );
                    }
                }
                if let Some(d) = ctx.distrusted {
                    for e in d.matches(c) {
                        push(i, c, Severity::High, "distrusted-root", e);
                    }
                }
            }
        }
        if let Some(b) = ctx.blocklist {
            for h in b.check_certificate(c) {
                push(
                    i,
                    c,
                    Severity::Critical,
                    "blocklisted-key",
                    format!(
                        "public key is known-compromised ({:?}, source `{}`: {}{})",
                        h.matched_by,
                        h.source,
                        h.note,
                        if h.source_description.is_empty() {
                            String::new()
                        } else {
                            format!("; {}", h.source_description)
                        }
                    ),
                );
            }
        }
    }
    out.sort();
    out
}

// ------------------------------------------------------------------ distrusted roots

/// One row of the distrusted-roots table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DistrustedRoot {
    pub subject_cn: String,
    #[serde(default)]
    pub subject_o: Option<String>,
    /// When known: makes the match a key match rather than a subject-only match.
    #[serde(default)]
    pub spki_sha256: Option<String>,
    pub program: String,
    pub date: String,
    pub action: String,
    pub source: String,
    #[serde(default)]
    pub verified: bool,
}

/// The distrusted-roots table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrustedRoots {
    #[serde(default)]
    pub root: Vec<DistrustedRoot>,
}

/// Shipped table (`rules/params/distrusted-roots.txt`).
pub const DEFAULT_DISTRUSTED_ROOTS: &str =
    include_str!("../../../rules/params/distrusted-roots.txt");

impl DistrustedRoots {
    /// Parses a table; `name` names the file in errors.
    pub fn parse(text: &str, name: &str) -> Result<Self, String> {
        let t: Self = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        for (i, r) in t.root.iter().enumerate() {
            if let Some(h) = &r.spki_sha256
                && (h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                return Err(format!(
                    "{name}: root #{} `{}`: spki_sha256 must be 64 hex digits",
                    i + 1,
                    r.subject_cn
                ));
            }
        }
        Ok(t)
    }

    /// The shipped table.
    pub fn shipped() -> Self {
        Self::parse(
            DEFAULT_DISTRUSTED_ROOTS,
            "rules/params/distrusted-roots.txt",
        )
        .unwrap_or_default()
    }

    /// Messages for each entry matching `c` (empty when none).
    pub fn matches(&self, c: &Certificate) -> Vec<String> {
        let Some(cn) = c.subject_cn.as_deref() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for r in &self.root {
            let key_match = r
                .spki_sha256
                .as_deref()
                .is_some_and(|h| h.eq_ignore_ascii_case(&c.spki_sha256));
            let name_match = r.subject_cn.eq_ignore_ascii_case(cn.trim())
                && r.subject_o.as_deref().is_none_or(|o| {
                    c.subject
                        .to_lowercase()
                        .contains(&format!("o={}", o.to_lowercase()))
                });
            if !(key_match || name_match) {
                continue;
            }
            let how = if key_match {
                "key match (SPKI SHA-256)"
            } else if r.spki_sha256.is_some() {
                "SUBJECT-ONLY match: the name matches but the key differs from the listed root (re-keyed root of the same name?)"
            } else {
                "SUBJECT-ONLY match (no key hash listed)"
            };
            out.push(format!(
                "root `{}` distrusted by {} ({}): {}; {how}; source: {}{}",
                r.subject_cn,
                r.program,
                r.date,
                r.action,
                r.source,
                if r.verified { "" } else { " (not re-verified)" }
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_table_parses() {
        let t = DistrustedRoots::parse(DEFAULT_DISTRUSTED_ROOTS, "distrusted-roots.txt").unwrap();
        assert!(t.root.len() >= 20);
        assert!(t.root.iter().any(|r| r.subject_cn == "DigiNotar Root CA"));
        assert!(DistrustedRoots::parse("[[root]]\nsubject_cn = 1\n", "x.toml").is_err());
    }
}
