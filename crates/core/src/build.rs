//! The whole flow: CSV sources through the mapping plan into a new store
//! version, which replaces the current one only when everything succeeded;
//! and `check`, the same flow without the store. Both are configurations of
//! the [`crate::pipeline`]: the same sinks check the quads, the build adds
//! the store's loader and the row-origin index.

use crate::changes::{self, ChangeLog, FileChange, LogEntry, Patch};
use crate::incremental::snapshot::{self, Inputs, SourceText, StoredSummary};
use crate::incremental::{apply, checks, delta};
use crate::mapping::{RunOptions, RunReport, TargetSet};
use crate::ontology::read_ontology;
use crate::origins::OriginsWriter;
use crate::pipeline::checks::{BucketChecks, Checks, Findings, SpillChecked};
use crate::pipeline::{self, load, ShowProgress, Sink};
use crate::problem::Problem;
use crate::project::{Project, SHAPES_FILE};
use crate::query::Graph;
use crate::scratch::Scratch;
use crate::store::{pause_at, StoreDir, Version};
use crate::validate::Shapes;
use crate::Error;
use oxigraph::model::Quad;
use oxigraph::store::BulkLoader;
use std::time::Instant;

pub use crate::pipeline::{Progress, Stage};

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
    /// Map everything, even when only some records changed.
    pub full: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        // 300 MB: with 400 a million-offering build peaked above 1 GiB, and
        // it was no faster (BENCHMARKS.md).
        Self { loader_threads: 2, loader_memory_mb: 300, describe: true, answer_questions: false, full: false }
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
    pub version: Version,
    /// How the version was made: from the changed records, or why not.
    pub kind: BuildKind,
}

/// How a build made its version.
#[derive(Debug, Clone)]
pub enum BuildKind {
    /// Only the changed records were mapped: the files they are in, and
    /// the triples that came and went (the description's included).
    Incremental { files: Vec<FileChange>, added: usize, removed: usize },
    /// Everything was mapped, for this reason.
    Full { reason: String },
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

