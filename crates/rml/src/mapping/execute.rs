//! Runs a [`Plan`]: streams each CSV file once, maps its rows in parallel
//! chunks with every triples map that reads it, and hands the quads, in file
//! order, to a sink. Parent tables for joins are built first and keep only the
//! parent subjects by join key.

use super::datatypes::check_lexical_form;
use super::model::TermType;
use super::plan::*;
use super::vocab::RML;
use crate::problem::{Problem, ProblemKind};
use crate::source::{self, Row};
use crate::Error;
use oxiri::Iri;
use oxrdf::vocab::rdf;
use oxrdf::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Rows read from a file before they are mapped in parallel.
const BATCH_ROWS: usize = 16 * 1024;
/// Rows one rayon task maps.
const CHUNK_ROWS: usize = 1024;
/// Data problems kept in a report; beyond that they are only counted.
const MAX_KEPT_ISSUES: usize = 1000;

/// Quads mapped from consecutive rows of one source file.
#[derive(Debug, Default)]
pub struct MappedBatch {
    pub source: usize,
    pub quads: Vec<Quad>,
    /// For each row, its line and the end of its quads in `quads`.
    pub rows: Vec<RowOrigin>,
    pub issues: Vec<Problem>,
    /// IRI subjects by row, when [`RunOptions::track_identifiers`] is set.
    pub subjects: Vec<SubjectSeen>,
    /// IRIs built from cells as objects, when identifiers are tracked.
    pub references: Vec<ReferenceSeen>,
    quads_per_map: Vec<u64>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Report the IRI subjects and references of every row in the batches,
    /// for the identifier checks of [`crate::validate`].
    pub track_identifiers: bool,
}

#[derive(Debug, Clone)]
pub struct SubjectSeen {
    pub map: usize,
    pub line: u64,
    pub subject: NamedNode,
}

#[derive(Debug, Clone)]
pub struct ReferenceSeen {
    pub map: usize,
    pub line: u64,
    pub columns: String,
    pub object: NamedNode,
}

#[derive(Debug, Clone, Copy)]
pub struct RowOrigin {
    pub line: u64,
    pub end: usize,
}

/// What a run read and produced.
#[derive(Debug, Default)]
pub struct RunReport {
    /// Each source file with the number of data rows read.
    pub rows_per_source: Vec<(PathBuf, u64)>,
    /// Each triples map with the number of quads it produced (before the
    /// store removes duplicates).
    pub quads_per_map: Vec<(String, u64)>,
    pub quads: u64,
    pub issues: Vec<Problem>,
    pub issue_count: u64,
}

/// Parent subjects by join key, for one [`JoinPlan`].
type JoinTable = HashMap<Vec<String>, Vec<NamedOrBlankNode>>;

/// Runs the plan, passing every batch to `sink` in source and row order.
/// The sink's error type is the caller's: a store loader or a writer fails
/// in its own ways, and the engine's errors convert into it.
pub fn run<E: From<Error>>(plan: &Plan, sink: &mut dyn FnMut(MappedBatch) -> Result<(), E>) -> Result<RunReport, E> {
    run_with(plan, RunOptions::default(), sink)
}

/// [`run`], with options.
pub fn run_with<E: From<Error>>(
    plan: &Plan,
    options: RunOptions,
    sink: &mut dyn FnMut(MappedBatch) -> Result<(), E>,
) -> Result<RunReport, E> {
    let mut report =
        RunReport { quads_per_map: plan.maps.iter().map(|m| (m.name.clone(), 0)).collect(), ..RunReport::default() };
    let tables = plan.joins.iter().map(|join| build_join_table(plan, join)).collect::<Result<Vec<_>, Error>>()?;
    let mapper = RowMapper { plan, tables: &tables, options };
    // Reading and parsing CSV is sequential: a thread of its own does it
    // while the rows before are mapped on every core.
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || read_sources(plan, &sender));
        for read in receiver {
            match read? {
                SourceRead::Rows { source, rows } => {
                    let batches: Vec<MappedBatch> =
                        rows.par_chunks(CHUNK_ROWS).map(|chunk| mapper.map_rows(source, chunk)).collect();
                    for batch in batches {
                        report.add(&batch);
                        sink(batch)?;
                    }
                }
                SourceRead::Finished { path, rows, problems } => {
                    report.note_issues(&problems);
                    report.rows_per_source.push((path, rows));
                }
            }
        }
        Ok(report)
    })
}

