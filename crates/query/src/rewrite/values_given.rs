//! **A VALUES of one row gives its values to the patterns joined with it.**
//! `entity-facts` names its entity in a `VALUES ?entity { fgr:office-365 }`
//! line before a UNION of two groups that both start from `?entity`.
//! sparopt joins the VALUES with the UNION only after evaluating each group
//! on its own, with `?entity` free: the first group then reads every triple
//! of the graph (`?entity ?p ?o`) and looks up labels and sources for each,
//! nearly five minutes at 10 000 offerings where Virtuoso takes 10 ms.
//! Written with the IRI in place of `?entity`, each group reads one
//! resource's triples.
//!
//! `Join(Values(one row), X)` and `X` with the row's values in place of
//! its variables give the same solutions once the VALUES is joined back,
//! when every part of `X` that mentions a variable binds it in all its
//! solutions: each part then keeps exactly its solutions that agree with
//! the row ([`substitutable`] checks it, and refuses what it cannot tell:
//! MINUS, subqueries, `BOUND`, `EXISTS`, a VALUES or `BIND` of the variable).

use super::variables::{self, mentions, order_key, sub_expressions, sub_expressions_mut};
use spargebra::algebra::{Expression, GraphPattern, OrderExpression};
use spargebra::term::{GroundTerm, NamedNodePattern, TermPattern, Variable};

/// `Join(Values(one row), X)` (either way round) → the same join, with the
/// row's values written into `X` wherever that is the same query.
pub fn give_values(pattern: &mut GraphPattern) {
    let GraphPattern::Join { left, right } = pattern else { return };
    let (values, other) = match (&**left, &mut **right) {
        (GraphPattern::Values { .. }, other) => (&**left, other),
        _ => match (&**right, &mut **left) {
            (GraphPattern::Values { .. }, other) => (&**right, other),
            _ => return,
        },
    };
    let GraphPattern::Values { variables, bindings } = values else { return };
    let [row] = bindings.as_slice() else { return };
    for (variable, value) in variables.iter().zip(row) {
        let Some(value) = value else { continue };
        if substitutable(other, variable) {
            substitute(other, variable, value);
        }
    }
}

/// Whether writing a value in place of `variable` in `pattern` keeps
/// exactly the solutions that bind `variable` to it: every part that
/// mentions the variable binds it in all its solutions, and nothing gives
/// the variable a value or asks whether it has one.
fn substitutable(pattern: &GraphPattern, variable: &Variable) -> bool {
    if !mentions(pattern, variable) {
        return true;
    }
    if !variables::certain(pattern).contains(variable) {
        return false;
    }
    let both = |a: &GraphPattern, b: &GraphPattern| substitutable(a, variable) && substitutable(b, variable);
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } => true,
        GraphPattern::Join { left, right } | GraphPattern::Union { left, right } => both(left, right),
        GraphPattern::LeftJoin { left, right, expression } => {
            both(left, right) && expression.as_ref().is_none_or(|e| reads_as_value(e, variable))
        }
        GraphPattern::Filter { expr, inner } => substitutable(inner, variable) && reads_as_value(expr, variable),
        GraphPattern::Extend { inner, variable: assigned, expression } => {
            assigned != variable && substitutable(inner, variable) && reads_as_value(expression, variable)
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => substitutable(inner, variable),
        GraphPattern::OrderBy { inner, expression } => {
            substitutable(inner, variable) && expression.iter().all(|e| reads_as_value(order_key(e), variable))
        }
        // MINUS compares only the variables both sides bind: with the value
        // written in, the right side would no longer share this one.
        GraphPattern::Minus { .. }
        | GraphPattern::Values { .. }
        | GraphPattern::Project { .. }
        | GraphPattern::Group { .. }
        | GraphPattern::Lateral { .. }
        | GraphPattern::Service { .. } => false,
    }
}

/// Whether `expression` reads `variable` only for its value (not through
/// `BOUND` or inside `EXISTS`).
fn reads_as_value(expression: &Expression, variable: &Variable) -> bool {
    match expression {
        Expression::Bound(v) => v != variable,
        Expression::Exists(pattern) => !mentions(pattern, variable),
        _ => sub_expressions(expression).into_iter().all(|e| reads_as_value(e, variable)),
    }
}

