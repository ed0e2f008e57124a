//! `factgraph init DIR --from …`: a project from a researcher's own tables
//! that checks, builds and answers its example question at once.

use crate::common::{csv_rows, run_ok, servers, skip, REQUIRE_PEERS};
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
    notes.write_string(0, 1, "year").unwrap();
    for row in [1, 2] {
        notes.write_string(row, 0, "same").unwrap();
        notes.write_number(row, 1, 2013).unwrap();
    }
    workbook.add_worksheet().set_name("Empty").unwrap();
    workbook.save(dir.path().join("facts.xlsx")).unwrap();
    let out = run_ok(dir.path(), &["init", "sheets", "--from", "facts.xlsx"]);
    assert!(out.contains("licences: 2 rows, 4 columns, identified by code"), "{out}");
    assert!(out.contains("notes: 2 rows, 2 columns, identified by row position"), "{out}");
    let project = dir.path().join("sheets");
    assert!(project.join("mappings/notes.ttl").is_file(), "a sheet numbered by a view is mapped in RML");
    run_ok(&project, &["check"]);
    run_ok(&project, &["build", "--quiet"]);
    let licences = csv_rows(&run_ok(&project, &["query", "licences", "--format", "csv"]));
    assert_eq!(licences[0], ["licence", "code", "holder", "granted", "share"]);
    assert_eq!(licences[1], ["https://example.org/sheets/licence/B11", "B11", "21Vianet", "2013-03-14", "50.5"]);
    let expected = [
        vec!["noteResource", "note", "year"],
        vec!["https://example.org/sheets/note/0", "same", "2013"],
        vec!["https://example.org/sheets/note/1", "same", "2013"],
    ];
    let notes = csv_rows(&run_ok(&project, &["query", "notes", "--format", "csv"]));
    assert_eq!(notes, expected, "each row named by its position, from 0");
    run_ok(&project, &["build", "--full", "--quiet"]);
    let again = csv_rows(&run_ok(&project, &["query", "notes", "--format", "csv"]));
    assert_eq!(again, expected, "a second build names the rows alike");
    let typed = run_ok(
        &project,
        &[
            "query",
            "--sparql",
            "SELECT ?y WHERE { ?n <https://example.org/sheets/ontology#year> ?y }",
            "--format",
            "json",
        ],
    );
    assert!(typed.contains("http://www.w3.org/2001/XMLSchema#integer"), "typed in the view too: {typed}");
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    assert!(readme.contains("| notes | 2 | row position (`#`, from 0) | mappings/notes.ttl |"), "{readme}");
}

/// A small shop's database: a table with a primary key (integer, text,
/// decimal, date and boolean columns, some NULL), one without any key whose
/// rows repeat, one with a primary key of two columns, and a view.
const SHOP: &str = "CREATE TABLE offering (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, share DECIMAL(5,2), \
    since DATE, active BOOLEAN);
INSERT INTO offering VALUES (1, 'Azure', 50.5, '2014-03-26', TRUE), (2, 'AWS', NULL, NULL, FALSE),
    (3, 'Office 365', 100, '2016-08-01', NULL);
CREATE TABLE note (what VARCHAR(40), year INTEGER);
INSERT INTO note VALUES ('sale', 2017), ('licence', NULL), ('sale', 2017);
CREATE VIEW active_offering AS SELECT name, since FROM offering WHERE active;
CREATE TABLE price (offering INTEGER, year INTEGER, amount DECIMAL(8,2), PRIMARY KEY (offering, year));
INSERT INTO price VALUES (2, 2020, 10), (1, 2021, 5.5), (1, 2020, 5);
";

/// Starts a server with `start`, loads [`SHOP`] into its database `test`,
/// and returns it; `None` (the test skipped) when it cannot be started.
fn shop_server(start: servers::Start) -> Option<servers::Server> {
    let server = match start() {
        Ok(server) => server,
        Err(why) => {
            skip(REQUIRE_PEERS, &why);
            return None;
        }
    };
    server.reset().expect("an empty database test");
    let script = server.dir.path().join("shop.sql");
    std::fs::write(&script, SHOP).unwrap();
    server.sql("", Some(&script)).expect("the shop loads");
    Some(server)
}

/// `factgraph ARGS` in `dir` with the database password in the environment
/// (or not), and its output.
fn with_password(dir: &Path, args: &[&str], password: Option<&str>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_factgraph"));
    command.args(args).current_dir(dir).env_remove("FACTGRAPH_DATABASE_PASSWORD");
    if let Some(password) = password {
        command.env("FACTGRAPH_DATABASE_PASSWORD", password);
    }
    command.output().expect("factgraph runs")
}

