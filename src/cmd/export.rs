//! `factgraph export`: the whole dataset, sorted and deterministic.

use super::RdfFormatArg;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Export the current graph with the project's prefixes. The output is sorted,
/// so two exports of the same data are byte-identical.
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
}

pub fn run(args: Args, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let project = super::load_project(config, args.store)?;
    let store = factgraph::store::StoreDir::new(&project.store).open_current()?;
    let mut out = super::output(args.output.as_deref())?;
    factgraph::export::export(&store, args.format.into(), &project.prefixes, &mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
