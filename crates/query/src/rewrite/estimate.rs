//! How many solutions a group of patterns has, estimated from the index's
//! counts: each pattern's triples, and how each predicate's triples spread
//! over subjects and objects ([`PredicateStatistics`]).
//!
//! The estimate follows the plan a planner with statistics would make:
//! start from the pattern with the fewest triples (or from the variables
//! already known), then join the connected pattern that adds the fewest
//! rows per row so far. A pattern whose subject is known adds `triples /
//! distinct subjects` rows per row (offerings per service for `?o
//! fg:service ?s` with `?s` known), one whose object is known `triples /
//! distinct objects`, and one with a constant at the other end (`?d a
//! fg:LicenceDemand` with `?d` known) is taken as a check that holds. A
//! path of one predicate, alternatives of predicates, or their inverses
//! counts as the predicates together. Without statistics for a predicate
//! (an index written before them, a variable predicate, another path)
//! there is no estimate, and no rewrite that needs one.

use super::variables::{self, Required};
use spargebra::algebra::{GraphPattern, PropertyPathExpression};
use spargebra::term::{NamedNode, NamedNodePattern, TermPattern, TriplePattern, Variable};
use std::collections::HashSet;

/// One predicate's triples in the default graph, and how many distinct
/// subjects and objects they have: what the read index counts as it is
/// written (`factgraph_index::PredicateStatistics`, which the library
/// copies into this one, so that the rewrites need no index to build).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PredicateStatistics {
    pub triples: u64,
    pub subjects: u64,
    pub objects: u64,
}

/// What the read index tells the rewrites about the graph.
pub trait Statistics {
    /// How many triples of the default graph `triple` matches, its
    /// variables free.
    fn size(&self, triple: &TriplePattern) -> usize;
    /// How `predicate`'s triples spread, if the index knows.
    fn predicate(&self, predicate: &NamedNode) -> Option<PredicateStatistics>;
}

/// A pattern's required patterns ([`variables::required`]), each counted
/// once in the index, to estimate from.
pub struct Group {
    edges: Vec<Edge>,
}

impl Group {
    /// None without statistics or without required patterns.
    pub fn of(pattern: &GraphPattern, statistics: &dyn Statistics) -> Option<Self> {
        edges(pattern, statistics).map(|edges| Self { edges })
    }

    /// The estimated number of solutions.
    pub fn rows(&self) -> Option<f64> {
        let edges = &self.edges;
        let first = (0..edges.len()).min_by(|&a, &b| edges[a].size.total_cmp(&edges[b].size))?;
        Some(from(edges.clone(), first)?.0)
    }

    /// The rows evaluating the group alone produces, step by step, the way
    /// sparopt plans it: from the pattern its guesses make the smallest
    /// (the first written among equals; it has no statistics), then joining
    /// the others. What a hash join with the group on its right costs.
    pub fn evaluation_cost(&self) -> Option<f64> {
        let first = (0..self.edges.len()).min_by_key(|&i| self.edges[i].guessed)?;
        Some(from(self.edges.clone(), first)?.1)
    }

    /// The estimated number of solutions for one row in which the variables
    /// `known` are bound: what a lookup of the group per row finds.
    pub fn rows_per_row(&self, known: &HashSet<Variable>) -> Option<f64> {
        let known = known.iter().map(|variable| variable.as_str().to_owned()).collect();
        Some(join(self.edges.clone(), known)?.0)
    }
}

/// (rows, rows produced on the way) of joining `edges`, from `first`.
fn from(mut edges: Vec<Edge>, first: usize) -> Option<(f64, f64)> {
    let first = edges.swap_remove(first);
    let known = first.ends.iter().flatten().cloned().collect();
    let (rows, produced) = join(edges, known)?;
    Some((first.size * rows, first.size * (1.0 + produced)))
}

/// A required pattern as the estimate sees it.
#[derive(Clone)]
struct Edge {
    /// The subject's and object's variable names (blank nodes as variables
    /// of their own); `None` for a constant.
    ends: [Option<String>; 2],
    /// Its triples, its variables free.
    size: f64,
    /// How its predicates' triples spread; `None` for a variable predicate.
    spread: Option<PredicateStatistics>,
    /// sparopt's guess of its size, which decides where sparopt starts.
    guessed: usize,
}

fn edges(pattern: &GraphPattern, statistics: &dyn Statistics) -> Option<Vec<Edge>> {
    let parts = variables::required(pattern);
    if parts.is_empty() {
        return None;
    }
    parts
        .into_iter()
        .map(|part| match part {
            Required::Triple(triple) => Some(Edge {
                ends: [name(&triple.subject), name(&triple.object)],
                size: statistics.size(triple) as f64,
                spread: match &triple.predicate {
                    NamedNodePattern::NamedNode(predicate) => statistics.predicate(predicate),
                    NamedNodePattern::Variable(_) => None,
                },
                guessed: sparopt_guess(
                    name(&triple.subject).is_none(),
                    matches!(triple.predicate, NamedNodePattern::NamedNode(_)),
                    name(&triple.object).is_none(),
                ),
            }),
            Required::Path(subject, path, object) => path_edge(subject, path, object, statistics),
        })
        .collect()
}

