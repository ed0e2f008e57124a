//! `factgraph generate`: a synthetic project of any size, for benchmarks.

use super::Outcome;
use factgraph_core::problem::ProblemKind;
use factgraph_core::project::{Project, CONFIG_FILE};
use factgraph_generate::{generate, GenerateError, GenerateOptions, ProjectFolders};
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

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, factgraph_core::Error> {
    let template = folders(&super::load_project(config, None)?);
    let options = GenerateOptions { offerings: args.offerings, seed: args.seed };
    let report = generate(&template, &args.out, options).map_err(library_error)?;
    let counts: Vec<String> = report
        .files
        .iter()
        .map(|(file, rows)| format!("{} {rows}", file.file_stem().unwrap_or_default().to_string_lossy()))
        .collect();
    println!("{} rows in {}: {}", report.total_rows(), args.out.display(), counts.join(", "));
    Ok(Outcome::Done)
}

/// The project's folders, as the generator reads and copies them.
fn folders(project: &Project) -> ProjectFolders {
    ProjectFolders {
        root: project.root.clone(),
        config: project.root.join(CONFIG_FILE),
        data: project.data.clone(),
        mappings: project.mappings.clone(),
        ontology: project.ontology.clone(),
        queries: project.queries.clone(),
    }
}

/// The generator's error as the library's, which decides the exit code: a
/// fault in the description or the template's CSV files is the user's to
/// fix (1), a folder that is not empty an argument at fault (2).
fn library_error(error: GenerateError) -> factgraph_core::Error {
    use factgraph_core::Error;
    match error {
        GenerateError::NotEmpty(_) => Error::Usage(error.to_string()),
        GenerateError::Description { path, fault } => Error::input(ProblemKind::Config, path, fault.to_string()),
        GenerateError::Csv { path, source } => Error::input(ProblemKind::Csv, path, source.to_string()),
        GenerateError::Io { path, source } => Error::Io { path, source },
    }
}
