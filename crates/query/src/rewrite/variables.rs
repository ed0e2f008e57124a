//! Which variables a pattern binds in every solution, and which patterns
//! bind all theirs: what the rewrites check before they move or turn a
//! pattern, so that the answer cannot change.

use spargebra::algebra::{Expression, GraphPattern, OrderExpression, PropertyPathExpression};
use spargebra::term::{NamedNodePattern, TermPattern, TriplePattern, Variable};
use std::collections::HashSet;

/// The variables every solution of `pattern` binds (fewer when unsure: a
/// variable left out only stops a rewrite).
pub fn certain(pattern: &GraphPattern) -> HashSet<Variable> {
    match pattern {
        GraphPattern::Bgp { patterns } => of_triples(patterns).cloned().collect(),
        GraphPattern::Path { subject, object, .. } => {
            [subject, object].into_iter().filter_map(of_term).cloned().collect()
        }
        GraphPattern::Join { left, right } | GraphPattern::Lateral { left, right } => {
            certain(left).into_iter().chain(certain(right)).collect()
        }
        GraphPattern::LeftJoin { left, .. } | GraphPattern::Minus { left, .. } => certain(left),
        GraphPattern::Union { left, right } => {
            let right = certain(right);
            certain(left).into_iter().filter(|variable| right.contains(variable)).collect()
        }
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Extend { inner, .. }
        | GraphPattern::OrderBy { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => certain(inner),
        GraphPattern::Graph { name, inner } => {
            let mut bound = certain(inner);
            if let NamedNodePattern::Variable(variable) = name {
                bound.insert(variable.clone());
            }
            bound
        }
        GraphPattern::Project { inner, variables } => {
            let bound = certain(inner);
            variables.iter().filter(|variable| bound.contains(*variable)).cloned().collect()
        }
        GraphPattern::Values { variables, bindings } => variables
            .iter()
            .enumerate()
            .filter(|(column, _)| bindings.iter().all(|row| row[*column].is_some()))
            .map(|(_, variable)| variable.clone())
            .collect(),
        GraphPattern::Group { .. } | GraphPattern::Service { .. } => HashSet::new(),
    }
}

/// The variables in scope in `pattern`: those its solutions may bind.
pub fn in_scope(pattern: &GraphPattern) -> HashSet<Variable> {
    let mut variables = HashSet::new();
    pattern.on_in_scope_variable(|variable| {
        variables.insert(variable.clone());
    });
    variables
}

/// Whether every solution of `pattern` binds each variable in its scope and
/// nothing in it reads a variable from outside: triple patterns and paths,
/// joined, filtered on their own variables. Evaluated with some of its
/// variables given, such a pattern has the solutions that agree with them.
pub fn is_plain(pattern: &GraphPattern) -> bool {
    match pattern {
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } => true,
        GraphPattern::Join { left, right } => is_plain(left) && is_plain(right),
        GraphPattern::Filter { expr: expression, inner } => {
            let bound = certain(inner);
            is_plain(inner) && reads_only(expression, &bound)
        }
        _ => false,
    }
}

/// Whether `expression` reads no variable outside `bound` and has no EXISTS.
pub fn reads_only(expression: &Expression, bound: &HashSet<Variable>) -> bool {
    match expression {
        Expression::Variable(variable) | Expression::Bound(variable) => bound.contains(variable),
        Expression::Exists(_) => false,
        _ => sub_expressions(expression).into_iter().all(|e| reads_only(e, bound)),
    }
}

/// Whether `variable` appears anywhere in `pattern`, its expressions included.
pub fn mentions(pattern: &GraphPattern, variable: &Variable) -> bool {
    let in_term = |term: &TermPattern| matches!(term, TermPattern::Variable(v) if v == variable);
    let in_named = |name: &NamedNodePattern| matches!(name, NamedNodePattern::Variable(v) if v == variable);
    let in_expression = |expression: &Expression| expression_mentions(expression, variable);
    match pattern {
        GraphPattern::Bgp { patterns } => {
            patterns.iter().any(|t| in_term(&t.subject) || in_named(&t.predicate) || in_term(&t.object))
        }
        GraphPattern::Path { subject, object, .. } => in_term(subject) || in_term(object),
        GraphPattern::Join { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right }
        | GraphPattern::Lateral { left, right } => mentions(left, variable) || mentions(right, variable),
        GraphPattern::LeftJoin { left, right, expression } => {
            mentions(left, variable) || mentions(right, variable) || expression.as_ref().is_some_and(in_expression)
        }
        GraphPattern::Filter { expr, inner } => in_expression(expr) || mentions(inner, variable),
        GraphPattern::Extend { inner, variable: assigned, expression } => {
            assigned == variable || in_expression(expression) || mentions(inner, variable)
        }
        GraphPattern::Graph { name, inner } => in_named(name) || mentions(inner, variable),
        GraphPattern::OrderBy { inner, expression } => {
            expression.iter().any(|e| in_expression(order_key(e))) || mentions(inner, variable)
        }
        GraphPattern::Values { variables, .. } => variables.contains(variable),
        GraphPattern::Project { inner, variables } => variables.contains(variable) || mentions(inner, variable),
        GraphPattern::Group { inner, variables, aggregates } => {
            variables.contains(variable) || aggregates.iter().any(|(v, _)| v == variable) || mentions(inner, variable)
        }
        GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Service { inner, .. } => mentions(inner, variable),
    }
}