/// What the reading thread sends: rows of a source, in order, then the end of it.
enum SourceRead {
    Rows { source: usize, rows: Vec<Row> },
    Finished { path: PathBuf, rows: u64, problems: Vec<Problem> },
}

/// Reads every source in turn, in batches; stops at the first error, or
/// when the receiver has gone (the mapping stopped).
fn read_sources(plan: &Plan, sender: &std::sync::mpsc::SyncSender<Result<SourceRead, Error>>) {
    let read_source = |index: usize| -> Result<bool, Error> {
        let source = &plan.sources[index].source;
        let mut file = source::open(source)?;
        let mut rows_read = 0;
        loop {
            let rows = file.next_batch(BATCH_ROWS)?;
            if rows.is_empty() {
                break;
            }
            rows_read += rows.len() as u64;
            if sender.send(Ok(SourceRead::Rows { source: index, rows })).is_err() {
                return Ok(false);
            }
        }
        let finished =
            SourceRead::Finished { path: source.path.clone(), rows: rows_read, problems: file.take_problems() };
        Ok(sender.send(Ok(finished)).is_ok())
    };
    for index in 0..plan.sources.len() {
        match read_source(index) {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                let _ = sender.send(Err(error));
                return;
            }
        }
    }
}

/// A row mapped again on its own, to tell which triples it produces.
#[derive(Debug)]
pub struct ExplainedRow {
    pub map: usize,
    pub row: Row,
    pub quads: Vec<Quad>,
    /// IRIs the row builds from cells as objects.
    pub references: Vec<ReferenceSeen>,
}

/// Maps only the rows given as (triples map, line); used to explain where a
/// triple came from. Rows are read from the CSV files as they are now.
pub fn map_selected_rows(plan: &Plan, wanted: &[(usize, u64)]) -> Result<Vec<ExplainedRow>, Error> {
    let tables = plan.joins.iter().map(|join| build_join_table(plan, join)).collect::<Result<Vec<_>, Error>>()?;
    let mapper = RowMapper { plan, tables: &tables, options: RunOptions { track_identifiers: true } };
    let wanted_lines: std::collections::HashSet<(usize, u64)> = wanted.iter().copied().collect();
    let mut explained = Vec::new();
    for (index, source) in plan.sources.iter().enumerate() {
        if !wanted.iter().any(|(map, _)| source.maps.contains(map)) {
            continue;
        }
        let mut file = source::open(&source.source)?;
        loop {
            let rows = file.next_batch(BATCH_ROWS)?;
            if rows.is_empty() {
                break;
            }
            for row in rows {
                for &map in source.maps.iter().filter(|&&map| wanted_lines.contains(&(map, row.line))) {
                    let mut batch = MappedBatch {
                        source: index,
                        quads_per_map: vec![0; plan.maps.len()],
                        ..MappedBatch::default()
                    };
                    mapper.map_row(map, &row, &mut batch, &mut RowScratch::default());
                    explained.push(ExplainedRow {
                        map,
                        row: row.clone(),
                        quads: batch.quads,
                        references: batch.references,
                    });
                }
            }
        }
    }
    Ok(explained)
}

impl RunReport {
    fn add(&mut self, batch: &MappedBatch) {
        self.quads += batch.quads.len() as u64;
        for (total, count) in self.quads_per_map.iter_mut().zip(&batch.quads_per_map) {
            total.1 += count;
        }
        self.note_issues(&batch.issues);
    }

