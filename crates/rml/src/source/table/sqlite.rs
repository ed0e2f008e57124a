//! SQLite files, through rusqlite with SQLite compiled in (no system
//! library to install). A value's datatype comes from its column's declared
//! type where it has one (SQLite stores `DATE` and `BOOLEAN` columns as text
//! and integers), else from the value's storage class.

use super::natural::{hex, SqlKind};
use super::{stream, RowSink};
use crate::source::{RecordSource, SourceError, Value};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

pub(super) fn open(label: &Path, file: &Path, sql: &str) -> Result<Box<dyn RecordSource>, SourceError> {
    let (label, file, sql) = (label.to_owned(), file.to_owned(), sql.to_owned());
    stream(&label.clone(), move |sink| read(&label, &file, &sql, sink))
}

fn read(label: &Path, file: &PathBuf, sql: &str, sink: &mut RowSink) -> Result<(), SourceError> {
    let error = |line: Option<u64>, problem: String| SourceError { file: label.to_owned(), line, problem };
    if !file.is_file() {
        return Err(error(None, format!("the SQLite file {} does not exist", file.display())));
    }
    // Read-only: mapping never writes to a researcher's database.
    let connection =
        Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| error(None, format!("cannot open {} as SQLite: {e}", file.display())))?;
    let mut statement = connection.prepare(sql).map_err(|e| error(None, format!("the query {sql:?} fails: {e}")))?;
    let kinds: Vec<Option<SqlKind>> = statement.columns().map(|c| c.decl_type().map(SqlKind::of_type_name)).collect();
    sink.columns(statement.column_names().map(str::to_owned).collect());
    let mut rows = statement.query([]).map_err(|e| error(None, format!("the query {sql:?} fails: {e}")))?;
    let mut number = 0;
    while let Some(row) =
        rows.next().map_err(|e| error(Some(number + 1), format!("cannot read row {}: {e}", number + 1)))?
    {
        number += 1;
        let fields = kinds
            .iter()
            .enumerate()
            .map(|(column, kind)| {
                row.get_ref(column).ok().and_then(|value| natural(value, *kind)).into_iter().collect()
            })
            .collect();
        if !sink.row(number, fields) {
            break;
        }
    }
    Ok(())
}

/// A stored value as R2RML's natural literal; `None` for NULL.
fn natural(value: ValueRef<'_>, declared: Option<SqlKind>) -> Option<Value> {
    let kind =
        |storage: SqlKind| declared.filter(|k| *k != SqlKind::Text || storage == SqlKind::Text).unwrap_or(storage);
    Some(match value {
        ValueRef::Null => return None,
        ValueRef::Integer(n) => kind(SqlKind::Integer).value(&n.to_string()),
        ValueRef::Real(x) => kind(SqlKind::Double).value(&x.to_string()),
        ValueRef::Text(bytes) => kind(SqlKind::Text).value(&String::from_utf8_lossy(bytes)),
        ValueRef::Blob(bytes) => SqlKind::Binary.value(&hex(bytes)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::xsd;

    fn table(sql: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("facts.sqlite");
        Connection::open(&file).unwrap().execute_batch(sql).unwrap();
        (dir, file)
    }

    #[test]
    fn rows_come_with_natural_datatypes_and_nulls_as_no_value() {
        let (_dir, file) = table(
            "CREATE TABLE t (name VARCHAR(20), born DATE, active BOOLEAN, score DOUBLE, n INTEGER, at TIMESTAMP);
             INSERT INTO t VALUES ('Ada', '1815-12-10', 1, 10.0, 3, '2013-03-14 10:00:00');
             INSERT INTO t VALUES (NULL, NULL, 0, NULL, NULL, NULL);",
        );
        let mut source = open(Path::new("facts.sqlite:t"), &file, "SELECT * FROM t").unwrap();
        assert_eq!(source.fields(), ["name", "born", "active", "score", "n", "at"]);
        let rows = source.next_batch(10).unwrap();
        let crate::source::Record::Fields(first) = &rows[0].record else { panic!("a table row") };
        let value = |column: usize| first[column][0].clone();
        assert_eq!(value(0), Value::plain("Ada"));
        assert_eq!(value(1), Value { text: "1815-12-10".into(), datatype: Some(xsd::DATE) });
        assert_eq!(value(2), Value { text: "true".into(), datatype: Some(xsd::BOOLEAN) });
        assert_eq!(value(3), Value { text: "1.0E1".into(), datatype: Some(xsd::DOUBLE) });
        assert_eq!(value(4), Value { text: "3".into(), datatype: Some(xsd::INTEGER) });
        assert_eq!(value(5), Value { text: "2013-03-14T10:00:00".into(), datatype: Some(xsd::DATE_TIME) });
        let crate::source::Record::Fields(second) = &rows[1].record else { panic!("a table row") };
        assert!(second[0].is_empty() && second[1].is_empty() && second[3].is_empty());
        assert_eq!((rows[0].line, rows[1].line), (1, 2));
    }

    #[test]
    fn a_missing_file_and_a_bad_query_are_errors_that_name_them() {
        let missing = open(Path::new("gone.sqlite:t"), Path::new("gone.sqlite"), "SELECT 1").err().unwrap();
        assert!(missing.problem.contains("does not exist"), "{missing}");
        let (_dir, file) = table("CREATE TABLE t (a INTEGER);");
        let bad = open(Path::new("x:t"), &file, "SELECT * FROM nope").err().unwrap();
        assert!(bad.problem.contains("no such table: nope"), "{bad}");
    }
}
