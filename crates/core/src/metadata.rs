//! Every build describes itself in a named graph, in VoID, DCAT and PROV terms:
//! the dataset and its version, when and with which factgraph it was built,
//! each input file with its SHA-256 and row count, triples per class and per
//! property, the licence, and the sources the facts cite.

use crate::mapping::RunReport;
use crate::project::Project;
use crate::Error;
use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{
    BlankNode, GraphName, Literal, NamedNode, NamedNodeRef, NamedOrBlankNode, Quad, Term, TermRef, TripleRef,
};
use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
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

/// The IRI of a version of the dataset, `{dataset}/version/{name}`: the
/// build (a `prov:Activity`) that made it, and the `id` of its change in
/// RDF Patch ([`crate::changes::formats`]).
pub fn version_iri(project: &Project, version: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("{}/version/{version}", dataset_iri(project).as_str()))
}

/// An input file of a build.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    /// Data rows, for CSV files.
    pub rows: Option<u64>,
    /// Its SHA-256, when known already (else computed for a file).
    pub checksum: Option<String>,
}

/// The inputs of a build: every CSV file the mapping read, every mapping file
/// and every ontology file.
pub fn inputs(project: &Project, report: &RunReport) -> Result<Vec<Input>, Error> {
    let mut inputs: Vec<Input> = report
        .rows_per_source
        .iter()
        .map(|(path, rows)| Input { path: path.clone(), rows: Some(*rows), checksum: None })
        .collect();
    for path in project.mapping_files()?.into_iter().chain(project.ontology_files()?) {
        inputs.push(Input { path, rows: None, checksum: None });
    }
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(inputs)
}

/// What the description counts, over the distinct triples of the default
/// graph. Summed over disjoint sets of subjects (see
/// [`crate::validate::buckets`]), so each set can be counted on its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphSummary {
    pub triples: u64,
    /// Per class (object of `rdf:type`), its instances; keyed by the term as
    /// written in N-Triples, which orders IRIs as SPARQL does.
    pub entities_per_class: BTreeMap<String, (Term, u64)>,
    pub triples_per_property: BTreeMap<String, (NamedNode, u64)>,
    /// The objects of `dct:source`.
    pub sources: BTreeMap<String, Term>,
    /// How many triples cite each of them, so that an incremental build can
    /// tell when the last one goes.
    pub source_uses: BTreeMap<String, u64>,
}

