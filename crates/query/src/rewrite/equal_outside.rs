//! An OPTIONAL whose condition makes one of its variables equal to one of
//! the left side's, looked up with that value for each row.
//!
//! `?o fg:localPartner ?lp ; fg:operator ?op OPTIONAL { ?h fg:holder ?hd …
//! FILTER(?hd = ?lp || ?hd = ?op) }` shares no variable between its two
//! sides, so sparopt has no join key: it evaluates the OPTIONAL's group
//! once and tests the condition on every pair of a left row and one of its
//! solutions. `rules-per-arrangement` did not finish in 120 s at 10 000
//! offerings that way (6 000 arrangements, each against every licence
//! holding and the rules of its type). Given the row's values, the group is
//! a lookup by `?hd`:
//!
//! `LeftJoin(L, R, (?x = ?a || ?x = ?b) && G)` →
//! `Lateral(L, OPTIONAL { Filter(G, Join(Union(BIND(?a AS ?x),
//! Filter(!sameTerm(?b, ?a), BIND(?b AS ?x))), R)) })`
//!
//! The same query when:
//! - `R` mentions no variable of `L`'s, so giving it `L`'s values changes
//!   nothing but `?x`, and it is made of patterns whose every variable is
//!   in view (no subquery, VALUES, MINUS or EXISTS that could hide one);
//! - every row of `L` binds `?a` and `?b`, and every solution of `R` binds
//!   `?x`, which `L` does not;
//! - `?x` or the other side is in a subject or predicate position of a
//!   triple pattern every solution matches, so never a literal: then `=`
//!   is `sameTerm`, and a join means the same (`sameTerm` needs no such
//!   position);
//! - each solution of `R` has one `?x`, so it is found by one branch of the
//!   union only, which skips a value an earlier branch gave: the solutions
//!   an OPTIONAL keeps for a row are kept once, as the condition keeps them.
//!
//! Oxigraph evaluates LATERAL as a loop and plans its right side with the
//! left side's variables bound, so `R` is looked up from `?x`.

use super::joins::{and, conjuncts, optional};
use super::variables::{self, expression_mentions, mentions, Required};
use spargebra::algebra::{Expression, GraphPattern};
use spargebra::term::{NamedNodePattern, TermPattern, Variable};
use std::collections::HashSet;

/// Rewrites `pattern` itself, if it is such an OPTIONAL.
pub fn look_up_equal_values(pattern: &mut GraphPattern) {
    let GraphPattern::LeftJoin { left, right, expression: Some(expression) } = &*pattern else { return };
    let Some((index, target, sources)) = equated(left, right, expression) else { return };
    let GraphPattern::LeftJoin { left, right, expression: Some(expression) } = std::mem::take(pattern) else {
        unreachable!("matched above")
    };
    let mut conditions = conjuncts(expression);
    conditions.remove(index);
    let mut found = join_looking_up(each_value(&target, &sources), *right);
    if let Some(expr) = and(conditions) {
        found = GraphPattern::Filter { expr, inner: Box::new(found) };
    }
    *pattern = GraphPattern::Lateral { left, right: Box::new(optional(Box::new(found))) };
}

/// `Join(values, right)`; when `right` is an OPTIONAL whose own right side
/// may be looked up for each of its rows ([`may_be_given`]),
/// `Lateral(Join(values, A), OPTIONAL { B })` instead: a LATERAL's right
/// side is evaluated again for each row of its left, and a hash join in it
/// evaluates `B` whole each time (at 100 000 offerings, every rule of
/// every licence type for each arrangement). The same solutions: `values`
/// binds only `?x`, which every solution of `A` binds.
fn join_looking_up(values: GraphPattern, right: GraphPattern) -> GraphPattern {
    match right {
        GraphPattern::LeftJoin { left, right, expression } if lookup_is_same(&left, &right, expression.as_ref()) => {
            let inner = match expression {
                Some(expr) => Box::new(GraphPattern::Filter { expr, inner: right }),
                None => right,
            };
            let rows = GraphPattern::Join { left: Box::new(values), right: left };
            GraphPattern::Lateral { left: Box::new(rows), right: Box::new(optional(inner)) }
        }
        right => GraphPattern::Join { left: Box::new(values), right: Box::new(right) },
    }
}

/// Whether `LeftJoin(left, right, expression)` answers as `right` looked up
/// with each row of `left`'s values: what `right` shares with `left` is
/// bound in every row, and giving it to `right` only keeps the solutions
/// that agree ([`may_be_given`]).
fn lookup_is_same(left: &GraphPattern, right: &GraphPattern, expression: Option<&Expression>) -> bool {
    if expression.is_some_and(has_exists) {
        return false;
    }
    if !hides_none(right) {
        return false;
    }
    let certain = variables::certain(left);
    let given: HashSet<Variable> =
        variables::in_scope(left).into_iter().filter(|variable| mentions(right, variable)).collect();
    !given.is_empty() && given.iter().all(|variable| certain.contains(variable)) && may_be_given(right, &given)
}

