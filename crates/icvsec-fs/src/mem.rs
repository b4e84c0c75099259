//! A tree held in memory: for tests, and for readers that index an archive or image
//! into entries (files, directories, links, special files).

use crate::FsError;
use crate::tree::{Components, EntryType, Meta, Tree};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
pub enum Node {
    File(Vec<u8>),
    Dir,
    Symlink(Vec<u8>),
    Special(EntryType),
}

#[derive(Clone, Debug, Default)]
pub struct MemTree {
    pub nodes: BTreeMap<Vec<Vec<u8>>, Node>,
}

impl MemTree {
    pub fn new() -> MemTree {
        MemTree::default()
    }

    /// Insert a node and its parent directories.
    pub fn insert(&mut self, path: Vec<Vec<u8>>, node: Node) {
        for i in 1..path.len() {
            self.nodes.entry(path[..i].to_vec()).or_insert(Node::Dir);
        }
        self.nodes.insert(path, node);
    }

    pub fn file(mut self, path: &str, data: &[u8]) -> MemTree {
        self.insert(crate::name::components(path), Node::File(data.to_vec()));
        self
    }
    pub fn link(mut self, path: &str, target: &str) -> MemTree {
        self.insert(
            crate::name::components(path),
            Node::Symlink(target.as_bytes().to_vec()),
        );
        self
    }
    pub fn fifo(mut self, path: &str) -> MemTree {
        self.insert(
            crate::name::components(path),
            Node::Special(EntryType::Fifo),
        );
        self
    }
}

impl Tree for MemTree {
    fn lstat(&self, path: &Components) -> Result<Option<Meta>, FsError> {
        if path.is_empty() {
            return Ok(Some(Meta {
                kind: EntryType::Dir,
                size: 0,
            }));
        }
        Ok(self.nodes.get(path).map(|n| match n {
            Node::File(d) => Meta {
                kind: EntryType::File,
                size: d.len() as u64,
            },
            Node::Dir => Meta {
                kind: EntryType::Dir,
                size: 0,
            },
            Node::Symlink(t) => Meta {
                kind: EntryType::Symlink,
                size: t.len() as u64,
            },
            Node::Special(k) => Meta { kind: *k, size: 0 },
        }))
    }

    fn read_link(&self, path: &Components) -> Result<Vec<u8>, FsError> {
        match self.nodes.get(path) {
            Some(Node::Symlink(t)) => Ok(t.clone()),
            Some(_) => Err(FsError::Io("not a symbolic link".into())),
            None => Err(FsError::NotFound),
        }
    }

    fn read_dir(
        &self,
        path: &Components,
        max_entries: usize,
    ) -> Result<Vec<(Vec<u8>, EntryType)>, FsError> {
        let mut out = Vec::new();
        for (k, n) in self.nodes.range(path.to_vec()..) {
            if !k.starts_with(path) {
                break;
            }
            if k.len() != path.len() + 1 {
                continue;
            }
            if out.len() >= max_entries {
                return Err(FsError::TooManyEntries { limit: max_entries });
            }
            let kind = match n {
                Node::File(_) => EntryType::File,
                Node::Dir => EntryType::Dir,
                Node::Symlink(_) => EntryType::Symlink,
                Node::Special(k) => *k,
            };
            out.push((k[path.len()].clone(), kind));
        }
        Ok(out)
    }

    fn read_file(&self, path: &Components, limit: u64) -> Result<Vec<u8>, FsError> {
        match self.nodes.get(path) {
            Some(Node::File(d)) if d.len() as u64 > limit => Err(FsError::TooLarge {
                size: d.len() as u64,
                limit,
            }),
            Some(Node::File(d)) => Ok(d.clone()),
            Some(Node::Symlink(_)) => Err(FsError::LinkRefused),
            Some(Node::Dir) => Err(FsError::NotRegular { kind: "directory" }),
            Some(Node::Special(k)) => Err(FsError::NotRegular { kind: k.describe() }),
            None => Err(FsError::NotFound),
        }
    }
}
