//! `factgraph map`: mappings to RDF without a store.

use crate::common::TestProject;

#[test]
fn maps_both_vocabularies_to_nquads_on_stdout() {
    let project = TestProject::mini();
    let out = project.ok(&["map", "mappings/companies.ttl", "mappings/services.ttl"]);
    assert_eq!(out.lines().count(), 27);
    assert!(out.contains(
        "<http://example.org/service/office-365> <http://schema.org/provider> <http://example.org/org/microsoft> .\n"
    ));
    assert!(out.contains("<http://example.org/org/microsoft> <http://schema.org/foundingDate> \"1975-04-04\"^^<http://www.w3.org/2001/XMLSchema#date> .\n"));
    assert!(out.contains(
        "<http://example.org/org/baihui> <http://schema.org/name> \"Baihui Zongheng Technology, Beijing\"@en .\n"
    ));
}

#[test]
fn writes_turtle_to_a_file() {
    let project = TestProject::mini();
    project.ok(&["map", "mappings/companies.ttl", "--format", "turtle", "--output", "out.ttl"]);
    let text = std::fs::read_to_string(project.path().join("out.ttl")).unwrap();
    assert!(text.contains("@prefix schema: <http://schema.org/> ."), "{text}");
    assert!(text.contains("\"世纪互联\"@zh"), "{text}");
}

#[test]
fn a_mapping_that_cannot_run_names_file_map_and_problem() {
    let project = TestProject::mini();
    project.write("bad.ttl", "@prefix rml: <http://w3id.org/rml/> .\n<http://x/M> rml:logicalSource [ rml:source \"data/companies.csv\" ] ;\n  rml:subjectMap [ rml:template \"http://x/{id\" ] .\n");
    let error = project.fails(&["map", "bad.ttl"], 1);
    assert!(error.contains("bad.ttl, triples map <http://x/M>: subject map: template \"http://x/{id\": "), "{error}");
    assert!(error.contains("unclosed '{' at character 9"), "{error}");
}

#[test]
fn quads_come_in_row_order_then_in_the_order_of_the_mapping_file() {
    let project = TestProject::mini();
    let first = project.ok(&["map", "mappings/companies.ttl", "mappings/services.ttl"]);
    for _ in 0..3 {
        // The Turtle parser labels blank nodes at random; the output must not change with them.
        assert_eq!(project.ok(&["map", "mappings/companies.ttl", "mappings/services.ttl"]), first);
    }
    let microsoft: Vec<&str> = first
        .lines()
        .filter(|l| l.starts_with("<http://example.org/org/microsoft> "))
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    let in_file_order = [
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
        "<http://schema.org/name>",
        "<http://schema.org/alternateName>",
        "<http://schema.org/addressCountry>",
        "<http://schema.org/foundingDate>",
    ];
    assert_eq!(microsoft, in_file_order);
}

