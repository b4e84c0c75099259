//! Kernel series end of life: a small data table (data/kernel-eol.toml, sources cited there)
//! and the judgement "this kernel's series gets no more upstream fixes".

use crate::error::VulnError;
use crate::version::kernel_numbers;
use serde::{Deserialize, Serialize};
use time::Date;

/// The built-in table (see data/kernel-eol.toml for its sources).
pub const BUILTIN_TABLE: &str = include_str!("../data/kernel-eol.toml");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesEol {
    /// "major.minor".
    pub series: String,
    /// Last day of support (kernel.org gives a month; the month's last day).
    pub eol: String,
    /// True while the date is kernel.org's projection (it may be extended).
    pub projected: bool,
    pub source: String,
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelEolTable {
    /// When the table was last checked against its sources.
    pub as_of: String,
    pub series: Vec<SeriesEol>,
}

impl KernelEolTable {
    pub fn builtin() -> KernelEolTable {
        // The built-in table is validated by a unit test; fall back to an empty table
        // rather than panic if it were ever broken.
        Self::parse("data/kernel-eol.toml", BUILTIN_TABLE).unwrap_or(KernelEolTable {
            as_of: String::new(),
            series: Vec::new(),
        })
    }

    /// Parses a table with the built-in table's shape; every date is checked.
    pub fn parse(file: &str, text: &str) -> Result<KernelEolTable, VulnError> {
        let t: KernelEolTable = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| format!("byte offset {}", s.start))
                .unwrap_or_else(|| "document".to_string());
            VulnError::new(file, place, e.message().to_string())
        })?;
        for (i, s) in t.series.iter().enumerate() {
            if crate::dates::parse_date(&s.eol).is_none() {
                return Err(VulnError::new(
                    file,
                    format_args!("series[{i}].eol"),
                    format!("{:?} is not a YYYY-MM-DD date", s.eol),
                ));
            }
            if kernel_numbers(&s.series).len() != 2 {
                return Err(VulnError::new(
                    file,
                    format_args!("series[{i}].series"),
                    format!("{:?} is not major.minor", s.series),
                ));
            }
        }
        Ok(t)
    }

    pub fn lookup(&self, series: &str) -> Option<&SeriesEol> {
        self.series.iter().find(|s| s.series == series)
    }
}

/// Where a kernel stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum KernelSupport {
    /// A longterm series still inside its support period.
    Supported {
        series: String,
        eol: String,
        projected: bool,
    },
    /// A longterm series past its EOL date.
    EndOfLife { series: String, eol: String },
    /// Not a longterm series in the table: upstream fixes stop when the next stable
    /// release ships, so it is treated as unsupported.
    NotLongterm { series: String },
    /// The version could not be read as major.minor.
    Unknown,
}

impl KernelSupport {
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            KernelSupport::EndOfLife { .. } | KernelSupport::NotLongterm { .. }
        )
    }
}

/// Judges a kernel version on a date.
pub fn kernel_support(version: &str, as_of: Date, table: &KernelEolTable) -> KernelSupport {
    let n = kernel_numbers(version);
    if n.len() < 2 {
        return KernelSupport::Unknown;
    }
    let series = format!("{}.{}", n[0], n[1]);
    match table.lookup(&series) {
        Some(s) => match crate::dates::parse_date(&s.eol) {
            Some(eol) if as_of > eol => KernelSupport::EndOfLife {
                series,
                eol: s.eol.clone(),
            },
            Some(_) => KernelSupport::Supported {
                series,
                eol: s.eol.clone(),
                projected: s.projected,
            },
            None => KernelSupport::Unknown,
        },
        None => KernelSupport::NotLongterm { series },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn builtin_table_parses() {
        let t = KernelEolTable::parse("data/kernel-eol.toml", BUILTIN_TABLE).expect("valid table");
        assert!(t.series.len() >= 10);
        assert_eq!(KernelEolTable::builtin(), t);
    }

    #[test]
    fn judgements() {
        let t = KernelEolTable::builtin();
        let d = date!(2026 - 11 - 30);
        assert!(matches!(
            kernel_support("5.10.120", d, &t),
            KernelSupport::Supported { .. }
        ));
        assert!(matches!(
            kernel_support("5.10.120", date!(2027 - 01 - 01), &t),
            KernelSupport::EndOfLife { .. }
        ));
        assert!(matches!(
            kernel_support("5.4.200", d, &t),
            KernelSupport::EndOfLife { .. }
        ));
        assert_eq!(
            kernel_support("6.7.1", d, &t),
            KernelSupport::NotLongterm {
                series: "6.7".into()
            }
        );
        assert_eq!(kernel_support("junk", d, &t), KernelSupport::Unknown);
    }

    #[test]
    fn bad_tables_are_errors() {
        let e = KernelEolTable::parse("t.toml", "as_of = \"x\"\n[[series]]\nseries = \"5.10\"\neol = \"Dec 2026\"\nprojected = true\nsource = \"s\"\nverified = true\n").unwrap_err();
        assert_eq!(e.place, "series[0].eol");
        assert!(KernelEolTable::parse("t.toml", "nonsense = [").is_err());
    }
}
