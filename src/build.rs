//! The whole flow: CSV sources through the mapping plan into a new store
//! version, which replaces the current one only when everything succeeded.

use crate::mapping::{self, Plan, RunOptions, RunReport};
use crate::problem::Problem;
use crate::project::{Project, SHAPES_FILE};
use crate::store::StoreDir;
use crate::validate::{Integrity, Shapes};
use crate::Error;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{BlankNode, GraphName, NamedOrBlankNode, Quad, Term, Triple};
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

/// Receives [`Stage`]s; `&|_| ()` shows nothing.
pub type Progress<'a> = &'a dyn Fn(Stage<'_>);

/// How much of the machine a build may use.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub loader_threads: usize,
    pub loader_memory_mb: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        Self { loader_threads: 2, loader_memory_mb: 400 }
    }
}

#[derive(Debug)]
pub struct BuildReport {
    pub mapping: RunReport,
    pub ontology_triples: u64,
    /// Distinct quads in the new store.
    pub store_quads: usize,
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
    let (report, _) = map_checked(project, &plan, &ontology, progress, &mut |_| Ok(()))?;
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
    match load_version(project, &plan, &ontology, &slot.store_path(), options, progress)
        .and_then(|(mapping, quads, integrity)| {
            crate::why::write_origins(&version, &plan, &integrity)?;
            Ok((mapping, quads))
        }) {
        Ok((mapping, store_quads)) => {
            let version = slot.publish()?;
            Ok(BuildReport {
                mapping,
                ontology_triples: ontology.len() as u64,
                store_quads,
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

/// Fills a new store folder; returns the mapping report and the store's
/// size. The store is closed when this returns.
fn load_version(
    project: &Project,
    plan: &Plan,
    ontology: &[Quad],
    version: &Path,
    options: BuildOptions,
    progress: Progress<'_>,
) -> Result<(RunReport, usize, Integrity), Error> {
    std::fs::create_dir_all(version).map_err(Error::io(version))?;
    let store = Store::open(version).map_err(|e| Error::store(version, e))?;
    let mut loader = store
        .bulk_loader()
        .with_num_threads(options.loader_threads)
        .with_max_memory_size_in_megabytes(options.loader_memory_mb);
    let (checked, integrity) = map_checked(project, plan, ontology, progress, &mut |quads| {
        loader.load_quads(quads).map_err(|e| Error::store(version, e))
    })?;
    if checked.total_problems > 0 {
        return Err(Error::Problems { problems: checked.problems, total: checked.total_problems });
    }
    loader.load_quads(ontology.iter().cloned()).map_err(|e| Error::store(version, e))?;
    progress(Stage::Loading);
    loader.commit().map_err(|e| Error::store(version, e))?;
    progress(Stage::Compacting);
    store.optimize().map_err(|e| Error::store(version, e))?;
    let store_quads = store.len().map_err(|e| Error::store(version, e))?;
    Ok((checked.mapping, store_quads, integrity))
}

/// Runs the plan, hands each batch's quads to `load`, and checks the rows,
/// the identifiers and (when the project has shapes) the SHACL shapes.
fn map_checked(
    project: &Project,
    plan: &Plan,
    ontology: &[Quad],
    progress: Progress<'_>,
    load: &mut dyn FnMut(Vec<Quad>) -> Result<(), Error>,
) -> Result<(CheckReport, Integrity), Error> {
    let shapes = Shapes::read(&project.ontology.join(SHAPES_FILE))?;
    let defined = ontology.iter().filter_map(|q| match &q.subject {
        NamedOrBlankNode::NamedNode(n) => Some(n.clone()),
        NamedOrBlankNode::BlankNode(_) => None,
    });
    let mut integrity = Integrity::new(defined);
    let mut triples = Vec::new();
    let options = RunOptions { track_identifiers: true };
    let mut rows_mapped = vec![0u64; plan.sources.len()];
    let mapping = mapping::run_with(plan, options, &mut |batch| {
        rows_mapped[batch.source] += batch.rows.len() as u64;
        progress(Stage::Mapping { file: &plan.sources[batch.source].source.path, rows: rows_mapped[batch.source] });
        integrity.observe(plan, &batch);
        if shapes.is_some() {
            triples.extend(batch.quads.iter().filter(|q| q.graph_name.is_default_graph()).map(|q| Triple::from(q.clone())));
        }
        load(batch.quads)
    })?;
    progress(Stage::Validating);
    let mut problems = mapping.issues.clone();
    let mut total = mapping.issue_count;
    let found = integrity.finish(plan);
    total += found.len() as u64;
    problems.extend(found);
    if let Some(shapes) = &shapes {
        triples.extend(ontology.iter().map(|q| Triple::from(q.clone())));
        let found = shapes.validate(triples, plan, &integrity)?;
        total += found.len() as u64;
        problems.extend(found);
    }
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok((CheckReport { mapping, problems, total_problems: total }, integrity))
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
