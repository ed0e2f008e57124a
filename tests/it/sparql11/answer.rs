//! Answers as the suite compares them: solution multisets with blank nodes
//! matched by one bijection over the whole answer, in order where the query
//! has ORDER BY; booleans; graphs by isomorphism; CSV as text, cell by cell.
//!
//! Literals on both sides are put in the form Oxigraph's store gives them
//! back ([`as_stored`]): the store keeps values, not lexical forms, so
//! `"01"^^xsd:int` in an expected answer is the store's `"1"^^xsd:integer`
//! (Oxigraph's own test suite does the same by passing both through a store).

use factgraph_core::query::{write_results, ResultsFormat, WriteOptions};
use factgraph_index::stored::as_stored;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::dataset::CanonicalizationAlgorithm;
use oxigraph::model::vocab::rdf;
use oxigraph::model::{BlankNode, Graph, NamedNode, NamedOrBlankNodeRef, Term, TermRef, Triple, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsParser, SliceQueryResultsParserOutput};
use oxigraph::sparql::QueryResults;
use std::collections::HashMap;
use std::path::Path;

const RS: &str = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#";

#[derive(Debug)]
pub enum Answer {
    /// Variables sorted by name, each row's values in that order.
    Solutions {
        variables: Vec<Variable>,
        rows: Vec<Vec<Option<Term>>>,
    },
    Boolean(bool),
    /// Canonicalized.
    Graph(Graph),
    /// A CSV text, as rows of cells, its columns in name order.
    Csv(Vec<Vec<String>>),
}

/// The answer of a query; `csv` asks for its SPARQL CSV serialization
/// (factgraph's own writer, as `factgraph query --format csv` writes it).
pub fn of_results(results: QueryResults<'static>, csv: bool) -> Result<Answer, String> {
    if csv {
        let mut text = Vec::new();
        let options = WriteOptions { allow_formulas: true, ..WriteOptions::default() };
        write_results(results, ResultsFormat::Csv, &options, &mut text).map_err(|e| e.to_string())?;
        return csv_rows(&text);
    }
    match results {
        QueryResults::Boolean(value) => Ok(Answer::Boolean(value)),
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let rows = solutions
                .map(|row| row.map(|row| row.values().to_vec()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| e.to_string())?;
            Ok(solutions_answer(variables, rows))
        }
        QueryResults::Graph(triples) => {
            Ok(graph_answer(triples.collect::<Result<Graph, _>>().map_err(|e| e.to_string())?))
        }
    }
}

