//! A bounded XML reader for ARXML: builds a compact element tree (names, text of leaf
//! elements, the DEST/BASE attributes of references, byte offsets) on top of quick-xml.
//!
//! Why a tree of our own rather than a full AUTOSAR model: every fact must carry its
//! line:col, which schema-driven ARXML libraries do not keep, and we need only a few
//! dozen element kinds. The reader refuses DTDs and undefined entities (no entity
//! expansion at all beyond the five predefined ones and character references), and
//! bounds file size, depth, element count and text size.

use crate::error::{ErrorKind, Limits, LineIndex, VnetError};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use std::collections::HashMap;

pub(crate) const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub name: u32,
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    /// Byte offset of the `<` of the start tag.
    pub offset: u32,
    /// Trimmed text of an element without child elements: start and length in
    /// `XmlDoc::texts` (length 0: none). One arena instead of one allocation per leaf.
    text_start: u32,
    text_len: u32,
    /// Index into `XmlDoc::attrs` (reference elements with DEST/BASE only), or NONE.
    attrs: u32,
}

/// DEST and BASE attributes of a reference element.
#[derive(Debug, Clone)]
struct RefAttrs {
    dest: Option<Box<str>>,
    base: Option<Box<str>>,
}

/// One parsed XML file.
#[derive(Debug)]
pub(crate) struct XmlDoc {
    pub file: String,
    pub text: String,
    pub nodes: Vec<Node>,
    texts: String,
    attrs: Vec<RefAttrs>,
    names: Vec<Box<str>>,
    name_ids: HashMap<Box<str>, u32>,
    lines: LineIndex,
}

impl XmlDoc {
    pub fn name(&self, node: u32) -> &str {
        &self.names[self.nodes[node as usize].name as usize]
    }

    pub fn name_count(&self) -> u32 {
        self.names.len() as u32
    }

    pub fn name_by_id(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn name_id(&self, name: &str) -> Option<u32> {
        self.name_ids.get(name).copied()
    }

    pub fn node(&self, node: u32) -> &Node {
        &self.nodes[node as usize]
    }

    /// Text of a leaf element.
    pub fn text_of(&self, node: u32) -> Option<&str> {
        let n = &self.nodes[node as usize];
        if n.text_len == 0 {
            return None;
        }
        let start = n.text_start as usize;
        self.texts.get(start..start + n.text_len as usize)
    }

    pub fn dest_of(&self, node: u32) -> Option<&str> {
        let a = self.nodes[node as usize].attrs;
        (a != NONE).then(|| self.attrs[a as usize].dest.as_deref())?
    }

    pub fn base_of(&self, node: u32) -> Option<&str> {
        let a = self.nodes[node as usize].attrs;
        (a != NONE).then(|| self.attrs[a as usize].base.as_deref())?
    }

    pub fn children(&self, node: u32) -> Children<'_> {
        Children {
            doc: self,
            next: self.nodes[node as usize].first_child,
        }
    }

    /// First child element with this name.
    pub fn child(&self, node: u32, name: &str) -> Option<u32> {
        let id = self.name_id(name)?;
        self.children(node)
            .find(|c| self.nodes[*c as usize].name == id)
    }

    /// Text of the first child element with this name.
    pub fn child_text(&self, node: u32, name: &str) -> Option<&str> {
        self.child(node, name).and_then(|c| self.text_of(c))
    }

    pub fn line_col(&self, node: u32) -> (usize, usize) {
        self.lines
            .line_col(&self.text, self.nodes[node as usize].offset as usize)
    }

    /// All nodes with this element name, in document order.
    pub fn all_named<'a>(&'a self, name: &str) -> impl Iterator<Item = u32> + 'a {
        let id = self.name_id(name);
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| Some(n.name) == id)
            .map(|(i, _)| i as u32)
    }
}

pub(crate) struct Children<'a> {
    doc: &'a XmlDoc,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let cur = self.next;
        self.next = self.doc.nodes[cur as usize].next_sibling;
        Some(cur)
    }
}

struct Open {
    node: u32,
    last_child: u32,
    has_child: bool,
}

