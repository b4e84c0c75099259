//! The `icvsec` command line: ties inputs, rules, checks, engine and renderers together.
//! `main` returns an exit code: 0 clean, 1 findings at or above the threshold, 2 usage or
//! rule-loading error, 3 assessment incomplete.

#[macro_use]
mod exit;
mod blocklists;
mod cli;
mod config;
mod date;
mod diff_cmd;
mod init;
mod keys_cmd;
mod malloc_tuning;
mod probe_cmd;
mod requirements_cmd;
mod rules_cmd;
mod scan;

use clap::{CommandFactory, Parser};
use std::process::ExitCode;

fn main() -> ExitCode {
    malloc_tuning::fix_mmap_threshold();
    let cli = cli::Cli::parse();
    let code = match cli.command {
        cli::Command::Scan(args) => scan::run(&args),
        cli::Command::Diff(args) => diff_cmd::run(&args),
        cli::Command::Rules(cmd) => rules_cmd::run(&cmd),
        cli::Command::Requirements(cmd) => requirements_cmd::run(&cmd),
        cli::Command::Probe(cmd) => probe_cmd::run(&cmd),
        cli::Command::Schema { kind } => rules_cmd::schema(&kind),
        cli::Command::Init { path, force, ecus } => init::run(&path, force, &ecus),
        cli::Command::Sbom {
            path,
            output,
            max_file_size,
        } => scan::sbom(&path, output.as_deref(), max_file_size),
        cli::Command::Keys {
            path,
            output,
            max_file_size,
        } => keys_cmd::run(&path, output.as_deref(), max_file_size),
        cli::Command::Completions { shell } => {
            let mut cmd = cli::Cli::command();
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "icvsec", &mut buf);
            crate::out!("{}", String::from_utf8_lossy(&buf));
            exit::Exit::Clean as i32
        }
        cli::Command::Man {
            subcommand,
            out_dir,
        } => man(subcommand.as_deref(), out_dir.as_deref()),
    };
    ExitCode::from(code as u8)
}

/// `icvsec man`: pages generated from the command-line definition.
fn man(subcommand: Option<&str>, out_dir: Option<&std::path::Path>) -> i32 {
    let mut cmd = cli::Cli::command().disable_help_subcommand(true);
    cmd.build();
    let result = match (subcommand, out_dir) {
        (_, Some(dir)) => {
            std::fs::create_dir_all(dir).and_then(|_| clap_mangen::generate_to(cmd, dir))
        }
        (Some(name), None) => match cmd.find_subcommand(name).filter(|c| !c.is_hide_set()) {
            Some(sub) => clap_mangen::Man::new(sub.clone()).render(&mut std::io::stdout()),
            None => {
                eprintln!("icvsec: error: no subcommand `{name}`");
                return exit::Exit::Usage as i32;
            }
        },
        (None, None) => clap_mangen::Man::new(cmd).render(&mut std::io::stdout()),
    };
    match result {
        Ok(()) => exit::Exit::Clean as i32,
        Err(e) if exit::is_broken_pipe(&e) => exit::Exit::Clean as i32,
        Err(e) => {
            eprintln!("icvsec: error: {e}");
            exit::Exit::Usage as i32
        }
    }
}
