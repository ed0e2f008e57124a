//! `factgraph query`: named questions, files and text, in every format.

use crate::common::{csv_rows, TestProject};

fn project() -> TestProject {
    TestProject::mini().built()
}

#[test]
fn a_named_question_answers_as_csv_with_the_join_resolved() {
    let out = project().ok(&["query", "providers", "--format", "csv"]);
    assert_eq!(
        csv_rows(&out),
        vec![
            vec!["service", "provider"],
            vec!["'=1+1", "Baihui Zongheng Technology, Beijing"],
            vec!["Office 365", "Microsoft"],
            vec!["Windows Azure", "Microsoft"],
        ]
    );
}

#[test]
fn formula_guard_can_be_turned_off_for_machines() {
    let out = project().ok(&["query", "providers", "--format", "tsv", "--allow-formulas"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "?service\t?provider");
    assert_eq!(lines[1], "\"=1+1\"\t\"Baihui Zongheng Technology, Beijing\"@en");
}

#[test]
fn the_table_aligns_columns_and_counts_rows() {
    let out = project().ok(&["query", "companies", "--format", "table"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["company", "name", "country"]);
    assert!(lines[1].starts_with("---"));
    assert_eq!(
        lines[2].split("  ").filter(|c| !c.is_empty()).map(str::trim).collect::<Vec<_>>(),
        ["<http://example.org/org/21vianet>", "21Vianet", "CN"]
    );
    assert!(lines[5].contains("He said \"hi\" on two lines"), "new lines are flattened: {out}");
    assert_eq!(*lines.last().unwrap(), "(4 rows)");
    let column = lines[0].find("name").unwrap();
    assert_eq!(&lines[2][column..column + 8], "21Vianet", "columns are aligned");
}

#[test]
fn json_and_xml_are_the_standard_result_formats() {
    let project = project();
    let json = project.ok(&["query", "has-chinese-names", "--format", "json"]);
    assert_eq!(json.trim(), r#"{"head":{},"boolean":true}"#);
    let xml = project.ok(&[
        "query",
        "--sparql",
        "SELECT ?n WHERE { <http://example.org/org/microsoft> <http://schema.org/alternateName> ?n }",
        "--format",
        "xml",
    ]);
    assert!(xml.contains(r#"<literal xml:lang="zh">微软</literal>"#), "{xml}");
    let json = project.ok(&[
        "query",
        "--sparql",
        "SELECT ?d WHERE { ?c <http://schema.org/foundingDate> ?d } ORDER BY ?d LIMIT 1",
        "--format",
        "json",
    ]);
    assert!(
        json.contains(r#"{"type":"literal","value":"1975-04-04","datatype":"http://www.w3.org/2001/XMLSchema#date"}"#),
        "{json}"
    );
}

#[test]
fn construct_answers_are_rdf() {
    let out = project().ok(&["query", "partners-graph", "--format", "ntriples"]);
    assert_eq!(
        out,
        "<http://example.org/org/21vianet> <http://example.org/partner> <http://example.org/org/microsoft> .\n"
    );
    let turtle = project().ok(&["query", "partners-graph", "--format", "turtle"]);
    assert!(turtle.contains("@prefix ex: <http://example.org/> ."), "{turtle}");
}

#[test]
fn a_query_file_and_configured_prefixes_work() {
    let project = project();
    project.write("count.rq", "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:Organization }");
    let out = project.ok(&["query", "count.rq", "--format", "csv"]);
    assert_eq!(csv_rows(&out), vec![vec!["n"], vec!["4"]]);
}

#[test]
fn names_cannot_leave_the_queries_folder() {
    let project = project();
    let error = project.fails(&["query", "../factgraph"], 2);
    assert!(error.contains("a question name has only letters"), "{error}");
    let error = project.fails(&["query", "compaines"], 2);
    assert!(error.contains("did you mean \"companies\"?"), "{error}");
}

#[test]
fn a_syntax_error_is_reported_with_the_query_name() {
    let error = project().fails(&["query", "--sparql", "SELECT WHERE {"], 2);
    assert!(error.starts_with("factgraph: query --sparql: syntax error"), "{error}");
}

/// Every way of asking for an answer, so that kept and fresh answers compare.
const EVERY_FORMAT: [&[&str]; 5] = [
    &["--format", "csv"],
    &["--format", "tsv", "--allow-formulas"],
    &["--format", "tsv"],
    &["--format", "json"],
    &["--format", "table"],
];

#[test]
fn answers_kept_at_build_time_are_the_answers_evaluated_afresh() {
    let fresh = project();
    let kept = TestProject::mini();
    let report = kept.ok(&["build", "--answer-questions"]);
    assert!(report.contains("answering the named questions"), "{report}");
    for question in ["companies", "has-chinese-names", "providers"] {
        for format in EVERY_FORMAT {
            let args = [&["query", question][..], format].concat();
            assert_eq!(kept.ok(&args), fresh.ok(&args), "{args:?}");
        }
    }
}

#[test]
fn a_kept_answer_is_replayed_until_its_question_changes() {
    let project = TestProject::mini();
    project.ok(&["build", "--quiet", "--answer-questions"]);
    let version = std::fs::read_to_string(project.path().join("store/CURRENT")).unwrap();
    let kept = project.path().join("store/versions").join(version.trim()).join("answers/providers.csv");
    assert!(kept.is_file(), "the build kept the answer in its version folder");
    // Mark the kept file: a replay shows the mark, an evaluation would not.
    std::fs::write(&kept, "service,provider\r\nkept,answer\r\n").unwrap();
    assert_eq!(csv_rows(&project.ok(&["query", "providers", "--format", "csv"]))[1], ["kept", "answer"]);

    let text = std::fs::read_to_string(project.path().join("queries/providers.rq")).unwrap();
    project.write("queries/providers.rq", &text.replace("ORDER BY ?service", "ORDER BY DESC(?service)"));
    let rows = csv_rows(&project.ok(&["query", "providers", "--format", "csv"]));
    assert_eq!(rows[1], ["Windows Azure", "Microsoft"], "the edited question is evaluated afresh");
}

/// The read index and the Oxigraph store answer alike: every named question
/// of a generated project (200 offerings, with the bundled queries), in
/// TSV, which keeps every term whole; and the answers a build keeps are the
/// live ones.
#[test]
fn explain_writes_the_plan_and_its_rows_after_an_unchanged_answer() {
    let project = project();
    let plain = project.ok(&["query", "providers", "--format", "csv"]);
    let output = project.run(&["query", "providers", "--format", "csv", "--explain"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8_lossy(&output.stdout), plain);
    let explanation: serde_json::Value = serde_json::from_slice(&output.stderr).expect("the plan is JSON");
    assert_eq!(explanation["plan"]["number of results"], 3, "{explanation}");
}

/// A researcher's FILTER NOT EXISTS is evaluated as a MINUS or a lookup
/// (Oxigraph does not plan the inside of an EXISTS), with the same answer.
#[test]
fn not_exists_is_planned_and_answers_as_the_store_does() {
    let project = project();
    let query = "PREFIX schema: <http://schema.org/> SELECT ?service WHERE { \
        ?s a schema:Service ; schema:name ?service FILTER NOT EXISTS { ?s schema:provider/schema:name \"Microsoft\"@en } }";
    let output = project.run(&["query", "--sparql", query, "--format", "csv", "--explain"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let plan = String::from_utf8_lossy(&output.stderr);
    assert!(!plan.contains("EXISTS") && (plan.contains("AntiJoin") || plan.contains("factgraph_found")), "{plan}");
    let store = project.ok(&["query", "--sparql", query, "--format", "csv", "--from-store"]);
    assert_eq!(csv_rows(&String::from_utf8_lossy(&output.stdout)), vec![vec!["service"], vec!["'=1+1"]]);
    assert_eq!(String::from_utf8_lossy(&output.stdout), store);
}

#[test]
fn the_read_index_answers_as_the_store_does() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    let project_str = project.to_str().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    crate::common::run_ok(root, &["generate", "--offerings", "200", "--seed", "11", "--out", project_str]);
    crate::common::run_ok(&project, &["build", "--quiet", "--answer-questions"]);
    let version = std::fs::read_dir(project.join("store/versions")).unwrap().next().unwrap().unwrap().path();
    assert!(version.join("index/index.json").is_file(), "the build wrote the read index");
    let questions = crate::common::run_ok(&project, &["queries"]);
    let names: Vec<&str> = questions.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(names.len() >= 14, "{questions}");
    let mut answered = 0;
    for name in &names {
        let name = *name;
        let kept = crate::common::run_ok(&project, &["query", name, "--format", "tsv"]);
        let index =
            crate::common::run_ok(&project, &["query", "--sparql", &question_text(&project, name), "--format", "tsv"]);
        let store = crate::common::run_ok(&project, &["query", name, "--format", "tsv", "--from-store"]);
        answered += usize::from(store.lines().count() > 1);
        assert_eq!(index, store, "{name}: index and store");
        assert_eq!(kept, store, "{name}: kept and live");
    }
    assert!(answered + 2 >= names.len(), "most questions have rows to compare ({answered} of {})", names.len());
}

/// The query text of a named question, so that it is evaluated live (a name
/// would be answered from the kept answers).
fn question_text(project: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(project.join("queries").join(format!("{name}.rq"))).unwrap()
}