    /// Records a stage that ran on another thread, beside the others.
    fn beside(&mut self, stage: &'static str, seconds: f64) {
        self.stages.push((stage, seconds));
    }
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
/// the store: everything `build` checks before it replaces the graph, with
/// the same checks, and every problem listed rather than the first stage's.
pub fn check(project: &Project, progress: Progress<'_>) -> Result<CheckReport, Error> {
    let (_, plan) = project.compile_mappings()?;
    let ontology = read_ontology(project)?;
    let shapes = Shapes::read(&project.ontology.join(SHAPES_FILE))?;
    // The shapes need each subject's triples together: spilled by subject
    // to a scratch folder, as a build does.
    let scratch = shapes.as_ref().map(|_| Scratch::create("check")).transpose()?;
    let mut checks = Checks::new(&plan, &ontology, shapes.as_ref(), scratch.as_ref().map(Scratch::path))?;
    let mut show = ShowProgress::new(&plan, progress);
    let report = pipeline::run(&plan, CURATED, &mut [&mut show, &mut checks], &ontology)?;
    progress(Stage::Validating);
    let (mut found, buckets) = checks.finish_rows(&report)?;
    if let Some(SpillChecked { found: in_buckets, .. }) = buckets.run(None)? {
        found.append(Findings::of(in_buckets.problems));
    }
    Ok(CheckReport { mapping: report, problems: found.problems, total_problems: found.total })
}

/// How `check` and `build` run the mappings: every row's identifiers are
/// reported for the identifier checks, and an empty subject is a mistake in
/// curated data, not a NULL to skip.
const CURATED: RunOptions = RunOptions { track_identifiers: true, empty_subject_is_problem: true };

/// Builds the project's graph into a new version of its store and makes it
/// current. Any problem in the data stops the build before the switch, and
/// the current version stays as it was.
pub fn build(project: &Project, options: BuildOptions, progress: Progress<'_>) -> Result<BuildReport, Error> {
    let started = Instant::now();
    let (_, plan) = project.compile_mappings()?;
    let ontology = read_ontology(project)?;
    let shapes = Shapes::read(&project.ontology.join(SHAPES_FILE))?;
    let store_dir = StoreDir::new(&project.store);
    let slot = store_dir.begin_build()?;
    pause_at("begun");
    // A build killed between its switch and keeping its log left the log
    // in the version's folder only.
    if let Some(current) = store_dir.current_version()? {
        ChangeLog::of(&store_dir).keep(&current)?;
    }
    let settings = snapshot::settings(project, options.describe)?;
    let flow = Flow { project, plan: &plan, ontology: &ontology, shapes: shapes.as_ref(), options, progress };
    let base =
        if options.full { Err("--full was given".to_owned()) } else { incremental_base(&store_dir, &plan, &settings) };
    let filled = match base {
        Ok((current, inputs)) => match flow.fill_incremental(&store_dir, slot.version(), &current, &inputs) {
            Ok(Incremental::Full(reason)) => flow.fill_full(slot.version(), &settings, &store_dir, reason),
            Ok(Incremental::Done(filled, kind)) => Ok((filled, kind)),
            Err(error) => Err(error),
        },
        Err(reason) => flow.fill_full(slot.version(), &settings, &store_dir, reason),
    };
    match filled {
        Ok((Filled { mapping, store_quads, description_quads, stage_seconds, targets }, kind)) => {
            // The mapping's logical targets are written beside the store,
            // only for a build that succeeded, before it becomes current.
            targets.finish()?;
            pause_at("publishing");
            let version = slot.publish()?;
            ChangeLog::of(&store_dir).keep(&version)?;
            let kept: Vec<Version> =
                [store_dir.current_version()?, store_dir.previous_version()?].into_iter().flatten().collect();
            snapshot::remove_unused_chunks(&store_dir, &kept)?;
            Ok(BuildReport {
                mapping,
                ontology_triples: ontology.len() as u64,
                store_quads,
                description_quads,
                seconds: started.elapsed().as_secs_f64(),
                stage_seconds,
                version,
                kind,
            })
        }
        Err(error) => {
            // Best effort: a version left behind is removed by the next build.
            let _ = std::fs::remove_dir_all(slot.version().folder());
            Err(error)
        }
    }
}

/// The current version and what it knows of its inputs, when the build
/// can start from them; else why not, for the build's output.
fn incremental_base(
    store_dir: &StoreDir,
    plan: &crate::mapping::Plan,
    settings: &str,
) -> Result<(Version, Inputs), String> {
    let current = store_dir.current_version().ok().flatten().ok_or("the first build of this store")?;
    let inputs = Inputs::of(&current).ok_or("the current version was built without a snapshot of its inputs")?;
    if let Some(reason) = &inputs.not_incremental {
        return Err(reason.clone());
    }
    if inputs.settings != settings {
        return Err(
            "the mappings, ontology, shapes, configuration or factgraph changed since the current version".into()
        );
    }
    if let Some(reason) = delta::not_incremental(plan) {
        return Err(reason);
    }
    if crate::export::KeptRuns::open(&current.kept_runs_folder()).is_none() {
        return Err("the current version kept no sorted runs".into());
    }
    Ok((current, inputs))
}

/// Writes what the new version changed against the current one into its
/// folder ([`crate::changes`]); the first version's log names no change.
/// `reason` says why the build was full; `None` for an incremental build.
fn write_change_log(store_dir: &StoreDir, version: &Version, reason: Option<String>) -> Result<(), Error> {
    let current = store_dir.current_version()?;
    let (patch, reason) = match &current {
        Some(current) => (changes::compare_versions(current, version)?, reason.or(Some("a full build".into()))),
        None => (Patch::default(), Some("the first build of this store".into())),
    };
    let now = crate::metadata::utc_now();
    let entry = LogEntry::new(version.name(), current.as_ref().map(Version::name), &now, reason, &patch);
    changes::write(&version.changes_folder(), &entry, &patch)
}

/// What a build reads, and how.
struct Flow<'a> {
    project: &'a Project,
    plan: &'a crate::mapping::Plan,
    ontology: &'a [Quad],
    shapes: Option<&'a Shapes>,
    options: BuildOptions,
    progress: Progress<'a>,
}

