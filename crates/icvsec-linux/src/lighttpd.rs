//! lighttpd configuration (`/etc/lighttpd/lighttpd.conf`): the listening sockets.
//!
//! Read: `server.port`, `server.bind`, `ssl.engine` at top level (the main socket) and
//! `$SERVER["socket"] == "[addr]:port" { ... }` blocks (each an extra socket; `ssl.engine`
//! inside makes it TLS). `include "file"` / globs are followed inside the root filesystem
//! (relative to the including file's directory), at most [`MAX_INCLUDE_DEPTH`] deep and
//! [`MAX_FILES`] files; `include_shell` is recorded, never run. Other conditionals are
//! skipped with their braces balanced.

use crate::common::{FileSource, Limits, ParseError, glob_paths, normalize_path, text_lines};
use serde::{Deserialize, Serialize};

pub const MAX_INCLUDE_DEPTH: usize = 8;
pub const MAX_FILES: usize = 64;

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LighttpdSocket {
    /// Address (`None` = all).
    pub address: Option<String>,
    pub port: Option<u16>,
    pub tls: bool,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LighttpdConfig {
    pub files: Vec<String>,
    pub sockets: Vec<LighttpdSocket>,
    /// `include_shell` commands (file, line, command), not run.
    pub include_shell: Vec<(String, usize, String)>,
}

#[derive(Default)]
struct State {
    port: Option<(u16, String, usize)>,
    bind: Option<String>,
    ssl: bool,
    sockets: Vec<LighttpdSocket>,
    files: Vec<String>,
    include_shell: Vec<(String, usize, String)>,
}

fn unquote(v: &str) -> &str {
    let v = v.trim().trim_end_matches(';').trim();
    v.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(v)
}

fn parse_socket(s: &str) -> (Option<String>, Option<u16>) {
    let (a, p) = if let Some(r) = s.strip_prefix('[') {
        match r.split_once("]:") {
            Some((a, p)) => (a.to_string(), p),
            None => (r.trim_end_matches(']').to_string(), ""),
        }
    } else {
        match s.rsplit_once(':') {
            Some((a, p)) => (a.to_string(), p),
            None => (s.to_string(), ""),
        }
    };
    let addr = Some(a).filter(|a| !a.is_empty() && a != "0.0.0.0" && a != "::");
    (addr, p.parse().ok())
}

fn read_file(
    src: &dyn FileSource,
    path: &str,
    depth: usize,
    st: &mut State,
) -> Result<(), ParseError> {
    if depth > MAX_INCLUDE_DEPTH {
        return Err(ParseError::new(
            path,
            None,
            format!("includes nested deeper than {MAX_INCLUDE_DEPTH}"),
        ));
    }
    if st.files.len() >= MAX_FILES {
        return Err(ParseError::new(
            path,
            None,
            format!("more than {MAX_FILES} configuration files"),
        ));
    }
    let bytes = src
        .read(path)
        .map_err(|e| ParseError::new(path, None, e))?
        .ok_or_else(|| ParseError::new(path, None, "file not found in root filesystem"))?;
    st.files.push(path.to_string());
    let lines = text_lines(path, &bytes, &Limits::default())?;
    let dir = path
        .rsplit_once('/')
        .map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
    // Stack of open blocks: Some(index into st.sockets) for a socket block, None otherwise.
    let mut blocks: Vec<Option<usize>> = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(rest) = l.strip_prefix("$SERVER[\"socket\"]") {
            let rest = rest.trim_start();
            let Some(v) = rest.strip_prefix("==") else {
                blocks.push(None);
                continue;
            };
            let v = v.trim().trim_end_matches('{').trim();
            let (address, port) = parse_socket(unquote(v));
            st.sockets.push(LighttpdSocket {
                address,
                port,
                tls: false,
                file: path.to_string(),
                line,
            });
            blocks.push(Some(st.sockets.len() - 1));
            continue;
        }
        if l.starts_with('$') || (l.ends_with('{') && !l.contains('=')) {
            blocks.push(None);
            continue;
        }
        if l.starts_with('}') {
            if blocks.pop().is_none() {
                return Err(ParseError::at(path, line, "unbalanced '}'"));
            }
            continue;
        }
        if let Some(rest) = l.strip_prefix("include_shell") {
            st.include_shell
                .push((path.to_string(), line, unquote(rest).to_string()));
            continue;
        }
        if let Some(rest) = l.strip_prefix("include") {
            let inc = unquote(rest);
            let full = if inc.starts_with('/') {
                inc.to_string()
            } else {
                normalize_path(&format!("{dir}/{inc}"))
            };
            let paths =
                glob_paths(src, &full, MAX_FILES).map_err(|e| ParseError::at(path, line, e))?;
            for p in paths {
                read_file(src, &p, depth + 1, st)?;
            }
            continue;
        }
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let k = k.trim().trim_end_matches(['+', ':']).trim();
        let v = unquote(v);
        let current = blocks.iter().rev().find_map(|b| *b);
        match (k, current) {
            ("ssl.engine", Some(idx)) => st.sockets[idx].tls = v == "enable",
            ("ssl.engine", None) if blocks.is_empty() => st.ssl = v == "enable",
            ("server.port", None) if blocks.is_empty() => {
                let n = v.parse().map_err(|_| {
                    ParseError::at(path, line, format!("server.port {v:?} is not a port"))
                })?;
                st.port = Some((n, path.to_string(), line));
            }
            ("server.bind", None) if blocks.is_empty() => st.bind = Some(v.to_string()),
            _ => {}
        }
    }
    if !blocks.is_empty() {
        return Err(ParseError::new(
            path,
            Some(lines.len()),
            "unclosed '{' block",
        ));
    }
    Ok(())
}

