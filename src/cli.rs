//! Flags, declared as data; help comes from them.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The EXIT STATUS section of `--help` and of the manual pages.
pub const EXIT_STATUS: &str = "EXIT STATUS:
  0  nothing failing at or above --fail-on, and the assessment is complete
     (always 0 with --exit-zero, except usage errors)
  1  failing findings at or above --fail-on (`icvsec diff`: new findings at or above it)
  2  usage error, unreadable configuration, or a rule catalog that does not load
  3  assessment incomplete: something could not be assessed (see --allow-incomplete)";

#[derive(Parser, Debug)]
#[command(
    name = "icvsec",
    version,
    about = "Vehicle-side cybersecurity compliance checker (GB 44495-2024, UN R155, China ICV standards)",
    after_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan a vehicle build directory and report each requirement's outcome.
    #[command(after_help = EXIT_STATUS)]
    Scan(Box<ScanArgs>),
    /// Compare two JSON reports written by `icvsec scan --format json` (old, new): new,
    /// fixed, changed-severity and still-failing findings, per area.
    #[command(after_help = EXIT_STATUS)]
    Diff(DiffArgs),
    /// List or explain the rules of the catalog.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// List or explain the requirements of the catalog (standards, clauses, citing rules).
    #[command(subcommand)]
    Requirements(RequirementsCmd),
    /// Probe a live endpoint (the only command that uses the network, and only towards TARGET).
    #[command(subcommand)]
    Probe(crate::probe_cmd::ProbeCmd),
    /// Print the JSON Schema of an input kind: vehicle, ecu or dataflow.
    Schema {
        /// The input kind.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(icvsec_model::input::SCHEMA_KINDS))]
        kind: String,
    },
    /// Scaffold vehicle.json and ECU configuration stubs from what discovery finds in a
    /// build directory (never overwrites existing files unless --force).
    Init {
        /// The vehicle build directory.
        path: PathBuf,
        /// Overwrite vehicle.json and ECU stubs that already exist.
        #[arg(long)]
        force: bool,
        /// An ECU and its role, `ID=ROLE` (e.g. `tbox=tbox`, `zc1=zone_controller`):
        /// adds an ECU discovery did not find, or sets the role of one it did. Repeatable.
        #[arg(long = "ecu", value_name = "ID=ROLE")]
        ecus: Vec<String>,
    },
    /// Write the build's per-ECU software inventory as a CycloneDX 1.6 SBOM (JSON).
    Sbom {
        /// The vehicle build directory (or one firmware image).
        path: PathBuf,
        /// Write the SBOM to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Skip files larger than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
        max_file_size: u64,
    },
    /// Write the build's key-fingerprint inventory as JSON: the SPKI SHA-256 of every
    /// certificate, private key (public half) and public key, per ECU and file, and the
    /// keys held by more than one ECU. Compare inventories of builds to find key pairs
    /// shipped identically across ECUs, units and builds.
    Keys {
        /// The vehicle build directory (or one firmware image).
        path: PathBuf,
        /// Write the inventory to this file instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Skip files larger than this many bytes.
        #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
        max_file_size: u64,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of icvsec or of one subcommand, or write them all.
    Man {
        /// The subcommand whose page to print (e.g. `scan`); default: the main page.
        subcommand: Option<String>,
        /// Write every page (icvsec.1, icvsec-scan.1, ...) into this directory instead.
        #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
        out_dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Html,
    Markdown,
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
    /// Format of the report on standard output (or in --output).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the --format report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write a SARIF 2.1.0 log here (repeatable). The exit code does not depend on outputs.
    #[arg(long, value_name = "FILE")]
    pub output_sarif: Vec<PathBuf>,
    /// Prefix for SARIF file URIs: the build directory's path inside the repository
    /// (e.g. `vehicle-build/`), for viewers that resolve URIs against the repository root
    /// (GitHub code scanning). Without it, URIs are relative to the build directory.
    #[arg(long, value_name = "PREFIX", default_value = "")]
    pub sarif_uri_prefix: String,
    /// Also write a JUnit XML report here (repeatable).
    #[arg(long, value_name = "FILE")]
    pub output_junit: Vec<PathBuf>,
    /// Also write the self-contained HTML self-assessment report here (repeatable).
    #[arg(long, value_name = "FILE")]
    pub output_html: Vec<PathBuf>,
    /// Also write the JSON report here (repeatable).
    #[arg(long, value_name = "FILE")]
    pub output_json: Vec<PathBuf>,
    /// Also write the Markdown summary (for pull-request comments) here (repeatable).
    #[arg(long, value_name = "FILE")]
    pub output_markdown: Vec<PathBuf>,
    /// Also write the text report (without colour) here (repeatable).
    #[arg(long, value_name = "FILE")]
    pub output_text: Vec<PathBuf>,
    /// Exit 1 when a failing finding has at least this severity (critical, high, medium,
    /// low, info), or never with `none` [default: high, or `fail_on` in icvsec.toml].
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Report-only jobs: exit 0 whatever the findings and even when the assessment is
    /// incomplete; only usage errors (exit 2) still fail. The verdict is still printed.
    #[arg(long)]
    pub exit_zero: bool,
    /// Text report with failing and erroring rules, input errors and the summary only.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Base URL of the rule documentation (the published docs/rules.md), for SARIF
    /// `helpUri` per rule and the tool's `informationUri` [default: `doc_base_url` in icvsec.toml].
    #[arg(long, value_name = "URL")]
    pub doc_base_url: Option<String>,
    /// Configuration file [default: icvsec.toml in the build directory, else in its
    /// parents up to the repository root (a directory containing `.git`)].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any icvsec.toml (in the build or above it).
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Market profiles whose rules are in scope: CN, EU, UNECE; each brings the standards rules/requirements/markets.toml lists for it; comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "MARKET")]
    pub markets: Vec<String>,
    /// Waivers file (TOML) [default: `waivers` in icvsec.toml].
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Apply no waiver (not even --waivers or the configured file): show every finding as it is.
    #[arg(long)]
    pub no_waivers: bool,
    /// Gate only on failures that are not in this baseline (written by --write-baseline).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the fingerprints of the current failing findings into this file (JSON).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Never show a progress indicator (it only appears on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
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
    /// JSON report: every outcome as a finding with its message and place. By default
    /// passes and not-applicable outcomes are grouped per rule with the ids of their
    /// assets (`outcome_groups`), which keeps large builds' reports small.
    #[arg(long)]
    pub full_evidence: bool,
    /// Worker threads for the whole scan, writing the reports included (default: all
    /// cores). Output is identical whatever the number.
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Vulnerability feed: an OSV/NVD JSON file, an OSV zip or a directory of them
    /// (repeatable) [default: `vuln_db` in icvsec.toml]. See docs/vulnerabilities.md.
    #[arg(long = "vuln-db", value_name = "PATH")]
    pub vuln_db: Vec<PathBuf>,
    /// Known-bad key list matched on every certificate, private and public key, besides
    /// the shipped rules/params/key-blocklist.txt (repeatable): icvsec text format, a
    /// Debian openssl-blacklist file, or a badkeys blocklist.dat (`*.dat`). See README
    /// "Known-bad keys and distrusted roots".
    #[arg(long = "blocklist", value_name = "FILE")]
    pub blocklist: Vec<PathBuf>,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Largest update package read in place when above --max-file-size (SWUpdate images
    /// are hashed in 1 MiB chunks, never loaded whole).
    #[arg(long, value_name = "BYTES", default_value_t = 8 << 30)]
    pub max_package_size: u64,
    /// Do not enter directories nested deeper than this below the build root (a notice names each).
    #[arg(long, value_name = "N", default_value_t = 48)]
    pub max_depth: usize,
    /// Never colour the text report (colour is also off when NO_COLOR is set or stdout is not a terminal).
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Args, Debug, Clone)]
pub struct DiffArgs {
    /// The earlier JSON report.
    pub old: PathBuf,
    /// The later JSON report.
    pub new: PathBuf,
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 when a new failing finding has at least this severity, or never with `none`.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// Write the comparison here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
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
    /// Write the rule reference (Markdown) generated from the catalog.
    #[command(hide = true)]
    Doc {
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Explain one rule: what it checks, why, how to fix it, what it cites.
    Explain {
        id: String,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RequirementsCmd {
    /// List every requirement in the standards' order with the rules that cite it.
    List {
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        /// Only requirements of these standards (name or short name, e.g. `GB 44495`); may be repeated.
        #[arg(long, value_name = "STANDARD")]
        standard: Vec<String>,
        /// Additional rules directory (its `requirements/` extends the catalog); may be repeated.
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Explain one requirement: its clause, statement, expected evidence and citing rules.
    Explain {
        id: String,
        #[arg(long = "rules", value_name = "DIR")]
        rules: Vec<PathBuf>,
    },
    /// Write the requirement reference (Markdown) generated from the catalog.
    #[command(hide = true)]
    Doc {
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Csv,
}
