//! Relational databases as RML and R2RML describe them: a table or a query
//! (`rr:tableName`, `rr:sqlQuery`, `rml:query`, RML-IO's `rml:SQL2008Table`
//! and `rml:SQL2008Query`) over a connection that a D2RQ database
//! description names (`d2rq:jdbcDSN`, `d2rq:username`, `d2rq:password`).

use super::super::SourceError;
use crate::source::RecordSource;
use std::fmt;
use std::path::{Path, PathBuf};

/// Which rows of which database: a logical table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Selection {
    pub connection: Connection,
    pub query: Query,
}

/// A table by name, or the rows of a query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// A table or view, named as SQL names it (`student`, `"Student"`,
    /// `public.student`): used in the query as it is written.
    Table(String),
    /// An SQL query, sent as it is written.
    Sql(String),
}

impl Query {
    /// The SQL that gives the rows.
    pub fn sql(&self) -> String {
        match self {
            Self::Table(name) => format!("SELECT * FROM {name}"),
            Self::Sql(sql) => sql.trim().trim_end_matches(';').to_owned(),
        }
    }

    /// How messages name the rows: the table, or "query".
    pub fn label(&self) -> &str {
        match self {
            Self::Table(name) => name.trim_matches('"'),
            Self::Sql(_) => "query",
        }
    }
}

/// How to reach a database: a JDBC-style address (`jdbc:sqlite:facts.db`,
/// `jdbc:postgresql://host:5432/db`, `jdbc:mysql://host/db`), a user and a
/// password. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Connection {
    pub dsn: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("dsn", &self.dsn)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

/// The database systems factgraph reads, told apart by the address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum System {
    /// A SQLite file, by path.
    Sqlite(PathBuf),
}

impl Connection {
    /// The system and where it is, from the address; an address of another
    /// system is an error naming the ones supported.
    pub fn system(&self) -> Result<System, String> {
        let dsn = self.dsn.strip_prefix("jdbc:").unwrap_or(&self.dsn);
        if let Some(path) = dsn.strip_prefix("sqlite:") {
            return Ok(System::Sqlite(PathBuf::from(path.strip_prefix("//").unwrap_or(path))));
        }
        Err(format!("the database address {:?} names no system factgraph reads; use jdbc:sqlite:PATH", self.dsn))
    }

    /// How messages name the database: the address without a password.
    pub fn label(&self) -> String {
        match self.system() {
            Ok(System::Sqlite(path)) => path.display().to_string(),
            Err(_) => self.dsn.clone(),
        }
    }
}

/// The name a logical table's rows are reported under: `DATABASE:TABLE`.
pub fn label(selection: &Selection) -> PathBuf {
    PathBuf::from(format!("{}:{}", selection.connection.label(), selection.query.label()))
}

/// Opens the rows `selection` names, streamed from the database.
pub fn open(path: &Path, selection: &Selection) -> Result<Box<dyn RecordSource>, SourceError> {
    let error = |problem: String| SourceError { file: path.to_owned(), line: None, problem };
    match selection.connection.system().map_err(error)? {
        System::Sqlite(file) => super::sqlite::open(path, &file, &selection.query.sql()),
    }
}
