//! One integration test binary (see Cargo.toml `autotests = false`).

mod common;
mod rule_fixtures;
