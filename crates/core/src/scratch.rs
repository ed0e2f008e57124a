//! Temporary folders for work too large for memory (sorted runs, spilled
//! triples), removed when dropped, however the work ends.

use crate::Error;
use std::path::{Path, PathBuf};

/// A new folder under the system's temporary folder, removed when dropped.
pub struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Creates `factgraph-{purpose}-{process}-{time}` in the temporary folder.
    pub fn create(purpose: &str) -> Result<Self, Error> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!("factgraph-{purpose}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(Error::io(&path))?;
        Ok(Self { path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
