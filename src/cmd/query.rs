//! `factgraph query`: answer a named question, a query file or query text.

use super::Outcome;
use clap::ValueEnum;
use factgraph_core::query::{self, answers, named, Graph, ReadFrom, ResultsFormat, WriteOptions};
use factgraph_core::Error;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Run a SPARQL query on the current graph: a named question from queries/
/// (its file name without .rq), a .rq file, or text given with --sparql.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A question name (see `factgraph queries`) or a path to a .rq file.
    #[arg(value_name = "NAME|FILE.rq", required_unless_present = "sparql", conflicts_with = "sparql")]
    query: Option<String>,
    /// The query itself, instead of a name or file.
    #[arg(long, value_name = "TEXT")]
    sparql: Option<String>,
    /// Output format; the default is a table on a terminal and CSV otherwise.
    /// CONSTRUCT and DESCRIBE answers are written as Turtle or N-Triples.
    #[arg(long, short, value_enum)]
    format: Option<ResultsFormatArg>,
    /// Store folder (default: store/ in the project).
    #[arg(long, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Read the version's Oxigraph store instead of its read index (slower;
    /// to compare the two). Kept answers are not used either.
    #[arg(long)]
    from_store: bool,
    /// Keep CSV/TSV cells that start with = + - @ as they are (no leading ')
    /// instead of guarding them against spreadsheet formula injection.
    #[arg(long)]
    allow_formulas: bool,
    /// After the answer, write to standard error how it was evaluated: the
    /// plan, with the rows and time of each step (JSON, as Oxigraph writes
    /// it). The question is evaluated, even when the build kept its answer.
    #[arg(long)]
    explain: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ResultsFormatArg {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
    Turtle,
    Ntriples,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let project = super::load_project(config, args.store)?;
    let format = match args.format {
        Some(format) => format.into(),
        None if super::stdout_is_terminal() => ResultsFormat::Table,
        None => ResultsFormat::Csv,
    };
    let options = WriteOptions { prefixes: project.prefixes.clone(), allow_formulas: args.allow_formulas };
    let mut out = super::stdout();
    let (name, text) = match (&args.query, &args.sparql) {
        (_, Some(text)) => ("--sparql".to_owned(), text.clone()),
        (Some(file), None) if file.ends_with(".rq") => {
            let text = std::fs::read_to_string(file).map_err(factgraph_core::Error::io(file))?;
            (file.clone(), text)
        }
        (Some(name), None) => {
            let question = named::find(&project.queries, name)?;
            if !args.from_store && !args.explain && write_kept_answer(&project, &question, format, &options, &mut out)?
            {
                out.flush().map_err(Error::stdout)?;
                return Ok(Outcome::Done);
            }
            (question.name, question.text)
        }
        (None, None) => return Err(Error::Usage("give a question name, a .rq file or --sparql TEXT".into())),
    };
    let version = factgraph_core::store::StoreDir::new(&project.store).require_current_version()?;
    let from = if args.from_store { ReadFrom::Store } else { ReadFrom::Index };
    let graph = Graph::open(&version, from)?;
    let prepared = query::prepare(&name, &text, &project.prefixes)?;
    let (results, explanation) = match args.explain {
        true => {
            let (results, explanation) = graph.explain(prepared);
            (results, Some(explanation))
        }
        false => (graph.execute(prepared), None),
    };
    let results = results.map_err(|e| query::query_error(&name, e.to_string()))?;
    query::write_results(results, format, &options, &mut out).and_then(|()| out.flush()).map_err(Error::stdout)?;
    if let Some(explanation) = explanation {
        let mut err = std::io::stderr().lock();
        explanation.write_in_json(&mut err).and_then(|()| writeln!(err)).map_err(Error::io("standard error"))?;
    }
    Ok(Outcome::Done)
}

/// Writes the answer the build kept for `question`, if it kept one: the
/// kept CSV or TSV file as it is when that is what is asked, else read back.
fn write_kept_answer(
    project: &factgraph_core::project::Project,
    question: &named::NamedQuery,
    format: ResultsFormat,
    options: &WriteOptions,
    out: &mut dyn std::io::Write,
) -> Result<bool, Error> {
    let Some(version) = factgraph_core::store::StoreDir::new(&project.store).current_version()? else {
        return Ok(false);
    };
    let Some(answer) = answers::kept_answer(&version.answers_folder(), question, &project.prefixes) else {
        return Ok(false);
    };
    let copy = |path: &Path, out: &mut dyn std::io::Write| -> Result<(), Error> {
        let mut file = std::fs::File::open(path).map_err(Error::io(path))?;
        std::io::copy(&mut file, out).map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::stdout(e),
            _ => Error::io(path)(e),
        })?;
        Ok(())
    };
    match (format, options.allow_formulas) {
        (ResultsFormat::Csv, false) => copy(&answer.csv, out)?,
        (ResultsFormat::Tsv, true) => copy(&answer.tsv, out)?,
        _ => query::write_results(answers::read_back(&answer)?, format, options, out).map_err(Error::stdout)?,
    }
    Ok(true)
}

impl From<ResultsFormatArg> for ResultsFormat {
    fn from(format: ResultsFormatArg) -> Self {
        match format {
            ResultsFormatArg::Table => Self::Table,
            ResultsFormatArg::Csv => Self::Csv,
            ResultsFormatArg::Tsv => Self::Tsv,
            ResultsFormatArg::Json => Self::Json,
            ResultsFormatArg::Xml => Self::Xml,
            ResultsFormatArg::Turtle => Self::Turtle,
            ResultsFormatArg::Ntriples => Self::NTriples,
        }
    }
}
