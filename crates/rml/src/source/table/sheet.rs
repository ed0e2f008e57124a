//! Spreadsheets: a sheet of an .xlsx, .xlsm, .xlsb, .xls or .ods file, read
//! with calamine (pure Rust). The sheet is the one the mapping names
//! (`rml:iterator "Offerings"`), else the first; its header is its first
//! non-empty row, and each later non-empty row is a record, reported at its
//! row number in the sheet (`facts.xlsx:Offerings:12: …`).
//!
//! Cells give their typed values, never their displayed text (calamine
//! does not apply number formats): a whole number is an `xsd:integer`,
//! another number an `xsd:double`, a boolean an `xsd:boolean`, a date
//! `xsd:date`, a date with a time `xsd:dateTime`, a time of day `xsd:time`,
//! a duration `xsd:duration`, text a plain literal. An empty cell (or one
//! holding empty text) is NULL; an error cell (`#DIV/0!`) is NULL too, and a
//! problem at its row.
//!
//! .xlsx and .xlsm sheets are streamed cell by cell; calamine reads the
//! sheets of the other formats whole (an .xls sheet has at most 65 536
//! rows; an .ods file is one XML document).

use super::{stream, RowSink};
use crate::problem::{Problem, ProblemKind};
use crate::source::{xsd, RecordSource, SourceError, Value};
use calamine::{open_workbook, open_workbook_auto, Data, DataRef, ExcelDateTime, Reader, Xlsx};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// The spreadsheet file extensions read as sheets, lower case.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// Which sheet of which file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sheet {
    pub file: PathBuf,
    /// The sheet's name as the workbook spells it; `None` for the first.
    pub name: Option<String>,
}

/// Whether `path` names a spreadsheet, by its extension.
pub fn is_spreadsheet(path: &Path) -> bool {
    extension(path).is_some_and(|e| EXTENSIONS.contains(&e.as_str()))
}

fn extension(path: &Path) -> Option<String> {
    path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// The name a sheet's rows are reported under, `FILE:SHEET`: the first
/// sheet's own name when the mapping names none (read from the workbook's
/// index only, not its cells), or just the file when it cannot be read
/// yet (opening it then says why).
pub fn label(sheet: &Sheet) -> PathBuf {
    let name = sheet.name.clone().or_else(|| first_sheet_name(&sheet.file));
    match name {
        Some(name) => PathBuf::from(format!("{}:{name}", sheet.file.display())),
        None => sheet.file.clone(),
    }
}

/// The first sheet's name, cheaply where the format allows: an .xlsx
/// file's `xl/workbook.xml` or the start of an .ods file's `content.xml`,
/// without its shared strings or cells.
fn first_sheet_name(file: &Path) -> Option<String> {
    let archive = || zip::ZipArchive::new(BufReader::new(File::open(file).ok()?)).ok();
    match extension(file)?.as_str() {
        "xlsx" | "xlsm" => first_attribute(archive()?.by_name("xl/workbook.xml").ok()?, "sheet", "name"),
        "ods" => first_attribute(archive()?.by_name("content.xml").ok()?, "table:table", "table:name"),
        _ => open_workbook_auto(file).ok()?.sheet_names().into_iter().next(),
    }
}

/// The value of `attribute` on the first `element` of an XML document.
fn first_attribute(xml: impl Read, element: &str, attribute: &str) -> Option<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(xml));
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer).ok()? {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == element => {
                let value = e.try_get_attribute(attribute).ok()??;
                return value.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned());
            }
            Event::Eof => return None,
            _ => buffer.clear(),
        }
    }
}

/// Opens the sheet as a stream of rows reported under `label`.
pub fn open(label: &Path, sheet: &Sheet) -> Result<Box<dyn RecordSource>, SourceError> {
    let (label, sheet) = (label.to_owned(), sheet.clone());
    stream(&label.clone(), move |sink| read(&label, &sheet, sink))
}

