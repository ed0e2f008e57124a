//! MySQL and MariaDB, through the `mysql` crate's synchronous client
//! without TLS. The text protocol streams a result's rows from the socket
//! one at a time (`query_iter`), each value in the server's own output
//! form; a column's type and character set give its natural datatype.

use super::catalog::CatalogTable;
use super::database::{Query, Server};
use super::natural::{hex, SqlKind};
use super::{stream, RowSink};
use crate::source::{RecordSource, SourceError, Value};
use mysql::consts::ColumnType;
use mysql::prelude::Queryable;
use mysql::{Column, Conn, OptsBuilder};
use std::path::Path;
use std::time::Duration;

const DEFAULT_PORT: u16 = 3306;

/// The character set number MySQL gives binary strings (`VARBINARY`, `BLOB`).
const BINARY_CHARSET: u16 = 63;

pub(super) fn open(label: &Path, server: Server, query: &Query) -> Result<Box<dyn RecordSource>, SourceError> {
    let (label, sql) = (label.to_owned(), query.sql());
    stream(&label.clone(), move |sink| read(&label, &server, &sql, sink))
}

fn read(label: &Path, server: &Server, sql: &str, sink: &mut RowSink) -> Result<(), SourceError> {
    let error = |line: Option<u64>, problem: String| SourceError { file: label.to_owned(), line, problem };
    let mut connection = connect(server).map_err(|e| {
        error(None, format!("cannot connect to MySQL/MariaDB at {}: {}", server.label(DEFAULT_PORT), message(&e)))
    })?;
    sql_mode(&mut connection).map_err(|e| error(None, message(&e)))?;
    let mut result =
        connection.query_iter(sql).map_err(|e| error(None, format!("the query {sql:?} fails: {}", message(&e))))?;
    let columns: Vec<Column> = result.columns().as_ref().to_vec();
    let kinds: Vec<SqlKind> = columns.iter().map(kind_of).collect();
    sink.columns(columns.iter().map(|c| c.name_str().into_owned()).collect());
    let Some(rows) = result.iter() else { return Ok(()) };
    for (number, row) in (1..).zip(rows) {
        let row = row.map_err(|e| error(Some(number), format!("cannot read row {number}: {}", message(&e))))?;
        let fields = kinds
            .iter()
            .enumerate()
            .map(|(column, kind)| row.as_ref(column).and_then(|value| natural(value, *kind)).into_iter().collect())
            .collect();
        if !sink.row(number, fields) {
            break;
        }
    }
    Ok(())
}

/// The tables and views of the connection's database, with their columns'
/// kinds (from the columns a `SELECT *` of no row gives, as [`read`] takes
/// them) and their keys.
pub(super) fn catalog(label: &Path, server: &Server) -> Result<Vec<CatalogTable>, SourceError> {
    let error = |problem: String| SourceError { file: label.to_owned(), line: None, problem };
    let mut connection = connect(server).map_err(|e| {
        error(format!("cannot connect to MySQL/MariaDB at {}: {}", server.label(DEFAULT_PORT), message(&e)))
    })?;
    sql_mode(&mut connection).map_err(|e| error(message(&e)))?;
    let listed: Vec<(String, String)> = connection
        .query(
            "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME",
        )
        .map_err(|e| error(format!("cannot list the tables: {}", message(&e))))?;
    let mut tables = Vec::with_capacity(listed.len());
    for (name, kind) in listed {
        let mut table = CatalogTable {
            schema: None,
            name,
            is_view: kind.contains("VIEW"),
            columns: Vec::new(),
            primary_key: Vec::new(),
            unique_not_null: Vec::new(),
        };
        let sql = format!("SELECT * FROM {} LIMIT 0", table.sql_name());
        let result =
            connection.query_iter(&sql).map_err(|e| error(format!("the query {sql:?} fails: {}", message(&e))))?;
        table.columns = result.columns().as_ref().iter().map(|c| (c.name_str().into_owned(), kind_of(c))).collect();
        drop(result);
        let keys: Vec<(String, String, String)> = connection
            .exec(
                "SELECT s.INDEX_NAME, s.COLUMN_NAME, c.IS_NULLABLE FROM information_schema.STATISTICS s \
                 JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA \
                   AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME \
                 WHERE s.TABLE_SCHEMA = DATABASE() AND s.TABLE_NAME = ? AND s.NON_UNIQUE = 0 \
                 ORDER BY s.INDEX_NAME, s.SEQ_IN_INDEX",
                (&table.name,),
            )
            .map_err(|e| error(format!("cannot read the keys of {}: {}", table.sql_name(), message(&e))))?;
        let mut indexes: Vec<(String, Vec<(String, bool)>)> = Vec::new();
        for (index, column, nullable) in keys {
            let entry = (column, nullable == "NO");
            match indexes.iter_mut().find(|(name, _)| *name == index) {
                Some((_, columns)) => columns.push(entry),
                None => indexes.push((index, vec![entry])),
            }
        }
        for (index, columns) in indexes {
            if index == "PRIMARY" {
                table.primary_key = columns.into_iter().map(|(column, _)| column).collect();
            } else if let [(column, true)] = columns.as_slice() {
                table.unique_not_null.push(column.clone());
            }
        }
        tables.push(table);
    }
    Ok(tables)
}

