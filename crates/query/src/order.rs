//! ORDER BY with each row's keys computed once.
//!
//! Oxigraph's evaluator sorts with a comparator that evaluates the ORDER BY
//! expressions of both rows at every comparison: each time it reads the
//! terms back (from the index or the store) and builds their values anew.
//! Sorting 100 000 rows makes 1.7 million comparisons, and on
//! `offerings-without-local-partner` that was three quarters of the query's
//! work. When every ORDER BY key is a variable the query selects, which is
//! how researchers write it, factgraph takes the ORDER BY (and the LIMIT and
//! OFFSET after it) out of the query before evaluation, and sorts the
//! answer itself on keys made once per row.
//!
//! The order is SPARQL's, as Oxigraph's evaluator implements it
//! (`cmp_terms` in spareval's `eval.rs`): unbound first, then blank nodes,
//! IRIs and literals; literals by value where SPARQL's `<` compares them,
//! else by their lexical form, datatype and language. `tests/it/dataset.rs`
//! compares it with the evaluator's own order on every kind of term.

use oxrdf::vocab::xsd;
use oxrdf::{Literal, Term, Variable};
use oxsdatatypes::{Decimal, Double, Float};
use spareval::ExpressionTerm;
use spareval::{QueryEvaluationError, QueryResults, QuerySolution, QuerySolutionIter};
use spargebra::algebra::{Expression, GraphPattern, OrderExpression};
use spargebra::Query;
use std::cmp::Ordering;

/// An ORDER BY, LIMIT and OFFSET taken out of a query, to apply to its answer.
#[derive(Debug, Clone)]
pub struct Sort {
    /// Each key: the variable, and whether it sorts descending.
    keys: Vec<(Variable, bool)>,
    start: usize,
    length: Option<usize>,
}

/// Takes the ORDER BY (and the slice above it) out of a SELECT query whose
/// keys are all variables it selects; `None`, and the query unchanged,
/// otherwise.
pub fn take_sort(query: &mut Query) -> Option<Sort> {
    let Query::Select { pattern, .. } = query else { return None };
    let sort = sort_of(pattern)?;
    if let GraphPattern::Slice { inner, .. } = pattern {
        *pattern = std::mem::take(&mut **inner);
    }
    if let GraphPattern::Project { inner, .. } = below_distinct(pattern) {
        if let GraphPattern::OrderBy { inner: unordered, .. } = std::mem::take(&mut **inner) {
            **inner = *unordered;
        }
    }
    Some(sort)
}