fn read(label: &Path, sheet: &Sheet, sink: &mut RowSink) -> Result<(), SourceError> {
    let error = |problem: String| SourceError { file: label.to_owned(), line: None, problem };
    if !sheet.file.is_file() {
        return Err(error(format!("the spreadsheet {} does not exist", sheet.file.display())));
    }
    let cannot_open =
        |e: &dyn std::fmt::Display| error(format!("cannot read {} as a spreadsheet: {e}", sheet.file.display()));
    let mut rows = Rows::new(label, sheet.name.is_none(), sink);
    if matches!(extension(&sheet.file).as_deref(), Some("xlsx" | "xlsm")) {
        let mut workbook: Xlsx<BufReader<File>> = open_workbook(&sheet.file).map_err(|e| cannot_open(&e))?;
        let name = chosen(&workbook.sheet_names(), sheet).map_err(error)?;
        let mut cells = workbook.worksheet_cells_reader(&name).map_err(|e| cannot_open(&e))?;
        while let Some(cell) =
            cells.next_cell().map_err(|e| rows.error(format!("cannot read the sheet {name:?}: {e}")))?
        {
            let (row, column) = cell.get_position();
            if !rows.cell(row, column, cell.get_value())? {
                return Ok(());
            }
        }
        return rows.finish();
    }
    let mut workbook = open_workbook_auto(&sheet.file).map_err(|e| cannot_open(&e))?;
    let name = chosen(&workbook.sheet_names(), sheet).map_err(error)?;
    let range = workbook.worksheet_range(&name).map_err(|e| cannot_open(&e))?;
    let (top, left) = range.start().unwrap_or((0, 0));
    for (row, column, data) in range.used_cells() {
        if !rows.cell(top + row as u32, left + column as u32, &data_ref(data))? {
            return Ok(());
        }
    }
    rows.finish()
}

/// The sheet the mapping names, or the first; a name not in the workbook
/// is an error listing the ones that are.
fn chosen(names: &[String], sheet: &Sheet) -> Result<String, String> {
    let Some(wanted) = &sheet.name else {
        return names.first().cloned().ok_or_else(|| format!("{} has no sheets", sheet.file.display()));
    };
    if names.contains(wanted) {
        return Ok(wanted.clone());
    }
    let suggestion = crate::suggest::nearest(wanted, names.iter().map(String::as_str))
        .map(|near| format!(" (did you mean {near:?}?)"))
        .unwrap_or_default();
    Err(format!(
        "{} has no sheet named {wanted:?}{suggestion}; its sheets are {}",
        sheet.file.display(),
        names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
    ))
}

/// A whole sheet's cell as the streaming reader gives one.
fn data_ref(data: &Data) -> DataRef<'_> {
    match data {
        Data::Int(n) => DataRef::Int(*n),
        Data::Float(x) => DataRef::Float(*x),
        Data::String(s) => DataRef::SharedString(s),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) => DataRef::DateTimeIso(s.clone()),
        Data::DurationIso(s) => DataRef::DurationIso(s.clone()),
        Data::Error(e) => DataRef::Error(e.clone()),
        Data::Empty => DataRef::Empty,
    }
}

/// Gathers cells, which come row by row and left to right, into records:
/// the first non-empty row is the header, every later non-empty row one
/// record of the header's columns.
struct Rows<'a> {
    label: &'a Path,
    first_sheet: bool,
    sink: &'a mut RowSink,
    /// The header's first column and its names.
    header: Option<(u32, usize)>,
    /// The row being gathered (from 0), and its cells by column.
    row: u32,
    cells: Vec<(u32, Value)>,
}

impl<'a> Rows<'a> {
    fn new(label: &'a Path, first_sheet: bool, sink: &'a mut RowSink) -> Self {
        Self { label, first_sheet, sink, header: None, row: 0, cells: Vec::new() }
    }

    fn error(&self, problem: String) -> SourceError {
        SourceError { file: self.label.to_owned(), line: Some(u64::from(self.row) + 1), problem }
    }