/// Whether evaluating `pattern` with the variables `given` already bound
/// gives the solutions of `pattern` that agree with them, no others: no
/// expression reads a given variable that its own pattern does not bind
/// (it would read it unbound as written), and an OPTIONAL mentions one only
/// where its left side binds it (else a solution its right side would
/// extend with another value keeps the row unextended).
fn may_be_given(pattern: &GraphPattern, given: &HashSet<Variable>) -> bool {
    let reads_bound = |expression: &Expression, bound: &HashSet<Variable>| {
        !has_exists(expression)
            && given.iter().all(|variable| !expression_mentions(expression, variable) || bound.contains(variable))
    };
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } => true,
        GraphPattern::Join { left, right } => may_be_given(left, given) && may_be_given(right, given),
        GraphPattern::Filter { expr, inner } => {
            may_be_given(inner, given) && reads_bound(expr, &variables::certain(inner))
        }
        GraphPattern::Extend { inner, variable, expression } => {
            !given.contains(variable)
                && may_be_given(inner, given)
                && reads_bound(expression, &variables::certain(inner))
        }
        GraphPattern::LeftJoin { left, right, expression } => {
            let bound = variables::certain(left);
            let mut both = bound.clone();
            both.extend(variables::certain(right));
            hides_none(right)
                && given.iter().all(|variable| !mentions(right, variable) || bound.contains(variable))
                && expression.as_ref().is_none_or(|e| reads_bound(e, &both))
                && may_be_given(left, given)
                && may_be_given(right, given)
        }
        _ => false,
    }
}

/// Which conjunct of `expression` equates a variable of `right` with
/// variables of `left`, as (its place, that variable, the left side's),
/// when the rewrite is the same query.
fn equated(
    left: &GraphPattern,
    right: &GraphPattern,
    expression: &Expression,
) -> Option<(usize, Variable, Vec<Variable>)> {
    if has_exists(expression) {
        return None;
    }
    if !hides_none(right) || variables::in_scope(left).iter().any(|variable| mentions(right, variable)) {
        return None;
    }
    let (left_certain, right_certain) = (variables::certain(left), variables::certain(right));
    let (left_named, right_named) = (never_literal(left), never_literal(right));
    conjuncts(expression.clone()).iter().enumerate().find_map(|(index, condition)| {
        let pairs = equalities(condition)?;
        let target = pairs.iter().flat_map(|(a, b, _)| [a, b]).find(|v| right_certain.contains(*v))?.clone();
        let mut sources = Vec::new();
        for (a, b, same_term) in &pairs {
            let source = match (a == &target, b == &target) {
                (true, false) => b,
                (false, true) => a,
                _ => return None,
            };
            let comparable = *same_term || right_named.contains(&target) || left_named.contains(source);
            if !comparable || !left_certain.contains(source) || mentions(right, source) {
                return None;
            }
            if !sources.contains(source) {
                sources.push(source.clone());
            }
        }
        Some((index, target, sources))
    })
}

/// `BIND(?a AS ?x)`, then for each further source `BIND(?b AS ?x)` where
/// it differs from those before: each value once.
fn each_value(target: &Variable, sources: &[Variable]) -> GraphPattern {
    let branches = sources.iter().enumerate().map(|(place, source)| {
        let bound = GraphPattern::Extend {
            inner: Box::new(GraphPattern::Bgp { patterns: Vec::new() }),
            variable: target.clone(),
            expression: Expression::Variable(source.clone()),
        };
        let differs = sources[..place].iter().map(|earlier| {
            let same = Expression::SameTerm(
                Box::new(Expression::Variable(source.clone())),
                Box::new(Expression::Variable(earlier.clone())),
            );
            Expression::Not(Box::new(same))
        });
        match and(differs.collect()) {
            Some(expr) => GraphPattern::Filter { expr, inner: Box::new(bound) },
            None => bound,
        }
    });
    branches.reduce(|a, b| GraphPattern::Union { left: Box::new(a), right: Box::new(b) }).expect("one source at least")
}

/// `?a = ?b || sameTerm(?c, ?d) || …` as (a, b, whether sameTerm) each.
fn equalities(expression: &Expression) -> Option<Vec<(Variable, Variable, bool)>> {
    match expression {
        Expression::Or(a, b) => {
            let mut all = equalities(a)?;
            all.extend(equalities(b)?);
            Some(all)
        }
        Expression::Equal(a, b) | Expression::SameTerm(a, b) => match (&**a, &**b) {
            (Expression::Variable(a), Expression::Variable(b)) if a != b => {
                Some(vec![(a.clone(), b.clone(), matches!(expression, Expression::SameTerm(..)))])
            }
            _ => None,
        },
        _ => None,
    }
}

/// The variables in a subject or predicate position of a triple pattern
/// every solution of `pattern` matches: IRIs or blank nodes, never literals.
fn never_literal(pattern: &GraphPattern) -> HashSet<Variable> {
    let mut named = HashSet::new();
    for required in variables::required(pattern) {
        if let Required::Triple(triple) = required {
            if let TermPattern::Variable(subject) = &triple.subject {
                named.insert(subject.clone());
            }
            if let NamedNodePattern::Variable(predicate) = &triple.predicate {
                named.insert(predicate.clone());
            }
        }
    }
    named
}

/// Whether `pattern` is made only of patterns whose every variable is in
/// view: triple patterns and paths, joined, united, optional, filtered and
/// extended, with no EXISTS (not a subquery, VALUES, MINUS, SERVICE, GRAPH,
/// a group or a LATERAL).
fn hides_none(pattern: &GraphPattern) -> bool {
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } => true,
        GraphPattern::Join { left, right } | GraphPattern::Union { left, right } => {
            hides_none(left) && hides_none(right)
        }
        GraphPattern::LeftJoin { left, right, expression } => {
            !expression.as_ref().is_some_and(has_exists) && hides_none(left) && hides_none(right)
        }
        GraphPattern::Filter { expr, inner } | GraphPattern::Extend { inner, expression: expr, .. } => {
            !has_exists(expr) && hides_none(inner)
        }
        _ => false,
    }
}

fn has_exists(expression: &Expression) -> bool {
    matches!(expression, Expression::Exists(_)) || variables::sub_expressions(expression).into_iter().any(has_exists)
}
