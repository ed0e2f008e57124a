//! `factgraph check`, and `build` refusing the same broken inputs: every
//! message names the file, the line and what is wrong, and the last good
//! graph keeps answering.

use crate::common::TestProject;

const COMPANIES: &str = "id,name,name_zh,country,founded,partner\n";

/// Asserts that `check` and `build` both report `expected` (exit 1) and that
/// the graph built before still gives its old answer.
fn assert_rejected(project: &TestProject, expected: &str) {
    let check = project.run(&["check"]);
    let report = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "check: {report}");
    assert!(report.contains(expected), "check did not say {expected:?}:\n{report}");
    let error = project.fails(&["build"], 1);
    assert!(error.contains(expected), "build did not say {expected:?}:\n{error}");
    let answer = project.ok(&["query", "companies", "--format", "csv"]);
    assert!(answer.contains("http://example.org/org/microsoft,Microsoft,US"), "the old graph answers: {answer}");
}

fn built() -> TestProject {
    TestProject::mini().built()
}

#[test]
fn clean_data_checks_clean() {
    let out = TestProject::mini().ok(&["check"]);
    assert_eq!(out, "no problems found\n");
    let json = TestProject::mini().ok(&["check", "--format", "json"]);
    assert_eq!(json.trim(), r#"{"problems":[],"total":0}"#);
}

#[test]
fn a_missing_csv_file() {
    let project = built();
    std::fs::remove_file(project.path().join("data/services.csv")).unwrap();
    assert_rejected(&project, "data/services.csv: cannot open the file: No such file or directory (os error 2) (the source of triples map <http://example.org/Services> in mappings/services.ttl)");
}

#[test]
fn bytes_that_are_not_utf8() {
    let project = built();
    let mut bytes = COMPANIES.as_bytes().to_vec();
    bytes.extend_from_slice(b"microsoft,Microsoft,\xff\xfe,US,,\n");
    std::fs::write(project.path().join("data/companies.csv"), bytes).unwrap();
    assert_rejected(&project, "data/companies.csv:2: field 3 is not valid UTF-8; save the file as UTF-8");
}

#[test]
fn an_unbalanced_quote() {
    let project = built();
    project.write(
        "data/companies.csv",
        &format!("{COMPANIES}microsoft,Microsoft,,US,,\nbaihui,\"Baihui,,CN,,\n21vianet,21Vianet,,CN,,\n"),
    );
    assert_rejected(&project, "data/companies.csv:3: a quoted field is never closed");
}

#[test]
fn a_row_with_the_wrong_number_of_fields() {
    let project = built();
    project.write("data/companies.csv", &format!("{COMPANIES}microsoft,Microsoft,,US,,\nbaihui,Baihui,CN\n"));
    assert_rejected(&project, "data/companies.csv:3: this row has 3 field(s) but the header has 6");
}

#[test]
fn a_header_without_a_column_the_mapping_needs() {
    let project = built();
    project.write("data/companies.csv", "id,name,name_zh,country,founded\nmicrosoft,Microsoft,,US,\n");
    assert_rejected(&project, "mappings/companies.ttl: column \"partner\" is not in data/companies.csv (its columns: id, name, name_zh, country, founded) (triples map <http://example.org/Companies>)");
}

#[test]
fn an_empty_identifier() {
    let project = built();
    project.write("data/companies.csv", &format!("{COMPANIES}microsoft,Microsoft,,US,,\n,Nameless,,CN,,\n"));
    assert_rejected(&project, "data/companies.csv:3: empty value where the subject is formed; fill it in or remove the row (column \"id\", triples map <http://example.org/Companies>)");
}

#[test]
fn a_date_that_does_not_exist() {
    let project = built();
    project.write("data/companies.csv", &format!("{COMPANIES}microsoft,Microsoft,,US,2013-02-30,\n"));
    assert_rejected(&project, "data/companies.csv:2: \"2013-02-30\" is not a valid xsd:date; expected a date such as 2013-03-14 (column \"founded\"");
}

#[test]
fn yes_is_not_a_boolean() {
    let project = built();
    let mapping = std::fs::read_to_string(project.path().join("mappings/companies.ttl")).unwrap();
    project.write(
        "mappings/companies.ttl",
        &mapping.replace(
            "rml:reference \"founded\" ; rml:datatype xsd:date",
            "rml:reference \"founded\" ; rml:datatype xsd:boolean",
        ),
    );
    project.write("data/companies.csv", &format!("{COMPANIES}microsoft,Microsoft,,US,yes,\n"));
    assert_rejected(&project, "data/companies.csv:2: \"yes\" is not a valid xsd:boolean; expected true or false");
}

#[test]
fn an_invalid_language_tag() {
    let project = built();
    let mapping = std::fs::read_to_string(project.path().join("mappings/companies.ttl")).unwrap();
    project.write("mappings/companies.ttl", &mapping.replace("rml:language \"zh\"", "rml:language \"chinese\""));
    let check = project.fails(&["check"], 1);
    assert!(check.contains("mappings/companies.ttl, triples map <http://example.org/Companies>: \"chinese\" is not a registered language tag"), "{check}");
    let error = project.fails(&["build"], 1);
    assert!(error.contains("\"chinese\" is not a registered language tag"), "{error}");
    assert!(project.ok(&["query", "companies", "--format", "csv"]).contains("Microsoft"));
}

#[test]
fn a_duplicated_identifier() {
    let project = built();
    project.write(
        "data/companies.csv",
        &format!("{COMPANIES}microsoft,Microsoft,,US,,\n21vianet,21Vianet,,CN,,\nmicrosoft,Microsoft again,,US,,\n"),
    );
    assert_rejected(&project, "data/companies.csv:4: <http://example.org/org/microsoft> is already defined on line 2; each row needs its own identifier (column \"id\"");
}

#[test]
fn a_reference_to_an_identifier_no_row_defines() {
    let project = built();
    project.write(
        "data/companies.csv",
        &format!("{COMPANIES}microsoft,Microsoft,,US,,\n21vianet,21Vianet,,CN,,microsfot\nbaihui,Baihui,,CN,,\n"),
    );
    assert_rejected(&project, "data/companies.csv:3: \"microsfot\" is not an identifier that any row defines (no <http://example.org/org/microsfot> in data/companies.csv); did you mean \"microsoft\"? (column \"partner\"");
}

#[test]
fn a_shape_violation_points_at_the_row() {
    let project = built();
    project.write(
        "data/companies.csv",
        &format!("{COMPANIES}microsoft,Microsoft,,US,,\n21vianet,21Vianet,,FR,,\nbaihui,Baihui,,CN,,\n"),
    );
    assert_rejected(&project, "data/companies.csv:3: <http://example.org/org/21vianet> <http://schema.org/addressCountry>: country must be US or CN");
}

#[test]
fn every_problem_is_reported_in_one_run_and_as_json() {
    let project = built();
    project.write(
        "data/companies.csv",
        &format!("{COMPANIES}microsoft,Microsoft,,US,2013-02-30,\n21vianet,21Vianet,CN\n,Nameless,,CN,,\nbaihui,Baihui,,CN,,\n"),
    );
    let out = project.run(&["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let kinds: Vec<&str> = json["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["invalid-literal", "csv", "empty-value"], "{json}");
    assert_eq!(json["problems"][0]["line"], 2);
    assert_eq!(json["problems"][0]["column"], "founded");
    assert_eq!(json["problems"][1]["file"], "data/companies.csv");
    assert_eq!(json["total"], 3);
}

#[test]
fn build_and_check_list_the_same_problems_in_the_same_order() {
    let project = built();
    project.write(
        "data/companies.csv",
        &format!("{COMPANIES}microsoft,Microsoft,,DE,,\n21vianet,21Vianet,,FR,,\nbaihui,Baihui,,CN,,\nnoname,,,XX,,\n"),
    );
    let check = project.run(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    let check = String::from_utf8_lossy(&check.stdout);
    let build = project.fails(&["build"], 1);
    let listed = |text: &str| -> Vec<String> {
        text.lines().filter(|l| l.starts_with("data/") || l.starts_with("mappings/")).map(str::to_owned).collect()
    };
    let (checked, built) = (listed(&check), listed(&build));
    assert_eq!(checked.len(), 4, "{check}");
    assert_eq!(checked, built, "check:\n{check}\nbuild:\n{build}");
    let lines: Vec<&str> = checked.iter().map(|l| l.split(':').nth(1).unwrap()).collect();
    assert_eq!(lines, ["2", "3", "5", "5"], "sorted by line: {check}");
}

#[test]
fn a_broken_shapes_file_is_a_problem_in_the_input() {
    let project = built();
    project.write("ontology/shapes.ttl", "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\nex:Broken a sh:NodeShape .\n");
    let check = project.fails(&["check"], 1);
    assert!(check.contains("ontology/shapes.ttl:3: not valid RDF"), "{check}");
    let build = project.fails(&["build"], 1);
    assert!(build.contains("ontology/shapes.ttl:3: not valid RDF"), "{build}");
    assert!(project.ok(&["query", "companies", "--format", "csv"]).contains("Microsoft"));
}

#[test]
fn a_broken_configuration_names_its_line() {
    let project = built();
    let config = std::fs::read_to_string(project.path().join("factgraph.toml")).unwrap();
    project.write("factgraph.toml", &format!("{config}\nthis is not toml\n"));
    let lines = config.lines().count() + 2;
    let error = project.fails(&["check"], 1);
    assert!(error.contains(&format!("factgraph.toml:{lines}: ")), "{error}");
}
