//! Sources: the first stage of the flow. A source reads records in batches,
//! each with the line it starts on, so that every later message can point at
//! a place in the file. Every format sits behind one trait, [`RecordSource`],
//! and every reference into a record is an [`Expression`] compiled once per
//! logical source: the plan and its execution never re-read an expression's
//! text per record, and do not know which format they read.
//!
//! CSV records are a row of cells; JSON records are the values the logical
//! source's iterator selects; XML records are the elements its XPath
//! selects; records of a logical view are its fields' values; records of a
//! table (a database's table or query) are its rows, by column. A SPARQL
//! endpoint's answer is read as the JSON, XML or CSV text it is
//! ([`sparql`]).

mod csv_file;
pub mod json;
pub mod sparql;
pub mod table;
pub mod xml;

pub use csv_file::{read_csv_row_at, CsvSource};
// In `problem.rs`, below both this module and `files.rs`, which opens
// sources and reports with it.
pub use crate::problem::SourceError;

use crate::files::{Compression, Encoding};
use crate::problem::Problem;
use std::path::{Path, PathBuf};

/// How a source's records are written: its reference formulation, with the
/// dialect it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CSV with a header row (RFC 4180), cells split at `delimiter`.
    Csv { delimiter: u8 },
    /// JSON; references are JSONPath (RFC 9535).
    Json,
    /// XML; references are XPath.
    Xml,
    /// Rows of named columns whose values carry their datatypes
    /// ([`table`]); references are column names. Where the rows come from
    /// is [`Description::table`].
    Table,
}

/// A logical source: which file, how it is stored and how to read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Description {
    /// The path as resolved against the mapping file's folder (or the
    /// working directory).
    pub path: PathBuf,
    pub format: Format,
    /// The expression selecting the records (JSONPath or XPath); CSV has none.
    pub iterator: Option<String>,
    pub compression: Compression,
    pub encoding: Encoding,
    /// Values that stand for "no value" (`rml:null`), besides the format's
    /// own (CSV's empty cell, JSON's `null`).
    pub nulls: Vec<String>,
    /// XML namespaces the XPath expressions use: (prefix, namespace IRI).
    pub namespaces: Vec<(String, String)>,
    /// An empty CSV cell is NULL, as in R2RML and legacy RML, for sources
    /// named by a plain path; a source described as RML-IO describes it
    /// (`rml:path`) has only its declared `rml:null` values (RMLSTC0004a).
    pub empty_is_null: bool,
    /// For [`Format::Table`]: which table. `path` then names it in
    /// messages (`facts.sqlite:offerings`), and is a file only where the
    /// table is one.
    pub table: Option<table::Table>,
    /// A SPARQL endpoint whose answer to a SELECT query is read in `format`
    /// instead of a file; `path` then names the endpoint in messages.
    /// Boxed: most sources are files, and a description is copied into
    /// every plan and view.
    pub service: Option<Box<sparql::Service>>,
}

impl Description {
    /// A plain UTF-8 file, uncompressed, with the format's default nulls.
    pub fn file(path: impl Into<PathBuf>, format: Format) -> Self {
        Self {
            path: path.into(),
            format,
            iterator: None,
            compression: Compression::None,
            encoding: Encoding::Utf8,
            nulls: Vec::new(),
            namespaces: Vec::new(),
            empty_is_null: true,
            table: None,
            service: None,
        }
    }

    /// A table's rows, reported under `label`. An empty value is a value,
    /// not NULL, as in R2RML: a table has NULLs of its own.
    pub fn table(label: impl Into<PathBuf>, table: table::Table) -> Self {
        Self { empty_is_null: false, table: Some(table), ..Self::file(label, Format::Table) }
    }

    /// The solutions of a SPARQL endpoint's answer, read in `format`,
    /// reported under the endpoint's address. An unbound variable is an
    /// empty CSV cell, so an empty cell is NULL.
    pub fn service(service: sparql::Service, format: Format) -> Self {
        let label = service.endpoint.clone();
        Self { service: Some(Box::new(service)), ..Self::file(label, format) }
    }
}

/// One record and the line it starts on (a CSV file's header is line 1).
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub record: Record,
    /// The record's position among its source's records, from 0, set as
    /// they are read: JSON records can share a line, and each needs blank
    /// nodes of its own.
    pub ordinal: u64,
    /// Where a CSV record starts, in bytes from the start of the text the
    /// reader read (after decompression, decoding and a byte-order mark),
    /// so that it can be read again with one seek ([`read_csv_row_at`]);
    /// `None` for other formats and a view's records.
    pub offset: Option<u64>,
}

impl Row {
    pub fn new(line: u64, record: Record) -> Self {
        Self { line, record, ordinal: 0, offset: None }
    }

    /// Tells the record apart from every other record of its source, in
    /// blank node labels.
    pub fn label(&self) -> String {
        match self.record {
            Record::Csv(_) => format!("r{}", self.line),
            _ => format!("r{}i{}", self.line, self.ordinal),
        }
    }
}

/// A record as its format gives it.
#[derive(Debug, Clone)]
pub enum Record {
    Csv(csv::StringRecord),
    // Boxed, as are a view's fields: a batch holds thousands of records and
    // moves them between threads, and a CSV row is one pointer.
    Json(Box<serde_json::Value>),
    Xml(Box<xml::XmlRecord>),
    /// A logical view's record: the values of each field, by field index.
    Fields(Box<Fields>),
}

