//! SHACL validation of the mapped graph against `ontology/shapes.ttl`, with
//! the `shacl-rust` crate (built on the same `oxrdf` model as Oxigraph), in
//! chunks of subjects read from a store so that memory stays bounded. Each
//! violation is reported at the CSV row that produced its focus node.

use super::integrity::Integrity;
use crate::mapping::Plan;
use crate::problem::{Problem, ProblemKind};
use crate::Error;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Graph, GraphNameRef, NamedNode, NamedOrBlankNode, Quad, Term, TermRef, Triple};
use oxigraph::store::Store;
use shacl_rust::validation::build_target_cache;
use shacl_rust::validation::dataset::ValidationDataset;
use shacl_rust::ValidationResult;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The shapes of a project.
pub struct Shapes {
    path: PathBuf,
    graph: Graph,
}

impl Shapes {
    /// Reads the shapes file; `None` when the project has none.
    pub fn read(path: &Path) -> Result<Option<Self>, Error> {
        if !path.exists() {
            return Ok(None);
        }
        let quads = crate::build::read_rdf_file(path, usize::MAX)?;
        let graph = quads.into_iter().map(Triple::from).collect::<Graph>();
        // Parse once now, so that a broken shapes file is reported before any mapping runs.
        shacl_rust::parse_shapes(&graph).map_err(|e| Error::Config {
            path: path.to_owned(),
            problem: format!("not valid SHACL: {e}"),
        })?;
        Ok(Some(Self { path: path.to_owned(), graph }))
    }

    /// Validates the default graph of `store` and reports each violation at
    /// the row its focus node came from.
    ///
    /// The graph is read in subject order and validated a chunk of subjects at
    /// a time, so memory stays bounded: each chunk holds its subjects' triples,
    /// the `rdf:type` of the nodes they link to (for `sh:class`), and the
    /// ontology (for `rdfs:subClassOf`); only the chunk's own subjects are
    /// focus nodes. Shapes that reach further than one hop from a focus node
    /// (`sh:node` on linked nodes, inverse paths) see only what the chunk holds.
    pub fn validate_store(&self, store: &Store, ontology: &[Quad], plan: &Plan, integrity: &Integrity) -> Result<Vec<Problem>, Error> {
        let store_error = |e: &dyn std::fmt::Display| Error::store("(shapes)", e);
        let ontology: Vec<Triple> = ontology.iter().map(|q| Triple::from(q.clone())).collect();
        // One pass over the type triples serves every chunk's linked nodes:
        // far cheaper than a lookup per linked node per chunk.
        let mut types: HashMap<NamedOrBlankNode, Vec<Term>> = HashMap::new();
        for quad in store.quads_for_pattern(None, Some(rdf::TYPE), None, Some(GraphNameRef::DefaultGraph)) {
            let quad = quad.map_err(|e| store_error(&e))?;
            types.entry(quad.subject).or_default().push(quad.object);
        }
        let mut problems = Vec::new();
        let mut chunk: Vec<Triple> = Vec::new();
        for quad in store.quads_for_pattern(None, None, None, Some(GraphNameRef::DefaultGraph)) {
            let quad = quad.map_err(|e| store_error(&e))?;
            if chunk.len() >= CHUNK_TRIPLES && chunk.last().is_some_and(|t| t.subject != quad.subject) {
                problems.extend(self.validate_chunk(std::mem::take(&mut chunk), &types, &ontology, plan, integrity)?);
            }
            chunk.push(Triple::from(quad));
        }
        if !chunk.is_empty() {
            problems.extend(self.validate_chunk(chunk, &types, &ontology, plan, integrity)?);
        }
        problems.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        problems.dedup();
        Ok(problems)
    }

