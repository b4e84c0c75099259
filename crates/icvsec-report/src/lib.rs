//! Report renderers. Each one reads the report model only; grouping by area happened
//! once, in the model. Renderers never decide the exit code.

mod json;
mod text;

pub use json::Json;
pub use text::Text;

use icvsec_model::Report;
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
