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

mod pause;
mod version;
mod versions;

pub use pause::{pause_at, PAUSE_AT};
pub use version::Version;
pub use versions::{BuildSlot, StoreDir};
