//! `factgraph export`: the whole dataset, deterministic.

use crate::common::TestProject;
use oxigraph::io::{RdfFormat, RdfParser};

#[test]
fn turtle_export_is_byte_identical_across_builds_and_parses_back() {
    let project = TestProject::mini().built();
    let first = project.ok(&["export"]);
    project.ok(&["build", "--quiet"]);
    let second = project.ok(&["export"]);
    assert_eq!(first, second, "two builds of the same data export the same bytes");
    assert!(
        first.starts_with("@prefix ex: <http://example.org/> .\n@prefix schema: <http://schema.org/> .\n"),
        "{first}"
    );
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
    assert!(
        output.stderr.is_empty(),
        "the description left out of Turtle is no surprise: {:?}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The version folder of the project's current build.
fn current_version(project: &TestProject) -> std::path::PathBuf {
    let versions = project.path().join("store/versions");
    let mut found: Vec<_> = std::fs::read_dir(&versions).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(found.len(), 1, "one build, one version: {found:?}");
    found.pop().unwrap()
}

#[test]
fn export_from_the_runs_the_build_kept_equals_reading_the_store() {
    let project = TestProject::mini();
    // Literals that Oxigraph gives back in another form than they were written.
    project.write(
        "ontology/values.ttl",
        "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
         ex:sample ex:count \"007\"^^xsd:int ; ex:flag \"1\"^^xsd:boolean ; ex:at \"2013-03-01T08:00:00+00:00\"^^xsd:dateTime .\n",
    );
    let project = project.built();
    let manifest = current_version(&project).join("sorted/runs.json");
    assert!(manifest.exists(), "the build keeps sorted runs");
    for format in ["turtle", "ntriples", "nquads", "trig"] {
        for metadata in [&[][..], &["--no-metadata"][..]] {
            let args = [&["export", "--format", format][..], metadata].concat();
            let kept = project.ok(&args);
            let from_store = project.ok(&[&args[..], &["--from-store"]].concat());
            assert_eq!(kept, from_store, "factgraph {args:?}");
        }
    }
    let nquads = project.ok(&["export", "--format", "nquads"]);
    assert!(nquads.contains("\"7\"^^<http://www.w3.org/2001/XMLSchema#integer>"), "{nquads}");
    std::fs::remove_file(&manifest).unwrap();
    assert_eq!(project.ok(&["export", "--format", "nquads"]), nquads, "without its manifest, the store is read");
}

#[test]
fn a_mapping_into_a_named_graph_is_exported_from_the_store() {
    let project = TestProject::mini();
    project.write(
        "mappings/graphs.ttl",
        "@prefix rml: <http://w3id.org/rml/> .\n@prefix ex: <http://example.org/> .\n\
         ex:Listed a rml:TriplesMap ;\n\
           rml:logicalSource [ rml:source \"../data/services.csv\" ; rml:referenceFormulation rml:CSV ] ;\n\
           rml:subjectMap [ rml:template \"http://example.org/service/{id}\" ; rml:graph ex:listings ] ;\n\
           rml:predicateObjectMap [ rml:predicate ex:listed ; rml:object \"yes\" ] .\n",
    );
    let project = project.built();
    assert!(!current_version(&project).join("sorted").exists(), "no runs: the buckets hold the default graph only");
    let nquads = project.ok(&["export", "--format", "nquads", "--no-metadata"]);
    assert!(
        nquads.contains(
            "<http://example.org/service/azure> <http://example.org/listed> \"yes\" <http://example.org/listings> ."
        ),
        "{nquads}"
    );
}

#[test]
fn export_into_a_closed_pipe_exits_0_quietly() {
    let project = TestProject::mini().built();
    crate::common::assert_quiet_into_a_closed_pipe(project.path(), &["export"]);
}
