//! SPARQL over a built version: named questions from the `queries/` folder
//! ([`named`]) and their answers in the formats people and programs read
//! ([`results`]). What factgraph does to a query before and after
//! evaluation (the rewrites from the index's statistics, the ORDER BY it
//! sorts itself) is the crate `factgraph-query`.
//!
//! Queries run on a version's read index ([`factgraph_index`]), which the
//! build writes beside the Oxigraph store: the same evaluator (Oxigraph's)
//! over memory-mapped, numbered terms instead of RocksDB. A version built
//! before the index existed is read from its store, and `--from-store` asks
//! for the store, to compare the two.

pub mod affected;
pub mod answers;
pub mod named;
pub mod results;

use crate::store::Version;
use crate::Error;
use factgraph_index::Index;
use factgraph_query::Parsed;
use oxigraph::sparql::{QueryEvaluationError, QueryExplanation, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

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
        self.run(query, false).0
    }

    /// Runs a prepared query and explains how: the plan the evaluator chose,
    /// whose row counts and times fill in as the results are read (so write
    /// the explanation after them).
    pub fn explain(&self, query: Prepared) -> (Result<QueryResults<'static>, QueryEvaluationError>, QueryExplanation) {
        let (results, explanation) = self.run(query, true);
        (results, explanation.expect("an explanation was asked for"))
    }

    fn run(
        &self,
        query: Prepared,
        explain: bool,
    ) -> (Result<QueryResults<'static>, QueryEvaluationError>, Option<QueryExplanation>) {
        let Prepared { mut parsed, evaluator } = query;
        if let Self::Index(index) = self {
            // The index counts patterns and knows how predicates spread: the
            // rewrites use both (`factgraph_query::rewrite`).
            parsed.rewrite(index);
        }
        let Parsed { query: algebra, sort } = parsed;
        let (results, explanation) = match self {
            Self::Index(index) => {
                let bound = evaluator.for_query(algebra).on_queryable_dataset(index.clone());
                match explain {
                    true => split(bound.compute_statistics().explain()),
                    false => (bound.execute(), None),
                }
            }
            Self::Store(store) => {
                let bound = evaluator.for_query(algebra).on_store(store);
                match explain {
                    true => split(bound.compute_statistics().explain()),
                    false => (bound.execute(), None),
                }
            }
        };
        let results = match (&sort, results) {
            (Some(sort), Ok(results)) => sort.apply(results),
            (_, results) => results,
        };
        (results, explanation)
    }

    /// Which copy this is, for messages: "index" or "store".
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Index(_) => "index",
            Self::Store(_) => "store",
        }
    }
}

fn split<T>((results, explanation): (T, QueryExplanation)) -> (T, Option<QueryExplanation>) {
    (results, Some(explanation))
}

/// A parsed query, ready to run on a [`Graph`].
pub struct Prepared {
    /// The algebra, and the ORDER BY that factgraph applies itself
    /// ([`factgraph_query::order`]).
    parsed: Parsed,
    evaluator: SparqlEvaluator,
}

impl Prepared {
    /// Parses `text`, in which `prefixes` are known without PREFIX lines, to
    /// run with `evaluator` (which may carry a cancellation token).
    pub fn parse(
        text: &str,
        prefixes: &[(String, String)],
        evaluator: SparqlEvaluator,
    ) -> Result<Self, spargebra::SparqlSyntaxError> {
        Ok(Self { parsed: Parsed::parse(text, prefixes)?, evaluator })
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
    let prepared = prepare(name, text, prefixes)?;
    graph.execute(prepared).map_err(|e| query_error(name, e.to_string()))
}

/// Parses the query `name`, as [`evaluate`] does, to run or explain.
pub fn prepare(name: &str, text: &str, prefixes: &[(String, String)]) -> Result<Prepared, Error> {
    let evaluator = evaluator(prefixes).map_err(|e| query_error(name, e.to_string()))?;
    Prepared::parse(text, prefixes, evaluator).map_err(|e| query_error(name, format!("syntax error: {e}")))
}

/// The error of the query `name`.
pub fn query_error(name: &str, problem: String) -> Error {
    Error::Query { name: name.to_owned(), problem }
}

/// A SPARQL evaluator that knows the project's prefixes. Built without
/// Oxigraph's HTTP client, so SERVICE calls reach no other host.
pub fn evaluator(prefixes: &[(String, String)]) -> Result<SparqlEvaluator, PrefixError> {
    let mut evaluator = SparqlEvaluator::new();
    for (prefix, iri) in prefixes {
        evaluator =
            evaluator.with_prefix(prefix, iri).map_err(|source| PrefixError { prefix: prefix.clone(), source })?;
    }
    Ok(evaluator)
}

/// A prefix whose namespace is not an IRI (`Project::load` refuses such
/// prefixes, so a project's never are).
#[derive(Debug, thiserror::Error)]
#[error("prefix {prefix}: {source}")]
pub struct PrefixError {
    pub prefix: String,
    pub source: oxigraph::model::IriParseError,
}
