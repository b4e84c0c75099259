//! The `icvsec` command line: ties inputs, rules, checks, engine and renderers together.
//! `main` returns an exit code: 0 clean, 1 findings at or above the threshold, 2 usage or
//! rule-loading error, 3 assessment incomplete.

mod cli;
mod exit;
mod rules_cmd;
mod scan;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Scan(args) => scan::run(&args),
        cli::Command::Rules(cmd) => rules_cmd::run(&cmd),
        cli::Command::Schema { kind } => rules_cmd::schema(&kind),
    };
    ExitCode::from(code as u8)
}
