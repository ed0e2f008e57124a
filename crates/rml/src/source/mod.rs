//! Sources: the first stage of the flow. A source reads records in batches,
//! each with the line it starts on, so that every later message can point at
//! a cell. Every format sits behind one trait, [`RecordSource`], so that the
//! plan and its execution do not know which one they read: CSV today, JSON
//! and XML readers beside it.

mod csv_file;

pub use csv_file::{CsvSource, Row, SourceError};

use crate::problem::Problem;
use std::path::Path;

/// How a source's records are written: its reference formulation, with the
/// dialect it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CSV with a header row (RFC 4180), cells split at `delimiter`.
    Csv { delimiter: u8 },
}

/// A file read as a stream of records.
pub trait RecordSource: Send {
    /// The file, for messages.
    fn path(&self) -> &Path;

    /// The field names that references may use (a CSV file's header).
    fn fields(&self) -> &[String];

    /// Reads up to `max_records` records; an empty batch means the end.
    /// Records that cannot be read are skipped and kept as problems.
    fn next_batch(&mut self, max_records: usize) -> Result<Vec<Row>, SourceError>;

    /// The records skipped so far because they could not be read.
    fn take_problems(&mut self) -> Vec<Problem>;
}

/// Opens the file at `path` as a source of `format`.
pub fn open(path: &Path, format: Format) -> Result<Box<dyn RecordSource>, SourceError> {
    match format {
        Format::Csv { delimiter } => Ok(Box::new(CsvSource::open(path, delimiter)?)),
    }
}
