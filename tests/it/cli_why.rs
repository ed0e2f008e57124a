//! `factgraph why`: the rows behind the triples about a resource.

use crate::common::TestProject;

#[test]
fn every_triple_shows_the_row_that_produced_it() {
    let project = TestProject::mini().built();
    let out = project.ok(&["why", "http://example.org/service/azure"]);
    assert_eq!(
        out,
        "\
<http://example.org/service/azure>
  schema:name \"Windows Azure\"
      data/services.csv:3 (triples map <http://example.org/Services>)
  schema:provider <http://example.org/org/microsoft>
      data/services.csv:3 (triples map <http://example.org/Services>)
  <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> schema:Service
      data/services.csv:3 (triples map <http://example.org/Services>)
"
    );
}

#[test]
fn prefixed_names_work_and_the_cited_source_is_shown() {
    let project = TestProject::mini();
    project.write("data/services.csv", "id,name,provider,source\noffice-365,Office 365,microsoft,reg-2013-03-15\n");
    let project = project.built();
    let out = project.ok(&["why", "ex:partner"]);
    assert!(out.contains("from the ontology (no CSV row)"), "{out}");
    let out = TestProject::mini().built().ok(&["why", "ex:partner"]);
    assert!(out.starts_with("ex:partner\n"), "{out}");
    let out = project.ok(&["why", "http://example.org/service/office-365"]);
    assert!(
        out.contains("      data/services.csv:2 (triples map <http://example.org/Services>; cites reg-2013-03-15)\n"),
        "{out}"
    );
}

#[test]
fn an_unknown_resource_suggests_the_nearest() {
    let project = TestProject::mini().built();
    let error = project.fails(&["why", "http://example.org/org/microsfot"], 1);
    assert_eq!(
        error,
        "factgraph: the graph has no triples about <http://example.org/org/microsfot>; did you mean <http://example.org/org/microsoft>?\n"
    );
}

#[test]
fn what_is_not_an_iri_exits_2_and_a_prefix_that_is_not_one_exits_1() {
    let project = TestProject::mini().built();
    let error = project.fails(&["why", "not an IRI"], 2);
    assert!(error.starts_with("factgraph: \"not an IRI\" is neither an IRI nor a prefixed name"), "{error}");
    let config = std::fs::read_to_string(project.path().join("factgraph.toml")).unwrap();
    project.write("factgraph.toml", &config.replace("\"http://schema.org/\"", "\"schema.org\""));
    let error = project.fails(&["why", "ex:partner"], 1);
    assert!(
        error.starts_with("factgraph: factgraph.toml: prefix schema = \"schema.org\" is not an absolute IRI"),
        "{error}"
    );
    assert_eq!(error.lines().count(), 1, "{error}");
}

/// Replaces a file's text, keeping its time of modification.
fn rewrite_keeping_the_time(path: &std::path::Path, text: &str) {
    let modified = std::fs::metadata(path).unwrap().modified().unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::File::options().write(true).open(path).unwrap().set_modified(modified).unwrap();
}

#[test]
fn a_row_is_read_at_its_place_in_the_file_not_after_every_row_before_it() {
    let project = TestProject::mini().built();
    let azure = "http://example.org/service/azure";
    let expected = project.ok(&["why", azure]);
    // Break the row before it, keeping the file's size and time: read from
    // the start, the file would now run to its end in one quoted cell.
    let path = project.path().join("data/services.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let broken = text.replacen("office-365,Office 365", "office-365,\"ffice 365", 1);
    assert_eq!(broken.len(), text.len());
    rewrite_keeping_the_time(&path, &broken);
    assert_eq!(project.ok(&["why", azure]), expected);
}

#[test]
fn a_row_after_a_cell_on_two_lines_shows_the_line_it_starts_on() {
    let project = TestProject::mini();
    let companies = std::fs::read_to_string(project.path().join("data/companies.csv")).unwrap();
    project.write("data/companies.csv", &format!("{companies}later,Later Ltd,,US,,\n"));
    let project = project.built();
    let quoted = project.ok(&["why", "http://example.org/org/quoted"]);
    assert!(
        quoted.contains("  schema:name \"He said \\\"hi\\\"\\non two lines\"@en\n      data/companies.csv:5 "),
        "{quoted}"
    );
    let later = project.ok(&["why", "http://example.org/org/later"]);
    assert!(later.contains("  schema:name \"Later Ltd\"@en\n      data/companies.csv:7 "), "{later}");
}

#[test]
fn a_file_edited_since_the_build_is_named_and_no_row_that_moved_is_shown() {
    let project = TestProject::mini().built();
    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    let (header, rows) = services.split_once('\n').unwrap();
    project.write("data/services.csv", &format!("{header}\naws,Amazon Web Services,microsoft\n{rows}"));
    let output = project.run(&["why", "http://example.org/service/azure"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("data/services.csv changed since the build"), "{stderr}");
    assert!(!stdout.contains("services.csv:3"), "line 3 holds another row now: {stdout}");
    assert!(stdout.contains("no CSV row found in the files as they are now"), "{stdout}");
    assert!(!stdout.contains("from the ontology"), "{stdout}");
}