impl GraphSummary {
    /// Counts `triples`, which must be distinct and hold every triple of
    /// their subjects.
    pub fn count(&mut self, triples: &[TripleRef<'_>]) {
        let source = NamedNodeRef::new_unchecked("http://purl.org/dc/terms/source");
        self.triples += triples.len() as u64;
        // Counted by reference first: a key string per triple would cost an
        // allocation each, millions of them.
        let mut per_property: FxHashMap<NamedNodeRef<'_>, u64> = FxHashMap::default();
        let mut per_class: FxHashMap<TermRef<'_>, u64> = FxHashMap::default();
        let mut sources: FxHashMap<TermRef<'_>, u64> = FxHashMap::default();
        for triple in triples {
            *per_property.entry(triple.predicate).or_default() += 1;
            if triple.predicate == rdf::TYPE {
                *per_class.entry(triple.object).or_default() += 1;
            } else if triple.predicate == source {
                *sources.entry(triple.object).or_default() += 1;
            }
        }
        for (source, n) in sources {
            let key = source.to_string();
            *self.source_uses.entry(key.clone()).or_default() += n;
            self.sources.entry(key).or_insert_with(|| source.into_owned());
        }
        for (property, n) in per_property {
            self.triples_per_property.entry(property.to_string()).or_insert_with(|| (property.into_owned(), 0)).1 += n;
        }
        for (class, n) in per_class {
            self.entities_per_class.entry(class.to_string()).or_insert_with(|| (class.into_owned(), 0)).1 += n;
        }
    }

    pub fn merge(&mut self, other: Self) {
        self.triples += other.triples;
        for (key, (class, n)) in other.entities_per_class {
            self.entities_per_class.entry(key).or_insert((class, 0)).1 += n;
        }
        for (key, (property, n)) in other.triples_per_property {
            self.triples_per_property.entry(key).or_insert((property, 0)).1 += n;
        }
        self.sources.extend(other.sources);
        for (key, n) in other.source_uses {
            *self.source_uses.entry(key).or_default() += n;
        }
    }
}

/// Describes the data that `summary` counted and returns the quads of the
/// description, in [`graph_iri`].
pub fn describe_build(
    summary: &GraphSummary,
    project: &Project,
    version: &str,
    built_at: &str,
    inputs: &[Input],
) -> Result<Vec<Quad>, Error> {
    let graph = GraphName::from(graph_iri(project));
    let dataset = dataset_iri(project);
    let activity = version_iri(project, version);
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
    if let Some(title) = &project.title {
        add(&d, iri(DCT, "title"), Literal::new_simple_literal(title).into());
    }
    if let Some(description) = &project.description {
        add(&d, iri(DCT, "description"), Literal::new_simple_literal(description).into());
    }
    add(&d, iri(VOID, "triples"), integer(summary.triples));
    for (index, (class, entities)) in summary.entities_per_class.values().enumerate() {
        let partition: NamedOrBlankNode = BlankNode::new_unchecked(format!("classPartition{index}")).into();
        add(&d, iri(VOID, "classPartition"), partition.clone().into());
        add(&partition, iri(VOID, "class"), class.clone());
        add(&partition, iri(VOID, "entities"), integer(*entities));
    }
    for (index, (property, triples)) in summary.triples_per_property.values().enumerate() {
        let partition: NamedOrBlankNode = BlankNode::new_unchecked(format!("propertyPartition{index}")).into();
        add(&d, iri(VOID, "propertyPartition"), partition.clone().into());
        add(&partition, iri(VOID, "property"), property.clone().into());
        add(&partition, iri(VOID, "triples"), integer(*triples));
    }
    for source in summary.sources.values() {
        add(&d, iri(DCT, "source"), source.clone());
    }
    add(&a, rdf::TYPE.into(), iri(PROV, "Activity").into());
    add(&a, iri(PROV, "endedAtTime"), Literal::new_typed_literal(built_at, xsd::DATE_TIME).into());
    add(
        &a,
        iri(PROV, "wasAssociatedWith"),
        Literal::new_simple_literal(format!("factgraph {}", env!("CARGO_PKG_VERSION"))).into(),
    );
    for (index, input) in inputs.iter().enumerate() {
        let entity: NamedOrBlankNode = BlankNode::new_unchecked(format!("input{index}")).into();
        let checksum: NamedOrBlankNode = BlankNode::new_unchecked(format!("checksum{index}")).into();
        add(&a, iri(PROV, "used"), entity.clone().into());
        add(&entity, rdf::TYPE.into(), iri(PROV, "Entity").into());
        add(&entity, iri(DCT, "title"), Literal::new_simple_literal(input.path.display().to_string()).into());
        // A database's table (`DATABASE:TABLE`) is no file: it has no checksum.
        let value = match &input.checksum {
            Some(value) => Some(value.clone()),
            None if input.path.is_file() => Some(sha256(&input.path)?),
            None => None,
        };
        if let Some(value) = value {
            add(&entity, iri(SPDX, "checksum"), checksum.clone().into());
            add(&checksum, iri(SPDX, "algorithm"), iri(SPDX, "checksumAlgorithm_sha256").into());
            add(&checksum, iri(SPDX, "checksumValue"), Literal::new_simple_literal(value).into());
        }
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

pub fn sha256(path: &Path) -> Result<String, Error> {
    let mut file = std::fs::File::open(path).map_err(Error::io(path))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(Error::io(path))?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Now as an `xsd:dateTime` in UTC (`2026-11-29T08:05:00Z`).
pub fn utc_now() -> String {
    let seconds = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (year, month, day, hour, minute, second) = factgraph_rml::civil::from_unix_seconds(seconds);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}
