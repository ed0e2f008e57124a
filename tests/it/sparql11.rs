//! The W3C SPARQL 1.1 query-evaluation tests (`../shared/conformance/sparql11/`,
//! or `FACTGRAPH_SPARQL11_DIR`), read in place, on both of a version's
//! copies of the graph.
//!
//! Queries run on a version's read index ([`factgraph_index`]) rather than on
//! its Oxigraph store; this keeps the two answering alike on the whole suite.
//! Each evaluation test's data is loaded into an in-memory Oxigraph store,
//! and the index is written from that store's quads, as the build writes it
//! when it kept no sorted runs. A build that kept them writes the index from
//! them instead, with literals put in the store's form by `as_stored`: the
//! test checks that `as_stored` gives the store's form of every quad of the
//! suite, so that both ways give the same index. The query then runs three
//! ways:
//!
//! - `store` and `index`: factgraph's path, `Prepared::parse` and
//!   `Graph::execute` (with factgraph's own ORDER BY, `crates/query/src/order.rs`),
//!   on `Graph::Store` and on `Graph::Index`;
//! - `oxigraph`: Oxigraph's evaluator on the store, alone, as the reference
//!   for factgraph's ORDER BY.
//!
//! The manifests are `manifest-sparql11-query.ttl` (every query folder) and
//! `manifest-sparql11-results.ttl` (the JSON, TSV and CSV result formats).
//! As in Oxigraph's own test suite, tests marked Rejected or Withdrawn are
//! not run (Proposed ones are), FROM and FROM NAMED graphs are loaded from
//! the file their IRI names, and expected and actual literals are compared in
//! the store's form. Entailment regimes and federated queries (SERVICE) have
//! manifests of their own that are not run: factgraph evaluates under simple
//! entailment and is built without an HTTP client.
//!
//! One line per test failing on any path, then
//! `store: N passed, M failed; index: N passed, M failed`. The test fails
//! when a test passes on the store and not on the index, when the two
//! answer differently, when one passes with Oxigraph's ORDER BY and not
//! with factgraph's, when `as_stored` misses the store's form of a literal,
//! or when a test cannot be set up (its files unreadable). Tests Oxigraph
//! itself fails are counted, not failed on.
//! `FACTGRAPH_SPARQL11_SHOW=folder/name` prints that test's answers in full.
//! When the suite is missing the test says so and passes, unless
//! `FACTGRAPH_REQUIRE_CONFORMANCE=1`.

mod answer;
mod manifest;

use answer::Answer;
use factgraph_core::query::{Graph, Prepared};
use factgraph_index::stored::as_stored;
use factgraph_index::{Index, IndexWriter};
use manifest::{Kind, Test};
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad, Term, Variable};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use spargebra::algebra::{Expression, GraphPattern, OrderExpression};
use spargebra::{Query, SparqlParser};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const MANIFESTS: &[&str] = &["manifest-sparql11-query.ttl", "manifest-sparql11-results.ttl"];

/// The suite's folder, or where it was looked for.
fn suite_dir() -> Result<PathBuf, PathBuf> {
    let dir = std::env::var_os("FACTGRAPH_SPARQL11_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/conformance/sparql11"));
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(dir)
    }
}

/// How one way of running a test went: its answer, or why there is none.
type Outcome = Result<Answer, String>;

/// The three runs of an evaluation test and what was expected.
struct Runs {
    expected: Answer,
    keys: Vec<Variable>,
    oxigraph: Outcome,
    store: Outcome,
    index: Outcome,
    /// Set when `as_stored` does not give the store's form of a literal.
    stored_forms_differ: Option<String>,
}

impl Runs {
    fn passes(&self, outcome: &Outcome) -> bool {
        outcome.as_ref().is_ok_and(|answer| answer::matches(&self.expected, answer, &self.keys))
    }

    /// Whether the store and the index answered alike (both failing to
    /// answer counts as alike).
    fn paths_agree(&self) -> bool {
        match (&self.store, &self.index) {
            (Ok(store), Ok(index)) => answer::matches(store, index, &self.keys),
            (Err(_), Err(_)) => true,
            _ => false,
        }
    }

