//! How many solutions a group of triple patterns has, estimated from the
//! index's counts: each pattern's triples, and how each predicate's triples
//! spread over subjects and objects ([`factgraph_index::PredicateStatistics`]).
//!
//! The estimate follows the plan a planner with statistics would make:
//! start from the pattern with the fewest triples, then join the connected
//! pattern that adds the fewest rows per row so far. A pattern whose subject
//! is known adds `triples / distinct subjects` rows per row (offerings per
//! service for `?o fg:service ?s` with `?s` known), one whose object is known
//! `triples / distinct objects`, and one with a constant at the other end
//! (`?d a fg:LicenceDemand` with `?d` known) is taken as a check that holds.
//! Without the predicate's statistics (an index written before them, or a
//! variable predicate) there is no estimate, and no rewrite that needs one.

use super::variables;
use factgraph_index::PredicateStatistics;
use spargebra::algebra::GraphPattern;
use spargebra::term::{NamedNode, NamedNodePattern, TermPattern, TriplePattern};
use std::collections::HashSet;

/// What the read index tells the rewrites about the graph.
pub trait Statistics {
    /// How many triples of the default graph `triple` matches, its
    /// variables free.
    fn size(&self, triple: &TriplePattern) -> usize;
    /// How `predicate`'s triples spread, if the index knows.
    fn predicate(&self, predicate: &NamedNode) -> Option<PredicateStatistics>;
}

/// The estimated number of solutions of `pattern`'s required triple
/// patterns ([`variables::required_triples`]); none without statistics or
/// without triple patterns.
pub fn rows(pattern: &GraphPattern, statistics: &dyn Statistics) -> Option<f64> {
    let mut left = variables::required_triples(pattern);
    let first = (0..left.len()).min_by_key(|&i| statistics.size(left[i]))?;
    let first = left.swap_remove(first);
    let mut rows = statistics.size(first) as f64;
    let mut known: HashSet<String> = ends(first).into_iter().flatten().collect();
    while !left.is_empty() {
        let mut best: Option<(usize, f64)> = None;
        for (i, triple) in left.iter().enumerate() {
            if let Some(added) = rows_per_row(triple, &known, statistics)? {
                if best.is_none_or(|(_, fewest)| added < fewest) {
                    best = Some((i, added));
                }
            }
        }
        let (next, added) = match best {
            Some(best) => best,
            // nothing connected: a cartesian product with the smallest
            None => {
                let smallest = (0..left.len()).min_by_key(|&i| statistics.size(left[i]))?;
                (smallest, statistics.size(left[smallest]) as f64)
            }
        };
        rows *= added;
        known.extend(ends(left.swap_remove(next)).into_iter().flatten());
    }
    Some(rows)
}

/// The rows `triple` adds to each row in which the variables `known` are
/// bound: `Ok(None)` when it shares none of them, `None` without statistics.
fn rows_per_row(triple: &TriplePattern, known: &HashSet<String>, statistics: &dyn Statistics) -> Option<Option<f64>> {
    let [subject, object] = ends(triple);
    let is_known = |end: &Option<String>| end.as_ref().is_some_and(|name| known.contains(name));
    let (subject_known, object_known) = (is_known(&subject), is_known(&object));
    if !subject_known && !object_known {
        return Some(None);
    }
    let constant_end = subject.is_none() || object.is_none();
    if constant_end || (subject_known && object_known) {
        return Some(Some(1.0));
    }
    let NamedNodePattern::NamedNode(predicate) = &triple.predicate else { return None };
    let spread = statistics.predicate(predicate)?;
    let distinct = if subject_known { spread.subjects } else { spread.objects };
    Some(Some(spread.triples as f64 / distinct.max(1) as f64))
}

/// The subject's and object's variable names (blank nodes as variables of
/// their own), `None` for a constant.
fn ends(triple: &TriplePattern) -> [Option<String>; 2] {
    let name = |term: &TermPattern| match term {
        TermPattern::Variable(variable) => Some(variable.as_str().to_owned()),
        TermPattern::BlankNode(node) => Some(format!("_:{}", node.as_str())),
        _ => None,
    };
    [name(&triple.subject), name(&triple.object)]
}
