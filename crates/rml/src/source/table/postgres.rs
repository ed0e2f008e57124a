//! PostgreSQL, through the `postgres` crate's synchronous client without
//! TLS. Rows come through `COPY (query) TO STDOUT` in the text format: the
//! server streams them as fast as it reads them, in its own output forms
//! (the ones R2RML's natural literals start from), and memory stays bounded
//! by the batches of [`stream`]. The column types come from preparing the
//! query first.

use super::catalog::CatalogTable;
use super::database::Server;
use super::natural::SqlKind;
use super::{stream, RowSink};
use crate::source::{RecordSource, SourceError, Value};
use postgres::{Client, Config, NoTls};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::time::Duration;

const DEFAULT_PORT: u16 = 5432;

/// Output forms that do not depend on the server's or the user's settings:
/// ISO dates, timestamps in UTC, the shortest exact doubles, bytea in hex.
/// A large table is read from its first row, not from where another scan
/// happens to be (synchronized scans), so that a rebuild over the same
/// table gives its quads in the same order.
const SESSION: &str = "SET DateStyle TO ISO; SET IntervalStyle TO iso_8601; SET extra_float_digits TO 1; \
                       SET bytea_output TO hex; SET TimeZone TO 'UTC'; SET client_encoding TO 'UTF8'; \
                       SET synchronize_seqscans TO off";

pub(super) fn open(label: &Path, server: Server, sql: String) -> Result<Box<dyn RecordSource>, SourceError> {
    let label = label.to_owned();
    stream(&label.clone(), move |sink| read(&label, &server, &sql, sink))
}

fn read(label: &Path, server: &Server, sql: &str, sink: &mut RowSink) -> Result<(), SourceError> {
    let error = |line: Option<u64>, problem: String| SourceError { file: label.to_owned(), line, problem };
    let mut client = connect(server).map_err(|e| {
        error(None, format!("cannot connect to PostgreSQL at {}: {}", server.label(DEFAULT_PORT), message(&e)))
    })?;
    client.batch_execute(SESSION).map_err(|e| error(None, message(&e)))?;
    let statement =
        client.prepare(sql).map_err(|e| error(None, format!("the query {sql:?} fails: {}", message(&e))))?;
    let kinds: Vec<SqlKind> = statement.columns().iter().map(|c| SqlKind::of_type_name(c.type_().name())).collect();
    sink.columns(statement.columns().iter().map(|c| c.name().to_owned()).collect());
    let copy = client
        .copy_out(&format!("COPY ({sql}) TO STDOUT"))
        .map_err(|e| error(None, format!("the query {sql:?} fails: {}", message(&e))))?;
    let mut reader = BufReader::with_capacity(1 << 16, copy);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| error(Some(number + 1), format!("cannot read row {}: {e}", number + 1)))?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        let text = std::str::from_utf8(&line)
            .map_err(|_| error(Some(number), "the row is not UTF-8 though the session asked for it".into()))?;
        let fields = text.split('\t').zip(&kinds).map(|(field, kind)| natural(field, *kind).into_iter().collect());
        if !sink.row(number, fields.collect()) {
            return Ok(());
        }
    }
}

/// The tables and views of the schemas in the user's search path that the
/// user may select from, with their columns' kinds (from the types a
/// prepared `SELECT *` gives, as [`read`] takes them) and their keys.
pub(super) fn catalog(label: &Path, server: &Server) -> Result<Vec<CatalogTable>, SourceError> {
    let error = |problem: String| SourceError { file: label.to_owned(), line: None, problem };
    let mut client = connect(server).map_err(|e| {
        error(format!("cannot connect to PostgreSQL at {}: {}", server.label(DEFAULT_PORT), message(&e)))
    })?;
    client.batch_execute(SESSION).map_err(|e| error(message(&e)))?;
    let listed = client
        .query(
            "SELECT c.oid::int8, n.nspname::text, c.relname::text, c.relkind IN ('v', 'm'), \
                    n.nspname = current_schema() \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = ANY (current_schemas(false)) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
               AND NOT c.relispartition AND has_table_privilege(c.oid, 'SELECT') \
             ORDER BY array_position(current_schemas(false), n.nspname), c.relname",
            &[],
        )
        .map_err(|e| error(format!("cannot list the tables: {}", message(&e))))?;
    let mut tables = Vec::with_capacity(listed.len());
    for row in listed {
        let (oid, schema, name, current): (i64, String, String, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(4));
        let mut table = CatalogTable {
            schema: (!current).then_some(schema),
            name,
            is_view: row.get(3),
            columns: Vec::new(),
            primary_key: Vec::new(),
            unique_not_null: Vec::new(),
        };
        let sql = format!("SELECT * FROM {}", table.sql_name());
        let statement = client.prepare(&sql).map_err(|e| error(format!("the query {sql:?} fails: {}", message(&e))))?;
        table.columns = statement
            .columns()
            .iter()
            .map(|c| (c.name().to_owned(), SqlKind::of_type_name(c.type_().name())))
            .collect();
        let keys = client
            .query(
                "SELECT i.indisprimary, array_agg(a.attname::text ORDER BY k.position), bool_and(a.attnotnull) \
                 FROM pg_index i \
                 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position) \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
                 WHERE i.indrelid = $1::int8::oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL \
                 GROUP BY i.indexrelid, i.indisprimary ORDER BY i.indexrelid",
                &[&oid],
            )
            .map_err(|e| error(format!("cannot read the keys of {}: {}", table.sql_name(), message(&e))))?;
        for key in keys {
            let (primary, columns, not_null): (bool, Vec<String>, bool) = (key.get(0), key.get(1), key.get(2));
            if primary {
                table.primary_key = columns;
            } else if let ([column], true) = (columns.as_slice(), not_null) {
                table.unique_not_null.push(column.clone());
            }
        }
        tables.push(table);
    }
    Ok(tables)
}