    fn validate_chunk(
        &self,
        chunk: Vec<Triple>,
        types: &HashMap<NamedOrBlankNode, Vec<Term>>,
        ontology: &[Triple],
        plan: &Plan,
        integrity: &Integrity,
    ) -> Result<Vec<Problem>, Error> {
        let own: HashSet<NamedOrBlankNode> = chunk.iter().map(|t| t.subject.clone()).collect();
        let mut data = ontology.to_vec();
        let mut linked = HashSet::new();
        for triple in &chunk {
            if let Term::NamedNode(object) = &triple.object {
                let node = NamedOrBlankNode::from(object.clone());
                if !own.contains(&node) && linked.insert(node.clone()) {
                    for class in types.get(&node).into_iter().flatten() {
                        data.push(Triple::new(node.clone(), rdf::TYPE, class.clone()));
                    }
                }
            }
        }
        data.extend(chunk);
        let config_error = |e: &dyn std::fmt::Display| Error::Config { path: self.path.clone(), problem: e.to_string() };
        let dataset = ValidationDataset::from_triples_with_experimental_index(data, self.graph.clone()).map_err(|e| config_error(&e))?;
        let shapes = shacl_rust::parse_shapes(dataset.shapes_graph()).map_err(|e| config_error(&e))?;
        let mut targets = build_target_cache(&dataset, &shapes);
        for focus_nodes in targets.values_mut() {
            focus_nodes.retain(|node| match node {
                TermRef::NamedNode(n) => own.contains(&NamedOrBlankNode::from(n.into_owned())),
                TermRef::BlankNode(b) => own.contains(&NamedOrBlankNode::from(b.into_owned())),
                _ => false,
            });
        }
        let mut problems = Vec::new();
        for shape in &shapes {
            let report = shape.validate_with_target_cache(&dataset, &targets);
            for result in report.get_results() {
                problems.push(self.problem(result, plan, integrity));
            }
        }
        Ok(problems)
    }

    fn problem(&self, result: &ValidationResult<'_>, plan: &Plan, integrity: &Integrity) -> Problem {
        let mut message = match result.result_path() {
            Some(path) => format!("{} {path}: ", result.focus_node()),
            None => format!("{}: ", result.focus_node()),
        };
        let engine_message = result
            .messages()
            .first()
            .map(String::as_str)
            .or(result.constraint_detail())
            .map(str::to_owned);
        // The shape's own sh:message says it in the curator's words; the
        // engine's message says which constraint failed.
        let shape_message = self
            .graph
            .object_for_subject_predicate(result.source_shape(), shacl_rust::sh::MESSAGE)
            .and_then(|m| match m {
                TermRef::Literal(l) => Some(l.value().to_owned()),
                _ => None,
            });
        match (shape_message, engine_message) {
            (Some(ours), Some(theirs)) => message.push_str(&format!("{ours} ({theirs})")),
            (Some(text), None) | (None, Some(text)) => message.push_str(&text),
            (None, None) => message.push_str(&format!("does not conform to shape {}", result.source_shape())),
        }
        if let Some(value) = result.value() {
            message.push_str(&format!(" (value {value})"));
        }
        at_origin(message, result.focus_node(), plan, integrity, &self.path)
    }
}

/// Triples validated together; the subjects of a chunk are its focus nodes.
const CHUNK_TRIPLES: usize = 200_000;

/// A shape problem placed at the first row that produced the focus node, or
/// at the shapes file when no row did (an ontology resource, a blank node).
fn at_origin(message: String, focus: TermRef<'_>, plan: &Plan, integrity: &Integrity, shapes: &Path) -> Problem {
    let origin = match focus {
        TermRef::NamedNode(node) => integrity.origin(plan, &NamedNode::from(node)),
        _ => None,
    };
    match origin {
        Some(origin) => {
            let map = &plan.maps[origin.map];
            Problem::new(ProblemKind::Shape, &plan.sources[map.source].source.path, message)
                .at_line(origin.line)
                .in_map(&map.name)
        }
        None => Problem::new(ProblemKind::Shape, shapes, message),
    }
}
