//! Archives (tar, cpio) indexed into memory the way an extraction would lay them out,
//! without writing anything: names are normalised inside the image root (an absolute
//! name or a `..` that climbs out is kept inside and reported), the last of duplicate
//! entries wins (as extraction overwrites) and is reported, hard links share the data
//! of their target, devices/FIFOs/sockets become special entries with no data.

use crate::error::{ImageError, Problem};
use crate::limits::ImageLimits;
use icvsec_fs::mem::Node;
use icvsec_fs::name::encode_name;
use icvsec_fs::{EntryType, MemTree};

pub(crate) struct Indexer<'a> {
    pub(crate) tree: MemTree,
    pub(crate) problems: Vec<Problem>,
    name: &'a str,
    limits: &'a ImageLimits,
    entries: usize,
    data_bytes: u64,
}

/// Components of an archive member's name inside the image root, and what was wrong.
pub(crate) fn normalise(raw: &[u8]) -> (Vec<Vec<u8>>, Option<&'static str>) {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut problem = None;
    if raw.first() == Some(&b'/') {
        problem = Some("absolute name; kept inside the image root");
    }
    for c in raw.split(|b| *b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => {
                if out.pop().is_none() {
                    problem = Some(
                        "name climbs above the archive root with `..`; kept inside the image root",
                    );
                } else if problem.is_none() {
                    problem = Some("name contains `..`; resolved inside the image root");
                }
            }
            _ => out.push(c.to_vec()),
        }
    }
    (out, problem)
}

