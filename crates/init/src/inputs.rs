//! The tables an input holds, read through the engine's sources.

use crate::infer::{self, ColumnStats, Kind};
use crate::names;
use crate::InitError;
use factgraph_rml::source::table::catalog::CatalogTable;
use factgraph_rml::source::table::database::{Connection, Query, Selection, System};
use factgraph_rml::source::table::sheet::{self, Sheet};
use factgraph_rml::source::{self, Description, Format, Record, RecordSource};
use std::path::{Path, PathBuf};

/// A table found in an input, and what was learnt of its columns.
#[derive(Debug, Clone)]
pub struct Table {
    /// The name of its mapping, class and query file, unique in the project.
    pub name: String,
    pub origin: Origin,
    pub columns: Vec<Column>,
    /// The column whose values name the rows; `None`: the row number does.
    pub identifier: Option<String>,
    pub rows: u64,
}

/// Where a table's rows are, as the project will read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A CSV file, copied to `data/`.
    Csv { file: PathBuf },
    /// A table of a SQLite file, copied to `data/`.
    Sqlite { file: PathBuf, table: String },
    /// A sheet of a spreadsheet, copied to `data/`.
    Sheet { file: PathBuf, sheet: String },
    /// A table or view of a database server, read where it is.
    Database {
        database: Database,
        /// Its name as SQL writes it: `"offering"`, `"sales"."offering"`.
        table: String,
        /// The columns of its primary key; empty: it has none. Without an
        /// identifier column, its rows are numbered in their order (else
        /// in the order of every column's text).
        primary_key: Vec<String>,
    },
}

/// A database server as the project names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Database {
    /// Its address without user or password, as the mappings and
    /// factgraph.toml write it: `jdbc:postgresql://host:5432/facts`.
    pub dsn: String,
    /// The YARRRML source type: `postgresql` or `mysql`.
    pub system: &'static str,
    /// Who init logged in as, if the address or environment said.
    pub user: Option<String>,
    /// init logged in with a password, so a build needs one too.
    pub password: bool,
    /// How messages name it: `host:port/database`.
    pub label: String,
}

impl Origin {
    /// The file the project copies into `data/`; `None` for a database,
    /// which stays where it is.
    pub fn file(&self) -> Option<&Path> {
        match self {
            Self::Csv { file } | Self::Sqlite { file, .. } | Self::Sheet { file, .. } => Some(file),
            Self::Database { .. } => None,
        }
    }

    /// Where the rows are, for the comments of the files init writes.
    pub fn describe(&self) -> String {
        match self {
            Self::Csv { file } => file.display().to_string(),
            Self::Sqlite { file, table } => format!("table {table} of {}", file.display()),
            Self::Sheet { file, sheet } => format!("sheet {sheet} of {}", file.display()),
            Self::Database { database, table, .. } => format!("{table} of the database {}", database.label),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    /// As the table names it.
    pub name: String,
    /// The property's local name, unique in its table.
    pub property: String,
    pub kind: Kind,
}

/// How many rows are read to learn a column's kind and whether it
/// identifies its rows; a table's other rows are mapped all the same.
const ROWS_READ: usize = 200_000;

/// The tables of one `--from` argument.
pub(crate) fn tables(input: &str) -> Result<Vec<Table>, InitError> {
    if let Some(system) = database_system(input) {
        return database(input, system);
    }
    let path = Path::new(input);
    if path.is_dir() {
        return folder(input, path);
    }
    if !path.is_file() {
        return Err(InitError::input(input, "no such file or folder"));
    }
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "csv" | "tsv" => Ok(vec![csv(path)?]),
        "sqlite" | "sqlite3" | "db" => sqlite(input, path),
        _ if sheet::is_spreadsheet(path) => sheets(input, path),
        other => Err(InitError::input(
            input,
            format!(
                "init reads CSV files (.csv, .tsv), folders of them, spreadsheets (.{}) and SQLite files \
                 (.sqlite, .sqlite3, .db), or a database's address (postgresql://USER@HOST:PORT/DATABASE, \
                 mysql://…, mariadb://…), not .{other}",
                sheet::EXTENSIONS.join(", .")
            ),
        )),
    }
}

fn folder(input: &str, dir: &Path) -> Result<Vec<Table>, InitError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(InitError::io(dir))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv")))
        .collect();
    if files.is_empty() {
        return Err(InitError::input(input, "the folder has no CSV files (.csv, .tsv)"));
    }
    files.sort();
    files.iter().map(|file| csv(file)).collect()
}

