//! Alpine's installed database (`lib/apk/db/installed`): one `K:value` line per field,
//! packages separated by blank lines; P: name, V: version, A: arch, o: origin (source).

use super::dpkg::truncate;
use super::{lines, src};
use crate::component::{Component, Ecosystem, Place, make_purl};
use crate::error::{Limits, VulnError};

#[derive(Default)]
struct Pkg {
    line: usize,
    name: Option<(String, usize)>,
    version: Option<String>,
    arch: Option<String>,
    origin: Option<String>,
}

pub fn parse_apk_installed(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<Component>, VulnError> {
    limits.check_size(file, bytes.len())?;
    let mut out = Vec::new();
    let mut cur: Option<Pkg> = None;
    let finish = |p: Pkg, out: &mut Vec<Component>| -> Result<(), VulnError> {
        let Some((name, line)) = p.name else {
            return Err(VulnError::new(
                file,
                format_args!("line {}", p.line),
                "package entry without a P: line",
            ));
        };
        let Some(version) = p.version else {
            return Err(VulnError::new(
                file,
                format_args!("line {line}"),
                format!("package {name:?} has no V: line"),
            ));
        };
        if out.len() >= limits.max_entries {
            return Err(VulnError::new(
                file,
                format_args!("line {line}"),
                format!("more than {} packages", limits.max_entries),
            ));
        }
        let arch = p.arch.unwrap_or_default();
        let mut c = Component::new(
            &name,
            &version,
            Ecosystem::Alpine,
            src(file, Place::Line(line), "apk-installed"),
        );
        c.purl = Some(make_purl(
            "apk",
            Some("alpine"),
            &name,
            &version,
            &[("arch", &arch)],
        ));
        c.source_package = p.origin.filter(|o| *o != name);
        out.push(c);
        Ok(())
    };
    for (n, line) in lines(bytes) {
        if line.trim().is_empty() {
            if let Some(p) = cur.take() {
                finish(p, &mut out)?;
            }
            continue;
        }
        let b = line.as_bytes();
        if b.len() < 2 || b[1] != b':' {
            return Err(VulnError::new(
                file,
                format_args!("line {n}:1"),
                format!("expected 'K:value', found {:?}", truncate(&line)),
            ));
        }
        let val = line[2..].trim().to_string();
        let p = cur.get_or_insert_with(|| Pkg {
            line: n,
            ..Pkg::default()
        });
        match b[0] {
            b'P' => p.name = Some((val, n)),
            b'V' => p.version = Some(val),
            b'A' => p.arch = Some(val),
            b'o' => p.origin = Some(val),
            _ => {}
        }
    }
    if let Some(p) = cur.take() {
        finish(p, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries() {
        let db = "C:Q1abc=\nP:libcrypto1.1\nV:1.1.1k-r0\nA:aarch64\no:openssl\nF:lib\nR:libcrypto.so.1.1\n\nP:busybox\nV:1.33.1-r3\n";
        let cs = parse_apk_installed("lib/apk/db/installed", db.as_bytes(), &Limits::default())
            .expect("parse");
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[0].name, "libcrypto1.1");
        assert_eq!(cs[0].source_package.as_deref(), Some("openssl"));
        assert_eq!(
            cs[0].purl.as_deref(),
            Some("pkg:apk/alpine/libcrypto1.1@1.1.1k-r0?arch=aarch64")
        );
        assert_eq!(cs[0].sources[0].place, Place::Line(2));
        assert_eq!(cs[1].source_package, None);
    }

    #[test]
    fn bad_lines_are_errors() {
        let e =
            parse_apk_installed("db", b"P:a\nV:1\n\nnonsense\n", &Limits::default()).unwrap_err();
        assert_eq!(e.place, "line 4:1");
        let e = parse_apk_installed("db", b"P:a\n", &Limits::default()).unwrap_err();
        assert!(e.message.contains("no V:"));
        let e = parse_apk_installed("db", b"V:1\n", &Limits::default()).unwrap_err();
        assert!(e.message.contains("without a P:"));
    }
}