/// Read a lighttpd configuration (following includes) and list its sockets: the main one
/// first (port 80, or 443 with `ssl.engine`, when `server.port` is absent), then the
/// `$SERVER["socket"]` ones.
pub fn load_lighttpd(src: &dyn FileSource, path: &str) -> Result<LighttpdConfig, ParseError> {
    let mut st = State::default();
    read_file(src, path, 0, &mut st)?;
    let (port, file, line) = match st.port.clone() {
        Some((p, f, l)) => (p, f, l),
        None => (if st.ssl { 443 } else { 80 }, path.to_string(), 0),
    };
    let bind = st.bind.clone().filter(|b| b != "0.0.0.0" && b != "::");
    let mut sockets = vec![LighttpdSocket {
        address: bind,
        port: Some(port),
        tls: st.ssl,
        file,
        line,
    }];
    sockets.extend(st.sockets);
    Ok(LighttpdConfig {
        files: st.files,
        sockets,
        include_shell: st.include_shell,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::MemRoot;

    #[test]
    fn sockets_and_includes() {
        let root = MemRoot::new()
            .with(
                "/etc/lighttpd/lighttpd.conf",
                "server.document-root = \"/www\"\nserver.port = 8080\nserver.bind = \"127.0.0.1\"\ninclude \"conf.d/*.conf\"\ninclude_shell \"/usr/share/lighttpd/create-mime.conf.pl\"\n$HTTP[\"host\"] == \"x\" {\n  ssl.engine = \"enable\"\n}\n",
            )
            .with(
                "/etc/lighttpd/conf.d/10-ssl.conf",
                "$SERVER[\"socket\"] == \":443\" {\n  ssl.engine = \"enable\"\n  ssl.pemfile = \"/etc/lighttpd/server.pem\"\n}\n$SERVER[\"socket\"] == \"[::]:8443\" {\n}\n",
            );
        let c = load_lighttpd(&root, "/etc/lighttpd/lighttpd.conf").unwrap();
        assert_eq!(c.files.len(), 2);
        let s: Vec<(Option<&str>, Option<u16>, bool)> = c
            .sockets
            .iter()
            .map(|s| (s.address.as_deref(), s.port, s.tls))
            .collect();
        assert_eq!(
            s,
            vec![
                (Some("127.0.0.1"), Some(8080), false),
                (None, Some(443), true),
                (None, Some(8443), false)
            ]
        );
        assert_eq!(c.sockets[1].file, "/etc/lighttpd/conf.d/10-ssl.conf");
        assert_eq!(c.include_shell.len(), 1);
    }

    #[test]
    fn loops_and_errors() {
        let root = MemRoot::new()
            .with("/etc/lighttpd/lighttpd.conf", "include \"a.conf\"\n")
            .with("/etc/lighttpd/a.conf", "include \"lighttpd.conf\"\n");
        let e = load_lighttpd(&root, "/etc/lighttpd/lighttpd.conf").unwrap_err();
        assert!(e.message.contains("deeper"), "{e}");
        let root = MemRoot::new().with("/l.conf", "$SERVER[\"socket\"] == \":1\" {\n");
        assert!(load_lighttpd(&root, "/l.conf").is_err());
        let root = MemRoot::new().with("/l.conf", "server.port = \"http\"\n");
        assert_eq!(load_lighttpd(&root, "/l.conf").unwrap_err().line, Some(1));
    }
}
