//! JSON: the report model's own serialization (schema_version 1).
//!
//! Large reports are dominated by their findings, so those are pretty-printed in parallel
//! chunks, each exactly as serde_json's pretty printer writes an array element at that depth,
//! and spliced into the rest of the report. The bytes are the same as
//! `serde_json::to_writer_pretty(report)` (a test checks it), whatever the number of threads.

use crate::Renderer;
use icvsec_model::{Finding, Report};
use rayon::prelude::*;
use std::io::{self, Write};

pub struct Json;

/// Below this many findings one thread is as fast.
const PARALLEL_FROM: usize = 2048;
const CHUNK: usize = 1024;
/// The top-level `findings` key of the shell report, as the pretty printer writes it.
const EMPTY_FINDINGS: &str = "\n  \"findings\": [],";

/// One finding as an element of the top-level `findings` array (indented four spaces).
fn element(f: &Finding) -> io::Result<String> {
    let s = serde_json::to_string_pretty(f).map_err(io::Error::other)?;
    Ok(format!("    {}", s.replace('\n', "\n    ")))
}

impl Renderer for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        if report.findings.len() < PARALLEL_FROM {
            serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
            return writeln!(out);
        }
        let shell =
            serde_json::to_string_pretty(&report.without_findings()).map_err(io::Error::other)?;
        let at = shell.find(EMPTY_FINDINGS).ok_or_else(|| {
            io::Error::other("internal: findings key not found in the JSON shell")
        })?;
        let chunks: Vec<String> = report
            .findings
            .par_chunks(CHUNK)
            .map(|chunk| {
                chunk
                    .iter()
                    .map(element)
                    .collect::<io::Result<Vec<_>>>()
                    .map(|v| v.join(",\n"))
            })
            .collect::<io::Result<Vec<_>>>()?;
        let key_end = at + EMPTY_FINDINGS.len() - "],".len();
        out.write_all(&shell.as_bytes()[..key_end])?;
        out.write_all(b"\n")?;
        for (i, c) in chunks.iter().enumerate() {
            if i > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(c.as_bytes())?;
        }
        out.write_all(b"\n  ")?;
        out.write_all(&shell.as_bytes()[key_end..])?;
        writeln!(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icvsec_model::{Area, AssetKind, AssetRef, Location, Outcome, Severity};

    fn finding(i: usize) -> Finding {
        Finding {
            rule_id: format!("ICV-T-{:03}", i % 7),
            area: Area::Terminal,
            subarea: "onboard-equipment".into(),
            severity: Severity::High,
            outcome: if i.is_multiple_of(3) {
                Outcome::Fail
            } else {
                Outcome::Pass
            },
            asset: AssetRef::new(AssetKind::Ecu, format!("ecu{i}")),
            message: format!("value \"{i}\"\nwith a newline and a ] bracket"),
            location: i
                .is_multiple_of(2)
                .then(|| Location::at_key("ecus/e.json", "debug.jtag").with_line(3, Some(5))),
            related: vec![],
            fingerprint: format!("{i:016x}"),
            waiver: None,
        }
    }

    #[test]
    fn parallel_rendering_is_byte_identical_to_serde_pretty() {
        for n in [0, 1, PARALLEL_FROM - 1, PARALLEL_FROM, 3 * CHUNK + 17] {
            let mut report = Report {
                schema_version: 1,
                findings: (0..n).map(finding).collect(),
                ..Default::default()
            };
            report.summarize();
            let mut want = serde_json::to_vec_pretty(&report).unwrap();
            want.push(b'\n');
            let mut got = Vec::new();
            Json.render(&report, &mut got).unwrap();
            assert!(got == want, "JSON differs for {n} findings");
        }
    }
}