/// The expected answer in `file`, by its extension.
pub fn of_file(file: &Path, base_iri: &str) -> Result<Answer, String> {
    let text = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let extension = file.extension().and_then(|e| e.to_str()).unwrap_or_default();
    let problem = |e: &dyn std::fmt::Display| format!("{}: {e}", file.display());
    if extension == "csv" {
        return csv_rows(&text).map_err(|e| problem(&e));
    }
    if let Some(format) = QueryResultsFormat::from_extension(extension) {
        return match QueryResultsParser::from_format(format).for_slice(&text).map_err(|e| problem(&e))? {
            SliceQueryResultsParserOutput::Boolean(value) => Ok(Answer::Boolean(value)),
            SliceQueryResultsParserOutput::Solutions(solutions) => {
                let variables = solutions.variables().to_vec();
                let rows = solutions
                    .map(|row| row.map(|row| row.values().to_vec()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| problem(&e))?;
                Ok(solutions_answer(variables, rows))
            }
        };
    }
    let format = RdfFormat::from_extension(extension).ok_or_else(|| problem(&"no results or RDF format"))?;
    let parser = RdfParser::from_format(format).with_base_iri(base_iri).map_err(|e| problem(&e))?;
    let graph: Graph = parser
        .for_slice(&text)
        .map(|quad| quad.map(Triple::from))
        .collect::<Result<_, _>>()
        .map_err(|e| problem(&e))?;
    result_set(&graph).map_err(|e| problem(&e)).map(|set| set.unwrap_or_else(|| graph_answer(graph)))
}

fn csv_rows(text: &[u8]) -> Result<Answer, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|record| record.map(|record| record.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    // A solution's variables are a set: the columns are put in name order.
    let mut order: Vec<usize> = (0..rows.first().map_or(0, Vec::len)).collect();
    order.sort_by(|&a, &b| rows[0][a].cmp(&rows[0][b]));
    let rows = rows.into_iter().map(|row| order.iter().map(|&c| row.get(c).cloned().unwrap_or_default()).collect());
    Ok(Answer::Csv(rows.collect()))
}

fn solutions_answer(variables: Vec<Variable>, rows: Vec<Vec<Option<Term>>>) -> Answer {
    let mut order: Vec<usize> = (0..variables.len()).collect();
    order.sort_by(|&a, &b| variables[a].cmp(&variables[b]));
    let rows = rows
        .into_iter()
        .map(|row| order.iter().map(|&column| row.get(column).cloned().flatten().map(normal)).collect())
        .collect();
    Answer::Solutions { variables: order.iter().map(|&column| variables[column].clone()).collect(), rows }
}

fn graph_answer(graph: Graph) -> Answer {
    let mut graph: Graph = graph
        .into_iter()
        .map(|triple| {
            Triple::new(triple.subject.into_owned(), triple.predicate.into_owned(), normal(triple.object.into_owned()))
        })
        .collect();
    graph.canonicalize(CanonicalizationAlgorithm::Unstable);
    Answer::Graph(graph)
}

/// The literal in the store's form.
fn normal(term: Term) -> Term {
    match term {
        Term::Literal(literal) => as_stored(literal.as_ref()).unwrap_or(literal).into(),
        other => other,
    }
}

/// An answer written as an RDF graph in the DAWG result-set vocabulary, if
/// `graph` is one.
fn result_set(graph: &Graph) -> Result<Option<Answer>, String> {
    let rs = |name: &str| NamedNode::new_unchecked(format!("{RS}{name}"));
    let Some(set) = graph.subject_for_predicate_object(rdf::TYPE, &rs("ResultSet")) else { return Ok(None) };
    if let Some(value) = graph.object_for_subject_predicate(set, &rs("boolean")) {
        return Ok(Some(Answer::Boolean(matches!(value, TermRef::Literal(l) if l.value() == "true"))));
    }
    let name = |term: Option<TermRef<'_>>| match term {
        Some(TermRef::Literal(name)) => Variable::new(name.value()).map_err(|e| e.to_string()),
        other => Err(format!("{other:?} is not a variable's name")),
    };
    let variables: Vec<Variable> = graph
        .objects_for_subject_predicate(set, &rs("resultVariable"))
        .map(|v| name(Some(v)))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for solution in graph.objects_for_subject_predicate(set, &rs("solution")) {
        let solution = node(solution)?;
        let mut row = vec![None; variables.len()];
        for binding in graph.objects_for_subject_predicate(solution, &rs("binding")) {
            let binding = node(binding)?;
            let variable = name(graph.object_for_subject_predicate(binding, &rs("variable")))?;
            let value = graph.object_for_subject_predicate(binding, &rs("value")).ok_or("a binding without value")?;
            let column = variables.iter().position(|v| *v == variable).ok_or("a binding of no result variable")?;
            row[column] = Some(value.into_owned());
        }
        let index = match graph.object_for_subject_predicate(solution, &rs("index")) {
            Some(TermRef::Literal(index)) => index.value().parse::<u64>().map_err(|e| e.to_string())?,
            _ => 0,
        };
        rows.push((index, row));
    }
    rows.sort_by_key(|(index, _)| *index);
    Ok(Some(solutions_answer(variables, rows.into_iter().map(|(_, row)| row).collect())))
}