    fn account(&self, outcome: &Outcome) -> String {
        match outcome {
            _ if self.passes(outcome) => "passes".into(),
            Ok(answer) => match (answer::describe(answer), answer::describe(&self.expected)) {
                (actual, expected) if actual == expected => format!("another answer of {actual}"),
                (actual, expected) => format!("{actual} where {expected} was expected"),
            },
            Err(problem) => problem.lines().next().unwrap_or_default().to_owned(),
        }
    }
}

#[test]
fn w3c_sparql11_query_evaluation() {
    let suite = match suite_dir() {
        Ok(suite) => suite,
        Err(missing) => {
            let message = format!(
                "the SPARQL 1.1 test suite is not at {}: put it there (the shared conformance folder) or set FACTGRAPH_SPARQL11_DIR",
                missing.display()
            );
            crate::common::skip(crate::common::REQUIRE_CONFORMANCE, &message);
            return;
        }
    };
    let read = manifest::read(&suite, MANIFESTS).unwrap_or_else(|e| panic!("{e}"));
    let (mut store_passed, mut index_passed, mut oxigraph_passed, mut evaluated) = (0, 0, 0, 0);
    let (mut syntax_passed, mut syntax_failed) = (0, 0);
    let mut regressions = Vec::new();
    for test in &read.tests {
        if let Kind::Syntax { positive } = test.kind {
            match syntax(&suite, test, positive) {
                Ok(()) => syntax_passed += 1,
                Err(problem) => {
                    syntax_failed += 1;
                    println!("FAIL {} (syntax): {problem}", test.id);
                }
            }
            continue;
        }
        evaluated += 1;
        let runs = match evaluate(&suite, test) {
            Ok(runs) => runs,
            Err(problem) => {
                println!("FAIL {}: the test could not be set up: {problem}", test.id);
                regressions.push(format!("{}: could not be set up, so the paths were not compared", test.id));
                continue;
            }
        };
        if std::env::var("FACTGRAPH_SPARQL11_SHOW").is_ok_and(|id| id == test.id) {
            println!("{}: expected {:?}\nstore {:?}\nindex {:?}", test.id, runs.expected, runs.store, runs.index);
        }
        let (oxigraph, store, index) =
            (runs.passes(&runs.oxigraph), runs.passes(&runs.store), runs.passes(&runs.index));
        oxigraph_passed += usize::from(oxigraph);
        store_passed += usize::from(store);
        index_passed += usize::from(index);
        if !(store && index && oxigraph) {
            println!(
                "FAIL {}: store {}; index {}; oxigraph {}",
                test.id,
                runs.account(&runs.store),
                runs.account(&runs.index),
                runs.account(&runs.oxigraph)
            );
        }
        if store && !index {
            regressions.push(format!("{}: passes on the store, fails on the index", test.id));
        } else if !runs.paths_agree() {
            regressions.push(format!("{}: the store and the index answer differently", test.id));
        }
        if let Some(difference) = &runs.stored_forms_differ {
            regressions.push(format!("{}: {difference}", test.id));
        }
        if oxigraph && !store {
            regressions.push(format!("{}: passes with Oxigraph's ORDER BY, fails with factgraph's", test.id));
        }
    }
    for (id, kind) in &read.other_kinds {
        println!("not run: {id} ({kind})");
    }
    for id in &read.not_approved {
        println!("not run: {id} (rejected or withdrawn)");
    }
    let failed = |passed: usize| evaluated - passed;
    println!(
        "store: {store_passed} passed, {} failed; index: {index_passed} passed, {} failed",
        failed(store_passed),
        failed(index_passed)
    );
    println!(
        "oxigraph alone: {oxigraph_passed} passed, {} failed; syntax: {syntax_passed} passed, {syntax_failed} failed",
        failed(oxigraph_passed)
    );
    assert!(evaluated > 200, "only {evaluated} evaluation tests were found in {}", suite.display());
    assert!(
        regressions.is_empty(),
        "the index, factgraph's ORDER BY or as_stored does worse, or a test could not be run:\n{}",
        regressions.join("\n")
    );
}

/// A syntax test, through `Prepared::parse` as every factgraph query is parsed.
fn syntax(suite: &Path, test: &Test, positive: bool) -> Result<(), String> {
    let text = query_text(suite, &test.query)?;
    match (Prepared::parse(&text, &[], SparqlEvaluator::new()), positive) {
        (Ok(_), true) | (Err(_), false) => Ok(()),
        (Ok(_), false) => Err("parses, and should not".into()),
        (Err(e), true) => Err(format!("does not parse: {e}")),
    }
}

