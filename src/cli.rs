//! Flags, declared as data; help comes from them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "icvsec",
    version,
    about = "Vehicle-side cybersecurity compliance checker (GB 44495-2024, UN R155, China ICV standards)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan a vehicle build directory and report each requirement's outcome.
    Scan(ScanArgs),
    /// List or explain the rules of the catalog.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Print the JSON Schema of an input kind: vehicle, ecu or dataflow.
    Schema { kind: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Args, Debug, Clone)]
pub struct RuleSelection {
    /// Additional rules directory (TOML rule files); may be repeated.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Only these rules: id, `PREFIX*`, area, `area/subarea` or severity; may be repeated or comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "SEL")]
    pub select: Vec<String>,
    /// Leave out these rules (same forms as --select).
    #[arg(long, value_delimiter = ',', value_name = "SEL")]
    pub ignore: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ScanArgs {
    /// The vehicle build directory.
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a failing finding has at least this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    #[command(flatten)]
    pub selection: RuleSelection,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today: certificate validity, expiry.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Exit by the findings even when something could not be assessed.
    #[arg(long)]
    pub allow_incomplete: bool,
    /// Show the evidence of passing findings too.
    #[arg(long, short)]
    pub verbose: bool,
    /// Worker threads (default: all cores). Output is identical whatever the number.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Never colour the text report (colour is also off when NO_COLOR is set or stdout is not a terminal).
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Subcommand, Debug)]
pub enum RulesCmd {
    /// List the rules (table), or the coverage of requirements by rules (json, csv).
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        #[command(flatten)]
        selection: RuleSelection,
    },
    /// Explain one rule: what it checks, why, how to fix it, what it cites.
    Explain {
        id: String,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}