#[test]
fn a_failed_map_leaves_no_output_file_and_an_older_one_as_it_was() {
    let project = TestProject::mini();
    project.write("out.nq", "older output\n");
    std::fs::remove_file(project.path().join("data/services.csv")).unwrap();
    for format in ["nquads", "turtle"] {
        let error = project.fails(
            &["map", "mappings/companies.ttl", "mappings/services.ttl", "--format", format, "--output", "out.nq"],
            1,
        );
        assert!(error.contains("data/services.csv: cannot open the file"), "{error}");
        assert_eq!(std::fs::read_to_string(project.path().join("out.nq")).unwrap(), "older output\n");
        let left: Vec<_> = std::fs::read_dir(project.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(!left.iter().any(|name| name.to_string_lossy().contains("partial")), "{left:?}");
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let project = TestProject::mini();
    crate::common::assert_quiet_into_a_closed_pipe(
        project.path(),
        &["map", "mappings/companies.ttl", "mappings/services.ttl"],
    );
}

#[test]
fn output_to_a_device_writes_into_it_and_leaves_it_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let project = TestProject::mini();
    project.ok(&["map", "mappings/companies.ttl", "--output", "/dev/null"]);
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[test]
fn a_map_with_a_problem_in_the_data_writes_no_file() {
    let project = TestProject::mini();
    project.write("people.csv", "id,name\n1,Ada\n2,Grace\n");
    project.write(
        "bad-iri.ttl",
        "@prefix rml: <http://w3id.org/rml/> .\n<http://x/M> rml:logicalSource [ rml:source \"people.csv\" ] ;\n  rml:subjectMap [ rml:reference \"name\" ] ;\n  rml:predicateObjectMap [ rml:predicate <http://x/id> ; rml:objectMap [ rml:reference \"id\" ] ] .\n",
    );
    let error = project.fails(&["map", "bad-iri.ttl", "--output", "out.nq"], 1);
    assert!(error.contains("people.csv:2:"), "{error}");
    assert!(error.contains("\"Ada\" is not an absolute IRI"), "{error}");
    assert!(!project.path().join("out.nq").exists(), "a failed map left its output");
}

/// As RMLMapper and morph-KGC read legacy RML: an empty cell is NULL, and a
/// row whose subject is NULL gives no triples. `map` skips such rows and
/// says so once per triples map (`build` and `check` stop at them instead,
/// see cli_check.rs).
#[test]
fn map_skips_rows_whose_subject_is_an_empty_cell_with_one_warning() {
    let project = TestProject::mini();
    project.write("people.csv", "id,name\n1,Ada\n,Nameless\n3,\n,Also nameless\n");
    project.write(
        "legacy.ttl",
        "@prefix rr: <http://www.w3.org/ns/r2rml#> .\n@prefix rml: <http://semweb.mmlab.be/ns/rml#> .\n@prefix ql: <http://semweb.mmlab.be/ns/ql#> .\n<http://x/People> rml:logicalSource [ rml:source \"people.csv\" ; rml:referenceFormulation ql:CSV ] ;\n  rr:subjectMap [ rr:template \"http://x/person/{id}\" ; rr:class <http://x/Person> ] ;\n  rr:predicateObjectMap [ rr:predicate <http://x/name> ; rr:objectMap [ rml:reference \"name\" ] ] .\n",
    );
    let output = project.run(&["map", "legacy.ttl", "--output", "out.nq"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        stderr,
        "factgraph: warning: people.csv:3: 2 row(s) skipped, this the first: an empty cell where the subject is formed is NULL and gives no triples (column \"id\", triples map <http://x/People>)\n"
    );
    let written = std::fs::read_to_string(project.path().join("out.nq")).unwrap();
    assert_eq!(
        written,
        "<http://x/person/1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/Person> .\n\
         <http://x/person/1> <http://x/name> \"Ada\" .\n\
         <http://x/person/3> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://x/Person> .\n"
    );
}

/// A JSON source with a gather map and a GREL function, mapped to a file
/// and a logical target: the target takes the triples of its subject map,
/// the default output the others.
#[test]
fn json_functions_collections_and_a_logical_target() {
    let project = TestProject::mini();
    project.write("people.json", r#"{"people": [{"id": 1, "name": " ada ", "tags": ["x", "y"]}]}"#);
    project.write(
        "people.ttl",
        r#"@prefix rml: <http://w3id.org/rml/> .
@prefix grel: <http://users.ugent.be/~bjdmeest/function/grel.ttl#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
<http://x/People> rml:logicalSource [ rml:source [ a rml:RelativePathSource ; rml:path "people.json" ] ;
    rml:referenceFormulation rml:JSONPath ; rml:iterator "$.people[*]" ] ;
  rml:subjectMap [ rml:template "http://x/person/{$.id}" ] ;
  rml:predicateObjectMap [ rml:predicate <http://x/name> ;
    rml:objectMap [ rml:functionExecution [ rml:function grel:string_trim ;
        rml:input [ rml:parameter grel:valueParam ; rml:inputValueMap [ rml:reference "$.name" ] ] ] ;
      rml:return grel:stringOut ] ] ;
  rml:predicateObjectMap [ rml:predicate <http://x/tags> ;
    rml:objectMap [ rml:gather ( [ rml:reference "$.tags[*]" ] ) ; rml:gatherAs <http://www.w3.org/1999/02/22-rdf-syntax-ns#List> ] ] ;
  rml:predicateObjectMap [ rml:predicate <http://x/id> ;
    rml:objectMap [ rml:reference "$.id" ; rml:logicalTarget [ a rml:LogicalTarget ;
      rml:target [ a rml:FilePath ; rml:path "ids.nt" ] ; rml:serialization formats:N-Triples ] ] ] .
"#,
    );
    project.ok(&["map", "people.ttl", "--output", "out.nq"]);
    let main = std::fs::read_to_string(project.path().join("out.nq")).unwrap();
    assert!(main.contains("<http://x/person/1> <http://x/name> \"ada\" .\n"), "{main}");
    assert!(main.contains("<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> \"x\" .\n"), "{main}");
    assert!(!main.contains("<http://x/id>"), "the target's triple is in the default output: {main}");
    let target = std::fs::read_to_string(project.path().join("ids.nt")).unwrap();
    assert_eq!(target, "<http://x/person/1> <http://x/id> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n");
}

#[test]
fn broken_json_names_its_line_and_column() {
    let project = TestProject::mini();
    project.write("broken.json", "[\n  {\"id\": 1},\n  {\"id\" 2}\n]\n");
    project.write(
        "broken.ttl",
        "@prefix rml: <http://w3id.org/rml/> .\n<http://x/M> rml:logicalSource [ rml:source \"broken.json\" ; rml:referenceFormulation rml:JSONPath ; rml:iterator \"$[*]\" ] ;\n  rml:subjectMap [ rml:template \"http://x/{$.id}\" ] .\n",
    );
    let error = project.fails(&["map", "broken.ttl", "--output", "out.nq"], 1);
    assert!(error.contains("broken.json:3"), "{error}");
    assert!(error.contains("column"), "{error}");
    assert!(!project.path().join("out.nq").exists());
}

/// A SPARQL endpoint (a one-answer server run here) as a source, joined with
/// a CSV file of the project; and the message when the endpoint is gone.
#[test]
fn maps_a_sparql_endpoints_answer_joined_with_a_csv_file() {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/query", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut head = String::new();
        let mut reader = BufReader::new(&stream);
        while reader.read_line(&mut head).unwrap() > 2 {}
        let body = "org,country\r\nhttp://example.org/org/microsoft,US\r\n";
        let answer =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        (&stream).write_all(answer.as_bytes()).unwrap();
        head
    });
    let project = TestProject::mini();
    project.write("countries.csv", "code,name\nUS,United States\n");
    let mapping = format!(
        r#"@prefix rml: <http://w3id.org/rml/> .
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .
<#Endpoint> a sd:Service ; sd:endpoint <{endpoint}> ; sd:resultFormat formats:SPARQL_Results_CSV .
<http://x/Orgs> rml:logicalSource [ rml:source <#Endpoint> ; rml:referenceFormulation formats:SPARQL_Results_CSV ;
    rml:iterator "SELECT ?org ?country WHERE {{ ?org <http://schema.org/addressCountry> ?country }}" ] ;
  rml:subjectMap [ rml:reference "org" ] ;
  rml:predicateObjectMap [ rml:predicate <http://schema.org/location> ; rml:objectMap [ rml:parentTriplesMap <http://x/Countries> ;
      rml:joinCondition [ rml:child "country" ; rml:parent "code" ] ] ] .
<http://x/Countries> rml:logicalSource [ rml:source "countries.csv" ] ;
  rml:subjectMap [ rml:template "http://example.org/country/{{name}}" ] .
"#
    );
    project.write("sparql.ttl", &mapping);
    let out = project.ok(&["map", "sparql.ttl"]);
    assert_eq!(
        out,
        "<http://example.org/org/microsoft> <http://schema.org/location> <http://example.org/country/United%20States> .\n"
    );
    assert!(server.join().unwrap().to_ascii_lowercase().contains("accept: text/csv"));
    let error = project.fails(&["map", "sparql.ttl"], 1);
    assert!(error.contains(&format!("{endpoint}: cannot connect to the endpoint")), "{error}");
}

/// `data/companies.xlsx` with a notes sheet first and a "Companies" sheet
/// whose second company's founding date is `baihui_founded`, as text.
fn companies_workbook(project: &TestProject, baihui_founded: &str) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    workbook.add_worksheet().set_name("Read me").unwrap().write_string(0, 0, "companies, by id").unwrap();
    let sheet = workbook.add_worksheet().set_name("Companies").unwrap();
    for (column, name) in ["id", "name", "founded"].iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    sheet.write_string(1, 0, "microsoft").unwrap();
    sheet.write_string(1, 1, "Microsoft").unwrap();
    sheet.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(1975, 4, 4).unwrap(), &date).unwrap();
    sheet.write_string(2, 0, "baihui").unwrap();
    sheet.write_string(2, 1, "Baihui").unwrap();
    sheet.write_string(2, 2, baihui_founded).unwrap();
    workbook.save(project.path().join("data/companies.xlsx")).unwrap();
}

