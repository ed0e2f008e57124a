//! `factgraph map`: run mappings and write the RDF, without a store.

use super::{Outcome, RdfFormatArg};
use factgraph_core::mapping::{self, Plan, RunReport};
use factgraph_core::pipeline::write::{write_run, Written};
use factgraph_core::Error;
use oxigraph::io::RdfFormat;
use std::path::{Path, PathBuf};

/// Run RML or YARRRML mapping files and write the RDF they produce. Relative source
/// paths resolve against each mapping file's folder. As R2RML and RML read
/// CSV, an empty cell is NULL: a row whose subject is NULL gives no triples,
/// and standard error says how many such rows each triples map skipped.
/// Exits 1 when the data has problems (nothing is written to a file then) or
/// when quads in named graphs were left out of a format that holds one graph.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Mapping files: RML in Turtle (legacy or current vocabulary) and
    /// YARRRML (.yml, .yaml, .yarrrml), mixed freely.
    #[arg(required = true, value_name = "MAPPING")]
    mappings: Vec<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, short, value_enum, default_value = "nquads")]
    format: RdfFormatArg,
    /// Base IRI for relative IRIs, for mappings without @base.
    #[arg(long, value_name = "IRI")]
    base: Option<String>,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    // The project's configuration, where there is one, names databases and
    // their passwords.
    let options = factgraph_core::project::Project::load(config)?.read_options()?;
    let mut mapping = mapping::read_mapping_files_with(&args.mappings, &options)?;
    for map in &mut mapping.triples_maps {
        if map.base_iri.is_none() {
            map.base_iri.clone_from(&args.base);
        }
    }
    let plan = Plan::compile(&mapping)?;
    let format = RdfFormat::from(args.format);
    let (mut out, out_name) = super::output_file(args.output.as_deref())?;
    let written = write_run(&plan, format, &mapping.prefixes, &mut out, &out_name);
    // A file is written only for a run without problems: a failed `map`
    // leaves nothing behind (standard output has already had its quads).
    let written = written.and_then(|w| match w.report.issue_count {
        0 => Ok(w),
        total => Err(Error::Problems { problems: w.report.issues, total }),
    });
    let Written { report, named_graph_quads_left_out } = out.finish(written)?;
    if named_graph_quads_left_out > 0 {
        eprintln!(
            "factgraph: {named_graph_quads_left_out} quad(s) in named graphs left out: {} holds one graph; use --format nquads or trig",
            format.name()
        );
    }
    debug_assert_eq!(report.issue_count, 0, "runs with problems stop above");
    warn_of_null_subjects(&report);
    Ok(Outcome::found_if(named_graph_quads_left_out > 0))
}

/// One line per triples map that skipped rows for a NULL subject, at the
/// first of them: a file with millions of such rows gives one line, not
/// millions. `build` and `check` stop at such a row instead (an identifier
/// left empty in curated data is a mistake); `map` follows the
/// specification, where it is normal (R2RML 11.1).
fn warn_of_null_subjects(report: &RunReport) {
    for null in &report.null_subjects {
        let mut warning = null.first.clone();
        warning.message = format!(
            "{} row(s) skipped, this the first: an empty cell where the subject is formed is NULL and gives no triples",
            null.rows
        );
        eprintln!("factgraph: warning: {warning}");
    }
}