/// The sort of `Slice? (Distinct | Reduced)? Project OrderBy`, if its keys
/// are selected variables.
fn sort_of(pattern: &GraphPattern) -> Option<Sort> {
    let (start, length, node) = match pattern {
        GraphPattern::Slice { inner, start, length } => (*start, *length, &**inner),
        other => (0, None, other),
    };
    let node = match node {
        GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } => &**inner,
        other => other,
    };
    let GraphPattern::Project { inner, variables } = node else { return None };
    let GraphPattern::OrderBy { expression, .. } = &**inner else { return None };
    let keys = expression
        .iter()
        .map(|key| match key {
            OrderExpression::Asc(Expression::Variable(variable)) => Some((variable.clone(), false)),
            OrderExpression::Desc(Expression::Variable(variable)) => Some((variable.clone(), true)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    keys.iter().all(|(variable, _)| variables.contains(variable)).then_some(Sort { keys, start, length })
}

fn below_distinct(pattern: &mut GraphPattern) -> &mut GraphPattern {
    match pattern {
        GraphPattern::Distinct { inner } | GraphPattern::Reduced { inner } => inner,
        other => other,
    }
}

impl Sort {
    /// Sorts and slices `results`, which must be the answer of the query
    /// this was taken from.
    pub fn apply(&self, results: QueryResults<'static>) -> Result<QueryResults<'static>, QueryEvaluationError> {
        let QueryResults::Solutions(solutions) = results else { return Ok(results) };
        let variables = solutions.variables().to_vec();
        let columns: Vec<(usize, bool)> = self
            .keys
            .iter()
            .filter_map(|(key, descending)| Some((variables.iter().position(|v| v == key)?, *descending)))
            .collect();
        let rows = solutions.collect::<Result<Vec<QuerySolution>, _>>()?;
        // The values of typed literals, parsed once; strings, IRIs and
        // blank nodes compare as the rows hold them.
        let values: Vec<Vec<Option<ExpressionTerm>>> = rows
            .iter()
            .map(|row| columns.iter().map(|&(column, _)| typed_value(row.values()[column].as_ref())).collect())
            .collect();
        let key = |row: usize, i: usize| Key {
            term: rows[row].values()[columns[i].0].as_ref(),
            value: values[row][i].as_ref(),
        };
        let order = merge_sort(rows.len(), |a, b| {
            for (i, &(_, descending)) in columns.iter().enumerate() {
                let ordering = compare(key(a, i), key(b, i));
                if ordering != Ordering::Equal {
                    return if descending { ordering.reverse() } else { ordering };
                }
            }
            Ordering::Equal
        });
        let mut rows: Vec<Option<QuerySolution>> = rows.into_iter().map(Some).collect();
        let sorted: Vec<QuerySolution> = order
            .into_iter()
            .skip(self.start)
            .take(self.length.unwrap_or(usize::MAX))
            .filter_map(|row| rows[row].take())
            .collect();
        Ok(QueryResults::Solutions(QuerySolutionIter::new(variables.into(), sorted.into_iter().map(Ok))))
    }
}

/// The positions `0..len` in the order `compare` gives, ties in position
/// order. A merge sort of our own because SPARQL's order is not a total
/// order when a column mixes types (a number and a date compare by their
/// text, two numbers by value): the standard library's sorts may panic on
/// such a comparison, this one gives some order and never panics.
fn merge_sort(len: usize, compare: impl Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged = Vec::with_capacity(len);
    let mut width = 1;
    while width < len {
        merged.clear();
        for start in (0..len).step_by(2 * width) {
            let middle = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut left, mut right) = (start, middle);
            while left < middle && right < end {
                if compare(order[right], order[left]) == Ordering::Less {
                    merged.push(order[right]);
                    right += 1;
                } else {
                    merged.push(order[left]);
                    left += 1;
                }
            }
            merged.extend_from_slice(&order[left..middle]);
            merged.extend_from_slice(&order[right..end]);
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// A term of a row (`None`: unbound), with its value if it is a typed literal.
#[derive(Clone, Copy)]
struct Key<'a> {
    term: Option<&'a Term>,
    value: Option<&'a ExpressionTerm>,
}

/// The value SPARQL compares a typed literal by (a number, a date…); `None`
/// for strings, which compare as they are, and for every other term.
fn typed_value(term: Option<&Term>) -> Option<ExpressionTerm> {
    match term? {
        Term::Literal(literal) if literal.language().is_none() && literal.datatype() != xsd::STRING => {
            Some(Term::Literal(literal.clone()).into())
        }
        _ => None,
    }
}

/// SPARQL's order of two terms (`None`: unbound), as Oxigraph's evaluator
/// sorts them.
fn compare(a: Key<'_>, b: Key<'_>) -> Ordering {
    let (x, y) = match (a.term, b.term) {
        (Some(x), Some(y)) => (x, y),
        (x, y) => return x.is_some().cmp(&y.is_some()),
    };
    match (x, y) {
        (Term::BlankNode(x), Term::BlankNode(y)) => x.as_str().cmp(y.as_str()),
        (Term::NamedNode(x), Term::NamedNode(y)) => x.as_str().cmp(y.as_str()),
        (Term::Literal(x), Term::Literal(y)) => compare_literals(x, a.value, y, b.value)
            .unwrap_or_else(|| (x.value(), x.datatype(), x.language()).cmp(&(y.value(), y.datatype(), y.language()))),
        (x, y) => kind_rank(x).cmp(&kind_rank(y)),
    }
}

/// SPARQL's `<` on two literals, where it is defined (spareval's
/// `partial_cmp_literals`): strings of one kind (and one language) by their
/// text, typed literals by their values.
fn compare_literals(
    x: &Literal,
    x_value: Option<&ExpressionTerm>,
    y: &Literal,
    y_value: Option<&ExpressionTerm>,
) -> Option<Ordering> {
    match (x_value, y_value) {
        (Some(x_value), Some(y_value)) => compare_values(x_value, y_value),
        (None, None) => {
            (x.language() == y.language() && x.datatype() == y.datatype()).then(|| x.value().cmp(y.value()))
        }
        _ => None,
    }
}

/// Blank nodes, then IRIs, then literals.
fn kind_rank(term: &Term) -> u8 {
    match term {
        Term::BlankNode(_) => 0,
        Term::NamedNode(_) => 1,
        Term::Literal(_) => 2,
    }
}

/// SPARQL's `<` on two typed literals' values, where it is defined.
fn compare_values(a: &ExpressionTerm, b: &ExpressionTerm) -> Option<Ordering> {
    use ExpressionTerm as E;
    match (a, b) {
        (E::FloatLiteral(_) | E::DoubleLiteral(_) | E::IntegerLiteral(_) | E::DecimalLiteral(_), _) => {
            compare_numbers(a, b)
        }
        (E::DateTimeLiteral(a), E::DateTimeLiteral(b)) => a.partial_cmp(b),
        (E::TimeLiteral(a), E::TimeLiteral(b)) => a.partial_cmp(b),
        (E::DateLiteral(a), E::DateLiteral(b)) => a.partial_cmp(b),
        (E::GYearMonthLiteral(a), E::GYearMonthLiteral(b)) => a.partial_cmp(b),
        (E::GYearLiteral(a), E::GYearLiteral(b)) => a.partial_cmp(b),
        (E::GMonthDayLiteral(a), E::GMonthDayLiteral(b)) => a.partial_cmp(b),
        (E::GDayLiteral(a), E::GDayLiteral(b)) => a.partial_cmp(b),
        (E::GMonthLiteral(a), E::GMonthLiteral(b)) => a.partial_cmp(b),
        (E::DurationLiteral(_) | E::YearMonthDurationLiteral(_) | E::DayTimeDurationLiteral(_), _) => {
            compare_durations(a, b)
        }
        _ => None,
    }
}

/// Numbers of any of the four types, each pair promoted as spareval does.
fn compare_numbers(a: &ExpressionTerm, b: &ExpressionTerm) -> Option<Ordering> {
    use ExpressionTerm as E;
    match (a, b) {
        (E::FloatLiteral(a), E::FloatLiteral(b)) => a.partial_cmp(b),
        (E::FloatLiteral(a), E::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (E::FloatLiteral(a), E::IntegerLiteral(b)) => a.partial_cmp(&Float::from(*b)),
        (E::FloatLiteral(a), E::DecimalLiteral(b)) => a.partial_cmp(&(*b).into()),
        (E::DoubleLiteral(a), E::FloatLiteral(b)) => a.partial_cmp(&(*b).into()),
        (E::DoubleLiteral(a), E::DoubleLiteral(b)) => a.partial_cmp(b),
        (E::DoubleLiteral(a), E::IntegerLiteral(b)) => a.partial_cmp(&Double::from(*b)),
        (E::DoubleLiteral(a), E::DecimalLiteral(b)) => a.partial_cmp(&(*b).into()),
        (E::IntegerLiteral(a), E::FloatLiteral(b)) => Float::from(*a).partial_cmp(b),
        (E::IntegerLiteral(a), E::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (E::IntegerLiteral(a), E::IntegerLiteral(b)) => a.partial_cmp(b),
        (E::IntegerLiteral(a), E::DecimalLiteral(b)) => Decimal::from(*a).partial_cmp(b),
        (E::DecimalLiteral(a), E::FloatLiteral(b)) => Float::from(*a).partial_cmp(b),
        (E::DecimalLiteral(a), E::DoubleLiteral(b)) => Double::from(*a).partial_cmp(b),
        (E::DecimalLiteral(a), E::IntegerLiteral(b)) => a.partial_cmp(&Decimal::from(*b)),
        (E::DecimalLiteral(a), E::DecimalLiteral(b)) => a.partial_cmp(b),
        _ => None,
    }
}

/// Durations of any of the three types.
fn compare_durations(a: &ExpressionTerm, b: &ExpressionTerm) -> Option<Ordering> {
    use ExpressionTerm as E;
    match (a, b) {
        (E::DurationLiteral(a), E::DurationLiteral(b)) => a.partial_cmp(b),
        (E::DurationLiteral(a), E::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (E::DurationLiteral(a), E::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        (E::YearMonthDurationLiteral(a), E::DurationLiteral(b)) => a.partial_cmp(b),
        (E::YearMonthDurationLiteral(a), E::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (E::YearMonthDurationLiteral(a), E::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        (E::DayTimeDurationLiteral(a), E::DurationLiteral(b)) => a.partial_cmp(b),
        (E::DayTimeDurationLiteral(a), E::YearMonthDurationLiteral(b)) => a.partial_cmp(b),
        (E::DayTimeDurationLiteral(a), E::DayTimeDurationLiteral(b)) => a.partial_cmp(b),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, GraphName, Literal, NamedNode, Quad};
    use oxigraph::sparql::SparqlEvaluator;
    use oxigraph::store::Store;

    fn typed(value: &str, datatype: &str) -> Term {
        Literal::new_typed_literal(
            value,
            NamedNode::new_unchecked(format!("http://www.w3.org/2001/XMLSchema#{datatype}")),
        )
        .into()
    }

    /// Families of terms within which SPARQL's order is a total order (no
    /// two terms compare equal, and no three compare in a circle), so that
    /// the answer's order does not depend on the sorting algorithm.
    fn families() -> Vec<Vec<Term>> {
        let nodes_and_strings: Vec<Term> = vec![
            BlankNode::new_unchecked("b1").into(),
            BlankNode::new_unchecked("a2").into(),
            NamedNode::new_unchecked("http://example.org/z").into(),
            NamedNode::new_unchecked("http://example.org/a").into(),
            Literal::new_simple_literal("Zebra").into(),
            Literal::new_simple_literal("apple").into(),
            Literal::new_simple_literal("").into(),
            Literal::new_language_tagged_literal_unchecked("Office 365", "en").into(),
            Literal::new_language_tagged_literal_unchecked("Azure", "en").into(),
            Literal::new_language_tagged_literal_unchecked("世纪互联", "zh").into(),
            Literal::new_language_tagged_literal_unchecked("Baihui", "zh").into(),
            Literal::new_typed_literal("x", NamedNode::new_unchecked("http://example.org/type")).into(),
            typed("true", "boolean"),
            typed("false", "boolean"),
        ];
        let numbers =
            [("-3", "integer"), ("12", "integer"), ("2.5", "decimal"), ("0.1", "float"), ("-1.0E2", "double")]
                .into_iter()
                .chain([("7", "int"), ("NaN", "double"), ("not a number", "integer")]);
        let times = [("2013-03-14", "date"), ("2012-11-02", "date"), ("2013-03-15T08:00:00Z", "dateTime")]
            .into_iter()
            .chain([("2013-03-15T07:00:00Z", "dateTime"), ("10:00:00", "time"), ("09:30:00", "time")]);
        let calendar = [("2013", "gYear"), ("2012", "gYear"), ("2013-03", "gYearMonth"), ("--03-14", "gMonthDay")]
            .into_iter()
            .chain([("---14", "gDay"), ("--03", "gMonth"), ("--02", "gMonth")]);
        let durations = [("P1Y", "duration"), ("P2M", "yearMonthDuration"), ("PT5H", "dayTimeDuration")];
        vec![
            nodes_and_strings,
            numbers.map(|(value, datatype)| typed(value, datatype)).collect(),
            times.map(|(value, datatype)| typed(value, datatype)).collect(),
            calendar.map(|(value, datatype)| typed(value, datatype)).collect(),
            durations.into_iter().map(|(value, datatype)| typed(value, datatype)).collect(),
        ]
    }

    fn column(results: QueryResults<'static>) -> Vec<Vec<Option<Term>>> {
        let QueryResults::Solutions(solutions) = results else { panic!("not solutions") };
        solutions.map(|row| row.unwrap().values().to_vec()).collect()
    }

    /// The answer as factgraph gives it: the ORDER BY taken out, the rest
    /// evaluated by Oxigraph, then sorted here.
    fn ours(store: &Store, text: &str) -> Vec<Vec<Option<Term>>> {
        let crate::Parsed { query, sort } = crate::Parsed::parse(text, &[]).unwrap();
        let results = SparqlEvaluator::new().for_query(query).on_store(store).execute().unwrap();
        column(match sort {
            Some(sort) => sort.apply(results).unwrap(),
            None => results,
        })
    }

    /// A store with `terms` as objects of `p`, and of `q` in another order.
    fn store_of(terms: &[Term]) -> Store {
        let store = Store::new().unwrap();
        let (p, q) =
            (NamedNode::new_unchecked("http://example.org/p"), NamedNode::new_unchecked("http://example.org/q"));
        for (i, term) in terms.iter().enumerate() {
            let subject = NamedNode::new_unchecked(format!("http://example.org/s{i}"));
            store.insert(&Quad::new(subject.clone(), p.clone(), term.clone(), GraphName::DefaultGraph)).unwrap();
            let other = &terms[(i * 5 + 2) % terms.len()];
            store.insert(&Quad::new(subject, q.clone(), other.clone(), GraphName::DefaultGraph)).unwrap();
        }
        store
    }

    #[test]
    fn answers_are_sorted_as_oxigraph_sorts_them() {
        for terms in families() {
            let store = store_of(&terms);
            for text in [
                "SELECT ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o",
                "SELECT ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY DESC(?o)",
                "SELECT ?o ?x WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?s <http://example.org/x> ?x } } ORDER BY ?x ?o",
                "SELECT ?x ?o WHERE { ?s <http://example.org/q> ?x ; <http://example.org/p> ?o } ORDER BY ?x DESC(?o)",
                "SELECT DISTINCT ?o WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 5 OFFSET 2",
            ] {
                let theirs = column(SparqlEvaluator::new().parse_query(text).unwrap().on_store(&store).execute().unwrap());
                assert_eq!(ours(&store, text), theirs, "{text} on {terms:?}");
                let mut query = spargebra::SparqlParser::new().parse_query(text).unwrap();
                assert!(take_sort(&mut query).is_some(), "factgraph sorts {text} itself");
            }
        }
    }

    #[test]
    fn a_column_of_mixed_types_is_sorted_without_a_panic() {
        let terms: Vec<Term> = families().concat();
        let store = store_of(&terms);
        let sorted = ours(&store, "SELECT ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o");
        assert_eq!(sorted.len(), terms.len());
    }

    #[test]
    fn other_orders_are_left_to_the_evaluator() {
        for text in [
            "SELECT ?o WHERE { ?s ?p ?o } ORDER BY STR(?o)",
            "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o",
            "SELECT ?o WHERE { ?s ?p ?o }",
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?o",
            "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o LIMIT 2 } }",
        ] {
            let mut query = spargebra::SparqlParser::new().parse_query(text).unwrap();
            let before = query.to_string();
            assert!(take_sort(&mut query).is_none(), "{text}");
            assert_eq!(query.to_string(), before);
        }
    }
}
