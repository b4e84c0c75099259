#![no_main]

#[path = "common/image.rs"]
mod image;

use icvsec_image::ImageKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for kind in [ImageKind::Gzip, ImageKind::Xz, ImageKind::Zstd, ImageKind::Lz4Legacy] {
        image::open_and_walk(data, kind);
    }
});
