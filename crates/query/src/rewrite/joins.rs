//! FILTER EXISTS, FILTER NOT EXISTS, MINUS and OPTIONAL as joins that
//! Oxigraph plans well.
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
//! **MINUS is planned as a hash anti-join, OPTIONAL often as a hash left
//! join**: the right side is evaluated once, whole, with none of its
//! variables bound. When the left
//! side has few rows for what the right side holds, Virtuoso's choice is
//! better: look the right side up for each left row, with the shared
//! variables bound (for MINUS, stopping at the first match). [`correlate`]
//! writes that with LATERAL, which Oxigraph evaluates as a loop, when the
//! index's estimates say it costs less: `demanded-licences-without-evidence`
//! checks 400 demands instead of evaluating 10 000 licence holdings, and
//! `offshore-offering-risks` looks up the statements about 30 000 offerings
//! instead of joining all 65 000.
//!
//! The same query means: the removed or required pattern `P` is
//! [plain](variables::is_plain) (every solution binds each of its
//! variables, and nothing in it reads one from outside), and the variables
//! it shares with the rows it filters or extends are bound in every row, at
//! least one of them. Then the solutions of `P` that agree with a row are
//! the same whether the row's values are given to `P` (EXISTS, a lookup) or
//! compared afterwards (a join, MINUS, OPTIONAL).

use super::estimate::{Group, Statistics};
use super::variables;
use spargebra::algebra::{Expression, GraphPattern};
use spargebra::term::{Literal, Variable};
use std::collections::HashSet;

/// What a lookup of the right side costs for one row of the left beyond
/// the rows it finds, in rows of the right side evaluated whole: a loop
/// starts an evaluation per row where a hash join evaluates once and probes.
/// Two, by callgrind at 100 000 offerings: the lookup took 70 % fewer
/// instructions on `demanded-licences-without-evidence` (estimated 1 300 ×
/// 3.3 against 31 000) and 56 % fewer on `offshore-offering-risks` (34 500 ×
/// 4.2 against 457 000), and 19 % more on `challenges`, whose OPTIONALs
/// sparopt already looped over (250 × 3.1 against 550; its UNION has four
/// times the rows the estimate counts).
const LOOKUP_COST: f64 = 2.0;

/// `Filter(… && [NOT] EXISTS { P }, inner)` → the filter without it, then
/// `Minus(…, P)` or a join with `P`'s shared values, for each EXISTS that
/// can go. Other conjuncts stay a filter; the order of row-by-row tests
/// does not change which rows pass.
pub fn exists_as_joins(pattern: &mut GraphPattern) {
    let GraphPattern::Filter { expr: expression, inner } = pattern else { return };
    if !has_exists_conjunct(expression) {
        return;
    }
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
    if let Some(expr) = and(kept) {
        result = GraphPattern::Filter { expr, inner: Box::new(result) };
    }
    for (negated, required, shared) in joins {
        result = match negated {
            true => GraphPattern::Minus { left: Box::new(result), right: Box::new(required) },
            false => semi_join(result, required, shared),
        };
    }
    *pattern = result;
}