    fn note_issues(&mut self, issues: &[Problem]) {
        self.issue_count += issues.len() as u64;
        let room = MAX_KEPT_ISSUES.saturating_sub(self.issues.len());
        self.issues.extend(issues.iter().take(room).cloned());
    }
}

/// Parent rows with a problem are reported when the parent map runs on its
/// own source; here they simply join nothing.
fn build_join_table(plan: &Plan, join: &JoinPlan) -> Result<JoinTable, Error> {
    let parent = &plan.maps[join.parent];
    let source = &plan.sources[parent.source].source;
    let mut file = source::open(source)?;
    let mut table = JoinTable::new();
    let mut scratch = String::new();
    loop {
        let rows = file.next_batch(BATCH_ROWS)?;
        if rows.is_empty() {
            return Ok(table);
        }
        for row in &rows {
            let key: Vec<String> = join.parent_columns.iter().map(|&c| cell(row, c).to_owned()).collect();
            if key.iter().any(String::is_empty) {
                continue; // an empty value never joins
            }
            let Ok(Some(subject)) = parent.subject.generate(row, &mut scratch) else {
                continue;
            };
            if let Some(subject) = subject_of(subject) {
                let subjects = table.entry(key).or_default();
                if !subjects.contains(&subject) {
                    subjects.push(subject);
                }
            }
        }
    }
}

struct RowMapper<'a> {
    plan: &'a Plan,
    tables: &'a [JoinTable],
    options: RunOptions,
}

impl RowMapper<'_> {
    fn map_rows(&self, source: usize, rows: &[Row]) -> MappedBatch {
        let mut batch = MappedBatch { source, quads_per_map: vec![0; self.plan.maps.len()], ..MappedBatch::default() };
        let mut scratch = RowScratch::default();
        for row in rows {
            for &map in &self.plan.sources[source].maps {
                let before = batch.quads.len();
                self.map_row(map, row, &mut batch, &mut scratch);
                batch.quads_per_map[map] += (batch.quads.len() - before) as u64;
            }
            batch.rows.push(RowOrigin { line: row.line, end: batch.quads.len() });
        }
        batch
    }

    fn map_row(&self, map_index: usize, row: &Row, batch: &mut MappedBatch, scratch: &mut RowScratch) {
        let map = &self.plan.maps[map_index];
        let track = self.options.track_identifiers;
        let RowScratch { text, predicates, objects } = scratch;
        let mut issues = Vec::new();
        let mut generate = |term: &TermPlan| match term.generate(row, text) {
            Ok(value) => value,
            Err(error) => {
                issues.push(issue(self.plan, map, row, term, error));
                None
            }
        };
        let Some(subject) = generate(&map.subject).and_then(subject_of) else {
            if !map.subject.columns.is_empty() && map.subject.value_is_empty(row) {
                let error = (
                    ProblemKind::EmptyValue,
                    "empty value where the subject is formed; fill it in or remove the row".into(),
                );
                issues.push(issue(self.plan, map, row, &map.subject, error));
            }
            batch.issues.append(&mut issues);
            return;
        };
        if let (true, NamedOrBlankNode::NamedNode(iri), false) =
            (track, &subject, matches!(map.subject.value, ValuePlan::Constant(_)))
        {
            batch.subjects.push(SubjectSeen { map: map_index, line: row.line, subject: iri.clone() });
        }
        let subject_graphs: Vec<GraphName> =
            map.subject_graphs.iter().filter_map(|g| generate(g).map(graph_name)).collect();
        let quads = &mut batch.quads;
        let type_graphs = graphs_or_default(&subject_graphs);
        for class in &map.classes {
            for graph in type_graphs.iter() {
                quads.push(Quad::new(subject.clone(), rdf::TYPE, class.clone(), graph.clone()));
            }
        }
        for pom in &map.predicate_object_maps {
            predicates.clear();
            predicates.extend(pom.predicates.iter().filter_map(|p| match generate(p) {
                Some(Term::NamedNode(n)) => Some(n),
                _ => None,
            }));
            if predicates.is_empty() {
                continue;
            }
            objects.clear();
            for object in &pom.objects {
                match object {
                    ObjectPlan::Term(term) => {
                        let object = generate(term);
                        if let (true, Some(Term::NamedNode(iri)), true) = (track, &object, !term.columns.is_empty()) {
                            batch.references.push(ReferenceSeen {
                                map: map_index,
                                line: row.line,
                                columns: term.columns.clone(),
                                object: iri.clone(),
                            });
                        }
                        objects.extend(object);
                    }
                    ObjectPlan::SameRow { parent } => {
                        objects.extend(generate(&self.plan.maps[*parent].subject).and_then(subject_of).map(Term::from));
                    }
                    ObjectPlan::Join { join, child_columns } => {
                        let key: Vec<String> = child_columns.iter().map(|&c| cell(row, c).to_owned()).collect();
                        if let Some(subjects) = self.tables[*join].get(&key) {
                            objects.extend(subjects.iter().cloned().map(Term::from));
                        }
                    }
                    ObjectPlan::AllOf { join } => {
                        objects.extend(self.tables[*join].values().flatten().cloned().map(Term::from));
                    }
                }
            }
            let mut graphs = subject_graphs.clone();
            graphs.extend(pom.graphs.iter().filter_map(|g| generate(g).map(graph_name)));
            let graphs = graphs_or_default(&graphs);
            push_combinations(quads, &subject, predicates, objects, &graphs);
        }
        batch.issues.append(&mut issues);
    }
}

