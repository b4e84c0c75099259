//! The `icvsec` command line: ties inputs, rules, checks, engine and renderers together.
//! `main` returns an exit code: 0 clean, 1 findings at or above the threshold, 2 usage or
//! rule-loading error, 3 assessment incomplete.

mod cli;
mod config;
mod exit;
mod init;
mod probe_cmd;
mod rules_cmd;
mod scan;

use clap::{CommandFactory, Parser};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Scan(args) => scan::run(&args),
        cli::Command::Rules(cmd) => rules_cmd::run(&cmd),
        cli::Command::Probe(cmd) => probe_cmd::run(&cmd),
        cli::Command::Schema { kind } => rules_cmd::schema(&kind),
        cli::Command::Init { path, force } => init::run(&path, force),
        cli::Command::Completions { shell } => {
            let mut cmd = cli::Cli::command();
            clap_complete::generate(shell, &mut cmd, "icvsec", &mut std::io::stdout());
            exit::Exit::Clean as i32
        }
        cli::Command::Man => {
            let cmd = cli::Cli::command();
            match clap_mangen::Man::new(cmd).render(&mut std::io::stdout()) {
                Ok(()) => exit::Exit::Clean as i32,
                Err(e) => {
                    eprintln!("icvsec: error: {e}");
                    exit::Exit::Usage as i32
                }
            }
        }
    };
    ExitCode::from(code as u8)
}
