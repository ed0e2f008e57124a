//! SPARQL over a built version: named questions from the `queries/` folder
//! ([`named`]) and their answers in the formats people and programs read
//! ([`results`]).
//!
//! Queries run on a version's read index ([`factgraph_index`]), which the
//! build writes beside the Oxigraph store: the same evaluator (Oxigraph's)
//! over memory-mapped, numbered terms instead of RocksDB. A version built
//! before the index existed is read from its store, and `--from-store` asks
//! for the store, to compare the two.

pub mod answers;
pub mod named;
mod order;
pub mod results;
mod rewrite;

use crate::store::Version;
use crate::Error;
use factgraph_index::Index;
use oxigraph::sparql::{QueryEvaluationError, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use spargebra::SparqlParser;

pub use named::NamedQuery;
pub use results::{write_results, ResultsFormat, WriteOptions};

/// A version of the graph, open for queries.
#[derive(Clone)]
pub enum Graph {
    /// The version's read index: what queries use.
    Index(Index),
    /// The version's Oxigraph store.
    Store(Store),
}

/// Which of a version's copies of the graph to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadFrom {
    /// The read index, or the store for a version that has none.
    #[default]
    Index,
    /// The Oxigraph store, always.
    Store,
}

impl Graph {
    /// Opens `version` for queries. Opening the index maps its files and
    /// reads nothing else, so a query on a large graph starts at once.
    pub fn open(version: &Version, from: ReadFrom) -> Result<Self, Error> {
        let folder = version.index_folder();
        if from == ReadFrom::Index && Index::exists(&folder) {
            return Index::open(&folder).map(Self::Index).map_err(|e| Error::store(&folder, e));
        }
        version.open_store().map(Self::Store)
    }

    /// Runs a prepared query on the graph.
    pub fn execute(&self, query: Prepared) -> Result<QueryResults<'static>, QueryEvaluationError> {
        let Prepared { query: mut algebra, evaluator, sort } = query;
        let results = match self {
            Self::Index(index) => {
                // The index counts any pattern at once: statistics for a rewrite ([`rewrite`]).
                rewrite::rewrite(pattern_of(&mut algebra), &|triple| pattern_size(index, triple));
                evaluator.for_query(algebra).on_queryable_dataset(index.clone()).execute()
            }
            Self::Store(store) => evaluator.for_query(algebra).on_store(store).execute(),
        }?;
        match &sort {
            Some(sort) => sort.apply(results),
            None => Ok(results),
        }
    }

    /// Which copy this is, for messages: "index" or "store".
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Index(_) => "index",
            Self::Store(_) => "store",
        }
    }
}

/// The graph pattern of a query.
fn pattern_of(query: &mut spargebra::Query) -> &mut spargebra::algebra::GraphPattern {
    match query {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. }
        | spargebra::Query::Ask { pattern, .. } => pattern,
    }
}

/// How many triples of the default graph a triple pattern matches, its
/// variables and blank nodes free.
fn pattern_size(index: &Index, triple: &spargebra::term::TriplePattern) -> usize {
    use spargebra::term::{NamedNodePattern, TermPattern};
    let term = |term: &TermPattern| -> Option<oxigraph::model::Term> {
        match term {
            TermPattern::NamedNode(node) => Some(node.clone().into()),
            TermPattern::Literal(literal) => Some(literal.clone().into()),
            _ => None,
        }
    };
    let predicate = match &triple.predicate {
        NamedNodePattern::NamedNode(node) => Some(oxigraph::model::Term::from(node.clone())),
        NamedNodePattern::Variable(_) => None,
    };
    let (subject, object) = (term(&triple.subject), term(&triple.object));
    index.count_default_graph(
        subject.as_ref().map(Into::into),
        predicate.as_ref().map(Into::into),
        object.as_ref().map(Into::into),
    )
}

/// A parsed query, ready to run on a [`Graph`].
pub struct Prepared {
    query: spargebra::Query,
    evaluator: SparqlEvaluator,
    /// The ORDER BY that factgraph applies itself ([`order`]).
    sort: Option<order::Sort>,
}

impl Prepared {
    /// Parses `text`, in which `prefixes` are known without PREFIX lines, to
    /// run with `evaluator` (which may carry a cancellation token).
    pub fn parse(
        text: &str,
        prefixes: &[(String, String)],
        evaluator: SparqlEvaluator,
    ) -> Result<Self, spargebra::SparqlSyntaxError> {
        let mut parser = SparqlParser::new();
        for (prefix, iri) in prefixes {
            // The project's prefixes were checked when it was loaded; one that
            // is not an IRI is left out, not the others with it.
            if let Ok(with_prefix) = parser.clone().with_prefix(prefix, iri) {
                parser = with_prefix;
            }
        }
        let mut query = parser.parse_query(text)?;
        let sort = order::take_sort(&mut query);
        Ok(Self { query, evaluator, sort })
    }
}

/// Evaluates a SPARQL query on a graph. `prefixes` are available to the
/// query without PREFIX lines. Federated `SERVICE` calls are not made
/// (factgraph is built without Oxigraph's HTTP client).
pub fn evaluate(
    graph: &Graph,
    name: &str,
    text: &str,
    prefixes: &[(String, String)],
) -> Result<QueryResults<'static>, Error> {
    let error = |problem: String| Error::Query { name: name.to_owned(), problem };
    let prepared = Prepared::parse(text, prefixes, evaluator(prefixes).map_err(error)?)
        .map_err(|e| error(format!("syntax error: {e}")))?;
    graph.execute(prepared).map_err(|e| error(e.to_string()))
}

/// A SPARQL evaluator that knows the project's prefixes. Built without
/// Oxigraph's HTTP client, so SERVICE calls reach no other host.
pub fn evaluator(prefixes: &[(String, String)]) -> Result<SparqlEvaluator, String> {
    let mut evaluator = SparqlEvaluator::new();
    for (prefix, iri) in prefixes {
        evaluator = evaluator.with_prefix(prefix, iri).map_err(|e| format!("prefix {prefix}: {e}"))?;
    }
    Ok(evaluator)
}