fn issue(plan: &Plan, map: &MapPlan, row: &Row, term: &TermPlan, (kind, message): TermError) -> Problem {
    let problem =
        Problem::new(kind, &plan.sources[map.source].source.path, message).at_line(row.line).in_map(&map.name);
    if term.columns.is_empty() {
        problem
    } else {
        problem.in_column(&term.columns)
    }
}

/// Why a value could not become a term.
type TermError = (ProblemKind, String);

fn cell(row: &Row, column: usize) -> &str {
    row.record.cell(column).unwrap_or("")
}

fn subject_of(term: Term) -> Option<NamedOrBlankNode> {
    match term {
        Term::NamedNode(n) => Some(n.into()),
        Term::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

fn graph_name(term: Term) -> GraphName {
    match term {
        Term::NamedNode(n) if n.as_str().strip_prefix(RML) == Some("defaultGraph") => GraphName::DefaultGraph,
        Term::NamedNode(n) => n.into(),
        Term::BlankNode(b) => b.into(),
        _ => GraphName::DefaultGraph, // unreachable: graph maps are checked to give IRIs
    }
}

/// The default graph alone, for the many maps that name no graph.
static DEFAULT_GRAPH: [GraphName; 1] = [GraphName::DefaultGraph];

fn graphs_or_default(graphs: &[GraphName]) -> Cow<'static, [GraphName]> {
    if graphs.is_empty() {
        return Cow::Borrowed(&DEFAULT_GRAPH);
    }
    let mut graphs = graphs.to_vec();
    graphs.sort_unstable_by_key(ToString::to_string);
    graphs.dedup();
    Cow::Owned(graphs)
}

/// Buffers that the rows of a chunk reuse: a row then allocates only for
/// its terms, and a run makes tens of millions of them.
#[derive(Default)]
struct RowScratch {
    /// Text of a template as it is expanded.
    text: String,
    /// A predicate-object map's predicates and objects for the row.
    predicates: Vec<NamedNode>,
    objects: Vec<Term>,
}

/// A quad for each predicate, object and graph. The usual one of each is
/// moved into its quad rather than cloned: a clone is an allocation, and a
/// run makes tens of millions of quads.
fn push_combinations(
    quads: &mut Vec<Quad>,
    subject: &NamedOrBlankNode,
    predicates: &mut Vec<NamedNode>,
    objects: &mut Vec<Term>,
    graphs: &[GraphName],
) {
    if let ([_], [_], [graph]) = (predicates.as_slice(), objects.as_slice(), graphs) {
        if let (Some(predicate), Some(object)) = (predicates.pop(), objects.pop()) {
            quads.push(Quad::new(subject.clone(), predicate, object, graph.clone()));
        }
        return;
    }
    for predicate in predicates.iter() {
        for object in objects.iter() {
            for graph in graphs {
                quads.push(Quad::new(subject.clone(), predicate.clone(), object.clone(), graph.clone()));
            }
        }
    }
}

impl TermPlan {
    /// The term for one row: `Ok(None)` when a value is empty (no triple, as
    /// for NULL in R2RML), `Err` when a value cannot form the term.
    fn generate(&self, row: &Row, scratch: &mut String) -> Result<Option<Term>, TermError> {
        let text: &str = match &self.value {
            ValuePlan::Constant(term) => return Ok(Some(term.clone())),
            ValuePlan::Fresh(id) => return Ok(Some(BlankNode::new_unchecked(format!("f{id}r{}", row.line)).into())),
            ValuePlan::Column(column) => cell(row, *column),
            ValuePlan::Template(template) => {
                let iri_safe = self.term_type == TermType::Iri;
                if template.expand(|c| cell(row, c), iri_safe, scratch).is_none() {
                    return Ok(None);
                }
                scratch
            }
        };
        if text.is_empty() {
            return Ok(None);
        }
        match self.term_type {
            TermType::Iri if self.always_valid_iri => Ok(Some(NamedNode::new_unchecked(text).into())),
            TermType::Iri => self.iri(text).map(|n| Some(n.into())),
            TermType::BlankNode => Ok(Some(blank_node(text).into())),
            TermType::Literal => self.literal(text).map(|l| Some(l.into())),
        }
    }

    /// An IRI from generated text: absolute as it is, or the base IRI put in
    /// front (R2RML concatenates; it does not resolve `..`).
    fn iri(&self, text: &str) -> Result<NamedNode, TermError> {
        if Iri::parse(text).is_ok() {
            return Ok(NamedNode::new_unchecked(text));
        }
        let Some(base) = &self.base_iri else {
            let message = format!("{text:?} is not an absolute IRI, and no base IRI is set (add @base to the mapping or base_iri to factgraph.toml)");
            return Err((ProblemKind::InvalidIri, message));
        };
        let joined = format!("{base}{text}");
        match Iri::parse(joined.as_str()) {
            Ok(_) => Ok(NamedNode::new_unchecked(joined)),
            Err(e) => Err((ProblemKind::InvalidIri, format!("{text:?} does not form a valid IRI ({e})"))),
        }
    }

    /// Whether a value this term map reads is empty in the row.
    fn value_is_empty(&self, row: &Row) -> bool {
        match &self.value {
            ValuePlan::Column(column) => cell(row, *column).is_empty(),
            ValuePlan::Template(template) => template.columns().any(|c| cell(row, *c).is_empty()),
            ValuePlan::Constant(_) | ValuePlan::Fresh(_) => false,
        }
    }

    fn literal(&self, text: &str) -> Result<Literal, TermError> {
        Ok(match (&self.datatype, &self.language) {
            (Some(datatype), _) => {
                check_lexical_form(text, datatype.as_str()).map_err(|e| (ProblemKind::InvalidLiteral, e))?;
                Literal::new_typed_literal(text, datatype.clone())
            }
            (None, Some(language)) => Literal::new_language_tagged_literal_unchecked(text, language.as_str()),
            (None, None) => Literal::new_simple_literal(text),
        })
    }
}

/// The same value always gives the same blank node. Readable values keep their
/// text (`v` + value); others are hex-encoded (`x` + hex), so the two never meet,
/// nor the `f…` labels of fresh blank nodes.
fn blank_node(value: &str) -> BlankNode {
    let mut label = String::with_capacity(value.len() * 2 + 1);
    if value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        label.push('v');
        label.push_str(value);
    } else {
        label.push('x');
        for byte in value.bytes() {
            let _ = write!(label, "{byte:02x}");
        }
    }
    BlankNode::new_unchecked(label)
}