    /// Adds a cell; `false` once nobody reads the rows any more.
    fn cell(&mut self, row: u32, column: u32, data: &DataRef<'_>) -> Result<bool, SourceError> {
        if row != self.row && !self.end_row() {
            return Ok(false);
        }
        self.row = row;
        match typed(data) {
            Ok(Some(value)) => self.cells.push((column, value)),
            Ok(None) => {}
            Err(cell_error) => {
                let message = format!(
                    "cell {}{} holds the error {cell_error}; it is left out (fix its formula, or clear it)",
                    column_letters(column),
                    row + 1
                );
                self.sink.problem(
                    Problem::new(ProblemKind::InvalidLiteral, self.label, message).at_line(u64::from(row) + 1),
                );
            }
        }
        Ok(true)
    }

    /// Hands the gathered row over; `false` once nobody reads the rows.
    fn end_row(&mut self) -> bool {
        if self.cells.is_empty() {
            return true;
        }
        let cells = std::mem::take(&mut self.cells);
        let Some((first, width)) = self.header else {
            let first = cells[0].0;
            let width = (cells[cells.len() - 1].0 - first + 1) as usize;
            let mut names = vec![String::new(); width];
            for (column, value) in cells {
                names[(column - first) as usize] = value.text;
            }
            self.sink.columns(names);
            self.header = Some((first, width));
            return true;
        };
        let mut fields = vec![Vec::new(); width];
        for (column, value) in cells {
            if let Some(field) = column.checked_sub(first).and_then(|c| fields.get_mut(c as usize)) {
                field.push(value);
            }
        }
        self.sink.row(u64::from(self.row) + 1, fields)
    }

    fn finish(mut self) -> Result<(), SourceError> {
        self.end_row();
        if self.header.is_none() {
            let which = if self.first_sheet { " (the first sheet: the mapping names none)" } else { "" };
            return Err(SourceError {
                file: self.label.to_owned(),
                line: None,
                problem: format!("the sheet{which} is empty: it has no header row"),
            });
        }
        Ok(())
    }
}

/// A cell's typed value; `None` for an empty cell, the error's text for an
/// error cell.
fn typed(data: &DataRef<'_>) -> Result<Option<Value>, String> {
    let typed = |text: String, datatype| Some(Value { text, datatype: Some(datatype) });
    Ok(match data {
        DataRef::Empty => None,
        DataRef::String(s) if s.is_empty() => None,
        DataRef::SharedString("") => None,
        DataRef::String(s) => Some(Value::plain(s.as_str())),
        DataRef::SharedString(s) => Some(Value::plain(*s)),
        DataRef::Int(n) => typed(n.to_string(), xsd::INTEGER),
        DataRef::Float(x) => Some(number(*x)),
        DataRef::Bool(b) => typed(b.to_string(), xsd::BOOLEAN),
        DataRef::DateTime(moment) if moment.is_duration() => typed(duration(moment.as_f64()), DURATION),
        DataRef::DateTime(moment) => Some(date_time(moment)),
        DataRef::DateTimeIso(text) if text.contains('T') => typed(text.clone(), xsd::DATE_TIME),
        DataRef::DateTimeIso(text) if text.contains(':') => typed(text.clone(), xsd::TIME),
        DataRef::DateTimeIso(text) => typed(text.clone(), xsd::DATE),
        DataRef::DurationIso(text) => typed(text.clone(), DURATION),
        DataRef::Error(error) => return Err(error.to_string()),
    })
}

const DURATION: &str = oxrdf::vocab::xsd::DURATION.as_str();

/// The largest integer a double holds exactly (2^53).
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// A cell's number: spreadsheets store every number as a double, so a
/// whole one is written as the integer it is, any other in `xsd:double`'s
/// canonical form (lossless, as the file has it).
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() <= EXACT_INTEGERS {
        return Value { text: format!("{}", x as i64), datatype: Some(xsd::INTEGER) };
    }
    Value { text: super::natural::canonical_double(x), datatype: Some(xsd::DOUBLE) }
}

