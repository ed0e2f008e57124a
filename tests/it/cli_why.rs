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
