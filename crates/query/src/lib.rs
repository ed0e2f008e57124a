//! factgraph's query rewrites: what factgraph does to a SPARQL query
//! between parsing it and handing it to Oxigraph's evaluator.
//!
//! In the flow sources → mapping plan → quads → sinks (store, checks,
//! targets) → queries and exports, this crate sits in the last step: the
//! library (`factgraph-core`) parses a question with [`Parsed::parse`],
//! lets [`rewrite`] reorder its algebra from the statistics of the version's
//! read index, evaluates it, and sorts the answer with [`order`]. The
//! crate knows the algebra (spargebra), the evaluator's term values
//! (spareval) and the read index's counts (`factgraph-index`, which
//! implements [`Statistics`] here), never a store: the rewrites build and
//! test without RocksDB, and a test can give them statistics of its own.

pub mod order;
pub mod rewrite;

pub use order::Sort;
pub use rewrite::{PredicateStatistics, Statistics};

use spargebra::algebra::GraphPattern;
use spargebra::{Query, SparqlParser, SparqlSyntaxError};

/// A query parsed for factgraph: the algebra to evaluate, and the ORDER BY
/// that factgraph applies itself to the answer ([`order`]).
#[derive(Debug, Clone)]
pub struct Parsed {
    pub query: Query,
    pub sort: Option<Sort>,
}

impl Parsed {
    /// Parses `text`, in which `prefixes` are known without PREFIX lines,
    /// and takes out the ORDER BY that factgraph sorts itself.
    pub fn parse(text: &str, prefixes: &[(String, String)]) -> Result<Self, SparqlSyntaxError> {
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
        Ok(Self { query, sort })
    }

    /// Applies the rewrites ([`rewrite`]) with what `statistics` tell of
    /// the graph the query will run on.
    pub fn rewrite(&mut self, statistics: &dyn Statistics) {
        rewrite::rewrite(pattern_of(&mut self.query), statistics);
    }
}

/// The graph pattern of a query.
fn pattern_of(query: &mut Query) -> &mut GraphPattern {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern,
    }
}
