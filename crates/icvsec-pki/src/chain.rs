//! Certification path validation after RFC 5280 §6, written for icvsec (no webpki).
//!
//! * Path building: candidate issuers are found through a map from normalised subject
//!   name to certificates (RFC 5280 §6.1.3 (a)(4) chains by name); candidates whose
//!   subjectKeyIdentifier equals the child's authorityKeyIdentifier are tried first.
//!   Depth-first search, bounded by [`MAX_PATH_CERTS`] certificates per path and
//!   [`MAX_CANDIDATES`] issuer candidates examined per validation; reaching a bound is a
//!   [`ChainErrorKind::BuildLimit`] failure, never a pass.
//! * Path processing (§6.1.2–§6.1.5) top-down from the anchor: signatures (ring),
//!   validity at `as_of` (both ends inclusive), name constraints (DNS, IP, directory name,
//!   rfc822 incl. the subject emailAddress attribute; self-issued intermediates exempt),
//!   certificate policies without a policy tree (policy *sets*; see [`ChainOptions`]),
//!   policy mappings, requireExplicitPolicy, inhibitPolicyMapping, inhibitAnyPolicy,
//!   basicConstraints cA, pathLenConstraint (self-issued not counted), keyUsage
//!   keyCertSign, unknown critical extensions. Profile rules of §4 that make a path
//!   unusable are checked too: serial numbers (positive, at most 20 octets), AKI/SKI
//!   presence and non-criticality, non-empty issuer and CA subject, keyCertSign without cA.
//! * Trust anchors: RFC 5280 §6.1.1 (d) treats an anchor as a name and a key, and leaves
//!   anything else to the application. icvsec is given anchors as certificates from a
//!   trust store shipped in a vehicle; by default it judges them as RFC 5937 allows:
//!   an expired or not-yet-valid anchor, a v3 anchor without basicConstraints cA, with
//!   keyUsage lacking keyCertSign or with an unknown critical extension is refused. A v1
//!   anchor (no extensions possible) is accepted as a root. The anchor's own
//!   pathLenConstraint and name constraints apply to the path (RFC 5937 §2). `bare_anchors`
//!   switches to the plain §6.1.1 behaviour (name and key only).
//!
//! Not done: revocation (§6.3; CRLs/OCSP are not available offline), the full
//! valid_policy_tree (qualifier sets are not tracked; only the set of valid policy OIDs,
//! which is what decides acceptance), name constraints on URI, otherName, x400 and
//! EDIPartyName (a constrained name of such a type fails as "cannot evaluate"), and the
//! common-name host-name fallback (deliberately absent: a TLS server certificate must
//! carry subjectAltName).

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use crate::cert::verify_signature;
use crate::der::{children, hex, read_tlv};
use crate::oids::HashFamily;
use crate::{Certificate, PublicKeyInfo};

/// Most certificates in one path (leaf, intermediates and anchor).
pub const MAX_PATH_CERTS: usize = 16;
/// Most issuer candidates examined (signature checks) in one validation.
pub const MAX_CANDIDATES: usize = 2048;
/// Most name-against-constraint comparisons for one certificate (names × subtrees); a
/// hostile certificate with thousands of SAN entries under thousands of subtrees is an
/// error, not a long computation.
pub const MAX_NAME_CHECKS: usize = 1 << 20;

pub use crate::purpose::KeyPurpose;

/// Options of [`verify_chain`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChainOptions {
    /// Required extendedKeyUsage of the leaf (and of intermediates that carry one).
    pub eku: Option<KeyPurpose>,
    /// DNS name or IP address the leaf must be valid for (subjectAltName only; no
    /// common-name fallback).
    pub hostname: Option<String>,
    /// Largest number of intermediate certificates between leaf and anchor; self-issued
    /// intermediates are not counted (RFC 5280 §4.2.1.9).
    pub max_depth: Option<u32>,
    /// Apply icvsec's key policy to every certificate of the built path (leaf,
    /// intermediates, anchor): RSA >= 2048 bits, no DSA, EC curves from the default
    /// allowlist of [`crate::lint::ec_curve`].
    pub strict_keys: bool,
    /// With `eku` set, also require the leaf to carry an extendedKeyUsage extension that
    /// names the purpose and not anyExtendedKeyUsage.
    pub strict_eku: bool,
    /// user-initial-policy-set (RFC 5280 §6.1.1 (c)), dotted OIDs; empty = anyPolicy.
    pub initial_policies: Vec<String>,
    /// initial-explicit-policy (§6.1.1 (f)): the path must be valid for a policy.
    pub require_explicit_policy: bool,
    /// initial-policy-mapping-inhibit (§6.1.1 (e)).
    pub inhibit_policy_mapping: bool,
    /// initial-any-policy-inhibit (§6.1.1 (g)).
    pub inhibit_any_policy: bool,
    /// Treat anchors as name and key only (RFC 5280 §6.1.1 (d)) instead of icvsec's
    /// anchor checks (validity, cA, keyCertSign, critical extensions).
    pub bare_anchors: bool,
    /// Do not fail a path for a missing authorityKeyIdentifier / subjectKeyIdentifier
    /// (RFC 5280 4.2.1.1/4.2.1.2 make them mandatory; some embedded PKIs omit them).
    pub lenient_key_identifiers: bool,
}

/// Why a path could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainErrorKind {
    UnknownIssuer,
    BadSignature,
    Expired,
    NotYetValid,
    NameConstraints,
    Eku,
    PathLength,
    HostnameMismatch,
    CaUsedAsLeaf,
    /// A certificate used as an issuer is not a CA (basicConstraints cA absent/false).
    LeafUsedAsCa,
    UnsupportedAlgorithm,
    /// A key in the path fails the key policy (`strict_keys`).
    WeakKey,
    Malformed,
    /// keyUsage of an issuer lacks keyCertSign, or keyCertSign without cA.
    KeyUsage,
    /// A critical extension the validator does not process.
    UnknownCriticalExtension,
    /// No valid policy where one is required.
    Policy,
    /// Serial number zero, negative or longer than 20 octets.
    BadSerial,
    /// authorityKeyIdentifier / subjectKeyIdentifier missing where RFC 5280 requires it,
    /// or marked critical.
    KeyIdentifier,
    /// The trust anchor itself is unusable under icvsec's anchor checks.
    BadAnchor,
    /// [`MAX_PATH_CERTS`] or [`MAX_CANDIDATES`] reached.
    BuildLimit,
    Other,
}

/// The broken link of a failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainFailure {
    pub kind: ChainErrorKind,
    /// Subject of the certificate whose link is broken.
    pub child_subject: String,
    /// The issuer name it was looking for.
    pub wanted_issuer: String,
    /// Subject of the candidate issuer / anchor tried, if any.
    pub tried: Option<String>,
    /// Section of RFC 5280 (or other source) the failed rule comes from.
    #[serde(default)]
    pub clause: String,
    /// Human-readable reason.
    pub message: String,
}

