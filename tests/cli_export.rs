//! `factgraph export`: the whole dataset, deterministic.

mod common;
use common::TestProject;
use oxigraph::io::{RdfFormat, RdfParser};

#[test]
fn turtle_export_is_byte_identical_across_builds_and_parses_back() {
    let project = TestProject::mini().built();
    let first = project.ok(&["export"]);
    project.ok(&["build", "--quiet"]);
    let second = project.ok(&["export"]);
    assert_eq!(first, second, "two builds of the same data export the same bytes");
    assert!(first.starts_with("@prefix ex: <http://example.org/> .\n@prefix schema: <http://schema.org/> .\n"), "{first}");
    let triples = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(first.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .expect("the export parses");
    assert_eq!(triples.len(), 31);
    assert!(first.contains("\"He said \\\"hi\\\"\\non two lines\"@en"), "{first}");
}

#[test]
fn nquads_export_to_a_file_is_sorted() {
    let project = TestProject::mini().built();
    project.ok(&["export", "--format", "nquads", "--no-metadata", "--output", "out.nq"]);
    let text = std::fs::read_to_string(project.path().join("out.nq")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 31);
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    assert!(text.contains("<http://example.org/org/baihui> <http://schema.org/alternateName> \"百会纵横\"@zh .\n"));
}

#[test]
fn trig_export_carries_the_build_description_and_turtle_the_data() {
    let project = TestProject::mini().built();
    let trig = project.ok(&["export", "--format", "trig"]);
    assert!(trig.contains("ex:dataset\\/build {"), "{trig}");
    let turtle = project.ok(&["export"]);
    assert!(!turtle.contains("http://rdfs.org/ns/void#"), "Turtle holds the default graph only");
    let output = project.run(&["export"]);
    assert!(output.stderr.is_empty(), "the description left out of Turtle is no surprise: {:?}", String::from_utf8_lossy(&output.stderr));
}
