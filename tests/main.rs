//! One integration test binary (see Cargo.toml `autotests = false`).

mod cli;
mod common;
mod rule_fixtures;
