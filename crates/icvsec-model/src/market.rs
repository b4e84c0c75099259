//! Markets a vehicle is sold in: rules apply per market, and the requirement catalog maps
//! markets to standards. Its own module: rules and the requirement catalog both use it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A market profile. Which standards a market brings into scope is data
/// (`rules/requirements/markets.toml`), not derived from standard names.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Market {
    #[serde(rename = "CN")]
    Cn,
    #[serde(rename = "EU")]
    Eu,
    #[serde(rename = "UNECE")]
    Unece,
}

impl Market {
    pub const ALL: [Market; 3] = [Market::Cn, Market::Eu, Market::Unece];

    pub fn as_str(self) -> &'static str {
        match self {
            Market::Cn => "CN",
            Market::Eu => "EU",
            Market::Unece => "UNECE",
        }
    }
}

impl fmt::Display for Market {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Market {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let u = s.trim().to_ascii_uppercase();
        Market::ALL
            .into_iter()
            .find(|m| m.as_str() == u)
            .ok_or_else(|| {
                format!(
                    "unknown market `{s}` (expected one of: {})",
                    Market::ALL.map(|m| m.as_str()).join(", ")
                )
            })
    }
}
