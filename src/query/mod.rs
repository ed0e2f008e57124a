//! SPARQL over a built store: named questions from the `queries/` folder
//! ([`named`]) and their answers in the formats people and programs read
//! ([`results`]).

pub mod answers;
pub mod named;
pub mod results;

use crate::Error;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;

pub use named::NamedQuery;
pub use results::{write_results, ResultsFormat, WriteOptions};

/// Evaluates a SPARQL query on a store. `prefixes` are available to the query
/// without PREFIX lines. Federated `SERVICE` calls are not made (factgraph is
/// built without Oxigraph's HTTP client).
pub fn evaluate(
    store: &Store,
    name: &str,
    text: &str,
    prefixes: &[(String, String)],
) -> Result<QueryResults<'static>, Error> {
    let error = |problem: String| Error::Query { name: name.to_owned(), problem };
    evaluator(prefixes)
        .map_err(error)?
        .parse_query(text)
        .map_err(|e| error(format!("syntax error: {e}")))?
        .on_store(store)
        .execute()
        .map_err(|e| error(e.to_string()))
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
