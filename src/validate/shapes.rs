//! SHACL validation of the mapped graph against `ontology/shapes.ttl`, with
//! the `shacl-rust` crate (built on the same `oxrdf` model as Oxigraph). Each
//! violation is reported at the CSV row that produced its focus node.

use super::integrity::Integrity;
use crate::mapping::Plan;
use crate::problem::{Problem, ProblemKind};
use crate::Error;
use oxigraph::model::{Graph, NamedNode, TermRef, Triple};
use shacl_rust::validation::dataset::ValidationDataset;
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

    /// Validates `data` (the mapped triples and the ontology) and reports each
    /// violation at the row its focus node came from.
    pub fn validate(&self, data: Vec<Triple>, plan: &Plan, integrity: &Integrity) -> Result<Vec<Problem>, Error> {
        let dataset = ValidationDataset::from_triples_with_experimental_index(data, self.graph.clone())
            .map_err(|e| Error::Config { path: self.path.clone(), problem: e.to_string() })?;
        let shapes = shacl_rust::parse_shapes(dataset.shapes_graph())
            .map_err(|e| Error::Config { path: self.path.clone(), problem: e.to_string() })?;
        let report = shacl_rust::validate(&dataset, &shapes);
        let mut problems = Vec::new();
        for result in report.get_results() {
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
            problems.push(at_origin(message, result.focus_node(), plan, integrity, &self.path));
        }
        problems.sort_by(|a, b| (&a.file, a.line, &a.message).cmp(&(&b.file, b.line, &b.message)));
        problems.dedup();
        Ok(problems)
    }
}

/// A shape problem placed at the first row that produced the focus node, or
/// at the shapes file when no row did (an ontology resource, a blank node).
fn at_origin(message: String, focus: TermRef<'_>, plan: &Plan, integrity: &Integrity, shapes: &Path) -> Problem {
    let origin = match focus {
        TermRef::NamedNode(node) => integrity.origins(&NamedNode::from(node)).first().copied(),
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
