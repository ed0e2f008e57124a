//! A new version made from the current one and a [`Delta`]: every copy of
//! the graph a full build writes, written from the old one and the changes,
//! so that readers cannot tell the two apart (the tests compare exports).
//!
//! - the store: the old store's files linked (RocksDB never rewrites a
//!   table file, and a published version is never written again), then the
//!   quads that went and came, and the new description;
//! - the runs: the buckets the changes touch written again, the others linked;
//! - the read index: written from the new runs;
//! - the row origins: the old version's files linked, with an overlay of
//!   the rows the added records define and where the changed files'
//!   records went ([`crate::origins::carry_over`]);
//! - the inputs: the new snapshots, counts and checksums.

use super::delta::Delta;
use super::snapshot::{Inputs, StoredSummary};
use crate::changes::{Change, Patch};
use crate::export::KeptRuns;
use crate::metadata::{self, Input};
use crate::project::Project;
use crate::store::{pause_at, Version};
use crate::validate::buckets::bucket_of_subject;
use crate::Error;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{GraphName, Quad};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What applying the changes made.
#[derive(Debug)]
pub struct Applied {
    pub patch: Patch,
    /// Distinct quads in the new store.
    pub store_quads: usize,
    pub description_quads: usize,
    pub inputs: Inputs,
}

/// Writes `new` from `old` and `delta`; `inputs` is what `old` knew of its
/// inputs, `describe` whether to describe the build.
pub fn apply(
    project: &Project,
    old: &Version,
    new: &Version,
    old_inputs: &Inputs,
    delta: &Delta,
    describe: bool,
) -> Result<Applied, Error> {
    let old_runs = KeptRuns::open(&old.kept_runs_folder())
        .ok_or_else(|| Error::store(old.folder(), "the version has no sorted runs to build upon"))?;
    let mut by_bucket: HashMap<usize, Vec<(Vec<u8>, i64)>> = HashMap::new();
    for (key, change) in &delta.quads {
        by_bucket.entry(bucket_of_subject(&change.quad.subject)).or_default().push((key.clone(), change.net));
    }
    let old_index =
        factgraph_index::Index::open(&old.index_folder()).map_err(|e| Error::store(old.index_folder(), e))?;
    let present = |key: &[u8]| old_index.contains_key(key);
    let (mut runs, changed) = old_runs.update(&new.kept_runs_folder(), &by_bucket, &present)?;
    let data_patch = patch_of(delta, &changed);
    let mut summary = old_inputs.summary.clone();
    update_summary(&mut summary, &data_patch);
    let graph = metadata::graph_iri(project);
    let old_description = old_runs.graph_quads(&graph)?;
    let mut inputs = Inputs::new(old_inputs.settings.clone(), summary);
    inputs.sources = delta.snapshots.clone();
    inputs.checksums = checksums(project, old_inputs, delta)?;
    let description = if describe {
        let summary = inputs.summary.to_summary().map_err(|e| Error::store(old.folder(), e))?;
        let described = describe_inputs(project, &inputs)?;
        metadata::describe_build(&summary, project, new.name(), &metadata::utc_now(), &described)?
    } else {
        Vec::new()
    };
    let writer = crate::export::kept::KeptRunsWriter::create(&new.kept_runs_folder())?;
    if describe {
        runs.push(writer.write_graph(&graph, &description)?);
    }
    writer.finish(runs)?;
    pause_at("loaded");
    update_store(old, new, &data_patch, &graph, &description)?;
    let mut patch = data_patch;
    add_description_changes(&mut patch, &old_description, &description);
    patch.sort();
    crate::origins::carry_over(old, new, &delta.origins)?;
    let description_quads = description.iter().collect::<HashSet<_>>().len();
    // Counted, not asked of the store: RocksDB counts by reading every quad.
    let store_quads = inputs.summary.triples as usize + description_quads;
    Ok(Applied { patch, store_quads, description_quads, inputs })
}

/// The data's changes, with the records that caused them.
fn patch_of(delta: &Delta, changed: &crate::export::kept::RunChanges) -> Patch {
    let change =
        |key: &Vec<u8>| delta.quads.get(key).map(|d| Change { quad: d.quad.clone(), cause: Some(d.cause.clone()) });
    Patch {
        removed: changed.removed.iter().filter_map(change).collect(),
        added: changed.added.iter().filter_map(change).collect(),
    }
}

