//! `factgraph build`: map every source into a new store version and switch to it.

use super::Outcome;
use factgraph_core::build::{build, BuildKind, BuildOptions, BuildReport};
use factgraph_core::changes::{formats, ChangeLog};
use factgraph_core::diff;
use factgraph_core::store::StoreDir;
use factgraph_core::Error;
use std::path::{Path, PathBuf};

/// Build the graph from the project's mappings and CSV files into a new store
/// version; the previous graph stays current until the new one is complete.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Threads for Oxigraph's bulk loader.
    #[arg(long, default_value_t = 2)]
    loader_threads: usize,
    /// Memory the bulk loader may use for its batches, in megabytes.
    #[arg(long, default_value_t = BuildOptions::default().loader_memory_mb, value_name = "MB")]
    loader_memory: usize,
    /// Leave out the build's description (VoID, DCAT, PROV in its own named graph).
    #[arg(long)]
    no_metadata: bool,
    /// Answer every named question in queries/ and keep the answers with the
    /// new version, so that `query NAME` answers at once until the next
    /// build (a question edited since is evaluated afresh).
    #[arg(long)]
    answer_questions: bool,
    /// After the build, print what changed against the graph it replaced,
    /// from the change log the build wrote (as `factgraph changes` prints
    /// it): triples removed and added, the files whose records changed, and
    /// the change of the data per class and per property.
    #[arg(long)]
    diff: bool,
    /// Map every record again, even when only some changed. By default a
    /// build maps only the records added, removed or changed since the
    /// current version (and the records joined to them), when it can; it
    /// says why when it cannot.
    #[arg(long)]
    full: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    crate::return_freed_memory_sooner();
    let project = super::load_project(config, args.store)?;
    let options = BuildOptions {
        loader_threads: args.loader_threads.max(1),
        loader_memory_mb: args.loader_memory.max(16),
        describe: !args.no_metadata,
        answer_questions: args.answer_questions,
        full: args.full,
    };
    let bar = super::progress_bar(args.quiet);
    let report = build(&project, options, &|stage| super::show_stage(&bar, stage));
    bar.finish_and_clear();
    let report = report?;
    if !args.quiet {
        print_report(&report)?;
    }
    if args.diff {
        print_changes(&project, &report)?;
    }
    Ok(Outcome::Done)
}

/// The summary of `factgraph changes` for the new version: what its build
/// wrote in the change log, with no second reading of either graph.
fn print_changes(project: &factgraph_core::project::Project, report: &BuildReport) -> Result<(), Error> {
    let log = ChangeLog::of(&StoreDir::new(&project.store));
    let name = report.version.name();
    let entry = log.entry(name)?;
    if entry.previous.is_none() {
        let first = format!("Changes: none to show, this is the first graph built in {}\n", project.store.display());
        return std::io::Write::write_all(&mut std::io::stdout().lock(), first.as_bytes()).map_err(Error::stdout);
    }
    let patch = log.patch(name)?;
    std::io::Write::write_all(&mut std::io::stdout().lock(), b"Changes against the graph replaced:\n")
        .map_err(Error::stdout)?;
    let show = |term: &oxigraph::model::Term| diff::show_term(term, &project.prefixes);
    let description = factgraph_core::metadata::graph_iri(project);
    formats::write_summary(&[entry], &patch, &description, &show, &mut std::io::stdout().lock()).map_err(Error::stdout)
}

/// The build's summary. Written at once, and a closed pipe (`| head`) ends
/// it quietly: the new version is in place by then.
fn print_report(report: &BuildReport) -> Result<(), Error> {
    use std::fmt::Write as _;
    let mut out = String::new();
    match &report.kind {
        BuildKind::Incremental { files, added, removed } => {
            let _ = writeln!(out, "Incremental: only the changed records were mapped again");
            for file in files {
                let (added, removed) = (file.records_added, file.records_removed);
                let _ = writeln!(out, "  {added:>10} added, {removed} removed  {}", file.path.display());
            }
            if files.is_empty() {
                let _ = writeln!(out, "  no source changed");
            }
            let _ = writeln!(out, "  {added:>10} triples added, {removed} removed (the description's included)");
        }
        BuildKind::Full { reason } => {
            let _ = writeln!(out, "Full build: {reason}");
        }
    }
    let _ = writeln!(out, "Rows read");
    for (file, rows) in &report.mapping.rows_per_source {
        let _ = writeln!(out, "  {rows:>10}  {}", file.display());
    }
    let _ = writeln!(out, "Triples per triples map");
    for (map, quads) in &report.mapping.quads_per_map {
        let _ = writeln!(out, "  {quads:>10}  {map}");
    }
    let _ = writeln!(out, "  {:>10}  ontology", report.ontology_triples);
    let _ = writeln!(out, "Seconds per stage");
    for (stage, seconds) in &report.stage_seconds {
        let _ = writeln!(out, "  {seconds:>10.2}  {stage}");
    }
    let _ = writeln!(
        out,
        "{} distinct triples (+{} describing the build) in {} ({:.2} s)",
        report.store_quads - report.description_quads,
        report.description_quads,
        report.version.folder().display(),
        report.seconds
    );
    std::io::Write::write_all(&mut std::io::stdout().lock(), out.as_bytes()).map_err(Error::stdout)
}