/// A MINUS or an OPTIONAL looked up for each row of its left side, when
/// that is the same query and costs less than evaluating its right side
/// whole, by the index's estimates ([`Group`]):
///
/// - `Minus(L, R)` → `L` without the rows for which a lookup of `R`, which
///   stops at its first solution, finds one ([`lookup_each`]); `fresh` names
///   the variable the lookup binds, which no solution keeps;
/// - `LeftJoin(L, R)` → `Lateral(L, OPTIONAL { R })`, its condition (if it
///   reads only what `R` binds) a filter in `R`.
///
/// A filter on the MINUS or the OPTIONAL goes onto `L` where it reads only
/// what `L` binds (MINUS keeps the rows it keeps as they are; OPTIONAL
/// keeps `L`'s values): filtered outside, sparopt planned `L`'s patterns
/// apart.
pub fn correlate(pattern: &mut GraphPattern, statistics: &dyn Statistics, fresh: &mut dyn FnMut() -> Variable) {
    let inner = match &*pattern {
        GraphPattern::Filter { inner, .. } => &**inner,
        inner => inner,
    };
    let (left, right, anti) = match inner {
        GraphPattern::Minus { left, right } => (left, right, true),
        // A condition that reads only what the right side binds is a filter on it.
        GraphPattern::LeftJoin { left, right, expression }
            if expression.as_ref().is_none_or(|e| variables::reads_only(e, &variables::certain(right))) =>
        {
            (left, right, false)
        }
        _ => return,
    };
    let Some(shared) = shared_if_same_query(left, &variables::certain(left), right) else { return };
    if !worth_correlating(left, right, &shared, statistics) {
        return;
    }
    let (filter, inner) = match std::mem::take(pattern) {
        GraphPattern::Filter { expr, inner } => (Some(expr), *inner),
        inner => (None, inner),
    };
    let (mut left, right) = match inner {
        GraphPattern::Minus { left, right } | GraphPattern::LeftJoin { left, right, expression: None } => (left, right),
        GraphPattern::LeftJoin { left, right, expression: Some(expr) } => {
            (left, Box::new(GraphPattern::Filter { expr, inner: right }))
        }
        _ => unreachable!("matched above"),
    };
    let certain = variables::certain(&left);
    let (inside, outside): (Vec<_>, Vec<_>) = filter
        .map(conjuncts)
        .unwrap_or_default()
        .into_iter()
        .partition(|condition| anti || variables::reads_only(condition, &certain));
    if let Some(expr) = and(inside) {
        left = Box::new(GraphPattern::Filter { expr, inner: left });
    }
    let looked_up = match anti {
        true => lookup_each(left, *right, shared, fresh()),
        false => {
            let optional = optional(right);
            GraphPattern::Lateral { left, right: Box::new(optional) }
        }
    };
    *pattern = match and(outside) {
        Some(expr) => GraphPattern::Filter { expr, inner: Box::new(looked_up) },
        None => looked_up,
    };
}

/// Whether looking `right` up for each row of `left` costs less than
/// evaluating it whole, by the estimates: `left × (LOOKUP_COST + found per
/// row)` against `left` plus the rows evaluating `right` on its own
/// produces as sparopt plans it ([`Group::evaluation_cost`]).
fn worth_correlating(
    left: &GraphPattern,
    right: &GraphPattern,
    shared: &HashSet<Variable>,
    statistics: &dyn Statistics,
) -> bool {
    let (Some(left), Some(right)) = (Group::of(left, statistics), Group::of(right, statistics)) else {
        return false;
    };
    match (left.rows(), right.rows_per_row(shared), right.evaluation_cost()) {
        (Some(left), Some(found), Some(whole)) => left * (LOOKUP_COST + found) < whole + left,
        _ => false,
    }
}

/// `OPTIONAL { pattern }` on its own: one row, extended where it matches.
pub(super) fn optional(pattern: Box<GraphPattern>) -> GraphPattern {
    GraphPattern::LeftJoin {
        left: Box::new(GraphPattern::Bgp { patterns: Vec::new() }),
        right: pattern,
        expression: None,
    }
}

/// `a && b && …`, if any.
pub(super) fn and(conditions: Vec<Expression>) -> Option<Expression> {
    conditions.into_iter().reduce(|a, b| Expression::And(Box::new(a), Box::new(b)))
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
    GraphPattern::Filter {
        expr: Expression::Not(Box::new(Expression::Bound(found))),
        inner: Box::new(GraphPattern::Lateral { left, right: Box::new(optional(Box::new(first))) }),
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

/// Whether one of `a && b && …` is `[NOT] EXISTS`: else there is nothing
/// for [`exists_as_joins`] to do (most filters, which it then leaves at once).
fn has_exists_conjunct(expression: &Expression) -> bool {
    match expression {
        Expression::And(a, b) => has_exists_conjunct(a) || has_exists_conjunct(b),
        other => as_exists(other).is_some(),
    }
}

/// `a && b && c` as [a, b, c].
pub(super) fn conjuncts(expression: Expression) -> Vec<Expression> {
    match expression {
        Expression::And(a, b) => {
            let mut all = conjuncts(*a);
            all.extend(conjuncts(*b));
            all
        }
        other => vec![other],
    }
}