fn succeeded(output: std::process::Output, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{what} failed: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// init from `url`, then check, build and the example questions in the
/// project, with the password (if any) from the environment only.
fn a_database_becomes_a_project(url: &str, password: Option<&str>) {
    let dir = tempfile::tempdir().unwrap();
    let out = succeeded(with_password(dir.path(), &["init", "shop", "--from", url], None), "init");
    assert!(out.contains("offering: 3 rows, 5 columns, identified by id"), "{out}");
    assert!(out.contains("note: 3 rows, 2 columns, identified by row number"), "{out}");
    assert!(out.contains("active-offering: 1 rows, 2 columns, identified by name"), "{out}");
    assert!(out.contains("price: 3 rows, 3 columns, identified by row number"), "{out}");
    let project = dir.path().join("shop");
    assert!(!project.join("data").exists() || std::fs::read_dir(project.join("data")).unwrap().next().is_none());
    let mut written = String::new();
    for file in ["factgraph.toml", "README.md", "mappings/offering.yml", "mappings/note.yml"] {
        written.push_str(&std::fs::read_to_string(project.join(file)).unwrap());
    }
    if let Some(password) = password {
        assert!(!written.contains(password), "the password is written nowhere:\n{written}");
        assert!(written.contains("\npassword_env = \"FACTGRAPH_DATABASE_PASSWORD\""), "{written}");
        let output = with_password(&project, &["build", "--quiet"], None);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "no password, no build: {stderr}");
        assert!(stderr.contains("FACTGRAPH_DATABASE_PASSWORD"), "the message names the variable: {stderr}");
    }
    assert!(written.contains("export FACTGRAPH_DATABASE_PASSWORD="), "the README says how: {written}");
    let run = |args: &[&str]| succeeded(with_password(&project, args, password), &format!("{args:?}"));
    run(&["check"]);
    run(&["build", "--quiet"]);
    let offerings = csv_rows(&run(&["query", "offering", "--format", "csv"]));
    assert_eq!(
        offerings,
        [
            vec!["offering", "id", "name", "share", "since"],
            vec!["https://example.org/shop/offering/1", "1", "Azure", "50.5", "2014-03-26"],
            vec!["https://example.org/shop/offering/2", "2", "AWS", "", ""],
            vec!["https://example.org/shop/offering/3", "3", "Office 365", "100", "2016-08-01"],
        ]
    );
    let typed = run(&[
        "query",
        "--sparql",
        "PREFIX ex: <https://example.org/shop/ontology#> SELECT ?id ?share ?since ?active \
         WHERE { ?o ex:id ?id ; ex:share ?share ; ex:since ?since ; ex:active ?active }",
        "--format",
        "json",
    ]);
    for datatype in ["integer", "decimal", "date", "boolean"] {
        assert!(typed.contains(&format!("http://www.w3.org/2001/XMLSchema#{datatype}")), "{datatype}: {typed}");
    }
    let expected_notes = [
        vec!["note", "what", "year"],
        vec!["https://example.org/shop/note/1", "licence", ""],
        vec!["https://example.org/shop/note/2", "sale", "2017"],
        vec!["https://example.org/shop/note/3", "sale", "2017"],
    ];
    assert_eq!(csv_rows(&run(&["query", "note", "--format", "csv"])), expected_notes, "numbered in a fixed order");
    let active = csv_rows(&run(&["query", "active-offering", "--format", "csv"]));
    assert_eq!(active[1], ["https://example.org/shop/active-offering/Azure", "Azure", "2014-03-26"]);
    let prices = csv_rows(&run(&["query", "price", "--format", "csv"]));
    assert_eq!(
        prices[1..],
        [
            vec!["https://example.org/shop/price/1", "1", "2020", "5"],
            vec!["https://example.org/shop/price/2", "1", "2021", "5.5"],
            vec!["https://example.org/shop/price/3", "2", "2020", "10"],
        ],
        "numbered in the order of the primary key"
    );
    run(&["build", "--full", "--quiet"]);
    assert_eq!(csv_rows(&run(&["query", "note", "--format", "csv"])), expected_notes, "and again");
}

#[test]
fn a_postgresql_database_becomes_a_project_whose_password_is_written_nowhere() {
    let Some(server) = shop_server(servers::start_postgres) else { return };
    let url = format!("postgresql://postgres:s3cret@127.0.0.1:{}/test", server.port);
    a_database_becomes_a_project(&url, Some("s3cret"));
}

#[test]
fn a_mariadb_database_becomes_a_project() {
    let Some(server) = shop_server(servers::start_mariadb) else { return };
    a_database_becomes_a_project(&format!("mysql://root@127.0.0.1:{}/test", server.port), None);
}
