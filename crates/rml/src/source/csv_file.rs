use super::{Record, Row, SourceError};
use crate::problem::{Problem, ProblemKind};
use csv::{ReaderBuilder, StringRecord};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A CSV file with a header row, read as a stream of rows (RFC 4180 quoting,
/// UTF-8, a leading byte-order mark ignored). Rows that are not valid CSV
/// are skipped and kept as [`Problem`]s, so that one run reports them all.
pub struct CsvSource {
    path: PathBuf,
    reader: csv::Reader<QuoteCounter<Box<dyn Read + Send>>>,
    headers: Vec<String>,
    problems: Vec<Problem>,
    last_line: u64,
}

impl CsvSource {
    /// Opens a plain UTF-8 CSV file.
    pub fn open(path: &Path, delimiter: u8) -> Result<Self, SourceError> {
        let file = File::open(path).map_err(|e| SourceError {
            file: path.to_owned(),
            line: None,
            problem: format!("cannot open the file: {e}"),
        })?;
        Self::from_reader(path, Box::new(file), delimiter)
    }

    /// Reads CSV from `file` (already decompressed and decoded to UTF-8);
    /// `path` names it in messages.
    pub fn from_reader(path: &Path, file: Box<dyn Read + Send>, delimiter: u8) -> Result<Self, SourceError> {
        let mut reader = ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(true)
            .flexible(false)
            .buffer_capacity(1 << 16)
            .from_reader(QuoteCounter { inner: file, quotes: 0, delimiter });
        let headers = match reader.headers() {
            Ok(headers) => headers.iter().map(str::to_owned).collect::<Vec<_>>(),
            Err(e) => {
                let problem = describe(path, e);
                return Err(SourceError { file: path.to_owned(), line: problem.line, problem: problem.message });
            }
        };
        if headers.iter().all(String::is_empty) {
            return Err(SourceError {
                file: path.to_owned(),
                line: Some(1),
                problem: "the file has no header row; the first line must name the columns".into(),
            });
        }
        Ok(Self { path: path.to_owned(), reader, headers, problems: Vec::new(), last_line: 1 })
    }

    pub fn headers(&self) -> &[String] {
        &self.headers
    }
}

impl super::RecordSource for CsvSource {
    fn path(&self) -> &Path {
        &self.path
    }

    fn fields(&self) -> &[String] {
        &self.headers
    }

    /// Rows skipped so far because they are not valid CSV.
    fn take_problems(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.problems)
    }

    /// Reads up to `max_rows` rows; an empty batch means the end of the file.
    fn next_batch(&mut self, max_rows: usize) -> Result<Vec<Row>, SourceError> {
        let mut rows = Vec::with_capacity(max_rows.min(4096));
        let mut record = StringRecord::new();
        while rows.len() < max_rows {
            match self.reader.read_record(&mut record) {
                Ok(true) => {
                    let position = record.position();
                    let line = position.map_or(0, csv::Position::line);
                    self.last_line = line;
                    let mut row = Row::new(line, Record::Csv(record.clone()));
                    row.offset = position.map(csv::Position::byte);
                    rows.push(row);
                }
                Ok(false) => {
                    self.check_quotes_balanced();
                    break;
                }
                Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                    let problem = describe(&self.path, e);
                    return Err(SourceError { file: self.path.clone(), line: problem.line, problem: problem.message });
                }
                Err(e) => {
                    let problem = describe(&self.path, e);
                    self.last_line = problem.line.unwrap_or(self.last_line);
                    self.problems.push(problem);
                }
            }
        }
        Ok(rows)
    }
}

impl CsvSource {
    /// An odd number of quote characters means a quoted field never closed:
    /// the CSV reader then takes the rest of the file as that field.
    fn check_quotes_balanced(&mut self) {
        let counter = self.reader.get_ref();
        if counter.quotes % 2 == 1 {
            let message = "a quoted field is never closed: this row runs to the end of the file; add the missing '\"'";
            self.problems.push(Problem::new(ProblemKind::Csv, &self.path, message).at_line(self.last_line));
            self.reader.get_mut().quotes = 0;
        }
    }
}

fn describe(path: &Path, error: csv::Error) -> Problem {
    let line = error.position().map(csv::Position::line);
    let message = match error.into_kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            format!("field {} is not valid UTF-8; save the file as UTF-8", err.field() + 1)
        }
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
            "this row has {len} field(s) but the header has {expected_len}; check for a missing or extra delimiter, or an unbalanced quote"
        ),
        csv::ErrorKind::Io(e) => format!("cannot read the file: {e}"),
        other => format!("cannot read the CSV: {other:?}"),
    };
    let problem = Problem::new(ProblemKind::Csv, path, message);
    match line {
        Some(line) => problem.at_line(line),
        None => problem,
    }
}

/// Counts the quote characters read, to detect a quote left open at the end.
struct QuoteCounter<R> {
    inner: R,
    quotes: u64,
    delimiter: u8,
}

impl<R: Read> Read for QuoteCounter<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if self.delimiter != b'"' {
            self.quotes += buffer[..read].iter().filter(|&&b| b == b'"').count() as u64;
        }
        Ok(read)
    }
}

/// Reads the one CSV record that starts `offset` bytes into the text of
/// `path` (a [`Row::offset`] of a plain, uncompressed file), with one seek
/// rather than a read of every record before it, as the row of `line`.
/// `Ok(None)` when the file is not read as stored (a UTF-16 byte-order mark:
/// offsets count the decoded text) or has no record there.
pub fn read_csv_row_at(path: &Path, delimiter: u8, line: u64, offset: u64) -> Result<Option<Row>, SourceError> {
    use std::io::{Seek, SeekFrom};
    let error = |e: std::io::Error| SourceError { file: path.to_owned(), line: Some(line), problem: e.to_string() };
    let mut file = File::open(path).map_err(error)?;
    // The reader of a build drops a UTF-8 byte-order mark before it counts.
    let mut start = [0u8; 3];
    let read = file.read(&mut start).map_err(error)?;
    let skipped = match &start[..read] {
        [0xEF, 0xBB, 0xBF] => 3,
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => return Ok(None),
        _ => 0,
    };
    file.seek(SeekFrom::Start(offset + skipped)).map_err(error)?;
    let mut reader = ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(file);
    let mut record = StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {
            let mut row = Row::new(line, Record::Csv(record));
            row.offset = Some(offset);
            Ok(Some(row))
        }
        Ok(false) => Ok(None),
        Err(e) => Err(SourceError { file: path.to_owned(), line: Some(line), problem: e.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::RecordSource;

    /// Every row read back at its offset is the row the reader gave, quoted
    /// cells across lines and a byte-order mark included.
    #[test]
    fn a_row_read_at_its_offset_is_the_row_read_in_turn() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("t.csv");
        let text = "\u{feff}id,note\n1,plain\n2,\"two\nlines, and \"\"quotes\"\"\"\n3,Zoë\n";
        std::fs::write(&path, text).unwrap();
        let input = crate::files::open_input(&path, Default::default(), Default::default()).unwrap();
        let mut source = CsvSource::from_reader(&path, input, b',').unwrap();
        let rows = source.next_batch(10).unwrap();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 3, 5]);
        for row in &rows {
            let again = read_csv_row_at(&path, b',', row.line, row.offset.unwrap()).unwrap().unwrap();
            let (Record::Csv(a), Record::Csv(b)) = (&row.record, &again.record) else { unreachable!() };
            assert_eq!(a.iter().collect::<Vec<_>>(), b.iter().collect::<Vec<_>>(), "line {}", row.line);
        }
    }
}
