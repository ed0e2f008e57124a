//! A rewrite of a query's algebra before Oxigraph plans it, where its planner
//! (sparopt, which has no statistics) picks a plan Virtuoso does not, using
//! the counts the read index gives for free.
//!
//! **A MINUS after a small group of triple patterns moves after the patterns
//! that follow it.** A group written `{ A MINUS { B } C }` is, in SPARQL's
//! algebra, `Join(Minus(A, B), C)`. sparopt plans `C` on its own: on
//! `demanded-licences-without-evidence` it hash-joined every `rdfs:label` of
//! the graph (238 000 at 100 000 offerings) to keep 393, and planned the
//! MINUS's own side for every licence holding, 0.14 s where Virtuoso takes
//! 0.01 s. Written `{ A C MINUS { B } }`, the same question costs a ninth
//! of the instructions (88 M against 755 M). The two are the same query when
//! `A` and `C` are triple patterns (every solution binds all their
//! variables) and every variable `C` shares with `B` is one of `A`'s: the
//! MINUS then compares the same variables, with the same values, before or
//! after the join. Moving it is worth it only when `A` is small, since `C`
//! is then looked up for solutions the MINUS may remove (on
//! `offerings-without-local-partner`, where it removes three quarters of
//! 100 000 offerings, moving it cost 68 % more instructions): the rewrite is
//! made when one of `A`'s patterns matches at most [`SMALL`] triples, as the
//! index counts them.

use spargebra::algebra::GraphPattern;
use spargebra::term::{NamedNodePattern, TermPattern, TriplePattern, Variable};
use std::collections::HashSet;

/// Most triples the smallest pattern of a group may match for the MINUS
/// after it to be moved: a lookup for each of its solutions costs less than
/// the plan sparopt makes (tens of thousands of lookups take milliseconds).
pub const SMALL: usize = 10_000;

/// Applies the rewrite everywhere in `pattern`; `size` counts the triples a
/// triple pattern matches (its variables free).
pub fn rewrite(pattern: &mut GraphPattern, size: &dyn Fn(&TriplePattern) -> usize) {
    for child in children(pattern) {
        rewrite(child, size);
    }
    minus_after_small_group(pattern, size);
}

