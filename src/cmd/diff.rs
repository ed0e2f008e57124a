//! `factgraph diff`: what changed between two versions of the graph.

use super::Outcome;
use clap::ValueEnum;
use factgraph_core::diff::{self, Diff};
use factgraph_core::Error;
use oxigraph::io::RdfFormat;
use std::io::Write;
use std::path::{Path, PathBuf};

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

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    // The project lends its prefixes and the build description's graph name.
    // Outside a project (no factgraph.toml) its defaults serve; a
    // factgraph.toml that cannot be read is an error, not a silent default.
    let project = super::load_project(config, None)?;
    let leave_out = match args.with_metadata {
        false => vec![factgraph_core::metadata::graph_iri(&project)],
        true => Vec::new(),
    };
    let old = diff::read(&args.old, &leave_out)?;
    let new = diff::read(&args.new, &leave_out)?;
    let difference: Diff = diff::compare(&old, &new);
    if let Some(format) = rdf_format(args.format) {
        diff::check_one_graph(if args.removed { &difference.removed } else { &difference.added }, format)?;
    }
    write(&difference, &args, &project.prefixes).map_err(Error::stdout)?;
    Ok(Outcome::found_if(!difference.is_empty()))
}

fn write(difference: &Diff, args: &Args, prefixes: &[(String, String)]) -> std::io::Result<()> {
    let mut out = super::stdout();
    match rdf_format(args.format) {
        None => difference.write_summary(&|term: &oxigraph::model::Term| diff::show_term(term, prefixes), &mut out)?,
        Some(format) => {
            let quads = if args.removed { &difference.removed } else { &difference.added };
            diff::write_rdf(quads, format, prefixes, &mut out)?;
        }
    }
    out.flush()
}

fn rdf_format(format: DiffFormat) -> Option<RdfFormat> {
    match format {
        DiffFormat::Summary => None,
        DiffFormat::Ntriples => Some(RdfFormat::NTriples),
        DiffFormat::Turtle => Some(RdfFormat::Turtle),
    }
}