fn node(term: TermRef<'_>) -> Result<NamedOrBlankNodeRef<'_>, String> {
    match term {
        TermRef::NamedNode(node) => Ok(node.into()),
        TermRef::BlankNode(node) => Ok(node.into()),
        other => Err(format!("{other} where a node is expected")),
    }
}

/// Whether `actual` is `expected`. `keys` are the selected variables the
/// query's ORDER BY sorts on, leading keys first: the rows' values of those
/// must come in the expected order (rows equal on them may come in any).
pub fn matches(expected: &Answer, actual: &Answer, keys: &[Variable]) -> bool {
    match (expected, actual) {
        (Answer::Boolean(a), Answer::Boolean(b)) => a == b,
        (Answer::Graph(a), Answer::Graph(b)) => a == b,
        (Answer::Csv(a), Answer::Csv(b)) => same_csv(a, b),
        (Answer::Solutions { variables: va, rows: a }, Answer::Solutions { variables: vb, rows: b }) => {
            va == vb && a.len() == b.len() && isomorphic(a, b) && same_order(va, a, b, keys)
        }
        _ => false,
    }
}

/// A short account of `answer`, for a failure's line.
pub fn describe(answer: &Answer) -> String {
    match answer {
        Answer::Solutions { rows, .. } => format!("{} solution{}", rows.len(), if rows.len() == 1 { "" } else { "s" }),
        Answer::Boolean(value) => format!("{value}"),
        Answer::Graph(graph) => format!("a graph of {} triples", graph.len()),
        Answer::Csv(rows) => format!("{} CSV lines", rows.len()),
    }
}

/// Blank nodes of one answer to those of the other, one to one.
#[derive(Default)]
struct Bijection {
    there: HashMap<BlankNode, BlankNode>,
    back: HashMap<BlankNode, BlankNode>,
}

impl Bijection {
    /// Maps `a` to `b`; false if either is already mapped elsewhere. Pushes
    /// a new pair on `added`, to undo it.
    fn pair(&mut self, a: &BlankNode, b: &BlankNode, added: &mut Vec<BlankNode>) -> bool {
        match (self.there.get(a), self.back.get(b)) {
            (Some(mapped), _) => mapped == b,
            (None, Some(_)) => false,
            (None, None) => {
                self.there.insert(a.clone(), b.clone());
                self.back.insert(b.clone(), a.clone());
                added.push(a.clone());
                true
            }
        }
    }

    fn undo(&mut self, added: Vec<BlankNode>) {
        for a in added {
            if let Some(b) = self.there.remove(&a) {
                self.back.remove(&b);
            }
        }
    }

    /// Pairs the rows' blank nodes, all or none: the pairs it added.
    fn rows(&mut self, a: &[Option<Term>], b: &[Option<Term>]) -> Option<Vec<BlankNode>> {
        let mut added = Vec::new();
        let ok = a.iter().zip(b).all(|pair| match pair {
            (Some(Term::BlankNode(x)), Some(Term::BlankNode(y))) => self.pair(x, y, &mut added),
            (x, y) => x == y,
        });
        if ok {
            return Some(added);
        }
        self.undo(added);
        None
    }
}

/// A row with its blank nodes blanked out: rows that can match have the same.
fn shape(row: &[Option<Term>]) -> Vec<Option<Term>> {
    let blank = BlankNode::new_unchecked("_");
    row.iter().map(|v| v.as_ref().map(|t| if t.is_blank_node() { blank.clone().into() } else { t.clone() })).collect()
}

/// One bijection of blank nodes and of rows under which the multisets are
/// equal, found by a search that backtracks (answers are small).
fn isomorphic(a: &[Vec<Option<Term>>], b: &[Vec<Option<Term>>]) -> bool {
    let mut candidates: HashMap<Vec<Option<Term>>, Vec<usize>> = HashMap::new();
    for (i, row) in b.iter().enumerate() {
        candidates.entry(shape(row)).or_default().push(i);
    }
    let choices: Option<Vec<&Vec<usize>>> = a.iter().map(|row| candidates.get(&shape(row))).collect();
    let Some(choices) = choices else { return false };
    let mut used = vec![false; b.len()];
    search(a, b, &choices, 0, &mut used, &mut Bijection::default())
}

fn search(
    a: &[Vec<Option<Term>>],
    b: &[Vec<Option<Term>>],
    choices: &[&Vec<usize>],
    row: usize,
    used: &mut [bool],
    bijection: &mut Bijection,
) -> bool {
    if row == a.len() {
        return true;
    }
    let has_blank = a[row].iter().flatten().any(Term::is_blank_node);
    for &candidate in choices[row] {
        if used[candidate] {
            continue;
        }
        let Some(added) = bijection.rows(&a[row], &b[candidate]) else { continue };
        used[candidate] = true;
        if search(a, b, choices, row + 1, used, bijection) {
            return true;
        }
        used[candidate] = false;
        bijection.undo(added);
        // Without blank nodes every free candidate is the same row.
        if !has_blank {
            return false;
        }
    }
    false
}

fn same_order(variables: &[Variable], a: &[Vec<Option<Term>>], b: &[Vec<Option<Term>>], keys: &[Variable]) -> bool {
    let columns: Vec<usize> = keys.iter().filter_map(|key| variables.iter().position(|v| v == key)).collect();
    let same = |x: &Option<Term>, y: &Option<Term>| match (x, y) {
        (Some(Term::BlankNode(_)), Some(Term::BlankNode(_))) => true,
        (x, y) => x == y,
    };
    a.iter().zip(b).all(|(x, y)| columns.iter().all(|&c| same(&x[c], &y[c])))
}

/// CSV lines in order, blank node labels matched one to one.
fn same_csv(a: &[Vec<String>], b: &[Vec<String>]) -> bool {
    let mut bijection = Bijection::default();
    let cell = |text: &str| match text.strip_prefix("_:") {
        Some(label) => Some(Term::from(BlankNode::new_unchecked(label))),
        None => Some(Term::from(oxigraph::model::Literal::new_simple_literal(text))),
    };
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            let x: Vec<Option<Term>> = x.iter().map(|t| cell(t)).collect();
            let y: Vec<Option<Term>> = y.iter().map(|t| cell(t)).collect();
            x.len() == y.len() && bijection.rows(&x, &y).is_some()
        })
}
