//! Columnar files: Parquet (`.parquet`) and Arrow IPC (`.arrow`,
//! `.feather`, `.ipc`; `.arrows` for the streaming format), read as Arrow
//! record batches of a few thousand rows: a Parquet file row group by row
//! group and page by page, never whole, so memory stays bounded whatever
//! the file's size. A row is reported at its number, from 1
//! (`facts.parquet:12: …`); a NULL is no value; values take their
//! datatypes from the columns' types ([`super::arrow`]).
//!
//! Parquet files compressed with Snappy, Gzip, LZ4 or Zstandard are read
//! (pandas, pyarrow, Polars, DuckDB and Spark write these); Brotli is not
//! compiled in, and such a file is an error saying so.

use super::{arrow, stream, RowSink};
use crate::source::{RecordSource, SourceError};
use arrow_array::RecordBatch;
use arrow_schema::{ArrowError, Schema, SchemaRef};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// The extensions of Parquet files, lower case.
pub const PARQUET_EXTENSIONS: [&str; 2] = ["parquet", "parq"];
/// The extensions of Arrow IPC files (Feather version 2), lower case; and
/// of the IPC streaming format.
pub const ARROW_EXTENSIONS: [&str; 3] = ["arrow", "feather", "ipc"];
pub const ARROW_STREAM_EXTENSIONS: [&str; 1] = ["arrows"];

/// Rows decoded at a time: a batch per column of this many values.
const BATCH_ROWS: usize = 4096;

/// A columnar file and its format.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnarFile {
    pub file: PathBuf,
    pub format: ColumnarFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnarFormat {
    Parquet,
    /// Arrow's IPC file format, which Feather version 2 is.
    ArrowFile,
    /// Arrow's IPC streaming format.
    ArrowStream,
}

impl ColumnarFile {
    /// The columnar file `path` names by its extension, if it names one.
    pub fn by_extension(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        let format = if PARQUET_EXTENSIONS.contains(&extension.as_str()) {
            ColumnarFormat::Parquet
        } else if ARROW_EXTENSIONS.contains(&extension.as_str()) {
            ColumnarFormat::ArrowFile
        } else if ARROW_STREAM_EXTENSIONS.contains(&extension.as_str()) {
            ColumnarFormat::ArrowStream
        } else {
            return None;
        };
        Some(Self { file: path.to_owned(), format })
    }
}

/// Opens the file as a stream of rows reported under `label`.
pub fn open(label: &Path, file: &ColumnarFile) -> Result<Box<dyn RecordSource>, SourceError> {
    let (label, file) = (label.to_owned(), file.clone());
    stream(&label.clone(), move |sink| read(&label, &file, sink))
}

fn read(label: &Path, columnar: &ColumnarFile, sink: &mut RowSink) -> Result<(), SourceError> {
    let error = |line: Option<u64>, problem: String| SourceError { file: label.to_owned(), line, problem };
    let path = &columnar.file;
    if !path.is_file() {
        return Err(error(None, format!("the file {} does not exist", path.display())));
    }
    let file = File::open(path).map_err(|e| error(None, format!("cannot open {}: {e}", path.display())))?;
    type Batches = Box<dyn Iterator<Item = Result<RecordBatch, ArrowError>>>;
    let (kind, schema, batches): (&str, SchemaRef, Batches) = match columnar.format {
        ColumnarFormat::Parquet => {
            use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file)
                .map_err(|e| error(None, format!("cannot read {} as Parquet: {e}", path.display())))?;
            let schema = builder.schema().clone();
            let reader = builder
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| error(None, format!("cannot read {} as Parquet: {e}", path.display())))?;
            ("Parquet", schema, Box::new(reader))
        }
        ColumnarFormat::ArrowFile => {
            let reader = arrow_ipc::reader::FileReader::try_new(BufReader::new(file), None).map_err(|e| {
                error(None, format!("cannot read {} as an Arrow IPC (Feather version 2) file: {e}", path.display()))
            })?;
            ("Arrow IPC", reader.schema(), Box::new(reader))
        }
        ColumnarFormat::ArrowStream => {
            let reader = arrow_ipc::reader::StreamReader::try_new(BufReader::new(file), None)
                .map_err(|e| error(None, format!("cannot read {} as an Arrow IPC stream: {e}", path.display())))?;
            ("Arrow IPC", reader.schema(), Box::new(reader))
        }
    };
    send_rows(label, kind, &schema, batches, sink)
}

