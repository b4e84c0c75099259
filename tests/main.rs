//! One integration test binary (see Cargo.toml `autotests = false`).

mod cli;
mod common;
mod linux_inputs;
mod rule_fixtures;
mod reports;
mod reports_cli;