/// A view's fields, by column: each with its values.
pub type Fields = Vec<Vec<Value>>;

impl Record {
    /// A CSV record's cell, `None` for other formats or past the row's end.
    pub fn cell(&self, column: usize) -> Option<&str> {
        match self {
            Self::Csv(record) => record.get(column),
            _ => None,
        }
    }
}

/// One value a reference gives in a record: its text, and the datatype the
/// format gives it (a JSON number is an `xsd:integer` or `xsd:double`, a
/// JSON boolean an `xsd:boolean`; CSV and XML values have none).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Value {
    pub text: String,
    /// The IRI of the natural datatype, if any.
    pub datatype: Option<&'static str>,
}

impl Value {
    pub fn plain(text: impl Into<String>) -> Self {
        Self { text: text.into(), datatype: None }
    }
}

/// The IRIs of the datatypes values carry ([`Value::datatype`]), from
/// oxrdf's vocabulary.
pub mod xsd {
    use oxrdf::vocab::xsd;
    pub const STRING: &str = xsd::STRING.as_str();
    pub const INTEGER: &str = xsd::INTEGER.as_str();
    pub const DOUBLE: &str = xsd::DOUBLE.as_str();
    pub const BOOLEAN: &str = xsd::BOOLEAN.as_str();
    pub const DATE: &str = xsd::DATE.as_str();
    pub const DATE_TIME: &str = xsd::DATE_TIME.as_str();
    pub const DECIMAL: &str = xsd::DECIMAL.as_str();
    pub const TIME: &str = xsd::TIME.as_str();
    pub const HEX_BINARY: &str = xsd::HEX_BINARY.as_str();
}

/// A reference compiled for its format.
#[derive(Debug, Clone)]
pub enum Expression {
    /// A CSV column, by index.
    Column(usize),
    Json(json::JsonPath),
    Xml(xml::XPath),
    /// A logical view's field, by index.
    Field(usize),
}

impl Expression {
    /// [`Expression::evaluate`], but a JSONPath that selects an array or an
    /// object (not a value a term can be made of) is an error (RML-Core's
    /// RMLTC0025b).
    pub fn evaluate_checked(&self, record: &Record, out: &mut Vec<Value>) -> Result<(), String> {
        match (self, record) {
            (Self::Json(path), Record::Json(value)) => path.evaluate_checked(value, out),
            _ => {
                self.evaluate(record, out);
                Ok(())
            }
        }
    }

    /// Every value of the expression in `record`, in document order;
    /// nothing for a record of another format.
    pub fn evaluate(&self, record: &Record, out: &mut Vec<Value>) {
        match (self, record) {
            (Self::Column(column), Record::Csv(row)) => out.extend(row.get(*column).map(Value::plain)),
            (Self::Json(path), Record::Json(value)) => path.evaluate(value, out),
            (Self::Xml(path), Record::Xml(node)) => path.evaluate(node, out),
            (Self::Field(field), Record::Fields(fields)) => {
                out.extend(fields.get(*field).into_iter().flatten().cloned())
            }
            _ => {}
        }
    }

    /// The records the expression selects inside `record`, for nested
    /// iteration (a logical view's iterable field).
    pub fn select(&self, record: &Record) -> Vec<Record> {
        match (self, record) {
            (Self::Json(path), Record::Json(value)) => {
                path.select(value).into_iter().map(|v| Record::Json(Box::new(v))).collect()
            }
            (Self::Xml(path), Record::Xml(node)) => {
                path.select(node).into_iter().map(|n| Record::Xml(Box::new(n))).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// A file read as a stream of records.
pub trait RecordSource: Send {
    /// The file, for messages.
    fn path(&self) -> &Path;

    /// The field names that references may use (a CSV file's header); empty
    /// for formats whose references are expressions.
    fn fields(&self) -> &[String];

    /// Reads up to `max_records` records; an empty batch means the end.
    /// Records that cannot be read are skipped and kept as problems.
    fn next_batch(&mut self, max_records: usize) -> Result<Vec<Row>, SourceError>;

    /// The records skipped so far because they could not be read.
    fn take_problems(&mut self) -> Vec<Problem>;
}

/// Opens the logical source `description` as a stream of records.
pub fn open(description: &Description) -> Result<Box<dyn RecordSource>, SourceError> {
    let path = &description.path;
    if let Some(table) = &description.table {
        return table::open(path, table);
    }
    let input = match &description.service {
        Some(service) => sparql::open(path, service)?,
        None => crate::files::open_input(path, description.compression, description.encoding)?,
    };
    let iterator = description.iterator.as_deref();
    Ok(match description.format {
        Format::Csv { delimiter } => {
            let source = CsvSource::from_reader(path, input, delimiter)?;
            if let Some(service) = &description.service {
                sparql::check_header(path, service, source.fields())?;
            }
            Box::new(source)
        }
        Format::Json => Box::new(json::JsonSource::open(path, input, iterator.unwrap_or("$"))?),
        Format::Xml => Box::new(xml::XmlSource::open_with_namespaces(
            path,
            input,
            iterator.unwrap_or("/*"),
            &description.namespaces,
        )?),
        Format::Table => {
            return Err(SourceError { file: path.clone(), line: None, problem: "a table source names no table".into() })
        }
    })
}
