//! CAN databases (Vector DBC) → messages, signals, nodes of one bus.
//!
//! Parsing is done by the `can-dbc` crate (a pest grammar; it reads all 119 DBC files of
//! a large public collection of production-car databases). Syntax errors come back with
//! line:col. On top of it we bound the file size and the message and signal counts, and
//! find the line of each `BO_` / `SG_` statement so that facts carry a place.

use crate::error::{ErrorKind, Limits, LineIndex, Place, VnetError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The DBC placeholder for "no node".
const NO_NODE: &str = "Vector__XXX";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbcSignal {
    pub name: String,
    /// Receiving nodes (without the `Vector__XXX` placeholder).
    pub receivers: Vec<String>,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbcMessage {
    /// CAN identifier without the extended-frame flag bit.
    pub id: u32,
    pub extended: bool,
    pub name: String,
    /// Payload length in bytes (`BO_ id name: DLC sender`).
    pub dlc: u64,
    /// Transmitting node (`None` for `Vector__XXX`).
    pub sender: Option<String>,
    /// Further transmitters declared with `BO_TX_BU_`, sorted.
    pub other_senders: Vec<String>,
    pub signals: Vec<DbcSignal>,
    pub place: Place,
}

impl DbcMessage {
    /// `0x1A0` (as `secoc[].id` and gateway `allowed_ids` in ECU configs).
    pub fn id_hex(&self) -> String {
        format!("0x{:X}", self.id)
    }

    /// Sender and other senders.
    pub fn senders(&self) -> impl Iterator<Item = &str> {
        self.sender
            .iter()
            .map(String::as_str)
            .chain(self.other_senders.iter().map(String::as_str))
    }

    /// Union of all signal receivers, sorted.
    pub fn receivers(&self) -> BTreeSet<&str> {
        self.signals
            .iter()
            .flat_map(|s| s.receivers.iter().map(String::as_str))
            .collect()
    }
}

/// One DBC file: the messages of one bus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbcFile {
    pub file: String,
    /// Bus name (from the caller, or the file stem: see [`bus_name_from_file`]).
    pub bus: String,
    /// Nodes declared with `BU_`, in file order.
    pub nodes: Vec<String>,
    pub messages: Vec<DbcMessage>,
}

impl DbcFile {
    /// Nodes attached to this bus: `BU_` nodes plus every sender and receiver named.
    pub fn all_nodes(&self) -> BTreeSet<&str> {
        let mut s: BTreeSet<&str> = self.nodes.iter().map(String::as_str).collect();
        for m in &self.messages {
            s.extend(m.senders());
        }
        s
    }
}

/// Bus name from a file label: the file stem (`dbc/CAN_Powertrain.dbc` → `CAN_Powertrain`).
pub fn bus_name_from_file(file: &str) -> String {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    match base.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => base.to_string(),
    }
}

