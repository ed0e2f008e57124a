//! CSV sources: the first stage of the flow. Reads rows in batches with their
//! line numbers, so that every later message can point at a cell.

mod csv_file;

pub use csv_file::{CsvSource, Row, SourceError};
