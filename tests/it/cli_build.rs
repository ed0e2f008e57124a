//! `factgraph build`, run as a user runs it.

use crate::common::TestProject;
use std::path::Path;

#[test]
fn build_reports_rows_triples_and_switches_the_store() {
    let project = TestProject::mini();
    let report = project.ok(&["build"]);
    assert!(report.contains("Rows read"), "{report}");
    assert!(report.contains(&format!("{:>10}  {}", 4, "data/companies.csv")), "{report}");
    assert!(report.contains(&format!("{:>10}  {}", 3, "data/services.csv")), "{report}");
    // 4 types + 4 names + 3 Chinese names + 4 countries + 2 dates + 1 partner
    assert!(report.contains(&format!("{:>10}  <http://example.org/Companies>", 18)), "{report}");
    // 3 types + 3 names + 3 providers
    assert!(report.contains(&format!("{:>10}  <http://example.org/Services>", 9)), "{report}");
    assert!(report.contains(&format!("{:>10}  ontology", 4)), "{report}");
    assert!(report.contains("31 distinct triples (+"), "{report}");
    let current = std::fs::read_to_string(project.path().join("store/CURRENT")).unwrap();
    assert!(project.path().join("store/versions").join(current.trim()).is_dir());
}

#[test]
fn a_rebuild_keeps_the_previous_version_and_removes_older_ones() {
    let project = TestProject::mini().built();
    let versions = || {
        let mut names: Vec<String> = std::fs::read_dir(project.path().join("store/versions"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let first = versions();
    project.ok(&["build", "--quiet"]);
    project.ok(&["build", "--quiet"]);
    assert_eq!(versions().len(), 3, "a reader may still be on the version before the previous one");
    project.ok(&["build", "--quiet"]);
    let now = versions();
    assert_eq!(now.len(), 3, "each build removes versions older than the previous one");
    assert!(!now.contains(&first[0]), "the first version is gone");
    let current = std::fs::read_to_string(project.path().join("store/CURRENT")).unwrap();
    let previous = std::fs::read_to_string(project.path().join("store/PREVIOUS")).unwrap();
    assert_eq!(current.trim(), now[2]);
    assert_eq!(previous.trim(), now[1]);
    assert!(project.ok(&["query", "companies", "--format", "csv"]).contains("Microsoft"));
}

#[test]
fn a_failed_build_leaves_the_last_good_graph_answering() {
    let project = TestProject::mini().built();
    let before = project.ok(&["query", "companies", "--format", "csv"]);
    project.write(
        "mappings/services.ttl",
        &std::fs::read_to_string(project.path().join("mappings/services.ttl"))
            .unwrap()
            .replace("rr:child \"provider\"", "rr:child \"provder\""),
    );
    let error = project.fails(&["build"], 1);
    assert!(
        error.starts_with(
            "mappings/services.ttl: column \"provder\" is not in data/services.csv (its columns: id, name, provider); \
             did you mean \"provider\"? (triples map <http://example.org/Services>)\n"
        ),
        "{error}"
    );
    assert!(error.ends_with("factgraph: 1 problem(s) in the data; nothing was changed\n"), "{error}");
    assert_eq!(project.ok(&["query", "companies", "--format", "csv"]), before);
    let versions = std::fs::read_dir(project.path().join("store/versions")).unwrap().count();
    assert_eq!(versions, 1, "the failed version was removed");
}

#[test]
fn a_value_that_cannot_form_an_iri_stops_the_build_with_its_line() {
    let project = TestProject::mini().built();
    project.write("data/services.csv", "id,name,provider\noffice-365,Office 365,microsoft\n,Nameless,microsoft\n");
    project.write(
        "mappings/services.ttl",
        &std::fs::read_to_string(project.path().join("mappings/services.ttl"))
            .unwrap()
            .replace("rr:template \"http://example.org/service/{id}\"", "rml:reference \"name\" ; rr:termType rr:IRI"),
    );
    let error = project.fails(&["build"], 1);
    assert!(error.starts_with("data/services.csv:2: \"Office 365\" does not form a valid IRI"), "{error}");
    assert!(error.contains("(column \"name\", triples map <http://example.org/Services>)\n"), "{error}");
    assert!(project.ok(&["query", "companies", "--format", "csv"]).contains("Microsoft"));
}

#[test]
fn building_without_mappings_is_an_error_that_names_the_folder() {
    let project = TestProject::mini();
    std::fs::remove_dir_all(project.path().join("mappings")).unwrap();
    let error = project.fails(&["build"], 2);
    assert!(error.starts_with("factgraph: mappings: "), "{error}");
}

#[test]
fn querying_before_any_build_says_what_to_do() {
    let project = TestProject::mini();
    let error = project.fails(&["query", "companies"], 2);
    assert!(error.contains("run `factgraph build` first"), "{error}");
}

#[test]
fn the_build_describes_itself_in_a_named_graph() {
    use sha2::Digest;
    let project = TestProject::mini().built();
    let query = "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dct: <http://purl.org/dc/terms/> \
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX spdx: <http://spdx.org/rdf/terms#> \
        SELECT ?triples ?organisations ?rows ?sha WHERE { GRAPH <http://example.org/dataset/build> { \
          <http://example.org/dataset> void:triples ?triples ; prov:wasGeneratedBy ?build ; \
            void:classPartition [ void:class <http://schema.org/Organization> ; void:entities ?organisations ] . \
          ?build prov:used ?input . ?input dct:title \"data/companies.csv\" ; \
            <https://w3id.org/factgraph/build#rows> ?rows ; spdx:checksum/spdx:checksumValue ?sha } }";
    let out = project.ok(&["query", "--sparql", query, "--format", "csv"]);
    let sha: String = sha2::Sha256::digest(std::fs::read(project.path().join("data/companies.csv")).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(out, format!("triples,organisations,rows,sha\r\n31,4,4,{sha}\r\n"));
    let version = project.ok(&[
        "query",
        "--sparql",
        "SELECT ?v WHERE { GRAPH ?g { ?d <http://www.w3.org/ns/dcat#version> ?v } }",
        "--format",
        "csv",
    ]);
    let current = std::fs::read_to_string(project.path().join("store/CURRENT")).unwrap();
    assert_eq!(version, format!("v\r\n{}\r\n", current.trim()));
}

#[test]
fn the_description_can_be_left_out() {
    let project = TestProject::mini();
    let report = project.ok(&["build", "--no-metadata"]);
    assert!(report.contains("31 distinct triples (+0 describing the build)"), "{report}");
    let graphs = project.ok(&[
        "query",
        "--sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "--format",
        "csv",
    ]);
    assert_eq!(graphs, "n\r\n0\r\n");
}

#[test]
fn diff_prints_what_the_build_changed_against_the_graph_it_replaced() {
    let project = TestProject::mini();
    let first = project.ok(&["build", "--quiet", "--diff"]);
    assert!(first.contains("this is the first graph built"), "{first}");

    let services = std::fs::read_to_string(project.path().join("data/services.csv")).unwrap();
    project.write("data/services.csv", &services.replace("Windows Azure", "Microsoft Azure"));
    let changed = project.ok(&["build", "--quiet", "--diff"]);
    assert!(changed.contains("1 triple(s) removed, 1 added"), "{changed}");
    assert!(changed.contains("-1 +1  schema:name"), "{changed}");
    assert!(!changed.contains("instances per class"), "no instance came or went: {changed}");
    assert!(!changed.contains("Microsoft Azure"), "counts only, not the triples: {changed}");

    let unchanged = project.ok(&["build", "--quiet", "--diff"]);
    assert!(unchanged.contains("no triple added or removed"), "the description graph is left out: {unchanged}");
}

/// A mapping's logical target is written beside the store when the build
/// succeeds (the store still holds every quad), and not at all when it fails.
#[test]
fn logical_targets_are_written_beside_the_store_only_for_a_good_build() {
    let project = TestProject::mini();
    project.write(
        "mappings/countries.ttl",
        r#"@prefix rml: <http://w3id.org/rml/> .
@prefix formats: <http://www.w3.org/ns/formats/> .
<http://example.org/Countries> rml:logicalSource [ rml:source "../data/companies.csv" ] ;
  rml:subjectMap [ rml:template "http://example.org/org/{id}" ] ;
  rml:predicateObjectMap [ rml:predicate <http://example.org/countryCode> ;
    rml:objectMap [ rml:reference "country" ; rml:logicalTarget [ a rml:LogicalTarget ;
      rml:target [ a rml:FilePath ; rml:path "../countries.nt" ] ; rml:serialization formats:N-Triples ] ] ] .
"#,
    );
    project.ok(&["build"]);
    let target = std::fs::read_to_string(project.path().join("countries.nt")).unwrap();
    assert!(
        target.contains("<http://example.org/org/microsoft> <http://example.org/countryCode> \"US\" .\n"),
        "{target}"
    );
    project.write("country.rq", "SELECT ?c { <http://example.org/org/microsoft> <http://example.org/countryCode> ?c }");
    let answer = project.ok(&["query", "country.rq", "--format", "csv"]);
    assert!(answer.contains("US"), "the store lacks the target's triples: {answer}");
    std::fs::remove_file(project.path().join("countries.nt")).unwrap();
    project.write("data/services.csv", "id,name,provider\noffice-365,Office 365,microsoft\n");
    project.write(
        "mappings/services.ttl",
        &std::fs::read_to_string(project.path().join("mappings/services.ttl"))
            .unwrap()
            .replace("rr:template \"http://example.org/service/{id}\"", "rml:reference \"name\" ; rr:termType rr:IRI"),
    );
    project.fails(&["build"], 1);
    assert!(!project.path().join("countries.nt").exists(), "a failed build wrote its target");
}

/// `services.ttl` of the mini project in YARRRML: the provider is an IRI
/// made from the row (YARRRML names no triples map of a Turtle file).
const SERVICES_YARRRML: &str = "\
prefixes:
  ex: http://example.org/
mappings:
  services:
    sources:
      - [../data/services.csv~csv]
    s: ex:service/$(id)
    po:
      - [a, schema:Service]
      - [schema:name, $(name)]
      - [schema:provider, ex:org/$(provider)~iri]
";

#[test]
fn a_project_mixes_yarrrml_and_turtle_mappings() {
    let turtle = TestProject::mini().built();
    let mixed = TestProject::mini();
    std::fs::remove_file(mixed.path().join("mappings/services.ttl")).unwrap();
    mixed.write("mappings/services.yml", SERVICES_YARRRML);
    mixed.ok(&["build", "--quiet"]);
    let export = |project: &TestProject| project.ok(&["export", "--format", "nquads", "--no-metadata"]);
    let graph = export(&mixed);
    assert!(
        graph.contains(
            "<http://example.org/service/azure> <http://schema.org/provider> <http://example.org/org/microsoft> ."
        ),
        "{graph}"
    );
    assert_eq!(graph, export(&turtle), "the YARRRML mapping gives the graph its Turtle twin gives");
}

#[test]
fn a_problem_in_a_yarrrml_mapping_is_shown_at_its_line_and_column() {
    let project = TestProject::mini();
    std::fs::remove_file(project.path().join("mappings/services.ttl")).unwrap();
    project.write("mappings/services.yml", &SERVICES_YARRRML.replace("$(name)", "$(nmae)"));
    let error = project.fails(&["build", "--quiet"], 1);
    let at = format!("{}:10:23: column \"nmae\" is not in", Path::new("mappings").join("services.yml").display());
    assert!(error.contains(&at), "{error}");
    assert!(error.contains("did you mean \"name\"?"), "{error}");
}

#[test]
fn builds_from_a_sqlite_database_and_reports_a_bad_row_as_database_table_row() {
    let project = TestProject::mini().with_offerings_database();
    let report = project.ok(&["build"]);
    assert!(report.contains(&format!("{:>10}  {}", 2, "data/offerings.sqlite:offering")), "{report}");
    let rows = project.ok(&[
        "query",
        "--format",
        "csv",
        "--sparql",
        "SELECT ?name WHERE { ?o a <http://schema.org/Offer> ; <http://schema.org/name> ?name } ORDER BY ?name",
    ]);
    assert_eq!(crate::common::csv_rows(&rows), [["name"], ["Azure"], ["Office 365"]]);
    project.write(
        "mappings/offerings.ttl",
        &std::fs::read_to_string(project.path().join("mappings/offerings.ttl"))
            .unwrap()
            .replace("rr:template \"http://example.org/offering/{id}\"", "rr:column \"name\" ; rr:termType rr:IRI"),
    );
    let error = project.fails(&["build"], 1);
    assert!(error.starts_with("data/offerings.sqlite:offering:2: \"Office 365\" does not form a valid IRI"), "{error}");
}

#[test]
fn a_build_into_a_closed_pipe_exits_0_quietly_with_its_version_in_place() {
    let project = TestProject::mini();
    crate::common::assert_quiet_into_a_closed_pipe(project.path(), &["build", "--diff"]);
    assert!(project.path().join("store/CURRENT").is_file(), "the build switched its version in");
}
