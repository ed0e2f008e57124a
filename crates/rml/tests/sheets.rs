//! Spreadsheets and columnar files end to end, on files made here: a sheet
//! named by `rml:iterator` or the first one, in .xlsx and .ods; Parquet and
//! Arrow IPC; typed values; joins to a CSV file, a logical view and a
//! function over them; and messages that name the file and sheet.

mod common;

use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use factgraph_rml::mapping::{self, Plan};
use factgraph_rml::Error;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

const PREFIXES: &str = "@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://w3id.org/rml/> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix grel: <http://users.ugent.be/~bjdmeest/function/grel.ttl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.com/> .
";

const PARTNERS: &str = "slug,name\n21vianet,21Vianet\nsinnet,Sinnet\n";

/// The offerings as a spreadsheet would hold them: a notes sheet first,
/// then the table, with an empty row between two offerings.
fn xlsx(dir: &Path) {
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("Notes").unwrap().write_string(0, 0, "about").unwrap();
    let sheet = workbook.add_worksheet().set_name("Offerings").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (column, name) in ["id", "name", "since", "share", "partner"].iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    sheet.write_number(1, 0, 1).unwrap();
    sheet.write_string(1, 1, "Azure").unwrap();
    sheet.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2014, 3, 26).unwrap(), &date).unwrap();
    sheet.write_number(1, 3, 50.5).unwrap();
    sheet.write_string(1, 4, "21Vianet").unwrap();
    sheet.write_number(3, 0, 3).unwrap();
    sheet.write_string(3, 1, "n/a").unwrap();
    sheet.write_string(3, 4, "Sinnet").unwrap();
    workbook.save(dir.join("facts.xlsx")).unwrap();
}

