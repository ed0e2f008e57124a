//! Whether a question's answer can have changed between two versions: it
//! cannot when no triple pattern it reads can match a triple that came or
//! went. An incremental build keeps such answers and evaluates the rest.
//!
//! The test errs on the side of answering again: a pattern in a `GRAPH`
//! (the build's description changes every build), a path that can be of
//! length zero or names what it excludes, `EXISTS` in an expression, a
//! `SERVICE` or a quoted triple counts as matching anything.

use oxigraph::model::{GraphName, NamedOrBlankNode, Quad, Term};
use spargebra::algebra::{GraphPattern, PropertyPathExpression};
use spargebra::term::{NamedNodePattern, TermPattern, TriplePattern};
use spargebra::{Query, SparqlParser};

/// Whether the answer to the query `text` (with `prefixes` known) may differ
/// once `changed` quads came or went. A query that does not parse may.
pub fn may_change(text: &str, prefixes: &[(String, String)], changed: &[&Quad]) -> bool {
    let mut parser = SparqlParser::new();
    for (prefix, iri) in prefixes {
        parser = match parser.with_prefix(prefix, iri) {
            Ok(parser) => parser,
            Err(_) => return true,
        };
    }
    let Ok(query) = parser.parse_query(text) else { return true };
    let pattern = match &query {
        Query::Select { pattern, .. } | Query::Ask { pattern, .. } => pattern,
        Query::Construct { pattern, .. } | Query::Describe { pattern, .. } => pattern,
    };
    let default_graph: Vec<&Quad> =
        changed.iter().copied().filter(|q| q.graph_name == GraphName::DefaultGraph).collect();
    reads_any(pattern, &default_graph, changed.len() > default_graph.len())
}

/// Whether `pattern` reads one of `changed` (default-graph quads);
/// `named_changed`: whether some named graph changed too.
fn reads_any(pattern: &GraphPattern, changed: &[&Quad], named_changed: bool) -> bool {
    let inner = |p: &GraphPattern| reads_any(p, changed, named_changed);
    let exists = |e: &dyn std::fmt::Display| e.to_string().contains("EXISTS");
    match pattern {
        GraphPattern::Bgp { patterns } => patterns.iter().any(|t| changed.iter().any(|q| matches(t, q))),
        GraphPattern::Path { path, .. } => path_reads_any(path, changed),
        GraphPattern::Join { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right }
        | GraphPattern::Lateral { left, right } => inner(left) || inner(right),
        GraphPattern::LeftJoin { left, right, expression } => {
            inner(left) || inner(right) || expression.as_ref().is_some_and(|e| exists(e))
        }
        GraphPattern::Filter { expr, inner: p } => exists(expr) || inner(p),
        GraphPattern::Extend { inner: p, expression, .. } => exists(expression) || inner(p),
        GraphPattern::OrderBy { inner: p, expression } => expression.iter().any(|e| exists(e)) || inner(p),
        GraphPattern::Group { inner: p, aggregates, .. } => aggregates.iter().any(|(_, a)| exists(a)) || inner(p),
        GraphPattern::Project { inner: p, .. }
        | GraphPattern::Distinct { inner: p }
        | GraphPattern::Reduced { inner: p }
        | GraphPattern::Slice { inner: p, .. } => inner(p),
        GraphPattern::Graph { inner: p, .. } => named_changed || inner(p),
        GraphPattern::Values { .. } => false,
        GraphPattern::Service { .. } => true,
    }
}

fn matches(pattern: &TriplePattern, quad: &Quad) -> bool {
    let subject = match (&pattern.subject, &quad.subject) {
        (TermPattern::NamedNode(n), NamedOrBlankNode::NamedNode(s)) => n == s,
        (TermPattern::NamedNode(_) | TermPattern::Literal(_), _) => false,
        _ => true,
    };
    let predicate = match &pattern.predicate {
        NamedNodePattern::NamedNode(n) => *n == quad.predicate,
        NamedNodePattern::Variable(_) => true,
    };
    let object = match (&pattern.object, &quad.object) {
        (TermPattern::NamedNode(n), Term::NamedNode(o)) => n == o,
        (TermPattern::NamedNode(_), _) => false,
        // A literal of the query may be written in another form of the same
        // value than the one stored: any literal may match.
        (TermPattern::Literal(_), object) => matches!(object, Term::Literal(_)),
        _ => true,
    };
    subject && predicate && object
}

fn path_reads_any(path: &PropertyPathExpression, changed: &[&Quad]) -> bool {
    let mut predicates = Vec::new();
    if !path_predicates(path, &mut predicates) {
        return true;
    }
    changed.iter().any(|q| predicates.contains(&&q.predicate))
}

/// Collects the properties a path follows; `false` when it can be of length
/// zero (every node matches) or follows what it does not name.
fn path_predicates<'a>(path: &'a PropertyPathExpression, out: &mut Vec<&'a oxigraph::model::NamedNode>) -> bool {
    match path {
        PropertyPathExpression::NamedNode(n) => {
            out.push(n);
            true
        }
        PropertyPathExpression::Reverse(p) | PropertyPathExpression::OneOrMore(p) => path_predicates(p, out),
        PropertyPathExpression::Sequence(a, b) | PropertyPathExpression::Alternative(a, b) => {
            path_predicates(a, out) && path_predicates(b, out)
        }
        PropertyPathExpression::ZeroOrMore(_)
        | PropertyPathExpression::ZeroOrOne(_)
        | PropertyPathExpression::NegatedPropertySet(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{Literal, NamedNode};

    fn quad(s: &str, p: &str, o: Term) -> Quad {
        let n = |x: &str| NamedNode::new_unchecked(format!("http://example.org/{x}"));
        Quad::new(n(s), n(p), o, GraphName::DefaultGraph)
    }

    #[test]
    fn an_answer_changes_only_when_a_pattern_can_match_a_changed_triple() {
        let prefixes = [("ex".to_owned(), "http://example.org/".to_owned())];
        let name = quad("acme", "name", Literal::new_simple_literal("Acme").into());
        let changed = [&name];
        let may = |query: &str| may_change(query, &prefixes, &changed);
        assert!(may("SELECT ?n WHERE { ?c ex:name ?n }"));
        assert!(!may("SELECT ?c WHERE { ?c ex:partner ?p }"));
        assert!(!may("SELECT ?n WHERE { ex:other ex:name ?n }"));
        assert!(may("SELECT ?p WHERE { ex:acme ?p ?o }"));
        assert!(!may("SELECT (COUNT(*) AS ?n) WHERE { ?c ex:partner/ex:country ?x }"));
        assert!(may("SELECT ?x WHERE { ?c ex:partner* ?x }"), "a path of length zero matches every node");
        assert!(may("SELECT ?c WHERE { ?c ex:partner ?p FILTER NOT EXISTS { ?c ex:name ?n } }"));
        assert!(!may("SELECT ?c WHERE { GRAPH ?g { ?c ex:partner ?p } }"));
        assert!(may("not a query"));
        let mut described = quad("dataset", "version", Literal::new_simple_literal("v2").into());
        described.graph_name = NamedNode::new_unchecked("http://example.org/build").into();
        let both = [&name, &described];
        let query = "SELECT ?c WHERE { GRAPH ?g { ?c ex:partner ?p } }";
        assert!(may_change(query, &prefixes, &both), "a named graph changed");
        assert!(!may_change("SELECT ?c WHERE { ?c ex:partner ?p }", &prefixes, &both));
    }
}
