//! XML sources: records selected by an XPath iterator, and
//! references as XPath expressions relative to each record.
//!
//! STUB: the interface only; a helper is implementing it.

use super::{RecordSource, Row, SourceError, Value};
use crate::problem::Problem;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A XPath query compiled once.
#[derive(Debug, Clone)]
pub struct XPath {
    text: String,
}

impl XPath {
    /// Compiles `expression`; `Err` says what is wrong with it.
    pub fn compile(expression: &str) -> Result<Self, String> {
        Err(format!("XPath {expression:?}: XML sources are not implemented yet"))
    }

    /// The query's text, for messages.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The string values of the nodes the expression selects in `record`
    /// (XML values have no natural datatype).
    pub fn evaluate(&self, _record: &XmlRecord, _out: &mut Vec<Value>) {}

    /// The nodes the expression selects in `record`, for nested iteration.
    pub fn select(&self, _record: &XmlRecord) -> Vec<XmlRecord> {
        Vec::new()
    }
}

/// A JSON file, read as the stream of values its iterator selects.
pub struct XmlSource {
    path: PathBuf,
}

impl XmlSource {
    pub fn open(path: &Path, _input: Box<dyn Read + Send>, _iterator: &str) -> Result<Self, SourceError> {
        Err(SourceError { file: path.to_owned(), line: None, problem: "XML sources are not implemented yet".into() })
    }
}

impl RecordSource for XmlSource {
    fn path(&self) -> &Path {
        &self.path
    }

    fn fields(&self) -> &[String] {
        &[]
    }

    fn next_batch(&mut self, _max_records: usize) -> Result<Vec<Row>, SourceError> {
        Ok(Vec::new())
    }

    fn take_problems(&mut self) -> Vec<Problem> {
        Vec::new()
    }
}

/// One element (or other node) selected in an XML document.
#[derive(Debug, Clone)]
pub struct XmlRecord {}
