//! FILTER EXISTS, FILTER NOT EXISTS and MINUS as joins that Oxigraph plans
//! well.
//!
//! **EXISTS is not planned at all.** sparopt reorders the joins of a query
//! but not those inside an EXISTS, whose triple patterns stay joined in the
//! order written with no join keys: `demanded-licences-without-evidence`
//! written with `FILTER NOT EXISTS` instead of `MINUS` took 63 s at 100 000
//! offerings, a cartesian product of every licence holding with every
//! licence of the type, for each of 400 rows (0.04 s with MINUS). Where it
//! is the same query, [`exists_as_joins`] turns `FILTER NOT EXISTS { P }`
//! into `MINUS { P }` and `FILTER EXISTS { P }` into a join with the
//! distinct values of the variables `P` shares, which sparopt plans.
//!
//! **MINUS is planned as a hash anti-join**: its right side is evaluated
//! once, whole, with none of its variables bound. When the left side is
//! small and the right large, Virtuoso's choice is better: look the right
//! side up for each left solution, with the shared variables bound, and
//! stop at the first match. [`correlated_minus`] writes that with LATERAL
//! (which Oxigraph evaluates as a loop): `demanded-licences-without-evidence`
//! checks 400 demands instead of evaluating 10 000 licence holdings.
//!
//! The same query means: the removed or required pattern `P` is
//! [plain](variables::is_plain) (every solution binds each of its
//! variables, and nothing in it reads one from outside), and the variables
//! it shares with the rows it filters are bound in every row, at least one
//! of them. Then "some solution of `P` agrees with the row" is what EXISTS,
//! MINUS and the lookup each ask.

use super::estimate::{self, Statistics};
use super::variables;
use spargebra::algebra::{Expression, GraphPattern};
use spargebra::term::{Literal, Variable};
use std::collections::HashSet;

/// How many rows of the right side a lookup for one row of the left costs,
/// about: a loop evaluates the right side once per row, with its own setup,
/// where a hash anti-join evaluates it once and probes a table.
const LOOKUP_COST: f64 = 4.0;

/// `Filter(… && [NOT] EXISTS { P }, inner)` → the filter without it, then
/// `Minus(…, P)` or a join with `P`'s shared values, for each EXISTS that
/// can go. Other conjuncts stay a filter; the order of row-by-row tests
/// does not change which rows pass.
pub fn exists_as_joins(pattern: &mut GraphPattern) {
    let GraphPattern::Filter { expr: expression, inner } = pattern else { return };
    let certain = variables::certain(inner);
    let (mut joins, mut kept) = (Vec::new(), Vec::new());
    for conjunct in conjuncts(expression.clone()) {
        let shared = as_exists(&conjunct).and_then(|(negated, required)| {
            Some((negated, required, shared_if_same_query(inner, &certain, required)?))
        });
        match shared {
            Some((negated, required, shared)) => joins.push((negated, required.clone(), shared)),
            None => kept.push(conjunct),
        }
    }
    if joins.is_empty() {
        return;
    }
    let mut result = std::mem::take(&mut **inner);
    if let Some(expression) = kept.into_iter().reduce(|a, b| Expression::And(Box::new(a), Box::new(b))) {
        result = GraphPattern::Filter { expr: expression, inner: Box::new(result) };
    }
    for (negated, required, shared) in joins {
        result = match negated {
            true => GraphPattern::Minus { left: Box::new(result), right: Box::new(required) },
            false => semi_join(result, required, shared),
        };
    }
    *pattern = result;
}

/// `Minus(L, R)` → for each solution of `L`, a lookup of `R` that stops at
/// its first solution, when that is the same query and costs less than
/// evaluating `R` whole, by the index's estimates ([`estimate`]). `fresh` names the variable
/// the lookup binds, which no solution keeps. A filter on the MINUS goes
/// onto `L` (MINUS keeps the rows it keeps as they are), so that sparopt
/// keeps `L` whole: filtered outside, it planned `L`'s patterns apart.
pub fn correlated_minus(pattern: &mut GraphPattern, statistics: &dyn Statistics, fresh: &mut dyn FnMut() -> Variable) {
    let minus = match &*pattern {
        GraphPattern::Filter { inner, .. } if matches!(**inner, GraphPattern::Minus { .. }) => &**inner,
        minus => minus,
    };
    let GraphPattern::Minus { left, right } = minus else { return };
    if !worth_correlating(left, right, statistics) {
        return;
    }
    let (left, right) = match std::mem::take(pattern) {
        GraphPattern::Minus { left, right } => (left, right),
        GraphPattern::Filter { expr, inner } => {
            let GraphPattern::Minus { left, right } = *inner else { unreachable!("matched above") };
            (Box::new(GraphPattern::Filter { expr, inner: left }), right)
        }
        _ => unreachable!("matched above"),
    };
    let shared = shared_if_same_query(&left, &variables::certain(&left), &right).expect("checked above");
    *pattern = lookup_each(left, *right, shared, fresh());
}

