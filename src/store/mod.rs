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
//!   versions/<name>/oxigraph   one Oxigraph (RocksDB) store per build
//! ```

mod versions;

pub use versions::{BuildSlot, StoreDir};
