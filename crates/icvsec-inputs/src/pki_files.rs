//! Certificates and private keys found in the build: parsed with icvsec-pki (in
//! parallel), ids per object (`path` or `path#n` for the n-th of a bundle), and the uses
//! that vehicle.json and ECU configs give them (server, ECU identity, update signing,
//! trust anchor), so checks know which chain and EKU a certificate needs.

use crate::discover::{self, DiscoveredFile, FileKind};
use icvsec_model::{AssetKind, Diagnostic, Location, SharedStr};
use icvsec_pki::bundle::Role;
use icvsec_pki::sniff::{Encoding, ObjectKind};
use icvsec_pki::{Certificate, PkiError, PrivateKey, PublicKeyInfo};
use rayon::prelude::*;

/// What a certificate is used for, from the declarations that reference it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CertUse {
    /// Presented by an endpoint; verified against its trust anchor and host name.
    Server {
        endpoint: String,
        host: String,
        anchor: Option<String>,
    },
    /// An ECU's identity (mutual TLS client, V2X, diagnostics).
    EcuIdentity { ecu: String },
    /// Presented by a TLS profile (`side` client or server) of an ECU.
    Profile {
        profile: String,
        server: bool,
        anchor: Option<String>,
    },
    /// Signs update packages for an ECU.
    UpdateSigning { ecu: String },
    /// Declared trust anchor.
    Anchor { anchor: String, test_only: bool },
}

impl CertUse {
    /// Whether the certificate is used on a network connection (revocation matters).
    pub fn online(&self) -> bool {
        matches!(
            self,
            CertUse::Server { .. } | CertUse::EcuIdentity { .. } | CertUse::Profile { .. }
        )
    }
}

#[derive(Clone, Debug)]
pub struct CertAsset {
    pub cert: Certificate,
    pub file: SharedStr,
    pub line: Option<u32>,
    pub ecu: Option<String>,
    pub uses: Vec<CertUse>,
    /// 1-based position in its file and the number of certificates in the file.
    pub position: usize,
    pub of: usize,
    /// Role in its file ([`icvsec_pki::bundle::classify`]): in a deployed identity file
    /// (server/identity/profile certificate) the first is the leaf and the rest are
    /// intermediates; in a trust store or CA bundle every certificate is an anchor.
    /// `None`: a single certificate nothing declares a use for.
    pub role: Option<Role>,
}

impl CertAsset {
    pub fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line,
            column: None,
            key_path: None,
        }
    }

    /// The certificate named for a finding: its subject and, in a file of several, its
    /// place (`` `CN=Root` (#3 of 120) ``).
    pub fn name(&self) -> String {
        if self.of > 1 {
            format!(
                "`{}` (#{} of {})",
                self.cert.label(),
                self.position,
                self.of
            )
        } else {
            format!("`{}`", self.cert.label())
        }
    }
}

/// A public key found in the build (SubjectPublicKeyInfo or PKCS#1 RSAPublicKey, PEM or
/// DER): judged by the key-strength rules and the key blocklist, never as a certificate.
#[derive(Clone, Debug)]
pub struct PubKeyAsset {
    pub key: PublicKeyInfo,
    /// DER SubjectPublicKeyInfo (PKCS#1 keys are wrapped into one).
    pub spki_der: Vec<u8>,
    /// SHA-256 of `spki_der`, lower-case hex: comparable with certificates' and private
    /// keys' public halves.
    pub spki_sha256: String,
    /// `SubjectPublicKeyInfo` or `PKCS#1 RSAPublicKey`, and `PEM` or `DER`.
    pub format: String,
    pub file: SharedStr,
    pub line: Option<u32>,
    pub ecu: Option<String>,
}

impl PubKeyAsset {
    pub fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line,
            column: None,
            key_path: None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct KeyAsset {
    pub key: PrivateKey,
    pub file: SharedStr,
    pub line: Option<u32>,
    pub ecu: Option<String>,
    /// Ids of certificates whose public key matches this private key (one list shared
    /// by every key with the same public half).
    pub certificates: std::sync::Arc<[String]>,
}

impl KeyAsset {
    pub fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line,
            column: None,
            key_path: None,
        }
    }
}

