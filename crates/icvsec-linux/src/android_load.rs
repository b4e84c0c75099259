//! All Android properties of one root filesystem, in the order init loads them, then the
//! captures of the running unit. Used by the Android checks and by version detection.

use crate::common::{CheckError, FileSource, normalize_path};
use crate::{android, android_capture};

/// Android property files in the order init loads them (Android 10+ layout; legacy
/// `/default.prop` first). Later files override earlier ones.
pub const ANDROID_PROP_FILES: &[&str] = &[
    "/default.prop",
    "/prop.default",
    "/system/etc/prop.default",
    "/system/build.prop",
    "/system_ext/etc/build.prop",
    "/system_ext/build.prop",
    "/vendor/default.prop",
    "/vendor/build.prop",
    "/vendor_dlkm/etc/build.prop",
    "/odm_dlkm/etc/build.prop",
    "/odm/etc/build.prop",
    "/odm/default.prop",
    "/odm/build.prop",
    "/product/etc/build.prop",
    "/product/build.prop",
];

/// Load every Android property file of a root in init's order (plus `extra` paths, e.g.
/// the asset being checked when it sits elsewhere, appended last).
pub fn load_android_props(
    src: &dyn FileSource,
    extra: &[&str],
) -> Result<android::Props, CheckError> {
    let mut props = android::Props::default();
    let mut seen = Vec::new();
    for p in ANDROID_PROP_FILES
        .iter()
        .copied()
        .chain(extra.iter().copied())
    {
        if android_capture::CAPTURE_FILES.contains(&p) {
            continue;
        }
        let p = normalize_path(p);
        if seen.contains(&p) {
            continue;
        }
        seen.push(p.clone());
        if let Some(b) = src.read(&p).map_err(|m| CheckError::Read {
            path: p.clone(),
            message: m,
        })? {
            props.add_file(&p, &b)?;
        }
    }
    // Captures of the running unit last: the running state overrides the image.
    for p in android_capture::CAPTURE_FILES {
        if let Some(b) = src.read(p).map_err(|m| CheckError::Read {
            path: p.to_string(),
            message: m,
        })? {
            props.add_capture(p, &b)?;
        }
    }
    Ok(props)
}