/// What an incremental build made, or why it must be full after all.
enum Incremental {
    Done(Filled, BuildKind),
    Full(String),
}

/// What filling a version produced.
struct Filled {
    mapping: RunReport,
    store_quads: usize,
    description_quads: usize,
    stage_seconds: Vec<(&'static str, f64)>,
    /// The logical targets, written but not yet in place.
    targets: TargetSet,
}

impl Flow<'_> {
    /// Fills a new version. Its store is closed when this returns.
    ///
    /// After the mapping, Oxigraph's last batches and the merge of all of
    /// them into its last level (vendor/oxigraph/FACTGRAPH.md) run beside
    /// this thread, which checks the spilled buckets, writes the read index
    /// from the runs they kept and snapshots the sources: none of those reads
    /// the store, so they need not wait for it.
    fn fill(&self, version: &Version, settings: &str, store_dir: &StoreDir) -> Result<Filled, Error> {
        let mut clock = StageClock::new();
        let store_path = version.store_path();
        std::fs::create_dir_all(&store_path).map_err(Error::io(&store_path))?;
        let store = crate::store::open_writable(&store_path)?;
        let mut loader = store
            .bulk_loader()
            .with_num_threads(self.options.loader_threads)
            .with_max_memory_size_in_megabytes(self.options.loader_memory_mb);
        let (report, bucket_checks, targets) = self.map_and_load(version, &mut loader)?;
        pause_at("loaded");
        clock.lap("mapping and checking identifiers, loading meanwhile");
        (self.progress)(Stage::Finishing);
        let (stored, kept) = std::thread::scope(|scope| {
            let storing = scope.spawn(|| {
                let started = Instant::now();
                loader.commit().map_err(|e| Error::store(&store_path, e))?;
                crate::store::compact(&store, &store_path)?;
                Ok::<_, Error>(started.elapsed().as_secs_f64())
            });
            let kept = self.check_and_keep(version, settings, store_dir, &report, bucket_checks, &mut clock);
            (storing.join(), kept)
        });
        let storing_seconds =
            stored.unwrap_or_else(|_| Err(Error::store(&store_path, "the loading thread panicked")))?;
        let kept = kept?;
        clock.lap("waiting for Oxigraph to finish");
        clock.beside(
            "Oxigraph loading its last batches and merging them into its last level, beside the three stages before",
            storing_seconds,
        );
        store.extend(kept.description).map_err(|e| Error::store(&store_path, e))?;
        let index = match kept.index {
            Some(index) => index,
            None => {
                (self.progress)(Stage::Indexing);
                let index = crate::pipeline::index::write_index(version, Some(&store))?;
                clock.lap("writing the read index from the store");
                index
            }
        };
        if self.options.answer_questions && self.project.queries.is_dir() {
            (self.progress)(Stage::Answering);
            let questions = crate::query::named::list(&self.project.queries)?;
            let graph = Graph::Index(index);
            crate::query::answers::keep_answers(&graph, &questions, &self.project.prefixes, &version.answers_folder())?;
            clock.lap("answering the named questions");
        }
        let store_quads = match kept.counted_quads {
            Some(triples) => triples + kept.description_quads,
            None => {
                let quads = store.len().map_err(|e| Error::store(&store_path, e))?;
                clock.lap("counting");
                quads
            }
        };
        Ok(Filled {
            mapping: report,
            store_quads,
            description_quads: kept.description_quads,
            stage_seconds: clock.stages,
            targets,
        })
    }