fn connect(server: &Server) -> Result<Conn, mysql::Error> {
    let options = OptsBuilder::new()
        .ip_or_hostname(Some(server.host.clone()))
        .tcp_port(server.port.unwrap_or(DEFAULT_PORT))
        .db_name(Some(server.database.clone()).filter(|d| !d.is_empty()))
        .user(server.user.clone())
        .pass(server.password.clone().filter(|p| !p.is_empty()))
        .prefer_socket(false)
        .tcp_connect_timeout(Some(Duration::from_secs(30)));
    Conn::new(options)
}

/// SQL as R2RML reads it (Core SQL 2008): `"Name"` is an identifier, not a
/// string, and a `CHAR(n)` value keeps its padding. MySQL 8.4 dropped the
/// padding mode; there the padding is lost.
fn sql_mode(connection: &mut Conn) -> Result<(), mysql::Error> {
    let standard = "SET SESSION sql_mode = CONCAT_WS(',', @@sql_mode, 'ANSI_QUOTES', 'PAD_CHAR_TO_FULL_LENGTH')";
    connection
        .query_drop(standard)
        .or_else(|_| connection.query_drop("SET SESSION sql_mode = CONCAT_WS(',', @@sql_mode, 'ANSI_QUOTES')"))
}

/// The server's message for a failed statement, else the client's.
fn message(error: &mysql::Error) -> String {
    match error {
        mysql::Error::MySqlError(e) => e.message.clone(),
        other => other.to_string(),
    }
}

/// A column's natural kind from its type as the protocol gives it.
/// `TINYINT(1)` is how MySQL stores `BOOLEAN`.
fn kind_of(column: &Column) -> SqlKind {
    use ColumnType::*;
    match column.column_type() {
        MYSQL_TYPE_TINY if column.column_length() == 1 => SqlKind::Boolean,
        MYSQL_TYPE_TINY | MYSQL_TYPE_SHORT | MYSQL_TYPE_LONG | MYSQL_TYPE_LONGLONG | MYSQL_TYPE_INT24
        | MYSQL_TYPE_YEAR => SqlKind::Integer,
        MYSQL_TYPE_DECIMAL | MYSQL_TYPE_NEWDECIMAL => SqlKind::Decimal,
        MYSQL_TYPE_FLOAT | MYSQL_TYPE_DOUBLE => SqlKind::Double,
        MYSQL_TYPE_DATE | MYSQL_TYPE_NEWDATE => SqlKind::Date,
        MYSQL_TYPE_TIME | MYSQL_TYPE_TIME2 => SqlKind::Time,
        MYSQL_TYPE_DATETIME | MYSQL_TYPE_DATETIME2 | MYSQL_TYPE_TIMESTAMP | MYSQL_TYPE_TIMESTAMP2 => SqlKind::DateTime,
        MYSQL_TYPE_BIT => SqlKind::Binary,
        MYSQL_TYPE_STRING
        | MYSQL_TYPE_VAR_STRING
        | MYSQL_TYPE_VARCHAR
        | MYSQL_TYPE_BLOB
        | MYSQL_TYPE_TINY_BLOB
        | MYSQL_TYPE_MEDIUM_BLOB
        | MYSQL_TYPE_LONG_BLOB
            if column.character_set() == BINARY_CHARSET =>
        {
            SqlKind::Binary
        }
        _ => SqlKind::Text,
    }
}

/// A value of the text protocol as R2RML's natural literal; `None` for NULL.
fn natural(value: &mysql::Value, kind: SqlKind) -> Option<Value> {
    match value {
        mysql::Value::NULL => None,
        mysql::Value::Bytes(bytes) if kind == SqlKind::Binary => Some(kind.value(&hex(bytes))),
        mysql::Value::Bytes(bytes) => Some(kind.value(&String::from_utf8_lossy(bytes))),
        // The text protocol gives bytes; other values come only from the
        // binary protocol, which is not used here.
        other => Some(kind.value(other.as_sql(true).trim_matches('\''))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_values_are_hexadecimal_and_booleans_words() {
        let bytes = |b: &[u8]| mysql::Value::Bytes(b.to_vec());
        assert_eq!(natural(&bytes(&[0x89, 0x50]), SqlKind::Binary).unwrap().text, "8950");
        assert_eq!(natural(&bytes(b"0"), SqlKind::Boolean).unwrap().text, "false");
        assert_eq!(natural(&mysql::Value::NULL, SqlKind::Text), None);
    }

    #[test]
    fn a_server_that_is_not_there_fails_the_open_naming_it() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server =
            Server { host: "127.0.0.1".into(), port: Some(port), database: "facts".into(), ..Server::default() };
        let error = open(Path::new("db:t"), server, &Query::Sql("SELECT 1".into())).err().unwrap();
        assert!(
            error.problem.starts_with(&format!("cannot connect to MySQL/MariaDB at 127.0.0.1:{port}/facts: ")),
            "{error}"
        );
    }
}