pub(crate) enum Parsed {
    Objects {
        certs: Vec<Certificate>,
        keys: Vec<PrivateKey>,
        pubkeys: Vec<PubKeyAsset>,
    },
    Failed {
        kind: AssetKind,
        diag: Diagnostic,
    },
    /// A file recognised by its first bytes that holds no certificate or key after all
    /// (e.g. a CRL, a CSR or other ASN.1 data): not an asset, no error.
    NotCrypto,
}

/// Public keys (`PUBLIC KEY`, `RSA PUBLIC KEY`, DER SubjectPublicKeyInfo / RSAPublicKey)
/// in `bytes`, by content ([`icvsec_pki::sniff`]); file/ecu are filled in by the loader.
fn public_keys(objects: &[icvsec_pki::sniff::Object], rel: &str) -> Vec<PubKeyAsset> {
    objects
        .iter()
        .filter(|o| matches!(o.kind, ObjectKind::PublicKey | ObjectKind::RsaPublicKey))
        .filter(|o| o.error.is_none())
        .cloned()
        .filter_map(|o| {
            Some(PubKeyAsset {
                key: o.public_key?,
                spki_der: o.spki_der?,
                spki_sha256: o.spki_sha256?,
                format: format!(
                    "{} {}",
                    if o.kind == ObjectKind::RsaPublicKey {
                        "PKCS#1 RSAPublicKey"
                    } else {
                        "SubjectPublicKeyInfo"
                    },
                    if o.encoding == Encoding::Pem {
                        "PEM"
                    } else {
                        "DER"
                    }
                ),
                file: rel.into(),
                line: o.pem_begin_line,
                ecu: None,
            })
        })
        .collect()
}

/// Whether an object found by content is a certificate, private or public key (even a
/// broken one): a file found by its first bytes is an asset only then.
fn is_crypto_object(o: &icvsec_pki::sniff::Object) -> bool {
    matches!(
        o.kind,
        ObjectKind::Certificate
            | ObjectKind::TrustedCertificate
            | ObjectKind::PrivateKey
            | ObjectKind::PublicKey
            | ObjectKind::RsaPublicKey
    )
}

fn place(e: &PkiError, file: &str) -> Location {
    match e {
        PkiError::Pem { line, .. } => Location::at_line(file, *line),
        _ => Location::file(file),
    }
}

