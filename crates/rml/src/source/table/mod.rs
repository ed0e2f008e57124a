//! Tables: sources whose records are rows of named columns, each value
//! carrying the datatype its column gives it. A relational database's table
//! or query (R2RML's logical table) is one; so are a spreadsheet's sheet and
//! a Parquet file ([`sheet`], [`parquet`]).
//!
//! References into a table are column names, compiled once to a column's
//! index ([`super::Expression::Field`]); a row is a [`Record::Fields`] with
//! no value in a column that is NULL. Readers run on a thread of their own
//! and hand rows over in batches through a bounded channel ([`stream`]): a
//! database cursor or a file's row groups are read while the previous batch
//! is mapped, and memory stays bounded by the batches, not by the table.

mod arrow;
pub mod catalog;
pub mod database;
mod mysql;
pub mod natural;
pub mod parquet;
mod postgres;
pub mod sheet;
mod sqlite;

use super::{Fields, Record, RecordSource, Row, SourceError};
use crate::problem::Problem;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Where a table's rows come from (for [`super::Format::Table`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Table {
    /// A table or query of a relational database.
    Database(Box<database::Selection>),
    /// A sheet of a spreadsheet file.
    Sheet(sheet::Sheet),
    /// A Parquet or Arrow IPC (Feather) file.
    Columnar(parquet::ColumnarFile),
}

/// Opens `table` as a stream of records; `path` names it in messages.
pub fn open(path: &Path, table: &Table) -> Result<Box<dyn RecordSource>, SourceError> {
    match table {
        Table::Database(selection) => open_database(path, selection),
        Table::Sheet(sheet) => sheet::open(path, sheet),
        Table::Columnar(file) => parquet::open(path, file),
    }
}

/// One row as a reader gives it: the line (or row number) it is reported
/// at, and each column's values, none for NULL.
pub type TableRow = (u64, Fields);

/// How many rows a reader hands over at a time, and how many such batches
/// may wait: enough to keep the mapping threads busy, few enough to bound
/// memory whatever the table's size.
const ROWS_PER_MESSAGE: usize = 4096;
const MESSAGES_IN_FLIGHT: usize = 4;

enum Message {
    Columns(Vec<String>),
    Rows(Vec<TableRow>),
    /// A value the reader left out, reported with the row it was in.
    Problem(Problem),
    Failed(SourceError),
}

/// What a reader thread writes into: first the column names, then rows.
pub struct RowSink {
    sender: SyncSender<Message>,
    batch: Vec<TableRow>,
    /// The reader of the stream is gone (its source was dropped).
    closed: bool,
}

impl RowSink {
    /// The names of the columns, in the order of every row's values. Call
    /// it once, before the first row.
    pub fn columns(&mut self, names: Vec<String>) {
        self.closed |= self.sender.send(Message::Columns(names)).is_err();
    }

    /// Adds one row; `false` once nobody reads the stream any more, when
    /// the reader should stop.
    pub fn row(&mut self, line: u64, fields: Fields) -> bool {
        self.batch.push((line, fields));
        if self.batch.len() >= ROWS_PER_MESSAGE {
            self.flush();
        }
        !self.closed
    }

    /// Reports a value that could not be read (a spreadsheet's error cell):
    /// the row is still mapped, without it.
    pub fn problem(&mut self, problem: Problem) {
        self.flush();
        self.closed |= self.sender.send(Message::Problem(problem)).is_err();
    }

    fn flush(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            self.closed |= self.sender.send(Message::Rows(batch)).is_err();
        }
    }
}

/// Runs `read` on a thread of its own and returns the rows it gives as a
/// [`RecordSource`]. `read` must call [`RowSink::columns`] before any row;
/// an error it returns before that is returned here (a table that cannot be
/// opened fails at once, before any record is mapped), one after it ends
/// the stream with that error.
pub fn stream<F>(path: &Path, read: F) -> Result<Box<dyn RecordSource>, SourceError>
where
    F: FnOnce(&mut RowSink) -> Result<(), SourceError> + Send + 'static,
{
    let (sender, receiver) = sync_channel(MESSAGES_IN_FLIGHT);
    std::thread::Builder::new()
        .name("factgraph-table-reader".into())
        .spawn(move || {
            let mut sink = RowSink { sender: sender.clone(), batch: Vec::new(), closed: false };
            match read(&mut sink) {
                Ok(()) => sink.flush(),
                Err(error) => {
                    sink.flush();
                    let _ = sender.send(Message::Failed(error));
                }
            }
        })
        .map_err(|e| SourceError {
            file: path.to_owned(),
            line: None,
            problem: format!("cannot start a reader: {e}"),
        })?;
    let columns = match receiver.recv() {
        Ok(Message::Columns(columns)) => columns,
        Ok(Message::Failed(error)) => return Err(error),
        Ok(Message::Rows(_) | Message::Problem(_)) | Err(_) => Vec::new(),
    };
    Ok(Box::new(StreamedTable {
        path: path.to_owned(),
        columns,
        receiver,
        pending: VecDeque::new(),
        ordinal: 0,
        problems: Vec::new(),
    }))
}