/// Names the columns, then hands over every batch's rows.
fn send_rows(
    label: &Path,
    kind: &str,
    schema: &Schema,
    batches: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
    sink: &mut RowSink,
) -> Result<(), SourceError> {
    let error = |line: Option<u64>, problem: String| SourceError { file: label.to_owned(), line, problem };
    arrow::check(schema).map_err(|e| error(None, e))?;
    sink.columns(schema.fields().iter().map(|f| f.name().clone()).collect());
    let mut line = 1;
    for batch in batches {
        let batch =
            batch.map_err(|e| error(Some(line), format!("cannot read the {kind} rows from row {line} on: {e}")))?;
        for (number, fields) in arrow::rows(&batch, line) {
            if !sink.row(number, fields) {
                return Ok(());
            }
        }
        line += batch.num_rows() as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Record, Value};
    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, BooleanArray, Date32Array, Decimal128Array, DictionaryArray, Float32Array, Float64Array, Int64Array,
        ListArray, StringArray, StructArray, TimestampMicrosecondArray, TimestampMillisecondArray,
    };
    use arrow_schema::{DataType, Field};
    use std::sync::Arc;

    fn batch() -> RecordBatch {
        let tags = ListArray::from_iter_primitive::<Int32Type, _, _>([
            Some(vec![Some(1), Some(2)]),
            Some(vec![]),
            Some(vec![Some(3)]),
        ]);
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("id", Arc::new(Int64Array::from(vec![1, 2, 3]))),
            ("name", Arc::new(StringArray::from(vec![Some("Azure"), None, Some("")]))),
            ("share", Arc::new(Float64Array::from(vec![Some(50.5), None, Some(0.0)]))),
            ("ratio", Arc::new(Float32Array::from(vec![0.1, 1.0, -2.5]))),
            ("active", Arc::new(BooleanArray::from(vec![Some(true), Some(false), None]))),
            ("since", Arc::new(Date32Array::from(vec![Some(16155), None, Some(17014)]))),
            ("at", Arc::new(TimestampMillisecondArray::from(vec![Some(1_363_255_200_123), None, Some(0)]))),
            (
                "seen",
                Arc::new(
                    TimestampMicrosecondArray::from(vec![Some(1_363_255_200_000_000), None, None]).with_timezone("UTC"),
                ),
            ),
            (
                "price",
                Arc::new(
                    Decimal128Array::from(vec![Some(5050), Some(-1), None]).with_precision_and_scale(5, 2).unwrap(),
                ),
            ),
            (
                "kind",
                Arc::new(vec![Some("cloud"), Some("cloud"), None].into_iter().collect::<DictionaryArray<Int32Type>>()),
            ),
            ("tags", Arc::new(tags)),
        ];
        RecordBatch::try_from_iter(columns).unwrap()
    }

    fn read_all(file: &ColumnarFile) -> (Vec<String>, Vec<(u64, Vec<String>)>) {
        let mut source = open(&file.file, file).unwrap();
        let columns = source.fields().to_vec();
        let mut rows = Vec::new();
        loop {
            let batch = source.next_batch(2).unwrap();
            if batch.is_empty() {
                return (columns, rows);
            }
            for row in batch {
                let Record::Fields(fields) = row.record else { panic!("a table row") };
                let shown = fields
                    .iter()
                    .map(|values| {
                        let shown: Vec<String> = values
                            .iter()
                            .map(|Value { text, datatype }| match datatype {
                                None => text.clone(),
                                Some(t) => format!("{text}^^{}", t.rsplit('#').next().unwrap()),
                            })
                            .collect();
                        if shown.is_empty() {
                            "NULL".to_owned()
                        } else {
                            shown.join(" ")
                        }
                    })
                    .collect();
                rows.push((row.line, shown));
            }
        }
    }

    const EXPECTED: [&[&str]; 3] = [
        &[
            "1^^integer",
            "Azure",
            "5.05E1^^double",
            "1.0E-1^^double",
            "true^^boolean",
            "2014-03-26^^date",
            "2013-03-14T10:00:00.123^^dateTime",
            "2013-03-14T10:00:00Z^^dateTime",
            "50.50^^decimal",
            "cloud",
            "1^^integer 2^^integer",
        ],
        &[
            "2^^integer",
            "NULL",
            "NULL",
            "1.0E0^^double",
            "false^^boolean",
            "NULL",
            "NULL",
            "NULL",
            "-0.01^^decimal",
            "cloud",
            "NULL",
        ],
        &[
            "3^^integer",
            "",
            "0.0E0^^double",
            "-2.5E0^^double",
            "NULL",
            "2016-08-01^^date",
            "1970-01-01T00:00:00^^dateTime",
            "NULL",
            "NULL",
            "NULL",
            "3^^integer",
        ],
    ];

    fn expected() -> Vec<(u64, Vec<String>)> {
        EXPECTED
            .iter()
            .enumerate()
            .map(|(i, row)| (i as u64 + 1, row.iter().map(|v| v.to_string()).collect()))
            .collect()
    }

    #[test]
    fn a_parquet_file_gives_natural_datatypes_row_group_by_row_group() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.parquet");
        let batch = batch();
        // Row groups of two rows: the third row is in the second group.
        let properties =
            ::parquet::file::properties::WriterProperties::builder().set_max_row_group_row_count(Some(2)).build();
        let mut writer =
            ::parquet::arrow::ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), Some(properties))
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let file = ColumnarFile::by_extension(&path).unwrap();
        assert_eq!(file.format, ColumnarFormat::Parquet);
        let (columns, rows) = read_all(&file);
        assert_eq!(columns, ["id", "name", "share", "ratio", "active", "since", "at", "seen", "price", "kind", "tags"]);
        assert_eq!(rows, expected());
    }

    #[test]
    fn an_arrow_ipc_file_reads_as_parquet_does() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("facts.feather");
        let batch = batch();
        let mut writer = arrow_ipc::writer::FileWriter::try_new(File::create(&path).unwrap(), &batch.schema()).unwrap();
        writer.write(&batch).unwrap();
        writer.finish().unwrap();
        let file = ColumnarFile::by_extension(&path).unwrap();
        assert_eq!(file.format, ColumnarFormat::ArrowFile);
        assert_eq!(read_all(&file).1, expected());
    }

    #[test]
    fn a_nested_column_a_missing_file_and_a_file_of_another_format_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested.parquet");
        let inner: ArrayRef = Arc::new(Int64Array::from(vec![1]));
        let nested = StructArray::from(vec![(Arc::new(Field::new("x", DataType::Int64, false)), inner)]);
        let batch = RecordBatch::try_from_iter([("point", Arc::new(nested) as ArrayRef)]).unwrap();
        let mut writer =
            ::parquet::arrow::ArrowWriter::try_new(File::create(&path).unwrap(), batch.schema(), None).unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        let file = ColumnarFile::by_extension(&path).unwrap();
        let error = open(Path::new("nested.parquet"), &file).err().unwrap().to_string();
        assert!(error.starts_with(r#"nested.parquet: the column "point" is of the type Struct"#), "{error}");
        let missing = ColumnarFile::by_extension(&dir.path().join("gone.parquet")).unwrap();
        assert!(open(&missing.file, &missing).err().unwrap().problem.contains("does not exist"));
        std::fs::write(dir.path().join("text.parquet"), "id,name\n").unwrap();
        let text = ColumnarFile::by_extension(&dir.path().join("text.parquet")).unwrap();
        assert!(open(&text.file, &text).err().unwrap().problem.contains("cannot read"));
        assert_eq!(ColumnarFile::by_extension(Path::new("facts.csv")), None);
    }
}
