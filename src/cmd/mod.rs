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
use factgraph_core::project::Project;
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

/// Runs the subcommand. Errors come back as the library's: the engine's
/// own, which a subcommand may pass on as they are, are turned into
/// [`factgraph_core::Error`] here, so that printing them and their exit code
/// look at one type.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    dispatch(cli).map_err(as_library_error)
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
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

/// The engine's errors as the library's; any other error as it is.
fn as_library_error(error: anyhow::Error) -> anyhow::Error {
    let error = match error.downcast::<factgraph_rml::Error>() {
        Ok(engine) => return factgraph_core::Error::from(engine).into(),
        Err(other) => other,
    };
    let error = match error.downcast::<factgraph_core::mapping::MappingError>() {
        Ok(mapping) => return factgraph_core::Error::from(mapping).into(),
        Err(other) => other,
    };
    match error.downcast::<factgraph_core::source::SourceError>() {
        Ok(source) => factgraph_core::Error::from(source).into(),
        Err(other) => other,
    }
}

/// One line per problem in the data, then a summary; other errors as one
/// line with their context. Nothing for a closed pipe.
pub fn print_error(error: &anyhow::Error) {
    if is_closed_pipe(error) {
        return;
    }
    if let Some(factgraph_core::Error::Problems { problems, total }) = error.downcast_ref() {
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

/// The one place exit codes are decided: 1 when the user's input has a
/// problem to fix (the library says which errors are such), 0 when the
/// reader of standard output went away (`factgraph export | head`), 2 for
/// everything else (arguments, files, the store).
pub fn exit_code_for(error: &anyhow::Error) -> ExitCode {
    if is_closed_pipe(error) {
        return ExitCode::SUCCESS;
    }
    let in_input = error.downcast_ref::<factgraph_core::Error>().is_some_and(factgraph_core::Error::is_in_input);
    ExitCode::from(if in_input { 1 } else { 2 })
}

/// Whether the error, or an error it wraps (the library's `Io` errors wrap
/// theirs), is a write to a closed pipe.
fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

fn load_project(config: Option<&Path>, store: Option<PathBuf>) -> anyhow::Result<Project> {
    let mut project = Project::load(config)?;
    if let Some(store) = store {
        project.store = store;
    }
    Ok(project)
}

/// Standard output, buffered.
fn stdout() -> BufWriter<std::io::Stdout> {
    BufWriter::new(std::io::stdout())
}

/// The file given, or standard output, and its name for messages. A file
/// appears only when the command succeeds: it is written beside its place
/// under a temporary name and renamed by [`OutputFile::finish`], so that a
/// failed command leaves no partial file (and an older file as it was).
/// Devices and pipes (`/dev/null`, a FIFO) are written in place.
fn output_file(path: Option<&Path>) -> anyhow::Result<(OutputFile, PathBuf)> {
    let Some(path) = path else {
        let out = OutputFile { out: BufWriter::new(Box::new(std::io::stdout())), file: None };
        return Ok((out, PathBuf::from("standard output")));
    };
    if path.exists() && !path.is_file() {
        // A device or a pipe (`--output /dev/null`): written in place, never replaced.
        let file = File::options().write(true).open(path).with_context(|| format!("cannot open {}", path.display()))?;
        return Ok((OutputFile { out: BufWriter::new(Box::new(file)), file: None }, path.to_owned()));
    }
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    let mut partial_name = std::ffi::OsString::from(".");
    partial_name.push(name);
    partial_name.push(format!(".partial-{}", std::process::id()));
    let partial = path.with_file_name(partial_name);
    let file = File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
    let out =
        OutputFile { out: BufWriter::new(Box::new(file)), file: Some(PartialFile { partial, path: path.to_owned() }) };
    Ok((out, path.to_owned()))
}

/// Where [`output_file`] writes.
pub struct OutputFile {
    out: BufWriter<Box<dyn Write + Send>>,
    file: Option<PartialFile>,
}

struct PartialFile {
    partial: PathBuf,
    path: PathBuf,
}

impl OutputFile {
    /// Ends the output with the command's result: on success the file takes
    /// its place; on failure the partial file is removed.
    fn finish<T, E: Into<anyhow::Error>>(mut self, result: Result<T, E>) -> anyhow::Result<T> {
        let flushed = result.map_err(Into::into).and_then(|value| {
            self.out.flush().context("cannot write the output")?;
            Ok(value)
        });
        let Some(file) = self.file.take() else { return flushed };
        drop(self.out);
        match flushed {
            Ok(value) => {
                std::fs::rename(&file.partial, &file.path)
                    .with_context(|| format!("cannot create {}", file.path.display()))?;
                Ok(value)
            }
            Err(error) => {
                let _ = std::fs::remove_file(&file.partial);
                Err(error)
            }
        }
    }
}

impl Write for OutputFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.out.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.out.write_all(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
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
fn show_stage(bar: &indicatif::ProgressBar, stage: factgraph_core::pipeline::Stage<'_>) {
    use factgraph_core::pipeline::Stage;
    let message = match stage {
        Stage::Mapping { file, rows } => format!("mapping {}: {rows} rows", file.display()),
        Stage::Validating => "checking identifiers and shapes".into(),
        Stage::Finishing => "loading the last batches and compacting, checking shapes meanwhile".into(),
        Stage::Indexing => "writing the read index".into(),
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
