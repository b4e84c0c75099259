//! Built-in checks. Each check is a small predicate over one asset of the inventory,
//! with typed parameters; it pushes evaluations into a sink and never prints. All
//! checks are registered in one list ([`registry()`]).

mod api;
mod cert;
mod crosscheck;
pub mod dataflow;
mod ecu;
mod keys;
mod linux;
#[cfg(test)]
mod netupd_tests;
pub mod tls;
mod update;
mod update_process;
mod update_tuf;
mod vehicle;
mod vnet;
mod vuln;

pub use api::{CheckDef, Ctx, Eval, Prepared, Registry, Sink};

/// Every built-in check, in one explicit list.
pub fn registry() -> Registry {
    let mut checks = Vec::new();
    checks.extend(cert::checks());
    checks.extend(keys::checks());
    checks.extend(ecu::checks());
    checks.extend(crosscheck::checks());
    checks.extend(dataflow::checks());
    checks.extend(linux::checks());
    checks.extend(tls::checks());
    checks.extend(vehicle::checks());
    checks.extend(vuln::checks());
    checks.extend(update::checks());
    checks.extend(update_tuf::checks());
    checks.extend(update_process::checks());
    checks.extend(vnet::checks());
    Registry::new(checks)
}
