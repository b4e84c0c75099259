//! The rule catalog: rule files (TOML, human-writable) are parsed into raw structs that
//! refuse unknown keys, then validated into [`icvsec_model::Rule`]s against the list of
//! built-in checks. Errors name the file and the rule.

mod load;
mod raw;
mod select;

pub use load::{
    Catalog, CheckCatalog, MARKETS_FILE, PARAMS_DIR, PROFILES_DIR, REQUIREMENTS_DIR, RuleError,
    RuleSource, embedded_sources, load_catalog, sources_from_dir,
};
pub use select::{Selection, select_rules};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

#[cfg(test)]
mod tests;