/// A date cell: `xsd:date` for a whole day, `xsd:time` for a time of day
/// alone (a serial below 1), else `xsd:dateTime`; no time zone, as Excel
/// keeps none.
fn date_time(moment: &ExcelDateTime) -> Value {
    let serial = moment.as_f64();
    let (year, month, day, hour, minute, second, milli) = moment.to_ymd_hms_milli();
    let time = if milli == 0 {
        format!("{hour:02}:{minute:02}:{second:02}")
    } else {
        format!("{hour:02}:{minute:02}:{second:02}.{milli:03}")
    };
    let date = format!("{year:04}-{month:02}-{day:02}");
    if serial.fract() == 0.0 {
        Value { text: date, datatype: Some(xsd::DATE) }
    } else if (0.0..1.0).contains(&serial) {
        Value { text: time, datatype: Some(xsd::TIME) }
    } else {
        Value { text: format!("{date}T{time}"), datatype: Some(xsd::DATE_TIME) }
    }
}

/// A duration cell (`[h]:mm:ss`), a number of days, as `xsd:duration`
/// (`P1DT2H30M`), to the millisecond.
fn duration(days: f64) -> String {
    let sign = if days < 0.0 { "-" } else { "" };
    let millis = (days.abs() * 86_400_000.0).round() as u64;
    let (whole_days, rest) = (millis / 86_400_000, millis % 86_400_000);
    let (hours, minutes, seconds, millis) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
    let mut text = format!("{sign}P");
    if whole_days > 0 {
        text.push_str(&format!("{whole_days}D"));
    }
    if rest > 0 || whole_days == 0 {
        text.push('T');
        if hours > 0 {
            text.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            text.push_str(&format!("{minutes}M"));
        }
        if seconds > 0 || millis > 0 || rest == 0 {
            match millis {
                0 => text.push_str(&format!("{seconds}S")),
                _ => text.push_str(&format!("{seconds}.{millis:03}S")),
            }
        }
    }
    text
}

