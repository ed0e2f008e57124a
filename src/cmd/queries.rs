//! `factgraph queries`: list the named questions.

use factgraph_core::query::named;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// List the named questions in queries/ with their titles.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also print each question's description.
    #[arg(long, short)]
    long: bool,
}

pub fn run(args: Args, config: Option<&Path>) -> anyhow::Result<ExitCode> {
    let project = super::load_project(config, None)?;
    let questions = named::list(&project.queries)?;
    let width = questions.iter().map(|q| q.name.len()).max().unwrap_or(0);
    let mut out = super::stdout();
    for question in &questions {
        writeln!(out, "{:width$}  {}", question.name, question.title)?;
        if args.long && !question.description.is_empty() {
            writeln!(out, "{:width$}  {}", "", question.description)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