    /// Stage two, beside Oxigraph's: checks the spilled buckets against
    /// the shapes, counting and keeping them as sorted runs, describes the
    /// build, writes the read index from the runs and keeps a snapshot of
    /// the sources. Stops with the shapes' problems, if any.
    fn check_and_keep(
        &self,
        version: &Version,
        settings: &str,
        store_dir: &StoreDir,
        report: &RunReport,
        bucket_checks: BucketChecks<'_>,
        clock: &mut StageClock,
    ) -> Result<Kept, Error> {
        let spill_checked = self.check_buckets(version, bucket_checks)?;
        clock.lap("checking shapes, counting and keeping sorted runs");
        let (description, counted_quads, described) = self.describe(version, report, spill_checked)?;
        let indexed = described.is_some();
        if indexed {
            (self.progress)(Stage::Indexing);
        }
        // The snapshot reads the sources, the index the runs: the index's
        // last steps leave a core to the snapshot.
        let plan = self.plan;
        let (index, snapshot_seconds) = std::thread::scope(|scope| {
            let snapshot = scope.spawn(|| {
                let started = Instant::now();
                keep_inputs(plan, version, settings, store_dir, described).map(|()| started.elapsed().as_secs_f64())
            });
            let index = indexed.then(|| crate::pipeline::index::write_index(version, None)).transpose();
            (index, snapshot.join())
        });
        let index = index?;
        let snapshot_seconds =
            snapshot_seconds.unwrap_or_else(|_| Err(Error::store(version.folder(), "the snapshot thread panicked")))?;
        clock.lap("writing the read index, and the snapshot beside it");
        clock.beside("keeping a snapshot of the sources for the next build, beside the index", snapshot_seconds);
        let description_quads = description.iter().collect::<std::collections::HashSet<_>>().len();
        Ok(Kept { description, description_quads, counted_quads, index })
    }

    /// Makes a new version from the current one and the records that
    /// changed ([`crate::incremental`]).
    fn fill_incremental(
        &self,
        store_dir: &StoreDir,
        version: &Version,
        current: &Version,
        inputs: &Inputs,
    ) -> Result<Incremental, Error> {
        let mut clock = StageClock::new();
        let scratch = Scratch::create("incremental")?;
        let (_, mut old_plan) = self.project.compile_mappings()?;
        let delta = match delta::compute(self.plan, &mut old_plan, store_dir, inputs, scratch.path()) {
            Err(error @ Error::Problems { .. }) => return Err(self.problems_as_check_finds_them()?.unwrap_or(error)),
            delta => delta?,
        };
        if let Some(reason) = delta.not_incremental {
            return Ok(Incremental::Full(reason));
        }
        clock.lap("finding the changed records and mapping them");
        let applied = apply::apply(self.project, current, version, inputs, &delta, self.options.describe)?;
        clock.lap("writing the new version from the current one: store, runs, description");
        (self.progress)(Stage::Indexing);
        let index = crate::pipeline::index::write_index_after(current, version, &applied.patch)?;
        clock.lap("writing the read index (the current one's files and an overlay of the changes)");
        (self.progress)(Stage::Validating);
        let old_index = factgraph_index::Index::open(&current.index_folder())
            .map_err(|e| Error::store(current.index_folder(), e))?;
        let found =
            checks::check(self.plan, self.shapes, self.ontology, &old_index, &index, &delta.seen, &applied.patch)?;
        if !found.is_empty() {
            // Reported as `check` reports them, in the same words and order;
            // if the full check finds nothing, the version stands.
            if let Some(problems) = self.problems_as_check_finds_them()? {
                return Err(problems);
            }
        }
        clock.lap("checking identifiers and shapes around the changes");
        if self.options.answer_questions && self.project.queries.is_dir() {
            (self.progress)(Stage::Answering);
            let questions = crate::query::named::list(&self.project.queries)?;
            let changed: Vec<&Quad> =
                applied.patch.removed.iter().chain(&applied.patch.added).map(|c| &c.quad).collect();
            crate::query::answers::keep_answers_after(
                &Graph::Index(index),
                &questions,
                &self.project.prefixes,
                &version.answers_folder(),
                &current.answers_folder(),
                &changed,
            )?;
            clock.lap("answering the named questions");
        }
        applied.inputs.write(version)?;
        let now = crate::metadata::utc_now();
        let mut entry = LogEntry::new(version.name(), Some(current.name()), &now, None, &applied.patch);
        entry.files = delta.files.clone();
        changes::write(&version.changes_folder(), &entry, &applied.patch)?;
        let kind = BuildKind::Incremental {
            files: delta.files,
            added: applied.patch.added.len(),
            removed: applied.patch.removed.len(),
        };
        let mapping = RunReport {
            rows_per_source: applied.inputs.sources.iter().map(|s| (s.path.clone(), s.rows)).collect(),
            ..RunReport::default()
        };
        let filled = Filled {
            mapping,
            store_quads: applied.store_quads,
            description_quads: applied.description_quads,
            stage_seconds: clock.stages,
            targets: TargetSet::create(&self.plan.targets)?,
        };
        Ok(Incremental::Done(filled, kind))
    }