/// Parse a DBC file. `bus` names the bus; `None` takes the file stem.
pub fn parse_dbc(
    file: &str,
    bytes: &[u8],
    bus: Option<&str>,
    limits: &Limits,
) -> Result<DbcFile, VnetError> {
    if bytes.len() > limits.max_dbc_bytes {
        return Err(VnetError::whole_file(
            file,
            ErrorKind::Limit,
            format!(
                "file is {} bytes, larger than the limit of {} bytes",
                bytes.len(),
                limits.max_dbc_bytes
            ),
        ));
    }
    // DBC files are often Windows-1252; decode as UTF-8 when valid, else byte-wise
    // Latin-1-ish via the crate's decoder, so names stay readable.
    let text: String = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => can_dbc::decode_cp1252(bytes)
            .map(|c| c.into_owned())
            .unwrap_or_else(|| String::from_utf8_lossy(bytes).into_owned()),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let lines = LineIndex::new(text);
    let (statements, counts) = scan_statements(text);
    if counts.0 > limits.max_dbc_messages {
        return Err(VnetError::whole_file(
            file,
            ErrorKind::Limit,
            format!(
                "{} messages (BO_), more than the limit of {}",
                counts.0, limits.max_dbc_messages
            ),
        ));
    }
    if counts.1 > limits.max_dbc_signals {
        return Err(VnetError::whole_file(
            file,
            ErrorKind::Limit,
            format!(
                "{} signals (SG_), more than the limit of {}",
                counts.1, limits.max_dbc_signals
            ),
        ));
    }
    let dbc = can_dbc::Dbc::try_from(text).map_err(|e| dbc_error(file, text, &lines, &e))?;
    let bus = bus
        .map(str::to_string)
        .unwrap_or_else(|| bus_name_from_file(file));
    let place = |off: Option<usize>, path: String| {
        let (line, col) = off.map(|o| lines.line_col(text, o)).unwrap_or((1, 1));
        Place {
            file: file.to_string(),
            line,
            col,
            path: Some(path),
        }
    };
    let mut extra: BTreeMap<u32, BTreeSet<String>> = BTreeMap::new();
    for t in &dbc.message_transmitters {
        let set = extra.entry(t.message_id.raw()).or_default();
        for n in &t.transmitter {
            if n != NO_NODE && !n.is_empty() {
                set.insert(n.clone());
            }
        }
    }
    let mut messages = Vec::with_capacity(dbc.messages.len());
    for m in &dbc.messages {
        let (id, extended) = match m.id {
            can_dbc::MessageId::Standard(i) => (u32::from(i), false),
            can_dbc::MessageId::Extended(i) => (i, true),
        };
        let stmt = statements.get(&(m.id.raw(), m.name.clone()));
        let signals = m
            .signals
            .iter()
            .map(|s| DbcSignal {
                name: s.name.clone(),
                receivers: s
                    .receivers
                    .iter()
                    .filter(|r| r.as_str() != NO_NODE)
                    .cloned()
                    .collect(),
                place: place(
                    stmt.and_then(|st| st.signals.get(&s.name).copied()),
                    format!("{}.{}", m.name, s.name),
                ),
            })
            .collect();
        let sender = m.transmitter.clone().filter(|t| t != NO_NODE);
        let other_senders = extra
            .get(&m.id.raw())
            .map(|s| {
                s.iter()
                    .filter(|n| Some(*n) != sender.as_ref())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        messages.push(DbcMessage {
            id,
            extended,
            name: m.name.clone(),
            dlc: m.size,
            sender,
            other_senders,
            signals,
            place: place(stmt.map(|st| st.offset), m.name.clone()),
        });
    }
    Ok(DbcFile {
        file: file.to_string(),
        bus,
        nodes: dbc.nodes.iter().map(|n| n.0.clone()).collect(),
        messages,
    })
}

struct MessageStmt {
    offset: usize,
    signals: BTreeMap<String, usize>,
}

/// Byte offsets of `BO_` and `SG_` statements, keyed by (raw id, name), plus the counts
/// of both. A light lexical scan: statements start a line (after blanks); lines inside
/// a quoted string (multi-line `CM_`) are skipped.
fn scan_statements(text: &str) -> (BTreeMap<(u32, String), MessageStmt>, (usize, usize)) {
    let mut out: BTreeMap<(u32, String), MessageStmt> = BTreeMap::new();
    let mut current: Option<(u32, String)> = None;
    let (mut n_msg, mut n_sig) = (0usize, 0usize);
    let mut in_string = false;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let starts_in_string = in_string;
        // Track quotes (with backslash escapes) to know whether the next line is inside
        // a string.
        let mut escaped = false;
        for c in line.chars() {
            if escaped {
                escaped = false;
            } else if c == '\\' && in_string {
                escaped = true;
            } else if c == '"' {
                in_string = !in_string;
            }
        }
        if starts_in_string {
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let mut words = trimmed.split_whitespace();
        match words.next() {
            Some("BO_") => {
                n_msg += 1;
                let id = words.next().and_then(|w| w.parse::<u64>().ok());
                let name = words.next().map(|w| w.trim_end_matches(':').to_string());
                current = match (id, name) {
                    (Some(id), Some(name)) if id <= u64::from(u32::MAX) => {
                        let key = (id as u32, name);
                        out.entry(key.clone()).or_insert(MessageStmt {
                            offset: line_start + indent,
                            signals: BTreeMap::new(),
                        });
                        Some(key)
                    }
                    _ => None,
                };
            }
            Some("SG_") => {
                n_sig += 1;
                if let (Some(key), Some(name)) = (&current, words.next())
                    && let Some(m) = out.get_mut(key)
                {
                    m.signals
                        .entry(name.to_string())
                        .or_insert(line_start + indent);
                }
            }
            Some(_) => current = None,
            None => {}
        }
    }
    (out, (n_msg, n_sig))
}

fn dbc_error(file: &str, text: &str, lines: &LineIndex, e: &can_dbc::DbcError) -> VnetError {
    match e {
        can_dbc::DbcError::Pest(pe) => {
            let (line, col) = match pe.line_col {
                pest::error::LineColLocation::Pos(p) => p,
                pest::error::LineColLocation::Span(p, _) => p,
            };
            let what = match &pe.variant {
                pest::error::ErrorVariant::ParsingError { positives, .. } => {
                    let exp: Vec<String> =
                        positives.iter().take(6).map(|r| format!("{r:?}")).collect();
                    if exp.is_empty() {
                        "unexpected input".to_string()
                    } else {
                        format!("expected {}", exp.join(" or "))
                    }
                }
                pest::error::ErrorVariant::CustomError { message } => message.clone(),
            };
            VnetError::at_line_col(
                file,
                line,
                col,
                ErrorKind::Syntax,
                format!("DBC syntax error: {what}"),
            )
        }
        other => {
            // Value errors carry no position: point at the first statement holding the
            // offending text when it can be found.
            let msg = format!("DBC error: {other}");
            let needle = match other {
                can_dbc::DbcError::InvalidFloat(s)
                | can_dbc::DbcError::InvalidInt(s)
                | can_dbc::DbcError::InvalidUint(s)
                | can_dbc::DbcError::InvalidNumericValue(s) => Some(s.clone()),
                can_dbc::DbcError::MessageIdOutOfRange(v) => Some(v.to_string()),
                _ => None,
            };
            match needle.and_then(|n| text.find(&n)) {
                Some(off) => {
                    let (l, c) = lines.line_col(text, off);
                    VnetError::at_line_col(file, l, c, ErrorKind::Syntax, msg)
                }
                None => VnetError::whole_file(file, ErrorKind::Syntax, msg),
            }
        }
    }
}
