//! One built version of the graph: its folder and the entries in it. This is
//! the only place that names them; the modules that write and read an entry
//! ask a [`Version`] for its path.
//!
//! ```text
//! versions/<name>/
//!   oxigraph/     the Oxigraph (RocksDB) store: the version's source of truth
//!   index/        the read index (factgraph_index), what queries, `why` and pages read
//!   origins.tsv   the rows mapped per subject (crate::origins), read by `why` and pages
//!   origins.idx   and origins.json: where each subject's lines are in it
//!   sorted/       the graph as sorted runs (crate::export::kept), read by `export`,
//!                 `diff`, `publish` and downloads
//!   answers/      the named questions' answers, with `build --answer-questions`
//!   changes/      what the build changed against the version before (crate::changes)
//!   buckets/      triples spilled by subject for the checks; gone once the build ends
//! ```
//!
//! The store is the one copy every build writes whole, with every graph, and
//! the one the others can be written again from; the index and the runs are
//! derived from the same quads, to be read fast, and their readers fall back
//! to the store only for a version built before them. `--from-store` reads
//! the store itself, to check the derived copies against it.

use crate::Error;
use oxigraph::store::Store;
use std::path::{Path, PathBuf};

/// A version of the graph: complete and published, or being built in a
/// [`super::BuildSlot`].
#[derive(Debug, Clone)]
pub struct Version {
    folder: PathBuf,
    name: String,
}

impl Version {
    pub(super) fn new(folder: PathBuf, name: String) -> Self {
        Self { folder, name }
    }

    /// The version's name, unique among the store's versions.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The version's folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The Oxigraph store.
    pub fn store_path(&self) -> PathBuf {
        self.folder.join("oxigraph")
    }

    /// Opens the Oxigraph store read-only: for `--from-store`, and for a
    /// version built before the read index (readers otherwise read the
    /// index, [`crate::query::Graph`], or the runs, [`crate::export::Quads`]).
    pub fn open_store(&self) -> Result<Store, Error> {
        super::open_read_only(&self.store_path())
    }

    /// The read index queries run on ([`factgraph_index`]).
    pub fn index_folder(&self) -> PathBuf {
        self.folder.join("index")
    }

    /// The rows mapped per subject ([`crate::origins`]).
    pub fn origins_path(&self) -> PathBuf {
        self.folder.join("origins.tsv")
    }

    /// Where each subject's lines are in [`Self::origins_path`] ([`crate::origins`]).
    pub fn origins_index_path(&self) -> PathBuf {
        self.folder.join("origins.idx")
    }

    /// What the build knew of the origins' source files; written last.
    pub fn origins_manifest_path(&self) -> PathBuf {
        self.folder.join("origins.json")
    }

    /// The rows an incremental build added to the row origins it carried
    /// over, as [`Self::origins_path`] holds rows ([`crate::origins`]).
    pub fn origins_added_path(&self) -> PathBuf {
        self.folder.join("origins.added.tsv")
    }

    /// Where each subject's lines are in [`Self::origins_added_path`].
    pub fn origins_added_index_path(&self) -> PathBuf {
        self.folder.join("origins.added.idx")
    }

    /// How the rows of the files changed since [`Self::origins_path`] was
    /// written moved ([`crate::origins::remap`]).
    pub fn origins_moved_path(&self) -> PathBuf {
        self.folder.join("origins.moved")
    }

    /// The folder of the graph's sorted runs ([`crate::export::kept`]).
    pub fn kept_runs_folder(&self) -> PathBuf {
        self.folder.join("sorted")
    }

    /// The folder of the named questions' kept answers ([`crate::query::answers`]).
    pub fn answers_folder(&self) -> PathBuf {
        self.folder.join("answers")
    }

    /// What the build changed against the version before ([`crate::changes`]).
    pub fn changes_folder(&self) -> PathBuf {
        self.folder.join("changes")
    }

    /// The folder the build spills triples to, by subject, for its checks.
    pub fn buckets_folder(&self) -> PathBuf {
        self.folder.join("buckets")
    }
}
