//! `factgraph export`: the whole dataset, sorted and deterministic.

use super::Outcome;
use super::RdfFormatArg;
use factgraph_core::export::Quads;
use factgraph_core::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Export the current graph with the project's prefixes. The output is sorted,
/// so two exports of the same data are byte-identical. Turtle and N-Triples
/// hold the default graph (data and ontology); TriG and N-Quads also hold the
/// build's description in its named graph, unless --no-metadata. When the
/// project states a licence, Turtle and N-Triples start with a comment naming it.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, short, value_enum, default_value = "turtle")]
    format: RdfFormatArg,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Leave out the build's description (its named graph).
    #[arg(long)]
    no_metadata: bool,
    /// Read the Oxigraph store itself, not the sorted runs (or the read
    /// index) its build kept beside it (slower; the output is the same).
    #[arg(long)]
    from_store: bool,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let project = super::load_project(config, args.store)?;
    let version = factgraph_core::store::StoreDir::new(&project.store).require_current_version()?;
    let quads = Quads::of_version(&version, args.from_store)?;
    let (mut out, _) = super::output_file(args.output.as_deref())?;
    let description = factgraph_core::metadata::graph_iri(&project);
    let leave_out = if args.no_metadata { vec![description.clone()] } else { Vec::new() };
    let format = args.format.into();
    let dataset = factgraph_core::metadata::dataset_iri(&project);
    let exported = match factgraph_core::export::licence_note(format, dataset.as_str(), project.license.as_deref()) {
        Some(note) => out.write_all(note.as_bytes()).map_err(Error::io("(output)")),
        None => Ok(()),
    }
    .and_then(|()| factgraph_core::export::export(&quads, format, &project.prefixes, &leave_out, &mut out));
    let summary = out.finish(exported)?;
    let mut description_quads = 0;
    quads.for_each(Some(description.as_ref().into()), |_| {
        description_quads += 1;
        Ok::<_, Error>(())
    })?;
    let other_graphs = summary.left_out.saturating_sub(if args.no_metadata { 0 } else { description_quads });
    if other_graphs > 0 {
        eprintln!("factgraph: {other_graphs} quad(s) in named graphs are not in this single-graph format; use --format trig or nquads");
    }
    Ok(Outcome::Done)
}
