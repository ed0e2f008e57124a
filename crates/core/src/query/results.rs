//! Query answers as standard SPARQL result formats (through `sparesults`),
//! RDF syntaxes for graph results, or an aligned table for people.

use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, Term};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{QueryResults, QuerySolution};
use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
    Turtle,
    NTriples,
}

#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Prefixes used to shorten IRIs in tables and Turtle.
    pub prefixes: Vec<(String, String)>,
    /// Leave CSV/TSV cells that a spreadsheet would run as formulas as they are.
    pub allow_formulas: bool,
}

/// Writes query results. SELECT and ASK results take a table or a SPARQL
/// results format; CONSTRUCT and DESCRIBE results take Turtle or N-Triples
/// (a table or results format falls back to Turtle for them).
pub fn write_results(
    results: QueryResults<'_>,
    format: ResultsFormat,
    options: &WriteOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match results {
        QueryResults::Boolean(value) => match results_format(format) {
            Some(format) => {
                QueryResultsSerializer::from_format(format).serialize_boolean_to_writer(out, value).map(drop)
            }
            None => writeln!(out, "{}", if value { "yes" } else { "no" }),
        },
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let guard = !options.allow_formulas && matches!(format, ResultsFormat::Csv | ResultsFormat::Tsv);
            match results_format(format) {
                Some(format) => {
                    let mut writer =
                        QueryResultsSerializer::from_format(format).serialize_solutions_to_writer(out, variables)?;
                    for solution in solutions {
                        let solution = solution.map_err(io::Error::other)?;
                        match guard.then(|| guard_formulas(&solution)).flatten() {
                            Some(guarded) => writer.serialize(&guarded)?,
                            None => writer.serialize(&solution)?,
                        }
                    }
                    writer.finish().map(drop)
                }
                None => {
                    let rows = solutions.collect::<Result<Vec<_>, _>>().map_err(io::Error::other)?;
                    let header: Vec<String> = variables.iter().map(|v| v.as_str().to_owned()).collect();
                    let cells = rows
                        .iter()
                        .map(|row| {
                            variables
                                .iter()
                                .map(|v| row.get(v).map_or(String::new(), |t| for_people(t, &options.prefixes)))
                                .collect()
                        })
                        .collect::<Vec<Vec<String>>>();
                    write_table(&header, &cells, out)
                }
            }
        }
        QueryResults::Graph(triples) => {
            let format = if format == ResultsFormat::NTriples { RdfFormat::NTriples } else { RdfFormat::Turtle };
            let mut serializer = RdfSerializer::from_format(format);
            for (prefix, iri) in &options.prefixes {
                serializer = serializer.with_prefix(prefix, iri).map_err(io::Error::other)?;
            }
            let mut writer = serializer.for_writer(out);
            for triple in triples {
                writer.serialize_triple(&triple.map_err(io::Error::other)?)?;
            }
            writer.finish().map(drop)
        }
    }
}

fn results_format(format: ResultsFormat) -> Option<QueryResultsFormat> {
    match format {
        ResultsFormat::Csv => Some(QueryResultsFormat::Csv),
        ResultsFormat::Tsv => Some(QueryResultsFormat::Tsv),
        ResultsFormat::Json => Some(QueryResultsFormat::Json),
        ResultsFormat::Xml => Some(QueryResultsFormat::Xml),
        ResultsFormat::Table | ResultsFormat::Turtle | ResultsFormat::NTriples => None,
    }
}

/// A term as a person reads it: a literal's text, an IRI shortened with a
/// known prefix or in angle brackets, a blank node as `_:label`.
pub fn for_people(term: &Term, prefixes: &[(String, String)]) -> String {
    match term {
        Term::Literal(literal) => literal.value().to_owned(),
        Term::NamedNode(node) => prefixes
            .iter()
            .filter(|(_, iri)| !iri.is_empty())
            .find_map(|(prefix, iri)| {
                let local = node.as_str().strip_prefix(iri.as_str())?;
                local
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                    .then(|| format!("{prefix}:{local}"))
            })
            .unwrap_or_else(|| node.to_string()),
        other => other.to_string(),
    }
}

/// Cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return are run
/// as formulas by spreadsheets; a leading `'` makes them text (OWASP's advice).
/// A row with no such cell, nearly every row, is given back as it is.
pub(crate) fn guard_formulas(solution: &QuerySolution) -> Option<QuerySolution> {
    let is_formula =
        |value: &Option<Term>| matches!(value, Some(Term::Literal(literal)) if starts_like_formula(literal.value()));
    if !solution.values().iter().any(is_formula) {
        return None;
    }
    let values: Vec<Option<Term>> = solution
        .values()
        .iter()
        .map(|value| match value {
            Some(Term::Literal(literal)) if starts_like_formula(literal.value()) => {
                Some(Literal::new_simple_literal(format!("'{}", literal.value())).into())
            }
            other => other.clone(),
        })
        .collect();
    Some(QuerySolution::from((solution.variables().to_vec(), values)))
}

fn starts_like_formula(value: &str) -> bool {
    value.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

fn write_table(header: &[String], rows: &[Vec<String>], out: &mut dyn Write) -> io::Result<()> {
    let flatten = |cell: &str| cell.replace(['\n', '\r'], " ");
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(flatten(cell).width());
        }
    }
    let line = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| {
                let cell = flatten(cell);
                let pad = width.saturating_sub(cell.width());
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        writeln!(out, "{}", padded.join("  ").trim_end())
    };
    line(header, out)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(&rule, out)?;
    for row in rows {
        line(row, out)?;
    }
    writeln!(out, "({} row{})", rows.len(), if rows.len() == 1 { "" } else { "s" })
}
