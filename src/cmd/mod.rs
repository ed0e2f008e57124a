//! Shared plumbing of the subcommands: the command line, formats, output
//! files and exit codes (0 done, 1 something found or a problem in the
//! user's input, 2 an error), all decided in [`exit`].

mod build;
mod changes;
mod check;
mod diff;
mod export;
mod generate;
mod init;
mod map;
mod mapping;
mod publish;
mod queries;
mod query;
mod serve;
mod why;

use clap::{Parser, Subcommand, ValueEnum};
use factgraph_core::project::Project;
use factgraph_core::Error;
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
    Mapping(mapping::Args),
    Query(query::Args),
    Queries(queries::Args),
    Export(export::Args),
    Diff(diff::Args),
    Changes(changes::Args),
    Serve(serve::Args),
    Publish(publish::Args),
    Generate(generate::Args),
    Init(init::Args),
    Why(why::Args),
}

/// How a subcommand that ran to its end came out. Errors are the other
/// outcome: [`exit`] turns all three into the exit code, in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done, nothing to report: exit 0.
    Done,
    /// The command ran and found what its user asked it to look for or must
    /// look at: problems in the data (`check`), differences (`diff`), no
    /// facts about a resource (`why`), quads the format cannot hold (`map`).
    /// Exit 1, like diff(1) and grep(1).
    Found,
}

impl Outcome {
    /// `Found` when `found`, else `Done`.
    fn found_if(found: bool) -> Self {
        if found {
            Self::Found
        } else {
            Self::Done
        }
    }
}

/// Runs the subcommand. The engine's errors become the library's through
/// `?` ([`factgraph_core::Error`]'s `From`), so that every error reaches [`exit`]
/// with its type.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    let config = cli.config.as_deref();
    match cli.command {
        Command::Build(args) => build::run(args, config),
        Command::Check(args) => check::run(args, config),
        Command::Map(args) => map::run(args, config),
        Command::Mapping(args) => mapping::run(args, config),
        Command::Query(args) => query::run(args, config),
        Command::Queries(args) => queries::run(args, config),
        Command::Export(args) => export::run(args, config),
        Command::Diff(args) => diff::run(args, config),
        Command::Changes(args) => changes::run(args, config),
        Command::Serve(args) => serve::run(args, config),
        Command::Publish(args) => publish::run(args, config),
        Command::Generate(args) => generate::run(args, config),
        Command::Init(args) => init::run(args),
        Command::Why(args) => why::run(args, config),
    }
}

/// The one place exit codes are decided (the README's table): 0 done, and
/// for a write to a closed pipe (`factgraph export | head`), which prints
/// nothing; 1 when the command found something ([`Outcome::Found`]) or the
/// user's input has a problem to fix ([`Error::is_in_input`]); 2 for every
/// other error (arguments, files, the store, a server).
pub fn exit(result: Result<Outcome, Error>) -> ExitCode {
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Found) => ExitCode::from(1),
        Err(error) if error.is_closed_pipe() => ExitCode::SUCCESS,
        Err(error) => {
            print_error(&error);
            ExitCode::from(if error.is_in_input() { 1 } else { 2 })
        }
    }
}

/// One line per problem in the data, then a summary; other errors as one line.
fn print_error(error: &Error) {
    if let Error::Problems { problems, total } = error {
        for problem in problems {
            eprintln!("{problem}");
        }
        let shown = problems.len() as u64;
        if *total > shown {
            eprintln!("… and {} more", total - shown);
        }
        eprintln!("factgraph: {total} problem(s) in the data; nothing was changed");
    } else {
        eprintln!("factgraph: {error}");
    }
}

fn load_project(config: Option<&Path>, store: Option<PathBuf>) -> Result<Project, Error> {
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
/// as a hidden temporary file and renamed by [`OutputFile::finish`], so that
/// a failed command leaves no partial file (and an older file as it was).
/// Devices and pipes (`/dev/null`, a FIFO) are written in place.
fn output_file(path: Option<&Path>) -> Result<(OutputFile, PathBuf), Error> {
    let Some(path) = path else {
        let name = PathBuf::from("standard output");
        let out = OutputFile { out: BufWriter::new(Box::new(std::io::stdout())), name: name.clone(), partial: None };
        return Ok((out, name));
    };
    if path.exists() && !path.is_file() {
        // A device or a pipe (`--output /dev/null`): written in place, never replaced.
        let file = File::options().write(true).open(path).map_err(Error::io(path))?;
        return Ok((
            OutputFile { out: BufWriter::new(Box::new(file)), name: path.to_owned(), partial: None },
            path.into(),
        ));
    }
    let name = path.file_name().ok_or_else(|| Error::Usage(format!("{} is not a file name", path.display())))?;
    let folder = path.parent().filter(|folder| !folder.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    // The permissions `File::create` gives (less the umask): the output is
    // the user's file, not a private temporary one.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let (file, partial) = builder.tempfile_in(folder).map_err(Error::io(path))?.into_parts();
    let out = OutputFile { out: BufWriter::new(Box::new(file)), name: path.to_owned(), partial: Some(partial) };
    Ok((out, path.to_owned()))
}

/// Where [`output_file`] writes.
pub struct OutputFile {
    out: BufWriter<Box<dyn Write + Send>>,
    /// The file's path, or "standard output".
    name: PathBuf,
    /// The hidden file that becomes the output; removed when dropped.
    partial: Option<tempfile::TempPath>,
}

impl OutputFile {
    /// Ends the output with the command's result: on success the file takes
    /// its place; on failure the partial file is removed.
    fn finish<T>(mut self, result: Result<T, Error>) -> Result<T, Error> {
        let value = result.and_then(|value| {
            self.out.flush().map_err(Error::io(&self.name))?;
            Ok(value)
        });
        drop(self.out);
        let value = value?;
        if let Some(partial) = self.partial {
            partial.persist(&self.name).map_err(|e| Error::io(&self.name)(e.error))?;
        }
        Ok(value)
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
