//! The whole flow: CSV sources through the mapping plan into a new store
//! version, which replaces the current one only when everything succeeded.

use crate::mapping::{self, MappedBatch, Plan, RunOptions, RunReport};
use crate::problem::Problem;
use crate::project::{Project, SHAPES_FILE};
use crate::store::StoreDir;
use crate::validate::{Integrity, Shapes};
use crate::Error;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term};
use oxigraph::store::Store;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What a build is doing, for progress displays.
#[derive(Debug, Clone, Copy)]
pub enum Stage<'a> {
    /// Rows of `file` mapped so far.
    Mapping { file: &'a Path, rows: u64 },
    /// Checking identifiers and shapes.
    Validating,
    /// Oxigraph writes its sorted files and ingests them.
    Loading,
    /// Compacting the new store so that queries are fast.
    Compacting,
}

/// Receives [`Stage`]s, from the mapping thread too; `&|_| ()` shows nothing.
pub type Progress<'a> = &'a (dyn Fn(Stage<'_>) + Sync);

/// How much of the machine a build may use.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub loader_threads: usize,
    pub loader_memory_mb: usize,
    /// Add the build's description (VoID, DCAT, PROV) in its named graph.
    pub describe: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self { loader_threads: 2, loader_memory_mb: 400, describe: true }
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub mapping: RunReport,
    pub ontology_triples: u64,
    /// Distinct quads in the new store, the build's description included.
    pub store_quads: usize,
    /// Quads of the build's description (see [`crate::metadata`]).
    pub description_quads: usize,
    pub seconds: f64,
    pub version: PathBuf,
}

/// Reads the project's mappings, compiles them against the CSV headers and
/// runs them. Used by `build`, and by `check` which stops before the store.
pub fn compile_project(project: &Project) -> Result<(mapping::Mapping, Plan), Error> {
    let mut mapping = mapping::read_mapping_files(&project.mapping_files()?)?;
    for map in &mut mapping.triples_maps {
        if map.base_iri.is_none() {
            map.base_iri.clone_from(&project.base_iri);
        }
    }
    let plan = Plan::compile(&mapping)?;
    Ok((mapping, plan))
}

/// What checking the project found, and what mapping it read.
#[derive(Debug)]
pub struct CheckReport {
    pub mapping: RunReport,
    /// The first problems found (all of them up to a thousand).
    pub problems: Vec<Problem>,
    pub total_problems: u64,
}

/// Checks the sources, the mappings and the mapped graph without touching
/// the store: everything `build` checks before it replaces the graph.
pub fn check(project: &Project, progress: Progress<'_>) -> Result<CheckReport, Error> {
    let (_, plan) = compile_project(project)?;
    let ontology = read_ontology(project)?;
    let shapes = Shapes::read(&project.ontology.join(SHAPES_FILE))?;
    // The shapes need the mapped graph; without them nothing is kept.
    let store = Store::new().map_err(|e| Error::store("(memory)", e))?;
    let (mut report, integrity) = map_checked(&plan, &ontology, progress, &mut |batch| {
        if shapes.is_some() {
            store.extend(batch.quads).map_err(|e| Error::store("(memory)", e))?;
        }
        Ok(())
    })?;
    if let Some(shapes) = &shapes {
        store.extend(ontology.iter().cloned()).map_err(|e| Error::store("(memory)", e))?;
        check_shapes(shapes, &store, &ontology, &plan, &integrity, &mut report)?;
    }
    Ok(report)
}

/// Builds the project's graph into a new version of its store and makes it
/// current. Any problem in the data stops the build before the switch, and
/// the current version stays as it was.
pub fn build(project: &Project, options: BuildOptions, progress: Progress<'_>) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let (_, plan) = compile_project(project)?;
    let ontology = read_ontology(project)?;
    let slot = StoreDir::new(&project.store).begin_build()?;
    let version = slot.path();
    let target = Target { folder: &version, store: &slot.store_path(), name: slot.name() };
    match load_version(project, &plan, &ontology, target, options, progress) {
        Ok(Loaded { mapping, store_quads, description_quads }) => {
            let version = slot.publish()?;
            Ok(BuildReport {
                mapping,
                ontology_triples: ontology.len() as u64,
                store_quads,
                description_quads,
                seconds: started.elapsed().as_secs_f64(),
                version,
            })
        }
        Err(error) => {
            // Best effort: a version left behind is removed by the next build.
            let _ = std::fs::remove_dir_all(&version);
            Err(error)
        }
    }
}

/// Where a version is built.
struct Target<'a> {
    /// The version's folder, for the files that describe it.
    folder: &'a Path,
    /// The Oxigraph store inside it.
    store: &'a Path,
    name: &'a str,
}

/// What filling a version produced.
struct Loaded {
    mapping: RunReport,
    store_quads: usize,
    description_quads: usize,
}

