//! `factgraph diff`: what changed between two versions of the graph.

use clap::ValueEnum;
use factgraph_core::diff::{self, Diff};
use oxigraph::io::RdfFormat;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Compare two graphs, each a store folder (as given to --store; its current
/// version) or an RDF file (.ttl .nt .nq .trig). Blank nodes are compared by
/// graph isomorphism, not by label.
///
/// Exit code 0 when the graphs are the same, 1 when they differ (like
/// diff(1)), 2 when a side cannot be read.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The graph before: a store folder or an RDF file.
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The graph after: a store folder or an RDF file.
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// summary: counts, instances added and removed per class, triples per
    /// property, then each removed triple as a `- ` line and each added one
    /// as a `+ ` line in N-Triples (N-Quads in a named graph).
    /// ntriples, turtle: only the added triples (with --removed, only the
    /// removed ones) as an RDF document that other tools can load.
    #[arg(long, short, value_enum, default_value = "summary")]
    format: DiffFormat,
    /// With --format ntriples or turtle, write the removed triples instead
    /// of the added ones.
    #[arg(long)]
    removed: bool,
    /// Also compare the build description (its named graph), which differs
    /// between any two builds; left out by default.
    #[arg(long)]
    with_metadata: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    Summary,
    Ntriples,
    Turtle,
}

pub fn run(args: Args, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    // The project lends its prefixes and the build description's graph name;
    // diff runs outside a project too.
    let project = super::load_project(config, None).ok();
    let prefixes = project.as_ref().map(|p| p.prefixes.clone()).unwrap_or_default();
    let leave_out: Vec<_> = match &project {
        Some(project) if !args.with_metadata => vec![factgraph_core::metadata::graph_iri(project)],
        _ => Vec::new(),
    };
    let old = diff::read(&args.old, &leave_out)?;
    let new = diff::read(&args.new, &leave_out)?;
    let difference: Diff = diff::compare(&old, &new);
    let mut out = super::stdout();
    match args.format {
        DiffFormat::Summary => {
            difference.write_summary(&|term: &oxigraph::model::Term| diff::show_term(term, &prefixes), &mut out)?;
        }
        DiffFormat::Ntriples | DiffFormat::Turtle => {
            let format =
                if matches!(args.format, DiffFormat::Turtle) { RdfFormat::Turtle } else { RdfFormat::NTriples };
            let quads = if args.removed { &difference.removed } else { &difference.added };
            diff::write_rdf(quads, format, &prefixes, &mut out)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::from(if difference.is_empty() { 0 } else { 1 }))
}
