//! `factgraph init DIR --from …`: a project from a researcher's own tables
//! that checks, builds and answers its example question at once.

use crate::common::{csv_rows, run_ok};
use std::path::Path;
use std::process::Command;

fn factgraph(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_factgraph")).args(args).current_dir(dir).output().expect("factgraph runs")
}

/// A folder of CSV files as a researcher keeps them: one with an `id`
/// column, one whose first unique text column names its rows, one with
/// no identifier at all.
fn csv_folder(dir: &Path) -> std::path::PathBuf {
    let folder = dir.join("my-tables");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("offerings.csv"),
        "id,service,operator,since,share\no1,Azure,21Vianet,2014-03-26,50.5\no2,AWS,Sinnet,2016-08-01,\n",
    )
    .unwrap();
    std::fs::write(folder.join("companies.csv"), "name,founded\n21Vianet,1996\nSinnet,1999\n").unwrap();
    std::fs::write(folder.join("notes.csv"), "note,year\nlicence dispute,2013\nlicence dispute,2017\n").unwrap();
    folder
}

#[test]
fn a_folder_of_csv_files_becomes_a_project_that_checks_builds_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let from = csv_folder(dir.path());
    let out = run_ok(dir.path(), &["init", "research", "--from", from.to_str().unwrap()]);
    assert!(out.contains("offerings: 2 rows, 5 columns, identified by id"), "{out}");
    assert!(out.contains("companies: 2 rows, 2 columns, identified by name"), "{out}");
    assert!(out.contains("notes: 2 rows, 2 columns, identified by row number"), "{out}");
    let project = dir.path().join("research");
    for file in [
        "factgraph.toml",
        "README.md",
        "mappings/offerings.yml",
        "ontology/ontology.ttl",
        "ontology/shapes.ttl",
        "queries/offerings.rq",
        "data/notes.csv",
    ] {
        assert!(project.join(file).is_file(), "{file} written");
    }
    let notes = std::fs::read_to_string(project.join("data/notes.csv")).unwrap();
    assert!(notes.starts_with("row,note,year\n1,licence dispute,2013\n2,"), "row numbers added: {notes}");
    run_ok(&project, &["check"]);
    run_ok(&project, &["build", "--quiet"]);
    let answer = csv_rows(&run_ok(&project, &["query", "offerings", "--format", "csv"]));
    assert_eq!(answer[0], ["offering", "id", "service", "operator", "since"]);
    assert_eq!(answer.len(), 3, "a header and both offerings: {answer:?}");
    assert_eq!(answer[1][0], "https://example.org/research/offering/o1");
    assert_eq!(answer[1][4], "2014-03-26");
    let typed = run_ok(
        &project,
        &[
            "query",
            "--sparql",
            "SELECT ?d WHERE { ?o <https://example.org/research/ontology#since> ?d } LIMIT 1",
            "--format",
            "json",
        ],
    );
    assert!(typed.contains("http://www.w3.org/2001/XMLSchema#date"), "dates are typed: {typed}");
}

#[test]
fn a_sqlite_file_gives_a_mapping_per_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("facts.sqlite");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch(
            "CREATE TABLE services (code TEXT, name VARCHAR(20), launched DATE);
             INSERT INTO services VALUES ('az', 'Azure', '2014-03-26'), ('aws', 'AWS', '2016-08-01');
             CREATE TABLE events (what TEXT, year INTEGER);
             INSERT INTO events VALUES ('sale', 2017), ('sale', 2017);",
        )
        .unwrap();
    let out = run_ok(dir.path(), &["init", "db-project", "--from", "facts.sqlite"]);
    assert!(out.contains("services: 2 rows, 3 columns, identified by code"), "{out}");
    assert!(out.contains("events: 2 rows, 2 columns, identified by row number"), "{out}");
    let project = dir.path().join("db-project");
    run_ok(&project, &["check"]);
    run_ok(&project, &["build", "--quiet"]);
    let events = csv_rows(&run_ok(&project, &["query", "events", "--format", "csv"]));
    assert_eq!(events.len(), 3, "both rows, though alike, by their row numbers: {events:?}");
    let services = csv_rows(&run_ok(&project, &["query", "services", "--format", "csv"]));
    assert_eq!(services[1][0], "https://example.org/db-project/service/aws");
}

#[test]
fn init_refuses_a_folder_in_use_and_an_input_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let from = csv_folder(dir.path());
    let output = factgraph(dir.path(), &["init", "my-tables", "--from", from.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not empty"));
    std::fs::write(dir.path().join("facts.pdf"), "%PDF").unwrap();
    let output = factgraph(dir.path(), &["init", "new", "--from", "facts.pdf"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("facts.pdf") && stderr.contains("not .pdf"), "{stderr}");
    assert!(!dir.path().join("new").exists(), "nothing written");
}

#[test]
fn a_spreadsheet_gives_a_mapping_per_sheet_with_typed_columns() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet().set_name("Licences").unwrap();
    for (column, name) in ["code", "holder", "granted", "share"].iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (row, (code, holder, year, share)) in
        [("B11", "21Vianet", 2013, 50.5), ("B12", "Sinnet", 2016, 100.0)].iter().enumerate()
    {
        let row = row as u32 + 1;
        sheet.write_string(row, 0, *code).unwrap();
        sheet.write_string(row, 1, *holder).unwrap();
        sheet.write_datetime_with_format(row, 2, ExcelDateTime::from_ymd(*year, 3, 14).unwrap(), &date).unwrap();
        sheet.write_number(row, 3, *share).unwrap();
    }
    let notes = workbook.add_worksheet().set_name("Notes").unwrap();
    notes.write_string(0, 0, "note").unwrap();
    notes.write_string(1, 0, "same").unwrap();
    notes.write_string(2, 0, "same").unwrap();
    workbook.add_worksheet().set_name("Empty").unwrap();
    workbook.save(dir.path().join("facts.xlsx")).unwrap();
    let out = run_ok(dir.path(), &["init", "sheets", "--from", "facts.xlsx"]);
    assert!(out.contains("licences: 2 rows, 4 columns, identified by code"), "{out}");
    assert!(out.contains("notes: 2 rows, 1 columns, no identifier column: blank nodes"), "{out}");
    let project = dir.path().join("sheets");
    run_ok(&project, &["check"]);
    run_ok(&project, &["build", "--quiet"]);
    let licences = csv_rows(&run_ok(&project, &["query", "licences", "--format", "csv"]));
    assert_eq!(licences[0], ["licence", "code", "holder", "granted", "share"]);
    assert_eq!(licences[1], ["https://example.org/sheets/licence/B11", "B11", "21Vianet", "2013-03-14", "50.5"]);
    let notes = csv_rows(&run_ok(&project, &["query", "notes", "--format", "csv"]));
    assert_eq!(notes.len(), 3, "both rows, as blank nodes: {notes:?}");
}
