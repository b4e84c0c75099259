#![no_main]

#[path = "common/image.rs"]
mod image;

use icvsec_image::ImageKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    image::open_and_walk(data, ImageKind::Squashfs);
});
