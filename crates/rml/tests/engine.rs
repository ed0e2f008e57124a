//! The engine's stages through its public API, on small mappings written
//! here: compiling a plan against the sources, and running it into batches.

use factgraph_rml::mapping::{self, MappedBatch, Plan, RunOptions};
use factgraph_rml::problem::ProblemKind;
use factgraph_rml::Error;
use std::path::Path;

const PREFIXES: &str = "@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix ex: <http://example.com/> .
";

/// A folder with `mapping.ttl` (after the prefixes) and the given files.
fn project(mapping: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mapping.ttl"), format!("{PREFIXES}{mapping}")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn compile(dir: &Path) -> Result<Plan, Error> {
    let mapping = mapping::read_mapping_files(&[dir.join("mapping.ttl")])?;
    Plan::compile(&mapping)
}

fn run(plan: &Plan, options: RunOptions) -> Vec<MappedBatch> {
    let mut batches = Vec::new();
    mapping::run_with(plan, options, &mut |batch| {
        batches.push(batch);
        Ok::<_, Error>(())
    })
    .unwrap();
    batches
}

const PEOPLE: &str = r#"ex:People rml:logicalSource [ rml:source "people.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/person/{id}" ; rr:class ex:Person ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference "name" ] ] ;
  rr:predicateObjectMap [ rr:predicate ex:worksFor ; rr:objectMap [ rr:parentTriplesMap ex:Companies ;
      rr:joinCondition [ rr:child "employer" ; rr:parent "name" ] ] ] .
ex:Companies rml:logicalSource [ rml:source "companies.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/company/{id}" ] .
"#;

#[test]
fn a_plan_reads_each_source_once_and_joins_by_parent_table() {
    let dir = project(
        PEOPLE,
        &[("people.csv", "id,name,employer\n1,Ada,Acme\n2,Bo,\n"), ("companies.csv", "id,name\nc1,Acme\n")],
    );
    let plan = compile(dir.path()).unwrap();
    assert_eq!(plan.sources.len(), 2);
    let people = plan.sources.iter().find(|s| s.source.path.ends_with("people.csv")).unwrap();
    assert_eq!(people.columns, ["id", "name", "employer"]);
    assert_eq!(plan.joins.len(), 1, "one referencing object map with a join condition");
    let quads: Vec<String> =
        run(&plan, RunOptions::default()).into_iter().flat_map(|b| b.quads).map(|q| q.to_string()).collect();
    assert!(quads.contains(
        &"<http://example.com/person/1> <http://example.com/worksFor> <http://example.com/company/c1>".to_owned()
    ));
    assert!(
        !quads.iter().any(|q| q.starts_with("<http://example.com/person/2> <http://example.com/worksFor>")),
        "an empty cell joins nothing"
    );
    assert_eq!(quads.iter().filter(|q| q.contains("22-rdf-syntax-ns#type")).count(), 2);
}

#[test]
fn a_column_missing_from_the_header_stops_the_compilation_with_a_suggestion() {
    let dir =
        project(PEOPLE, &[("people.csv", "id,nmae,employer\n1,Ada,Acme\n"), ("companies.csv", "id,name\nc1,Acme\n")]);
    let Err(Error::Problems { problems, .. }) = compile(dir.path()) else { panic!("the plan compiled") };
    let message = problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
    assert!(message.contains("mapping.ttl"), "{message}");
    assert!(
        message.contains("\"name\"") && message.contains("nmae"),
        "names the column and the nearest one: {message}"
    );
}