/// Result of [`verify_chain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainVerdict {
    pub valid: bool,
    /// Subjects from leaf to anchor when valid.
    pub path: Vec<String>,
    pub failure: Option<ChainFailure>,
}

// ------------------------------------------------------------------ names

/// One attribute of a normalised distinguished name: (type OID, value).
type Atv = (String, String);
/// Normalised DN: RDNs in order, each a sorted set of attributes.
type Dn = Vec<Vec<Atv>>;

/// RFC 5280 §7.1 name comparison, simplified: case-insensitive, leading/trailing and
/// repeated inner whitespace ignored for string values; other values by exact bytes.
fn norm_value(a: &x509_parser::x509::AttributeTypeAndValue<'_>) -> String {
    match a.as_str() {
        Ok(s) => s
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase(),
        Err(_) => format!("#{}", hex(a.attr_value().data)),
    }
}

fn norm_dn(n: &X509Name<'_>) -> Dn {
    n.iter_rdn()
        .map(|r| {
            let mut v: Vec<Atv> = r
                .iter()
                .map(|a| (a.attr_type().to_id_string(), norm_value(a)))
                .collect();
            v.sort();
            v
        })
        .collect()
}

fn dn_key(d: &Dn) -> String {
    let mut s = String::new();
    for r in d {
        s.push('/');
        for (i, (t, v)) in r.iter().enumerate() {
            if i > 0 {
                s.push('+');
            }
            s.push_str(t);
            s.push('=');
            s.push_str(v);
        }
    }
    s
}

/// A name as far as name constraints are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Gn {
    Dns(String),
    /// Address bytes (4 or 16); in a constraint, followed by as many mask bytes.
    Ip(Vec<u8>),
    Dir(Dn),
    Email(String),
    /// A form icvsec cannot evaluate (URI, otherName, x400, EDIPartyName, registeredID).
    Other(&'static str),
}

impl Gn {
    fn kind(&self) -> &'static str {
        match self {
            Gn::Dns(_) => "dNSName",
            Gn::Ip(_) => "iPAddress",
            Gn::Dir(_) => "directoryName",
            Gn::Email(_) => "rfc822Name",
            Gn::Other(k) => k,
        }
    }
    fn show(&self) -> String {
        match self {
            Gn::Dns(d) => format!("DNS:{d}"),
            Gn::Ip(b) => format!("IP:{}", hex(b)),
            Gn::Dir(d) => format!("DirName:{}", dn_key(d)),
            Gn::Email(e) => format!("email:{e}"),
            Gn::Other(k) => (*k).to_string(),
        }
    }
}

fn gn(g: &GeneralName<'_>) -> Gn {
    match g {
        GeneralName::DNSName(d) => Gn::Dns(d.to_ascii_lowercase()),
        GeneralName::IPAddress(b) => Gn::Ip(b.to_vec()),
        GeneralName::DirectoryName(n) => Gn::Dir(norm_dn(n)),
        GeneralName::RFC822Name(e) => Gn::Email(e.to_string()),
        GeneralName::URI(_) => Gn::Other("uniformResourceIdentifier"),
        GeneralName::OtherName(..) => Gn::Other("otherName"),
        GeneralName::X400Address(_) => Gn::Other("x400Address"),
        GeneralName::EDIPartyName(_) => Gn::Other("ediPartyName"),
        GeneralName::RegisteredID(_) => Gn::Other("registeredID"),
        GeneralName::Invalid(..) => Gn::Other("invalid GeneralName"),
    }
}

/// DNS name `name` lies within DNS constraint `c` (RFC 5280 §4.2.1.10: adding labels to
/// the left; a leading dot as used by some CAs means subdomains only).
fn dns_within(name: &str, c: &str) -> bool {
    let name = name.trim_end_matches('.');
    let c = c.trim_end_matches('.').to_ascii_lowercase();
    if c.is_empty() {
        return true;
    }
    if let Some(sub) = c.strip_prefix('.') {
        return name.len() > sub.len() + 1 && name.ends_with(&c);
    }
    name == c || (name.len() > c.len() && name.ends_with(&format!(".{c}")))
}

fn email_within(addr: &str, c: &str) -> bool {
    let addr_l = addr.to_ascii_lowercase();
    let c_l = c.to_ascii_lowercase();
    let host = addr_l.rsplit_once('@').map_or(addr_l.as_str(), |x| x.1);
    if c.contains('@') {
        // A mailbox: local part case-sensitive, host not.
        match (addr.rsplit_once('@'), c.rsplit_once('@')) {
            (Some((al, ah)), Some((cl, ch))) => al == cl && ah.eq_ignore_ascii_case(ch),
            _ => false,
        }
    } else if let Some(dom) = c_l.strip_prefix('.') {
        host.ends_with(&format!(".{dom}"))
    } else {
        host == c_l
    }
}

fn ip_within(addr: &[u8], c: &[u8]) -> Option<bool> {
    if c.len() != addr.len() * 2 {
        // Address family differs, or a malformed constraint.
        return if c.len() == 8 || c.len() == 32 {
            Some(false)
        } else {
            None
        };
    }
    let (net, mask) = c.split_at(addr.len());
    Some(
        addr.iter()
            .zip(net)
            .zip(mask)
            .all(|((a, n), m)| a & m == n & m),
    )
}

fn dir_within(name: &Dn, c: &Dn) -> bool {
    name.len() >= c.len() && name[..c.len()] == c[..]
}

/// Some(true) = within, Some(false) = not, None = the constraint does not speak about
/// this form of name.
fn within(name: &Gn, c: &Gn) -> Option<bool> {
    match (name, c) {
        (Gn::Dns(n), Gn::Dns(cc)) => Some(dns_within(n, cc)),
        (Gn::Email(n), Gn::Email(cc)) => Some(email_within(n, cc)),
        (Gn::Ip(n), Gn::Ip(cc)) => ip_within(n, cc),
        (Gn::Dir(n), Gn::Dir(cc)) => Some(dir_within(n, cc)),
        _ => None,
    }
}

/// Accumulated name constraints (§6.1.2 (b)(c)): permitted subtrees per CA (each set must
/// be satisfied: intersection) and the union of excluded subtrees.
#[derive(Default, Clone)]
struct NameState {
    permitted: Vec<Vec<Gn>>,
    excluded: Vec<Gn>,
}