/// Read and parse one certificate/key file. Errors name the file and the place in it.
pub(crate) fn parse_file(
    tree: &dyn icvsec_fs::Tree,
    f: &DiscoveredFile,
    max: u64,
    max_objects: usize,
) -> (Parsed, Option<[u8; 32]>) {
    let kind = if f.kind == FileKind::Key {
        AssetKind::PrivateKey
    } else {
        AssetKind::Certificate
    };
    if let Some(problem) = &f.problem {
        // Same text as discovery's error for it (deduplicated).
        return (
            Parsed::Failed {
                kind,
                diag: Diagnostic::error(Location::file(&f.rel), problem.clone()),
            },
            None,
        );
    }
    if f.size > max {
        // Same text as the loader's notice for every oversized file (deduplicated).
        return (
            Parsed::Failed {
                kind,
                diag: Diagnostic::error(
                    Location::file(&f.rel),
                    crate::discover::oversize_message(f.size, max),
                ),
            },
            None,
        );
    }
    let bytes = match discover::read_file(tree, f, max) {
        Ok(b) => b,
        Err(e) => {
            return (
                Parsed::Failed {
                    kind,
                    diag: Diagnostic::error(Location::file(&f.rel), format!("cannot read: {e}")),
                },
                None,
            );
        }
    };
    let digest = {
        let d = ring::digest::digest(&ring::digest::SHA256, &bytes);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    };
    let fail = |kind: AssetKind, e: PkiError| Parsed::Failed {
        kind,
        diag: Diagnostic::error(
            place(&e, &f.rel),
            format!(
                "{} is not readable: {e}",
                if kind == AssetKind::PrivateKey {
                    "private key"
                } else {
                    "certificate"
                }
            ),
        ),
    };
    // Each file's certificates and keys are parsed once, on demand, for the sniffing and
    // for the assets alike, and its PEM text decoded once for both. The assets get clones
    // on purpose: moving the parsed objects out instead left them scattered among the
    // parser's freed temporaries, and the resident size after loading 20,000 certificates
    // rose from 136 to 177 MiB.
    let input = icvsec_pki::sniff::Input::new(&bytes);
    let sniffed = input.objects();
    if f.kind == FileKind::CryptoByContent && !sniffed.iter().any(is_crypto_object) {
        return (Parsed::NotCrypto, None);
    }
    let pubkeys = public_keys(&sniffed, &f.rel);
    // Public keys and nothing else that is a certificate or private key: whatever the
    // name (.crt, .der, .key, none), a public-key asset and not a broken certificate.
    let only_public = !pubkeys.is_empty()
        && !sniffed.iter().any(|o| {
            matches!(
                o.kind,
                ObjectKind::Certificate | ObjectKind::TrustedCertificate | ObjectKind::PrivateKey
            )
        });
    let parsed = match f.kind {
        _ if only_public => Parsed::Objects {
            certs: vec![],
            keys: vec![],
            pubkeys,
        },
        FileKind::Key => match input.private_keys().clone() {
            Ok(keys) if !keys.is_empty() => Parsed::Objects {
                certs: vec![],
                keys,
                pubkeys,
            },
            // A .key holding a public key is a public key, not a broken private key.
            Ok(_) | Err(_) if !pubkeys.is_empty() => Parsed::Objects {
                certs: vec![],
                keys: vec![],
                pubkeys,
            },
            Ok(_) => Parsed::Failed {
                kind,
                diag: Diagnostic::error(
                    Location::file(&f.rel),
                    "no private key found in a key file",
                ),
            },
            Err(e) => fail(AssetKind::PrivateKey, e),
        },
        FileKind::Certificate => match input.certificates().clone() {
            Ok(certs) if !certs.is_empty() => Parsed::Objects {
                certs,
                keys: vec![],
                pubkeys,
            },
            // A .crt/.der holding a key instead is still worth judging as a key.
            Ok(_) | Err(_) if input.private_keys().as_ref().is_ok_and(|k| !k.is_empty()) => {
                Parsed::Objects {
                    certs: vec![],
                    keys: input.private_keys().clone().unwrap_or_default(),
                    pubkeys,
                }
            }
            // A DER/PEM public key (SubjectPublicKeyInfo, PKCS#1) is a public-key asset,
            // not a broken certificate.
            Ok(_) | Err(_) if !pubkeys.is_empty() => Parsed::Objects {
                certs: vec![],
                keys: vec![],
                pubkeys,
            },
            Ok(_) => Parsed::Failed {
                kind,
                diag: Diagnostic::error(Location::file(&f.rel), "no certificate found"),
            },
            Err(e) => fail(AssetKind::Certificate, e),
        },
        _ => {
            // .pem, or a file recognised by content: certificates and/or keys.
            match (input.certificates().clone(), input.private_keys().clone()) {
                (Err(e), _) if !matches!(e, PkiError::Unrecognised { .. }) => {
                    fail(AssetKind::Certificate, e)
                }
                (_, Err(e)) if !matches!(e, PkiError::Unrecognised { .. }) => {
                    fail(AssetKind::PrivateKey, e)
                }
                (c, k) => {
                    let certs = c.unwrap_or_default();
                    let keys = k.unwrap_or_default();
                    if certs.is_empty() && keys.is_empty() && pubkeys.is_empty() {
                        if f.kind == FileKind::CryptoByContent {
                            return (Parsed::NotCrypto, None);
                        }
                        Parsed::Failed {
                            kind,
                            diag: Diagnostic::error(
                                Location::file(&f.rel),
                                "no certificate or private key found in a .pem file",
                            ),
                        }
                    } else {
                        Parsed::Objects {
                            certs,
                            keys,
                            pubkeys,
                        }
                    }
                }
            }
        }
    };
    let parsed = match parsed {
        Parsed::Objects {
            certs,
            keys,
            pubkeys,
        } if certs.len() + keys.len() + pubkeys.len() > max_objects => Parsed::Failed {
            kind,
            diag: Diagnostic::error(
                Location::file(&f.rel),
                format!(
                    "{} certificates and keys in one file, more than the limit of {max_objects}; not judged",
                    certs.len() + keys.len() + pubkeys.len()
                ),
            ),
        },
        other => other,
    };
    (parsed, Some(digest))
}

pub(crate) fn parse_all(
    tree: &dyn icvsec_fs::Tree,
    files: &[&DiscoveredFile],
    max: u64,
    max_objects: usize,
) -> Vec<(Parsed, Option<[u8; 32]>)> {
    files
        .par_iter()
        .map(|f| parse_file(tree, f, max, max_objects))
        .collect()
}
