//! Shared helpers of the integration tests: a copy of a fixture project in a
//! temporary folder, and the real `factgraph` binary run inside it.
#![allow(dead_code)]

use std::io::Write;

/// PostgreSQL and MariaDB servers the test starts itself (shared with the
/// engine's SQL test cases).
#[path = "../../../crates/rml/tests/common/servers.rs"]
pub mod servers;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Set (to anything) in CI: a conformance suite that is missing fails the
/// test that needs it instead of skipping it.
pub const REQUIRE_CONFORMANCE: &str = "FACTGRAPH_REQUIRE_CONFORMANCE";
/// Set in CI: an outside program (Oxigraph's server, Chromium) that is
/// missing fails the test that needs it instead of skipping it.
pub const REQUIRE_PEERS: &str = "FACTGRAPH_REQUIRE_PEERS";

/// The running test cannot run on this machine for `reason`: it fails if
/// the environment variable `require` is set, and otherwise prints
/// `SKIPPED module::test: reason` and the caller returns, passing.
///
/// The line is written to the process's standard error directly: libtest
/// captures only what `print!` and `eprint!` write (rust-lang/rust#90785),
/// and shows a passing test's capture to no one, so `eprintln!` would
/// hide the skip in the run's output. libtest runs each test on a thread
/// named after it, which names the test here.
pub fn skip(require: &str, reason: &str) {
    assert!(std::env::var_os(require).is_none(), "{reason} ({require} is set)");
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED {test}: {reason}");
}

pub struct TestProject {
    dir: tempfile::TempDir,
}

impl TestProject {
    /// A fresh copy of `tests/fixtures/mini`.
    pub fn mini() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        copy_dir(&fixture("mini"), dir.path());
        Self { dir }
    }

    /// A fresh copy of the bundled project: factgraph.toml, data/,
    /// mappings/, ontology/ and queries/.
    pub fn bundled() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        std::fs::copy(root.join("factgraph.toml"), dir.path().join("factgraph.toml")).unwrap();
        for folder in ["data", "mappings", "ontology", "queries"] {
            copy_dir(&root.join(folder), &dir.path().join(folder));
        }
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `factgraph ARGS` in the project folder.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .args(args)
            .current_dir(self.path())
            .output()
            .expect("the factgraph binary runs")
    }

    /// Runs and asserts exit code 0; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        run_ok(self.path(), args)
    }

    /// Runs and asserts the exit code; returns standard error.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let output = self.run(args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(code), "factgraph {args:?}: {stderr}");
        stderr
    }

    pub fn write(&self, relative: &str, contents: &str) {
        std::fs::write(self.path().join(relative), contents).expect("fixture file written");
    }

    /// Adds `data/offerings.sqlite`, a SQLite database of a table
    /// `offering` (id, name, since DATE, provider), and a mapping
    /// `mappings/offerings.ttl` that reads it through a D2RQ description
    /// and joins its rows to the companies of `companies.csv`.
    pub fn with_offerings_database(self) -> Self {
        let database = rusqlite::Connection::open(self.path().join("data/offerings.sqlite")).unwrap();
        database
            .execute_batch(
                "CREATE TABLE offering (id INTEGER PRIMARY KEY, name VARCHAR(40), since DATE, provider TEXT);
                 INSERT INTO offering VALUES (1, 'Azure', '2014-03-26', 'microsoft');
                 INSERT INTO offering VALUES (2, 'Office 365', NULL, 'microsoft');",
            )
            .unwrap();
        self.write("mappings/offerings.ttl", OFFERINGS_MAPPING);
        self
    }

    pub fn built(self) -> Self {
        self.ok(&["build", "--quiet"]);
        self
    }
}

const OFFERINGS_MAPPING: &str = r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix d2rq: <http://www.wiwiss.fu-berlin.de/suhl/bizer/D2RQ/0.1#> .
@prefix schema: <http://schema.org/> .
@prefix ex: <http://example.org/> .

<#Offerings> a d2rq:Database ; d2rq:jdbcDSN "jdbc:sqlite:../data/offerings.sqlite" .

ex:Offerings a rr:TriplesMap ;
  rml:logicalSource [ rml:source <#Offerings> ; rr:tableName "offering" ] ;
  rr:subjectMap [ rr:template "http://example.org/offering/{id}" ; rr:class schema:Offer ] ;
  rr:predicateObjectMap [ rr:predicate schema:name ; rr:objectMap [ rr:column "name" ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:availabilityStarts ; rr:objectMap [ rr:column "since" ] ] ;
  rr:predicateObjectMap [ rr:predicate schema:offeredBy ;
    rr:objectMap [ rr:parentTriplesMap ex:Companies ; rr:joinCondition [ rr:child "provider" ; rr:parent "id" ] ] ] .
"#;

/// Runs `factgraph ARGS` in `dir`, asserts exit code 0, returns standard output.
pub fn run_ok(dir: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the factgraph binary runs");
    assert!(
        output.status.success(),
        "factgraph {args:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Runs `factgraph ARGS` in `dir` with its standard output closed before
/// anything is written, as `| head -0` would, and asserts that it exits 0
/// and says nothing: a closed pipe is not an error.
pub fn assert_quiet_into_a_closed_pipe(dir: &Path, args: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
        .args(args)
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the factgraph binary runs");
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "factgraph {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "factgraph {args:?}");
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Parses SPARQL CSV results (RFC 4180, CRLF) into rows of cells.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("valid CSV").iter().map(str::to_owned).collect()).collect()
}
