//! Report renderers. Each one reads the report model only; grouping by area happened
//! once, in the model. Renderers never decide the exit code.

mod escape;
mod html;
pub mod inert;
mod json;
mod junit;
pub mod markdown;
mod sarif;
mod text;

#[cfg(test)]
mod tests;

pub use escape::{html_escape, xml_escape};
pub use html::Html;
pub use json::Json;
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::{Sarif, SarifLog};
pub use text::Text;

use icvsec_model::{Finding, Outcome, Report};
use std::io::{self, Write};

pub trait Renderer {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// Render into a string (for tests and files).
pub fn render_to_string(r: &dyn Renderer, report: &Report) -> String {
    let mut buf = Vec::new();
    r.render(report, &mut buf)
        .expect("writing to a Vec cannot fail");
    String::from_utf8(buf).expect("renderers write UTF-8")
}

/// Outcome of a group of findings as a whole: the worst of them (fail first).
pub(crate) fn worst(fs: &[&Finding]) -> Outcome {
    fs.iter()
        .map(|f| f.outcome)
        .min()
        .unwrap_or(Outcome::NotApplicable)
}

/// The anchor of a rule in the generated rule reference (`docs/rules.md`).
pub fn rule_anchor(id: &str) -> String {
    id.to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