/// Parse one XML file into a tree, enforcing `limits`. Takes the bytes by value so that a
/// large file is not copied.
pub(crate) fn parse(file: &str, mut bytes: Vec<u8>, limits: &Limits) -> Result<XmlDoc, VnetError> {
    if bytes.len() > limits.max_arxml_bytes {
        return Err(VnetError::whole_file(
            file,
            ErrorKind::Limit,
            format!(
                "file is {} bytes, larger than the limit of {} bytes",
                bytes.len(),
                limits.max_arxml_bytes
            ),
        ));
    }
    if bytes.len() >= NONE as usize {
        return Err(VnetError::whole_file(
            file,
            ErrorKind::Limit,
            "file is larger than 4 GiB",
        ));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes());
            let (l, c) = LineIndex::new(&lossy).line_col(&lossy, valid);
            return Err(VnetError::at_line_col(
                file,
                l,
                c,
                ErrorKind::Syntax,
                "invalid UTF-8 (ARXML files are UTF-8)",
            ));
        }
    };
    let lines = LineIndex::new(&text);
    let mut doc = XmlDoc {
        file: file.to_string(),
        text: String::new(),
        // About one element per 40 bytes in ARXML: reserve once instead of regrowing.
        nodes: Vec::with_capacity((text.len() / 48).min(limits.max_elements)),
        texts: String::with_capacity(text.len() / 8),
        attrs: Vec::new(),
        names: Vec::new(),
        name_ids: HashMap::new(),
        lines,
    };
    build(&mut doc, &text, limits)?;
    doc.text = text;
    Ok(doc)
}

fn err_at(doc: &XmlDoc, text: &str, offset: usize, kind: ErrorKind, msg: String) -> VnetError {
    let (l, c) = doc.lines.line_col(text, offset);
    VnetError::at_line_col(&doc.file, l, c, kind, msg)
}

fn intern(doc: &mut XmlDoc, name: &str) -> u32 {
    if let Some(id) = doc.name_ids.get(name) {
        return *id;
    }
    let id = doc.names.len() as u32;
    doc.names.push(name.into());
    doc.name_ids.insert(name.into(), id);
    id
}