impl<'a> Indexer<'a> {
    pub(crate) fn new(name: &'a str, limits: &'a ImageLimits) -> Indexer<'a> {
        Indexer {
            tree: MemTree::new(),
            problems: Vec::new(),
            name,
            limits,
            entries: 0,
            data_bytes: 0,
        }
    }

    pub(crate) fn problem(&mut self, place: String, message: impl Into<String>) {
        self.problems.push(Problem {
            place,
            message: message.into(),
        });
    }

    /// Count one member against the bounds before its data is read.
    pub(crate) fn admit(&mut self, raw_name: &[u8], size: u64) -> Result<(), ImageError> {
        self.entries += 1;
        let place = || format!("entry {} ({})", self.entries, encode_name(raw_name));
        if self.entries > self.limits.max_entries {
            return Err(ImageError::new(
                self.name,
                place(),
                format!(
                    "more than {} entries (max_entries)",
                    self.limits.max_entries
                ),
            ));
        }
        if size > self.limits.max_file_bytes {
            return Err(ImageError::new(
                self.name,
                place(),
                format!(
                    "member of {size} bytes, more than the {}-byte bound (max_file_bytes)",
                    self.limits.max_file_bytes
                ),
            ));
        }
        self.data_bytes = self.data_bytes.saturating_add(size);
        if self.data_bytes > self.limits.max_expanded_bytes {
            return Err(ImageError::new(
                self.name,
                place(),
                format!(
                    "members hold more than {} bytes (max_expanded_bytes)",
                    self.limits.max_expanded_bytes
                ),
            ));
        }
        Ok(())
    }

    /// Add a member (after [`Indexer::admit`]).
    pub(crate) fn add(&mut self, raw_name: &[u8], node: Node) {
        let shown = encode_name(raw_name);
        let (path, problem) = normalise(raw_name);
        if let Some(p) = problem {
            self.problem(shown.clone(), p);
        }
        if path.is_empty() {
            if !matches!(node, Node::Dir) {
                self.problem(shown, "entry names the archive root itself; ignored");
            }
            return;
        }
        // A parent that is not a directory: extraction would fail or, through a link,
        // write outside the tree. The entry replaces it with a directory, reported.
        for i in 1..path.len() {
            let parent = &path[..i];
            match self.tree.nodes.get(parent) {
                None | Some(Node::Dir) => {}
                Some(other) => {
                    let what = match other {
                        Node::Symlink(_) => "a symbolic link",
                        Node::File(_) => "a file",
                        _ => "a special file",
                    };
                    self.problem(
                        shown.clone(),
                        format!(
                            "parent /{} is {what} in the archive; treated as a directory (not followed)",
                            icvsec_fs::name::identity(parent)
                        ),
                    );
                    self.remove_subtree(parent);
                    self.tree.nodes.insert(parent.to_vec(), Node::Dir);
                }
            }
        }
        match (self.tree.nodes.get(&path), &node) {
            (None, _) | (Some(Node::Dir), Node::Dir) => {}
            (Some(Node::Dir), _) => {
                self.problem(
                    shown.clone(),
                    "duplicate entry replaces a directory (and what was below it); the last entry wins",
                );
                self.remove_subtree(&path);
            }
            (Some(_), _) => {
                self.problem(
                    shown.clone(),
                    "duplicate entry; the last one wins, as extraction would",
                );
            }
        }
        self.tree.insert(path, node);
    }

    fn remove_subtree(&mut self, path: &[Vec<u8>]) {
        let doomed: Vec<Vec<Vec<u8>>> = self
            .tree
            .nodes
            .range(path.to_vec()..)
            .take_while(|(k, _)| k.starts_with(path))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.tree.nodes.remove(&k);
        }
    }

    /// A hard link: the entry gets the data the target has at this point of the archive
    /// (the target's path is normalised the same way).
    pub(crate) fn add_hard_link(&mut self, raw_name: &[u8], raw_target: &[u8]) {
        let (target, _) = normalise(raw_target);
        match self.tree.nodes.get(&target) {
            Some(Node::File(d)) => {
                let d = d.clone();
                self.add(raw_name, Node::File(d));
            }
            Some(Node::Special(k)) => {
                let k = *k;
                self.add(raw_name, Node::Special(k));
            }
            _ => {
                self.problem(
                    encode_name(raw_name),
                    format!(
                        "hard link to {}, which is not a regular file earlier in the archive; kept as an empty special entry",
                        encode_name(raw_target)
                    ),
                );
                self.add(raw_name, Node::Special(EntryType::Unknown));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_the_root() {
        assert_eq!(
            normalise(b"./etc/passwd").0,
            vec![b"etc".to_vec(), b"passwd".to_vec()]
        );
        let (p, why) = normalise(b"../../etc/shadow");
        assert_eq!(p, vec![b"etc".to_vec(), b"shadow".to_vec()]);
        assert!(why.unwrap().contains("climbs"));
        let (p, why) = normalise(b"/etc/x");
        assert_eq!(p, vec![b"etc".to_vec(), b"x".to_vec()]);
        assert!(why.unwrap().contains("absolute"));
        assert_eq!(normalise(b"a/../b").0, vec![b"b".to_vec()]);
    }

    #[test]
    fn duplicates_and_link_parents_are_reported() {
        let limits = ImageLimits::default();
        let mut ix = Indexer::new("t.tar", &limits);
        ix.add(b"etc/a", Node::File(b"1".to_vec()));
        ix.add(b"etc/a", Node::File(b"2".to_vec()));
        ix.add(b"lnk", Node::Symlink(b"/etc".to_vec()));
        ix.add(b"lnk/passwd", Node::File(b"x".to_vec()));
        ix.add_hard_link(b"etc/b", b"etc/a");
        let t = &ix.tree;
        assert!(
            matches!(t.nodes.get(&vec![b"etc".to_vec(), b"a".to_vec()]), Some(Node::File(d)) if d == b"2")
        );
        assert!(
            matches!(t.nodes.get(&vec![b"etc".to_vec(), b"b".to_vec()]), Some(Node::File(d)) if d == b"2")
        );
        assert!(matches!(
            t.nodes.get(&vec![b"lnk".to_vec()]),
            Some(Node::Dir)
        ));
        assert_eq!(ix.problems.len(), 2, "{:?}", ix.problems);
    }
}
