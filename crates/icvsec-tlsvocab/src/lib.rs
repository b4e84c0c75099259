//! icvsec TLS vocabulary: one protocol-version type ([`versions::Version`]) and one
//! cipher-suite table ([`suites`], by code point, IANA and OpenSSL names), shared by the
//! configuration parsers and policy (icvsec-tls), the declared profiles and saved probes
//! of the model (icvsec-model) and the live prober (icvsec-probe).
//!
//! A leaf crate (serde only) so the prober and the configuration parsers need not depend
//! on the rule and report model to speak the same names.
#![warn(missing_docs)]

pub mod suites;
pub mod versions;