/// Writes `value` in place of `variable` in the triple patterns, paths,
/// graph names and expressions of `pattern` (which [`substitutable`] allowed).
fn substitute(pattern: &mut GraphPattern, variable: &Variable, value: &GroundTerm) {
    let term = match value {
        GroundTerm::NamedNode(node) => TermPattern::NamedNode(node.clone()),
        GroundTerm::Literal(literal) => TermPattern::Literal(literal.clone()),
        #[allow(unreachable_patterns)]
        _ => return,
    };
    let expression = match value {
        GroundTerm::NamedNode(node) => Expression::NamedNode(node.clone()),
        GroundTerm::Literal(literal) => Expression::Literal(literal.clone()),
        #[allow(unreachable_patterns)]
        _ => return,
    };
    let substitution = Substitution { variable, term, expression, refused: std::cell::Cell::new(false) };
    let mut written = pattern.clone();
    substitution.pattern(&mut written);
    if !substitution.refused.get() {
        *pattern = written;
    }
}

struct Substitution<'a> {
    variable: &'a Variable,
    term: TermPattern,
    expression: Expression,
    /// Set where the value cannot stand: a literal as a predicate or a graph.
    refused: std::cell::Cell<bool>,
}

impl Substitution<'_> {
    fn pattern(&self, pattern: &mut GraphPattern) {
        match pattern {
            GraphPattern::Bgp { patterns } => {
                for triple in patterns {
                    self.term(&mut triple.subject);
                    self.named(&mut triple.predicate);
                    self.term(&mut triple.object);
                }
            }
            GraphPattern::Path { subject, object, .. } => {
                self.term(subject);
                self.term(object);
            }
            GraphPattern::Join { left, right } | GraphPattern::Union { left, right } => {
                self.pattern(left);
                self.pattern(right);
            }
            GraphPattern::LeftJoin { left, right, expression } => {
                self.pattern(left);
                self.pattern(right);
                if let Some(expression) = expression {
                    self.expression(expression);
                }
            }
            GraphPattern::Filter { expr, inner } => {
                self.expression(expr);
                self.pattern(inner);
            }
            GraphPattern::Extend { inner, expression, .. } => {
                self.expression(expression);
                self.pattern(inner);
            }
            GraphPattern::Graph { name, inner } => {
                self.named(name);
                self.pattern(inner);
            }
            GraphPattern::OrderBy { inner, expression } => {
                for key in expression {
                    match key {
                        OrderExpression::Asc(e) | OrderExpression::Desc(e) => self.expression(e),
                    }
                }
                self.pattern(inner);
            }
            GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } | GraphPattern::Slice { inner, .. } => {
                self.pattern(inner)
            }
            // Refused by `substitutable` where they mention the variable.
            GraphPattern::Minus { .. }
            | GraphPattern::Values { .. }
            | GraphPattern::Project { .. }
            | GraphPattern::Group { .. }
            | GraphPattern::Lateral { .. }
            | GraphPattern::Service { .. } => {}
        }
    }

    fn term(&self, term: &mut TermPattern) {
        if matches!(term, TermPattern::Variable(v) if v == self.variable) {
            *term = self.term.clone();
        }
    }

    /// A predicate or graph name: only an IRI can stand there, so a literal
    /// value refuses the whole substitution.
    fn named(&self, name: &mut NamedNodePattern) {
        if matches!(name, NamedNodePattern::Variable(v) if v == self.variable) {
            match &self.term {
                TermPattern::NamedNode(node) => *name = NamedNodePattern::NamedNode(node.clone()),
                _ => self.refused.set(true),
            }
        }
    }

    fn expression(&self, expression: &mut Expression) {
        match expression {
            Expression::Variable(v) if v == self.variable => *expression = self.expression.clone(),
            _ => sub_expressions_mut(expression).into_iter().for_each(|e| self.expression(e)),
        }
    }
}