/// The graph patterns directly inside `pattern` (not those of its expressions).
fn children(pattern: &mut GraphPattern) -> Vec<&mut GraphPattern> {
    match pattern {
        GraphPattern::Join { left, right }
        | GraphPattern::LeftJoin { left, right, .. }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => vec![&mut **left, &mut **right],
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Graph { inner, .. }
        | GraphPattern::Extend { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Group { inner, .. }
        | GraphPattern::Service { inner, .. } => vec![&mut **inner],
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => Vec::new(),
    }
}

/// `Join(Minus(Bgp(A), B), Bgp(C))` → `Minus(Bgp(A + C), B)`, when that is
/// the same query and `A` is small.
fn minus_after_small_group(pattern: &mut GraphPattern, size: &dyn Fn(&TriplePattern) -> usize) {
    let GraphPattern::Join { left, right } = pattern else { return };
    let (GraphPattern::Minus { left: kept, right: removed }, GraphPattern::Bgp { patterns: joined }) =
        (&**left, &**right)
    else {
        return;
    };
    let GraphPattern::Bgp { patterns: group } = &**kept else { return };
    let bound: HashSet<&Variable> = variables(group).collect();
    let mut in_removed = HashSet::new();
    removed.on_in_scope_variable(|variable| {
        in_removed.insert(variable.clone());
    });
    let same_query = variables(joined).all(|variable| !in_removed.contains(variable) || bound.contains(variable));
    let small = group.iter().map(size).min().is_some_and(|smallest| smallest <= SMALL);
    if !(same_query && small) {
        return;
    }
    let GraphPattern::Join { left, right } = std::mem::take(pattern) else { unreachable!("matched above") };
    let (GraphPattern::Minus { left: kept, right: removed }, GraphPattern::Bgp { patterns: joined }) = (*left, *right)
    else {
        unreachable!("matched above")
    };
    let GraphPattern::Bgp { patterns: mut group } = *kept else { unreachable!("matched above") };
    group.extend(joined);
    *pattern = GraphPattern::Minus { left: Box::new(GraphPattern::Bgp { patterns: group }), right: removed };
}

/// The variables of triple patterns (their blank nodes are not: they cannot
/// be shared with another group).
fn variables(patterns: &[TriplePattern]) -> impl Iterator<Item = &Variable> {
    fn of_term(term: &TermPattern) -> Option<&Variable> {
        match term {
            TermPattern::Variable(variable) => Some(variable),
            _ => None,
        }
    }
    patterns.iter().flat_map(|triple| {
        let predicate = match &triple.predicate {
            NamedNodePattern::Variable(variable) => Some(variable),
            NamedNodePattern::NamedNode(_) => None,
        };
        [of_term(&triple.subject), predicate, of_term(&triple.object)].into_iter().flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::sparql::{QueryResults, SparqlEvaluator};

    const PREFIX: &str = "PREFIX : <http://example.org/> ";

    /// The query after the rewrite, with every pattern of size `size`.
    fn rewritten(text: &str, size: usize) -> (String, String) {
        let query = spargebra::SparqlParser::new().parse_query(&format!("{PREFIX} {text}")).unwrap();
        let mut after = query.clone();
        if let spargebra::Query::Select { pattern, .. } = &mut after {
            rewrite(pattern, &|_| size);
        }
        (query.to_string(), after.to_string())
    }

    #[test]
    fn a_minus_after_a_small_group_moves_after_the_patterns_that_follow() {
        let text = "SELECT * { ?d :in ?c . MINUS { ?h :holder ?c } ?c :label ?l }";
        let (before, after) = rewritten(text, 400);
        assert_ne!(before, after);
        assert!(after.find("label>").unwrap() < after.find("MINUS").unwrap(), "{after}");
        let (before, after) = rewritten(text, SMALL + 1);
        assert_eq!(before, after, "a large group keeps its MINUS where it is");
    }

    #[test]
    fn groups_where_moving_it_would_change_the_answer_stay_as_written() {
        for text in [
            // ?x is in the MINUS and after it, not before: the MINUS would then compare it.
            "SELECT * { ?d :in ?c . MINUS { ?c :p ?x } ?c :label ?x }",
            // an OPTIONAL may leave ?c unbound before the MINUS.
            "SELECT * { ?d :in ?e OPTIONAL { ?d :c ?c } MINUS { ?h :holder ?c } ?c :label ?l }",
            "SELECT * { ?d :in ?c . ?c :label ?l }",
        ] {
            let (before, after) = rewritten(text, 1);
            assert_eq!(before, after, "{text}");
        }
    }

    /// The rewritten queries answer as Oxigraph answers them as written, on
    /// an index where the MINUS removes some rows and not others.
    #[test]
    fn answers_do_not_change() {
        let data = r#"@prefix : <http://example.org/> .
            :d1 :in :c1 . :d2 :in :c2 . :d3 :in :c3 . :d4 :in :c1 .
            :h1 :holder :c1 . :h2 :holder :c3 .
            :c1 :label "one" . :c2 :label "two" . :c3 :label "three" . :c2 :p "x" .
            :d2 :c :c2 . :c2 :label "deux" . :d5 :in :c4 . :c4 :label "four" ."#;
        let store = oxigraph::store::Store::new().unwrap();
        store.load_from_reader(oxigraph::io::RdfFormat::Turtle, data.as_bytes()).unwrap();
        let folder = tempfile::tempdir().unwrap();
        let mut writer = factgraph_index::IndexWriter::new();
        for quad in store.iter() {
            writer.add_quad(quad.unwrap().as_ref());
        }
        writer.write(folder.path()).unwrap();
        let index = super::super::Graph::Index(factgraph_index::Index::open(folder.path()).unwrap());
        for text in [
            "SELECT ?d ?l { ?d :in ?c . MINUS { ?h :holder ?c } ?c :label ?l }",
            "SELECT ?d ?x { ?d :in ?c . MINUS { ?c :p ?x } ?c :label ?x }",
            "SELECT ?d ?l { ?d :in ?c . MINUS { ?h :holder ?c } ?c :label ?l MINUS { ?c :p ?x } }",
        ] {
            let text = format!("{PREFIX} {text}");
            let rows = |results: QueryResults<'static>| {
                let QueryResults::Solutions(solutions) = results else { panic!("solutions") };
                let mut rows: Vec<String> = solutions.map(|row| format!("{:?}", row.unwrap().values())).collect();
                rows.sort();
                rows
            };
            let prepared = super::super::Prepared::parse(&text, &[], SparqlEvaluator::new()).unwrap();
            let ours = rows(index.execute(prepared).unwrap());
            let theirs = rows(SparqlEvaluator::new().parse_query(&text).unwrap().on_store(&store).execute().unwrap());
            assert_eq!(ours, theirs, "{text}");
            assert!(!ours.is_empty(), "{text} has rows to compare");
        }
    }
}