fn build(doc: &mut XmlDoc, text: &str, limits: &Limits) -> Result<(), VnetError> {
    let mut reader = Reader::from_str(text);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = true;
        cfg.check_comments = true;
        cfg.expand_empty_elements = false;
        cfg.trim_text(false);
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut text_buf = String::new();
    let mut root_done = false;
    loop {
        let before = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let pos = reader.error_position() as usize;
                return Err(err_at(
                    doc,
                    text,
                    pos,
                    ErrorKind::Syntax,
                    format!("XML not well-formed: {e}"),
                ));
            }
        };
        // The event starts at the first non-whitespace byte after `before`.
        let start = text
            .get(before..)
            .map(|s| before + (s.len() - s.trim_start().len()))
            .unwrap_or(before);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                if root_done {
                    return Err(err_at(
                        doc,
                        text,
                        start,
                        ErrorKind::Syntax,
                        "XML not well-formed: content after the root element".into(),
                    ));
                }
                if stack.len() >= limits.max_depth {
                    return Err(err_at(
                        doc,
                        text,
                        start,
                        ErrorKind::Limit,
                        format!(
                            "elements nested deeper than the limit of {}",
                            limits.max_depth
                        ),
                    ));
                }
                if doc.nodes.len() >= limits.max_elements {
                    return Err(err_at(
                        doc,
                        text,
                        start,
                        ErrorKind::Limit,
                        format!("more than {} elements", limits.max_elements),
                    ));
                }
                let local = e.local_name();
                let lname: &str = local.as_ref();
                let name = intern(doc, lname);
                let (mut dest, mut base) = (None, None);
                // Every attribute list is checked (syntax, duplicates); only DEST and
                // BASE of reference elements are kept.
                let is_ref = lname.ends_with("-REF") || lname.ends_with("-TREF");
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| {
                        err_at(
                            doc,
                            text,
                            start,
                            ErrorKind::Syntax,
                            format!("XML not well-formed: attribute of <{lname}>: {err}"),
                        )
                    })?;
                    let key = attr.key.local_name();
                    let key: &str = key.as_ref();
                    if is_ref && (key == "DEST" || key == "BASE") {
                        let v = attr
                            .normalized_value(XmlVersion::Implicit1_0)
                            .map_err(|err| {
                                err_at(
                                    doc,
                                    text,
                                    start,
                                    ErrorKind::Refused,
                                    format!("attribute {key} of <{lname}>: {err}"),
                                )
                            })?;
                        if key == "DEST" {
                            dest = Some(v.into_owned().into_boxed_str());
                        } else {
                            base = Some(v.into_owned().into_boxed_str());
                        }
                    }
                }
                let id = doc.nodes.len() as u32;
                let parent = stack.last().map(|o| o.node).unwrap_or(NONE);
                let attrs = if dest.is_some() || base.is_some() {
                    doc.attrs.push(RefAttrs { dest, base });
                    (doc.attrs.len() - 1) as u32
                } else {
                    NONE
                };
                doc.nodes.push(Node {
                    name,
                    parent,
                    first_child: NONE,
                    next_sibling: NONE,
                    offset: start as u32,
                    text_start: 0,
                    text_len: 0,
                    attrs,
                });
                if let Some(open) = stack.last_mut() {
                    if open.last_child == NONE {
                        doc.nodes[open.node as usize].first_child = id;
                    } else {
                        doc.nodes[open.last_child as usize].next_sibling = id;
                    }
                    open.last_child = id;
                    open.has_child = true;
                }
                text_buf.clear();
                if is_empty {
                    if stack.is_empty() {
                        root_done = true;
                    }
                } else {
                    stack.push(Open {
                        node: id,
                        last_child: NONE,
                        has_child: false,
                    });
                }
            }
            Event::End(_) => {
                let Some(open) = stack.pop() else {
                    return Err(err_at(
                        doc,
                        text,
                        start,
                        ErrorKind::Syntax,
                        "XML not well-formed: end tag without start tag".into(),
                    ));
                };
                if !open.has_child {
                    let t = text_buf.trim();
                    if !t.is_empty() {
                        let n = &mut doc.nodes[open.node as usize];
                        n.text_start = doc.texts.len() as u32;
                        n.text_len = t.len() as u32;
                        doc.texts.push_str(t);
                    }
                }
                text_buf.clear();
                if stack.is_empty() {
                    root_done = true;
                }
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                if stack.is_empty() {
                    if !content.trim().is_empty() {
                        return Err(err_at(
                            doc,
                            text,
                            start,
                            ErrorKind::Syntax,
                            "XML not well-formed: text outside the root element".into(),
                        ));
                    }
                } else if !stack.last().is_some_and(|o| o.has_child) {
                    push_text(doc, text, start, &mut text_buf, &content, limits)?;
                }
            }
            Event::CData(c) => {
                if stack.is_empty() {
                    return Err(err_at(
                        doc,
                        text,
                        start,
                        ErrorKind::Syntax,
                        "XML not well-formed: CDATA outside the root element".into(),
                    ));
                }
                let content = c.xml10_content();
                push_text(doc, text, start, &mut text_buf, &content, limits)?;
            }
            Event::GeneralRef(r) => {
                if stack.is_empty() {
                    return Err(err_at(
                        doc,
                        text,
                        start,
                        ErrorKind::Syntax,
                        "XML not well-formed: reference outside the root element".into(),
                    ));
                }
                let ch = if r.is_char_ref() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => c,
                        _ => {
                            return Err(err_at(
                                doc,
                                text,
                                start,
                                ErrorKind::Syntax,
                                "XML not well-formed: invalid character reference".into(),
                            ));
                        }
                    }
                } else {
                    let name = r.xml10_content();
                    match name.as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => {
                            return Err(err_at(
                                doc,
                                text,
                                start,
                                ErrorKind::Refused,
                                format!("undefined entity &{other}; (no DTD or entity is read)"),
                            ));
                        }
                    }
                };
                let mut b = [0u8; 4];
                push_text(
                    doc,
                    text,
                    start,
                    &mut text_buf,
                    ch.encode_utf8(&mut b),
                    limits,
                )?;
            }
            Event::DocType(_) => {
                return Err(err_at(
                    doc,
                    text,
                    start,
                    ErrorKind::Refused,
                    "DOCTYPE refused: ARXML has no DTD and no DTD or external entity is processed"
                        .into(),
                ));
            }
            Event::Decl(d) => {
                if let Some(Ok(enc)) = d.encoding() {
                    let enc = enc.to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(err_at(
                            doc,
                            text,
                            start,
                            ErrorKind::Syntax,
                            format!("declared encoding {enc} is not UTF-8"),
                        ));
                    }
                }
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                if let Some(open) = stack.last() {
                    let (l, c) = doc
                        .lines
                        .line_col(text, doc.nodes[open.node as usize].offset as usize);
                    let name = doc.name(open.node).to_string();
                    return Err(err_at(
                        doc,
                        text,
                        text.len(),
                        ErrorKind::Syntax,
                        format!(
                            "XML not well-formed: end of file inside <{name}> opened at {l}:{c}"
                        ),
                    ));
                }
                if !root_done {
                    return Err(err_at(
                        doc,
                        text,
                        text.len(),
                        ErrorKind::Syntax,
                        "XML not well-formed: no root element".into(),
                    ));
                }
                return Ok(());
            }
        }
    }
}

fn push_text(
    doc: &XmlDoc,
    text: &str,
    start: usize,
    buf: &mut String,
    s: &str,
    limits: &Limits,
) -> Result<(), VnetError> {
    if buf.len() + s.len() > limits.max_text_bytes {
        return Err(err_at(
            doc,
            text,
            start,
            ErrorKind::Limit,
            format!(
                "element text longer than the limit of {} bytes",
                limits.max_text_bytes
            ),
        ));
    }
    buf.push_str(s);
    Ok(())
}