fn connect(server: &Server) -> Result<Client, postgres::Error> {
    let mut config = Config::new();
    config
        .host(&server.host)
        .port(server.port.unwrap_or(DEFAULT_PORT))
        .dbname(&server.database)
        .user(server.user.as_deref().unwrap_or("postgres"))
        .application_name("factgraph")
        .connect_timeout(Duration::from_secs(30));
    if let Some(password) = server.password.as_deref().filter(|p| !p.is_empty()) {
        config.password(password);
    }
    config.connect(NoTls)
}

/// The server's message for a failed statement, else the client's.
fn message(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => {
            let mut text = error.to_string();
            if let Some(cause) = std::error::Error::source(error) {
                if !text.contains(&cause.to_string()) {
                    text = format!("{text}: {cause}");
                }
            }
            text
        }
    }
}

/// One field of COPY's text format as R2RML's natural literal; `None` for
/// NULL (`\N`).
fn natural(field: &str, kind: SqlKind) -> Option<Value> {
    if field == "\\N" {
        return None;
    }
    let text = unescape(field);
    Some(match kind {
        SqlKind::Binary => {
            Value { text: text.trim_start_matches("\\x").to_ascii_uppercase(), datatype: kind.datatype() }
        }
        SqlKind::DateTime | SqlKind::Time => kind.value(&with_minutes_in_offset(&text)),
        _ => kind.value(&text),
    })
}

/// COPY's backslash escapes undone (`\\`, `\t`, `\n`, `\r`, octal…).
fn unescape(field: &str) -> String {
    if !field.contains('\\') {
        return field.to_owned();
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('v') => out.push('\u{b}'),
            Some(d @ '0'..='7') => {
                let mut code = d.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(digit) => {
                            code = code * 8 + digit;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// PostgreSQL writes a UTC offset as `+00` where XML Schema asks for `+00:00`.
fn with_minutes_in_offset(text: &str) -> String {
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n > 3
        && matches!(bytes[n - 3], b'+' | b'-')
        && bytes[n - 2..].iter().all(u8::is_ascii_digit)
        && text[..n - 3].contains(':')
    {
        format!("{text}:00")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::xsd;

    #[test]
    fn copy_fields_become_natural_literals() {
        assert_eq!(natural("\\N", SqlKind::Text), None);
        assert_eq!(natural("a\\tb\\\\c", SqlKind::Text), Some(Value::plain("a\tb\\c")));
        let typed = |text: &str, kind| natural(text, kind).map(|v| (v.text, v.datatype));
        assert_eq!(typed("\\\\x0aff", SqlKind::Binary), Some(("0AFF".into(), Some(xsd::HEX_BINARY))));
        assert_eq!(typed("t", SqlKind::Boolean), Some(("true".into(), Some(xsd::BOOLEAN))));
        assert_eq!(typed("80.25", SqlKind::Double), Some(("8.025E1".into(), Some(xsd::DOUBLE))));
        assert_eq!(
            typed("2009-10-10 12:12:22+00", SqlKind::DateTime),
            Some(("2009-10-10T12:12:22+00:00".into(), Some(xsd::DATE_TIME)))
        );
        assert_eq!(typed("2009-10-10 12:12:22", SqlKind::DateTime).unwrap().0, "2009-10-10T12:12:22");
        assert_eq!(typed("1981-10-10", SqlKind::Date).unwrap().0, "1981-10-10");
    }

    #[test]
    fn a_server_that_is_not_there_fails_the_open_naming_it() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let server =
            Server { host: "127.0.0.1".into(), port: Some(port), database: "facts".into(), ..Server::default() };
        let error = open(Path::new("db:t"), server, "SELECT 1".into()).err().unwrap();
        assert!(
            error.problem.starts_with(&format!("cannot connect to PostgreSQL at 127.0.0.1:{port}/facts: ")),
            "{error}"
        );
    }
}
