//! Certificates and private keys found in the build: parsed with icvsec-pki (in
//! parallel), ids per object (`path` or `path#n` for the n-th of a bundle), and the uses
//! that vehicle.json and ECU configs give them (server, ECU identity, update signing,
//! trust anchor), so checks know which chain and EKU a certificate needs.

use crate::discover::{self, DiscoveredFile, FileKind};
use icvsec_model::{AssetKind, Diagnostic, Location};
use icvsec_pki::{Certificate, PkiError, PrivateKey};
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
    pub file: String,
    pub line: Option<u32>,
    pub ecu: Option<String>,
    pub uses: Vec<CertUse>,
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
}

#[derive(Clone, Debug)]
pub struct KeyAsset {
    pub key: PrivateKey,
    pub file: String,
    pub line: Option<u32>,
    pub ecu: Option<String>,
    /// Ids of certificates whose public key matches this private key.
    pub certificates: Vec<String>,
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
    },
    Failed {
        kind: AssetKind,
        diag: Diagnostic,
    },
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
    let parsed = match f.kind {
        FileKind::Key => match icvsec_pki::parse_private_keys(&bytes) {
            Ok(keys) if !keys.is_empty() => Parsed::Objects {
                certs: vec![],
                keys,
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
        FileKind::Certificate => match icvsec_pki::parse_certificates(&bytes) {
            Ok(certs) if !certs.is_empty() => Parsed::Objects {
                certs,
                keys: vec![],
            },
            // A .crt/.der holding a key instead is still worth judging as a key.
            Ok(_) | Err(_)
                if icvsec_pki::parse_private_keys(&bytes).is_ok_and(|k| !k.is_empty()) =>
            {
                Parsed::Objects {
                    certs: vec![],
                    keys: icvsec_pki::parse_private_keys(&bytes).unwrap_or_default(),
                }
            }
            Ok(_) => Parsed::Failed {
                kind,
                diag: Diagnostic::error(Location::file(&f.rel), "no certificate found"),
            },
            Err(e) => fail(AssetKind::Certificate, e),
        },
        _ => {
            // .pem: certificates and/or keys.
            let certs = icvsec_pki::parse_certificates(&bytes);
            let keys = icvsec_pki::parse_private_keys(&bytes);
            match (certs, keys) {
                (Err(e), _) if !matches!(e, PkiError::Unrecognised { .. }) => {
                    fail(AssetKind::Certificate, e)
                }
                (_, Err(e)) if !matches!(e, PkiError::Unrecognised { .. }) => {
                    fail(AssetKind::PrivateKey, e)
                }
                (c, k) => {
                    let certs = c.unwrap_or_default();
                    let keys = k.unwrap_or_default();
                    if certs.is_empty() && keys.is_empty() {
                        Parsed::Failed {
                            kind,
                            diag: Diagnostic::error(
                                Location::file(&f.rel),
                                "no certificate or private key found in a .pem file",
                            ),
                        }
                    } else {
                        Parsed::Objects { certs, keys }
                    }
                }
            }
        }
    };
    let parsed = match parsed {
        Parsed::Objects { certs, keys } if certs.len() + keys.len() > max_objects => {
            Parsed::Failed {
                kind,
                diag: Diagnostic::error(
                    Location::file(&f.rel),
                    format!(
                        "{} certificates and keys in one file, more than the limit of {max_objects}; not judged",
                        certs.len() + keys.len()
                    ),
                ),
            }
        }
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
