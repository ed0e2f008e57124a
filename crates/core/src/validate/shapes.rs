//! SHACL validation of the mapped graph against `ontology/shapes.ttl`, with
//! the `shacl-rust` crate (built on the same `oxrdf` model as Oxigraph), a
//! bucket of subjects at a time (see [`super::buckets`]) so that memory stays
//! bounded. Each violation is reported at the CSV row that produced its
//! focus node.

use super::integrity::Integrity;
pub use super::linked_facts::LinkedFacts;
use super::screen::Screen;
use crate::mapping::Plan;
use crate::problem::{Problem, ProblemKind};
use crate::Error;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{Graph, NamedNode, NamedOrBlankNode, Term, TermRef, Triple};
use rustc_hash::FxHashSet;
use shacl_rust::validation::build_target_cache;
use shacl_rust::validation::dataset::ValidationDataset;
use shacl_rust::ValidationResult;
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
        let quads = crate::ontology::read_rdf_file(path, usize::MAX)?;
        let graph = quads.into_iter().map(Triple::from).collect::<Graph>();
        // Parse once now, so that a broken shapes file is reported before any mapping runs.
        shacl_rust::parse_shapes(&graph).map_err(|e| {
            Error::input(ProblemKind::Ontology, path, format!("not valid SHACL: {e}; fix the shape it names"))
        })?;
        Ok(Some(Self { path: path.to_owned(), graph }))
    }

    /// The shapes graph, for tests.
    #[cfg(test)]
    pub(crate) fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Shapes from a graph, for tests.
    #[cfg(test)]
    pub(crate) fn from_graph(graph: Graph) -> Self {
        Self { path: PathBuf::from("shapes.ttl"), graph }
    }

    /// The screen that passes clean buckets without `shacl-rust`, when
    /// these shapes use only what it knows; see [`Screen`].
    /// It reads the types of linked nodes from `linked_facts`, which must
    /// be complete.
    pub fn screen(&self, ontology: &[Triple], linked_facts: &LinkedFacts) -> Option<Screen> {
        Screen::compile(&self.graph, linked_facts, ontology)
    }

    /// A [`LinkedFacts`] to fill from the mapped quads for these shapes.
    pub fn linked_facts(&self) -> LinkedFacts {
        LinkedFacts::new(linked_predicates(&self.graph))
    }

    /// Validates the triples of a set of subjects (a bucket of
    /// [`super::buckets`]: all triples of each of its subjects) and reports
    /// each violation at the row its focus node came from.
    ///
    /// The data validated is those triples, what `linked_facts` knows of the
    /// nodes they link to (their types, and the values that `sh:node` shapes
    /// look at), and the ontology (for `rdfs:subClassOf`); only the given
    /// subjects are focus nodes. Shapes that reach further (inverse paths,
    /// paths of two steps, `sh:node` within `sh:node`) see only that.
    /// A bucket the `screen` passes has no violation, and is not looked at
    /// again.
    pub fn validate(
        &self,
        chunk: Vec<Triple>,
        linked_facts: &LinkedFacts,
        ontology: &[Triple],
        screen: Option<&Screen>,
        plan: &Plan,
        integrity: &Integrity,
    ) -> Result<Vec<Problem>, Error> {
        if screen.is_some_and(|screen| screen.passes(&chunk, linked_facts)) {
            return Ok(Vec::new());
        }
        let mut own: FxHashSet<String> = FxHashSet::default();
        let mut previous = None;
        for triple in &chunk {
            // A subject's triples mostly come one after the other.
            if previous != Some(&triple.subject) {
                own.insert(node_key(triple.subject.as_ref().into()).into_owned());
                previous = Some(&triple.subject);
            }
        }
        let mut data = ontology.to_vec();
        let mut linked: FxHashSet<&str> = FxHashSet::default();
        for triple in &chunk {
            if let Term::NamedNode(object) = &triple.object {
                if !own.contains(object.as_str()) && linked.insert(object.as_str()) {
                    let node = NamedOrBlankNode::from(object.clone());
                    for (predicate, value) in linked_facts.of(object.as_str()) {
                        data.push(Triple::new(node.clone(), predicate.clone(), value.clone()));
                    }
                }
            }
        }
        data.extend(chunk);
        let config_error = |e: &dyn std::fmt::Display| Error::input(ProblemKind::Ontology, &self.path, e.to_string());
        let dataset = ValidationDataset::from_triples_with_experimental_index(data, self.graph.clone())
            .map_err(|e| config_error(&e))?;
        let shapes = shacl_rust::parse_shapes(dataset.shapes_graph()).map_err(|e| config_error(&e))?;
        let mut targets = build_target_cache(&dataset, &shapes);
        for focus_nodes in targets.values_mut() {
            focus_nodes.retain(|node| !node.is_literal() && own.contains(node_key(*node).as_ref()));
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
        let engine_message =
            result.messages().first().map(String::as_str).or(result.constraint_detail()).map(str::to_owned);
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

/// A node as a string that tells IRIs from blank nodes: the IRI itself, or
/// `_:` and the label (no IRI starts so, as a scheme starts with a letter).
fn node_key(node: TermRef<'_>) -> std::borrow::Cow<'_, str> {
    match node {
        TermRef::BlankNode(b) => format!("_:{}", b.as_str()).into(),
        TermRef::NamedNode(n) => n.as_str().into(),
        TermRef::Literal(l) => l.value().into(),
    }
}

/// `rdf:type`, and the simple paths of the property shapes of every shape
/// that is the object of an `sh:node`: what a chunk must hold about a node
/// it links to.
fn linked_predicates(shapes: &Graph) -> Vec<NamedNode> {
    let mut predicates = vec![rdf::TYPE.into_owned()];
    for node_shape in shapes.triples_for_predicate(shacl_rust::sh::NODE) {
        let TermRef::NamedNode(node_shape) = node_shape.object else { continue };
        for property in shapes.objects_for_subject_predicate(node_shape, shacl_rust::sh::PROPERTY) {
            let property = match property {
                TermRef::NamedNode(n) => NamedOrBlankNode::from(n.into_owned()),
                TermRef::BlankNode(b) => NamedOrBlankNode::from(b.into_owned()),
                _ => continue,
            };
            if let Some(TermRef::NamedNode(path)) = shapes.object_for_subject_predicate(&property, shacl_rust::sh::PATH)
            {
                if !predicates.iter().any(|p| p.as_ref() == path) {
                    predicates.push(path.into_owned());
                }
            }
        }
    }
    predicates
}
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