#[test]
fn batches_come_in_row_order_with_each_rows_line() {
    let mapping = r#"ex:Items rml:logicalSource [ rml:source "items.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/item/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:label ; rr:objectMap [ rml:reference "label" ] ] .
"#;
    let rows: String = (0..5000).map(|i| format!("{i},\"item\n{i}\"\n")).collect();
    let dir = project(mapping, &[("items.csv", &format!("id,label\n{rows}"))]);
    let plan = compile(dir.path()).unwrap();
    let batches = run(&plan, RunOptions { track_identifiers: true, ..RunOptions::default() });
    let origins: Vec<_> = batches.iter().flat_map(|b| b.rows.iter().map(|r| r.line)).collect();
    // Each row spans two lines (a quoted line break): row i starts on line 2 + 2i.
    assert_eq!(origins, (0..5000).map(|i| 2 + 2 * i).collect::<Vec<u64>>());
    let subjects: Vec<_> =
        batches.iter().flat_map(|b| b.subjects.iter().map(|s| (s.line, s.subject.as_str().to_owned()))).collect();
    assert_eq!(subjects[4999], (2 + 2 * 4999, "http://example.com/item/4999".to_owned()));
}

#[test]
fn a_cell_that_cannot_be_a_literal_of_its_datatype_is_an_issue_at_its_line() {
    let mapping = r#"ex:Items rml:logicalSource [ rml:source "items.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/item/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:count ;
      rr:objectMap [ rml:reference "count" ; rr:datatype <http://www.w3.org/2001/XMLSchema#integer> ] ] .
"#;
    let dir = project(mapping, &[("items.csv", "id,count\na,1\nb,many\nc,3\n")]);
    let plan = compile(dir.path()).unwrap();
    let mut quads = 0;
    let report = mapping::run(&plan, &mut |batch| {
        quads += batch.quads.len();
        Ok::<_, Error>(())
    })
    .unwrap();
    assert_eq!(report.issue_count, 1);
    let issue = &report.issues[0];
    assert_eq!((issue.kind, issue.line), (ProblemKind::InvalidLiteral, Some(3)));
    assert_eq!(issue.column.as_deref(), Some("count"));
    assert_eq!(quads, 2, "the row's other triples are kept, the bad literal is not");
}

/// R2RML 11.1 and legacy RML: an empty CSV cell is NULL, and a subject map
/// that gives NULL gives no triples for the row, which is not an error; the
/// run counts such rows per triples map. With the curated-data rule of
/// `build` and `check`, each is a problem instead.
#[test]
fn an_empty_subject_cell_is_null_and_counted_unless_it_is_a_problem() {
    let mapping = r#"ex:Items rml:logicalSource [ rml:source "items.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/item/{id}" ; rr:class ex:Item ] ;
  rr:predicateObjectMap [ rr:predicate ex:label ; rr:objectMap [ rml:reference "label" ] ] .
"#;
    let dir = project(mapping, &[("items.csv", "id,label\na,A\n,B\nc,\n,D\n")]);
    let plan = compile(dir.path()).unwrap();
    let mut quads = Vec::new();
    let report = mapping::run_with(&plan, RunOptions::default(), &mut |batch| {
        quads.extend(batch.quads.iter().map(ToString::to_string));
        Ok::<_, Error>(())
    })
    .unwrap();
    let label = "<http://example.com/label>";
    let is_a = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://example.com/Item>";
    assert_eq!(
        quads,
        [
            format!("<http://example.com/item/a> {is_a}"),
            format!("<http://example.com/item/a> {label} \"A\""),
            format!("<http://example.com/item/c> {is_a}"),
        ],
        "rows 3 and 5 give nothing; row 4's NULL object gives no label"
    );
    assert_eq!(report.issue_count, 0);
    let [null] = report.null_subjects.as_slice() else { panic!("{:?}", report.null_subjects) };
    assert_eq!((null.map, null.rows, null.first.line), (0, 2, Some(3)));
    assert_eq!(null.first.column.as_deref(), Some("id"));

    let curated = RunOptions { empty_subject_is_problem: true, ..RunOptions::default() };
    let report = mapping::run_with(&plan, curated, &mut |_| Ok::<_, Error>(())).unwrap();
    let issues: Vec<_> = report.issues.iter().map(|issue| (issue.kind, issue.line)).collect();
    assert_eq!(issues, [(ProblemKind::EmptyValue, Some(3)), (ProblemKind::EmptyValue, Some(5))]);
    assert!(report.null_subjects.is_empty());
}

#[test]
fn a_sink_error_stops_the_run_and_is_the_callers_own() {
    #[derive(Debug)]
    enum Mine {
        Full,
        Engine,
    }
    impl From<Error> for Mine {
        fn from(_: Error) -> Self {
            Self::Engine
        }
    }
    let mapping = r#"ex:Items rml:logicalSource [ rml:source "items.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/item/{id}" ; rr:class ex:Item ] .
"#;
    let rows: String = (0..50_000).map(|i| format!("{i}\n")).collect();
    let dir = project(mapping, &[("items.csv", &format!("id\n{rows}"))]);
    let plan = compile(dir.path()).unwrap();
    let mut batches = 0;
    let outcome = mapping::run(&plan, &mut |_| {
        batches += 1;
        if batches == 2 {
            Err(Mine::Full)
        } else {
            Ok(())
        }
    });
    assert!(matches!(outcome, Err(Mine::Full)));
    assert_eq!(batches, 2, "no batch after the sink failed");
}

#[test]
fn relative_iris_in_a_mapping_without_base_resolve_against_the_file() {
    // As people write them: no @base, the triples map named by a relative IRI.
    let mapping = r#"<Items> a rml:TriplesMap ;
  rml:logicalSource [ rml:source "items.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.com/item/{id}" ] ;
  rr:predicateObjectMap [ rr:predicate ex:label ; rr:objectMap [ rml:reference "label" ] ] .
"#;
    let dir = project(mapping, &[("items.csv", "id,label\na,Ä\n")]);
    // In a folder whose name an IRI must percent-encode.
    let folder = dir.path().join("my data");
    std::fs::create_dir(&folder).unwrap();
    for name in ["mapping.ttl", "items.csv"] {
        std::fs::rename(dir.path().join(name), folder.join(name)).unwrap();
    }
    let mapping = mapping::read_mapping_files(&[folder.join("mapping.ttl")]).unwrap();
    let map = &mapping.triples_maps[0];
    assert!(map.name.starts_with("<file:///") && map.name.ends_with("/my%20data/Items>"), "{}", map.name);
    assert_eq!(map.base_iri, None, "the file's location is no base for the data's IRIs");
    let plan = Plan::compile(&mapping).unwrap();
    let quads: Vec<String> =
        run(&plan, RunOptions::default()).into_iter().flat_map(|b| b.quads).map(|q| q.to_string()).collect();
    assert_eq!(quads, [r#"<http://example.com/item/a> <http://example.com/label> "Ä""#]);
}

/// Records of a JSON file written on one line share that line: each still
/// gets blank nodes of its own.
#[test]
fn json_records_on_one_line_get_blank_nodes_of_their_own() {
    let dir = project(
        r#"ex:People rml:logicalSource [ rml:source "people.json" ; rml:referenceFormulation ql:JSONPath ; rml:iterator "$[*]" ] ;
  rr:subjectMap [ rr:termType rr:BlankNode ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference "$.name" ] ] ."#,
        &[("people.json", r#"[{"name": "Ada"}, {"name": "Grace"}]"#)],
    );
    let plan = compile(dir.path()).unwrap();
    let quads: Vec<_> = run(&plan, RunOptions::default()).into_iter().flat_map(|b| b.quads).collect();
    assert_eq!(quads.len(), 2);
    assert_ne!(quads[0].subject, quads[1].subject, "two records on line 1 share a blank node");
}

/// RML-CC's last example of named collections: each record gives the
/// cartesian product of its members, and every record naming the same list
/// adds to it, in record order, so that the list stays well formed.
#[test]
fn a_named_list_gathers_across_records_and_combinations() {
    let dir = project(
        r#"@prefix r: <http://w3id.org/rml/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
ex:TM r:logicalSource [ r:source [ a r:RelativePathSource ; r:root r:MappingDirectory ; r:path "data.json" ] ;
      r:referenceFormulation r:JSONPath ; r:iterator "$.*" ] ;
  r:subjectMap [ r:template "http://example.com/{$.id}" ] ;
  r:predicateObjectMap [ r:predicate ex:with ; r:objectMap [ r:template "http://example.com/list{$.id}" ;
      r:gather ( [ r:reference "$.values1.*" ] [ r:reference "$.values2.*" ] ) ;
      r:gatherAs rdf:List ; r:strategy r:cartesianProduct ] ] ."#,
        &[(
            "data.json",
            r#"[ { "id": "a", "values1": [ "1" ], "values2": [ "a", "b" ] },
                 { "id": "b", "values1": [ "3", "4" ], "values2": [ "c", "d" ] },
                 { "id": "a", "values1": [ "5", "6" ], "values2": [ "e" ] } ]"#,
        )],
    );
    let plan = compile(dir.path()).unwrap();
    let quads: Vec<_> = run(&plan, RunOptions::default()).into_iter().flat_map(|b| b.quads).collect();
    let object = |subject: &oxrdf::Term, predicate: &str| {
        let found: Vec<_> = quads
            .iter()
            .filter(|q| oxrdf::Term::from(q.subject.clone()) == *subject && q.predicate.as_str() == predicate)
            .map(|q| q.object.clone())
            .collect();
        assert_eq!(found.len(), 1, "{subject} has one {predicate}: {found:?}");
        found[0].clone()
    };
    let members = |head: &str| {
        let (first, rest, nil) = (
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#first",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest",
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil",
        );
        let mut cell: oxrdf::Term = oxrdf::NamedNode::new_unchecked(head).into();
        let mut values = Vec::new();
        while cell != oxrdf::NamedNode::new_unchecked(nil).into() {
            match object(&cell, first) {
                oxrdf::Term::Literal(l) => values.push(l.value().to_owned()),
                other => panic!("a member is not a literal: {other}"),
            }
            cell = object(&cell, rest);
        }
        values.join(" ")
    };
    assert_eq!(members("http://example.com/lista"), "1 a 1 b 5 e 6 e");
    assert_eq!(members("http://example.com/listb"), "3 c 3 d 4 c 4 d");
    let pointing = quads.iter().filter(|q| q.predicate.as_str() == "http://example.com/with").count();
    assert_eq!(pointing, 3, "one ex:with per record");
}

/// RML-star is refused with its reason, naming the file, the triples map and
/// the construct, rather than misread as a term map without a value.
#[test]
fn a_quoted_triples_map_is_refused_with_its_reason() {
    let dir = project(
        r#"@prefix r: <http://w3id.org/rml/> .
ex:Quoted a r:NonAssertedTriplesMap ; r:logicalSource [ r:source [ a r:RelativePathSource ; r:path "data.csv" ] ;
      r:referenceFormulation r:CSV ] ;
  r:subjectMap [ r:template "http://example.com/{a}" ] ;
  r:predicateObjectMap [ r:predicate ex:p ; r:objectMap [ r:template "http://example.com/{b}" ] ] .
ex:Asserting r:logicalSource [ r:source [ a r:RelativePathSource ; r:path "data.csv" ] ; r:referenceFormulation r:CSV ] ;
  r:subjectMap [ r:template "http://example.com/{c}" ] ;
  r:predicateObjectMap [ r:predicate ex:says ; r:objectMap [ r:quotedTriplesMap ex:Quoted ] ] ."#,
        &[("data.csv", "a,b,c\ns,o,x\n")],
    );
    let message = compile(dir.path()).unwrap_err().to_string();
    assert!(message.contains("mapping.ttl"), "{message}");
    assert!(message.contains("RML-star") && message.contains("is not supported"), "{message}");
    assert!(
        message.contains("<http://example.com/Quoted>") || message.contains("<http://example.com/Asserting>"),
        "{message}"
    );
}
