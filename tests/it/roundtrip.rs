//! Any Unicode a researcher can type in a cell survives CSV → mapping →
//! store → Turtle export → parsing, as the same graph.

use factgraph_core::mapping::{self, Plan};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::Dataset;
use oxigraph::store::Store;
use proptest::prelude::*;

const MAPPING: &str = r#"
@prefix rml: <http://w3id.org/rml/> .
@prefix ex: <http://example.org/> .
ex:Cells a rml:TriplesMap ;
  rml:logicalSource [ rml:source "cells.csv" ] ;
  rml:subjectMap [ rml:template "http://example.org/cell/{value}" ] ;
  rml:predicateObjectMap [ rml:predicate ex:value ; rml:objectMap [ rml:reference "value" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:tagged ; rml:objectMap [ rml:reference "value" ; rml:language "zh" ] ] ;
  rml:predicateObjectMap [ rml:predicate ex:node ; rml:objectMap [ rml:template "{value}" ; rml:termType rml:BlankNode ] ] .
"#;

fn cell() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[\"'<>{}\\\\,;\n\r\t 百会纵横 a-z]{1,12}", Just("\u{0}\u{7}\u{1b}\u{7f}".to_owned()),]
        .prop_filter("an empty cell maps to nothing", |s| !s.is_empty())
}

fn roundtrip(values: &[String]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = csv::Writer::from_path(dir.path().join("cells.csv")).unwrap();
    writer.write_record(["value"]).unwrap();
    for value in values {
        writer.write_record([value]).unwrap();
    }
    writer.flush().unwrap();
    std::fs::write(dir.path().join("mapping.ttl"), MAPPING).unwrap();

    let mapping = mapping::read_mapping_files(&[dir.path().join("mapping.ttl")]).unwrap();
    let plan = Plan::compile(&mapping).unwrap();
    let store = Store::new().unwrap();
    let mut mapped = Dataset::new();
    let report = mapping::run(&plan, &mut |batch| {
        mapped.extend(batch.quads.iter());
        store.extend(batch.quads).map_err(|e| factgraph_core::Error::store("memory", e))
    })
    .unwrap();
    prop_assert_eq!(report.issue_count, 0, "{:?}", report.issues);
    prop_assert_eq!(report.rows_per_source[0].1, values.len() as u64);

    let mut turtle = Vec::new();
    factgraph_core::export::export(
        &factgraph_core::export::Quads::Store(store.clone()),
        RdfFormat::Turtle,
        &[("ex".into(), "http://example.org/".into())],
        &[],
        &mut turtle,
    )
    .unwrap();
    let mut parsed: Dataset = RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(&turtle)
        .collect::<Result<_, _>>()
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&turtle))))?;
    parsed.canonicalize(CanonicalizationAlgorithm::Unstable);
    mapped.canonicalize(CanonicalizationAlgorithm::Unstable);
    prop_assert_eq!(parsed, mapped);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn any_cell_value_survives_mapping_and_turtle_export(values in prop::collection::vec(cell(), 1..6)) {
        roundtrip(&values)?;
    }
}
