//! The Linux kernel version: from a kernel `.config` header
//! ("# Linux/arm64 5.10.110 Kernel Configuration") or from `/lib/modules/<release>` names.

use super::{lines, src};
use crate::component::{Component, Ecosystem, Place, make_cpe, make_purl};
use crate::error::{Limits, VulnError};

/// The numeric release ("5.10.110" of "5.10.110-rt63-yocto-standard"); None if the string
/// does not start with at least major.minor.
pub fn kernel_release_version(release: &str) -> Option<String> {
    let r = release.trim();
    let end = r
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(r.len());
    let v = r[..end].trim_end_matches('.');
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() < 2 || parts.len() > 4 || parts.iter().any(|p| p.is_empty() || p.len() > 6) {
        return None;
    }
    Some(v.to_string())
}

/// The kernel component: OSV's ecosystem "Linux", package "Kernel"; CPE linux:linux_kernel.
pub fn kernel_component(version: &str, source: crate::component::SourceRef) -> Component {
    let mut c = Component::new("Kernel", version, Ecosystem::Linux, source);
    c.purl = Some(make_purl("generic", Some("linux"), "linux", version, &[]));
    c.cpe = Some(make_cpe('o', "linux", "linux_kernel", version));
    c
}

/// Looks for the header in the first 16 lines of a kernel config. Ok(None) when the file
/// has no header (a defconfig fragment); an error when the header is there but malformed.
pub fn parse_kernel_config_header(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Option<Component>, VulnError> {
    limits.check_size(file, bytes.len())?;
    let head = &bytes[..bytes.len().min(4096)];
    for (n, line) in lines(head).take(16) {
        let t = line.trim();
        let Some(rest) = t.strip_prefix("# Linux/") else {
            continue;
        };
        let Some(rest) = rest.strip_suffix("Kernel Configuration") else {
            continue;
        };
        // "<arch> <release> "
        let mut it = rest.split_whitespace();
        let (_arch, release) = (it.next(), it.next());
        let Some(v) = release.and_then(kernel_release_version) else {
            return Err(VulnError::new(
                file,
                format_args!("line {n}"),
                format!("kernel configuration header without a version: {t:?}"),
            ));
        };
        return Ok(Some(kernel_component(
            &v,
            src(file, Place::Line(n), "kernel-config-header"),
        )));
    }
    Ok(None)
}

/// Kernel versions from the entry names of a `lib/modules` directory (`dir` is its path,
/// for provenance). Names that are not releases (e.g. "extra") are ignored.
pub fn kernels_from_modules_dir<'a>(
    dir: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<Component> {
    let mut out: Vec<Component> = names
        .into_iter()
        .filter_map(|name| {
            let v = kernel_release_version(name)?;
            Some(kernel_component(
                &v,
                src(
                    &format!("{}/{}", dir.trim_end_matches('/'), name),
                    Place::Entry(name.to_string()),
                    "lib-modules-dir",
                ),
            ))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header() {
        let cfg = "#\n# Automatically generated file; DO NOT EDIT.\n# Linux/arm64 5.10.110 Kernel Configuration\n#\nCONFIG_X=y\n";
        let c = parse_kernel_config_header("boot/config", cfg.as_bytes(), &Limits::default())
            .expect("ok")
            .expect("some");
        assert_eq!(c.version, "5.10.110");
        assert_eq!(c.sources[0].place, Place::Line(3));
        assert_eq!(
            c.cpe.as_deref(),
            Some("cpe:2.3:o:linux:linux_kernel:5.10.110:*:*:*:*:*:*:*")
        );
        assert!(
            parse_kernel_config_header("f", b"CONFIG_X=y\n", &Limits::default())
                .expect("ok")
                .is_none()
        );
        assert!(
            parse_kernel_config_header(
                "f",
                b"# Linux/arm64 banana Kernel Configuration\n",
                &Limits::default()
            )
            .is_err()
        );
    }

    #[test]
    fn modules_dir() {
        let cs = kernels_from_modules_dir(
            "lib/modules",
            ["5.10.110-rt63-yocto-standard", "extra", "6.1"],
        );
        let vs: Vec<_> = cs.iter().map(|c| c.version.as_str()).collect();
        assert_eq!(vs, ["5.10.110", "6.1"]);
        assert_eq!(
            cs[0].sources[0].file,
            "lib/modules/5.10.110-rt63-yocto-standard"
        );
    }
}
