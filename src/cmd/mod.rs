//! Shared plumbing of the subcommands: the command line, formats, output
//! files and exit codes (0 ok, 1 a problem found in the data, 2 an error).

mod build;
mod check;
mod diff;
mod export;
mod generate;
mod map;
mod publish;
mod queries;
mod query;
mod serve;
mod why;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use factgraph::project::Project;
use oxigraph::io::RdfFormat;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Curated CSV facts to an RDF knowledge graph, through RML mappings, in an
/// embedded Oxigraph store.
#[derive(Debug, Parser)]
#[command(name = "factgraph", version, about, long_about = None)]
pub struct Cli {
    /// Project configuration (default: ./factgraph.toml if present, else the
    /// folders data/, mappings/, ontology/, queries/ and store/ here).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Build(build::Args),
    Check(check::Args),
    Map(map::Args),
    Query(query::Args),
    Queries(queries::Args),
    Export(export::Args),
    Diff(diff::Args),
    Serve(serve::Args),
    Publish(publish::Args),
    Generate(generate::Args),
    Why(why::Args),
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Build(args) => build::run(args, config),
        Command::Check(args) => check::run(args, config),
        Command::Map(args) => map::run(args, config),
        Command::Query(args) => query::run(args, config),
        Command::Queries(args) => queries::run(args, config),
        Command::Export(args) => export::run(args, config),
        Command::Diff(args) => diff::run(args, config),
        Command::Serve(args) => serve::run(args, config),
        Command::Publish(args) => publish::run(args, config),
        Command::Generate(args) => generate::run(args, config),
        Command::Why(args) => why::run(args, config),
    }
}

/// One line per problem in the data, then a summary; other errors as one
/// line with their context.
pub fn print_error(error: &anyhow::Error) {
    if let Some(factgraph::Error::Problems { problems, total }) = error.downcast_ref() {
        for problem in problems {
            eprintln!("{problem}");
        }
        let shown = problems.len() as u64;
        if *total > shown {
            eprintln!("… and {} more", total - shown);
        }
        eprintln!("factgraph: {total} problem(s) in the data; nothing was changed");
    } else {
        eprintln!("factgraph: {error:#}");
    }
}

/// 1 when the input data or mappings have a problem the user must fix, 2
/// for everything else (usage, files, the store).
pub fn exit_code_for(error: &anyhow::Error) -> ExitCode {
    use factgraph::Error;
    let in_the_data = match error.downcast_ref::<Error>() {
        Some(Error::Mapping(_) | Error::Source(_) | Error::Problems { .. }) => true,
        Some(_) => false,
        None => error.is::<factgraph::mapping::MappingError>() || error.is::<factgraph::source::SourceError>(),
    };
    ExitCode::from(if in_the_data { 1 } else { 2 })
}

fn load_project(config: Option<&Path>, store: Option<PathBuf>) -> anyhow::Result<Project> {
    let mut project = Project::load(config)?;
    if let Some(store) = store {
        project.store = store;
    }
    Ok(project)
}

/// The file given, or standard output; buffered either way.
fn output(path: Option<&Path>) -> anyhow::Result<Box<dyn Write + Send>> {
    Ok(match path {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout())),
    })
}

/// A spinner on standard error that follows a build's stages; hidden when
/// standard error is not a terminal or the user asked for quiet.
fn progress_bar(quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Shows a build stage on a progress bar.
fn show_stage(bar: &indicatif::ProgressBar, stage: factgraph::build::Stage<'_>) {
    use factgraph::build::Stage;
    let message = match stage {
        Stage::Mapping { file, rows } => format!("mapping {}: {rows} rows", file.display()),
        Stage::Validating => "checking identifiers and shapes".into(),
        Stage::Finishing => "loading the last batches and compacting, checking shapes meanwhile".into(),
        Stage::Answering => "answering the named questions".into(),
    };
    bar.set_message(message);
}

fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// RDF syntaxes for `map` and `export`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum RdfFormatArg {
    Nquads,
    Ntriples,
    Turtle,
    Trig,
}

impl From<RdfFormatArg> for RdfFormat {
    fn from(format: RdfFormatArg) -> Self {
        match format {
            RdfFormatArg::Nquads => Self::NQuads,
            RdfFormatArg::Ntriples => Self::NTriples,
            RdfFormatArg::Turtle => Self::Turtle,
            RdfFormatArg::Trig => Self::TriG,
        }
    }
}
