//! The whole flow: CSV sources through the mapping plan into a new store
//! version, which replaces the current one only when everything succeeded.

use crate::mapping::{self, MappedBatch, Plan, RunOptions, RunReport};
use crate::problem::Problem;
use crate::project::{Project, SHAPES_FILE};
use crate::scratch::Scratch;
use crate::store::StoreDir;
use crate::export::kept::{KeptRun, KeptRunsWriter};
use crate::metadata::GraphSummary;
use crate::validate::buckets::{BucketWriter, Buckets};
use crate::validate::{Integrity, LinkedFacts, Shapes};
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
    /// Oxigraph ingests its last sorted files and compacts the new store
    /// (so that queries are fast) while the shapes are checked.
    Finishing,
    /// Answering the named questions, to keep the answers with the version.
    Answering,
}

/// Where a version keeps the spilled triples until its checks are done.
const BUCKETS_FOLDER: &str = "buckets";

/// Receives [`Stage`]s, from the mapping thread too; `&|_| ()` shows nothing.
pub type Progress<'a> = &'a (dyn Fn(Stage<'_>) + Sync);

/// How much of the machine a build may use.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub loader_threads: usize,
    pub loader_memory_mb: usize,
    /// Add the build's description (VoID, DCAT, PROV) in its named graph.
    pub describe: bool,
    /// Answer every named question and keep the answers with the version
    /// (see [`crate::query::answers`]).
    pub answer_questions: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        // 300 MB: with 400 a million-offering build peaked above 1 GiB, and
        // it was no faster (BENCHMARKS.md).
        Self { loader_threads: 2, loader_memory_mb: 300, describe: true, answer_questions: false }
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
    /// Wall-clock seconds of each stage, in order: where the time went.
    pub stage_seconds: Vec<(&'static str, f64)>,
    pub version: PathBuf,
}

/// Times the stages of a build, one after the other.
struct StageClock {
    started: Instant,
    stages: Vec<(&'static str, f64)>,
}

impl StageClock {
    fn new() -> Self {
        Self { started: Instant::now(), stages: Vec::new() }
    }

    /// Ends the stage running since the last call.
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.stages.push((stage, now.duration_since(self.started).as_secs_f64()));
        self.started = now;
    }
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
    let Some(shapes) = Shapes::read(&project.ontology.join(SHAPES_FILE))? else {
        return map_checked(&plan, &ontology, progress, &mut |_| Ok(())).map(|(report, _)| report);
    };
    // The shapes need each subject's triples together: spill them by subject
    // to a scratch folder, as a build does.
    let scratch = Scratch::create("check")?;
    let mut linked_facts = shapes.linked_facts();
    let mut spill = BucketWriter::create(scratch.path())?;
    let (mut report, integrity) = map_checked(&plan, &ontology, progress, &mut |batch| {
        linked_facts.observe(&batch.quads);
        spill.add(&batch.quads)
    })?;
    linked_facts.observe(&ontology);
    spill.add(&ontology)?;
    let checks = BucketChecks { shapes: Some((&shapes, &linked_facts)), ontology: &ontology, plan: &plan, integrity: &integrity };
    let found = check_buckets(&spill.finish()?, &checks, None)?;
    report.total_problems += found.problems.len() as u64;
    report.problems.extend(found.problems);
    report.problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
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
        Ok(Loaded { mapping, store_quads, description_quads, stage_seconds }) => {
            let version = slot.publish()?;
            Ok(BuildReport {
                mapping,
                ontology_triples: ontology.len() as u64,
                store_quads,
                description_quads,
                seconds: started.elapsed().as_secs_f64(),
                stage_seconds,
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
    stage_seconds: Vec<(&'static str, f64)>,
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
    let mut clock = StageClock::new();
    let version = target.store;
    std::fs::create_dir_all(version).map_err(Error::io(version))?;
    let store = Store::open(version).map_err(|e| Error::store(version, e))?;
    let mut loader = store
        .bulk_loader()
        .with_num_threads(options.loader_threads)
        .with_max_memory_size_in_megabytes(options.loader_memory_mb);
    let shapes = Shapes::read(&project.ontology.join(SHAPES_FILE))?;
    let mut linked_facts = shapes.as_ref().map(Shapes::linked_facts);
    let mut spill = if shapes.is_some() || options.describe {
        Some(BucketWriter::create(&target.folder.join(BUCKETS_FOLDER))?)
    } else {
        None
    };
    // Mapping runs on its own thread and streams quads to one long
    // `load_quads` call: the loader then writes batches as large as its memory
    // allows (one call per mapped batch would flush many small files that
    // RocksDB must compact later). On the way, the quads are spilled by
    // subject for the checks that need a subject's triples together.
    let (mut checked, integrity) = std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<Quad>>(16);
        let (spill, linked_facts) = (&mut spill, &mut linked_facts);
        let mapper = scope.spawn(move || {
            let mut origins = crate::why::OriginsWriter::create(target.folder)?;
            let mut keep = |quads: &[Quad]| {
                if let Some(linked_facts) = linked_facts.as_mut() {
                    linked_facts.observe(quads);
                }
                spill.as_mut().map_or(Ok(()), |spill| spill.add(quads))
            };
            let mapped = map_checked(plan, ontology, progress, &mut |batch| {
                origins.observe(plan, &batch)?;
                keep(&batch.quads)?;
                sender.send(batch.quads).map_err(|_| Error::store(version, "the loader stopped"))
            });
            origins.finish()?;
            keep(ontology)?;
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
    clock.lap("mapping and checking identifiers, loading meanwhile");
    // Oxigraph finishes loading and compacts (a compacted store answers
    // queries several times faster), on one core, while the checks read the
    // spilled buckets on the others.
    progress(Stage::Finishing);
    let checks = BucketChecks { shapes: shapes.as_ref().zip(linked_facts.as_ref()), ontology, plan, integrity: &integrity };
    let (stored, checked_buckets) = std::thread::scope(|scope| {
        let storing = scope.spawn(|| {
            loader.commit().map_err(|e| Error::store(version, e))?;
            store.optimize().map_err(|e| Error::store(version, e))
        });
        let check = || spill.map(|spill| check_spill(spill, &checks, target.folder)).transpose();
        let checked_buckets = match threads_beside_compaction() {
            Some(pool) => pool.install(check),
            None => check(),
        };
        (storing.join(), checked_buckets)
    });
    stored.unwrap_or_else(|_| Err(Error::store(version, "the loading thread panicked")))?;
    let mut checked_buckets = checked_buckets?;
    if let Some(SpillChecked { found, .. }) = &mut checked_buckets {
        if !found.problems.is_empty() {
            checked.total_problems += found.problems.len() as u64;
            checked.problems.append(&mut found.problems);
            return Err(Error::Problems { problems: checked.problems, total: checked.total_problems });
        }
    }
    clock.lap("loading the last batches and compacting, checking shapes and counting meanwhile");
    let mut description_quads = 0;
    // Counted as the buckets were read, when they hold the whole graph;
    // else asked of the store, which takes seconds at millions of quads.
    let mut counted_quads = None;
    if let Some(SpillChecked { found: BucketFindings { summary, mut kept_runs, .. }, keep }) = checked_buckets {
        if keep.is_some() {
            counted_quads = Some(summary.triples as usize);
        }
        if options.describe {
            let inputs = crate::metadata::inputs(project, &checked.mapping)?;
            let description =
                crate::metadata::describe_build(&summary, project, target.name, &crate::metadata::utc_now(), &inputs)?;
            description_quads = description.iter().collect::<std::collections::HashSet<_>>().len();
            if let Some(keep) = &keep {
                kept_runs.push(keep.write_graph(&crate::metadata::graph_iri(project), &description)?);
            }
            store.extend(description).map_err(|e| Error::store(version, e))?;
        }
        if let Some(keep) = keep {
            keep.finish(kept_runs)?;
        }
    }
    if options.answer_questions && project.queries.is_dir() {
        progress(Stage::Answering);
        let questions = crate::query::named::list(&project.queries)?;
        crate::query::answers::keep_answers(&store, &questions, &project.prefixes, target.folder)?;
        clock.lap("answering the named questions");
    }
    let store_quads = match counted_quads {
        Some(triples) => triples + description_quads,
        None => {
            let quads = store.len().map_err(|e| Error::store(version, e))?;
            clock.lap("counting");
            quads
        }
    };
    Ok(Loaded { mapping: checked.mapping, store_quads, description_quads, stage_seconds: clock.stages })
}

/// Runs the plan, hands each batch to `load`, and checks the rows and the
/// identifiers. The shapes are checked afterwards, from the spilled buckets
/// ([`check_buckets`]).
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

/// What the bucket checks check against.
struct BucketChecks<'a> {
    shapes: Option<(&'a Shapes, &'a LinkedFacts)>,
    ontology: &'a [Quad],
    plan: &'a Plan,
    integrity: &'a Integrity,
}

/// What the checks of a build's spilled buckets found, and where they
/// wrote the sorted runs (when the buckets hold the whole graph).
struct SpillChecked {
    found: BucketFindings,
    keep: Option<KeptRunsWriter>,
}

/// Checks a build's spilled buckets, keeping their sorted runs in `version`
/// when they hold the whole graph (no mapping wrote to a named graph), then
/// removes them.
fn check_spill(spill: BucketWriter, checks: &BucketChecks<'_>, version: &Path) -> Result<SpillChecked, Error> {
    let buckets = spill.finish()?;
    let keep = if buckets.named_graph_quads == 0 { Some(KeptRunsWriter::create(version)?) } else { None };
    let found = check_buckets(&buckets, checks, keep.as_ref())?;
    buckets.remove()?;
    Ok(SpillChecked { found, keep })
}

/// Reads the spilled buckets in parallel (each holds every triple of its
/// subjects): counts them for the description, validates the shapes, and
/// writes each as a sorted run when `keep` is given. Problems come sorted by
/// file and line.
fn check_buckets(
    buckets: &Buckets,
    checks: &BucketChecks<'_>,
    keep: Option<&KeptRunsWriter>,
) -> Result<BucketFindings, Error> {
    use rayon::prelude::*;
    let ontology: Vec<Triple> = checks.ontology.iter().map(|q| Triple::from(q.clone())).collect();
    let screen = checks.shapes.and_then(|(shapes, linked_facts)| shapes.screen(&ontology, linked_facts));
    // Folded as they come rather than collected: each bucket's summary lists
    // the sources its subjects cite, which are most of them, and 256 such
    // lists held until the end took gigabytes at a million offerings.
    let mut found = (0..buckets.len())
        .into_par_iter()
        .try_fold(BucketFindings::default, |mut found, index| {
            let triples = buckets.read(index)?;
            found.summary.count(&triples);
            if let Some(keep) = keep {
                found.kept_runs.push(keep.write_bucket(index, &triples)?);
            }
            if let Some((shapes, linked_facts)) = checks.shapes {
                found.problems.extend(shapes.validate(triples, linked_facts, &ontology, screen.as_ref(), checks.plan, checks.integrity)?);
            }
            Ok::<_, Error>(found)
        })
        .try_reduce(BucketFindings::default, |a, b| Ok(a.merge(b)))?;
    found.problems.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
    found.problems.dedup();
    Ok(found)
}

/// A pool for the bucket checks that leaves one core to Oxigraph's
/// compaction: it runs on one thread and takes longer than the checks, so
/// sharing its core with them only made the build slower (at a million
/// offerings on two cores, 109 s for the stage against 88 s). `None` on a
/// single core, or when the pool cannot be made: the checks then share the
/// global pool.
fn threads_beside_compaction() -> Option<rayon::ThreadPool> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores > 1).then(|| rayon::ThreadPoolBuilder::new().num_threads(cores - 1).build().ok()).flatten()
}

/// What checking some buckets found.
#[derive(Default)]
struct BucketFindings {
    summary: GraphSummary,
    problems: Vec<Problem>,
    kept_runs: Vec<KeptRun>,
}

impl BucketFindings {
    fn merge(mut self, other: Self) -> Self {
        self.summary.merge(other.summary);
        self.problems.extend(other.problems);
        self.kept_runs.extend(other.kept_runs);
        self
    }
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
