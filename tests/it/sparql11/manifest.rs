//! The suite's manifests (W3C test manifest vocabulary), read as Turtle with
//! the base IRI the suite is published under, so that test, data and query
//! IRIs are the ones the W3C and Oxigraph's own test suite use.

use oxigraph::model::vocab::rdf;
use oxigraph::model::{Graph, NamedNodeRef, NamedOrBlankNodeRef, TermRef};
use oxttl::TurtleParser;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Where the suite is published; its files are read from the folder instead.
pub const BASE: &str = "https://w3c.github.io/rdf-tests/sparql/sparql11/";

const MF: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#";
const QT: &str = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#";
/// Approval statuses under which a test is not run, as in Oxigraph's test
/// suite (which skips `rdft:Rejected`); the DAWG's own vocabulary too.
const NOT_RUN: &[&str] = &[
    "http://www.w3.org/ns/rdftest#Rejected",
    "http://www.w3.org/ns/rdftest#Withdrawn",
    "http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#Rejected",
    "http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#Withdrawn",
];
const APPROVAL: &[&str] =
    &["http://www.w3.org/ns/rdftest#approval", "http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#approval"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `mf:QueryEvaluationTest`, or `mf:CSVResultFormatTest` (`csv`: the
    /// answer is compared as CSV text, which cannot be parsed back to terms).
    Evaluation { csv: bool },
    /// The query parses (`positive`) or is refused.
    Syntax { positive: bool },
}

#[derive(Debug)]
pub struct Test {
    /// `folder/name`, as printed.
    pub id: String,
    pub kind: Kind,
    /// IRIs (under [`BASE`]).
    pub query: String,
    pub data: Option<String>,
    /// Each a graph name and the file loaded into it.
    pub graph_data: Vec<String>,
    pub result: Option<String>,
}

/// What the manifests hold.
#[derive(Debug, Default)]
pub struct Suite {
    pub tests: Vec<Test>,
    /// Tests not run because of their approval status.
    pub not_approved: Vec<String>,
    /// Tests of a kind this harness does not run, with the kind.
    pub other_kinds: Vec<(String, String)>,
}

/// The file of `iri`, an IRI under [`BASE`].
pub fn file_of(suite: &Path, iri: &str) -> Result<PathBuf, String> {
    let relative = iri.strip_prefix(BASE).ok_or_else(|| format!("{iri} is not a file of the suite"))?;
    Ok(suite.join(relative))
}

/// Reads the manifests `names` (relative to the suite) and those they include.
pub fn read(suite: &Path, names: &[&str]) -> Result<Suite, String> {
    let mut todo: VecDeque<String> = names.iter().map(|name| format!("{BASE}{name}")).collect();
    let mut read = Suite::default();
    while let Some(iri) = todo.pop_front() {
        let path = file_of(suite, &iri)?;
        let file = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let graph: Graph = TurtleParser::new()
            .with_base_iri(&iri)
            .map_err(|e| format!("{iri}: {e}"))?
            .for_reader(file)
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let manifest = NamedNodeRef::new(&iri).map_err(|e| format!("{iri}: {e}"))?;
        if let Some(includes) = graph.object_for_subject_predicate(manifest, &mf("include")) {
            for include in list(&graph, includes) {
                let TermRef::NamedNode(include) = include else {
                    return Err(format!("{iri}: an include is not an IRI"));
                };
                todo.push_back(include.as_str().to_owned());
            }
        }
        if let Some(entries) = graph.object_for_subject_predicate(manifest, &mf("entries")) {
            for entry in list(&graph, entries) {
                let TermRef::NamedNode(entry) = entry else { return Err(format!("{iri}: an entry is not an IRI")) };
                test(&graph, entry, &mut read).map_err(|e| format!("{iri}, {entry}: {e}"))?;
            }
        }
    }
    Ok(read)
}

fn test(graph: &Graph, entry: NamedNodeRef<'_>, suite: &mut Suite) -> Result<(), String> {
    let id = short_id(entry.as_str());
    let approval =
        APPROVAL.iter().filter_map(|p| graph.object_for_subject_predicate(entry, NamedNodeRef::new_unchecked(p)));
    if approval.into_iter().any(|status| matches!(status, TermRef::NamedNode(s) if NOT_RUN.contains(&s.as_str()))) {
        suite.not_approved.push(id);
        return Ok(());
    }
    let kinds: Vec<String> = graph
        .objects_for_subject_predicate(entry, rdf::TYPE)
        .filter_map(|kind| match kind {
            TermRef::NamedNode(kind) => kind.as_str().strip_prefix(MF).map(str::to_owned),
            _ => None,
        })
        .collect();
    let kind = match kinds.first().map(String::as_str) {
        Some("QueryEvaluationTest") => Kind::Evaluation { csv: false },
        Some("CSVResultFormatTest") => Kind::Evaluation { csv: true },
        Some("PositiveSyntaxTest11" | "PositiveSyntaxTest") => Kind::Syntax { positive: true },
        Some("NegativeSyntaxTest11" | "NegativeSyntaxTest") => Kind::Syntax { positive: false },
        other => {
            suite.other_kinds.push((id, other.unwrap_or("no mf: type").to_owned()));
            return Ok(());
        }
    };
    let action = graph.object_for_subject_predicate(entry, &mf("action")).ok_or("no mf:action")?;
    let iri = |term: TermRef<'_>| match term {
        TermRef::NamedNode(node) => Ok(node.as_str().to_owned()),
        other => Err(format!("{other} where an IRI is expected")),
    };
    let result = graph.object_for_subject_predicate(entry, &mf("result")).map(iri).transpose()?;
    let (query, data, graph_data) = match (kind, action) {
        (Kind::Syntax { .. }, TermRef::NamedNode(query)) => (query.as_str().to_owned(), None, Vec::new()),
        (Kind::Evaluation { .. }, TermRef::BlankNode(action)) => {
            let query = graph.object_for_subject_predicate(action, &qt("query")).ok_or("no qt:query")?;
            let data = graph.object_for_subject_predicate(action, &qt("data")).map(iri).transpose()?;
            let graph_data =
                graph.objects_for_subject_predicate(action, &qt("graphData")).map(iri).collect::<Result<_, _>>()?;
            (iri(query)?, data, graph_data)
        }
        _ => return Err(format!("mf:action {action} is not what a {kinds:?} has")),
    };
    if matches!(kind, Kind::Evaluation { .. }) && result.is_none() {
        return Err("no mf:result".into());
    }
    suite.tests.push(Test { id, kind, query, data, graph_data, result });
    Ok(())
}

