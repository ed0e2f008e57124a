//! The questions the pages ask the graph, all through
//! [`factgraph_core::query::evaluate`], and their answers as plain values.

use factgraph_core::query::evaluate;
use factgraph_core::query::Graph;
use factgraph_core::Error;
use oxigraph::model::{Term, Triple};
use oxigraph::sparql::{QueryResults, QuerySolution};

/// The rows of a SELECT answer.
pub struct Solutions(Vec<QuerySolution>);

pub fn select(graph: &Graph, prefixes: &[(String, String)], text: &str) -> Result<Solutions, Error> {
    match evaluate(graph, "page", text, prefixes)? {
        QueryResults::Solutions(rows) => rows
            .collect::<Result<Vec<_>, _>>()
            .map(Solutions)
            .map_err(|e| Error::Query { name: "page".into(), problem: e.to_string() }),
        _ => Err(Error::Query { name: "page".into(), problem: "expected a SELECT query".into() }),
    }
}

pub fn construct(graph: &Graph, prefixes: &[(String, String)], text: &str) -> Result<Vec<Triple>, Error> {
    match evaluate(graph, "page", text, prefixes)? {
        QueryResults::Graph(triples) => triples
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Query { name: "page".into(), problem: e.to_string() }),
        _ => Err(Error::Query { name: "page".into(), problem: "expected a CONSTRUCT query".into() }),
    }
}

impl Solutions {
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.0.iter().map(Row)
    }
}

/// One row of a SELECT answer.
pub struct Row<'a>(&'a QuerySolution);

impl Row<'_> {
    pub fn term(&self, name: &str) -> Option<Term> {
        self.0.get(name).cloned()
    }

    pub fn iri(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Term::NamedNode(node) => Some(node.as_str().to_owned()),
            _ => None,
        }
    }

    /// A literal's text, or an IRI as it is.
    pub fn text(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Term::Literal(literal) => Some(literal.value().to_owned()),
            Term::NamedNode(node) => Some(node.as_str().to_owned()),
            _ => None,
        }
    }
}

/// IRIs as a SPARQL VALUES list. The IRIs come from the store or were
/// checked by `NamedNode::new`, so none holds a `>`.
pub fn iri_list(iris: &[String]) -> String {
    iris.iter().map(|iri| format!("<{iri}>")).collect::<Vec<_>>().join(" ")
}

/// IRIs' labels, and those of them that the graph describes.
#[derive(Debug, Default)]
pub struct Labelled {
    pub labels: Vec<(String, String)>,
    pub described: Vec<String>,
}

/// The labels of `iris` (English or without language first) and which of
/// them the graph describes, for [`super::links::Links`].
pub fn labels_and_described(graph: &Graph, prefixes: &[(String, String)], iris: &[String]) -> Result<Labelled, Error> {
    if iris.is_empty() {
        return Ok(Labelled::default());
    }
    let labels = select(
        graph,
        prefixes,
        &format!(
            "SELECT ?x ?label WHERE {{ VALUES ?x {{ {} }} \
               ?x <http://www.w3.org/2000/01/rdf-schema#label>|<https://schema.org/name>|<http://schema.org/name>\
               |<http://www.w3.org/2004/02/skos/core#prefLabel>|<http://xmlns.com/foaf/0.1/name> ?label \
               FILTER(LANG(?label) IN (\"en\", \"\")) }} ORDER BY ?x DESC(LANG(?label)) ?label",
            iri_list(iris)
        ),
    )?;
    let described = select(
        graph,
        prefixes,
        &format!("SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {} }} ?x ?p ?o }}", iri_list(iris)),
    )?;
    let mut pairs: Vec<(String, String)> =
        labels.iter().filter_map(|row| Some((row.iri("x")?, row.text("label")?))).collect();
    // One label each: the first in the order asked for.
    pairs.dedup_by(|a, b| a.0 == b.0);
    Ok(Labelled { labels: pairs, described: described.iter().filter_map(|row| row.iri("x")).collect() })
}
