//! How the index's files are written: through a large buffer, then synced
//! to the disk before the manifest, written last, names them. The writer
//! (`write.rs`) writes the dictionary with these, and the tables
//! (`table.rs`) their sorted rows; a module of its own, below both, because
//! the writer calls the tables.

use crate::IndexError;
use std::path::Path;

/// A new file at `path` (truncated if there is one), buffered.
pub(crate) fn create(path: &Path) -> Result<std::io::BufWriter<std::fs::File>, IndexError> {
    let file = std::fs::File::create(path).map_err(IndexError::io(path))?;
    Ok(std::io::BufWriter::with_capacity(1 << 20, file))
}

/// Flushes `file` and has it reach the disk before the manifest names it.
pub(crate) fn finish(file: std::io::BufWriter<std::fs::File>, path: &Path) -> Result<(), IndexError> {
    file.into_inner().map_err(|e| IndexError::io(path)(e.into_error()))?.sync_all().map_err(IndexError::io(path))
}
