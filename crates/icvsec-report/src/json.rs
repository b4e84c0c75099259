//! JSON: the report model's own serialization (schema_version 1).

use crate::Renderer;
use icvsec_model::Report;
use std::io::{self, Write};

pub struct Json;

impl Renderer for Json {
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
        writeln!(out)
    }
}