/// A column's letters as spreadsheets show them: 0 is `A`, 26 is `AA`.
fn column_letters(column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = column + 1;
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Record;
    use rust_xlsxwriter::{ExcelDateTime as Moment, Format, Formula, Workbook};
    use std::io::Write;

    /// Rows as (line, each column's value as `text^^type`).
    type Shown = Vec<(u64, Vec<String>)>;

    /// A sheet's columns, every row, and the problems reading it found.
    fn read_all(label: &str, sheet: &Sheet) -> (Vec<String>, Shown, Vec<Problem>) {
        let mut source = open(Path::new(label), sheet).unwrap();
        let columns = source.fields().to_vec();
        let mut rows = Vec::new();
        loop {
            let batch = source.next_batch(100).unwrap();
            if batch.is_empty() {
                break;
            }
            for row in batch {
                let Record::Fields(fields) = row.record else { panic!("a table row") };
                let shown = fields
                    .iter()
                    .map(|values| match values.as_slice() {
                        [] => "NULL".to_owned(),
                        [Value { text, datatype: None }] => text.clone(),
                        [Value { text, datatype: Some(t) }] => format!("{text}^^{}", t.rsplit('#').next().unwrap()),
                        more => panic!("one value per cell, not {more:?}"),
                    })
                    .collect();
                rows.push((row.line, shown));
            }
        }
        (columns, rows, source.take_problems())
    }

    /// A workbook with a sheet "Notes" first and "Offerings" second, whose
    /// header is on row 3 from column B, with a blank row and an error cell.
    fn offerings(dir: &Path) -> PathBuf {
        let mut workbook = Workbook::new();
        workbook.add_worksheet().set_name("Notes").unwrap().write_string(0, 0, "see Offerings").unwrap();
        let sheet = workbook.add_worksheet().set_name("Offerings").unwrap();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let moment = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        for (column, name) in ["name", "n", "share", "active", "since", "at", "error"].iter().enumerate() {
            sheet.write_string(2, column as u16 + 1, *name).unwrap();
        }
        sheet.write_string(3, 1, "Azure").unwrap();
        sheet.write_number(3, 2, 3.0).unwrap();
        sheet.write_number(3, 3, 50.5).unwrap();
        sheet.write_boolean(3, 4, true).unwrap();
        sheet.write_datetime_with_format(3, 5, Moment::from_ymd(2014, 3, 26).unwrap(), &date).unwrap();
        let at = Moment::from_ymd(2013, 3, 14).unwrap().and_hms(10, 0, 0).unwrap();
        sheet.write_datetime_with_format(3, 6, at, &moment).unwrap();
        sheet.write_formula(3, 7, Formula::new("=1/0").set_result("#DIV/0!")).unwrap();
        // Row 5 is blank; row 6 has a value past the header's last column.
        sheet.write_string(5, 1, "AWS").unwrap();
        sheet.write_number(5, 3, -0.25).unwrap();
        sheet.write_string(5, 9, "outside").unwrap();
        let file = dir.join("facts.xlsx");
        workbook.save(&file).unwrap();
        file
    }

    #[test]
    fn an_xlsx_sheet_gives_typed_values_at_its_row_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let file = offerings(dir.path());
        let sheet = Sheet { file: file.clone(), name: Some("Offerings".into()) };
        assert_eq!(label(&sheet), PathBuf::from(format!("{}:Offerings", file.display())));
        let (columns, rows, problems) = read_all("facts.xlsx:Offerings", &sheet);
        assert_eq!(columns, ["name", "n", "share", "active", "since", "at", "error"]);
        let row = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows,
            [
                (
                    4,
                    row(&[
                        "Azure",
                        "3^^integer",
                        "5.05E1^^double",
                        "true^^boolean",
                        "2014-03-26^^date",
                        "2013-03-14T10:00:00^^dateTime",
                        "NULL"
                    ])
                ),
                (6, row(&["AWS", "NULL", "-2.5E-1^^double", "NULL", "NULL", "NULL", "NULL"])),
            ]
        );
        let messages: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["facts.xlsx:Offerings:4: cell H4 holds the error #DIV/0!; it is left out (fix its formula, or clear it)"]
        );
    }

    #[test]
    fn without_a_name_the_first_sheet_is_read_and_named_in_the_label() {
        let dir = tempfile::tempdir().unwrap();
        let sheet = Sheet { file: offerings(dir.path()), name: None };
        assert!(label(&sheet).to_string_lossy().ends_with("facts.xlsx:Notes"), "{}", label(&sheet).display());
        let (columns, rows, _) = read_all("facts.xlsx:Notes", &sheet);
        assert_eq!((columns, rows.len()), (vec!["see Offerings".to_owned()], 0));
    }

    #[test]
    fn a_sheet_not_in_the_workbook_is_an_error_naming_the_sheets_there_are() {
        let dir = tempfile::tempdir().unwrap();
        let sheet = Sheet { file: offerings(dir.path()), name: Some("Oferings".into()) };
        let error = open(Path::new("facts.xlsx:Oferings"), &sheet).err().unwrap().to_string();
        assert!(
            error.contains(
                r#"no sheet named "Oferings" (did you mean "Offerings"?); its sheets are "Notes", "Offerings""#
            ),
            "{error}"
        );
        let missing = Sheet { file: dir.path().join("gone.xlsx"), name: None };
        assert_eq!(label(&missing), missing.file);
        assert!(open(&missing.file, &missing).err().unwrap().problem.contains("does not exist"));
    }

    #[test]
    fn an_empty_sheet_is_an_error_that_says_it_was_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut workbook = Workbook::new();
        workbook.add_worksheet();
        let file = dir.path().join("empty.xlsx");
        workbook.save(&file).unwrap();
        let error = open(Path::new("empty.xlsx:Sheet1"), &Sheet { file, name: None }).err().unwrap();
        assert_eq!(
            error.to_string(),
            "empty.xlsx:Sheet1: the sheet (the first sheet: the mapping names none) is empty: it has no header row"
        );
    }

    /// An OpenDocument spreadsheet as LibreOffice writes one, cut to what
    /// readers need.
    fn ods(dir: &Path, rows: &str) -> PathBuf {
        let file = dir.join("facts.ods");
        let mut zip = zip::ZipWriter::new(File::create(&file).unwrap());
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
        zip.start_file("META-INF/manifest.xml", stored).unwrap();
        zip.write_all(
            br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
        )
        .unwrap();
        zip.start_file("content.xml", stored).unwrap();
        write!(
            zip,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
  xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet>
<table:table table:name="Partners &amp; Co">{rows}</table:table>
<table:table table:name="Other"><table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#
        )
        .unwrap();
        zip.finish().unwrap();
        file
    }

    #[test]
    fn an_ods_sheet_gives_typed_values_too() {
        let dir = tempfile::tempdir().unwrap();
        let cell = |kind: &str, attributes: &str, text: &str| {
            format!(
                r#"<table:table-cell office:value-type="{kind}" {attributes}><text:p>{text}</text:p></table:table-cell>"#
            )
        };
        let rows = [
            format!(
                "<table:table-row>{}{}{}</table:table-row>",
                cell("string", "", "slug"),
                cell("string", "", "since"),
                cell("string", "", "size")
            ),
            format!(
                "<table:table-row>{}{}{}</table:table-row>",
                cell("string", "", "sinnet"),
                cell("date", r#"office:date-value="2016-08-01""#, "01/08/16"),
                cell("float", r#"office:value="12""#, "12")
            ),
        ]
        .concat();
        let file = ods(dir.path(), &rows);
        let sheet = Sheet { file: file.clone(), name: None };
        assert!(label(&sheet).to_string_lossy().ends_with("facts.ods:Partners & Co"));
        let (columns, rows, _) = read_all("facts.ods", &sheet);
        assert_eq!(columns, ["slug", "since", "size"]);
        assert_eq!(rows, [(2, vec!["sinnet".to_owned(), "2016-08-01^^date".to_owned(), "12^^integer".to_owned()])]);
    }

    #[test]
    fn a_legacy_xls_sheet_gives_typed_values_too() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/offerings.xls");
        let sheet = Sheet { file: file.clone(), name: None };
        assert!(label(&sheet).to_string_lossy().ends_with("offerings.xls:Notes"));
        let sheet = Sheet { file, name: Some("Offerings".into()) };
        let (columns, rows, problems) = read_all("offerings.xls:Offerings", &sheet);
        assert_eq!(columns, ["id", "name", "since", "at", "share", "active"]);
        let row = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
        assert_eq!(
            rows,
            [
                (
                    2,
                    row(&[
                        "1^^integer",
                        "Azure",
                        "2014-03-26^^date",
                        "2013-03-14T10:00:00^^dateTime",
                        "5.05E1^^double",
                        "true^^boolean"
                    ])
                ),
                (4, row(&["3^^integer", "AWS", "NULL", "NULL", "NULL", "NULL"])),
            ]
        );
        assert!(problems.is_empty());
    }

    #[test]
    fn numbers_durations_and_column_letters_are_written_as_documented() {
        assert_eq!(number(3.0), Value { text: "3".into(), datatype: Some(xsd::INTEGER) });
        assert_eq!(number(-0.0).text, "0");
        assert_eq!(number(1e20).text, "1.0E20");
        assert_eq!(number(0.1).text, "1.0E-1");
        assert_eq!(duration(1.5), "P1DT12H");
        assert_eq!(duration(0.0), "PT0S");
        assert_eq!(duration(-1.0 / 24.0 - 1.0 / 86_400_000.0), "-PT1H0.001S");
        assert_eq!(duration(2.0), "P2D");
        assert_eq!(
            [column_letters(0), column_letters(25), column_letters(26), column_letters(701)],
            ["A", "Z", "AA", "ZZ"]
        );
    }
}
