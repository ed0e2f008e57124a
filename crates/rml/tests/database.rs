//! Relational sources end to end, on SQLite files made here: D2RQ database
//! descriptions with a table or a query, R2RML's natural datatypes and NULLs,
//! joins across a database and a CSV file, and the messages for a missing
//! database or column. The PostgreSQL and MySQL variants of the RML test
//! cases run against real servers elsewhere.

mod common;

use factgraph_rml::mapping;
use factgraph_rml::Error;
use std::path::Path;

const PREFIXES: &str = "@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix d2rq: <http://www.wiwiss.fu-berlin.de/suhl/bizer/D2RQ/0.1#> .
@prefix ex: <http://example.com/> .
<#DB> a d2rq:Database ; d2rq:jdbcDSN \"jdbc:sqlite:facts.sqlite\" .
";

fn project(sql: &str, mapping: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    rusqlite::Connection::open(dir.path().join("facts.sqlite")).unwrap().execute_batch(sql).unwrap();
    std::fs::write(dir.path().join("mapping.ttl"), format!("{PREFIXES}{mapping}")).unwrap();
    dir
}

fn quads(dir: &Path) -> Result<Vec<String>, Error> {
    common::mapped_quads(&dir.join("mapping.ttl"))
}

const OFFERINGS: &str =
    "CREATE TABLE offering (id INTEGER PRIMARY KEY, name VARCHAR(40), since DATE, share DECIMAL(5,2), partner TEXT);
INSERT INTO offering VALUES (1, 'Azure', '2014-03-26', 50.5, '21Vianet');
INSERT INTO offering VALUES (2, 'AWS', NULL, NULL, NULL);
INSERT INTO offering VALUES (3, '', '2016-08-01', NULL, 'Sinnet');";

#[test]
fn a_table_maps_with_natural_datatypes_and_no_triple_for_null() {
    let dir = project(
        OFFERINGS,
        r#"ex:Offerings rml:logicalSource [ rml:source <#DB> ; rr:tableName "offering" ] ;
  rr:subjectMap [ rr:template "http://example.com/o/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference "name" ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:since ; rr:objectMap [ rr:column "since" ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:share ; rr:objectMap [ rr:column "\"share\"" ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:id ; rr:objectMap [ rr:column "id" ] ] ."#,
    );
    let quads = quads(dir.path()).unwrap();
    let expected = [
        r#"<http://example.com/o/1> <http://example.com/id> "1"^^<http://www.w3.org/2001/XMLSchema#integer>"#,
        r#"<http://example.com/o/1> <http://example.com/name> "Azure""#,
        r#"<http://example.com/o/1> <http://example.com/share> "50.5"^^<http://www.w3.org/2001/XMLSchema#decimal>"#,
        r#"<http://example.com/o/1> <http://example.com/since> "2014-03-26"^^<http://www.w3.org/2001/XMLSchema#date>"#,
        r#"<http://example.com/o/2> <http://example.com/id> "2"^^<http://www.w3.org/2001/XMLSchema#integer>"#,
        r#"<http://example.com/o/2> <http://example.com/name> "AWS""#,
        r#"<http://example.com/o/3> <http://example.com/id> "3"^^<http://www.w3.org/2001/XMLSchema#integer>"#,
        // An empty string is a value in SQL, not NULL.
        r#"<http://example.com/o/3> <http://example.com/name> """#,
        r#"<http://example.com/o/3> <http://example.com/since> "2016-08-01"^^<http://www.w3.org/2001/XMLSchema#date>"#,
    ];
    assert_eq!(quads, expected);
}

#[test]
fn a_query_selects_the_rows_and_joins_reach_a_csv_file() {
    let dir = project(
        OFFERINGS,
        r#"ex:Offerings rml:logicalSource [ rml:source <#DB> ;
      rml:query "SELECT id, partner FROM offering WHERE partner IS NOT NULL" ] ;
  rr:subjectMap [ rr:template "http://example.com/o/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:partner ; rr:objectMap [ rr:parentTriplesMap ex:Partners ;
      rr:joinCondition [ rr:child "partner" ; rr:parent "name" ] ] ] .