/// Whether `variable` appears anywhere in `expression`, its EXISTS included.
pub fn expression_mentions(expression: &Expression, variable: &Variable) -> bool {
    match expression {
        Expression::Variable(v) | Expression::Bound(v) => v == variable,
        Expression::Exists(pattern) => mentions(pattern, variable),
        _ => sub_expressions(expression).into_iter().any(|e| expression_mentions(e, variable)),
    }
}

/// The expression an ORDER BY key sorts by.
pub fn order_key(expression: &OrderExpression) -> &Expression {
    match expression {
        OrderExpression::Asc(e) | OrderExpression::Desc(e) => e,
    }
}

/// The match of [`sub_expressions`] and [`sub_expressions_mut`], written
/// once: `$($mut)?` is empty for the first and `mut` for the second.
macro_rules! sub_expressions_of {
    ($expression:expr $(, $mut:tt)?) => {
        match $expression {
            Expression::NamedNode(_)
            | Expression::Literal(_)
            | Expression::Variable(_)
            | Expression::Bound(_)
            | Expression::Exists(_) => Vec::new(),
            Expression::Or(a, b)
            | Expression::And(a, b)
            | Expression::Equal(a, b)
            | Expression::SameTerm(a, b)
            | Expression::Greater(a, b)
            | Expression::GreaterOrEqual(a, b)
            | Expression::Less(a, b)
            | Expression::LessOrEqual(a, b)
            | Expression::Add(a, b)
            | Expression::Subtract(a, b)
            | Expression::Multiply(a, b)
            | Expression::Divide(a, b) => vec![&$($mut)? **a, &$($mut)? **b],
            Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => vec![&$($mut)? **a],
            Expression::If(a, b, c) => vec![&$($mut)? **a, &$($mut)? **b, &$($mut)? **c],
            Expression::In(a, list) => std::iter::once(&$($mut)? **a).chain(list).collect(),
            Expression::Coalesce(list) | Expression::FunctionCall(_, list) => list.into_iter().collect(),
        }
    };
}

/// The expressions directly inside `expression` (not those of its EXISTS).
pub fn sub_expressions(expression: &Expression) -> Vec<&Expression> {
    sub_expressions_of!(expression)
}

/// [`sub_expressions`], to change them.
pub fn sub_expressions_mut(expression: &mut Expression) -> Vec<&mut Expression> {
    sub_expressions_of!(expression, mut)
}

/// A triple pattern or property path every solution of a pattern matches.
pub enum Required<'a> {
    Triple(&'a TriplePattern),
    Path(&'a TermPattern, &'a PropertyPathExpression, &'a TermPattern),
}

/// The triple patterns and paths every solution of `pattern` matches, those
/// outside OPTIONAL, UNION, MINUS's right side, GRAPH and grouped or sliced
/// subqueries: what [`super::estimate`] counts in the default graph.
pub fn required(pattern: &GraphPattern) -> Vec<Required<'_>> {
    match pattern {
        GraphPattern::Bgp { patterns } => patterns.iter().map(Required::Triple).collect(),
        GraphPattern::Path { subject, path, object } => vec![Required::Path(subject, path, object)],
        GraphPattern::Join { left, right } | GraphPattern::Lateral { left, right } => {
            let mut parts = required(left);
            parts.extend(required(right));
            parts
        }
        GraphPattern::LeftJoin { left, .. } | GraphPattern::Minus { left, .. } => required(left),
        GraphPattern::Filter { inner, .. }
        | GraphPattern::Extend { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner } => required(inner),
        _ => Vec::new(),
    }
}

/// The variables of triple patterns (their blank nodes are not: they cannot
/// be shared with another group).
pub fn of_triples(patterns: &[TriplePattern]) -> impl Iterator<Item = &Variable> {
    patterns.iter().flat_map(|triple| {
        let predicate = match &triple.predicate {
            NamedNodePattern::Variable(variable) => Some(variable),
            NamedNodePattern::NamedNode(_) => None,
        };
        [of_term(&triple.subject), predicate, of_term(&triple.object)].into_iter().flatten()
    })
}

fn of_term(term: &TermPattern) -> Option<&Variable> {
    match term {
        TermPattern::Variable(variable) => Some(variable),
        _ => None,
    }
}
