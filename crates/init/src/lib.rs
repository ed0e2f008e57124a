//! `factgraph init DIR --from FILE...`: a working project from a
//! researcher's own tables, the first thing someone with a spreadsheet or a
//! folder of CSV files needs.
//!
//! The crate stands before the flow: it reads each table through the RML
//! engine's own sources ([`factgraph_rml::source`]), so that the columns and
//! the values' datatypes it sees are the ones a build will see, and writes
//! the files a project is made of:
//!
//! - `factgraph.toml`, with a namespace of the project's own;
//! - `data/`, a copy of each file read (the project is whole by itself; a
//!   database server's tables stay where they are, and factgraph.toml
//!   names the database's user, never its password);
//! - `mappings/TABLE.yml`, one YARRRML mapping per table: subjects from an
//!   identifier column where one is found (a database's primary key first,
//!   else [`infer::identifier`]), else from the row number; one property
//!   per column, with the datatype its values have ([`infer::Kind`]) or
//!   its database type; a sheet without an identifier column is mapped in
//!   RML instead (`mappings/SHEET.ttl`), through a logical view whose
//!   index `#` names its rows;
//! - `ontology/ontology.ttl` (a class per table, a property per column) and
//!   `ontology/shapes.ttl` (what `check` holds the data to);
//! - `queries/TABLE.rq`, one example question;
//! - `README.md`, what to edit next.
//!
//! Nothing is written unless every table could be read, and `DIR` must be
//! absent or empty: init never overwrites a researcher's files.
//!
//! ```
//! # let dir = tempfile::tempdir().unwrap();
//! let csv = dir.path().join("offerings.csv");
//! std::fs::write(&csv, "id,service,since\no1,Azure,2014-03-26\no2,AWS,2016-08-01\n").unwrap();
//! let project = dir.path().join("project");
//! let summary = factgraph_init::init(&project, &[csv.display().to_string()])?;
//! assert_eq!(summary.tables[0].name, "offerings");
//! assert_eq!(summary.tables[0].identifier.as_deref(), Some("id"));
//! assert!(project.join("mappings/offerings.yml").is_file());
//! # Ok::<_, factgraph_init::InitError>(())
//! ```

mod error;
pub mod infer;
mod inputs;
pub mod names;
mod write;

pub use error::InitError;
pub use inputs::{Database, Origin, Table};

use std::path::{Path, PathBuf};

/// What init wrote: the tables it found, and the folder.
#[derive(Debug)]
pub struct Summary {
    pub dir: PathBuf,
    pub tables: Vec<Table>,
}

/// Writes a project into `dir` (absent or empty) from `inputs`: CSV files,
/// folders of them, spreadsheets, SQLite files (`.sqlite`, `.sqlite3`,
/// `.db`), database servers' addresses (`postgresql://…`, `mysql://…`,
/// `mariadb://…`).
pub fn init(dir: &Path, inputs: &[String]) -> Result<Summary, InitError> {
    if dir.exists() && std::fs::read_dir(dir).map_err(InitError::io(dir))?.next().is_some() {
        return Err(InitError::NotEmpty(dir.to_owned()));
    }
    if inputs.is_empty() {
        return Err(InitError::NoInput);
    }
    let mut tables = Vec::new();
    for input in inputs {
        tables.extend(inputs::tables(input)?);
    }
    inputs::make_unique(&mut tables);
    write::project(dir, &tables)?;
    Ok(Summary { dir: dir.to_owned(), tables })
}