ex:Partners rml:logicalSource [ rml:source "partners.csv" ; rml:referenceFormulation <http://semweb.mmlab.be/ns/ql#CSV> ] ;
  rr:subjectMap [ rr:template "http://example.com/org/{slug}" ] ."#,
    );
    std::fs::write(dir.path().join("partners.csv"), "slug,name\n21vianet,21Vianet\nsinnet,Sinnet\n").unwrap();
    assert_eq!(
        quads(dir.path()).unwrap(),
        [
            "<http://example.com/o/1> <http://example.com/partner> <http://example.com/org/21vianet>",
            "<http://example.com/o/3> <http://example.com/partner> <http://example.com/org/sinnet>",
        ]
    );
}

#[test]
fn a_column_not_in_the_table_is_a_mapping_error_with_a_suggestion() {
    let dir = project(
        OFFERINGS,
        r#"ex:Offerings rml:logicalSource [ rml:source <#DB> ; rr:tableName "offering" ] ;
  rr:subjectMap [ rr:template "http://example.com/o/{nmae}" ] ."#,
    );
    let error = quads(dir.path()).unwrap_err().to_string();
    assert!(error.contains("facts.sqlite:offering") && error.contains("did you mean \"name\""), "{error}");
}

#[test]
fn a_missing_database_file_or_table_stops_before_any_record_is_mapped() {
    let dir = project(
        OFFERINGS,
        r#"ex:Offerings rml:logicalSource [ rml:source <#DB> ; rr:tableName "offerings" ] ;
  rr:subjectMap [ rr:template "http://example.com/o/{id}" ] ."#,
    );
    let error = quads(dir.path()).unwrap_err().to_string();
    assert!(error.contains("no such table: offerings"), "{error}");
    std::fs::remove_file(dir.path().join("facts.sqlite")).unwrap();
    let error = quads(dir.path()).unwrap_err().to_string();
    assert!(error.contains("does not exist"), "{error}");
}

#[test]
fn an_undelimited_column_matches_regardless_of_case_a_delimited_one_exactly() {
    let mapping = |column: &str| {
        format!(
            r#"ex:Offerings rml:logicalSource [ rml:source <#DB> ; rr:tableName "OFFERING" ] ;
  rr:subjectMap [ rr:template "http://example.com/o/{{ID}}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rr:column "{column}" ] ] ."#
        )
    };
    let dir = project(OFFERINGS, &mapping("NAME"));
    assert_eq!(quads(dir.path()).unwrap().len(), 3);
    let dir = project(OFFERINGS, &mapping("\\\"NAME\\\""));
    let error = quads(dir.path()).unwrap_err().to_string();
    assert!(error.contains("column \"NAME\" is not in") && error.contains("did you mean \"name\""), "{error}");
}

#[test]
fn an_r2rml_logical_table_reads_the_one_database_the_mapping_describes() {
    let dir = project(
        OFFERINGS,
        r#"ex:Offerings rr:logicalTable [ rr:sqlQuery "SELECT id FROM offering WHERE id < 3" ] ;
  rr:subjectMap [ rr:template "http://example.com/o/{id}" ; rr:class ex:Offering ] ."#,
    );
    assert_eq!(quads(dir.path()).unwrap().len(), 2);
    let second = "<#Other> a d2rq:Database ; d2rq:jdbcDSN \"jdbc:sqlite:other.sqlite\" .\n";
    let text = std::fs::read_to_string(dir.path().join("mapping.ttl")).unwrap();
    std::fs::write(dir.path().join("mapping.ttl"), format!("{text}\n{second}")).unwrap();
    let error = quads(dir.path()).unwrap_err().to_string();
    assert!(error.contains("does not say which of the mapping's databases"), "{error}");
}

#[test]
fn configured_credentials_replace_the_mapping_s_and_never_show() {
    use factgraph_rml::mapping::ReadOptions;
    use factgraph_rml::source::table::database::Connection;
    let dir = project(
        OFFERINGS,
        r#"ex:Offerings rml:logicalSource [ rml:source <#DB> ; rr:tableName "offering" ] ;
  rr:subjectMap [ rr:template "http://example.com/o/{id}" ] ."#,
    );
    let configured =
        Connection { user: Some("reader".into()), password: Some("s3cret".into()), ..Connection::default() };
    let options = ReadOptions {
        databases: [("jdbc:sqlite:facts.sqlite".to_owned(), configured)].into_iter().collect(),
        ..ReadOptions::default()
    };
    let mapping = mapping::read_mapping_files_with(&[dir.path().join("mapping.ttl")], &options).unwrap();
    let shown = format!("{:?}", mapping.triples_maps[0]);
    assert!(shown.contains("reader") && !shown.contains("s3cret"), "{shown}");
}
