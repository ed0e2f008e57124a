//! The read index of a version ([`factgraph_index`]), written from what the
//! build kept: a full build and an incremental one write it the same way.

use crate::store::{pause_at, Version};
use crate::Error;
use factgraph_index::{Index, IndexWriter};
use oxigraph::store::Store;

/// Writes the version's read index ([`factgraph_index`]) and opens it. Its
/// quads come from the sorted runs the checks kept, which hold the terms as
/// the store gives them back; when they kept none (a mapping wrote to a named
/// graph, or nothing was spilled), from the store itself, which is slower.
pub fn write_index(version: &Version, store: Option<&Store>) -> Result<Index, Error> {
    let folder = version.index_folder();
    let parts = match crate::export::KeptRuns::open(&version.kept_runs_folder()) {
        Some(kept) => number_runs(&kept)?,
        None => {
            let store =
                store.ok_or_else(|| Error::store(version.folder(), "the version has no sorted runs to index"))?;
            let mut writer = IndexWriter::new();
            for quad in store.iter() {
                let quad = quad.map_err(|e| Error::store(version.store_path(), e))?;
                writer.add_quad(quad.as_ref());
            }
            vec![writer]
        }
    };
    pause_at("indexing");
    IndexWriter::write_parts(parts, &folder).map_err(|e| Error::store(&folder, e))?;
    pause_at("indexed");
    Index::open(&folder).map_err(|e| Error::store(&folder, e))
}

/// The runs' quads numbered by one writer per thread, at once. Each writer
/// takes the next run not yet taken, so that a thread slowed by other work
/// (Oxigraph compacts beside this stage) reads fewer: more writers would
/// balance the same, but hold more terms twice.
fn number_runs(kept: &crate::export::KeptRuns) -> Result<Vec<IndexWriter>, Error> {
    use rayon::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let runs = kept.each_run();
    let taken = AtomicUsize::new(0);
    (0..rayon::current_num_threads().min(runs.len()))
        .into_par_iter()
        .map(|_| {
            let mut writer = IndexWriter::new();
            while let Some(run) = runs.get(taken.fetch_add(1, Ordering::Relaxed)) {
                run.for_each_quad(|graph, subject, predicate, object| {
                    writer.add_forms(subject, predicate, object, graph);
                })?;
            }
            Ok(writer)
        })
        .collect()
}

/// The read index of `version`, made by an incremental build from the index
/// of `current` and the changes in `patch`: `current`'s files linked, with
/// the changes as an overlay ([`factgraph_index::write_overlay`]), or the
/// whole index written again from the runs when the overlay would grow past
/// [`factgraph_index::OVERLAY_SHARE`] of the graph.
pub fn write_index_after(current: &Version, version: &Version, patch: &crate::changes::Patch) -> Result<Index, Error> {
    let keys = |changes: &[crate::changes::Change]| -> Vec<Vec<u8>> {
        changes.iter().map(|c| crate::export::kept::stored_key(c.quad.as_ref())).collect()
    };
    let folder = version.index_folder();
    let base = current.index_folder();
    let base_quads = Index::open(&base).map_err(|e| Error::store(&base, e))?.len();
    pause_at("indexing");
    let size = factgraph_index::write_overlay(&base, &folder, &keys(&patch.added), &keys(&patch.removed))
        .map_err(|e| Error::store(&folder, e))?;
    if size as f64 > factgraph_index::OVERLAY_SHARE * base_quads as f64 {
        std::fs::remove_dir_all(&folder).map_err(Error::io(&folder))?;
        return write_index(version, None);
    }
    pause_at("indexed");
    Index::open(&folder).map_err(|e| Error::store(&folder, e))
}
