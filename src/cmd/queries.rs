//! `factgraph queries`: list the named questions.

use super::Outcome;
use factgraph_core::query::named;
use factgraph_core::Error;
use std::io::Write;
use std::path::Path;

/// List the named questions in queries/ with their titles.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also print each question's description.
    #[arg(long, short)]
    long: bool,
}

pub fn run(args: Args, config: Option<&Path>) -> Result<Outcome, Error> {
    let project = super::load_project(config, None)?;
    let questions = named::list(&project.queries)?;
    let width = questions.iter().map(|q| q.name.len()).max().unwrap_or(0);
    let mut out = super::stdout();
    let written: std::io::Result<()> = questions.iter().try_for_each(|question| {
        writeln!(out, "{:width$}  {}", question.name, question.title)?;
        if args.long && !question.description.is_empty() {
            writeln!(out, "{:width$}  {}", "", question.description)?;
        }
        Ok(())
    });
    written.and_then(|()| out.flush()).map_err(Error::stdout)?;
    Ok(Outcome::Done)
}
