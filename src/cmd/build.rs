//! `factgraph build`: map every source into a new store version and switch to it.

use factgraph::build::{build, BuildOptions, BuildReport};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    #[arg(long, default_value_t = 400, value_name = "MB")]
    loader_memory: usize,
    /// Leave out the build's description (VoID, DCAT, PROV in its own named graph).
    #[arg(long)]
    no_metadata: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: Args, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let project = super::load_project(config, args.store)?;
    let options = BuildOptions {
        loader_threads: args.loader_threads.max(1),
        loader_memory_mb: args.loader_memory.max(16),
        describe: !args.no_metadata,
    };
    let bar = super::progress_bar(args.quiet);
    let report = build(&project, options, &|stage| super::show_stage(&bar, stage));
    bar.finish_and_clear();
    let report = report?;
    if !args.quiet {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(report: &BuildReport) {
    println!("Rows read");
    for (file, rows) in &report.mapping.rows_per_source {
        println!("  {rows:>10}  {}", file.display());
    }
    println!("Triples per triples map");
    for (map, quads) in &report.mapping.quads_per_map {
        println!("  {quads:>10}  {map}");
    }
    println!("  {:>10}  ontology", report.ontology_triples);
    println!(
        "{} distinct triples (+{} describing the build) in {} ({:.2} s)",
        report.store_quads - report.description_quads,
        report.description_quads,
        report.version.display(),
        report.seconds
    );
}