fn csv(file: &Path) -> Result<Table, InitError> {
    let tab = file.extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let format = Format::Csv { delimiter: if tab { b'\t' } else { b',' } };
    let name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let reader = source::open(&Description::file(file, format))?;
    learn(&name, Origin::Csv { file: file.to_owned() }, reader)
}

fn sqlite(input: &str, file: &Path) -> Result<Vec<Table>, InitError> {
    let error = |e: rusqlite::Error| InitError::input(input, format!("cannot read it as SQLite: {e}"));
    let connection =
        rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(error)?;
    let mut statement = connection
        .prepare(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .map_err(error)?;
    let names: Vec<String> =
        statement.query_map([], |row| row.get(0)).map_err(error)?.collect::<Result<_, _>>().map_err(error)?;
    if names.is_empty() {
        return Err(InitError::input(input, "the SQLite file has no tables"));
    }
    let absolute = std::path::absolute(file).map_err(InitError::io(file))?;
    names
        .into_iter()
        .map(|table| {
            let selection = Selection {
                connection: Connection {
                    dsn: format!("jdbc:sqlite:{}", absolute.display()),
                    user: None,
                    password: None,
                    driver: None,
                },
                query: Query::Table(format!("\"{}\"", table.replace('"', "\"\""))),
            };
            let label = format!("{}:{table}", file.display());
            let reader = source::open(&Description::table(label, source::table::Table::Database(Box::new(selection))))?;
            learn(&table, Origin::Sqlite { file: file.to_owned(), table: table.clone() }, reader)
        })
        .collect()
}

/// The URL schemes of the database servers init reads, and the YARRRML
/// source type of each.
const DATABASE_SCHEMES: [(&str, &str); 4] =
    [("postgresql", "postgresql"), ("postgres", "postgresql"), ("mysql", "mysql"), ("mariadb", "mysql")];

/// The YARRRML source type of a database address (`postgresql://…`,
/// `jdbc:mysql://…`); `None` for anything else.
fn database_system(input: &str) -> Option<&'static str> {
    let address = input.strip_prefix("jdbc:").unwrap_or(input);
    let (scheme, _) = address.split_once("://")?;
    DATABASE_SCHEMES.iter().find(|(s, _)| s.eq_ignore_ascii_case(scheme)).map(|(_, system)| *system)
}

/// Every table and view of a database server that its user may read.
/// Columns take their kinds from the server's types (R2RML's natural
/// datatypes, as a build reads them); rows are identified by the primary
/// key, else a unique column that cannot be NULL, else a column whose
/// values identify them, else their number in a fixed order.
fn database(input: &str, system: &'static str) -> Result<Vec<Table>, InitError> {
    let address = input.strip_prefix("jdbc:").unwrap_or(input);
    let connection = Connection { dsn: format!("jdbc:{address}"), ..Connection::default() };
    let label = connection.label();
    let server = match connection.system() {
        Ok(System::Postgres(server) | System::Mysql(server)) => server,
        Ok(System::Sqlite(_)) => unreachable!("database_system names servers only"),
        Err(problem) => return Err(InitError::input(&label, problem)),
    };
    if server.database.is_empty() {
        return Err(InitError::input(&label, "name the database after the host: postgresql://USER@HOST:PORT/DATABASE"));
    }
    let (scheme, _) = address.split_once("://").unwrap_or_default();
    let port = server.port.unwrap_or(if system == "postgresql" { 5432 } else { 3306 });
    let host = if server.host.contains(':') { format!("[{}]", server.host) } else { server.host.clone() };
    let scheme = if scheme.eq_ignore_ascii_case("postgres") { "postgresql" } else { scheme };
    let database = Database {
        dsn: format!("jdbc:{}://{host}:{port}/{}", scheme.to_ascii_lowercase(), server.database),
        system,
        user: server.user.clone(),
        password: server.password.as_deref().is_some_and(|p| !p.is_empty()),
        label: label.clone(),
    };
    let catalog = factgraph_rml::source::table::catalog_tables(&connection)?;
    if catalog.is_empty() {
        let user = server.user.as_deref().unwrap_or("the default user");
        return Err(InitError::input(&label, format!("the database has no table or view that {user} may read")));
    }
    catalog.into_iter().map(|table| database_table(&connection, &database, table)).collect()
}

