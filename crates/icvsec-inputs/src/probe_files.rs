//! Saved live TLS probes (`icvsec probe tls HOST:PORT --save FILE`, JSON of
//! [`icvsec_model::probe::ProbeResult`]): every `*.probe.json` of the build and every file named in
//! vehicle.json `probes`. A probe is matched to the vehicle.json endpoint whose host is the
//! probe's SNI (else the target host); the certificates of the presented chain become
//! certificate assets (`<probe file>#chain<n>`), with the endpoint's server use when the
//! probe matched one, so the certificate rules judge them.
//!
//! A file that is not valid JSON, has a field the probe layout does not know, or another
//! `schema_version` is a broken asset: an error naming the file, line and column.

use crate::json::{SourceMap, parse_json};
use crate::pki_files::{CertAsset, CertUse};
use icvsec_model::input::vehicle::Endpoint;
use icvsec_model::{Diagnostic, Location};
use serde_json::Value;

/// The saved probe format (from the model: reading a probe needs no prober).
pub use icvsec_model::probe;
use icvsec_model::probe::ProbeResult;

/// A saved probe in the inventory.
#[derive(Clone, Debug)]
pub struct ProbeAsset {
    pub result: ProbeResult,
    /// Build-relative path of the probe file.
    pub file: String,
    /// Host the probe addressed: its SNI, else the host of its target.
    pub host: String,
    /// Port of the target, when it has one.
    pub port: Option<u16>,
    /// The vehicle.json endpoint this probe is of (by host, then port).
    pub endpoint: Option<String>,
}

impl ProbeAsset {
    pub fn location(&self) -> Location {
        Location::file(&self.file)
    }
}

/// Split `HOST:PORT` (`[v6]:port` too). The host is lower-cased.
pub fn split_target(target: &str) -> (String, Option<u16>) {
    let t = target.trim();
    if let Some(rest) = t.strip_prefix('[')
        && let Some((h, p)) = rest.split_once(']')
    {
        return (
            h.to_ascii_lowercase(),
            p.strip_prefix(':').and_then(|p| p.parse().ok()),
        );
    }
    match t.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h.to_ascii_lowercase(), p.parse().ok()),
        _ => (t.to_ascii_lowercase(), None),
    }
}

/// The endpoint a probe is of: same host (SNI, else target host; case-insensitive), and
/// among those the one with the same port, else the first.
pub fn match_endpoint<'a>(
    host: &str,
    port: Option<u16>,
    endpoints: impl IntoIterator<Item = &'a Endpoint>,
) -> Option<&'a Endpoint> {
    let same: Vec<&Endpoint> = endpoints
        .into_iter()
        .filter(|e| e.host.eq_ignore_ascii_case(host))
        .collect();
    same.iter()
        .find(|e| Some(e.port) == port)
        .or(same.first())
        .copied()
}

/// Parse a saved probe. Errors name the file, line and column.
pub(crate) fn parse_probe(text: &str, rel: &str) -> Result<(ProbeResult, SourceMap), Diagnostic> {
    let doc = parse_json::<ProbeResult>(text, rel)?;
    // ProbeResult does not refuse unknown fields itself: compare the document with its
    // re-serialisation and report the first key the layout does not have.
    let back = serde_json::to_value(&doc.doc).unwrap_or(Value::Null);
    if let Some(path) = unknown_key(&doc.value, &back, String::new()) {
        let (line, col) = doc.source.locate(&path).unwrap_or((0, 0));
        let last = path
            .rsplit(['.', '['])
            .next()
            .unwrap_or(&path)
            .trim_end_matches(']');
        return Err(Diagnostic::error(
            Location::file(rel).with_line(line, Some(col)),
            format!("unknown field `{last}` (at `{path}`) in a saved probe"),
        ));
    }
    if doc.doc.schema_version != probe::SCHEMA_VERSION {
        let (line, col) = doc.source.locate("schema_version").unwrap_or((0, 0));
        return Err(Diagnostic::error(
            Location::file(rel).with_line(line, Some(col)),
            format!(
                "unsupported probe schema_version {} (this icvsec reads {})",
                doc.doc.schema_version,
                probe::SCHEMA_VERSION
            ),
        ));
    }
    Ok((doc.doc, doc.source))
}

/// What loading one probe file gives: the probe, its source map, the certificates of the
/// presented chain, and the chain entries that could not be parsed.
pub(crate) struct LoadedProbe {
    pub asset: ProbeAsset,
    pub source: SourceMap,
    pub certs: Vec<(String, CertAsset)>,
    pub broken_certs: Vec<(String, Diagnostic)>,
}

