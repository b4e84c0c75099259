//! tar archives (v7, ustar, GNU and PAX long names) through the `tar` crate, indexed
//! in memory; nothing is unpacked to disk.

use crate::error::{ImageError, Problem};
use crate::index::Indexer;
use crate::limits::ImageLimits;
use icvsec_fs::mem::Node;
use icvsec_fs::name::encode_name;
use icvsec_fs::{EntryType, MemTree};
use std::io::Read;

pub(crate) fn index(
    data: &[u8],
    name: &str,
    limits: &ImageLimits,
) -> Result<(MemTree, Vec<Problem>), ImageError> {
    let mut ix = Indexer::new(name, limits);
    let mut archive = tar::Archive::new(data);
    let entries = archive
        .entries()
        .map_err(|e| ImageError::new(name, "offset 0", format!("not a tar archive: {e}")))?;
    let mut last_end = 0u64;
    for entry in entries {
        let mut entry = entry.map_err(|e| {
            ImageError::new(
                name,
                format!("after offset {last_end}"),
                format!("corrupt tar header: {e}"),
            )
        })?;
        let at = entry.raw_header_position();
        let raw_name = entry.path_bytes().into_owned();
        let place = || format!("offset {at} ({})", encode_name(&raw_name));
        let size = entry.size();
        last_end = entry.raw_file_position().saturating_add(size);
        let kind = entry.header().entry_type();
        let data_size = if kind.is_file() || kind.is_contiguous() {
            size
        } else {
            0
        };
        ix.admit(&raw_name, data_size)?;
        let node = if kind.is_file() || kind.is_contiguous() {
            let mut buf = Vec::with_capacity(size.min(1 << 20) as usize);
            (&mut entry).take(size).read_to_end(&mut buf).map_err(|e| {
                ImageError::new(name, place(), format!("member data unreadable: {e}"))
            })?;
            if buf.len() as u64 != size {
                return Err(ImageError::new(
                    name,
                    place(),
                    format!("member data truncated: {} of {size} bytes", buf.len()),
                ));
            }
            Node::File(buf)
        } else if kind.is_dir() {
            Node::Dir
        } else if kind.is_symlink() {
            Node::Symlink(
                entry
                    .link_name_bytes()
                    .map(|c| c.into_owned())
                    .unwrap_or_default(),
            )
        } else if kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|c| c.into_owned())
                .unwrap_or_default();
            ix.add_hard_link(&raw_name, &target);
            continue;
        } else if kind.is_fifo() {
            Node::Special(EntryType::Fifo)
        } else if kind.is_character_special() {
            Node::Special(EntryType::CharDevice)
        } else if kind.is_block_special() {
            Node::Special(EntryType::BlockDevice)
        } else if kind.is_pax_global_extensions() {
            continue;
        } else {
            ix.problem(
                place(),
                format!("entry type {:?} not a file system entry; ignored", kind),
            );
            continue;
        };
        ix.add(&raw_name, node);
    }
    let Indexer { tree, problems, .. } = ix;
    Ok((tree, problems))
}
