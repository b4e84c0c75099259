//! One integration test binary (see Cargo.toml `autotests = false`).

mod architecture;
mod ci_gates;
mod cli;
mod common;
mod determinism;
mod hostile;
mod images;
mod lenient;
mod linux_inputs;
mod pki_intake;
mod profiles;
mod readme;
mod reports;
mod reports_cli;
mod requirements;
mod resource_bounds;
mod rule_fixtures;
mod tls_probe;
mod tls_wiring;
mod vulnerabilities;