#[test]
fn a_spreadsheet_sheet_is_a_source_and_its_problems_name_file_sheet_and_row() {
    let project = TestProject::mini();
    project.write(
        "mappings/sheet.ttl",
        r#"@prefix rml: <http://w3id.org/rml/> .
@prefix schema: <http://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/Sheet> rml:logicalSource [ rml:source "../data/companies.xlsx" ; rml:iterator "Companies" ] ;
  rml:subjectMap [ rml:template "http://example.org/org/{id}" ] ;
  rml:predicateObjectMap [ rml:predicate schema:name ; rml:objectMap [ rml:reference "name" ] ] ;
  rml:predicateObjectMap [ rml:predicate schema:foundingDate ;
      rml:objectMap [ rml:reference "founded" ; rml:datatype xsd:date ] ] .
"#,
    );
    companies_workbook(&project, "2013-02-30");
    let error = project.fails(&["map", "mappings/sheet.ttl"], 1);
    assert!(error.contains(r#"data/companies.xlsx:Companies:3: "2013-02-30" is not a valid xsd:date"#), "{error}");
    companies_workbook(&project, "2013-02-28");
    let out = project.ok(&["map", "mappings/sheet.ttl"]);
    assert!(out.contains("<http://example.org/org/microsoft> <http://schema.org/foundingDate> \"1975-04-04\"^^<http://www.w3.org/2001/XMLSchema#date> .\n"), "{out}");
    assert!(out.contains("<http://example.org/org/baihui> <http://schema.org/name> \"Baihui\" .\n"), "{out}");
}

#[test]
fn maps_a_sqlite_table_with_natural_datatypes_and_no_triple_for_null() {
    let project = TestProject::mini().with_offerings_database();
    let out = project.ok(&["map", "mappings/companies.ttl", "mappings/offerings.ttl"]);
    let offering = |rest: &str| format!("<http://example.org/offering/{rest} .\n");
    assert!(
        out.contains(&offering(
            "1> <http://schema.org/availabilityStarts> \"2014-03-26\"^^<http://www.w3.org/2001/XMLSchema#date>"
        )),
        "{out}"
    );
    assert!(out.contains(&offering("2> <http://schema.org/offeredBy> <http://example.org/org/microsoft>")), "{out}");
    assert!(out.contains(&offering("2> <http://schema.org/name> \"Office 365\"")), "{out}");
    assert!(!out.contains("offering/2> <http://schema.org/availabilityStarts>"), "a NULL gives no triple: {out}");
}

#[test]
fn r2rml_logical_tables_read_the_database_of_factgraph_toml() {
    let project = TestProject::mini().with_offerings_database();
    let toml = std::fs::read_to_string(project.path().join("factgraph.toml")).unwrap();
    project.write(
        "factgraph.toml",
        &format!("{toml}\n[database]\ndsn = \"jdbc:sqlite:data/offerings.sqlite\"\nuser = \"reader\"\n"),
    );
    project.write(
        "mappings/r2rml.ttl",
        r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
<http://example.org/Offerings> rr:logicalTable [ rr:sqlQuery "SELECT id, name FROM offering WHERE since IS NOT NULL" ] ;
  rr:subjectMap [ rr:template "http://example.org/offering/{ID}" ] ;
  rr:predicateObjectMap [ rr:predicate <http://schema.org/name> ; rr:objectMap [ rr:column "NAME" ] ] .
"#,
    );
    let out = project.ok(&["map", "mappings/r2rml.ttl"]);
    assert_eq!(out, "<http://example.org/offering/1> <http://schema.org/name> \"Azure\" .\n");
    project.write("factgraph.toml", &toml);
    let error = project.fails(&["map", "mappings/r2rml.ttl"], 1);
    assert!(
        error.contains("rr:logicalTable reads a database that neither the mapping nor factgraph.toml names"),
        "{error}"
    );
}
