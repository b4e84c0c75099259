//! Which ECU root filesystem a build path lies in, found by looking its directory
//! prefixes up instead of comparing the path with every ECU's prefix (500 ECUs × 121,000
//! files was a tenth of the large benchmark build's scan, all on one thread).

use std::collections::HashMap;

/// ECU root filesystems by build-relative prefix (`tbox/rootfs/`).
#[derive(Debug, Default)]
pub(crate) struct RootfsIndex {
    /// Prefixes ending in `/`: prefix → (place in the given order, ECU id).
    by_prefix: HashMap<String, (usize, String)>,
    /// Any other prefix (none from the loader), compared with every path.
    other: Vec<(usize, String, String)>,
}

impl RootfsIndex {
    /// `roots`: (prefix, ECU id) in the order that decides between prefixes that both
    /// begin a path: the first wins, as a search of the list in that order would.
    pub fn new(roots: impl IntoIterator<Item = (String, String)>) -> RootfsIndex {
        let mut index = RootfsIndex::default();
        for (i, (prefix, ecu)) in roots.into_iter().enumerate() {
            if prefix.ends_with('/') {
                index.by_prefix.entry(prefix).or_insert((i, ecu));
            } else {
                index.other.push((i, prefix, ecu));
            }
        }
        index
    }

    /// The first root (in the order given) whose prefix begins `rel`: the path inside
    /// it and the ECU id.
    pub fn owner<'a>(&'a self, rel: &'a str) -> Option<(&'a str, &'a str)> {
        let mut best: Option<(usize, usize, &str)> = None;
        let mut consider = |i: usize, len: usize, ecu: &'a str| {
            if best.is_none_or(|(b, _, _)| i < b) {
                best = Some((i, len, ecu));
            }
        };
        for (at, _) in rel.match_indices('/') {
            if let Some((i, ecu)) = self.by_prefix.get(&rel[..=at]) {
                consider(*i, at + 1, ecu);
            }
        }
        for (i, prefix, ecu) in &self.other {
            if rel.starts_with(prefix.as_str()) {
                consider(*i, prefix.len(), ecu);
            }
        }
        best.map(|(_, len, ecu)| (&rel[len..], ecu))
    }
}

#[cfg(test)]
mod tests {
    use super::RootfsIndex;

    /// What the index replaced: the first prefix of the list that begins the path.
    fn linear<'a>(roots: &'a [(String, String)], rel: &'a str) -> Option<(&'a str, &'a str)> {
        roots.iter().find_map(|(p, e)| {
            rel.strip_prefix(p.as_str())
                .map(|inner| (inner, e.as_str()))
        })
    }

    #[test]
    fn same_answer_as_searching_the_list_in_order() {
        let roots: Vec<(String, String)> = [
            ("b/rootfs/", "b"),
            ("a/rootfs/", "a"),
            ("a/rootfs/opt/inner/", "inner"),
            ("nested/", "outer"),
            ("nested/x/", "x"),
            ("odd", "odd"),
            ("a/rootfs/", "dup"),
        ]
        .iter()
        .map(|(p, e)| (p.to_string(), e.to_string()))
        .collect();
        let index = RootfsIndex::new(roots.clone());
        for rel in [
            "a/rootfs/etc/passwd",
            "a/rootfs/opt/inner/etc/passwd",
            "b/rootfs/x",
            "b/rootfsx/y",
            "nested/x/etc/a",
            "nested/y",
            "oddity/z",
            "odd",
            "c/rootfs/etc",
            "a/rootfs/",
            "",
            "/a/rootfs/etc",
        ] {
            assert_eq!(index.owner(rel), linear(&roots, rel), "{rel}");
        }
    }
}
