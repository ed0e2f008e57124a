//! `factgraph init`: a working project from a researcher's own tables.

use super::Outcome;
use factgraph_core::problem::ProblemKind;
use factgraph_core::Error;
use factgraph_init::{init, InitError};
use std::path::PathBuf;

/// Start a project from your own tables: writes factgraph.toml, a copy of
/// the data files, a YARRRML mapping per table (subjects from an identifier
/// column, else the row number; a property per column, typed from its
/// values or its database type), an ontology and shapes with those classes and properties, an
/// example question per table and a README saying what to edit next.
/// `factgraph build` then works at once in DIR.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The folder to write the project into; it must be absent or empty.
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The tables to start from: CSV files, folders of CSV files,
    /// spreadsheets (.xlsx, .xls, .ods: every sheet), SQLite files (every
    /// table), a database server's address (postgresql://USER@HOST:PORT/DB,
    /// mysql://…, mariadb://…: every table and view the user may read; the
    /// password from FACTGRAPH_DATABASE_PASSWORD, never written into the
    /// project). Give --from more than once for several.
    #[arg(long = "from", value_name = "FILE|URL", required = true, num_args = 1..)]
    from: Vec<String>,
}

pub fn run(args: Args) -> Result<Outcome, Error> {
    let summary = init(&args.dir, &args.from).map_err(library_error)?;
    for table in &summary.tables {
        let identifier = match &table.identifier {
            Some(column) => format!("identified by {column}"),
            None if matches!(table.origin, factgraph_init::Origin::Sheet { .. }) => {
                "identified by row position".to_owned()
            }
            None => "identified by row number".to_owned(),
        };
        println!("{}: {} rows, {} columns, {identifier}", table.name, table.rows, table.columns.len());
    }
    let dir = summary.dir.display();
    println!("wrote {dir}: next, `cd {dir} && factgraph build`, then read {dir}/README.md");
    Ok(Outcome::Done)
}

/// init's error as the library's, which decides the exit code: an input
/// that cannot be read is the user's to fix (1), a folder that is not
/// empty or no input an argument at fault (2).
fn library_error(error: InitError) -> Error {
    match error {
        InitError::NotEmpty(_) | InitError::NoInput => Error::Usage(error.to_string()),
        InitError::Input { input, problem } => Error::input(ProblemKind::Config, input, problem),
        InitError::Source(error) => Error::Source(error),
        InitError::Io { path, source } => Error::Io { path, source },
    }
}
