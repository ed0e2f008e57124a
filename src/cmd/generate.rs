//! `factgraph generate`: a synthetic project of any size, for benchmarks.

use super::Outcome;
use factgraph::generate::{generate, GenerateOptions};
use factgraph::Error;
use std::path::{Path, PathBuf};

/// Write a synthetic project into a new folder: this project's
/// factgraph.toml, mappings, ontology and queries, and data/ with the same
/// CSV files and headers filled with generated rows (deterministic for a
/// seed) that `factgraph check` accepts, as data/generate.toml describes
/// them. For benchmarks and load tests.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The size: each table's rows are a function of N in
    /// data/generate.toml (in the bundled project, N offerings, N/2
    /// statements, N/4 organisations, N/20 services, N/50 sources …).
    #[arg(long, value_name = "N")]
    offerings: u64,
    /// Folder to write the project into; it must be absent or empty.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seed of the generator: the same seed writes the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let template = super::load_project(config, None)?;
    let report = generate(&template, &args.out, GenerateOptions { offerings: args.offerings, seed: args.seed })?;
    let counts: Vec<String> = report
        .files
        .iter()
        .map(|(file, rows)| format!("{} {rows}", file.file_stem().unwrap_or_default().to_string_lossy()))
        .collect();
    println!("{} rows in {}: {}", report.total_rows(), args.out.display(), counts.join(", "));
    Ok(Outcome::Done)
}