/// The same offerings in Parquet.
fn parquet(dir: &Path) {
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("id", Arc::new(Int64Array::from(vec![1, 3]))),
        ("name", Arc::new(StringArray::from(vec![Some("Azure"), None]))),
        ("since", Arc::new(Date32Array::from(vec![Some(16155), None]))),
        ("share", Arc::new(Float64Array::from(vec![Some(50.5), None]))),
        ("partner", Arc::new(StringArray::from(vec!["21Vianet", "Sinnet"]))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(File::create(dir.join("facts.parquet")).unwrap(), batch.schema(), None)
            .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let mut writer =
        arrow_ipc::writer::FileWriter::try_new(File::create(dir.join("facts.feather")).unwrap(), &batch.schema())
            .unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
}

/// The offerings as an OpenDocument spreadsheet of one sheet.
fn ods(dir: &Path) {
    let cell = |kind: &str, value: &str, text: &str| {
        format!(r#"<table:table-cell office:value-type="{kind}" {value}><text:p>{text}</text:p></table:table-cell>"#)
    };
    let row = |cells: &[String]| format!("<table:table-row>{}</table:table-row>", cells.concat());
    let rows = [
        row(&[cell("string", "", "id"), cell("string", "", "name"), cell("string", "", "partner")]),
        row(&[cell("float", r#"office:value="1""#, "1"), cell("string", "", "Azure"), cell("string", "", "21Vianet")]),
    ]
    .concat();
    let mut zip = zip::ZipWriter::new(File::create(dir.join("facts.ods")).unwrap());
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
<office:body><office:spreadsheet><table:table table:name="Offerings">{rows}</table:table></office:spreadsheet></office:body>
</office:document-content>"#
    )
    .unwrap();
    zip.finish().unwrap();
}

fn project(mapping: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    xlsx(dir.path());
    parquet(dir.path());
    ods(dir.path());
    std::fs::write(dir.path().join("partners.csv"), PARTNERS).unwrap();
    std::fs::write(dir.path().join("mapping.ttl"), format!("{PREFIXES}{mapping}")).unwrap();
    dir
}

fn quads(dir: &Path) -> Result<Vec<String>, Error> {
    common::mapped_quads(&dir.join("mapping.ttl"))
}

/// Offerings from `source` (the text after `rml:logicalSource`), with a
/// name, a date, a share and a partner joined from the CSV file.
fn offerings_from(source: &str) -> String {
    format!(
        r#"ex:Offerings rml:logicalSource {source} ;
  rml:subjectMap [ rml:template "http://example.com/o/{{id}}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:name ; rml:objectMap [ rml:reference "name" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:since ; rml:objectMap [ rml:reference "since" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:share ; rml:objectMap [ rml:reference "share" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:partner ; rml:objectMap [ rml:parentTriplesMap ex:Partners ;
      rml:joinCondition [ rml:child "partner" ; rml:parent "name" ] ] ] .
ex:Partners rml:logicalSource [ rml:source "partners.csv" ; rml:referenceFormulation rml:CSV ] ;
  rml:subjectMap [ rml:template "http://example.com/org/{{slug}}" ] ."#
    )
}

const OFFERINGS: [&str; 6] = [
    r#"<http://example.com/o/1> <http://example.com/name> "Azure""#,
    r#"<http://example.com/o/1> <http://example.com/partner> <http://example.com/org/21vianet>"#,
    r#"<http://example.com/o/1> <http://example.com/share> "5.05E1"^^<http://www.w3.org/2001/XMLSchema#double>"#,
    r#"<http://example.com/o/1> <http://example.com/since> "2014-03-26"^^<http://www.w3.org/2001/XMLSchema#date>"#,
    r#"<http://example.com/o/3> <http://example.com/partner> <http://example.com/org/sinnet>"#,
    // (The sheet's "n/a" is NULL where the mapping says so.)
    "",
];

fn expected() -> Vec<&'static str> {
    OFFERINGS.iter().copied().filter(|q| !q.is_empty()).collect()
}

#[test]
fn an_xlsx_sheet_named_by_the_iterator_maps_with_typed_values_and_joins_a_csv_file() {
    let dir = project(&offerings_from(
        r#"[ rml:source [ a rml:RelativePathSource ; rml:path "facts.xlsx" ; rml:null "n/a" ] ;
      rml:referenceFormulation rml:CSV ; rml:iterator "Offerings" ]"#,
    ));
    assert_eq!(quads(dir.path()).unwrap(), expected());
}

#[test]
fn a_parquet_and_an_arrow_file_named_as_plain_paths_map_the_same() {
    for file in ["facts.parquet", "facts.feather"] {
        let dir = project(&offerings_from(&format!(r#"[ rml:source "{file}" ; rml:referenceFormulation ql:CSV ]"#)));
        assert_eq!(quads(dir.path()).unwrap(), expected(), "{file}");
    }
}

#[test]
fn without_an_iterator_the_first_sheet_is_read_here_an_ods_one() {
    let dir = project(
        r#"ex:Offerings rml:logicalSource [ rml:source "facts.ods" ] ;
  rml:subjectMap [ rml:template "http://example.com/o/{id}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:partner ; rml:objectMap [ rml:parentTriplesMap ex:Partners ;
      rml:joinCondition [ rml:child "partner" ; rml:parent "name" ] ] ] .
ex:Partners rml:logicalSource [ rml:source "partners.csv" ] ;
  rml:subjectMap [ rml:template "http://example.com/org/{slug}" ] ."#,
    );
    assert_eq!(
        quads(dir.path()).unwrap(),
        ["<http://example.com/o/1> <http://example.com/partner> <http://example.com/org/21vianet>"]
    );
}

#[test]
fn views_and_functions_work_over_a_sheet_unchanged() {
    let dir = project(
        r#"<#Named> a rml:LogicalView ;
  rml:viewOn [ rml:source "facts.xlsx" ; rml:iterator "Offerings" ] ;
  rml:field [ rml:fieldName "key" ; rml:reference "id" ] ;
  rml:field [ rml:fieldName "label" ; rml:reference "name" ] .
ex:Named rml:logicalSource <#Named> ;
  rml:subjectMap [ rml:template "http://example.com/o/{key}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:label ; rml:objectMap [
      rml:functionExecution [ rml:function grel:toUpperCase ;
        rml:input [ rml:parameter grel:valueParameter ; rml:inputValueMap [ rml:reference "label" ] ] ] ] ] ."#,
    );
    assert_eq!(
        quads(dir.path()).unwrap(),
        [
            r#"<http://example.com/o/1> <http://example.com/label> "AZURE""#,
            r#"<http://example.com/o/3> <http://example.com/label> "N/A""#,
        ]
    );
}

#[test]
fn a_misspelt_column_or_sheet_names_the_file_and_sheet() {
    let dir = project(
        r#"ex:Offerings rml:logicalSource [ rml:source "facts.xlsx" ; rml:iterator "Offerings" ] ;
  rml:subjectMap [ rml:template "http://example.com/o/{nmae}" ] ."#,
    );
    let error = quads(dir.path()).unwrap_err().to_string();
    assert!(error.contains("facts.xlsx:Offerings") && error.contains("did you mean \"name\""), "{error}");
    let dir = project(
        r#"ex:Offerings rml:logicalSource [ rml:source "facts.xlsx" ; rml:iterator "Offering" ] ;
  rml:subjectMap [ rml:template "http://example.com/o/{id}" ] ."#,
    );
    let error = quads(dir.path()).unwrap_err().to_string();
    assert!(error.contains(r#"has no sheet named "Offering" (did you mean "Offerings"?)"#), "{error}");
}

#[test]
fn a_bad_value_in_a_sheet_is_a_problem_at_its_file_sheet_and_row() {
    let dir = project(
        r#"ex:Offerings rml:logicalSource [ rml:source "facts.xlsx" ; rml:iterator "Offerings" ] ;
  rml:subjectMap [ rml:template "http://example.com/o/{id}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:since ; rml:objectMap [ rml:reference "name" ; rml:datatype xsd:date ] ] ."#,
    );
    let messages = issues(dir.path());
    assert!(messages.iter().any(|m| m.starts_with("facts.xlsx:Offerings:2:") && m.contains("Azure")), "{messages:?}");
    assert!(messages.iter().any(|m| m.starts_with("facts.xlsx:Offerings:4:") && m.contains("n/a")), "{messages:?}");
}

/// The problems a run reports, as `file:line: message`, with the file
/// relative to the project.
fn issues(dir: &Path) -> Vec<String> {
    let mapping = mapping::read_mapping_files(&[dir.join("mapping.ttl")]).unwrap();
    let plan = Plan::compile(&mapping).unwrap();
    let mut issues = Vec::new();
    let report = mapping::run(&plan, &mut |batch| {
        issues.extend(batch.issues.iter().cloned());
        Ok::<_, Error>(())
    })
    .unwrap();
    issues.extend(report.issues);
    let prefix = format!("{}/", dir.display());
    issues.iter().map(|issue| issue.to_string().replace(&prefix, "")).collect()
}

/// Reading speed of the two formats of the issue's benchmark (a table of
/// 20 columns; `FACTGRAPH_TABLE_ROWS` rows, 200 000 unless set), through
/// the engine's source trait only: `cargo test --release -p factgraph-rml
/// --test sheets -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: run it by hand"]
fn reading_speed_of_a_wide_xlsx_and_parquet_table() {
    let rows: u32 = std::env::var("FACTGRAPH_TABLE_ROWS").ok().and_then(|n| n.parse().ok()).unwrap_or(200_000);
    let dir = tempfile::tempdir().unwrap();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Table").unwrap();
    for column in 0..20u16 {
        sheet.write_string(0, column, format!("c{column}")).unwrap();
    }
    let mut text: Vec<Vec<String>> = vec![Vec::new(); 10];
    let mut numbers: Vec<Vec<f64>> = vec![Vec::new(); 10];
    for row in 1..=rows {
        for column in 0..10u16 {
            let value = format!("value {row} {column}");
            sheet.write_string(row, column, &value).unwrap();
            text[column as usize].push(value);
            let number = f64::from(row) * 1.5 + f64::from(column);
            sheet.write_number(row, column + 10, number).unwrap();
            numbers[column as usize].push(number);
        }
    }
    let xlsx = dir.path().join("table.xlsx");
    workbook.save(&xlsx).unwrap();
    let mut columns: Vec<(String, ArrayRef)> = Vec::new();
    for (i, values) in text.into_iter().enumerate() {
        columns.push((format!("c{i}"), Arc::new(StringArray::from(values))));
    }
    for (i, values) in numbers.into_iter().enumerate() {
        columns.push((format!("c{}", i + 10), Arc::new(Float64Array::from(values))));
    }
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let parquet_file = dir.path().join("table.parquet");
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(File::create(&parquet_file).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    for (file, format) in [(xlsx, "xlsx"), (parquet_file, "parquet")] {
        let source =
            factgraph_rml::source::Description::file(&file, factgraph_rml::source::Format::Csv { delimiter: b',' });
        let mapping = format!(
            "{PREFIXES}ex:T rml:logicalSource [ rml:source \"{}\" ] ; rml:subjectMap [ rml:template \"http://example.com/{{c0}}\" ] .",
            source.path.display()
        );
        std::fs::write(dir.path().join("mapping.ttl"), mapping).unwrap();
        let read = mapping::read_mapping_files(&[dir.path().join("mapping.ttl")]).unwrap();
        let started = std::time::Instant::now();
        let mut opened = factgraph_rml::source::open(&read.triples_maps[0].source).unwrap();
        let mut count = 0;
        loop {
            let batch = opened.next_batch(10_000).unwrap();
            if batch.is_empty() {
                break;
            }
            count += batch.len();
        }
        let seconds = started.elapsed().as_secs_f64();
        let size = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
        println!(
            "{format}: {count} rows × 20 columns ({size:.1} MB) read in {seconds:.2} s: {:.0} rows/s",
            count as f64 / seconds
        );
        assert_eq!(count, rows as usize);
    }
}
