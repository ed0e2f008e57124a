//! Every build describes itself in a named graph, in VoID, DCAT and PROV terms:
//! the dataset and its version, when and with which factgraph it was built,
//! each input file with its SHA-256 and row count, triples per class and per
//! property, the licence, and the sources the facts cite.

use crate::mapping::RunReport;
use crate::project::Project;
use crate::Error;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const VOID: &str = "http://rdfs.org/ns/void#";
const DCAT: &str = "http://www.w3.org/ns/dcat#";
const DCT: &str = "http://purl.org/dc/terms/";
const PROV: &str = "http://www.w3.org/ns/prov#";
const SPDX: &str = "http://spdx.org/rdf/terms#";
/// factgraph's own small vocabulary for what the others lack (row counts).
pub const FGB: &str = "https://w3id.org/factgraph/build#";

/// The IRI of the dataset a project publishes: `{base_iri}dataset`.
pub fn dataset_iri(project: &Project) -> NamedNode {
    let base = project.base_iri.as_deref().unwrap_or("urn:factgraph:");
    NamedNode::new_unchecked(format!("{base}dataset"))
}

/// The named graph that holds the build's description.
pub fn graph_iri(project: &Project) -> NamedNode {
    NamedNode::new_unchecked(format!("{}/build", dataset_iri(project).as_str()))
}

/// An input file of a build.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    /// Data rows, for CSV files.
    pub rows: Option<u64>,
}

/// The inputs of a build: every CSV file the mapping read, every mapping file
/// and every ontology file.
pub fn inputs(project: &Project, report: &RunReport) -> Result<Vec<Input>, Error> {
    let mut inputs: Vec<Input> = report
        .rows_per_source
        .iter()
        .map(|(path, rows)| Input { path: path.clone(), rows: Some(*rows) })
        .collect();
    for path in project.mapping_files()?.into_iter().chain(project.ontology_files()?) {
        inputs.push(Input { path, rows: None });
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(inputs)
}

/// Describes the data already in `store` and returns the quads of the
/// description, in [`graph_iri`].
pub fn describe_build(
    store: &Store,
    project: &Project,
    version: &str,
    built_at: &str,
    inputs: &[Input],
) -> Result<Vec<Quad>, Error> {
    let graph = GraphName::from(graph_iri(project));
    let dataset = dataset_iri(project);
    let activity = NamedNode::new_unchecked(format!("{}/version/{version}", dataset.as_str()));
    let mut quads = Vec::new();
    let mut add = |s: &NamedOrBlankNode, p: NamedNode, o: Term| quads.push(Quad::new(s.clone(), p, o, graph.clone()));
    let d: NamedOrBlankNode = dataset.clone().into();
    let a: NamedOrBlankNode = activity.clone().into();
    add(&d, rdf::TYPE.into(), iri(VOID, "Dataset").into());
    add(&d, rdf::TYPE.into(), iri(DCAT, "Dataset").into());
    add(&d, iri(DCAT, "version"), Literal::new_simple_literal(version).into());
    add(&d, iri(DCT, "modified"), Literal::new_typed_literal(built_at, xsd::DATE_TIME).into());
    add(&d, iri(PROV, "wasGeneratedBy"), activity.clone().into());
    if let Some(license) = &project.license {
        add(&d, iri(DCT, "license"), NamedNode::new_unchecked(license.clone()).into());
    }
    let count = |query: &str| select_counts(store, query);
    let triples = count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")?;
    add(&d, iri(VOID, "triples"), integer(triples.first().map_or(0, |(_, n)| *n)));
    for (index, (class, entities)) in count("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c")?.into_iter().enumerate() {
        let Some(class) = class else { continue };
        let partition: NamedOrBlankNode = BlankNode::new_unchecked(format!("classPartition{index}")).into();
        add(&d, iri(VOID, "classPartition"), partition.clone().into());
        add(&partition, iri(VOID, "class"), class);
        add(&partition, iri(VOID, "entities"), integer(entities));
    }
    for (index, (property, triples)) in count("SELECT ?c (COUNT(*) AS ?n) WHERE { ?s ?c ?o } GROUP BY ?c ORDER BY ?c")?.into_iter().enumerate() {
        let Some(property) = property else { continue };
        let partition: NamedOrBlankNode = BlankNode::new_unchecked(format!("propertyPartition{index}")).into();
        add(&d, iri(VOID, "propertyPartition"), partition.clone().into());
        add(&partition, iri(VOID, "property"), property);
        add(&partition, iri(VOID, "triples"), integer(triples));
    }
    for (source, _) in count(&format!("SELECT ?c (COUNT(*) AS ?n) WHERE {{ ?s <{DCT}source> ?c }} GROUP BY ?c ORDER BY ?c"))? {
        if let Some(source) = source {
            add(&d, iri(DCT, "source"), source);
        }
    }
    add(&a, rdf::TYPE.into(), iri(PROV, "Activity").into());
    add(&a, iri(PROV, "endedAtTime"), Literal::new_typed_literal(built_at, xsd::DATE_TIME).into());
    add(&a, iri(PROV, "wasAssociatedWith"), Literal::new_simple_literal(format!("factgraph {}", env!("CARGO_PKG_VERSION"))).into());
    for (index, input) in inputs.iter().enumerate() {
        let entity: NamedOrBlankNode = BlankNode::new_unchecked(format!("input{index}")).into();
        let checksum: NamedOrBlankNode = BlankNode::new_unchecked(format!("checksum{index}")).into();
        add(&a, iri(PROV, "used"), entity.clone().into());
        add(&entity, rdf::TYPE.into(), iri(PROV, "Entity").into());
        add(&entity, iri(DCT, "title"), Literal::new_simple_literal(input.path.display().to_string()).into());
        add(&entity, iri(SPDX, "checksum"), checksum.clone().into());
        add(&checksum, iri(SPDX, "algorithm"), iri(SPDX, "checksumAlgorithm_sha256").into());
        add(&checksum, iri(SPDX, "checksumValue"), Literal::new_simple_literal(sha256(&input.path)?).into());
        if let Some(rows) = input.rows {
            add(&entity, iri(FGB, "rows"), integer(rows));
        }
    }
    Ok(quads)
}

fn iri(namespace: &str, local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{namespace}{local}"))
}

fn integer(value: u64) -> Term {
    Literal::new_typed_literal(value.to_string(), xsd::INTEGER).into()
}

/// Runs a query over the default graph whose rows are (?c, ?n).
fn select_counts(store: &Store, query: &str) -> Result<Vec<(Option<Term>, u64)>, Error> {
    let error = |e: &dyn std::fmt::Display| Error::Query { name: "(build description)".into(), problem: e.to_string() };
    let results = SparqlEvaluator::new().parse_query(query).map_err(|e| error(&e))?.on_store(store).execute().map_err(|e| error(&e))?;
    let QueryResults::Solutions(solutions) = results else {
        return Ok(Vec::new());
    };
    let mut rows = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(|e| error(&e))?;
        let n = match solution.get("n") {
            Some(Term::Literal(l)) => l.value().parse().unwrap_or(0),
            _ => 0,
        };
        rows.push((solution.get("c").cloned(), n));
    }
    Ok(rows)
}

fn sha256(path: &Path) -> Result<String, Error> {
    let mut file = std::fs::File::open(path).map_err(Error::io(path))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(Error::io(path))?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Now as an `xsd:dateTime` in UTC (`2026-11-29T08:05:00Z`).
pub fn utc_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, time) = (seconds / 86_400, seconds % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}
