//! Temporary folders for work too large for memory (sorted runs, spilled
//! triples), removed when dropped, however the work ends.

use crate::Error;
use std::path::Path;

/// A new folder under the system's temporary folder, removed when dropped.
pub struct Scratch {
    folder: tempfile::TempDir,
}

impl Scratch {
    /// Creates `factgraph-{purpose}-…` (a unique name) in the temporary folder.
    pub fn create(purpose: &str) -> Result<Self, Error> {
        let folder = tempfile::Builder::new()
            .prefix(&format!("factgraph-{purpose}-"))
            .tempdir()
            .map_err(Error::io(std::env::temp_dir()))?;
        Ok(Self { folder })
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }
}