fn database_table(connection: &Connection, database: &Database, table: CatalogTable) -> Result<Table, InitError> {
    let selection = Selection { connection: connection.clone(), query: Query::Table(table.sql_name()) };
    let label = format!("{}:{}", database.label, table.sql_name());
    let reader = source::open(&Description::table(label, source::table::Table::Database(Box::new(selection))))?;
    let name = match &table.schema {
        Some(schema) => format!("{schema}_{}", table.name),
        None => table.name.clone(),
    };
    let origin = Origin::Database {
        database: database.clone(),
        table: table.sql_name(),
        primary_key: table.primary_key.clone(),
    };
    let mut learnt = learn(&name, origin, reader)?;
    for column in &mut learnt.columns {
        if let Some((_, kind)) = table.columns.iter().find(|(name, _)| *name == column.name) {
            column.kind = kind.datatype().map_or(Kind::Text, Kind::of_datatype);
        }
    }
    let key = match table.primary_key.as_slice() {
        [column] => Some(column.clone()),
        _ => table.unique_not_null.first().cloned(),
    };
    learnt.identifier = key.or(learnt.identifier);
    Ok(learnt)
}

/// Every sheet of a workbook that has a header row; empty sheets (a
/// workbook's unused "Sheet2") are passed over.
fn sheets(input: &str, file: &Path) -> Result<Vec<Table>, InitError> {
    use calamine::Reader;
    let mut workbook = calamine::open_workbook_auto(file)
        .map_err(|e| InitError::input(input, format!("cannot read it as a spreadsheet: {e}")))?;
    let mut tables = Vec::new();
    for name in workbook.sheet_names() {
        let empty = workbook.worksheet_range(&name).map_or(true, |range| range.used_cells().next().is_none());
        if empty {
            continue;
        }
        let sheet = Sheet { file: file.to_owned(), name: Some(name.clone()) };
        let reader = source::open(&Description::table(sheet::label(&sheet), source::table::Table::Sheet(sheet)))?;
        tables.push(learn(&name, Origin::Sheet { file: file.to_owned(), sheet: name.clone() }, reader)?);
    }
    if tables.is_empty() {
        return Err(InitError::input(input, "the spreadsheet has no sheet with a header row"));
    }
    Ok(tables)
}

/// Reads a table's first rows and learns its columns.
fn learn(name: &str, origin: Origin, mut reader: Box<dyn RecordSource>) -> Result<Table, InitError> {
    let names: Vec<String> = reader.fields().to_vec();
    let mut stats = vec![ColumnStats::default(); names.len()];
    let mut rows = 0;
    while (rows as usize) < ROWS_READ {
        let batch = reader.next_batch(4096)?;
        if batch.is_empty() {
            break;
        }
        for row in &batch {
            rows += 1;
            for (column, stats) in stats.iter_mut().enumerate() {
                match &row.record {
                    Record::Csv(cells) => stats.add(&source::Value::plain(cells.get(column).unwrap_or(""))),
                    Record::Fields(fields) => fields[column].iter().for_each(|value| stats.add(value)),
                    _ => {}
                }
            }
        }
    }
    let identifier = infer::identifier(name, &names, &stats, rows).map(|i| names[i].clone());
    let mut columns: Vec<Column> = Vec::new();
    for (name, stats) in names.iter().zip(&stats) {
        let mut property = names::property(name);
        let base = property.clone();
        let mut n = 1;
        while columns.iter().any(|c| c.property == property) {
            n += 1;
            property = format!("{base}{n}");
        }
        columns.push(Column { name: name.clone(), property, kind: stats.kind() });
    }
    Ok(Table { name: names::slug(name), origin, columns, identifier, rows })
}

/// Gives tables that share a name (two files `offerings.csv`) distinct
/// ones, `offerings` and `offerings-2`, and so distinct classes.
pub(crate) fn make_unique(tables: &mut [Table]) {
    let mut seen = std::collections::HashSet::new();
    for table in tables {
        let base = table.name.clone();
        let mut n = 1;
        while !seen.insert(table.name.clone()) {
            n += 1;
            table.name = format!("{base}-{n}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_addresses_are_told_from_files() {
        assert_eq!(database_system("postgresql://ann@db.example.org:5433/facts"), Some("postgresql"));
        assert_eq!(database_system("postgres://localhost/facts"), Some("postgresql"));
        assert_eq!(database_system("jdbc:mysql://localhost/facts"), Some("mysql"));
        assert_eq!(database_system("MariaDB://localhost/facts"), Some("mysql"));
        assert_eq!(database_system("facts.sqlite"), None);
        assert_eq!(database_system("https://example.org/facts.csv"), None);
    }

    #[test]
    fn a_server_that_cannot_be_reached_is_named_without_its_password() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let error = tables(&format!("postgresql://ann:s3cret@127.0.0.1:{port}/facts")).unwrap_err().to_string();
        assert!(error.contains(&format!("cannot connect to PostgreSQL at 127.0.0.1:{port}/facts")), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
        let error = tables("mysql://ann:s3cret@127.0.0.1").unwrap_err().to_string();
        assert!(error.contains("name the database") && !error.contains("s3cret"), "{error}");
    }
}