/// The description's counts after the data's changes.
fn update_summary(summary: &mut StoredSummary, patch: &Patch) {
    let source = "http://purl.org/dc/terms/source";
    for (changes, sign) in [(&patch.removed, -1i64), (&patch.added, 1)] {
        for quad in changes.iter().map(|c| &c.quad).filter(|q| q.graph_name.is_default_graph()) {
            let bump = |count: &mut u64| *count = (*count as i64 + sign).max(0) as u64;
            bump(&mut summary.triples);
            bump(summary.properties.entry(quad.predicate.to_string()).or_default());
            if quad.predicate == rdf::TYPE {
                bump(summary.classes.entry(quad.object.to_string()).or_default());
            } else if quad.predicate.as_str() == source {
                bump(summary.sources.entry(quad.object.to_string()).or_default());
            }
        }
    }
    for counts in [&mut summary.classes, &mut summary.properties, &mut summary.sources] {
        counts.retain(|_, n| *n > 0);
    }
}

/// The SHA-256 of every input file: kept from the old version for the
/// files that were not read again.
fn checksums(
    project: &Project,
    old: &Inputs,
    delta: &Delta,
) -> Result<std::collections::BTreeMap<std::path::PathBuf, String>, Error> {
    let mut checksums = old.checksums.clone();
    checksums.extend(delta.checksums.iter().cloned());
    let sources: HashSet<&Path> = delta.snapshots.iter().map(|s| s.path.as_path()).collect();
    let others: HashSet<std::path::PathBuf> =
        project.mapping_files()?.into_iter().chain(project.ontology_files()?).collect();
    checksums.retain(|path, _| sources.contains(path.as_path()) || others.contains(path));
    Ok(checksums)
}

/// The inputs as the description names them, as a full build would.
fn describe_inputs(project: &Project, inputs: &Inputs) -> Result<Vec<Input>, Error> {
    let mut described: Vec<Input> = inputs
        .sources
        .iter()
        .map(|s| Input { path: s.path.clone(), rows: Some(s.rows), checksum: inputs.checksums.get(&s.path).cloned() })
        .collect();
    for path in project.mapping_files()?.into_iter().chain(project.ontology_files()?) {
        let checksum = inputs.checksums.get(&path).cloned();
        described.push(Input { path, rows: None, checksum });
    }
    described.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(described)
}

/// The description's quads that changed, with no cause.
fn add_description_changes(patch: &mut Patch, old: &[Quad], new: &[Quad]) {
    let (old_set, new_set): (HashSet<&Quad>, HashSet<&Quad>) = (old.iter().collect(), new.iter().collect());
    let change = |quad: &&Quad| Change { quad: (*quad).clone(), cause: None };
    patch.removed.extend(old_set.difference(&new_set).map(change));
    patch.added.extend(new_set.difference(&old_set).map(change));
}

/// The new store: the old one's files, then the changes.
#[cfg(feature = "rocksdb")]
fn update_store(
    old: &Version,
    new: &Version,
    patch: &Patch,
    graph: &oxigraph::model::NamedNode,
    description: &[Quad],
) -> Result<(), Error> {
    let target = new.store_path();
    link_store(&old.store_path(), &target)?;
    let store = crate::store::open_writable(&target)?;
    let failed = |e| Error::store(&target, e);
    for change in &patch.removed {
        store.remove(&change.quad).map_err(failed)?;
    }
    for change in &patch.added {
        store.insert(&change.quad).map_err(failed)?;
    }
    store.clear_graph(GraphName::NamedNode(graph.clone()).as_ref()).map_err(failed)?;
    store.extend(description.iter().cloned()).map_err(failed)?;
    store.flush().map_err(failed)
}

#[cfg(not(feature = "rocksdb"))]
fn update_store(
    _old: &Version,
    new: &Version,
    _patch: &Patch,
    _graph: &oxigraph::model::NamedNode,
    _description: &[Quad],
) -> Result<(), Error> {
    crate::store::open_writable(&new.store_path()).map(drop)
}

/// A copy of a closed RocksDB store that shares its table files: those are
/// never written again, so links are safe; the small files RocksDB does
/// rewrite (the manifest, the log, options) are copied.
fn link_store(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(to).map_err(Error::io(to))?;
    for entry in std::fs::read_dir(from).map_err(Error::io(from))? {
        let entry = entry.map_err(Error::io(from))?;
        let name = entry.file_name();
        if name == "LOCK" || !entry.path().is_file() {
            continue;
        }
        let target = to.join(&name);
        let immutable = name.to_string_lossy().ends_with(".sst") || name.to_string_lossy().ends_with(".blob");
        let linked = immutable && std::fs::hard_link(entry.path(), &target).is_ok();
        if !linked {
            std::fs::copy(entry.path(), &target).map_err(Error::io(&target))?;
        }
    }
    Ok(())
}