/// Whether `Minus(left, right)` may be looked up row by row, and that costs
/// less than evaluating `right` whole, by the index's estimates.
fn worth_correlating(left: &GraphPattern, right: &GraphPattern, statistics: &dyn Statistics) -> bool {
    if shared_if_same_query(left, &variables::certain(left), right).is_none() {
        return false;
    }
    match (estimate::rows(left, statistics), estimate::rows(right, statistics)) {
        (Some(left), Some(right)) => left * LOOKUP_COST < right,
        _ => false,
    }
}

/// `left` without the rows some solution of `removed` agrees with:
/// `Filter(!BOUND(?found), Lateral(left, OPTIONAL { SELECT shared (true AS
/// ?found) { removed } LIMIT 1 }))`.
fn lookup_each(
    left: Box<GraphPattern>,
    removed: GraphPattern,
    shared: HashSet<Variable>,
    found: Variable,
) -> GraphPattern {
    let mut projected: Vec<Variable> = shared.into_iter().collect();
    projected.push(found.clone());
    let marked = GraphPattern::Extend {
        inner: Box::new(removed),
        variable: found.clone(),
        expression: Expression::Literal(Literal::from(true)),
    };
    let first = GraphPattern::Slice {
        inner: Box::new(GraphPattern::Project { inner: Box::new(marked), variables: projected }),
        start: 0,
        length: Some(1),
    };
    let optional = GraphPattern::LeftJoin {
        left: Box::new(GraphPattern::Bgp { patterns: Vec::new() }),
        right: Box::new(first),
        expression: None,
    };
    GraphPattern::Filter {
        expr: Expression::Not(Box::new(Expression::Bound(found))),
        inner: Box::new(GraphPattern::Lateral { left, right: Box::new(optional) }),
    }
}

/// The variables `required` shares with the rows of `rows`, when testing it
/// against each row means the same as joining or subtracting it: it is
/// plain, shares some variable, and each shared one is bound in every row.
fn shared_if_same_query(
    rows: &GraphPattern,
    certain: &HashSet<Variable>,
    required: &GraphPattern,
) -> Option<HashSet<Variable>> {
    if !variables::is_plain(required) {
        return None;
    }
    let in_rows = variables::in_scope(rows);
    let shared: HashSet<Variable> =
        variables::in_scope(required).into_iter().filter(|variable| in_rows.contains(variable)).collect();
    let same = !shared.is_empty() && shared.iter().all(|variable| certain.contains(variable));
    same.then_some(shared)
}

/// `rows` that have a solution of `required`: a join with the distinct
/// values of the shared variables, which adds no binding and no row.
fn semi_join(rows: GraphPattern, required: GraphPattern, shared: HashSet<Variable>) -> GraphPattern {
    let values = GraphPattern::Distinct {
        inner: Box::new(GraphPattern::Project { inner: Box::new(required), variables: shared.into_iter().collect() }),
    };
    GraphPattern::Join { left: Box::new(rows), right: Box::new(values) }
}

/// `[NOT] EXISTS { P }` as (negated, P).
fn as_exists(expression: &Expression) -> Option<(bool, &GraphPattern)> {
    match expression {
        Expression::Exists(pattern) => Some((false, pattern)),
        Expression::Not(inner) => match &**inner {
            Expression::Exists(pattern) => Some((true, pattern)),
            _ => None,
        },
        _ => None,
    }
}

/// `a && b && c` as [a, b, c].
fn conjuncts(expression: Expression) -> Vec<Expression> {
    match expression {
        Expression::And(a, b) => {
            let mut all = conjuncts(*a);
            all.extend(conjuncts(*b));
            all
        }
        other => vec![other],
    }
}