/// The query, with its base IRI written in: `Prepared::parse` takes no base.
fn query_text(suite: &Path, iri: &str) -> Result<String, String> {
    let path = manifest::file_of(suite, iri)?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("BASE <{iri}>\n{text}"))
}

fn evaluate(suite: &Path, test: &Test) -> Result<Runs, String> {
    let Kind::Evaluation { csv } = test.kind else { unreachable!("syntax tests are run apart") };
    let text = query_text(suite, &test.query)?;
    let parsed = SparqlParser::new().parse_query(&text).map_err(|e| format!("the query does not parse: {e}"))?;
    let mut quads = Vec::new();
    if let Some(data) = &test.data {
        quads.extend(read_quads(suite, data, GraphName::DefaultGraph)?);
    }
    let mut named: Vec<&NamedNode> = Vec::new();
    if let Some(dataset) = parsed.dataset() {
        named.extend(&dataset.default);
        named.extend(dataset.named.iter().flatten());
    }
    for graph in &test.graph_data {
        quads.extend(read_quads(suite, graph, NamedNode::new(graph).map_err(|e| e.to_string())?.into())?);
    }
    for graph in named {
        quads.extend(read_quads(suite, graph.as_str(), graph.clone().into())?);
    }
    let store = Store::new().map_err(|e| e.to_string())?;
    store.extend(quads.iter().cloned()).map_err(|e| e.to_string())?;
    let folder = tempfile::tempdir().map_err(|e| e.to_string())?;
    let index = index_of(&store, folder.path())?;
    let result = test.result.as_deref().ok_or("no expected result")?;
    let expected = answer::of_file(&manifest::file_of(suite, result)?, result)?;
    let run = |graph: Graph| -> Outcome {
        let prepared = Prepared::parse(&text, &[], SparqlEvaluator::new()).map_err(|e| e.to_string())?;
        answer::of_results(graph.execute(prepared).map_err(|e| e.to_string())?, csv)
    };
    let oxigraph = SparqlEvaluator::new()
        .parse_query(&text)
        .map_err(|e| e.to_string())
        .and_then(|query| query.on_store(&store).execute().map_err(|e| e.to_string()))
        .and_then(|results: QueryResults<'_>| answer::of_results(into_static(results)?, csv));
    Ok(Runs {
        expected,
        keys: order_keys(&parsed),
        stored_forms_differ: stored_forms_differ(&store, &quads)?,
        oxigraph,
        store: run(Graph::Store(store.clone())),
        index: run(Graph::Index(index)),
    })
}

/// Oxigraph's answer on a store borrows nothing that outlives it here, but
/// its type says `'_`: collect it.
fn into_static(results: QueryResults<'_>) -> Result<QueryResults<'static>, String> {
    use oxigraph::sparql::{QuerySolutionIter, QueryTripleIter};
    Ok(match results {
        QueryResults::Boolean(value) => QueryResults::Boolean(value),
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let rows: Vec<_> = solutions.collect::<Result<_, _>>().map_err(|e| e.to_string())?;
            QueryResults::Solutions(QuerySolutionIter::new(variables.into(), rows.into_iter().map(Ok)))
        }
        QueryResults::Graph(triples) => {
            let triples: Vec<_> = triples.collect::<Result<_, _>>().map_err(|e| e.to_string())?;
            QueryResults::Graph(QueryTripleIter::new(triples.into_iter().map(Ok)))
        }
    })
}

/// Reads the file of `iri` into `graph`, its blank nodes apart from every
/// other file's.
fn read_quads(suite: &Path, iri: &str, graph: GraphName) -> Result<Vec<Quad>, String> {
    let path = manifest::file_of(suite, iri)?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let format = RdfFormat::from_extension(extension).ok_or_else(|| format!("{}: no RDF format", path.display()))?;
    let parser = RdfParser::from_format(format)
        .with_base_iri(iri)
        .map_err(|e| e.to_string())?
        .with_default_graph(graph)
        .rename_blank_nodes();
    let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    parser.for_reader(file).collect::<Result<_, _>>().map_err(|e| format!("{}: {e}", path.display()))
}

/// The quad as the build's sorted runs keep it: literals in the store's
/// form, by `as_stored`.
fn kept(quad: &Quad) -> Quad {
    let mut quad = quad.clone();
    if let Term::Literal(literal) = &quad.object {
        if let Some(stored) = as_stored(literal.as_ref()) {
            quad.object = stored.into();
        }
    }
    quad
}

/// Where the store's quads and the parsed quads in `as_stored` form differ:
/// the index a build writes from its sorted runs would then not be the one
/// it writes from the store.
fn stored_forms_differ(store: &Store, parsed: &[Quad]) -> Result<Option<String>, String> {
    let stored: HashSet<Quad> = store.iter().collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    let kept: HashSet<Quad> = parsed.iter().map(kept).collect();
    let only = |a: &HashSet<Quad>, b: &HashSet<Quad>| a.difference(b).next().map(ToString::to_string);
    Ok(match (only(&stored, &kept), only(&kept, &stored)) {
        (None, None) => None,
        (in_store, kept) => Some(format!("the store has {in_store:?}, as_stored gives {kept:?}")),
    })
}

/// The index of the store's quads, as the build writes a version's index
/// when it kept no sorted runs (`write_index` in `crates/core/src/build.rs`).
fn index_of(store: &Store, folder: &Path) -> Result<Index, String> {
    let mut writer = IndexWriter::new();
    for quad in store.iter() {
        writer.add_quad(quad.map_err(|e| e.to_string())?.as_ref());
    }
    writer.write(folder).map_err(|e| e.to_string())?;
    Index::open(folder).map_err(|e| e.to_string())
}

/// The selected variables a top-level ORDER BY sorts on, as long as its keys
/// are such variables (a key computed from others cannot be checked from
/// the answer, nor can the keys after it).
fn order_keys(query: &Query) -> Vec<Variable> {
    let Query::Select { pattern, .. } = query else { return Vec::new() };
    let mut node = pattern;
    loop {
        node = match node {
            GraphPattern::Slice { inner, .. } | GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } => {
                inner
            }
            _ => break,
        };
    }
    let GraphPattern::Project { inner, variables } = node else { return Vec::new() };
    let GraphPattern::OrderBy { expression, .. } = &**inner else { return Vec::new() };
    expression
        .iter()
        .map_while(|key| match key {
            OrderExpression::Asc(Expression::Variable(v)) | OrderExpression::Desc(Expression::Variable(v))
                if variables.contains(v) =>
            {
                Some(v.clone())
            }
            _ => None,
        })
        .collect()
}