impl NameState {
    fn check(&self, name: &Gn) -> Result<(), String> {
        if let Gn::Other(k) = name {
            let constrained = self
                .permitted
                .iter()
                .flatten()
                .chain(&self.excluded)
                .any(|c| c.kind() == *k);
            return if constrained {
                Err(format!("cannot evaluate name constraints on a {k}"))
            } else {
                Ok(())
            };
        }
        for c in &self.excluded {
            if within(name, c) == Some(true) {
                return Err(format!(
                    "{} is within excluded subtree {}",
                    name.show(),
                    c.show()
                ));
            }
        }
        for set in &self.permitted {
            let same_form: Vec<&Gn> = set.iter().filter(|c| c.kind() == name.kind()).collect();
            if same_form.is_empty() {
                continue; // no constraint on this form of name
            }
            if !same_form.iter().any(|c| within(name, c) == Some(true)) {
                return Err(format!(
                    "{} is outside the permitted subtrees {}",
                    name.show(),
                    same_form
                        .iter()
                        .map(|c| c.show())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------ per-certificate facts

const ANY_POLICY: &str = "2.5.29.32.0";
const ANY_EKU: &str = "2.5.29.37.0";
const EMAIL_ATTR: &str = "1.2.840.113549.1.9.1";

/// Extensions this validator processes (others, if critical, fail the path).
const KNOWN_EXTENSIONS: &[&str] = &[
    "2.5.29.14", // subjectKeyIdentifier
    "2.5.29.15", // keyUsage
    "2.5.29.17", // subjectAltName
    "2.5.29.19", // basicConstraints
    "2.5.29.30", // nameConstraints
    "2.5.29.32", // certificatePolicies
    "2.5.29.33", // policyMappings
    "2.5.29.35", // authorityKeyIdentifier
    "2.5.29.36", // policyConstraints
    "2.5.29.37", // extKeyUsage
    "2.5.29.54", // inhibitAnyPolicy
];

struct Node<'a> {
    cert: &'a Certificate,
    anchor: bool,
    subject: Dn,
    issuer_key: String,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
    ski_critical: bool,
    aki_critical: bool,
    /// (cA, pathLen) when basicConstraints present.
    bc: Option<(bool, Option<u32>)>,
    ku_cert_sign: Option<bool>,
    eku: Option<BTreeSet<String>>,
    /// Names of the subject for name constraints: SAN entries, subject DN, emailAddress.
    names: Vec<Gn>,
    nc_permitted: Option<Vec<Gn>>,
    nc_excluded: Vec<Gn>,
    policies: Option<Vec<String>>,
    mappings: Vec<(String, String)>,
    require_explicit: Option<u32>,
    inhibit_mapping: Option<u32>,
    inhibit_any: Option<u32>,
    unknown_critical: Vec<String>,
    /// Extension decoding faults and duplicated extensions.
    malformed: Vec<String>,
    issuer_empty: bool,
    tbs: &'a [u8],
    sig: &'a [u8],
    spki: &'a [u8],
    serial: &'a [u8],
}

fn node(cert: &Certificate, anchor: bool) -> Result<Node<'_>, String> {
    let (_, x) = X509Certificate::from_der(&cert.der).map_err(|e| format!("{e}"))?;
    let tbs = &x.tbs_certificate;
    let (outer, _) = read_tlv(&cert.der).map_err(|f| f.message)?;
    let top = children(outer.content).map_err(|f| f.message)?;
    let [tbs_t, _, sig_t] = top.as_slice() else {
        return Err("certificate is not SEQUENCE { tbs, alg, sig }".into());
    };
    let subject = norm_dn(&tbs.subject);
    let mut n = Node {
        cert,
        anchor,
        issuer_key: dn_key(&norm_dn(&tbs.issuer)),
        issuer_empty: tbs.issuer.iter_rdn().next().is_none(),
        names: Vec::new(),
        subject,
        ski: None,
        aki: None,
        ski_critical: false,
        aki_critical: false,
        bc: None,
        ku_cert_sign: None,
        eku: None,
        nc_permitted: None,
        nc_excluded: Vec::new(),
        policies: None,
        mappings: Vec::new(),
        require_explicit: None,
        inhibit_mapping: None,
        inhibit_any: None,
        unknown_critical: Vec::new(),
        malformed: Vec::new(),
        tbs: tbs_t.raw,
        sig: sig_t.content.get(1..).unwrap_or(&[]),
        spki: tbs.subject_pki.raw,
        serial: tbs.raw_serial(),
    };
    if !n.subject.is_empty() {
        n.names.push(Gn::Dir(n.subject.clone()));
    }
    for a in tbs.subject.iter_attributes() {
        if a.attr_type().to_id_string() == EMAIL_ATTR
            && let Ok(s) = a.as_str()
        {
            n.names.push(Gn::Email(s.to_string()));
        }
    }
    let mut seen = BTreeSet::new();
    for ext in tbs.extensions() {
        let oid = ext.oid.to_id_string();
        if !seen.insert(oid.clone()) {
            n.malformed.push(format!("extension {oid} appears twice"));
        }
        if ext.critical && !KNOWN_EXTENSIONS.contains(&oid.as_str()) {
            n.unknown_critical.push(oid.clone());
        }
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => {
                n.ski = Some(k.0.to_vec());
                n.ski_critical = ext.critical;
            }
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                n.aki = a.key_identifier.as_ref().map(|k| k.0.to_vec());
                n.aki_critical = ext.critical;
            }
            ParsedExtension::BasicConstraints(b) => n.bc = Some((b.ca, b.path_len_constraint)),
            ParsedExtension::KeyUsage(k) => n.ku_cert_sign = Some(k.key_cert_sign()),
            ParsedExtension::ExtendedKeyUsage(e) => {
                let mut s: BTreeSet<String> = e.other.iter().map(|o| o.to_id_string()).collect();
                for (set, o) in [
                    (e.any, ANY_EKU),
                    (e.server_auth, "1.3.6.1.5.5.7.3.1"),
                    (e.client_auth, "1.3.6.1.5.5.7.3.2"),
                    (e.code_signing, "1.3.6.1.5.5.7.3.3"),
                    (e.email_protection, "1.3.6.1.5.5.7.3.4"),
                    (e.time_stamping, "1.3.6.1.5.5.7.3.8"),
                    (e.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
                ] {
                    if set {
                        s.insert(o.to_string());
                    }
                }
                if s.is_empty() {
                    n.malformed
                        .push("extKeyUsage lists no purpose (RFC 5280 4.2.1.12)".into());
                }
                n.eku = Some(s);
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                if san.general_names.is_empty() {
                    n.malformed.push("subjectAltName is empty".into());
                }
                n.names.extend(san.general_names.iter().map(gn));
            }
            ParsedExtension::NameConstraints(nc) => {
                if nc.permitted_subtrees.is_none() && nc.excluded_subtrees.is_none() {
                    n.malformed
                        .push("nameConstraints with neither permitted nor excluded subtrees (RFC 5280 4.2.1.10)".into());
                }
                n.nc_permitted = nc
                    .permitted_subtrees
                    .as_ref()
                    .map(|v| v.iter().map(|s| gn(&s.base)).collect());
                n.nc_excluded = nc
                    .excluded_subtrees
                    .iter()
                    .flatten()
                    .map(|s| gn(&s.base))
                    .collect();
            }
            ParsedExtension::CertificatePolicies(p) => {
                n.policies = Some(p.iter().map(|i| i.policy_id.to_id_string()).collect())
            }
            ParsedExtension::PolicyMappings(m) => {
                n.mappings = m
                    .mappings
                    .iter()
                    .map(|x| {
                        (
                            x.issuer_domain_policy.to_id_string(),
                            x.subject_domain_policy.to_id_string(),
                        )
                    })
                    .collect()
            }
            ParsedExtension::PolicyConstraints(pc) => {
                n.require_explicit = pc.require_explicit_policy;
                n.inhibit_mapping = pc.inhibit_policy_mapping;
            }
            ParsedExtension::InhibitAnyPolicy(i) => n.inhibit_any = Some(i.skip_certs),
            ParsedExtension::ParseError { error } => {
                n.malformed.push(format!("extension {oid}: {error}"))
            }
            _ => {}
        }
    }
    Ok(n)
}

// ------------------------------------------------------------------ failures

struct Fail {
    kind: ChainErrorKind,
    /// Index (into the node table) of the certificate at fault.
    at: usize,
    tried: Option<usize>,
    clause: &'static str,
    message: String,
}

fn f(
    kind: ChainErrorKind,
    at: usize,
    tried: Option<usize>,
    clause: &'static str,
    message: String,
) -> Fail {
    Fail {
        kind,
        at,
        tried,
        clause,
        message,
    }
}

// ------------------------------------------------------------------ signatures

/// Verifies that `child` is signed by `issuer`'s key. Algorithms below icvsec's floor
/// (SHA-1, MD5, RSA under 2048 bits) and algorithms ring lacks (SM2, DSA, P-521) are
/// reported as unsupported, never as valid.
fn check_signature(child: &Node<'_>, issuer: &Node<'_>) -> Result<(), (ChainErrorKind, String)> {
    let alg = &child.cert.signature_algorithm;
    if alg.der_hex != child.cert.tbs_signature_algorithm.der_hex {
        return Err((
            ChainErrorKind::Malformed,
            "signatureAlgorithm differs from TBSCertificate.signature (RFC 5280 4.1.1.2)".into(),
        ));
    }
    if alg.oid.starts_with("1.2.156.10197.1.50")
        || matches!(&issuer.cert.public_key, PublicKeyInfo::Ec { curve_name: Some(n), .. } if n == "SM2")
    {
        return Err((
            ChainErrorKind::UnsupportedAlgorithm,
            "cannot verify SM2 signatures (no SM2 implementation in ring); chain not validated"
                .into(),
        ));
    }
    if matches!(
        alg.hash,
        HashFamily::Sha1 | HashFamily::Md5 | HashFamily::Md2
    ) {
        return Err((
            ChainErrorKind::UnsupportedAlgorithm,
            format!("signature algorithm {} is not accepted", alg.name),
        ));
    }
    if let PublicKeyInfo::Rsa { bits, .. } = issuer.cert.public_key
        && bits < 2048
    {
        return Err((
            ChainErrorKind::UnsupportedAlgorithm,
            format!("issuer RSA key of {bits} bits is below 2048 bits; signature not accepted"),
        ));
    }
    match verify_signature(child.tbs, alg, child.sig, issuer.spki) {
        Some(true) => Ok(()),
        Some(false) => Err((
            ChainErrorKind::BadSignature,
            format!(
                "signature of `{}` does not verify with the key of `{}`",
                child.cert.subject, issuer.cert.subject
            ),
        )),
        None => Err((
            ChainErrorKind::UnsupportedAlgorithm,
            format!(
                "cannot verify {} with a {} key",
                alg.name,
                key_name(&issuer.cert.public_key)
            ),
        )),
    }
}

fn key_name(k: &PublicKeyInfo) -> String {
    match k {
        PublicKeyInfo::Rsa { bits, .. } => format!("RSA-{bits}"),
        PublicKeyInfo::Ec { curve_name, .. } => {
            format!("EC {}", curve_name.as_deref().unwrap_or("(unknown curve)"))
        }
        PublicKeyInfo::Ed25519 => "Ed25519".into(),
        PublicKeyInfo::Ed448 => "Ed448".into(),
        PublicKeyInfo::Dsa { bits } => format!("DSA-{bits}"),
        PublicKeyInfo::Unknown { oid } => format!("key {oid}"),
    }
}

// ------------------------------------------------------------------ the validator

/// Certificates indexed for path building. Build once, validate many leaves.
pub struct PathBuilder<'a> {
    nodes: Vec<Node<'a>>,
    /// Normalised subject name → node indices (anchors first).
    by_subject: HashMap<String, Vec<usize>>,
    /// subjectKeyIdentifier → node indices (for diagnosis of name mismatches).
    by_ski: HashMap<Vec<u8>, Vec<usize>>,
    /// Certificates that could not be decoded (subject, reason).
    rejected: Vec<(String, String)>,
    anchors: usize,
}

impl<'a> PathBuilder<'a> {
    /// Indexes anchors and intermediate candidates. An intermediate identical to an
    /// anchor is dropped (the anchor wins). O(n) in the number of certificates.
    pub fn new(intermediates: &'a [Certificate], anchors: &'a [Certificate]) -> Self {
        let i: Vec<&Certificate> = intermediates.iter().collect();
        let a: Vec<&Certificate> = anchors.iter().collect();
        Self::from_refs(&i, &a)
    }

    /// As [`PathBuilder::new`], over certificates held elsewhere (no copies).
    pub fn from_refs(intermediates: &[&'a Certificate], anchors: &[&'a Certificate]) -> Self {
        let mut b = PathBuilder {
            nodes: Vec::with_capacity(intermediates.len() + anchors.len()),
            by_subject: HashMap::new(),
            by_ski: HashMap::new(),
            rejected: Vec::new(),
            anchors: 0,
        };
        let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (&c, is_anchor) in anchors
            .iter()
            .map(|c| (c, true))
            .chain(intermediates.iter().map(|c| (c, false)))
        {
            if !seen.insert(c.sha256_fingerprint.as_str()) {
                continue;
            }
            match node(c, is_anchor) {
                Ok(n) => {
                    let i = b.nodes.len();
                    b.by_subject.entry(dn_key(&n.subject)).or_default().push(i);
                    if let Some(k) = &n.ski {
                        b.by_ski.entry(k.clone()).or_default().push(i);
                    }
                    b.anchors += is_anchor as usize;
                    b.nodes.push(n);
                }
                Err(e) => b.rejected.push((c.subject.clone(), e)),
            }
        }
        b
    }

    /// Validates `leaf` at `at` (unix seconds).
    pub fn verify(&self, leaf: &Certificate, at: i64, opts: &ChainOptions) -> ChainVerdict {
        let leaf_node = match node(leaf, false) {
            Ok(n) => n,
            Err(e) => {
                return verdict_fail(
                    ChainErrorKind::Malformed,
                    leaf,
                    None,
                    "RFC 5280 4.1",
                    format!("leaf cannot be decoded: {e}"),
                );
            }
        };
        let mut search = Search {
            b: self,
            leaf: leaf_node,
            at,
            opts,
            budget: MAX_CANDIDATES,
            best: None,
            best_depth: 0,
            exhausted: false,
        };
        let mut path = vec![usize::MAX];
        if let Some(done) = search.dfs(&mut path) {
            let subjects = done
                .iter()
                .map(|&i| search.get(i).cert.subject.clone())
                .collect();
            return ChainVerdict {
                valid: true,
                path: subjects,
                failure: None,
            };
        }
        let fail = search.best.take().unwrap_or_else(|| {
            f(
                ChainErrorKind::UnknownIssuer,
                usize::MAX,
                None,
                "RFC 5280 6.1",
                "no path found".into(),
            )
        });
        let child = search.get(fail.at).cert;
        let mut message = fail.message;
        if !self.rejected.is_empty() {
            message.push_str(&format!(
                "; {} candidate certificate(s) could not be decoded: {}",
                self.rejected.len(),
                self.rejected
                    .iter()
                    .take(3)
                    .map(|(s, e)| format!("`{s}`: {e}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        ChainVerdict {
            valid: false,
            path: vec![],
            failure: Some(ChainFailure {
                kind: fail.kind,
                child_subject: child.subject.clone(),
                wanted_issuer: child.issuer.clone(),
                tried: fail.tried.map(|i| search.get(i).cert.subject.clone()),
                clause: fail.clause.to_string(),
                message,
            }),
        }
    }
}

fn verdict_fail(
    kind: ChainErrorKind,
    child: &Certificate,
    tried: Option<&Certificate>,
    clause: &str,
    message: String,
) -> ChainVerdict {
    ChainVerdict {
        valid: false,
        path: vec![],
        failure: Some(ChainFailure {
            kind,
            child_subject: child.subject.clone(),
            wanted_issuer: child.issuer.clone(),
            tried: tried.map(|t| t.subject.clone()),
            clause: clause.to_string(),
            message,
        }),
    }
}

struct Search<'s, 'a> {
    b: &'s PathBuilder<'a>,
    leaf: Node<'s>,
    at: i64,
    opts: &'s ChainOptions,
    budget: usize,
    best: Option<Fail>,
    best_depth: usize,
    exhausted: bool,
}

impl<'s, 'a> Search<'s, 'a> {
    /// Node by index; `usize::MAX` is the leaf.
    fn get(&self, i: usize) -> &Node<'_> {
        if i == usize::MAX {
            &self.leaf
        } else {
            &self.b.nodes[i]
        }
    }

    fn record(&mut self, fail: Fail, depth: usize) {
        // Keep the failure of the longest path attempted; a hard limit always wins.
        let limit = fail.kind == ChainErrorKind::BuildLimit;
        if self.best.is_none()
            || limit
            || (depth > self.best_depth
                && self
                    .best
                    .as_ref()
                    .is_none_or(|b| b.kind != ChainErrorKind::BuildLimit))
        {
            self.best = Some(fail);
            self.best_depth = depth;
        }
    }

    /// Depth-first path building from the last element of `path` (leaf first).
    fn dfs(&mut self, path: &mut Vec<usize>) -> Option<Vec<usize>> {
        let cur = *path.last()?;
        let (issuer_key, aki) = {
            let n = self.get(cur);
            (n.issuer_key.clone(), n.aki.clone())
        };
        let Some(cands) = self.b.by_subject.get(&issuer_key) else {
            let n = self.get(cur);
            let hint = aki
                .as_ref()
                .and_then(|k| self.b.by_ski.get(k))
                .and_then(|v| v.first())
                .map(|&i| {
                    format!(
                        "; `{}` carries the key identifier its authorityKeyIdentifier names, but its subject differs (RFC 5280 6.1.3 (a)(4) chains by name)",
                        self.b.nodes[i].cert.subject
                    )
                })
                .unwrap_or_default();
            let msg = format!(
                "no certificate among {} intermediates and {} anchors has subject `{}` (issuer of `{}`){hint}",
                self.b.nodes.len() - self.b.anchors,
                self.b.anchors,
                n.cert.issuer,
                n.cert.subject
            );
            let depth = path.len();
            self.record(
                f(
                    ChainErrorKind::UnknownIssuer,
                    cur,
                    None,
                    "RFC 5280 6.1.3 (a)(4)",
                    msg,
                ),
                depth,
            );
            return None;
        };
        // Anchors first, then a matching key identifier first.
        let mut order: Vec<usize> = cands.clone();
        order.sort_by_key(|&i| {
            let n = &self.b.nodes[i];
            let kid = match (&aki, &n.ski) {
                (Some(a), Some(s)) if a == s => 0,
                (Some(_), Some(_)) => 2,
                _ => 1,
            };
            (!n.anchor, kid, i)
        });
        for i in order {
            if path.contains(&i) {
                continue;
            }
            if self.budget == 0 {
                if !self.exhausted {
                    self.exhausted = true;
                    let msg = format!(
                        "gave up after examining {MAX_CANDIDATES} issuer candidates; no valid path found within the bound"
                    );
                    self.record(
                        f(ChainErrorKind::BuildLimit, cur, None, "icvsec bound", msg),
                        usize::MAX,
                    );
                }
                return None;
            }
            self.budget -= 1;
            if let Err((kind, msg)) = check_signature(self.get(cur), &self.b.nodes[i]) {
                let depth = path.len();
                self.record(f(kind, cur, Some(i), "RFC 5280 6.1.3 (a)(1)", msg), depth);
                continue;
            }
            path.push(i);
            if self.b.nodes[i].anchor {
                match self.process(path) {
                    Ok(()) => return Some(path.clone()),
                    Err(e) => {
                        let depth = path.len();
                        self.record(e, depth);
                    }
                }
            } else if path.len() >= MAX_PATH_CERTS {
                let msg = format!(
                    "no anchor within {MAX_PATH_CERTS} certificates (path {})",
                    path.iter()
                        .map(|&j| format!("`{}`", self.get(j).cert.subject))
                        .collect::<Vec<_>>()
                        .join(" → ")
                );
                self.record(
                    f(
                        ChainErrorKind::BuildLimit,
                        cur,
                        Some(i),
                        "icvsec bound",
                        msg,
                    ),
                    path.len(),
                );
            } else if let Some(done) = self.dfs(path) {
                return Some(done);
            }
            path.pop();
            if self.exhausted {
                return None;
            }
        }
        None
    }

    /// RFC 5280 §6.1.2–§6.1.5 over `path` (leaf first, anchor last).
    fn process(&self, path: &[usize]) -> Result<(), Fail> {
        let opts = self.opts;
        let anchor_i = *path.last().unwrap_or(&usize::MAX);
        let anchor = self.get(anchor_i);
        if !opts.bare_anchors {
            self.check_anchor(anchor_i)?;
        }
        let n = path.len() - 1; // certificates below the anchor
        // §6.1.2 initialisation.
        let mut valid: Option<BTreeSet<String>> = Some([ANY_POLICY.to_string()].into());
        let mut explicit_policy = if opts.require_explicit_policy {
            0
        } else {
            n + 1
        };
        let mut inhibit_any = if opts.inhibit_any_policy { 0 } else { n + 1 };
        let mut policy_mapping = if opts.inhibit_policy_mapping {
            0
        } else {
            n + 1
        };
        let mut names = NameState::default();
        let mut max_path_length = n;
        // RFC 5937: constraints carried by the anchor certificate (pathLenConstraint,
        // name constraints) apply to the path, as OpenSSL and most validators do.
        if !opts.bare_anchors {
            if let Some((_, Some(pl))) = anchor.bc {
                max_path_length = max_path_length.min(pl as usize);
            }
            if let Some(p) = &anchor.nc_permitted {
                names.permitted.push(p.clone());
            }
            names.excluded.extend(anchor.nc_excluded.iter().cloned());
        }
        let mut logical_intermediates = 0u32;
        // Certificates top-down: i = 1 is issued by the anchor, i = n is the leaf.
        for (i, &ci) in path[..n].iter().rev().enumerate() {
            let i = i + 1;
            let c = self.get(ci);
            let issuer_i = path[n - i + 1];
            let is_leaf = i == n;
            let subj = &c.cert.subject;
            // (a)(2) validity, both ends inclusive (§4.1.2.5).
            if self.at < c.cert.not_before {
                return Err(f(
                    ChainErrorKind::NotYetValid,
                    ci,
                    Some(issuer_i),
                    "RFC 5280 6.1.3 (a)(2)",
                    format!("`{subj}` not yet valid (notBefore {})", c.cert.not_before),
                ));
            }
            if self.at > c.cert.not_after {
                return Err(f(
                    ChainErrorKind::Expired,
                    ci,
                    Some(issuer_i),
                    "RFC 5280 6.1.3 (a)(2)",
                    format!("`{subj}` expired (notAfter {})", c.cert.not_after),
                ));
            }
            self.profile(ci, Some(issuer_i), is_leaf)?;
            // (b), (c) name constraints; self-issued intermediates are exempt.
            if is_leaf || !c.cert.self_issued {
                let subtrees =
                    names.excluded.len() + names.permitted.iter().map(Vec::len).sum::<usize>();
                if c.names.len().saturating_mul(subtrees) > MAX_NAME_CHECKS {
                    return Err(f(
                        ChainErrorKind::BuildLimit,
                        ci,
                        Some(issuer_i),
                        "icvsec bound",
                        format!(
                            "`{subj}`: {} names against {subtrees} constraint subtrees exceeds {MAX_NAME_CHECKS} comparisons",
                            c.names.len()
                        ),
                    ));
                }
                for name in &c.names {
                    if let Err(m) = names.check(name) {
                        return Err(f(
                            ChainErrorKind::NameConstraints,
                            ci,
                            Some(issuer_i),
                            "RFC 5280 6.1.3 (b)-(c)",
                            format!("`{subj}`: {m}"),
                        ));
                    }
                }
            }
            // (d)-(f) policies (as sets of valid policy OIDs).
            match (&c.policies, valid.take()) {
                (Some(p), Some(v)) => {
                    let any_ok = inhibit_any > 0 || (!is_leaf && c.cert.self_issued);
                    let v_any = v.contains(ANY_POLICY);
                    let mut next = BTreeSet::new();
                    for pol in p.iter().filter(|x| *x != ANY_POLICY) {
                        if v_any || v.contains(pol) {
                            next.insert(pol.clone());
                        }
                    }
                    if p.iter().any(|x| x == ANY_POLICY) && any_ok {
                        next.extend(v.iter().cloned());
                    }
                    valid = (!next.is_empty()).then_some(next);
                }
                _ => valid = None,
            }
            if explicit_policy == 0 && valid.is_none() {
                return Err(f(
                    ChainErrorKind::Policy,
                    ci,
                    Some(issuer_i),
                    "RFC 5280 6.1.3 (f)",
                    format!(
                        "`{subj}`: no acceptable certificate policy while an explicit policy is required"
                    ),
                ));
            }
            if is_leaf {
                // §6.1.5 wrap-up.
                explicit_policy = explicit_policy.saturating_sub(1);
                if c.require_explicit == Some(0) {
                    explicit_policy = 0;
                }
                if let Some(u) = &c.unknown_critical.first() {
                    return Err(f(
                        ChainErrorKind::UnknownCriticalExtension,
                        ci,
                        Some(issuer_i),
                        "RFC 5280 6.1.5 (f)",
                        format!("`{subj}` carries unrecognised critical extension {u}"),
                    ));
                }
                break;
            }
            // §6.1.4 preparation for certificate i+1.
            for (idp, sdp) in &c.mappings {
                if idp == ANY_POLICY || sdp == ANY_POLICY {
                    return Err(f(
                        ChainErrorKind::Policy,
                        ci,
                        Some(issuer_i),
                        "RFC 5280 6.1.4 (a)",
                        format!("`{subj}` maps anyPolicy"),
                    ));
                }
            }
            if !c.mappings.is_empty()
                && let Some(v) = valid.take()
            {
                let mut next = BTreeSet::new();
                for p in &v {
                    let mapped: Vec<&String> = c
                        .mappings
                        .iter()
                        .filter(|(i, _)| i == p)
                        .map(|(_, s)| s)
                        .collect();
                    if mapped.is_empty() {
                        next.insert(p.clone());
                    } else if policy_mapping > 0 {
                        next.extend(mapped.into_iter().cloned());
                    }
                    if p == ANY_POLICY && policy_mapping > 0 {
                        next.extend(c.mappings.iter().map(|(_, s)| s.clone()));
                    }
                }
                valid = (!next.is_empty()).then_some(next);
            }
            if let Some(p) = &c.nc_permitted {
                names.permitted.push(p.clone());
            }
            names.excluded.extend(c.nc_excluded.iter().cloned());
            if !c.cert.self_issued {
                explicit_policy = explicit_policy.saturating_sub(1);
                policy_mapping = policy_mapping.saturating_sub(1);
                inhibit_any = inhibit_any.saturating_sub(1);
            }
            if let Some(r) = c.require_explicit {
                explicit_policy = explicit_policy.min(r as usize);
            }
            if let Some(r) = c.inhibit_mapping {
                policy_mapping = policy_mapping.min(r as usize);
            }
            if let Some(r) = c.inhibit_any {
                inhibit_any = inhibit_any.min(r as usize);
            }
            // (k) the issuer of the next certificate must be a CA.
            if c.cert.version < 3 {
                return Err(f(
                    ChainErrorKind::LeafUsedAsCa,
                    ci,
                    Some(issuer_i),
                    "RFC 5280 6.1.4 (k)",
                    format!(
                        "`{subj}` is a v{} certificate used as an intermediate CA; no out-of-band CA assertion exists",
                        c.cert.version
                    ),
                ));
            }
            match c.bc {
                Some((true, _)) => {}
                _ => {
                    return Err(f(
                        ChainErrorKind::LeafUsedAsCa,
                        ci,
                        Some(issuer_i),
                        "RFC 5280 6.1.4 (k)",
                        format!(
                            "`{subj}` issues `{}` but basicConstraints cA is {}",
                            self.get(path[n - i - 1]).cert.subject,
                            if c.bc.is_some() { "false" } else { "absent" }
                        ),
                    ));
                }
            }
            // (l), (m) path length; self-issued certificates are not counted.
            if !c.cert.self_issued {
                if max_path_length == 0 {
                    return Err(f(
                        ChainErrorKind::PathLength,
                        ci,
                        Some(issuer_i),
                        "RFC 5280 6.1.4 (l)",
                        format!("`{subj}` exceeds the pathLenConstraint of a CA above it"),
                    ));
                }
                max_path_length -= 1;
                logical_intermediates += 1;
            }
            if let Some((_, Some(pl))) = c.bc {
                max_path_length = max_path_length.min(pl as usize);
            }
            // (n) keyCertSign.
            if c.ku_cert_sign == Some(false) {
                return Err(f(
                    ChainErrorKind::KeyUsage,
                    ci,
                    Some(issuer_i),
                    "RFC 5280 6.1.4 (n)",
                    format!("`{subj}` issues certificates but its keyUsage lacks keyCertSign"),
                ));
            }
            // (o) unknown critical extensions.
            if let Some(u) = c.unknown_critical.first() {
                return Err(f(
                    ChainErrorKind::UnknownCriticalExtension,
                    ci,
                    Some(issuer_i),
                    "RFC 5280 6.1.4 (o)",
                    format!("`{subj}` carries unrecognised critical extension {u}"),
                ));
            }
            // EKU of a CA restricts what it may issue for (common practice, not §6).
            if let (Some(want), Some(e)) = (opts.eku, &c.eku)
                && !e.contains(want.oid())
                && !e.contains(ANY_EKU)
            {
                return Err(f(
                    ChainErrorKind::Eku,
                    ci,
                    Some(issuer_i),
                    "RFC 5280 4.2.1.12",
                    format!(
                        "intermediate `{subj}` restricts extendedKeyUsage to {:?}, which excludes {}",
                        e,
                        want.name()
                    ),
                ));
            }
        }
        if let Some(m) = opts.max_depth
            && logical_intermediates > m
        {
            return Err(f(
                ChainErrorKind::PathLength,
                path[n - 1],
                None,
                "icvsec max_depth",
                format!(
                    "path has {logical_intermediates} intermediate CA(s) (self-issued not counted); at most {m} allowed"
                ),
            ));
        }
        // §6.1.5 (g): intersect with the user-initial-policy-set.
        if !opts.initial_policies.is_empty()
            && !opts.initial_policies.iter().any(|p| p == ANY_POLICY)
            && let Some(v) = valid.take()
        {
            let next: BTreeSet<String> = if v.contains(ANY_POLICY) {
                opts.initial_policies.iter().cloned().collect()
            } else {
                v.into_iter()
                    .filter(|p| opts.initial_policies.contains(p))
                    .collect()
            };
            valid = (!next.is_empty()).then_some(next);
        }
        if explicit_policy == 0 && valid.is_none() {
            return Err(f(
                ChainErrorKind::Policy,
                path[0],
                Some(path[1]),
                "RFC 5280 6.1.5 (g)",
                "no acceptable certificate policy for the path while an explicit policy is required (requireExplicitPolicy / initial-explicit-policy)".into(),
            ));
        }
        self.leaf_checks(path)
    }

    /// Profile rules of RFC 5280 §4 that make a certificate unusable in a path.
    fn profile(&self, ci: usize, issuer: Option<usize>, is_leaf: bool) -> Result<(), Fail> {
        let c = self.get(ci);
        let subj = &c.cert.subject;
        let err =
            |kind, clause, m: String| Err(f(kind, ci, issuer, clause, format!("`{subj}`: {m}")));
        if let Some(m) = c.malformed.first() {
            return err(ChainErrorKind::Malformed, "RFC 5280 4.2", m.clone());
        }
        let s = c.serial;
        let digits = s.iter().skip_while(|b| **b == 0).count();
        if s.first().is_some_and(|b| b & 0x80 != 0) {
            return err(
                ChainErrorKind::BadSerial,
                "RFC 5280 4.1.2.2",
                "serial number is negative".into(),
            );
        }
        if digits == 0 {
            return err(
                ChainErrorKind::BadSerial,
                "RFC 5280 4.1.2.2",
                "serial number is zero".into(),
            );
        }
        if digits > 20 {
            return err(
                ChainErrorKind::BadSerial,
                "RFC 5280 4.1.2.2",
                format!("serial number is {digits} octets; at most 20 allowed"),
            );
        }
        if c.issuer_empty {
            return err(
                ChainErrorKind::Malformed,
                "RFC 5280 4.1.2.4",
                "issuer name is empty".into(),
            );
        }
        let is_ca = c.bc.is_some_and(|b| b.0);
        if is_ca && c.subject.is_empty() {
            return err(
                ChainErrorKind::Malformed,
                "RFC 5280 4.1.2.6",
                "CA certificate with an empty subject".into(),
            );
        }
        if c.ski_critical {
            return err(
                ChainErrorKind::KeyIdentifier,
                "RFC 5280 4.2.1.2",
                "subjectKeyIdentifier is marked critical".into(),
            );
        }
        if c.aki_critical {
            return err(
                ChainErrorKind::KeyIdentifier,
                "RFC 5280 4.2.1.1",
                "authorityKeyIdentifier is marked critical".into(),
            );
        }
        if c.cert.version >= 3 && !self.opts.lenient_key_identifiers {
            if is_ca && c.ski.is_none() {
                return err(
                    ChainErrorKind::KeyIdentifier,
                    "RFC 5280 4.2.1.2",
                    "CA certificate without subjectKeyIdentifier".into(),
                );
            }
            // AKI may be absent only on a self-signed certificate.
            if c.aki.is_none() && c.cert.self_signed != Some(true) {
                return err(
                    ChainErrorKind::KeyIdentifier,
                    "RFC 5280 4.2.1.1",
                    "authorityKeyIdentifier (keyIdentifier) missing on a certificate that is not self-signed".into(),
                );
            }
        }
        if !is_ca && c.ku_cert_sign == Some(true) {
            return err(
                ChainErrorKind::KeyUsage,
                "RFC 5280 4.2.1.3",
                "keyUsage asserts keyCertSign but basicConstraints cA is not set".into(),
            );
        }
        let _ = is_leaf;
        Ok(())
    }

    /// icvsec's anchor checks (see the module documentation).
    fn check_anchor(&self, ai: usize) -> Result<(), Fail> {
        let a = self.get(ai);
        let subj = &a.cert.subject;
        let err = |kind, clause, m: String| {
            Err(f(
                kind,
                ai,
                None,
                clause,
                format!("trust anchor `{subj}`: {m}"),
            ))
        };
        if self.at < a.cert.not_before {
            return err(
                ChainErrorKind::NotYetValid,
                "RFC 5280 6.1.1 (d) / RFC 5937",
                format!("not yet valid (notBefore {})", a.cert.not_before),
            );
        }
        if self.at > a.cert.not_after {
            return err(
                ChainErrorKind::Expired,
                "RFC 5280 6.1.1 (d) / RFC 5937",
                format!("expired (notAfter {})", a.cert.not_after),
            );
        }
        if a.cert.version >= 3 {
            match a.bc {
                Some((true, _)) => {}
                Some((false, _)) => {
                    return err(
                        ChainErrorKind::BadAnchor,
                        "RFC 5280 4.2.1.9",
                        "basicConstraints cA is false".into(),
                    );
                }
                None => {
                    return err(
                        ChainErrorKind::BadAnchor,
                        "RFC 5280 4.2.1.9",
                        "v3 certificate without basicConstraints cannot be recognised as a CA"
                            .into(),
                    );
                }
            }
            if let Some(u) = a.unknown_critical.first() {
                return err(
                    ChainErrorKind::UnknownCriticalExtension,
                    "RFC 5280 4.2",
                    format!("unrecognised critical extension {u}"),
                );
            }
            if a.ku_cert_sign == Some(false) {
                return err(
                    ChainErrorKind::KeyUsage,
                    "RFC 5280 4.2.1.3",
                    "keyUsage lacks keyCertSign".into(),
                );
            }
        }
        self.profile(ai, None, false)
    }

    /// After the path: EKU, host name, key policy.
    fn leaf_checks(&self, path: &[usize]) -> Result<(), Fail> {
        let opts = self.opts;
        let leaf = &self.leaf;
        let li = usize::MAX;
        let issuer = path.get(1).copied();
        if let Some(want) = opts.eku
            && let Some(e) = &leaf.eku
            && !e.contains(want.oid())
            && (!e.contains(ANY_EKU) || opts.strict_eku)
        {
            return Err(f(
                ChainErrorKind::Eku,
                li,
                issuer,
                "RFC 5280 4.2.1.12",
                format!(
                    "leaf extendedKeyUsage {:?} does not allow {}",
                    e,
                    want.name()
                ),
            ));
        }
        if opts.strict_eku
            && let Some(want) = opts.eku
        {
            let p = crate::lint::EkuParams {
                expected: want,
                allow_missing: false,
                allow_any: false,
            };
            if let Some(r) = crate::lint::eku_fits(leaf.cert, &p)
                .into_iter()
                .find(|r| !r.passed)
            {
                return Err(f(
                    ChainErrorKind::Eku,
                    li,
                    issuer,
                    "icvsec strict_eku",
                    r.message,
                ));
            }
        }
        if let Some(h) = &opts.hostname
            && let Err(m) = hostname_matches(leaf.cert, h)
        {
            return Err(f(
                ChainErrorKind::HostnameMismatch,
                li,
                None,
                "RFC 6125 6.4 / RFC 9525",
                m,
            ));
        }
        if opts.strict_keys {
            for &i in path {
                let c = self.get(i).cert;
                let findings = [
                    crate::lint::rsa_key_size(
                        c,
                        &crate::lint::RsaKeySizeParams {
                            cutoff: i64::MAX,
                            ..Default::default()
                        },
                    ),
                    crate::lint::dsa_key(c, &crate::lint::NoParams {}),
                    crate::lint::ec_curve(c, &Default::default()),
                ];
                if let Some(r) = findings.iter().flatten().find(|r| !r.passed) {
                    return Err(f(
                        ChainErrorKind::WeakKey,
                        i,
                        None,
                        "icvsec strict_keys",
                        format!("`{}` in the path: {}", c.subject, r.message),
                    ));
                }
            }
        }
        Ok(())
    }
}

// ------------------------------------------------------------------ host names

/// Host-name matching against subjectAltName only (RFC 9525 removed the CN fallback).
/// A wildcard is accepted only as the whole leftmost label and matches one label.
pub fn hostname_matches(cert: &Certificate, host: &str) -> Result<(), String> {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    if h.is_empty() || h.len() > 253 {
        return Err(format!("`{host}` is not a valid DNS name or IP address"));
    }
    if let Ok(ip) = h
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<std::net::IpAddr>()
    {
        let want = ip.to_string();
        return if cert
            .san_ip
            .iter()
            .any(|s| s.parse::<std::net::IpAddr>().is_ok_and(|a| a == ip))
        {
            Ok(())
        } else {
            Err(format!(
                "leaf has no subjectAltName iPAddress {want} (SAN IP {:?})",
                cert.san_ip
            ))
        };
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if !h.split('.').all(valid_label) {
        return Err(format!("`{host}` is not a valid DNS name or IP address"));
    }
    if cert.san_dns.is_empty() {
        return Err(format!(
            "leaf has no subjectAltName dNSName; the common name ({}) is not used for host-name matching (RFC 9525)",
            cert.subject_cn.as_deref().unwrap_or("none")
        ));
    }
    for pat in &cert.san_dns {
        let p = pat.trim_end_matches('.').to_ascii_lowercase();
        if p == h {
            return Ok(());
        }
        if let Some(rest) = p.strip_prefix("*.")
            && rest.contains('.')
            && !rest.contains('*')
            && let Some((_, hrest)) = h.split_once('.')
            && hrest == rest
        {
            return Ok(());
        }
    }
    Err(format!(
        "leaf is not valid for `{host}` (SAN DNS {:?}, SAN IP {:?})",
        cert.san_dns, cert.san_ip
    ))
}

/// Validates `leaf` up to one of `anchors` through `intermediates` at time `at` (unix
/// seconds) by RFC 5280 §6. SM2 signatures cannot be verified (ring lacks SM2) and are
/// reported as [`ChainErrorKind::UnsupportedAlgorithm`], never as valid.
/// To validate many leaves against one store, build a [`PathBuilder`] once.
pub fn verify_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    at: i64,
    opts: &ChainOptions,
) -> ChainVerdict {
    PathBuilder::new(intermediates, anchors).verify(leaf, at, opts)
}

/// As [`verify_chain`], over certificates held elsewhere (no copies of the pool).
pub fn verify_chain_refs(
    leaf: &Certificate,
    intermediates: &[&Certificate],
    anchors: &[&Certificate],
    at: i64,
    opts: &ChainOptions,
) -> ChainVerdict {
    PathBuilder::from_refs(intermediates, anchors).verify(leaf, at, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_constraints() {
        assert!(dns_within("a.example.com", "example.com"));
        assert!(dns_within("example.com", "example.com"));
        assert!(!dns_within("badexample.com", "example.com"));
        assert!(dns_within("a.example.com", ".example.com"));
        assert!(!dns_within("example.com", ".example.com"));
        assert!(dns_within("anything", ""));
    }

    #[test]
    fn email_constraints() {
        assert!(email_within("a@host.example", "host.example"));
        assert!(!email_within("a@sub.host.example", "host.example"));
        assert!(email_within("a@sub.host.example", ".host.example"));
        assert!(email_within("a@HOST.example", "a@host.example"));
        assert!(!email_within("A@host.example", "a@host.example"));
    }

    #[test]
    fn ip_constraints() {
        assert_eq!(
            ip_within(&[10, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]),
            Some(true)
        );
        assert_eq!(
            ip_within(&[11, 1, 2, 3], &[10, 0, 0, 0, 255, 0, 0, 0]),
            Some(false)
        );
        let v6 = [0u8; 32];
        assert_eq!(ip_within(&[10, 1, 2, 3], &v6), Some(false));
        assert_eq!(ip_within(&[10, 1, 2, 3], &[1, 2, 3]), None);
    }
}