/// `folder/name` of a test IRI such as
/// `http://www.w3.org/2009/sparql/docs/tests/data-sparql11/negation/manifest#graph-minus`.
fn short_id(iri: &str) -> String {
    let (manifest, name) = iri.rsplit_once('#').unwrap_or((iri, ""));
    let folder = manifest.trim_end_matches("/manifest").rsplit('/').next().unwrap_or(manifest);
    format!("{folder}/{name}")
}

/// The members of the RDF list starting at `head`.
fn list<'a>(graph: &'a Graph, head: TermRef<'a>) -> Vec<TermRef<'a>> {
    let mut members = Vec::new();
    let mut node = head;
    while let Some(subject) = subject(node) {
        let Some(first) = graph.object_for_subject_predicate(subject, rdf::FIRST) else { break };
        members.push(first);
        match graph.object_for_subject_predicate(subject, rdf::REST) {
            Some(rest) => node = rest,
            None => break,
        }
    }
    members
}

fn subject(term: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match term {
        TermRef::NamedNode(node) if node != rdf::NIL => Some(node.into()),
        TermRef::BlankNode(node) => Some(node.into()),
        _ => None,
    }
}

fn mf(name: &str) -> oxigraph::model::NamedNode {
    oxigraph::model::NamedNode::new_unchecked(format!("{MF}{name}"))
}

fn qt(name: &str) -> oxigraph::model::NamedNode {
    oxigraph::model::NamedNode::new_unchecked(format!("{QT}{name}"))
}