    /// The problems `check` finds in the project, as the error a build
    /// stops with; `None` when it finds none.
    fn problems_as_check_finds_them(&self) -> Result<Option<Error>, Error> {
        let report = check(self.project, self.progress)?;
        Ok((report.total_problems > 0)
            .then_some(Error::Problems { problems: report.problems, total: report.total_problems }))
    }

    /// A full build, and its change log against the current version.
    fn fill_full(
        &self,
        version: &Version,
        settings: &str,
        store_dir: &StoreDir,
        reason: String,
    ) -> Result<(Filled, BuildKind), Error> {
        let mut filled = self.fill(version, settings, store_dir)?;
        let logging = Instant::now();
        write_change_log(store_dir, version, Some(reason.clone()))?;
        filled.stage_seconds.push(("writing the change log", logging.elapsed().as_secs_f64()));
        Ok((filled, BuildKind::Full { reason }))
    }

    /// Stage one: the mapping and its checks run on a thread of their own
    /// and stream the quads to one long `load_quads` call on this one. Stops
    /// with the rows' and identifiers' problems, if any.
    fn map_and_load<'c>(
        &'c self,
        version: &Version,
        loader: &mut BulkLoader<'_>,
    ) -> Result<(RunReport, BucketChecks<'c>, TargetSet), Error> {
        let store_path = version.store_path();
        let spill = (self.shapes.is_some() || self.options.describe).then(|| version.buckets_folder());
        let checks = Checks::new(self.plan, self.ontology, self.shapes, spill.as_deref())?;
        let ((report, found), bucket_checks, targets) = std::thread::scope(|scope| {
            let (to_loader, loader_input) = load::channel(&store_path);
            let mapper = scope.spawn(move || self.map_into(version, checks, to_loader));
            let loaded = loader.load_quads(loader_input);
            let mapped =
                mapper.join().unwrap_or_else(|_| Err(Error::store(&store_path, "the mapping thread panicked")));
            loaded.map_err(|e| Error::store(&store_path, e))?;
            mapped
        })?;
        found.into_result()?;
        Ok((report, bucket_checks, targets))
    }

    /// Checks the spilled buckets, on every core: Oxigraph's compaction
    /// (one thread) now ends before the checks and the read index after
    /// them, so keeping a core for it left that core idle (at a million
    /// offerings, 98.3 s for the build with a core kept, 93.0 s without).
    /// Stops with the shapes' problems, if any.
    fn check_buckets(&self, version: &Version, bucket_checks: BucketChecks<'_>) -> Result<Option<SpillChecked>, Error> {
        let mut spill_checked = bucket_checks.run(Some(&version.kept_runs_folder()))?;
        if let Some(SpillChecked { found: in_buckets, .. }) = &mut spill_checked {
            Findings::of(std::mem::take(&mut in_buckets.problems)).into_result()?;
        }
        Ok(spill_checked)
    }

    /// The mapping thread: runs the plan into the checks, the row-origin
    /// index and the loader, then ends the checks' first stage.
    fn map_into<'c>(
        &self,
        version: &Version,
        mut checks: Checks<'c>,
        mut to_loader: load::ToLoader,
    ) -> Result<((RunReport, Findings), BucketChecks<'c>, TargetSet), Error> {
        let mut origins = OriginsWriter::create(version, self.plan)?;
        let mut show = ShowProgress::new(self.plan, self.progress);
        let mut targets = TargetSet::create(&self.plan.targets)?;
        let sinks: &mut [&mut dyn Sink] = &mut [&mut show, &mut checks, &mut origins, &mut targets, &mut to_loader];
        let report = pipeline::run(self.plan, CURATED, sinks, self.ontology)?;
        drop(to_loader);
        origins.finish()?;
        (self.progress)(Stage::Validating);
        let (found, buckets) = checks.finish_rows(&report)?;
        Ok(((report, found), buckets, targets))
    }

    /// The build's description, when asked, written to the kept runs (the
    /// store gets it once Oxigraph's loader is done); the graph's size when
    /// the buckets counted all of it (else the store must be asked, which
    /// takes seconds at millions of quads); and, when the runs were kept,
    /// the graph's counts and the inputs with their checksums.
    fn describe(
        &self,
        version: &Version,
        report: &RunReport,
        spill_checked: Option<SpillChecked>,
    ) -> Result<Described, Error> {
        let Some(SpillChecked { found, keep }) = spill_checked else { return Ok((Vec::new(), None, None)) };
        let counted_quads = keep.as_ref().map(|_| found.summary.triples as usize);
        let mut kept_runs = found.kept_runs;
        let mut description = Vec::new();
        let mut inputs = Vec::new();
        if self.options.describe {
            let project = self.project;
            inputs = crate::metadata::inputs(project, report)?;
            for input in inputs.iter_mut().filter(|i| i.path.is_file()) {
                input.checksum = Some(crate::metadata::sha256(&input.path)?);
            }
            let now = crate::metadata::utc_now();
            description = crate::metadata::describe_build(&found.summary, project, version.name(), &now, &inputs)?;
            if let Some(keep) = &keep {
                kept_runs.push(keep.write_graph(&crate::metadata::graph_iri(project), &description)?);
            }
        }
        let kept = keep.is_some();
        if let Some(keep) = keep {
            keep.finish(kept_runs)?;
        }
        let described = kept.then(|| (StoredSummary::of(&found.summary), inputs));
        Ok((description, counted_quads, described))
    }
}

