//! Android build properties (`system/build.prop`, `vendor/build.prop`, `prop.default`):
//! the platform release, the security patch level and the fingerprint.

use super::{lines, src};
use crate::component::{Component, Ecosystem, Place, SourceRef, make_cpe, make_purl};
use crate::error::{Limits, VulnError};
use serde::{Deserialize, Serialize};

/// A property value and the line it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prop {
    pub value: String,
    pub source: SourceRef,
}

/// What the build properties say about the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AndroidBuild {
    /// `ro.build.version.release` (e.g. "13").
    pub release: Option<Prop>,
    /// `ro.build.version.security_patch` (YYYY-MM-DD).
    pub security_patch: Option<Prop>,
    /// `ro.build.fingerprint`.
    pub fingerprint: Option<Prop>,
}

impl AndroidBuild {
    /// Merges another property file (the first file read wins, as Android's init does for
    /// `ro.` properties).
    pub fn merge(&mut self, other: AndroidBuild) {
        if self.release.is_none() {
            self.release = other.release;
        }
        if self.security_patch.is_none() {
            self.security_patch = other.security_patch;
        }
        if self.fingerprint.is_none() {
            self.fingerprint = other.fingerprint;
        }
    }

    /// The platform as a component ("android" with the release as version).
    pub fn components(&self) -> Vec<Component> {
        let Some(rel) = &self.release else {
            return Vec::new();
        };
        let mut c = Component::new(
            "android",
            &rel.value,
            Ecosystem::Android,
            rel.source.clone(),
        );
        c.purl = Some(make_purl(
            "generic",
            Some("google"),
            "android",
            &rel.value,
            &[],
        ));
        c.cpe = Some(make_cpe('o', "google", "android", &rel.value));
        vec![c]
    }
}

/// Reads the three properties from a build.prop-format file (`key=value`, `#` comments).
pub fn parse_build_prop(
    file: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<AndroidBuild, VulnError> {
    limits.check_size(file, bytes.len())?;
    let mut out = AndroidBuild::default();
    for (n, line) in lines(bytes) {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let Some((k, v)) = t.split_once('=') else {
            // import statements and other non-property lines are allowed in prop files.
            continue;
        };
        let prop = || Prop {
            value: v.trim().to_string(),
            source: src(file, Place::Line(n), "android-build-prop"),
        };
        let slot = match k.trim() {
            "ro.build.version.release" | "ro.system.build.version.release" => &mut out.release,
            "ro.build.version.security_patch" | "ro.vendor.build.security_patch" => {
                &mut out.security_patch
            }
            "ro.build.fingerprint"
            | "ro.system.build.fingerprint"
            | "ro.vendor.build.fingerprint" => &mut out.fingerprint,
            _ => continue,
        };
        if slot.is_none() && !v.trim().is_empty() {
            *slot = Some(prop());
        }
    }
    if let Some(p) = &out.security_patch
        && parse_spl(&p.value).is_none()
    {
        return Err(VulnError::new(
            file,
            p.source.place.to_string(),
            format!(
                "ro.build.version.security_patch {:?} is not a YYYY-MM-DD date",
                p.value
            ),
        ));
    }
    Ok(out)
}

/// "2023-05-05" -> a date; None when it is not one.
pub fn parse_spl(s: &str) -> Option<time::Date> {
    crate::dates::parse_date(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_props() {
        let text = "# begin\nro.build.version.release=13\nro.build.version.security_patch=2023-05-05\nro.build.fingerprint=oem/ivi/ivi:13/TQ2A/1:user/release-keys\nimport /x\n";
        let b = parse_build_prop("system/build.prop", text.as_bytes(), &Limits::default())
            .expect("parse");
        assert_eq!(b.release.as_ref().map(|p| p.value.as_str()), Some("13"));
        assert_eq!(
            b.security_patch.as_ref().map(|p| p.source.place.clone()),
            Some(Place::Line(3))
        );
        let cs = b.components();
        assert_eq!(
            cs[0].cpe.as_deref(),
            Some("cpe:2.3:o:google:android:13:*:*:*:*:*:*:*")
        );
    }

    #[test]
    fn bad_spl_is_an_error() {
        let e = parse_build_prop(
            "p",
            b"ro.build.version.security_patch=last tuesday\n",
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(e.place, "line 1");
    }
}