/// Not from the suite, whose queries write their typed constants as the store
/// keeps them: a constant written in another lexical form of the same value
/// finds the stored term on the index as on the store (the index puts a
/// query's constants in the store's form before it looks them up).
#[test]
fn typed_constants_in_another_form_find_the_same_terms() {
    let data = r#"@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <http://example.org/int> <http://example.org/p> "01"^^xsd:int .
        <http://example.org/decimal> <http://example.org/p> "1.50"^^xsd:decimal .
        <http://example.org/boolean> <http://example.org/p> "1"^^xsd:boolean .
        <http://example.org/double> <http://example.org/p> "1.0E6"^^xsd:double .
        <http://example.org/dateTime> <http://example.org/p> "2013-03-01T08:00:00+00:00"^^xsd:dateTime ."#;
    let store = Store::new().unwrap();
    store.load_from_reader(RdfFormat::Turtle, data.as_bytes()).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let index = index_of(&store, folder.path()).unwrap();
    for (subject, constant) in [
        ("int", "\"1\"^^xsd:int"),
        ("int", "\"+001\"^^xsd:integer"),
        ("decimal", "\"1.5\"^^xsd:decimal"),
        ("boolean", "true"),
        ("double", "\"1000000\"^^xsd:double"),
        ("dateTime", "\"2013-03-01T08:00:00Z\"^^xsd:dateTime"),
    ] {
        let text = format!(
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?s WHERE {{ ?s <http://example.org/p> {constant} }}"
        );
        for graph in [Graph::Store(store.clone()), Graph::Index(index.clone())] {
            let kind = graph.kind();
            let prepared = Prepared::parse(&text, &[], SparqlEvaluator::new()).unwrap();
            let Ok(Answer::Solutions { rows, .. }) = answer::of_results(graph.execute(prepared).unwrap(), false) else {
                panic!("{constant} on the {kind}: not solutions")
            };
            let expected = NamedNode::new_unchecked(format!("http://example.org/{subject}"));
            assert_eq!(rows, vec![vec![Some(expected.into())]], "{constant} on the {kind}");
        }
    }
}