/// What describing a full build gave: the description's quads, the graph's
/// quads when the buckets counted them, and, when the runs were kept, the
/// graph's counts and the inputs with their checksums.
type Described = (Vec<Quad>, Option<usize>, Option<(StoredSummary, Vec<crate::metadata::Input>)>);

/// What the stages beside Oxigraph's made.
struct Kept {
    /// The build's description, for the store.
    description: Vec<Quad>,
    description_quads: usize,
    /// The graph's quads, when the buckets counted them.
    counted_quads: Option<usize>,
    /// The read index, when it could be written from the kept runs.
    index: Option<factgraph_index::Index>,
}

/// Writes what the next build needs to start from this version: a snapshot
/// of each CSV source, the graph's counts and the inputs' checksums; or why
/// it cannot.
fn keep_inputs(
    plan: &crate::mapping::Plan,
    version: &Version,
    settings: &str,
    store_dir: &StoreDir,
    described: Option<(StoredSummary, Vec<crate::metadata::Input>)>,
) -> Result<(), Error> {
    let reason = match &described {
        None => Some("the build kept no sorted runs (a mapping writes to a named graph)".to_owned()),
        Some(_) => delta::not_incremental(plan),
    };
    let (summary, described) = described.unwrap_or_default();
    let mut inputs = Inputs::new(settings.to_owned(), summary);
    inputs.not_incremental = reason;
    if inputs.not_incremental.is_none() {
        for source in &plan.sources {
            let text = SourceText::read(&source.source.path, b'"')?;
            inputs.sources.push(text.snapshot(store_dir)?);
        }
    }
    inputs.checksums = described.into_iter().filter_map(|i| Some((i.path, i.checksum?))).collect();
    inputs.write(version)
}
