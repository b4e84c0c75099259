//! The six areas of the ICV network security standards system (MIIT guide) and their
//! sub-area slugs, as listed in requirements.md §1.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Basic,
    Terminal,
    Connection,
    Data,
    Application,
    Assurance,
}

impl Area {
    pub const ALL: [Area; 6] = [
        Area::Basic,
        Area::Terminal,
        Area::Connection,
        Area::Data,
        Area::Application,
        Area::Assurance,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Area::Basic => "basic",
            Area::Terminal => "terminal",
            Area::Connection => "connection",
            Area::Data => "data",
            Area::Application => "application",
            Area::Assurance => "assurance",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Area::Basic => "Overall and basic",
            Area::Terminal => "Terminal and facility security",
            Area::Connection => "Internet connection security",
            Area::Data => "Data security",
            Area::Application => "Application service security",
            Area::Assurance => "Security assurance and support",
        }
    }

    /// Sub-area slugs with their titles.
    pub fn subareas(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Area::Basic => &[
                ("terminology", "Terminology and definitions"),
                ("framework", "Overall framework"),
                ("crypto", "Cryptography application"),
            ],
            Area::Terminal => &[
                ("onboard-equipment", "On-board equipment"),
                ("vehicle", "Vehicle side / whole vehicle"),
                ("roadside", "Roadside communication facilities"),
                ("facilities", "Inspection station / network facilities"),
            ],
            Area::Connection => &[
                ("communication", "Communication security"),
                ("identity", "Identity authentication"),
            ],
            Area::Data => &[
                ("general", "General requirements"),
                ("classification", "Classification and grading"),
                ("cross-border", "Cross-border security"),
                ("personal-info", "Personal information protection"),
                ("application-data", "Application data security"),
            ],
            Area::Application => &[
                ("platform", "Platform security"),
                ("app-program", "Application program security"),
                ("service", "Service security"),
            ],
            Area::Assurance => &[
                ("risk", "Risk assessment"),
                ("monitoring", "Security monitoring and emergency management"),
                ("capability", "Security capability assessment"),
            ],
        }
    }

    pub fn subarea_title(self, slug: &str) -> Option<&'static str> {
        self.subareas()
            .iter()
            .find(|(s, _)| *s == slug)
            .map(|(_, t)| *t)
    }
}

impl fmt::Display for Area {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for Area {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Area::ALL
            .into_iter()
            .find(|a| a.slug() == s)
            .ok_or_else(|| {
                format!("unknown area `{s}` (expected basic, terminal, connection, data, application or assurance)")
            })
    }
}