/// The receiving end of [`stream`].
struct StreamedTable {
    path: PathBuf,
    columns: Vec<String>,
    receiver: Receiver<Message>,
    pending: VecDeque<TableRow>,
    ordinal: u64,
    problems: Vec<Problem>,
}

impl RecordSource for StreamedTable {
    fn path(&self) -> &Path {
        &self.path
    }

    fn fields(&self) -> &[String] {
        &self.columns
    }

    fn next_batch(&mut self, max_records: usize) -> Result<Vec<Row>, SourceError> {
        while self.pending.len() < max_records {
            match self.receiver.recv() {
                Ok(Message::Rows(rows)) => self.pending.extend(rows),
                Ok(Message::Problem(problem)) => self.problems.push(problem),
                Ok(Message::Failed(error)) => return Err(error),
                Ok(Message::Columns(_)) | Err(_) => break,
            }
        }
        let take = self.pending.len().min(max_records);
        let rows = self
            .pending
            .drain(..take)
            .map(|(line, fields)| {
                let mut row = Row::new(line, Record::Fields(Box::new(fields)));
                row.ordinal = self.ordinal;
                self.ordinal += 1;
                row
            })
            .collect();
        Ok(rows)
    }

    fn take_problems(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.problems)
    }
}

/// Opens the rows `selection` names, streamed from the database. Here, above
/// the readers, so that a reader may use `database`'s types without a cycle.
fn open_database(path: &Path, selection: &database::Selection) -> Result<Box<dyn RecordSource>, SourceError> {
    use database::System;
    let error = |problem: String| SourceError { file: path.to_owned(), line: None, problem };
    let sql = selection.query.sql();
    match selection.connection.system().map_err(error)? {
        System::Sqlite(file) => sqlite::open(path, &file, &sql),
        System::Postgres(server) => postgres::open(path, server, sql),
        System::Mysql(server) => mysql::open(path, server, &selection.query),
    }
}

/// The tables and views of the database `connection` names that its user
/// may read, as its catalog says ([`catalog`]; PostgreSQL: in the schemas of
/// the user's search path; MySQL: in the database), sorted by schema and
/// name. A SQLite file is read with SQLite's own catalog, not here.
pub fn catalog_tables(connection: &database::Connection) -> Result<Vec<catalog::CatalogTable>, SourceError> {
    let label = PathBuf::from(connection.label());
    let error = |problem: String| SourceError { file: label.clone(), line: None, problem };
    match connection.system().map_err(error)? {
        database::System::Postgres(server) => postgres::catalog(&label, &server),
        database::System::Mysql(server) => mysql::catalog(&label, &server),
        database::System::Sqlite(_) => {
            Err(error("the catalog of a SQLite file is read with SQLite's own tables".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Value;

    fn numbers(count: u64) -> Box<dyn RecordSource> {
        stream(Path::new("numbers"), move |sink| {
            sink.columns(vec!["n".into()]);
            for n in 1..=count {
                if !sink.row(n, vec![vec![Value::plain(n.to_string())]]) {
                    break;
                }
            }
            Ok(())
        })
        .unwrap()
    }

    #[test]
    fn rows_arrive_in_order_in_batches_of_the_size_asked_for() {
        let mut source = numbers(10_000);
        assert_eq!(source.fields(), ["n"]);
        let mut seen = Vec::new();
        loop {
            let batch = source.next_batch(3000).unwrap();
            if batch.is_empty() {
                break;
            }
            assert!(batch.len() <= 3000);
            seen.extend(batch.into_iter().map(|row| (row.line, row.ordinal)));
        }
        assert_eq!(seen.len(), 10_000);
        assert!(seen.iter().enumerate().all(|(i, &(line, ordinal))| line == i as u64 + 1 && ordinal == i as u64));
    }

    #[test]
    fn an_error_before_the_columns_fails_the_open_and_one_after_them_the_read() {
        let error = |line| SourceError { file: "t".into(), line, problem: "broken".into() };
        let failed = stream(Path::new("t"), move |_| Err(error(None)));
        assert_eq!(failed.err().unwrap().problem, "broken");
        let mut late = stream(Path::new("t"), move |sink| {
            sink.columns(vec!["a".into()]);
            sink.row(1, vec![Vec::new()]);
            Err(error(Some(2)))
        })
        .unwrap();
        assert_eq!(late.next_batch(10).unwrap_err().line, Some(2));
    }

    #[test]
    fn dropping_the_source_stops_the_reader() {
        let mut source = numbers(u64::MAX);
        assert_eq!(source.next_batch(5).unwrap().len(), 5);
        drop(source); // the reader's next send fails and it returns
    }
}
