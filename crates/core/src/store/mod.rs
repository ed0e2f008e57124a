//! The versioned store folder. Every build writes a complete Oxigraph store
//! in a folder of its own and then switches a small pointer file to it, so
//! that readers never see a half-built graph and a failed or killed build
//! leaves the last good one in place.
//!
//! ```text
//! store/
//!   CURRENT          name of the version readers open (replaced by rename)
//!   PREVIOUS         the version before it, kept for readers still on it
//!   build.lock       held by the build in progress
//!   versions/<name>/  one per build: its Oxigraph store and what the build
//!                     kept beside it (see [`Version`])
//! ```

#[cfg(all(test, feature = "rocksdb"))]
mod loader_tests;
mod pause;
mod version;
mod versions;

pub use pause::{pause_at, PAUSE_AT};
pub use version::Version;
pub use versions::{BuildSlot, StoreDir};

use crate::Error;
use oxigraph::store::Store;
use std::path::Path;

/// Links `to` to the file `from` (a version shares what did not change with
/// the one before it), or copies it where the file system has no hard links.
pub(crate) fn link(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(drop)).map_err(Error::io(to))
}

/// Opens (or creates) the on-disk store at `path` for a build to fill.
#[cfg(feature = "rocksdb")]
pub(crate) fn open_writable(path: &Path) -> Result<Store, Error> {
    Store::open(path).map_err(|e| Error::store(path, e))
}

/// Opens the on-disk store at `path` for reading.
#[cfg(feature = "rocksdb")]
pub(crate) fn open_read_only(path: &Path) -> Result<Store, Error> {
    Store::open_read_only(path).map_err(|e| Error::store(path, e))
}

/// Compacts a store a build has filled (RocksDB's compaction: reads are
/// faster after it). After a bulk load into a new store it finds nothing to
/// do, since the loader writes the last level directly
/// (vendor/oxigraph/FACTGRAPH.md). It stays so that a store is still
/// compacted should the loader ever leave tables that overlap (an Oxigraph
/// without that change); otherwise it costs nothing.
#[cfg(feature = "rocksdb")]
pub(crate) fn compact(store: &Store, path: &Path) -> Result<(), Error> {
    store.optimize().map_err(|e| Error::store(path, e))
}

#[cfg(not(feature = "rocksdb"))]
pub(crate) fn compact(_store: &Store, _path: &Path) -> Result<(), Error> {
    Ok(()) // unreachable in practice: without the feature no store opens to be filled
}

#[cfg(not(feature = "rocksdb"))]
pub(crate) fn open_writable(path: &Path) -> Result<Store, Error> {
    Err(without_rocksdb(path))
}

#[cfg(not(feature = "rocksdb"))]
pub(crate) fn open_read_only(path: &Path) -> Result<Store, Error> {
    Err(without_rocksdb(path))
}

/// Said by a program built without the store (feature `rocksdb` of
/// factgraph-core off): it reads versions through their index and runs only.
#[cfg(not(feature = "rocksdb"))]
fn without_rocksdb(path: &Path) -> Error {
    Error::store(path, "this program was built without Oxigraph's on-disk store (feature `rocksdb` of factgraph-core)")
}