/// Fills a new store folder. The store is closed when this returns.
fn load_version(
    project: &Project,
    plan: &Plan,
    ontology: &[Quad],
    target: Target<'_>,
    options: BuildOptions,
    progress: Progress<'_>,
) -> Result<Loaded, Error> {
    let version = target.store;
    std::fs::create_dir_all(version).map_err(Error::io(version))?;
    let store = Store::open(version).map_err(|e| Error::store(version, e))?;
    let mut loader = store
        .bulk_loader()
        .with_num_threads(options.loader_threads)
        .with_max_memory_size_in_megabytes(options.loader_memory_mb);
    let shapes = Shapes::read(&project.ontology.join(SHAPES_FILE))?;
    // Mapping runs on its own thread and streams quads to one long
    // `load_quads` call: the loader then writes batches as large as its memory
    // allows (one call per mapped batch would flush many small files that
    // RocksDB must compact later).
    let (mut checked, integrity) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Quad>>(16);
        let mapper = scope.spawn(move || {
            let mut origins = crate::why::OriginsWriter::create(target.folder)?;
            let mapped = map_checked(plan, ontology, progress, &mut |batch| {
                origins.observe(plan, &batch)?;
                sender.send(batch.quads).map_err(|_| Error::store(version, "the loader stopped"))
            });
            origins.finish()?;
            mapped
        });
        let loaded = loader.load_quads(receiver.into_iter().flatten().chain(ontology.iter().cloned()));
        let mapped = mapper.join().unwrap_or_else(|_| Err(Error::store(version, "the mapping thread panicked")));
        loaded.map_err(|e| Error::store(version, e))?;
        mapped
    })?;
    if checked.total_problems > 0 {
        return Err(Error::Problems { problems: checked.problems, total: checked.total_problems });
    }
    progress(Stage::Loading);
    loader.commit().map_err(|e| Error::store(version, e))?;
    // Compact before reading the store back: the shapes and the description
    // scan it, and a compacted store reads several times faster.
    progress(Stage::Compacting);
    store.optimize().map_err(|e| Error::store(version, e))?;
    if let Some(shapes) = &shapes {
        progress(Stage::Validating);
        check_shapes(shapes, &store, ontology, plan, &integrity, &mut checked)?;
        if checked.total_problems > 0 {
            return Err(Error::Problems { problems: checked.problems, total: checked.total_problems });
        }
    }
    let mut description_quads = 0;
    if options.describe {
        let inputs = crate::metadata::inputs(project, &checked.mapping)?;
        let description = crate::metadata::describe_build(&store, project, target.name, &crate::metadata::utc_now(), &inputs)?;
        description_quads = description.len();
        store.extend(description).map_err(|e| Error::store(version, e))?;
    }
    let store_quads = store.len().map_err(|e| Error::store(version, e))?;
    Ok(Loaded { mapping: checked.mapping, store_quads, description_quads })
}

/// Runs the plan, hands each batch to `load`, and checks the rows and the
/// identifiers. The shapes are checked afterwards, on a store
/// ([`check_shapes`]).
fn map_checked(
    plan: &Plan,
    ontology: &[Quad],
    progress: Progress<'_>,
    load: &mut dyn FnMut(MappedBatch) -> Result<(), Error>,
) -> Result<(CheckReport, Integrity), Error> {
    let defined = ontology.iter().filter_map(|q| match &q.subject {
        NamedOrBlankNode::NamedNode(n) => Some(n.clone()),
        NamedOrBlankNode::BlankNode(_) => None,
    });
    let mut integrity = Integrity::new(plan, defined);
    let options = RunOptions { track_identifiers: true };
    let mut rows_mapped = vec![0u64; plan.sources.len()];
    let mapping = mapping::run_with(plan, options, &mut |batch| {
        rows_mapped[batch.source] += batch.rows.len() as u64;
        progress(Stage::Mapping { file: &plan.sources[batch.source].source.path, rows: rows_mapped[batch.source] });
        integrity.observe(plan, &batch);
        load(batch)
    })?;
    progress(Stage::Validating);
    let mut problems = mapping.issues.clone();
    let mut total = mapping.issue_count;
    let found = integrity.finish(plan)?;
    total += found.len() as u64;
    problems.extend(found);
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok((CheckReport { mapping, problems, total_problems: total }, integrity))
}

/// Validates the shapes on `store` and adds what they find to `report`.
fn check_shapes(
    shapes: &Shapes,
    store: &Store,
    ontology: &[Quad],
    plan: &Plan,
    integrity: &Integrity,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let found = shapes.validate_store(store, ontology, plan, integrity)?;
    report.total_problems += found.len() as u64;
    report.problems.extend(found);
    report.problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(())
}

/// Every quad of the ontology files.
fn read_ontology(project: &Project) -> Result<Vec<Quad>, Error> {
    let mut quads = Vec::new();
    for (index, file) in project.ontology_files()?.iter().enumerate() {
        quads.extend(read_rdf_file(file, index)?);
    }
    Ok(quads)
}

/// Reads a Turtle file into the default graph. Its blank nodes get labels
/// from their order in the file (`o<file>b<n>`), so that every build labels
/// them alike and exports stay byte-identical.
pub fn read_rdf_file(path: &Path, file_index: usize) -> Result<Vec<Quad>, Error> {
    let format = RdfFormat::from_extension(path.extension().and_then(|e| e.to_str()).unwrap_or(""))
        .unwrap_or(RdfFormat::Turtle);
    let file = std::fs::File::open(path).map_err(Error::io(path))?;
    let mut labels: HashMap<BlankNode, BlankNode> = HashMap::new();
    let mut relabel = |b: BlankNode| {
        let next = labels.len();
        labels.entry(b).or_insert_with(|| BlankNode::new_unchecked(format!("o{file_index}b{next}"))).clone()
    };
    let mut quads = Vec::new();
    for quad in RdfParser::from_format(format).for_reader(std::io::BufReader::new(file)) {
        let quad = quad.map_err(|e| Error::Config { path: path.to_owned(), problem: format!("not valid RDF: {e}") })?;
        let subject = match quad.subject {
            NamedOrBlankNode::BlankNode(b) => relabel(b).into(),
            other => other,
        };
        let object = match quad.object {
            Term::BlankNode(b) => relabel(b).into(),
            other => other,
        };
        let graph_name = match quad.graph_name {
            GraphName::BlankNode(b) => relabel(b).into(),
            other => other,
        };
        quads.push(Quad::new(subject, quad.predicate, object, graph_name));
    }
    Ok(quads)
}
