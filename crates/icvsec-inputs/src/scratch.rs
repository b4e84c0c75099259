//! A scratch build directory for the crate's unit tests, removed when dropped.

pub(crate) struct Scratch(pub std::path::PathBuf);

impl Scratch {
    /// A fresh, empty directory (`tag` names the test).
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("icvsec-inputs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Write `text` at `rel`, creating directories.
    pub fn put(&self, rel: &str, text: &str) {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
