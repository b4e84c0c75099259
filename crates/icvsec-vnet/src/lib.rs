//! Vehicle network definitions read into typed facts for the icvsec rules.
//!
//! - [`arxml`]: AUTOSAR ARXML (ECU extract / system description / ECUC values):
//!   [`arxml::parse_arxml`] or [`arxml::ArxmlSet`] (several files, references resolved
//!   across them) → [`arxml::ArxmlFacts`]: SecOC per PDU ([`arxml::SecocPdu`]), I-PDUs and
//!   whether they are secured ([`arxml::IPdu`]), UDS security access levels
//!   ([`arxml::SecurityLevel`]), gateway / PduR routes ([`arxml::GatewayRoute`]) and the
//!   non-fatal errors (dangling references, bad values) with their places.
//! - [`dbc`]: CAN databases: [`dbc::parse_dbc`] → [`dbc::DbcFile`] (bus, nodes,
//!   messages with id, name, DLC, senders, signals with receivers).
//! - [`analysis`]: pure functions over the facts: [`analysis::unprotected_safety_messages`]
//!   (and [`analysis::safety_message_protection`] with the positive evidence),
//!   [`analysis::cross_domain_without_route`] with [`analysis::permits_from_arxml`] /
//!   [`analysis::permits_from_declared`], [`analysis::secoc_strength`] and
//!   [`analysis::secoc_below`].
//!
//! Every parser takes bytes plus a file label, never panics on hostile input, bounds its
//! input ([`Limits`]) and reports errors with the file and line:col ([`VnetError`]).
//! Nothing is executed and nothing is fetched: no DTD, no external entity.

pub mod analysis;
pub mod arxml;
pub mod dbc;
pub mod error;
mod xml;

pub use error::{ErrorKind, Limits, Place, VnetError};
