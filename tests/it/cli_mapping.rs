//! `factgraph mapping convert`: YARRRML to RML Turtle, run as a user runs it.
//!
//! The last test hands the RML to another engine, morph-kgc (Python, from
//! PyPI): its interpreter comes from `FACTGRAPH_MORPH_KGC` (set by `.ci/run`
//! to the venv it makes). Without it the test says so and passes, unless
//! `FACTGRAPH_REQUIRE_PEERS=1`, as in CI, where it fails.

use crate::common::TestProject;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// People and the teams they are in: a join, a language, a datatype, a
/// named graph and an IRI object, from two CSV files.
const PEOPLE: &str = "\
prefixes:
  ex: http://example.org/
mappings:
  person:
    sources:
      - [people.csv~csv]
    s: ex:person/$(id)
    po:
      - [a, foaf:Person]
      - [foaf:name, $(name), en~lang]
      - [ex:age, $(age), xsd:integer]
      - [foaf:homepage, http://example.org/home/$(id)~iri]
      - p: ex:memberOf
        o:
          mapping: team
          condition:
            function: equal
            parameters:
              - [str1, $(team)]
              - [str2, $(code)]
  team:
    sources:
      - [teams.csv~csv]
    s: ex:team/$(code)
    graph: ex:teams
    po:
      - [rdfs:label, $(label)]
";

fn project() -> TestProject {
    let project = TestProject::mini();
    project.write("people.csv", "id,name,age,team\n1,Ada,36,eng\n2,Bob,41,ops\n3,Cy,29,eng\n");
    project.write("teams.csv", "code,label\neng,Engineering\nops,Operations\n");
    project.write("people.yml", PEOPLE);
    project
}

fn lines(text: &str) -> BTreeSet<String> {
    text.lines().map(str::to_owned).collect()
}

#[test]
fn converts_yarrrml_to_rml_turtle_that_maps_to_the_same_graph() {
    let project = project();
    let rml = project.ok(&["mapping", "convert", "people.yml"]);
    assert!(rml.contains("@prefix rml: <http://w3id.org/rml/> ."), "{rml}");
    assert!(rml.contains("rml:reference \"name\" ;\n"), "{rml}");
    assert!(rml.contains("rml:language \"en\""), "{rml}");
    assert!(rml.contains("rml:parentTriplesMap <"), "{rml}");
    project.write("people.rml.ttl", &rml);
    let from_yarrrml = project.ok(&["map", "people.yml"]);
    // Five triples per person, one per team.
    assert_eq!(from_yarrrml.lines().count(), 3 * 5 + 2);
    assert!(from_yarrrml
        .contains("<http://example.org/person/1> <http://example.org/memberOf> <http://example.org/team/eng> .\n"));
    assert!(from_yarrrml.contains(
        "<http://example.org/team/ops> <http://www.w3.org/2000/01/rdf-schema#label> \"Operations\" <http://example.org/teams> .\n"
    ));
    assert_eq!(lines(&project.ok(&["map", "people.rml.ttl"])), lines(&from_yarrrml));
}

#[test]
fn writes_the_file_only_when_the_translation_succeeds() {
    let project = project();
    project.ok(&["mapping", "convert", "people.yml", "--output", "out.ttl"]);
    let written = std::fs::read_to_string(project.path().join("out.ttl")).unwrap();
    assert!(written.contains("rml:TriplesMap"), "{written}");
    project.write("bad.yml", "mappings:\n  person:\n    sources: [[people.csv~csv]]\n    s: ex:$(id\n");
    let error = project.fails(&["mapping", "convert", "bad.yml", "--output", "out.ttl"], 1);
    assert!(error.contains("bad.yml:4:8: the reference in \"ex:$(id\" is not closed with )"), "{error}");
    assert_eq!(std::fs::read_to_string(project.path().join("out.ttl")).unwrap(), written, "the old file stays");
    let leftovers: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn yaml_that_is_not_valid_is_shown_at_its_line_and_column() {
    let project = project();
    project.write("broken.yaml", "mappings:\n  person:\n    sources:\n      - [people.json~jsonpath, $.[*]]\n");
    let error = project.fails(&["mapping", "convert", "broken.yaml"], 1);
    assert!(error.contains("broken.yaml:4:"), "{error}");
    assert!(error.contains("not valid YAML"), "{error}");
}

#[test]
fn turtle_needs_no_conversion() {
    let project = project();
    let error = project.fails(&["mapping", "convert", "mappings/companies.ttl"], 2);
    assert!(error.contains("is not a YARRRML file"), "{error}");
}

fn morph_kgc() -> Option<PathBuf> {
    let found = std::env::var_os("FACTGRAPH_MORPH_KGC").map(PathBuf::from).filter(|python| {
        Command::new(python).args(["-c", "import morph_kgc"]).output().is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        crate::common::skip(
            crate::common::REQUIRE_PEERS,
            "no morph-kgc: set FACTGRAPH_MORPH_KGC to a Python that imports morph_kgc (.ci/run installs it)",
        );
    }
    found
}

#[test]
fn another_engine_runs_the_converted_rml_to_the_same_graph() {
    let Some(python) = morph_kgc() else { return };
    let project = project();
    project.ok(&["mapping", "convert", "people.yml", "--output", "people.rml.ttl"]);
    project.write(
        "morph.ini",
        "[CONFIGURATION]\noutput_format=N-QUADS\noutput_file=morph.nq\n\n[people]\nmappings=people.rml.ttl\n",
    );
    let output = Command::new(&python)
        .args(["-m", "morph_kgc", "morph.ini"])
        .current_dir(project.path())
        .output()
        .expect("morph-kgc runs");
    assert!(output.status.success(), "morph-kgc failed: {}", String::from_utf8_lossy(&output.stderr));
    let theirs = std::fs::read_to_string(project.path().join("morph.nq")).expect("morph-kgc wrote its output");
    let ours = project.ok(&["map", "people.yml"]);
    assert_eq!(quads(&theirs), quads(&ours));
}

/// N-Quads as a set of quads (engines space them differently).
fn quads(text: &str) -> BTreeSet<String> {
    oxttl::NQuadsParser::new().for_slice(text.as_bytes()).map(|quad| quad.expect("valid N-Quads").to_string()).collect()
}
