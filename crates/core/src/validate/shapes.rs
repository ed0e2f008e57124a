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
use oxigraph::model::{Graph, NamedNode, NamedOrBlankNode, TermRef, Triple, TripleRef};
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
        chunk: &[TripleRef<'_>],
        linked_facts: &LinkedFacts,
        ontology: &[Triple],
        screen: Option<&Screen>,
        plan: &Plan,
        integrity: &Integrity,
    ) -> Result<Vec<Problem>, Error> {
        if screen.is_some_and(|screen| screen.passes(chunk, linked_facts)) {
            return Ok(Vec::new());
        }
        let mut own: FxHashSet<String> = FxHashSet::default();
        let mut previous = None;
        for triple in chunk {
            // A subject's triples mostly come one after the other.
            if previous != Some(triple.subject) {
                own.insert(node_key(triple.subject.into()).into_owned());
                previous = Some(triple.subject);
            }
        }
        let mut data = ontology.to_vec();
        let mut linked: FxHashSet<&str> = FxHashSet::default();
        for triple in chunk {
            if let TermRef::NamedNode(object) = triple.object {
                if !own.contains(object.as_str()) && linked.insert(object.as_str()) {
                    let node = NamedOrBlankNode::from(object.into_owned());
                    for (predicate, value) in linked_facts.of(object.as_str()) {
                        data.push(Triple::new(node.clone(), predicate.clone(), value.clone()));
                    }
                }
            }
        }
        data.extend(chunk.iter().map(|t| t.into_owned()));
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

// The screen's verdicts against shacl-rust's, on screens the shapes compile:
// here rather than in screen.rs, which the shapes import.
#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::{RdfFormat, RdfParser};
    use oxigraph::model::Quad;
    use shacl_rust::validation::dataset::ValidationDataset;

    const PREFIXES: &str = "@prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n";

    fn quads(turtle: &str) -> Vec<Quad> {
        let text = format!("{PREFIXES}{turtle}");
        RdfParser::from_format(RdfFormat::Turtle).for_reader(text.as_bytes()).collect::<Result<_, _>>().unwrap()
    }

    fn triples(turtle: &str) -> Vec<Triple> {
        quads(turtle).into_iter().map(Triple::from).collect()
    }

    const ONTOLOGY: &str = "ex:Dog rdfs:subClassOf ex:Animal .";

    /// The screen's verdict and shacl-rust's on the same graph (every
    /// subject in one bucket).
    fn verdicts(shapes: &str, data: &str) -> (bool, bool) {
        let shapes = Shapes::from_graph(triples(shapes).into_iter().collect());
        let ontology = triples(ONTOLOGY);
        let mut linked_facts = shapes.linked_facts();
        let data_quads = quads(data);
        linked_facts.observe(&data_quads);
        linked_facts.observe(&quads(ONTOLOGY));
        let screen = shapes.screen(&ontology, &linked_facts).expect("these shapes can be screened");
        let data: Vec<Triple> = data_quads.into_iter().map(Triple::from).collect();
        let passes = screen.passes(&data.iter().map(Triple::as_ref).collect::<Vec<_>>(), &linked_facts);
        let whole: Vec<Triple> = data.into_iter().chain(ontology).collect();
        let dataset = ValidationDataset::from_triples_with_experimental_index(whole, shapes.graph().clone()).unwrap();
        let parsed = shacl_rust::parse_shapes(dataset.shapes_graph()).unwrap();
        let report = shacl_rust::validate(&dataset, &parsed);
        (passes, *report.get_conforms())
    }

    /// Every case: the screen passes the good data and shacl-rust agrees it
    /// conforms; the screen refuses the bad data and shacl-rust finds a
    /// violation there.
    fn check(shape_body: &str, good: &str, bad: &str) {
        let shapes = format!("ex:S a sh:NodeShape ; sh:targetClass ex:Animal ; {shape_body} .");
        assert_eq!(verdicts(&shapes, good), (true, true), "good data: {good}");
        assert_eq!(verdicts(&shapes, bad), (false, false), "bad data: {bad}");
    }

    #[test]
    fn counts() {
        let shape = "sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 1 ]";
        check(shape, "ex:a a ex:Dog ; ex:name \"A\" .", "ex:a a ex:Dog .");
        check(shape, "ex:a a ex:Animal ; ex:name \"A\" .", "ex:a a ex:Animal ; ex:name \"A\", \"B\" .");
    }

    #[test]
    fn class_with_subclasses() {
        let shape = "sh:property [ sh:path ex:friend ; sh:class ex:Animal ]";
        check(
            shape,
            "ex:a a ex:Dog ; ex:friend ex:b . ex:b a ex:Dog .",
            "ex:a a ex:Dog ; ex:friend ex:b . ex:b a ex:Cat .",
        );
        check(shape, "ex:a a ex:Dog .", "ex:a a ex:Dog ; ex:friend \"b\" .");
        // Past the 64 facts kept as bits.
        let others: String = (0..70).map(|i| format!("ex:o{i} a ex:C{i} . ")).collect();
        check(
            shape,
            &format!("{others} ex:a a ex:Dog ; ex:friend ex:b . ex:b a ex:Dog ."),
            &format!("{others} ex:a a ex:Dog ; ex:friend ex:b . ex:b a ex:C3 ."),
        );
    }

    #[test]
    fn datatype_and_well_formed_literals() {
        let shape = "sh:property [ sh:path ex:born ; sh:datatype xsd:date ]";
        check(
            shape,
            "ex:a a ex:Dog ; ex:born \"2013-03-01\"^^xsd:date .",
            "ex:a a ex:Dog ; ex:born \"2013-13-01\"^^xsd:date .",
        );
        check(shape, "ex:a a ex:Dog .", "ex:a a ex:Dog ; ex:born \"2013-03-01\" .");
    }

    #[test]
    fn languages() {
        let shape = "sh:property [ sh:path ex:name ; sh:languageIn ( \"en\" ) ; sh:uniqueLang true ]";
        check(shape, "ex:a a ex:Dog ; ex:name \"A\"@en-GB .", "ex:a a ex:Dog ; ex:name \"A\"@zh .");
        check(shape, "ex:a a ex:Dog ; ex:name \"A\"@en .", "ex:a a ex:Dog ; ex:name \"A\" .");
        check(shape, "ex:a a ex:Dog ; ex:name \"A\"@en .", "ex:a a ex:Dog ; ex:name \"A\"@en, \"B\"@EN .");
    }

    #[test]
    fn listed_and_required_values() {
        check(
            "sh:property [ sh:path ex:role ; sh:in ( ex:x ex:y ) ]",
            "ex:a a ex:Dog ; ex:role ex:y .",
            "ex:a a ex:Dog ; ex:role ex:z .",
        );
        check(
            "sh:property [ sh:path ex:role ; sh:hasValue ex:x ]",
            "ex:a a ex:Dog ; ex:role ex:x, ex:z .",
            "ex:a a ex:Dog ; ex:role ex:z .",
        );
    }

    #[test]
    fn patterns_and_node_kinds() {
        let shape = "sh:nodeKind sh:IRI ; sh:property [ sh:path ex:code ; sh:pattern \"^[A-Z]{3}$\" ]";
        check(shape, "ex:a a ex:Dog ; ex:code \"USD\" .", "ex:a a ex:Dog ; ex:code \"usd\" .");
        check(shape, "ex:a a ex:Dog .", "[] a ex:Dog .");
    }

    #[test]
    fn alternatives() {
        let shape = "sh:property [ sh:path ex:owner ; sh:or ( [ sh:class ex:Person ] [ sh:datatype xsd:string ] ) ]";
        check(
            shape,
            "ex:a a ex:Dog ; ex:owner ex:p, \"Ann\" . ex:p a ex:Person .",
            "ex:a a ex:Dog ; ex:owner ex:q . ex:q a ex:Shop .",
        );
    }

    #[test]
    fn node_shapes_on_linked_nodes() {
        let shape = "sh:property [ sh:path ex:vet ; sh:node ex:VetShape ] .
            ex:VetShape a sh:NodeShape ; sh:property [ sh:path ex:role ; sh:hasValue ex:vet ]";
        check(
            shape,
            "ex:a a ex:Dog ; ex:vet ex:v . ex:v ex:role ex:vet .",
            "ex:a a ex:Dog ; ex:vet ex:v . ex:v ex:role ex:cook .",
        );
    }

    #[test]
    fn an_unknown_subclass_triple_is_left_to_shacl_rust() {
        let shapes =
            "ex:S a sh:NodeShape ; sh:targetClass ex:Animal ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .";
        let (passes, _) = verdicts(shapes, "ex:Cat rdfs:subClassOf ex:Animal . ex:a a ex:Cat ; ex:name \"A\" .");
        assert!(!passes);
    }

    #[test]
    fn shapes_beyond_the_screen_get_none() {
        for body in [
            "sh:targetNode ex:a ; sh:property [ sh:path ex:name ; sh:minCount 1 ]",
            "sh:targetClass ex:Animal ; sh:closed true",
            "sh:targetClass ex:Animal ; sh:property [ sh:path ( ex:a ex:b ) ; sh:minCount 1 ]",
            "sh:targetClass ex:Animal ; sh:property [ sh:path ex:n ; sh:minLength 2 ]",
            "sh:targetClass ex:Animal ; sh:property [ sh:path ex:n ; sh:node ex:T ] . ex:T sh:property [ sh:path ex:m ; sh:class ex:C ]",
        ] {
            let shapes = Shapes::from_graph(triples(&format!("ex:S a sh:NodeShape ; {body} .")).into_iter().collect());
            assert!(shapes.screen(&[], &shapes.linked_facts()).is_none(), "{body}");
        }
    }

    #[test]
    fn the_bundled_shapes_are_screened() {
        // The bundled project is at the workspace's root, two folders up.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ontology");
        let shapes = Shapes::read(&root.join("shapes.ttl")).unwrap().unwrap();
        let ontology = crate::ontology::read_rdf_file(&root.join("factgraph.ttl"), usize::MAX).unwrap();
        let ontology: Vec<Triple> = ontology.into_iter().map(Triple::from).collect();
        assert!(shapes.screen(&ontology, &shapes.linked_facts()).is_some());
    }
}
