//! The mapping engine's hot path, through the public library API: filling an
//! IRI template with percent-encoding, checking a typed literal's lexical
//! form, and running a small plan whose referencing object map joins two CSV
//! files (against the same plan with a template in place of the join).
//!
//! `cargo bench --bench mapping` (add `-- --quick` for a short run).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use factgraph_core::mapping::datatypes::check_lexical_form;
use factgraph_core::mapping::template::{push_iri_safe, Escape, Template};
use factgraph_core::mapping::{read_mapping_files, run, Plan};
use std::hint::black_box;
use std::io::Write;
use std::path::Path;

const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// Cell values as the bundled data has them: ASCII ids, Chinese names, and
/// text with spaces and reserved characters that must be percent-encoded.
const VALUES: [&str; 4] = ["baihui-zongheng-o1234", "百会纵横科技有限公司", "Office 365 / China?", "21vianet"];

fn templates(c: &mut Criterion) {
    let template =
        Template::parse("https://w3id.org/factgraph/cn-cloud/{id}").unwrap().resolve(|_| Ok::<usize, ()>(0)).unwrap();
    let mut group = c.benchmark_group("template");
    group.throughput(Throughput::Elements(VALUES.len() as u64));
    group.bench_function("expand_iri_safe", |b| {
        let mut out = String::new();
        b.iter(|| {
            for value in VALUES {
                black_box(template.expand(|_| black_box(value), Escape::Iri, &mut out));
            }
        });
    });
    group.bench_function("push_iri_safe", |b| {
        let mut out = String::with_capacity(128);
        b.iter(|| {
            for value in VALUES {
                out.clear();
                push_iri_safe(black_box(value), &mut out);
            }
            black_box(&out);
        });
    });
    group.finish();
}

fn literals(c: &mut Criterion) {
    let cases = [
        ("2013-03-14", format!("{XSD}date")),
        ("2013-05", format!("{XSD}gYearMonth")),
        ("zh", format!("{XSD}language")),
        ("The Register", format!("{XSD}string")),
    ];
    let mut group = c.benchmark_group("literal");
    group.throughput(Throughput::Elements(cases.len() as u64));
    group.bench_function("check_lexical_form", |b| {
        b.iter(|| {
            for (value, datatype) in &cases {
                black_box(check_lexical_form(black_box(value), datatype).is_ok());
            }
        });
    });
    group.finish();
}

const ROWS: usize = 10_000;

/// Writes companies.csv and services.csv (each service names its provider,
/// a company) and a mapping whose services join to their provider, either
/// by a referencing object map (`join`) or by a template on the column.
fn write_project(dir: &Path, join: bool) -> std::path::PathBuf {
    let mut companies = std::fs::File::create(dir.join("companies.csv")).unwrap();
    writeln!(companies, "id,name,name_zh").unwrap();
    for i in 0..ROWS {
        writeln!(companies, "company-{i},Company {i},百会纵横{i}").unwrap();
    }
    let mut services = std::fs::File::create(dir.join("services.csv")).unwrap();
    writeln!(services, "id,name,provider").unwrap();
    for i in 0..ROWS {
        writeln!(services, "service-{i},\"Service {i}, in China\",company-{}", (i * 7) % ROWS).unwrap();
    }
    let provider = if join {
        "rr:objectMap [ rr:parentTriplesMap ex:Companies ; rr:joinCondition [ rr:child \"provider\" ; rr:parent \"id\" ] ]"
    } else {
        "rr:objectMap [ rr:template \"http://example.org/company/{provider}\" ]"
    };
    let mapping = format!(
        r#"@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix ex: <http://example.org/> .
ex:Companies rml:logicalSource [ rml:source "companies.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.org/company/{{id}}" ; rr:class ex:Company ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference "name" ; rr:language "en" ] ] ,
    [ rr:predicate ex:name ; rr:objectMap [ rml:reference "name_zh" ; rr:language "zh" ] ] .
ex:Services rml:logicalSource [ rml:source "services.csv" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "http://example.org/service/{{id}}" ; rr:class ex:Service ] ;
  rr:predicateObjectMap [ rr:predicate ex:name ; rr:objectMap [ rml:reference "name" ] ] ,
    [ rr:predicate ex:provider ; {provider} ] .
"#
    );
    let path = dir.join("mapping.ttl");
    std::fs::write(&path, mapping).unwrap();
    path
}

fn plans(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.throughput(Throughput::Elements(2 * ROWS as u64));
    group.sample_size(20);
    for (name, join) in [("run_join_2x10k_rows", true), ("run_template_2x10k_rows", false)] {
        let dir = tempfile::tempdir().unwrap();
        let path = write_project(dir.path(), join);
        let plan = Plan::compile(&read_mapping_files(&[path]).unwrap()).unwrap();
        group.bench_function(name, |b| {
            b.iter_batched(
                || 0u64,
                |mut quads| {
                    run(&plan, &mut |batch| {
                        quads += batch.quads.len() as u64;
                        Ok::<_, factgraph_core::Error>(())
                    })
                    .unwrap();
                    // Three quads a company (type, two names), three a service (type, name, provider).
                    assert_eq!(quads, 6 * ROWS as u64);
                    quads
                },
                BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, templates, literals, plans);
criterion_main!(benches);