/// A path of predicates, their alternatives and inverses, as one edge.
fn path_edge(
    subject: &TermPattern,
    path: &PropertyPathExpression,
    object: &TermPattern,
    statistics: &dyn Statistics,
) -> Option<Edge> {
    match path {
        PropertyPathExpression::NamedNode(predicate) => {
            let triple =
                TriplePattern { subject: subject.clone(), predicate: predicate.clone().into(), object: object.clone() };
            Some(Edge {
                ends: [name(subject), name(object)],
                size: statistics.size(&triple) as f64,
                spread: Some(statistics.predicate(predicate)?),
                guessed: sparopt_guess(name(subject).is_none(), true, name(object).is_none()),
            })
        }
        PropertyPathExpression::Reverse(inner) => path_edge(object, inner, subject, statistics).map(|edge| {
            let [s, o] = edge.ends;
            let spread = edge.spread.map(|spread| PredicateStatistics {
                subjects: spread.objects,
                objects: spread.subjects,
                ..spread
            });
            Edge { ends: [o, s], spread, ..edge }
        }),
        PropertyPathExpression::Alternative(a, b) => {
            let (a, b) = (path_edge(subject, a, object, statistics)?, path_edge(subject, b, object, statistics)?);
            let (x, y) = (a.spread?, b.spread?);
            let spread = PredicateStatistics {
                triples: x.triples + y.triples,
                subjects: x.subjects + y.subjects,
                objects: x.objects + y.objects,
            };
            let guessed = a.guessed.saturating_add(b.guessed);
            Some(Edge { ends: a.ends, size: a.size + b.size, spread: Some(spread), guessed })
        }
        _ => None,
    }
}

/// (rows, rows produced on the way) per row of joining `edges` to rows in
/// which `known` are bound, greedily: the connected edge that adds the
/// fewest rows first.
fn join(mut edges: Vec<Edge>, mut known: HashSet<String>) -> Option<(f64, f64)> {
    let (mut rows, mut produced) = (1.0, 0.0);
    while !edges.is_empty() {
        let mut best: Option<(usize, f64)> = None;
        for (i, edge) in edges.iter().enumerate() {
            if let Some(added) = added_rows(edge, &known)? {
                if best.is_none_or(|(_, fewest)| added < fewest) {
                    best = Some((i, added));
                }
            }
        }
        // Nothing connected: a cartesian product with the smallest.
        let smallest = || (0..edges.len()).min_by(|&a, &b| edges[a].size.total_cmp(&edges[b].size));
        let (next, added) = match best {
            Some(best) => best,
            None => smallest().map(|i| (i, edges[i].size))?,
        };
        rows *= added;
        produced += rows;
        known.extend(edges.swap_remove(next).ends.into_iter().flatten());
    }
    Some((rows, produced))
}

/// The rows `edge` adds to each row in which `known` are bound: `Ok(None)`
/// when it shares none of them, `None` without statistics.
fn added_rows(edge: &Edge, known: &HashSet<String>) -> Option<Option<f64>> {
    let [subject, object] = &edge.ends;
    let is_known = |end: &Option<String>| end.as_ref().is_some_and(|name| known.contains(name));
    let (subject_known, object_known) = (is_known(subject), is_known(object));
    if !subject_known && !object_known {
        return Some(None);
    }
    let constant_end = subject.is_none() || object.is_none();
    if constant_end || (subject_known && object_known) {
        return Some(Some(1.0));
    }
    let spread = edge.spread?;
    let distinct = if subject_known { spread.subjects } else { spread.objects };
    Some(Some(spread.triples as f64 / distinct.max(1) as f64))
}

/// sparopt's guess of a triple pattern's size from which of its places are
/// constants (`estimate_triple_pattern_size` in sparopt 0.3).
fn sparopt_guess(subject: bool, predicate: bool, object: bool) -> usize {
    match (subject, predicate, object) {
        (true, true, true) => 1,
        (true, true, false) => 10,
        (true, false, true) => 2,
        (false, true, true) => 1_000,
        (true, false, false) => 100,
        (false, false, false) => 1_000_000_000,
        (false, true, false) => 1_000_000,
        (false, false, true) => 10_000,
    }
}

fn name(term: &TermPattern) -> Option<String> {
    match term {
        TermPattern::Variable(variable) => Some(variable.as_str().to_owned()),
        TermPattern::BlankNode(node) => Some(format!("_:{}", node.as_str())),
        _ => None,
    }
}