/// Load one probe file (text already read, bounded).
pub(crate) fn load_probe(
    text: &str,
    rel: &str,
    endpoints: &[Endpoint],
) -> Result<LoadedProbe, Diagnostic> {
    let (result, source) = parse_probe(text, rel)?;
    let (thost, port) = split_target(&result.target);
    let host = result
        .sni
        .clone()
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or(thost);
    let ep = match_endpoint(&host, port, endpoints);
    let mut certs = Vec::new();
    let mut broken_certs = Vec::new();
    for (i, pem) in result.certificate_chain.iter().enumerate() {
        let id = format!("{rel}#chain{}", i + 1);
        let key = format!("certificate_chain[{i}]");
        let line = source.locate(&key).map(|(l, _)| l);
        match icvsec_pki::parse_certificates(pem.as_bytes()) {
            Ok(mut v) if v.len() == 1 => {
                let cert = v.remove(0);
                let uses = match (i, ep) {
                    (0, Some(e)) => vec![CertUse::Server {
                        endpoint: e.id.clone(),
                        host: e.host.clone(),
                        anchor: e.trust_anchor.clone(),
                    }],
                    _ => vec![],
                };
                certs.push((
                    id,
                    CertAsset {
                        cert,
                        file: rel.into(),
                        line,
                        ecu: None,
                        uses,
                        position: i + 1,
                        of: result.certificate_chain.len(),
                        role: Some(if i == 0 {
                            icvsec_pki::bundle::Role::Leaf
                        } else {
                            icvsec_pki::bundle::Role::Intermediate
                        }),
                    },
                ));
            }
            Ok(v) => broken_certs.push((
                id,
                Diagnostic::error(
                    Location::at_key(rel, &key),
                    format!(
                        "chain entry {} holds {} certificates (expected one)",
                        i + 1,
                        v.len()
                    ),
                ),
            )),
            Err(e) => broken_certs.push((
                id,
                Diagnostic::error(
                    Location::at_key(rel, &key),
                    format!("chain entry {}: {e}", i + 1),
                ),
            )),
        }
    }
    Ok(LoadedProbe {
        asset: ProbeAsset {
            file: rel.to_string(),
            host,
            port,
            endpoint: ep.map(|e| e.id.clone()),
            result,
        },
        source,
        certs,
        broken_certs,
    })
}

fn unknown_key(orig: &Value, back: &Value, path: String) -> Option<String> {
    match (orig, back) {
        (Value::Object(a), Value::Object(b)) => a.iter().find_map(|(k, v)| {
            let p = icvsec_model::location::join_key(&path, k);
            match b.get(k) {
                None => Some(p),
                Some(bv) => unknown_key(v, bv, p),
            }
        }),
        (Value::Array(a), Value::Array(b)) => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| unknown_key(x, y, format!("{path}[{i}]"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> String {
        serde_json::to_string_pretty(&serde_json::json!({
            "schema_version": 1, "target": "tsp.example.cn:443", "sni": null,
            "resolved_address": null, "complete": true, "protocols": [],
            "groups": {"tls13": [], "tls13_negotiated": null, "ecdhe": [], "ecdhe_version": null, "ecdhe_negotiated": null},
            "certificate_chain": [], "certificate_chain_source": null,
            "client_auth": {"requested": null, "checked_in": [], "requested_in": []},
            "notes": [], "errors": []
        }))
        .unwrap()
    }

    #[test]
    fn parses_a_probe_and_refuses_unknown_fields_with_place() {
        let (r, _) = parse_probe(&minimal(), "p.probe.json").unwrap();
        assert_eq!(r.target, "tsp.example.cn:443");
        let bad = minimal().replace("\"notes\"", "\"nots\": [],\n  \"notes\"");
        let e = parse_probe(&bad, "p.probe.json").unwrap_err();
        assert!(e.message.contains("unknown field `nots`"), "{}", e.message);
        assert_eq!(e.location.file, "p.probe.json");
        assert!(e.location.line.unwrap() > 1);
        let nested = minimal().replace("\"checked_in\"", "\"checked\": 1, \"checked_in\"");
        let e = parse_probe(&nested, "p.probe.json").unwrap_err();
        assert!(e.message.contains("client_auth.checked"), "{}", e.message);
        let e = parse_probe("{\n \"schema_version\": 1,,\n}", "x.probe.json").unwrap_err();
        assert_eq!(e.location.line, Some(2));
        let v2 = minimal().replace("\"schema_version\": 1", "\"schema_version\": 2");
        let e = parse_probe(&v2, "p.probe.json").unwrap_err();
        assert!(e.message.contains("schema_version 2"), "{}", e.message);
    }

    #[test]
    fn targets_split_and_match_endpoints() {
        assert_eq!(
            split_target("TSP.example.cn:443"),
            ("tsp.example.cn".into(), Some(443))
        );
        assert_eq!(split_target("[::1]:8443"), ("::1".into(), Some(8443)));
        assert_eq!(split_target("10.0.0.5"), ("10.0.0.5".into(), None));
    }
}
